/* The analytic reaction Jacobian (cs_react_jac) against central finite
 * differences of cs_react, at random states covering the physical range,
 * with every optional term (sig_R0, sig_aE, sig_cE, r_E) switched on. */
#include "../../model/kinetics.h"
#include "check.h"

static void random_state(unsigned long *st, double u[CS_NS])
{
  u[CS_P] = cs_test_uniform(st, 0.001, 0.2);
  u[CS_R] = cs_test_uniform(st, 0.0, 20.0);
  u[CS_Z] = cs_test_uniform(st, 0.0, 0.5);
  u[CS_M] = cs_test_uniform(st, 0.0, 0.5);
  u[CS_F] = cs_test_uniform(st, 1e-4, 0.02);
  u[CS_A] = cs_test_uniform(st, 0.05, 0.95);
  u[CS_C] = cs_test_uniform(st, 0.05, 0.95);
  u[CS_CH] = cs_test_uniform(st, 0.05, 0.95);
  u[CS_E] = cs_test_uniform(st, 0.0, 800.0);
}

int main(void)
{
  cs_params p;
  cs_opt_set_defaults(&cs_params_table, &p);
  p.sig_R0 = 0.01;
  p.sig_aE = 1e-4;
  p.sig_cE = 2e-5;
  p.r_E = 0.05;
  p.m_shield = 2.5;
  unsigned long st = 12345;
  for (int trial = 0; trial < 200; ++trial) {
    double u[CS_NS], J[CS_NS * CS_NS];
    random_state(&st, u);
    cs_react_jac(&p, u, J);
    for (int j = 0; j < CS_NS; ++j) {
      double up[CS_NS], um[CS_NS], fp[CS_NS], fm[CS_NS];
      double h = 1e-4 * (fabs(u[j]) + cs_species_info[j].atol_scale);
      for (int s = 0; s < CS_NS; ++s) up[s] = um[s] = u[s];
      up[j] += h;
      um[j] -= h;
      cs_react(&p, up, fp, NULL);
      cs_react(&p, um, fm, NULL);
      double colmax = 0;
      for (int i = 0; i < CS_NS; ++i) colmax = fmax(colmax, fabs((fp[i] - fm[i]) / (2 * h)));
      for (int i = 0; i < CS_NS; ++i)
        CHECK_CLOSE(J[i + CS_NS * j], (fp[i] - fm[i]) / (2 * h), 1e-5, 1e-7 * colmax + 1e-12,
                    "trial %d, d f_%s / d %s", trial, cs_species_info[i].name, cs_species_info[j].name);
    }
  }
  /* the healthy state is a near-steady state of the kinetics without injury */
  double u0[CS_NS] = {0}, f0[CS_NS];
  u0[CS_A] = u0[CS_C] = u0[CS_CH] = 1.0;
  cs_react(&p, u0, f0, NULL);
  CHECK(f0[CS_C] <= 0 && f0[CS_CH] == 0, "healthy tissue is not damaged by basal rates at t = 0");
  return cs_test_report("test_kinetics");
}
