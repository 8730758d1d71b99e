/* test_roundtrip.c - decode(encode(e)) == e for pseudo-random events of every width and header type. */
#include "cmocka_all.h"

#include "heapev/decode.h"
#include "testlib.h"

static uint64_t width_mask(unsigned w)
{
    return w == 8 ? UINT64_MAX : UINT32_MAX;
}

static heapev_event random_event(uint64_t *rng, unsigned width)
{
    heapev_event e;
    memset(&e, 0, sizeof e);
    e.pointer_width = (uint8_t)width;
    e.heap_handle = t_rand(rng) & width_mask(width);
    e.size = t_rand(rng) & width_mask(width);
    e.address = t_rand(rng) & width_mask(width);
    e.source = (uint32_t)t_rand(rng);
    if (t_rand(rng) & 1) { /* plausible half the time so clean events are covered */
        e.heap_handle &= 0x7FFF0000u;
        e.size &= 0x3FFF;
        e.address = (e.address & 0x3FFFFFF0u) | 0x10000u;
        e.source = (uint32_t)(1 + t_rand(rng) % 4);
    }
    return e;
}

static void assert_same_fields(const heapev_event *a, const heapev_event *b)
{
    assert_true(a->heap_handle == b->heap_handle);
    assert_true(a->size == b->size);
    assert_true(a->address == b->address);
    assert_int_equal(a->source, b->source);
    assert_int_equal(a->pointer_width, b->pointer_width);
}

static void test_payload_roundtrip(void **state)
{
    (void)state;
    uint64_t rng = 1;
    for (int i = 0; i < 200000; i++) {
        unsigned width = (i & 1) ? 8 : 4;
        heapev_event e = random_event(&rng, width), d;
        uint8_t buf[28];
        size_t n = heapev_encode_payload(&e, buf, sizeof buf);
        assert_int_equal(n, width == 8 ? 28 : 16);
        heapev_findings f = heapev_decode_payload(buf, n, HEAPEV_WIDTH_INFER, NULL, &d);
        assert_same_fields(&e, &d);
        assert_int_equal(d.payload_decoded, 1);
        assert_int_equal(f, heapev_check_fields(&e, NULL));
        /* and the exact bytes: re-encoding the decoded event gives the same payload */
        uint8_t again[28];
        assert_int_equal(heapev_encode_payload(&d, again, sizeof again), n);
        assert_memory_equal(buf, again, n);
    }
}

static void test_record_roundtrip(void **state)
{
    (void)state;
    /* The three kernel-group header families: SYSTEM, COMPACT, PERFINFO. */
    static const uint8_t types[] = {1, 2, 3, 4, 16, 17};
    uint64_t rng = 2;
    for (int i = 0; i < 200000; i++) {
        uint8_t type = types[i % 6];
        unsigned width = heapev_header_type_width(type);
        heapev_event e = random_event(&rng, width), d;
        e.has_header = 1;
        e.header.version = 2;
        e.header.header_type = type;
        e.header.flags = 0xC0;
        e.header.hook_id = 0x1021;
        if (type < 16) { /* PERFINFO headers have no thread or process id */
            e.header.thread_id = (uint32_t)t_rand(&rng);
            e.header.process_id = (uint32_t)t_rand(&rng);
        }
        e.header.system_time = (int64_t)t_rand(&rng);
        if (type <= 2) {
            e.header.kernel_time = (uint32_t)t_rand(&rng);
            e.header.user_time = (uint32_t)t_rand(&rng);
        }
        e.header.size = (uint16_t)heapev_record_size(&e);
        uint8_t buf[64];
        size_t n = heapev_encode_record(&e, buf, sizeof buf);
        assert_int_equal(n, e.header.size);
        size_t used;
        heapev_findings f = heapev_decode_record(buf, n, NULL, &d, &used);
        assert_int_equal(used, n);
        assert_same_fields(&e, &d);
        assert_memory_equal(&e.header, &d.header, sizeof e.header);
        assert_int_equal(f, heapev_check_fields(&e, NULL));
    }
}

static void test_encode_rejects(void **state)
{
    (void)state;
    heapev_event e;
    uint8_t buf[64];
    memset(&e, 0, sizeof e);
    memset(buf, 0x77, sizeof buf);
    e.pointer_width = 5;
    assert_int_equal(heapev_payload_size(&e), 0);
    assert_int_equal(heapev_encode_payload(&e, buf, sizeof buf), 0);
    e.pointer_width = 8;
    assert_int_equal(heapev_encode_payload(&e, buf, 27), 0);
    assert_int_equal(buf[0], 0x77); /* nothing written */
    e.header.header_type = 9;
    assert_int_equal(heapev_record_size(&e), 0);
    assert_int_equal(heapev_encode_record(&e, buf, sizeof buf), 0);
    e.header.header_type = 2;
    assert_int_equal(heapev_encode_record(&e, buf, 59), 0);
    assert_int_equal(buf[0], 0x77);
    assert_int_equal(heapev_encode_record(&e, buf, 60), 60);
    e.header.header_type = 3;
    assert_int_equal(heapev_encode_record(&e, buf, sizeof buf), 40);
    /* PERFINFO64: 16-byte header + 28; PERFINFO32: 16 + 16. */
    e.header.header_type = 17;
    assert_int_equal(heapev_record_size(&e), 44);
    memset(buf, 0x77, sizeof buf);
    assert_int_equal(heapev_encode_record(&e, buf, 43), 0);
    assert_int_equal(buf[0], 0x77);
    assert_int_equal(heapev_encode_record(&e, buf, 44), 44);
    e.header.header_type = 16;
    assert_int_equal(heapev_record_size(&e), 32);
    assert_int_equal(heapev_encode_record(&e, buf, 32), 32);
}

/*
 * A PERFINFO32 record (SPEC §4): Version, HeaderType, Flags, Size, HookId at
 * the SYSTEM header's offsets, SystemTime at 8, the payload at 16. Thread and
 * process ids (set here) have no place in the header and are not written.
 */
static void test_encode_known_bytes_perfinfo(void **state)
{
    (void)state;
    heapev_event e;
    memset(&e, 0, sizeof e);
    e.pointer_width = 4;
    e.header = (heapev_record_header){2, 16, 0xC0, 32, 0x1021, 0xAAAA, 0xBBBB,
                                      0x0807060504030201ll, 0xCCCC, 0xDDDD};
    e.heap_handle = 0x11223344;
    e.size = 0x55667788;
    e.address = 0x99AABBCC;
    e.source = 0x01020304;
    static const uint8_t want[32] = {
        0x02, 0x00, 0x10, 0xC0, 0x20, 0x00, 0x21, 0x10, /* Version 2, PERFINFO32, 0xC0, 32, 0x1021 */
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* SystemTime */
        0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55,
        0xCC, 0xBB, 0xAA, 0x99, 0x04, 0x03, 0x02, 0x01,
    };
    uint8_t buf[40];
    memset(buf, 0x77, sizeof buf);
    assert_int_equal(heapev_encode_record(&e, buf, sizeof buf), 32);
    assert_memory_equal(buf, want, 32);
    assert_int_equal(buf[32], 0x77);
}

/* The encoder lays bytes out little-endian at the documented offsets (checked by hand). */
static void test_encode_known_bytes(void **state)
{
    (void)state;
    heapev_event e;
    memset(&e, 0, sizeof e);
    e.pointer_width = 4;
    e.heap_handle = 0x11223344;
    e.size = 0x55667788;
    e.address = 0x99AABBCC;
    e.source = 0x01020304;
    uint8_t buf[16];
    static const uint8_t want[16] = {0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55,
                                     0xCC, 0xBB, 0xAA, 0x99, 0x04, 0x03, 0x02, 0x01};
    assert_int_equal(heapev_encode_payload(&e, buf, sizeof buf), 16);
    assert_memory_equal(buf, want, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_roundtrip),
        cmocka_unit_test(test_record_roundtrip),
        cmocka_unit_test(test_encode_rejects),
        cmocka_unit_test(test_encode_known_bytes),
        cmocka_unit_test(test_encode_known_bytes_perfinfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
