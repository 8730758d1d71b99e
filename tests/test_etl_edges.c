/*
 * test_etl_edges.c - the edges of the ETL reader and writer that whole
 * traces rarely reach: the stdio source asked directly (skips larger than
 * its memory, offsets already consumed, read errors), fetch functions that
 * fail (NULL is an I/O error whatever *got says) or over-report, reader
 * options (limits, max_buffer_size), buffer sizes below the buffer header,
 * FULL_HEADER32/64 records, misaligned-record candidates that cannot be
 * stepped over, logfile headers too short for their own header or for
 * PointerSize, and the writer's defaults and limits. Files are built by hand
 * with testlib.h at SPEC §4 offsets; every expected offset, size and finding
 * is a number written here.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapev/etl.h"
#include "testlib.h"

#define FB(sym) HEAPEV_FINDING_BIT(HEAPEV_FINDING_##sym)

#define EV HEAPEV_ETL_ITEM_EVENT
#define CO HEAPEV_ETL_ITEM_CONTAINER
#define SK HEAPEV_ETL_ITEM_SKIPPED
#define RE HEAPEV_ETL_ITEM_RECORDS_END

/* ---- hand-built files -------------------------------------------------- */

enum { BS = 512, MAXBUF = 4 };

/* A file of up to MAXBUF 512-byte buffers, and each buffer's SavedOffset. */
typedef struct hfile {
    uint8_t data[BS * MAXBUF];
    size_t len;
    uint32_t saved[MAXBUF];
} hfile;

/* WMI_BUFFER_HEADER: BufferSize @p bs, SavedOffset = CurrentOffset = Offset = @p saved. */
static void put_buffer_header(uint8_t *b, uint32_t bs, uint32_t saved)
{
    memset(b, 0, 72);
    t_put(b + 0x00, bs, 4);
    t_put(b + 0x04, saved, 4);
    t_put(b + 0x08, saved, 4);
    t_put(b + 0x30, saved, 4);
}

/*
 * The logfile header record at @p p: SYSTEM64 header (SYSTEM32 when @p ps is
 * 4), HookId 0, then TRACE_LOGFILE_HEADER: BufferSize 512 at +0x00, EndTime
 * 0x5555 at +0x10, BuffersWritten @p written at +0x24, PointerSize @p ps at
 * +0x2C, StartTime 0x7777 at +0x108 (+0x100 with 4-byte pointers), the fixed
 * part 0x118 (0x110) bytes, then the names "A" and "B" (4 bytes each).
 * Returns its Size: 32 + 0x118 + 8 = 320 (312).
 */
static size_t put_logfile(uint8_t *p, uint32_t ps, uint32_t written)
{
    size_t fixed = ps == 4 ? 0x110 : 0x118;
    size_t size = 32 + fixed + 8;
    memset(p, 0, size);
    t_header(p, 2, ps == 4 ? 1 : 2, 0xC0, (uint16_t)size, 0x0000);
    uint8_t *q = p + 32;
    t_put(q + 0x00, BS, 4);
    t_put(q + 0x10, 0x5555, 8);
    t_put(q + 0x24, written, 4);
    t_put(q + 0x2C, ps, 4);
    t_put(q + (ps == 4 ? 0x100 : 0x108), 0x7777, 8);
    t_put(q + fixed, 'A', 2);
    t_put(q + fixed + 4, 'B', 2);
    return size;
}

/* Store @p len bytes at buffer @p b's SavedOffset, move it on (8-aligned). Returns the offset. */
static size_t h_add(hfile *f, unsigned b, const uint8_t *rec, size_t len)
{
    uint32_t at = f->saved[b];
    memcpy(f->data + (size_t)b * BS + at, rec, len);
    f->saved[b] = (uint32_t)((at + len + 7) & ~(size_t)7);
    put_buffer_header(f->data + (size_t)b * BS, BS, f->saved[b]);
    return (size_t)b * BS + at;
}

/* @p n buffers of filler with their buffer headers; buffer 0 holds the logfile header (@p ps). */
static void h_file(hfile *f, unsigned n, uint32_t ps)
{
    memset(f, 0, sizeof *f);
    memset(f->data, 0xFF, sizeof f->data);
    f->len = (size_t)n * BS;
    for (unsigned b = 0; b < n; b++) {
        f->saved[b] = 72;
        put_buffer_header(f->data + (size_t)b * BS, BS, 72);
    }
    uint8_t rec[400];
    size_t size = put_logfile(rec, ps, n);
    assert_int_equal(h_add(f, 0, rec, size), 72);
}

/* A SYSTEM64 heap Alloc record (60 bytes): HeapHandle @p h, Size 32, Address @p a, Source 3. */
static size_t alloc64(uint8_t *p, uint64_t h, uint64_t a)
{
    t_header(p, 2, 2, 0xC0, 60, 0x1021);
    t_payload64(p + 32, h, 32, a, 3);
    return 60;
}

/* A SYSTEM32 heap Alloc record (48 bytes): HeapHandle @p h, Size 32, Address @p a, Source 3. */
static size_t alloc32(uint8_t *p, uint32_t h, uint32_t a)
{
    t_header(p, 2, 1, 0xC0, 48, 0x1021);
    t_payload32(p + 32, h, 32, a, 3);
    return 48;
}

/* ---- reading ----------------------------------------------------------- */

typedef struct want_item {
    heapev_etl_item_kind kind;
    uint64_t buffer, offset;
    heapev_findings findings;
    uint32_t size; /* SKIPPED: its Size; EVENT: the record's Size */
    uint8_t header_type, flags;
} want_item;

/* The reader returns exactly @p want, then @p last (twice). */
static void expect_items(heapev_etl_reader *r, const want_item *want, size_t n,
                         heapev_etl_status last)
{
    heapev_etl_item it;
    for (size_t i = 0; i < n; i++) {
        const want_item *w = &want[i];
        if (heapev_etl_next(r, &it) != HEAPEV_ETL_OK)
            fail_msg("item %zu: reader ended, want kind %d @%llu", i, (int)w->kind,
                     (unsigned long long)w->offset);
        if (it.kind != w->kind || it.buffer != w->buffer || it.offset != w->offset ||
            it.findings != w->findings)
            fail_msg("item %zu: kind %d buffer %llu @%llu findings %#llx, "
                     "want kind %d buffer %llu @%llu findings %#llx",
                     i, (int)it.kind, (unsigned long long)it.buffer,
                     (unsigned long long)it.offset, (unsigned long long)it.findings, (int)w->kind,
                     (unsigned long long)w->buffer, (unsigned long long)w->offset,
                     (unsigned long long)w->findings);
        if (w->kind == SK) {
            assert_int_equal(it.skipped.size, w->size);
            assert_int_equal(it.skipped.header_type, w->header_type);
            assert_int_equal(it.skipped.flags, w->flags);
            assert_int_equal(it.skipped.has_hook_id, 0);
            assert_int_equal(it.skipped.hook_id, 0);
        }
        if (w->kind == EV) {
            assert_int_equal(it.event.header.size, w->size);
            assert_int_equal(it.event.header.header_type, w->header_type);
            assert_int_equal(it.event.findings, w->findings);
        }
    }
    assert_int_equal(heapev_etl_next(r, &it), last);
    assert_int_equal(heapev_etl_next(r, &it), last);
}

static void expect_image(const uint8_t *data, size_t len, const heapev_etl_read_options *o,
                          const want_item *want, size_t n)
{
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, o, data, len);
    expect_items(&r, want, n, HEAPEV_ETL_END);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the stdio source, asked directly ---------------------------------- */

/* A 100-byte temporary file whose byte i is i. */
static FILE *counting_file(void)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    for (int i = 0; i < 100; i++)
        assert_int_equal(fputc(i, f), i);
    rewind(f);
    return f;
}

static void test_stdio_fetch_offsets(void **state)
{
    (void)state;
    FILE *f = counting_file();
    uint8_t mem[16];
    heapev_etl_stdio s = {f, mem, sizeof mem, 0, 0, 0};
    size_t got = 99;
    const uint8_t *p = heapev_etl_stdio_fetch(&s, 0, 10, &got);
    assert_non_null(p);
    assert_int_equal(got, 10);
    assert_int_equal(p[0], 0);
    assert_int_equal(p[9], 9);
    /* The same offset again, fewer bytes: served from what is held. */
    p = heapev_etl_stdio_fetch(&s, 0, 5, &got);
    assert_int_equal(got, 5);
    assert_int_equal(p[4], 4);
    /* A gap of 30 bytes with 16 bytes of memory: skipped in two reads (16 + 14). */
    p = heapev_etl_stdio_fetch(&s, 40, 10, &got);
    assert_non_null(p);
    assert_int_equal(got, 10);
    assert_int_equal(p[0], 40);
    assert_int_equal(p[9], 49);
    assert_int_equal(s.error, 0);
    /* Inside the bytes already returned (40..49), and before them: EINVAL. */
    got = 99;
    assert_null(heapev_etl_stdio_fetch(&s, 45, 4, &got));
    assert_int_equal(got, 0);
    assert_int_equal(s.error, EINVAL);
    s.error = 0;
    assert_null(heapev_etl_stdio_fetch(&s, 20, 4, &got));
    assert_int_equal(s.error, EINVAL);
    s.error = 0;
    /* Right after them: nothing to skip. */
    p = heapev_etl_stdio_fetch(&s, 50, 16, &got);
    assert_int_equal(got, 16);
    assert_int_equal(p[0], 50);
    assert_int_equal(p[15], 65);
    /* More than the memory: EOVERFLOW. */
    assert_null(heapev_etl_stdio_fetch(&s, 66, 17, &got));
    assert_int_equal(s.error, EOVERFLOW);
    s.error = 0;
    /* Skip 30 (66..95), then only 4 of 8 bytes before the end. */
    p = heapev_etl_stdio_fetch(&s, 96, 8, &got);
    assert_int_equal(got, 4);
    assert_int_equal(p[0], 96);
    assert_int_equal(p[3], 99);
    /* Past the end: no bytes, no error. */
    got = 99;
    assert_non_null(heapev_etl_stdio_fetch(&s, 200, 8, &got));
    assert_int_equal(got, 0);
    assert_int_equal(s.error, 0);
    fclose(f);
}

/* A stream whose reads fail (a directory opened for reading): EIO, skipping or reading. */
static void test_stdio_read_error(void **state)
{
    (void)state;
    uint8_t mem[16];
    FILE *d = fopen("/", "r");
    if (d == NULL)
        skip();
    heapev_etl_stdio s = {d, mem, sizeof mem, 0, 0, 0};
    size_t got = 99;
    assert_null(heapev_etl_stdio_fetch(&s, 8, 8, &got)); /* fails in the skip of 8 bytes */
    assert_int_equal(got, 0);
    assert_int_equal(s.error, EIO);
    fclose(d);

    d = fopen("/", "r");
    assert_non_null(d);
    uint8_t mem72[72]; /* the reader's first request: the 72-byte buffer header */
    s = (heapev_etl_stdio){d, mem72, sizeof mem72, 0, 0, 0};
    heapev_etl_reader r;
    heapev_etl_reader_init(&r, NULL, heapev_etl_stdio_fetch, &s);
    expect_items(&r, NULL, 0, HEAPEV_ETL_IO_ERROR);
    assert_int_equal(s.error, EIO);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 0);
    fclose(d);
}

/* ---- fetch functions that fail or over-report ---------------------------- */

typedef struct fake_source {
    const uint8_t *data;
    size_t len;
    int fail_at; /* the call (from 0) that fails, and every later one; < 0 never */
    int calls;
    size_t extra;    /* added to got inside the file (data has that many bytes beyond len) */
    int got_on_fail; /* a failing call still sets *got to len */
} fake_source;

static const uint8_t *fake_fetch(void *ctx, uint64_t offset, size_t len, size_t *got)
{
    fake_source *s = ctx;
    *got = 0;
    if (s->fail_at >= 0 && s->calls++ >= s->fail_at) {
        if (s->got_on_fail)
            *got = len;
        return NULL;
    }
    if (offset >= s->len)
        return s->data;
    size_t left = s->len - (size_t)offset;
    *got = (len < left ? len : left) + s->extra;
    return s->data + offset;
}

static void test_fetch_io_errors(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    assert_int_equal(h_add(&f, 0, rec, alloc64(rec, 0x10000, 0x20000)), 392);
    assert_int_equal(h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20010)), 584);
    heapev_etl_reader r;

    /* Calls: 0 = buffer header (72), 1 = buffer 0 (512), 2 = buffer 1 (512). */
    const want_item two[] = {{EV, 0, 392, 0, 60, 2, 0}, {EV, 1, 584, 0, 60, 2, 0}};
    fake_source ok = {f.data, f.len, -1, 0, 0, 0};
    heapev_etl_reader_init(&r, NULL, fake_fetch, &ok);
    expect_items(&r, two, 2, HEAPEV_ETL_END);

    fake_source s1 = {f.data, f.len, 1, 0, 0, 0};
    heapev_etl_reader_init(&r, NULL, fake_fetch, &s1);
    expect_items(&r, NULL, 0, HEAPEV_ETL_IO_ERROR);

    /* Fails at buffer 1: buffer 0's event first. */
    fake_source s2 = {f.data, f.len, 2, 0, 0, 0};
    heapev_etl_reader_init(&r, NULL, fake_fetch, &s2);
    expect_items(&r, two, 1, HEAPEV_ETL_IO_ERROR);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 1);
    assert_int_equal(heapev_etl_reader_stats(&r)->events, 1);

    /* NULL is an I/O error whatever *got says (here: all bytes asked for). */
    for (int at = 0; at <= 2; at++) {
        fake_source sg = {f.data, f.len, at, 0, 0, 1};
        heapev_etl_reader_init(&r, NULL, fake_fetch, &sg);
        expect_items(&r, two, at == 2 ? 1 : 0, HEAPEV_ETL_IO_ERROR);
    }

    /* BufferSize 0 in buffer 0: call 1 is the 108-byte probe for the logfile's BufferSize. */
    t_put(f.data, 0, 4);
    fake_source s3 = {f.data, f.len, 1, 0, 0, 0};
    heapev_etl_reader_init(&r, NULL, fake_fetch, &s3);
    expect_items(&r, NULL, 0, HEAPEV_ETL_IO_ERROR);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), 0);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 0);
    /* The same without the failure: the stride comes from the logfile header. */
    const want_item fallback[] = {{CO, 0, 0, FB(ETL_BUFFER_SIZE_INVALID), 0, 0, 0},
                                  {EV, 0, 392, 0, 60, 2, 0},
                                  {EV, 1, 584, 0, 60, 2, 0}};
    fake_source s4 = {f.data, f.len, -1, 0, 0, 0};
    heapev_etl_reader_init(&r, NULL, fake_fetch, &s4);
    expect_items(&r, fallback, N(fallback), HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), BS);
}

/* A fetch that says it returned more than was asked: the reader reads only what it asked for. */
static void test_fetch_overreports(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000));
    const want_item one[] = {{EV, 1, 584, 0, 60, 2, 0}};
    /* f.data holds MAXBUF buffers: 64 bytes beyond the file's 1024 are readable. */
    fake_source s = {f.data, f.len, -1, 0, 64, 0};
    heapev_etl_reader r;
    heapev_etl_reader_init(&r, NULL, fake_fetch, &s);
    expect_items(&r, one, 1, HEAPEV_ETL_END);
    const heapev_etl_stats *st = heapev_etl_reader_stats(&r);
    assert_int_equal(st->buffers, 2); /* not a truncated third buffer */
    assert_int_equal(st->container_items, 0);
}

/* ---- memory images and options ----------------------------------------- */

static void test_null_image(void **state)
{
    (void)state;
    const want_item none[] = {{CO, 0, 0, FB(ETL_NO_LOGFILE_HEADER), 0, 0, 0}};
    expect_image(NULL, 0, NULL, none, 1);
    expect_image(NULL, 100, NULL, none, 1); /* no data: the length is not used */
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, NULL, 100);
    heapev_etl_item it;
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 0);
    assert_int_equal(heapev_etl_reader_stats(&r)->findings, 1);
    assert_int_equal(heapev_etl_reader_logfile(&r)->present, 0);
}

/* Limits: all zero means the defaults; otherwise both are taken as given, even a zero one. */
static void test_limits_option(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    /* HeapHandle 0x8000, Size 32, Address 0x20000 (16-aligned), Source 3, in both widths. */
    assert_int_equal(h_add(&f, 1, rec, alloc64(rec, 0x8000, 0x20000)), 584);
    assert_int_equal(h_add(&f, 1, rec, alloc32(rec, 0x8000, 0x20000)), 648);

    const want_item defaults[] = {{EV, 1, 584, 0, 60, 2, 0},
                                  {EV, 1, 648, FB(ETL_POINTER_SIZE_MISMATCH), 48, 1, 0}};
    expect_image(f.data, f.len, NULL, defaults, 2);

    heapev_etl_read_options o = {.limits = {0, 0x10000}};
    const want_item only64[] = {
        {EV, 1, 584, FB(ADDRESS_KERNEL_RANGE), 60, 2, 0},
        {EV, 1, 648,
         FB(ETL_POINTER_SIZE_MISMATCH) | FB(ADDRESS_KERNEL_RANGE) | FB(HEAP_HANDLE_KERNEL_RANGE) |
             FB(SIZE_IMPLAUSIBLE),
         48, 1, 0}};
    expect_image(f.data, f.len, &o, only64, 2);

    o = (heapev_etl_read_options){.limits = {0x10000, 0}};
    const want_item only32[] = {
        {EV, 1, 584,
         FB(ADDRESS_KERNEL_RANGE) | FB(HEAP_HANDLE_KERNEL_RANGE) | FB(SIZE_IMPLAUSIBLE), 60, 2, 0},
        {EV, 1, 648, FB(ETL_POINTER_SIZE_MISMATCH) | FB(ADDRESS_KERNEL_RANGE), 48, 1, 0}};
    expect_image(f.data, f.len, &o, only32, 2);
}

/* max_buffer_size above 16 MiB is lowered to 16 MiB. */
static void test_max_buffer_size_capped(void **state)
{
    (void)state;
    uint8_t b[128];
    memset(b, 0xFF, sizeof b);
    put_buffer_header(b, 0x01000008, 72); /* 16 MiB + 8 */
    heapev_etl_read_options o = {.max_buffer_size = 0x02000000};
    const want_item invalid[] = {{CO, 0, 0, FB(ETL_BUFFER_SIZE_INVALID), 0, 0, 0}};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, b, sizeof b);
    expect_items(&r, invalid, 1, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), 0);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 1);

    /* Exactly 16 MiB is accepted: a 128-byte file of it is truncated, no logfile header. */
    put_buffer_header(b, 0x01000000, 72);
    const want_item big[] = {{CO, 0, 0, FB(ETL_TRUNCATED_FILE), 0, 0, 0},
                             {CO, 0, 72, FB(ETL_NO_LOGFILE_HEADER), 0, 0, 0}};
    heapev_etl_reader_init_memory(&r, &o, b, sizeof b);
    expect_items(&r, big, 2, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), 0x01000000);
}

/* BufferSize 64: a multiple of 8 but smaller than the 72-byte buffer header. */
static void test_buffer_size_below_header(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000));
    t_put(f.data, 64, 4);
    const want_item from_logfile[] = {{CO, 0, 0, FB(ETL_BUFFER_SIZE_INVALID), 0, 0, 0},
                                      {EV, 1, 584, 0, 60, 2, 0}};
    expect_image(f.data, f.len, NULL, from_logfile, 2);
    t_put(f.data + 72 + 32, 64, 4); /* the logfile's BufferSize too: no stride */
    const want_item none[] = {{CO, 0, 0, FB(ETL_BUFFER_SIZE_INVALID), 0, 0, 0}};
    expect_image(f.data, f.len, NULL, none, 1);
}

/* ---- records ----------------------------------------------------------- */

/* A last buffer cut inside its header: its records end where the file does, not at +72. */
static void test_records_end_of_short_buffer(void **state)
{
    (void)state;
    static hfile f;
    h_file(&f, 2, 8);
    f.len = BS + 40; /* 40 of buffer 1's 72 header bytes */
    const want_item want[] = {
        {RE, 0, 392, 0, 0, 0, 0},
        {CO, 1, 512, FB(ETL_TRUNCATED_FILE), 0, 0, 0},
        {RE, 1, 552, 0, 0, 0, 0}, /* the end of the file, not 512 + 72 */
    };
    heapev_etl_read_options o = {.report_skipped = 1};
    expect_image(f.data, f.len, &o, want, N(want));
}

/* FULL_HEADER32 (type 10) and FULL_HEADER64 (type 20): Size at offset 0, 48-byte header. */
static void test_full_header_records(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    memset(rec, 0x33, sizeof rec);
    t_put(rec, 48, 2), rec[2] = 10, rec[3] = 0xC0;
    assert_int_equal(h_add(&f, 1, rec, 48), 584);
    t_put(rec, 52, 2), rec[2] = 20;
    assert_int_equal(h_add(&f, 1, rec, 52), 632);
    uint8_t a[64];
    assert_int_equal(h_add(&f, 1, a, alloc64(a, 0x10000, 0x20000)), 688);
    t_put(rec, 47, 2), rec[2] = 10; /* one byte short of its header */
    assert_int_equal(h_add(&f, 1, rec, 48), 752);
    assert_int_equal(f.saved[1], 288);
    const want_item want[] = {
        {RE, 0, 392, 0, 0, 0, 0},
        {CO, 1, 584, FB(ETL_POINTER_SIZE_MISMATCH), 0, 0, 0}, /* 32-bit header, PointerSize 8 */
        {SK, 1, 584, 0, 48, 10, 0xC0},
        {SK, 1, 632, 0, 52, 20, 0xC0},
        {EV, 1, 688, 0, 60, 2, 0},
        {CO, 1, 752, FB(ETL_RECORD_SIZE_INVALID), 0, 0, 0},
        {RE, 1, 512 + 288, 0, 0, 0, 0},
    };
    heapev_etl_read_options o = {.report_skipped = 1};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, f.data, f.len);
    expect_items(&r, want, N(want), HEAPEV_ETL_END);
    const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
    assert_int_equal(s->skipped, 2);
    assert_int_equal(s->events, 1);
    assert_int_equal(s->container_items, 2);
    assert_int_equal(s->findings, 2);
}

/*
 * Buffer 1: a Free record of Size 36 at 584 (buffer offset 72) ends at 108;
 * the next record, at 112, has flags 0x00. At 108 sits a SYSTEM64 marker
 * whose Size (bytes 112..113) is @p size; SavedOffset is 200, so a record at
 * 108 may be 32..92 bytes. Misaligned only when that record could be stepped
 * over.
 */
static void check_misaligned_candidate(uint16_t size, heapev_findings expect)
{
    static hfile f;
    uint8_t rec[128];
    h_file(&f, 2, 8);
    memset(rec, 0, sizeof rec);
    t_header(rec, 2, 2, 0xC0, 36, 0x1024);
    t_put(rec + 36, 0xC0020002, 4); /* Version 2, SYSTEM64, flags 0xC0 at 108 */
    t_put(rec + 40, size, 2);       /* its Size = bytes 0..1 of the marker at 112 */
    assert_int_equal(h_add(&f, 1, rec, 128), 584);
    assert_int_equal(f.saved[1], 200);
    const want_item want[] = {{CO, 1, 512 + 112, expect, 0, 0, 0}};
    expect_image(f.data, f.len, NULL, want, 1);
}

static void test_misaligned_needs_steppable_record(void **state)
{
    (void)state;
    check_misaligned_candidate(32, FB(ETL_RECORD_MISALIGNED));
    check_misaligned_candidate(92, FB(ETL_RECORD_MISALIGNED));
    check_misaligned_candidate(31, FB(ETL_HEADER_TYPE_UNSUPPORTED)); /* below its header */
    check_misaligned_candidate(93, FB(ETL_HEADER_TYPE_UNSUPPORTED)); /* past SavedOffset */
}

/* ---- the logfile header ------------------------------------------------ */

/* Size 16, below the 32-byte header: not a logfile header; buffer 0's records not read. */
static void test_logfile_size_below_header(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    h_add(&f, 0, rec, alloc64(rec, 0x10000, 0x20000)); /* at 392: not reached */
    h_add(&f, 1, rec, alloc32(rec, 0x10000, 0x20000));
    t_put(f.data + 72 + 4, 16, 2);
    /* PointerSize unknown: the SYSTEM32 event has no pointer size mismatch. */
    const want_item want[] = {
        {CO, 0, 72, FB(ETL_RECORD_SIZE_INVALID) | FB(ETL_NO_LOGFILE_HEADER), 0, 0, 0},
        {EV, 1, 584, 0, 48, 1, 0}};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, f.data, f.len);
    expect_items(&r, want, 2, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_logfile(&r)->present, 0);
    assert_int_equal(heapev_etl_reader_stats(&r)->events, 1);
}

/* Size 72: 40 payload bytes end before PointerSize (+0x2C..+0x2F): too short to read. */
static void test_logfile_short_before_pointer_size(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    t_put(f.data + 72 + 4, 72, 2);
    memset(f.data + 144, 0xFF, BS - 144);
    put_buffer_header(f.data, BS, 144);
    h_add(&f, 1, rec, alloc32(rec, 0x10000, 0x20000));
    const want_item want[] = {{CO, 0, 72, FB(ETL_LOGFILE_HEADER_SHORT), 0, 0, 0},
                              {EV, 1, 584, 0, 48, 1, 0}};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, f.data, f.len);
    expect_items(&r, want, 2, HEAPEV_ETL_END);
    /* Not present: BuffersWritten (2, right anyway) and PointerSize were not read. */
    const heapev_etl_logfile *lf = heapev_etl_reader_logfile(&r);
    assert_int_equal(lf->present, 0);
    assert_int_equal(lf->pointer_size, 0);
    assert_int_equal(lf->buffers_written, 0);
}

/* BufferSize 0 in buffer 0 and a logfile header whose BufferSize cannot be read. */
static void test_logfile_buffer_size_unreadable(void **state)
{
    (void)state;
    static hfile f;
    h_file(&f, 2, 8);
    t_put(f.data, 0, 4);
    const want_item none[] = {{CO, 0, 0, FB(ETL_BUFFER_SIZE_INVALID), 0, 0, 0}};
    /* Size 35: the u32 BufferSize at +32 would cross the record's end. */
    t_put(f.data + 72 + 4, 35, 2);
    expect_image(f.data, f.len, NULL, none, 1);
    t_put(f.data + 72 + 4, 36, 2); /* Size 36 holds it: stride 512 */
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, f.data, f.len);
    heapev_etl_item it;
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), BS);

    /* A 100-byte file: the header is there (96 bytes), BufferSize (104..107) is not. */
    uint8_t *cut = malloc(108);
    assert_non_null(cut);
    memcpy(cut, f.data, 108);
    t_put(cut + 72 + 4, 320, 2);
    expect_image(cut, 100, NULL, none, 1);
    /* 108 bytes: it is, and the one buffer is truncated at 108. */
    heapev_etl_reader_init_memory(&r, NULL, cut, 108);
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), BS);
    assert_int_equal(it.offset, 0);
    assert_int_equal(it.findings, FB(ETL_TRUNCATED_FILE) | FB(ETL_BUFFER_SIZE_INVALID));
    free(cut);
}

/* ---- the writer -------------------------------------------------------- */

typedef struct sink_file {
    uint8_t *data;
    size_t len;
    int fail; /* nonzero: the sink fails */
} sink_file;

static int test_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    sink_file *s = ctx;
    if (s->fail)
        return -1;
    if (offset + len > s->len) {
        uint8_t *p = realloc(s->data, (size_t)offset + len);
        if (p == NULL)
            return -1;
        s->data = p;
        s->len = (size_t)offset + len;
    }
    memcpy(s->data + offset, data, len);
    return 0;
}

static unsigned get16(const uint8_t *p)
{
    return p[0] | (unsigned)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* Options NULL: 64 KiB buffers, PointerSize 8, one processor, names "heapev" and "heapev.etl". */
static void test_writer_defaults(void **state)
{
    (void)state;
    static uint8_t buf[65536];
    sink_file out = {NULL, 0, 0};
    heapev_etl_writer w;
    assert_int_equal(heapev_etl_writer_init(&w, NULL, buf, sizeof buf, test_sink, &out),
                     HEAPEV_ETL_WRITE_OK);
    assert_int_equal(heapev_etl_writer_finish(&w, 0), HEAPEV_ETL_WRITE_OK);
    assert_int_equal(out.len, 65536);
    const uint8_t *b = out.data, *lf = out.data + 72 + 32;
    /* Record: 32 + 0x118 + 2 * 7 ("heapev") + 2 * 11 ("heapev.etl") = 348. */
    assert_int_equal(get32(b + 0x00), 65536);
    assert_int_equal(get32(b + 0x04), 72 + 352);
    assert_int_equal(get16(b + 0x36), 4);
    assert_int_equal(b[72 + 2], 2);
    assert_int_equal(get16(b + 72 + 4), 348);
    assert_int_equal(get16(b + 72 + 6), 0);
    assert_int_equal(get32(lf + 0x00), 65536);
    assert_int_equal(get32(lf + 0x0C), 1);
    assert_int_equal(get32(lf + 0x24), 1);
    assert_int_equal(get32(lf + 0x2C), 8);
    assert_int_equal(get32(lf + 0x100), 10000000); /* PerfFreq */
    assert_int_equal(get32(lf + 0x110), 1);        /* ReservedFlags: ClockType 1 */
    const char *names = "heapev\0heapev.etl";
    for (size_t i = 0; i < 18; i++)
        assert_int_equal(get16(lf + 0x118 + 2 * i), (unsigned char)names[i]);
    free(out.data);
}

/* Names above 255 characters are cut to 255; NumberOfProcessors as given. */
static void test_writer_long_name(void **state)
{
    (void)state;
    static uint8_t buf[2048];
    char name[301];
    memset(name, 'x', 300);
    name[300] = '\0';
    sink_file out = {NULL, 0, 0};
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.buffer_size = 2048, .pointer_size = 4,
                                   .number_of_processors = 6, .logger_name = name,
                                   .logfile_name = "f"};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out),
                     HEAPEV_ETL_WRITE_OK);
    assert_int_equal(heapev_etl_writer_finish(&w, 0), HEAPEV_ETL_WRITE_OK);
    const uint8_t *b = out.data, *lf = out.data + 72 + 32;
    /* 32 + 0x110 + 2 * (255 + 1) + 2 * (1 + 1) = 820 */
    assert_int_equal(get16(b + 72 + 4), 820);
    assert_int_equal(b[72 + 2], 1);
    assert_int_equal(get32(lf + 0x0C), 6);
    assert_int_equal(get32(lf + 0x2C), 4);
    for (size_t i = 0; i < 255; i++)
        assert_int_equal(get16(lf + 0x110 + 2 * i), 'x');
    assert_int_equal(get16(lf + 0x110 + 510), 0);
    assert_int_equal(get16(lf + 0x110 + 512), 'f');
    assert_int_equal(get16(lf + 0x110 + 514), 0);
    assert_int_equal(get32(b + 0x04), 72 + 824);
    free(out.data);
}

static void test_writer_limits(void **state)
{
    (void)state;
    uint8_t *big = malloc(0x01000008);
    assert_non_null(big);
    sink_file out = {NULL, 0, 0};
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.buffer_size = 0x01000008}; /* above 16 MiB */
    assert_int_equal(heapev_etl_writer_init(&w, &o, big, 0x01000008, test_sink, &out),
                     HEAPEV_ETL_WRITE_INVALID);
    o.buffer_size = 0x01000000;
    assert_int_equal(heapev_etl_writer_init(&w, &o, big, 0x01000008, test_sink, &out),
                     HEAPEV_ETL_WRITE_OK);
    assert_int_equal(big[0x00FFFFFF], 0xFF); /* filled */
    free(big);

    /* No sink. */
    static uint8_t buf[1024];
    o.buffer_size = 1024;
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, NULL, &out),
                     HEAPEV_ETL_WRITE_INVALID);
    /* Events after finish, or after a sink failure, are refused. */
    heapev_event e;
    memset(&e, 0, sizeof e);
    e.header = (heapev_record_header){2, 2, 0xC0, 60, 0x1021, 1, 2, 3, 0, 0};
    e.pointer_width = 8, e.heap_handle = 0x10000, e.size = 32, e.address = 0x20000, e.source = 3;
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out), 0);
    assert_int_equal(heapev_etl_writer_add_event(&w, &e, NULL), HEAPEV_ETL_WRITE_OK);
    assert_int_equal(heapev_etl_writer_finish(&w, 0), HEAPEV_ETL_WRITE_OK);
    assert_int_equal(heapev_etl_writer_add_event(&w, &e, NULL), HEAPEV_ETL_WRITE_STATE);
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out), 0);
    out.fail = 1;
    assert_int_equal(heapev_etl_writer_add_event(&w, &e, NULL), HEAPEV_ETL_WRITE_OK);
    assert_int_equal(heapev_etl_writer_flush(&w), HEAPEV_ETL_WRITE_SINK);
    assert_int_equal(heapev_etl_writer_add_event(&w, &e, NULL), HEAPEV_ETL_WRITE_STATE);
    free(out.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdio_fetch_offsets),
        cmocka_unit_test(test_stdio_read_error),
        cmocka_unit_test(test_fetch_io_errors),
        cmocka_unit_test(test_fetch_overreports),
        cmocka_unit_test(test_null_image),
        cmocka_unit_test(test_limits_option),
        cmocka_unit_test(test_max_buffer_size_capped),
        cmocka_unit_test(test_buffer_size_below_header),
        cmocka_unit_test(test_records_end_of_short_buffer),
        cmocka_unit_test(test_full_header_records),
        cmocka_unit_test(test_misaligned_needs_steppable_record),
        cmocka_unit_test(test_logfile_size_below_header),
        cmocka_unit_test(test_logfile_short_before_pointer_size),
        cmocka_unit_test(test_logfile_buffer_size_unreadable),
        cmocka_unit_test(test_writer_defaults),
        cmocka_unit_test(test_writer_long_name),
        cmocka_unit_test(test_writer_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
