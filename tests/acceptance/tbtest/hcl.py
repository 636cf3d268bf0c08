"""Writing HCL configurations from Python values.

    hcl.config(provider={"environment": "development"}, body='''
      resource "talentbase_secret" "db" { name = "x" }
    ''')

renders a `terraform { required_providers { ... } }` block for the
provider, a `provider "talentbase"` block and the body. Values render as
HCL: str (with `${` and `%{` escaped), bool, int, float, None -> null,
list/tuple, dict -> object; a `Block(...)` value renders as a nested block
(a list of Blocks as repeated blocks).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from . import paths


class Block(dict):
    """A nested block in a rendered body: Block(role_arn="...")."""


class Raw(str):
    """An HCL expression written as is: Raw("var.image_tag")."""


def value(v: Any, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(v, Raw):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v).replace("${", "$${").replace("%{", "%%{")
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x, indent) for x in v) + "]"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        inner = "\n".join(f"{pad}  {json.dumps(str(k))} = {value(x, indent + 1)}"
                          for k, x in v.items())
        return "{\n" + inner + f"\n{pad}}}"
    raise TypeError(f"cannot render {type(v).__name__} as HCL")


def body(items: Mapping[str, Any], indent: int = 1) -> str:
    """Attributes and nested blocks, one a line."""
    pad = "  " * indent
    lines = []
    for k, v in items.items():
        blocks = v if isinstance(v, list) and v and all(isinstance(b, Block) for b in v) else None
        if isinstance(v, Block):
            blocks = [v]
        if blocks is not None:
            for b in blocks:
                lines.append(f"{pad}{k} {{\n{body(b, indent + 1)}\n{pad}}}")
        else:
            lines.append(f"{pad}{k} = {value(v, indent)}")
    return "\n".join(lines)


def required_providers(version: str = paths.PROVIDER_VERSION,
                       source: str = paths.PROVIDER_SOURCE) -> str:
    return f"""terraform {{
  required_providers {{
    talentbase = {{
      source  = "{source}"
      version = "{version}"
    }}
  }}
}}
"""


def provider_block(settings: Mapping[str, Any] | None = None, alias: str | None = None) -> str:
    items = dict(settings or {})
    if alias:
        items = {"alias": alias, **items}
    inner = body(items)
    return f'provider "talentbase" {{\n{inner}\n}}\n' if inner else 'provider "talentbase" {}\n'


DEFAULT_PROVIDER = {"region": "us-east-1", "environment": "development"}

# Both CLIs prune a provider configuration that no resource uses: without a
# resource, neither `validate` nor `plan` calls ValidateProviderConfig or
# ConfigureProvider. This resource makes them do so while planning nothing
# (count = 0: no PlanResourceChange, no AWS object).
ANCHOR = """
resource "talentbase_service" "anchor" {
  count              = 0
  name               = "anchor"
  cluster            = "anchor"
  role               = "worker"
  image              = "123456789012.dkr.ecr.us-east-1.amazonaws.com/anchor"
  image_tag          = "v1"
  cpu                = 256
  memory             = 512
  execution_role_arn = "arn:aws:iam::123456789012:role/anchor-execution"

  network {
    subnets         = ["subnet-00000000000000001"]
    security_groups = ["sg-00000000000000001"]
  }
}
"""


def config(provider: Mapping[str, Any] | None = None, body: str = "",
           with_provider_block: bool = True, anchor: bool = False) -> str:
    """A whole root module: required_providers, the provider block
    (DEFAULT_PROVIDER when `provider` is None), ANCHOR when `anchor`, and
    `body`."""
    text = required_providers()
    if with_provider_block:
        text += "\n" + provider_block(DEFAULT_PROVIDER if provider is None else provider)
    if anchor:
        text += ANCHOR
    if body:
        text += "\n" + body.strip("\n") + "\n"
    return text
