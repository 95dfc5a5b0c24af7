#!/usr/bin/python3
"""The summary of a supplymix results file, as rows and as CSV and Markdown.

Used by supplymix_plots.py (which writes summary.csv and summary.md beside
the figures); also importable:

    import supplymix_results as smr, supplymix_summary as sms
    r = smr.open("results.h5"); s = sms.compute(r)
    sms.write_csv(s, "summary.csv"); sms.write_markdown(s, "summary.md")

What it holds, every number over the file's finished scenarios:
- status: scenarios per status (flag_meanings), not_solved included;
- total_cost and the shortfall of each material (never summed across
  materials): P5, P50, P90, P99 (numpy's default linear interpolation)
  and mean, over optimal scenarios, for all of them and for each level of
  the cap parameter; for shortfall also the share of scenarios with any
  and the mean as a share of the base case's demand over the horizon;
- the mix under each cap level, as shares of purchases (not of demand):
  the median-cost future's (the optimal scenario at position (n-1)//2 by
  total cost, lowest scenario number first on ties; not the luckiest
  future), with its parameter values and each region's share of each
  material's purchases (purchases_by_region over its sum across regions),
  and the mean mix (each region's share of the mean tonnes bought);
- parameters ranked by |Spearman rank correlation| with total cost over
  optimal scenarios (ties given average ranks), with the tornado swing:
  median total cost of the scenarios in the parameter's highest fifth minus
  that of its lowest fifth (see extremes(): whole values kept together, so
  a 5-level grid compares its first and last level, an event its two
  outcomes).

- for a plan file (`supplymix plan`), per policy (group `policy=LABEL`):
  RP, its lower bound and gap, WS, EEV, EVPI, VSS, the commitment fees,
  futures infeasible at the average future's portfolio, why the plan
  stopped, its iterations; regret P50/P90/P99 and mean over the policy's
  optimal futures; and the tonnes to commit over the horizon by region and
  material (`commit:REGION:MATERIAL`, commitment summed over suppliers and
  periods).

The CSV is long: section,group,key,value,units; one number per row, written
with repr() so that it round-trips exactly.
"""
import csv
import os

import warnings

import numpy as np

import supplymix_results as smr

PERCENTILES = (5, 50, 90, 99)


def cap_parameter(r):
    """The parameter the cap figures and tables are drawn against: a swept
    share.LIMIT whose limit is a cap, else any swept share.* parameter, else
    None (only parameters with more than one value count)."""
    shares = [p for p in r.parameters if p.limit is not None and p.varies]
    caps = [p for p in shares if r.limit_kind_of(p.limit) == "cap"]
    return (caps or shares or [None])[0]


def stats(values):
    """{P5, P50, P90, P99, mean, n} of the finite values (NaN when none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    out = {}
    for q in PERCENTILES:
        out[f"P{q}"] = float(np.percentile(v, q)) if len(v) else float("nan")
    out["mean"] = float(v.mean()) if len(v) else float("nan")
    out["n"] = int(len(v))
    return out


def extremes(values):
    """Masks of the lowest and highest fifth of scenarios by a parameter's
    value, whole values kept together: value <= its 20th percentile and
    value >= its 80th (numpy 'lower' and 'higher' methods, so both are
    values that occur). For a grid of 5 levels: the first and last level;
    for a yes/no event: its two outcomes."""
    v = np.asarray(values, dtype=float)
    lo = np.quantile(v, 0.2, method="lower")
    hi = np.quantile(v, 0.8, method="higher")
    return v <= lo, v >= hi


def _range_label(v):
    a, b = float(np.min(v)), float(np.max(v))
    return f"{a:.3g}" if a == b else f"{a:.3g}-{b:.3g}"


def effects(r, ds):
    """Per varying parameter: Spearman rho with total cost and the tornado
    swing (median total cost of its highest fifth of scenarios minus that
    of its lowest fifth, see extremes()), sorted by |rho|."""
    out = []
    cost = ds.total_cost.values
    for p in r.parameters:
        v = ds[p.coord].values
        if not p.varies or len(np.unique(v)) < 2:    # constant where costs are known
            continue
        rho = smr.spearman(v, cost)
        lo, hi = extremes(v)
        e = {"parameter": p.name, "kind": p.kind, "units": p.units, "rho": rho,
             "low_group": _range_label(v[lo]), "high_group": _range_label(v[hi]),
             "n_low": int(lo.sum()), "n_high": int(hi.sum()),
             "median_cost_low": float(np.median(cost[lo])),
             "median_cost_high": float(np.median(cost[hi]))}
        e["swing"] = e["median_cost_high"] - e["median_cost_low"]
        out.append(e)
    out.sort(key=lambda e: (-abs(e["rho"]) if np.isfinite(e["rho"]) else 1.0, e["parameter"]))
    return out


def _shares(bought):
    """Each region's share of a material's purchases: bought[region,
    material] over its sum across regions (0 where nothing is bought)."""
    tot = bought.sum(axis=0)
    return np.divide(bought, tot, out=np.zeros_like(bought), where=tot > 0)


def median_cost_mix(r, sub):
    """The mix of a group of scenarios (one cap level), two ways, as shares
    of purchases (not of demand): the median-cost future's (the scenario at
    position (n-1)//2 when sorted by total cost, lower scenario number
    first on ties; not the luckiest future) and the mean mix (each region's
    share of the mean tonnes bought over the group)."""
    cost = sub.total_cost.values
    order = np.lexsort((sub.scenario.values, np.where(np.isfinite(cost), cost, np.inf)))
    i = int(order[(len(order) - 1) // 2])
    one = sub.isel(scenario=i)
    return {"scenario": int(one.scenario), "total_cost": float(cost[i]),
            "params": {p.name: float(one[p.coord]) for p in r.parameters},
            "share": _shares(one.purchases_by_region.values),
            "mean": _shares(sub.purchases_by_region.values.mean(axis=0)), "n": len(cost)}


def _level_groups(ds, cap):
    if cap is None:
        return [("all", None, ds)]
    return [(f"{cap.name}={label}", value, sub)
            for label, value, sub in smr.groups(ds, cap.name)]


def plan_rows(r, ds, p):
    """Per policy of a plan Dataset (smr.plan): its measures, regret
    percentiles and commitments by region, as a list of dicts."""
    pol = smr.policy_of(r, ds) if ds.sizes["scenario"] else np.array([], dtype=int)
    names = smr.stop_names(p)
    sup_region = np.array(p.supplier_region.values) if "supplier_region" in p.coords else None
    out = []
    for g in range(p.sizes["policy"]):
        e = {"policy": str(p.policy.values[g]),
             "stop": names.get(int(p.plan_stop[g]), str(int(p.plan_stop[g]))),
             "message": str(p.plan_stop_message.values[g])}
        for k in ("RP", "RP_lower_bound", "RP_gap", "WS", "EEV", "EVPI", "VSS",
                  "commitment_cost", "EEV_infeasible_futures", "plan_iterations"):
            e[k] = float(p[k][g]) if k in p else float("nan")
        reg = ds.regret.values[pol == g] if "regret" in ds else np.array([])
        e["regret"] = stats(reg)
        k = p.commitment.isel(policy=g).values        # [supplier, material, period]
        e["commit"] = {(reg_, m): float(np.nansum(k[sup_region == reg_, mi, :]))
                       for reg_ in r.labels["region"]
                       for mi, m in enumerate(r.labels["material"])} \
            if sup_region is not None else {}
        e["by_supplier"] = _supplier_commitments(p, k)
        out.append(e)
    return out


def _supplier_commitments(p, k):
    """[(supplier, material, tonnes over the horizon, first period, last
    period, most in one period)] of the offers committed to (k[supplier,
    material, period] of one policy), largest first."""
    out = []
    periods = list(p.period.values)
    for si, sup in enumerate(p.supplier.values):
        for mi, m in enumerate(p.material.values):
            row = np.nan_to_num(k[si, mi, :])
            on = np.flatnonzero(row >= 0.05)       # shown to 0.1 t
            if len(on):
                out.append((str(sup), str(m), float(row.sum()), periods[on[0]], periods[on[-1]],
                            float(row.max())))
    out.sort(key=lambda x: (x[1], -x[2]))
    return out


def _add_plan(add, plan):
    for e in plan:
        g = f"policy={e['policy']}"
        for k in ("RP", "RP_lower_bound", "WS", "EEV", "EVPI", "VSS", "commitment_cost"):
            add("plan", g, k, e[k], "USD")
        add("plan", g, "RP_gap", e["RP_gap"], "1")
        add("plan", g, "EEV_infeasible_futures", e["EEV_infeasible_futures"], "futures")
        add("plan", g, "plan_iterations", e["plan_iterations"], "1")
        add("plan", g, "plan_stop", e["stop"])
        for q in ("P50", "P90", "P99", "mean"):
            add("plan", g, f"regret_{q}", e["regret"][q], "USD")
        add("plan", g, "futures", e["regret"]["n"], "scenarios")
        for (reg, m), v in e["commit"].items():
            add("plan", g, f"commit:{reg}:{m}", v, "t")
        for sup, m, tonnes, _, _, _ in e["by_supplier"]:
            add("plan", g, f"commit_supplier:{sup}:{m}", tonnes, "t")


def compute(r, ds=None, plan=None):
    """The summary as a dict: 'rows' (section, group, key, value, units)
    and the parts the Markdown is made of. plan: smr.plan()'s Dataset of a
    plan file (ds must then hold `regret`), for the plan section."""
    if ds is None:
        ds = r.optimal()
    regions, materials = r.labels["region"], r.labels["material"]
    cap = cap_parameter(r)
    rows = []

    def add(section, group, key, value, units=""):
        rows.append((section, group, key, value, units))

    for k in ("sweep_name", "model_name", "supplymix_version", "created", "sampling"):
        add("file", "", k, r.attrs.get(k, ""))
    add("file", "", "path", os.path.abspath(r.path))
    add("file", "", "scenarios", r.n_scenarios, "scenarios")
    add("file", "", "finished", r.n_finished, "scenarios")
    add("file", "", "optimal", int(ds.sizes["scenario"]), "scenarios")
    if cap is not None:
        add("file", "", "cap_parameter", cap.name)

    counts = r.status_counts()
    for name, k in counts.items():
        add("status", "", name, k, "scenarios")

    units_cost = ds.total_cost.attrs.get("units", "USD")
    units_short = ds.shortfall_total.attrs.get("units", "t")
    levels = _level_groups(ds, cap) if ds.sizes["scenario"] else []
    groups = [("all", None, ds)] + (levels if cap is not None else [])
    cost_stats, short_stats = [], []
    demand = r.demand_total()
    for gname, _, sub in groups:
        s = stats(sub.total_cost.values)
        cost_stats.append((gname, s))
        for k, v in s.items():
            add("total_cost", gname, k, v, units_cost if k != "n" else "scenarios")
        for mi, m in enumerate(materials):
            short = sub.shortfall_total.values[:, mi]
            s = stats(short)
            s["share_with_shortfall"] = float((short > 0).mean()) if len(short) else float("nan")
            s["mean_share_of_demand"] = (s["mean"] / demand[m] if demand.get(m, 0) > 0
                                         else float("nan"))
            short_stats.append((gname, m, s))
            for k, v in s.items():
                add("shortfall", gname, f"{m}:{k}", v,
                    units_short if k not in ("n", "share_with_shortfall", "mean_share_of_demand")
                    else ("scenarios" if k == "n" else "1"))

    mixes = []
    for gname, value, sub in levels:
        cost = sub.total_cost.values
        entry = median_cost_mix(r, sub)
        entry["group"] = gname
        mixes.append(entry)
        add("median_cost_mix", gname, "scenario", entry["scenario"])
        add("median_cost_mix", gname, "total_cost", entry["total_cost"], units_cost)
        for pn, pv in entry["params"].items():
            add("median_cost_mix", gname, f"param:{pn}", pv, r.parameter(pn).units)
        for ri, reg in enumerate(regions):
            for mi, m in enumerate(materials):
                add("median_cost_mix", gname, f"share:{reg}:{m}", float(entry["share"][ri, mi]),
                    "1")
        for ri, reg in enumerate(regions):
            for mi, m in enumerate(materials):
                add("mean_mix", gname, f"share:{reg}:{m}", float(entry["mean"][ri, mi]), "1")

    eff = effects(r, ds) if ds.sizes["scenario"] >= 3 else []
    for k, e in enumerate(eff, 1):
        g = f"rank={k}"
        add("parameter_effect", g, "parameter", e["parameter"])
        add("parameter_effect", g, "kind", e["kind"])
        add("parameter_effect", g, "spearman_rho", e["rho"], "1")
        add("parameter_effect", g, "median_cost_low", e["median_cost_low"], units_cost)
        add("parameter_effect", g, "median_cost_high", e["median_cost_high"], units_cost)
        add("parameter_effect", g, "swing", e["swing"], units_cost)
        add("parameter_effect", g, "low_group", e["low_group"], e["units"])
        add("parameter_effect", g, "high_group", e["high_group"], e["units"])
        add("parameter_effect", g, "n_low", e["n_low"], "scenarios")
        add("parameter_effect", g, "n_high", e["n_high"], "scenarios")
    plan_entries = plan_rows(r, ds, plan) if plan is not None else []
    _add_plan(add, plan_entries)
    return {"plan": plan_entries, "rows": rows, "counts": counts, "cost": cost_stats, "shortfall": short_stats,
            "mixes": mixes, "effects": eff,
            "cap": cap, "results": r, "units_cost": units_cost, "units_short": units_short}


def write_csv(s, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("section", "group", "key", "value", "units"))
        for sec, grp, key, val, units in s["rows"]:
            w.writerow((sec, grp, key, repr(val) if isinstance(val, float) else val, units))


def read_csv(path):
    """{(section, group, key): value} with numbers as float (for checks)."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            v = row["value"]
            try:
                v = float(v)
            except ValueError:
                pass
            out[(row["section"], row["group"], row["key"])] = v
    return out


def _m(x):
    return "n/a" if not np.isfinite(x) else f"{x / 1e6:,.1f}"


def _t(x):
    return "n/a" if not np.isfinite(x) else f"{x:,.1f}"


def write_markdown(s, path):
    r = s["results"]
    cap = s["cap"]
    regions, materials = r.labels["region"], r.labels["material"]
    L = [f"# Summary: sweep `{r.sweep_name}` of model `{r.model_name}`", "",
         f"File `{os.path.basename(r.path)}`: **{r.n_finished:,} of {r.n_scenarios:,} scenarios "
         f"finished**"
         + ("" if r.complete else " (partial: the run is going on or was interrupted)")
         + f", {len(r.parameters)} swept parameters"
         + (f", cap levels from `{cap.name}`" if cap is not None else "") + ". Illustrative "
         "scenario analysis, not a forecast. Costs in million USD over the horizon; "
         "percentiles over optimal scenarios.", "", "## Scenarios by status", "",
         "| status | scenarios |", "|---|---:|"]
    L += [f"| {k} | {v:,} |" for k, v in s["counts"].items() if v or k in ("optimal", "not_solved")]
    L += ["", "## Total cost (million USD)", "",
          "| group | P5 | P50 | P90 | P99 | mean | scenarios |",
          "|---|---:|---:|---:|---:|---:|---:|"]
    for g, st in s["cost"]:
        L.append(f"| {g} | " + " | ".join(_m(st[k]) for k in ("P5", "P50", "P90", "P99", "mean"))
                 + f" | {st['n']:,} |")
    L += ["", f"## Shortfall per material ({s['units_short']} over the horizon)", "",
          "Unmet demand of each material, never added across materials (a tonne of Tb is "
          "worth many of NdPr); the mean also as a share of the base case's demand.", "",
          "| group | material | P5 | P50 | P90 | P99 | mean | mean, share of demand "
          "| with shortfall |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for g, m, st in s["shortfall"]:
        L.append(f"| {g} | {m} | " + " | ".join(_t(st[k]) for k in ("P5", "P50", "P90", "P99",
                                                                     "mean"))
                 + f" | {100 * st['mean_share_of_demand']:.2f} % "
                 f"| {100 * st['share_with_shortfall']:.1f} % |")
    if s["mixes"]:
        what = f"each level of `{cap.name}`" if cap is not None else "the sweep"
        L += ["", f"## Mix under {what}: shares of purchases", "",
              "Each region's share in % of the tonnes **bought** of each material "
              f"({' / '.join(materials)}): shares of purchases, not of demand, so they can "
              "exceed a cap on demand when some demand is not met. First the median-cost "
              "future's mix (the scenario whose total cost is the median at that level, not "
              "the luckiest future; its parameters are in summary.csv), then the mean mix "
              "(each region's share of the mean tonnes bought over the level's futures).", "",
              "| group | mix | scenario | total cost (M USD) | " + " | ".join(regions) + " |",
              "|---|---|---:|---:|" + "---:|" * len(regions)]
        for e in s["mixes"]:
            for what_mix, key, scen, cost in (("median-cost future", "share", e["scenario"],
                                               _m(e["total_cost"])),
                                              (f"mean of {e['n']:,}", "mean", "", "")):
                cells = [" / ".join(f"{100 * e[key][ri, mi]:.0f}" for mi in range(len(materials)))
                         for ri in range(len(regions))]
                L.append(f"| {e['group']} | {what_mix} | {scen} | {cost} | "
                         + " | ".join(cells) + " |")
    if s["effects"]:
        L += ["", "## What matters most for total cost", "",
              "Spearman rank correlation of each swept parameter with total cost, and the "
              "swing: median total cost of the scenarios in the parameter's highest fifth "
              "minus that of its lowest fifth (whole values kept together: a 5-level grid "
              "compares its first and last level, an event its two outcomes).", "",
              "| rank | parameter | kind | rho | low group | high group | swing (M USD) |",
              "|---:|---|---|---:|---|---|---:|"]
        for k, e in enumerate(s["effects"], 1):
            L.append(f"| {k} | {e['parameter']} | {e['kind']} | {e['rho']:+.2f} | "
                     f"{e['low_group']} | {e['high_group']} | {e['swing'] / 1e6:+,.1f} |")
    L += _plan_markdown(s, regions, materials)
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def _plan_markdown(s, regions, materials):
    if not s.get("plan"):
        return []
    L = ["", "## Plan: what to sign now, and what it is worth", "",
         "Per policy (a grid point of the sweep), over its futures, in million USD over the "
         "horizon: RP is the plan's expected cost, commitment fees included; WS the expected "
         "cost with perfect foresight; EEV the expected cost of the plan made for the average "
         "future. EVPI = RP − WS is what knowing the future would be worth, VSS = EEV − RP "
         "what planning across futures buys (inf: the average-future plan leaves some future "
         "infeasible). Regret: a future's cost under the plan minus its perfect-foresight "
         "cost.", "",
         "| policy | stop | RP | fees | WS | EEV | EVPI | VSS | gap | regret P50 | P90 | P99 |",
         "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for e in s["plan"]:
        vss = "inf" if e["VSS"] == float("inf") else _m(e["VSS"])
        eev = "inf" if e["EEV"] == float("inf") else _m(e["EEV"])
        L.append(f"| {e['policy']} | {e['stop']} | {_m(e['RP'])} | {_m(e['commitment_cost'])} "
                 f"| {_m(e['WS'])} | {eev} | {_m(e['EVPI'])} | {vss} | {e['RP_gap']:.1e} | "
                 + " | ".join(_m(e["regret"][q]) for q in ("P50", "P90", "P99")) + " |")
    why = [f"- {e['policy']}: {e['message']}" for e in s["plan"] if e["message"]]
    if why:
        L += ["", "Policies without a plan:", ""] + why
    L += ["", f"Tonnes to commit now over the horizon, by region ({' / '.join(materials)}); "
          "spot purchases come on top in each future.", "",
          "| policy | " + " | ".join(regions) + " |", "|---|" + "---:|" * len(regions)]
    for e in s["plan"]:
        cells = [" / ".join(_t(e["commit"].get((reg, m), float("nan"))) for m in materials)
                 for reg in regions]
        L.append(f"| {e['policy']} | " + " | ".join(cells) + " |")
    for e in s["plan"]:
        if not e["by_supplier"] or e["message"]:
            continue
        L += ["", f"With whom, under {e['policy']} (t over the horizon; committed quarters; "
              "most in one quarter):", "", "| supplier | material | t | from | to | most per quarter |",
              "|---|---|---:|---|---|---:|"]
        L += [f"| {sup} | {m} | {_t(t)} | {a} | {b} | {_t(mx)} |"
              for sup, m, t, a, b, mx in e["by_supplier"]]
    return L


# ---- a results file read for reports (supplymix_report.py, supplymix_compare.py) ----

def policy_title(label, of_demand=False):
    """A policy label ("share.china_cap=0.5") as a board reads it
    ("china_cap 50 %", or "china_cap 50 % of demand" where no caption says
    what the share is of); other grid values as name = value."""
    parts = []
    for item in str(label).split(";"):
        name, _, value = item.strip().partition("=")
        try:
            v = float(value)
        except ValueError:
            parts.append(item.strip())
            continue
        if name.startswith("share."):
            parts.append(f"{name[len('share.'):]} {100 * v:g} %"
                         + (" of demand" if of_demand else ""))
        else:
            parts.append(f"{name} = {v:g}")
    return ", ".join(parts) or str(label)


class Run:
    """One results file read for the report: Results, the optimal
    scenarios' frame, the plan Dataset (None for a sweep), the policy
    column and its parameter."""

    def __init__(self, path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", smr.PartialResultsWarning)
            self.r, ds = smr.load(path, None)
            names = [n for n in self.r.variables
                     if not (set(self.r.variables[n][0]) & smr.FULL_DIMS)]
            _, self.ds = smr.load(path, names, optimal=True)
            self.plan = smr.plan(path) if smr.is_plan(self.r) else None
        self.df = smr.frame(self.ds, self.r)
        self.cap = cap_parameter(self.r)
        if self.plan is not None:
            self.policy_col = "policy"
        else:
            grid = [p for p in self.r.parameters if p.kind == "grid" and p.varies]
            lead = self.cap or (grid[0] if grid else None)
            self.policy_col = lead.name if lead is not None else None
        if self.policy_col == "policy":
            self.df["policy"] = self.df["policy"].cat.rename_categories(policy_title)
        self.demand = self.r.demand_total()   # {material: t over the horizon} or {}

    @property
    def materials(self):
        return self.r.labels["material"]

    @property
    def regions(self):
        return self.r.labels["region"]

    def policies(self):
        """[(label, mask over df rows)] of the policies (cap levels), or one
        group "all scenarios"."""
        if self.policy_col is None:
            return [("all scenarios", np.ones(len(self.df), dtype=bool))]
        keys = smr.group_labels(self.df, self.policy_col) if self.policy_col != "policy" \
            else self.df["policy"]
        out = []
        for k in (sorted(keys.unique()) if self.policy_col != "policy" else
                  [c for c in keys.cat.categories if (keys == c).any()]):
            out.append((self.policy_name(k), (keys == k).to_numpy()))
        return out

    def policy_name(self, k):
        if self.policy_col in (None, "policy"):
            return str(k)
        p = self.r.parameter(self.policy_col)
        return f"{p.limit} {100 * float(k):g} %" if p.limit is not None and p.units in ("", "1") \
            else f"{p.name} = {k}"

    def second(self, chosen=None):
        """The second parameter of the tables: chosen, else the one (not the
        policy's) with the strongest rank correlation with cost."""
        if chosen:
            return self.r.parameter(chosen)
        ranked = [self.r.parameter(e["parameter"]) for e in
                  (effects(self.r, self.ds) if len(self.df) >= 3 else [])
                  if e["parameter"] != self.policy_col and
                  (self.plan is None or e["kind"] != "grid")]
        # A few distinct values (an event, a choice) read best in tables.
        few = [p for p in ranked if len(p.levels) <= 6]
        return (few or ranked or [None])[0]

    def regret(self):
        """(values per row, what it means): a plan's regret (cost under the
        plan minus perfect-foresight cost); in a sweep, the cost above the
        cheapest policy (level) under the same conditions: the same values
        of every other swept parameter (in a random sweep, the same future)."""
        if "regret" in self.df:
            return self.df["regret"].to_numpy(float), (
                "regret: a future's cost under the plan minus its cost with perfect foresight")
        cost = self.df["total_cost"].astype(float)
        same = [p.name for p in self.r.parameters if p.name != self.policy_col]
        best = cost.groupby([self.df[n] for n in same], dropna=False).transform("min") \
            if same else cost.min()
        return (cost - best).to_numpy(float), (
            "regret: a scenario's total cost at this level minus the least total cost of any "
            "level under the same values of every other swept parameter (in a random sweep: "
            "the same future)")
