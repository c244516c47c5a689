/* test_pfmg_levels.c - how deep pfmg's hierarchy goes (solvers/pfmg.h).
 *
 * Usage: mpirun -n R test_pfmg_levels
 *
 *  - cs_pfmg_levels: 1 plus the halvings that bring the global grid to at
 *    most CS_PFMG_COARSEST_CELLS cells;
 *  - cs_pfmg_levels_slabs with periodic lateral directions: a level with an
 *    odd period is the coarsest;
 *  - on periodic grids (2-D and 3-D, a level with an odd period, ties
 *    between h_z and a halved h_x, one and two cells around, an odd count)
 *    the preconditioner's solve is a fixed linear map: the same answer for
 *    the same right-hand side whatever came before, and P(a + b) = P(a) +
 *    P(b). Red-black Gauss-Seidel on a level with an odd period broke both
 *    (pfmg.c), and GMRES then reported residuals it had not reached;
 *  - the V-cycle on a 24x160 lesion (the strong-scaling case of the
 *    benchmark) sends no more messages than a hierarchy of that depth
 *    needs. Each level below the finest costs a fixed handful of halo
 *    exchanges, latency on two ranks; PFMG left to itself halves down to one
 *    cell (14 levels here instead of 9) and sends a third more per V-cycle.
 *    The count comes from this program's own MPI_Isend, which the
 *    executable exports, so hypre (dlopen()ed) calls it.
 */
#include <mpi.h>
#include <stdio.h>

#include "../../solvers/pfmg.h"
#include "../unit/check.h"
#include "pc_fixture.h"

static long isends;

int MPI_Isend(const void *buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm, MPI_Request *req)
{
  ++isends;
  return PMPI_Isend(buf, count, type, dest, tag, comm, req);
}

static double urand(unsigned *seed)
{
  *seed = *seed * 1103515245u + 12345u;
  return (double)((*seed >> 8) & 0xffff) / 65536.0 - 0.5;
}

/* Largest |a_i - b_i| over the ranks (tmp holds a - b). */
static double max_diff(N_Vector a, N_Vector b, N_Vector tmp)
{
  N_VLinearSum(1.0, a, -1.0, b, tmp);
  return N_VMaxNorm(tmp);
}

#define MUST(call)                                               \
  do {                                                           \
    if ((call) != 0) {                                           \
      fprintf(stderr, "test_pfmg_levels: %s failed\n", #call);   \
      MPI_Abort(MPI_COMM_WORLD, 1);                              \
    }                                                            \
  } while (0)

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  CHECK(cs_pfmg_levels(1) == 1, "one cell: one level");
  CHECK(cs_pfmg_levels(CS_PFMG_COARSEST_CELLS) == 1, "16 cells: no coarsening");
  CHECK(cs_pfmg_levels(CS_PFMG_COARSEST_CELLS + 1) == 2, "17 cells: one halving");
  CHECK(cs_pfmg_levels(12 * 20) == 5, "12x20: 240 -> 120 -> 60 -> 30 -> 15");
  CHECK(cs_pfmg_levels(24 * 160) == 9, "24x160: 3840 -> 15 in 8 halvings");
  CHECK(cs_pfmg_levels(48 * 320) == 11, "48x320: 15360 -> 15 in 10 halvings");
  /* six slabs of diffusing species along depth */
#define SLABS(n0, n1, n2, lz, lx, ly) \
  cs_pfmg_levels_slabs((const int[3]){n0, n1, n2}, (const double[3]){2.0 / (n0), (lx) / (n1), (ly) / (n2)}, 6, \
                       (const int[3]){0, 0, 0})
  CHECK(SLABS(24, 160, 1, 2, 10.0, 1.0) == 9, "24x160 over 2x10 mm: the cap, 9 levels");
  CHECK(SLABS(12, 20, 1, 2, 10.0, 1.0) == 5, "12x20 over 2x10 mm: the cap, 5 levels");
  CHECK(SLABS(24, 16, 1, 2, 10.0, 1.0) == 6, "24x16 over 2x10 mm: the cap, 6 levels");
  CHECK(SLABS(24, 16, 1, 2, 40.0, 1.0) == 5,
        "24x16 over 2x40 mm: 5 levels (a fifth depth halving would leave a slab without a coarse row)");
  CHECK(SLABS(32, 16, 1, 2, 40.0, 1.0) == 6, "32x16 over 2x40 mm: 5 depth halvings, the cap");
  CHECK(SLABS(12, 12, 12, 2, 8.0, 8.0) == 6,
        "12^3 over 2x8x8 mm (configs/lesion3d.yaml): 6 levels where the cap allows 8 (d d d x y, then a fourth in depth)");
  CHECK(SLABS(4, 32, 32, 2, 20.0, 20.0) == 7, "4x32x32 over 2x20x20 mm: 7 levels (d x y d x y, then a third in depth)");
  CHECK(SLABS(16, 32, 32, 2, 4.0, 4.0) == 11, "16x32x32 over 2x4x4 mm: the cap, 11 levels (4 depth halvings)");
  CHECK(SLABS(1, 1, 1, 2, 1.0, 1.0) == 1, "one cell: one level");
#undef SLABS
  /* periodic: px, py flag the lateral directions whose period (the cell
   * count) hypre's grid carries */
#define SLABS_P(n0, n1, n2, lz, lx, ly, px, py)                                                             \
  cs_pfmg_levels_slabs((const int[3]){n0, n1, n2}, (const double[3]){(double)(lz) / (n0), (lx) / (n1), (ly) / (n2)}, 6, \
                       (const int[3]){0, px, py})
  CHECK(SLABS_P(24, 40, 1, 2.4, 2.0, 1.0, 0, 0) == 7, "24x40 over 2.4x2 mm, walls: x z x z x z, the cap");
  CHECK(SLABS_P(24, 40, 1, 2.4, 2.0, 1.0, 1, 0) == 6,
        "24x40 over 2.4x2 mm, periodic: x z x z x, then the period 5 makes it the coarsest level");
  CHECK(SLABS_P(24, 80, 1, 2.4, 4.0, 1.0, 1, 0) == 8, "24x80 periodic: the cap, the coarsest level of period 5");
  CHECK(SLABS_P(24, 160, 1, 2.4, 8.0, 1.0, 1, 0) == 9, "24x160 periodic: the cap, as with walls");
  CHECK(SLABS_P(24, 24, 1, 2.4, 1.2, 1.0, 1, 0) == 6, "24x24 periodic: down to period 3");
  CHECK(SLABS_P(24, 12, 1, 2.4, 0.6, 1.0, 1, 0) == 4, "24x12 periodic: x z x, down to period 3");
  CHECK(SLABS_P(24, 30, 1, 2.4, 1.5, 1.0, 1, 0) == 2, "24x30 periodic: one halving to period 15");
  CHECK(SLABS_P(24, 4, 1, 2.4, 0.2, 1.0, 1, 0) == 4, "24x4 periodic: x z x, the cap, the coarsest level of period 1");
  CHECK(SLABS_P(24, 15, 1, 2.4, 0.75, 1.0, 1, 0) == 1,
        "an odd period: no coarse level (cs_pfmg_create leaves odd periods out of hypre's grid)");
  CHECK(SLABS_P(6, 24, 12, 2.4, 1.2, 0.6, 0, 0) == 8, "6x24x12 over 2.4x1.2x0.6 mm, walls: x y x y x y z");
  CHECK(SLABS_P(6, 24, 12, 2.4, 1.2, 0.6, 1, 1) == 5,
        "6x24x12, x and y periodic: x y x y, then y's period 3 makes it the coarsest level");
  CHECK(SLABS_P(12, 12, 12, 2.0, 8.0, 8.0, 1, 1) == 6, "12^3 over 2x8x8 mm, periodic: as with walls (d d d x y)");
#undef SLABS_P

  /* periodic grids: the solve is a fixed linear map (see above). nz 20 over
   * 2 mm and 0.05 mm columns: h_z = 2 h_x, a tie after the first halving */
  const struct {
    int dim, nz, nx, ny;
    double Lx, Ly;
  } wrap[] = {{2, 20, 40, 1, 2.0, 1.0}, {2, 12, 24, 1, 1.2, 1.0}, {2, 8, 4, 1, 0.2, 1.0}, {2, 8, 2, 1, 0.1, 1.0},
              {2, 8, 1, 1, 0.05, 1.0}, {2, 12, 15, 1, 0.75, 1.0}, {3, 6, 12, 8, 0.6, 0.4}};
  for (size_t c = 0; c < sizeof wrap / sizeof wrap[0]; ++c) {
    if (wrap[c].nx < size) continue; /* fewer columns than ranks */
    const cs_grid gw = {.dim = wrap[c].dim, .nz = wrap[c].nz, .nx = wrap[c].nx, .ny = wrap[c].ny, .Lx = wrap[c].Lx,
                        .Ly = wrap[c].Ly, .periodic = 1};
    cs_pc_fixture fw;
    cs_pc_fixture_init(&fw, &gw, CS_PC_PFMG);
    N_Vector y = fw.y, f = N_VClone(y), a = N_VClone(y), b = N_VClone(y), ab = N_VClone(y), pa = N_VClone(y),
             pb = N_VClone(y), pab = N_VClone(y), again = N_VClone(y), tmp = N_VClone(y);
    unsigned seed = 17u + 31u * (unsigned)rank;
    double *av = N_VGetArrayPointer(a), *bv = N_VGetArrayPointer(b);
    for (long i = 0; i < N_VGetLocalLength_Parallel(a); ++i) av[i] = urand(&seed), bv[i] = urand(&seed);
    N_VLinearSum(1.0, a, 1.0, b, ab);
    sunbooleantype jcur;
    MUST(cs_problem_rhs(0.0, y, f, &fw.pb));
    for (int g = 0; g < 2; ++g) {
      const double gamma = g ? 0.5 : 0.03; /* a second setup: the solver is rebuilt */
      MUST(cs_precond_setup(0.0, y, f, g > 0, &jcur, gamma, &fw.pb));
      MUST(cs_precond_solve(0.0, y, f, a, pa, gamma, 1e-3, 1, &fw.pb));
      MUST(cs_precond_solve(0.0, y, f, b, pb, gamma, 1e-3, 1, &fw.pb));
      MUST(cs_precond_solve(0.0, y, f, ab, pab, gamma, 1e-3, 1, &fw.pb));
      MUST(cs_precond_solve(0.0, y, f, a, again, gamma, 1e-3, 1, &fw.pb));
      double d = max_diff(pa, again, tmp), n = N_VMaxNorm(pa);
      CHECK(d == 0.0, "%d-D %dx%dx%d periodic, gamma %g: the same right-hand side gave another answer (%.3e of %.3e)",
            wrap[c].dim, wrap[c].nz, wrap[c].nx, wrap[c].ny, gamma, d, n);
      N_VLinearSum(1.0, pa, 1.0, pb, pa);
      d = max_diff(pa, pab, tmp), n = N_VMaxNorm(pa);
      CHECK(d <= 1e-12 * n, "%d-D %dx%dx%d periodic, gamma %g: P(a + b) - P(a) - P(b) = %.3e of %.3e",
            wrap[c].dim, wrap[c].nz, wrap[c].nx, wrap[c].ny, gamma, d, n);
    }
    N_Vector vs[] = {f, a, b, ab, pa, pb, pab, again, tmp};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; ++i) N_VDestroy(vs[i]);
    cs_pc_fixture_free(&fw);
  }

  /* the benchmark's strong-scaling grid, pfmg */
  const cs_grid g = {.dim = 2, .nz = 24, .nx = 160, .ny = 1, .Lx = 10, .Ly = 1, .periodic = 0};
  cs_pc_fixture fx;
  cs_pc_fixture_init(&fx, &g, CS_PC_PFMG);
  cs_problem *pb = &fx.pb;
  N_Vector y = fx.y, f = N_VClone(y), z = N_VClone(y);

  sunbooleantype jcur;
  MUST(cs_problem_rhs(0.0, y, f, pb));
  MUST(cs_precond_setup(0.0, y, f, SUNFALSE, &jcur, 0.5, pb));
  MUST(cs_precond_solve(0.0, y, f, f, z, 0.5, 1e-3, 1, pb)); /* warm-up */
  enum { SOLVES = 4 };
  isends = 0;
  for (int it = 0; it < SOLVES; ++it) MUST(cs_precond_solve(0.0, y, f, f, z, 0.5, 1e-3, 1, pb));
  long per_solve = isends / SOLVES, most = 0;
  MPI_Allreduce(&per_solve, &most, 1, MPI_LONG, MPI_MAX, pb->comm);

  /* hypre 2.26 on two ranks: 45 messages per V-cycle and rank with the
   * 9 levels, 60 with the 14 PFMG builds by itself (the levels below 16
   * cells and the Jacobi sweeps at the bottom, one exchange each) */
  const int levels = cs_pfmg_levels(24.0 * 160.0);
  const long bound = 52;
  if (size > 1) {
    CHECK(most > 0, "two ranks exchange halos in the V-cycle (%ld messages)", most);
    CHECK(most <= bound, "messages per V-cycle on a rank: %ld, at most %ld for %d levels", most, bound, levels);
  }
  if (rank == 0) printf("%d rank(s): %ld messages per V-cycle (bound %ld, %d levels)\n", size, most, bound, levels);

  N_VDestroy(z);
  N_VDestroy(f);
  cs_pc_fixture_free(&fx);
  int failed = rank == 0 ? cs_test_report("test_pfmg_levels") : cs_test_failures != 0;
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return failed ? 1 : 0;
}
