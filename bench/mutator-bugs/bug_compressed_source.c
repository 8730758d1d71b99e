/*
 * bug_compressed_source.c - a field behind compression: only the records of
 * a compressed buffer that decompresses to exactly its Offset are counted
 * per Source (pktmon-style statistics), in a table of 5 counters whose check
 * lets Source 5 (MEMORY_FROM_INVALID) through. Byte mutations of the
 * LZXpress stream break it; a correctly recompressed record reaches it.
 */
#include "etl_walk.h"

static unsigned long per_source[5]; /* Lookaside..SlowPath, index = Source */

static int on_event(void *ctx, const struct walk_trace *t, const struct walk_event *e)
{
    (void)t;
    if (e->free || !e->decompressed)
        return 0;
    if (e->source <= 5) /* BUG: per_source has no slot 5 */
        per_source[e->source]++;
    (*(size_t *)ctx)++;
    return 0;
}

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    struct walk_trace t;
    size_t events = 0;
    return walk_etl(data, len, &t, on_event, &events) == 0 ? (int)events : -1;
}
