/* The synovial Jacobian used by the preconditioner (cs_synovial_jac),
 * including the dependence of the surface fluxes on the fluid values,
 * against finite differences of the full path: fluid values -> kernel
 * surface sums -> exchange -> synovial right-hand side. Also the MSC
 * bookkeeping: the fate rates add up to the change of the MSC total. */
#include <stdlib.h>

#include "../../model/synovial.h"
#include "check.h"

static cs_params p;
static cs_patch pt;
static double *state, *du;

static void full_rhs(const double syn[CS_NSYNO], double dsyn[CS_NSYNO], cs_exchange *x)
{
  cs_patch_sums sums;
  cs_transport_rhs(&p, &pt, state, NULL, syn, du, &sums);
  cs_exchange_from_sums(&p, pt.patch_area, &sums, x);
  cs_synovial_rhs(&p, 1, syn, x, dsyn);
}

int main(void)
{
  cs_opt_set_defaults(&cs_params_table, &p);
  p.r_E = 0.1;
  cs_grid g = {1, 16, 1, 1, 1, 1, 0};
  cs_patch_whole(&g, p.H, &pt);
  unsigned long st = 7;
  state = calloc((size_t)CS_NS * cs_patch_cells(&pt), sizeof(double));
  du = calloc((size_t)CS_NS * cs_patch_cells(&pt), sizeof(double));
  for (int k = 0; k < pt.n[0]; ++k) {
    double *u = &state[CS_IDX(0, cs_cell(&pt, k, 0, 0))];
    u[CS_P] = cs_test_uniform(&st, 0.0, 0.1);
    u[CS_R] = cs_test_uniform(&st, 0.0, 5.0);
    u[CS_Z] = cs_test_uniform(&st, 0.0, 0.1);
    u[CS_M] = cs_test_uniform(&st, 0.0, 0.1);
    u[CS_F] = cs_test_uniform(&st, 0.0, 0.01);
    u[CS_A] = cs_test_uniform(&st, 0.5, 1.0);
    u[CS_C] = cs_test_uniform(&st, 0.5, 1.0);
    u[CS_CH] = cs_test_uniform(&st, 0.5, 1.0);
    u[CS_E] = cs_test_uniform(&st, 0.0, 100.0);
  }
  double syn[CS_NSYNO] = {0.05, 8.0, 2e-4, 3e7, 1e6, 0, 0, 0, 0, 0};
  double f0[CS_NSYNO], J[CS_NSYNO * CS_NSYNO];
  cs_exchange x;
  full_rhs(syn, f0, &x);
  cs_synovial_jac(&p, 1, pt.h[0], syn, &x, J);
  for (int j = 0; j < CS_NSYNO; ++j) {
    double sp[CS_NSYNO], sm[CS_NSYNO], fp[CS_NSYNO], fm[CS_NSYNO];
    double h = 1e-6 * (fabs(syn[j]) + cs_synovial_info[j].atol_scale);
    for (int q = 0; q < CS_NSYNO; ++q) sp[q] = sm[q] = syn[q];
    sp[j] += h;
    sm[j] -= h;
    full_rhs(sp, fp, &x);
    full_rhs(sm, fm, &x);
    for (int i = 0; i < CS_NSYNO; ++i) {
      double fd = (fp[i] - fm[i]) / (2 * h);
      /* rows of the tissue-driven integrals depend on the cartilage, which the
       * synovial block leaves to the Krylov iteration */
      if (i == CS_DIED || i == CS_DIFF || i == CS_PROLIF) continue;
      CHECK_CLOSE(J[i + CS_NSYNO * j], fd, 1e-5, 1e-9 * (fabs(fd) + 1), "d %s / d %s", cs_synovial_info[i].name,
                  cs_synovial_info[j].name);
    }
  }

  /* MSC bookkeeping: d/dt (N + N_syn + E_total + died + diff + cleared - prolif) = 0 */
  full_rhs(syn, f0, &x);
  double dE = 0;
  for (int k = 0; k < pt.n[0]; ++k) dE += du[CS_IDX(CS_E, k)] * pt.h[0] * pt.dA;
  dE *= p.A_c / pt.patch_area;
  double total = f0[CS_N] + f0[CS_NSYN] + dE + f0[CS_DIED] + f0[CS_DIFF] + f0[CS_CLEARED] - f0[CS_PROLIF];
  CHECK_CLOSE(total, 0.0, 0, 1e-9 * fabs(f0[CS_N]), "MSC rates balance (dN/dt = %g)", f0[CS_N]);
  free(state);
  free(du);
  return cs_test_report("test_synovial");
}
