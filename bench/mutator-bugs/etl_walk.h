/*
 * etl_walk.h - a small third-party-style .etl reader the mutator-bugs
 * decoders share: careful on its own (every length checked), written from
 * SPEC.md alone, no heapev code. It reads the logfile header, walks the data
 * buffers (fixed-size, or chained in compressed traces, whose records it
 * decompresses with libfwnt), steps over records 8-aligned and reports each
 * heap Alloc and Free to a callback. Each bug_*.c adds one planted bug on
 * top, in its callback or its checks. Header only: a BYOD decoder is one C
 * file (fuzz/byod.h), which includes this one.
 */
#ifndef MUTATOR_BUGS_ETL_WALK_H
#define MUTATOR_BUGS_ETL_WALK_H

#include <libfwnt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "byod.h"

#define WALK_HDR 72u
#define WALK_MAX_BUFFER (1u << 20)
#define WALK_SLACK 4096u

struct walk_trace {
    unsigned psize;           /* logfile PointerSize, 4 or 8 */
    int chained;              /* compressed trace (LogFileMode 0x04000000) */
    uint32_t stride;          /* buffer 0's BufferSize */
    uint32_t room;            /* the logfile's BufferSize: a buffer's size once decompressed */
    uint32_t buffers_written; /* logfile BuffersWritten */
    uint32_t cpu_mhz;         /* logfile CpuSpeedInMHz */
    unsigned buffers;         /* buffers found in the file, buffer 0 included */
    int consistent;           /* BuffersWritten, BufferSize, SavedOffset == Offset all agree */
};

struct walk_event {
    int free;                 /* 0: heap Alloc (0x1021), 1: heap Free (0x1024) */
    unsigned width;           /* the record's own width (its header type) */
    unsigned header_type, header_size, size_field;
    uint32_t thread, process; /* 0 in PERFINFO headers */
    int64_t time;
    uint64_t heap, size, address; /* Free: no size */
    uint32_t source;
    unsigned buffer;          /* buffer index */
    int decompressed;         /* it came from a compressed buffer */
};

typedef int (*walk_fn)(void *ctx, const struct walk_trace *t, const struct walk_event *e);

static uint16_t walk_rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t walk_rd32(const uint8_t *p) { return (uint32_t)walk_rd16(p) | (uint32_t)walk_rd16(p + 2) << 16; }
static uint64_t walk_rd64(const uint8_t *p) { return (uint64_t)walk_rd32(p) | (uint64_t)walk_rd32(p + 4) << 32; }

/* SYSTEM 1/2, COMPACT 3/4, PERFINFO 16/17: header size; 0 for any other type. */
static unsigned walk_header_size(unsigned type)
{
    return type == 1 || type == 2 ? 32u : type == 3 || type == 4 ? 24u : type == 16 || type == 17 ? 16u : 0u;
}

static unsigned walk_width(unsigned type)
{
    return type == 2 || type == 4 || type == 17 ? 8u : 4u;
}

static int walk_logfile(const uint8_t *p, size_t n, struct walk_trace *t)
{
    if (n < WALK_HDR + 32u + 0x38u)
        return -1;
    const uint8_t *h = p + WALK_HDR;
    unsigned hs = walk_header_size(h[2]);
    if (h[3] != 0xC0 || walk_rd16(h + 6) != 0 || hs == 0)
        return -1;
    const uint8_t *q = h + hs;
    t->stride = walk_rd32(p);
    t->room = walk_rd32(q);
    t->chained = (walk_rd32(q + 0x20) & 0x04000000u) != 0;
    t->buffers_written = walk_rd32(q + 0x24);
    t->psize = walk_rd32(q + 0x2C);
    t->cpu_mhz = walk_rd32(q + 0x34);
    if (t->psize != 4 && t->psize != 8)
        return -1;
    if (t->stride < WALK_HDR + hs + 0x38u || t->stride > WALK_MAX_BUFFER || t->stride > n)
        return -1;
    if (!t->chained && t->stride % 8 != 0)
        return -1;
    if (t->room < WALK_HDR || t->room > WALK_MAX_BUFFER)
        t->room = WALK_MAX_BUFFER;
    return 0;
}

/* The next data buffer after the one at *base (*len bytes); 0 when there is one. */
static int walk_next_buffer(const uint8_t *p, size_t n, const struct walk_trace *t, size_t *base,
                            size_t *len)
{
    size_t next = *base + *len;
    if (next > n || n - next < WALK_HDR)
        return -1;
    size_t size = t->chained ? walk_rd32(p + next) : t->stride;
    if (size < WALK_HDR || size > WALK_MAX_BUFFER || size > n - next)
        return -1;
    *base = next, *len = size;
    return 0;
}

/* BuffersWritten equals the buffers, every buffer says its own size, SavedOffset == Offset. */
static int walk_consistent(const uint8_t *p, size_t n, const struct walk_trace *t, unsigned *buffers)
{
    size_t base = 0, len = t->stride;
    int ok = 1;
    *buffers = 1;
    while (walk_next_buffer(p, n, t, &base, &len) == 0) {
        const uint8_t *b = p + base;
        uint32_t offset = walk_rd32(b + 0x30);
        (*buffers)++;
        ok &= walk_rd32(b + 4) == offset && offset >= WALK_HDR;
        ok &= t->chained ? offset <= t->room : walk_rd32(b) == t->stride && offset <= t->stride;
    }
    return ok && base + len == n && *buffers == t->buffers_written;
}

static int walk_record(const uint8_t *r, size_t size, const struct walk_trace *t, unsigned buffer,
                       int decompressed, walk_fn fn, void *ctx)
{
    unsigned hs = walk_header_size(r[2]), hook = walk_rd16(r + 6), w = walk_width(r[2]);
    struct walk_event e;
    if (hook != 0x1021 && hook != 0x1024)
        return 0;
    int is_free = hook == 0x1024;
    if (size < hs + (is_free ? 2u * w + 4u : 3u * w + 4u))
        return 0;
    const uint8_t *q = r + hs;
    memset(&e, 0, sizeof e);
    e.free = is_free, e.width = w, e.header_type = r[2], e.header_size = hs;
    e.size_field = walk_rd16(r + 4), e.buffer = buffer, e.decompressed = decompressed;
    if (hs != 16) {
        e.thread = walk_rd32(r + 8), e.process = walk_rd32(r + 12);
        e.time = (int64_t)walk_rd64(r + 16);
    } else {
        e.time = (int64_t)walk_rd64(r + 8);
    }
    e.heap = w == 8 ? walk_rd64(q) : walk_rd32(q);
    if (is_free) {
        e.address = w == 8 ? walk_rd64(q + w) : walk_rd32(q + w);
        e.source = walk_rd32(q + 2 * w);
    } else {
        e.size = w == 8 ? walk_rd64(q + w) : walk_rd32(q + w);
        e.address = w == 8 ? walk_rd64(q + 2 * w) : walk_rd32(q + 2 * w);
        e.source = walk_rd32(q + 3 * w);
    }
    return fn(ctx, t, &e);
}

/* The records in r[0, end), 8-aligned; stops at filler or at what cannot be stepped over. */
static int walk_records(const uint8_t *r, size_t end, const struct walk_trace *t, unsigned buffer,
                        int decompressed, walk_fn fn, void *ctx)
{
    for (size_t at = 0; at + 8 <= end;) {
        const uint8_t *p = r + at;
        unsigned hs = walk_header_size(p[2]);
        size_t size;
        if (walk_rd32(p) == 0xFFFFFFFFu)
            break;
        if (p[3] == 0xC0 && hs != 0)
            size = walk_rd16(p + 4);
        else if (p[3] == 0xC0 || p[3] == 0x90)
            size = walk_rd16(p), hs = 8;
        else
            break;
        if (size < hs || size < 8 || size > end - at)
            break;
        if (hs != 8 && walk_record(p, size, t, buffer, decompressed, fn, ctx) != 0)
            return 1;
        at = (at + size + 7) & ~(size_t)7;
    }
    return 0;
}

/* A compressed buffer's records, decompressed (exactly Offset - 72 bytes, else skipped). */
static int walk_compressed(const uint8_t *b, size_t len, uint32_t offset, const struct walk_trace *t,
                           unsigned buffer, walk_fn fn, void *ctx)
{
    size_t want = offset - WALK_HDR, in = len - WALK_HDR, got = want + WALK_SLACK;
    uint8_t *copy = calloc(1, in + 16), *out = malloc(got + 16);
    int rc = 0;
    if (copy != NULL && out != NULL && in > 0) {
        memcpy(copy, b + WALK_HDR, in);
        if (libfwnt_lzxpress_decompress(copy, in, out, &got, NULL) == 1 && got == want)
            rc = walk_records(out, got, t, buffer, 1, fn, ctx);
    }
    free(copy);
    free(out);
    return rc;
}

/* Read the whole trace; fn sees every Alloc and Free. -1: no usable logfile header. */
static int walk_etl(const uint8_t *p, size_t n, struct walk_trace *t, walk_fn fn, void *ctx)
{
    memset(t, 0, sizeof *t);
    if (walk_logfile(p, n, t) != 0)
        return -1;
    t->consistent = walk_consistent(p, n, t, &t->buffers);
    size_t base = 0, len = t->stride;
    for (unsigned buffer = 1; walk_next_buffer(p, n, t, &base, &len) == 0; buffer++) {
        const uint8_t *b = p + base;
        uint32_t offset = walk_rd32(b + 0x30);
        if (offset < WALK_HDR || offset > (t->chained ? t->room : len))
            continue;
        int rc = t->chained && (walk_rd16(b + 0x34) & 0x40)
                     ? walk_compressed(b, len, offset, t, buffer, fn, ctx)
                     : walk_records(b + WALK_HDR, offset - WALK_HDR > len - WALK_HDR ? len - WALK_HDR : offset - WALK_HDR,
                                    t, buffer, 0, fn, ctx);
        if (rc != 0)
            break;
    }
    return 0;
}

#endif /* MUTATOR_BUGS_ETL_WALK_H */
