/*
 * mutate_fields.h - field- and record-level mutations shared by the
 * structure-aware mutators (fuzz/mutator.c, fuzz/etl_mutator.c). Every random
 * choice comes from the generator's PRNG (heapev/rng.h), so a mutator seeded
 * with libFuzzer's Seed is deterministic; byte noise goes through
 * LLVMFuzzerMutate (libFuzzer's, or the AFL++ adapter's, fuzz/afl_mutator.c).
 */
#ifndef HEAPEV_FUZZ_MUTATE_FIELDS_H
#define HEAPEV_FUZZ_MUTATE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz_helpers.h"
#include "heapev/gen.h"

typedef heapev_rng fuzz_rng;

/** One element of a static array, uniformly. */
#define FUZZ_PICK(r, array) ((array)[fuzz_rng_below((r), (uint32_t)(sizeof(array) / sizeof((array)[0])))])

/** libFuzzer's byte mutator (the AFL++ adapter defines its own). */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/** LLVMFuzzerMutate, its output marked initialized for MSan (fuzz_msan_unpoison()). */
size_t fuzz_byte_mutate(uint8_t *data, size_t size, size_t max_size);

/** The next 64 random bits. */
uint64_t fuzz_rng_next(fuzz_rng *r);

/** Uniform in [0, n) for n > 0. */
uint32_t fuzz_rng_below(fuzz_rng *r, uint32_t n);

/** One value of a generator table (heapev_gen_values). */
uint64_t fuzz_gen_value(fuzz_rng *r, heapev_gen_values_kind kind);

/** A pointer-sized value of width @p width: one of the table, nudged, re-aligned or random. */
uint64_t fuzz_pick_value(fuzz_rng *r, heapev_gen_values_kind kind, unsigned width);

/** A well-formed model event (heapev_gen_event) with HeaderType @p header_type, Size set. */
void fuzz_random_event(fuzz_rng *r, heapev_event *e, uint8_t header_type);

/**
 * A catalogue item: a model event with one to three compatible malformation
 * classes applied (heapev_gen_build). Returns its length in @p out (0 if it
 * does not fit in @p cap).
 */
size_t fuzz_catalogue_item(fuzz_rng *r, heapev_gen_format format, uint8_t *out, size_t cap);

/** A HeaderType the decoder reads an Alloc from: SYSTEM, COMPACT or PERFINFO, 32 or 64. */
uint8_t fuzz_random_header_type(fuzz_rng *r);

/** Header sizes of the three families: Size values of header-only records. */
uint64_t fuzz_random_header_size(fuzz_rng *r);

/**
 * Replace buf[off, off+old_len) by new_len bytes from src (NULL: leave the
 * moved-in bytes as they are, caller fills them). The buffer holds len bytes
 * of cap; new_len is clipped so the result fits. Returns the new length.
 */
size_t fuzz_splice(uint8_t *buf, size_t len, size_t cap, size_t off, size_t old_len,
                   const uint8_t *src, size_t new_len);

/** @p n bytes of 0x00, 0xFF or random. */
void fuzz_fill(fuzz_rng *r, uint8_t *p, size_t n);

/** Write a little-endian field of @p nbytes (1, 2, 4, 8) at p[off] when it fits in @p n. */
void fuzz_put(uint8_t *p, size_t n, size_t off, unsigned nbytes, uint64_t v);

/** Set one payload field of width @p w at p[0..n) to an interesting value. */
void fuzz_mutate_payload_field(fuzz_rng *r, uint8_t *p, size_t n, unsigned w);

/**
 * Set one header field (or one payload field) of the record at p[0..n), at
 * the offsets of its own header family.
 */
void fuzz_mutate_record_field(fuzz_rng *r, uint8_t *p, size_t n);

/**
 * Re-encode the record at p[0..n) with another decodable HeaderType (fields
 * kept, truncated to 32 bits for a 32-bit type; Size exact) into @p out
 * (HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64 bytes).
 * @return its length, 0 when p holds no readable record header
 */
size_t fuzz_relayout_record(fuzz_rng *r, const uint8_t *p, size_t n, uint8_t *out);

#endif /* HEAPEV_FUZZ_MUTATE_FIELDS_H */
