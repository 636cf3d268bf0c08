"""Running `tofu` / `terraform` the way a user does, against the emulator.

    tf = Tf(...)                        # usually from the `tf` fixture
    tf.write(hcl.config(body=...))      # main.tf in the test's directory
    tf.init().ok()
    rc, out, err = tf.plan(detailed_exitcode=True)
    tf.apply(vars={"image_tag": "v2"}).ok()
    tf.plan(json=True).assert_diagnostic(summary="Invalid region", attribute="region")

Every method returns a `Result`, which unpacks as (rc, stdout, stderr) and
offers `.ok()`, `.failed()`, `.json`, `.diagnostics` and
`.assert_diagnostic(...)` with failure messages that show the command and
the tail of its output.

The CLI runs with an environment built from scratch (nothing of the
machine's TF_*/AWS_* leaks in): a private TF_CLI_CONFIG_FILE, TF_IN_AUTOMATION,
CHECKPOINT_DISABLE, no plugin cache, fake AWS keys, AWS_ENDPOINT_URL at the
emulator, AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE at files that do not
exist.
"""

from __future__ import annotations

import itertools
import json as jsonlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from . import diagnostics, paths

DEFAULT_TIMEOUT = float(os.environ.get("TB_ACC_CLI_TIMEOUT", "600"))

# Variables of the machine a CLI run may see; everything else is dropped.
_PASS_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TMPDIR", "TZ",
                 "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "MSAN_OPTIONS",
                 "TSAN_OPTIONS", "VALGRIND_OPTS")

INSTALL_MODES = ("filesystem_mirror", "dev_overrides", "reattach")


class Result:
    """Outcome of one CLI run; unpacks as (rc, stdout, stderr)."""

    def __init__(self, argv: Sequence[str], rc: int, stdout: str, stderr: str, cwd: Path,
                 duration: float, timed_out: bool = False) -> None:
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.cwd = cwd
        self.duration = duration
        self.timed_out = timed_out

    def __iter__(self) -> Iterator[Any]:
        return iter((self.rc, self.stdout, self.stderr))

    def __getitem__(self, i: int) -> Any:
        return (self.rc, self.stdout, self.stderr)[i]

    def __len__(self) -> int:
        return 3

    def __repr__(self) -> str:
        return f"<Result rc={self.rc} {' '.join(self.argv[:3])}>"

    def describe(self, lines: int = 60) -> str:
        def tail(text: str) -> str:
            t = text.rstrip().splitlines()
            skipped = f"  ... ({len(t) - lines} lines above)\n" if len(t) > lines else ""
            return skipped + "\n".join("  " + s for s in t[-lines:])
        state = "timed out" if self.timed_out else f"exit code {self.rc}"
        return (f"`{' '.join(self.argv)}` in {self.cwd}: {state} after "
                f"{self.duration:.1f}s\n--- stdout\n{tail(self.stdout)}\n"
                f"--- stderr\n{tail(self.stderr)}")

    def ok(self) -> "Result":
        """Asserts exit code 0."""
        if self.rc != 0 or self.timed_out:
            raise AssertionError("command failed: " + self.describe())
        return self

    def expect_rc(self, *codes: int) -> "Result":
        if self.rc not in codes or self.timed_out:
            raise AssertionError(f"expected exit code in {codes}: " + self.describe())
        return self

    def failed(self) -> "Result":
        """Asserts a non-zero exit code (and no timeout)."""
        if self.rc == 0 or self.timed_out:
            raise AssertionError("command was expected to fail: " + self.describe())
        return self

    @property
    def json(self) -> Any:
        try:
            return jsonlib.loads(self.stdout)
        except ValueError as e:
            raise AssertionError(f"stdout is not JSON ({e}): " + self.describe()) from None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def diagnostics(self) -> list[diagnostics.Diagnostic]:
        """Diagnostics of a `-json` run (validate or a UI stream)."""
        return diagnostics.parse_any(self.stdout)

    def messages(self, type_: str | None = None) -> list[dict]:
        """JSON UI stream messages, optionally of one type."""
        return diagnostics.stream_messages(self.stdout, type_)

    def assert_diagnostic(self, **criteria: Any) -> diagnostics.Diagnostic:
        """See diagnostics.assert_diagnostic; the config is read from cwd."""
        criteria.setdefault("workdir", self.cwd)
        try:
            return diagnostics.assert_diagnostic(self.diagnostics, **criteria)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.describe(30)}") from None

    def assert_no_errors(self) -> "Result":
        errors = [d for d in self.diagnostics if d.severity == "error"]
        if errors:
            raise AssertionError("unexpected errors:\n  " + "\n  ".join(
                d.describe(self.cwd) for d in errors) + "\n" + self.describe(30))
        return self


class ProviderInstall:
    """The freshly built provider, laid out for each install mode, and the
    CLI configuration file of each mode. One per test session."""

    def __init__(self, binary: Path, root: Path) -> None:
        self.binary = binary
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.mirror = root / "mirror"
        pkg = (self.mirror / paths.PROVIDER_HOST / paths.PROVIDER_NAMESPACE /
               paths.PROVIDER_TYPE / paths.PROVIDER_VERSION / paths.PLATFORM)
        pkg.mkdir(parents=True, exist_ok=True)
        self.mirror_binary = pkg / f"{paths.BINARY_NAME}_v{paths.PROVIDER_VERSION}"
        shutil.copy2(binary, self.mirror_binary)
        self.devbin = root / "devbin"
        self.devbin.mkdir(exist_ok=True)
        link = self.devbin / paths.BINARY_NAME
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(binary)
        self.configs = {mode: root / f"cli-{mode}.tfrc" for mode in INSTALL_MODES}
        self.configs["filesystem_mirror"].write_text(self._mirror_config())
        self.configs["dev_overrides"].write_text(self._dev_config())
        self.configs["reattach"].write_text("disable_checkpoint = true\n")

    def _mirror_config(self) -> str:
        pattern = f"{paths.PROVIDER_HOST}/*/*"
        return f"""disable_checkpoint = true

provider_installation {{
  filesystem_mirror {{
    path    = {jsonlib.dumps(str(self.mirror))}
    include = [{jsonlib.dumps(pattern)}]
  }}
  direct {{
    exclude = [{jsonlib.dumps(pattern)}]
  }}
}}
"""

    def _dev_config(self) -> str:
        return f"""disable_checkpoint = true

provider_installation {{
  dev_overrides {{
    {jsonlib.dumps(paths.PROVIDER_SOURCE)} = {jsonlib.dumps(str(self.devbin))}
  }}
  direct {{}}
}}
"""


class Tf:
    """One CLI (tofu or terraform) in one working directory."""

    _seq = itertools.count(1)

    def __init__(self, cli: str, workdir: Path, install: ProviderInstall, *,
                 mode: str = "filesystem_mirror", emulator_env: Mapping[str, str] | None = None,
                 env: Mapping[str, str] | None = None, binary: Path | None = None) -> None:
        if mode not in INSTALL_MODES:
            raise ValueError(f"install mode must be one of {INSTALL_MODES}")
        self.cli = cli
        self.binary = binary or paths.cli_binary(cli)
        self.workdir = workdir
        self.install = install
        self.mode = mode
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.env = self._base_env(emulator_env or {})
        self.env.update(env or {})
        self.history: list[Result] = []

    def __repr__(self) -> str:
        return f"<Tf {self.cli} {self.mode} {self.workdir}>"

    def _base_env(self, emulator_env: Mapping[str, str]) -> dict[str, str]:
        env = {k: os.environ[k] for k in _PASS_THROUGH if k in os.environ}
        env.update({
            "TF_CLI_CONFIG_FILE": str(self.install.configs[self.mode]),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "0",
            "AWS_CONFIG_FILE": str(self.workdir / ".no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.workdir / ".no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        env.update(emulator_env)
        return env

    # ---- files ----------------------------------------------------------------

    def write(self, text: str | None = None, *, name: str = "main.tf",
              files: Mapping[str, str] | None = None) -> Path:
        """Writes `text` to `name` (and every name -> text of `files`)
        relative to the working directory; returns the working directory."""
        items = dict(files or {})
        if text is not None:
            items[name] = text
        for rel, content in items.items():
            p = self.workdir / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(content)
        return self.workdir

    def path(self, rel: str = "") -> Path:
        return self.workdir / rel

    def _var_file(self, values: Mapping[str, Any]) -> str:
        d = self.workdir / ".tb-vars"
        d.mkdir(exist_ok=True)
        p = d / f"vars-{next(self._seq)}.tfvars.json"
        p.write_text(jsonlib.dumps(dict(values), indent=2))
        return f"-var-file={p}"

    # ---- running ----------------------------------------------------------------

    def run(self, *args: str, env: Mapping[str, str] | None = None,
            timeout: float = DEFAULT_TIMEOUT, stdin: str | None = None) -> Result:
        """Runs the CLI with `args` in the working directory. The process
        group is killed on timeout (provider processes included)."""
        argv = [str(self.binary), *args]
        run_env = dict(self.env)
        for k, v in (env or {}).items():
            if v is None:
                run_env.pop(k, None)
            else:
                run_env[k] = v
        start = time.monotonic()
        proc = subprocess.Popen(argv, cwd=self.workdir, env=run_env, text=True,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        timed_out = False
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            out, err = proc.communicate()
        res = Result([self.cli, *args], proc.returncode, out, err, self.workdir,
                     time.monotonic() - start, timed_out)
        self.history.append(res)
        return res

    def _with_vars(self, args: Sequence[str], vars: Mapping[str, Any] | None) -> list[str]:
        out = list(args)
        if vars:
            out.append(self._var_file(vars))
        return out

    def init(self, *args: str, **kw: Any) -> Result:
        return self.run("init", "-input=false", "-no-color", *args, **kw)

    def validate(self, json: bool = True, **kw: Any) -> Result:
        return self.run("validate", *(["-json"] if json else ["-no-color"]), **kw)

    def plan(self, *args: str, detailed_exitcode: bool = False, json: bool = False,
             vars: Mapping[str, Any] | None = None, out: str | None = None, **kw: Any) -> Result:
        """`plan`; with detailed_exitcode rc is 0 (no changes), 1 (error) or
        2 (changes)."""
        a = ["plan", "-input=false", "-lock-timeout=30s"]
        a += ["-json"] if json else ["-no-color"]
        if detailed_exitcode:
            a.append("-detailed-exitcode")
        if out:
            a.append(f"-out={out}")
        return self.run(*self._with_vars(a + list(args), vars), **kw)

    def apply(self, *args: str, vars: Mapping[str, Any] | None = None, json: bool = False,
              plan_file: str | None = None, **kw: Any) -> Result:
        a = ["apply", "-input=false", "-lock-timeout=30s"]
        a += ["-json"] if json else ["-no-color"]
        if plan_file:  # vars: the ephemeral variables a saved plan needs again
            return self.run(*self._with_vars(a + list(args), vars), plan_file, **kw)
        a.append("-auto-approve")
        return self.run(*self._with_vars(a + list(args), vars), **kw)

    def destroy(self, *args: str, vars: Mapping[str, Any] | None = None, json: bool = False,
                **kw: Any) -> Result:
        a = ["destroy", "-input=false", "-auto-approve", "-lock-timeout=30s"]
        a += ["-json"] if json else ["-no-color"]
        return self.run(*self._with_vars(a + list(args), vars), **kw)

    def import_(self, addr: str, id: str, *args: str, vars: Mapping[str, Any] | None = None,
                **kw: Any) -> Result:
        a = ["import", "-input=false", "-no-color", "-lock-timeout=30s"]
        return self.run(*self._with_vars(a + list(args), vars), addr, id, **kw)

    def show_json(self, plan_file: str | None = None, **kw: Any) -> Result:
        """`show -json` of the state, or of a saved plan."""
        return self.run("show", "-json", *([plan_file] if plan_file else []), **kw)

    def state_pull(self, **kw: Any) -> Result:
        return self.run("state", "pull", **kw)

    def state_list(self, **kw: Any) -> Result:
        return self.run("state", "list", **kw)

    def output_json(self, **kw: Any) -> Result:
        return self.run("output", "-json", **kw)

    def providers_schema_json(self, **kw: Any) -> Result:
        return self.run("providers", "schema", "-json", **kw)

    def version_json(self, **kw: Any) -> Result:
        return self.run("version", "-json", **kw)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
