/*
 * rng.c - xoshiro256** seeded by splitmix64 (Blackman & Vigna).
 *
 * Pure 64-bit integer arithmetic: the same sequence on every host and byte
 * order, unlike rand(). Bounded draws use rejection, not a bare modulo, so
 * small ranges are unbiased; no 128-bit multiply, so 32-bit hosts agree.
 */
#include "heapev/gen.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64u - k));
}

void heapev_rng_seed(heapev_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (unsigned i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

uint64_t heapev_rng_next(heapev_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5u, 7) * 9u;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t heapev_rng_bounded(heapev_rng *rng, uint64_t bound)
{
    if (bound <= 1)
        return 0;
    /* Values below 2^64 mod bound would make the low residues more likely. */
    uint64_t reject_below = (0 - bound) % bound;
    uint64_t r;
    do
        r = heapev_rng_next(rng);
    while (r < reject_below);
    return r % bound;
}

uint64_t heapev_rng_range(heapev_rng *rng, uint64_t lo, uint64_t hi)
{
    if (hi - lo == UINT64_MAX)
        return heapev_rng_next(rng);
    return lo + heapev_rng_bounded(rng, hi - lo + 1);
}
