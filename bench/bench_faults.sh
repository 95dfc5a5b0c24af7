#!/usr/bin/env bash
# Whole `supplymix run`s of the shipped sweeps, 1 and 2 threads: page
# faults (perf stat), CPU seconds and wall seconds, the least of ROUNDS
# runs; given a second build, the two are run in turn (A B A B ...) so that
# background load hits both alike, and their result files are compared to
# the bit (every dataset but solve_time) with h5py.
#
# usage: bench/bench_faults.sh BUILD [BASE_BUILD] [ROUNDS]   (ROUNDS default 5)
# needs: perf (linux-perf), /usr/bin/python3 with h5py
set -euo pipefail
new=${1:?usage: bench_faults.sh BUILD [BASE_BUILD] [ROUNDS]}
base=${2:-}
rounds=${3:-5}
builds=("$new")
[ -n "$base" ] && builds=("$base" "$new")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for r in $(seq 1 "$rounds"); do
  for b in "${builds[@]}"; do
    tag=$(echo "$b" | md5sum | cut -c1-8)
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
  tag=$(echo "$b" | md5sum | cut -c1-8)
  echo "$b:"
  awk '{ k = $1 " " $2 " " $3; if (!(k in m) || $4 < m[k]) m[k] = $4; if (!(k in s)) { s[k] = 1; o[n++] = k } }
       END { for (i = 0; i < n; i++) { split(o[i], a, " ");
             printf "  %-12s %s thread%s %-7s %s\n", a[1], a[2], a[2] == 1 ? " " : "s", a[3], m[o[i]] } }' \
    "$tmp/$tag.fig"
done
if [ -n "$base" ]; then
  ta=$(echo "$base" | md5sum | cut -c1-8)
  tb=$(echo "$new" | md5sum | cut -c1-8)
  for s in china_grid monte_carlo news quick; do
    for j in 1 2; do
      /usr/bin/python3 - "$tmp/$ta.$s.$j.h5" "$tmp/$tb.$s.$j.h5" "$s, $j thread(s)" <<'EOF'
import sys, h5py, numpy as np
a, b, what = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r"), sys.argv[3]
bad = []
def visit(name, obj):
    if isinstance(obj, h5py.Dataset) and not name.endswith("solve_time"):
        x, y = np.asarray(obj[()]), np.asarray(b[name][()])
        # numbers to the bit (NaN included); strings as values
        same = x.tobytes() == y.tobytes() if x.dtype.kind in "fiub" else np.array_equal(x, y)
        if x.shape != y.shape or not same:
            bad.append(name)
a.visititems(visit)
print(f"files of {what}: " + ("identical to the bit" if not bad else "DIFFER in " + ", ".join(bad)))
sys.exit(1 if bad else 0)
EOF
    done
  done
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
