#!/usr/bin/env bash
# A real Slurm on localhost (issue 5): starts munge, slurmctld and slurmd as
# root without systemd, submits the shipped array job over 4 slices of the
# `quick` sweep and its merge job (--dependency=afterok), waits for both,
# checks the merged file equals a single run dataset by dataset, and stops
# every daemon it started by its PID (jobs cancelled first).
#
# usage: tests/slurm/test_slurm.sh SUPPLYMIX [SUPPLYMIX_MPI]
# (as root; needs slurmctld, slurmd, slurm-client and munge, which
# scripts/setup.sh installs). With the MPI build's binary as the second
# argument it also runs the hybrid MPI job script.
set -euo pipefail
bin=$(readlink -f "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d /tmp/smslurm.XXXXXX)
chmod 755 "$work"
pids=()
t_start=$(date +%s.%N)

teardown() {
  local code=$?
  if [ -n "${SLURM_CONF:-}" ]; then
    scancel --user=root > /dev/null 2>&1 || true
    sleep 0.5
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
  done
  if [ "$code" != 0 ]; then
    echo "--- slurmctld.log"; tail -20 "$work/slurmctld.log" 2> /dev/null || true
    echo "--- slurmd.log"; tail -20 "$work/slurmd.log" 2> /dev/null || true
    for f in "$work"/jobs/*.log; do [ -e "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done
  fi
  t_end=$(date +%s.%N)
  echo "slurm test: daemons up to teardown in $(echo "$t_end - $t_start" | bc) s"
  rm -rf "$work"
  exit "$code"
}
trap teardown EXIT

# munge: its socket directory owned by munge, the daemon run as munge.
mkdir -p /run/munge && chown munge:munge /run/munge && chmod 755 /run/munge
setpriv --reuid=munge --regid=munge --clear-groups /usr/sbin/munged --foreground --force \
  > "$work/munged.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.1; done
munge -n | unmunge > /dev/null || { echo "munge does not work"; exit 1; }

# A minimal cluster: this machine, no accounting, no cgroups.
node=$(slurmd -C | head -1)
mkdir -p "$work/state" "$work/spool" "$work/jobs"
cat > "$work/slurm.conf" <<CONF
ClusterName=supplymix
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" > /dev/null 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" > /dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  sinfo -h -o %T 2> /dev/null | grep -qE "^idle" && break
  sleep 0.1
done
sinfo -h -o "%N %T %c" | grep -q idle || { echo "the node did not come up"; sinfo; exit 1; }
echo "slurm test: cluster up ($(sinfo -h -o '%N %c CPUs'))"

# The shipped job scripts: 4 array tasks, then the merge.
cd "$work/jobs"
export SUPPLYMIX="$bin"
out="$work/merged.h5"
line=$("$here/scripts/slurm/submit.sh" quick 4 "$work/shards" "$out" --time=00:05:00 \
  --output="$work/jobs/slice-%a.log" --cpus-per-task=1)
echo "slurm test: $line"
for _ in $(seq 600); do
  [ -z "$(squeue -h 2> /dev/null)" ] && break
  sleep 0.1
done
[ -z "$(squeue -h)" ] || { echo "jobs still queued:"; squeue; exit 1; }
ls "$work/shards"
[ -e "$out" ] || { echo "no merged file"; exit 1; }

# The merged file equals a single-machine run.
"$bin" run --sweep quick -o "$work/single.h5" -j 2 2> /dev/null
/usr/bin/python3 "$here/tests/python/compare_results.py" "$work/single.h5" "$out"
echo "slurm test: merged file of 4 array tasks equals the single run"

# With the MPI build given too: the hybrid job script, 2 ranks x 1 thread
# under srun --mpi=pmix, into one file equal to the single run.
if [ -n "${2:-}" ]; then
  mpi_bin=$(readlink -f "$2")
  job=$(SUPPLYMIX_MPI="$mpi_bin" SWEEP=quick OUT="$work/hybrid.h5" sbatch --parsable --export=ALL \
    --ntasks=2 --cpus-per-task=1 --time=00:05:00 --output="$work/jobs/hybrid.log" \
    "$here/scripts/slurm/hybrid_mpi.sbatch")
  for _ in $(seq 600); do
    [ -z "$(squeue -h 2> /dev/null)" ] && break
    sleep 0.1
  done
  [ -e "$work/hybrid.h5" ] || { echo "no file from the hybrid job $job:"; cat "$work/jobs/hybrid.log"; exit 1; }
  /usr/bin/python3 "$here/tests/python/compare_results.py" "$work/single.h5" "$work/hybrid.h5"
  echo "slurm test: hybrid MPI job (2 ranks under srun --mpi=pmix) equals the single run"
fi
