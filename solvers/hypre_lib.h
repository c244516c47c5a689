/* hypre_lib.h - hypre, loaded when a run first needs it (pfmg).
 *
 * cartsim does not link hypre: Debian's libHYPRE pulls in SuperLU_DIST,
 * PT-Scotch, METIS, CombBLAS, BLAS/LAPACK and the C++ and Fortran run-times
 * (16 libraries), whose loading took ~10 ms of every start, also of the
 * runs that never use PFMG (line and jacobi: every 1-D run). The first
 * cs_hypre_load() dlopen()s the library CMake found (CS_HYPRE_LIBRARY) and
 * fills cs_hy with the functions pfmg.c calls, typed by hypre's own
 * headers: cs_hy.StructPFMGSolve(...) is HYPRE_StructPFMGSolve(...).
 */
#ifndef CS_HYPRE_LIB_H
#define CS_HYPRE_LIB_H

#include <HYPRE_struct_ls.h>
#include <HYPRE_utilities.h>

/* The hypre functions cartsim calls, without their HYPRE_ prefix. */
#define CS_HYPRE_FUNCTIONS(X)                                                                                      \
  X(Init) X(ClearAllErrors) X(StructGridCreate) X(StructGridSetExtents) X(StructGridAssemble)                     \
  X(StructGridDestroy) X(StructStencilCreate) X(StructStencilSetElement) X(StructStencilDestroy)                   \
  X(StructMatrixCreate) X(StructMatrixSetSymmetric) X(StructMatrixInitialize) X(StructMatrixSetBoxValues)         \
  X(StructMatrixAssemble) X(StructMatrixDestroy) X(StructVectorCreate) X(StructVectorInitialize)                  \
  X(StructVectorSetBoxValues) X(StructVectorGetBoxValues) X(StructVectorAssemble) X(StructVectorDestroy)          \
  X(StructPFMGCreate) X(StructPFMGSetMaxIter) X(StructPFMGSetTol) X(StructPFMGSetZeroGuess)                       \
  X(StructPFMGSetRelaxType) X(StructPFMGSetSkipRelax) X(StructPFMGSetRAPType) X(StructPFMGSetNumPreRelax)         \
  X(StructPFMGSetNumPostRelax) X(StructPFMGSetMaxLevels) X(StructPFMGSetDxyz) X(StructPFMGSetup) X(StructPFMGSolve) X(StructPFMGDestroy) \
  X(StructGridSetPeriodic)

typedef struct {
#define CS_HYPRE_MEMBER(name) __typeof__(HYPRE_##name) *name;
  CS_HYPRE_FUNCTIONS(CS_HYPRE_MEMBER)
#undef CS_HYPRE_MEMBER
} cs_hypre_api;

extern cs_hypre_api cs_hy;

/* Load hypre once (later calls return at once). CS_OK, or CS_ERR_IO with a
 * one-line message when the library or one of its functions is missing. */
int cs_hypre_load(void);

#endif
