"""Small synthetic run files in the cartsim HDF5 layout (solvers/io/h5out.h).

The curves imitate the reference model's behaviour (untreated thickness
falling ~3.6 %/year and the synovium staying inflamed, an early MSC branch
recovering: inflammation gone, aggrecan back; a late one calming the joint
for a few weeks and barely helping, an IL-1Ra bolus doing nothing) so the
figures look like real ones, but they are made up: only the layout is real.
Used by test_postprocess.py.

    write_run(path, kind="untreated"|"msc_early"|"msc_late"|"il1ra_early",
              dim=1, t_end=1825, start=0, status="complete", overrides=None)
"""

import h5py
import numpy as np

SPECIES = ["P", "R", "Z", "M", "F", "a", "c", "Ch", "E"]
UNITS = {"P": "ng/mL", "R": "ng/mL", "Z": "nM", "M": "nM", "F": "1", "a": "1", "c": "1", "Ch": "1",
         "E": "cells/mm^3"}
H = 2.4
LONG_NAMES = {"K_R": "antagonist constant: R competes with P for the receptor",
              "k_cl": "clearance of soluble factors from the fluid (Owen 1994)",
              "sig_ins": "extra synovial P production during the injury window"}
TREAT = {"msc_early": ("msc", 180.0, 5e7), "msc_late": ("msc", 1460.0, 5e7), "il1ra_early": ("il1ra", 180.0, 150.0)}


def _vstr(f_or_g, name, value):
    f_or_g.attrs.create(name, value, dtype=h5py.string_dtype("utf-8"))


def _dset(g, name, data, units, long_name="", maxshape=None, chunks=None):
    ds = g.create_dataset(name, data=np.asarray(data, dtype=np.float64), maxshape=maxshape, chunks=chunks)
    _vstr(ds, "units", units)
    _vstr(ds, "long_name", long_name or name)
    return ds


def damage(t, kind):
    """Collagen damage (0 healthy .. ~0.18 at 5 y untreated) as a function of days."""
    d = 0.036 * 2.4 / 2.4 * np.maximum(t - 60, 0) / 365.0 * 1.0
    if kind in TREAT:
        typ, day, _ = TREAT[kind]
        d0 = 0.036 * max(day - 60, 0) / 365.0
        if typ == "msc" and day < 1000:
            d = np.where(t < day, d, d0 * np.exp(-(t - day) / 400.0) + 0.0)
        elif typ == "msc":
            d = np.where(t < day, d, d - 0.013 * (1 - np.exp(-(t - day) / 60.0)))
        else:
            d = np.where(t < day, d, d - 0.0004 * (1 - np.exp(-(t - day) / 5.0)))
    return d


def series_for(t, kind):
    """Dict name -> array of the time series for the synthetic branch `kind`."""
    d = damage(t, kind)
    s = {"time": t, "thickness": H * (1 - d), "mean_c": 1 - d * 1.0, "surface_c": 1 - 2 * d}
    s["mean_a"] = 0.7 + 0.3 * np.exp(-t / 200.0)
    if kind == "msc_early":  # aggrecan grows back once the inflammation is gone
        day = TREAT[kind][1]
        a_day = 0.7 + 0.3 * np.exp(-day / 200.0)
        s["mean_a"] = np.where(t < day, s["mean_a"], 1 - (1 - a_day) * np.exp(-(t - day) / 60.0))
    Ps = 0.005 + 0.06 * (1 - np.exp(-t / 10.0))
    Ps = np.where((t > 0) & (t < 120), 0.065, Ps)
    injected = np.zeros_like(t)
    in_joint = np.zeros_like(t)
    differentiated = np.zeros_like(t)
    Rs = np.full_like(t, 10.0)
    if kind in TREAT:
        typ, day, dose = TREAT[kind]
        after = t >= day
        if typ == "msc":
            injected = np.where(after, dose * 0.9, 0.0)
            # 16 % at 30 days, 1.6 % at 180 days (two-exponential retention)
            dt = np.maximum(t - day, 0)
            frac = 0.1375 * np.exp(-dt / 60.0) + 0.8625 * np.exp(-dt / 4.0)
            frac = frac * (0.16 / (0.1375 * np.exp(-0.5) + 0.8625 * np.exp(-7.5)))
            in_joint = np.where(after, injected * frac, 0.0)
            # as the reference model: the cells add ~0.003 % to R_s, ~1 in 6000 become chondrocytes
            Rs = Rs * (1 + 3e-5 * in_joint / np.maximum(in_joint.max(), 1.0))
            differentiated = np.where(after, injected * 1.7e-4 * (1 - np.exp(-dt / 100.0)), 0.0)
            if day < 1000:
                Ps = np.where(after, 0.005 + 0.058 * np.exp(-(t - day) / 40.0), Ps)
            else:  # calmed for a few weeks, then inflamed again
                Ps = np.where(after, Ps - 0.058 * np.exp(-(t - day) / 60.0), Ps)
        else:
            Rs = np.where(after, 10 + 1.5e7 * np.exp(-9.4 * (t - day)), Rs)
    s.update({"P_s": Ps, "R_s": Rs, "F_s": 1e-4 + d * 1e-3, "N": in_joint * 0.3, "N_syn": in_joint * 0.6,
              "E_total": in_joint * 0.1, "msc_injected": injected, "msc_in_joint": in_joint,
              "msc_differentiated": differentiated,
              "synovitis": Ps / (Ps + 0.01 * 5), "synovitis_auc": np.cumsum(Ps / (Ps + 0.05)) * 5.0})
    for sp in SPECIES:
        s.setdefault(f"mean_{sp}", np.full_like(t, 0.01))
        s.setdefault(f"min_{sp}", np.full_like(t, 0.005))
    return s


def field_for(sp, t, z, kind, x=None):
    """Field values [t, nz] (or [t, nz, nx] with x) for species sp."""
    d = damage(t, kind)[:, None]
    depth = (H - z)[None, :]
    if sp == "c":
        v = 1 - d * 5.0 * np.exp(-depth / 0.5)
    elif sp == "a":
        v = 1 - (0.3 + 0.3 * np.exp(-t / 200.0))[:, None] * np.exp(-depth / 0.8)
    elif sp == "Ch":
        v = 1 - d * 2.0 * np.exp(-depth / 0.6)
    else:
        v = 0.01 * np.exp(-depth) * np.ones_like(d)
    v = np.clip(v, 0, 1)
    if x is not None:
        lesion = np.exp(-((x - x.mean()) / 2.0) ** 2)
        v = v[:, :, None] * (1 - 0.3 * lesion[None, None, :])
    return v


def write_run(path, kind="untreated", dim=1, t_end=1825.0, start=0.0, status="complete", nz=16, nx=12,
              dt=5.0, fields_every=30.0, bytes_strings=False, with_fields=True, overrides=None, parameters=None):
    """Write a synthetic run file; returns the dict of what was written.
    overrides: time series name -> f(t, series) giving its values instead;
    parameters: model parameter name -> value, added or replaced."""
    t = np.arange(start, t_end + 1e-9, dt)
    ft = np.arange(start, t_end + 1e-9, fields_every)
    z = (np.arange(nz) + 0.5) * H / nz
    Lx = 10.0
    x = (np.arange(nx) + 0.5) * Lx / nx if dim >= 2 else None
    s = series_for(t, kind)
    for name, f in (overrides or {}).items():
        s[name] = np.asarray(f(t, s), dtype=float)
    written = {"time": t, "series": s, "field_time": ft, "z": z, "x": x, "fields": {}}
    with h5py.File(path, "w") as f:
        meta = f.create_group("meta")
        for k, v in {"status": status, "status_reason": "", "start_time": "2025-01-01T00:00:00Z",
                     "cartsim_version": "0.0-synthetic", "description": f"synthetic {kind}"}.items():
            if bytes_strings:
                meta.attrs[k] = np.bytes_(v)
            else:
                _vstr(meta, k, v)
        meta.attrs["ranks"] = np.int64(1)
        meta.create_dataset("config", data=f"description: synthetic {kind}\ngrid:\n  dim: {dim}\n",
                            dtype=h5py.string_dtype("utf-8"))
        p = f.create_group("parameters")
        for name, (value, unit) in {"K_R": (2.5, "ng/mL"), "gam_c": (4.5, "1"), "t_ins0": (0.0, "day"),
                                    "t_ins1": (120.0, "day"), "sig_ins": (0.6, "ng/mL/day"),
                                    "k_cl": (9.4, "1/day"), "sig_c": (1.6e-5, "1/day"),
                                    "k_wear": (0.003, "1/day"), "sig_aE": (0.0, "mm^3/(cell day)"),
                                    "sig_cE": (0.0, "mm^3/(cell day)")}.items():
            _dset(p, name, (parameters or {}).get(name, value), unit, LONG_NAMES.get(name, ""))
        for name, value in (parameters or {}).items():
            if name not in p:
                _dset(p, name, value, "1")
        pg = f.create_group("parameters/grid")
        _dset(pg, "nz", nz, "1")
        sch = f.create_group("parameters/solver")
        d = sch.create_dataset("precond", data=np.bytes_("line"))
        _vstr(d, "units", "-")
        g = f.create_group("grid")
        _dset(g, "z", z, "mm")
        if dim >= 2:
            _dset(g, "x", x, "mm")
        for k, v in {"dim": dim, "nz": nz, "nx": nx if dim >= 2 else 1, "ny": 1}.items():
            g.attrs[k] = np.int64(v)
        for k, v in {"H": H, "Lx": Lx if dim >= 2 else 1.0, "Ly": 1.0}.items():
            g.attrs[k] = float(v)
        _vstr(g, "units", "mm")
        ts = f.create_group("timeseries")
        units = {"time": "day", "thickness": "mm", "P_s": "ng/mL", "R_s": "ng/mL", "msc_in_joint": "cells",
                 "msc_injected": "cells", "msc_differentiated": "cells", "synovitis_auc": "day"}
        for name, v in s.items():
            _dset(ts, name, v, units.get(name, "1"), maxshape=(None,), chunks=(64,))
        sv = f.create_group("solver")
        _dset(sv, "steps", np.arange(len(t)) * 10.0, "1", maxshape=(None,), chunks=(64,))
        if with_fields:
            fg = f.create_group("fields")
            _dset(fg, "time", ft, "day", maxshape=(None,), chunks=(64,))
            for sp in SPECIES:
                v = field_for(sp, ft, z, kind, x)
                written["fields"][sp] = v
                _dset(fg, sp, v, UNITS[sp], maxshape=(None,) + v.shape[1:], chunks=(1,) + v.shape[1:])
        o = f.create_group("outcomes")
        th = s["thickness"]
        outcomes = {"thickness_loss_pct": 100 * (th[0] - th[-1]) / th[0], "thickness_loss_mm": th[0] - th[-1],
                    "years_to_c80": np.nan, "synovitis_auc": s["synovitis_auc"][-1], "msc_retained_30d": np.nan}
        written["outcomes"] = outcomes
        for k, v in outcomes.items():
            _dset(o, k, v, "1")
        tr = f.create_group("treatments")
        typ = [TREAT[kind][0]] if kind in TREAT else []
        day = [TREAT[kind][1]] if kind in TREAT else []
        dose = [TREAT[kind][2]] if kind in TREAT else []
        tr.create_dataset("type", data=np.array([v.encode() for v in typ], dtype="S8") if typ
                          else np.zeros(0, dtype="S8"))
        _dset(tr, "day", day, "day")
        _dset(tr, "dose", dose, "cells (msc) or mg (il1ra)")
        _dset(tr, "viability", [0.9] * len(typ), "1")
        tr.attrs["count"] = np.int64(len(typ))
        written["treatments"] = [{"type": a, "day": b, "dose": c, "viability": 0.9} for a, b, c in zip(typ, day, dose)]
    return written


def write_demo_set(directory, dim=1, branch=True, overrides=None, parameters=None, t_end=1825.0, dt=5.0):
    """untreated + msc_early + msc_late + il1ra_early in `directory`; branches
    start at their injection day when `branch` (like --from-state runs).
    overrides: kind -> write_run overrides; parameters: for every run; t_end: the runs' end;
    dt: the time-series step of every run, or a dict kind -> step (default 5)."""
    import os

    paths = {}
    for kind in ("untreated", "msc_early", "msc_late", "il1ra_early"):
        start = TREAT[kind][1] if (branch and kind in TREAT) else 0.0
        paths[kind] = os.path.join(directory, f"{kind}.h5")
        write_run(paths[kind], kind, dim=dim, start=start, overrides=(overrides or {}).get(kind),
                  parameters=parameters, t_end=t_end, dt=dt.get(kind, 5.0) if isinstance(dt, dict) else dt)
    return paths
