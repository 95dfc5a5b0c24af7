#!/usr/bin/env bash
# The cost of `run --ranging` (issue 13): wall seconds of `supplymix run`
# with and without it on china_grid and monte_carlo, 1 and 2 threads, best
# of 3 each; then the directional savings of china_grid scenario 11762 and
# N (default 200) sampled scenarios checked against glpsol at share +-0.01
# (tests/python/test_ranging.py).
# usage: bench/bench_ranging.sh BUILD_DIR [N]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${2:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A copy, so a rebuild while this runs changes nothing.
cp "$1/supplymix" "$tmp/supplymix"
exe=$tmp/supplymix

best() {   # best wall seconds of 3 runs of: supplymix run ARGS...
  local b=
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N)
    "$exe" run "$@" -o "$tmp/r.h5" --force 2> /dev/null
    t1=$(date +%s.%N)
    b=$(echo "$t1 - $t0" | bc -l | awk -v b="$b" '{ print (b == "" || $1 < b) ? $1 : b }')
  done
  printf '%.2f' "$b"
}

printf '| sweep | threads | without --ranging, s | with --ranging, s | ratio |\n|---|---|---|---|---|\n'
for sweep in china_grid monte_carlo; do
  for j in 1 2; do
    a=$(best --sweep "$sweep" -j "$j")
    b=$(best --sweep "$sweep" -j "$j" --ranging)
    printf '| %s | %s | %s | %s | %.1f× |\n' "$sweep" "$j" "$a" "$b" "$(echo "$b / $a" | bc -l)"
  done
done
/usr/bin/python3 "$here/tests/python/test_ranging.py" "$exe" "$n" > "$tmp/check.txt" || true
grep -E "^scenario 11762:|failure" "$tmp/check.txt"
grep -c "^ok:" "$tmp/check.txt" | sed 's/$/ checks passed/'
grep "^FAIL" "$tmp/check.txt" || true
