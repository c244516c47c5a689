/* error.h - the one error idiom of cartsim.
 *
 * Functions return an int code: 0 (CS_OK) or one of the exit codes below.
 * The first failure records a one-line, user-facing message with
 * cs_error_set(); each CHECK on the way up appends "file:line" to a trace
 * (printed to stderr when CARTSIM_TRACE is set). Only main() exits.
 *
 *   CS_CHECK(expr)      expr returns a cs code; non-zero is passed up
 *   CS_CHECK_MPI(expr)  MPI call; != MPI_SUCCESS -> CS_ERR_INTERNAL
 *   CS_CHECK_SUN(expr)  SUNDIALS call; flag < 0 -> CS_ERR_SOLVER
 *   CS_CHECK_H5(expr)   HDF5 call; herr_t/hid_t < 0 -> CS_ERR_IO
 *   CS_CHECK_HYPRE(expr) hypre call; error flags other than "did not
 *                       converge" (a fixed number of V-cycles is the
 *                       intent) -> CS_ERR_SOLVER
 *   CS_FAIL(code, ...)  record a message (printf format) and return code
 *
 * Inside SUNDIALS callbacks the SUNDIALS convention applies instead
 * (0 ok, > 0 recoverable, < 0 fatal).
 */
#ifndef CS_ERROR_H
#define CS_ERROR_H

/* Exit codes (documented in README.md and docs/exit-codes.md). */
enum {
  CS_OK = 0,
  CS_ERR_USAGE = 2,       /* bad command line */
  CS_ERR_CONFIG = 3,      /* invalid config or --set value */
  CS_ERR_IO = 4,          /* unreadable/unwritable path, existing output, HDF5 failure */
  CS_ERR_SOLVER = 5,      /* the integrator failed */
  CS_ERR_INTERRUPTED = 6, /* stopped by SIGINT/SIGTERM */
  CS_ERR_INTERNAL = 7     /* MPI failure, out of memory, bug */
};

/* Record the first error message (later calls keep the first message). */
int cs_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a trace line; returns code. */
int cs_error_trace(int code, const char *file, int line, const char *expr);
/* The recorded message ("" if none), its code, and the trace. */
const char *cs_error_message(void);
int cs_error_code(void);
const char *cs_error_backtrace(void);
void cs_error_clear(void);

#define CS_CHECK(expr)                                                  \
  do {                                                                  \
    int cs_rc_ = (expr);                                                \
    if (cs_rc_ != 0) return cs_error_trace(cs_rc_, __FILE__, __LINE__, #expr); \
  } while (0)

#define CS_CHECK_MPI(expr)                                                          \
  do {                                                                              \
    int cs_rc_ = (expr);                                                            \
    if (cs_rc_ != 0) {                                                              \
      cs_error_set(CS_ERR_INTERNAL, "MPI call failed (code %d): %s", cs_rc_, #expr); \
      return cs_error_trace(CS_ERR_INTERNAL, __FILE__, __LINE__, #expr);           \
    }                                                                               \
  } while (0)

#define CS_CHECK_SUN(expr)                                                             \
  do {                                                                                 \
    long cs_flag_ = (long)(expr);                                                      \
    if (cs_flag_ < 0) {                                                                \
      cs_error_set(CS_ERR_SOLVER, "SUNDIALS call failed (flag %ld): %s", cs_flag_, #expr); \
      return cs_error_trace(CS_ERR_SOLVER, __FILE__, __LINE__, #expr);                 \
    }                                                                                  \
  } while (0)

#define CS_CHECK_H5(expr)                                                      \
  do {                                                                         \
    if ((long long)(expr) < 0) {                                               \
      cs_error_set(CS_ERR_IO, "HDF5 call failed: %s", #expr);                  \
      return cs_error_trace(CS_ERR_IO, __FILE__, __LINE__, #expr);             \
    }                                                                          \
  } while (0)

#define CS_CHECK_HYPRE(expr)                                                          \
  do {                                                                                \
    int cs_hy_ = (int)(expr) & ~256; /* HYPRE_ERROR_CONV */                           \
    if (cs_hy_ != 0) {                                                                \
      cs_error_set(CS_ERR_SOLVER, "hypre call failed (error flags %d): %s", cs_hy_, #expr); \
      return cs_error_trace(CS_ERR_SOLVER, __FILE__, __LINE__, #expr);                \
    }                                                                                 \
  } while (0)

#define CS_CHECK_ALLOC(ptr)                                                    \
  do {                                                                         \
    if (!(ptr)) {                                                              \
      cs_error_set(CS_ERR_INTERNAL, "out of memory: %s", #ptr);                \
      return cs_error_trace(CS_ERR_INTERNAL, __FILE__, __LINE__, #ptr);        \
    }                                                                          \
  } while (0)

#define CS_FAIL(code, ...) \
  return cs_error_trace(cs_error_set((code), __VA_ARGS__), __FILE__, __LINE__, "CS_FAIL")

#endif
