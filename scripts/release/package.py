#!/usr/bin/env python3
"""Packages provider binaries the way HashiCorp's release pipeline
(goreleaser) does, for a provider registry:

    package.py --version 0.2.0 --out out/ --gpg-fingerprint FPR \\
        --binary linux_amd64=build-release/linux_amd64/terraform-provider-talentbase \\
        --binary linux_arm64=build-release/linux_arm64/terraform-provider-talentbase

writes into out/:

    terraform-provider-talentbase_0.2.0_linux_amd64.zip   (terraform-provider-talentbase_v0.2.0)
    terraform-provider-talentbase_0.2.0_linux_arm64.zip
    terraform-provider-talentbase_0.2.0_manifest.json     (plugin protocol 6.0)
    terraform-provider-talentbase_0.2.0_SHA256SUMS        (the zips and the manifest)
    terraform-provider-talentbase_0.2.0_SHA256SUMS.sig    (detached binary GPG signature)

The zips are reproducible: one entry with a fixed timestamp
(SOURCE_DATE_EPOCH, else 1980-01-01), fixed permissions and no extra
fields, so the same binaries give the same bytes. The signature uses gpg
with the secret key FPR (GNUPGHOME is honoured). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

NAME = "terraform-provider-talentbase"
PROTOCOLS = ["6.0"]
ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest a zip can hold


def zip_time(epoch: int) -> tuple:
    t = time.gmtime(max(epoch, ZIP_EPOCH))
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)


def write_zip(path: Path, entry: str, data: bytes, epoch: int) -> None:
    info = zipfile.ZipInfo(entry, date_time=zip_time(epoch))
    info.create_system = 3  # Unix: the mode below is kept on extraction
    info.external_attr = (0o100755 << 16)
    info.compress_type = zipfile.ZIP_DEFLATED
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        z.writestr(info, data, compresslevel=9)
    tmp.replace(path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sign(path: Path, fingerprint: str) -> Path:
    sig = path.with_name(path.name + ".sig")
    sig.unlink(missing_ok=True)
    cmd = ["gpg", "--batch", "--yes", "--no-tty", "--local-user", fingerprint,
           "--output", str(sig), "--detach-sign", str(path)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"package: gpg could not sign {path.name} with {fingerprint}:\n"
                         f"{res.stderr.strip()}")
    return sig


def package(version: str, out: Path, binaries: dict[str, Path], fingerprint: str,
            epoch: int) -> list[Path]:
    """Writes the release files; returns their paths (zips first)."""
    out.mkdir(parents=True, exist_ok=True)
    prefix = f"{NAME}_{version}"
    files = []
    for platform in sorted(binaries):
        z = out / f"{prefix}_{platform}.zip"
        write_zip(z, f"{NAME}_v{version}", binaries[platform].read_bytes(), epoch)
        files.append(z)
    manifest = out / f"{prefix}_manifest.json"
    manifest.write_text(json.dumps({"version": 1, "metadata": {"protocol_versions": PROTOCOLS}})
                        + "\n")
    files.append(manifest)
    sums = out / f"{prefix}_SHA256SUMS"
    sums.write_text("".join(f"{sha256(p)}  {p.name}\n" for p in sorted(files)))
    files.append(sums)
    files.append(sign(sums, fingerprint))
    return files


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", required=True, help="X.Y.Z")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--gpg-fingerprint", required=True)
    ap.add_argument("--binary", action="append", required=True, metavar="OS_ARCH=PATH")
    a = ap.parse_args(argv)
    if not re.fullmatch(r"\d+\.\d+\.\d+", a.version):
        ap.error(f"--version {a.version!r} is not X.Y.Z")
    binaries = {}
    for item in a.binary:
        platform, _, path = item.partition("=")
        if not re.fullmatch(r"[a-z0-9]+_[a-z0-9]+", platform) or not Path(path).is_file():
            ap.error(f"--binary {item!r}: want OS_ARCH=PATH of an existing file")
        binaries[platform] = Path(path)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", ZIP_EPOCH))
    for p in package(a.version, a.out, binaries, a.gpg_fingerprint, epoch):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
