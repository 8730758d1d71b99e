/*
 * test_decode_record.c - record header + payload: header fields of the three
 * kernel-group header families (SYSTEM, COMPACT, PERFINFO), record findings,
 * streams.
 */
#include "cmocka_all.h"

#include <stdlib.h>

#include "heapev/decode.h"
#include "testlib.h"

#define H64 0x000001D2A0E50000ull
#define A64 0x000001D2A0E51230ull

/*
 * A record: header (type decides 32 SYSTEM / 24 COMPACT / 16 PERFINFO bytes)
 * + payload of the type's width. PERFINFO headers (SPEC §4: Version, type,
 * Flags, Size, HookId, then SystemTime at 8) get SystemTime
 * 0x0102030405060708 at offset 8 (t_header()), like the other families at 16.
 */
static size_t make_record(uint8_t *p, uint16_t version, uint8_t type, uint8_t flags, int size_delta,
                          uint16_t hook)
{
    int wide = type == 2 || type == 4 || type == 17;
    size_t hsize = (type == 3 || type == 4) ? 24 : (type == 16 || type == 17) ? 16 : 32;
    size_t total = hsize + (wide ? 28 : 16);
    t_header(p, version, type, flags, (uint16_t)((int)total + size_delta), hook);
    if (wide)
        t_payload64(p + hsize, H64, 40, A64, 2);
    else
        t_payload32(p + hsize, 0x00500000u, 24, 0x00501238u, 3);
    return total;
}

static heapev_findings decode(const uint8_t *p, size_t len, heapev_event *e, size_t *used)
{
    return heapev_decode_record(p, len, NULL, e, used);
}

/* The @p len bytes at @p p decode with no finding, all used, as a payload of @p width. */
static heapev_event decode_clean(const uint8_t *p, size_t len, unsigned width)
{
    heapev_event e;
    size_t used = 0;
    assert_int_equal(decode(p, len, &e, &used), 0);
    assert_int_equal(used, len);
    assert_int_equal(e.pointer_width, width);
    assert_int_equal(e.payload_decoded, 1);
    return e;
}

/* @p e has a header, every field of it as in @p want. */
static void assert_header(const heapev_event *e, heapev_record_header want)
{
    const heapev_record_header *h = &e->header;
    assert_int_equal(e->has_header, 1);
    assert_int_equal(h->version, want.version);
    assert_int_equal(h->header_type, want.header_type);
    assert_int_equal(h->flags, want.flags);
    assert_int_equal(h->size, want.size);
    assert_int_equal(h->hook_id, want.hook_id);
    assert_int_equal(h->thread_id, want.thread_id);
    assert_int_equal(h->process_id, want.process_id);
    assert_true(h->system_time == want.system_time);
    assert_int_equal(h->kernel_time, want.kernel_time);
    assert_int_equal(h->user_time, want.user_time);
}

static void test_system64_clean(void **state)
{
    (void)state;
    /* Hand-written: marker 0xC0020002, Size 60, HookId 0x1021. */
    static const uint8_t bytes[60] = {
        0x02, 0x00, 0x02, 0xC0, 0x3C, 0x00, 0x21, 0x10, /* Version, Type, Flags, Size, HookId */
        0x34, 0x12, 0x00, 0x00, 0x78, 0x56, 0x00, 0x00, /* ThreadId 0x1234, ProcessId 0x5678 */
        0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* SystemTime 0x1000 */
        0x05, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, /* KernelTime 5, UserTime 6 */
        0x00, 0x00, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, /* HeapHandle */
        0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* Size 40 */
        0x30, 0x12, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, /* Address */
        0x02, 0x00, 0x00, 0x00,                         /* Source 2 */
    };
    heapev_event e = decode_clean(bytes, sizeof bytes, 8);
    assert_header(&e, (heapev_record_header){2, 2, 0xC0, 60, 0x1021, 0x1234, 0x5678, 0x1000, 5, 6});
    assert_true(e.heap_handle == H64 && e.size == 40 && e.address == A64 && e.source == 2);
}

/*
 * PERFINFO64 (HeaderType 17, SPEC §4): a 16-byte header, SystemTime at 8, no
 * ThreadId/ProcessId/KernelTime/UserTime; the 64-bit payload at 16. Hand-written.
 */
static void test_perfinfo64_clean(void **state)
{
    (void)state;
    static const uint8_t bytes[44] = {
        0x02, 0x00, 0x11, 0xC0, 0x2C, 0x00, 0x21, 0x10, /* Version 2, PERFINFO64, 0xC0, Size 44, 0x1021 */
        0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* SystemTime 0x2000 */
        0x00, 0x00, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, /* HeapHandle */
        0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* Size 40 */
        0x30, 0x12, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, /* Address */
        0x02, 0x00, 0x00, 0x00,                         /* Source 2 */
    };
    heapev_event e = decode_clean(bytes, sizeof bytes, 8);
    assert_header(&e, (heapev_record_header){2, 17, 0xC0, 44, 0x1021, 0, 0, 0x2000, 0, 0});
    assert_true(e.heap_handle == H64 && e.size == 40 && e.address == A64 && e.source == 2);
}

/* PERFINFO32 (HeaderType 16): 16-byte header, the 16-byte 32-bit payload at 16. */
static void test_perfinfo32_clean(void **state)
{
    (void)state;
    static const uint8_t bytes[32] = {
        0x02, 0x00, 0x10, 0xC0, 0x20, 0x00, 0x21, 0x10, /* Version 2, PERFINFO32, 0xC0, Size 32, 0x1021 */
        0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, /* SystemTime 0x0123456789ABCDEF */
        0x00, 0x00, 0x50, 0x00, 0x18, 0x00, 0x00, 0x00, /* HeapHandle 0x500000, Size 24 */
        0x38, 0x12, 0x50, 0x00, 0x03, 0x00, 0x00, 0x00, /* Address 0x501238, Source 3 */
    };
    heapev_event e = decode_clean(bytes, sizeof bytes, 4);
    assert_header(&e, (heapev_record_header){2, 16, 0xC0, 32, 0x1021, 0, 0,
                                             0x0123456789ABCDEFll, 0, 0});
    assert_true(e.heap_handle == 0x500000 && e.size == 24 && e.address == 0x501238);
    assert_int_equal(e.source, 3);
    /* Size 12, below the 16-byte header: mismatch, the record runs to the end of input. */
    uint8_t bad[32];
    size_t used;
    memcpy(bad, bytes, sizeof bad);
    bad[4] = 12;
    assert_int_equal(decode(bad, sizeof bad, &e, &used), HEAPEV_FINDING(HEADER_SIZE_MISMATCH));
    assert_int_equal(used, 32);
    assert_int_equal(e.header.size, 12);
    /* Another hook in a PERFINFO header: not an Alloc, payload not read. */
    memcpy(bad, bytes, sizeof bad);
    bad[6] = 0x24;
    assert_int_equal(decode(bad, sizeof bad, &e, &used), HEAPEV_FINDING(NOT_HEAP_ALLOC));
    assert_int_equal(e.payload_decoded, 0);
    assert_int_equal(e.header.hook_id, 0x1024);
}

static void test_every_header_type_clean(void **state)
{
    (void)state;
    static const struct { uint8_t type; size_t total; unsigned width; } cases[] = {
        {1, 48, 4}, {2, 60, 8}, {3, 40, 4}, {4, 52, 8}, {16, 32, 4}, {17, 44, 8}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[64];
        size_t n = make_record(buf, 2, cases[i].type, 0xC0, 0, 0x1021);
        assert_int_equal(n, cases[i].total);
        heapev_event e = decode_clean(buf, n, cases[i].width);
        int perfinfo = cases[i].type >= 16, system = cases[i].type <= 2;
        /* PERFINFO: no thread and process ids; COMPACT and PERFINFO: no kernel and user time. */
        assert_header(&e, (heapev_record_header){2, cases[i].type, 0xC0, (uint16_t)cases[i].total,
                                                 0x1021, perfinfo ? 0 : 0x111, perfinfo ? 0 : 0x222,
                                                 0x0102030405060708ll, system ? 7 : 0,
                                                 system ? 9 : 0});
        assert_true(e.size == (cases[i].width == 8 ? 40u : 24u));
    }
}

static void test_header_type_unknown(void **state)
{
    (void)state;
    /* 15 (MESSAGE) and 18 (EVENT_HEADER32) border the PERFINFO pair 16/17. */
    static const uint8_t types[] = {0, 5, 6, 15, 18, 20, 0x7F, 0xFF};
    for (size_t i = 0; i < sizeof types; i++) {
        uint8_t buf[64];
        heapev_event e;
        size_t n = make_record(buf, 2, 2, 0xC0, 0, 0x1021);
        buf[2] = types[i];
        assert_int_equal(decode(buf, n, &e, NULL), HEAPEV_FINDING(HEADER_TYPE_UNKNOWN));
        assert_int_equal(e.pointer_width, 0);
        assert_int_equal(e.payload_decoded, 0);
    }
}

static void test_header_flags_and_version(void **state)
{
    (void)state;
    static const uint8_t bad_flags[] = {0x00, 0x80, 0x40, 0xC1, 0xFF};
    uint8_t buf[64];
    heapev_event e;
    for (size_t i = 0; i < sizeof bad_flags; i++) {
        size_t n = make_record(buf, 2, 2, bad_flags[i], 0, 0x1021);
        assert_int_equal(decode(buf, n, &e, NULL), HEAPEV_FINDING(HEADER_FLAGS_INVALID));
        assert_int_equal(e.payload_decoded, 1); /* width still known from the type */
    }
    static const uint16_t versions[] = {0, 1, 3, 0xFFFF};
    for (size_t i = 0; i < 4; i++) {
        size_t n = make_record(buf, versions[i], 1, 0xC0, 0, 0x1021);
        assert_int_equal(decode(buf, n, &e, NULL), HEAPEV_FINDING(HEADER_VERSION_UNEXPECTED));
        assert_int_equal(e.header.version, versions[i]);
    }
}

static void test_not_heap_alloc(void **state)
{
    (void)state;
    static const struct { uint16_t hook; const char *name; } hooks[] = {
        {0x1020, "heap_create"}, {0x1022, "heap_realloc"}, {0x1024, "heap_free"},
        {0x102E, "heap_walk"},   {0x0000, "logfile_header"}, {0x0521, NULL}, {0x2021, NULL}};
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
        uint8_t buf[64];
        heapev_event e;
        size_t n = make_record(buf, 2, 2, 0xC0, 0, hooks[i].hook);
        assert_int_equal(decode(buf, n, &e, NULL), HEAPEV_FINDING(NOT_HEAP_ALLOC));
        assert_int_equal(e.payload_decoded, 0); /* never misread as an Alloc */
        assert_int_equal(e.header.hook_id, hooks[i].hook);
        if (hooks[i].name)
            assert_string_equal(heapev_hook_name(hooks[i].hook), hooks[i].name);
        else
            assert_null(heapev_hook_name(hooks[i].hook));
    }
    assert_string_equal(heapev_hook_name(0x1021), "heap_alloc");
}

static void test_size_field(void **state)
{
    (void)state;
    uint8_t buf[96];
    heapev_event e;
    size_t used;
    memset(buf, 0, sizeof buf);
    /* Below the header size: mismatch, the record runs to the end of input. */
    size_t n = make_record(buf, 2, 2, 0xC0, -50, 0x1021);
    assert_int_equal(decode(buf, n, &e, &used), HEAPEV_FINDING(HEADER_SIZE_MISMATCH));
    assert_int_equal(used, n);
    assert_int_equal(e.header.size, 10);
    /* Beyond the bytes given. */
    n = make_record(buf, 2, 2, 0xC0, +4, 0x1021);
    assert_int_equal(decode(buf, n, &e, &used), HEAPEV_FINDING(HEADER_SIZE_MISMATCH));
    assert_int_equal(used, n);
    /* Within the bytes but cutting the payload: the payload is truncated. */
    n = make_record(buf, 2, 2, 0xC0, -10, 0x1021);
    assert_int_equal(decode(buf, n, &e, &used), HEAPEV_FINDING(TRUNCATED));
    assert_int_equal(used, 50);
    /* Size exactly the header: an empty payload. */
    n = make_record(buf, 2, 4, 0xC0, -28, 0x1021);
    assert_int_equal(decode(buf, n, &e, &used), HEAPEV_FINDING(TRUNCATED));
    assert_int_equal(used, 24);
    /* Longer than the version 0 payload: trailing bytes. */
    n = make_record(buf, 2, 2, 0xC0, +8, 0x1021);
    assert_int_equal(decode(buf, n + 8, &e, &used), HEAPEV_FINDING(TRAILING_BYTES));
    assert_int_equal(used, 68);
    assert_int_equal(e.trailing_bytes, 8);
}

/* Every length 0..96 of a buffer holding a clean SYSTEM64 record (Size 60) then zeros. */
static void test_every_length(void **state)
{
    (void)state;
    uint8_t buf[96];
    memset(buf, 0, sizeof buf);
    make_record(buf, 2, 2, 0xC0, 0, 0x1021);
    for (size_t len = 0; len <= sizeof buf; len++) {
        heapev_event e;
        size_t used = 12345;
        heapev_findings f = decode(len ? buf : NULL, len, &e, &used);
        if (len < 32) {
            assert_int_equal(f, HEAPEV_FINDING(TRUNCATED));
            assert_int_equal(e.has_header, 0);
            assert_int_equal(used, len);
        } else if (len < 60) {
            assert_int_equal(f, HEAPEV_FINDING(HEADER_SIZE_MISMATCH) | HEAPEV_FINDING(TRUNCATED));
            assert_int_equal(used, len);
        } else {
            assert_int_equal(f, 0);
            assert_int_equal(used, 60);
        }
    }
}

/* Every length 0..64 of a buffer holding a clean PERFINFO64 record (Size 44) then zeros. */
static void test_every_length_perfinfo(void **state)
{
    (void)state;
    uint8_t buf[64];
    memset(buf, 0, sizeof buf);
    assert_int_equal(make_record(buf, 2, 17, 0xC0, 0, 0x1021), 44);
    for (size_t len = 0; len <= sizeof buf; len++) {
        heapev_event e;
        size_t used = 12345;
        heapev_findings f = decode(len ? buf : NULL, len, &e, &used);
        if (len < 16) { /* below the 16-byte header (24 read while the type is unknown) */
            assert_int_equal(f, HEAPEV_FINDING(TRUNCATED));
            assert_int_equal(e.has_header, 0);
            assert_int_equal(used, len);
        } else if (len < 44) {
            assert_int_equal(f, HEAPEV_FINDING(HEADER_SIZE_MISMATCH) | HEAPEV_FINDING(TRUNCATED));
            assert_int_equal(e.has_header, 1);
            assert_true(e.header.system_time == 0x0102030405060708ll);
            assert_int_equal(used, len);
        } else {
            assert_int_equal(f, 0);
            assert_int_equal(used, 44);
        }
    }
}

static void test_stream_of_records(void **state)
{
    (void)state;
    uint8_t buf[320];
    size_t offsets[6], n = 0;
    offsets[0] = n, n += make_record(buf + n, 2, 2, 0xC0, 0, 0x1021);
    offsets[1] = n, n += make_record(buf + n, 2, 3, 0xC0, 0, 0x1021);
    offsets[2] = n, n += make_record(buf + n, 2, 1, 0xC0, 0, 0x1024);
    offsets[3] = n, n += make_record(buf + n, 2, 4, 0xC0, 0, 0x1021);
    offsets[4] = n, n += make_record(buf + n, 2, 17, 0xC0, 0, 0x1021);
    offsets[5] = n, n += make_record(buf + n, 2, 16, 0xC0, 0, 0x1021);
    /* 60 + 40 + 48 + 52 + 44 + 32 */
    assert_int_equal(n, 276);
    static const unsigned widths[] = {8, 4, 4, 8, 8, 4};
    size_t off = 0;
    for (int i = 0; i < 6; i++) {
        heapev_event e;
        size_t used;
        assert_int_equal(off, offsets[i]);
        heapev_findings f = decode(buf + off, n - off, &e, &used);
        assert_int_equal(f, i == 2 ? HEAPEV_FINDING(NOT_HEAP_ALLOC) : 0);
        assert_int_equal(e.pointer_width, widths[i]);
        off += used;
    }
    assert_int_equal(off, n);
}

/* Random bytes: the stream loop always makes progress and ends exactly at len. */
static void test_random_streams_terminate(void **state)
{
    (void)state;
    uint64_t rng = 42;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(t_rand(&rng) % 200);
        uint8_t *buf = malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)t_rand(&rng);
        if (len > 5 && (t_rand(&rng) & 1)) { /* plausible headers half the time */
            static const uint8_t types[] = {1, 2, 3, 4, 16, 17};
            buf[2] = types[t_rand(&rng) % 6];
            buf[4] = (uint8_t)(t_rand(&rng) % 80);
            buf[5] = 0;
        }
        size_t off = 0, steps = 0;
        while (off < len) {
            heapev_event e;
            size_t used = 0;
            heapev_decode_record(buf + off, len - off, NULL, &e, &used);
            assert_true(used >= 1 && used <= len - off);
            off += used;
            steps++;
        }
        assert_true(steps <= len);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system64_clean),
        cmocka_unit_test(test_perfinfo64_clean),
        cmocka_unit_test(test_perfinfo32_clean),
        cmocka_unit_test(test_every_header_type_clean),
        cmocka_unit_test(test_header_type_unknown),
        cmocka_unit_test(test_header_flags_and_version),
        cmocka_unit_test(test_not_heap_alloc),
        cmocka_unit_test(test_size_field),
        cmocka_unit_test(test_every_length),
        cmocka_unit_test(test_every_length_perfinfo),
        cmocka_unit_test(test_stream_of_records),
        cmocka_unit_test(test_random_streams_terminate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
