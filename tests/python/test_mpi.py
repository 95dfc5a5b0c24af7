#!/usr/bin/python3
"""The MPI build (issue 5): `mpirun -np R supplymix run ... -j T` gives a
results file identical, dataset by dataset, to a single-process run; a
stop request (SIGUSR1, which mpirun forwards) saves what is done and
--resume with a different rank count finishes it to the same file.

usage: test_mpi.py SUPPLYMIX_MPI_BINARY
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]
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
        # linked_sweep.yaml: an event and rank correlations (Iman-Conover
        # over the whole sample), the same values on any rank count.
        linked = os.path.join(HERE, "..", "data", "linked_sweep.yaml")
        for sweep in ("quick", "monte_carlo", linked):
            name = os.path.basename(sweep)
            ref = os.path.join(tmp, f"{name}_single.h5")
            r = subprocess.run([exe, "run", "--sweep", sweep, "-o", ref, "-j", "2"],
                               capture_output=True, text=True, env=env)
            check(r.returncode == 0, f"{sweep}: single process ({r.stderr.strip()[-200:]})")
            for ranks, threads in ((2, 1), (3, 2)):
                out = os.path.join(tmp, f"{name}_np{ranks}.h5")
                t0 = time.monotonic()
                r = subprocess.run(MPIRUN + ["-np", str(ranks), exe, "run", "--sweep", sweep, "-o", out,
                                             "-j", str(threads)], capture_output=True, text=True, env=env)
                secs = time.monotonic() - t0
                ok, diff = same(ref, out)
                check(r.returncode == 0 and ok,
                      f"{sweep}: mpirun -np {ranks} -j {threads} ({secs:.1f} s) equals the single run {diff}")

        # Stop with SIGUSR1 through mpirun, resume on another rank count.
        ref = os.path.join(tmp, "monte_carlo_single.h5")
        out = os.path.join(tmp, "stopped.h5")
        p = subprocess.Popen(MPIRUN + ["-np", "2", exe, "run", "--sweep", "monte_carlo", "-o", out, "-j", "1"],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
        # Signal once rank 0 says the ranks are dealing out blocks (every
        # rank has its handlers by then; a fixed delay raced start-up on a
        # loaded machine, where a rank without them died of the signal).
        lines = []
        for line in p.stderr:
            lines.append(line)
            if "MPI ranks" in line:
                time.sleep(0.2)
                break
        p.send_signal(signal.SIGUSR1)
        err = "".join(lines) + p.communicate(timeout=60)[1]
        check(p.returncode != 0 and "interrupted" in err and "--resume" in err,
              f"SIGUSR1 to mpirun: the ranks stop and save (exit {p.returncode})")
        r = subprocess.run(MPIRUN + ["-np", "3", exe, "run", "--sweep", "monte_carlo", "-o", out, "-j", "1",
                                     "--resume"], capture_output=True, text=True, env=env)
        ok, diff = same(ref, out)
        check(r.returncode == 0 and ok, f"resumed with 3 ranks: equals the single run {diff}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
