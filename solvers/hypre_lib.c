#include "hypre_lib.h"

#include <dlfcn.h>
#include <string.h>

#include "error.h"

#ifndef CS_HYPRE_LIBRARY
#error "CS_HYPRE_LIBRARY (the path of libHYPRE) is set by CMakeLists.txt"
#endif

cs_hypre_api cs_hy;

int cs_hypre_load(void)
{
  static int loaded = 0;
  if (loaded) return CS_OK;
  void *lib = dlopen(CS_HYPRE_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return cs_error_set(CS_ERR_IO, "solver.precond pfmg needs hypre, which cannot be loaded (%s); install "
                        "libhypre-dev (scripts/install-deps.sh) or set solver.precond: line", dlerror());
  /* POSIX's way to store dlsym's object pointer in a function pointer */
#define CS_HYPRE_LOAD(name)                                                                                         \
  if (!(*(void **)&cs_hy.name = dlsym(lib, "HYPRE_" #name))) {                                                      \
    memset(&cs_hy, 0, sizeof cs_hy); /* no half-filled table */                                                     \
    dlclose(lib);                                                                                                   \
    return cs_error_set(CS_ERR_IO, "%s has no HYPRE_" #name ": not the hypre cartsim was built with; rebuild "      \
                        "cartsim", CS_HYPRE_LIBRARY);                                                               \
  }
  CS_HYPRE_FUNCTIONS(CS_HYPRE_LOAD)
#undef CS_HYPRE_LOAD
  loaded = 1;
  return CS_OK;
}
