#!/usr/bin/python3
"""`supplymix solve --sweep SWEEP --scenario I` (issue 13, item 1):

- for several scenarios of monte_carlo, the report's total cost and cost
  parts equal the results file of `supplymix run` for that scenario to
  1e-6 relative (plus half a dollar: the report rounds to whole USD), and
  its header lists each parameter with the file's value and units;
- an infeasible scenario (a US floor no supply can meet) is reported as
  infeasible with exit 0, and explained (issue 13, item 2): the report
  names exactly the floor rows and end-stock target that the least
  relaxation lowers, with the amounts the results file of `run` holds in
  relaxation_limit / relaxation_stock_target (NaN for the feasible
  scenario), and glpsol's optimum of `export --elastic` is their weighted
  sum (points of demand plus tonnes);
- --scenario without --sweep or the reverse, an index out of range, a
  non-number, a sweep of another model: exit 2 with a message.

usage: test_solve_scenario.py SUPPLYMIX
"""
import os
import re
import shutil
import sys
import tempfile

import h5py
import numpy as np
from sm_testing import check, failures, run  # noqa: E402

SCENARIOS = (0, 1, 4321, 9999)
PARTS = {"purchases at ex-works prices": "cost_purchase", "import tariffs": "cost_tariff",
         "freight and handling": "cost_freight", "stock holding": "cost_holding",
         "shortfall penalty": "cost_shortfall"}


def usd(text, label):
    m = re.search(r"^\s*" + re.escape(label) + r"\s+(-?[\d,]+) USD", text, re.M)
    return float(m.group(1).replace(",", "")) if m else None


def close(got, want):
    return got is not None and abs(got - want) <= 1e-6 * abs(want) + 0.5


def check_costs(out, f, i):
    total = usd(out, "Total cost over the horizon")
    check(close(total, f["total_cost"][i]),
          f"scenario {i}: total cost {total} = file's {f['total_cost'][i]:.1f}")
    for label, name in PARTS.items():
        got = usd(out, label)
        check(close(got, f[name][i]), f"scenario {i}: {label} {got} = file's {name} {f[name][i]:.1f}")


def check_header(out, f, i, sweep):
    check(re.search(rf"^Model rare_earths .*, scenario {i} of sweep '{sweep}'", out, re.M) is not None,
          f"scenario {i}: the first line names the scenario and the sweep")
    names = [n.decode() for n in f["parameter"][:]]
    units = [u.decode() for u in f["parameter_units"][:]]
    for k, name in enumerate(names):
        m = re.search(r"^\s+" + re.escape(name) + r"\s+(\S+) (\S+)\s", out, re.M)
        want = f["parameters"][i, k]
        ok = m is not None and abs(float(m.group(1)) - want) <= 1e-5 * abs(want) + 1e-12 \
            and m.group(2) == units[k]
        check(ok, f"scenario {i}: header lists {name} = {want:g} {units[k]}"
                  f" (got {m.group(0).strip() if m else None})")


def bad_inputs(exe, tmp):
    other = os.path.join(tmp, "other.yaml")
    with open(other, "w") as fh:
        fh.write("name: other\nmodel: not_rare_earths\nparameters:\n"
                 "  share.domestic_floor: {values: [0.1]}\n")
    cases = {
        "--scenario without --sweep": (["--scenario", "3"], "--sweep with --scenario"),
        "--sweep without --scenario": (["--sweep", "monte_carlo"], "--sweep with --scenario"),
        "index out of range": (["--sweep", "monte_carlo", "--scenario", "10000"], "scenarios 0..9999"),
        "huge index": (["--sweep", "monte_carlo", "--scenario", "99999999999999999999"],
                       "not a whole number"),
        "non-number": (["--sweep", "monte_carlo", "--scenario", "4x"], "not a whole number"),
        "negative": (["--sweep", "monte_carlo", "--scenario", "-1"], "not a whole number"),
        "empty": (["--sweep", "monte_carlo", "--scenario", ""], "not a whole number"),
        "sweep of another model": (["--sweep", other, "--scenario", "0"], "not_rare_earths"),
    }
    for what, (args, msg) in cases.items():
        r = run([exe, "solve"] + args)
        check(r.returncode == 2 and msg in r.stderr and not r.stdout.strip(),
              f"{what}: exit 2 with '{msg}' (exit {r.returncode}, {r.stderr.strip()[:120]!r})")


def infeasible(exe, tmp):
    path = os.path.join(tmp, "floors.yaml")
    with open(path, "w") as fh:
        fh.write("name: floors\nmodel: rare_earths\nparameters:\n"
                 "  share.domestic_floor: {values: [0.1, 0.6]}\n")
    r = run([exe, "solve", "--sweep", path, "--scenario", "1"])
    check(r.returncode == 0 and "share.domestic_floor" in r.stdout and "infeasible" in r.stdout
          and "Total cost" not in r.stdout,
          f"a 60 % US floor: reported infeasible, exit 0 (exit {r.returncode}, {r.stderr.strip()!r})")
    r = run([exe, "solve", "--sweep", path, "--scenario", "0"])
    base = run([exe, "solve"])
    check(r.returncode == 0 and usd(r.stdout, "Total cost over the horizon") is not None
          and usd(r.stdout, "Total cost over the horizon") == usd(base.stdout, "Total cost over the horizon"),
          "the base case's floor as a scenario: the base case's total cost")


def explained(exe, tmp):
    path = os.path.join(tmp, "stock.yaml")
    with open(path, "w") as fh:
        fh.write("name: stock\nmodel: rare_earths\nparameters:\n"
                 "  stock.capacity.Dy_oxide: {values: [35, 10]}\n"
                 "  share.domestic_floor: {values: [0.1, 0.6]}\n")
    out = os.path.join(tmp, "stock.h5")
    r = run([exe, "run", "--sweep", path, "-o", out, "-j", "2"])
    check(r.returncode == 0, f"run --sweep stock exits 0 ({r.stderr.strip()[-200:]})")
    if r.returncode:
        return
    with h5py.File(out, "r") as f:
        check("relaxation_limit" in f and "relaxation_stock_target" in f,
              "the results file holds relaxation_limit and relaxation_stock_target")
        if "relaxation_limit" not in f:
            return
        status = f["status"][:]
        relax, stock = f["relaxation_limit"][:], f["relaxation_stock_target"][:]
        limits = [n.decode() for n in f["limit"][:]]
        mats = [n.decode() for n in f["material"][:]]
        periods = [n.decode() for n in f["period"][:]]
    check(list(status) == [1, 2, 2, 2], f"statuses optimal, then 3 infeasible ({list(status)})")
    check(np.all(np.isnan(relax[0])) and np.all(np.isnan(stock[0])),
          "the feasible scenario's relaxation is NaN")
    for i in (1, 2, 3):
        r = run([exe, "solve", "--sweep", path, "--scenario", str(i)])
        named = {}
        for m in re.finditer(r"^  (\S+) (\S+) (\S+): .* asks ([\d.]+) % \(relax by ([\d.]+) points\)",
                             r.stdout, re.M):
            named[(limits.index(m.group(1)), mats.index(m.group(2)), periods.index(m.group(3)))] = \
                float(m.group(5))
        want = {(k, m, t): 100 * relax[i, k, m, t] for k, m, t in zip(*np.nonzero(relax[i] > 1e-9))}
        check(set(named) == set(want) and all(abs(named[x] - want[x]) <= 0.051 for x in want),
              f"scenario {i}: the report names exactly the file's {len(want)} relaxed floor rows "
              f"and their points ({len(named)} named)")
        lowered = re.findall(r"^  end-stock target (\S+): .*\(lower it by ([\d.]+) t", r.stdout, re.M)
        want_s = [(mats[m], stock[i, m]) for m in np.nonzero(stock[i] > 1e-9)[0]]
        check([x[0] for x in lowered] == [x[0] for x in want_s]
              and all(abs(float(a[1]) - b[1]) <= 0.051 for a, b in zip(lowered, want_s)),
              f"scenario {i}: the end-stock targets named {lowered} = the file's {want_s}")
        lp = os.path.join(tmp, f"elastic{i}.lp")
        r = run([exe, "export", "--sweep", path, "--scenario", str(i), "--elastic", "--lp", lp])
        g = run(["glpsol", "--lp", lp, "-o", lp + ".out"])
        obj = None
        if r.returncode == 0 and g.returncode == 0:
            m = re.search(r"^Objective:\s+\S+ = (\S+)", open(lp + ".out").read(), re.M)
            obj = float(m.group(1)) if m else None
        total = 100 * np.nansum(relax[i]) + np.nansum(stock[i])
        check(obj is not None and abs(obj - total) <= 1e-6 * max(1.0, total),
              f"scenario {i}: glpsol's optimum of export --elastic {obj} = the file's weighted "
              f"relaxation {total:.6f}")
    check(abs(stock[2, 1] - 4.0) < 1e-9, f"Dy_oxide's end-stock target 14 t above a 10 t "
                                           f"stockpile: lowered by 4 t ({stock[2, 1]})")


def infeasible_model(exe, tmp):
    """`solve MODEL` on a model whose own floor cannot be met explains it too."""
    here = os.path.dirname(os.path.abspath(__file__))
    model = os.path.join(tmp, "floor60")
    shutil.copytree(os.path.join(here, "..", "..", "models", "rare_earths"), model)
    yaml = os.path.join(model, "model.yaml")
    text = open(yaml).read()
    assert "    share: 0.10\n" in text
    open(yaml, "w").write(text.replace("    share: 0.10\n", "    share: 0.60\n"))
    r = run([exe, "solve", model])
    lines = re.findall(r"^  domestic_floor NdPr_oxide (\S+): USA can supply at most", r.stdout, re.M)
    check(r.returncode == 0 and "base case" in r.stdout and len(lines) == 11,
          f"solve on a model with a 60 % US floor: 11 relaxed quarters named ({lines})")


def why_short(exe, tmp):
    """Item 4: China's exports cut to 20 %: the report says which materials went
    short in how many periods (as the results file), and that China's offers
    were held by export availability in every one of them."""
    path = os.path.join(tmp, "short.yaml")
    with open(path, "w") as fh:
        fh.write("name: short\nmodel: rare_earths\nparameters:\n"
                 "  availability.China: {values: [0.2, 1.0]}\n")
    out = os.path.join(tmp, "short.h5")
    r = run([exe, "run", "--sweep", path, "-o", out, "-j", "1"])
    with h5py.File(out, "r") as f:
        q = f["shortfall"][0]
        mats = [n.decode() for n in f["material"][:]]
    r = run([exe, "solve", "--sweep", path, "--scenario", "0"])
    said = dict(re.findall(r"^  (\S+) went short in (\d+) period\(s\)", r.stdout, re.M))
    want = {mats[m]: str(int(np.sum(q[m] > 1e-9))) for m in range(len(mats)) if np.any(q[m] > 1e-9)}
    check(said == want and want, f"why short: materials and periods {said} = the file's {want}")
    china = re.findall(r"^    (China\S*) +\(China\): (.*)$", r.stdout, re.M)
    check(china and all(re.fullmatch(r"at its bound, cut by export availability in (\d+)", w)
                        for _, w in china),
          f"why short: every China offer held by export availability ({china[:2]})")
    r = run([exe, "solve", "--sweep", path, "--scenario", "1"])
    check("went short" not in r.stdout, "no shortfall, no explanation")


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "mc.h5")
        r = run([exe, "run", "--sweep", "monte_carlo", "-o", out, "-j", "2"])
        check(r.returncode == 0, f"run --sweep monte_carlo exits 0 ({r.stderr.strip()[-200:]})")
        if r.returncode == 0:
            with h5py.File(out, "r") as f:
                for i in SCENARIOS:
                    r = run([exe, "solve", "--sweep", "monte_carlo", "--scenario", str(i)])
                    check(r.returncode == 0, f"solve --scenario {i} exits 0 ({r.stderr.strip()})")
                    check_header(r.stdout, f, i, "monte_carlo")
                    check_costs(r.stdout, f, i)
        infeasible(exe, tmp)
        explained(exe, tmp)
        why_short(exe, tmp)
        infeasible_model(exe, tmp)
        bad_inputs(exe, tmp)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
