/*
 * test_layout_walk.c - the ETL layout walk (heapev/layout_etl.h): which
 * sections come, in what order, with which ranges, on hand-built traces
 * (the library's writer, then bytes patched here: Windows 10 and 7 header
 * buffers, a compressed buffer packed by a literal-only LZXpress encoder
 * written here, defects, truncations) and on generated ones (plain and
 * compressed, every window of buffers against the whole walk). Expected
 * offsets are format facts: heapev/format.h and the numbers of SPEC §4.
 */
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapev/format.h"
#include "heapev/gen_etl.h"
#include "heapev/layout_etl.h"
#include "testlib.h"

#define HDR HEAPEV_ETL_BUFFER_HEADER_SIZE
#define BSIZE 1024u         /* buffer size of the hand-built traces */
#define MAX_BUFFER 65536u   /* reader limit: keeps the scratch memory small */
#define MAX_SECTIONS 64u    /* of a hand-built trace */

static uint8_t scratch[HEAPEV_ETL_SCRATCH_SIZE(MAX_BUFFER)];

static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }

/* ---- traces ------------------------------------------------------------- */

typedef struct trace {
    uint8_t *bytes;
    size_t len, cap;
} trace;

/* A seekable in-memory file for the writer and the generator. */
static int trace_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    trace *t = ctx;
    if (offset + len > t->cap) {
        size_t cap = (size_t)(offset + len) * 2u;
        uint8_t *p = realloc(t->bytes, cap);
        if (p == NULL)
            return -1;
        memset(p + t->cap, 0, cap - t->cap);
        t->bytes = p, t->cap = cap;
    }
    memcpy(t->bytes + offset, data, len);
    if (offset + len > t->len)
        t->len = (size_t)(offset + len);
    return 0;
}

/* Where the logfile header payload starts in buffer 0 (after a SYSTEM header). */
#define LF(off) (HDR + HEAPEV_HEADER_SIZE_SYSTEM + (off))

/* A heap Alloc record of @p type (SYSTEM/COMPACT/PERFINFO 32/64); returns its size. */
static size_t alloc_record(uint8_t *p, uint8_t type, uint64_t address, uint32_t source)
{
    unsigned w = heapev_header_type_width(type);
    size_t size = heapev_header_type_size(type) + 3u * w + 4u;
    t_header(p, HEAPEV_HEADER_VERSION, type, HEAPEV_HEADER_FLAGS, (uint16_t)size,
             HEAPEV_HOOK_HEAP_ALLOC);
    t_payload(p + heapev_header_type_size(type), w, 0x10000, 0x40, address, source);
    return size;
}

/* A heap Free record (a noise record the reader steps over): SYSTEM header, 16 bytes more. */
static size_t free_record(uint8_t *p, uint8_t type)
{
    memset(p, 0x5A, 64);
    t_header(p, HEAPEV_HEADER_VERSION, type, HEAPEV_HEADER_FLAGS, 48, HEAPEV_HOOK_HEAP_FREE);
    return 48;
}

static void add(heapev_etl_writer *w, const uint8_t *rec, size_t len)
{
    assert_int_equal(heapev_etl_writer_add_record(w, rec, len, NULL), HEAPEV_ETL_WRITE_OK);
}

/*
 * Three buffers of BSIZE bytes. Buffer 1: a SYSTEM Alloc at 72, a Free at
 * 136, a COMPACT Alloc at 184; buffer 2: a PERFINFO Alloc at 72. With
 * @p ps 4 the Allocs are 32-bit, except the COMPACT one, a 64-bit Alloc
 * (etl_pointer_size_mismatch), and the Free is 64-bit too.
 */
static void write_trace(trace *t, heapev_etl_style style, unsigned ps)
{
    heapev_etl_writer_options o = {.buffer_size = BSIZE, .pointer_size = ps, .style = style};
    static uint8_t buf[BSIZE];
    heapev_etl_writer w;
    uint8_t rec[128];
    int b64 = ps == 8;
    memset(t, 0, sizeof *t);
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, trace_sink, t),
                     HEAPEV_ETL_WRITE_OK);
    add(&w, rec, alloc_record(rec, b64 ? HEAPEV_HEADER_TYPE_SYSTEM64 : HEAPEV_HEADER_TYPE_SYSTEM32,
                              0x200000, 3));
    add(&w, rec, free_record(rec, HEAPEV_HEADER_TYPE_SYSTEM64));
    add(&w, rec, alloc_record(rec, HEAPEV_HEADER_TYPE_COMPACT64, 0x300000, 4));
    assert_int_equal(heapev_etl_writer_flush(&w), HEAPEV_ETL_WRITE_OK);
    add(&w, rec, alloc_record(rec, b64 ? HEAPEV_HEADER_TYPE_PERFINFO64
                                       : HEAPEV_HEADER_TYPE_PERFINFO32, 0x400000, 1));
    assert_int_equal(heapev_etl_writer_finish(&w, 0), HEAPEV_ETL_WRITE_OK);
    assert_int_equal(t->len, 3u * BSIZE);
}

/* ---- walking ------------------------------------------------------------ */

typedef heapev_layout_etl_section section;

static heapev_etl_read_options read_options(void)
{
    heapev_etl_read_options ro = {.max_buffer_size = MAX_BUFFER, .scratch = scratch,
                                  .scratch_size = sizeof scratch};
    return ro;
}

#define KEPT 256u /* bytes of a decompressed section kept */

typedef struct walk {
    heapev_layout_etl_section s[MAX_SECTIONS];
    size_t n;
    heapev_layout_etl_walker w;
    uint8_t kept[MAX_SECTIONS][KEPT];
} walk;

/*
 * Every section of @p data within the window, into @p k (static: sections
 * are large). A decompressed buffer's bytes live in the reader's scratch
 * memory, which the next one overwrites: their sections point at a copy.
 */
static walk *walk_memory(const uint8_t *data, size_t len, uint64_t first_offset, uint64_t count)
{
    static walk k;
    heapev_etl_read_options ro = read_options();
    heapev_layout_etl_walker_init_memory(&k.w, &ro, data, len, first_offset, count);
    for (k.n = 0; heapev_layout_etl_next(&k.w, &k.s[k.n]) == HEAPEV_ETL_OK; k.n++) {
        heapev_layout_etl_section *s = &k.s[k.n];
        assert_true(k.n + 1 < MAX_SECTIONS);
        if (s->decompressed && s->bytes != NULL) {
            uintptr_t b = (uintptr_t)s->bytes, d = (uintptr_t)data;
            assert_true(b < d || b >= d + len); /* not the file's bytes */
            memcpy(k.kept[k.n], s->bytes, s->avail < KEPT ? s->avail : KEPT);
            s->bytes = k.kept[k.n];
        }
    }
    assert_int_equal(heapev_layout_etl_next(&k.w, &k.s[k.n]), HEAPEV_ETL_END); /* and stays */
    return &k;
}

static const char *part_name(heapev_layout_etl_part p)
{
    static const char *const names[] = {"?", "BUFFER_HEADER", "LOGFILE", "NO_LOGFILE", "EVENT",
                                        "SKIPPED", "RECORD_FINDINGS", "UNPLACED", "RECORDS_END",
                                        "LATE"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

/* Section @p i is @p part of buffer @p buffer at @p at. */
static const heapev_layout_etl_section *expect_section(const walk *k, size_t i,
                                                       heapev_layout_etl_part part,
                                                       uint64_t buffer, size_t at)
{
    if (i >= k->n)
        fail_msg("section %zu: missing, want %s (%zu sections)", i, part_name(part), k->n);
    const heapev_layout_etl_section *s = &k->s[i];
    if (s->part != part || s->buffer != buffer || s->at != at)
        fail_msg("section %zu: %s buffer %llu at %zu, want %s buffer %llu at %zu", i,
                 part_name(s->part), (unsigned long long)s->buffer, s->at, part_name(part),
                 (unsigned long long)buffer, at);
    assert_true(s->offset == s->buffer_offset + s->at);
    return s;
}

/* The range of @p s labelled @p field, or a failure. */
static const heapev_layout_range *range_of(const heapev_layout_etl_section *s, heapev_field field)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ranges[i].field == field)
            return &s->ranges[i];
    fail_msg("%s section at %zu: no %s range", part_name(s->part), s->at,
             heapev_field_name(field));
    return NULL;
}

/* @p r is @p field at @p offset, @p length bytes long, all present. */
static void expect_range(const heapev_layout_range *r, heapev_field field, size_t offset,
                         size_t length)
{
    if (r->field != field || r->offset != offset || r->length != length || r->avail != length)
        fail_msg("range %s @%zu len %zu avail %zu, want %s @%zu len %zu",
                 heapev_field_name(r->field), r->offset, r->length, r->avail,
                 heapev_field_name(field), offset, length);
}

/* The WMI_BUFFER_HEADER's 14 fields at their SPEC §4 offsets, all present; values from @p b. */
static void expect_buffer_header(const heapev_layout_etl_section *s, const uint8_t *b)
{
    static const struct { heapev_field f; size_t off, len; } want[] = {
        {HEAPEV_FIELD_BUF_BUFFER_SIZE, 0x00, 4}, {HEAPEV_FIELD_BUF_SAVED_OFFSET, 0x04, 4},
        {HEAPEV_FIELD_BUF_CURRENT_OFFSET, 0x08, 4}, {HEAPEV_FIELD_BUF_REFERENCE_COUNT, 0x0C, 4},
        {HEAPEV_FIELD_BUF_TIMESTAMP, 0x10, 8}, {HEAPEV_FIELD_BUF_SEQUENCE, 0x18, 8},
        {HEAPEV_FIELD_BUF_CLOCK, 0x20, 8}, {HEAPEV_FIELD_BUF_PROCESSOR, 0x28, 2},
        {HEAPEV_FIELD_BUF_LOGGER_ID, 0x2A, 2}, {HEAPEV_FIELD_BUF_STATE, 0x2C, 4},
        {HEAPEV_FIELD_BUF_OFFSET, 0x30, 4}, {HEAPEV_FIELD_BUF_FLAG, 0x34, 2},
        {HEAPEV_FIELD_BUF_TYPE, 0x36, 2}, {HEAPEV_FIELD_BUF_RESERVED, 0x38, 16},
    };
    assert_int_equal(s->n, sizeof want / sizeof want[0]);
    assert_int_equal(s->at, 0);
    for (size_t i = 0; i < s->n; i++) {
        expect_range(&s->ranges[i], want[i].f, want[i].off, want[i].len);
        if (want[i].len == 4)
            assert_true(s->ranges[i].value == get32(b + want[i].off));
        if (want[i].len == 2)
            assert_true(s->ranges[i].value == get16(b + want[i].off));
    }
    assert_memory_equal(s->bytes, b, HDR);
}

/* A SYSTEM/COMPACT/PERFINFO heap Alloc record of @p type laid out at @p rec. */
static void expect_alloc(const heapev_layout_etl_section *s, uint8_t type, const uint8_t *rec)
{
    unsigned w = heapev_header_type_width(type), h = heapev_header_type_size(type);
    size_t header_ranges = h == 32 ? 10 : h == 24 ? 8 : 6;
    assert_int_equal(s->n, header_ranges + 4);
    assert_int_equal(s->item.kind, HEAPEV_ETL_ITEM_EVENT);
    expect_range(&s->ranges[0], HEAPEV_FIELD_VERSION, 0, 2);
    expect_range(&s->ranges[3], HEAPEV_FIELD_RECORD_SIZE, 4, 2);
    expect_range(&s->ranges[4], HEAPEV_FIELD_HOOK_ID, 6, 2);
    assert_true(s->ranges[4].value == HEAPEV_HOOK_HEAP_ALLOC);
    expect_range(range_of(s, HEAPEV_FIELD_SYSTEM_TIME), HEAPEV_FIELD_SYSTEM_TIME,
                 h == 16 ? 8 : 16, 8);
    expect_range(&s->ranges[header_ranges], HEAPEV_FIELD_HEAP_HANDLE, h, w);
    expect_range(&s->ranges[header_ranges + 1], HEAPEV_FIELD_SIZE, h + w, w);
    expect_range(&s->ranges[header_ranges + 2], HEAPEV_FIELD_ADDRESS, h + 2 * w, w);
    expect_range(&s->ranges[header_ranges + 3], HEAPEV_FIELD_SOURCE, h + 3 * w, 4);
    assert_true(s->ranges[header_ranges + 2].value == s->item.event.address);
    assert_memory_equal(s->bytes, rec, h + 3 * w + 4);
    assert_int_equal(s->item.event.header.size, h + 3 * w + 4);
}

/* A source over a trace whose fetches fail from an offset on (UINT64_MAX: never). */
typedef struct failing_source {
    const trace *t;
    uint64_t fail_from;
} failing_source;

static const uint8_t *failing_fetch(void *ctx, uint64_t offset, size_t len, size_t *got)
{
    const failing_source *src = ctx;
    *got = 0;
    if (offset >= src->fail_from)
        return NULL;
    size_t left = offset < src->t->len ? src->t->len - (size_t)offset : 0;
    *got = len < left ? len : left;
    return src->t->bytes + offset;
}

/* ---- plain traces ------------------------------------------------------- */

/*
 * Windows 10 style: buffer 0's header, its logfile header record, the three
 * header-extension records as skipped records (0x0050, 0x0042, 0x0040, each
 * on an 8-byte boundary after the last), its end of records at Offset; then
 * buffers 1 and 2, each header first, records in order, end at Offset.
 */
static void test_plain_win10(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    const uint8_t *f = t.bytes;
    walk *k = walk_memory(f, t.len, 0, 0);
    assert_int_equal(k->n, 14);

    const section *s = expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0, 0);
    expect_buffer_header(s, f);
    assert_true(s->ranges[0].value == BSIZE && s->buffer_length == BSIZE);
    assert_int_equal(s->image_length, BSIZE);
    assert_true(range_of(s, HEAPEV_FIELD_BUF_FLAG)->value == 0x21);
    assert_true(range_of(s, HEAPEV_FIELD_BUF_TYPE)->value == HEAPEV_ETL_BUFFER_TYPE_HEADER);
    assert_true(s->findings == 0 && s->unplaced == 0 && !s->decompressed && s->bytes == f);
    uint32_t offset0 = get32(f + HEAPEV_ETL_BUF_OFF_OFFSET);
    assert_true(get32(f + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET) < offset0); /* at the 0x0050's end */

    s = expect_section(k, 1, HEAPEV_LAYOUT_ETL_LOGFILE, 0, HDR);
    assert_true(s->bytes == f + HDR && s->findings == 0);
    expect_range(&s->ranges[0], HEAPEV_FIELD_VERSION, 0, 2);
    expect_range(&s->ranges[9], HEAPEV_FIELD_USER_TIME, 28, 4); /* a SYSTEM header */
    expect_range(&s->ranges[10], HEAPEV_FIELD_LF_BUFFER_SIZE, 32 + HEAPEV_LOGFILE_OFF_BUFFER_SIZE,
                 4);
    const heapev_layout_range *bw = range_of(s, HEAPEV_FIELD_LF_BUFFERS_WRITTEN);
    expect_range(bw, HEAPEV_FIELD_LF_BUFFERS_WRITTEN, 32 + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN, 4);
    assert_true(bw->value == 3);
    assert_true(range_of(s, HEAPEV_FIELD_LF_POINTER_SIZE)->value == 8);
    expect_range(range_of(s, HEAPEV_FIELD_LF_START_TIME), HEAPEV_FIELD_LF_START_TIME,
                 32 + HEAPEV_LOGFILE_OFF_START_TIME(8), 8);
    assert_int_equal(s->ranges[s->n - 1].field, HEAPEV_FIELD_LF_FILE_NAME);
    size_t lf_size = (size_t)range_of(s, HEAPEV_FIELD_RECORD_SIZE)->value;
    const heapev_layout_range *last = &s->ranges[s->n - 1];
    assert_int_equal(last->offset + last->length, lf_size); /* the names end the record */

    static const uint16_t ext[] = {HEAPEV_HOOK_HEADER_EXT_50, HEAPEV_HOOK_HEADER_BUILD_LAB,
                                   HEAPEV_HOOK_HEADER_DBGID_RSDS};
    size_t at = HDR + HEAPEV_ETL_ALIGN(lf_size);
    for (size_t i = 0; i < 3; i++) {
        s = expect_section(k, 2 + i, HEAPEV_LAYOUT_ETL_SKIPPED, 0, at);
        assert_true(s->n == 0 && s->findings == 0 && s->item.skipped.has_hook_id);
        assert_int_equal(s->item.skipped.hook_id, ext[i]);
        assert_int_equal(s->item.skipped.size, get16(f + at + HEAPEV_HEADER_OFF_SIZE));
        at = HEAPEV_ETL_ALIGN(at + s->item.skipped.size);
    }
    assert_int_equal(at, offset0);
    expect_section(k, 5, HEAPEV_LAYOUT_ETL_RECORDS_END, 0, offset0);

    const uint8_t *b1 = f + BSIZE;
    s = expect_section(k, 6, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 1, 0);
    expect_buffer_header(s, b1);
    assert_true(s->offset == BSIZE && s->bytes == b1);
    assert_true(range_of(s, HEAPEV_FIELD_BUF_FLAG)->value == 0x20); /* processor index */
    expect_alloc(expect_section(k, 7, HEAPEV_LAYOUT_ETL_EVENT, 1, 72), HEAPEV_HEADER_TYPE_SYSTEM64,
                 b1 + 72);
    s = expect_section(k, 8, HEAPEV_LAYOUT_ETL_SKIPPED, 1, 136);
    assert_true(s->item.skipped.hook_id == HEAPEV_HOOK_HEAP_FREE && s->item.skipped.size == 48);
    s = expect_section(k, 9, HEAPEV_LAYOUT_ETL_EVENT, 1, 184);
    expect_alloc(s, HEAPEV_HEADER_TYPE_COMPACT64, b1 + 184);
    assert_true(s->offset == BSIZE + 184 && s->item.offset == s->offset);
    s = expect_section(k, 10, HEAPEV_LAYOUT_ETL_RECORDS_END, 1,
                       get32(b1 + HEAPEV_ETL_BUF_OFF_OFFSET));
    assert_int_equal(s->at, HEAPEV_ETL_ALIGN(184 + 52)); /* the writer's Offset: aligned */
    assert_true(s->buffer_length == BSIZE && !s->decompressed && s->n == 0);

    const uint8_t *b2 = f + 2 * BSIZE;
    expect_buffer_header(expect_section(k, 11, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 2, 0), b2);
    expect_alloc(expect_section(k, 12, HEAPEV_LAYOUT_ETL_EVENT, 2, 72),
                 HEAPEV_HEADER_TYPE_PERFINFO64, b2 + 72);
    expect_section(k, 13, HEAPEV_LAYOUT_ETL_RECORDS_END, 2, HEAPEV_ETL_ALIGN(72 + 44));
    assert_int_equal(get32(b2 + HEAPEV_ETL_BUF_OFF_OFFSET), HEAPEV_ETL_ALIGN(72 + 44));
    free(t.bytes);
}

/*
 * Windows 7 style, PointerSize 4: buffer 0 holds only the logfile header
 * (SavedOffset 0, BufferFlag 0x01, 4-byte pointer fields). A 64-bit Free in
 * the 32-bit trace: its container finding (etl_pointer_size_mismatch) on its
 * record header's HeaderType, then the record skipped; a 64-bit Alloc: the
 * same finding on its own layout's HeaderType.
 */
static void test_win7_32bit(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN7, 4);
    const uint8_t *f = t.bytes, *b1 = f + BSIZE;
    const heapev_findings mismatch = HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH);
    walk *k = walk_memory(f, t.len, 0, 0);
    assert_int_equal(k->n, 12);

    const section *s = expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0, 0);
    expect_buffer_header(s, f);
    assert_true(range_of(s, HEAPEV_FIELD_BUF_SAVED_OFFSET)->value == 0);
    assert_true(range_of(s, HEAPEV_FIELD_BUF_FLAG)->value == HEAPEV_ETL_BUFFER_FLAG_FLUSH_MARKER);
    s = expect_section(k, 1, HEAPEV_LAYOUT_ETL_LOGFILE, 0, HDR);
    assert_true(range_of(s, HEAPEV_FIELD_LF_POINTER_SIZE)->value == 4);
    expect_range(range_of(s, HEAPEV_FIELD_LF_LOG_FILE_NAME), HEAPEV_FIELD_LF_LOG_FILE_NAME,
                 32 + HEAPEV_LOGFILE_OFF_LOG_FILE_NAME(4), 4);
    size_t lf_size = (size_t)range_of(s, HEAPEV_FIELD_RECORD_SIZE)->value;
    s = expect_section(k, 2, HEAPEV_LAYOUT_ETL_RECORDS_END, 0,
                       get32(f + HEAPEV_ETL_BUF_OFF_OFFSET));
    assert_true(s->at == HDR + lf_size || s->at == HEAPEV_ETL_ALIGN(HDR + lf_size));

    expect_buffer_header(expect_section(k, 3, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 1, 0), b1);
    expect_alloc(expect_section(k, 4, HEAPEV_LAYOUT_ETL_EVENT, 1, 72), HEAPEV_HEADER_TYPE_SYSTEM32,
                 b1 + 72);
    s = expect_section(k, 5, HEAPEV_LAYOUT_ETL_RECORD_FINDINGS, 1, 120);
    assert_int_equal(s->n, 10); /* the SYSTEM header's fields only */
    for (size_t i = 0; i < s->n; i++)
        assert_true(s->ranges[i].findings == (s->ranges[i].field == HEAPEV_FIELD_HEADER_TYPE
                                                  ? mismatch : 0));
    assert_true(s->findings == mismatch && s->unplaced == 0);
    assert_true(s->item.kind == HEAPEV_ETL_ITEM_CONTAINER && s->item.findings == mismatch);
    s = expect_section(k, 6, HEAPEV_LAYOUT_ETL_SKIPPED, 1, 120);
    assert_true(s->item.skipped.size == 48 && s->item.skipped.header_type == 2);
    s = expect_section(k, 7, HEAPEV_LAYOUT_ETL_EVENT, 1, 168);
    expect_alloc(s, HEAPEV_HEADER_TYPE_COMPACT64, b1 + 168);
    assert_true(range_of(s, HEAPEV_FIELD_HEADER_TYPE)->findings == mismatch);
    assert_true(s->findings == mismatch && s->item.findings == mismatch && s->unplaced == 0);
    expect_section(k, 8, HEAPEV_LAYOUT_ETL_RECORDS_END, 1, HEAPEV_ETL_ALIGN(168 + 52));
    expect_section(k, 9, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 2, 0);
    expect_alloc(expect_section(k, 10, HEAPEV_LAYOUT_ETL_EVENT, 2, 72),
                 HEAPEV_HEADER_TYPE_PERFINFO32, f + 2 * BSIZE + 72);
    expect_section(k, 11, HEAPEV_LAYOUT_ETL_RECORDS_END, 2, 72 + 32);
    free(t.bytes);
}

/* Two walks give the same sections (part, place, ranges, findings). */
static int same_section(const heapev_layout_etl_section *a, const heapev_layout_etl_section *b)
{
    if (a->part != b->part || a->buffer != b->buffer || a->at != b->at || a->n != b->n ||
        a->findings != b->findings || a->unplaced != b->unplaced ||
        a->buffer_offset != b->buffer_offset)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const heapev_layout_range *x = &a->ranges[i], *y = &b->ranges[i];
        if (x->field != y->field || x->offset != y->offset || x->length != y->length ||
            x->avail != y->avail || x->value != y->value || x->findings != y->findings)
            return 0;
    }
    return 1;
}

/*
 * The window of buffers [first, first + count) of a walk is the whole
 * walk's sections of those buffers, and the walk stops at the first item
 * past it (unless buffer 0 is in it): @p want_buffers is the reader's
 * buffer count then.
 */
static void expect_window(const trace *t, uint64_t first_offset, uint64_t count,
                          uint64_t first, uint64_t last, uint64_t want_buffers)
{
    static walk whole;
    walk *k = walk_memory(t->bytes, t->len, 0, 0);
    whole = *k;
    k = walk_memory(t->bytes, t->len, first_offset, count);
    size_t j = 0;
    for (size_t i = 0; i < whole.n; i++) {
        const heapev_layout_etl_section *s = &whole.s[i];
        int in = s->part == HEAPEV_LAYOUT_ETL_LATE ? first == 0
                                                   : s->buffer >= first && s->buffer < last;
        if (!in)
            continue;
        if (j >= k->n || !same_section(&k->s[j], s))
            fail_msg("window @%llu count %llu: section %zu differs from the whole walk's %zu",
                     (unsigned long long)first_offset, (unsigned long long)count, j, i);
        j++;
    }
    assert_int_equal(j, k->n);
    assert_true(heapev_layout_etl_first_buffer(&k->w) == first);
    assert_int_equal(heapev_layout_etl_offset_beyond(&k->w), 0);
    assert_true(heapev_etl_reader_stats(&k->w.reader)->buffers == want_buffers);
}

/* --offset/--count windows of the Windows 10 trace (3 buffers of 1024 bytes). */
static void test_windows(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    expect_window(&t, 0, 0, 0, UINT64_MAX, 3);
    expect_window(&t, 0, 1, 0, 1, 3);          /* buffer 0: read on to the end */
    expect_window(&t, BSIZE - 1, 1, 0, 1, 3);  /* its last byte */
    expect_window(&t, BSIZE, 1, 1, 2, 3);      /* stops at buffer 2's first item */
    expect_window(&t, BSIZE + 1000, 0, 1, UINT64_MAX, 3);
    expect_window(&t, 2 * BSIZE, UINT64_MAX, 2, UINT64_MAX, 3); /* first + count overflows */
    expect_window(&t, BSIZE, 2, 1, 3, 3);

    walk *k = walk_memory(t.bytes, t.len, 3 * BSIZE, 2); /* past the last buffer */
    assert_int_equal(k->n, 0);
    assert_true(heapev_layout_etl_first_buffer(&k->w) == UINT64_MAX);
    assert_int_equal(heapev_layout_etl_offset_beyond(&k->w), 1);
    free(t.bytes);
}

/*
 * A 32-bit (WOW64) Alloc in a PointerSize-8 trace is laid out against the
 * limits the reader checks it with: Address 0x90000000 is below the WOW64
 * limit (0xFFFEFFFF by default), so no finding; with user_max_wow64 set to
 * 0x7FFEFFFF it is address_kernel_range, on the Address range.
 */
static void test_wow64_limits(void **state)
{
    (void)state;
    heapev_etl_writer_options o = {.buffer_size = BSIZE, .pointer_size = 8};
    static uint8_t buf[BSIZE];
    heapev_etl_writer w;
    uint8_t rec[64];
    trace t;
    memset(&t, 0, sizeof t);
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, trace_sink, &t),
                     HEAPEV_ETL_WRITE_OK);
    add(&w, rec, alloc_record(rec, HEAPEV_HEADER_TYPE_SYSTEM32, 0x90000000u, 3));
    assert_int_equal(heapev_etl_writer_finish(&w, 0), HEAPEV_ETL_WRITE_OK);
    for (int strict = 0; strict < 2; strict++) {
        heapev_etl_read_options ro = read_options();
        ro.limits.user_max_wow64 = strict ? 0x7FFEFFFFu : 0u;
        static heapev_layout_etl_walker wk;
        heapev_layout_etl_section sec;
        heapev_layout_etl_walker_init_memory(&wk, &ro, t.bytes, t.len, 0, 0);
        int events = 0;
        while (heapev_layout_etl_next(&wk, &sec) == HEAPEV_ETL_OK) {
            if (sec.part != HEAPEV_LAYOUT_ETL_EVENT)
                continue;
            events++;
            heapev_findings want = strict ? HEAPEV_FINDING(ADDRESS_KERNEL_RANGE) : 0;
            assert_true(sec.findings == want);
            assert_true(range_of(&sec, HEAPEV_FIELD_ADDRESS)->findings == want);
        }
        assert_int_equal(events, 1);
    }
    free(t.bytes);
}

/*
 * BuffersWritten says 5 of 3 buffers: the reader says so at the end of the
 * file, about buffer 0 at 72. The last section puts it on the BuffersWritten
 * range the logfile section had (same offset, value), the bytes gone;
 * shown only when buffer 0 is.
 */
static void test_late_buffers_written(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    t_put(t.bytes + LF(HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN), 5, 4);
    const heapev_findings late = HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH);
    walk *k = walk_memory(t.bytes, t.len, 0, 0);
    assert_int_equal(k->n, 15);
    const heapev_layout_range *bw = range_of(&k->s[1], HEAPEV_FIELD_LF_BUFFERS_WRITTEN);
    assert_true(bw->value == 5 && bw->findings == 0 && k->s[1].findings == 0);
    const section *s = expect_section(k, 14, HEAPEV_LAYOUT_ETL_LATE, 0, HDR);
    assert_int_equal(s->n, 1);
    expect_range(&s->ranges[0], HEAPEV_FIELD_LF_BUFFERS_WRITTEN, bw->offset, 4);
    assert_true(s->ranges[0].value == 5 && s->ranges[0].findings == late);
    assert_true(s->findings == late && s->unplaced == 0 && s->bytes == NULL && s->offset == HDR);
    assert_true(s->item.kind == HEAPEV_ETL_ITEM_CONTAINER && s->item.offset == HDR);

    k = walk_memory(t.bytes, t.len, 0, 1); /* buffer 0 only: the walk reads on for it */
    assert_int_equal(k->n, 7);
    assert_int_equal(k->s[6].part, HEAPEV_LAYOUT_ETL_LATE);
    k = walk_memory(t.bytes, t.len, BSIZE, 0); /* buffer 0 not shown: nor is its late finding */
    assert_int_equal(k->n, 8);
    assert_int_equal(k->s[7].part, HEAPEV_LAYOUT_ETL_RECORDS_END);

    /*
     * The walker's defence should buffer 0's logfile fields never have been
     * laid out (the reader never reports the mismatch then): the findings
     * alone, at the item's place.
     */
    heapev_etl_read_options ro = read_options();
    heapev_layout_etl_section one;
    heapev_layout_etl_walker_init_memory(&k->w, &ro, t.bytes, t.len, 0, 0);
    while (heapev_layout_etl_next(&k->w, &one) == HEAPEV_ETL_OK &&
           one.part != HEAPEV_LAYOUT_ETL_RECORDS_END)
        k->w.have_written = 0;
    k->w.have_written = 0;
    while (heapev_layout_etl_next(&k->w, &one) == HEAPEV_ETL_OK &&
           one.part != HEAPEV_LAYOUT_ETL_LATE)
        ;
    assert_int_equal(one.part, HEAPEV_LAYOUT_ETL_LATE);
    assert_true(one.n == 0 && one.unplaced == late && one.findings == late && one.at == HDR);
    free(t.bytes);
}

/*
 * A trace of buffer 0 alone that says 2 buffers: the finding comes after
 * buffer 0's end of records, still about buffer 0; walked with default
 * options (NULL), read through a fetch function too.
 */
static void test_late_single_buffer(void **state)
{
    (void)state;
    heapev_etl_writer_options o = {.buffer_size = BSIZE, .pointer_size = 8};
    static uint8_t buf[BSIZE];
    heapev_etl_writer w;
    trace t = {0};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, trace_sink, &t),
                     HEAPEV_ETL_WRITE_OK);
    assert_int_equal(heapev_etl_writer_finish(&w, 0), HEAPEV_ETL_WRITE_OK);
    assert_int_equal(t.len, BSIZE);
    t_put(t.bytes + LF(HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN), 2, 4);

    static heapev_layout_etl_walker k;
    heapev_layout_etl_section s;
    for (int via_fetch = 0; via_fetch < 2; via_fetch++) {
        failing_source src = {&t, UINT64_MAX};
        if (via_fetch)
            heapev_layout_etl_walker_init(&k, NULL, failing_fetch, &src, 0, 0);
        else
            heapev_layout_etl_walker_init_memory(&k, NULL, t.bytes, t.len, 0, 0);
        heapev_layout_etl_part last = 0;
        size_t n = 0;
        while (heapev_layout_etl_next(&k, &s) == HEAPEV_ETL_OK) {
            assert_true(last != HEAPEV_LAYOUT_ETL_LATE);
            last = s.part, n++;
        }
        assert_int_equal(n, 7); /* header, logfile, 3 skipped, end of records, late */
        assert_int_equal(last, HEAPEV_LAYOUT_ETL_LATE);
        assert_true(s.buffer == 0 && s.n == 1 && s.offset == HDR);
        assert_true(s.ranges[0].value == 2 &&
                    s.ranges[0].findings == HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH));
    }
    free(t.bytes);
}

/* BuffersWritten and EndTime 0: a note on both fields of the logfile section, nothing late. */
static void test_log_unfinished(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN7, 8);
    t_put(t.bytes + LF(HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN), 0, 4);
    t_put(t.bytes + LF(HEAPEV_LOGFILE_OFF_END_TIME), 0, 8);
    const heapev_findings note = HEAPEV_FINDING(ETL_LOG_UNFINISHED);
    walk *k = walk_memory(t.bytes, t.len, 0, 0);
    const section *s = expect_section(k, 1, HEAPEV_LAYOUT_ETL_LOGFILE, 0, HDR);
    assert_true(range_of(s, HEAPEV_FIELD_LF_BUFFERS_WRITTEN)->findings == note);
    assert_true(range_of(s, HEAPEV_FIELD_LF_END_TIME)->findings == note);
    assert_true(s->findings == note && heapev_findings_defects(s->findings) == 0);
    assert_true(s->item.kind == HEAPEV_ETL_ITEM_CONTAINER && s->item.offset == HDR);
    assert_int_equal(k->s[k->n - 1].part, HEAPEV_LAYOUT_ETL_RECORDS_END);
    free(t.bytes);
}

/* ---- compressed traces -------------------------------------------------- */

/*
 * [MS-XCA] 2.3 with literals only: per 32 bytes a 32-bit flag word (bits
 * consumed from the top, 0 = literal), the last one padded with 1 bits
 * (a whole extra one when the length is a multiple of 32). Returns the length.
 */
static size_t lzx_literals(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 32) {
        size_t chunk = n - i < 32 ? n - i : 32;
        t_put(out + o, chunk == 32 ? 0 : (1u << (32 - chunk)) - 1u, 4);
        memcpy(out + o + 4, in + i, chunk);
        o += 4 + chunk;
    }
    if (n % 32 == 0)
        t_put(out + o, 0xFFFFFFFFu, 4), o += 4;
    return o;
}

/*
 * The Windows 7 trace as pktmon writes it: LogFileMode 0x04000000, buffer 0
 * cut to its records (BufferSize = Offset, aligned), buffers 1 and 2 with
 * BufferFlag 0x40, their records compressed, BufferSize the header plus the
 * compressed bytes, packed back to back. @p at receives the buffers' offsets.
 */
static void compress_trace(const trace *plain, trace *t, size_t at[3])
{
    const uint8_t *f = plain->bytes;
    memset(t, 0, sizeof *t);
    uint32_t len0 = HEAPEV_ETL_ALIGN(get32(f + HEAPEV_ETL_BUF_OFF_OFFSET));
    uint8_t b[2 * BSIZE];
    memcpy(b, f, len0);
    t_put(b + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, len0, 4);
    uint32_t mode = get32(f + LF(HEAPEV_LOGFILE_OFF_LOG_FILE_MODE));
    mode |= HEAPEV_LOGFILE_MODE_COMPRESSED;
    t_put(b + LF(HEAPEV_LOGFILE_OFF_LOG_FILE_MODE), mode, 4);
    at[0] = 0;
    assert_int_equal(trace_sink(t, 0, b, len0), 0);
    for (unsigned i = 1; i < 3; i++) {
        const uint8_t *src = f + i * BSIZE;
        uint32_t end = get32(src + HEAPEV_ETL_BUF_OFF_OFFSET);
        size_t n = HDR + lzx_literals(src + HDR, end - HDR, b + HDR);
        memcpy(b, src, HDR);
        t_put(b + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, n, 4);
        t_put(b + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG,
              get16(src + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG) | HEAPEV_ETL_BUFFER_FLAG_COMPRESSED, 2);
        at[i] = t->len;
        assert_int_equal(trace_sink(t, t->len, b, n), 0);
    }
}

/*
 * Compressed buffers are shown from their decompressed image: the header
 * section gives the buffer's length in the file and the image's (its
 * Offset); the records' sections lie among the decompressed records, at
 * their place in the image, with the bytes the writer wrote.
 */
static void test_compressed(void **state)
{
    (void)state;
    trace plain, t;
    size_t at[3];
    write_trace(&plain, HEAPEV_ETL_STYLE_WIN7, 8);
    compress_trace(&plain, &t, at);
    const uint8_t *b1 = plain.bytes + BSIZE;
    walk *k = walk_memory(t.bytes, t.len, 0, 0);
    assert_int_equal(k->n, 11);
    assert_true(heapev_etl_reader_stats(&k->w.reader)->decompressed == 2);

    const section *s = expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0, 0);
    assert_true(s->buffer_length == at[1] && s->image_length == at[1] && !s->decompressed);
    expect_section(k, 1, HEAPEV_LAYOUT_ETL_LOGFILE, 0, HDR);
    expect_section(k, 2, HEAPEV_LAYOUT_ETL_RECORDS_END, 0,
                   get32(plain.bytes + HEAPEV_ETL_BUF_OFF_OFFSET));

    s = expect_section(k, 3, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 1, 0);
    expect_buffer_header(s, t.bytes + at[1]);
    assert_true(s->decompressed && !s->among_decompressed && s->buffer_offset == at[1]);
    assert_true(s->buffer_length == at[2] - at[1] && s->ranges[0].value == at[2] - at[1]);
    assert_int_equal(s->image_length, get32(b1 + HEAPEV_ETL_BUF_OFF_OFFSET));
    assert_true(range_of(s, HEAPEV_FIELD_BUF_FLAG)->value & HEAPEV_ETL_BUFFER_FLAG_COMPRESSED);
    s = expect_section(k, 4, HEAPEV_LAYOUT_ETL_EVENT, 1, 72);
    expect_alloc(s, HEAPEV_HEADER_TYPE_SYSTEM64, b1 + 72); /* the bytes before compression */
    assert_true(s->decompressed && s->among_decompressed && s->item.decompressed);
    assert_true(s->offset == at[1] + 72);
    s = expect_section(k, 5, HEAPEV_LAYOUT_ETL_SKIPPED, 1, 136);
    assert_true(s->among_decompressed);
    expect_alloc(expect_section(k, 6, HEAPEV_LAYOUT_ETL_EVENT, 1, 184),
                 HEAPEV_HEADER_TYPE_COMPACT64, b1 + 184);
    s = expect_section(k, 7, HEAPEV_LAYOUT_ETL_RECORDS_END, 1,
                       get32(b1 + HEAPEV_ETL_BUF_OFF_OFFSET));
    assert_true(s->decompressed && s->among_decompressed);
    s = expect_section(k, 8, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 2, 0);
    assert_true(s->decompressed && s->buffer_offset == at[2] && s->buffer_length == t.len - at[2]);
    expect_alloc(expect_section(k, 9, HEAPEV_LAYOUT_ETL_EVENT, 2, 72),
                 HEAPEV_HEADER_TYPE_PERFINFO64, plain.bytes + 2 * BSIZE + 72);
    expect_section(k, 10, HEAPEV_LAYOUT_ETL_RECORDS_END, 2, HEAPEV_ETL_ALIGN(72 + 44));

    /* A window by file offset: the bytes of buffer 1 in the file. */
    k = walk_memory(t.bytes, t.len, at[2] - 1, 1);
    assert_int_equal(k->n, 5);
    assert_true(k->s[0].buffer == 1 && heapev_layout_etl_first_buffer(&k->w) == 1);
    free(plain.bytes);
    free(t.bytes);
}

/* ---- defects, truncation, empty files ----------------------------------- */

/*
 * Container findings on the fields that cause them: a data buffer's
 * SavedOffset unlike its Offset (on its header section), a record Size below
 * its header (its record header alone, the decoder's own findings left
 * out), the first record of buffer 0 not a logfile header (its record
 * header; the reader then steps over it like any other record).
 */
static void test_defects(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    uint8_t *b1 = t.bytes + BSIZE, *b2 = t.bytes + 2 * BSIZE;
    t_put(b1 + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, get32(b1 + HEAPEV_ETL_BUF_OFF_OFFSET) + 8, 4);
    t_put(b2 + 72 + HEAPEV_HEADER_OFF_SIZE, 8, 2);
    walk *k = walk_memory(t.bytes, t.len, BSIZE, 0);
    assert_int_equal(k->n, 8);

    const section *s = expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 1, 0);
    const heapev_findings mismatch = HEAPEV_FINDING(ETL_OFFSET_MISMATCH);
    assert_true(range_of(s, HEAPEV_FIELD_BUF_SAVED_OFFSET)->findings == mismatch);
    assert_true(s->findings == mismatch && s->unplaced == 0);
    assert_true(s->item.kind == HEAPEV_ETL_ITEM_CONTAINER && s->item.offset == BSIZE);
    assert_int_equal(k->s[1].part, HEAPEV_LAYOUT_ETL_EVENT); /* its records read all the same */

    expect_section(k, 5, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 2, 0);
    s = expect_section(k, 6, HEAPEV_LAYOUT_ETL_RECORD_FINDINGS, 2, 72);
    const heapev_findings size_bad = HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID);
    assert_int_equal(s->n, 6); /* PERFINFO header: Version .. HookId, SystemTime */
    expect_range(&s->ranges[5], HEAPEV_FIELD_SYSTEM_TIME, 8, 8);
    for (size_t i = 0; i < s->n; i++)
        assert_true(s->ranges[i].findings ==
                    (s->ranges[i].field == HEAPEV_FIELD_RECORD_SIZE ? size_bad : 0));
    assert_true(s->findings == size_bad && s->ranges[3].value == 8);
    expect_section(k, 7, HEAPEV_LAYOUT_ETL_RECORDS_END, 2, HEAPEV_ETL_ALIGN(72 + 44));
    free(t.bytes);

    /*
     * Buffer 0's SavedOffset beyond its Offset (on its header section), and
     * its first header-extension record's Size below its header: the item
     * after the header's is that record's, the logfile section before it.
     */
    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    uint32_t offset0 = get32(t.bytes + HEAPEV_ETL_BUF_OFF_OFFSET);
    t_put(t.bytes + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, offset0 + 8, 4);
    k = walk_memory(t.bytes, t.len, 0, 1);
    assert_int_equal(k->n, 6);
    s = expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0, 0);
    assert_true(s->findings == mismatch && s->item.kind == HEAPEV_ETL_ITEM_CONTAINER);
    s = expect_section(k, 1, HEAPEV_LAYOUT_ETL_LOGFILE, 0, HDR);
    size_t ext = HDR + HEAPEV_ETL_ALIGN((size_t)range_of(s, HEAPEV_FIELD_RECORD_SIZE)->value);
    s = expect_section(k, 2, HEAPEV_LAYOUT_ETL_SKIPPED, 0, ext);
    size_t second = HEAPEV_ETL_ALIGN(ext + s->item.skipped.size);
    expect_section(k, 3, HEAPEV_LAYOUT_ETL_SKIPPED, 0, second);
    free(t.bytes);

    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    t_put(t.bytes + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, offset0 + 8, 4);
    t_put(t.bytes + ext + HEAPEV_HEADER_OFF_SIZE, 8, 2);
    k = walk_memory(t.bytes, t.len, 0, 1);
    assert_int_equal(k->n, 4);
    expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0, 0);
    s = expect_section(k, 1, HEAPEV_LAYOUT_ETL_LOGFILE, 0, HDR);
    assert_true(s->findings == 0 && s->item.kind == HEAPEV_ETL_ITEM_CONTAINER &&
                s->item.offset == ext); /* laid out at that record's item */
    s = expect_section(k, 2, HEAPEV_LAYOUT_ETL_RECORD_FINDINGS, 0, ext);
    assert_int_equal(s->n, 10);
    assert_true(range_of(s, HEAPEV_FIELD_RECORD_SIZE)->findings == size_bad);
    expect_section(k, 3, HEAPEV_LAYOUT_ETL_RECORDS_END, 0, offset0);
    free(t.bytes);

    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    t_put(t.bytes + HDR + HEAPEV_HEADER_OFF_HOOK_ID, HEAPEV_HOOK_HEAP_FREE, 2);
    k = walk_memory(t.bytes, t.len, 0, 1);
    s = expect_section(k, 1, HEAPEV_LAYOUT_ETL_NO_LOGFILE, 0, HDR);
    const heapev_findings none = HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER);
    assert_int_equal(s->n, 10);
    assert_true(range_of(s, HEAPEV_FIELD_HOOK_ID)->findings == none && s->findings == none);
    s = expect_section(k, 2, HEAPEV_LAYOUT_ETL_SKIPPED, 0, HDR);
    assert_int_equal(s->item.skipped.hook_id, HEAPEV_HOOK_HEAP_FREE);
    assert_int_equal(k->s[k->n - 1].part, HEAPEV_LAYOUT_ETL_RECORDS_END); /* nothing late */
    free(t.bytes);
}

/*
 * Files cut short: at 72 bytes buffer 0's header (truncated_file on
 * BufferSize) and its records' end, no logfile record to lay out; at 50
 * bytes the header alone, its missing fields short of bytes; an empty file:
 * one header section with nothing to lay out, its finding unplaced.
 */
static void test_truncated_and_empty(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    const heapev_findings cut = HEAPEV_FINDING(ETL_TRUNCATED_FILE);

    walk *k = walk_memory(t.bytes, HDR, 0, 0);
    assert_int_equal(k->n, 2);
    const section *s = expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0, 0);
    assert_true(s->n == 14 && s->image_length == HDR && s->buffer_length == BSIZE);
    assert_true(s->ranges[0].findings == cut && s->findings == cut);
    expect_section(k, 1, HEAPEV_LAYOUT_ETL_RECORDS_END, 0, HDR);

    k = walk_memory(t.bytes, 50, 0, 0);
    assert_int_equal(k->n, 1);
    s = expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0, 0);
    assert_true(s->n == 14 && s->image_length == 50 && s->buffer_length == 0);
    const heapev_layout_range *r = range_of(s, HEAPEV_FIELD_BUF_STATE); /* 0x2C..0x2F */
    assert_true(r->avail == 4 && r->findings == 0);
    r = range_of(s, HEAPEV_FIELD_BUF_OFFSET); /* 0x30..0x33: 2 of 4 bytes */
    assert_true(r->avail == 2 && r->length == 4 && r->findings == cut);
    r = range_of(s, HEAPEV_FIELD_BUF_FLAG); /* 0x34..0x35: none */
    assert_true(r->avail == 0 && r->findings == cut);
    assert_true(s->ranges[0].findings == cut && s->unplaced == 0);

    for (uint64_t first_offset = 0; first_offset < 10; first_offset += 5) {
        k = walk_memory(NULL, 0, first_offset, 0);
        assert_int_equal(k->n, 1);
        s = expect_section(k, 0, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0, 0);
        assert_true(s->n == 0 && s->image_length == 0 && s->bytes == NULL);
        assert_true(s->unplaced == HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER));
        assert_true(s->findings == s->unplaced);
        assert_int_equal(heapev_layout_etl_offset_beyond(&k->w), first_offset > 0);
    }
    free(t.bytes);
}

/*
 * The walker never lays out bytes it does not hold: a place past its view of
 * a buffer (the reader gives none today; the test shrinks the view) gets
 * the item's findings alone, or nothing when it has none.
 */
static void test_past_the_bytes(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN7, 4);
    const heapev_findings mismatch = HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH);
    heapev_etl_read_options ro = read_options();
    static heapev_layout_etl_walker w;
    heapev_layout_etl_section s;
    heapev_layout_etl_walker_init_memory(&w, &ro, t.bytes, t.len, BSIZE, 1);
    assert_int_equal(heapev_layout_etl_next(&w, &s), HEAPEV_ETL_OK);
    assert_true(s.part == HEAPEV_LAYOUT_ETL_BUFFER_HEADER && s.buffer == 1);
    w.got = 100; /* the Free at 120 and the COMPACT Alloc at 168 lie past it */
    assert_int_equal(heapev_layout_etl_next(&w, &s), HEAPEV_ETL_OK);
    assert_true(s.part == HEAPEV_LAYOUT_ETL_EVENT && s.at == 72 && s.avail == 28);
    assert_int_equal(heapev_layout_etl_next(&w, &s), HEAPEV_ETL_OK);
    assert_true(s.part == HEAPEV_LAYOUT_ETL_UNPLACED && s.at == 120 && s.n == 0);
    assert_true(s.unplaced == mismatch && s.findings == mismatch && s.bytes == NULL);
    assert_int_equal(heapev_layout_etl_next(&w, &s), HEAPEV_ETL_OK); /* the skipped Free: none */
    assert_true(s.part == HEAPEV_LAYOUT_ETL_UNPLACED && s.at == 168 && s.unplaced == mismatch);
    assert_int_equal(s.item.kind, HEAPEV_ETL_ITEM_EVENT);
    assert_int_equal(heapev_layout_etl_next(&w, &s), HEAPEV_ETL_OK);
    assert_true(s.part == HEAPEV_LAYOUT_ETL_RECORDS_END && s.avail == 0);
    assert_int_equal(heapev_layout_etl_next(&w, &s), HEAPEV_ETL_END);
    free(t.bytes);
}

/* ---- I/O errors --------------------------------------------------------- */

/* A fetch failure ends the walk with HEAPEV_ETL_IO_ERROR, after the sections read before it. */
static void test_io_error(void **state)
{
    (void)state;
    trace t;
    write_trace(&t, HEAPEV_ETL_STYLE_WIN10, 8);
    heapev_etl_read_options ro = read_options();
    static heapev_layout_etl_walker w;
    heapev_layout_etl_section s;
    failing_source src = {&t, 0};
    heapev_layout_etl_walker_init(&w, &ro, failing_fetch, &src, 0, 0);
    assert_int_equal(heapev_layout_etl_next(&w, &s), HEAPEV_ETL_IO_ERROR);
    assert_int_equal(heapev_layout_etl_next(&w, &s), HEAPEV_ETL_IO_ERROR);

    src.fail_from = BSIZE; /* buffer 0 reads; buffer 1 does not */
    heapev_layout_etl_walker_init(&w, &ro, failing_fetch, &src, 0, 0);
    size_t n = 0;
    heapev_etl_status st;
    while ((st = heapev_layout_etl_next(&w, &s)) == HEAPEV_ETL_OK)
        n++;
    assert_int_equal(st, HEAPEV_ETL_IO_ERROR);
    assert_int_equal(n, 6); /* buffer 0: header, logfile, 3 skipped, end of records */
    free(t.bytes);
}

/* ---- generated traces --------------------------------------------------- */

/* What a whole walk's section was, for comparing walks. */
typedef struct digest {
    heapev_layout_etl_part part;
    uint64_t buffer;
    size_t at, n;
    heapev_findings findings, unplaced;
    uint64_t hash; /* of the ranges */
} digest;

static digest digest_of(const heapev_layout_etl_section *s)
{
    digest d = {s->part, s->buffer, s->at, s->n, s->findings, s->unplaced, 1469598103934665603ull};
    for (size_t i = 0; i < s->n; i++) {
        const heapev_layout_range *r = &s->ranges[i];
        uint64_t v[] = {r->field, r->offset, r->length, r->avail, r->value, r->findings};
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
            d.hash = (d.hash ^ v[j]) * 1099511628211ull;
    }
    return d;
}

static int same_digest(const digest *a, const digest *b)
{
    return a->part == b->part && a->buffer == b->buffer && a->at == b->at && a->n == b->n &&
           a->findings == b->findings && a->unplaced == b->unplaced && a->hash == b->hash;
}

typedef struct generated {
    trace t;
    heapev_etl_item *items; /* the reader's, report_skipped on */
    size_t nitems;
    digest *d;              /* the whole walk's sections */
    size_t nd;
    uint64_t *buffer_at;    /* each buffer's file offset, from its header section */
    uint32_t *buffer_len;
    size_t nbuffers;
} generated;

static void generate(generated *g, unsigned width, heapev_etl_style style, int compress)
{
    heapev_gen_etl_options o = {.seed = 3 + (uint64_t)compress, .width = width, .count = 400,
                                .malformed = 0.1, .noise = 0.3, .buffer_size = 4096,
                                .container = -1, .wow64 = width == 8 ? 0.2 : 0, .style = style,
                                .compress = compress};
    size_t cap = HEAPEV_GEN_ETL_MEMORY(4096);
    uint8_t *mem = malloc(cap);
    memset(g, 0, sizeof *g);
    assert_non_null(mem);
    assert_int_equal(heapev_gen_etl_write(&o, mem, cap, trace_sink, &g->t, NULL, NULL, NULL), 0);
    free(mem);

    heapev_etl_read_options ro = read_options();
    heapev_etl_reader r;
    heapev_etl_item it;
    ro.report_skipped = 1;
    heapev_etl_reader_init_memory(&r, &ro, g->t.bytes, g->t.len);
    size_t cap_items = 0;
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK) {
        if (g->nitems == cap_items) {
            cap_items = cap_items ? 2 * cap_items : 1024;
            g->items = realloc(g->items, cap_items * sizeof *g->items);
            assert_non_null(g->items);
        }
        g->items[g->nitems++] = it;
    }
}

static void generated_free(generated *g)
{
    free(g->t.bytes);
    free(g->items);
    free(g->d);
    free(g->buffer_at);
    free(g->buffer_len);
}

static int same_item(const heapev_etl_item *a, const heapev_etl_item *b)
{
    return a->kind == b->kind && a->buffer == b->buffer && a->buffer_offset == b->buffer_offset &&
           a->offset == b->offset && a->decompressed == b->decompressed &&
           a->findings == b->findings;
}

/* Checks of one section of a whole walk of a well-formed generated trace. */
static void check_generated_section(const generated *g, const heapev_layout_etl_section *s,
                                    int compress)
{
    heapev_findings placed = 0;
    assert_true(s->offset == s->buffer_offset + s->at);
    for (size_t i = 0; i < s->n; i++) {
        const heapev_layout_range *r = &s->ranges[i];
        placed |= r->findings;
        assert_true(r->offset + r->avail <= s->avail); /* within the bytes held */
        if (i > 0)
            assert_true(s->ranges[i - 1].offset + s->ranges[i - 1].length <= r->offset);
    }
    assert_true(s->findings == (placed | s->unplaced) && (placed & s->unplaced) == 0);
    assert_int_equal(s->among_decompressed, compress && s->buffer > 0 && s->at >= HDR);
    switch (s->part) {
    case HEAPEV_LAYOUT_ETL_BUFFER_HEADER:
        assert_int_equal(s->n, 14);
        assert_true(s->ranges[0].value == s->buffer_length);
        assert_true(s->image_length == (s->decompressed
                                            ? range_of(s, HEAPEV_FIELD_BUF_OFFSET)->value
                                            : s->buffer_length));
        assert_int_equal(s->decompressed, compress && s->buffer > 0);
        if (!s->decompressed)
            assert_memory_equal(s->bytes, g->t.bytes + s->buffer_offset, HDR);
        break;
    case HEAPEV_LAYOUT_ETL_EVENT: {
        size_t covered = 0;
        for (size_t i = 0; i < s->n; i++)
            covered += s->ranges[i].length;
        assert_true(s->at >= HDR && covered == s->item.event.header.size);
        assert_true(s->ranges[0].field == HEAPEV_FIELD_VERSION && s->ranges[0].offset == 0);
        assert_true(range_of(s, HEAPEV_FIELD_RECORD_SIZE)->value == s->item.event.header.size);
        assert_true((s->findings & s->item.findings) == s->item.findings);
        assert_int_equal(s->item.decompressed, s->among_decompressed);
        if (!compress)
            assert_memory_equal(s->bytes, g->t.bytes + s->offset, covered);
        break;
    }
    case HEAPEV_LAYOUT_ETL_SKIPPED: assert_true(s->n == 0 && s->findings == 0); break;
    case HEAPEV_LAYOUT_ETL_LOGFILE: assert_int_equal(s->buffer, 0); break;
    case HEAPEV_LAYOUT_ETL_RECORDS_END: assert_true(s->n == 0 && s->at >= HDR); break;
    default: fail_msg("a well-formed trace has no %s section", part_name(s->part));
    }
}

/*
 * A whole walk of a generated trace: each buffer's header first and its end
 * of records last, buffer 0's logfile record after its header; every item
 * of the reader's, in order, is one section's (the items about a buffer
 * header or the logfile record are those sections'); the counts agree.
 */
static void walk_generated(generated *g, int compress)
{
    static heapev_layout_etl_walker w;
    static heapev_layout_etl_section s;
    heapev_etl_read_options ro = read_options();
    size_t j = 0, cap = 0, records_end = 0, events = 0, skipped = 0;
    uint64_t end_at = 0;
    heapev_layout_etl_walker_init_memory(&w, &ro, g->t.bytes, g->t.len, 0, 0);
    while (heapev_layout_etl_next(&w, &s) == HEAPEV_ETL_OK) {
        check_generated_section(g, &s, compress);
        if (g->nd == cap) {
            cap = cap ? 2 * cap : 1024;
            g->d = realloc(g->d, cap * sizeof *g->d);
            assert_non_null(g->d);
        }
        const digest *prev = g->nd > 0 ? &g->d[g->nd - 1] : NULL;
        g->d[g->nd++] = digest_of(&s);
        if (s.part == HEAPEV_LAYOUT_ETL_BUFFER_HEADER) {
            assert_true(s.buffer == g->nbuffers && (prev == NULL ||
                        prev->part == HEAPEV_LAYOUT_ETL_RECORDS_END));
            g->buffer_at = realloc(g->buffer_at, (g->nbuffers + 1) * sizeof *g->buffer_at);
            g->buffer_len = realloc(g->buffer_len, (g->nbuffers + 1) * sizeof *g->buffer_len);
            assert_true(g->buffer_at != NULL && g->buffer_len != NULL);
            g->buffer_at[g->nbuffers] = s.buffer_offset;
            g->buffer_len[g->nbuffers++] = s.buffer_length;
            end_at = range_of(&s, HEAPEV_FIELD_BUF_OFFSET)->value;
        } else {
            assert_true(prev != NULL && s.buffer == prev->buffer);
            assert_true(prev->part != HEAPEV_LAYOUT_ETL_RECORDS_END);
        }
        if (s.part == HEAPEV_LAYOUT_ETL_LOGFILE)
            assert_true(prev->part == HEAPEV_LAYOUT_ETL_BUFFER_HEADER && prev->buffer == 0);
        records_end += s.part == HEAPEV_LAYOUT_ETL_RECORDS_END;
        events += s.part == HEAPEV_LAYOUT_ETL_EVENT;
        skipped += s.part == HEAPEV_LAYOUT_ETL_SKIPPED;
        if (s.part == HEAPEV_LAYOUT_ETL_RECORDS_END)
            assert_true(s.at == end_at);
        int about_place = s.item.kind == HEAPEV_ETL_ITEM_CONTAINER && s.item.offset == s.offset;
        int own = s.part != HEAPEV_LAYOUT_ETL_BUFFER_HEADER && s.part != HEAPEV_LAYOUT_ETL_LOGFILE;
        assert_true(j < g->nitems && same_item(&s.item, &g->items[j]));
        j += own || about_place;
    }
    const heapev_etl_stats *st = heapev_etl_reader_stats(&w.reader);
    assert_int_equal(j, g->nitems);
    assert_true(g->nbuffers == st->buffers && records_end == st->buffers);
    assert_true(events == st->events && skipped == st->skipped && st->events > 0);
    assert_true(st->decompressed == (compress ? st->buffers - 1 : 0));
}

/* The windows of a generated trace against its whole walk. */
static void windows_generated(const generated *g)
{
    static heapev_layout_etl_walker w;
    static heapev_layout_etl_section s;
    heapev_etl_read_options ro = read_options();
    size_t nb = g->nbuffers;
    const uint64_t offsets[] = {0, g->buffer_at[1] + 100, g->buffer_at[nb / 2],
                                g->buffer_at[nb - 1] + g->buffer_len[nb - 1] - 1};
    const uint64_t counts[] = {0, 1, 3};
    for (size_t a = 0; a < sizeof offsets / sizeof offsets[0]; a++) {
        uint64_t first = 0;
        while (first + 1 < nb && g->buffer_at[first] + g->buffer_len[first] <= offsets[a])
            first++;
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            uint64_t last = counts[c] ? first + counts[c] : UINT64_MAX;
            size_t i = 0;
            heapev_layout_etl_walker_init_memory(&w, &ro, g->t.bytes, g->t.len, offsets[a],
                                                 counts[c]);
            while (heapev_layout_etl_next(&w, &s) == HEAPEV_ETL_OK) {
                digest d = digest_of(&s);
                while (i < g->nd && !(g->d[i].buffer >= first && g->d[i].buffer < last))
                    i++;
                if (i >= g->nd || !same_digest(&d, &g->d[i]))
                    fail_msg("window @%llu count %llu: %s of buffer %llu at %zu is not the "
                             "whole walk's", (unsigned long long)offsets[a],
                             (unsigned long long)counts[c], part_name(s.part),
                             (unsigned long long)s.buffer, s.at);
                i++;
            }
            while (i < g->nd && !(g->d[i].buffer >= first && g->d[i].buffer < last))
                i++;
            assert_true(i == g->nd || g->d[i].buffer >= last); /* nothing of the window left out */
            assert_true(heapev_layout_etl_first_buffer(&w) == first);
        }
    }
}

static void run_generated(unsigned width, heapev_etl_style style, int compress)
{
    static generated g;
    generate(&g, width, style, compress);
    walk_generated(&g, compress);
    assert_true(g.nbuffers >= 4);
    windows_generated(&g);
    generated_free(&g);
}

static void test_generated_win10_64(void **state)
{
    (void)state;
    run_generated(8, HEAPEV_ETL_STYLE_WIN10, 0);
}

static void test_generated_win7_32(void **state)
{
    (void)state;
    run_generated(4, HEAPEV_ETL_STYLE_WIN7, 0);
}

static void test_generated_compressed(void **state)
{
    (void)state;
    run_generated(8, HEAPEV_ETL_STYLE_WIN10, 1);
}

static void test_generated_compressed_win7(void **state)
{
    (void)state;
    run_generated(4, HEAPEV_ETL_STYLE_WIN7, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_win10),
        cmocka_unit_test(test_win7_32bit),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_wow64_limits),
        cmocka_unit_test(test_late_buffers_written),
        cmocka_unit_test(test_late_single_buffer),
        cmocka_unit_test(test_log_unfinished),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_defects),
        cmocka_unit_test(test_truncated_and_empty),
        cmocka_unit_test(test_past_the_bytes),
        cmocka_unit_test(test_io_error),
        cmocka_unit_test(test_generated_win10_64),
        cmocka_unit_test(test_generated_win7_32),
        cmocka_unit_test(test_generated_compressed),
        cmocka_unit_test(test_generated_compressed_win7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
