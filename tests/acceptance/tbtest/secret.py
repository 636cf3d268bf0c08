"""talentbase_secret and talentbase_parameter in acceptance tests: their HCL,
what AWS holds of them (boto3 only), and the scan that no secret value
leaks anywhere a reader could find it.

    tf.write(secret.config(secret.resource("session", name="app/session",
                                           generate=Block(json_key="SESSION_SECRET"))))
    value = secret.value_of(aws, "app/session")          # boto3 GetSecretValue
    secret.assert_nowhere(tf, [value], results)          # state, show -json, outputs, logs
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Iterable, Mapping

from . import hcl
from .hcl import Block, Raw

DEFAULT_TAGS = {"Project": "TalentBase", "ManagedBy": "Terraform"}
REGION = "us-east-1"
ACCOUNT = "123456789012"


def provider(environment: str = "development", **extra: Any) -> dict[str, Any]:
    return {"region": REGION, "environment": environment, "default_tags": DEFAULT_TAGS,
            **extra}


def resource(label: str, type_: str = "talentbase_secret", **items: Any) -> str:
    """One resource block; Block values render as nested blocks, Raw as
    expressions."""
    return f'resource "{type_}" "{label}" {{\n{hcl.body(items)}\n}}\n'


def ephemeral(label: str, **items: Any) -> str:
    return f'ephemeral "talentbase_secret" "{label}" {{\n{hcl.body(items)}\n}}\n'


def config(*bodies: str, environment: str = "development", extra: str = "",
           provider_settings: Mapping[str, Any] | None = None) -> str:
    """A root module: the provider and the given resource blocks."""
    settings = provider_settings if provider_settings is not None else provider(environment)
    return hcl.config(provider=settings, body="\n".join(bodies) + "\n" + extra)


def variable(name: str, sensitive: bool = False, ephemeral: bool = False) -> str:
    """A string variable; ephemeral ones (for write-only arguments) are kept
    out of plan files and state by the CLI itself."""
    return (f'variable "{name}" {{\n  type = string\n'
            + ("  sensitive = true\n" if sensitive else "")
            + ("  ephemeral = true\n" if ephemeral else "") + "}\n")


# ---- state and plans ----------------------------------------------------------------


def values(tf, address: str) -> dict[str, Any] | None:
    """The resource's values in state (`show -json`), or None."""
    shown = tf.show_json().ok().json
    for r in (shown.get("values") or {}).get("root_module", {}).get("resources", []):
        if r["address"] == address:
            return r["values"]
    return None


def addresses(tf) -> list[str]:
    res = tf.state_list()
    return [] if res.rc != 0 else [x for x in res.stdout.split() if x]


# ---- AWS (boto3) -----------------------------------------------------------------------


def describe(aws, secret_id: str) -> dict | None:
    from botocore.exceptions import ClientError

    try:
        return aws("secretsmanager").describe_secret(SecretId=secret_id)
    except ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise


def value_of(aws, secret_id: str) -> str:
    return aws("secretsmanager").get_secret_value(SecretId=secret_id,
                                                  VersionStage="AWSCURRENT")["SecretString"]


def current_version(d: dict) -> str | None:
    for vid, stages in (d.get("VersionIdsToStages") or {}).items():
        if "AWSCURRENT" in stages:
            return vid
    return None


def tags(d: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in d.get("Tags") or []}


def all_secrets(aws) -> list[dict]:
    """Every secret, those scheduled for deletion included."""
    out, token = [], None
    sm = aws("secretsmanager")
    while True:
        kw = {"IncludePlannedDeletion": True}
        if token:
            kw["NextToken"] = token
        page = sm.list_secrets(**kw)
        out += page.get("SecretList", [])
        token = page.get("NextToken")
        if not token:
            return out


def rotation_function(aws, name: str = "rotate-secret") -> str:
    """A rotation function in the emulator's Lambda (its invocations
    succeed); returns its ARN."""
    role = aws("iam").create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return None\n")
    return aws("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                         Handler="index.handler",
                                         Code={"ZipFile": buf.getvalue()})["FunctionArn"]


def calls(moto, action: str) -> int:
    """How often the provider (not the test) called a Secrets Manager action."""
    return sum(1 for c in moto.calls("secretsmanager", provider_only=True)
               if c["action"] == action)


# ---- no secret anywhere ------------------------------------------------------------------


def places(tf, results: Iterable = (), plan_files: Iterable[str] = ()) -> dict[str, str]:
    """Everything a reader of the working directory, the CI log or the state
    can see: the state file, `show -json` of the state and of saved plans,
    `output -json`, and the stdout and stderr (TF_LOG trace included) of
    every CLI run given."""
    out: dict[str, str] = {}
    state = tf.path("terraform.tfstate")
    if state.exists():
        out["terraform.tfstate"] = state.read_text()
    for p in sorted(tf.path().glob("terraform.tfstate.*backup")):
        out[p.name] = p.read_text()
    out["state pull"] = tf.state_pull().stdout
    out["show -json"] = tf.show_json().stdout
    out["output -json"] = tf.output_json().stdout
    for f in plan_files:
        out[f"show -json {f}"] = tf.show_json(f).stdout
    for i, r in enumerate(results):
        out[f"run {i} {' '.join(r.argv[:2])} stdout"] = r.stdout
        out[f"run {i} {' '.join(r.argv[:2])} stderr"] = r.stderr
    return out


def assert_nowhere(tf, secrets: Iterable[str], results: Iterable = (),
                   plan_files: Iterable[str] = ()) -> None:
    """No secret value (nor its JSON-escaped form) in any of places()."""
    texts = places(tf, results, plan_files)
    found = []
    for s in secrets:
        assert s and len(s) >= 12, "a leak scan needs distinctive values"
        forms = {s, json.dumps(s)[1:-1]}
        for where, text in texts.items():
            if any(f in text for f in forms):
                found.append(f"{s[:6]}... in {where}")
    assert not found, "secret values leaked:\n  " + "\n  ".join(found)


__all__ = ["Block", "Raw", "config", "resource", "ephemeral", "variable", "values", "describe",
           "value_of", "assert_nowhere", "rotation_function", "all_secrets", "tags",
           "current_version", "calls", "provider", "addresses"]
