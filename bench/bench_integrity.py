#!/usr/bin/python3
"""What data integrity costs (issue 10), not run in CI.

1. Checksums: wall time of `run` for china_grid and monte_carlo with this
   build (Fletcher32 on every chunk) against a baseline build without it
   (main before issue 10), alternating runs, median of --repeat; plus the
   time a `--resume` of a finished file spends verifying it.
2. Merge at scale: --shards shards of the quick sweep (4 blocks, so all but
   4 slices are empty: those shards are copies of one empty shard with its
   slice number set) merged under `ulimit -n --fds`; peak resident memory
   of the merge, and the same for the baseline with a high limit.

usage: bench_integrity.py SUPPLYMIX BASELINE_SUPPLYMIX [--repeat 5] [--shards 2000] [--fds 256]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import h5py


def timed(cmd, fds=None):
    """Exit code, wall seconds, peak RSS (MB), stderr and CPU seconds (user
    + system: steadier than wall time on a shared machine) of a command."""
    wrapper = ["/usr/bin/time", "-f", "%e %M %U %S"]
    pre = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (fds, fds))) if fds else None
    r = subprocess.run(wrapper + cmd, capture_output=True, text=True, preexec_fn=pre)
    wall, rss, user, system = r.stderr.strip().splitlines()[-1].split()
    return r.returncode, float(wall), int(rss) / 1024, r.stderr, float(user) + float(system)


def checksums(exe, base, repeat, tmp):
    for sweep in ("china_grid", "monte_carlo"):
        t = {exe: [], base: []}
        cpu = {exe: [], base: []}
        for i in range(repeat):
            for e in (base, exe):
                out = os.path.join(tmp, f"{sweep}.h5")
                rc, wall, _, err, c = timed([e, "run", "--sweep", sweep, "-o", out, "-j", "2", "--force"])
                if rc != 0:
                    sys.exit(f"{e} run failed: {err[-300:]}")
                t[e].append(wall)
                cpu[e].append(c)
        a, b = statistics.median(t[exe]), statistics.median(t[base])
        ca, cb = statistics.median(cpu[exe]), statistics.median(cpu[base])
        rc, verify, _, _, _ = timed([exe, "run", "--sweep", sweep, "-o", out, "-j", "2", "--resume"])
        print(f"{sweep}: wall with checksums {a:.2f} s, without {b:.2f} s (median of {repeat}, 2 "
              f"threads): {100 * (a - b) / b:+.1f} %; CPU {ca:.2f} s vs {cb:.2f} s: "
              f"{100 * (ca - cb) / cb:+.1f} %; wall runs {sorted(t[exe])} vs {sorted(t[base])}; "
              f"--resume of the finished file (verifies every block) {verify:.2f} s", flush=True)


def merge_at_scale(exe, base, n, fds, tmp):
    nb = 4
    full = [k for k in range(n) if nb * (k + 1) // n > nb * k // n]
    empty = next(k for k in range(n) if k not in full)
    d = os.path.join(tmp, "shards")
    os.mkdir(d)
    paths = [os.path.join(d, f"s{k}.h5") for k in range(n)]
    for e, tag in ((exe, "new"), (base, "base")):
        for k in full + [empty]:
            subprocess.run([e, "run", "--sweep", "quick", "-o", paths[k], "--slice", f"{k}/{n}",
                            "-j", "2", "--force"], capture_output=True, check=True)
        for k in range(n):
            if k not in full and k != empty:
                shutil.copyfile(paths[empty], paths[k])
                with h5py.File(paths[k], "r+") as f:
                    f.attrs["slice_index"] = k
        out = os.path.join(tmp, f"merged-{tag}.h5")
        limit = fds if e == exe else resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        rc, wall, rss, err, _ = timed([e, "merge", "--force", out] + paths, fds=limit)
        print(f"merge of {n} shards ({'this build' if e == exe else 'baseline'}, ulimit -n {limit}): "
              f"exit {rc}, {wall:.2f} s, peak RSS {rss:.0f} MB; {err.strip().splitlines()[-2][-120:]}",
              flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("base")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--shards", type=int, default=2000)
    ap.add_argument("--fds", type=int, default=256)
    ap.add_argument("--skip-checksums", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_checksums:
            checksums(args.exe, args.base, args.repeat, tmp)
        merge_at_scale(args.exe, args.base, args.shards, args.fds, tmp)


if __name__ == "__main__":
    main()
