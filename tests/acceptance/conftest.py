"""Fixtures of the acceptance suite: the real CLIs against the AWS emulator.

    .venv/bin/python -m pytest tests/acceptance            # all
    TB_PROVIDER_BINARY=build-x/terraform-provider-talentbase \\
        .venv/bin/python -m pytest tests/acceptance -k service

Fixtures for test files (stable; other test files build on them):

  provider_binary   Path of the provider under test (TB_PROVIDER_BINARY, else
                    build/terraform-provider-talentbase); fails when missing.
  moto              the session's Emulator (tbtest/emulator.py): .url,
                    .client(svc), .set_env(...), .inject_fault(...), .calls().
                    Reset before every test that uses it.
  aws               aws("ecs") -> boto3 client at the emulator (us-east-1).
  cli               "tofu", and "terraform" when one is on PATH: tests using
                    `tf` run once per CLI.
  tf                Tf for `cli` in a fresh working directory, provider
                    installed from a filesystem mirror (tbtest/cli.py).
  tf_factory        tf_factory(mode="dev_overrides", name="second", cli=None,
                    env=None) -> another Tf (modes: filesystem_mirror,
                    dev_overrides, reattach).
  tofu              a Tf for tofu only (for tests that need just one CLI).
  work_dir          the test's scratch directory (kept after the run under
                    tests/acceptance/.work/ for inspection).
  plugin_stubs      grpc stubs generated from proto/ (tbtest/plugin.py).
  start_plugin      start_plugin(client_cert=..., args=..., env=...) -> a
                    running PluginProcess, killed at teardown.

With an ASan/UBSan build as TB_PROVIDER_BINARY, sanitizer reports of any
provider process fail the test that started it.

Environment knobs: TB_PROVIDER_BINARY, TB_TOFU, TB_TERRAFORM (a path, or
"none" to skip Terraform), TB_ACC_WORK (scratch root), TB_ACC_CLI_TIMEOUT.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tbtest import paths
from tbtest.cli import ProviderInstall, Tf
from tbtest.emulator import Emulator
from tbtest.plugin import PluginProcess, load_stubs

_KEEP_SESSIONS = 3


def pytest_report_header(config):
    tf = paths.terraform_binary()
    return [
        f"provider binary: {paths.provider_binary()}",
        f"tofu: {paths.tofu_binary()}",
        f"terraform: {tf if tf else 'not on PATH (Terraform runs skipped)'}",
    ]


# ---- session --------------------------------------------------------------------


@pytest.fixture(scope="session")
def session_dir() -> Path:
    root = paths.work_root()
    root.mkdir(parents=True, exist_ok=True)
    old = sorted(p for p in root.glob("session-*") if p.is_dir())
    for p in old[: max(0, len(old) - (_KEEP_SESSIONS - 1))]:
        shutil.rmtree(p, ignore_errors=True)
    d = root / f"session-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    d.mkdir()
    return d


@pytest.fixture(scope="session")
def provider_binary() -> Path:
    p = paths.provider_binary()
    if not p.is_file() or not os.access(p, os.X_OK):
        pytest.fail(f"provider binary {p} is missing or not executable: the build is broken "
                    "(run `make build`, or point TB_PROVIDER_BINARY at a built binary)",
                    pytrace=False)
    return p


@pytest.fixture(scope="session")
def provider_sanitized(provider_binary) -> bool:
    """True when the provider under test is an ASan/UBSan build."""
    data = provider_binary.read_bytes()
    return b"__asan_init" in data or b"__ubsan_handle" in data


@pytest.fixture(autouse=True)
def _sanitizer_reports(request, monkeypatch):
    """With a sanitizer build of the provider, every provider process of the
    test (started by a CLI or by hand) writes its reports under
    <work_dir>/sanitizer/, and any report fails the test."""
    if "provider_binary" not in request.fixturenames or \
            not request.getfixturevalue("provider_sanitized"):
        yield
        return
    d = request.getfixturevalue("work_dir") / "sanitizer"
    d.mkdir(exist_ok=True)
    for var, prefix in (("ASAN_OPTIONS", "asan"), ("UBSAN_OPTIONS", "ubsan")):
        old = os.environ.get(var, "")
        monkeypatch.setenv(var, ":".join(filter(None, [old, f"log_path={d / prefix}"])))
    yield
    reports = sorted(p for p in d.iterdir() if p.is_file())
    if reports:
        text = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[:4000]}" for p in reports)
        pytest.fail(f"sanitizer reports from the provider:\n{text}", pytrace=False)


@pytest.fixture(scope="session")
def tofu_binary() -> Path:
    p = paths.tofu_binary()
    if not p.is_file():
        pytest.fail(f"OpenTofu is missing at {p}: run scripts/bootstrap.sh", pytrace=False)
    return p


@pytest.fixture(scope="session")
def provider_install(provider_binary, session_dir) -> ProviderInstall:
    return ProviderInstall(provider_binary, session_dir / "provider")


@pytest.fixture(scope="session")
def moto(session_dir):
    emu = Emulator.start(session_dir / "emulator.log")
    yield emu
    emu.stop()


@pytest.fixture(autouse=True)
def _moto_reset(request):
    """Every test that uses the emulator starts from an empty AWS."""
    if "moto" not in request.fixturenames:
        yield
        return
    emu: Emulator = request.getfixturevalue("moto")
    if not emu.alive():
        pytest.fail("the AWS emulator died; its log:\n" + emu.log_tail(), pytrace=False)
    emu.reset()
    yield


@pytest.fixture
def aws(moto):
    """aws("ecs") -> a boto3 client at the emulator (region us-east-1)."""
    return moto.client


@pytest.fixture(scope="session")
def plugin_stubs(session_dir):
    return load_stubs(session_dir / "stubs")


# ---- per test -------------------------------------------------------------------


@pytest.fixture
def work_dir(request, session_dir) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])[:120]
    d = session_dir / "tests" / f"{Path(request.node.fspath).stem}" / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    return d


@pytest.fixture(params=paths.available_clis())
def cli(request) -> str:
    return request.param


@pytest.fixture
def tf_factory(request, work_dir, provider_install, moto, tofu_binary):
    made: list[Tf] = []

    def make(mode: str = "filesystem_mirror", name: str | None = None, cli: str | None = None,
             env: dict | None = None) -> Tf:
        use_cli = cli or (request.getfixturevalue("cli") if "cli" in request.fixturenames
                          else "tofu")
        d = work_dir / (name or f"{use_cli}-{mode}-{len(made)}")
        t = Tf(use_cli, d, provider_install, mode=mode, emulator_env=moto.cli_env(), env=env)
        made.append(t)
        return t

    yield make


@pytest.fixture
def tf(cli, work_dir, provider_install, moto, tofu_binary) -> Tf:
    return Tf(cli, work_dir / "root", provider_install, mode="filesystem_mirror",
              emulator_env=moto.cli_env())


@pytest.fixture
def tofu(work_dir, provider_install, moto, tofu_binary) -> Tf:
    return Tf("tofu", work_dir / "tofu", provider_install, mode="filesystem_mirror",
              emulator_env=moto.cli_env())


@pytest.fixture
def start_plugin(provider_binary, work_dir):
    started: list[PluginProcess] = []

    def start(**kw) -> PluginProcess:
        kw.setdefault("stderr_path", work_dir / f"plugin-{len(started)}.stderr")
        timeout = kw.pop("timeout", 10.0)
        parse = kw.pop("parse", True)
        p = PluginProcess(kw.pop("binary", provider_binary), **kw)
        started.append(p)
        return p.start(timeout=timeout, parse=parse)

    yield start
    for p in started:
        p.kill()


# ---- reporting ------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    wd = item.funcargs.get("work_dir")
    if wd is not None:
        rep.sections.append(("work dir", str(wd)))
    emu = item.funcargs.get("moto")
    if emu is not None:
        rep.sections.append(("emulator log (tail)", emu.log_tail(25)))
