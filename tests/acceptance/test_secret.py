"""talentbase_secret against the emulator: the real CLIs create, read,
update, import and destroy secrets, and boto3 (never the provider's own
client) says what Secrets Manager holds. Covers points 1-8 of "What an
acceptance test of a resource covers" (shared/design/TESTING.md) and, for
every step that handles a value (generated, template-merged, write-only;
create, update, import), that the value is in AWS and nowhere else: not in
the state, `show -json` of state and plans, outputs, nor the CLI's output
with TF_LOG=trace. The rules (point 9) are in test_secret_rules.py.

    .venv/bin/python -m pytest tests/acceptance/test_secret.py
"""

from __future__ import annotations

import datetime
import json
import re

import pytest

from tbtest import secret as sec
from tbtest import service as svc
from tbtest.hcl import Block, Raw

SESSION = "talentbase-dev/web/session-secret"
DB = "talentbase-dev/api/database"
TRACE = {"TF_LOG": "trace"}
TEMPLATE = {"username": "fckadmin", "host": "db.internal.example", "port": "5432",
            "dbname": "fckdoomscroll"}


def session(**changes) -> str:
    items = {"name": SESSION, "description": "Session secret for the web application",
             "generate": Block(json_key="SESSION_SECRET", length=64, exclude_punctuation=True),
             "tags": {"Service": "web"}}
    items.update(changes)
    return sec.resource("session", **{k: v for k, v in items.items() if v is not None})


def database(**changes) -> str:
    items = {"name": DB, "generate": Block(json_key="password", length=32), "template": TEMPLATE}
    items.update(changes)
    return sec.resource("db", **{k: v for k, v in items.items() if v is not None})


def generated(aws, name: str, key: str) -> str:
    return json.loads(sec.value_of(aws, name))[key]


def no_value_reads(moto) -> None:
    got = sec.calls(moto, "GetSecretValue")
    assert not got, f"the provider read a secret's value ({got} GetSecretValue calls)"


# ---- 1, 2: create, no perpetual diff, nothing leaks ---------------------------------------


def test_create_generated_secrets(tf, aws, moto):
    """generate makes the value in the provider: plan and apply create both
    secrets as configured, the values are in AWS (64 letters and digits;
    32 characters beside the template keys) and nowhere in state, plans or
    trace logs, env_refs and read_policy_json are exact, and a second plan
    is empty. No GetSecretValue at all."""
    tf.write(sec.config(session(), database()))
    tf.init().ok()
    runs = [tf.plan(out="create.tfplan", env=TRACE).ok(),
            tf.apply(plan_file="create.tfplan", env=TRACE).ok()]

    d = sec.describe(aws, SESSION)
    v = sec.values(tf, "talentbase_secret.session")
    value = generated(aws, SESSION, "SESSION_SECRET")
    assert len(value) == 64 and value.isalnum(), "64 letters and digits (no punctuation)"
    assert v["arn"] == d["ARN"] and v["id"] == d["ARN"]
    assert d.get("Description") == "Session secret for the web application"
    assert sec.tags(d) == {**sec.DEFAULT_TAGS, "Service": "web"}
    assert v["tags_all"] == {**sec.DEFAULT_TAGS, "Service": "web"}
    assert v["version_id"] == sec.current_version(d)
    assert v["env_refs"] == {"SESSION_SECRET": f"{d['ARN']}:SESSION_SECRET::"}
    policy = json.loads(v["read_policy_json"])
    assert policy["Statement"] == [{"Sid": "ReadSecret", "Effect": "Allow",
                                    "Action": "secretsmanager:GetSecretValue",
                                    "Resource": d["ARN"]}]
    assert v["value_wo"] is None and "generate" in v

    db = json.loads(sec.value_of(aws, DB))
    arn = sec.describe(aws, DB)["ARN"]
    assert set(db) == {"password", *TEMPLATE} and len(db["password"]) == 32
    assert {k: db[k] for k in TEMPLATE} == TEMPLATE
    assert sec.values(tf, "talentbase_secret.db")["env_refs"] == {
        k: f"{arn}:{k}::" for k in ("dbname", "host", "password", "port", "username")}

    runs.append(tf.plan(detailed_exitcode=True, env=TRACE).expect_rc(0))
    assert "ReadResource" in runs[-1].stderr, "the trace log should show the provider calls"
    sec.assert_nowhere(tf, [value, db["password"]], runs, ["create.tfplan"])
    no_value_reads(moto)


# ---- 3: in-place updates, and when a new value is made ---------------------------------------


def test_update_in_place_keeps_the_value(tf, aws, moto):
    """description, tags, a resource policy and rotation change in place:
    the plan names exactly those attributes, the apply calls UpdateSecret,
    TagResource, PutResourcePolicy and RotateSecret, and the stored value
    and its version stay. Removing them again cancels rotation and deletes
    the policy."""
    fn = sec.rotation_function(aws)
    tf.write(sec.config(session()))
    tf.init().ok()
    tf.apply().ok()
    before = sec.values(tf, "talentbase_secret.session")
    value = generated(aws, SESSION, "SESSION_SECRET")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{sec.ACCOUNT}:role/web-task"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})

    tf.write(sec.config(session(description="Signs the web sessions",
                                tags={"Service": "web", "Team": "platform"}, policy=policy,
                                rotation=Block(lambda_arn=fn, schedule="rate(30 days)"))))
    ch = svc.planned_changes(tf)["talentbase_secret.session"]
    assert ch.actions == ["update"] and not ch.replace_paths, ch.actions
    assert set(ch.changed()) == {
        "description", "tags.Team", "tags_all.Team", "policy", "rotation.lambda_arn",
        "rotation.schedule", "rotation.rotate_immediately"}, ch.changed()
    moto.clear_calls()
    tf.apply().ok()
    done = {c["action"] for c in moto.calls("secretsmanager", provider_only=True)}
    assert {"UpdateSecret", "TagResource", "PutResourcePolicy", "RotateSecret"} <= done, done
    assert "PutSecretValue" not in done

    d = sec.describe(aws, SESSION)
    assert d["Description"] == "Signs the web sessions"
    assert sec.tags(d)["Team"] == "platform"
    assert d["RotationEnabled"] is True and d["RotationLambdaARN"] == fn
    assert d["RotationRules"].get("ScheduleExpression") == "rate(30 days)"
    got = aws("secretsmanager").get_resource_policy(SecretId=SESSION)["ResourcePolicy"]
    assert json.loads(got) == json.loads(policy)
    assert generated(aws, SESSION, "SESSION_SECRET") == value, "the value must not change"
    assert sec.values(tf, "talentbase_secret.session")["version_id"] == before["version_id"]
    tf.plan(detailed_exitcode=True).expect_rc(0)

    tf.write(sec.config(session()))
    tf.apply().ok()
    d = sec.describe(aws, SESSION)
    assert not d.get("RotationEnabled")
    assert "ResourcePolicy" not in aws("secretsmanager").get_resource_policy(SecretId=SESSION)
    assert generated(aws, SESSION, "SESSION_SECRET") == value
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_generate_version_bump_makes_a_new_value(tf, aws, moto):
    """Other generate settings keep the stored value (the plan warns);
    generate.version makes a new one (version_id known after apply), with
    the new settings, sent with PutSecretValue; neither value leaks. A new
    template shape without a new version is refused."""
    tf.write(sec.config(session()))
    tf.init().ok()
    runs = [tf.apply(env=TRACE).ok()]
    old = generated(aws, SESSION, "SESSION_SECRET")
    version = sec.values(tf, "talentbase_secret.session")["version_id"]

    tf.write(sec.config(session(generate=Block(json_key="SESSION_SECRET", length=48,
                                               exclude_punctuation=True))))
    res = tf.plan(json=True).ok()
    res.assert_diagnostic(severity="warning", summary="The stored value stays",
                          attribute="generate.length")
    runs.append(tf.apply(env=TRACE).ok())
    assert generated(aws, SESSION, "SESSION_SECRET") == old
    assert sec.values(tf, "talentbase_secret.session")["version_id"] == version

    tf.write(sec.config(session(generate=Block(json_key="SESSION_SECRET", length=48,
                                               exclude_punctuation=True, version=2))))
    ch = svc.planned_changes(tf)["talentbase_secret.session"]
    assert "version_id" in ch.unknown and ch.actions == ["update"], ch.changed()
    moto.clear_calls()
    runs.append(tf.apply(env=TRACE).ok())
    new = generated(aws, SESSION, "SESSION_SECRET")
    assert new != old and len(new) == 48 and new.isalnum()
    assert sec.calls(moto, "PutSecretValue") == 1
    assert sec.values(tf, "talentbase_secret.session")["version_id"] == \
        sec.current_version(sec.describe(aws, SESSION)) != version
    sec.assert_nowhere(tf, [old, new], runs)

    tf.write(sec.config(session(generate=Block(json_key="SESSION_KEY", length=48,
                                               exclude_punctuation=True, version=2))))
    tf.plan(json=True).failed().assert_diagnostic(
        summary="The stored JSON changes only with a new value", attribute="generate.json_key")
    no_value_reads(moto)


def test_template_change_needs_a_new_value(tf, aws):
    """The provider never reads the stored JSON back, so new template keys
    can only be written with a new generated value: refused on the template
    without a version bump, stored together with one."""
    tf.write(sec.config(database()))
    tf.init().ok()
    tf.apply().ok()
    old = json.loads(sec.value_of(aws, DB))
    tf.write(sec.config(database(template={**TEMPLATE, "sslmode": "require"})))
    tf.plan(json=True).failed().assert_diagnostic(
        summary="The stored JSON changes only with a new value", attribute="template")
    tf.write(sec.config(database(template={**TEMPLATE, "sslmode": "require"},
                                 generate=Block(json_key="password", length=32, version=2))))
    tf.apply().ok()
    new = json.loads(sec.value_of(aws, DB))
    assert new["sslmode"] == "require" and new["password"] != old["password"]
    tf.plan(detailed_exitcode=True).expect_rc(0)


# ---- write-only values -----------------------------------------------------------------------

STRIPE_KEY = "sk_live_TbWriteOnly0000000000000001"
STRIPE_HOOK = "whsec_TbWriteOnly000000000000000002"
STRIPE_KEY_2 = "sk_live_TbWriteOnly0000000000000003"


def stripe(version: int = 1, keys=("stripe_secret_key", "stripe_webhook_secret")) -> str:
    return sec.config(sec.resource(
        "stripe", name="talentbase-dev/payments/stripe",
        value_wo=Raw("jsonencode({ stripe_secret_key = var.stripe_key, "
                     "stripe_webhook_secret = var.stripe_webhook })"),
        value_wo_version=version, json_keys=list(keys)),
        extra=sec.variable("stripe_key", ephemeral=True)
        + sec.variable("stripe_webhook", ephemeral=True))


def test_write_only_value(tf, aws, moto):
    """value_wo goes to AWS at create and again only when value_wo_version
    changes; it is never in state, plans or trace logs; json_keys give
    env_refs; a key the value lacks is refused without showing the value."""
    tf.write(stripe())
    tf.init().ok()
    first = {"stripe_key": STRIPE_KEY, "stripe_webhook": STRIPE_HOOK}
    runs = [tf.plan(out="wo.tfplan", vars=first, env=TRACE).ok(),
            tf.apply(plan_file="wo.tfplan", vars=first, env=TRACE).ok()]
    stored = json.loads(sec.value_of(aws, "talentbase-dev/payments/stripe"))
    assert stored == {"stripe_secret_key": STRIPE_KEY, "stripe_webhook_secret": STRIPE_HOOK}
    v = sec.values(tf, "talentbase_secret.stripe")
    assert v["value_wo"] is None
    assert set(v["env_refs"]) == {"stripe_secret_key", "stripe_webhook_secret"}
    assert v["env_refs"]["stripe_secret_key"] == f"{v['arn']}:stripe_secret_key::"

    second = {"stripe_key": STRIPE_KEY_2, "stripe_webhook": STRIPE_HOOK}
    runs.append(tf.plan(detailed_exitcode=True, vars=second, env=TRACE).expect_rc(0))
    tf.write(stripe(version=2))
    moto.clear_calls()
    runs.append(tf.apply(vars=second, env=TRACE).ok())
    assert json.loads(sec.value_of(aws, "talentbase-dev/payments/stripe"))[
        "stripe_secret_key"] == STRIPE_KEY_2
    assert sec.calls(moto, "PutSecretValue") == 1
    runs.append(tf.plan(detailed_exitcode=True, vars=second, env=TRACE).expect_rc(0))
    sec.assert_nowhere(tf, [STRIPE_KEY, STRIPE_HOOK, STRIPE_KEY_2], runs, ["wo.tfplan"])

    tf.write(stripe(version=2, keys=("stripe_secret_key", "stripe_publishable_key")))
    res = tf.plan(json=True, vars=second).failed()
    res.assert_diagnostic(summary="json_keys names a missing key", attribute="json_keys")
    assert STRIPE_KEY_2 not in res.output
    no_value_reads(moto)


# ---- 4: drift -------------------------------------------------------------------------------


def test_drift_shows_on_the_attribute(tf, aws):
    """Changes made outside Terraform (description, a tag, the resource
    policy, rotation cancelled) show as exactly those attributes; the apply
    puts them back."""
    fn = sec.rotation_function(aws)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{sec.ACCOUNT}:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    tf.write(sec.config(session(policy=policy,
                                rotation=Block(lambda_arn=fn, automatically_after_days=30))))
    tf.init().ok()
    tf.apply().ok()
    tf.plan(detailed_exitcode=True).expect_rc(0)

    sm = aws("secretsmanager")
    sm.update_secret(SecretId=SESSION, Description="changed by hand")
    sm.tag_resource(SecretId=SESSION, Tags=[{"Key": "Service", "Value": "api"}])
    sm.put_resource_policy(SecretId=SESSION, ResourcePolicy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{sec.ACCOUNT}:role/other"},
            "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))
    sm.cancel_rotate_secret(SecretId=SESSION)

    ch = svc.planned_changes(tf)["talentbase_secret.session"]
    assert ch.actions == ["update"]
    changed = ch.changed()
    assert {"description", "tags.Service", "tags_all.Service", "policy"} <= set(changed), changed
    assert any(k.startswith("rotation") for k in changed), changed
    assert changed["description"] == ("changed by hand",
                                      "Session secret for the web application")
    tf.apply().ok()
    d = sec.describe(aws, SESSION)
    assert d["Description"] == "Session secret for the web application"
    assert sec.tags(d)["Service"] == "web" and d["RotationEnabled"] is True
    assert json.loads(sm.get_resource_policy(SecretId=SESSION)["ResourcePolicy"]) == \
        json.loads(policy)
    tf.plan(detailed_exitcode=True).expect_rc(0)


# ---- 5: import ------------------------------------------------------------------------------

IMPORTED_VALUE = "TbImportedValue-0000000000000000000000000001"


def _existing_secret(aws) -> str:
    return aws("secretsmanager").create_secret(
        Name="talentbase-dev/api/imported", Description="Made by hand",
        SecretString=json.dumps({"API_TOKEN": IMPORTED_VALUE}),
        Tags=[{"Key": "Project", "Value": "TalentBase"}, {"Key": "ManagedBy",
                                                           "Value": "Terraform"},
              {"Key": "Team", "Value": "api"}])["ARN"]


def test_import_by_name_and_by_arn(tf, tf_factory, aws, moto):
    """Import by name with a value_wo configuration: the next plan is empty.
    Import by ARN with a generate configuration: the one plan after it
    records the generate settings in state without a new value (warning),
    and the plan after that is empty. Neither reads or changes the value."""
    arn = _existing_secret(aws)
    common = {"name": "talentbase-dev/api/imported", "description": "Made by hand",
              "tags": {"Team": "api"}}
    tf.write(sec.config(sec.resource("api", value_wo=Raw("var.token"), **common),
                        extra=sec.variable("token", ephemeral=True)))
    tf.init().ok()
    runs = [tf.import_("talentbase_secret.api", "talentbase-dev/api/imported",
                       vars={"token": "unused-at-import-000000000"}, env=TRACE).ok()]
    assert sec.values(tf, "talentbase_secret.api")["arn"] == arn
    runs.append(tf.plan(detailed_exitcode=True, vars={"token": "unused-at-import-000000000"},
                        env=TRACE).expect_rc(0))
    sec.assert_nowhere(tf, [IMPORTED_VALUE], runs)

    other = tf_factory(name=f"{tf.cli}-by-arn")
    other.write(sec.config(sec.resource("api", generate=Block(json_key="API_TOKEN"),
                                        **common)))
    other.init().ok()
    other.import_("talentbase_secret.api", arn).ok()
    res = other.plan(json=True).ok()
    d = res.assert_diagnostic(severity="warning", summary="The stored value stays")
    assert "generate" in d.snippet["code"], d.describe(res.cwd)  # the block (version unset)
    other.apply().ok()
    other.plan(detailed_exitcode=True).expect_rc(0)
    assert sec.calls(moto, "PutSecretValue") == 0
    no_value_reads(moto)
    assert json.loads(sec.value_of(aws, arn))["API_TOKEN"] == IMPORTED_VALUE


# ---- 6: deleted outside Terraform; a name scheduled for deletion ---------------------------------


def test_deleted_out_of_band_is_created_again(tf, aws):
    tf.write(sec.config(session()))
    tf.init().ok()
    tf.apply().ok()
    aws("secretsmanager").delete_secret(SecretId=SESSION, ForceDeleteWithoutRecovery=True)
    ch = svc.planned_changes(tf)["talentbase_secret.session"]
    assert ch.actions == ["create"], ch.actions
    tf.apply().ok()
    assert sec.describe(aws, SESSION) is not None
    tf.plan(detailed_exitcode=True).expect_rc(0)


PRODUCTION_ACK = {"TB104": "rotation is set up by the database team's function"}


def test_name_scheduled_for_deletion(tf, aws, moto):
    """A secret deleted with a recovery window keeps its name: the apply
    that creates it again fails with the deletion date and the two ways
    out; with restore_if_deleted = true one apply restores it, updates it
    to the configuration (description, tags) and stores a new value."""
    tf.write(sec.config(session(acknowledge=PRODUCTION_ACK), environment="production"))
    tf.init().ok()
    tf.apply().ok()
    old = generated(aws, SESSION, "SESSION_SECRET")
    sm = aws("secretsmanager")
    sm.update_secret(SecretId=SESSION, Description="changed while deleted")
    sm.delete_secret(SecretId=SESSION, RecoveryWindowInDays=7)
    deleted = sec.describe(aws, SESSION)["DeletedDate"].astimezone(datetime.timezone.utc)

    assert svc.planned_changes(tf)["talentbase_secret.session"].actions == ["create"]
    res = tf.apply(json=True).failed()
    d = res.assert_diagnostic(summary=re.compile("CreateSecret: InvalidRequestException"),
                              attribute="name")
    assert deleted.strftime("%Y-%m-%d") in d.detail, d.detail
    assert "restore_if_deleted = true" in d.detail and "--force-delete-without-recovery" in d.detail
    assert "request id" in d.summary
    assert sec.describe(aws, SESSION).get("DeletedDate") is not None

    tf.write(sec.config(session(acknowledge=PRODUCTION_ACK, restore_if_deleted=True),
                        environment="production"))
    moto.clear_calls()
    runs = [tf.apply(env=TRACE).ok()]
    done = [c["action"] for c in moto.calls("secretsmanager", provider_only=True)]
    assert "RestoreSecret" in done and "PutSecretValue" in done, done
    d = sec.describe(aws, SESSION)
    assert d.get("DeletedDate") is None
    assert d["Description"] == "Session secret for the web application"
    new = generated(aws, SESSION, "SESSION_SECRET")
    assert new != old and len(new) == 64
    assert sec.values(tf, "talentbase_secret.session")["version_id"] == sec.current_version(d)
    runs.append(tf.plan(detailed_exitcode=True, env=TRACE).expect_rc(0))
    sec.assert_nowhere(tf, [old, new], runs)


# ---- 7: a failure half-way leaves nothing behind ---------------------------------------------------


@pytest.mark.parametrize("action", ["PutResourcePolicy", "RotateSecret"])
def test_failure_after_create_secret_leaves_no_orphan(tf, aws, moto, action):
    """A step after CreateSecret fails (with an error that is not retried):
    the diagnostic names the step, the operation, the code and the request
    ID; the new secret is deleted again
    (nothing outside the state), and the next apply converges."""
    fn = sec.rotation_function(aws)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{sec.ACCOUNT}:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    tf.write(sec.config(session(policy=policy,
                                rotation=Block(lambda_arn=fn, schedule="rate(30 days)"))))
    tf.init().ok()
    code = {"PutResourcePolicy": "MalformedPolicyDocumentException",
            "RotateSecret": "InvalidParameterException"}[action]
    moto.inject_fault(action, code=code, status=400, times=0, message="injected failure")
    res = tf.apply(json=True).failed()
    step = {"PutResourcePolicy": "putting resource policy",
            "RotateSecret": "configuring rotation"}[action]
    res.assert_diagnostic(summary=re.compile(
        rf"{step} for talentbase_secret \"{re.escape(SESSION)}\": secretsmanager {action}: "
        rf"{code}: injected failure \(request id [-0-9a-f]+\)"))
    res.assert_diagnostic(severity="warning", summary="The new secret was deleted again")
    assert sec.all_secrets(aws) == [], "an orphaned secret is left in AWS"
    assert "talentbase_secret.session" not in sec.addresses(tf)

    moto.clear_faults()
    tf.apply().ok()
    assert [s["Name"] for s in sec.all_secrets(aws)] == [SESSION]
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_failure_whose_clean_up_fails_is_in_the_state(tf, aws, moto):
    """When deleting the new secret fails too, the partial state records it
    (tainted): the next apply replaces it, and no secret is left that the
    state does not know."""
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{sec.ACCOUNT}:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    tf.write(sec.config(session(policy=policy)))
    tf.init().ok()
    moto.inject_fault("PutResourcePolicy", code="MalformedPolicyDocumentException", times=0)
    moto.inject_fault("DeleteSecret", code="InvalidParameterException", times=0)
    res = tf.apply(json=True).failed()
    res.assert_diagnostic(severity="warning", summary="The new secret was kept")
    arn = sec.values(tf, "talentbase_secret.session")["arn"]
    assert [s["ARN"] for s in sec.all_secrets(aws)] == [arn]

    moto.clear_faults()
    tf.apply().ok()
    now = sec.values(tf, "talentbase_secret.session")["arn"]
    assert [s["ARN"] for s in sec.all_secrets(aws)] == [now]
    tf.plan(detailed_exitcode=True).expect_rc(0)


# ---- 8: destroy, by environment ------------------------------------------------------------------


@pytest.mark.parametrize("environment,window", [("development", 0), ("staging", 7),
                                                ("production", 30)])
def test_destroy_honours_the_recovery_window(tf, aws, environment, window):
    """development deletes at once (ForceDeleteWithoutRecovery), staging and
    production schedule the deletion 7 and 30 days out."""
    tf.write(sec.config(session(acknowledge=PRODUCTION_ACK), environment=environment))
    tf.init().ok()
    tf.apply().ok()
    tf.destroy().ok()
    d = sec.describe(aws, SESSION)
    if window == 0:
        assert d is None, "development deletes the secret without recovery"
        return
    assert d is not None and d.get("DeletedDate") is not None
    due = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=window)
    assert abs((d["DeletedDate"] - due).total_seconds()) < 3600, d["DeletedDate"]


def test_destroy_and_apply_loop_in_development(tf, aws):
    tf.write(sec.config(session()))
    tf.init().ok()
    for _ in range(2):
        tf.apply().ok()
        assert sec.describe(aws, SESSION) is not None
        tf.destroy().ok()
        assert sec.describe(aws, SESSION) is None


# ---- talentbase_service reads the references -------------------------------------------------


def test_service_reads_secret_and_parameter_refs(tf, aws, moto):
    """talentbase_service.secrets takes env_refs (the whole map, or one key)
    and a parameter's env_ref as they are: TB019 passes and the task
    definition carries exactly those valueFrom strings."""
    plat = svc.make_platform(aws)
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=svc.TASKS)
    secrets = Raw('merge(talentbase_secret.session.env_refs, {'
                  ' DB_PASSWORD = talentbase_secret.db.env_refs["password"],'
                  ' API_URL = talentbase_parameter.api_url.env_ref })')
    param = sec.resource("api_url", "talentbase_parameter", name="/talentbase-dev/web/api-url",
                         value="https://api.talentbase.example")
    tf.write(svc.config(plat, {"secrets": secrets}, extra=session() + database() + param))
    tf.init().ok()
    res = tf.apply(json=True).ok()
    assert not [d for d in res.diagnostics if "TB019" in d.summary]
    td_arn = sec.values(tf, svc.ADDRESS)["task_definition_arn"]
    c = aws("ecs").describe_task_definition(taskDefinition=td_arn)["taskDefinition"][
        "containerDefinitions"][0]
    s_arn = sec.describe(aws, SESSION)["ARN"]
    d_arn = sec.describe(aws, DB)["ARN"]
    p_arn = aws("ssm").get_parameter(Name="/talentbase-dev/web/api-url")["Parameter"]["ARN"]
    assert sorted((x["name"], x["valueFrom"]) for x in c["secrets"]) == sorted([
        ("SESSION_SECRET", f"{s_arn}:SESSION_SECRET::"), ("DB_PASSWORD", f"{d_arn}:password::"),
        ("API_URL", p_arn)])
    tf.plan(detailed_exitcode=True).expect_rc(0)
