"""data "talentbase_platform" through the real CLIs against the emulator: the
shared objects of scripts/demo_platform.py looked up by name, each output
checked with boto3; a lookup that finds none, or several, fails the read on
its argument, naming what it searched and what it found.
"""

from __future__ import annotations

import re

import pytest

from tbtest import hcl
from tbtest import service as svc

LOOKUP = """
data "talentbase_platform" "this" {
%s
}

output "platform" {
  value = data.talentbase_platform.this
}
"""

NAMES = {
    "cluster": "talentbase-prod",
    "load_balancer": "talentbase-prod",
    "listener_port": 80,
    "vpc_tag": {"Name": "talentbase-prod"},
    "subnet_tag": {"Tier": "private"},
    "security_groups": ["talentbase-services", "talentbase-alb"],
    "roles": ["talentbase-dev-execution", "talentbase-dev-web-task"],
}


@pytest.fixture
def plat(aws) -> svc.Platform:
    return svc.make_platform(aws)


def lookup(items: dict) -> str:
    return hcl.config(provider=svc.PROVIDER, body=LOOKUP % hcl.body(items))


def _describe(res) -> str:
    return "\n  ".join(d.describe(res.cwd) for d in res.diagnostics) or "(no diagnostics)"


def _error(res, summary: str, attribute: str, *details: str):
    found = [d for d in res.diagnostics if d.severity == "error" and d.summary == summary]
    assert found, f"no error {summary!r}; the CLI reported:\n  {_describe(res)}"
    d = found[0]
    assert d.attribute(res.cwd) == attribute, (d.attribute(res.cwd), d.describe(res.cwd))
    for text in details:
        assert text in d.detail, d.detail
    return d


def test_platform_finds_every_object_by_name(tf, aws, plat):
    tf.write(lookup(NAMES))
    tf.init().ok()
    tf.apply().ok()
    got = tf.output_json().ok().json["platform"]["value"]
    elb = aws("elbv2")
    lb = elb.describe_load_balancers(Names=["talentbase-prod"])["LoadBalancers"][0]
    ec2 = aws("ec2")
    groups = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [plat.vpc_id]}])["SecurityGroups"]}
    iam = aws("iam")
    assert got["cluster_arn"] == aws("ecs").describe_clusters(
        clusters=["talentbase-prod"])["clusters"][0]["clusterArn"]
    assert got["container_insights"] is True
    assert got["load_balancer_arn"] == lb["LoadBalancerArn"] == plat.lb_arn
    assert got["listener_arn"] == plat.listener_arn
    assert got["vpc_id"] == plat.vpc_id
    assert got["private_subnet_ids"] == sorted(plat.subnets)
    assert got["security_group_ids"] == {"talentbase-services": groups["talentbase-services"],
                                         "talentbase-alb": groups["talentbase-alb"]}
    assert got["role_arns"] == {r: iam.get_role(RoleName=r)["Role"]["Arn"]
                                for r in NAMES["roles"]}
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_platform_lookup_that_finds_none_names_what_it_searched(tf, aws, plat):
    tf.write(lookup({**NAMES, "load_balancer": "talentbase-staging",
                     "roles": ["talentbase-dev-execution", "talentbase-ghost"],
                     "subnet_tag": {"Tier": "database"}}))
    tf.init().ok()
    res = tf.plan(json=True)
    res.expect_rc(1)
    _error(res, "Cannot find the load balancer", "load_balancer",
           'No load balancer named "talentbase-staging" in us-east-1')
    _error(res, "Cannot find the IAM roles", "roles", "No IAM role named talentbase-ghost")
    _error(res, "Cannot find the subnets", "subnet_tag",
           f"No subnet of {plat.vpc_id} has the tags Tier=database")


def test_platform_lookup_that_finds_several_names_them(tf, aws, plat):
    ec2 = aws("ec2")
    other = ec2.create_vpc(CidrBlock="10.41.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "talentbase-prod"}]}])
    other_id = other["Vpc"]["VpcId"]
    tf.write(lookup({"vpc_tag": {"Name": "talentbase-prod"}, "subnet_tag": {"Tier": "private"},
                     "load_balancer": "talentbase-prod", "listener_port": 8443}))
    tf.init().ok()
    res = tf.plan(json=True)
    res.expect_rc(1)
    d = _error(res, "Cannot find the VPC", "vpc_tag", "2 VPCs in us-east-1 have the tags "
                                                      "Name=talentbase-prod")
    assert plat.vpc_id in d.detail and other_id in d.detail, d.detail
    _error(res, "Cannot find the listener", "listener_port",
           'Load balancer "talentbase-prod" has no listener on port 8443', "found ports 80")


def test_platform_validation_needs_what_a_lookup_searches_in(tf):
    tf.write(lookup({"listener_port": 443, "subnet_tag": {"Tier": "private"}, "vpc_tag": {}}))
    tf.init().ok()
    res = tf.validate()
    res.expect_rc(1)
    assert re.search(r"listener_port chooses a listener of load_balancer", res.output)
    assert re.search(r"vpc_tag must name at least one tag", res.output)
