#!/usr/bin/python3
"""`supplymix run/solve/export --portfolio FILE` (README "Plans", docs/CLI.md):
(a) run --portfolio with a CSV equals, scenario by scenario, glpsol and cbc
on `export --scenario I --portfolio` (fees included, to 1e-9 relative); and
`solve --portfolio` reports the same total; (b) a portfolio of zeros equals
the model with every contract offer removed; (c) every refusal exits 2 with
FILE:LINE (CSV) or the dataset (plan file) in its message and leaves an
existing output as it was, and --resume refuses another portfolio; (d)
run --portfolio PLAN.h5 reproduces the plan file's total_cost and
cost_commitment in every scenario, with one policy per grid point, and
--policy P picks one for all.

usage: test_portfolio.py SUPPLYMIX
"""
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from sm_testing import check, failures, sha, glpsol, cbc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

MODEL = """name: portfolio_test
periods:
  count: 3
  first: "2027-01"
regions:
  China: {tariff: 0.25}
  USA: {}
materials:
  NdPr:
    shortfall_penalty: 1000
  Dy:
    shortfall_penalty: 9000
limits:
  cap:
    kind: cap
    regions: [China]
    share: 0.6
tables:
  suppliers: suppliers.csv
  demand: demand.csv
"""
HEADER = ("supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
          "start_period,ramp_periods,terms,fee_usd_per_t,source\n")
CONTRACTS = ("C1,China,NdPr,100,8,0,1,0,contract,3,test\n"
             "C1,China,Dy,20,300,0,1,0,contract,30,test\n"
             "U2,USA,NdPr,60,12,1,2,0,contract,2,test\n")
SPOT = "U1,USA,NdPr,100,15,0,1,0,spot,,test\n"
DEMAND = "material,period,demand_t\nNdPr,1,100\nNdPr,2,100\nNdPr,3,110\nDy,1,10\nDy,2,10\nDy,3,12\n"
SWEEP = """name: pf
seed: 11
samples: 6
block_size: 4
sampling: lhs
parameters:
  share.cap: {values: [0.5, 1.0]}
  availability.China: {dist: event, p: 0.5, yes: 0.3, no: 1.0}
  price.U1: {dist: uniform, low: 0.8, high: 1.3}
  delay.U2: {dist: choice, values: [0, 1]}
"""
PORTFOLIO = ("supplier,material,period,tonnes\n"
             "C1,NdPr,2027Q1,40\nC1,NdPr,2,35.5\nC1,Dy,2027Q3,8\nU2,NdPr,2027Q2,50\n")


def run(exe, *args):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def make_model(tmp, name, suppliers):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    write(os.path.join(d, "model.yaml"), MODEL)
    write(os.path.join(d, "suppliers.csv"), HEADER + suppliers)
    write(os.path.join(d, "demand.csv"), DEMAND)
    return d


def rel(a, b):
    return abs(a - b) / max(1.0, abs(b))


def crosscheck(exe, tmp, model, sweep, csv, out):
    """(a) run --portfolio against glpsol and cbc on exported scenarios."""
    r = run(exe, "run", model, "--sweep", sweep, "-o", out, "--portfolio", csv, "-j", "2")
    check(r.returncode == 0, "run --portfolio CSV exits 0\n" + r.stderr[-1500:])
    c = subprocess.run([sys.executable, os.path.join(HERE, "check_results_file.py"), out],
                       capture_output=True, text=True)
    check(c.returncode == 0, "the file passes check_results_file.py\n" + c.stdout[-1500:])
    fees = 3 * (40 + 35.5) + 30 * 8 + 2 * 50
    with h5py.File(out) as f:
        total, status = f["total_cost"][:], f["status"][:]
        parts = sum(f[p][:] for p in ["cost_purchase", "cost_tariff", "cost_freight",
                                      "cost_holding", "cost_shortfall", "cost_commitment"])
        check(np.allclose(f["cost_commitment"][:], fees, rtol=0, atol=1e-9),
              f"cost_commitment = sum fee * k = {fees} USD in every scenario")
        check(f["cost_commitment"].attrs["units"] == "USD", "cost_commitment in USD")
        check(np.allclose(total, parts, rtol=1e-12), "total_cost is the sum of its parts, fees included")
        check(f.attrs["portfolio_file"] == csv and len(f.attrs["portfolio_hash"]) == 16,
              "root attributes portfolio_file and portfolio_hash")
        check(f["inputs/portfolio_file"][()].decode() == PORTFOLIO, "the CSV verbatim under /inputs")
        buys = f["purchases"][:]  # scenario, supplier, material, period
    check(np.all(status == 1), "every scenario optimal")
    check(np.all(buys[:, 0, 0, 0] <= 40 + 1e-9) and np.all(buys[:, 0, 0, 1] <= 35.5 + 1e-9)
          and np.all(buys[:, 0, 0, 2] <= 1e-9) and np.all(buys[:, 0, 1, :2] <= 1e-9),
          "contract purchases stay within the committed tonnes (0 where none)")
    for i in (0, 3, 7, 10):
        lp = os.path.join(tmp, f"s{i}.lp")
        r = run(exe, "export", model, "--sweep", sweep, "--scenario", str(i), "--portfolio", csv,
                "--lp", lp)
        check(r.returncode == 0 and "objective_constant" in open(lp).read(),
              f"export --scenario {i} --portfolio: the fees as a fixed column\n{r.stderr}")
        for name, solve in (("glpsol", glpsol), ("cbc", cbc)):
            v = solve(lp)
            check(v is not None and rel(v, total[i]) <= 1e-9,
                  f"scenario {i}: {name} {v} = run's total_cost {total[i]} (limit 1e-9)")
        r = run(exe, "solve", model, "--sweep", sweep, "--scenario", str(i), "--portfolio", csv)
        m = re.search(r"Total cost over the horizon\s+([\d,]+) USD", r.stdout)
        check(r.returncode == 0 and m and abs(float(m.group(1).replace(",", "")) - total[i]) < 1,
              f"solve --scenario {i} --portfolio reports the run's total")
        check("commitment fees (portfolio)" in r.stdout, "solve's report shows the fees")


def zeros_equal_no_contracts(exe, tmp, model, sweep):
    """(b) k = 0 everywhere is the model without its contract offers."""
    zeros = write(os.path.join(tmp, "zeros.csv"),
                  "supplier,material,period,tonnes\nC1,NdPr,1,0\nU2,NdPr,2027Q3,0\n")
    spot = make_model(tmp, "spot_only", SPOT)
    a, b = os.path.join(tmp, "zeros.h5"), os.path.join(tmp, "spot.h5")
    # Both without delay.U2 (the spot-only model has no U2), so the same futures.
    sweep = sweep.replace("sweep.yaml", "sweep_spot.yaml")
    r1 = run(exe, "run", model, "--sweep", sweep, "-o", a, "--portfolio", zeros, "-j", "1")
    r2 = run(exe, "run", spot, "--sweep", sweep, "-o", b, "-j", "1")
    check(r1.returncode == 0 and r2.returncode == 0, "zeros and spot-only runs exit 0\n"
          + r1.stderr[-800:] + r2.stderr[-800:])
    with h5py.File(a) as fa, h5py.File(b) as fb:
        ta, tb = fa["total_cost"][:], fb["total_cost"][:]
        check(np.allclose(ta, tb, rtol=1e-9, atol=0), "a portfolio of zeros costs what the model "
              f"without contracts does (max diff {np.max(np.abs(ta - tb)):.3g} USD)")
        check(np.all(fa["cost_commitment"][:] == 0), "no fees on zeros")
        check(np.allclose(fa["shortfall_total"][:], fb["shortfall_total"][:], rtol=1e-9, atol=1e-9)
              and np.all(fa["shortfall_total"][:, 1] > 0), "shortfall fills in (Dy has no spot offer)")


BAD_CSV = [
    ("X9,NdPr,2027Q1,1", r"bad\.csv:2: error: supplier: unknown supplier 'X9'"),
    ("C1,Tb,2027Q1,1", r"bad\.csv:2: error: material: unknown material 'Tb'"),
    ("C1,NdPr,2031Q1,1", r"bad\.csv:2: error: period: unknown period '2031Q1' \(the model's periods "
                         r"are 2027Q1\.\.2027Q3, or 1\.\.3\)"),
    ("C1,NdPr,4,1", r"bad\.csv:2: error: period: unknown period '4'"),
    ("U1,NdPr,1,5", r"bad\.csv:2: error: U1 NdPr is a spot offer, which cannot be committed"),
    ("U1,Dy,1,5", r"bad\.csv:2: error: U1 does not offer Dy"),
    ("C1,NdPr,1,-1", r"bad\.csv:2: error: tonnes: -1 is negative"),
    ("C1,NdPr,1,lots", r"bad\.csv:2: error: tonnes: 'lots' is not a number"),
    ("C1,NdPr,1,nan", r"bad\.csv:2: error: tonnes: 'nan'"),
    ("C1,NdPr,1,100.5", r"bad\.csv:2: error: tonnes: 100\.5 t of C1 NdPr in 2027Q1 is above what "
                        r"can be committed, k_ub = 100 t"),
    ("U2,NdPr,2027Q1,1", r"bad\.csv:2: error: tonnes: 1 t of U2 NdPr in 2027Q1 is above what can "
                         r"be committed, k_ub = 0 t"),
    ("C1,NdPr,1,1\nC1,NdPr,2027Q1,2", r"bad\.csv:3: error: C1 NdPr in period 2027Q1 is given "
                                      r"twice \(first at line 2\)"),
]


def refusals(exe, tmp, model, sweep, out):
    """(c) bad portfolios: exit 2, the place in the message, the output untouched."""
    before = sha(out)
    bad = os.path.join(tmp, "bad.csv")
    cases = [(("supplier,material,period,tonnes\n" + row + "\n"), pat, [])
             for row, pat in BAD_CSV]
    cases.append(("supplier,material,tonnes\nC1,NdPr,1\n",
                  r"bad\.csv:1: error: missing column 'period'", []))
    cases.append(("supplier,material,period,tonnes,note\nC1,NdPr,1,1,x\n",
                  r"bad\.csv:1: error: unknown column 'note'", []))
    cases.append((PORTFOLIO, r"--policy picks a policy of a plan file", ["--policy", "0"]))
    os.chdir(tmp)
    for text, pat, extra in cases:
        write(bad, text)
        for force in ([], ["--force"]):
            r = run(exe, "run", model, "--sweep", sweep, "-o", out, "--portfolio", "bad.csv",
                    *force, *extra)
            check(r.returncode == 2 and re.search(pat, r.stderr),
                  f"refused with exit 2 and /{pat}/ {force} (got {r.returncode}: "
                  f"{r.stderr.strip()[:300]})")
    for args, pat in (
            (["solve", model, "--portfolio", "bad.csv"], r"--portfolio needs --sweep"),
            (["run", model, "--sweep", sweep, "-o", out, "--policy", "1", "--force"],
             r"--policy goes with --portfolio"),
            (["export", model, "--sweep", sweep, "--extensive", "--portfolio", "bad.csv", "--lp",
              os.path.join(tmp, "x.lp")], r"no --scenario or --portfolio"),
            (["run", model, "--sweep", sweep, "-o", out, "--portfolio", "missing.csv", "--force"],
             r"missing\.csv: error: cannot open")):
        r = run(exe, *args)
        check(r.returncode == 2 and re.search(pat, r.stderr),
              f"{args[0]} refused with exit 2 and /{pat}/ ({r.stderr.strip()[:200]})")
    r = run(exe, "run", model, "--sweep", sweep, "-o", out, "--portfolio", out, "--force")
    check(r.returncode == 2, f"the output as its own portfolio is refused ({r.stderr.strip()[:200]})")
    check(sha(out) == before, "the existing output is unchanged after every refusal")


def resume_checks(exe, tmp, model, sweep, out, csv):
    before = sha(out)
    other = write(os.path.join(tmp, "other.csv"), PORTFOLIO.replace("35.5", "35.25"))
    for extra, pat in ((["--portfolio", other], r"was made with portfolio .*portfolio\.csv"),
                       ([], r"was made with --portfolio")):
        r = run(exe, "run", model, "--sweep", sweep, "-o", out, "--resume", *extra)
        check(r.returncode == 2 and re.search(pat, r.stderr),
              f"--resume {extra} refused ({r.stderr.strip()[:300]})")
    check(sha(out) == before, "refused resumes leave the file as it was")
    r = run(exe, "run", model, "--sweep", sweep, "-o", out, "--resume", "--portfolio", csv)
    check(r.returncode == 0 and "nothing left to do" in r.stderr,
          f"--resume with the same portfolio goes on ({r.stderr.strip()[:300]})")


def slices(exe, tmp, model, sweep, out, csv):
    """Shards of a portfolio run merge into the whole run; other portfolios do not."""
    other = os.path.join(tmp, "other.csv")
    shards = [os.path.join(tmp, f"shard{k}.h5") for k in range(3)]
    for k, pf in ((0, csv), (1, csv), (2, other)):
        run(exe, "run", model, "--sweep", sweep, "-o", shards[k], "--portfolio", pf, "--slice",
            f"{min(k, 1)}/2")
    merged = os.path.join(tmp, "merged.h5")
    r = run(exe, "merge", merged, shards[0], shards[1])
    with h5py.File(out) as a, h5py.File(merged) as b:
        check(r.returncode == 0 and np.array_equal(a["total_cost"][:], b["total_cost"][:])
              and np.array_equal(a["cost_commitment"][:], b["cost_commitment"][:])
              and a.attrs["portfolio_hash"] == b.attrs["portfolio_hash"],
              "merged shards of a portfolio run equal the whole run\n" + r.stderr[-500:])
    r = run(exe, "merge", os.path.join(tmp, "mixed.h5"), shards[0], shards[2])
    check(r.returncode == 2 and "refusing to merge" in r.stderr and "portfolio" in r.stderr,
          f"shards of other portfolios are not merged ({r.stderr.strip()[:300]})")


def fake_plan(path, k, suppliers=("C1", "U2", "U1"), periods=("2027Q1", "2027Q2", "2027Q3"),
              name="commitment"):
    """A file with a plan file's commitment and its scales (layout 3)."""
    with h5py.File(path, "w") as f:
        f.create_dataset("supplier", data=np.array(suppliers, dtype=object),
                         dtype=h5py.string_dtype())
        f.create_dataset("material", data=np.array(["NdPr", "Dy"], dtype=object),
                         dtype=h5py.string_dtype())
        f.create_dataset("period", data=np.array(periods, dtype=object),
                         dtype=h5py.string_dtype())
        f.create_dataset(name, data=k)
    return path


def plan_refusals(exe, tmp, model, sweep, out):
    before = sha(out)
    k = np.zeros((1, 3, 2, 3))
    k[0, 0, 0, :] = 30
    good = fake_plan(os.path.join(tmp, "one.h5"), k)
    nan = k.copy()
    nan[0, 0, 0, 1] = np.nan
    spot = k.copy()
    spot[0, 2, 0, 0] = 5
    big = k.copy()
    big[0, 0, 1, 2] = 25
    three = np.repeat(k, 3, axis=0)
    cases = [
        (fake_plan(os.path.join(tmp, "nok.h5"), k, name="portfolio"),
         r"nok\.h5: error: has no dataset 'commitment'", []),
        (fake_plan(os.path.join(tmp, "sup.h5"), k, suppliers=("C1", "U9", "U1")),
         r"sup\.h5: error: commitment: its suppliers", []),
        (fake_plan(os.path.join(tmp, "per.h5"), k, periods=("2027Q1", "2027Q2", "2028Q1")),
         r"per\.h5: error: commitment: its periods", []),
        (fake_plan(os.path.join(tmp, "dim.h5"), np.zeros((1, 3, 2, 2)), periods=("2027Q1", "2027Q2")),
         r"dim\.h5: error: commitment: expected dimensions", []),
        (fake_plan(os.path.join(tmp, "nan.h5"), nan),
         r"nan\.h5: error: commitment\[policy 0, C1, NdPr, 2027Q2\] = nan t is NaN", []),
        (fake_plan(os.path.join(tmp, "spot.h5"), spot),
         r"spot\.h5: error: commitment\[policy 0, U1, NdPr, 2027Q1\] = 5 t is not 0, but it is a "
         r"spot offer", []),
        (fake_plan(os.path.join(tmp, "big.h5"), big),
         r"big\.h5: error: commitment\[policy 0, C1, Dy, 2027Q3\]: 25 t is above", []),
        (fake_plan(os.path.join(tmp, "three.h5"), three),
         r"three\.h5 has 3 policies and sweep 'pf' 2 grid points: name the policy", []),
        (good, r"--policy 1: .*one\.h5 has policies 0\.\.0", ["--policy", "1"]),
    ]
    for path, pat, extra in cases:
        r = run(exe, "run", model, "--sweep", sweep, "-o", out, "--portfolio", path, "--force",
                *extra)
        check(r.returncode == 2 and re.search(pat, r.stderr),
              f"plan file refused with exit 2 and /{pat}/ ({r.returncode}: {r.stderr.strip()[:300]})")
    check(sha(out) == before, "the existing output is unchanged after every plan refusal")
    o = os.path.join(tmp, "three.out.h5")
    r = run(exe, "run", model, "--sweep", sweep, "-o", o, "--portfolio", cases[7][0],
            "--policy", "2")
    check(r.returncode == 0, "--policy 2 picks one of three policies\n" + r.stderr[-500:])


def plan_reproduced(exe, tmp, model, sweep):
    """(d) the plan file's futures at k*, again through run --portfolio."""
    plan, out = os.path.join(tmp, "plan.h5"), os.path.join(tmp, "plan_run.h5")
    r = run(exe, "plan", model, "--sweep", sweep, "-o", plan, "-j", "2")
    check(r.returncode == 0, "plan exits 0\n" + r.stderr[-1000:])
    r = run(exe, "run", model, "--sweep", sweep, "-o", out, "--portfolio", plan, "-j", "2")
    check(r.returncode == 0 and "each grid point at its own policy" in r.stderr,
          "run --portfolio PLAN.h5 exits 0, a policy per grid point\n" + r.stderr[-1000:])
    with h5py.File(plan) as p, h5py.File(out) as f:
        tp, tr = p["total_cost"][:], f["total_cost"][:]
        d = np.max(np.abs(tr - tp) / np.maximum(1.0, np.abs(tp)))
        check(np.all(f["status"][:] == p["status"][:]), "the same statuses as the plan file")
        check(d <= 1e-9, f"every scenario's total_cost equals the plan file's (max rel. diff {d:.2e})")
        check(np.allclose(f["cost_commitment"][:], p["cost_commitment"][:], rtol=1e-12),
              "cost_commitment equals the plan file's")
        check(np.array_equal(f["inputs/portfolio_commitment"][:], p["commitment"][:]),
              "the plan's commitment verbatim under /inputs")
        check(int(f.attrs["portfolio_policy"]) == -1, "portfolio_policy -1: each its own")
        k = p["commitment"][:]
        G = k.shape[0]
        plan_total = p["total_cost"][:]
    # solve --portfolio PLAN.h5 --scenario I: the plan file's future I at its
    # grid point's portfolio (issue 13, item 1).
    for i in sorted({0, 1, len(plan_total) // 2, len(plan_total) - 1}):
        r = run(exe, "solve", model, "--sweep", sweep, "--scenario", str(i), "--portfolio", plan)
        m = re.search(r"^Total cost over the horizon\s+(-?[\d,]+) USD", r.stdout, re.M)
        got = float(m.group(1).replace(",", "")) if m else None
        check(r.returncode == 0 and got is not None and abs(got - plan_total[i]) <= 0.5 + 1e-9 * abs(plan_total[i]),
              f"solve --portfolio PLAN.h5 --scenario {i}: total {got} = the plan file's {plan_total[i]:.1f}"
              + (" " + r.stderr.strip()[-300:] if r.returncode else ""))
    one_thread = os.path.join(tmp, "plan_run_j1.h5")
    r = run(exe, "run", model, "--sweep", sweep, "-o", one_thread, "--portfolio", plan, "-j", "1")
    c = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), out, one_thread],
                       capture_output=True, text=True)
    check(r.returncode == 0 and c.returncode == 0, "the same file on 1 and 2 threads\n" + c.stdout[-800:])
    for g in range(G):
        one = os.path.join(tmp, f"plan_run{g}.h5")
        r = run(exe, "run", model, "--sweep", sweep, "-o", one, "--portfolio", plan,
                "--policy", str(g))
        with h5py.File(one) as f, h5py.File(out) as a:
            same = f["total_cost"][g::G] - a["total_cost"][g::G]
            check(r.returncode == 0 and np.max(np.abs(same)) <= 1e-9 * np.max(np.abs(a["total_cost"][:]))
                  and int(f.attrs["portfolio_policy"]) == g,
                  f"--policy {g} for all: grid point {g}'s scenarios as before")


def main(exe):
    exe = os.path.abspath(exe)
    with tempfile.TemporaryDirectory() as tmp:
        model = make_model(tmp, "model", CONTRACTS + SPOT)
        sweep = write(os.path.join(tmp, "sweep.yaml"), SWEEP)
        # The spot-only model has no U2 to delay.
        write(os.path.join(tmp, "sweep_spot.yaml"),
              SWEEP.replace("  delay.U2: {dist: choice, values: [0, 1]}\n", ""))
        csv = write(os.path.join(tmp, "portfolio.csv"), PORTFOLIO)
        out = os.path.join(tmp, "out.h5")
        crosscheck(exe, tmp, model, sweep, csv, out)
        zeros_equal_no_contracts(exe, tmp, model, sweep)
        refusals(exe, tmp, model, sweep, out)
        resume_checks(exe, tmp, model, sweep, out, csv)
        slices(exe, tmp, model, sweep, out, csv)
        plan_refusals(exe, tmp, model, sweep, out)
        plan_reproduced(exe, tmp, model, sweep)
    print("FAILED: %d" % len(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
