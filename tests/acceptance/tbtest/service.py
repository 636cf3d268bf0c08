"""talentbase_service in acceptance tests: the platform it runs on, its HCL,
and what AWS holds of it, read with boto3 only.

    plat = service.make_platform(aws)          # cluster, VPC, ALB, roles, secret
    tf.write(service.config(plat))             # provider + one service "web"
    ...
    inv = service.inventory(aws, plat)         # every AWS object of the bundles
    service.unknown_objects(inv, tf)           # objects that state does not know
    service.planned_changes(tf)                # attribute paths a plan changes

The platform objects come from scripts/demo_platform.py (the same code `make
demo` runs), so the tests and the demo use one picture of an account.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from . import hcl, paths
from .hcl import Block, Raw

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web"
NAME = "web-dev"
ADDRESS = "talentbase_service.web"
DEFAULT_TAGS = {"Project": "TalentBase", "ManagedBy": "Terraform"}
PROVIDER = {"region": "us-east-1", "environment": "development", "default_tags": DEFAULT_TAGS}
# The tags CI pushed to the platform's ECR repositories (TB021 checks them).
IMAGE_TAGS = ["v1", "v2", "sha-3f9c2e1"]
# The tasks the service runs with min_capacity = 2: MOTO_ECS_SERVICE_RUNNING
# must equal it for moto's deployment to report a completed rollout.
TASKS = 2


def _demo_platform():
    spec = importlib.util.spec_from_file_location(
        "demo_platform", paths.REPO / "scripts" / "demo_platform.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@dataclass
class Platform:
    cluster: str
    vpc_id: str
    subnets: list[str]
    service_sg: str
    listener_arn: str
    lb_arn: str
    execution_role_arn: str
    task_role_arn: str
    secret_arn: str
    default_rules: set[str] = field(default_factory=set)


def make_platform(aws) -> Platform:
    """Creates what the platform team owns (demo_platform.py's objects, the
    ECR images of IMAGE_TAGS among them) in the emulator."""
    dp = _demo_platform()
    vpc, subnets, alb_sg, svc_sg = dp.network(aws("ec2"))
    dp.cluster(aws("ecs"))
    dp.registry(aws("ecr"), IMAGE_TAGS)
    listener = dp.load_balancer(aws("elbv2"), subnets, alb_sg)
    lb_arn = aws("elbv2").describe_listeners(
        ListenerArns=[listener])["Listeners"][0]["LoadBalancerArn"]
    iam = aws("iam")
    plat = Platform(
        cluster=dp.CLUSTER, vpc_id=vpc, subnets=subnets, service_sg=svc_sg,
        listener_arn=listener, lb_arn=lb_arn,
        execution_role_arn=dp.role(iam, "talentbase-dev-execution"),
        task_role_arn=dp.role(iam, "talentbase-dev-web-task"),
        secret_arn=dp.secret(aws("secretsmanager"), "talentbase-dev/web/session",
                             "SESSION_SECRET"),
    )
    plat.default_rules = {r["RuleArn"] for r in aws("elbv2").describe_rules(
        ListenerArn=listener)["Rules"]}
    return plat


# Values that only have to look right: for plans that never reach AWS objects.
FAKE_PLATFORM = Platform(
    cluster="talentbase-dev", vpc_id="vpc-0123456789abcdef0",
    subnets=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    service_sg="sg-0123456789abcdef0",
    listener_arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/"
                 "talentbase-dev/0123456789abcdef/0123456789abcdef",
    lb_arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/"
           "talentbase-dev/0123456789abcdef",
    execution_role_arn="arn:aws:iam::123456789012:role/talentbase-dev-execution",
    task_role_arn="arn:aws:iam::123456789012:role/talentbase-dev-web-task",
    secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:talentbase-dev/web/"
               "session-AbCdEf",
)


# ---- configuration ------------------------------------------------------------------


def settings(plat: Platform, name: str = NAME) -> dict[str, Any]:
    """Every argument of a realistic web service (the spec's example, sized
    for development), as hcl.body() renders it."""
    return {
        "name": name,
        "cluster": plat.cluster,
        "role": "web",
        "image": IMAGE,
        "image_tag": Raw("var.image_tag"),
        "cpu": 1024,
        "memory": 2048,
        "port": 3000,
        "environment": {"NODE_ENV": "production", "PORT": "3000"},
        "secrets": {"SESSION_SECRET": f"{plat.secret_arn}:SESSION_SECRET::"},
        "execution_role_arn": plat.execution_role_arn,
        "task_role_arn": plat.task_role_arn,
        "health_check": Block(command=["CMD-SHELL", "curl -f http://localhost:3000/ || exit 1"],
                              interval=30, timeout=10, retries=3, start_period=180),
        "network": Block(subnets=list(plat.subnets), security_groups=[plat.service_sg],
                         assign_public_ip=False),
        "load_balancer": Block(
            listener_arn=plat.listener_arn, priority=100, host_headers=["app.example.com"],
            path_patterns=["/*"],
            health_check=Block(path="/", matcher="200-399", interval=30, timeout=10,
                               healthy_threshold=2, unhealthy_threshold=3),
            stickiness_duration=86400, deregistration_delay=30),
        "deployment": Block(minimum_healthy_percent=100, maximum_percent=200, rollback=True,
                            health_check_grace_period=180, wait_for_steady_state=True),
        "capacity": Block(fargate_base=2, fargate_weight=60, spot_weight=40),
        "autoscaling": Block(
            min_capacity=TASKS, max_capacity=10, cpu_target=70, memory_target=80,
            requests_per_target=1000, scale_in_cooldown=300, scale_out_cooldown=60,
            schedule=[
                Block(name="business-hours", schedule="cron(0 8 ? * MON-FRI *)",
                      timezone="America/Sao_Paulo", min_capacity=2, max_capacity=10),
                Block(name="after-hours", schedule="cron(0 18 ? * MON-FRI *)",
                      timezone="America/Sao_Paulo", min_capacity=2, max_capacity=4),
            ]),
        "logs": Block(retention_days=14, retain_on_destroy=False),
        "enable_execute_command": True,
        "tags": {"Service": "web"},
    }


_DROP = object()
DROP = _DROP  # an override value that removes the attribute or block


def override(items: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of items with dotted keys replaced ("network.assign_public_ip":
    True, "deployment": DROP, "timeouts": Block(create="20s"))."""
    out = copy.deepcopy(dict(items))
    for key, value in changes.items():
        parts = key.split(".")
        node = out
        for p in parts[:-1]:
            node = node[p]
        if value is _DROP:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return out


def resource(items: Mapping[str, Any], label: str = "web") -> str:
    return f'resource "talentbase_service" "{label}" {{\n{hcl.body(items)}\n}}\n'


IMAGE_TAG_VARIABLE = 'variable "image_tag" {\n  type    = string\n  default = "v1"\n}\n'


def config(plat: Platform, changes: Mapping[str, Any] | None = None, *,
           provider: Mapping[str, Any] | None = None, extra: str = "",
           name: str = NAME) -> str:
    """A root module: the provider (PROVIDER unless given), var.image_tag
    (default "v1"), the service "web" with `changes` applied, and `extra`."""
    body = IMAGE_TAG_VARIABLE + "\n" + resource(override(settings(plat, name), changes or {}))
    if extra:
        body += "\n" + extra.strip("\n") + "\n"
    return hcl.config(provider=PROVIDER if provider is None else provider, body=body)


# ---- state and plans ----------------------------------------------------------------


def state_values(tf, address: str = ADDRESS) -> dict[str, Any] | None:
    """The resource's values in state (`show -json`), or None."""
    r = state_resource(tf, address)
    return r["values"] if r else None


def state_resource(tf, address: str = ADDRESS) -> dict[str, Any] | None:
    out = tf.show_json().ok().json
    for r in (out.get("values") or {}).get("root_module", {}).get("resources", []):
        if r["address"] == address:
            return r
    return None


def flatten(v: Any, prefix: str = "") -> dict[str, Any]:
    """{"a.b[0].c": leaf}; empty lists and maps are leaves."""
    if isinstance(v, dict) and v:
        out: dict[str, Any] = {}
        for k, x in v.items():
            out.update(flatten(x, f"{prefix}.{k}" if prefix else k))
        return out
    if isinstance(v, list) and v:
        out = {}
        for i, x in enumerate(v):
            out.update(flatten(x, f"{prefix}[{i}]"))
        return out
    return {prefix: v}


@dataclass
class Change:
    address: str
    actions: list[str]
    before: dict[str, Any]
    after: dict[str, Any]
    unknown: set[str]
    replace_paths: list
    raw: dict

    def changed(self) -> dict[str, tuple[Any, Any]]:
        """path -> (before, after or "(known after apply)") of every leaf that
        differs."""
        out = {}
        for k in sorted(set(self.before) | set(self.after) | self.unknown):
            if k in self.unknown:
                out[k] = (self.before.get(k), "(known after apply)")
            elif self.before.get(k) != self.after.get(k):
                out[k] = (self.before.get(k), self.after.get(k))
        return out


def planned_changes(tf, *args: str, vars: Mapping[str, Any] | None = None,
                    plan_file: str = "tb.plan") -> dict[str, Change]:
    """Saves a plan, reads it back with `show -json` and returns the changes
    by address (every resource_changes entry, no-op included)."""
    tf.plan(*args, out=plan_file, vars=vars).ok()
    shown = tf.show_json(plan_file).ok().json
    out = {}
    for rc in shown.get("resource_changes", []):
        ch = rc["change"]
        unknown = {k for k, v in flatten(ch.get("after_unknown") or {}).items() if v is True}
        out[rc["address"]] = Change(rc["address"], ch["actions"], flatten(ch["before"] or {}),
                                    flatten(ch["after"] or {}), unknown,
                                    ch.get("replace_paths") or [], rc)
    return out


# Computed attributes that follow a new task definition revision.
TD_OUTPUTS = {"task_definition_arn", "task_definition_revision", "deployed_image"}


# ---- AWS ---------------------------------------------------------------------------


def inventory(aws, plat: Platform) -> dict[str, set[str]]:
    """Every AWS object a talentbase_service can own, by kind, as boto3 lists
    them (ARNs, or names where AWS has no ARN in the listing)."""
    ecs = aws("ecs")
    inv: dict[str, set[str]] = {}
    arns = ecs.list_services(cluster=plat.cluster)["serviceArns"]
    described = ecs.describe_services(cluster=plat.cluster, services=arns)["services"] \
        if arns else []
    inv["services"] = {s["serviceArn"] for s in described if s["status"] == "ACTIVE"}
    inv["task_definitions"] = set(ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"])
    elb = aws("elbv2")
    inv["target_groups"] = {t["TargetGroupArn"]
                            for t in elb.describe_target_groups()["TargetGroups"]}
    inv["rules"] = {r["RuleArn"] for r in elb.describe_rules(
        ListenerArn=plat.listener_arn)["Rules"]} - plat.default_rules
    inv["log_groups"] = {g["logGroupName"] for g in aws("logs").describe_log_groups(
        logGroupNamePrefix="/ecs/")["logGroups"]}
    aas = aws("application-autoscaling")
    inv["scalable_targets"] = {t["ResourceId"] for t in aas.describe_scalable_targets(
        ServiceNamespace="ecs")["ScalableTargets"]}
    inv["scaling_policies"] = {p["PolicyARN"] for p in aas.describe_scaling_policies(
        ServiceNamespace="ecs")["ScalingPolicies"]}
    inv["scheduled_actions"] = {a["ScheduledActionARN"] for a in aas.describe_scheduled_actions(
        ServiceNamespace="ecs")["ScheduledActions"]}
    return inv


def owned_by_state(aws, values: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """What the objects of one resource in state stand for, in inventory()'s
    terms: the IDs state records, plus the scaling objects that hang off
    the service state names (they have no ID of their own in state)."""
    owned: dict[str, set[str]] = {k: set() for k in (
        "services", "task_definitions", "target_groups", "rules", "log_groups",
        "scalable_targets", "scaling_policies", "scheduled_actions")}
    if not values:
        return owned
    for key, kind in (("arn", "services"), ("task_definition_arn", "task_definitions"),
                      ("target_group_arn", "target_groups"), ("listener_rule_arn", "rules"),
                      ("log_group_name", "log_groups")):
        if values.get(key):
            owned[kind].add(values[key])
    if values.get("name") and values.get("cluster"):
        rid = f"service/{values['cluster']}/{values['name']}"
        aas = aws("application-autoscaling")
        owned["scalable_targets"].add(rid)
        owned["scaling_policies"] = {p["PolicyARN"] for p in aas.describe_scaling_policies(
            ServiceNamespace="ecs", ResourceId=rid)["ScalingPolicies"]}
        owned["scheduled_actions"] = {a["ScheduledActionARN"] for a in
                                      aas.describe_scheduled_actions(
                                          ServiceNamespace="ecs", ResourceId=rid)
                                      ["ScheduledActions"]}
    return owned


def unknown_objects(aws, plat: Platform, values: Mapping[str, Any] | None) -> dict[str, set]:
    """Objects AWS holds that the state `values` does not account for
    (kind -> IDs); empty when there is no orphan."""
    inv = inventory(aws, plat)
    owned = owned_by_state(aws, values)
    return {k: v - owned[k] for k, v in inv.items() if v - owned[k]}


def tags_of(aws, kind: str, arn: str) -> dict[str, str]:
    """Tags of one object as AWS reports them."""
    if kind == "ecs":
        return {t["key"]: t["value"] for t in
                aws("ecs").list_tags_for_resource(resourceArn=arn).get("tags", [])}
    if kind == "elbv2":
        desc = aws("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"]
        return {t["Key"]: t["Value"] for t in desc[0]["Tags"]} if desc else {}
    if kind == "logs":
        return aws("logs").list_tags_for_resource(resourceArn=arn).get("tags", {})
    if kind == "application-autoscaling":
        return aws("application-autoscaling").list_tags_for_resource(
            ResourceARN=arn).get("Tags", {})
    raise ValueError(kind)


def describe_service(aws, plat: Platform, name: str = NAME) -> dict[str, Any] | None:
    got = aws("ecs").describe_services(cluster=plat.cluster, services=[name])["services"]
    return got[0] if got else None


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, default=str)
