/*
 * bug_time_back.c - two records in sequence: the same thread's time going
 * backwards a little. The reader keeps each thread's last SystemTime; an
 * event up to 10 000 ticks (1 ms at 10 MHz) earlier is taken as clock skew
 * between per-CPU buffers and reordered, its lag copied into a 4-byte slot
 * (stack-buffer-overflow: the lag is 8 bytes); one older than that is
 * dropped as corrupt. (A first version took any step back: plain libFuzzer
 * found it in 0.3 s, a bit flip in a later SystemTime of a shared thread.)
 */
#include "etl_walk.h"

#define THREADS 64
#define SKEW 10000 /* ticks of clock skew tolerated */

struct state {
    uint32_t tid[THREADS];
    int64_t last[THREADS];
    unsigned n;
    size_t events;
};

static int on_event(void *ctx, const struct walk_trace *t, const struct walk_event *e)
{
    struct state *s = ctx;
    (void)t;
    if (e->free || e->thread == 0)
        return 0;
    unsigned i = 0;
    while (i < s->n && s->tid[i] != e->thread)
        i++;
    if (i == s->n) {
        if (s->n == THREADS)
            return 0;
        s->tid[s->n] = e->thread, s->last[s->n++] = e->time;
    } else if (e->time < s->last[i]) {
        uint8_t reorder[4];
        int64_t lag = (int64_t)((uint64_t)s->last[i] - (uint64_t)e->time);
        if (lag <= 0 || lag > SKEW)
            return 0; /* corrupt: dropped */
        volatile size_t n = sizeof lag;
        memcpy(reorder, &lag, n); /* BUG: 8 bytes into 4 */
        s->events += reorder[0] != 0;
    } else {
        s->last[i] = e->time;
    }
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
