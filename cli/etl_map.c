/*
 * etl_map.c - reading a regular .etl file without copying it: the reader's
 * bytes come from mapped windows of the file, and the data buffers of a
 * fixed-size trace are read in segments on several threads, their items
 * printed in file order (heapev/etl.h, "reading a fixed-size trace in
 * segments"). Output and counters are those of one reader reading the file
 * (tests/test_etl_cli.c compares them with the stream path's).
 *
 * Memory stays bounded whatever the file size: a window of at most
 * MAP_WINDOW bytes (or one buffer) for the sequential reader, and
 * 2 x threads segments of about SEGMENT_BYTES in flight, each mapped while
 * it is read and unmapped after; a segment's printed items wait in memory
 * until the segments before it are written.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"

#define MAP_WINDOW (8u << 20)        /* sequential reading: bytes mapped at a time */
#define SEGMENT_BYTES (4u << 20)     /* a segment's bytes with --summary */
#define SEGMENT_BYTES_PRINT (1u << 19) /* a segment's bytes when its items are printed (~8x as text) */
#define MAX_THREADS 64u

#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif

/* ---- mapped windows ---------------------------------------------------------- */

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096u;
}

/* Map file bytes [offset, offset + len) (len > 0): sets *base (to unmap) and returns the bytes. */
static const uint8_t *map_range(int fd, uint64_t offset, size_t len, void **base, size_t *maplen)
{
    uint64_t start = offset - offset % page_size();
    *maplen = (size_t)(offset - start) + len;
    *base = mmap(NULL, *maplen, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, (off_t)start);
    if (*base == MAP_FAILED) {
        *base = NULL;
        return NULL;
    }
    return (const uint8_t *)*base + (offset - start);
}

static void unmap(void **base, size_t len)
{
    if (*base != NULL)
        munmap(*base, len);
    *base = NULL;
}

const uint8_t *cli_etl_map_fetch(void *ctx, uint64_t offset, size_t len, size_t *got)
{
    static const uint8_t nothing[1];
    cli_etl_map *m = ctx;
    *got = 0;
    if (offset >= m->size)
        return nothing; /* past the end: no bytes, not an error */
    size_t avail = m->size - offset < len ? (size_t)(m->size - offset) : len;
    if (m->bytes == NULL || offset < m->offset || offset + avail > m->offset + m->len) {
        uint64_t left = m->size - offset;
        size_t want = avail > MAP_WINDOW ? avail : MAP_WINDOW;
        if (want > left)
            want = (size_t)left;
        unmap(&m->base, m->maplen);
        m->bytes = map_range(m->fd, offset, want, &m->base, &m->maplen);
        if (m->bytes == NULL) {
            m->error = errno != 0 ? errno : EIO;
            return NULL;
        }
        m->offset = offset;
        m->len = want;
    }
    *got = avail;
    return m->bytes + (offset - m->offset);
}

int cli_etl_map_open(cli_etl_map *m, int fd, uint64_t size)
{
    memset(m, 0, sizeof *m);
    m->fd = fd;
    m->size = size;
    return size > 0 && (uint64_t)(size_t)size == size ? 0 : -1;
}

void cli_etl_map_close(cli_etl_map *m)
{
    unmap(&m->base, m->maplen);
    m->bytes = NULL;
}

unsigned cli_etl_threads_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 8 ? 8u : (unsigned)n;
}

/* ---- segments on threads ------------------------------------------------------- */

typedef struct slot {
    uint64_t job;          /* the segment it holds */
    int done;              /* read to its end (or failed) */
    int err;               /* errno of a failed mapping, else 0 */
    int worst;             /* the worst item code */
    heapev_etl_reader seg; /* its reader, joined into the head's counters */
    char *text;            /* its items as printed (open_memstream) */
    size_t text_len;
} slot;

typedef struct segments {
    const cli_etl_segments *in;
    heapev_etl_reader *head;
    uint64_t per, jobs, buffers; /* buffers per segment, segments, buffers in the file */
    slot *slots;
    unsigned nslots;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t next_job, released; /* the next segment to read; segments below released may be read */
    int quit;
} segments;

/* Read segment s->job into its slot: map its bytes, walk them, print its items. */
static void read_segment(segments *g, slot *s)
{
    const cli_etl_segments *in = g->in;
    uint32_t stride = heapev_etl_reader_buffer_size(g->head);
    uint64_t first = 1 + s->job * g->per;
    uint64_t count = first + g->per <= g->buffers ? g->per : g->buffers - first;
    uint64_t from = first * stride, to = (first + count) * stride;
    if (to > in->size)
        to = in->size;
    void *base = NULL;
    size_t maplen = 0;
    FILE *out = NULL;
    s->worst = CLI_EXIT_CLEAN;
    s->err = 0;
    s->text = NULL;
    s->text_len = 0;
    const uint8_t *bytes = map_range(in->fd, from, (size_t)(to - from), &base, &maplen);
    if (bytes == NULL || (in->print != NULL && (out = open_memstream(&s->text, &s->text_len)) == NULL)) {
        s->err = errno != 0 ? errno : EIO;
        unmap(&base, maplen);
        return;
    }
    heapev_etl_reader_init_segment(&s->seg, g->head, first, count, bytes, (size_t)(to - from), from);
    heapev_etl_item item;
    while (heapev_etl_next(&s->seg, &item) == HEAPEV_ETL_OK) {
        if (heapev_findings_defects(item.findings) != 0)
            s->worst = CLI_EXIT_FINDINGS;
        if (in->print != NULL && in->print(in->ctx, out, &item) != 0 && s->err == 0)
            s->err = ENOMEM;
    }
    if (out != NULL && fclose(out) != 0 && s->err == 0)
        s->err = ENOMEM;
    unmap(&base, maplen);
}

static void *worker(void *arg)
{
    segments *g = arg;
    pthread_mutex_lock(&g->lock);
    for (;;) {
        while (!g->quit && g->next_job >= g->released)
            pthread_cond_wait(&g->cond, &g->lock);
        if (g->quit && g->next_job >= g->released)
            break;
        slot *s = &g->slots[g->next_job % g->nslots];
        s->job = g->next_job++;
        pthread_mutex_unlock(&g->lock);
        read_segment(g, s);
        pthread_mutex_lock(&g->lock);
        s->done = 1;
        pthread_cond_broadcast(&g->cond);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

/* Wait for segment @p job (threads) or read it here (no thread). */
static void wait_segment(segments *g, unsigned nthreads, uint64_t job)
{
    slot *s = &g->slots[job % g->nslots];
    if (nthreads == 0) {
        s->job = job;
        read_segment(g, s);
        return;
    }
    pthread_mutex_lock(&g->lock);
    while (!s->done)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

/* Release segment @p job to the workers (its slot is free). */
static void release(segments *g, unsigned nthreads, uint64_t job)
{
    if (nthreads == 0)
        return;
    pthread_mutex_lock(&g->lock);
    g->slots[job % g->nslots].done = 0;
    g->released = job + 1 < g->jobs ? job + 1 : g->jobs;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

int cli_etl_read_segments(const cli_etl_segments *in, heapev_etl_reader *head, int *worst)
{
    segments g;
    memset(&g, 0, sizeof g);
    g.in = in;
    g.head = head;
    uint32_t stride = heapev_etl_reader_buffer_size(head);
    g.buffers = (in->size + stride - 1) / stride;
    uint64_t bytes = in->print != NULL ? SEGMENT_BYTES_PRINT : SEGMENT_BYTES;
    unsigned nthreads = in->threads > MAX_THREADS ? MAX_THREADS : in->threads;
    /* Segments of about @p bytes, and at least 4 per thread while there are buffers for them. */
    uint64_t spread = g.buffers > 1 ? (g.buffers - 1 + 4u * nthreads - 1) / (4u * nthreads) : 1;
    g.per = bytes / stride > 0 ? bytes / stride : 1;
    if (g.per > spread)
        g.per = spread;
    g.jobs = g.buffers > 1 ? (g.buffers - 1 + g.per - 1) / g.per : 0;
    if (nthreads <= 1 || g.jobs <= 1)
        nthreads = 0; /* read every segment here, in order */
    g.nslots = nthreads == 0 ? 1u : 2u * nthreads;
    g.slots = calloc(g.nslots, sizeof *g.slots);
    pthread_t tids[MAX_THREADS];
    unsigned started = 0;
    int rc = 0;
    if (g.slots == NULL)
        return ENOMEM;
    if (nthreads > 0) {
        pthread_mutex_init(&g.lock, NULL);
        pthread_cond_init(&g.cond, NULL);
        g.released = g.jobs < g.nslots ? g.jobs : g.nslots;
        while (started < nthreads && pthread_create(&tids[started], NULL, worker, &g) == 0)
            started++;
        if (started == 0) { /* no thread to be had: read them here */
            nthreads = 0;
            pthread_cond_destroy(&g.cond);
            pthread_mutex_destroy(&g.lock);
        }
    }
    for (uint64_t job = 0; job < g.jobs; job++) {
        wait_segment(&g, nthreads, job);
        slot *s = &g.slots[job % g.nslots];
        if (rc == 0 && s->err != 0)
            rc = s->err;
        if (rc == 0 && s->text_len > 0 && fwrite(s->text, 1, s->text_len, in->out) != s->text_len)
            rc = errno != 0 ? errno : EIO;
        free(s->text);
        s->text = NULL, s->text_len = 0;
        if (rc == 0) {
            heapev_etl_reader_join(head, &s->seg);
            if (s->worst > *worst)
                *worst = s->worst;
        }
        if (job + g.nslots < g.jobs)
            release(&g, nthreads, job + g.nslots);
    }
    if (nthreads > 0) {
        pthread_mutex_lock(&g.lock);
        g.quit = 1;
        g.released = g.next_job; /* nothing more to take */
        pthread_cond_broadcast(&g.cond);
        pthread_mutex_unlock(&g.lock);
        for (unsigned t = 0; t < started; t++)
            pthread_join(tids[t], NULL);
        pthread_cond_destroy(&g.cond);
        pthread_mutex_destroy(&g.lock);
    }
    for (unsigned i = 0; i < g.nslots; i++)
        free(g.slots[i].text);
    free(g.slots);
    if (rc == 0)
        heapev_etl_reader_finish(head);
    return rc;
}
