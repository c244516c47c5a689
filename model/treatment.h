/* treatment.h - treatment events (model.md, "Treatments").
 *
 * An event at time `day` changes the synovial state at once:
 *   msc:   N   += dose * viability          (dose in cells)
 *   il1ra: R_s += dose * 1e6 / V_s[mL]      (dose in mg, R_s in ng/mL)
 * The integrator stops exactly at `day`, applies the event and restarts.
 */
#ifndef CS_TREATMENT_H
#define CS_TREATMENT_H

#include "options.h"
#include "params.h"
#include "species.h"

typedef enum { CS_TREAT_MSC = 0, CS_TREAT_IL1RA } cs_treat_type;

typedef struct {
  int type;          /* cs_treat_type */
  double day;        /* time of the injection, day */
  double dose;       /* cells (msc) or mg (il1ra) */
  double viability;  /* fraction of injected MSCs alive at injection */
} cs_treatment;

extern const cs_opt_table cs_treatment_table;

/* Apply the event to the synovial values; returns the number of cells
 * added (0 for il1ra), which the caller counts as injected. */
double cs_treatment_apply(const cs_treatment *t, const cs_params *p, double syn[CS_NSYNO]);

#endif
