#!/usr/bin/python3
"""Linked uncertainties end to end (issue 12 item 2) on
tests/data/linked_sweep.yaml (a named event driving three parameters, two
rank correlations):

- the results file is identical, dataset by dataset, for 1 and 3 threads,
  for slices 0..2 of 3 merged, and for a run stopped by SIGTERM and
  resumed: a scenario's values depend on the seed and its index only;
- every scenario where the event happened has all three parameters from
  their 'happens' distributions, the others from 'otherwise';
- `rank_correlation` in the file equals what `validate --sweep` prints,
  and is the Spearman correlation of the file's own parameter values;
- one scenario exported with `export --scenario I` and solved by glpsol
  agrees with the run's total_cost;
- bad input exits 2 naming file and line.

usage: test_linked_sweep.py SUPPLYMIX
"""
import os
import re
import signal
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from sm_testing import check, finish, run, same_results as same  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SWEEP = os.path.join(HERE, "..", "data", "linked_sweep.yaml")


def ranks(x):
    """Ranks with ties sharing their average (delays are whole quarters)."""
    _, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return (first + (counts - 1) / 2.0)[inv]


def spearman(x, y):
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def stopped_and_resumed(exe, tmp, ref):
    out = os.path.join(tmp, "resumed.h5")
    env = dict(os.environ, SM_PROGRESS_SECONDS="0")
    p = subprocess.Popen([exe, "run", "--sweep", SWEEP, "-o", out, "-j", "1"], env=env,
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in p.stderr:  # stop once the first block is written
        if re.search(r"\b\d+/240 scenarios", line):
            p.send_signal(signal.SIGTERM)
            break
    p.stderr.read()
    code = p.wait()
    r = run([exe, "run", "--sweep", SWEEP, "-o", out, "--resume", "-j", "2"])
    ok, diff = same(ref, out)
    check(code in (0, 3) and r.returncode == 0 and ok,
          f"stopped (exit {code}) and resumed (exit {r.returncode}) equals the single run {diff}")


def event_and_correlations(exe, path):
    with h5py.File(path, "r") as f:
        names = [n.decode() for n in f["parameter"][:]]
        v = f["parameters"][:]
        pairs = [p.decode() for p in f["correlation"][:]]
        achieved = f["rank_correlation"][:]
        target = f["rank_correlation_target"][:]
    col = {n: v[:, k] for k, n in enumerate(names)}
    happened = col["availability.China"] < 1
    moved = (np.all((col["availability.China.from"] <= 6) == happened)
             and np.all(col["price.Dy_oxide"][happened] > np.exp(0.4 - 6 * 0.2))
             and np.all(col["availability.China"][happened] <= 0.4)
             and np.all(col["availability.China.from"][~happened] == 13))
    check(moved and 0.3 < happened.mean() < 0.5,
          f"the event's three parameters move together ({happened.mean():.3f} of scenarios)")
    out = run([exe, "validate", "--sweep", SWEEP]).stdout
    for k, pair in enumerate(pairs):
        a, b = pair.split(" ~ ")
        m = re.search(re.escape(pair) + r": target (\S+), achieved (\S+)", out)
        own = spearman(col[a][::2], col[b][::2])   # one grid point: the S futures
        check(m and abs(float(m.group(2)) - achieved[k]) < 1e-4 and abs(own - achieved[k]) < 1e-9
              and float(m.group(1)) == target[k] and abs(achieved[k] - target[k]) < 0.05,
              f"{pair}: file {achieved[k]:.4f}, validate {m.group(2) if m else None}, "
              f"recomputed {own:.4f}, target {target[k]}")


def exported_scenario(exe, tmp, ref):
    with h5py.File(ref, "r") as f:
        total = f["total_cost"][:]
    i = 137
    lp, sol = os.path.join(tmp, "s.lp"), os.path.join(tmp, "s.txt")
    r = run([exe, "export", "--sweep", SWEEP, "--scenario", str(i), "--lp", lp])
    g = run(["glpsol", "--lp", lp, "-o", sol]) if r.returncode == 0 else r
    m = re.search(r"Objective:\s+\S+\s+=\s+(\S+)", open(sol).read()) if g.returncode == 0 else None
    obj = float(m.group(1)) if m else float("nan")
    check(abs(obj - total[i]) <= 1e-7 * max(1.0, abs(obj)),
          f"scenario {i} exported and solved by glpsol: {obj} vs {total[i]}")


def bad_input(exe, tmp):
    text = open(SWEEP).read()
    cases = [("when: controls_return, happens: {dist: choice", "when: controls_returns, happens: {dist: choice",
              "unknown event 'controls_returns'"),
             ("{p: 0.4}", "{p: 1.4}", "outside [0, 1]"),
             ("rho: -0.5", "rho: -0.5}\n  - {between: [price.NdPr_oxide, delay.Iluka_Eneabba], rho: 0.9",
              "not positive semi-definite")]
    for old, new, needle in cases:
        bad = os.path.join(tmp, "bad.yaml")
        open(bad, "w").write(text.replace(old, new, 1))
        r = run([exe, "validate", "--sweep", bad])
        check(r.returncode == 2 and re.search(r"bad\.yaml:\d+:\d+: error: .*" + re.escape(needle), r.stderr),
              f"bad input exits 2 with file:line: {needle} ({r.stderr.strip()[:160]})")


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for j in (1, 3):
            out = os.path.join(tmp, f"j{j}.h5")
            r = run([exe, "run", "--sweep", SWEEP, "-o", out, "-j", str(j)])
            check(r.returncode == 0, f"run -j {j} ({r.stderr.strip()[-120:]})")
            files.append(out)
        ok, diff = same(files[0], files[1])
        check(ok, f"1 and 3 threads give identical files {diff}")
        shards = []
        for k in range(3):
            shards.append(os.path.join(tmp, f"slice{k}.h5"))
            r = run([exe, "run", "--sweep", SWEEP, "-o", shards[-1], "--slice", f"{k}/3", "-j", "2"])
            check(r.returncode == 0, f"slice {k}/3")
        merged = os.path.join(tmp, "merged.h5")
        r = run([exe, "merge", merged] + shards[::-1])
        ok, diff = same(files[0], merged) if r.returncode == 0 else (False, [r.stderr.strip()[-120:]])
        check(ok, f"slices 0..2 merged equal the single run {diff}")
        stopped_and_resumed(exe, tmp, files[0])
        event_and_correlations(exe, files[0])
        exported_scenario(exe, tmp, files[0])
        bad_input(exe, tmp)
    return finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
