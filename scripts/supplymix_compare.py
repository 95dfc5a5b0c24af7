#!/usr/bin/python3
"""What changed between two runs of the same sweep (say last month's data
against this month's), as text; supplymix_report.py A.h5 --compare B.h5
writes the same as HTML.

usage: supplymix_compare.py A.h5 B.h5 [-o FILE.txt]

It prints: the inputs that differ (the model, supplier, demand and sweep
files stored in each file's /inputs, line by line, and the model and sweep
hashes, seed and portfolio), then per policy (cap level, or a plan's
policy) total cost and cash paid at P50/P90/P99 in A and in B with B - A,
each region's share of purchases per material (mean over futures) side by
side, and, when both are plan files, the tonnes to commit by region and
material side by side.

Two runs are comparable when their sweeps have the same swept parameters
(by name), the same number of scenarios, grid points and futures: then
scenario i is the same grid point in both. Otherwise it refuses with
exit code 2 and says what differs. Exit codes: 0 compared; 2 not
comparable, a file that cannot be read, bad arguments; 1 internal error.
"""
import argparse
import difflib
import html
import os
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supplymix_results as smr  # noqa: E402
import supplymix_summary as sms  # noqa: E402

# Root attributes that say what a run was made of (not when or where).
INPUT_ATTRS = ("model_name", "model_hash", "sweep_name", "sweep_hash", "seed", "sampling",
               "samples", "grid_size", "n_scenarios", "portfolio_hash", "portfolio_policy")
QUANTILES = (50, 90, 99)
MAX_DIFF_LINES = 40


class NotComparable(Exception):
    """The two runs are not of the same sweep (exit 2)."""


def _inputs(path):
    """{name: text} of the files stored in /inputs of a results file."""
    out = {}
    with smr.open_h5(path) as f:
        g = f.get("inputs")
        if g is None:
            return out
        for name in g:
            d = g[name]
            if d.shape == ():
                v = d[()]
                out[name] = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
            else:
                out[name] = repr(d[()].tolist())
    return out


def check_comparable(a, b):
    """Raise NotComparable naming what differs between two Runs' sweeps."""
    pa, pb = [p.name for p in a.r.parameters], [p.name for p in b.r.parameters]
    why = []
    if pa != pb:
        only_a = [n for n in pa if n not in pb]
        only_b = [n for n in pb if n not in pa]
        why.append("different swept parameters" +
                   (f" (only in A: {', '.join(only_a)}" if only_a else " (") +
                   (f"; only in B: {', '.join(only_b)})" if only_b else
                    ")" if only_a else "same names in another order)"))
    for what, x, y in (("scenarios", a.r.n_scenarios, b.r.n_scenarios),
                       ("grid points", a.r.grid_size, b.r.grid_size),
                       ("futures (samples)", a.r.samples, b.r.samples)):
        if x != y:
            why.append(f"{x:,} {what} in A against {y:,} in B")
    if (a.plan is None) != (b.plan is None):
        why.append("one is a plan file, the other a sweep's results")
    if why:
        raise NotComparable(f"{a.r.path} and {b.r.path} are not runs of the same sweep: "
                            + "; ".join(why) + ". Compare two runs of one sweep (e.g. the same "
                            "sweep on last month's and this month's model files).")


def _policy_stats(run):
    """{policy name: {quantity: values}} over each policy's optimal futures."""
    out = {}
    cost, cash = run.df["total_cost"].to_numpy(float), smr.cash_cost(run.df)
    for name, m in run.policies():
        bought = np.array([[run.df[f"purchases_by_region.{reg}.{mat}"].to_numpy(float)[m].mean()
                            for mat in run.materials] for reg in run.regions])
        tot = bought.sum(axis=0)
        share = bought / np.where(tot > 0, tot, np.nan)
        out[name] = {"total_cost": cost[m], "cash_cost": cash[m], "share": share,
                     "n": int(m.sum())}
    return out


def _commitments(run):
    """{policy: {(region, material): t}} of a plan file, else {}."""
    p = run.plan
    if p is None:
        return {}
    sup_region = np.array(p.supplier_region.values)
    out = {}
    for g in range(p.sizes["policy"]):
        k = p.commitment.isel(policy=g).values
        out[sms.policy_title(p.policy.values[g])] = {
            (reg, mat): float(np.nansum(k[sup_region == reg, mi, :]))
            for reg in run.regions for mi, mat in enumerate(run.materials)}
    return out


def compare(a_path, b_path):
    """The comparison of two results files as a dict (NotComparable when
    their sweeps differ)."""
    a, b = sms.Run(a_path), sms.Run(b_path)
    check_comparable(a, b)
    ia, ib = _inputs(a_path), _inputs(b_path)
    diffs = {}
    for name in sorted(set(ia) | set(ib)):
        if ia.get(name) == ib.get(name):
            continue
        lines = list(difflib.unified_diff((ia.get(name) or "").splitlines(),
                                          (ib.get(name) or "").splitlines(),
                                          f"A /inputs/{name}", f"B /inputs/{name}", n=0,
                                          lineterm=""))
        diffs[name] = lines
    attrs = [(k, a.r.attrs.get(k, "-"), b.r.attrs.get(k, "-")) for k in INPUT_ATTRS
             if str(a.r.attrs.get(k, "-")) != str(b.r.attrs.get(k, "-"))]
    sa, sb = _policy_stats(a), _policy_stats(b)
    if list(sa) != list(sb):
        raise NotComparable(f"{a_path} and {b_path} have different policies: "
                            f"{', '.join(sa)} against {', '.join(sb)}")
    return {"a": a, "b": b, "input_diffs": diffs, "attrs": attrs, "stats": (sa, sb),
            "commit": (_commitments(a), _commitments(b))}


def cost_rows(c):
    """[(policy, quantity, q, A, B, B - A)] in USD."""
    sa, sb = c["stats"]
    rows = []
    for pol in sa:
        for what in ("total_cost", "cash_cost"):
            for q in QUANTILES:
                x = float(np.percentile(sa[pol][what], q)) if sa[pol]["n"] else np.nan
                y = float(np.percentile(sb[pol][what], q)) if sb[pol]["n"] else np.nan
                rows.append((pol, what, f"P{q}", x, y, y - x))
    return rows


def share_rows(c):
    """[(policy, region, material, share A, share B, B - A)] (1)."""
    sa, sb = c["stats"]
    a = c["a"]
    return [(pol, reg, mat, sa[pol]["share"][ri, mi], sb[pol]["share"][ri, mi],
             sb[pol]["share"][ri, mi] - sa[pol]["share"][ri, mi])
            for pol in sa for ri, reg in enumerate(a.regions) for mi, mat in enumerate(a.materials)]


def commit_rows(c):
    ka, kb = c["commit"]
    return [(pol, reg, mat, ka[pol][(reg, mat)], kb.get(pol, {}).get((reg, mat), np.nan),
             kb.get(pol, {}).get((reg, mat), np.nan) - ka[pol][(reg, mat)])
            for pol in ka for (reg, mat) in ka[pol]]


def _m(x):
    return "n/a" if not np.isfinite(x) else f"{x / 1e6:,.2f}"


def _dm(x):
    return "n/a" if not np.isfinite(x) else f"{x / 1e6:+,.2f}"


def to_text(c):
    a, b = c["a"], c["b"]
    L = [f"A: {a.r.summary_line()}", f"B: {b.r.summary_line()}", "",
         "Inputs that differ:"]
    if not c["input_diffs"] and not c["attrs"]:
        L.append("  none: the same model, sweep and seed")
    for k, x, y in c["attrs"]:
        L.append(f"  {k}: {x} -> {y}")
    for name, lines in c["input_diffs"].items():
        L.append(f"  /inputs/{name}:")
        L += ["    " + ln for ln in lines[:MAX_DIFF_LINES]]
        if len(lines) > MAX_DIFF_LINES:
            L.append(f"    ... {len(lines) - MAX_DIFF_LINES} more lines")
    L += ["", "Cost per policy over its futures (million USD over the horizon; cash = paid, "
          "without the shortfall penalty):",
          f"  {'policy':24s} {'quantity':10s} {'':4s} {'A':>12s} {'B':>12s} {'B - A':>10s}"]
    for pol, what, q, x, y, d in cost_rows(c):
        L.append(f"  {pol:24s} {what:10s} {q:4s} {_m(x):>12s} {_m(y):>12s} {_dm(d):>10s}")
    L += ["", "Share of purchases by region (mean tonnes over futures; % of purchases, not of "
          "demand):", f"  {'policy':24s} {'region':10s} {'material':12s} {'A':>7s} {'B':>7s} "
          f"{'B - A (points)':>14s}"]
    for pol, reg, mat, x, y, d in share_rows(c):
        L.append(f"  {pol:24s} {reg:10s} {mat:12s} {100 * x:6.1f}% {100 * y:6.1f}% "
                 f"{100 * d:+14.1f}")
    if c["commit"][0] and c["commit"][1]:
        L += ["", "Tonnes to commit now over the horizon:",
              f"  {'policy':24s} {'region':10s} {'material':12s} {'A':>9s} {'B':>9s} {'B - A':>9s}"]
        for pol, reg, mat, x, y, d in commit_rows(c):
            L.append(f"  {pol:24s} {reg:10s} {mat:12s} {x:9.1f} {y:9.1f} {d:+9.1f}")
    return "\n".join(L) + "\n"


def _table(head, rows, left):
    e = html.escape
    out = ["<table><tr>" + "".join(f"<th{' class=l' if i < left else ''}>{e(h)}</th>"
                                   for i, h in enumerate(head)) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td{' class=l' if i < left else ''}>{e(str(v))}</td>"
                                    for i, v in enumerate(row)) + "</tr>")
    return "\n".join(out) + "</table>"


def to_html(c):
    a, b = c["a"], c["b"]
    e = html.escape
    L = ["<h2>The two runs</h2>", f"<p>A: {e(a.r.summary_line())}<br>B: {e(b.r.summary_line())}"
         "</p>", "<h2>Inputs that differ</h2>"]
    if not c["input_diffs"] and not c["attrs"]:
        L.append("<p>None: the same model, sweep and seed.</p>")
    if c["attrs"]:
        L.append(_table(["attribute", "A", "B"], c["attrs"], 1))
    for name, lines in c["input_diffs"].items():
        shown = lines[:MAX_DIFF_LINES] + ([f"... {len(lines) - MAX_DIFF_LINES} more lines"]
                                          if len(lines) > MAX_DIFF_LINES else [])
        L.append(f"<h3>/inputs/{e(name)}</h3><pre class=mono>{e(chr(10).join(shown))}</pre>")
    L += ["<h2>Cost per policy</h2>",
          _table(["policy", "quantity", "", "A", "B", "B - A"],
                 [(p, w, q, _m(x), _m(y), _dm(d)) for p, w, q, x, y, d in cost_rows(c)], 3),
          "<p class=note>Million USD over the horizon, over each policy's optimal futures; "
          "cash = total cost minus the shortfall penalty.</p>",
          "<h2>Share of purchases by region</h2>",
          _table(["policy", "region", "material", "A", "B", "B - A (points)"],
                 [(p, r, m, f"{100 * x:.1f} %", f"{100 * y:.1f} %", f"{100 * d:+.1f}")
                  for p, r, m, x, y, d in share_rows(c)], 3),
          "<p class=note>Each region's share of the mean tonnes bought over the futures: a "
          "share of purchases, not of demand.</p>"]
    if c["commit"][0] and c["commit"][1]:
        L += ["<h2>Portfolio: tonnes to commit now</h2>",
              _table(["policy", "region", "material", "A (t)", "B (t)", "B - A (t)"],
                     [(p, r, m, f"{x:,.1f}", f"{y:,.1f}", f"{d:+,.1f}")
                      for p, r, m, x, y, d in commit_rows(c)], 3)]
    return "\n".join(L)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="supplymix_compare.py", description=__doc__.split("\n\n")[0],
                                 epilog="\n\n".join(__doc__.split("\n\n")[2:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", help="the first results file (e.g. last month's)")
    ap.add_argument("b", help="the second results file, of the same sweep")
    ap.add_argument("-o", "--output", help="write the text here instead of standard output")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        text = to_text(compare(args.a, args.b))
    except (smr.ResultsError, NotComparable) as e:
        print(f"supplymix_compare: error: {e}", file=sys.stderr)
        return 2
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    smr.run_script(main, "supplymix_compare")
