/* observables.h - the time-series outputs (model.md, "Outputs") computed
 * from the whole-grid integrals of the state and the synovial values.
 *
 * With V = H * A (A the patch area: Lx Ly, or 1 in 1-D) and sums over all
 * cells of the grid:
 *   mean_X     = sum X dV / V
 *   thickness  = sum c dV / A          (mm: patch average of the integral of c over depth)
 *   surface_c  = sum_surface c dA / A
 *   E_total    = (A_c / A) sum E dV    (cells in all the cartilage)
 *   synovitis  = S(P_s, R_s)           (0-1, the pain proxy)
 *   msc_in_joint = N + N_syn + E_total
 */
#ifndef CS_OBSERVABLES_H
#define CS_OBSERVABLES_H

#include "params.h"
#include "species.h"
#include "transport.h"

enum {
  CS_TS_TIME = 0, CS_TS_PS, CS_TS_RS, CS_TS_FS, CS_TS_N, CS_TS_NSYN, CS_TS_ETOTAL,
  CS_TS_MEAN0, /* CS_NS means follow, in species order */
  CS_TS_THICKNESS = CS_TS_MEAN0 + CS_NS, CS_TS_SURFACE_C, CS_TS_SYNOVITIS,
  CS_TS_INJECTED, CS_TS_DIED, CS_TS_DIFF, CS_TS_CLEARED, CS_TS_PROLIF, CS_TS_IN_JOINT, CS_TS_SAUC,
  CS_TS_MIN0, /* CS_NS minima follow */
  CS_TS_COUNT = CS_TS_MIN0 + CS_NS
};

typedef struct {
  char name[32];
  char units[24];
  char long_name[96];
} cs_ts_info;

/* Names, units and descriptions of the CS_TS_COUNT quantities. */
void cs_observables_info(cs_ts_info info[CS_TS_COUNT]);

/* glob: integrals summed over all patches (min_value: minimum over all). */
void cs_observables(const cs_params *p, double patch_area, const cs_patch_integrals *glob,
                    const double syn[CS_NSYNO], double injected, double t, double out[CS_TS_COUNT]);

/* Negative values beyond the tolerance: for each species whose minimum in
 * `v` is below -10 atol x its typical size and not yet in `noted`, append
 * "X = value at day t" to `buf` (separated by "; "), set noted[s], and
 * return how many species were added. */
int cs_negative_values(const double v[CS_TS_COUNT], double atol, int noted[CS_NS], char *buf, size_t n);

#endif
