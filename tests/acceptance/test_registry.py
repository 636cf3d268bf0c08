"""Installing the provider as app teams do: from the private registry over
HTTPS, from a filesystem mirror and from a network mirror, with both CLIs.

The release is made by the release packager (scripts/release/package.py,
what `make release` runs) from the development binary, signed with a
throwaway GPG key, and served by a loopback registry (tbtest/registry.py)
behind a throwaway CA that the CLIs trust through SSL_CERT_FILE; the CLI
config's `host` block sends registry.talentbase.internal to it.

The linux_arm64 zip of this fast test holds the development (amd64) binary
under the arm64 name: the CLIs hash and verify it but never run it on this
machine. `make release-check` runs these tests again on the real release
(TB_RELEASE_DIR=out, TB_RELEASE_KEY=the public key), whose arm64 binary is
a real one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from tbtest import paths
from tbtest.cli import Tf
from tbtest.registry import GpgKey, Registry, Release, ThrowawayCA, package_release

PLATFORMS = ("linux_amd64", "linux_arm64")


# ---- fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def reg_dir(session_dir) -> Path:
    d = session_dir / "registry"
    d.mkdir(exist_ok=True)
    return d


@pytest.fixture(scope="module")
def ca(reg_dir) -> ThrowawayCA:
    return ThrowawayCA.create(reg_dir / "tls")


@pytest.fixture(scope="module")
def signing_key():
    armor = os.environ.get("TB_RELEASE_KEY")
    key = GpgKey.from_armor(Path(armor)) if armor else GpgKey.generate()
    yield key
    key.close()


@pytest.fixture(scope="module")
def release(provider_binary, reg_dir, signing_key) -> Release:
    given = os.environ.get("TB_RELEASE_DIR")
    if given:
        return Release.find(Path(given))
    return package_release({p: provider_binary for p in PLATFORMS}, paths.PROVIDER_VERSION,
                           reg_dir / "release", signing_key)


@pytest.fixture
def registry(release, signing_key, ca):
    with Registry(release, signing_key, ca) as reg:
        yield reg


def config_file(d: Path, *blocks: str) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    p = d / "cli.tfrc"
    p.write_text("disable_checkpoint = true\n\n" + "\n".join(blocks))
    return p


def make_tf(cli: str, d: Path, provider_install, ca: ThrowawayCA, cfg: Path, version: str,
            source: str = paths.PROVIDER_SOURCE) -> Tf:
    tf = Tf(cli, d, provider_install,
            env={"TF_CLI_CONFIG_FILE": str(cfg), "SSL_CERT_FILE": str(ca.ca_pem)})
    tf.write(f"""terraform {{
  required_providers {{
    talentbase = {{
      source  = "{source}"
      version = "{version}"
    }}
  }}
}}
""")
    return tf


def lock_hashes(tf: Tf) -> set[str]:
    text = (tf.workdir / ".terraform.lock.hcl").read_text()
    return set(re.findall(r'"((?:h1|zh):[^"]+)"', text))


def h1_of_zip(z: Path) -> str:
    """The CLIs' h1: hash (Go's dirhash Hash1) of a zip's contents."""
    with zipfile.ZipFile(z) as zf:
        lines = sorted(f"{hashlib.sha256(zf.read(n)).hexdigest()}  {n}\n"
                       for n in zf.namelist())
    return "h1:" + base64.b64encode(hashlib.sha256("".join(lines).encode()).digest()).decode()


def zh_of_zip(release: Release, platform: str) -> str:
    return "zh:" + release.shasums()[release.zip(platform).name]


# ---- the release files -------------------------------------------------------------


def test_release_files_have_the_goreleaser_shape(release, signing_key):
    v = release.version
    names = sorted(p.name for p in release.dir.iterdir())
    assert names == sorted([f"{paths.BINARY_NAME}_{v}_{p}.zip" for p in PLATFORMS] + [
        f"{paths.BINARY_NAME}_{v}_manifest.json", f"{paths.BINARY_NAME}_{v}_SHA256SUMS",
        f"{paths.BINARY_NAME}_{v}_SHA256SUMS.sig"])
    assert json.loads(release.file("manifest.json").read_text()) == {
        "version": 1, "metadata": {"protocol_versions": ["6.0"]}}
    sums = release.shasums()
    assert sorted(sums) == sorted([release.zip(p).name for p in PLATFORMS] +
                                  [release.file("manifest.json").name])
    for name, sha in sums.items():
        assert hashlib.sha256((release.dir / name).read_bytes()).hexdigest() == sha
    for p in PLATFORMS:
        with zipfile.ZipFile(release.zip(p)) as zf:
            (info,) = zf.infolist()
            assert info.filename == f"{paths.BINARY_NAME}_v{v}"
            assert (info.external_attr >> 16) & 0o777 == 0o755
    verify = subprocess.run(["gpg", "--batch", "--status-fd", "1", "--verify",
                             str(release.file("SHA256SUMS.sig")),
                             str(release.file("SHA256SUMS"))],
                            env=signing_key.env, capture_output=True, text=True)
    assert f"VALIDSIG {signing_key.fingerprint}" in verify.stdout, verify.stderr


def test_packaging_is_reproducible(provider_binary, reg_dir, signing_key, release):
    if os.environ.get("TB_RELEASE_DIR"):
        pytest.skip("the real release is checked by make release-check's second build")
    again = package_release({p: provider_binary for p in PLATFORMS}, release.version,
                            reg_dir / "release-again", signing_key)
    for p in PLATFORMS:
        assert again.zip(p).read_bytes() == release.zip(p).read_bytes()
    assert again.file("SHA256SUMS").read_bytes() == release.file("SHA256SUMS").read_bytes()


# ---- registry installs --------------------------------------------------------------


def test_init_from_registry_verifies_the_signature(cli, work_dir, provider_install, ca,
                                                   registry, release, signing_key):
    cfg = config_file(work_dir / "cfg", registry.host_block())
    tf = make_tf(cli, work_dir / "root", provider_install, ca, cfg, release.version)
    res = tf.init().ok()
    word = "signed" if cli == "tofu" else "self-signed"
    assert re.search(rf"Installed {re.escape(paths.PROVIDER_SOURCE)} v{release.version} "
                     rf"\({word}, key ID {signing_key.key_id}\)", res.stdout), res.describe()
    hashes = lock_hashes(tf)
    assert h1_of_zip(release.zip("linux_amd64")) in hashes
    assert {zh_of_zip(release, p) for p in PLATFORMS} <= hashes  # from the signed SHA256SUMS
    served = {path for method, path in registry.requests}
    assert f"/files/{release.file('SHA256SUMS.sig').name}" in served
    binary = next((tf.workdir / ".terraform" / "providers").rglob(f"{paths.BINARY_NAME}_v*"))
    assert os.access(binary, os.X_OK)


def test_lock_for_both_platforms(work_dir, provider_install, ca, registry, release):
    cfg = config_file(work_dir / "cfg", registry.host_block())
    tf = make_tf("tofu", work_dir / "root", provider_install, ca, cfg, release.version)
    tf.run("providers", "lock", "-no-color", "-platform=linux_amd64",
           "-platform=linux_arm64").ok()
    hashes = lock_hashes(tf)
    for p in PLATFORMS:
        assert h1_of_zip(release.zip(p)) in hashes, p
        assert zh_of_zip(release, p) in hashes, p


def test_wrong_signing_key_is_refused(cli, work_dir, provider_install, ca, release,
                                      signing_key):
    other = GpgKey.generate("Someone else")
    try:
        with Registry(release, signing_key, ca, advertised_key=other.armor) as reg:
            cfg = config_file(work_dir / "cfg", reg.host_block())
            tf = make_tf(cli, work_dir / "root", provider_install, ca, cfg, release.version)
            res = tf.init().failed()
    finally:
        other.close()
    assert re.search(r"signature|signed", res.output, re.I), res.describe()
    assert not list((tf.workdir / ".terraform").rglob(f"{paths.BINARY_NAME}_v*"))


def test_service_discovery_at_well_known(cli, work_dir, provider_install, ca, registry,
                                         release):
    # A hostname the CLIs resolve on their own (localhost:<port>), so that
    # they discover the API from /.well-known/terraform.json.
    source = f"localhost:{registry.port}/{paths.PROVIDER_NAMESPACE}/{paths.PROVIDER_TYPE}"
    cfg = config_file(work_dir / "cfg")
    tf = make_tf(cli, work_dir / "root", provider_install, ca, cfg, release.version, source)
    tf.init().ok()
    assert ("GET", "/.well-known/terraform.json") in registry.requests
    assert h1_of_zip(release.zip("linux_amd64")) in lock_hashes(tf)


# ---- mirrors -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirror(reg_dir, release, signing_key, ca, provider_binary) -> Path:
    """`terraform providers mirror` (tofu's when there is no terraform) of
    the registry's release, both platforms."""
    mirror_cli = "terraform" if "terraform" in paths.available_clis() else "tofu"
    d = reg_dir / "mirror"
    with Registry(release, signing_key, ca) as reg:
        cfg = config_file(reg_dir / "mirror-cfg", reg.host_block())
        from tbtest.cli import ProviderInstall
        install = ProviderInstall(provider_binary, reg_dir / "mirror-install")
        tf = make_tf(mirror_cli, reg_dir / "mirror-root", install, ca, cfg, release.version)
        tf.run("providers", "mirror", "-platform=linux_amd64", "-platform=linux_arm64",
               str(d)).ok()
    return d


def test_mirror_layout(mirror, release):
    pkg = mirror / paths.PROVIDER_HOST / paths.PROVIDER_NAMESPACE / paths.PROVIDER_TYPE
    assert json.loads((pkg / "index.json").read_text()) == {"versions": {release.version: {}}}
    archives = json.loads((pkg / f"{release.version}.json").read_text())["archives"]
    assert sorted(archives) == list(PLATFORMS)
    for p in PLATFORMS:
        assert (pkg / archives[p]["url"]).read_bytes() == release.zip(p).read_bytes()
        assert h1_of_zip(release.zip(p)) in archives[p]["hashes"]


def init_from_mirror(cli, d: Path, provider_install, ca, release, kind: str, where: str) -> Tf:
    """init with only a `kind` mirror (filesystem_mirror path / network_mirror
    url = `where`) for the registry's hostname; checks the installed h1:."""
    key = "path" if kind == "filesystem_mirror" else "url"
    cfg = config_file(d / "cfg", f"""provider_installation {{
  {kind} {{
    {key} = "{where}"
    include = ["{paths.PROVIDER_HOST}/*/*"]
  }}
}}
""")
    tf = make_tf(cli, d / "root", provider_install, ca, cfg, release.version)
    tf.init().ok()
    assert h1_of_zip(release.zip("linux_amd64")) in lock_hashes(tf)
    return tf


def test_install_from_filesystem_mirror(cli, work_dir, provider_install, ca, mirror, release):
    init_from_mirror(cli, work_dir, provider_install, ca, release, "filesystem_mirror",
                     str(mirror))


def test_install_from_network_mirror(cli, work_dir, provider_install, ca, mirror, release,
                                     signing_key):
    with Registry(release, signing_key, ca, mirror_dir=mirror) as reg:
        init_from_mirror(cli, work_dir, provider_install, ca, release, "network_mirror",
                         f"{reg.base}/mirror/")
        mirror_path = f"/mirror/{paths.PROVIDER_HOST}/{paths.PROVIDER_NAMESPACE}/" \
                      f"{paths.PROVIDER_TYPE}/index.json"
        assert ("GET", mirror_path) in reg.requests
