"""talentbase_service's wave-2 settings through the real CLIs, checked with
boto3: names a seed stack gives its objects (family, container, log group,
target group) applied and read back with an empty second plan, and which
changes replace the service; app_cookie stickiness; the schedules map.
"""

from __future__ import annotations

import pytest

from tbtest import service as svc
from tbtest.hcl import Block
from tbtest.service import ADDRESS

NAMES = {"family": "fckdoomscroll", "container_name": "app",
         "log_group_name": "/ecs/fckdoomscroll", "target_group_name": "ecs-targets"}


@pytest.fixture
def plat(aws, moto) -> svc.Platform:
    p = svc.make_platform(aws)
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=svc.TASKS)
    return p


def _target_group(aws, name: str) -> dict:
    return aws("elbv2").describe_target_groups(Names=[name])["TargetGroups"][0]


def _attributes(aws, tg_arn: str) -> dict[str, str]:
    return {a["Key"]: a["Value"] for a in aws("elbv2").describe_target_group_attributes(
        TargetGroupArn=tg_arn)["Attributes"]}


def _active_tds(aws, family: str) -> list[str]:
    return aws("ecs").list_task_definitions(familyPrefix=family,
                                            status="ACTIVE")["taskDefinitionArns"]


def test_names_are_applied_read_back_and_replace_what_aws_cannot_rename(tf, aws, plat):
    tf.write(svc.config(plat, NAMES))
    tf.init().ok()
    tf.apply().ok()
    values = svc.state_values(tf)
    for attr, want in NAMES.items():
        assert values[attr] == want, (attr, values[attr])
    td = aws("ecs").describe_task_definition(taskDefinition=values["task_definition_arn"])
    td = td["taskDefinition"]
    assert td["family"] == "fckdoomscroll"
    container = td["containerDefinitions"][0]
    assert container["name"] == "app"
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/ecs/fckdoomscroll"
    assert aws("logs").describe_log_groups(logGroupNamePrefix="/ecs/fckdoomscroll")[
        "logGroups"][0]["retentionInDays"] == 14
    assert values["target_group_arn"] == _target_group(aws, "ecs-targets")["TargetGroupArn"]
    service = svc.describe_service(aws, plat)
    assert service["loadBalancers"][0]["containerName"] == "app"
    tf.plan(detailed_exitcode=True).expect_rc(0)

    # a new target group name replaces the service, and the plan says why
    ch = svc.planned_changes(tf, vars=None, plan_file="tg.plan")
    assert ch[ADDRESS].actions == ["no-op"], ch[ADDRESS].actions
    tf.write(svc.config(plat, {**NAMES, "target_group_name": "ecs-targets-2"}))
    ch = svc.planned_changes(tf, plan_file="rename.plan")[ADDRESS]
    assert ch.actions == ["delete", "create"], ch.actions
    assert ["target_group_name"] in ch.replace_paths, ch.replace_paths

    # a new family rolls the service onto a revision in it, in place
    tf.write(svc.config(plat, {**NAMES, "family": "fckdoomscroll-v2"}))
    ch = svc.planned_changes(tf, plan_file="family.plan")[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    tf.apply().ok()
    after = svc.state_values(tf)
    assert after["arn"] == values["arn"]
    assert ":task-definition/fckdoomscroll-v2:" in after["task_definition_arn"]
    assert _active_tds(aws, "fckdoomscroll-v2") == [after["task_definition_arn"]]
    assert [a for a in _active_tds(aws, "fckdoomscroll") if ":fckdoomscroll:" in a] == []
    tf.plan(detailed_exitcode=True).expect_rc(0)
    tf.destroy().ok()
    assert aws("logs").describe_log_groups(logGroupNamePrefix="/ecs/fckdoomscroll")[
        "logGroups"] == []


def test_invalid_target_group_name_is_refused_at_validate(tf):
    tf.write(svc.config(svc.FAKE_PLATFORM, {"target_group_name": "internal-" + "x" * 30},
                        provider={**svc.PROVIDER, "preflight": False}))
    tf.init().ok()
    res = tf.validate()
    res.expect_rc(1)
    assert "Invalid name" in res.output and "target_group_name" in res.output, res.output


def test_app_cookie_stickiness_and_the_shorthand(tf, aws, plat):
    sticky = {"load_balancer.stickiness_duration": svc.DROP,
              "load_balancer.stickiness": Block(type="app_cookie", cookie_name="TALENTBASE_SID",
                                                duration=3600)}
    tf.write(svc.config(plat, sticky))
    tf.init().ok()
    tf.apply().ok()
    tg_arn = svc.state_values(tf)["target_group_arn"]
    attrs = _attributes(aws, tg_arn)
    assert attrs["stickiness.enabled"] == "true"
    assert attrs["stickiness.type"] == "app_cookie"
    assert attrs["stickiness.app_cookie.cookie_name"] == "TALENTBASE_SID"
    assert attrs["stickiness.app_cookie.duration_seconds"] == "3600"
    tf.plan(detailed_exitcode=True).expect_rc(0)

    # back to the shorthand: an lb_cookie of stickiness_duration seconds
    tf.write(svc.config(plat))
    ch = svc.planned_changes(tf, plan_file="short.plan")[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    tf.apply().ok()
    attrs = _attributes(aws, tg_arn)
    assert attrs["stickiness.type"] == "lb_cookie"
    assert attrs["stickiness.lb_cookie.duration_seconds"] == "86400"
    tf.plan(detailed_exitcode=True).expect_rc(0)

    # both at once is an error on stickiness_duration
    tf.write(svc.config(plat, {"load_balancer.stickiness": Block(type="lb_cookie")}))
    res = tf.validate()
    res.expect_rc(1)
    assert "Conflicting stickiness settings" in res.output, res.output
    tf.write(svc.config(plat))
    tf.destroy().ok()


SCHEDULES = {
    "business-hours": {"schedule": "cron(0 8 ? * MON-FRI *)", "timezone": "America/Sao_Paulo",
                       "min_capacity": 2, "max_capacity": 10},
    "after-hours": {"schedule": "cron(0 18 ? * MON-FRI *)", "min_capacity": 2,
                    "max_capacity": 4},
}


def test_schedules_map(tf, aws, plat):
    tf.write(svc.config(plat, {"autoscaling.schedule": svc.DROP,
                               "autoscaling.schedules": SCHEDULES}))
    tf.init().ok()
    tf.apply().ok()
    actions = {a["ScheduledActionName"]: a for a in aws("application-autoscaling")
               .describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]}
    assert set(actions) == {"business-hours", "after-hours"}
    assert actions["business-hours"]["Timezone"] == "America/Sao_Paulo"
    assert actions["after-hours"]["Timezone"] == "UTC"
    assert actions["after-hours"]["ScalableTargetAction"] == {"MinCapacity": 2, "MaxCapacity": 4}
    values = svc.state_values(tf)
    assert values["autoscaling"]["schedules"]["after-hours"]["timezone"] is None
    assert values["autoscaling"]["schedule"] == []
    tf.plan(detailed_exitcode=True).expect_rc(0)

    # drift on one action shows on its entry
    aws("application-autoscaling").put_scheduled_action(
        ServiceNamespace="ecs", ScheduledActionName="after-hours",
        ResourceId=f"service/{plat.cluster}/{svc.NAME}",
        ScalableDimension="ecs:service:DesiredCount", Schedule="cron(0 18 ? * MON-FRI *)",
        ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 4})
    ch = svc.planned_changes(tf, plan_file="drift.plan")[ADDRESS]
    assert set(ch.changed()) == {"autoscaling.schedules.after-hours.min_capacity"}, \
        ch.changed()

    # both forms at once is an error
    tf.write(svc.config(plat, {"autoscaling.schedules": SCHEDULES}))
    res = tf.validate()
    res.expect_rc(1)
    assert "Schedules written twice" in res.output, res.output
    tf.write(svc.config(plat, {"autoscaling.schedule": svc.DROP,
                               "autoscaling.schedules": SCHEDULES}))
    tf.destroy().ok()
