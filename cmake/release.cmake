# The static release build (TB_RELEASE=ON, run by scripts/release/build.sh):
# every library comes from the prefix scripts/release/deps.sh built for the
# target (TB_RELEASE_PREFIX, static archives compiled with zig cc for musl),
# with musl and zig's libc++ linked in: the executable needs no shared object
# and loads none. Defines what the development section of CMakeLists.txt
# defines from the system's packages: tb_lib_<name>, tb_grpc, tb_curl,
# MSGPACK_LIB, PROTOC_C and CURL_INCLUDE_DIRS.
if(NOT TB_RELEASE_PREFIX OR NOT EXISTS "${TB_RELEASE_PREFIX}/lib/libgrpc.a")
  message(FATAL_ERROR "TB_RELEASE needs TB_RELEASE_PREFIX, the prefix scripts/release/deps.sh "
                      "builds (got '${TB_RELEASE_PREFIX}')")
endif()
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_program(PROTOC_C protoc-c REQUIRED)

# tb_release_archives(var name...): the archives lib<name>.a of the prefix.
function(tb_release_archives var)
  set(archives)
  foreach(a ${ARGN})
    set(f "${TB_RELEASE_PREFIX}/lib/lib${a}.a")
    if(NOT EXISTS "${f}")
      message(FATAL_ERROR "${f} is missing: run scripts/release/deps.sh")
    endif()
    list(APPEND archives "${f}")
  endforeach()
  set(${var} ${archives} PARENT_SCOPE)
endfunction()

function(tb_release_lib name)
  tb_release_archives(archives ${ARGN})
  add_library(tb_lib_${name} INTERFACE)
  target_link_libraries(tb_lib_${name} INTERFACE ${archives} Threads::Threads)
  target_include_directories(tb_lib_${name} INTERFACE "${TB_RELEASE_PREFIX}/include")
endfunction()

tb_release_lib(openssl ssl crypto)
tb_release_lib(zlib z)
tb_release_lib(expat expat)
tb_release_lib(jansson jansson)
tb_release_lib(protobufc protobuf-c)
set(TB_LIB_openssl_STATIC ON)
tb_release_archives(MSGPACK_LIB msgpackc)
set(CURL_INCLUDE_DIRS "${TB_RELEASE_PREFIX}/include")
set(CURL_CFLAGS_OTHER -DCURL_STATICLIB)

add_library(tb_curl INTERFACE)
tb_release_archives(curl_archives curl)
target_link_libraries(tb_curl INTERFACE ${curl_archives} tb_lib_openssl tb_lib_zlib)

# gRPC C core and what it needs (abseil, re2, c-ares, upb), one link group;
# -lc++ is zig's libc++ (with libc++abi and libunwind), linked statically.
tb_release_archives(grpc_archives grpc upb address_sorting gpr re2 cares ssl crypto z)
file(GLOB absl_archives "${TB_RELEASE_PREFIX}/lib/libabsl_*.a")
list(SORT absl_archives)
add_library(tb_grpc INTERFACE)
target_link_libraries(tb_grpc INTERFACE "$<LINK_GROUP:RESCAN,${grpc_archives};${absl_archives}>"
                      Threads::Threads m -lc++)
target_include_directories(tb_grpc INTERFACE "${TB_RELEASE_PREFIX}/include")
message(STATUS "release build: static, dependencies from ${TB_RELEASE_PREFIX}")
