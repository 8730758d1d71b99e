/*
 * stats_count.c - `heapev stats`: counting the inputs.
 *
 * Every regular file of a directory (sorted by name, not recursive) or every
 * FILE given is decoded with the library as payloads, records or an .etl
 * trace; each event and container item adds to the counts, a directory's
 * manifest gives the classes and each file's format, width and expected
 * findings.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats.h"

/* ---- time and progress ------------------------------------------------------ */

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(stats *s, int done)
{
    if (!s->progress)
        return;
    if (done) {
        fputs("\r\033[K", stderr);
        return;
    }
    if (seconds_since(&s->last_progress) < 0.2)
        return;
    clock_gettime(CLOCK_MONOTONIC, &s->last_progress);
    fprintf(stderr, "\rheapev stats: %" PRIu64 " files, %" PRIu64 " events...", s->files,
            s->events);
}

void stats_begin(stats *s)
{
    s->progress = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &s->start);
    s->last_progress = s->start;
}

static int class_cmp(const void *a, const void *b)
{
    const class_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->name, y->name);
}

void stats_end(stats *s)
{
    show_progress(s, 1);
    s->seconds = seconds_since(&s->start);
    qsort(s->classes, s->nclasses, sizeof *s->classes, class_cmp);
}

/* ---- events, container items and classes -------------------------------------- */

/* Bucket of a size: 0 for 0, else 1 + floor(log2(size)). */
static unsigned size_bucket(uint64_t size)
{
    unsigned k = 0;
    while (size != 0) {
        size >>= 1;
        k++;
    }
    return k;
}

static void count_findings(stats *s, heapev_findings f)
{
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (f & HEAPEV_FINDING_BIT(c))
            s->finding[c]++;
}

static void count_event(stats *s, const heapev_event *e)
{
    s->events++;
    if (e->findings == 0)
        s->clean++;
    else
        s->with_findings++;
    count_findings(s, e->findings);
    s->width[e->pointer_width == 4 ? 1 : e->pointer_width == 8 ? 2 : 0]++;
    if (!e->payload_decoded) {
        s->undecoded++;
        return;
    }
    s->source[e->source < SOURCE_SLOTS - 1 ? e->source : SOURCE_SLOTS - 1]++;
    s->size_hist[size_bucket(e->size)]++;
}

static void count_container(stats *s, heapev_findings f)
{
    s->etl_container_items += heapev_findings_defects(f) != 0;
    count_findings(s, f);
}

/* One class name of a manifest line (a manifest_class_fn). */
static void count_class(void *ctx, const char *name)
{
    stats *s = ctx;
    for (size_t i = 0; i < s->nclasses; i++)
        if (strcmp(s->classes[i].name, name) == 0) {
            s->classes[i].n++;
            return;
        }
    size_t slot = s->nclasses < MAX_CLASSES ? s->nclasses : MAX_CLASSES;
    if (s->classes[slot].name == NULL) {
        s->classes[slot].name = strdup(slot < MAX_CLASSES ? name : "(other)");
        if (s->classes[slot].name == NULL)
            return;
        s->nclasses = slot + 1;
    }
    s->classes[slot].n++;
}

/* ---- files -------------------------------------------------------------------- */

/* Decode in-memory bytes; returns the union of the findings. */
static heapev_findings count_bytes(stats *s, const stats_opts *o, cli_mode mode, unsigned width,
                                   const uint8_t *data, size_t len)
{
    heapev_event e;
    heapev_findings all = 0;
    size_t off = 0;
    do {
        size_t used = len - off;
        if (mode == CLI_MODE_RECORD)
            heapev_decode_record(data + off, len - off, &o->in.limits, &e, &used);
        else
            heapev_decode_payload(data, len, width, &o->in.limits, &e);
        count_event(s, &e);
        all |= e.findings;
        off += used;
    } while (mode == CLI_MODE_RECORD && off < len);
    return all;
}

/* Stream an .etl file through one buffer; 0, or -1 after a one-line error. */
static int count_etl(stats *s, const stats_opts *o, const char *path, const cli_etl_memory *mem)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cli_error(path, "%s", strerror(errno)), -1;
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return cli_error(path, "is a directory"), -1;
    }
    s->bytes += (uint64_t)sb.st_size;
    heapev_etl_stdio src;
    heapev_etl_reader r;
    heapev_etl_item it;
    heapev_etl_status st;
    cli_etl_reader_start(&r, &src, f, mem, &o->in.limits);
    while ((st = heapev_etl_next(&r, &it)) == HEAPEV_ETL_OK) {
        if (it.kind == HEAPEV_ETL_ITEM_EVENT)
            count_event(s, &it.event);
        else
            count_container(s, it.findings);
        show_progress(s, 0);
    }
    const heapev_etl_stats *es = heapev_etl_reader_stats(&r);
    s->etl_buffers += es->buffers;
    s->etl_skipped += es->skipped;
    s->etl_notes += es->notes;
    s->etl_decompressed += es->decompressed;
    fclose(f);
    if (st == HEAPEV_ETL_IO_ERROR)
        return cli_error(path, "read error: %s", strerror(src.error)), -1;
    return 0;
}

/* Count one regular file; @p me is its manifest entry or NULL. */
static int count_file(stats_walk *w, const char *path, const manifest_entry *me)
{
    cli_mode mode = w->o->in.mode != CLI_MODE_AUTO ? w->o->in.mode
                      : me != NULL && me->mode != CLI_MODE_AUTO ? me->mode : CLI_MODE_PAYLOAD;
    unsigned width = w->o->in.width != HEAPEV_WIDTH_INFER ? w->o->in.width : me ? me->width : 0;
    w->s->files++;
    if (mode == CLI_MODE_ETL) {
        if (cli_etl_memory_get(&w->etl) != 0)
            return CLI_EXIT_USAGE;
        return count_etl(w->s, w->o, path, &w->etl) != 0 ? CLI_EXIT_USAGE : 0;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (cli_read_file(path, &data, &len) != 0)
        return CLI_EXIT_USAGE;
    w->s->bytes += len;
    heapev_findings all = count_bytes(w->s, w->o, mode, width, data, len);
    free(data);
    if (me != NULL && me->has_expected && w->o->in.mode == CLI_MODE_AUTO)
        *(all == me->expected ? &w->s->agree : &w->s->disagree) += 1;
    show_progress(w->s, 0);
    return 0;
}

/* ---- directories ---------------------------------------------------------------- */

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int keep_entry(const struct dirent *d)
{
    return d->d_name[0] != '.' && strcmp(d->d_name, MANIFEST_NAME) != 0;
}

static int join(char *out, size_t cap, const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    const char *sep = dl > 0 && dir[dl - 1] == '/' ? "" : "/";
    return (size_t)snprintf(out, cap, "%s%s%s", dir, sep, name) < cap ? 0 : -1;
}

static int count_dir_entries(stats_walk *w, const char *dir, struct dirent **list, int n,
                             const manifest *m)
{
    char path[4096];
    struct stat st;
    for (int i = 0; i < n; i++) {
        if (join(path, sizeof path, dir, list[i]->d_name) != 0)
            return cli_error(dir, "path too long");
        if (stat(path, &st) != 0)
            return cli_error(path, "%s", strerror(errno));
        if (!S_ISREG(st.st_mode)) {
            w->s->skipped++;
            continue;
        }
        if (count_file(w, path, manifest_find(m, list[i]->d_name)) != 0)
            return CLI_EXIT_USAGE;
    }
    return 0;
}

/* A directory: its manifest.jsonl when present, then its regular files by name. */
static int count_dir(stats_walk *w, const char *dir)
{
    char mpath[4096];
    manifest m = {0};
    struct dirent **list = NULL;
    if (join(mpath, sizeof mpath, dir, MANIFEST_NAME) != 0)
        return cli_error(dir, "path too long");
    int n = scandir(dir, &list, keep_entry, name_cmp);
    if (n < 0)
        return cli_error(dir, "%s", strerror(errno));
    int rc = manifest_load(mpath, &m, count_class, w->s);
    if (rc == 0) {
        w->s->manifests += m.found != 0;
        w->s->manifest_lines += m.lines;
        rc = count_dir_entries(w, dir, list, n, &m);
    }
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    manifest_free(&m);
    return rc;
}

int stats_count_input(stats_walk *w, const char *path)
{
    struct stat st;
    w->s->inputs++;
    if (stat(path, &st) != 0)
        return cli_error(path, "%s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return count_dir(w, path);
    return count_file(w, path, NULL);
}
