/* treatment.h - treatment events (model.md, "Treatments").
 *
 * An event at time `day` changes the synovial state at once:
 *   msc:   N   += dose * viability * v_source  (dose in cells)
 *   il1ra: R_s += dose * 1e6 / V_s[mL]      (dose in mg, R_s in ng/mL)
 * The integrator stops exactly at `day`, applies the event and restarts.
 *
 * Cell sources (presets, illustrative, not calibrated: docs/model.md):
 *   reference    v 1.00, q_RE x 1.0, K_MSC x 1.0  (the cells model.md was calibrated with)
 *   adipose      v 0.85, q_RE x 1.0, K_MSC x 1.0
 *   bone_marrow  v 0.90, q_RE x 0.7, K_MSC x 1.4  (weaker immunomodulation, Melief 2013)
 * From an msc event on, the run uses q_RE and K_MSC of that event's source
 * times the model's values (exact for one source: before the first
 * injection there are no MSCs, so the two parameters have no effect).
 */
#ifndef CS_TREATMENT_H
#define CS_TREATMENT_H

#include "options.h"
#include "params.h"
#include "species.h"

typedef enum { CS_TREAT_MSC = 0, CS_TREAT_IL1RA } cs_treat_type;
typedef enum { CS_SOURCE_REFERENCE = 0, CS_SOURCE_ADIPOSE, CS_SOURCE_BONE_MARROW, CS_NSOURCES } cs_cell_source;

typedef struct {
  const char *name;
  double viability;   /* fraction of injected cells alive */
  double q_RE_factor; /* multiplies model.q_RE */
  double K_MSC_factor;/* multiplies model.K_MSC */
  const char *note;
} cs_source_preset;

extern const cs_source_preset cs_source_presets[CS_NSOURCES];

typedef struct {
  int type;          /* cs_treat_type */
  double day;        /* time of the injection, day */
  double dose;       /* cells (msc) or mg (il1ra) */
  double viability;  /* user factor on the source's viability (1: the preset's) */
  int source;        /* cs_cell_source */
} cs_treatment;

extern const cs_opt_table cs_treatment_table;

/* Viable cells the event adds to N: dose * viability * v_source (msc), 0
 * (il1ra). */
double cs_treatment_cells(const cs_treatment *t);

/* Apply the event to the synovial values; returns the number of cells
 * added (0 for il1ra), which the caller counts as injected. For msc events
 * `run` (the parameters in use) gets the source's q_RE and K_MSC, scaled
 * from `base` (the config's). */
double cs_treatment_apply(const cs_treatment *t, const cs_params *base, cs_params *run, double syn[CS_NSYNO]);

#endif
