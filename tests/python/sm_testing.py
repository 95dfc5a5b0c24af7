"""What every end-to-end test shares: one ok/FAIL line per check (the
failures collected for the exit status), running a command, comparing
results files, and the independent solvers (glpsol, cbc) that every LP
feature is checked against. A test script imports from here rather than
defining its own copies."""
import hashlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def check(cond, what, detail=""):
    """One ok/FAIL line; detail (e.g. a command's stderr) is shown on failure."""
    print(("ok: " if cond else "FAIL: ") + what +
          ("" if cond or not detail else "\n" + str(detail)[:1500]), flush=True)
    if not cond:
        failures.append(what)
    return cond


def finish():
    """The exit status: 1 when any check failed."""
    print(f"{len(failures)} failures")
    return 1 if failures else 0


def run(cmd, timeout=600, **kw):
    """cmd's exit status and text output; a hung command fails after timeout s."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def same_results(a, b):
    """(True when results files a and b hold the same data, the comparer's
    last line) by compare_results.py (timing datasets aside)."""
    r = run([sys.executable, os.path.join(HERE, "compare_results.py"), a, b])
    return r.returncode == 0, r.stdout.strip().splitlines()[-1:]


def glpsol(lp, infeasible=None):
    """The optimal objective glpsol finds for the CPLEX LP file lp, at full
    precision (its solution file), or infeasible when it finds none."""
    sol = lp + ".glpsol.sol"
    r = run(["glpsol", "--lp", lp, "-w", sol])
    if r.returncode:
        return None
    with open(sol) as f:
        for line in f:
            if line.startswith("s "):
                fields = line.split()
                return float(fields[-1]) if fields[4] == "f" else infeasible
    return None


def cbc(lp):
    """The optimal objective cbc finds for the LP file lp, or None."""
    sol = lp + ".cbc.txt"
    run(["cbc", lp, "solve", "solu", sol])
    if not os.path.exists(sol):
        return None
    with open(sol) as f:
        first = f.readline()
    return float(first.split()[-1]) if first.startswith("Optimal") else None
