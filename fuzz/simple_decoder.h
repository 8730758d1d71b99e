/*
 * simple_decoder.h - a second, deliberately simple decoder of heap Alloc
 * payloads and records, for the differential target only.
 *
 * Written separately from src/ (from shared/SPEC.md and the rules in
 * heapev/decode.h): its own offsets, its own byte reads, no library code.
 * Only the finding codes (heapev/findings.h) are shared, as the vocabulary
 * in which the two decoders' answers are compared.
 */
#ifndef HEAPEV_FUZZ_SIMPLE_DECODER_H
#define HEAPEV_FUZZ_SIMPLE_DECODER_H

#include <stddef.h>
#include <stdint.h>

typedef struct simple_event {
    int bits;            /* 32 or 64; 0 when unknown */
    int has_header;
    int payload_read;
    uint64_t heap_handle, size, address;
    uint32_t source;
    uint32_t extra;      /* payload bytes after the version 0 layout */
    unsigned version, type, flags, size_field, hook;
    uint32_t thread, process;
    uint64_t system_time;
    uint32_t kernel_time, user_time;
    uint64_t findings;   /* bit (1 << heapev_finding) per finding */
} simple_event;

/* bits: 32, 64 or 0 (infer). */
void simple_decode_payload(const uint8_t *p, size_t n, int bits, uint64_t user_max_32,
                           uint64_t user_max_64, simple_event *out);

/* Header bytes read for a HeaderType: 32 SYSTEM (1, 2), 16 PERFINFO (16, 17),
 * 24 COMPACT (3, 4) and any other type. */
size_t simple_header_length(unsigned type);

/* Payload bits a HeaderType implies: 32 (1, 3, 16), 64 (2, 4, 17), else 0. */
int simple_type_bits(unsigned type);

/* Returns the bytes the record occupies. */
size_t simple_decode_record(const uint8_t *p, size_t n, uint64_t user_max_32,
                            uint64_t user_max_64, simple_event *out);

#endif
