#!/usr/bin/env bash
# Ranks x threads on this machine: wall time and rate of `supplymix run`
# (the MPI build) on the shipped sweeps, for each layout, best of 3 runs.
#
# usage: bench/scaling.sh MPI_BUILD_DIR [SWEEP...]   (default: monte_carlo china_grid)
# Layouts past the machine's cores are oversubscribed, shown for the
# shape of the curve only.
set -euo pipefail
bin=$(readlink -f "$1/supplymix")
shift
sweeps=("${@:-monte_carlo}")
[ $# -gt 0 ] || sweeps=(monte_carlo china_grid)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%-12s %6s %8s %10s %14s\n" sweep ranks threads "wall (s)" "scenarios/s"
for sweep in "${sweeps[@]}"; do
  for layout in "1 1" "1 2" "2 1" "2 2" "3 1"; do
    set -- $layout
    best=
    for rep in 1 2 3; do
      t0=$(date +%s.%N)
      if [ "$1" = 1 ]; then
        "$bin" run --sweep "$sweep" -o "$tmp/out.h5" -j "$2" --force 2> "$tmp/log"
      else
        mpirun --oversubscribe -np "$1" "$bin" run --sweep "$sweep" -o "$tmp/out.h5" -j "$2" --force 2> "$tmp/log"
      fi
      t=$(echo "$(date +%s.%N) - $t0" | bc)
      if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    done
    n=$(grep -oE "[0-9]+ scenarios in" "$tmp/log" | head -1 | cut -d' ' -f1)
    printf "%-12s %6s %8s %10.2f %14.0f\n" "$sweep" "$1" "$2" "$best" "$(echo "$n / $best" | bc -l)"
  done
done
