/*
 * testlib.h - byte builders for the tests, written independently of the
 * library's le.h and encoder: expected bytes in tests come from here or from
 * literal arrays, never from the code under test.
 */
#ifndef HEAPEV_TESTLIB_H
#define HEAPEV_TESTLIB_H

#include <stdint.h>
#include <string.h>

/* Store @p v little-endian in @p n bytes at @p p. */
static inline void t_put(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A 32-bit payload (16 bytes): handle, size, address, source. Returns 16. */
static inline size_t t_payload32(uint8_t *p, uint32_t h, uint32_t s, uint32_t a, uint32_t src)
{
    t_put(p, h, 4);
    t_put(p + 4, s, 4);
    t_put(p + 8, a, 4);
    t_put(p + 12, src, 4);
    return 16;
}

/* A 64-bit payload (28 bytes). Returns 28. */
static inline size_t t_payload64(uint8_t *p, uint64_t h, uint64_t s, uint64_t a, uint32_t src)
{
    t_put(p, h, 8);
    t_put(p + 8, s, 8);
    t_put(p + 16, a, 8);
    t_put(p + 24, src, 4);
    return 28;
}

/*
 * A SYSTEM_TRACE_HEADER (32 bytes, or 24 when @p type is 3 or 4) with the
 * given Version, HeaderType, Flags, Size and HookId, thread 0x111, process
 * 0x222, time 0x0102030405060708, kernel 7, user 9. Returns the header size.
 */
static inline size_t t_header(uint8_t *p, uint16_t version, uint8_t type, uint8_t flags,
                              uint16_t size, uint16_t hook)
{
    t_put(p, version, 2);
    p[2] = type;
    p[3] = flags;
    t_put(p + 4, size, 2);
    t_put(p + 6, hook, 2);
    t_put(p + 8, 0x111, 4);
    t_put(p + 12, 0x222, 4);
    t_put(p + 16, 0x0102030405060708ull, 8);
    if (type == 3 || type == 4)
        return 24;
    t_put(p + 24, 7, 4);
    t_put(p + 28, 9, 4);
    return 32;
}

/*
 * The explain done-when record: SYSTEM64 heap Alloc, 60 bytes, Source 6 at
 * +56, Address 0x1d2a0e51238 (8 past a 16-byte boundary) at +48, nothing else
 * wrong. Returns 60.
 */
static inline size_t t_record_source6(uint8_t *p)
{
    static const uint8_t rec[60] = {
        0x02, 0x00, 0x02, 0xC0, 0x3C, 0x00, 0x21, 0x10, /* V2, SYSTEM64, 0xC0, Size 60, 0x1021 */
        0x44, 0x33, 0x00, 0x00, 0x88, 0x77, 0x00, 0x00, /* ThreadId 0x3344, ProcessId 0x7788 */
        0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* SystemTime 0x1000 */
        0x05, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, /* KernelTime 5, UserTime 6 */
        0x00, 0x00, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, /* HeapHandle 0x1d2a0e50000 */
        0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* Size 40 */
        0x38, 0x12, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, /* Address 0x1d2a0e51238 */
        0x06, 0x00, 0x00, 0x00,                         /* Source 6 */
    };
    memcpy(p, rec, sizeof rec);
    return sizeof rec;
}

/* splitmix64: a tiny deterministic PRNG for randomized tests. */
static inline uint64_t t_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#endif /* HEAPEV_TESTLIB_H */
