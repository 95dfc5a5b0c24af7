#!/usr/bin/python3
"""Damaged results files given to the plot and reader scripts (issue 10,
rows 17 and 18, and "plot and report scripts open files defensively").

Makes one small results file (`SUPPLYMIX run --sweep quick`), damages
copies of it, and checks that scripts/supplymix_plots.py (and, for damage
it reads, scripts/supplymix_results.py) exits 2 within a bounded time with
exactly one line on stderr that names the file and what is wrong, never a
traceback, never a hang:

- zeroed bytes inside two chunks of total_cost (an inflate error; the line
  names the dataset and both scenario ranges);
- flipped bytes inside a chunk of status (read with the metadata);
- a corrupted chunk of a copy stored with Fletcher32 checksums (h5repack;
  the line names the checksum error);
- 400 zero bytes at offset 600 (the root group's header: HDF5's SWMR
  reader retried it for hours, sleeping);
- 400 zero bytes over a fractal heap header (HDF5 1.10 dies of SIGSEGV
  listing that group's links: the reader looks names up instead), and a
  flipped byte in the size of a global heap object (HDF5 1.10 reads past
  its buffer and dies: the reading runs in a child process, whose crash
  is the error reported);
- 400 zero bytes at offset 0 (the superblock), a truncated file, a text
  file, a FIFO (opening one blocks) and an empty file;

that a file locked by another process is refused at once (HDF5 does not
wait for locks), that the intact file still gives figures, that the reader module
raises DamagedResultsFile (a NotAResultsFile) for the same files, and that a
crash inside the HDF5 library (simulated) becomes that error too.

usage: test_damaged_files.py SUPPLYMIX          (exit code 1 on any failure)
"""
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
PLOTS = os.path.join(SCRIPTS, "supplymix_plots.py")
READER = os.path.join(SCRIPTS, "supplymix_results.py")
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, SCRIPTS)
import supplymix_results as smr  # noqa: E402
from sm_testing import check, failures  # noqa: E402

# A script given a damaged file must be done within this many seconds
# (Python and matplotlib start in about 1-2 s; the bounded SWMR retries add
# about 0.3 s per damaged object). Past it the script is killed: a hang.
BOUND_S = 20
PLOT_VARS = ["status", "total_cost", "purchases_by_region", "shortfall_total",
             "limit_saving_per_point"]


def run_bounded(cmd, bound=BOUND_S):
    """(exit code or 'hung', stderr, seconds) of cmd, killed after bound s."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=bound,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stderr, time.monotonic() - t0
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode("utf-8", "replace") if isinstance(e.stderr, bytes) else ""
        return "hung", err or "", time.monotonic() - t0


def damage(src, dst, edits):
    """A copy of src with edits [(offset, bytes)] written over it."""
    shutil.copy(src, dst)
    with open(dst, "r+b") as f:
        for off, data in edits:
            f.seek(off)
            f.write(data)
    return dst


def inside_chunk(path, dataset, k, how):
    """An edit over the middle half of chunk k of dataset: zeros, or its
    bytes flipped."""
    with h5py.File(path, "r") as f:
        info = f[dataset].id.get_chunk_info(k)
    lo, n = info.byte_offset + info.size // 4, max(info.size // 2, 1)
    if how == "zero":
        return lo, bytes(n)
    with open(path, "rb") as f:
        f.seek(lo)
        return lo, bytes(b ^ 0xFF for b in f.read(n))


def expect_error(result, label, path, words, prefix):
    """The run (run_bounded's result) exited 2 in bounded time with one
    stderr line naming path and words."""
    rc, err, dt = result
    lines = [ln for ln in err.splitlines() if ln.strip()]
    msg = lines[0] if lines else ""
    ok = (rc == 2 and len(lines) == 1 and msg.startswith(prefix) and path in msg
          and all(w in msg for w in words) and "Traceback" not in err)
    check(ok, f"{label}: exit 2 in {dt:.1f} s with one line: {msg[:230]}",
          f"exit {rc} after {dt:.1f} s; stderr:\n{err[-1500:]}")


def expect_raise(path, label, words):
    """The reader module raises DamagedResultsFile or NotAResultsFile."""
    if not check(hasattr(smr, "load"), f"{label}: the reader module has load()"):
        return
    try:
        smr.load(path, PLOT_VARS, optimal=True)
        check(False, f"{label}: smr.load raises NotAResultsFile")
    except smr.NotAResultsFile as e:
        msg = str(e)
        check(path in msg and "\n" not in msg and all(w in msg for w in words),
              f"{label}: smr.load raises {type(e).__name__}", msg)


def make_cases(good, tmp):
    """[(label, path, words in the message, readers that must refuse it)]."""
    j = os.path.join
    size = os.path.getsize(good)
    both, plots_only = (PLOTS, READER), (PLOTS,)
    with h5py.File(good, "r") as f:
        n, b = int(f.attrs["n_scenarios"]), int(f.attrs["block_size"])

    def rows(c):
        """The scenarios of chunk c, as the messages name them."""
        return f"{c * b}..{min((c + 1) * b, n) - 1}"
    cases = [
        ("zeroed chunks", damage(good, j(tmp, "zeroed_chunks.h5"),
                                 [inside_chunk(good, "total_cost", 1, "zero"),
                                  inside_chunk(good, "total_cost", 3, "zero")]),
         ["damaged", "total_cost", rows(1), rows(3)], plots_only),
        ("flipped chunk", damage(good, j(tmp, "flipped_chunk.h5"),
                                 [inside_chunk(good, "status", 0, "flip")]),
         ["damaged", "status", rows(0)], both),
        ("400 zero bytes at offset 600", damage(good, j(tmp, "zeros_at_600.h5"),
                                                [(600, bytes(400))]), ["damaged"], both),
        ("400 zero bytes at offset 0", damage(good, j(tmp, "zeros_at_0.h5"),
                                              [(0, bytes(400))]), ["not an HDF5 file"],
         plots_only),
    ]
    # HDF5 1.10 dies of SIGSEGV listing a group whose fractal heap (its
    # dense link storage) is zeroed: the reader looks names up instead.
    with open(good, "rb") as f:
        data = f.read()
    heap = data.rfind(b"FRHP")
    if heap > 0:
        cases.append(("400 zero bytes over a fractal heap header",
                      damage(good, j(tmp, "zeroed_heap.h5"), [(heap, bytes(400))]),
                      ["damaged"], plots_only))
    # The global heap (variable-length strings) has no checksum: an object
    # size made huge makes HDF5 1.10 read past its buffer and die (SIGSEGV
    # or SIGABRT), which the reading child's crash reports.
    gcol = data.find(b"GCOL")
    if gcol > 0:
        size_byte = gcol + 16 + 9         # first object's size, its 2nd byte
        cases.append(("a global heap object's size flipped",
                      damage(good, j(tmp, "global_heap.h5"),
                             [(size_byte, bytes([data[size_byte] ^ 0xFF]))]),
                      ["damaged"], both))
    trunc = j(tmp, "truncated.h5")
    shutil.copy(good, trunc)
    os.truncate(trunc, size // 2)
    cases.append(("truncated to half", trunc, ["damaged", "truncated"], both))
    text = j(tmp, "notes.h5")
    with open(text, "w") as f:
        f.write("not a results file\n" * 50)
    cases.append(("text file", text, ["not an HDF5 file"], plots_only))
    empty = j(tmp, "empty.h5")
    open(empty, "w").close()
    cases.append(("empty file", empty, ["not an HDF5 file"], plots_only))
    fifo = j(tmp, "fifo.h5")
    os.mkfifo(fifo)
    cases.append(("FIFO", fifo, ["not a regular file"], both))
    f32 = j(tmp, "fletcher32.h5")
    if shutil.which("h5repack") and subprocess.run(
            ["h5repack", "-f", "FLET", good, f32], capture_output=True).returncode == 0:
        bad32 = damage(f32, j(tmp, "fletcher32_bad.h5"),
                       [inside_chunk(f32, "total_cost", 2, "zero")])
        cases.append(("Fletcher32 chunk", bad32,
                      ["damaged", "total_cost", rows(2), "Fletcher32"], plots_only))
    else:
        print("skip: no h5repack: the Fletcher32 case is not checked")
        f32 = None
    return cases, f32


def check_intact(good, f32, tmp):
    out = os.path.join(tmp, "figures")
    rc, err, dt = run_bounded(["/usr/bin/python3", PLOTS, good, "-o", out, "-q",
                               "--only", "cost_vs_cap,drivers"], bound=120)
    pngs = sorted(n for n in os.listdir(out) if n.endswith(".png")) if os.path.isdir(out) else []
    check(rc == 0 and pngs == ["cost_vs_cap.png", "drivers.png"]
          and os.path.exists(os.path.join(out, "summary.csv")),
          f"intact file: plots exit 0 with two figures and the summary in {dt:.1f} s",
          f"exit {rc}, {pngs}\n{err[-1500:]}")
    rc, err, _ = run_bounded(["/usr/bin/python3", READER, good])
    check(rc == 0 and err == "", "intact file: the reader script exits 0", err[-800:])
    for path in (good, f32):
        if path:
            r, ds = smr.load(path, PLOT_VARS, optimal=True)
            check(r.complete and ds.sizes["scenario"] == r.n_scenarios == 1000,
                  f"intact file: smr.load reads 1000 scenarios of {os.path.basename(path)}")


def check_locked(good, tmp):
    """A file another process holds an exclusive lock on (HDF5 takes locks
    without waiting): exit 2 at once, one line saying so, no hang."""
    locked = os.path.join(tmp, "locked.h5")
    shutil.copy(good, locked)
    with open(locked, "rb") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        result = run_bounded(["/usr/bin/python3", READER, locked])
    expect_error(result, "a file locked by another process: supplymix_results.py", locked,
                 ["lock"], "supplymix_results: ")


def check_crash_isolation(good):
    """A crash inside HDF5 (simulated by a SIGSEGV in the reading child)
    becomes DamagedResultsFile naming the file and the signal."""
    try:
        smr._in_child(good, lambda: os.kill(os.getpid(), signal.SIGSEGV))
        check(False, "a crash while reading becomes DamagedResultsFile")
    except smr.DamagedResultsFile as e:
        check(good in str(e) and "SIGSEGV" in str(e) and "crashed" in str(e),
              f"a crash while reading becomes DamagedResultsFile: {e}")


def main(exe):
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="sm_damaged_") as tmp:
        good = os.path.join(tmp, "good.h5")
        p = subprocess.run([exe, "run", "--sweep", "quick", "-o", good],
                           capture_output=True, text=True)
        if not check(p.returncode == 0, "supplymix run --sweep quick exits 0", p.stderr[-800:]):
            return 1
        cases, f32 = make_cases(good, tmp)
        runs = [(label, path, words, script) for label, path, words, scripts in cases
                for script in scripts]
        cmds = [["/usr/bin/python3", script, path, "-o", os.path.join(tmp, "out")]
                if script == PLOTS else ["/usr/bin/python3", script, path]
                for _, path, _, script in runs]
        with ThreadPoolExecutor(2) as pool:         # two cores: two at a time
            results = list(pool.map(run_bounded, cmds))
        for (label, path, words, script), result in zip(runs, results):
            prefix = "supplymix_plots: error: " if script == PLOTS else "supplymix_results: "
            expect_error(result, f"{label}: {os.path.basename(script)}", path, words, prefix)
        for label, path, words, _ in cases:
            expect_raise(path, label, words)
        check_intact(good, f32, tmp)
        check_locked(good, tmp)
        check_crash_isolation(good)
    print(f"test_damaged_files: {len(failures)} failures in {time.time() - t0:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(os.path.abspath(sys.argv[1])))
