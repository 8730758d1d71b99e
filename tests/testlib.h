/*
 * testlib.h - byte builders for the tests, written independently of the
 * library's le.h and encoder: expected bytes in tests come from here or from
 * literal arrays, never from the code under test. Also a PRNG for randomized
 * tests and guard pages for tests of what a function may read or write.
 */
#ifndef HEAPEV_TESTLIB_H
#define HEAPEV_TESTLIB_H

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Store @p v little-endian in @p n bytes at @p p. */
static inline void t_put(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * A payload of pointer width @p w (4 or 8): handle, size, address (@p w bytes
 * each), source (4 bytes). Returns its length, 16 or 28.
 */
static inline size_t t_payload(uint8_t *p, unsigned w, uint64_t h, uint64_t s, uint64_t a,
                               uint32_t src)
{
    t_put(p, h, w);
    t_put(p + w, s, w);
    t_put(p + 2 * w, a, w);
    t_put(p + 3 * w, src, 4);
    return 3 * w + 4;
}

/* A 32-bit payload (16 bytes). Returns 16. */
static inline size_t t_payload32(uint8_t *p, uint32_t h, uint32_t s, uint32_t a, uint32_t src)
{
    return t_payload(p, 4, h, s, a, src);
}

/* A 64-bit payload (28 bytes). Returns 28. */
static inline size_t t_payload64(uint8_t *p, uint64_t h, uint64_t s, uint64_t a, uint32_t src)
{
    return t_payload(p, 8, h, s, a, src);
}

/*
 * A SYSTEM_TRACE_HEADER (32 bytes, or 24 when @p type is 3 or 4) with the
 * given Version, HeaderType, Flags, Size and HookId, thread 0x111, process
 * 0x222, time 0x0102030405060708, kernel 7, user 9; or, when @p type is 16 or
 * 17, a PERFINFO_TRACE_HEADER (16 bytes: SystemTime 0x0102030405060708 at 8,
 * no thread, process, kernel or user time). Returns the header size.
 */
static inline size_t t_header(uint8_t *p, uint16_t version, uint8_t type, uint8_t flags,
                              uint16_t size, uint16_t hook)
{
    t_put(p, version, 2);
    p[2] = type;
    p[3] = flags;
    t_put(p + 4, size, 2);
    t_put(p + 6, hook, 2);
    if (type == 16 || type == 17) {
        t_put(p + 8, 0x0102030405060708ull, 8);
        return 16;
    }
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

/* Memory from t_guard(), released by t_unguard(). */
typedef struct t_guarded {
    uint8_t *map;
    size_t maplen;
} t_guarded;

/*
 * @p len bytes (a copy of @p data, or zeros when it is NULL) in fresh pages,
 * ending exactly where at least @p tail bytes (one page at least) of PROT_NONE
 * memory begin: a read or write past the end faults, with or without ASan.
 * Read-only unless @p writable. Returns the first byte (for @p len 0, the
 * first inaccessible one), or NULL when the memory cannot be had.
 */
static inline uint8_t *t_guard(t_guarded *g, const void *data, size_t len, size_t tail,
                               int writable)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = len == 0 ? 1 : (len + page - 1) / page;
    size_t tail_pages = tail <= page ? 1 : (tail - 1) / page + 1;
    g->maplen = (pages + tail_pages) * page;
    g->map = mmap(NULL, g->maplen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (g->map == MAP_FAILED) {
        g->map = NULL;
        return NULL;
    }
    uint8_t *p = g->map + pages * page - len;
    if (mprotect(g->map, pages * page, PROT_READ | PROT_WRITE) != 0) {
        munmap(g->map, g->maplen);
        g->map = NULL;
        return NULL;
    }
    if (data != NULL && len > 0)
        memcpy(p, data, len);
    if (!writable && mprotect(g->map, pages * page, PROT_READ) != 0) {
        munmap(g->map, g->maplen);
        g->map = NULL;
        return NULL;
    }
    return p;
}

/* Release what t_guard() mapped; 0 on success. */
static inline int t_unguard(t_guarded *g)
{
    int rc = g->map != NULL ? munmap(g->map, g->maplen) : 0;
    g->map = NULL;
    return rc;
}

#endif /* HEAPEV_TESTLIB_H */
