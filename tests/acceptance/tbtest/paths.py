"""Where things are: the repository, the CLIs, the provider binary."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
ACCEPTANCE = REPO / "tests" / "acceptance"
EXPECTED = ACCEPTANCE / "expected"
EMULATOR_SERVER = ACCEPTANCE / "emulator" / "server.py"
PROTO_DIR = REPO / "proto"

PROVIDER_NAMESPACE = "platform"
PROVIDER_TYPE = "talentbase"
PROVIDER_HOST = "registry.talentbase.internal"
PROVIDER_SOURCE = f"{PROVIDER_HOST}/{PROVIDER_NAMESPACE}/{PROVIDER_TYPE}"
PROVIDER_VERSION = "0.1.0"
PLATFORM = "linux_amd64"
BINARY_NAME = f"terraform-provider-{PROVIDER_TYPE}"


def work_root() -> Path:
    """Per-run scratch space; TB_ACC_WORK overrides (ignored by git)."""
    return Path(os.environ.get("TB_ACC_WORK", ACCEPTANCE / ".work")).resolve()


def provider_binary() -> Path:
    """TB_PROVIDER_BINARY, else the CMake build's binary."""
    env = os.environ.get("TB_PROVIDER_BINARY")
    return Path(env).resolve() if env else REPO / "build" / BINARY_NAME


def tofu_binary() -> Path:
    """TB_TOFU, else the one scripts/bootstrap.sh builds."""
    env = os.environ.get("TB_TOFU")
    return Path(env).resolve() if env else REPO / ".tools" / "bin" / "tofu"


def terraform_binary() -> Path | None:
    """TB_TERRAFORM, else `terraform` on PATH; None when there is none.
    TB_TERRAFORM=none turns Terraform runs off."""
    env = os.environ.get("TB_TERRAFORM")
    if env == "none":
        return None
    if env:
        return Path(env).resolve()
    found = shutil.which("terraform")
    return Path(found) if found else None


def available_clis() -> list[str]:
    """'tofu' always (a missing tofu is a broken bootstrap and fails);
    'terraform' when there is one."""
    return ["tofu"] + (["terraform"] if terraform_binary() else [])


def cli_binary(name: str) -> Path:
    if name == "tofu":
        return tofu_binary()
    if name == "terraform":
        path = terraform_binary()
        if path is None:
            raise RuntimeError("terraform is not on PATH")
        return path
    raise ValueError(f"unknown CLI {name!r}")
