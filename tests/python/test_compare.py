#!/usr/bin/python3
"""Two runs side by side (scripts/supplymix_compare.py and
supplymix_report.py A.h5 --compare B.h5).

Runs one grid sweep (three China caps x two export availabilities) on the
shipped rare_earths model (A) and on a copy where one price differs: Lynas
NdPr oxide at 121,000 instead of 110,000 USD/t (B). Then checks that:
- the inputs that differ are exactly that: one line of /inputs/suppliers_file
  (the Lynas NdPr row, old and new), and the model hash; not the sweep;
- every scenario's cost rises by between 11,000 USD/t x the Lynas NdPr
  tonnes bought in B and 11,000 x those bought in A (each run's plan is
  feasible in the other, so LP optimality bounds the difference), and the
  comparison's P50/P90/P99 of total and cash cost per cap level, and its
  shares of purchases, equal numpy's on h5py's values;
- the text (supplymix_compare.py) and HTML (--compare) forms say so, the
  HTML loads nothing (no src/href outside data:);
- A against itself: no inputs differ, every difference is 0; the report of
  A alone (a pure grid) is written, with its regret table;
- two different sweeps (other parameters; the same parameters with another
  scenario count; a plan file against a sweep's file) are refused with
  exit code 2 and a message saying what differs, by both scripts;
- `supplymix compare A B [-o FILE]` prints (writes) what the script does,
  with its exit codes, and exits 1 when its script is missing.

usage: test_compare.py SUPPLYMIX        (exit 1 on any failure)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import supplymix_compare as smc  # noqa: E402
from sm_testing import check, failures, run  # noqa: E402

COMPARE = os.path.join(ROOT, "scripts", "supplymix_compare.py")
REPORT = os.path.join(ROOT, "scripts", "supplymix_report.py")
OLD, NEW = "Lynas,Australia,NdPr_oxide,105,110000,", "Lynas,Australia,NdPr_oxide,105,121000,"
DP = 11000.0
SWEEP = """\
name: compare_grid
parameters:
  share.china_cap: {values: [0.3, 0.5, 0.7]}
  availability.China: {values: [0.2, 1.0]}
"""
OTHER = """\
name: compare_other
parameters:
  share.china_cap: {values: [0.3, 0.5, 0.7]}
  tariff.China: {values: [0.25, 0.5]}
"""
BIGGER = """\
name: compare_grid
parameters:
  share.china_cap: {values: [0.3, 0.4, 0.5, 0.7]}
  availability.China: {values: [0.2, 1.0]}
"""
PLAN = """\
name: compare_plan
seed: 3
samples: 3
parameters:
  share.china_cap: {values: [0.3, 0.5, 0.7]}
  availability.China: {dist: event, p: 0.5, yes: 0.2, no: 1.0}
"""


def solve(exe, tmp, model, sweep_text, name, cmd="run"):
    sweep = os.path.join(tmp, name + ".yaml")
    with open(sweep, "w") as f:
        f.write(sweep_text)
    out = os.path.join(tmp, name + ".h5")
    p = run([exe, cmd, model, "--sweep", sweep, "-o", out, "-j", "2"])
    check(p.returncode == 0, f"{name}: supplymix {cmd} exits 0", p.stderr[-600:])
    return out


def read(path):
    with h5py.File(path, "r") as f:
        sup = [s.decode() if isinstance(s, bytes) else s for s in f["supplier"][:]]
        mat = [s.decode() if isinstance(s, bytes) else s for s in f["material"][:]]
        x = f["purchases"][:, sup.index("Lynas"), mat.index("NdPr_oxide"), :].sum(axis=1)
        return {"cost": f["total_cost"][:], "short": f["cost_shortfall"][:], "lynas": x,
                "pbr": f["purchases_by_region"][:], "cap": f["parameters"][:, 0]}


def check_one_price(tmp, a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = smc.compare(a, b)
    diffs = c["input_diffs"]
    lines = [ln for ln in diffs.get("suppliers_file", []) if ln[:1] in "+-"
             and not ln.startswith(("+++", "---"))]
    check(list(diffs) == ["suppliers_file"] and len(lines) == 2
          and lines[0].startswith("-" + OLD) and lines[1].startswith("+" + NEW),
          "one price: the only input that differs is the Lynas NdPr row of suppliers_file",
          diffs)
    check([k for k, _, _ in c["attrs"]] == ["model_hash"],
          "one price: of the run attributes only model_hash differs", c["attrs"])
    A, B = read(a), read(b)
    d = B["cost"] - A["cost"]
    tol = 1e-9 * np.abs(A["cost"]).max()
    check(np.all(d >= DP * B["lynas"] - tol) and np.all(d <= DP * A["lynas"] + tol)
          and np.any(d > 0),
          "one price: every scenario's cost rises by between 11,000 USD/t x Lynas NdPr "
          f"tonnes in B and in A ({d.min() / 1e6:.2f}..{d.max() / 1e6:.2f} M USD)")
    ok, n = True, 0
    for pol, what, q, x, y, diff in smc.cost_rows(c):
        cap = float(re.search(r"([\d.]+) %", pol).group(1)) / 100
        m = np.isclose(A["cap"], cap)
        va = A["cost"][m] - (A["short"][m] if what == "cash_cost" else 0)
        vb = B["cost"][m] - (B["short"][m] if what == "cash_cost" else 0)
        k = int(q[1:])
        ok &= x == np.percentile(va, k) and y == np.percentile(vb, k) and diff == y - x
        ok &= diff >= -tol
        n += 1
    check(ok and n == 18, f"one price: {n} cost percentiles (3 caps x total/cash x P50/P90/P99) "
          "equal numpy's on h5py's values, none lower in B")
    ok = True
    for pol, reg, mat, x, y, diff in smc.share_rows(c):
        cap = float(re.search(r"([\d.]+) %", pol).group(1)) / 100
        m = np.isclose(A["cap"], cap)
        ri, mi = c["a"].regions.index(reg), c["a"].materials.index(mat)
        for val, R in ((x, A), (y, B)):
            mean = R["pbr"][m].mean(axis=0)
            ok &= np.isclose(val, mean[ri, mi] / mean[:, mi].sum(), rtol=1e-12)
    check(ok, "one price: shares of purchases per cap level equal h5py's")
    p = run(["/usr/bin/python3", COMPARE, a, b])
    check(p.returncode == 0 and "/inputs/suppliers_file" in p.stdout and NEW in p.stdout
          and "model_hash" in p.stdout and "Share of purchases" in p.stdout,
          "text: supplymix_compare.py prints the differing input, hashes, costs and shares",
          p.stderr[-800:] + p.stdout[:800])
    html = os.path.join(tmp, "cmp.html")
    p = run(["/usr/bin/python3", REPORT, a, "--compare", b, "-o", html])
    page = open(html).read() if os.path.exists(html) else ""
    refs = re.findall(r'(?:src|href)\s*=\s*["\']?([^"\' >]+)', page)
    check(p.returncode == 0 and NEW in page and "Cost per policy" in page
          and "not a forecast" in page and all(u.startswith(("data:", "#")) for u in refs),
          "html: --compare writes a self-contained page with the same parts", p.stderr[-800:])


def check_subcommand(exe, tmp, a, b, plan):
    """`supplymix compare` runs the script: the same text, file and exit
    codes; without its script it fails with 1, not 2 (bad input)."""
    p = run(["/usr/bin/python3", COMPARE, a, b])
    q = run([exe, "compare", a, b])
    check(q.returncode == 0 and q.stdout == p.stdout and NEW in q.stdout,
          "supplymix compare A B prints what supplymix_compare.py prints", q.stderr[-400:])
    out = os.path.join(tmp, "cmp.txt")
    q = run([exe, "compare", a, b, "-o", out])
    check(q.returncode == 0 and os.path.exists(out) and open(out).read() == p.stdout,
          "supplymix compare A B -o FILE writes the same text", q.stderr[-400:])
    q = run([exe, "compare", a])
    check(q.returncode == 2, "supplymix compare with one file: exit 2", q.stderr[-400:])
    q = run([exe, "compare", a, plan])
    check(q.returncode == 2 and "not runs of the same sweep" in q.stderr and q.stdout == "",
          "supplymix compare of a sweep's file and a plan file: refused, exit 2", q.stderr[-400:])
    env = dict(os.environ, SUPPLYMIX_SCRIPTS=tmp)
    q = subprocess.run([exe, "compare", a, b], capture_output=True, text=True, env=env)
    check(q.returncode == 1 and "supplymix_compare.py not found" in q.stderr,
          "supplymix compare without its script: exit 1, saying where it looked", q.stderr)
    q = run([exe, "--help"])
    check("compare A.h5 B.h5" in q.stdout, "supplymix --help lists compare")


def check_same(a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = smc.compare(a, a)
    check(not c["input_diffs"] and not c["attrs"]
          and all(r[-1] == 0 for r in smc.cost_rows(c) + smc.share_rows(c)),
          "same run: no input differs and every difference is 0")


def check_refusals(exe, tmp, model, a):
    others = {"other parameters": solve(exe, tmp, model, OTHER, "other"),
              "more scenarios": solve(exe, tmp, model, BIGGER, "bigger"),
              "a plan file": solve(exe, tmp, model, PLAN, "plan", "plan")}
    for what, b in others.items():
        p = run(["/usr/bin/python3", COMPARE, a, b])
        q = run(["/usr/bin/python3", REPORT, a, "--compare", b, "-o",
                 os.path.join(tmp, "refused.html")])
        check(p.returncode == 2 and q.returncode == 2 and "not runs of the same sweep" in p.stderr
              and "not runs of the same sweep" in q.stderr and p.stdout == ""
              and not os.path.exists(os.path.join(tmp, "refused.html")),
              f"refused with exit 2 by both scripts: {what}: {p.stderr.strip()[:200]}",
              p.stderr + q.stderr)


def main(exe):
    with tempfile.TemporaryDirectory(prefix="sm_compare_") as tmp:
        model_a = os.path.join(ROOT, "models", "rare_earths")
        model_b = os.path.join(tmp, "rare_earths_b")
        shutil.copytree(model_a, model_b)
        path = os.path.join(model_b, "suppliers.csv")
        text = open(path).read()
        assert text.count(OLD) == 1
        with open(path, "w") as f:
            f.write(text.replace(OLD, NEW))
        a = solve(exe, tmp, model_a, SWEEP, "a")
        b = solve(exe, tmp, model_b, SWEEP, "b")
        check_one_price(tmp, a, b)
        html = os.path.join(tmp, "grid.html")
        p = run(["/usr/bin/python3", REPORT, a, "-o", html])
        page = open(html).read() if os.path.exists(html) else ""
        check(p.returncode == 0 and "Regret by policy under each value of availability.China"
              in page and "not a forecast" in page,
              "a pure grid's report: regret against the cheapest cap under the same "
              "availability", p.stderr[-800:])
        check_same(a)
        check_refusals(exe, tmp, model_a, a)
        check_subcommand(exe, tmp, a, b, os.path.join(tmp, "plan.h5"))
    print(f"{len(failures)} failures" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(os.path.abspath(sys.argv[1])))
