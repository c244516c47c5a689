#include "nvector_fast.h"

#include <math.h>
#include <mpi.h>
#include <nvector/nvector_parallel.h>
#include <stdlib.h>

#include "../model/cpu_clones.h"

#define LEN(v) ((long)NV_LOCLENGTH_P(v))
#define DATA(v) NV_DATA_P(v)

static double allreduce(double x, MPI_Op op, N_Vector v)
{
  double out = x;
  MPI_Allreduce(&x, &out, 1, MPI_DOUBLE, op, NV_COMM_P(v));
  return out;
}

/* y <- a x + y, with the library's cases (a = 1, a = -1 exact). */
CS_CPU_CLONES static void axpy(double a, const double *x, double *y, long n)
{
  if (a == 1.0)
    for (long i = 0; i < n; ++i) y[i] += x[i];
  else if (a == -1.0)
    for (long i = 0; i < n; ++i) y[i] -= x[i];
  else
    for (long i = 0; i < n; ++i) y[i] += a * x[i];
}

/* z = a x + b y, case by case as N_VLinearSum_Parallel, so that every
 * result is the library's to the last bit: the integrator's step sequence
 * is sensitive to rounding (a c (x + y) computed as c x + c y changed the
 * step count of the nz 768 reference from 739 to 1167). */
CS_CPU_CLONES static void linearsum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y, N_Vector z)
{
  const double *xd = DATA(x), *yd = DATA(y);
  double *zd = DATA(z);
  const long n = LEN(z);
  if (b == 1.0 && z == y) {
    axpy(a, xd, zd, n);
    return;
  }
  if (a == 1.0 && z == x) {
    axpy(b, yd, zd, n);
    return;
  }
  if (a == 1.0 && b == 1.0) {
    for (long i = 0; i < n; ++i) zd[i] = xd[i] + yd[i];
    return;
  }
  int t;
  if ((t = (a == 1.0 && b == -1.0)) || (a == -1.0 && b == 1.0)) { /* z = v2 - v1 */
    const double *v1 = t ? yd : xd, *v2 = t ? xd : yd;
    for (long i = 0; i < n; ++i) zd[i] = v2[i] - v1[i];
    return;
  }
  if ((t = (a == 1.0)) || b == 1.0) { /* z = c v1 + v2 */
    const double c = t ? b : a, *v1 = t ? yd : xd, *v2 = t ? xd : yd;
    for (long i = 0; i < n; ++i) zd[i] = c * v1[i] + v2[i];
    return;
  }
  if ((t = (a == -1.0)) || b == -1.0) { /* z = c v1 - v2 */
    const double c = t ? b : a, *v1 = t ? yd : xd, *v2 = t ? xd : yd;
    for (long i = 0; i < n; ++i) zd[i] = c * v1[i] - v2[i];
    return;
  }
  if (a == b) {
    for (long i = 0; i < n; ++i) zd[i] = a * (xd[i] + yd[i]);
    return;
  }
  if (a == -b) {
    for (long i = 0; i < n; ++i) zd[i] = a * (xd[i] - yd[i]);
    return;
  }
  for (long i = 0; i < n; ++i) zd[i] = a * xd[i] + b * yd[i];
}

CS_CPU_CLONES static void const_(sunrealtype c, N_Vector z)
{
  double *zd = DATA(z);
  for (long i = 0, n = LEN(z); i < n; ++i) zd[i] = c;
}

CS_CPU_CLONES static void prod(N_Vector x, N_Vector y, N_Vector z)
{
  const double *xd = DATA(x), *yd = DATA(y);
  double *zd = DATA(z);
  for (long i = 0, n = LEN(z); i < n; ++i) zd[i] = xd[i] * yd[i];
}

CS_CPU_CLONES static void div_(N_Vector x, N_Vector y, N_Vector z)
{
  const double *xd = DATA(x), *yd = DATA(y);
  double *zd = DATA(z);
  for (long i = 0, n = LEN(z); i < n; ++i) zd[i] = xd[i] / yd[i];
}

CS_CPU_CLONES static void scale(sunrealtype c, N_Vector x, N_Vector z)
{
  const double *xd = DATA(x);
  double *zd = DATA(z);
  const long n = LEN(z);
  if (x == z)
    for (long i = 0; i < n; ++i) zd[i] *= c;
  else
    for (long i = 0; i < n; ++i) zd[i] = c * xd[i];
}

CS_CPU_CLONES static void abs_(N_Vector x, N_Vector z)
{
  const double *xd = DATA(x);
  double *zd = DATA(z);
  for (long i = 0, n = LEN(z); i < n; ++i) zd[i] = fabs(xd[i]);
}

CS_CPU_CLONES static void inv(N_Vector x, N_Vector z)
{
  const double *xd = DATA(x);
  double *zd = DATA(z);
  for (long i = 0, n = LEN(z); i < n; ++i) zd[i] = 1.0 / xd[i];
}

/* w = 1 / (rtol |y| + atol) (cs_nvector_ewt) */
CS_CPU_CLONES static void ewt_loop(const double *y, double rtol, const double *atol, double *w, long n)
{
  for (long i = 0; i < n; ++i) w[i] = 1.0 / (rtol * fabs(y[i]) + atol[i]);
}

void cs_nvector_ewt(N_Vector y, double rtol, N_Vector atol, N_Vector w)
{
  ewt_loop(DATA(y), rtol, DATA(atol), DATA(w), LEN(w));
}

CS_CPU_CLONES static void addconst(N_Vector x, sunrealtype b, N_Vector z)
{
  const double *xd = DATA(x);
  double *zd = DATA(z);
  for (long i = 0, n = LEN(z); i < n; ++i) zd[i] = xd[i] + b;
}

/* The local sums run in LANES interleaved partial sums, added pairwise at
 * the end. A serial sum is a chain of dependent additions (4 cycles each):
 * the slowest vector operation per element (wrmsnorm 6.5 %, dotprod 7.5 %
 * of a solve in perf); LANES independent chains vectorise. The order is the
 * source's (no -ffast-math), so results do not depend on the build; they
 * differ from the library's serial order by rounding only
 * (test_nvector_fast: 1e-13). */
enum { LANES = 8 };

static double lanes_total(const double s[LANES])
{
  return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

CS_CPU_CLONES static sunrealtype dotprodlocal(N_Vector x, N_Vector y)
{
  const double *xd = DATA(x), *yd = DATA(y);
  const long n = LEN(x), whole = n - n % LANES;
  double s[LANES] = {0};
  for (long i = 0; i < whole; i += LANES)
    for (int l = 0; l < LANES; ++l) s[l] += xd[i + l] * yd[i + l];
  for (long i = whole; i < n; ++i) s[i - whole] += xd[i] * yd[i];
  return lanes_total(s);
}

static sunrealtype dotprod(N_Vector x, N_Vector y) { return allreduce(dotprodlocal(x, y), MPI_SUM, x); }

CS_CPU_CLONES static sunrealtype maxnormlocal(N_Vector x)
{
  const double *xd = DATA(x);
  double m = 0.0;
  for (long i = 0, n = LEN(x); i < n; ++i) m = fmax(m, fabs(xd[i]));
  return m;
}

static sunrealtype maxnorm(N_Vector x) { return allreduce(maxnormlocal(x), MPI_MAX, x); }

CS_CPU_CLONES static sunrealtype wsqrsumlocal(N_Vector x, N_Vector w)
{
  const double *xd = DATA(x), *wd = DATA(w);
  const long n = LEN(x), whole = n - n % LANES;
  double s[LANES] = {0};
  for (long i = 0; i < whole; i += LANES)
    for (int l = 0; l < LANES; ++l) {
      const double p = xd[i + l] * wd[i + l];
      s[l] += p * p;
    }
  for (long i = whole; i < n; ++i) {
    const double p = xd[i] * wd[i];
    s[i - whole] += p * p;
  }
  return lanes_total(s);
}

CS_CPU_CLONES static sunrealtype wsqrsummasklocal(N_Vector x, N_Vector w, N_Vector id)
{
  const double *xd = DATA(x), *wd = DATA(w), *idd = DATA(id);
  double s = 0.0;
  for (long i = 0, n = LEN(x); i < n; ++i)
    if (idd[i] > 0.0) {
      const double p = xd[i] * wd[i];
      s += p * p;
    }
  return s;
}

static sunrealtype wrmsnorm(N_Vector x, N_Vector w)
{
  return sqrt(allreduce(wsqrsumlocal(x, w), MPI_SUM, x) / (double)NV_GLOBLENGTH_P(x));
}

static sunrealtype wrmsnormmask(N_Vector x, N_Vector w, N_Vector id)
{
  return sqrt(allreduce(wsqrsummasklocal(x, w, id), MPI_SUM, x) / (double)NV_GLOBLENGTH_P(x));
}

CS_CPU_CLONES static sunrealtype minlocal(N_Vector x)
{
  const double *xd = DATA(x);
  double m = SUN_BIG_REAL;
  for (long i = 0, n = LEN(x); i < n; ++i) m = fmin(m, xd[i]);
  return m;
}

static sunrealtype min_(N_Vector x) { return allreduce(minlocal(x), MPI_MIN, x); }

static sunrealtype wl2norm(N_Vector x, N_Vector w) { return sqrt(allreduce(wsqrsumlocal(x, w), MPI_SUM, x)); }

CS_CPU_CLONES static sunrealtype l1normlocal(N_Vector x)
{
  const double *xd = DATA(x);
  double s = 0.0;
  for (long i = 0, n = LEN(x); i < n; ++i) s += fabs(xd[i]);
  return s;
}

static sunrealtype l1norm(N_Vector x) { return allreduce(l1normlocal(x), MPI_SUM, x); }

CS_CPU_CLONES static void compare(sunrealtype c, N_Vector x, N_Vector z)
{
  const double *xd = DATA(x);
  double *zd = DATA(z);
  for (long i = 0, n = LEN(z); i < n; ++i) zd[i] = fabs(xd[i]) >= c ? 1.0 : 0.0;
}

CS_CPU_CLONES static sunbooleantype invtestlocal(N_Vector x, N_Vector z)
{
  const double *xd = DATA(x);
  double *zd = DATA(z);
  int ok = 1;
  for (long i = 0, n = LEN(z); i < n; ++i) {
    if (xd[i] == 0.0) ok = 0;
    else zd[i] = 1.0 / xd[i];
  }
  return ok ? SUNTRUE : SUNFALSE;
}

static sunbooleantype invtest(N_Vector x, N_Vector z)
{
  /* the library reduces "some entry is zero" with MPI_MIN over 1/0 flags */
  return allreduce(invtestlocal(x, z) ? 1.0 : 0.0, MPI_MIN, x) > 0.5 ? SUNTRUE : SUNFALSE;
}

CS_CPU_CLONES static int linearcombination(int nv, sunrealtype *c, N_Vector *X, N_Vector z)
{
  double *zd = DATA(z);
  const long n = LEN(z);
  if (X[0] == z) { /* z = c0 z + sum_{i>0} c_i X_i */
    if (c[0] != 1.0)
      for (long k = 0; k < n; ++k) zd[k] *= c[0];
  } else {
    const double *x0 = DATA(X[0]);
    for (long k = 0; k < n; ++k) zd[k] = c[0] * x0[k];
  }
  for (int i = 1; i < nv; ++i) { /* as the library: only X[0] may be z */
    const double *xi = DATA(X[i]);
    const double ci = c[i];
    for (long k = 0; k < n; ++k) zd[k] += ci * xi[k];
  }
  return 0;
}

CS_CPU_CLONES static int scaleaddmulti(int nv, sunrealtype *a, N_Vector x, N_Vector *Y, N_Vector *Z)
{
  const double *xd = DATA(x);
  const long n = LEN(x);
  for (int i = 0; i < nv; ++i) {
    const double *yd = DATA(Y[i]);
    double *zd = DATA(Z[i]);
    const double ai = a[i];
    for (long k = 0; k < n; ++k) zd[k] = ai * xd[k] + yd[k];
  }
  return 0;
}

CS_CPU_CLONES static int dotprodmultilocal(int nv, N_Vector x, N_Vector *Y, sunrealtype *d)
{
  for (int i = 0; i < nv; ++i) d[i] = dotprodlocal(x, Y[i]);
  return 0;
}

static int dotprodmultiallreduce(int nv, N_Vector x, sunrealtype *d)
{
  return MPI_Allreduce(MPI_IN_PLACE, d, nv, MPI_DOUBLE, MPI_SUM, NV_COMM_P(x)) == MPI_SUCCESS ? 0 : -1;
}

static int dotprodmulti(int nv, N_Vector x, N_Vector *Y, sunrealtype *d)
{
  dotprodmultilocal(nv, x, Y, d);
  return dotprodmultiallreduce(nv, x, d);
}

/* N_VClone with the data on a cache-line boundary (CS_NVECTOR_ALIGN). The
 * library's malloc gives 16 bytes: every 64-byte load or store of an
 * AVX-512 loop then touches two lines. An axpy on 6,912 values (the nz 768
 * state) took 0.77 us against 0.61 aligned, on 1,728 values 0.17 against
 * 0.11. N_VDestroy_Parallel frees the data with free(), which takes
 * aligned_alloc's memory. */
static N_Vector clone_aligned(N_Vector w)
{
  N_Vector v = N_VCloneEmpty_Parallel(w);
  if (!v) return NULL;
  const size_t bytes = ((size_t)NV_LOCLENGTH_P(w) * sizeof(double) + CS_NVECTOR_ALIGN - 1) / CS_NVECTOR_ALIGN *
                       CS_NVECTOR_ALIGN;
  if (bytes > 0) {
    double *d = aligned_alloc(CS_NVECTOR_ALIGN, bytes);
    if (!d) {
      N_VDestroy_Parallel(v);
      return NULL;
    }
    NV_DATA_P(v) = d;
    NV_OWN_DATA_P(v) = SUNTRUE;
  }
  return v;
}

void cs_nvector_fast_ops(N_Vector v)
{
  N_Vector_Ops o = v->ops;
  o->nvclone = clone_aligned;
  o->nvlinearsum = linearsum;
  o->nvconst = const_;
  o->nvprod = prod;
  o->nvdiv = div_;
  o->nvscale = scale;
  o->nvabs = abs_;
  o->nvinv = inv;
  o->nvaddconst = addconst;
  o->nvdotprod = dotprod;
  o->nvmaxnorm = maxnorm;
  o->nvwrmsnorm = wrmsnorm;
  o->nvwrmsnormmask = wrmsnormmask;
  o->nvmin = min_;
  o->nvwl2norm = wl2norm;
  o->nvl1norm = l1norm;
  o->nvcompare = compare;
  o->nvinvtest = invtest;
  o->nvlinearcombination = linearcombination;
  o->nvscaleaddmulti = scaleaddmulti;
  o->nvdotprodmulti = dotprodmulti;
  o->nvdotprodlocal = dotprodlocal;
  o->nvmaxnormlocal = maxnormlocal;
  o->nvminlocal = minlocal;
  o->nvl1normlocal = l1normlocal;
  o->nvinvtestlocal = invtestlocal;
  o->nvwsqrsumlocal = wsqrsumlocal;
  o->nvwsqrsummasklocal = wsqrsummasklocal;
  o->nvdotprodmultilocal = dotprodmultilocal;
  o->nvdotprodmultiallreduce = dotprodmultiallreduce;
}
