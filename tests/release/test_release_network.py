"""The static binaries reach AWS the way they will on a runner: a hostname
resolved without NSS (musl reads the root's /etc/hosts) and TLS verified
against the root's CA bundle, found where a distribution keeps it (or where
SSL_CERT_FILE says), with nothing else of a system in the root.

AWS is the emulator (moto, plain HTTP on loopback) behind a TLS proxy whose
certificate a throwaway CA issued for aws.release-check.test;
ConfigureProvider's sts:GetCallerIdentity is the call, seen at the emulator.
Without the bundle in the root, the same call fails on the certificate.
"""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

import pytest

from tbtest.emulator import Emulator
from tbtest.plugin import PluginProcess, make_cert, msgpack_encode, null_object
from tbtest.registry import ThrowawayCA

PLATFORMS = ("linux_amd64", "linux_arm64")
HOST = "aws.release-check.test"


class TlsProxy:
    """127.0.0.1:<port>, TLS with `ca`'s certificate, each connection piped
    to `upstream` (host, port) in plain TCP."""

    def __init__(self, ca: ThrowawayCA, upstream: tuple[str, int]) -> None:
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(ca.cert_pem, ca.key_pem)
        self.upstream = upstream
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            tls = self.ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()  # the client refused our certificate
            return
        up = socket.create_connection(self.upstream)
        threading.Thread(target=self._pipe, args=(up, tls), daemon=True).start()
        self._pipe(tls, up)

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.stopped = True
        self.sock.close()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    emu = Emulator.start(tmp_path_factory.mktemp("emulator") / "emulator.log")
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def aws_tls(emulator, tmp_path_factory):
    ca = ThrowawayCA.create(tmp_path_factory.mktemp("tls"), hosts=(HOST,))
    host, port = emulator.url.rsplit("/", 1)[-1].rsplit(":", 1)
    proxy = TlsProxy(ca, (host, int(port)))
    yield ca, proxy
    proxy.close()


def configure(p: PluginProcess, stubs, cert, endpoint: str):
    pb = stubs.tfplugin6
    stub = stubs.tfplugin6_grpc.ProviderStub(p.channel(cert))
    block = stub.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=60).provider.block
    ep = next(b for b in block.block_types if b.type_name == "endpoints")
    one = null_object(ep.block, {"sts": endpoint})
    config = null_object(block, {
        "region": "us-east-1", "access_key": "AKIAIOSFODNN7EXAMPLE",
        "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "endpoints": [one] if ep.nesting in (2, 3) else one})
    return stub.ConfigureProvider(pb.ConfigureProvider.Request(
        terraform_version="1.9.0", config=pb.DynamicValue(msgpack=msgpack_encode(config))),
        timeout=120)


def start_in_root(root: Path, cmd: list[str], cert, env=None) -> PluginProcess:
    p = PluginProcess(cmd[0], args=cmd[1:], client_cert=cert,
                      env={"TMPDIR": "/", "AWS_EC2_METADATA_DISABLED": "true", **(env or {})})
    p.start(timeout=60)
    p.handshake.address = str(root) + p.handshake.address
    return p


# (platform, where the root keeps its CA bundle, environment): the
# distributions' paths of Go's list, and SSL_CERT_FILE naming another one.
TRUST_CASES = [
    pytest.param("linux_amd64", "etc/pki/tls/certs/ca-bundle.crt", {}, id="amd64-rhel-path"),
    pytest.param("linux_amd64", "etc/ssl/cert.pem", {}, id="amd64-alpine-path"),
    pytest.param("linux_amd64", "certs/company.pem", {"SSL_CERT_FILE": "/certs/company.pem"},
                 id="amd64-SSL_CERT_FILE"),
    pytest.param("linux_arm64", "etc/ssl/certs/ca-certificates.crt", {}, id="arm64-debian-path"),
]


@pytest.mark.parametrize("platform,bundle,env", TRUST_CASES)
def test_aws_call_by_hostname_over_verified_tls(platform, bundle, env, unpacked, empty_root,
                                                plugin_stubs, emulator, aws_tls):
    ca, proxy = aws_tls
    root, cmd = empty_root(platform, unpacked[platform])
    (root / "etc").mkdir(exist_ok=True)
    (root / "etc" / "hosts").write_text(f"127.0.0.1 {HOST}\n")
    (root / bundle).parent.mkdir(parents=True, exist_ok=True)
    (root / bundle).write_bytes(ca.ca_pem.read_bytes())
    emulator.reset()
    cert = make_cert("P-256")
    with start_in_root(root, cmd, cert, env) as p:
        resp = configure(p, plugin_stubs, cert, f"https://{HOST}:{proxy.port}")
        errors = [(d.summary, d.detail) for d in resp.diagnostics if d.severity == 1]
        assert not errors, errors
    assert [c["action"] for c in emulator.calls("sts")] == ["GetCallerIdentity"]


def test_aws_call_without_trust_roots_fails_on_the_certificate(unpacked, empty_root,
                                                               plugin_stubs, emulator, aws_tls):
    _, proxy = aws_tls
    root, cmd = empty_root("linux_amd64", unpacked["linux_amd64"])
    (root / "etc").mkdir()
    (root / "etc" / "hosts").write_text(f"127.0.0.1 {HOST}\n")
    emulator.reset()
    cert = make_cert("P-256")
    with start_in_root(root, cmd, cert) as p:
        resp = configure(p, plugin_stubs, cert, f"https://{HOST}:{proxy.port}")
    text = " ".join(d.summary + " " + d.detail for d in resp.diagnostics if d.severity == 1)
    assert "certificate" in text.lower(), text
    assert emulator.calls("sts") == []
