/*
 * afl_mutator_selftest.c - loads an AFL++ custom mutator library built from
 * fuzz/afl_mutator.c with dlopen(), as afl-fuzz does, and drives it without
 * afl-fuzz: afl_custom_init, afl_custom_fuzz on seed files (with and without
 * a splice partner), afl_custom_deinit. Checks: the symbols AFL++ 4.04c
 * looks up are there; the same init seed gives the same outputs; no output
 * exceeds max_size or comes back empty; outputs change the input; and, for
 * the etl library, most outputs are traces the reader reads a logfile
 * header from.
 *
 * Usage: afl-mutator-selftest LIBRARY etl|record|payload DIR|FILE...
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_helpers.h"
#include "heapev/etl.h"

typedef void *(*init_fn)(void *afl, unsigned int seed);
typedef size_t (*fuzz_fn)(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                          uint8_t *add_buf, size_t add_buf_size, size_t max_size);
typedef void (*deinit_fn)(void *data);

#define MAX_SEEDS 64
#define MAX_LEN 16384u
#define ROUNDS 40

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS], nseeds;

/* A seed file (a fuzz_each_file() callback), cut at MAX_LEN, in a buffer of MAX_LEN. */
static void add_file(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (nseeds == MAX_SEEDS)
        return;
    uint8_t *p = fuzz_malloc(MAX_LEN);
    memcpy(p, data, len);
    seeds[nseeds] = p;
    seed_len[nseeds++] = len;
}

static void add_path(const char *path)
{
    static uint8_t buf[MAX_LEN];
    fuzz_each_file(path, buf, sizeof buf, add_file, NULL);
}

static void *symbol(void *lib, const char *name)
{
    void *p = dlsym(lib, name);
    if (p == NULL) {
        fprintf(stderr, "afl-mutator-selftest: %s: %s\n", name, dlerror());
        abort();
    }
    return p;
}

static int reads_logfile(const uint8_t *p, size_t n)
{
    static uint8_t scratch[HEAPEV_ETL_SCRATCH_SIZE(1u << 16)];
    heapev_etl_read_options o = {.max_buffer_size = 1u << 16, .scratch = scratch,
                                 .scratch_size = sizeof scratch};
    heapev_etl_reader r;
    heapev_etl_item it;
    heapev_etl_reader_init_memory(&r, &o, p, n);
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK)
        continue;
    return heapev_etl_reader_logfile(&r)->present;
}

/* One instance run over every seed; the outputs' hash, for determinism. */
static uint64_t run(init_fn init, fuzz_fn fuzz, deinit_fn deinit, unsigned seed, int etl,
                    unsigned long *outputs, unsigned long *changed, unsigned long *traces)
{
    void *m = init(NULL, seed);
    uint64_t h = 1469598103934665603ull;
    FUZZ_ASSERT_MSG(m != NULL, "afl_custom_init returned NULL");
    for (unsigned round = 0; round < ROUNDS; round++) {
        for (size_t s = 0; s < nseeds; s++) {
            uint8_t *out = NULL, *partner = seeds[(s + round + 1) % nseeds];
            size_t max = round % 5 == 4 ? MAX_LEN / 4 : MAX_LEN;
            size_t n = fuzz(m, seeds[s], seed_len[s], &out, round % 2 ? partner : NULL,
                            round % 2 ? seed_len[(s + round + 1) % nseeds] : 0, max);
            FUZZ_ASSERT_MSG(out != NULL && n > 0 && n <= max, "output NULL, empty or over max_size");
            for (size_t i = 0; i < n; i++)
                h = (h ^ out[i]) * 1099511628211ull;
            (*outputs)++;
            *changed += n != seed_len[s] || memcmp(out, seeds[s], n) != 0;
            if (etl)
                *traces += (unsigned long)reads_logfile(out, n);
        }
    }
    deinit(m);
    return h;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: afl-mutator-selftest LIBRARY etl|record|payload DIR|FILE...\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "afl-mutator-selftest: %s\n", dlerror());
        return 1;
    }
    init_fn init = (init_fn)(uintptr_t)symbol(lib, "afl_custom_init");
    fuzz_fn fuzz = (fuzz_fn)(uintptr_t)symbol(lib, "afl_custom_fuzz");
    deinit_fn deinit = (deinit_fn)(uintptr_t)symbol(lib, "afl_custom_deinit");
    (void)symbol(lib, "afl_custom_describe");
    for (int i = 3; i < argc; i++)
        add_path(argv[i]);
    FUZZ_ASSERT_MSG(nseeds > 0, "no seed files");
    int etl = strcmp(argv[2], "etl") == 0;
    unsigned long outputs = 0, changed = 0, traces = 0, o2 = 0, c2 = 0, t2 = 0;
    uint64_t h1 = run(init, fuzz, deinit, 7, etl, &outputs, &changed, &traces);
    uint64_t h2 = run(init, fuzz, deinit, 7, etl, &o2, &c2, &t2);
    FUZZ_ASSERT_MSG(h1 == h2, "same init seed, different outputs");
    printf("afl mutator selftest (%s): %zu seeds, %lu outputs, %lu%% changed", argv[2], nseeds,
           outputs, 100 * changed / outputs);
    if (etl)
        printf(", %lu%% read as traces", 100 * traces / outputs);
    printf(": Success!\n");
    FUZZ_ASSERT_MSG(changed * 10 >= outputs * 9, "fewer than 90 % of outputs changed");
    FUZZ_ASSERT_MSG(!etl || traces * 10 >= outputs * 8, "fewer than 80 % of etl outputs are traces");
    for (size_t s = 0; s < nseeds; s++)
        free(seeds[s]);
    dlclose(lib);
    return 0;
}
