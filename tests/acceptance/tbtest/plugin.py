"""Talking to the provider binary directly, the way go-plugin clients do.

    cert = make_cert()                              # the client's certificate
    p = PluginProcess(binary, client_cert=cert).start()
    p.handshake                                     # parsed first stdout line
    stubs = load_stubs(tmp_dir)                     # tfplugin6 + go-plugin stubs
    stub = stubs.tfplugin6_grpc.ProviderStub(p.channel(cert))
    stub.GetProviderSchema(stubs.tfplugin6.GetProviderSchema.Request(), timeout=10)
    p.shutdown()                                    # GRPCController/Shutdown
    p.wait(2)

The stubs are generated at test time with grpc_tools.protoc from the
project's proto/*.proto (the same files the C server is built from), with
the project's stand-in for the well-known types swapped for the real ones.
"""

from __future__ import annotations

import base64
import datetime
import importlib
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Mapping, Sequence

from . import paths

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

# What a go-plugin client gives a plugin it starts (besides its own env).
CLIENT_ENV = {
    MAGIC_COOKIE_KEY: MAGIC_COOKIE,
    "PLUGIN_PROTOCOL_VERSIONS": "5,6",
    "PLUGIN_MIN_PORT": "10000",
    "PLUGIN_MAX_PORT": "25000",
}

_PASS_THROUGH = ("PATH", "HOME", "USER", "LANG", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS",
                 "LSAN_OPTIONS")


# ---- certificates ---------------------------------------------------------------


@dataclass
class Cert:
    cert_pem: bytes
    key_pem: bytes


def make_cert(curve: str = "P-521", common_name: str = "localhost") -> Cert:
    """A self-signed certificate shaped like the one a go-plugin client
    generates for AutoMTLS (ECDSA, CN and DNS SAN localhost, CA, server and
    client auth). go-plugin uses P-521; pass "P-256"/"P-384" for others."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    curves = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}
    key = ec.generate_private_key(curves[curve])
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True,
                                     key_agreement=True, key_cert_sign=True,
                                     content_commitment=False, data_encipherment=False,
                                     crl_sign=False, encipher_only=False,
                                     decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH,
                                              ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Cert(cert.public_bytes(serialization.Encoding.PEM),
                key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


# ---- handshake --------------------------------------------------------------------


@dataclass
class Handshake:
    raw: str
    core_version: int
    protocol_version: int
    network: str
    address: str
    protocol: str
    cert_der: bytes | None

    _LINE = re.compile(r"^(\d+)\|(\d+)\|(unix|tcp)\|([^|]+)\|(grpc|netrpc)(?:\|([^|]*))?$")

    @classmethod
    def parse(cls, line: str) -> "Handshake":
        m = cls._LINE.match(line)
        if not m:
            raise ValueError(f"not a go-plugin handshake line: {line!r}")
        cert_b64 = m.group(6) or ""
        cert = None
        if cert_b64:
            if "=" in cert_b64:
                raise ValueError("handshake certificate has base64 padding; go-plugin "
                                 "decodes with RawStdEncoding and fails on '='")
            cert = base64.b64decode(cert_b64 + "=" * (-len(cert_b64) % 4), validate=True)
        return cls(line, int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), m.group(5),
                   cert)

    @property
    def target(self) -> str:
        return f"unix:{self.address}" if self.network == "unix" else self.address

    @property
    def cert_pem(self) -> bytes | None:
        if self.cert_der is None:
            return None
        b64 = base64.encodebytes(self.cert_der).decode().replace("\n", "")
        lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
        return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) +
                "\n-----END CERTIFICATE-----\n").encode()


class PluginError(RuntimeError):
    pass


class PluginProcess:
    """The provider binary started as a plugin client starts it."""

    def __init__(self, binary: Path | str, *, client_cert: Cert | None = None,
                 args: Sequence[str] = (), env: Mapping[str, str | None] | None = None,
                 stderr_path: Path | None = None, cookie: bool = True) -> None:
        self.binary = str(binary)
        self.client_cert = client_cert
        self.args = list(args)
        self.env = {k: os.environ[k] for k in _PASS_THROUGH if k in os.environ}
        if cookie:
            self.env.update(CLIENT_ENV)
        if client_cert is not None:
            self.env["PLUGIN_CLIENT_CERT"] = client_cert.cert_pem.decode()
        for k, v in (env or {}).items():
            if v is None:
                self.env.pop(k, None)
            else:
                self.env[k] = v
        self.stderr_path = stderr_path
        self.proc: subprocess.Popen | None = None
        self.handshake: Handshake | None = None
        self.first_line: str | None = None
        self.started_at = 0.0
        self.handshake_seconds = 0.0
        self._rest = bytearray()
        self._reader: threading.Thread | None = None
        self._stderr_file = None

    def start(self, timeout: float = 10.0, parse: bool = True) -> "PluginProcess":
        """Starts the binary and reads the first stdout line (parsed as a
        handshake unless parse=False)."""
        if self.stderr_path is not None:
            self._stderr_file = open(self.stderr_path, "wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen([self.binary, *self.args], env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._stderr_file or subprocess.DEVNULL)
        line = self._read_first_line(timeout)
        self.handshake_seconds = time.monotonic() - self.started_at
        self.first_line = line
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        if parse:
            self.handshake = Handshake.parse(line)
        return self

    def _read_first_line(self, timeout: float) -> str:
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise PluginError(f"no handshake line within {timeout}s; stderr:\n"
                                  + self.stderr_text()[-3000:])
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                rc = self.proc.wait()
                raise PluginError(f"plugin exited (rc={rc}) before the handshake; "
                                  f"stdout={buf!r}; stderr:\n" + self.stderr_text()[-3000:])
            buf += chunk
        line, rest = buf.split(b"\n", 1)
        self._rest += rest
        return line.decode(errors="replace").rstrip("\r")

    def _drain(self) -> None:
        stream = self.proc.stdout
        try:
            while True:
                chunk = os.read(stream.fileno(), 65536)
                if not chunk:
                    break
                self._rest += chunk
        except (OSError, ValueError):
            pass

    def stdout_after_handshake(self) -> bytes:
        """What the plugin printed on stdout after the handshake line
        (complete once the process has exited)."""
        if self._reader is not None and self.proc.poll() is not None:
            self._reader.join(5)
        return bytes(self._rest)

    def stderr_text(self) -> str:
        if self._stderr_file is not None:
            self._stderr_file.flush()
        if self.stderr_path is None:
            return ""
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def channel(self, cert: Cert | None = None, *, options: Sequence[tuple] = ()):
        """A grpc channel to the plugin; TLS when the handshake carried a
        server certificate, presenting `cert` (default: the client cert the
        process was started with)."""
        import grpc

        opts = [("grpc.max_receive_message_length", 256 << 20),
                ("grpc.max_send_message_length", 256 << 20), *options]
        hs = self.handshake
        if hs.cert_der is None:
            return grpc.insecure_channel(hs.target, options=opts)
        cert = cert or self.client_cert
        creds = grpc.ssl_channel_credentials(
            root_certificates=hs.cert_pem,
            private_key=cert.key_pem if cert else None,
            certificate_chain=cert.cert_pem if cert else None)
        opts.append(("grpc.ssl_target_name_override", "localhost"))
        return grpc.secure_channel(hs.target, creds, options=opts)

    def shutdown(self, channel=None, timeout: float = 5.0) -> None:
        """Calls plugin.GRPCController/Shutdown (as the CLI does at exit)."""
        ch = channel or self.channel()
        try:
            raw_call(ch, "/plugin.GRPCController/Shutdown", b"", timeout=timeout)
        finally:
            if channel is None:
                ch.close()

    def wait(self, timeout: float) -> int:
        rc = self.proc.wait(timeout)
        if self._reader is not None:
            self._reader.join(5)
        return rc

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None

    def __enter__(self) -> "PluginProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.kill()


def raw_call(channel, method: str, request: bytes, timeout: float = 10.0) -> bytes:
    """A unary call with raw protobuf bytes both ways."""
    fn = channel.unary_unary(method, request_serializer=lambda b: b,
                             response_deserializer=lambda b: b)
    return fn(request, timeout=timeout)


# ---- stubs --------------------------------------------------------------------------

_stub_lock = threading.Lock()
_stubs: SimpleNamespace | None = None


def load_stubs(out_dir: Path) -> SimpleNamespace:
    """Generates Python stubs of proto/tfplugin6.proto and proto/go_plugin.proto
    into out_dir (once per process) and imports them. Returns a namespace with
    tfplugin6, tfplugin6_grpc, go_plugin, go_plugin_grpc."""
    global _stubs
    with _stub_lock:
        if _stubs is not None:
            return _stubs
        from grpc_tools import protoc
        import grpc_tools

        out_dir.mkdir(parents=True, exist_ok=True)
        src = out_dir / "proto"
        if src.exists():
            shutil.rmtree(src)
        src.mkdir()
        names = []
        for p in sorted(paths.PROTO_DIR.glob("*.proto")):
            if p.name == "wellknown.proto":
                continue
            text = p.read_text()
            wkt_imports = "".join(
                f'import "google/protobuf/{f}.proto";\n'
                for t, f in (("Timestamp", "timestamp"), ("Empty", "empty"))
                if f"google.protobuf.{t}" in text)
            text = text.replace('import "wellknown.proto";\n', wkt_imports)
            (src / p.name).write_text(text)
            names.append(p.name)
        if "tfplugin6.proto" not in names:
            raise FileNotFoundError(f"{paths.PROTO_DIR}/tfplugin6.proto is missing")
        wkt = Path(grpc_tools.__file__).parent / "_proto"
        pkg = out_dir / "gen"
        pkg.mkdir(exist_ok=True)
        rc = protoc.main(["protoc", f"-I{src}", f"-I{wkt}", f"--python_out={pkg}",
                          f"--grpc_python_out={pkg}", *[str(src / n) for n in names]])
        if rc != 0:
            raise RuntimeError(f"grpc_tools.protoc failed ({rc}) on {names}")
        sys.path.insert(0, str(pkg))
        ns = SimpleNamespace()
        for n in names:
            base = n[:-len(".proto")]
            setattr(ns, base, importlib.import_module(f"{base}_pb2"))
            setattr(ns, f"{base}_grpc", importlib.import_module(f"{base}_pb2_grpc"))
        _stubs = ns
        return ns


# ---- values -----------------------------------------------------------------------------


def msgpack_encode(v: Any) -> bytes:
    """Enough of msgpack for DynamicValues: nil, bool, int, float, str,
    bytes, list, dict (string keys)."""
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if -32 <= v < 0:
            return struct.pack("b", v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return _len_prefix(len(b), 0xA0, 32, b"\xd9", b"\xda", b"\xdb") + b
    if isinstance(v, bytes):
        return _len_prefix(len(v), None, 0, b"\xc4", b"\xc5", b"\xc6") + v
    if isinstance(v, (list, tuple)):
        return _len_prefix(len(v), 0x90, 16, None, b"\xdc", b"\xdd") + b"".join(
            msgpack_encode(x) for x in v)
    if isinstance(v, dict):
        out = _len_prefix(len(v), 0x80, 16, None, b"\xde", b"\xdf")
        for k, x in v.items():
            out += msgpack_encode(str(k)) + msgpack_encode(x)
        return out
    raise TypeError(f"cannot msgpack {type(v).__name__}")


def _len_prefix(n: int, fix: int | None, fix_max: int, m8: bytes | None, m16: bytes,
                m32: bytes) -> bytes:
    if fix is not None and n < fix_max:
        return bytes([fix | n])
    if m8 is not None and n < 256:
        return m8 + bytes([n])
    if n < 65536:
        return m16 + struct.pack(">H", n)
    return m32 + struct.pack(">I", n)


def null_object(block, overrides: Mapping[str, Any] | None = None) -> dict:
    """A value of a schema block (tfplugin6 Schema.Block message) with every
    attribute null and nested blocks empty, then `overrides` applied."""
    out: dict[str, Any] = {a.name: None for a in block.attributes}
    for nb in block.block_types:
        mode = nb.nesting
        # NestingMode: 1 SINGLE, 2 LIST, 3 SET, 4 MAP, 5 GROUP
        out[nb.type_name] = {1: None, 2: [], 3: [], 4: {}}.get(mode) if mode != 5 \
            else null_object(nb.block)
    out.update(overrides or {})
    return out


# ---- a provider started by hand -------------------------------------------------------


def hand_env(**extra: str) -> dict[str, str]:
    """The environment of someone running the binary in a shell (sanitizer
    settings kept so that a sanitizer build reports into the test)."""
    keep = ("PATH", "HOME", "ASAN_OPTIONS", "UBSAN_OPTIONS")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, **extra}


def start_debug(provider_binary: Path, log: Path, env: Mapping[str, str]):
    """Starts the provider as a developer does (`-debug`, no cookie) with the
    user's environment `env` (a reattached provider does not see the CLI's).
    Returns (process, the TF_REATTACH_PROVIDERS value it printed); stop it
    with SIGINT."""
    with open(log, "wb") as err:
        proc = subprocess.Popen([str(provider_binary), "-debug"], stdout=subprocess.PIPE,
                                stderr=err, stdin=subprocess.DEVNULL, env=hand_env(**env))
    fd = proc.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + 10
    while b"TF_REATTACH_PROVIDERS=" not in buf or not buf.rstrip(b" ").endswith(b"\n"):
        left = deadline - time.monotonic()
        ready = select.select([fd], [], [], max(0.0, left))[0] if left > 0 else []
        if not ready:
            proc.kill()
            raise AssertionError(f"no TF_REATTACH_PROVIDERS line within 10s: {buf!r}\n"
                                 + log.read_text(errors="replace")[-2000:])
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError(f"debug provider exited rc={proc.wait()}: {buf!r}")
        buf += chunk
    line = next(ln for ln in buf.decode().splitlines() if "TF_REATTACH_PROVIDERS=" in ln)
    m = re.search(r"TF_REATTACH_PROVIDERS='(\{.*\})'", line)
    assert m, f"reattach line not in the documented form: {line!r}"
    return proc, m.group(1)
