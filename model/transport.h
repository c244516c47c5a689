/* transport.h - the cartilage right-hand side on one patch: diffusion,
 * surface exchange and reactions. Pure: no communication; the caller
 * fills the halo faces (cs_halo, grid.h) first, or in two parts: the
 * columns that read no halo value while the faces are on their way, then
 * the border columns (cs_transport_rhs_columns).
 *
 * Finite volumes on cell centres, uniform spacing h_d in direction d:
 *
 *   du_s/dt = sum_d [F_s(d, +) - F_s(d, -)] / h_d + f_s(u)           (kinetics.h)
 *   interior face:  F = D_s (u_nb - u) / h_d
 *   tidemark z = 0 and lateral no-flux walls:  F = 0
 *   articular surface z = H, for s in P, R, Z, M, F (outward flux J):
 *       J_s = (u_s - kappa X_s) / (1/h_m + (h_z/2)/D_s),
 *       X_s = P_s, R_s, 0, 0, F_s   (enzymes are lost to the fluid)
 *   and for the engrafted MSCs an attachment influx (J_E < 0):
 *       J_E = -k_att (N/V_s) (1 + beta_att (1 - c_surface))
 *
 * The face fluxes are antisymmetric, so with no-flux walls the scheme
 * conserves sum(u h_z h_x h_y) exactly; it is second-order accurate in h.
 *
 * The kernel also returns the patch's contributions to the surface fluxes
 * (sum of J dA over its surface cells) and to the MSC fate integrals
 * (sum of rate dV), which the caller reduces over all patches.
 */
#ifndef CS_TRANSPORT_H
#define CS_TRANSPORT_H

#include "grid.h"
#include "kinetics.h"
#include "params.h"
#include "species.h"

typedef struct {
  double J[CS_NS];       /* sum over surface cells of outward flux * dA (J[CS_E] <= 0) */
  double c_surface;      /* sum over surface cells of c * dA */
  cs_msc_rates msc;      /* sum over cells of rate * dV, cells/day */
} cs_patch_sums;

/* Number of doubles in cs_patch_sums, for reductions. */
#define CS_PATCH_SUMS_LEN (CS_NS + 1 + 3)
_Static_assert(sizeof(cs_patch_sums) == CS_PATCH_SUMS_LEN * sizeof(double), "cs_patch_sums is reduced as doubles");

/* Effective transfer coefficient 1/(1/h_m + (h_z/2)/D) of species with
 * diffusivity D across the surface (0 when D or h_m is 0), mm/day. */
double cs_surface_transfer(const cs_params *p, double D, double hz);

/* Full cartilage RHS on the patch. u: owned values (owned layout, grid.h);
 * halo: the faces beyond the patch's non-wall sides (may be NULL when
 * cs_patch_reads_halo(pt) is 0); syn: synovial values (P_s, R_s, F_s, N,
 * ...); du: owned layout. `sums` may be NULL. */
void cs_transport_rhs(const cs_params *p, const cs_patch *pt, const double *u, const cs_halo *halo,
                      const double *syn, double *du, cs_patch_sums *sums);

/* Which columns cs_transport_rhs_columns evaluates: all, those that read
 * no halo value (inner), or those that do (border). */
typedef enum { CS_COLUMNS_ALL, CS_COLUMNS_INNER, CS_COLUMNS_BORDER } cs_columns;

/* 1 if depth column (i, j) of the patch reads a halo value: it lies on a
 * lateral side that is not a wall, or the depth is split (1-D). */
int cs_column_reads_halo(const cs_patch *pt, int i, int j);

/* cs_transport_rhs on some columns: the inner columns need no halo value
 * (halo may still be in flight), the border columns need it. Each cell's
 * derivative is the same bits as from cs_transport_rhs; the two parts'
 * sums added (cs_patch_sums_add) equal its sums to rounding. */
void cs_transport_rhs_columns(const cs_params *p, const cs_patch *pt, const double *u, const cs_halo *halo,
                              cs_columns which, const double *syn, double *du, cs_patch_sums *sums);

/* to += add, member by member. */
void cs_patch_sums_add(cs_patch_sums *to, const cs_patch_sums *add);

/* Derivative of the transport part of du(cell)/dt with respect to the
 * cell's own values, per species (diagonal): -sum over non-wall faces of
 * D/h^2, the surface transfer -h_eff/h_z, nothing for walls. The E
 * attachment's dependence on c_surface is returned in *dE_dc (0 off the
 * surface). `N` is the free MSC count. */
void cs_transport_diag(const cs_params *p, const cs_patch *pt, int k, int i, int j, double N,
                       double diag[CS_NS], double *dE_dc);

/* The surface's coupling to the fluid values it exchanges with: the
 * derivatives of the surface terms above (the preconditioner's bordered
 * solve eliminates the fluid with them). Coupling q = 0..3:
 *   fluid value  cs_couple_fluid[q] = P_s, R_s, F_s, N
 *   cell row     cs_couple_row[q]   = P, R, F, E  (the flux J_q = J_row and
 *                                                  where the fluid value enters du)
 *   cell column  cs_couple_col[q]   = P, R, F, c  (what J_q depends on)
 * For a surface cell with collagen c and N free MSCs in the fluid:
 *   dcell[q] = d(du_row/dt) / d(fluid value q)
 *            = h_eff,q kappa / h_z (q < 3),  k_att (1 + beta_att (1 - c)) / (V_s h_z) (q = 3)
 *   dflux[q] = d J_q / d u_col (outward flux per unit area)
 *            = h_eff,q (q < 3),  k_att N beta_att / V_s (q = 3; independent of c)
 * where h_eff,q = cs_surface_transfer(D_row, h_z). */
enum { CS_NCOUPLE = 4 };
extern const int cs_couple_fluid[CS_NCOUPLE], cs_couple_row[CS_NCOUPLE], cs_couple_col[CS_NCOUPLE];
void cs_surface_coupling(const cs_params *p, double hz, double c, double N, double dcell[CS_NCOUPLE],
                         double dflux[CS_NCOUPLE]);

/* Integrals of the owned state: sum of u_s dV per species, sum of c dA on
 * the surface layer. Used for means, thickness, E_total and surface_c. */
typedef struct {
  double u_dV[CS_NS];
  double c_surface_dA;
  double min_value[CS_NS]; /* smallest value of each species on the patch */
} cs_patch_integrals;
#define CS_PATCH_INTEGRALS_SUMLEN (CS_NS + 1)

void cs_transport_integrals(const cs_patch *pt, const double *u, cs_patch_integrals *out);

#endif
