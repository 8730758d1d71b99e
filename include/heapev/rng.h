/**
 * @file heapev/rng.h
 * @brief The generator's PRNG: xoshiro256** seeded by splitmix64.
 *
 * The same seed gives the same numbers on every host, whatever its byte
 * order or word size: no rand(), no time, no locale. State lives in a struct
 * the caller owns.
 */
#ifndef HEAPEV_RNG_H
#define HEAPEV_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** PRNG state (xoshiro256**). Copyable; never all zero once seeded. */
typedef struct heapev_rng {
    uint64_t s[4];
} heapev_rng;

/**
 * @brief Seed @p rng from a 64-bit seed (four splitmix64 outputs).
 * @param rng  state to initialise
 * @param seed any value, 0 included
 */
void heapev_rng_seed(heapev_rng *rng, uint64_t seed);

/**
 * @brief Next 64 random bits.
 * @param rng seeded state (advanced)
 * @return a uniformly distributed 64-bit value
 */
uint64_t heapev_rng_next(heapev_rng *rng);

/**
 * @brief Uniform integer in [0, @p bound) without modulo bias (rejection).
 * @param rng   seeded state (advanced)
 * @param bound exclusive upper bound
 * @return a value below @p bound; 0 when @p bound is 0 or 1
 */
uint64_t heapev_rng_bounded(heapev_rng *rng, uint64_t bound);

/**
 * @brief Uniform integer in [@p lo, @p hi] (inclusive).
 * @pre @p lo <= @p hi
 * @return a value in the range (the full 64-bit range is allowed)
 */
uint64_t heapev_rng_range(heapev_rng *rng, uint64_t lo, uint64_t hi);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_RNG_H */
