#!/usr/bin/python3
"""Benchmark of `supplymix plan` (bench/README.md, "Plans").

For one policy (one grid point) and N futures, N in --sizes and 10,000:
the plan's iterations, wall and CPU seconds and peak memory, against one
plain sweep (`supplymix run`) of the same futures, and against the
extensive form (`supplymix export --extensive --mps`) solved by clp and by
glpsol, each capped at --cap seconds with `timeout`; also the plan of the
model's `quick` sweep as shipped. Peak memory from /usr/bin/time -v.

If MODEL has no contract offer, the benchmark runs on a copy where every
offer is a contract (fee: 10 % of its price) and every Chinese offer also
has a spot copy at a 25 % premium, so that the plan has something to
decide.

usage: bench_plan.py [--model DIR] [--build DIR] [--sizes 200,1000,5000]
                     [--cap SECONDS] [-j THREADS] [--out DIR] [--no-extensive]
                     [--big N]
       bench_plan.py --ab OTHER_BUILD [--build DIR] [--rounds R] [--ab-sizes 1000,10000]

--ab: the issue-11 targets, A/B: `sm_bench_plan` (RP only) of --build and
of OTHER_BUILD, interleaved (A, B, A, B, ...) for R rounds, on the
shipped model's one-policy sweep of 1,000 futures (benchN.yaml, as below)
and on `monte_carlo` (10,000 futures), -j THREADS. Prints per run:
iterations, master pivots, master and futures CPU seconds, process CPU and
wall seconds, peak memory. On a shared machine compare iterations and CPU
seconds; wall seconds there depend on the other jobs.
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def contract_copy(model, out):
    """The model as is if it has contract offers, else a contract copy."""
    rows = list(csv.reader(open(os.path.join(model, "suppliers.csv"))))
    head = rows[0]
    if "terms" in head and any(r[head.index("terms")] == "contract" for r in rows[1:]):
        return model, "as shipped"
    d = os.path.join(out, "model_contracts")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(model, d)
    i, price = head.index("source"), head.index("price_usd_per_t")
    new = [head[:i] + ["terms"] + head[i:]]
    new += [r[:i] + ["contract"] + r[i:] for r in rows[1:]]
    for r in rows[1:]:
        if r[1] == "China":
            s = list(r)
            s[0] += "_spot"
            s[price] = "%.2f" % (1.25 * float(s[price]))
            new.append(s[:i] + ["spot"] + s[i:])
    with open(os.path.join(d, "suppliers.csv"), "w", newline="") as f:
        csv.writer(f).writerows(new)
    y = open(os.path.join(d, "model.yaml")).read()
    if "commitments:" not in y:
        y = y.replace("\ntables:", "\ncommitments:\n  fee_share: 0.1\ntables:")
    open(os.path.join(d, "model.yaml"), "w").write(y)
    return d, "contract copy (every offer a contract, fee 10 %; Chinese spot copies +25 %)"


def one_policy_sweep(model, n, out):
    """quick.yaml's futures, n of them, and the middle value of each grid
    parameter: one policy."""
    text = open(os.path.join(model, "sweeps", "quick.yaml")).read()
    text = re.sub(r"(?m)^name:.*$", "name: bench%d" % n, text)
    text = re.sub(r"(?m)^samples:.*$", "samples: %d" % n, text)
    text = re.sub(r"(?m)^model:.*\n", "", text)

    def middle(m):
        vals = [v.strip() for v in m.group(1).split(",")]
        return "{values: [%s]}" % vals[len(vals) // 2]
    text = re.sub(r"\{values: \[([^\]]*)\]\}", middle, text)
    path = os.path.join(out, "bench%d.yaml" % n)
    open(path, "w").write(text)
    return path


def timed(cmd, cap=None):
    """Run cmd under /usr/bin/time -v: (exit code, wall s, CPU s, peak MiB, stdout+stderr)."""
    full = ["/usr/bin/time", "-v"] + (["timeout", str(cap)] if cap else []) + cmd
    p = subprocess.run(full, capture_output=True, text=True)
    err = p.stderr

    def field(name):
        m = re.search(r"%s: (\S+)" % re.escape(name), err)
        return m.group(1) if m else "0"
    h, mnt, sec = ([0, 0] + field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"))[-3:]
    wall = 3600 * float(h) + 60 * float(mnt) + float(sec)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return p.returncode, wall, cpu, float(field("Maximum resident set size (kbytes)")) / 1024, \
        p.stdout + err


def plan_figures(path):
    f = h5py.File(path, "r")  # layout 3: the plan's variables at the root, over policy
    return int(f["plan_iterations"][:].sum()), float(f["RP"][0]), \
        float((f["RP"][:] - f["RP_lower_bound"][:]).max() / abs(f["RP"][0]))


def peer(solver, mps, cap):
    cmd = ["clp", mps, "-dualsimplex"] if solver == "clp" else \
        ["glpsol", "--freemps", mps, "-o", mps + ".sol"]
    code, wall, cpu, mib, out = timed(cmd, cap)
    if code == 124:
        return None, wall, cpu, mib
    if solver == "clp":
        m = re.search(r"Optimal objective (\S+)", out)
    else:
        m = re.search(r"(?m)^Objective:\s+\S+\s+=\s+(\S+)", open(mps + ".sol").read()) \
            if os.path.exists(mps + ".sol") else None
    return (float(m.group(1)) if m else None), wall, cpu, mib


def bench_size(exe, model, n, a, rows):
    sweep = one_policy_sweep(model, n, a.out)
    j = ["-j", str(a.threads)]
    code, pw, pc, pm, out = timed([exe, "plan", model, "--sweep", sweep, "-o",
                                   os.path.join(a.out, "plan%d.h5" % n), "--force"] + j)
    if code != 0:
        sys.exit("plan of %d futures failed:\n%s" % (n, out))
    its, rp, gap = plan_figures(os.path.join(a.out, "plan%d.h5" % n))
    code, sw, sc, sm, out = timed([exe, "run", model, "--sweep", sweep, "-o",
                                   os.path.join(a.out, "run%d.h5" % n), "--force"] + j)
    split = subprocess.run([os.path.join(a.build, "sm_bench_plan"), "--model", model, "--sweep",
                            sweep, "--sweep-time"] + j, capture_output=True, text=True).stdout
    kv = dict(x.split("=", 1) for x in split.split())
    row = {"n": n, "its": its, "rp": rp, "gap": gap, "plan_wall": pw, "plan_cpu": pc,
           "plan_mib": pm, "run_wall": sw, "run_cpu": sc, "run_mib": sm, "split": kv}
    if not a.no_extensive and n in a.sizes:
        mps = os.path.join(a.out, "ef%d.mps" % n)
        code, _, _, _, out = timed([exe, "export", model, "--sweep", sweep, "--extensive",
                                    "--mps", mps])
        row["ef_refused"] = code != 0 and out.strip().splitlines()[-1]
        for s in ("clp", "glpsol"):
            row[s] = None if code != 0 else peer(s, mps, a.cap)
        if os.path.exists(mps):
            os.remove(mps)
    rows.append(row)
    print("done: %d futures" % n, file=sys.stderr, flush=True)


def report(rows, quick, a, how):
    print("model: %s\nthreads: %d; peers capped at %d s; wall s / CPU s\n" % (how, a.threads, a.cap))
    print("| futures | plan iterations | plan wall / CPU s | per iteration CPU s (master + futures) "
          "| plain sweep wall / CPU s (engine CPU s) | iteration / sweep (CPU) | plan peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        kv, it = r["split"], max(r["its"], 1)
        m, f = float(kv.get("master_cpu_s", 0)), float(kv.get("futures_cpu_s", 0))
        per = (m + f) / max(int(kv.get("iterations", 1)), 1)
        eng = float(kv.get("sweep_cpu_s", 0)) or float("nan")
        print("| %d | %d | %.1f / %.1f | %.4f (%.4f + %.4f) | %.2f / %.2f (%.4f) | %.2f | %.0f |"
              % (r["n"], it, r["plan_wall"], r["plan_cpu"], per, m / it, f / it, r["run_wall"],
                 r["run_cpu"], eng, per / eng, r["plan_mib"]))
    if len(rows) > 1:
        a0, a1 = rows[0], rows[-1]
        print("\nmemory per future: %.1f KiB (plan peak from %d to %d futures)"
              % (1024 * (a1["plan_mib"] - a0["plan_mib"]) / (a1["n"] - a0["n"]), a0["n"], a1["n"]))
    print("\n| futures | plan RP | clp | glpsol | plan vs best peer (wall / CPU) |")
    print("|---|---|---|---|---|")
    for r in rows:
        if "clp" not in r:
            continue
        cells, best = [], None
        for s in ("clp", "glpsol"):
            v = r[s]
            if v is None:
                cells.append("refused: %s" % r["ef_refused"])
            elif v[0] is None:
                cells.append("> %d s (timeout)" % a.cap)
                best = best or (v[1], v[2])
            else:
                cells.append("%.1f s wall, %.1f s CPU, %.0f MiB, obj %.10g (rel. diff %.1e)"
                             % (v[1], v[2], v[3], v[0], abs(v[0] - r["rp"]) / abs(r["rp"])))
                best = min(best or (1e300, 1e300), (v[1], v[2]))
        ratio = "%.1fx / %.1fx" % (best[0] / r["plan_wall"], best[1] / r["plan_cpu"]) \
            if best else "n/a"
        print("| %d | %.10g | %s | %s | %s |" % (r["n"], r["rp"], cells[0], cells[1], ratio))
    if quick:
        print("\nquick as shipped (%s): plan %d iterations, %.1f s wall / %.1f s CPU, %.0f MiB; "
              "plain sweep %.2f s wall / %.2f s CPU" % quick)


def ab(a):
    """Interleaved runs of two builds' sm_bench_plan (see the usage)."""
    model = os.path.abspath(a.model)
    builds = [("A", a.build), ("B", a.ab)]
    print("| sweep | build | round | iterations | master pivots | master CPU s | futures CPU s "
          "| process CPU s | wall s | peak MiB | RP |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in [int(x) for x in a.ab_sizes.split(",") if x]:
        sweep = os.path.join(model, "sweeps", "monte_carlo.yaml") if n == 10000 \
            else one_policy_sweep(model, n, a.out)
        for rnd in range(a.rounds):
            for name, build in builds:
                code, wall, cpu, mib, out = timed(
                    [os.path.join(build, "sm_bench_plan"), "--model", model, "--sweep", sweep,
                     "-j", str(a.threads)])
                kv = dict(x.split("=", 1) for x in out.split() if "=" in x and "(" not in x)
                if code != 0:
                    sys.exit("sm_bench_plan of %s failed:\n%s" % (build, out))
                print("| %s | %s | %d | %s | %s | %s | %s | %.1f | %.1f | %.0f | %s |"
                      % (os.path.basename(sweep), name, rnd + 1, kv["iterations"],
                         kv["master_pivots"], kv["master_cpu_s"], kv["futures_cpu_s"], cpu, wall,
                         mib, kv["rp"]), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "rare_earths"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--sizes", default="200,1000,5000")
    ap.add_argument("--cap", type=int, default=600)
    ap.add_argument("-j", "--threads", type=int, default=2)
    ap.add_argument("--out", default="/tmp/sm_bench_plan")
    ap.add_argument("--no-extensive", action="store_true")
    ap.add_argument("--big", type=int, default=10000, help="the large size (0: none)")
    ap.add_argument("--ab", help="another build directory: interleaved A/B of the targets")
    ap.add_argument("--ab-sizes", default="1000,10000")
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    if a.ab:
        os.makedirs(a.out, exist_ok=True)
        return ab(a)
    a.sizes = [int(x) for x in a.sizes.split(",") if x]
    os.makedirs(a.out, exist_ok=True)
    exe = os.path.join(a.build, "supplymix")
    model, how = contract_copy(os.path.abspath(a.model), a.out)
    rows = []
    for n in a.sizes + ([a.big] if a.big else []):
        bench_size(exe, model, n, a, rows)
    qs = os.path.join(a.model, "sweeps", "quick.yaml")
    code, pw, pc, pm, out = timed([exe, "plan", model, "--sweep", qs, "-o",
                                   os.path.join(a.out, "quick.h5"), "--force", "-j", str(a.threads)])
    its = plan_figures(os.path.join(a.out, "quick.h5"))[0] if code == 0 else -1
    _, sw, sc, _, _ = timed([exe, "run", model, "--sweep", qs, "-o",
                             os.path.join(a.out, "quick_run.h5"), "--force", "-j", str(a.threads)])
    report(rows, (how, its, pw, pc, pm, sw, sc), a, how)


if __name__ == "__main__":
    main()
