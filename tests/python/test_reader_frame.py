#!/usr/bin/python3
"""The reader's scenario-level table and the figures' honesty checks
(issue 14, items 3 and 6), on real run files made here.

- smr.frame / Results.frame of a 4,000-scenario run with full per-period
  results (rare_earths, five caps from a `range` x 800 futures): one row per
  optimal scenario, exactly the columns `supplymix table` writes (the
  same names, plus the derived cash_cost), values equal h5py's; while it
  is built, Python's allocations (tracemalloc: numpy's included) peak
  below 4 x the frame's own size and below the size of the `purchases`
  array it must not read; ds.to_dataframe() of the same Dataset would be
  far larger (its row count is computed, not built);
- a `range` grid value: a filter for 0.4 finds its rows in Python
  (df[df["share.china_cap"] == 0.4]), as many as the CSV of `supplymix
  table --where share.china_cap=0.4`;
- smr.percentiles grouped by two parameters equals numpy per group;
- the figures of a sweep and of a plan file: no axis has an offset text,
  no two tick labels of one axis overlap (supplymix_plots.LAYOUT_PROBLEMS
  empty), amounts are in million USD, the heat map and risk figures show
  shortfall per material (no "all materials"), risk labels P50/P90/P99
  values, cost_vs_cap shows cash paid and the shortfall penalty apart;
  and the layout check catches a figure drawn to fail it;
- a sweep with two policy (grid) axes (tests/data/two_grid_sweep.yaml:
  the China cap and a tariff on China): cost_vs_cap draws one line per
  tariff value whose points are the medians of total cost, cash paid and
  shortfall penalty per (cap, tariff) cell computed with h5py; a sweep
  with one grid axis keeps its bands (no per-value lines);
- one colour per region: every legend entry naming a region has the same
  colour in every figure of every file drawn here, and region_colour gives
  a region the same colour whatever regions are drawn beside it;
- every axis label and footnote that shows a share or a % names its
  denominator (of demand, of purchases or of scenarios).

usage: test_reader_frame.py SUPPLYMIX       (exit 1 on any failure)
"""
import csv
import io
import os
import re
import sys
import tempfile
import tracemalloc
import warnings

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import supplymix_results as smr  # noqa: E402
from sm_testing import check, failures, run  # noqa: E402

SWEEP = """\
name: frame_test
seed: 99
samples: 800
sampling: lhs
parameters:
  share.china_cap: {range: {from: 0.3, to: 0.7, steps: 5}}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  price.Tb_oxide: {dist: lognormal, mu: 0.0, sigma: 0.42}
  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}
"""
PLAN_SWEEP = """\
name: frame_plan
seed: 5
samples: 6
sampling: lhs
parameters:
  share.china_cap: {values: [0.4, 0.6]}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  price.Tb_oxide: {dist: lognormal, mu: 0.0, sigma: 0.42}
"""


def check_frame(exe, path):
    r = smr.open(path)
    tracemalloc.start()
    df = r.frame()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = int(df.memory_usage(deep=True).sum())
    with h5py.File(path, "r") as f:
        purchases_bytes = f["purchases"].size * 8
        total = f["total_cost"][:]
        share = f["region_share"][:]
        status = f["status"][:]
        has_cash = "cash_cost" in f  # files since issue 12 store it
    n_opt = int((status == 1).sum())
    p = run([exe, "table", path])
    head = next(csv.reader(io.StringIO(p.stdout)))
    want_cols = [c for c in head if c != "scenario"]
    extra = {"cash_cost", "iterations", "solve_time", "solver_code"}
    check(df.shape[0] == n_opt and [c for c in df.columns if c in want_cols] == want_cols
          and set(df.columns) - set(want_cols) <= extra,
          f"frame: {df.shape[0]:,} rows x {df.shape[1]} columns: the columns of `supplymix "
          f"table` (same names, same order) and {', '.join(sorted(extra))}",
          f"{df.shape}; only table: {set(want_cols) - set(df.columns)}; only frame: "
          f"{set(df.columns) - set(want_cols)}")
    i = df.index.to_numpy()
    check(np.array_equal(df["total_cost"].to_numpy(), total[i])
          and np.array_equal(df["region_share.China.Tb_oxide"].to_numpy(), share[i, 0, 2])
          and df.attrs["derived"] == ([] if has_cash else ["cash_cost"]),
          "frame: values equal h5py's bit for bit; cash_cost the file's, or listed as derived")
    check(peak < 4 * size + (2 << 20) and peak < purchases_bytes,
          f"frame: peak Python allocation {peak / 2**20:.1f} MiB while building a "
          f"{size / 2**20:.1f} MiB frame (bound {(4 * size + (2 << 20)) / 2**20:.1f} MiB; the "
          f"per-period purchases alone are {purchases_bytes / 2**20:.1f} MiB)")
    ds = r.finished()
    rows_xr = int(np.prod([ds.sizes[d] for d in ds.dims]))
    check(rows_xr > 100 * len(df),
          f"frame: {len(df):,} rows where ds.to_dataframe() would make {rows_xr:,}")
    return r, df


def check_filters(exe, path, df):
    mine = df[df["share.china_cap"] == 0.4]
    p = run([exe, "table", path, "--where", "share.china_cap=0.4"])
    n_csv = len(p.stdout.splitlines()) - 1
    check(len(mine) == 800 and n_csv == 800 and set(mine.index) ==
          {int(row[0]) for row in list(csv.reader(io.StringIO(p.stdout)))[1:]},
          f"range value: a 0.4 filter finds its {len(mine)} rows in Python, as `table "
          f"--where` does ({n_csv})")
    t = smr.percentiles(df, "total_cost", ["share.china_cap", "availability.China"])
    ok = len(t) == 10
    for (cap, av), row in t.iterrows():
        v = df["total_cost"][(df["share.china_cap"] == cap) & (df["availability.China"] == av)]
        ok &= row["P90"] == np.percentile(v, 90) and row["n"] == len(v)
    check(ok, f"percentiles by two parameters: {len(t)} groups equal numpy's P90 and counts")
    t = smr.percentiles(df, "total_cost", ["share.china_cap", "price.Tb_oxide"])
    check(len(t) == 25 and t["n"].sum() == len(df),
          "percentiles by a grid and a continuous parameter: 5 x 5 quantile bins, every row once")


def check_figures(exe, tmp, path):
    import supplymix_plots as smp
    sweep_file = os.path.join(tmp, "plan.yaml")
    with open(sweep_file, "w") as f:
        f.write(PLAN_SWEEP)
    plan = os.path.join(tmp, "plan.h5")
    p = run([exe, "plan", "--sweep", sweep_file, "-o", plan, "-j", "2"])
    check(p.returncode == 0, "plan: supplymix plan exits 0", p.stderr[-600:])
    for label, f in (("sweep", path), ("plan", plan)):
        smp.LAYOUT_PROBLEMS.clear()
        smp.FIGURE_TEXT.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = smp.main([f, "-o", os.path.join(tmp, label + "_fig"), "-q"])
        drawn = sorted(smp.LAYOUT_PROBLEMS)
        probs = {k: v for k, v in smp.LAYOUT_PROBLEMS.items() if v}
        check(code == 0 and len(drawn) >= 6 and not probs,
              f"{label}: {len(drawn)} figures, no axis offset and no overlapping tick labels",
              str(probs))
        text = {k: " ".join(v) for k, v in smp.FIGURE_TEXT.items()}
        check(all("1e" not in t.split("(")[0] for t in text.values())
              and "million USD" in text.get("limit_price.png", "") and
              "million USD" in text.get("cost_vs_cap.png", ""),
              f"{label}: amounts in million USD (limit_price, cost_vs_cap)")
        check("all materials" not in text["heatmap.png"] + text["risk.png"]
              and all(m in text["heatmap.png"] and m in text["risk.png"]
                      for m in ("NdPr_oxide", "Dy_oxide", "Tb_oxide"))
              and "% of its demand" in text["risk.png"],
              f"{label}: heat map and risk show shortfall per material as a share of demand")
        check(all(re.search(rf"P{q} [\d,.]+", text["risk.png"]) for q in (50, 90, 99)),
              f"{label}: risk labels the P50, P90 and P99 values")
        check("cash paid" in text["cost_vs_cap.png"] and "shortfall penalty" in
              text["cost_vs_cap.png"], f"{label}: cost_vs_cap shows cash and penalty apart")
        check_share_labels(smp, label)
        COLOURS.update({f"{label}/{k}": v for k, v in smp.FIGURE_COLOURS.items()})
        if label == "sweep":
            check(not any(": median" in k for k in smp.FIGURE_LINES["cost_vs_cap.png"]),
                  "sweep with one grid axis: cost_vs_cap keeps its bands (no line per value)")
    smp.use_matplotlib()
    fig, ax = smp.plt.subplots(figsize=(3, 2))
    ax.set_xticks(range(20))
    ax.set_xticklabels([f"label {i}" for i in range(20)])
    import matplotlib
    with matplotlib.rc_context({"axes.formatter.useoffset": True}):
        ax2 = fig.add_subplot(2, 2, 4)
        ax2.plot([1, 2], [12345678.0, 12345679.0])
        fig.canvas.draw()
        probs = smp.layout_problems(fig)
    check(any("overlap" in x for x in probs) and any("offset" in x for x in probs),
          "the layout check catches overlapping tick labels and an axis offset")


COLOURS = {}          # {file/figure: {legend label: colour}} of every figure drawn
DENOMINATOR = re.compile(r"of (its |each material's |the base case's )?(demand|purchases)"
                         r"|of (the )?scenarios|of futures")


def check_share_labels(smp, label):
    """Every axis label, and the footnote of every figure, that shows a
    share or a % says what it is a share of."""
    bad = [f"{k}: {t!r}" for k, v in smp.FIGURE_AXIS_LABELS.items() for t in v
           if re.search(r"share|%", t) and not DENOMINATOR.search(t)]
    foot = {k: [t for t in v if "Illustrative" in t] for k, v in smp.FIGURE_TEXT.items()}
    bad += [f"{k} footnote: {t!r}" for k, v in foot.items() for t in v
            if k in ("heatmap.png", "risk.png", "limit_price.png", "supplier_mix.png")
            and not re.search(r"share(s)? of (each material's |its )?demand", t)]
    check(not bad, f"{label}: every share axis label and footnote names its denominator",
          "\n".join(bad))


def check_policy_lines(exe, tmp):
    import supplymix_plots as smp
    path = os.path.join(tmp, "two_grid.h5")
    p = run([exe, "run", "--sweep", os.path.join(ROOT, "tests", "data", "two_grid_sweep.yaml"),
             "-o", path, "-j", "2"])
    if not check(p.returncode == 0, "two grid axes: supplymix run exits 0", p.stderr[-600:]):
        return
    smp.FIGURE_LINES.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = smp.main([path, "-o", os.path.join(tmp, "two_fig"), "-q"])
    COLOURS.update({f"two_grid/{k}": v for k, v in smp.FIGURE_COLOURS.items()})
    lines = smp.FIGURE_LINES.get("cost_vs_cap.png", {})
    with h5py.File(path, "r") as f:
        names = [x.decode() if isinstance(x, bytes) else x for x in f["parameter"][:]]
        P = f["parameters"][:]
        meanings = f["status"].attrs["flag_meanings"]
        meanings = (meanings.decode() if isinstance(meanings, bytes) else meanings).split()
        ok = f["status"][:] == list(f["status"].attrs["flag_values"])[meanings.index("optimal")]
        vals = {"total cost": f["total_cost"][:], "cash paid": f["cash_cost"][:],
                "shortfall penalty": f["cost_shortfall"][:]}
    cap, tariff = P[:, names.index("share.china_cap")], P[:, names.index("tariff.China")]
    caps, tariffs = np.unique(cap[ok]), np.unique(tariff[ok])
    want, got, bad = 0, 0, []
    for t in tariffs:
        for what, v in vals.items():
            want += 1
            key = f"tariff.China = {t:g}: median {what}"
            if key not in lines:
                continue
            got += 1
            x, y = lines[key]
            exp = [np.median(v[ok & (cap == c) & (tariff == t)]) * 1e-6 for c in caps]
            if not (np.allclose(x, 100 * caps, rtol=1e-12) and np.allclose(y, exp, rtol=1e-12)):
                bad.append(f"{key}: {y} != {exp}")
    check(code == 0 and want == got == 3 * len(tariffs) == 6 and not bad,
          f"two grid axes: cost_vs_cap has one line per tariff value ({got} of {want} lines: "
          "median total cost, cash paid, penalty) equal to h5py's medians per cell",
          f"lines: {sorted(lines)}\n" + "\n".join(bad))


def check_region_colours():
    import supplymix_plots as smp
    seen, bad = {}, []
    regions = {"China", "Australia", "Canada", "USA"}
    for fig, legend in COLOURS.items():
        for lab, c in legend.items():
            if lab in regions:
                seen.setdefault(lab, set()).add((c, fig))
    for reg, cs in seen.items():
        if len({c for c, _ in cs}) != 1:
            bad.append(f"{reg}: {sorted(cs)}")
    a = smp.region_colour(["Brazil", "China", "Vietnam"])
    b = smp.region_colour(["Vietnam", "Brazil"])
    check(len(seen) == 4 and not bad and a["Brazil"] == b["Brazil"] and
          a["Vietnam"] == b["Vietnam"] and a["Brazil"] != a["Vietnam"],
          f"one colour per region in every figure ({len(COLOURS)} figures, regions "
          f"{sorted(seen)}), whatever regions are drawn beside it", "\n".join(bad))


def main(exe):
    with tempfile.TemporaryDirectory(prefix="sm_frame_") as tmp:
        sweep = os.path.join(tmp, "frame.yaml")
        with open(sweep, "w") as f:
            f.write(SWEEP)
        path = os.path.join(tmp, "frame.h5")
        p = run([exe, "run", "--sweep", sweep, "-o", path, "-j", "2"])
        if not check(p.returncode == 0, "run: 4,000 scenarios with full results", p.stderr[-600:]):
            return 1
        r, df = check_frame(exe, path)
        check_filters(exe, path, df)
        check_figures(exe, tmp, path)
        check_policy_lines(exe, tmp)
        check_region_colours()
    print(f"{len(failures)} failures" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(os.path.abspath(sys.argv[1])))
