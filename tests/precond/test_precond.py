"""The preconditioners, as the solver statistics show them.

- Iteration-count bounds on two grid sizes: on the 2-D lesion (refine.yaml)
  at 12x20 and refined 2x in each direction, pfmg keeps
  Krylov iterations per Newton iteration below 5 (3.09 and 3.15 measured) and
  grows them by at most 1.5x under refinement (1.02x measured). `line` (lateral couplings dropped) fails the growth
  bound, which shows the test can fail: it is run and expected to.
- The preconditioned and unpreconditioned solves agree: pfmg, line, jacobi
  and none give the same time series to solver tolerance (a short run at
  rtol 1e-7), and pfmg needs fewer than 1000 steps there (right
  preconditioning; left took 3573).
- pfmg on 2 ranks gives the 1-rank answer and the same iteration counts
  within a few percent (PFMG's boxes follow the decomposition).
- solver.precond: auto runs line where the lateral cells are coarse and pfmg
  where the lateral diffusion line leaves out is fast (fine lateral cells).
- pfmg runs 1-D grids (as 2-D grids of width 1) and agrees with line there.
- line with the fluid border is exact in 1-D: Krylov/Newton below 1.4 on the
  reference, untreated and with MSCs (2.2 and 2.6 without the border), also
  with MSCs that do not diffuse (D_E = 0: line's general block elimination).
- solver.krylov: none (the preconditioner's solve as the Newton correction,
  linsol_precond.h) gives the GMRES answer on the 1-D reference, untreated
  and with MSCs, with no Krylov iteration and at most 0.6x GMRES's
  right-hand-side evaluations (0.47-0.54 measured); auto picks it for line
  in 1-D on one rank and gmres on two ranks, in 2-D and for jacobi;
  ARKODE runs with it too; an explicit none where it is inexact warns.
Run with CARTSIM_BIN set and the repository root as working directory.
"""
import os
import shutil
import sys
import tempfile
import unittest

CFG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "refine.yaml")
REF = os.path.join(os.path.dirname(CFG), "..", "..", "configs", "reference.yaml")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cartsim_runs import assert_same_series, run_case  # noqa: E402  (shared with test_pfmg_periodic.py)

MSC = ["treatments[0].type=msc", "treatments[0].day=180", "treatments[0].dose=5e7"]


class Precond(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cartsim-precond-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_case(self, name, *sets, ranks=1, config=CFG):
        return run_case(self, self.tmp, name, config, sets, ranks)

    def refinement(self, precond):
        coarse = self.run_case(f"{precond}_1", f"solver.precond={precond}")
        fine = self.run_case(f"{precond}_2", f"solver.precond={precond}", "grid.nz=24", "grid.nx=40")
        return coarse, fine, fine["krylov_per_newton"] / coarse["krylov_per_newton"]

    def test_pfmg_iterations_do_not_grow_under_refinement(self):
        coarse, fine, growth = self.refinement("pfmg")
        self.assertLess(coarse["krylov_per_newton"], 5.0)
        self.assertLess(fine["krylov_per_newton"], 5.0)
        self.assertLess(growth, 1.5, f"Krylov/Newton {coarse['krylov_per_newton']:.2f} -> "
                                     f"{fine['krylov_per_newton']:.2f}")

    def test_line_fails_the_same_bound(self):
        _, _, growth = self.refinement("line")
        self.assertGreater(growth, 1.5, "line was expected to degrade under lateral refinement")

    def test_auto_picks_by_lateral_spacing(self):
        # solver.precond: auto (the default) by the lateral cell size, not the number of columns (the file
        # records which ran): over 10 mm, 20 and 40 columns (0.5, 0.25 mm) line, 80 (0.125 mm) pfmg; 40
        # columns over 5 mm (0.125 mm) pfmg too; the 3-D lesion's 12 x 12 columns over 8 mm line
        short = ("run.t_end=10", "output.dt=5")
        self.assertEqual(self.run_case("auto20", *short)["precond"], "line")
        self.assertEqual(self.run_case("auto40", *short, "grid.nx=40")["precond"], "line")
        self.assertEqual(self.run_case("auto80", *short, "grid.nx=80")["precond"], "pfmg")
        self.assertEqual(self.run_case("auto40_5mm", *short, "grid.nx=40", "grid.Lx=5")["precond"], "pfmg")
        l3d = os.path.join(os.path.dirname(REF), "lesion3d.yaml")
        self.assertEqual(self.run_case("auto3d", *short, "treatments=[]", config=l3d)["precond"], "line")
        # the smallest lateral cell decides: fine in y only (0.1 mm over Ly 4 mm), coarse in x
        self.assertEqual(self.run_case("auto3d_fine_y", *short, "treatments=[]", "grid.ny=40", "grid.Ly=4",
                                       config=l3d)["precond"], "pfmg")
        # faster lateral diffusion moves the choice: 0.25 mm with D_P four times the reference
        self.assertEqual(self.run_case("auto40_fastP", *short, "grid.nx=40", "model.D_P=17.2")["precond"], "pfmg")

    def assert_same_series(self, a, b, what, rtol=2e-4):
        assert_same_series(self, a, b, what, rtol)

    def test_preconditioned_and_unpreconditioned_solves_agree(self):
        short = ["run.t_end=30", "output.dt=5", "solver.rtol=1e-7", "solver.maxl=200"]
        runs = {pc: self.run_case(f"agree_{pc}", f"solver.precond={pc}", *short)
                for pc in ("pfmg", "line", "jacobi", "none")}
        for pc in ("line", "jacobi", "none"):
            self.assert_same_series(runs["pfmg"], runs[pc], f"pfmg vs {pc}")
        # right preconditioning (integrate.c): GMRES stops on the true residual. Left-preconditioned,
        # one V-cycle's inaccurate corrections held this run at 0.009-day steps (3573 steps; 309 now)
        self.assertLess(runs["pfmg"]["steps"], 1000)

    def test_pfmg_in_1d(self):
        # hypre's PFMG has no 1-D stencils: a 1-D grid runs as a 2-D one of width 1 (pfmg.c)
        ref = os.path.join(os.path.dirname(CFG), "..", "..", "configs", "reference.yaml")
        common = ["run.t_end=200", "output.dt=10", "output.fields_every=0", "solver.rtol=1e-7"]
        runs = {pc: self.run_case(f"ref1d_{pc}", f"solver.precond={pc}", *common, config=ref) for pc in ("pfmg", "line")}
        self.assertEqual(runs["pfmg"]["precond"], "pfmg")
        self.assert_same_series(runs["line"], runs["pfmg"], "1-D line vs pfmg")

    def test_pfmg_in_3d_with_fine_lateral_cells(self):
        # 3-D runs every diffusing species through one V-cycle too, as slabs along depth (pfmg.c). On
        # 0.1 mm lateral cells the lateral diffusion dominates, so a V-cycle with a wrong layout shows:
        # 1.65 Krylov iterations per Newton iteration measured, 14.6 with the coefficients' x and y swapped
        # (and GMRES failing to converge). On two ranks the box is split along x.
        l3d = os.path.join(os.path.dirname(REF), "lesion3d.yaml")
        sets = ("run.t_end=10", "grid.nz=6", "grid.nx=24", "grid.ny=12", "grid.Lx=2.4", "grid.Ly=1.2",
                "output.fields_every=0", "treatments=[]", "solver.precond=pfmg")
        for ranks in (1, 2):
            r = self.run_case(f"pfmg3d_np{ranks}", *sets, ranks=ranks, config=l3d)
            self.assertLess(r["krylov_per_newton"], 2.5, f"{ranks} rank(s)")

    def test_line_is_exact_in_1d_with_the_fluid_border(self):
        # line inverts the 1-D Newton matrix up to the MSC running integrals, fluid coupling
        # included (the bordered solve in precond.c): about one Krylov iteration per Newton
        # iteration (1.17 untreated, 1.01 with MSCs, measured). Without the border
        # it took 2.2 untreated and 2.6 with MSCs; the bound fails then. With D_E = 0 the MSCs
        # do not diffuse: another split into mobile and immobile species than the reference's,
        # which takes the general version of line's block elimination (precond.c).
        ref = os.path.join(os.path.dirname(CFG), "..", "..", "configs", "reference.yaml")
        common = ["output.fields_every=0", "solver.precond=line", "solver.krylov=gmres"]
        for name, sets in (("untreated", []), ("msc", MSC), ("msc_immobile", MSC + ["model.D_E=0"])):
            r = self.run_case(f"border_{name}", *common, *sets, config=ref)
            self.assertLess(r["krylov_per_newton"], 1.4, f"{name}: Krylov/Newton {r['krylov_per_newton']:.2f}")

    def test_krylov_none_is_gmres_answer_for_half_the_work(self):
        # line in 1-D on one rank is the Newton matrix: Newton with it alone converges as with GMRES,
        # without the J v products (one right-hand side each) and GMRES's vector operations
        common = ["output.fields_every=0", "solver.precond=line"]
        for name, sets in (("untreated", []), ("msc", MSC)):
            runs = {k: self.run_case(f"krylov_{name}_{k}", *common, *sets, f"solver.krylov={k}", config=REF)
                    for k in ("gmres", "none")}
            self.assertEqual(runs["none"]["krylov"], "none")
            self.assertEqual(runs["none"]["krylov_iters"], 0)
            self.assertGreater(runs["gmres"]["krylov_iters"], 0)
            self.assert_same_series(runs["gmres"], runs["none"], f"{name}: gmres vs none")
            ratio = runs["none"]["rhs_evals"] / runs["gmres"]["rhs_evals"]
            self.assertLess(ratio, 0.6, f"{name}: none took {ratio:.2f}x GMRES's right-hand-side evaluations")
        # ARKODE (DIRK) hands it its preconditioner the same way
        ark = ["solver.integrator=arkode", "solver.max_order=4", "run.t_end=400", *common]
        a = {k: self.run_case(f"krylov_ark_{k}", *ark, f"solver.krylov={k}", config=REF) for k in ("gmres", "none")}
        self.assertEqual(a["none"]["krylov_iters"], 0)
        self.assert_same_series(a["gmres"], a["none"], "arkode: gmres vs none")

    def test_krylov_auto_only_where_exact(self):
        short = ["run.t_end=10", "output.dt=5", "output.fields_every=0"]
        self.assertEqual(self.run_case("kauto_1d", *short, config=REF)["krylov"], "none")
        self.assertEqual(self.run_case("kauto_1d_np2", *short, config=REF, ranks=2)["krylov"], "gmres")
        self.assertEqual(self.run_case("kauto_1d_jacobi", *short, "solver.precond=jacobi", config=REF)["krylov"],
                         "gmres")
        self.assertEqual(self.run_case("kauto_2d", *short, "solver.precond=line")["krylov"], "gmres")
        # asked for where it is not exact: it runs, and says why it will be slow
        r = self.run_case("knone_jacobi", "run.t_end=1", "output.dt=1", "output.fields_every=0",
                          "solver.precond=jacobi", "solver.krylov=none", config=REF)
        self.assertEqual(r["krylov"], "none")
        self.assertIn("solver.krylov none will be slow here", r["stderr"])

    def test_two_ranks_match_one(self):
        one = self.run_case("np1", "solver.precond=pfmg", "solver.rtol=1e-7")
        two = self.run_case("np2", "solver.precond=pfmg", "solver.rtol=1e-7", ranks=2)
        self.assert_same_series(one, two, "1 vs 2 ranks", rtol=1e-5)
        self.assertLess(abs(two["newton"] / one["newton"] - 1), 0.1)


if __name__ == "__main__":
    unittest.main()
