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

best() {   # "wall cpu": the least of 3 runs of `supplymix run ARGS...` each (GNU time)
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %U %S' -o "$tmp/t" "$exe" run "$@" -o "$tmp/r.h5" --force 2> /dev/null
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$tmp/t"
  done | sort -n -k2 | head -1
}

# CPU seconds (user + system) are what ranging adds; wall seconds follow
# the machine's load.
printf '| sweep | threads | without --ranging: wall, CPU s | with --ranging: wall, CPU s | CPU ratio |\n'
printf '|---|---|---|---|---|\n'
for sweep in china_grid monte_carlo; do
  for j in 1 2; do
    read -r aw ac < <(best --sweep "$sweep" -j "$j")
    read -r bw bc < <(best --sweep "$sweep" -j "$j" --ranging)
    printf '| %s | %s | %s, %s | %s, %s | %.1f× |\n' "$sweep" "$j" "$aw" "$ac" "$bw" "$bc" \
      "$(echo "$bc / $ac" | bc -l)"
  done
done
/usr/bin/python3 "$here/tests/python/test_ranging.py" "$exe" "$n" > "$tmp/check.txt" || true
grep -E "^scenario 11762:|failure" "$tmp/check.txt"
grep -c "^ok:" "$tmp/check.txt" | sed 's/$/ checks passed/'
grep "^FAIL" "$tmp/check.txt" || true
