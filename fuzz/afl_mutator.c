/*
 * afl_mutator.c - heapev's structure-aware mutators as an AFL++ custom
 * mutator library (AFL_CUSTOM_MUTATOR_LIBRARY=.../libheapev-afl-<kind>.so).
 *
 * AFL++ never calls LLVMFuzzerCustomMutator, so this adapter gives it
 * afl_custom_init / afl_custom_fuzz / afl_custom_describe /
 * afl_custom_deinit (the API of AFL++ 4.04c, Debian's package) on top of the
 * same LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver the libFuzzer
 * _structured targets link: fuzz/mutator.c in one mode, or
 * fuzz/etl_mutator.c. AFL++'s splice partner (add_buf) goes to the
 * cross-over now and then. 4.04c has no afl_custom_splice_optout (it came
 * later), and nothing needs afl_custom_post_process: every output is already
 * a complete input.
 *
 * The mutators ask LLVMFuzzerMutate for byte noise, which only libFuzzer
 * has; this file defines it: a few havoc steps (bit flips, interesting
 * bytes, small additions, deleted, inserted and copied runs) drawn from the
 * mutator instance's PRNG. Global state: that function has no context
 * parameter, so it reaches the instance through one static pointer, set by
 * afl_custom_fuzz for the duration of its call (AFL++ runs one mutator
 * instance per process, from one thread).
 */
#include <stdlib.h>
#include <string.h>

#include "mutate_fields.h"

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned seed);

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
const char *afl_custom_describe(void *data, size_t max_description_len);
void afl_custom_deinit(void *data);

#ifndef FUZZ_AFL_KIND
#define FUZZ_AFL_KIND "heapev"
#endif

typedef struct afl_mutator {
    heapev_rng rng;
    uint8_t *out; /* the output AFL++ reads (out_buf) */
    size_t cap;
} afl_mutator;

static afl_mutator *current; /* the instance inside afl_custom_fuzz, for LLVMFuzzerMutate */

/* ---- LLVMFuzzerMutate: a small havoc -------------------------------------------- */

static void havoc_step(heapev_rng *r, uint8_t *d, size_t *size, size_t max)
{
    static const uint8_t interesting[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x10, 0x20, 0x40, 0xC0};
    size_t n = *size, at = n ? (size_t)heapev_rng_bounded(r, n) : 0;
    size_t run = 1 + (size_t)heapev_rng_bounded(r, 16);
    switch (heapev_rng_bounded(r, 7)) {
    case 0: if (n) d[at] ^= (uint8_t)(1u << heapev_rng_bounded(r, 8)); break;
    case 1: if (n) d[at] = interesting[heapev_rng_bounded(r, sizeof interesting)]; break;
    case 2: if (n) d[at] = (uint8_t)(d[at] + 1 + heapev_rng_bounded(r, 35) - 18); break;
    case 3: if (n) d[at] = (uint8_t)heapev_rng_next(r); break;
    case 4: /* delete a run */
        if (n > run && at + run <= n) {
            memmove(d + at, d + at + run, n - at - run);
            *size = n - run;
        }
        break;
    case 5: /* insert random bytes */
        if (n + run <= max) {
            memmove(d + at + run, d + at, n - at);
            for (size_t i = 0; i < run; i++)
                d[at + i] = (uint8_t)heapev_rng_next(r);
            *size = n + run;
        }
        break;
    default: /* copy a run over another place */
        if (n > run) {
            size_t from = (size_t)heapev_rng_bounded(r, n - run), to = (size_t)heapev_rng_bounded(r, n - run);
            memmove(d + to, d + from, run);
        }
        break;
    }
}

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
    heapev_rng fallback;
    heapev_rng *r = current != NULL ? &current->rng : &fallback;
    if (current == NULL)
        heapev_rng_seed(&fallback, size);
    if (size > max_size)
        size = max_size;
    for (uint64_t i = 0, steps = 1 + heapev_rng_bounded(r, 4); i < steps; i++)
        havoc_step(r, data, &size, max_size);
    return size;
}

/* ---- the AFL++ API ------------------------------------------------------------------ */

void *afl_custom_init(void *afl, unsigned int seed)
{
    (void)afl;
    afl_mutator *m = calloc(1, sizeof *m);
    if (m != NULL)
        heapev_rng_seed(&m->rng, seed);
    return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
    afl_mutator *m = data;
    if (max_size > m->cap) {
        uint8_t *p = realloc(m->out, max_size);
        if (p == NULL)
            return *out_buf = buf, buf_size;
        m->out = p, m->cap = max_size;
    }
    current = m;
    unsigned seed = (unsigned)heapev_rng_next(&m->rng);
    size_t n = 0;
    if (add_buf != NULL && add_buf_size != 0 && heapev_rng_bounded(&m->rng, 8) == 0)
        n = LLVMFuzzerCustomCrossOver(buf, buf_size, add_buf, add_buf_size, m->out, max_size, seed);
    if (n == 0) { /* no cross-over, or an empty one */
        n = buf_size < max_size ? buf_size : max_size;
        if (n != 0)
            memcpy(m->out, buf, n);
        n = LLVMFuzzerCustomMutator(m->out, n, max_size, seed);
    }
    current = NULL;
    *out_buf = m->out;
    return n;
}

const char *afl_custom_describe(void *data, size_t max_description_len)
{
    static const char name[] = "heapev-" FUZZ_AFL_KIND;
    (void)data;
    return max_description_len > sizeof name ? name : "heapev";
}

void afl_custom_deinit(void *data)
{
    afl_mutator *m = data;
    if (m != NULL)
        free(m->out);
    free(m);
}
