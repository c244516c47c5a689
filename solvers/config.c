/* config.c - read a cartsim configuration from YAML and `--set` overrides.
 *
 * The reader is table driven: every section maps to a cs_opt_table (name,
 * type, unit, default, range, help of each key), and a value from a file
 * and a value from `--set` go through the same function (set_value), so they
 * are parsed and checked identically.
 *
 * Order of work in cs_config_load:
 *   1. defaults of every table;
 *   2. the file, depth first through its `base:` chain (a base is applied
 *      before the file that names it, so the file overrides it);
 *   3. the `--set` strings, in order;
 *   4. the cross-section rules (grid shape, time windows, events in the run).
 * For every key we remember where its current value came from (file:line:col
 * or the --set string), so a cross-section error points at the line to fix.
 *
 * Errors are collected, not fatal: one line each, "FILE:LINE:COL: key: msg"
 * or "--set KEY=VALUE: msg". libyaml marks are 0-based; we print 1-based.
 *
 * No MPI here: every rank reads the config on its own.
 */
#define _XOPEN_SOURCE 700 /* strdup, realpath */

#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "fnv.h"
#include "text_file.h"
#include "yaml_problem.h"

#define MAX_BASE_DEPTH 8           /* levels of `base:` below the file given */
#define MAX_ERRORS 100             /* messages kept; the rest are counted */
#define MAX_NESTING 64             /* a config needs 3 levels; libyaml slows down as depth^2 */
#define MAX_CELLS 2e8              /* larger grids do not fit any node we run on */
#define MAX_TREAT_ROWS 8
#define VALUE_SHOWN 60             /* characters of a value quoted in messages */

/* ---- sections ------------------------------------------------------------ */

typedef struct {
  const cs_opt_table *table;
  size_t offset;       /* of the section struct inside cs_config */
  const char *comment; /* for cs_config_to_yaml */
} section;

static const section sections[] = {
  {&cs_params_table, offsetof(cs_config, model), "physical parameters (docs/model.md)"},
  {&cs_grid_table, offsetof(cs_config, grid), "discretization of the cartilage"},
  {&cs_initial_table, offsetof(cs_config, initial), "initial state, optional focal lesion"},
  {&cs_solver_table, offsetof(cs_config, solver), "time integration"},
  {&cs_output_table, offsetof(cs_config, output), "what is written, how often"},
  {&cs_run_table, offsetof(cs_config, run), "the simulated period"},
};
enum { NSECT = (int)(sizeof sections / sizeof sections[0]) };

/* Top-level keys that are not tables. */
static const char *const top_keys[] = {"base", "description", "treatments"};
enum { TOP_BASE = NSECT, TOP_DESCRIPTION, TOP_TREATMENTS, NTOP };

static void *section_obj(cs_config *cfg, int s) { return (char *)cfg + sections[s].offset; }

static int section_index(const char *name)
{
  for (int s = 0; s < NSECT; ++s)
    if (strcmp(sections[s].table->section, name) == 0) return s;
  return -1;
}

/* ---- where a value came from -------------------------------------------- */

/* A position in a file (file != NULL), a --set argument (set != NULL), or
 * nothing (the default). */
typedef struct {
  const char *file;
  int line, col; /* 1-based */
  const char *set;
} cfg_where;

static int where_known(const cfg_where *w) { return w->file || w->set; }

static cfg_where where_node(const char *file, const yaml_node_t *n)
{
  cfg_where w = {file, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, NULL};
  return w;
}

/* ---- loader state --------------------------------------------------------- */

typedef struct {
  cs_config *cfg;
  cs_config_errors *errs;
  int n_dropped;                         /* errors beyond MAX_ERRORS */
  int io_error;                          /* the file given could not be read */
  cfg_where *origin[NSECT];              /* per table row: last successful set */
  cfg_where torigin[CS_MAX_TREATMENTS][MAX_TREAT_ROWS];
  cfg_where titem[CS_MAX_TREATMENTS];    /* where each treatment was introduced */
  unsigned tgiven[CS_MAX_TREATMENTS];    /* bit per row: key given (valid or not) */
  int tappended[CS_MAX_TREATMENTS];      /* added by --set: check required keys at the end */
  char **names;                          /* file names owned by the loader */
  int nnames;
  char *chain[MAX_BASE_DEPTH + 1];       /* real paths of the files being read */
  int depth;
} loader;

static const char *intern(loader *ld, const char *s)
{
  char **p = realloc(ld->names, sizeof *p * (size_t)(ld->nnames + 1));
  if (!p) return "?";
  ld->names = p;
  ld->names[ld->nnames] = strdup(s);
  return ld->names[ld->nnames] ? ld->names[ld->nnames++] : "?";
}

/* ---- error messages --------------------------------------------------------- */

/* Copy user text for a message: one line, printable, at most `max` bytes
 * (cut on a UTF-8 boundary, "..." appended). */
static void clean(char *dst, size_t dstlen, const char *s, size_t max)
{
  size_t n = 0, i = 0;
  if (max + 4 > dstlen) max = dstlen - 4;
  for (; s[i] && n < max; ++i) {
    unsigned char c = (unsigned char)s[i];
    dst[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
  }
  if (s[i]) {
    while (n > 0 && ((unsigned char)dst[n - 1] & 0xC0) == 0x80) --n; /* continuation bytes */
    if (n > 0 && (unsigned char)dst[n - 1] >= 0xC0) --n;            /* a lead byte */
    memcpy(dst + n, "...", 3);
    n += 3;
  }
  dst[n] = '\0';
}

/* Append a copy of `line` to the list (no limit). */
static void append_line(cs_config_errors *e, const char *line)
{
  char **p = realloc(e->lines, sizeof *p * (size_t)(e->n + 1));
  if (!p) return;
  e->lines = p;
  if ((e->lines[e->n] = strdup(line))) e->n++;
}

/* Keep the first MAX_ERRORS messages: a binary file or a generated config
 * gone wrong can produce thousands. */
static void push_line(loader *ld, const char *line)
{
  ld->errs->total++;
  if (ld->errs->n >= MAX_ERRORS) ld->n_dropped++;
  else append_line(ld->errs, line);
}

/* One error: "FILE:L:C: key = value: msg", "--set ARG: msg" or, for a value
 * that was never set, "CONFIG: key = value: msg". `key` and `value` may be
 * NULL; the --set form omits them (the argument already shows them). */
static void report(loader *ld, const cfg_where *w, const char *key, const char *value, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));
static void report(loader *ld, const cfg_where *w, const char *key, const char *value, const char *fmt, ...)
{
  char msg[512], head[700], k[160] = "", v[VALUE_SHOWN + 8] = "", line[1500];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (key) clean(k, sizeof k, key, 120);
  if (value) clean(v, sizeof v, value, VALUE_SHOWN);
  if (w->file) {
    char f[400];
    clean(f, sizeof f, w->file, 380);
    snprintf(head, sizeof head, "%s:%d:%d: ", f, w->line, w->col);
  } else if (w->set) {
    char s[300];
    clean(s, sizeof s, w->set, 280);
    snprintf(line, sizeof line, "--set %s: %s", s, msg);
    push_line(ld, line);
    ld->errs->from_sets++;
    return;
  } else {
    char f[400];
    clean(f, sizeof f, ld->cfg->path[0] ? ld->cfg->path : "(defaults)", 380);
    snprintf(head, sizeof head, "%s: ", f);
  }
  if (value && !*value) value = NULL; /* "k_a: missing value", not "k_a = : ..." */
  snprintf(line, sizeof line, "%s%s%s%s%s%s", head, k, value ? " = " : "", value ? v : "", key || value ? ": " : "",
           msg);
  push_line(ld, line);
}

/* ---- "did you mean" ------------------------------------------------------- */

/* s lowercased, and without underscores if bare: "K_a" -> "k_a" / "ka". */
static void folded(const char *s, char out[64], int bare)
{
  size_t n = 0;
  for (; *s && n < 63; ++s)
    if (!bare || *s != '_') out[n++] = (char)tolower((unsigned char)*s);
  out[n] = '\0';
}

/* Case-insensitive edit distance (so "h" finds "H"); 0 for names that differ
 * only in underscores ("ka" is k_a), 1 when one name of 4 or more characters
 * starts the other ("lesion_rad" is lesion_radius, not the nearer lesion_a;
 * "preconditioner" is precond). */
static int distance(const char *a, const char *b)
{
  char la[64], lb[64];
  if (strlen(a) > 63 || strlen(b) > 63) return 99;
  folded(a, la, 1), folded(b, lb, 1);
  if (!strcmp(la, lb)) return 0;
  folded(a, la, 0), folded(b, lb, 0);
  const size_t na = strlen(la), nb = strlen(lb), nmin = na < nb ? na : nb;
  if (nmin >= 4 && !strncmp(la, lb, nmin)) return 1;
  return cs_edit_distance(la, lb);
}

/* Largest distance still worth suggesting for a name of this length. */
static int near_enough(const char *name)
{
  size_t n = strlen(name);
  return n <= 2 ? 0 : n <= 4 ? 1 : n <= 8 ? 2 : 3; /* "a" is 1 edit from "H": no hint */
}

/* Best row of a table for `name`: its distance, the row in *best. */
static int closest_row(const cs_opt_table *t, const char *name, const cs_opt **best)
{
  int bd = 99;
  *best = NULL;
  for (int i = 0; i < t->n; ++i) {
    int d = distance(name, t->opts[i].name);
    if (d < bd) bd = d, *best = &t->opts[i];
  }
  return bd;
}

/* A suggestion for an unknown key `name` of section `own` (a section index,
 * NTOP for a treatment, -1 for the top level), or "" if nothing is close.
 * Same-name keys of another section win (grid.k_a -> model.k_a), then the
 * nearest key of the own section, then the nearest key anywhere. */
static void suggest(const loader *ld, const char *name, int own, char *out, size_t outlen)
{
  const cs_opt *row;
  int lim = near_enough(name);
  out[0] = '\0';
  if (ld->errs->n >= MAX_ERRORS) return; /* the message is dropped anyway */
  for (int s = 0; s < NSECT; ++s)
    if (s != own && closest_row(sections[s].table, name, &row) == 0) {
      snprintf(out, outlen, "; did you mean %s.%s?", sections[s].table->section, row->name);
      return;
    }
  if (own == -1) { /* the top level: section names */
    int bd = 99;
    const char *best = NULL;
    for (int s = 0; s < NTOP; ++s) {
      const char *cand = s < NSECT ? sections[s].table->section : top_keys[s - NSECT];
      int d = distance(name, cand);
      if (d < bd) bd = d, best = cand;
    }
    if (bd <= lim) {
      snprintf(out, outlen, "; did you mean '%s'?", best);
      return;
    }
  } else {
    const cs_opt_table *t = own == NTOP ? &cs_treatment_table : sections[own].table;
    if (closest_row(t, name, &row) <= lim) {
      snprintf(out, outlen, "; did you mean '%s'?", row->name);
      return;
    }
  }
  int bd = 99;
  const char *bsec = NULL, *bname = NULL;
  for (int s = 0; s < NSECT; ++s) {
    int d = closest_row(sections[s].table, name, &row);
    if (s != own && d < bd) bd = d, bsec = sections[s].table->section, bname = row->name;
  }
  if (bd <= lim) snprintf(out, outlen, "; did you mean %s.%s?", bsec, bname);
}

/* ---- scalars --------------------------------------------------------------- */

static const char *node_kind(const yaml_node_t *n)
{
  switch (n->type) {
  case YAML_MAPPING_NODE: return "a mapping (key: value block)";
  case YAML_SEQUENCE_NODE: return "a list";
  default: return "a single value";
  }
}

/* A scalar's text, or NULL if the node is not a scalar or holds a NUL byte. */
static const char *scalar(const yaml_node_t *n)
{
  if (!n || n->type != YAML_SCALAR_NODE) return NULL;
  const char *s = (const char *)n->data.scalar.value;
  return strlen(s) == n->data.scalar.length ? s : NULL;
}

/* YAML null: an empty or ~/null plain scalar (e.g. "model:" with nothing under it). */
static int is_null(const yaml_node_t *n)
{
  const char *s = scalar(n);
  if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
  return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static int ieq(const char *a, const char *b)
{
  for (; *a && *b; ++a, ++b)
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
  return *a == *b;
}

/* Decimal number syntax only: [+-] digits [. digits] [e [+-] digits]. This
 * keeps strtod from accepting hex, "nan", "inf" and "infinity". */
static int decimal_syntax(const char *s)
{
  int digits = 0;
  if (*s == '+' || *s == '-') ++s;
  while (isdigit((unsigned char)*s)) ++s, ++digits;
  if (*s == '.') {
    ++s;
    while (isdigit((unsigned char)*s)) ++s, ++digits;
  }
  if (!digits) return 0;
  if (*s == 'e' || *s == 'E') {
    ++s;
    if (*s == '+' || *s == '-') ++s;
    if (!isdigit((unsigned char)*s)) return 0;
    while (isdigit((unsigned char)*s)) ++s;
  }
  return *s == '\0';
}

/* NaN and infinity as C and YAML spell them. */
static int nonfinite_word(const char *s)
{
  if (*s == '+' || *s == '-') ++s;
  if (*s == '.') ++s;
  return ieq(s, "nan") || ieq(s, "inf") || ieq(s, "infinity");
}

static int parse_number(const char *s, double *v, char *msg, size_t n)
{
  if (!*s) return snprintf(msg, n, "missing value"), 1;
  if (!decimal_syntax(s)) {
    snprintf(msg, n, nonfinite_word(s) ? "must be a finite number" : "not a number");
    return 1;
  }
  errno = 0;
  *v = strtod(s, NULL);
  if (!isfinite(*v)) return snprintf(msg, n, "too large: must be a finite number"), 1;
  if (errno == ERANGE && fabs(*v) < DBL_MIN) /* 1e-400: read as 0 (or a denormal) without a word */
    return snprintf(msg, n, "too small: below %g, write 0 if zero is meant", DBL_MIN), 1;
  return 0;
}

static int parse_bool(const char *s, double *v, char *msg, size_t n)
{
  static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
  for (int i = 0; i < 4; ++i) {
    if (ieq(s, yes[i])) return *v = 1, 0;
    if (ieq(s, no[i])) return *v = 0, 0;
  }
  snprintf(msg, n, "%s: must be true or false (also yes/no, on/off, 1/0)", *s ? "not a boolean" : "missing value");
  return 1;
}

static int parse_enum(const cs_opt *o, const char *s, double *v, char *msg, size_t n)
{
  size_t len = 0;
  for (int i = 0; o->choices[i]; ++i)
    if (!strcmp(s, o->choices[i])) return *v = i, 0;
  len = (size_t)snprintf(msg, n, "%s: must be one of", *s ? "unknown choice" : "missing value");
  for (int i = 0; o->choices[i] && len < n; ++i)
    len += (size_t)snprintf(msg + len, n - len, "%s %s", i ? "," : "", o->choices[i]);
  return 1;
}

/* Parse `s` for row `o` and check its range: 0 and *v (display unit), or a
 * reason in msg. */
static int parse_value(const cs_opt *o, const char *s, double *v, char *msg, size_t n)
{
  int bad = 0;
  switch (o->type) {
  case CS_OPT_REAL: bad = parse_number(s, v, msg, n); break;
  case CS_OPT_INT:
    bad = parse_number(s, v, msg, n);
    if (!bad && *v != floor(*v)) bad = 1, snprintf(msg, n, "must be a whole number");
    break;
  case CS_OPT_BOOL: bad = parse_bool(s, v, msg, n); break;
  case CS_OPT_ENUM: bad = parse_enum(o, s, v, msg, n); break;
  }
  return bad || cs_opt_check(o, *v, msg, n);
}

/* The single entry for every value, from a file or --set: parse, check,
 * store, remember where it came from. */
static void set_value(loader *ld, const cs_opt *o, void *obj, cfg_where *origin, const char *text,
                      const cfg_where *w, const char *keypath)
{
  char msg[400];
  double v = 0;
  if (parse_value(o, text, &v, msg, sizeof msg)) {
    report(ld, w, keypath, text, "%s", msg);
    return;
  }
  cs_opt_put(o, obj, v);
  *origin = *w;
}

static int row_index(const cs_opt_table *t, const cs_opt *o) { return (int)(o - t->opts); }

/* ---- one mapping of key: value against a table ----------------------------- */

/* Read the pairs of mapping `m` into `obj` using table `t`. `prefix` names
 * the section in messages ("model", "treatments[2]"); `own` is the section
 * index for suggestions; `given` (may be NULL) gets a bit per key present. */
static void read_pairs(loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *m, const cs_opt_table *t,
                       void *obj, cfg_where *origin, const char *prefix, int own, unsigned *given)
{
  int first_line[128] = {0}; /* per row: line of its first occurrence (tables are < 128 rows) */
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; ++p) {
    yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
    cfg_where wk = where_node(file, kn), wv = where_node(file, vn);
    const char *name = scalar(kn), *text = scalar(vn);
    char path[200], hint[160];
    if (!name) {
      report(ld, &wk, prefix, NULL, "keys must be plain names, found %s", node_kind(kn));
      continue;
    }
    snprintf(path, sizeof path, "%s.%s", prefix, name);
    const cs_opt *o = cs_opt_find(t, name);
    if (!o) {
      suggest(ld, name, own, hint, sizeof hint);
      report(ld, &wk, path, NULL, "unknown key%s", hint);
      continue;
    }
    int r = row_index(t, o);
    if (r < 128 && first_line[r]) {
      report(ld, &wk, path, NULL, "duplicate key (first given at line %d)", first_line[r]);
      continue;
    }
    if (r < 128) first_line[r] = wk.line;
    if (given) *given |= 1u << r;
    if (!text) {
      report(ld, &wv, path, NULL, "expected a single value, found %s",
             vn->type == YAML_SCALAR_NODE ? "text with a NUL byte" : node_kind(vn));
      continue;
    }
    set_value(ld, o, obj, &origin[r], text, &wv, path);
  }
}

static void read_section(loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *v, int s)
{
  const char *name = sections[s].table->section;
  if (is_null(v)) return; /* "model:" with everything commented out */
  if (v->type != YAML_MAPPING_NODE) {
    cfg_where w = where_node(file, v);
    report(ld, &w, name, NULL, "expected a mapping of key: value lines, found %s", node_kind(v));
    return;
  }
  read_pairs(ld, file, doc, v, sections[s].table, section_obj(ld->cfg, s), ld->origin[s], name, s, NULL);
}

/* ---- treatments -------------------------------------------------------------- */

static const unsigned required_rows = 0x7; /* type, day, dose: rows 0-2 of cs_treatment_table */

/* Start treatment i with its defaults (viability 1) and no origins. */
static void treatment_init(loader *ld, int i, const cfg_where *w)
{
  cs_opt_set_defaults(&cs_treatment_table, &ld->cfg->treatments[i]);
  memset(ld->torigin[i], 0, sizeof ld->torigin[i]);
  ld->titem[i] = *w;
  ld->tgiven[i] = 0;
  ld->tappended[i] = 0;
}

/* type, day and dose must be given: per missing key for a file, in one
 * line for a treatment added by --set (the message names the key). */
static void check_required(loader *ld, int i)
{
  char missing[64] = "";
  for (int r = 0; r < cs_treatment_table.n; ++r)
    if ((required_rows >> r & 1u) && !(ld->tgiven[i] >> r & 1u)) {
      const char *name = cs_treatment_table.opts[r].name;
      char path[80];
      snprintf(path, sizeof path, "treatments[%d].%s", i, name);
      if (ld->titem[i].file)
        report(ld, &ld->titem[i], path, NULL, "missing (every treatment needs type, day and dose)");
      else
        snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s %s", missing[0] ? "," : "",
                 name);
    }
  if (missing[0])
    report(ld, &ld->titem[i], NULL, NULL, "new treatments[%d] lacks%s (also --set treatments[%d].KEY=...; "
           "a treatment needs type, day and dose)", i, missing, i);
}

/* A `treatments:` list replaces the list read so far (the base's). */
static void read_treatments(loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *v)
{
  cfg_where w = where_node(file, v);
  ld->cfg->n_treatments = 0;
  if (is_null(v)) return;
  if (v->type != YAML_SEQUENCE_NODE) {
    report(ld, &w, "treatments", NULL, "expected a list (\"- {type: msc, day: 30, dose: 1e6}\"), found %s",
           node_kind(v));
    return;
  }
  for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; ++it) {
    yaml_node_t *m = yaml_document_get_node(doc, *it);
    cfg_where wi = where_node(file, m);
    int i = ld->cfg->n_treatments;
    char prefix[40];
    snprintf(prefix, sizeof prefix, "treatments[%d]", i);
    if (i >= CS_MAX_TREATMENTS) {
      report(ld, &wi, "treatments", NULL, "more than %d treatments", CS_MAX_TREATMENTS);
      return;
    }
    treatment_init(ld, i, &wi);
    ld->cfg->n_treatments++; /* even when broken, so later items keep their list index */
    if (m->type != YAML_MAPPING_NODE) {
      report(ld, &wi, prefix, NULL, "expected a mapping {type, day, dose[, viability]}, found %s", node_kind(m));
      ld->tgiven[i] = required_rows; /* reported once, not as three missing keys */
      continue;
    }
    read_pairs(ld, file, doc, m, &cs_treatment_table, &ld->cfg->treatments[i], ld->torigin[i], prefix, NTOP,
               &ld->tgiven[i]);
    check_required(ld, i);
  }
}

static void read_description(loader *ld, const cfg_where *w, const char *text)
{
  if (strlen(text) >= sizeof ld->cfg->description) {
    report(ld, w, "description", NULL, "longer than %zu bytes of UTF-8", sizeof ld->cfg->description - 1);
    return;
  }
  strcpy(ld->cfg->description, text);
}

/* ---- files ----------------------------------------------------------------- */

static void load_file(loader *ld, const char *path, const cfg_where *from);

static void report_syntax(loader *ld, const char *file, const yaml_parser_t *p, const char *text, size_t len)
{
  cfg_where w = {file, 0, 0, NULL};
  char msg[600];
  cs_yaml_problem(p, text, len, &w.line, &w.col, msg, sizeof msg);
  report(ld, &w, NULL, NULL, "%s", msg);
}

/* "dir/of/including.yaml" + "base.yaml" -> "dir/of/base.yaml". */
static char *join_dir(const char *including, const char *rel)
{
  const char *slash = strrchr(including, '/');
  size_t dl = rel[0] == '/' || !slash ? 0 : (size_t)(slash - including) + 1;
  char *out = malloc(dl + strlen(rel) + 1);
  if (!out) return NULL;
  memcpy(out, including, dl);
  strcpy(out + dl, rel);
  return out;
}

/* `base:` of the mapping, loaded before anything else of the file. */
static void read_base(loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *root)
{
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; ++p) {
    const char *k = scalar(yaml_document_get_node(doc, p->key));
    if (!k || strcmp(k, "base")) continue;
    yaml_node_t *vn = yaml_document_get_node(doc, p->value);
    cfg_where w = where_node(file, vn);
    const char *rel = scalar(vn);
    if (!rel || !*rel) {
      report(ld, &w, "base", NULL, "expected the path of another config file, found %s",
             rel ? "nothing" : node_kind(vn));
      return;
    }
    char *path = join_dir(file, rel);
    if (path) load_file(ld, path, &w);
    free(path);
    return; /* a second base: is reported as a duplicate key */
  }
}

/* Every top-level key but base:. */
static void read_top(loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *root)
{
  int first_line[NTOP] = {0};
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; ++p) {
    yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
    cfg_where wk = where_node(file, kn), wv = where_node(file, vn);
    const char *name = scalar(kn);
    char hint[160];
    if (!name) {
      report(ld, &wk, NULL, NULL, "section names must be plain names, found %s", node_kind(kn));
      continue;
    }
    int s = section_index(name);
    for (int t = NSECT; s < 0 && t < NTOP; ++t)
      if (!strcmp(name, top_keys[t - NSECT])) s = t;
    if (s < 0) {
      suggest(ld, name, -1, hint, sizeof hint);
      report(ld, &wk, name, NULL, "unknown section%s", hint);
      continue;
    }
    if (first_line[s]) {
      report(ld, &wk, name, NULL, "duplicate section (first given at line %d)", first_line[s]);
      continue;
    }
    first_line[s] = wk.line;
    if (s < NSECT) read_section(ld, file, doc, vn, s);
    else if (s == TOP_TREATMENTS) read_treatments(ld, file, doc, vn);
    else if (s == TOP_DESCRIPTION) {
      if (scalar(vn)) read_description(ld, &wv, scalar(vn));
      else report(ld, &wv, "description", NULL, "expected text, found %s", node_kind(vn));
    }
  }
}

static void read_document(loader *ld, const char *file, yaml_document_t *doc)
{
  yaml_node_t *root = yaml_document_get_root_node(doc);
  if (!root) {
    cfg_where w = {file, 1, 1, NULL};
    report(ld, &w, NULL, NULL, "empty config: expected sections such as 'model:' or 'grid:'");
    return;
  }
  if (root->type != YAML_MAPPING_NODE) {
    cfg_where w = where_node(file, root);
    report(ld, &w, NULL, NULL, "expected a mapping of sections ('model:', 'grid:', ...) at the top, found %s",
           node_kind(root));
    return;
  }
  read_base(ld, file, doc, root);
  read_top(ld, file, doc, root);
}

/* Event pass over the text: 0 if collections nest deeper than MAX_NESTING
 * (reported). libyaml's scanner costs O(depth) per token, so
 * "[[[[..." of 1 MB would take minutes; the events arrive as the text is
 * scanned, so this stops early. Syntax errors are left to the loader. */
static int nesting_ok(loader *ld, const char *file, const char *text, size_t len)
{
  yaml_parser_t parser;
  yaml_event_t ev;
  int depth = 0, ok = 1, done = 0;
  if (!yaml_parser_initialize(&parser)) return 1;
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  while (!done && yaml_parser_parse(&parser, &ev)) {
    if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) ++depth;
    if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) --depth;
    if (depth > MAX_NESTING) {
      cfg_where w = {file, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1, NULL};
      report(ld, &w, NULL, NULL, "nesting deeper than %d levels (a config uses at most 3)", MAX_NESTING);
      ok = 0;
    }
    done = !ok || ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  return ok;
}

/* Parse `text` as one YAML document and apply it. */
static void parse_text(loader *ld, const char *file, const char *text, size_t len)
{
  yaml_parser_t parser;
  yaml_document_t doc, extra;
  if (!nesting_ok(ld, file, text, len)) return;
  if (!yaml_parser_initialize(&parser)) {
    cfg_where w = {file, 1, 1, NULL};
    report(ld, &w, NULL, NULL, "cannot start the YAML parser");
    return;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&parser, &doc)) { /* libyaml has freed doc */
    report_syntax(ld, file, &parser, text, len);
    yaml_parser_delete(&parser);
    return;
  }
  if (yaml_document_get_root_node(&doc)) { /* a config is one document */
    if (!yaml_parser_load(&parser, &extra)) {
      report_syntax(ld, file, &parser, text, len);
    } else {
      yaml_node_t *r = yaml_document_get_root_node(&extra);
      if (r) {
        cfg_where w = where_node(file, r);
        report(ld, &w, NULL, NULL, "a config holds one YAML document; found a second one ('---')");
      }
      yaml_document_delete(&extra);
    }
  }
  read_document(ld, file, &doc);
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
}

/* Read one file of the base chain. `from` is the base: line naming it (NULL
 * for the file given by the user). */
static void load_file(loader *ld, const char *path, const cfg_where *from)
{
  char *text = NULL;
  size_t len = 0;
  int err = cs_read_text_file(path, &text, &len);
  if (err) {
    const char *why = cs_text_file_error(err);
    if (from) {
      report(ld, from, "base", path, "cannot read: %s", why);
    } else {
      char line[1200], p[1000];
      clean(p, sizeof p, path, 990);
      snprintf(line, sizeof line, "cannot read config file '%s': %s", p, why);
      push_line(ld, line);
      ld->io_error = err != EFBIG;
    }
    return;
  }
  char *real = realpath(path, NULL);
  if (!real) real = strdup(path);
  if (!real) {
    free(text);
    return;
  }
  for (int i = 0; i < ld->depth; ++i)
    if (!strcmp(ld->chain[i], real)) {
      report(ld, from, "base", path, "cycle: this file is already being read (it includes itself)");
      free(real), free(text);
      return;
    }
  if (ld->depth > MAX_BASE_DEPTH) {
    report(ld, from, "base", path, "nesting deeper than %d levels of base:", MAX_BASE_DEPTH);
    free(real), free(text);
    return;
  }
  ld->chain[ld->depth++] = real;
  parse_text(ld, intern(ld, path), text, len);
  free(ld->chain[--ld->depth]);
  free(text);
}

/* ---- --set ---------------------------------------------------------------- */

/* Copy s[0..n) without surrounding blanks. */
static void trimmed(char *dst, size_t dstlen, const char *s, size_t n)
{
  while (n && isspace((unsigned char)*s)) ++s, --n;
  while (n && isspace((unsigned char)s[n - 1])) --n;
  if (n >= dstlen) n = dstlen - 1;
  memcpy(dst, s, n);
  dst[n] = '\0';
}

/* Valid UTF-8 without control characters (text that YAML can hold). */
static int utf8_text(const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0 || (n == 0 && (*p < 0x20 || *p == 0x7f) && *p != '\t')) return 0;
    if (n == 1 && *p < 0xC2) return 0; /* overlong */
    for (int i = 1; i <= n; ++i)
      if ((p[i] & 0xC0) != 0x80) return 0;
    if (n == 2 && ((*p == 0xE0 && p[1] < 0xA0) || (*p == 0xED && p[1] >= 0xA0))) return 0;
    if (n == 3 && ((*p == 0xF0 && p[1] < 0x90) || *p > 0xF4 || (*p == 0xF4 && p[1] >= 0x90))) return 0;
    p += n + 1;
  }
  return 1;
}

/* treatments[N].key=value: N is an existing index or the count (append). */
static void set_treatment(loader *ld, const cfg_where *w, const char *key, const char *value)
{
  const char *p = key + strlen("treatments[");
  char *end;
  if (!isdigit((unsigned char)*p)) {
    report(ld, w, NULL, NULL, "expected treatments[N].key=value");
    return;
  }
  long i = strtol(p, &end, 10);
  if (*end != ']' || end[1] != '.' || !end[2]) {
    report(ld, w, NULL, NULL, "expected treatments[N].key=value");
    return;
  }
  int n = ld->cfg->n_treatments;
  if (i > n || i >= CS_MAX_TREATMENTS) {
    if (i >= CS_MAX_TREATMENTS) report(ld, w, NULL, NULL, "at most %d treatments", CS_MAX_TREATMENTS);
    else report(ld, w, NULL, NULL, "no treatment %ld: the list has %d (use treatments[%d] to add one)", i, n, n);
    return;
  }
  if (i == n) { /* append; type, day and dose are checked at the end */
    treatment_init(ld, n, w);
    ld->tappended[n] = 1;
    ld->cfg->n_treatments++;
  }
  const cs_opt *o = cs_opt_find(&cs_treatment_table, end + 2);
  if (!o) {
    char why[300];
    cs_config_key_check(key, why, sizeof why); /* "unknown key 'x'; did you mean ..." */
    report(ld, w, NULL, NULL, "%s", why);
    return;
  }
  int r = row_index(&cs_treatment_table, o);
  ld->tgiven[i] |= 1u << r;
  set_value(ld, o, &ld->cfg->treatments[i], &ld->torigin[i][r], value, w, NULL);
}

/* section.key=value */
static void set_section_key(loader *ld, const cfg_where *w, const char *key, const char *value)
{
  const char *dot = strchr(key, '.');
  if (!dot && section_index(key) >= 0) {
    report(ld, w, NULL, NULL, "expected section.key=value, e.g. %s.%s=...", key,
           sections[section_index(key)].table->opts[0].name);
    return;
  }
  char why[300], sec[64];
  if (cs_config_key_check(key, why, sizeof why) != CS_OK) { /* unknown section or key, with "did you mean" */
    report(ld, w, NULL, NULL, "%s", why);
    return;
  }
  trimmed(sec, sizeof sec, key, (size_t)(dot - key));
  const int s = section_index(sec);
  const cs_opt *o = cs_opt_find(sections[s].table, dot + 1);
  set_value(ld, o, section_obj(ld->cfg, s), &ld->origin[s][row_index(sections[s].table, o)], value, w, NULL);
}

/* Copy of s[0..n) without surrounding blanks (malloc'd). */
static char *trimmed_copy(const char *s, size_t n)
{
  while (n && isspace((unsigned char)*s)) ++s, --n;
  while (n && isspace((unsigned char)s[n - 1])) --n;
  char *out = malloc(n + 1);
  if (out) memcpy(out, s, n), out[n] = '\0';
  return out;
}

static void apply_set(loader *ld, const char *arg)
{
  cfg_where w = {NULL, 0, 0, arg};
  const char *eq = strchr(arg, '=');
  if (!eq) {
    report(ld, &w, NULL, NULL, "expected section.key=value");
    return;
  }
  char *key = trimmed_copy(arg, (size_t)(eq - arg)), *value = trimmed_copy(eq + 1, strlen(eq + 1));
  if (!key || !value) {
    report(ld, &w, NULL, NULL, "out of memory");
  } else if (!strcmp(key, "description")) {
    if (utf8_text(value)) read_description(ld, &w, value);
    else report(ld, &w, NULL, NULL, "description must be UTF-8 text without control characters");
  } else if (!strcmp(key, "base")) {
    report(ld, &w, NULL, NULL, "base: can only be given inside a config file");
  } else if (!strcmp(key, "treatments")) {
    if (!strcmp(value, "[]")) ld->cfg->n_treatments = 0;
    else report(ld, &w, NULL, NULL, "use treatments=[] (clear the list) or treatments[N].key=value");
  } else if (!strncmp(key, "treatments[", strlen("treatments["))) {
    set_treatment(ld, &w, key, value);
  } else {
    set_section_key(ld, &w, key, value);
  }
  free(key);
  free(value);
}

int cs_config_key_check(const char *key, char *why, size_t n)
{
  cs_config_errors errs = {0};
  loader ld;
  memset(&ld, 0, sizeof ld);
  ld.errs = &errs; /* suggest() reads the error count only */
  char hint[160] = "", sec[64];
  why[0] = '\0';
  if (!strcmp(key, "description") || !strcmp(key, "treatments")) return CS_OK; /* treatments=[] */
  if (!strncmp(key, "treatments[", strlen("treatments["))) {
    const char *p = key + strlen("treatments[");
    char *end = NULL;
    long i = isdigit((unsigned char)*p) ? strtol(p, &end, 10) : -1;
    if (i < 0 || *end != ']' || end[1] != '.' || !end[2]) {
      snprintf(why, n, "expected treatments[N].key");
      return CS_ERR_CONFIG;
    }
    if (i >= CS_MAX_TREATMENTS) {
      snprintf(why, n, "at most %d treatments", CS_MAX_TREATMENTS);
      return CS_ERR_CONFIG;
    }
    if (cs_opt_find(&cs_treatment_table, end + 2)) return CS_OK;
    suggest(&ld, end + 2, NTOP, hint, sizeof hint);
    snprintf(why, n, "unknown key '%s'%s", end + 2, hint);
    return CS_ERR_CONFIG;
  }
  const char *dot = strchr(key, '.');
  if (!dot) {
    suggest(&ld, key, -1, hint, sizeof hint);
    snprintf(why, n, "unknown key '%s' (use section.key)%s", key, hint);
    return CS_ERR_CONFIG;
  }
  trimmed(sec, sizeof sec, key, (size_t)(dot - key));
  int s = section_index(sec);
  if (s < 0) {
    suggest(&ld, sec, -1, hint, sizeof hint);
    if (!hint[0]) suggest(&ld, dot + 1, -1, hint, sizeof hint);
    snprintf(why, n, "unknown section '%s'%s", sec, hint);
    return CS_ERR_CONFIG;
  }
  if (cs_opt_find(sections[s].table, dot + 1)) return CS_OK;
  suggest(&ld, dot + 1, s, hint, sizeof hint);
  snprintf(why, n, "unknown key '%s' in section '%s'%s", dot + 1, sec, hint);
  return CS_ERR_CONFIG;
}

/* ---- cross-section rules ----------------------------------------------------- */

static const cs_opt *row_of(int s, const char *name) { return cs_opt_find(sections[s].table, name); }

static cfg_where *origin_of(loader *ld, int s, const char *name)
{
  return &ld->origin[s][row_index(sections[s].table, row_of(s, name))];
}

static double value_of(loader *ld, int s, const char *name)
{
  return cs_opt_get(row_of(s, name), section_obj(ld->cfg, s));
}

/* Report a rule broken by key a (or, if a was never set, by key b). */
static void rule_error(loader *ld, int sa, const char *a, int sb, const char *b, const char *msg_a,
                       const char *msg_b)
{
  const char *sec_a = sections[sa].table->section, *sec_b = sections[sb].table->section;
  int use_a = where_known(origin_of(ld, sa, a)) || !where_known(origin_of(ld, sb, b));
  int s = use_a ? sa : sb;
  const char *k = use_a ? a : b, *other = use_a ? b : a;
  int so = use_a ? sb : sa;
  char path[80], val[40], oval[40];
  snprintf(path, sizeof path, "%s.%s", use_a ? sec_a : sec_b, k);
  snprintf(val, sizeof val, "%.10g", value_of(ld, s, k));
  snprintf(oval, sizeof oval, "%.10g", value_of(ld, so, other));
  report(ld, origin_of(ld, s, k), path, val, "must be %s %s.%s = %s %s", use_a ? msg_a : msg_b,
         sections[so].table->section, other, oval, row_of(so, other)->unit);
}

static void check_grid(loader *ld)
{
  const int G = section_index("grid");
  const cs_grid *g = &ld->cfg->grid;
  if (g->dim < 3 && g->ny != 1) {
    char val[24];
    snprintf(val, sizeof val, "%d", g->ny);
    report(ld, origin_of(ld, G, "ny"), "grid.ny", val, "must be 1 when grid.dim = %d (y is used only in 3-D)",
           g->dim);
  }
  if (g->dim < 2 && g->nx != 1) {
    char val[24];
    snprintf(val, sizeof val, "%d", g->nx);
    report(ld, origin_of(ld, G, "nx"), "grid.nx", val, "must be 1 when grid.dim = 1 (x is used from 2-D on)");
  }
  const char *names[3] = {"nz", "nx", "ny"};
  double n[3] = {g->nz, g->dim >= 2 ? g->nx : 1, g->dim >= 3 ? g->ny : 1};
  if (n[0] * n[1] * n[2] <= MAX_CELLS) return;
  int worst = -1; /* blame the largest count that was set, else the largest */
  for (int d = 0; d < 3; ++d)
    if (where_known(origin_of(ld, G, names[d])) && (worst < 0 || n[d] > n[worst])) worst = d;
  for (int d = 0; worst < 0 && d < 3; ++d)
    if (d == 2 || (n[d] >= n[(d + 1) % 3] && n[d] >= n[(d + 2) % 3])) worst = d;
  char path[32], val[24];
  snprintf(path, sizeof path, "grid.%s", names[worst]);
  snprintf(val, sizeof val, "%.0f", n[worst]);
  report(ld, origin_of(ld, G, names[worst]), path, val,
         "grid of %.0f x %.0f x %.0f = %.0f cells is too large for memory (at most %.0f cells)", n[0], n[1], n[2],
         n[0] * n[1] * n[2], (double)MAX_CELLS);
}

static void check_treatments(loader *ld)
{
  const double t_end = ld->cfg->run.t_end;
  const int day = row_index(&cs_treatment_table, cs_opt_find(&cs_treatment_table, "day"));
  for (int i = 0; i < ld->cfg->n_treatments; ++i) {
    if (ld->tappended[i]) check_required(ld, i);
    const cs_treatment *t = &ld->cfg->treatments[i];
    /* the cell keys mean nothing for a drug: a value other than the default is a mistake */
    if (t->type == CS_TREAT_IL1RA) {
      static const char *const cell_keys[] = {"source", "viability"};
      for (int k = 0; k < 2; ++k) {
        const cs_opt *o = cs_opt_find(&cs_treatment_table, cell_keys[k]);
        const int r = row_index(&cs_treatment_table, o);
        if (!(ld->tgiven[i] >> r & 1u) || cs_opt_get(o, t) == o->def) continue;
        char path[48], val[40];
        snprintf(path, sizeof path, "treatments[%d].%s", i, o->name);
        if (o->type == CS_OPT_ENUM) snprintf(val, sizeof val, "%s", cs_opt_choice_name(o, (int)cs_opt_get(o, t)));
        else snprintf(val, sizeof val, "%g", cs_opt_get(o, t));
        cfg_where *w = where_known(&ld->torigin[i][r]) ? &ld->torigin[i][r] : &ld->titem[i];
        report(ld, w, path, val, "only for type msc (an il1ra bolus has no cells)");
      }
    }
    if (!(ld->tgiven[i] >> day & 1u) || ld->cfg->treatments[i].day < t_end) continue;
    char path[40], val[40];
    snprintf(path, sizeof path, "treatments[%d].day", i);
    snprintf(val, sizeof val, "%.10g", ld->cfg->treatments[i].day);
    cfg_where *w = where_known(&ld->torigin[i][day]) ? &ld->torigin[i][day] : &ld->titem[i];
    report(ld, w, path, val, "must be before the end of the run (run.t_end = %.10g day)", t_end);
  }
}

/* Output steps a run may take (series rows; field snapshots): found here, by
 * `check` too, not by the run after its file is made. 10 million rows of the
 * ~60 series are ~5 GB; a snapshot holds every cell. */
#define MAX_SERIES_STEPS 1e7
#define MAX_FIELD_SNAPSHOTS 1e6

static void check_output_steps(loader *ld)
{
  const int O = section_index("output");
  const double T = ld->cfg->run.t_end;
  const struct { const char *key; double every, max; const char *what; } q[2] = {
    {"dt", ld->cfg->output.dt, MAX_SERIES_STEPS, "time-series steps"},
    {"fields_every", ld->cfg->output.fields_every, MAX_FIELD_SNAPSHOTS, "field snapshots"}};
  for (int i = 0; i < 2; ++i) {
    if (!(q[i].every > 0) || T / q[i].every <= q[i].max) continue;
    char path[40], val[40];
    snprintf(path, sizeof path, "output.%s", q[i].key);
    snprintf(val, sizeof val, "%.10g", q[i].every);
    report(ld, origin_of(ld, O, q[i].key), path, val, "gives %.3g %s over run.t_end = %.10g day (at most %.0f)",
           T / q[i].every, q[i].what, T, q[i].max);
  }
}

/* A lesion that covers no cell leaves the knee undamaged while /parameters
 * describe a lesion: refused, naming the key that is too small. */
static void check_lesion(loader *ld)
{
  const cs_initial *ini = &ld->cfg->initial;
  if (!(ini->lesion_radius > 0.0)) return;
  const int I = section_index("initial");
  const cs_grid *g = &ld->cfg->grid;
  cs_lesion_cover c;
  cs_initial_lesion_cover(ini, &ld->cfg->model, g, &c);
  char val[40];
  if (c.layers == 0) {
    snprintf(val, sizeof val, "%.10g", ini->lesion_depth);
    report(ld, origin_of(ld, I, "lesion_depth"), "initial.lesion_depth", val,
           "reaches no cell: the top cells' centres are %.6g mm below the surface (model.H = %.6g mm over "
           "grid.nz = %d); a deeper lesion or a finer grid",
           0.5 * ld->cfg->model.H / g->nz, ld->cfg->model.H, g->nz);
  } else if (c.columns == 0) {
    snprintf(val, sizeof val, "%.10g", ini->lesion_radius);
    report(ld, origin_of(ld, I, "lesion_radius"), "initial.lesion_radius", val,
           "covers no cell: the nearest cell centre is %.6g mm from the lesion centre; a larger radius or a "
           "finer grid", c.nearest);
  }
}

static void check_rules(loader *ld)
{
  const int M = section_index("model"), O = section_index("output"), R = section_index("run");
  check_grid(ld);
  if (ld->cfg->model.t_ins1 < ld->cfg->model.t_ins0)
    rule_error(ld, M, "t_ins1", M, "t_ins0", ">=", "<=");
  if (ld->cfg->output.dt > ld->cfg->run.t_end) rule_error(ld, O, "dt", R, "t_end", "<=", ">=");
  check_output_steps(ld);
  check_treatments(ld);
  check_lesion(ld);
}

/* ---- public: load ------------------------------------------------------------ */

void cs_config_defaults(cs_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  for (int s = 0; s < NSECT; ++s) cs_opt_set_defaults(sections[s].table, section_obj(cfg, s));
}

static void loader_free(loader *ld)
{
  for (int s = 0; s < NSECT; ++s) free(ld->origin[s]);
  for (int i = 0; i < ld->nnames; ++i) free(ld->names[i]);
  free(ld->names);
}

int cs_config_load(const char *path, const char *const *sets, int nsets, cs_config *cfg, cs_config_errors *errs)
{
  static loader zero;
  loader *ld = malloc(sizeof *ld); /* ~20 kB of origins: keep it off the stack */
  errs->lines = NULL, errs->n = errs->total = errs->from_sets = 0;
  cs_config_defaults(cfg);
  if (!ld) return CS_ERR_INTERNAL;
  *ld = zero;
  ld->cfg = cfg, ld->errs = errs;
  for (int s = 0; s < NSECT; ++s) ld->origin[s] = calloc((size_t)sections[s].table->n, sizeof(cfg_where));
  if (path && *path) {
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    load_file(ld, path, NULL);
  }
  int io = ld->io_error;
  if (!io) {
    for (int i = 0; i < nsets; ++i) apply_set(ld, sets[i]);
    check_rules(ld);
  }
  if (ld->n_dropped) {
    char line[80];
    snprintf(line, sizeof line, "(%d more errors not shown)", ld->n_dropped);
    append_line(errs, line);
  }
  loader_free(ld);
  free(ld);
  if (io) return CS_ERR_IO;
  return errs->n ? CS_ERR_CONFIG : 0;
}

int cs_config_errors_raise(int rc, const cs_config_errors *errs, const char *file, int print)
{
  if (rc == CS_ERR_IO && errs->n == 1) return cs_error_set(rc, "%s", errs->lines[0]);
  if (print)
    for (int i = 0; i < errs->n; ++i) fprintf(stderr, "%s\n", errs->lines[i]);
  const int t = errs->total > 0 ? errs->total : errs->n; /* a sweep file's reader counts lines only */
  const char *s = t == 1 ? "" : "s";
  if (errs->from_sets == t) return cs_error_set(rc, "%d error%s in the --set options", t, s);
  if (errs->from_sets) return cs_error_set(rc, "%d error%s in %s and the --set options", t, s, file);
  return cs_error_set(rc, "%d error%s in %s", t, s, file);
}

void cs_config_errors_free(cs_config_errors *errs)
{
  if (!errs) return;
  for (int i = 0; i < errs->n; ++i) free(errs->lines[i]);
  free(errs->lines);
  errs->lines = NULL;
  errs->n = 0;
}

/* ---- public: YAML out ------------------------------------------------------- */

typedef struct {
  char *p;
  size_t n, cap;
  int failed;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k = b->failed ? 0 : vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (b->failed || k < 0) return;
    if ((size_t)k < b->cap - b->n) {
      b->n += (size_t)k;
      return;
    }
    char *np = realloc(b->p, b->cap * 2 + (size_t)k);
    if (!np) {
      b->failed = 1;
      return;
    }
    b->p = np, b->cap = b->cap * 2 + (size_t)k;
  }
}

/* The display value whose conversion to the internal unit gives back
 * exactly the stored double (x / scale need not be it). */
static double exact_display(const cs_opt *o, const void *obj)
{
  double x = *(const double *)((const char *)obj + o->offset), s = o->scale != 0 ? o->scale : 1.0;
  double d = x / s, up = d, down = d;
  if (s == 1.0 || d * s == x) return d;
  for (int k = 0; k < 16; ++k) {
    up = nextafter(up, INFINITY), down = nextafter(down, -INFINITY);
    if (up * s == x) return up;
    if (down * s == x) return down;
  }
  return d;
}

/* Text that reads back as exactly d: whole numbers below 1e7 as integers
 * (12000, not 1.2e+04), others as the shortest %g that round-trips. */
static void format_real(double d, char *out, size_t n)
{
  if (d == floor(d) && fabs(d) < 1e7) {
    snprintf(out, n, "%.0f", d);
    return;
  }
  for (int prec = 1; prec <= 17; ++prec) {
    snprintf(out, n, "%.*g", prec, d);
    if (strtod(out, NULL) == d) return;
  }
}

void cs_config_format_real(double d, char *out, size_t n) { format_real(d, out, n); }

int cs_config_value_differs(double mine, double saved, char *mine_text, char *saved_text, size_t n)
{
  if (mine == saved || fabs(mine - saved) <= 1e-12 * fabs(saved)) return 0;
  format_real(mine, mine_text, n);
  format_real(saved, saved_text, n);
  return 1;
}

static void format_value(const cs_opt *o, const void *obj, char *out, size_t n)
{
  const int iv = (int)cs_opt_get(o, obj);
  switch (o->type) {
  case CS_OPT_REAL: format_real(exact_display(o, obj), out, n); break;
  case CS_OPT_INT: snprintf(out, n, "%d", iv); break;
  case CS_OPT_BOOL: snprintf(out, n, "%s", iv ? "true" : "false"); break;
  case CS_OPT_ENUM: snprintf(out, n, "%s", cs_opt_choice_name(o, iv)); break;
  }
}

/* "<indent>key: value", padded, then "# comment". */
static void emit_line(sbuf *b, const char *lead, const char *key, const char *value, const char *comment)
{
  char text[200];
  int len = snprintf(text, sizeof text, "%s%s:%s%s", lead, key, value[0] ? " " : "", value);
  sb_printf(b, "%s%*s # %s\n", text, len < 38 ? 38 - len : 0, "", comment);
}

static void emit_row(sbuf *b, const char *lead, const cs_opt *o, const void *obj)
{
  char value[64], comment[400];
  format_value(o, obj, value, sizeof value);
  snprintf(comment, sizeof comment, "%s \xe2\x80\x94 %s", o->unit, o->help); /* em dash */
  emit_line(b, lead, o->name, value, comment);
}

/* Code points libyaml reads back unchanged in a double-quoted scalar:
 * printable, and not a line break (NEL, LS, PS would be folded). */
static int yaml_printable(uint32_t c)
{
  return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF && c != 0x2028 && c != 0x2029) ||
         (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* `s` as a YAML double-quoted scalar; escapes what libyaml would reject. */
static void emit_quoted(sbuf *b, const char *s)
{
  sb_printf(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
    uint32_t c = n == 1 ? *p : n == 2 ? *p & 0x1Fu : n == 3 ? *p & 0x0Fu : *p & 0x07u;
    for (int i = 1; i < n; ++i) {
      if ((p[i] & 0xC0) != 0x80) n = i, c = 0xFFFD; /* broken sequence: replace */
      else c = c << 6 | (p[i] & 0x3Fu);
    }
    if (c == '"' || c == '\\') sb_printf(b, "\\%c", (char)c);
    else if (c == '\n') sb_printf(b, "\\n");
    else if (c == '\t') sb_printf(b, "\\t");
    else if (yaml_printable(c)) sb_printf(b, "%.*s", n, (const char *)p);
    else if (c <= 0xFF) sb_printf(b, "\\x%02X", (unsigned)c);
    else if (c <= 0xFFFF) sb_printf(b, "\\u%04X", (unsigned)c);
    else sb_printf(b, "\\U%08X", (unsigned)c);
    p += n;
  }
  sb_printf(b, "\"");
}

static void emit_treatments(sbuf *b, const cs_config *cfg)
{
  if (cfg->n_treatments == 0) {
    emit_line(b, "", "treatments", "[]", "injections: none");
    return;
  }
  emit_line(b, "", "treatments", "", "injections, each applied at its day");
  for (int i = 0; i < cfg->n_treatments; ++i)
    for (int r = 0; r < cs_treatment_table.n; ++r)
      emit_row(b, r == 0 ? "  - " : "    ", &cs_treatment_table.opts[r], &cfg->treatments[i]);
}

char *cs_config_to_yaml(const cs_config *cfg)
{
  sbuf b = {malloc(8192), 0, 8192, 0};
  if (!b.p) return NULL;
  b.p[0] = '\0';
  sb_printf(&b, "# cartsim configuration, fully resolved: every key, defaults included.\n");
  sbuf q = {malloc(1024), 0, 1024, 0};
  if (q.p) emit_quoted(&q, cfg->description);
  b.failed |= !q.p || q.failed;
  if (q.p && !q.failed) {
    int len = (int)strlen("description: ") + (int)q.n; /* bytes, not columns: close enough for alignment */
    sb_printf(&b, "description: %s%*s # free text, stored with the results\n", q.p, len < 38 ? 38 - len : 0, "");
  }
  free(q.p);
  for (int s = 0; s < NSECT; ++s) {
    const cs_opt_table *t = sections[s].table;
    const void *obj = (const char *)cfg + sections[s].offset;
    sb_printf(&b, "\n");
    emit_line(&b, "", t->section, "", sections[s].comment);
    for (int r = 0; r < t->n; ++r) emit_row(&b, "  ", &t->opts[r], obj);
  }
  sb_printf(&b, "\n");
  emit_treatments(&b, cfg);
  if (b.failed) {
    free(b.p);
    return NULL;
  }
  return b.p;
}

void cs_yaml_fingerprint(const char *yaml, char out[17])
{
  uint64_t h = CS_FNV_BASIS;
  const char *p = yaml ? yaml : "";
  while (*p) {
    const char *eol = strchr(p, '\n');
    if (!eol) eol = p + strlen(p);
    /* the line up to a comment outside quotes, trailing blanks dropped */
    const char *end = p;
    int quoted = 0;
    for (const char *q = p; q < eol; ++q) {
      if (*q == '"' && (q == p || q[-1] != '\\')) quoted = !quoted;
      if (*q == '#' && !quoted && (q == p || q[-1] == ' ')) break;
      end = q + 1;
    }
    while (end > p && end[-1] == ' ') --end;
    h = cs_fnv_bytes(h, p, (size_t)(end - p));
    h = cs_fnv_bytes(h, "\n", 1);
    p = *eol ? eol + 1 : eol;
  }
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}

void cs_config_fingerprint(const cs_config *cfg, char out[17])
{
  char *y = cs_config_to_yaml(cfg);
  cs_yaml_fingerprint(y, out);
  free(y);
}
