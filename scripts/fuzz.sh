#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ (clang, ASan+UBSan) into
# build-fuzz/ and runs each one: first its seed corpus and regression inputs
# once (any crash or leak fails), then fuzzing for FUZZ_SECONDS.
#
#   scripts/fuzz.sh [target...]          # all targets by default
#   FUZZ_SECONDS=600 scripts/fuzz.sh cty_msgpack
#
# Environment: FUZZ_SECONDS (default 60; 0 only replays), FUZZ_BUILD (default
# build-fuzz), FUZZ_ARGS (more libFuzzer options). Inputs found while fuzzing
# go to $FUZZ_BUILD/corpus/<target>/ (kept between runs, never into the repo);
# a crashing input is written to $FUZZ_BUILD/artifacts/<target>/. One summary
# line per target: executions, executions per second, corpus size.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)

say() { printf 'fuzz: %s\n' "$*" >&2; }

cc=$(command -v clang-14 || command -v clang || true)
[ -n "$cc" ] || { say "clang is missing: run BOOTSTRAP_FUZZ=1 scripts/bootstrap.sh"; exit 1; }
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=$cc cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTB_FUZZ=ON >/dev/null
else
  cmake -S . -B "$build" >/dev/null
fi
cmake --build "$build" --target fuzz -j"$jobs" -- --no-print-directory >"$build/fuzz-build.log" 2>&1 || {
  grep -E 'error|warning' "$build/fuzz-build.log" | head -50 || true
  say "build failed: full log in $build/fuzz-build.log"
  exit 1
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/fuzz_*.c; do
    n=$(basename "$src" .c)
    targets+=("${n#fuzz_}")
  done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  seeds=tests/fuzz/$t/corpus
  regress=tests/fuzz/$t/regressions
  work=$build/corpus/$t
  art=$build/artifacts/$t
  log=$build/fuzz-$t.log
  [ -x "$bin" ] || { say "no target $t"; failed=1; continue; }
  mkdir -p "$work" "$art"
  inputs=()
  for d in "$seeds" "$regress"; do
    [ -d "$d" ] && while IFS= read -r f; do inputs+=("$f"); done < <(find "$d" -type f | sort)
  done
  if [ ${#inputs[@]} -gt 0 ] && ! "$bin" -artifact_prefix="$art/" "${inputs[@]}" >"$log" 2>&1; then
    tail -40 "$log"
    say "$t: a seed or regression input fails (log: $log)"
    failed=1
    continue
  fi
  if [ "$seconds" -gt 0 ]; then
    dirs=("$work")
    for d in "$seeds" "$regress"; do [ -d "$d" ] && dirs+=("$d"); done
    start=$SECONDS
    # shellcheck disable=SC2086
    if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" ${FUZZ_ARGS:-} "${dirs[@]}" >"$log" 2>&1; then
      tail -60 "$log"
      say "$t: FAILED (log: $log; input in $art/)"
      failed=1
      continue
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    say "$t: ${execs:-?} executions in $((SECONDS - start))s (${rate:-?}/s), corpus $(find "$work" -type f | wc -l) new + ${#inputs[@]} in the repo, no crash, no leak"
  else
    say "$t: ${#inputs[@]} seed and regression inputs replayed, no crash, no leak"
  fi
done
exit $failed
