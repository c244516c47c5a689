"""A branch started from a saved state must reproduce the continuous run.

Usage: check_branch.py continuous.h5 history.h5 branch.h5 [branch.h5 ...]
- every time series of the branch equals the continuous run's at the same
  times (t >= the branching day; min_<s> series with the absolute scale
  of mean_<s>): to 1e-8 relative for the first branch (same
  rank count, so the same solver path), to 1e-4 for the others (another rank
  count changes the preconditioner and so the step sequence; at the run's
  rtol 1e-6 the global error of N is about 2e-5);
- the branch's outcomes that refer to the whole history (thickness lost,
  synovitis area, MSC retention) equal the continuous run's;
- benefit_thickness_points equals the thickness difference to the history
  (the untreated run) at the horizon, in points of the initial thickness.
"""
import sys

import h5py
import numpy as np

failures = []


def close(label, a, b, rtol, atol=1e-12):
    a, b = np.asarray(a, float), np.asarray(b, float)
    bad = np.abs(a - b) > atol + rtol * np.abs(b)
    if np.any(bad):
        i = int(np.argmax(bad))
        failures.append(f"{label}: {a.flat[i]!r} != {b.flat[i]!r}")


def main(cont_path, hist_path, branches):
    with h5py.File(cont_path, "r") as c, h5py.File(hist_path, "r") as h:
        tc = c["timeseries/time"][:]
        th_hist = h["timeseries/thickness"][:]
        for nb, path in enumerate(branches):
            rtol = 1e-8 if nb == 0 else 1e-4
            with h5py.File(path, "r") as b:
                if b["meta"].attrs["status"] != "complete":
                    failures.append(f"{path}: not complete")
                tb = b["timeseries/time"][:]
                t0 = float(b["meta"].attrs["t_start"])
                close(f"{path}: starts at the saved day", tb[0], 180.0, 0, 1e-9)
                idx = np.searchsorted(tc, tb)
                close(f"{path}: output times", tc[idx], tb, 0, 1e-9)
                for name in b["timeseries"]:
                    # min_<s> is a round-off-level diagnostic near zero: its scale is the species' own
                    # (mean_<s>), not its own peak, which may be 1e-13
                    ref = "mean_" + name[4:] if name.startswith("min_") and "mean_" + name[4:] in c["timeseries"] else name
                    scale = np.max(np.abs(c["timeseries"][ref][:])) + 1e-30
                    close(f"{path}: {name}", b["timeseries"][name][:], c["timeseries"][name][idx], rtol, max(1e-7 * scale, 1e-10))
                for name in ("thickness_loss_pct", "synovitis_auc", "msc_retained_30d", "msc_retained_180d"):
                    close(f"{path}: outcome {name}", b["outcomes"][name][()], c["outcomes"][name][()], rtol)
                benefit = 100 * (b["timeseries/thickness"][-1] - th_hist[-1]) / th_hist[0]
                close(f"{path}: benefit_thickness_points", b["outcomes/benefit_thickness_points"][()], benefit, 1e-9)
                print(f"{path}: branch from day {t0:g} checked against {cont_path}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
