#!/usr/bin/python3
"""`run --ratio-test` and the root attribute warm_ratio_test (issue 15).
Sweeps re-solve with GLPK's long-step ratio test by default; a results
file records the test, and one without the attribute was made with Harris
(before long-step became the default). Checked:
- --help names the option; a bad value exits 2 naming it;
- a default run records "long-step", --ratio-test harris "harris", and the
  two differ in their iteration counts (so the checks below can tell them
  apart);
- a Harris file without the attribute, killed half-way, is resumed in
  Harris without being told, says so, and equals an uninterrupted Harris
  run in every dataset (iterations included);
- the same file resumed with --ratio-test long-step is refused with exit 2
  naming both tests, and left as it was;
- merge refuses a Harris shard and a long-step shard (exit 2, naming both
  tests and both files), and merges two long-step shards into the whole
  long-step run.

usage: test_ratio_test_cli.py SUPPLYMIX
"""
import os
import shutil
import sys
import tempfile

import h5py
from sm_testing import check, finish, run, same_results, sha


def main():
    exe = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="sm_ratio_test_")
    j = lambda name: os.path.join(tmp, name)  # noqa: E731

    r = run([exe, "run", "--help"])
    check(r.returncode == 0 and "--ratio-test" in r.stdout and "long-step" in r.stdout,
          "run --help describes --ratio-test")
    r = run([exe, "run", "--sweep", "quick", "-o", j("bad.h5"), "--ratio-test", "flip"])
    check(r.returncode == 2 and "--ratio-test" in r.stderr and "'flip'" in r.stderr
          and not os.path.exists(j("bad.h5")),
          f"a bad --ratio-test exits 2 naming the option (exit {r.returncode})", r.stderr)

    runs = {}
    for name, extra in (("long-step", []), ("harris", ["--ratio-test", "harris"])):
        out = j(f"{name}.h5")
        r = run([exe, "run", "--sweep", "quick", "-o", out, "-j", "2"] + extra)
        check(r.returncode == 0, f"the {name} run", r.stderr)
        with h5py.File(out, "r") as f:
            got = f.attrs.get("warm_ratio_test")
            got = got.decode() if isinstance(got, bytes) else got
            check(got == name, f"the {name} run records warm_ratio_test={name} (got {got})")
            runs[name] = f["iterations"][()]
    check((runs["long-step"] != runs["harris"]).any()
          and runs["long-step"].sum() < runs["harris"].sum(),
          f"long-step and Harris differ in iterations ({runs['long-step'].sum()} against "
          f"{runs['harris'].sum()})")

    # A Harris file from before the attribute, killed after 8 of 16 blocks.
    old = j("old.h5")
    shutil.copyfile(j("harris.h5"), old)
    with h5py.File(old, "r+") as f:
        del f.attrs["warm_ratio_test"]
        block = int(f.attrs["block_size"])
        f["complete"][8 * block:] = 0
    refused = j("refused.h5")
    shutil.copyfile(old, refused)
    before = sha(refused)
    r = run([exe, "run", "--sweep", "quick", "-o", refused, "--resume", "--ratio-test",
             "long-step"])
    check(r.returncode == 2 and "harris" in r.stderr and "long-step" in r.stderr
          and sha(refused) == before,
          f"--resume with another --ratio-test than the file's is refused, exit 2, file "
          f"untouched (exit {r.returncode})", r.stderr)
    r = run([exe, "run", "--sweep", "quick", "-o", old, "--resume", "-j", "2"])
    check(r.returncode == 0 and "harris ratio test" in r.stderr,
          f"--resume of a Harris file without the attribute keeps Harris and says so "
          f"(exit {r.returncode})", r.stderr)
    ref = j("harris-noattr.h5")  # the root attributes must match too
    shutil.copyfile(j("harris.h5"), ref)
    with h5py.File(ref, "r+") as f:
        del f.attrs["warm_ratio_test"]
    ok, last = same_results(old, ref)
    check(ok, f"the resumed file equals an uninterrupted Harris run ({last})")
    ok, last = same_results(old, j("long-step.h5"))
    check(not ok, "and not the long-step run")

    # Shards of different ratio tests are not one run.
    shards = {}
    for k, extra in ((0, ["--ratio-test", "harris"]), (1, []), (2, [])):
        shards[k] = j(f"shard{k}.h5")
        r = run([exe, "run", "--sweep", "quick", "-o", shards[k], "--slice", f"{k % 2}/2"] + extra)
        check(r.returncode == 0, f"shard {k % 2}/2 ({'harris' if extra else 'long-step'})", r.stderr)
    r = run([exe, "merge", j("mixed.h5"), shards[0], shards[1]])
    check(r.returncode == 2 and "harris" in r.stderr and "long-step" in r.stderr
          and "shard0.h5" in r.stderr and "shard1.h5" in r.stderr
          and not os.path.exists(j("mixed.h5")),
          f"merge refuses a Harris and a long-step shard naming both (exit {r.returncode})",
          r.stderr)
    r = run([exe, "merge", j("merged.h5"), shards[2], shards[1]])
    ok, last = same_results(j("merged.h5"), j("long-step.h5")) if r.returncode == 0 \
        else (False, [r.stderr])
    check(ok, f"two long-step shards merge into the whole long-step run ({last})")

    shutil.rmtree(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
