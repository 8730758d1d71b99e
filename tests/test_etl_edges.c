/*
 * test_etl_edges.c - the edges of the ETL reader and writer that whole
 * traces rarely reach: the stdio source asked directly (skips larger than
 * its memory, offsets already consumed, read errors and their errno), fetch
 * functions that fail (NULL is an I/O error whatever *got says) or
 * over-report, reader options (limits and the WOW64 limit, max_buffer_size,
 * scratch memory), buffer sizes below the buffer header, FULL_HEADER32/64
 * records, misaligned-record candidates that cannot be stepped over, logfile
 * headers too short for their own header or for PointerSize; what Windows
 * really writes (SPEC §4): SavedOffset in header and data buffers, 32-bit
 * records in 64-bit traces, unfinished logs, compressed traces (buffers
 * chained by their own BufferSize, LZXpress records decompressed into
 * scratch memory) and every finding about them; reads that must stay inside
 * the image and the scratch memory (guard pages); and the writer's Windows
 * 10/11 and Windows 7 header buffers, defaults and limits. Files are built by
 * hand with testlib.h at SPEC §4 offsets; every expected offset, size and
 * finding is a number written here.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heapev/etl.h"
#include "testlib.h"


#define EV HEAPEV_ETL_ITEM_EVENT
#define CO HEAPEV_ETL_ITEM_CONTAINER
#define SK HEAPEV_ETL_ITEM_SKIPPED
#define RE HEAPEV_ETL_ITEM_RECORDS_END

/* ---- hand-built files -------------------------------------------------- */

enum { BS = 512, MAXBUF = 4 };

/* A file of up to MAXBUF 512-byte buffers, and the end of each buffer's records (Offset). */
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

/* Store @p len bytes at buffer @p b's Offset, move it on (8-aligned). Returns the offset. */
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
    uint16_t hook; /* SKIPPED: its HookId (SYSTEM, COMPACT and PERFINFO headers only) */
} want_item;

/* HeaderTypes whose records carry a HookId: SYSTEM, COMPACT and PERFINFO. */
static int has_hook(uint8_t header_type, uint8_t flags)
{
    return flags == 0xC0 && ((header_type >= 1 && header_type <= 4) || header_type == 16 ||
                             header_type == 17);
}

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
            assert_int_equal(it.skipped.has_hook_id, has_hook(w->header_type, w->flags));
            assert_int_equal(it.skipped.hook_id, w->hook);
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

/*
 * A stream whose reads fail (a directory opened for reading): the real errno,
 * EISDIR (read(2) on a directory), skipping or reading.
 */
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
    assert_int_equal(s.error, EISDIR);
    fclose(d);

    d = fopen("/", "r");
    assert_non_null(d);
    uint8_t mem72[72]; /* the reader's first request: the 72-byte buffer header */
    s = (heapev_etl_stdio){d, mem72, sizeof mem72, 0, 0, 0};
    heapev_etl_reader r;
    heapev_etl_reader_init(&r, NULL, heapev_etl_stdio_fetch, &s);
    expect_items(&r, NULL, 0, HEAPEV_ETL_IO_ERROR);
    assert_int_equal(s.error, EISDIR);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 0);
    fclose(d);
}

/* A cookie stream (glibc fopencookie) whose reads fail, leaving errno at *cookie. */
static ssize_t failing_read(void *cookie, char *buf, size_t size)
{
    (void)buf;
    (void)size;
    errno = *(const int *)cookie;
    return -1;
}

static FILE *failing_stream(int *err)
{
    cookie_io_functions_t io = {.read = failing_read};
    FILE *f = fopencookie(err, "r", io);
    assert_non_null(f);
    return f;
}

/*
 * Whatever errno the failed read left is reported (here ETIMEDOUT, which no
 * file read gives); a failure that left errno 0 (only ferror() tells) is EIO.
 */
static void test_stdio_errno_passed_on(void **state)
{
    (void)state;
    static const int errs[] = {ETIMEDOUT, 0};
    static const int want[] = {ETIMEDOUT, EIO};
    for (size_t k = 0; k < 2; k++) {
        int err = errs[k];
        uint8_t mem[16];
        size_t got = 99;
        FILE *f = failing_stream(&err);
        heapev_etl_stdio s = {f, mem, sizeof mem, 0, 0, 0};
        assert_null(heapev_etl_stdio_fetch(&s, 0, 8, &got)); /* reading */
        assert_int_equal(got, 0);
        assert_int_equal(s.error, want[k]);
        fclose(f);

        f = failing_stream(&err);
        s = (heapev_etl_stdio){f, mem, sizeof mem, 0, 0, 0};
        got = 99;
        assert_null(heapev_etl_stdio_fetch(&s, 40, 8, &got)); /* skipping 40 bytes */
        assert_int_equal(got, 0);
        assert_int_equal(s.error, want[k]);
        fclose(f);
    }
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
    const want_item two[] = {{EV, 0, 392, 0, 60, 2, 0, 0}, {EV, 1, 584, 0, 60, 2, 0, 0}};
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
    const want_item fallback[] = {{CO, 0, 0, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0, 0, 0},
                                  {EV, 0, 392, 0, 60, 2, 0, 0},
                                  {EV, 1, 584, 0, 60, 2, 0, 0}};
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
    const want_item one[] = {{EV, 1, 584, 0, 60, 2, 0, 0}};
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
    const want_item none[] = {{CO, 0, 0, HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER), 0, 0, 0, 0}};
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
    /* HeapHandle 0x10000, Size 32, Address 0x20000 (16-aligned), Source 3, in both widths. */
    assert_int_equal(h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000)), 584);
    assert_int_equal(h_add(&f, 1, rec, alloc32(rec, 0x10000, 0x20000)), 648);

    /* The SYSTEM32 record of a PointerSize-8 trace is a WOW64 process's: no finding. */
    const want_item defaults[] = {{EV, 1, 584, 0, 60, 2, 0, 0}, {EV, 1, 648, 0, 48, 1, 0, 0}};
    expect_image(f.data, f.len, NULL, defaults, 2);

    /* user_max_64 0x10000; user_max_32 0 taken as given, but WOW64 records use user_max_wow64. */
    heapev_etl_read_options o = {.limits = {0, 0x10000, 0}};
    const want_item only64[] = {{EV, 1, 584, HEAPEV_FINDING(ADDRESS_KERNEL_RANGE), 60, 2, 0, 0},
                                {EV, 1, 648, 0, 48, 1, 0, 0}};
    expect_image(f.data, f.len, &o, only64, 2);

    o = (heapev_etl_read_options){.limits = {0x10000, 0, 0}};
    const want_item only32[] = {
        {EV, 1, 584,
         HEAPEV_FINDING(ADDRESS_KERNEL_RANGE) | HEAPEV_FINDING(HEAP_HANDLE_KERNEL_RANGE) | HEAPEV_FINDING(SIZE_IMPLAUSIBLE), 60, 2, 0, 0},
        {EV, 1, 648, 0, 48, 1, 0, 0}};
    expect_image(f.data, f.len, &o, only32, 2);

    /* The WOW64 limit with the others given (the WOW64 limit alone: test_wow64_limit_alone). */
    o = (heapev_etl_read_options){.limits = {0x7FFEFFFF, 0x00007FFFFFFEFFFFull, 0x10000}};
    const want_item wow[] = {{EV, 1, 584, 0, 60, 2, 0, 0},
                             {EV, 1, 648, HEAPEV_FINDING(ADDRESS_KERNEL_RANGE), 48, 1, 0, 0}};
    expect_image(f.data, f.len, &o, wow, 2);

    /* PointerSize 4: the same SYSTEM32 record is checked against user_max_32, not the WOW64 limit. */
    t_put(f.data + 72 + 32 + 0x2C, 4, 4);
    o = (heapev_etl_read_options){.limits = {0x10000, 0, 0xFFFFFFFF}};
    const want_item ps4[] = {
        {EV, 1, 584,
         HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH) | HEAPEV_FINDING(ADDRESS_KERNEL_RANGE) | HEAPEV_FINDING(HEAP_HANDLE_KERNEL_RANGE) |
             HEAPEV_FINDING(SIZE_IMPLAUSIBLE),
         60, 2, 0, 0},
        {EV, 1, 648, HEAPEV_FINDING(ADDRESS_KERNEL_RANGE), 48, 1, 0, 0}};
    /* (the logfile header is a SYSTEM64 record: a 64-bit header in a PointerSize-4 trace) */
    const want_item ps4_all[] = {{CO, 0, 72, HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH), 0, 0, 0, 0}, ps4[0], ps4[1]};
    expect_image(f.data, f.len, &o, ps4_all, 3);
}

/* max_buffer_size above 16 MiB is lowered to 16 MiB. */
static void test_max_buffer_size_capped(void **state)
{
    (void)state;
    uint8_t b[128];
    memset(b, 0xFF, sizeof b);
    put_buffer_header(b, 0x01000008, 72); /* 16 MiB + 8 */
    heapev_etl_read_options o = {.max_buffer_size = 0x02000000};
    const want_item invalid[] = {{CO, 0, 0, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0, 0, 0}};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, b, sizeof b);
    expect_items(&r, invalid, 1, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), 0);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 1);

    /* Exactly 16 MiB is accepted: a 128-byte file of it is truncated, no logfile header. */
    put_buffer_header(b, 0x01000000, 72);
    const want_item big[] = {{CO, 0, 0, HEAPEV_FINDING(ETL_TRUNCATED_FILE), 0, 0, 0, 0},
                             {CO, 0, 72, HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER), 0, 0, 0, 0}};
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
    const want_item from_logfile[] = {{CO, 0, 0, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0, 0, 0},
                                      {EV, 1, 584, 0, 60, 2, 0, 0}};
    expect_image(f.data, f.len, NULL, from_logfile, 2);
    t_put(f.data + 72 + 32, 64, 4); /* the logfile's BufferSize too: no stride */
    const want_item none[] = {{CO, 0, 0, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0, 0, 0}};
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
        {RE, 0, 392, 0, 0, 0, 0, 0},
        {CO, 1, 512, HEAPEV_FINDING(ETL_TRUNCATED_FILE), 0, 0, 0, 0},
        {RE, 1, 552, 0, 0, 0, 0, 0}, /* the end of the file, not 512 + 72 */
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
        {RE, 0, 392, 0, 0, 0, 0, 0},
        {SK, 1, 584, 0, 48, 10, 0xC0, 0}, /* a 32-bit header in a PointerSize-8 trace: no finding */
        {SK, 1, 632, 0, 52, 20, 0xC0, 0},
        {EV, 1, 688, 0, 60, 2, 0, 0},
        {CO, 1, 752, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), 0, 0, 0, 0},
        {RE, 1, 512 + 288, 0, 0, 0, 0, 0},
    };
    heapev_etl_read_options o = {.report_skipped = 1};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, f.data, f.len);
    expect_items(&r, want, N(want), HEAPEV_ETL_END);
    const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
    assert_int_equal(s->skipped, 2);
    assert_int_equal(s->events, 1);
    assert_int_equal(s->container_items, 1);
    assert_int_equal(s->findings, 1);

    /* PointerSize 4: FULL_HEADER64 is a 64-bit header there, FULL_HEADER32 is not. */
    t_put(f.data + 72 + 32 + 0x2C, 4, 4);
    const want_item ps4[] = {
        {CO, 0, 72, HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH), 0, 0, 0, 0}, /* the SYSTEM64 logfile header */
        {RE, 0, 392, 0, 0, 0, 0, 0},
        {SK, 1, 584, 0, 48, 10, 0xC0, 0},
        {CO, 1, 632, HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH), 0, 0, 0, 0},
        {SK, 1, 632, 0, 52, 20, 0xC0, 0},
        {EV, 1, 688, HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH), 60, 2, 0, 0},
        {CO, 1, 752, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), 0, 0, 0, 0},
        {RE, 1, 512 + 288, 0, 0, 0, 0, 0},
    };
    heapev_etl_reader_init_memory(&r, &o, f.data, f.len);
    expect_items(&r, ps4, N(ps4), HEAPEV_ETL_END);
}

/*
 * Buffer 1: a Free record of Size 36 at 584 (buffer offset 72) ends at 108;
 * the next record, at 112, has flags 0x00. At 108 sits a SYSTEM64 marker
 * whose Size (bytes 112..113) is @p size; Offset (the end of the records)
 * is 200, so a record at 108 may be 32..92 bytes. Misaligned only when that record could be stepped
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
    const want_item want[] = {{CO, 1, 512 + 112, expect, 0, 0, 0, 0}};
    expect_image(f.data, f.len, NULL, want, 1);
}

static void test_misaligned_needs_steppable_record(void **state)
{
    (void)state;
    check_misaligned_candidate(32, HEAPEV_FINDING(ETL_RECORD_MISALIGNED));
    check_misaligned_candidate(92, HEAPEV_FINDING(ETL_RECORD_MISALIGNED));
    check_misaligned_candidate(31, HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED)); /* below its header */
    check_misaligned_candidate(93, HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED)); /* past Offset */
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
        {CO, 0, 72, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID) | HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER), 0, 0, 0, 0},
        {EV, 1, 584, 0, 48, 1, 0, 0}};
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
    const want_item want[] = {{CO, 0, 72, HEAPEV_FINDING(ETL_LOGFILE_HEADER_SHORT), 0, 0, 0, 0},
                              {EV, 1, 584, 0, 48, 1, 0, 0}};
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
    const want_item none[] = {{CO, 0, 0, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0, 0, 0}};
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
    assert_int_equal(it.findings, HEAPEV_FINDING(ETL_TRUNCATED_FILE) | HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID));
    free(cut);
}

/* ---- what Windows really writes: SavedOffset ------------------------------ */

/*
 * Buffer 0 as Windows 10/11 write it: the logfile header (72..391), a 0x0050
 * header-extension record (SYSTEM64, 40 bytes here: 392..431), then a heap
 * Alloc (432..491); Offset 496. SavedOffset @p saved: 0 (Windows 7), 432 (the
 * end of the 0x0050 record, Windows 10/11), 496 (= Offset) or beyond Offset.
 */
static void check_header_saved_offset(uint32_t saved, heapev_findings expect)
{
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 1, 8);
    memset(rec, 0, sizeof rec);
    t_header(rec, 2, 2, 0xC0, 40, 0x0050);
    assert_int_equal(h_add(&f, 0, rec, 40), 392);
    assert_int_equal(h_add(&f, 0, rec, alloc64(rec, 0x10000, 0x20000)), 432);
    assert_int_equal(f.saved[0], 496);
    t_put(f.data + 4, saved, 4);
    const want_item want[] = {
        {CO, 0, 0, expect, 0, 0, 0, 0},
        {SK, 0, 392, 0, 40, 2, 0xC0, 0x0050},
        {EV, 0, 432, 0, 60, 2, 0, 0},
        {RE, 0, 496, 0, 0, 0, 0, 0},
    };
    heapev_etl_read_options o = {.report_skipped = 1};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, f.data, f.len);
    expect_items(&r, expect ? want : want + 1, expect ? 4 : 3, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->findings, expect ? 1 : 0);
}

static void test_header_buffer_saved_offset(void **state)
{
    (void)state;
    check_header_saved_offset(0, 0);
    check_header_saved_offset(72, 0);
    check_header_saved_offset(432, 0);
    check_header_saved_offset(496, 0);
    check_header_saved_offset(497, HEAPEV_FINDING(ETL_OFFSET_MISMATCH));
    check_header_saved_offset(0xFFFFFFFF, HEAPEV_FINDING(ETL_OFFSET_MISMATCH));
}

/*
 * A data buffer's SavedOffset must equal Offset (etl_offset_mismatch at the
 * buffer, the records still read to Offset): buffer 1 holds Allocs at 584
 * and 648, Offset 200 (712 in the file).
 */
static void test_data_buffer_saved_offset(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    assert_int_equal(h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000)), 584);
    assert_int_equal(h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20010)), 648);
    assert_int_equal(f.saved[1], 200);
    static const uint32_t saved[] = {136, 0, 72, 199, 201, 512, 0xFFFFFFFF};
    for (size_t i = 0; i < N(saved); i++) {
        t_put(f.data + BS + 4, saved[i], 4);
        const want_item want[] = {
            {RE, 0, 392, 0, 0, 0, 0, 0},
            {CO, 1, 512, HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 0, 0, 0},
            {EV, 1, 584, 0, 60, 2, 0, 0},
            {EV, 1, 648, 0, 60, 2, 0, 0},
            {RE, 1, 712, 0, 0, 0, 0, 0},
        };
        heapev_etl_read_options o = {.report_skipped = 1};
        expect_image(f.data, f.len, &o, want, N(want));
    }
}

/*
 * Offset (0x30) ends the records and must lie in [72, BufferSize]: 71 and
 * 513 are etl_saved_offset_invalid (records skipped); 72 (no records) and 512
 * are not. A last buffer cut short is read to the bytes present.
 */
static void test_offset_bounds(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    assert_int_equal(h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000)), 584);
    heapev_etl_read_options o = {.report_skipped = 1};
    static const struct {
        uint32_t offset;
        heapev_findings f;
        int event;
        uint64_t end;
    } cases[] = {
        {71, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID), 0, 584},
        {513, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID), 0, 584},
        {0x80000000u, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID), 0, 584},
        {72, 0, 0, 584},
        {136, 0, 1, 648},
    };
    for (size_t i = 0; i < N(cases); i++) {
        put_buffer_header(f.data + BS, BS, cases[i].offset);
        want_item want[4] = {{RE, 0, 392, 0, 0, 0, 0, 0}};
        size_t n = 1;
        if (cases[i].f)
            want[n++] = (want_item){CO, 1, 512, cases[i].f, 0, 0, 0, 0};
        if (cases[i].event)
            want[n++] = (want_item){EV, 1, 584, 0, 60, 2, 0, 0};
        want[n++] = (want_item){RE, 1, cases[i].end, 0, 0, 0, 0, 0};
        expect_image(f.data, f.len, &o, want, n);
    }
    /* Offset 512, the whole buffer: after the Alloc comes filler (0xFFFFFFFF at 648). */
    put_buffer_header(f.data + BS, BS, 512);
    const want_item filler[] = {{RE, 0, 392, 0, 0, 0, 0, 0},
                                {EV, 1, 584, 0, 60, 2, 0, 0},
                                {CO, 1, 648, HEAPEV_FINDING(ETL_FILLER_INSIDE_RECORDS), 0, 0, 0, 0},
                                {RE, 1, 1024, 0, 0, 0, 0, 0}};
    expect_image(f.data, f.len, &o, filler, N(filler));
    /* The file ends at 660, inside the buffer: records end where the bytes do. */
    put_buffer_header(f.data + BS, BS, 136);
    const want_item cut[] = {{RE, 0, 392, 0, 0, 0, 0, 0},
                             {CO, 1, 512, HEAPEV_FINDING(ETL_TRUNCATED_FILE), 0, 0, 0, 0},
                             {EV, 1, 584, 0, 60, 2, 0, 0},
                             {RE, 1, 648, 0, 0, 0, 0, 0}};
    expect_image(f.data, 660, &o, cut, N(cut));
    const want_item cut2[] = {{RE, 0, 392, 0, 0, 0, 0, 0},
                              {CO, 1, 512, HEAPEV_FINDING(ETL_TRUNCATED_FILE), 0, 0, 0, 0},
                              {RE, 1, 620, 0, 0, 0, 0, 0}};
    expect_image(f.data, 620, &o, cut2, N(cut2)); /* the Alloc (584..643) cut: no finding */
    /*
     * Still cut at 660 (148 bytes of buffer 1), a record of Size 70 at 72
     * crosses Offset 136 inside the bytes present: a defect, not the cut.
     */
    t_put(f.data + BS + 72 + 4, 70, 2);
    const want_item crossing[] = {{RE, 0, 392, 0, 0, 0, 0, 0},
                                  {CO, 1, 512, HEAPEV_FINDING(ETL_TRUNCATED_FILE), 0, 0, 0, 0},
                                  {CO, 1, 584, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), 0, 0, 0, 0},
                                  {RE, 1, 648, 0, 0, 0, 0, 0}};
    expect_image(f.data, 660, &o, crossing, N(crossing));
}

/* ---- what Windows really writes: 32-bit records in 64-bit traces --------- */

/* A PERFINFO64 heap Alloc (44 bytes): SystemTime @p t at 8, the 64-bit payload at 16. */
static size_t perf64(uint8_t *p, uint64_t h, uint64_t a, uint64_t t)
{
    t_header(p, 2, 17, 0xC0, 44, 0x1021);
    t_put(p + 8, t, 8);
    t_payload64(p + 16, h, 32, a, 3);
    return 44;
}

/* A PERFINFO32 heap Alloc (32 bytes). */
static size_t perf32(uint8_t *p, uint32_t h, uint32_t a)
{
    t_header(p, 2, 16, 0xC0, 32, 0x1021);
    t_put(p + 8, 0x99, 8);
    t_payload32(p + 16, h, 32, a, 3);
    return 32;
}

/*
 * WOW64 (SPEC §4, §5): in a PointerSize-8 trace a 32-bit header is a 32-bit
 * process's record, read as 32-bit, no finding; its Allocs are checked
 * against user_max_wow64 (default 0xFFFEFFFF), so Address 0x90000000 is fine
 * by default and in kernel range with user_max_wow64 = 0x7FFEFFFF. In a
 * PointerSize-4 trace the same record is checked against user_max_32.
 */
static void test_wow64_records(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    assert_int_equal(h_add(&f, 1, rec, alloc32(rec, 0x00A30000, 0x90000000u)), 584);
    t_header(rec, 2, 3, 0xC0, 40, 0x1021); /* COMPACT32 */
    t_payload32(rec + 24, 0x00A30000, 32, 0x90000008u, 3);
    assert_int_equal(h_add(&f, 1, rec, 40), 632);
    assert_int_equal(h_add(&f, 1, rec, perf32(rec, 0x00A30000, 0x90000010u)), 672);
    const want_item fine[] = {
        {EV, 1, 584, 0, 48, 1, 0, 0}, {EV, 1, 632, 0, 40, 3, 0, 0}, {EV, 1, 672, 0, 32, 16, 0, 0}};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, f.data, f.len);
    heapev_etl_item it;
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_int_equal(it.event.pointer_width, 4);
    assert_true(it.event.address == 0x90000000u && it.event.heap_handle == 0x00A30000);
    expect_image(f.data, f.len, NULL, fine, N(fine));

    heapev_findings k = HEAPEV_FINDING(ADDRESS_KERNEL_RANGE);
    const want_item kernel[] = {
        {EV, 1, 584, k, 48, 1, 0, 0}, {EV, 1, 632, k, 40, 3, 0, 0}, {EV, 1, 672, k, 32, 16, 0, 0}};
    heapev_etl_read_options o = {.limits = {0x7FFEFFFF, 0x00007FFFFFFEFFFFull, 0x7FFEFFFF}};
    expect_image(f.data, f.len, &o, kernel, N(kernel));
    /* 0x90000000 is a 32-bit process's address at most 0xFFFEFFFF: user_max_32 does not apply. */
    o = (heapev_etl_read_options){.limits = {0x10000, 0x00007FFFFFFEFFFFull, 0}};
    expect_image(f.data, f.len, &o, fine, N(fine));

    /* PointerSize 4: user_max_32 (default 0x7FFEFFFF) applies; the WOW64 limit does not. */
    t_put(f.data + 72 + 2, 1, 1); /* the logfile header a SYSTEM32 record */
    t_put(f.data + 72 + 32 + 0x2C, 4, 4);
    expect_image(f.data, f.len, NULL, kernel, N(kernel));
    o = (heapev_etl_read_options){.limits = {0xFFFFFFFF, 0x00007FFFFFFEFFFFull, 0x7FFEFFFF}};
    expect_image(f.data, f.len, &o, fine, N(fine));
}

/*
 * The limits given with only user_max_wow64 set (user_max_32 and _64 zero:
 * their defaults, per heapev_etl_read_options.limits): the WOW64 limit given
 * is the one used.
 */
static void test_wow64_limit_alone(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 8);
    assert_int_equal(h_add(&f, 1, rec, alloc32(rec, 0x00A30000, 0x90000000u)), 584);
    heapev_etl_read_options o = {.limits = {.user_max_wow64 = 0x7FFEFFFF}};
    const want_item kernel[] = {{EV, 1, 584, HEAPEV_FINDING(ADDRESS_KERNEL_RANGE), 48, 1, 0, 0}};
    expect_image(f.data, f.len, &o, kernel, N(kernel));
}

/*
 * Only a 64-bit header in a PointerSize-4 trace is etl_pointer_size_mismatch:
 * on a heap Alloc it joins the event's findings (SYSTEM64, PERFINFO64), on
 * any other record it is a container item (a SYSTEM64 Free). 32-bit headers
 * there are fine.
 */
static void test_64bit_record_in_32bit_trace(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 2, 4);
    assert_int_equal(f.saved[0], 72 + 312);
    assert_int_equal(h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000)), 584);
    assert_int_equal(h_add(&f, 1, rec, perf64(rec, 0x10000, 0x20010, 5)), 648);
    memset(rec, 0, sizeof rec);
    t_header(rec, 2, 2, 0xC0, 36, 0x1024); /* Free */
    assert_int_equal(h_add(&f, 1, rec, 36), 696);
    assert_int_equal(h_add(&f, 1, rec, alloc32(rec, 0x10000, 0x20018)), 736);
    heapev_findings m = HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH);
    const want_item want[] = {
        {EV, 1, 584, m, 60, 2, 0, 0},
        {EV, 1, 648, m, 44, 17, 0, 0},
        {CO, 1, 696, m, 0, 0, 0, 0},
        {EV, 1, 736, 0, 48, 1, 0, 0},
    };
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, f.data, f.len);
    expect_items(&r, want, N(want), HEAPEV_ETL_END);
    const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
    assert_int_equal(s->events, 3);
    assert_int_equal(s->event_findings, 2);
    assert_int_equal(s->container_items, 1);
    assert_int_equal(s->findings, 3);
}

/* A logfile header in a PERFINFO64 header (SPEC §4: the three families): payload at 16. */
static void test_logfile_in_perfinfo_header(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[400];
    h_file(&f, 2, 8);
    memset(f.data + 72, 0xFF, BS - 72);
    size_t size = put_logfile(rec, 8, 2); /* 320: SYSTEM64 header + 288 */
    memmove(rec + 16, rec + 32, size - 32);
    t_header(rec, 2, 17, 0xC0, size - 16, 0);
    t_put(rec + 8, 0x4444, 8);
    memcpy(f.data + 72, rec, size - 16);
    put_buffer_header(f.data, BS, (uint32_t)(72 + size - 16));
    h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000));
    heapev_etl_reader r;
    const want_item want[] = {{EV, 1, 584, 0, 60, 2, 0, 0}};
    heapev_etl_reader_init_memory(&r, NULL, f.data, f.len);
    expect_items(&r, want, 1, HEAPEV_ETL_END);
    const heapev_etl_logfile *lf = heapev_etl_reader_logfile(&r);
    assert_int_equal(lf->present, 1);
    assert_int_equal(lf->pointer_size, 8);
    assert_int_equal(lf->buffers_written, 2);
    assert_true(lf->start_time == 0x7777 && lf->end_time == 0x5555);
}

/* ---- what Windows really writes: unfinished logs ------------------------- */

/*
 * BuffersWritten 0 and EndTime 0: the note etl_log_unfinished at the logfile
 * header (buffer 0, offset 72), all three buffers read, no BuffersWritten
 * mismatch. BuffersWritten 0 with EndTime set is a mismatch, at the end.
 */
static void test_unfinished_hand(void **state)
{
    (void)state;
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 3, 8);
    assert_int_equal(h_add(&f, 2, rec, alloc64(rec, 0x10000, 0x20000)), 1096);
    t_put(f.data + 72 + 32 + 0x24, 0, 4);
    t_put(f.data + 72 + 32 + 0x10, 0, 8);
    const want_item note[] = {{CO, 0, 72, HEAPEV_FINDING(ETL_LOG_UNFINISHED), 0, 0, 0, 0},
                              {EV, 2, 1096, 0, 60, 2, 0, 0}};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, f.data, f.len);
    expect_items(&r, note, N(note), HEAPEV_ETL_END);
    const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
    assert_int_equal(s->buffers, 3);
    assert_int_equal(s->notes, 1);
    assert_int_equal(s->findings, 0);
    assert_int_equal(s->container_items, 0);

    t_put(f.data + 72 + 32 + 0x10, 1, 8); /* EndTime 1 */
    const want_item mismatch[] = {{EV, 2, 1096, 0, 60, 2, 0, 0},
                                  {CO, 0, 72, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH), 0, 0, 0, 0}};
    heapev_etl_reader_init_memory(&r, NULL, f.data, f.len);
    expect_items(&r, mismatch, N(mismatch), HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->notes, 0);
    assert_int_equal(heapev_etl_reader_stats(&r)->findings, 1);
    assert_int_equal(heapev_etl_reader_logfile(&r)->unfinished, 0);
}

/* ---- what Windows really writes: compressed traces ----------------------- */

/*
 * [MS-XCA] 2.3/2.4 plain LZ77, literals only: a 32-bit little-endian flag
 * word before every 32 tokens, bits taken from the most significant one, 0 =
 * a literal byte; after the last token the word's unused bits are 1 (a match
 * flag with no input left ends the stream), a whole 0xFFFFFFFF word when @p n
 * is a multiple of 32. Returns the length, n + 4 * (n / 32 + 1).
 */
static size_t lz_literals(uint8_t *out, const uint8_t *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0;; i += 32) {
        size_t k = n - i < 32 ? n - i : 32;
        t_put(out + o, k == 32 ? 0 : 0xFFFFFFFFu >> k, 4);
        memcpy(out + o + 4, in + i, k);
        o += 4 + k;
        if (k < 32)
            return o;
    }
}

enum { CMAX = 4096, SCRATCH = 4096 }; /* max_buffer_size of the compressed tests */
/* Their decompression memory: what the reader needs for buffers of SCRATCH bytes. */
#define SCRATCH_MEM HEAPEV_ETL_SCRATCH_SIZE(SCRATCH)

/* A compressed trace: buffer 0 of 512 bytes, then buffers back to back. */
typedef struct cfile {
    uint8_t data[CMAX];
    size_t len;
} cfile;

/*
 * Buffer 0 of a compressed trace, as pktmon writes it: plain, short (512),
 * BufferFlag 0x01; its logfile header says LogFileMode 0x04010001 (the
 * compressed bit 0x04000000), BufferSize @p lf_bs (the size of a buffer once
 * decompressed), BuffersWritten @p written. Records end at 392.
 */
static void c_start(cfile *c, uint32_t lf_bs, uint32_t written)
{
    memset(c, 0, sizeof *c);
    memset(c->data, 0xFF, 512);
    put_buffer_header(c->data, 512, 392);
    t_put(c->data + 0x34, 0x01, 2);
    t_put(c->data + 0x36, 4, 2);
    assert_int_equal(put_logfile(c->data + 72, 8, written), 320);
    t_put(c->data + 72 + 32 + 0x00, lf_bs, 4);
    t_put(c->data + 72 + 32 + 0x20, 0x04010001, 4);
    c->len = 512;
}

/*
 * Append a buffer of @p n record bytes. Compressed: BufferFlag 0x60 (0x40 |
 * processor index), the records as lz_literals(), BufferSize its length in
 * the file (72 + the stream), SavedOffset = Offset = 72 + n. Plain: flag
 * 0x20, the records as they are, BufferSize 72 + n. Returns its file offset.
 */
static size_t c_add(cfile *c, const uint8_t *rec, size_t n, int compressed)
{
    uint8_t *b = c->data + c->len;
    size_t body = n;
    if (compressed)
        body = lz_literals(b + 72, rec, n);
    else
        memcpy(b + 72, rec, n);
    put_buffer_header(b, (uint32_t)(72 + body), (uint32_t)(72 + n));
    t_put(b + 0x34, compressed ? 0x60 : 0x20, 2);
    size_t at = c->len;
    c->len += 72 + body;
    return at;
}

/*
 * The records of the first compressed buffer, 173 bytes (positions in the
 * decompressed buffer, 72-byte header included): a SYSTEM64 Alloc at 72, a
 * SYSTEM32 Alloc of a WOW64 process (Address 0x90000000) at 136, a
 * PERFINFO64 Alloc (SystemTime 0x5150) at 184, a 13-byte WPP message at 232;
 * Offset 245.
 */
static size_t records_one(uint8_t *p)
{
    memset(p, 0, 173);
    alloc64(p, 0x10000, 0x20000);
    alloc32(p + 64, 0x10000, 0x90000000u);
    perf64(p + 112, 0x10000, 0x20010, 0x5150);
    memset(p + 160, 0x11, 13);
    t_put(p + 160, 13, 2), p[162] = 0, p[163] = 0x90;
    return 173;
}

/*
 * The standard compressed trace (1041 bytes, BuffersWritten 4):
 *   buffer 0 at 0, 512 bytes;
 *   buffer 1 at 512: records_one() compressed: 173 + 4 * 6 = 197 bytes,
 *     BufferSize 269, Offset 245;
 *   buffer 2 at 781: a SYSTEM64 Alloc (60) compressed: 60 + 4 * 2 = 68 bytes,
 *     BufferSize 140, Offset 132;
 *   buffer 3 at 921: plain, a SYSTEM32 Alloc (48): BufferSize 120, Offset 120.
 */
static void c_standard(cfile *c)
{
    uint8_t rec[256];
    c_start(c, SCRATCH, 4);
    assert_int_equal(c_add(c, rec, records_one(rec), 1), 512);
    assert_int_equal(c->len, 781);
    assert_int_equal(c_add(c, rec, alloc64(rec, 0x10000, 0x20020), 1), 781);
    assert_int_equal(c->len, 921);
    assert_int_equal(c_add(c, rec, alloc32(rec, 0x10000, 0x20028), 0), 921);
    assert_int_equal(c->len, 1041);
}

static uint8_t scratch_mem[SCRATCH_MEM];

/* Options: 4 KiB buffers at most, 4 KiB of scratch memory, skipped records reported. */
static heapev_etl_read_options c_options(void)
{
    heapev_etl_read_options o = {.max_buffer_size = SCRATCH, .report_skipped = 1,
                                 .scratch = scratch_mem, .scratch_size = sizeof scratch_mem};
    return o;
}

/* Every item of the standard compressed trace, read with scratch memory. */
static const want_item c_items[] = {
    {RE, 0, 392, 0, 0, 0, 0, 0},
    {EV, 1, 584, 0, 60, 2, 0, 0},
    {EV, 1, 648, 0, 48, 1, 0, 0},
    {EV, 1, 696, 0, 44, 17, 0, 0},
    {SK, 1, 744, 0, 13, 0, 0x90, 0},
    {RE, 1, 757, 0, 0, 0, 0, 0},
    {EV, 2, 853, 0, 60, 2, 0, 0},
    {RE, 2, 913, 0, 0, 0, 0, 0},
    {EV, 3, 993, 0, 48, 1, 0, 0},
    {RE, 3, 1041, 0, 0, 0, 0, 0},
};

static void test_lz_literals_stream(void **state)
{
    (void)state;
    /* 33 literal bytes: word 0, 32 bytes, word 0xFFFFFFFF >> 1, 1 byte. */
    uint8_t in[33], out[64];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i + 1);
    assert_int_equal(lz_literals(out, in, 33), 41);
    static const uint8_t w0[4] = {0, 0, 0, 0}, w1[4] = {0xFF, 0xFF, 0xFF, 0x7F};
    assert_memory_equal(out, w0, 4);
    assert_memory_equal(out + 4, in, 32);
    assert_memory_equal(out + 36, w1, 4);
    assert_int_equal(out[40], 33);
    /* 32 bytes: word 0, 32 bytes, then a whole word of 1 bits. */
    assert_int_equal(lz_literals(out, in, 32), 40);
    static const uint8_t ones[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    assert_memory_equal(out + 36, ones, 4);
    assert_int_equal(lz_literals(out, in, 0), 4);
    assert_memory_equal(out, ones, 4);
}

/*
 * The standard compressed trace read with scratch memory: compressed buffers
 * decompressed (stats.decompressed 2), their items at the buffer's offset
 * plus the position in the decompressed image, flagged decompressed; the
 * plain buffer 3 read as it is; heapev_etl_reader_buffer() gives the bytes
 * read, heapev_etl_reader_buffer_length() the bytes in the file.
 */
static void test_compressed_trace(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    heapev_etl_read_options o = c_options();
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    size_t len = 99;
    assert_null(heapev_etl_reader_buffer(&r, &len));
    assert_int_equal(len, 0);
    assert_int_equal(heapev_etl_reader_buffer_length(&r), 0);

    static const uint64_t bases[] = {0, 512, 781, 921};
    static const uint32_t lengths[] = {512, 269, 140, 120};
    uint8_t records[256];
    records_one(records);
    heapev_etl_item it;
    for (size_t i = 0; i < N(c_items); i++) {
        assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
        const want_item *w = &c_items[i];
        assert_int_equal(it.kind, w->kind);
        assert_true(it.buffer == w->buffer && it.offset == w->offset);
        assert_true(it.findings == 0);
        assert_true(it.buffer_offset == bases[w->buffer]);
        assert_int_equal(it.decompressed, w->buffer == 1 || w->buffer == 2);
        assert_int_equal(heapev_etl_reader_buffer_length(&r), lengths[w->buffer]);
        const uint8_t *b = heapev_etl_reader_buffer(&r, &len);
        if (w->buffer == 1) { /* the decompressed image: the file's header, then the records */
            assert_ptr_equal(b, scratch_mem);
            assert_int_equal(len, 245);
            assert_memory_equal(b, c.data + 512, 72);
            assert_memory_equal(b + 72, records, 173);
        } else if (w->buffer == 3) {
            assert_ptr_equal(b, c.data + 921);
            assert_int_equal(len, 120);
        }
    }
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_END);
    const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
    assert_int_equal(s->buffers, 4);
    assert_int_equal(s->decompressed, 2);
    assert_int_equal(s->events, 5);
    assert_int_equal(s->skipped, 1);
    assert_int_equal(s->findings, 0);
    assert_int_equal(s->container_items, 0);
    const heapev_etl_logfile *lf = heapev_etl_reader_logfile(&r);
    assert_int_equal(lf->compressed, 1);
    assert_int_equal(lf->log_file_mode, 0x04010001);
    assert_int_equal(lf->buffer_size, SCRATCH);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), 512); /* buffer 0's */

    /* The events themselves: the PERFINFO64 one has SystemTime from offset 8, no thread. */
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    for (int i = 0; i < 4; i++)
        assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_int_equal(it.kind, EV);
    assert_true(it.event.header.system_time == 0x5150 && it.event.header.thread_id == 0);
    assert_true(it.event.address == 0x20010 && it.event.pointer_width == 8);
}

/* The same trace through the stdio source: buffer header first, then the whole buffer. */
static void test_compressed_trace_stdio(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(c.data, 1, c.len, f), c.len);
    rewind(f);
    static uint8_t mem[SCRATCH];
    heapev_etl_stdio s = {f, mem, sizeof mem, 0, 0, 0};
    heapev_etl_read_options o = c_options();
    heapev_etl_reader r;
    heapev_etl_reader_init(&r, &o, heapev_etl_stdio_fetch, &s);
    expect_items(&r, c_items, N(c_items), HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->decompressed, 2);
    assert_int_equal(s.error, 0);
    fclose(f);
}

/*
 * Without scratch memory (none, or less than HEAPEV_ETL_SCRATCH_SIZE(max_buffer_size)), a compressed
 * buffer is etl_buffer_compressed and its records are not read; the chain
 * goes on by its BufferSize.
 */
static void test_compressed_without_scratch(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    const want_item want[] = {
        {RE, 0, 392, 0, 0, 0, 0, 0},
        {CO, 1, 512, HEAPEV_FINDING(ETL_BUFFER_COMPRESSED), 0, 0, 0, 0},
        {RE, 1, 584, 0, 0, 0, 0, 0},
        {CO, 2, 781, HEAPEV_FINDING(ETL_BUFFER_COMPRESSED), 0, 0, 0, 0},
        {RE, 2, 853, 0, 0, 0, 0, 0},
        {EV, 3, 993, 0, 48, 1, 0, 0},
        {RE, 3, 1041, 0, 0, 0, 0, 0},
    };
    heapev_etl_read_options none = {.max_buffer_size = SCRATCH, .report_skipped = 1};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &none, c.data, c.len);
    expect_items(&r, want, N(want), HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->decompressed, 0);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 4);
    heapev_etl_read_options small = c_options();
    small.scratch_size = SCRATCH_MEM - 1;
    expect_image(c.data, c.len, &small, want, N(want));
    heapev_etl_read_options dflt = c_options(); /* max_buffer_size 16 MiB: 4 KiB are too few */
    dflt.max_buffer_size = 0;
    expect_image(c.data, c.len, &dflt, want, N(want));
}

/* Replace the standard trace's buffer 2 by @p n bytes of stream; BufferSize 72 + n, Offset @p offset. */
static void c_replace_buffer2(cfile *c, const uint8_t *stream, size_t n, uint32_t offset)
{
    c_standard(c);
    uint8_t plain[120];
    memcpy(plain, c->data + 921, 120); /* buffer 3 moves behind the new buffer 2 */
    uint8_t *b = c->data + 781;
    put_buffer_header(b, (uint32_t)(72 + n), offset);
    t_put(b + 0x34, 0x60, 2);
    memcpy(b + 72, stream, n);
    memcpy(b + 72 + n, plain, 120);
    c->len = 781 + 72 + n + 120;
}

/* Items of buffer 3 of c_replace_buffer2() at file offset @p at. */
static void want_buffer3(want_item *w, uint64_t at)
{
    w[0] = (want_item){EV, 3, at + 72, 0, 48, 1, 0, 0};
    w[1] = (want_item){RE, 3, at + 120, 0, 0, 0, 0, 0};
}

/*
 * A stream libfwnt cannot decompress: its first token is a match (flag bit 1)
 * reaching back before the start of the output. etl_decompress_failed, the
 * records are not read; the next buffer follows at 781 + 78. A 1-byte stream
 * too.
 */
static void test_decompress_failed(void **state)
{
    (void)state;
    static cfile c;
    static const uint8_t bad[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}; /* match: offset 1, length 3 */
    c_replace_buffer2(&c, bad, sizeof bad, 132);
    want_item want[10];
    memcpy(want, c_items, 6 * sizeof want[0]);
    want[6] = (want_item){CO, 2, 781, HEAPEV_FINDING(ETL_DECOMPRESS_FAILED), 0, 0, 0, 0};
    want[7] = (want_item){RE, 2, 853, 0, 0, 0, 0, 0};
    want_buffer3(want + 8, 781 + 78);
    heapev_etl_read_options o = c_options();
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    expect_items(&r, want, 10, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->decompressed, 1);
    assert_int_equal(heapev_etl_reader_stats(&r)->container_items, 1);

    static const uint8_t one[1] = {0};
    c_replace_buffer2(&c, one, 1, 132);
    want_buffer3(want + 8, 781 + 73);
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    expect_items(&r, want, 10, HEAPEV_ETL_END);
}

/*
 * The stream decompresses to a length other than Offset - 72: etl_decompressed_size_mismatch,
 * records not read. Buffer 2's 60 bytes with Offset 131 or 140; and a buffer
 * with no compressed bytes at all (BufferSize 72): fine with Offset 72 (no
 * records), a mismatch with Offset 80.
 */
static void test_decompressed_size_mismatch(void **state)
{
    (void)state;
    static cfile c;
    uint8_t rec[64], stream[80];
    size_t n = lz_literals(stream, rec, alloc64(rec, 0x10000, 0x20020));
    assert_int_equal(n, 68);
    static const uint32_t offsets[] = {131, 140, 72};
    heapev_etl_read_options o = c_options();
    want_item want[10];
    heapev_etl_reader r;
    for (size_t i = 0; i < N(offsets); i++) {
        c_replace_buffer2(&c, stream, n, offsets[i]);
        memcpy(want, c_items, 6 * sizeof want[0]);
        want[6] = (want_item){CO, 2, 781, HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH), 0, 0, 0, 0};
        want[7] = (want_item){RE, 2, 853, 0, 0, 0, 0, 0};
        want_buffer3(want + 8, 781 + 140);
        heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
        expect_items(&r, want, 10, HEAPEV_ETL_END);
        assert_int_equal(heapev_etl_reader_stats(&r)->decompressed, 1);
    }
    /* BufferSize 72: nothing compressed; Offset 72 is an empty buffer, decompressed. */
    c_replace_buffer2(&c, stream, 0, 72);
    memcpy(want, c_items, 6 * sizeof want[0]);
    want[6] = (want_item){RE, 2, 781 + 72, 0, 0, 0, 0, 0};
    want_buffer3(want + 7, 781 + 72);
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    expect_items(&r, want, 9, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->decompressed, 2);
    c_replace_buffer2(&c, stream, 0, 80);
    want[6] = (want_item){CO, 2, 781, HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH), 0, 0, 0, 0};
    want[7] = (want_item){RE, 2, 853, 0, 0, 0, 0, 0};
    want_buffer3(want + 8, 781 + 72);
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    expect_items(&r, want, 10, HEAPEV_ETL_END);
}

/*
 * A compressed buffer's Offset must lie in [72, the logfile's BufferSize]
 * (and within the scratch memory): 71, 4097 (logfile BufferSize 4096) are
 * etl_saved_offset_invalid, records not read. With logfile BufferSize 65536
 * (pktmon writes 16 MiB) and 4 KiB of scratch memory, Offset 4097 is too.
 * With a logfile BufferSize below 72, max_buffer_size (4096) bounds Offset.
 */
static void test_compressed_offset_invalid(void **state)
{
    (void)state;
    static cfile c;
    heapev_etl_read_options o = c_options();
    static const struct {
        uint32_t lf_bs, offset;
        heapev_findings f;
    } cases[] = {
        {4096, 71, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID)},
        {4096, 4097, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID)},
        {65536, 4097, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID)},
        {0, 4097, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID)},
        {0, 132, 0},
        {65536, 132, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        c_standard(&c);
        t_put(c.data + 72 + 32, cases[i].lf_bs, 4);
        t_put(c.data + 781 + 4, cases[i].offset, 4);
        t_put(c.data + 781 + 0x30, cases[i].offset, 4);
        want_item want[N(c_items)];
        memcpy(want, c_items, sizeof want);
        size_t n = N(c_items);
        if (cases[i].f) {
            want[6] = (want_item){CO, 2, 781, cases[i].f, 0, 0, 0, 0};
            want[7] = (want_item){RE, 2, 853, 0, 0, 0, 0, 0};
        }
        expect_image(c.data, c.len, &o, want, n);
    }
}

/*
 * In a compressed trace SavedOffset is compared too (etl_offset_mismatch on
 * the decompressed buffer, records read to Offset), and a record defect
 * inside decompressed records is placed at its position in the decompressed
 * image (flagged decompressed).
 */
static void test_compressed_record_findings(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    t_put(c.data + 512 + 4, 300, 4);
    heapev_etl_read_options o = c_options();
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    heapev_etl_item it;
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK); /* RE of buffer 0 */
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_true(it.kind == CO && it.buffer == 1 && it.offset == 512);
    assert_true(it.findings == HEAPEV_FINDING(ETL_OFFSET_MISMATCH));
    assert_int_equal(it.decompressed, 0); /* the buffer header, a place in the file */
    assert_true(it.buffer_offset == 512);
    expect_items(&r, c_items + 1, N(c_items) - 1, HEAPEV_ETL_END);

    /* A garbage marker after the first Alloc of buffer 1 (position 136). */
    uint8_t rec[256], stream[256];
    records_one(rec);
    t_put(rec + 64, 0x12345678, 4);
    c_standard(&c);
    assert_int_equal(lz_literals(stream, rec, 173), 197);
    memcpy(c.data + 512 + 72, stream, 197);
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK); /* RE of buffer 0 */
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_true(it.kind == EV && it.offset == 584 && it.decompressed == 1);
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_true(it.kind == CO && it.buffer == 1 && it.offset == 648);
    assert_true(it.findings == HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED));
    assert_int_equal(it.decompressed, 1);
    assert_true(it.buffer_offset == 512);
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
    assert_true(it.kind == RE && it.offset == 757);
    expect_items(&r, c_items + 6, N(c_items) - 6, HEAPEV_ETL_END);
}

/*
 * A BufferSize running past the end of the file: etl_buffer_beyond_file, the
 * buffer is not read and the walk ends there (buffer 3 one byte longer than
 * the file; buffer 2 far too long). BuffersWritten (4) then counts one
 * buffer more than were read when buffer 3 is never reached.
 */
static void test_compressed_beyond_file(void **state)
{
    (void)state;
    static cfile c;
    heapev_etl_read_options o = c_options();
    c_standard(&c);
    t_put(c.data + 921, 121, 4);
    want_item want[N(c_items) + 1];
    memcpy(want, c_items, sizeof c_items);
    want[8] = (want_item){CO, 3, 921, HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE), 0, 0, 0, 0};
    want[9] = (want_item){RE, 3, 993, 0, 0, 0, 0, 0};
    expect_image(c.data, c.len, &o, want, N(c_items));

    c_standard(&c);
    t_put(c.data + 781, 4000, 4);
    memcpy(want, c_items, sizeof c_items);
    want[6] = (want_item){CO, 2, 781, HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE), 0, 0, 0, 0};
    want[7] = (want_item){RE, 2, 853, 0, 0, 0, 0, 0};
    want[8] = (want_item){CO, 0, 72, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH), 0, 0, 0, 0};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    expect_items(&r, want, 9, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 3);
    assert_int_equal(heapev_etl_reader_buffer_length(&r), 4000);

    /* The file ends inside buffer 2's compressed bytes (781 + 100 of its 140). */
    c_standard(&c);
    heapev_etl_reader_init_memory(&r, &o, c.data, 881);
    expect_items(&r, want, 9, HEAPEV_ETL_END);
}

/*
 * A chained BufferSize that cannot be used (below the 72-byte header, above
 * max_buffer_size): etl_buffer_size_invalid, and the walk ends there: no
 * later buffer can be placed.
 */
static void test_compressed_buffer_size_invalid(void **state)
{
    (void)state;
    static cfile c;
    heapev_etl_read_options o = c_options();
    static const uint32_t sizes[] = {0, 40, 71, SCRATCH + 1, 0xFFFFFFFF};
    for (size_t i = 0; i < N(sizes); i++) {
        c_standard(&c);
        t_put(c.data + 781, sizes[i], 4);
        want_item want[9];
        memcpy(want, c_items, 6 * sizeof want[0]);
        want[6] = (want_item){CO, 2, 781, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0, 0, 0};
        want[7] = (want_item){RE, 2, 853, 0, 0, 0, 0, 0};
        want[8] = (want_item){CO, 0, 72, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH), 0, 0, 0, 0};
        heapev_etl_reader r;
        heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
        expect_items(&r, want, 9, HEAPEV_ETL_END);
        assert_int_equal(heapev_etl_reader_buffer_length(&r), 0);
        assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 3);
    }
    /* 72, the header alone, is a valid chained size (an empty buffer). */
    c_standard(&c);
    t_put(c.data + 921, 72, 4);
    t_put(c.data + 921 + 4, 72, 4);
    t_put(c.data + 921 + 0x30, 72, 4);
    want_item want[12];
    memcpy(want, c_items, 8 * sizeof want[0]);
    want[8] = (want_item){RE, 3, 993, 0, 0, 0, 0, 0};
    /* the 48 bytes after it: a 5th buffer cut inside its header, its records end at 1041 */
    want[9] = (want_item){CO, 4, 993, HEAPEV_FINDING(ETL_TRUNCATED_FILE), 0, 0, 0, 0};
    want[10] = (want_item){RE, 4, 1041, 0, 0, 0, 0, 0};
    want[11] = (want_item){CO, 0, 72, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH), 0, 0, 0, 0};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    expect_items(&r, want, 12, HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_reader_stats(&r)->buffers, 5);
}

/*
 * The file ends inside the header of the next buffer (30 of its 72 bytes):
 * etl_truncated_file at it, its records end where the file does; at a
 * buffer boundary the walk just ends (BuffersWritten then disagrees).
 */
static void test_compressed_cut_in_header(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    heapev_etl_read_options o = c_options();
    want_item want[10];
    memcpy(want, c_items, 6 * sizeof want[0]);
    want[6] = (want_item){CO, 2, 781, HEAPEV_FINDING(ETL_TRUNCATED_FILE), 0, 0, 0, 0};
    want[7] = (want_item){RE, 2, 811, 0, 0, 0, 0, 0};
    want[8] = (want_item){CO, 0, 72, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH), 0, 0, 0, 0};
    expect_image(c.data, 781 + 30, &o, want, 9);
    want[6] = want[8];
    expect_image(c.data, 781, &o, want, 7);
}

/*
 * Flag 0x40 where no decompression applies: on buffer 0 of a compressed trace
 * (the header buffer is plain: its records after the logfile header are not
 * read; the chain goes on), and on a buffer of a trace whose LogFileMode lacks
 * 0x04000000 (even with scratch memory).
 */
static void test_compressed_flag_misplaced(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    uint8_t rec[64];
    alloc64(rec, 0x10000, 0x20000);
    memcpy(c.data + 392, rec, 60);
    put_buffer_header(c.data, 512, 456);
    t_put(c.data + 0x34, 0x41, 2);
    t_put(c.data + 0x36, 4, 2);
    heapev_etl_read_options o = c_options();
    want_item want[N(c_items) + 1];
    want[0] = (want_item){CO, 0, 0, HEAPEV_FINDING(ETL_BUFFER_COMPRESSED), 0, 0, 0, 0};
    want[1] = (want_item){RE, 0, 72, 0, 0, 0, 0, 0};
    memcpy(want + 2, c_items + 1, (N(c_items) - 1) * sizeof want[0]);
    expect_image(c.data, c.len, &o, want, N(c_items) + 1);
    /* Without the flag, the Alloc in buffer 0 is read. */
    t_put(c.data + 0x34, 0x01, 2);
    want[0] = (want_item){EV, 0, 392, 0, 60, 2, 0, 0};
    want[1] = (want_item){RE, 0, 456, 0, 0, 0, 0, 0};
    expect_image(c.data, c.len, &o, want, N(c_items) + 1);

    /* A plain 512-byte trace, buffer 1 flagged 0x40: not decompressed, whatever the scratch. */
    static hfile f;
    h_file(&f, 2, 8);
    assert_int_equal(h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000)), 584);
    t_put(f.data + BS + 0x34, 0x40, 2);
    const want_item plain[] = {{RE, 0, 392, 0, 0, 0, 0, 0},
                               {CO, 1, 512, HEAPEV_FINDING(ETL_BUFFER_COMPRESSED), 0, 0, 0, 0},
                               {RE, 1, 584, 0, 0, 0, 0, 0}};
    expect_image(f.data, f.len, &o, plain, N(plain));
}

/*
 * Buffer 0's BufferSize damaged (0) in a compressed trace. There the logfile
 * header's BufferSize is the size of a buffer once decompressed (here 4096),
 * not buffer 0's length, so it cannot stand in for it; and a BufferSize of 0
 * is etl_buffer_size_invalid (findings.h: "BufferSize zero, below 72 or
 * above the limit"), to be reported at buffer 0.
 */
static void test_compressed_buffer0_size_zero(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    t_put(c.data, 0, 4);
    heapev_etl_read_options o = c_options();
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, c.data, c.len);
    heapev_etl_item it;
    heapev_findings at0 = 0;
    for (int n = 0; n < 100 && heapev_etl_next(&r, &it) == HEAPEV_ETL_OK; n++)
        if (it.kind == CO && it.buffer == 0 && it.offset == 0)
            at0 |= it.findings;
    if (!(at0 & HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID))) {
        char names[256];
        heapev_findings_format(at0, ",", names, sizeof names);
        fail_msg("buffer 0 BufferSize 0 in a compressed trace: findings at (0, 0) {%s}, "
                 "no etl_buffer_size_invalid; buffer 0 read as %u bytes",
                 names, (unsigned)heapev_etl_reader_buffer_size(&r));
    }
}

/*
 * I/O errors in a compressed trace. Calls: 0 = buffer 0's header, 1 = buffer
 * 0 (512), then per chained buffer its header (72) and the whole buffer: 2, 3
 * buffer 1; 4, 5 buffer 2. A failure at 4 or 5 comes after buffer 1's items.
 */
static void test_fetch_io_errors_chained(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    heapev_etl_read_options o = c_options();
    for (int at = 2; at <= 5; at++) {
        for (int got_on_fail = 0; got_on_fail <= 1; got_on_fail++) {
            fake_source src = {c.data, c.len, at, 0, 0, got_on_fail};
            heapev_etl_reader r;
            heapev_etl_reader_init(&r, &o, fake_fetch, &src);
            expect_items(&r, c_items, at < 4 ? 1 : 6, HEAPEV_ETL_IO_ERROR);
            assert_int_equal(heapev_etl_reader_stats(&r)->buffers, at < 4 ? 1 : 2);
        }
    }
    fake_source ok = {c.data, c.len, -1, 0, 0, 0};
    heapev_etl_reader r;
    heapev_etl_reader_init(&r, &o, fake_fetch, &ok);
    expect_items(&r, c_items, N(c_items), HEAPEV_ETL_END);
}

/*
 * Mutated compressed traces (buffer headers, the streams, the logfile
 * header), read with scratch memory followed by a canary: the reader ends,
 * returns a bounded number of items, and writes nothing past the scratch.
 */
static void test_compressed_mutations(void **state)
{
    (void)state;
    static cfile c;
    static struct {
        uint8_t scratch[SCRATCH_MEM];
        uint8_t canary[64];
    } mem;
    c_standard(&c);
    static uint8_t copy[CMAX];
    uint64_t rng = 77;
    heapev_etl_read_options o = {.max_buffer_size = SCRATCH, .report_skipped = 1,
                                 .scratch = mem.scratch, .scratch_size = SCRATCH_MEM};
    static const size_t hot[] = {0, 104, 512, 781, 921}; /* headers: buffers, logfile */
    for (int round = 0; round < 4000; round++) {
        memcpy(copy, c.data, c.len);
        memset(mem.canary, 0xA5, sizeof mem.canary);
        unsigned flips = 1 + (unsigned)(t_rand(&rng) % 6);
        for (unsigned k = 0; k < flips; k++) {
            size_t at = (size_t)(t_rand(&rng) % c.len);
            if (t_rand(&rng) & 1)
                at = hot[t_rand(&rng) % N(hot)] + (size_t)(t_rand(&rng) % 80);
            copy[at] = (uint8_t)t_rand(&rng);
        }
        size_t len = round % 5 == 0 ? (size_t)(t_rand(&rng) % c.len) : c.len;
        heapev_etl_reader r;
        heapev_etl_reader_init_memory(&r, &o, copy, len);
        heapev_etl_item it;
        size_t n = 0;
        while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK)
            assert_true(++n < 2000);
        for (size_t i = 0; i < sizeof mem.canary; i++)
            if (mem.canary[i] != 0xA5)
                fail_msg("round %d: byte %zu past the scratch memory written", round, i);
    }
}

/* ---- reads stay inside the image and the scratch memory ------------------ */

/*
 * @p len bytes of @p data in fresh pages, ending exactly where a PROT_NONE
 * page starts; read-only unless @p writable (then zeroed scratch memory).
 */
static uint8_t *guard(t_guarded *g, const void *data, size_t len, int writable)
{
    uint8_t *p = t_guard(g, data, len, 1, writable);
    assert_non_null(p);
    return p;
}

static void unguard(t_guarded *g)
{
    assert_int_equal(t_unguard(g), 0);
}

/* Read every item of @p len bytes at @p img with guarded scratch memory; returns the count. */
static size_t read_guarded(const uint8_t *img, size_t len, uint8_t *scratch)
{
    heapev_etl_read_options o = {.max_buffer_size = SCRATCH, .report_skipped = 1,
                                 .scratch = scratch, .scratch_size = SCRATCH_MEM};
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, &o, img, len);
    heapev_etl_item it;
    size_t n = 0;
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK)
        assert_true(++n < 1000);
    assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_END);
    return n;
}

/*
 * Every prefix of the standard compressed trace and of a plain trace, each
 * ending at a PROT_NONE page, the image itself read-only, the scratch memory
 * ending at a PROT_NONE page too: the reader reads only the image, writes
 * only the scratch memory.
 */
static void test_guarded_every_cut(void **state)
{
    (void)state;
    static cfile c;
    c_standard(&c);
    t_guarded gs;
    uint8_t *scratch = guard(&gs, NULL, SCRATCH_MEM, 1);
    for (size_t cut = 0; cut <= c.len; cut++) {
        t_guarded gi;
        const uint8_t *img = guard(&gi, c.data, cut, 0);
        size_t n = read_guarded(img, cut, scratch);
        if (cut == c.len)
            assert_int_equal(n, N(c_items));
        unguard(&gi);
    }
    static hfile f;
    uint8_t rec[64];
    h_file(&f, 3, 8);
    h_add(&f, 1, rec, alloc64(rec, 0x10000, 0x20000));
    h_add(&f, 2, rec, alloc32(rec, 0x10000, 0x20000));
    for (size_t cut = 0; cut <= f.len; cut++) {
        t_guarded gi;
        const uint8_t *img = guard(&gi, f.data, cut, 0);
        read_guarded(img, cut, scratch);
        unguard(&gi);
    }
    unguard(&gs);
}

/*
 * Run read_guarded() on @p len bytes of @p data in a child process (a read
 * or write past the guard pages kills it, not this suite). Returns 0 when it
 * ended normally, else the signal that killed it (or 1000 + its exit status).
 */
static int child_read(const uint8_t *data, size_t len)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* no test runner's signal handler here: a fault ends the process */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        t_guarded gs, gi;
        uint8_t *scratch = guard(&gs, NULL, SCRATCH_MEM, 1);
        const uint8_t *img = guard(&gi, data, len, 0);
        read_guarded(img, len, scratch);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        return WTERMSIG(status);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1000 + WEXITSTATUS(status);
}

/*
 * Compressed buffers at the end of the image whose stream ends 1..3 bytes
 * into a flag word ([MS-XCA] 2.4 reads a 32-bit flag word before every 32
 * tokens): the missing bytes of that word lie beyond the image, and a
 * decoder may not read them. Buffer 2 as the file's last buffer with a 2-
 * and a 3-byte stream, and a 38-byte one (flag word 0, 32 literals, then 2
 * bytes of the next flag word). (A 1-byte stream is refused unread.)
 */
static void test_guarded_stream_end(void **state)
{
    (void)state;
    static cfile c;
    uint8_t in[32], stream[40];
    memset(in, 0x5A, sizeof in);
    assert_int_equal(lz_literals(stream, in, 32), 40);
    static const struct {
        size_t n;
        uint32_t offset;
    } cases[] = {{1, 72}, {2, 72}, {3, 72}, {38, 72 + 32}};
    char failed[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < N(cases); i++) {
        c_replace_buffer2(&c, stream, cases[i].n, cases[i].offset);
        int st = child_read(c.data, 781 + 72 + cases[i].n);
        if (st != 0)
            used += (size_t)snprintf(failed + used, sizeof failed - used,
                                     " %zu-byte stream (status %d);", cases[i].n, st);
    }
    if (used > 0)
        fail_msg("the reader read past the end of the image:%s", failed);
}

/*
 * A compressed buffer whose stream decompresses to more than the scratch
 * memory holds (one literal, then a match of 4103 bytes: [MS-XCA] 2.4 length
 * 7 + half byte 15 + byte 255 + 16-bit 4100, plus 3; 4104 > 4096 - 72): the
 * reader may report it, but never write past the scratch memory.
 */
static void test_guarded_scratch_overrun(void **state)
{
    (void)state;
    static cfile c;
    static const uint8_t big[11] = {0xFF, 0xFF, 0xFF, 0x7F, /* literal, then a match, then 1s */
                                    0x41,                   /* 'A' */
                                    0x07, 0x00,             /* offset 1, length 7: extended */
                                    0x0F, 0xFF,             /* half byte 15, byte 255 */
                                    0x04, 0x10};            /* 16-bit length 4100 */
    c_replace_buffer2(&c, big, sizeof big, 4096);
    int st = child_read(c.data, c.len);
    if (st != 0)
        fail_msg("a 4104-byte output into 4096 - 72 bytes of scratch: the reader's process "
                 "ended with status %d (%d: SIGSEGV, a write past the scratch memory)", st, SIGSEGV);
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
    /*
     * Record: 32 + 0x118 + 2 * 7 ("heapev") + 2 * 11 ("heapev.etl") = 348,
     * aligned 352; then (Windows 10/11, the default style) the 80-byte 0x0050
     * record, SavedOffset at its end, the build string (56) and DbgIdRsds (48).
     */
    assert_int_equal(get32(b + 0x00), 65536);
    assert_int_equal(get32(b + 0x04), 72 + 352 + 80);
    assert_int_equal(get32(b + 0x30), 72 + 352 + 80 + 56 + 48);
    assert_int_equal(get16(b + 0x34), 0x21);
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
    assert_int_equal(get32(lf + 0x34), 3000);      /* CpuSpeedInMHz: never 0 */
    assert_int_equal(get32(lf + 0x18), 156250);    /* TimerResolution */
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
    /* SavedOffset: the end of the 80-byte SYSTEM32 0x0050 record after the logfile header. */
    assert_int_equal(get32(b + 0x04), 72 + 824 + 80);
    static const uint8_t ext50[8] = {0x02, 0x00, 0x01, 0xC0, 0x50, 0x00, 0x50, 0x00};
    assert_memory_equal(b + 72 + 824, ext50, 8);
    assert_int_equal(b + 976 == b + 72 + 824 + 80, 1);
    assert_int_equal(b[976 + 2], 16); /* PERFINFO32 0x0042, the build string */
    assert_int_equal(get16(b + 976 + 6), 0x0042);
    size_t lab = get16(b + 976 + 4);
    assert_int_equal(lab, 16 + strlen((const char *)b + 976 + 16) + 1);
    size_t rsds = 976 + ((lab + 7) & ~(size_t)7);
    assert_int_equal(b[rsds + 2], 16);
    assert_int_equal(get16(b + rsds + 6), 0x0040);
    assert_int_equal(get32(b + 0x30), rsds + ((get16(b + rsds + 4) + 7u) & ~7u));
    assert_int_equal(get32(b + 0x30), heapev_etl_writer_header_length(&w));
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


/* ---- the writer: Windows 10/11 and Windows 7 header buffers ------------- */

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The 72-byte buffer header at @p b, but CurrentOffset (0x08) and State (0x2C), which real traces fill inconsistently. */
static void assert_buffer_header(const uint8_t *b, const uint8_t want[72])
{
    uint8_t got[72];
    memcpy(got, b, 72);
    memset(got + 0x08, 0, 4);
    memset(got + 0x2C, 0, 4);
    assert_memory_equal(got, want, 72);
}

/* A wanted buffer header: sizes and offsets, sequence, processor field, LoggerId 7, flags, type. */
static void want_buffer_header(uint8_t w[72], uint32_t saved, uint32_t offset, uint64_t seq,
                               uint16_t processor, uint16_t flags, uint16_t type, uint64_t stamp)
{
    memset(w, 0, 72);
    t_put(w + 0x00, 1024, 4);
    t_put(w + 0x04, saved, 4);
    t_put(w + 0x10, stamp, 8);
    t_put(w + 0x18, seq, 8);
    t_put(w + 0x28, processor, 2);
    t_put(w + 0x2A, 7, 2);
    t_put(w + 0x30, offset, 4);
    t_put(w + 0x34, flags, 2);
    t_put(w + 0x36, type, 2);
}

/* UTF-16LE of @p s (NUL included) at @p p. */
static void assert_utf16(const uint8_t *p, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i <= n; i++)
        assert_int_equal(get16(p + 2 * i), (unsigned char)s[i]);
}

typedef struct writer_case {
    heapev_etl_style style;
    int64_t perf_freq;     /* 0: the default, 10 MHz */
    int64_t start, end;    /* QPC ticks */
    int64_t start_ft, end_ft; /* the same as 100 ns units, by hand */
} writer_case;

#define BOOT 133000000000000000ll

/*
 * Write 3 data buffers (one SYSTEM64 Alloc each, flushed) with 1024-byte
 * buffers, 2 processors, LoggerId 7, BootTime BOOT and the case's clock;
 * names "heapev" and "heapev.etl" (the defaults). Returns the file.
 */
static sink_file write_case(const writer_case *k, heapev_etl_writer *w)
{
    static uint8_t buf[1024];
    sink_file out = {NULL, 0, 0};
    heapev_etl_writer_options o = {.buffer_size = 1024, .pointer_size = 8,
                                   .start_time = k->start, .boot_time = BOOT,
                                   .perf_freq = k->perf_freq, .number_of_processors = 2,
                                   .logger_id = 7, .style = k->style};
    assert_int_equal(heapev_etl_writer_init(w, &o, buf, sizeof buf, test_sink, &out), 0);
    for (int i = 1; i <= 3; i++) {
        heapev_event e;
        memset(&e, 0, sizeof e);
        e.header = (heapev_record_header){2, 2, 0xC0, 60, 0x1021, 1, 2, k->start + i, 0, 0};
        e.pointer_width = 8, e.heap_handle = 0x10000, e.size = 32, e.address = 0x20000, e.source = 3;
        assert_int_equal(heapev_etl_writer_add_event(w, &e, NULL), 0);
        assert_int_equal(heapev_etl_writer_flush(w), 0);
    }
    assert_int_equal(heapev_etl_writer_finish(w, k->end), 0);
    assert_int_equal(out.len, 4 * 1024);
    return out;
}

/*
 * The header buffer and data buffers, field by field (SPEC §4 and the real
 * traces of shared/realetl): Windows 10/11 (waasmedic, krabs): flags 0x21 on
 * the header buffer, 0x20 on data buffers, a u16 processor index; after the
 * logfile header (348 bytes at 72, to 420; next 424) an 80-byte SYSTEM64
 * 0x0050 record (424..503) with SavedOffset at its end (504), the build
 * string in PERFINFO64 0x0042 (504..559: 16 + 39 + 1) and DbgIdRsds in
 * PERFINFO64 0x0040 (560.., its Size 16 + 20 + the PDB name and NUL);
 * Offset = their aligned end. Windows 7 (syz process_data_32): SavedOffset 0,
 * Offset 424, flags 0x01, ProcessorNumber a byte then the alignment byte 8
 * (0x0800 | processor). Logfile: Version 0x0501000A / 0x05010106,
 * ProviderVersion 22621 / 7601, CpuSpeedInMHz 3000, TimerResolution 156250,
 * time zone UTC, StartTime = BootTime + start ticks at PerfFreq, EndTime the
 * same of the end.
 */
static void check_writer_case(const writer_case *k)
{
    heapev_etl_writer w;
    sink_file out = write_case(k, &w);
    int win10 = k->style == HEAPEV_ETL_STYLE_WIN10;
    const uint8_t *b = out.data;
    uint32_t saved = win10 ? 504 : 0;
    uint32_t offset = heapev_etl_writer_header_length(&w);
    uint32_t at[3] = {0, 0, 0};
    assert_int_equal(heapev_etl_writer_header_records(&w, at), win10 ? 3 : 0);
    if (win10) /* 0x0050, 0x0042, 0x0040 */
        assert_true(at[0] == 424 && at[1] == 504 && at[2] == 560);
    else
        assert_true(at[0] == 0 && at[1] == 0 && at[2] == 0); /* nothing written */
    uint8_t want[72];
    want_buffer_header(want, saved, offset, 0, win10 ? 0x0000 : 0x0800, win10 ? 0x21 : 0x01, 4, 0);
    assert_buffer_header(b, want);

    /* The logfile header record: SYSTEM64, Size 348, hook 0, SystemTime the start ticks. */
    static const uint8_t marker[8] = {0x02, 0x00, 0x02, 0xC0, 0x5C, 0x01, 0x00, 0x00};
    assert_memory_equal(b + 72, marker, 8);
    assert_true(get64(b + 72 + 16) == (uint64_t)k->start);
    const uint8_t *lf = b + 72 + 32;
    assert_int_equal(get32(lf + 0x00), 1024);
    assert_int_equal(get32(lf + 0x04), win10 ? 0x0501000A : 0x05010106);
    assert_int_equal(get32(lf + 0x08), win10 ? 22621 : 7601);
    assert_int_equal(get32(lf + 0x0C), 2);
    assert_true(get64(lf + 0x10) == (uint64_t)(BOOT + k->end_ft));
    assert_int_equal(get32(lf + 0x18), 156250);
    assert_int_equal(get32(lf + 0x20) & 0x04000000u, 0);
    assert_int_equal(get32(lf + 0x24), 4);
    assert_int_equal(get32(lf + 0x2C), 8);
    assert_int_equal(get32(lf + 0x30), 0);
    assert_int_equal(get32(lf + 0x34), 3000);
    assert_int_equal(get32(lf + 0x48), 0); /* TIME_ZONE_INFORMATION.Bias */
    assert_utf16(lf + 0x48 + 4, "Coordinated Universal Time");
    assert_utf16(lf + 0x48 + 88, "Coordinated Universal Time");
    assert_true(get64(lf + 0xF8) == (uint64_t)BOOT);
    assert_true(get64(lf + 0x100) == (uint64_t)(k->perf_freq ? k->perf_freq : 10000000));
    assert_true(get64(lf + 0x108) == (uint64_t)(BOOT + k->start_ft));
    assert_int_equal(get32(lf + 0x110), 1); /* ReservedFlags: the QPC clock */
    assert_int_equal(get32(lf + 0x114), 0);
    assert_utf16(lf + 0x118, "heapev");
    assert_utf16(lf + 0x118 + 14, "heapev.etl");

    if (win10) {
        static const uint8_t ext50[8] = {0x02, 0x00, 0x02, 0xC0, 0x50, 0x00, 0x50, 0x00};
        assert_memory_equal(b + 424, ext50, 8);
        static const uint8_t lab[8] = {0x02, 0x00, 0x11, 0xC0, 0x38, 0x00, 0x42, 0x00};
        assert_memory_equal(b + 504, lab, 8);
        assert_memory_equal(b + 520, "22621.1.amd64fre.ni_release.220506-1250", 40);
        const uint8_t *rsds = b + 560;
        static const uint8_t rsds_marker[4] = {0x02, 0x00, 0x11, 0xC0};
        assert_memory_equal(rsds, rsds_marker, 4);
        assert_int_equal(get16(rsds + 6), 0x0040);
        size_t size = get16(rsds + 4);
        size_t name = strlen((const char *)rsds + 36);
        assert_true(name > 0);
        assert_int_equal(size, 16 + 20 + name + 1);
        assert_int_equal(offset, 560 + ((size + 7) & ~(size_t)7));
    } else {
        assert_int_equal(offset, 424);
    }
    for (size_t i = offset; i < 1024; i++)
        assert_int_equal(b[i], 0xFF);

    /* Data buffers 1..3: one 60-byte record each (Offset 136), processors 0, 1, 0. */
    for (unsigned i = 1; i <= 3; i++) {
        const uint8_t *d = b + 1024 * i;
        uint16_t cpu = (uint16_t)((i - 1) % 2);
        want_buffer_header(want, 136, 136, i, win10 ? cpu : (uint16_t)(0x0800 | cpu),
                           win10 ? 0x20 : 0x01, 0, get64(d + 0x10));
        assert_buffer_header(d, want);
    }

    /* The reader reads it back without a finding. */
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, out.data, out.len);
    heapev_etl_item it;
    int events = 0;
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK) {
        assert_int_equal(it.kind, EV);
        assert_true(it.findings == 0);
        events++;
    }
    assert_int_equal(events, 3);
    const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
    assert_true(s->findings == 0 && s->notes == 0 && s->buffers == 4);
    assert_true(s->skipped == (win10 ? 3u : 0u));
    const heapev_etl_logfile *l = heapev_etl_reader_logfile(&r);
    assert_true(l->start_time == BOOT + k->start_ft && l->end_time == BOOT + k->end_ft);
    free(out.data);
}

static void test_writer_header_buffers(void **state)
{
    (void)state;
    static const writer_case cases[] = {
        /* 10 MHz: a tick is 100 ns. 5 s and 8 s. */
        {HEAPEV_ETL_STYLE_WIN10, 0, 50000000, 80000000, 50000000, 80000000},
        {HEAPEV_ETL_STYLE_WIN7, 0, 50000000, 80000000, 50000000, 80000000},
        /* 3 MHz: 15 300 000 ticks = 5.1 s, 16 200 000 = 5.4 s. */
        {HEAPEV_ETL_STYLE_WIN10, 3000000, 15300000, 16200000, 51000000, 54000000},
        /* 2 337 949 Hz (a real Windows 7 PerfFreq): 7 and 9 seconds of ticks. */
        {HEAPEV_ETL_STYLE_WIN7, 2337949, 7 * 2337949ll, 9 * 2337949ll, 70000000, 90000000},
    };
    for (size_t i = 0; i < N(cases); i++)
        check_writer_case(&cases[i]);
}

/*
 * Logfile fields given rather than defaulted: ReservedFlags (clock type 2),
 * CpuSpeedInMHz 2394, TimerResolution 156001, ProviderVersion 7600 (all as in
 * the real Windows 7 trace syz process_data_32); BuffersWritten counts a
 * buffer still being filled; a record too short to hold its SystemTime does
 * not move EndTime.
 */
static void test_writer_fields_given(void **state)
{
    (void)state;
    static uint8_t buf[1024];
    sink_file out = {NULL, 0, 0};
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.buffer_size = 1024, .pointer_size = 4, .start_time = 100,
                                   .clock_type = 2, .cpu_speed_mhz = 2394,
                                   .timer_resolution = 156001, .build = 7600,
                                   .style = HEAPEV_ETL_STYLE_WIN7};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out), 0);
    uint8_t rec[20];
    memset(rec, 0xEE, sizeof rec);
    t_put(rec, 2, 2), rec[2] = 1, rec[3] = 0xC0, t_put(rec + 4, 20, 2), t_put(rec + 6, 0x1024, 2);
    assert_int_equal(heapev_etl_writer_buffers(&w), 1);
    assert_int_equal(heapev_etl_writer_add_record(&w, rec, sizeof rec, NULL), 0);
    assert_int_equal(heapev_etl_writer_buffers(&w), 2); /* buffer 1 holds a record */
    assert_int_equal(heapev_etl_writer_finish(&w, 0), 0);
    const uint8_t *lf = out.data + 72 + 32;
    assert_int_equal(get32(lf + 0x08), 7600);
    assert_int_equal(get32(lf + 0x18), 156001);
    assert_int_equal(get32(lf + 0x24), 2);
    assert_int_equal(get32(lf + 0x34), 2394);
    assert_int_equal(get32(lf + 0x108), 2); /* ReservedFlags, PointerSize 4 */
    /* EndTime: BootTime 0 + the start (100 ticks at 10 MHz = 100), the record's bytes unread. */
    assert_true(get64(lf + 0x10) == 100);
    assert_true(get64(lf + 0x100) == 100); /* StartTime */
    free(out.data);
}

/*
 * Header lengths: with the default names and PointerSize 8 the logfile record
 * is 348 bytes (aligned 352): Windows 7 424, Windows 10/11 424 + 80 + 56 +
 * 48 = 608. A buffer exactly that long is accepted, 8 bytes less is not.
 * An unknown style is refused; a failed writer's header length is 0.
 */
static void test_writer_header_length(void **state)
{
    (void)state;
    static uint8_t buf[1024];
    sink_file out = {NULL, 0, 0};
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.buffer_size = 608};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out), 0);
    assert_int_equal(heapev_etl_writer_header_length(&w), 608);
    assert_int_equal(heapev_etl_writer_header_records(&w, NULL), 3);
    assert_int_equal(heapev_etl_writer_finish(&w, 0), 0);
    assert_int_equal(get32(out.data + 0x30), 608);
    o.buffer_size = 600;
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out),
                     HEAPEV_ETL_WRITE_INVALID);
    assert_int_equal(heapev_etl_writer_header_length(&w), 0);
    o = (heapev_etl_writer_options){.buffer_size = 424, .style = HEAPEV_ETL_STYLE_WIN7};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out), 0);
    assert_int_equal(heapev_etl_writer_header_length(&w), 424);
    assert_int_equal(heapev_etl_writer_header_records(&w, NULL), 0);
    o.buffer_size = 416;
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out),
                     HEAPEV_ETL_WRITE_INVALID);
    o = (heapev_etl_writer_options){.buffer_size = 1024, .style = (heapev_etl_style)2};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, test_sink, &out),
                     HEAPEV_ETL_WRITE_INVALID);
    free(out.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdio_fetch_offsets),
        cmocka_unit_test(test_stdio_read_error),
        cmocka_unit_test(test_stdio_errno_passed_on),
        cmocka_unit_test(test_fetch_io_errors),
        cmocka_unit_test(test_fetch_overreports),
        cmocka_unit_test(test_fetch_io_errors_chained),
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
        cmocka_unit_test(test_header_buffer_saved_offset),
        cmocka_unit_test(test_data_buffer_saved_offset),
        cmocka_unit_test(test_offset_bounds),
        cmocka_unit_test(test_wow64_records),
        cmocka_unit_test(test_wow64_limit_alone),
        cmocka_unit_test(test_64bit_record_in_32bit_trace),
        cmocka_unit_test(test_logfile_in_perfinfo_header),
        cmocka_unit_test(test_unfinished_hand),
        cmocka_unit_test(test_lz_literals_stream),
        cmocka_unit_test(test_compressed_trace),
        cmocka_unit_test(test_compressed_trace_stdio),
        cmocka_unit_test(test_compressed_without_scratch),
        cmocka_unit_test(test_decompress_failed),
        cmocka_unit_test(test_decompressed_size_mismatch),
        cmocka_unit_test(test_compressed_offset_invalid),
        cmocka_unit_test(test_compressed_record_findings),
        cmocka_unit_test(test_compressed_beyond_file),
        cmocka_unit_test(test_compressed_buffer_size_invalid),
        cmocka_unit_test(test_compressed_cut_in_header),
        cmocka_unit_test(test_compressed_flag_misplaced),
        cmocka_unit_test(test_compressed_buffer0_size_zero),
        cmocka_unit_test(test_compressed_mutations),
        cmocka_unit_test(test_guarded_every_cut),
        cmocka_unit_test(test_guarded_stream_end),
        cmocka_unit_test(test_guarded_scratch_overrun),
        cmocka_unit_test(test_writer_defaults),
        cmocka_unit_test(test_writer_long_name),
        cmocka_unit_test(test_writer_limits),
        cmocka_unit_test(test_writer_header_buffers),
        cmocka_unit_test(test_writer_header_length),
        cmocka_unit_test(test_writer_fields_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
