"""The ephemeral talentbase_secret against the emulator, with both CLIs: a
secret's value (or one JSON key) read for one run and passed to a
write-only argument, checked with boto3 on the receiving secret, and never
found in state, plans, outputs or trace logs. Plugin-level checks of the
ephemeral RPCs and of write-only arguments with a client that does not
announce them.

    .venv/bin/python -m pytest tests/acceptance/test_secret_ephemeral.py
"""

from __future__ import annotations

import json

from tbtest import secret as sec
from tbtest.hcl import Block, Raw
from tbtest.plugin import make_cert, msgpack_encode, null_object

TRACE = {"TF_LOG": "trace"}
DB_PASSWORD = "TbEphemeralDbPassword-000000000000000001"
SOURCE = "talentbase-dev/api/database"
COPY = "talentbase-dev/reporting/database-password"


def copy_of(value_expr: str) -> str:
    return sec.resource("copy", name=COPY, value_wo=Raw(value_expr), value_wo_version=1)


def test_ephemeral_value_into_a_write_only_argument(tf, aws, moto):
    """OpenEphemeralResource reads one JSON key with GetSecretValue; the
    value reaches the second secret through value_wo, and neither the
    value nor the JSON holding it is anywhere a reader could see."""
    arn = aws("secretsmanager").create_secret(
        Name=SOURCE, SecretString=json.dumps({"username": "fckadmin",
                                              "password": DB_PASSWORD}))["ARN"]
    tf.write(sec.config(
        sec.ephemeral("db", arn=arn, json_key="password"),
        copy_of("ephemeral.talentbase_secret.db.value")))
    tf.init().ok()
    runs = [tf.plan(out="eph.tfplan", env=TRACE).ok(),
            tf.apply(plan_file="eph.tfplan", env=TRACE).ok()]
    assert sec.value_of(aws, COPY) == DB_PASSWORD
    assert sec.calls(moto, "GetSecretValue") >= 1, "the ephemeral resource reads the value"
    runs.append(tf.plan(detailed_exitcode=True, env=TRACE).expect_rc(0))
    assert "talentbase_secret.db" not in " ".join(sec.addresses(tf)).replace(
        "talentbase_secret.copy", "")
    sec.assert_nowhere(tf, [DB_PASSWORD], runs, ["eph.tfplan"])


def test_ephemeral_of_a_secret_made_in_the_same_apply(tf, aws):
    """arn unknown at plan: the client opens the ephemeral resource during
    the apply, after the generated secret exists; the copy gets its value."""
    tf.write(sec.config(
        sec.resource("db", name=SOURCE, generate=Block(json_key="password"),
                     template={"username": "fckadmin"}),
        sec.ephemeral("db", arn=Raw("talentbase_secret.db.arn"), json_key="password"),
        copy_of("ephemeral.talentbase_secret.db.value")))
    tf.init().ok()
    runs = [tf.apply(env=TRACE).ok()]
    generated = json.loads(sec.value_of(aws, SOURCE))["password"]
    assert len(generated) == 64
    assert sec.value_of(aws, COPY) == generated
    runs.append(tf.plan(detailed_exitcode=True, env=TRACE).expect_rc(0))
    sec.assert_nowhere(tf, [generated], runs)


def test_ephemeral_errors_never_show_the_value(tf, aws):
    arn = aws("secretsmanager").create_secret(
        Name=SOURCE, SecretString=json.dumps({"password": DB_PASSWORD}))["ARN"]
    tf.write(sec.config(sec.ephemeral("db", arn=arn, json_key="url"),
                        copy_of("ephemeral.talentbase_secret.db.value")))
    tf.init().ok()
    res = tf.plan(json=True).failed()
    res.assert_diagnostic(summary="No such JSON key", attribute="json_key")
    assert DB_PASSWORD not in res.output

    tf.write(sec.config(sec.ephemeral("db", arn=arn, name=SOURCE),
                        copy_of("ephemeral.talentbase_secret.db.value")))
    tf.plan(json=True).failed().assert_diagnostic(summary="Both arn and name", attribute="name")


# ---- plugin level ----------------------------------------------------------------------------


def _stub(start_plugin, plugin_stubs):
    cert = make_cert()
    p = start_plugin(client_cert=cert)
    return plugin_stubs.tfplugin6, plugin_stubs.tfplugin6_grpc.ProviderStub(p.channel())


def _secret_block(pb, stub):
    r = stub.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=10)
    return r.resource_schemas["talentbase_secret"].block, r


def test_write_only_needs_the_client_capability(start_plugin, plugin_stubs):
    """Every client on this machine announces write-only support (the tests
    above use value_wo with both); one that does not (Terraform/OpenTofu
    before 1.11) gets one error on value_wo naming the versions it needs
    and the generate alternative."""
    pb, stub = _stub(start_plugin, plugin_stubs)
    block, _ = _secret_block(pb, stub)
    config = pb.DynamicValue(msgpack=msgpack_encode(null_object(block, {
        "name": "talentbase-dev/payments/stripe", "value_wo": "sk_live_TbNoCapability0000001",
        "value_wo_version": 1})))
    old = stub.ValidateResourceConfig(pb.ValidateResourceConfig.Request(
        type_name="talentbase_secret", config=config), timeout=10)
    errors = [d for d in old.diagnostics if d.severity == pb.Diagnostic.ERROR]
    assert len(errors) == 1, [(d.summary, d.detail) for d in old.diagnostics]
    d = errors[0]
    assert [s.attribute_name for s in d.attribute.steps] == ["value_wo"]
    for words in ("Terraform 1.11", "OpenTofu 1.11", "generate"):
        assert words in d.detail, d.detail
    assert "sk_live_TbNoCapability" not in d.summary + d.detail

    new = stub.ValidateResourceConfig(pb.ValidateResourceConfig.Request(
        type_name="talentbase_secret", config=config,
        client_capabilities=pb.ClientCapabilities(write_only_attributes_allowed=True)),
        timeout=10)
    assert not [d for d in new.diagnostics if d.severity == pb.Diagnostic.ERROR], \
        [(d.summary, d.detail) for d in new.diagnostics]


def test_ephemeral_rpcs(start_plugin, plugin_stubs):
    """The schema lists the ephemeral type with a sensitive computed value;
    validation checks its arguments; renew and close of a type with nothing
    to renew or release answer without diagnostics; unknown types are named."""
    pb, stub = _stub(start_plugin, plugin_stubs)
    _, schema = _secret_block(pb, stub)
    eph = schema.ephemeral_resource_schemas["talentbase_secret"].block
    attrs = {a.name: a for a in eph.attributes}
    assert attrs["value"].computed and attrs["value"].sensitive and not attrs["value"].optional
    assert set(attrs) == {"arn", "name", "json_key", "version_id", "version_stage", "value"}

    none = pb.DynamicValue(msgpack=msgpack_encode(null_object(eph)))
    r = stub.ValidateEphemeralResourceConfig(pb.ValidateEphemeralResourceConfig.Request(
        type_name="talentbase_secret", config=none), timeout=10)
    assert [d.summary for d in r.diagnostics] == ["No secret named"]

    assert not stub.RenewEphemeralResource(pb.RenewEphemeralResource.Request(
        type_name="talentbase_secret"), timeout=10).diagnostics
    assert not stub.CloseEphemeralResource(pb.CloseEphemeralResource.Request(
        type_name="talentbase_secret"), timeout=10).diagnostics
    r = stub.OpenEphemeralResource(pb.OpenEphemeralResource.Request(
        type_name="talentbase_thing", config=none), timeout=10)
    assert "talentbase_thing" in r.diagnostics[0].detail and not r.HasField("result")
