"""talentbase_service's best-practice rules through the real CLIs (point 9
of shared/design/TESTING.md): for representative rules a configuration that
trips it (rule ID in the summary, the diagnostic on the right attribute),
one that passes and an acknowledged one; a rule on a value unknown at plan
time; and no secret in any output, trace logs included.

The configurations reference platform objects that need not exist, so the
provider plans offline (preflight = false): a plan of a new service reads
nothing from AWS but the caller identity. The rules that read AWS
(TB021-TB027) are in test_preflight.py.
"""

from __future__ import annotations

import re
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tbtest import service as svc
from tbtest.hcl import Block, Raw
from tbtest.plugin import start_debug
from tbtest.service import ADDRESS, FAKE_PLATFORM

OFFLINE = {**svc.PROVIDER, "preflight": False}
PRODUCTION = {**OFFLINE, "environment": "production"}


def offline(changes=None, **kw):
    """svc.config over FAKE_PLATFORM with the provider offline (OFFLINE
    unless a provider is given)."""
    kw.setdefault("provider", OFFLINE)
    return svc.config(FAKE_PLATFORM, changes, **kw)


@dataclass
class Case:
    rule: str
    trip: dict[str, Any]
    attribute: str | None     # Diagnostic.attribute() of the finding
    code: str | None          # text on the snippet's line
    passing: dict[str, Any]
    provider: dict[str, Any] = field(default_factory=lambda: OFFLINE)
    detail: str | None = None  # a piece of the finding's detail
    # Instead of attribute and code: the set block the finding's range lies
    # in. A diagnostic cannot address an element of a set block, so the
    # provider points at the block and names the element in the detail; the
    # CLI then places the range on some line inside it.
    block: str | None = None


def _schedule(**kw) -> list:
    base = dict(name="business-hours", schedule="cron(0 8 ? * MON-FRI *)",
                timezone="America/Sao_Paulo", min_capacity=2, max_capacity=10)
    return [Block(**{**base, **kw})]


CASES = [
    Case("TB001", {"image_tag": "latest"}, "image_tag", 'image_tag = "latest"',
         {"image_tag": "v1.2.3"}),
    Case("TB003", {"memory": 3000}, "memory", "memory = 3000", {"memory": 3072},
         detail="8192"),
    Case("TB007", {"deployment.rollback": False}, "deployment.rollback", "rollback = false",
         {"deployment.rollback": True}),
    Case("TB012", {"logs.retention_days": 14}, "logs.retention_days", "retention_days = 14",
         {"logs.retention_days": 30}, provider=PRODUCTION),
    Case("TB016", {"autoscaling.schedule": _schedule(schedule="cron(0 8 * * MON-FRI *)")},
         None, None, {"autoscaling.schedule": _schedule()},
         detail='schedule "business-hours": schedule = "cron(0 8 * * MON-FRI *)"',
         block="autoscaling.schedule"),
    Case("TB016", {"autoscaling.schedule": _schedule(timezone="America/Sao_Paolo")},
         None, None, {"autoscaling.schedule": _schedule(timezone="America/Sao_Paulo")},
         detail='schedule "business-hours": timezone "America/Sao_Paolo"',
         block="autoscaling.schedule"),
    Case("TB017", {"network.assign_public_ip": True}, "network.assign_public_ip",
         "assign_public_ip = true", {"network.assign_public_ip": False}),
]
CASE_IDS = ["TB001-latest", "TB003-memory", "TB007-rollback", "TB012-production-retention",
            "TB016-cron", "TB016-timezone", "TB017-public-ip"]

REASON = "agreed with the platform team in ticket PLAT-1234"


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _block_spans(text: str, path: str) -> list[tuple[int, int]]:
    """(first line, last line), 1-based, of every block at the dotted path
    inside the top-level block, e.g. "autoscaling.schedule"."""
    want = path.split(".")
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for no, raw in enumerate(text.splitlines(), 1):
        plain = re.split(r"#|//", _STRING.sub('""', raw), maxsplit=1)[0]
        for m in re.finditer(r"[{}]", plain):
            if m.group() == "{":
                head = re.split(r"[{,(]", plain[:m.start()])[-1].strip()
                name = re.match(r"[A-Za-z_][\w-]*", head)
                stack.append((name.group() if name else "", no))
            elif stack:
                name, start = stack.pop()
                if [n for n, _ in stack[1:]] + [name] == want:
                    spans.append((start, no))
    return spans


def _assert_location(d, res, case: Case) -> None:
    """The finding points where the case says: strictly at the attribute, or
    (set blocks) somewhere inside a block of that set; the detail names the
    element (case.detail)."""
    if case.block is None:
        assert d.attribute(res.cwd) == case.attribute, (d.attribute(res.cwd),
                                                        d.describe(res.cwd))
        assert d.snippet and case.code in d.snippet.get("code", ""), d.snippet
        return
    assert d.range, d.describe(res.cwd)
    text = (Path(res.cwd) / d.filename).read_text()
    first, last = d.range["start"]["line"], d.range["end"]["line"]
    spans = _block_spans(text, case.block)
    assert any(s <= first and last <= e for s, e in spans), (
        f"the range (lines {first}-{last}) is not inside a {case.block} block {spans}",
        d.describe(res.cwd))


def _rule_diags(res, rule: str, severity: str | None = None):
    return [d for d in res.diagnostics if d.summary.startswith(f"{rule}:")
            and (severity is None or d.severity == severity)]


def _describe(res) -> str:
    return "\n  ".join(d.describe(res.cwd) for d in res.diagnostics) or "(no diagnostics)"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rule_trips_passes_and_is_acknowledged(tf, case: Case):
    plat = FAKE_PLATFORM
    tf.write(svc.config(plat, case.trip, provider=case.provider))
    tf.init().ok()

    # trips: an error whose summary starts with the ID, on the attribute
    res = tf.plan(json=True)
    res.expect_rc(1)
    found = _rule_diags(res, case.rule, "error")
    assert found, f"no {case.rule} error; the CLI reported:\n  {_describe(res)}"
    d = found[0]
    assert d.address == ADDRESS, d.address
    _assert_location(d, res, case)
    assert case.rule in d.detail and "docs/guides/rules.md" in d.detail, d.detail
    if case.detail:
        assert case.detail in d.detail, d.detail

    # passes
    tf.write(svc.config(plat, case.passing, provider=case.provider))
    res = tf.plan(json=True)
    assert not _rule_diags(res, case.rule), _describe(res)
    res.assert_no_errors()

    # acknowledged: the error becomes a warning that quotes the reason
    tf.write(svc.config(plat, {**case.trip, "acknowledge": {case.rule: REASON}},
                        provider=case.provider))
    res = tf.plan(json=True)
    res.assert_no_errors()
    warned = _rule_diags(res, case.rule, "warning")
    assert warned, f"no {case.rule} warning; the CLI reported:\n  {_describe(res)}"
    assert f"Acknowledged: {REASON}" in warned[0].detail, warned[0].detail
    _assert_location(warned[0], res, case)


def test_acknowledgement_needs_a_reason_and_a_known_rule(tf):
    tf.write(offline({"acknowledge": {"TB001": "", "TB999": "why not"}}))
    tf.init().ok()
    res = tf.plan(json=True)
    res.expect_rc(1)
    errors = [d for d in res.diagnostics if d.severity == "error"]
    attrs = sorted(d.attribute(res.cwd) or "" for d in errors)
    assert len(errors) >= 2 and all(a.startswith("acknowledge") for a in attrs), _describe(res)


def test_baseline_config_has_no_findings(tf):
    """The realistic config every lifecycle test applies is clean: no
    error, no warning (a warning here would show on every plan)."""
    tf.write(offline())
    tf.init().ok()
    res = tf.plan(json=True).ok()
    noise = [d for d in res.diagnostics if d.summary.startswith("TB")]
    assert not noise, "findings on the baseline config:\n  " + "\n  ".join(
        d.describe(res.cwd) for d in noise)


# ---- TB002: secrets must not be plain environment variables -----------------------

DB_PASSWORD = "correct-horse-battery-staple-7f3a9c"
PAYMENT_KEY = "sk_live_51TbAcceptanceXyZ0123456789abcdef"
SENSITIVE_VARS = f"""
variable "db_password" {{
  type      = string
  sensitive = true
  default   = "{DB_PASSWORD}"
}}

variable "payment_key" {{
  type      = string
  sensitive = true
  default   = "{PAYMENT_KEY}"
}}
"""


def _assert_secret_free(res) -> None:
    for secret in (DB_PASSWORD, PAYMENT_KEY):
        assert secret not in res.stdout and secret not in res.stderr, \
            f"a secret value leaked into the output of {' '.join(res.argv)}"


def test_tb002_secret_in_environment(tf):
    """A secret-looking name is refused at plan (validate warns: TB002 is a
    practice rule); a credential-looking value from a variable (unknown at
    validate) at plan. Neither value ever shows in the output."""
    by_name = {"NODE_ENV": "production", "DB_PASSWORD": Raw("var.db_password")}
    by_value = {"NODE_ENV": "production", "PAYMENT_CONFIG": Raw("var.payment_key")}
    tf.write(offline({"environment": by_name}, extra=SENSITIVE_VARS))
    tf.init().ok()
    for res in (tf.validate(), tf.plan(json=True), tf.plan()):
        res.expect_rc(0 if res.argv[1] == "validate" else 1)
        _assert_secret_free(res)
        if res.argv[1] != "plan" or "-json" in res.argv:
            found = _rule_diags(res, "TB002", "warning" if res.argv[1] == "validate" else "error")
            assert [d.attribute(res.cwd) for d in found] == ["environment.DB_PASSWORD"], \
                _describe(res)
            assert "DB_PASSWORD" in found[0].snippet["code"], found[0].snippet

    tf.write(offline({"environment": by_value}, extra=SENSITIVE_VARS))
    res = tf.validate()
    assert not _rule_diags(res, "TB002"), "a variable is unknown at validate\n" + _describe(res)
    for res in (tf.plan(json=True), tf.plan()):
        res.expect_rc(1)
        _assert_secret_free(res)
    res = tf.plan(json=True)
    found = _rule_diags(res, "TB002", "error")
    assert [d.attribute(res.cwd) for d in found] == ["environment.PAYMENT_CONFIG"], \
        _describe(res)
    env = {**by_name, **by_value}

    # passes: the value moves to secrets (an ARN); the name-only pointer is fine
    tf.write(offline({
        "environment": {"NODE_ENV": "production", "DB_PASSWORD_ARN": "see secrets"},
        "secrets": {"SESSION_SECRET": f"{FAKE_PLATFORM.secret_arn}:SESSION_SECRET::",
                    "DB_PASSWORD": f"{FAKE_PLATFORM.secret_arn}:password::"},
    }, extra=SENSITIVE_VARS))
    res = tf.plan(json=True)
    assert not _rule_diags(res, "TB002"), _describe(res)
    res.assert_no_errors()

    # acknowledged: warnings, still without the values
    tf.write(offline({"environment": env,
                                        "acknowledge": {"TB002": REASON}},
                        extra=SENSITIVE_VARS))
    for res in (tf.plan(json=True), tf.plan()):
        res.expect_rc(0)
        _assert_secret_free(res)
    res = tf.plan(json=True)
    warned = _rule_diags(res, "TB002", "warning")
    assert len(warned) == 2 and all(f"Acknowledged: {REASON}" in d.detail for d in warned), \
        _describe(res)


# ---- a rule on a value unknown at plan time -------------------------------------------

TAG_SOURCE = """
resource "terraform_data" "tag" {
  input = var.tag_source
}

variable "tag_source" {
  type = string
}
"""


def test_rule_waits_for_an_unknown_image_tag(tf, aws):
    """image_tag from terraform_data.output is unknown until apply: validate
    and plan say nothing about TB001, and the rule fires once the value is
    known (the apply stops before any AWS object of the service exists)."""
    tf.write(offline({"image_tag": Raw("terraform_data.tag.output")},
                        extra=TAG_SOURCE))
    tf.init().ok()
    res = tf.validate()
    assert not _rule_diags(res, "TB001"), _describe(res)
    res.ok()

    res = tf.plan(json=True, vars={"tag_source": "latest"}).ok()
    assert not _rule_diags(res, "TB001"), _describe(res)
    changes = [m for m in res.messages("planned_change")
               if m["change"]["resource"]["addr"] == ADDRESS]
    assert changes and changes[0]["change"]["action"] == "create", res.describe()

    res = tf.apply(json=True, vars={"tag_source": "latest"})
    res.expect_rc(1)
    found = _rule_diags(res, "TB001", "error")
    assert found, f"TB001 did not fire once image_tag was known:\n  {_describe(res)}"
    assert found[0].attribute(res.cwd) == "image_tag", found[0].describe(res.cwd)
    assert aws("ecs").list_task_definitions()["taskDefinitionArns"] == []
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []

    res = tf.plan(json=True, vars={"tag_source": "sha-3f9c2e1"}).ok()
    assert not _rule_diags(res, "TB001"), _describe(res)


# ---- no secret in any output, trace logs included ---------------------------------------

ENV_SECRET_KEY = "TbEnvSecretAccessKey0000000000000000000001"
ENV_SESSION_TOKEN = "TbEnvSessionTokenZZZZ0000000000000000000000000000000002"
BLOCK_ACCESS_KEY = "AKIATBBLOCKACCESS003"
BLOCK_SECRET_KEY = "TbProviderBlockSecretKey000000000000000004"
BLOCK_TOKEN = "TbProviderBlockSessionToken0000000000000005"


def _assert_none_in(res, secrets: list[str]) -> None:
    for s in secrets:
        where = [name for name, text in (("stdout", res.stdout), ("stderr", res.stderr))
                 if s in text]
        assert not where, f"{s[:12]}... appears in the {where} of {' '.join(res.argv)}"


@pytest.mark.parametrize("credentials", ["environment", "provider-block"])
def test_trace_logs_carry_no_secret(tf, credentials):
    """TF_LOG=trace shows every log line of the CLI and the provider; none
    may carry a credential or the refused secret value of the config."""
    provider = dict(OFFLINE)
    env = {"TF_LOG": "trace", "AWS_SECRET_ACCESS_KEY": ENV_SECRET_KEY,
           "AWS_SESSION_TOKEN": ENV_SESSION_TOKEN}
    if credentials == "provider-block":
        provider.update(access_key=BLOCK_ACCESS_KEY, secret_key=BLOCK_SECRET_KEY,
                        token=BLOCK_TOKEN)
    env_settings = {"NODE_ENV": "production", "PAYMENT_CONFIG": Raw("var.payment_key")}
    tf.write(offline({"environment": env_settings}, provider=provider,
                        extra=SENSITIVE_VARS))
    tf.init().ok()
    res = tf.plan(env=env)
    res.expect_rc(1)
    assert "TB002" in res.output, res.describe()
    assert re.search(r"(?i)GetCallerIdentity", res.stderr), \
        "the trace log should show the provider's AWS calls\n" + res.describe()
    _assert_none_in(res, [ENV_SECRET_KEY, ENV_SESSION_TOKEN, BLOCK_SECRET_KEY, BLOCK_TOKEN,
                          PAYMENT_KEY, DB_PASSWORD])
    for header in ("Authorization: AWS4", "X-Amz-Security-Token:"):
        assert header.lower() not in res.output.lower(), f"{header} logged"


# ---- practice rules stop changes, never a destroy ------------------------------------------

# Production keeps logs 30 days (TB012); strict = true makes TB013, a warning in
# production by default, an error.
STRICT_PRODUCTION = {**svc.PROVIDER, "environment": "production", "strict": True}
SETTLED = {"logs.retention_days": 30}
SECOND = "talentbase_service.api"
# What a stack that was applied cleanly now says: three practice rules broken.
BREAKS = {
    "image_tag": "latest",
    "environment": {"NODE_ENV": "production", "STRIPE_SECRET_KEY": "placeholder"},
    "capacity.spot_weight": 80,
}
# rule -> (Diagnostic.attribute(), text on the snippet's line)
BROKEN_AT = {
    "TB001": ("image_tag", 'image_tag = "latest"'),
    "TB002": ("environment.STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY"),
    "TB013": ("capacity.spot_weight", "spot_weight = 80"),
}


def _stack(plat, changes=None) -> str:
    """Two services on the shared listener ("web" and "api"), in strict
    production, both with `changes`."""
    changes = {**SETTLED, **(changes or {})}
    api = svc.override(svc.settings(plat, "api-dev"), {
        **changes, "load_balancer.priority": 110,
        "load_balancer.host_headers": ["api.example.com"]})
    return svc.config(plat, changes, provider=STRICT_PRODUCTION,
                      extra=svc.resource(api, label="api"))


def _applied_stack(tf, aws, moto):
    plat = svc.make_platform(aws)
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=svc.TASKS)
    tf.write(_stack(plat))
    tf.init().ok()
    tf.apply().ok()
    assert svc.state_values(tf) and svc.state_values(tf, SECOND), "apply left no state"
    return plat


def _assert_nothing_left(aws, plat) -> None:
    inv = svc.inventory(aws, plat)
    assert not any(inv.values()), "left behind after destroy:\n" + svc.dump(
        {k: v for k, v in inv.items() if v})


def test_practice_breach_is_refused_at_plan_and_destroyed(tf, aws, moto):
    """After an apply the configuration breaks TB001, TB002 and TB013:
    validate warns, plan refuses it with each rule on its line, a
    refresh-only apply and a destroy go through, and nothing is left."""
    plat = _applied_stack(tf, aws, moto)
    tf.write(_stack(plat, BREAKS))

    res = tf.validate().ok()
    for rule in ("TB001", "TB002"):  # TB013 depends on the environment: plan only
        warned = _rule_diags(res, rule, "warning")
        assert warned, f"validate does not warn about {rule}:\n  {_describe(res)}"
        assert "plan and apply refuse it as an error" in warned[0].detail, warned[0].detail
    res.assert_no_errors()

    res = tf.plan(json=True)
    res.expect_rc(1)
    for rule, (attribute, code) in BROKEN_AT.items():
        found = _rule_diags(res, rule, "error")
        assert {d.address for d in found} == {ADDRESS, SECOND}, _describe(res)
        d = next(d for d in found if d.address == ADDRESS)
        assert d.attribute(res.cwd) == attribute, d.describe(res.cwd)
        assert code in d.snippet.get("code", ""), d.snippet
    assert "strict = true" in _rule_diags(res, "TB013", "error")[0].detail

    # a refresh-only run changes nothing: the rules do not stop it
    tf.apply("-refresh-only").ok()

    res = tf.destroy()
    res.ok()
    assert "TB0" not in res.output, res.describe()
    assert svc.state_values(tf) is None and svc.state_values(tf, SECOND) is None
    _assert_nothing_left(aws, plat)


TARGET = f"-target={ADDRESS}"


def _apply_destroy(tf, *args):
    return tf.apply("-destroy", *args)


def _plan_destroy_then_apply(tf, *args):
    tf.plan("-destroy", *args, out="destroy.tfplan").ok()
    return tf.apply(plan_file="destroy.tfplan")


DESTROYS = {
    "apply-destroy": (_apply_destroy, ()),
    "plan-destroy-then-apply": (_plan_destroy_then_apply, ()),
    "destroy-target": (lambda tf, *a: tf.destroy(*a), (TARGET,)),
    "apply-destroy-target": (_apply_destroy, (TARGET,)),
}


@pytest.mark.parametrize("how", list(DESTROYS))
def test_practice_breach_never_stops_a_destroy(tf, aws, moto, how):
    """Every way of destroying works on a configuration that breaks practice
    rules; a targeted one removes exactly its resource."""
    run, args = DESTROYS[how]
    plat = _applied_stack(tf, aws, moto)
    tf.write(_stack(plat, BREAKS))
    run(tf, *args).ok()
    if args:
        assert svc.state_values(tf) is None, "the targeted service is still in state"
        left = svc.state_values(tf, SECOND)
        assert left, "the other service left the state"
        assert svc.inventory(aws, plat) == svc.owned_by_state(aws, left), \
            "a targeted destroy must remove exactly the target's objects"
        run(tf).ok()
    assert svc.state_values(tf, SECOND) is None
    _assert_nothing_left(aws, plat)


def test_shape_error_stops_validate_and_destroy(tf, aws, moto):
    """A value AWS would reject (TB003) is an error at validate, and it stops
    a destroy too until it is corrected."""
    plat = _applied_stack(tf, aws, moto)
    tf.write(_stack(plat, {"memory": 3000}))
    for res in (tf.validate(), tf.destroy(json=True)):
        res.expect_rc(1)
        found = _rule_diags(res, "TB003", "error")
        assert found, f"no TB003 error from {res.argv[1]}:\n  {_describe(res)}"
        assert found[0].attribute(res.cwd) == "memory", found[0].describe(res.cwd)
    assert svc.state_values(tf), "a refused destroy removed the service from state"
    assert svc.inventory(aws, plat)["services"], "a refused destroy deleted the service"
    tf.write(_stack(plat, BREAKS))
    tf.destroy().ok()
    _assert_nothing_left(aws, plat)


def test_debug_mode_destroy_needs_refresh_false(tf_factory, cli, provider_binary, work_dir,
                                                aws, moto):
    """A provider started by hand (-debug) cannot tell which command the CLI
    runs: practice rules then run as in a plan, a plain destroy of a
    configuration that breaks one is refused, and `destroy -refresh=false`
    (no pre-destroy plan) removes everything, as docs/guides/rules.md says."""
    proc, reattach = start_debug(provider_binary, work_dir / "debug.stderr", moto.cli_env())
    try:
        t = tf_factory(mode="reattach", cli=cli, env={"TF_REATTACH_PROVIDERS": reattach})
        plat = _applied_stack(t, aws, moto)
        t.write(_stack(plat, {"image_tag": "latest"}))
        res = t.destroy(json=True)
        res.expect_rc(1)
        assert _rule_diags(res, "TB001", "error"), _describe(res)
        assert svc.inventory(aws, plat)["services"], "a refused destroy deleted the service"
        t.destroy("-refresh=false").ok()
        _assert_nothing_left(aws, plat)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
