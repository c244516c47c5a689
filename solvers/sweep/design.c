#include "design.h"

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"

double cs_design_rows(const cs_sweep_spec *sp)
{
  switch (sp->type) {
  case CS_DESIGN_GRID: {
    double total = 1;
    for (int f = 0; f < sp->nfactor; ++f) total *= sp->nvals[f];
    return total;
  }
  case CS_DESIGN_LHS: return sp->samples;
  case CS_DESIGN_SOBOL: return (double)sp->samples * (sp->nfactor + 2);
  case CS_DESIGN_MORRIS: return (double)sp->samples * (sp->nfactor + 1);
  case CS_DESIGN_COHORT: return (double)sp->samples * sp->narms;
  default: return sp->nlist;
  }
}

static int grid(const cs_sweep_spec *sp, cs_design *d)
{
  const double total = cs_design_rows(sp);
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

/* A unit coordinate u in [0, 1] mapped to factor f's range (log or linear). */
static void put(const cs_sweep_spec *sp, cs_design *d, int row, int f, double u)
{
  double lo = sp->logscale[f] ? log(sp->lo[f]) : sp->lo[f], hi = sp->logscale[f] ? log(sp->hi[f]) : sp->hi[f];
  double x = lo + (hi - lo) * u;
  snprintf(d->value[(size_t)row * d->nfactor + f], CS_SWEEP_VALUE, "%.10g", sp->logscale[f] ? exp(x) : x);
}

static int alloc_rows(cs_design *d, int nrows, int nmeta, const char *const *names)
{
  d->nrows = nrows;
  d->nmeta = nmeta;
  for (int m = 0; m < nmeta; ++m) snprintf(d->meta_name[m], sizeof d->meta_name[m], "%s", names[m]);
  d->value = calloc((size_t)(nrows ? nrows : 1) * (size_t)(d->nfactor ? d->nfactor : 1), sizeof *d->value);
  d->meta = calloc((size_t)(nrows ? nrows : 1) * (size_t)(nmeta ? nmeta : 1), sizeof *d->meta);
  if (!d->value || !d->meta) CS_FAIL(CS_ERR_INTERNAL, "out of memory for %d design rows", nrows);
  return CS_OK;
}

static void set_meta(cs_design *d, int row, int m, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void set_meta(cs_design *d, int row, int m, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->meta[(size_t)row * d->nmeta + m], CS_SWEEP_VALUE, fmt, ap);
  va_end(ap);
}

static int sobol(const cs_sweep_spec *sp, cs_design *d)
{
  const int k = sp->nfactor, N = sp->samples;
  if (2 * k > 40) CS_FAIL(CS_ERR_CONFIG, "%s: a Sobol design takes at most 20 factors", sp->path);
  static const char *const names[] = {"sample", "block"};
  CS_CHECK(alloc_rows(d, N * (k + 2), 2, names));
  gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
  CS_CHECK_ALLOC(q);
  double x[40];
  for (int skip = 0; skip < 8; ++skip) gsl_qrng_get(q, x); /* the origin and the first points repeat across dims */
  int row = 0;
  for (int j = 0; j < N; ++j) {
    gsl_qrng_get(q, x);
    for (int b = 0; b < k + 2; ++b, ++row) {
      for (int f = 0; f < k; ++f) {
        double u = b == 1 ? x[k + f] : (b >= 2 && b - 2 == f) ? x[k + f] : x[f]; /* A, B, AB_i */
        put(sp, d, row, f, u);
      }
      set_meta(d, row, 0, "%d", j);
      set_meta(d, row, 1, "%s", b == 0 ? "A" : b == 1 ? "B" : sp->factor[b - 2]);
    }
  }
  gsl_qrng_free(q);
  return CS_OK;
}

static int morris(const cs_sweep_spec *sp, cs_design *d)
{
  const int k = sp->nfactor, r = sp->samples, p = sp->levels;
  const double delta = p / (2.0 * (p - 1));
  static const char *const names[] = {"trajectory", "step", "block"};
  CS_CHECK(alloc_rows(d, r * (k + 1), 3, names));
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  CS_CHECK_ALLOC(rng);
  gsl_rng_set(rng, sp->seed);
  int row = 0, order[CS_SWEEP_MAX_FACTORS];
  double x[CS_SWEEP_MAX_FACTORS];
  for (int t = 0; t < r; ++t) {
    /* base point on the levels that leave room for +delta */
    for (int f = 0; f < k; ++f) x[f] = (double)gsl_rng_uniform_int(rng, (unsigned long)(p / 2)) / (p - 1);
    for (int f = 0; f < k; ++f) order[f] = f;
    gsl_ran_shuffle(rng, order, (size_t)k, sizeof *order);
    for (int s = 0; s <= k; ++s, ++row) {
      if (s > 0) x[order[s - 1]] += delta;
      for (int f = 0; f < k; ++f) put(sp, d, row, f, x[f]);
      set_meta(d, row, 0, "%d", t);
      set_meta(d, row, 1, "%d", s);
      set_meta(d, row, 2, "%s", s > 0 ? sp->factor[order[s - 1]] : "");
    }
  }
  gsl_rng_free(rng);
  return CS_OK;
}

/* One draw from factor f's distribution, truncated by rejection. */
static double draw(const cs_sweep_spec *sp, int f, gsl_rng *rng, int *ok)
{
  for (int tries = 0; tries < 10000; ++tries) {
    double x;
    switch (sp->dist[f]) {
    case CS_DIST_NORMAL: x = sp->p1[f] + gsl_ran_gaussian(rng, sp->p2[f]); break;
    case CS_DIST_LOGNORMAL: x = gsl_ran_lognormal(rng, log(sp->p1[f]), sp->p2[f]); break;
    case CS_DIST_UNIFORM: x = gsl_ran_flat(rng, sp->p1[f], sp->p2[f]); break;
    default: x = exp(gsl_ran_flat(rng, log(sp->p1[f]), log(sp->p2[f]))); break;
    }
    if (x >= sp->tlo[f] && x <= sp->thi[f]) return x;
  }
  *ok = 0;
  return NAN;
}

/* Patients x arms: every arm of a patient has the patient's values. */
static int cohort(const cs_sweep_spec *sp, cs_design *d)
{
  static const char *const names[] = {"patient", "arm"};
  CS_CHECK(alloc_rows(d, sp->samples * sp->narms, 2, names));
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  CS_CHECK_ALLOC(rng);
  gsl_rng_set(rng, sp->seed);
  int ok = 1, bad = -1, bad_patient = -1; /* the first factor whose truncation rejected every draw, and where */
  for (int p = 0; p < sp->samples && ok; ++p) {
    double x[CS_SWEEP_MAX_FACTORS] = {0};
    for (int f = 0; f < sp->nfactor && ok; ++f) {
      x[f] = draw(sp, f, rng, &ok);
      if (!ok) bad = f, bad_patient = p;
    }
    for (int a = 0; a < sp->narms; ++a) {
      int row = p * sp->narms + a;
      for (int f = 0; f < sp->nfactor; ++f)
        snprintf(d->value[(size_t)row * d->nfactor + f], CS_SWEEP_VALUE, "%.10g", x[f]);
      set_meta(d, row, 0, "%d", p);
      set_meta(d, row, 1, "%s", sp->arm[a]);
    }
  }
  gsl_rng_free(rng);
  if (!ok) {
    /* an error of the sweep file, at the distribution, as the spec reader's: FILE:LINE:COL: key: message */
    const int k = sp->dist[bad];
    char bounds[96] = "";
    if (isfinite(sp->tlo[bad])) snprintf(bounds, sizeof bounds, "min = %g", sp->tlo[bad]);
    if (isfinite(sp->thi[bad]))
      snprintf(bounds + strlen(bounds), sizeof bounds - strlen(bounds), "%smax = %g", bounds[0] ? ", " : "", sp->thi[bad]);
    CS_FAIL(CS_ERR_CONFIG, "%s:%d:%d: %s: the truncation %s of the %s distribution (%s = %g, %s = %g) rejected 10000 "
            "draws in a row (patient %d): check min/max", sp->path, sp->dist_at[bad][0], sp->dist_at[bad][1],
            sp->factor[bad], bounds, cs_dist_name(k), cs_dist_param(k, 0), sp->p1[bad], cs_dist_param(k, 1), sp->p2[bad],
            bad_patient);
  }
  return CS_OK;
}

static int list(const cs_sweep_spec *sp, cs_design *d)
{
  d->nrows = sp->nlist;
  d->value = calloc((size_t)(d->nrows ? d->nrows : 1) * (size_t)(d->nfactor ? d->nfactor : 1), sizeof *d->value);
  CS_CHECK_ALLOC(d->value);
  memcpy(d->value, sp->list, (size_t)d->nrows * (size_t)d->nfactor * sizeof *d->value);
  return CS_OK;
}

int cs_design_make(const cs_sweep_spec *sp, cs_design *d)
{
  memset(d, 0, sizeof *d);
  d->nfactor = sp->nfactor;
  int rc;
  switch (sp->type) {
  case CS_DESIGN_GRID: rc = grid(sp, d); break;
  case CS_DESIGN_LHS: rc = lhs(sp, d); break;
  case CS_DESIGN_SOBOL: rc = sobol(sp, d); break;
  case CS_DESIGN_MORRIS: rc = morris(sp, d); break;
  case CS_DESIGN_COHORT: rc = cohort(sp, d); break;
  default: rc = list(sp, d); break;
  }
  if (rc != CS_OK) cs_design_free(d); /* a failed design holds nothing (a cohort's rows were filled before its check) */
  return rc;
}

void cs_design_free(cs_design *d)
{
  free(d->meta);
  free(d->value);
  memset(d, 0, sizeof *d);
}
