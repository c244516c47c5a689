"""Sensitivity estimators on functions with known indices, and the CLI on a
real (small) cartsim Morris sweep."""
import csv
import math
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np

from postprocess import sensitivity as sa

BIN = os.path.abspath(os.environ.get("CARTSIM_BIN", "build/cartsim"))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", MPLBACKEND="Agg")


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[..., 0]) + a * np.sin(x[..., 1]) ** 2 + b * x[..., 2] ** 4 * np.sin(x[..., 0])


class Estimators(unittest.TestCase):
    def test_sobol_on_ishigami(self):
        rng = np.random.default_rng(0)
        N, k = 8192, 3
        A = rng.uniform(-np.pi, np.pi, (N, k))
        B = rng.uniform(-np.pi, np.pi, (N, k))
        rows = []
        for j in range(N):
            rows.append({"sample": str(j), "block": "A", "y": repr(ishigami(A[j]))})
            rows.append({"sample": str(j), "block": "B", "y": repr(ishigami(B[j]))})
            for i, f in enumerate("x1 x2 x3".split()):
                ab = A[j].copy()
                ab[i] = B[j][i]
                rows.append({"sample": str(j), "block": f, "y": repr(ishigami(ab))})
        res = sa.sobol(rows, ["x1", "x2", "x3"], "y", boot=100)
        S1 = [res[f][0] for f in ("x1", "x2", "x3")]
        ST = [res[f][3] for f in ("x1", "x2", "x3")]
        for got, want in zip(S1, [0.3139, 0.4424, 0.0]):
            self.assertAlmostEqual(got, want, delta=0.03)
        for got, want in zip(ST, [0.5576, 0.4424, 0.2437]):
            self.assertAlmostEqual(got, want, delta=0.03)
        self.assertLess(res["x1"][1], res["x1"][0])
        self.assertGreater(res["x1"][2], res["x1"][0])
        self.assertEqual(res["x1"][6], N, "complete samples")
        # a sample with a failed AB row is left out whole; fewer than 2 complete samples: an error
        part = sa.sobol([r for r in rows if not (r["sample"] == "0" and r["block"] == "x2")], ["x1", "x2", "x3"],
                        "y", boot=10)
        self.assertEqual(part["x1"][6], N - 1)
        with self.assertRaisesRegex(ValueError, "1 complete Sobol sample"):
            sa.sobol([r for r in rows if int(r["sample"]) < 2 and not (r["sample"] == "0" and r["block"] == "B")],
                     ["x1", "x2", "x3"], "y", boot=10)
        # the indices of an outcome do not depend on its level (Saltelli's S1 did, through f(B))
        few = [r for r in rows if int(r["sample"]) < 64]
        low = sa.sobol(few, ["x1", "x2", "x3"], "y", boot=10)
        high = sa.sobol([dict(r, y=repr(float(r["y"]) + 1e4)) for r in few], ["x1", "x2", "x3"], "y", boot=10)
        for f in ("x1", "x2", "x3"):
            self.assertAlmostEqual(high[f][0], low[f][0], delta=1e-6, msg=f)
            self.assertAlmostEqual(high[f][3], low[f][3], delta=1e-6, msg=f)
        # an outcome that does not vary: indices 0/0, written as nan with exit 0 before
        with self.assertRaisesRegex(ValueError, "with no variance the indices are undefined"):
            sa.sobol([dict(r, y="2.5") for r in rows if int(r["sample"]) < 10], ["x1", "x2", "x3"], "y", boot=10)

    def test_morris_linear_and_interaction(self):
        ranges = {"a": (0.0, 2.0, False), "b": (1.0, 100.0, True), "c": (0.0, 1.0, False)}
        rng = np.random.default_rng(1)

        def build(fun):
            rows = []
            for t in range(20):
                u = {f: rng.integers(0, 2) / 3 for f in ranges}
                order = list(rng.permutation(list(ranges)))
                for s in range(len(ranges) + 1):
                    if s:
                        u[order[s - 1]] += 2 / 3
                    x = {f: (ranges[f][0] + (ranges[f][1] - ranges[f][0]) * u[f]) if not ranges[f][2] else
                         math.exp(math.log(ranges[f][0]) + (math.log(ranges[f][1]) - math.log(ranges[f][0])) * u[f])
                         for f in ranges}
                    rows.append({"trajectory": str(t), "step": str(s), "block": order[s - 1] if s else "",
                                 **{f: repr(x[f]) for f in ranges}, "y": repr(fun(x))})
            return rows

        lin = sa.morris(build(lambda x: 3 * x["a"] - 2 * math.log(x["b"])), list(ranges), ranges, "y", boot=50)
        self.assertAlmostEqual(lin["a"][0], 3 * 2.0, places=9)          # mu* = |c| x range
        self.assertAlmostEqual(lin["b"][0], 2 * math.log(100.0), places=9)
        self.assertAlmostEqual(lin["c"][0], 0.0, places=12)
        for f in ranges:
            self.assertAlmostEqual(lin[f][1], 0.0, places=9)               # no interaction: sigma 0
        self.assertEqual([lin[f][4] for f in ranges], [20, 20, 20], "one effect per factor and trajectory")
        # a failed (or another task's pending) row in the middle of a trajectory: the rows around
        # it differ in two factors and make no effect (they used to, crediting both moves to one)
        rows = build(lambda x: 3 * x["a"] - 2 * math.log(x["b"]))
        gap = sa.morris([r for r in rows if not (r["trajectory"] == "0" and r["step"] == "1")], list(ranges),
                        ranges, "y", boot=50)
        self.assertAlmostEqual(gap["a"][0], 6.0, places=9)
        self.assertAlmostEqual(gap["b"][0], 2 * math.log(100.0), places=9)
        for f in ranges:
            self.assertAlmostEqual(gap[f][1], 0.0, places=9)
        self.assertEqual(sum(gap[f][4] for f in ranges), 58, "the two effects around the gap are dropped")
        one = sa.morris([r for r in rows if r["trajectory"] == "0"], list(ranges), ranges, "y", boot=50)
        self.assertTrue(all(math.isnan(one[f][1]) for f in ranges), "one effect: sigma unknown, not 0")
        inter = sa.morris(build(lambda x: x["a"] * x["c"]), list(ranges), ranges, "y", boot=50)
        self.assertGreater(inter["a"][1], 0.1)
        self.assertGreater(inter["c"][1], 0.1)
        self.assertAlmostEqual(inter["b"][1], 0.0, places=12)


class RealSweep(unittest.TestCase):
    def morris_sweep(self, d, t_end, trajectories):
        """Run a two-factor Morris sweep (k_c, sig_s0 on a log range) of the 1-D model into d/out."""
        spec = os.path.join(d, "m.yaml")
        with open(spec, "w") as f:
            f.write(f"""base: {os.path.abspath('configs/reference.yaml')}
seed: 3
set: {{grid.nz: 16, run.t_end: {t_end}, output.dt: 30, output.fields_every: 0}}
design:
  type: morris
  trajectories: {trajectories}
  ranges:
    model.k_c: {{min: 0.012, max: 0.025}}
    model.sig_s0: {{min: 0.04, max: 0.1, scale: log}}
""")
        out = os.path.join(d, "out")
        p = subprocess.run([BIN, "sweep", spec, "-o", out, "--quiet"], capture_output=True, text=True, env=ENV)
        self.assertEqual(p.returncode, 0, p.stderr)
        return out

    def test_morris_sweep_through_cartsim_and_cli(self):
        d = tempfile.mkdtemp()
        try:
            out = self.morris_sweep(d, t_end=730, trajectories=4)
            p = subprocess.run([os.sys.executable, "-m", "postprocess.sensitivity", out, "--boot", "50"],
                               capture_output=True, text=True, env=ENV)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(out, "sensitivity_thickness_loss_pct.csv")) as f:
                res = {r["factor"]: r for r in csv.DictReader(f)}
            self.assertEqual(set(res), {"model.k_c", "model.sig_s0"})
            self.assertGreater(float(res["model.k_c"]["mu_star"]), 0.0, "collagen cleavage drives the loss")
            self.assertTrue(os.path.getsize(os.path.join(out, "sensitivity_thickness_loss_pct.png")) > 1000)
            self.assertTrue(all(float(r["n"]) == 4 for r in res.values()), "n: one effect per trajectory")
            p = subprocess.run([os.sys.executable, "-m", "postprocess.sensitivity", out, "--boot", "0"],
                               capture_output=True, text=True, env=ENV)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("--boot 0: must be at least 1", p.stderr)
            # a misspelled outcome, a column that is no outcome, and one that no run of 2 years has
            # (nan everywhere): exit 3, one line
            for outcome, text in [("thicknes_loss_pct", "--outcome thicknes_loss_pct: not an outcome column of "
                                   f"{out}/summary.csv (one of: thickness_loss_pct, "),
                                  ("status", "--outcome status: not an outcome column of "),
                                  ("years_to_c80", "--outcome years_to_c80: no completed row of ")]:
                p = subprocess.run([os.sys.executable, "-m", "postprocess.sensitivity", out, "--outcome", outcome],
                                   capture_output=True, text=True, env=ENV)
                self.assertEqual(p.returncode, 3, p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertTrue(p.stderr.startswith("sensitivity: error: " + text), p.stderr)
                self.assertFalse(os.path.exists(os.path.join(out, f"sensitivity_{outcome}.csv")))
        finally:
            shutil.rmtree(d)

    def test_morris_sweep_without_effects(self):
        """6 trajectories of 3 steps with step 1 of every one not done (pending), so no effect exists:
        this printed n=0 and wrote an all-nan table and figure, exit 0. (Tasks of a job array hold whole
        trajectories since; a summary with only steps 0 and 2 done came from tasks 0 and 2 of --tasks 3.)"""
        d = tempfile.mkdtemp()
        try:
            out = self.morris_sweep(d, t_end=400, trajectories=6)
            spec = os.path.join(d, "m.yaml")
            rows = sa.read_summary(os.path.join(out, "summary.csv"))
            with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(dict(r, status="pending") if r["step"] == "1" else r for r in rows)
            csv_path, png = (os.path.join(out, f"sensitivity_thickness_loss_pct.{e}") for e in ("csv", "png"))
            for tool, opts in (("sensitivity", ["--boot", "20"]), ("sweep_plots", [])):
                p = subprocess.run([os.sys.executable, "-m", f"postprocess.{tool}", out, *opts],
                                   capture_output=True, text=True, env=ENV)
                self.assertEqual(p.returncode, 3, p.stderr)
                self.assertEqual(p.stderr.splitlines(), [
                    f"{tool}: error: --outcome thickness_loss_pct: no Morris elementary effect in {out}/summary.csv: "
                    "12 of 18 rows done, but an effect needs two consecutive steps of a trajectory done with a value "
                    "(6 pending)"])
                self.assertFalse(os.path.exists(csv_path) or os.path.exists(png), "no all-nan outputs")
            # the whole sweep, then its model.k_c rows computed from an older config (stale: not used):
            # model.sig_s0 keeps its effects where it moved first, model.k_c has none, and that is said
            p = subprocess.run([BIN, "sweep", spec, "-o", out, "--quiet"], capture_output=True, text=True, env=ENV)
            self.assertEqual(p.returncode, 0, p.stderr)
            rows = sa.read_summary(os.path.join(out, "summary.csv"))
            with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(dict(r, status="stale") if r["block"] == "model.k_c" else r for r in rows)
            sig_first = sum(1 for r in rows if r["step"] == "1" and r["block"] == "model.sig_s0")
            self.assertTrue(0 < sig_first < 6, "the design moves either factor first")
            p = subprocess.run([os.sys.executable, "-m", "postprocess.sensitivity", out, "--boot", "20"],
                               capture_output=True, text=True, env=ENV)
            self.assertEqual(p.returncode, 0, p.stderr)
            notes = ["sensitivity: note: 6 of 18 rows not done (6 stale): not used",
                     "sensitivity: note: no elementary effect of model.k_c (n = 0): its mu*, sigma and interval are nan"]
            if sig_first == 1:
                notes.append("sensitivity: note: one elementary effect of model.sig_s0 (n = 1): its sigma and "
                             "interval are nan")
            self.assertEqual(p.stderr.splitlines(), notes)
            with open(csv_path) as f:
                res = {r["factor"]: r for r in csv.DictReader(f)}
            self.assertEqual(float(res["model.k_c"]["n"]), 0)
            self.assertEqual(float(res["model.sig_s0"]["n"]), sig_first)
        finally:
            shutil.rmtree(d)


if __name__ == "__main__":
    unittest.main()
