"""The educators' demo: untreated knee vs stem cells early, late, and a drug.

    cartsim demo [-o DIR] [--force] [--config UNTREATED.yaml] [--ranks N] [--mpirun LAUNCHER] [--cartsim PATH]
    /usr/bin/python3 -m postprocess.demo --cartsim build/cartsim -o results/demo [--force] [--ranks 2]

0. resolves the config with `cartsim check` and refuses, before any run,
   one the demo cannot use: with treatments of its own (the branches set
   treatments[0]), ending by day 1460, or without a field snapshot near
   day 180 and day 1460 for the profiles and the animation
   (output.fields_every 0, or too coarse: fields_problem) (exit 3, one line
   naming the config and the key);
1. runs the untreated reference (configs/demo/untreated.yaml) and saves the
   state at day 180 and day 1460;
2. from those saved states, concurrently: MSCs (5e7 cells) at day 180
   (msc_early) and at day 1460 (msc_late), IL-1Ra (150 mg) at day 180
   (il1ra_early); each branch file starts at its branching day and carries
   the benefit against the untreated run (--baseline). The branches write
   their time series every BRANCH_DT days (or the config's output.dt if
   finer): an MSC injection calms the synovium within a day, and the
   config's 5-day step showed (and the report quoted) a shallower dip,
   days late. Their field snapshots keep the config's cadence
   (fields_every is in days), so the profiles and the animation are
   unchanged;
3. writes early_vs_late.png, profiles.png, inflammation.png, animation.gif,
   animation_final.png (its last frame, a still) and report.html into the
   output directory.

DIR/logs/ holds each run's stdout and stderr and demo.status: `running
(pid N)`, `complete`, or why the demo stopped, whatever stopped it
(stop_reason). A directory that holds files is refused without --force,
except one whose demo did not finish (demo.status not `complete`, its
process gone): the same command then runs again and replaces the demo's
files (it never deletes any).

Exit status: 0 ok; 2 bad arguments (an unknown option, --ranks below 1, no
cartsim or config there, an executable whose `check` prints no config: one
line, postprocess/cli.py); 3 a config the demo cannot use (above; a config
cartsim check rejects: its exit status, after its messages); 4 the output
directory holds files and --force was not given, or cannot be created or
written (checked before the runs; a full disk later), or the demo's stdout
was closed (`cartsim demo | head`: the running runs are stopped, one
line); 6 interrupted by SIGINT/SIGTERM (the
running cartsim runs are stopped first: SIGTERM, SIGKILL after 10 s; one
line); a failing cartsim run's own exit status (`cartsim demo: error:
cartsim run LABEL failed (exit N): COMMAND`, then the run's stderr).
"""

import math
import os
import shlex
import subprocess
import sys
import time

from . import cli

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = "cartsim demo"

BRANCHES = [  # label, treatment type, day (that of its state file), dose
    ("msc_early", "msc", 180, "5e7"),
    ("msc_late", "msc", 1460, "5e7"),
    ("il1ra_early", "il1ra", 180, "150"),
]
STATE_DAYS = sorted({day for _, _, day, _ in BRANCHES})  # the untreated run saves its state there
BRANCH_DT = 0.5  # days between the branches' time-series rows (at most): the MSC dip lasts about a day
STATUS = os.path.join("logs", "demo.status")  # running (pid N) / complete / why the demo stopped
STOP_TIMEOUT = 10.0  # seconds a stopped run gets to write its checkpoint before SIGKILL


def parser():
    p = cli.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--cartsim", default=os.path.join(REPO, "build", "cartsim"),
                   help="the cartsim executable (default: build/cartsim in the repository)")
    p.add_argument("-o", "--out", default="results/demo", help="output directory (default: results/demo)")
    p.add_argument("--force", action="store_true", help="reuse a non-empty output directory (files replaced)")
    p.add_argument("--ranks", type=cli.positive_int, default=1, help="MPI ranks per run (default 1: no mpirun)")
    p.add_argument("--config", default=os.path.join(REPO, "configs", "demo", "untreated.yaml"),
                   help="untreated scenario (default: configs/demo/untreated.yaml)")
    p.add_argument("--mpirun", default="mpirun", help="MPI launcher for --ranks > 1 (default: mpirun)")
    return p


def parse(argv):
    args = parser().parse_args(argv)
    # the runs start in the repository (cwd=REPO): paths are the user's, relative to where the demo started
    args.cartsim, args.config = os.path.abspath(args.cartsim), os.path.abspath(args.config)
    if os.sep in args.mpirun:  # a path, not a name looked up in PATH
        args.mpirun = os.path.abspath(args.mpirun)
    return args


def child_env():
    """The environment for cartsim: Open MPI refuses root without these."""
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    return env


def launcher(args):
    """Command prefix: cartsim directly for one rank, else through mpirun."""
    if args.ranks <= 1:
        return [args.cartsim]
    return [args.mpirun, "-n", str(args.ranks), "--oversubscribe", args.cartsim]


def untreated_command(args, out):
    cmd = launcher(args) + ["run", args.config, "-o", os.path.join(out, "untreated.h5"), "--quiet", "--force"]
    for day in STATE_DAYS:
        cmd += ["--save-state", f"{day}:{os.path.join(out, f'state_day{day}.h5')}"]
    return cmd


def branch_command(args, out, label, kind, day, dose, dt=BRANCH_DT):
    """The branch run: `dt` its time-series step (branch_dt(config)); its
    field snapshots stay at the config's output.fields_every (days)."""
    return launcher(args) + [
        "run", args.config, "--from-state", os.path.join(out, f"state_day{day}.h5"),
        "--set", f"treatments[0].type={kind}", "--set", f"treatments[0].day={day}",
        "--set", f"treatments[0].dose={dose}", "--set", f"output.dt={dt:g}",
        "--baseline", os.path.join(out, "untreated.h5"),
        "-o", os.path.join(out, f"{label}.h5"), "--quiet", "--force"]


def branch_dt(config):
    """The branches' time-series step: BRANCH_DT, or the config's output.dt if finer."""
    return min(float(config["output"]["dt"]), BRANCH_DT)


def resolve_config(args, env):
    """The config as cartsim resolves it (`cartsim check`: base files and
    defaults applied), as a dict. A config cartsim rejects ends the demo
    with cartsim's exit status after its messages; one the demo cannot use
    (treatments of its own, which the branches' --set treatments[0] would
    silently replace, or no day after the last branching day) with exit 3
    and one line naming the config: both before any run."""
    import yaml

    cmd = [args.cartsim, "check", args.config]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    if p.returncode != 0:
        sys.stderr.write(f"{PROG}: error: {args.config}: cartsim check rejects it (exit {p.returncode}):\n"
                         + p.stderr + ("" if p.stderr.endswith("\n") or not p.stderr else "\n"))
        raise SystemExit(p.returncode)
    try:
        config = yaml.safe_load(p.stdout)
        treatments = config.get("treatments") or []
        t_end = float(config["run"]["t_end"])
        float(config["output"]["dt"])
        float(config["output"]["fields_every"])
    except (yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError):
        # an executable that is not cartsim (--cartsim /bin/true: exit 0, nothing printed) is a bad argument,
        # as one that is not there (exit 2), not the demo's internal error
        cli.fail(PROG, f"{args.cartsim}: not a cartsim executable ({shlex.join(cmd)} printed no resolved "
                 "config; build cartsim, or pass --cartsim)", cli.EXIT_USAGE)
    problems = []
    if treatments:
        problems.append(f"it has {len(treatments)} treatment{'s' if len(treatments) != 1 else ''} "
                        "(the demo adds its own)")
    if t_end <= STATE_DAYS[-1]:
        problems.append(f"run.t_end = {t_end:g}")
    needs = [f"an untreated scenario that runs past day {STATE_DAYS[-1]}: " + "; ".join(problems)] if problems else []
    fields = fields_problem(config)
    if fields:
        needs.append(f"field snapshots near day {' and day '.join(map(str, STATE_DAYS))} (its depth profiles and "
                     f"animation): {fields}")
    if needs:
        cli.fail(PROG, f"{args.config}: the demo needs " + "; and ".join(needs), 3)
    return config


def fields_problem(config):
    """Why the untreated run of `config` (resolved) cannot give the demo's
    figures their field snapshots, or '' if it can. The depth profiles are
    drawn at the branching days (STATE_DAYS) from a snapshot within
    plots.snapshot_tolerance of each (day 180: 9 days; a profile with none is
    left out), and the animation's frames are the snapshots: a run writes them
    at the multiples of output.fields_every and on its first and last day
    (docs/output.md), none with fields_every 0 (the figures failed after
    every run had finished). One within reach of both days also gives the
    animation at least 10 frames."""
    from .plots import snapshot_tolerance

    every, t_end = float(config["output"]["fields_every"]), float(config["run"]["t_end"])
    if every <= 0:
        return f"output.fields_every = {every:g} (no field snapshots)"
    far = []
    for day in (d for d in STATE_DAYS if d < t_end):  # a day past the end is run.t_end's problem
        k = math.floor(day / every)
        near = min((d for d in (0.0, t_end, k * every, (k + 1) * every) if d <= t_end),
                   key=lambda d: abs(d - day))
        if abs(near - day) > snapshot_tolerance(day):
            far.append(f"none near day {day}, the nearest is day {near:g}")
    return f"output.fields_every = {every:g} ({'; '.join(far)})" if far else ""


def read_status(out):
    """DIR/logs/demo.status as written by write_status, '' if there is none."""
    try:
        with open(os.path.join(out, STATUS)) as f:
            return f.read().strip()
    except OSError:
        return ""


def write_status(out, text):
    with open(os.path.join(out, STATUS), "w") as f:
        f.write(text + "\n")


def unfinished(out):
    """True if DIR holds a demo that did not finish (its status is not
    `complete` and the demo that wrote it is no longer running)."""
    status = read_status(out)
    if not status or status == "complete":
        return False
    pid = status[len("running (pid "):-1] if status.startswith("running (pid ") else ""
    if pid.isdigit():
        try:
            os.kill(int(pid), 0)
            return False  # another demo is writing there
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return True


def profile_days(runs):
    """Days of the depth profiles: 0, the branching days and the common
    horizon, the runs' end (a config's run.t_end, not always day 1825)."""
    from . import metrics

    return sorted({0.0, *map(float, STATE_DAYS), metrics.horizon(runs.values())})


class Job:
    """One cartsim subprocess with its stdout/stderr in DIR/logs/<label>.*"""

    def __init__(self, label, cmd, out, env):
        self.label, self.cmd = label, cmd
        logs = os.path.join(out, "logs")
        os.makedirs(logs, exist_ok=True)
        self.err_path = os.path.join(logs, f"{label}.stderr")
        self._out = open(os.path.join(logs, f"{label}.stdout"), "w")
        self._err = open(self.err_path, "w")
        self.t0 = time.time()
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err, env=env, cwd=REPO)

    def poll(self):
        rc = self.proc.poll()
        if rc is not None:
            self._out.close()
            self._err.close()
        return rc

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM (cartsim writes a checkpoint and exits 6; mpirun passes it
        on to the ranks), then SIGKILL after `timeout` seconds."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.poll()

    def failure(self, rc):
        with open(self.err_path, errors="replace") as f:
            err = f.read()
        sys.stderr.write(f"{PROG}: error: cartsim run {self.label} failed ({cli.run_outcome(rc)[0]}): "
                         f"{shlex.join(self.cmd)}\n{err}")
        if err and not err.endswith("\n"):
            sys.stderr.write("\n")


def run_jobs(specs, out, env, max_parallel, stop):
    """Run (label, cmd) pairs, at most max_parallel at once. Returns 0, or the
    exit status of the first failure (after stopping the others). SIGINT or
    SIGTERM (stop: cli.Interrupts) stops every running job and raises
    cli.Interrupted naming them."""
    pending, running = list(specs), []
    try:
        while pending or running:
            stop.check()
            while pending and len(running) < max_parallel:
                label, cmd = pending.pop(0)
                print(f"  running {label} ...", flush=True)
                running.append(Job(label, cmd, out, env))
            time.sleep(0.2)
            stop.check()  # before polling: a Ctrl-C reaches the runs too, and they exit 6
            for job in list(running):
                rc = job.poll()
                if rc is None:
                    continue
                running.remove(job)
                if rc != 0:
                    for other in running:
                        other.stop()
                    job.failure(rc)
                    return cli.run_outcome(rc)[1]
                print(f"  {job.label} done ({time.time() - job.t0:.1f} s)", flush=True)
    except cli.Interrupted as err:
        for job in running:
            job.stop()
        if running:
            raise cli.Interrupted(f"{err}; stopped the run{'s' if len(running) > 1 else ''} "
                                  f"{', '.join(j.label for j in running)}") from None
        raise
    except BaseException:  # a closed stdout (BrokenPipeError from print), a full log disk: no run left behind
        for job in running:
            job.stop()
        raise
    return 0


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    with cli.Interrupts() as stop:
        try:
            return demo(args, stop)
        except cli.Interrupted as err:
            cli.fail(PROG, f"{err}; the demo cannot resume: run the same command to start again",
                     cli.EXIT_INTERRUPTED)
        except BrokenPipeError as err:
            if err.filename is not None:
                raise
            # `cartsim demo | head`: its runs are stopped (run_jobs); what is left unprinted goes nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            cli.fail(PROG, "its output (stdout) was closed (Broken pipe); the demo cannot resume: run the same "
                     "command to start again", cli.EXIT_IO)


def own_files():
    """The files a demo writes into DIR (logs/ aside): what --force, or a rerun of a demo that
    did not finish, replaces."""
    return (["untreated.h5", "report.html", "early_vs_late.png", "profiles.png", "inflammation.png",
             "animation.gif", "animation_final.png"] + [f"{label}.h5" for label, *_ in BRANCHES]
            + [f"state_day{day}.h5" for day in STATE_DAYS])


def demo(args, stop):
    out = os.path.abspath(args.out)
    again = os.path.isdir(out) and os.listdir(out) and not args.force
    if again and not unfinished(out):
        cli.fail(PROG, f"{out} already holds files; use --force to replace them", 4)
    if not (os.path.isfile(args.cartsim) and os.access(args.cartsim, os.X_OK)):
        cli.fail(PROG, f"{args.cartsim}: no cartsim executable there (build it, or pass --cartsim)", 2)
    try:  # as cartsim run: a config that cannot be read is exit 4, with the reason
        with open(args.config, "rb"):
            pass
    except OSError as err:
        cli.fail(PROG, f"cannot read the config {args.config}: {err.strerror or err}", cli.EXIT_IO)
    env = child_env()
    config = resolve_config(args, env)
    cli.output_dir(PROG, out)
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    if again:
        print(f"note: {out} holds a demo that did not finish ({read_status(out)}): its files are replaced")
    write_status(out, f"running (pid {os.getpid()})")
    for name in own_files():  # a rerun that fails must not leave the old report beside new runs
        if os.path.isfile(os.path.join(out, name)):
            os.remove(os.path.join(out, name))
    status = "stopped"
    try:
        rc = run_demo(args, stop, out, env, config)
        status = "complete" if rc == 0 else f"failed: exit {rc}"
        return rc
    except cli.Interrupted as err:
        status = str(err)
        raise
    except BaseException as err:  # noqa: BLE001 - said in demo.status, then raised as before
        status = stop_reason(err)
        raise
    finally:  # every way out: an error in the figures left `running (pid N)` there, and no reason
        try:
            write_status(out, status)
        except OSError:
            pass  # the error that stopped the demo is the one to report


def stop_reason(err):
    """demo.status for an exception that ended the demo: `failed: exit N: ...`
    with the exit status and line the user sees (cli.run: an OSError is
    exit 4, a full disk or a closed stdout), else the exception itself."""
    if isinstance(err, SystemExit):
        return f"failed: exit {err.code}"
    if isinstance(err, OSError):
        where = f"{err.filename}: " if err.filename else ""
        what = "stdout closed (Broken pipe)" if isinstance(err, BrokenPipeError) and not where else err.strerror or err
        return f"failed: exit {cli.EXIT_IO}: {where}{what}"
    return f"failed: {type(err).__name__}: {err}"


def run_demo(args, stop, out, env, config):
    max_parallel = max(1, cli.usable_cpus() // max(1, args.ranks))
    dt = branch_dt(config)

    print(f"cartsim demo: {args.config} -> {out}")
    print(f"1/3 untreated knee, saving the states at day {' and day '.join(map(str, STATE_DAYS))}")
    rc = run_jobs([("untreated", untreated_command(args, out))], out, env, 1, stop)
    if rc:
        return rc
    from .reader import DAYS_PER_YEAR, Run

    end = Run(os.path.join(out, "untreated.h5"), "untreated").end_day
    print(f"  the untreated knee followed for {end / DAYS_PER_YEAR:.3g} years (to day {end:g})")
    print(f"2/3 treatment branches from the saved states ({min(max_parallel, len(BRANCHES))} at a time, "
          f"time series every {dt:g} days)")
    rc = run_jobs([(label, branch_command(args, out, label, kind, day, dose, dt))
                   for label, kind, day, dose in BRANCHES], out, env, max_parallel, stop)
    if rc:
        return rc

    print("3/3 figures and report")
    from . import plots, report

    runs = {"untreated": Run(os.path.join(out, "untreated.h5"), "untreated")}
    for label, *_ in BRANCHES:
        runs[label] = Run(os.path.join(out, f"{label}.h5"), label)
    figures = []
    for make in (lambda: plots.early_vs_late(runs, os.path.join(out, "early_vs_late.png")),
                 lambda: plots.profiles(runs, os.path.join(out, "profiles.png"), profile_days(runs)),
                 lambda: plots.inflammation(runs, os.path.join(out, "inflammation.png")),
                 lambda: plots.animation({"msc_early": runs["msc_early"], "msc_late": runs["msc_late"]},
                                         os.path.join(out, "animation.gif"), history=runs["untreated"],
                                         still=os.path.join(out, "animation_final.png"))):
        stop.check()
        path, info = make()
        figures.append(path)
        if isinstance(info, dict) and info.get("still"):  # the animation's final state, as a still image
            figures.append(info["still"])
    stop.check()
    knee = "an injured knee" if report.injury_window(runs["untreated"]) is not None else "a knee"
    html = report.write_report(os.path.join(out, "report.html"), figures, runs,
                               f"Stem cells for {knee}: early or late?")
    print(f"done. Results in {out}:")
    for f in figures + [html]:
        print(f"  {os.path.basename(f)}")
    print(f"open {html} in a web browser (it is self-contained)")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
