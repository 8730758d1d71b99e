/*
 * bug_same_address.c - two records in sequence: the same Address allocated
 * twice while the first block is live (no Free of it between). The reader
 * keeps live blocks in a list; on a second Alloc of a live Address it frees
 * the old block but leaves it linked, then updates it (heap-use-after-free).
 */
#include "etl_walk.h"

struct block {
    uint64_t address, size;
    struct block *next;
};

struct state {
    struct block *live;
    size_t events;
};

static struct block **find(struct state *s, uint64_t address)
{
    struct block **b = &s->live;
    while (*b != NULL && (*b)->address != address)
        b = &(*b)->next;
    return b;
}

static int on_event(void *ctx, const struct walk_trace *t, const struct walk_event *e)
{
    struct state *s = ctx;
    (void)t;
    struct block **b = find(s, e->address);
    if (e->free) {
        struct block *dead = *b;
        if (dead != NULL)
            *b = dead->next, free(dead);
        return 0;
    }
    if (*b != NULL) { /* allocated again while live: the old block is replaced */
        free(*b);      /* BUG: freed but still linked */
        (*b)->size = e->size;
    } else if ((*b = calloc(1, sizeof **b)) != NULL) {
        (*b)->address = e->address, (*b)->size = e->size;
    }
    s->events++;
    return 0;
}

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    struct walk_trace t;
    struct state s = {NULL, 0};
    int rc = walk_etl(data, len, &t, on_event, &s) == 0 ? (int)s.events : -1;
    while (s.live != NULL) {
        struct block *next = s.live->next;
        free(s.live);
        s.live = next;
    }
    return rc;
}
