#!/usr/bin/python3
"""`supplymix plan` end to end (docs/CLI.md, docs/RESULTS.md "Plan files"):
the plan file is a results file every reader opens (check_results_file.py)
plus /plan; the same file on 1, 2 and 3 threads (compare_results.py); every
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

import h5py
import numpy as np

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
    with h5py.File(path) as f:
        check(int(f.attrs["results_layout_version"]) == 2, "plan files are layout version 2")
        p = f["plan"]
        G, S = 2, 8
        check(p["portfolio"].shape == (G, 2, 1, 2), "portfolio[grid_point, supplier, material, period]")
        dims = [d[0].name.split("/")[-1] for d in p["portfolio"].dims]
        check(dims == ["grid_point", "supplier", "material", "period"], f"portfolio dims {dims}")
        check(p["portfolio"].attrs["units"] == "t", "portfolio in t")
        for name in ["rp", "rp_lower_bound", "ws", "eev", "evpi", "vss", "gap"]:
            check(p[name].shape == (G,), f"{name}[grid_point]")
        rp, ws, eev = p["rp"][:], p["ws"][:], p["eev"][:]
        check(np.allclose(p["evpi"][:], rp - ws), "evpi = rp - ws")
        check(np.all(rp - ws >= -1e-6 * np.abs(rp)), "EVPI >= 0")
        check(np.all((eev - rp >= -1e-6 * np.abs(rp)) | np.isinf(eev)), "VSS >= 0")
        check(np.all(p["gap"][:] <= 1e-6), "every policy reached the gap")
        check(p["regret"].shape == (G * S,), "regret[scenario]")
        tot = f["total_cost"][:]
        check(np.allclose(f["cost_commitment"][:], p["commitment_cost"][:][np.arange(G * S) % G]),
              "each scenario's cost_commitment is its policy's fees")
        check(np.allclose(tot - p["regret"][:], p["wait_and_see_cost"][:]),
              "total_cost - regret = perfect-foresight cost")
        # C1's commitment never exceeds its capacity (100 t) and U1 (spot) commits nothing.
        k = p["portfolio"][:]
        check(np.all(k[:, 1] == 0) and np.all(k[:, 0] <= 100 + 1e-9), "portfolio within bounds")
        check(np.all(f["purchases"][:, 0, 0, :] <= k[np.arange(G * S) % G, 0, 0, :] + 1e-7),
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
