#!/usr/bin/python3
"""cartsim benchmark suite: one command, one table, every figure measured in
the same run (ratios are taken within the run: these machines are noisy).

    /usr/bin/python3 bench/run_benchmarks.py [--cartsim build/cartsim] [--quick] [--check]

1. against the Python a modeler would write (bench/mol_reference.py: scipy
   BDF, sparse analytic Jacobian), the 1-D reference problem at the same
   tolerances: the answers must agree (thickness at years 1-5 within 0.5 %);
   speed ratios for the solve alone and for the whole process (medians of
   three interleaved runs of each, one with --quick); and cartsim's
   default Newton solve (solver.krylov auto: the line preconditioner alone)
   against GMRES, for contrast;
2. RHS evaluations on a 2-D grid that does not fit in cache, as bytes moved
   per second, against a plain copy (bench/rhs_bandwidth.c), and the same
   kernel on a grid that fits in cache (what it reaches when memory does
   not limit it);
3. strong scaling 1 vs 2 ranks on a 2-D case (24x160) and, except with
   --quick, on one with four times the cells (48x320); Krylov iterations per
   Newton iteration and time per cell per simulated day under refinement;
4. output cost: default output against output off;
5. peak resident memory per grid cell on the large case;
6. solver work per simulated year of the reference problem.
--check exits 1 when cartsim and the Python peer disagree (speed goals are
reported, never asserted). Exit 2 when --cartsim is not an executable, 1 with
one line when a run fails; the scratch directory is removed in every case.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.path.join(REPO, "configs", "reference.yaml")
L2D = os.path.join(REPO, "configs", "lesion2d.yaml")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", HDF5_USE_FILE_LOCKING="FALSE")
YEAR = 365.0


def cartsim(binary, config, out, sets=(), ranks=1, measure_rss=False):
    """Run cartsim; return (process wall seconds, peak RSS kB or None, Run-ish dict)."""
    cmd = [binary, "run", config, "-o", out, "--force", "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    if ranks > 1:
        cmd = [shutil.which("mpirun"), "--oversubscribe", "-n", str(ranks)] + cmd
    if measure_rss and os.path.exists("/usr/bin/time"):
        cmd = ["/usr/bin/time", "-f", "RSS_KB %M"] + cmd
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr}")
    rss = None
    for line in p.stderr.splitlines():
        if line.startswith("RSS_KB"):
            rss = int(line.split()[1])
    with h5py.File(out, "r") as f:
        res = {"time": f["timeseries/time"][:], "thickness": f["timeseries/thickness"][:],
               "solve": float(f["meta"].attrs["solve_seconds"]), "wall_inside": float(f["meta"].attrs["wall_seconds"]),
               "solver": {k: float(f["solver"][k][-1]) for k in f["solver"]}, "cells": int(np.prod(
                   [f["grid"].attrs[k] for k in ("nz", "nx", "ny")]))}
    return wall, rss, res


def last_level_cache_bytes():
    """The largest CPU cache of cpu0 (sysfs), 32 MiB if unknown."""
    best = 0
    for d in sorted(os.listdir("/sys/devices/system/cpu/cpu0/cache")) if os.path.isdir(
            "/sys/devices/system/cpu/cpu0/cache") else []:
        try:
            with open(f"/sys/devices/system/cpu/cpu0/cache/{d}/size") as f:
                text = f.read().strip()
        except OSError:
            continue
        mult = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
        try:
            best = max(best, int(text.rstrip("KMG")) * mult)
        except ValueError:
            continue
    return best or 32 * 2**20


def core_rates(exe):
    """The in-cache RHS rate (GB/s, bench/rhs_bandwidth.c on 64x64 cells) of each of the first two CPUs
    this process may use, both running at once: on a shared virtual machine one core can run much
    slower than the other for a while (a busy neighbour), and a two-rank run goes at its slower
    core's pace. None with fewer than two CPUs."""
    cpus = sorted(os.sched_getaffinity(0))[:2]
    if len(cpus) < 2:
        return None
    procs = [subprocess.Popen([exe, "64", "64", "400"], stdout=subprocess.PIPE, text=True,
                              preexec_fn=lambda c=c: os.sched_setaffinity(0, {c})) for c in cpus]
    rates = []
    for p in procs:
        out = p.communicate()[0]
        rates.append(float(next(l.split()[-1] for l in out.splitlines() if l.startswith("rhs_GBps"))))
    return rates


def python_peer(nz, rtol, atol, out_json):
    cmd = [sys.executable, os.path.join(REPO, "bench", "mol_reference.py"), "--nz", str(nz), "--t-end", "1825",
           "--out-dt", "5", "--rtol", str(rtol), "--atol", str(atol), "--json", out_json]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    with open(out_json) as f:
        res = json.load(f)
    return wall, res


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cartsim", default=os.path.join(REPO, "build", "cartsim"))
    ap.add_argument("--quick", action="store_true", help="small sizes only (CI)")
    ap.add_argument("--check", action="store_true", help="exit 1 if cartsim and the Python peer disagree")
    args = ap.parse_args(argv)
    binary = os.path.abspath(args.cartsim)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"run_benchmarks: error: no cartsim executable at {binary} (build it, or pass --cartsim)",
              file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="cartsim-bench-")
    try:
        return run_suite(args, binary, work)
    except (RuntimeError, OSError) as err:  # a run failed (its command and stderr) or wrote no file
        print(f"run_benchmarks: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("run_benchmarks: interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_suite(args, binary, work):
    rows, disagreements = [], []
    print(f"machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M')}", flush=True)

    # 1. against the Python peer -----------------------------------------------------
    rtol, atol = 1e-6, 1e-9
    sizes = [48, 96] if args.quick else [48, 192, 768]
    # medians of interleaved runs: one run of each moved by a quarter to a third between two
    # suites five minutes apart (docs/performance.md, eleventh round); five since the sixteenth
    # round, when the medians of three read 26x and 35x at nz 768 in suites minutes apart (pinning
    # each pair to one CPU was tried: it slowed cartsim's start-up, Open MPI's threads on one core)
    reps = 1 if args.quick else 5
    for nz in sizes:
        times = {"cs": [], "cw": [], "py": [], "pw": []}
        for _ in range(reps):
            cw, _, c = cartsim(binary, REF, os.path.join(work, f"ref{nz}.h5"),
                               [f"grid.nz={nz}", f"solver.rtol={rtol}", f"solver.atol={atol}", "output.fields_every=0"])
            pw, p = python_peer(nz, rtol, atol, os.path.join(work, f"py{nz}.json"))
            for key, value in (("cs", c["solve"]), ("cw", cw), ("py", p["wall_time_s"]), ("pw", pw)):
                times[key].append(value)
        cs, cw, ps, pw = (float(np.median(times[k])) for k in ("cs", "cw", "py", "pw"))
        worst = 0.0
        for y in range(1, 6):
            a = np.interp(y * YEAR, c["time"], c["thickness"])
            b = np.interp(y * YEAR, p["time"], p["thickness"])
            worst = max(worst, abs(a - b) / b)
        if worst > 0.005:
            disagreements.append(f"nz {nz}: thickness differs by {100 * worst:.3f} %")
        rows.append((f"1. vs Python peer, nz {nz}: solve cartsim / scipy" + (f" (median of {reps})" if reps > 1 else ""),
                     f"{cs:.3f} s / {ps:.3f} s", f"{ps / cs:.1f}x", "goal >= 50x"))
        rows.append((f"   whole process (MPI start-up / imports included)", f"{cw:.2f} s / {pw:.2f} s",
                     f"{pw / cw:.1f}x", "goal >= 20x at 768"))
        rows.append((f"   agreement: max thickness difference years 1-5", f"{100 * worst:.4f} %", "", "<= 0.5 %"))
        # the default (solver.krylov auto: the line preconditioner alone, 1-D on one rank) against GMRES
        _, _, g = cartsim(binary, REF, os.path.join(work, f"gmres{nz}.h5"),
                          [f"grid.nz={nz}", f"solver.rtol={rtol}", f"solver.atol={atol}", "output.fields_every=0",
                           "solver.krylov=gmres"])
        rows.append((f"   (solver.krylov gmres, for contrast: solve; RHS evaluations default / gmres)",
                     f"{g['solve']:.3f} s; {c['solver']['rhs_evals']:.0f} / {g['solver']['rhs_evals']:.0f}",
                     f"{g['solve'] / cs:.2f}x", "default is faster by"))
        print(f"  done: peer nz {nz}", flush=True)

    # 2. memory bandwidth ------------------------------------------------------------------
    exe = os.path.join(work, "rhs_bandwidth")
    srcs = [os.path.join(REPO, "bench", "rhs_bandwidth.c")] + sorted(
        os.path.join(REPO, "model", f) for f in os.listdir(os.path.join(REPO, "model")) if f.endswith(".c"))
    subprocess.run(["cc", "-O3", "-march=native", "-std=c11", "-I" + os.path.join(REPO, "model"), *srcs, "-lm", "-o", exe],
                   check=True)
    # state and derivative at least 4x the last-level cache (2048 columns did not leave a 105 MiB L3)
    llc = last_level_cache_bytes()
    nz2 = 128 if args.quick else 256
    nx2 = 512 if args.quick else max(2048, 256 * -(-4 * llc // (nz2 * 9 * 8 * 2 * 256)))
    out = subprocess.run([exe, str(nz2), str(nx2), "10"], capture_output=True, text=True, check=True).stdout
    bw = {l.split()[0]: l.split()[-1] for l in out.splitlines() if len(l.split()) == 2}
    mb = nz2 * nx2 * 9 * 8 * 2 / 2**20
    rows.append((f"2. RHS on {nz2}x{nx2} 2-D cells ({mb:.0f} MiB, LLC {llc / 2**20:.0f} MiB) vs copy",
                 f"{bw['rhs_GBps']} / {bw['copy_GBps']} GB/s", f"{100 * float(bw['ratio']):.0f} %", "goal >= 50 %"))
    # the same kernel on 64x64 cells (0.6 MB: the state, derivative and halo stay in L2): what it
    # reaches when memory does not limit it; out of cache it runs at this fraction of that
    out = subprocess.run([exe, "64", "64", "200"], capture_output=True, text=True, check=True).stdout
    bwc = {l.split()[0]: l.split()[-1] for l in out.splitlines() if len(l.split()) == 2}
    rows.append(("   the same RHS in cache (64x64 cells, 0.6 MB): its compute limit",
                 f"{bwc['rhs_GBps']} GB/s", f"{100 * float(bw['rhs_GBps']) / float(bwc['rhs_GBps']):.0f} %",
                 "out of cache / in cache"))

    # 3. scaling and refinement ------------------------------------------------------------
    big = ["grid.nz=24", "grid.nx=160" if not args.quick else "grid.nx=40", "run.t_end=60" if not args.quick else
           "run.t_end=20", "output.fields_every=0", "treatments=[]"]
    # interleaved repetitions, medians: one pair alone moved between 1.29x and 1.81x on this machine
    def strong_scaling(label, sets, reps):
        """1 against 2 ranks, `reps` interleaved pairs: (table row, RSS of the first 1-rank run, its result)."""
        solves, rss_first, first = {1: [], 2: []}, None, None
        for rep in range(reps):
            for ranks in (1, 2):
                _, rss, r = cartsim(binary, L2D, os.path.join(work, f"s{ranks}.h5"), sets, ranks,
                                    measure_rss=rep == 0 and ranks == 1)
                solves[ranks].append(r["solve"])
                if rep == 0 and ranks == 1:
                    rss_first, first = rss, r
        s1, s2 = float(np.median(solves[1])), float(np.median(solves[2]))
        spread = ", ".join(f"{a / b:.2f}" for a, b in zip(solves[1], solves[2]))
        return ((f"{label} (median of {reps}; pairs {spread})", f"{s1:.2f} s -> {s2:.2f} s", f"{s1 / s2:.2f}x",
                 "goal >= 1.7x"), rss_first, first)

    cores_before = core_rates(exe)
    row, rss_big, r1 = strong_scaling(f"3. strong scaling 1 -> 2 ranks, 2-D 24x{big[1].split('=')[1]}", big,
                                      1 if args.quick else 5)
    rows.append(row)
    cores_after = core_rates(exe)
    if cores_before and cores_after:
        # a two-rank run is paced by its slower core: with one at a fraction q of the other's rate the
        # speed-up is at most 2q (the one-rank run may have had the faster core)
        q = min(min(c) / max(c) for c in (cores_before, cores_after))
        rows.append(("   the two cores, in-cache RHS both at once, before / after the pairs",
                     " / ".join(", ".join(f"{r:.1f}" for r in c) for c in (cores_before, cores_after)) + " GB/s",
                     f"{q:.2f}", "slower / faster core (context)"))
    if not args.quick:
        # the same at 4x the cells (48x320, 15,360 cells): with 1,920 cells per rank the case above
        # is latency-bound in PFMG's coarse levels; a fine lesion is this size or larger
        large = ["grid.nz=48", "grid.nx=320", "run.t_end=30", "output.fields_every=0", "treatments=[]"]
        rows.append(strong_scaling("   strong scaling, 2-D 48x320, 30 days", large, 3)[0])
    # refinement: each preconditioner against its own coarse grid (pfmg: the goal; line for contrast)
    for pc, factors in (("pfmg", (1, 2) if args.quick else (1, 2, 4)), ("line", (1, 2))):
        ref_iters = None
        for f in factors:
            sets = [f"grid.nz={12 * f}", f"grid.nx={20 * f}", "run.t_end=100", "output.fields_every=0",
                    "treatments=[]", f"solver.precond={pc}"]
            _, _, r = cartsim(binary, L2D, os.path.join(work, f"refine_{pc}{f}.h5"), sets)
            it = r["solver"]["krylov_iters"] / max(r["solver"]["newton_iters"], 1)
            per = r["solve"] / (r["cells"] * 100)
            ref_iters = ref_iters or (it, per)
            rows.append((f"   {pc} refinement x{f} ({12 * f}x{20 * f}): Krylov/Newton, s per cell per day, steps",
                         f"{it:.2f}, {per:.2e}, {r['solver']['steps']:.0f}",
                         f"{it / ref_iters[0]:.2f}x, {per / ref_iters[1]:.2f}x",
                         "goal <= 1.5x, <= 2x" if pc == "pfmg" else "contrast (no goal)"))

    # 4. output cost -------------------------------------------------------------------------
    # wall_inside (/meta wall_seconds: after MPI_Init up to the end of the run, every buffered output
    # written) with the default output against output off (one series step at each end, no fields).
    # Medians of interleaved pairs. The fixed part (creating the file, /parameters, /grid) is
    # paid by both runs; the 1-D reference run is short (~0.1 s), so the larger 2-D case is reported
    # too. Output steps also change the solver's step count a little (CVODE's first step after each
    # re-initialisation is sized from the next output time): the steps are shown.
    l2d_days = 60 if args.quick else 365
    cases = [  # label, config, sets for both runs, "off" sets, repetitions
        ("1-D reference", REF, [], ["output.dt=1825", "output.fields_every=0"], 3 if args.quick else 21),
        (f"2-D lesion 24x40, {l2d_days} days", L2D, [f"run.t_end={l2d_days}"] + (["treatments=[]"] if args.quick else []),
         [f"output.dt={l2d_days}", "output.fields_every=0"], 1 if args.quick else 3)]
    for label, cfg, sets, off_sets, reps in cases:
        walls = {"on": [], "off": []}
        for rep in range(reps):
            # each run writes a new file: with --force over the previous run's, the rename that
            # publishes the new file also deletes the old one, which took 0.6-0.8 ms for a 0.6 MB
            # "on" file against less for a small "off" one (ext4): a cost of the previous
            # run's output, not of this one's (docs/performance.md, fourteenth round)
            # the order alternates within pairs, so a drift of the machine's speed charges neither mode
            res = {}
            for mode in ("on", "off") if rep % 2 == 0 else ("off", "on"):
                path = os.path.join(work, f"out_{mode}_{rep}.h5")
                _, _, res[mode] = cartsim(binary, cfg, path, sets if mode == "on" else sets + off_sets)
                os.remove(path)
                walls[mode].append(res[mode]["wall_inside"])
            on, off = res["on"], res["off"]
        won, woff = float(np.median(walls["on"])), float(np.median(walls["off"]))
        # the runs are deterministic, so noise only adds: the minima are the steadier estimate
        # of a ~1 ms difference between runs that scatter by more on a shared machine
        mon, moff = min(walls["on"]), min(walls["off"])
        rows.append((f"4. output cost: default output vs off ({label}; medians, minima)",
                     f"{won:.3f} s / {woff:.3f} s; {mon:.4f} / {moff:.4f}",
                     f"{100 * (won / woff - 1):+.0f} %, {100 * (mon / moff - 1):+.0f} %", "goal <= 5 %"))
        rows.append(("   integrator steps with output on / off", f"{on['solver']['steps']:.0f} / "
                     f"{off['solver']['steps']:.0f}", "", "report"))

    # 5. memory ------------------------------------------------------------------------------
    # the fixed cost with PFMG too (the large case's preconditioner): hypre and its libraries are
    # loaded only by runs that use it (solvers/hypre_lib.h)
    _, rss_small, _ = cartsim(binary, REF, os.path.join(work, "tiny.h5"), ["grid.nz=4", "run.t_end=1", "output.dt=1",
                                                                         "output.fields_every=0", "solver.precond=pfmg"],
                              measure_rss=True)
    if rss_big and rss_small:
        per_cell = (rss_big - rss_small) * 1024 / r1["cells"]
        rows.append((f"5. peak RSS, 2-D {r1['cells']} cells (fixed cost {rss_small / 1024:.0f} MB)",
                     f"{rss_big / 1024:.0f} MB", f"{per_cell:.0f} B/cell", "report"))

    # 6. solver work per simulated year --------------------------------------------------------
    _, _, w = cartsim(binary, REF, os.path.join(work, "work.h5"), ["output.fields_every=0"])
    s = w["solver"]
    rows.append(("6. reference, per simulated year: steps, RHS, Newton, Krylov, preconditioner setups",
                 ", ".join(f"{s[k] / 5:.0f}" for k in ("steps", "rhs_evals", "newton_iters", "krylov_iters",
                                                       "prec_setup_calls")), "",
                 "regression watch"))

    width = max(len(r[0]) for r in rows)
    print()
    mwidth = max(28, max(len(r[1]) for r in rows))
    print(f"{'benchmark':<{width}}  {'measured':<{mwidth}} {'ratio':<14} target")
    for r in rows:
        print(f"{r[0]:<{width}}  {r[1]:<{mwidth}} {r[2]:<14} {r[3]}")
    for d in disagreements:
        print("DISAGREE", d)
    return 1 if (args.check and disagreements) else 0


if __name__ == "__main__":
    sys.exit(main())
