#!/bin/bash
# Submit a sliced sweep and its merge: N array tasks, then one merge job
# that starts only when every task has succeeded.
#
#   scripts/slurm/submit.sh SWEEP SLICES OUTDIR OUT.h5 [sbatch options for the array...]
#   e.g. scripts/slurm/submit.sh monte_carlo 16 $SCRATCH/mc $HOME/mc.h5 --time=02:00:00
#
# Prints the two job ids. SUPPLYMIX (the binary) and MODEL pass through.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sweep=$1 slices=$2 outdir=$3 out=$4
shift 4
export SWEEP="$sweep" OUTDIR="$outdir" OUT="$out"
array=$(sbatch --parsable --array=0-$((slices - 1)) --export=ALL "$@" "$here/sweep_array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes --export=ALL \
  "$here/merge.sbatch")
echo "array job $array ($slices slices of $sweep into $outdir), merge job $merge (into $out)"
