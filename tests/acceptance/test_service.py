"""talentbase_service against the emulator: the real CLIs create, read,
update, import and destroy the bundle, and boto3 (never the provider's own
client) says what AWS holds. Covers points 1-8 of "What an acceptance test
of a resource covers" (shared/design/TESTING.md); the rules (point 9) are in
test_service_rules.py.

    TB_PROVIDER_BINARY=build-x/terraform-provider-talentbase \\
        .venv/bin/python -m pytest tests/acceptance/test_service.py

moto runs no tasks: MOTO_ECS_SERVICE_RUNNING (set per test in the emulator)
is the running count a deployment reports, so it equals the service's task
count (service.TASKS) wherever a rollout has to complete.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tbtest import paths
from tbtest import service as svc
from tbtest.hcl import Block
from tbtest.service import ADDRESS, IMAGE, NAME, TD_OUTPUTS


@pytest.fixture
def plat(aws, moto) -> svc.Platform:
    """The platform objects in a freshly reset emulator, with rollouts that
    complete."""
    p = svc.make_platform(aws)
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=svc.TASKS)
    return p


def applied(tf, plat, changes=None, **kw) -> dict:
    """Writes the config, init + apply; returns the resource's state values."""
    tf.write(svc.config(plat, changes, **kw))
    tf.init().ok()
    tf.apply().ok()
    values = svc.state_values(tf)
    assert values, "apply succeeded but the resource is not in state"
    return values


class Soft:
    """Collects mismatches so that one run reports all of them."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.problems: list[str] = []

    def eq(self, label: str, got, want) -> None:
        if got != want:
            self.problems.append(f"{label}: got {got!r}, want {want!r}")

    def true(self, label: str, cond: bool, detail="") -> None:
        if not cond:
            self.problems.append(f"{label} {detail}".rstrip())

    def done(self) -> None:
        assert not self.problems, f"{self.what}:\n  " + "\n  ".join(self.problems)


def _values_of(cond: dict, key: str) -> list:
    return sorted(cond.get(key, {}).get("Values") or cond.get("Values") or [])


def check_bundle(aws, plat: svc.Platform, values: dict, image_tag: str = "v1") -> None:
    """Every AWS object of the default config, setting by setting."""
    ck = Soft("the bundle in AWS differs from the configuration")
    want_tags = {**svc.DEFAULT_TAGS, "Service": "web"}

    ck.eq("state id", values["id"], f"{plat.cluster}/{NAME}")
    ck.eq("state log_group_name", values["log_group_name"], f"/ecs/{NAME}")
    ck.eq("state tags_all", values["tags_all"], want_tags)
    ck.eq("state deployed_image", values["deployed_image"], f"{IMAGE}:{image_tag}")
    ck.eq("state load_balancer.vpc_id", values["load_balancer"]["vpc_id"], plat.vpc_id)

    # ECS service
    s = svc.describe_service(aws, plat) or {}
    ck.eq("service status", s.get("status"), "ACTIVE")
    ck.eq("service arn (state)", s.get("serviceArn"), values["arn"])
    ck.eq("service taskDefinition", s.get("taskDefinition"), values["task_definition_arn"])
    ck.eq("service launchType (capacity strategy given)", s.get("launchType"), None)
    strategy = sorted(({"provider": c["capacityProvider"], "base": c.get("base", 0),
                        "weight": c.get("weight", 0)}
                       for c in s.get("capacityProviderStrategy") or []),
                      key=lambda c: c["provider"])
    ck.eq("service capacityProviderStrategy", strategy,
          [{"provider": "FARGATE", "base": 2, "weight": 60},
           {"provider": "FARGATE_SPOT", "base": 0, "weight": 40}])
    net = (s.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    ck.eq("service subnets", sorted(net.get("subnets", [])), sorted(plat.subnets))
    ck.eq("service securityGroups", net.get("securityGroups"), [plat.service_sg])
    ck.eq("service assignPublicIp", net.get("assignPublicIp"), "DISABLED")
    ck.eq("service loadBalancers", s.get("loadBalancers"),
          [{"targetGroupArn": values["target_group_arn"], "containerName": NAME,
            "containerPort": 3000}])
    dc = s.get("deploymentConfiguration") or {}
    ck.eq("service deploymentConfiguration", dc, {
        "maximumPercent": 200, "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    ck.eq("service healthCheckGracePeriodSeconds", s.get("healthCheckGracePeriodSeconds"), 180)
    ck.eq("service enableExecuteCommand", s.get("enableExecuteCommand"), True)
    ck.eq("service desiredCount", s.get("desiredCount"), svc.TASKS)
    ck.eq("service platformVersion", s.get("platformVersion"), "LATEST")
    ck.eq("service propagateTags", s.get("propagateTags"), "SERVICE")
    ck.eq("service tags", svc.tags_of(aws, "ecs", values["arn"]), want_tags)

    # task definition
    td = aws("ecs").describe_task_definition(taskDefinition=values["task_definition_arn"],
                                             include=["TAGS"])
    t = td["taskDefinition"]
    ck.eq("td family", t["family"], NAME)
    ck.eq("td revision (state)", t["revision"], values["task_definition_revision"])
    ck.eq("td status", t["status"], "ACTIVE")
    ck.eq("td cpu/memory", (t.get("cpu"), t.get("memory")), ("1024", "2048"))
    ck.eq("td networkMode", t.get("networkMode"), "awsvpc")
    ck.eq("td requiresCompatibilities", t.get("requiresCompatibilities"), ["FARGATE"])
    ck.eq("td executionRoleArn", t.get("executionRoleArn"), plat.execution_role_arn)
    ck.eq("td taskRoleArn", t.get("taskRoleArn"), plat.task_role_arn)
    ck.eq("td tags", {x["key"]: x["value"] for x in td.get("tags", [])}, want_tags)
    ck.eq("td containers", len(t["containerDefinitions"]), 1)
    c = t["containerDefinitions"][0]
    ck.eq("container essential", c.get("essential"), True)
    ck.eq("container image", c.get("image"), f"{IMAGE}:{image_tag}")
    ck.eq("container ports", [(p["containerPort"], p.get("protocol", "tcp"))
                              for p in c.get("portMappings", [])], [(3000, "tcp")])
    ck.eq("container environment", sorted((e["name"], e["value"])
                                          for e in c.get("environment", [])),
          [("NODE_ENV", "production"), ("PORT", "3000")])
    ck.eq("container secrets", c.get("secrets"),
          [{"name": "SESSION_SECRET", "valueFrom": f"{plat.secret_arn}:SESSION_SECRET::"}])
    ck.eq("container healthCheck", c.get("healthCheck"), {
        "command": ["CMD-SHELL", "curl -f http://localhost:3000/ || exit 1"],
        "interval": 30, "timeout": 10, "retries": 3, "startPeriod": 180})
    logcfg = c.get("logConfiguration") or {}
    ck.eq("container logDriver", logcfg.get("logDriver"), "awslogs")
    opts = logcfg.get("options") or {}
    ck.eq("awslogs-group", opts.get("awslogs-group"), f"/ecs/{NAME}")
    ck.eq("awslogs-region", opts.get("awslogs-region"), "us-east-1")
    ck.true("awslogs-stream-prefix set", bool(opts.get("awslogs-stream-prefix")), repr(opts))

    # target group
    elb = aws("elbv2")
    tg = elb.describe_target_groups(TargetGroupArns=[values["target_group_arn"]])[
        "TargetGroups"][0]
    ck.true("target group name <= 32", len(tg["TargetGroupName"]) <= 32, tg["TargetGroupName"])
    for key, want in (("Protocol", "HTTP"), ("Port", 3000), ("TargetType", "ip"),
                      ("VpcId", plat.vpc_id), ("HealthCheckPath", "/"),
                      ("HealthCheckIntervalSeconds", 30), ("HealthCheckTimeoutSeconds", 10),
                      ("HealthyThresholdCount", 2), ("UnhealthyThresholdCount", 3)):
        ck.eq(f"target group {key}", tg.get(key), want)
    ck.eq("target group Matcher", tg.get("Matcher", {}).get("HttpCode"), "200-399")
    attrs = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(
        TargetGroupArn=values["target_group_arn"])["Attributes"]}
    for key, want in (("stickiness.enabled", "true"), ("stickiness.type", "lb_cookie"),
                      ("stickiness.lb_cookie.duration_seconds", "86400"),
                      ("deregistration_delay.timeout_seconds", "30")):
        ck.eq(f"target group attribute {key}", attrs.get(key), want)
    ck.eq("target group tags", svc.tags_of(aws, "elbv2", values["target_group_arn"]),
          want_tags)

    # listener rule
    rules = elb.describe_rules(RuleArns=[values["listener_rule_arn"]])["Rules"]
    r = rules[0] if rules else {}
    ck.eq("rule priority", r.get("Priority"), "100")
    conds = {x["Field"]: x for x in r.get("Conditions", [])}
    ck.eq("rule condition fields", sorted(conds), ["host-header", "path-pattern"])
    ck.eq("rule host-header", _values_of(conds.get("host-header", {}), "HostHeaderConfig"),
          ["app.example.com"])
    ck.eq("rule path-pattern", _values_of(conds.get("path-pattern", {}), "PathPatternConfig"),
          ["/*"])
    acts = r.get("Actions", [])
    ck.eq("rule actions", [(a["Type"], a.get("TargetGroupArn")) for a in acts],
          [("forward", values["target_group_arn"])])
    ck.true("rule on the platform listener", values["listener_rule_arn"].startswith(
        plat.listener_arn.replace(":listener/", ":listener-rule/")), values["listener_rule_arn"])
    ck.eq("rule tags", svc.tags_of(aws, "elbv2", values["listener_rule_arn"]), want_tags)

    # log group
    groups = [g for g in aws("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{NAME}")[
        "logGroups"] if g["logGroupName"] == f"/ecs/{NAME}"]
    ck.eq("log group exists", len(groups), 1)
    if groups:
        ck.eq("log group retention", groups[0].get("retentionInDays"), 14)
        ck.eq("log group tags", aws("logs").list_tags_log_group(
            logGroupName=f"/ecs/{NAME}").get("tags", {}), want_tags)

    # autoscaling
    aas = aws("application-autoscaling")
    rid = f"service/{plat.cluster}/{NAME}"
    targets = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])[
        "ScalableTargets"]
    ck.eq("scalable targets", [(x["ScalableDimension"], x["MinCapacity"], x["MaxCapacity"])
                               for x in targets], [("ecs:service:DesiredCount", 2, 10)])
    if targets:
        ck.eq("scalable target tags", svc.tags_of(aws, "application-autoscaling",
                                                  targets[0]["ScalableTargetARN"]), want_tags)
    policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=rid)[
        "ScalingPolicies"]
    by_metric = {}
    for p in policies:
        cfg = p.get("TargetTrackingScalingPolicyConfiguration") or {}
        spec = cfg.get("PredefinedMetricSpecification") or {}
        by_metric[spec.get("PredefinedMetricType")] = (
            p.get("PolicyType"), cfg.get("TargetValue"), cfg.get("ScaleInCooldown"),
            cfg.get("ScaleOutCooldown"), spec.get("ResourceLabel"))
    lb_part = plat.lb_arn.split(":loadbalancer/", 1)[1]
    tg_part = values["target_group_arn"].split(":", 5)[5]
    label = f"{lb_part}/{tg_part}"
    ck.eq("scaling policies", by_metric, {
        "ECSServiceAverageCPUUtilization": ("TargetTrackingScaling", 70, 300, 60, None),
        "ECSServiceAverageMemoryUtilization": ("TargetTrackingScaling", 80, 300, 60, None),
        "ALBRequestCountPerTarget": ("TargetTrackingScaling", 1000, 300, 60, label),
    })
    actions = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=rid)[
        "ScheduledActions"]
    ck.eq("scheduled actions", sorted(
        (a["ScheduledActionName"], a["Schedule"], a.get("Timezone"),
         a["ScalableTargetAction"].get("MinCapacity"),
         a["ScalableTargetAction"].get("MaxCapacity")) for a in actions), [
        ("after-hours", "cron(0 18 ? * MON-FRI *)", "America/Sao_Paulo", 2, 4),
        ("business-hours", "cron(0 8 ? * MON-FRI *)", "America/Sao_Paulo", 2, 10),
    ])
    ck.done()


def assert_no_orphans(aws, plat, tf) -> None:
    values = svc.state_values(tf)
    orphans = svc.unknown_objects(aws, plat, values)
    assert not orphans, ("AWS objects that state does not know (orphans):\n"
                         + svc.dump(orphans) + "\nstate:\n" + svc.dump(values))


def assert_nothing_left(aws, plat, keep_log_group: bool = False) -> None:
    inv = svc.inventory(aws, plat)
    want = {k: set() for k in inv}
    if keep_log_group:
        want["log_groups"] = {f"/ecs/{NAME}"}
    assert inv == want, "left behind after destroy:\n" + svc.dump(
        {k: v for k, v in inv.items() if v != want[k]})


# ---- 1, 2: create, then an empty plan -------------------------------------------------


def test_create_shows_the_bundle_applies_it_and_replans_empty(tf, aws, plat):
    tf.write(svc.config(plat))
    tf.init().ok()
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["create"], ch.actions
    for path, want in {
        "name": NAME, "cluster": plat.cluster, "image_tag": "v1", "cpu": 1024,
        "memory": 2048, "port": 3000, "id": f"{plat.cluster}/{NAME}",
        "log_group_name": f"/ecs/{NAME}", "tags_all.Project": "TalentBase",
        "tags_all.Service": "web", "health_check.start_period": 180,
        "network.assign_public_ip": False, "load_balancer.priority": 100,
        "load_balancer.health_check.matcher": "200-399",
        "load_balancer.deregistration_delay": 30, "deployment.rollback": True,
        "deployment.health_check_grace_period": 180, "capacity.spot_weight": 40,
        "autoscaling.requests_per_target": 1000,
        "autoscaling.schedule[1].name": "after-hours", "logs.retention_days": 14,
        "logs.retain_on_destroy": False, "enable_execute_command": True,
    }.items():
        assert ch.after.get(path) == want, (path, ch.after.get(path), svc.dump(ch.after))
    unknown = {"arn", "task_definition_arn", "task_definition_revision", "target_group_arn",
               "listener_rule_arn", "deployed_image", "load_balancer.vpc_id"}
    assert unknown <= ch.unknown, sorted(unknown - ch.unknown)
    nothing = svc.inventory(aws, plat)
    assert not any(nothing.values()), "plan created AWS objects: " + svc.dump(nothing)

    tf.apply(plan_file="tb.plan").ok()
    values = svc.state_values(tf)
    check_bundle(aws, plat, values)
    assert_no_orphans(aws, plat, tf)

    second = tf.plan(detailed_exitcode=True)
    second.expect_rc(0)
    assert "No changes" in second.stdout, second.describe()


# ---- 3: in-place update ---------------------------------------------------------------

# Calls an image change may make; everything else of the bundle stays put.
UPDATE_CALLS = {"RegisterTaskDefinition", "UpdateService", "DeregisterTaskDefinition"}
MUTATING = re.compile(r"^(Create|Delete|Put|Register|Deregister|Modify|Update|Set|Tag|Untag|"
                      r"Add|Remove)")


def test_new_image_tag_updates_only_the_task_definition(tf, aws, moto, plat):
    before = applied(tf, plat)
    inv_before = svc.inventory(aws, plat)
    ch = svc.planned_changes(tf, vars={"image_tag": "v2"})[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    assert set(ch.changed()) == {"image_tag"} | TD_OUTPUTS, svc.dump(ch.changed())

    moto.clear_calls()
    tf.apply(plan_file="tb.plan").ok()
    mutating = sorted({c["action"] for c in moto.calls() if MUTATING.match(c["action"] or "")})
    assert set(mutating) <= UPDATE_CALLS, f"the update touched more than it should: {mutating}"

    after = svc.state_values(tf)
    assert after["task_definition_revision"] == before["task_definition_revision"] + 1
    for key in ("arn", "target_group_arn", "listener_rule_arn", "log_group_name"):
        assert after[key] == before[key], (key, before[key], after[key])
    check_bundle(aws, plat, after, image_tag="v2")
    old = aws("ecs").describe_task_definition(taskDefinition=before["task_definition_arn"])
    assert old["taskDefinition"]["status"] == "INACTIVE", "the old revision is still ACTIVE"
    inv_after = svc.inventory(aws, plat)
    assert inv_after["task_definitions"] == {after["task_definition_arn"]}
    for kind in ("services", "target_groups", "rules", "log_groups", "scalable_targets",
                 "scaling_policies", "scheduled_actions"):
        assert inv_after[kind] == inv_before[kind], (kind, inv_before[kind], inv_after[kind])

    tf.plan(detailed_exitcode=True, vars={"image_tag": "v2"}).expect_rc(0)


def test_autoscaling_owns_the_desired_count(tf, aws, moto, plat):
    """Application Auto Scaling scales the service out; the provider neither
    shows that as a diff nor resets it on the next deploy."""
    applied(tf, plat)
    scaled = svc.TASKS + 3
    aws("ecs").update_service(cluster=plat.cluster, service=NAME, desiredCount=scaled)
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=scaled)
    tf.plan(detailed_exitcode=True).expect_rc(0)

    ch = svc.planned_changes(tf, vars={"image_tag": "v2"})[ADDRESS]
    assert "desired_count" not in ch.changed(), svc.dump(ch.changed())
    tf.apply(plan_file="tb.plan").ok()
    s = svc.describe_service(aws, plat)
    assert s["desiredCount"] == scaled, f"the deploy reset the desired count to {s['desiredCount']}"
    assert s["taskDefinition"].endswith(":2"), s["taskDefinition"]
    tf.plan(detailed_exitcode=True, vars={"image_tag": "v2"}).expect_rc(0)


def test_aws_error_names_step_operation_code_and_attribute(tf, aws, plat):
    """A create that AWS refuses fails with the step, the operation, the AWS
    error code and request ID, on the attribute that explains it; what was
    created before the failure is in state (nothing orphaned). Offline:
    preflight refuses a missing cluster at plan already (TB023,
    test_preflight.py)."""
    tf.write(svc.config(plat, {"cluster": "no-such-cluster"},
                        provider={**svc.PROVIDER, "preflight": False}))
    tf.init().ok()
    res = tf.apply(json=True)
    res.failed()
    d = res.assert_diagnostic(
        summary=re.compile(r'creating ECS service for talentbase_service "[^"]+": '
                           r"ecs CreateService: ClusterNotFoundException: .*\(request id \S+\)"),
        attribute="cluster")
    assert d is not None
    assert not svc.unknown_objects(aws, plat, svc.state_values(tf)), "objects outside state"


def test_settings_update_in_place_touches_only_their_objects(tf, aws, moto, plat):
    """Rule priority, target group attribute, scaling bounds, a removed
    schedule, log retention and a new tag: each object changes in place, the
    task definition and the service stay as they are."""
    before = applied(tf, plat)
    tf.write(svc.config(plat, {
        "load_balancer.priority": 120, "load_balancer.deregistration_delay": 15,
        "autoscaling.max_capacity": 8,
        "autoscaling.schedule": [Block(name="business-hours", schedule="cron(0 8 ? * MON-FRI *)",
                                       timezone="America/Sao_Paulo", min_capacity=2,
                                       max_capacity=8)],
        "logs.retention_days": 30, "tags": {"Service": "web", "Team": "core"},
    }))
    ch = svc.planned_changes(tf)[ADDRESS]
    removed = {f"autoscaling.schedule[1].{k}" for k in
               ("name", "schedule", "timezone", "min_capacity", "max_capacity")}
    assert ch.actions == ["update"], ch.actions
    assert set(ch.changed()) == {
        "load_balancer.priority", "load_balancer.deregistration_delay",
        "autoscaling.max_capacity", "autoscaling.schedule[0].max_capacity",
        "logs.retention_days", "tags.Team", "tags_all.Team"} | removed, \
        svc.dump(ch.changed())

    moto.clear_calls()
    tf.apply(plan_file="tb.plan").ok()
    calls = {c["action"] for c in moto.calls() if MUTATING.match(c["action"] or "")}
    assert not calls & {"RegisterTaskDefinition", "DeregisterTaskDefinition", "CreateService",
                        "CreateTargetGroup", "CreateRule", "DeleteRule", "CreateLogGroup"}, \
        sorted(calls)
    after = svc.state_values(tf)
    for key in ("arn", "task_definition_arn", "target_group_arn", "listener_rule_arn"):
        assert after[key] == before[key], (key, before[key], after[key])

    ck = Soft("the update did not reach AWS")
    ck.eq("rule priority", _rule(aws, after)["Priority"], "120")
    ck.eq("deregistration delay", _tg_attr(aws, after, "deregistration_delay.timeout_seconds"),
          "15")
    rid = f"service/{plat.cluster}/{NAME}"
    aas = aws("application-autoscaling")
    target = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])[
        "ScalableTargets"][0]
    ck.eq("scalable target bounds", (target["MinCapacity"], target["MaxCapacity"]), (2, 8))
    ck.eq("scheduled actions", sorted(
        (a["ScheduledActionName"], a["ScalableTargetAction"].get("MaxCapacity"))
        for a in aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=rid)[
            "ScheduledActions"]), [("business-hours", 8)])
    ck.eq("log retention", _retention(aws), 30)
    want_tags = {**svc.DEFAULT_TAGS, "Service": "web", "Team": "core"}
    ck.eq("service tags", svc.tags_of(aws, "ecs", after["arn"]), want_tags)
    td = aws("ecs").describe_task_definition(taskDefinition=after["task_definition_arn"],
                                             include=["TAGS"])
    ck.eq("task definition tags", {t["key"]: t["value"] for t in td.get("tags", [])}, want_tags)
    ck.eq("target group tags", svc.tags_of(aws, "elbv2", after["target_group_arn"]), want_tags)
    ck.eq("rule tags", svc.tags_of(aws, "elbv2", after["listener_rule_arn"]), want_tags)
    ck.eq("log group tags", aws("logs").list_tags_log_group(logGroupName=f"/ecs/{NAME}").get(
        "tags", {}), want_tags)
    ck.eq("scalable target tags", svc.tags_of(aws, "application-autoscaling",
                                              target["ScalableTargetARN"]), want_tags)
    ck.done()
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_port_change_plans_a_replacement(tf, aws, plat):
    applied(tf, plat)
    tf.write(svc.config(plat, {"port": 8080, "health_check.command": [
        "CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"]}))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions in (["delete", "create"], ["create", "delete"]), ch.actions
    assert ["port"] in ch.replace_paths, ch.replace_paths


# ---- 4: drift -------------------------------------------------------------------------


def _drift_task_definition(aws, plat, v):
    ecs = aws("ecs")
    t = ecs.describe_task_definition(taskDefinition=v["task_definition_arn"])["taskDefinition"]
    keep = {k: t[k] for k in ("family", "containerDefinitions", "cpu", "memory", "networkMode",
                              "requiresCompatibilities", "executionRoleArn", "taskRoleArn")
            if k in t}
    keep["containerDefinitions"][0]["image"] = f"{IMAGE}:hotfix"
    arn = ecs.register_task_definition(**keep)["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=plat.cluster, service=NAME, taskDefinition=arn)


def _restored_task_definition(aws, plat, v):
    td = svc.describe_service(aws, plat)["taskDefinition"]
    image = aws("ecs").describe_task_definition(taskDefinition=td)["taskDefinition"][
        "containerDefinitions"][0]["image"]
    return image == f"{IMAGE}:v1", image


def _tg_attr(aws, v, key):
    return {a["Key"]: a["Value"] for a in aws("elbv2").describe_target_group_attributes(
        TargetGroupArn=v["target_group_arn"])["Attributes"]}.get(key)


def _rule(aws, v):
    return aws("elbv2").describe_rules(RuleArns=[v["listener_rule_arn"]])["Rules"][0]


def _policy(aws, plat, metric):
    for p in aws("application-autoscaling").describe_scaling_policies(
            ServiceNamespace="ecs", ResourceId=f"service/{plat.cluster}/{NAME}")[
            "ScalingPolicies"]:
        cfg = p["TargetTrackingScalingPolicyConfiguration"]
        if cfg["PredefinedMetricSpecification"]["PredefinedMetricType"] == metric:
            return p
    raise AssertionError(f"no {metric} policy")


def _drift_policy(aws, plat, v):
    p = _policy(aws, plat, "ECSServiceAverageCPUUtilization")
    cfg = dict(p["TargetTrackingScalingPolicyConfiguration"], TargetValue=55.0)
    aws("application-autoscaling").put_scaling_policy(
        PolicyName=p["PolicyName"], ServiceNamespace="ecs", ResourceId=p["ResourceId"],
        ScalableDimension=p["ScalableDimension"], PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=cfg)


def _schedule(aws, plat, name):
    for a in aws("application-autoscaling").describe_scheduled_actions(
            ServiceNamespace="ecs", ResourceId=f"service/{plat.cluster}/{NAME}")[
            "ScheduledActions"]:
        if a["ScheduledActionName"] == name:
            return a
    raise AssertionError(f"no scheduled action {name}")


def _drift_schedule(aws, plat, v):
    a = _schedule(aws, plat, "business-hours")
    aws("application-autoscaling").put_scheduled_action(
        ServiceNamespace="ecs", ScheduledActionName=a["ScheduledActionName"],
        ResourceId=a["ResourceId"], ScalableDimension=a["ScalableDimension"],
        Schedule="cron(0 9 ? * MON-FRI *)", Timezone=a["Timezone"],
        ScalableTargetAction=a["ScalableTargetAction"])


def _retention(aws):
    return aws("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{NAME}")["logGroups"][0].get(
        "retentionInDays")


# name -> (change AWS, the plan's expected changes {path: (refreshed, config)},
#          extra paths that may go unknown, check that apply restored AWS)
DRIFTS = {
    "task definition": (
        _drift_task_definition, {"image_tag": ("hotfix", "v1")}, TD_OUTPUTS,
        _restored_task_definition),
    "target group deregistration delay": (
        lambda aws, plat, v: aws("elbv2").modify_target_group_attributes(
            TargetGroupArn=v["target_group_arn"],
            Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "120"}]),
        {"load_balancer.deregistration_delay": (120, 30)}, set(),
        lambda aws, plat, v: (_tg_attr(aws, v, "deregistration_delay.timeout_seconds") == "30",
                              _tg_attr(aws, v, "deregistration_delay.timeout_seconds"))),
    "listener rule priority": (
        lambda aws, plat, v: aws("elbv2").set_rule_priorities(
            RulePriorities=[{"RuleArn": v["listener_rule_arn"], "Priority": 150}]),
        {"load_balancer.priority": (150, 100)}, set(),
        lambda aws, plat, v: (_rule(aws, v)["Priority"] == "100", _rule(aws, v)["Priority"])),
    "listener rule host header": (
        lambda aws, plat, v: aws("elbv2").modify_rule(
            RuleArn=v["listener_rule_arn"], Conditions=[
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["evil.example.com"]}},
                {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}]),
        {"load_balancer.host_headers[0]": ("evil.example.com", "app.example.com")}, set(),
        lambda aws, plat, v: ("app.example.com" in str(_rule(aws, v)["Conditions"]),
                              _rule(aws, v)["Conditions"])),
    "scaling policy target": (
        _drift_policy, {"autoscaling.cpu_target": (55, 70)}, set(),
        lambda aws, plat, v: (
            _policy(aws, plat, "ECSServiceAverageCPUUtilization")[
                "TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70,
            _policy(aws, plat, "ECSServiceAverageCPUUtilization"))),
    "scheduled action": (
        _drift_schedule,
        {"autoscaling.schedule[0].schedule": ("cron(0 9 ? * MON-FRI *)",
                                              "cron(0 8 ? * MON-FRI *)")}, set(),
        lambda aws, plat, v: (
            _schedule(aws, plat, "business-hours")["Schedule"] == "cron(0 8 ? * MON-FRI *)",
            _schedule(aws, plat, "business-hours"))),
    "log retention": (
        lambda aws, plat, v: aws("logs").put_retention_policy(
            logGroupName=v["log_group_name"], retentionInDays=90),
        {"logs.retention_days": (90, 14)}, set(),
        lambda aws, plat, v: (_retention(aws) == 14, _retention(aws))),
}


def test_drift_shows_exactly_the_changed_attribute(tf, aws, plat):
    """Each out-of-band change in turn: the plan changes exactly that
    attribute (plus the computed values a new revision replaces), and
    applying it puts AWS back. All drifts run; failures are reported
    together."""
    values = applied(tf, plat)
    failures = []
    for name, (drift, expected, may_be_unknown, restored) in DRIFTS.items():
        drift(aws, plat, values)
        ch = svc.planned_changes(tf)[ADDRESS]
        got = ch.changed()
        want_paths = set(expected) | set(may_be_unknown)
        if ch.actions != ["update"] or set(got) != want_paths:
            failures.append(f"{name}: plan {ch.actions} changes {svc.dump(got)}, "
                            f"want update of {sorted(want_paths)}")
        else:
            for path, (before, after) in expected.items():
                if got[path] != (before, after):
                    failures.append(f"{name}: {path} planned {got[path]}, "
                                    f"want {(before, after)}")
        res = tf.apply(plan_file="tb.plan")
        if res.rc != 0:
            failures.append(f"{name}: apply failed:\n{res.describe(20)}")
            break
        ok, seen = restored(aws, plat, values)
        if not ok:
            failures.append(f"{name}: apply did not restore AWS, it holds {seen!r}")
        values = svc.state_values(tf)
        again = tf.plan(detailed_exitcode=True)
        if again.rc != 0:
            failures.append(f"{name}: the plan after the repair is not empty:\n"
                            f"{again.describe(40)}")
    assert not failures, "\n\n".join(failures)


def test_repairing_a_task_definition_drift_leaves_one_active_revision(tf, aws, plat):
    """After someone points the service at their own revision and the apply
    puts the configured image back, the family has one ACTIVE revision: the
    one in state (the provider's first revision is not left behind)."""
    values = applied(tf, plat)
    _drift_task_definition(aws, plat, values)
    tf.apply().ok()
    values = svc.state_values(tf)
    active = aws("ecs").list_task_definitions(familyPrefix=NAME, status="ACTIVE")[
        "taskDefinitionArns"]
    assert active == [values["task_definition_arn"]], (active, values["task_definition_arn"])


# ---- 5: import ------------------------------------------------------------------------


def _comparable(values: dict) -> dict:
    """State values without what is not AWS's; scheduled actions by name
    (their order is checked by the plan)."""
    out = {k: v for k, v in values.items() if k not in ("timeouts", "acknowledge")}
    scaling = out.get("autoscaling")
    if isinstance(scaling, dict) and scaling.get("schedule"):
        out["autoscaling"] = dict(scaling, schedule=sorted(scaling["schedule"],
                                                           key=lambda x: x["name"]))
    return out


def test_import_command_reads_back_the_whole_bundle(tf, aws, plat):
    created = applied(tf, plat)
    tf.run("state", "rm", ADDRESS).ok()
    assert svc.state_values(tf) is None
    tf.import_(ADDRESS, f"{plat.cluster}/{NAME}").ok()
    imported = svc.state_values(tf)
    res = tf.plan(detailed_exitcode=True)
    assert res.rc == 0, "the plan after import is not empty:\n" + res.describe(80)
    want, got = _comparable(created), _comparable(imported)
    diff = {k: (want.get(k), got.get(k)) for k in want if want.get(k) != got.get(k)}
    assert not diff, "imported state differs from the created one:\n" + svc.dump(diff)


def test_import_block_plans_no_change(tf, aws, plat):
    applied(tf, plat)
    tf.run("state", "rm", ADDRESS).ok()
    block = f'import {{\n  to = {ADDRESS}\n  id = "{plat.cluster}/{NAME}"\n}}\n'
    tf.write(svc.config(plat, extra=block))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.raw["change"].get("importing"), svc.dump(ch.raw)
    assert ch.actions == ["no-op"] and not ch.changed(), (ch.actions, svc.dump(ch.changed()))
    tf.apply(plan_file="tb.plan").ok()
    tf.plan(detailed_exitcode=True).expect_rc(0)
    assert_no_orphans(aws, plat, tf)


# ---- 6: deleted out of band -----------------------------------------------------------


def test_service_deleted_out_of_band_is_planned_again(tf, aws, plat):
    applied(tf, plat)
    aws("ecs").delete_service(cluster=plat.cluster, service=NAME, force=True)
    ch = svc.planned_changes(tf)[ADDRESS]
    # "create", or a replacement when state keeps the rest of the bundle
    assert ch.actions in (["create"], ["delete", "create"]), (ch.actions,
                                                              svc.dump(ch.changed()))
    assert ch.unknown >= {"arn", "task_definition_arn"}, sorted(ch.unknown)


def test_recreate_after_out_of_band_delete_converges(tf, aws, plat):
    """The plan of the test above, applied: the service comes back and the
    rest of the old bundle (target group, rule, scaling, log group) is
    neither duplicated nor left orphaned."""
    applied(tf, plat)
    aws("ecs").delete_service(cluster=plat.cluster, service=NAME, force=True)
    tf.apply().ok()
    values = svc.state_values(tf)
    check_bundle(aws, plat, values)
    assert_no_orphans(aws, plat, tf)
    tf.plan(detailed_exitcode=True).expect_rc(0)


# ---- 7: a step fails ------------------------------------------------------------------


@pytest.mark.parametrize("action", ["CreateRule", "CreateService", "RegisterScalableTarget",
                                    "PutScalingPolicy"])
def test_failed_step_leaves_no_orphan_and_the_next_apply_converges(tf, aws, moto, plat,
                                                                    action):
    tf.write(svc.config(plat))
    tf.init().ok()
    moto.inject_fault(action, status=400, code="ValidationException",
                      message=f"injected {action} failure")
    res = tf.apply().failed()
    assert f"injected {action} failure" in res.output, res.describe()
    assert action in res.output, "the error should name the AWS operation\n" + res.describe()
    r = svc.state_resource(tf)
    if r is not None:
        assert r.get("tainted") is True, "a half-created bundle must be tainted: " + svc.dump(r)
    assert_no_orphans(aws, plat, tf)

    moto.clear_faults()
    tf.apply().ok()
    check_bundle(aws, plat, svc.state_values(tf))
    assert_no_orphans(aws, plat, tf)
    tf.plan(detailed_exitcode=True).expect_rc(0)
    tf.destroy().ok()
    assert_nothing_left(aws, plat)


# ---- 8: destroy -----------------------------------------------------------------------


@pytest.mark.parametrize("retain", [False, True], ids=["delete-logs", "retain-logs"])
def test_destroy_leaves_nothing_behind(tf, aws, plat, retain):
    values = applied(tf, plat, {"logs.retain_on_destroy": retain})
    tf.destroy().ok()
    assert svc.state_values(tf) is None
    assert_nothing_left(aws, plat, keep_log_group=retain)
    s = svc.describe_service(aws, plat)
    assert s is None or s["status"] == "INACTIVE", s
    td = aws("ecs").describe_task_definition(taskDefinition=values["task_definition_arn"])
    assert td["taskDefinition"]["status"] == "INACTIVE"


# ---- timeouts and interrupts ------------------------------------------------------------


def test_create_times_out_waiting_for_steady_state(tofu, aws, moto, plat):
    """No task ever runs: the create gives up after timeouts.create with a
    diagnostic naming the wait, and state keeps the whole (tainted) bundle."""
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=0)
    tofu.write(svc.config(plat, {"timeouts": Block(create="20s")}))
    tofu.init().ok()
    start = time.monotonic()
    res = tofu.apply(timeout=180).failed()
    took = time.monotonic() - start
    assert took < 45, f"apply took {took:.0f}s with timeouts.create = 20s"
    assert re.search(r"(?i)time(d)? ?out|deadline", res.output), res.describe()
    assert re.search(r"(?i)steady|rollout|deployment|wait", res.output), res.describe()
    r = svc.state_resource(tofu)
    assert r is not None and r.get("tainted") is True, svc.dump(r)
    assert r["values"].get("arn"), "the service is in AWS, so its ARN belongs in state"
    assert_no_orphans(aws, plat, tofu)


def test_without_waiting_apply_returns_before_the_rollout(tofu, aws, moto, plat):
    """wait_for_steady_state = false: the apply ends while no task runs,
    deployed_image stays unset until a rollout completes, and the next plan
    is empty."""
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=0)
    tofu.write(svc.config(plat, {"deployment.wait_for_steady_state": False,
                                 "timeouts": Block(create="20s")}))
    tofu.init().ok()
    start = time.monotonic()
    tofu.apply().ok()
    assert time.monotonic() - start < 15
    values = svc.state_values(tofu)
    assert values["arn"] and not values.get("deployed_image"), svc.dump(values)
    tofu.plan(detailed_exitcode=True).expect_rc(0)


def _register_copy(aws, arn: str, family: str, tag: str) -> str:
    """Registers, outside Terraform, a copy of revision arn in family with
    another image tag; returns the new revision's ARN."""
    ecs = aws("ecs")
    t = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    keep = {k: t[k] for k in ("containerDefinitions", "cpu", "memory", "networkMode",
                              "requiresCompatibilities", "executionRoleArn", "taskRoleArn")
            if k in t}
    keep["containerDefinitions"][0]["image"] = f"{IMAGE}:{tag}"
    return ecs.register_task_definition(family=family, **keep)["taskDefinition"][
        "taskDefinitionArn"]


def _active(aws, family: str) -> set[str]:
    return {a for a in aws("ecs").list_task_definitions(
        familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
        if a.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family}


def test_update_without_waiting_keeps_the_serving_revision(tofu, aws, moto, plat):
    """A new image with wait_for_steady_state = false while no new task
    runs: deployed_image stays the image that still serves, the serving and
    the new revision stay ACTIVE, a stray revision of the family goes, a
    family that merely starts with the name is untouched, and the next plan
    is empty."""
    no_wait = {"deployment.wait_for_steady_state": False}
    first = applied(tofu, plat, no_wait)
    assert not first.get("deployed_image"), svc.dump(first)
    tofu.plan(detailed_exitcode=True).expect_rc(0)
    tofu.apply("-refresh-only").ok()  # a refresh sees the rollout complete
    assert svc.state_values(tofu)["deployed_image"] == f"{IMAGE}:v1"
    stray = _register_copy(aws, first["task_definition_arn"], NAME, "stray")
    other = _register_copy(aws, first["task_definition_arn"], f"{NAME}-worker", "v1")

    moto.set_env(MOTO_ECS_SERVICE_RUNNING=0)
    tofu.apply(vars={"image_tag": "v2"}).ok()
    after = svc.state_values(tofu)
    assert after["deployed_image"] == f"{IMAGE}:v1", svc.dump(after)
    assert _active(aws, NAME) == {first["task_definition_arn"], after["task_definition_arn"]}, \
        (stray, _active(aws, NAME))
    assert _active(aws, f"{NAME}-worker") == {other}
    tofu.plan(detailed_exitcode=True, vars={"image_tag": "v2"}).expect_rc(0)


def test_interrupt_stops_the_steady_state_wait(tofu, aws, moto, plat):
    """Ctrl-C during the wait: OpenTofu calls StopProvider, the apply ends
    promptly, and what was created is in state."""
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=0)
    tofu.write(svc.config(plat, {"timeouts": Block(create="10m")}))
    tofu.init().ok()
    argv = [str(tofu.binary), "apply", "-input=false", "-no-color", "-auto-approve"]
    proc = subprocess.Popen(argv, cwd=tofu.workdir, env=tofu.env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while svc.describe_service(aws, plat) is None:
            assert proc.poll() is None, "apply ended before the service existed:\n" + \
                proc.stdout.read()
            assert time.monotonic() < deadline, "the service never appeared"
            time.sleep(0.3)
        time.sleep(2)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        stopped = time.monotonic()
        out, _ = proc.communicate(timeout=60)
        took = time.monotonic() - stopped
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    (tofu.workdir / "interrupted-apply.out").write_text(out)
    assert proc.returncode != 0, out
    assert took < 15, f"apply needed {took:.0f}s to stop after the interrupt:\n{out[-3000:]}"
    r = svc.state_resource(tofu)
    assert r is not None and r["values"].get("arn"), \
        "the created service must be in state after the interrupt:\n" + out[-3000:]
    assert_no_orphans(aws, plat, tofu)


# ---- examples/complete ------------------------------------------------------------------


def _example_platform(aws) -> svc.Platform:
    """What scripts/demo_platform.py created, found with boto3 the way the
    example's data "talentbase_platform" finds it by name."""
    elb = aws("elbv2")
    lb = elb.describe_load_balancers(Names=["talentbase-prod"])["LoadBalancers"][0]
    listener = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    plat = svc.Platform(cluster="talentbase-prod", vpc_id=lb["VpcId"], subnets=[], service_sg="",
                        listener_arn=listener["ListenerArn"], lb_arn=lb["LoadBalancerArn"],
                        execution_role_arn="", task_role_arn="", secret_arn="")
    plat.default_rules = {r["RuleArn"] for r in elb.describe_rules(
        ListenerArn=plat.listener_arn)["Rules"]}
    return plat


def test_example_complete_stack(tf, aws, moto):
    """The documented example (two services with their generated secrets, a
    parameter, alarm sets and the RDS Proxy the API connects through,
    production defaults) on the platform scripts/demo_platform.py creates, as
    `make demo` runs it (looked up by name with data "talentbase_platform",
    preflight on): apply, the secrets' check (values in AWS, not in the
    state), an empty second plan, destroy (production keeps the log groups
    and schedules the secrets' deletion)."""
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=svc.TASKS)
    for f in (paths.REPO / "examples" / "complete").glob("*.tf"):
        shutil.copy(f, tf.path(f.name))
    tag = {"image_tag": "sha-3f9c2e1"}
    out = subprocess.run([sys.executable, str(paths.REPO / "scripts" / "demo_platform.py"),
                          "--endpoint", moto.url, "--image-tag", tag["image_tag"]],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    tf.write(out, name="platform.auto.tfvars.json")
    tfvars = json.loads(out)
    plat = _example_platform(aws)
    tf.init().ok()
    first = tf.plan(vars=tag).ok()  # the platform passes every preflight rule
    assert not re.search(r"TB02[1-7]|Preflight", first.output), first.output
    tf.apply(vars=tag).ok()
    inv = svc.inventory(aws, plat)
    assert len(inv["services"]) == 2 and len(inv["target_groups"]) == 2 and \
        len(inv["rules"]) == 2, svc.dump(inv)
    outputs = tf.output_json().ok().json
    assert outputs["web_deployed_image"]["value"].endswith("/web:sha-3f9c2e1"), outputs
    check = subprocess.run([sys.executable, str(paths.REPO / "scripts" / "demo_platform.py"),
                            "--endpoint", moto.url, "--check-secrets",
                            str(tf.path("terraform.tfstate"))],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "SESSION_SECRET: 64 characters" in check.stdout, \
        check.stdout + check.stderr
    td = aws("ecs").describe_task_definition(
        taskDefinition=svc.state_values(tf)["task_definition_arn"])["taskDefinition"]
    refs = {x["name"]: x["valueFrom"] for x in td["containerDefinitions"][0]["secrets"]}
    assert refs["SESSION_SECRET"] == outputs["session_secret_env_refs"]["value"]["SESSION_SECRET"]
    assert refs["API_URL"] == outputs["api_url_parameter"]["value"]
    alarms = outputs["alarm_names"]["value"]
    # six per service (each behind the load balancer), and the API's proxy connections
    assert len(alarms) == 13, alarms
    got = aws("cloudwatch").describe_alarms(AlarmNames=alarms)["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in got) == sorted(alarms)
    assert all(a["AlarmActions"] == [tfvars["alerts_topic_arn"]] for a in got), got
    # the API reaches its database through the proxy: DB_HOST / DB_PORT from its env
    proxy = aws("rds").describe_db_proxies(DBProxyName="talentbase-production-rds-proxy")[
        "DBProxies"][0]
    assert outputs["rds_proxy_endpoint"]["value"] == proxy["Endpoint"], outputs
    api = svc.describe_service(aws, plat, "talentbase-api-production")
    env = {e["name"]: e["value"] for e in aws("ecs").describe_task_definition(
        taskDefinition=api["taskDefinition"])["taskDefinition"]["containerDefinitions"][0][
        "environment"]}
    assert env == {"APP_ENV": "production", "DB_HOST": proxy["Endpoint"], "DB_PORT": "5432"}, env
    assert outputs["cluster_container_insights"]["value"] is True, outputs
    tf.plan(detailed_exitcode=True, vars=tag).expect_rc(0)
    tf.destroy(vars=tag).ok()
    assert not aws("cloudwatch").describe_alarms(AlarmNames=alarms)["MetricAlarms"]
    for s in aws("secretsmanager").list_secrets(IncludePlannedDeletion=True)["SecretList"]:
        assert s.get("DeletedDate"), f"{s['Name']} is not scheduled for deletion"
    inv = svc.inventory(aws, plat)
    assert inv["log_groups"] == {"/ecs/talentbase-web-production",
                                 "/ecs/talentbase-api-production"}, svc.dump(inv)
    assert not any(v for k, v in inv.items() if k != "log_groups"), svc.dump(inv)
    assert aws("rds").describe_db_proxies()["DBProxies"] == []
