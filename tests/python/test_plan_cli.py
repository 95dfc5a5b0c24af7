#!/usr/bin/python3
"""`supplymix plan` end to end (docs/CLI.md, docs/RESULTS.md "Plan files"):
the plan file is a results file every reader opens (check_results_file.py)
plus the plan variables (layout 3); the same file on 1, 2 and 3 threads (compare_results.py); every
mistyped option and a bad terms cell exit 2 naming the option or file:line,
with an existing output untouched.

usage: test_plan_cli.py SUPPLYMIX
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import h5py
import numpy as np
import xarray as xr

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "data", "bad_inputs", "_base")
failures = []

SUPPLIERS = """supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,start_period,ramp_periods,terms,fee_usd_per_t,source
C1,China,NdPr,100,8,0,1,0,contract,3,test
U1,USA,NdPr,100,15,0,1,0,spot,,test
"""
SWEEP = """name: t
seed: 9
samples: 8
sampling: lhs
parameters:
  share.cap: {values: [0.5, 1.0]}
  availability.China: {dist: event, p: 0.5, yes: 0.2, no: 1.0}
  price.U1: {dist: uniform, low: 0.8, high: 1.3}
"""


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def run(exe, *args):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def make_model(tmp):
    d = os.path.join(tmp, "model")
    shutil.copytree(BASE, d)
    open(os.path.join(d, "suppliers.csv"), "w").write(SUPPLIERS)
    open(os.path.join(tmp, "sweep.yaml"), "w").write(SWEEP)
    return d, os.path.join(tmp, "sweep.yaml")


def check_file(exe, path, model):
    r = subprocess.run([sys.executable, os.path.join(HERE, "check_results_file.py"), path],
                       capture_output=True, text=True)
    check(r.returncode == 0, "the plan file passes check_results_file.py\n" + r.stdout[-2000:])
    r = subprocess.run(["h5dump", "-H", path], capture_output=True, text=True)
    check(r.returncode == 0 and "DATASET \"commitment\"" in r.stdout, "h5dump -H lists commitment")
    r = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True)
    check(r.returncode == 0 and "double commitment(policy, supplier, material, period)" in r.stdout,
          "ncdump -h shows commitment(policy, supplier, material, period)")
    ds = xr.open_dataset(path)
    check(ds.commitment.dims == ("policy", "supplier", "material", "period"),
          f"xarray: commitment dims {ds.commitment.dims}")
    check(list(ds.policy.values) == ["share.cap=0.5", "share.cap=1"],
          f"policy labels name the grid values: {list(ds.policy.values)}")
    ds.close()
    sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
    import supplymix_results as smr
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "newer layout" warning
        rr = smr.open(path)
    check(rr.n_finished == 16, "smr.open reads the plan file")
    with h5py.File(path) as f:
        check(int(f.attrs["results_layout_version"]) == 3, "plan files are layout version 3")
        check(f.attrs["file_kind"] == "plan", "file_kind plan")
        check("plan" not in f and "plan_resume" not in f, "no /plan group, no /plan_resume when done")
        G, S = 2, 8
        check(f["commitment"].shape == (G, 2, 1, 2), "commitment[policy, supplier, material, period]")
        dims = [d[0].name.split("/")[-1] for d in f["commitment"].dims]
        check(dims == ["policy", "supplier", "material", "period"], f"commitment dims {dims}")
        check(f["commitment"].attrs["units"] == "t", "commitment in t")
        for name in ["RP", "RP_lower_bound", "WS", "EEV", "EVPI", "VSS", "RP_gap", "commitment_cost",
                     "plan_stop", "plan_iterations", "risk_weight", "cvar_alpha"]:
            check(f[name].shape == (G,), f"{name}[policy]")
        rp, ws, eev = f["RP"][:], f["WS"][:], f["EEV"][:]
        check(np.allclose(f["EVPI"][:], rp - ws), "EVPI = RP - WS")
        check(np.all(rp - ws >= -1e-6 * np.abs(rp)), "EVPI >= 0")
        check(np.all((eev - rp >= -1e-6 * np.abs(rp)) | np.isinf(eev)), "VSS >= 0")
        check(np.all(f["RP_gap"][:] <= 1e-6), "every policy reached the gap")
        check(np.all(f["plan_stop"][:] == 1), "plan_stop gap_reached")
        pol, fut = f["scenario_policy"][:], f["scenario_future"][:]
        check(np.array_equal(pol, np.arange(G * S) % G) and np.array_equal(fut, np.arange(G * S) // G),
              "scenario_policy = i % G, scenario_future = i // G")
        check(f["regret"].shape == (G * S,), "regret[scenario]")
        tot = f["total_cost"][:]
        check(np.allclose(f["cost_commitment"][:], f["commitment_cost"][:][pol]),
              "each scenario's cost_commitment is its policy's fees")
        check(np.allclose(tot - f["regret"][:], f["perfect_foresight_cost"][:]),
              "total_cost - regret = perfect-foresight cost")
        afc = f["average_future_plan_cost"][:]
        means = np.array([afc[pol == g].mean() for g in range(G)])
        check(np.allclose(means, eev), f"EEV = mean of average_future_plan_cost ({means} vs {eev})")
        it = f["plan_iterations"][:]
        H = f["history_lower_bound"].shape[1]
        check(H == it.max() and f["iteration"].shape == (H,), "iteration: the longest history")
        cuts = f["history_cuts"][:]
        check(all(np.all(cuts[g, it[g]:] == -1) and np.all(cuts[g, :it[g]] >= 0) for g in range(G)),
              "history_cuts -1 past a policy's last iteration")
        check(np.allclose(f["history_upper_bound"][:][np.arange(G), it - 1], rp),
              "the last upper bound is RP")
        # C1's commitment never exceeds its capacity (100 t) and U1 (spot) commits nothing.
        k = f["commitment"][:]
        check(np.all(k[:, 1] == 0) and np.all(k[:, 0] <= 100 + 1e-9), "commitment within bounds")
        check(np.all(f["purchases"][:, 0, 0, :] <= k[pol, 0, 0, :] + 1e-7),
              "every future buys at most what its policy committed from C1")


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        model, sweep = make_model(tmp)
        outs = []
        for j in (1, 2, 3):
            out = os.path.join(tmp, f"plan{j}.h5")
            r = run(exe, "plan", model, "--sweep", sweep, "-o", out, "-j", str(j))
            check(r.returncode == 0, f"plan -j {j} exits 0\n{r.stderr}")
            outs.append(out)
        check("EVPI" in r.stdout and "VSS" in r.stdout and "commit China" in r.stdout,
              "the summary names EVPI, VSS and what to commit")
        check_file(exe, outs[0], model)
        r = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), *outs],
                           capture_output=True, text=True)
        check(r.returncode == 0, "identical plan files on 1, 2 and 3 threads\n" + r.stdout[-2000:])

        # Bad options: exit 2 naming the option; the existing file untouched.
        before = sha(outs[0])
        bad = [
            (["--gap", "tiny"], "--gap"),
            (["--gap", "-1"], "--gap"),
            (["--max-iterations", "2.5"], "--max-iterations"),
            (["--max-iterations", "0"], "--max-iterations"),
            (["--time-limit", "soon"], "--time-limit"),
            (["-j", "0"], "-j"),
            (["--bogus"], "unrecognized option"),
            ([], "exists; give --force"),
        ]
        for extra, needle in bad:
            r = run(exe, "plan", model, "--sweep", sweep, "-o", outs[0], *extra)
            check(r.returncode == 2 and needle in r.stderr,
                  f"plan {' '.join(extra)}: exit 2 naming {needle!r} (got {r.returncode}: "
                  f"{r.stderr.strip()[:200]})")
        r = run(exe, "plan", model, "-o", outs[0])
        check(r.returncode == 2 and "--sweep" in r.stderr, "plan without --sweep: exit 2")
        bad_model = os.path.join(tmp, "bad")
        shutil.copytree(model, bad_model)
        open(os.path.join(bad_model, "suppliers.csv"), "w").write(
            SUPPLIERS.replace("contract,3", "contrakt,3"))
        r = run(exe, "plan", bad_model, "--sweep", sweep, "-o", outs[0], "--force")
        check(r.returncode == 2 and "suppliers.csv:2:" in r.stderr and "terms" in r.stderr,
              f"a mistyped terms cell: exit 2 with file:line ({r.stderr.strip()[:200]})")
        link = os.path.join(tmp, "link.h5")
        os.symlink(outs[0], link)
        r = run(exe, "plan", model, "--sweep", sweep, "-o", link, "--force")
        check(r.returncode == 2 and "symbolic link" in r.stderr,
              f"an output that is a symbolic link is refused ({r.stderr.strip()[:200]})")
        check(sha(outs[0]) == before, "no bad run touched the existing plan file")
    print("FAILED: %d" % len(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
