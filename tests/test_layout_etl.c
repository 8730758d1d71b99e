/*
 * test_layout_etl.c - the ETL layouts of heapev/layout.h (WMI_BUFFER_HEADER,
 * logfile header record) on hand-built bytes; the reader's opt-in SKIPPED and
 * RECORDS_END items (heapev_etl_read_options.report_skipped) on a hand-built
 * trace, and the default item stream unchanged by them; `heapev explain
 * --etl` putting each finding on exactly the bytes that cause it. Expected
 * offsets, sizes and hook ids are SPEC §4 numbers written here; bytes come
 * from testlib.h and literal arrays (independent of the library's le.h and
 * writer). Only the stream-equality test uses writer-made traces: it
 * compares the reader with itself.
 * argv[1] (optional) = path of the heapev binary for the CLI tests.
 */
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_json.h"
#include "layout_test.h"
#include "test_etl_common.h"



typedef struct want_field {
    heapev_field field;
    size_t offset, length;
    uint64_t value; /* checked when length <= 8 */
} want_field;

static void check_fields(const heapev_layout_range *r, size_t n, const want_field *w, size_t nw)
{
    assert_true(n >= nw);
    for (size_t i = 0; i < nw; i++) {
        if (r[i].field != w[i].field || r[i].offset != w[i].offset || r[i].length != w[i].length)
            fail_msg("range %zu: got %s @%zu len %zu, want %s @%zu len %zu", i,
                     heapev_field_name(r[i].field), r[i].offset, r[i].length,
                     heapev_field_name(w[i].field), w[i].offset, w[i].length);
        assert_int_equal(r[i].avail, r[i].length);
        if (w[i].length <= 8) {
            assert_true(r[i].has_value);
            assert_int_equal(r[i].value, w[i].value);
        } else {
            assert_false(r[i].has_value);
        }
    }
}

/* A 72-byte WMI_BUFFER_HEADER with a distinct value in every field. */
static void build_buffer_header(uint8_t *b)
{
    memset(b, 0xEE, 72);
    t_put(b + 0x00, 4096, 4);
    t_put(b + 0x04, 200, 4);
    t_put(b + 0x08, 208, 4);
    t_put(b + 0x0C, 3, 4);
    t_put(b + 0x10, 0x1122334455667788ull, 8);
    t_put(b + 0x18, 9, 8);
    t_put(b + 0x20, (10000000ull << 3) | 1u, 8);
    t_put(b + 0x28, 5, 2);
    t_put(b + 0x2A, 7, 2);
    t_put(b + 0x2C, 2, 4);
    t_put(b + 0x30, 200, 4);
    t_put(b + 0x34, 0x41, 2);
    t_put(b + 0x36, 4, 2);
}

static void test_buffer_header_fields(void **state)
{
    (void)state;
    uint8_t b[72];
    build_buffer_header(b);
    heapev_layout_range r[HEAPEV_LAYOUT_ETL_MAX_RANGES];
    size_t n = heapev_layout_etl_buffer(b, sizeof b, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES);
    const want_field want[] = {
        {HEAPEV_FIELD_BUF_BUFFER_SIZE, 0x00, 4, 4096},
        {HEAPEV_FIELD_BUF_SAVED_OFFSET, 0x04, 4, 200},
        {HEAPEV_FIELD_BUF_CURRENT_OFFSET, 0x08, 4, 208},
        {HEAPEV_FIELD_BUF_REFERENCE_COUNT, 0x0C, 4, 3},
        {HEAPEV_FIELD_BUF_TIMESTAMP, 0x10, 8, 0x1122334455667788ull},
        {HEAPEV_FIELD_BUF_SEQUENCE, 0x18, 8, 9},
        {HEAPEV_FIELD_BUF_CLOCK, 0x20, 8, (10000000ull << 3) | 1u},
        {HEAPEV_FIELD_BUF_PROCESSOR, 0x28, 2, 5},
        {HEAPEV_FIELD_BUF_LOGGER_ID, 0x2A, 2, 7},
        {HEAPEV_FIELD_BUF_STATE, 0x2C, 4, 2},
        {HEAPEV_FIELD_BUF_OFFSET, 0x30, 4, 200},
        {HEAPEV_FIELD_BUF_FLAG, 0x34, 2, 0x41},
        {HEAPEV_FIELD_BUF_TYPE, 0x36, 2, 4},
        {HEAPEV_FIELD_BUF_RESERVED, 0x38, 16, 0},
    };
    assert_int_equal(n, 14);
    check_fields(r, n, want, 14);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].findings, 0);
        assert_string_equal(heapev_field_part(r[i].field), "buffer");
    }
    expect_meaning(&r[6], "ClockType 1, Frequency 10000000");
    expect_meaning(&r[11], "flush marker | compressed (LZXpress)");
    expect_meaning(&r[12], "header");
    assert_string_equal(heapev_field_name(HEAPEV_FIELD_BUF_SAVED_OFFSET), "SavedOffset");

    /* Container findings land on their fields only. */
    heapev_findings f = HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID) | HEAPEV_FINDING(ETL_OFFSET_MISMATCH) |
                        HEAPEV_FINDING(ETL_BUFFER_COMPRESSED) | HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID);
    n = heapev_layout_etl_buffer(b, sizeof b, f, r, HEAPEV_LAYOUT_ETL_MAX_RANGES);
    for (size_t i = 0; i < n; i++) {
        /* saved_offset_invalid is about Offset (where records end), offset_mismatch about
         * SavedOffset (compared with it). */
        heapev_findings want_f = r[i].field == HEAPEV_FIELD_BUF_BUFFER_SIZE ? HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID)
                                 : r[i].field == HEAPEV_FIELD_BUF_SAVED_OFFSET ? HEAPEV_FINDING(ETL_OFFSET_MISMATCH)
                                 : r[i].field == HEAPEV_FIELD_BUF_OFFSET ? HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID)
                                 : r[i].field == HEAPEV_FIELD_BUF_FLAG ? HEAPEV_FINDING(ETL_BUFFER_COMPRESSED)
                                                                       : 0;
        assert_int_equal(r[i].findings, want_f);
    }
    /* The compressed-trace findings: decompression on the flag, its length on Offset, a
     * buffer past the file on BufferSize. */
    f = HEAPEV_FINDING(ETL_DECOMPRESS_FAILED) | HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH) | HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE);
    n = heapev_layout_etl_buffer(b, sizeof b, f, r, HEAPEV_LAYOUT_ETL_MAX_RANGES);
    for (size_t i = 0; i < n; i++) {
        heapev_findings want_f = r[i].field == HEAPEV_FIELD_BUF_BUFFER_SIZE ? HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE)
                                 : r[i].field == HEAPEV_FIELD_BUF_OFFSET ? HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH)
                                 : r[i].field == HEAPEV_FIELD_BUF_FLAG ? HEAPEV_FINDING(ETL_DECOMPRESS_FAILED)
                                                                       : 0;
        assert_int_equal(r[i].findings, want_f);
    }

    /* A header cut at 0x30: Offset on are listed with bytes missing. */
    n = heapev_layout_etl_buffer(b, 0x32, HEAPEV_FINDING(ETL_TRUNCATED_FILE), r, HEAPEV_LAYOUT_ETL_MAX_RANGES);
    assert_int_equal(n, 14);
    assert_int_equal(r[10].avail, 2);
    assert_false(r[10].has_value);
    assert_int_equal(r[10].findings, HEAPEV_FINDING(ETL_TRUNCATED_FILE));
    assert_int_equal(r[11].avail, 0);
    assert_int_equal(r[9].findings, 0);
    assert_int_equal(r[0].findings, HEAPEV_FINDING(ETL_TRUNCATED_FILE)); /* BufferSize: the size not reached */
    assert_int_equal(heapev_layout_etl_buffer(NULL, 0, 0, NULL, 0), 14);
}

/* Logfile header record: SYSTEM64 header + TRACE_LOGFILE_HEADER for pointer size @p ps. */
static size_t build_logfile(uint8_t *rec, unsigned ps)
{
    size_t fixed = ps == 8 ? 0x118 : 0x110; /* SPEC §4 */
    size_t names = 2 * 4 + 2 * 3;           /* "abc\0" "xy\0" in UTF-16LE */
    size_t size = 32 + fixed + names;
    memset(rec, 0, size + 16);
    t_header(rec, 2, ps == 8 ? 2 : 1, 0xC0, (uint16_t)size, 0x0000);
    uint8_t *q = rec + 32;
    t_put(q + 0x00, 65536, 4);
    t_put(q + 0x04, 0x01020305, 4);
    t_put(q + 0x0C, 4, 4);
    t_put(q + 0x10, 0x0AAAAAAAAAAAull, 8);
    t_put(q + 0x24, 3, 4);
    t_put(q + 0x2C, ps, 4);
    t_put(q + 0x34, 2400, 4);
    size_t boot = ps == 8 ? 0xF8 : 0xF0;
    t_put(q + boot, 0x0BBBBBBBBBBBull, 8);
    t_put(q + boot + 8, 10000000, 8);
    t_put(q + boot + 16, 0x0CCCCCCCCCCCull, 8);
    t_put(q + boot + 24, 1, 4);
    t_put(q + boot + 28, 6, 4);
    const char *s = "abc\0xy";
    for (size_t i = 0; i < 7; i++)
        t_put(q + fixed + 2 * i, (uint8_t)s[i], 2);
    return size;
}

static void test_logfile_fields(void **state)
{
    (void)state;
    uint8_t rec[512];
    heapev_layout_range r[HEAPEV_LAYOUT_ETL_MAX_RANGES];
    for (unsigned ps = 4; ps <= 8; ps += 4) {
        size_t size = build_logfile(rec, ps), used = 0;
        size_t n = heapev_layout_etl_logfile(rec, size + 16, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES,
                                             &used);
        assert_int_equal(used, size);
        size_t p = ps, tz = 0x38 + 2 * p, boot = tz + 176, fixed = boot + 32;
        const want_field want[] = {
            {HEAPEV_FIELD_LF_BUFFER_SIZE, 32 + 0x00, 4, 65536},
            {HEAPEV_FIELD_LF_VERSION, 32 + 0x04, 4, 0x01020305},
            {HEAPEV_FIELD_LF_PROVIDER_VERSION, 32 + 0x08, 4, 0},
            {HEAPEV_FIELD_LF_PROCESSORS, 32 + 0x0C, 4, 4},
            {HEAPEV_FIELD_LF_END_TIME, 32 + 0x10, 8, 0x0AAAAAAAAAAAull},
            {HEAPEV_FIELD_LF_TIMER_RESOLUTION, 32 + 0x18, 4, 0},
            {HEAPEV_FIELD_LF_MAX_FILE_SIZE, 32 + 0x1C, 4, 0},
            {HEAPEV_FIELD_LF_LOG_FILE_MODE, 32 + 0x20, 4, 0},
            {HEAPEV_FIELD_LF_BUFFERS_WRITTEN, 32 + 0x24, 4, 3},
            {HEAPEV_FIELD_LF_START_BUFFERS, 32 + 0x28, 4, 0},
            {HEAPEV_FIELD_LF_POINTER_SIZE, 32 + 0x2C, 4, ps},
            {HEAPEV_FIELD_LF_EVENTS_LOST, 32 + 0x30, 4, 0},
            {HEAPEV_FIELD_LF_CPU_SPEED, 32 + 0x34, 4, 2400},
            {HEAPEV_FIELD_LF_LOGGER_NAME, 32 + 0x38, p, 0},
            {HEAPEV_FIELD_LF_LOG_FILE_NAME, 32 + 0x38 + p, p, 0},
            {HEAPEV_FIELD_LF_TIME_ZONE, 32 + tz, 172, 0},
            {HEAPEV_FIELD_LF_PADDING, 32 + tz + 172, 4, 0},
            {HEAPEV_FIELD_LF_BOOT_TIME, 32 + boot, 8, 0x0BBBBBBBBBBBull},
            {HEAPEV_FIELD_LF_PERF_FREQ, 32 + boot + 8, 8, 10000000},
            {HEAPEV_FIELD_LF_START_TIME, 32 + boot + 16, 8, 0x0CCCCCCCCCCCull},
            {HEAPEV_FIELD_LF_RESERVED_FLAGS, 32 + boot + 24, 4, 1},
            {HEAPEV_FIELD_LF_BUFFERS_LOST, 32 + boot + 28, 4, 6},
        };
        assert_int_equal(n, 10 + 22 + 2); /* SYSTEM header, fixed part, two names */
        assert_int_equal(r[0].field, HEAPEV_FIELD_VERSION);
        assert_int_equal(r[4].field, HEAPEV_FIELD_HOOK_ID);
        check_fields(r + 10, n - 10, want, 22);
        assert_int_equal(fixed, ps == 8 ? 0x118u : 0x110u);
        assert_int_equal(r[32].field, HEAPEV_FIELD_LF_SESSION_NAME);
        assert_int_equal(r[32].offset, 32 + fixed);
        assert_int_equal(r[32].length, 8);
        assert_int_equal(r[33].field, HEAPEV_FIELD_LF_FILE_NAME);
        assert_int_equal(r[33].length, 6);
        assert_string_equal(heapev_field_part(r[12].field), "logfile");
        expect_meaning(&r[20], ps == 8 ? "64-bit payloads" : "32-bit payloads");
    }

    /* PointerSize 5: the finding on PointerSize, the rest undecoded. */
    size_t size = build_logfile(rec, 8);
    t_put(rec + 32 + 0x2C, 5, 4);
    size_t n = heapev_layout_etl_logfile(rec, size, HEAPEV_FINDING(ETL_POINTER_SIZE_INVALID) |
                                                        HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH),
                                         r, HEAPEV_LAYOUT_ETL_MAX_RANGES, NULL);
    assert_int_equal(n, 10 + 13 + 1);
    assert_int_equal(r[20].field, HEAPEV_FIELD_LF_POINTER_SIZE);
    assert_int_equal(r[20].findings, HEAPEV_FINDING(ETL_POINTER_SIZE_INVALID));
    assert_int_equal(r[18].findings, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH));
    expect_meaning(&r[20], "invalid: neither 4 nor 8");
    assert_int_equal(r[23].field, HEAPEV_FIELD_UNDECODED);
    assert_int_equal(r[23].offset, 32 + 0x38);
    assert_int_equal(r[23].offset + r[23].length, size);
    for (size_t i = 0; i < n; i++)
        if (i != 18 && i != 20)
            assert_int_equal(r[i].findings, 0);
}

/* Buffer header meanings not met elsewhere; BufferFlag text cut by a small cap. */
static void test_buffer_header_meaning_edges(void **state)
{
    (void)state;
    uint8_t b[72];
    build_buffer_header(b);
    t_put(b + 0x04, 0, 4);      /* SavedOffset 0: a Windows 7 header buffer */
    t_put(b + 0x30, 8, 4);      /* Offset below the header */
    t_put(b + 0x34, 0x103, 2);  /* flush marker, events lost, bit 0x100 */
    t_put(b + 0x36, 1, 2);      /* rundown */
    heapev_layout_range r[HEAPEV_LAYOUT_ETL_MAX_RANGES];
    assert_int_equal(heapev_layout_etl_buffer(b, sizeof b, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES), 14);
    char text[64];
    expect_meaning(&r[1], "0: as Windows 7 writes it in the header buffer");
    expect_meaning(&r[10], "end of the records: below the 72-byte buffer header");
    t_put(b + 0x04, 200, 4);
    assert_int_equal(heapev_layout_etl_buffer(b, sizeof b, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES), 14);
    expect_meaning(&r[1], "compared with Offset, not used to read");
    t_put(b + 0x34, 0x21, 2); /* the flags of a real Windows 10/11 header buffer */
    assert_int_equal(heapev_layout_etl_buffer(b, sizeof b, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES), 14);
    expect_meaning(&r[11], "flush marker | processor index");
    t_put(b + 0x34, 0x103, 2);
    assert_int_equal(heapev_layout_etl_buffer(b, sizeof b, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES), 14);
    expect_meaning(&r[12], "rundown");
    const char *flags = "flush marker | events lost | other bits 0x100";
    assert_int_equal(heapev_layout_meaning(&r[11], text, sizeof text), strlen(flags));
    assert_string_equal(text, flags);
    /* Room for 4 characters: the length of the whole text is still returned. */
    assert_int_equal(heapev_layout_meaning(&r[11], text, 5), strlen(flags));
    assert_string_equal(text, "flus");
    assert_int_equal(heapev_layout_meaning(&r[11], NULL, 0), strlen(flags));
}

/* The logfile record's extent and names at their edges (build_logfile(): Size 326). */
static void test_logfile_layout_edges(void **state)
{
    (void)state;
    uint8_t rec[512];
    heapev_layout_range r[HEAPEV_LAYOUT_ETL_MAX_RANGES];
    size_t used = 0, n;
    assert_int_equal(build_logfile(rec, 8), 326);

    /* 5 bytes: the 32-byte header's fields, Size (4..5) half there, nothing more. */
    n = heapev_layout_etl_logfile(rec, 5, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES, &used);
    assert_int_equal(n, 10);
    assert_int_equal(used, 5);
    assert_int_equal(r[3].field, HEAPEV_FIELD_RECORD_SIZE);
    assert_int_equal(r[3].avail, 1);
    assert_int_equal(r[4].avail, 0);

    /* Size below the header (16) or beyond the bytes (400): the record ends at len. */
    const unsigned bad[] = {16, 400};
    for (size_t i = 0; i < 2; i++) {
        t_put(rec + 4, bad[i], 2);
        n = heapev_layout_etl_logfile(rec, 326, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES, &used);
        assert_int_equal(used, 326);
        assert_int_equal(n, 10 + 22 + 2);
        assert_int_equal(r[33].field, HEAPEV_FIELD_LF_FILE_NAME);
        assert_int_equal(r[33].offset + r[33].length, 326);
    }

    /* Size 64: the record ends at +0x20 (LogFileMode), before PointerSize: the 13
     * fields to CpuSpeedInMHz, those past the end without bytes, nothing undecoded. */
    t_put(rec + 4, 64, 2);
    n = heapev_layout_etl_logfile(rec, 326, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES, &used);
    assert_int_equal(used, 64);
    assert_int_equal(n, 10 + 13);
    assert_int_equal(r[16].field, HEAPEV_FIELD_LF_MAX_FILE_SIZE); /* 32 + 0x1C .. 64 */
    assert_int_equal(r[16].avail, 4);
    assert_int_equal(r[17].field, HEAPEV_FIELD_LF_LOG_FILE_MODE); /* 64 .. 68 */
    assert_int_equal(r[17].avail, 0);
    assert_int_equal(r[22].field, HEAPEV_FIELD_LF_CPU_SPEED);

    /* Size 312: the fixed part and no names. */
    t_put(rec + 4, 312, 2);
    n = heapev_layout_etl_logfile(rec, 326, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES, &used);
    assert_int_equal(used, 312);
    assert_int_equal(n, 10 + 22);
    assert_int_equal(r[31].field, HEAPEV_FIELD_LF_BUFFERS_LOST);

    /* Size 318: "abc" without its NUL: the session name runs to the end, no file name. */
    t_put(rec + 4, 318, 2);
    n = heapev_layout_etl_logfile(rec, 326, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES, &used);
    assert_int_equal(n, 10 + 22 + 1);
    assert_int_equal(r[32].field, HEAPEV_FIELD_LF_SESSION_NAME);
    assert_int_equal(r[32].offset, 312);
    assert_int_equal(r[32].length, 6);

    /* Size 330: 4 bytes after both names are trailing. */
    t_put(rec + 4, 330, 2);
    n = heapev_layout_etl_logfile(rec, 342, 0, r, HEAPEV_LAYOUT_ETL_MAX_RANGES, &used);
    assert_int_equal(used, 330);
    assert_int_equal(n, 10 + 22 + 3);
    assert_int_equal(r[34].field, HEAPEV_FIELD_TRAILING);
    assert_int_equal(r[34].offset, 326);
    assert_int_equal(r[34].length, 4);
    expect_meaning(&r[34], "4 bytes beyond the version 0 layout, ignored");
}

static void test_every_etl_finding_has_a_field(void **state)
{
    (void)state;
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (strncmp(heapev_finding_get(c)->name, "etl_", 4) == 0 &&
            heapev_layout_finding_fields((heapev_finding)c) == 0)
            fail_msg("%s points at no field", heapev_finding_get(c)->name);
    for (unsigned f = 0; f < HEAPEV_FIELD_COUNT; f++) {
        assert_non_null(heapev_field_name((heapev_field)f));
        assert_non_null(heapev_field_part((heapev_field)f));
    }
    assert_null(heapev_field_part(HEAPEV_FIELD_COUNT));
}

/* ---- a hand-built trace -------------------------------------------------- */

/*
 * Four 512-byte buffers (SPEC §4 offsets, bytes from testlib.h):
 *
 *   buffer 0 @0     SavedOffset 400: the logfile header record (PointerSize 8,
 *                   BufferSize 512, BuffersWritten 4), 326 bytes at 72
 *   buffer 1 @512   SavedOffset 232:
 *                     @584  t_record_source6(): heap Alloc, SYSTEM64, 60 bytes, Source 6
 *                           at 584 + 56, Address 0x1d2a0e51238 (misaligned) at 584 + 48
 *                     @648  Free (0x1024), SYSTEM64, 36 bytes
 *                     @688  WPP message (flags 0x90), 12 bytes
 *                     @704  PERFINFO64 (type 17) Alloc, 16 bytes: etl_header_type_unsupported
 *                     @720  COMPACT32 (type 3) Free, 24 bytes: etl_pointer_size_mismatch
 *   buffer 2 @1024  SavedOffset 600 (> 512): etl_saved_offset_invalid, records skipped
 *   buffer 3 @1536  SavedOffset 200:
 *                     @1608 Destroy (0x1023), SYSTEM64, 40 bytes
 *                     @1648 a marker with flags 0x00: etl_header_type_unsupported, walk stops
 */
enum { BS = 512, NBUF = 4 };

static void put_buffer_header(uint8_t *b, uint32_t saved)
{
    memset(b, 0, 72);
    t_put(b + 0x00, BS, 4);
    t_put(b + 0x04, saved, 4);
    t_put(b + 0x08, saved, 4);
    t_put(b + 0x30, saved, 4);
}

static void build_trace(uint8_t *f)
{
    memset(f, 0xFF, (size_t)BS * NBUF);
    put_buffer_header(f, 400);
    assert_int_equal(build_logfile(f + 72, 8), 326);
    t_put(f + 72 + 32 + 0x00, BS, 4); /* logfile BufferSize */
    t_put(f + 72 + 32 + 0x24, NBUF, 4); /* BuffersWritten */

    uint8_t *b = f + BS;
    put_buffer_header(b, 232);
    assert_int_equal(t_record_source6(b + 72), 60);
    t_header(b + 136, 2, 2, 0xC0, 36, 0x1024);
    memset(b + 176, 0x11, 12); /* WPP message: Size at 0, flags 0x90 */
    t_put(b + 176, 12, 2), b[178] = 0, b[179] = 0x90;
    memset(b + 192, 0xAB, 16); /* PERFINFO64 header of a heap Free (no payload) */
    t_put(b + 192, 2, 2), b[194] = 17, b[195] = 0xC0;
    t_put(b + 196, 16, 2), t_put(b + 198, 0x1024, 2);
    t_header(b + 208, 2, 3, 0xC0, 24, 0x1024);

    put_buffer_header(f + 2 * BS, 600);

    b = f + 3 * BS;
    put_buffer_header(b, 200);
    t_header(b + 72, 2, 2, 0xC0, 40, 0x1023);
    t_put(b + 112, 0x00020002, 4); /* Version 2, type 2, flags 0x00: no known marker */
}

typedef struct want_item {
    heapev_etl_item_kind kind;
    uint64_t buffer, offset;
    heapev_findings findings;
    uint32_t size;        /* SKIPPED */
    uint8_t header_type, flags, has_hook_id;
    uint16_t hook_id;
} want_item;

#define EV HEAPEV_ETL_ITEM_EVENT
#define CO HEAPEV_ETL_ITEM_CONTAINER
#define SK HEAPEV_ETL_ITEM_SKIPPED
#define RE HEAPEV_ETL_ITEM_RECORDS_END

/* What the reader returns for build_trace(), report_skipped on. */
static const want_item trace_items[] = {
    {RE, 0, 400, 0, 0, 0, 0, 0, 0},
    {EV, 1, 584, HEAPEV_FINDING(SOURCE_RESERVED) | HEAPEV_FINDING(ADDRESS_MISALIGNED), 0, 0, 0, 0, 0},
    {SK, 1, 648, 0, 36, 2, 0xC0, 1, 0x1024},
    {SK, 1, 688, 0, 12, 0, 0x90, 0, 0},
    {SK, 1, 704, 0, 16, 17, 0xC0, 1, 0x1024},
    {SK, 1, 720, 0, 24, 3, 0xC0, 1, 0x1024}, /* COMPACT32 in a 64-bit trace: WOW64's, fine */
    {RE, 1, 744, 0, 0, 0, 0, 0, 0},
    {CO, 2, 1024, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID), 0, 0, 0, 0, 0},
    {RE, 2, 1096, 0, 0, 0, 0, 0, 0},
    {SK, 3, 1608, 0, 40, 2, 0xC0, 1, 0x1023},
    {CO, 3, 1648, HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED), 0, 0, 0, 0, 0},
    {RE, 3, 1736, 0, 0, 0, 0, 0, 0},
};
#define N_TRACE_ITEMS (sizeof trace_items / sizeof trace_items[0])

static void expect_items(heapev_etl_reader *r, int skipped_too)
{
    heapev_etl_item it;
    size_t k = 0;
    for (size_t i = 0; i < N_TRACE_ITEMS; i++) {
        const want_item *w = &trace_items[i];
        if (!skipped_too && (w->kind == SK || w->kind == RE))
            continue;
        assert_int_equal(heapev_etl_next(r, &it), HEAPEV_ETL_OK);
        if (it.kind != w->kind || it.buffer != w->buffer || it.offset != w->offset)
            fail_msg("item %zu: kind %d buffer %llu @%llu, want kind %d buffer %llu @%llu", k,
                     (int)it.kind, (unsigned long long)it.buffer, (unsigned long long)it.offset,
                     (int)w->kind, (unsigned long long)w->buffer, (unsigned long long)w->offset);
        assert_int_equal(it.findings, w->findings);
        assert_int_equal(it.skipped.size, w->size);
        assert_int_equal(it.skipped.header_type, w->header_type);
        assert_int_equal(it.skipped.flags, w->flags);
        assert_int_equal(it.skipped.has_hook_id, w->has_hook_id);
        assert_int_equal(it.skipped.hook_id, w->hook_id);
        if (w->kind == EV) {
            assert_int_equal(it.event.source, 6);
            assert_int_equal(it.event.address, 0x1d2a0e51238ull);
            assert_int_equal(it.event.header.size, 60);
        }
        k++;
    }
    assert_int_equal(heapev_etl_next(r, &it), HEAPEV_ETL_END);
    assert_int_equal(heapev_etl_next(r, &it), HEAPEV_ETL_END);
    const heapev_etl_stats *s = heapev_etl_reader_stats(r);
    assert_int_equal(s->buffers, NBUF);
    assert_int_equal(s->events, 1);
    assert_int_equal(s->skipped, 5); /* the SKIPPED items, with or without them */
    assert_int_equal(s->container_items, 2);
    assert_int_equal(s->event_findings, 1);
    assert_int_equal(s->findings, 4);
    assert_int_equal(heapev_etl_reader_buffer_size(r), BS);
}

static void test_reader_skipped_items(void **state)
{
    (void)state;
    static uint8_t f[BS * NBUF];
    build_trace(f);
    heapev_etl_reader r;
    heapev_etl_read_options on = {.report_skipped = 1};
    heapev_etl_reader_init_memory(&r, &on, f, sizeof f);
    assert_int_equal(heapev_etl_reader_buffer_size(&r), 0);
    expect_items(&r, 1);
    /* Default options, and report_skipped 0: the same items less SKIPPED and RECORDS_END. */
    heapev_etl_reader_init_memory(&r, NULL, f, sizeof f);
    expect_items(&r, 0);
    heapev_etl_read_options off = {.report_skipped = 0};
    heapev_etl_reader_init_memory(&r, &off, f, sizeof f);
    expect_items(&r, 0);

    /* Streamed through stdio: each item's bytes are still the buffer the fetch gave last. */
    FILE *in = fmemopen(f, sizeof f, "rb");
    assert_non_null(in);
    static uint8_t mem[BS];
    heapev_etl_stdio src = {in, mem, sizeof mem, 0, 0, 0};
    heapev_etl_read_options small = {.max_buffer_size = BS, .report_skipped = 1};
    heapev_etl_reader_init(&r, &small, heapev_etl_stdio_fetch, &src);
    heapev_etl_item it;
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK) {
        if (it.kind != SK)
            continue;
        assert_int_equal(src.start, it.buffer * BS);
        const uint8_t *rec = mem + (it.offset - src.start);
        assert_memory_equal(rec, f + it.offset, it.skipped.size);
    }
    fclose(in);
}

/* Empty, short and size-less files: no buffer is opened, so no RECORDS_END. */
static void test_reader_records_end_edges(void **state)
{
    (void)state;
    uint8_t f[BS];
    heapev_etl_read_options on = {.report_skipped = 1};
    heapev_etl_reader r;
    heapev_etl_item it;
    const size_t lens[] = {0, 40};
    for (size_t i = 0; i < 2; i++) {
        memset(f, 0, sizeof f);
        heapev_etl_reader_init_memory(&r, &on, f, lens[i]);
        assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_OK);
        assert_int_equal(it.kind, CO);
        assert_int_equal(it.offset, 0);
        assert_int_equal(heapev_etl_next(&r, &it), HEAPEV_ETL_END);
    }
    /* A single buffer whose file ends at byte 300 of 512: records end at the cut. */
    memset(f, 0xFF, sizeof f);
    put_buffer_header(f, 400);
    build_logfile(f + 72, 8);
    t_put(f + 72 + 32, BS, 4);
    t_put(f + 72 + 32 + 0x24, 1, 4);
    heapev_etl_reader_init_memory(&r, &on, f, 300);
    int saw_end = 0;
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK) {
        if (it.kind == RE) {
            assert_int_equal(it.buffer, 0);
            assert_int_equal(it.offset, 300);
            saw_end = 1;
        }
    }
    assert_true(saw_end);
}

/* The writer's traces with noise and damage: the default stream is the opt-in one, filtered. */
static void test_reader_default_stream_unchanged(void **state)
{
    (void)state;
    heapev_rng rng;
    heapev_rng_seed(&rng, 77);
    for (int round = 0; round < 40; round++) {
        enum { WB = 1024 };
        mem_file m = {NULL, 0, 0, -1};
        uint8_t wbuf[WB], rec[T_NOISE_MAX];
        unsigned w = round % 2 ? 8 : 4;
        heapev_etl_writer_options wo = {.buffer_size = WB, .pointer_size = w};
        heapev_etl_writer wr;
        assert_int_equal(heapev_etl_writer_init(&wr, &wo, wbuf, WB, mem_sink, &m),
                         HEAPEV_ETL_WRITE_OK);
        heapev_gen g;
        t_alloc_gen_init(&g, 77 + (uint64_t)round, w, 0.5);
        for (int i = 0; i < 60; i++) {
            if (heapev_rng_bounded(&rng, 3) == 0) {
                size_t n = t_noise(rec, &rng, w, i);
                assert_int_equal(heapev_etl_writer_add_record(&wr, rec, n, NULL),
                                 HEAPEV_ETL_WRITE_OK);
            } else {
                heapev_gen_item it;
                t_alloc_next(&g, &it);
                assert_int_equal(heapev_etl_writer_add_event(&wr, &it.event, NULL),
                                 HEAPEV_ETL_WRITE_OK);
            }
        }
        assert_int_equal(heapev_etl_writer_finish(&wr, 0), HEAPEV_ETL_WRITE_OK);
        for (int k = 0; k < round % 5; k++) /* a few damaged bytes */
            m.data[heapev_rng_bounded(&rng, m.len)] = (uint8_t)heapev_rng_next(&rng);
        size_t len = round % 7 == 6 ? m.len - heapev_rng_bounded(&rng, WB) : m.len;

        heapev_etl_reader a, b;
        heapev_etl_read_options on = {.report_skipped = 1};
        heapev_etl_reader_init_memory(&a, NULL, m.data, len);
        heapev_etl_reader_init_memory(&b, &on, m.data, len);
        heapev_etl_item x, y;
        heapev_etl_status sa, sb;
        uint64_t skipped = 0, ends = 0, last_end_buffer = UINT64_MAX;
        uint64_t floor = 0; /* no record starts before the end of the previous skipped one */
        do {
            sa = heapev_etl_next(&a, &x);
            while ((sb = heapev_etl_next(&b, &y)) == HEAPEV_ETL_OK &&
                   (y.kind == SK || y.kind == RE)) {
                assert_int_equal(y.findings, 0);
                if (y.kind == SK) {
                    skipped++;
                    assert_true(y.offset >= floor);
                    assert_int_equal((y.offset - y.buffer * WB) % 8, 0);
                    assert_true(y.offset - y.buffer * WB >= 72);
                    assert_true(y.offset + y.skipped.size <= len);
                    floor = y.offset + y.skipped.size;
                } else {
                    ends++;
                    assert_true(last_end_buffer == UINT64_MAX || y.buffer == last_end_buffer + 1);
                    last_end_buffer = y.buffer;
                }
            }
            assert_int_equal(sa, sb);
            if (sa == HEAPEV_ETL_OK) {
                assert_int_equal(x.kind, y.kind);
                assert_int_equal(x.buffer, y.buffer);
                assert_int_equal(x.offset, y.offset);
                assert_int_equal(x.findings, y.findings);
                assert_memory_equal(&x.event, &y.event, sizeof x.event);
                if (x.kind == EV)
                    floor = x.offset + x.event.header.size;
            }
        } while (sa == HEAPEV_ETL_OK);
        assert_memory_equal(heapev_etl_reader_stats(&a), heapev_etl_reader_stats(&b),
                            sizeof(heapev_etl_stats));
        assert_int_equal(skipped, heapev_etl_reader_stats(&b)->skipped);
        if (heapev_etl_reader_buffer_size(&b) != 0)
            assert_int_equal(ends, heapev_etl_reader_stats(&b)->buffers);
        free(m.data);
    }
}

/* ---- CLI ----------------------------------------------------------------- */

/* The range at @p offset is @p length bytes of @p field in @p buffer, with @p finding or none. */
static void expect_range_in(json_t *list, long long offset, long long length, const char *field,
                            long long buffer, const char *finding)
{
    json_t *r = expect_range(list, offset, length, field, finding);
    assert_int_equal(json_integer_value(json_object_get(r, "buffer")), buffer);
}

/* The ranges of `heapev explain --etl --json --count @p count @p path`, which exits 1 (findings). */
static json_t *explain_ranges(const char *path, const char *count)
{
    run_result r = run_args(NULL, "explain", "--etl", "--json", "--count", count, path, NULL);
    assert_int_equal(r.status, 1);
    json_t *list = json_list(r.out, r.out_len);
    free_result(&r);
    return list;
}

static void test_cli_findings_on_bytes(void **state)
{
    (void)state;
    if (heapev_bin == NULL)
        skip();
    static uint8_t f[BS * NBUF];
    build_trace(f);
    const char *path = tmp_path("trace.etl");
    write_file(path, f, sizeof f);

    /* Every buffer: each finding on the bytes that cause it, and nothing else flagged. */
    json_t *list = explain_ranges(path, "0");
    expect_range_in(list, 584 + 56, 4, "Source", 1, "source_reserved");
    expect_range_in(list, 584 + 48, 8, "Address", 1, "address_misaligned");
    expect_range_in(list, 584 + 40, 8, "Size", 1, NULL);
    expect_range_in(list, 584 + 4, 2, "Size", 1, NULL);
    json_t *source = range_at(list, 640, "Source");
    assert_int_equal(json_integer_value(json_object_get(source, "value")), 6);
    expect_range_in(list, 2 * BS + 4, 4, "SavedOffset", 2, NULL);
    expect_range_in(list, 2 * BS + 0x30, 4, "Offset", 2, "etl_saved_offset_invalid");
    expect_range_in(list, 1648 + 2, 1, "HeaderType", 3, "etl_header_type_unsupported");
    assert_int_equal(count_flagged(list), 4);
    /* Skipped records: one range each, from the reader's Size. */
    expect_range_in(list, 648, 36, "skipped record", 1, NULL);
    expect_range_in(list, 688, 12, "skipped record", 1, NULL);
    expect_range_in(list, 704, 16, "skipped record", 1, NULL);
    expect_range_in(list, 720, 24, "skipped record", 1, NULL);
    expect_range_in(list, 1608, 40, "skipped record", 3, NULL);
    assert_string_equal(json_string_value(json_object_get(range_at(list, 648, "skipped record"),
                                                          "value")),
                        "0x1024");
    /* The logfile header and the buffer headers. */
    expect_range_in(list, 72 + 32 + 0x2C, 4, "PointerSize", 0, NULL);
    expect_range_in(list, 72 + 32 + 0x24, 4, "BuffersWritten", 0, NULL);
    assert_string_equal(json_string_value(json_object_get(range_at(list, 72 + 32 + 0x2C,
                                                                   "PointerSize"),
                                                          "part")),
                        "logfile");
    for (int b = 0; b < NBUF; b++)
        expect_range_in(list, (long long)b * BS, 4, "BufferSize", b, NULL);
    json_decref(list);

    /* Default --count 2: buffers 0 and 1 only. */
    run_result r = run_args(NULL, "explain", "--etl", "--json", path, NULL);
    assert_int_equal(r.status, 1);
    list = json_list(r.out, r.out_len);
    size_t i;
    json_t *range;
    json_array_foreach(list, i, range) {
        assert_true(json_integer_value(json_object_get(range, "buffer")) < 2);
    }
    assert_int_equal(count_flagged(list), 2);
    json_decref(list);

    /* Standard input gives the same ranges. */
    run_result in = run_args(path, "explain", "--etl", "--json", "-", NULL);
    assert_int_equal(in.status, 1);
    assert_string_equal(in.out, r.out);
    free_result(&in), free_result(&r);

    /* Text: --offset picks buffer 1; each finding line right under its bytes. */
    char at[32];
    snprintf(at, sizeof at, "%d", BS + 100);
    r = run_args(NULL, "explain", "--etl", "--no-color", "--offset", at, "--count", "1", path,
                 NULL);
    assert_int_equal(r.status, 1);
    assert_null(strchr(r.out, '\033'));
    assert_non_null(strstr(r.out, "@512: buffer 1, WMI_BUFFER_HEADER"));
    assert_null(strstr(r.out, "buffer 0,"));
    assert_null(strstr(r.out, "buffer 2,"));
    expect_marked(r.out, "00000280  06 00 00 00", "source_reserved"); /* 640 */
    expect_marked(r.out, "00000278  38 12 e5 a0 d2 01 00 00", "address_misaligned"); /* 632 */
    assert_non_null(strstr(r.out, "00000288  record skipped: 36 bytes, HookId 0x1024"));
    assert_non_null(strstr(r.out, "end of records (232 of 512 bytes used)"));
    free_result(&r);

    /* Buffer 2 alone: its finding on Offset (0x30), right under it; exit 1. */
    snprintf(at, sizeof at, "%d", 2 * BS);
    r = run_args(NULL, "explain", "--etl", "--no-color", "--offset", at, "--count", "1", path,
                 NULL);
    assert_int_equal(r.status, 1);
    expect_marked(r.out, "00000430  58 02 00 00", "etl_saved_offset_invalid"); /* 1072: 600 */
    free_result(&r);

    /* Beyond the last buffer: usage error. */
    snprintf(at, sizeof at, "%d", NBUF * BS);
    r = run_args(NULL, "explain", "--etl", "--offset", at, path, NULL);
    assert_int_equal(r.status, 2);
    free_result(&r);
}

/* Logfile findings: PointerSize 5 on its range; BuffersWritten, found at the end, on its range. */
static void test_cli_logfile_findings(void **state)
{
    (void)state;
    if (heapev_bin == NULL)
        skip();
    static uint8_t f[BS * NBUF];
    build_trace(f);
    t_put(f + 72 + 32 + 0x2C, 5, 4);
    t_put(f + 72 + 32 + 0x24, 7, 4);
    const char *path = tmp_path("logfile.etl");
    write_file(path, f, sizeof f);
    json_t *list = explain_ranges(path, "1");
    expect_range_in(list, 72 + 32 + 0x2C, 4, "PointerSize", 0, "etl_pointer_size_invalid");
    expect_range_in(list, 72 + 32 + 0x24, 4, "BuffersWritten", 0, "etl_buffers_written_mismatch");
    assert_int_equal(count_flagged(list), 2);
    json_decref(list);

    /* A clean trace shows no finding and exits 0: buffer 0 of the clean file. */
    build_trace(f);
    write_file(path, f, sizeof f);
    run_result r = run_args(NULL, "explain", "--etl", "--count", "1", "--no-color", path, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "logfile header record"));
    free_result(&r);
}

int main(int argc, char **argv)
{
    heapev_bin = argc > 1 ? argv[1] : NULL;
    if (cli_tmpdir_create("layout-etl") != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffer_header_fields),
        cmocka_unit_test(test_logfile_fields),
        cmocka_unit_test(test_buffer_header_meaning_edges),
        cmocka_unit_test(test_logfile_layout_edges),
        cmocka_unit_test(test_every_etl_finding_has_a_field),
        cmocka_unit_test(test_reader_skipped_items),
        cmocka_unit_test(test_reader_records_end_edges),
        cmocka_unit_test(test_reader_default_stream_unchanged),
        cmocka_unit_test(test_cli_findings_on_bytes),
        cmocka_unit_test(test_cli_logfile_findings),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (cli_tmpdir_remove() != 0)
        rc = rc ? rc : 1;
    return rc;
}
