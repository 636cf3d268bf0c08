#!/usr/bin/env python3
"""The AWS emulator of the acceptance suite and `make demo`: moto in server
mode on loopback, corrected by patches.py, with a small control API.

    .venv/bin/python tests/acceptance/emulator/server.py --port 0

--port 0 binds a free port. Once the server accepts connections it prints
one line to stdout, ``TB_EMULATOR_READY http://127.0.0.1:<port>``, and
flushes. SIGTERM/SIGINT stop it.

Every endpoint of moto's server mode works as usual (``POST /moto-api/reset``
and the rest). Next to them, under ``/_tb/``, a control API for tests that
need what moto has no switch for. All bodies are JSON.

  GET    /_tb/health   {"ok": true, "patches": [names of applied patches]}
  POST   /_tb/env      {"NAME": "value" | null, ...}: sets (null: unsets)
                       environment variables in the server process, e.g.
                       MOTO_ECS_SERVICE_RUNNING, which moto reads per call.
  POST   /_tb/faults   one fault rule (below); answers {"id": n}
  GET    /_tb/faults   the rules still active
  DELETE /_tb/faults   removes every rule
  GET    /_tb/calls    [{"service","action","status","fault","agent","start","end"}...]
                       every AWS call received since the last reset, in
                       order (agent: the User-Agent's first product token,
                       e.g. "terraform-provider-talentbase/0.1.0" or
                       "Boto3/1.x"; start and end: monotonic seconds)
  DELETE /_tb/calls    clears that log
  POST   /_tb/latency  {"seconds": 0.05}: every AWS call waits that long
                       before it is answered (a stand-in for AWS's latency)
  POST   /_tb/throttle {"rate": 20}: each service answers at most that many
                       calls a second; the others get ThrottlingException
                       (JSON) or Throttling (query), HTTP 400. 0 turns it off.

A fault rule makes matching AWS calls fail (or slow down) before moto sees
them:

  {"action": "CreateTargetGroup",   # required: the API operation name
   "service": "elasticloadbalancing", # optional: SigV4 signing name
   "status": 400,                    # HTTP status of the error (default 400)
   "code": "DuplicateTargetGroupName", # AWS error code (default InternalFailure)
   "message": "...",                 # error message
   "after": 0,                       # let the first N matching calls through
   "times": 1,                       # fail this many calls; 0 = every call
   "delay": 0.0,                     # seconds to wait before answering
   "passthrough": false}             # true: only delay, then let moto answer

The error body has the shape of the service's protocol: JSON
(``{"__type": code, "message": ...}``) when the request carried
``X-Amz-Target``, EC2's ``<Response><Errors><Error>`` for ec2, else the
query protocol's XML ``ErrorResponse``.

``POST /moto-api/reset`` also clears the faults, the call log, latency,
throttling and the variables set through /_tb/env (restoring their values
at start-up).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import sys
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import patches  # noqa: E402  (sits next to this file)

_CREDENTIAL_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/([^/,\s]+)/aws4_request")


class _Control:
    """State behind /_tb/: environment overrides, fault rules, call log."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.saved_env: dict[str, str | None] = {}
        self.faults: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self.next_id = 1
        self.latency = 0.0
        self.rate = 0.0
        self.windows: dict[str | None, tuple[int, int]] = {}  # service -> (second, calls)

    def set_env(self, values: dict[str, Any]) -> None:
        with self.lock:
            for name, value in values.items():
                self.saved_env.setdefault(name, os.environ.get(name))
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = str(value)

    def add_fault(self, rule: dict[str, Any]) -> int:
        if not isinstance(rule.get("action"), str) or not rule["action"]:
            raise ValueError("a fault rule needs an 'action'")
        known = {"action", "service", "status", "code", "message", "after", "times",
                 "delay", "passthrough"}
        unknown = set(rule) - known
        if unknown:
            raise ValueError(f"unknown fault rule keys: {sorted(unknown)}")
        r = {
            "action": rule["action"],
            "service": rule.get("service"),
            "status": int(rule.get("status", 400)),
            "code": rule.get("code", "InternalFailure"),
            "message": rule.get("message", "injected by the test emulator"),
            "after": int(rule.get("after", 0)),
            "times": int(rule.get("times", 1)),
            "delay": float(rule.get("delay", 0.0)),
            "passthrough": bool(rule.get("passthrough", False)),
            "seen": 0,
            "fired": 0,
        }
        with self.lock:
            r["id"] = self.next_id
            self.next_id += 1
            self.faults.append(r)
        return r["id"]

    def match(self, service: str | None, action: str | None) -> dict[str, Any] | None:
        """The rule that fires for this call, counting it; None to pass."""
        if action is None:
            return None
        with self.lock:
            for r in self.faults:
                if r["action"] != action:
                    continue
                if r["service"] and r["service"] != service:
                    continue
                r["seen"] += 1
                if r["seen"] <= r["after"]:
                    continue
                if r["times"] > 0 and r["fired"] >= r["times"]:
                    continue
                r["fired"] += 1
                return dict(r)
        return None

    def throttled(self, service: str | None) -> bool:
        """Whether this call is over its service's rate (counting it)."""
        with self.lock:
            if self.rate <= 0:
                return False
            second = int(time.monotonic())
            start, n = self.windows.get(service, (second, 0))
            if start != second:
                start, n = second, 0
            self.windows[service] = (start, n + 1)
            return n + 1 > self.rate

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(entry)

    def reset(self) -> None:
        with self.lock:
            for name, value in self.saved_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self.saved_env.clear()
            self.faults.clear()
            self.calls.clear()
            self.latency = 0.0
            self.rate = 0.0
            self.windows.clear()


def _read_body(environ: dict[str, Any]) -> bytes:
    """Reads the request body and puts it back for the next application."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit():
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _identify(environ: dict[str, Any], body: bytes) -> tuple[str | None, str | None, bool]:
    """(signing service, operation, is JSON protocol) of an AWS request."""
    m = _CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = m.group(1) if m else None
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, target.rsplit(".", 1)[-1], True
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    ctype = environ.get("CONTENT_TYPE", "")
    if not action and "x-www-form-urlencoded" in ctype:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
    return service, (action[0] if action else None), False


def _error_response(rule: dict[str, Any], is_json: bool,
                    service: str | None = None) -> tuple[str, list, bytes]:
    request_id = str(uuid.uuid4())
    status = f"{rule['status']} Injected"
    if service == "ec2":  # EC2's own error shape (EC2 API Reference, "Error codes")
        body = (
            "<Response><Errors><Error>"
            f"<Code>{_xml_escape(rule['code'])}</Code>"
            f"<Message>{_xml_escape(rule['message'])}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        ).encode()
        return status, [("Content-Type", "text/xml")], body
    if is_json:
        body = json.dumps({"__type": rule["code"], "message": rule["message"]}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"),
                   ("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", rule["code"])]
        return status, headers, body
    kind = "Receiver" if rule["status"] >= 500 else "Sender"
    body = (
        "<ErrorResponse><Error>"
        f"<Type>{kind}</Type><Code>{_xml_escape(rule['code'])}</Code>"
        f"<Message>{_xml_escape(rule['message'])}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    return status, headers, body


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _json_reply(start_response, status: str, obj: Any) -> list[bytes]:
    body = json.dumps(obj).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


class ControlMiddleware:
    """WSGI middleware in front of moto: /_tb/ endpoints, faults, call log."""

    def __init__(self, app, control: _Control) -> None:
        self.app = app
        self.control = control

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_tb/"):
            return self._control(environ, start_response, path)
        if path == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            self.control.reset()
            return self.app(environ, start_response)
        if path.startswith("/moto-api/"):
            return self.app(environ, start_response)
        return self._aws(environ, start_response)

    def _aws(self, environ, start_response):
        body = _read_body(environ)
        service, action, is_json = _identify(environ, body)
        agent = (environ.get("HTTP_USER_AGENT") or "").split(" ", 1)[0]
        entry = {"service": service, "action": action, "status": None, "fault": None,
                 "agent": agent, "start": time.monotonic(), "end": None}
        if self.control.latency > 0:
            time.sleep(self.control.latency)
        rule = self.control.match(service, action)
        if rule is None and self.control.throttled(service):
            rule = {"id": "throttle", "status": 400, "delay": 0, "passthrough": False,
                    "code": "ThrottlingException" if is_json else "Throttling",
                    "message": "Rate exceeded"}
        if rule is not None and rule["delay"] > 0:
            time.sleep(rule["delay"])
        if rule is not None and not rule["passthrough"]:
            status, headers, payload = _error_response(rule, is_json, service)
            headers.append(("Content-Length", str(len(payload))))
            entry.update(status=rule["status"], fault=rule["id"], end=time.monotonic())
            self.control.record(entry)
            start_response(status, headers)
            return [payload]

        def recording_start_response(status, headers, exc_info=None):
            entry["status"] = int(status.split(" ", 1)[0])
            entry["end"] = time.monotonic()
            self.control.record(entry)
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start_response)

    def _control(self, environ, start_response, path):
        method = environ.get("REQUEST_METHOD")
        try:
            raw = _read_body(environ)
            data = json.loads(raw) if raw.strip() else None
            if path == "/_tb/health" and method == "GET":
                return _json_reply(start_response, "200 OK",
                                   {"ok": True, "patches": patches.applied()})
            if path == "/_tb/env" and method == "POST":
                self.control.set_env(data or {})
                return _json_reply(start_response, "200 OK", {"ok": True})
            if path == "/_tb/faults" and method == "POST":
                fid = self.control.add_fault(data or {})
                return _json_reply(start_response, "200 OK", {"id": fid})
            if path == "/_tb/faults" and method == "GET":
                with self.control.lock:
                    rules = [dict(r) for r in self.control.faults]
                return _json_reply(start_response, "200 OK", rules)
            if path == "/_tb/faults" and method == "DELETE":
                with self.control.lock:
                    self.control.faults.clear()
                return _json_reply(start_response, "200 OK", {"ok": True})
            if path == "/_tb/calls" and method == "GET":
                with self.control.lock:
                    calls = list(self.control.calls)
                return _json_reply(start_response, "200 OK", calls)
            if path == "/_tb/latency" and method == "POST":
                self.control.latency = max(float((data or {}).get("seconds", 0)), 0.0)
                return _json_reply(start_response, "200 OK", {"ok": True})
            if path == "/_tb/throttle" and method == "POST":
                with self.control.lock:
                    self.control.rate = max(float((data or {}).get("rate", 0)), 0.0)
                    self.control.windows.clear()
                return _json_reply(start_response, "200 OK", {"ok": True})
            if path == "/_tb/calls" and method == "DELETE":
                with self.control.lock:
                    self.control.calls.clear()
                return _json_reply(start_response, "200 OK", {"ok": True})
        except (ValueError, TypeError) as e:
            return _json_reply(start_response, "400 Bad Request", {"error": str(e)})
        return _json_reply(start_response, "404 Not Found",
                           {"error": f"no control endpoint {method} {path}"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    patches.apply_all()
    moto_app = DomainDispatcherApplication(create_backend_app)
    app = ControlMiddleware(moto_app, _Control())
    server = make_server(args.host, args.port, app, threaded=True,
                         request_handler=MotoRequestHandler)
    os.environ["MOTO_PORT"] = str(server.server_address[1])

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"TB_EMULATOR_READY http://{host}:{port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
