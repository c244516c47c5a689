/* species.h - names, units and memory layout of the cartsim state.
 *
 * Cartilage fields (one value per grid cell, species index fastest in memory):
 *   P   pro-inflammatory cytokine (IL-1beta-equivalent)      ng/mL   diffuses D_P
 *   R   anti-inflammatory factor (IL-1Ra/TSG-6-equivalent)  ng/mL   diffuses D_R
 *   Z   active aggrecanase (ADAMTS-4/5)                      nM      diffuses D_Z
 *   M   active collagenase (MMP-13)                          nM      diffuses D_M
 *   F   matrix fragments (DAMPs), matrix-fraction units      -       diffuses D_F
 *   a   aggrecan content                                     fraction
 *   c   collagen II content                                  fraction
 *   Ch  viable chondrocytes / healthy density rho_C          fraction
 *   E   engrafted MSCs                                       cells/mm^3 diffuses D_E
 *
 * Synovial compartment values (owned by rank 0, appended after its cells):
 *   P_s R_s (ng/mL), F_s (-), N, N_syn (cells), and five running integrals that
 *   make the MSC fates and the synovitis area exact outputs of the integrator:
 *   msc_died, msc_differentiated, msc_cleared, msc_proliferated (cells),
 *   synovitis_auc (day).
 */
#ifndef CS_SPECIES_H
#define CS_SPECIES_H

typedef enum {
  CS_P = 0, CS_R, CS_Z, CS_M, CS_F, CS_A, CS_C, CS_CH, CS_E,
  CS_NS /* number of cartilage species */
} cs_species;

typedef enum {
  CS_PS = 0, CS_RS, CS_FS, CS_N, CS_NSYN,
  CS_DIED, CS_DIFF, CS_CLEARED, CS_PROLIF, CS_SAUC,
  CS_NSYNO /* number of synovial/integral values */
} cs_synovial;

typedef struct {
  const char *name;      /* name in configs and HDF5 (model.md) */
  const char *unit;
  const char *long_name;
  double atol_scale;     /* typical magnitude used to scale the absolute tolerance */
} cs_quantity_info;

extern const cs_quantity_info cs_species_info[CS_NS];
extern const cs_quantity_info cs_synovial_info[CS_NSYNO];

/* Index of species s in cell `cell` of a local array (species fastest). */
#define CS_IDX(s, cell) ((s) + CS_NS * (cell))

/* Lookup by name; returns -1 when unknown. */
int cs_species_index(const char *name);

#endif
