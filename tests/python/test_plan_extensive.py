#!/usr/bin/python3
"""A plan's objective against its extensive form (MODEL.md Part 2): the
shipped model with every non-Chinese offer a contract (fee: 10 % of the
price; Chinese offers stay spot), 20 futures per policy; `supplymix export
--extensive` for each policy, solved by glpsol and by cbc, must agree with
the plan's RP to 1e-6 relative. Also: the extensive form is refused, exit
2, above its stated size.

usage: test_plan_extensive.py SUPPLYMIX
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "models", "rare_earths")
SWEEP = """name: ext
seed: 17
samples: 20
sampling: lhs
parameters:
  share.china_cap: {values: [0.4, 0.6]}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  availability.China.from: {dist: choice, values: [1, 3, 5, 7, 9, 11]}
  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}
  price.Dy_oxide: {dist: lognormal, mu: 0.0, sigma: 0.22}
  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}
"""
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def contract_model(tmp):
    d = os.path.join(tmp, "re_contracts")
    shutil.copytree(MODEL, d)
    # The shipped terms are replaced: this test's plan is fixed whatever they are.
    with open(os.path.join(d, "suppliers.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    cols = [c for c in rows[0] if c not in ("terms", "fee_usd_per_t")]
    cols[cols.index("source"):cols.index("source")] = ["terms", "fee_usd_per_t"]
    for r in rows:
        r["terms"] = "spot" if r["region"] == "China" else "contract"
        r["fee_usd_per_t"] = ""            # commitments.fee_share below
    with open(os.path.join(d, "suppliers.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    y = open(os.path.join(d, "model.yaml")).read()
    open(os.path.join(d, "model.yaml"), "w").write(
        y.replace("\ntables:", "\ncommitments:\n  fee_share: 0.1\ntables:"))
    return d


def glpsol(path):
    out = path + ".glpsol.txt"
    subprocess.run(["glpsol", "--lp", path, "-o", out], capture_output=True, check=True)
    text = open(out).read()
    if not re.search(r"^Status:\s+OPTIMAL", text, re.M):
        return None
    return float(re.search(r"^Objective:\s+\S+\s+=\s+(\S+)", text, re.M).group(1))


def cbc(path):
    out = path + ".cbc.txt"
    subprocess.run(["cbc", path, "solve", "solu", out], capture_output=True, check=True)
    first = open(out).readline()
    return float(first.split()[-1]) if first.startswith("Optimal") else None


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        model = contract_model(tmp)
        sweep = os.path.join(tmp, "ext.yaml")
        open(sweep, "w").write(SWEEP)
        plan = os.path.join(tmp, "plan.h5")
        r = subprocess.run([exe, "plan", model, "--sweep", sweep, "-o", plan, "-j", "2"],
                           capture_output=True, text=True, timeout=600)
        check(r.returncode == 0, "plan exits 0\n" + r.stderr[-1500:])
        with h5py.File(plan) as f:
            rp = f["RP"][:]
            stop = f["plan_stop"][:]
        check(all(s == 1 for s in stop), f"every policy reached the gap ({list(stop)})")
        for g in range(len(rp)):
            lp = os.path.join(tmp, f"ext{g}.lp")
            r = subprocess.run([exe, "export", model, "--sweep", sweep, "--extensive",
                                "--grid-point", str(g), "--lp", lp], capture_output=True, text=True)
            check(r.returncode == 0, f"export --extensive --grid-point {g}\n{r.stderr}")
            for name, solve in (("glpsol", glpsol), ("cbc", cbc)):
                v = solve(lp)
                rel = abs(v - rp[g]) / max(1.0, abs(v)) if v is not None else float("inf")
                check(rel <= 1e-6, f"policy {g}: {name} {v} vs plan RP {rp[g]} "
                                   f"(relative difference {rel:.1e}, limit 1e-6)")
        big = os.path.join(tmp, "big.yaml")
        open(big, "w").write(SWEEP.replace("samples: 20", "samples: 8000"))
        r = subprocess.run([exe, "export", model, "--sweep", big, "--extensive", "--lp",
                            os.path.join(tmp, "big.lp")], capture_output=True, text=True)
        check(r.returncode == 2 and "nonzeros, above the 5000000" in r.stderr,
              f"a too large extensive form is refused with exit 2 ({r.stderr.strip()[:200]})")
        r = subprocess.run([exe, "export", model, "--sweep", sweep, "--extensive",
                            "--grid-point", "7", "--lp", os.path.join(tmp, "x.lp")],
                           capture_output=True, text=True)
        check(r.returncode == 2 and "--grid-point 7" in r.stderr, "an unknown grid point: exit 2")
        r = subprocess.run([exe, "export", model, "--extensive", "--lp",
                            os.path.join(tmp, "x.lp")], capture_output=True, text=True)
        check(r.returncode == 2 and "--extensive needs --sweep" in r.stderr,
              "--extensive without --sweep: exit 2")
    print("FAILED: %d" % len(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
