/* libFuzzer target: the sweep-file reader (solvers/sweep/sweep_spec.c) and,
 * for an accepted spec of up to 20,000 rows (cs_design_rows), the design
 * built from it (solvers/sweep/design.c) on arbitrary bytes. Every input
 * must be accepted or rejected with messages; no crash, hang, leak or
 * undefined behaviour (built with ASan + UBSan). The spec is parsed as if it
 * were a file in configs/sweeps/ (CS_FUZZ_SWEEP_DIR), so the shipped sweeps'
 * relative `base:` resolves. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sweep/design.h"
#include "sweep/sweep_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  static cs_sweep_spec spec;
  memset(&spec, 0, sizeof spec);
  cs_config_errors errs = {0};
  int rc = cs_sweep_spec_parse(CS_FUZZ_SWEEP_DIR "/fuzz.yaml", text, size, &spec, &errs);
  if (rc == 0 && errs.n == 0 && cs_design_rows(&spec) <= 20000) { /* bigger ones would only test the allocator */
    cs_design d;
    if (cs_design_make(&spec, &d) == 0) cs_design_free(&d); /* not on failure: a failed design holds nothing */
  }
  cs_sweep_spec_free(&spec);
  cs_config_errors_free(&errs);
  return 0;
}
