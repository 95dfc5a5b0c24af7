#!/usr/bin/python3
"""A run into a file system that fills up (issue 10, row 1): on a small
tmpfs this test mounts itself (CI runs as root; elsewhere it is skipped
with exit code 77 and the reason), with a filler file taking most of it:

- so little room that the results file cannot even be set up: exit code 4,
  one error line, no crash (was 139, a SIGSEGV inside HDF5 at exit), no
  partial file or lock left;
- room for the set-up and a few blocks: exit code 4, one error line that
  says what the file system said ("No space left on device") and how to
  continue, no HDF5 error-stack dump; after the filler is removed,
  `--resume` completes the same file, identical to an uninterrupted run.

usage: test_disk_full.py SUPPLYMIX
"""
import glob
import os
import subprocess
import sys
import tempfile
from sm_testing import check, finish, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
SIZE = 4 << 20   # the tmpfs


def fill(mnt, free_bytes):
    """A filler file leaving about free_bytes of the tmpfs."""
    path = os.path.join(mnt, "filler")
    if os.path.exists(path):
        os.unlink(path)
    st = os.statvfs(mnt)
    with open(path, "wb") as f:
        f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - free_bytes))
    return path


def errors(stderr):
    return [l for l in stderr.splitlines() if "error" in l.lower() or "HDF5" in l]


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        mnt = os.path.join(tmp, "small")
        os.mkdir(mnt)
        r = run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", mnt])
        if r.returncode != 0:
            print(f"SKIP: cannot mount a tmpfs here ({r.stderr.strip() or 'not root?'}); the "
                  "disk-full test needs it (CI runs as root)")
            return SKIP
        try:
            return scenarios(exe, tmp, mnt)
        finally:
            subprocess.run(["umount", mnt])


def scenarios(exe, tmp, mnt):
    ref = os.path.join(tmp, "ref.h5")
    r = run([exe, "run", "--sweep", "quick", "-o", ref, "-j", "2"])
    check(r.returncode == 0, "reference run")

    # 1. No room for the set-up.
    out = os.path.join(mnt, "tiny.h5")
    filler = fill(mnt, 16 << 10)
    r = run([exe, "run", "--sweep", "quick", "-o", out, "-j", "2"])
    left = sorted(os.path.basename(p) for p in glob.glob(out + "*"))
    check(r.returncode == 4 and len(errors(r.stderr)) == 1 and left == [],
          f"no room to set up: exit {r.returncode} (want 4, not 139), "
          f"{len(errors(r.stderr))} error line(s) (want 1), left {left} (want nothing): "
          f"{r.stderr.strip()[-200:]}")

    # 2. Room for the set-up and a few blocks.
    out = os.path.join(mnt, "out.h5")
    filler = fill(mnt, 320 << 10)
    r = run([exe, "run", "--sweep", "quick", "-o", out, "-j", "2"])
    errs = errors(r.stderr)
    check(r.returncode == 4 and len(errs) == 1 and "No space left on device" in errs[0]
          and "HDF5-DIAG" not in r.stderr and "--resume" in r.stderr,
          f"disk full mid-run: exit {r.returncode} (want 4), one error line naming the cause "
          f"({len(errs)} lines: {errs[:2]}), how to continue said")
    os.unlink(filler)
    r = run([exe, "run", "--sweep", "quick", "-o", out, "-j", "2", "--resume"])
    r2 = run([sys.executable, os.path.join(HERE, "compare_results.py"), ref, out])
    check(r.returncode == 0 and r2.returncode == 0,
          f"space freed: --resume completes the same file, identical to an uninterrupted run "
          f"(exit {r.returncode}; {r2.stdout.strip()[-120:]})")
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
