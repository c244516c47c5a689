/* fnv.h - FNV-1a 64, the one hash behind cartsim's fingerprints (the config
 * fingerprint of checkpoints and states, the sweep fingerprint) and the
 * sweep's digest of its status records. Not cryptographic: it answers "did
 * this change?", nothing more. */
#ifndef CS_FNV_H
#define CS_FNV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CS_FNV_BASIS 0xcbf29ce484222325ull /* FNV-1a 64 offset basis */

/* h extended by n bytes at p. */
static inline uint64_t cs_fnv_bytes(uint64_t h, const void *p, size_t n)
{
  const unsigned char *b = p;
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull; /* FNV prime */
  return h;
}

/* h extended by the string s and a 0xff separator, so that ("ab", "c") and
 * ("a", "bc") differ. */
static inline uint64_t cs_fnv_word(uint64_t h, const char *s)
{
  h = cs_fnv_bytes(h, s, strlen(s));
  return (h ^ 0xffu) * 0x100000001b3ull;
}

#endif
