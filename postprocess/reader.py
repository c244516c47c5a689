"""Read one cartsim HDF5 run file (layout: solvers/io/h5out.h, docs/output.md).

    run = Run("results/untreated.h5")
    run.status, run.complete          # "complete" / "running" / "failed" / "interrupted"
    run.time                          # /timeseries/time, days
    run.series("thickness")           # numpy array, one value per output step
    run.units("thickness")            # "mm"
    run.field("c"), run.field_times   # [t, nz(, ny), nx] and the snapshot days
    run.grid.z, run.grid.dim          # cell centres (mm) and dimension
    run.parameters["K_R"]             # (value, units)
    run.outcomes["years_to_c80"]      # float
    run.treatments                    # [{"type": "msc", "day": 180.0, ...}]

Every value is read when first asked for and kept in the Run object; the file
is opened only for the duration of each read (so a file still being written by
a running simulation can be looked at). Strings come back as str whether
HDF5 stored them as bytes or as str.
"""

import os
from dataclasses import dataclass

import h5py
import numpy as np

from .cli import InputError

SPECIES = ("P", "R", "Z", "M", "F", "a", "c", "Ch", "E")
DAYS_PER_YEAR = 365.0


def yaml12_loader():
    """A yaml.SafeLoader that also reads YAML 1.2 floats without a decimal point (1e-06, 5e+07,
    the way cartsim writes them in /meta/config) as numbers, not strings."""
    import re

    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
        list("-+0123456789."))
    return Loader


class CartsimFileError(InputError):
    """A run file is missing, unreadable, or lacks a group or dataset."""


def to_str(value):
    """bytes / numpy bytes / 0-d arrays of those -> str; other values unchanged."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.str_):
        return str(value)
    return value


def _scalar(value):
    """A dataset/attribute value as a plain Python scalar or str."""
    value = to_str(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SO":
            return [to_str(v) for v in value.tolist()]
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass
class Grid:
    """The /grid group: cell centres (mm) and sizes. Lateral axes are None in 1-D."""

    dim: int
    nz: int
    nx: int
    ny: int
    H: float
    Lx: float
    Ly: float
    z: np.ndarray
    x: np.ndarray = None
    y: np.ndarray = None


class Run:
    """One cartsim output file. `label` names the run in figures (default: file stem)."""

    def __init__(self, path, label=None):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise CartsimFileError(f"{self.path}: no such file")
        try:
            with self._open():
                pass
        except OSError as err:
            raise CartsimFileError(f"{self.path}: cannot open as HDF5 ({err})") from err
        self.label = label or os.path.splitext(os.path.basename(self.path))[0]
        self._cache = {}

    def __repr__(self):
        return f"Run({self.path!r}, label={self.label!r}, status={self.status!r})"

    # -- file access -------------------------------------------------------
    def _open(self):
        try:
            return h5py.File(self.path, "r", locking=False)
        except TypeError:  # h5py/HDF5 without the locking option
            return h5py.File(self.path, "r")

    def _group(self, f, name):
        if name not in f or not isinstance(f[name], h5py.Group):
            raise CartsimFileError(f"{self.path}: no group /{name} in this file "
                                   f"(groups present: {', '.join('/' + k for k in f.keys()) or 'none'})")
        return f[name]

    def _cached(self, key, load):
        """Every read goes through here: HDF5's errors after the open (a damaged
        file: h5py raises RuntimeError, KeyError or OSError) become one
        CartsimFileError naming the file (they were tracebacks, or exit 4,
        "cannot write", without the file's name)."""
        if key not in self._cache:
            try:
                with self._open() as f:
                    self._cache[key] = load(f)
            except CartsimFileError:
                raise
            except (RuntimeError, KeyError, OSError) as err:
                reason = err.args[0] if isinstance(err, KeyError) and err.args else err
                raise CartsimFileError(f"{self.path}: cannot read it (damaged?): {reason}") from err
        return self._cache[key]

    def has(self, group):
        """True if the file has the group (e.g. "fields", "treatments")."""
        return self._cached(("has", group), lambda f: group in f)

    # -- /meta ---------------------------------------------------------------
    @property
    def meta(self):
        """/meta attributes (str or numbers) plus "config": the resolved YAML text."""
        def load(f):
            g = self._group(f, "meta")
            d = {k: _scalar(v) for k, v in g.attrs.items()}
            if "config" in g:
                d["config"] = to_str(g["config"][()])
            return d
        return self._cached("meta", load)

    @property
    def status(self):
        """"complete", "running" (still running, or killed), "interrupted" (stopped by a signal
        after a checkpoint: `--restart` continues it) or "failed"."""
        return str(self.meta.get("status", "unknown"))

    @property
    def complete(self):
        return self.status == "complete"

    @property
    def config(self):
        """The resolved config as a dict (parsed /meta/config), or {} if absent. Numbers are
        numbers: cartsim writes reals such as `rtol: 1e-06` and `dose: 5e+07` (YAML 1.2), which
        PyYAML's YAML 1.1 `safe_load` returns as the strings '1e-06' and '5e+07'."""
        import yaml

        text = self.meta.get("config")
        return yaml.load(text, Loader=yaml12_loader()) or {} if text else {}

    # -- /parameters ---------------------------------------------------------
    @property
    def parameters(self):
        """name -> (value, units). Model parameters by their model.md name;
        other sections as "section.name" (e.g. "grid.nz", "run.t_end")."""
        def load(f):
            out = {}

            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    key = name.replace("/", ".")
                    out[key] = (_scalar(obj[()]), to_str(obj.attrs.get("units", "")))
            self._group(f, "parameters").visititems(visit)
            return out
        return self._cached("parameters", load)

    def parameter(self, name):
        """Value of one parameter (KeyError names the file)."""
        try:
            return self.parameters[name][0]
        except KeyError:
            raise CartsimFileError(f"{self.path}: no parameter {name!r} in /parameters") from None

    # -- /timeseries, /solver ------------------------------------------------
    def _series_group(self, group):
        def load(f):
            g = self._group(f, group)
            out = {k: (np.asarray(ds[()], dtype=float), to_str(ds.attrs.get("units", "")),
                       to_str(ds.attrs.get("long_name", "")))
                   for k, ds in g.items() if isinstance(ds, h5py.Dataset)}
            # a run killed in the middle of a flush can leave one series a row longer than
            # another (docs/output.md): every series is cut to the shortest, so that each
            # value has its time
            n = min((len(v[0]) for v in out.values()), default=0)
            return {k: (v[0][:n], v[1], v[2]) for k, v in out.items()}
        return self._cached(group, load)

    def series(self, name):
        """/timeseries/<name> as a float array (one value per output step)."""
        g = self._series_group("timeseries")
        if name not in g:
            raise CartsimFileError(f"{self.path}: no dataset /timeseries/{name} "
                                   f"(available: {', '.join(sorted(g))})")
        return g[name][0]

    def units(self, name, group="timeseries"):
        """The units attribute of a time series (or solver counter)."""
        self.series(name) if group == "timeseries" else self.solver(name)
        return self._series_group(group)[name][1]

    def long_name(self, name, group="timeseries"):
        self.series(name) if group == "timeseries" else self.solver(name)
        return self._series_group(group)[name][2]

    @property
    def series_names(self):
        return sorted(self._series_group("timeseries"))

    @property
    def time(self):
        """Output times in days. Branch runs start at their branching day."""
        return self.series("time")

    @property
    def years(self):
        return self.time / DAYS_PER_YEAR

    def solver(self, name):
        """/solver/<name>: cumulative solver counters and timings per output step."""
        g = self._series_group("solver")
        if name not in g:
            raise CartsimFileError(f"{self.path}: no dataset /solver/{name} (available: {', '.join(sorted(g))})")
        return g[name][0]

    @property
    def solver_names(self):
        return sorted(self._series_group("solver"))

    # -- /outcomes -----------------------------------------------------------
    @property
    def outcomes(self):
        """/outcomes as name -> float (NaN where the run says "not reached")."""
        def load(f):
            g = self._group(f, "outcomes")
            return {k: float(ds[()]) for k, ds in g.items() if isinstance(ds, h5py.Dataset)}
        return self._cached("outcomes", load)

    # -- /grid and /fields ---------------------------------------------------
    @property
    def grid(self):
        def load(f):
            g = self._group(f, "grid")
            a = g.attrs
            dim = int(a.get("dim", 1))

            def axis(name):
                return np.asarray(g[name][()], dtype=float) if name in g else None
            z = axis("z")
            if z is None:
                raise CartsimFileError(f"{self.path}: no dataset /grid/z")
            return Grid(dim=dim, nz=int(a.get("nz", len(z))), nx=int(a.get("nx", 1)), ny=int(a.get("ny", 1)),
                        H=float(a.get("H", 2 * z[-1] - z[-2] if len(z) > 1 else 2 * z[0])),
                        Lx=float(a.get("Lx", np.nan)), Ly=float(a.get("Ly", np.nan)),
                        z=z, x=axis("x"), y=axis("y"))
        return self._cached("grid", load)

    @property
    def field_names(self):
        def load(f):
            return [k for k in self._group(f, "fields") if k != "time"]
        return self._cached("field_names", load)

    @property
    def field_times(self):
        """Days of the field snapshots (/fields/time)."""
        def load(f):
            g = self._group(f, "fields")
            if "time" not in g:
                raise CartsimFileError(f"{self.path}: no dataset /fields/time")
            return np.asarray(g["time"][()], dtype=float)
        return self._cached("field_times", load)

    def field(self, species):
        """/fields/<species>: float array [t, nz], [t, nz, nx] or [t, nz, ny, nx]."""
        def load(f):
            g = self._group(f, "fields")
            if species not in g:
                raise CartsimFileError(f"{self.path}: no dataset /fields/{species} "
                                       f"(available: {', '.join(k for k in g if k != 'time')})")
            return np.asarray(g[species][()], dtype=float)
        return self._cached(("field", species), load)

    def snapshot_index(self, day):
        """Index of the field snapshot nearest to `day`."""
        t = self.field_times
        if len(t) == 0:
            raise CartsimFileError(f"{self.path}: /fields has no snapshots")
        return int(np.argmin(np.abs(t - day)))

    def depth_profile(self, species, index):
        """Field snapshot `index` averaged over the lateral directions: [nz]."""
        snap = self.field(species)[index]
        return snap.reshape(snap.shape[0], -1).mean(axis=1)

    # -- /treatments ---------------------------------------------------------
    @property
    def treatments(self):
        """[{"type", "day", "dose", "viability", "source", "cells"}, ...] in file order; [] if
        none (files before 2026-12-03 have no "source" and "cells")."""
        def load(f):
            if "treatments" not in f:
                return []
            g = f["treatments"]
            cols = {}
            for k, ds in g.items():
                if not isinstance(ds, h5py.Dataset):
                    continue
                v = ds[()]
                v = np.atleast_1d(v)
                text = ds.dtype.kind in "SUO"
                cols[k] = [to_str(x) if text else float(x) for x in v.tolist()]
            n = max((len(c) for c in cols.values()), default=0)
            return [{k: c[i] for k, c in cols.items() if i < len(c)} for i in range(n)]
        return self._cached("treatments", load)

    @property
    def start_day(self):
        """First output time (0 for a full run, the branching day for a branch)."""
        return float(self.time[0])

    @property
    def end_day(self):
        return float(self.time[-1])
