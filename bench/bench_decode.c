/*
 * bench_decode.c - payload and record decode throughput, as ratios against
 * baselines measured in the same run on the same bytes:
 *   memcpy     copying the stream (the bandwidth ceiling);
 *   field sum  a plain loop loading the four fields of each event and
 *              summing them (the least work any decoder must do).
 * Payloads are decoded one at a time (heapev_decode_payload) and in batches
 * of BATCH (heapev_decode_payloads, into a reused array of events).
 * Usage: bench-decode [MiB]  (default 1024: a >= 1 GiB stream)
 */
#include <stdlib.h>

#include "bench_util.h"
#include "heapev/decode.h"
#include "heapev/model.h"

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "unknown"
#endif

#define BATCH 256u

typedef struct stream {
    uint8_t *bytes;
    size_t len;
    size_t stride; /* bytes per event */
    unsigned width;
    int records;
    int batch;     /* payloads: heapev_decode_payloads() in batches of BATCH */
} stream;

/* Fill @p s with copies of realistic events (varying fields) of one shape. */
static void fill(stream *s)
{
    heapev_gen_model model; /* the generator's modelled process: realistic, well-formed */
    heapev_event e;
    heapev_gen_model_init(&model, s->width, 7);
    for (size_t off = 0; off + s->stride <= s->len; off += s->stride) {
        heapev_gen_model_event(&model, &e);
        size_t n = s->records ? heapev_encode_record(&e, s->bytes + off, s->stride)
                              : heapev_encode_payload(&e, s->bytes + off, s->stride);
        if (n != s->stride)
            abort();
    }
}

static double run_memcpy(const stream *s, uint8_t *dst)
{
    double t = bench_now();
    memcpy(dst, s->bytes, s->len);
    t = bench_now() - t;
    bench_keep(dst[s->len - 1]);
    return t;
}

static double run_sum(const stream *s)
{
    uint64_t sum = 0;
    size_t skip = s->records ? (s->width == 8 ? 32 : 32) : 0;
    double t = bench_now();
    for (size_t off = 0; off + s->stride <= s->len; off += s->stride) {
        const uint8_t *p = s->bytes + off + skip;
        uint64_t h = 0, z = 0, a = 0;
        uint32_t src;
        memcpy(&h, p, s->width);
        memcpy(&z, p + s->width, s->width);
        memcpy(&a, p + 2 * s->width, s->width);
        memcpy(&src, p + 3 * s->width, 4);
        sum += h + z + a + src;
    }
    t = bench_now() - t;
    bench_keep(sum);
    return t;
}

static double run_decode(const stream *s, uint64_t *findings_seen)
{
    uint64_t sum = 0, seen = 0;
    heapev_event e;
    double t = bench_now();
    if (s->records) {
        for (size_t off = 0; off < s->len;) {
            size_t used;
            seen |= heapev_decode_record(s->bytes + off, s->len - off, NULL, &e, &used);
            sum += e.heap_handle + e.size + e.address + e.source;
            off += used;
        }
    } else if (s->batch) {
        static heapev_event events[BATCH];
        size_t n = s->len / s->stride;
        for (size_t i = 0; i < n; i += BATCH) {
            size_t k = n - i < BATCH ? n - i : BATCH;
            seen |= heapev_decode_payloads(s->bytes + i * s->stride, k, s->width, NULL, events);
            for (size_t j = 0; j < k; j++)
                sum += events[j].heap_handle + events[j].size + events[j].address + events[j].source;
        }
    } else {
        for (size_t off = 0; off + s->stride <= s->len; off += s->stride) {
            seen |= heapev_decode_payload(s->bytes + off, s->stride, s->width, NULL, &e);
            sum += e.heap_handle + e.size + e.address + e.source;
        }
    }
    t = bench_now() - t;
    bench_keep(sum);
    *findings_seen = seen;
    return t;
}

static void bench_one(const char *name, stream *s, uint8_t *scratch)
{
    fill(s);
    double events = (double)(s->len / s->stride);
    double gb = (double)s->len / 1e9;
    double t_copy = run_memcpy(s, scratch), t_sum = run_sum(s), t_dec;
    uint64_t seen;
    /* best of 3 for each, to keep noise from the other core out */
    for (int i = 0; i < 2; i++) {
        double c = run_memcpy(s, scratch), m = run_sum(s);
        t_copy = c < t_copy ? c : t_copy;
        t_sum = m < t_sum ? m : t_sum;
    }
    t_dec = run_decode(s, &seen);
    for (int i = 0; i < 2; i++) {
        double d = run_decode(s, &seen);
        t_dec = d < t_dec ? d : t_dec;
    }
    if (seen != 0)
        fprintf(stderr, "bench-decode: unexpected findings on clean input\n"), exit(1);
    printf("| %-22s | %8.1f M/s | %6.2f GB/s | %6.2f GB/s | %6.2f GB/s | %5.2fx | %5.2fx |\n",
           name, events / t_dec / 1e6, gb / t_dec, gb / t_copy, gb / t_sum, t_copy / t_dec,
           t_sum / t_dec);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
    size_t len = mib << 20;
    if (len == 0)
        return fprintf(stderr, "usage: bench-decode [MiB]\n"), 2;
    uint8_t *bytes = malloc(len), *scratch = malloc(len);
    if (bytes == NULL || scratch == NULL)
        return fprintf(stderr, "bench-decode: cannot allocate 2 x %zu MiB\n", mib), 2;
    memset(scratch, 0, len); /* fault the pages in before timing memcpy */
    bench_print_machine(BENCH_FLAGS);
    printf("stream: %zu MiB per case, best of 3\n\n", mib);
    printf("| %-22s | %-12s | %-11s | %-11s | %-11s | %-6s | %-6s |\n", "case", "decode",
           "decode", "memcpy", "field sum", "/memcpy", "/sum");
    printf("|%s|%s|%s|%s|%s|%s|%s|\n", "------------------------", "--------------",
           "-------------", "-------------", "-------------", "--------", "--------");
    stream cases[] = {{bytes, len, 28, 8, 0, 0}, {bytes, len, 28, 8, 0, 1},
                      {bytes, len, 16, 4, 0, 0}, {bytes, len, 16, 4, 0, 1},
                      {bytes, len, 60, 8, 1, 0}, {bytes, len, 48, 4, 1, 0}};
    static const char *names[] = {"payload 64-bit (28 B)", "payload 64-bit, batch",
                                  "payload 32-bit (16 B)", "payload 32-bit, batch",
                                  "record 64-bit (60 B)", "record 32-bit (48 B)"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cases[i].len = len - len % cases[i].stride;
        bench_one(names[i], &cases[i], scratch);
    }
    printf("\ndecode/memcpy target >= 0.5x; /sum shows the decoder's cost over bare loads.\n");
    free(bytes);
    free(scratch);
    return 0;
}
