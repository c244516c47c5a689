/* initial.h - the initial state: uniform tissue, an optional focal lesion,
 * and the starting synovial values.
 *
 * Healthy tissue: a = a0, c = c0, Ch = Ch0, all soluble fields and E zero.
 * Lesion (lesion_radius > 0): cells whose centre lies within lesion_depth of
 * the surface (z > H - lesion_depth) and within lesion_radius of the lesion
 * centre laterally (x_c = lesion_xc Lx, y_c = lesion_yc Ly; the lateral
 * distance is 0 in 1-D, so a 1-D lesion is a damaged surface layer; on a
 * periodic grid it is the distance to the nearer periodic image, so a lesion
 * near one edge continues across it) start with a = lesion_a, c = lesion_c,
 * Ch = lesion_Ch.
 */
#ifndef CS_INITIAL_H
#define CS_INITIAL_H

#include "grid.h"
#include "options.h"
#include "params.h"
#include "species.h"

typedef struct {
  double a0, c0, Ch0;
  double P_s, R_s, F_s, N, N_syn;
  double lesion_radius, lesion_depth, lesion_xc, lesion_yc;
  double lesion_a, lesion_c, lesion_Ch;
} cs_initial;

extern const cs_opt_table cs_initial_table;

/* Initial values of the cell with global indices (k, i, j). */
void cs_initial_cell(const cs_initial *ini, const cs_params *p, const cs_grid *g, int k, int i, int j,
                     double u[CS_NS]);
/* How much of the grid a lesion covers: its cells are layers x columns
 * (depth layers whose centre is within lesion_depth of the surface, lateral
 * columns whose centre is within lesion_radius of the lesion centre);
 * nearest is the lateral distance of the nearest column centre (mm). The
 * config reader refuses a lesion that covers no cell. */
typedef struct {
  long layers, columns;
  double nearest;
} cs_lesion_cover;
void cs_initial_lesion_cover(const cs_initial *ini, const cs_params *p, const cs_grid *g, cs_lesion_cover *out);

/* Initial synovial values and zeroed running integrals. */
void cs_initial_synovial(const cs_initial *ini, double syn[CS_NSYNO]);

#endif
