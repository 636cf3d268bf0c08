"""talentbase_alarm_set against the emulator: the real CLIs create, read,
update, import and destroy the alarms of a service, and boto3 (never the
provider's own client) says what CloudWatch holds. Covers points 1-8 of
"What an acceptance test of a resource covers" (shared/design/TESTING.md);
the rules (point 9) are in test_alarm_set_rules.py.

The service the alarms watch is made with boto3 the way talentbase_service
makes one (tbtest/alarms.py), except in the test that creates both in one
apply.
"""

from __future__ import annotations

import re

import pytest

from tbtest import alarms as al
from tbtest import service as svc
from tbtest.alarms import ADDRESS, ALB_KINDS, ECS_KINDS, SERVICE
from tbtest.hcl import Block, Raw


@pytest.fixture
def plat(aws, moto) -> svc.Platform:
    p = svc.make_platform(aws)
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=svc.TASKS)
    return p


@pytest.fixture
def target(aws, plat) -> al.Target:
    """The service web-dev: behind the load balancer, autoscaled from 2 tasks."""
    return al.make_service(aws, plat, min_capacity=2)


@pytest.fixture
def topic(aws) -> str:
    return al.topic(aws)


# The spec's example, every block written out (the proxy's in its own test).
SPEC = {
    "cpu_high": Block(threshold=85),
    "memory_high": Block(threshold=90),
    "running_tasks_low": Block(threshold=2),
    "alb_5xx": Block(threshold=10, period=300),
    "unhealthy_targets": Block(threshold=1, evaluation_periods=2),
    "latency_high": Block(threshold_seconds=1),
}

# kind -> what CloudWatch must hold for the example (dimensions: "service" or "target")
EXPECTED = {
    "cpu_high": dict(Namespace="AWS/ECS", MetricName="CPUUtilization", Statistic="Average",
                     Threshold=85.0, ComparisonOperator="GreaterThanThreshold", Period=300,
                     EvaluationPeriods=1, DatapointsToAlarm=1, TreatMissingData="missing",
                     dims="service"),
    "memory_high": dict(Namespace="AWS/ECS", MetricName="MemoryUtilization",
                        Statistic="Average", Threshold=90.0,
                        ComparisonOperator="GreaterThanThreshold", Period=300,
                        EvaluationPeriods=1, DatapointsToAlarm=1, TreatMissingData="missing",
                        dims="service"),
    "running_tasks_low": dict(Namespace="ECS/ContainerInsights", MetricName="RunningTaskCount",
                              Statistic="Minimum", Threshold=2.0,
                              ComparisonOperator="LessThanThreshold", Period=60,
                              EvaluationPeriods=5, DatapointsToAlarm=5,
                              TreatMissingData="breaching", dims="service"),
    "alb_5xx": dict(Namespace="AWS/ApplicationELB", MetricName="HTTPCode_Target_5XX_Count",
                    Statistic="Sum", Threshold=10.0, ComparisonOperator="GreaterThanThreshold",
                    Period=300, EvaluationPeriods=1, DatapointsToAlarm=1,
                    TreatMissingData="notBreaching", dims="target"),
    "unhealthy_targets": dict(Namespace="AWS/ApplicationELB", MetricName="UnHealthyHostCount",
                              Statistic="Maximum", Threshold=1.0,
                              ComparisonOperator="GreaterThanOrEqualToThreshold", Period=60,
                              EvaluationPeriods=2, DatapointsToAlarm=2,
                              TreatMissingData="notBreaching", dims="target"),
    "latency_high": dict(Namespace="AWS/ApplicationELB", MetricName="TargetResponseTime",
                         Statistic="Average", Threshold=1.0,
                         ComparisonOperator="GreaterThanThreshold", Period=300,
                         EvaluationPeriods=2, DatapointsToAlarm=2,
                         TreatMissingData="notBreaching", dims="target"),
}
WANT_TAGS = {**al.DEFAULT_TAGS, "Service": "web"}


def applied(tf, target, topic, changes=None, **kw) -> dict:
    tf.write(al.config(target, topic, {**SPEC, **(changes or {})}, **kw))
    tf.init().ok()
    tf.apply().ok()
    values = svc.state_values(tf, ADDRESS)
    assert values, "apply succeeded but the alarm set is not in state"
    return values


class Soft:
    def __init__(self, what: str) -> None:
        self.what, self.problems = what, []

    def eq(self, label, got, want) -> None:
        if got != want:
            self.problems.append(f"{label}: got {got!r}, want {want!r}")

    def done(self) -> None:
        assert not self.problems, f"{self.what}:\n  " + "\n  ".join(self.problems)


def want_dims(target: al.Target, kind: str) -> dict:
    if kind == "service":
        return {"ClusterName": target.plat.cluster, "ServiceName": target.name}
    return {"LoadBalancer": target.lb_suffix, "TargetGroup": target.tg_suffix}


def check_alarms(aws, target, topic, values, expected=EXPECTED, prefix=SERVICE) -> None:
    """Every alarm, field by field, against `expected`; the state's maps
    name exactly those alarms."""
    ck = Soft("the alarms in CloudWatch differ from the configuration")
    got = al.described(aws, prefix)
    ck.eq("alarms", sorted(got), sorted(expected))
    for kind, want in expected.items():
        a = got.get(kind, {})
        for field, value in want.items():
            if field == "dims":
                ck.eq(f"{kind} Dimensions", al.dims(a), want_dims(target, value))
            else:
                ck.eq(f"{kind} {field}", a.get(field), value)
        ck.eq(f"{kind} AlarmActions", a.get("AlarmActions"), [topic])
        ck.eq(f"{kind} OKActions", a.get("OKActions"), [topic])
        ck.eq(f"{kind} InsufficientDataActions", a.get("InsufficientDataActions"), [])
        ck.eq(f"{kind} ActionsEnabled", a.get("ActionsEnabled"), True)
        ck.eq(f"{kind} description names the service",
              target.service_id in (a.get("AlarmDescription") or ""), True)
        if a:
            ck.eq(f"{kind} state ARN", values["alarm_arns"].get(kind), a["AlarmArn"])
            ck.eq(f"{kind} tags", al.tags_of(aws, a["AlarmArn"]), WANT_TAGS)
        ck.eq(f"{kind} state name", values["alarm_names"].get(kind), al.name_of(prefix, kind))
    ck.eq("state alarm_names", sorted(values["alarm_names"]), sorted(expected))
    ck.eq("state cluster", values["cluster"], target.plat.cluster)
    ck.eq("state service_name", values["service_name"], target.name)
    ck.eq("state load_balancer", values["load_balancer"], target.lb_suffix)
    ck.eq("state target_group", values["target_group"], target.tg_suffix)
    ck.eq("state tags_all", values["tags_all"], WANT_TAGS)
    ck.done()


def unknown_alarms(aws, tf) -> set[str]:
    """Alarms CloudWatch holds that the state does not name."""
    values = svc.state_values(tf, ADDRESS) or {}
    return al.all_alarms(aws) - set((values.get("alarm_names") or {}).values())


def calls(moto, service: str) -> list[str]:
    return [c["action"] for c in moto.calls(service)]


# ---- 1, 2: create, then an empty plan ------------------------------------------------


def test_create_puts_every_alarm_as_documented(tf, aws, moto, target, topic):
    tf.write(al.config(target, topic, SPEC))
    tf.init().ok()
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["create"], ch.actions
    # the plan read the service: names and dimensions are known, ARNs are not
    assert {k for k in ch.after if k.startswith("alarm_names.")} == {
        f"alarm_names.{k}" for k in EXPECTED}, svc.dump(ch.after)
    assert ch.after["target_group"] == target.tg_suffix
    assert {f"alarm_arns.{k}" for k in EXPECTED} <= ch.unknown, sorted(ch.unknown)

    moto.clear_calls()
    tf.apply(plan_file="tb.plan").ok()
    puts = calls(moto, "monitoring")
    assert puts.count("PutMetricAlarm") == 6, puts
    assert "TagResource" not in puts, "tags go with PutMetricAlarm on create"
    check_alarms(aws, target, topic, svc.state_values(tf, ADDRESS))
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_defaults_without_blocks(tf, aws, aws_target_one_task, topic):
    """No block at all: every alarm with the documented defaults (development:
    the running-task floor is 1)."""
    target = aws_target_one_task
    tf.write(al.config(target, topic))
    tf.init().ok()
    res = tf.apply(json=True).ok()
    assert not [d for d in res.diagnostics if d.summary.startswith("TB")], [
        d.summary for d in res.diagnostics]
    values = svc.state_values(tf, ADDRESS)
    assert all(values[k] is None for k in EXPECTED), "absent blocks stay absent in state"
    want = {k: dict(v) for k, v in EXPECTED.items()}
    want["running_tasks_low"]["Threshold"] = 1.0
    check_alarms(aws, target, topic, values, want)
    tf.plan(detailed_exitcode=True).expect_rc(0)


@pytest.fixture
def aws_target_one_task(aws, plat) -> al.Target:
    return al.make_service(aws, plat, desired=1)


def test_percentile_latency_and_proxy_connections(tf, aws, target, topic):
    values = applied(tf, target, topic, {
        "latency_high": Block(threshold_seconds=0.5, extended_statistic="p99"),
        "database_proxy_connections": Block(proxy="talentbase-db", threshold_percent=75),
    })
    got = al.described(aws)
    lat = got["latency_high"]
    assert lat.get("ExtendedStatistic") == "p99" and "Statistic" not in lat, lat
    assert lat.get("EvaluateLowSampleCountPercentile") == "ignore", lat
    assert lat["Threshold"] == 0.5
    proxy = got["database_proxy_connections"]
    assert proxy["Threshold"] == 75.0 and proxy["ComparisonOperator"] == "GreaterThanThreshold"
    assert proxy.get("TreatMissingData") == "notBreaching"
    assert "MetricName" not in proxy and not proxy.get("Dimensions"), proxy
    queries = {q["Id"]: q for q in proxy["Metrics"]}
    assert sorted(queries) == ["allowed", "connections", "percent"], queries
    assert queries["percent"]["Expression"] == "100 * connections / allowed"
    assert queries["percent"]["ReturnData"] is True
    for qid, metric in (("connections", "DatabaseConnections"),
                        ("allowed", "MaxDatabaseConnectionsAllowed")):
        stat = queries[qid]["MetricStat"]
        assert queries[qid]["ReturnData"] is False
        assert stat["Metric"]["Namespace"] == "AWS/RDS"
        assert stat["Metric"]["MetricName"] == metric
        assert stat["Metric"]["Dimensions"] == [{"Name": "ProxyName", "Value": "talentbase-db"}]
        assert (stat["Stat"], stat["Period"]) == ("Sum", 300)
    assert values["alarm_names"]["database_proxy_connections"] == f"{SERVICE}-db-proxy-connections"
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_service_without_load_balancer_gets_no_alb_alarms(tf, aws, plat, topic):
    worker = al.make_service(aws, plat, "worker-dev", load_balancer=False)
    tf.write(al.config(worker, topic, {"running_tasks_low": Block(threshold=2)}))
    tf.init().ok()
    tf.apply().ok()
    values = svc.state_values(tf, ADDRESS)
    assert sorted(al.described(aws, "worker-dev")) == sorted(ECS_KINDS)
    assert values["load_balancer"] is None and values["target_group"] is None
    tf.plan(detailed_exitcode=True).expect_rc(0)

    # an alarm of the load balancer asked for explicitly is an error on its block
    tf.write(al.config(worker, topic, {"alb_5xx": Block(threshold=10)}))
    res = tf.plan(json=True)
    res.expect_rc(1)
    res.assert_diagnostic(summary="The service has no load balancer",
                          attribute="alb_5xx.threshold")
    # switched off, it is fine
    tf.write(al.config(worker, topic, {"alb_5xx": Block(enabled=False)}))
    tf.apply().ok()
    assert sorted(al.described(aws, "worker-dev")) == sorted(ECS_KINDS)


# ---- 3: in-place updates --------------------------------------------------------------


def test_update_puts_only_the_changed_alarm(tf, aws, moto, target, topic):
    applied(tf, target, topic)
    before = al.described(aws)

    tf.write(al.config(target, topic, {**SPEC, "cpu_high": Block(threshold=80)}))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    assert ch.changed() == {"cpu_high.threshold": (85, 80)}, svc.dump(ch.changed())
    moto.clear_calls()
    tf.apply(plan_file="tb.plan").ok()
    got = [c for c in calls(moto, "monitoring") if c != "DescribeAlarms"]
    assert got == ["PutMetricAlarm"], got
    after = al.described(aws)
    assert after["cpu_high"]["Threshold"] == 80.0
    for kind in EXPECTED:
        if kind != "cpu_high":
            assert after[kind]["AlarmConfigurationUpdatedTimestamp"] == \
                before[kind]["AlarmConfigurationUpdatedTimestamp"], f"{kind} was put again"
    tf.plan(detailed_exitcode=True).expect_rc(0)

    # tags: retagged, not put again
    tf.write(al.config(target, topic, {**SPEC, "cpu_high": Block(threshold=80),
                                       "tags": {"Service": "web", "Team": "core"}}))
    moto.clear_calls()
    tf.apply().ok()
    got = calls(moto, "monitoring")
    assert "PutMetricAlarm" not in got and got.count("TagResource") == 6, got
    arn = svc.state_values(tf, ADDRESS)["alarm_arns"]["latency_high"]
    assert al.tags_of(aws, arn) == {**WANT_TAGS, "Team": "core"}

    # switched off: deleted, with one call
    tf.write(al.config(target, topic, {**SPEC, "memory_high": Block(enabled=False)}))
    moto.clear_calls()
    tf.apply().ok()
    assert calls(moto, "monitoring").count("DeleteAlarms") == 1
    assert "memory_high" not in al.described(aws)
    assert "memory_high" not in svc.state_values(tf, ADDRESS)["alarm_names"]
    tf.plan(detailed_exitcode=True).expect_rc(0)


# ---- 4: drift --------------------------------------------------------------------------


def _drifts(aws, target: al.Target) -> list:
    """(name, change in CloudWatch, {path: (before, after)} the plan must show)."""
    cw = aws("cloudwatch")

    def reput(kind, **kw):
        return lambda: al.reput(aws, al.described(aws)[kind], **kw)

    other_tg = "targetgroup/someone-else/0123456789abcdef"
    dims = [{"Name": "LoadBalancer", "Value": target.lb_suffix},
            {"Name": "TargetGroup", "Value": other_tg}]
    return [
        ("threshold", reput("cpu_high", Threshold=95), {"cpu_high.threshold": (95, 85)}),
        ("period", reput("memory_high", Period=60), {"memory_high.period": (60, 300)}),
        ("missing data", reput("running_tasks_low", TreatMissingData="notBreaching"),
         {"running_tasks_low.treat_missing_data": ("notBreaching", "breaching")}),
        ("evaluation", reput("unhealthy_targets", EvaluationPeriods=3, DatapointsToAlarm=3),
         {"unhealthy_targets.evaluation_periods": (3, 2)}),
        ("datapoints", reput("latency_high", DatapointsToAlarm=1),
         {"latency_high.datapoints_to_alarm": (1, None)}),
        ("description", reput("alb_5xx", AlarmDescription="edited in the console"),
         {"alb_5xx.description": ("edited in the console", None)}),
        ("statistic", reput("cpu_high", Statistic="Maximum"),
         {"alarm_conditions.cpu_high": (
             "AWS/ECS CPUUtilization{ClusterName,ServiceName} Maximum GreaterThanThreshold",
             "AWS/ECS CPUUtilization{ClusterName,ServiceName} Average GreaterThanThreshold")}),
        ("actions disabled", lambda: cw.disable_alarm_actions(
            AlarmNames=[al.name_of(SERVICE, "memory_high")]),
         {"alarm_conditions.memory_high": (
             "AWS/ECS MemoryUtilization{ClusterName,ServiceName} Average GreaterThanThreshold; "
             "actions disabled",
             "AWS/ECS MemoryUtilization{ClusterName,ServiceName} Average GreaterThanThreshold")}),
        ("dimension", reput("alb_5xx", Dimensions=dims),
         {"target_group": (other_tg, target.tg_suffix)}),
        ("tags", lambda: cw.tag_resource(
            ResourceARN=al.described(aws)["latency_high"]["AlarmArn"],
            Tags=[{"Key": "Owner", "Value": "someone"}]),
         {"tags.Owner": ("someone", None), "tags_all.Owner": ("someone", None)}),
    ]


def test_drift_shows_on_the_changed_attribute(tf, aws, target, topic):
    applied(tf, target, topic)
    failures = []
    for name, change, expected in _drifts(aws, target):
        change()
        ch = svc.planned_changes(tf)[ADDRESS]
        got = ch.changed()
        if ch.actions != ["update"] or got != expected:
            failures.append(f"{name}: plan {ch.actions} changes {svc.dump(got)}, "
                            f"want {svc.dump(expected)}")
        res = tf.apply(plan_file="tb.plan")
        if res.rc != 0:
            failures.append(f"{name}: apply failed:\n{res.describe(20)}")
            break
        again = tf.plan(detailed_exitcode=True)
        if again.rc != 0:
            failures.append(f"{name}: the plan after the repair is not empty:\n"
                            f"{again.describe(40)}")
    assert not failures, "\n\n".join(failures)
    check_alarms(aws, target, topic, svc.state_values(tf, ADDRESS))


def test_actions_changed_on_one_alarm_show_and_are_restored(tf, aws, target, topic):
    applied(tf, target, topic)
    other = al.topic(aws, "someone-elses-topic")
    al.reput(aws, al.described(aws)["unhealthy_targets"], AlarmActions=[other])
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"]
    assert ch.changed() == {"alarm_actions[0]": (other, topic)}, svc.dump(ch.changed())
    tf.apply(plan_file="tb.plan").ok()
    check_alarms(aws, target, topic, svc.state_values(tf, ADDRESS))
    tf.plan(detailed_exitcode=True).expect_rc(0)


# ---- 2 (dimensions): the service is replaced -------------------------------------------


def test_replaced_service_is_an_in_place_update(tf, aws, target, topic):
    """The service gets a new target group (replaced): the next plan updates
    the set in place, and the alarms of the load balancer follow."""
    applied(tf, target, topic)
    ecs = aws("ecs")
    ecs.delete_service(cluster=target.plat.cluster, service=target.name, force=True)
    new_tg = al.make_target_group(aws, target.plat, "web-dev-2", 200)
    td = ecs.list_task_definitions(familyPrefix=target.name)["taskDefinitionArns"][0]
    ecs.create_service(cluster=target.plat.cluster, serviceName=target.name, taskDefinition=td,
                       desiredCount=2, launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {
                           "subnets": target.plat.subnets,
                           "securityGroups": [target.plat.service_sg]}},
                       loadBalancers=[{"targetGroupArn": new_tg, "containerName": target.name,
                                       "containerPort": 3000}])
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    assert not ch.replace_paths, ch.replace_paths
    assert ch.changed() == {"target_group": (target.tg_suffix, al.tg_suffix(new_tg))}, \
        svc.dump(ch.changed())
    tf.apply(plan_file="tb.plan").ok()
    for kind in ALB_KINDS:
        assert al.dims(al.described(aws)[kind])["TargetGroup"] == al.tg_suffix(new_tg), kind
    tf.plan(detailed_exitcode=True).expect_rc(0)


# ---- 5: import ------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [None, "team-web"], ids=["service-id", "with-prefix"])
def test_import_reads_back_the_whole_set(tf, aws, target, topic, prefix):
    changes = {"name_prefix": prefix} if prefix else {}
    created = applied(tf, target, topic, changes)
    tf.run("state", "rm", ADDRESS).ok()
    tf.import_(ADDRESS, target.service_id + (f"/{prefix}" if prefix else "")).ok()
    imported = svc.state_values(tf, ADDRESS)
    res = tf.plan(detailed_exitcode=True)
    assert res.rc == 0, "the plan after import is not empty:\n" + res.describe(80)
    diff = {k: (created.get(k), imported.get(k)) for k in created
            if k not in ("timeouts", "acknowledge") and created.get(k) != imported.get(k)}
    assert not diff, "imported state differs from the created one:\n" + svc.dump(diff)


def test_import_block_plans_no_change(tf, aws, target, topic):
    applied(tf, target, topic)
    tf.run("state", "rm", ADDRESS).ok()
    block = f'import {{\n  to = {ADDRESS}\n  id = "{target.service_id}"\n}}\n'
    tf.write(al.config(target, topic, SPEC, extra=block))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.raw["change"].get("importing"), svc.dump(ch.raw)
    assert ch.actions == ["no-op"] and not ch.changed(), (ch.actions, svc.dump(ch.changed()))


def test_import_of_a_missing_set_fails(tf, aws, target, topic):
    tf.write(al.config(target, topic, SPEC))
    tf.init().ok()
    res = tf.import_(ADDRESS, target.service_id)
    res.failed()
    assert "Cannot import non-existent remote object" in res.output, res.describe()


# ---- 6: deleted out of band -----------------------------------------------------------


def test_alarm_deleted_out_of_band_is_planned_back(tf, aws, target, topic):
    applied(tf, target, topic)
    aws("cloudwatch").delete_alarms(AlarmNames=[al.name_of(SERVICE, "cpu_high")])
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    got = ch.changed()
    assert got.get("alarm_names.cpu_high") == (None, f"{SERVICE}-cpu-high"), svc.dump(got)
    assert "alarm_arns.cpu_high" in ch.unknown, sorted(ch.unknown)
    tf.apply(plan_file="tb.plan").ok()
    check_alarms(aws, target, topic, svc.state_values(tf, ADDRESS))
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_every_alarm_deleted_out_of_band_is_planned_back(tf, aws, target, topic):
    applied(tf, target, topic)
    aws("cloudwatch").delete_alarms(AlarmNames=[al.name_of(SERVICE, k) for k in EXPECTED])
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    tf.apply(plan_file="tb.plan").ok()
    check_alarms(aws, target, topic, svc.state_values(tf, ADDRESS))


# ---- 7: a put fails ------------------------------------------------------------------


def test_failed_put_leaves_no_alarm_outside_state(tf, aws, moto, target, topic):
    tf.write(al.config(target, topic, SPEC))
    tf.init().ok()
    moto.inject_fault("PutMetricAlarm", status=400, code="LimitExceeded",
                      message="injected PutMetricAlarm failure", after=2, times=1)
    res = tf.apply(json=True).failed()
    res.assert_diagnostic(summary=re.compile(
        r'putting alarm \S+ for talentbase_alarm_set "[^"]+": monitoring PutMetricAlarm: '
        r"LimitExceeded: injected PutMetricAlarm failure \(request id \S+\)"))
    r = svc.state_resource(tf, ADDRESS)
    assert r is not None and r.get("tainted") is True, "the partial set must be tainted"
    assert len(r["values"]["alarm_names"]) == 5, r["values"]["alarm_names"]
    assert not unknown_alarms(aws, tf), "alarms outside state"

    moto.clear_faults()
    tf.apply().ok()
    check_alarms(aws, target, topic, svc.state_values(tf, ADDRESS))
    assert not unknown_alarms(aws, tf)
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_taken_alarm_name_is_refused(tf, aws, moto, target, topic):
    """An alarm of the same name that this resource did not create is not
    taken over silently."""
    aws("cloudwatch").put_metric_alarm(
        AlarmName=al.name_of(SERVICE, "cpu_high"), Namespace="AWS/ECS",
        MetricName="CPUUtilization", Statistic="Average", Period=60, EvaluationPeriods=1,
        Threshold=99, ComparisonOperator="GreaterThanThreshold")
    tf.write(al.config(target, topic, SPEC))
    tf.init().ok()
    res = tf.apply(json=True).failed()
    res.assert_diagnostic(summary="Alarm already exists")
    assert al.described(aws)["cpu_high"]["Threshold"] == 99.0
    assert sorted(al.described(aws)) == ["cpu_high"]


# ---- 8: destroy -----------------------------------------------------------------------


def test_destroy_leaves_nothing_behind(tf, aws, moto, target, topic):
    applied(tf, target, topic, {"database_proxy_connections": Block(proxy="talentbase-db")})
    moto.clear_calls()
    tf.destroy().ok()
    assert calls(moto, "monitoring").count("DeleteAlarms") == 1
    assert al.all_alarms(aws) == set()
    assert svc.state_values(tf, ADDRESS) is None


# ---- AWS economy ----------------------------------------------------------------------


def test_calls_per_plan_and_refresh(tf, aws, moto, target, topic):
    """A refresh is one DescribeAlarms for the set (tags per alarm, as they are
    managed); the plan reads the service, its target group and its scalable
    target once each."""
    applied(tf, target, topic)
    moto.clear_calls()
    tf.plan(detailed_exitcode=True).expect_rc(0)
    got = [(c["service"], c["action"]) for c in moto.calls() if c["service"] != "sts"]
    want = sorted([("monitoring", "DescribeAlarms")] +
                  [("monitoring", "ListTagsForResource")] * 6 +
                  [("ecs", "DescribeServices"), ("elasticloadbalancing", "DescribeTargetGroups"),
                   ("application-autoscaling", "DescribeScalableTargets")])
    assert sorted(got) == want, got


# ---- the service and its alarms in one configuration ------------------------------------


def test_created_with_its_service_in_one_apply(tf, aws, plat, topic):
    """The plan cannot read a service that does not exist yet: dimensions and
    names are known after apply, TB205 waits; the apply reads them once the
    service exists."""
    alarms = al.resource({"service": Raw("talentbase_service.web.id"),
                          "alarm_actions": [topic], "ok_actions": [topic],
                          "tags": {"Service": "web"}, **SPEC})
    tf.write(svc.config(plat, extra=alarms))
    tf.init().ok()
    res = tf.plan(json=True).ok()
    assert not [d for d in res.diagnostics if d.summary.startswith("TB205")]
    ch = svc.planned_changes(tf)[ADDRESS]
    assert {"alarm_names", "target_group", "cluster"} <= ch.unknown, sorted(ch.unknown)
    tf.apply(plan_file="tb.plan").ok()
    service = svc.state_values(tf)
    target = al.Target(plat, svc.NAME, service["id"], service["target_group_arn"],
                       al.tg_suffix(service["target_group_arn"]), al.lb_suffix(plat.lb_arn))
    check_alarms(aws, target, topic, svc.state_values(tf, ADDRESS), prefix=svc.NAME)
    tf.plan(detailed_exitcode=True).expect_rc(0)
    tf.destroy().ok()
    assert al.all_alarms(aws) == set()
