/*
 * This fuzz target reads arbitrary bytes as an .etl file image with the
 * streaming reader, to ensure the reader terminates, reads nothing past the
 * image, and returns only well-formed items: events that keep the decoder's
 * promises and container items carrying etl_* findings only.
 */
#include "fuzz_helpers.h"
#include "heapev/etl.h"

#define ETL_FINDINGS (~(HEAPEV_FINDING_BIT(HEAPEV_FINDING_ETL_NO_LOGFILE_HEADER) - 1u))
#define ALL_FINDINGS (HEAPEV_FINDING_BIT(HEAPEV_FINDING_COUNT) - 1u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    heapev_etl_reader reader;
    heapev_etl_item item;
    heapev_etl_read_options opts = {.max_buffer_size = 1u << 20}; /* 1 MiB: keep each input fast */
    heapev_etl_reader_init_memory(&reader, &opts, data, size);
    uint64_t items = 0, last_offset = 0;
    heapev_etl_status st;
    while ((st = heapev_etl_next(&reader, &item)) == HEAPEV_ETL_OK) {
        FUZZ_ASSERT_MSG(++items <= size + 8, "more items than the image can hold");
        FUZZ_ASSERT_MSG(item.offset <= size, "item offset beyond the image");
        FUZZ_ASSERT_MSG((item.findings & ~ALL_FINDINGS) == 0, "finding outside the table");
        if (item.kind == HEAPEV_ETL_ITEM_EVENT) {
            FUZZ_ASSERT(item.findings == item.event.findings);
            FUZZ_ASSERT(item.event.has_header);
            FUZZ_ASSERT(item.offset >= last_offset);
            last_offset = item.offset;
        } else {
            FUZZ_ASSERT_MSG(item.kind == HEAPEV_ETL_ITEM_CONTAINER, "unknown item kind");
            FUZZ_ASSERT_MSG(item.findings != 0 && (item.findings & ~ETL_FINDINGS) == 0,
                            "container item without etl_* findings");
        }
    }
    FUZZ_ASSERT(st == HEAPEV_ETL_END);
    const heapev_etl_stats *stats = heapev_etl_reader_stats(&reader);
    FUZZ_ASSERT(stats->events + stats->container_items == items);
    return 0;
}
