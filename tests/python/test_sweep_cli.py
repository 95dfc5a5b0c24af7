#!/usr/bin/python3
"""End-to-end checks of `supplymix run` on the shipped sweeps (issue 3):

- results files identical, dataset by dataset, for 1, 2 and 3 threads;
- each file readable by h5py, xarray (both engines), h5dump and ncdump
  with named dimensions, labels and units (check_results_file.py);
- scenarios picked across each sweep exported with `supplymix export
  --sweep S --scenario I`, solved from scratch by glpsol, agree with the
  sweep's total_cost to 1e-7 relative;
- an existing results file is never overwritten without --force.

usage: test_sweep_cli.py SUPPLYMIX [SWEEP...]
"""
import hashlib
import os
import re
import sys
import tempfile

import h5py
from sm_testing import check, finish, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def glpsol_objective(lp_path, tmp):
    sol = os.path.join(tmp, "glpsol.txt")
    r = run(["glpsol", "--lp", lp_path, "-o", sol])
    if r.returncode != 0:
        return None, r.stdout + r.stderr
    text = open(sol).read()
    status = re.search(r"^Status:\s+(\S+)", text, re.M).group(1)
    if status != "OPTIMAL":
        return status, text[:200]
    return float(re.search(r"^Objective:\s+\S+ = (\S+)", text, re.M).group(1)), None


def main(exe, sweeps):
    with tempfile.TemporaryDirectory() as tmp:
        for sweep in sweeps:
            files = []
            for j in (1, 2, 3):
                out = os.path.join(tmp, f"{sweep}_j{j}.h5")
                r = run([exe, "run", "--sweep", sweep, "-o", out, "-j", str(j)])
                check(r.returncode == 0, f"{sweep}: run -j {j} exits 0 ({r.stderr.strip().splitlines()[-1] if r.stderr else ''})")
                files.append(out)
            r = run([sys.executable, os.path.join(HERE, "compare_results.py")] + files)
            check(r.returncode == 0, f"{sweep}: identical results for 1, 2 and 3 threads\n{r.stdout}")
            r = run([sys.executable, os.path.join(HERE, "check_results_file.py"), files[1]])
            check(r.returncode == 0, f"{sweep}: readers see named dimensions, labels, units\n{r.stdout}")

            with h5py.File(files[0], "r") as f:
                n = len(f["status"])
                total = f["total_cost"][:]
                status = f["status"][:]
            picks = sorted(set([0, 1, n // 3, n // 2, (2 * n) // 3, n - 2, n - 1]))
            worst = 0.0
            for i in picks:
                lp = os.path.join(tmp, f"{sweep}_{i}.lp")
                r = run([exe, "export", "--sweep", sweep, "--scenario", str(i), "--lp", lp])
                if r.returncode != 0:
                    check(False, f"{sweep}: export scenario {i}: {r.stderr}")
                    continue
                obj, err = glpsol_objective(lp, tmp)
                if status[i] == 1:
                    if not isinstance(obj, float):
                        check(False, f"{sweep}: glpsol on scenario {i}: {obj} {err}")
                        continue
                    worst = max(worst, abs(obj - total[i]) / max(1.0, abs(obj)))
                else:
                    check(obj == "INFEASIBLE" or obj is None, f"{sweep}: scenario {i} infeasible for glpsol too")
            check(worst <= 1e-7, f"{sweep}: {len(picks)} scenarios re-solved by glpsol from their exported LP "
                                 f"agree with the sweep (worst relative difference {worst:.1e}, limit 1e-7)")

            # Never overwrite without --force.
            before = hashlib.sha256(open(files[0], "rb").read()).hexdigest()
            r = run([exe, "run", "--sweep", sweep, "-o", files[0], "-j", "2"])
            after = hashlib.sha256(open(files[0], "rb").read()).hexdigest()
            check(r.returncode == 2 and "--force" in r.stderr and before == after,
                  f"{sweep}: an existing results file is refused without --force and left as it was")
        # A model without dependency limits: empty `limit` dimension, still
        # read by every reader.
        import shutil
        nolim = os.path.join(tmp, "nolimits")
        shutil.copytree(os.path.join(HERE, "..", "data", "bad_inputs", "_base"), nolim)
        y = open(os.path.join(nolim, "model.yaml")).read()
        y = y[: y.index("limits:")] + y[y.index("tables:"):]
        open(os.path.join(nolim, "model.yaml"), "w").write(y)
        sw = os.path.join(nolim, "sweep.yaml")
        open(sw, "w").write("name: t\nparameters:\n  tariff.China: {values: [0, 0.5, 1]}\n")
        out = os.path.join(tmp, "nolimits.h5")
        r = run([exe, "run", nolim, "--sweep", sw, "-o", out])
        r2 = run([sys.executable, os.path.join(HERE, "check_results_file.py"), out])
        check(r.returncode == 0 and r2.returncode == 0,
              f"a model without limits: run and readers ({r.stderr.strip()[-80:]} {r2.stdout.strip()[-200:]})")

        # A bad sweep never harms an existing file.
        bad = os.path.join(tmp, "bad.yaml")
        open(bad, "w").write("name: bad\nparameters:\n  tariff.Mars: {values: [0.1]}\n")
        target = os.path.join(tmp, f"{sweeps[0]}_j1.h5")
        before = hashlib.sha256(open(target, "rb").read()).hexdigest()
        r = run([exe, "run", "--sweep", bad, "-o", target, "--force"])
        after = hashlib.sha256(open(target, "rb").read()).hexdigest()
        check(r.returncode == 2 and "bad.yaml:3:" in r.stderr and before == after,
              "a bad sweep with --force exits 2 naming file and line, and leaves the results file alone")
    return finish()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2:] or ["quick", "china_grid", "monte_carlo", "news"]))
