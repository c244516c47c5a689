"""Regression checks of the 1-D reference model against the prototype numbers
of shared/model.md ("What the prototype showed with these values").

Usage: check_reference.py DIR   (DIR holds the runs made by CMakeLists.txt:
untreated.h5, healthy.h5, msc_early.h5, msc_late.h5, il1ra.h5)

Each check compares a number with a stated tolerance; the script prints
every comparison and exits 1 if any fails.
"""
import sys

import h5py
import numpy as np

YEAR = 365.0
failures = []


def series(path, name):
    with h5py.File(path, "r") as f:
        status = f["meta"].attrs["status"]
        status = status.decode() if isinstance(status, bytes) else status
        if status != "complete":
            failures.append(f"{path}: status {status!r}, expected 'complete'")
        return f["timeseries/time"][:], f["timeseries/" + name][:]


def at(path, name, day):
    t, v = series(path, name)
    return float(np.interp(day, t, v))


def outcome(path, name):
    with h5py.File(path, "r") as f:
        return float(f["outcomes/" + name][()])


def check(label, value, expected, rtol=0.0, atol=0.0):
    ok = abs(value - expected) <= atol + rtol * abs(expected)
    print(f"{'ok  ' if ok else 'FAIL'} {label}: {value:.6g} (expected {expected:.6g}, rtol {rtol:g}, atol {atol:g})")
    if not ok:
        failures.append(label)


def main(d):
    un, he = f"{d}/untreated.h5", f"{d}/healthy.h5"
    early, late, il1 = f"{d}/msc_early.h5", f"{d}/msc_late.h5", f"{d}/il1ra.h5"

    # target 1: healthy joint, 10 years
    check("healthy: mean a at 10 y", at(he, "mean_a", 3650), 0.977, rtol=0.005)
    check("healthy: mean c at 10 y", at(he, "mean_c", 3650), 1.000, rtol=0.002)
    check("healthy: P_s at 10 y", at(he, "P_s", 3650), 0.0048, rtol=0.03)
    _, a = series(he, "mean_a")
    _, c = series(he, "mean_c")
    check("healthy: min over 10 y of min(mean a, mean c) > 0.95", float(min(a.min(), c.min())) > 0.95, 1.0)

    # untreated progression after the injury window
    check("untreated: P_s at day 180", at(un, "P_s", 180), 0.063, rtol=0.02)
    check("untreated: P_s at year 5", at(un, "P_s", 5 * YEAR), 0.071, rtol=0.02)
    for year, th in enumerate([2.400, 2.342, 2.243, 2.147, 2.057, 1.973]):
        check(f"untreated: thickness at year {year} (mm)", at(un, "thickness", year * YEAR), th, rtol=0.005)
    check("untreated: mean a at day 120", at(un, "mean_a", 120), 0.70, rtol=0.02)
    check("untreated: mean c at day 120", at(un, "mean_c", 120), 0.997, rtol=0.002)
    check("untreated: mean c at year 4", at(un, "mean_c", 4 * YEAR), 0.857, rtol=0.005)
    check("untreated: thickness_loss_pct outcome", outcome(un, "thickness_loss_pct"),
          100 * (2.4 - at(un, "thickness", 5 * YEAR)) / 2.4, rtol=1e-9, atol=1e-9)

    # MSC retention (Toupet 2013): 16 % at 30 days, 1.6 % at 180 days
    check("MSC retained 30 days after injection", outcome(early, "msc_retained_30d"), 0.16, atol=0.01)
    check("MSC retained 180 days after injection", outcome(early, "msc_retained_180d"), 0.016, atol=0.002)

    # early beats late: +17 points at month 6, +1.3 at year 4 (thickness at year 5, % of 2.4 mm)
    base = at(un, "thickness", 5 * YEAR)
    early_gain = 100 * (at(early, "thickness", 5 * YEAR) - base) / 2.4
    late_gain = 100 * (at(late, "thickness", 5 * YEAR) - base) / 2.4
    il1_gain = 100 * (at(il1, "thickness", 5 * YEAR) - base) / 2.4
    check("benefit of 5e7 MSCs at day 180 (points)", early_gain, 17.0, atol=1.0)
    check("benefit of 5e7 MSCs at day 1460 (points)", late_gain, 1.3, atol=0.3)
    check("early benefit exceeds late benefit 5-fold", float(early_gain > 5 * late_gain), 1.0)
    check("early injection returns the joint to health: P_s at year 5", at(early, "P_s", 5 * YEAR), 0.0066,
          rtol=0.1)
    check("late injection relapses: P_s at year 5", at(late, "P_s", 5 * YEAR), 0.071, rtol=0.03)
    check("IL-1Ra bolus at day 180 (points)", il1_gain, 0.04, atol=0.03)

    # MSC mass balance: injected + proliferated = in joint + died + differentiated + cleared
    for path in (early, late):
        with h5py.File(path, "r") as f:
            ts = f["timeseries"]
            lhs = ts["msc_injected"][:] + ts["msc_proliferated"][:]
            rhs = ts["msc_in_joint"][:] + ts["msc_died"][:] + ts["msc_differentiated"][:] + ts["msc_cleared"][:]
            err = float(np.max(np.abs(lhs - rhs)) / 5e7)
        check(f"{path}: MSC mass balance error / dose", err, 0.0, atol=1e-6)

    print(f"{len(failures)} failed" if failures else "all reference checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
