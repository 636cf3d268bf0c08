"""The release binaries' own checks (make release-check, never make test):
the zips of a release directory (TB_RELEASE_DIR, default out/) unpacked and
run the way a CI runner of any distribution would, with nothing of this
machine's userland: each in an empty root (arm64 under qemu-aarch64-static,
copied into its root). Shares tests/acceptance/tbtest.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "acceptance"))

from tbtest import paths  # noqa: E402
from tbtest.registry import Release  # noqa: E402

PLATFORMS = ("linux_amd64", "linux_arm64")


@pytest.fixture(scope="session")
def release() -> Release:
    d = Path(os.environ.get("TB_RELEASE_DIR", REPO / "out"))
    try:
        rel = Release.find(d)
    except FileNotFoundError:
        pytest.fail(f"no release in {d}: run `make release` first", pytrace=False)
    assert sorted(rel.platforms) == list(PLATFORMS), rel.platforms
    return rel


@pytest.fixture(scope="session")
def unpacked(release, tmp_path_factory) -> dict[str, Path]:
    """platform -> the binary out of its zip."""
    out = {}
    for p in PLATFORMS:
        d = tmp_path_factory.mktemp(p)
        with zipfile.ZipFile(release.zip(p)) as z:
            (name,) = z.namelist()
            z.extract(name, d)
        out[p] = d / name
        out[p].chmod(0o755)
    return out


@pytest.fixture
def empty_root():
    """root(platform, binary) -> a fresh directory holding only the binary
    (and, for arm64, the static qemu that runs it), and the command that runs
    it there. Short paths: the plugin's socket lives under it."""
    made = []

    def make(platform: str, binary: Path) -> tuple[Path, list[str]]:
        root = Path(tempfile.mkdtemp(prefix="tbroot-"))
        made.append(root)
        shutil.copy2(binary, root / binary.name)
        cmd = ["chroot", str(root)]
        if platform == "linux_arm64":
            qemu = shutil.which("qemu-aarch64-static")
            if not qemu:
                pytest.fail("qemu-aarch64-static is missing: BOOTSTRAP_RELEASE=1 "
                            "scripts/bootstrap.sh installs it", pytrace=False)
            shutil.copy2(qemu, root / "qemu-aarch64-static")
            cmd.append("/qemu-aarch64-static")
        cmd.append("/" + binary.name)
        assert sorted(p.name for p in root.iterdir()) == sorted(
            [binary.name] + (["qemu-aarch64-static"] if platform == "linux_arm64" else []))
        return root, cmd

    yield make
    for r in made:
        shutil.rmtree(r, ignore_errors=True)


@pytest.fixture(scope="session")
def plugin_stubs(tmp_path_factory):
    from tbtest.plugin import load_stubs
    return load_stubs(tmp_path_factory.mktemp("stubs"))


__all__ = ["paths"]
