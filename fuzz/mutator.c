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
 * The field mutations, model events and catalogue items it shares with the
 * .etl mutator (fuzz/etl_mutator.c) live in fuzz/mutate_fields.c.
 *
 * Every random choice comes from the generator's PRNG seeded with Seed, so the
 * same Seed on the same input gives the same mutation (LLVMFuzzerMutate draws
 * from libFuzzer's own generator, itself fixed by -seed). Input that holds no
 * event becomes a valid dummy event.
 */
#include <string.h>

#include "mutate_fields.h"
#include "mutator_mode.h"

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned seed);

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
        fuzz_put(p, n, HEAPEV_HEADER_OFF_SIZE, 2, n > UINT16_MAX ? UINT16_MAX : n);
}

static size_t mutate_records(fuzz_rng *r, uint8_t *buf, size_t len, size_t cap)
{
    static segment seg[MAX_RECORDS];
    uint8_t rec[HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64];
    int any_header;
    size_t n = split_records(buf, len, seg, &any_header);
    if (n == 0 || !any_header) { /* nothing to work on: a valid dummy record */
        heapev_event ev;
        fuzz_random_event(r, &ev, fuzz_random_header_type(r));
        size_t m = heapev_encode_record(&ev, rec, sizeof rec);
        return fuzz_splice(buf, len, cap, 0, len, rec, m);
    }
    segment s = seg[fuzz_rng_below(r, (uint32_t)n)];
    switch (fuzz_rng_below(r, 17)) {
    case 0: /* duplicate a record */
        return fuzz_splice(buf, len, cap, s.off + s.len, 0, buf + s.off, s.len <= cap - len ? s.len : 0);
    case 1: /* drop a record */
        return n > 1 ? fuzz_splice(buf, len, cap, s.off, s.len, NULL, 0) : len;
    case 2: { /* swap two records (by moving one after the other) */
        segment t = seg[fuzz_rng_below(r, (uint32_t)n)];
        if (t.off <= s.off)
            return len;
        uint8_t *tmp = fuzz_malloc(s.len);
        memcpy(tmp, buf + s.off, s.len);
        len = fuzz_splice(buf, len, cap, s.off, s.len, NULL, 0);      /* t moves left by s.len */
        len = fuzz_splice(buf, len, cap, t.off - s.len + t.len, 0, tmp, s.len);
        free(tmp);
        return len;
    }
    case 3: { /* insert a fresh valid event at a record boundary */
        heapev_event ev;
        fuzz_random_event(r, &ev, fuzz_random_header_type(r));
        size_t m = heapev_encode_record(&ev, rec, sizeof rec);
        size_t at = fuzz_rng_below(r, 2) ? s.off : s.off + s.len;
        return fuzz_splice(buf, len, cap, at, 0, rec, m);
    }
    case 4: { /* truncate a record, with or without telling its Size field */
        size_t k = 1 + fuzz_rng_below(r, (uint32_t)(s.len < 64 ? s.len : 64));
        len = fuzz_splice(buf, len, cap, s.off + s.len - k, k, NULL, 0);
        if (fuzz_rng_below(r, 2))
            fix_size(buf + s.off, s.len - k);
        return len;
    }
    case 5: { /* extend a record (trailing payload bytes), Size fixed or not */
        size_t k = 1 + fuzz_rng_below(r, fuzz_rng_below(r, 4) ? 8 : 300);
        if (k > cap - len)
            k = cap - len;
        len = fuzz_splice(buf, len, cap, s.off + s.len, 0, NULL, k);
        fuzz_fill(r, buf + s.off + s.len, k);
        if (fuzz_rng_below(r, 4))
            fix_size(buf + s.off, s.len + k);
        return len;
    }
    case 6: { /* another HeaderType: re-encode with the new width and header size */
        size_t m = fuzz_relayout_record(r, buf + s.off, s.len, rec);
        return m != 0 ? fuzz_splice(buf, len, cap, s.off, s.len, rec, m) : len;
    }
    case 7: /* cut the stream, often inside a record */
        return s.off + fuzz_rng_below(r, (uint32_t)s.len);
    case 8: /* byte noise inside one record */
        if (s.off + s.len == len) {
            return s.off + fuzz_byte_mutate(buf + s.off, s.len, cap - s.off);
        } else {
            uint8_t *tmp = fuzz_malloc(s.len + 16);
            memcpy(tmp, buf + s.off, s.len);
            size_t m = fuzz_byte_mutate(tmp, s.len, s.len + 16);
            len = fuzz_splice(buf, len, cap, s.off, s.len, tmp, m);
            free(tmp);
            return len;
        }
    case 9: /* byte noise anywhere */
        return fuzz_byte_mutate(buf, len, cap);
    case 10: /* fix the Size field of a record */
        fix_size(buf + s.off, s.len);
        return len;
    case 11: { /* replace a record by a catalogue malformation */
        uint8_t item[HEAPEV_GEN_MAX_BYTES];
        size_t m = fuzz_catalogue_item(r, HEAPEV_GEN_FORMAT_RECORD, item, sizeof item);
        return m != 0 ? fuzz_splice(buf, len, cap, s.off, fuzz_rng_below(r, 2) ? s.len : 0, item, m) : len;
    }
    default: /* a header or payload field */
        fuzz_mutate_record_field(r, buf + s.off, s.len);
        return len;
    }
}

/* ---- Bare payloads --------------------------------------------------------- */

static size_t mutate_payload(fuzz_rng *r, uint8_t *buf, size_t len, size_t cap)
{
    uint8_t out[HEAPEV_PAYLOAD_SIZE_64];
    if (len == 0 || (len < HEAPEV_PAYLOAD_SIZE_32 && fuzz_rng_below(r, 8) != 0)) { /* a dummy */
        heapev_event ev;
        fuzz_random_event(r, &ev, fuzz_random_header_type(r));
        size_t m = heapev_encode_payload(&ev, out, sizeof out);
        return fuzz_splice(buf, len, cap, 0, len, out, m);
    }
    unsigned w = 4; /* 16 bytes or too short for 64-bit */
    if (len == HEAPEV_PAYLOAD_SIZE_64 || (len > HEAPEV_PAYLOAD_SIZE_64 && fuzz_rng_below(r, 2)))
        w = 8;
    switch (fuzz_rng_below(r, 11)) {
    case 0: { /* the other width, fields kept (truncated when narrowing) */
        heapev_event ev;
        heapev_decode_payload(buf, len, w, NULL, &ev);
        if (!ev.payload_decoded)
            return len;
        ev.pointer_width = (uint8_t)(w == 4 ? 8 : 4);
        size_t m = heapev_encode_payload(&ev, out, sizeof out);
        size_t old = HEAPEV_PAYLOAD_SIZE(w);
        return fuzz_splice(buf, len, cap, 0, old, out, m);
    }
    case 1: /* truncate */
        return len > 0 ? fuzz_rng_below(r, (uint32_t)len) : 0;
    case 2: { /* extend: trailing bytes */
        size_t k = 1 + fuzz_rng_below(r, fuzz_rng_below(r, 2) ? 4 : 64);
        if (k > cap - len)
            k = cap - len;
        fuzz_fill(r, buf + len, k);
        return len + k;
    }
    case 3: { /* exactly one of the two version 0 lengths */
        size_t want = fuzz_rng_below(r, 2) ? HEAPEV_PAYLOAD_SIZE_32 : HEAPEV_PAYLOAD_SIZE_64;
        if (want > cap)
            return len;
        if (want > len)
            fuzz_fill(r, buf + len, want - len);
        return want;
    }
    case 4:
        return fuzz_byte_mutate(buf, len, cap);
    case 5: { /* a catalogue malformation instead */
        uint8_t item[HEAPEV_GEN_MAX_BYTES];
        size_t m = fuzz_catalogue_item(r, HEAPEV_GEN_FORMAT_PAYLOAD, item, sizeof item);
        return m != 0 ? fuzz_splice(buf, len, cap, 0, len, item, m) : len;
    }
    default:
        if (len >= HEAPEV_PAYLOAD_SIZE(w))
            fuzz_mutate_payload_field(r, buf, len, w);
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
    if (FUZZ_MUTATOR_MODE == FUZZ_MODE_MIXED && fuzz_rng_below(&r, 16) == 0)
        records = !records; /* now and then read it the other way */
    if (len > 0 && fuzz_rng_below(&r, 8) == 0) /* plain byte noise */
        return fuzz_byte_mutate(data, len, max_size);
    unsigned rounds = 1 + fuzz_rng_below(&r, 3);
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
        size_t a = n1 ? fuzz_rng_below(&r, (uint32_t)n1 + 1) : 0;
        size_t b = n2 ? fuzz_rng_below(&r, (uint32_t)n2) : 0;
        size_t head = a < n1 ? s1[a].off : size1;
        size_t tail_off = n2 ? s2[b].off : size2;
        len = fuzz_splice(out, 0, max_out_size, 0, 0, data1, head);
        len = fuzz_splice(out, len, max_out_size, len, 0, data2 + tail_off, size2 - tail_off);
        return len;
    }
    /* Payloads: each field from one parent or the other when widths match. */
    unsigned w = size1 == HEAPEV_PAYLOAD_SIZE_64 ? 8 : 4;
    heapev_event e1, e2;
    heapev_decode_payload(data1, size1, w, NULL, &e1);
    heapev_decode_payload(data2, size2, w, NULL, &e2);
    if (e1.payload_decoded && e2.payload_decoded && max_out_size >= HEAPEV_PAYLOAD_SIZE(w)) {
        if (fuzz_rng_below(&r, 2))
            e1.heap_handle = e2.heap_handle;
        if (fuzz_rng_below(&r, 2))
            e1.size = e2.size;
        if (fuzz_rng_below(&r, 2))
            e1.address = e2.address;
        if (fuzz_rng_below(&r, 2))
            e1.source = e2.source;
        return heapev_encode_payload(&e1, out, max_out_size);
    }
    size_t cut1 = size1 ? fuzz_rng_below(&r, (uint32_t)size1 + 1) : 0;
    size_t cut2 = size2 ? fuzz_rng_below(&r, (uint32_t)size2 + 1) : 0;
    len = fuzz_splice(out, 0, max_out_size, 0, 0, data1, cut1);
    return fuzz_splice(out, len, max_out_size, len, 0, data2 + cut2, size2 - cut2);
}
