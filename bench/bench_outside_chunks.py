#!/usr/bin/python3
"""Chunk shape and deflate level of a results file's per-scenario (1-D)
variables, measured (issue 15 item 3): for each 1-D variable of RESULTS.h5
(or of a copy tiled to --scenarios rows), the file size, the CPU seconds of
writing and of reading it back with h5py, with chunks of one block of
scenarios (as supplymix writes them) against chunks of about 1 MiB, and
libdeflate's CPU seconds and output size per level for the whole file's
chunks as supplymix makes them (shuffled, one block a chunk).

usage: bench/bench_outside_chunks.py RESULTS.h5 [--scenarios N] [--levels 1,2,4,6,9]
       bench/bench_outside_chunks.py RESULTS.h5 --dump CHUNKS.bin
(--dump writes those chunks, each as its length, u64 little-endian, and
its bytes, for bench/bench_outside_codecs.c: ISA-L against libdeflate.)
"""
import argparse
import ctypes
import os
import struct
import tempfile
import time

import h5py
import numpy as np


def cpu():
    return time.process_time()


def shuffled(a):
    b = np.ascontiguousarray(a)
    if b.dtype.itemsize == 1:
        return b.tobytes()
    return b.view(np.uint8).reshape(-1, b.dtype.itemsize).T.copy().tobytes()


def file_chunks(f):
    chunks = []
    for ds in f.values():
        if isinstance(ds, h5py.Dataset) and ds.chunks and ds.shape[0] > 1000:
            data, rows = ds[...], ds.chunks[0]
            for a in range(0, data.shape[0], rows):
                chunks.append(shuffled(data[a:a + rows]))
    return chunks


def deflate_levels(f, levels):
    z = ctypes.CDLL("libdeflate.so.0")
    z.libdeflate_alloc_compressor.restype = ctypes.c_void_p
    z.libdeflate_alloc_compressor.argtypes = [ctypes.c_int]
    z.libdeflate_zlib_compress.restype = ctypes.c_size_t
    z.libdeflate_zlib_compress.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                           ctypes.c_void_p, ctypes.c_size_t]
    chunks = file_chunks(f)
    raw = sum(len(c) for c in chunks)
    out = ctypes.create_string_buffer(max(len(c) for c in chunks) * 2 + 1024)
    print(f"libdeflate on the file's {len(chunks)} chunks ({raw / 1e6:.1f} MB shuffled):")
    for lvl in levels:
        c = z.libdeflate_alloc_compressor(lvl)
        t0, size = cpu(), 0
        for ch in chunks:
            size += z.libdeflate_zlib_compress(c, ch, len(ch), out, len(out))
        print(f"  level {lvl:2d}: {size / 1e6:6.2f} MB, {cpu() - t0:.3f} s CPU")


def one_d(f, n):
    out = {}
    for name, ds in f.items():
        if isinstance(ds, h5py.Dataset) and ds.chunks and ds.ndim == 1 and ds.shape[0] > 1000:
            d = ds[...]
            out[name] = np.resize(d, n) if n else d
    return out


def shapes(data, block):
    n = len(next(iter(data.values())))
    tmp = tempfile.mkdtemp()
    for label, rows in (("one block", block), ("~1 MiB", 131072)):
        path = os.path.join(tmp, "c.h5")
        t0 = cpu()
        with h5py.File(path, "w") as g:
            for name, d in data.items():
                g.create_dataset(name, data=d, chunks=(min(rows, n),), shuffle=True,
                                 compression="gzip", compression_opts=1, fletcher32=True)
        w = cpu() - t0
        t0 = cpu()
        with h5py.File(path, "r") as g:
            for name in data:
                g[name][...]
        r = cpu() - t0
        print(f"  chunks of {label:9s} ({min(rows, n):6d} rows): {os.path.getsize(path) / 1e6:7.2f} MB,"
              f" write {w:.3f} s, h5py read {r:.3f} s CPU")
        os.unlink(path)
    os.rmdir(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--scenarios", type=int, default=0)
    ap.add_argument("--levels", default="1,2,4,6,9")
    ap.add_argument("--dump")
    a = ap.parse_args()
    if a.dump:
        with h5py.File(a.results, "r") as f, open(a.dump, "wb") as out:
            for c in file_chunks(f):
                out.write(struct.pack("<Q", len(c)) + c)
        return
    with h5py.File(a.results, "r") as f:
        deflate_levels(f, [int(x) for x in a.levels.split(",")])
        block = f["total_cost"].chunks[0]
        data = one_d(f, a.scenarios)
    n = len(next(iter(data.values())))
    print(f"{len(data)} per-scenario variables, {n} scenarios, h5py/zlib level 1 + shuffle + fletcher32:")
    shapes(data, block)


if __name__ == "__main__":
    main()
