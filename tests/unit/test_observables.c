/* Observables: the negative-value report lists each species once, only
 * below -10 atol x its typical size, with its value and day. */
#include <string.h>

#include "../../model/observables.h"
#include "check.h"

int main(void)
{
  double v[CS_TS_COUNT] = {0};
  int noted[CS_NS] = {0};
  char buf[256] = "";
  v[CS_TS_TIME] = 42;
  v[CS_TS_MIN0 + CS_E] = -5e-8;  /* E scale 1: floor -1e-7 at atol 1e-8 -> not reported */
  v[CS_TS_MIN0 + CS_P] = -2e-9;  /* P scale 0.01: floor -1e-9 -> reported */
  CHECK(cs_negative_values(v, 1e-8, noted, buf, sizeof buf) == 1, "one species below its floor");
  CHECK(strcmp(buf, "P = -2e-09 at day 42") == 0, "message '%s'", buf);
  v[CS_TS_MIN0 + CS_E] = -3e-7;
  v[CS_TS_TIME] = 50;
  CHECK(cs_negative_values(v, 1e-8, noted, buf, sizeof buf) == 1, "P is not repeated, E is added");
  CHECK(strcmp(buf, "P = -2e-09 at day 42; E = -3e-07 at day 50") == 0, "message '%s'", buf);
  CHECK(cs_negative_values(v, 1e-8, noted, buf, sizeof buf) == 0, "nothing new");
  return cs_test_report("test_observables");
}
