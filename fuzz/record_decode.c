/*
 * This fuzz target decodes arbitrary bytes as a stream of records
 * (SYSTEM_TRACE_HEADER + payload), advancing by consumed, to ensure the record
 * decoder keeps its promises: no read past len, 1 <= consumed <= len, findings
 * only from the table and fields zero unless decoded.
 */
#include "fuzz_helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t offset = 0, records = 0;
    while (offset < size) {
        heapev_event ev;
        size_t consumed = 0;
        heapev_findings f = heapev_decode_record(data + offset, size - offset, NULL, &ev, &consumed);
        fuzz_check_record(&ev, f, consumed, size - offset);
        offset += consumed;
        records++;
    }
    FUZZ_ASSERT_MSG(offset == size && records <= size, "the record walk overran the input");
    return 0;
}
