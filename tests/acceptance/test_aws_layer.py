"""The AWS client layer (provider/aws) against the emulator, below Terraform.

tests/tools/tb_aws_probe.c drives the C client through real calls of both
wire protocols (sts, ecs, elasticloadbalancing, application-autoscaling,
rds, secretsmanager, monitoring, logs, ssm), pagination, error paths and
the STS credential sources, printing one JSON line per step. These tests
run it against moto and check every object it created with boto3 — an
independent client — never with the probe's own answers alone.

    TB_AWS_PROBE=build-x/tb_aws_probe .venv/bin/python -m pytest \\
        tests/acceptance/test_aws_layer.py
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tbtest import paths

PROBE_TIMEOUT = 120


def probe_binary() -> Path:
    env = os.environ.get("TB_AWS_PROBE")
    return Path(env).resolve() if env else paths.REPO / "build" / "tb_aws_probe"


@pytest.fixture(scope="module")
def probe() -> Path:
    p = probe_binary()
    if not p.is_file():
        pytest.fail(f"{p} is missing: build the tb_aws_probe target (or set TB_AWS_PROBE)",
                    pytrace=False)
    return p


def make_load_balancers(aws, n: int) -> list[str]:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24",
                          AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    names = [f"probe-lb-{i}" for i in range(n)]
    for name in names:
        aws("elbv2").create_load_balancer(Name=name, Subnets=subnets)
    return names


def run_probe(probe: Path, moto, work_dir: Path, extra_env: dict | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(moto.cli_env())
    env["HOME"] = str(work_dir)
    env["TF_LOG_PROVIDER"] = "DEBUG"
    env.update(extra_env or {})
    proc = subprocess.run([str(probe)], env=env, capture_output=True, text=True,
                          timeout=PROBE_TIMEOUT)
    (work_dir / "probe.stdout").write_text(proc.stdout)
    (work_dir / "probe.stderr").write_text(proc.stderr)
    steps: dict[str, list[dict]] = {}
    for line in proc.stdout.splitlines():
        obj = json.loads(line)
        steps.setdefault(obj["step"], []).append(obj)
    return proc, steps


def one(steps: dict, name: str) -> dict:
    assert name in steps, f"the probe did not report {name}: {sorted(steps)}"
    assert len(steps[name]) == 1, steps[name]
    return steps[name][0]


def test_probe_against_moto(probe, moto, aws, work_dir):
    lbs = make_load_balancers(aws, 3)
    proc, steps = run_probe(probe, moto, work_dir)
    failed = [s for lines in steps.values() for s in lines if not s["ok"]]
    assert proc.returncode == 0 and not failed, (failed, proc.stderr[-4000:])

    client = one(steps, "client")
    assert client["account"] == "123456789012"
    assert client["partition"] == "aws" and client["region"] == "us-east-1"
    assert client["source"] == "environment"
    assert one(steps, "sts.GetCallerIdentity")["account"] == "123456789012"

    # ecs: three clusters, listed through the paginator, described.
    ecs = aws("ecs")
    arns = {c["clusterArn"] for c in ecs.describe_clusters(
        clusters=["probe-1", "probe-2", "probe-3"])["clusters"]}
    assert {s["arn"] for s in steps["ecs.CreateCluster"]} == arns
    listed = one(steps, "ecs.ListClusters")
    assert set(listed["items"]) == set(ecs.list_clusters()["clusterArns"]) == arns
    assert [c["status"] for c in one(steps, "ecs.DescribeClusters")["clusters"]] == ["ACTIVE"] * 3
    service = ecs.describe_services(cluster="probe-1", services=["probe-svc"])["services"][0]
    assert service["serviceArn"] == one(steps, "ecs.CreateService")["arn"]
    assert service["taskDefinition"].endswith(":task-definition/probe-web:1")

    # JSON error path: classified as not found, with AWS's code and request id.
    missing = one(steps, "ecs.DescribeServices.missing")
    assert missing["class"] == "TB_ENOTFOUND"
    assert missing["code"] == "ClusterNotFoundException"
    assert missing["http_status"] == 400 and missing["request_id"]

    # application-autoscaling
    targets = aws("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs")["ScalableTargets"]
    assert [t["ResourceId"] for t in targets] == ["service/probe-1/probe-svc"]
    assert one(steps, "application-autoscaling.DescribeScalableTargets")["items"] == [
        "service/probe-1/probe-svc"]

    # elasticloadbalancing: Marker pagination, one load balancer per page.
    elb = one(steps, "elasticloadbalancing.DescribeLoadBalancers")
    assert sorted(elb["items"]) == sorted(lbs)
    assert elb["pages"] >= len(lbs)
    tg = one(steps, "elasticloadbalancing.DescribeTargetGroups.missing")
    assert tg["class"] == "TB_ENOTFOUND" and tg["code"] == "TargetGroupNotFound"
    assert tg["request_id"]

    # rds
    rds = one(steps, "rds.DescribeDBProxies")
    assert rds["items"] == [p["DBProxyName"] for p in aws("rds").describe_db_proxies()["DBProxies"]]

    # secretsmanager: created with the value the probe sent, found by the paginator.
    sm = aws("secretsmanager")
    created = one(steps, "secretsmanager.CreateSecret")
    value = sm.get_secret_value(SecretId="probe/db-password")
    assert value["ARN"] == created["arn"]
    assert value["SecretString"] == "probe-secret-value"
    assert one(steps, "secretsmanager.ListSecrets")["items"] == ["probe/db-password"]

    # monitoring (Query)
    alarm = aws("cloudwatch").describe_alarms(AlarmNames=["probe-cpu-high"])["MetricAlarms"][0]
    assert alarm["Threshold"] == 80.0 and alarm["EvaluationPeriods"] == 3
    assert alarm["Dimensions"] == [{"Name": "ClusterName", "Value": "probe-1"}]
    assert one(steps, "monitoring.DescribeAlarms")["items"] == ["probe-cpu-high"]

    # logs: nextToken pagination, one group per page.
    groups = [g["logGroupName"] for g in aws("logs").describe_log_groups(
        logGroupNamePrefix="/probe/")["logGroups"]]
    assert groups == ["/probe/a", "/probe/b", "/probe/c"]
    described = one(steps, "logs.DescribeLogGroups")
    assert described["items"] == groups and described["pages"] >= 3

    # ssm
    param = aws("ssm").get_parameter(Name="/probe/image-tag")["Parameter"]
    assert param["Value"] == "v1.2.3" == one(steps, "ssm.GetParameter")["value"]

    # STS credential sources: assume_role on top of the environment, and web identity.
    assumed = one(steps, "sts.AssumeRole")
    assert assumed["account"] == "123456789012"
    assert assumed["source"] == ("environment, then assume_role "
                                 "arn:aws:iam::123456789012:role/probe-deploy")
    assert one(steps, "sts.AssumeRoleWithWebIdentity")["source"] == "web identity"
    actions = [c["action"] for c in moto.calls()]
    assert "AssumeRole" in actions and "AssumeRoleWithWebIdentity" in actions

    # One debug line per AWS call, without secrets.
    log = proc.stderr
    assert '"@message":"AWS request"' in log
    assert '"service":"secretsmanager"' in log and '"action":"CreateSecret"' in log
    for secret in ("probe-secret-value", moto.cli_env()["AWS_SECRET_ACCESS_KEY"],
                   "Authorization", "X-Amz-Security-Token", "Signature="):
        assert secret not in log, secret


def test_probe_retries_injected_faults(probe, moto, aws, work_dir):
    """Throttling and a 503 on the way are retried; the calls still land once."""
    moto.inject_fault("GetParameter", code="ThrottlingException", status=400, times=2)
    moto.inject_fault("CreateSecret", code="ServiceUnavailable", status=503, times=1)
    moto.inject_fault("DescribeLoadBalancers", code="Throttling", status=400, times=1)
    proc, steps = run_probe(probe, moto, work_dir)
    failed = [s for lines in steps.values() for s in lines if not s["ok"]]
    assert proc.returncode == 0 and not failed, (failed, proc.stderr[-4000:])

    calls = moto.calls()
    get = [c["status"] for c in calls if c["action"] == "GetParameter"]
    assert get == [400, 400, 200]
    create = [c["status"] for c in calls if c["action"] == "CreateSecret"]
    assert create == [503, 200]
    assert len(aws("secretsmanager").list_secrets()["SecretList"]) == 1
    assert '"attempt":"3"' in proc.stderr


def test_probe_does_not_retry_validation(probe, moto, work_dir):
    """A validation error is final: one call, reported with its class."""
    moto.inject_fault("PutParameter", code="ValidationException", status=400, times=0,
                      message="bad parameter")
    proc, steps = run_probe(probe, moto, work_dir)
    put = one(steps, "ssm.PutParameter")
    assert not put["ok"] and put["class"] == "TB_EVALIDATION"
    assert put["code"] == "ValidationException" and put["message"] == "bad parameter"
    assert [c["action"] for c in moto.calls("ssm")].count("PutParameter") == 1
    assert proc.returncode == 1


def test_bad_credentials_message(probe, moto, work_dir):
    """A client that cannot validate says which source it tried and what AWS said."""
    moto.inject_fault("GetCallerIdentity", code="InvalidClientTokenId", status=403, times=0,
                      message="The security token included in the request is invalid.")
    proc, steps = run_probe(probe, moto, work_dir)
    assert proc.returncode == 2
    client = one(steps, "client")
    assert not client["ok"]
    assert client["message"].startswith(
        "credentials from environment (tried explicit keys, environment) were not accepted: "
        "sts GetCallerIdentity: InvalidClientTokenId: The security token included in the "
        "request is invalid.")
