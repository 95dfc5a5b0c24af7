#!/usr/bin/env bash
# Peak memory of `supplymix table` against the number of scenarios: it reads
# a results file a block at a time, so a 1,000,000-scenario file should need
# no more memory than a 10,000-scenario one (issue 14 asks within 10 %).
#
# usage: bench/bench_table.sh BUILD_DIR [SCENARIOS...]   (default: 10000 1000000)
# Each size is a summaries-only run of a grid of cheap scenarios (China's
# availability x cap x tariff, warm-started snake: about 80 s for a million
# on one core), made once in $SM_BENCH_DIR (default /tmp/sm_bench_table)
# and kept; then `table` writes every column to a CSV under GNU time -v.
set -euo pipefail
bin=$(readlink -f "$1/supplymix")
shift
sizes=("${@:-10000}")
[ $# -gt 0 ] || sizes=(10000 1000000)
dir=${SM_BENCH_DIR:-/tmp/sm_bench_table}
mkdir -p "$dir"
printf "%10s %12s %10s %14s %10s %10s\n" scenarios "file (MB)" "csv (MB)" "peak RSS (kB)" "wall (s)" "user (s)"
for n in "${sizes[@]}"; do
  # n = a x b x c grid points with a = b = 100 (c = n / 10^4) or a x b = n.
  if [ "$n" -ge 1000000 ] && [ $((n % 10000)) = 0 ]; then
    grid="  availability.China: {range: {from: 0, to: 1, steps: 100}}
  share.china_cap: {range: {from: 0.2, to: 1.0, steps: 100}}
  tariff.China: {range: {from: 0, to: 1.0, steps: $((n / 10000))}}"
  else
    grid="  availability.China: {range: {from: 0, to: 1, steps: 100}}
  share.china_cap: {range: {from: 0.2, to: 1.0, steps: $((n / 100))}}"
  fi
  h5="$dir/grid_$n.h5"
  if [ ! -f "$h5" ]; then
    printf "name: bench_table_%s\nparameters:\n%s\n" "$n" "$grid" > "$dir/grid_$n.yaml"
    "$bin" run --sweep "$dir/grid_$n.yaml" -o "$h5" --summaries-only -j1 2> "$dir/run_$n.log"
  fi
  /usr/bin/time -v "$bin" table "$h5" -o "$dir/grid_$n.csv" --force 2> "$dir/time_$n.log"
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$dir/time_$n.log")
  wall=$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$dir/time_$n.log")
  user=$(awk -F': ' '/User time/ {print $2}' "$dir/time_$n.log")
  printf "%10s %12.1f %10.1f %14s %10s %10s\n" "$n" "$(stat -c %s "$h5" | awk '{print $1 / 1e6}')" \
    "$(stat -c %s "$dir/grid_$n.csv" | awk '{print $1 / 1e6}')" "$rss" "$wall" "$user"
  rm -f "$dir/grid_$n.csv"
done
