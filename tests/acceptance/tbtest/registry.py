"""A private provider registry on loopback, as a platform team runs one:

    ca = ThrowawayCA.create(dir)                   # throwaway CA + server certificate
    key = GpgKey.generate(dir)                # throwaway signing key (own GNUPGHOME)
    release = package_release(bin_amd64, bin_arm64, "0.1.0", out, key)   # make release's packager
    with Registry(release, key, ca) as reg:   # HTTPS on 127.0.0.1:<port>
        reg.cli_config(...)                   # a CLI config file pointing the host at it

The server implements the provider registry protocol
(https://developer.hashicorp.com/terraform/internals/provider-registry-protocol):
service discovery at /.well-known/terraform.json, the versions list, the
download document (download_url, shasums_url, shasums_signature_url,
signing_keys) and the files; and serves a directory as a network mirror
(https://developer.hashicorp.com/terraform/internals/provider-network-mirror-protocol)
under /mirror/. HEAD and GET are answered alike (HEAD without a body).
Every request is recorded in `requests` as (method, path).
"""

from __future__ import annotations

import datetime
import hashlib
import http.server
import ipaddress
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import paths

PACKAGER = paths.REPO / "scripts" / "release" / "package.py"


# ---- certificates ------------------------------------------------------------


@dataclass
class ThrowawayCA:
    ca_pem: Path    # what the CLIs trust (SSL_CERT_FILE)
    cert_pem: Path  # the server's chain
    key_pem: Path

    @classmethod
    def create(cls, d: Path, hosts=("localhost", paths.PROVIDER_HOST)) -> "ThrowawayCA":
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        d.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.timezone.utc)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TalentBase test CA")])
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
              .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5))
              .not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                           crl_sign=True, content_commitment=False,
                                           key_encipherment=False, data_encipherment=False,
                                           key_agreement=False, encipher_only=False,
                                           decipher_only=False), critical=True)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        san = [x509.DNSName(h) for h in hosts] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
                .issuer_name(ca_name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName(san), critical=False)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                               critical=False)
                .sign(ca_key, hashes.SHA256()))
        out = cls(d / "ca.pem", d / "server.pem", d / "server-key.pem")
        pem = serialization.Encoding.PEM
        out.ca_pem.write_bytes(ca.public_bytes(pem))
        out.cert_pem.write_bytes(cert.public_bytes(pem))
        out.key_pem.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
        return out


# ---- signing key ---------------------------------------------------------------


@dataclass
class GpgKey:
    home: Path          # its GNUPGHOME (short, under /tmp: gpg-agent's socket path)
    fingerprint: str
    armor: str          # ASCII-armoured public key

    @property
    def key_id(self) -> str:
        return self.fingerprint[-16:]

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "GNUPGHOME": str(self.home)}

    @classmethod
    def generate(cls, name: str = "TalentBase test release key") -> "GpgKey":
        home = Path(tempfile.mkdtemp(prefix="tbgpg-"))
        home.chmod(0o700)
        env = {**os.environ, "GNUPGHOME": str(home)}
        run = lambda *a: subprocess.run(["gpg", "--batch", "--no-tty", *a], env=env,  # noqa: E731
                                        check=True, capture_output=True, text=True)
        run("--passphrase", "", "--quick-gen-key", f"{name} <release@example.invalid>",
            "rsa2048", "sign", "1d")
        fpr = next(line.split(":")[9] for line in run("--with-colons", "--list-secret-keys")
                   .stdout.splitlines() if line.startswith("fpr:"))
        armor = run("--armor", "--export", fpr).stdout
        return cls(home, fpr, armor)

    @classmethod
    def from_armor(cls, path: Path) -> "GpgKey":
        """A public key only (a real release's key, to verify with)."""
        home = Path(tempfile.mkdtemp(prefix="tbgpg-"))
        home.chmod(0o700)
        env = {**os.environ, "GNUPGHOME": str(home)}
        subprocess.run(["gpg", "--batch", "--import", str(path)], env=env, check=True,
                       capture_output=True)
        out = subprocess.run(["gpg", "--batch", "--with-colons", "--list-keys"], env=env,
                             check=True, capture_output=True, text=True).stdout
        fpr = next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))
        return cls(home, fpr, path.read_text())

    def close(self) -> None:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=self.env, capture_output=True)
        shutil.rmtree(self.home, ignore_errors=True)


# ---- release files ---------------------------------------------------------------


@dataclass
class Release:
    dir: Path
    version: str
    platforms: list[str]

    def file(self, suffix: str) -> Path:
        return self.dir / f"{paths.BINARY_NAME}_{self.version}_{suffix}"

    def zip(self, platform: str) -> Path:
        return self.file(f"{platform}.zip")

    @classmethod
    def find(cls, d: Path) -> "Release":
        """The release `make release` left in d (one version)."""
        zips = sorted(d.glob(f"{paths.BINARY_NAME}_*_linux_*.zip"))
        if not zips:
            raise FileNotFoundError(f"no release zips in {d}")
        version = zips[0].name.split("_")[1]
        return cls(d, version, sorted(z.stem.split("_", 2)[2] for z in zips))

    def shasums(self) -> dict[str, str]:
        """file name -> sha256 from the SHA256SUMS file."""
        return {name: sha for sha, name in
                (line.split() for line in self.file("SHA256SUMS").read_text().splitlines())}


def package_release(binaries: dict[str, Path], version: str, out: Path, key: GpgKey) -> Release:
    """Runs the release packager (scripts/release/package.py, what `make
    release` runs) on `binaries` (platform -> file), signing with `key`."""
    cmd = [sys.executable, str(PACKAGER), "--version", version, "--out", str(out),
           "--gpg-fingerprint", key.fingerprint]
    for platform, path in binaries.items():
        cmd += ["--binary", f"{platform}={path}"]
    subprocess.run(cmd, env=key.env, check=True, capture_output=True, text=True)
    return Release(out, version, sorted(binaries))


# ---- the server --------------------------------------------------------------------


@dataclass
class Registry:
    release: Release
    key: GpgKey
    ca: ThrowawayCA
    mirror_dir: Path | None = None       # served under /mirror/ (network mirror)
    advertised_key: str | None = None    # signing key sent to clients (default: key's)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def __enter__(self) -> "Registry":
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                registry._answer(self, body=True)

            def do_HEAD(self):  # noqa: N802
                registry._answer(self, body=False)

            def log_message(self, *a):
                pass

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.ca.cert_pem, self.ca.key_pem)
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- protocol --------------------------------------------------------------

    def _route(self, path: str) -> tuple[int, str, bytes]:
        ns, typ = paths.PROVIDER_NAMESPACE, paths.PROVIDER_TYPE
        api = f"/v1/providers/{ns}/{typ}/"
        if path == "/.well-known/terraform.json":
            return self._json({"providers.v1": "/v1/providers/"})
        if path == api + "versions":
            return self._json({"versions": [{
                "version": self.release.version, "protocols": ["6.0"],
                "platforms": [dict(zip(("os", "arch"), p.split("_")))
                              for p in self.release.platforms]}]})
        if path.startswith(api + self.release.version + "/download/"):
            os_, arch = path.rstrip("/").split("/")[-2:]
            return self._download(f"{os_}_{arch}")
        if path.startswith("/files/"):
            return self._file(self.release.dir, path[len("/files/"):])
        if path.startswith("/mirror/") and self.mirror_dir:
            return self._file(self.mirror_dir, path[len("/mirror/"):])
        return 404, "text/plain", b"not found\n"

    def _download(self, platform: str) -> tuple[int, str, bytes]:
        if platform not in self.release.platforms:
            return 404, "text/plain", b"no such platform\n"
        z = self.release.zip(platform)
        files = f"{self.base}/files/"
        os_, arch = platform.split("_")
        return self._json({
            "protocols": ["6.0"], "os": os_, "arch": arch, "filename": z.name,
            "download_url": files + z.name,
            "shasums_url": files + self.release.file("SHA256SUMS").name,
            "shasums_signature_url": files + self.release.file("SHA256SUMS.sig").name,
            "shasum": self.release.shasums()[z.name],
            "signing_keys": {"gpg_public_keys": [{
                "key_id": self.key.key_id,
                "ascii_armor": self.advertised_key or self.key.armor,
                "trust_signature": "", "source": "TalentBase platform team",
                "source_url": "https://registry.talentbase.internal/security"}]}})

    @staticmethod
    def _json(doc) -> tuple[int, str, bytes]:
        return 200, "application/json", json.dumps(doc).encode()

    @staticmethod
    def _file(root: Path, rel: str) -> tuple[int, str, bytes]:
        p = (root / rel).resolve()
        if root.resolve() not in p.parents or not p.is_file():
            return 404, "text/plain", b"not found\n"
        kind = "application/json" if p.suffix == ".json" else "application/octet-stream"
        return 200, kind, p.read_bytes()

    def _answer(self, h: http.server.BaseHTTPRequestHandler, body: bool) -> None:
        path = h.path.split("?", 1)[0]
        self.requests.append((h.command, path))
        status, kind, data = self._route(path)
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if body:
            h.wfile.write(data)

    # ---- CLI configuration ------------------------------------------------------------

    def host_block(self) -> str:
        """The CLI config `host` block that sends the provider's registry
        hostname to this server (no DNS entry needed)."""
        return (f'host "{paths.PROVIDER_HOST}" {{\n'
                f'  services = {{\n    "providers.v1" = "{self.base}/v1/providers/"\n  }}\n}}\n')


def sha256_file(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()
