#!/usr/bin/env bash
# Installs everything the build, tests and demo need. Idempotent: a second
# run only checks and returns quickly.
#   scripts/bootstrap.sh [--no-tofu] [--no-venv]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

TOFU_VERSION=1.12.6
MOTO_VERSION=5.2.5
BOTO3_VERSION=1.44.5
GO_BASELINE_VERSION=0.14.2

want_tofu=1
want_venv=1
for arg in "$@"; do
  case "$arg" in
    --no-tofu) want_tofu=0 ;;
    --no-venv) want_venv=0 ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'bootstrap: %s\n' "$*" >&2; }

# Go builds the pinned OpenTofu; it may be installed outside PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH=$PATH:/usr/local/go/bin
fi

DEB_PACKAGES=(
  build-essential cmake pkg-config
  libgrpc-dev protobuf-compiler protobuf-compiler-grpc
  libprotobuf-c-dev protobuf-c-compiler
  libmsgpack-dev libjansson-dev libcurl4-openssl-dev libssl-dev
  libexpat1-dev libcmocka-dev
  clang-format pmccabe python3-venv gnupg
)

# The release build (make release, make release-check): Debian source
# packages, zig from PyPI, qemu for the arm64 binary.
RELEASE_PACKAGES=(dpkg-dev ninja-build perl make unicode-data python3-six qemu-user-static unzip file)

install_debs() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_tofu() {
  local bin="$top/.tools/bin/tofu"
  # The whole answer first: grep -q stops reading early, and under pipefail
  # the writer's SIGPIPE would read as "not installed".
  local have=""
  [ -x "$bin" ] && have=$(TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>/dev/null || true)
  if grep -qx "OpenTofu v$TOFU_VERSION" <<<"$have"; then
    return 0
  fi
  say "building OpenTofu $TOFU_VERSION from the Go module proxy (first time: several minutes)"
  mkdir -p "$top/.tools/bin"
  (cd "$top/tools/tofu" && GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
    -o "$bin" github.com/opentofu/opentofu/cmd/tofu)
}

# The benchmark's Go baseline: an official provider on the same Go plugin
# stack (terraform-provider-null's v3 releases are not valid module versions).
install_bench_provider() {
  local bin="$top/.tools/bin/terraform-provider-time_v$GO_BASELINE_VERSION"
  [ -x "$bin" ] && return 0
  say "building terraform-provider-time $GO_BASELINE_VERSION (benchmark baseline)"
  (cd "$top/tools/goprovider" && GOFLAGS=-mod=mod go build -trimpath -o "$bin" github.com/hashicorp/terraform-provider-time)
}

install_venv() {
  local venv="$top/.venv"
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" - <<PY 2>/dev/null
import importlib.metadata as m, sys
ok = m.version("moto") == "$MOTO_VERSION" and m.version("boto3") == "$BOTO3_VERSION"
for extra in ("pytest", "grpcio-tools", "cryptography"):
    m.version(extra)
sys.exit(0 if ok else 1)
PY
  then
    return 0
  fi
  say "creating virtualenv with moto[server]==$MOTO_VERSION boto3==$BOTO3_VERSION"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "moto[server]==$MOTO_VERSION" "boto3==$BOTO3_VERSION" "pytest==8.4.2" "grpcio==1.76.0" "grpcio-tools==1.76.0" "cryptography"
}

# On request: clang with its libFuzzer and sanitizer runtimes for the fuzz
# targets (make fuzz), valgrind for make valgrind.
if [ "${BOOTSTRAP_FUZZ:-0}" = 1 ]; then DEB_PACKAGES+=(clang-14 libclang-rt-14-dev); fi
if [ "${BOOTSTRAP_VALGRIND:-0}" = 1 ]; then DEB_PACKAGES+=(valgrind); fi


# apt-get source needs deb-src entries for the running Debian release.
ensure_deb_src() {
  grep -Eqrs '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  local codename sudo=""
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "adding deb-src entries for $codename (release dependencies' sources)"
  $sudo tee /etc/apt/sources.list.d/tb-release-src.sources >/dev/null <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $codename-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  $sudo apt-get update -qq
}

install_debs "${DEB_PACKAGES[@]}"
if [ "${BOOTSTRAP_RELEASE:-0}" = 1 ]; then
  install_debs "${RELEASE_PACKAGES[@]}"
  ensure_deb_src
fi
if [ "$want_venv" = 1 ]; then install_venv; fi
if [ "$want_tofu" = 1 ]; then install_tofu; fi
if [ "${BOOTSTRAP_BENCH:-0}" = 1 ]; then install_bench_provider; fi
say "ready"
