"""cartsim sweep as a modeler runs it: the summary equal to the per-run files,
resume after a SIGKILL of the whole mpirun session recomputing only what is
missing (and ending with the same summary to 1e-12), failures recorded (exit 5
when all fail), cohort arms branching from each patient's history, Slurm-style
tasks merging into one directory, a changed sweep refused (and --force), the
same sweep resumed from any working directory, --plan
and spec errors. Each test is its own ctest entry (tests/sweep/CMakeLists.txt):
  test_sweep.py Sweep.test_...            run from the repository root, CARTSIM_BIN set
  test_sweep.py Check.test_dir            checks SWEEP_CHECK_DIR (SWEEP_CHECK_ROWS rows),
                                          written by the MPI scheduling tests"""
import csv
import glob
import json
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import h5py
import numpy as np

BIN = os.environ.get("CARTSIM_BIN", "build/cartsim")
REF = os.path.abspath("configs/reference.yaml")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", HDF5_USE_FILE_LOCKING="FALSE")
MPIRUN = shutil.which("mpirun")
COMMON = """base: {ref}
seed: 5
set:
  grid.nz: {nz}
  run.t_end: {t_end}
  output.dt: 20
  output.fields_every: 0
  treatments[0].type: msc
  treatments[0].dose: 5.0e7
"""
GRID = COMMON + """design:
  type: grid
  factors:
    treatments[0].day: [60, 120, 180]
    model.k_c: [0.014, 0.016, 0.025]
"""
# a cohort of PATIENTS with k_c drawn, the untreated history and one MSC arm ({{ }}: braces of the YAML)
ONE_ARM_COHORT = """base: {{ref}}
seed: 3
set: {{grid.nz: {nz}, run.t_end: {t_end}, output.dt: 20, output.fields_every: 0}}
design:
  type: cohort
  patients: {patients}
  distributions:
    model.k_c: {{dist: uniform, min: 0.014, max: 0.025}}
  arms:
    - {{name: untreated}}
    - name: {arm}
      set: {{"treatments[0].type": msc, "treatments[0].day": {day}, "treatments[0].dose": 5.0e7}}
"""
SOLVER = ["steps", "rhs_evals", "newton_iters", "krylov_iters"]
OUTCOMES = ["thickness_loss_pct", "thickness_loss_mm", "years_to_c80", "synovitis_auc", "msc_retained_30d",
            "msc_retained_180d", "benefit_thickness_points", "benefit_synovitis_auc"]


def mpi_cmd(ranks):
    return [MPIRUN, "--oversubscribe", "-n", str(ranks)] if ranks > 1 else []


def sweep(spec, out, ranks=1, *extra):
    cmd = mpi_cmd(ranks) + [BIN, "sweep", spec, "-o", out, "--quiet", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=240)


def summary(out):
    with open(os.path.join(out, "summary.csv")) as f:
        return list(csv.DictReader(f))


def same(a, b, rtol=1e-12):
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300)


def check_summary_against_runs(tc, out, n):
    """Every row of summary.csv and summary.h5 against its status record and run file."""
    rows = summary(out)
    tc.assertEqual([r["id"] for r in rows], [f"r{i:06d}" for i in range(n)], "one row per design row, in order")
    with open(os.path.join(out, "sweep.yaml")) as f:
        tc.assertIn("design:", f.read())
    with open(os.path.join(out, "summary.csv")) as f:
        header = next(csv.reader(f))
    with h5py.File(os.path.join(out, "summary.h5"), "r") as s:
        tc.assertEqual(len(s["id"]), n)
        tc.assertEqual(s.attrs["columns"].split(","), header, "summary.h5 names the CSV's columns in order")
        tc.assertEqual(sorted(s.keys()), sorted(header), "one dataset per CSV column")
        for k in header:  # numbers (varied keys, design columns, seed, counters, outcomes) as float64
            if s[k].dtype.kind == "S":
                tc.assertIn(k, ("id", "status", "reason", "block", "arm", "treatments") +
                            tuple(h for h in header if "type" in h), k)
                tc.assertEqual([v.decode() for v in s[k][:]], [r[k] for r in rows], k)
            else:
                tc.assertEqual(s[k].dtype, np.float64, k)
                tc.assertTrue(all(same(a, b) for a, b in zip(s[k][:], [float(r[k] or "nan") for r in rows])), k)
        for i, r in enumerate(rows):
            with open(os.path.join(out, "status", r["id"] + ".json")) as f:
                st = json.load(f)
            tc.assertEqual(st["status"], r["status"])
            tc.assertEqual(r["reason"], st["reason"] if r["status"] == "failed" else "", "why a row failed")
            if r["status"] == "done":
                tc.assertEqual(len(st["fingerprint"]), 16)
            tc.assertAlmostEqual(st["wall_seconds"], float(r["wall_seconds"]), delta=1e-6)
            for k, v in st["values"].items():
                tc.assertEqual(r[k], v, "the row's own values are recorded")
            if r["status"] != "done":
                continue
            with h5py.File(os.path.join(out, "runs", r["id"] + ".h5"), "r") as f:
                tc.assertEqual(f["meta"].attrs["status"], "complete")
                tc.assertRegex(f["meta"].attrs["command_line"], rf"^cartsim sweep \S+ -o \S+ \(row {r['id']}\)$")
                for k in SOLVER:
                    tc.assertEqual(float(r[k]), float(f["solver/" + k][-1]), k)
                    tc.assertEqual(float(s[k][i]), float(f["solver/" + k][-1]), k)
                for k in OUTCOMES:
                    v = float(f["outcomes/" + k][()]) if "outcomes/" + k in f else float("nan")
                    tc.assertTrue(same(r[k], v), f"{r['id']} {k}: {r[k]} != {v}")
                    tc.assertTrue(same(s[k][i], v), f"summary.h5 {r['id']} {k}")
                if "treatments[0].day" in r and r["treatments[0].day"]:
                    tc.assertEqual(float(f["treatments/day"][0]), float(r["treatments[0].day"]),
                                   "the row's value reached the run")
    return rows


def tree(d):
    """Every file under d (relative path -> its bytes) and every directory (relative path -> None)."""
    found = {}
    for root, dirs, files in os.walk(d):
        for n in dirs:
            found[os.path.relpath(os.path.join(root, n), d)] = None
        for n in files:
            with open(os.path.join(root, n), "rb") as f:
                found[os.path.relpath(os.path.join(root, n), d)] = f.read()
    return found


def stop_row0_midway(tc, spec, out):
    """Start a one-process sweep, SIGTERM it 0.03 s into its first row (its partial file exists): exit 6.
    The rows of its callers (nz 4000, 1825 days) take ~0.3 s after their partial file appears on the
    machine of 2026-12-04 afternoon. Each faster solve shortened that margin: with nz 1200 and 0.1 s the
    row (0.09 s by then) had finished before the signal."""
    p = subprocess.Popen([BIN, "sweep", spec, "-o", out, "--quiet"], env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    partial = os.path.join(out, "runs", "r000000.h5.partial")
    deadline = time.time() + 60
    while time.time() < deadline and not os.path.exists(partial):
        time.sleep(0.005)
    time.sleep(0.03)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    tc.assertEqual(p.returncode, 6, err)


def bounded(cmd, timeout=60, env=ENV):
    """Run cmd in a session of its own; if it outlives timeout (a crashed rank leaving the others waiting
    in MPI, or a rank hung in Open MPI's signal handler), SIGKILL the whole session and return None."""
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in session_pids(p.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        p.communicate()
        return None
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def session_pids(sid):
    pids = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # after the command: state ppid pgrp session
            pids.append(int(stat.split("/")[2]))
    return pids


class Check(unittest.TestCase):
    """The directory an MPI scheduling test (2 or 3 ranks) left: every row done once, summary complete."""

    def test_dir(self):
        out, n = os.environ["SWEEP_CHECK_DIR"], int(os.environ["SWEEP_CHECK_ROWS"])
        rows = check_summary_against_runs(self, out, n)
        self.assertEqual([r["status"] for r in rows], ["done"] * n)
        self.assertEqual(sorted(os.listdir(os.path.join(out, "status"))), [f"r{i:06d}.json" for i in range(n)])
        self.assertEqual(sorted(os.listdir(os.path.join(out, "runs"))), [f"r{i:06d}.h5" for i in range(n)])


class Sweep(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def edited_base_sweep(self, days):
        """base.yaml (the reference, t_end 200: the test edits it later) and a list sweep on it, one MSC
        injection row per day; returns both paths."""
        base = os.path.join(self.d, "base.yaml")
        with open(base, "w") as f:
            f.write(f"base: {REF}\nrun:\n  t_end: 200\n")
        rows = "".join(f"    - {{\"treatments[0].day\": {d}}}\n" for d in days)
        return base, self.spec("base: base.yaml\nset:\n  output.fields_every: 0\n  treatments[0].type: msc\n"
                               "  treatments[0].dose: 5.0e7\ndesign:\n  type: list\n  rows:\n" + rows, "edited.yaml")

    def spec(self, text, name="sweep.yaml", t_end=400, nz=16):
        path = os.path.join(self.d, name)
        with open(path, "w") as f:
            f.write(text.replace("{ref}", REF).replace("{t_end}", str(t_end)).replace("{nz}", str(nz)))
        return path

    def test_kill_and_resume_recomputes_only_missing_rows(self):
        spec = self.spec(GRID, t_end=1825, nz=1200)  # ~0.1 s a row (2026-12-04): caught midway
        full = os.path.join(self.d, "full")
        self.assertEqual(sweep(spec, full, 2).returncode, 0)
        out = os.path.join(self.d, "killed")
        # what a SIGKILLed mpirun leaves (its session directory, the shared-memory segments) goes with the test's
        killed_env = dict(ENV, TMPDIR=self.d, OMPI_MCA_btl_vader_backing_directory=self.d)
        p = subprocess.Popen(mpi_cmd(2) + [BIN, "sweep", spec, "-o", out, "--quiet"], env=killed_env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        st = os.path.join(out, "status")
        deadline = time.time() + 60
        # finished records only: r<id>.json.tmp.<pid> is one being written (counting it, the kill came
        # with 2 records at times: "2 not greater than or equal to 3")
        while time.time() < deadline and not (
                os.path.isdir(st) and len([n for n in os.listdir(st) if n.endswith(".json")]) >= 3):
            time.sleep(0.005)
        # mpirun puts each rank in its own process group: SIGKILL everything in the session
        victims = session_pids(p.pid)
        self.assertIn(p.pid, victims)
        self.assertGreaterEqual(len(victims), 3, "mpirun and its two ranks")
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        p.wait()
        while session_pids(p.pid):
            time.sleep(0.01)
        done_before = len([n for n in os.listdir(st) if n.endswith(".json")])
        self.assertGreaterEqual(done_before, 3)
        self.assertLess(done_before, 9, "killed midway")
        self.assertFalse(os.path.exists(os.path.join(out, "summary.csv")), "no summary from a killed driver")
        r = sweep(spec, out, 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"computed {9 - done_before}, reused {done_before}, failed 0", r.stdout)
        self.assertFalse([n for n in os.listdir(os.path.join(out, "runs")) if not n.endswith(".h5")],
                         "no .partial left")
        check_summary_against_runs(self, out, 9)
        a, b = summary(full), summary(out)
        for ra, rb in zip(a, b):
            for k in SOLVER + OUTCOMES:
                self.assertTrue(same(ra[k], rb[k]), f"{ra['id']} {k}: {ra[k]} != {rb[k]}")
        with h5py.File(os.path.join(full, "summary.h5"), "r") as fa, h5py.File(os.path.join(out, "summary.h5")) as fb:
            for k in SOLVER + OUTCOMES:
                np.testing.assert_allclose(fb[k][:], fa[k][:], rtol=1e-12, equal_nan=True, err_msg=k)

    def test_sigterm_stops_cleanly_and_the_same_command_finishes(self):
        """SIGTERM (Slurm's time limit) to a one-process sweep: the running row
        stops with a checkpoint (its partial file and checkpoints kept), the
        summary is rebuilt with the rest pending, exit 6 with the progress and
        result lines saying interrupted; the same command then finishes,
        reusing the rows done and continuing the stopped row from its
        checkpoint (a row longer than the time limit used to start over every
        time), with the results of an uninterrupted sweep."""
        spec = self.spec(GRID, t_end=1825, nz=1200)  # ~0.1 s a row (2026-12-04): caught midway
        full = os.path.join(self.d, "full")
        self.assertEqual(sweep(spec, full).returncode, 0)
        out = os.path.join(self.d, "term")
        p = subprocess.Popen([BIN, "sweep", spec, "-o", out], env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        st, runs = os.path.join(out, "status"), os.path.join(out, "runs")

        def running_third_row():  # two rows recorded and a later row's partial file open (not between rows)
            done = [n for n in os.listdir(st) if n.endswith(".json")] if os.path.isdir(st) else []
            return len(done) >= 2 and any(n.endswith(".h5.partial") and n.replace(".h5.partial", ".json") not in done
                                          for n in os.listdir(runs))
        deadline = time.time() + 60
        while time.time() < deadline and not running_third_row():
            time.sleep(0.005)
        p.send_signal(signal.SIGTERM)
        stdout, stderr = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 6, stderr)
        self.assertRegex(stdout, r"computed \d+, reused 0, failed 0 \(of 9 rows for this task\), interrupted;")
        self.assertRegex(stderr, r"sweep: \d+/9 runs finished, 0 failed, \d+ s elapsed, interrupted\n")
        self.assertIn("cartsim: error: sweep interrupted: rerun the same command to finish it", stderr)
        done_before = len(os.listdir(st))
        self.assertLess(done_before, 9, "stopped midway")
        stopped = f"r{done_before:06d}"
        left = sorted(set(os.listdir(os.path.join(out, "runs"))) - {n.replace(".json", ".h5") for n in os.listdir(st)})
        self.assertEqual(left[0], stopped + ".h5.partial", "the stopped row's partial file is kept")
        self.assertTrue(left[1:] and all(re.fullmatch(stopped + r"\.h5\.partial\.ckpt\.\d+\.h5", n) for n in left[1:]),
                        left)
        with h5py.File(os.path.join(out, "runs", left[0]), "r") as f:
            self.assertEqual(f["meta"].attrs["status"], "interrupted", "never passed off as complete")
            # the advice is the sweep command's: the row's own `cartsim run ... --restart` finished the .partial,
            # which the sweep then discarded and computed again
            reason = f["meta"].attrs["status_reason"]
            reason = reason.decode() if isinstance(reason, bytes) else reason
        self.assertIn(f"rerun the same command (cartsim sweep {spec} -o {out}", reason)
        self.assertNotIn("--restart", reason)
        self.assertEqual([r["status"] for r in summary(out)].count("pending"), 9 - done_before)
        r = sweep(spec, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"computed {9 - done_before}, reused {done_before}, failed 0 (of 9 rows for this task; "
                      "1 continued from the checkpoint of an interrupted run)", r.stdout)
        self.assertEqual(sorted(os.listdir(os.path.join(out, "runs"))), [f"r{i:06d}.h5" for i in range(9)],
                         "no partial file or checkpoint left")
        with h5py.File(os.path.join(out, "runs", stopped + ".h5"), "r") as f:
            self.assertEqual(f["meta"].attrs["status"], "complete")
            self.assertGreater(float(f["meta"].attrs["restarted_from_day"]), 0.0, "continued, not started over")
            wall = float(f["meta"].attrs["wall_seconds"])
        rows = check_summary_against_runs(self, out, 9)
        self.assertAlmostEqual(float(rows[done_before]["wall_seconds"]), wall, delta=1e-6,
                               msg="a continued row's wall time counts every segment (it was the last one's)")
        for ra, rb in zip(summary(full), summary(out)):
            # the continued row restarts its integrator at order 1 from the checkpoint: it agrees
            # to a few rtol (docs/reliability.md; 3e-6 seen), every other row is the same run
            tol = 1e-5 if ra["id"] == stopped else 1e-12
            for k in OUTCOMES:
                self.assertTrue(same(ra[k], rb[k], tol), f"{ra['id']} {k}: {ra[k]} != {rb[k]}")

    def test_a_long_reason_ends_with_a_whole_problem_and_a_count(self):
        """A row with many bad values got a reason cut at 599 bytes mid-word, without a mark."""
        bad = ", ".join(f"model.{k}: -1" for k in ("k_c", "k_a", "V_s", "sig_s0", "K_R", "q_RE", "K_MSC", "D_P", "D_R"))
        spec = self.spec(COMMON + "design:\n  type: list\n  rows:\n    - {\"treatments[0].day\": 100, " + bad + "}\n"
                         "    - {\"treatments[0].day\": 100}\n", "many.yaml")
        out = os.path.join(self.d, "many")
        p = sweep(spec, out)
        self.assertEqual(p.returncode, 0, p.stderr)
        reason = summary(out)[0]["reason"]
        with open(os.path.join(out, "status", "r000000.json")) as f:
            self.assertEqual(json.load(f)["reason"], reason)
        m = re.search(r"; and (\d+) more problems?$", reason)
        self.assertTrue(m, reason)
        parts = reason[:m.start()].split("; ")
        self.assertEqual(len(parts) + int(m.group(1)), 9, reason)
        for part in parts:
            self.assertRegex(part, r"^model\.\w+ = -1 \(this row's value\): must be ", part)
        self.assertLess(len(reason.encode()), 600)

    def test_a_summary_that_cannot_be_written_is_not_announced(self):
        """A resumed sweep whose summary could not be written (a read-only DIR) printed "summary in
        DIR/summary.csv", then exited 4 with "cannot write DIR/summary.csv" and no reason."""
        spec = self.spec(COMMON + "design:\n  type: list\n  rows:\n    - {\"treatments[0].day\": 100}\n", "one.yaml")
        out = os.path.join(self.d, "one")
        p = sweep(spec, out)
        self.assertEqual(p.returncode, 0, p.stderr)
        os.remove(os.path.join(out, "summary.csv"))
        os.mkdir(os.path.join(out, "summary.csv"))  # the rename onto it fails, as on a read-only DIR
        p = sweep(spec, out)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertNotIn("summary in", p.stdout)
        self.assertIn(f"the summary could not be written ({out}/summary.csv: the error below)", p.stdout)
        self.assertEqual(p.stderr, f"cartsim: error: cannot write {out}/summary.csv: Is a directory\n")

    def test_failures_are_recorded_and_all_failing_exits_5(self):
        spec = self.spec(COMMON + """design:
  type: list
  rows:
    - {"treatments[0].day": 100}
    - {"treatments[0].day": 100, solver.max_steps: 10}
    - {"treatments[0].day": 100, model.k_c: -1}
""")
        out = os.path.join(self.d, "fail")
        p = sweep(spec, out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 1, reused 0, failed 2", p.stdout)
        rows = check_summary_against_runs(self, out, 3)
        self.assertEqual([r["status"] for r in rows], ["done", "failed", "failed"])
        self.assertTrue(math.isnan(float(rows[1]["thickness_loss_pct"])), "no outcomes for a failed row")
        self.assertIn("CVODE failed", rows[1]["reason"], "the summary says why a row failed")
        self.assertIn("model.k_c", rows[2]["reason"])
        with open(os.path.join(out, "status", "r000001.json")) as f:
            st = json.load(f)
        self.assertEqual(st["status"], "failed")
        self.assertIn("CVODE failed", st["reason"])
        self.assertEqual(st["values"]["solver.max_steps"], "10")
        with open(os.path.join(out, "status", "r000002.json")) as f:
            self.assertIn("model.k_c", json.load(f)["reason"])
        self.assertFalse(os.listdir(os.path.join(out, "runs")) != ["r000000.h5"], "only the good row has a file")
        p = sweep(spec, out)
        self.assertIn("computed 0, reused 1, failed 2", p.stdout, "failed rows are not rerun without --retry-failed")
        p = sweep(spec, out, 1, "--retry-failed")
        self.assertIn("computed 0, reused 1, failed 2", p.stdout, "rerun, and failed again")
        bad = self.spec(COMMON + "design:\n  type: list\n  rows:\n    - {\"treatments[0].day\": 100, solver.max_steps: 10}\n"
                        "    - {model.k_c: -1}\n", "bad.yaml")
        p = sweep(bad, os.path.join(self.d, "allbad"))
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertIn("every row of the sweep failed", p.stderr)
        self.assertEqual([r["status"] for r in summary(os.path.join(self.d, "allbad"))], ["failed", "failed"])
        # a row's reason names each value where the sweep file gives it: it said "--set model.k_c=-1: ..." and
        # blamed "--set treatments[0].type=msc" for the missing day, --set options the user never typed
        reason = summary(os.path.join(self.d, "allbad"))[1]["reason"]
        self.assertRegex(reason, r"^model\.k_c = -1 \(this row's value\): must be in \[0, ")
        self.assertRegex(reason, r"; treatments\[0\]\.type = msc \(set:, \S*bad\.yaml:\d+:\d+\): new treatments\[0\] "
                                 r"lacks day")
        self.assertNotIn("--set", reason)
        # a row done under one base config that fails under the edited one loses its old run file
        base, spec = self.edited_base_sweep([100, 30])
        out = os.path.join(self.d, "edited")
        self.assertIn("computed 2, reused 0, failed 0", sweep(spec, out).stdout)
        with open(base, "w") as f:
            f.write(f"base: {REF}\nrun:\n  t_end: 50\n")  # the injection on day 100 is now after the end
        p = sweep(spec, out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 1, reused 0, failed 1", p.stdout)
        self.assertEqual(os.listdir(os.path.join(out, "runs")), ["r000001.h5"], "the run file of the old config is gone")

    def test_cohort_arms_branch_from_each_patients_history(self):
        # the base has a treatment of its own (as configs/lesion2d.yaml has): a cohort drops it, so
        # that the first arm is the untreated history (every arm used to fail its --baseline check)
        base = self.spec("base: {ref}\ntreatments:\n  - {type: il1ra, day: 90, dose: 150}\n", "treated.yaml")
        spec = self.spec("""base: treated.yaml
seed: 11
set: {grid.nz: 16, output.dt: 30, output.fields_every: 0}
design:
  type: cohort
  patients: 3
  distributions:
    model.V_s: {dist: lognormal, median: 10, sigma: 0.35, min: 6.7, max: 24}
    model.k_c: {dist: uniform, min: 0.014, max: 0.025}
  arms:
    - {name: untreated}
    - name: early
      set: {"treatments[0].type": msc, "treatments[0].day": 180, "treatments[0].dose": 5.0e7}
""")
        out = os.path.join(self.d, "cohort")
        p = sweep(spec, out, 2)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 6, reused 0, failed 0", p.stdout)
        rows = check_summary_against_runs(self, out, 6)
        self.assertEqual([r["arm"] for r in rows], ["untreated", "early"] * 3)
        self.assertEqual([r["patient"] for r in rows], ["0", "0", "1", "1", "2", "2"])
        for pat in range(3):
            hist, arm = rows[2 * pat], rows[2 * pat + 1]
            self.assertEqual(hist["model.V_s"], arm["model.V_s"], "both arms are the same patient")
            self.assertTrue(6.7 <= float(hist["model.V_s"]) <= 24)
            with h5py.File(os.path.join(out, "runs", hist["id"] + ".h5"), "r") as h, \
                    h5py.File(os.path.join(out, "runs", arm["id"] + ".h5"), "r") as b:
                self.assertEqual(len(h["treatments/day"]), 0, "the history is untreated")
                self.assertEqual(list(b["treatments/type"][:].astype(str)), ["msc"], "the arm has its own only")
                self.assertEqual(float(b["meta"].attrs["t_start"]), 180.0, "the arm branches at its day")
                th = np.interp(180.0, h["timeseries/time"][:], h["timeseries/thickness"][:])
                self.assertAlmostEqual(float(b["timeseries/thickness"][0]), th, delta=1e-9)
                benefit = 100 * (b["timeseries/thickness"][-1] - h["timeseries/thickness"][-1]) / h["timeseries/thickness"][0]
                self.assertAlmostEqual(float(arm["benefit_thickness_points"]), benefit, delta=1e-6)
        self.assertIn("computed 0, reused 6, failed 0", sweep(spec, out, 1).stdout)

    def test_tasks_merge_into_one_directory(self):
        spec = self.spec(GRID)
        out = os.path.join(self.d, "tasks")
        p = sweep(spec, out, 1, "--task", "1", "--tasks", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 4, reused 0, failed 0 (of 4 rows", p.stdout, "rows 1, 3, 5, 7")
        self.assertEqual([r["status"] for r in summary(out)], ["pending", "done"] * 4 + ["pending"])
        p = sweep(spec, out, 1, "--task", "0", "--tasks", "2")
        self.assertIn("computed 5, reused 0, failed 0 (of 5 rows", p.stdout)
        with open(os.path.join(out, "sensitivity_thickness_loss_pct.csv"), "w") as f:
            f.write("a figure or table the user made from the sweep\n")
        p = sweep(spec, out, 1, "--task", "0", "--tasks", "2")
        self.assertIn("computed 0, reused 5, failed 0", p.stdout, "resuming ignores the user's files in DIR")
        rows = check_summary_against_runs(self, out, 9)
        self.assertEqual([r["status"] for r in rows], ["done"] * 9, "the last task leaves the whole table")

    def test_tasks_hold_whole_sobol_samples_and_morris_trajectories(self):
        """A Sobol sample (k+2 rows) or Morris trajectory (k+1 rows) belongs to one task: split row by
        row, a task left unrun took a row of every sample and no index could be computed at all."""
        ranges = "  ranges:\n    model.k_c: {min: 0.012, max: 0.025}\n    model.sig_s0: {min: 0.04, max: 0.1}\n"
        for design, rows, unit in (("type: morris\n  trajectories: 3\n", 9, 3), ("type: sobol\n  samples: 3\n", 12, 4)):
            spec = self.spec("base: {ref}\nseed: 5\nset: {grid.nz: 16, run.t_end: 40, output.fields_every: 0}\n"
                             "design:\n  " + design + ranges, "sa.yaml")
            out = os.path.join(self.d, design.split()[1])
            p = sweep(spec, out, 1, "--task", "1", "--tasks", "3")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(f"computed {unit}, reused 0, failed 0 (of {unit} rows for this task)", p.stdout)
            want = ["done" if r // unit == 1 else "pending" for r in range(rows)]
            self.assertEqual([r["status"] for r in summary(out)], want, design)

    def test_tasks_finishing_together_leave_the_whole_table(self):
        # Task 0 reads the status records, then (held by the slow_rename shim)
        # waits before its summary.csv replaces the one on disk; task 1 runs
        # all its rows and writes the complete table inside that window. Task
        # 0's table, built before task 1's rows were recorded, lands last: it
        # must notice and rebuild, or the summary shows task 1's rows pending.
        lib = os.environ.get("SLOW_RENAME_LIB")
        if not lib:
            self.skipTest("SLOW_RENAME_LIB not set (run through ctest)")
        spec = self.spec(GRID)
        out = os.path.join(self.d, "together")
        mark = os.path.join(self.d, "task0_renaming")
        env = dict(ENV, LD_PRELOAD=lib, SLOW_RENAME_TARGET="/summary.csv", SLOW_RENAME_MARK=mark,
                   SLOW_RENAME_SECONDS="3", ASAN_OPTIONS=ENV.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        t0 = subprocess.Popen([BIN, "sweep", spec, "-o", out, "--quiet", "--task", "0", "--tasks", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            deadline = time.time() + 60
            while not os.path.exists(mark) and t0.poll() is None and time.time() < deadline:
                time.sleep(0.05)
            self.assertTrue(os.path.exists(mark), "task 0 reached its summary")
            p = sweep(spec, out, 1, "--task", "1", "--tasks", "2")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("computed 4, reused 0, failed 0 (of 4 rows", p.stdout)
            self.assertEqual(t0.poll(), None, "task 1 finished while task 0 was still before its rename")
            stdout, stderr = t0.communicate(timeout=60)
        finally:
            if t0.poll() is None:
                t0.kill()
                t0.wait()
        self.assertEqual(t0.returncode, 0, stderr)
        self.assertIn("computed 5, reused 0, failed 0 (of 5 rows", stdout)
        rows = check_summary_against_runs(self, out, 9)
        self.assertEqual([r["status"] for r in rows], ["done"] * 9, "the last table to land is the whole one")

    def test_changed_sweep_is_refused_and_force_starts_over(self):
        spec = self.spec(GRID)
        out = os.path.join(self.d, "old")
        self.assertEqual(sweep(spec, out, 1, "--task", "0", "--tasks", "3").returncode, 0)
        # a new seed that changes no row (a grid draws nothing) is the same sweep: it resumes, and the
        # directory keeps the seed its rows and sweep.yaml have (the summary said the new one)
        reseeded = self.spec(GRID.replace("seed: 5", "seed: 9"), "reseeded.yaml")
        p = sweep(reseeded, out, 1, "--task", "1", "--tasks", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 3, reused 0", p.stdout)
        self.assertEqual({r["seed"] for r in summary(out)}, {"5"})
        with h5py.File(os.path.join(out, "summary.h5"), "r") as s:
            self.assertEqual(int(s.attrs["seed"]), 5)
            self.assertEqual(set(s["seed"][:]), {5.0})
        for n in os.listdir(os.path.join(out, "status")):
            with open(os.path.join(out, "status", n)) as f:
                self.assertEqual(json.load(f)["seed"], 5, n)
        self.assertIn(f"sweep: note: {out} holds this sweep with seed 5 ({out}/sweep.yaml): the seed 9 of {reseeded} "
                      "changes no row of its design, so the rows are those of seed 5", p.stderr)
        for n in os.listdir(os.path.join(out, "status")):  # back to task 0's rows only, for what follows
            if int(n[1:7]) % 3 == 1:
                os.remove(os.path.join(out, "status", n))
                os.remove(os.path.join(out, "runs", n.replace(".json", ".h5")))
        before = sorted(os.listdir(os.path.join(out, "runs")))
        changed = self.spec(GRID.replace("0.025", "0.03"), "changed.yaml")
        p = sweep(changed, out)
        self.assertEqual(p.returncode, 3)
        self.assertIn("holds another sweep", p.stderr)
        self.assertEqual(sorted(os.listdir(os.path.join(out, "runs"))), before, "nothing touched")
        with open(os.path.join(out, "notes.txt"), "w") as f:
            f.write("the user's own file\n")
        p = sweep(changed, out, 1, "--force")
        self.assertEqual(p.returncode, 3, "--force never deletes what a sweep did not write")
        self.assertIn("notes.txt", p.stderr)
        self.assertEqual(sorted(os.listdir(os.path.join(out, "runs"))), before, "nothing touched")
        os.remove(os.path.join(out, "notes.txt"))
        p = sweep(changed, out, 1, "--force", "--task", "0", "--tasks", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 3, reused 0, failed 0", p.stdout, "started over")
        self.assertEqual(summary(out)[2]["model.k_c"], "0.03")
        with open(os.path.join(out, "sweep.yaml")) as f:
            self.assertIn("0.03", f.read())
        other = os.path.join(self.d, "other")
        os.makedirs(other)
        open(os.path.join(other, "data.h5"), "w").close()
        p = sweep(spec, other)
        self.assertEqual(p.returncode, 3, "a directory holding other files is refused")
        self.assertEqual(os.listdir(other), ["data.h5"])
        # a crowded directory (`-o /dev`): five names and a count, not every name in one line
        for i in range(40):
            open(os.path.join(other, f"note{i:02d}_{'x' * 40}.txt"), "w").close()
        p = sweep(spec, other)
        self.assertEqual(p.returncode, 3)
        named = re.search(r"holds files that no sweep wrote \((.*) and (\d+) more\)", p.stderr)
        self.assertIsNotNone(named, p.stderr)
        self.assertEqual((len(named.group(1).split(", ")), int(named.group(2))), (5, 36), p.stderr)
        self.assertEqual(len(os.listdir(other)), 41, "nothing touched")


    def test_force_deletes_only_the_names_a_sweep_writes(self):
        """--force deletes the names a sweep writes, exactly: any name that merely began like one (a
        user's copies r000003.h5.keep, r3.h5-before-fix, r000003.json.orig) was deleted with the old
        sweep. Each near miss alone makes --force refuse (exit 3, named) and is kept; every name the
        sweep and cs_run do write (temporary, partial and checkpoint names too) is removed."""
        spec = self.spec(GRID)
        out = os.path.join(self.d, "fb")
        self.assertEqual(sweep(spec, out).returncode, 0)
        runs, status = os.path.join(out, "runs"), os.path.join(out, "status")
        shutil.copy(os.path.join(runs, "r000003.h5"), os.path.join(runs, "r000003.h5.keep"))
        shutil.copy(os.path.join(runs, "r000003.h5"), os.path.join(runs, "r3.h5-before-fix"))
        shutil.copy(os.path.join(status, "r000003.json"), os.path.join(status, "r000003.json.orig"))
        changed = self.spec(GRID.replace("180]", "181]"), "changed.yaml")
        before = tree(out)
        p = sweep(changed, out, 1, "--force")
        self.assertEqual(p.returncode, 3, p.stderr)
        for n in ("runs/r000003.h5.keep", "runs/r3.h5-before-fix", "status/r000003.json.orig"):
            self.assertIn(n, p.stderr)
        self.assertEqual(tree(out), before, "nothing touched: the copies and the old sweep's files")
        for n in ("runs/r000003.h5.keep", "runs/r3.h5-before-fix", "status/r000003.json.orig"):
            os.remove(os.path.join(out, n))
        os.makedirs(os.path.join(out, "states"))
        near = ["runs/r0000003.h5", "runs/r00003.h5", "runs/r000003.h5.tmp.4242", "runs/r000003.h5.partial.old",
                "runs/r000003.h5.partial.ckpt.01.h5", "runs/r000003.h5.partial.ckpt.1.h5.bak",
                "runs/r000003.h5.partial.tmp.", "runs/R000003.h5", "status/r000003.json.tmp",
                "status/r000003.json~", "states/p000000_day30.h5.bak", "states/p000000_day030.h5",
                "states/p000000_day.h5", "states/p0_day30.h5", "sweep.yaml.tmp", "sweep.yaml.orig",
                "summary.csv.tmp.4242", "summary.csv.bak", "summary.h5.tmp.0.4242.x", "sweep.fingerprint.old"]
        for n in near:
            with self.subTest(name=n):
                with open(os.path.join(out, n), "w") as f:
                    f.write("the user's\n")
                before = tree(out)
                p = sweep(changed, out, 1, "--force")
                self.assertEqual(p.returncode, 3, p.stderr)
                self.assertIn(f"({n})", p.stderr)
                self.assertEqual(tree(out), before, "nothing touched")
                os.remove(os.path.join(out, n))
        ours = ["runs/r000003.h5.partial", "runs/r000003.h5.partial.tmp.4242", "runs/r000003.h5.partial.ckpt.0.h5",
                "runs/r000003.h5.partial.ckpt.12.h5.partial", "runs/r1234567.h5", "status/r000003.json.tmp.4242",
                "states/p000000_day30.h5", "states/p000001_day1.5.h5.partial", "states/p000002_day1e+06.h5",
                "sweep.yaml.tmp.4242", "sweep.fingerprint.tmp.4242", "summary.csv.tmp.0.4242",
                "summary.h5.tmp.2.4242"]
        for n in ours:
            with open(os.path.join(out, n), "w") as f:
                f.write("a sweep's\n")
        p = sweep(changed, out, 1, "--force", "--task", "0", "--tasks", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 3, reused 0, failed 0", p.stdout, "started over")
        self.assertEqual([n for n in ours if os.path.exists(os.path.join(out, n))], [], "a sweep's names removed")
        self.assertEqual(sorted(os.listdir(runs)), ["r000000.h5", "r000003.h5", "r000006.h5"])

    def test_a_directory_holding_no_sweep_is_refused_whatever_its_names(self):
        """-o DIR without a sweep.fingerprint holds no sweep: its files are the user's whatever their
        names (a summary.csv, sweep.yaml or runs/r000000.h5 was overwritten by the new sweep), so a
        non-empty one is refused (exit 3, naming them) and kept as it is. What a start killed before its
        fingerprint leaves (empty runs/ and status/, the fingerprint's temporary file) is no obstacle,
        and a start killed after it (no sweep.yaml yet) resumes."""
        spec = self.spec(GRID)
        for name in ("summary.csv", "sweep.yaml", "runs/r000000.h5"):
            with self.subTest(name=name):
                d = os.path.join(self.d, "user_" + name.replace("/", "_"))
                os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
                with open(os.path.join(d, name), "w") as f:
                    f.write("user data\n")
                before = tree(d)
                p = sweep(spec, d)
                self.assertEqual(p.returncode, 3, p.stderr)
                self.assertIn(name, p.stderr)
                self.assertIn("holds no sweep", p.stderr)
                self.assertEqual(p.stdout, "", "no row ran")
                self.assertEqual(tree(d), before, "nothing touched")
                p = sweep(spec, d, 1, "--force")
                self.assertEqual(p.returncode, 3, "--force deletes only a sweep's files, and DIR holds no sweep")
                self.assertEqual(tree(d), before, "nothing touched")
        killed = os.path.join(self.d, "killed_start")
        os.makedirs(os.path.join(killed, "runs"))
        os.makedirs(os.path.join(killed, "status"))
        with open(os.path.join(killed, "sweep.fingerprint.tmp.4242"), "w") as f:
            f.write("9280f6c1")
        p = sweep(spec, killed, 1, "--task", "0", "--tasks", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 3, reused 0, failed 0", p.stdout)
        os.remove(os.path.join(killed, "sweep.yaml"))
        p = sweep(spec, killed, 1, "--task", "0", "--tasks", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 0, reused 3, failed 0", p.stdout, "the sweep its fingerprint names, resumed")
        with open(os.path.join(killed, "sweep.yaml")) as f, open(spec) as g:
            self.assertEqual(f.read(), g.read(), "and its sweep.yaml written")

    def test_a_sweep_file_inside_its_directory_is_never_overwritten(self):
        """A sweep's inputs are never its outputs: a sweep file at DIR/sweep.yaml (where the sweep keeps
        the copy of its sweep file) starts no sweep there (exit 2), and once edited it is neither called
        the sweep DIR holds nor deleted by --force (it was, then rewritten from memory); it still
        resumes the sweep DIR holds while unchanged (nothing is written to it then)."""
        study = os.path.join(self.d, "study")
        os.makedirs(study)
        inside = self.spec(GRID, os.path.join("study", "sweep.yaml"))
        before = tree(study)
        for extra in ([], ["--force"]):
            p = sweep(inside, study, 1, *extra)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(f"{inside} is {study}/sweep.yaml", p.stderr)
            self.assertEqual(tree(study), before, "nothing written")
        outside = os.path.join(self.d, "study.yaml")
        shutil.copy(inside, outside)
        os.remove(inside)
        self.assertEqual(sweep(outside, study, 1, "--task", "0", "--tasks", "3").returncode, 0)
        p = sweep(inside, study, 1, "--task", "0", "--tasks", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 0, reused 3", p.stdout, "DIR's own copy resumes its sweep")
        with open(inside) as f:
            edited = f.read().replace("180]", "181]")
        with open(inside, "w") as f:
            f.write(edited)
        before = tree(study)
        for extra in ([], ["--force"]):
            with self.subTest(args=extra):
                p = sweep(inside, study, 1, *extra)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertNotIn("is the one it holds", p.stderr)
                self.assertIn(f"{inside} is {study}/sweep.yaml", p.stderr)
                self.assertEqual(tree(study), before, "the edited file and the sweep's files kept")
        # nor is its base config (here at a name the sweep writes: summary.csv)
        basein = os.path.join(self.d, "basein")
        os.makedirs(basein)
        shutil.copy(REF, os.path.join(basein, "summary.csv"))
        spec = self.spec(GRID.replace("{ref}", os.path.join(basein, "summary.csv")), "basein.yaml")
        before = tree(basein)
        p = sweep(spec, basein, 1, "--force")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(f"the base config of the sweep file {spec}, is {basein}/summary.csv", p.stderr)
        self.assertEqual(tree(basein), before)

    def test_rows_of_an_edited_base_or_without_a_run_file_are_flagged(self):
        """Job-array tasks run at different times: a base file edited between
        them left the other task's rows `done` in the summary, computed under
        the old config; a done row whose run file is gone showed `done` with
        NaN outcomes. Both are now marked (outdated / missing) with a warning,
        and rerunning the task holding them recomputes them."""
        base, spec = self.edited_base_sweep([100, 150])
        out = os.path.join(self.d, "out")
        self.assertIn("computed 1,", sweep(spec, out, 1, "--task", "0", "--tasks", "2").stdout)
        with open(base, "w") as f:
            f.write(f"base: {REF}\nrun:\n  t_end: 300\n")
        p = sweep(spec, out, 1, "--task", "1", "--tasks", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r["status"] for r in summary(out)], ["outdated", "done"])
        self.assertTrue(math.isnan(float(summary(out)[0]["thickness_loss_pct"])), "no outcomes of the old config")
        self.assertTrue(math.isnan(float(summary(out)[0]["wall_seconds"])), "nor its wall time")
        self.assertIn("under another config", summary(out)[0]["reason"])
        self.assertIn("sweep: warning: 1 row (first r000000) computed under another config of the row", p.stderr)
        p = sweep(spec, out, 1, "--task", "0", "--tasks", "2")
        self.assertIn("computed 1, reused 0", p.stdout, "recomputed under the edited base")
        self.assertNotIn("warning", p.stderr)
        rows = check_summary_against_runs(self, out, 2)
        self.assertEqual([r["status"] for r in rows], ["done", "done"])
        with h5py.File(os.path.join(out, "runs", "r000000.h5"), "r") as f:
            self.assertEqual(float(f["timeseries/time"][-1]), 300.0)
        os.remove(os.path.join(out, "runs", "r000001.h5"))
        p = sweep(spec, out, 1, "--task", "0", "--tasks", "2")
        self.assertEqual([r["status"] for r in summary(out)], ["done", "missing"])
        self.assertIn("runs/r000001.h5 is missing", summary(out)[1]["reason"])
        # no wall time either (docs/sweeps.md): it showed the gone run's, beside nan outcomes
        self.assertTrue(math.isnan(float(summary(out)[1]["wall_seconds"])), summary(out)[1]["wall_seconds"])
        with h5py.File(os.path.join(out, "summary.h5"), "r") as s:
            self.assertTrue(math.isnan(s["wall_seconds"][1]) and math.isnan(s["thickness_loss_pct"][1]))
            self.assertFalse(math.isnan(s["wall_seconds"][0]), "the done row keeps its wall time")
        self.assertRegex(p.stderr, r"sweep: warning: 1 done row \(first r000001\) without a readable run file in \S+/runs")
        self.assertIn("computed 1, reused 0", sweep(spec, out, 1, "--task", "1", "--tasks", "2").stdout)
        self.assertEqual([r["status"] for r in summary(out)], ["done", "done"])
        # a run file cut short (a copy interrupted) is not reused either: it was shown missing, never recomputed
        os.truncate(os.path.join(out, "runs", "r000001.h5"), 1000)
        p = sweep(spec, out, 1, "--task", "1", "--tasks", "2")
        self.assertIn("computed 1, reused 0", p.stdout, p.stderr)
        self.assertEqual([r["status"] for r in check_summary_against_runs(self, out, 2)], ["done", "done"])

    def test_a_finished_patient_is_not_recomputed_for_a_purged_state(self):
        """A cohort patient whose arms are all done keeps its files when its
        saved states are gone (a scratch purge): the history is recomputed
        only when an arm still to run needs a state."""
        spec = self.spec(ONE_ARM_COHORT.format(nz=16, t_end=400, patients=2, arm="early", day=180))
        out = os.path.join(self.d, "cohort")
        self.assertIn("computed 4, reused 0", sweep(spec, out).stdout)
        runs = os.path.join(out, "runs")
        stamps = {n: os.stat(os.path.join(runs, n)).st_mtime_ns for n in os.listdir(runs)}
        os.remove(os.path.join(out, "states", "p000001_day180.h5"))
        p = sweep(spec, out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 0, reused 4", p.stdout, "nothing recomputed for a state no arm needs")
        self.assertEqual({n: os.stat(os.path.join(runs, n)).st_mtime_ns for n in os.listdir(runs)}, stamps)
        os.remove(os.path.join(runs, "r000003.h5"))  # the arm itself must run again: it needs the state
        p = sweep(spec, out)
        self.assertIn("computed 2, reused 2", p.stdout, "the history (for its state) and the arm")
        self.assertTrue(os.path.exists(os.path.join(out, "states", "p000001_day180.h5")))
        self.assertEqual([r["status"] for r in check_summary_against_runs(self, out, 4)], ["done"] * 4)

    def test_a_stopped_cohort_history_continues(self):
        """A patient's history stopped by SIGTERM continues from its checkpoint (the states it has to
        save did not exist yet, which forced it to start over every time: a history longer than a
        job's time limit never finished); its arms then branch from its states as usual."""
        spec = self.spec(ONE_ARM_COHORT.format(nz=4000, t_end=1825, patients=1, arm="late", day=1460))
        full = os.path.join(self.d, "full")
        self.assertEqual(sweep(spec, full).returncode, 0)
        out = os.path.join(self.d, "stopped")
        stop_row0_midway(self, spec, out)
        self.assertFalse(os.path.exists(os.path.join(out, "status", "r000000.json")), "stopped in the history")
        r = sweep(spec, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("computed 2, reused 0, failed 0 (of 2 rows for this task; 1 continued from the checkpoint",
                      r.stdout)
        with h5py.File(os.path.join(out, "runs", "r000000.h5"), "r") as f:
            self.assertGreater(float(f["meta"].attrs["restarted_from_day"]), 0.0)
        check_summary_against_runs(self, out, 2)
        for ra, rb in zip(summary(full), summary(out)):
            for k in OUTCOMES:
                self.assertTrue(same(ra[k], rb[k], 1e-4), f"{ra['id']} {k}: {ra[k]} != {rb[k]}")
        # stopped in the arm, its history recorded: the progress line counts the history as the result
        # line does (it said "0/2 runs finished" beside "computed 1": a patient was counted when it ended)
        spec = self.spec(ONE_ARM_COHORT.format(nz=4000, t_end=1825, patients=1, arm="early", day=30), "arm.yaml")
        out = os.path.join(self.d, "arm")
        p = subprocess.Popen([BIN, "sweep", spec, "-o", out], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not os.path.exists(os.path.join(out, "status", "r000000.json")):
            time.sleep(0.005)
        time.sleep(0.03)
        p.send_signal(signal.SIGTERM)
        stdout, stderr = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 6, stderr)
        self.assertTrue(os.path.exists(os.path.join(out, "runs", "r000001.h5.partial")), "stopped in the arm")
        self.assertIn("computed 1, reused 0, failed 0 (of 2 rows for this task), interrupted;", stdout)
        self.assertRegex(stderr, r"sweep: 1/2 runs finished, 0 failed, \d+ s elapsed, interrupted\n")
        r = sweep(spec, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("computed 1, reused 1, failed 0 (of 2 rows for this task; 1 continued", r.stdout)

    def test_a_stopped_history_whose_state_was_purged_starts_over(self):
        """A history stopped after saving its arm's state (day 30), the state then purged (a scratch
        clean-up): continuing from the checkpoint cannot reach day 30 again, which `cartsim run --restart`
        now refuses (exit 2); the sweep recorded that as the row's failure (exit 5, and failed again on
        every rerun). The row starts over instead, as docs/sweeps.md promises for a purged history."""
        spec = self.spec(ONE_ARM_COHORT.format(nz=4000, t_end=1825, patients=1, arm="early", day=30))
        out = os.path.join(self.d, "purged")
        state = os.path.join(out, "states", "p000000_day30.h5")
        p = subprocess.Popen([BIN, "sweep", spec, "-o", out, "--quiet"], env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not os.path.exists(state):
            time.sleep(0.002)
        p.send_signal(signal.SIGTERM)  # the history is past day 30 (its state is written), far from day 1825
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 6, err)
        self.assertFalse(os.path.exists(os.path.join(out, "status", "r000000.json")), "stopped in the history")
        os.remove(state)
        r = sweep(spec, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("computed 2, reused 0, failed 0 (of 2 rows for this task)", r.stdout)
        self.assertTrue(os.path.exists(state), "the history ran again from the start and saved it")
        check_summary_against_runs(self, out, 2)

    def test_a_history_whose_state_vanished_during_its_run_runs_again_counted_once(self):
        """A history whose saved state is removed while it still runs (a scratch purge) is run again
        at once for its arm, and counted once: the result line said "computed 3" for 2 rows."""
        spec = self.spec(ONE_ARM_COHORT.format(nz=4000, t_end=1825, patients=1, arm="early", day=30))
        out = os.path.join(self.d, "vanished")
        state = os.path.join(out, "states", "p000000_day30.h5")
        p = subprocess.Popen([BIN, "sweep", spec, "-o", out], env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not os.path.exists(state):
            time.sleep(0.002)
        os.remove(state)  # the history is past day 30, far from day 1825
        self.assertFalse(os.path.exists(os.path.join(out, "status", "r000000.json")), "removed during the history")
        stdout, stderr = p.communicate(timeout=240)
        self.assertEqual(p.returncode, 0, stderr)
        self.assertIn("computed 2, reused 0, failed 0 (of 2 rows for this task)", stdout)
        self.assertTrue(os.path.exists(state), "the history ran again and saved it")
        self.assertEqual([r["status"] for r in check_summary_against_runs(self, out, 2)], ["done"] * 2)

    def test_a_config_warning_is_shown_once_for_the_sweep(self):
        """solver.arkode_split imex set for a sweep over the integrator warns for its cvode rows: the
        line was printed by each such row (also with --quiet), once for the sweep is enough."""
        spec = self.spec("base: {ref}\nset:\n  grid.nz: 8\n  run.t_end: 100\n  output.dt: 50\n"
                         "  output.fields_every: 0\n  solver.arkode_split: imex\ndesign:\n  type: grid\n"
                         "  factors:\n    solver.integrator: [cvode, arkode]\n    model.k_c: [0.014, 0.016, 0.025]\n")
        res = sweep(spec, os.path.join(self.d, "warned"))
        self.assertEqual(res.returncode, 0, res.stderr)
        warnings = [line for line in res.stderr.splitlines() if "arkode_split imex has no effect" in line]
        self.assertEqual(len(warnings), 1, res.stderr)
        self.assertTrue(warnings[0].endswith("(shown once for the sweep)"), warnings[0])
        self.assertEqual([r["status"] for r in summary(os.path.join(self.d, "warned"))], ["done"] * 6)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("mount"), "mounts a small tmpfs (root)")
    def test_a_full_disk_keeps_a_stopped_rows_checkpoints(self):
        """A stopped row that meets a full disk when it continues keeps its partial file and
        checkpoints (they were removed with the I/O error: a long row lost its progress on a quota),
        and continues once there is room."""
        disk = os.path.join(self.d, "disk")
        os.makedirs(disk)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", disk]).returncode != 0:
            self.skipTest("cannot mount a tmpfs")
        try:
            self.full_disk_on(disk)
        finally:
            subprocess.run(["umount", "-l", disk])

    def full_disk_on(self, disk):
        spec = self.spec(GRID.replace("    model.k_c: [0.014, 0.016, 0.025]\n", ""), t_end=1825, nz=4000)
        out = os.path.join(disk, "s")
        stop_row0_midway(self, spec, out)
        kept = sorted(n for n in os.listdir(os.path.join(out, "runs")) if n.startswith("r000000.h5.partial"))
        self.assertGreaterEqual(len(kept), 2, "the partial file and a checkpoint")
        filler = os.path.join(disk, "filler")
        st = os.statvfs(disk)
        with open(filler, "wb") as f:  # leave ~1 MB: less than the room check wants for the next flush
            f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - 1_000_000))
        r = sweep(spec, out)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("disk full", r.stderr)
        self.assertEqual(sorted(n for n in os.listdir(os.path.join(out, "runs")) if n.startswith("r000000.h5.partial")),
                         kept, "the stopped row keeps what it continues from")
        os.remove(filler)
        r = sweep(spec, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 continued from the checkpoint", r.stdout)
        self.assertEqual(sorted(os.listdir(os.path.join(out, "runs"))), [f"r{i:06d}.h5" for i in range(3)])

    def test_same_sweep_from_another_directory_resumes(self):
        """The sweep's identity is its file's text (base as written), not the
        working directory: run from the project root, from the sweep's own
        directory or by absolute path, it is the same sweep. The fingerprint
        values are pinned (they name existing sweep directories); one written
        by a version before 2026-12-02 (the base path as resolved from the
        working directory) is still resumed, and upgraded."""
        os.makedirs(os.path.join(self.d, "cfg"))
        shutil.copy(REF, os.path.join(self.d, "cfg", "ref.yaml"))
        with open(os.path.join(self.d, "cfg", "s.yaml"), "w") as f:
            f.write("base: ref.yaml\nseed: 5\nset:\n  run.t_end: 20\n  output.dt: 10\n  output.fields_every: 0\n"
                    "design:\n  type: list\n  rows:\n    - {model.k_c: 0.014}\n    - {model.k_c: 0.016}\n"
                    "    - {model.k_c: 0.025}\n")
        binary = os.path.abspath(BIN)

        def run(cwd, spec, out):
            return subprocess.run([binary, "sweep", spec, "-o", out, "--quiet"], capture_output=True, text=True,
                                  env=ENV, cwd=cwd, timeout=120)

        def fingerprint(out):
            with open(os.path.join(out, "sweep.fingerprint")) as f:
                return f.read().strip()

        out = os.path.join(self.d, "results", "first", "out")  # parents created, as on a fresh checkout
        p = run(self.d, "cfg/s.yaml", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 3, reused 0", p.stdout)
        self.assertEqual(fingerprint(out), "9280f6c1bb8044d0", "the fingerprint of this text changed")
        for cwd, spec in [(os.path.join(self.d, "cfg"), "s.yaml"), ("/", os.path.join(self.d, "cfg", "s.yaml"))]:
            p = run(cwd, spec, out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("computed 0, reused 3", p.stdout, f"run from {cwd}")
        with open(os.path.join(out, "sweep.fingerprint"), "w") as f:
            f.write("31f4b7f842ff3a8d\n")  # what the older version wrote for `cfg/s.yaml` run from self.d
        p = run(self.d, "cfg/s.yaml", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 0, reused 3", p.stdout, "an older version's directory is resumed")
        self.assertEqual(fingerprint(out), "9280f6c1bb8044d0", "and carries the new fingerprint from then on")
        with open(os.path.join(out, "sweep.fingerprint"), "w") as f:
            f.write("31f4b7f842ff3a8d\n")
        p = run(os.path.join(self.d, "cfg"), "s.yaml", out)
        self.assertEqual(p.returncode, 3, "the legacy value from another directory named another base path")
        self.assertIn("holds another sweep", p.stderr)

    def test_malformed_sweep_files_exit_3_and_write_nothing(self):
        """A malformed sweep file (tests/sweep/test_design.c has the table of messages; a NUL byte here)
        is one line per problem and exit 3, with --plan and with -o DIR, on 1 and on 2 ranks: no crash, no rank left
        waiting, no DIR. A second set: overflowed the heap: --plan crashed, a sweep hung for good."""
        grid = "design:\n  type: grid\n  factors:\n    model.k_c: [0.014, 0.016]\n"
        cases = {
            "set2": ("base: {ref}\nset:\n  model.k_a: 0.1\nset:\n  run.t_end: 60\n" + grid,
                     ["4:1: set: duplicate key (first given at line 2)"]),
            "set2long": ("base: {ref}\nset:\n  model.k_a: 0.1\n  model.V_s: 10\n  model.D_P: 1\nset:\n"
                         "  run.t_end: 60\n" + grid, ["6:1: set: duplicate key (first given at line 2)"]),
            "design2": ("base: {ref}\n" + grid + "design:\n  type: list\n  rows: [{model.k_c: 0.02}]\n",
                        ["6:1: design: duplicate key (first given at line 2)"]),
            # the reader stopped at a NUL byte: whatever followed it was silently dropped
            "nul": ("base: {ref}\n" + grid + "\0set: {model.k_c: 5}\n",
                    ["6:1: invalid text (not a YAML/UTF-8 file?): control characters are not allowed (byte 0x00)"]),
        }
        for name, (text, lines) in cases.items():
            spec = self.spec(text, name + ".yaml")
            out = os.path.join(self.d, name + "_out")
            for ranks in (1, 2):
                for extra in (["--plan"], ["-o", out, "--quiet"]):
                    with self.subTest(case=name, ranks=ranks, args=extra[0]):
                        p = bounded(mpi_cmd(ranks) + [BIN, "sweep", spec, *extra])
                        self.assertIsNotNone(p, "still running after 60 s: killed")
                        self.assertEqual(p.returncode, 3, p.stderr)
                        ours = [l for l in p.stderr.splitlines() if l.startswith((spec, "cartsim"))]  # not mpirun's
                        self.assertEqual(ours, [f"{spec}:{l}" for l in lines] + [f"cartsim: error: 1 error in {spec}"],
                                         "once, by rank 0")
                        self.assertEqual(p.stdout, "")
                        self.assertFalse(os.path.exists(out), "nothing written")

    @unittest.skipUnless(MPIRUN, "needs mpirun")
    def test_an_error_on_one_rank_stops_every_rank(self):
        """An error found on a rank other than 0 (here: the base config cannot be read on rank 1's
        node) stops every rank with exit 3 and rank 0's one line naming it. Each rank used to read
        the sweep file by itself and stop alone: rank 0 printed the plan, or went on into the sweep
        and waited for rank 1 for good. And a row's config is read by its group's leader only and
        handed to the group: a rank that read it otherwise stayed out of the run the others started."""
        lib = os.environ.get("DENY_ACCESS_LIB")
        if not lib:
            self.skipTest("DENY_ACCESS_LIB not set (run through ctest)")
        self.spec("base: {ref}\n", "knee.yaml")
        spec = self.spec("base: knee.yaml\nset: {grid.nz: 8, run.t_end: 60, output.fields_every: 0}\n"
                         "design:\n  type: list\n  rows: [{model.k_c: 0.014}, {model.k_c: 0.016}]\n")
        env = dict(ENV, LD_PRELOAD=lib, DENY_ACCESS_TARGET="/knee.yaml", DENY_RANK="1",
                   ASAN_OPTIONS=ENV.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        out = os.path.join(self.d, "out")
        for extra in (["--plan"], ["-o", out, "--quiet"]):
            with self.subTest(args=extra[0]):
                p = bounded(mpi_cmd(2) + [BIN, "sweep", spec, *extra], env=env)
                self.assertIsNotNone(p, "still running after 60 s: killed")
                self.assertEqual(p.returncode, 3, p.stderr)
                self.assertIn(f"cartsim: error: on rank 1: {spec}:1:7: base: cannot read {self.d}/knee.yaml: "
                              "Permission denied\n", p.stderr)
                self.assertEqual(p.stdout, "", "no plan printed")
                self.assertFalse(os.path.exists(out), "nothing written")
        # the rows' configs, read on rank 0 only: one group of 2 ranks, rank 1 unable to open the base
        env = dict(env, DENY_ACCESS_TARGET="", DENY_FOPEN_TARGET="/knee.yaml")
        p = bounded(mpi_cmd(2) + [BIN, "sweep", spec, "-o", out, "--ranks-per-run", "2"], env=env)
        self.assertIsNotNone(p, "still running after 60 s: killed")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 2, reused 0, failed 0", p.stdout)

    def test_a_base_config_invalid_for_every_row_is_a_sweep_error(self):
        """A base config, or a set: value, that no row's values change fails every row: that is an
        error of the sweep (exit 3, the problems at their lines, nothing run or written, --plan too),
        where the sweep used to run every row, record each failed and exit 5 (a solver failure)."""
        self.spec("base: {ref}\nmodel:\n  k_a: -1\n", "badbase.yaml")
        grid = "design:\n  type: grid\n  factors:\n    model.k_c: [0.014, 0.016]\n"
        cases = [("base: badbase.yaml\nset: {grid.nz: 8, run.t_end: 60}\n" + grid, "onbase.yaml",
                  [f"{self.d}/badbase.yaml:3:8: model.k_a = -1: must be in [0, 1e+06] 1/(nM day)"], "badbase.yaml"),
                 ("base: {ref}\nset:\n  grid.nz: 8\n  model.k_a: -2\n" + grid, "onset.yaml",
                  ["{spec}:4:3: model.k_a = -2: must be in [0, 1e+06] 1/(nM day)"], REF)]
        for text, name, lines, base in cases:
            spec = self.spec(text, name)
            out = os.path.join(self.d, name + "_out")
            for extra in (["--plan"], ["-o", out, "--quiet"]):
                with self.subTest(case=name, args=extra[0]):
                    p = bounded([BIN, "sweep", spec, *extra])
                    self.assertEqual(p.returncode, 3, p.stderr)
                    where = base if base == REF else f"{self.d}/{base}"
                    self.assertEqual(p.stderr.splitlines(), [l.format(spec=spec) for l in lines] + [
                        f"cartsim: error: 1 error in the base config {where} with the set: of {spec}, and no row's "
                        "values make it valid: every row would fail; nothing was run"])
                    self.assertEqual(p.stdout, "")
                    self.assertFalse(os.path.exists(out), "nothing written")
        # a set: that only the rows complete (the injection day) is no error: the rows run
        spec = self.spec("base: {ref}\nset: {grid.nz: 8, run.t_end: 60, output.fields_every: 0, "
                         "\"treatments[0].type\": msc, \"treatments[0].dose\": 5e7}\n"
                         "design:\n  type: list\n  rows: [{\"treatments[0].day\": 30}, {\"treatments[0].day\": 40}]\n",
                         "completed.yaml")
        p = sweep(spec, os.path.join(self.d, "completed"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("computed 2, reused 0, failed 0", p.stdout)
        # a cohort arm that branches after the histories end: every history failed saving its state
        spec = self.spec(ONE_ARM_COHORT.format(nz=8, t_end=400, patients=2, arm="late", day=500), "late.yaml")
        for extra in (["--plan"], ["-o", os.path.join(self.d, "late"), "--quiet"]):
            p = bounded([BIN, "sweep", spec, *extra])
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(p.stderr.splitlines(), [
                f"{spec}:12:61: treatments[0].day: arm 'late' branches on day 500, not before run.t_end = 400 of the "
                "base config with set:, where every patient's untreated history ends",
                f"cartsim: error: 1 error in {spec}: nothing was run"])
        self.assertFalse(os.path.exists(os.path.join(self.d, "late")), "nothing written")
        # a base that is a directory: an error of the sweep file, at its line
        os.makedirs(os.path.join(self.d, "knees"))
        spec = self.spec("base: knees\n" + grid, "dirbase.yaml")
        p = bounded([BIN, "sweep", "--plan", spec])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(f"{spec}:1:7: base: cannot read {self.d}/knees: Is a directory\n", p.stderr)

    def test_a_row_without_its_status_record_is_not_counted(self):
        """A row whose status record cannot be written stops the sweep (exit 4) and stays pending: the
        result line counts it neither computed nor failed (it said "computed 1" or "failed 1")."""
        for value, what in (("0.014", "done"), ("-1", "failed")):
            with self.subTest(row=what):
                spec = self.spec("base: {ref}\nset: {grid.nz: 8, run.t_end: 60, output.fields_every: 0}\n"
                                 f"design:\n  type: list\n  rows: [{{model.k_c: {value}}}]\n", f"{what}.yaml")
                out = os.path.join(self.d, what)
                p = sweep(spec, out, 1, "--task", "1", "--tasks", "2")  # the directory, no row of its own
                self.assertEqual(p.returncode, 0, p.stderr)
                os.mkdir(os.path.join(out, "status", "r000000.json"))  # the record's rename fails: EISDIR
                p = sweep(spec, out)
                self.assertEqual(p.returncode, 4, p.stderr)
                self.assertIn("row r000000: cannot write", p.stderr)
                self.assertIn("computed 0, reused 0, failed 0 (of 1 rows for this task), stopped by an error", p.stdout)

    def test_plan_and_spec_errors(self):
        spec = self.spec(GRID)
        plan = subprocess.run([BIN, "sweep", "--plan", spec], capture_output=True, text=True, env=ENV)
        self.assertEqual(plan.returncode, 0, plan.stderr)
        self.assertIn("grid design, 9 rows", plan.stdout)
        self.assertIn("id,treatments[0].day,model.k_c", plan.stdout)
        self.assertIn("r000008,180,0.025", plan.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.d, "runs")), "--plan writes nothing")
        # an arm name with a comma and a quote: --plan quotes it as summary.csv does (it printed it bare)
        coh = self.spec(ONE_ARM_COHORT.format(nz=16, t_end=400, patients=1, arm='"late, \\"MSC\\""', day=180),
                        "coh.yaml")
        plan = subprocess.run([BIN, "sweep", "--plan", coh], capture_output=True, text=True, env=ENV)
        self.assertEqual(plan.returncode, 0, plan.stderr)
        table = list(csv.reader(l for l in plan.stdout.splitlines() if l.startswith(("id,", "r0"))))
        self.assertEqual({len(r) for r in table}, {len(table[0])}, plan.stdout)
        self.assertIn('late, "MSC"', [v for r in table for v in r], plan.stdout)
        # (COMMON's treatment needs its day: a sweep where every row lacks it is now refused before any row)
        sob = self.spec(COMMON + "  treatments[0].day: 100\ndesign:\n  type: sobol\n  samples: 4\n  ranges:\n"
                        "    model.k_c: {min: 0.014, max: 0.025}\n    model.V_s: {min: 7, max: 24, scale: log}\n",
                        "sobol.yaml")
        plan = subprocess.run([BIN, "sweep", sob, "--plan"], capture_output=True, text=True, env=ENV)
        self.assertIn("sobol design, 16 rows", plan.stdout)
        self.assertIn("id,model.k_c,model.V_s,sample,block", plan.stdout)
        lines = [l for l in plan.stdout.splitlines() if l.startswith("r0")]
        self.assertEqual([l.split(",")[-1] for l in lines[:4]], ["A", "B", "model.k_c", "model.V_s"])
        bad = self.spec(COMMON + "design:\n  type: lhs\n  samples: 0\n  ranges:\n    model.k_c: {min: 2, max: 1}\n",
                        "bad.yaml")
        p = subprocess.run([BIN, "sweep", "--plan", bad], capture_output=True, text=True, env=ENV)
        self.assertEqual(p.returncode, 3)
        self.assertIn(f"{bad}:12:", p.stderr)  # samples: 0, line 12 column 12
        self.assertIn(f"{bad}:14:", p.stderr)  # min must be below max
        p = subprocess.run([BIN, "sweep", bad], capture_output=True, text=True, env=ENV)
        self.assertEqual(p.returncode, 2, "sweep without -o DIR is a usage error")
        # a path that is no sweep file: why, in one line
        p = subprocess.run([BIN, "sweep", "--plan", self.d], capture_output=True, text=True, env=ENV)
        self.assertEqual(p.returncode, 4)
        self.assertIn(f"{self.d}: file: cannot read it: Is a directory", p.stderr)
        big = os.path.join(self.d, "big.yaml")
        with open(big, "w") as f:
            f.write("# " + "x" * (1 << 20) + "\n")
        p = subprocess.run([BIN, "sweep", "--plan", big], capture_output=True, text=True, env=ENV)
        self.assertEqual(p.returncode, 3)
        self.assertIn("cannot read it: over 1 MiB", p.stderr)
        # typos in keys and a base that is not there: errors of the sweep file (exit 3,
        # FILE:LINE:COL), found before any row runs, not a failure of every row
        typo = self.spec("base: {ref}\nset:\n  output.fields_evry: 0\ndesign:\n  type: grid\n  factors:\n"
                         "    model.kc: [0.014, 0.02]\n    treatments[0].dayy: [30]\n", "typo.yaml")
        for extra in ([], ["-o", os.path.join(self.d, "typo_out")]):
            p = subprocess.run([BIN, "sweep", "--plan" if not extra else "--quiet", typo, *extra],
                               capture_output=True, text=True, env=ENV)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(p.stderr.splitlines()[:3], [
                f"{typo}:3:3: output.fields_evry: unknown key 'fields_evry' in section 'output'; "
                "did you mean 'fields_every'?",
                f"{typo}:7:5: model.kc: unknown key 'kc' in section 'model'; did you mean 'k_c'?",
                f"{typo}:8:5: treatments[0].dayy: unknown key 'dayy'; did you mean 'day'?"])
        self.assertFalse(os.path.exists(os.path.join(self.d, "typo_out")), "nothing written")
        nobase = self.spec("base: ../referense.yaml\ndesign:\n  type: list\n  rows: [{model.k_c: 0.014}]\n",
                           "nobase.yaml")
        p = subprocess.run([BIN, "sweep", "--plan", nobase], capture_output=True, text=True, env=ENV)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(f"{nobase}:1:7: base: cannot read {self.d}/../referense.yaml: No such file or directory",
                      p.stderr)
        # a cohort truncation that rejects every draw: an error of the sweep file at the distribution, with
        # the key and bounds, on 1 and 2 ranks (it was "cartsim: error: FILE: a truncated distribution
        # rejected 10000 draws in a row (check min/max)", naming neither)
        trunc = self.spec("base: {ref}\ndesign:\n  type: cohort\n  patients: 3\n  distributions:\n"
                          "    model.k_c: {dist: uniform, min: 0.014, max: 0.025}\n"
                          "    model.sig_s0: {dist: normal, mean: 0.07, sd: 0.001, min: 0.2}\n"
                          "    model.V_s: {dist: lognormal, median: 10, sigma: 0.3}\n  arms:\n    - {name: untreated}\n",
                          "trunc.yaml")
        for ranks, extra in ((1, ["--plan"]), (2 if MPIRUN else 1, ["-o", os.path.join(self.d, "trunc")])):
            p = bounded(mpi_cmd(ranks) + [BIN, "sweep", trunc, *extra])
            self.assertIsNotNone(p, "still running after 60 s: killed")
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual([l for l in p.stderr.splitlines() if l.startswith((trunc, "cartsim"))], [
                f"{trunc}:7:19: model.sig_s0: the truncation min = 0.2 of the normal distribution (mean = 0.07, "
                "sd = 0.001) rejected 10000 draws in a row (patient 0): check min/max",
                f"cartsim: error: 1 error in {trunc}"])
            self.assertEqual(p.stdout, "")
        self.assertFalse(os.path.exists(os.path.join(self.d, "trunc")), "nothing written")
        # `treatments: []` clears the base's treatments, as --set treatments=[] does (it was refused:
        # "expected a value, found a list"); any other list is still an error
        self.spec("base: {ref}\ntreatments:\n  - {type: il1ra, day: 90, dose: 150}\n", "treated.yaml")
        clear = self.spec("base: treated.yaml\nset: {treatments: [], grid.nz: 8, run.t_end: 100}\n"
                          "design:\n  type: list\n  rows: [{model.k_c: 0.014}]\n", "clear.yaml")
        p = sweep(clear, os.path.join(self.d, "clear"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(os.path.join(self.d, "clear", "runs", "r000000.h5"), "r") as f:
            self.assertEqual(len(f["treatments/day"]), 0)
        # and varies like any key: an untreated row of a list whose set: defines the treatment (refused:
        # "expected a config key such as model.sig_s0"), cleared before the row's own treatment keys;
        # a grid factor treatments: [[]] clears the base's in every row
        untreated = self.spec("base: treated.yaml\nset: {grid.nz: 8, run.t_end: 100, output.fields_every: 0, "
                              "\"treatments[0].type\": msc, \"treatments[0].day\": 30, \"treatments[0].dose\": 5e7}\n"
                              "design:\n  type: list\n  rows:\n    - {\"treatments\": []}\n    - {model.k_c: 0.02}\n"
                              "    - {\"treatments[0].day\": 60, \"treatments[0].type\": il1ra, \"treatments[0].dose\": 150, "
                              "treatments: []}\n", "untreated.yaml")
        grid = self.spec("base: treated.yaml\nset: {grid.nz: 8, run.t_end: 100, output.fields_every: 0}\n"
                         "design:\n  type: grid\n  factors:\n    treatments: [[]]\n    model.k_c: [0.014, 0.02]\n",
                         "untreated_grid.yaml")
        # (the row's treatments value, its run file's /treatments types and days)
        for spec, want in ((untreated, [("[]", [], []), ("", ["msc"], [30.0]), ("[]", ["il1ra"], [60.0])]),
                           (grid, [("[]", [], [])] * 2)):
            out = spec[:-5]
            p = sweep(spec, out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(f"computed {len(want)}, reused 0, failed 0", p.stdout)
            rows = check_summary_against_runs(self, out, len(want))
            self.assertEqual([r["treatments"] for r in rows], [w[0] for w in want],
                             "the summary says which rows cleared the treatments")
            with h5py.File(os.path.join(out, "summary.h5"), "r") as s:
                self.assertEqual(list(s["treatments"].asstr()[:]), [w[0] for w in want])
            for r, (value, types, days) in zip(rows, want):
                with h5py.File(os.path.join(out, "runs", r["id"] + ".h5"), "r") as f:
                    self.assertEqual((list(f["treatments/type"][:].astype(str)), list(f["treatments/day"][:])),
                                     (types, days), r["id"])
                with open(os.path.join(out, "status", r["id"] + ".json")) as f:
                    self.assertEqual(json.load(f)["values"].get("treatments", ""), value, r["id"])
        bad = self.spec("base: {ref}\nset: {treatments: [1]}\ndesign:\n  type: list\n  rows: [{model.k_c: 0.014}]\n",
                        "badlist.yaml")
        p = subprocess.run([BIN, "sweep", "--plan", bad], capture_output=True, text=True, env=ENV)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(f"{bad}:2:19: treatments: expected a value, found a list", p.stderr)


if __name__ == "__main__":
    unittest.main()
