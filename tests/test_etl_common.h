/*
 * test_etl_common.h - shared helpers for the ETL suites: a growable memory
 * sink, the Alloc events and noise records of a trace from the generator
 * library (heapev/gen_etl.h), with the noise shapes it does not make built
 * by testlib.h, and reading a whole file image into item lists.
 */
#ifndef HEAPEV_TEST_ETL_COMMON_H
#define HEAPEV_TEST_ETL_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "heapev/decode.h"
#include "heapev/etl.h"
#include "heapev/gen_etl.h"
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

/*
 * Start @p g on the Alloc records of a trace of pointer width @p width: the
 * generator's model events, in all three header families (SYSTEM, COMPACT,
 * PERFINFO), a @p malformed share of them damaged by the event-stage classes
 * that keep their meaning in a trace (heapev_gen_etl_event_classes()) and
 * apply to @p width. Each item's expected findings are what the generator
 * injected.
 */
static inline void t_alloc_gen_init(heapev_gen *g, uint64_t seed, unsigned width, double malformed)
{
    heapev_gen_classes in_trace = heapev_gen_etl_event_classes(), enabled = 0;
    for (size_t i = 0; i < 64 && i < heapev_gen_class_count(); i++) {
        const heapev_gen_class *c = heapev_gen_class_get(i);
        if ((in_trace >> i & 1u) && c->stage == HEAPEV_GEN_STAGE_EVENT &&
            (c->widths & HEAPEV_GEN_WIDTH_BIT(width)))
            enabled |= (heapev_gen_classes)1 << i;
    }
    heapev_gen_options o = {.seed = seed, .width = width, .format = HEAPEV_GEN_FORMAT_RECORD,
                            .malformed = malformed, .enabled = enabled,
                            .families = HEAPEV_GEN_FAMILY_ALL};
    assert_int_equal(heapev_gen_init(g, &o), 0);
}

/*
 * The next Alloc record of @p g (t_alloc_gen_init()). Its event is what a
 * writer must be given: heapev_etl_writer_add_event() encodes it to the
 * item's very bytes (no class damaged the bytes).
 */
static inline void t_alloc_next(heapev_gen *g, heapev_gen_item *item)
{
    uint8_t rec[HEAPEV_GEN_MAX_BYTES];
    heapev_gen_next(g, item);
    assert_int_equal(item->width, g->options.width);
    assert_int_equal(item->event.header.size, item->len);
    assert_int_equal(heapev_encode_record(&item->event, rec, sizeof rec), item->len);
    assert_memory_equal(rec, item->bytes, item->len);
}

/* Longest record t_noise() makes. */
#define T_NOISE_MAX 128u

/*
 * A record that is not a heap Alloc, at time @p time: most often one of the
 * generator's heap-event noise records (heapev_gen_noise_record(): Free,
 * ReAlloc, Create, Destroy), else one of the shapes the generator does not
 * make, built here: a PERFINFO header of another kernel hook, an
 * EVENT_HEADER record and a WPP message (Size at offset 0). Returns its size.
 */
static inline size_t t_noise(uint8_t *p, heapev_rng *rng, unsigned w, int64_t time)
{
    size_t size;
    switch (heapev_rng_bounded(rng, 7)) {
    case 0: /* PERFINFO header (16 bytes), some other kernel hook */
        size = 16 + 8 * heapev_rng_bounded(rng, 4);
        memset(p, 0xAB, size);
        t_header(p, 2, (uint8_t)(w == 8 ? 17 : 16), 0xC0, (uint16_t)size, 0x0F33);
        t_put(p + 8, (uint64_t)time, 8);
        return size;
    case 1: /* EVENT_HEADER (80 bytes), Size at offset 0 */
        size = 80 + heapev_rng_bounded(rng, 40);
        memset(p, 0x5A, size);
        t_put(p, size, 2), p[2] = (uint8_t)(w == 8 ? 19 : 18), p[3] = 0xC0;
        return size;
    case 2: /* WPP message: marker flags 0x90, Size at offset 0 */
        size = 8 + heapev_rng_bounded(rng, 30);
        memset(p, 0x11, size);
        t_put(p, size, 2), p[2] = 0, p[3] = 0x90;
        return size;
    default:
        return heapev_gen_noise_record(rng, w, time, p);
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
