"""talentbase_alarm_set's rules TB201-TB205 through the real CLIs (point 9
of shared/design/TESTING.md): each rule trips (rule ID in the summary, on
the attribute), passes, and is acknowledged; warnings become errors with
strict = true; TB205 reads the service's floor from Application Auto
Scaling at plan time, and a refused read warns instead of failing the plan.

Only TB205 needs a service in the emulator; the other plans read a service
that does not exist (its dimensions are then unknown, the rules still run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tbtest import alarms as al
from tbtest import service as svc
from tbtest.alarms import ADDRESS
from tbtest.hcl import Block

TOPIC = "arn:aws:sns:us-east-1:123456789012:talentbase-alerts"
REASON = "agreed with the on-call team in ticket OPS-42"
NO_SERVICE = al.Target(svc.FAKE_PLATFORM, al.SERVICE, f"{svc.FAKE_PLATFORM.cluster}/{al.SERVICE}",
                       None, None, None)


@dataclass
class Case:
    rule: str
    severity: str
    trip: dict[str, Any]
    attribute: str
    passing: dict[str, Any]
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("TB201", "error", {"cpu_high": Block(period=45)}, "cpu_high.period",
         {"cpu_high": Block(period=60)}, "a multiple of 60"),
    Case("TB201", "error", {"unhealthy_targets": Block(evaluation_periods=2,
                                                       datapoints_to_alarm=3)},
         "unhealthy_targets.datapoints_to_alarm",
         {"unhealthy_targets": Block(evaluation_periods=3, datapoints_to_alarm=3)},
         "more than evaluation_periods"),
    Case("TB202", "warning", {"alarm_actions": []}, "alarm_actions",
         {"alarm_actions": [TOPIC]}, "notifying anyone"),
    Case("TB203", "error", {"memory_high": Block(threshold=120)}, "memory_high.threshold",
         {"memory_high": Block(threshold=90)}, "not a percentage"),
    Case("TB203", "error", {"database_proxy_connections": Block(proxy="db", threshold_percent=0)},
         "database_proxy_connections.threshold_percent",
         {"database_proxy_connections": Block(proxy="db", threshold_percent=80)}),
    Case("TB204", "warning", {"cpu_high": Block(threshold=95)}, "cpu_high.threshold",
         {"cpu_high": Block(threshold=85)}, "CPU 85 %"),
    Case("TB204", "warning", {"alb_5xx": Block(threshold=10, period=60)}, "alb_5xx.threshold",
         {"alb_5xx": Block(threshold=2, period=60)}, "in 5 minutes"),
]
CASE_IDS = ["TB201-period", "TB201-datapoints", "TB202-no-actions", "TB203-memory",
            "TB203-proxy", "TB204-cpu", "TB204-5xx-per-minute"]


def _rule_diags(res, rule: str, severity: str | None = None):
    return [d for d in res.diagnostics if d.summary.startswith(f"{rule}:")
            and (severity is None or d.severity == severity)]


def _describe(res) -> str:
    return "\n  ".join(d.describe(res.cwd) for d in res.diagnostics) or "(no diagnostics)"


def _write(tf, target, changes, provider=None) -> None:
    tf.write(al.config(target, TOPIC, changes, provider=provider))


def _assert_found(res, case: Case, severity: str):
    found = _rule_diags(res, case.rule, severity)
    assert found, f"no {case.rule} {severity}; the CLI reported:\n  {_describe(res)}"
    d = found[0]
    assert d.address == ADDRESS, d.address
    assert d.attribute(res.cwd) == case.attribute, (d.attribute(res.cwd), d.describe(res.cwd))
    assert f"docs/guides/rules.md#{case.rule.lower()}" in d.detail, d.detail
    assert case.detail in d.detail, d.detail
    return d


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rule_trips_passes_and_is_acknowledged(tf, moto, case: Case):
    _write(tf, NO_SERVICE, case.trip)
    tf.init().ok()

    res = tf.plan(json=True)
    res.expect_rc(1 if case.severity == "error" else 0)
    _assert_found(res, case, case.severity)

    _write(tf, NO_SERVICE, case.passing)
    res = tf.plan(json=True)
    assert not _rule_diags(res, case.rule), _describe(res)
    res.assert_no_errors()

    _write(tf, NO_SERVICE, {**case.trip, "acknowledge": {case.rule: REASON}})
    res = tf.plan(json=True)
    res.assert_no_errors()
    if case.severity == "error":
        d = _assert_found(res, case, "warning")
        assert f"Acknowledged: {REASON}" in d.detail, d.detail
    else:
        assert not _rule_diags(res, case.rule), _describe(res)


def test_errors_stop_validate_and_strict_makes_warnings_errors(tf, moto):
    _write(tf, NO_SERVICE, {"cpu_high": Block(period=45)})
    tf.init().ok()
    res = tf.validate()
    res.expect_rc(1)
    assert _rule_diags(res, "TB201", "error"), _describe(res)

    strict = {**svc.PROVIDER, "strict": True}
    _write(tf, NO_SERVICE, {"cpu_high": Block(threshold=95)}, provider=strict)
    res = tf.plan(json=True)
    res.expect_rc(1)
    assert _rule_diags(res, "TB204", "error"), _describe(res)


def test_default_alarms_have_no_findings(tf, moto):
    """The documented defaults break none of the rules."""
    _write(tf, NO_SERVICE, {})
    tf.init().ok()
    res = tf.plan(json=True).ok()
    noise = [d for d in res.diagnostics if d.summary.startswith("TB")]
    assert not noise, "findings on the defaults:\n  " + _describe(res)


# ---- TB205: the service's floor, read at plan time ----------------------------------------


@pytest.fixture
def floor3(aws, moto) -> al.Target:
    plat = svc.make_platform(aws)
    return al.make_service(aws, plat, min_capacity=3)


def test_tb205_reads_the_floor_from_autoscaling(tf, moto, floor3):
    case = Case("TB205", "warning", {"running_tasks_low": Block(threshold=2)},
                "running_tasks_low.threshold", {"running_tasks_low": Block(threshold=3)},
                "minimum capacity of 3")
    _write(tf, floor3, case.trip)
    tf.init().ok()
    res = tf.plan(json=True).ok()
    _assert_found(res, case, "warning")

    _write(tf, floor3, case.passing)
    res = tf.plan(json=True).ok()
    assert not _rule_diags(res, "TB205"), _describe(res)

    _write(tf, floor3, {**case.trip, "acknowledge": {"TB205": REASON}})
    res = tf.plan(json=True).ok()
    assert not _rule_diags(res, "TB205"), _describe(res)

    # a disabled alarm has no floor to guard, and the floor is not read
    _write(tf, floor3, {"running_tasks_low": Block(threshold=1, enabled=False)})
    moto.clear_calls()
    res = tf.plan(json=True).ok()
    assert not _rule_diags(res, "TB205"), _describe(res)
    assert "DescribeScalableTargets" not in [c["action"] for c in moto.calls()]


def test_tb205_refused_read_warns_and_plans(tf, aws, moto, floor3):
    _write(tf, floor3, {"running_tasks_low": Block(threshold=2)})
    tf.init().ok()
    moto.inject_fault("DescribeScalableTargets", status=400, code="AccessDeniedException",
                      message="not allowed", times=0)
    res = tf.plan(json=True).ok()
    assert not _rule_diags(res, "TB205"), _describe(res)
    res.assert_diagnostic(summary="TB205 not checked", severity="warning",
                          detail="application-autoscaling DescribeScalableTargets: "
                                 "AccessDeniedException")
    tf.apply().ok()
    assert len(al.described(aws)) == 6
