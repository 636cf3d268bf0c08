#!/usr/bin/env bash
# The provider's version, from its one source: VERSION= (X.Y.Z, a leading v
# is dropped), else the tag vX.Y.Z on the checked-out commit, else the newest
# vX.Y.Z tag reachable from it, else 0.1.0 (before the first release).
#   scripts/version.sh            what builds report (make build, make install)
#   scripts/version.sh --release  the same, but only an explicit VERSION= or a
#                                 tag on HEAD: a release is never a guess
set -euo pipefail
cd "$(dirname "$0")/.."

semver='^[0-9]+\.[0-9]+\.[0-9]+$'
release=0
[ "${1:-}" = --release ] && release=1

only_versions() { grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' || true; }

if [ -n "${VERSION:-}" ]; then
  v=${VERSION#v}
  if ! [[ $v =~ $semver ]]; then
    echo "version: VERSION=$VERSION is not X.Y.Z" >&2
    exit 1
  fi
  echo "$v"
  exit 0
fi
v=$({ git tag --points-at HEAD --list 'v*' 2>/dev/null || true; } | only_versions | sort -V | tail -1)
if [ -z "$v" ] && [ "$release" = 1 ]; then
  echo "version: HEAD has no vX.Y.Z tag: tag the release commit (git tag -s vX.Y.Z) or pass VERSION=X.Y.Z" >&2
  exit 1
fi
[ -n "$v" ] || v=$({ git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null || true; } | only_versions)
[ -n "$v" ] || v=v0.1.0
echo "${v#v}"
