#!/usr/bin/env bash
# The share of the solve loop outside the simplex by perf, not by the
# program's wall-clock timers: CPU-clock samples with call graphs of
# `supplymix run --sweep china_grid -j 1`, the children of solve_block
# against those of sm_lp_solve. Samples count only the process's own CPU,
# so other jobs on the machine move the figure far less than they move
# sm_bench's timers. Given a second build it runs both in turn, A B A B.
#
# usage: bench/bench_outside_share.sh BUILD [BASE_BUILD] [ROUNDS]   (ROUNDS default 3)
set -euo pipefail
. "$(dirname "$0")/ab_builds.sh"
ab_args 3 "$@"
echo "percent of solve_block's samples outside sm_lp_solve (fill: the result row and its read-out, load: the patch)"
for r in $(seq 1 "$rounds"); do
  for b in "${builds[@]}"; do
    perf record -F 4000 --call-graph dwarf,16384 -o "$tmp/perf.data" \
      "$b/supplymix" run --sweep china_grid -o "$tmp/out.h5" -j 1 --force > /dev/null 2>&1
    perf report -i "$tmp/perf.data" --children --sort symbol 2> /dev/null | awk -v b="$b" '
      / \[\.\] solve_block / && !sb { sb = $1 + 0 }
      / \[\.\] sm_lp_solve / && !ls { ls = $1 + 0 }
      / \[\.\] (fill_row|sm_block_fill_row) / && !fr { fr = $1 + 0 }
      / \[\.\] load_scenario / && !ld { ld = $1 + 0 }
      END { printf "%s: outside %.1f %% (solve_block %.1f, sm_lp_solve %.1f, fill %.1f, load %.1f %% of all samples)\n",
                   b, 100 * (sb - ls) / sb, sb, ls, fr, ld }'
  done
done
