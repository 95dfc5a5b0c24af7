#!/usr/bin/python3
"""Scoped windows, penalty and discounting against independent solves
(issue 12 items 1, 4, 5):

- a sweep on rare_earths with a tariff on China that starts in a given
  quarter, a Dy-only and a Tb-only control (windows on REGION.MATERIAL),
  penalty.Dy_oxide and discount.rate: every scenario's total_cost equals
  the LP exported for it (`export --sweep S --scenario I`) solved by glpsol
  (1e-7 relative), and the scoped scenarios do differ from one another;
- a model whose model.yaml gives a tariff schedule and a material's
  control (`windows:`) and a discount rate: `solve` equals glpsol and cbc
  on its exported LP;
- bad scopes exit 2 naming the file and line and what exists.

usage: test_scopes.py SUPPLYMIX
"""
import os
import re
import shutil
import sys
import tempfile

import h5py
import numpy as np
from sm_testing import check, finish, run, glpsol, cbc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "models", "rare_earths")

SWEEP = """name: scopes
parameters:
  tariff.China: {values: [0.25, 1.0]}
  tariff.China.from: {values: [1, 5]}
  availability.China.Dy_oxide: {values: [0, 0.3]}
  availability.China.Dy_oxide.from: {values: [3]}
  availability.China.Tb_oxide: {values: [0.2]}
  availability.China.Tb_oxide.until: {values: [8]}
  penalty.Dy_oxide: {values: [0.5, 2]}
  discount.rate: {values: [0, 0.08]}
"""

WINDOWS = """windows:
  tariff.China: {level: 1.0, from: 7}
  availability.China.Dy_oxide: {level: 0.1, from: 2, until: 9}
discount_rate: 0.06
"""


def rel(a, b):
    return abs(a - b) / max(1.0, abs(b))


def sweep_against_glpsol(exe, tmp):
    sw = os.path.join(tmp, "scopes.yaml")
    open(sw, "w").write(SWEEP)
    out = os.path.join(tmp, "scopes.h5")
    r = run([exe, "run", "--sweep", sw, "-o", out, "-j", "2"])
    check(r.returncode == 0, f"run of a scoped sweep exits 0 ({r.stderr.strip()[-120:]})")
    with h5py.File(out, "r") as f:
        total = f["total_cost"][:]
        status = f["status"][:]
    worst, solved = 0.0, 0
    for i in range(len(total)):
        lp = os.path.join(tmp, f"s{i}.lp")
        run([exe, "export", "--sweep", sw, "--scenario", str(i), "--lp", lp])
        obj = glpsol(lp)
        if status[i] != 1 or obj is None:
            check(False, f"scenario {i}: status {status[i]}, glpsol {obj}")
            continue
        solved += 1
        worst = max(worst, rel(total[i], obj))
    check(solved == len(total) and worst <= 1e-7,
          f"{solved} scoped scenarios equal glpsol on their exported LP "
          f"(worst relative difference {worst:.1e}, limit 1e-7)")
    # Scenario order: the first parameter varies slowest. A tariff of 1.0
    # from 2028Q1 (5) costs less than from 2027Q1 (1); penalty and rate move
    # the total; a rate of 0.08 lowers every cost (present values).
    check(total[16] > total[24] > total[0], "tariff 1.0 from period 1 > from period 5 > 0.25")
    check(all(total[2 * k + 1] < total[2 * k] for k in range(16)),
          "discount.rate 0.08 gives a lower present value than 0")
    check(total[0] != total[4], "availability.China.Dy_oxide 0 and 0.3 differ")
    cash_and_shortfall(out, "run file")
    r = run([exe, "table", out])
    import csv, io
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    with h5py.File(out, "r") as f:
        cash, share = f["cash_cost"][:], f["shortfall_share"][:, 1]
    check(r.returncode == 0 and len(rows) == len(cash) and
          all(float(row["cash_cost"]) == cash[i] and
              float(row["shortfall_share.Dy_oxide"]) == share[i] for i, row in enumerate(rows)),
          "table: cash_cost and shortfall_share.MATERIAL columns equal the file's")


def cash_and_shortfall(path, what):
    """cash_cost + cost_shortfall = total_cost; shortfall_share = shortfall
    over demand, per material; some scenario has a shortfall."""
    with h5py.File(path, "r") as f:
        total, cash, pen = f["total_cost"][:], f["cash_cost"][:], f["cost_shortfall"][:]
        q, share = f["shortfall_total"][:], f["shortfall_share"][:]
        demand = f["demand_base"][:].sum(axis=1)
        parts = sum(f[k][:] for k in ("cost_purchase", "cost_tariff", "cost_freight",
                                      "cost_holding"))
        if "cost_commitment" in f:
            parts = parts + f["cost_commitment"][:]
        basis = f.attrs.get("cost_basis", "")
    check(np.allclose(cash + pen, total, rtol=1e-12, atol=1e-6) and
          np.allclose(cash, parts, rtol=1e-12, atol=1e-6),
          f"{what}: cash_cost = purchase + tariff + freight + holding (+ fees) = total - penalty")
    check(q.max() > 0 and np.allclose(share, q / demand, rtol=1e-12, atol=0),
          f"{what}: shortfall_share = shortfall_total / demand, per material (max {share.max():.3f})")
    check("present values" in str(basis) or "undiscounted" in str(basis),
          f"{what}: the cost_basis attribute says how costs are valued ({basis})")


PLAN = """name: plan_scopes
seed: 7
samples: 4
parameters:
  share.china_cap: {values: [0.5]}
  availability.China.Dy_oxide: {dist: choice, values: [0, 1]}
  tariff.China: {values: [1.0]}
  tariff.China.from: {dist: choice, values: [3, 9]}
  discount.rate: {values: [0.08]}
  penalty.Dy_oxide: {values: [0.2]}
"""


def plan_file(exe, tmp):
    sw = os.path.join(tmp, "plan.yaml")
    open(sw, "w").write(PLAN)
    out = os.path.join(tmp, "plan.h5")
    r = run([exe, "plan", "--sweep", sw, "-o", out, "-j", "2"])
    check(r.returncode == 0, f"plan of a scoped, discounted sweep exits 0 ({r.stderr[-160:]})")
    if r.returncode != 0:
        return
    cash_and_shortfall(out, "plan file")
    # Discounted fees and second stages: the plan's RP against glpsol on the
    # exported extensive form (the plan stops at a relative gap of 1e-6).
    lp = os.path.join(tmp, "extensive.lp")
    run([exe, "export", "--sweep", sw, "--extensive", "--grid-point", "0", "--lp", lp])
    g = glpsol(lp)
    with h5py.File(out, "r") as f:
        rp = float(f["RP"][0])
    check(g is not None and rel(rp, g) <= 2e-6,
          f"discounted plan: RP {rp:.1f} USD equals glpsol on the extensive form {g}")


def model_windows_against_glpsol(exe, tmp):
    model = os.path.join(tmp, "windows_model")
    shutil.copytree(MODEL, model)
    path = os.path.join(model, "model.yaml")
    y = open(path).read()
    y = y.replace("limits:\n", WINDOWS + "limits:\n", 1)
    open(path, "w").write(y)
    r = run([exe, "solve", model])
    m = re.search(r"^Total cost over the horizon\s+([\d,]+)", r.stdout, re.M)
    check(r.returncode == 0 and m is not None, f"solve of a model with windows ({r.stderr[-200:]})")
    if not m:
        return
    ours = float(m.group(1).replace(",", ""))
    lp = os.path.join(tmp, "windows.lp")
    run([exe, "export", model, "--lp", lp])
    g, c = glpsol(lp), cbc(lp)
    check(g is not None and c is not None and rel(ours, g) <= 1e-7 and rel(ours, c) <= 1e-6,
          f"model.yaml windows and discount_rate: solve {ours:.0f} USD, glpsol {g}, cbc {c}")
    base = run([exe, "solve"])
    b = re.search(r"^Total cost over the horizon\s+([\d,]+)", base.stdout, re.M)
    check(b and float(b.group(1).replace(",", "")) == 735909573 and ours != 735909573,
          "the shipped base case stays 735,909,573 USD; the windows move it")


def profile_against_glpsol(exe, tmp):
    """A recycler that grows (Cyclic_Kingston's Dy from 0.5 to 3 t/quarter)
    and a plant's announced path: solve equals glpsol on the exported LP,
    and the profile moves the cost."""
    model = os.path.join(tmp, "profile_model")
    shutil.copytree(MODEL, model)
    rows = ["supplier,material,period,capacity_t,source"]
    for t in range(1, 13):
        rows.append(f"Cyclic_Kingston,Dy_oxide,{t},{0.5 + 2.5 * (t - 1) / 11:.4f},test path")
        rows.append(f"EnergyFuels_WhiteMesa_P2,NdPr_oxide,{t},{0 if t < 6 else 40 * (t - 5)},test")
    open(os.path.join(model, "profile.csv"), "w").write("\n".join(rows) + "\n")
    path = os.path.join(model, "model.yaml")
    y = open(path).read().replace("  demand: demand.csv\n",
                                  "  demand: demand.csv\n  capacity_profile: profile.csv\n")
    open(path, "w").write(y)
    r = run([exe, "solve", model])
    m = re.search(r"^Total cost over the horizon\s+([\d,]+)", r.stdout, re.M)
    check(r.returncode == 0 and m is not None, f"solve with a capacity profile ({r.stderr[-200:]})")
    if not m:
        return
    ours = float(m.group(1).replace(",", ""))
    lp = os.path.join(tmp, "profile.lp")
    run([exe, "export", model, "--lp", lp])
    g = glpsol(lp)
    check(g is not None and rel(ours, g) <= 1e-7 and ours != 735909573,
          f"capacity profile: solve {ours:.0f} USD equals glpsol {g} and differs from the base case")
    open(os.path.join(model, "profile.csv"), "a").write("Nobody,Dy_oxide,1,3,x\n")
    r = run([exe, "validate", model])
    check(r.returncode == 2 and "profile.csv:26:" in r.stderr and "unknown supplier 'Nobody'" in r.stderr,
          f"a profile row for an unknown supplier exits 2 at profile.csv:26 ({r.stderr.strip()[-160:]})")


def bad_inputs(exe, tmp):
    cases = [
        ("  tariff.Chna.from: {values: [3]}\n", "sweep", 3,
         "unknown region 'Chna' in 'tariff.Chna.from' (regions: China, Australia, Canada, USA)"),
        ("  availability.China.Dy.from: {values: [3]}\n", "sweep", 3,
         "unknown material 'Dy' in 'availability.China.Dy.from' (materials: NdPr_oxide, "
         "Dy_oxide, Tb_oxide)"),
        ("  tariff.China.Dy_oxide.to: {values: [3]}\n", "sweep", 3,
         "unknown window end 'to'"),
        ("  penalty.Nd: {values: [2]}\n", "sweep", 3, "unknown material 'Nd' in 'penalty.Nd'"),
        # A long list is cut after a whole name, saying there are more.
        ("  price.Nope: {values: [1]}\n", "sweep", 3,
         "unknown material or supplier 'Nope' in 'price.Nope' (materials: NdPr_oxide, Dy_oxide, "
         "Tb_oxide; suppliers: China_Northern_RE, China_RE_Group, China_trader, Lynas, "
         "Iluka_Eneabba, MP_Mountain_Pass, ...)"),
    ]
    cases.append(("  tariff.China.from: {values: [6, 7]}\n  tariff.China.until: {values: [2, 5]}\n",
                  "sweep", 4, "tariff.China: the window ends (until at most 5) before it starts "
                              "(from at least 6) in every scenario"))
    for line, _, lineno, needle in cases:
        sw = os.path.join(tmp, "bad.yaml")
        open(sw, "w").write("name: bad\nparameters:\n" + line)
        r = run([exe, "validate", "--sweep", sw])
        check(r.returncode == 2 and f"bad.yaml:{lineno}:" in r.stderr and needle in r.stderr,
              f"bad scope exits 2 at bad.yaml:{lineno} with '{needle}' ({r.stderr.strip()[-160:]})")
    model = os.path.join(tmp, "bad_model")
    shutil.copytree(MODEL, model)
    path = os.path.join(model, "model.yaml")
    y = open(path).read()
    y = y.replace("limits:\n", "windows:\n  tariff.China: {level: 1, from: 6, until: 2}\nlimits:\n", 1)
    open(path, "w").write(y)
    lineno = y[: y.index("  tariff.China: {level")].count("\n") + 1
    r = run([exe, "validate", model])
    check(r.returncode == 2 and f"model.yaml:{lineno}:" in r.stderr and
          "the window ends (until 2) before it starts (from 6)" in r.stderr,
          f"a window ending before it starts exits 2 at model.yaml:{lineno} ({r.stderr.strip()[-160:]})")


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        sweep_against_glpsol(exe, tmp)
        model_windows_against_glpsol(exe, tmp)
        plan_file(exe, tmp)
        profile_against_glpsol(exe, tmp)
        bad_inputs(exe, tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
