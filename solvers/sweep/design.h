/* design.h - the rows of a sweep from its spec.
 *
 *   grid: the cartesian product of the value lists, the last factor fastest;
 *   list: the rows as written;
 *   lhs:  Latin hypercube of `samples` rows: for every factor the range is cut
 *         into `samples` equal strata (in log space for scale: log), each
 *         stratum used exactly once, in an order shuffled by GSL's mt19937
 *         (seeded with the spec's seed), a uniform point inside each stratum;
 *   sobol: Saltelli's design from GSL's Sobol sequence in 2k dimensions (the
 *         first 8 points skipped): for
 *         each of N base samples j the rows A_j, B_j and AB_j^(i) (A_j with
 *         factor i taken from B_j); columns sample = j, block = A, B or the key;
 *   morris: r one-at-a-time trajectories on a grid of p levels with step
 *         p/(2(p-1)) (in unit coordinates): k+1 rows each, factor order
 *         shuffled; columns trajectory, step, block = the factor changed.
 * Values are strings, exactly as they are handed to the config reader.
 */
#ifndef CS_DESIGN_H
#define CS_DESIGN_H

#include "sweep_spec.h"

#define CS_DESIGN_MAX_META 3

typedef struct {
  int nrows, nfactor;
  char (*value)[CS_SWEEP_VALUE]; /* nrows x nfactor; "" where a list row leaves a factor out */
  int nmeta;                     /* design columns: sobol sample/block, morris trajectory/step/block */
  char meta_name[CS_DESIGN_MAX_META][16];
  char (*meta)[CS_SWEEP_VALUE];  /* nrows x nmeta */
} cs_design;

/* The rows cs_design_make gives spec, without building them (a double: a
 * grid's product can pass int's range before its 10-million cap). */
double cs_design_rows(const cs_sweep_spec *spec);
/* The rows of spec in d; on error d holds nothing (cs_design_free is still safe). */
int cs_design_make(const cs_sweep_spec *spec, cs_design *d);
void cs_design_free(cs_design *d);
static inline const char *cs_design_meta(const cs_design *d, int row, int m)
{
  return d->meta[(size_t)row * (size_t)d->nmeta + (size_t)m];
}
static inline const char *cs_design_value(const cs_design *d, int row, int f)
{
  return d->value[(size_t)row * (size_t)d->nfactor + (size_t)f];
}

#endif
