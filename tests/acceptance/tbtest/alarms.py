"""talentbase_alarm_set in acceptance tests: a running service to watch
(made with boto3, the way talentbase_service makes one), the HCL of an
alarm set, and what CloudWatch holds, read with boto3 only.

    plat = service.make_platform(aws)
    target = alarms.make_service(aws, plat)          # ECS service + target group + rule
    topic = alarms.topic(aws)                        # SNS topic for the actions
    tf.write(alarms.config(target, topic))           # provider + talentbase_alarm_set.web
    got = alarms.described(aws, "web-dev")           # kind -> describe_alarms item
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from . import hcl
from .hcl import Block
from .service import IMAGE, PROVIDER, Platform

ADDRESS = "talentbase_alarm_set.web"
SERVICE = "web-dev"
DEFAULT_TAGS = {"Project": "TalentBase", "ManagedBy": "Terraform"}

# kind -> alarm name suffix, in the provider's order
SUFFIXES = {
    "cpu_high": "cpu-high",
    "memory_high": "memory-high",
    "running_tasks_low": "running-tasks-low",
    "alb_5xx": "alb-5xx",
    "unhealthy_targets": "unhealthy-targets",
    "latency_high": "latency-high",
    "database_proxy_connections": "db-proxy-connections",
}
ECS_KINDS = ["cpu_high", "memory_high", "running_tasks_low"]
ALB_KINDS = ["alb_5xx", "unhealthy_targets", "latency_high"]


@dataclass
class Target:
    """A service in the emulator, and the dimensions its alarms must use."""
    plat: Platform
    name: str
    service_id: str        # "cluster/name", what talentbase_service.web.id says
    target_group_arn: str | None
    tg_suffix: str | None
    lb_suffix: str | None


def tg_suffix(arn: str) -> str:
    """The TargetGroup dimension of a target group ARN: targetgroup/<name>/<id>."""
    return arn[arn.index(":targetgroup/") + 1:]


def lb_suffix(arn: str) -> str:
    """The LoadBalancer dimension of a load balancer ARN: app/<name>/<id>."""
    return arn[arn.index(":loadbalancer/") + len(":loadbalancer/"):]


def make_target_group(aws, plat: Platform, name: str, priority: int) -> str:
    elb = aws("elbv2")
    tg = elb.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=3000,
                                 VpcId=plat.vpc_id, TargetType="ip")["TargetGroups"][0]
    elb.create_rule(ListenerArn=plat.listener_arn, Priority=priority,
                    Conditions=[{"Field": "path-pattern", "Values": [f"/{name}/*"]}],
                    Actions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    return tg["TargetGroupArn"]


def make_service(aws, plat: Platform, name: str = SERVICE, *, load_balancer: bool = True,
                 priority: int = 100, desired: int = 2, min_capacity: int | None = None) -> Target:
    """An ECS service like the one talentbase_service creates: a Fargate
    service, with a target group on the platform's listener when
    load_balancer; with min_capacity a scalable target too."""
    ecs = aws("ecs")
    td = ecs.register_task_definition(
        family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256",
        memory="512", containerDefinitions=[{
            "name": name, "image": f"{IMAGE}:v1", "essential": True,
            "portMappings": [{"containerPort": 3000}]}])["taskDefinition"]["taskDefinitionArn"]
    tg = make_target_group(aws, plat, name, priority) if load_balancer else None
    kw: dict[str, Any] = {}
    if tg:
        kw["loadBalancers"] = [{"targetGroupArn": tg, "containerName": name,
                                "containerPort": 3000}]
    ecs.create_service(cluster=plat.cluster, serviceName=name, taskDefinition=td,
                       desiredCount=desired, launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {
                           "subnets": plat.subnets, "securityGroups": [plat.service_sg]}},
                       **kw)
    if min_capacity is not None:
        aws("application-autoscaling").register_scalable_target(
            ServiceNamespace="ecs", ResourceId=f"service/{plat.cluster}/{name}",
            ScalableDimension="ecs:service:DesiredCount", MinCapacity=min_capacity,
            MaxCapacity=10)
    return Target(plat, name, f"{plat.cluster}/{name}", tg,
                  tg_suffix(tg) if tg else None, lb_suffix(plat.lb_arn) if tg else None)


def topic(aws, name: str = "talentbase-alerts") -> str:
    return aws("sns").create_topic(Name=name)["TopicArn"]


# ---- configuration ------------------------------------------------------------------


def resource(items: Mapping[str, Any], label: str = "web") -> str:
    return f'resource "talentbase_alarm_set" "{label}" {{\n{hcl.body(items)}\n}}\n'


def settings(target: Target, topic_arn: str | None) -> dict[str, Any]:
    """The spec's example without the proxy block: actions to the topic."""
    items: dict[str, Any] = {"service": target.service_id}
    if topic_arn:
        items["alarm_actions"] = [topic_arn]
        items["ok_actions"] = [topic_arn]
    items["tags"] = {"Service": "web"}
    return items


def config(target: Target, topic_arn: str | None, changes: Mapping[str, Any] | None = None, *,
           provider: Mapping[str, Any] | None = None, extra: str = "") -> str:
    items = {**settings(target, topic_arn), **(changes or {})}
    items = {k: v for k, v in items.items() if v is not DROP}
    body = resource(items)
    if extra:
        body += "\n" + extra.strip("\n") + "\n"
    return hcl.config(provider=PROVIDER if provider is None else provider, body=body)


DROP = object()


# ---- CloudWatch --------------------------------------------------------------------


def name_of(prefix: str, kind: str) -> str:
    return f"{prefix}-{SUFFIXES[kind]}"


def described(aws, prefix: str = SERVICE) -> dict[str, dict]:
    """kind -> the alarm as describe_alarms returns it, for the alarms that
    exist under prefix."""
    names = [name_of(prefix, k) for k in SUFFIXES]
    got = aws("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
    by_name = {a["AlarmName"]: a for a in got}
    return {k: by_name[name_of(prefix, k)] for k in SUFFIXES if name_of(prefix, k) in by_name}


def all_alarms(aws) -> set[str]:
    """Every metric alarm's name in the emulator."""
    out: set[str] = set()
    for page in aws("cloudwatch").get_paginator("describe_alarms").paginate():
        out |= {a["AlarmName"] for a in page["MetricAlarms"]}
    return out


def tags_of(aws, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in
            aws("cloudwatch").list_tags_for_resource(ResourceARN=arn)["Tags"]}


def dims(alarm: dict) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}


# Fields of a describe_alarms item that put_metric_alarm takes back.
_PUT_FIELDS = ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
               "InsufficientDataActions", "MetricName", "Namespace", "Statistic",
               "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods",
               "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
               "EvaluateLowSampleCountPercentile", "Metrics")


def reput(aws, alarm: dict, drop: tuple[str, ...] = (), **changes: Any) -> None:
    """Puts the alarm again as someone editing it in the console would: its
    current definition with `changes` (and without the fields in `drop`)."""
    kw = {k: alarm[k] for k in _PUT_FIELDS if alarm.get(k) not in (None, [], "")}
    if "Metrics" in kw:
        kw.pop("Dimensions", None)
    kw.update(changes)
    for k in drop:
        kw.pop(k, None)
    aws("cloudwatch").put_metric_alarm(**kw)
