"""Launcher and client of the AWS emulator (tests/acceptance/emulator/server.py).

    emu = Emulator.start(log_path)
    emu.url                      # http://127.0.0.1:<port>
    emu.client("ecs")            # boto3 client pointed at it
    emu.reset()                  # POST /moto-api/reset (faults, env, calls too)
    emu.set_env(MOTO_ECS_SERVICE_RUNNING=2)
    emu.inject_fault("CreateTargetGroup", code="DuplicateTargetGroupName")
    emu.calls()                  # [{"service","action","status","fault","agent"}, ...]
    emu.stop()
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from . import paths

REGION = "us-east-1"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCOUNT_ID = "123456789012"  # moto's default account


class EmulatorError(RuntimeError):
    pass


class Emulator:
    def __init__(self, proc: subprocess.Popen, url: str, log_path: Path) -> None:
        self.proc = proc
        self.url = url
        self.log_path = log_path
        self._clients: dict[str, Any] = {}

    # ---- life cycle ---------------------------------------------------------

    @classmethod
    def start(cls, log_path: Path, port: int = 0, timeout: float = 60.0) -> "Emulator":
        """Starts the server on 127.0.0.1 (port 0: a free one) and waits until
        it answers. Its stderr goes to log_path."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "wb")
        env = dict(os.environ)
        for k in [k for k in env if k.startswith("MOTO_") or k.startswith("AWS_")]:
            del env[k]
        proc = subprocess.Popen(
            [sys.executable, str(paths.EMULATOR_SERVER), "--port", str(port)],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, env=env,
            cwd=str(paths.REPO),
        )
        log.close()
        try:
            url = cls._read_ready_line(proc, log_path, timeout)
            emu = cls(proc, url, log_path)
            threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
            emu._wait_answering(timeout)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        return emu

    @staticmethod
    def _read_ready_line(proc: subprocess.Popen, log_path: Path, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        buf = b""
        fd = proc.stdout.fileno()
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise EmulatorError(f"emulator did not start within {timeout}s; log:\n"
                                    + _tail(log_path))
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                raise EmulatorError(f"emulator exited (rc={proc.wait()}) before it was "
                                    "ready; log:\n" + _tail(log_path))
            buf += chunk
        line = buf.split(b"\n", 1)[0].decode()
        if not line.startswith("TB_EMULATOR_READY "):
            raise EmulatorError(f"unexpected first line from the emulator: {line!r}")
        return line.split(" ", 1)[1].strip()

    def _wait_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._request("GET", "/_tb/health")
                return
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise EmulatorError("emulator does not answer; log:\n"
                                        + _tail(self.log_path))
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)

    # ---- control ------------------------------------------------------------

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip() else None

    def reset(self) -> None:
        """Forgets every AWS object, fault rule, logged call and /_tb/env
        variable."""
        self._request("POST", "/moto-api/reset", {})

    def health(self) -> dict:
        return self._request("GET", "/_tb/health")

    def set_env(self, **values: Any) -> None:
        """Sets environment variables inside the emulator process (None
        unsets), e.g. MOTO_ECS_SERVICE_RUNNING=2. Undone by reset()."""
        self._request("POST", "/_tb/env", values)

    def inject_fault(self, action: str, *, service: str | None = None, status: int = 400,
                     code: str = "InternalFailure", message: str = "injected by the test emulator",
                     after: int = 0, times: int = 1, delay: float = 0.0,
                     passthrough: bool = False) -> int:
        """Makes calls of `action` fail (see server.py); returns the rule id."""
        rule = {"action": action, "status": status, "code": code, "message": message,
                "after": after, "times": times, "delay": delay, "passthrough": passthrough}
        if service:
            rule["service"] = service
        return self._request("POST", "/_tb/faults", rule)["id"]

    def faults(self) -> list[dict]:
        return self._request("GET", "/_tb/faults")

    def clear_faults(self) -> None:
        self._request("DELETE", "/_tb/faults")

    def calls(self, service: str | None = None, provider_only: bool = False) -> list[dict]:
        """AWS calls received since the last reset/clear_calls, in order;
        provider_only: those the provider made (not the test's boto3)."""
        calls = self._request("GET", "/_tb/calls")
        return [c for c in calls if (service is None or c["service"] == service)
                and (not provider_only
                     or c.get("agent", "").startswith("terraform-provider-talentbase/"))]

    def clear_calls(self) -> None:
        self._request("DELETE", "/_tb/calls")

    def set_latency(self, seconds: float) -> None:
        """Every AWS call waits `seconds` before it is answered (undone by reset)."""
        self._request("POST", "/_tb/latency", {"seconds": seconds})

    def set_throttle(self, rate: float) -> None:
        """Each service answers at most `rate` calls a second, throttling the
        rest (0: off; undone by reset)."""
        self._request("POST", "/_tb/throttle", {"rate": rate})

    # ---- boto3 ----------------------------------------------------------------

    def client(self, service: str, region: str = REGION):
        """A boto3 client for `service` talking to the emulator (cached)."""
        key = f"{service}/{region}"
        if key not in self._clients:
            import boto3
            from botocore.config import Config

            self._clients[key] = boto3.session.Session().client(
                service,
                endpoint_url=self.url,
                region_name=region,
                aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=SECRET_KEY,
                config=Config(retries={"max_attempts": 2, "mode": "standard"}),
            )
        return self._clients[key]

    def cli_env(self) -> dict[str, str]:
        """Environment for a CLI (and so the provider) using this emulator."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }


def _drain(stream) -> None:
    """Keeps reading the emulator's stdout so that it can never block."""
    try:
        while stream.read(65536):
            pass
    except (OSError, ValueError):
        pass


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
