/*
 * bug_shallow_source.c - depth 1, a field against a constant: a heap Alloc
 * whose Source is 7 (undefined) anywhere in a trace. The Source-name table
 * has 7 entries, the range check lets 7 through (global-buffer-overflow).
 */
#include "etl_walk.h"

static const char *const source_names[] = {"Unknown", "Lookaside", "LowFrag", "MainPath",
                                           "SlowPath", "Invalid", "SegmentHeap"};

static int on_event(void *ctx, const struct walk_trace *t, const struct walk_event *e)
{
    (void)t;
    if (e->free)
        return 0;
    unsigned source = e->source > 7 ? 0 : e->source; /* BUG: 7 is past the table */
    *(size_t *)ctx += strlen(source_names[source]) > 0;
    return 0;
}

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    struct walk_trace t;
    size_t events = 0;
    return walk_etl(data, len, &t, on_event, &events) == 0 ? (int)events : -1;
}
