#!/usr/bin/env bash
# Builds the static dependency tree of a release binary for one platform:
#   scripts/release/deps.sh linux_amd64|linux_arm64
# Sources are the Debian bookworm source packages pinned in sources.lock
# (checked before unpacking); the compiler is zig cc / zig c++ from the
# ziglang wheel pinned in zig-requirements.txt, targeting musl. Everything
# lands in .release-cache/ (ignored): src/ (downloads), zig/ (the compiler),
# <platform>/prefix (headers and static archives). A dependency already
# built with the same recipe is skipped, so a second run takes seconds.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/scripts/release"
cache=${TB_RELEASE_CACHE:-$top/.release-cache}
platform=${1:?usage: deps.sh linux_amd64|linux_arm64}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

say() { printf 'release-deps[%s]: %s\n' "$platform" "$*" >&2; }

# shellcheck source=scripts/release/toolchain.sh
. "$here/toolchain.sh"
tb_release_toolchain "$platform"

src="$cache/src"
work="$cache/$platform/work"
prefix="$cache/$platform/prefix"
logs="$cache/$platform/logs"
mkdir -p "$src" "$work" "$prefix/lib" "$prefix/include" "$logs"

# ---- sources -----------------------------------------------------------------

lock_files() { grep -v '^#' "$here/sources.lock" | awk -v p="$1" '$1 == p { print $3, $4 }'; }
lock_version() { grep -v '^#' "$here/sources.lock" | awk -v p="$1" '$1 == p { print $2; exit }'; }

# fetch NAME: the pinned source package's files in src/, checksums verified.
fetch() {
  local name=$1 version file sum ok=1
  version=$(lock_version "$name")
  [ -n "$version" ] || { say "$name is not in sources.lock"; exit 1; }
  while read -r file sum; do
    [ -f "$src/$file" ] && echo "$sum  $src/$file" | sha256sum -c --quiet - 2>/dev/null || ok=0
  done < <(lock_files "$name")
  if [ "$ok" = 0 ]; then
    say "fetching $name $version (apt-get source: needs a deb-src entry, see docs/guides/publishing.md)"
    (cd "$src" && apt-get source --download-only -qq "$name=$version" >/dev/null)
  fi
  while read -r file sum; do
    echo "$sum  $src/$file" | sha256sum -c --quiet - ||
      { say "$file does not match sources.lock"; exit 1; }
  done < <(lock_files "$name")
}

# unpack NAME: a fresh tree of the package with Debian's patches applied;
# prints its path.
unpack() {
  local name=$1 dsc dir
  dsc=$(lock_files "$name" | awk '$1 ~ /\.dsc$/ { print $1 }')
  dir="$work/$name"
  rm -rf "$dir"
  dpkg-source -q -x "$src/$dsc" "$dir" >/dev/null 2>&1 ||
    { say "dpkg-source could not unpack $dsc"; exit 1; }
  rm -f "$work"/*.orig.tar.* # the copies dpkg-source leaves beside the tree
  echo "$dir"
}

# ---- build steps ---------------------------------------------------------------

# The recipe's fingerprint: NAME is rebuilt when its pins, its build
# function or the toolchain change, or the sources of a dependency built
# before it (whose headers it may compile against).
recipe() {
  local d
  {
    lock_files "$1"
    declare -f "build_$1" cmake_build autotools_env
    cat "$here/zig-requirements.txt"
    echo "$TB_CFLAGS | $TB_CXXFLAGS | $TB_TRIPLE"
    for d in $DEPS; do
      [ "$d" != "$1" ] || break
      lock_files "$d"
    done
    [ "$1" != re2 ] || dpkg-query -W unicode-data
  } | sha256sum | cut -c1-16
}

# step NAME FUNCTION: runs FUNCTION in NAME's unpacked tree unless done.
step() {
  local name=$1 fn=$2 stamp="$prefix/.built-$1" dir t0 rc
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(recipe "$name")" ]; then
    return 0
  fi
  fetch "$name"
  t0=$(date +%s)
  say "building $name (log: ${logs#"$top"/}/$name.log)"
  dir=$(unpack "$name")
  set +e
  (
    set -e
    cd "$dir"
    "$fn"
  ) >"$logs/$name.log" 2>&1
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    tail -40 "$logs/$name.log" >&2
    say "$name failed: full log in $logs/$name.log"
    exit 1
  fi
  rm -rf "$dir"
  recipe "$name" >"$stamp"
  say "$name done in $(($(date +%s) - t0)) s"
}

cmake_build() {
  cmake -S "${CMAKE_SRC:-.}" -B _build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$TB_TOOLCHAIN_FILE" -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON "$@"
  cmake --build _build -j"$jobs"
  cmake --install _build
}

autotools_env() {
  export CC="$TB_CC" CXX="$TB_CXX" AR="$TB_AR" RANLIB="$TB_RANLIB"
  export CFLAGS="$TB_CFLAGS" CXXFLAGS="$TB_CXXFLAGS" CPPFLAGS="-I$prefix/include"
  export LDFLAGS="-L$prefix/lib" PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" PKG_CONFIG_PATH=
}

build_zlib() {
  autotools_env
  CHOST=$TB_TRIPLE ./configure --static --prefix="$prefix" --libdir="$prefix/lib"
  make -j"$jobs" libz.a
  make install
}

build_openssl() {
  autotools_env
  # openssldir: where OpenSSL itself would look (CA files are found by the
  # provider, see provider/aws/ca_roots.c); no engines, modules or
  # config-loaded providers, nothing that dlopens.
  # The prefix is a placeholder (OpenSSL compiles its install paths in) and
  # the files are staged: the archives do not depend on where the cache is.
  ./Configure "$TB_OPENSSL_TARGET" no-shared no-module no-dso no-engine no-tests \
    no-afalgeng no-ui-console --prefix=/opt/openssl --libdir=lib \
    --openssldir=/etc/ssl $TB_CFLAGS
  # OpenSSL_version(OPENSSL_CFLAGS) quotes the compile command: said without
  # this machine's paths.
  make crypto/buildinf.h CC="zig cc -target $TB_TRIPLE" CPPFLAGS_Q= \
    LIB_CFLAGS="$(echo "$TB_CFLAGS" | sed "s|$cache|/release-cache|g")"
  make -j"$jobs" build_libs
  ! grep -q "$cache" crypto/buildinf.h
  make install_dev DESTDIR="$PWD/_stage"
  cp -R _stage/opt/openssl/include/openssl "$prefix/include/"
  install -m 644 _stage/opt/openssl/lib/libssl.a _stage/opt/openssl/lib/libcrypto.a "$prefix/lib/"
}

build_c-ares() {
  cmake_build -DCARES_STATIC=ON -DCARES_SHARED=OFF -DCARES_BUILD_TOOLS=OFF \
    -DCARES_STATIC_PIC=ON
}

build_abseil() {
  cmake_build -DABSL_PROPAGATE_CXX_STD=ON -DCMAKE_CXX_STANDARD=17
}

# Debian's source drops the generated Unicode tables: made again, as Debian
# does, from its unicode-data package (version in the recipe).
build_re2() {
  perl re2/make_perl_groups.pl >re2/perl_groups.cc
  /usr/bin/python3 re2/make_unicode_casefold.py >re2/unicode_casefold.cc
  /usr/bin/python3 re2/make_unicode_groups.py >re2/unicode_groups.cc
  cmake_build -DRE2_BUILD_TESTING=OFF -DCMAKE_CXX_STANDARD=17
}

# gRPC C core only (grpc, gpr, upb, address_sorting): its C++ API, code
# generators and protobuf are not needed by a C server.
build_grpc() {
  cmake -S . -B _build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$TB_TOOLCHAIN_FILE" -DCMAKE_CXX_STANDARD=17 \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
    -DgRPC_BUILD_TESTS=OFF -DgRPC_BUILD_CODEGEN=OFF -DgRPC_BUILD_CSHARP_EXT=OFF \
    -DgRPC_INSTALL=OFF -DgRPC_ABSL_PROVIDER=package -DgRPC_CARES_PROVIDER=package \
    -DgRPC_RE2_PROVIDER=package -DgRPC_SSL_PROVIDER=package -DgRPC_ZLIB_PROVIDER=package \
    -DgRPC_PROTOBUF_PROVIDER=none -DgRPC_BENCHMARK_PROVIDER=none \
    -DCMAKE_CXX_FLAGS="$TB_CXXFLAGS -Wno-missing-template-arg-list-after-template-kw" \
    -DOPENSSL_USE_STATIC_LIBS=ON -DOPENSSL_ROOT_DIR="$prefix" -DZLIB_ROOT="$prefix"
  cmake --build _build -j"$jobs" --target grpc
  local a
  for a in grpc gpr upb address_sorting; do
    install -m 644 "_build/lib$a.a" "$prefix/lib/lib$a.a"
  done
  cp -R include/grpc "$prefix/include/"
}

build_protobuf-c() {
  autotools_env
  ./configure --host="$TB_TRIPLE" --prefix="$prefix" --libdir="$prefix/lib" \
    --disable-shared --enable-static --disable-protoc
  make -j"$jobs"
  make install
}

build_jansson() {
  cmake_build -DJANSSON_BUILD_DOCS=OFF -DJANSSON_EXAMPLES=OFF -DJANSSON_WITHOUT_TESTS=ON \
    -DJANSSON_BUILD_SHARED_LIBS=OFF
}

build_msgpack-c() {
  cmake_build -DMSGPACK_BUILD_TESTS=OFF -DMSGPACK_BUILD_EXAMPLES=OFF \
    -DMSGPACK_ENABLE_SHARED=OFF -DMSGPACK_ENABLE_STATIC=ON
}

# Debian's security patches test `XML_DTD == 1` (its autotools build defines
# it so); CMake's expat_config.h defines it empty: given the value here.
build_expat() {
  cmake -S expat -B _build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$TB_TOOLCHAIN_FILE" -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF -DEXPAT_BUILD_TESTS=OFF \
    -DEXPAT_BUILD_DOCS=OFF -DEXPAT_SHARED_LIBS=OFF -DEXPAT_BUILD_PKGCONFIG=ON
  sed -i 's/^#define XML_DTD$/#define XML_DTD 1/; s/^#define XML_NS$/#define XML_NS 1/' \
    _build/expat_config.h
  grep -qx '#define XML_DTD 1' _build/expat_config.h
  cmake --build _build -j"$jobs"
  cmake --install _build
}

# libcurl for HTTP(S) only, on OpenSSL and zlib, resolving with the threaded
# getaddrinfo (musl's: /etc/hosts and /etc/resolv.conf, no NSS); no CA
# path compiled in (provider/aws/ca_roots.c finds them at run time).
build_curl() {
  autotools_env
  ./configure --host="$TB_TRIPLE" --prefix="$prefix" --libdir="$prefix/lib" \
    --disable-shared --enable-static --with-openssl="$prefix" --with-zlib="$prefix" \
    --enable-threaded-resolver --without-ca-bundle --without-ca-path --without-ca-fallback \
    --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp \
    --disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap \
    --disable-smb --disable-smtp --disable-gopher --disable-mqtt --disable-manual \
    --disable-docs --disable-ntlm-wb --without-libpsl --without-brotli --without-zstd \
    --without-nghttp2 --without-libidn2 --without-librtmp --without-libssh2 \
    --without-libgsasl
  make -j"$jobs" -C lib
  make -C lib install
  make -C include install
  make install-pkgconfigDATA
}

t_start=$(date +%s)
DEPS="zlib openssl c-ares abseil re2 grpc protobuf-c jansson msgpack-c expat curl"
for dep in $DEPS; do
  step "$dep" "build_$dep"
done
say "dependencies ready in ${prefix#"$top"/} ($(($(date +%s) - t_start)) s)"
