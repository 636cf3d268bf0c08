#!/usr/bin/env bash
# Fails when a function in provider/ is longer than MAX_LINES lines or has a
# cyclomatic complexity above MAX_CCN, unless .complexity-allowlist names it
# (file:function followed by the reason).
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_LINES=${MAX_LINES:-60}
MAX_CCN=${MAX_CCN:-15}
allow=.complexity-allowlist
files=$(git ls-files 'provider/*.c'; git ls-files --others --exclude-standard 'provider/*.c')
[ -n "$files" ] || exit 0
# pmccabe columns: modified-ccn ccn statements first-line lines file(line): function
pmccabe $files | awk -v maxl="$MAX_LINES" -v maxc="$MAX_CCN" -v allowf="$allow" '
  BEGIN { while ((getline line < allowf) > 0) { split(line, p, " "); if (p[1] !~ /^#/) ok[p[1]] = 1 } }
  {
    split($6, loc, "("); file = loc[1]; fn = $7
    if (($2 > maxc || $5 > maxl) && !((file ":" fn) in ok)) {
      printf "%s:%s: %d lines, complexity %d (limits %d, %d)\n", file, fn, $5, $2, maxl, maxc
      bad = 1
    }
  }
  END { exit bad }'
