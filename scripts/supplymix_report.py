#!/usr/bin/python3
"""A board report of a supplymix results file: one self-contained HTML file.

usage: supplymix_report.py RESULTS.h5 -o REPORT.html [--by PARAM] [--force]
       supplymix_report.py A.h5 --compare B.h5 -o CMP.html [--force]

The report says what was run (model, sweep, provenance; an illustrative
scenario analysis, not a forecast), the headline (the cost of each cap
level; for a plan file what hedging buys: RP, EVPI, VSS), total cost
percentiles by policy and by a second parameter (--by, default the one
that moves cost most), regret by policy under each value of that
parameter, shortfall per material (t and share of demand, never summed
across materials), the mix of purchases by region (shares of purchases),
the portfolio to sign when the file is a plan, and the figures of
supplymix_plots.py, each with two sentences on how to read it. Figures are
embedded as data: URIs; the file loads nothing from the network, so it can
be mailed and opened offline, or printed to PDF from a browser.

With --compare B.h5 it reports what changed from A (say last month's run)
to B (this month's): the inputs that differ (the model and sweep files
stored in /inputs, their hashes), cost percentiles, purchase shares and
the portfolios side by side. Two runs are comparable when their sweeps
have the same parameters and scenario numbering (grid size and samples);
otherwise it refuses (exit 2). supplymix_compare.py prints the same as text.

Exit codes: 0 written; 2 bad arguments, a file that cannot be read, runs
not comparable, or an output that exists (without --force); 1 internal error.
Needs Debian's /usr/bin/python3 with python3-h5py, python3-numpy,
python3-xarray, python3-pandas and python3-matplotlib.
"""
import argparse
import base64
import html
import os
import sys
import tempfile
import warnings

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supplymix_results as smr  # noqa: E402
import supplymix_summary as sms  # noqa: E402
import supplymix_plots as smp    # noqa: E402
import supplymix_compare as smc  # noqa: E402

# Two sentences per figure: what is drawn, and how to read it.
HOW_TO_READ = {
    "cost_vs_cap": "Each dot is the median total cost over the horizon of the futures solved "
                   "at one cap level; the bands hold the middle half and 80 % of those futures, "
                   "and the dashed lines split the median into cash paid and the shortfall "
                   "penalty. Read it right to left: the rise of the line is what a tighter cap "
                   "costs, and the width of the bands is how much the future matters.",
    "supplier_mix": "Each bar is the mean tonnage bought over the horizon at one level, stacked "
                    "by region (the same colours in every figure), with unmet demand hatched on "
                    "top. Compare the heights of one colour across levels to see which region "
                    "replaces China as the cap tightens.",
    "heatmap": "Each cell is one combination of the two parameters that move cost most: the "
               "first panel its median total cost, the others the mean shortfall of each "
               "material as a share of its demand. Look for the corner where cost and "
               "shortfall are both low, and for where they change fastest.",
    "risk": "The left panel spreads total cost over the futures at each level, with P50, P90 "
            "and P99 marked and labelled; the right one does the same for each material's "
            "shortfall as a share of its demand. The gap between P50 and P99 is the tail risk "
            "a level leaves; shortfall is never added across materials.",
    "limit_price": "The line is what one more percentage point of each limit's share would "
                   "save over the horizon (its shadow price), median and 10-90 % band; 'binds' "
                   "says in how many futures the limit is active. A price near zero means the "
                   "limit costs little there; a steep rise shows where it starts to hurt.",
    "drivers": "Left, the rank correlation of each swept parameter with total cost (red: a "
               "higher value costs more); right, the median cost in its lowest and highest "
               "fifth of values. The longest bars are the uncertainties that matter most.",
    "plan_portfolio": "Each panel shows the tonnes to commit now per quarter for one policy "
                      "and material, stacked by region, against the base case's demand "
                      "(dashed). Spot purchases in each future come on top of these "
                      "commitments.",
    "plan_cost": "Per policy, the boxes spread the cost of each future under the plan (blue), "
                 "with perfect foresight (green) and under the plan made for the average "
                 "future (orange); diamonds are their means RP, WS and EEV. EVPI = RP - WS is "
                 "what knowing the future would be worth, VSS = EEV - RP what hedging buys.",
    "plan_regret": "Each dot is one future: its cost under the plan minus its cost had it "
                   "been known in advance, with P50, P90 and P99 drawn and labelled per "
                   "policy. A low P99 means the plan is rarely far from hindsight.",
    "plan_convergence": "The bounds of the decomposition per iteration (upper: the best plan "
                        "found, lower: the master LP) and their relative gap on a log scale. "
                        "A gap under the dotted tolerance means the plan is proven optimal to "
                        "that precision.",
}
FIGURE_TITLES = {
    "cost_vs_cap": "What diversification costs", "supplier_mix": "Supplier mix by region",
    "heatmap": "Cost and shortfall over the two strongest parameters",
    "risk": "Risk across futures", "limit_price": "Price of each dependency limit",
    "drivers": "What matters most for cost", "plan_portfolio": "What to sign now",
    "plan_cost": "What the plan costs, and what hedging buys", "plan_regret": "Regret",
    "plan_convergence": "Convergence of the plan"}

CSS = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1100px;margin:1.5em auto;
color:#1a1a1a;line-height:1.4;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #0b5394;padding-bottom:.15em;
margin-top:1.8em}h3{margin-bottom:.3em}
.banner{background:#fff4e5;border-left:6px solid #e69f00;padding:.6em 1em;margin:1em 0}
.headline{background:#eef4fb;border-left:6px solid #0b5394;padding:.6em 1em}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.9em}
th,td{border:1px solid #c8c8c8;padding:.25em .55em;text-align:right;vertical-align:top}
th{background:#f0f0f0}td.l,th.l{text-align:left}td.l:first-child{white-space:nowrap}
figure{margin:1.2em 0;page-break-inside:avoid}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.9em;color:#333;max-width:900px}
.note{font-size:.85em;color:#444}.mono{font-family:"DejaVu Sans Mono",monospace;font-size:.85em}
.up{color:#a50f15}.down{color:#1b7837}
@media print{body{max-width:none}h2{page-break-after:avoid}}
"""


class ReportError(Exception):
    """A report that cannot be made (the message says why; exit 2)."""


def esc(x):
    return html.escape(str(x))


def musd(x, signed=False):
    """An amount in USD as million USD with one decimal ("n/a", "inf")."""
    x = float(x)
    if np.isnan(x):
        return "n/a"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x / 1e6:+,.1f}" if signed else f"{x / 1e6:,.1f}"


def pct(x, digits=1):
    x = float(x)
    return "n/a" if not np.isfinite(x) else f"{100 * x:.{digits}f} %"


def tonnes(x):
    x = float(x)
    return "n/a" if not np.isfinite(x) else f"{x:,.1f}"


def table(head, rows, left=1):
    """An HTML table: head a list of header cells, rows lists of cells
    (already text); the first `left` columns left-aligned."""
    cls = lambda i: ' class="l"' if i < left else ""  # noqa: E731
    out = ["<table>" + ("<tr>" + "".join(f"<th{cls(i)}>{h}</th>" for i, h in enumerate(head))
                        + "</tr>" if any(head) else "")]
    for row in rows:
        out.append("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>")
    return "\n".join(out) + "</table>"


def page(title, body):
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style></head>\n<body>\n{body}\n"
            "</body></html>\n")


# ---- what the report is made of ----------------------------------------------

# ---- sections --------------------------------------------------------------------

def section_what(run):
    r, a = run.r, run.r.attrs
    counts = r.status_counts()
    kind = ("plan file (supplymix plan): every future evaluated at its policy's portfolio"
            if run.plan is not None else "sweep file (supplymix run)")
    rows = [["model", f"<b>{esc(r.model_name)}</b>: {esc(a.get('model_description', ''))}"],
            ["sweep", f"<b>{esc(r.sweep_name)}</b>: {esc(a.get('sweep_description', ''))}"],
            ["file", f"{esc(os.path.basename(r.path))} ({esc(kind)})"],
            ["scenarios", f"{r.n_finished:,} of {r.n_scenarios:,} finished "
                          f"({r.grid_size:,} grid points x {r.samples:,} futures, "
                          f"sampling {esc(a.get('sampling', '-'))}, seed {esc(a.get('seed', '-'))});"
                          f" by status: "
                          + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v)],
            ["provenance", f"supplymix {esc(a.get('supplymix_version', '?'))}, created "
                           f"{esc(a.get('created', '?'))} on {esc(a.get('host', '?'))}; model "
                           f"hash <span class=mono>{esc(a.get('model_hash', '?'))}</span>, sweep "
                           f"hash <span class=mono>{esc(a.get('sweep_hash', '?'))}</span>; "
                           f"command <span class=mono>{esc(a.get('command_line', '?'))}</span>"]]
    prow = []
    for p in r.parameters:
        lv = p.levels
        vals = (", ".join(f"{x:g}" for x in lv) if len(lv) <= 6 else
                f"{len(lv)} values, {lv.min():g} to {lv.max():g}") if len(lv) else "-"
        prow.append([esc(p.name), esc(p.meaning), esc(p.kind), esc(vals),
                     esc(p.units if p.units not in ("", "1") else "-")])
    return ("<h2>What was run</h2>" + table(["", ""], rows, left=2) +
            "<h3>Swept parameters</h3>" +
            table(["parameter", "meaning", "how swept", "values", "units"], prow, left=4) +
            "<p class=note>The model and sweep files are stored in the results file "
            "(<span class=mono>/inputs</span>), so the file alone reproduces this run.</p>")


def section_headline(run):
    df, L = run.df, []
    cost, cash = df["total_cost"].to_numpy(float), smr.cash_cost(df)
    pen = df["cost_shortfall"].to_numpy(float)
    rows = []
    for name, m in run.policies():
        rows.append([esc(name), musd(np.median(cost[m])), musd(np.percentile(cost[m], 90)),
                     musd(np.median(cash[m])), musd(np.median(pen[m])), f"{m.sum():,}"])
    label = "policy" if run.plan is not None else ("cap level" if run.cap is not None else "group")
    text = ""
    pols = run.policies()
    if len(pols) > 1:
        med = [np.median(cost[m]) for _, m in pols]
        text = (f"<p>Median total cost over the horizon goes from {musd(med[0])} M USD at "
                f"{esc(pols[0][0])} to {musd(med[-1])} M USD at {esc(pols[-1][0])} "
                f"({musd(med[-1] - med[0], True)} M USD).</p>")
    L.append("<h2>Headline</h2><div class=headline>" + text +
             table([label, "median total cost", "P90 total cost", "median cash paid",
                    "median shortfall penalty", "futures"], rows) +
             "<p class=note>Million USD over the whole horizon. Cash paid = purchases, tariffs, "
             "freight, holding and contract fees (" +
             ("the file's <span class=mono>cash_cost</span>" if "cash_cost" not in
              df.attrs.get("derived", []) else "total cost minus the shortfall penalty") +
             "); the shortfall penalty is the value the model puts on unmet demand, not money "
             "paid. Medians of the parts do not add up to the median total.</p></div>")
    if run.plan is not None:
        L.append(section_hedging(run))
    return "\n".join(L)


def _hedging_sentence(p):
    """One sentence on what the hedged portfolio saves (VSS) per policy."""
    ok = [g for g in range(p.sizes["policy"]) if not str(p.plan_stop_message.values[g])]
    if not ok:
        return "<p>No policy has a plan (see the table for why).</p>"
    parts = [f"{esc(sms.policy_title(p.policy.values[g]))}: {musd(p.VSS.values[g])} M USD"
             for g in ok]
    return ("<p>Signing the portfolio hedged across the futures, rather than the one made for "
            "the average future, saves in expectation " + "; ".join(parts) + " (VSS).</p>")


def section_hedging(run):
    p = run.plan
    rows = []
    for g in range(p.sizes["policy"]):
        msg = str(p.plan_stop_message.values[g])
        if msg:
            rows.append([esc(sms.policy_title(p.policy.values[g])), f"no plan: {esc(msg)}"] +
                        [""] * 5)
            continue
        rows.append([esc(sms.policy_title(p.policy.values[g]))] +
                     [musd(p[k].values[g]) for k in ("RP", "commitment_cost", "WS", "EEV",
                                                      "EVPI", "VSS")])
    return ("<h3>What hedging buys</h3>" + _hedging_sentence(p) +
            table(["policy", "RP: expected cost of the plan", "contract fees", "WS: perfect "
                   "foresight", "EEV: plan for the average future", "EVPI = RP - WS",
                   "VSS = EEV - RP"], rows) +
            "<p class=note>Million USD, expected over each policy's futures. VSS is what "
            "signing the hedged portfolio saves against signing the one made for the average "
            "future; EVPI is what perfect knowledge of the future would still be worth (inf: "
            "the average-future plan leaves some future infeasible).</p>")


def _pct_rows(df, col, by, names):
    t = smr.percentiles(df, col, by)
    rows = []
    for key, row in t.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        rows.append([esc(n(k)) for n, k in zip(names, key)] +
                    [musd(row[q]) for q in ("P5", "P50", "P90", "P99", "mean")] +
                    [f"{int(row['n']):,}"])
    return rows


def section_percentiles(run, second):
    df = run.df
    by, names, head = [], [], []
    if run.policy_col is not None:
        by.append(run.policy_col)
        names.append(run.policy_name)
        head.append("policy" if run.plan is not None else "level")
    if second is not None:
        by.append(second.name)
        names.append(lambda k: f"{k:g}" if isinstance(k, float) else str(k))
        head.append(esc(second.name))
    out = ["<h2>Total cost percentiles</h2>"]
    if run.policy_col is not None:
        out.append("<h3>By policy</h3>" + table(head[:1] + ["P5", "P50", "P90", "P99", "mean",
                                                            "futures"],
                                                _pct_rows(df, "total_cost", by[:1], names[:1])))
    if second is not None:
        out.append(f"<h3>By policy and {esc(second.name)} ({esc(second.meaning)})</h3>" +
                   table(head + ["P5", "P50", "P90", "P99", "mean", "futures"],
                         _pct_rows(df, "total_cost", by, names), left=len(head)))
    out.append("<p class=note>Million USD over the horizon, over optimal scenarios; "
               "percentiles by linear interpolation. " +
               ("Continuous parameters are split into fifths of their values (quantile "
                "bins, labelled by range)." if second is not None and not second.discrete
                else "") + "</p>")
    return "\n".join(out)


def section_regret(run, second):
    reg, meaning = run.regret()
    if second is None:
        return ""
    keys = smr.group_labels(run.df, second.name)
    levels = list(dict.fromkeys(sorted(keys.unique())))
    rows = []
    for name, m in run.policies():
        cells = []
        for k in levels:
            v = reg[m & (keys == k).to_numpy()]
            v = v[np.isfinite(v)]
            cells.append(f"{musd(np.percentile(v, 50))} / {musd(np.percentile(v, 90))}"
                         if len(v) else "-")
        rows.append([esc(name)] + cells)
    head = ["policy" if run.plan is not None else "level"] + \
        [esc(f"{second.name} = {k:g}" if isinstance(k, float) else f"{second.name} {k}")
         for k in levels]
    return (f"<h2>Regret by policy under each value of {esc(second.name)}</h2>" +
            table(head, rows) + f"<p class=note>P50 / P90 in million USD; {esc(meaning)}.</p>")


def section_shortfall(run):
    df = run.df
    rows = []
    for name, m in run.policies():
        for mat in run.materials:
            v = df[f"shortfall_total.{mat}"].to_numpy(float)[m]
            v = v[np.isfinite(v)]
            dem = run.demand.get(mat, np.nan)
            share = lambda x: pct(x / dem, 2) if dem > 0 else "n/a"  # noqa: E731
            rows.append([esc(name), esc(mat)] +
                        [f"{tonnes(np.percentile(v, q))} ({share(np.percentile(v, q))})"
                         for q in (50, 90, 99)] +
                        [tonnes(v.mean()), pct((v > 0).mean(), 0), tonnes(dem)])
    return ("<h2>Shortfall per material</h2>" +
            table(["policy" if run.plan is not None else "level", "material", "P50 t (share of "
                   "demand)", "P90", "P99", "mean t", "futures with any", "demand t"], rows,
                  left=2) +
            "<p class=note>Unmet demand over the horizon in tonnes of each oxide and as a share "
            "of that oxide's base-case demand over the horizon. Tonnes of different oxides are "
            "never added: a tonne of Tb is worth many of NdPr.</p>")


def section_mix(run):
    rows = []
    for name, m in run.policies():
        e = sms.median_cost_mix(run.r, run.ds.isel(scenario=np.flatnonzero(m)))
        for what, sh in (("mean over futures", e["mean"]),
                         (f"median-cost future (scenario {e['scenario']})", e["share"])):
            rows.append([esc(name), esc(what)] +
                        [" / ".join(f"{100 * sh[ri, mi]:.0f}" for mi in range(len(run.materials)))
                         for ri in range(len(run.regions))])
    return ("<h2>Mix of purchases by region</h2>" +
            table(["policy" if run.plan is not None else "level", "which mix"] +
                  [esc(x) for x in run.regions], rows, left=2) +
            f"<p class=note>Each region's share of <b>purchases</b> in % "
            f"({esc(' / '.join(run.materials))}), not of demand: unmet demand is not a "
            "purchase, so shares can exceed a cap on demand when some demand is not met. "
            "'Mean over futures' is the share of the mean tonnes bought; the median-cost "
            "future is the one whose total cost is the median at that level (not the luckiest "
            "future).</p>")


def section_portfolio(run):
    p = run.plan
    if p is None:
        return ""
    sup_region = np.array(p.supplier_region.values)
    rows = []
    for g in range(p.sizes["policy"]):
        if str(p.plan_stop_message.values[g]):
            continue
        k = p.commitment.isel(policy=g).values          # [supplier, material, period]
        for mi, mat in enumerate(run.materials):
            dem = run.demand.get(mat, np.nan)
            cells = []
            for reg in run.regions:
                t = float(np.nansum(k[sup_region == reg, mi, :]))
                cells.append(f"{tonnes(t)} ({pct(t / dem, 0)})" if dem > 0 else tonnes(t))
            tot = float(np.nansum(k[:, mi, :]))
            rows.append([esc(sms.policy_title(p.policy.values[g])), esc(mat)] + cells +
                        [f"{tonnes(tot)} ({pct(tot / dem, 0)})" if dem > 0 else tonnes(tot)])
    top = []
    for e in sms.plan_rows(run.r, run.ds, p):
        for sup, mat, t, a, b, mx in e["by_supplier"]:
            top.append([esc(sms.policy_title(e["policy"])), esc(sup), esc(mat), tonnes(t),
                        esc(a), esc(b), tonnes(mx)])
    return ("<h2>The portfolio: what to sign now</h2>" +
            table(["policy", "material"] + [esc(x) for x in run.regions] + ["all regions"], rows,
                  left=2) +
            "<p class=note>Tonnes committed now over the horizon (share of the base case's "
            "demand over the horizon). Spot purchases in each future come on top.</p>"
            "<h3>With whom</h3>" +
            table(["policy", "supplier", "material", "t over the horizon", "from", "to",
                   "most in one quarter"], top, left=3))


def section_figures(run, only=None):
    """The figures of supplymix_plots.py, drawn into a temporary directory
    and embedded as data: URIs, each with its two sentences."""
    out = ["<h2>Figures</h2>"]
    with tempfile.TemporaryDirectory(prefix="smreport") as tmp:
        args = [run.r.path, "-o", tmp, "-q"] + (["--only", ",".join(only)] if only else [])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smp.main(args)
        names = smp.FIGURES + (smp.PLAN_FIGURES if run.plan is not None else ())
        for name in names:
            path = os.path.join(tmp, name + ".png")
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                data = base64.b64encode(f.read()).decode("ascii")
            out.append(f"<figure id=\"fig-{name}\"><h3>{esc(FIGURE_TITLES[name])}</h3>"
                       f"<img alt=\"{esc(FIGURE_TITLES[name])}\" src=\"data:image/png;base64,"
                       f"{data}\"><figcaption><b>How to read it.</b> {esc(HOW_TO_READ[name])}"
                       "</figcaption></figure>")
    return "\n".join(out)


NOT_A_FORECAST = ("<div class=banner><b>Illustrative scenario analysis, not a forecast.</b> "
                  "Every number below is the optimal purchasing plan of a model under assumed "
                  "futures (prices, export controls, mine delays drawn as the sweep says); it "
                  "shows how costs and risks respond to choices, not what will happen.</div>")


def report(path, by=None):
    run = sms.Run(path)
    if len(run.df) < 3:
        raise ReportError(f"{path}: needs at least 3 optimal scenarios; it has {len(run.df)}")
    try:
        second = run.second(by)
    except KeyError as e:
        raise ReportError(f"--by: {e.args[0]}") from None
    r = run.r
    title = f"Supply mix: sweep {r.sweep_name} of model {r.model_name}"
    body = [f"<h1>{esc(title)}</h1>",
            f"<p class=note>Report of {esc(os.path.basename(r.path))}, made by "
            "scripts/supplymix_report.py.</p>", NOT_A_FORECAST, section_headline(run),
            section_what(run), section_percentiles(run, second), section_regret(run, second),
            section_shortfall(run), section_mix(run), section_portfolio(run),
            section_figures(run), "<hr>" + NOT_A_FORECAST]
    return page(title, "\n".join(b for b in body if b))


def compare_report(a_path, b_path):
    c = smc.compare(a_path, b_path)          # raises smc.NotComparable
    title = f"What changed: {os.path.basename(a_path)} to {os.path.basename(b_path)}"
    return page(title, f"<h1>{esc(title)}</h1>" + NOT_A_FORECAST + smc.to_html(c))


# ---- command line ------------------------------------------------------------

def parse_args(argv):
    parts = __doc__.split("\n\n")
    ap = argparse.ArgumentParser(prog="supplymix_report.py", description=parts[0],
                                 epilog="\n\n".join(parts[2:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", help="a results file of `supplymix run` or `supplymix plan`")
    ap.add_argument("-o", "--output", required=True, help="the HTML file to write")
    ap.add_argument("--by", metavar="PARAM", help="the second parameter of the tables "
                    "(default: the one, besides the policy, that moves total cost most)")
    ap.add_argument("--compare", metavar="B.h5", help="report what changed from RESULTS to B.h5")
    ap.add_argument("--force", action="store_true", help="replace the output if it exists")
    return ap.parse_args(argv)


def write_new(path, text, force):
    """Write text to path through a temporary file beside it (never a
    half-written report); an existing path only with force."""
    if os.path.exists(path) and not force:
        raise ReportError(f"{path}: exists; give --force to replace it")
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".report", suffix=".html", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        text = compare_report(a.results, a.compare) if a.compare else report(a.results, a.by)
        write_new(a.output, text, a.force)
    except (smr.ResultsError, ReportError, smc.NotComparable) as e:
        print(f"supplymix_report: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"supplymix_report: error: {a.output}: cannot write it: {e.strerror}",
              file=sys.stderr)
        return 2
    print(f"supplymix_report: wrote {a.output} ({os.path.getsize(a.output) / 1e6:.1f} MB)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    smr.run_script(main, "supplymix_report")
