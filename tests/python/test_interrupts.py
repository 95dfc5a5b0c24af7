#!/usr/bin/python3
"""Overnight-proofing (issue 6), end to end with the real program:

1. SIGKILL at random moments: a sweep is started, killed, resumed (and
   killed again) several times. After every kill the file opens (as a
   single-writer/multiple-reader reader does), every scenario marked
   complete holds exactly the values of an uninterrupted run, and every
   other one is NaN. The last resume ends with a file identical in data to
   the uninterrupted run's.
2. SIGTERM (and SIGINT, SIGUSR1): exit code 3 within a few seconds, the
   file closed normally (any HDF5 reader opens it), resumable to the same
   final file.
3. Two Ctrl-C: the second exits at once; the file is still resumable.
4. A second writer on a file being written is refused.

usage: test_interrupts.py SUPPLYMIX [--kills N] [--seed S]
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SWEEP = "monte_carlo"       # 10,000 scenarios: about a second on two threads
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out


def load(path):
    with h5py.File(path, "r", swmr=True) as f:
        timing = {n for n, o in f.items() if isinstance(o, h5py.Dataset)
                  and "differs between identical runs" in str(o.attrs.get("comment", ""))}
        return datasets(f), timing


def consistent_with(path, ref):
    """Every complete scenario equals the reference; the others are NaN."""
    data, timing = load(path)
    done = data["complete"].astype(bool)
    bad = []
    for name, ref_v in ref.items():
        if name in timing or name.startswith("inputs/"):
            continue
        v = data[name]
        if not isinstance(v, np.ndarray) or v.shape[:1] != done.shape:
            if not np.array_equal(v, ref_v):
                bad.append(name)
            continue
        a, b = v[done], ref_v[done]
        if a.tobytes() != b.tobytes():
            bad.append(name)
        if v.dtype.kind == "f" and not np.isnan(v[~done]).all():
            bad.append(name + " (unfinished not NaN)")
    return int(done.sum()), bad


def start(exe, out, resume=False, threads=2):
    cmd = [exe, "run", "--sweep", SWEEP, "-o", out, "-j", str(threads)]
    if resume:
        cmd.append("--resume")
    return subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("--kills", type=int, default=int(os.environ.get("SM_KILLS", "8")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SM_KILL_SEED", "20261128")))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ref_path = os.path.join(tmp, "reference.h5")
        t0 = time.monotonic()
        r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", ref_path, "-j", "2"],
                           capture_output=True, text=True)
        full_time = time.monotonic() - t0
        check(r.returncode == 0, f"uninterrupted run ({full_time:.2f} s)")
        ref, _ = load(ref_path)

        # 1. SIGKILL at random moments, resuming in between.
        out = os.path.join(tmp, "killed.h5")
        survived, remaining, total = 0, 1.0, len(ref["complete"])
        for k in range(args.kills):
            p = start(args.exe, out, resume=os.path.exists(out))
            # A moment while work remains: from start-up to near the end.
            delay = rng.uniform(0.0, full_time * remaining * 0.9)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait()
            if not os.path.exists(out):
                print(f"kill {k + 1}: at {delay:.3f} s, before the file was in place: nothing to check")
                survived += 1
                continue
            try:
                done, bad = consistent_with(out, ref)
                remaining = max(0.05, 1.0 - done / total)
                ok = not bad
                print(f"kill {k + 1}: at {delay:.3f} s, file opens, {done} scenarios complete"
                      + ("" if ok else f", WRONG: {bad}"))
                survived += ok
            except Exception as e:  # the file must always open
                print(f"kill {k + 1}: at {delay:.3f} s, file does not open: {e}")
        check(survived == args.kills, f"{survived} of {args.kills} kills left a readable file whose "
                                      f"complete scenarios are correct")
        if os.path.exists(out):
            copy = os.path.join(tmp, "repaired.h5")
            with open(out, "rb") as a, open(copy, "wb") as b:
                b.write(a.read())
            r = subprocess.run([args.exe, "repair", copy], capture_output=True, text=True)
            r2 = subprocess.run(["h5dump", "-H", copy], capture_output=True, text=True)
            try:
                with h5py.File(copy, "r") as f:  # a plain, non-SWMR reader
                    plain_ok = "complete" in f
            except OSError:
                plain_ok = False
            check(r.returncode == 0 and r2.returncode == 0 and plain_ok,
                  "after `supplymix repair`, h5dump and a plain h5py reader open a killed run's file")
        r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "-j", "2"]
                           + (["--resume"] if os.path.exists(out) else []),
                           capture_output=True, text=True)
        check(r.returncode == 0, "the last resume finishes")
        r = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                           capture_output=True, text=True)
        check(r.returncode == 0, "after kills and resumes: identical to the uninterrupted run\n" + r.stdout[-500:])

        # 2. SIGTERM, SIGINT, SIGUSR1: exit 3 within seconds, a closed file, resumable.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
            out = os.path.join(tmp, f"sig{int(sig)}.h5")
            p = start(args.exe, out)
            time.sleep(full_time * 0.3)
            t_sig = time.monotonic()
            p.send_signal(sig)
            p.wait(timeout=30)
            stop = time.monotonic() - t_sig
            err = p.stderr.read()
            check(p.returncode == 3 and stop < 5,
                  f"{sig.name}: exit code {p.returncode} (want 3) after {stop:.2f} s (want < 5 s)")
            with h5py.File(out, "r") as f:  # a normally closed file: any reader
                n_done = int(f["complete"][:].sum())
            check(0 < n_done < len(ref["complete"]) and "--resume" in err,
                  f"{sig.name}: {n_done} scenarios saved, the message says how to resume")
            done, bad = consistent_with(out, ref)
            check(not bad, f"{sig.name}: the saved scenarios are correct")
            r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "-j", "3", "--resume"],
                               capture_output=True, text=True)
            r2 = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                                capture_output=True, text=True)
            check(r.returncode == 0 and r2.returncode == 0,
                  f"{sig.name}: resumed on 3 threads, identical to the uninterrupted run")

        # 3. Two Ctrl-C: the second one exits at once; still resumable.
        out = os.path.join(tmp, "twice.h5")
        p = start(args.exe, out)
        time.sleep(full_time * 0.3)
        p.send_signal(signal.SIGINT)
        p.send_signal(signal.SIGINT)
        t_sig = time.monotonic()
        p.wait(timeout=30)
        check(p.returncode == 3, f"second Ctrl-C: exit code {p.returncode} (want 3)")
        done, bad = consistent_with(out, ref)
        r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "-j", "2", "--resume"],
                           capture_output=True, text=True)
        r2 = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                            capture_output=True, text=True)
        check(not bad and r.returncode == 0 and r2.returncode == 0,
              f"second Ctrl-C: {done} correct scenarios kept, resumed to the same final file")

        # 4. A second writer is refused while the first is running.
        out = os.path.join(tmp, "busy.h5")
        p = start(args.exe, out)
        deadline = time.monotonic() + 5
        while not os.path.exists(out) and time.monotonic() < deadline:
            time.sleep(0.01)
        r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "--resume"],
                           capture_output=True, text=True)
        p.wait()
        check(r.returncode == 2 and "another supplymix process" in r.stderr,
              f"a second writer is refused (exit {r.returncode}: {r.stderr.strip()[-120:]})")
        r2 = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                            capture_output=True, text=True)
        check(p.returncode == 0 and r2.returncode == 0, "the first writer finished undisturbed")

        # 5. Resume refuses a file from another sweep.
        r = subprocess.run([args.exe, "run", "--sweep", "quick", "-o", ref_path, "--resume"],
                           capture_output=True, text=True)
        check(r.returncode == 2 and "not from this sweep" in r.stderr,
              "resume refuses a file made from another sweep")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
