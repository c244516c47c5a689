"""cartsim sweep as a modeler runs it: every row once on 2 and 3 ranks, the
summary equal to the per-run files, resume after a SIGKILL recomputing only
what is missing, failures recorded, Slurm-style tasks merging into one
directory, a changed sweep refused. Run with CARTSIM_BIN, repository root
as working directory."""
import csv
import os
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
  grid.nz: 16
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


def sweep(spec, out, ranks=1, *extra):
    cmd = ([MPIRUN, "--oversubscribe", "-n", str(ranks)] if ranks > 1 else []) + [BIN, "sweep", spec, "-o", out,
                                                                                   "--quiet", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)


def summary(out):
    with open(os.path.join(out, "summary.csv")) as f:
        return list(csv.DictReader(f))


OUTCOMES = ["thickness_loss_pct", "synovitis_auc", "msc_retained_30d", "steps"]


class Sweep(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def spec(self, text, name="sweep.yaml", t_end=400):
        path = os.path.join(self.d, name)
        with open(path, "w") as f:
            f.write(text.replace("{ref}", REF).replace("{t_end}", str(t_end)))
        return path

    def assert_summary_matches_files(self, out, n):
        rows = summary(out)
        self.assertEqual(len(rows), n)
        for r in rows:
            self.assertEqual(r["status"], "done", r)
            with h5py.File(os.path.join(out, "runs", r["id"] + ".h5"), "r") as f:
                self.assertEqual(f["meta"].attrs["status"], "complete")
                self.assertAlmostEqual(float(r["thickness_loss_pct"]), float(f["outcomes/thickness_loss_pct"][()]),
                                       delta=1e-8)
                self.assertEqual(float(r["steps"]), float(f["solver/steps"][-1]))
                day = float(r["treatments[0].day"])
                self.assertEqual(float(f["treatments/day"][0]), day, "the row's value reached the run")
        with h5py.File(os.path.join(out, "summary.h5"), "r") as f:
            np.testing.assert_allclose(f["thickness_loss_pct"][:], [float(r["thickness_loss_pct"]) for r in rows])

    def test_every_row_once_on_2_and_3_ranks_and_resume(self):
        spec = self.spec(GRID)
        for ranks in (2, 3):
            out = os.path.join(self.d, f"out{ranks}")
            p = sweep(spec, out, ranks)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("computed 9, reused 0, failed 0", p.stdout)
            self.assert_summary_matches_files(out, 9)
            self.assertEqual(len(os.listdir(os.path.join(out, "status"))), 9)
        a, b = summary(os.path.join(self.d, "out2")), summary(os.path.join(self.d, "out3"))
        for ra, rb in zip(a, b):
            for k in OUTCOMES:
                self.assertEqual(ra[k], rb[k], "the rank count does not change a row's result")
        p = sweep(spec, os.path.join(self.d, "out2"), 2)
        self.assertIn("computed 0, reused 9, failed 0", p.stdout)

    def test_kill_and_resume_recomputes_only_missing_rows(self):
        # rows slow enough (nz 200, 5 years) to be caught midway; one process, so that SIGKILL
        # reaches the run itself (mpirun's children may outlive a killed mpirun)
        spec = self.spec(GRID.replace("grid.nz: 16", "grid.nz: 200"), t_end=1825)
        full = os.path.join(self.d, "full")
        self.assertEqual(sweep(spec, full, 2).returncode, 0)
        out = os.path.join(self.d, "killed")
        p = subprocess.Popen([BIN, "sweep", spec, "-o", out, "--quiet"], env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        deadline = time.time() + 120
        while time.time() < deadline:
            st = os.path.join(out, "status")
            if os.path.isdir(st) and len(os.listdir(st)) >= 2:
                break
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
        p.wait()
        done_before = len([n for n in os.listdir(os.path.join(out, "status")) if n.endswith(".json")])
        self.assertLess(done_before, 9, "killed midway")
        r = sweep(spec, out, 2)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"computed {9 - done_before}, reused {done_before}, failed 0", r.stdout)
        self.assertFalse([n for n in os.listdir(os.path.join(out, "runs")) if n.endswith(".partial")])
        for ra, rb in zip(summary(full), summary(out)):
            for k in OUTCOMES:
                self.assertEqual(ra[k], rb[k], f"{ra['id']} {k}")

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
        rows = summary(out)
        self.assertEqual([r["status"] for r in rows], ["done", "failed", "failed"])
        with open(os.path.join(out, "status", "r000001.json")) as f:
            self.assertIn("CVODE failed", f.read())
        with open(os.path.join(out, "status", "r000002.json")) as f:
            self.assertIn("model.k_c", f.read())
        p = sweep(spec, out)
        self.assertIn("computed 0, reused 1, failed 2", p.stdout, "failed rows are not rerun without --retry-failed")
        bad = self.spec(COMMON + "design:\n  type: list\n  rows:\n    - {\"treatments[0].day\": 100, solver.max_steps: 10}\n",
                        "bad.yaml")
        p = sweep(bad, os.path.join(self.d, "allbad"))
        self.assertEqual(p.returncode, 5, p.stderr)

    def test_cohort_arms_branch_from_each_patients_history(self):
        spec = self.spec("""base: {ref}
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
        rows = summary(out)
        self.assertEqual([r["arm"] for r in rows], ["untreated", "early"] * 3)
        for pat in range(3):
            hist, arm = rows[2 * pat], rows[2 * pat + 1]
            self.assertEqual(hist["model.V_s"], arm["model.V_s"], "both arms are the same patient")
            self.assertTrue(6.7 <= float(hist["model.V_s"]) <= 24)
            with h5py.File(os.path.join(out, "runs", hist["id"] + ".h5"), "r") as h, \
                    h5py.File(os.path.join(out, "runs", arm["id"] + ".h5"), "r") as b:
                self.assertEqual(float(b["meta"].attrs["t_start"]), 180.0, "the arm branches at its day")
                th = np.interp(180.0, h["timeseries/time"][:], h["timeseries/thickness"][:])
                self.assertAlmostEqual(float(b["timeseries/thickness"][0]), th, delta=1e-9)
                benefit = 100 * (b["timeseries/thickness"][-1] - h["timeseries/thickness"][-1]) / h["timeseries/thickness"][0]
                self.assertAlmostEqual(float(arm["benefit_thickness_points"]), benefit, delta=1e-6)
        self.assertIn("computed 0, reused 6, failed 0", sweep(spec, out, 1).stdout)

    def test_tasks_merge_and_a_changed_sweep_is_refused(self):
        spec = self.spec(GRID)
        out = os.path.join(self.d, "tasks")
        for task in (0, 1):
            p = sweep(spec, out, 1, "--task", str(task), "--tasks", "2")
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_summary_matches_files(out, 9)
        changed = self.spec(GRID.replace("0.025", "0.03"), "changed.yaml")
        p = sweep(changed, out)
        self.assertEqual(p.returncode, 3)
        self.assertIn("holds another sweep", p.stderr)
        plan = subprocess.run([BIN, "sweep", spec, "--plan"], capture_output=True, text=True, env=ENV)
        self.assertEqual(plan.returncode, 0)
        self.assertIn("grid design, 9 rows", plan.stdout)
        self.assertIn("r000008,180,0.025", plan.stdout)


if __name__ == "__main__":
    unittest.main()
