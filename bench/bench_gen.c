/*
 * bench_gen.c - generator throughput in process, against the PRNG alone
 * filling the same number of bytes (the cost floor of any seeded generator),
 * measured in the same run.
 * Usage: bench-gen [MILLION_EVENTS]  (default 20)
 */
#include <stdlib.h>

#include "bench_util.h"
#include "heapev/gen.h"

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "unknown"
#endif

/* Generate @p n items; returns seconds, adds the bytes produced to *bytes. */
static double run_gen(const heapev_gen_options *o, uint64_t n, uint64_t *bytes)
{
    heapev_gen g;
    static heapev_gen_item item;
    uint64_t total = 0, sum = 0;
    if (heapev_gen_init(&g, o) != 0)
        fprintf(stderr, "bench-gen: bad options\n"), exit(2);
    double t = bench_now();
    for (uint64_t i = 0; i < n; i++) {
        heapev_gen_next(&g, &item);
        total += item.len;
        sum += item.bytes[0];
    }
    t = bench_now() - t;
    bench_keep(sum);
    *bytes = total;
    return t;
}

/* The PRNG alone writing @p bytes bytes, 8 at a time, into a small buffer. */
static double run_prng(uint64_t bytes)
{
    heapev_rng rng;
    uint8_t buf[64];
    heapev_rng_seed(&rng, 1);
    double t = bench_now();
    for (uint64_t done = 0; done < bytes; done += 8) {
        uint64_t v = heapev_rng_next(&rng);
        memcpy(buf + (done & 56), &v, 8);
    }
    t = bench_now() - t;
    bench_keep(buf[0] + buf[63]);
    return t;
}

static void bench_case(const char *name, heapev_gen_options o, uint64_t n)
{
    uint64_t bytes = 0;
    double t_gen = 1e9, t_rng = 1e9;
    for (int i = 0; i < 3; i++) {
        double g = run_gen(&o, n, &bytes), r = run_prng(bytes);
        t_gen = g < t_gen ? g : t_gen;
        t_rng = r < t_rng ? r : t_rng;
    }
    printf("| %-34s | %8.2f M/s | %7.0f MB/s | %7.0f MB/s | %6.3fx |\n", name, (double)n / t_gen / 1e6,
           (double)bytes / t_gen / 1e6, (double)bytes / t_rng / 1e6, t_rng / t_gen);
}

int main(int argc, char **argv)
{
    uint64_t n = (argc > 1 ? strtoull(argv[1], NULL, 10) : 20) * 1000000ull;
    if (n == 0)
        return fprintf(stderr, "usage: bench-gen [MILLION_EVENTS]\n"), 2;
    bench_print_machine(BENCH_FLAGS);
    printf("events: %llu per case, best of 3; baseline: the PRNG alone filling the same bytes\n\n",
           (unsigned long long)n);
    printf("| %-34s | %-12s | %-12s | %-12s | %-7s |\n", "case", "generator", "generator",
           "PRNG only", "/PRNG");
    printf("|%s|%s|%s|%s|%s|\n", "------------------------------------", "--------------",
           "--------------", "--------------", "---------");
    bench_case("payload, 64-bit, well-formed", (heapev_gen_options){.seed = 1, .width = 8, .format = HEAPEV_GEN_FORMAT_PAYLOAD}, n);
    bench_case("payload, mixed widths, well-formed", (heapev_gen_options){.seed = 1, .format = HEAPEV_GEN_FORMAT_PAYLOAD}, n);
    bench_case("payload, mixed, 50% malformed", (heapev_gen_options){.seed = 1, .format = HEAPEV_GEN_FORMAT_PAYLOAD, .malformed = 0.5}, n);
    bench_case("record, mixed, 50% malformed", (heapev_gen_options){.seed = 1, .format = HEAPEV_GEN_FORMAT_RECORD, .malformed = 0.5}, n);
    printf("\ntarget: >= 20 M payloads/s\n");
    return 0;
}
