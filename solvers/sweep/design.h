/* design.h - the rows of a sweep from its spec.
 *
 *   grid: the cartesian product of the value lists, the last factor fastest;
 *   list: the rows as written;
 *   lhs:  Latin hypercube of `samples` rows: for every factor the range is cut
 *         into `samples` equal strata (in log space for scale: log), each
 *         stratum used exactly once, in an order shuffled by GSL's mt19937
 *         (seeded with the spec's seed), a uniform point inside each stratum.
 * Values are strings, exactly as they are handed to the config reader.
 */
#ifndef CS_DESIGN_H
#define CS_DESIGN_H

#include "sweep_spec.h"

typedef struct {
  int nrows, nfactor;
  char (*value)[CS_SWEEP_VALUE]; /* nrows x nfactor; "" where a list row leaves a factor out */
} cs_design;

int cs_design_make(const cs_sweep_spec *spec, cs_design *d);
void cs_design_free(cs_design *d);
static inline const char *cs_design_value(const cs_design *d, int row, int f)
{
  return d->value[(size_t)row * (size_t)d->nfactor + (size_t)f];
}

#endif
