"""What the benchmarks share: the provider under test, a tofu working
directory with the provider in a filesystem mirror, and table output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "acceptance"))

TB_SOURCE = "registry.talentbase.internal/platform/talentbase"
TB_VERSION = "0.1.0"


class Provider:
    def __init__(self, label: str, binary: Path, source: str, version: str, local: str):
        self.label = label
        self.binary = binary
        self.source = source
        self.version = version
        self.local = local  # local name in required_providers
        self.type = source.rsplit("/", 1)[-1]


def default_provider_binary() -> Path:
    """TB_PROVIDER_BINARY, else the CMake build's binary."""
    return Path(os.environ.get("TB_PROVIDER_BINARY",
                               REPO / "build" / "terraform-provider-talentbase"))


def default_tofu() -> Path:
    """TB_TOFU, else the one scripts/bootstrap.sh builds."""
    return Path(os.environ.get("TB_TOFU", REPO / ".tools" / "bin" / "tofu"))


def vm_hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def tofu_setup(p: Provider, tofu: Path, root: Path,
               files: Mapping[str, str] | None = None) -> tuple[Path, dict[str, str]]:
    """A working directory under root, initialised with p.binary as the
    provider in a filesystem mirror (a private TF_CLI_CONFIG_FILE). files
    (name -> text) is its configuration; without it a main.tf that only
    requires the provider. Returns (directory, environment for tofu: the
    caller's less TF_ and AWS_ variables)."""
    host, ns, typ = p.source.split("/")
    pkg = root / "mirror" / host / ns / typ / p.version / "linux_amd64"
    pkg.mkdir(parents=True)
    shutil.copy2(p.binary, pkg / f"terraform-provider-{typ}_v{p.version}")
    rc = root / "cli.tfrc"
    rc.write_text(f"""disable_checkpoint = true
provider_installation {{
  filesystem_mirror {{
    path    = "{root / 'mirror'}"
    include = ["{host}/{ns}/{typ}"]
  }}
  direct {{
    exclude = ["{host}/{ns}/{typ}"]
  }}
}}
""")
    wd = root / "work"
    wd.mkdir()
    if files is None:
        files = {"main.tf": f"""terraform {{
  required_providers {{
    {p.local} = {{
      source  = "{p.source}"
      version = "{p.version}"
    }}
  }}
}}
"""}
    for name, text in files.items():
        (wd / name).write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
    env.update({"TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1",
                "CHECKPOINT_DISABLE": "1"})
    r = subprocess.run([str(tofu), "init", "-input=false", "-no-color"], cwd=wd, env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"tofu init for {p.label} failed:\n{r.stdout}\n{r.stderr}")
    return wd, env


def first_error(text: str) -> str:
    """The first "Error:" line of a CLI's output, else its last line."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    lines = [ln.strip(" │╷╵") for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    return next((ln for ln in lines if "Error:" in ln), lines[-1] if lines else "")


def fmt_ms(v: float | None) -> str:
    return "-" if v is None else f"{v * 1000:.1f} ms"


def fmt_mb(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f} MB"


def print_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned columns two spaces apart, a rule under the head."""
    n = len(head)
    widths = [max(len(str(r[i])) for r in list(rows) + [head]) for i in range(n)]

    def line(r: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()

    print(line(head))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))
