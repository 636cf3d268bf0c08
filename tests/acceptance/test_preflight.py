"""Preflight (TB021-TB027) through the real CLIs against the emulator: the
rules that judge live AWS at plan time. For each rule a platform object
that trips it (an image never pushed, a mutable repository, a cluster
without Container Insights, a listener rule holding the priority, a secret
that does not exist, a subnet routed to an internet gateway, a security
group open to the internet) and the platform that passes; a read AWS
refuses is one warning and no failed plan; preflight = false reads nothing;
reads are shared by the services of a plan and made for what the plan
changes.

The platform is tests' usual one (scripts/demo_platform.py: ECR images of
service.IMAGE_TAGS, Container Insights on, private subnets, the services'
security group open to the ALB's only).
"""

from __future__ import annotations

import re

import pytest

from tbtest import service as svc
from tbtest.service import ADDRESS, IMAGE

# Every call preflight makes, as the emulator logs them (signing name, action).
PREFLIGHT_CALLS = {
    ("ecr", "DescribeImages"), ("ecr", "DescribeRepositories"), ("ecs", "DescribeClusters"),
    ("elasticloadbalancing", "DescribeRules"), ("secretsmanager", "DescribeSecret"),
    ("ssm", "GetParameters"), ("ec2", "DescribeSubnets"), ("ec2", "DescribeRouteTables"),
    ("ec2", "DescribeSecurityGroups"),
}
# Those only preflight makes (a refresh describes the service's own rule too).
PREFLIGHT_ONLY = PREFLIGHT_CALLS - {("elasticloadbalancing", "DescribeRules")}
MISSING_SECRET = ("arn:aws:secretsmanager:us-east-1:123456789012:secret:talentbase-dev/web/"
                  "never-created-AbCdEf:SESSION_SECRET::")


@pytest.fixture
def plat(aws, moto) -> svc.Platform:
    p = svc.make_platform(aws)
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=svc.TASKS)
    return p


def _findings(res, rule: str | None = None):
    return [d for d in res.diagnostics
            if re.match(r"TB02[1-7]:", d.summary) and (rule is None or d.summary.startswith(rule))]


def _describe(res) -> str:
    return "\n  ".join(d.describe(res.cwd) for d in res.diagnostics) or "(no diagnostics)"


def _one(res, rule: str, severity: str, attribute: str, detail: str):
    found = [d for d in _findings(res, rule) if d.severity == severity]
    assert len(found) >= 1, f"no {severity} {rule}; the CLI reported:\n  {_describe(res)}"
    d = found[0]
    assert d.address == ADDRESS, d.address
    assert d.attribute(res.cwd) == attribute, (d.attribute(res.cwd), d.describe(res.cwd))
    assert detail in d.detail, d.detail
    assert f"docs/guides/rules.md#{rule.lower()}" in d.detail, d.detail
    return d


def _preflight_calls(moto) -> list[tuple[str, str]]:
    return [(c["service"], c["action"]) for c in moto.calls()
            if (c["service"], c["action"]) in PREFLIGHT_CALLS]


# ---- the platform that trips every rule -----------------------------------------------


def _mutable_repository(aws) -> str:
    """A repository with mutable tags (and no image): the image TB021 and
    TB022 judge."""
    aws("ecr").create_repository(repositoryName="talentbase/mutable",
                                 imageTagMutability="MUTABLE")
    return IMAGE.rsplit("/", 2)[0] + "/talentbase/mutable"


def _plain_cluster(aws) -> str:
    """A cluster without Container Insights."""
    aws("ecs").create_cluster(clusterName="talentbase-plain",
                              capacityProviders=["FARGATE", "FARGATE_SPOT"])
    return "talentbase-plain"


def _rule_on_priority(aws, plat, priority: int = 100) -> str:
    """Another team's listener rule on priority."""
    return aws("elbv2").create_rule(
        ListenerArn=plat.listener_arn, Priority=priority,
        Conditions=[{"Field": "path-pattern", "Values": ["/other-team/*"]}],
        Actions=[{"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "200", "ContentType": "text/plain", "MessageBody": "other"}}],
    )["Rules"][0]["RuleArn"]


def _public_subnet(aws, plat) -> str:
    """A subnet of the platform's VPC whose route table sends 0.0.0.0/0 to an
    internet gateway."""
    ec2 = aws("ec2")
    sub = ec2.create_subnet(VpcId=plat.vpc_id, CidrBlock="10.40.9.0/24",
                            AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=plat.vpc_id)
    rtb = ec2.create_route_table(VpcId=plat.vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=sub)
    return sub


def _open_group(aws, plat) -> str:
    """A security group that admits the container port from anywhere."""
    ec2 = aws("ec2")
    sg = ec2.create_security_group(GroupName="wide-open", Description="open",
                                   VpcId=plat.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3000, "ToPort": 3000,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    return sg


def _tripping(aws, plat) -> dict:
    return {
        "image": _mutable_repository(aws),
        "cluster": _plain_cluster(aws),
        "secrets": {"SESSION_SECRET": MISSING_SECRET},
        "network.subnets": [plat.subnets[0], _public_subnet(aws, plat)],
        "network.security_groups": [_open_group(aws, plat)],
    }


def test_every_preflight_rule_trips_on_its_attribute(tf, aws, moto, plat):
    """One plan that breaks every preflight rule: each finding is on its
    attribute with what AWS said; the errors stop the plan; an
    acknowledged error becomes a warning quoting the reason."""
    holder = _rule_on_priority(aws, plat)
    changes = _tripping(aws, plat)
    tf.write(svc.config(plat, changes))
    tf.init().ok()
    res = tf.plan(json=True)
    res.expect_rc(1)
    _one(res, "TB021", "error", "image_tag",
         'image_tag "v1" is not in the ECR repository talentbase/mutable')
    _one(res, "TB022", "warning", "image", "imageTagMutability MUTABLE")
    _one(res, "TB023", "warning", "cluster", "Container Insights off")
    _one(res, "TB024", "error", "load_balancer.priority", f"taken on the listener by rule {holder}")
    _one(res, "TB025", "error", "secrets.SESSION_SECRET", "does not exist")
    sub = changes["network.subnets"][1]
    _one(res, "TB026", "warning", "network.subnets", f"Subnet {sub} is public: it has a route "
                                                      "0.0.0.0/0 to internet gateway igw-")
    _one(res, "TB027", "warning", "network.security_groups",
         "admits the container port 3000 from 0.0.0.0/0")
    assert not [d for d in res.diagnostics if "Preflight could not read" in d.summary], \
        _describe(res)
    assert aws("ecs").list_services(cluster="talentbase-plain")["serviceArns"] == []

    tf.write(svc.config(plat, {**changes, "acknowledge": {
        "TB021": "the image is pushed by the release job after the plan",
        "TB024": "the other team's rule moves away in the same change window",
        "TB025": "the secret is created by the security team's stack"}}))
    res = tf.plan(json=True).ok()
    for rule in ("TB021", "TB024", "TB025"):
        _one(res, rule, "warning", {"TB021": "image_tag", "TB024": "load_balancer.priority",
                                        "TB025": "secrets.SESSION_SECRET"}[rule], "Acknowledged: ")


def test_the_platform_passes_every_preflight_rule(tf, aws, moto, plat):
    """The platform's own objects pass: no finding and no refused read; the
    apply creates the service."""
    tf.write(svc.config(plat))
    tf.init().ok()
    res = tf.plan(json=True).ok()
    assert not _findings(res), _describe(res)
    assert not [d for d in res.diagnostics if "Preflight" in d.summary], _describe(res)
    calls = set(_preflight_calls(moto))
    assert calls == PREFLIGHT_CALLS - {("ssm", "GetParameters")}, calls
    tf.apply().ok()
    assert svc.describe_service(aws, plat)["status"] == "ACTIVE"
    tf.destroy().ok()


def test_missing_repository_cluster_and_parameter_are_errors(tf, aws, moto, plat):
    """A repository, a cluster or an SSM parameter that does not exist: an
    error at the attribute that names it."""
    tf.write(svc.config(plat, {
        "image": IMAGE.rsplit("/", 2)[0] + "/talentbase/never-created",
        "cluster": "no-such-cluster",
        "secrets": {"API_URL": "arn:aws:ssm:us-east-1:123456789012:parameter/talentbase-dev/"
                               "web/api-url"},
    }))
    tf.init().ok()
    res = tf.plan(json=True)
    res.expect_rc(1)
    _one(res, "TB021", "error", "image", "ECR has no repository talentbase/never-created")
    _one(res, "TB023", "error", "cluster", 'No active ECS cluster "no-such-cluster"')
    _one(res, "TB025", "error", "secrets.API_URL", "the SSM parameter")
    # once the parameter exists it passes
    aws("ssm").put_parameter(Name="/talentbase-dev/web/api-url", Value="https://api.example",
                             Type="String")
    tf.write(svc.config(plat, {"secrets": {
        "SESSION_SECRET": f"{plat.secret_arn}:SESSION_SECRET::",
        "API_URL": "arn:aws:ssm:us-east-1:123456789012:parameter/talentbase-dev/web/api-url"}}))
    res = tf.plan(json=True).ok()
    assert not _findings(res, "TB025"), _describe(res)
    assert ("ssm", "GetParameters") in _preflight_calls(moto)


def test_a_refused_read_is_one_warning_and_the_plan_goes_on(tf, aws, moto, plat):
    """AccessDenied on DescribeImages and on DescribeSubnets: one warning for
    each call, naming it, AWS's answer and the IAM permission; their rules
    are skipped (the image was never pushed, yet no TB021) and the plan
    succeeds."""
    moto.inject_fault("DescribeImages", code="AccessDeniedException", times=0,
                      message="User: arn:aws:sts::123456789012:assumed-role/ci/plan is not "
                              "authorized to perform: ecr:DescribeImages")
    moto.inject_fault("DescribeSubnets", code="UnauthorizedOperation", status=403, times=0,
                      message="You are not authorized to perform this operation.")
    tf.write(svc.config(plat, {"image_tag": "sha-0000000"}))
    tf.init().ok()
    res = tf.plan(json=True).ok()
    warned = [d for d in res.diagnostics if d.summary.startswith("Preflight could not read")]
    summaries = sorted(d.summary for d in warned)
    assert summaries == ["Preflight could not read ec2:DescribeSubnets",
                         "Preflight could not read ecr:DescribeImages"], _describe(res)
    assert all(d.severity == "warning" for d in warned)
    ecr = next(d for d in warned if "ecr" in d.summary)
    assert "AccessDeniedException" in ecr.detail and "request id" in ecr.detail, ecr.detail
    assert "Rule TB021 is not checked" in ecr.detail and "ecr:DescribeImages" in ecr.detail
    assert not _findings(res, "TB021") and not _findings(res, "TB026"), _describe(res)


def test_preflight_false_reads_nothing(tf, aws, moto, plat):
    """preflight = false: a plan that would break every preflight rule makes
    none of their calls and reports none of them."""
    holder = _rule_on_priority(aws, plat)
    changes = {**_tripping(aws, plat), "image_tag": "sha-0000000"}
    moto.clear_calls()
    tf.write(svc.config(plat, changes, provider={**svc.PROVIDER, "preflight": False}))
    tf.init().ok()
    res = tf.plan(json=True).ok()
    assert not _findings(res), _describe(res)
    assert _preflight_calls(moto) == [], _preflight_calls(moto)
    assert holder not in res.stdout


TWO_MORE = """
resource "talentbase_service" "api" {{
{api}
}}

resource "talentbase_service" "admin" {{
{admin}
}}
"""


def test_reads_are_shared_and_follow_what_the_plan_changes(tf, aws, moto, plat):
    """Three services in one cluster on one listener cost one DescribeClusters
    and one DescribeRules; after the apply, a new image tag reads ECR only,
    and an unpushed one is refused."""
    def service(name: str, priority: int) -> str:
        items = svc.override(svc.settings(plat, name), {
            "load_balancer.priority": priority,
            "load_balancer.host_headers": [f"{name}.example.com"]})
        return svc.hcl.body(items)

    extra = TWO_MORE.format(api=service("api-dev", 110), admin=service("admin-dev", 120))
    tf.write(svc.config(plat, extra=extra))
    tf.init().ok()
    moto.clear_calls()
    tf.plan().ok()
    calls = _preflight_calls(moto)
    for once in (("ecs", "DescribeClusters"), ("elasticloadbalancing", "DescribeRules"),
                 ("ecr", "DescribeImages"), ("secretsmanager", "DescribeSecret"),
                 ("ec2", "DescribeSubnets"), ("ec2", "DescribeSecurityGroups")):
        assert calls.count(once) == 1, (once, calls)
    assert calls.count(("ec2", "DescribeRouteTables")) == 2, calls  # the subnets', the main

    tf.apply().ok()
    moto.clear_calls()
    tf.plan(detailed_exitcode=True).expect_rc(0)
    assert not set(_preflight_calls(moto)) & PREFLIGHT_ONLY, "a plan without changes reads nothing"
    moto.clear_calls()
    res = tf.plan(json=True, vars={"image_tag": "v2"}).ok()
    assert sorted(set(_preflight_calls(moto)) & PREFLIGHT_ONLY) == [
        ("ecr", "DescribeImages"), ("ecr", "DescribeRepositories")]
    assert not _findings(res), _describe(res)
    res = tf.plan(json=True, vars={"image_tag": "sha-0000000"})
    res.expect_rc(1)
    assert len(_findings(res, "TB021")) == 3, _describe(res)
    tf.destroy().ok()


def test_schedules_map_findings_point_at_the_entry(tf, aws, moto, plat):
    """TB016 on the schedules map: the range is the entry's own lines."""
    tf.write(svc.config(plat, {"autoscaling.schedule": svc.DROP, "autoscaling.schedules": {
        "business-hours": {"schedule": "cron(0 8 ? * MON-FRI *)", "timezone": "Mars/Olympus",
                           "min_capacity": 2, "max_capacity": 10},
        "after-hours": {"schedule": "cron(0 18 ? * MON-FRI *)", "min_capacity": 2,
                        "max_capacity": 4}}}))
    tf.init().ok()
    res = tf.plan(json=True)
    res.expect_rc(1)
    found = [d for d in res.diagnostics if d.summary.startswith("TB016")]
    assert len(found) == 1, _describe(res)
    text = (tf.workdir / found[0].filename).read_text().splitlines()
    assert '"business-hours"' in text[found[0].line - 1], text[found[0].line - 1]
    assert 'schedule "business-hours": timezone "Mars/Olympus"' in found[0].detail
