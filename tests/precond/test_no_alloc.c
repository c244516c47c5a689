/* test_no_alloc.c - the right-hand side and the preconditioner solve
 * allocate nothing (issue #5: "no allocation in the RHS or preconditioner").
 *
 * Usage: mpirun -n R test_no_alloc {line|jacobi|pfmg} {1|2}   (last: grid dimension)
 *
 * This program defines malloc, calloc and realloc itself. The definitions of
 * the executable take precedence over glibc's for every shared library too,
 * so the count covers cartsim's code, SUNDIALS, hypre and MPI. After one
 * preconditioner setup (which may allocate: hypre rebuilds its hierarchy),
 * the count is armed and cs_problem_rhs / cs_precond_solve run several
 * times, as inside a CVODE step (after one unarmed round: libraries set
 * up lazily on first use). Each allocation is attributed by its caller's
 * address: one from cartsim's code (this executable) or SUNDIALS fails the
 * test; those inside MPI and hypre are reported, not failed: Open MPI's
 * linear reduce allocates its temporary on the root per call, and PFMG
 * allocates communication handles and buffers in every V-cycle (~50
 * blocks), which is their design, not ours to change.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <mpi.h>
#include <nvector/nvector_parallel.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_context.h>

#include "../../solvers/error.h"
#include "pc_fixture.h"

/* ---- counting allocator: glibc's own entry points underneath ---- */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static volatile int armed;
static volatile long counted, counted_libs;
enum { MAXR = 32 };
static uintptr_t ours_lo[MAXR], ours_hi[MAXR]; /* this executable (cartsim's code) and SUNDIALS */
static int nours;
static const void *first_caller; /* of the first counted allocation, for the report */

static void count(const void *caller)
{
  if (!armed) return;
  for (int r = 0; r < nours; ++r)
    if ((uintptr_t)caller >= ours_lo[r] && (uintptr_t)caller < ours_hi[r]) {
      if (counted++ == 0) first_caller = caller;
      return;
    }
  ++counted_libs;
}

void *malloc(size_t n)
{
  count(__builtin_return_address(0));
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t size)
{
  count(__builtin_return_address(0));
  return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n)
{
  count(__builtin_return_address(0));
  return __libc_realloc(p, n);
}

/* The executable (dlpi_name "") and the SUNDIALS libraries are "ours". */
static int find_ours(struct dl_phdr_info *info, size_t size, void *data)
{
  (void)size;
  (void)data;
  if (info->dlpi_name[0] && !strstr(info->dlpi_name, "sundials")) return 0;
  for (int i = 0; i < info->dlpi_phnum && nours < MAXR; ++i) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD) continue;
    ours_lo[nours] = info->dlpi_addr + ph->p_vaddr;
    ours_hi[nours] = ours_lo[nours] + ph->p_memsz;
    ++nours;
  }
  return 0;
}

#define MUST(call)                                                                              \
  do {                                                                                          \
    int rc_ = (call);                                                                           \
    if (rc_ != 0) {                                                                             \
      fprintf(stderr, "FAIL %s:%d: %s -> %d: %s\n", __FILE__, __LINE__, #call, rc_, cs_error_message()); \
      MPI_Abort(MPI_COMM_WORLD, 1);                                                             \
    }                                                                                           \
  } while (0)

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (argc != 3 || (strcmp(argv[1], "line") && strcmp(argv[1], "jacobi") && strcmp(argv[1], "pfmg"))) {
    if (rank == 0) fprintf(stderr, "usage: test_no_alloc {line|jacobi|pfmg} {1|2}\n");
    MPI_Finalize();
    return 2;
  }
  dl_iterate_phdr(find_ours, NULL);
  const int kind = !strcmp(argv[1], "pfmg") ? CS_PC_PFMG : !strcmp(argv[1], "jacobi") ? CS_PC_JACOBI : CS_PC_LINE;
  const int dim = atoi(argv[2]);

  const cs_grid g = {.dim = dim, .nz = 16, .nx = dim == 2 ? 12 : 1, .ny = 1, .Lx = 10, .Ly = 1, .periodic = 0};
  cs_pc_fixture fx;
  cs_pc_fixture_init(&fx, &g, kind);
  cs_problem *pb = &fx.pb;
  MPI_Comm comm = pb->comm;
  N_Vector y = fx.y, f = N_VClone(y), r = N_VClone(y), z = N_VClone(y);

  sunbooleantype jcur;
  MUST(cs_problem_rhs(0.0, y, f, pb));
  MUST(cs_precond_setup(0.0, y, f, SUNFALSE, &jcur, 0.5, pb));
  N_VScale(1.0, f, r);

  /* a setup reusing the Jacobian (jok) allocates nothing either, except
   * pfmg's, which rebuilds hypre's hierarchy: left out for pfmg */
  const int with_setup = kind != CS_PC_PFMG;
  for (int round = 0; round < 2; ++round) { /* round 0: warm-up */
    armed = round;
    for (int it = 0; it < 5; ++it) {
      MUST(cs_problem_rhs(0.0, y, f, pb));
      MUST(cs_precond_solve(0.0, y, f, r, z, 0.5, 1e-3, 1, pb));
      if (with_setup) MUST(cs_precond_setup(0.0, y, f, SUNTRUE, &jcur, 0.5, pb));
    }
  }
  armed = 0;
  long mine[2] = {counted, counted_libs}, total[2] = {0, 0};
  if (counted) {
    Dl_info where;
    if (dladdr(first_caller, &where) && where.dli_fname)
      fprintf(stderr, "rank %d: first allocation called from %s (%s)\n", rank, where.dli_sname ? where.dli_sname : "?",
              where.dli_fname);
  }
  MPI_Allreduce(mine, total, 2, MPI_LONG, MPI_SUM, comm);
  if (rank == 0)
    printf("%s: %ld allocation(s) in 5 x (RHS + preconditioner solve%s), %s, %d-D, %d rank(s); "
           "by MPI and hypre: %ld\n", total[0] ? "FAIL" : "ok", total[0],
           with_setup ? " + setup reusing the Jacobian" : "", argv[1], dim, cs_decomp_size(fx.dc), total[1]);

  N_VDestroy(z);
  N_VDestroy(r);
  N_VDestroy(f);
  cs_pc_fixture_free(&fx);
  MPI_Finalize();
  return total[0] ? 1 : 0;
}
