#!/usr/bin/python3
"""Read a supplymix results file (docs/RESULTS.md) as labelled arrays.

Three lines from any script (Debian's /usr/bin/python3 with python3-h5py,
python3-numpy and python3-xarray):

    import sys; sys.path.insert(0, "/path/to/supplymix/scripts")
    import supplymix_results as smr
    r = smr.open("results.h5"); ds = r.finished()

`ds` is an xarray.Dataset over the finished scenarios only, with the
string labels of suppliers, regions, materials, periods and limits, every
per-scenario summary variable (total_cost, its parts, purchases_by_region,
region_share, shortfall_total, limit_saving_per_point, status, ...), and
each swept parameter as a per-scenario coordinate named
`param_<parameter>`, e.g. ds["param_share.china_cap"]. Per-period arrays
(purchases, stock, shortfall, marginal_cost, limit_dual) are left out
unless asked for: r.finished(full=True) or r.finished(["purchases"]).

Group finished scenarios by any swept parameter:

    for label, value, sub in smr.groups(ds, "share.china_cap"):   # exact levels
        print(label, float(sub.total_cost.median()))
    ds.total_cost.groupby(smr.group_key(ds, "price.Tb_oxide")).median()

Grid parameters (and random ones with few distinct values) are grouped
by their exact values; continuous random parameters by quantile bins.

A table for pandas (Debian's python3-pandas): one row per scenario, one
column per number, named as `supplymix table` names them, plus cash_cost
(the file's, else total_cost - cost_shortfall); its memory is scenarios x
columns (ds.to_dataframe() would make a row per combination of every
dimension). Percentiles grouped by any two (or more) parameters:

    df = r.frame()                                  # or smr.frame(ds, r)
    df[df["share.china_cap"] == 0.4]                # a range's 0.4 matches
    smr.percentiles(df, "total_cost", ["share.china_cap", "availability.China"])

Partial files: a file that is still being written, or whose run was
interrupted or killed, is read in HDF5's single-writer/multiple-reader
mode. Only scenarios marked in `complete` (and with a status other than
not_solved) are returned; r.n_finished and r.n_scenarios say how many are
in, and opening such a file issues a PartialResultsWarning saying so.

A path that is not a supplymix results file raises NotAResultsFile (a
ResultsError) whose message names the file and what is missing. A
damaged file (truncated, overwritten, a chunk that fails its checksum or
does not decompress) raises DamagedResultsFile, a NotAResultsFile whose
one-line message names the file, the dataset and, for a bad chunk, the
scenario range that cannot be read, with HDF5's reason.

No read can hang (a bounded read plan, not a timeout): only regular files
are opened (a FIFO would block), and HDF5's metadata retries in SWMR mode,
which sleep twice as long each time and would go on for hours on damaged
metadata (100 attempts by default), are cut to METADATA_READ_ATTEMPTS,
about 0.27 s of retrying per damaged object: long enough for a read that
races the writer, then the error is reported. HDF5 1.10 can also crash
(SIGSEGV, SIGABRT) on some damaged files; smr.load(path, variables) reads
in a forked child process and turns such a crash into DamagedResultsFile
too (the scripts use it):

    r, ds = smr.load("results.h5", ["total_cost", "status"], optimal=True)

Plan files (`supplymix plan`, docs/RESULTS.md "Plan files") are results
files of every future at its policy's portfolio, plus variables over a
`policy` dimension; smr.plan(path) returns those as an xarray.Dataset
(None for a file without a plan), and smr.policy_of(r, ds) the policy of
each scenario of a finished() Dataset:

    p = smr.plan("plan.h5")
    p.commitment.sel(policy="share.china_cap=0.5").sum(["supplier", "period"])
    p[["RP", "WS", "EEV", "EVPI", "VSS"]].to_dataframe()

Run as a script, it prints what a file holds:
    /usr/bin/python3 scripts/supplymix_results.py RESULTS.h5
"""
import builtins
import ctypes
import os
import pickle
import signal
import stat
import sys
import tempfile
import traceback
import warnings

import h5py
import numpy as np
import xarray as xr

__all__ = ["open", "load", "Results", "Parameter", "ResultsError", "NotAResultsFile",
           "DamagedResultsFile", "PartialResultsWarning", "groups", "group_index", "group_key",
           "spearman", "rank", "STATUS_OPTIMAL", "plan", "is_plan", "policy_of", "frame",
           "cash_cost", "percentiles", "group_labels", "column_of"]

# Datasets and root attributes every results file has (docs/RESULTS.md,
# io/results_h5.c); a file without them is not one of ours.
REQUIRED_DATASETS = ("scenario", "complete", "status", "parameters", "parameter",
                     "total_cost", "region", "material", "limit")
REQUIRED_ATTRS = ("n_scenarios", "grid_size", "samples")
# Per-period arrays, left out of finished() unless asked for (summaries-only
# runs do not write them at all).
FULL_DIMS = {"period", "supplier"}
LABEL_DIMS = ("supplier", "region", "material", "period", "limit", "parameter")
STATUS_OPTIMAL = 1
# Random parameters with at most this many distinct values (events,
# choices, rounded delays) are grouped by value rather than by quantile.
MAX_LEVELS = 12
LAYOUT_VERSION = 3  # 2: plan files with a /plan group; 3: plan variables at the root over a
# `policy` dimension (docs/RESULTS.md "Plan files"); the per-scenario layout is 1's
# HDF5 sleeps 1, 2, 4, ... ns between SWMR metadata read attempts: 29
# attempts retry for 2^28 ns (0.27 s) in all, plenty for a read racing the
# writer's flush, where HDF5's default (100) would retry for ages.
METADATA_READ_ATTEMPTS = 29
# What h5py raises for an HDF5 error (which one depends on HDF5's error class).
H5_ERRORS = (OSError, KeyError, ValueError, RuntimeError)
# A damaged data set is scanned chunk by chunk to name the bad scenario
# ranges; the scan stops after this many bad chunks (each may cost the
# metadata retries when the chunk index is what is damaged).
MAX_BAD_CHUNKS = 8


class ResultsError(Exception):
    """A results file cannot be read."""


class NotAResultsFile(ResultsError):
    """The path is missing, not HDF5, or lacks what a results file has."""


class DamagedResultsFile(NotAResultsFile):
    """HDF5 cannot read part of the file: its structure (metadata) or a
    chunk of data is damaged (truncated, overwritten, fails its checksum,
    does not decompress). The message is one line naming the file, what is
    unreadable and why."""


class PartialResultsWarning(UserWarning):
    """Not every scenario of the sweep is in the file (yet)."""


class Parameter:
    """One swept parameter: its name, units, meaning, how it was swept
    ('grid' or 'random'), and the distinct values of finished scenarios."""

    def __init__(self, name, units, meaning, kind, values):
        self.name, self.units, self.meaning, self.kind = name, units, meaning, kind
        self.values = values                       # finished scenarios' values
        self.levels = np.unique(values[np.isfinite(values)])

    @property
    def coord(self):
        """Name of its per-scenario coordinate in finished()."""
        return "param_" + self.name

    @property
    def varies(self):
        return len(self.levels) > 1

    @property
    def discrete(self):
        """Grouped by exact values (grid, or few distinct values)."""
        return self.kind == "grid" or len(self.levels) <= MAX_LEVELS

    @property
    def limit(self):
        """The limit a share.LIMIT parameter sets, else None."""
        return self.name[len("share."):] if self.name.startswith("share.") else None

    def label(self, with_meaning=True):
        units = "" if self.units in ("", "1") else f" [{self.units}]"
        if with_meaning and self.meaning:
            return f"{self.name} ({self.meaning}){units}"
        return f"{self.name}{units}"

    def __repr__(self):
        return (f"Parameter({self.name!r}, {self.kind}, units={self.units!r}, "
                f"{len(self.levels)} distinct values)")


def _text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v[()])
    return v


def _strings(dset):
    return [_text(s) for s in dset[()]] if dset.shape else [_text(dset[()])]


def _reason(e):
    """HDF5's reason for an error, on one line (a KeyError's without the
    quotes str() adds)."""
    text = e.args[0] if isinstance(e, KeyError) and e.args else e
    return " ".join(str(text).split()) or type(e).__name__


def _hdf5_function(name):
    """A function of the HDF5 library h5py runs on (found in this process's
    mappings: Linux), or None."""
    try:
        with builtins.open("/proc/self/maps") as maps:
            libs = sorted({ln.split()[-1] for ln in maps if "/libhdf5" in ln and ".so" in ln})
        for lib in libs:
            fn = getattr(ctypes.CDLL(lib), name, None)
            if fn is not None:
                return fn
    except OSError:
        pass
    return None


def _bounded_fapl():
    """A file access property list whose SWMR metadata retries are bounded
    (see METADATA_READ_ATTEMPTS), or None when this HDF5 cannot be told so
    (h5py does not expose H5Pset_metadata_read_attempts; ctypes reaches it
    in the library h5py has loaded)."""
    fn = _hdf5_function("H5Pset_metadata_read_attempts")
    if fn is None:
        return None
    fn.argtypes = [ctypes.c_int64, ctypes.c_uint]      # hid_t is 64-bit since 1.10
    fn.restype = ctypes.c_int
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_fclose_degree(h5py.h5f.CLOSE_STRONG)
    return fapl if fn(fapl.id, METADATA_READ_ATTEMPTS) >= 0 else None


def _open_h5(path):
    """Open read-only in SWMR mode (a file open for writing by a running or
    killed `supplymix run` can only be opened so), else normally. SWMR only
    with bounded metadata retries: without them damaged metadata hangs."""
    fapl = _bounded_fapl()
    name = os.fsencode(path)
    modes = ([h5py.h5f.ACC_RDONLY | h5py.h5f.ACC_SWMR_READ] if fapl is not None else []) \
        + [h5py.h5f.ACC_RDONLY]
    first = None
    for mode in modes:
        try:
            return h5py.File(h5py.h5f.open(name, mode, fapl=fapl))
        except H5_ERRORS as e:
            first = first or e
    if "unable to lock file" in str(first):     # HDF5 does not wait for locks: no hang
        raise ResultsError(f"{path}: another process holds a lock on it (a writer creating or "
                           f"replacing it?); try again when it is done: {_reason(first)}")
    raise DamagedResultsFile(f"{path}: damaged results file: HDF5 cannot open it: "
                             f"{_reason(first)}")


def open_h5(path):
    """The h5py.File of a results file, opened as the reader opens it (SWMR
    when it must, bounded metadata retries, so a damaged file raises
    DamagedResultsFile instead of hanging): for callers, tests included,
    that read datasets directly."""
    return _open_h5(path)


def open(path):  # noqa: A001 (the natural name: smr.open)
    """Open a results file: returns a Results (reads labels, parameters and
    the completion mask now, values when asked)."""
    return Results(path)


def _read_all(path, variables, optimal):
    """(Results, Dataset or None, warnings other than PartialResultsWarning
    as (category, message) for load() to issue where it runs)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = Results(path)
        ds = None if variables is None else \
            (r.optimal(variables) if optimal else r.finished(variables))
    said = [(w.category, str(w.message)) for w in caught
            if not issubclass(w.category, PartialResultsWarning)]
    return r, ds, said


def _child(fn, args, rfd, wfd, err):
    """The forked child's work: fn(*args), or the ResultsError it raised,
    or a bug's traceback, pickled into wfd. Never returns."""
    code = 1
    try:
        os.close(rfd)
        os.dup2(err.fileno(), 2)
        try:
            out = ("ok", fn(*args))
        except ResultsError as e:
            out = ("error", e)
        except Exception:                  # a bug, not the file: shown by the parent
            out = ("bug", traceback.format_exc())
        with builtins.open(wfd, "wb") as w:
            pickle.dump(out, w, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)                     # whatever happened: never back into the caller


def _in_child(path, fn, *args):
    """fn(*args) run in a forked child, its result or ResultsError passed
    back pickled; a child killed by a signal (a crash inside HDF5) becomes
    a DamagedResultsFile. The child's stderr (glibc's crash message) is
    kept for that message, not shown."""
    rfd, wfd = os.pipe()
    with tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            _child(fn, args, rfd, wfd, err)
        os.close(wfd)
        try:
            with builtins.open(rfd, "rb") as r:
                data = r.read()
        except BaseException:              # e.g. Ctrl-C: no child left behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        _, status = os.waitpid(pid, 0)
        err.seek(0)
        said = " ".join(err.read().decode("utf-8", "replace").split())[:100]
    said = f": {said}" if said else ""
    if os.WIFSIGNALED(status):
        raise DamagedResultsFile(f"{path}: damaged results file: HDF5 crashed reading it "
                                 f"(signal {signal.Signals(os.WTERMSIG(status)).name}{said})")
    if os.WEXITSTATUS(status) != 0 or not data:
        raise RuntimeError(f"reading {path} in a child process failed (exit code "
                           f"{os.WEXITSTATUS(status)}{said})")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    if kind == "bug":
        raise RuntimeError(f"reading {path} in a child process failed:\n{value}")
    return value


def load(path, variables=None, optimal=False, isolate=True):
    """(Results, Dataset) of a results file in one call: the Dataset holds
    `variables` of the finished scenarios (optimal=True: of the optimal
    ones), or is None when variables is None.

    With isolate (where os.fork exists) the file is read in a forked child
    process: HDF5 1.10 can crash (SIGSEGV, SIGABRT) on some damaged
    metadata, and a crash there becomes a DamagedResultsFile here instead
    of killing the caller. Scripts use this; the cost is a fork and one
    pickled copy of the Dataset."""
    path = os.fspath(path)
    if isolate and hasattr(os, "fork"):
        r, ds, said = _in_child(path, _read_all, path, variables, optimal)
    else:
        r, ds, said = _read_all(path, variables, optimal)
    for category, message in said:
        warnings.warn(message, category, stacklevel=2)
    if r.n_finished < r.n_scenarios:
        warnings.warn(f"{path}: {r.n_finished:,} of {r.n_scenarios:,} scenarios finished (the "
                      "run is still going, or was interrupted); only finished scenarios are "
                      "read", PartialResultsWarning, stacklevel=2)
    return r, ds


class Results:
    """A results file: metadata, parameters and which scenarios are in.

    Attributes: path, attrs (root attributes), n_scenarios, n_finished,
    finished_mask (bool per scenario), sweep_name, model_name, grid_size,
    samples, parameters (list of Parameter), labels (dict dim -> list of
    str), status_names (dict: code -> name), variables (dict name ->
    (dims, units, long_name)), summaries_only.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self._check_path()
        with _open_h5(self.path) as f:
            self._check(f)
            try:
                self._read_meta(f)
            except H5_ERRORS as e:
                raise self._damaged("its metadata", e) from None
        if self.n_finished < self.n_scenarios:
            warnings.warn(f"{self.path}: {self.n_finished:,} of {self.n_scenarios:,} scenarios "
                          "finished (the run is still going, or was interrupted); only finished "
                          "scenarios are read", PartialResultsWarning, stacklevel=3)

    # ---- opening ---------------------------------------------------------

    def _check_path(self):
        """A regular, readable HDF5 file, before HDF5 opens it (opening a
        FIFO would block until something writes to it)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise NotAResultsFile(f"{self.path}: no such file") from None
        except OSError as e:
            raise NotAResultsFile(f"{self.path}: cannot read it: {e.strerror}") from None
        if stat.S_ISDIR(st.st_mode):
            raise NotAResultsFile(f"{self.path}: is a directory, not a results file")
        if not stat.S_ISREG(st.st_mode):
            raise NotAResultsFile(f"{self.path}: not a regular file (a FIFO, device or socket), "
                                  "not a results file")
        if not os.access(self.path, os.R_OK):
            raise NotAResultsFile(f"{self.path}: cannot read it: permission denied")
        if not h5py.is_hdf5(self.path):
            raise NotAResultsFile(f"{self.path}: not a supplymix results file: not an HDF5 file "
                                  "(a results file is written by `supplymix run ... -o FILE.h5`)")

    def _damaged(self, what, e):
        return DamagedResultsFile(f"{self.path}: damaged results file: {what} cannot be read: "
                                  f"{_reason(e)}")

    def _get(self, f, name):
        """f[name]; an HDF5 error (its header damaged) names the object."""
        try:
            return f[name]
        except H5_ERRORS as e:
            raise self._damaged(f"the header of {name}", e) from None

    def _check(self, f):
        # Names are looked up, not listed: HDF5 1.10 reports a damaged link
        # index when looking up, but can crash when iterating over it.
        try:
            names = {n for n in REQUIRED_DATASETS if n in f}
            attrs = {a for a in REQUIRED_ATTRS if a in f.attrs}
            version = int(f.attrs.get("results_layout_version", LAYOUT_VERSION))
        except H5_ERRORS as e:
            raise self._damaged("the root group (the index of its datasets)", e) from None
        missing = [n for n in REQUIRED_DATASETS
                   if n not in names or not isinstance(self._get(f, n), h5py.Dataset)]
        missing += [f"root attribute {a}" for a in REQUIRED_ATTRS if a not in attrs]
        if missing:
            raise NotAResultsFile(
                f"{self.path}: not a supplymix results file: missing {', '.join(missing)} "
                "(see docs/RESULTS.md)")
        if version > LAYOUT_VERSION:
            warnings.warn(f"{self.path}: results layout version {version} is newer than this "
                          f"reader's ({LAYOUT_VERSION}); reading it anyway", stacklevel=4)

    def _read_meta(self, f):
        self.attrs = {k: _text(v) for k, v in f.attrs.items()}
        self.n_scenarios = int(f["scenario"].shape[0])
        self.grid_size = max(int(self.attrs["grid_size"]), 1)
        self.samples = max(int(self.attrs["samples"]), 1)
        self.sweep_name = self.attrs.get("sweep_name", "?")
        self.model_name = self.attrs.get("model_name", "?")
        self.summaries_only = bool(int(self.attrs.get("summaries_only", 0)))
        self.block_size = max(int(self.attrs.get("block_size", 256)), 1)
        self.labels = {d: _strings(f[d]) for d in LABEL_DIMS if d in f}
        self.supplier_region = _strings(f["supplier_region"]) if "supplier_region" in f else []
        self.limit_kind = _strings(f["limit_kind"]) if "limit_kind" in f else []
        self.policy_labels = _strings(f["policy"]) if "policy" in f else []
        meanings = _text(f["status"].attrs.get("flag_meanings", ""))
        values = f["status"].attrs.get("flag_values", None)
        names = meanings.split()
        codes = (list(np.asarray(values).tolist()) if values is not None
                 else list(range(len(names))))
        self.status_names = {int(c): n for c, n in zip(codes, names)}
        # Completion first, then the values: the writer writes values before
        # the marks, so every scenario marked here has its values on disk.
        complete = self._read(f["complete"]).astype(bool)
        self.status = self._read(f["status"])
        self.finished_mask = complete & (self.status != 0)
        self.finished_index = np.flatnonzero(self.finished_mask)
        self.n_finished = int(self.finished_mask.sum())
        self.variables = {}
        for name in f.keys():
            obj = self._get(f, name)
            if (isinstance(obj, h5py.Dataset) and obj.ndim >= 1
                    and name not in ("scenario", "complete")):
                dims = self._dims_of(name, obj)
                if dims[0] == "scenario":
                    self.variables[name] = (dims, _text(obj.attrs.get("units", "")),
                                            _text(obj.attrs.get("long_name", name)))
        names = self.labels.get("parameter", [])
        units = _strings(f["parameter_units"]) if "parameter_units" in f else [""] * len(names)
        meaning = (_strings(f["parameter_meaning"]) if "parameter_meaning" in f
                   else [""] * len(names))
        pvals = self._rows(f["parameters"], self.finished_index)
        kinds = self._kinds(f, names, pvals)
        self.parameters = [Parameter(n, u, m, k, pvals[:, i])
                           for i, (n, u, m, k) in enumerate(zip(names, units, meaning, kinds))]
        ps = f.get("period_start")
        self.period_start = None
        if ps is not None:
            u = _text(ps.attrs.get("units", ""))
            if u.startswith("days since 1970-01-01"):
                self.period_start = np.datetime64("1970-01-01") + ps[()].astype("timedelta64[D]")

    def _dims_of(self, name, obj):
        """Dimension names from the attached HDF5 dimension scales."""
        dims = []
        for i, d in enumerate(obj.dims):
            try:
                scale = d[0].name if len(d) else ""
            except H5_ERRORS as e:
                raise self._damaged(f"the dimension scales of {name}", e) from None
            if scale is None:    # attached, but the reference leads nowhere
                raise DamagedResultsFile(f"{self.path}: damaged results file: the dimension "
                                         f"scale of {name}'s axis {i} cannot be read")
            dims.append(scale.lstrip("/") or d.label or f"dim_{name}_{i}")
        return tuple(dims)

    def _kinds(self, f, names, pvals):
        """'grid' or 'random' per parameter: from the stored sweep file when
        PyYAML is there, else from the scenario numbering (models/SWEEPS.md:
        scenario i is grid point i mod G in future i div G, so a grid value
        depends on i mod G only)."""
        if self.samples <= 1:
            return ["grid"] * len(names)
        if "parameter_kind" in f:  # written by supplymix since layout version 1
            return _strings(f["parameter_kind"])
        try:
            import yaml
            sweep = yaml.safe_load(_text(f["inputs/sweep_file"][()]))
            spec = sweep["parameters"]
            kinds = ["random" if isinstance(spec[n], dict) and "dist" in spec[n] else "grid"
                     for n in names]
            return kinds
        except Exception:  # no PyYAML, no stored sweep, or another layout: use the numbering
            pass
        g = self.finished_index % self.grid_size
        kinds = []
        for i in range(len(names)):
            v = pvals[:, i]
            if self.grid_size == 1:
                kinds.append("random")
                continue
            order = np.lexsort((v, g))
            gs, vs = g[order], v[order]
            same_g = gs[1:] == gs[:-1]
            kinds.append("grid" if np.all(vs[1:][same_g] == vs[:-1][same_g]) else "random")
        return kinds

    def _read(self, dset, start=0, stop=None):
        """Rows [start, stop) of a per-scenario dataset. An HDF5 error (a
        chunk that fails its checksum or does not decompress, a damaged
        chunk index) becomes a DamagedResultsFile naming the scenarios."""
        try:
            return dset[start:stop]
        except H5_ERRORS as e:
            stop = dset.shape[0] if stop is None else stop
            raise self._damaged_rows(dset, start, stop, e) from None

    def _damaged_rows(self, dset, start, stop, err):
        """Which chunks of rows [start, stop) cannot be read: read one by one
        until MAX_BAD_CHUNKS of them fail (each failure is immediate, or
        bounded by the metadata retries), so the message names the ranges."""
        step = dset.chunks[0] if dset.chunks else max(stop - start, 1)
        bad, first, end = [], None, stop
        for lo in range(start - start % step, stop, step):
            hi = min(lo + step, stop)
            try:
                dset[lo:hi]
                continue
            except H5_ERRORS as e:
                first = first or e
            if bad and bad[-1][1] == max(lo, start):
                bad[-1][1] = hi                  # adjacent: one range
            else:
                bad.append([max(lo, start), hi])
            if sum(b - a for a, b in bad) >= MAX_BAD_CHUNKS * step:
                end = hi
                break
        ranges = ", ".join(f"{lo}..{hi - 1}" for lo, hi in (bad or [(start, stop)]))
        more = f" (scan stopped at {end})" if end < stop else ""
        return self._damaged(f"{dset.name.lstrip('/')}, scenarios {ranges}{more},", first or err)

    def _rows(self, dset, index):
        """Rows `index` (sorted) of dset, read block by block so that memory
        stays near the size of the selection."""
        n = dset.shape[0]
        if len(index) == n:
            return self._read(dset)
        out = np.empty((len(index),) + dset.shape[1:], dtype=dset.dtype)
        step = self.block_size if dset.ndim > 1 else max(self.block_size, 1 << 14)
        pos = 0
        for start in range(0, n, step):
            lo, hi = np.searchsorted(index, [start, start + step])
            if hi > lo:
                block = self._read(dset, start, min(start + step, n))
                out[pos:pos + hi - lo] = block[index[lo:hi] - start]
                pos += hi - lo
        return out

    # ---- what users call -------------------------------------------------

    @property
    def complete(self):
        """True when every scenario of the sweep is in the file."""
        return self.n_finished == self.n_scenarios

    @property
    def is_random(self):
        """The sweep draws random futures (samples > 1)."""
        return self.samples > 1

    def parameter(self, name):
        """The Parameter called name (KeyError listing the swept ones)."""
        for p in self.parameters:
            if p.name == name or p.coord == name:
                return p
        raise KeyError(f"{name!r} is not a swept parameter of {self.path}; swept: "
                       + ", ".join(p.name for p in self.parameters))

    def demand_total(self):
        """{material: the base case's demand over the horizon (t)} from
        `demand_base`; {} for a file without it. A shortfall's share of
        demand is its tonnes over this."""
        with _open_h5(self.path) as f:
            if "demand_base" not in f:
                return {}
            d = self._read(self._get(f, "demand_base"))
        return {m: float(np.nansum(d[i])) for i, m in enumerate(self.labels.get("material", []))}

    def limit_kind_of(self, limit):
        lim = self.labels.get("limit", [])
        return self.limit_kind[lim.index(limit)] if limit in lim and self.limit_kind else None

    def status_counts(self):
        """{status name: number of scenarios}, not_solved included."""
        # A status read for a scenario not yet marked complete (a read racing
        # the writer) counts as not solved, like the completion mask says.
        st = np.where(self.finished_mask, self.status, 0)
        codes, counts = np.unique(st, return_counts=True)
        out = {name: 0 for name in self.status_names.values()}
        for c, k in zip(codes, counts):
            out[self.status_names.get(int(c), f"code_{int(c)}")] = int(k)
        return out

    def summary_line(self):
        kind = ("random futures" if self.is_random else "grid") + \
               (f" x {self.grid_size} grid points" if self.is_random and self.grid_size > 1 else "")
        return (f"{os.path.basename(self.path)}: sweep {self.sweep_name} of model "
                f"{self.model_name}: {self.n_finished:,} of {self.n_scenarios:,} scenarios "
                f"finished ({kind}; {len(self.parameters)} swept parameters)")

    def __repr__(self):
        return f"<supplymix results {self.summary_line()}>"

    def finished(self, variables=None, full=False):
        """The finished scenarios as an xarray.Dataset.

        variables: names to read (default: every per-scenario summary
        variable; full=True adds the per-period arrays)."""
        if variables is None:
            names = [n for n, (dims, _, _) in self.variables.items()
                     if full or not (set(dims) & FULL_DIMS)]
        else:
            names = list(variables)
            unknown = [n for n in names if n not in self.variables]
            if unknown:
                raise KeyError(f"{self.path}: no per-scenario variable {', '.join(unknown)}; "
                               "has: " + ", ".join(self.variables))
        idx = self.finished_index
        coords = {"scenario": ("scenario", idx.astype(np.int64))}
        for d, labs in self.labels.items():
            coords[d] = (d, np.array(labs, dtype=object))
        if self.supplier_region:
            coords["supplier_region"] = ("supplier", np.array(self.supplier_region, dtype=object))
        if self.limit_kind:
            coords["limit_kind"] = ("limit", np.array(self.limit_kind, dtype=object))
        if self.period_start is not None:
            coords["period_start"] = ("period", self.period_start)
        for p in self.parameters:
            coords[p.coord] = ("scenario", p.values,
                               {"units": p.units, "long_name": p.meaning, "sweep_kind": p.kind})
        data = {}
        with _open_h5(self.path) as f:
            for n in names:
                dims, units, long_name = self.variables[n]
                dset = self._get(f, n)
                attrs = {"units": units, "long_name": long_name}
                try:
                    for a in ("flag_values", "flag_meanings", "comment"):
                        if a in dset.attrs:
                            attrs[a] = _text(dset.attrs[a])
                except H5_ERRORS as e:
                    raise self._damaged(f"the attributes of {n}", e) from None
                data[n] = (dims, self._rows(dset, idx), attrs)
        attrs = dict(self.attrs)
        attrs.update(source_file=self.path, n_finished=self.n_finished,
                     n_scenarios_total=self.n_scenarios)
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def frame(self, variables=None, optimal=False):
        """The finished scenarios as a pandas DataFrame, one row per scenario
        (indexed by its number), one column per number: see smr.frame().
        Memory is proportional to scenarios x columns: only per-scenario
        summaries are read unless per-period arrays are named in
        `variables`. optimal=True keeps the optimal scenarios only."""
        names = variables
        if names is not None and "status" not in names:
            names = list(names) + ["status"]
        ds = self.optimal(names) if optimal else self.finished(names)
        return frame(ds, self)

    def optimal(self, variables=None, full=False):
        """Finished scenarios whose LP was solved to optimality (the ones
        with costs)."""
        ds = self.finished(variables if variables is None or "status" in variables
                           else list(variables) + ["status"], full)
        return ds.isel(scenario=np.flatnonzero(ds.status.values == STATUS_OPTIMAL))


# ---- plan files ------------------------------------------------------------

# Per-scenario variables of a plan file (beside a run file's), read by
# finished() like any other: the scenario's policy, its perfect-foresight
# cost, its regret and its cost at the average future's portfolio.
PLAN_SCENARIO_VARIABLES = ("scenario_policy", "scenario_future", "cost_commitment",
                           "perfect_foresight_cost", "regret", "average_future_plan_cost")


def is_plan(r):
    """The file is a plan file (written by `supplymix plan`)."""
    return str(r.attrs.get("file_kind", "")) == "plan"


def _read_plan(path):
    """The policy-dimension variables of a plan file as a Dataset (None when
    the file has no `policy` dimension)."""
    r = Results(path)
    with _open_h5(path) as f:
        if "policy" not in f:
            return None
        coords = {"policy": ("policy", np.array(_strings(f["policy"]), dtype=object))}
        for d in ("supplier", "material", "period", "region"):
            if d in r.labels:
                coords[d] = (d, np.array(r.labels[d], dtype=object))
        if r.supplier_region:
            coords["supplier_region"] = ("supplier", np.array(r.supplier_region, dtype=object))
        if "iteration" in f:
            coords["iteration"] = ("iteration", r._read(f["iteration"]))
        data = {}
        if "demand_base" in f:          # the base case's demand, for scale
            d = r._get(f, "demand_base")
            data["demand_base"] = (r._dims_of("demand_base", d), r._read(d),
                                   {"units": _text(d.attrs.get("units", "t"))})
        for name in f.keys():
            obj = r._get(f, name)
            if not isinstance(obj, h5py.Dataset) or obj.ndim == 0 or name == "policy":
                continue
            dims = r._dims_of(name, obj)
            if dims[0] != "policy":
                continue
            attrs = {a: _text(obj.attrs[a]) for a in ("units", "long_name", "flag_values",
                                                       "flag_meanings", "comment")
                     if a in obj.attrs}
            values = r._read(obj)
            if values.dtype.kind in "OS":
                values = np.array([_text(v) for v in values.reshape(-1)],
                                  dtype=object).reshape(values.shape)
            data[name] = (dims, values, attrs)
    attrs = {k: v for k, v in r.attrs.items() if k.startswith("plan_")}
    attrs.update(source_file=path, sweep_name=r.sweep_name, model_name=r.model_name)
    return xr.Dataset(data, coords=coords, attrs=attrs)


def plan(path, isolate=True):
    """The plan of a plan file: an xarray.Dataset over `policy` (labels such
    as "share.china_cap=0.5") holding commitment[policy, supplier, material,
    period] (t), commitment_ev, commitment_cost, RP, RP_lower_bound, RP_gap,
    WS, EEV, EVPI, VSS (USD), EEV_infeasible_futures, plan_stop (with its
    flag_meanings), plan_stop_message, plan_iterations, plan_seconds and the
    history_*[policy, iteration] of the convergence; None for a file that
    is not a plan file. Read in a forked child as load() does (isolate)."""
    path = os.fspath(path)
    if isolate and hasattr(os, "fork"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PartialResultsWarning)
            return _in_child(path, _read_plan, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PartialResultsWarning)
        return _read_plan(path)


def policy_of(r, ds):
    """The policy number of each scenario of a finished() Dataset: its
    `scenario_policy`, else scenario mod grid size (the sweep numbering)."""
    if "scenario_policy" in ds:
        return ds.scenario_policy.values.astype(np.int64)
    return ds.scenario.values.astype(np.int64) % r.grid_size


def stop_names(p):
    """{code: name} of a plan Dataset's plan_stop flags."""
    st = p["plan_stop"]
    names = str(st.attrs.get("flag_meanings", "")).split()
    values = st.attrs.get("flag_values", None)
    codes = (np.asarray(values).reshape(-1).tolist() if values is not None
             else list(range(len(names))))
    return {int(c): n for c, n in zip(codes, names)}


# ---- scenario-level tables (pandas) --------------------------------------

# Variables that frame() turns into other columns (status names, the policy
# label, the parameters by name), not copied as they are.
FRAME_SPECIAL = ("status", "parameters", "scenario_policy", "scenario_future")
# Column order: as `supplymix table` writes them (cli/cmd_table.c), then the
# rest by name.
FRAME_ORDER = ("total_cost", "cost_purchase", "cost_tariff", "cost_freight", "cost_holding",
               "cost_shortfall", "cash_cost", "cost_commitment", "shortfall_total",
               "shortfall_share", "region_share", "purchases_by_region", "limit_saving_per_point",
               "perfect_foresight_cost", "regret")


def column_of(name, labels):
    """The column name of one element of a variable, as `supplymix table`
    names it: the variable, then its labels joined by dots
    (region_share.China.NdPr_oxide)."""
    return ".".join([name] + [str(x) for x in labels])


def _flat_columns(ds, name):
    """[(column name, 1-D values)] of a per-scenario variable of ds."""
    da = ds[name]
    if da.ndim == 1:
        return [(name, da.values)]
    other = da.dims[1:]
    vals = da.values.reshape(da.shape[0], -1)
    labels = [ds[d].values if d in ds.coords else np.arange(ds.sizes[d]) for d in other]
    keys = np.array(np.meshgrid(*labels, indexing="ij")).reshape(len(other), -1).T \
        if len(other) > 1 else [(x,) for x in labels[0]]
    return [(column_of(name, k), vals[:, j]) for j, k in enumerate(keys)]


def cash_cost(data):
    """What a scenario pays in cash (USD): the file's `cash_cost` when it
    has one, else total_cost - cost_shortfall (the shortfall penalty is a
    value put on unmet demand, not money paid). `data`: a finished()
    Dataset or a frame()."""
    if "cash_cost" in data:
        return np.asarray(data["cash_cost"], dtype=float)
    return np.asarray(data["total_cost"], dtype=float) - np.asarray(data["cost_shortfall"],
                                                                    dtype=float)


def frame(ds, r=None):
    """A finished()/optimal() Dataset as a pandas DataFrame with one row per
    scenario (index `scenario`) and one column per number, named as
    `supplymix table` names them: status (its name), policy and future (plan
    files), each swept parameter by name (share.china_cap), each summary
    variable (total_cost, shortfall_total.NdPr_oxide,
    region_share.China.NdPr_oxide, ...), and cash_cost (the file's, else
    total_cost - cost_shortfall; then listed in df.attrs["derived"]).

    Unlike ds.to_dataframe(), which makes a row for every combination of
    every dimension (scenario x region x material x limit x parameter, and
    x supplier x period with full=True: 150 M rows for 4,000 scenarios),
    its size is scenarios x columns. Per-period arrays in ds (asked for in
    finished()) become one column per element."""
    import pandas as pd
    cols = {}
    if "status" in ds:
        names = dict(zip(*[str(ds.status.attrs.get(a, "")).split() if a == "flag_meanings"
                           else np.asarray(ds.status.attrs.get(a, [])).reshape(-1).tolist()
                           for a in ("flag_values", "flag_meanings")]))
        cols["status"] = pd.Categorical([names.get(int(c), f"code_{int(c)}")
                                         for c in ds.status.values])
    if "scenario_policy" in ds:
        pol = ds.scenario_policy.values.astype(np.int64)
        labels = getattr(r, "policy_labels", None)
        cols["policy"] = (pd.Categorical.from_codes(pol, categories=list(labels)) if labels
                          else pol)
    if "scenario_future" in ds:
        cols["future"] = ds.scenario_future.values.astype(np.int64)
    kinds = {}
    for c in ds.coords:
        if str(c).startswith("param_"):
            cols[str(c)[len("param_"):]] = ds[c].values
            kinds[str(c)[len("param_"):]] = ds[c].attrs.get("sweep_kind", "")
    names = [n for n in ds.data_vars if n not in FRAME_SPECIAL and ds[n].dims[:1] == ("scenario",)]
    derived = []
    for name in sorted(names, key=lambda n: (FRAME_ORDER.index(n) if n in FRAME_ORDER
                                             else len(FRAME_ORDER), n)):
        cols.update(_flat_columns(ds, name))
        if name == "cost_shortfall" and "cash_cost" not in ds and "total_cost" in ds:
            cols["cash_cost"] = cash_cost(ds)
            derived.append("cash_cost")
    df = pd.DataFrame(cols, index=pd.Index(ds.scenario.values.astype(np.int64),
                                           name="scenario"))
    df.attrs.update(parameter_kind=kinds, derived=derived,
                    units={n: ds[n].attrs.get("units", "") for n in ds.data_vars})
    return df


def group_labels(df, name, bins=5):
    """Group keys of a frame()'s rows by one swept parameter, as smr.groups
    does: its exact values for grid parameters (and random ones with at
    most 12 distinct values), else `bins` quantile bins labelled by their
    range ("0.52-0.81"), as an ordered pandas Categorical."""
    import pandas as pd
    if name not in df:
        raise KeyError(f"{name!r} is not a column; parameters: "
                       + ", ".join(df.attrs.get("parameter_kind", {})))
    if df[name].dtype.kind not in "fiu":        # policy labels (categorical), names
        return df[name]
    v = df[name].to_numpy(dtype=float)
    kind = df.attrs.get("parameter_kind", {}).get(name, "")
    if kind == "grid" or len(np.unique(v[np.isfinite(v)])) <= MAX_LEVELS:
        return pd.Series(v, index=df.index, name=name)
    edges = np.unique(np.quantile(v, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, len(edges) - 2)
    labels = [f"{edges[b]:.3g}-{edges[b + 1]:.3g}" for b in range(len(edges) - 1)]
    cat = pd.Categorical.from_codes(which, categories=labels, ordered=True)
    return pd.Series(cat, index=df.index, name=name)


def percentiles(df, column, by=(), q=(5, 50, 90, 99), bins=5):
    """P5/P50/P90/P99 (numpy's linear interpolation), mean and count of a
    frame()'s `column` (NaN dropped), grouped by up to any number of swept
    parameters (`by`: one name or a list, e.g. ["share.china_cap",
    "availability.China"]); continuous random parameters in quantile bins
    (group_labels). Returns a DataFrame indexed by the groups."""
    import pandas as pd
    by = [by] if isinstance(by, str) else list(by)
    v = df[column].astype(float)

    def one(x):
        x = x.to_numpy()
        x = x[np.isfinite(x)]
        out = {f"P{k}": (float(np.percentile(x, k)) if len(x) else np.nan) for k in q}
        out["mean"] = float(x.mean()) if len(x) else np.nan
        out["n"] = len(x)
        return pd.Series(out)

    if not by:
        return one(v).to_frame().T
    keys = [group_labels(df, b, bins) for b in by]
    out = v.groupby(keys, observed=True, sort=True).apply(one).unstack()
    out["n"] = out["n"].astype(int)
    return out


# ---- grouping and statistics --------------------------------------------

def _param_values(ds, name):
    coord = name if name.startswith("param_") else "param_" + name
    if coord not in ds.coords:
        have = [c[len("param_"):] for c in ds.coords if str(c).startswith("param_")]
        raise KeyError(f"{name!r} is not a swept parameter; swept: {', '.join(have)}")
    return coord, ds[coord].values


def _is_discrete(ds, coord, values):
    kind = ds[coord].attrs.get("sweep_kind", "")
    return kind == "grid" or len(np.unique(values[np.isfinite(values)])) <= MAX_LEVELS


def group_index(ds, name, bins=5):
    """How groups() splits a finished() Dataset by a swept parameter, as
    arrays: (labels, values, which), where which[i] is the group number of
    scenario i (in ds's order) and values[k] is group k's value (its exact
    value, or the median of its quantile bin)."""
    coord, v = _param_values(ds, name)
    if _is_discrete(ds, coord, v):
        levels, which = np.unique(v, return_inverse=True)
        return [f"{x:g}" for x in levels], levels.astype(float), which.reshape(-1)
    edges = np.unique(np.quantile(v, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, len(edges) - 2)
    used = np.unique(which)
    labels = [f"{edges[b]:.3g}-{edges[b + 1]:.3g}" for b in used]
    values = np.array([np.median(v[which == b]) for b in used])
    return labels, values, np.searchsorted(used, which)


def groups(ds, name, bins=5):
    """Split a finished() Dataset by a swept parameter.

    Returns a list of (label, value, sub-Dataset) in increasing order:
    one group per exact value for grid parameters (and random ones with at
    most 12 distinct values), else `bins` quantile bins, labelled by their
    range, with the bin's median as value."""
    labels, values, which = group_index(ds, name, bins)
    return [(lab, float(val), ds.isel(scenario=np.flatnonzero(which == k)))
            for k, (lab, val) in enumerate(zip(labels, values))]


def group_key(ds, name, bins=5):
    """A DataArray to pass to xarray's groupby: the parameter's values, or
    for a continuous random parameter the median of its quantile bin."""
    coord, v = _param_values(ds, name)
    if _is_discrete(ds, coord, v):
        return ds[coord]
    _, values, which = group_index(ds, name, bins)
    return xr.DataArray(values[which], dims="scenario", name=coord + "_bin",
                        coords={"scenario": ds.scenario})


def rank(x):
    """Ranks 1..n of x, ties given their average rank (as Spearman needs)."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    starts = np.r_[0, np.flatnonzero(xs[1:] != xs[:-1]) + 1]
    ends = np.r_[starts[1:], len(xs)]
    avg = (starts + ends + 1) / 2.0               # mean of ranks start+1..end
    ranks_sorted = np.repeat(avg, ends - starts)
    r = np.empty_like(ranks_sorted)
    r[order] = ranks_sorted
    return r


def spearman(x, y):
    """Spearman rank correlation of x and y (pairs with a NaN dropped);
    NaN when either is constant or fewer than 3 pairs."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3:
        return float("nan")
    rx, ry = rank(x[ok]), rank(y[ok])
    rx -= rx.mean()
    ry -= ry.mean()
    den = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / den) if den > 0 else float("nan")


def _main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PartialResultsWarning)
            r, _ = load(argv[1])
    except ResultsError as e:
        print(f"supplymix_results: {e}", file=sys.stderr)
        return 2
    print(r.summary_line())
    print("status:", ", ".join(f"{k} {v}" for k, v in r.status_counts().items() if v))
    for p in r.parameters:
        lv = p.levels
        rng = f"{lv.min():g}..{lv.max():g}" if len(lv) else "-"
        print(f"  {p.name:34s} {p.kind:6s} {len(lv):6d} values {rng:>14s}  {p.units}  {p.meaning}")
    print("variables:", ", ".join(f"{n}{list(d[1:])}" for n, (d, _, _) in r.variables.items()))
    return 0


def run_script(main, prog):
    """Run a script's main() as a command: its return value is the exit
    status; Ctrl-C exits 130; an internal error prints its trace and a
    sentence naming the script, and exits 1 (bad input exits 2 in main)."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        print(f"{prog}: internal error (above); please report it with the command line and "
              "the results file", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
