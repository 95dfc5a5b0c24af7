#!/usr/bin/python3
"""Feasibility cuts, summed by block of futures (MODEL.md Part 2,
"Feasibility"; solver/plan_master.c): the shipped model with every
non-Chinese offer a contract (test_plan_extensive's model) and a floor of
US NdPr that only contract offers can meet, drawn per future (0, 10 % or
20 % of demand: 20 % needs nearly all of the 61 t US capacity of 2027), so
that small commitments leave some futures infeasible and others not.

Checks: (1) with nothing committed some futures are infeasible and some
are not (`run --portfolio` of zeros); (2) the plan reaches the gap, its
file records feasibility cuts (`history_feasibility_cuts`) from several
blocks in one iteration; (3) its portfolio leaves every future feasible,
in the plan file and in `run --portfolio PLAN.h5`; (4) each policy's RP
equals its extensive form solved by glpsol and by cbc to 1e-6 relative.
A wrong sum (say, the slopes averaged instead of summed) fails (4).

usage: test_plan_feasibility.py SUPPLYMIX
"""
import os
import sys
import tempfile

import h5py
import numpy as np

import test_plan_extensive as ext
from sm_testing import check, finish, run

SWEEP = ext.SWEEP + "  share.domestic_floor: {dist: choice, values: [0.0, 0.1, 0.2]}\n"
OPTIMAL, INFEASIBLE = 1, 2


def statuses(path):
    with h5py.File(path) as f:
        return f["status"][:]


def zeros_leave_some_infeasible(exe, model, sweep, tmp):
    """(1) Nothing committed: the futures with a floor are infeasible."""
    zeros = os.path.join(tmp, "zeros.csv")
    open(zeros, "w").write("supplier,material,period,tonnes\nMP_Mountain_Pass,NdPr_oxide,1,0\n")
    out = os.path.join(tmp, "zeros.h5")
    r = run([exe, "run", model, "--sweep", sweep, "-o", out, "--portfolio", zeros])
    check(r.returncode == 0, "run --portfolio of zeros exits 0\n" + r.stderr[-800:])
    st = statuses(out)
    n_bad, n_ok = int(np.sum(st == INFEASIBLE)), int(np.sum(st == OPTIMAL))
    check(n_bad > 0 and n_ok > 0 and n_bad + n_ok == st.size,
          f"with nothing committed {n_bad} of {st.size} futures are infeasible, {n_ok} feasible")


def plan_cuts(exe, model, sweep, tmp):
    """(2) and (3): the plan, its feasibility cuts and its portfolio."""
    plan = os.path.join(tmp, "plan.h5")
    r = run([exe, "plan", model, "--sweep", sweep, "-o", plan, "-j", "2"])
    check(r.returncode == 0, "plan exits 0\n" + r.stderr[-1500:])
    with h5py.File(plan) as f:
        feas, cuts = f["history_feasibility_cuts"][:], f["history_cuts"][:]
    for g in range(feas.shape[0]):
        done = cuts[g] >= 0
        check(np.all(feas[g][done] >= 0) and np.all(feas[g][done] <= cuts[g][done]),
              f"policy {g}: feasibility cuts recorded, at most the cuts, per iteration")
        check(feas[g].max() >= 2, f"policy {g}: feasibility cuts of several blocks in one "
              f"iteration ({feas[g][done].tolist()})")
    st = statuses(plan)
    check(np.all(st == OPTIMAL), f"the plan file's futures are all feasible ({st.tolist()})")
    out = os.path.join(tmp, "at_plan.h5")
    r = run([exe, "run", model, "--sweep", sweep, "-o", out, "--portfolio", plan])
    st = statuses(out) if r.returncode == 0 else None
    check(st is not None and np.all(st == OPTIMAL),
          f"run --portfolio PLAN.h5: every future feasible ({r.stderr.strip()[-300:]})")
    return plan


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        model = ext.contract_model(tmp)
        sweep = os.path.join(tmp, "feasibility.yaml")
        open(sweep, "w").write(SWEEP)
        zeros_leave_some_infeasible(exe, model, sweep, tmp)
        plan = plan_cuts(exe, model, sweep, tmp)
        ext.check_extensive(exe, model, sweep, plan, tmp, "feasibility")
    return finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
