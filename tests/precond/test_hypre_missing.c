/* test_hypre_missing.c - hypre is loaded at the first PFMG use
 * (solvers/hypre_lib.h). Built with CS_HYPRE_LIBRARY pointing at a file that
 * does not exist: cs_hypre_load must fail with CS_ERR_IO and one line that
 * names the library and the way out (solver.precond: line), every time it
 * is asked, and leave the function table empty. */
#include <string.h>

#include "../../solvers/error.h"
#include "../../solvers/hypre_lib.h"
#include "../unit/check.h"

int main(void)
{
  for (int attempt = 0; attempt < 2; ++attempt) {
    cs_error_clear();
    const int rc = cs_hypre_load();
    const char *msg = cs_error_message();
    CHECK(rc == CS_ERR_IO, "attempt %d: code %d, expected %d (CS_ERR_IO)", attempt, rc, CS_ERR_IO);
    CHECK(strstr(msg, CS_HYPRE_LIBRARY) != NULL, "the message does not name the library: %s", msg);
    CHECK(strstr(msg, "solver.precond: line") != NULL, "the message does not say what to do: %s", msg);
    CHECK(strchr(msg, '\n') == NULL, "more than one line: %s", msg);
  }
  CHECK(cs_hy.StructPFMGSolve == NULL && cs_hy.Init == NULL, "functions set although the library was not loaded");
  return cs_test_report("hypre_missing");
}
