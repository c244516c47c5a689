/* config_emit.c - a resolved config as YAML (every key, defaults included,
 * each with its unit and help as a comment; read back it gives the same
 * values bit for bit), the fingerprint over that YAML, and the number
 * format of both (also for comparing a config with a saved one).
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_loader.h"
#include "fnv.h"

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

/* d, a value of option o, as the config writes it: true/false, a choice's
 * name, a whole number, or a real (also a flag or index out of range: a
 * damaged file's). */
static void format_as(const cs_opt *o, double d, char *out, size_t n)
{
  if (o->type == CS_OPT_BOOL && (d == 0 || d == 1)) {
    snprintf(out, n, "%s", d != 0 ? "true" : "false");
    return;
  }
  if (o->type == CS_OPT_ENUM && d == floor(d) && d >= 0 && d < 1000 && strcmp(cs_opt_choice_name(o, (int)d), "?")) {
    snprintf(out, n, "%s", cs_opt_choice_name(o, (int)d));
    return;
  }
  if (o->type == CS_OPT_INT && d == floor(d) && fabs(d) <= INT_MAX) {
    snprintf(out, n, "%.0f", d);
    return;
  }
  format_real(d, out, n);
}

int cs_config_value_differs(const cs_opt *o, double mine, double saved, char *mine_text, char *saved_text, size_t n)
{
  if (mine == saved || fabs(mine - saved) <= 1e-12 * fabs(saved)) return 0;
  format_as(o, mine, mine_text, n);
  format_as(o, saved, saved_text, n);
  return 1;
}

static void format_value(const cs_opt *o, const void *obj, char *out, size_t n)
{
  if (o->type == CS_OPT_REAL) format_real(exact_display(o, obj), out, n);
  else format_as(o, cs_opt_get(o, obj), out, n);
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
  for (int s = 0; s < CS_CFG_NSECT; ++s) {
    const cs_opt_table *t = cs_cfg_sections[s].table;
    const void *obj = (const char *)cfg + cs_cfg_sections[s].offset;
    sb_printf(&b, "\n");
    emit_line(&b, "", t->section, "", cs_cfg_sections[s].comment);
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

/* ---- the key tables of docs/config.md ---------------------------------------- */

static void markdown_table(FILE *f, const char *title, const cs_opt_table *t)
{
  fprintf(f, "### `%s`\n\n| key | type | unit | default | range | meaning |\n|---|---|---|---|---|---|\n", title);
  for (int r = 0; r < t->n; ++r) {
    const cs_opt *o = &t->opts[r];
    static const char *const type[] = {"real", "int", "bool", "enum"};
    fprintf(f, "| `%s` | %s | %s | ", o->name, type[o->type], o->unit);
    if (o->type == CS_OPT_BOOL) {
      fprintf(f, "`%s` | true, false", o->def != 0 ? "true" : "false");
    } else if (o->type == CS_OPT_ENUM) {
      fprintf(f, "`%s` |", cs_opt_choice_name(o, (int)o->def));
      for (int c = 0; o->choices[c]; ++c) fprintf(f, "%s `%s`", c ? "," : "", o->choices[c]);
    } else {
      fprintf(f, "%g | [%g, %g]", o->def, o->min, o->max);
    }
    fprintf(f, " | %s |\n", o->help);
  }
}

void cs_config_keys_markdown(FILE *f)
{
  for (int s = 0; s < CS_CFG_NSECT; ++s) {
    if (s) fputc('\n', f);
    markdown_table(f, cs_cfg_sections[s].table->section, cs_cfg_sections[s].table);
    if (!strcmp(cs_cfg_sections[s].table->section, "initial")) {
      fputc('\n', f);
      markdown_table(f, "treatments[]", &cs_treatment_table);
    }
  }
}
