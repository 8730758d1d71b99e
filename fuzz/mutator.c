/*
 * mutator.c - the structure-aware mutator linked into the <target>_structured
 * fuzzers (LLVMFuzzerCustomMutator + LLVMFuzzerCustomCrossOver).
 *
 * It is built from the generator (heapev/gen.h): its PRNG, its model events,
 * its malformation catalogue and its tables of interesting values. It parses
 * the input as heap Alloc events, a record stream (SYSTEM_TRACE_HEADER +
 * payload, split with heapev_decode_record) or one bare payload, and mutates
 * at field level: Source to boundary and reserved values, pointer widths and
 * header types (re-encoded with heapev_encode_record/payload), sizes around
 * the LFH and user limits, addresses around alignment, NULL, the kernel range
 * and wrap-around, every header field (Version, HeaderType, Flags, Size, HookId
 * of the heap group and others; the three header families SYSTEM, COMPACT and
 * PERFINFO, each with its own layout), record boundaries (duplicate, drop, swap,
 * insert a fresh model event or a catalogue malformation built by
 * heapev_gen_build), truncation and extension. One time in eight it
 * leaves the bytes to LLVMFuzzerMutate. The input kind is fixed per target at
 * compile time (FUZZ_MUTATOR_MODE) or, in mixed mode, guessed from the bytes.
 *
 * Every random choice comes from the generator's PRNG seeded with Seed, so the
 * same Seed on the same input gives the same mutation (LLVMFuzzerMutate draws
 * from libFuzzer's own generator, itself fixed by -seed). Input that holds no
 * event becomes a valid dummy event.
 */
#include <string.h>

#include "fuzz_helpers.h"
#include "heapev/gen.h"
#include "heapev/le.h"
#include "heapev/wraps.h"

#define FUZZ_MODE_PAYLOAD 1
#define FUZZ_MODE_RECORD 2
#define FUZZ_MODE_MIXED 3
#ifndef FUZZ_MUTATOR_MODE
#define FUZZ_MUTATOR_MODE FUZZ_MODE_MIXED
#endif

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned seed);

/* LLVMFuzzerMutate, its output marked initialized for MSan (fuzz_msan_unpoison()). */
static size_t byte_mutate(uint8_t *data, size_t size, size_t max_size)
{
    size_t n = LLVMFuzzerMutate(data, size, max_size);
    fuzz_msan_unpoison(data, n);
    return n;
}

/* ---- PRNG: the generator's (xoshiro256**), the same stream on every host ---- */

typedef heapev_rng fuzz_rng;

static uint64_t rng_next(fuzz_rng *r)
{
    return heapev_rng_next(r);
}

/* Uniform in [0, n) for n > 0. */
static uint32_t rng_below(fuzz_rng *r, uint32_t n)
{
    return (uint32_t)heapev_rng_bounded(r, n);
}

#define PICK(r, array) ((array)[rng_below((r), (uint32_t)(sizeof(array) / sizeof((array)[0])))])

/* ---- Interesting values --------------------------------------------------- */

/* One value of a generator table (heapev_gen_values). */
static uint64_t gen_value(fuzz_rng *r, heapev_gen_values_kind kind)
{
    size_t n = 0;
    const uint64_t *values = heapev_gen_values(kind, &n);
    return n != 0 ? values[rng_below(r, (uint32_t)n)] : rng_next(r);
}

/* A pointer-sized value: one of the list, nudged (wrapping), re-aligned or random. */
HEAPEV_WRAPS static uint64_t pick_value(fuzz_rng *r, heapev_gen_values_kind kind, unsigned width)
{
    uint64_t v = gen_value(r, kind);
    switch (rng_below(r, 6)) {
    case 0:
        v += 1 + rng_below(r, 16);
        break;
    case 1:
        v -= 1 + rng_below(r, 16);
        break;
    case 2:
        v &= ~(uint64_t)(2 * width - 1); /* aligned for the width */
        break;
    case 3:
        v = rng_next(r) & (width == 8 ? HEAPEV_USER_MAX_64 : HEAPEV_USER_MAX_32) & ~0xFull;
        break;
    default:
        break;
    }
    return width == 4 ? (uint32_t)v : v;
}

/* ---- Events from the generator ------------------------------------------ */

/* A well-formed model event (heapev_gen_event) with HeaderType @p header_type. */
static void random_event(fuzz_rng *r, heapev_event *e, uint8_t header_type)
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
static size_t catalogue_item(fuzz_rng *r, heapev_gen_format format, uint8_t *out, size_t cap)
{
    heapev_gen_item item;
    heapev_event ev;
    unsigned w = rng_below(r, 2) ? 8 : 4;
    size_t count = heapev_gen_well_formed_index(); /* the rows that apply to an event */
    heapev_gen_classes set = 0;
    heapev_gen_event(r, w, format, &ev);
    for (unsigned tries = 0, want = 1 + rng_below(r, 3); tries < 16 && want > 0 && count; tries++) {
        size_t c = rng_below(r, (uint32_t)count);
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
static uint8_t random_header_type(fuzz_rng *r)
{
    static const uint8_t decodable[] = {
        HEAPEV_HEADER_TYPE_SYSTEM32,   HEAPEV_HEADER_TYPE_SYSTEM64,
        HEAPEV_HEADER_TYPE_COMPACT32,  HEAPEV_HEADER_TYPE_COMPACT64,
        HEAPEV_HEADER_TYPE_PERFINFO32, HEAPEV_HEADER_TYPE_PERFINFO64};
    return PICK(r, decodable);
}

/* Header sizes of the three families: Size values of header-only records. */
static uint64_t random_header_size(fuzz_rng *r)
{
    static const uint16_t sizes[] = {HEAPEV_HEADER_SIZE_SYSTEM, HEAPEV_HEADER_SIZE_COMPACT,
                                     HEAPEV_HEADER_SIZE_PERFINFO};
    return PICK(r, sizes);
}

/* ---- Byte-range helpers ---------------------------------------------------- */

/*
 * Replace buf[off, off+old_len) by new_len bytes from src (NULL: leave the
 * moved-in bytes as they are, caller fills them). The buffer holds len bytes
 * of cap; new_len is clipped so the result fits. Returns the new length.
 */
static size_t splice(uint8_t *buf, size_t len, size_t cap, size_t off, size_t old_len,
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

static void fill(fuzz_rng *r, uint8_t *p, size_t n)
{
    unsigned how = rng_below(r, 3);
    for (size_t i = 0; i < n; i++)
        p[i] = how == 0 ? 0 : how == 1 ? 0xFF : (uint8_t)rng_next(r);
}

/* Write a little-endian field of nbytes at p[off] when it fits in n. */
static void put(uint8_t *p, size_t n, size_t off, unsigned nbytes, uint64_t v)
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
static void mutate_payload_field(fuzz_rng *r, uint8_t *p, size_t n, unsigned w)
{
    switch (rng_below(r, 4)) {
    case 0:
        put(p, n, HEAPEV_PAYLOAD_OFF_SOURCE(w), 4, gen_value(r, HEAPEV_GEN_VALUES_SOURCE));
        break;
    case 1:
        put(p, n, HEAPEV_PAYLOAD_OFF_SIZE(w), w,
            pick_value(r, HEAPEV_GEN_VALUES_SIZE, w));
        break;
    case 2:
        put(p, n, HEAPEV_PAYLOAD_OFF_ADDRESS(w), w,
            pick_value(r, HEAPEV_GEN_VALUES_ADDRESS, w));
        break;
    default:
        put(p, n, HEAPEV_PAYLOAD_OFF_HEAP_HANDLE(w), w,
            pick_value(r, HEAPEV_GEN_VALUES_ADDRESS, w) &
                (rng_below(r, 2) ? ~(uint64_t)0xFFFF : UINT64_MAX));
        break;
    }
}

/*
 * Set one header field (or one payload field) of the record at p[0..n), at
 * the offsets of its own header family: a PERFINFO header has SystemTime at 8
 * and no ThreadId/ProcessId; an unknown type is mutated as a COMPACT header.
 */
HEAPEV_WRAPS static void mutate_record_field(fuzz_rng *r, uint8_t *p, size_t n)
{
    if (n < HEAPEV_HEADER_OFF_HOOK_ID + 2u) /* not even the common fields */
        return;
    uint8_t type = p[HEAPEV_HEADER_OFF_HEADER_TYPE];
    unsigned hsize = heapev_header_type_size(type);
    unsigned w = heapev_header_type_width(type);
    unsigned time_off = hsize != 0 ? heapev_header_type_time_offset(type)
                                   : HEAPEV_HEADER_OFF_SYSTEM_TIME;
    unsigned choice = rng_below(r, 12);
    if (choice < 5 && w != 0 && n > hsize) {
        mutate_payload_field(r, p + hsize, n - hsize, w);
        return;
    }
    switch (choice % 7) {
    case 0:
        put(p, n, HEAPEV_HEADER_OFF_VERSION, 2, gen_value(r, HEAPEV_GEN_VALUES_VERSION));
        break;
    case 1:
        put(p, n, HEAPEV_HEADER_OFF_HEADER_TYPE, 1, gen_value(r, HEAPEV_GEN_VALUES_HEADER_TYPE));
        break;
    case 2:
        put(p, n, HEAPEV_HEADER_OFF_FLAGS, 1, gen_value(r, HEAPEV_GEN_VALUES_FLAGS));
        break;
    case 3: {
        static const int deltas[] = {0, -1, 1, -8, 8, -16, 16};
        uint64_t size = rng_below(r, 4) == 0 ? gen_value(r, HEAPEV_GEN_VALUES_SIZE) : (uint64_t)n + PICK(r, deltas);
        if (rng_below(r, 4) == 0) /* header only: its own header size, or another family's */
            size = hsize != 0 && rng_below(r, 2) ? hsize : random_header_size(r);
        put(p, n, HEAPEV_HEADER_OFF_SIZE, 2, size);
        break;
    }
    case 4:
        put(p, n, HEAPEV_HEADER_OFF_HOOK_ID, 2, gen_value(r, HEAPEV_GEN_VALUES_HOOK_ID));
        break;
    case 5:
        if (hsize != HEAPEV_HEADER_SIZE_PERFINFO) /* PERFINFO: SystemTime sits there */
            put(p, n, HEAPEV_HEADER_OFF_THREAD_ID + 4 * rng_below(r, 2), 4, rng_next(r));
        else
            put(p, n, time_off, 8, rng_next(r));
        break;
    default:
        put(p, n, time_off, 8, rng_below(r, 2) ? 0 : rng_next(r));
        break;
    }
}

/* ---- Record streams ---------------------------------------------------------- */

#define MAX_RECORDS 512

typedef struct segment {
    size_t off, len;
} segment;

/* Split buf into records the way a consumer walks them; returns the count. */
static size_t split_records(const uint8_t *buf, size_t len, segment *seg, int *any_header)
{
    size_t n = 0, off = 0;
    *any_header = 0;
    while (off < len && n < MAX_RECORDS) {
        heapev_event ev;
        size_t consumed = len - off;
        heapev_decode_record(buf + off, len - off, NULL, &ev, &consumed);
        *any_header |= ev.has_header;
        if (n == MAX_RECORDS - 1)
            consumed = len - off;
        seg[n].off = off;
        seg[n].len = consumed;
        off += consumed;
        n++;
    }
    return n;
}

/* Write the Size field of a record so it matches its length. */
static void fix_size(uint8_t *p, size_t n)
{
    if (n >= HEAPEV_HEADER_SIZE_PERFINFO) /* the smallest header */
        put(p, n, HEAPEV_HEADER_OFF_SIZE, 2, n > UINT16_MAX ? UINT16_MAX : n);
}

/* Re-encode a record's event with another HeaderType (width and header size change). */
static size_t relayout_record(fuzz_rng *r, const uint8_t *p, size_t n, uint8_t *out)
{
    heapev_event ev;
    heapev_decode_record(p, n, NULL, &ev, NULL);
    if (!ev.has_header)
        return 0;
    ev.header.header_type = random_header_type(r);
    if (heapev_header_type_width(ev.header.header_type) == 4) {
        ev.heap_handle = (uint32_t)ev.heap_handle;
        ev.size = (uint32_t)ev.size;
        ev.address = (uint32_t)ev.address;
    }
    ev.header.size = (uint16_t)heapev_record_size(&ev);
    return heapev_encode_record(&ev, out, HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64);
}

static size_t mutate_records(fuzz_rng *r, uint8_t *buf, size_t len, size_t cap)
{
    static segment seg[MAX_RECORDS];
    uint8_t rec[HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64];
    int any_header;
    size_t n = split_records(buf, len, seg, &any_header);
    if (n == 0 || !any_header) { /* nothing to work on: a valid dummy record */
        heapev_event ev;
        random_event(r, &ev, random_header_type(r));
        size_t m = heapev_encode_record(&ev, rec, sizeof rec);
        return splice(buf, len, cap, 0, len, rec, m);
    }
    segment s = seg[rng_below(r, (uint32_t)n)];
    switch (rng_below(r, 17)) {
    case 0: /* duplicate a record */
        return splice(buf, len, cap, s.off + s.len, 0, buf + s.off, s.len <= cap - len ? s.len : 0);
    case 1: /* drop a record */
        return n > 1 ? splice(buf, len, cap, s.off, s.len, NULL, 0) : len;
    case 2: { /* swap two records (by moving one after the other) */
        segment t = seg[rng_below(r, (uint32_t)n)];
        if (t.off <= s.off)
            return len;
        uint8_t *tmp = fuzz_malloc(s.len);
        memcpy(tmp, buf + s.off, s.len);
        len = splice(buf, len, cap, s.off, s.len, NULL, 0);      /* t moves left by s.len */
        len = splice(buf, len, cap, t.off - s.len + t.len, 0, tmp, s.len);
        free(tmp);
        return len;
    }
    case 3: { /* insert a fresh valid event at a record boundary */
        heapev_event ev;
        random_event(r, &ev, random_header_type(r));
        size_t m = heapev_encode_record(&ev, rec, sizeof rec);
        size_t at = rng_below(r, 2) ? s.off : s.off + s.len;
        return splice(buf, len, cap, at, 0, rec, m);
    }
    case 4: { /* truncate a record, with or without telling its Size field */
        size_t k = 1 + rng_below(r, (uint32_t)(s.len < 64 ? s.len : 64));
        len = splice(buf, len, cap, s.off + s.len - k, k, NULL, 0);
        if (rng_below(r, 2))
            fix_size(buf + s.off, s.len - k);
        return len;
    }
    case 5: { /* extend a record (trailing payload bytes), Size fixed or not */
        size_t k = 1 + rng_below(r, rng_below(r, 4) ? 8 : 300);
        if (k > cap - len)
            k = cap - len;
        len = splice(buf, len, cap, s.off + s.len, 0, NULL, k);
        fill(r, buf + s.off + s.len, k);
        if (rng_below(r, 4))
            fix_size(buf + s.off, s.len + k);
        return len;
    }
    case 6: { /* another HeaderType: re-encode with the new width and header size */
        size_t m = relayout_record(r, buf + s.off, s.len, rec);
        return m != 0 ? splice(buf, len, cap, s.off, s.len, rec, m) : len;
    }
    case 7: /* cut the stream, often inside a record */
        return s.off + rng_below(r, (uint32_t)s.len);
    case 8: /* byte noise inside one record */
        if (s.off + s.len == len) {
            return s.off + byte_mutate(buf + s.off, s.len, cap - s.off);
        } else {
            uint8_t *tmp = fuzz_malloc(s.len + 16);
            memcpy(tmp, buf + s.off, s.len);
            size_t m = byte_mutate(tmp, s.len, s.len + 16);
            len = splice(buf, len, cap, s.off, s.len, tmp, m);
            free(tmp);
            return len;
        }
    case 9: /* byte noise anywhere */
        return byte_mutate(buf, len, cap);
    case 10: /* fix the Size field of a record */
        fix_size(buf + s.off, s.len);
        return len;
    case 11: { /* replace a record by a catalogue malformation */
        uint8_t item[HEAPEV_GEN_MAX_BYTES];
        size_t m = catalogue_item(r, HEAPEV_GEN_FORMAT_RECORD, item, sizeof item);
        return m != 0 ? splice(buf, len, cap, s.off, rng_below(r, 2) ? s.len : 0, item, m) : len;
    }
    default: /* a header or payload field */
        mutate_record_field(r, buf + s.off, s.len);
        return len;
    }
}

/* ---- Bare payloads --------------------------------------------------------- */

static size_t mutate_payload(fuzz_rng *r, uint8_t *buf, size_t len, size_t cap)
{
    uint8_t out[HEAPEV_PAYLOAD_SIZE_64];
    if (len == 0 || (len < HEAPEV_PAYLOAD_SIZE_32 && rng_below(r, 8) != 0)) { /* a dummy */
        heapev_event ev;
        random_event(r, &ev, random_header_type(r));
        size_t m = heapev_encode_payload(&ev, out, sizeof out);
        return splice(buf, len, cap, 0, len, out, m);
    }
    unsigned w = 4; /* 16 bytes or too short for 64-bit */
    if (len == HEAPEV_PAYLOAD_SIZE_64 || (len > HEAPEV_PAYLOAD_SIZE_64 && rng_below(r, 2)))
        w = 8;
    switch (rng_below(r, 11)) {
    case 0: { /* the other width, fields kept (truncated when narrowing) */
        heapev_event ev;
        heapev_decode_payload(buf, len, w, NULL, &ev);
        if (!ev.payload_decoded)
            return len;
        ev.pointer_width = (uint8_t)(w == 4 ? 8 : 4);
        size_t m = heapev_encode_payload(&ev, out, sizeof out);
        size_t old = HEAPEV_PAYLOAD_SIZE(w);
        return splice(buf, len, cap, 0, old, out, m);
    }
    case 1: /* truncate */
        return len > 0 ? rng_below(r, (uint32_t)len) : 0;
    case 2: { /* extend: trailing bytes */
        size_t k = 1 + rng_below(r, rng_below(r, 2) ? 4 : 64);
        if (k > cap - len)
            k = cap - len;
        fill(r, buf + len, k);
        return len + k;
    }
    case 3: { /* exactly one of the two version 0 lengths */
        size_t want = rng_below(r, 2) ? HEAPEV_PAYLOAD_SIZE_32 : HEAPEV_PAYLOAD_SIZE_64;
        if (want > cap)
            return len;
        if (want > len)
            fill(r, buf + len, want - len);
        return want;
    }
    case 4:
        return byte_mutate(buf, len, cap);
    case 5: { /* a catalogue malformation instead */
        uint8_t item[HEAPEV_GEN_MAX_BYTES];
        size_t m = catalogue_item(r, HEAPEV_GEN_FORMAT_PAYLOAD, item, sizeof item);
        return m != 0 ? splice(buf, len, cap, 0, len, item, m) : len;
    }
    default:
        if (len >= HEAPEV_PAYLOAD_SIZE(w))
            mutate_payload_field(r, buf, len, w);
        return len;
    }
}

/* ---- Mode ------------------------------------------------------------------- */

static int looks_like_records(const uint8_t *buf, size_t len)
{
    if (FUZZ_MUTATOR_MODE != FUZZ_MODE_MIXED)
        return FUZZ_MUTATOR_MODE == FUZZ_MODE_RECORD;
    if (len >= HEAPEV_HEADER_SIZE_PERFINFO && len < HEAPEV_HEADER_SIZE_COMPACT) /* 16..23 bytes: */
        return buf[HEAPEV_HEADER_OFF_FLAGS] == HEAPEV_HEADER_FLAGS && /* a PERFINFO record */
               heapev_header_type_size(buf[HEAPEV_HEADER_OFF_HEADER_TYPE]) ==
                   HEAPEV_HEADER_SIZE_PERFINFO;
    return len >= HEAPEV_HEADER_SIZE_COMPACT &&
           (buf[HEAPEV_HEADER_OFF_FLAGS] == HEAPEV_HEADER_FLAGS ||
            heapev_header_type_width(buf[HEAPEV_HEADER_OFF_HEADER_TYPE]) != 0);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed)
{
    fuzz_rng r;
    heapev_rng_seed(&r, seed);
    size_t len = size < max_size ? size : max_size;
    if (max_size == 0)
        return 0;
    fuzz_msan_unpoison(data, len);
    int records = looks_like_records(data, len);
    if (FUZZ_MUTATOR_MODE == FUZZ_MODE_MIXED && rng_below(&r, 16) == 0)
        records = !records; /* now and then read it the other way */
    if (len > 0 && rng_below(&r, 8) == 0) /* plain byte noise */
        return byte_mutate(data, len, max_size);
    unsigned rounds = 1 + rng_below(&r, 3);
    for (unsigned i = 0; i < rounds; i++)
        len = records ? mutate_records(&r, data, len, max_size)
                      : mutate_payload(&r, data, len, max_size);
    if (len == 0) /* never hand back nothing: a dummy event instead */
        len = records ? mutate_records(&r, data, 0, max_size) : mutate_payload(&r, data, 0, max_size);
    FUZZ_ASSERT(len <= max_size);
    return len;
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned seed)
{
    fuzz_rng r;
    heapev_rng_seed(&r, (uint64_t)seed ^ 0x63726f7373ull);
    size_t len = 0;
    fuzz_msan_unpoison(data1, size1);
    fuzz_msan_unpoison(data2, size2);
    if (looks_like_records(data1, size1) && looks_like_records(data2, size2)) {
        /* Records [0, a) of the first input, then records [b, n2) of the second. */
        static segment s1[MAX_RECORDS], s2[MAX_RECORDS];
        int any;
        size_t n1 = split_records(data1, size1, s1, &any);
        size_t n2 = split_records(data2, size2, s2, &any);
        size_t a = n1 ? rng_below(&r, (uint32_t)n1 + 1) : 0;
        size_t b = n2 ? rng_below(&r, (uint32_t)n2) : 0;
        size_t head = a < n1 ? s1[a].off : size1;
        size_t tail_off = n2 ? s2[b].off : size2;
        len = splice(out, 0, max_out_size, 0, 0, data1, head);
        len = splice(out, len, max_out_size, len, 0, data2 + tail_off, size2 - tail_off);
        return len;
    }
    /* Payloads: each field from one parent or the other when widths match. */
    unsigned w = size1 == HEAPEV_PAYLOAD_SIZE_64 ? 8 : 4;
    heapev_event e1, e2;
    heapev_decode_payload(data1, size1, w, NULL, &e1);
    heapev_decode_payload(data2, size2, w, NULL, &e2);
    if (e1.payload_decoded && e2.payload_decoded && max_out_size >= HEAPEV_PAYLOAD_SIZE(w)) {
        if (rng_below(&r, 2))
            e1.heap_handle = e2.heap_handle;
        if (rng_below(&r, 2))
            e1.size = e2.size;
        if (rng_below(&r, 2))
            e1.address = e2.address;
        if (rng_below(&r, 2))
            e1.source = e2.source;
        return heapev_encode_payload(&e1, out, max_out_size);
    }
    size_t cut1 = size1 ? rng_below(&r, (uint32_t)size1 + 1) : 0;
    size_t cut2 = size2 ? rng_below(&r, (uint32_t)size2 + 1) : 0;
    len = splice(out, 0, max_out_size, 0, 0, data1, cut1);
    return splice(out, len, max_out_size, len, 0, data2 + cut2, size2 - cut2);
}
