/*
 * buggy_etl_reader.c - a third-party-style reader of whole .etl traces with
 * a realistic bug, for the bring-your-own-decoder demo with -Dbyod_kind=etl:
 *
 *   fuzz/run-ci --byod fuzz/examples/buggy_etl_reader.c --kind etl --seconds 60   # exits 1
 *
 * It reads the logfile header, walks the data buffers (fixed-size, or
 * chained in a compressed trace, whose records it decompresses with
 * libfwnt), steps over records 8-aligned and turns each heap Alloc's
 * SystemTime into microseconds since the trace started.
 *
 * THE BUG: it converts with the logfile header's CpuSpeedInMHz, which real
 * traces never leave at 0 (SPEC.md §4), but nothing stops a file from doing
 * so: a trace with CpuSpeedInMHz 0 and one heap Alloc divides by zero
 * (UBSan: "division by zero"; SIGFPE without it). Everything else is careful.
 */
#include <libfwnt.h>
#include <stdlib.h>
#include <string.h>

#include "byod.h"

#define HDR 72u
#define MAX_BUFFER (1u << 20)

struct trace {
    unsigned psize;
    int chained;
    uint32_t stride, room, cpu_mhz;
    int64_t start;
    unsigned long allocs;
    unsigned long long last_us;
};

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    while (n-- > 0)
        v = v << 8 | p[n];
    return v;
}

static unsigned header_size(unsigned type)
{
    return type == 1 || type == 2 ? 32u : type == 3 || type == 4 ? 24u : type == 16 || type == 17 ? 16u : 0u;
}

static int read_logfile(const uint8_t *p, size_t n, struct trace *t)
{
    if (n < HDR + 32u + 0x118u || p[HDR + 3] != 0xC0 || rd(p + HDR + 6, 2) != 0 ||
        header_size(p[HDR + 2]) == 0)
        return -1;
    const uint8_t *q = p + HDR + header_size(p[HDR + 2]);
    t->stride = (uint32_t)rd(p, 4);
    t->room = (uint32_t)rd(q, 4);
    t->chained = (rd(q + 0x20, 4) & 0x04000000u) != 0;
    t->psize = (unsigned)rd(q + 0x2C, 4);
    t->cpu_mhz = (uint32_t)rd(q + 0x34, 4);
    if (t->psize != 4 && t->psize != 8)
        return -1;
    t->start = (int64_t)rd(q + 0x38 + 2 * t->psize + 176 + 16, 8); /* StartTime */
    if (t->stride < HDR || t->stride > MAX_BUFFER || t->stride > n || t->room > MAX_BUFFER)
        return -1;
    return 0;
}

static void on_alloc(struct trace *t, const uint8_t *r, unsigned hs)
{
    int64_t time = (int64_t)rd(r + (hs == 16 ? 8 : 16), 8);
    t->allocs++;
    /* BUG: CpuSpeedInMHz may be 0 */
    t->last_us = ((uint64_t)time - (uint64_t)t->start) / t->cpu_mhz;
}

static void read_records(struct trace *t, const uint8_t *r, size_t end)
{
    for (size_t at = 0; at + 8 <= end;) {
        const uint8_t *p = r + at;
        unsigned hs = header_size(p[2]);
        size_t size;
        if (rd(p, 4) == 0xFFFFFFFFu)
            return;
        if (p[3] == 0xC0 && hs != 0)
            size = rd(p + 4, 2);
        else if (p[3] == 0xC0 || p[3] == 0x90)
            size = rd(p, 2), hs = 8;
        else
            return;
        if (size < hs || size < 8 || size > end - at)
            return;
        unsigned w = p[2] == 2 || p[2] == 4 || p[2] == 17 ? 8u : 4u;
        if (hs != 8 && rd(p + 6, 2) == 0x1021 && size >= hs + 3 * w + 4)
            on_alloc(t, p, hs);
        at = (at + size + 7) & ~(size_t)7;
    }
}

static void read_compressed(struct trace *t, const uint8_t *b, size_t len, uint32_t offset)
{
    size_t in = len - HDR, want = offset - HDR, got = want + 4096;
    uint8_t *copy = calloc(1, in + 16), *out = malloc(got + 16);
    if (copy != NULL && out != NULL && in > 0) {
        memcpy(copy, b + HDR, in);
        if (libfwnt_lzxpress_decompress(copy, in, out, &got, NULL) == 1 && got == want)
            read_records(t, out, got);
    }
    free(copy);
    free(out);
}

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    if (read_logfile(data, len, &t) != 0)
        return -1;
    for (size_t base = t.stride, size; base < len && len - base >= HDR; base += size) {
        const uint8_t *b = data + base;
        size = t.chained ? (size_t)rd(b, 4) : t.stride;
        if (size < HDR || size > MAX_BUFFER || size > len - base)
            break;
        uint32_t offset = (uint32_t)rd(b + 0x30, 4);
        if (t.chained && (rd(b + 0x34, 2) & 0x40)) {
            if (offset >= HDR && offset <= t.room)
                read_compressed(&t, b, size, offset);
        } else if (offset >= HDR && offset <= size) {
            read_records(&t, b + HDR, offset - HDR);
        }
    }
    return (int)t.allocs;
}
