"""The classroom explorer: "when should the stem cells go in?"

    /usr/bin/python3 -m postprocess.explorer --cartsim build/cartsim -o results/explorer [--force] [--quick]

1. for each patient type (configs/explorer/{slow,average,fast}.yaml) runs
   the untreated history, saving its state at every injection day (every 30
   days from day 30 to day 1800; --quick: 5 days) into DIR/states/;
2. from each saved state, concurrently on the available cores: MSCs at
   1e7 and 5e7 cells from the reference and the bone-marrow source, and the
   IL-1Ra bolus (150 mg), each with the benefit against the untreated run
   and its time series written every day (the first weeks after the
   injection are drawn from it);
3. writes ONE self-contained index.html (plotly.js from Debian's
   python3-plotly and the data inlined, gzip-compressed; no network at view
   time) and summary.csv (one row per treated run) into the output dir,
   beside the run files (DIR/runs/) and the states (DIR/states/).

Errors are one line, `cartsim explore: error: ...` (docs/exit-codes.md); a
failing run's own stderr follows that line. Exit status: 0 ok; 2 bad
arguments or no cartsim executable; 3 no plotly; 4 the output directory holds
files and --force was not given, or cannot be written; 6 interrupted by
SIGINT/SIGTERM (the running runs are stopped first: SIGTERM, SIGKILL after
10 s); a failing cartsim run's own exit status (the others are stopped).
"""

import base64
import csv
import gzip
import io
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

from . import cli
from .demo import child_env
from .reader import Run

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = "cartsim explore"
PATIENTS = ["slow", "average", "fast"]
# arm key -> (type, dose, source, label)
ARMS = {
    "msc_1e7_reference": ("msc", 1e7, "reference", "MSCs, 10 million (reference cells)"),
    "msc_5e7_reference": ("msc", 5e7, "reference", "MSCs, 50 million (reference cells)"),
    "msc_1e7_bone_marrow": ("msc", 1e7, "bone_marrow", "MSCs, 10 million (bone marrow)"),
    "msc_5e7_bone_marrow": ("msc", 5e7, "bone_marrow", "MSCs, 50 million (bone marrow)"),
    "il1ra": ("il1ra", 150, "reference", "IL-1Ra drug bolus, 150 mg"),
}
PROFILE_ARM = "msc_5e7_reference"  # the arm whose depth profiles the page can play
STOP_TIMEOUT = 10  # seconds from SIGTERM to SIGKILL for a run being stopped
MONTH = 30.0
HORIZON = 1825.0
MAX_SAVES = 16  # cartsim run accepts at most 16 --save-state
SUBDIRS = ("runs", "states")  # DIR/runs/: the run files; DIR/states/: the untreated states the branches start from
# The treated runs write their time series every BRANCH_DT days (the histories every month, from
# configs/explorer): the page draws each treated synovitis curve from the branch's own rows for
# the first EARLY days after the injection. An IL-1Ra bolus holds synovitis near 0 for about a
# day, MSCs bring it to its lowest about half a day after the injection; on the monthly grid
# both were missed or drawn a month wide. With a 1-day step the drawn minimum is within 0.015 of
# the true one (tests/explorer/check_page.py compares it with a finely written run); a 0.5-day
# step would take DIR/runs from 0.58 GB (0.26 GB with monthly rows) to ~0.9 GB for no visible
# change at the page's scale (1 pixel is ~3 days).
BRANCH_DT = 1.0
EARLY = [0, 1, 2, 3, 5, 7, 10, 14, 20]


def injection_days(quick):
    return [90, 180, 365, 730, 1460] if quick else list(range(30, 1801, 30))


def parser():
    p = cli.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--cartsim", default=os.path.join(REPO, "build", "cartsim"),
                   help="the cartsim executable (default: build/cartsim in the repository; `cartsim explore` "
                        "passes its own path)")
    p.add_argument("-o", "--out", default="results/explorer",
                   help="output directory for index.html, summary.csv and the runs (default: results/explorer)")
    p.add_argument("--force", action="store_true", help="reuse a non-empty output directory (files replaced)")
    p.add_argument("--quick", action="store_true", help="5 injection days only: 90, 180, 365, 730, 1460 (tests)")
    p.add_argument("--jobs", type=cli.positive_int, default=cli.usable_cpus(),
                   help="runs at once (default: every core this process may use)")
    return p


def parse(argv):
    return parser().parse_args(argv)


# ---- running ------------------------------------------------------------------

class RunFailed(Exception):
    """A cartsim run exited non-zero: args (label, argv, exit status, its stderr)."""


def stop_runs(running):
    """SIGTERM every run still going (cartsim exits 6), SIGKILL after STOP_TIMEOUT seconds."""
    for _, _, proc, _ in running:
        if proc.poll() is None:
            proc.terminate()
    for _, _, proc, err in running:
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        err.close()


def run_all(commands, jobs, stop):
    """Run (label, argv) pairs, `jobs` at a time. The first failing run stops the others and raises
    RunFailed; SIGINT or SIGTERM (stop: cli.Interrupts) stops them all and raises cli.Interrupted.
    (A thread pool of subprocess.run left a Ctrl-C as a KeyboardInterrupt traceback, exit 130.)"""
    env = child_env()
    pending, running = list(commands), []
    try:
        while pending or running:
            stop.check()
            while pending and len(running) < jobs:
                label, cmd = pending.pop(0)
                err = tempfile.TemporaryFile("w+", errors="replace")
                proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=REPO)
                running.append((label, cmd, proc, err))
            time.sleep(0.01)
            stop.check()  # before polling: a Ctrl-C reaches the runs too, and they exit 6
            for item in list(running):
                label, cmd, proc, err = item
                if proc.poll() is None:
                    continue
                running.remove(item)
                err.seek(0)
                text = err.read()
                err.close()
                if proc.returncode != 0:
                    raise RunFailed(label, cmd, proc.returncode, text)
    finally:
        stop_runs(running)


def config_for(patient):
    return os.path.join(REPO, "configs", "explorer", f"{patient}.yaml")


def history_commands(cartsim, out, patient, days):
    """Untreated histories, each saving at most MAX_SAVES states (identical runs)."""
    cmds = []
    for g in range(0, len(days), MAX_SAVES):
        name = "untreated" if g == 0 else f"history{g // MAX_SAVES}"
        cmd = [cartsim, "run", config_for(patient), "-o", os.path.join(out, "runs", f"{patient}_{name}.h5"),
               "--quiet", "--force"]
        for d in days[g:g + MAX_SAVES]:
            cmd += ["--save-state", f"{d}:{os.path.join(out, 'states', f'{patient}_{d}.h5')}"]
        cmds.append((f"{patient} {name}", cmd))
    return cmds


def branch_commands(cartsim, out, patient, days):
    cmds = []
    for d in days:
        for arm, (kind, dose, source, _) in ARMS.items():
            cmd = [cartsim, "run", config_for(patient), "--from-state",
                   os.path.join(out, "states", f"{patient}_{d}.h5"), "--set", f"treatments[0].type={kind}",
                   "--set", f"treatments[0].day={d}", "--set", f"treatments[0].dose={dose:g}",
                   "--set", f"treatments[0].source={source}",
                   "--baseline", os.path.join(out, "runs", f"{patient}_untreated.h5"),
                   "--set", f"output.dt={BRANCH_DT:g}",
                   "-o", os.path.join(out, "runs", f"{patient}_{arm}_{d}.h5"), "--quiet", "--force"]
            if arm != PROFILE_ARM:
                cmd += ["--set", "output.fields_every=0"]
            cmds.append((f"{patient} {arm} day {d}", cmd))
    return cmds


# ---- data for the page -----------------------------------------------------------

GRID = np.arange(0.0, HORIZON + 1e-9, MONTH).tolist() + [HORIZON]
# every 90 days and the horizon itself (the runs' last snapshot: the player ended at day 1800 while
# the benefit and the time chart are at day 1825)
PROFILE_TIMES = np.arange(0.0, HORIZON, 90.0).tolist() + [HORIZON]


def on_grid(run, name, history=None):
    """A series on the monthly grid; up to and including the day a branch starts, the history's
    values (a branch's first row is already after its injection: an IL-1Ra bolus sets synovitis
    to ~0 at once, and taking that row drew the drop a month before the injection)."""
    t, v = run.time, run.series(name)
    out = []
    for g in GRID:
        if g <= t[0] + 1e-9 and history is not None:
            out.append(float(np.interp(g, history.time, history.series(name))))
        else:
            out.append(float(np.interp(g, t, v)))
    return out


def early(run, name, history, day):
    """A treated series just after its injection: the history's value on the injection day, then
    the branch's at day + EARLY (its own output rows; the first is already after the injection)."""
    return [float(np.interp(day, history.time, history.series(name)))] + \
        [float(np.interp(day + o, run.time, run.series(name))) for o in EARLY]


def profiles(run, history=None, stride=2):
    """a, c, Ch depth profiles at PROFILE_TIMES (nearest snapshot; the history's before the branch),
    depth coarsened by averaging `stride` cells: {species: [[...] per time]}."""
    out = {}
    for s in ("a", "c", "Ch"):
        frames = []
        for tp in PROFILE_TIMES:
            src = run if (history is None or tp >= run.field_times[0] - 1e-9) else history
            i = int(np.argmin(np.abs(src.field_times - tp)))
            prof = np.asarray(src.field(s)[i], float)
            prof = prof.reshape(prof.shape[0], -1).mean(axis=1)
            n = len(prof) // stride * stride
            frames.append(np.round(prof[:n].reshape(-1, stride).mean(axis=1), 3).tolist())
        out[s] = frames
    return out


def collect(out, days, stop):
    data = {"grid": GRID, "early": EARLY, "profile_times": PROFILE_TIMES, "days": days, "patients": {},
            "arms": {}}
    rows = []
    for arm, (kind, dose, source, label) in ARMS.items():
        data["arms"][arm] = {"type": kind, "dose": dose, "source": source, "label": label}
    for p in PATIENTS:
        un = Run(os.path.join(out, "runs", f"{p}_untreated.h5"), label="untreated")
        z = un.grid.z
        zc = np.asarray(z, float)
        zc = zc[:len(zc) // 2 * 2].reshape(-1, 2).mean(axis=1)
        pd = {"untreated": {"thickness": [round(x, 4) for x in on_grid(un, "thickness")],
                            "synovitis": [round(x, 4) for x in on_grid(un, "synovitis")],
                            "profiles": profiles(un),
                            "loss_pct": float(un.outcomes["thickness_loss_pct"])},
              "description": un.meta.get("description", p), "z": np.round(zc, 3).tolist(), "arms": {}}
        for arm in ARMS:
            stop.check()
            a = {"benefit": [], "thickness": [], "synovitis": [], "synovitis_early": [], "profiles": []}
            for d in days:
                r = Run(os.path.join(out, "runs", f"{p}_{arm}_{d}.h5"), label=arm)
                b = float(r.outcomes["benefit_thickness_points"])
                a["benefit"].append(round(b, 3))
                a["thickness"].append([round(x, 4) for x in on_grid(r, "thickness", un)])
                a["synovitis"].append([round(x, 4) for x in on_grid(r, "synovitis", un)])
                a["synovitis_early"].append([round(x, 4) for x in early(r, "synovitis", un, d)])
                if arm == PROFILE_ARM:
                    a["profiles"].append(profiles(r, un))
                kind, dose, source, _ = ARMS[arm]
                rows.append({"patient": p, "treatment": kind, "dose": dose, "source": source, "day": d,
                             "benefit_thickness_points": b,
                             "thickness_loss_pct": float(r.outcomes["thickness_loss_pct"]),
                             "synovitis_auc": float(r.outcomes["synovitis_auc"]),
                             "msc_retained_30d": float(r.outcomes["msc_retained_30d"])})
            pd["arms"][arm] = a
        data["patients"][p] = pd
    return data, rows


def write_summary(rows, path):
    text = io.StringIO(newline="")
    w = csv.DictWriter(text, fieldnames=list(rows[0]))
    w.writeheader()
    for r in rows:
        w.writerow(r)
    cli.write_whole(path, text.getvalue(), newline="")


def packed(text):
    return base64.b64encode(gzip.compress(text.encode("utf-8"), 9)).decode("ascii")


def write_page(data, path, plotly):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "explorer_page.html")) as f:
        page = f.read()
    with open(os.path.join(here, "explorer_app.js")) as f:
        app = f.read()
    page = page.replace("/*PLOTLY_GZ*/", packed(plotly))
    page = page.replace("/*DATA_GZ*/", packed(json.dumps(data, separators=(",", ":"))))
    page = page.replace("/*APP_JS*/", app)
    cli.write_whole(path, page)  # whole or absent: a cut-off page looked finished
    return os.path.getsize(path)


def plotly_js():
    """plotly.js from Debian's python3-plotly; exit 3 with one line, before any run, without it."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError as err:
        cli.fail(PROG, f"the Python interpreter {sys.executable} cannot import plotly ({err}), which the "
                 "page inlines; install it: apt-get install python3-plotly", 3)
    return get_plotlyjs()


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    with cli.Interrupts() as stop:
        try:
            return explore(args, stop)
        except cli.Interrupted as err:
            cli.fail(PROG, f"{err}; the explorer cannot resume: run the same command with --force to start "
                     "again", cli.EXIT_INTERRUPTED)


def explore(args, stop):
    plotly = plotly_js()
    cartsim = os.path.abspath(args.cartsim)
    if not (os.path.isfile(cartsim) and os.access(cartsim, os.X_OK)):
        cli.fail(PROG, f"{cartsim}: no cartsim executable there (build it, or pass --cartsim)", cli.EXIT_USAGE)
    out = os.path.abspath(args.out)
    if os.path.isdir(out) and os.listdir(out) and not args.force:
        cli.fail(PROG, f"{out} is not empty (use --force to replace its contents)", cli.EXIT_IO)
    cli.output_dir(PROG, out)
    for sub in SUBDIRS:
        cli.output_dir(PROG, os.path.join(out, sub))
    for old in ("index.html", "summary.csv"):  # --force: a failed or interrupted rerun must not leave the old page
        if os.path.isfile(os.path.join(out, old)):
            os.remove(os.path.join(out, old))
    days = injection_days(args.quick)
    t0 = time.time()
    try:
        hist = [c for p in PATIENTS for c in history_commands(cartsim, out, p, days)]
        print(f"{PROG}: {len(hist)} untreated histories ...", flush=True)
        run_all(hist, args.jobs, stop)
        branches = [c for p in PATIENTS for c in branch_commands(cartsim, out, p, days)]
        print(f"{PROG}: {len(branches)} treated runs, {args.jobs} at a time ...", flush=True)
        run_all(branches, args.jobs, stop)
    except RunFailed as e:
        label, cmd, code, err = e.args
        if code == cli.EXIT_INTERRUPTED:  # a run got SIGINT/SIGTERM; its advice (--restart) is for one run
            raise cli.Interrupted(f"the run '{label}' was interrupted") from None
        words, status = cli.run_outcome(code)
        sys.stderr.write(f"{PROG}: error: cartsim run '{label}' failed ({words}): {shlex.join(cmd)}\n{err}")
        if err and not err.endswith("\n"):
            sys.stderr.write("\n")
        return status
    data, rows = collect(out, days, stop)
    write_summary(rows, os.path.join(out, "summary.csv"))
    size = write_page(data, os.path.join(out, "index.html"), plotly)
    print(f"{PROG}: {len(rows)} treated runs in {time.time() - t0:.0f} s; page {size / 1e6:.1f} MB")
    print(f"open {os.path.join(out, 'index.html')} in a web browser (works offline, e.g. from a USB stick)")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
