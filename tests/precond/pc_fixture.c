#include "pc_fixture.h"

#include <mpi.h>
#include <stdio.h>

#include "../../solvers/nvector_fast.h"

static void must(int ok, const char *what)
{
  if (ok) return;
  fprintf(stderr, "pc_fixture: %s failed\n", what);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

void cs_pc_fixture_init(cs_pc_fixture *fx, const cs_grid *g, int kind)
{
  cs_opt_set_defaults(&cs_params_table, &fx->p);
  cs_opt_set_defaults(&cs_initial_table, &fx->ini);
  fx->g = *g;
  fx->dc = NULL;
  must(cs_decomp_create(MPI_COMM_WORLD, &fx->g, 2.0, &fx->dc) == 0, "cs_decomp_create");
  cs_problem_init(&fx->pb, &fx->p, fx->dc);
  must(cs_precond_create(&fx->pb, kind, &fx->pb.pc) == 0, "cs_precond_create");
  MPI_Comm comm = fx->pb.comm;
  fx->ctx = NULL;
  must(SUNContext_Create(&fx->pb.comm, &fx->ctx) == 0, "SUNContext_Create");
  long nglobal = 0, nlocal = fx->pb.nlocal;
  MPI_Allreduce(&nlocal, &nglobal, 1, MPI_LONG, MPI_SUM, comm);
  fx->y = N_VNew_Parallel(comm, nlocal, nglobal, fx->ctx);
  must(fx->y != NULL, "N_VNew_Parallel");
  cs_nvector_fast_ops(fx->y);

  const cs_patch *pt = fx->pb.pt;
  double *u = N_VGetArrayPointer_Parallel(fx->y);
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k) {
        double *c = &u[CS_IDX(0, cs_cell(pt, k, i, j))];
        cs_initial_cell(&fx->ini, &fx->p, &fx->g, pt->off[0] + k, pt->off[1] + i, pt->off[2] + j, c);
        c[CS_P] += 0.1 * (pt->off[0] + k);
        c[CS_E] += 1e-3;
      }
  if (fx->pb.rank == 0) cs_initial_synovial(&fx->ini, &u[CS_NS * fx->pb.ncell]);
  fx->pb.injury_on = 1;
}

void cs_pc_fixture_free(cs_pc_fixture *fx)
{
  N_VDestroy(fx->y);
  SUNContext_Free(&fx->ctx);
  cs_precond_destroy(&fx->pb.pc);
  cs_decomp_destroy(&fx->dc);
}
