#!/usr/bin/env python3
"""Check a cartsim HDF5 output file against the documented layout (docs/output.md).

Usage:
    check_layout.py [--allow-incomplete] [--names] FILE.h5 [FILE.h5 ...]

Exit status 0 when every file passes, 1 otherwise (problems on stderr).

As a module:
    from check_layout import check
    problems = check("run.h5")            # list of strings, empty when fine
    problems = check("run.h5", require_complete=False, expect_names=True)

`require_complete`: a /meta status other than "complete" is a problem (the
file is from an interrupted or failed run). `expect_names`: also require the
documented time-series, solver and outcome names (real runs; the I/O unit test
writes only a few).
"""

import sys

import h5py
import numpy as np

SPECIES = ["P", "R", "Z", "M", "F", "a", "c", "Ch", "E"]
TIMESERIES = [
    "time", "P_s", "R_s", "F_s", "N", "N_syn", "E_total",
    "mean_P", "mean_R", "mean_Z", "mean_M", "mean_F", "mean_a", "mean_c", "mean_Ch", "mean_E",
    "thickness", "surface_c", "synovitis",
    "msc_injected", "msc_died", "msc_differentiated", "msc_cleared", "msc_proliferated", "msc_in_joint",
    "synovitis_auc",
] + ["min_" + s for s in SPECIES]
SOLVER = [
    "steps", "rhs_evals", "newton_iters", "krylov_iters", "prec_setups", "prec_setup_calls", "prec_solves",
    "err_test_fails", "newton_conv_fails", "krylov_conv_fails", "last_step", "last_order",
    "rhs_seconds", "exchange_seconds", "prec_setup_seconds", "prec_solve_seconds", "io_seconds",
]
OUTCOMES = ["thickness_loss_pct", "thickness_loss_mm", "years_to_c80", "synovitis_auc", "msc_retained_30d",
            "msc_retained_180d"]
META_REQUIRED = ["status", "status_reason", "start_time", "ranks", "hdf5_version"]
STATUSES = ("running", "complete", "failed", "interrupted")
GRID_ATTRS = ["dim", "nz", "nx", "ny", "H", "Lx", "Ly"]


def _is_float64(ds):
    return ds.dtype == np.float64


def _is_string(ds):
    return h5py.check_string_dtype(ds.dtype) is not None


def _check_attrs_are_str(f, problems):
    """Every string-valued attribute anywhere must come back from h5py as str."""
    def visit(name, obj):
        for key in obj.attrs:
            try:
                v = obj.attrs[key]
            except Exception as e:  # noqa: BLE001 - report anything h5py cannot read
                problems.append(f"/{name}@{key}: unreadable attribute ({e})")
                continue
            if isinstance(v, (bytes, np.bytes_)):
                problems.append(f"/{name}@{key}: string attribute read as bytes, not str")
            elif isinstance(v, np.ndarray) and v.dtype.kind in "SO":
                problems.append(f"/{name}@{key}: string attribute read as an array ({v.dtype})")
    visit("", f)
    f.visititems(visit)


def _check_units(path, obj, problems):
    for key in ("units", "long_name"):
        if key not in obj.attrs:
            problems.append(f"{path}: missing attribute {key}")
        elif not isinstance(obj.attrs[key], str):
            problems.append(f"{path}@{key} is not a str")
    if "units" in obj.attrs and isinstance(obj.attrs["units"], str) and not obj.attrs["units"]:
        problems.append(f"{path}@units is empty")


def _check_series_group(f, group, problems, names=None):
    if group not in f:
        problems.append(f"/{group}: missing group")
        return None
    g = f[group]
    length = None
    for name, ds in g.items():
        path = f"/{group}/{name}"
        if not isinstance(ds, h5py.Dataset):
            problems.append(f"{path}: expected a dataset")
            continue
        _check_units(path, ds, problems)
        if ds.ndim != 1 or not _is_float64(ds):
            problems.append(f"{path}: expected 1-D float64, got shape {ds.shape} {ds.dtype}")
            continue
        if ds.maxshape != (None,):
            problems.append(f"{path}: time dimension is not unlimited (maxshape {ds.maxshape})")
        if ds.chunks is None:
            problems.append(f"{path}: not chunked")
        if length is None:
            length = ds.shape[0]
        elif ds.shape[0] != length:
            problems.append(f"{path}: {ds.shape[0]} values, other series of /{group} have {length}")
    for name in names or []:
        if name not in g:
            problems.append(f"/{group}/{name}: missing")
    return length


def _grid_shape(f, problems):
    """(dim, nz, nx, ny) from /grid, checking its datasets; None if unusable."""
    if "grid" not in f:
        problems.append("/grid: missing group")
        return None
    g = f["grid"]
    for key in GRID_ATTRS:
        if key not in g.attrs:
            problems.append(f"/grid: missing attribute {key}")
    if any(key not in g.attrs for key in ("dim", "nz", "nx", "ny", "H")):
        return None
    dim, nz, nx, ny = (int(g.attrs[k]) for k in ("dim", "nz", "nx", "ny"))
    lengths = {"z": (nz, float(g.attrs["H"])), "x": (nx, float(g.attrs.get("Lx", np.nan))),
               "y": (ny, float(g.attrs.get("Ly", np.nan)))}
    for axis in "zxy"[:dim]:
        path = f"/grid/{axis}"
        if axis not in g:
            problems.append(f"{path}: missing (dim {dim})")
            continue
        ds = g[axis]
        n, L = lengths[axis]
        if ds.shape != (n,):
            problems.append(f"{path}: shape {ds.shape}, expected ({n},)")
            continue
        want = (np.arange(n) + 0.5) * L / n
        if not np.allclose(ds[()], want, rtol=1e-12, atol=0):
            problems.append(f"{path}: values are not the cell centres (k+0.5)*{L}/{n}")
        if ds.attrs.get("units") != "mm":
            problems.append(f"{path}@units is not 'mm'")
    return dim, nz, nx, ny


def _check_fields(f, grid, problems):
    if "fields" not in f:
        return  # runs with output.fields_every = 0 have none
    g = f["fields"]
    if "time" not in g:
        problems.append("/fields/time: missing")
        nt = None
    else:
        t = g["time"]
        _check_units("/fields/time", t, problems)
        nt = t.shape[0] if t.ndim == 1 else None
        if t.ndim != 1 or t.maxshape != (None,):
            problems.append(f"/fields/time: expected 1-D unlimited, got {t.shape} max {t.maxshape}")
    for name, ds in g.items():
        if name == "time":
            continue
        path = f"/fields/{name}"
        if not isinstance(ds, h5py.Dataset):
            problems.append(f"{path}: expected a dataset")
            continue
        _check_units(path, ds, problems)
        if not _is_float64(ds):
            problems.append(f"{path}: dtype {ds.dtype}, expected float64")
        if ds.maxshape[0] is not None:
            problems.append(f"{path}: time dimension is not unlimited")
        if grid is not None:
            dim, nz, nx, ny = grid
            want = {1: (nz,), 2: (nz, nx), 3: (nz, ny, nx)}[dim]
            if ds.shape[1:] != want:
                problems.append(f"{path}: shape {ds.shape}, expected (t,) + {want} (z, y, x order)")
        if nt is not None and ds.shape[0] != nt:
            problems.append(f"{path}: {ds.shape[0]} snapshots but /fields/time has {nt}")
        # docs/output.md: chunks of whole snapshots; deflated only from 64 kB per snapshot, and then
        # one snapshot per chunk (a deflated chunk is written once: rewriting moves it, which a
        # killed run cannot survive); plain chunks hold min(64, max(1, 1 MiB / snapshot)) of them
        if ds.chunks is None:
            problems.append(f"{path}: not chunked")
        else:
            snap = int(np.prod(ds.shape[1:])) * 8
            if ds.compression and snap < 65536:
                problems.append(f"{path}: {ds.compression} on {snap}-byte snapshots (plain below 64 kB)")
            want_t = 1 if ds.compression else min(64, max(1, (1 << 20) // snap))
            if ds.chunks != (want_t,) + ds.shape[1:]:
                problems.append(f"{path}: chunks {ds.chunks}, expected ({want_t},) + {ds.shape[1:]}")


def _check_scalars(f, group, problems, strings_ok):
    def visit(name, obj):
        path = f"/{group}/{name}"
        if isinstance(obj, h5py.Group):
            return
        _check_units(path, obj, problems)
        if obj.shape != ():
            problems.append(f"{path}: expected a scalar, got shape {obj.shape}")
        if not (_is_float64(obj) or (strings_ok and _is_string(obj))):
            problems.append(f"{path}: dtype {obj.dtype}, expected float64" + (" or string" if strings_ok else ""))
    f[group].visititems(visit)


def _check_treatments(f, problems):
    if "treatments" not in f:
        return
    g = f["treatments"]
    n = None
    for name in ("type", "day", "dose", "viability", "source", "cells"):
        path = f"/treatments/{name}"
        if name not in g:
            problems.append(f"{path}: missing")
            continue
        ds = g[name]
        _check_units(path, ds, problems)
        if ds.ndim != 1:
            problems.append(f"{path}: expected 1-D, got shape {ds.shape}")
            continue
        if name in ("type", "source") and not _is_string(ds):
            problems.append(f"{path}: expected strings, got {ds.dtype}")
        if name not in ("type", "source") and not _is_float64(ds):
            problems.append(f"{path}: expected float64, got {ds.dtype}")
        if n is None:
            n = ds.shape[0]
        elif ds.shape[0] != n:
            problems.append(f"{path}: length {ds.shape[0]}, other treatment columns have {n}")


def check(path, require_complete=True, expect_names=False):
    """Problems found in the cartsim output file `path` (empty list: layout ok)."""
    problems = []
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        return [f"{path}: cannot open as HDF5 ({e})"]
    with f:
        _check_attrs_are_str(f, problems)

        status = None
        if "meta" not in f:
            problems.append("/meta: missing group")
        else:
            meta = f["meta"]
            for key in META_REQUIRED:
                if key not in meta.attrs:
                    problems.append(f"/meta: missing attribute {key}")
            status = meta.attrs.get("status")
            if status not in STATUSES:
                problems.append(f"/meta@status = {status!r}, expected one of {STATUSES}")
            elif require_complete and status != "complete":
                reason = meta.attrs.get("status_reason", "")
                problems.append(f"/meta@status = {status!r} ({reason}): the run was interrupted or failed")
            if "config" in meta and not _is_string(meta["config"]):
                problems.append("/meta/config: not a string dataset")

        complete = status == "complete"
        for group in ("parameters", "grid", "timeseries"):
            if complete and group not in f:
                problems.append(f"/{group}: missing group")
        if complete and "outcomes" not in f:
            problems.append("/outcomes: missing group")

        if "parameters" in f:
            _check_scalars(f, "parameters", problems, strings_ok=True)
        grid = _grid_shape(f, problems) if "grid" in f else None
        if "timeseries" in f:
            n = _check_series_group(f, "timeseries", problems, TIMESERIES if expect_names else ["time"])
            if n is not None and n > 1:
                t = f["timeseries/time"][()] if "time" in f["timeseries"] else None
                if t is not None and np.any(np.diff(t) <= 0):
                    problems.append("/timeseries/time: not strictly increasing")
        if "solver" in f:
            _check_series_group(f, "solver", problems, SOLVER if expect_names else None)
        elif expect_names:
            problems.append("/solver: missing group")
        _check_fields(f, grid, problems)
        if "outcomes" in f:
            _check_scalars(f, "outcomes", problems, strings_ok=False)
            for name in OUTCOMES if expect_names else []:
                if name not in f["outcomes"]:
                    problems.append(f"/outcomes/{name}: missing")
        _check_treatments(f, problems)
    return problems


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--allow-incomplete", "--names"}
    if unknown or not args:
        sys.stderr.write(__doc__)
        return 2
    bad = 0
    for path in args:
        problems = check(path, require_complete="--allow-incomplete" not in flags, expect_names="--names" in flags)
        for p in problems:
            sys.stderr.write(f"{path}: {p}\n")
        print(f"{path}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
