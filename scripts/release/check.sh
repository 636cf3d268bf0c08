#!/usr/bin/env bash
# make release-check: what must pass before a release is published.
#   1. tests/release: the binaries out of out/'s zips are static, stripped,
#      with a build ID; each runs in an empty root (arm64 under
#      qemu-aarch64-static) through the handshake and GetProviderSchema;
#   2. the acceptance suite's provider-foundation and service tests with the
#      static amd64 binary as the provider;
#   3. the registry install tests on out/ itself, verified with the public
#      key of GPG_FINGERPRINT (or the armoured key file TB_RELEASE_KEY).
# TB_RELEASE_DIR overrides out/. Prints `file` and `readelf -d` of both.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
rel=${TB_RELEASE_DIR:-$top/out}
py=$top/.venv/bin/python
die() { printf 'release-check: %s\n' "$*" >&2; exit 1; }

ls "$rel"/terraform-provider-talentbase_*_SHA256SUMS.sig >/dev/null 2>&1 ||
  die "no signed release in $rel: run make release first"
work=$(mktemp -d /tmp/tb-release-check-XXXXXX)
trap 'rm -rf "$work"' EXIT

key=${TB_RELEASE_KEY:-}
if [ -z "$key" ]; then
  [ -n "${GPG_FINGERPRINT:-}" ] || die "set GPG_FINGERPRINT (or TB_RELEASE_KEY=public-key.asc)"
  key=$work/release-key.asc
  gpg --batch --armor --export "$GPG_FINGERPRINT" >"$key"
  [ -s "$key" ] || die "no public key $GPG_FINGERPRINT in the keyring"
fi

for z in "$rel"/terraform-provider-talentbase_*_linux_*.zip; do
  p=${z%.zip}
  p=${p##*_linux_}
  mkdir -p "$work/$p"
  (cd "$work/$p" && unzip -q "$z")
  b=$(echo "$work/$p"/terraform-provider-talentbase_v*)
  printf '== linux_%s: %s (%s bytes)\n' "$p" "$(basename "$b")" "$(stat -c %s "$b")"
  file -b "$b"
  readelf -dW "$b"
done
amd64=$(echo "$work/amd64"/terraform-provider-talentbase_v*)

status=0
run() {
  printf '\n== %s\n' "$1"
  shift
  "$@" || status=1
}
export TB_RELEASE_DIR=$rel
run "release binaries in empty roots" "$py" -m pytest -q tests/release
run "acceptance (foundation, service) on the static amd64 binary" \
  env TB_PROVIDER_BINARY="$amd64" "$py" -m pytest -q tests/acceptance/test_provider_foundation.py \
  tests/acceptance/test_service.py
run "registry install of $rel" env TB_PROVIDER_BINARY="$amd64" TB_RELEASE_KEY="$key" \
  "$py" -m pytest -q tests/acceptance/test_registry.py
[ "$status" = 0 ] && echo "release-check: passed" || echo "release-check: FAILED" >&2
exit "$status"
