"""talentbase_secret's rules TB101-TB105 through the real CLIs (point 9 of
shared/design/TESTING.md): for each, a configuration that trips it (rule ID
in the summary, on the attribute), the same acknowledged, and one that
passes. Plans only: a plan of a new secret calls nothing in AWS but the
caller identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tbtest import secret as sec
from tbtest.hcl import Block

NAME = "talentbase-prod/web/session-secret"
ROTATION = Block(lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:rotate",
                 schedule="rate(30 days)")
REASON = "agreed with the platform team in ticket PLAT-1234"


@dataclass
class Case:
    rule: str
    trip: dict[str, Any]
    attribute: str
    severity: str            # of the finding before acknowledging it
    passing: dict[str, Any]
    environment: str = "production"
    extra: dict[str, Any] = field(default_factory=dict)


def base(**changes) -> dict[str, Any]:
    items = {"name": NAME, "generate": Block(json_key="SESSION_SECRET"), "rotation": ROTATION}
    items.update(changes)
    return items


CASES = [
    Case("TB101", {"generate": Block(json_key="SESSION_SECRET", length=16)}, "generate.length",
         "error", {"generate": Block(json_key="SESSION_SECRET", length=32)}),
    Case("TB102", {"generate": Block(json_key="api_key"),
                   "template": {"username": "fckadmin", "password": "hunter2hunter2"}},
         "template.password", "error",
         {"generate": Block(json_key="password"), "template": {"username": "fckadmin"}}),
    Case("TB103", {"recovery_window_days": 0}, "recovery_window_days", "warning",
         {"recovery_window_days": 7}),
    Case("TB104", {"rotation": None}, "", "warning", {"rotation": ROTATION}),
    Case("TB105", {"name": "talentbase-prod/web/session-AbC1eF"}, "name", "error",
         {"name": "talentbase-prod/web/session-secret"}),
]


def _plan(tf, items: dict[str, Any], environment: str):
    tf.write(sec.config(sec.resource("s", **{k: v for k, v in items.items() if v is not None}),
                        environment=environment))
    return tf.plan(json=True)


def _findings(res, rule: str):
    return [d for d in res.diagnostics if d.summary.startswith(rule + ":")]


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule_trips_passes_and_is_acknowledged(tf, case):
    tf.write(sec.config(sec.resource("s", **base())))
    tf.init().ok()
    res = _plan(tf, base(**case.trip), case.environment)
    if case.severity == "error":
        res.failed()
    else:
        res.ok()
    found = _findings(res, case.rule)
    assert len(found) == 1, [d.describe(res.cwd) for d in res.diagnostics]
    d = found[0]
    assert d.severity == case.severity, d.describe(res.cwd)
    assert d.attribute(res.cwd) == case.attribute, d.describe(res.cwd)
    assert f"docs/guides/rules.md#{case.rule.lower()}" in d.detail
    assert "hunter2hunter2" not in d.summary + d.detail  # (the CLI quotes the config line)

    res = _plan(tf, base(**case.trip, acknowledge={case.rule: REASON}), case.environment).ok()
    acked = _findings(res, case.rule)
    if case.severity == "error":
        assert [x.severity for x in acked] == ["warning"], [x.describe(res.cwd) for x in acked]
        assert REASON in acked[0].detail
    else:
        assert not acked, [x.describe(res.cwd) for x in acked]

    res = _plan(tf, base(**case.passing), case.environment).ok()
    assert not _findings(res, case.rule), [x.describe(res.cwd) for x in res.diagnostics]


def test_recovery_window_outside_what_aws_takes_is_an_error_everywhere(tf):
    tf.write(sec.config(sec.resource("s", **base(recovery_window_days=3)),
                        environment="development"))
    tf.init().ok()
    res = tf.plan(json=True).failed()
    res.assert_diagnostic(summary="TB103: production secrets keep a recovery window",
                          attribute="recovery_window_days")
