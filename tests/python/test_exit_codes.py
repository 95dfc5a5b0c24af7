#!/usr/bin/python3
"""Exact exit statuses, per command (issue 9; CLI.md "Exit codes"): every
command is driven into its failure modes and must exit with exactly the
code the convention gives: 0 success, 2 bad usage or bad input (a held
writer lock included), 3 interrupted by a signal after saving what was
done, 4 an output could not be written (what was saved is intact).

usage: test_exit_codes.py SUPPLYMIX
"""
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from sm_testing import check, finish  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BAD_MODEL = os.path.join(os.path.dirname(HERE), "data", "bad_model")


def expect(code, what, cmd, stdout=subprocess.DEVNULL, env=None):
    r = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=300,
                       env=env)
    check(r.returncode == code, f"{what}: exit {r.returncode} (want {code})"
          + ("" if r.returncode == code else f": {r.stderr.strip()[-200:]}"))
    return r


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        full = open("/dev/full", "w")
        missing = os.path.join(tmp, "no", "such", "dir")
        bad_sweep = os.path.join(tmp, "bad_sweep.yaml")
        with open(bad_sweep, "w") as f:
            f.write("name: bad\nmodel: rare_earths\nparameters:\n  price.Unobtainium: {values: [1]}\n")
        not_h5 = os.path.join(tmp, "text.h5")
        with open(not_h5, "w") as f:
            f.write("not an HDF5 file\n")

        # solve
        expect(0, "solve", [exe, "solve"])
        expect(2, "solve --frobnicate", [exe, "solve", "--frobnicate"])
        expect(2, "solve a missing model", [exe, "solve", missing])
        expect(2, "solve a bad model", [exe, "solve", BAD_MODEL])
        expect(4, "solve, stdout on a full disk (/dev/full)", [exe, "solve"], stdout=full)

        # validate
        expect(0, "validate", [exe, "validate", "--sweep", "quick"])
        expect(2, "validate a bad model", [exe, "validate", BAD_MODEL])
        expect(2, "validate a bad sweep", [exe, "validate", "--sweep", bad_sweep])
        expect(4, "validate, stdout on a full disk", [exe, "validate"], stdout=full)

        # export
        lp = os.path.join(tmp, "base.lp")
        expect(0, "export --lp", [exe, "export", "--lp", lp])
        expect(2, "export without a format", [exe, "export"])
        expect(2, "export a scenario out of range",
               [exe, "export", "--sweep", "quick", "--scenario", "1000", "--lp", lp])
        expect(4, "export into a missing directory", [exe, "export", "--lp", missing + "/x.lp"])
        dev_full = os.path.join(tmp, "full")  # a private /dev/full (1, 7)
        try:
            os.mknod(dev_full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
            expect(4, "export onto a full disk", [exe, "export", "--mps", dev_full])
        except OSError as e:
            print(f"skip: export onto a full disk: cannot mknod ({e})")

        # run
        out = os.path.join(tmp, "out.h5")
        expect(0, "run", [exe, "run", "--sweep", "quick", "-o", out, "-j", "2"])
        expect(2, "run without -o", [exe, "run", "--sweep", "quick"])
        expect(2, "run with a bad sweep", [exe, "run", "--sweep", bad_sweep, "-o", out + "x"])
        expect(2, "run onto an existing file without --force",
               [exe, "run", "--sweep", "quick", "-o", out])
        fifo = os.path.join(tmp, "fifo.h5")  # never the system's /dev/null: a bug replaces it
        os.mkfifo(fifo)
        expect(2, "run --force onto a FIFO", [exe, "run", "--sweep", "quick", "-o", fifo, "--force"])
        expect(2, "run --resume of a file that is not HDF5",
               [exe, "run", "--sweep", "quick", "-o", not_h5, "--resume"])
        expect(4, "run into a missing directory",
               [exe, "run", "--sweep", "quick", "-o", missing + "/out.h5"])
        busy = os.path.join(tmp, "busy.h5")
        p = subprocess.Popen([exe, "run", "--sweep", "monte_carlo", "-o", busy, "-j", "1"],
                             stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(busy) and time.monotonic() < deadline:
            time.sleep(0.01)
        expect(2, "run --force on a file another run writes",
               [exe, "run", "--sweep", "monte_carlo", "-o", busy, "--force"])
        expect(2, "merge onto a file a run writes", [exe, "merge", "--force", busy, out])
        expect(2, "repair a file a run writes", [exe, "repair", busy])
        # No pause here: the run is past start-up (its file is in place),
        # and every moment waited is a chance for it to finish first.
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        check(p.returncode == 3, f"run stopped by SIGTERM: exit {p.returncode} (want 3)")
        expect(0, "run --resume after SIGTERM",
               [exe, "run", "--sweep", "monte_carlo", "-o", busy, "-j", "2", "--resume"])

        # merge
        shards = []
        for k in range(2):
            shards.append(os.path.join(tmp, f"s{k}.h5"))
            expect(0, f"run --slice {k}/2", [exe, "run", "--sweep", "quick", "-o", shards[-1],
                                             "--slice", f"{k}/2", "-j", "2"])
        merged = os.path.join(tmp, "merged.h5")
        expect(0, "merge", [exe, "merge", merged] + shards)
        expect(2, "merge without shards", [exe, "merge", merged])
        expect(2, "merge onto an existing file without --force", [exe, "merge", merged] + shards)
        expect(2, "merge a shard that is not HDF5", [exe, "merge", merged + "2", not_h5])
        expect(2, "merge with a missing slice", [exe, "merge", merged + "3", shards[0]])
        expect(2, "merge --force onto one of the shards", [exe, "merge", "--force", shards[0]]
               + shards)
        expect(4, "merge into a missing directory", [exe, "merge", missing + "/m.h5"] + shards)

        # repair
        expect(0, "repair", [exe, "repair", merged])
        expect(2, "repair without a file", [exe, "repair"])
        expect(2, "repair a file that is not HDF5", [exe, "repair", not_h5])
        expect(2, "repair a missing file", [exe, "repair", os.path.join(tmp, "missing.h5")])
        full.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
