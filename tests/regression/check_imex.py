"""ARKODE with the IMEX split (solver.arkode_split: imex: reactions explicit,
transport and synovial fluid implicit) agrees with CVODE (BDF, everything
implicit) on the reference model with an MSC injection at day 180, over the
IMEX run's horizon (a prefix of the CVODE run).

Tolerance, as for the DIRK (check_integrators.py): every time series to 1e-4
relative to the value plus 1e-3 of the series' peak (MSC numbers decay by
orders of magnitude: far below their peak both codes are at their absolute
tolerance); the MSC retention outcomes to 1e-4 relative. Both runs use
rtol 1e-6, so the differences seen are ~3e-5 (CVODE's own error).

The IMEX run must really be IMEX: its parameters say so, and its steps stay
within the explicit stability limit of the fastest reaction decay
(h * max(del_P, del_R) <= 4; the ERK parts of ARKODE's ARK pairs are stable
to about 2.5 on the negative real axis, while the DIRK and BDF steps reach
days).
Usage: check_imex.py CVODE.h5 IMEX.h5"""
import sys

import h5py
import numpy as np

TOL = 1e-4
bad = []


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    for f in (a, b):
        if f["meta"].attrs["status"] != "complete":
            bad.append(f"{f.filename}: not complete")
    for key, want in (("integrator", "arkode"), ("arkode_split", "imex")):
        got = text(b["parameters/solver/" + key][()]) if "parameters/solver/" + key in b else "(absent)"
        if got != want:
            bad.append(f"the second file has solver.{key} = {got}, not {want}")
    ta, tb = a["timeseries/time"][:], b["timeseries/time"][:]
    idx = np.minimum(np.searchsorted(ta, tb), len(ta) - 1)
    if len(tb) < 50 or not np.allclose(ta[idx], tb, rtol=0, atol=1e-9):
        bad.append(f"output times differ ({len(tb)} IMEX outputs, to day {tb[-1]:g})")
    else:
        worst = (0.0, "")
        for k in a["timeseries"]:
            if k.startswith("min_"):
                continue  # smallest values are round-off-level diagnostics, integrator-specific by nature
            x, y = a["timeseries"][k][:][idx], b["timeseries"][k][:]
            scale = np.max(np.abs(x)) + 1e-30
            err = float(np.max(np.abs(x - y) / (np.abs(x) + 1e-3 * scale)))
            worst = max(worst, (err, k))
            if err > TOL:
                bad.append(f"timeseries/{k}: relative difference {err:.2e}")
        print(f"largest difference: {worst[1]} {worst[0]:.2e} (tolerance {TOL:g}), days 0-{tb[-1]:g}")
    for k in ("msc_retained_30d", "msc_retained_180d"):
        x, y = float(a["outcomes"][k][()]), float(b["outcomes"][k][()])
        if not abs(x - y) <= TOL * abs(x):
            bad.append(f"outcomes/{k}: {x} vs {y}")
    rate = max(float(b["parameters/del_P"][()]), float(b["parameters/del_R"][()]))
    hmax = float(np.max(b["solver/last_step"][:]))
    if hmax * rate > 4.0:
        bad.append(f"a step of {hmax:.3g} day: h * {rate:g}/day = {hmax * rate:.2f} > 4, the reactions are not explicit")
    s = b["solver"]
    print(f"IMEX: {int(s['steps'][-1])} steps (largest sampled {hmax:.3g} day, h*rate {hmax * rate:.2f}), "
          f"{int(s['rhs_evals'][-1])} RHS, {int(s['newton_iters'][-1])} Newton, {int(s['krylov_iters'][-1])} Krylov, "
          f"{int(s['err_test_fails'][-1])} error-test failures, {float(s['solve_seconds'][-1]):.2f} s")
for m in bad:
    print("FAIL", m)
print(f"{len(bad)} differences beyond tolerance between CVODE and ARKODE IMEX")
sys.exit(1 if bad else 0)
