/*
 * simple_decoder.c - the differential target's independent decoder.
 *
 * Straight-line code over the layouts of shared/SPEC.md:
 *   32-bit payload: HeapHandle u32 @0, Size u32 @4, Address u32 @8, Source u32 @12 (16 bytes)
 *   64-bit payload: HeapHandle u64 @0, Size u64 @8, Address u64 @16, Source u32 @24 (28 bytes)
 *   header: Version u16 @0, HeaderType u8 @2, Flags u8 @3, Size u16 @4, HookId u16 @6,
 *           then for SYSTEM (types 1, 2; 32 bytes) and COMPACT (3, 4; 24 bytes):
 *             ThreadId u32 @8, ProcessId u32 @12, SystemTime i64 @16,
 *             KernelTime u32 @24, UserTime u32 @28 (SYSTEM only)
 *           for PERFINFO (types 16, 17; 16 bytes, SPEC section 4):
 *             SystemTime i64 @8, and no thread, process, kernel or user time
 *           any other type: the first 24 bytes are read as a COMPACT header
 *   width: 32-bit for types 1, 3, 16; 64-bit for 2, 4, 17
 */
#include "simple_decoder.h"

#include <string.h>

#include "heapev/findings.h"


static uint64_t get(const uint8_t *p, int nbytes)
{
    uint64_t v = 0;
    for (int i = nbytes - 1; i >= 0; i--)
        v = v * 256 + p[i];
    return v;
}

static uint64_t fields_check(const simple_event *e, uint64_t user_max_32, uint64_t user_max_64)
{
    uint64_t f = 0;
    uint64_t top = e->bits == 64 ? 0xFFFFFFFFFFFFFFFFull : 0xFFFFFFFFull;
    uint64_t user_max = e->bits == 64 ? user_max_64 : user_max_32;

    if (e->source == 0 || e->source > 6)
        f |= HEAPEV_FINDING(SOURCE_UNDEFINED);
    if (e->source == 6)
        f |= HEAPEV_FINDING(SOURCE_RESERVED);
    if (e->source == 5)
        f |= HEAPEV_FINDING(SOURCE_INVALID);
    if (e->heap_handle == 0)
        f |= HEAPEV_FINDING(HEAP_HANDLE_NULL);
    if (e->address == 0)
        f |= HEAPEV_FINDING(ADDRESS_NULL);
    if ((e->bits == 64 && e->address % 16 != 0) || (e->bits == 32 && e->address % 8 != 0))
        f |= HEAPEV_FINDING(ADDRESS_MISALIGNED);
    /* the last byte, address + size - 1, must not pass top */
    if (e->size > 0 && e->size - 1 > top - e->address)
        f |= HEAPEV_FINDING(ADDRESS_WRAPS);
    if (e->address > user_max)
        f |= HEAPEV_FINDING(ADDRESS_KERNEL_RANGE);
    if (e->heap_handle > user_max)
        f |= HEAPEV_FINDING(HEAP_HANDLE_KERNEL_RANGE);
    if (e->size > user_max)
        f |= HEAPEV_FINDING(SIZE_IMPLAUSIBLE);
    if (e->source == 2 && e->size > 16 * 1024)
        f |= HEAPEV_FINDING(LOWFRAG_SIZE_TOO_LARGE);
    /* a block starting in user space whose last byte is not (and does not wrap) */
    if (e->size > 0 && e->address <= user_max && e->size - 1 > user_max - e->address &&
        e->size - 1 <= top - e->address)
        f |= HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE);
    /* the first 64 KiB (0x10000) are never mapped; 0 is reported as null only */
    if (e->address > 0 && e->address < 0x10000)
        f |= HEAPEV_FINDING(ADDRESS_LOW_RANGE);
    if (e->heap_handle > 0 && e->heap_handle < 0x10000)
        f |= HEAPEV_FINDING(HEAP_HANDLE_LOW_RANGE);
    if (e->heap_handle % 0x10000 != 0)
        f |= HEAPEV_FINDING(HEAP_HANDLE_MISALIGNED);
    return f;
}

/* Read the payload fields of e->bits at p[0..n); returns its findings. */
static uint64_t payload(const uint8_t *p, size_t n, simple_event *e, uint64_t user_max_32,
                        uint64_t user_max_64)
{
    size_t layout = e->bits == 64 ? 28 : 16;
    if (n < layout)
        return HEAPEV_FINDING(TRUNCATED);
    if (e->bits == 64) {
        e->heap_handle = get(p, 8);
        e->size = get(p + 8, 8);
        e->address = get(p + 16, 8);
        e->source = (uint32_t)get(p + 24, 4);
    } else {
        e->heap_handle = get(p, 4);
        e->size = get(p + 4, 4);
        e->address = get(p + 8, 4);
        e->source = (uint32_t)get(p + 12, 4);
    }
    e->payload_read = 1;
    uint64_t f = fields_check(e, user_max_32, user_max_64);
    if (n > layout) {
        e->extra = n - layout > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)(n - layout);
        f |= HEAPEV_FINDING(TRAILING_BYTES);
    }
    return f;
}

void simple_decode_payload(const uint8_t *p, size_t n, int bits, uint64_t user_max_32,
                           uint64_t user_max_64, simple_event *out)
{
    memset(out, 0, sizeof *out);
    if (bits != 32 && bits != 64) {
        if (n == 16) {
            bits = 32;
        } else if (n == 28) {
            bits = 64;
        } else {
            out->findings = HEAPEV_FINDING(LENGTH_AMBIGUOUS);
            return;
        }
    }
    out->bits = bits;
    out->findings = payload(p, n, out, user_max_32, user_max_64);
}

/* Header length for a HeaderType byte: what must be present before anything is read. */
size_t simple_header_length(unsigned type)
{
    switch (type) {
    case 1: case 2: return 32; /* SYSTEM */
    case 16: case 17: return 16; /* PERFINFO */
    default: return 24; /* COMPACT, and unknown types for their common fields */
    }
}

/* 32 or 64 for the types that carry a heap Alloc payload, 0 for the others. */
int simple_type_bits(unsigned type)
{
    switch (type) {
    case 1: case 3: case 16: return 32;
    case 2: case 4: case 17: return 64;
    default: return 0;
    }
}

size_t simple_decode_record(const uint8_t *p, size_t n, uint64_t user_max_32,
                            uint64_t user_max_64, simple_event *out)
{
    memset(out, 0, sizeof *out);
    size_t hlen = simple_header_length(n >= 3 ? p[2] : 0);
    if (n < hlen) {
        out->findings = HEAPEV_FINDING(TRUNCATED);
        return n;
    }
    out->has_header = 1;
    out->version = (unsigned)get(p, 2);
    out->type = p[2];
    out->flags = p[3];
    out->size_field = (unsigned)get(p + 4, 2);
    out->hook = (unsigned)get(p + 6, 2);
    if (hlen == 16) {
        out->system_time = get(p + 8, 8);
    } else {
        out->thread = (uint32_t)get(p + 8, 4);
        out->process = (uint32_t)get(p + 12, 4);
        out->system_time = get(p + 16, 8);
    }
    if (hlen == 32) {
        out->kernel_time = (uint32_t)get(p + 24, 4);
        out->user_time = (uint32_t)get(p + 28, 4);
    }

    out->bits = simple_type_bits(out->type);
    uint64_t f = 0;
    if (out->bits == 0)
        f |= HEAPEV_FINDING(HEADER_TYPE_UNKNOWN);
    if (out->flags != 0xC0)
        f |= HEAPEV_FINDING(HEADER_FLAGS_INVALID);
    if (out->hook != 0x1021)
        f |= HEAPEV_FINDING(NOT_HEAP_ALLOC);
    if (out->version != 2)
        f |= HEAPEV_FINDING(HEADER_VERSION_UNEXPECTED);

    size_t end = n;
    if (out->size_field >= hlen && out->size_field <= n)
        end = out->size_field;
    else
        f |= HEAPEV_FINDING(HEADER_SIZE_MISMATCH);

    if (out->bits != 0 && out->hook == 0x1021)
        f |= payload(p + hlen, end - hlen, out, user_max_32, user_max_64);
    out->findings = f;
    return end;
}
