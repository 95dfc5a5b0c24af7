#!/usr/bin/python3
"""A plan's objective against its extensive form (MODEL.md Part 2): the
shipped model with every non-Chinese offer a contract (fee: 10 % of the
price; Chinese offers stay spot), 20 futures per policy; `supplymix export
--extensive` for each policy, solved by glpsol and by cbc, must agree with
the plan's RP to 1e-6 relative: risk neutral, under CVaR set by the
sweep's `plan:` keys (20 futures, two policies), and under CVaR set on the
command line with 100 futures (one policy: its extensive form, 35k rows,
takes glpsol about 25 s of CPU), and the shipped model with 320 futures,
where the plan's cut blocks hold futures sorted by their slopes (against
cbc only: glpsol takes minutes there). Also: the
extensive form is refused, exit 2, above its stated size; the CVaR options
override the sweep's keys; bad risk settings exit 2 naming the option or
file:line:col.

usage: test_plan_extensive.py SUPPLYMIX
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

import h5py

from sm_testing import cbc, check, finish, glpsol, run

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "models", "rare_earths")
SWEEP = """name: ext
seed: 17
samples: 20
sampling: lhs
parameters:
  share.china_cap: {values: [0.4, 0.6]}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  availability.China.from: {dist: choice, values: [1, 3, 5, 7, 9, 11]}
  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}
  price.Dy_oxide: {dist: lognormal, mu: 0.0, sigma: 0.22}
  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}
"""
CVAR_KEYS = "plan:\n  risk_weight: 0.5\n  cvar_alpha: 0.8\n"
SWEEP_100 = SWEEP.replace("samples: 20", "samples: 100").replace(
    "share.china_cap: {values: [0.4, 0.6]}", "share.china_cap: {values: [0.5]}")


def contract_model(tmp):
    d = os.path.join(tmp, "re_contracts")
    shutil.copytree(MODEL, d)
    # The shipped terms are replaced: this test's plan is fixed whatever they are.
    with open(os.path.join(d, "suppliers.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    cols = [c for c in rows[0] if c not in ("terms", "fee_usd_per_t")]
    cols[cols.index("source"):cols.index("source")] = ["terms", "fee_usd_per_t"]
    for r in rows:
        r["terms"] = "spot" if r["region"] == "China" else "contract"
        r["fee_usd_per_t"] = ""            # commitments.fee_share below
    with open(os.path.join(d, "suppliers.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    y = open(os.path.join(d, "model.yaml")).read()
    open(os.path.join(d, "model.yaml"), "w").write(
        y.replace("\ntables:", "\ncommitments:\n  fee_share: 0.1\ntables:"))
    return d


def plan_rp(path):
    """RP and stop per policy (layout 3: at the root)."""
    with h5py.File(path) as f:
        return f["RP"][:], f["plan_stop"][:]


def check_extensive(exe, model, sweep, plan, tmp, tag, extra=(),
                    solvers=(("glpsol", glpsol), ("cbc", cbc))):
    """Every policy's RP in plan against glpsol and cbc (or solvers) on its
    extensive form, exported with the options extra."""
    rp, stop = plan_rp(plan)
    check(all(s == 1 for s in stop), f"{tag}: every policy reached the gap ({list(stop)})")
    for g in range(len(rp)):
        lp = os.path.join(tmp, f"{tag}{g}.lp")
        r = subprocess.run([exe, "export", model, "--sweep", sweep, "--extensive",
                            "--grid-point", str(g), "--lp", lp, *extra],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"{tag}: export --extensive --grid-point {g}\n{r.stderr}")
        for name, solve in solvers:
            v = solve(lp)
            rel = abs(v - rp[g]) / max(1.0, abs(v)) if v is not None else float("inf")
            check(rel <= 1e-6, f"{tag}: policy {g}: {name} {v} vs plan RP {rp[g]} "
                               f"(relative difference {rel:.1e}, limit 1e-6)")
    return rp


def check_sorted_blocks(exe, tmp):
    """From 320 futures up the plan cuts its blocks from the futures sorted
    by their slopes (solver/plan_lshaped.c, block_order), which the smaller
    plans above never reach: the shipped model, one policy of 320 futures,
    against cbc on its extensive form (123k rows; glpsol takes minutes)."""
    sweep = os.path.join(tmp, "sorted.yaml")
    open(sweep, "w").write(SWEEP.replace("samples: 20", "samples: 320").replace(
        "share.china_cap: {values: [0.4, 0.6]}", "share.china_cap: {values: [0.5]}"))
    plan = os.path.join(tmp, "sorted.h5")
    r = subprocess.run([exe, "plan", MODEL, "--sweep", sweep, "-o", plan, "-j", "2"],
                       capture_output=True, text=True, timeout=600)
    check(r.returncode == 0, "320 futures: plan exits 0\n" + r.stderr[-1500:])
    check_extensive(exe, MODEL, sweep, plan, tmp, "sorted", solvers=(("cbc", cbc),))


def check_cvar(exe, model, tmp, rp_neutral):
    """CVaR from the sweep's keys (20 futures) and from the options (100)."""
    keyed = os.path.join(tmp, "cvar.yaml")
    open(keyed, "w").write(SWEEP + CVAR_KEYS)
    plan = os.path.join(tmp, "cvar.h5")
    r = run([exe, "plan", model, "--sweep", keyed, "-o", plan, "-j", "2"])
    check(r.returncode == 0, "CVaR plan (sweep keys) exits 0\n" + r.stderr[-1500:])
    rp = check_extensive(exe, model, keyed, plan, tmp, "cvar")
    check(all(rp[g] > rp_neutral[g] for g in range(len(rp))),
          f"rho with lambda 0.5, alpha 0.8 lies above the expected cost ({rp} vs {rp_neutral})")
    # The options give the same LP as the keys, and override them.
    plain = os.path.join(tmp, "ext.yaml")
    texts = {}
    for tag, sw, extra in (("keys", keyed, []),
                           ("options", plain, ["--cvar", "0.8", "--risk-weight", "0.5"]),
                           ("override", keyed, ["--risk-weight", "0"]),
                           ("neutral", plain, [])):
        lp = os.path.join(tmp, f"same_{tag}.lp")
        r = run([exe, "export", model, "--sweep", sw, "--extensive", "--lp", lp, *extra])
        check(r.returncode == 0, f"export --extensive ({tag})\n{r.stderr}")
        texts[tag] = open(lp).read() if r.returncode == 0 else tag
    check(texts["keys"] == texts["options"], "--cvar/--risk-weight give the LP the keys give")
    check(texts["override"] == texts["neutral"], "--risk-weight 0 overrides the sweep's key")
    big = os.path.join(tmp, "cvar100.yaml")
    open(big, "w").write(SWEEP_100)
    plan = os.path.join(tmp, "cvar100.h5")
    risk = ["--cvar", "0.9", "--risk-weight", "0.5"]
    r = run([exe, "plan", model, "--sweep", big, "-o", plan, "-j", "2", *risk])
    check(r.returncode == 0, "CVaR plan, 100 futures, exits 0\n" + r.stderr[-1500:])
    check_extensive(exe, model, big, plan, tmp, "cvar100_", risk)


def check_bad_risk(exe, model, tmp):
    sweep = os.path.join(tmp, "ext.yaml")
    out = os.path.join(tmp, "bad.h5")
    for args, want in ((["--cvar", "1"], "--cvar: '1'"),
                       (["--risk-weight", "-0.1"], "--risk-weight"),
                       (["--risk-weight", "x"], "--risk-weight: 'x'")):
        r = run([exe, "plan", model, "--sweep", sweep, "-o", out, *args])
        check(r.returncode == 2 and want in r.stderr,
              f"plan {' '.join(args)}: exit 2 naming it "
              f"({r.returncode}: {r.stderr.strip()[:200]})")
    r = run([exe, "export", model, "--sweep", sweep, "--cvar", "0.5", "--scenario", "0", "--lp",
             os.path.join(tmp, "x.lp")])
    check(r.returncode == 2 and "--extensive" in r.stderr,
          "export --cvar without --extensive: exit 2")
    for keys, col, what in (("plan:\n  cvar_alpha: 1.0\n", 15, "plan.cvar_alpha"),
                            ("plan:\n  risk_weight: 2\n", 16, "plan.risk_weight"),
                            ("plan:\n  lambda: 0.5\n", 3, "lambda")):
        bad = os.path.join(tmp, "badrisk.yaml")
        open(bad, "w").write(SWEEP + keys)
        line = SWEEP.count("\n") + 2
        r = run([exe, "plan", model, "--sweep", bad, "-o", out])
        check(r.returncode == 2 and f"badrisk.yaml:{line}:{col}" in r.stderr and what in r.stderr,
              f"sweep {keys.strip()!r}: exit 2 at line {line} col {col} "
              f"({r.returncode}: {r.stderr.strip()[:200]})")


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        model = contract_model(tmp)
        sweep = os.path.join(tmp, "ext.yaml")
        open(sweep, "w").write(SWEEP)
        plan = os.path.join(tmp, "plan.h5")
        r = subprocess.run([exe, "plan", model, "--sweep", sweep, "-o", plan, "-j", "2"],
                           capture_output=True, text=True, timeout=600)
        check(r.returncode == 0, "plan exits 0\n" + r.stderr[-1500:])
        rp_neutral = check_extensive(exe, model, sweep, plan, tmp, "ext")
        check_cvar(exe, model, tmp, rp_neutral)
        check_bad_risk(exe, model, tmp)
        check_sorted_blocks(exe, tmp)
        big = os.path.join(tmp, "big.yaml")
        open(big, "w").write(SWEEP.replace("samples: 20", "samples: 8000"))
        r = subprocess.run([exe, "export", model, "--sweep", big, "--extensive", "--lp",
                            os.path.join(tmp, "big.lp")], capture_output=True, text=True)
        check(r.returncode == 2 and "nonzeros, above the 5000000" in r.stderr,
              f"a too large extensive form is refused with exit 2 ({r.stderr.strip()[:200]})")
        r = subprocess.run([exe, "export", model, "--sweep", sweep, "--extensive",
                            "--grid-point", "7", "--lp", os.path.join(tmp, "x.lp")],
                           capture_output=True, text=True)
        check(r.returncode == 2 and "--grid-point 7" in r.stderr, "an unknown grid point: exit 2")
        r = subprocess.run([exe, "export", model, "--extensive", "--lp",
                            os.path.join(tmp, "x.lp")], capture_output=True, text=True)
        check(r.returncode == 2 and "--extensive needs --sweep" in r.stderr,
              "--extensive without --sweep: exit 2")
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
