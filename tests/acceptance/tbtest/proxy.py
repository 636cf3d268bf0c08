"""talentbase_database_proxy in acceptance tests: the platform it runs on,
its HCL, and what AWS holds of it, read with boto3 only.

    plat = proxy.make_platform(aws)            # VPC, subnets, SGs, role, secret, databases
    tf.write(proxy.config(plat))               # provider + one proxy "main"
    ...
    proxy.inventory(aws)                       # every proxy, endpoint and target
    proxy.unknown_objects(aws, values)         # objects that state does not know

The platform objects come from scripts/demo_platform.py (the code `make demo`
runs), so the tests and the demo use one picture of an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from . import hcl
from .hcl import Block
from .service import _demo_platform, override

NAME = "tb-dev-proxy"
READER = f"{NAME}-reader"
ADDRESS = "talentbase_database_proxy.main"
DEFAULT_TAGS = {"Project": "TalentBase", "ManagedBy": "Terraform"}
PROVIDER = {"region": "us-east-1", "environment": "development", "default_tags": DEFAULT_TAGS}


@dataclass
class Platform:
    vpc_id: str
    subnets: list[str]
    proxy_sg: str
    other_sg: str
    role_arn: str
    other_role_arn: str
    secret_arn: str
    other_secret_arn: str
    cluster: str    # an Aurora cluster with one instance
    instance: str   # a standalone RDS instance


def make_platform(aws) -> Platform:
    """The platform team's objects (demo_platform.py's) in the emulator."""
    dp = _demo_platform()
    ec2, iam, sm, rds = aws("ec2"), aws("iam"), aws("secretsmanager"), aws("rds")
    vpc, subnets, _, _ = dp.network(ec2)
    rds.create_db_instance(DBInstanceIdentifier="talentbase-dev-pg", Engine="postgres",
                           DBInstanceClass="db.t4g.medium", MasterUsername="talentbase",
                           MasterUserPassword="generated-by-platform", AllocatedStorage=20)
    return Platform(
        vpc_id=vpc, subnets=subnets,
        proxy_sg=dp.security_group(ec2, vpc, "talentbase-dev-rds-proxy", "RDS Proxy"),
        other_sg=dp.security_group(ec2, vpc, "talentbase-dev-rds-proxy-2", "RDS Proxy 2"),
        role_arn=dp.role(iam, "talentbase-dev-rds-proxy", dp.TRUST_RDS),
        other_role_arn=dp.role(iam, "talentbase-dev-rds-proxy-2", dp.TRUST_RDS),
        secret_arn=dp.db_secret(sm, "talentbase-dev/db/app"),
        other_secret_arn=dp.db_secret(sm, "talentbase-dev/db/reporting"),
        cluster=dp.database(rds, "talentbase-dev-db", subnets),
        instance="talentbase-dev-pg",
    )


# Values that only have to look right: for plans that never reach AWS objects.
FAKE_PLATFORM = Platform(
    vpc_id="vpc-0123456789abcdef0",
    subnets=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    proxy_sg="sg-0123456789abcdef0", other_sg="sg-0123456789abcdef1",
    role_arn="arn:aws:iam::123456789012:role/talentbase-dev-rds-proxy",
    other_role_arn="arn:aws:iam::123456789012:role/talentbase-dev-rds-proxy-2",
    secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:talentbase-dev/db/app-AbCdEf",
    other_secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                     "talentbase-dev/db/reporting-AbCdEf",
    cluster="talentbase-dev-db", instance="talentbase-dev-pg",
)


def settings(plat: Platform, name: str = NAME) -> dict[str, Any]:
    """Every argument of the spec's example, with a reader endpoint."""
    return {
        "name": name,
        "engine_family": "POSTGRESQL",
        "role_arn": plat.role_arn,
        "auth": Block(secret_arn=plat.secret_arn, iam_auth="DISABLED",
                      description="application user"),
        "subnets": list(plat.subnets),
        "security_groups": [plat.proxy_sg],
        "require_tls": True,
        "idle_client_timeout": 1800,
        "debug_logging": False,
        "target": Block(db_cluster=plat.cluster),
        "pool": Block(connection_borrow_timeout=120, max_connections_percent=100,
                      max_idle_connections_percent=50, session_pinning_filters=[]),
        "reader_endpoint": Block(enabled=True),
        "wait_for_targets": True,
        "tags": {"Service": "database"},
    }


def resource(items: Mapping[str, Any], label: str = "main") -> str:
    return f'resource "talentbase_database_proxy" "{label}" {{\n{hcl.body(items)}\n}}\n'


def config(plat: Platform, changes: Mapping[str, Any] | None = None, *,
           provider: Mapping[str, Any] | None = None, extra: str = "",
           name: str = NAME) -> str:
    """A root module: the provider (PROVIDER unless given), the proxy "main"
    with `changes` applied (service.override's dotted keys), and `extra`."""
    body = resource(override(settings(plat, name), changes or {}))
    if extra:
        body += "\n" + extra.strip("\n") + "\n"
    return hcl.config(provider=PROVIDER if provider is None else provider, body=body)


# ---- AWS ---------------------------------------------------------------------------


def describe(aws, name: str = NAME) -> dict[str, Any] | None:
    try:
        return aws("rds").describe_db_proxies(DBProxyName=name)["DBProxies"][0]
    except aws("rds").exceptions.DBProxyNotFoundFault:
        return None


def pool(aws, name: str = NAME) -> dict[str, Any]:
    groups = aws("rds").describe_db_proxy_target_groups(DBProxyName=name)["TargetGroups"]
    return next(g for g in groups if g["IsDefault"])["ConnectionPoolConfig"]


def targets(aws, name: str = NAME) -> list[dict[str, Any]]:
    return aws("rds").describe_db_proxy_targets(DBProxyName=name)["Targets"]


def endpoints(aws, name: str = NAME) -> dict[str, dict[str, Any]]:
    """The proxy's endpoints other than the default one, by name."""
    return {e["DBProxyEndpointName"]: e for e in aws("rds").describe_db_proxy_endpoints(
        DBProxyName=name)["DBProxyEndpoints"] if not e.get("IsDefault")}


def tags_of(aws, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in
            aws("rds").list_tags_for_resource(ResourceName=arn)["TagList"]}


def inventory(aws) -> dict[str, set]:
    """Every proxy (by name), non-default proxy endpoint (by name) and
    registered target (proxy/RdsResourceId) the account holds."""
    rds = aws("rds")
    proxies = {p["DBProxyName"] for p in rds.describe_db_proxies()["DBProxies"]}
    inv: dict[str, set] = {"proxies": proxies, "endpoints": set(), "targets": set()}
    inv["endpoints"] = {e["DBProxyEndpointName"] for e in rds.describe_db_proxy_endpoints()[
        "DBProxyEndpoints"] if not e.get("IsDefault")}
    for p in proxies:
        inv["targets"] |= {f"{p}/{t['RdsResourceId']}" for t in targets(aws, p)}
    return inv


def unknown_objects(aws, values: Mapping[str, Any] | None) -> dict[str, set]:
    """Objects AWS holds that the state `values` does not account for: a
    proxy not named in state, an endpoint other than its reader endpoint,
    targets of a proxy state does not name."""
    inv = inventory(aws)
    name = (values or {}).get("name")
    owned = {"proxies": {name} if name else set(),
             "endpoints": {f"{name}-reader"} if name and values.get("reader_endpoint_address")
             else set(),
             "targets": {t for t in inv["targets"] if name and t.startswith(f"{name}/")}}
    return {k: v - owned[k] for k, v in inv.items() if v - owned[k]}
