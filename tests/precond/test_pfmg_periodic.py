"""pfmg on periodic grids (solvers/pfmg.h), as the solver statistics show it.

- Fine periodic columns in 2-D: the 2-D lesion with 40 columns of 0.05 mm
  (grid.Lx 2), periodic, 60 days, on 1 and 2 ranks. With the wrap's
  couplings in the V-cycle (hypre's periodic grid) pfmg keeps below 4 Krylov
  iterations per Newton iteration (2.63 measured), GMRES stops short in at
  most 2 % of the Newton iterations (none measured) and Newton never fails
  to converge. Leaving the wrap out (cartsim before 2026-12-05) took 7.5
  Krylov iterations per Newton iteration, and GMRES stopped short in 10 %
  of them; a hierarchy with a level of odd period under red-black
  Gauss-Seidel, or PFMG's levels estimated from the coefficients, made the
  V-cycle no fixed linear map and Newton failed 55 times in 20 days
  (test_pfmg_levels checks the map itself).
- 2 ranks give the 1-rank answer (hypre finds the neighbours across the wrap
  on the other rank), and pfmg the answer of line at rtol 1e-7.
- 3-D, x and y periodic (0.05 mm columns): below 2.5 Krylov iterations per
  Newton iteration on 1 and 2 ranks (1.73 measured; 6.85 without the wrap).
- One, two and an odd number (15) of columns around: the answer of line
  (one column: the wrap folds into the diagonal; two: one coupling of twice
  the weight; an odd count keeps the wrap out of the V-cycle).
Run with CARTSIM_BIN set and the repository root as working directory.
"""
import os
import shutil
import sys
import tempfile
import unittest


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cartsim_runs import assert_same_series, run_case  # noqa: E402  (shared with test_precond.py)

CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "configs")
L2D = os.path.join(CONFIGS, "lesion2d.yaml")
L3D = os.path.join(CONFIGS, "lesion3d.yaml")
# 40 columns of 0.05 mm, periodic, 60 days, no treatment
FINE = ("grid.periodic=true", "grid.Lx=2", "run.t_end=60", "output.dt=10", "output.fields_every=0",
        "treatments=[]", "solver.precond=pfmg")


class PfmgPeriodic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cartsim-pfmg-periodic-")
        cls.runs = {}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_case(self, name, *sets, ranks=1, config=L2D):
        if name not in self.runs:
            self.runs[name] = run_case(self, self.tmp, name, config, sets, ranks, timeout=120)
        return self.runs[name]

    def assert_same_series(self, a, b, what, rtol=2e-4):
        assert_same_series(self, a, b, what, rtol)

    def test_fine_periodic_columns_keep_krylov_low(self):
        for ranks in (1, 2):
            r = self.run_case(f"fine_np{ranks}", *FINE, ranks=ranks)
            what = f"{ranks} rank(s): {r['krylov_iters']} Krylov / {r['newton']} Newton iterations, " \
                   f"{r['krylov_fails']} GMRES short, {r['newton_fails']} Newton failures"
            self.assertEqual(r["precond"], "pfmg")
            self.assertLess(r["krylov_per_newton"], 4.0, what)
            self.assertLessEqual(r["krylov_fails"], 0.02 * r["newton"], what)
            self.assertEqual(r["newton_fails"], 0, what)
            self.assertNotIn("GMRES did not converge", r["stderr"])

    def test_two_ranks_match_one(self):
        one = self.run_case("fine_np1", *FINE)
        two = self.run_case("fine_np2", *FINE, ranks=2)
        self.assert_same_series(one, two, "1 vs 2 ranks", rtol=1e-5)
        self.assertLess(abs(two["newton"] / one["newton"] - 1), 0.1)

    def test_agrees_with_line(self):
        tight = ("solver.rtol=1e-7", "solver.maxl=200")
        pfmg = self.run_case("agree_pfmg", *FINE, *tight)
        line = self.run_case("agree_line", *FINE, *tight, "solver.precond=line")
        self.assert_same_series(line, pfmg, "pfmg vs line", rtol=2e-5)

    def test_3d_both_lateral_directions_periodic(self):
        sets = ("grid.periodic=true", "run.t_end=10", "grid.nz=6", "grid.nx=24", "grid.ny=12", "grid.Lx=1.2",
                "grid.Ly=0.6", "output.fields_every=0", "treatments=[]", "solver.precond=pfmg")
        runs = [self.run_case(f"p3d_np{ranks}", *sets, ranks=ranks, config=L3D) for ranks in (1, 2)]
        for ranks, r in zip((1, 2), runs):
            self.assertLess(r["krylov_per_newton"], 2.5, f"{ranks} rank(s)")
        self.assert_same_series(runs[0], runs[1], "3-D, 1 vs 2 ranks", rtol=1e-5)

    def test_one_two_and_an_odd_number_of_columns(self):
        common = ("grid.periodic=true", "run.t_end=30", "output.dt=10", "output.fields_every=0", "treatments=[]",
                  "solver.rtol=1e-7", "solver.maxl=200")
        for nx, ranks in ((1, 1), (2, 1), (2, 2), (15, 1)):
            cols = (f"grid.nx={nx}", f"grid.Lx={0.05 * nx:g}")
            pfmg = self.run_case(f"cols{nx}_np{ranks}", *common, *cols, "solver.precond=pfmg", ranks=ranks)
            line = self.run_case(f"cols{nx}_line", *common, *cols, "solver.precond=line")
            self.assert_same_series(line, pfmg, f"{nx} column(s), {ranks} rank(s): pfmg vs line", rtol=2e-5)
            if nx <= 2:  # exact wrap, full hierarchy: as few Krylov iterations as the fine columns
                self.assertLess(pfmg["krylov_per_newton"], 3.0, f"{nx} column(s)")


if __name__ == "__main__":
    unittest.main()
