/* outcomes.h - per-run outcome metrics (model.md, "Outputs ... Per run").
 *
 *   thickness_loss_pct = 100 (th(0) - th(T)) / th(0), thickness_loss_mm = th(0) - th(T)
 *   years_to_c80       = first time mean c < 0.8, linearly interpolated between
 *                        output steps, in years of 365 days (NaN: not within the run)
 *   synovitis_auc      = integral of S_s dt over the run (day; exact, integrated
 *                        with the state)
 *   msc_retained_30d   = (N + N_syn + E_total) / injected, 30 days after the first
 *                        MSC injection (NaN: no injection, or the run ended before)
 *   msc_retained_180d  = the same at 180 days
 */
#ifndef CS_OUTCOMES_H
#define CS_OUTCOMES_H

enum {
  CS_OUT_THICK_PCT = 0, CS_OUT_THICK_MM, CS_OUT_YEARS_C80, CS_OUT_SAUC, CS_OUT_RET30, CS_OUT_RET180,
  CS_OUT_COUNT
};

typedef struct {
  const char *name, *units, *long_name;
} cs_outcome_info;

extern const cs_outcome_info cs_outcomes_info[CS_OUT_COUNT];

#define CS_DAYS_PER_YEAR 365.0

/* First time v(t) drops below `level` (linear interpolation), or NaN. */
double cs_first_crossing_below(const double *t, const double *v, int n, double level);

#endif
