#!/usr/bin/python3
"""Check a supplymix results file against docs/RESULTS.md with the readers
strategy teams use: h5py, xarray (netCDF4 and h5netcdf engines), h5dump and
ncdump.

usage: check_results_file.py RESULTS.h5 [--partial]

--partial: the run was interrupted, so some scenarios are not complete.
A plan file (root attribute file_kind "plan") is checked for its plan
variables too: `policy` and `iteration` dimensions, `commitment` over
policy, supplier, material, period.
"""
import subprocess
import sys

import h5py
import numpy as np
import xarray as xr

DIMS = ["scenario", "supplier", "region", "material", "period", "limit", "parameter"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


PLAN_POLICY_VARS = ["commitment_cost", "RP", "RP_lower_bound", "RP_gap", "WS", "EEV", "EVPI", "VSS",
                    "EEV_infeasible_futures", "risk_weight", "cvar_alpha", "plan_stop",
                    "plan_stop_message", "plan_iterations", "plan_seconds"]
PLAN_SCENARIO_VARS = ["scenario_policy", "scenario_future", "cost_commitment",
                      "perfect_foresight_cost", "regret", "average_future_plan_cost"]


def check_plan(ds, engine):
    """Layout 3: the plan variables at the root, over named dimensions."""
    check("policy" in ds.dims and "iteration" in ds.dims, f"[{engine}] policy and iteration dims")
    check(ds.policy.dtype == object and all(isinstance(v, str) for v in ds.policy.values),
          f"[{engine}] string labels for policy")
    for name in ("commitment", "commitment_ev"):
        check(name in ds and ds[name].dims == ("policy", "supplier", "material", "period"),
              f"[{engine}] {name} dims {ds[name].dims if name in ds else None}")
    for name in PLAN_POLICY_VARS:
        check(name in ds and ds[name].dims == ("policy",), f"[{engine}] {name}[policy]")
    for name in PLAN_SCENARIO_VARS:
        check(name in ds and ds[name].dims == ("scenario",), f"[{engine}] {name}[scenario]")
    for name in ("history_lower_bound", "history_upper_bound", "history_gap", "history_cuts",
                 "history_feasibility_cuts", "history_seconds"):
        check(name in ds and ds[name].dims == ("policy", "iteration"),
              f"[{engine}] {name}[policy, iteration]")
    meanings = ds.plan_stop.attrs.get("flag_meanings", "").split()
    check("gap_reached" in meanings and "interrupted" in meanings, f"[{engine}] plan_stop flags")


def main(path, partial):
    # Command-line tools list it without errors.
    for cmd in (["h5dump", "-H", path], ["h5ls", "-r", path], ["ncdump", "-h", path]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        check(r.returncode == 0 and "error" not in r.stderr.lower(), f"{cmd[0]} reads the file: {r.stderr[:300]}")

    # h5py: plain numbers and strings, no custom types.
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                check(obj.dtype.kind in "iufSOb" or h5py.check_string_dtype(obj.dtype) is not None,
                      f"{name}: plain type, got {obj.dtype}")
        f.visititems(visit)
        for key in ("title", "Conventions", "supplymix_version", "command_line", "created", "host",
                    "threads", "ranks", "model_hash", "sweep_hash", "seed"):
            check(key in f.attrs, f"root attribute {key}")
        check(isinstance(f.attrs["title"], str), "text attributes read as str")
        for name in ("model_file", "suppliers_file", "demand_file", "sweep_file"):
            check(f"inputs/{name}" in f and len(f[f"inputs/{name}"][()]) > 0, f"inputs/{name} stored")
        complete = f["complete"][:]
        status = f["status"][:]
        n = len(complete)

    for engine in ("netcdf4", "h5netcdf"):
        ds = xr.open_dataset(path, engine=engine)
        for d in DIMS:
            check(d in ds.dims, f"[{engine}] dimension {d}")
        for d in ("supplier", "region", "material", "period", "limit", "parameter"):
            check(d in ds.coords and ds[d].dtype == object and (ds[d].size == 0 or isinstance(ds[d].values[0], str)),
                  f"[{engine}] string labels for {d}")
        check(np.array_equal(ds.scenario.values, np.arange(n)), f"[{engine}] scenario numbering 0..n-1")
        for name, var in ds.data_vars.items():
            check("long_name" in var.attrs, f"[{engine}] {name} has long_name")
            if var.dims and var.dims[0] == "scenario":
                check("units" in var.attrs, f"[{engine}] {name} has units")
        check(ds.total_cost.dims == ("scenario",), f"[{engine}] total_cost over scenario")
        if "purchases" in ds:
            check(ds.purchases.dims == ("scenario", "supplier", "material", "period"),
                  f"[{engine}] purchases dims {ds.purchases.dims}")
        check(ds.region_share.dims == ("scenario", "region", "material"), f"[{engine}] region_share dims")
        check(ds.parameters.dims == ("scenario", "parameter"), f"[{engine}] parameters dims")
        check(np.issubdtype(ds.period_start.dtype, np.datetime64) or "months" in ds.period_start.attrs.get("units", ""),
              f"[{engine}] period starts as dates")
        meanings = ds.status.attrs.get("flag_meanings", "").split()
        check("optimal" in meanings and "infeasible" in meanings, f"[{engine}] status flag_meanings")
        if ds.attrs.get("file_kind") == "plan":
            check_plan(ds, engine)
        # Values by name, selected by labels.
        sel = ds.region_share.sel(region="China").isel(scenario=0)
        check(sel.dims == ("material",), f"[{engine}] label selection")
        ds.close()

    # Completion and fill values.
    with h5py.File(path, "r") as f:
        done = complete.astype(bool)
        check(np.array_equal(done, status != 0), "complete == (status != not_solved)")
        if not partial:
            check(done.all(), f"every scenario complete ({done.sum()} of {n})")
        else:
            check(0 < done.sum() < n, f"partly complete ({done.sum()} of {n})")
        tc = f["total_cost"][:]
        check(np.isnan(tc[~done]).all(), "unsolved scenarios are NaN")
        optimal = status == 1
        check(np.isfinite(tc[optimal]).all(), "optimal scenarios have a finite total cost")
        parts = sum(f[k][:] for k in ("cost_purchase", "cost_tariff", "cost_freight", "cost_holding", "cost_shortfall"))
        if "cost_commitment" in f:  # a plan file or run --portfolio: the fees paid on the portfolio are a part too
            parts = parts + f["cost_commitment"][:]
        check(np.allclose(parts[optimal], tc[optimal], rtol=1e-9), "cost parts add up to the total")
        share, bought = f["region_share"][:][optimal], f["purchases_by_region"][:][optimal]
        some = bought.sum(axis=1) > 0
        check(np.allclose(share.sum(axis=1)[some], 1.0), "region shares sum to 1 where something was bought")

    print(f"{path}: {'OK' if not failures else f'{len(failures)} problems'}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], "--partial" in sys.argv[2:]))
