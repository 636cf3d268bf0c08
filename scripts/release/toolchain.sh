# Sourced by the release scripts: the cross toolchain for one platform.
#   tb_release_toolchain linux_amd64|linux_arm64
# sets TB_TRIPLE, TB_CC, TB_CXX, TB_AR, TB_RANLIB, TB_CFLAGS, TB_CXXFLAGS,
# TB_OPENSSL_TARGET and TB_TOOLCHAIN_FILE (a CMake toolchain file), after
# installing the pinned zig into $cache/zig when it is not there. Expects
# $top and $cache.

tb_release_zig() {
  local venv="$cache/zig" req="$top/scripts/release/zig-requirements.txt"
  if ! [ -x "$venv/bin/python" ] || ! cmp -s "$req" "$venv/requirements.txt"; then
    printf 'release: installing zig (%s) into %s\n' "$(grep -o 'ziglang==[^ ]*' "$req")" \
      "${venv#"$top"/}" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --require-hashes --no-deps -r "$req"
    cp "$req" "$venv/requirements.txt"
  fi
  TB_ZIG=$("$venv/bin/python" -c 'import ziglang, os; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')
}

# tb_release_wrapper NAME COMMAND...: an executable $bin/NAME running COMMAND "$@".
tb_release_wrapper() {
  local name=$1
  shift
  {
    echo '#!/bin/sh'
    # zig's object cache; TB_ZIG_CACHE gives a build its own (a clean rebuild).
    echo ": \"\${TB_ZIG_CACHE:=$cache/zig-cache}\""
    echo 'export ZIG_GLOBAL_CACHE_DIR="$TB_ZIG_CACHE" ZIG_LOCAL_CACHE_DIR="$TB_ZIG_CACHE"'
    # zig reads -march as a CPU name: abseil's AES flag for AArch64 in zig's words.
    echo 'for a; do shift; case $a in -march=armv8-a+crypto) set -- "$@" -mcpu=generic+aes ;; *) set -- "$@" "$a" ;; esac; done'
    echo "exec $* \"\$@\""
  } >"$bin/$name.tmp"
  chmod +x "$bin/$name.tmp"
  mv "$bin/$name.tmp" "$bin/$name"
}

tb_release_toolchain() {
  local platform=$1 arch
  case "$platform" in
    linux_amd64) arch=x86_64 TB_OPENSSL_TARGET=linux-x86_64 ;;
    linux_arm64) arch=aarch64 TB_OPENSSL_TARGET=linux-aarch64 ;;
    *) echo "release: unknown platform $platform (linux_amd64, linux_arm64)" >&2; return 2 ;;
  esac
  TB_TRIPLE=$arch-linux-musl
  tb_release_zig
  bin="$cache/$platform/bin"
  mkdir -p "$bin"
  # zig cc turns UBSan traps on in unoptimised builds: never in a release.
  tb_release_wrapper cc "'$TB_ZIG'" cc -target "$TB_TRIPLE" -fno-sanitize=all
  tb_release_wrapper c++ "'$TB_ZIG'" c++ -target "$TB_TRIPLE" -fno-sanitize=all
  tb_release_wrapper ar "'$TB_ZIG'" ar
  tb_release_wrapper ranlib "'$TB_ZIG'" ranlib
  TB_CC="$bin/cc" TB_CXX="$bin/c++" TB_AR="$bin/ar" TB_RANLIB="$bin/ranlib"
  # No build paths or dates in the objects: the same sources give the same bytes.
  # _LARGEFILE64_SOURCE: musl 1.2.4 declares off64_t and friends (which
  # abseil uses) only on request.
  TB_CFLAGS="-O2 -g0 -ffunction-sections -fdata-sections -D_LARGEFILE64_SOURCE"
  TB_CFLAGS="$TB_CFLAGS -ffile-prefix-map=$cache=/release-cache"
  TB_CXXFLAGS="$TB_CFLAGS"
  export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-315532800}
  TB_TOOLCHAIN_FILE="$cache/$platform/toolchain.cmake"
  cat >"$TB_TOOLCHAIN_FILE.tmp" <<EOF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $arch)
set(CMAKE_C_COMPILER "$TB_CC")
set(CMAKE_CXX_COMPILER "$TB_CXX")
set(CMAKE_AR "$TB_AR" CACHE FILEPATH "")
set(CMAKE_RANLIB "$TB_RANLIB" CACHE FILEPATH "")
set(CMAKE_C_FLAGS_INIT "$TB_CFLAGS")
set(CMAKE_CXX_FLAGS_INIT "$TB_CXXFLAGS")
set(CMAKE_C_FLAGS_RELEASE "" CACHE STRING "")
set(CMAKE_CXX_FLAGS_RELEASE "" CACHE STRING "")
set(CMAKE_FIND_ROOT_PATH "$cache/$platform/prefix")
set(CMAKE_PREFIX_PATH "$cache/$platform/prefix")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} "$cache/$platform/prefix/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
EOF
  if cmp -s "$TB_TOOLCHAIN_FILE.tmp" "$TB_TOOLCHAIN_FILE"; then
    rm -f "$TB_TOOLCHAIN_FILE.tmp"
  else
    mv "$TB_TOOLCHAIN_FILE.tmp" "$TB_TOOLCHAIN_FILE"
  fi
}
