"""talentbase_database_proxy against the emulator: the real CLIs create,
read, update, import and destroy the proxy, its target group's pool, its
target and its reader endpoint, and boto3 (never the provider's own
client) says what AWS holds. Covers points 1-8 of "What an acceptance test
of a resource covers" (shared/design/TESTING.md); the rules (point 9) are
in test_database_proxy_rules.py.

The emulator's switches (emulator/patches.py): MOTO_RDS_PROXY_CREATING_POLLS
keeps a new proxy "creating" for that many reads, MOTO_RDS_PROXY_TARGET_HEALTH
makes every target report a given health.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest

from tbtest import proxy as px
from tbtest import service as svc
from tbtest.hcl import Block
from tbtest.proxy import ADDRESS, NAME, READER
from tbtest.service import DROP

MUTATING = re.compile(r"^(Create|Delete|Modify|Register|Deregister|Add|Remove)")


@pytest.fixture
def plat(aws, moto) -> px.Platform:
    return px.make_platform(aws)


def applied(tf, plat, changes=None, **kw) -> dict:
    """Writes the config, init + apply; returns the resource's state values."""
    tf.write(px.config(plat, changes, **kw))
    tf.init().ok()
    tf.apply().ok()
    values = svc.state_values(tf, ADDRESS)
    assert values, "apply succeeded but the proxy is not in state"
    return values


def mutating_calls(moto) -> list[str]:
    return [c["action"] for c in moto.calls() if MUTATING.match(c["action"] or "")]


class Soft:
    """Collects mismatches so that one run reports all of them."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.problems: list[str] = []

    def eq(self, label: str, got, want) -> None:
        if got != want:
            self.problems.append(f"{label}: got {got!r}, want {want!r}")

    def done(self) -> None:
        assert not self.problems, f"{self.what}:\n  " + "\n  ".join(self.problems)


def check_bundle(aws, plat: px.Platform, values: dict) -> None:
    """Every AWS object of the default config, setting by setting."""
    ck = Soft("the proxy in AWS differs from the configuration")
    want_tags = {**px.DEFAULT_TAGS, "Service": "database"}
    p = px.describe(aws) or {}

    ck.eq("proxy status", p.get("Status"), "available")
    ck.eq("proxy arn (state)", p.get("DBProxyArn"), values["arn"])
    ck.eq("proxy endpoint (state)", p.get("Endpoint"), values["endpoint"])
    ck.eq("proxy vpc (state)", (p.get("VpcId"), values["vpc_id"]), (plat.vpc_id, plat.vpc_id))
    ck.eq("engine family", p.get("EngineFamily"), "POSTGRESQL")
    ck.eq("role", p.get("RoleArn"), plat.role_arn)
    ck.eq("auth", [{k: a.get(k) for k in ("AuthScheme", "SecretArn", "IAMAuth", "Description")}
                   for a in p.get("Auth", [])],
          [{"AuthScheme": "SECRETS", "SecretArn": plat.secret_arn, "IAMAuth": "DISABLED",
            "Description": "application user"}])
    ck.eq("subnets", sorted(p.get("VpcSubnetIds", [])), sorted(plat.subnets))
    ck.eq("security groups", p.get("VpcSecurityGroupIds"), [plat.proxy_sg])
    ck.eq("RequireTLS", p.get("RequireTLS"), True)
    ck.eq("IdleClientTimeout", p.get("IdleClientTimeout"), 1800)
    ck.eq("DebugLogging", p.get("DebugLogging"), False)
    ck.eq("proxy tags", px.tags_of(aws, values["arn"]), want_tags)

    pool = px.pool(aws)
    ck.eq("pool", {k: pool.get(k) for k in ("MaxConnectionsPercent", "MaxIdleConnectionsPercent",
                                             "ConnectionBorrowTimeout", "InitQuery")},
          {"MaxConnectionsPercent": 100, "MaxIdleConnectionsPercent": 50,
           "ConnectionBorrowTimeout": 120, "InitQuery": None})
    ck.eq("session pinning filters", pool.get("SessionPinningFilters") or [], [])

    ts = px.targets(aws)
    ck.eq("targets", sorted((t["Type"], t["RdsResourceId"], t.get("TrackedClusterId"),
                             t["TargetHealth"]["State"]) for t in ts),
          [("RDS_INSTANCE", f"{plat.cluster}-1", plat.cluster, "AVAILABLE"),
           ("TRACKED_CLUSTER", plat.cluster, None, "AVAILABLE")])

    eps = px.endpoints(aws)
    ck.eq("endpoints", sorted(eps), [READER])
    e = eps.get(READER, {})
    ck.eq("reader role", e.get("TargetRole"), "READ_ONLY")
    ck.eq("reader address (state)", e.get("Endpoint"), values["reader_endpoint_address"])
    ck.eq("reader subnets", sorted(e.get("VpcSubnetIds", [])), sorted(plat.subnets))
    ck.eq("reader security groups", e.get("VpcSecurityGroupIds"), [plat.proxy_sg])
    if e:
        ck.eq("reader tags", px.tags_of(aws, e["DBProxyEndpointArn"]), want_tags)

    ck.eq("state id", values["id"], NAME)
    ck.eq("state port", values["port"], 5432)
    ck.eq("state env", values["env"], {"DB_HOST": p.get("Endpoint"), "DB_PORT": "5432"})
    ck.eq("state tags_all", values["tags_all"], want_tags)
    ck.done()


def assert_no_orphans(aws, tf) -> None:
    values = svc.state_values(tf, ADDRESS)
    orphans = px.unknown_objects(aws, values)
    assert not orphans, ("AWS objects that state does not know (orphans):\n"
                         + svc.dump(orphans) + "\nstate:\n" + svc.dump(values))


def assert_nothing_left(aws) -> None:
    inv = px.inventory(aws)
    assert not any(inv.values()), "left behind after destroy:\n" + svc.dump(inv)


# ---- 1, 2: create, then an empty plan -------------------------------------------------


def test_create_shows_the_bundle_applies_it_and_replans_empty(tf, aws, moto, plat):
    tf.write(px.config(plat))
    tf.init().ok()
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["create"], ch.actions
    for path, want in {
        "id": NAME, "name": NAME, "engine_family": "POSTGRESQL", "port": 5432,
        "env.DB_PORT": "5432", "require_tls": True, "idle_client_timeout": 1800,
        "auth[0].iam_auth": "DISABLED", "pool.connection_borrow_timeout": 120,
        "pool.max_connections_percent": 100, "pool.max_idle_connections_percent": 50,
        "target.db_cluster": plat.cluster, "reader_endpoint.enabled": True,
        "tags_all.Project": "TalentBase", "tags_all.Service": "database",
    }.items():
        assert ch.after.get(path) == want, (path, ch.after.get(path), svc.dump(ch.after))
    unknown = {"arn", "endpoint", "vpc_id", "reader_endpoint_address", "env.DB_HOST",
               "auth[0].client_password_auth_type"}
    assert unknown <= ch.unknown, sorted(unknown - ch.unknown)
    assert not any(px.inventory(aws).values()), "the plan created AWS objects"

    moto.clear_calls()
    tf.apply(plan_file="tb.plan").ok()
    calls = [c["action"] for c in moto.calls()]
    made = mutating_calls(moto)
    assert made[0] == "CreateDBProxy", made
    assert set(made[1:]) == {"ModifyDBProxyTargetGroup", "RegisterDBProxyTargets",
                             "CreateDBProxyEndpoint"}, made
    # the proxy is described (available) before anything is done with it
    assert calls.index("DescribeDBProxies") < calls.index("RegisterDBProxyTargets"), calls
    assert "DescribeDBProxyTargets" in calls[calls.index("RegisterDBProxyTargets"):], calls
    check_bundle(aws, plat, svc.state_values(tf, ADDRESS))
    assert_no_orphans(aws, tf)

    second = tf.plan(detailed_exitcode=True)
    second.expect_rc(0)
    assert "No changes" in second.stdout, second.describe()


def test_creating_proxy_is_waited_for_with_progress(tofu, aws, moto, plat):
    """A proxy that RDS reports "creating" for a while: the apply waits
    (progress at info naming the wait and its limit) and registers the
    target only once the proxy is available."""
    moto.set_env(MOTO_RDS_PROXY_CREATING_POLLS=3)
    tofu.write(px.config(plat, {"reader_endpoint": DROP}))
    tofu.init().ok()
    moto.clear_calls()
    res = tofu.apply(env={"TF_LOG_PROVIDER": "INFO"}).ok()
    calls = [c["action"] for c in moto.calls()]
    first_register = calls.index("RegisterDBProxyTargets")
    assert calls[:first_register].count("DescribeDBProxies") >= 3, calls
    assert re.search(r"waiting.*RDS Proxy tb-dev-proxy to become available.*up_to=\d+m\d+s",
                     res.stderr), res.stderr[-3000:]
    assert re.search(r"state=creating", res.stderr), res.stderr[-3000:]
    tofu.plan(detailed_exitcode=True).expect_rc(0)


# ---- 3: in-place updates -----------------------------------------------------------------


def test_settings_update_in_place(tf, aws, moto, plat):
    """Auth, TLS, idle timeout, debug logging, role, security groups, pool and
    tags: ModifyDBProxy, ModifyDBProxyTargetGroup, ModifyDBProxyEndpoint and
    tagging calls only; the proxy keeps its ARN and endpoint."""
    before = applied(tf, plat)
    tf.write(px.config(plat, {
        "auth": [Block(secret_arn=plat.secret_arn, iam_auth="REQUIRED",
                       description="application user"),
                 Block(secret_arn=plat.other_secret_arn, description="reporting user")],
        "require_tls": True, "idle_client_timeout": 900, "debug_logging": True,
        "role_arn": plat.other_role_arn, "security_groups": [plat.other_sg],
        "pool": Block(connection_borrow_timeout=60, max_connections_percent=90,
                      max_idle_connections_percent=0, init_query="SET TIME ZONE 'UTC'",
                      session_pinning_filters=["EXCLUDE_VARIABLE_SETS"]),
        "tags": {"Service": "database", "Team": "core"},
    }))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    assert not ch.replace_paths, ch.replace_paths
    moto.clear_calls()
    tf.apply(plan_file="tb.plan").ok()
    assert set(mutating_calls(moto)) <= {"ModifyDBProxy", "ModifyDBProxyTargetGroup",
                                         "ModifyDBProxyEndpoint", "AddTagsToResource",
                                         "RemoveTagsFromResource"}, mutating_calls(moto)
    after = svc.state_values(tf, ADDRESS)
    for key in ("arn", "endpoint", "reader_endpoint_address"):
        assert after[key] == before[key], (key, before[key], after[key])

    p = px.describe(aws)
    ck = Soft("the update did not reach AWS")
    ck.eq("auth", [(a["SecretArn"], a["IAMAuth"], a.get("Description")) for a in p["Auth"]],
          [(plat.secret_arn, "REQUIRED", "application user"),
           (plat.other_secret_arn, "DISABLED", "reporting user")])
    ck.eq("settings", (p["IdleClientTimeout"], p["DebugLogging"], p["RoleArn"],
                       p["VpcSecurityGroupIds"]),
          (900, True, plat.other_role_arn, [plat.other_sg]))
    pool = px.pool(aws)
    ck.eq("pool", (pool["ConnectionBorrowTimeout"], pool["MaxConnectionsPercent"],
                   pool["MaxIdleConnectionsPercent"], pool.get("InitQuery"),
                   pool["SessionPinningFilters"]),
          (60, 90, 0, "SET TIME ZONE 'UTC'", ["EXCLUDE_VARIABLE_SETS"]))
    reader = px.endpoints(aws)[READER]
    ck.eq("reader security groups", reader["VpcSecurityGroupIds"], [plat.other_sg])
    want_tags = {**px.DEFAULT_TAGS, "Service": "database", "Team": "core"}
    ck.eq("proxy tags", px.tags_of(aws, after["arn"]), want_tags)
    ck.eq("reader tags", px.tags_of(aws, reader["DBProxyEndpointArn"]), want_tags)
    ck.done()
    tf.plan(detailed_exitcode=True).expect_rc(0)

    # back to the documented pool: the init query and the filters are cleared
    tf.write(px.config(plat, {"pool": DROP}))
    tf.apply().ok()
    pool = px.pool(aws)
    assert (pool.get("InitQuery"), pool["SessionPinningFilters"],
            pool["MaxConnectionsPercent"]) == (None, [], 100), pool
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_new_target_deregisters_the_old_one_in_place(tf, aws, moto, plat):
    applied(tf, plat)
    tf.write(px.config(plat, {"target": Block(db_instance=plat.instance)}))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    assert set(ch.changed()) == {"target.db_cluster", "target.db_instance"}, ch.changed()
    moto.clear_calls()
    tf.apply(plan_file="tb.plan").ok()
    assert mutating_calls(moto) == ["DeregisterDBProxyTargets", "RegisterDBProxyTargets"], \
        mutating_calls(moto)
    assert [(t["Type"], t["RdsResourceId"]) for t in px.targets(aws)] == \
        [("RDS_INSTANCE", plat.instance)]
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_reader_endpoint_comes_and_goes_in_place(tf, aws, moto, plat):
    applied(tf, plat)
    tf.write(px.config(plat, {"reader_endpoint": Block(enabled=False)}))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"], ch.actions
    assert ch.after.get("reader_endpoint_address") is None, svc.dump(ch.after)
    moto.clear_calls()
    tf.apply(plan_file="tb.plan").ok()
    assert mutating_calls(moto) == ["DeleteDBProxyEndpoint"], mutating_calls(moto)
    assert px.endpoints(aws) == {}
    assert svc.state_values(tf, ADDRESS)["reader_endpoint_address"] is None
    tf.plan(detailed_exitcode=True).expect_rc(0)

    tf.write(px.config(plat))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert "reader_endpoint_address" in ch.unknown, ch.changed()
    tf.apply(plan_file="tb.plan").ok()
    assert svc.state_values(tf, ADDRESS)["reader_endpoint_address"] == \
        px.endpoints(aws)[READER]["Endpoint"]
    tf.plan(detailed_exitcode=True).expect_rc(0)


REPLACING = {
    "subnets": lambda plat: {"subnets": plat.subnets[:1]},
    "engine_family": lambda plat: {"engine_family": "MYSQL"},
    "name": lambda plat: {"name": "tb-dev-proxy-2"},
}


def test_what_rds_cannot_change_replaces_the_proxy(tf, aws, plat):
    applied(tf, plat)
    for path, change in REPLACING.items():
        tf.write(px.config(plat, change(plat)))
        ch = svc.planned_changes(tf)[ADDRESS]
        assert ch.actions in (["delete", "create"], ["create", "delete"]), (path, ch.actions)
        assert [path] in ch.replace_paths, (path, ch.replace_paths)


# ---- 4: drift -------------------------------------------------------------------------


def _modify(**kw):
    return lambda aws, plat, v: aws("rds").modify_db_proxy(DBProxyName=NAME, **kw)


def _proxy_field(field):
    return lambda aws: (px.describe(aws) or {}).get(field)


def drifts(plat: px.Platform) -> dict:
    """name -> (change AWS, the plan's expected changes {path: (refreshed,
    config)}, extra paths that may go unknown, (read back, configured value))."""
    return {
        "idle timeout": (_modify(IdleClientTimeout=600), {"idle_client_timeout": (600, 1800)},
                         set(), (_proxy_field("IdleClientTimeout"), 1800)),
        "TLS turned off": (_modify(RequireTLS=False), {"require_tls": (False, True)}, set(),
                           (_proxy_field("RequireTLS"), True)),
        "security groups": (
            _modify(SecurityGroups=[plat.other_sg]),
            {"security_groups[0]": (plat.other_sg, plat.proxy_sg)}, set(),
            (_proxy_field("VpcSecurityGroupIds"), [plat.proxy_sg])),
        "pool": (
            lambda aws, plat, v: aws("rds").modify_db_proxy_target_group(
                DBProxyName=NAME, TargetGroupName="default",
                ConnectionPoolConfig={"MaxConnectionsPercent": 70,
                                      "MaxIdleConnectionsPercent": 30}),
            {"pool.max_connections_percent": (70, 100),
             "pool.max_idle_connections_percent": (30, 50)},
            set(), (lambda aws: px.pool(aws)["MaxConnectionsPercent"], 100)),
        "target deregistered": (
            lambda aws, plat, v: aws("rds").deregister_db_proxy_targets(
                DBProxyName=NAME, DBClusterIdentifiers=[plat.cluster]),
            {"target.db_cluster": (None, plat.cluster)}, set(),
            (lambda aws: sorted(t["RdsResourceId"] for t in px.targets(aws)),
             [plat.cluster, f"{plat.cluster}-1"])),
        "reader endpoint deleted": (
            lambda aws, plat, v: aws("rds").delete_db_proxy_endpoint(
                DBProxyEndpointName=READER),
            {"reader_endpoint.enabled": (False, True)}, {"reader_endpoint_address"},
            (lambda aws: sorted(px.endpoints(aws)), [READER])),
        "tag added": (
            lambda aws, plat, v: aws("rds").add_tags_to_resource(
                ResourceName=v["arn"], Tags=[{"Key": "Owner", "Value": "someone"}]),
            {"tags.Owner": ("someone", None), "tags_all.Owner": ("someone", None)}, set(),
            (lambda aws: "Owner" in px.tags_of(aws, px.describe(aws)["DBProxyArn"]), False)),
    }


def test_drift_shows_exactly_the_changed_attribute(tf, aws, plat):
    """Each out-of-band change in turn: the plan changes exactly that
    attribute, and applying it puts AWS back. All drifts run; failures are
    reported together."""
    values = applied(tf, plat)
    failures = []
    for name, (drift, expected, may_be_unknown, (read_back, want)) in drifts(plat).items():
        drift(aws, plat, values)
        ch = svc.planned_changes(tf)[ADDRESS]
        got = ch.changed()
        want_paths = set(expected) | set(may_be_unknown)
        if ch.actions != ["update"] or not set(expected) <= set(got) <= want_paths:
            failures.append(f"{name}: plan {ch.actions} changes {svc.dump(got)}, "
                            f"want update of {sorted(want_paths)}")
        else:
            for path, pair in expected.items():
                if got[path] != pair:
                    failures.append(f"{name}: {path} planned {got[path]}, want {pair}")
        res = tf.apply(plan_file="tb.plan")
        if res.rc != 0:
            failures.append(f"{name}: apply failed:\n{res.describe(20)}")
            break
        seen = read_back(aws)
        if seen != want:
            failures.append(f"{name}: apply did not restore AWS, it holds {seen!r}")
        again = tf.plan(detailed_exitcode=True)
        if again.rc != 0:
            failures.append(f"{name}: the plan after the repair is not empty:\n"
                            f"{again.describe(40)}")
    assert not failures, "\n\n".join(failures)


# ---- 5: import ------------------------------------------------------------------------


def _comparable(values: dict) -> dict:
    return {k: v for k, v in values.items() if k not in ("timeouts", "acknowledge")}


def test_import_command_reads_back_the_whole_proxy(tf, aws, plat):
    created = applied(tf, plat)
    tf.run("state", "rm", ADDRESS).ok()
    tf.import_(ADDRESS, NAME).ok()
    imported = svc.state_values(tf, ADDRESS)
    res = tf.plan(detailed_exitcode=True)
    assert res.rc == 0, "the plan after import is not empty:\n" + res.describe(80)
    want, got = _comparable(created), _comparable(imported)
    diff = {k: (want.get(k), got.get(k)) for k in want if want.get(k) != got.get(k)}
    assert not diff, "imported state differs from the created one:\n" + svc.dump(diff)


def test_import_block_plans_no_change(tf, aws, plat):
    applied(tf, plat)
    tf.run("state", "rm", ADDRESS).ok()
    tf.write(px.config(plat, extra=f'import {{\n  to = {ADDRESS}\n  id = "{NAME}"\n}}\n'))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.raw["change"].get("importing"), svc.dump(ch.raw)
    assert ch.actions == ["no-op"] and not ch.changed(), (ch.actions, svc.dump(ch.changed()))
    tf.apply(plan_file="tb.plan").ok()
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_import_of_a_missing_proxy_says_so(tf, aws, plat):
    tf.write(px.config(plat))
    tf.init().ok()
    res = tf.import_(ADDRESS, "no-such-proxy")
    res.failed()
    assert "Cannot import non-existent remote object" in res.output, res.describe()
    assert "no-such-proxy" in res.output, res.describe()


# ---- 6: deleted out of band -----------------------------------------------------------


def test_proxy_deleted_out_of_band_is_created_again(tf, aws, plat):
    applied(tf, plat)
    aws("rds").delete_db_proxy(DBProxyName=NAME)
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["create"], ch.actions
    tf.apply(plan_file="tb.plan").ok()
    check_bundle(aws, plat, svc.state_values(tf, ADDRESS))
    tf.plan(detailed_exitcode=True).expect_rc(0)


# ---- 7: a step fails ------------------------------------------------------------------


@pytest.mark.parametrize("action,code", [
    ("ModifyDBProxyTargetGroup", "InvalidParameterValue"),
    ("RegisterDBProxyTargets", "InsufficientAvailableIPsInSubnetFault"),
    ("CreateDBProxyEndpoint", "DBProxyEndpointQuotaExceededFault"),
])
def test_failed_step_leaves_no_orphan_and_the_next_apply_converges(tf, aws, moto, plat, action,
                                                                    code):
    tf.write(px.config(plat))
    tf.init().ok()
    moto.inject_fault(action, status=400, code=code, message=f"injected {action} failure",
                      times=0)
    res = tf.apply().failed()
    assert f"injected {action} failure" in res.output, res.describe()
    assert f"rds {action}: {code}" in res.output, "the error names operation and code\n" + \
        res.describe()
    r = svc.state_resource(tf, ADDRESS)
    assert r is not None and r.get("tainted") is True, \
        "the proxy exists, so state must have it (tainted): " + svc.dump(r)
    assert r["values"]["arn"] == px.describe(aws)["DBProxyArn"]
    assert_no_orphans(aws, tf)

    moto.clear_faults()
    tf.apply().ok()
    check_bundle(aws, plat, svc.state_values(tf, ADDRESS))
    assert_no_orphans(aws, tf)
    tf.plan(detailed_exitcode=True).expect_rc(0)
    tf.destroy().ok()
    assert_nothing_left(aws)


def test_registration_waits_while_the_database_is_not_available(tf, aws, moto, plat):
    """RDS refuses the target while the database is still being created
    (terraform-provider-aws #19096): the registration is retried."""
    tf.write(px.config(plat))
    tf.init().ok()
    moto.inject_fault("RegisterDBProxyTargets", code="InvalidDBClusterStateFault",
                      message="DB Cluster talentbase-dev-db is in an unsupported state - "
                              "CREATING, needs to be in [AVAILABLE, MODIFYING, BACKING_UP]",
                      times=1)
    moto.clear_calls()
    tf.apply().ok()
    assert [c["action"] for c in moto.calls()].count("RegisterDBProxyTargets") == 2
    check_bundle(aws, plat, svc.state_values(tf, ADDRESS))


def test_registration_gives_up_at_the_timeout_quoting_rds(tofu, aws, moto, plat):
    tofu.write(px.config(plat, {"timeouts": Block(create="8s")}))
    tofu.init().ok()
    moto.inject_fault("RegisterDBProxyTargets", code="InvalidDBInstanceState",
                      message="DB Instance talentbase-dev-db-1 is in an unsupported state - "
                              "CREATING, needs to be in [AVAILABLE, MODIFYING, BACKING_UP]",
                      times=0)
    start = time.monotonic()
    res = tofu.apply().failed()
    assert time.monotonic() - start < 40
    assert re.search(r"rds RegisterDBProxyTargets: InvalidDBInstanceState: DB Instance "
                     r"talentbase-dev-db-1 is in an unsupported state - CREATING.*still refused "
                     r"after \d+s", res.output.replace("\n", " ")), res.describe()
    r = svc.state_resource(tofu, ADDRESS)
    assert r is not None and r.get("tainted") is True, svc.dump(r)
    assert_no_orphans(aws, tofu)


def test_aws_error_names_step_operation_code_and_attribute(tf, aws, plat):
    tf.write(px.config(plat, {"target": Block(db_cluster="no-such-cluster")}))
    tf.init().ok()
    res = tf.apply(json=True)
    res.failed()
    res.assert_diagnostic(
        summary=re.compile(r'registering the database as target for talentbase_database_proxy '
                           r'"tb-dev-proxy": rds RegisterDBProxyTargets: DBClusterNotFoundFault: '
                           r'.*\(request id \S+\)'),
        attribute="target.db_cluster")
    assert_no_orphans(aws, tf)


# ---- the target's health ------------------------------------------------------------


def _assert_unavailable_fails(t, aws, moto, plat, reason: str, advice: str):
    """With every target UNAVAILABLE for reason, the create fails at its
    timeout quoting AWS's reason and description and what to check; the
    proxy stays in state, tainted; once fixed, the next apply converges."""
    description = f"DBProxy Target unavailable: {reason.lower()} (emulated)"
    moto.set_env(MOTO_RDS_PROXY_TARGET_HEALTH=f"UNAVAILABLE:{reason}:{description}")
    t.write(px.config(plat, {"timeouts": Block(create="7s")}))
    t.init().ok()
    res = t.apply(json=True)
    res.failed()
    d = res.assert_diagnostic(
        summary=f'target of talentbase_database_proxy "tb-dev-proxy" is UNAVAILABLE: {reason}')
    assert description in d.detail and advice in d.detail, d.detail
    assert "untaint" in d.detail, d.detail
    r = svc.state_resource(t, ADDRESS)
    assert r is not None and r.get("tainted") is True and r["values"]["arn"], svc.dump(r)
    assert_no_orphans(aws, t)

    moto.set_env(MOTO_RDS_PROXY_TARGET_HEALTH=None)
    t.apply().ok()
    t.plan(detailed_exitcode=True).expect_rc(0)
    return d, res


def test_connection_failed_target_points_at_the_security_groups(tf, aws, moto, plat):
    d, res = _assert_unavailable_fails(tf, aws, moto, plat, "CONNECTION_FAILED",
                                       "security groups must allow outbound TCP")
    assert d.attribute(res.cwd) == "security_groups", d.describe(res.cwd)


def test_auth_failure_target_points_at_the_secret(tofu, aws, moto, plat):
    _assert_unavailable_fails(tofu, aws, moto, plat, "AUTH_FAILURE",
                              "username and password of an existing database user")


def test_without_waiting_for_targets_an_unavailable_target_does_not_fail(tofu, aws, moto, plat):
    moto.set_env(MOTO_RDS_PROXY_TARGET_HEALTH="UNAVAILABLE:CONNECTION_FAILED:down")
    tofu.write(px.config(plat, {"wait_for_targets": False}))
    tofu.init().ok()
    tofu.apply().ok()
    tofu.plan(detailed_exitcode=True).expect_rc(0)


# ---- 8: destroy -----------------------------------------------------------------------


def test_destroy_leaves_nothing_behind(tf, aws, moto, plat):
    applied(tf, plat)
    moto.clear_calls()
    tf.destroy().ok()
    made = mutating_calls(moto)
    assert made == ["DeleteDBProxyEndpoint", "DeregisterDBProxyTargets", "DeleteDBProxy"] or \
        made == ["DeregisterDBProxyTargets", "DeleteDBProxyEndpoint", "DeleteDBProxy"], made
    assert svc.state_values(tf, ADDRESS) is None
    assert_nothing_left(aws)


# ---- timeouts and interrupts ------------------------------------------------------------


def test_create_times_out_waiting_for_the_proxy(tofu, aws, moto, plat):
    """RDS never finishes creating the proxy: the apply gives up after
    timeouts.create naming the wait, its last state and the timeouts block;
    state keeps the (tainted) proxy."""
    moto.set_env(MOTO_RDS_PROXY_CREATING_POLLS=100000)
    tofu.write(px.config(plat, {"timeouts": Block(create="8s")}))
    tofu.init().ok()
    start = time.monotonic()
    res = tofu.apply().failed()
    assert time.monotonic() - start < 40
    text = res.output.replace("\n", " ")
    assert re.search(r"creating RDS Proxy for talentbase_database_proxy \"tb-dev-proxy\": "
                     r"timeout after \d+s waiting for RDS Proxy tb-dev-proxy to become "
                     r"available \(last state creating\).*timeouts block", text), res.describe()
    r = svc.state_resource(tofu, ADDRESS)
    assert r is not None and r.get("tainted") is True and r["values"]["arn"], svc.dump(r)
    assert_no_orphans(aws, tofu)


def test_interrupt_stops_the_create_wait(tofu, aws, moto, plat):
    """Ctrl-C while RDS creates the proxy: OpenTofu calls StopProvider, the
    apply ends promptly, and the proxy is in state."""
    moto.set_env(MOTO_RDS_PROXY_CREATING_POLLS=100000)
    tofu.write(px.config(plat))
    tofu.init().ok()
    argv = [str(tofu.binary), "apply", "-input=false", "-no-color", "-auto-approve"]
    proc = subprocess.Popen(argv, cwd=tofu.workdir, env=tofu.env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while px.describe(aws) is None:
            assert proc.poll() is None, "apply ended before the proxy existed:\n" + \
                proc.stdout.read()
            assert time.monotonic() < deadline, "the proxy never appeared"
            time.sleep(0.2)
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
    assert took < 5, f"apply needed {took:.1f}s to stop after the interrupt:\n{out[-3000:]}"
    assert "canceled while waiting for RDS Proxy tb-dev-proxy" in out, out[-3000:]
    r = svc.state_resource(tofu, ADDRESS)
    assert r is not None and r["values"].get("arn") == px.describe(aws)["DBProxyArn"], \
        "the created proxy must be in state after the interrupt:\n" + out[-3000:]
    assert_no_orphans(aws, tofu)
