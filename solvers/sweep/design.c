#include "design.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"

static int grid(const cs_sweep_spec *sp, cs_design *d)
{
  double total = 1;
  for (int f = 0; f < sp->nfactor; ++f) total *= sp->nvals[f];
  if (total > 1e7) CS_FAIL(CS_ERR_CONFIG, "%s: the grid has %.0f rows (at most 10 million)", sp->path, total);
  d->nrows = (int)total;
  d->value = calloc((size_t)(d->nrows > 0 ? d->nrows : 1) * (size_t)(d->nfactor > 0 ? d->nfactor : 1), sizeof *d->value);
  CS_CHECK_ALLOC(d->value);
  for (int r = 0; r < d->nrows; ++r) {
    int rest = r;
    for (int f = sp->nfactor - 1; f >= 0; --f) {
      memcpy(d->value[(size_t)r * d->nfactor + f], sp->vals[f][rest % sp->nvals[f]], CS_SWEEP_VALUE);
      rest /= sp->nvals[f];
    }
  }
  return CS_OK;
}

static int lhs(const cs_sweep_spec *sp, cs_design *d)
{
  d->nrows = sp->samples;
  d->value = calloc((size_t)d->nrows * (size_t)d->nfactor, sizeof *d->value);
  size_t *perm = malloc(sizeof *perm * (size_t)d->nrows);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!d->value || !perm || !rng) {
    free(perm);
    if (rng) gsl_rng_free(rng);
    CS_FAIL(CS_ERR_INTERNAL, "out of memory for %d samples", d->nrows);
  }
  gsl_rng_set(rng, sp->seed);
  for (int f = 0; f < sp->nfactor; ++f) {
    for (int i = 0; i < d->nrows; ++i) perm[i] = (size_t)i;
    gsl_ran_shuffle(rng, perm, (size_t)d->nrows, sizeof *perm);
    double lo = sp->logscale[f] ? log(sp->lo[f]) : sp->lo[f], hi = sp->logscale[f] ? log(sp->hi[f]) : sp->hi[f];
    for (int i = 0; i < d->nrows; ++i) {
      double x = lo + (hi - lo) * ((double)perm[i] + gsl_rng_uniform(rng)) / d->nrows;
      snprintf(d->value[(size_t)i * d->nfactor + f], CS_SWEEP_VALUE, "%.10g", sp->logscale[f] ? exp(x) : x);
    }
  }
  free(perm);
  gsl_rng_free(rng);
  return CS_OK;
}

int cs_design_make(const cs_sweep_spec *sp, cs_design *d)
{
  memset(d, 0, sizeof *d);
  d->nfactor = sp->nfactor;
  switch (sp->type) {
  case CS_DESIGN_GRID: return grid(sp, d);
  case CS_DESIGN_LHS: return lhs(sp, d);
  default:
    d->nrows = sp->nlist;
    d->value = calloc((size_t)(d->nrows ? d->nrows : 1) * (size_t)(d->nfactor ? d->nfactor : 1), sizeof *d->value);
    CS_CHECK_ALLOC(d->value);
    memcpy(d->value, sp->list, (size_t)d->nrows * (size_t)d->nfactor * sizeof *d->value);
    return CS_OK;
  }
}

void cs_design_free(cs_design *d)
{
  free(d->value);
  memset(d, 0, sizeof *d);
}
