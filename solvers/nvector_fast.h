/* nvector_fast.h - compiled-here kernels for the NVECTOR_PARALLEL operations
 * the integrators spend their time in.
 *
 * Why: Debian's SUNDIALS 6.4.1 packages are built without optimisation
 * (N_VDotProdLocal_Parallel keeps its loop counter on the stack: about 18
 * instructions per element). Callgrind on the 1-D reference (nz 192) put
 * half of the run in vector operations. SUNDIALS lets an application
 * replace a vector's operations (the ops table is copied to every clone),
 * so the hot ones are given here as plain loops built with the project's
 * flags, with the same semantics and the same MPI reductions as the
 * library's (sums over ranks with MPI_Allreduce on the vector's
 * communicator; weighted RMS norms divide by the global length):
 *
 *   linearsum z = a x + b y, const, prod, div, scale, abs, inv, addconst,
 *   dotprod, maxnorm, wrmsnorm, wrmsnormmask, min, wl2norm, l1norm,
 *   compare, invtest, their *local variants, and the fused
 *   linearcombination z = sum c_i X_i, scaleaddmulti Z_i = a_i x + Y_i,
 *   dotprodmulti d_i = x . Y_i (one reduction for all i); and, outside the
 *   ops table, the error weights cs_nvector_ewt.
 *
 * Element-wise results are the library's to the bit; the dot products and
 * weighted sums of squares add in 8 interleaved partial sums (vectorised:
 * 11 % off the 1-D nz 768 solve), so they differ from its serial sums by
 * rounding. The rest (constrmask, minquotient, vector arrays) stay SUNDIALS'.
 * Clones (every vector of the integrators and of GMRES) get their data on a
 * CS_NVECTOR_ALIGN-byte boundary (nvector_fast.c, clone_aligned).
 * tests/nvector/test_nvector_fast.c checks every replaced operation against
 * the library's on random vectors.
 */
#ifndef CS_NVECTOR_FAST_H
#define CS_NVECTOR_FAST_H

#include <sundials/sundials_nvector.h>

enum { CS_NVECTOR_ALIGN = 64 }; /* bytes: a cache line */

/* Replace the operations of NVECTOR_PARALLEL vector v (clone later). */
void cs_nvector_fast_ops(N_Vector v);

/* w = 1 / (rtol |y| + atol), element by element: the error weights CVODE
 * and ARKODE form for vector tolerances (cvEwtSetSV, arkEwtSetSV: N_VAbs,
 * N_VLinearSum, N_VInv, three passes over the state at every step) in one
 * pass, to the bit (the same three roundings in the same order). For the
 * integrators' user-supplied weight function (integrate.c). */
void cs_nvector_ewt(N_Vector y, double rtol, N_Vector atol, N_Vector w);

#endif
