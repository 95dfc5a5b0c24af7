#!/usr/bin/python3
"""The MPI build's plan: `mpirun -np R supplymix plan ...` (each policy's
futures shared among the ranks, every rank solving the master) gives a
plan file identical, dataset by dataset, to a single-process plan; a stop
request (SIGUSR1 through mpirun) stops every rank at the same iteration
boundary with the checkpoint saved (every future's basis gathered to
rank 0), which one process resumes to the same file; --resume on several
ranks is refused.

usage: test_mpi_plan.py SUPPLYMIX_MPI_BINARY
"""
import os
import signal
import subprocess
import sys
import tempfile

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
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def same(a, b):
    r = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), a, b],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stdout.strip().splitlines()[-1:]


def main(exe):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    with tempfile.TemporaryDirectory() as tmp:
        sweep = os.path.join(tmp, "plan_mpi.yaml")
        open(sweep, "w").write(SWEEP)

        def plan(ranks, out, *extra):
            cmd = [exe, "plan", MODEL, "--sweep", sweep, "-o", out] + list(extra)
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
        r = plan(2, out, "--resume")
        check(r.returncode == 2 and "one process" in r.stderr,
              f"--resume on 2 ranks refused with exit 2 ({r.returncode}: {r.stderr.strip()[-200:]})")
        r = plan(1, out, "--resume", "-j", "2")
        ok, diff = same(ref, out)
        check(r.returncode == 0 and ok, f"resumed on one rank: equals the single process {diff} "
                                        f"({r.stderr.strip()[-300:]})")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
