"""The validation script (postprocess/validation.py) on a quick subset of
targets: its table reports the numbers of the runs it made, and its figures
are valid PNGs."""
import os
import tempfile
import unittest

import numpy as np
from PIL import Image

from postprocess import validation
from postprocess.reader import Run

BIN = os.path.abspath(os.environ.get("CARTSIM_BIN", "build/cartsim"))


class QuickValidation(unittest.TestCase):
    def test_no_case_writes_over_a_state_it_starts_from(self):
        """Every target's cases: outputs, saved states and baselines are distinct
        files (a branch written over its own start state is refused by cartsim,
        exit 2: targets 3 and 7 once named both win_<day>.h5)."""
        for cases, _ in validation.TARGETS:
            cs = cases()
            outputs = [c.name + ".h5" for c in cs]
            states = [path for c in cs for _, path in (c.save or [])]
            self.assertEqual(len(set(outputs)), len(outputs))
            self.assertFalse(set(outputs) & set(states), sorted(set(outputs) & set(states)))
            for c in cs:
                if c.start:
                    self.assertIn(c.start, states, f"{c.name} starts from a state its target saves")
                if c.baseline:
                    self.assertIn(c.baseline + ".h5", outputs, f"{c.name}'s baseline is a run of its target")

    def test_targets_1_5_6(self):
        with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as work:
            rows = validation.validate(BIN, out, work, targets=[1, 5, 6])
            self.assertEqual(len(rows), 3)
            healthy = Run(os.path.join(work, "healthy.h5"))
            self.assertIn(f"min a {healthy.series('mean_a').min():.3f}", rows[0]["model"])
            self.assertEqual(rows[0]["verdict"], "met")
            early = Run(os.path.join(work, "msc_early.h5"))
            self.assertIn(f"{100 * early.outcomes['msc_retained_30d']:.1f} % at 30 d", rows[1]["model"])
            il1, un = Run(os.path.join(work, "il1ra.h5")), Run(os.path.join(work, "untreated.h5"))
            gain = 100 * (il1.series("thickness")[-1] - un.series("thickness")[-1]) / un.series("thickness")[0]
            self.assertIn(f"{gain:+.3f} points", rows[2]["model"])
            for r in rows:
                with Image.open(r["figure"]) as im:
                    self.assertEqual(im.format, "PNG")
                    self.assertGreater(im.size[0], 300)
            md = os.path.join(out, "validation.md")
            validation.write_markdown(rows, md, "test")
            text = open(md).read()
            self.assertIn("| target | published | model | verdict | comment |", text)
            self.assertIn("Toupet 2013", text)

    def test_targets_are_checked_and_the_command_is_recorded(self):
        """--targets 0 ran target 8 (index -1) and 9 was a traceback; the table's provenance line
        was fixed text, so a partial table claimed to be the full one."""
        import subprocess
        import sys
        for bad in ("0", "9", "1,1", "x"):
            p = subprocess.run([sys.executable, "-m", "postprocess.validation", "--cartsim", BIN, "--targets", bad,
                                "-o", "/nonexistent/never"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("--targets", p.stderr.strip().splitlines()[-1])
        with tempfile.TemporaryDirectory() as out:
            # a validation.md there (-o docs: the committed table of all 8 targets) is kept without --force: a
            # --targets 5 run replaced it by a one-row table, silently, where the other tools refuse (exit 4)
            md = os.path.join(out, "validation.md")
            with open(md, "w") as f:
                f.write("the committed table\n")
            p = subprocess.run([sys.executable, "-m", "postprocess.validation", "--cartsim", BIN, "--targets", "5",
                                "-o", out], capture_output=True, text=True)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertEqual(p.stderr.splitlines(), [f"validation: error: {out} already holds validation.md (kept); "
                                                     "use --force to replace it, or -o DIR"])
            self.assertEqual(p.stdout, "", "refused before any run")
            self.assertEqual(open(md).read(), "the committed table\n")
            p = subprocess.run([sys.executable, "-m", "postprocess.validation", "--cartsim", BIN, "--targets", "5",
                                "-o", out, "--force"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            text = open(md).read()
            self.assertIn(f"/usr/bin/python3 -m postprocess.validation --cartsim {BIN} --targets 5 -o {out} --force",
                          text)
            # the provenance is the binary's (`cartsim --version`), not the source tree's HEAD
            built = subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout
            sha = built.split("(git ", 1)[1].split(")", 1)[0]
            self.assertIn(f"from commit `{sha}` by", text)

    def test_cohort_is_reproducible_and_in_documented_ranges(self):
        a, b = validation.cohort_samples(seed=7), validation.cohort_samples(seed=7)
        self.assertEqual(a, b)
        vs = np.array([r["model.V_s"] for r in a])
        self.assertTrue(np.all((vs >= 6.7) & (vs <= 24.0)))


if __name__ == "__main__":
    unittest.main()
