/* config_report.c - the config reader's error messages: one line per
 * problem, "FILE:LINE:COL: key = value: msg" or "--set ARG: msg", the first
 * CS_CFG_MAX_ERRORS kept and the rest counted; and the "did you mean" hint
 * for an unknown key (same name in another section, else the nearest name).
 */
#define _XOPEN_SOURCE 700 /* strdup */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_loader.h"
#include "error.h"

#define VALUE_SHOWN 60 /* characters of a value quoted in messages */

/* ---- error messages --------------------------------------------------------- */

/* Copy user text for a message: one line, printable, at most `max` bytes
 * (cut on a UTF-8 boundary, "..." appended). */
void cs_cfg_clean(char *dst, size_t dstlen, const char *s, size_t max)
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
void cs_cfg_append_line(cs_config_errors *e, const char *line)
{
  char **p = realloc(e->lines, sizeof *p * (size_t)(e->n + 1));
  if (!p) return;
  e->lines = p;
  if ((e->lines[e->n] = strdup(line))) e->n++;
}

/* Keep the first CS_CFG_MAX_ERRORS messages: a binary file or a generated
 * config gone wrong can produce thousands. */
void cs_cfg_push_line(cs_cfg_loader *ld, const char *line)
{
  ld->errs->total++;
  if (ld->errs->n >= CS_CFG_MAX_ERRORS) ld->n_dropped++;
  else cs_cfg_append_line(ld->errs, line);
}

/* One error: "FILE:L:C: key = value: msg", "--set ARG: msg" or, for a value
 * that was never set, "CONFIG: key = value: msg". `key` and `value` may be
 * NULL; the --set form omits them (the argument already shows them). */
void cs_cfg_report(cs_cfg_loader *ld, const cs_cfg_where *w, const char *key, const char *value, const char *fmt,
                   ...)
{
  char msg[512], head[700], k[160] = "", v[VALUE_SHOWN + 8] = "", line[1500];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (key) cs_cfg_clean(k, sizeof k, key, 120);
  if (value) cs_cfg_clean(v, sizeof v, value, VALUE_SHOWN);
  if (w->file) {
    char f[400];
    cs_cfg_clean(f, sizeof f, w->file, 380);
    snprintf(head, sizeof head, "%s:%d:%d: ", f, w->line, w->col);
  } else if (w->set) {
    char s[300];
    cs_cfg_clean(s, sizeof s, w->set, 280);
    snprintf(line, sizeof line, "--set %s: %s", s, msg);
    cs_cfg_push_line(ld, line);
    ld->errs->from_sets++;
    return;
  } else {
    char f[400];
    cs_cfg_clean(f, sizeof f, ld->cfg->path[0] ? ld->cfg->path : "(defaults)", 380);
    snprintf(head, sizeof head, "%s: ", f);
  }
  if (value && !*value) value = NULL; /* "k_a: missing value", not "k_a = : ..." */
  snprintf(line, sizeof line, "%s%s%s%s%s%s", head, k, value ? " = " : "", value ? v : "", key || value ? ": " : "",
           msg);
  cs_cfg_push_line(ld, line);
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
 * CS_CFG_NTOP for a treatment, -1 for the top level), or "" if nothing is
 * close. Same-name keys of another section win (grid.k_a -> model.k_a), then the
 * nearest key of the own section, then the nearest key anywhere. */
void cs_cfg_suggest(const cs_cfg_loader *ld, const char *name, int own, char *out, size_t outlen)
{
  const cs_opt *row;
  int lim = near_enough(name);
  out[0] = '\0';
  if (ld->errs->n >= CS_CFG_MAX_ERRORS) return; /* the message is dropped anyway */
  for (int s = 0; s < CS_CFG_NSECT; ++s)
    if (s != own && closest_row(cs_cfg_sections[s].table, name, &row) == 0) {
      snprintf(out, outlen, "; did you mean %s.%s?", cs_cfg_sections[s].table->section, row->name);
      return;
    }
  if (own == -1) { /* the top level: section names */
    int bd = 99;
    const char *best = NULL;
    for (int s = 0; s < CS_CFG_NTOP; ++s) {
      const char *cand = s < CS_CFG_NSECT ? cs_cfg_sections[s].table->section : cs_cfg_top_keys[s - CS_CFG_NSECT];
      int d = distance(name, cand);
      if (d < bd) bd = d, best = cand;
    }
    if (bd <= lim) {
      snprintf(out, outlen, "; did you mean '%s'?", best);
      return;
    }
  } else {
    const cs_opt_table *t = own == CS_CFG_NTOP ? &cs_treatment_table : cs_cfg_sections[own].table;
    if (closest_row(t, name, &row) <= lim) {
      snprintf(out, outlen, "; did you mean '%s'?", row->name);
      return;
    }
  }
  int bd = 99;
  const char *bsec = NULL, *bname = NULL;
  for (int s = 0; s < CS_CFG_NSECT; ++s) {
    int d = closest_row(cs_cfg_sections[s].table, name, &row);
    if (s != own && d < bd) bd = d, bsec = cs_cfg_sections[s].table->section, bname = row->name;
  }
  if (bd <= lim) {
    snprintf(out, outlen, "; did you mean %s.%s?", bsec, bname);
    return;
  }
  /* nothing close: name the keys of a short section (grid, run, output, ...) */
  const cs_opt_table *t = own == CS_CFG_NTOP ? &cs_treatment_table : own >= 0 ? cs_cfg_sections[own].table : NULL;
  if (t && t->n <= CS_CFG_LIST_KEYS) {
    size_t at = (size_t)snprintf(out, outlen, "; the keys of %s are", own == CS_CFG_NTOP ? "a treatment" : t->section);
    for (int i = 0; i < t->n && at < outlen; ++i)
      at += (size_t)snprintf(out + at, outlen - at, "%s %s", i ? "," : "", t->opts[i].name);
  }
}

void cs_cfg_list_top(char *out, size_t outlen)
{
  size_t at = (size_t)snprintf(out, outlen, "; the top-level keys are");
  for (int s = 0; s < CS_CFG_NTOP && at < outlen; ++s)
    at += (size_t)snprintf(out + at, outlen - at, "%s %s", s ? "," : "",
                           s < CS_CFG_NSECT ? cs_cfg_sections[s].table->section : cs_cfg_top_keys[s - CS_CFG_NSECT]);
}
