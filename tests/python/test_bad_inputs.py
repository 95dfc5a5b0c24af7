#!/usr/bin/python3
"""The bad-input corpus (tests/data/bad_inputs, issue 6): every case gives
exit code 2 and a message naming the file and the line or key, quickly and
in bounded memory, and never touches an existing results file. What
spreadsheets and editors legitimately write (CRLF, a UTF-8 byte-order mark)
gives the same result as the clean file.

Each case directory holds only the files that differ from _base (the tiny
model); `X.special` stands for what a file cannot hold: `dir` (a directory
where X should be), `delete` (X missing), `symlink-loop` (X unreadable),
`fifo` (a named pipe with no writer: reading must not wait for one),
`symlink-outside` (a link to a copy of X outside the model directory).
cases.tsv gives each case's kind (model, sweep, or model-ok for a model
that must be accepted), its expected message, and optionally a text that
must not appear (a field quoted beyond its short cut). A hang counts as a
failure, not a stuck test.

usage: test_bad_inputs.py SUPPLYMIX
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from sm_testing import check, finish, sha  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "data", "bad_inputs")
MEMORY_LIMIT = 1 << 30     # 1 GiB of address space per run
TIME_LIMIT = 5.0           # seconds per run


SANITIZED = False  # AddressSanitizer reserves terabytes of address space


def limited():
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(cmd):
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           preexec_fn=limited, timeout=4 * TIME_LIMIT)
    except subprocess.TimeoutExpired:
        r = subprocess.CompletedProcess(cmd, None, "", f"(hung: killed after {4 * TIME_LIMIT} s)")
    return r, time.monotonic() - t0


def outside_dir(dest):
    """A directory beside dest holding _base's tables: what a model must
    not reach without saying so."""
    out = dest + ".outside"
    if not os.path.isdir(out):
        os.mkdir(out)
        for f in ("suppliers.csv", "demand.csv"):
            shutil.copy(os.path.join(CORPUS, "_base", f), out)
    return os.path.realpath(out)


def placeholders(text, dest):
    out = outside_dir(dest)
    return (text.replace("@OUTSIDE_REL@", os.path.join("..", os.path.basename(out)))
                .replace("@OUTSIDE@", out))


def build_case(case, dest, base=True):
    if base:
        shutil.copytree(os.path.join(CORPUS, "_base"), dest)
    else:
        os.mkdir(dest)
    src = os.path.join(CORPUS, case)
    for name in os.listdir(src):
        path = os.path.join(src, name)
        if name.endswith(".special"):
            target = os.path.join(dest, name[: -len(".special")])
            what = open(path).read().strip()
            if os.path.exists(target):
                os.remove(target)
            if what == "dir":
                os.mkdir(target)
            elif what == "symlink-loop":
                os.symlink(os.path.basename(target), target)
            elif what == "fifo":
                os.mkfifo(target)
            elif what == "symlink-outside":
                os.symlink(os.path.join(outside_dir(dest), os.path.basename(target)), target)
        else:
            text = placeholders(open(path, encoding="utf-8", errors="surrogateescape").read(), dest)
            open(os.path.join(dest, name), "w", encoding="utf-8",
                 errors="surrogateescape").write(text)


def main(exe):
    global SANITIZED
    SANITIZED = "libasan" in subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    cases = [l.rstrip("\n").split("\t") for l in open(os.path.join(CORPUS, "cases.tsv"))
             if l.strip() and not l.startswith("#")]
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base")
        shutil.copytree(os.path.join(CORPUS, "_base"), base)
        good_sweep = os.path.join(tmp, "good.yaml")
        open(good_sweep, "w").write("name: g\nparameters:\n  share.cap: {values: [0.4, 0.6]}\n")
        results = os.path.join(tmp, "existing.h5")
        r, _ = run([exe, "run", base, "--sweep", good_sweep, "-o", results])
        check(r.returncode == 0, "a results file to protect")
        digest = sha(results)
        slowest, n = 0.0, 0
        for name, kind, expect, *absent in cases:
            d = os.path.join(tmp, name)
            if kind.startswith("model"):
                build_case(name, d)
                model, sweep = d, good_sweep
                validate = [exe, "validate", model]
            else:
                build_case(name, d, base=False)
                model, sweep = base, os.path.join(d, "sweep.yaml")
                validate = [exe, "validate", model, "--sweep", sweep]
            expect = placeholders(expect, d)
            want = 0 if kind == "model-ok" else 2
            r, secs = run(validate)
            slowest = max(slowest, secs)
            msg = r.stderr.strip().replace("\n", " | ")
            ok = r.returncode == want and expect in r.stderr and "Traceback" not in r.stderr
            check(ok, f"{name}: exit {r.returncode} in {secs:.2f} s: {msg[:160]}"
                      + ("" if ok else f"\n      expected exit {want} and: {expect}"))
            check(secs < TIME_LIMIT, f"{name}: answered within {TIME_LIMIT} s")
            for text in absent:
                check(text not in r.stderr, f"{name}: the message does not quote '{text}'")
            if kind == "model-ok":
                continue
            # The same input given to `run --force` must leave the file alone.
            r, _ = run([exe, "run", model, "--sweep", sweep, "-o", results, "--force"])
            check(r.returncode == 2 and sha(results) == digest,
                  f"{name}: `run --force` exits 2 and leaves the existing results file as it was")
            n += 1
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"{n} bad inputs; slowest answer {slowest:.2f} s; peak memory of any run "
              f"{usage.ru_maxrss / 1024:.0f} MiB")
        check(n >= 30, f"at least 30 bad inputs ({n})")

        # CRLF line ends and a byte-order mark: the same model.
        crlf = os.path.join(tmp, "crlf")
        os.mkdir(crlf)
        for f in os.listdir(base):
            if f.endswith((".yaml", ".csv")):
                text = open(os.path.join(base, f), newline="").read()
                open(os.path.join(crlf, f), "w", newline="").write("\ufeff" + text.replace("\n", "\r\n"))
        r1, _ = run([exe, "solve", base])
        r2, _ = run([exe, "solve", crlf])
        line = lambda out: [l for l in out.splitlines() if l.startswith("Total cost")]
        check(r2.returncode == 0 and line(r1.stdout) == line(r2.stdout) and line(r1.stdout),
              f"CRLF + byte-order mark solve to the same total: {line(r2.stdout)}")
    return finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
