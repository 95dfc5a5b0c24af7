#!/usr/bin/python3
"""Compare supplymix results files dataset by dataset, bit for bit.

usage: compare_results.py A.h5 B.h5 [C.h5 ...]

Every dataset of A must exist in every other file with the same shape,
type and bytes, except wall-clock timings (variables whose `comment`
attribute says they differ between identical runs). Root attributes must be
equal except those describing the run rather than its results (creation
time, host, thread and rank counts, command line). Exit code 1 on any
difference, with each one listed.
"""
import sys

import h5py
import numpy as np

RUN_ATTRS = {"created", "host", "threads", "ranks", "command_line", "history", "merged_from"}


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def is_timing(ds):
    c = ds.attrs.get("comment", "")
    return isinstance(c, (str, bytes)) and "differs between identical runs" in (c.decode() if isinstance(c, bytes) else c)


def same_bytes(a, b):
    x, y = a[()], b[()]
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()
    if isinstance(x, np.ndarray):
        return x.shape == y.shape and np.array_equal(x, y)
    return x == y


def compare(pa, pb):
    problems = []
    with h5py.File(pa, "r") as a, h5py.File(pb, "r") as b:
        da, db = datasets(a), datasets(b)
        for name in sorted(set(da) | set(db)):
            if name not in da or name not in db:
                problems.append(f"{name}: only in {'A' if name in da else 'B'}")
                continue
            if is_timing(da[name]):
                continue
            if da[name].dtype != db[name].dtype or da[name].shape != db[name].shape:
                problems.append(f"{name}: type/shape {da[name].dtype}{da[name].shape} vs {db[name].dtype}{db[name].shape}")
            elif not same_bytes(da[name], db[name]):
                x, y = da[name][()], db[name][()]
                where = ""
                if isinstance(x, np.ndarray) and x.ndim:
                    diff = np.argwhere(~((x == y) | (np.isnan(x) & np.isnan(y)) if x.dtype.kind == "f" else (x == y)))
                    where = f" at {len(diff)} positions, first {tuple(diff[0])}" if len(diff) else " (NaN payload or -0.0)"
                problems.append(f"{name}: values differ{where}")
        for key in sorted(set(a.attrs) | set(b.attrs)):
            if key in RUN_ATTRS:
                continue
            va, vb = a.attrs.get(key), b.attrs.get(key)
            if not np.array_equal(np.asarray(va), np.asarray(vb)):
                problems.append(f"attribute {key}: {va!r} vs {vb!r}")
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    bad = 0
    for other in argv[2:]:
        problems = compare(argv[1], other)
        for p in problems:
            print(f"{argv[1]} vs {other}: {p}")
        print(f"{argv[1]} vs {other}: {'identical' if not problems else f'{len(problems)} differences'}")
        bad |= bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
