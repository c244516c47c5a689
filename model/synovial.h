/* synovial.h - the well-mixed synovial compartment and the running
 * integrals (model.md, "Synovial equations").
 *
 * With <J_X> the outward surface flux averaged over the patch surface,
 * S_s = S(P_s, R_s), imm = 1/(1 + (N + N_syn)/K_MSC) and
 * drv = sig_s0 + sig_ins inside the injury window [t_ins0, t_ins1):
 *
 *   dP_s/dt   = (drv + sig_sF F_s^n/(K_sF^n + F_s^n)) imm + (A_c/V_s) <J_P> - k_cl P_s
 *   dR_s/dt   = sig_Rs0 + (A_c/V_s) <J_R> - k_cl R_s
 *   dF_s/dt   = (A_c/V_s) <J_F> - k_clF F_s
 *   dN/dt     = -(lam_N + eps_syn) N + A_c <J_E>          (injections are events)
 *   dN_syn/dt = eps_syn N - lam_syn N_syn
 *   running integrals (cells or days):
 *   d died/dt = (A_c/patch area) sum mu_E (1 + mu_ES S) E dV
 *   d diff/dt = (A_c/patch area) sum G dV
 *   d cleared/dt = lam_N N + lam_syn N_syn
 *   d prolif/dt  = (A_c/patch area) sum r_E E (1 - E/E_max) dV
 *   d synovitis_auc/dt = S_s
 * so that injected + proliferated = N + N_syn + E_total + died + diff + cleared.
 */
#ifndef CS_SYNOVIAL_H
#define CS_SYNOVIAL_H

#include "params.h"
#include "species.h"
#include "transport.h"

/* What the cartilage tells the fluid, already averaged / scaled. */
typedef struct {
  double J[CS_NS];     /* patch-averaged outward fluxes <J_X> per unit area */
  double c_surface;    /* patch-averaged surface collagen */
  cs_msc_rates msc;    /* whole-joint MSC fate rates, cells/day */
} cs_exchange;

/* Turn reduced patch sums (over all patches) into the exchange terms. */
void cs_exchange_from_sums(const cs_params *p, double patch_area, const cs_patch_sums *total,
                           cs_exchange *x);

/* d(dsyn_i/dt) / d<J_s>: the weight of the patch-averaged outward flux in
 * fluid equation i (A_c/V_s for P_s, R_s, F_s, whose sources are <J_P>,
 * <J_R>, <J_F>; A_c for N, whose source is <J_E>; 0 for the others). */
double cs_synovial_flux_gain(const cs_params *p, int i);

/* Synovial drive sig_s0 (+ sig_ins inside the injury window). */
double cs_synovial_drive(const cs_params *p, int injury_on);

void cs_synovial_rhs(const cs_params *p, int injury_on, const double syn[CS_NSYNO],
                     const cs_exchange *x, double dsyn[CS_NSYNO]);

/* J[i + CS_NSYNO*j] = d dsyn_i / d syn_j, including the dependence of the
 * surface fluxes on the fluid values (h_eff of the surface cells of depth
 * spacing hz) and of the MSC attachment on N. */
void cs_synovial_jac(const cs_params *p, int injury_on, double hz, const double syn[CS_NSYNO],
                     const cs_exchange *x, double J[CS_NSYNO * CS_NSYNO]);

#endif
