/*
 * rng.c - xoshiro256** seeded by splitmix64 (Blackman & Vigna).
 *
 * Pure 64-bit integer arithmetic: the same sequence on every host and byte
 * order, unlike rand(). Bounded draws use rejection, not a bare modulo, so
 * small ranges are unbiased; no 128-bit multiply, so 32-bit hosts agree.
 */
#include "heapev/rng.h"
#include "heapev/wraps.h"

HEAPEV_WRAPS static uint64_t splitmix64(uint64_t *x)
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

HEAPEV_WRAPS uint64_t heapev_rng_next(heapev_rng *rng)
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

/*
 * High 64 bits of the 128-bit product a * b, low 64 bits in *lo. With
 * __int128 where the compiler has it; otherwise (i386) from 32-bit halves,
 * which gives the same bits, so output does not depend on the host.
 */
static uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
    unsigned __int128 p = (unsigned __int128)a * b;
    *lo = (uint64_t)p;
    return (uint64_t)(p >> 64);
#else
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *lo = (mid << 32) | (uint32_t)p00;
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/*
 * Lemire's multiply-and-shift: the high half of r * bound is uniform in
 * [0, bound) once the low half is at least 2^64 mod bound. The modulo (the
 * only division) is computed only in the rare case that can be biased,
 * instead of two divisions on every draw.
 */
HEAPEV_WRAPS uint64_t heapev_rng_bounded(heapev_rng *rng, uint64_t bound)
{
    if (bound <= 1)
        return 0;
    uint64_t lo, hi = mul_64x64(heapev_rng_next(rng), bound, &lo);
    if (lo < bound) {
        uint64_t reject_below = (0 - bound) % bound;
        while (lo < reject_below)
            hi = mul_64x64(heapev_rng_next(rng), bound, &lo);
    }
    return hi;
}

uint64_t heapev_rng_range(heapev_rng *rng, uint64_t lo, uint64_t hi)
{
    if (hi - lo == UINT64_MAX)
        return heapev_rng_next(rng);
    return lo + heapev_rng_bounded(rng, hi - lo + 1);
}
