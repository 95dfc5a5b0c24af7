#!/usr/bin/python3
"""Standard figures and a summary of a supplymix results file.

usage: supplymix_plots.py RESULTS.h5 [-o OUTDIR] [--only NAME,...]
                          [--heatmap PARAM,PARAM] [--dpi N] [-q]

Writes into OUTDIR (default: RESULTS_figures beside the file) the PNG
figures that fit the sweep's parameters, plus summary.csv and summary.md:

  cost_vs_cap.png    total cost against the cap (any swept share.LIMIT),
                     median with 10-90 % and 25-75 % bands over the other
                     parameters, and the median cash paid and shortfall
                     penalty apart; when the sweep has a second policy
                     (grid) parameter of 2-6 values (e.g. a tariff), one
                     line per value of it instead of bands
  supplier_mix.png   tonnes bought per region (stacked) and unmet demand,
                     per material, against the cap (else the parameter that
                     moves cost most)
  heatmap.png        median total cost and each material's mean shortfall
                     (share of its demand) over the two parameters that
                     move cost most (or --heatmap A,B)
  risk.png           random sweeps: distributions of total cost and of
                     each material's shortfall (share of its demand) with
                     the P50, P90 and P99 values labelled
  limit_price.png    what one more percentage point of each dependency
                     limit's share would save (its shadow price), against
                     its share (else against the cap or the top parameter)
  drivers.png        what matters most: Spearman rank correlation of each
                     swept parameter with total cost, and a tornado of
                     median cost in its lowest and highest fifth of values

and for a plan file (`supplymix plan`; the figures above then show every
future at its policy's portfolio):

  plan_portfolio.png   what to sign now: tonnes committed per quarter by
                       region and material, one row per policy, against
                       the base case's demand
  plan_cost.png        each policy's cost over the futures under the plan,
                       against perfect foresight (WS) and against the plan
                       for the average future (EEV), with EVPI and VSS
  plan_regret.png      regret per future (its cost under the plan minus its
                       perfect-foresight cost), P50/P90/P99 per policy
  plan_convergence.png upper and lower bounds and the gap (log scale) per
                       iteration of the L-shaped method, per policy

summary.csv and summary.md then have a plan section (per policy RP, WS,
EEV, EVPI, VSS, regret P50/P90/P99, and what to commit by region).

Amounts are in million USD on every axis, never with an axis offset;
each figure is checked when drawn for offsets and overlapping tick labels
(a warning on stderr names them); shortfall tonnes of different materials
are never added; regions keep one colour in every figure and every file
(region_colour: the one map, also behind the report's figures); every
share drawn says what it is a share of (of demand: caps, floors,
shortfall; the summary's mix: of purchases).

Figures that do not fit are skipped with the reason on stderr (e.g. the
heat map needs two parameters that vary). Works on a file that is still
being written or was interrupted: only finished scenarios are used, and
each figure's footnote says how many of the sweep's scenarios are in.

Exit codes: 0 done (some figures may be skipped), 2 missing file, not a
results file, a damaged one (one line names the file, the dataset and the
scenario range that cannot be read), or bad arguments, 1 internal error.
A damaged file never hangs the script: see supplymix_results.py.
Needs Debian's /usr/bin/python3 with python3-h5py, python3-numpy,
python3-xarray and python3-matplotlib.
"""
import argparse
import os
import sys
import warnings
import zlib

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import supplymix_results as smr  # noqa: E402
import supplymix_summary as sms  # noqa: E402

# matplotlib is imported by use_matplotlib() once the file is read: a file
# that cannot be read fails without the 0.4 s it takes.
plt = Line2D = Patch = None

FIGURES = ("cost_vs_cap", "supplier_mix", "heatmap", "risk", "limit_price", "drivers")
PLAN_FIGURES = ("plan_portfolio", "plan_cost", "plan_regret", "plan_convergence")
REGION_COLOURS = {"China": "#c0392b", "Australia": "#e69f00", "Canada": "#56b4e9",
                  "USA": "#0b5394"}
OTHER_COLOURS = ["#009e73", "#cc79a7", "#f0e442", "#7f7f7f", "#8c564b", "#17becf"]
DPI = 120


class Skip(Exception):
    """A figure that does not fit this file (the message says why)."""


def use_matplotlib():
    global plt, Line2D, Patch
    import matplotlib
    matplotlib.use("Agg")
    # Never a bare "1e7" or "+1.2e3" beside an axis: amounts are scaled to
    # million USD by money(), and tick labels show plain numbers.
    matplotlib.rcParams["axes.formatter.useoffset"] = False
    matplotlib.rcParams["axes.formatter.limits"] = (-9, 12)
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch


# ---- helpers ---------------------------------------------------------------

# What a share drawn is a share of, said in the footnotes (issue 14: shares
# of purchases can exceed a cap that is a share of demand).
SHARE_OF_DEMAND_SHORT = ("shortfall as a share of each material's demand over the horizon, "
                         "never added across materials")
SHARE_OF_DEMAND_LIMIT = ("a limit's share is a share of demand (not of purchases); "
                         "one point = 1 % of demand")

def region_colour(regions):
    """{region: colour}, the one map of every figure (and of the report,
    which embeds them): a region keeps its colour whichever regions are
    drawn beside it and in whatever order, in every figure and every file;
    a region not in REGION_COLOURS gets one chosen by its name."""
    return {reg: REGION_COLOURS.get(reg) or
            OTHER_COLOURS[zlib.crc32(str(reg).encode()) % len(OTHER_COLOURS)]
            for reg in regions}


def money(units, values=None):
    """(factor, label) to show amounts in `units` readably: anything in USD
    (USD, USD per percentage point) in million USD, or in thousand USD or
    USD when the values are that small (a test model), so that no axis
    needs an offset or a power of ten."""
    if not str(units).startswith("USD"):
        return 1.0, units
    v = np.asarray(values if values is not None else [1e6], dtype=float)
    v = v[np.isfinite(v)]
    big = np.abs(v).max() if len(v) else 1e6
    if big >= 1e5 or big == 0:
        return 1e-6, "million " + str(units)
    if big >= 1e2:
        return 1e-3, "thousand " + str(units)
    return 1.0, str(units)


def param_axis_label(p, r):
    """Axis label of a parameter, with its meaning and units."""
    if p.limit is not None:
        kind = r.limit_kind_of(p.limit) or "limit"
        bound = "at most" if kind == "cap" else "at least" if kind == "floor" else "limit:"
        return f"{p.name}: {kind} {p.limit}, {bound} this % of demand"
    units = "" if p.units in ("", "1") else f" [{p.units}]"
    return f"{p.name}: {p.meaning}{units}"


def param_tick(p, value):
    if p.limit is not None and p.units in ("", "1"):
        return f"{100 * value:g}"
    return f"{value:g}"


def footnote(fig, r, ds_n, extra=""):
    text = (f"{os.path.basename(r.path)} — {r.n_finished:,} of {r.n_scenarios:,} scenarios "
            f"finished — sweep {r.sweep_name}, model {r.model_name}")
    if not r.complete:
        text += (" (the others belong to policies without a plan)" if smr.is_plan(r) else
                 " (partial: run going on or interrupted)")
    if ds_n != r.n_finished:
        text += f" — {ds_n:,} optimal used"
    if extra:
        text += f" — {extra}"
    fig.text(0.01, 0.012, text + ". Illustrative, not a forecast.", fontsize=7.5,
             color="#444444", ha="left", va="bottom", wrap=True)
    return len(text) * 7.5 * 0.55 / 72 > 0.95 * fig.get_figwidth()   # two lines?


def _span(n):
    return f"{min(n):,}" if min(n) == max(n) else f"{min(n):,}–{max(n):,}"


# What finish() saw in each figure drawn by this process, for tests and
# for the warning on stderr: {file name: [problem, ...]} and {file name:
# [every text shown]}.
LAYOUT_PROBLEMS = {}
FIGURE_TEXT = {}
# ... and {file name: {legend label: colour}}, {file name: {line label:
# (x, y)}} and {file name: [axis and colour bar labels]}.
FIGURE_COLOURS = {}
FIGURE_LINES = {}
FIGURE_AXIS_LABELS = {}


def _record(fig, name):
    """What a test needs to check a drawn figure against the file."""
    import matplotlib.colors as mcolors
    colours, lines, labels = {}, {}, []
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    for leg in legends:
        handles = getattr(leg, "legend_handles", None) or leg.legendHandles
        for h, t in zip(handles, leg.get_texts()):
            c = h.get_facecolor() if isinstance(h, Patch) else getattr(h, "get_color", None)
            c = c() if callable(c) else c
            if c is not None:
                colours[t.get_text()] = mcolors.to_hex(c)
    for ax in fig.axes:
        labels += [t for t in (ax.get_xlabel(), ax.get_ylabel()) if t]
        for ln in ax.get_lines():
            if not ln.get_label().startswith("_"):
                lines[ln.get_label()] = (np.asarray(ln.get_xdata(), dtype=float),
                                         np.asarray(ln.get_ydata(), dtype=float))
    FIGURE_COLOURS[name], FIGURE_LINES[name], FIGURE_AXIS_LABELS[name] = colours, lines, labels


def _overlaps(boxes):
    """Pairs of boxes (matplotlib Bbox) that overlap by more than a pixel."""
    out = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1:
                out.append((i, j))
    return out


def layout_problems(fig):
    """What would mislead or be unreadable in a drawn figure: an axis with
    an offset or power-of-ten text, and tick labels of one axis that
    overlap each other."""
    renderer = fig.canvas.get_renderer()
    out = []
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            pass
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            off = axis.get_offset_text().get_text()
            if off:
                out.append(f"axes {k} {name}: offset text {off!r}")
            labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            boxes = [t.get_window_extent(renderer) for t in labels]
            for i, j in _overlaps(boxes):
                out.append(f"axes {k} {name}: tick labels {labels[i].get_text()!r} and "
                           f"{labels[j].get_text()!r} overlap")
    return out


def finish(fig, path, dpi, r, n, extra="", rect_top=0.96):
    two_lines = footnote(fig, r, n, extra)
    fig.tight_layout(rect=(0, 0.07 if two_lines else 0.04, 1, rect_top))
    fig.canvas.draw()
    name = os.path.basename(path)
    LAYOUT_PROBLEMS[name] = layout_problems(fig)
    FIGURE_TEXT[name] = [t.get_text() for t in fig.findobj(
        lambda o: hasattr(o, "get_text") and hasattr(o, "get_window_extent")) if t.get_text()]
    _record(fig, name)
    for problem in LAYOUT_PROBLEMS[name]:
        print(f"plots: warning: {name}: {problem}", file=sys.stderr)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _masks(ds, gs):
    """Boolean masks over ds's scenarios of each group of groups()."""
    idx = {int(v): k for k, v in enumerate(ds.scenario.values)}
    out = []
    for _, _, sub in gs:
        m = np.zeros(ds.sizes["scenario"], dtype=bool)
        m[[idx[int(v)] for v in sub.scenario.values]] = True
        out.append(m)
    return out


def shortfall_share(r, ds):
    """(values[scenario, material], label): each material's shortfall as a
    share of its demand over the horizon (in %), or in tonnes when the
    file has no demand; never summed across materials."""
    dem = r.demand_total()
    v = ds.shortfall_total.values.astype(float)
    mats = list(ds.material.values)
    if dem and all(dem.get(m, 0) > 0 for m in mats):
        return 100 * v / np.array([dem[m] for m in mats]), "% of its demand over the horizon"
    return v, ds.shortfall_total.attrs.get("units", "t") + " over the horizon"


def group_values(ds, p, bins=5):
    """Groups of ds by p: [(label, x value, sub)]."""
    return smr.groups(ds, p.name, bins=bins)


def axis_param(r, eff):
    """The parameter figures are drawn against: the cap, else the one that
    moves cost most."""
    cap = sms.cap_parameter(r)
    if cap is not None:
        return cap
    for e in eff:
        return r.parameter(e["parameter"])
    raise Skip("no swept parameter varies among the finished scenarios")


def set_x_ticks(ax, p, gs, continuous):
    xs = [x for _, x, _ in gs]
    if continuous:
        ax.set_xticks(range(len(gs)))
        ax.set_xticklabels([lab for lab, _, _ in gs], rotation=20, fontsize=8)
    else:
        ax.set_xticks(xs)
        ax.set_xticklabels([param_tick(p, x) for x in xs], fontsize=8,
                           rotation=45 if len(xs) > 12 else 0)


def positions(p, gs):
    """x positions: the values for discrete groups, 0..n-1 for quantile bins."""
    discrete = p.discrete
    return (np.array([x for _, x, _ in gs]) if discrete else np.arange(len(gs))), not discrete


# ---- figures ---------------------------------------------------------------

def second_policy(r, p, drawn):
    """The second policy (grid) parameter of a cost figure drawn against p:
    a grid parameter with 2-6 values that is not drawn itself, else None
    (a sweep with one grid axis keeps its bands)."""
    for q in r.parameters:
        if q.kind == "grid" and q.varies and q is not p and q not in drawn \
                and len(q.levels) <= 6:
            return q
    return None


CASH_PENALTY = (
    ("s--", "#1b7837", "median cash paid (purchases, tariffs, freight, holding, fees)"),
    ("^:", "#a50f15", "median shortfall penalty (value of unmet demand, not cash)"))


def _cost_bands(ax, ds, gs, xs, f):
    """Median total cost with 10-90 % and 25-75 % bands over everything
    else, and the median cash paid and penalty apart; the medians."""
    q = np.array([np.percentile(sub.total_cost.values * f, [10, 25, 50, 75, 90])
                  for _, _, sub in gs])
    ax.fill_between(xs, q[:, 0], q[:, 4], color="#9ecae1", alpha=0.6,
                    label="10–90 % of scenarios at this level")
    ax.fill_between(xs, q[:, 1], q[:, 3], color="#4292c6", alpha=0.6, label="25–75 %")
    ax.plot(xs, q[:, 2], "o-", color="#08306b", lw=2, label="median total cost")
    masks = _masks(ds, gs)
    for vals, (style, colour, label) in zip((smr.cash_cost(ds), ds.cost_shortfall.values),
                                            CASH_PENALTY):
        ax.plot(xs, [np.median(vals[w]) * f for w in masks], style, color=colour, lw=1.5,
                ms=5, label=label)
    return q[:, 2]


def _cost_lines(ax, ds, p, second, xs, f):
    """One line of median total cost per value of the second policy
    parameter (with its cash paid and penalty in the same colour, dashed
    and dotted), instead of blending that axis into the bands; each total
    cost line's values at both ends labelled."""
    _, xv, xi = smr.group_index(ds, p.name)
    labels, sv, si = smr.group_index(ds, second.name)
    colours = plt.get_cmap("cividis")(np.linspace(0, 0.85, len(sv)))
    parts = (("total cost", "o-", 2.0, ds.total_cost.values),
             ("cash paid", "s--", 1.2, smr.cash_cost(ds)),
             ("shortfall penalty", "^:", 1.2, ds.cost_shortfall.values))
    for k, (lab, colour) in enumerate(zip(labels, colours)):
        for what, style, lw, vals in parts:
            med = [np.median(vals[(si == k) & (xi == j)]) * f if ((si == k) & (xi == j)).any()
                   else np.nan for j in range(len(xv))]
            ax.plot(xs, med, style, color=colour, lw=lw, ms=4,
                    label=f"{second.name} = {lab}: median {what}")
            if what == "total cost":      # its values at both ends, beside the line
                for j, dx, ha in ((0, -6, "right"), (len(xs) - 1, 6, "left")):
                    ax.annotate(f"{med[j]:,.0f}", (xs[j], med[j]), textcoords="offset points",
                                xytext=(dx, 0), ha=ha, va="center", fontsize=7.5, color=colour)
    ax.margins(x=0.12)


def fig_cost_vs_cap(r, ds, eff, out, dpi):
    shares = [p for p in r.parameters if p.limit is not None and p.varies]
    if not shares:
        raise Skip("needs a swept share.LIMIT parameter (a cap or floor) with more than one "
                   f"value; none of the {sum(p.varies for p in r.parameters)} parameters that "
                   f"vary in sweep {r.sweep_name} is one")
    shares.sort(key=lambda p: r.limit_kind_of(p.limit) != "cap")
    shares = shares[:3]
    f, unit = money(ds.total_cost.attrs.get("units", "USD"), ds.total_cost.values)
    fig, axes = plt.subplots(1, len(shares), figsize=(8 if len(shares) == 1 else 11, 5),
                             squeeze=False)
    others = lambda p: [q.name for q in r.parameters if q.varies and q is not p]  # noqa: E731
    for ax, p in zip(axes[0], shares):
        gs = group_values(ds, p)
        x = np.array([v for _, v, _ in gs])
        n = [sub.sizes["scenario"] for _, _, sub in gs]
        xs = 100 * x if p.units in ("", "1") else x
        second = second_policy(r, p, shares)
        if second is None:
            q = _cost_bands(ax, ds, gs, xs, f)
            every = max(1, (len(xs) + 8) // 9)
            for xi, yi in list(zip(xs, q))[::every]:
                ax.annotate(f"{yi:,.0f}", (xi, yi), textcoords="offset points", xytext=(0, 7),
                            ha="center", fontsize=8, color="#08306b")
        else:
            _cost_lines(ax, ds, p, second, xs, f)
        if p.discrete and len(xs) <= 12:
            ax.set_xticks(xs)
            ax.set_xticklabels([f"{x:g}" for x in xs])
        ax.set_xlabel(param_axis_label(p, r))
        ax.set_ylabel(f"cost over the horizon ({unit})")
        kind = r.limit_kind_of(p.limit) or "limit"
        o = [q for q in others(p) if second is None or q != second.name]
        bands = (f"bands: spread over {', '.join(o) or 'nothing else'}" if len(o) <= 3 else
                 f"bands: spread over the {len(o)} other parameters")
        if second is not None:
            bands = f"one line per {second.name}; " + bands.replace("bands: ", "")
        bands += (f" ({_span(n)} scenarios per level)" if p.discrete else
                  f" ({_span(n)} scenarios per quintile bin, drawn at its median)")
        ax.set_title(bands if len(shares) == 1 else f"{kind} {p.limit}\n{bands}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
                  frameon=False)
    what = f"{r.limit_kind_of(shares[0].limit) or 'limit'} {shares[0].limit}" \
        if len(shares) == 1 else "each swept limit"
    fig.suptitle(f"What diversification costs: total cost against the {what}", fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"])


def fig_supplier_mix(r, ds, eff, out, dpi):
    p = axis_param(r, eff)
    gs = group_values(ds, p)
    regions, materials = r.labels["region"], r.labels["material"]
    colours = region_colour(regions)
    xs, continuous = positions(p, gs)
    width = 0.8 * (np.min(np.diff(xs)) if len(xs) > 1 else 1.0)
    unit = ds.purchases_by_region.attrs.get("units", "t")
    fig, axes = plt.subplots(1, len(materials), figsize=(11, 5), squeeze=False)
    for mi, (ax, m) in enumerate(zip(axes[0], materials)):
        bottom = np.zeros(len(gs))
        for reg in regions:
            h = np.array([float(sub.purchases_by_region.sel(region=reg, material=m).mean())
                          for _, _, sub in gs])
            ax.bar(xs, h, width, bottom=bottom, color=colours[reg], label=reg,
                   edgecolor="white", lw=0.5)
            bottom += h
        short = np.array([float(sub.shortfall_total.sel(material=m).mean()) for _, _, sub in gs])
        ax.bar(xs, short, width, bottom=bottom, color="white", edgecolor="#555555",
               hatch="///", lw=0.5, label="unmet demand (shortfall)")
        set_x_ticks(ax, p, gs, continuous)
        ax.set_title(m, fontsize=10)
        ax.set_xlabel(param_axis_label(p, r) if mi == 1 or len(materials) == 1 else "",
                      fontsize=9)
        if mi == 0:
            ax.set_ylabel(f"bought over the horizon ({unit}), mean over scenarios")
        ax.grid(axis="y", alpha=0.3)
    handles = [Patch(color=colours[reg], label=reg) for reg in regions]
    handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="///",
                         label="unmet demand (shortfall)"))
    fig.legend(handles=handles, loc="upper right", ncol=len(handles), fontsize=8,
               bbox_to_anchor=(0.99, 0.955))
    how = "levels" if not continuous else "quintiles"
    fig.suptitle(f"Supplier mix by region against {p.name} ({how}; mean over the other "
                 "parameters)", fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"], rect_top=0.90,
           extra="tonnes, not shares; a cap or floor is a share of demand, and the "
           "summary's mix is in shares of purchases, which exceed the cap when demand goes "
           "unmet")


def _heat_params(r, eff, chosen):
    if chosen:
        ps = [r.parameter(n) for n in chosen]
        for p in ps:
            if not p.varies:
                raise Skip(f"{p.name} has one value only")
        return ps
    top = [r.parameter(e["parameter"]) for e in eff]
    if len(top) < 2:
        raise Skip("needs two swept parameters that vary; this file has "
                   f"{len(top)} ({', '.join(p.name for p in top) or 'none'})")
    return top[:2]


def _cell_values(v, ix, iy, nx, ny, how):
    """[ny, nx] of how(v over the scenarios of each cell), NaN when empty;
    and the counts."""
    Z = np.full((ny, nx), np.nan)
    N = np.zeros((ny, nx), dtype=int)
    for a in range(nx):
        for b in range(ny):
            sel = (ix == a) & (iy == b)
            N[b, a] = sel.sum()
            if sel.any():
                Z[b, a] = how(v[sel])
    return Z, N


def _heat_panel(fig, ax, Z, title, clabel, cmap, fmt, ticks, vmin=None):
    (lx, vx, px), (ly, vy, py), r = ticks
    im = ax.imshow(Z, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest",
                   vmin=vmin)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(clabel, fontsize=8)
    step_x = max(1, len(lx) // 8)
    step_y = max(1, len(ly) // 10)
    ax.set_xticks(range(0, len(lx), step_x))
    ax.set_xticklabels([lab if not px.discrete else param_tick(px, x)
                        for lab, x in zip(lx, vx)][::step_x], fontsize=7,
                       rotation=30 if not px.discrete else 0, ha="right" if not px.discrete
                       else "center")
    ax.set_yticks(range(0, len(ly), step_y))
    ax.set_yticklabels([lab if not py.discrete else param_tick(py, x)
                        for lab, x in zip(ly, vy)][::step_y], fontsize=7)
    ax.set_xlabel(param_axis_label(px, r), fontsize=8)
    ax.set_ylabel(param_axis_label(py, r), fontsize=8)
    ax.set_title(title, fontsize=9)
    if Z.size <= 60:
        lim = np.nanmax(Z) if np.isfinite(Z).any() else 0
        for b in range(Z.shape[0]):
            for a in range(Z.shape[1]):
                if np.isfinite(Z[b, a]):
                    ax.text(a, b, fmt.format(Z[b, a]), ha="center", va="center", fontsize=6.5,
                            color="white" if (cmap == "viridis") == (Z[b, a] < 0.6 * lim)
                            else "black")


def fig_heatmap(r, ds, eff, out, dpi, chosen=None):
    px, py = _heat_params(r, eff, chosen)
    lx, vx, ix = smr.group_index(ds, px.name)
    ly, vy, iy = smr.group_index(ds, py.name)
    cost_f, cost_u = money(ds.total_cost.attrs.get("units", "USD"), ds.total_cost.values)
    materials = list(ds.material.values)
    short, s_label = shortfall_share(r, ds)
    C, N = _cell_values(ds.total_cost.values * cost_f, ix, iy, len(lx), len(ly), np.median)
    ncol = 2
    nrow = (len(materials) + 2) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(11.5, 4.3 * nrow + 0.6), squeeze=False)
    ticks = ((lx, vx, px), (ly, vy, py), r)
    _heat_panel(fig, axes[0][0], C, "median total cost", f"median total cost ({cost_u})",
                "viridis", "{:,.0f}", ticks)
    for k, m in enumerate(materials, 1):
        S, _ = _cell_values(short[:, k - 1], ix, iy, len(lx), len(ly), np.mean)
        _heat_panel(fig, axes[k // ncol][k % ncol], S, f"{m}: mean shortfall",
                    f"mean shortfall, {s_label}", "magma_r", "{:.1f}", ticks, vmin=0)
    for k in range(len(materials) + 1, nrow * ncol):
        axes[k // ncol][k % ncol].set_visible(False)
    per = f"{_span(N[N > 0])} scenarios per cell" if (N > 0).any() else ""
    fig.suptitle(f"Cost and shortfall per material over {px.name} and {py.name}", fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"], extra=per + "; " + SHARE_OF_DEMAND_SHORT)


def _label_percentiles(ax, k, d, colour, styles, fmt):
    """The P50/P90/P99 lines of one group at x = k, and their values in
    one block at the top of the axes (clear of the boxes and each other)."""
    for q, ls, lw in styles:
        ax.hlines(np.percentile(d, q), k - 0.3, k + 0.3, colors=colour, linestyles=ls, lw=lw)
    text = "\n".join(f"P{q} {fmt.format(np.percentile(d, q))}" for q, _, _ in styles)
    ax.text(k, 0.985, text, transform=ax.get_xaxis_transform(), ha="center", va="top",
            fontsize=6.5, color=colour, linespacing=1.1)


def _risk_histograms(fig, axes, ds, cost, cost_f, cost_u, short, s_label, materials):
    styles = {50: "-", 90: "--", 99: ":"}
    ax = axes[0]
    ax.hist(cost * cost_f, bins=40, color="#08519c", alpha=0.35, edgecolor="#08519c")
    for q, ls in styles.items():
        x = np.percentile(cost, q) * cost_f
        ax.axvline(x, color="#08519c", ls=ls, lw=1.6, label=f"P{q} = {x:,.1f}")
    ax.set_xlabel(f"total cost over the horizon ({cost_u})")
    ax.set_ylabel("scenarios")
    ax.set_title("Total cost", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[1]
    data = [short[:, i] for i in range(len(materials))]
    _box_pct(ax, data, np.arange(len(materials)), "#a50f15", "{:.2g}")
    ax.set_xticks(np.arange(len(materials)))
    ax.set_xticklabels(materials, fontsize=8)
    ax.set_ylabel(f"shortfall, {s_label}", fontsize=9)
    ax.set_title("Shortfall per material; futures with any: " + ", ".join(
        f"{m} {100 * (d > 0).mean():.0f}%" for m, d in zip(materials, data)), fontsize=9)
    ax.grid(axis="y", alpha=0.3)


def _box_pct(ax, data, pos, colour, fmt):
    styles = ((50, "-", 2.2), (90, "--", 1.6), (99, ":", 1.6))
    ax.boxplot(data, positions=pos, widths=0.5, showfliers=True, whis=(5, 95),
               flierprops={"markersize": 2}, manage_ticks=False)
    ax.set_xlim(-0.6, len(pos) - 0.4)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.3 * (hi - lo))          # room for the values at the top
    for k, d in zip(pos, data):
        _label_percentiles(ax, k, d, colour, styles, fmt)


def fig_risk(r, ds, eff, out, dpi):
    if not r.is_random:
        raise Skip(f"needs random futures (samples > 1); sweep {r.sweep_name} is a grid")
    cost_f, cost_u = money(ds.total_cost.attrs.get("units", "USD"), ds.total_cost.values)
    short, s_label = shortfall_share(r, ds)
    materials = list(ds.material.values)
    cost = ds.total_cost.values
    grid = [p for p in r.parameters if p.kind == "grid" and p.varies]
    by = sms.cap_parameter(r) or (grid[0] if grid else None)
    if by is None or not by.discrete:
        fig, axes = plt.subplots(1, 2, figsize=(11, 5))
        _risk_histograms(fig, axes, ds, cost, cost_f, cost_u, short, s_label, materials)
        fig.suptitle("Risk: how total cost and each material's shortfall spread across futures",
                     fontsize=12)
        finish(fig, out, dpi, r, ds.sizes["scenario"], extra=SHARE_OF_DEMAND_SHORT)
        return
    labels, values, which = smr.group_index(ds, by.name)
    nrow = (len(materials) + 2) // 2
    fig, grid_axes = plt.subplots(nrow, 2, figsize=(11, 4.2 * nrow + 0.8), squeeze=False)
    axes = grid_axes.reshape(-1)
    for ax in axes[1 + len(materials):]:
        ax.set_visible(False)
    pos = np.arange(len(labels))
    panels = [(axes[0], cost * cost_f, f"total cost over the horizon ({cost_u})", "#08519c",
               "total cost", "{:,.0f}")]
    panels += [(axes[1 + i], short[:, i], f"shortfall, {s_label}", "#a50f15",
                f"{m}: shortfall", "{:.2g}") for i, m in enumerate(materials)]
    for ax, v, ylabel, colour, title, fmt in panels:
        data = [v[which == k] for k in range(len(labels))]
        _box_pct(ax, data, pos, colour, fmt)
        ax.set_xticks(pos)
        ax.set_xticklabels([param_tick(by, x) for x in values], fontsize=8)
        ax.set_xlabel(param_axis_label(by, r), fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        anyshort = "" if ax is axes[0] else "; any in " + ", ".join(
            f"{100 * (d > 0).mean():.0f}%" for d in data)
        ax.set_title(title + anyshort, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    n = [int((which == k).sum()) for k in range(len(labels))]
    fig.suptitle(f"Risk: spread of total cost and of each material's shortfall across the "
                 f"{_span(n)} futures at each level of {by.name}", fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"], extra="boxes: middle half, whiskers "
           "5-95 % of futures; lines P50 (solid), P90 (dashed), P99 (dotted), values at the "
           "top; " + SHARE_OF_DEMAND_SHORT)


def fig_limit_price(r, ds, eff, out, dpi):
    limits = r.labels.get("limit", [])
    if not limits:
        raise Skip("the model has no dependency limits")
    if "limit_saving_per_point" not in ds:
        raise Skip("the file has no limit_saving_per_point")
    fallback = axis_param(r, eff)
    unit0 = ds.limit_saving_per_point.attrs.get("units", "USD")
    fig, axes = plt.subplots(1, len(limits), figsize=(5.5 * min(len(limits), 2) + 1, 5),
                             squeeze=False)
    for ax, lim in zip(axes[0], limits[:4]):
        kind = r.limit_kind_of(lim) or "limit"
        own = [p for p in r.parameters if p.limit == lim and p.varies]
        p = own[0] if own else fallback
        labels, values, which = smr.group_index(ds, p.name)
        continuous = not p.discrete
        xs = np.arange(len(labels)) if continuous else values
        v_all = ds.limit_saving_per_point.sel(limit=lim).values
        f, unit = money(unit0, v_all)
        vals = [v_all[which == k] for k in range(len(labels))]
        q = np.array([np.percentile(v * f, [10, 50, 90]) for v in vals])
        binds = [100 * (np.abs(v) > 1e-6 * max(1.0, np.abs(v_all).max())).mean() for v in vals]
        colour = "#6a3d9a" if kind == "cap" else "#238b45"
        x_plot = 100 * xs if (not continuous and p.limit is not None and p.units in ("", "1")) \
            else xs
        ax.fill_between(x_plot, q[:, 0], q[:, 2], color=colour, alpha=0.2,
                        label="10–90 % of scenarios")
        ax.plot(x_plot, q[:, 1], "o-", color=colour, lw=2, label="median")
        ax.axhline(0, color="black", lw=0.8)
        for xi, yi, b in zip(x_plot, q[:, 1], binds):
            ax.annotate(f"binds {b:.0f}%", (xi, yi), textcoords="offset points",
                        xytext=(0, -14 if kind == "cap" else 8), ha="center", fontsize=7,
                        color="#333333")
        if continuous:
            ax.set_xticks(xs)
            ax.set_xticklabels(labels, rotation=20, fontsize=8)
        ax.set_xlabel(param_axis_label(p, r), fontsize=9)
        ax.set_ylabel(f"saved per +1 point of share of demand ({unit})", fontsize=9)
        against = "its own share" if own else f"{p.name} (its share is not swept)"
        sign = "" if kind == "cap" else "\nnegative: raising the floor costs"
        ax.set_title(f"{kind} {lim} against {against}{sign}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle("Price of each dependency limit: what one more percentage point of share "
                 "would save (shadow price)", fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"], extra=SHARE_OF_DEMAND_LIMIT)


def fig_drivers(r, ds, eff, out, dpi):
    if not eff:
        raise Skip("no swept parameter varies among the finished scenarios")
    eff = [e for e in eff if np.isfinite(e["rho"])] or eff
    names = [e["parameter"] for e in eff][::-1]
    rho = np.array([e["rho"] for e in eff])[::-1]
    f, unit = money(ds.total_cost.attrs.get("units", "USD"), ds.total_cost.values)
    med = float(np.median(ds.total_cost.values)) * f
    lo = np.array([e["median_cost_low"] for e in eff])[::-1] * f
    hi = np.array([e["median_cost_high"] for e in eff])[::-1] * f
    y = np.arange(len(names))
    fig, axes = plt.subplots(1, 2, figsize=(11, max(4.5, 0.45 * len(names) + 2)),
                             sharey=True)
    ax = axes[0]
    ax.barh(y, rho, color=["#c0392b" if v > 0 else "#2166ac" for v in rho])
    for yi, v in zip(y, rho):
        ax.text(v + (0.02 if v >= 0 else -0.02), yi, f"{v:+.2f}", va="center",
                ha="left" if v >= 0 else "right", fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1.05, 1.05)
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=9)
    ax.set_xlabel("Spearman rank correlation with total cost (1)")
    ax.set_title("Rank correlation (red: higher value, higher cost)", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax = axes[1]
    for yi, a, b, e in zip(y, lo, hi, eff[::-1]):
        ax.barh(yi, a - med, left=med, color="#92c5de", height=0.6)
        ax.barh(yi, b - med, left=med, color="#f4a582", height=0.6)
        ax.text(max(a, b), yi, f"  {e['low_group']} → {e['high_group']}", va="center",
                fontsize=7, color="#333333")
    ax.axvline(med, color="black", lw=0.8)
    ax.set_xlabel(f"median total cost ({unit})")
    ax.set_title(f"Tornado: median cost in the lowest (blue) and highest (orange)\n"
                 f"fifth of each parameter's values; line: overall median {med:,.0f}",
                 fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    lo_x, hi_x = min(lo.min(), hi.min(), med), max(lo.max(), hi.max(), med)
    ax.set_xlim(lo_x - 0.05 * (hi_x - lo_x + 1), hi_x + 0.35 * (hi_x - lo_x + 1))
    fig.suptitle("What matters most for total cost", fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"])


DRAW = {"cost_vs_cap": fig_cost_vs_cap, "supplier_mix": fig_supplier_mix,
        "heatmap": fig_heatmap, "risk": fig_risk, "limit_price": fig_limit_price,
        "drivers": fig_drivers}


# ---- plan figures (files written by `supplymix plan`) ----------------------------

policy_title = sms.policy_title
POLICY_AXIS = "policy (grid point of the sweep; a cap's % is a share of demand)"


def planned(p):
    """Indices of the policies that have a plan (a finite RP and no message
    saying why there is none)."""
    return [g for g in range(p.sizes["policy"])
            if np.isfinite(float(p.RP[g])) and not str(p.plan_stop_message.values[g])]


def shown_policies(p, most=5):
    """At most `most` policies with a plan, evenly spread (all when few)."""
    ok = planned(p)
    if not ok:
        msgs = "; ".join(f"{policy_title(p.policy.values[g])}: {p.plan_stop_message.values[g]}"
                         for g in range(p.sizes["policy"]))
        raise Skip(f"no policy of this plan has a portfolio ({msgs})")
    if len(ok) <= most:
        return ok
    return [ok[int(round(i))] for i in np.linspace(0, len(ok) - 1, most)]


def _unplanned(p):
    """A footnote part naming the policies without a plan (empty if none)."""
    ok = set(planned(p))
    none = [policy_title(p.policy.values[g]) for g in range(p.sizes["policy"]) if g not in ok]
    return f"; no plan for {', '.join(none)} (summary.md says why)" if none else ""


def by_policy(r, ds, name):
    """{policy index: values of `name` over its futures} from a finished() Dataset."""
    pol = smr.policy_of(r, ds)
    v = ds[name].values
    return {int(g): v[pol == g] for g in np.unique(pol)}


def fig_plan_portfolio(r, ds, p, out, dpi):
    pols = shown_policies(p)
    regions, materials = r.labels["region"], r.labels["material"]
    colours = region_colour(regions)
    sup_region = np.array(p.supplier_region.values if "supplier_region" in p.coords else [])
    periods = list(p.period.values)
    x = np.arange(len(periods))
    fig, axes = plt.subplots(len(pols), len(materials), squeeze=False, sharex=True,
                             figsize=(max(9.0, 3.6 * len(materials) + 1.5),
                                      min(2.4 * len(pols) + 1.6, 13.0)))
    for row, g in enumerate(pols):
        k = p.commitment.isel(policy=g).values            # [supplier, material, period]
        for col, m in enumerate(materials):
            ax = axes[row][col]
            bottom = np.zeros(len(periods))
            for reg in regions:
                h = np.nansum(k[sup_region == reg, col, :], axis=0)
                ax.bar(x, h, 0.8, bottom=bottom, color=colours[reg], edgecolor="white", lw=0.4)
                bottom += h
            if "demand_base" in p:
                ax.hlines(p.demand_base.sel(material=m).values, x - 0.45, x + 0.45,
                          color="black", lw=1.2, ls="--")
            ax.grid(axis="y", alpha=0.3)
            if row == 0:
                ax.set_title(m, fontsize=10)
            if col == 0:
                ax.set_ylabel(f"{policy_title(p.policy.values[g], of_demand=True)}\n"
                              "committed (t/quarter)",
                              fontsize=8)
            lo, hi = ax.get_ylim()
            ax.set_ylim(lo, hi * 1.15)     # room for the total above the bars
            ax.text(0.99, 0.97, f"{np.nansum(k[:, col, :]):,.1f} t committed in all",
                    ha="right", va="top", fontsize=7, transform=ax.transAxes, color="#333333")
    step = max(1, len(periods) // 6)
    for ax in axes[-1]:
        ax.set_xticks(x[::step])
        ax.set_xticklabels(periods[::step], fontsize=7, rotation=30)
    handles = [Patch(color=colours[reg], label=reg) for reg in regions]
    if "demand_base" in p:
        handles.append(Line2D([], [], color="black", ls="--", label="demand (base case)"))
    fig.legend(handles=handles, loc="upper right", ncol=len(handles), fontsize=8,
               bbox_to_anchor=(0.99, 0.955))
    fig.suptitle("What to sign now: tonnes committed by region, per quarter and policy",
                 fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"], rect_top=0.91,
           extra="spot purchases come on top" + _unplanned(p))


def _box(ax, data, pos, colour, width=0.22, whis=(5, 95)):
    """A box of the middle half, whiskers 5-95 % (to the furthest future
    inside them), no outliers drawn."""
    ok = [d[np.isfinite(d)] for d in data]
    ok = [d if len(d) else np.array([np.nan]) for d in ok]
    b = ax.boxplot(ok, positions=pos, widths=width, whis=whis, showfliers=False,
                   patch_artist=True, manage_ticks=False)
    for part in b["boxes"]:
        part.set_facecolor(colour)
        part.set_alpha(0.55)
    for part in b["medians"]:
        part.set_color("black")


def fig_plan_cost(r, ds, p, out, dpi):
    pols = shown_policies(p, most=8)
    tot = by_policy(r, ds, "total_cost")
    pf = by_policy(r, ds, "perfect_foresight_cost")
    ev = by_policy(r, ds, "average_future_plan_cost") if "average_future_plan_cost" in ds \
        else {}
    f, unit = money("USD", ds.total_cost.values)
    fig, ax = plt.subplots(figsize=(max(9.5, 2.2 * len(pols) + 2), 5.8))
    series = [("perfect foresight (WS: mean)", pf, "WS", "#1b9e77", -0.26),
              ("this plan (RP: mean)", tot, "RP", "#0b5394", 0.0),
              ("plan for the average future (EEV: mean)", ev, "EEV", "#d95f02", 0.26)]
    for label, vals, mean_name, colour, dx in series:
        if not vals:
            continue
        pos = np.arange(len(pols)) + dx
        _box(ax, [vals.get(g, np.array([np.nan])) * f for g in pols], pos, colour)
        means = [float(p[mean_name][g]) * f for g in pols]
        ax.plot(pos, [m if np.isfinite(m) else np.nan for m in means], "D", color=colour,
                markeredgecolor="black", ms=7, label=label)
    for i, g in enumerate(pols):
        evpi, vss = float(p.EVPI[g]) * f, float(p.VSS[g]) * f
        bad = int(p.EEV_infeasible_futures[g]) if "EEV_infeasible_futures" in p else 0
        vss_text = (f"VSS {vss:,.1f} {unit}" if np.isfinite(vss) else
                    f"VSS inf: the average-future plan\nfails {bad} future(s)")
        ax.annotate(f"EVPI {evpi:,.1f} {unit}\n{vss_text}", (i, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, -4), textcoords="offset points", ha="center", va="top",
                    fontsize=8, color="#333333")
    ax.set_xticks(np.arange(len(pols)))
    ax.set_xticklabels([policy_title(p.policy.values[g]) for g in pols], fontsize=9)
    ax.set_xlim(-0.6, len(pols) - 0.4)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.18 * (hi - lo))
    ax.set_ylabel(f"cost of one future over the horizon ({unit})")
    ax.set_xlabel(POLICY_AXIS)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3,
              frameon=False)
    fig.suptitle("What the plan costs across futures,\nagainst perfect foresight and against "
                 "planning for the average future", fontsize=12)
    ax.set_title("EVPI = RP − WS: what knowing the future would be worth; VSS = EEV − RP: "
                 "what hedging across futures buys", fontsize=9)
    finish(fig, out, dpi, r, ds.sizes["scenario"], rect_top=0.93,
           extra="boxes: middle half, whiskers 5–95 %" + _unplanned(p))


def fig_plan_regret(r, ds, p, out, dpi):
    pols = shown_policies(p, most=8)
    reg = by_policy(r, ds, "regret")
    f, unit = money("USD", ds.regret.values)
    fig, ax = plt.subplots(figsize=(max(9.5, 1.8 * len(pols) + 2), 5.4))
    data = [reg.get(g, np.array([np.nan])) * f for g in pols]
    pos = np.arange(len(pols))
    _box(ax, data, pos, "#6a3d9a", width=0.5, whis=0)
    styles = ((50, "-", 2.2), (90, "--", 1.6), (99, ":", 1.6))
    jitter = np.random.default_rng(0)          # the same picture every time
    for k, d in enumerate(data):
        d = d[np.isfinite(d)]
        if not len(d):
            continue
        ax.scatter(k + jitter.uniform(-0.2, 0.2, len(d)), d, s=6, color="#3f007d", alpha=0.35,
                   zorder=3)
        for q, ls, lw in styles:
            y = np.percentile(d, q)
            ax.hlines(y, k - 0.32, k + 0.32, colors="#3f007d", linestyles=ls, lw=lw)
            ax.text(k + 0.35, y, f"P{q} {y:,.1f}", fontsize=7, va="center", color="#3f007d")
    ax.set_xticks(pos)
    ax.set_xticklabels([policy_title(p.policy.values[g]) for g in pols], fontsize=9)
    ax.set_xlim(-0.6, len(pols) - 0.1)
    ax.set_ylabel(f"regret: cost under the plan minus perfect-foresight cost ({unit})",
                  fontsize=9)
    ax.set_xlabel(POLICY_AXIS)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(handles=[Line2D([], [], color="#3f007d", ls=ls, lw=lw, label=f"P{q}")
                       for q, ls, lw in styles], fontsize=8, loc="upper left")
    n = [len(d) for d in data]
    fig.suptitle("Regret: how much more each future costs under the plan than with hindsight",
                 fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"],
           extra=f"{_span(n)} futures per policy (dots); box: middle half" + _unplanned(p))


def fig_plan_convergence(r, ds, p, out, dpi):
    if "history_gap" not in p or p.sizes.get("iteration", 0) == 0:
        raise Skip("the plan file has no convergence history")
    pols = shown_policies(p, most=8)
    it = p.iteration.values
    ub, lb, gap = (p[n].values for n in ("history_upper_bound", "history_lower_bound",
                                          "history_gap"))
    f, unit = money("USD", ub[np.isfinite(ub)])
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(pols)))
    for c, g in zip(colours, pols):
        name = policy_title(p.policy.values[g])
        axes[0].plot(it, ub[g] * f, color=c, lw=1.6, label=f"{name}: upper")
        axes[0].plot(it, lb[g] * f, color=c, lw=1.2, ls="--", label=f"{name}: lower")
        gg = np.where(np.isfinite(gap[g]), np.maximum(gap[g], 1e-16), np.nan)
        axes[1].plot(it, gg, color=c, lw=1.6, label=name)
    tol = float(p.attrs.get("plan_gap_tolerance", np.nan))
    if np.isfinite(tol) and tol > 0:
        axes[1].axhline(tol, color="black", ls=":", lw=1, label=f"stopping gap {tol:g}")
    # Early bounds are far off (the first lower bound knows no cut, the
    # first upper bounds may be infinite): show the band around the plans.
    rp = np.array([float(p.RP[g]) for g in pols]) * f
    axes[0].set_ylim(0.8 * rp.min(), 1.3 * rp.max())
    axes[0].set_xlabel("iteration of the L-shaped method")
    axes[0].set_ylabel(f"bound on the plan's expected cost ({unit})")
    axes[0].set_title("Upper bound (best plan found) and lower bound (master LP)", fontsize=10)
    axes[1].set_yscale("log")
    axes[1].set_xlabel("iteration of the L-shaped method")
    axes[1].set_ylabel("relative gap (upper − lower) / upper (1, log scale)")
    axes[1].set_title("Gap: how far from proven optimal", fontsize=10)
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper right")
    secs = ", ".join(f"{policy_title(p.policy.values[g])}: {int(p.plan_iterations[g])} "
                     f"iterations, {float(p.plan_seconds[g]):.1f} s" for g in pols[:3])
    fig.suptitle("Convergence of the plan per policy", fontsize=12)
    finish(fig, out, dpi, r, ds.sizes["scenario"], extra=secs)


PLAN_DRAW = {"plan_portfolio": fig_plan_portfolio, "plan_cost": fig_plan_cost,
             "plan_regret": fig_plan_regret, "plan_convergence": fig_plan_convergence}


# ---- command line ------------------------------------------------------------

def parse_args(argv):
    parts = __doc__.split("\n\n")
    ap = argparse.ArgumentParser(
        prog="supplymix_plots.py", description=parts[0],
        epilog="\n\n".join(parts[2:]), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", help="a results file written by `supplymix run` or "
                    "`supplymix plan` (HDF5)")
    ap.add_argument("-o", "--outdir", help="directory for the PNGs and summary.csv/.md "
                    "(default: RESULTS_figures beside the file; created if missing)")
    ap.add_argument("--only", help="comma-separated figure names to draw (default: all that "
                    "fit); the summary is always written")
    ap.add_argument("--heatmap", metavar="PARAM,PARAM",
                    help="the two parameters of the heat map (default: the two that move "
                    "total cost most)")
    ap.add_argument("--dpi", type=int, default=DPI, help=f"resolution (default {DPI})")
    ap.add_argument("-q", "--quiet", action="store_true", help="report skipped figures only")
    a = ap.parse_args(argv)
    if a.only:
        a.only = [s.strip().removesuffix(".png") for s in a.only.split(",") if s.strip()]
        bad = [s for s in a.only if s not in FIGURES + PLAN_FIGURES]
        if bad:
            ap.error(f"--only: unknown figure {', '.join(bad)}; known: "
                     f"{', '.join(FIGURES + PLAN_FIGURES)}")
    if a.heatmap:
        a.heatmap = [s.strip() for s in a.heatmap.split(",")]
        if len(a.heatmap) != 2:
            ap.error("--heatmap: give exactly two parameter names, e.g. "
                     "share.china_cap,price.Tb_oxide")
    if not 30 <= a.dpi <= 600:
        ap.error("--dpi: give a value in 30..600")
    return a


def load(path):
    """The Results and the optimal scenarios' Dataset, read before anything
    is printed or written, so that a file that cannot be read (missing, not
    a results file, damaged, even one that crashes HDF5) gives one line and
    nothing else."""
    names = ["status", "total_cost", "cost_shortfall", "purchases_by_region", "shortfall_total",
             "limit_saving_per_point"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", smr.PartialResultsWarning)
        r, _ = smr.load(path, None)
        names += [n for n in ("cash_cost",) if n in r.variables]   # h-scope's, when written
        r, ds = smr.load(path, names, optimal=True)
        if not smr.is_plan(r):
            return r, ds, None
        extra = [n for n in smr.PLAN_SCENARIO_VARIABLES if n in r.variables]
        _, ds = smr.load(path, names + extra, optimal=True)
        return r, ds, smr.plan(path)


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    say = (lambda *m: None) if a.quiet else (lambda *m: print("plots:", *m, file=sys.stderr))
    try:
        r, ds, plan = load(a.results)
    except smr.ResultsError as e:      # DamagedResultsFile included
        print(f"supplymix_plots: error: {e}", file=sys.stderr)
        return 2
    say(r.summary_line())
    if not r.complete and plan is not None:
        print(f"plots: note: {r.n_finished:,} of {r.n_scenarios:,} futures solved: "
              f"{plan.sizes['policy'] - len(planned(plan))} policies have no plan (summary.md "
              "says why)", file=sys.stderr)
    elif not r.complete:
        print(f"plots: note: partial file: {r.n_finished:,} of {r.n_scenarios:,} scenarios "
              "finished; figures and summary use those", file=sys.stderr)
    if a.heatmap:
        try:
            for n in a.heatmap:
                r.parameter(n)
        except KeyError as e:
            print(f"supplymix_plots: error: --heatmap: {e.args[0]}", file=sys.stderr)
            return 2
    outdir = a.outdir or os.path.splitext(a.results)[0] + "_figures"
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        print(f"supplymix_plots: error: {outdir}: cannot create the directory: {e.strerror}",
              file=sys.stderr)
        return 2
    summary = sms.compute(r, ds, plan)
    sms.write_csv(summary, os.path.join(outdir, "summary.csv"))
    sms.write_markdown(summary, os.path.join(outdir, "summary.md"))
    say(f"wrote {os.path.join(outdir, 'summary.csv')} and summary.md")
    use_matplotlib()
    written, skipped = [], []
    names = a.only or (FIGURES + (PLAN_FIGURES if plan is not None else ()))
    for name in names:
        path = os.path.join(outdir, name + ".png")
        if os.path.exists(path):
            os.remove(path)   # a figure that is skipped now must not look current
        try:
            if ds.sizes["scenario"] < 3:
                raise Skip(f"needs at least 3 optimal scenarios; the file has "
                           f"{ds.sizes['scenario']}")
            if name in PLAN_FIGURES:
                if plan is None:
                    raise Skip("needs a plan file (written by `supplymix plan`); "
                               f"{os.path.basename(r.path)} is a sweep's results")
                PLAN_DRAW[name](r, ds, plan, path, a.dpi)
            elif name == "heatmap":
                fig_heatmap(r, ds, summary["effects"], path, a.dpi, a.heatmap)
            else:
                DRAW[name](r, ds, summary["effects"], path, a.dpi)
            written.append(name)
            say(f"wrote {path}")
        except Skip as e:
            plt.close("all")
            skipped.append(name)
            print(f"plots: skipped {name}.png: {e}", file=sys.stderr)
    say(f"{len(written)} figures written to {outdir}"
        + (f", {len(skipped)} skipped ({', '.join(skipped)})" if skipped else ""))
    return 0


if __name__ == "__main__":
    smr.run_script(main, "supplymix_plots")
