#!/usr/bin/python3
"""End-to-end checks of the plotting scripts (scripts/supplymix_plots.py,
scripts/supplymix_results.py, scripts/supplymix_summary.py) on small
sweeps made here:

- every expected figure is written, is a PNG (signature, IHDR) of sensible
  pixel size and file size, and is not blank; figures that do not fit the
  sweep are skipped with a reason on stderr;
- the summary's numbers (status counts, total cost and shortfall
  percentiles, the median-cost future under each cap level and its mix,
  the mean mix,
  Spearman ranks of the parameters) equal the same quantities computed
  here directly from the file with h5py and numpy;
- the reader opens a file while `supplymix run` is writing it, and files
  whose run was stopped by SIGTERM or killed by SIGKILL: it reports
  finished < total, returns only finished scenarios, and the figures are
  still made;
- a missing file, a text file and an HDF5 file that is not a results file
  give exit code 2 and a message naming the file and what is wrong;
- a plan file (`supplymix plan` of a small model with a contract offer):
  the four plan figures and every sweep figure are written, and the
  summary's plan section (RP, WS, EEV, EVPI, VSS, regret percentiles, the
  tonnes to commit by region) equals the file's values read with h5py; a
  sweep's file gets no plan figures, and asking for one skips it with a
  reason.

usage: test_plots.py SUPPLYMIX          (exit code 1 on any failure)
"""
import csv
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import warnings

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
PLOTS = os.path.join(SCRIPTS, "supplymix_plots.py")
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, SCRIPTS)
import supplymix_results as smr  # noqa: E402
from sm_testing import check, failures, run  # noqa: E402

ALL_FIGURES = ["cost_vs_cap", "supplier_mix", "heatmap", "risk", "limit_price", "drivers"]
PLAN_FIGURES = ["plan_portfolio", "plan_cost", "plan_regret", "plan_convergence"]
# A plan of a small model (tests/data/bad_inputs/_base: one material, two
# periods) with a Chinese contract offer and a US spot offer: the tonnes
# committed to C1 hedge against China's export controls.
PLAN_SUPPLIERS = """\
supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,start_period,ramp_periods,terms,fee_usd_per_t,source
C1,China,NdPr,100,8,0,1,0,contract,3,test
C2,China,NdPr,60,9,0,1,0,contract,2,test
U1,USA,NdPr,100,15,0,1,0,spot,,test
U2,USA,NdPr,50,12,0,1,0,contract,4,test
"""
PLAN_SWEEP = """\
name: plots_plan
seed: 11
samples: 40
sampling: lhs
parameters:
  share.cap: {values: [0.4, 0.6, 1.0]}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  price.U1: {dist: uniform, low: 0.8, high: 1.6}
  price.C1: {dist: lognormal, mu: 0.0, sigma: 0.3}
"""

MIXED = """\
name: plots_mixed
description: three China caps against 60 random futures (test of the plotting scripts)
seed: 4242
samples: 60
sampling: lhs
parameters:
  share.china_cap: {values: [0.3, 0.5, 0.7]}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}
  price.Tb_oxide: {dist: lognormal, mu: 0.0, sigma: 0.42}
  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}
"""
# Without US capacity the 10 % US floor on NdPr cannot be met: half of
# these scenarios are infeasible (status 2, NaN costs).
GRID = """\
name: plots_grid
description: a small grid, nothing random (test of the plotting scripts)
parameters:
  availability.China: {values: [0.2, 0.6, 1.0]}
  share.china_cap: {range: {from: 0.3, to: 0.7, steps: 5}}
  tariff.China: {values: [0.0, 0.5]}
  capacity.USA: {values: [0.0, 1.0]}
"""
# Big enough that it is still running when interrupted (~60,000 scenarios).
BIG = """\
name: plots_big
seed: 7
samples: 20000
parameters:
  share.china_cap: {values: [0.3, 0.5, 0.7]}
  availability.China: {dist: uniform, low: 0.2, high: 1.0}
  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}
"""


def plots(path, outdir, *extra):
    """supplymix_plots.py on path; every figure it draws must pass its own
    layout check (no axis offset, no overlapping tick labels)."""
    p = run(["/usr/bin/python3", PLOTS, path, "-o", outdir, *extra])
    warned = [ln for ln in p.stderr.splitlines() if ln.startswith("plots: warning:")]
    check(not warned, f"{os.path.basename(path)}: figures without axis offsets or overlapping "
          "tick labels", "\n".join(warned))
    return p


def close(a, b, rtol=1e-12):
    a, b = float(a), float(b)
    if np.isnan(a) or np.isnan(b):
        return np.isnan(a) and np.isnan(b)
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300)


# ---- PNG checks ----------------------------------------------------------------

def png_size(path):
    """(width, height) from the IHDR chunk, or None if not a PNG."""
    with open(path, "rb") as f:
        head = f.read(33)
    if len(head) < 33 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def check_png(path, label):
    if not check(os.path.exists(path), f"{label}: {os.path.basename(path)} written"):
        return
    size = png_size(path)
    if not check(size is not None, f"{label}: {os.path.basename(path)} has the PNG signature "
                                   "and an IHDR chunk"):
        return
    w, h = size
    nbytes = os.path.getsize(path)
    check(600 <= w <= 3000 and 400 <= h <= 2500 and 0.8 <= w / h <= 3.0,
          f"{label}: {os.path.basename(path)} is {w}x{h} px (sensible)")
    check(nbytes > 20000, f"{label}: {os.path.basename(path)} is {nbytes:,} bytes (not trivial)")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    img = mpimg.imread(path)
    ink = (img[..., :3].min(axis=2) < 0.9).mean()
    check(img.shape[:2] == (h, w) and 0.03 < ink < 0.9,
          f"{label}: {os.path.basename(path)} decodes and is not blank ({100 * ink:.0f} % ink)")


# ---- the summary against h5py ------------------------------------------------------

def read_summary(path):
    out = {}
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        v = row["value"]
        try:
            v = float(v)
        except ValueError:
            pass
        out[(row["section"], row["group"], row["key"])] = v
    return out


def ranks_ref(x):
    """Average ranks, computed differently from the scripts (pairwise counts)."""
    x = np.asarray(x, dtype=float)
    less = (x[None, :] < x[:, None]).sum(axis=1)
    equal = (x[None, :] == x[:, None]).sum(axis=1)
    return less + (equal + 1) / 2.0


def spearman_ref(x, y):
    try:
        from scipy.stats import spearmanr
        return float(spearmanr(x, y).correlation)
    except ImportError:
        return float(np.corrcoef(ranks_ref(x), ranks_ref(y))[0, 1])


def check_summary(h5path, outdir, label, cap_name):
    s = read_summary(os.path.join(outdir, "summary.csv"))
    with h5py.File(h5path, "r", swmr=True) as f:
        complete = f["complete"][:].astype(bool)
        status = f["status"][:]
        names = f["status"].attrs["flag_meanings"]
        names = (names.decode() if isinstance(names, bytes) else names).split()
        codes = list(f["status"].attrs["flag_values"])
        params = [p.decode() if isinstance(p, bytes) else p for p in f["parameter"][:]]
        P = f["parameters"][:]
        cost = f["total_cost"][:]
        short = f["shortfall_total"][:]
        pbr = f["purchases_by_region"][:]
        regions = [x.decode() if isinstance(x, bytes) else x for x in f["region"][:]]
        materials = [x.decode() if isinstance(x, bytes) else x for x in f["material"][:]]
    done = complete & (status != 0)
    opt = done & (status == 1)
    check(s[("file", "", "scenarios")] == len(status) and s[("file", "", "finished")] == done.sum()
          and s[("file", "", "optimal")] == opt.sum(),
          f"{label}: summary counts scenarios {len(status)}, finished {done.sum()}, "
          f"optimal {opt.sum()}")
    ok = True
    for code, name in zip(codes, names):
        want = int(((np.where(done, status, 0)) == code).sum())
        ok &= s.get(("status", "", name)) == want
    check(ok, f"{label}: status counts by flag_meanings equal h5py's")

    groups = [("all", opt)]
    if cap_name:
        ci = params.index(cap_name)
        for lv in np.unique(P[opt, ci]):
            groups.append((f"{cap_name}={lv:g}", opt & (P[:, ci] == lv)))
    ok_p, ok_s, nchk = True, True, 0
    for g, m in groups:
        for q in (5, 50, 90, 99):
            ok_p &= close(s[("total_cost", g, f"P{q}")], np.percentile(cost[m], q))
            for mi, mat in enumerate(materials):
                ok_s &= close(s[("shortfall", g, f"{mat}:P{q}")], np.percentile(short[m, mi], q))
            nchk += 2
        ok_p &= close(s[("total_cost", g, "mean")], cost[m].mean(), 1e-9)
        for mi, mat in enumerate(materials):
            ok_s &= close(s[("shortfall", g, f"{mat}:mean")], short[m, mi].mean(), 1e-9)
            ok_s &= close(s[("shortfall", g, f"{mat}:share_with_shortfall")],
                          (short[m, mi] > 0).mean())
    check(ok_p, f"{label}: total cost P5/P50/P90/P99/mean equal h5py+numpy for "
                f"{len(groups)} groups")
    check(ok_s, f"{label}: shortfall percentiles and share with shortfall per material equal "
                "h5py+numpy")

    ok_c = True
    for g, m in (groups[1:] if cap_name else groups):
        idx = np.flatnonzero(m)
        mid = idx[np.lexsort((idx, cost[idx]))[(len(idx) - 1) // 2]]
        ok_c &= s[("median_cost_mix", g, "scenario")] == mid
        ok_c &= close(s[("median_cost_mix", g, "total_cost")], cost[mid])
        ok_c &= np.sum(cost[idx] < cost[mid]) <= (len(idx) - 1) // 2 <= np.sum(cost[idx] <= cost[mid]) - 1
        tot = pbr[mid].sum(axis=0)
        mean = pbr[idx].mean(axis=0)
        for ri, reg in enumerate(regions):
            for mi, mat in enumerate(materials):
                want = pbr[mid, ri, mi] / tot[mi] if tot[mi] > 0 else 0.0
                ok_c &= close(s[("median_cost_mix", g, f"share:{reg}:{mat}")], want, 1e-12)
                want = mean[ri, mi] / mean[:, mi].sum() if mean[:, mi].sum() > 0 else 0.0
                ok_c &= close(s[("mean_mix", g, f"share:{reg}:{mat}")], want, 1e-9)
        for pi, pn in enumerate(params):
            ok_c &= close(s[("median_cost_mix", g, f"param:{pn}")], P[mid, pi])
    check(ok_c, f"{label}: the median-cost future's scenario, cost and shares of purchases, and "
                "the mean mix, per cap level, equal h5py's")

    rho = {}
    for pi, pn in enumerate(params):
        v = P[opt, pi]
        if len(np.unique(v)) > 1:
            rho[pn] = spearman_ref(v, cost[opt])
    got = {}
    k = 1
    while ("parameter_effect", f"rank={k}", "parameter") in s:
        got[s[("parameter_effect", f"rank={k}", "parameter")]] = (
            k, s[("parameter_effect", f"rank={k}", "spearman_rho")])
        k += 1
    check(set(got) == set(rho), f"{label}: every varying parameter ranked ({len(rho)})")
    check(all(close(got[p][1], rho[p], 1e-9) for p in rho if p in got),
          f"{label}: Spearman rho with total cost equals an independent computation")
    order = sorted(got, key=lambda p: got[p][0])
    mags = [abs(got[p][1]) for p in order]
    check(all(a >= b for a, b in zip(mags, mags[1:])), f"{label}: ranked by |rho|: "
          + ", ".join(f"{p} {got[p][1]:+.2f}" for p in order[:4]))
    md = open(os.path.join(outdir, "summary.md")).read()
    check("| status | scenarios |" in md and "Total cost (million USD)" in md
          and "What matters most" in md, f"{label}: summary.md has its tables")


# ---- interrupted and live files ------------------------------------------------------

def interrupted_run(exe, sweep, out, sig, tmp):
    """Start a run, read the file while it is written, stop it with sig once
    some blocks are in. Returns (exit code, live reads that saw a partial file)."""
    proc = subprocess.Popen([exe, "run", "--sweep", sweep, "-o", out, "--force", "-j", "1",
                             "--summaries-only"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    live, deadline = [], time.time() + 30
    try:
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if not os.path.exists(out):
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", smr.PartialResultsWarning)
                    r = smr.open(out)
            except smr.ResultsError:
                continue       # created but not yet complete on disk
            if 0 < r.n_finished < r.n_scenarios:
                ds = r.finished(["status", "total_cost"])
                live.append(bool(np.isfinite(ds.total_cost.values).all()
                                 and (ds.status.values != 0).all()))
            if r.n_finished >= 1024:
                break
        if proc.poll() is None:
            proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, live


def check_partial(exe, tmp, sig, label):
    sweep = os.path.join(tmp, "plots_big.yaml")
    out = os.path.join(tmp, f"big_{label}.h5")
    rc, live = interrupted_run(exe, sweep, out, sig, tmp)
    want_rc = 3 if sig == signal.SIGTERM else -signal.SIGKILL
    check(rc == want_rc, f"{label}: the run stopped with exit code {rc} (want {want_rc})")
    check(len(live) > 0 and all(live), f"{label}: {len(live)} reads while the run was writing "
                                       "saw finished scenarios only, all with values")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = smr.open(out)
    with h5py.File(out, "r", swmr=True) as f:
        n_done = int(f["complete"][:].sum())
        n = len(f["complete"])
    check(0 < r.n_finished == n_done < r.n_scenarios == n,
          f"{label}: reader says {r.n_finished:,} of {r.n_scenarios:,} finished "
          f"(h5py: {n_done:,} of {n:,})")
    check(any(issubclass(x.category, smr.PartialResultsWarning) and "of" in str(x.message)
              for x in w), f"{label}: opening it warns that it is partial")
    ds = r.finished()
    check(ds.sizes["scenario"] == n_done and np.isfinite(ds.total_cost.values).all()
          and "purchases" not in ds, f"{label}: finished() holds the finished scenarios, no NaN")
    outdir = os.path.join(tmp, f"fig_{label}")
    p = plots(out, outdir)
    check(p.returncode == 0 and "partial" in p.stderr,
          f"{label}: plots exit 0 and say the file is partial", p.stderr[-800:])
    for name in ALL_FIGURES:
        check_png(os.path.join(outdir, name + ".png"), label)
    check_summary(out, outdir, label, "share.china_cap")


# ---- plan files ------------------------------------------------------------------------

def make_plan(exe, tmp):
    model = os.path.join(tmp, "plan_model")
    shutil.copytree(os.path.join(HERE, "..", "data", "bad_inputs", "_base"), model)
    with open(os.path.join(model, "suppliers.csv"), "w") as f:
        f.write(PLAN_SUPPLIERS)
    sweep = os.path.join(tmp, "plots_plan.yaml")
    with open(sweep, "w") as f:
        f.write(PLAN_SWEEP)
    out = os.path.join(tmp, "plots_plan.h5")
    p = run([exe, "plan", model, "--sweep", sweep, "-o", out, "-j", "2"])
    check(p.returncode == 0, "plots_plan: supplymix plan exits 0", p.stderr[-800:])
    return out


def check_plan_summary(h5path, outdir):
    s = read_summary(os.path.join(outdir, "summary.csv"))
    with h5py.File(h5path, "r") as f:
        policies = [x.decode() if isinstance(x, bytes) else x for x in f["policy"][:]]
        regions = [x.decode() if isinstance(x, bytes) else x for x in f["region"][:]]
        materials = [x.decode() if isinstance(x, bytes) else x for x in f["material"][:]]
        sup_region = [x.decode() if isinstance(x, bytes) else x for x in f["supplier_region"][:]]
        measures = {k: f[k][:] for k in ("RP", "WS", "EEV", "EVPI", "VSS", "commitment_cost")}
        k = f["commitment"][:]
        regret, status = f["regret"][:], f["status"][:]
        pol = f["scenario_policy"][:]
    ok_m, ok_r, ok_k = True, True, True
    for g, name in enumerate(policies):
        grp = f"policy={name}"
        for key, v in measures.items():
            ok_m &= close(s[("plan", grp, key)], v[g])
        mine = regret[(pol == g) & (status == 1)]
        for q in (50, 90, 99):
            ok_r &= close(s[("plan", grp, f"regret_P{q}")], np.percentile(mine, q))
        for ri, reg in enumerate(regions):
            rows = [i for i, x in enumerate(sup_region) if x == reg]
            for mi, m in enumerate(materials):
                ok_k &= close(s[("plan", grp, f"commit:{reg}:{m}")], k[g][rows, mi, :].sum(),
                              1e-12)
    check(ok_m, f"plots_plan: RP, WS, EEV, EVPI, VSS and fees of {len(policies)} policies in "
                "summary.csv equal the file's")
    check(ok_r, "plots_plan: regret P50/P90/P99 per policy equal h5py+numpy")
    check(ok_k, "plots_plan: tonnes to commit by region equal the commitment summed with h5py")
    check(any(v > 0 for key, v in s.items() if key[0] == "plan" and key[2].startswith("commit:")
              and isinstance(v, float)), "plots_plan: the plan commits something")
    md = open(os.path.join(outdir, "summary.md")).read()
    check("## Plan: what to sign now" in md and "Tonnes to commit now" in md
          and all(f"| {name} |" in md for name in policies),
          "plots_plan: summary.md has the plan tables, one row per policy")


def check_plan(exe, tmp, run_file):
    path = make_plan(exe, tmp)
    outdir = os.path.join(tmp, "fig_plan")
    p = plots(path, outdir)
    check(p.returncode == 0, "plots_plan: plots exit 0", p.stderr[-800:])
    for name in ALL_FIGURES + PLAN_FIGURES:
        check_png(os.path.join(outdir, name + ".png"), "plots_plan")
    check_plan_summary(path, outdir)
    plan = smr.plan(path)
    check(plan is not None and plan.commitment.dims == ("policy", "supplier", "material",
                                                       "period")
          and plan.sizes["policy"] == 3 and plan.sizes["iteration"] >= 1,
          "reader: smr.plan gives commitment[policy, supplier, material, period] and history")
    check(smr.plan(run_file) is None, "reader: smr.plan of a sweep's file is None")
    # A sweep's file: no plan figures, no plan section; asked for, skipped with a reason.
    outdir = os.path.join(tmp, "fig_plots_mixed")
    check(not any(os.path.exists(os.path.join(outdir, n + ".png")) for n in PLAN_FIGURES)
          and not any(k[0] == "plan" for k in read_summary(os.path.join(outdir,
                                                                         "summary.csv"))),
          "plots_mixed: a sweep's file gets no plan figures and no plan section")
    p = plots(run_file, os.path.join(tmp, "fig_noplan"), "--only", "plan_cost")
    check(p.returncode == 0 and "skipped plan_cost.png: needs a plan file" in p.stderr,
          "plots_mixed: --only plan_cost skips it with a reason", p.stderr[-600:])


# ---- main ----------------------------------------------------------------------------

def main(exe):
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="sm_plots_") as tmp:
        for name, text in (("plots_mixed", MIXED), ("plots_grid", GRID), ("plots_big", BIG)):
            with open(os.path.join(tmp, name + ".yaml"), "w") as f:
                f.write(text)
        files = {}
        for name in ("plots_mixed", "plots_grid"):
            out = os.path.join(tmp, name + ".h5")
            r = run([exe, "run", "--sweep", os.path.join(tmp, name + ".yaml"), "-o", out])
            check(r.returncode == 0, f"{name}: supplymix run exits 0", r.stderr[-600:])
            files[name] = out

        # The reader in three lines, grouping, and labels.
        r = smr.open(files["plots_mixed"])
        ds = r.finished()
        check(r.complete and r.n_finished == 180 and ds.sizes["scenario"] == 180,
              "reader: 180 of 180 scenarios finished")
        check(ds.total_cost.dims == ("scenario",) and "param_share.china_cap" in ds.coords
              and ds.region_share.sel(region="China", material="Tb_oxide").dims == ("scenario",),
              "reader: labelled arrays with parameters as per-scenario coordinates")
        kinds = {p.name: p.kind for p in r.parameters}
        check(kinds["share.china_cap"] == "grid" and kinds["price.Tb_oxide"] == "random",
              f"reader: grid and random parameters told apart {kinds}")
        g = smr.groups(ds, "share.china_cap")
        check([(lab, sub.sizes["scenario"]) for lab, _, sub in g] ==
              [("0.3", 60), ("0.5", 60), ("0.7", 60)], "reader: groups by exact grid values")
        g = smr.groups(ds, "price.Tb_oxide", bins=4)
        check(len(g) == 4 and sum(sub.sizes["scenario"] for _, _, sub in g) == 180,
              "reader: groups a continuous random parameter by quantile bins")
        med = ds.total_cost.groupby(smr.group_key(ds, "availability.China")).median()
        check(med.sizes[med.dims[0]] == 2, "reader: group_key works with xarray's groupby")
        check(close(smr.spearman([1, 2, 2, 3], [1, 3, 2, 4]),
                    spearman_ref([1, 2, 2, 3], [1, 3, 2, 4]), 1e-12),
              "reader: Spearman with tied ranks")

        # Figures and summary: mixed (everything fits) and pure grid (no risk view).
        for name, cap, expect in (("plots_mixed", "share.china_cap", ALL_FIGURES),
                                  ("plots_grid", "share.china_cap",
                                   [f for f in ALL_FIGURES if f != "risk"])):
            outdir = os.path.join(tmp, "fig_" + name)
            p = plots(files[name], outdir)
            check(p.returncode == 0, f"{name}: plots exit 0", p.stderr[-800:])
            for fig in expect:
                check_png(os.path.join(outdir, fig + ".png"), name)
            missing = set(ALL_FIGURES) - set(expect)
            for fig in missing:
                check(not os.path.exists(os.path.join(outdir, fig + ".png"))
                      and f"skipped {fig}.png" in p.stderr,
                      f"{name}: {fig}.png skipped with a reason on stderr")
            check_summary(files[name], outdir, name, cap)
        s = read_summary(os.path.join(tmp, "fig_plots_grid", "summary.csv"))
        check(s.get(("status", "", "infeasible")) == 30 and s.get(("status", "", "optimal")) == 30,
              "plots_grid: 30 infeasible scenarios counted and left out of the cost statistics")

        check_plan(exe, tmp, files["plots_mixed"])

        # Partly written files.
        check_partial(exe, tmp, signal.SIGTERM, "sigterm")
        check_partial(exe, tmp, signal.SIGKILL, "sigkill")

        # Files that are not results files.
        notres = os.path.join(tmp, "other.h5")
        with h5py.File(notres, "w") as f:
            f["x"] = np.arange(3)
        text = os.path.join(tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("not a results file\n")
        for path, words in ((notres, ["not a supplymix results file", "missing", "complete"]),
                            (text, ["not an HDF5 file"]),
                            (os.path.join(tmp, "nowhere.h5"), ["no such file"])):
            p = plots(path, os.path.join(tmp, "fig_bad"))
            msg = p.stderr.strip()
            check(p.returncode == 2 and path in msg and all(w in msg for w in words)
                  and "Traceback" not in msg,
                  f"bad input {os.path.basename(path)}: exit 2 with '{msg[:160]}'")
            try:
                smr.open(path)
                check(False, f"reader raises NotAResultsFile on {os.path.basename(path)}")
            except smr.NotAResultsFile as e:
                check(path in str(e), f"reader raises NotAResultsFile on {os.path.basename(path)}")
        p = run(["/usr/bin/python3", PLOTS, "--help"])
        check(p.returncode == 0 and "usage" in p.stdout and "summary" in p.stdout,
              "plots --help exits 0 with usage")
        p = plots(files["plots_mixed"], os.path.join(tmp, "fig_x"), "--only", "nonsense")
        check(p.returncode == 2 and "unknown figure" in p.stderr, "a bad --only gives exit 2")
    print(f"test_plots: {len(failures)} failures in {time.time() - t0:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(os.path.abspath(sys.argv[1])))
