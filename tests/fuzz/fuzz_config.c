/* libFuzzer target: the YAML config reader (solvers/config*.c) on arbitrary
 * bytes. Every input must be either accepted or rejected with messages;
 * no crash, hang, leak or undefined behaviour (built with ASan + UBSan).
 * The --set options are fuzzed too: each leading line "#set KEY=VALUE" (a
 * YAML comment, so the rest still reads as the file) is one --set; an input
 * without such lines gets "model.k_a=0.2" when its size is odd. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
  enum { MAX_SETS = 8 };
  char set_text[MAX_SETS][256];
  const char *sets[MAX_SETS] = {"model.k_a=0.2"};
  int nsets = 0;
  size_t at = 0;
  while (nsets < MAX_SETS && size - at > 5 && !memcmp(data + at, "#set ", 5)) {
    const uint8_t *eol = memchr(data + at, '\n', size - at);
    size_t len = (eol ? (size_t)(eol - data) : size) - at - 5;
    if (len >= sizeof set_text[0]) len = sizeof set_text[0] - 1;
    memcpy(set_text[nsets], data + at + 5, len);
    set_text[nsets][len] = '\0'; /* a NUL inside ends the option early, as it would on a command line */
    sets[nsets] = set_text[nsets];
    ++nsets;
    if (!eol) break;
    at = (size_t)(eol - data) + 1;
  }
  if (nsets == 0) nsets = (int)(size % 2);
  cs_config_load(path, sets, nsets, &cfg, &errs);
  if (errs.n == 0) {
    char *yaml = cs_config_to_yaml(&cfg);
    free(yaml);
  }
  cs_config_errors_free(&errs);
  return 0;
}
