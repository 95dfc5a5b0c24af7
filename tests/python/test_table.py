#!/usr/bin/python3
"""`supplymix table` (docs/CLI.md): a results file as CSV.

- On a full run (a range of China caps 0.3..0.7 in 5 steps x 40 random
  futures) every cell parsed with Python equals h5py's value bit for bit
  (float(s) == value, NaN where NaN), column by column, with the header's
  names; --columns; --long against the per-period arrays.
- Filters: share.china_cap=0.4 finds its 40 rows (it needs the range's
  points to be the decimals typed), status=optimal, <, <=, >, >=, !=,
  several ANDed.
- A plan file: policy, future, cost_commitment, perfect_foresight_cost and
  regret columns equal the file's.
- A file left by a run killed with SIGKILL: the scenarios marked complete
  are those the Python reader finishes, the others not_solved rows with
  empty cells.
- Refusals exit 2 naming what is wrong: not a results file, an unknown
  column or parameter, an unknown status, --long on a summaries-only file,
  an existing -o FILE without --force (left untouched), a damaged chunk
  (naming the dataset and the scenario range, as the Python reader does).

usage: test_table.py SUPPLYMIX
"""
import csv
import io
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import supplymix_results as smr  # noqa: E402
from sm_testing import check, failures  # noqa: E402

BASE = os.path.join(HERE, "..", "data", "bad_inputs", "_base")

SWEEP = """name: table_test
seed: 11
samples: %d
sampling: lhs
block_size: 64
parameters:
  share.china_cap: {range: {from: 0.3, to: 0.7, steps: 5}}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}
  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}
"""

# A small model with a contract offer, so a plan has fees and regrets.
PLAN_SUPPLIERS = """supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,start_period,ramp_periods,terms,fee_usd_per_t,source
C1,China,NdPr,100,8,0,1,0,contract,3,test
U1,USA,NdPr,100,15,0,1,0,spot,,test
"""
PLAN_SWEEP = """name: t
seed: 9
samples: 8
sampling: lhs
parameters:
  share.cap: {values: [0.5, 1.0]}
  availability.China: {dist: event, p: 0.5, yes: 0.2, no: 1.0}
  price.U1: {dist: uniform, low: 0.8, high: 1.3}
"""


def run(exe, *args):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)


def table(exe, *args):
    """(header, rows) of `supplymix table ARGS` on stdout; None on failure."""
    r = run(exe, "table", *args)
    if not check(r.returncode == 0, f"table {' '.join(args[1:])}: exit 0", r.stderr[-1500:]):
        return None, []
    rows = list(csv.reader(io.StringIO(r.stdout)))
    return rows[0], rows[1:]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def same(cell, value):
    """The CSV cell parses to exactly value (NaN where NaN)."""
    x = float(cell)
    return (math.isnan(x) and math.isnan(value)) or x == value


def expected_columns(f):
    """{column name: per-scenario array} as the file holds them."""
    lab = {d: [text(s) for s in f[d][()]] for d in ("parameter", "region", "material", "limit")}
    cols = {}
    for i, p in enumerate(lab["parameter"]):
        cols[p] = f["parameters"][:, i]
    for n in ("total_cost", "cost_purchase", "cost_tariff", "cost_freight", "cost_holding",
              "cost_shortfall", "cost_commitment", "perfect_foresight_cost", "regret"):
        if n in f:
            cols[n] = f[n][()]
    if "scenario_future" in f:
        cols["future"] = f["scenario_future"][()].astype(float)
    for j, m in enumerate(lab["material"]):
        cols[f"shortfall_total.{m}"] = f["shortfall_total"][:, j]
        for i, r in enumerate(lab["region"]):
            cols[f"region_share.{r}.{m}"] = f["region_share"][:, i, j]
            cols[f"purchases_by_region.{r}.{m}"] = f["purchases_by_region"][:, i, j]
    for k, lim in enumerate(lab["limit"]):
        cols[f"limit_saving_per_point.{lim}"] = f["limit_saving_per_point"][:, k]
    return cols


def check_exact(exe, path, label):
    """Every cell of the wide table against h5py, bit for bit."""
    header, rows = table(exe, path)
    if header is None:
        return None, []
    with smr.open_h5(path) as f:     # SWMR: a killed run's file too
        want = expected_columns(f)
        done = f["complete"][()].astype(bool) & (f["status"][()] != 0)
        status = f["status"][()]
        names = text(f["status"].attrs["flag_meanings"]).split()
        policy = ([text(s) for s in f["policy"][()]], f["scenario_policy"][()]) \
            if "policy" in f else None
    check(len(rows) == len(done), f"{label}: one row per scenario ({len(rows)})")
    missing = sorted(set(want) - set(header))
    check(not missing, f"{label}: the header has every column ({len(header)})", str(missing))
    bad = []
    for i, row in enumerate(rows):
        cell = dict(zip(header, row))
        if int(cell["scenario"]) != i:
            bad.append(f"row {i}: scenario {cell['scenario']}")
        if cell["status"] != (names[status[i]] if done[i] else "not_solved"):
            bad.append(f"row {i}: status {cell['status']}")
        if policy and done[i] and cell["policy"] != policy[0][policy[1][i]]:
            bad.append(f"row {i}: policy {cell['policy']}")
        for n, v in want.items():
            if n in cell and (not same(cell[n], v[i]) if done[i] else cell[n] != ""):
                bad.append(f"row {i} {n}: {cell[n]!r} != {v[i]!r}")
    check(not bad, f"{label}: every cell equals h5py's value bit for bit ({len(rows)} rows x "
          f"{len(header)} columns)", "\n".join(bad[:10]))
    return header, rows


def check_filters(exe, path, header, rows):
    cap = header.index("share.china_cap")
    want = [r for r in rows if r[cap] != "" and float(r[cap]) == 0.4]
    _, got = table(exe, path, "--where", "share.china_cap=0.4")
    check(len(want) == 40 and got == want,
          f"--where share.china_cap=0.4: the 40 rows with cap 0.4 (got {len(got)})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = smr.open(path).finished(["total_cost"])
    n = int((ds["param_share.china_cap"].values == 0.4).sum())
    check(n == 40, f"the Python reader finds the 40 scenarios with cap == 0.4 too ({n})")
    _, spaced = table(exe, path, "--where", " share.china_cap = 0.4 ")
    check(spaced == want, "--where ' share.china_cap = 0.4 ': spaces are no part of it")
    tc = header.index("total_cost")
    costs = sorted(float(r[tc]) for r in rows if r[tc] != "")
    mid = costs[len(costs) // 2]
    for op, fn in (("<", lambda x: x < mid), ("<=", lambda x: x <= mid), (">", lambda x: x > mid),
                   (">=", lambda x: x >= mid), ("!=", lambda x: x != mid), ("=", lambda x: x == mid)):
        want = [r for r in rows if r[tc] != "" and fn(float(r[tc]))]
        _, got = table(exe, path, "--where", f"total_cost{op}{mid!r}")
        check(got == want, f"--where total_cost{op}{mid:.6g}: {len(got)} rows as expected")
    want = [r for r in rows if r[header.index("status")] == "optimal" and r[cap] != ""
            and float(r[cap]) >= 0.5 and float(r[tc]) < mid]
    _, got = table(exe, path, "--where", "status=optimal", "--where", "share.china_cap>=0.5",
                   "--where", f"total_cost<{mid!r}")
    check(got == want and 0 < len(got) < len(rows), f"three --where ANDed: {len(got)} rows")


def check_columns(exe, path, header, rows):
    pick = ["total_cost", "scenario", "share.china_cap", "region_share.China.NdPr_oxide"]
    h, got = table(exe, path, "--columns", ",".join(pick))
    idx = [header.index(c) for c in pick]
    check(h == pick and got == [[r[i] for i in idx] for r in rows],
          "--columns: those columns, in that order, same cells")


def check_long(exe, path):
    with h5py.File(path, "r") as f:
        sup = [text(s) for s in f["supplier"][()]]
        mat = [text(s) for s in f["material"][()]]
        per = [text(s) for s in f["period"][()]]
        pol = f["purchases"][17]
        stock, short, mc = f["stock"][5], f["shortfall"][5], f["marginal_cost"][5]
        cap = f["parameters"][:, 0]
    h, got = table(exe, path, "--long", "purchases", "--where", "scenario=17",
                   "--columns", "scenario,share.china_cap")
    want = [["17", s, m, p] for s in sup for m in mat for p in per]
    ok = (h == ["scenario", "share.china_cap", "supplier", "material", "period", "purchases"]
          and len(got) == len(want)
          and all([g[0]] + g[2:5] == w and same(g[1], cap[17]) for g, w in zip(got, want))
          and all(same(g[5], pol[i, j, k]) for g, (i, j, k) in
                  zip(got, np.ndindex(len(sup), len(mat), len(per)))))
    check(ok, f"--long purchases of scenario 17: {len(got)} rows (supplier x material x period) "
          "equal h5py's", f"{h}\n{got[:3]}")
    h, got = table(exe, path, "--long", "stock,shortfall,marginal_cost", "--where", "scenario=5")
    ok = (h == ["scenario", "material", "period", "stock", "shortfall", "marginal_cost"]
          and len(got) == len(mat) * len(per)
          and all(g[1:3] == [mat[j], per[k]] and same(g[3], stock[j, k])
                  and same(g[4], short[j, k]) and same(g[5], mc[j, k])
                  for g, (j, k) in zip(got, np.ndindex(len(mat), len(per)))))
    check(ok, "--long stock,shortfall,marginal_cost of scenario 5 equal h5py's")
    _, got = table(exe, path, "--long", "stock", "--where", "share.china_cap=0.4")
    check(len(got) == 40 * len(mat) * len(per), f"--long with a filter: {len(got)} rows")


def check_refusals(exe, good, summaries, tmp):
    def refused(args, words, label):
        r = run(exe, "table", *args)
        check(r.returncode == 2 and all(w in r.stderr for w in words) and r.stdout == "",
              f"{label}: exit 2 naming {', '.join(words)}", f"exit {r.returncode}: {r.stderr}")
    notes = os.path.join(tmp, "notes.txt")
    open(notes, "w").write("not a results file\n")
    other = os.path.join(tmp, "other.h5")
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    refused([notes], [notes, "not an HDF5 file"], "a text file")
    refused([other], [other, "not a supplymix results file", "missing"], "another HDF5 file")
    refused([os.path.join(tmp, "absent.h5")], ["absent.h5", "no such file"], "a missing file")
    refused([good, "--columns", "scenario,tota_cost"], ["tota_cost"], "an unknown column")
    refused([good, "--where", "share.china_cp=0.4"], ["share.china_cp"], "an unknown parameter")
    refused([good, "--where", "status=great"], ["great"], "an unknown status")
    refused([good, "--where", "total_cost~3"], ["total_cost~3"], "no operator")
    refused([good, "--where", "total_cost<abc"], ["abc", "not a number"], "not a number")
    refused([good, "--long", "purchase"], ["purchase"], "an unknown array")
    refused([good, "--long", "purchases,stock"], ["purchases", "stock"], "arrays over other dims")
    refused([summaries, "--long", "stock"], ["summaries-only"], "--long on a summaries-only file")
    out = os.path.join(tmp, "kept.csv")
    open(out, "w").write("keep me\n")
    refused([good, "-o", out], [out, "--force"], "an existing -o FILE without --force")
    check(open(out).read() == "keep me\n", "the existing FILE is untouched")
    r = run(exe, "table", good, "-o", out, "--force", "--columns", "scenario")
    check(r.returncode == 0 and open(out).read().startswith("scenario\n0\n"),
          "-o FILE --force replaces it")
    check(not [n for n in os.listdir(tmp) if ".partial-" in n], "no partial file left behind")


def check_damaged(exe, good, tmp):
    bad = os.path.join(tmp, "damaged.h5")
    shutil.copy(good, bad)
    with h5py.File(bad, "r") as f:
        info = f["total_cost"].id.get_chunk_info(1)    # scenarios 64..127
    with open(bad, "r+b") as f:
        f.seek(info.byte_offset + info.size // 4)
        f.write(bytes(max(info.size // 2, 1)))
    out = os.path.join(tmp, "damaged.csv")
    r = run(exe, "table", bad, "-o", out)
    check(r.returncode == 2 and "total_cost, scenarios 64..127" in r.stderr and bad in r.stderr
          and "damaged" in r.stderr, "a damaged chunk: exit 2 naming the dataset and scenarios",
          r.stderr)
    check(not os.path.exists(out), "... and no half-written CSV is left")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            smr.open(bad).finished(["total_cost"])
            said = ""
        except smr.DamagedResultsFile as e:
            said = str(e)
    check("total_cost, scenarios 64..127" in said, f"the Python reader names the same: {said}")
    r = run(exe, "table", bad, "--columns", "scenario,status,share.china_cap")
    check(r.returncode == 0, "columns that avoid the damaged dataset still read", r.stderr)


def check_killed(exe, tmp):
    """A run killed with SIGKILL half-way: rows match what the Python reader
    finishes; the rest are not_solved with empty cells."""
    sweep = os.path.join(tmp, "big.yaml")
    open(sweep, "w").write(SWEEP % 8000)
    path = os.path.join(tmp, "killed.h5")
    p = subprocess.Popen([exe, "run", "--sweep", sweep, "-o", path, "-j1", "--summaries-only"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0, done = time.monotonic(), 0
    while p.poll() is None and time.monotonic() - t0 < 120 and done < 500:
        time.sleep(0.05)
        try:
            with smr.open_h5(path) as f:
                done = int(f["complete"][()].sum())
        except Exception:
            pass
    p.send_signal(signal.SIGKILL)
    p.wait()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = smr.open(path)
        finished = set(r.finished_index.tolist())
    print(f"killed after {done} complete scenarios; the reader finishes {len(finished)} of "
          f"{r.n_scenarios}")
    header, rows = check_exact(exe, path, "killed file")
    st = header.index("status") if header else 0
    solved = {i for i, row in enumerate(rows) if row[st] != "not_solved"}
    check(solved == finished and 0 < len(finished) < 40000,
          f"killed file: the rows with values are the reader's finished scenarios "
          f"({len(solved)})")
    empty = all(all(c == "" for c in row[st + 1:]) for i, row in enumerate(rows)
                if i not in finished)
    check(empty, "killed file: the other rows are not_solved with empty cells")


def make_plan(exe, tmp):
    d = os.path.join(tmp, "model")
    shutil.copytree(BASE, d)
    open(os.path.join(d, "suppliers.csv"), "w").write(PLAN_SUPPLIERS)
    sweep = os.path.join(tmp, "plan_sweep.yaml")
    open(sweep, "w").write(PLAN_SWEEP)
    path = os.path.join(tmp, "plan.h5")
    r = run(exe, "plan", d, "--sweep", sweep, "-o", path, "-j1")
    check(r.returncode == 0, "plan file made", r.stderr[-1500:])
    return path


def main(exe):
    tmp = tempfile.mkdtemp(prefix="sm_table_")
    try:
        sweep = os.path.join(tmp, "sweep.yaml")
        open(sweep, "w").write(SWEEP % 40)
        good = os.path.join(tmp, "full.h5")
        summ = os.path.join(tmp, "summaries.h5")
        for path, extra in ((good, []), (summ, ["--summaries-only"])):
            r = run(exe, "run", "--sweep", sweep, "-o", path, "-j2", *extra)
            check(r.returncode == 0, f"run {os.path.basename(path)}", r.stderr[-1500:])
        header, rows = check_exact(exe, good, "full run")
        if header:
            check_filters(exe, good, header, rows)
            check_columns(exe, good, header, rows)
        check_exact(exe, summ, "summaries-only run")
        check_long(exe, good)
        plan = make_plan(exe, tmp)
        header, _ = check_exact(exe, plan, "plan file")
        check(header is not None and all(c in header for c in (
            "policy", "future", "cost_commitment", "perfect_foresight_cost", "regret")),
            "plan file: policy, future, cost_commitment, perfect_foresight_cost, regret columns")
        with h5py.File(plan, "r") as f:
            check(np.nanmax(np.abs(f["regret"][()])) > 0 and np.nanmax(f["cost_commitment"][()]) > 0,
                  "plan file: regrets and commitment costs are not all zero (a real test)")
        _, got = table(exe, plan, "--where", "policy=share.cap=0.5", "--columns", "policy")
        check(len(got) == 8 and all(g == ["share.cap=0.5"] for g in got),
              "--where policy=share.cap=0.5: its 8 futures")
        check_refusals(exe, good, summ, tmp)
        check_damaged(exe, good, tmp)
        check_killed(exe, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failure(s)" if failures else "all table checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(os.path.abspath(sys.argv[1])))
