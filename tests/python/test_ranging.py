#!/usr/bin/python3
"""Directional savings and share ranges (issue 13, item 3), checked by glpsol.

`run --sweep china_grid --ranging` stores, per scenario and limit,
limit_saving_up = C(s) - C(s + 0.01) and limit_saving_down = C(s - 0.01) - C(s).
For scenario 11762 (the issue's kink) and a seeded sample of others, each is
compared with glpsol's optimum of the scenario's exported LP with that limit's
rows re-written at s +- 0.01 (to 1e-6 relative, plus the 12 digits glpsol
prints of the objective), and the stored dual, 100 x limit_saving_per_point
per point, must lie between them (cost is convex in share). The share
interval [limit_share_low, limit_share_high] must contain s, and where
s +- 0.01 lie inside it the savings must equal the dual. Without --ranging
the datasets are NaN; total_cost is the same with and without it. `merge`
refuses slices run with and without --ranging.

usage: test_ranging.py SUPPLYMIX [N]   (N sampled scenarios besides 11762, default 12;
                                        bench/bench_ranging.sh runs 200)
"""
import os
import random
import re
import sys
import tempfile

import h5py
import numpy as np
from sm_testing import check, failures, run, glpsol  # noqa: E402

ISSUE_SCENARIO = 11762


def rescale(text, limit, factor):
    """The LP text with every row of `limit` bounded at factor x its bound."""
    out, in_row = [], False
    for line in text.split("\n"):
        if re.match(r"^ \S+\(.*\):", line):
            in_row = line.startswith(f" {limit}(")
        elif not line.startswith(" "):
            in_row = False
        if in_row:
            m = re.search(r"(<=|>=|=) (\S+)$", line)
            if m:
                line = line[:m.start(2)] + repr(float(m.group(2)) * factor)
        out.append(line)
    return "\n".join(out)


def close(got, want, scale):
    if np.isinf(want) or np.isinf(got):
        return got == want
    return abs(got - want) <= 1e-6 * abs(want) + 1e-11 * scale


def check_scenario(exe, tmp, f, i, limits):
    lp = os.path.join(tmp, f"s{i}.lp")
    r = run([exe, "export", "--sweep", "china_grid", "--scenario", str(i), "--lp", lp])
    if r.returncode:
        check(False, f"export scenario {i}: {r.stderr.strip()}")
        return
    text = open(lp).read()
    c0 = glpsol(lp, infeasible=np.inf)
    check(c0 is not None and close(c0, f["total_cost"][i], abs(c0)),
          f"scenario {i}: glpsol's optimum {c0} = total_cost {f['total_cost'][i]:.3f}")
    params = dict(zip([p.decode() for p in f["parameter"][:]], f["parameters"][i]))
    shares = {"china_cap": params["share.china_cap"], "domestic_floor": 0.10}
    for k, name in enumerate(limits):
        s = shares[name]
        fd = {}
        for sign in (1, -1):
            moved = os.path.join(tmp, f"s{i}_{name}_{sign}.lp")
            open(moved, "w").write(rescale(text, name, (s + sign * 0.01) / s))
            fd[sign] = glpsol(moved, infeasible=np.inf)
        up, down = c0 - fd[1], fd[-1] - c0
        got_up, got_down = f["limit_saving_up"][i, k], f["limit_saving_down"][i, k]
        dual = f["limit_saving_per_point"][i, k]
        lo, hi = f["limit_share_low"][i, k], f["limit_share_high"][i, k]
        check(close(got_up, up, abs(c0)) and close(got_down, down, abs(c0)),
              f"scenario {i} {name} at {s:g}: up {got_up:.6f} = glpsol's {up:.6f}, "
              f"down {got_down:.6f} = glpsol's {down:.6f}")
        tol = 1e-6 * abs(dual) + 1e-11 * abs(c0)
        check(got_up <= dual + tol and dual <= got_down + tol,
              f"scenario {i} {name}: up {got_up:.3f} <= dual {dual:.3f} <= down {got_down:.3f}")
        inside = lo <= s - 0.01 and s + 0.01 <= hi
        check(lo <= s + 1e-12 and s <= hi + 1e-12 and
              (not inside or (close(got_up, dual, abs(c0)) and close(got_down, dual, abs(c0)))),
              f"scenario {i} {name}: share {s:g} in [{lo:.6f}, {hi:.6f}]"
              + (", and both savings equal the dual inside it" if inside else ""))
    return f["limit_saving_per_point"][i], f["limit_saving_up"][i], f["limit_saving_down"][i]


def check_merge_refuses_mixed(exe, tmp):
    """Slices run with and without --ranging cannot be merged: one holds NaN
    where the other holds savings, and the merged file could state neither."""
    a, b, out = (os.path.join(tmp, x) for x in ("s0.h5", "s1.h5", "merged.h5"))
    r0 = run([exe, "run", "--sweep", "quick", "--slice", "0/2", "-o", a, "--ranging"])
    r1 = run([exe, "run", "--sweep", "quick", "--slice", "1/2", "-o", b])
    check(r0.returncode == 0 and r1.returncode == 0, "two slices of quick, one with --ranging")
    r = run([exe, "merge", out, a, b])
    check(r.returncode == 2 and "--ranging" in r.stderr and not os.path.exists(out),
          f"merge refuses slices that differ in --ranging (exit {r.returncode}: "
          f"{r.stderr.strip()[:160]})")


def main(exe, n):
    with tempfile.TemporaryDirectory() as tmp:
        check_merge_refuses_mixed(exe, tmp)
        plain, ranged = os.path.join(tmp, "plain.h5"), os.path.join(tmp, "ranged.h5")
        r1 = run([exe, "run", "--sweep", "china_grid", "-o", plain, "-j", "2"])
        r2 = run([exe, "run", "--sweep", "china_grid", "-o", ranged, "-j", "2", "--ranging"])
        check(r1.returncode == 0 and r2.returncode == 0, "run china_grid with and without --ranging")
        if failures:
            return 1
        with h5py.File(plain) as a, h5py.File(ranged) as f:
            check(np.all(np.isnan(a["limit_saving_up"][:])), "without --ranging: NaN")
            d = np.max(np.abs(a["total_cost"][:] - f["total_cost"][:]) / np.abs(a["total_cost"][:]))
            check(d <= 1e-12, f"total_cost unchanged by --ranging (max rel. diff {d:.1e})")
            limits = [x.decode() for x in f["limit"][:]]
            sample = [ISSUE_SCENARIO] + random.Random(13).sample(range(len(f["status"])), n)
            for i in sample:
                got = check_scenario(exe, tmp, f, i, limits)
                if i == ISSUE_SCENARIO and got:
                    print(f"scenario {i}: china_cap dual {got[0][0]:,.2f} USD/point, "
                          f"up {got[1][0]:,.2f}, down {got[2][0]:,.2f}")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12))
