/*
 * This fuzz target decodes arbitrary bytes as a bare heap Alloc payload, 32-bit,
 * 64-bit and inferred, to ensure the payload decoder keeps its promises: no
 * read past len, findings only from the table, fields zero unless decoded,
 * and the same fields whatever the limits.
 */
#include "fuzz_helpers.h"

/* Findings that depend on the limits rather than on the bytes. */
#define LIMIT_FINDINGS \
    (HEAPEV_FINDING(ADDRESS_KERNEL_RANGE) | HEAPEV_FINDING(HEAP_HANDLE_KERNEL_RANGE) | \
     HEAPEV_FINDING(SIZE_IMPLAUSIBLE) | HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned widths[] = {HEAPEV_WIDTH_INFER, 4, 8};
    heapev_event whole[3], ev;

    /* The whole input, under the default limits. */
    for (unsigned i = 0; i < 3; i++) {
        heapev_findings f = heapev_decode_payload(data, size, widths[i], NULL, &whole[i]);
        fuzz_check_event(&whole[i], f);
        FUZZ_ASSERT(!whole[i].has_header);
        FUZZ_ASSERT_MSG(whole[i].payload_decoded == (size >= HEAPEV_PAYLOAD_SIZE(whole[i].pointer_width) &&
                                                     whole[i].pointer_width != 0),
                        "payload_decoded does not follow the length rule");
    }
    if (size == HEAPEV_PAYLOAD_SIZE_32 || size == HEAPEV_PAYLOAD_SIZE_64) {
        const heapev_event *same = &whole[size == HEAPEV_PAYLOAD_SIZE_32 ? 1 : 2];
        FUZZ_ASSERT_MSG(whole[0].findings == same->findings && whole[0].address == same->address,
                        "inferred width decodes differently from the explicit one");
    } else {
        FUZZ_ASSERT(whole[0].findings == HEAPEV_FINDING(LENGTH_AMBIGUOUS));
    }

    /* Width and limits from the tail, the payload from the front. */
    fuzz_data_producer producer;
    fuzz_data_producer_init(&producer, data, size);
    unsigned width = widths[fuzz_data_producer_uint32_range(&producer, 0, 2)];
    heapev_limits limits = fuzz_data_producer_limits(&producer);
    size_t len = fuzz_data_producer_remaining(&producer);
    const uint8_t *payload = fuzz_data_producer_payload(&producer);

    heapev_event plain;
    heapev_findings f = heapev_decode_payload(payload, len, width, &limits, &ev);
    fuzz_check_event(&ev, f);
    heapev_decode_payload(payload, len, width, NULL, &plain);
    FUZZ_ASSERT_MSG(ev.payload_decoded == plain.payload_decoded && ev.size == plain.size &&
                        ev.address == plain.address && ev.heap_handle == plain.heap_handle &&
                        ev.source == plain.source && ev.trailing_bytes == plain.trailing_bytes,
                    "limits changed a decoded field");
    FUZZ_ASSERT_MSG((ev.findings & ~LIMIT_FINDINGS) == (plain.findings & ~LIMIT_FINDINGS),
                    "limits changed a finding that does not depend on them");
    return 0;
}
