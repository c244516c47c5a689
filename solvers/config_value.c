/* config_value.c - one value of a config, from a file or from --set, read
 * against its table row: decimal numbers only (no hex, nan or inf), whole
 * numbers, booleans (true/false, yes/no, on/off, 1/0), named choices; then
 * the row's range is checked, the value stored and its origin remembered.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_loader.h"

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

int cs_config_parse_number(const char *s, double *v, char *msg, size_t n)
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
  case CS_OPT_REAL: bad = cs_config_parse_number(s, v, msg, n); break;
  case CS_OPT_INT:
    bad = cs_config_parse_number(s, v, msg, n);
    if (!bad && *v != floor(*v)) bad = 1, snprintf(msg, n, "must be a whole number");
    break;
  case CS_OPT_BOOL: bad = parse_bool(s, v, msg, n); break;
  case CS_OPT_ENUM: bad = parse_enum(o, s, v, msg, n); break;
  }
  return bad || cs_opt_check(o, *v, msg, n);
}

/* The single entry for every value, from a file or --set: parse, check,
 * store, remember where it came from. */
void cs_cfg_set_value(cs_cfg_loader *ld, const cs_opt *o, void *obj, cs_cfg_where *origin, const char *text,
                      const cs_cfg_where *w, const char *keypath)
{
  char msg[400];
  double v = 0;
  if (parse_value(o, text, &v, msg, sizeof msg)) {
    cs_cfg_report(ld, w, keypath, text, "%s", msg);
    return;
  }
  cs_opt_put(o, obj, v);
  *origin = *w;
}
