#ifndef CS_CPU_CLONES_H
#define CS_CPU_CLONES_H

/* CS_CPU_CLONES before a hot loop's function compiles it three times, for
 * the x86-64 baseline (SSE2, what a portable build targets), x86-64-v3
 * (AVX2) and x86-64-v4 (AVX-512), and lets the loader pick the best one this
 * CPU runs (GCC's target_clones: an ifunc resolved once per process). The
 * binary stays portable; on an AVX-512 machine the 1-D reference solves
 * 13-35 % faster (docs/performance.md, eleventh round), on an AVX2 one
 * (AMD Rome/Milan, older Xeons) 15-20 % (seventeenth round). Put it on the
 * function that holds
 * the loop: a clone calls the plain version of a callee it does not inline,
 * and GCC 12 inlines less across the target change (it kept column_rhs out
 * of a clone of cs_transport_rhs, and shield_block out of column_rhs's until
 * that was declared inline). Check with objdump -d that a clone makes no
 * call into the loop it should hold. solvers/precond.c's clone prefers
 * 256-bit vectors (CMakeLists.txt: with 512, GCC merged its scattered stores
 * into split 64-byte ones, 17 % slower solves on an Intel Xeon).
 *
 * Same answer on every CPU: the project compiles with -ffp-contract=off
 * (CMakeLists.txt), so no clone fuses a*b+c into one rounding and all
 * do the same operations in the same order (sums are split into partial sums
 * in the source, not by the compiler); the clones differ only in vector
 * width. clones_bitwise (tests/memcheck/check_clones.py) compares whole runs
 * with the same runs under valgrind (whose CPU has AVX2, no AVX-512: the v3
 * clones) and under qemu-x86_64 -cpu Nehalem (no AVX: the baseline), bit
 * for bit; unit_rhs_kernel compares the RHS kernel with a baseline build.
 *
 * Defined empty (one plain function) unless the build sets CS_CPU_CLONES_ON
 * (CMake option CARTSIM_CPU_CLONES, on by default for GCC on x86-64 Linux). */
#if defined(CS_CPU_CLONES_ON) && defined(__GNUC__) && defined(__x86_64__)
#define CS_CPU_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define CS_CPU_CLONES
#endif

/* The clones this CPU takes: GCC's resolver picks the highest level of the
 * list above that the CPU supports, tested here the same way, so change the
 * two together. "x86-64-v4", "x86-64-v3", "baseline", or "off" in a build
 * without clones. Only model/ and solvers/ are built with CS_CPU_CLONES_ON:
 * elsewhere (main.c, tests) call cs_cpu_clones() (solvers/buildinfo.h). */
static inline const char *cs_cpu_clones_taken(void)
{
#if defined(CS_CPU_CLONES_ON) && defined(__GNUC__) && defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4";
  if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3";
  return "baseline";
#else
  return "off";
#endif
}

#endif
