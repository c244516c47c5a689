/* test_nvector_fast.c - every operation of solvers/nvector_fast.h against
 * SUNDIALS' own NVECTOR_PARALLEL on the same random data (1 and 2 ranks):
 * element-wise results bit for bit (the step sequence of the integrator is
 * sensitive to rounding: see linearsum in nvector_fast.c), reductions to
 * 1e-13 (the dot products and sums of squares add in 8 partial sums, the
 * library serially; MPI's order may differ too). Also the aliasing SUNDIALS uses: z = x or
 * z = y in linearsum and scale, X[0] = z in linearcombination. Clones of a
 * fast vector have their data on a CS_NVECTOR_ALIGN boundary, own it (a
 * clone destroyed and made again under valgrind / ASan shows no leak) and
 * keep the fast operations. cs_nvector_ewt against the libraries' error
 * weights for vector tolerances (abs, linear sum, inverse), bit for bit.
 * Usage: mpirun -n R test_nvector_fast
 */
#include <math.h>
#include <mpi.h>
#include <nvector/nvector_parallel.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../solvers/nvector_fast.h"

static int fails, rank;

static void expect_close(const char *what, double a, double b, double rtol)
{
  if (!(fabs(a - b) <= rtol * (fabs(a) + fabs(b)) + 1e-300)) {
    fprintf(stderr, "rank %d: FAIL %s: fast %.17g, library %.17g\n", rank, what, a, b);
    ++fails;
  }
}

static void expect_vec(const char *what, N_Vector a, N_Vector b)
{
  const double *x = NV_DATA_P(a), *y = NV_DATA_P(b);
  for (long i = 0; i < NV_LOCLENGTH_P(a); ++i) {
    if (x[i] != y[i]) {
      fprintf(stderr, "rank %d: FAIL %s[%ld]: fast %.17g, library %.17g\n", rank, what, i, x[i], y[i]);
      ++fails;
      return;
    }
  }
}

static void fill(N_Vector v, unsigned seed, int positive)
{
  srand(seed + 97u * (unsigned)rank);
  double *d = NV_DATA_P(v);
  for (long i = 0; i < NV_LOCLENGTH_P(v); ++i) {
    double r = (double)rand() / RAND_MAX;
    d[i] = positive ? 0.1 + r : 2 * r - 1;
  }
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  SUNContext ctx;
  MPI_Comm comm = MPI_COMM_WORLD;
  SUNContext_Create(&comm, &ctx);
  const long n = 1003 + rank; /* unequal local lengths */
  long ng = 0;
  MPI_Allreduce(&n, &ng, 1, MPI_LONG, MPI_SUM, comm);
  N_Vector lib = N_VNew_Parallel(comm, n, ng, ctx), fast = N_VClone(lib);
  cs_nvector_fast_ops(fast);
  /* lib-ops vectors L[i], fast-ops vectors F[i], same data */
  enum { NV = 6 };
  N_Vector L[NV], F[NV];
  for (int i = 0; i < NV; ++i) {
    L[i] = N_VClone(lib);
    F[i] = N_VClone(fast);
    fill(L[i], 10u + (unsigned)i, i == 2);
    N_VScale_Parallel(1.0, L[i], F[i]);
  }
  for (int i = 0; i < NV; ++i)
    if ((uintptr_t)NV_DATA_P(F[i]) % CS_NVECTOR_ALIGN != 0 || !NV_OWN_DATA_P(F[i]) ||
        F[i]->ops->nvlinearsum != fast->ops->nvlinearsum || NV_LOCLENGTH_P(F[i]) != n) {
      fprintf(stderr, "rank %d: FAIL clone %d: data %p (alignment %d wanted), owned %d, length %ld\n", rank, i,
              (void *)NV_DATA_P(F[i]), (int)CS_NVECTOR_ALIGN, (int)NV_OWN_DATA_P(F[i]), (long)NV_LOCLENGTH_P(F[i]));
      ++fails;
    }
  for (int k = 0; k < 3; ++k) { /* destroyed and made again: the data is freed with the vector */
    N_VDestroy(F[NV - 1]);
    F[NV - 1] = N_VClone(fast);
    fill(L[NV - 1], 10u + (unsigned)(NV - 1), 0);
    N_VScale_Parallel(1.0, L[NV - 1], F[NV - 1]);
  }
  N_Vector zl = N_VClone(lib), zf = N_VClone(fast), id = N_VClone(lib);
  fill(id, 99u, 0);

#define BOTH(stmt_l, stmt_f, what) do { stmt_l; stmt_f; expect_vec(what, zf, zl); } while (0)
  BOTH(N_VLinearSum(0.3, L[0], -1.7, L[1], zl), N_VLinearSum(0.3, F[0], -1.7, F[1], zf), "linearsum");
  BOTH((N_VScale(1.0, L[1], zl), N_VLinearSum(0.3, L[0], 1.0, zl, zl)),
       (N_VScale(1.0, F[1], zf), N_VLinearSum(0.3, F[0], 1.0, zf, zf)), "linearsum z=y");
  BOTH((N_VScale(1.0, L[0], zl), N_VLinearSum(1.0, zl, 2.5, L[1], zl)),
       (N_VScale(1.0, F[0], zf), N_VLinearSum(1.0, zf, 2.5, F[1], zf)), "linearsum z=x");
  /* every case of the library's linearsum: (a, b) = (1,1), (1,-1), (-1,1), (1,c), (c,1), (-1,c), (c,-1), (c,c), (c,-c) */
  const double ab[][2] = {{1, 1}, {1, -1}, {-1, 1}, {1, 0.3}, {0.3, 1}, {-1, 0.3}, {0.3, -1}, {0.7, 0.7}, {0.7, -0.7}};
  for (int k = 0; k < 9; ++k) {
    char what[64];
    snprintf(what, sizeof what, "linearsum a=%g b=%g", ab[k][0], ab[k][1]);
    BOTH(N_VLinearSum(ab[k][0], L[0], ab[k][1], L[1], zl), N_VLinearSum(ab[k][0], F[0], ab[k][1], F[1], zf), what);
    BOTH((N_VScale(1.0, L[1], zl), N_VLinearSum(ab[k][0], L[0], ab[k][1], zl, zl)),
         (N_VScale(1.0, F[1], zf), N_VLinearSum(ab[k][0], F[0], ab[k][1], zf, zf)), what);
  }
  BOTH(N_VConst(0.7, zl), N_VConst(0.7, zf), "const");
  BOTH(N_VProd(L[0], L[1], zl), N_VProd(F[0], F[1], zf), "prod");
  BOTH(N_VDiv(L[0], L[2], zl), N_VDiv(F[0], F[2], zf), "div");
  BOTH(N_VScale(-3.0, L[0], zl), N_VScale(-3.0, F[0], zf), "scale");
  BOTH((N_VScale(1.0, L[0], zl), N_VScale(0.5, zl, zl)), (N_VScale(1.0, F[0], zf), N_VScale(0.5, zf, zf)),
       "scale in place");
  BOTH(N_VAbs(L[0], zl), N_VAbs(F[0], zf), "abs");
  BOTH(N_VInv(L[2], zl), N_VInv(F[2], zf), "inv");
  BOTH(N_VAddConst(L[0], 4.0, zl), N_VAddConst(F[0], 4.0, zf), "addconst");
  /* the error weights in one pass against the libraries' three (cvEwtSetSV) */
  N_Vector atl = N_VClone(lib), atf = N_VClone(fast);
  N_VScale(1e-9, L[2], atl);
  N_VScale(1.0, atl, atf);
  BOTH((N_VAbs(L[0], zl), N_VLinearSum(1e-6, zl, 1.0, atl, zl), N_VInv(zl, zl)), cs_nvector_ewt(F[0], 1e-6, atf, zf),
       "ewt");
  BOTH(N_VCompare(0.5, L[0], zl), N_VCompare(0.5, F[0], zf), "compare");
  int okl = N_VInvTest(L[2], zl), okf = N_VInvTest(F[2], zf);
  expect_vec("invtest", zf, zl);
  expect_close("invtest result", okf, okl, 0);
  okl = N_VInvTest(L[0], zl), okf = N_VInvTest(F[0], zf); /* may hold zeros: none here, still compare */
  expect_close("invtest result 2", okf, okl, 0);

  expect_close("dotprod", N_VDotProd(F[0], F[1]), N_VDotProd(L[0], L[1]), 1e-13);
  expect_close("maxnorm", N_VMaxNorm(F[0]), N_VMaxNorm(L[0]), 0);
  expect_close("wrmsnorm", N_VWrmsNorm(F[0], F[2]), N_VWrmsNorm(L[0], L[2]), 1e-13);
  N_Vector idf = N_VClone(fast);
  N_VScale(1.0, id, idf);
  expect_close("wrmsnormmask", N_VWrmsNormMask(F[0], F[2], idf), N_VWrmsNormMask(L[0], L[2], id), 1e-13);
  expect_close("min", N_VMin(F[0]), N_VMin(L[0]), 0);
  expect_close("wl2norm", N_VWL2Norm(F[0], F[2]), N_VWL2Norm(L[0], L[2]), 1e-13);
  expect_close("l1norm", N_VL1Norm(F[0]), N_VL1Norm(L[0]), 1e-13);
  expect_close("dotprodlocal", N_VDotProdLocal(F[0], F[1]), N_VDotProdLocal(L[0], L[1]), 1e-13);
  expect_close("wsqrsumlocal", N_VWSqrSumLocal(F[0], F[2]), N_VWSqrSumLocal(L[0], L[2]), 1e-13);
  expect_close("maxnormlocal", N_VMaxNormLocal(F[0]), N_VMaxNormLocal(L[0]), 0);
  expect_close("minlocal", N_VMinLocal(F[0]), N_VMinLocal(L[0]), 0);
  expect_close("l1normlocal", N_VL1NormLocal(F[0]), N_VL1NormLocal(L[0]), 1e-13);

  double c[NV] = {0.5, -1.25, 2.0, 0.125, 3.0, -0.75};
  BOTH(N_VLinearCombination(NV, c, L, zl), N_VLinearCombination(NV, c, F, zf), "linearcombination");
  BOTH((N_VScale(1.0, L[3], zl), L[0] = zl, N_VLinearCombination(3, c, L, zl)),
       (N_VScale(1.0, F[3], zf), F[0] = zf, N_VLinearCombination(3, c, F, zf)), "linearcombination X0=z");
  double d_l[NV], d_f[NV];
  N_VDotProdMulti(NV - 1, L[1], L + 1, d_l);
  N_VDotProdMulti(NV - 1, F[1], F + 1, d_f);
  for (int i = 0; i < NV - 1; ++i) expect_close("dotprodmulti", d_f[i], d_l[i], 1e-13);
  N_Vector Zl[3] = {N_VClone(lib), N_VClone(lib), N_VClone(lib)}, Zf[3] = {N_VClone(fast), N_VClone(fast), N_VClone(fast)};
  N_VScaleAddMulti(3, c, L[1], L + 2, Zl);
  N_VScaleAddMulti(3, c, F[1], F + 2, Zf);
  for (int i = 0; i < 3; ++i) expect_vec("scaleaddmulti", Zf[i], Zl[i]);

  MPI_Allreduce(MPI_IN_PLACE, &fails, 1, MPI_INT, MPI_SUM, comm);
  if (rank == 0) printf("%s: %d failure(s) on %d rank(s)\n", fails ? "FAIL" : "ok", fails, size);
  MPI_Finalize(); /* vectors are left to process exit */
  return fails ? 1 : 0;
}
