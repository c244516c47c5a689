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

#include <math.h>

#include "params.h"
#include "species.h"

/* Per-volume MSC fate rates in one cell (cells/mm^3/day). */
typedef struct {
  double died;           /* mu_E (1 + mu_ES S) E */
  double differentiated; /* G */
  double proliferated;   /* r_E E (1 - E/E_max) */
} cs_msc_rates;

/* The parameters of f(u) as the per-cell evaluation uses them: products of
 * parameters and reciprocals formed once per parameter set, so that a cell
 * costs only the three divisions that depend on the state,
 *   S = P+ / (P+ + K_P + (K_P/K_R) R),   F+ / (K_F + F+),
 *   1 / (1 + P+/K_syn) = K_syn / (K_syn + P+).
 * Make it with cs_kin_make and evaluate with cs_kin_eval (inline, so that a
 * loop over cells can be vectorised). */
typedef struct {
  double K_P, KP_KR, K_F, K_syn;         /* K_P, K_P/K_R, K_F, K_syn */
  double sig_P0, sig_PP, sig_PF, del_P;
  double sig_R0, q_RE, chi, del_R;
  double sig_Z0, sig_ZS, del_Z, sig_M0, sig_MS, del_M;
  double gk_a, gk_c, k_wear, del_F;      /* gam_a k_a, gam_c k_c */
  double sig_a, k_a, sig_aE, sig_c, k_c, sig_cE;
  double mu_C, k_dE, inv_rho_C, r_E, inv_E_max, mu_E, mu_ES;
  double m_shield;
  int m_whole; /* m_shield if it is 0, 1, 2 or 3 (phi by products), else -1 (pow) */
} cs_kin;

cs_kin cs_kin_make(const cs_params *p);

static inline double cs_kin_pos(double x) { return x > 0.0 ? x : 0.0; }

/* du = f(u) with phi = max(1-a,0)^m_shield given as `phi` (products for a
 * whole m_shield, see m_whole); `rates` receives the MSC fates. */
static inline void cs_kin_eval(const cs_kin *k, const double *u, double phi, double *du, cs_msc_rates *rates)
{
  const double P = u[CS_P], R = u[CS_R], Z = u[CS_Z], M = u[CS_M], F = u[CS_F];
  const double a = u[CS_A], c = u[CS_C], Ch = u[CS_CH], E = u[CS_E];
  const double Pp = cs_kin_pos(P), Fp = cs_kin_pos(F);
  const double den = Pp + (k->K_P + k->KP_KR * R);
  /* S = 0 where den <= 0, as Pp / inf (Pp is finite and >= 0 there): one
   * select before the division, which then runs in every lane; with the
   * select after it GCC moved the division under the branch, and without
   * AVX-512's masked division that kept the loop over cells scalar */
  const double S = Pp / (den > 0.0 ? den : INFINITY);
  const double sat = Fp / (k->K_F + Fp);
  const double inh = k->K_syn / (k->K_syn + Pp);
  const double G = k->k_dE * E * cs_kin_pos(1.0 - Ch) * (1.0 - S);
  const double died = k->mu_E * (1.0 + k->mu_ES * S) * E;
  const double prolif = k->r_E * E * (1.0 - E * k->inv_E_max);

  du[CS_P] = Ch * (k->sig_P0 + k->sig_PP * S + k->sig_PF * sat) - k->del_P * P;
  du[CS_R] = Ch * k->sig_R0 + k->q_RE * E * (1.0 + k->chi * S) - k->del_R * R;
  du[CS_Z] = Ch * (k->sig_Z0 + k->sig_ZS * S) - k->del_Z * Z;
  du[CS_M] = Ch * (k->sig_M0 + k->sig_MS * S) - k->del_M * M;
  du[CS_F] = k->gk_a * Z * a + k->gk_c * M * c * phi + k->k_wear * cs_kin_pos(1.0 - c) - k->del_F * F;
  du[CS_A] = Ch * k->sig_a * (1.0 - a) * inh - k->k_a * Z * a + k->sig_aE * E * (1.0 - a);
  du[CS_C] = Ch * k->sig_c * (1.0 - c) - k->k_c * M * c * phi + k->sig_cE * E * (1.0 - c);
  du[CS_CH] = -k->mu_C * S * Ch + G * k->inv_rho_C;
  du[CS_E] = prolif - died - G;
  rates->died = died;
  rates->differentiated = G;
  rates->proliferated = prolif;
}

/* Receptor signal S(P, R). */
double cs_signal(const cs_params *p, double P, double R);

/* du = f(u); `rates` may be NULL. */
void cs_react(const cs_params *p, const double u[CS_NS], double du[CS_NS], cs_msc_rates *rates);

/* The same with the parameter set prepared once (cs_kin_make), for loops
 * over cells outside the vectorised kernel of transport.c. */
void cs_kin_react(const cs_kin *k, const double u[CS_NS], double du[CS_NS], cs_msc_rates *rates);

/* J[i + CS_NS*j] = d f_i / d u_j (column-major, as SUNDIALS dense blocks). */
void cs_react_jac(const cs_params *p, const double u[CS_NS], double J[CS_NS * CS_NS]);

#endif
