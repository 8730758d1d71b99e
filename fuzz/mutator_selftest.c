/*
 * mutator_selftest.c - checks the structure-aware mutator without libFuzzer:
 * the same Seed gives the same bytes, the result never exceeds MaxSize (also
 * when MaxSize < Size), empty and garbage inputs become events, long
 * chains of mutations and cross-overs from the seeds stay decodable, and (in
 * record and mixed modes) the mutations reach all three header families the
 * decoder reads an Alloc from: SYSTEM, COMPACT and PERFINFO.
 *
 * Usage: mutator-selftest-<mode> [DIR|FILE...]   (seed files; a few built in)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "heapev/wraps.h"
#include "mutator_mode.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned seed);

/* Stand-in for libFuzzer's byte mutator: deterministic in its input (FNV-1a, wrapping). */
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
    if ((h & 3) == 1 && size > 1)
        size--;
    return size;
}

#define MAX_SEEDS 256
#define MAX_LEN 8192

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static size_t nseeds;

static void add_seed(const uint8_t *p, size_t n)
{
    if (nseeds == MAX_SEEDS)
        return;
    if (n > MAX_LEN)
        n = MAX_LEN;
    seeds[nseeds] = fuzz_malloc(n);
    if (n)
        memcpy(seeds[nseeds], p, n);
    seed_len[nseeds++] = n;
}

/* A seed file (a fuzz_each_file() callback), cut at MAX_LEN. */
static void add_file(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    add_seed(data, len);
}

static void add_path(const char *path)
{
    static uint8_t buf[MAX_LEN];
    fuzz_each_file(path, buf, sizeof buf, add_file, NULL);
}


/* Records with a decoded payload, by header family: SYSTEM, COMPACT, PERFINFO. */
static unsigned long family_allocs[3];

/* Decode the bytes every way the targets do; ASan/UBSan watch. */
static void decode_all(const uint8_t *p, size_t n)
{
    heapev_event ev;
    for (unsigned w = 0; w <= 8; w += 4)
        fuzz_check_event(&ev, heapev_decode_payload(p, n, w, NULL, &ev));
    for (size_t off = 0, used; off < n; off += used) {
        heapev_findings f = heapev_decode_record(p + off, n - off, NULL, &ev, &used);
        fuzz_check_record(&ev, f, used, n - off);
        if (ev.payload_decoded) {
            unsigned hs = heapev_header_type_size(ev.header.header_type);
            family_allocs[hs == HEAPEV_HEADER_SIZE_SYSTEM ? 0 : hs == HEAPEV_HEADER_SIZE_COMPACT ? 1 : 2]++;
        }
    }
}

int main(int argc, char **argv)
{
    static const uint8_t garbage[] = "not an event at all, just text";
    add_seed(NULL, 0);
    add_seed(garbage, sizeof garbage - 1);
    for (int i = 1; i < argc; i++)
        add_path(argv[i]);

    static uint8_t a[MAX_LEN], b[MAX_LEN], out[MAX_LEN];
    unsigned long mutations = 0, grew_events = 0;
    for (size_t s = 0; s < nseeds; s++) {
        for (unsigned seed = 0; seed < 64; seed++) {
            size_t max = seed % 5 == 0 && seed_len[s] > 1 ? seed_len[s] / 2 : 4096;
            size_t n = seed_len[s] < max ? seed_len[s] : max;
            /* Same Seed -> same mutation. */
            memcpy(a, seeds[s], seed_len[s] < MAX_LEN ? seed_len[s] : MAX_LEN);
            memcpy(b, seeds[s], seed_len[s] < MAX_LEN ? seed_len[s] : MAX_LEN);
            size_t la = LLVMFuzzerCustomMutator(a, seed_len[s] < max ? seed_len[s] : n, max, seed);
            size_t lb = LLVMFuzzerCustomMutator(b, seed_len[s] < max ? seed_len[s] : n, max, seed);
            FUZZ_ASSERT_MSG(la == lb && memcmp(a, b, la) == 0, "same Seed, different mutation");
            FUZZ_ASSERT_MSG(la <= max, "mutation longer than MaxSize");
            if (seed_len[s] == 0)
                FUZZ_ASSERT_MSG(la > 0, "empty input did not become a dummy event");
            decode_all(a, la);
            /* A chain of mutations from this seed. */
            for (unsigned step = 0; step < 32; step++) {
                la = LLVMFuzzerCustomMutator(a, la, 4096, seed * 131u + step);
                FUZZ_ASSERT(la <= 4096);
                decode_all(a, la);
                mutations++;
            }
            heapev_event ev;
            size_t used;
            heapev_decode_record(a, la, NULL, &ev, &used);
            grew_events += ev.payload_decoded;
            /* Cross-over with another seed: deterministic and bounded. */
            const uint8_t *other = seeds[(s + seed) % nseeds];
            size_t olen = seed_len[(s + seed) % nseeds];
            size_t omax = 1 + seed * 37 % 4096;
            size_t lo = LLVMFuzzerCustomCrossOver(a, la, other, olen, out, omax, seed);
            size_t lo2 = LLVMFuzzerCustomCrossOver(a, la, other, olen, b, omax, seed);
            FUZZ_ASSERT_MSG(lo == lo2 && memcmp(out, b, lo) == 0, "same Seed, different cross-over");
            FUZZ_ASSERT_MSG(lo <= omax, "cross-over longer than MaxOutSize");
            decode_all(out, lo);
        }
    }
    for (size_t s = 0; s < nseeds; s++)
        free(seeds[s]);
    if (FUZZ_MUTATOR_MODE != FUZZ_MODE_PAYLOAD)
        FUZZ_ASSERT_MSG(family_allocs[0] && family_allocs[1] && family_allocs[2],
                        "mutations never made a SYSTEM, COMPACT or PERFINFO heap Alloc");
    printf("mutator selftest: %zu seeds, %lu mutations, %lu chains ending on a decodable "
           "record; Allocs decoded in SYSTEM/COMPACT/PERFINFO headers: %lu/%lu/%lu: Success!\n",
           nseeds, mutations, grew_events, family_allocs[0], family_allocs[1], family_allocs[2]);
    return 0;
}
