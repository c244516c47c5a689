/* test_line_exact.c - the line preconditioner with its fluid border inverts
 * the 1-D Newton matrix M = I - gamma J (precond.h), so that
 * solver.krylov: auto may use its solve alone as the Newton correction.
 *
 * On one rank, for a 1-D column: z = P^{-1} r for a varied r, then M z by
 * central differences of the RHS, J z ~ (f(y + e z) - f(y - e z)) / 2e, and
 * M z against r, row by row:
 *   - every cartilage row and the fluid values P_s, R_s, F_s, N and the
 *     synovial MSCs (the bordered solve's Schur complement) to 1e-6 of |r|;
 *   - the running MSC integrals (died, differentiated, cleared,
 *     proliferated, surface AUC) are left out of P by design (their rows
 *     depend on every cell), so they are not compared.
 * A preconditioner that drops the border (the surface cells' coupling to
 * the fluid) or a coupling of the line recurrence misses by 1e-3 and more.
 * Also checked: a second solve with the same setup gives the same bits
 * (the solve keeps no state), and r is left unchanged. Twice: with the
 * reference model's mobile species, and with D_E = 0 (the MSCs immobile:
 * the general version of the block elimination, other padding). */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "../unit/check.h"
#include "pc_fixture.h"

/* f <- RHS(y + eps dir), through w */
static int rhs_at(cs_problem *pb, N_Vector y, N_Vector dir, double eps, N_Vector w, N_Vector f)
{
  N_VLinearSum(1.0, y, eps, dir, w);
  return cs_problem_rhs(0.0, w, f, pb);
}

/* The checks above for the fixture's problem and preconditioner; `label`
 * names the case in the messages. */
static void check_exact(cs_pc_fixture *fx, const char *label)
{
  const double gamma = 2.0; /* days: a step the reference run takes late in its course */
  cs_problem *pb = &fx->pb;
  N_Vector y = fx->y, f = N_VClone(y), fp = N_VClone(y), fm = N_VClone(y), w = N_VClone(y);
  N_Vector r = N_VClone(y), r0 = N_VClone(y), z = N_VClone(y), z2 = N_VClone(y);
  const long n = pb->nlocal;

  CHECK(cs_problem_rhs(0.0, y, f, pb) == 0, "%s: the RHS at the state", label);
  sunbooleantype jcur = SUNFALSE;
  CHECK(cs_precond_setup(0.0, y, f, SUNFALSE, &jcur, gamma, pb) == 0 && jcur, "%s: setup with a new Jacobian", label);

  /* r: every value non-zero, of the size of the state's own scale */
  double *rv = N_VGetArrayPointer_Parallel(r);
  const double *u = N_VGetArrayPointer_Parallel(y);
  for (long i = 0; i < n; ++i) rv[i] = (0.3 + 0.7 * fabs(sin(1.7 * (double)i + 0.3))) * (fabs(u[i]) + 1e-3);
  N_VScale(1.0, r, r0);
  CHECK(cs_precond_solve(0.0, y, f, r, z, gamma, 1e-8, 1, pb) == 0, "%s: the solve", label);
  CHECK(cs_precond_solve(0.0, y, f, r, z2, gamma, 1e-8, 1, pb) == 0, "%s: a second solve", label);
  CHECK(memcmp(N_VGetArrayPointer_Parallel(z), N_VGetArrayPointer_Parallel(z2), (size_t)n * sizeof(double)) == 0,
        "%s: a second solve with the same setup gives the same bits", label);
  CHECK(memcmp(rv, N_VGetArrayPointer_Parallel(r0), (size_t)n * sizeof(double)) == 0, "%s: r is left unchanged",
        label);

  /* M z by central differences along z, scaled so that y +- e z stays close to y */
  const double *zv = N_VGetArrayPointer_Parallel(z);
  double zmax = 0.0, umax = 0.0;
  for (long i = 0; i < n; ++i) {
    zmax = fmax(zmax, fabs(zv[i]));
    umax = fmax(umax, fabs(u[i]));
  }
  const double eps = 1e-6 * (umax + 1.0) / (zmax > 0.0 ? zmax : 1.0);
  CHECK(rhs_at(pb, y, z, eps, w, fp) == 0 && rhs_at(pb, y, z, -eps, w, fm) == 0, "%s: the RHS either side", label);
  const double *fpv = N_VGetArrayPointer_Parallel(fp), *fmv = N_VGetArrayPointer_Parallel(fm);

  const long ncv = CS_NS * pb->ncell;
  double worst_cell = 0.0, worst_fluid = 0.0;
  long at_cell = -1;
  for (long i = 0; i < n; ++i) {
    const double Mz = zv[i] - gamma * (fpv[i] - fmv[i]) / (2.0 * eps);
    const double err = fabs(Mz - rv[i]) / fabs(rv[i]);
    if (i < ncv) {
      if (err > worst_cell) worst_cell = err, at_cell = i;
    } else if (i - ncv <= CS_NSYN) {
      worst_fluid = fmax(worst_fluid, err);
    }
  }
  CHECK(worst_cell < 1e-6, "%s: M P^-1 r = r in the cartilage rows: worst relative error %.2e (species %ld, cell %ld)",
        label, worst_cell, at_cell % CS_NS, at_cell / CS_NS);
  CHECK(worst_fluid < 1e-6, "%s: M P^-1 r = r in the fluid rows P_s, R_s, F_s, N, N_syn: worst relative error %.2e",
        label, worst_fluid);
  printf("line exactness (%s), nz %d, gamma %g: worst relative residual %.2e (cells), %.2e (fluid)\n", label,
         pb->pt->N[0], gamma, worst_cell, worst_fluid);

  N_VDestroy(f), N_VDestroy(fp), N_VDestroy(fm), N_VDestroy(w);
  N_VDestroy(r), N_VDestroy(r0), N_VDestroy(z), N_VDestroy(z2);
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  const cs_grid g = {.dim = 1, .nz = 24, .nx = 1, .ny = 1, .Lx = 1, .Ly = 1, .periodic = 0};
  cs_pc_fixture fx;
  cs_pc_fixture_init(&fx, &g, CS_PC_LINE);

  /* every value away from 0, where the kinetics clamp (the fixture starts
   * the fragments and enzymes at 0), so that differences see derivatives */
  double *um = N_VGetArrayPointer_Parallel(fx.y);
  for (long i = 0; i < CS_NS * fx.pb.ncell; ++i) um[i] += 0.05 * (1.0 + (double)(i % 7));
  for (int q = 0; q <= CS_NSYN; ++q) um[CS_NS * fx.pb.ncell + q] += 0.05;
  check_exact(&fx, "reference species");

  /* the MSCs immobile: a preconditioner made for that split */
  cs_precond_destroy(&fx.pb.pc);
  fx.p.D_E = 0.0;
  CHECK(cs_precond_create(&fx.pb, CS_PC_LINE, &fx.pb.pc) == 0, "line with D_E = 0");
  if (fx.pb.pc) check_exact(&fx, "D_E = 0");

  cs_pc_fixture_free(&fx);
  int rc = cs_test_report("test_line_exact");
  MPI_Finalize();
  return rc;
}
