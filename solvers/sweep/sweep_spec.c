#define _POSIX_C_SOURCE 200809L
#include "sweep_spec.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "../config.h"
#include "../error.h"
#include "../text_file.h"
#include "../yaml_problem.h"

/* messages kept, as the config reader keeps them; the rest are counted */
#define MAX_ERRORS 100

typedef struct {
  const char *file;
  yaml_document_t *doc;
  cs_config_errors *errs;
  cs_sweep_spec *spec;
} reader;

/* One error at line:col (1-based; 0: no position). */
static void verr_at(reader *r, int line_no, int col, const char *key, const char *fmt, va_list ap)
{
  if (r->errs->total++ >= MAX_ERRORS) return; /* a garbage file can give thousands */
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  char line[1200];
  if (line_no > 0) snprintf(line, sizeof line, "%s:%d:%d: %s: %s", r->file, line_no, col, key, msg);
  else snprintf(line, sizeof line, "%s: %s: %s", r->file, key, msg);
  char **grown = realloc(r->errs->lines, sizeof *grown * (size_t)(r->errs->n + 1));
  if (!grown) return;
  r->errs->lines = grown;
  r->errs->lines[r->errs->n++] = strdup(line);
}

static void err_at(reader *r, int line_no, int col, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void err_at(reader *r, int line_no, int col, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  verr_at(r, line_no, col, key, fmt, ap);
  va_end(ap);
}

/* One error at node n (NULL: no position). */
static void err(reader *r, const yaml_node_t *n, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err(reader *r, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  verr_at(r, n ? (int)n->start_mark.line + 1 : 0, n ? (int)n->start_mark.column + 1 : 0, key, fmt, ap);
  va_end(ap);
}

static yaml_node_t *node(reader *r, int id) { return yaml_document_get_node(r->doc, id); }

/* A scalar's text, or NULL if n is not a scalar or its text holds a NUL
 * ("model.k_c\0x" read as model.k_c, "0.014\0junk" as 0.014). */
static const char *scalar(const yaml_node_t *n)
{
  if (!n || n->type != YAML_SCALAR_NODE) return NULL;
  const char *s = (const char *)n->data.scalar.value;
  return strlen(s) == n->data.scalar.length ? s : NULL;
}

/* What n is when scalar(n) is NULL, for a message. */
static const char *not_scalar(const yaml_node_t *n)
{
  return !n ? "nothing" : n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a list"
                                                                                                   : "text with a NUL character";
}

typedef struct {
  const char *key;
  int i;
} keyed;

static int by_key(const void *a, const void *b)
{
  const keyed *x = a, *y = b;
  const int c = strcmp(x->key, y->key);
  return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The keys of mapping m, checked: keys[i] is pair i's key, or NULL for one
 * that is not a plain name or that repeats an earlier key of m (libyaml
 * keeps both pairs: the last used to win silently, and a second `set:`
 * overflowed the heap). Each such key is reported (`where` names m) unless
 * quiet (a second pass over the same mapping). malloc'd (free it); NULL,
 * reported, if out of memory. Sorting keeps a mapping of 100,000 keys fast. */
static const char **mapping_keys(reader *r, const yaml_node_t *m, const char *where, int quiet)
{
  const yaml_node_pair_t *p0 = m->data.mapping.pairs.start;
  const int n = (int)(m->data.mapping.pairs.top - p0);
  const char **keys = calloc((size_t)(n ? n : 1), sizeof *keys);
  int *first = malloc(sizeof *first * (size_t)(n ? n : 1));
  keyed *sorted = malloc(sizeof *sorted * (size_t)(n ? n : 1));
  if (!keys || !first || !sorted) {
    free(keys), free(first), free(sorted);
    err(r, m, where, "out of memory for %d keys", n);
    return NULL;
  }
  int ns = 0;
  for (int i = 0; i < n; ++i) {
    first[i] = -1;
    if ((keys[i] = scalar(node(r, p0[i].key)))) sorted[ns++] = (keyed){keys[i], i};
  }
  qsort(sorted, (size_t)ns, sizeof *sorted, by_key);
  for (int j = 1; j < ns; ++j)
    if (!strcmp(sorted[j].key, sorted[j - 1].key))
      first[sorted[j].i] = first[sorted[j - 1].i] >= 0 ? first[sorted[j - 1].i] : sorted[j - 1].i;
  for (int i = 0; i < n; ++i) {
    const yaml_node_t *k = node(r, p0[i].key);
    if (!keys[i]) {
      if (!quiet) err(r, k, where, "keys must be plain names, found %s", not_scalar(k));
    } else if (first[i] >= 0) {
      if (!quiet)
        err(r, k, keys[i], "duplicate key (first given at line %lu)",
            (unsigned long)node(r, p0[first[i]].key)->start_mark.line + 1);
      keys[i] = NULL;
    }
  }
  free(first);
  free(sorted);
  return keys;
}

/* A scalar that fits in `out` (size n), else an error. `treatments: []`
 * (no treatments) is the one list value, as `--set treatments=[]`. */
static int copy_scalar(reader *r, const yaml_node_t *n, const char *key, char *out, size_t size)
{
  const char *s = scalar(n);
  if (!s && n && n->type == YAML_SEQUENCE_NODE && n->data.sequence.items.start == n->data.sequence.items.top &&
      !strcmp(key, "treatments")) {
    snprintf(out, size, "[]");
    return 0;
  }
  if (!s) {
    err(r, n, key, "expected a value, found %s", not_scalar(n));
    return 1;
  }
  if (strlen(s) >= size) {
    err(r, n, key, "value longer than %zu characters", size - 1);
    return 1;
  }
  snprintf(out, size, "%s", s);
  return 0;
}

/* [+-] digits [. digits] [e [+-] digits], as the config reader takes numbers:
 * strtod alone also reads hex (seed: 0x10), "nan" and "inf". */
static int decimal_syntax(const char *s)
{
  int digits = 0;
  if (*s == '+' || *s == '-') ++s;
  for (; *s >= '0' && *s <= '9'; ++s) ++digits;
  if (*s == '.')
    for (++s; *s >= '0' && *s <= '9'; ++s) ++digits;
  if (!digits) return 0;
  if (*s == 'e' || *s == 'E') {
    ++s;
    if (*s == '+' || *s == '-') ++s;
    if (!(*s >= '0' && *s <= '9')) return 0;
    while (*s >= '0' && *s <= '9') ++s;
  }
  return *s == '\0';
}

static int number(reader *r, const yaml_node_t *n, const char *key, double *v)
{
  const char *s = scalar(n);
  if (s && !decimal_syntax(s)) {
    err(r, n, key, "expected a decimal number, found '%s'", s);
    return 1;
  }
  char *end = NULL;
  errno = 0;
  *v = s ? strtod(s, &end) : NAN;
  if (!s || end == s || *end || errno || !isfinite(*v)) {
    if (s) err(r, n, key, "expected a finite number, found '%s'", s);
    else err(r, n, key, "expected a number, found %s", not_scalar(n));
    return 1;
  }
  return 0;
}

/* A key the config reader would refuse (a typo) is an error of the sweep
 * file, found before any row runs, not a failure of every row. 0 if known. */
static int unknown_key(reader *r, const yaml_node_t *n, const char *key)
{
  char why[300];
  if (cs_config_key_check(key, why, sizeof why) == CS_OK) return 0;
  err(r, n, key, "%s", why);
  return 1;
}

/* The name of each CS_DESIGN_* (the design's `type:`), each CS_DIST_* and its parameters. */
static const char *const design_names[] = {"grid", "list", "lhs", "sobol", "morris", "cohort"};
_Static_assert(sizeof design_names / sizeof *design_names == CS_DESIGN_COUNT, "a name for every CS_DESIGN_*");
static const char *const dist_names[] = {"normal", "lognormal", "uniform", "loguniform"};
static const char *const dist_params[][2] = {{"mean", "sd"}, {"median", "sigma"}, {"min", "max"}, {"min", "max"}};
_Static_assert(sizeof dist_names / sizeof *dist_names == CS_DIST_COUNT, "a name for every CS_DIST_*");
_Static_assert(sizeof dist_params / sizeof *dist_params == CS_DIST_COUNT, "parameters for every CS_DIST_*");

const char *cs_design_type_name(int type) { return design_names[type]; }
const char *cs_dist_name(int kind) { return dist_names[kind]; }
const char *cs_dist_param(int kind, int i) { return dist_params[kind][i]; }

/* Record a factor (once); returns its index or -1. */
static int factor_index(reader *r, const yaml_node_t *n, const char *key)
{
  cs_sweep_spec *sp = r->spec;
  for (int i = 0; i < sp->nfactor; ++i)
    if (!strcmp(sp->factor[i], key)) return i;
  if (sp->nfactor == CS_SWEEP_MAX_FACTORS) {
    err(r, n, key, "more than %d varied keys", CS_SWEEP_MAX_FACTORS);
    return -1;
  }
  /* `treatments` (its one value `[]`: no treatments, as --set treatments=[]) is the one key without a
   * dot: an untreated row of a list whose set: defines a treatment. A sampled design draws numbers. */
  const int clear = !strcmp(key, "treatments");
  if (clear && sp->type != CS_DESIGN_GRID && sp->type != CS_DESIGN_LIST) {
    err(r, n, key, "varies only in a grid or list design, as [] (no treatments): a %s design draws numbers",
        design_names[sp->type]);
    return -1;
  }
  if (strlen(key) >= CS_SWEEP_KEY || (!clear && !strchr(key, '.'))) {
    err(r, n, key, "expected a config key such as model.sig_s0 or treatments[0].day (or treatments, as [])");
    return -1;
  }
  if (unknown_key(r, n, key)) return -1;
  snprintf(sp->factor[sp->nfactor], CS_SWEEP_KEY, "%s", key);
  return sp->nfactor++;
}

/* (design: where a missing factors: is reported) */
static void read_grid(reader *r, yaml_node_t *factors, yaml_node_t *design)
{
  if (!factors || factors->type != YAML_MAPPING_NODE) {
    err(r, factors ? factors : design, "design.factors", "expected a mapping {key: [values...]}");
    return;
  }
  if (factors->data.mapping.pairs.top == factors->data.mapping.pairs.start) { /* one row of the base, not a sweep */
    err(r, factors, "design.factors", "expected at least one {key: [values...]}");
    return;
  }
  const char **keys = mapping_keys(r, factors, "design.factors", 0);
  if (!keys) return;
  for (yaml_node_pair_t *p = factors->data.mapping.pairs.start; p < factors->data.mapping.pairs.top; ++p) {
    yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
    const char *key = keys[p - factors->data.mapping.pairs.start];
    if (!key) continue;
    int f = factor_index(r, k, key);
    if (f < 0) continue;
    if (!v || v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top == v->data.sequence.items.start) {
      err(r, v, key, "expected a non-empty list of values");
      continue;
    }
    int n = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
    r->spec->vals[f] = calloc((size_t)n, CS_SWEEP_VALUE);
    if (!r->spec->vals[f]) break;
    r->spec->nvals[f] = n;
    for (int i = 0; i < n; ++i)
      copy_scalar(r, node(r, v->data.sequence.items.start[i]), key, r->spec->vals[f][i], CS_SWEEP_VALUE);
  }
  free(keys);
}

static void read_list(reader *r, yaml_node_t *rows, yaml_node_t *design)
{
  if (!rows || rows->type != YAML_SEQUENCE_NODE) {
    err(r, rows ? rows : design, "design.rows", "expected a list of mappings [{key: value, ...}, ...]");
    return;
  }
  if (rows->data.sequence.items.top == rows->data.sequence.items.start) { /* ran nothing and exited 0 */
    err(r, rows, "design.rows", "expected at least one row {key: value, ...}");
    return;
  }
  /* first pass: the keys (a key twice in one row is reported here) */
  for (yaml_node_item_t *it = rows->data.sequence.items.start; it < rows->data.sequence.items.top; ++it) {
    yaml_node_t *m = node(r, *it);
    if (!m || m->type != YAML_MAPPING_NODE) {
      err(r, m, "design.rows", "each row is a mapping {key: value, ...}");
      return;
    }
    const char **keys = mapping_keys(r, m, "design.rows", 0);
    if (!keys) return;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; ++p)
      if (keys[p - m->data.mapping.pairs.start]) factor_index(r, node(r, p->key), keys[p - m->data.mapping.pairs.start]);
    free(keys);
  }
  cs_sweep_spec *sp = r->spec;
  sp->nlist = (int)(rows->data.sequence.items.top - rows->data.sequence.items.start);
  sp->list = calloc((size_t)sp->nlist * (size_t)(sp->nfactor ? sp->nfactor : 1), CS_SWEEP_VALUE);
  if (!sp->list) return;
  for (int i = 0; i < sp->nlist; ++i) {
    yaml_node_t *m = node(r, rows->data.sequence.items.start[i]);
    const char **keys = mapping_keys(r, m, "design.rows", 1);
    if (!keys) return;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; ++p) {
      const char *key = keys[p - m->data.mapping.pairs.start];
      if (!key) continue;
      int f = -1; /* the keys of the first pass (an unknown one was reported there) */
      for (int q = 0; q < sp->nfactor && f < 0; ++q)
        if (!strcmp(sp->factor[q], key)) f = q;
      if (f >= 0) copy_scalar(r, node(r, p->value), key, sp->list[(size_t)i * sp->nfactor + f], CS_SWEEP_VALUE);
    }
    free(keys);
  }
}

/* The design's entries, each given once (NULL where absent). */
typedef struct {
  yaml_node_t *type, *factors, *rows, *samples, *levels, *ranges, *patients, *distributions, *arms;
} design_nodes;

static void read_lhs(reader *r, const design_nodes *dn, yaml_node_t *design)
{
  cs_sweep_spec *sp = r->spec;
  yaml_node_t *samples = dn->samples, *ranges = dn->ranges, *levels = dn->levels;
  sp->levels = 4;
  if (levels) {
    double l = 0;
    if (number(r, levels, "design.levels", &l) || l < 2 || l > 100 || l != floor(l) || ((int)l % 2))
      err(r, levels, "design.levels", "expected an even whole number of levels in [2, 100]");
    else sp->levels = (int)l;
  }
  double n = 0;
  const char *what = sp->type == CS_DESIGN_MORRIS ? "design.trajectories" : "design.samples";
  if (!samples || number(r, samples, what, &n) || n < 1 || n > 1e6 || n != floor(n))
    err(r, samples ? samples : design, what, "expected a whole number in [1, 1000000]");
  else sp->samples = (int)n; /* only in range: converting 1e300 or NaN to int is undefined */
  if (!ranges || ranges->type != YAML_MAPPING_NODE) {
    err(r, ranges ? ranges : design, "design.ranges", "expected {key: {min: ..., max: ..., scale: linear|log}}");
    return;
  }
  const char **keys = mapping_keys(r, ranges, "design.ranges", 0);
  if (!keys) return;
  for (yaml_node_pair_t *p = ranges->data.mapping.pairs.start; p < ranges->data.mapping.pairs.top; ++p) {
    yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
    const char *key = keys[p - ranges->data.mapping.pairs.start];
    if (!key) continue;
    int f = factor_index(r, k, key);
    if (f < 0) continue;
    if (!v || v->type != YAML_MAPPING_NODE) {
      err(r, v, key, "expected {min: ..., max: ..., scale: linear|log}");
      continue;
    }
    const char **rk = mapping_keys(r, v, key, 0);
    if (!rk) continue;
    int have = 0, dup = 0;
    for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; ++q) {
      const char *qk = rk[q - v->data.mapping.pairs.start];
      yaml_node_t *qv = node(r, q->value);
      if (!qk) dup = 1; /* reported */
      else if (!strcmp(qk, "min")) have |= !number(r, qv, key, &sp->lo[f]);
      else if (!strcmp(qk, "max")) have |= 2 * !number(r, qv, key, &sp->hi[f]);
      else if (!strcmp(qk, "scale")) {
        const char *s = scalar(qv);
        if (s && !strcmp(s, "log")) sp->logscale[f] = 1;
        else if (!s || strcmp(s, "linear")) err(r, qv, key, "scale must be linear or log");
      } else err(r, node(r, q->key), key, "unknown range key '%s' (min, max, scale)", qk);
    }
    free(rk);
    if (dup) continue;
    if (have != 3) err(r, v, key, "a range needs min and max");
    else if (!(sp->lo[f] < sp->hi[f])) err(r, v, key, "min must be below max");
    else if (sp->logscale[f] && sp->lo[f] <= 0) err(r, v, key, "a log range needs min > 0");
  }
  free(keys);
  if (sp->nfactor == 0 && ranges->data.mapping.pairs.top == ranges->data.mapping.pairs.start)
    err(r, ranges, "design.ranges", "expected at least one {key: {min: ..., max: ...}}");
}


/* The value of `name` in mapping m whose checked keys (mapping_keys) are `keys`. */
static const yaml_node_t *child(reader *r, const yaml_node_t *m, const char *const *keys, const char *name)
{
  if (!m || m->type != YAML_MAPPING_NODE || !keys) return NULL;
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; ++p) {
    const char *k = keys[p - m->data.mapping.pairs.start];
    if (k && !strcmp(k, name)) return node(r, p->value);
  }
  return NULL;
}

static void read_cohort(reader *r, const design_nodes *dn, yaml_node_t *design)
{
  cs_sweep_spec *sp = r->spec;
  const yaml_node_t *pn = dn->patients, *dl = dn->distributions, *an = dn->arms;
  double n = 0;
  if (!pn || number(r, pn, "design.patients", &n) || n < 1 || n > 1e6 || n != floor(n))
    err(r, pn ? pn : design, "design.patients", "expected a whole number of patients in [1, 1000000]");
  else sp->samples = (int)n; /* only in range, as in read_lhs */
  if (!dl || dl->type != YAML_MAPPING_NODE) {
    err(r, dl ? dl : design, "design.distributions", "expected {key: {dist: normal|lognormal|uniform|loguniform, ...}}");
    return;
  }
  const char **keys = mapping_keys(r, dl, "design.distributions", 0);
  if (!keys) return;
  for (yaml_node_pair_t *p = dl->data.mapping.pairs.start; p < dl->data.mapping.pairs.top; ++p) {
    yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
    const char *key = keys[p - dl->data.mapping.pairs.start];
    int f = key ? factor_index(r, k, key) : -1;
    if (f < 0) continue;
    const char **dk = v && v->type == YAML_MAPPING_NODE ? mapping_keys(r, v, key, 0) : NULL;
    int dup = 0;
    for (int q = 0; dk && q < (int)(v->data.mapping.pairs.top - v->data.mapping.pairs.start); ++q) dup |= !dk[q];
    const char *d = scalar(child(r, v, dk, "dist"));
    const char *const *names = dist_names;
    const char *const(*pars)[2] = dist_params;
    int kind = -1;
    for (int q = 0; q < CS_DIST_COUNT; ++q)
      if (d && !strcmp(d, names[q])) kind = q;
    if (dup || kind < 0) {
      if (!dup) err(r, v, key, "dist must be normal, lognormal, uniform or loguniform");
      free(dk);
      continue;
    }
    /* a key the distribution does not take (`mni` for `min`) was ignored: the truncation silently lost */
    int unknown = 0;
    for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; ++q) {
      const char *qk = dk[q - v->data.mapping.pairs.start];
      if (strcmp(qk, "dist") && strcmp(qk, pars[kind][0]) && strcmp(qk, pars[kind][1]) &&
          (kind > 1 || (strcmp(qk, "min") && strcmp(qk, "max")))) {
        err(r, node(r, q->key), key, "unknown %s distribution key '%s' (dist, %s, %s%s)", names[kind], qk,
            pars[kind][0], pars[kind][1], kind <= 1 ? ", min, max" : "");
        unknown = 1;
      }
    }
    if (unknown) {
      free(dk);
      continue;
    }
    sp->dist[f] = kind;
    const yaml_node_t *a = child(r, v, dk, pars[kind][0]), *b = child(r, v, dk, pars[kind][1]);
    if (!a || !b || number(r, a, key, &sp->p1[f]) || number(r, b, key, &sp->p2[f])) {
      err(r, v, key, "a %s distribution needs %s and %s", names[kind], pars[kind][0], pars[kind][1]);
      free(dk);
      continue;
    }
    sp->tlo[f] = -INFINITY;
    sp->thi[f] = INFINITY;
    sp->dist_at[f][0] = (int)v->start_mark.line + 1; /* for the design's error when a truncation rejects every draw */
    sp->dist_at[f][1] = (int)v->start_mark.column + 1;
    const yaml_node_t *lo = NULL, *hi = NULL;
    int bad_bound = 0;
    if (kind <= CS_DIST_LOGNORMAL) { /* truncation for the unbounded ones */
      lo = child(r, v, dk, "min");
      hi = child(r, v, dk, "max");
      if (lo) bad_bound |= number(r, lo, key, &sp->tlo[f]);
      if (hi) bad_bound |= number(r, hi, key, &sp->thi[f]);
    }
    free(dk);
    /* each bad parameter at its value, named with it as written (all of them said "invalid distribution
     * parameters", at the distribution) */
    if ((kind == CS_DIST_LOGNORMAL || kind == CS_DIST_LOGUNIFORM) && sp->p1[f] <= 0)
      err(r, a, key, "%s = %s: must be > 0%s", pars[kind][0], scalar(a),
          kind == CS_DIST_LOGUNIFORM ? " (a loguniform is uniform in log space)" : "");
    if (kind <= CS_DIST_LOGNORMAL && sp->p2[f] <= 0) err(r, b, key, "%s = %s: must be > 0", pars[kind][1], scalar(b));
    if (kind >= CS_DIST_UNIFORM && !(sp->p1[f] < sp->p2[f]))
      err(r, a, key, "min = %s must be below max = %s", scalar(a), scalar(b));
    if (!bad_bound && lo && hi && !(sp->tlo[f] < sp->thi[f]))
      err(r, lo, key, "min = %s must be below max = %s (the truncation of the %s distribution)", scalar(lo), scalar(hi),
          names[kind]);
  }
  free(keys);
  if (!an || an->type != YAML_SEQUENCE_NODE || an->data.sequence.items.top == an->data.sequence.items.start) {
    err(r, an ? an : design, "design.arms", "expected a list of arms, the first one untreated: [{name: untreated}, ...]");
    return;
  }
  int name_line[CS_SWEEP_MAX_ARMS] = {0}; /* of each arm's name; 0 if it has none */
  for (yaml_node_item_t *it = an->data.sequence.items.start; it < an->data.sequence.items.top; ++it) {
    yaml_node_t *a = node(r, *it);
    if (sp->narms == CS_SWEEP_MAX_ARMS) {
      err(r, a, "design.arms", "at most %d arms", CS_SWEEP_MAX_ARMS);
      break;
    }
    int i = sp->narms++;
    sp->arm_day[i] = -1;
    if (!a || a->type != YAML_MAPPING_NODE) {
      err(r, a, "design.arms", "each arm is a mapping {name: ..., set: {...}}");
      continue;
    }
    const char **ak = mapping_keys(r, a, "design.arms", 0);
    for (int q = 0; ak && q < (int)(a->data.mapping.pairs.top - a->data.mapping.pairs.start); ++q)
      if (ak[q] && strcmp(ak[q], "name") && strcmp(ak[q], "set"))
        err(r, node(r, a->data.mapping.pairs.start[q].key), "design.arms", "unknown arm key '%s' (name, set)", ak[q]);
    const yaml_node_t *name = child(r, a, ak, "name"), *set = child(r, a, ak, "set");
    free(ak);
    if (!name) {
      err(r, a, "design.arms", "an arm needs a name");
      continue;
    }
    if (copy_scalar(r, name, "design.arms.name", sp->arm[i], sizeof sp->arm[i])) continue;
    /* the results tell arms apart by name (summary column arm, the cohort figure): two arms of one
     * name were drawn as one, the benefit of the one overwriting the other's */
    name_line[i] = (int)name->start_mark.line + 1;
    for (int j = 0; j < i; ++j)
      if (name_line[j] && !strcmp(sp->arm[j], sp->arm[i])) {
        err(r, name, "design.arms", "name '%s' given twice (first at line %d; arms are told apart by name)", sp->arm[i],
            name_line[j]);
        break;
      }
    if (i == 0 && set) err(r, set, sp->arm[0], "the first arm is the untreated history the others branch from");
    if (!set) {
      if (i > 0) err(r, a, sp->arm[i], "a treatment arm needs set: {treatments[0].type: ..., treatments[0].day: ..., ...}");
      continue;
    }
    if (set->type != YAML_MAPPING_NODE) {
      err(r, set, sp->arm[i], "set must be a mapping");
      continue;
    }
    const char **sk = mapping_keys(r, set, sp->arm[i], 0);
    if (!sk) continue;
    for (yaml_node_pair_t *p = set->data.mapping.pairs.start; p < set->data.mapping.pairs.top; ++p) {
      char kk[CS_SWEEP_KEY], vv[CS_SWEEP_VALUE];
      if (!sk[p - set->data.mapping.pairs.start] || copy_scalar(r, node(r, p->key), sp->arm[i], kk, sizeof kk) ||
          copy_scalar(r, node(r, p->value), kk, vv, sizeof vv))
        continue;
      if (sp->narm_sets[i] == CS_SWEEP_MAX_ARM_SETS) {
        err(r, node(r, p->key), sp->arm[i], "at most %d keys per arm", CS_SWEEP_MAX_ARM_SETS);
        break;
      }
      if (unknown_key(r, node(r, p->key), kk)) continue;
      /* an arm starts from the history's state and is compared with the history as its baseline:
       * a model, grid or initial value, or another horizon, failed every patient's arm at once */
      static const char *const fixed[] = {"model.", "grid.", "initial.", "run."};
      int is_fixed = 0;
      for (int q = 0; q < 4; ++q) is_fixed |= !strncmp(kk, fixed[q], strlen(fixed[q]));
      if (is_fixed) {
        err(r, node(r, p->key), kk, "an arm cannot set it: it branches from the patient's untreated history, whose "
            "model, grid, initial values and run.t_end it shares (an arm sets treatments, solver or output keys)");
        continue;
      }
      snprintf(sp->arm_set[i][sp->narm_sets[i]++], sizeof sp->arm_set[i][0], "%s=%s", kk, vv);
      if (!strcmp(kk, "treatments[0].day")) {
        double day = -1; /* atof took 1e400 (inf) and 0x10 */
        if (decimal_syntax(vv)) day = strtod(vv, NULL);
        sp->arm_day[i] = isfinite(day) ? day : -1;
        sp->arm_day_at[i][0] = (int)node(r, p->value)->start_mark.line + 1;
        sp->arm_day_at[i][1] = (int)node(r, p->value)->start_mark.column + 1;
      }
    }
    free(sk);
    if (sp->arm_day[i] <= 0)
      err(r, set, sp->arm[i], "an arm needs treatments[0].day, a number > 0 (the day it branches)");
  }
}

/* The fixed overrides of every row (`set:`). */
static void read_set(reader *r, yaml_node_t *v)
{
  cs_sweep_spec *sp = r->spec;
  if (sp->set) { /* a second set: is a duplicate key (mapping_keys); never read it over the first */
    err(r, v, "set", "given twice");
    return;
  }
  if (!v || v->type != YAML_MAPPING_NODE) {
    err(r, v, "set", "expected a mapping {key: value}");
    return;
  }
  const int n = (int)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
  const char **keys = mapping_keys(r, v, "set", 0);
  sp->set = calloc((size_t)(n ? n : 1), sizeof *sp->set);
  sp->set_at = calloc((size_t)(n ? n : 1), sizeof *sp->set_at);
  if (!keys || !sp->set || !sp->set_at) {
    free(keys);
    err(r, v, "set", "out of memory for %d keys", n);
    return;
  }
  for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; ++q) {
    char kk[CS_SWEEP_KEY], vv[CS_SWEEP_VALUE];
    if (!keys[q - v->data.mapping.pairs.start] || copy_scalar(r, node(r, q->key), "set", kk, sizeof kk) ||
        copy_scalar(r, node(r, q->value), kk, vv, sizeof vv))
      continue;
    if (unknown_key(r, node(r, q->key), kk)) continue;
    sp->set_at[sp->nset][0] = (int)node(r, q->key)->start_mark.line + 1;
    sp->set_at[sp->nset][1] = (int)node(r, q->key)->start_mark.column + 1;
    snprintf(sp->set[sp->nset++], sizeof *sp->set, "%s=%s", kk, vv);
  }
  free(keys);
}

static void read_top(reader *r, yaml_node_t *root)
{
  cs_sweep_spec *sp = r->spec;
  struct stat st;
  yaml_node_t *design = NULL, *base_node = root;
  const char **keys = mapping_keys(r, root, "sweep", 0);
  if (!keys) return;
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; ++p) {
    yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
    const char *key = keys[p - root->data.mapping.pairs.start];
    if (!key) continue;
    if (!strcmp(key, "base")) {
      base_node = v;
      char rel[1024];
      if (copy_scalar(r, v, "base", rel, sizeof rel)) continue;
      snprintf(sp->base_written, sizeof sp->base_written, "%s", rel);
      const char *slash = strrchr(r->file, '/');
      if (rel[0] == '/' || !slash) snprintf(sp->base, sizeof sp->base, "%s", rel);
      else snprintf(sp->base, sizeof sp->base, "%.*s/%.500s", (int)(slash - r->file) > 500 ? 500 : (int)(slash - r->file),
                    r->file, rel);
    } else if (!strcmp(key, "seed")) {
      double s;
      /* GSL's mt19937 takes the seed's low 32 bits: 2^32 + 1 was seed 1; -1 and 1.5 became 1; and
       * (unsigned long)1e30 is undefined behaviour. The seed is stored with the results as given. */
      if (number(r, v, "seed", &s)) continue;
      if (!(s >= 0 && s <= 4294967295.0) || s != floor(s))
        err(r, v, "seed", "expected a whole number in [0, 4294967295], found '%s'", scalar(v));
      else sp->seed = (unsigned long)s;
    } else if (!strcmp(key, "set")) {
      read_set(r, v);
    } else if (!strcmp(key, "design")) {
      design = v;
    } else {
      err(r, k, key, "unknown key (expected base, seed, set, design)");
    }
  }
  free(keys);
  if (!sp->base[0]) err(r, root, "base", "missing: the config every row starts from");
  else if (access(sp->base, R_OK) != 0)
    err(r, base_node, "base", "cannot read %s: %s", sp->base, strerror(errno));
  else if (stat(sp->base, &st) == 0 && S_ISDIR(st.st_mode)) /* readable, but not a config */
    err(r, base_node, "base", "cannot read %s: %s", sp->base, strerror(EISDIR));
  if (!design || design->type != YAML_MAPPING_NODE) {
    err(r, design ? design : root, "design", "missing or not a mapping {type: grid|list|lhs, ...}");
    return;
  }
  const char **dk = mapping_keys(r, design, "design", 0);
  if (!dk) return;
  /* the design's type first: a key of another type (samples: in a grid) used to be ignored */
  const char *const *types = design_names;
  enum { G = 1 << CS_DESIGN_GRID, L = 1 << CS_DESIGN_LIST, SAMPLED = 1 << CS_DESIGN_LHS | 1 << CS_DESIGN_SOBOL |
         1 << CS_DESIGN_MORRIS, M = 1 << CS_DESIGN_MORRIS, C = 1 << CS_DESIGN_COHORT };
  static const struct {
    const char *key;
    unsigned types;
  } own[] = {{"type", G | L | SAMPLED | C}, {"factors", G}, {"rows", L}, {"samples", SAMPLED}, {"trajectories", M},
             {"levels", M}, {"ranges", SAMPLED}, {"patients", C}, {"distributions", C}, {"arms", C}};
  int t = -1;
  for (yaml_node_pair_t *p = design->data.mapping.pairs.start; p < design->data.mapping.pairs.top; ++p) {
    const char *k = dk[p - design->data.mapping.pairs.start], *v = scalar(node(r, p->value));
    for (int q = 0; k && v && !strcmp(k, "type") && q <= CS_DESIGN_COHORT; ++q)
      if (!strcmp(v, types[q])) t = q;
  }
  design_nodes dn = {0};
  const char *type = NULL;
  yaml_node_t *type_node = design;
  for (yaml_node_pair_t *p = design->data.mapping.pairs.start; p < design->data.mapping.pairs.top; ++p) {
    const char *k = dk[p - design->data.mapping.pairs.start];
    yaml_node_t *v = node(r, p->value);
    if (!k) continue;
    int mine = 1;
    for (size_t q = 0; t >= 0 && q < sizeof own / sizeof *own; ++q)
      if (!strcmp(k, own[q].key)) mine = (own[q].types >> t) & 1;
    if (!mine) {
      char list[128] = "";
      for (size_t q = 0; q < sizeof own / sizeof *own; ++q)
        if ((own[q].types >> t) & 1)
          snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "", own[q].key);
      err(r, node(r, p->key), k, "not a key of a %s design (%s)", types[t], list);
      continue;
    }
    if (!strcmp(k, "type")) {
      type = scalar(v);
      type_node = dn.type = v;
    } else if (!strcmp(k, "factors")) dn.factors = v;
    else if (!strcmp(k, "rows")) dn.rows = v;
    else if (!strcmp(k, "samples") || !strcmp(k, "trajectories")) { /* morris: trajectories (samples: a synonym) */
      if (dn.samples) err(r, node(r, p->key), k, "give the count once (samples, or trajectories for morris)");
      else dn.samples = v;
    } else if (!strcmp(k, "levels")) dn.levels = v;
    else if (!strcmp(k, "ranges")) dn.ranges = v;
    else if (!strcmp(k, "patients")) dn.patients = v;
    else if (!strcmp(k, "distributions")) dn.distributions = v;
    else if (!strcmp(k, "arms")) dn.arms = v;
    else
      err(r, node(r, p->key), k, "unknown design key (type, factors, rows, samples, trajectories, ranges, levels, "
          "patients, distributions, arms)");
  }
  free(dk);
  if (type && !strcmp(type, "grid")) {
    sp->type = CS_DESIGN_GRID;
    read_grid(r, dn.factors, design);
  } else if (type && !strcmp(type, "list")) {
    sp->type = CS_DESIGN_LIST;
    read_list(r, dn.rows, design);
  } else if (type && (!strcmp(type, "lhs") || !strcmp(type, "sobol") || !strcmp(type, "morris"))) {
    sp->type = !strcmp(type, "lhs") ? CS_DESIGN_LHS : !strcmp(type, "sobol") ? CS_DESIGN_SOBOL : CS_DESIGN_MORRIS;
    read_lhs(r, &dn, design);
  } else if (type && !strcmp(type, "cohort")) {
    sp->type = CS_DESIGN_COHORT;
    read_cohort(r, &dn, design);
  } else {
    err(r, type_node, "design.type", "'%s' is not a design (grid, list, lhs, sobol, morris, cohort)", type ? type : "");
    return;
  }
  /* a key in set: that the design varies in every row: the set: value was never used (a list row
   * that leaves the key out takes it from set:, so there it is a default) */
  for (int i = 0; sp->type != CS_DESIGN_LIST && i < sp->nset; ++i)
    for (int f = 0; f < sp->nfactor; ++f) {
      const size_t len = strlen(sp->factor[f]);
      if (!strncmp(sp->set[i], sp->factor[f], len) && sp->set[i][len] == '=')
        err_at(r, sp->set_at[i][0], sp->set_at[i][1], sp->factor[f],
               "also varied by the design, whose values replace this one in every row: give it in one place");
      else if (!strcmp(sp->factor[f], "treatments") && !strncmp(sp->set[i], "treatments[", 11)) {
        char key[CS_SWEEP_KEY];
        snprintf(key, sizeof key, "%.*s", (int)strcspn(sp->set[i], "="), sp->set[i]);
        err_at(r, sp->set_at[i][0], sp->set_at[i][1], key,
               "cleared in every row by the design's treatments: [], so this value would never be used");
      }
    }
}

/* collections nested deeper are refused before the document is built (a sweep file uses 5) */
#define MAX_NESTING 64

/* 0 if collections nest deeper than MAX_NESTING (reported; cs_yaml_too_deep,
 * as the config reader). */
static int nesting_ok(reader *r, const char *text, size_t len)
{
  int line, col;
  if (!cs_yaml_too_deep(text, len, MAX_NESTING, &line, &col)) return 1;
  err_at(r, line, col, "sweep", "nesting deeper than %d levels (a sweep file uses at most 5)", MAX_NESTING);
  return 0;
}

int cs_sweep_spec_load(const char *path, cs_sweep_spec *spec, cs_config_errors *errs)
{
  char *text = NULL;
  size_t len = 0;
  const int rerr = cs_read_text_file(path, &text, &len);
  if (rerr) {
    memset(spec, 0, sizeof *spec);
    memset(errs, 0, sizeof *errs);
    snprintf(spec->path, sizeof spec->path, "%s", path);
    reader r = {path, NULL, errs, spec};
    err(&r, NULL, "file", "cannot read it: %s", cs_text_file_error(rerr));
    return rerr == EFBIG ? CS_ERR_CONFIG : CS_ERR_IO; /* as a config: too large is a wrong file, 3 */
  }
  return cs_sweep_spec_parse(path, text, len, spec, errs);
}

int cs_sweep_spec_parse(const char *path, char *text, size_t len, cs_sweep_spec *spec, cs_config_errors *errs)
{
  memset(spec, 0, sizeof *spec);
  memset(errs, 0, sizeof *errs);
  snprintf(spec->path, sizeof spec->path, "%s", path);
  spec->text = text;
  spec->text_len = len;
  reader r = {path, NULL, errs, spec};
  if (!nesting_ok(&r, text, len)) return CS_ERR_CONFIG;
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)spec->text, len);
  if (!yaml_parser_load(&parser, &doc)) {
    char line[1200], msg[600];
    int ln, col;
    cs_yaml_problem(&parser, spec->text, len, &ln, &col, msg, sizeof msg);
    snprintf(line, sizeof line, "%s:%d:%d: %s", path, ln, col, msg);
    errs->lines = malloc(sizeof *errs->lines);
    if (errs->lines) errs->lines[errs->n++] = strdup(line);
    yaml_parser_delete(&parser);
    return CS_ERR_CONFIG;
  }
  r.doc = &doc;
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (!root || root->type != YAML_MAPPING_NODE) err(&r, root, "sweep", "expected a mapping at the top level");
  else read_top(&r, root);
  if (errs->total > errs->n) {
    char line[80];
    snprintf(line, sizeof line, "(%d more errors not shown)", errs->total - errs->n);
    char **grown = realloc(errs->lines, sizeof *grown * (size_t)(errs->n + 1));
    if (grown) {
      errs->lines = grown;
      if ((errs->lines[errs->n] = strdup(line))) errs->n++;
    }
  }
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  return errs->n ? CS_ERR_CONFIG : CS_OK;
}

void cs_sweep_spec_free(cs_sweep_spec *spec)
{
  free(spec->set);
  free(spec->set_at);
  for (int f = 0; f < CS_SWEEP_MAX_FACTORS; ++f) free(spec->vals[f]);
  free(spec->list);
  free(spec->text);
  memset(spec, 0, sizeof *spec);
}
