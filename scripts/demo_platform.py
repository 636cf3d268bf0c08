#!/usr/bin/env python3
"""Creates the shared platform objects an app team finds in its account.

The platform team owns these (cluster with Container Insights, VPC and
private subnets found by tag, security groups, load balancer, roles,
secrets, ECR repositories with tag immutability and the images CI pushed);
app repositories look them up by name. Used by `make demo` against the local
AWS emulator: prints the Terraform variables for examples/complete as JSON
(what the example cannot look up by name: the secrets' ARNs, and the demo
load balancer's listener port).

    demo_platform.py --endpoint http://127.0.0.1:PORT [--image-tag sha-3f9c2e1 ...] \\
        > platform.auto.tfvars.json
"""
import argparse
import hashlib
import json
import sys

import boto3

REGION = "us-east-1"
CLUSTER = "talentbase-prod"
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


def role(iam, name):
    r = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ECS_TASKS))
    return r["Role"]["Arn"]


def secret(sm, name, key):
    s = sm.create_secret(Name=name, SecretString=json.dumps({key: "generated-by-platform"}))
    return s["ARN"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--image-tag", action="append", default=[],
                    help="a tag CI pushed to every repository (repeatable)")
    args = ap.parse_args()
    _, subnets, alb_sg, _ = network(client(args.endpoint, "ec2"))
    cluster(client(args.endpoint, "ecs"))
    registry(client(args.endpoint, "ecr"), args.image_tag)
    load_balancer(client(args.endpoint, "elbv2"), subnets, alb_sg)
    iam = client(args.endpoint, "iam")
    for name in ("talentbase-prod-execution", "talentbase-prod-web-task",
                 "talentbase-prod-api-task"):
        role(iam, name)
    sm = client(args.endpoint, "secretsmanager")
    json.dump({
        "listener_port": LISTENER_PORT,
        "session_secret_arn": secret(sm, "talentbase-prod/web/session-secret", "SESSION_SECRET"),
        "database_url_secret_arn": secret(sm, "talentbase-prod/api/database", "url"),
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
