/*
 * etl_mutator_selftest.c - checks the .etl mutator (etl_mutator.c) without
 * libFuzzer, reading every result with heapev's reader: the same Seed gives
 * the same bytes; results never exceed MaxSize; mutations of compressed
 * traces stay decodable (their buffers decompress) and really change the
 * decompressed records; most results keep the container consistent (no
 * etl_* defect) while the container classes still show up; the sequence
 * operators make their relations (same Address twice, time going back on a
 * thread, a block starting where an earlier one ends, a WOW64 Alloc after a
 * 64-bit one of the same process); cross-overs are deterministic and bounded.
 *
 * Usage: etl-mutator-selftest [DIR|FILE...]   (seed traces; generated ones too)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "heapev/etl.h"
#include "heapev/gen_etl.h"
#include "heapev/wraps.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned seed);

/* Stand-in for libFuzzer's byte mutator: deterministic in its input (an FNV-1a hash, wrapping). */
HEAPEV_WRAPS size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
    uint64_t h = 1469598103934665603ull ^ size;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    if (size == 0 || (h & 3) == 0) {
        if (size < max_size)
            data[size++] = (uint8_t)(h >> 8);
        return size;
    }
    data[(h >> 16) % size] ^= (uint8_t)(1u << ((h >> 40) & 7));
    return size;
}

#define MAX_SEEDS 128
#define MAX_LEN 16384u /* etl_read's max_len */
#define CHAIN 24       /* mutations in a row from each seed */
#define SEEDS_PER 12   /* Seeds per seed file */

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static size_t nseeds;

static void add_seed(const uint8_t *p, size_t n)
{
    if (nseeds == MAX_SEEDS || n > MAX_LEN)
        return;
    seeds[nseeds] = fuzz_malloc(n);
    if (n != 0)
        memcpy(seeds[nseeds], p, n);
    seed_len[nseeds++] = n;
}

/* A seed file (a fuzz_each_file() callback): longer than MAX_LEN is no seed. */
static void add_file(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    add_seed(data, len);
}

static void add_path(const char *path)
{
    static uint8_t buf[MAX_LEN + 1];
    fuzz_each_file(path, buf, sizeof buf, add_file, NULL);
}

/* Clean generated traces: compressed and not, 32- and 64-bit, with WOW64 Allocs. */
static void add_generated(void)
{
    static uint8_t mem[HEAPEV_GEN_ETL_MEMORY(1024)], img[MAX_LEN];
    for (unsigned i = 0; i < 8; i++) {
        heapev_gen_etl_options o = {.seed = 1000 + i, .width = i % 4 == 3 ? 4u : 8u,
                                    .count = 12 + 3 * i, .buffer_size = 1024, .container = -1,
                                    .noise = 0.2, .compress = (int)(i % 2)};
        o.wow64 = o.width == 8 ? 0.3 : 0.0;
        heapev_gen_etl_image s = {img, sizeof img, 0};
        FUZZ_ASSERT(heapev_gen_etl_write(&o, mem, sizeof mem, heapev_gen_etl_image_sink, &s, NULL,
                                         NULL, NULL) == 0);
        add_seed(img, s.len);
    }
}

/* ---- reading a result ---------------------------------------------------------------- */

#define MAX_EVENTS 1024

typedef struct reading {
    heapev_etl_stats stats;
    heapev_etl_logfile lf;
    heapev_findings container; /* etl_* defects of container items */
    size_t nev;
    heapev_event ev[MAX_EVENTS]; /* the events, decompressed ones included */
    uint8_t from_decompressed[MAX_EVENTS];
} reading;

static uint8_t scratch[HEAPEV_ETL_SCRATCH_SIZE(1u << 20)];

static void read_trace(const uint8_t *p, size_t n, reading *out)
{
    heapev_etl_read_options o = {.max_buffer_size = 1u << 20, .scratch = scratch,
                                 .scratch_size = sizeof scratch};
    heapev_etl_reader r;
    heapev_etl_item it;
    out->container = 0;
    out->nev = 0;
    heapev_etl_reader_init_memory(&r, &o, p, n);
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK) {
        if (it.kind == HEAPEV_ETL_ITEM_CONTAINER)
            out->container |= heapev_findings_defects(it.findings);
        else if (it.kind == HEAPEV_ETL_ITEM_EVENT && out->nev < MAX_EVENTS) {
            out->from_decompressed[out->nev] = it.decompressed;
            out->ev[out->nev++] = it.event;
        }
    }
    out->stats = *heapev_etl_reader_stats(&r);
    out->lf = *heapev_etl_reader_logfile(&r);
}

/* ---- the relations the sequence operators make ------------------------------------------ */

enum { REL_SAME_ADDRESS, REL_TIME_BACK, REL_ADJACENT, REL_WOW64_AFTER, REL_COUNT };
static const char *const rel_names[REL_COUNT] = {"same address twice", "time back on a thread",
                                                 "adjacent blocks", "WOW64 after 64-bit"};

static unsigned relations(const reading *rd)
{
    unsigned found = 0;
    for (size_t b = 1; b < rd->nev; b++) {
        const heapev_event *y = &rd->ev[b];
        for (size_t a = 0; a < b; a++) {
            const heapev_event *x = &rd->ev[a];
            if (x->address == y->address && x->address != 0)
                found |= 1u << REL_SAME_ADDRESS;
            if (x->header.thread_id == y->header.thread_id && x->header.thread_id != 0 &&
                y->header.system_time < x->header.system_time)
                found |= 1u << REL_TIME_BACK;
            if (x->size != 0 && y->address >= x->address && y->address - x->address == x->size)
                found |= 1u << REL_ADJACENT;
            if (rd->lf.pointer_size == 8 && x->pointer_width == 8 && y->pointer_width == 4 &&
                x->header.process_id == y->header.process_id && y->header.process_id != 0)
                found |= 1u << REL_WOW64_AFTER;
        }
    }
    return found;
}

/* Events of @p a that @p b does not hold at the same index (decompressed ones only). */
static int decompressed_events_differ(const reading *a, const reading *b)
{
    size_t n = a->nev < b->nev ? a->nev : b->nev;
    for (size_t i = 0; i < n; i++) {
        const heapev_event *x = &a->ev[i], *y = &b->ev[i];
        if (!a->from_decompressed[i] || !b->from_decompressed[i])
            continue;
        if (x->address != y->address || x->size != y->size || x->source != y->source ||
            x->heap_handle != y->heap_handle || x->header.system_time != y->header.system_time ||
            x->header.thread_id != y->header.thread_id || x->header.header_type != y->header.header_type ||
            x->header.size != y->header.size)
            return 1;
    }
    return a->nev != b->nev;
}

/* What the writer keeps consistent: BufferSize, Offset and SavedOffset, BuffersWritten. */
#define LAYOUT_DEFECTS                                                                  \
    (HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID) | HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID) | \
     HEAPEV_FINDING(ETL_OFFSET_MISMATCH) | HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH) |  \
     HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH))
#define STREAM_DEFECTS (HEAPEV_FINDING(ETL_DECOMPRESS_FAILED) | HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH))

typedef struct tally {
    unsigned long mutations, from_consistent, consistent, layout, compressed, decodable, changed, relations_seen;
    heapev_findings container_seen;
} tally;

static void check_one(const uint8_t *before, size_t blen, const uint8_t *after, size_t alen,
                      tally *t)
{
    static reading ra, rb;
    read_trace(before, blen, &ra);
    read_trace(after, alen, &rb);
    t->mutations++;
    t->from_consistent += ra.container == 0;
    t->consistent += ra.container == 0 && rb.container == 0;
    t->layout += ra.container == 0 && (rb.container & LAYOUT_DEFECTS) == 0;
    t->container_seen |= rb.container;
    t->relations_seen |= relations(&rb);
    if (ra.lf.present && ra.lf.compressed && ra.stats.decompressed > 0 && ra.container == 0) {
        t->compressed++;
        int ok = rb.stats.decompressed > 0 && (rb.container & STREAM_DEFECTS) == 0;
        t->decodable += ok;
        t->changed += ok && decompressed_events_differ(&ra, &rb);
    }
}

static void mutate_seeds(tally *t)
{
    static uint8_t a[MAX_LEN], b[MAX_LEN], prev[MAX_LEN];
    for (size_t s = 0; s < nseeds; s++) {
        for (unsigned seed = 0; seed < SEEDS_PER; seed++) {
            size_t max = seed % 4 == 3 && seed_len[s] > 1 ? seed_len[s] / 2 : MAX_LEN;
            size_t n = seed_len[s] < max ? seed_len[s] : max;
            memcpy(a, seeds[s], n);
            memcpy(b, seeds[s], n);
            size_t la = LLVMFuzzerCustomMutator(a, n, max, seed);
            size_t lb = LLVMFuzzerCustomMutator(b, n, max, seed);
            FUZZ_ASSERT_MSG(la == lb && memcmp(a, b, la) == 0, "same Seed, different mutation");
            FUZZ_ASSERT_MSG(la <= max, "mutation longer than MaxSize");
            for (unsigned step = 0; step < CHAIN; step++) {
                memcpy(prev, a, la);
                size_t lp = la;
                la = LLVMFuzzerCustomMutator(a, la, MAX_LEN, seed * 977u + step);
                FUZZ_ASSERT_MSG(la <= MAX_LEN, "mutation longer than MaxSize");
                check_one(prev, lp, a, la, t);
            }
        }
    }
}

static void cross_seeds(void)
{
    static uint8_t out[MAX_LEN], again[MAX_LEN];
    static reading rd;
    unsigned long readable = 0, total = 0;
    for (size_t s = 0; s < nseeds; s++) {
        for (unsigned seed = 0; seed < 4; seed++) {
            size_t o = (s + seed + 1) % nseeds, max = seed == 3 ? 777 : MAX_LEN;
            size_t l1 = LLVMFuzzerCustomCrossOver(seeds[s], seed_len[s], seeds[o], seed_len[o], out, max, seed);
            size_t l2 = LLVMFuzzerCustomCrossOver(seeds[s], seed_len[s], seeds[o], seed_len[o], again, max, seed);
            FUZZ_ASSERT_MSG(l1 == l2 && memcmp(out, again, l1) == 0, "same Seed, different cross-over");
            FUZZ_ASSERT_MSG(l1 <= max, "cross-over longer than MaxOutSize");
            read_trace(out, l1, &rd);
            readable += rd.lf.present;
            total++;
        }
    }
    FUZZ_ASSERT_MSG(readable * 10 >= total * 8, "cross-overs mostly unreadable");
}

int main(int argc, char **argv)
{
    tally t = {0};
    add_seed(NULL, 0);
    add_seed((const uint8_t *)"not a trace at all", 18);
    add_generated();
    for (int i = 1; i < argc; i++)
        add_path(argv[i]);
    mutate_seeds(&t);
    printf("etl mutator selftest: %zu seeds, %lu mutations; of a trace without an etl_* defect: "
           "%lu%% without one, %lu%% with BufferSize, Offsets and BuffersWritten right; "
           "%lu of compressed traces: %lu%% decodable, %lu%% of those with changed records; "
           "%u container findings seen\n",
           nseeds, t.mutations, 100 * t.consistent / t.from_consistent,
           100 * t.layout / t.from_consistent, t.compressed,
           t.compressed ? 100 * t.decodable / t.compressed : 0,
           t.decodable ? 100 * t.changed / t.decodable : 0,
           heapev_findings_count(t.container_seen));
    fflush(stdout);
    cross_seeds();
    FUZZ_ASSERT_MSG(t.consistent * 100 >= t.from_consistent * 70, "no etl_* defect after < 70 %");
    FUZZ_ASSERT_MSG(t.layout * 100 >= t.from_consistent * 80, "layout kept consistent < 80 %");
    FUZZ_ASSERT_MSG(t.compressed >= 100, "too few mutations of compressed traces");
    FUZZ_ASSERT_MSG(t.decodable * 100 >= t.compressed * 80, "compressed traces decodable < 80 %");
    FUZZ_ASSERT_MSG(t.changed * 100 >= t.decodable * 40, "decompressed records changed < 40 %");
    FUZZ_ASSERT_MSG(heapev_findings_count(t.container_seen) >= 10, "fewer than 10 etl_* findings");
    for (unsigned r = 0; r < REL_COUNT; r++) {
        printf("  relation %-22s %s\n", rel_names[r], (t.relations_seen >> r) & 1 ? "made" : "MISSING");
        FUZZ_ASSERT_MSG((t.relations_seen >> r) & 1, "a sequence operator's relation never made");
    }
    for (size_t s = 0; s < nseeds; s++)
        free(seeds[s]);
    printf("Success!\n");
    return 0;
}
