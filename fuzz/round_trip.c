/*
 * This fuzz target decodes every record of a stream and every payload width,
 * re-encodes what was decoded and decodes it again, to ensure encode and
 * decode agree: the same fields, the same findings (less those about the
 * original framing) and the same bytes.
 */
#include <string.h>

#include "fuzz_helpers.h"

#define FRAMING_FINDINGS (HEAPEV_FINDING(TRAILING_BYTES) | HEAPEV_FINDING(HEADER_SIZE_MISMATCH))

static void same_fields(const heapev_event *a, const heapev_event *b)
{
    FUZZ_ASSERT_MSG(a->heap_handle == b->heap_handle && a->size == b->size &&
                        a->address == b->address && a->source == b->source &&
                        a->pointer_width == b->pointer_width,
                    "payload fields changed in the round trip");
}

static void payload_round_trip(const uint8_t *data, size_t size, unsigned width)
{
    heapev_event ev, again;
    uint8_t buf[HEAPEV_PAYLOAD_SIZE_64];
    heapev_decode_payload(data, size, width, NULL, &ev);
    if (!ev.payload_decoded)
        return;
    size_t n = heapev_encode_payload(&ev, buf, sizeof buf);
    FUZZ_ASSERT_MSG(n == heapev_payload_size(&ev) && n <= size, "encoded payload size");
    FUZZ_ASSERT_MSG(fuzz_memcmp(buf, data, n) == 0, "re-encoded payload differs from the input");
    heapev_findings f = heapev_decode_payload(buf, n, width, NULL, &again);
    fuzz_check_event(&again, f);
    same_fields(&ev, &again);
    FUZZ_ASSERT_MSG(again.findings == (ev.findings & ~HEAPEV_FINDING(TRAILING_BYTES)) &&
                        again.trailing_bytes == 0,
                    "findings changed in the payload round trip");
}

static void record_round_trip(const uint8_t *data, size_t len, const heapev_event *ev)
{
    heapev_event canon = *ev, again;
    uint8_t buf[HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64];
    size_t want = heapev_record_size(&canon);
    FUZZ_ASSERT_MSG(want != 0 && want <= len, "decoded record smaller than its layout");
    canon.header.size = (uint16_t)want; /* canonical framing: no trailing bytes */
    size_t n = heapev_encode_record(&canon, buf, sizeof buf);
    FUZZ_ASSERT_MSG(n == want, "encode_record size");

    /* Same bytes as the input, except the Size field. */
    uint8_t orig[sizeof buf];
    memcpy(orig, data, n);
    orig[HEAPEV_HEADER_OFF_SIZE] = buf[HEAPEV_HEADER_OFF_SIZE];
    orig[HEAPEV_HEADER_OFF_SIZE + 1] = buf[HEAPEV_HEADER_OFF_SIZE + 1];
    FUZZ_ASSERT_MSG(memcmp(orig, buf, n) == 0, "re-encoded record differs from the input");

    size_t consumed = 0;
    heapev_findings f = heapev_decode_record(buf, n, NULL, &again, &consumed);
    fuzz_check_record(&again, f, consumed, n);
    FUZZ_ASSERT(consumed == n && again.payload_decoded && again.has_header);
    same_fields(ev, &again);
    canon.header.size = again.header.size;
    FUZZ_ASSERT_MSG(memcmp(&canon.header, &again.header, sizeof canon.header) == 0,
                    "header fields changed in the round trip");
    FUZZ_ASSERT_MSG(again.findings == (ev->findings & ~FRAMING_FINDINGS),
                    "findings changed in the record round trip");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    payload_round_trip(data, size, HEAPEV_WIDTH_INFER);
    payload_round_trip(data, size, 4);
    payload_round_trip(data, size, 8);

    size_t offset = 0;
    while (offset < size) {
        heapev_event ev;
        size_t consumed = 0;
        heapev_findings f = heapev_decode_record(data + offset, size - offset, NULL, &ev, &consumed);
        fuzz_check_record(&ev, f, consumed, size - offset);
        if (ev.payload_decoded)
            record_round_trip(data + offset, consumed, &ev);
        offset += consumed;
    }
    return 0;
}
