"""The CPU clones of the hot loops (model/cpu_clones.h) give the same bits as
the baseline code, end to end: runs of the 1-D reference (the line solve with
its border, krylov none) and of a small 2-D lesion (line, GMRES) natively and
under valgrind --tool=none, whose virtual CPU has no AVX-512, so that the
loader picks the baseline clones there. Every dataset but /meta and the
/solver timers must be equal to the last bit (the integrator's counters
included). On a CPU without AVX-512 both runs take the baseline clones and
the test says so.
Usage: check_clones.py CARTSIM VALGRIND SOURCE_DIR WORK_DIR"""
import os
import subprocess
import sys

import h5py
import numpy as np

cartsim, valgrind, src, work = sys.argv[1:5]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", HDF5_USE_FILE_LOCKING="FALSE")
cases = {"reference_1d": ["configs/reference.yaml", "--set", "run.t_end=400"],
         "lesion_2d_line": ["configs/lesion2d.yaml", "--set", "grid.nz=12", "--set", "grid.nx=16", "--set",
                            "run.t_end=200", "--set", "solver.precond=line"]}


def run(prefix, case, args):
    out = os.path.join(work, f"{case}_{'valgrind' if prefix else 'native'}.h5")
    cmd = prefix + [cartsim, "run", os.path.join(src, args[0]), *args[1:], "-o", out, "--force", "--quiet"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"check_clones: {' '.join(cmd)} failed ({p.returncode}): {p.stderr}")
    return out


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f" and b.dtype.kind == "f")


def datasets(path):
    found = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not name.startswith("meta") and not name.endswith("_seconds"):
                found[name] = obj[()]
        f.visititems(visit)
    return found


flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
print("this CPU " + ("has AVX-512: native runs take the x86-64-v4 clones" if " avx512f" in flags else
                     "lacks AVX-512: both runs take the baseline clones"))
bad = 0
for case, args in cases.items():
    native, under = datasets(run([], case, args)), datasets(run([valgrind, "--tool=none", "-q"], case, args))
    differ = [n for n in native if n not in under or not same(native[n], under[n])]
    differ += [n for n in under if n not in native]
    print(f"{case}: {len(native)} datasets, {len(differ)} differ {differ[:5]}")
    bad += bool(differ)
sys.exit(1 if bad else 0)
