"""The provider as a plugin: installation, handshake, transport security,
concurrency, shutdown, debug mode, provider-block validation and schema,
with the real CLIs (tofu always, terraform when on PATH) and, below the
CLIs, with a grpcio client playing go-plugin's part."""

from __future__ import annotations

import concurrent.futures
import datetime
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import grpc
import pytest

from tbtest import hcl, paths
from tbtest.hcl import Block
from tbtest.plugin import (MAGIC_COOKIE, hand_env, make_cert, msgpack_encode, null_object,
                           raw_call, start_debug)

EXPECTED_SCHEMA = paths.EXPECTED / "provider_schema.json"

# go-plugin waits this long after Shutdown before it kills the plugin and logs
# "plugin failed to exit gracefully".
GRACEFUL_EXIT_SECONDS = 2.0


def _lock_file_providers(text: str) -> dict[str, str]:
    """provider address -> version recorded in a .terraform.lock.hcl."""
    return dict(re.findall(r'provider "([^"]+)" \{\s*version\s*=\s*"([^"]+)"', text))


# ---- installation -------------------------------------------------------------------


def test_init_from_filesystem_mirror(tf):
    """A private-registry user's layout: init installs from the mirror,
    records the provider in the lock file and validates."""
    tf.write(hcl.config())
    res = tf.init().ok()
    assert paths.PROVIDER_SOURCE in res.stdout
    assert paths.PROVIDER_VERSION in res.stdout
    lock = (tf.workdir / ".terraform.lock.hcl").read_text()
    assert _lock_file_providers(lock) == {paths.PROVIDER_SOURCE: paths.PROVIDER_VERSION}
    assert re.search(r'"h1:[A-Za-z0-9+/=]+"', lock), lock
    installed = (tf.workdir / ".terraform" / "providers" / paths.PROVIDER_SOURCE /
                 paths.PROVIDER_VERSION / paths.PLATFORM)
    assert installed.is_dir(), f"{installed} missing after init"
    v = tf.validate().ok().json
    assert v["valid"] is True and v["error_count"] == 0, v


_DEV_OVERRIDE_WARNING = re.compile(r"(?i)provider development overrides are in effect")


def test_dev_overrides_need_no_init(tf_factory, cli):
    """dev_overrides: validate, plan, apply and destroy straight away, with
    the CLI's development-override warning; `init` (which docs/index.md says
    to skip) looks the provider up in its registry and fails."""
    t = tf_factory(mode="dev_overrides", cli=cli)
    t.write(hcl.config(anchor=True))
    t.validate().ok()
    res = t.plan().ok()
    assert _DEV_OVERRIDE_WARNING.search(res.output), res.describe()
    assert "No changes" in res.stdout, res.describe()
    t.apply().ok()
    t.destroy().ok()
    res = t.init()
    res.expect_rc(1)
    assert "could not connect to registry.talentbase.internal" in " ".join(res.output.split()), \
        res.describe()


def test_dev_overrides_next_to_a_mirror(tf_factory, cli, provider_install):
    """The CLI configuration docs/index.md shows: dev_overrides with the
    filesystem mirror next to it. init installs from the mirror, the other
    commands run the override."""
    inst = provider_install
    pattern = f"{paths.PROVIDER_HOST}/*/*"
    rc = f"""disable_checkpoint = true

provider_installation {{
  dev_overrides {{
    {json.dumps(paths.PROVIDER_SOURCE)} = {json.dumps(str(inst.devbin))}
  }}
  filesystem_mirror {{
    path    = {json.dumps(str(inst.mirror))}
    include = [{json.dumps(pattern)}]
  }}
  direct {{
    exclude = [{json.dumps(pattern)}]
  }}
}}
"""
    t = tf_factory(mode="filesystem_mirror", cli=cli)
    (t.workdir / "dev-and-mirror.tfrc").write_text(rc)
    t.env["TF_CLI_CONFIG_FILE"] = str(t.workdir / "dev-and-mirror.tfrc")
    t.write(hcl.config(anchor=True))
    t.init().ok()
    res = t.plan().ok()
    assert _DEV_OVERRIDE_WARNING.search(res.output), res.describe()
    assert "No changes" in res.stdout, res.describe()


def test_validate_valid_config(tf, moto):
    tf.write(hcl.config(provider={
        "region": "us-east-1", "environment": "staging", "strict": True,
        "profile": "platform", "default_tags": {"Project": "TalentBase", "ManagedBy": "Terraform"},
        "assume_role": Block(role_arn="arn:aws:iam::123456789012:role/deploy",
                             session_name="ci", external_id="x-1", duration="1h"),
        "endpoints": Block(ecs=moto.url, sts=moto.url),
        "max_retries": 25, "skip_credentials_validation": False,
    }, anchor=True))
    tf.init().ok()
    moto.clear_calls()
    v = tf.validate().ok().json
    assert v["valid"] is True and v["error_count"] == 0 and v["warning_count"] == 0, v
    assert moto.calls() == [], "validate must not call AWS"


# ---- schema ------------------------------------------------------------------------------


def _schema_of_provider(tf) -> dict:
    tf.write(hcl.config(with_provider_block=False))
    tf.init().ok()
    out = tf.providers_schema_json().ok().json
    assert paths.PROVIDER_SOURCE in out["provider_schemas"], list(out["provider_schemas"])
    return out["provider_schemas"][paths.PROVIDER_SOURCE]


def test_providers_schema_matches_expected(tf):
    """The provider block's schema is exactly the reviewed one in
    expected/provider_schema.json; resource schemas are only checked for
    shape (they grow as resources land)."""
    got = _schema_of_provider(tf)
    expected = json.loads(EXPECTED_SCHEMA.read_text())
    if os.environ.get("TB_UPDATE_EXPECTED") == "1":
        expected["provider"] = got["provider"]
        expected["resource_types"] = sorted(got.get("resource_schemas", {}))
        expected["data_source_types"] = sorted(got.get("data_source_schemas", {}))
        EXPECTED_SCHEMA.write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"rewrote {EXPECTED_SCHEMA}: review the diff against the spec")
    assert got["provider"] == expected["provider"], (
        "provider schema differs from tests/acceptance/expected/provider_schema.json:\n"
        + json.dumps(got["provider"], indent=2, sort_keys=True))
    for name, schema in got.get("resource_schemas", {}).items():
        assert name.startswith("talentbase_"), name
        assert isinstance(schema.get("version"), int) and "block" in schema, name
        assert schema["block"].get("attributes") or schema["block"].get("block_types"), name
    missing = set(expected.get("resource_types", [])) - set(got.get("resource_schemas", {}))
    assert not missing, f"resource types no longer in the schema: {sorted(missing)}"
    missing = (set(expected.get("data_source_types", []))
               - set(got.get("data_source_schemas", {})))
    assert not missing, f"data source types no longer in the schema: {sorted(missing)}"


# Provider settings the spec (shared/spec/provider.md) names: type, and
# whether sensitive.
SPEC_ATTRIBUTES = {
    "region": ("string", False),
    "environment": ("string", False),
    "strict": ("bool", False),
    "profile": ("string", False),
    "shared_config_files": (["list", "string"], False),
    "shared_credentials_files": (["list", "string"], False),
    "access_key": ("string", True),
    "secret_key": ("string", True),
    "token": ("string", True),
    "max_retries": ("number", False),
    "skip_credentials_validation": ("bool", False),
}
SPEC_BLOCKS = {
    "assume_role": {"role_arn", "session_name", "external_id", "duration"},
    "endpoints": {"ecs"},
}


def test_provider_schema_has_spec_settings(tofu):
    """Independently of the stored file: every setting of the spec exists
    with its type, sensitive where the spec says so, all optional."""
    block = _schema_of_provider(tofu)["provider"]["block"]
    attrs = block.get("attributes", {})
    blocks = block.get("block_types", {})
    for name, (typ, sensitive) in SPEC_ATTRIBUTES.items():
        assert name in attrs, f"provider setting {name} missing"
        a = attrs[name]
        assert a["type"] == typ, (name, a)
        assert bool(a.get("sensitive")) == sensitive, (name, a)
        assert a.get("optional") and not a.get("required"), (name, a)
    for name, members in SPEC_BLOCKS.items():
        assert name in blocks, f"provider block {name} missing"
        nb = blocks[name]
        assert nb.get("max_items") == 1 or nb["nesting_mode"] == "single", (name, nb)
        assert members <= set(nb["block"]["attributes"]), (name, nb)
    # default_tags: a map of strings (as here) or terraform-provider-aws's
    # `default_tags { tags = {...} }` block.
    if "default_tags" in attrs:
        assert attrs["default_tags"]["type"] == ["map", "string"]
    else:
        assert blocks["default_tags"]["block"]["attributes"]["tags"]["type"] == ["map", "string"]
    ar = blocks["assume_role"]["block"]["attributes"]
    assert ar["role_arn"].get("required"), "assume_role needs role_arn"
    for name, a in attrs.items():
        assert a.get("description"), f"provider setting {name} has no description"


# ---- plan and provider configuration ----------------------------------------------------


def test_plan_validates_credentials_against_sts(tf, moto):
    tf.write(hcl.config(provider={"region": "us-east-1", "environment": "development",
                                  "skip_credentials_validation": False}, anchor=True))
    tf.init().ok()
    moto.clear_calls()
    res = tf.plan(detailed_exitcode=True).expect_rc(0)
    assert "No changes" in res.stdout, res.describe()
    actions = [(c["service"], c["action"]) for c in moto.calls()]
    assert ("sts", "GetCallerIdentity") in actions, actions


def test_plan_with_bad_credentials_names_the_source(tf, moto):
    """ConfigureProvider refuses keys STS rejects and says where they came
    from."""
    moto.inject_fault("GetCallerIdentity", service="sts", status=403,
                      code="InvalidClientTokenId",
                      message="The security token included in the request is invalid.",
                      times=0)
    tf.write(hcl.config(anchor=True))
    tf.init().ok()
    res = tf.plan(json=True).failed()
    d = res.assert_diagnostic(summary=re.compile(r"(?i)credential"))
    text = d.summary + " " + d.detail
    assert "InvalidClientTokenId" in text, d.describe()
    assert re.search(r"(?i)environment|AWS_ACCESS_KEY_ID", text), d.describe()


BAD_SETTINGS = [
    pytest.param({"environment": "prod"}, "Invalid environment", "environment", "prod",
                 id="environment"),
    pytest.param({"region": "not a region"}, "Invalid region", "region", "not a region",
                 id="region"),
    pytest.param({"assume_role": Block(role_arn="arn:aws:iam::bad")}, "Invalid role ARN",
                 "assume_role.role_arn", "arn:aws:iam::bad", id="assume_role.role_arn"),
    pytest.param({"endpoints": Block(ecs="not a url")}, "Invalid endpoint URL",
                 "endpoints.ecs", "not a url", id="endpoints.ecs"),
    pytest.param({"max_retries": -1}, "Invalid max_retries", "max_retries", None,
                 id="max_retries=-1"),
    pytest.param({"max_retries": 1000}, "Invalid max_retries", "max_retries", None,
                 id="max_retries=1000"),
]


def _bad_provider_config(setting: dict) -> str:
    settings = {"region": "us-east-1", "environment": "development", **setting}
    return hcl.config(provider=settings, anchor=True)


@pytest.mark.parametrize("setting,summary,attribute,value", BAD_SETTINGS)
def test_bad_provider_setting_validate(tf, moto, setting, summary, attribute, value):
    """`validate` refuses the setting, on that attribute, without AWS."""
    tf.write(_bad_provider_config(setting))
    tf.init().ok()
    moto.clear_calls()
    res = tf.validate().failed()
    d = res.assert_diagnostic(summary=summary, attribute=attribute)
    if value is not None:
        assert value in d.detail, d.describe(tf.workdir)
    in_provider = [x for x in res.diagnostics if x.severity == "error"
                   and x.top_block(tf.workdir) == 'provider "talentbase"']
    assert len(in_provider) == 1, res.describe()
    assert moto.calls() == [], "validating the provider block must not call AWS"


@pytest.mark.parametrize("setting,summary,attribute,value", BAD_SETTINGS)
def test_bad_provider_setting_plan(tf, setting, summary, attribute, value):
    """`plan` stops on the same diagnostic (the CI path)."""
    tf.write(_bad_provider_config(setting))
    tf.init().ok()
    res = tf.plan(json=True).failed()
    res.assert_diagnostic(summary=summary, attribute=attribute)


def test_plan_debug_log_shows_graceful_exit(tf):
    tf.write(hcl.config(anchor=True))
    tf.init().ok()
    res = tf.plan(env={"TF_LOG": "debug"}).ok()
    assert paths.BINARY_NAME in res.stderr, "the debug log does not mention the provider"
    assert "plugin failed to exit gracefully" not in res.stderr, res.describe()
    started = res.stderr.count("provider: plugin started")
    exited = res.stderr.count("provider: plugin exited")
    assert started >= 1 and exited == started, \
        f"{started} provider processes started, {exited} exited"


# ---- running the binary by hand ------------------------------------------------------------


def test_run_by_hand_without_cookie(provider_binary):
    proc = subprocess.run([str(provider_binary)], env=hand_env(),
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 1, proc
    assert proc.stdout == "", proc.stdout
    assert re.search(r"(?i)plugin", proc.stderr) and \
        re.search(r"(?i)terraform|opentofu", proc.stderr), proc.stderr


def test_protocol_6_absent_fails_clearly(provider_binary):
    proc = subprocess.run([str(provider_binary)], capture_output=True, text=True, timeout=10,
                          env=hand_env(TF_PLUGIN_MAGIC_COOKIE=MAGIC_COOKIE,
                                        PLUGIN_PROTOCOL_VERSIONS="4,5"))
    assert proc.returncode != 0, proc
    assert proc.stdout == "", proc.stdout
    assert "6" in proc.stderr and re.search(r"(?i)protocol", proc.stderr), proc.stderr


@pytest.mark.parametrize("versions", ["6", "5,6", "6,5", "7,6,5"])
def test_picks_protocol_6(start_plugin, versions):
    p = start_plugin(env={"PLUGIN_PROTOCOL_VERSIONS": versions})
    assert p.handshake.protocol_version == 6


# ---- handshake and transport -----------------------------------------------------------------


def test_handshake_line_and_server_certificate(start_plugin):
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    client = make_cert()
    p = start_plugin(client_cert=client)
    hs = p.handshake
    assert (hs.core_version, hs.protocol_version, hs.protocol) == (1, 6, "grpc"), hs.raw
    if hs.network == "unix":
        assert Path(hs.address).is_absolute(), hs.raw
        assert Path(hs.address).exists(), f"socket {hs.address} missing"
    else:
        assert re.fullmatch(r"127\.0\.0\.1:\d+", hs.address), hs.raw
    assert hs.cert_der, "no server certificate in the handshake although PLUGIN_CLIENT_CERT set"
    cert = x509.load_der_x509_certificate(hs.cert_der)
    key = cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku and ExtendedKeyUsageOID.CLIENT_AUTH in eku
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.key_cert_sign
    now = datetime.datetime.now(datetime.timezone.utc)
    assert cert.not_valid_before_utc < now < cert.not_valid_after_utc

    p.shutdown()
    assert p.wait(GRACEFUL_EXIT_SECONDS) == 0
    assert p.stdout_after_handshake() == b"", "stdout must carry nothing but the handshake"


def test_plaintext_without_client_cert(start_plugin, plugin_stubs):
    """TF_DISABLE_PLUGIN_TLS on the client: no PLUGIN_CLIENT_CERT, plaintext."""
    p = start_plugin()
    assert p.handshake.cert_der is None, p.handshake.raw
    stub = plugin_stubs.tfplugin6_grpc.ProviderStub(p.channel())
    resp = stub.GetProviderSchema(plugin_stubs.tfplugin6.GetProviderSchema.Request(), timeout=10)
    assert resp.provider.block.attributes


@pytest.mark.parametrize("curve", ["P-521", "P-256"])
def test_mtls_accepts_the_client_certificate(start_plugin, plugin_stubs, curve):
    cert = make_cert(curve)
    p = start_plugin(client_cert=cert)
    stub = plugin_stubs.tfplugin6_grpc.ProviderStub(p.channel(cert))
    resp = stub.GetProviderSchema(plugin_stubs.tfplugin6.GetProviderSchema.Request(), timeout=10)
    assert {a.name for a in resp.provider.block.attributes} >= {"region", "environment"}


def test_mtls_refuses_another_certificate(start_plugin, plugin_stubs):
    cert_a, cert_b = make_cert(), make_cert()
    p = start_plugin(client_cert=cert_a)
    req = plugin_stubs.tfplugin6.GetProviderSchema.Request()
    for who, cert in (("certificate B", cert_b), ("no certificate", None)):
        ch = p.channel(cert) if cert else _channel_without_client_cert(p)
        stub = plugin_stubs.tfplugin6_grpc.ProviderStub(ch)
        with pytest.raises(grpc.RpcError) as e:
            stub.GetProviderSchema(req, timeout=10)
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE, (who, e.value)
        ch.close()
    stub = plugin_stubs.tfplugin6_grpc.ProviderStub(p.channel(cert_a))
    assert stub.GetProviderSchema(req, timeout=10).provider.block.attributes


def _channel_without_client_cert(p):
    creds = grpc.ssl_channel_credentials(root_certificates=p.handshake.cert_pem)
    return grpc.secure_channel(p.handshake.target, creds,
                               options=[("grpc.ssl_target_name_override", "localhost")])


def test_server_capabilities(start_plugin, plugin_stubs):
    cert = make_cert()
    p = start_plugin(client_cert=cert)
    stub = plugin_stubs.tfplugin6_grpc.ProviderStub(p.channel())
    resp = stub.GetProviderSchema(plugin_stubs.tfplugin6.GetProviderSchema.Request(), timeout=10)
    assert resp.server_capabilities.plan_destroy
    assert resp.server_capabilities.get_provider_schema_optional
    assert not [d for d in resp.diagnostics if d.severity == 1], resp.diagnostics


def test_unregistered_methods_answer_unimplemented(start_plugin):
    """C core parks calls to unregistered methods unless the server answers
    them; the clients set no deadline and would hang."""
    cert = make_cert()
    p = start_plugin(client_cert=cert)
    ch = p.channel()
    for method in ("/tfplugin6.Provider/NoSuchMethod", "/no.such.Service/Method",
                   "/plugin.GRPCBroker/Nope"):
        with pytest.raises(grpc.RpcError) as e:
            raw_call(ch, method, b"", timeout=5)
        assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED, (method, e.value.code())


def test_health_check_serving(start_plugin):
    """grpc.health.v1.Health/Check for "plugin" (older go-plugin clients)."""
    cert = make_cert()
    p = start_plugin(client_cert=cert)
    resp = raw_call(p.channel(), "/grpc.health.v1.Health/Check", b"\x0a\x06plugin", timeout=5)
    assert resp == b"\x08\x01", resp  # status: SERVING


def test_shutdown_exits_within_two_seconds(start_plugin):
    cert = make_cert()
    p = start_plugin(client_cert=cert)
    ch = p.channel()
    raw_call(ch, "/plugin.GRPCController/Shutdown", b"", timeout=5)
    t0 = time.monotonic()
    rc = p.wait(GRACEFUL_EXIT_SECONDS)
    assert rc == 0, f"exit code {rc}; stderr:\n{p.stderr_text()[-2000:]}"
    assert time.monotonic() - t0 < GRACEFUL_EXIT_SECONDS
    assert p.stdout_after_handshake() == b""


def test_sigint_is_ignored_while_serving(start_plugin, plugin_stubs):
    """Ctrl-C in a terminal signals the whole process group, plugin included.
    Like go-plugin servers, the provider ignores SIGINT and lets the CLI
    stop it (StopProvider, then Shutdown), so that an apply in flight can
    still record what it created."""
    cert = make_cert()
    p = start_plugin(client_cert=cert)
    p.proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    assert p.proc.poll() is None, "the provider died on SIGINT"
    stub = plugin_stubs.tfplugin6_grpc.ProviderStub(p.channel())
    stub.GetProviderSchema(plugin_stubs.tfplugin6.GetProviderSchema.Request(), timeout=10)
    p.shutdown()
    assert p.wait(GRACEFUL_EXIT_SECONDS) == 0


def test_many_concurrent_rpcs(start_plugin, plugin_stubs):
    """64 GetProviderSchema/ValidateProviderConfig calls from 16 threads at
    once all complete, each with the right answer."""
    pb = plugin_stubs.tfplugin6
    cert = make_cert()
    p = start_plugin(client_cert=cert)
    ch = p.channel()
    stub = plugin_stubs.tfplugin6_grpc.ProviderStub(ch)
    schema = stub.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=10).provider
    n_attrs = len(schema.block.attributes)
    good = msgpack_encode(null_object(schema.block, {"region": "eu-west-1",
                                                     "environment": "staging"}))
    bad = msgpack_encode(null_object(schema.block, {"environment": "prod"}))
    start = threading.Barrier(16)

    def one(i: int):
        if i < 16:
            start.wait(10)
        if i % 3 == 0:
            r = stub.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
            return len(r.provider.block.attributes) == n_attrs
        config = bad if i % 3 == 1 else good
        r = stub.ValidateProviderConfig(
            pb.ValidateProviderConfig.Request(config=pb.DynamicValue(msgpack=config)), timeout=30)
        if config is good:
            return not r.diagnostics
        return [(d.summary, [s.attribute_name for s in d.attribute.steps])
                for d in r.diagnostics] == [("Invalid environment", ["environment"])]

    deadline = time.monotonic() + 60
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(64), timeout=60))
    assert time.monotonic() < deadline
    assert all(results), [i for i, ok in enumerate(results) if not ok]
    p.shutdown(ch)
    assert p.wait(GRACEFUL_EXIT_SECONDS) == 0


def test_parallel_plan_calls_provider_concurrently(tf):
    """40 resource blocks planned with -parallelism=32: the CLI validates
    them concurrently over one connection; every call completes."""
    blocks = "\n".join(hcl.ANCHOR.replace('"anchor" {', f'"anchor{i}" {{', 1)
                       for i in range(40))
    tf.write(hcl.config(body=blocks))
    tf.init().ok()
    res = tf.plan("-parallelism=32", detailed_exitcode=True, env={"TF_LOG": "trace"},
                  timeout=120).expect_rc(0)
    calls = res.stderr.count("GRPCProvider.v6: ValidateResourceConfig")
    assert calls >= 40, f"the CLI logged {calls} ValidateResourceConfig calls, expected >= 40"
    assert "plugin failed to exit gracefully" not in res.stderr


# ---- debug mode ---------------------------------------------------------------------------------


def test_debug_mode_reattach(tf_factory, cli, provider_binary, work_dir, moto):
    proc, reattach = start_debug(provider_binary, work_dir / "debug.stderr", moto.cli_env())
    try:
        info = json.loads(reattach)
        assert list(info) == [paths.PROVIDER_SOURCE], info
        entry = info[paths.PROVIDER_SOURCE]
        assert entry["Protocol"] == "grpc" and entry["ProtocolVersion"] == 6, entry
        assert entry["Pid"] == proc.pid and entry["Test"] is True, entry
        assert entry["Addr"]["Network"] == "unix" and Path(entry["Addr"]["String"]).exists()

        t = tf_factory(mode="reattach", cli=cli, env={"TF_REATTACH_PROVIDERS": reattach})
        t.write(hcl.config(anchor=True))
        t.init().ok()
        res = t.plan(detailed_exitcode=True).expect_rc(0)
        assert "No changes" in res.stdout
        # A second client run against the same process works too.
        t.plan(detailed_exitcode=True).expect_rc(0)
        assert proc.poll() is None, "a reattached provider must outlive the CLI run"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("debug-mode provider ignored SIGINT for 5s")
    assert rc == 0, f"debug-mode provider exited {rc} on SIGINT"


# ---- emulator -------------------------------------------------------------------------------------


def test_emulator_patches_applied_and_documented(moto):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "tb_emulator_patches", paths.ACCEPTANCE / "emulator" / "patches.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    names = [fn.__name__ for fn in mod.PATCHES]
    assert moto.health()["patches"] == names, "the emulator did not apply every patch"
    assert mod.missing_documentation() == [], \
        "each patch needs a docstring with the real AWS behaviour and its documentation URL"
