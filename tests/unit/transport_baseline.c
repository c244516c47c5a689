/* model/transport.c once more, for the x86-64 baseline only (no CPU clones)
 * and under other names, so that test_rhs_kernel can compare it bit for bit
 * with the kernel the loader picked for this CPU (model/cpu_clones.h). */
#undef CS_CPU_CLONES_ON
#define cs_surface_transfer cs_surface_transfer_baseline
#define cs_transport_rhs cs_transport_rhs_baseline
#define cs_transport_rhs_columns cs_transport_rhs_columns_baseline
#define cs_column_reads_halo cs_column_reads_halo_baseline
#define cs_patch_sums_add cs_patch_sums_add_baseline
#define cs_transport_diag cs_transport_diag_baseline
#define cs_surface_coupling cs_surface_coupling_baseline
#define cs_transport_integrals cs_transport_integrals_baseline
#define cs_couple_fluid cs_couple_fluid_baseline
#define cs_couple_row cs_couple_row_baseline
#define cs_couple_col cs_couple_col_baseline
#include "../../model/transport.c"
