/* options.h - parameters as data.
 *
 * Every user-settable value of cartsim (model parameters, grid, initial
 * state, solver, output, run) is described by one row of a table: its name,
 * type, unit, default, valid range and help text, and where it lives in its
 * struct. The config reader, `--set`, `cartsim check`, the HDF5 /parameters
 * group and the docs all go through these tables, so a parameter exists in
 * exactly one place.
 *
 * Values of type CS_OPT_REAL may carry a `scale`: the config and the output
 * use the display unit (e.g. mL), the struct holds value*scale in the
 * internal unit (mm^3). Ranges are given in the display unit.
 */
#ifndef CS_OPTIONS_H
#define CS_OPTIONS_H

#include <stddef.h>

typedef enum { CS_OPT_REAL, CS_OPT_INT, CS_OPT_BOOL, CS_OPT_ENUM } cs_opt_type;

typedef struct {
  const char *name;           /* key inside its section, e.g. "k_a"            */
  cs_opt_type type;
  const char *unit;           /* display unit ("1/day", "mm", "-" ...)          */
  double def;                 /* default (display unit); enum: index in choices */
  double min, max;            /* valid closed range (display unit)              */
  const char *help;           /* one line                                       */
  size_t offset;              /* offsetof() into the section struct            */
  double scale;               /* internal = display*scale; 0 means 1            */
  const char *const *choices; /* CS_OPT_ENUM: NULL-terminated names             */
} cs_opt;

typedef struct {
  const char *section;        /* "model", "grid", ...                          */
  const cs_opt *opts;
  int n;
} cs_opt_table;

/* Set every field of `obj` to its default. */
void cs_opt_set_defaults(const cs_opt_table *t, void *obj);
/* Row by name, or NULL. */
const cs_opt *cs_opt_find(const cs_opt_table *t, const char *name);
/* Value of a row in display units (enums and ints as numbers). */
double cs_opt_get(const cs_opt *o, const void *obj);
/* Store a display-unit value; the caller has checked the range. */
void cs_opt_put(const cs_opt *o, void *obj, double display_value);
/* Name of an enum value, or "?" */
const char *cs_opt_choice_name(const cs_opt *o, int idx);
/* Check `v` (display units) against the row: 0 if valid, else writes a
 * one-line reason into msg (e.g. "must be in [0, 1e3]"). */
int cs_opt_check(const cs_opt *o, double v, char *msg, size_t msglen);

/* Edit distance used for "did you mean" suggestions. */
int cs_edit_distance(const char *a, const char *b);

#endif
