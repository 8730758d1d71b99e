/*
 * This fuzz target decodes the same bytes with heapev and with the separately
 * written simple decoder (simple_decoder.c), as payloads of each width and as
 * a record stream, to ensure the two agree on every field, every finding and
 * every record boundary, in all three header families (SYSTEM, COMPACT,
 * PERFINFO), and on the header-type tables themselves.
 */
#include "fuzz_helpers.h"
#include "simple_decoder.h"

static void compare(const heapev_event *h, const simple_event *s)
{
    FUZZ_ASSERT_MSG(h->findings == s->findings, "findings disagree");
    FUZZ_ASSERT_MSG(h->pointer_width * 8 == s->bits, "pointer width disagrees");
    FUZZ_ASSERT_MSG(h->payload_decoded == s->payload_read, "payload_decoded disagrees");
    FUZZ_ASSERT_MSG(h->heap_handle == s->heap_handle, "HeapHandle disagrees");
    FUZZ_ASSERT_MSG(h->size == s->size, "Size disagrees");
    FUZZ_ASSERT_MSG(h->address == s->address, "Address disagrees");
    FUZZ_ASSERT_MSG(h->source == s->source, "Source disagrees");
    FUZZ_ASSERT_MSG(h->trailing_bytes == s->extra, "trailing_bytes disagrees");
    FUZZ_ASSERT_MSG(h->has_header == s->has_header, "has_header disagrees");
    const heapev_record_header *r = &h->header;
    FUZZ_ASSERT_MSG(r->version == s->version && r->header_type == s->type &&
                        r->flags == s->flags && r->size == s->size_field &&
                        r->hook_id == s->hook,
                    "header marker fields disagree");
    FUZZ_ASSERT_MSG(r->thread_id == s->thread && r->process_id == s->process &&
                        (uint64_t)r->system_time == s->system_time &&
                        r->kernel_time == s->kernel_time && r->user_time == s->user_time,
                    "header context fields disagree");
}

/*
 * Once per process: the library's header-type tables (heapev/event.h) against
 * the simple decoder's, for every HeaderType byte. SYSTEM/COMPACT have
 * SystemTime at 16, PERFINFO at 8; types without a payload width are unknown.
 */
static void compare_type_tables(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    for (unsigned t = 0; t < 256; t++) {
        int bits = simple_type_bits(t);
        size_t hlen = simple_header_length(t);
        unsigned h_size = heapev_header_type_size((uint8_t)t);
        FUZZ_ASSERT_MSG(heapev_header_type_width((uint8_t)t) * 8 == (unsigned)bits,
                        "header type width disagrees");
        FUZZ_ASSERT_MSG(h_size == (bits != 0 ? hlen : 0), "header type size disagrees");
        FUZZ_ASSERT_MSG(heapev_header_type_time_offset((uint8_t)t) ==
                            (bits == 0 ? 0u : hlen == 16 ? 8u : 16u),
                        "header type SystemTime offset disagrees");
    }
}

static void differ(const uint8_t *data, size_t size, const heapev_limits *lim)
{
    static const int bits[] = {0, 32, 64};
    heapev_event h;
    simple_event s;
    for (unsigned i = 0; i < 3; i++) {
        fuzz_check_event(&h, heapev_decode_payload(data, size, (unsigned)bits[i] / 8, lim, &h));
        simple_decode_payload(data, size, bits[i], lim->user_max_32, lim->user_max_64, &s);
        compare(&h, &s);
    }
    size_t offset = 0;
    while (offset < size) {
        size_t consumed = 0;
        heapev_findings f = heapev_decode_record(data + offset, size - offset, lim, &h, &consumed);
        fuzz_check_record(&h, f, consumed, size - offset);
        size_t simple_consumed = simple_decode_record(data + offset, size - offset,
                                                      lim->user_max_32, lim->user_max_64, &s);
        compare(&h, &s);
        FUZZ_ASSERT_MSG(consumed == simple_consumed, "record boundaries disagree");
        offset += consumed;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    compare_type_tables();
    heapev_limits defaults = heapev_limits_default();
    differ(data, size, &defaults);

    fuzz_data_producer producer;
    fuzz_data_producer_init(&producer, data, size);
    heapev_limits limits = fuzz_data_producer_limits(&producer);
    differ(fuzz_data_producer_payload(&producer), fuzz_data_producer_remaining(&producer), &limits);
    return 0;
}
