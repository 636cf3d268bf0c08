"""One version source (scripts/version.sh): VERSION=, else the vX.Y.Z tag on
HEAD, else the newest reachable one; a release needs VERSION= or a tag on
HEAD. The built binary reports what the script says."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tbtest import paths

SCRIPT = paths.REPO / "scripts" / "version.sh"


def version(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k != "VERSION"}
    e.update(env or {})
    return subprocess.run([str(repo / "scripts" / "version.sh"), *args], env=e,
                          capture_output=True, text=True)


class Repo(type(Path())):
    git: list[str]


@pytest.fixture
def repo(tmp_path) -> Repo:
    """A git repository holding only the script, with one commit."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(SCRIPT, tmp_path / "scripts" / "version.sh")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    r = Repo(tmp_path)
    r.git = git
    return r


def test_version_before_any_tag(repo):
    assert version(repo).stdout == "0.1.0\n"
    res = version(repo, "--release")
    assert res.returncode != 0 and "no vX.Y.Z tag" in res.stderr


def test_version_from_tags(repo):
    subprocess.run([*repo.git, "tag", "v1.2.3"], check=True)
    subprocess.run([*repo.git, "tag", "not-a-version"], check=True)
    assert version(repo, "--release").stdout == "1.2.3\n"
    subprocess.run([*repo.git, "commit", "-q", "--allow-empty", "-m", "two"], check=True)
    assert version(repo).stdout == "1.2.3\n"  # the newest release before HEAD
    assert version(repo, "--release").returncode != 0  # HEAD itself is not tagged


def test_version_variable_wins_and_is_checked(repo):
    subprocess.run([*repo.git, "tag", "v1.2.3"], check=True)
    assert version(repo, "--release", env={"VERSION": "v2.0.1"}).stdout == "2.0.1\n"
    res = version(repo, env={"VERSION": "2.0"})
    assert res.returncode != 0 and "not X.Y.Z" in res.stderr


def test_binary_reports_the_version(provider_binary):
    want = subprocess.run([str(SCRIPT)], capture_output=True, text=True, check=True).stdout
    got = subprocess.run([str(provider_binary), "-version"], capture_output=True, text=True)
    assert got.stdout == f"terraform-provider-talentbase {want}"
