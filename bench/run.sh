#!/usr/bin/env bash
# make bench: provider start-up, schema round trip and memory, next to a Go
# provider (bench/bench.py, which takes this script's arguments); then the
# cost of a stack of 1 and of 20 talentbase_service resources against the
# AWS emulator (bench/stack.py). Prints tables; never fails on a time, only
# when a benchmark could not run at all.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
py=$top/.venv/bin/python
[ -x "$py" ] || { echo "bench: $py missing: run scripts/bootstrap.sh" >&2; exit 1; }
rc=0
"$py" "$top/bench/bench.py" "$@" || rc=$?
echo
"$py" "$top/bench/stack.py" || rc=$?
exit "$rc"
