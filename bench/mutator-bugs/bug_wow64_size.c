/*
 * bug_wow64_size.c - a whole-record rule: in a 64-bit trace (PointerSize 8)
 * a 32-bit (WOW64) Alloc is taken only when its Size field is exactly its
 * header plus a 16-byte payload. Such an Alloc of a large-address-aware
 * process (Address at or above 2 GiB, legal up to 0xFFFEFFFF) is bucketed
 * by the Address's top byte read as signed: a negative index.
 */
#include "etl_walk.h"

static unsigned long by_top_byte[128];

static int on_event(void *ctx, const struct walk_trace *t, const struct walk_event *e)
{
    if (e->free || t->psize != 8 || e->width != 4 || e->size_field != e->header_size + 16u)
        return 0;
    int8_t top = (int8_t)(e->address >> 24); /* BUG: signed, so 0x80..0xFF go negative */
    by_top_byte[top]++;
    (*(size_t *)ctx)++;
    return 0;
}

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    struct walk_trace t;
    size_t events = 0;
    return walk_etl(data, len, &t, on_event, &events) == 0 ? (int)events : -1;
}
