#!/usr/bin/env bash
# make bench: provider start-up, schema round trip and memory, next to a Go
# provider. Prints a table; never fails on a time. See bench/bench.py.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
py=$top/.venv/bin/python
[ -x "$py" ] || { echo "bench: $py missing: run scripts/bootstrap.sh" >&2; exit 1; }
exec "$py" "$top/bench/bench.py" "$@"
