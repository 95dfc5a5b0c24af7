#!/usr/bin/env bash
# Time outside the simplex and time compressing (issue 15 item 3), by the
# program's own timers (sm_bench): the share of the warm solve loop spent
# outside sm_lp_solve (patching the LP, reading the solution back, filling
# the result row) and the share of thread time spent compressing result
# chunks (sm_results_pack), on china_grid and monte_carlo, 1 thread (and 2
# threads where the build prints it), with the CPU seconds of each sm_bench
# process. Given a second build (say of main) it runs both in turn, A B A B
# ..., so that background load hits both alike, and prints the least of
# the rounds for each figure.
#
# usage: bench/bench_outside.sh BUILD [BASE_BUILD] [ROUNDS]   (ROUNDS default 3)
set -euo pipefail
. "$(dirname "$0")/ab_builds.sh"
ab_args 3 "$@"

for r in $(seq 1 "$rounds"); do
  for b in "${builds[@]}"; do
    tag=$(ab_tag "$b")
    for s in china_grid monte_carlo; do
      /usr/bin/time -f "cpu %U %S" -o "$tmp/time" \
        "$b/sm_bench" --sweep "$s" --no-memory --cold-sample 1 > "$tmp/out" 2>&1
      {
        sed -n 's/.*in the simplex : [0-9.]* % of the solve loop; outside it: \([0-9.]*\) %.*/outside1 \1/p' "$tmp/out"
        sed -n 's/.*wall time *: [0-9]* % in solve loops, \([0-9]*\) % compressing.*/compress1 \1/p' "$tmp/out"
        sed -n 's/.*2 threads *: \([0-9.]*\) % of the solve loop outside the simplex, \([0-9]*\) % of thread time.*/outside2 \1\ncompress2 \2/p' "$tmp/out"
        sed -n 's/.*solve loop *: \([0-9.]*\) ms a scenario warm.*/loop_ms \1/p' "$tmp/out"
        awk '{printf "cpu_s %.2f\n", $2 + $3}' "$tmp/time"
      } | sed "s/^/$s /" >> "$tmp/$tag.$r"
    done
  done
done

# The least of the rounds for each figure (the least disturbed run).
report() {
  local b=$1 tag
  tag=$(ab_tag "$b")
  echo "$b:"
  cat "$tmp/$tag".* | awk '
    { k = $1 " " $2; if (!(k in min) || $3 < min[k]) min[k] = $3; if (!(k in seen)) { seen[k] = 1; order[n++] = k } }
    END { for (i = 0; i < n; i++) { split(order[i], a, " "); printf "  %-12s %-10s %s\n", a[1], a[2], min[order[i]] } }'
}
echo "least of $rounds interleaved rounds; outside1/compress1: 1 thread, outside2/compress2: 2 threads"
echo "(percent of the solve loop outside the simplex; percent of thread time compressing);"
echo "loop_ms: warm solve loop per scenario, 1 thread; cpu_s: CPU seconds of the whole sm_bench process"
for b in "${builds[@]}"; do report "$b"; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
