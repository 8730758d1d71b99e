/*
 * This fuzz target reads arbitrary bytes as an .etl file image with the
 * streaming reader, to ensure the reader terminates, reads nothing past the
 * image, and returns only well-formed items: events that keep the decoder's
 * promises and container items carrying etl_* findings only. A second reader
 * with report_skipped runs in lockstep: once its SKIPPED and RECORDS_END items
 * are set aside, it must return exactly the same items and counters.
 */
#include "fuzz_helpers.h"
#include "heapev/etl.h"

#define ETL_FINDINGS (~(HEAPEV_FINDING_BIT(HEAPEV_FINDING_ETL_NO_LOGFILE_HEADER) - 1u))
#define ALL_FINDINGS (HEAPEV_FINDING_BIT(HEAPEV_FINDING_COUNT) - 1u)

/* The next item of the report_skipped reader that the default reader also returns. */
static heapev_etl_status next_shared(heapev_etl_reader *r, heapev_etl_item *item, size_t size)
{
    heapev_etl_status st;
    while ((st = heapev_etl_next(r, item)) == HEAPEV_ETL_OK) {
        if (item->kind == HEAPEV_ETL_ITEM_SKIPPED) {
            FUZZ_ASSERT_MSG(item->findings == 0 && item->skipped.size != 0 &&
                                item->offset + item->skipped.size <= size,
                            "skipped record beyond the image");
        } else if (item->kind == HEAPEV_ETL_ITEM_RECORDS_END) {
            FUZZ_ASSERT_MSG(item->findings == 0 && item->offset <= size, "records end beyond the image");
        } else {
            break;
        }
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    heapev_etl_reader reader;
    heapev_etl_item item;
    heapev_etl_read_options opts = {.max_buffer_size = 1u << 20}; /* 1 MiB: keep each input fast */
    heapev_etl_reader_init_memory(&reader, &opts, data, size);
    heapev_etl_reader walk;
    heapev_etl_item shared;
    heapev_etl_read_options walk_opts = opts;
    walk_opts.report_skipped = 1;
    heapev_etl_reader_init_memory(&walk, &walk_opts, data, size);
    uint64_t items = 0, last_offset = 0;
    heapev_etl_status st;
    while ((st = heapev_etl_next(&reader, &item)) == HEAPEV_ETL_OK) {
        FUZZ_ASSERT_MSG(++items <= size + 8, "more items than the image can hold");
        FUZZ_ASSERT_MSG(item.offset <= size, "item offset beyond the image");
        FUZZ_ASSERT_MSG((item.findings & ~ALL_FINDINGS) == 0, "finding outside the table");
        FUZZ_ASSERT_MSG(next_shared(&walk, &shared, size) == HEAPEV_ETL_OK &&
                            shared.kind == item.kind && shared.buffer == item.buffer &&
                            shared.offset == item.offset && shared.findings == item.findings,
                        "report_skipped changed the default items");
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
    FUZZ_ASSERT_MSG(next_shared(&walk, &shared, size) == HEAPEV_ETL_END,
                    "report_skipped added items");
    const heapev_etl_stats *stats = heapev_etl_reader_stats(&reader);
    FUZZ_ASSERT(stats->events + stats->container_items == items);
    FUZZ_ASSERT(fuzz_memcmp(stats, heapev_etl_reader_stats(&walk), sizeof *stats) == 0);
    return 0;
}
