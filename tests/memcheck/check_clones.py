"""The CPU clones of the hot loops (model/cpu_clones.h: baseline, x86-64-v3,
x86-64-v4) give the same bits, end to end: runs of the 1-D reference (the
line solve with its border, krylov none) and of a small 2-D lesion (line,
GMRES) natively, under valgrind --tool=none (whose virtual CPU has AVX2 but
no AVX-512, so the loader picks the v3 clones there) and under qemu-x86_64
-cpu Nehalem (no AVX: the baseline clones). Every dataset but /meta and the
/solver timers must be equal to the last bit (the integrator's counters
included). On a CPU without AVX-512 the native run takes the v3 or baseline
clones and the test says so. Without qemu-x86_64 (Debian's qemu-user) it
fails: the baseline clones would go unchecked.
Usage: check_clones.py CARTSIM VALGRIND SOURCE_DIR WORK_DIR QEMU_X86_64"""
import os
import subprocess
import sys

import h5py
import numpy as np

cartsim, valgrind, src, work = sys.argv[1:5]
qemu = sys.argv[5] if len(sys.argv) > 5 else ""
if not qemu or qemu.endswith("NOTFOUND") or not os.access(qemu, os.X_OK):
    sys.exit("check_clones: qemu-x86_64 not found: install Debian's qemu-user (scripts/install-deps.sh), "
             "then re-run cmake")
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", HDF5_USE_FILE_LOCKING="FALSE")
cases = {"reference_1d": ["configs/reference.yaml", "--set", "run.t_end=400"],
         "lesion_2d_line": ["configs/lesion2d.yaml", "--set", "grid.nz=12", "--set", "grid.nx=16", "--set",
                            "run.t_end=200", "--set", "solver.precond=line"]}


def run(label, prefix, case, args):
    out = os.path.join(work, f"{case}_{label}.h5")
    cmd = prefix + [cartsim, "run", os.path.join(src, args[0]), *args[1:], "-o", out, "--force", "--quiet"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"check_clones: {' '.join(cmd)} failed ({p.returncode}): {p.stderr}")
    return out


def clones_taken(path):
    with h5py.File(path, "r") as f:
        v = f["meta"].attrs["cpu_clones"]
    return v.decode() if isinstance(v, bytes) else str(v)


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


def cpu_flags():
    if not os.path.exists("/proc/cpuinfo"):
        return set()
    for line in open("/proc/cpuinfo"):
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


# the x86-64 micro-architecture levels as GCC's resolver tests them (psABI; abm is lzcnt)
V3 = {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"}
V4 = V3 | {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}
flags = cpu_flags()
native_clone = "x86-64-v4" if V4 <= flags else "x86-64-v3" if V3 <= flags else "baseline"
# valgrind's virtual CPU has AVX2 (when this CPU does) and no AVX-512; Nehalem has no AVX
others = {"valgrind": ([valgrind, "--tool=none", "-q"], "x86-64-v3" if V3 <= flags else "baseline"),
          "qemu_nehalem": ([qemu, "-cpu", "Nehalem"], "baseline")}
print(f"native runs take the {native_clone} clones, " +
      ", ".join(f"{label} the {want} ones" for label, (_, want) in others.items()))
bad = 0
for case, args in cases.items():
    path = run("native", [], case, args)
    if clones_taken(path) != native_clone:
        print(f"{case}: the native run took {clones_taken(path)}, expected {native_clone}")
        bad += 1
    native = datasets(path)
    for label, (prefix, want) in others.items():
        path = run(label, prefix, case, args)
        if clones_taken(path) != want:
            print(f"{case}: the run under {label} took {clones_taken(path)}, expected {want}")
            bad += 1
        under = datasets(path)
        differ = [n for n in native if n not in under or not same(native[n], under[n])]
        differ += [n for n in under if n not in native]
        print(f"{case}, native against {label} ({want}): {len(native)} datasets, {len(differ)} differ {differ[:5]}")
        bad += bool(differ)
sys.exit(1 if bad else 0)
