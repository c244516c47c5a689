"""Sweep figures from synthetic summaries: the numbers plotted are the summary's."""
import csv
import os
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import numpy as np
from PIL import Image

from postprocess import sweep_plots as sp

COLS = ["id", "treatments[0].day", "model.k_c", "seed", "status", "thickness_loss_pct", "benefit_thickness_points"]


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "postprocess"))
from colour_vision import MACHADO, lab  # noqa: E402  (shared with tests/postprocess)


def figures():
    """Patch sweep_plots._figure to keep every Figure it makes (to check what was drawn)."""
    made, real = [], sp._figure

    def keep(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]
    return made, mock.patch.object(sp, "_figure", side_effect=keep)


def write(path, cols, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow(r)


class SweepPlots(unittest.TestCase):
    def test_window_map(self):
        with tempfile.TemporaryDirectory() as d:
            rows = []
            for i, (day, kc) in enumerate([(a, b) for a in (30, 180, 365) for b in ("0.014", "0.025")]):
                rows.append({"id": f"r{i:06d}", "treatments[0].day": str(day), "model.k_c": kc, "seed": "1",
                             "status": "done", "thickness_loss_pct": "nan",
                             "benefit_thickness_points": str(100 - day / 10 + (5 if kc == "0.025" else 0))})
            write(os.path.join(d, "summary.csv"), COLS, rows)
            png, data = sp.window_map(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "w.png"))
            self.assertEqual(data["days"], [30.0, 180.0, 365.0])
            self.assertEqual(data["groups"], ["0.014", "0.025"])
            self.assertEqual(data["panels"], [()])
            np.testing.assert_allclose(data["values"][0][1], [100 - 3 + 5, 100 - 18 + 5, 100 - 36.5 + 5])
            with Image.open(png) as im:
                self.assertEqual(im.format, "PNG")

    def test_window_map_a_third_varied_key_is_a_row_of_panels(self):
        """day x k_c x V_s: each cell held whichever V_s row came last, the V_s = 8 rows vanished."""
        with tempfile.TemporaryDirectory() as d:
            cols = COLS[:3] + ["model.V_s"] + COLS[3:]
            rows = []
            for i, (day, kc, vs) in enumerate([(a, b, c) for a in (30, 180, 365) for b in ("0.014", "0.025")
                                               for c in ("10", "8")]):
                rows.append({"id": f"r{i:06d}", "treatments[0].day": str(day), "model.k_c": kc, "model.V_s": vs,
                             "seed": "1", "status": "done", "thickness_loss_pct": "nan",
                             "benefit_thickness_points": str(100 - day / 10 + (5 if kc == "0.025" else 0) + float(vs))})
            write(os.path.join(d, "summary.csv"), cols, rows)
            png, data = sp.window_map(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "w.png"))
            self.assertEqual(data["extras"], ["model.V_s"])
            self.assertEqual(data["panels"], [("8",), ("10",)], "numeric order, not the order of the rows")
            self.assertEqual(data["groups"], ["0.014", "0.025"])
            for pi, vs in enumerate((8, 10)):
                for gi, kc in enumerate((0, 5)):
                    np.testing.assert_allclose(data["values"][pi][gi], [100 - day / 10 + kc + vs for day in (30, 180, 365)])
            # more value combinations than panels fit, or two runs in one cell: one point per run
            png, data = sp.window_map(sp.read_summary(os.path.join(d, "summary.csv")) * 2, os.path.join(d, "w.png"))
            self.assertNotIn("panels", data)
            self.assertEqual(len(data["values"]), 24)

    def test_window_from_a_list_design_and_a_partial_sweep(self):
        """A list row that leaves a key out has '' in summary.csv (float('') was a traceback); rows not
        done (failed, pending, stale: computed from an older config) are left out and counted."""
        with tempfile.TemporaryDirectory() as d:
            rows = [{"id": f"r{i:06d}", "treatments[0].day": day, "model.k_c": kc, "seed": "1", "status": st,
                     "thickness_loss_pct": loss, "benefit_thickness_points": "nan"}
                    for i, (day, kc, st, loss) in enumerate([("30", "0.014", "done", "1"), ("180", "0.025", "done", "3"),
                                                             ("90", "", "done", "2"), ("", "0.02", "done", "9"),
                                                             ("365", "0.014", "failed", "nan"),
                                                             ("365", "0.025", "stale", "7")])]
            write(os.path.join(d, "summary.csv"), COLS, rows)
            png, data = sp.window_map(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "w.png"),
                                      "thickness_loss_pct", design="list")
            self.assertEqual(data["days"], [30.0, 90.0, 180.0])
            self.assertEqual(data["groups"], ["0.014", "0.025", ""])
            np.testing.assert_allclose(data["values"][0], [[1, np.nan, np.nan], [np.nan, np.nan, 3],
                                                           [np.nan, 2, np.nan]])
            p = subprocess.run([sys.executable, "-m", "postprocess.sweep_plots", d], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr.splitlines(), [
                "sweep_plots: note: window.png: 2 of 6 rows not drawn in the treatment window (1 failed, 1 stale)",
                "sweep_plots: note: window.png: 1 completed row(s) without a treatments[0].day (a list row that "
                "leaves it to the base config) not drawn: r000003"])
            # sampled days with a key that takes words: one colour per word (float('msc') was a traceback)
            rng = np.random.default_rng(3)
            many = [{"id": f"r{i:06d}", "treatments[0].day": repr(rng.uniform(30, 1460)), "model.k_c": kind,
                     "seed": "1", "status": "done", "thickness_loss_pct": repr(rng.uniform()),
                     "benefit_thickness_points": "nan"} for i, kind in enumerate(["msc", "prp"] * 40)]
            write(os.path.join(d, "summary.csv"), COLS, many)
            png, data = sp.window_map(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "w.png"),
                                      "thickness_loss_pct")
            self.assertEqual(len(data["values"]), 80)
            # an outcome no drawable row has: one line, exit 3
            p = subprocess.run([sys.executable, "-m", "postprocess.sweep_plots", d, "--outcome",
                                "benefit_thickness_points"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(p.stderr.splitlines(), ["sweep_plots: error: --outcome benefit_thickness_points: no "
                                                     "completed row with an injection day has a value (all nan)"])

    def test_sampled_days_are_a_scatter(self):
        """An LHS/Sobol design draws its days: 2000 distinct days made an N x N heat map (memory
        and time grew with the square); now one point per run."""
        with tempfile.TemporaryDirectory() as d:
            rng = np.random.default_rng(2)
            days, kcs = rng.uniform(30, 1460, 2000), rng.uniform(0.014, 0.025, 2000)
            rows = [{"id": f"r{i:06d}", "treatments[0].day": repr(day), "model.k_c": repr(kc), "seed": "1",
                     "status": "done", "thickness_loss_pct": "nan", "benefit_thickness_points": repr(30 - day / 50)}
                    for i, (day, kc) in enumerate(zip(days, kcs))]
            write(os.path.join(d, "summary.csv"), COLS, rows)
            png, data = sp.window_map(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "w.png"))
            self.assertNotIn("groups", data)
            np.testing.assert_allclose(data["days"], days)
            np.testing.assert_allclose(data["values"], 30 - days / 50)
            np.testing.assert_allclose(data["colour"], kcs)

    def test_a_sampled_design_is_a_scatter_however_few_its_runs(self):
        """A 12-sample LHS over the day and k_c was 12 one-point curves (a legend of 10-digit values) and
        a 12 x 12 heat map with one filled cell per row: only counts chose the scatter, never the design."""
        with tempfile.TemporaryDirectory() as d:
            rng = np.random.default_rng(5)
            days, kcs = rng.uniform(30, 180, 12), rng.uniform(0.014, 0.025, 12)
            rows = [{"id": f"r{i:06d}", "treatments[0].day": f"{day:.10g}", "model.k_c": f"{kc:.10g}", "seed": "7",
                     "status": "done", "thickness_loss_pct": repr(day / 100), "benefit_thickness_points": "nan"}
                    for i, (day, kc) in enumerate(zip(days, kcs))]
            write(os.path.join(d, "summary.csv"), COLS, rows)
            rows = sp.read_summary(os.path.join(d, "summary.csv"))
            for design in ("lhs", "sobol", "morris", None):  # None: no sweep.yaml, every run its own day and k_c
                png, data = sp.window_map(rows, os.path.join(d, "w.png"), "thickness_loss_pct", design=design)
                self.assertNotIn("groups", data, design)
                np.testing.assert_allclose(data["days"], days, rtol=1e-9)
                np.testing.assert_allclose(data["colour"], kcs, rtol=1e-9)
            # the same rows from a grid or list design are the curves and heat map the file asked for
            for design in ("grid", "list"):
                png, data = sp.window_map(rows, os.path.join(d, "w.png"), "thickness_loss_pct", design=design)
                self.assertEqual(len(data["groups"]), 12, design)
            # the command reads the design from DIR/sweep.yaml
            self.assertIsNone(sp.design_type(d))
            for design, scatter in (("lhs", True), ("list", False)):
                with open(os.path.join(d, "sweep.yaml"), "w") as f:
                    f.write(f"base: ../reference.yaml\nseed: 7\ndesign:\n  type: {design}\n")
                self.assertEqual(sp.design_type(d), design)
                with mock.patch.object(sp, "window_scatter", wraps=sp.window_scatter) as drawn, \
                        mock.patch("sys.stdout"):
                    self.assertEqual(sp.main([d, "--outcome", "thickness_loss_pct"]), 0)
                self.assertEqual(drawn.called, scatter, design)
            with open(os.path.join(d, "sweep.yaml"), "w") as f:
                f.write(": : :\n")
            self.assertIsNone(sp.design_type(d), "an unreadable sweep.yaml: the rows tell")
            # Morris (trajectory/step/block) and Sobol (sample/block) rows share days between steps and blocks:
            # their design columns tell them, on levels too few for the counts to
            cols = COLS[:3] + ["trajectory", "step", "block"] + COLS[3:]
            morris = []
            for t, (d0, k0) in enumerate([(30, "0.014"), (180, "0.025"), (90, "0.025")]):
                for s, (day, kc, block) in enumerate([(d0, k0, "base"), (d0 + 60, k0, "treatments[0].day"),
                                                      (d0 + 60, "0.0195" if k0 != "0.0195" else "0.014", "model.k_c")]):
                    morris.append({"id": f"r{len(morris):06d}", "treatments[0].day": str(day), "model.k_c": kc,
                                   "trajectory": str(t), "step": str(s), "block": block, "seed": "1", "status": "done",
                                   "thickness_loss_pct": str(day / 100), "benefit_thickness_points": "nan"})
            os.remove(os.path.join(d, "sweep.yaml"))
            write(os.path.join(d, "summary.csv"), cols, morris)
            png, data = sp.window_map(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "w.png"),
                                      "thickness_loss_pct")
            self.assertNotIn("groups", data)
            self.assertEqual(len(data["values"]), 9)

    def test_twelve_groups_differ_in_colour_and_line_style_and_the_legend_is_off_the_data(self):
        """4 days x 12 k_c: matplotlib's 10-colour cycle drew k_c 0.014 and 0.024 the same blue, and the
        legend sat on the curves."""
        with tempfile.TemporaryDirectory() as d:
            kcs = [f"{0.014 + 0.001 * i:.3f}" for i in range(12)]
            rows = [{"id": f"r{i:06d}", "treatments[0].day": str(day), "model.k_c": kc, "seed": "1", "status": "done",
                     "thickness_loss_pct": "nan", "benefit_thickness_points": str(40 - day / 20 + 100 * float(kc))}
                    for i, (day, kc) in enumerate([(a, b) for a in (30, 180, 365, 730) for b in kcs])]
            write(os.path.join(d, "summary.csv"), COLS, rows)
            made, patch = figures()
            with patch:
                png, data = sp.window_map(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "w.png"),
                                          design="grid")
            self.assertEqual(data["groups"], kcs)
            ax = made[0].axes[0]
            curves = ax.get_lines()
            self.assertEqual(len(curves), 12)
            from matplotlib.colors import to_hex
            drawn = [(to_hex(l.get_color()), repr(l.get_linestyle()), l.get_marker()) for l in curves]
            self.assertEqual(len({(c, ls) for c, ls, _ in drawn}), 12, f"colour and line style: {drawn}")
            self.assertEqual(len({m for _, _, m in drawn}), 12, "each value its own marker too")
            # the legend names the key once, in its title, then the values
            self.assertEqual([l.get_label() for l in curves], kcs)
            self.assertEqual(ax.get_legend().get_title().get_text(), "model.k_c")
            self.assertEqual([(to_hex(c), m) for c, _, m in data["styles"]], [(c, m) for c, _, m in drawn])
            # curves that share a line style are told apart by colour-blind readers (plots.py's rule: 20 CIELAB units)
            for name, m in MACHADO.items():
                for i in range(12):
                    for j in range(i):
                        if drawn[i][1] == drawn[j][1]:
                            dist = np.linalg.norm(lab(drawn[i][0], m) - lab(drawn[j][0], m))
                            self.assertGreaterEqual(dist, 20, f"{kcs[i]} vs {kcs[j]} under {name}")
            # the legend is beside the axes, not on them
            legend = ax.get_legend()
            self.assertIsNotNone(legend)
            box, frame = legend.get_window_extent(), ax.get_window_extent()
            self.assertGreaterEqual(box.x0, frame.x1, "the legend overlaps the curves")
            # nor on the heat map beside it
            self.assertLessEqual(box.x1, made[0].axes[1].get_window_extent().x0)

    def test_damaged_inputs_are_one_line_exit_2(self):
        """A summary.csv that is not UTF-8 or not a sweep summary, a sweep.yaml that does not
        parse: one line naming the file, exit 2 (an unreadable input), no traceback."""
        with tempfile.TemporaryDirectory() as d:
            summary = os.path.join(d, "summary.csv")
            for content, why in ((b"\xff\xfe garbage\n1,2\n", "not a cartsim sweep summary"),
                                 (b"a,b\n1,2\n", "not a cartsim sweep summary (no id and status columns)")):
                with open(summary, "wb") as f:
                    f.write(content)
                for tool in ("sweep_plots", "sensitivity"):
                    p = subprocess.run([sys.executable, "-m", f"postprocess.{tool}", d], capture_output=True, text=True)
                    self.assertEqual(p.returncode, 2, p.stderr)
                    self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                    self.assertIn(f"{tool}: error: {summary}: {why}", p.stderr)
            cols = ["id", "model.k_c", "trajectory", "step", "block", "seed", "status", "thickness_loss_pct"]
            write(summary, cols, [{"id": "r000000", "model.k_c": "0.01", "trajectory": "0", "step": "0", "block": "base",
                                   "seed": "1", "status": "done", "thickness_loss_pct": "10"}])
            with open(os.path.join(d, "sweep.yaml"), "w") as f:
                f.write(": : :\n")
            p = subprocess.run([sys.executable, "-m", "postprocess.sensitivity", d, "--boot", "2"],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            self.assertIn(f"sensitivity: error: {os.path.join(d, 'sweep.yaml')}: cannot parse", p.stderr)

    def test_cohort_and_cli(self):
        with tempfile.TemporaryDirectory() as d:
            cols = ["id", "model.V_s", "patient", "arm", "seed", "status", "thickness_loss_pct",
                    "benefit_thickness_points"]
            rows, n = [], 0
            for p in range(5):
                for a, b in (("untreated", "nan"), ("early", str(15 + p)), ("late", str(1 + 0.1 * p))):
                    rows.append({"id": f"r{n:06d}", "model.V_s": "10", "patient": str(p), "arm": a, "seed": "1",
                                 "status": "done", "thickness_loss_pct": str(10 + p), "benefit_thickness_points": b})
                    n += 1
            write(os.path.join(d, "summary.csv"), cols, rows)
            png, data = sp.cohort_plots(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "c.png"))
            np.testing.assert_allclose(data["loss"], [10, 11, 12, 13, 14])
            self.assertEqual(data["pairs"], ([15.0, 16.0, 17.0, 18.0, 19.0], [1.0, 1.1, 1.2, 1.3, 1.4]))
            # --outcome draws that outcome per arm (the cohort figure ignored it: always the benefit)
            png, data = sp.cohort_plots(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "c.png"),
                                        "thickness_loss_pct")
            self.assertEqual(data["pairs"], ([10.0, 11.0, 12.0, 13.0, 14.0], [10.0, 11.0, 12.0, 13.0, 14.0]))
            p = subprocess.run([sys.executable, "-m", "postprocess.sweep_plots", d], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(os.path.exists(os.path.join(d, "cohort.png")))
            # one treated arm: the per-patient panel says why it is empty (it was a bare axis)
            one = [r for r in rows if r["arm"] != "late"]
            png, data = sp.cohort_plots(one, os.path.join(d, "c1.png"))
            self.assertNotIn("pairs", data)
            self.assertIn("one treated arm: the per-patient panel pairs two arms", data["notes"])
            p = subprocess.run([sys.executable, "-m", "postprocess.sweep_plots", os.path.join(d, "none")],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 4)
            # a misspelt outcome: one line naming the outcome columns, exit 3
            p = subprocess.run([sys.executable, "-m", "postprocess.sweep_plots", d, "--outcome", "thickness_los"],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(p.stderr.strip().splitlines(),
                             [f"sweep_plots: error: --outcome thickness_los: not an outcome column of "
                              f"{os.path.join(d, 'summary.csv')} (one of: thickness_loss_pct, benefit_thickness_points)"])
            # a partial cohort: only the untreated rows done (boxplot of no arm was a traceback)
            part = [dict(r, status="done" if r["arm"] == "untreated" else ("failed" if r["patient"] == "0" else "pending"))
                    for r in rows]
            write(os.path.join(d, "summary.csv"), cols, part)
            png, data = sp.cohort_plots(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "c.png"))
            np.testing.assert_allclose(data["loss"], [10, 11, 12, 13, 14])
            self.assertEqual(data["benefit"], {"early": {}, "late": {}})
            self.assertNotIn("pairs", data)
            p = subprocess.run([sys.executable, "-m", "postprocess.sweep_plots", d], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr.splitlines(),
                             [f"sweep_plots: note: cohort.png: arm {a}: 5 of 5 rows not drawn (1 failed, 4 pending)"
                              for a in ("early", "late")])
            # the untreated rows not usable (stale: from an older config): the first arm done is not
            # taken for the untreated one (its losses were drawn as the untreated progression)
            part = [dict(r, status="stale" if r["arm"] == "untreated" else "done") for r in rows]
            write(os.path.join(d, "summary.csv"), cols, part)
            png, data = sp.cohort_plots(sp.read_summary(os.path.join(d, "summary.csv")), os.path.join(d, "c.png"))
            self.assertEqual(data["loss"].size, 0)
            self.assertEqual(data["pairs"], ([15.0, 16.0, 17.0, 18.0, 19.0], [1.0, 1.1, 1.2, 1.3, 1.4]))
            self.assertEqual(data["notes"], ["arm untreated: 5 of 5 rows not drawn (5 stale)"])
            # nothing usable to draw: one line, exit 3
            write(os.path.join(d, "summary.csv"), cols, [dict(r, benefit_thickness_points="nan", thickness_loss_pct=
                                                               "nan" if r["arm"] != "untreated" else "10") for r in part])
            p = subprocess.run([sys.executable, "-m", "postprocess.sweep_plots", d, "--outcome", "thickness_loss_pct"],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(p.stderr.splitlines()[-1:], ["sweep_plots: error: nothing to draw in the cohort: no completed "
                             "untreated row with a thickness loss and no completed treated row with a thickness_loss_pct "
                             "value"])
            write(os.path.join(d, "summary.csv"), cols, rows)
            # figures onto a file: one line, exit 4, the file kept
            blocker = os.path.join(d, "a_file")
            with open(blocker, "w") as f:
                f.write("kept")
            p = subprocess.run([sys.executable, "-m", "postprocess.sweep_plots", d, "-o", blocker],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            with open(blocker) as f:
                self.assertEqual(f.read(), "kept")


if __name__ == "__main__":
    unittest.main()
