"""talentbase_database_proxy's rules (TB301-TB305) through the real CLIs
(point 9 of shared/design/TESTING.md): for each rule a configuration that
trips it (rule ID in the summary, the diagnostic on the right attribute),
one that passes and an acknowledged one; and the shape checks the rules do
not cover. The configurations reference platform objects that need not
exist: a plan of a new proxy reads nothing from AWS but the caller identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tbtest import paths
from tbtest import proxy as px
from tbtest.hcl import Block
from tbtest.proxy import ADDRESS, FAKE_PLATFORM

REASON = "agreed with the platform team in ticket PLAT-2345"
SSM_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/talentbase/db-password"


@dataclass
class Case:
    rule: str
    severity: str            # of the finding when not acknowledged
    trip: dict[str, Any]
    attribute: str           # Diagnostic.attribute() of the finding (indexes dropped)
    code: str                # text on the snippet's line
    passing: dict[str, Any]


CASES = [
    Case("TB301", "error", {"require_tls": False}, "require_tls", "require_tls = false",
         {"require_tls": True}),
    Case("TB302", "error", {"auth": Block(secret_arn=SSM_ARN)}, "auth.secret_arn", SSM_ARN,
         {"auth": Block(secret_arn=FAKE_PLATFORM.secret_arn)}),
    Case("TB303", "error",
         {"pool": Block(max_connections_percent=60, max_idle_connections_percent=80)},
         "pool.max_idle_connections_percent", "max_idle_connections_percent = 80",
         {"pool": Block(max_connections_percent=60, max_idle_connections_percent=30)}),
    Case("TB304", "error", {"engine_family": "ORACLE"}, "engine_family",
         'engine_family = "ORACLE"', {"engine_family": "MYSQL"}),
    Case("TB305", "warning", {"subnets": FAKE_PLATFORM.subnets[:1]}, "subnets", "subnets = [",
         {"subnets": FAKE_PLATFORM.subnets}),
]


def _rule_diags(res, rule: str, severity: str | None = None):
    return [d for d in res.diagnostics if d.summary.startswith(f"{rule}:")
            and (severity is None or d.severity == severity)]


def _describe(res) -> str:
    return "\n  ".join(d.describe(res.cwd) for d in res.diagnostics) or "(no diagnostics)"


def _assert_at(d, res, case: Case) -> None:
    assert d.address == ADDRESS, d.address
    assert d.attribute(res.cwd) == case.attribute, (d.attribute(res.cwd), d.describe(res.cwd))
    assert d.snippet and case.code in d.snippet.get("code", ""), d.snippet


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule_trips_passes_and_is_acknowledged(tf, case: Case):
    tf.write(px.config(FAKE_PLATFORM, case.trip))
    tf.init().ok()

    # trips: a finding whose summary starts with the ID, on the attribute
    res = tf.plan(json=True)
    res.expect_rc(1 if case.severity == "error" else 0)
    found = _rule_diags(res, case.rule, case.severity)
    assert found, f"no {case.rule} {case.severity}; the CLI reported:\n  {_describe(res)}"
    _assert_at(found[0], res, case)
    assert "docs/guides/rules.md" in found[0].detail, found[0].detail

    # passes
    tf.write(px.config(FAKE_PLATFORM, case.passing))
    res = tf.plan(json=True)
    assert not _rule_diags(res, case.rule), _describe(res)
    res.assert_no_errors()

    # acknowledged: an error becomes a warning quoting the reason; a warning goes
    tf.write(px.config(FAKE_PLATFORM, {**case.trip, "acknowledge": {case.rule: REASON}}))
    res = tf.plan(json=True)
    res.assert_no_errors()
    warned = _rule_diags(res, case.rule, "warning")
    if case.severity == "warning":
        assert not warned, _describe(res)
        return
    assert warned, f"no {case.rule} warning; the CLI reported:\n  {_describe(res)}"
    assert f"Acknowledged: {REASON}" in warned[0].detail, warned[0].detail
    _assert_at(warned[0], res, case)


def test_baseline_config_has_no_findings(tf):
    """The config every lifecycle test applies is clean: no error, no warning."""
    tf.write(px.config(FAKE_PLATFORM))
    tf.init().ok()
    res = tf.plan(json=True).ok()
    noise = [d for d in res.diagnostics if d.summary.startswith("TB") or d.severity == "warning"]
    assert not noise, "findings on the baseline config:\n  " + "\n  ".join(
        d.describe(res.cwd) for d in noise)


# ---- shapes the rules do not cover ----------------------------------------------------

SHAPES = [
    ({"target": Block(db_cluster="a", db_instance="b")}, "target.db_instance", "not both"),
    # nothing to point at inside an empty block: the diagnostic is on the block
    ({"target": Block()}, "target {", "Set target.db_cluster"),
    ({"auth": Block(secret_arn=FAKE_PLATFORM.secret_arn, iam_auth="SOMETIMES")},
     "auth.iam_auth", "DISABLED, REQUIRED or ENABLED"),
    ({"auth": Block(secret_arn=FAKE_PLATFORM.secret_arn,
                    client_password_auth_type="MYSQL_NATIVE_PASSWORD")},
     "auth.client_password_auth_type", "does not apply to engine_family POSTGRESQL"),
    ({"name": "1-proxy--x"}, "name", "starting with a letter"),
    ({"idle_client_timeout": 0}, "idle_client_timeout", "1 to 28800"),
    ({"timeouts": Block(create="soon")}, "timeouts.create", "not a duration"),
]


@pytest.mark.parametrize("change,attribute,text", SHAPES,
                         ids=["two-targets", "no-target", "iam-auth", "auth-type", "name",
                              "idle-timeout", "timeout"])
def test_bad_input_is_refused_on_its_attribute(tf, change, attribute, text):
    tf.write(px.config(FAKE_PLATFORM, change))
    tf.init().ok()
    res = tf.validate()
    res.expect_rc(1)
    errors = [d for d in res.diagnostics if d.severity == "error"]
    at = [d for d in errors if text in (d.detail or "")]
    assert at, _describe(res)
    if attribute.endswith("{"):
        assert attribute in at[0].snippet.get("code", ""), at[0].describe(res.cwd)
    else:
        assert at[0].attribute(res.cwd) == attribute, at[0].describe(res.cwd)


def test_resource_example_is_valid(tf):
    """examples/resources/talentbase_database_proxy/resource.tf (the docs'
    example) validates against the provider's schema and plans without a
    finding."""
    src = paths.REPO / "examples" / "resources" / "talentbase_database_proxy" / "resource.tf"
    tf.write(src.read_text().replace(
        'source = "registry.talentbase.internal/platform/talentbase"',
        f'source  = "{paths.PROVIDER_SOURCE}"\n      version = "{paths.PROVIDER_VERSION}"'))
    tf.init().ok()
    tf.validate().ok()
    res = tf.plan(json=True, vars={
        "private_subnet_ids": FAKE_PLATFORM.subnets, "proxy_sg_id": FAKE_PLATFORM.proxy_sg,
        "proxy_role_arn": FAKE_PLATFORM.role_arn, "db_secret_arn": FAKE_PLATFORM.secret_arn}).ok()
    assert not [d for d in res.diagnostics if d.summary.startswith("TB")], _describe(res)
