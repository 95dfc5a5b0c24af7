#!/usr/bin/python3
"""Slices and merge (issue 5): slices 0..3 of 4, run separately (one of
them killed and resumed), merged in any order, equal a single run bit for
bit in every dataset; a merge with a missing slice reports it by number,
exits non-zero and still writes what is complete; a shard from another
sweep is refused; a resume with the wrong --slice is refused.

Issue 10: merge refuses slices run with other limits (row 10), merges
more shards than it may open files at once (row 11), and refuses a shard
cut short or with a flipped byte, naming it and the scenario range (row
12), writing nothing.

usage: test_slices.py SUPPLYMIX
"""
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
from sm_testing import check, finish, run, same_results as same  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def merge_limits(exe, tmp):
    """Row 10: slices run with different --iteration-limit are refused."""
    shards = []
    for k in range(4):
        shard = os.path.join(tmp, f"lim-{k}.h5")
        limit = ["--iteration-limit", "50"] if k == 1 else []
        run([exe, "run", "--sweep", "quick", "-o", shard, "--slice", f"{k}/4", "-j", "2"] + limit)
        shards.append(shard)
    out = os.path.join(tmp, "lim-merged.h5")
    r = run([exe, "merge", out] + shards)
    check(r.returncode == 2 and "iteration-limit" in r.stderr and shards[1] in r.stderr
          and not os.path.exists(out),
          f"slices with different limits are refused, naming the shard (exit {r.returncode}: "
          f"{r.stderr.strip()[-160:]})")


def merge_many(exe, tmp, n=150, fds=64):
    """Row 11: more shards than open files allowed (quick has 16 blocks, so
    most of n slices are empty: those shards are copies of one empty shard
    with its slice number set)."""
    with h5py.File(os.path.join(tmp, "quick.h5"), "r") as f:
        nb = -(-int(f.attrs["n_scenarios"]) // int(f.attrs["block_size"]))
    full = [k for k in range(n) if nb * (k + 1) // n > nb * k // n]
    empty = next(k for k in range(n) if k not in full)
    d = os.path.join(tmp, "many")
    os.mkdir(d)
    paths = [os.path.join(d, f"s{k}.h5") for k in range(n)]
    for k in full + [empty]:
        run([exe, "run", "--sweep", "quick", "-o", paths[k], "--slice", f"{k}/{n}", "-j", "2"])
    for k in range(n):
        if k not in full and k != empty:
            shutil.copyfile(paths[empty], paths[k])
            with h5py.File(paths[k], "r+") as f:
                f.attrs["slice_index"] = k
    out = os.path.join(tmp, "many-merged.h5")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (fds, fds))
    r = subprocess.run([exe, "merge", out] + paths, capture_output=True, text=True, preexec_fn=limit)
    ok, diff = same(os.path.join(tmp, "quick.h5"), out) if r.returncode == 0 else (False, [])
    check(r.returncode == 0 and ok, f"{n} shards merged under `ulimit -n {fds}` equal the single "
                                    f"run (exit {r.returncode}: {r.stderr.strip()[-160:]}) {diff}")


def merge_damaged(exe, tmp):
    """Row 12: a shard cut short, or with a flipped byte, is refused with
    its name and the damaged scenarios; nothing is written."""
    good = [os.path.join(tmp, f"monte_carlo-{k}.h5") for k in range(4)]
    cut = os.path.join(tmp, "cut-1.h5")
    shutil.copyfile(good[1], cut)
    os.truncate(cut, os.path.getsize(cut) * 6 // 10)
    flip = os.path.join(tmp, "flip-3.h5")
    shutil.copyfile(good[3], flip)
    with h5py.File(flip, "r") as f:
        info = f["total_cost"].id.get_chunk_info_by_coord((f["total_cost"].shape[0] - 1,))
    with open(flip, "r+b") as f:
        f.seek(info.byte_offset + info.size // 2)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 0x40]))
    for bad, shards in ((cut, [good[0], cut, good[2], good[3]]),
                        (flip, [good[0], good[1], good[2], flip])):
        out = os.path.join(tmp, "damaged-merged.h5")
        r = run([exe, "merge", out] + shards)
        check(r.returncode == 2 and bad in r.stderr and "scenarios" in r.stderr
              and "damaged" in r.stderr and not os.path.exists(out),
              f"merge refuses {os.path.basename(bad)}, naming it and the scenarios "
              f"(exit {r.returncode}: {r.stderr.strip()[-200:]})")


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
                    # Once the file is in place (start-up is slow under ASan).
                    deadline = time.monotonic() + 20
                    while not os.path.exists(shard) and time.monotonic() < deadline:
                        time.sleep(0.02)
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
        merge_limits(exe, tmp)
        merge_many(exe, tmp)
        merge_damaged(exe, tmp)
    return finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
