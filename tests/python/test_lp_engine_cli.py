#!/usr/bin/python3
"""`--lp-engine` end to end (issue 15):

- `run --lp-engine clp` on the shipped sweeps and a sweep with infeasible
  scenarios (their relaxations from GLPK's elastic LP): identical files for 1 and 2
  threads, root attribute lp_engine "clp" (GLPK's files say "glpk"), the
  same statuses as GLPK's file and total_cost within 1e-9 relative;
- `--resume` with another engine than the file's is refused (exit 2) and
  leaves the file as it was;
- run, solve and plan with an engine not built, or not an engine: exit 2,
  naming the engines built;
- `solve --lp-engine clp` prints the cost GLPK prints;
- `plan --lp-engine clp`: identical files for 1 and 2 threads, the same
  optimum as GLPK's to the plan's gap, WS and EEV to 1e-9.

usage: test_lp_engine_cli.py SUPPLYMIX
"""
import hashlib
import os
import re
import sys
import tempfile

import h5py
import numpy as np
from sm_testing import check, failures, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def engines_built(exe):
    r = run([exe, "run", "--help"])
    m = re.search(r"one of: ([a-z, ]+) \(default", r.stdout)
    return [e.strip() for e in m.group(1).split(",")] if m else []


def attr(f, name):
    v = f.attrs.get(name)
    return v.decode() if isinstance(v, bytes) else v


FLOORS = """name: floors
model: rare_earths
parameters:
  share.domestic_floor: {values: [0.1, 0.3, 0.5, 0.7, 0.9]}
  share.china_cap: {values: [0.3, 0.4, 0.5, 0.6]}
  availability.China: {values: [0.2, 1.0]}
"""


# One policy of the main job's plan, fewer futures: enough for a few dozen
# iterations, each re-solving every future warm from its own basis.
PLAN = """name: plan_small
model: rare_earths
seed: 20270102
samples: 24
sampling: lhs
parameters:
  share.china_cap: {values: [0.5]}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  availability.China.from: {dist: choice, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}
  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}
  price.Dy_oxide: {dist: lognormal, mu: 0.0, sigma: 0.22}
  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}
"""


def plan_with_clp(exe, tmp):
    """plan --lp-engine clp: the files of 1 and 2 threads identical, the
    same optimum as GLPK's to the gap (each plan's [lower bound, RP] holds
    the true optimum, so the two intervals meet), and WS and EEV, which
    are LP optima, to 1e-9."""
    sweep = os.path.join(tmp, "plan_small.yaml")
    with open(sweep, "w") as f:
        f.write(PLAN)
    g, c1, c2 = (os.path.join(tmp, n) for n in ("plan_glpk.h5", "plan_clp1.h5", "plan_clp2.h5"))
    ok = run([exe, "plan", "--sweep", sweep, "-o", g, "-j", "2"]).returncode == 0
    ok &= run([exe, "plan", "--sweep", sweep, "-o", c1, "-j", "1", "--lp-engine", "clp"]).returncode == 0
    ok &= run([exe, "plan", "--sweep", sweep, "-o", c2, "-j", "2", "--lp-engine", "clp"]).returncode == 0
    check(ok, "plan with glpk and with clp: exit 0")
    if not ok:
        return
    r = run([sys.executable, os.path.join(HERE, "compare_results.py"), c1, c2])
    check(r.returncode == 0, f"plan --lp-engine clp: files identical for 1 and 2 threads\n{r.stdout}")
    with h5py.File(g, "r") as fg, h5py.File(c1, "r") as fc:
        check(attr(fc, "lp_engine") == "clp", "plan file: lp_engine clp")
        lo = max(fg["RP_lower_bound"][0], fc["RP_lower_bound"][0])
        hi = min(fg["RP"][0], fc["RP"][0])
        check(fc["RP_gap"][0] <= 1e-6 and lo <= hi * (1 + 1e-12),
              f"plan: clp's [lower bound, RP] meets glpk's ({fc['RP_lower_bound'][0]:.1f}, "
              f"{fc['RP'][0]:.1f} against {fg['RP_lower_bound'][0]:.1f}, {fg['RP'][0]:.1f})")
        for k in ("WS", "EEV"):
            a, b = fg[k][0], fc[k][0]
            check(abs(a - b) <= 1e-9 * abs(a), f"plan: {k} equal to 1e-9 ({a:.1f}, {b:.1f})")


def main(exe):
    built = engines_built(exe)
    check(built[:1] == ["glpk"], f"run --help names the engines built, glpk first ({built})")
    for cmd in (["run", "--sweep", "quick", "-o", "/tmp/never.h5"], ["solve"],
                ["plan", "--sweep", "plan_quick", "-o", "/tmp/never.h5"]):
        r = run([exe] + cmd + ["--lp-engine", "cplex"])
        check(r.returncode == 2 and "--lp-engine" in r.stderr and "built: glpk" in r.stderr
              and not os.path.exists("/tmp/never.h5"),
              f"{cmd[0]} --lp-engine cplex: exit 2 naming the engines built ({r.stderr.strip()})")
    if "clp" not in built:
        r = run([exe, "run", "--sweep", "quick", "-o", "/tmp/never.h5", "--lp-engine", "clp"])
        check(r.returncode == 2 and "built: glpk" in r.stderr,
              "run --lp-engine clp without CLP: exit 2 naming glpk")
        return
    with tempfile.TemporaryDirectory() as tmp:
        # Domestic floors no supply meets: infeasible scenarios, whose
        # elastic LP is GLPK's under either engine (it crashed under CLP).
        floors = os.path.join(tmp, "floors.yaml")
        with open(floors, "w") as f:
            f.write(FLOORS)
        for sweep in ("quick", "china_grid", "monte_carlo", floors):
            name = os.path.basename(sweep).split(".")[0]
            g = os.path.join(tmp, f"{name}_glpk.h5")
            c1 = os.path.join(tmp, f"{name}_clp1.h5")
            c2 = os.path.join(tmp, f"{name}_clp2.h5")
            ok = run([exe, "run", "--sweep", sweep, "-o", g, "-j", "2"]).returncode == 0
            ok &= run([exe, "run", "--sweep", sweep, "-o", c1, "-j", "1", "--lp-engine", "clp"]).returncode == 0
            ok &= run([exe, "run", "--sweep", sweep, "-o", c2, "-j", "2", "--lp-engine", "clp"]).returncode == 0
            check(ok, f"{sweep}: runs with glpk and clp exit 0")
            if not ok:
                continue
            r = run([sys.executable, os.path.join(HERE, "compare_results.py"), c1, c2])
            check(r.returncode == 0, f"{sweep}: clp's files identical for 1 and 2 threads\n{r.stdout}")
            with h5py.File(g, "r") as fg, h5py.File(c1, "r") as fc:
                check(attr(fg, "lp_engine") == "glpk" and attr(fc, "lp_engine") == "clp",
                      f"{sweep}: root attribute lp_engine names the engine")
                sg, sc = fg["status"][:], fc["status"][:]
                check(np.array_equal(sg, sc), f"{sweep}: the same statuses")
                tg, tc = fg["total_cost"][:], fc["total_cost"][:]
                ok = sg == 1
                rel = np.max(np.abs(tg[ok] - tc[ok]) / np.maximum(1, np.abs(tg[ok]))) if ok.any() else 0
                check(rel <= 1e-9, f"{sweep}: total_cost within 1e-9 relative (worst {rel:.1e})")
                if sweep == floors:
                    check((sg == 2).sum() > 0, f"{sweep}: some scenarios infeasible")
                    rg, rc = fg["relaxation_limit"][:], fc["relaxation_limit"][:]
                    check(np.array_equal(rg, rc, equal_nan=True),
                          f"{sweep}: the same relaxations (GLPK's elastic LP)")
        plan_with_clp(exe, tmp)
        g = os.path.join(tmp, "quick_glpk.h5")
        before = hashlib.sha256(open(g, "rb").read()).hexdigest()
        r = run([exe, "run", "--sweep", "quick", "-o", g, "--resume", "--lp-engine", "clp"])
        after = hashlib.sha256(open(g, "rb").read()).hexdigest()
        check(r.returncode == 2 and "--lp-engine glpk" in r.stderr and before == after,
              f"--resume with another engine is refused, the file left as it was ({r.stderr.strip()})")
    costs = []
    for e in ("glpk", "clp"):
        r = run([exe, "solve", "--lp-engine", e])
        m = re.search(r"Total cost over the horizon\s+([\d,]+) USD", r.stdout)
        costs.append(m.group(1) if m else None)
    check(r.returncode == 0 and costs[0] and costs[0] == costs[1],
          f"solve --lp-engine clp prints GLPK's total cost ({costs})")


if __name__ == "__main__":
    main(sys.argv[1])
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)
