"""What the preconditioner tests (test_precond.py, test_pfmg_periodic.py)
share: one cartsim run of a config with --set overrides on 1 or more ranks,
read back as its solver statistics, resolved solver choices and time series
(min_* left out); and the comparison of two runs' time series."""
import os
import shutil
import subprocess

import h5py
import numpy as np

BIN = os.environ.get("CARTSIM_BIN", "build/cartsim")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           HDF5_USE_FILE_LOCKING="FALSE")


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def run_case(test, tmp, name, config, sets, ranks=1, timeout=240):
    """Run `config` into tmp/name.h5 (test.assertEqual checks the exit code) and read it back."""
    out = os.path.join(tmp, name + ".h5")
    cmd = [BIN, "run", config, "-o", out, "--force", "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    if ranks > 1:
        cmd = [shutil.which("mpirun"), "--oversubscribe", "-n", str(ranks)] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=timeout)
    test.assertEqual(r.returncode, 0, r.stderr)
    with h5py.File(out, "r") as f:
        s = f["solver"]
        run = {"newton": int(s["newton_iters"][-1]), "krylov_iters": int(s["krylov_iters"][-1]),
               "steps": int(s["steps"][-1]), "rhs_evals": int(s["rhs_evals"][-1]),
               "krylov_fails": int(s["krylov_conv_fails"][-1]), "newton_fails": int(s["newton_conv_fails"][-1]),
               "precond": _text(f["parameters/solver/precond"][()]),
               "krylov": _text(f["parameters/solver/krylov"][()]), "stderr": r.stderr,
               "series": {k: f["timeseries"][k][:] for k in f["timeseries"] if not k.startswith("min_")}}
    run["krylov_per_newton"] = run["krylov_iters"] / run["newton"]
    return run


def assert_same_series(test, a, b, what, rtol):
    """Every time series of run b within rtol of run a's, relative to |a| plus 1e-3 of a's largest value."""
    for k, x in a["series"].items():
        y = b["series"][k]
        scale = np.max(np.abs(x)) + 1e-30
        err = np.max(np.abs(x - y) / (np.abs(x) + 1e-3 * scale))
        test.assertLess(err, rtol, f"{what}: timeseries/{k} differs by {err:.2e}")
