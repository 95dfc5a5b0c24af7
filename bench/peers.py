#!/usr/bin/python3
"""supplymix against its peers, side by side (issue 15):

  bench/peers.py BUILD_DIR [--rounds 3] [--only NAME,...] [--out DIR]

Workloads: the shipped `monte_carlo` and `china_grid` sweeps, the 10x model
(bench/make_model.py defaults: 48 suppliers x 8 materials x 24 quarters,
576 rows x 4,992 columns; its `mc` sweep cut to 400 futures) and the 100x
model (96 suppliers x 24 materials x 36 months, 2,592 rows x 43,200
columns; 40 futures). Peers, per scenario:

  glpk-j1, clp-j1   `supplymix run -j 1 [--lp-engine clp]`, full results written
  glpk-j2, clp-j2   the same on 2 threads
  index-loop        one GLPK problem warm-started in index order, nothing
                    written, GLPK's own defaults (the Harris ratio test: the
                    issue's peer; supplymix's sweeps use long-step since
                    session 22) (`sm_bench --index-loop`, itself best of 3)
  glpsol            `glpsol --lp` once per scenario LP (`supplymix export`),
                    on a sample of scenarios spread over the sweep

Runs are interleaved (every peer once per round) and each figure is the
minimum over rounds, wall and CPU (user + system, children's rusage), per
scenario. Ratios are against glpk-j1 (supplymix as shipped) and clp-j1.
The machine may be shared: CPU seconds are the steadier figure, and the
2-thread line gives both the wall ratio and the CPU a scenario on 1 thread
over that on 2 (what a second thread costs in extra work). On two idle
cores the speed-up is at most 2 x the 1-thread wall over the 2-thread CPU:
the 1-thread run's writer thread already works on the second core.
"""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, env=None):
    """(wall s, CPU s, stdout, stderr) of cmd; raises on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, r.stdout, r.stderr


def engine_trace(text):
    """From `supplymix run`'s SM_ENGINE_TRACE lines: (engine set-up s, i.e.
    base case and pilot until the order is known; seconds the solver
    threads sat idle at the end, summed; the engine's run s; the solver
    threads' CPU s summed, and the critical path on idle cores estimated
    from their CPU clocks: the longest set-up plus the longest block
    phase, the set-up's barriers being where a thread waits for another)."""
    setup = float(re.search(r"order at ([\d.]+) s", text).group(1))
    idle = sum(float(x) for x in re.findall(r"idle ([\d.]+) s at the end", text))
    run = float(re.search(r"; run ([\d.]+) s", text).group(1))
    threads = [(float(a), float(b)) for a, b in
               re.findall(r"set-up CPU ([\d.]+) s;.* at the end; CPU ([\d.]+) s", text)]
    total = sum(c for _, c in threads)
    path = max(s for s, _ in threads) + max(c - s for s, c in threads)
    return setup, idle, run, total, path


def block_size(path):
    """The block size a results file was written in (the sweep file's
    block_size, else the default for its scenario count)."""
    import h5py
    with h5py.File(path, "r") as f:
        return int(f.attrs["block_size"])


def block_bound(n, block, threads=2):
    """The most `threads` threads can gain from n scenarios in fixed blocks
    (a block is solved by one thread, in order): n over the largest share
    of scenarios one thread must take, blocks dealt largest first."""
    sizes = sorted([block] * (n // block) + ([n % block] if n % block else []), reverse=True)
    load = [0] * threads
    for s in sizes:
        load[load.index(min(load))] += s
    return n / max(load), len(sizes)


def workloads(tmp):
    models = os.path.join(HERE, "..", "models", "rare_earths")
    m10 = os.path.join(tmp, "model10x")
    m100 = os.path.join(tmp, "model100x")
    py = "/usr/bin/python3"
    subprocess.run([py, os.path.join(HERE, "make_model.py"), m10, "--samples", "400"],
                   check=True, capture_output=True)
    subprocess.run([py, os.path.join(HERE, "make_model.py"), m100, "--suppliers", "96",
                    "--materials", "24", "--periods", "36", "--months", "1", "--samples", "40"],
                   check=True, capture_output=True)
    return [("monte_carlo", models, "monte_carlo", 10000, 20),
            ("china_grid", models, "china_grid", 14637, 20),
            ("10x", m10, os.path.join(m10, "mc.yaml"), 400, 8),
            ("100x", m100, os.path.join(m100, "mc.yaml"), 40, 2)]


def export_sample(exe, model, sweep, n, k, tmp, name):
    paths = []
    for s in range(k):
        i = (s * n) // k
        p = os.path.join(tmp, f"{name}_{i}.lp")
        subprocess.run([exe, "export", model, "--sweep", sweep, "--scenario", str(i), "--lp", p],
                       check=True, capture_output=True)
        paths.append(p)
    return paths


def one_round(build, w, lps, tmp, best):
    name, model, sweep, n, _ = w
    exe = os.path.join(build, "supplymix")
    out = os.path.join(tmp, "out.h5")
    peers = []
    for j in (1, 2):
        for e in ("glpk", "clp"):
            peers.append((f"{e}-j{j}", [exe, "run", model, "--sweep", sweep, "-o", out, "-j",
                                        str(j), "--force", "--lp-engine", e], n, 1))
    peers.append(("index-loop", [os.path.join(build, "sm_bench"), "--model", model, "--sweep",
                                 sweep, "--index-loop", "--no-memory"], n, 3))
    env = dict(os.environ, SM_ENGINE_TRACE="1")
    for peer, cmd, count, runs in peers:
        wall, cpu, text, err = timed(cmd, env if peer != "index-loop" else None)
        if peer != "index-loop":
            keep_trace(best, peer, wall, engine_trace(err))
        if peer == "index-loop":
            # sm_bench times its own loop (best of 3); the process ran it 3 times
            wall = float(re.search(r"([\d.]+) ms a scenario", text).group(1)) * count / 1e3
        keep(best, peer, wall / count, cpu / (count * runs))
    best["block"] = block_size(out)
    wall = cpu = 0.0
    for lp in lps:
        w1, c1, _, _ = timed(["glpsol", "--lp", lp, "-o", os.path.join(tmp, "sol.txt")])
        wall, cpu = wall + w1, cpu + c1
    keep(best, "glpsol", wall / len(lps), cpu / len(lps))


def keep(best, peer, wall, cpu):
    w, c = best.get(peer, (float("inf"), float("inf")))
    best[peer] = (min(w, wall), min(c, cpu))


def keep_trace(best, peer, wall, trace):
    """The trace of the fastest run of peer: wall s, set-up, idle, engine
    run, the solver threads' CPU over the critical path's."""
    key = "trace " + peer
    if key not in best or wall < best[key][0]:
        best[key] = (wall,) + trace[:3] + (trace[3] / trace[4],)


def report(name, n, best, block):
    print(f"\n{name} ({n} scenarios): per scenario, minimum of rounds")
    print(f"  {'peer':<11} {'wall ms':>10} {'CPU ms':>10} {'wall / glpk-j1':>15} "
          f"{'wall / clp-j1':>14} {'CPU / glpk-j1':>14}")
    g, c = best["glpk-j1"], best["clp-j1"]
    for peer in ("glpk-j1", "clp-j1", "glpk-j2", "clp-j2", "index-loop", "glpsol"):
        w, u = best[peer]
        print(f"  {peer:<11} {1e3 * w:10.4f} {1e3 * u:10.4f} {w / g[0]:14.2f}x {w / c[0]:13.2f}x "
              f"{u / g[1]:13.2f}x")
    print(f"  2 threads / 1 thread (wall): glpk {g[0] / best['glpk-j2'][0]:.2f}x, "
          f"clp {c[0] / best['clp-j2'][0]:.2f}x")
    # On a shared machine the wall ratio says how busy the other jobs were;
    # CPU per scenario says what a second thread costs in work (1.00: none).
    # Two cores finish the 2-thread run's CPU in half of it at best, so its
    # speed-up over the 1-thread run's wall is at most 2 x wall(1) / CPU(2).
    # That is below 2 x the CPU ratio when the 1-thread run already uses
    # part of the second core (the writer thread, the kernel): on a 2-core
    # machine what it does there is not gained again by a second thread.
    print(f"  2 threads / 1 thread (CPU a scenario, 1 thread's / 2 threads'): "
          f"glpk {g[1] / best['glpk-j2'][1]:.2f}, clp {c[1] / best['clp-j2'][1]:.2f}; "
          f"bound on 2-core speed-up (2 x wall(1) / CPU(2)) glpk "
          f"{2 * g[0] / best['glpk-j2'][1]:.2f}x, clp {2 * c[0] / best['clp-j2'][1]:.2f}x")
    print(f"  1 thread's run keeps {g[1] / g[0]:.2f} cores busy (glpk), {c[1] / c[0]:.2f} (clp): "
          "CPU over wall, the writer thread and the kernel beside the solver thread")
    # What the threads' own CPU clocks say, little moved by other jobs: in
    # one 2-thread run, the solver threads' CPU summed over the critical
    # path's, the engine's speed-up on two idle cores were a second thread
    # to cost no extra work (set-up and the last blocks' imbalance counted;
    # the writer, process start and the file not).
    print("  2 threads, engine estimated from thread CPU clocks (all CPU / critical path): "
          + ", ".join(f"{e} {best['trace ' + e + '-j2'][4]:.2f}x" for e in ("glpk", "clp")))
    bound, blocks = block_bound(n, block)
    print(f"  {blocks} blocks of up to {block}: 2 threads gain at most {bound:.2f}x "
          f"(a block is one thread's chain of warm starts)")
    for peer in ("glpk-j1", "glpk-j2", "clp-j1", "clp-j2"):
        wall, setup, idle, run, _ = best["trace " + peer]
        print(f"  {peer} (its fastest run, {wall:.3f} s): engine set-up {setup:.3f} s "
              f"(base case, pilot), solver threads idle at the end {idle:.3f} s in all, "
              f"outside the engine (start, load, file) {wall - run:.3f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    exe = os.path.join(a.build, "supplymix")
    tmp = tempfile.mkdtemp(prefix="sm_peers_")
    try:
        ws = [w for w in workloads(tmp) if not a.only or w[0] in a.only.split(",")]
        lps = {w[0]: export_sample(exe, w[1], w[2], w[3], w[4], tmp, w[0]) for w in ws}
        best = {w[0]: {} for w in ws}
        print(f"peers.py: {a.rounds} rounds, load average {os.getloadavg()[0]:.1f}", flush=True)
        for r in range(a.rounds):
            for w in ws:
                one_round(a.build, w, lps[w[0]], tmp, best[w[0]])
            print(f"  round {r + 1} done, load average {os.getloadavg()[0]:.1f}", flush=True)
        for w in ws:
            report(w[0], w[3], best[w[0]], best[w[0]]["block"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
