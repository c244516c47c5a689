/* check.h - minimal test helpers: numbers compared with tolerances. */
#ifndef CS_TEST_CHECK_H
#define CS_TEST_CHECK_H

#include <math.h>
#include <stdio.h>

static int cs_test_failures, cs_test_checks;

/* |a - b| <= atol + rtol |b| */
#define CHECK_CLOSE(a, b, rtol, atol, ...)                                                          \
  do {                                                                                             \
    double a_ = (a), b_ = (b);                                                                     \
    ++cs_test_checks;                                                                              \
    if (!(fabs(a_ - b_) <= (atol) + (rtol) * fabs(b_))) {                                          \
      ++cs_test_failures;                                                                          \
      fprintf(stderr, "%s:%d: FAIL %s = %.12g, expected %.12g (rtol %g, atol %g): ", __FILE__, __LINE__, #a, \
              a_, b_, (double)(rtol), (double)(atol));                                             \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
    }                                                                                              \
  } while (0)

#define CHECK(cond, ...)                                                      \
  do {                                                                        \
    ++cs_test_checks;                                                         \
    if (!(cond)) {                                                            \
      ++cs_test_failures;                                                     \
      fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond);         \
      fprintf(stderr, __VA_ARGS__);                                           \
      fprintf(stderr, "\n");                                                  \
    }                                                                         \
  } while (0)

static inline int cs_test_report(const char *name)
{
  printf("%s: %d checks, %d failed\n", name, cs_test_checks, cs_test_failures);
  return cs_test_failures ? 1 : 0;
}

/* Deterministic uniform numbers in [lo, hi). */
static inline double cs_test_uniform(unsigned long *state, double lo, double hi)
{
  *state = *state * 6364136223846793005UL + 1442695040888963407UL;
  return lo + (hi - lo) * (double)(*state >> 11) / 9007199254740992.0;
}

#endif
