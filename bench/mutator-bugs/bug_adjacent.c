/*
 * bug_adjacent.c - an arithmetic relation between two records: an Alloc
 * whose Address is exactly the previous Alloc's Address + Size in the same
 * heap (the next block starts where the previous one ends). The reader then
 * merges the two into a run whose length it keeps in a 2-entry array, and
 * writes the third entry (stack-buffer-overflow).
 */
#include "etl_walk.h"

struct state {
    uint64_t heap, end; /* the last Alloc: its heap and its Address + Size */
    int have;
    size_t events;
};

static int on_event(void *ctx, const struct walk_trace *t, const struct walk_event *e)
{
    struct state *s = ctx;
    (void)t;
    if (e->free)
        return 0;
    if (s->have && e->heap == s->heap && e->size != 0 && e->address == s->end) {
        uint64_t run[2] = {s->end, e->size};
        volatile unsigned k = 2;
        run[k] = e->address + e->size; /* BUG: run has 2 entries */
        s->events += run[0] != 0;
    }
    s->heap = e->heap, s->end = e->address + e->size, s->have = 1;
    s->events++;
    return 0;
}

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    struct walk_trace t;
    struct state s;
    memset(&s, 0, sizeof s);
    return walk_etl(data, len, &t, on_event, &s) == 0 ? (int)s.events : -1;
}
