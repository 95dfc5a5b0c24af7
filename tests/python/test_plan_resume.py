#!/usr/bin/python3
"""`supplymix plan` interrupted and resumed (docs/CLI.md, README "Plans"):

1. SIGTERM, SIGINT and SIGUSR1 in the middle of a four-policy plan: exit
   code 3 with a message naming --resume; the file opens as a partial
   results file; `plan --resume` ends with a file identical (timings and
   command lines aside: compare_results.py) to an uninterrupted plan's.
2. SIGKILL at several moments: the file opens, and --resume ends with the
   identical file.
3. --resume refuses (exit 2, the file byte for byte unchanged) a file made
   with other settings (--gap, --max-iterations, --time-limit, --risk-weight,
   --cvar), of another
   sweep or model, and --resume with --force; a plan without --force or
   --resume leaves an existing file untouched; --resume of a finished file
   changes nothing; --resume without a file exits 2.
4. A plan of 400 futures (cut blocks sorted by the futures' slopes): the
   same on 1 and 2 threads and after a SIGKILL and --resume.

Checkpoints are written at every iteration here (SM_PLAN_CHECKPOINT_SECONDS=0),
so a stop inside a policy resumes from its checkpoint once the solver
makes them.

usage: test_plan_resume.py SUPPLYMIX
"""
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "models", "rare_earths")
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import supplymix_results as smr  # noqa: E402
from sm_testing import check, finish, sha  # noqa: E402

SWEEP = """name: plan_resume
seed: 20270101
samples: 30
sampling: lhs
parameters:
  share.china_cap: {values: [0.3, 0.5, 0.7, 1.0]}
  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}
  availability.China.from: {dist: choice, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}
  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}
  price.Dy_oxide: {dist: lognormal, mu: 0.0, sigma: 0.22}
  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}
"""
G = 4
ENV = dict(os.environ, SM_PLAN_CHECKPOINT_SECONDS="0")


def make_model(tmp, fee_share=0.1):
    """The shipped model with every non-Chinese offer a contract at a fee
    of fee_share of its price (the shipped terms replaced, so this test's
    plan does not move when they do)."""
    d = os.path.join(tmp, f"model_{fee_share}")
    os.mkdir(d)
    for name in ("model.yaml", "demand.csv"):
        shutil.copy(os.path.join(MODEL, name), d)
    with open(os.path.join(MODEL, "suppliers.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    cols = [c for c in rows[0] if c not in ("terms", "fee_usd_per_t")]
    cols[cols.index("source"):cols.index("source")] = ["terms", "fee_usd_per_t"]
    for r in rows:
        contract = r["region"] != "China"
        r["terms"] = "contract" if contract else "spot"
        r["fee_usd_per_t"] = f"{float(r['price_usd_per_t']) * fee_share:.2f}" if contract else ""
    with open(os.path.join(d, "suppliers.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return d


def plan(exe, model, sweep, out, *extra, threads=2):
    return subprocess.run([exe, "plan", model, "--sweep", sweep, "-o", out, "-j", str(threads),
                           *extra], capture_output=True, text=True, timeout=600, env=ENV)


def start(exe, model, sweep, out, err_path):
    err = open(err_path, "w")
    p = subprocess.Popen([exe, "plan", model, "--sweep", sweep, "-o", out, "-j", "2"],
                         stdout=subprocess.DEVNULL, stderr=err, env=ENV)
    err.close()
    return p


def wait_for(p, err_path, needle, timeout=300):
    """Until stderr shows needle (True) or the plan ends (False)."""
    end = time.time() + timeout
    while time.time() < end and p.poll() is None:
        if needle in open(err_path).read():
            return True
        time.sleep(0.02)
    return False


def started(exe, model, sweep, tmp, name, what):
    """A plan writing tmp/name.h5, once its first policy is saved; None
    (after a failed check) when it never got there."""
    out, err = os.path.join(tmp, name + ".h5"), os.path.join(tmp, name + ".err")
    p = start(exe, model, sweep, out, err)
    if wait_for(p, err, "policy 1/4"):
        return p, out, err
    check(False, f"{what}: the plan got to its first policy")
    p.kill()
    p.wait()
    return None, out, err


def policies_done(path):
    with h5py.File(path, "r") as f:
        stop = f["plan_stop"][:]
    return int(np.sum((stop != 0) & (stop != 7)))


def compare(ref, out, what):
    r = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref, out],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"{what}: identical to the uninterrupted plan\n" + r.stdout[-1500:])


def checkpoint_of(path):
    """The policy /plan_resume holds a checkpoint of (None: none)."""
    with h5py.File(path, "r") as f:
        if "plan_resume" not in f:
            return None
        g = f["plan_resume"]
        check(len(g) > 0 and "policy" in g.attrs, f"{path}: /plan_resume holds arrays and its policy")
        return int(g.attrs["policy"])


def wait_checkpoint(p, out, timeout=300):
    """Until the plan file holds a checkpoint (a policy under way, saved
    at an iteration boundary) or the plan ends. Each save replaces the file
    by a rename, so the file read is always a whole one. A fixed delay
    instead raced the plan's speed on a loaded machine."""
    end = time.time() + timeout
    while time.time() < end and p.poll() is None:
        try:
            with h5py.File(out, "r") as f:
                if "plan_resume" in f:
                    return True
        except OSError:
            pass
        time.sleep(0.02)
    return False


def resume(exe, model, sweep, out, ref, what):
    """--resume to the end; whether it went on from a checkpoint."""
    ck = checkpoint_of(out)
    r = plan(exe, model, sweep, out, "--resume", threads=1)
    check(r.returncode == 0 and "resuming" in r.stderr,
          f"{what}: --resume exits 0 ({r.returncode}: {r.stderr.strip()[-300:]})")
    if ck is not None:
        check(f"policy {ck + 1} goes on from its checkpoint" in r.stderr,
              f"{what}: policy {ck + 1} resumed from its checkpoint")
    compare(ref, out, what)
    with h5py.File(out, "r") as f:
        check("plan_resume" not in f, f"{what}: no /plan_resume in the finished file")
    return ck is not None


def signals(exe, model, sweep, ref, tmp):
    from_checkpoint = 0
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
        p, out, err = started(exe, model, sweep, tmp, f"sig{int(sig)}", sig.name)
        if not p:
            continue
        wait_checkpoint(p, out)  # inside a policy, after an iteration
        p.send_signal(sig)
        rc = p.wait(timeout=300)
        text = open(err).read()
        check(rc == 3, f"{sig.name}: exit code 3 (got {rc})")
        check("--resume" in text and "interrupted" in text, f"{sig.name}: the message says how "
              f"to resume: {text.strip().splitlines()[-1][:200]}")
        check([n for n in os.listdir(tmp) if n.startswith(os.path.basename(out) + ".")] == [],
              f"{sig.name}: no partial or lock file left")
        r, _ = smr.load(out, ["total_cost"])
        n = policies_done(out)
        check(1 <= n < G and r.n_finished == n * 30,
              f"{sig.name}: {n} of {G} policies saved, their {r.n_finished} futures readable")
        ck = checkpoint_of(out)
        check(ck is None or f"policy {ck + 1} up to its last iteration" in text,
              f"{sig.name}: the message names the policy saved up to its last iteration")
        from_checkpoint += resume(exe, model, sweep, out, ref, sig.name)
    check(from_checkpoint > 0, f"a signal inside a policy saved its checkpoint, and --resume "
          f"went on from it ({from_checkpoint} of 3)")


def kills(exe, model, sweep, ref, tmp):
    from_checkpoint = 0
    for k, delay in enumerate((0.0, 0.2, 0.5)):
        p, out, err = started(exe, model, sweep, tmp, f"kill{k}", f"SIGKILL {k}")
        if not p:
            continue
        wait_checkpoint(p, out)
        time.sleep(delay)
        p.kill()
        p.wait()
        r, _ = smr.load(out, ["total_cost"])
        check(r.n_finished >= 30, f"SIGKILL {k} ({delay} s after a checkpoint): the file opens "
              f"with {r.n_finished} futures")
        from_checkpoint += resume(exe, model, sweep, out, ref, f"SIGKILL {k}")
    check(from_checkpoint > 0, f"a SIGKILL inside a policy left its checkpoint, and --resume went "
          f"on from it ({from_checkpoint} of 3)")


def sorted_blocks(exe, model, tmp):
    """From 320 futures up the plan sorts the futures into cut blocks by
    their slopes at k_ub (solver/plan_lshaped.c, block_order): a plan of
    400 futures is the same on 1 and 2 threads and after a SIGKILL and
    --resume (the order comes back from the checkpoint)."""
    sweep = os.path.join(tmp, "sorted.yaml")
    with open(sweep, "w") as f:
        f.write(SWEEP.replace("samples: 30", "samples: 400")
                .replace("{values: [0.3, 0.5, 0.7, 1.0]}", "{values: [0.5]}"))
    quiet = dict(os.environ, SM_PLAN_CHECKPOINT_SECONDS="1e9")
    ref, one = os.path.join(tmp, "sorted_ref.h5"), os.path.join(tmp, "sorted_one.h5")
    for out, j in ((ref, "2"), (one, "1")):
        r = subprocess.run([exe, "plan", model, "--sweep", sweep, "-o", out, "-j", j],
                           capture_output=True, text=True, timeout=600, env=quiet)
        check(r.returncode == 0, f"400 futures, -j {j}: exits 0 ({r.stderr.strip()[-300:]})")
    compare(ref, one, "400 futures on 1 thread against 2")
    out, err = os.path.join(tmp, "sorted_kill.h5"), os.path.join(tmp, "sorted_kill.err")
    p = start(exe, model, sweep, out, err)
    got = wait_checkpoint(p, out)
    time.sleep(0.3)
    p.kill()
    p.wait()
    check(got, "400 futures: the plan saved a checkpoint before the SIGKILL")
    r = plan(exe, model, sweep, out, "--resume", threads=1)
    check(r.returncode == 0 and "goes on from its checkpoint" in r.stderr,
          f"400 futures: --resume went on from the checkpoint ({r.stderr.strip()[-300:]})")
    compare(ref, out, "400 futures, SIGKILL and --resume")


def refusals(exe, model, sweep, tmp):
    p, out, err = started(exe, model, sweep, tmp, "part", "refusals")
    if not p:
        return
    p.send_signal(signal.SIGTERM)
    check(p.wait(timeout=300) == 3, "a partial plan to refuse resumes of")
    before = sha(out)
    other_sweep = os.path.join(tmp, "other.yaml")
    open(other_sweep, "w").write(SWEEP.replace("samples: 30", "samples: 31"))
    other_model = make_model(tmp, fee_share=0.2)
    bad = [
        ((model, sweep, "--gap", "1e-5"), "--gap"),
        ((model, sweep, "--max-iterations", "100"), "--max-iterations"),
        ((model, sweep, "--time-limit", "100"), "--time-limit"),
        ((model, sweep, "--risk-weight", "0.5"), "--risk-weight"),
        ((model, sweep, "--cvar", "0.9"), "--cvar"),
        ((model, other_sweep), "sweep"),
        ((other_model, sweep), "model"),
        ((model, sweep, "--force"), "--force"),
    ]
    for (m, s, *extra), needle in bad:
        r = plan(exe, m, s, out, "--resume", *extra)
        check(r.returncode == 2 and needle in r.stderr,
              f"--resume {' '.join(extra) or s}: exit 2 naming {needle!r} "
              f"({r.returncode}: {r.stderr.strip()[-200:]})")
    r = plan(exe, model, sweep, out)
    check(r.returncode == 2 and "--force" in r.stderr and "--resume" in r.stderr,
          f"plan onto an existing file: exit 2 naming --force and --resume ({r.stderr.strip()[-200:]})")
    check(sha(out) == before, "refused runs leave the file byte for byte as it was")
    r = plan(exe, model, sweep, os.path.join(tmp, "none.h5"), "--resume")
    check(r.returncode == 2 and "does not exist" in r.stderr, "--resume without a file: exit 2")


def main(exe):
    with tempfile.TemporaryDirectory() as tmp:
        model = make_model(tmp)
        sweep = os.path.join(tmp, "sweep.yaml")
        open(sweep, "w").write(SWEEP)
        ref = os.path.join(tmp, "ref.h5")
        r = plan(exe, model, sweep, ref)
        check(r.returncode == 0, f"the uninterrupted plan exits 0\n{r.stderr[-500:]}")
        with h5py.File(ref, "r") as f:
            check(np.all(f["plan_stop"][:] == 1), "every policy of the reference reached the gap")
        # Saving a checkpoint every iteration (about 130 saves) neither changes
        # the plan nor leaves the file much bigger than saving none (each save
        # overwrites the last checkpoint, freed space is reused).
        few = os.path.join(tmp, "few.h5")
        r = subprocess.run([exe, "plan", model, "--sweep", sweep, "-o", few], capture_output=True,
                           text=True, timeout=600,
                           env=dict(os.environ, SM_PLAN_CHECKPOINT_SECONDS="1e9"))
        compare(few, ref, "checkpoints every iteration")
        check(os.path.getsize(ref) < 2 * os.path.getsize(few),
              f"checkpoints every iteration: file of {os.path.getsize(ref)} bytes against "
              f"{os.path.getsize(few)} without")
        before = sha(ref)
        r = plan(exe, model, sweep, ref, "--resume")
        check(r.returncode == 0 and sha(ref) == before,
              f"--resume of a finished plan changes nothing ({r.stderr.strip()[-200:]})")
        signals(exe, model, sweep, ref, tmp)
        kills(exe, model, sweep, ref, tmp)
        refusals(exe, model, sweep, tmp)
        sorted_blocks(exe, model, tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
