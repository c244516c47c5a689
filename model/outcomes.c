#include "outcomes.h"

#include <math.h>

const cs_outcome_info cs_outcomes_info[CS_OUT_COUNT] = {
  [CS_OUT_THICK_PCT] = {"thickness_loss_pct", "%", "cartilage thickness lost at the horizon, percent of the initial"},
  [CS_OUT_THICK_MM] = {"thickness_loss_mm", "mm", "cartilage thickness lost at the horizon"},
  [CS_OUT_YEARS_C80] = {"years_to_c80", "year", "first time mean collagen falls below 0.8 (NaN: never in the run)"},
  [CS_OUT_SAUC] = {"synovitis_auc", "day", "area under the synovitis (pain proxy) curve"},
  [CS_OUT_RET30] = {"msc_retained_30d", "1", "fraction of injected MSCs in the joint 30 days after the first injection"},
  [CS_OUT_RET180] = {"msc_retained_180d", "1", "fraction of injected MSCs in the joint 180 days after the first injection"},
};

double cs_first_crossing_below(const double *t, const double *v, int n, double level)
{
  if (n <= 0) return NAN;
  if (v[0] < level) return t[0];
  for (int i = 1; i < n; ++i)
    if (v[i] < level) {
      double w = (v[i - 1] - level) / (v[i - 1] - v[i]);
      return t[i - 1] + w * (t[i] - t[i - 1]);
    }
  return NAN;
}
