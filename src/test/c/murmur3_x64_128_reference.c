/*
 * Independent reference for Murmur3Test: MurmurHash3_x64_128 as in Austin Appleby's public-domain
 * smhasher code. Build and run: gcc -O1 -o mm murmur3_x64_128_reference.c && ./mm
 * Its first lines reproduce the published vectors of Guava's Murmur3Hash128Test (hell/0, hello/1,
 * hello wor/5, the quick brown fox/0), which checks this file before its other outputs are trusted.
 */
/* MurmurHash3_x64_128, after Austin Appleby's public-domain smhasher reference (little-endian host). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
static inline uint64_t rotl64(uint64_t x, int8_t r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t fmix64(uint64_t k) {
  k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ULL; k ^= k >> 33; return k;
}
void MurmurHash3_x64_128(const void *key, const int len, const uint32_t seed, void *out) {
  const uint8_t *data = (const uint8_t *)key;
  const int nblocks = len / 16;
  uint64_t h1 = seed, h2 = seed;
  const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  const uint64_t *blocks = (const uint64_t *)(data);
  for (int i = 0; i < nblocks; i++) {
    uint64_t k1, k2;
    memcpy(&k1, data + i * 16, 8); memcpy(&k2, data + i * 16 + 8, 8);
    k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1;
    h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
    k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2;
    h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
  }
  (void)blocks;
  const uint8_t *tail = data + nblocks * 16;
  uint64_t k1 = 0, k2 = 0;
  switch (len & 15) {
  case 15: k2 ^= ((uint64_t)tail[14]) << 48;
  case 14: k2 ^= ((uint64_t)tail[13]) << 40;
  case 13: k2 ^= ((uint64_t)tail[12]) << 32;
  case 12: k2 ^= ((uint64_t)tail[11]) << 24;
  case 11: k2 ^= ((uint64_t)tail[10]) << 16;
  case 10: k2 ^= ((uint64_t)tail[9]) << 8;
  case 9: k2 ^= ((uint64_t)tail[8]) << 0;
    k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2;
  case 8: k1 ^= ((uint64_t)tail[7]) << 56;
  case 7: k1 ^= ((uint64_t)tail[6]) << 48;
  case 6: k1 ^= ((uint64_t)tail[5]) << 40;
  case 5: k1 ^= ((uint64_t)tail[4]) << 32;
  case 4: k1 ^= ((uint64_t)tail[3]) << 24;
  case 3: k1 ^= ((uint64_t)tail[2]) << 16;
  case 2: k1 ^= ((uint64_t)tail[1]) << 8;
  case 1: k1 ^= ((uint64_t)tail[0]) << 0;
    k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1;
  };
  h1 ^= len; h2 ^= len;
  h1 += h2; h2 += h1;
  h1 = fmix64(h1); h2 = fmix64(h2);
  h1 += h2; h2 += h1;
  ((uint64_t *)out)[0] = h1; ((uint64_t *)out)[1] = h2;
}
static void show(const char *label, const uint8_t *d, int len, uint32_t seed) {
  uint64_t out[2];
  MurmurHash3_x64_128(d, len, seed, out);
  printf("%-10s len=%2d seed=%u h1=0x%016llxL\n", label, len, seed, (unsigned long long)out[0]);
}
int main(void) {
  /* published vectors (Guava Murmur3Hash128Test) to check this reference */
  show("hell", (const uint8_t *)"hell", 4, 0);
  show("hello", (const uint8_t *)"hello", 5, 1);
  show("hello wor", (const uint8_t *)"hello wor", 9, 5);
  show("fox", (const uint8_t *)"The quick brown fox jumps over the lazy dog", 43, 0);
  show("empty", (const uint8_t *)"", 0, 0);
  show("empty", (const uint8_t *)"", 0, 1);
  show("hello", (const uint8_t *)"hello", 5, 0);
  /* prefixes of a 32-byte alphabet: every tail length 0..15 with 0, 1 blocks */
  const char *alpha = "abcdefghijklmnopqrstuvwxyz012345";
  for (int len = 1; len <= 32; len++) show("alpha", (const uint8_t *)alpha, len, 0);
  /* bytes >= 0x80 in every position (sign-extension bugs) */
  uint8_t hi[31];
  for (int i = 0; i < 31; i++) hi[i] = (uint8_t)(0x80 + i * 4);
  for (int len = 1; len <= 31; len++) show("high", hi, len, 0);
  show("seed-neg", (const uint8_t *)"hello", 5, 0xffffffffu);
  return 0;
}
