#!/usr/bin/env bash
# Builds the static release binary for one platform:
#   scripts/release/build.sh linux_amd64|linux_arm64 VERSION [BUILD_DIR]
# into BUILD_DIR (default build-release/<platform>)/terraform-provider-talentbase,
# after scripts/release/deps.sh has built (or found) the dependencies, and
# checks that it is static: no program interpreter, no dynamic section.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TB_RELEASE_CACHE:-$top/.release-cache}
platform=${1:?usage: build.sh PLATFORM VERSION [BUILD_DIR]}
version=${2:?usage: build.sh PLATFORM VERSION [BUILD_DIR]}
bdir=${3:-$top/build-release/$platform}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

"$top/scripts/release/deps.sh" "$platform"
# shellcheck source=scripts/release/toolchain.sh
. "$top/scripts/release/toolchain.sh"
tb_release_toolchain "$platform"

say() { printf 'release-build[%s]: %s\n' "$platform" "$*" >&2; }

say "building terraform-provider-talentbase $version"
mkdir -p "$bdir"
if ! {
  cmake -S "$top" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$TB_TOOLCHAIN_FILE" -DTB_RELEASE=ON \
    -DTB_RELEASE_PREFIX="$cache/$platform/prefix" -DTB_TESTS=OFF -DTB_VERSION="$version" &&
    cmake --build "$bdir" -j"$jobs" --target terraform-provider-talentbase
} >"$bdir/build.log" 2>&1; then
  grep -E 'error|Error' "$bdir/build.log" | head -40 >&2
  say "failed: full log in $bdir/build.log"
  exit 1
fi

bin="$bdir/terraform-provider-talentbase"
if readelf -lW "$bin" | grep -q INTERP || readelf -dW "$bin" | grep -q '(NEEDED)'; then
  readelf -dW "$bin" >&2
  say "$bin is not static"
  exit 1
fi
say "$bin ($(stat -c %s "$bin") bytes, sha256 $(sha256sum "$bin" | cut -c1-16)…)"
