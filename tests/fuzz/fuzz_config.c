/* libFuzzer target: the YAML config reader (solvers/config*.c) on arbitrary
 * bytes. Every input must be either accepted or rejected with messages;
 * no crash, hang, leak or undefined behaviour (built with ASan + UBSan). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

static char path[64];

static void remove_input(void) { unlink(path); } /* the fuzz run left one file per run in /tmp */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!path[0]) {
    snprintf(path, sizeof path, "/tmp/cartsim-fuzz-%d.yaml", (int)getpid());
    atexit(remove_input);
  }
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  static cs_config cfg;
  cs_config_errors errs = {0};
  const char *sets[] = {"model.k_a=0.2"};
  cs_config_load(path, sets, (int)(size % 2), &cfg, &errs);
  if (errs.n == 0) {
    char *yaml = cs_config_to_yaml(&cfg);
    free(yaml);
  }
  cs_config_errors_free(&errs);
  return 0;
}
