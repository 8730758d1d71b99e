/**
 * @file heapev/wraps.h
 * @brief HEAPEV_WRAPS: marks a function whose unsigned arithmetic wraps on purpose.
 *
 * Unsigned overflow is defined in C (modulo 2^n), and the PRNG (splitmix64,
 * xoshiro256**, Lemire's rejection threshold), the LZ77 hash and the fuzz
 * mutator's value nudges rely on it. clang's opt-in
 * -fsanitize=unsigned-integer-overflow (or -fsanitize=integer) reports every
 * such wrap; marking these functions keeps its output to the wraps nobody
 * meant. Not installed: the generator and the fuzz targets use it.
 */
#ifndef HEAPEV_WRAPS_H
#define HEAPEV_WRAPS_H

#if defined(__clang__) && defined(__has_attribute)
#if __has_attribute(no_sanitize)
#define HEAPEV_WRAPS __attribute__((no_sanitize("unsigned-integer-overflow")))
#endif
#endif
#ifndef HEAPEV_WRAPS
#define HEAPEV_WRAPS
#endif

#endif /* HEAPEV_WRAPS_H */
