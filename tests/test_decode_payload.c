/* test_decode_payload.c - bare payload decoding: fields, every payload finding, every length. */
#include "cmocka_all.h"

#include <stdlib.h>

#include "heapev/decode.h"
#include "testlib.h"


/* A clean 64-bit event: 64 KiB aligned handle, 16-aligned address, LFH, small size. */
#define H64 0x000001D2A0E50000ull
#define A64 0x000001D2A0E51230ull
/* A clean 32-bit event. */
#define H32 0x00500000u
#define A32 0x00501238u

static heapev_findings decode64(uint64_t h, uint64_t s, uint64_t a, uint32_t src)
{
    uint8_t buf[28];
    heapev_event e;
    t_payload64(buf, h, s, a, src);
    return heapev_decode_payload(buf, sizeof buf, 8, NULL, &e);
}

static heapev_findings decode32_lim(uint32_t h, uint32_t s, uint32_t a, uint32_t src,
                                    uint64_t user_max_32)
{
    uint8_t buf[16];
    heapev_event e;
    heapev_limits lim = heapev_limits_default();
    lim.user_max_32 = user_max_32;
    t_payload32(buf, h, s, a, src);
    return heapev_decode_payload(buf, sizeof buf, 4, &lim, &e);
}

static heapev_findings decode32(uint32_t h, uint32_t s, uint32_t a, uint32_t src)
{
    return decode32_lim(h, s, a, src, 0x7FFEFFFF);
}

static void test_clean_64_fields(void **state)
{
    (void)state;
    /* Hand-written bytes of the clean 64-bit event (little-endian). */
    static const uint8_t bytes[28] = {
        0x00, 0x00, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, /* HeapHandle */
        0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* Size = 40 */
        0x30, 0x12, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, /* Address */
        0x02, 0x00, 0x00, 0x00,                         /* Source = 2 */
    };
    heapev_event e;
    assert_int_equal(heapev_decode_payload(bytes, sizeof bytes, HEAPEV_WIDTH_INFER, NULL, &e), 0);
    assert_int_equal(e.pointer_width, 8);
    assert_int_equal(e.payload_decoded, 1);
    assert_int_equal(e.has_header, 0);
    assert_true(e.heap_handle == H64);
    assert_true(e.size == 40);
    assert_true(e.address == A64);
    assert_int_equal(e.source, 2);
    assert_int_equal(e.trailing_bytes, 0);
    assert_int_equal(e.findings, 0);
}

static void test_clean_32_fields(void **state)
{
    (void)state;
    static const uint8_t bytes[16] = {
        0x00, 0x00, 0x50, 0x00, /* HeapHandle 0x00500000 */
        0x18, 0x00, 0x00, 0x00, /* Size 24 */
        0x38, 0x12, 0x50, 0x00, /* Address 0x00501238 */
        0x03, 0x00, 0x00, 0x00, /* Source 3 */
    };
    heapev_event e;
    assert_int_equal(heapev_decode_payload(bytes, sizeof bytes, HEAPEV_WIDTH_INFER, NULL, &e), 0);
    assert_int_equal(e.pointer_width, 4);
    assert_true(e.heap_handle == H32);
    assert_true(e.size == 24);
    assert_true(e.address == A32);
    assert_int_equal(e.source, 3);
}

static void test_source_values(void **state)
{
    (void)state;
    for (uint32_t src = 1; src <= 4; src++) {
        assert_int_equal(decode64(H64, 40, A64, src), 0);
        assert_int_equal(decode32(H32, 24, A32, src), 0);
    }
    assert_int_equal(decode64(H64, 40, A64, 5), HEAPEV_FINDING(SOURCE_INVALID));
    assert_int_equal(decode64(H64, 40, A64, 6), HEAPEV_FINDING(SOURCE_RESERVED));
    static const uint32_t undefined[] = {0, 7, 8, 0x100, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof undefined / sizeof undefined[0]; i++) {
        assert_int_equal(decode64(H64, 40, A64, undefined[i]), HEAPEV_FINDING(SOURCE_UNDEFINED));
        assert_int_equal(decode32(H32, 24, A32, undefined[i]), HEAPEV_FINDING(SOURCE_UNDEFINED));
    }
}

static void test_source_names(void **state)
{
    (void)state;
    assert_string_equal(heapev_source_name(1), "lookaside");
    assert_string_equal(heapev_source_name(2), "lowfrag");
    assert_string_equal(heapev_source_name(3), "mainpath");
    assert_string_equal(heapev_source_name(4), "slowpath");
    assert_string_equal(heapev_source_name(5), "invalid");
    assert_string_equal(heapev_source_name(6), "segment_heap");
    assert_null(heapev_source_name(0));
    assert_null(heapev_source_name(7));
    assert_null(heapev_source_name(0xFFFFFFFF));
}

static void test_null_fields(void **state)
{
    (void)state;
    assert_int_equal(decode64(0, 40, A64, 3), HEAPEV_FINDING(HEAP_HANDLE_NULL));
    assert_int_equal(decode64(H64, 40, 0, 3), HEAPEV_FINDING(ADDRESS_NULL));
    assert_int_equal(decode32(0, 24, 0, 3), HEAPEV_FINDING(HEAP_HANDLE_NULL) | HEAPEV_FINDING(ADDRESS_NULL));
    /* Size 0 is legal. */
    assert_int_equal(decode64(H64, 0, A64, 3), 0);
}

static void test_alignment(void **state)
{
    (void)state;
    assert_int_equal(decode64(H64, 40, A64 + 8, 3), HEAPEV_FINDING(ADDRESS_MISALIGNED));
    assert_int_equal(decode64(H64, 40, A64 + 1, 3), HEAPEV_FINDING(ADDRESS_MISALIGNED));
    assert_int_equal(decode32(H32, 24, A32 + 4, 3), HEAPEV_FINDING(ADDRESS_MISALIGNED));
    assert_int_equal(decode32(H32, 24, A32 + 8, 3), 0); /* 8 is enough for 32-bit */
}

static void test_kernel_range(void **state)
{
    (void)state;
    assert_int_equal(decode64(H64, 16, 0x00007FFFFFFEFFF0ull, 3), 0); /* last user block */
    /* One byte more and the block ends beyond the user limit. */
    assert_int_equal(decode64(H64, 17, 0x00007FFFFFFEFFF0ull, 3), HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE));
    assert_int_equal(decode32(H32, 8, 0x7FFEFFF8u, 3), 0);
    assert_int_equal(decode32(H32, 0x20000, 0x7FFE0000u, 3), HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE));
    assert_int_equal(decode32_lim(H32, 0x20000, 0x7FFE0000u, 3, 0xBFFEFFFF), 0);
    assert_int_equal(decode64(H64, 40, 0x00007FFFFFFF0000ull, 3), HEAPEV_FINDING(ADDRESS_KERNEL_RANGE));
    assert_int_equal(decode64(H64, 40, 0xFFFF800000001000ull, 3), HEAPEV_FINDING(ADDRESS_KERNEL_RANGE));
    assert_int_equal(decode64(0xFFFFF80000000000ull, 40, A64, 3), HEAPEV_FINDING(HEAP_HANDLE_KERNEL_RANGE));
    assert_int_equal(decode32(H32, 24, 0x80001000u, 3), HEAPEV_FINDING(ADDRESS_KERNEL_RANGE));
    assert_int_equal(decode32(0x80010000u, 24, A32, 3), HEAPEV_FINDING(HEAP_HANDLE_KERNEL_RANGE));
    /* The 32-bit limit is the user's choice: /3GB and WOW64 producers. */
    assert_int_equal(decode32_lim(0x80010000u, 24, 0x80001000u, 3, 0xBFFEFFFF), 0);
    assert_int_equal(decode32_lim(H32, 24, 0xC0001000u, 3, 0xBFFEFFFF), HEAPEV_FINDING(ADDRESS_KERNEL_RANGE));
    assert_int_equal(decode32_lim(H32, 24, 0xC0001000u, 3, 0xFFFEFFFF), 0);
}

static void test_size_checks(void **state)
{
    (void)state;
    /* The largest plausible block: from the lowest mapped address up to the limit. */
    assert_int_equal(decode64(H64, 0x00007FFFFFFE0000ull, 0x10000, 4), 0);
    assert_int_equal(decode64(H64, 0x00007FFFFFFEFFFFull, 0x10000, 4), HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE));
    /* An implausible Size from a user address always runs past the limit too. */
    assert_int_equal(decode64(H64, 0x0000800000000000ull, 0x10000, 4),
                     HEAPEV_FINDING(SIZE_IMPLAUSIBLE) | HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE));
    assert_int_equal(decode32(H32, 0x7FFF0000u, 0x10000, 4),
                     HEAPEV_FINDING(SIZE_IMPLAUSIBLE) | HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE));
    assert_int_equal(decode64(H64, 16384, A64, 2), 0);
    assert_int_equal(decode64(H64, 16385, A64, 2), HEAPEV_FINDING(LOWFRAG_SIZE_TOO_LARGE));
    assert_int_equal(decode64(H64, 16385, A64, 3), 0); /* only LFH is limited */
    assert_int_equal(decode32(H32, 0x100000, A32, 2), HEAPEV_FINDING(LOWFRAG_SIZE_TOO_LARGE));
}

static void test_address_wraps(void **state)
{
    (void)state;
    const uint64_t all = 0xFFFFFFFF;
    /* The block may end exactly at the top of the 32-bit space... */
    assert_int_equal(decode32_lim(H32, 0x10000, 0xFFFF0000u, 3, all), 0);
    /* ...but not one byte past it. */
    assert_int_equal(decode32_lim(H32, 0x10001, 0xFFFF0000u, 3, all), HEAPEV_FINDING(ADDRESS_WRAPS));
    /* Ending at the top of the space is no wrap, but beyond the WOW64 limit. */
    assert_int_equal(decode32_lim(H32, 0x20000, 0xFFFE0000u, 3, 0xFFFEFFFF),
                     HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE));
    assert_int_equal(decode32_lim(H32, 0x20001, 0xFFFE0000u, 3, 0xFFFEFFFF), HEAPEV_FINDING(ADDRESS_WRAPS));
    /* 64-bit: only reachable with kernel addresses or impossible sizes. */
    assert_int_equal(decode64(H64, 0x10000, 0xFFFFFFFFFFFF0000ull, 3),
                     HEAPEV_FINDING(ADDRESS_KERNEL_RANGE));
    assert_int_equal(decode64(H64, 0x10001, 0xFFFFFFFFFFFF0000ull, 3),
                     HEAPEV_FINDING(ADDRESS_WRAPS) | HEAPEV_FINDING(ADDRESS_KERNEL_RANGE));
    assert_int_equal(decode64(H64, UINT64_MAX, A64, 3), HEAPEV_FINDING(ADDRESS_WRAPS) | HEAPEV_FINDING(SIZE_IMPLAUSIBLE));
}

/* SPEC §5: the lowest 64 KiB are never mapped; heaps start on 64 KiB boundaries. */
static void test_low_range_and_heap_alignment(void **state)
{
    (void)state;
    assert_int_equal(decode64(H64, 40, 0x10, 3), HEAPEV_FINDING(ADDRESS_LOW_RANGE));
    assert_int_equal(decode64(H64, 40, 0xFFF0, 3), HEAPEV_FINDING(ADDRESS_LOW_RANGE));
    assert_int_equal(decode64(H64, 40, 0x10000, 3), 0);
    assert_int_equal(decode32(H32, 24, 0x8, 3), HEAPEV_FINDING(ADDRESS_LOW_RANGE));
    /* 0 is null, not low: one finding per cause. */
    assert_int_equal(decode32(H32, 24, 0, 3), HEAPEV_FINDING(ADDRESS_NULL));
    assert_int_equal(decode64(0x10000, 40, A64, 3), 0);
    assert_int_equal(decode64(0xF000, 40, A64, 3),
                     HEAPEV_FINDING(HEAP_HANDLE_LOW_RANGE) | HEAPEV_FINDING(HEAP_HANDLE_MISALIGNED));
    assert_int_equal(decode32(1, 24, A32, 3),
                     HEAPEV_FINDING(HEAP_HANDLE_LOW_RANGE) | HEAPEV_FINDING(HEAP_HANDLE_MISALIGNED));
    assert_int_equal(decode64(H64 + 0x1000, 40, A64, 3), HEAPEV_FINDING(HEAP_HANDLE_MISALIGNED));
    assert_int_equal(decode32(H32 + 0x8000, 24, A32, 3), HEAPEV_FINDING(HEAP_HANDLE_MISALIGNED));
    assert_int_equal(decode32(H32 + 0x10000, 24, A32, 3), 0);
}

static void test_many_findings_at_once(void **state)
{
    (void)state;
    heapev_findings f = decode64(0, UINT64_MAX, 0xFFFFFFFFFFFFFFF1ull, 2);
    assert_int_equal(f, HEAPEV_FINDING(HEAP_HANDLE_NULL) | HEAPEV_FINDING(ADDRESS_MISALIGNED) | HEAPEV_FINDING(ADDRESS_WRAPS) |
                            HEAPEV_FINDING(ADDRESS_KERNEL_RANGE) | HEAPEV_FINDING(SIZE_IMPLAUSIBLE) |
                            HEAPEV_FINDING(LOWFRAG_SIZE_TOO_LARGE));
}

/*
 * Every length 0..64, with each width argument: the length rules and nothing
 * else. The buffer holds a clean payload of the width under test, then zeros.
 */
static void check_length(unsigned width_arg, size_t len)
{
    uint8_t buf[64];
    memset(buf, 0, sizeof buf);
    int explicit_width = width_arg == 4 || width_arg == 8;
    unsigned width = explicit_width ? width_arg : len == 16 ? 4 : len == 28 ? 8 : 0;
    if (width == 4)
        t_payload32(buf, H32, 24, A32, 3);
    else
        t_payload64(buf, H64, 40, A64, 3);
    heapev_event e;
    heapev_findings f = heapev_decode_payload(len ? buf : NULL, len, width_arg, NULL, &e);
    if (width == 0) {
        assert_int_equal(f, HEAPEV_FINDING(LENGTH_AMBIGUOUS));
        assert_int_equal(e.payload_decoded, 0);
        assert_int_equal(e.pointer_width, 0);
        return;
    }
    size_t need = width == 4 ? 16 : 28;
    assert_int_equal(e.pointer_width, width);
    if (len < need) {
        assert_int_equal(f, HEAPEV_FINDING(TRUNCATED));
        assert_int_equal(e.payload_decoded, 0);
        assert_true(e.heap_handle == 0 && e.size == 0 && e.address == 0 && e.source == 0);
    } else {
        assert_int_equal(f, len > need ? HEAPEV_FINDING(TRAILING_BYTES) : 0);
        assert_int_equal(e.trailing_bytes, len - need);
        assert_int_equal(e.payload_decoded, 1);
    }
}

static void test_every_length(void **state)
{
    (void)state;
    static const unsigned widths[] = {HEAPEV_WIDTH_INFER, 4, 8, 5 /* invalid: infer */};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (size_t len = 0; len <= 64; len++)
            check_length(widths[w], len);
}

static void test_trailing_bytes_keep_fields(void **state)
{
    (void)state;
    uint8_t buf[40];
    memset(buf, 0xAB, sizeof buf);
    t_payload64(buf, H64, 40, A64, 1);
    heapev_event e;
    assert_int_equal(heapev_decode_payload(buf, sizeof buf, 8, NULL, &e), HEAPEV_FINDING(TRAILING_BYTES));
    assert_true(e.heap_handle == H64 && e.address == A64 && e.size == 40 && e.source == 1);
    assert_int_equal(e.trailing_bytes, 12);
}

/*
 * More than 4 GiB of trailing bytes (64-bit hosts): trailing_bytes, a u32,
 * saturates at UINT32_MAX. Only the 28 payload bytes are readable; the rest
 * of the length is PROT_NONE (t_guard), so the decoder must not touch it.
 */
static void test_trailing_bytes_saturate(void **state)
{
    (void)state;
#if SIZE_MAX > UINT32_MAX
    size_t len = 28 + (size_t)UINT32_MAX + 5;
    uint8_t payload[28];
    t_payload64(payload, H64, 40, A64, 1);
    t_guarded g;
    const uint8_t *m = t_guard(&g, payload, sizeof payload, len - sizeof payload, 0);
    if (m == NULL)
        skip();
    heapev_event e;
    assert_int_equal(heapev_decode_payload(m, len, 8, NULL, &e), HEAPEV_FINDING(TRAILING_BYTES));
    assert_true(e.heap_handle == H64 && e.address == A64 && e.size == 40 && e.source == 1);
    assert_int_equal(e.trailing_bytes, UINT32_MAX);
    /* One byte less than 4 GiB trailing: exact. */
    assert_int_equal(heapev_decode_payload(m, 28 + (size_t)UINT32_MAX - 1, 8, NULL, &e),
                     HEAPEV_FINDING(TRAILING_BYTES));
    assert_int_equal(e.trailing_bytes, UINT32_MAX - 1);
    assert_int_equal(t_unguard(&g), 0);
#else
    skip();
#endif
}

/* A 64-bit payload read as 32-bit: the fields are reinterpreted, 12 bytes trail. */
static void test_wrong_width(void **state)
{
    (void)state;
    uint8_t buf[28];
    heapev_event e;
    t_payload64(buf, 0x0000000500010000ull, 0x0000000100000040ull, A64, 3);
    heapev_decode_payload(buf, sizeof buf, 4, NULL, &e);
    assert_true(e.heap_handle == 0x00010000 && e.size == 5 && e.address == 0x40);
    assert_int_equal(e.source, 1);
    assert_int_equal(e.trailing_bytes, 12);
    assert_int_equal(e.findings, HEAPEV_FINDING(TRAILING_BYTES) | HEAPEV_FINDING(ADDRESS_LOW_RANGE));
    /* And a 32-bit payload read as 64-bit is truncated. */
    t_payload32(buf, H32, 24, A32, 3);
    assert_int_equal(heapev_decode_payload(buf, 16, 8, NULL, &e), HEAPEV_FINDING(TRUNCATED));
}

/*
 * The decoder never reads past len: a payload at the very end of readable
 * memory, a PROT_NONE page right after it (t_guard), so a read past the end
 * faults and fails the test with or without ASan.
 */
static void test_reads_stay_in_bounds(void **state)
{
    (void)state;
    uint8_t bytes[40];
    memset(bytes, 0x5A, sizeof bytes);
    for (size_t len = 0; len <= sizeof bytes; len++) {
        t_guarded g;
        const uint8_t *buf = t_guard(&g, bytes, len, 1, 0);
        assert_non_null(buf);
        heapev_event e;
        for (unsigned w = 0; w <= 8; w += 4)
            heapev_decode_payload(buf, len, w, NULL, &e);
        assert_int_equal(t_unguard(&g), 0);
    }
}

/* heapev_check_fields is public: it must be safe on events the decoder never makes. */
static void test_check_fields_api(void **state)
{
    (void)state;
    heapev_event e;
    memset(&e, 0, sizeof e);
    e.pointer_width = 0; /* unknown width: no check applies */
    assert_int_equal(heapev_check_fields(&e, NULL), 0);
    e.pointer_width = 3;
    assert_int_equal(heapev_check_fields(&e, NULL), 0);
    /* A 32-bit event holding a value no 32-bit payload can carry: out of range, not wrapping. */
    e.pointer_width = 4;
    e.heap_handle = H32;
    e.address = 0x100000000ull;
    e.size = 0x10;
    e.source = 3;
    assert_int_equal(heapev_check_fields(&e, NULL), HEAPEV_FINDING(ADDRESS_KERNEL_RANGE));
}

/* Two events agree on every member (padding aside). */
static void assert_same_event(const heapev_event *a, const heapev_event *b, size_t i)
{
    const heapev_record_header *x = &a->header, *y = &b->header;
    if (a->heap_handle != b->heap_handle || a->size != b->size || a->address != b->address ||
        a->source != b->source || a->pointer_width != b->pointer_width ||
        a->has_header != b->has_header || a->payload_decoded != b->payload_decoded ||
        a->trailing_bytes != b->trailing_bytes || a->findings != b->findings ||
        x->version != y->version || x->header_type != y->header_type || x->flags != y->flags ||
        x->size != y->size || x->hook_id != y->hook_id || x->thread_id != y->thread_id ||
        x->process_id != y->process_id || x->system_time != y->system_time ||
        x->kernel_time != y->kernel_time || x->user_time != y->user_time)
        fail_msg("event %zu: the batch decoder differs from heapev_decode_payload()", i);
}

/* A field value: boundary values of both widths' limits, or random. */
static uint64_t pick_value(uint64_t *x)
{
    static const uint64_t edges[] = {0, 1, 8, 15, 16, 0x4000, 0x4001, 0x7FFEFFFF, 0x7FFF0000,
                                     0xBFFEFFFF, 0xFFFEFFFF, 0xFFFFFFFF, 0x100000000ull,
                                     0x7FFFFFFEFFFFull, 0x7FFFFFFF0000ull, 0xFFFF800000000000ull,
                                     UINT64_MAX - 15, UINT64_MAX};
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t r = *x >> 11;
    return r % 3 == 0 ? edges[(r >> 2) % (sizeof edges / sizeof edges[0])] : r * 0x9E3779B97F4A7C15ull;
}

/*
 * heapev_decode_payloads() = heapev_decode_payload() one by one, on streams
 * of random and boundary payloads of both widths (every Source below 32 and
 * huge ones), with the default and other limits; a bad width or no payload
 * decodes nothing.
 */
static void test_batch_agrees(void **state)
{
    (void)state;
    enum { N = 4096 };
    static uint8_t bytes[N * 28];
    static heapev_event batch[N], one;
    uint64_t x = 99;
    heapev_limits other = {0xBFFEFFFF, 0x7FFFFFFEFFFFull / 2, 0xFFFEFFFF};
    for (int round = 0; round < 16; round++) {
        unsigned width = round % 2 ? 4u : 8u;
        size_t size = HEAPEV_PAYLOAD_SIZE(width);
        for (size_t i = 0; i < N; i++) {
            uint8_t *p = bytes + i * size;
            for (unsigned f = 0; f < 3; f++) {
                uint64_t v = pick_value(&x);
                for (unsigned b = 0; b < width; b++)
                    p[f * width + b] = (uint8_t)(v >> (8 * b));
            }
            uint64_t r = pick_value(&x);
            uint32_t src = r % 4 == 0 ? (uint32_t)r : (uint32_t)(r % 32);
            for (unsigned b = 0; b < 4; b++)
                p[3 * width + b] = (uint8_t)(src >> (8 * b));
        }
        const heapev_limits *lim = round % 4 < 2 ? NULL : &other;
        memset(batch, 0xA5, sizeof batch);
        heapev_findings all = heapev_decode_payloads(bytes, N, width, lim, batch), want = 0;
        for (size_t i = 0; i < N; i++) {
            want |= heapev_decode_payload(bytes + i * size, size, width, lim, &one);
            assert_same_event(&batch[i], &one, i);
        }
        assert_true(all == want);
    }
    assert_true(heapev_decode_payloads(NULL, 0, 8, NULL, batch) == 0);
    memset(&one, 0x5A, sizeof one);
    memcpy(&batch[0], &one, sizeof one);
    assert_true(heapev_decode_payloads(bytes, 1, 0, NULL, batch) == 0); /* no width: nothing */
    assert_memory_equal(&batch[0], &one, sizeof one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_64_fields),   cmocka_unit_test(test_clean_32_fields),
        cmocka_unit_test(test_source_values),     cmocka_unit_test(test_source_names),
        cmocka_unit_test(test_null_fields),       cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_kernel_range),      cmocka_unit_test(test_size_checks),
        cmocka_unit_test(test_address_wraps),     cmocka_unit_test(test_low_range_and_heap_alignment),
        cmocka_unit_test(test_many_findings_at_once),
        cmocka_unit_test(test_every_length),      cmocka_unit_test(test_trailing_bytes_keep_fields),
        cmocka_unit_test(test_wrong_width),       cmocka_unit_test(test_reads_stay_in_bounds),
        cmocka_unit_test(test_check_fields_api),  cmocka_unit_test(test_trailing_bytes_saturate),
        cmocka_unit_test(test_batch_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
