#!/usr/bin/env python3
"""Benchmarks of the provider process, side by side with a Go provider.

    bench/run.sh [--runs 20] [--schema-runs 5] [--provider PATH] [--go-provider PATH]

Figures (a plain table; nothing here ever fails on a time):

  * cold start: exec to the handshake line on stdout, with the environment a
    CLI gives a plugin (magic cookie, PLUGIN_PROTOCOL_VERSIONS=5,6, port
    range, PLUGIN_CLIENT_CERT of a fresh P-521 certificate); median of --runs
    runs after one warm-up run.
  * schema round trip: `tofu providers schema -json` in an initialised
    directory (provider from a filesystem mirror); median of --schema-runs.
    This includes tofu's own start-up, which is the same for both.
  * peak RSS of a session: the provider started by hand, three
    GetProviderSchema calls (plaintext: grpcio cannot verify go-plugin's
    P-521 server certificate), then VmHWM from /proc/<pid>/status.
  * peak RSS under tofu: VmHWM of the provider process polled every 2 ms
    while tofu runs `providers schema -json`.

The Go baseline is hashicorp/terraform-provider-time (tools/goprovider/: the null
provider the benchmark first named is not available from the Go module proxy
at a current SDK), built by `BOOTSTRAP_BENCH=1 scripts/bootstrap.sh`.
Targets: handshake at least 3x sooner than the Go provider's; peak RSS under
15 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import (REPO, TB_SOURCE, TB_VERSION, Provider,  # noqa: E402
                    default_provider_binary, default_tofu, first_error, fmt_mb, fmt_ms,
                    print_table, tofu_setup, vm_hwm_kb)
from tbtest.plugin import CLIENT_ENV, Handshake, make_cert, raw_call  # noqa: E402

GO_NAME = "time"
GO_VERSION = "0.14.2"
GO_SOURCE = f"registry.terraform.io/hashicorp/{GO_NAME}"
RSS_TARGET_MB = 15.0
HANDSHAKE_TARGET_RATIO = 3.0


def plugin_env(cert_pem: bytes) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_"))}
    env.update(CLIENT_ENV)
    env["PLUGIN_CLIENT_CERT"] = cert_pem.decode()
    return env


def read_line(proc: subprocess.Popen, timeout: float = 30.0) -> str:
    fd = proc.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise RuntimeError("no handshake line")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise RuntimeError(f"exited before the handshake (rc={proc.wait()})")
        buf += chunk
    return buf.split(b"\n", 1)[0].decode()


def cold_start(p: Provider, env: dict[str, str], runs: int) -> list[float]:
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(p.binary)], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        read_line(proc)
        dt = time.perf_counter() - t0
        proc.kill()
        proc.wait()
        proc.stdout.close()
        if i > 0:  # the first run warms the page cache
            times.append(dt)
    return times


def exec_without_cookie(p: Provider, runs: int) -> list[float]:
    """exec to exit of the binary run by hand (no cookie): process start,
    dynamic loading and the refusal message; the floor under the handshake."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_"))}
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run([str(p.binary)], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i > 0:
            times.append(time.perf_counter() - t0)
    return times


def shared_libraries(p: Provider) -> int | None:
    r = subprocess.run(["ldd", str(p.binary)], capture_output=True, text=True)
    if r.returncode != 0:
        return 0 if "not a dynamic executable" in (r.stdout + r.stderr) else None
    return sum(1 for ln in r.stdout.splitlines() if "=>" in ln or ln.strip().startswith("/"))


def session_peak_rss(p: Provider) -> tuple[float, int]:
    """(peak RSS in MB, protocol version) of one plaintext schema session:
    VmHWM read right before Shutdown. (Not wait4's ru_maxrss: Linux carries
    the parent's high-water mark across vfork+exec into it.) Plaintext
    because grpcio's BoringSSL does not verify the P-521 server certificates
    go-plugin generates; the polled figure under tofu covers mTLS."""
    import grpc

    env = plugin_env(b"")
    del env["PLUGIN_CLIENT_CERT"]
    proc = subprocess.Popen([str(p.binary)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        hs = Handshake.parse(read_line(proc))
        ch = grpc.insecure_channel(hs.target,
                                   options=[("grpc.max_receive_message_length", 256 << 20)])
        method = ("/tfplugin6.Provider/GetProviderSchema" if hs.protocol_version == 6
                  else "/tfplugin5.Provider/GetSchema")
        for _ in range(3):
            raw_call(ch, method, b"", timeout=30)
        peak = vm_hwm_kb(proc.pid)
        try:
            raw_call(ch, "/plugin.GRPCController/Shutdown", b"", timeout=5)
        except grpc.RpcError:
            pass
        ch.close()
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    return peak / 1024.0, hs.protocol_version


class HwmPoller:
    """Highest VmHWM of any process whose executable lies under `root` (the
    benchmark's own mirror) and is named like `name`: providers started by
    anything else on the machine do not count."""

    def __init__(self, name: str, root: Path):
        self.name = name
        self.root = str(root.resolve())
        self.peak_kb = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()

    def _run(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    exe = os.readlink(f"/proc/{pid}/exe")
                    if not exe.startswith(self.root + os.sep) or \
                            not os.path.basename(exe).startswith(self.name):
                        continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                                break
                except OSError:
                    continue
            time.sleep(0.002)


def schema_round_trip(p: Provider, tofu: Path, runs: int) -> tuple[list[float], float, int]:
    """(times, peak RSS MB under tofu, schema size in bytes)."""
    with tempfile.TemporaryDirectory(prefix="tb-bench-") as tmp:
        wd, env = tofu_setup(p, tofu, Path(tmp))
        times = []
        size = 0
        with HwmPoller(f"terraform-provider-{p.type}", Path(tmp)) as poll:
            for _ in range(runs):
                t0 = time.perf_counter()
                r = subprocess.run([str(tofu), "providers", "schema", "-json"], cwd=wd, env=env,
                                   capture_output=True)
                times.append(time.perf_counter() - t0)
                if r.returncode != 0:
                    raise RuntimeError(f"providers schema for {p.label} failed:\n"
                                       + r.stderr.decode(errors="replace"))
                size = len(json.dumps(json.loads(r.stdout)["provider_schemas"][p.source]))
        return times, poll.peak_kb / 1024.0, size


def ratio(ours: float | None, theirs: float | None, unit: str) -> str:
    if ours is None or theirs is None or ours <= 0:
        return "-"
    return f"{theirs / ours:.1f}x {unit}"


def measure(p: Provider, tofu: Path | None, cert, runs: int, schema_runs: int) -> dict:
    env = plugin_env(cert.cert_pem)
    out: dict = {"binary_mb": p.binary.stat().st_size / 1e6}
    starts = cold_start(p, env, runs)
    out["start_median"] = statistics.median(starts)
    out["start_min"] = min(starts)
    out["start_max"] = max(starts)
    out["exec_exit"] = statistics.median(exec_without_cookie(p, runs))
    out["libs"] = shared_libraries(p)
    out["rss_exact"], out["protocol"] = session_peak_rss(p)
    if tofu is not None:
        try:
            t, rss, size = schema_round_trip(p, tofu, schema_runs)
        except RuntimeError as e:
            why = first_error(str(e))
            print(f"bench: {p.label}: schema round trip failed: {why[:400]}", file=sys.stderr)
            return out
        out["schema_median"] = statistics.median(t)
        out["rss_tofu"] = rss
        out["schema_bytes"] = size
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--schema-runs", type=int, default=5)
    ap.add_argument("--provider", type=Path, default=default_provider_binary())
    ap.add_argument("--go-provider", type=Path, default=Path(os.environ.get(
        "TB_BENCH_GO_PROVIDER",
        REPO / ".tools" / "bin" / f"terraform-provider-{GO_NAME}_v{GO_VERSION}")))
    ap.add_argument("--tofu", type=Path, default=default_tofu())
    args = ap.parse_args()

    if not args.provider.is_file():
        print(f"bench: provider binary {args.provider} not found (make build)", file=sys.stderr)
        return 1
    tofu = args.tofu if args.tofu.is_file() else None
    if tofu is None:
        print(f"bench: {args.tofu} not found: schema round trips skipped", file=sys.stderr)
    cert = make_cert("P-521")

    ours = Provider("talentbase (C)", args.provider, TB_SOURCE, TB_VERSION, "talentbase")
    theirs = None
    if args.go_provider.is_file():
        theirs = Provider(f"{GO_NAME} v{GO_VERSION} (Go)", args.go_provider, GO_SOURCE,
                          GO_VERSION, GO_NAME)
    else:
        print(f"bench: Go baseline {args.go_provider} not found; build it with "
              "BOOTSTRAP_BENCH=1 scripts/bootstrap.sh. Showing our figures only.",
              file=sys.stderr)

    a = measure(ours, tofu, cert, args.runs, args.schema_runs)
    b = measure(theirs, tofu, cert, args.runs, args.schema_runs) if theirs else {}

    rows = [
        (f"cold start to handshake, median of {args.runs}", fmt_ms(a["start_median"]),
         fmt_ms(b.get("start_median")), ratio(a["start_median"], b.get("start_median"),
                                              "sooner")),
        ("cold start to handshake, min .. max",
         f"{fmt_ms(a['start_min'])} .. {fmt_ms(a['start_max'])}",
         f"{fmt_ms(b.get('start_min'))} .. {fmt_ms(b.get('start_max'))}" if b else "-", ""),
        ("exec to exit without the cookie, median", fmt_ms(a["exec_exit"]),
         fmt_ms(b.get("exec_exit")), ""),
        ("shared libraries loaded (ldd)", str(a["libs"]), str(b.get("libs", "-")), ""),
        (f"tofu providers schema -json, median of {args.schema_runs}",
         fmt_ms(a.get("schema_median")), fmt_ms(b.get("schema_median")),
         ratio(a.get("schema_median"), b.get("schema_median"), "sooner")),
        ("peak RSS, 3 GetProviderSchema calls (VmHWM)", fmt_mb(a["rss_exact"]),
         fmt_mb(b.get("rss_exact")), ratio(a["rss_exact"], b.get("rss_exact"), "smaller")),
        ("peak RSS under tofu (VmHWM polled)", fmt_mb(a.get("rss_tofu")),
         fmt_mb(b.get("rss_tofu")), ratio(a.get("rss_tofu"), b.get("rss_tofu"), "smaller")),
        ("binary size", fmt_mb(a["binary_mb"]), fmt_mb(b.get("binary_mb")), ""),
        ("plugin protocol", str(a["protocol"]), str(b.get("protocol", "-")), ""),
        ("provider schema JSON size", f"{a.get('schema_bytes', '-')} B",
         f"{b.get('schema_bytes', '-')} B" if b else "-", ""),
    ]
    head = ("", ours.label, theirs.label if theirs else "(no Go baseline)", "ratio")
    print_table(head, rows)
    print()
    if b:
        got = b["start_median"] / a["start_median"]
        print(f"target: handshake >= {HANDSHAKE_TARGET_RATIO:.0f}x sooner than the Go provider: "
              f"{got:.1f}x, {'met' if got >= HANDSHAKE_TARGET_RATIO else 'NOT met'}")
    peak = max(a["rss_exact"], a.get("rss_tofu") or 0)
    print(f"target: peak RSS < {RSS_TARGET_MB:.0f} MB: {peak:.1f} MB, "
          f"{'met' if peak < RSS_TARGET_MB else 'NOT met'}")
    print(f"baseline: hashicorp/terraform-provider-{GO_NAME} v{GO_VERSION} (terraform-plugin-"
          "framework); terraform-provider-null is not served by the Go module proxy at a "
          "current SDK (see tools/goprovider/tools.go)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
