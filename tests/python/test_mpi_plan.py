#!/usr/bin/python3
"""The MPI build's plan: `mpirun -np R supplymix plan ...` (each policy's
futures shared among the ranks, every rank solving the master) gives a
plan file identical, dataset by dataset, to a single-process plan; a stop
request (SIGUSR1 through mpirun) stops every rank at the same iteration
boundary with the checkpoint saved (every future's basis gathered to
rank 0), which 2 ranks and 1 rank resume to the same file; a plan on 2
ranks killed (SIGKILL to every rank) inside its first policy resumes on 2
ranks and on 1 rank, and one on 2 ranks stopped by SIGTERM to rank 1 only
(exit 3) resumes on 3 ranks, each to the same file, from the checkpoint
(rank 0 reads it and sends it to the others).

usage: test_mpi_plan.py SUPPLYMIX_MPI_BINARY
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

from sm_testing import check, finish, same_results as same
from test_plan_resume import wait_checkpoint, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "models", "rare_earths")
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]
# plan_quick's futures, fewer: 2 policies x 20 futures.
SWEEP = """name: plan_mpi
model: rare_earths
seed: 20270102
samples: 20
sampling: lhs
parameters:
  share.china_cap: {values: [0.4, 0.6]}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  availability.China.from: {dist: choice, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}
  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}
  price.Dy_oxide: {dist: lognormal, mu: 0.0, sigma: 0.22}
  price.Tb_oxide: {dist: lognormal, mu: 0.0, sigma: 0.42}
  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}
  delay.Ucore_Louisiana: {dist: triangular, low: 0, mode: 2, high: 6}
"""


def checkpoint_policy(path):
    """The policy whose checkpoint the file holds (None: none)."""
    with h5py.File(path, "r") as f:
        return int(f["plan_resume"].attrs["policy"]) if "plan_resume" in f else None


def resumes(plan, ref, out, what, runs, sweep=None):
    """Copies of the stopped plan out, each resumed on (ranks, threads) of
    runs, equal the uninterrupted plan ref."""
    ck = checkpoint_policy(out)
    for ranks, threads in runs:
        copy = f"{out[:-3]}_np{ranks}.h5"
        shutil.copy(out, copy)
        extra = {"on": sweep} if sweep else {}
        r = plan(ranks, copy, "--resume", "-j", str(threads), **extra)
        ok, diff = same(ref, copy)
        check(r.returncode == 0 and ok, f"{what}, resumed on {ranks} rank(s) x {threads} "
              f"thread(s): equals the uninterrupted plan {diff} ({r.stderr.strip()[-300:]})")
        check(ck is None or f"policy {ck + 1} goes on from its checkpoint" in r.stderr,
              f"{what}, resumed on {ranks} rank(s): policy {ck} went on from its checkpoint")
    return ck


def rank_pids(mpirun):
    """{rank: pid} of the processes mpirun started (its children)."""
    pids = {}
    kids = open(f"/proc/{mpirun.pid}/task/{mpirun.pid}/children").read().split()
    for pid in kids:
        try:
            env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        for e in env:
            if e.startswith(b"OMPI_COMM_WORLD_RANK="):
                pids[int(e.split(b"=")[1])] = int(pid)
    return pids


def start(exe, env, sweep, out, err_path, ranks, every="0"):
    """A plan on ranks ranks saving its checkpoint at most every `every` s."""
    err = open(err_path, "w")
    cmd = MPIRUN + ["-np", str(ranks), exe, "plan", MODEL, "--sweep", sweep, "-o", out,
                    "-j", "1"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err,
                         env=dict(env, SM_PLAN_CHECKPOINT_SECONDS=every))
    err.close()
    return p


def killed(exe, env, sweep, tmp, plan, ref):
    """SIGKILL to every rank of a 2-rank plan inside its first policy (a
    checkpoint saved): the file resumes on 2 ranks and on 1."""
    out, err = os.path.join(tmp, "killed.h5"), os.path.join(tmp, "killed.err")
    p = start(exe, env, sweep, out, err, 2)
    in_policy = wait_checkpoint(p, out)
    pids = rank_pids(p)
    for pid in pids.values():
        os.kill(pid, signal.SIGKILL)
    p.wait(timeout=120)
    check(in_policy and len(pids) == 2, f"SIGKILL to the 2 ranks ({pids}) after a checkpoint "
          f"({open(err).read().strip()[-300:]})")
    ck = resumes(plan, ref, out, "SIGKILL to 2 ranks", ((2, 1), (1, 1)))
    check(ck is not None, "SIGKILL to 2 ranks: the killed file held a checkpoint")


# The same futures with the policies' order such that the second one is
# the long one (a 45 % cap: about 160 iterations, 14 s on 2 threads; the
# 60 % cap first takes about 1 s): a signal sent 1 s into the second
# policy lands inside it however loaded the machine (with SWEEP's order the
# second policy took 0.9-4 s, and once ended before the signal came).
SWEEP_LONG_SECOND = SWEEP.replace("name: plan_mpi", "name: plan_mpi_long_second").replace(
    "{values: [0.4, 0.6]}", "{values: [0.6, 0.45]}")


def one_rank_signalled(exe, env, tmp, plan):
    """SIGTERM to rank 1 alone inside the second policy: every rank stops
    at the same boundary, rank 0 saves that boundary's checkpoint (though
    checkpoints are otherwise rate-limited to one an hour here, and rank 0
    got no signal), exit 3; 3 ranks resume it."""
    sweep = os.path.join(tmp, "plan_mpi_long_second.yaml")
    open(sweep, "w").write(SWEEP_LONG_SECOND)
    ref = os.path.join(tmp, "long_second.h5")
    r = plan(0, ref, "-j", "2", on=sweep)
    check(r.returncode == 0, f"single process, long second policy ({r.stderr.strip()[-300:]})")
    out, err = os.path.join(tmp, "rank1.h5"), os.path.join(tmp, "rank1.err")
    p = start(exe, env, sweep, out, err, 2, every="3600")
    second = wait_for(p, err, "policy 1/2")
    time.sleep(1.0)  # inside policy 2's decomposition (over 10 s)
    pids = rank_pids(p)
    if 1 in pids:
        os.kill(pids[1], signal.SIGTERM)
    rc = p.wait(timeout=300)
    text = open(err).read()
    check(second and rc == 3 and "--resume" in text and "up to its last iteration" in text,
          f"SIGTERM to rank 1 alone: exit 3 (got {rc}), policy 2 saved up to its last "
          f"iteration {text.strip()[-300:]}")
    ck = resumes(plan, ref, out, "SIGTERM to rank 1", ((3, 1),), sweep)
    check(ck == 1, f"SIGTERM to rank 1: the file held policy 2's checkpoint ({ck})")


def main(exe):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    with tempfile.TemporaryDirectory() as tmp:
        sweep = os.path.join(tmp, "plan_mpi.yaml")
        open(sweep, "w").write(SWEEP)

        def plan(ranks, out, *extra, on=sweep):
            cmd = [exe, "plan", MODEL, "--sweep", on, "-o", out] + list(extra)
            if ranks:
                cmd = MPIRUN + ["-np", str(ranks)] + cmd
            return subprocess.run(cmd, capture_output=True, text=True, env=env)

        ref = os.path.join(tmp, "single.h5")
        r = plan(0, ref, "-j", "2")
        check(r.returncode == 0, f"single process ({r.stderr.strip()[-300:]})")
        for ranks, threads in ((1, 2), (2, 1), (3, 1), (2, 2)):
            out = os.path.join(tmp, f"np{ranks}_j{threads}.h5")
            r = plan(ranks, out, "-j", str(threads))
            ok, diff = same(ref, out)
            check(r.returncode == 0 and ok,
                  f"mpirun -np {ranks} -j {threads} equals the single process {diff} "
                  f"({r.stderr.strip()[-300:]})")
            if ranks == 2 and threads == 1:
                check(r.stdout.count("policy 0 ") == 1, "only rank 0 prints the summary")

        # Stop through mpirun in the second policy (its checkpoint holds
        # every future's basis, gathered from the ranks); one process resumes.
        out = os.path.join(tmp, "stopped.h5")
        cmd = MPIRUN + ["-np", "3", exe, "plan", MODEL, "--sweep", sweep, "-o", out, "-j", "1"]
        p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                             env=dict(env, SM_PLAN_CHECKPOINT_SECONDS="0"))
        lines = []
        for line in p.stderr:
            lines.append(line)
            if "policy 1/2" in line:
                break
        p.send_signal(signal.SIGUSR1)
        err = "".join(lines) + p.communicate(timeout=300)[1]
        check(p.returncode == 3 and "--resume" in err,
              f"SIGUSR1 to mpirun: every rank stops, rank 0 saves (exit {p.returncode}) "
              f"{err.strip()[-300:]}")
        resumes(plan, ref, out, "SIGUSR1 to mpirun -np 3", ((1, 2),))
        killed(exe, env, sweep, tmp, plan, ref)
        one_rank_signalled(exe, env, tmp, plan)
    return finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
