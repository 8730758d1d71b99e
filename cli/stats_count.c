/*
 * stats_count.c - `heapev stats`: counting the inputs.
 *
 * Every regular file of a directory and its subdirectories (sorted by name,
 * symbolic links to directories not followed) or every FILE given is decoded
 * with the library as payloads, records or an .etl trace, through a bounded
 * stream; each event and container item adds to the counts. A directory's
 * manifest gives the classes and each file's format, width and expected
 * findings, and is checked against the files there; without a format, an
 * .etl is told by its first bytes.
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

/* A bare payload; returns its findings. */
static int count_payload(stats *s, const stats_opts *o, cli_stream *in, unsigned width,
                         heapev_findings *all)
{
    const uint8_t *data;
    size_t len;
    heapev_event e;
    if (cli_stream_payload(in, &data, &len) != 0)
        return -1;
    heapev_decode_payload(data, len, width, &o->in.limits, &e);
    count_event(s, &e);
    *all = e.findings;
    return 0;
}

/* Records back to back, one at a time; the union of their findings in *@p all. */
static int count_records(stats *s, const stats_opts *o, cli_stream *in, heapev_findings *all)
{
    heapev_event e;
    uint64_t at, extra;
    int rc;
    *all = 0;
    while ((rc = cli_stream_record(in, &o->in.limits, &e, &at, &extra)) > 0) {
        count_event(s, &e);
        *all |= e.findings;
        show_progress(s, 0);
    }
    return rc;
}

/* Stream an .etl file through one buffer; 0, or -1 after a one-line error. */
static int count_etl(stats *s, const stats_opts *o, cli_stream *in, const cli_etl_memory *mem)
{
    heapev_etl_stdio src;
    heapev_etl_reader r;
    heapev_etl_item it;
    heapev_etl_status st;
    cli_etl_reader_from_stream(&r, &src, in, mem, &o->in.limits);
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
    /* A regular file's size; for a FIFO or device, the bytes the reader took from it. */
    s->bytes += in->regular_size != UINT64_MAX ? in->regular_size : src.start + src.have;
    if (st == HEAPEV_ETL_IO_ERROR)
        return cli_error(in->name, "read error: %s", strerror(src.error)), -1;
    return 0;
}

/* The format of a file: the option's, the manifest's, an .etl's first bytes, else payload. */
static cli_mode file_mode(const stats_walk *w, cli_stream *in, const manifest_entry *me)
{
    if (w->o->in.mode != CLI_MODE_AUTO)
        return w->o->in.mode;
    if (me != NULL && me->mode != CLI_MODE_AUTO)
        return me->mode;
    int etl = cli_stream_looks_etl(in);
    return etl < 0 ? CLI_MODE_AUTO : etl ? CLI_MODE_ETL : CLI_MODE_PAYLOAD;
}

static int count_opened(stats_walk *w, cli_stream *in, const manifest_entry *me)
{
    cli_mode mode = file_mode(w, in, me);
    unsigned width = w->o->in.width != HEAPEV_WIDTH_INFER ? w->o->in.width : me ? me->width : 0;
    heapev_findings all = 0;
    if (mode == CLI_MODE_AUTO) /* the first bytes could not be read */
        return CLI_EXIT_USAGE;
    if (mode == CLI_MODE_ETL)
        return cli_etl_memory_get(&w->etl) != 0 || count_etl(w->s, w->o, in, &w->etl) != 0
                   ? CLI_EXIT_USAGE : 0;
    int rc = mode == CLI_MODE_RECORD ? count_records(w->s, w->o, in, &all)
                                     : count_payload(w->s, w->o, in, width, &all);
    if (rc < 0)
        return CLI_EXIT_USAGE;
    w->s->bytes += in->regular_size != UINT64_MAX ? in->regular_size : cli_stream_bytes_read(in);
    if (mode == CLI_MODE_PAYLOAD && w->o->in.mode == CLI_MODE_AUTO && me == NULL) {
        w->s->guessed++;
        w->s->ambiguous += (all & HEAPEV_FINDING(LENGTH_AMBIGUOUS)) != 0;
    }
    if (me != NULL && me->has_expected && me->mode != CLI_MODE_AUTO && w->o->in.mode == CLI_MODE_AUTO)
        *(all == me->expected ? &w->s->agree : &w->s->disagree) += 1;
    return 0;
}

/* Count one file; @p me is its manifest entry or NULL. */
static int count_file(stats_walk *w, const char *path, const manifest_entry *me)
{
    cli_stream in;
    w->s->files++;
    if (cli_stream_open(&in, path) != 0)
        return CLI_EXIT_USAGE;
    int rc = count_opened(w, &in, me);
    cli_stream_close(&in);
    show_progress(w->s, 0);
    return rc;
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

static int count_dir(stats_walk *w, const char *dir, unsigned depth);

/* One entry of a directory: a regular file, a subdirectory (not through a link), or skipped. */
static int count_entry(stats_walk *w, const char *path, const char *name, const manifest *m,
                       unsigned depth)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (depth >= STATS_MAX_DEPTH) {
            w->s->skipped++;
            return 0;
        }
        w->s->subdirs++;
        return count_dir(w, path, depth + 1);
    }
    if (stat(path, &st) != 0)
        return cli_error(path, "%s", strerror(errno));
    if (!S_ISREG(st.st_mode)) {
        w->s->skipped++;
        return 0;
    }
    const manifest_entry *me = manifest_find(m, name);
    if (m->found && me == NULL)
        w->s->not_in_manifest++;
    return count_file(w, path, me);
}

/* Manifest lines naming a file the directory lacks (a stale or moved corpus). */
static uint64_t missing_files(const manifest *m, const char *dir)
{
    char path[4096];
    struct stat st;
    uint64_t missing = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (i > 0 && strcmp(m->entries[i].file, m->entries[i - 1].file) == 0)
            continue; /* a trace manifest names its file on every line */
        if (join(path, sizeof path, dir, m->entries[i].file) != 0 || stat(path, &st) != 0)
            missing++;
    }
    return missing;
}

/* A directory: its manifest.jsonl when present, then its entries by name (subdirectories too). */
static int count_dir(stats_walk *w, const char *dir, unsigned depth)
{
    char mpath[4096], path[4096];
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
        w->s->manifest_missing += missing_files(&m, dir);
    }
    for (int i = 0; rc == 0 && i < n; i++)
        rc = join(path, sizeof path, dir, list[i]->d_name) != 0
                 ? cli_error(dir, "path too long")
                 : count_entry(w, path, list[i]->d_name, &m, depth);
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
        return count_dir(w, path, 0);
    return count_file(w, path, NULL);
}
