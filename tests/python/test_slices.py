#!/usr/bin/python3
"""Slices and merge (issue 5): slices 0..3 of 4, run separately (one of
them killed and resumed), merged in any order, equal a single run bit for
bit in every dataset; a merge with a missing slice reports it by number,
exits non-zero and still writes what is complete; a shard from another
sweep is refused; a resume with the wrong --slice is refused.

usage: test_slices.py SUPPLYMIX
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def same(a, b):
    r = run([sys.executable, os.path.join(HERE, "compare_results.py"), a, b])
    return r.returncode == 0, r.stdout.strip().splitlines()[-1:]


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        for sweep in ("quick", "monte_carlo"):
            single = os.path.join(tmp, f"{sweep}.h5")
            check(run([exe, "run", "--sweep", sweep, "-o", single, "-j", "2"]).returncode == 0,
                  f"{sweep}: single run")
            shards = []
            for k in range(4):
                shard = os.path.join(tmp, f"{sweep}-{k}.h5")
                if k == 2 and sweep == "monte_carlo":
                    # Kill this one mid-way, then resume it.
                    p = subprocess.Popen([exe, "run", "--sweep", sweep, "-o", shard, "--slice", "2/4", "-j", "1"],
                                         stderr=subprocess.DEVNULL)
                    time.sleep(0.2)
                    p.send_signal(signal.SIGKILL)
                    p.wait()
                    r = run([exe, "run", "--sweep", sweep, "-o", shard, "--slice", "1/4", "--resume"])
                    check(r.returncode == 2 and "slice" in r.stderr, "resume with another --slice is refused")
                    r = run([exe, "run", "--sweep", sweep, "-o", shard, "--slice", "2/4", "--resume"])
                    check(r.returncode == 0, f"killed shard 2 resumed ({r.stderr.strip()[-100:]})")
                else:
                    r = run([exe, "run", "--sweep", sweep, "-o", shard, "--slice", f"{k}/4", "-j", "2"])
                    check(r.returncode == 0, f"{sweep}: slice {k}/4")
                shards.append(shard)
            merged = os.path.join(tmp, f"{sweep}-merged.h5")
            t0 = time.monotonic()
            r = run([exe, "merge", merged] + shards[::-1])
            secs = time.monotonic() - t0
            ok, diff = same(single, merged)
            check(r.returncode == 0 and ok, f"{sweep}: slices 0..3 merged ({secs:.2f} s) equal the single run {diff}")
            with h5py.File(merged, "r") as f:
                check(f.attrs["slice_count"] == 1 and "merged_from" in f.attrs, f"{sweep}: merged file says so")

        # A missing slice: reported by number, exit non-zero, the rest written.
        part = os.path.join(tmp, "partial.h5")
        r = run([exe, "merge", part] + [os.path.join(tmp, f"quick-{k}.h5") for k in (0, 1, 3)])
        with h5py.File(part, "r") as f:
            n_done = int(f["complete"][:].sum())
        check(r.returncode == 2 and "missing slice of 4: 2" in r.stderr and 0 < n_done < 1000,
              f"missing slice 2 reported, exit {r.returncode}, {n_done} scenarios still merged")
        # A shard from another sweep is refused and nothing is written.
        bad = os.path.join(tmp, "bad.h5")
        r = run([exe, "merge", bad, os.path.join(tmp, "quick-0.h5"), os.path.join(tmp, "monte_carlo-1.h5")])
        check(r.returncode == 2 and "refusing to merge" in r.stderr and not os.path.exists(bad),
              "a shard from another sweep is refused, nothing written")
        # Two shards of one slice are refused.
        r = run([exe, "merge", bad, os.path.join(tmp, "quick-0.h5"), os.path.join(tmp, "quick-0.h5")])
        check(r.returncode == 2 and "give each slice once" in r.stderr, "a slice given twice is refused")
        # Not a results file.
        txt = os.path.join(tmp, "notes.txt")
        open(txt, "w").write("hello\n")
        r = run([exe, "merge", bad, txt])
        check(r.returncode == 2 and "not an HDF5 file" in r.stderr, "a text file is refused")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
