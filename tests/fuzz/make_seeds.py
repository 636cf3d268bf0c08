"""Writes the seed corpora of the fuzz targets (tests/fuzz/<target>/corpus/)
from the unit tests' vectors and test data:

    .venv/bin/python tests/fuzz/make_seeds.py [provider binary]

The tfplugin6 requests of rpc_values carry DynamicValues that the provider
itself encodes (UpgradeResourceState and PlanResourceChange answers of the
binary, default build/terraform-provider-talentbase), so they are exactly the
msgpack the client sends back. Regression inputs (<target>/regressions/) are
kept by hand and not touched here.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "acceptance"))

from tbtest.plugin import (PluginProcess, load_stubs, make_cert, msgpack_encode,  # noqa: E402
                           null_object)

DATA = TOP / "tests" / "data"
UNIT = TOP / "tests" / "unit"
FUZZ = TOP / "tests" / "fuzz"


def write(target: str, seeds: list[bytes]) -> None:
    d = FUZZ / target / "corpus"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for s in dict.fromkeys(seeds):  # unique, in order
        (d / hashlib.sha1(s).hexdigest()[:16]).write_bytes(s)
    print(f"{target}: {len(list(d.iterdir()))} seeds")


def c_strings(text: str) -> list[str]:
    """The string literals of C source text, escapes undone, adjacent ones joined."""
    out = []
    for m in re.finditer(r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)', text):
        parts = re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1))
        out.append("".join(parts).encode().decode("unicode_escape"))
    return out


# ---- cty codecs: tests/data/cty/cty_vectors.tsv --------------------------------------


def cty_seeds() -> None:
    mp, js = [], []
    for line in (DATA / "cty" / "cty_vectors.tsv").read_text().splitlines():
        typ, hexval, jsonval = line.split("\t")
        mp.append(typ.encode() + b"\n" + bytes.fromhex(hexval))
        if jsonval != "-":
            js.append(typ.encode() + b"\n" + jsonval.encode())
    js.append(b'!["object",{"a":"string"}]\n{"a":"x","dropped":{"b":1}}')
    js.append(b'["object",{"a":"string","b":"number"},["b"]]\n{"a":"x"}')
    write("cty_msgpack", mp)
    write("cty_json", js)


# ---- AWS answers: tests/unit/test_aws_errors.c and tests/data/service/ ----------------


def answer(status: int, action: str, headers: list[str], body: bytes) -> bytes:
    head = f"{status} {action}\n" + "".join(h + "\r\n" for h in headers) + "\r\n"
    return head.encode() + body


def aws_seeds() -> None:
    src = (UNIT / "test_aws_errors.c").read_text()
    rows = re.findall(r"\{\.proto = AWS_PROTO_(JSON|QUERY), \.status = (\d+),(.*?)\},\n", src,
                      re.S)
    seeds = {"JSON": [], "QUERY": []}
    for proto, status, rest in rows:
        fields = dict(re.findall(r'\.(error_type|body) =\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', rest))
        etype = c_strings(fields["error_type"])[0] if "error_type" in fields else None
        body = c_strings(fields["body"])[0] if "body" in fields else ""
        hdrs = ["x-amzn-RequestId: 5c3a-0001"] + ([f"X-Amzn-ErrorType: {etype}"] if etype else [])
        seeds[proto].append(answer(int(status), "DescribeThings", hdrs, body.encode()))
    actions = {"describe_services": "DescribeServices", "describe_task_definition":
               "DescribeTaskDefinition", "list_task_definitions": "ListTaskDefinitions",
               "describe_tasks": "DescribeTasks", "describe_log_groups": "DescribeLogGroups",
               "describe_scalable": "DescribeScalableTargets", "describe_scaling_policies":
               "DescribeScalingPolicies", "describe_scheduled_actions":
               "DescribeScheduledActions", "describe_rules": "DescribeRules",
               "describe_target_group_attributes": "DescribeTargetGroupAttributes",
               "describe_target_groups": "DescribeTargetGroups"}
    for f in sorted((DATA / "service").glob("describe_*")) + sorted(
            (DATA / "service").glob("list_*")):
        action = next(v for k, v in actions.items() if f.name.startswith(k))
        proto = "QUERY" if f.suffix == ".xml" else "JSON"
        hdr = "x-amzn-RequestId: 5c3a-0002" if proto == "JSON" else "x-amz-request-id: q-2"
        seeds[proto].append(answer(200, action, [hdr], f.read_bytes()))
    seeds["JSON"].append(answer(200, "CreateService", [], b""))
    seeds["QUERY"].append(answer(200, "DeleteRule", [], b"<DeleteRuleResponse/>"))
    write("aws_json", seeds["JSON"])
    write("aws_query", seeds["QUERY"])


# ---- shared config files: tests/unit/test_aws_creds.c ----------------------------------


def profile_seeds() -> None:
    src = (UNIT / "test_aws_creds.c").read_text()
    texts = [s for s in c_strings(src) if s.startswith("[") and "\n" in s]
    seeds = [t.encode() for t in texts]
    seeds.append(b"[profile dev]\nregion = eu-west-1\n\0[dev]\naws_access_key_id = DEVKEY\n"
                 b"aws_secret_access_key = DEVSECRET\n")
    seeds.append(b"# comment\n; other\n[default]\r\nRegion=us-east-1\r\n  continued\r\n"
                 b"[services dev]\necs =\n  endpoint_url = http://127.0.0.1:5000\n")
    write("aws_profile", seeds)


# ---- schedules: tests/unit/test_rules_schedule.c -----------------------------------------


def schedule_seeds() -> None:
    src = (UNIT / "test_rules_schedule.c").read_text()
    strings = c_strings(src)
    exprs = [s for s in strings if re.match(r"^(cron|rate|at)\(", s)]
    zones = [s for s in strings if re.match(r"^[A-Za-z][A-Za-z_+-]*/[A-Za-z_/+-]+$", s)]
    seeds = [e.encode() for e in exprs]
    seeds += [f"cron(0 8 ? * MON-FRI *)\n{z}".encode() for z in zones]
    seeds += [b"rate(5 minutes)\nUTC", b"at(2026-02-29T10:00:00)\n../../etc/passwd"]
    write("rules_schedule", seeds)


# ---- SigV4: the AWS test suite's requests --------------------------------------------------


def sigv4_seeds() -> None:
    write("aws_sigv4", [p.read_bytes() for p in sorted((DATA / "sigv4").glob("*/*.req"))])


# ---- tfplugin6 requests ---------------------------------------------------------------------


def rpc_seeds(binary: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pb = load_stubs(Path(tmp) / "stubs").tfplugin6
        cert = make_cert()
        with PluginProcess(binary, client_cert=cert).start() as p:
            ch = p.channel()
            seeds = rpc_requests(pb, ch)
            p.shutdown(ch)
    write("rpc_values", seeds)


def call(ch, pb, name: str, req):
    fn = ch.unary_unary(f"/tfplugin6.Provider/{name}",
                        request_serializer=lambda m: m.SerializeToString(),
                        response_deserializer=getattr(pb, name).Response.FromString)
    return fn(req, timeout=30)


def rpc_requests(pb, ch) -> list[bytes]:
    schema = call(ch, pb, "GetProviderSchema", pb.GetProviderSchema.Request())
    svc = "talentbase_service"
    states = {}
    for name in ("config_web.json", "config_minimal.json"):
        raw = pb.RawState(json=(DATA / "service" / name).read_bytes())
        up = call(ch, pb, "UpgradeResourceState", pb.UpgradeResourceState.Request(
            type_name=svc, version=0, raw_state=raw))
        states[name] = up.upgraded_state
    null = pb.DynamicValue(msgpack=b"\xc0")
    seeds = []

    def add(name: str, req) -> None:
        seeds.append(name.encode() + b"\n" + req.SerializeToString())

    prov = null_object(schema.provider.block, {"region": "us-east-1", "environment": "staging",
                                               "default_tags": {"Team": "platform"}})
    prov_dv = pb.DynamicValue(msgpack=msgpack_encode(dict(sorted(prov.items()))))
    add("ValidateProviderConfig", pb.ValidateProviderConfig.Request(config=prov_dv))
    add("ConfigureProvider", pb.ConfigureProvider.Request(config=prov_dv))
    add("ValidateProviderConfig", pb.ValidateProviderConfig.Request(
        config=pb.DynamicValue(json=b'{"region":"eu-west-1","max_retries":3}')))
    for name, dv in states.items():
        json_dv = pb.DynamicValue(json=(DATA / "service" / name).read_bytes())
        add("ValidateResourceConfig", pb.ValidateResourceConfig.Request(type_name=svc, config=dv))
        add("ValidateResourceConfig", pb.ValidateResourceConfig.Request(type_name=svc,
                                                                        config=json_dv))
        plan = call(ch, pb, "PlanResourceChange", pb.PlanResourceChange.Request(
            type_name=svc, prior_state=null, config=dv, proposed_new_state=dv))
        planned = plan.planned_state
        add("PlanResourceChange", pb.PlanResourceChange.Request(
            type_name=svc, prior_state=null, config=dv, proposed_new_state=dv))
        add("PlanResourceChange", pb.PlanResourceChange.Request(
            type_name=svc, prior_state=dv, config=dv, proposed_new_state=dv,
            prior_private=b'{"v":1}'))
        add("PlanResourceChange", pb.PlanResourceChange.Request(
            type_name=svc, prior_state=dv, config=null, proposed_new_state=null))
        add("ApplyResourceChange", pb.ApplyResourceChange.Request(
            type_name=svc, prior_state=null, planned_state=planned, config=dv))
        add("ApplyResourceChange", pb.ApplyResourceChange.Request(
            type_name=svc, prior_state=dv, planned_state=null, config=null))
        add("ReadResource", pb.ReadResource.Request(type_name=svc, current_state=dv))
        add("UpgradeResourceState", pb.UpgradeResourceState.Request(
            type_name=svc, version=0, raw_state=pb.RawState(json=json_dv.json)))
    add("ImportResourceState", pb.ImportResourceState.Request(type_name=svc,
                                                              id="talentbase-prod/web"))
    add("CallFunction", pb.CallFunction.Request(name="f", arguments=[null, prov_dv]))
    add("GetProviderSchema", pb.GetProviderSchema.Request())
    return seeds


def main() -> None:
    binary = Path(sys.argv[1]) if len(sys.argv) > 1 else TOP / "build" / \
        "terraform-provider-talentbase"
    cty_seeds()
    aws_seeds()
    profile_seeds()
    schedule_seeds()
    sigv4_seeds()
    rpc_seeds(binary)


if __name__ == "__main__":
    main()
