#!/usr/bin/python3
"""Overnight-proofing (issue 6), end to end with the real program:

1. SIGKILL at random moments: a sweep is started, killed, resumed (and
   killed again) several times. After every kill the file opens (as a
   single-writer/multiple-reader reader does), every scenario marked
   complete holds exactly the values of an uninterrupted run, and every
   other one is NaN (or, in the block being stored at the kill, already
   its own result: never a different number). The last resume ends with
   a file identical in data to the uninterrupted run's.
2. SIGTERM (and SIGINT, SIGUSR1): exit code 3 within a few seconds, the
   file closed normally (any HDF5 reader opens it), resumable to the same
   final file.
3. Two Ctrl-C: the second exits at once; the file is still resumable.
4. A second writer on a file being written is refused.

Issue 10 (damaged files): between the kills of 1., the file is also cut
short or has 4 KiB flipped at random (--damages times); a resume either
solves the damaged scenarios again (the end file equals the uninterrupted
run's) or exits non-zero naming the damaged scenario range, never exit 0
over a damaged complete scenario. Then one test per row: a killed file cut
to half and resumed (row 6), 4 KiB flipped in a finished file (row 7,
with Fletcher32 on every chunk and h5py detecting it), a refused resume
leaves the file byte for byte as it was (row 8), repair of a cut file says
which complete scenarios are lost (row 9).

usage: test_interrupts.py SUPPLYMIX [--kills N] [--damages N] [--seed S]
"""
import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import supplymix_results as smr  # noqa: E402
import numpy as np
from sm_testing import check, finish, sha  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SWEEP = "monte_carlo"       # 10,000 scenarios: about a second on two threads


def datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out


def load(path):
    # Bounded SWMR metadata retries: a file damaged on purpose must fail to
    # open, not make HDF5 retry with doubling sleeps for hours.
    with smr.open_h5(path) as f:
        timing = {n for n, o in f.items() if isinstance(o, h5py.Dataset)
                  and "differs between identical runs" in str(o.attrs.get("comment", ""))}
        return datasets(f), timing


def consistent_with(path, ref):
    """Every complete scenario equals the reference; the others are NaN."""
    data, timing = load(path)
    done = data["complete"].astype(bool)
    bad = []
    for name, ref_v in ref.items():
        if name in timing or name.startswith("inputs/"):
            continue
        v = data[name]
        if not isinstance(v, np.ndarray) or v.shape[:1] != done.shape:
            if not np.array_equal(v, ref_v):
                bad.append(name)
            continue
        a, b = v[done], ref_v[done]
        if a.tobytes() != b.tobytes():
            bad.append(name)
        if v.dtype.kind == "f" and not unfinished_sound(v[~done], ref_v[~done]):
            bad.append(name + " (unfinished neither NaN nor its own result)")
    return int(done.sum()), bad


def unfinished_sound(v, ref_v):
    """Each unfinished scenario's values are NaN, or (the block the writer
    was storing when killed: values reach the disk before the marks that
    say they are there) exactly that scenario's own result. Never a number
    that differs from the uninterrupted run's."""
    if len(v) == 0:  # every scenario complete: a resume may finish before its kill
        return True
    rows = v.reshape(len(v), -1)
    nan = np.isnan(rows).all(axis=1)
    own = np.array([a.tobytes() == b.tobytes() for a, b in zip(rows, ref_v.reshape(len(v), -1))],
                   dtype=bool)
    return bool((nan | own).all())


def start(exe, out, resume=False, threads=2):
    cmd = [exe, "run", "--sweep", SWEEP, "-o", out, "-j", str(threads)]
    if resume:
        cmd.append("--resume")
    return subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)


def damage(path, rng):
    """Cut the file short or flip 4 KiB of it; says which."""
    size = os.path.getsize(path)
    if rng.random() < 0.5:
        keep = int(size * rng.uniform(0.3, 0.95))
        os.truncate(path, keep)
        return f"cut from {size} to {keep} bytes"
    at = rng.randrange(size // 20, max(size // 20 + 1, size - 4096))
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(4096)
        f.seek(at)
        f.write(flipped(b, rng))
    return f"4 KiB flipped at {at} of {size}"


def flipped(data, rng):
    """data with random bits flipped in every byte. (Not all bits: a
    chunk complemented whole, its checksum included, passes Fletcher32,
    whose one's-complement sums see -x for ~x; inflate then fails.)"""
    return bytes(x ^ rng.randrange(1, 256) for x in data)


DAMAGE_NAMED = re.compile(r"damaged.*scenarios \d+-\d+|scenarios \d+-\d+.*damaged|"
                          r"scenarios 0-\d+ are lost", re.S)


def compare(ref_path, out):
    r = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                       capture_output=True, text=True)
    return r.returncode == 0, (r.stdout + r.stderr)[-300:]


def kills_and_damage(exe, ref_path, ref, full_time, tmp, rng, kills, damages):
    """SIGKILL at random moments and damage between some resumes. After a
    kill every complete scenario is correct (unless damage was done since
    the last resume and not yet found); a resume that ends by itself either
    exits 0 with a sound file or non-zero naming the damaged range."""
    out = os.path.join(tmp, "killed.h5")
    damage_before = set(rng.sample(range(1, kills), damages))
    survived, remaining, total, pending, refused = 0, 1.0, len(ref["complete"]), False, 0
    for k in range(kills):
        if k in damage_before and os.path.exists(out):
            print(f"damage before resume {k + 1}: {damage(out, rng)}")
            pending = True
        p = start(exe, out, resume=os.path.exists(out))
        delay = rng.uniform(0.0, full_time * remaining * 0.9)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        err = p.stderr.read()
        if p.returncode != -signal.SIGKILL and p.returncode != 0:
            named = bool(DAMAGE_NAMED.search(err))
            print(f"resume {k + 1}: exit {p.returncode} before the kill: {err.strip()[-200:]}")
            survived += named and pending
            refused += 1
            if os.path.exists(out):
                os.unlink(out)  # refused as damaged: start again
            pending = False
            continue
        if not os.path.exists(out):
            print(f"kill {k + 1}: at {delay:.3f} s, before the file was in place: nothing to check")
            survived += 1
            continue
        try:
            done, bad = consistent_with(out, ref)
            remaining = max(0.05, 1.0 - done / total)
            ok = not bad
            print(f"kill {k + 1}: at {delay:.3f} s (exit {p.returncode}), file opens, {done} "
                  f"scenarios complete" + ("" if ok else f", WRONG: {bad}"))
            survived += ok
            pending = pending and not ok
        except Exception as e:  # only damage not yet found may make it unreadable
            print(f"kill {k + 1}: at {delay:.3f} s, file unreadable{' (damage not yet found)' if pending else ''}: {e}")
            survived += pending and p.returncode != 0
    check(survived == kills, f"{survived} of {kills} kills (and {damages} damages, {refused} "
                             f"refused by name) left a file whose complete scenarios are correct")
    return out, pending


def damage_rows(exe, ref_path, ref, full_time, tmp):
    """Rows 6 to 9 of issue 10, one file each."""
    killed = os.path.join(tmp, "row-killed.h5")
    p = start(exe, killed)
    time.sleep(full_time * 0.6)
    p.send_signal(signal.SIGKILL)
    p.wait()

    # Row 8: a refused resume changes nothing in the file.
    before = sha(killed)
    r1 = subprocess.run([exe, "run", "--sweep", "quick", "-o", killed, "--resume"],
                        capture_output=True, text=True)
    r2 = subprocess.run([exe, "run", "--sweep", SWEEP, "-o", killed, "--resume", "--iteration-limit", "50"],
                        capture_output=True, text=True)
    check(r1.returncode == 2 and r2.returncode == 2 and sha(killed) == before,
          f"row 8: resumes refused (other sweep, other limit: exit {r1.returncode}, {r2.returncode}) "
          f"leave the killed file byte for byte as it was")

    # Row 9: repair of a cut file says which complete scenarios are lost.
    cut = os.path.join(tmp, "row-cut.h5")
    shutil.copyfile(ref_path, cut)
    os.truncate(cut, os.path.getsize(cut) // 2)
    r = subprocess.run([exe, "repair", cut], capture_output=True, text=True)
    check(r.returncode != 0 and DAMAGE_NAMED.search(r.stderr),
          f"row 9: repair of a file cut to half: exit {r.returncode}, {r.stderr.strip()[-200:]}")

    # Row 6: a killed file cut to half, resumed.
    os.truncate(killed, os.path.getsize(killed) // 2)
    r = subprocess.run([exe, "run", "--sweep", SWEEP, "-o", killed, "-j", "2", "--resume"],
                       capture_output=True, text=True)
    same, diff = compare(ref_path, killed) if r.returncode == 0 else (False, "")
    check((r.returncode == 0 and same) or (r.returncode != 0 and DAMAGE_NAMED.search(r.stderr)),
          f"row 6: a killed file cut to half: resumed to the uninterrupted run's, or refused by "
          f"range (exit {r.returncode}: {r.stderr.strip()[-200:]}) {diff}")

    # Row 7: 4 KiB flipped in a finished file's chunks: found and solved again.
    flip = os.path.join(tmp, "row-flip.h5")
    shutil.copyfile(ref_path, flip)
    with h5py.File(flip, "r") as f:
        no_sum = [n for n, o in f.items() if isinstance(o, h5py.Dataset) and o.chunks
                  and o.dtype.kind != "O" and not o.fletcher32]
        info = f["total_cost"].id.get_chunk_info(f["total_cost"].id.get_num_chunks() // 2)
    check(not no_sum, f"row 7: every chunked numeric dataset carries Fletcher32 (not: {no_sum})")
    with open(flip, "r+b") as f:
        f.seek(info.byte_offset)
        b = f.read(4096)
        f.seek(info.byte_offset)
        f.write(flipped(b, random.Random(7)))
    try:
        with h5py.File(flip, "r") as f:
            f["total_cost"][()]
        detected = ""
    except OSError as e:
        detected = str(e)
    check("Fletcher32" in detected, f"row 7: h5py reports the flipped chunk ({detected})")
    r = subprocess.run([exe, "run", "--sweep", SWEEP, "-o", flip, "-j", "2", "--resume"],
                       capture_output=True, text=True)
    same, diff = compare(ref_path, flip)
    check(r.returncode == 0 and same and "damaged" in r.stderr,
          f"row 7: resume solves the flipped scenarios again, identical to the uninterrupted run "
          f"(exit {r.returncode}: {r.stderr.strip()[-200:]}) {diff}")


def damaged_coordinate(exe, ref_path, tmp):
    """Damage outside the result blocks (the scenario coordinate): repair
    names it; resume rebuilds the file around the sound scenarios."""
    out = os.path.join(tmp, "coord-flip.h5")
    shutil.copyfile(ref_path, out)
    with h5py.File(out, "r") as f:
        info = f["scenario"].id.get_chunk_info(0)
    with open(out, "r+b") as f:
        f.seek(info.byte_offset + info.size // 2)
        b = f.read(16)
        f.seek(info.byte_offset + info.size // 2)
        f.write(flipped(b, random.Random(3)))
    copy = os.path.join(tmp, "coord-flip-repair.h5")
    shutil.copyfile(out, copy)
    r = subprocess.run([exe, "repair", copy], capture_output=True, text=True)
    check(r.returncode == 2 and "'scenario' is damaged" in r.stderr,
          f"repair names a damaged coordinate (exit {r.returncode}: {r.stderr.strip()[-160:]})")
    r = subprocess.run([exe, "run", "--sweep", SWEEP, "-o", out, "-j", "2", "--resume"],
                       capture_output=True, text=True)
    same, diff = compare(ref_path, out)
    check(r.returncode == 0 and same and "'scenario' was damaged" in r.stderr,
          f"resume rebuilds a file whose coordinate is damaged (exit {r.returncode}: "
          f"{r.stderr.strip()[-160:]}) {diff}")


def damaged_structure(exe, ref_path, tmp):
    """Damage HDF5 keeps no chunk checksum for, or that SWMR readers retry
    for hours: a zeroed root group header, a zeroed fractal heap (the root
    group's links), a global heap object's size flipped (the text
    attributes). repair, resume and merge exit 2 within seconds, saying the
    file is damaged; none reports it sound."""
    with open(ref_path, "rb") as f:
        data = f.read()
    heap, gcol = data.rfind(b"FRHP"), data.find(b"GCOL")
    cases = [("400 zero bytes at offset 600", [(600, bytes(400))])]
    if heap > 0:
        cases.append(("a zeroed fractal heap", [(heap, bytes(400))]))
    if gcol > 0:
        cases.append(("a global heap object's size flipped",
                      [(gcol + 25, bytes([data[gcol + 25] ^ 0xFF]))]))
    for what, edits in cases:
        results = []
        for cmd in (["repair"], ["run", "--sweep", SWEEP, "-j", "2", "--resume", "-o"],
                    ["merge", "--force", os.path.join(tmp, "structure-merged.h5")]):
            path = os.path.join(tmp, "structure.h5")
            shutil.copyfile(ref_path, path)
            with open(path, "r+b") as f:
                for at, b in edits:
                    f.seek(at)
                    f.write(b)
            t0 = time.monotonic()
            try:
                # HDF5 itself leaks on these errors: not ours to report (ASan build).
                env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
                r = subprocess.run([exe] + cmd + [path], capture_output=True, text=True,
                                   timeout=60, env=env)
                results.append((r.returncode, time.monotonic() - t0, "damaged" in r.stderr))
            except subprocess.TimeoutExpired:
                results.append(("hung", 60.0, False))
        check(all(rc == 2 and secs < 30 and said for rc, secs, said in results),
              f"{what}: repair, resume and merge exit 2 quickly, saying it is damaged "
              f"(exit, seconds, said: {[(rc, round(s, 1), said) for rc, s, said in results]})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("--kills", type=int, default=int(os.environ.get("SM_KILLS", "20")))
    ap.add_argument("--damages", type=int, default=int(os.environ.get("SM_DAMAGES", "5")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SM_KILL_SEED", "20261128")))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ref_path = os.path.join(tmp, "reference.h5")
        t0 = time.monotonic()
        r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", ref_path, "-j", "2"],
                           capture_output=True, text=True)
        full_time = time.monotonic() - t0
        check(r.returncode == 0, f"uninterrupted run ({full_time:.2f} s)")
        ref, _ = load(ref_path)

        # 1. SIGKILL at random moments and damage, resuming in between.
        out, pending = kills_and_damage(args.exe, ref_path, ref, full_time, tmp, rng, args.kills,
                                        args.damages)
        if os.path.exists(out):
            copy = os.path.join(tmp, "repaired.h5")
            with open(out, "rb") as a, open(copy, "wb") as b:
                b.write(a.read())
            r = subprocess.run([args.exe, "repair", copy], capture_output=True, text=True)
            r2 = subprocess.run(["h5dump", "-H", copy], capture_output=True, text=True)
            try:
                with h5py.File(copy, "r") as f:  # a plain, non-SWMR reader
                    plain_ok = "complete" in f
            except OSError:
                plain_ok = False
            if pending:  # damage not yet found by a resume: repair must name it
                check(r.returncode == 2 and DAMAGE_NAMED.search(r.stderr),
                      f"`supplymix repair` names the damage done since the last resume "
                      f"({r.stderr.strip()[-160:]})")
            else:
                check(r.returncode == 0 and r2.returncode == 0 and plain_ok,
                      "after `supplymix repair`, h5dump and a plain h5py reader open a killed run's file")
        r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "-j", "2"]
                           + (["--resume"] if os.path.exists(out) else []),
                           capture_output=True, text=True)
        if r.returncode != 0 and DAMAGE_NAMED.search(r.stderr):
            print(f"the last resume refused a damaged file by range: {r.stderr.strip()[-200:]}")
            r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "-j", "2", "--force"],
                               capture_output=True, text=True)
        check(r.returncode == 0, "the last resume finishes")
        r = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                           capture_output=True, text=True)
        check(r.returncode == 0, "after kills and resumes: identical to the uninterrupted run\n" + r.stdout[-500:])

        # 2. SIGTERM, SIGINT, SIGUSR1: exit 3 within seconds, a closed file, resumable.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
            out = os.path.join(tmp, f"sig{int(sig)}.h5")
            p = start(args.exe, out)
            time.sleep(full_time * 0.3)
            t_sig = time.monotonic()
            p.send_signal(sig)
            p.wait(timeout=30)
            stop = time.monotonic() - t_sig
            err = p.stderr.read()
            check(p.returncode == 3 and stop < 15,
                  f"{sig.name}: exit code {p.returncode} (want 3) after {stop:.2f} s (want < 15 s: a block in progress finishes first)")
            with h5py.File(out, "r") as f:  # a normally closed file: any reader
                n_done = int(f["complete"][:].sum())
            check(0 < n_done < len(ref["complete"]) and "--resume" in err,
                  f"{sig.name}: {n_done} scenarios saved, the message says how to resume")
            done, bad = consistent_with(out, ref)
            check(not bad, f"{sig.name}: the saved scenarios are correct")
            r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "-j", "3", "--resume"],
                               capture_output=True, text=True)
            r2 = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                                capture_output=True, text=True)
            check(r.returncode == 0 and r2.returncode == 0,
                  f"{sig.name}: resumed on 3 threads, identical to the uninterrupted run")

        # 3. Two Ctrl-C: the second one exits at once; still resumable.
        out = os.path.join(tmp, "twice.h5")
        p = start(args.exe, out)
        time.sleep(full_time * 0.3)
        p.send_signal(signal.SIGINT)
        p.send_signal(signal.SIGINT)
        t_sig = time.monotonic()
        p.wait(timeout=30)
        check(p.returncode == 3, f"second Ctrl-C: exit code {p.returncode} (want 3)")
        done, bad = consistent_with(out, ref)
        r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "-j", "2", "--resume"],
                           capture_output=True, text=True)
        r2 = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                            capture_output=True, text=True)
        check(not bad and r.returncode == 0 and r2.returncode == 0,
              f"second Ctrl-C: {done} correct scenarios kept, resumed to the same final file")

        # 4. A second writer is refused while the first is running.
        out = os.path.join(tmp, "busy.h5")
        p = start(args.exe, out)
        deadline = time.monotonic() + 5
        while not os.path.exists(out) and time.monotonic() < deadline:
            time.sleep(0.01)
        r = subprocess.run([args.exe, "run", "--sweep", SWEEP, "-o", out, "--resume"],
                           capture_output=True, text=True)
        p.wait()
        check(r.returncode == 2 and "another supplymix process" in r.stderr,
              f"a second writer is refused (exit {r.returncode}: {r.stderr.strip()[-120:]})")
        r2 = subprocess.run([sys.executable, os.path.join(HERE, "compare_results.py"), ref_path, out],
                            capture_output=True, text=True)
        check(p.returncode == 0 and r2.returncode == 0, "the first writer finished undisturbed")

        damage_rows(args.exe, ref_path, ref, full_time, tmp)
        damaged_coordinate(args.exe, ref_path, tmp)
        damaged_structure(args.exe, ref_path, tmp)

        # 5. Resume refuses a file from another sweep.
        r = subprocess.run([args.exe, "run", "--sweep", "quick", "-o", ref_path, "--resume"],
                           capture_output=True, text=True)
        check(r.returncode == 2 and "not from this sweep" in r.stderr,
              "resume refuses a file made from another sweep")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
