"""ARKODE (diagonally implicit Runge-Kutta) agrees with CVODE (BDF) on the
reference model with an early MSC injection: every time series to 1e-4
relative to the value plus 1e-3 of the series' peak (MSC numbers decay by
orders of magnitude: far below their peak both codes are at their absolute
tolerance), and the outcomes to 1e-4. With --max-newton-per-step X, the
ARKODE run's Newton iterations per step are at most X (the DIRK's stages
start from the maximum-order predictor: ~6.1 a step on this run, 11.5
with ARKODE's default predictor).
Usage: check_integrators.py CVODE.h5 ARKODE.h5 [--max-newton-per-step X]"""
import sys

import h5py
import numpy as np

bad = []
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    for f in (a, b):
        if f["meta"].attrs["status"] != "complete":
            bad.append(f"{f.filename}: not complete")
    for k in a["timeseries"]:
        if k.startswith("min_"):
            continue  # smallest values are round-off-level diagnostics, integrator-specific by nature
        x, y = a["timeseries"][k][:], b["timeseries"][k][:]
        scale = np.max(np.abs(x)) + 1e-30
        err = np.max(np.abs(x - y) / (np.abs(x) + 1e-3 * scale))
        if err > 1e-4:
            bad.append(f"timeseries/{k}: relative difference {err:.2e}")
    for k in ("thickness_loss_pct", "synovitis_auc", "msc_retained_30d", "msc_retained_180d"):
        x, y = float(a["outcomes"][k][()]), float(b["outcomes"][k][()])
        if abs(x - y) > 1e-4 * abs(x):
            bad.append(f"outcomes/{k}: {x} vs {y}")
    if "--max-newton-per-step" in sys.argv:
        most = float(sys.argv[sys.argv.index("--max-newton-per-step") + 1])
        per_step = float(b["solver/newton_iters"][-1]) / float(b["solver/steps"][-1])
        if per_step > most:
            bad.append(f"ARKODE took {per_step:.2f} Newton iterations a step (at most {most:g})")
    ark = b["parameters/solver/integrator"][()]
    if (ark.decode() if isinstance(ark, bytes) else ark) != "arkode":
        bad.append("the second file was not made by ARKODE")
for m in bad:
    print("FAIL", m)
print(f"{len(bad)} differences beyond tolerance between CVODE and ARKODE")
sys.exit(1 if bad else 0)
