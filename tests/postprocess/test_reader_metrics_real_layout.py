"""reader.Run.config and metrics.years_to_c80 on files shaped like real cartsim output.

Two defects a modeler met reading real run files (found 2026-12-03):
- Run.config returned rtol, atol and every treatment dose as strings: cartsim writes the resolved
  config with reals such as `rtol: 1e-06` and `dose: 5e+07` (YAML 1.2, no decimal point), which
  PyYAML's YAML 1.1 safe_load does not take for numbers.
- metrics.years_to_c80(branch, history) was NaN for a branch whose history crossed mean c = 0.8
  between its last output step before the branching day and that day (the history's rows alone
  had not crossed, the branch started below 0.8): it is interpolated between the two now.

Run: PYTHONPATH=. /usr/bin/python3 -m unittest tests/postprocess/test_reader_metrics_real_layout.py -v
(discovered by the postprocess_unit test). The postprocess package is the first one on sys.path
(PYTHONPATH), else the repository's.
"""

import math
import os
import shutil
import sys
import tempfile
import unittest

import h5py
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.append(REPO)  # after PYTHONPATH, so another copy of postprocess can be tested

from postprocess import metrics  # noqa: E402
from postprocess.reader import Run  # noqa: E402

# An excerpt of a real /meta/config (cartsim 0.1.0, configs/reference.yaml with an adipose MSC
# injection at day 183.7), comments and alignment as cartsim writes them.
REAL_CONFIG = """\
# cartsim configuration, fully resolved: every key, defaults included.
description: "Reference model, 1-D, injury days 0-120, untreated, 5 years" # free text, stored with the results

model:                                 # physical parameters (docs/model.md)
  H: 2.4                               # mm — cartilage thickness
  sig_c: 1.6e-05                       # 1/day — collagen synthesis rate (half-life 117 years, Verzijl 2000)
  K_MSC: 5000000                       # cells — MSC number halving synovial P production (immunomodulation)

solver:                                # time integration
  precond: auto                        # - — preconditioner
  rtol: 1e-06                          # 1 — relative tolerance of the local error test
  atol: 1e-08                          # 1 — absolute tolerance, multiplied by each quantity's typical size (docs/model.md)

treatments:                            # injections, each applied at its day
  - type: msc                          # - — msc (stem-cell injection) or il1ra (IL-1Ra drug bolus)
    day: 183.7                         # day — time of the injection
    dose: 5e+07                        # cells or mg — MSCs injected (cells) or IL-1Ra given (mg)
    viability: 0.5                     # 1 — factor on the source's viability
    source: adipose                    # - — MSC source preset
"""


def _vstr(obj, name, value):
    obj.attrs.create(name, value, dtype=h5py.string_dtype("utf-8"))


def write_file(path, time, mean_c, config=REAL_CONFIG, status="complete"):
    """A minimal run file in the layout of docs/output.md: /meta (status, config as a fixed-length
    UTF-8 string, as cartsim stores it) and /timeseries/time, mean_c."""
    with h5py.File(path, "w") as f:
        meta = f.create_group("meta")
        _vstr(meta, "status", status)
        raw = config.encode("utf-8")
        meta.create_dataset("config", data=np.array(raw, dtype=h5py.string_dtype("utf-8", len(raw))))
        ts = f.create_group("timeseries")
        for name, data, units in (("time", time, "day"), ("mean_c", mean_c, "1")):
            ds = ts.create_dataset(name, data=np.asarray(data, dtype=float), maxshape=(None,), chunks=(64,))
            _vstr(ds, "units", units)
            _vstr(ds, "long_name", name)
    return path


def mean_c_of(t):
    """Mean collagen falling linearly from 1 at day 0 through 0.8 at day 898.16."""
    return 1.0 - 0.2 * np.asarray(t, dtype=float) / 898.16


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pp_real_layout_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class ConfigNumbers(Base):
    def test_exponent_reals_are_numbers(self):
        r = Run(write_file(os.path.join(self.dir, "run.h5"), [0.0, 5.0], [1.0, 1.0]))
        cfg = r.config
        self.assertEqual(cfg["solver"]["rtol"], 1e-6)
        self.assertIsInstance(cfg["solver"]["rtol"], float)
        self.assertEqual(cfg["solver"]["atol"], 1e-8)
        self.assertEqual(cfg["treatments"][0]["dose"], 5e7)
        self.assertIsInstance(cfg["treatments"][0]["dose"], float)
        # the rest as before: decimals, integers, names, the description
        self.assertEqual(cfg["model"]["sig_c"], 1.6e-5)
        self.assertEqual(cfg["model"]["K_MSC"], 5000000)
        self.assertEqual(cfg["treatments"][0]["day"], 183.7)
        self.assertEqual(cfg["solver"]["precond"], "auto")
        self.assertEqual(cfg["treatments"][0]["source"], "adipose")
        self.assertEqual(cfg["description"], "Reference model, 1-D, injury days 0-120, untreated, 5 years")

    def test_words_stay_words(self):
        text = "description: \"v 0.1.0\"\nrun:\n  a: 0.1.0\n  b: e5\n  c: 1e\n  d: 1_000\n  e: .5e3\n"
        r = Run(write_file(os.path.join(self.dir, "w.h5"), [0.0], [1.0], config=text))
        self.assertEqual(r.config["run"], {"a": "0.1.0", "b": "e5", "c": "1e", "d": 1000, "e": 500.0})


class YearsToC80AcrossTheBranchingDay(Base):
    """A history with output every 5 days crossing 0.8 at day 898.16 (between its rows 895 and
    900); branches saved at day 900 (an output step) and at day 898.9 (between two)."""

    def history(self):
        t = np.arange(0.0, 1825.0 + 1e-9, 5.0)
        return Run(write_file(os.path.join(self.dir, "untreated.h5"), t, mean_c_of(t)))

    def branch(self, start):
        t = np.concatenate([[start], np.arange(math.floor(start / 5.0) * 5.0 + 5.0, 1825.0 + 1e-9, 5.0)])
        return Run(write_file(os.path.join(self.dir, f"branch{start:g}.h5"), t, mean_c_of(t)))

    def test_history_itself(self):
        self.assertAlmostEqual(metrics.years_to_c80(self.history()) * 365.0, 898.16, places=6)

    def test_branch_at_an_output_step_just_after_the_crossing(self):
        h = self.history()
        self.assertAlmostEqual(metrics.years_to_c80(self.branch(900.0), h) * 365.0, 898.16, places=6)

    def test_branch_between_output_steps_just_after_the_crossing(self):
        h = self.history()
        y = metrics.years_to_c80(self.branch(898.9), h)
        self.assertFalse(math.isnan(y), "the crossing before the branching day was lost")
        self.assertAlmostEqual(y * 365.0, 898.16, places=6)

    def test_crossing_inside_the_branch_and_without_history(self):
        h = self.history()
        self.assertAlmostEqual(metrics.years_to_c80(self.branch(180.0), h) * 365.0, 898.16, places=6)
        self.assertAlmostEqual(metrics.years_to_c80(self.branch(180.0)) * 365.0, 898.16, places=6)
        # a branch that starts below 0.8 without its history: when it crossed is not known
        self.assertTrue(math.isnan(metrics.years_to_c80(self.branch(900.0))))

    def test_never_crossing(self):
        t = np.arange(0.0, 100.0 + 1e-9, 5.0)
        r = Run(write_file(os.path.join(self.dir, "short.h5"), t, mean_c_of(t)))
        self.assertTrue(math.isnan(metrics.years_to_c80(r)))


if __name__ == "__main__":
    unittest.main()
