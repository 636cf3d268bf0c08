#!/usr/bin/env bash
# make release: the signed release of the checked-out commit under out/
# (docs/guides/publishing.md). Needs the version (tag vX.Y.Z on HEAD, or
# VERSION=X.Y.Z) and GPG_FINGERPRINT, the fingerprint of a secret key in the
# keyring (GNUPGHOME) that signs the SHA256SUMS file.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=${TB_RELEASE_OUT:-$top/out}
platforms=(linux_amd64 linux_arm64)

die() { printf 'release: %s\n' "$*" >&2; exit 1; }

version=$(scripts/version.sh --release) || exit 1
[ -n "${GPG_FINGERPRINT:-}" ] ||
  die "GPG_FINGERPRINT is not set: export the fingerprint of the release signing key (gpg --list-secret-keys --with-colons); see docs/guides/publishing.md"
gpg --batch --list-secret-keys "$GPG_FINGERPRINT" >/dev/null 2>&1 ||
  die "no secret key $GPG_FINGERPRINT in the keyring${GNUPGHOME:+ $GNUPGHOME}: import the release key first"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  die "the work tree has uncommitted changes: a release is built from a commit"
fi

# Zip timestamps from the commit: the same commit gives the same bytes.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH

t0=$(date +%s)
args=()
for p in "${platforms[@]}"; do
  scripts/release/build.sh "$p" "$version"
  args+=(--binary "$p=build-release/$p/terraform-provider-talentbase")
done
rm -rf "$out"
python3 scripts/release/package.py --version "$version" --out "$out" \
  --gpg-fingerprint "$GPG_FINGERPRINT" "${args[@]}" | sed "s|^$top/||"
printf 'release: %s signed by %s in %d s; run make release-check before publishing\n' \
  "$version" "$GPG_FINGERPRINT" "$(($(date +%s) - t0))" >&2
