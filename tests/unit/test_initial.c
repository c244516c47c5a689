/* The initial state's focal lesion: inside within lesion_radius laterally and
 * lesion_depth below the surface; on a periodic grid the lesion continues
 * across the boundary (the distance to the nearer image). */
#include <math.h>

#include "../../model/initial.h"
#include "check.h"

static int in_lesion(const cs_initial *ini, const cs_params *p, const cs_grid *g, int k, int i, int j)
{
  double u[CS_NS];
  cs_initial_cell(ini, p, g, k, i, j, u);
  return u[CS_A] == ini->lesion_a;
}

int main(void)
{
  cs_params p;
  cs_opt_set_defaults(&cs_params_table, &p);
  cs_initial ini;
  cs_opt_set_defaults(&cs_initial_table, &ini);
  ini.lesion_radius = 2.0; /* mm */
  ini.lesion_xc = 0.1;     /* x_c = 1 mm of Lx = 10 mm */
  cs_grid g = {.dim = 2, .nz = 10, .nx = 20, .ny = 1, .Lx = 10, .Ly = 1, .periodic = 0};
  const int top = g.nz - 1; /* cell centres 0.25, 0.75, ... 9.75 mm along x */
  CHECK(in_lesion(&ini, &p, &g, top, 5, 0), "x = 2.75 mm, 1.75 mm from the centre: inside");
  CHECK(!in_lesion(&ini, &p, &g, top, 6, 0), "x = 3.25 mm, 2.25 mm away: outside");
  CHECK(!in_lesion(&ini, &p, &g, 0, 2, 0), "the deep cell under the centre: outside (lesion_depth)");
  CHECK(!in_lesion(&ini, &p, &g, top, 19, 0), "walls: x = 9.75 mm is 8.75 mm away");
  g.periodic = 1;
  CHECK(in_lesion(&ini, &p, &g, top, 19, 0), "periodic: x = 9.75 mm is 1.25 mm away across the boundary");
  CHECK(in_lesion(&ini, &p, &g, top, 18, 0), "periodic: x = 9.25 mm is 1.75 mm away");
  CHECK(!in_lesion(&ini, &p, &g, top, 17, 0), "periodic: x = 8.75 mm is 2.25 mm away: outside");
  CHECK(in_lesion(&ini, &p, &g, top, 5, 0) && !in_lesion(&ini, &p, &g, top, 6, 0), "the near side is unchanged");
  /* coverage (the config reader refuses a lesion of no cell) */
  cs_lesion_cover c;
  g.periodic = 0;
  cs_initial_lesion_cover(&ini, &p, &g, &c);
  CHECK(c.columns == 6 && c.layers == 2, "x = 0.25..2.75 mm: 6 columns (got %ld); depth 0.5 mm, centres 0.12, 0.36, "
        "0.6 mm below the surface: 2 layers (got %ld)", c.columns, c.layers);
  ini.lesion_radius = 0.2; /* the centre x = 1 mm sits on a face: the nearest centres are 0.25 mm away */
  cs_initial_lesion_cover(&ini, &p, &g, &c);
  CHECK(c.columns == 0 && fabs(c.nearest - 0.25) < 1e-12, "radius 0.2: no column, nearest %g mm", c.nearest);
  ini.lesion_radius = 50.0, ini.lesion_depth = 0.1; /* wider than the patch; shallower than the top centre (0.12) */
  cs_initial_lesion_cover(&ini, &p, &g, &c);
  CHECK(c.columns == 20 && c.layers == 0, "radius 50: all 20 columns (got %ld); depth 0.1: no layer (got %ld)",
        c.columns, c.layers);
  return cs_test_report("test_initial");
}
