#!/usr/bin/env python3
"""The cost of a stack: N talentbase_service resources against the test
emulator, for N = 1, 20 and 100 side by side.

    bench/run.sh runs it after bench.py; alone:
    .venv/bin/python bench/stack.py [--sizes 1,20,100] [--runs 3] [--delay 0.05]
        [--throttle 20] [--provider PATH] [--tofu PATH]

For each N, --runs rounds: the emulator (tests/acceptance/emulator/server.py,
MOTO_ECS_SERVICE_RUNNING=2 so that rollout waits complete) is reset and given
the platform objects of scripts/demo_platform.py; N copies of
examples/complete's web service (name, listener rule priority and host header
varied; every other setting as in the example, production environment) are
applied, planned (refresh, no changes expected) and destroyed by
.tools/bin/tofu at its default -parallelism (10). Each figure is the median
over the rounds. Figures per command:

  * wall time of the tofu command;
  * provider CPU (user+sys) and peak RSS: the provider binary in the mirror is
    bench/launcher.c, compiled here with cc, a parent that runs the real
    binary and records wait4()'s rusage of it; summed (CPU) or the highest
    (RSS) over the provider processes the command starts;
  * tofu CPU: our children's rusage over the command less the provider's;
  * AWS calls: counted at the emulator (its /_tb/calls log), not by the
    provider; per service, so that N = 1 and N = 20 compare;
  * emulator CPU, from /proc/<pid>/stat: the cost of the stand-in for AWS;
  * sequential round trips: the longest chain of AWS calls each of which
    started after the one before it ended (credential checks left out) — for
    one service, how many times a refresh waits for AWS.

Every AWS call waits --delay seconds at the emulator (default 50 ms, a
stand-in for AWS's latency from a CI runner). Last, the largest stack is
planned again with the emulator throttling each service above --throttle
calls a second, once with AWS_RETRY_MODE=standard (retries with backoff
only) and once as shipped (adaptive: the provider paces a service once it
throttles): whether the plan succeeds, its wall time and the throttled calls.

A figure of its own, preflight: before each apply, the plan of the create
runs twice, with preflight and with -var preflight=false (examples/complete
passes it to the provider); the difference of the AWS calls counted at the
emulator, by call, is what preflight (TB021-TB027) adds to a plan.

Nothing here fails on a time; the exit status is non-zero only when a stack
could not be measured (tofu, the provider, cc or the emulator failing).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common import (REPO, TB_SOURCE, TB_VERSION, Provider,  # noqa: E402
                    default_provider_binary, default_tofu, first_error, fmt_mb, print_table,
                    tofu_setup)
from tbtest.emulator import Emulator  # noqa: E402

EXAMPLE = REPO / "examples" / "complete"
LAUNCHER_SOURCE = REPO / "bench" / "launcher.c"
IMAGE_TAG = "sha-3f9c2e1"
RUNNING_TASKS = 2  # the example's autoscaling.min_capacity
FIRST_PRIORITY = 100


class BenchError(RuntimeError):
    pass


@dataclass
class Figures:
    """One tofu command on one stack."""
    wall: float
    provider_cpu: float | None
    provider_rss_mb: float | None
    launches: int
    tofu_cpu: float | None
    emulator_cpu: float
    calls: Counter = field(default_factory=Counter)
    round_trips: int = 0
    throttled: int = 0
    failed: bool = False

    @property
    def aws_calls(self) -> int:
        return sum(self.calls.values())


# ---- configuration ----------------------------------------------------------------


def _block(text: str, header: str) -> str:
    """The top-level block of text that starts with the line `header {`."""
    m = re.search(rf"(?m)^{re.escape(header)} {{\n.*?^}}\n", text, re.S)
    if not m:
        raise BenchError(f"{EXAMPLE / 'main.tf'} has no `{header}` block any more")
    return m.group(0)


def _replace_once(block: str, pattern: str, repl: str, what: str) -> str:
    out, n = re.subn(pattern, repl, block, flags=re.M)
    if n != 1:
        raise BenchError(f"the web service of {EXAMPLE / 'main.tf'} has {n} {what} "
                         "settings; bench/stack.py expects exactly one")
    return out


def services_tf(n: int) -> str:
    """examples/complete's locals and n copies of its web service, each with
    its own name, listener rule priority and host header."""
    text = (EXAMPLE / "main.tf").read_text()
    web = _block(text, 'resource "talentbase_service" "web"')
    out = [_block(text, "locals"), _block(text, 'data "talentbase_platform" "this"')]
    for i in range(1, n + 1):
        b = web.replace('"talentbase_service" "web"', f'"talentbase_service" "web_{i:02d}"', 1)
        b = _replace_once(b, r"^  name(\s*)=.*$",
                          rf'  name\g<1>= "bench-web-{i:02d}-${{var.environment}}"', "name")
        b = _replace_once(b, r"^(\s*priority\s*=\s*)\d+$",
                          rf"\g<1>{FIRST_PRIORITY + i - 1}", "priority")
        b = _replace_once(b, r"^(\s*host_headers\s*=\s*)\[.*\]$",
                          rf'\g<1>["web-{i:02d}.${{var.domain}}"]', "host_headers")
        out.append(b)
    return "\n".join(out)


def stack_files(n: int, platform_json: str) -> dict[str, str]:
    return {
        "versions.tf": (EXAMPLE / "versions.tf").read_text(),
        "variables.tf": (EXAMPLE / "variables.tf").read_text(),
        "services.tf": services_tf(n),
        "platform.auto.tfvars.json": platform_json,
    }


# ---- measuring --------------------------------------------------------------------


def build_launcher(tmp: Path) -> Path:
    out = tmp / "launcher"
    cc = os.environ.get("CC", "cc")
    r = subprocess.run([cc, "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wshadow",
                        "-Wformat=2", "-o", str(out),
                        str(LAUNCHER_SOURCE)], capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"{cc} {LAUNCHER_SOURCE.name} failed:\n{r.stderr}")
    return out


def process_cpu(pid: int) -> float:
    """user+sys seconds of a running process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class Stack:
    """One working directory of N services, its emulator and provider usage log."""

    def __init__(self, n: int, tofu: Path, wd: Path, env: dict[str, str], usage: Path,
                 emu: Emulator):
        self.n = n
        self.tofu = tofu
        self.wd = wd
        self.env = env
        self.usage = usage
        self.emu = emu

    def run(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> tuple[Figures, int]:
        """Runs `tofu args...` and measures it; (figures, exit code)."""
        self.usage.write_text("")
        self.emu.clear_calls()
        emu_cpu0, cpu0 = process_cpu(self.emu.proc.pid), children_cpu()
        t0 = time.perf_counter()
        r = subprocess.run([str(self.tofu), *args], cwd=self.wd, env=self.env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        cpu = children_cpu() - cpu0
        emu_cpu = process_cpu(self.emu.proc.pid) - emu_cpu0
        if r.returncode not in ok_codes:
            raise BenchError(f"tofu {args[0]} of {self.n} service(s) exited {r.returncode}: "
                             f"{first_error(r.stdout + r.stderr)[:600]}")
        usage = [ln.split() for ln in self.usage.read_text().splitlines() if ln.strip()]
        pcpu = sum(float(u[2]) + float(u[3]) for u in usage) if usage else None
        rss = max(int(u[4]) for u in usage) / 1024.0 if usage else None
        log = self.emu.calls()
        calls = Counter(f"{c['service']}:{c['action']}" for c in log)
        return Figures(wall=wall, provider_cpu=pcpu, provider_rss_mb=rss, launches=len(usage),
                       tofu_cpu=cpu - pcpu if pcpu is not None else None,
                       emulator_cpu=emu_cpu, calls=calls, round_trips=round_trips(log),
                       throttled=sum(1 for c in log if c.get("fault") == "throttle")), \
            r.returncode


def round_trips(calls: list[dict]) -> int:
    """The longest chain of calls, each started after the previous ended."""
    spans = sorted((c["start"], c["end"]) for c in calls
                   if c.get("start") is not None and c.get("end") is not None
                   and c["service"] != "sts")
    best: list[int] = []
    for i, (start, _) in enumerate(spans):
        best.append(1 + max((best[j] for j in range(i) if spans[j][1] <= start), default=0))
    return max(best, default=0)


def median_figures(runs: list[Figures]) -> Figures:
    """Each figure's median over runs; the call log of the run with the
    median number of calls."""
    def med(get):
        values = [get(f) for f in runs]
        return None if None in values else statistics.median(values)

    by_calls = sorted(runs, key=lambda f: f.aws_calls)[len(runs) // 2]
    return Figures(wall=med(lambda f: f.wall), provider_cpu=med(lambda f: f.provider_cpu),
                   provider_rss_mb=med(lambda f: f.provider_rss_mb),
                   launches=by_calls.launches, tofu_cpu=med(lambda f: f.tofu_cpu),
                   emulator_cpu=med(lambda f: f.emulator_cpu), calls=by_calls.calls,
                   round_trips=int(med(lambda f: f.round_trips)),
                   throttled=int(med(lambda f: f.throttled)),
                   failed=any(f.failed for f in runs))


def fresh_platform(emu: Emulator, delay: float) -> str:
    """Resets the emulator and creates the platform objects in it; the
    Terraform variables of examples/complete as JSON."""
    emu.reset()
    emu.set_env(MOTO_ECS_SERVICE_RUNNING=RUNNING_TASKS)
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "demo_platform.py"),
                        "--endpoint", emu.url, "--image-tag", IMAGE_TAG],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"scripts/demo_platform.py failed:\n{r.stderr[-2000:]}")
    emu.set_latency(delay)
    return r.stdout


def measure_stack(n: int, emu: Emulator, tofu: Path, launcher: Path, binary: Path,
                  root: Path, cycles: int, delay: float,
                  throttle: float | None) -> dict[str, Figures]:
    """Medians over `cycles` rounds of apply, plan and destroy of n services,
    each round on a fresh emulator (production keeps the log groups on
    destroy: a second apply in the same account would adopt them). With
    throttle, the last round's stack is planned twice more under throttling
    (standard, then adaptive retries) before its destroy."""
    p = Provider(f"talentbase x{n}", launcher, TB_SOURCE, TB_VERSION, "talentbase")
    wd, env = tofu_setup(p, tofu, root / f"stack-{n}", stack_files(n, fresh_platform(emu, delay)))
    usage = root / f"usage-{n}.txt"
    env.update(emu.cli_env())
    env.update({"TB_BENCH_REAL": str(binary), "TB_BENCH_USAGE": str(usage)})
    st = Stack(n, tofu, wd, env, usage, emu)
    var = ["-input=false", "-no-color", "-var", f"image_tag={IMAGE_TAG}"]
    runs: dict[str, list[Figures]] = {"apply": [], "plan": [], "destroy": [],
                                      "create-plan": [], "create-plan-offline": []}
    for i in range(cycles):
        if i > 0:
            (wd / "platform.auto.tfvars.json").write_text(fresh_platform(emu, delay))
        # the plan of a create, with and without preflight: what preflight adds
        runs["create-plan"].append(st.run("plan", *var, ok_codes=(0, 2))[0])
        runs["create-plan-offline"].append(
            st.run("plan", *var, "-var", "preflight=false", ok_codes=(0, 2))[0])
        runs["apply"].append(st.run("apply", "-auto-approve", *var)[0])
        f, rc = st.run("plan", "-detailed-exitcode", *var, ok_codes=(0, 2))
        if rc == 2:
            print(f"stack: the plan of {n} service(s) after apply is not empty", file=sys.stderr)
        runs["plan"].append(f)
        if throttle and i == cycles - 1:
            runs.update(throttled_plans(st, var, throttle))
        runs["destroy"].append(st.run("destroy", "-auto-approve", *var)[0])
    return {cmd: median_figures(figs) for cmd, figs in runs.items()}


def throttled_plans(st: Stack, var: list[str], rate: float) -> dict[str, list[Figures]]:
    """Plans of the stack against an emulator throttling above rate calls a
    second per service: standard retries, then adaptive ones."""
    out: dict[str, list[Figures]] = {}
    for mode in ("standard", "adaptive"):
        st.env["AWS_RETRY_MODE"] = mode
        st.emu.set_throttle(rate)
        try:
            f, rc = st.run("plan", "-detailed-exitcode", *var, ok_codes=(0, 1, 2))
        finally:
            st.emu.set_throttle(0)
            st.env.pop("AWS_RETRY_MODE", None)
        f.failed = rc == 1
        out[f"plan-throttled-{mode}"] = [f]
    return out


# ---- output -----------------------------------------------------------------------


def _ms(v: float) -> str:
    return f"{v * 1000:.0f} ms" if v >= 0.1 else f"{v * 1000:.1f} ms"


def _mb(v: float) -> str:
    return f"{v:.2f} MB"


def _count(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:.1f}"


def _or_dash(v: float | None, unit) -> str:
    return "-" if v is None else unit(v)


# label, figure, format of a total, format of a per-service figure (None: none)
ROWS = [
    ("wall time", lambda f: f.wall, _ms, _ms),
    ("provider CPU (user+sys)", lambda f: f.provider_cpu, _ms, _ms),
    ("provider peak RSS (highest VmHWM)", lambda f: f.provider_rss_mb, fmt_mb, _mb),
    ("provider processes started", lambda f: f.launches, _count, None),
    ("tofu CPU (user+sys, without provider)", lambda f: f.tofu_cpu, _ms, _ms),
    ("AWS calls (counted at the emulator)", lambda f: f.aws_calls, _count, _count),
    ("sequential round trips (longest chain)", lambda f: f.round_trips, _count, None),
    ("emulator CPU (moto)", lambda f: f.emulator_cpu, _ms, _ms),
]

COMMANDS = [
    ("apply", "tofu apply (create)"),
    ("plan", "tofu plan (refresh, no changes)"),
    ("destroy", "tofu destroy"),
]


def _row(label: str, get, total, per, figs: list[Figures], sizes: list[int]) -> list[str]:
    """Totals, per-service figures of the stacks of more than one service
    (not for peak RSS: a peak does not divide) and, for two sizes or more,
    the cost of each service added between the smallest and the largest."""
    values = [get(f) for f in figs]
    row = [f"  {label}", *(_or_dash(v, total) for v in values)]
    per_service = per is not None and "RSS" not in label
    row += [_or_dash(None if v is None else v / n, per) if per_service else ""
            for v, n in zip(values, sizes) if n > 1]
    if len(sizes) > 1:
        lo, hi = values[0], values[-1]
        added = (None if lo is None or hi is None or per is None
                 else (hi - lo) / (sizes[-1] - sizes[0]))
        row.append(_or_dash(added, per) if per is not None else "")
    return row


def report(results: dict[int, dict[str, Figures]], cycles: int) -> None:
    sizes = sorted(results)
    head = [f"median of {cycles} run{'s' * (cycles != 1)}",
            *(f"{n} service{'s' * (n != 1)}" for n in sizes),
            *(f"per service @{n}" for n in sizes if n > 1)]
    if len(sizes) > 1:
        head.append(f"each added service ({sizes[0]}..{sizes[-1]})")
    rows = []
    for cmd, title in COMMANDS:
        rows.append([title] + [""] * (len(head) - 1))
        figs = [results[n][cmd] for n in sizes]
        rows += [_row(label, get, total, per, figs, sizes) for label, get, total, per in ROWS]
    print_table(head, rows)
    print()
    n = sizes[0]
    calls = results[n]["plan"].calls
    parts = ", ".join(f"{k.split(':', 1)[1]} {_count(v / n)}" for k, v in sorted(calls.items()))
    print(f"AWS calls of one plan (refresh) per service, stack of {n}, by action: {parts}")
    for n in sizes:
        if n > 1:
            calls = results[n]["plan"].calls
            parts = ", ".join(f"{k.split(':', 1)[1]} {_count(v / n)}"
                              for k, v in sorted(calls.items()))
            print(f"AWS calls of one plan (refresh) per service, stack of {n}, by action: {parts}")
    report_throttled(results)
    print("setup: examples/complete's web service x N (production environment), tofu's default "
          "-parallelism (10), AWS = moto in server mode on loopback (the acceptance emulator), "
          "every call delayed at the emulator; CPU and RSS from wait4() of each provider "
          "process (bench/launcher.c)")


def report_throttled(results: dict[int, dict[str, Figures]]) -> None:
    for n, figs in sorted(results.items()):
        for mode in ("standard", "adaptive"):
            f = figs.get(f"plan-throttled-{mode}")
            if f is None:
                continue
            print(f"throttled plan of {n} services, AWS_RETRY_MODE={mode}: "
                  f"{'FAILED' if f.failed else 'ok'}, wall {_ms(f.wall)}, "
                  f"{f.aws_calls} AWS calls of which {f.throttled} throttled")


def report_preflight(results: dict[int, dict[str, Figures]]) -> None:
    """Preflight, a figure of its own: the calls and time it adds to the plan
    of a create (the plan with preflight less the same plan with
    preflight = false, counted at the emulator)."""
    print()
    print("preflight (TB021-TB027) in the plan of a create: calls it adds, counted at the "
          "emulator (a read the data source made in the same run, DescribeClusters, is "
          "shared and not made again)")
    for n in sorted(results):
        on, off = results[n]["create-plan"], results[n]["create-plan-offline"]
        added = on.calls - off.calls
        total = sum(added.values())
        parts = ", ".join(f"{k} {v}" for k, v in sorted(added.items())) or "none"
        print(f"  {n} service{'s' * (n != 1)}: {total} preflight call{'s' * (total != 1)} "
              f"({total / n:.2f} per service), plan wall time {_ms(on.wall)} vs {_ms(off.wall)} "
              f"offline; by call: {parts}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=os.environ.get("TB_BENCH_STACK_SIZES", "1,20,100"),
                    help="comma-separated stack sizes (default 1,20,100)")
    ap.add_argument("--runs", type=int, default=3,
                    help="rounds of apply, plan and destroy per stack size (default 3)")
    ap.add_argument("--delay", type=float, default=0.05,
                    help="seconds every AWS call waits at the emulator (default 0.05)")
    ap.add_argument("--throttle", type=float, default=20,
                    help="calls a second per service above which the emulator throttles, for "
                         "the throttled plans of the largest stack (default 20; 0: skip them)")
    ap.add_argument("--provider", type=Path, default=default_provider_binary())
    ap.add_argument("--tofu", type=Path, default=default_tofu())
    args = ap.parse_args()
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        print(f"stack: --sizes wants positive integers, not {args.sizes!r}", file=sys.stderr)
        return 2
    for what, path in (("provider binary", args.provider), ("tofu", args.tofu)):
        if not path.is_file():
            print(f"stack: {what} {path} not found (make build; scripts/bootstrap.sh)",
                  file=sys.stderr)
            return 1

    print(f"stack benchmark: {', '.join(map(str, sizes))} talentbase_service resources "
          "against the AWS emulator")
    results: dict[int, dict[str, Figures]] = {}
    with tempfile.TemporaryDirectory(prefix="tb-stack-") as tmp:
        root = Path(tmp)
        emu = None
        try:
            launcher = build_launcher(root)
            emu = Emulator.start(root / "emulator.log")
            for n in sizes:
                results[n] = measure_stack(n, emu, args.tofu, launcher, args.provider.resolve(),
                                           root, max(args.runs, 1), args.delay,
                                           args.throttle if n == sizes[-1] else None)
        except (BenchError, RuntimeError, OSError) as e:
            print(f"stack: {e}", file=sys.stderr)
            if emu is not None and not emu.alive():
                print("stack: the emulator died; its log:\n" + emu.log_tail(15), file=sys.stderr)
        finally:
            if emu is not None:
                emu.stop()
    if results:
        print()
        report(results, max(args.runs, 1))
        report_preflight(results)
    return 0 if len(results) == len(sizes) else 1


if __name__ == "__main__":
    sys.exit(main())
