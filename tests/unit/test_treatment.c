/* Treatment events: MSC doses scaled by viability and the source preset,
 * the source's potency applied to q_RE and K_MSC, IL-1Ra mg -> ng/mL. */
#include "../../model/treatment.h"
#include "check.h"

int main(void)
{
  cs_params base, run;
  cs_opt_set_defaults(&cs_params_table, &base);
  run = base;
  double syn[CS_NSYNO] = {0};
  cs_treatment t = {CS_TREAT_MSC, 180, 5e7, 0.8, CS_SOURCE_BONE_MARROW};
  double cells = cs_treatment_apply(&t, &base, &run, syn);
  CHECK_CLOSE(cells, 5e7 * 0.8 * 0.9, 1e-15, 0, "viable cells = dose x viability x source viability");
  CHECK_CLOSE(syn[CS_N], cells, 1e-15, 0, "added to the free MSCs");
  CHECK_CLOSE(run.q_RE, 0.7 * base.q_RE, 1e-15, 0, "bone-marrow potency");
  CHECK_CLOSE(run.K_MSC, 1.4 * base.K_MSC, 1e-15, 0, "bone-marrow immunomodulation");
  t.source = CS_SOURCE_REFERENCE;
  t.viability = 1;
  cs_treatment_apply(&t, &base, &run, syn);
  CHECK_CLOSE(run.q_RE, base.q_RE, 0, 0, "a reference injection restores the calibrated potency");
  CHECK_CLOSE(syn[CS_N], cells + 5e7, 1e-15, 0, "repeated injections add up");
  cs_treatment b = {CS_TREAT_IL1RA, 180, 150, 1, CS_SOURCE_REFERENCE};
  double added = cs_treatment_apply(&b, &base, &run, syn);
  CHECK_CLOSE(added, 0, 0, 0, "a drug bolus adds no cells");
  CHECK_CLOSE(syn[CS_RS], 150e6 / 10.0, 1e-15, 0, "150 mg in 10 mL = 1.5e7 ng/mL");
  return cs_test_report("test_treatment");
}
