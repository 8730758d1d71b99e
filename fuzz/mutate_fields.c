/*
 * mutate_fields.c - the field- and record-level mutations the structure-aware
 * mutators share (fuzz/mutator.c for payloads and record streams,
 * fuzz/etl_mutator.c for whole .etl traces): the generator's PRNG, its
 * tables of interesting values, model events and catalogue items, field
 * writes at the offsets of heapev/format.h, re-encoding with another header
 * type, and byte noise through LLVMFuzzerMutate. No state of its own.
 */
#include "mutate_fields.h"

#include <string.h>

#include "heapev/le.h"
#include "heapev/wraps.h"

/* LLVMFuzzerMutate, its output marked initialized for MSan (fuzz_msan_unpoison()). */
size_t fuzz_byte_mutate(uint8_t *data, size_t size, size_t max_size)
{
    size_t n = LLVMFuzzerMutate(data, size, max_size);
    fuzz_msan_unpoison(data, n);
    return n;
}

/* ---- PRNG: the generator's (xoshiro256**), the same stream on every host ---- */

uint64_t fuzz_rng_next(fuzz_rng *r)
{
    return heapev_rng_next(r);
}

/* Uniform in [0, n) for n > 0. */
uint32_t fuzz_rng_below(fuzz_rng *r, uint32_t n)
{
    return (uint32_t)heapev_rng_bounded(r, n);
}

/* ---- Interesting values --------------------------------------------------- */

/* One value of a generator table (heapev_gen_values). */
uint64_t fuzz_gen_value(fuzz_rng *r, heapev_gen_values_kind kind)
{
    size_t n = 0;
    const uint64_t *values = heapev_gen_values(kind, &n);
    return n != 0 ? values[fuzz_rng_below(r, (uint32_t)n)] : fuzz_rng_next(r);
}

/* A pointer-sized value: one of the list, nudged, re-aligned or random. */
HEAPEV_WRAPS uint64_t fuzz_pick_value(fuzz_rng *r, heapev_gen_values_kind kind, unsigned width)
{
    uint64_t v = fuzz_gen_value(r, kind);
    switch (fuzz_rng_below(r, 6)) {
    case 0:
        v += 1 + fuzz_rng_below(r, 16);
        break;
    case 1:
        v -= 1 + fuzz_rng_below(r, 16);
        break;
    case 2:
        v &= ~(uint64_t)(2 * width - 1); /* aligned for the width */
        break;
    case 3:
        v = fuzz_rng_next(r) & (width == 8 ? HEAPEV_USER_MAX_64 : HEAPEV_USER_MAX_32) & ~0xFull;
        break;
    default:
        break;
    }
    return width == 4 ? (uint32_t)v : v;
}

/* ---- Events from the generator ------------------------------------------ */

/* A well-formed model event (heapev_gen_event) with HeaderType @p header_type. */
void fuzz_random_event(fuzz_rng *r, heapev_event *e, uint8_t header_type)
{
    unsigned w = heapev_header_type_width(header_type);
    heapev_gen_event(r, w, HEAPEV_GEN_FORMAT_RECORD, e);
    e->header.header_type = header_type;
    if (heapev_header_type_size(header_type) != HEAPEV_HEADER_SIZE_SYSTEM)
        e->header.kernel_time = e->header.user_time = 0;
    if (heapev_header_type_size(header_type) == HEAPEV_HEADER_SIZE_PERFINFO)
        e->header.thread_id = e->header.process_id = 0; /* PERFINFO headers have none */
    e->header.size = (uint16_t)heapev_record_size(e);
}

/*
 * A catalogue item: a model event with one to three compatible malformation
 * classes applied (heapev_gen_build). Returns its length in out (0 if none).
 */
size_t fuzz_catalogue_item(fuzz_rng *r, heapev_gen_format format, uint8_t *out, size_t cap)
{
    heapev_gen_item item;
    heapev_event ev;
    unsigned w = fuzz_rng_below(r, 2) ? 8 : 4;
    size_t count = heapev_gen_well_formed_index(); /* the rows that apply to an event */
    heapev_gen_classes set = 0;
    heapev_gen_event(r, w, format, &ev);
    for (unsigned tries = 0, want = 1 + fuzz_rng_below(r, 3); tries < 16 && want > 0 && count; tries++) {
        size_t c = fuzz_rng_below(r, (uint32_t)count);
        if (heapev_gen_classes_compatible(set, c, format, w)) {
            set |= (heapev_gen_classes)1 << c;
            want--;
        }
    }
    heapev_gen_build(r, &ev, format, set, &item);
    if (item.len > cap)
        return 0;
    memcpy(out, item.bytes, item.len);
    return item.len;
}

/* A HeaderType the decoder reads an Alloc from: SYSTEM, COMPACT or PERFINFO, 32 or 64. */
uint8_t fuzz_random_header_type(fuzz_rng *r)
{
    static const uint8_t decodable[] = {
        HEAPEV_HEADER_TYPE_SYSTEM32,   HEAPEV_HEADER_TYPE_SYSTEM64,
        HEAPEV_HEADER_TYPE_COMPACT32,  HEAPEV_HEADER_TYPE_COMPACT64,
        HEAPEV_HEADER_TYPE_PERFINFO32, HEAPEV_HEADER_TYPE_PERFINFO64};
    return FUZZ_PICK(r, decodable);
}

/* Header sizes of the three families: Size values of header-only records. */
uint64_t fuzz_random_header_size(fuzz_rng *r)
{
    static const uint16_t sizes[] = {HEAPEV_HEADER_SIZE_SYSTEM, HEAPEV_HEADER_SIZE_COMPACT,
                                     HEAPEV_HEADER_SIZE_PERFINFO};
    return FUZZ_PICK(r, sizes);
}

/* ---- Byte-range helpers ---------------------------------------------------- */

/*
 * Replace buf[off, off+old_len) by new_len bytes from src (NULL: leave the
 * moved-in bytes as they are, caller fills them). The buffer holds len bytes
 * of cap; new_len is clipped so the result fits. Returns the new length.
 */
size_t fuzz_splice(uint8_t *buf, size_t len, size_t cap, size_t off, size_t old_len,
                     const uint8_t *src, size_t new_len)
{
    size_t tail = len - off - old_len;
    if (off + new_len + tail > cap)
        new_len = cap - off - tail;
    memmove(buf + off + new_len, buf + off + old_len, tail);
    if (src != NULL)
        memmove(buf + off, src, new_len);
    return off + new_len + tail;
}

void fuzz_fill(fuzz_rng *r, uint8_t *p, size_t n)
{
    unsigned how = fuzz_rng_below(r, 3);
    for (size_t i = 0; i < n; i++)
        p[i] = how == 0 ? 0 : how == 1 ? 0xFF : (uint8_t)fuzz_rng_next(r);
}

/* Write a little-endian field of nbytes at p[off] when it fits in n. */
void fuzz_put(uint8_t *p, size_t n, size_t off, unsigned nbytes, uint64_t v)
{
    if (off + nbytes > n)
        return;
    if (nbytes == 1)
        p[off] = (uint8_t)v;
    else if (nbytes == 2)
        heapev_write_le16(p + off, (uint16_t)v);
    else if (nbytes == 4)
        heapev_write_le32(p + off, (uint32_t)v);
    else
        heapev_write_le64(p + off, v);
}

/* ---- Field-level mutation -------------------------------------------------- */

/* Set one payload field of width w at p[0..n) to an interesting value. */
void fuzz_mutate_payload_field(fuzz_rng *r, uint8_t *p, size_t n, unsigned w)
{
    switch (fuzz_rng_below(r, 4)) {
    case 0:
        fuzz_put(p, n, HEAPEV_PAYLOAD_OFF_SOURCE(w), 4, fuzz_gen_value(r, HEAPEV_GEN_VALUES_SOURCE));
        break;
    case 1:
        fuzz_put(p, n, HEAPEV_PAYLOAD_OFF_SIZE(w), w,
            fuzz_pick_value(r, HEAPEV_GEN_VALUES_SIZE, w));
        break;
    case 2:
        fuzz_put(p, n, HEAPEV_PAYLOAD_OFF_ADDRESS(w), w,
            fuzz_pick_value(r, HEAPEV_GEN_VALUES_ADDRESS, w));
        break;
    default:
        fuzz_put(p, n, HEAPEV_PAYLOAD_OFF_HEAP_HANDLE(w), w,
            fuzz_pick_value(r, HEAPEV_GEN_VALUES_ADDRESS, w) &
                (fuzz_rng_below(r, 2) ? ~(uint64_t)0xFFFF : UINT64_MAX));
        break;
    }
}

/*
 * Set one header field (or one payload field) of the record at p[0..n), at
 * the offsets of its own header family: a PERFINFO header has SystemTime at 8
 * and no ThreadId/ProcessId; an unknown type is mutated as a COMPACT header.
 */
HEAPEV_WRAPS void fuzz_mutate_record_field(fuzz_rng *r, uint8_t *p, size_t n)
{
    if (n < HEAPEV_HEADER_OFF_HOOK_ID + 2u) /* not even the common fields */
        return;
    uint8_t type = p[HEAPEV_HEADER_OFF_HEADER_TYPE];
    unsigned hsize = heapev_header_type_size(type);
    unsigned w = heapev_header_type_width(type);
    unsigned time_off = hsize != 0 ? heapev_header_type_time_offset(type)
                                   : HEAPEV_HEADER_OFF_SYSTEM_TIME;
    unsigned choice = fuzz_rng_below(r, 12);
    if (choice < 5 && w != 0 && n > hsize) {
        fuzz_mutate_payload_field(r, p + hsize, n - hsize, w);
        return;
    }
    switch (choice % 7) {
    case 0:
        fuzz_put(p, n, HEAPEV_HEADER_OFF_VERSION, 2, fuzz_gen_value(r, HEAPEV_GEN_VALUES_VERSION));
        break;
    case 1:
        fuzz_put(p, n, HEAPEV_HEADER_OFF_HEADER_TYPE, 1, fuzz_gen_value(r, HEAPEV_GEN_VALUES_HEADER_TYPE));
        break;
    case 2:
        fuzz_put(p, n, HEAPEV_HEADER_OFF_FLAGS, 1, fuzz_gen_value(r, HEAPEV_GEN_VALUES_FLAGS));
        break;
    case 3: {
        static const int deltas[] = {0, -1, 1, -8, 8, -16, 16};
        uint64_t size = fuzz_rng_below(r, 4) == 0 ? fuzz_gen_value(r, HEAPEV_GEN_VALUES_SIZE) : (uint64_t)n + FUZZ_PICK(r, deltas);
        if (fuzz_rng_below(r, 4) == 0) /* header only: its own header size, or another family's */
            size = hsize != 0 && fuzz_rng_below(r, 2) ? hsize : fuzz_random_header_size(r);
        fuzz_put(p, n, HEAPEV_HEADER_OFF_SIZE, 2, size);
        break;
    }
    case 4:
        fuzz_put(p, n, HEAPEV_HEADER_OFF_HOOK_ID, 2, fuzz_gen_value(r, HEAPEV_GEN_VALUES_HOOK_ID));
        break;
    case 5:
        if (hsize != HEAPEV_HEADER_SIZE_PERFINFO) /* PERFINFO: SystemTime sits there */
            fuzz_put(p, n, HEAPEV_HEADER_OFF_THREAD_ID + 4 * fuzz_rng_below(r, 2), 4, fuzz_rng_next(r));
        else
            fuzz_put(p, n, time_off, 8, fuzz_rng_next(r));
        break;
    default:
        fuzz_put(p, n, time_off, 8, fuzz_rng_below(r, 2) ? 0 : fuzz_rng_next(r));
        break;
    }
}

/* Re-encode a record's event with another HeaderType (width and header size change). */
size_t fuzz_relayout_record(fuzz_rng *r, const uint8_t *p, size_t n, uint8_t *out)
{
    heapev_event ev;
    heapev_decode_record(p, n, NULL, &ev, NULL);
    if (!ev.has_header)
        return 0;
    ev.header.header_type = fuzz_random_header_type(r);
    if (heapev_header_type_width(ev.header.header_type) == 4) {
        ev.heap_handle = (uint32_t)ev.heap_handle;
        ev.size = (uint32_t)ev.size;
        ev.address = (uint32_t)ev.address;
    }
    ev.header.size = (uint16_t)heapev_record_size(&ev);
    return heapev_encode_record(&ev, out, HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64);
}

