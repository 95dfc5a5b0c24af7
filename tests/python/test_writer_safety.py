#!/usr/bin/python3
"""Writers and outputs (issue 10, rows 2-5 and 13-16, and the decisions on
SIGHUP, symbolic links, OMP_NUM_THREADS lists and 10^9-scenario runs), end
to end with the real program:

- outputs: --force never replaces a device (a private node like
  /dev/null, never the system's), a FIFO or a directory, nor an input of
  the run (a table, model.yaml, the sweep, by a hard link too), nor a
  symbolic link (refused, link and target untouched);
- one writer: while a run writes OUT.h5, merge --force, repair, --resume
  and a second run --force are refused naming the holder's PID, and the
  run ends complete; of two runs started together on the same file one
  is refused and the other's file is whole;
- signals: SIGTERM, SIGUSR1, SIGHUP and SIGINT during the start-up of a
  10^9-scenario run (after its warning) end in exit code 3 with no file,
  partial file or lock left; SIGHUP mid-run stops it like SIGTERM, and
  --resume finishes it; a closed stderr pipe (`2>&1 | head -c 10`) does not
  kill the run, whose file ends complete;
- slices: empty slices say so, solve nothing and make shards that merge
  accepts (the merge equals a whole run); slice numbers out of range or
  malformed are refused with exit code 2 naming --slice;
- OMP_NUM_THREADS=4,2 runs with 4 threads.

usage: test_writer_safety.py SUPPLYMIX
"""
import glob
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

import h5py
from sm_testing import check, finish, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "models")


def same(a, b):
    r = run([sys.executable, os.path.join(HERE, "compare_results.py"), a, b])
    return r.returncode == 0


def n_complete(path):
    with h5py.File(path, "r", swmr=True) as f:
        c = f["complete"][:]
        return int(c.sum()), len(c)


def leftovers(tmp, name):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(tmp, name + "*")))


def wait_for(path, timeout=10):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.005)
    return os.path.exists(path)


def wait_for_progress(path, timeout=60):
    """Until the run at path has saved its first block (not a fixed sleep:
    a sanitizer build takes many times longer to get there)."""
    deadline = time.monotonic() + timeout
    wait_for(path, timeout)
    while time.monotonic() < deadline:
        try:
            if n_complete(path)[0] > 0:
                return
        except (OSError, KeyError):
            pass  # the writer is still setting the file up
        time.sleep(0.005)


def outputs(exe, tmp):
    model = os.path.join(tmp, "model")
    shutil.copytree(os.path.join(MODELS, "rare_earths"), model)
    before = {n: open(os.path.join(model, n), "rb").read()
              for n in ("model.yaml", "suppliers.csv", "demand.csv")}
    sweep = os.path.join(model, "sweeps", "quick.yaml")
    sweep_text = open(sweep, "rb").read()

    # A device: a private node like /dev/null (1, 3), so that a program
    # that replaces it (the bug this checks) never breaks the system's.
    dev = os.path.join(tmp, "null")
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as e:
        dev = None
        print(f"skip: no device node check: cannot mknod ({e}); the FIFO check stands in")
    if dev:
        r = run([exe, "run", "--sweep", "quick", "-o", dev, "--force"])
        check(r.returncode == 2 and stat.S_ISCHR(os.lstat(dev).st_mode)
              and "character device" in r.stderr,
              f"-o NULL_DEVICE --force refused (exit {r.returncode}), still a device")
    fifo = os.path.join(tmp, "fifo.h5")
    os.mkfifo(fifo)
    r = run([exe, "run", "--sweep", "quick", "-o", fifo, "--force"])
    check(r.returncode == 2 and stat.S_ISFIFO(os.lstat(fifo).st_mode) and "FIFO" in r.stderr,
          f"a FIFO output refused (exit {r.returncode}), still a FIFO")
    d = os.path.join(tmp, "dir.h5")
    os.mkdir(d)
    r = run([exe, "run", "--sweep", "quick", "-o", d, "--force"])
    check(r.returncode == 2 and os.path.isdir(d), f"a directory output refused (exit {r.returncode})")

    for name in ("suppliers.csv", "demand.csv", "model.yaml"):
        r = run([exe, "run", model, "--sweep", "quick", "-o", os.path.join(model, name), "--force"])
        check(r.returncode == 2 and "input of this run" in r.stderr
              and open(os.path.join(model, name), "rb").read() == before[name],
              f"-o MODEL/{name} --force refused (exit {r.returncode}), the input unchanged")
    r = run([exe, "run", model, "--sweep", sweep, "-o", sweep, "--force"])
    check(r.returncode == 2 and open(sweep, "rb").read() == sweep_text,
          f"the sweep file as output refused (exit {r.returncode}), unchanged")
    hard = os.path.join(tmp, "hardlink.h5")
    os.link(os.path.join(model, "demand.csv"), hard)
    r = run([exe, "run", model, "--sweep", "quick", "-o", hard, "--force"])
    check(r.returncode == 2 and open(hard, "rb").read() == before["demand.csv"],
          f"a hard link to an input refused as output (exit {r.returncode})")

    # Decision: --force on a symbolic link is refused; link and target stay.
    target = os.path.join(tmp, "target.h5")
    r = run([exe, "run", "--sweep", "quick", "-o", target, "-j", "2"])
    link = os.path.join(tmp, "link.h5")
    os.symlink(target, link)
    data = open(target, "rb").read()
    r = run([exe, "run", "--sweep", "quick", "-o", link, "--force", "-j", "2"])
    check(r.returncode == 2 and os.path.islink(link) and "symbolic link" in r.stderr
          and open(target, "rb").read() == data,
          f"--force on a symbolic link refused (exit {r.returncode}), link and target untouched")
    return target  # a complete run of quick, the reference


def medium_sweep(tmp):
    """monte_carlo cut to 3,000 scenarios: long enough to overlap, quick to run."""
    text = open(os.path.join(MODELS, "rare_earths", "sweeps", "monte_carlo.yaml")).read()
    path = os.path.join(tmp, "medium.yaml")
    with open(path, "w") as f:
        f.write(text.replace("name: monte_carlo", "name: medium")
                .replace("samples: 10000", "samples: 3000"))
    return path


def one_writer(exe, tmp, med, ref_med):
    out = os.path.join(tmp, "busy.h5")
    shard = os.path.join(tmp, "shard.h5")
    r = run([exe, "run", "--sweep", "quick", "-o", shard, "--slice", "0/2", "-j", "2"])
    p = subprocess.Popen([exe, "run", "--sweep", "monte_carlo", "-o", out, "-j", "1"],
                         stderr=subprocess.PIPE, text=True)
    wait_for(out)
    time.sleep(0.2)
    pid = f"PID {p.pid}"
    tries = {
        "merge --force": [exe, "merge", "--force", out, shard],
        "merge": [exe, "merge", out, shard],
        "repair": [exe, "repair", out],
        "run --resume": [exe, "run", "--sweep", "monte_carlo", "-o", out, "--resume"],
        "run --force": [exe, "run", "--sweep", "monte_carlo", "-o", out, "--force"],
    }
    for what, cmd in tries.items():
        r = run(cmd)
        check(r.returncode == 2 and pid in r.stderr and "another supplymix process" in r.stderr,
              f"{what} while a run writes the file: refused, naming {pid} (exit {r.returncode}: "
              f"{r.stderr.strip()[-160:]})")
    p.wait(timeout=120)
    p.stderr.read()
    done, total = n_complete(out)
    check(p.returncode == 0 and done == total and not os.path.exists(out + ".lock"),
          f"the run finished undisturbed ({done} of {total} scenarios), its lock gone")

    # Two runs with --force on the same file, started together.
    same_h5 = os.path.join(tmp, "same.h5")
    procs = [subprocess.Popen([exe, "run", "--sweep", med, "-o", same_h5, "--force",
                               "-j", "1"], stderr=subprocess.PIPE, text=True) for _ in range(2)]
    codes, errs = [], []
    for q in procs:
        errs.append(q.communicate(timeout=120)[1])
        codes.append(q.returncode)
    refused = [e for c, e in zip(codes, errs) if c == 2 and "another supplymix process" in e]
    check(sorted(codes) == [0, 2] and len(refused) == 1 and same(ref_med, same_h5),
          f"two runs --force on one file: one refused, the other's file whole (exits {codes})")


def big_sweep(tmp):
    path = os.path.join(tmp, "big.yaml")
    with open(path, "w") as f:
        f.write("name: big\nmodel: rare_earths\nseed: 1\nsamples: 1000000000\nsampling: random\n"
                "parameters:\n  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}\n")
    return path


def signals(exe, tmp, med, ref_med):
    sweep = big_sweep(tmp)
    for sig in (signal.SIGTERM, signal.SIGUSR1, signal.SIGHUP, signal.SIGINT):
        out = os.path.join(tmp, f"startup{int(sig)}.h5")
        p = subprocess.Popen([exe, "run", "--sweep", sweep, "-o", out, "-j", "1",
                              "--summaries-only"], stderr=subprocess.PIPE, text=True)
        first = p.stderr.readline()  # the 10^9 warning: start-up is under way
        time.sleep(0.3)
        t0 = time.monotonic()
        p.send_signal(sig)
        rest = p.stderr.read()
        p.wait(timeout=60)
        secs = time.monotonic() - t0
        check("warning: 1000000000 scenarios" in first,
              f"{sig.name}: a 10^9-scenario run warns before it starts")
        check(p.returncode == 3 and secs < 5 and leftovers(tmp, os.path.basename(out)) == [],
              f"{sig.name} during start-up: exit {p.returncode} (want 3) in {secs:.2f} s, left "
              f"{leftovers(tmp, os.path.basename(out))} (want nothing) {rest.strip()[-120:]}")

    # Two Ctrl-C during start-up: the second exits at once, and still
    # removes the file being set up.
    out = os.path.join(tmp, "startup_twice.h5")
    p = subprocess.Popen([exe, "run", "--sweep", sweep, "-o", out, "-j", "1", "--summaries-only"],
                         stderr=subprocess.PIPE, text=True)
    p.stderr.readline()
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=60)
    check(p.returncode == 3 and leftovers(tmp, os.path.basename(out)) == [],
          f"two Ctrl-C during start-up: exit {p.returncode} (want 3), left "
          f"{leftovers(tmp, os.path.basename(out))} (want nothing)")

    # SIGHUP mid-run: like SIGTERM, then --resume finishes the same file.
    out = os.path.join(tmp, "hup.h5")
    p = subprocess.Popen([exe, "run", "--sweep", med, "-o", out, "-j", "1"],
                         stderr=subprocess.PIPE, text=True)
    wait_for_progress(out)
    p.send_signal(signal.SIGHUP)
    err = p.communicate(timeout=60)[1]
    done, total = n_complete(out) if os.path.exists(out) else (0, 0)
    check(p.returncode == 3 and 0 < done < total and "--resume" in err,
          f"SIGHUP mid-run: exit {p.returncode} (want 3), {done} of {total} scenarios saved")
    r = run([exe, "run", "--sweep", med, "-o", out, "-j", "2", "--resume"])
    check(r.returncode == 0 and same(ref_med, out), "after SIGHUP, --resume ends identical to an "
                                                   "uninterrupted run")

    # A closed pipe on stderr: progress lines dropped, the run completes.
    out = os.path.join(tmp, "pipe.h5")
    env = dict(os.environ, SM_PROGRESS_SECONDS="0")
    p = subprocess.Popen([exe, "run", "--sweep", med, "-o", out, "-j", "2"],
                         stderr=subprocess.PIPE, env=env)
    p.stderr.read(10)
    p.stderr.close()  # `2>&1 | head -c 10`
    p.wait(timeout=120)
    done, total = n_complete(out) if os.path.exists(out) else (0, 1)
    check(p.returncode == 0 and done == total and same(ref_med, out),
          f"stderr a closed pipe: exit {p.returncode} (want 0, not 141 = SIGPIPE), "
          f"{done} of {total} scenarios complete")


def slices(exe, tmp, ref_quick):
    # quick: 1,000 scenarios in blocks (16 of 63 by default); four slices
    # more than blocks leave four empty.
    with h5py.File(ref_quick, "r") as f:
        nb = -(-int(f.attrs["n_scenarios"]) // int(f.attrs["block_size"]))
    n = nb + 4
    shards, empty = [], []
    for k in range(n):
        out = os.path.join(tmp, f"q{k}.h5")
        t0 = time.monotonic()
        r = run([exe, "run", "--sweep", "quick", "-o", out, "--slice", f"{k}/{n}", "-j", "2"])
        secs = time.monotonic() - t0
        shards.append(out)
        if "is empty: nothing to solve" in r.stderr:
            done, total = n_complete(out)
            empty.append(k)
            check(r.returncode == 0 and done == 0 and "18446744073709551615" not in r.stderr,
                  f"slice {k}/{n} of a {nb}-block sweep: empty, says so, solves nothing ({secs:.2f} s)")
    check(len(empty) == 4, f"4 of {n} slices of a {nb}-block sweep are empty (found {empty})")
    merged = os.path.join(tmp, "merged.h5")
    r = run([exe, "merge", merged] + shards)
    check(r.returncode == 0 and same(ref_quick, merged),
          f"merge accepts the empty shards; the merge equals a whole run (exit {r.returncode})")

    out = os.path.join(tmp, "bad_slice.h5")
    for arg in ("0/99999999999", "0/4294967297", "1/4294967297", "-1/4", "4/4", "1/0",
                " 1/4", "1/4x", "1/", "/4", "18446744073709551617/4"):
        r = run([exe, "run", "--sweep", "quick", "-o", out, "--slice", arg])
        check(r.returncode == 2 and "--slice" in r.stderr and not os.path.exists(out),
              f"--slice '{arg}' refused with exit 2 naming --slice (exit {r.returncode})")
    env = dict(os.environ, SLURM_ARRAY_TASK_ID="0", SLURM_ARRAY_TASK_COUNT="4294967297")
    r = run([exe, "run", "--sweep", "quick", "-o", out, "--slice", "slurm"], env=env)
    check(r.returncode == 2 and "--slice" in r.stderr and not os.path.exists(out),
          f"--slice slurm with SLURM_ARRAY_TASK_COUNT=4294967297 refused (exit {r.returncode})")


def threads(exe, tmp, ref_quick):
    out = os.path.join(tmp, "omp.h5")
    env = dict(os.environ, OMP_NUM_THREADS="4,2")
    r = run([exe, "run", "--sweep", "quick", "-o", out], env=env)
    check(r.returncode == 0 and "4 threads" in r.stderr and same(ref_quick, out),
          f"OMP_NUM_THREADS=4,2 (nested levels) runs on 4 threads (exit {r.returncode})")
    env = dict(os.environ, OMP_NUM_THREADS="4x")
    r = run([exe, "run", "--sweep", "quick", "-o", out + "2"], env=env)
    check(r.returncode == 2 and "OMP_NUM_THREADS" in r.stderr,
          f"OMP_NUM_THREADS=4x still refused (exit {r.returncode})")


def dead_partials(exe, tmp, ref_quick):
    """A writer SIGKILLed before its rename leaves OUT.partial-PID behind:
    the next writer of OUT removes those of dead PIDs (saying so) and
    leaves a live PID's alone."""
    out = os.path.join(tmp, "leftover.h5")
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead, live = f"{out}.partial-{gone.pid}", f"{out}.partial-{os.getpid()}"
    for p in (dead, live):
        with open(p, "wb") as f:
            f.write(b"\0" * 4096)
    r = run([exe, "run", "--sweep", "quick", "-o", out, "-j", "2"])
    check(r.returncode == 0 and same(ref_quick, out) and not os.path.exists(dead)
          and os.path.exists(live) and f"PID {gone.pid}" in r.stderr,
          f"a dead writer's {os.path.basename(dead)} is removed, with a warning; a live "
          f"PID's is kept (exit {r.returncode}: {r.stderr.strip()[-160:]})")
    os.unlink(live)


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        ref_quick = outputs(exe, tmp)
        med = medium_sweep(tmp)
        ref_med = os.path.join(tmp, "ref_medium.h5")
        r = run([exe, "run", "--sweep", med, "-o", ref_med, "-j", "2"])
        check(r.returncode == 0, "reference run of a 3,000-scenario sweep")
        one_writer(exe, tmp, med, ref_med)
        signals(exe, tmp, med, ref_med)
        slices(exe, tmp, ref_quick)
        threads(exe, tmp, ref_quick)
        dead_partials(exe, tmp, ref_quick)
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
