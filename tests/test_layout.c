/*
 * test_layout.c - heapev_layout_payload / heapev_layout_record: the labelled
 * byte ranges and the findings attached to them. Inputs are built by hand
 * (testlib.h); expected offsets are the SPEC tables' numbers, written here.
 */
#include "cmocka_all.h"

#include <string.h>

#include "layout_test.h"
#include "testlib.h"


typedef struct expect {
    heapev_field field;
    size_t offset, length, avail;
    heapev_findings findings;
} expect;

/* The five fields every record header starts with (SPEC §4), complete and clean. */
#define HEADER_START                                                                              \
    {HEAPEV_FIELD_VERSION, 0, 2, 2, 0}, {HEAPEV_FIELD_HEADER_TYPE, 2, 1, 1, 0},                   \
        {HEAPEV_FIELD_FLAGS, 3, 1, 1, 0}, {HEAPEV_FIELD_RECORD_SIZE, 4, 2, 2, 0},                 \
        {HEAPEV_FIELD_HOOK_ID, 6, 2, 2, 0}

static void check_ranges(const heapev_layout_range *r, size_t n, const expect *want, size_t nwant)
{
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++) {
        if (r[i].field != want[i].field || r[i].offset != want[i].offset ||
            r[i].length != want[i].length || r[i].avail != want[i].avail ||
            r[i].findings != want[i].findings)
            fail_msg("range %zu: got %s @%zu len %zu avail %zu findings %#llx, "
                     "want %s @%zu len %zu avail %zu findings %#llx",
                     i, heapev_field_name(r[i].field), r[i].offset, r[i].length, r[i].avail,
                     (unsigned long long)r[i].findings, heapev_field_name(want[i].field),
                     want[i].offset, want[i].length, want[i].avail,
                     (unsigned long long)want[i].findings);
    }
}

/* 64-bit payload, Source 6, Address 8 bytes past a 16-byte boundary. */
static void test_payload64_source6_misaligned(void **state)
{
    (void)state;
    uint8_t p[28];
    t_payload64(p, 0x1d2a0e50000ull, 40, 0x1d2a0e51238ull, 6);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    heapev_event e;
    size_t n = heapev_layout_payload(p, sizeof p, HEAPEV_WIDTH_INFER, NULL, &e, r, 16);
    const expect want[] = {
        {HEAPEV_FIELD_HEAP_HANDLE, 0, 8, 8, 0},
        {HEAPEV_FIELD_SIZE, 8, 8, 8, 0},
        {HEAPEV_FIELD_ADDRESS, 16, 8, 8, HEAPEV_FINDING(ADDRESS_MISALIGNED)},
        {HEAPEV_FIELD_SOURCE, 24, 4, 4, HEAPEV_FINDING(SOURCE_RESERVED)},
    };
    check_ranges(r, n, want, 4);
    assert_int_equal(e.findings, HEAPEV_FINDING(ADDRESS_MISALIGNED) | HEAPEV_FINDING(SOURCE_RESERVED));
    assert_true(r[0].has_value && r[0].value == 0x1d2a0e50000ull);
    assert_true(r[1].has_value && r[1].value == 40);
    assert_true(r[2].has_value && r[2].value == 0x1d2a0e51238ull);
    assert_true(r[3].has_value && r[3].value == 6);
    expect_meaning(&r[3], "segment_heap");
    expect_meaning(&r[2], "8 bytes past a 16-byte boundary");
}

/* 32-bit record, SYSTEM32 header: 10 header fields, payload at 32. */
static void test_record32_system(void **state)
{
    (void)state;
    uint8_t rec[48];
    size_t h = t_header(rec, 2, 1, 0xC0, 48, 0x1021);
    t_payload32(rec + h, 0x00A30000, 0x20000, 0x00A31000, 4);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    size_t used = 0;
    size_t n = heapev_layout_record(rec, sizeof rec, NULL, NULL, r, 16, &used);
    const expect want[] = {
        HEADER_START,
        {HEAPEV_FIELD_THREAD_ID, 8, 4, 4, 0},
        {HEAPEV_FIELD_PROCESS_ID, 12, 4, 4, 0},  {HEAPEV_FIELD_SYSTEM_TIME, 16, 8, 8, 0},
        {HEAPEV_FIELD_KERNEL_TIME, 24, 4, 4, 0}, {HEAPEV_FIELD_USER_TIME, 28, 4, 4, 0},
        {HEAPEV_FIELD_HEAP_HANDLE, 32, 4, 4, 0}, {HEAPEV_FIELD_SIZE, 36, 4, 4, 0},
        {HEAPEV_FIELD_ADDRESS, 40, 4, 4, 0},     {HEAPEV_FIELD_SOURCE, 44, 4, 4, 0},
    };
    check_ranges(r, n, want, 14);
    assert_int_equal(used, 48);
    assert_int_equal(r[3].value, 48);
    assert_int_equal(r[4].value, 0x1021);
    assert_int_equal(r[5].value, 0x111);
    assert_int_equal(r[6].value, 0x222);
    assert_true(r[7].value == 0x0102030405060708ull);
    assert_int_equal(r[8].value, 7);
    assert_int_equal(r[9].value, 9);
    assert_int_equal(r[12].value, 0x00A31000);
    expect_meaning(&r[1], "SYSTEM32: 32-bit payload, 32-byte header");
    expect_meaning(&r[4], "heap_alloc");
    expect_meaning(&r[2], "trace header | event trace");
    assert_true(heapev_field_in_header(r[9].field));
    assert_false(heapev_field_in_header(r[10].field));
}

/* COMPACT64 record with Source 6 and a misaligned address: no KernelTime/UserTime. */
static void test_record_compact64_findings_at_bytes(void **state)
{
    (void)state;
    uint8_t rec[52];
    size_t h = t_header(rec, 2, 4, 0xC0, 52, 0x1021);
    assert_int_equal(h, 24);
    t_payload64(rec + h, 0x1d2a0e50000ull, 40, 0x1d2a0e51234ull, 6);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    size_t n = heapev_layout_record(rec, sizeof rec, NULL, NULL, r, 16, NULL);
    const expect want[] = {
        HEADER_START,
        {HEAPEV_FIELD_THREAD_ID, 8, 4, 4, 0},
        {HEAPEV_FIELD_PROCESS_ID, 12, 4, 4, 0},  {HEAPEV_FIELD_SYSTEM_TIME, 16, 8, 8, 0},
        {HEAPEV_FIELD_HEAP_HANDLE, 24, 8, 8, 0}, {HEAPEV_FIELD_SIZE, 32, 8, 8, 0},
        {HEAPEV_FIELD_ADDRESS, 40, 8, 8, HEAPEV_FINDING(ADDRESS_MISALIGNED)},
        {HEAPEV_FIELD_SOURCE, 48, 4, 4, HEAPEV_FINDING(SOURCE_RESERVED)},
    };
    check_ranges(r, n, want, 12);
}

/*
 * PERFINFO64 record (SPEC §4: 16-byte header, Size at 4, HookId at 6,
 * SystemTime at 8, no thread/process/kernel/user fields): 6 header fields,
 * the 64-bit payload at 16.
 */
static void test_record_perfinfo64(void **state)
{
    (void)state;
    uint8_t rec[44];
    t_header(rec, 2, 17, 0xC0, 44, 0x1021);
    t_put(rec + 8, 0x1122334455667788ull, 8);
    t_payload64(rec + 16, 0x1d2a0e50000ull, 40, 0x1d2a0e51238ull, 6);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    heapev_event e;
    size_t used = 0;
    size_t n = heapev_layout_record(rec, sizeof rec, NULL, &e, r, 16, &used);
    const expect want[] = {
        HEADER_START,
        {HEAPEV_FIELD_SYSTEM_TIME, 8, 8, 8, 0},
        {HEAPEV_FIELD_HEAP_HANDLE, 16, 8, 8, 0}, {HEAPEV_FIELD_SIZE, 24, 8, 8, 0},
        {HEAPEV_FIELD_ADDRESS, 32, 8, 8, HEAPEV_FINDING(ADDRESS_MISALIGNED)},
        {HEAPEV_FIELD_SOURCE, 40, 4, 4, HEAPEV_FINDING(SOURCE_RESERVED)},
    };
    check_ranges(r, n, want, 10);
    assert_int_equal(used, 44);
    assert_true(r[5].has_value && r[5].value == 0x1122334455667788ull);
    assert_true(r[6].value == 0x1d2a0e50000ull);
    assert_int_equal(e.header.thread_id, 0);
    assert_int_equal(e.header.process_id, 0);
    expect_meaning(&r[1], "PERFINFO64: 64-bit payload, 16-byte header");
    expect_meaning(&r[4], "heap_alloc");
    assert_true(heapev_field_in_header(r[5].field));
    assert_false(heapev_field_in_header(r[6].field));
}

/* PERFINFO32: 16-byte header, 32-bit payload at 16; cut inside SystemTime: 2 of 8 bytes. */
static void test_record_perfinfo32(void **state)
{
    (void)state;
    uint8_t rec[32];
    t_header(rec, 2, 16, 0xC0, 32, 0x1021);
    t_put(rec + 8, 0x42, 8);
    t_payload32(rec + 16, 0x00A30000, 0x20, 0x00A31000, 3);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    size_t n = heapev_layout_record(rec, sizeof rec, NULL, NULL, r, 16, NULL);
    const expect want[] = {
        HEADER_START,
        {HEAPEV_FIELD_SYSTEM_TIME, 8, 8, 8, 0},
        {HEAPEV_FIELD_HEAP_HANDLE, 16, 4, 4, 0}, {HEAPEV_FIELD_SIZE, 20, 4, 4, 0},
        {HEAPEV_FIELD_ADDRESS, 24, 4, 4, 0},     {HEAPEV_FIELD_SOURCE, 28, 4, 4, 0},
    };
    check_ranges(r, n, want, 10);
    expect_meaning(&r[1], "PERFINFO32: 32-bit payload, 16-byte header");

    /* 10 bytes: the header is cut inside SystemTime; nothing was decoded. */
    n = heapev_layout_record(rec, 10, NULL, NULL, r, 16, NULL);
    const expect cut[] = {
        HEADER_START,
        {HEAPEV_FIELD_SYSTEM_TIME, 8, 8, 2, HEAPEV_FINDING(TRUNCATED)},
    };
    check_ranges(r, n, cut, 6);
}

/* Header damage: each finding lands on its header field; payload of another hook undecoded. */
static void test_record_header_findings(void **state)
{
    (void)state;
    uint8_t rec[64] = {0};
    size_t h = t_header(rec, 3, 2, 0x80, 200, 0x1024);
    t_payload64(rec + h, 0x10000, 1, 0x20000, 3);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    size_t used = 0;
    size_t n = heapev_layout_record(rec, 60, NULL, NULL, r, 16, &used);
    assert_int_equal(n, 11);
    assert_int_equal(used, 60);
    assert_int_equal(r[0].findings, HEAPEV_FINDING(HEADER_VERSION_UNEXPECTED));
    assert_int_equal(r[1].findings, 0);
    assert_int_equal(r[2].findings, HEAPEV_FINDING(HEADER_FLAGS_INVALID));
    assert_int_equal(r[3].findings, HEAPEV_FINDING(HEADER_SIZE_MISMATCH));
    assert_int_equal(r[4].findings, HEAPEV_FINDING(NOT_HEAP_ALLOC));
    assert_int_equal(r[10].field, HEAPEV_FIELD_UNDECODED);
    assert_int_equal(r[10].offset, 32);
    assert_int_equal(r[10].length, 28);
    expect_meaning(&r[4], "heap_free, not heap Alloc (0x1021)");
    expect_meaning(&r[2], "expected 0xC0");

    /* Unknown HeaderType: 24-byte header read, rest undecoded, finding on byte 2. */
    t_header(rec, 2, 9, 0xC0, 40, 0x1021);
    n = heapev_layout_record(rec, 40, NULL, NULL, r, 16, &used);
    assert_int_equal(n, 9);
    assert_int_equal(r[1].findings, HEAPEV_FINDING(HEADER_TYPE_UNKNOWN));
    assert_int_equal(r[8].field, HEAPEV_FIELD_UNDECODED);
    assert_int_equal(r[8].offset, 24);
    assert_int_equal(r[8].length, 16);
}

/* Truncation: the fields the input ends in or before carry `truncated`. */
static void test_truncated(void **state)
{
    (void)state;
    uint8_t p[28];
    t_payload64(p, 0x10000, 16, 0x20000, 3);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    size_t n = heapev_layout_payload(p, 20, 8, NULL, NULL, r, 16);
    const expect want[] = {
        {HEAPEV_FIELD_HEAP_HANDLE, 0, 8, 8, 0},
        {HEAPEV_FIELD_SIZE, 8, 8, 8, 0},
        {HEAPEV_FIELD_ADDRESS, 16, 8, 4, HEAPEV_FINDING(TRUNCATED)},
        {HEAPEV_FIELD_SOURCE, 24, 4, 0, HEAPEV_FINDING(TRUNCATED)},
    };
    check_ranges(r, n, want, 4);
    assert_false(r[2].has_value);
    expect_meaning(&r[2], "4 of 8 bytes missing");

    /* A record cut inside its header: header fields only, missing ones flagged. */
    uint8_t rec[32];
    t_header(rec, 2, 2, 0xC0, 60, 0x1021);
    n = heapev_layout_record(rec, 10, NULL, NULL, r, 16, NULL);
    assert_int_equal(n, 10);
    assert_int_equal(r[4].findings, 0); /* HookId complete: the decoder read nothing */
    assert_int_equal(r[5].avail, 2);
    assert_int_equal(r[5].findings, HEAPEV_FINDING(TRUNCATED));
    assert_int_equal(r[9].avail, 0);
    assert_int_equal(r[9].findings, HEAPEV_FINDING(TRUNCATED));

    /* Size field valid but smaller than header + payload: the payload is cut. */
    uint8_t rec2[60];
    size_t h = t_header(rec2, 2, 2, 0xC0, 50, 0x1021);
    t_payload64(rec2 + h, 0x10000, 16, 0x20000, 3);
    n = heapev_layout_record(rec2, sizeof rec2, NULL, NULL, r, 16, NULL);
    assert_int_equal(n, 14);
    assert_int_equal(r[12].avail, 2); /* Address: bytes 48..49 of 48..55 */
    assert_int_equal(r[12].findings, HEAPEV_FINDING(TRUNCATED));
}

static void test_trailing_and_ambiguous(void **state)
{
    (void)state;
    uint8_t p[20] = {0};
    t_payload32(p, 0x10000, 8, 0x20008, 1);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    size_t n = heapev_layout_payload(p, 20, 4, NULL, NULL, r, 16);
    assert_int_equal(n, 5);
    assert_int_equal(r[4].field, HEAPEV_FIELD_TRAILING);
    assert_int_equal(r[4].offset, 16);
    assert_int_equal(r[4].length, 4);
    assert_int_equal(r[4].findings, HEAPEV_FINDING(TRAILING_BYTES));

    n = heapev_layout_payload(p, 20, HEAPEV_WIDTH_INFER, NULL, NULL, r, 16);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].field, HEAPEV_FIELD_UNDECODED);
    assert_int_equal(r[0].offset, 0);
    assert_int_equal(r[0].length, 20);
    assert_int_equal(r[0].findings, HEAPEV_FINDING(LENGTH_AMBIGUOUS));

    n = heapev_layout_payload(NULL, 0, HEAPEV_WIDTH_INFER, NULL, NULL, r, 16);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].length, 0);
    assert_int_equal(r[0].findings, HEAPEV_FINDING(LENGTH_AMBIGUOUS));
}

/* Meanings not met elsewhere: COMPACT64, an undefined Source, trailing bytes; field names. */
static void test_meaning_edges(void **state)
{
    (void)state;
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    uint8_t rec[52];
    size_t h = t_header(rec, 2, 4, 0xC0, 52, 0x1021); /* COMPACT64 */
    assert_int_equal(h, 24);
    t_payload64(rec + h, 0x10000, 32, 0x20000, 9); /* Source 9: no such value */
    size_t n = heapev_layout_record(rec, sizeof rec, NULL, NULL, r, 16, NULL);
    assert_int_equal(n, 8 + 4);
    assert_int_equal(r[1].field, HEAPEV_FIELD_HEADER_TYPE);
    expect_meaning(&r[1], "COMPACT64: 64-bit payload, 24-byte header");
    assert_int_equal(r[11].field, HEAPEV_FIELD_SOURCE);
    assert_int_equal(r[11].offset, 24 + 24);
    assert_int_equal(r[11].findings, HEAPEV_FINDING(SOURCE_UNDEFINED));
    expect_meaning(&r[11], "undefined");
    /* A caller's range with a value no u32 Source can have. */
    heapev_layout_range big = {0, 4, 4, HEAPEV_FIELD_SOURCE, 1, 1ull << 32, 0};
    expect_meaning(&big, "undefined");

    uint8_t p[20] = {0};
    t_payload32(p, 0x10000, 8, 0x20008, 1);
    n = heapev_layout_payload(p, 20, 4, NULL, NULL, r, 16);
    assert_int_equal(n, 5);
    assert_int_equal(r[4].field, HEAPEV_FIELD_TRAILING);
    expect_meaning(&r[4], "4 bytes beyond the version 0 layout, ignored");

    assert_null(heapev_field_name(HEAPEV_FIELD_COUNT));
    assert_null(heapev_field_name((heapev_field)(HEAPEV_FIELD_COUNT + 7)));
    assert_true(heapev_field_in_header(HEAPEV_FIELD_VERSION));
    assert_true(heapev_field_in_header(HEAPEV_FIELD_USER_TIME));
    assert_false(heapev_field_in_header(HEAPEV_FIELD_HEAP_HANDLE));
    assert_false(heapev_field_in_header(HEAPEV_FIELD_COUNT));
}

/* Findings on two fields: address_wraps (Address + Size), lowfrag_size_too_large (Size + Source). */
static void test_multi_field_findings(void **state)
{
    (void)state;
    uint8_t p[16];
    t_payload32(p, 0x10000, 0x20000, 0xFFFF0000u, 2);
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    size_t n = heapev_layout_payload(p, 16, HEAPEV_WIDTH_INFER, NULL, NULL, r, 16);
    assert_int_equal(n, 4);
    assert_int_equal(r[1].findings, HEAPEV_FINDING(ADDRESS_WRAPS) | HEAPEV_FINDING(LOWFRAG_SIZE_TOO_LARGE));
    assert_int_equal(r[2].findings, HEAPEV_FINDING(ADDRESS_WRAPS) | HEAPEV_FINDING(ADDRESS_KERNEL_RANGE));
    assert_int_equal(r[3].findings, HEAPEV_FINDING(LOWFRAG_SIZE_TOO_LARGE));
    assert_int_equal(heapev_layout_finding_fields(HEAPEV_FINDING_ADDRESS_WRAPS),
                     HEAPEV_FIELD_BIT(HEAPEV_FIELD_ADDRESS) | HEAPEV_FIELD_BIT(HEAPEV_FIELD_SIZE));
}

static void test_small_cap(void **state)
{
    (void)state;
    uint8_t rec[60];
    size_t h = t_header(rec, 2, 2, 0xC0, 60, 0x1021);
    t_payload64(rec + h, 0x10000, 16, 0x20000, 3);
    heapev_layout_range r[3];
    memset(r, 0xAB, sizeof r);
    size_t n = heapev_layout_record(rec, sizeof rec, NULL, NULL, r, 2, NULL);
    assert_int_equal(n, 14);
    assert_int_equal(r[1].field, HEAPEV_FIELD_HEADER_TYPE);
    assert_int_equal(((uint8_t *)&r[2])[0], 0xAB); /* untouched */
    assert_int_equal(heapev_layout_record(rec, sizeof rec, NULL, NULL, NULL, 0, NULL), 14);
}

/* Random bytes: ranges in order, inside the input or flagged missing, and every finding placed. */
static void test_random_every_finding_placed(void **state)
{
    (void)state;
    uint64_t seed = 7;
    uint8_t buf[80];
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    heapev_findings etl = 0;
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (strncmp(heapev_finding_get(c)->name, "etl_", 4) == 0)
            etl |= HEAPEV_FINDING_BIT(c);
    for (int i = 0; i < 20000; i++) {
        size_t len = t_rand(&seed) % sizeof buf;
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)t_rand(&seed);
        if (i % 2) { /* make most records plausible so payloads get decoded */
            static const uint8_t types[] = {1, 2, 3, 4, 16, 17};
            buf[2] = types[t_rand(&seed) % 6];
            buf[4] = (uint8_t)len, buf[5] = 0, buf[6] = 0x21, buf[7] = 0x10;
        }
        heapev_event e;
        size_t n = i % 3 ? heapev_layout_record(buf, len, NULL, &e, r, 16, NULL)
                         : heapev_layout_payload(buf, len, (unsigned)(i % 9), NULL, &e, r, 16);
        assert_true(n <= HEAPEV_LAYOUT_MAX_RANGES);
        heapev_findings placed = 0;
        for (size_t k = 0; k < n; k++) {
            placed |= r[k].findings;
            assert_true(r[k].avail <= r[k].length);
            if (k > 0)
                assert_int_equal(r[k].offset, r[k - 1].offset + r[k - 1].length);
            if (r[k].avail == r[k].length)
                assert_true(r[k].offset + r[k].length <= len);
        }
        assert_int_equal(placed, e.findings & ~etl);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload64_source6_misaligned),
        cmocka_unit_test(test_record32_system),
        cmocka_unit_test(test_record_compact64_findings_at_bytes),
        cmocka_unit_test(test_record_perfinfo64),
        cmocka_unit_test(test_record_perfinfo32),
        cmocka_unit_test(test_record_header_findings),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_trailing_and_ambiguous),
        cmocka_unit_test(test_meaning_edges),
        cmocka_unit_test(test_multi_field_findings),
        cmocka_unit_test(test_small_cap),
        cmocka_unit_test(test_random_every_finding_placed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
