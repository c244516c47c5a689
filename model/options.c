#include "options.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static double opt_scale(const cs_opt *o) { return o->scale != 0.0 ? o->scale : 1.0; }

void cs_opt_put(const cs_opt *o, void *obj, double v)
{
  char *base = (char *)obj + o->offset;
  switch (o->type) {
  case CS_OPT_REAL: *(double *)base = v * opt_scale(o); break;
  case CS_OPT_INT:
  case CS_OPT_BOOL:
  case CS_OPT_ENUM: *(int *)base = (int)v; break;
  }
}

double cs_opt_get(const cs_opt *o, const void *obj)
{
  const char *base = (const char *)obj + o->offset;
  switch (o->type) {
  case CS_OPT_REAL: return *(const double *)base / opt_scale(o);
  case CS_OPT_INT:
  case CS_OPT_BOOL:
  case CS_OPT_ENUM: return (double)*(const int *)base;
  }
  return NAN;
}

void cs_opt_set_defaults(const cs_opt_table *t, void *obj)
{
  for (int i = 0; i < t->n; ++i) cs_opt_put(&t->opts[i], obj, t->opts[i].def);
}

const cs_opt *cs_opt_find(const cs_opt_table *t, const char *name)
{
  for (int i = 0; i < t->n; ++i)
    if (strcmp(t->opts[i].name, name) == 0) return &t->opts[i];
  return NULL;
}

const char *cs_opt_choice_name(const cs_opt *o, int idx)
{
  if (o->type != CS_OPT_ENUM || !o->choices || idx < 0) return "?";
  for (int i = 0; o->choices[i]; ++i)
    if (i == idx) return o->choices[i];
  return "?";
}

int cs_opt_check(const cs_opt *o, double v, char *msg, size_t msglen)
{
  if (!isfinite(v)) {
    snprintf(msg, msglen, "must be a finite number");
    return 1;
  }
  if ((o->type == CS_OPT_INT || o->type == CS_OPT_BOOL) && v != floor(v)) {
    snprintf(msg, msglen, "must be a whole number");
    return 1;
  }
  if (o->type == CS_OPT_ENUM) return 0;
  if (v < o->min || v > o->max) {
    int unitless = !strcmp(o->unit, "-") || !strcmp(o->unit, "1");
    snprintf(msg, msglen, "must be in [%g, %g]%s%s", o->min, o->max, unitless ? "" : " ", unitless ? "" : o->unit);
    return 1;
  }
  return 0;
}

int cs_edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  int d[64][64];
  for (size_t i = 0; i <= la; ++i) d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; ++j) d[0][j] = (int)j;
  for (size_t i = 1; i <= la; ++i)
    for (size_t j = 1; j <= lb; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
      d[i][j] = best;
    }
  return d[la][lb];
}
