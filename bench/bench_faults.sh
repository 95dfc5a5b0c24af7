#!/usr/bin/env bash
# Whole `supplymix run`s of the shipped sweeps, 1 and 2 threads: page
# faults (perf stat), CPU seconds and wall seconds, the least of ROUNDS
# runs; given a second build, the two are run in turn (A B A B ...) so that
# background load hits both alike, and their result files are compared to
# the bit (every dataset but the timings) by tests/python/compare_results.py.
#
# usage: bench/bench_faults.sh BUILD [BASE_BUILD] [ROUNDS]   (ROUNDS default 5)
# needs: perf (linux-perf), /usr/bin/python3 with h5py
set -euo pipefail
. "$(dirname "$0")/ab_builds.sh"
ab_args 5 "$@"

for r in $(seq 1 "$rounds"); do
  for b in "${builds[@]}"; do
    tag=$(ab_tag "$b")
    for s in china_grid monte_carlo news quick; do
      for j in 1 2; do
        out="$tmp/$tag.$s.$j.h5"
        rm -f "$out"
        perf stat -x, -e page-faults,task-clock -o "$tmp/stat" \
          "$b/supplymix" run --sweep "$s" -j "$j" -o "$out" > /dev/null 2>&1
        start=$(date +%s.%N)
        rm -f "$out.wall"
        "$b/supplymix" run --sweep "$s" -j "$j" -o "$out.wall" > /dev/null 2>&1
        wall=$(echo "$(date +%s.%N) - $start" | bc)
        rm -f "$out.wall"
        awk -F, -v k="$s $j" -v w="$wall" '
          $3 == "page-faults" { f = $1 } $3 == "task-clock" { c = $1 / 1000 }
          END { printf "%s faults %d\n%s cpu_s %.3f\n%s wall_s %.3f\n", k, f, k, c, k, w }' \
          "$tmp/stat" >> "$tmp/$tag.fig"
      done
    done
  done
done

echo "least of $rounds interleaved rounds of supplymix run; faults: page faults of the process;"
echo "cpu_s: task-clock of the process; wall_s: a second run's wall time (no perf)"
for b in "${builds[@]}"; do
  tag=$(ab_tag "$b")
  echo "$b:"
  awk '{ k = $1 " " $2 " " $3; if (!(k in m) || $4 < m[k]) m[k] = $4; if (!(k in s)) { s[k] = 1; o[n++] = k } }
       END { for (i = 0; i < n; i++) { split(o[i], a, " ");
             printf "  %-12s %s thread%s %-7s %s\n", a[1], a[2], a[2] == 1 ? " " : "s", a[3], m[o[i]] } }' \
    "$tmp/$tag.fig"
done
if [ -n "$base" ]; then
  ta=$(ab_tag "$base")
  tb=$(ab_tag "$new")
  for s in china_grid monte_carlo news quick; do
    for j in 1 2; do
      # every dataset to the bit but the wall-clock timings, which the
      # files mark as differing between identical runs
      if ! diffs=$(/usr/bin/python3 "$(dirname "$0")/../tests/python/compare_results.py" \
        "$tmp/$ta.$s.$j.h5" "$tmp/$tb.$s.$j.h5"); then
        printf 'files of %s, %s thread(s): DIFFER\n%s\n' "$s" "$j" "$diffs"
        exit 1
      fi
      echo "files of $s, $j thread(s): identical to the bit"
    done
  done
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
