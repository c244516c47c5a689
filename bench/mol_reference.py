#!/usr/bin/python3
"""Independent Python reference implementation of the 1-D cartsim reference model.

Method of lines: cell-centred finite volumes on ``nz`` uniform cells of width
``dz = H/nz`` over the cartilage depth (cell k spans [k dz, (k+1) dz], z = 0 is
the tidemark, z = H the articular surface; cell nz-1 touches the synovial fluid),
integrated with ``scipy.integrate.solve_ivp(method="BDF")`` and an analytic sparse
Jacobian.  Units: days, mm, ng/mL, nM, fractions, cells.  ``V_s`` is given in mL
(as in model.md) and converted once to mm^3 (``Vs = 1000 V_s``).

State vector (species index fastest, index = s + 9 k for cell k)::

    P R Z M F a c Ch E   (x nz cells)
    P_s R_s F_s N N_syn  (synovial compartment)
    msc_died msc_differentiated msc_cleared msc_proliferated synovitis_auc

Cartilage equations (per cell; S = P+/(P+ + K_P(1 + R/K_R)), P+ = max(P,0),
F+ = max(F,0), phi(a) = max(1-a,0)^m_shield)::

    dP/dt  = D_P lap P + Ch (sig_P0 + sig_PP S + sig_PF F+/(K_F+F+)) - del_P P
    dR/dt  = D_R lap R + Ch sig_R0 + q_RE E (1 + chi S) - del_R R
    dZ/dt  = D_Z lap Z + Ch (sig_Z0 + sig_ZS S) - del_Z Z
    dM/dt  = D_M lap M + Ch (sig_M0 + sig_MS S) - del_M M
    dF/dt  = D_F lap F + gam_a k_a Z a + gam_c k_c M c phi(a) + k_wear max(1-c,0) - del_F F
    da/dt  = Ch sig_a (1-a)/(1 + P+/K_syn) - k_a Z a + sig_aE E (1-a)
    dc/dt  = Ch sig_c (1-c) - k_c M c phi(a) + sig_cE E (1-c)
    dCh/dt = -mu_C S Ch + G/rho_C
    dE/dt  = D_E lap E + r_E E (1-E/E_max) - mu_E (1 + mu_ES S) E - G
    G      = k_dE E max(1-Ch,0) (1-S)

Boundaries: no flux at z = 0 for all species.  At z = H, for X in P,R,Z,M,F the
outward flux is J_X = (X_top - kappa X_s) / (1/h_m + (dz/2)/D_X) with
X_s = P_s, R_s, 0, 0, F_s and dX_top/dt -= J_X/dz.  E does not leave through the
surface; it gains the attachment influx k_att (N/Vs)(1 + beta_att (1 - c_top))/dz,
i.e. J_E = -k_att (N/Vs)(1 + beta_att (1 - c_top)).  In 1-D the patch is a unit
area, so <J_X> = J_X.

Synovial compartment (S_s = P_s+/(P_s+ + K_P(1 + R_s/K_R)),
imm = 1/(1 + (N + N_syn)/K_MSC), F_s+ = max(F_s,0))::

    dP_s/dt   = (drv(t) + sig_sF F_s+^n/(K_sF^n + F_s+^n)) imm + (A_c/Vs) J_P - k_cl P_s
    dR_s/dt   = sig_Rs0 + (A_c/Vs) J_R - k_cl R_s
    dF_s/dt   = (A_c/Vs) J_F - k_clF F_s
    dN/dt     = -(lam_N + eps_syn) N + A_c J_E
    dN_syn/dt = eps_syn N - lam_syn N_syn
    drv(t)    = sig_s0 + sig_ins on [t_ins0, t_ins1), else sig_s0

Accumulators (time integrals; dz-weighted sums over cells)::

    msc_died           : A_c sum dz mu_E (1 + mu_ES S) E
    msc_differentiated : A_c sum dz G
    msc_cleared        : lam_N N + lam_syn N_syn
    msc_proliferated   : A_c sum dz r_E E (1 - E/E_max)
    synovitis_auc      : S_s

so that injected + proliferated = N + N_syn + E_total + died + differentiated + cleared,
with E_total = A_c sum(E dz).

Events (discontinuities): the ends of the injury window and every treatment.  The
integration is split at each of them; the integrator is restarted after applying
the event.  Treatments: ``msc`` adds dose*viability cells to N; ``il1ra`` adds
dose[mg]*1e6/V_s[mL] ng/mL to R_s.  An output requested exactly at an event time
reports the state *after* the event (right-continuous convention).

Tolerances: rtol (default 1e-6) for all components; atol = atol_base (default 1e-9)
times a per-component scale: 1 for concentrations / fractions / E (cells/mm^3) /
synovitis_auc, 1e4 for cell counts (N, N_syn and the MSC-fate accumulators, i.e.
an absolute floor of 1e-5 cells).

CLI examples::

    /usr/bin/python3 bench/mol_reference.py --nz 48 --t-end 1825 \\
        --treat msc:180:5e7 --treat il1ra:180:150 --set k_wear=0 --out-dt 30 --json out.json
    /usr/bin/python3 bench/mol_reference.py --check
"""

import argparse
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

# All parameters of model.md "Starting values" (V_s in mL, as in model.md).
DEFAULTS = {
    # geometry and transport
    "H": 2.4, "A_c": 12000.0, "V_s": 10.0,
    "D_P": 4.3, "D_R": 4.3, "D_Z": 0.86, "D_M": 1.3, "D_F": 2.0, "D_E": 1e-4,
    "h_m": 10.0, "kappa": 1.0,
    # signalling
    "K_P": 0.01, "K_R": 2.5, "K_F": 0.002,
    "sig_P0": 0.001, "sig_PP": 0.02, "sig_PF": 0.05, "del_P": 16.6,
    "sig_R0": 0.0, "q_RE": 2e-4, "chi": 1.0, "del_R": 16.6,
    # enzymes and matrix
    "sig_Z0": 0.002, "sig_ZS": 1.0, "del_Z": 4.2,
    "sig_M0": 0.001, "sig_MS": 0.2, "del_M": 0.69,
    "gam_a": 0.001, "gam_c": 4.5, "k_wear": 0.003, "del_F": 0.1,
    "sig_a": 0.04, "K_syn": 0.002, "k_a": 0.1, "sig_aE": 0.0,
    "sig_c": 1.6e-5, "k_c": 0.016, "m_shield": 2.0, "sig_cE": 0.0,
    # cells
    "mu_C": 2e-4, "k_dE": 0.01, "rho_C": 9626.0, "r_E": 0.0, "E_max": 1000.0,
    "mu_E": 0.02, "mu_ES": 2.0,
    # synovium
    "sig_s0": 0.07, "sig_ins": 0.6, "t_ins0": 0.0, "t_ins1": 120.0,
    "sig_sF": 1.0, "K_sF": 3e-4, "n_sF": 2.0, "K_MSC": 5e6,
    "k_cl": 9.4, "k_clF": 1.0, "sig_Rs0": 94.0,
    "lam_N": 0.2, "eps_syn": 0.0625, "lam_syn": 0.0155,
    "k_att": 1e-3, "beta_att": 5.0,
    # initial synovial state
    "P_s0": 0.005, "R_s0": 10.0,
    # treatment
    "viability": 1.0,
}

SPECIES = ["P", "R", "Z", "M", "F", "a", "c", "Ch", "E"]
NS = 9
iP, iR, iZ, iM, iF, ia, ic, iCh, iE = range(NS)
SYN = ["P_s", "R_s", "F_s", "N", "N_syn"]
ACC = ["msc_died", "msc_differentiated", "msc_cleared", "msc_proliferated",
       "synovitis_auc"]
DIFFUSING = [(iP, "D_P"), (iR, "D_R"), (iZ, "D_Z"), (iM, "D_M"), (iF, "D_F"),
             (iE, "D_E")]
SURFACE_EXCHANGE = [(iP, "D_P", 0), (iR, "D_R", 1), (iZ, "D_Z", None),
                    (iM, "D_M", None), (iF, "D_F", 2)]  # (species, D, synovial offset)


class Model:
    """Discretised 1-D model: right-hand side, analytic Jacobian, layout helpers."""

    def __init__(self, params, nz):
        """Store parameters (dict, V_s in mL) and the grid of nz cells."""
        self.p = dict(params)
        self.nz = nz
        self.dz = self.p["H"] / nz
        self.Vs = self.p["V_s"] * 1000.0          # mL -> mm^3, once
        self.nf = NS * nz                          # number of field unknowns
        self.isyn = self.nf                        # first synovial index
        self.iacc = self.nf + len(SYN)             # first accumulator index
        self.n = self.iacc + len(ACC)
        # surface series conductances g_X = 1/(1/h_m + (dz/2)/D_X)
        # (0 without diffusion or without a surface film, as in C's cs_surface_transfer)
        self.g = {s: (1.0 / (1.0 / self.p["h_m"] + 0.5 * self.dz / self.p[D])
                      if self.p[D] > 0 and self.p["h_m"] > 0 else 0.0)
                  for s, D, _ in SURFACE_EXCHANGE}
        self._diff_matrix = self._build_transport_matrix()

    # ---------------------------------------------------------------- layout
    def initial_state(self):
        """Initial state: a = c = Ch = 1, other fields 0; P_s, R_s from params."""
        y = np.zeros(self.n)
        U = y[:self.nf].reshape(self.nz, NS)
        U[:, ia] = U[:, ic] = U[:, iCh] = 1.0
        y[self.isyn + 0] = self.p["P_s0"]
        y[self.isyn + 1] = self.p["R_s0"]
        return y

    def atol_vector(self, atol):
        """Per-component absolute tolerance: atol x scale (1e4 for cell counts)."""
        scale = np.ones(self.n)
        scale[self.isyn + 3:self.isyn + 5] = 1e4          # N, N_syn (cells)
        scale[self.iacc:self.iacc + 4] = 1e4               # MSC fates (cells)
        return atol * scale

    # ------------------------------------------------------ linear transport
    def _build_transport_matrix(self):
        """Sparse matrix of the linear part: diffusion, surface exchange of
        P,R,Z,M,F with the fluid (both sides), synovial clearance and MSC
        trafficking in the fluid (the c-dependent attachment is nonlinear)."""
        p, nz, dz = self.p, self.nz, self.dz
        rows, cols, vals = [], [], []

        def add(r, c, v):
            rows.append(r); cols.append(c); vals.append(v)

        for s, D in DIFFUSING:
            coef = p[D] / dz ** 2
            for k in range(nz - 1):
                i, j = s + NS * k, s + NS * (k + 1)
                add(i, i, -coef); add(i, j, coef)
                add(j, j, -coef); add(j, i, coef)
        ktop = nz - 1
        AV = p["A_c"] / self.Vs
        for s, _, off in SURFACE_EXCHANGE:
            i = s + NS * ktop
            g = self.g[s]
            add(i, i, -g / dz)
            if off is not None:
                js = self.isyn + off
                add(i, js, g * p["kappa"] / dz)
                add(js, i, AV * g)
                add(js, js, -AV * g * p["kappa"])
        iPs, iRs, iFs, iN, iNs = range(self.isyn, self.isyn + 5)
        add(iPs, iPs, -p["k_cl"])
        add(iRs, iRs, -p["k_cl"])
        add(iFs, iFs, -p["k_clF"])
        add(iN, iN, -(p["lam_N"] + p["eps_syn"]))
        add(iNs, iN, p["eps_syn"])
        add(iNs, iNs, -p["lam_syn"])
        add(self.iacc + 2, iN, p["lam_N"])
        add(self.iacc + 2, iNs, p["lam_syn"])
        return sp.csr_matrix((vals, (rows, cols)), shape=(self.n, self.n))

    # ------------------------------------------------------- local kinetics
    def _local(self, U, jac):
        """Reaction terms of all cells (array nz x 9) and, if jac, the per-cell
        9x9 Jacobian blocks plus the pieces needed by the accumulators."""
        p = self.p
        P, R, Z, M, F, a, c, Ch, E = (U[:, s] for s in range(NS))
        Pp = np.maximum(P, 0.0)
        KR = p["K_P"] * (1.0 + R / p["K_R"])
        den = Pp + KR
        S = Pp / den
        Fp = np.maximum(F, 0.0)
        sat = Fp / (p["K_F"] + Fp)
        oma = np.maximum(1.0 - a, 0.0)
        phi = oma ** p["m_shield"]
        q = 1.0 + Pp / p["K_syn"]
        omCh = np.maximum(1.0 - Ch, 0.0)
        G = p["k_dE"] * E * omCh * (1.0 - S)
        sigP = p["sig_P0"] + p["sig_PP"] * S + p["sig_PF"] * sat
        sigZ = p["sig_Z0"] + p["sig_ZS"] * S
        sigM = p["sig_M0"] + p["sig_MS"] * S
        cdeg = p["k_c"] * M * c * phi
        death = p["mu_E"] * (1.0 + p["mu_ES"] * S)
        prolif = p["r_E"] * E * (1.0 - E / p["E_max"])

        f = np.empty_like(U)
        f[:, iP] = Ch * sigP - p["del_P"] * P
        f[:, iR] = Ch * p["sig_R0"] + p["q_RE"] * E * (1.0 + p["chi"] * S) - p["del_R"] * R
        f[:, iZ] = Ch * sigZ - p["del_Z"] * Z
        f[:, iM] = Ch * sigM - p["del_M"] * M
        f[:, iF] = (p["gam_a"] * p["k_a"] * Z * a + p["gam_c"] * cdeg
                    + p["k_wear"] * np.maximum(1.0 - c, 0.0) - p["del_F"] * F)
        f[:, ia] = Ch * p["sig_a"] * (1.0 - a) / q - p["k_a"] * Z * a + p["sig_aE"] * E * (1.0 - a)
        f[:, ic] = Ch * p["sig_c"] * (1.0 - c) - cdeg + p["sig_cE"] * E * (1.0 - c)
        f[:, iCh] = -p["mu_C"] * S * Ch + G / p["rho_C"]
        f[:, iE] = prolif - death * E - G
        extra = {"S": S, "G": G, "death": death, "prolif": prolif}
        if not jac:
            return f, None, extra

        pos = (P > 0.0).astype(float)
        S_P = pos * KR / den ** 2
        S_R = -Pp * p["K_P"] / p["K_R"] / den ** 2
        sat_F = (F > 0.0) * p["K_F"] / (p["K_F"] + Fp) ** 2
        m = p["m_shield"]
        phi_a = -m * oma ** (m - 1.0) * (a < 1.0) if m != 0 else 0.0 * a
        q_P = pos / p["K_syn"]
        G_E = p["k_dE"] * omCh * (1.0 - S)
        G_Ch = -p["k_dE"] * E * (1.0 - S) * (Ch < 1.0)
        G_P = -p["k_dE"] * E * omCh * S_P
        G_R = -p["k_dE"] * E * omCh * S_R

        B = np.zeros((self.nz, NS, NS))
        # P
        B[:, iP, iP] = Ch * p["sig_PP"] * S_P - p["del_P"]
        B[:, iP, iR] = Ch * p["sig_PP"] * S_R
        B[:, iP, iF] = Ch * p["sig_PF"] * sat_F
        B[:, iP, iCh] = sigP
        # R
        B[:, iR, iP] = p["q_RE"] * E * p["chi"] * S_P
        B[:, iR, iR] = p["q_RE"] * E * p["chi"] * S_R - p["del_R"]
        B[:, iR, iCh] = p["sig_R0"]
        B[:, iR, iE] = p["q_RE"] * (1.0 + p["chi"] * S)
        # Z, M
        B[:, iZ, iP] = Ch * p["sig_ZS"] * S_P
        B[:, iZ, iR] = Ch * p["sig_ZS"] * S_R
        B[:, iZ, iZ] = -p["del_Z"]
        B[:, iZ, iCh] = sigZ
        B[:, iM, iP] = Ch * p["sig_MS"] * S_P
        B[:, iM, iR] = Ch * p["sig_MS"] * S_R
        B[:, iM, iM] = -p["del_M"]
        B[:, iM, iCh] = sigM
        # F
        B[:, iF, iZ] = p["gam_a"] * p["k_a"] * a
        B[:, iF, ia] = p["gam_a"] * p["k_a"] * Z + p["gam_c"] * p["k_c"] * M * c * phi_a
        B[:, iF, iM] = p["gam_c"] * p["k_c"] * c * phi
        B[:, iF, ic] = p["gam_c"] * p["k_c"] * M * phi - p["k_wear"] * (c < 1.0)
        B[:, iF, iF] = -p["del_F"]
        # a
        B[:, ia, iP] = -Ch * p["sig_a"] * (1.0 - a) * q_P / q ** 2
        B[:, ia, iZ] = -p["k_a"] * a
        B[:, ia, ia] = -Ch * p["sig_a"] / q - p["k_a"] * Z - p["sig_aE"] * E
        B[:, ia, iCh] = p["sig_a"] * (1.0 - a) / q
        B[:, ia, iE] = p["sig_aE"] * (1.0 - a)
        # c
        B[:, ic, iM] = -p["k_c"] * c * phi
        B[:, ic, ia] = -p["k_c"] * M * c * phi_a
        B[:, ic, ic] = -Ch * p["sig_c"] - p["k_c"] * M * phi - p["sig_cE"] * E
        B[:, ic, iCh] = p["sig_c"] * (1.0 - c)
        B[:, ic, iE] = p["sig_cE"] * (1.0 - c)
        # Ch
        B[:, iCh, iP] = -p["mu_C"] * S_P * Ch + G_P / p["rho_C"]
        B[:, iCh, iR] = -p["mu_C"] * S_R * Ch + G_R / p["rho_C"]
        B[:, iCh, iCh] = -p["mu_C"] * S + G_Ch / p["rho_C"]
        B[:, iCh, iE] = G_E / p["rho_C"]
        # E
        dprolif = p["r_E"] * (1.0 - 2.0 * E / p["E_max"])
        B[:, iE, iP] = -p["mu_E"] * p["mu_ES"] * S_P * E - G_P
        B[:, iE, iR] = -p["mu_E"] * p["mu_ES"] * S_R * E - G_R
        B[:, iE, iCh] = -G_Ch
        B[:, iE, iE] = dprolif - death - G_E
        extra.update(S_P=S_P, S_R=S_R, G_E=G_E, G_Ch=G_Ch, G_P=G_P, G_R=G_R,
                     dprolif=dprolif)
        return f, B, extra

    def _synovial_source(self, ysyn, drv, jac):
        """Nonlinear synovial production of P_s and S_s; with derivatives."""
        p = self.p
        Ps, Rs, Fs, N, Ns = ysyn
        Fsp = max(Fs, 0.0)
        n = p["n_sF"]
        hill = Fsp ** n / (p["K_sF"] ** n + Fsp ** n) if Fsp > 0 else 0.0
        imm = 1.0 / (1.0 + (max(N, 0.0) + max(Ns, 0.0)) / p["K_MSC"])   # clipped as in C
        prod = (drv + p["sig_sF"] * hill) * imm
        Psp = max(Ps, 0.0)
        KRs = p["K_P"] * (1.0 + Rs / p["K_R"])
        Ss = Psp / (Psp + KRs)
        if not jac:
            return prod, Ss, None
        hill_F = (n * Fsp ** (n - 1.0) * p["K_sF"] ** n / (p["K_sF"] ** n + Fsp ** n) ** 2
                  if Fsp > 0 else 0.0)
        d = {"prod_F": p["sig_sF"] * hill_F * imm,
             "prod_N": -(drv + p["sig_sF"] * hill) * imm ** 2 / p["K_MSC"] * (N > 0),
             "prod_Ns": -(drv + p["sig_sF"] * hill) * imm ** 2 / p["K_MSC"] * (Ns > 0),
             "Ss_P": (Ps > 0) * KRs / (Psp + KRs) ** 2,
             "Ss_R": -Psp * p["K_P"] / p["K_R"] / (Psp + KRs) ** 2}
        return prod, Ss, d

    # ------------------------------------------------------------ RHS / Jac
    def rhs(self, t, y, drv):
        """Time derivative of the full state for a constant synovial drive drv."""
        p, nz, dz = self.p, self.nz, self.dz
        dy = self._diff_matrix @ y
        U = y[:self.nf].reshape(nz, NS)
        f, _, ex = self._local(U, False)
        dy[:self.nf] += f.ravel()
        ysyn = y[self.isyn:self.isyn + 5]
        N = ysyn[3]
        ctop = U[-1, ic]
        att = p["k_att"] * (N / self.Vs) * (1.0 + p["beta_att"] * (1.0 - ctop))  # = -J_E
        dy[iE + NS * (nz - 1)] += att / dz
        prod, Ss, _ = self._synovial_source(ysyn, drv, False)
        dy[self.isyn + 0] += prod
        dy[self.isyn + 1] += p["sig_Rs0"]
        dy[self.isyn + 3] -= p["A_c"] * att
        A = p["A_c"] * dz
        dy[self.iacc + 0] = A * np.sum(ex["death"] * U[:, iE])
        dy[self.iacc + 1] = A * np.sum(ex["G"])
        # msc_cleared is linear (in the transport matrix)
        dy[self.iacc + 3] = A * np.sum(ex["prolif"])
        dy[self.iacc + 4] = Ss
        return dy

    def jac(self, t, y, drv):
        """Analytic sparse (CSC) Jacobian of rhs."""
        p, nz, dz = self.p, self.nz, self.dz
        U = y[:self.nf].reshape(nz, NS)
        _, B, ex = self._local(U, True)
        base = NS * np.arange(nz)
        rr = (base[:, None, None] + np.arange(NS)[None, :, None]) * np.ones((1, 1, NS), int)
        cc = (base[:, None, None] + np.arange(NS)[None, None, :]) * np.ones((1, NS, 1), int)
        rows = [rr.ravel()]; cols = [cc.ravel()]; vals = [B.ravel()]

        def add(r, c, v):
            rows.append(np.atleast_1d(r)); cols.append(np.atleast_1d(c))
            vals.append(np.atleast_1d(np.asarray(v, float)))

        ysyn = y[self.isyn:self.isyn + 5]
        iPs, iRs, iFs, iN, iNs = range(self.isyn, self.isyn + 5)
        N = ysyn[3]
        ktop = nz - 1
        ctop = U[-1, ic]
        fac = p["k_att"] / self.Vs * (1.0 + p["beta_att"] * (1.0 - ctop))
        iEt, ict = iE + NS * ktop, ic + NS * ktop
        add(iEt, iN, fac / dz)
        add(iEt, ict, -p["k_att"] * N / self.Vs * p["beta_att"] / dz)
        add(iN, iN, -p["A_c"] * fac)
        add(iN, ict, p["A_c"] * p["k_att"] * N / self.Vs * p["beta_att"])
        _, _, d = self._synovial_source(ysyn, drv, True)
        add(iPs, iFs, d["prod_F"])
        add(iPs, iN, d["prod_N"])
        add(iPs, iNs, d["prod_Ns"])
        A = p["A_c"] * dz
        E = U[:, iE]
        kP, kR, kCh, kE = base + iP, base + iR, base + iCh, base + iE
        ia0, ia1, ia3, ia4 = self.iacc, self.iacc + 1, self.iacc + 3, self.iacc + 4
        dd = p["mu_E"] * p["mu_ES"] * E
        add(np.full(nz, ia0), kE, A * ex["death"])
        add(np.full(nz, ia0), kP, A * dd * ex["S_P"])
        add(np.full(nz, ia0), kR, A * dd * ex["S_R"])
        add(np.full(nz, ia1), kE, A * ex["G_E"])
        add(np.full(nz, ia1), kCh, A * ex["G_Ch"])
        add(np.full(nz, ia1), kP, A * ex["G_P"])
        add(np.full(nz, ia1), kR, A * ex["G_R"])
        add(np.full(nz, ia3), kE, A * ex["dprolif"])
        add(ia4, iPs, d["Ss_P"])
        add(ia4, iRs, d["Ss_R"])
        Jn = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                           shape=(self.n, self.n))
        return (Jn + self._diff_matrix).tocsc()

    # -------------------------------------------------------------- outputs
    def observe(self, y):
        """Scalar outputs of one state vector (dict)."""
        p = self.p
        U = y[:self.nf].reshape(self.nz, NS)
        Ps, Rs, Fs, N, Ns = y[self.isyn:self.isyn + 5]
        out = {"mean_" + s: float(U[:, i].mean()) for i, s in enumerate(SPECIES)}
        E_total = p["A_c"] * float(np.sum(U[:, iE]) * self.dz)
        Psp = max(Ps, 0.0)
        out.update(
            thickness=float(np.sum(U[:, ic]) * self.dz), surface_c=float(U[-1, ic]),
            P_s=float(Ps), R_s=float(Rs), F_s=float(Fs), N=float(N), N_syn=float(Ns),
            E_total=E_total, msc_in_joint=float(N + Ns + E_total),
            synovitis=float(Psp / (Psp + p["K_P"] * (1.0 + Rs / p["K_R"]))))
        for j, name in enumerate(ACC):
            out[name] = float(y[self.iacc + j])
        return out


def parse_treatment(spec):
    """'kind:day:dose' -> (day, kind, dose); kind in {msc, il1ra}."""
    kind, day, dose = spec.split(":")
    if kind not in ("msc", "il1ra"):
        raise ValueError("unknown treatment kind %r" % kind)
    return float(day), kind, float(dose)


def apply_event(model, y, kind, dose):
    """Apply one treatment to state y (in place): msc -> N, il1ra (mg) -> R_s."""
    p = model.p
    if kind == "msc":
        y[model.isyn + 3] += dose * p["viability"]
    elif kind == "il1ra":
        y[model.isyn + 1] += dose * 1e6 / p["V_s"]   # mg -> ng, per mL of fluid


def simulate(params=None, nz=48, t_end=1825.0, treatments=(), out_times=None,
             rtol=1e-6, atol=1e-9, first_step=None):
    """Run one scenario.  Returns dict with 'time', one list per output,
    'injected', 'wall_time_s' (integration only) and solver counters."""
    p = dict(DEFAULTS)
    p.update(params or {})
    model = Model(p, nz)
    if out_times is None:
        out_times = np.linspace(0.0, t_end, 61)
    out_times = np.unique(np.clip(np.asarray(out_times, float), 0.0, t_end))
    events = sorted(treatments)
    # segment boundaries: window ends and event times inside (0, t_end)
    cuts = {0.0, t_end}
    for tb in (p["t_ins0"], p["t_ins1"]):
        if 0.0 < tb < t_end:
            cuts.add(float(tb))
    for te, _, _ in events:
        if 0.0 <= te < t_end:
            cuts.add(float(te))
    cuts = sorted(cuts)
    y = model.initial_state()
    atol_v = model.atol_vector(atol)
    records = []
    stats = {"nfev": 0, "njev": 0, "nlu": 0}
    injected = 0.0
    wall = 0.0
    for a, b in zip(cuts[:-1], cuts[1:]):
        for te, kind, dose in events:
            if te == a:
                apply_event(model, y, kind, dose)
                if kind == "msc":
                    injected += dose * p["viability"]
        tm = 0.5 * (a + b)
        drv = p["sig_s0"] + (p["sig_ins"] if p["t_ins0"] <= tm < p["t_ins1"] else 0.0)
        last = b == cuts[-1]
        sel = out_times[(out_times >= a) & ((out_times < b) | (last & (out_times <= b)))]
        # The right-hand side is autonomous within a segment, so integrate in the
        # local time tau = t - a: full floating-point resolution for the tiny first
        # steps after a large bolus (at t = 180, min_step would be ~3e-13 d).
        t_eval = np.union1d(sel, [b])          # always end exactly at b
        t0 = time.perf_counter()
        sol = solve_ivp(model.rhs, (0.0, b - a), y, method="BDF", t_eval=t_eval - a,
                        args=(drv,), jac=model.jac, rtol=rtol, atol=atol_v,
                        first_step=first_step)
        wall += time.perf_counter() - t0
        if sol.status != 0:
            raise RuntimeError("solve_ivp failed on [%g, %g]: %s" % (a, b, sol.message))
        for k in ("nfev", "njev", "nlu"):
            stats[k] += getattr(sol, k)
        for j, tj in enumerate(t_eval):
            if np.any(sel == tj):
                records.append((tj, model.observe(sol.y[:, j])))
        y = sol.y[:, -1].copy()
    out = {"time": [r[0] for r in records]}
    for key in records[0][1]:
        out[key] = [r[1][key] for r in records]
    out.update(injected=injected, wall_time_s=wall, nz=nz, rtol=rtol, atol=atol,
               nfev=stats["nfev"], njev=stats["njev"], nlu=stats["nlu"],
               treatments=[list(e) for e in events])
    out["final_state"] = y.tolist()
    return out


def at(res, key, t):
    """Value of output 'key' at output time t (must have been requested)."""
    tt = np.asarray(res["time"])
    j = int(np.argmin(np.abs(tt - t)))
    if abs(tt[j] - t) > 1e-9:
        raise KeyError("time %g not in outputs" % t)
    return res[key][j]


def run_check(nz=48, rtol=1e-6, atol=1e-9):
    """Run the model.md prototype scenarios; print model vs prototype values."""
    Y = 365.0          # "year" = 365 d (model.md quotes day 1460 = 4 y)
    rows = []
    walls = []

    def run(label, **kw):
        r = simulate(nz=nz, rtol=rtol, atol=atol, **kw)
        walls.append((label, r["wall_time_s"], r["nfev"], r["njev"], r["nlu"]))
        return r

    times = sorted({0.0, 120.0, 180.0, 210.0, 360.0, 1460.0, 1490.0, 1550.0, 1640.0}
                   | {Y * i for i in range(11)} | set(np.arange(0, 3651, 30.0)))
    h = run("healthy 10 y", params={"sig_ins": 0.0}, t_end=10 * Y, out_times=times)
    rows += [("healthy 10y: mean a", at(h, "mean_a", 10 * Y), 0.977),
             ("healthy 10y: mean c", at(h, "mean_c", 10 * Y), 1.000),
             ("healthy 10y: P_s", at(h, "P_s", 10 * Y), 0.0048)]
    t5 = 5 * Y
    u = run("injury untreated", t_end=t5, out_times=times)
    rows += [("injury: P_s day 180", at(u, "P_s", 180), 0.063),
             ("injury: P_s year 5", at(u, "P_s", t5), 0.071)]
    for i, v in enumerate([2.400, 2.342, 2.243, 2.147, 2.057, 1.973]):
        rows.append(("injury: thickness year %d" % i, at(u, "thickness", i * Y), v))
    rows += [("injury: mean a day 120", at(u, "mean_a", 120), 0.70),
             ("injury: mean c day 120", at(u, "mean_c", 120), 0.997),
             ("injury: mean c year 4", at(u, "mean_c", 4 * Y), 0.857)]
    th0 = at(u, "thickness", 0.0)

    def benefit(r):
        return 100.0 * (at(r, "thickness", t5) - at(u, "thickness", t5)) / th0

    e = run("MSC 5e7 d180", treatments=[(180.0, "msc", 5e7)], t_end=t5, out_times=times)
    rows += [("MSC retention 30 d (in-joint/injected)", at(e, "msc_in_joint", 210) / 5e7, 0.16),
             ("MSC retention 180 d", at(e, "msc_in_joint", 360) / 5e7, 0.016),
             ("MSC 5e7 d180: benefit pp yr5", benefit(e), 17.0),
             ("MSC 5e7 d180: P_s yr5 (health ~0.005)", at(e, "P_s", t5), None)]
    l = run("MSC 5e7 d1460", treatments=[(1460.0, "msc", 5e7)], t_end=t5, out_times=times)
    rows += [("MSC 5e7 d1460: benefit pp yr5", benefit(l), 1.3),
             ("MSC 5e7 d1460: P_s day 1550", at(l, "P_s", 1550), None),
             ("MSC 5e7 d1460: P_s yr5 (relapse?)", at(l, "P_s", t5), None)]
    # k_wear = 0 variants (benefit against untreated with k_wear = 0)
    kw = {"k_wear": 0.0}
    u0 = run("kw0 untreated", params=kw, t_end=t5, out_times=times)
    e0 = run("kw0 MSC d180", params=kw, treatments=[(180.0, "msc", 5e7)], t_end=t5,
             out_times=times)
    l0 = run("kw0 MSC d1460", params=kw, treatments=[(1460.0, "msc", 5e7)], t_end=t5,
             out_times=times)

    def benefit0(r):
        return 100.0 * (at(r, "thickness", t5) - at(u0, "thickness", t5)) / th0

    recov = [t for t, v in zip(u0["time"], u0["P_s"]) if t > 120 and v < 0.02]
    rows += [("k_wear=0 untreated: thickness yr5", at(u0, "thickness", t5), None),
             ("k_wear=0 untreated: P_s day 1550", at(u0, "P_s", 1550), None),
             ("k_wear=0 untreated: P_s yr5", at(u0, "P_s", t5), None),
             ("k_wear=0 untreated: 1st output day P_s<0.02",
              recov[0] if recov else float("nan"), None),
             ("k_wear=0 MSC d180: benefit pp", benefit0(e0), None),
             ("k_wear=0 MSC d180: P_s yr5", at(e0, "P_s", t5), None),
             ("k_wear=0 MSC d1460: benefit pp", benefit0(l0), None),
             ("k_wear=0 MSC d1460: P_s day 1550", at(l0, "P_s", 1550), None),
             ("k_wear=0 MSC d1460: P_s yr5 (cure?)", at(l0, "P_s", t5), None)]
    il = run("IL-1Ra 150 mg d180", treatments=[(180.0, "il1ra", 150.0)], t_end=t5,
             out_times=times + [182.0])
    rows += [("IL-1Ra 150mg d180: benefit pp yr5", benefit(il), 0.04),
             ("IL-1Ra: R_s 48 h after", at(il, "R_s", 182.0), None)]
    # MSC mass balance (tested on the early injection)
    yend = e
    bal = (yend["msc_in_joint"][-1] + yend["msc_died"][-1] + yend["msc_differentiated"][-1]
           + yend["msc_cleared"][-1] - yend["msc_proliferated"][-1]) / yend["injected"] - 1.0
    rows.append(("MSC mass balance rel. error", bal, 0.0))

    print("%-44s %14s %12s %9s" % ("quantity", "model", "prototype", "rel.diff"))
    for name, mv, pv in rows:
        if pv is None:
            print("%-44s %14.6g %12s %9s" % (name, mv, "-", ""))
        else:
            rd = (mv - pv) / abs(pv) if pv != 0 else mv - pv
            print("%-44s %14.6g %12.6g %+8.1f%%" % (name, mv, pv, 100 * rd))
    print()
    print("%-22s %10s %7s %6s %6s   (nz=%d, rtol=%g, atol=%g)"
          % ("scenario", "wall [s]", "nfev", "njev", "nlu", nz, rtol, atol))
    for lab, w, nf, nj, nl in walls:
        print("%-22s %10.3f %7d %6d %6d" % (lab, w, nf, nj, nl))
    return rows, walls


def main(argv=None):
    """Command-line interface (see module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nz", type=int, default=48)
    ap.add_argument("--t-end", type=float, default=1825.0)
    ap.add_argument("--out-dt", type=float, default=30.0)
    ap.add_argument("--treat", action="append", default=[],
                    help="kind:day:dose, kind msc (cells) or il1ra (mg); repeatable")
    ap.add_argument("--set", action="append", default=[], help="name=value; repeatable")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-9)
    ap.add_argument("--json", help="write all time series to this file")
    ap.add_argument("--check", action="store_true", help="run the model.md prototype scenarios")
    args = ap.parse_args(argv)
    if args.check:
        run_check(args.nz, args.rtol, args.atol)
        return 0
    params = {}
    for s in args.set:
        k, v = s.split("=", 1)
        if k not in DEFAULTS:
            ap.error("unknown parameter %r" % k)
        params[k] = float(v)
    times = np.arange(0.0, args.t_end + 1e-9, args.out_dt)
    if times[-1] < args.t_end:
        times = np.append(times, args.t_end)
    res = simulate(params, args.nz, args.t_end, [parse_treatment(t) for t in args.treat],
                   times, args.rtol, args.atol)
    cols = ["thickness", "mean_a", "mean_c", "P_s", "R_s", "N", "N_syn", "E_total",
            "msc_in_joint", "synovitis"]
    print("%8s " % "t" + " ".join("%11s" % c[:11] for c in cols))
    for j, t in enumerate(res["time"]):
        print("%8.1f " % t + " ".join("%11.5g" % res[c][j] for c in cols))
    print("wall time of the solve: %.3f s (nfev %d, njev %d, nlu %d)"
          % (res["wall_time_s"], res["nfev"], res["njev"], res["nlu"]))
    if args.json:
        res["params"] = {**DEFAULTS, **params}
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
