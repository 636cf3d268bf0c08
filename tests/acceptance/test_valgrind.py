"""One whole apply / plan / destroy cycle of a talentbase_service with the
provider under `valgrind --leak-check=full` (`make valgrind`; skipped unless
TB_VALGRIND=1).

The CLI gives a plugin two seconds to exit after its shutdown call, too
little for valgrind's leak check, so the provider runs in debug mode
(`-debug`, reattached through TF_REATTACH_PROVIDERS): one process serves
every CLI run of the cycle and ends on SIGINT, and valgrind's report of the
whole cycle is then read from its log. The test fails on any valgrind error
(invalid read or write, use of uninitialised memory, bad free ...) and on
any block definitely lost; valgrind's summary lines are printed.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import time

import pytest

from tbtest import service as svc

pytestmark = pytest.mark.skipif(os.environ.get("TB_VALGRIND") != "1",
                                reason="valgrind run: `make valgrind` (TB_VALGRIND=1)")

VALGRIND_ARGS = ["--leak-check=full", "--show-leak-kinds=definite",
                 "--errors-for-leak-kinds=definite", "--error-exitcode=99", "--num-callers=40"]
START_TIMEOUT = 120


def _start(binary, log, env) -> tuple[subprocess.Popen, str]:
    vg = shutil.which("valgrind")
    if not vg:
        pytest.fail("valgrind is not installed (apt-get install valgrind)", pytrace=False)
    keep = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    proc = subprocess.Popen([vg, *VALGRIND_ARGS, f"--log-file={log}", str(binary), "-debug"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env={**keep, **env})
    buf, deadline = b"", time.monotonic() + START_TIMEOUT
    while b"TF_REATTACH_PROVIDERS=" not in buf or not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([proc.stdout], [], [], left)[0]:
            proc.kill()
            pytest.fail(f"no TF_REATTACH_PROVIDERS line within {START_TIMEOUT}s: {buf!r}")
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            pytest.fail(f"the provider under valgrind exited rc={proc.wait()}: {buf!r}\n"
                        + log.read_text(errors="replace")[-4000:])
        buf += chunk
    m = re.search(rb"TF_REATTACH_PROVIDERS='(\{.*\})'", buf)
    assert m, buf
    return proc, m.group(1).decode()


def _stop(proc) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(START_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"the provider under valgrind ignored SIGINT for {START_TIMEOUT}s")


def test_apply_plan_destroy_cycle_under_valgrind(tf_factory, provider_binary, work_dir, aws,
                                                 moto):
    plat = svc.make_platform(aws)
    moto.set_env(MOTO_ECS_SERVICE_RUNNING=svc.TASKS)
    log = work_dir / "valgrind.log"
    env = {**moto.cli_env(), "AWS_CONFIG_FILE": str(work_dir / "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(work_dir / "no-credentials")}
    proc, reattach = _start(provider_binary, log, env)
    try:
        tf = tf_factory(mode="reattach", cli="tofu", env={"TF_REATTACH_PROVIDERS": reattach})
        tf.write(svc.config(plat))
        tf.init().ok()
        tf.apply(timeout=1800).ok()
        assert svc.state_values(tf), "apply succeeded but the resource is not in state"
        again = tf.plan(detailed_exitcode=True, timeout=1800)
        again.expect_rc(0)
        tf.destroy(timeout=1800).ok()
        assert svc.state_values(tf) is None
    finally:
        rc = _stop(proc)
    report = log.read_text(errors="replace")
    summary = [ln for ln in report.splitlines()
               if re.search(r"ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|"
                            r"still reachable|All heap blocks were freed|in use at exit", ln)]
    print("\n".join(summary))
    (work_dir / "valgrind-summary.txt").write_text("\n".join(summary) + "\n")
    assert re.search(r"ERROR SUMMARY: 0 errors", report), \
        f"valgrind found errors:\n{report[-20000:]}"
    assert not re.search(r"definitely lost: [1-9]", report), report[-20000:]
    assert rc == 0, f"the provider under valgrind exited {rc}:\n{report[-8000:]}"
