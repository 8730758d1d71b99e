/*
 * test_etl_common.h - shared helpers for the ETL suites: a growable memory
 * sink, pseudo-random Alloc events and noise records (Free, ReAlloc, Create,
 * Destroy, PERFINFO, EVENT_HEADER and WPP message records), and reading a
 * whole file image into item lists. Noise bytes are built with testlib.h,
 * independently of the library's encoder.
 */
#ifndef HEAPEV_TEST_ETL_COMMON_H
#define HEAPEV_TEST_ETL_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "heapev/decode.h"
#include "heapev/etl.h"
#include "testlib.h"

/* A file image in memory, written by the writer's sink. */
typedef struct mem_file {
    uint8_t *data;
    size_t len, cap;
    int fail_after; /* sink calls before it fails; < 0 = never */
} mem_file;

static inline int mem_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    mem_file *m = ctx;
    if (m->fail_after == 0)
        return -1;
    if (m->fail_after > 0)
        m->fail_after--;
    size_t end = (size_t)offset + len;
    if (end > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < end)
            cap *= 2;
        uint8_t *p = realloc(m->data, cap);
        if (p == NULL)
            return -1;
        memset(p + m->cap, 0, cap - m->cap);
        m->data = p, m->cap = cap;
    }
    memcpy(m->data + offset, data, len);
    if (end > m->len)
        m->len = end;
    return 0;
}

static inline uint64_t t_mask(unsigned w)
{
    return w == 8 ? UINT64_MAX : UINT32_MAX;
}

/* A heap Alloc event of width @p w: any header type of that width, fields half plausible. */
static inline heapev_event t_event(uint64_t *rng, unsigned w, int64_t time)
{
    heapev_event e;
    memset(&e, 0, sizeof e);
    int compact = (int)(t_rand(rng) & 1);
    e.pointer_width = (uint8_t)w;
    e.header.header_type = (uint8_t)(w == 8 ? (compact ? 4 : 2) : (compact ? 3 : 1));
    e.header.version = t_rand(rng) % 16 == 0 ? 1 : 2;
    e.header.flags = 0xC0;
    e.header.hook_id = 0x1021;
    e.header.thread_id = (uint32_t)t_rand(rng);
    e.header.process_id = (uint32_t)t_rand(rng);
    e.header.system_time = time;
    if (!compact) {
        e.header.kernel_time = (uint32_t)t_rand(rng);
        e.header.user_time = (uint32_t)t_rand(rng);
    }
    e.heap_handle = t_rand(rng) & t_mask(w);
    e.size = t_rand(rng) & t_mask(w);
    e.address = t_rand(rng) & t_mask(w);
    e.source = (uint32_t)t_rand(rng);
    if (t_rand(rng) & 1) {
        e.heap_handle &= 0x7FFF0000u;
        e.size &= 0x3FFF;
        e.address = (e.address & 0x3FFFFFF0u) | 0x10000u;
        e.source = (uint32_t)(1 + t_rand(rng) % 4);
    }
    e.header.size = (uint16_t)heapev_record_size(&e);
    return e;
}

/* A SYSTEM record of width @p w with hook @p hook and @p n pointer fields + @p u32s u32 fields. */
static inline size_t t_system_noise(uint8_t *p, uint64_t *rng, unsigned w, uint16_t hook,
                                    unsigned n, unsigned u32s)
{
    size_t size = 32 + n * w + 4 * u32s;
    t_header(p, 2, (uint8_t)(w == 8 ? 2 : 1), 0xC0, (uint16_t)size, hook);
    for (unsigned i = 0; i < n; i++)
        t_put(p + 32 + i * w, t_rand(rng), w);
    for (unsigned i = 0; i < u32s; i++)
        t_put(p + 32 + n * w + 4 * i, t_rand(rng), 4);
    return size;
}

/* A record that is not a heap Alloc, in one of several real shapes. Returns its size. */
static inline size_t t_noise(uint8_t *p, uint64_t *rng, unsigned w)
{
    size_t size;
    switch (t_rand(rng) % 7) {
    case 0: return t_system_noise(p, rng, w, 0x1024, 2, 1); /* Free: heap, address, source */
    case 1: return t_system_noise(p, rng, w, 0x1022, 5, 1); /* ReAlloc */
    case 2: return t_system_noise(p, rng, w, 0x1020, 1, 1); /* Create: heap, flags */
    case 3: return t_system_noise(p, rng, w, 0x1023, 1, 0); /* Destroy: heap */
    case 4: /* PERFINFO header (16 bytes), some other kernel hook */
        size = 16 + 8 * (t_rand(rng) % 4);
        memset(p, 0xAB, size);
        t_put(p, 2, 2), p[2] = (uint8_t)(w == 8 ? 17 : 16), p[3] = 0xC0;
        t_put(p + 4, size, 2), t_put(p + 6, 0x0F33, 2);
        return size;
    case 5: /* EVENT_HEADER (80 bytes), Size at offset 0 */
        size = 80 + t_rand(rng) % 40;
        memset(p, 0x5A, size);
        t_put(p, size, 2), p[2] = (uint8_t)(w == 8 ? 19 : 18), p[3] = 0xC0;
        return size;
    default: /* WPP message: marker flags 0x90, Size at offset 0 */
        size = 8 + t_rand(rng) % 30;
        memset(p, 0x11, size);
        t_put(p, size, 2), p[2] = 0, p[3] = 0x90;
        return size;
    }
}

/* Everything a reader returned for a file. */
typedef struct read_result {
    heapev_etl_item *events;
    size_t nevents;
    heapev_etl_item *containers;
    size_t ncontainers;
    heapev_findings container_union;
    heapev_etl_stats stats;
    heapev_etl_status last;
} read_result;

static inline void t_push(heapev_etl_item **arr, size_t *n, const heapev_etl_item *it)
{
    if ((*n & (*n - 1)) == 0 || *n == 0) {
        size_t cap = *n ? *n * 2 : 16;
        heapev_etl_item *p = realloc(*arr, cap * sizeof *p);
        if (p == NULL)
            abort();
        *arr = p;
    }
    (*arr)[(*n)++] = *it;
}

static inline read_result t_read_reader(heapev_etl_reader *r, size_t max_items)
{
    read_result res;
    memset(&res, 0, sizeof res);
    heapev_etl_item it;
    size_t n = 0;
    while ((res.last = heapev_etl_next(r, &it)) == HEAPEV_ETL_OK) {
        if (++n > max_items)
            abort(); /* the reader must terminate */
        if (it.kind == HEAPEV_ETL_ITEM_EVENT) {
            t_push(&res.events, &res.nevents, &it);
        } else {
            t_push(&res.containers, &res.ncontainers, &it);
            res.container_union |= it.findings;
        }
    }
    res.stats = *heapev_etl_reader_stats(r);
    return res;
}

static inline read_result t_read_memory(const uint8_t *data, size_t len)
{
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, data, len);
    return t_read_reader(&r, len / 8 + 16);
}

static inline void t_free_result(read_result *r)
{
    free(r->events);
    free(r->containers);
}

#endif /* HEAPEV_TEST_ETL_COMMON_H */
