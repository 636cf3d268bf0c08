"""What a CI runner of any Linux distribution needs from the release
binaries: static executables (no program interpreter, no shared object, no
libc of the system), stripped, with a build ID and no path of the build
machine; each starts in an empty root, prints its version, completes the
go-plugin handshake with mTLS and answers GetProviderSchema."""

from __future__ import annotations

import re
import subprocess

import pytest

from tbtest.paths import REPO
from tbtest.plugin import PluginProcess, make_cert

PLATFORMS = ("linux_amd64", "linux_arm64")
MACHINE = {"linux_amd64": "Advanced Micro Devices X86-64", "linux_arm64": "AArch64"}


def sh(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("platform", PLATFORMS)
def test_binary_is_static_and_stripped(platform, unpacked):
    b = unpacked[platform]
    assert f"Machine:                           {MACHINE[platform]}" in sh("readelf", "-h", str(b))
    assert "There is no dynamic section in this file." in sh("readelf", "-dW", str(b))
    assert "INTERP" not in sh("readelf", "-lW", str(b))
    sections = sh("readelf", "-SW", str(b))
    assert ".symtab" not in sections and ".debug_info" not in sections, "not stripped"
    assert re.search(r"Build ID: [0-9a-f]{40}", sh("readelf", "-nW", str(b)))
    assert "statically linked" in sh("file", "-b", str(b))
    data = b.read_bytes()
    for leak in (str(REPO).encode(), b"/.release-cache/", b"libcurl.so", b"/usr/lib/"):
        assert leak not in data, f"{leak!r} in {b.name}"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_version_in_an_empty_root(platform, unpacked, empty_root, release):
    _, cmd = empty_root(platform, unpacked[platform])
    out = subprocess.run([*cmd, "-version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"terraform-provider-talentbase {release.version}\n"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_handshake_and_schema_in_an_empty_root(platform, unpacked, empty_root, plugin_stubs):
    root, cmd = empty_root(platform, unpacked[platform])
    cert = make_cert("P-256")
    # TMPDIR=/: the root has no /tmp; the socket is made under the root.
    p = PluginProcess(cmd[0], args=cmd[1:], client_cert=cert, env={"TMPDIR": "/"})
    with p:
        p.start(timeout=60)
        assert p.handshake.protocol_version == 6 and p.handshake.network == "unix"
        assert p.handshake.cert_der, "AutoMTLS: the handshake carries the server certificate"
        p.handshake.address = str(root) + p.handshake.address  # as seen from outside
        ch = p.channel(cert)
        stub = plugin_stubs.tfplugin6_grpc.ProviderStub(ch)
        resp = stub.GetProviderSchema(plugin_stubs.tfplugin6.GetProviderSchema.Request(),
                                      timeout=60)
        assert {a.name for a in resp.provider.block.attributes} >= {"region", "environment"}
        assert "talentbase_service" in resp.resource_schemas
        assert not [d for d in resp.diagnostics], resp.diagnostics
        p.shutdown(ch)
        ch.close()
        assert p.wait(30) == 0
