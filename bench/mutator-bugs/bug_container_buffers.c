/*
 * bug_container_buffers.c - a consistent container: the reader accepts a
 * trace only when BuffersWritten, every BufferSize and SavedOffset == Offset
 * agree, then counts Allocs per buffer in a table of 6 whose check is off by
 * one: an Alloc in buffer 6 (a consistent trace of 7 buffers or more)
 * writes past it. The checked-in traces have at most 4 buffers.
 */
#include "etl_walk.h"

#define TRACKED 6 /* buffers with their own counter */

struct state {
    uint16_t *per_buffer; /* TRACKED counters */
    size_t events;
};

static int on_event(void *ctx, const struct walk_trace *t, const struct walk_event *e)
{
    struct state *s = ctx;
    (void)t;
    if (e->free)
        return 0;
    if (e->buffer <= TRACKED) /* BUG: per_buffer[TRACKED] is one past the end */
        s->per_buffer[e->buffer]++;
    s->events++;
    return 0;
}

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    struct walk_trace t;
    struct state s = {calloc(TRACKED, sizeof(uint16_t)), 0};
    int rc = -1;
    if (s.per_buffer != NULL && walk_logfile(data, len, &t) == 0 &&
        walk_consistent(data, len, &t, &t.buffers) && walk_etl(data, len, &t, on_event, &s) == 0)
        rc = (int)s.events;
    free(s.per_buffer);
    return rc;
}
