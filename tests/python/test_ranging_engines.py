#!/usr/bin/python3
"""run --ranging under both LP engines: CLP's share ranges are there and hold.

`run --sweep quick --ranging` under --lp-engine glpk and clp. Every limit of
every optimal scenario: wherever GLPK's limit_share_low/high are finite,
CLP's must be too (they were NaN high and 0 low before CLP ranged), and
both must contain the limit's share s. Then, for a seeded sample of
scenarios and each limit, for each engine's file: the cost is linear in
the share across the stored range with that file's dual as slope, checked
by glpsol on the scenario's exported LP with the limit's rows re-written at
t = s + 0.999 (lo - s) and t = s + 0.999 (hi - s) (hi capped at s + 1):
C(t) = C(s) - 100 (t - s) limit_saving_per_point, to 1e-9 of the cost.
That the two engines' ranges agree on the same basis is test_ranging_engines
(C); here each engine's own bases are checked, whatever they are. `solve
--lp-engine clp` prints finite intervals (it printed "from 0.00 % to nan %";
its cold solve may end on another degenerate basis than GLPK's, and then
another interval).

usage: test_ranging_engines.py SUPPLYMIX [N]   (N sampled scenarios, default 8)
"""
import os
import random
import sys
import tempfile

import h5py
import numpy as np
from sm_testing import check, failures, finish, run, glpsol  # noqa: E402
from test_ranging import rescale  # noqa: E402

SWEEP = "quick"


def share_of(f, i, name):
    params = dict(zip([p.decode() for p in f["parameter"][:]], f["parameters"][i]))
    return params["share.china_cap"] if name == "china_cap" else 0.10


def check_finite(files, limits):
    g, c = files["glpk"], files["clp"]
    opt = g["status"][:] == c["status"][:]
    check(bool(np.all(opt)), f"{SWEEP}: both engines give every scenario the same status")
    for v in ("limit_share_low", "limit_share_high", "limit_saving_up", "limit_saving_down"):
        a, b = g[v][:], c[v][:]
        bad = int(np.sum(~np.isnan(a) & np.isnan(b)))
        check(bad == 0 and np.sum(~np.isnan(a)) > 0,
              f"{v}: CLP's finite wherever GLPK's are ({bad} NaN of {np.sum(~np.isnan(a))})")
    for e, f in files.items():
        s = np.array([[share_of(f, i, n) for n in limits] for i in range(len(f["status"]))])
        lo, hi = f["limit_share_low"][:], f["limit_share_high"][:]
        out = int(np.sum(~((lo <= s + 1e-12) & (s <= hi + 1e-12))))
        check(out == 0, f"{e}: every share lies in its stored range ({out} outside)")


def check_linear(exe, tmp, engine, f, i, limits):
    """C(t) on the stored range of each limit of scenario i, by glpsol."""
    lp = os.path.join(tmp, f"{engine}_s{i}.lp")
    r = run([exe, "export", "--sweep", SWEEP, "--scenario", str(i), "--lp", lp])
    if not check(r.returncode == 0, f"export scenario {i}", r.stderr):
        return
    text = open(lp).read()
    c0 = f["total_cost"][i]
    got = glpsol(lp)
    check(got is not None and abs(got - c0) <= 1e-9 * abs(c0),
          f"{engine} scenario {i}: glpsol's optimum {got} = total_cost {c0:.3f}")
    for k, name in enumerate(limits):
        s = share_of(f, i, name)
        lo, hi = f["limit_share_low"][i, k], f["limit_share_high"][i, k]
        slope = 100 * f["limit_saving_per_point"][i, k]
        for end in (lo, min(hi, s + 1.0)):
            t = s + 0.999 * (end - s)
            if not np.isfinite(t) or t == s:
                continue  # NaN is check_finite's failure
            moved = os.path.join(tmp, f"{engine}_s{i}_{name}_{t:.6f}.lp")
            open(moved, "w").write(rescale(text, name, t / s))
            ct = glpsol(moved, infeasible=np.inf)
            want = c0 - (t - s) * slope
            ct = np.nan if ct is None else ct
            check(abs(ct - want) <= 1e-9 * abs(c0),
                  f"{engine} scenario {i} {name}: share {s:g} -> {t:.6f} in [{lo:.6f}, "
                  f"{hi:.6f}]: glpsol {ct:.4f} = {want:.4f} on the dual's line "
                  f"(off by {abs(ct - want):.3g})")


def check_solve_report(exe, i):
    """solve's printed share intervals of scenario i under both engines."""
    for e in ("glpk", "clp"):
        r = run([exe, "solve", "--sweep", SWEEP, "--scenario", str(i), "--lp-engine", e])
        lines = [x.strip() for x in r.stdout.splitlines() if "holds for shares" in x]
        check(r.returncode == 0 and len(lines) > 0 and "nan" not in r.stdout,
              f"solve --scenario {i} --lp-engine {e}: {lines}", r.stderr)


def main(exe, n):
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for e in ("glpk", "clp"):
            paths[e] = os.path.join(tmp, f"{e}.h5")
            r = run([exe, "run", "--sweep", SWEEP, "-o", paths[e], "-j", "2", "--ranging",
                     "--lp-engine", e])
            if r.returncode == 2 and "lp-engine" in r.stderr and e == "clp":
                print("this build has no CLP: nothing to compare")
                return 77
            check(r.returncode == 0, f"run --sweep {SWEEP} --ranging --lp-engine {e}", r.stderr)
        if failures:
            return finish()
        files = {e: h5py.File(p) for e, p in paths.items()}
        limits = [x.decode() for x in files["glpk"]["limit"][:]]
        check_finite(files, limits)
        sample = random.Random(21).sample(range(len(files["glpk"]["status"])), n)
        for e, f in files.items():
            for i in sample:
                check_linear(exe, tmp, e, f, i, limits)
        for f in files.values():
            f.close()
        check_solve_report(exe, 168)
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8))
