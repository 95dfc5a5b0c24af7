#!/usr/bin/python3
"""Resuming and merging files started under another default block size
(issue 15). A sweep file without block_size is cut into blocks by the
default of the supplymix that runs it: 256 scenarios before 2026-12, a
size by scenario count since (models/sweep.h). A file records its blocks
(root attribute block_size), and --resume must continue it in those
blocks, or the resumed scenarios would get other warm starts (other
results) and would not fit the file's chunks.

An "old" file is made the way an older supplymix wrote it: the same sweep
with `block_size: 256` written out, run, and then given the content hash
and the verbatim text of the sweep without that line (what an old
supplymix recorded for it), with the last blocks' completion marks
cleared as a kill leaves them. Checked:
- --resume of that file with the sweep that gives no block_size finishes
  it in blocks of 256, says so, and equals a whole run in blocks of 256;
- the same for a Slurm-style shard (--slice 1/2) of it, which then merges
  with the other old shard into the whole run; an old shard and a shard
  started afresh (in the new default blocks) are refused by merge, naming
  both block sizes;
- a file whose recorded blocks differ from a block_size the sweep gives is
  refused with exit code 2, naming both sizes, and left as it was.

usage: test_resume_blocks.py SUPPLYMIX
"""
import os
import shutil
import sys
import tempfile

import h5py
from sm_testing import check, finish, run, same_results, sha

HERE = os.path.dirname(os.path.abspath(__file__))
QUICK = os.path.join(HERE, "..", "..", "models", "rare_earths", "sweeps", "quick.yaml")


def sweep_hash(exe, sweep, tmp):
    """The content hash supplymix records for sweep (from a one-slice-of-many
    shard, which solves next to nothing)."""
    out = os.path.join(tmp, "hash.h5")
    r = run([exe, "run", "--sweep", sweep, "-o", out, "--slice", "999/1000", "--force"])
    check(r.returncode == 0, f"an empty shard of {os.path.basename(sweep)} is written", r.stderr)
    with h5py.File(out, "r") as f:
        return f.attrs["sweep_hash"]


def make_old(path, hash_, text, clear_from):
    """Make the file at path look written by an older supplymix for the
    sweep with the given hash and text; clear marks from clear_from on."""
    with h5py.File(path, "r+") as f:
        f.attrs["sweep_hash"] = hash_
        f["inputs/sweep_file"][()] = text
        if clear_from is not None:
            f["complete"][clear_from:] = 0


def main():
    exe = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="sm_resume_blocks_")
    j = lambda name: os.path.join(tmp, name)  # noqa: E731
    with open(QUICK) as f:
        text = f.read().replace("model: rare_earths\n", "")
    new, old = j("quick.yaml"), j("quick256.yaml")
    for path, extra in ((new, ""), (old, "block_size: 256\n")):
        with open(path, "w") as f:
            f.write(text + extra)
    new_hash = sweep_hash(exe, new, tmp)

    # The whole run in blocks of 256: what the old supplymix wrote.
    whole = j("whole256.h5")
    r = run([exe, "run", "--sweep", old, "-o", whole, "-j", "2"])
    check(r.returncode == 0, "the sweep in blocks of 256 runs", r.stderr)
    with h5py.File(whole, "r") as f:
        check(int(f.attrs["block_size"]) == 256 and f["complete"].chunks == (256,),
              "its file records block_size 256, chunks of 256")

    # What an old supplymix wrote for the sweep without block_size, whole.
    ref = j("ref.h5")
    shutil.copyfile(whole, ref)
    make_old(ref, new_hash, text, None)

    # 1. A whole file, killed after two of its four blocks.
    part = j("old.h5")
    shutil.copyfile(whole, part)
    make_old(part, new_hash, text, 512)
    r = run([exe, "run", "--sweep", new, "-o", part, "--resume", "-j", "2"])
    check(r.returncode == 0 and "started in blocks of 256" in r.stderr
          and "512 of 1000 scenarios already complete" in r.stderr,
          f"--resume of an old file keeps its blocks of 256 and says so (exit {r.returncode})",
          r.stderr)
    ok, last = same_results(part, ref)
    check(ok, f"the resumed old file equals a whole run in blocks of 256 ({last})")
    with h5py.File(part, "r") as f:
        check(int(f.attrs["block_size"]) == 256, "it still records block_size 256")

    # 2. Shards of a job array started by the old supplymix.
    shards = []
    for k in range(2):
        shard = j(f"old-{k}.h5")
        r = run([exe, "run", "--sweep", old, "-o", shard, "--slice", f"{k}/2", "-j", "2"])
        check(r.returncode == 0, f"old shard {k}/2 runs", r.stderr)
        # Shard 1 holds blocks 2 and 3 (scenarios 512-999): kill it in block 3.
        make_old(shard, new_hash, text, 768 if k == 1 else None)
        shards.append(shard)
    r = run([exe, "run", "--sweep", new, "-o", shards[1], "--slice", "1/2", "--resume"])
    check(r.returncode == 0 and "256 of 488 scenarios already complete" in r.stderr,
          f"--resume of an old shard keeps its blocks and slice (exit {r.returncode})", r.stderr)
    merged = j("merged.h5")
    r = run([exe, "merge", merged] + shards)
    ok, last = same_results(merged, ref) if r.returncode == 0 else (False, [r.stderr])
    check(ok, f"the old shards, one resumed, merge into the whole run ({last})")

    # A slice started afresh by this supplymix is in other blocks: refused.
    fresh = j("new-1.h5")
    r = run([exe, "run", "--sweep", new, "-o", fresh, "--slice", "1/2"])
    check(r.returncode == 0, "a new shard 1/2 runs", r.stderr)
    r = run([exe, "merge", j("mixed.h5"), shards[0], fresh])
    check(r.returncode == 2 and "blocks of 63" in r.stderr and "blocks of 256" in r.stderr
          and not os.path.exists(j("mixed.h5")),
          f"an old shard and a new one of the same sweep are refused, naming both block sizes "
          f"(exit {r.returncode}: {r.stderr.strip()[-200:]})")

    # 3. Recorded blocks that differ from a block_size the sweep gives.
    given = j("quick100.yaml")
    with open(given, "w") as f:
        f.write(text + "block_size: 100\n")
    forged = j("forged.h5")
    shutil.copyfile(whole, forged)
    make_old(forged, sweep_hash(exe, given, tmp), text + "block_size: 100\n", 512)
    before = sha(forged)
    r = run([exe, "run", "--sweep", given, "-o", forged, "--resume"])
    check(r.returncode == 2 and "blocks of 256" in r.stderr and "block_size 100" in r.stderr
          and sha(forged) == before,
          f"a file in other blocks than the sweep's block_size is refused, exit 2, untouched "
          f"(exit {r.returncode}: {r.stderr.strip()[-200:]})")

    shutil.rmtree(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
