/* config_set.c - the `--set KEY=VALUE` overrides, applied after the files:
 * section.key=value, treatments[N].key=value (N = the count appends one),
 * treatments=[] and description=...; and cs_config_key_check, the key-name
 * check that --set and sweep files share.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_loader.h"
#include "error.h"

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
static void set_treatment(cs_cfg_loader *ld, const cs_cfg_where *w, const char *key, const char *value)
{
  const char *p = key + strlen("treatments[");
  char *end;
  if (!isdigit((unsigned char)*p)) {
    cs_cfg_report(ld, w, NULL, NULL, "expected treatments[N].key=value");
    return;
  }
  long i = strtol(p, &end, 10);
  if (*end != ']' || end[1] != '.' || !end[2]) {
    cs_cfg_report(ld, w, NULL, NULL, "expected treatments[N].key=value");
    return;
  }
  int n = ld->cfg->n_treatments;
  if (i > n || i >= CS_MAX_TREATMENTS) {
    if (i >= CS_MAX_TREATMENTS) cs_cfg_report(ld, w, NULL, NULL, "at most %d treatments", CS_MAX_TREATMENTS);
    else cs_cfg_report(ld, w, NULL, NULL, "no treatment %ld: the list has %d (use treatments[%d] to add one)", i, n, n);
    return;
  }
  if (i == n) { /* append; type, day and dose are checked at the end */
    cs_cfg_treatment_init(ld, n, w);
    ld->tappended[n] = 1;
    ld->cfg->n_treatments++;
  }
  const cs_opt *o = cs_opt_find(&cs_treatment_table, end + 2);
  if (!o) {
    char why[300];
    cs_config_key_check(key, why, sizeof why); /* "unknown key 'x'; did you mean ..." */
    cs_cfg_report(ld, w, NULL, NULL, "%s", why);
    return;
  }
  int r = cs_cfg_row_index(&cs_treatment_table, o);
  ld->tgiven[i] |= 1u << r;
  cs_cfg_set_value(ld, o, &ld->cfg->treatments[i], &ld->torigin[i][r], value, w, NULL);
}

/* section.key=value */
static void set_section_key(cs_cfg_loader *ld, const cs_cfg_where *w, const char *key, const char *value)
{
  const char *dot = strchr(key, '.');
  if (!dot && cs_cfg_section_index(key) >= 0) {
    cs_cfg_report(ld, w, NULL, NULL, "expected section.key=value, e.g. %s.%s=...", key,
                  cs_cfg_sections[cs_cfg_section_index(key)].table->opts[0].name);
    return;
  }
  char why[300], sec[64];
  if (cs_config_key_check(key, why, sizeof why) != CS_OK) { /* unknown section or key, with "did you mean" */
    cs_cfg_report(ld, w, NULL, NULL, "%s", why);
    return;
  }
  trimmed(sec, sizeof sec, key, (size_t)(dot - key));
  const int s = cs_cfg_section_index(sec);
  const cs_opt *o = cs_opt_find(cs_cfg_sections[s].table, dot + 1);
  const int r = cs_cfg_row_index(cs_cfg_sections[s].table, o);
  cs_cfg_set_value(ld, o, cs_cfg_section_obj(ld->cfg, s), &ld->origin[s][r], value, w, NULL);
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

/* A value in one pair of quotes, "0.3" or 'msc', without quotes or a
 * backslash inside, loses the pair: the file reads `k_a: "0.3"` as its
 * scalar 0.3, so --set does as well (escapes are not read: such a value is
 * taken as written). In place. */
static void unquote(char *v)
{
  const size_t n = strlen(v);
  if (n < 2 || (v[0] != '"' && v[0] != '\'') || v[n - 1] != v[0]) return;
  for (size_t i = 1; i + 1 < n; ++i)
    if (v[i] == v[0] || v[i] == '\\') return;
  memmove(v, v + 1, n - 2);
  v[n - 2] = '\0';
}

void cs_cfg_apply_set(cs_cfg_loader *ld, const char *arg)
{
  cs_cfg_where w = {NULL, 0, 0, arg};
  const char *eq = strchr(arg, '=');
  if (!eq) {
    cs_cfg_report(ld, &w, NULL, NULL, "expected section.key=value");
    return;
  }
  char *key = trimmed_copy(arg, (size_t)(eq - arg)), *value = trimmed_copy(eq + 1, strlen(eq + 1));
  if (value) unquote(value);
  if (!key || !value) {
    cs_cfg_report(ld, &w, NULL, NULL, "out of memory");
  } else if (!strcmp(key, "description")) {
    if (utf8_text(value)) cs_cfg_read_description(ld, &w, value);
    else cs_cfg_report(ld, &w, NULL, NULL, "description must be UTF-8 text without control characters");
  } else if (!strcmp(key, "base")) {
    cs_cfg_report(ld, &w, NULL, NULL, "base: can only be given inside a config file");
  } else if (!strcmp(key, "treatments")) {
    if (!strcmp(value, "[]")) ld->cfg->n_treatments = 0;
    else cs_cfg_report(ld, &w, NULL, NULL, "use treatments=[] (clear the list) or treatments[N].key=value");
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
  cs_cfg_loader ld;
  memset(&ld, 0, sizeof ld);
  ld.errs = &errs; /* cs_cfg_suggest() reads the error count only */
  char hint[CS_CFG_HINT] = "", sec[64];
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
    cs_cfg_suggest(&ld, end + 2, CS_CFG_NTOP, hint, sizeof hint);
    snprintf(why, n, "unknown key '%s'%s", end + 2, hint);
    return CS_ERR_CONFIG;
  }
  const char *dot = strchr(key, '.');
  if (!dot) {
    cs_cfg_suggest(&ld, key, -1, hint, sizeof hint);
    snprintf(why, n, "unknown key '%s' (use section.key)%s", key, hint);
    return CS_ERR_CONFIG;
  }
  trimmed(sec, sizeof sec, key, (size_t)(dot - key));
  if (!strcmp(sec, "treatments")) { /* not a section: "did you mean 'treatments'" said nothing */
    snprintf(why, n, "treatments is a list: use treatments[N].%s (N from 0)", dot + 1);
    return CS_ERR_CONFIG;
  }
  int s = cs_cfg_section_index(sec);
  if (s < 0) {
    cs_cfg_suggest(&ld, sec, -1, hint, sizeof hint);
    if (!hint[0]) cs_cfg_suggest(&ld, dot + 1, -1, hint, sizeof hint);
    if (!hint[0]) cs_cfg_list_top(hint, sizeof hint);
    snprintf(why, n, "unknown section '%s'%s", sec, hint);
    return CS_ERR_CONFIG;
  }
  if (cs_opt_find(cs_cfg_sections[s].table, dot + 1)) return CS_OK;
  cs_cfg_suggest(&ld, dot + 1, s, hint, sizeof hint);
  snprintf(why, n, "unknown key '%s' in section '%s'%s", dot + 1, sec, hint);
  return CS_ERR_CONFIG;
}
