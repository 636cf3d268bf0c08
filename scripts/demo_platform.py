#!/usr/bin/env python3
"""Creates the shared platform objects an app team finds in its account.

The platform team owns these (cluster with Container Insights, VPC and
private subnets found by tag, security groups, load balancer, roles, the
alerts topic, the database, ECR repositories with tag immutability and the
images CI pushed); app repositories look them up by name and make their
secrets themselves, with talentbase_secret. Used by `make demo` against the
local AWS emulator: prints the Terraform variables for examples/complete as
JSON (what the example cannot look up by name: the demo load balancer's
listener port, the alerts topic, the database cluster and the proxy's role
and security group).

    demo_platform.py --endpoint http://127.0.0.1:PORT [--image-tag sha-3f9c2e1 ...] \\
        > platform.auto.tfvars.json

With --check-secrets STATE it instead checks, for every talentbase_secret
in the state file, that Secrets Manager holds a value and that the value is
nowhere in the state; it prints the check (lengths, never a value) and exits
1 when a value is found in the state.

    demo_platform.py --endpoint http://127.0.0.1:PORT --check-secrets terraform.tfstate
"""
import argparse
import hashlib
import json
import sys

import boto3

REGION = "us-east-1"
CLUSTER = "talentbase-prod"
DATABASE = "talentbase-prod-db"
VPC_NAME = "talentbase-prod"
LOAD_BALANCER = "talentbase-prod"
LISTENER_PORT = 80  # the emulator's ALB has no certificate: HTTP only
SERVICE_SG = "talentbase-services"
REPOSITORIES = ["talentbase/web", "talentbase/api"]

TRUST_ECS_TASKS = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }],
}


TRUST_RDS = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "rds.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }],
}


def client(endpoint, service):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint,
                        aws_access_key_id="demo", aws_secret_access_key="demo")


def tags(**kv):
    return [{"Key": k, "Value": v} for k, v in kv.items()]


def network(ec2):
    """The VPC (tag Name), two private subnets (tag Tier = private; the main
    route table has no internet gateway), the ALB's security group (open to
    the internet) and the services' (the container ports from the ALB's
    group only)."""
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": tags(Name=VPC_NAME)}])["Vpc"]["VpcId"]
    subnets = []
    for i, az in enumerate(["us-east-1a", "us-east-1b"]):
        sn = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=az,
                               TagSpecifications=[{"ResourceType": "subnet", "Tags": tags(
                                   Name=f"{VPC_NAME}-private-{az[-1]}", Tier="private")}])
        subnets.append(sn["Subnet"]["SubnetId"])
    alb_sg = ec2.create_security_group(GroupName="talentbase-alb", Description="ALB",
                                       VpcId=vpc)["GroupId"]
    svc_sg = ec2.create_security_group(GroupName=SERVICE_SG, Description="ECS services",
                                       VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=alb_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        for p in (80, 443)])
    ec2.authorize_security_group_ingress(GroupId=svc_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3000, "ToPort": 8000,
         "UserIdGroupPairs": [{"GroupId": alb_sg}]}])
    return vpc, subnets, alb_sg, svc_sg


def cluster(ecs):
    """The shared cluster, with Container Insights on."""
    return ecs.create_cluster(clusterName=CLUSTER, capacityProviders=["FARGATE", "FARGATE_SPOT"],
                              settings=[{"name": "containerInsights", "value": "enabled"}])


def registry(ecr, image_tags):
    """The ECR repositories (tags immutable) and the images CI pushed, one per tag."""
    for repo in REPOSITORIES:
        ecr.create_repository(repositoryName=repo, imageTagMutability="IMMUTABLE")
        for tag in image_tags:
            manifest = json.dumps({
                "schemaVersion": 2,
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                           "size": 1,
                           "digest": "sha256:" + hashlib.sha256(f"{repo}:{tag}".encode())
                           .hexdigest()},
                "layers": []})
            ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag=tag)


def load_balancer(elb, subnets, sg):
    lb = elb.create_load_balancer(Name=LOAD_BALANCER, Subnets=subnets, SecurityGroups=[sg],
                                  Scheme="internet-facing", Type="application")
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elb.create_listener(
        LoadBalancerArn=lb_arn, Protocol="HTTP", Port=LISTENER_PORT,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}])
    return listener["Listeners"][0]["ListenerArn"]


def role(iam, name, trust=None):
    r = iam.create_role(RoleName=name,
                        AssumeRolePolicyDocument=json.dumps(trust or TRUST_ECS_TASKS))
    return r["Role"]["Arn"]


def security_group(ec2, vpc, name, description):
    return ec2.create_security_group(GroupName=name, Description=description,
                                     VpcId=vpc)["GroupId"]


def database(rds, name, subnets):
    """An Aurora PostgreSQL cluster with one (writer) instance."""
    rds.create_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription=name,
                               SubnetIds=subnets)
    rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql",
                          DBSubnetGroupName=name, MasterUsername="talentbase",
                          MasterUserPassword="generated-by-platform")
    rds.create_db_instance(DBInstanceIdentifier=f"{name}-1", DBClusterIdentifier=name,
                           Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    return name


def db_secret(sm, name):
    """The database user's credentials, as RDS Proxy reads them."""
    value = {"username": "talentbase", "password": "generated-by-platform"}
    return sm.create_secret(Name=name, SecretString=json.dumps(value))["ARN"]


def secret(sm, name, key):
    s = sm.create_secret(Name=name, SecretString=json.dumps({key: "generated-by-platform"}))
    return s["ARN"]


def alerts_topic(sns, name):
    return sns.create_topic(Name=name)["TopicArn"]


def _strings(value):
    """The value itself, and the string values of a JSON object value."""
    try:
        doc = json.loads(value)
    except ValueError:
        return {"": value}
    if isinstance(doc, dict):
        return {k: v for k, v in doc.items() if isinstance(v, str)}
    return {"": value}


def check_secrets(endpoint, state_path):
    """Prints, per talentbase_secret in the state, what Secrets Manager holds
    (key names and lengths) and whether any of it is in the state file."""
    text = open(state_path).read()
    state = json.loads(text)
    sm = client(endpoint, "secretsmanager")
    leaked = False
    for res in state.get("resources", []):
        if res.get("type") != "talentbase_secret" or res.get("mode") != "managed":
            continue
        for inst in res.get("instances", []):
            arn = inst["attributes"]["arn"]
            value = sm.get_secret_value(SecretId=arn)["SecretString"]
            parts = _strings(value)
            # template values (host, port, ...) are configuration, not secrets
            template = inst["attributes"].get("template") or {}
            secret_parts = {k: v for k, v in parts.items() if k not in template}
            found = [k or "value" for k, v in secret_parts.items() if v and v in text]
            leaked = leaked or bool(found) or value in text
            shape = ", ".join(f"{k or 'value'}: {len(v)} characters"
                              for k, v in sorted(secret_parts.items()))
            print(f"    {inst['attributes']['name']}: in Secrets Manager ({shape}); "
                  f"in {state_path}: {'FOUND ' + ', '.join(found) if found else 'no'}")
    return 1 if leaked else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--image-tag", action="append", default=[],
                    help="a tag CI pushed to every repository (repeatable)")
    ap.add_argument("--check-secrets", metavar="STATE")
    args = ap.parse_args()
    if args.check_secrets:
        sys.exit(check_secrets(args.endpoint, args.check_secrets))
    ec2 = client(args.endpoint, "ec2")
    vpc, subnets, alb_sg, _ = network(ec2)
    cluster(client(args.endpoint, "ecs"))
    registry(client(args.endpoint, "ecr"), args.image_tag)
    load_balancer(client(args.endpoint, "elbv2"), subnets, alb_sg)
    iam = client(args.endpoint, "iam")
    for name in ("talentbase-prod-execution", "talentbase-prod-web-task",
                 "talentbase-prod-api-task"):
        role(iam, name)
    proxy_sg = security_group(ec2, vpc, "talentbase-rds-proxy", "RDS Proxy")
    json.dump({
        "listener_port": LISTENER_PORT,
        "alerts_topic_arn": alerts_topic(client(args.endpoint, "sns"), "talentbase-prod-alerts"),
        "database_cluster": database(client(args.endpoint, "rds"), DATABASE, subnets),
        "proxy_role_arn": role(iam, "talentbase-prod-rds-proxy", TRUST_RDS),
        "proxy_sg_id": proxy_sg,
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
