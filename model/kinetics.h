/* kinetics.h - pointwise reactions of the cartilage fields (model.md).
 *
 * With the receptor signal  S = P+ / (P+ + K_P (1 + R/K_R))
 * and collagen shielding    phi(a) = max(1-a, 0)^m_shield
 * and MSC differentiation   G = k_dE E max(1-Ch, 0) (1-S):
 *
 *   f_P  = Ch (sig_P0 + sig_PP S + sig_PF F+/(K_F+F+)) - del_P P
 *   f_R  = Ch sig_R0 + q_RE E (1 + chi S) - del_R R
 *   f_Z  = Ch (sig_Z0 + sig_ZS S) - del_Z Z
 *   f_M  = Ch (sig_M0 + sig_MS S) - del_M M
 *   f_F  = gam_a k_a Z a + gam_c k_c M c phi(a) + k_wear max(1-c,0) - del_F F
 *   f_a  = Ch sig_a (1-a)/(1 + P+/K_syn) - k_a Z a + sig_aE E (1-a)
 *   f_c  = Ch sig_c (1-c) - k_c M c phi(a) + sig_cE E (1-c)
 *   f_Ch = -mu_C S Ch + G/rho_C
 *   f_E  = r_E E (1 - E/E_max) - mu_E (1 + mu_ES S) E - G
 *
 * X+ = max(X, 0): P and F enter the saturating terms clipped at zero, so
 * that round-off excursions below zero (within the solver tolerance) cannot
 * make a denominator vanish. Transport (diffusion, surface exchange) is not
 * here: see transport.h.
 */
#ifndef CS_KINETICS_H
#define CS_KINETICS_H

#include "params.h"
#include "species.h"

/* Per-volume MSC fate rates in one cell (cells/mm^3/day). */
typedef struct {
  double died;           /* mu_E (1 + mu_ES S) E */
  double differentiated; /* G */
  double proliferated;   /* r_E E (1 - E/E_max) */
} cs_msc_rates;

/* Receptor signal S(P, R). */
double cs_signal(const cs_params *p, double P, double R);

/* du = f(u); `rates` may be NULL. */
void cs_react(const cs_params *p, const double u[CS_NS], double du[CS_NS], cs_msc_rates *rates);

/* J[i + CS_NS*j] = d f_i / d u_j (column-major, as SUNDIALS dense blocks). */
void cs_react_jac(const cs_params *p, const double u[CS_NS], double J[CS_NS * CS_NS]);

#endif
