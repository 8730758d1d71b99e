/*
 * cmd_stats.c - `heapev stats`: counts over corpus directories and files.
 *
 * Every regular file of a directory (sorted by name, not recursive) or every
 * FILE given is decoded with the library; the counts (by class from
 * manifest.jsonl when present, by finding, by Source, by width, a log2 size
 * histogram, events/s) are printed as text or JSON, and optionally written as
 * one self-contained HTML page (inline CSS and SVG, no script, no fetch).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "heapev/etl.h"

#define MAX_CLASSES 256        /* distinct manifest class names kept; more go to "(other)" */
#define SIZE_BUCKETS 65        /* 0, then [2^(k-1), 2^k) for k = 1..64 */
#define SOURCE_SLOTS 8         /* Source 0..6, then 7 and above */
#define MANIFEST_NAME "manifest.jsonl"

typedef enum { MODE_AUTO, MODE_PAYLOAD, MODE_RECORD, MODE_ETL } stats_mode;

typedef struct stats_opts {
    stats_mode mode;
    unsigned width;       /* --bits, else HEAPEV_WIDTH_INFER */
    int json;
    const char *html;     /* --html FILE or NULL */
    heapev_limits limits;
} stats_opts;

typedef struct class_count {
    char *name;
    uint64_t n;
} class_count;

/* What a manifest line says about one file. */
typedef struct manifest_entry {
    char *file;
    stats_mode mode;          /* MODE_PAYLOAD / MODE_RECORD, or MODE_AUTO when not said */
    unsigned width;           /* decode_bits / 8, or 0 */
    int has_expected;
    heapev_findings expected;
} manifest_entry;

typedef struct manifest {
    manifest_entry *entries;
    size_t n, cap;
} manifest;

typedef struct stats {
    uint64_t inputs, files, bytes, events, clean, with_findings, undecoded, skipped;
    uint64_t finding[HEAPEV_FINDING_COUNT];
    uint64_t source[SOURCE_SLOTS];
    uint64_t width[3]; /* unknown, 32-bit, 64-bit */
    uint64_t size_hist[SIZE_BUCKETS];
    uint64_t etl_buffers, etl_container_items, etl_skipped, etl_notes, etl_decompressed;
    uint64_t manifests, manifest_lines, agree, disagree;
    class_count classes[MAX_CLASSES + 1]; /* the last slot is "(other)" */
    size_t nclasses;
    double seconds;
    struct timespec start, last_progress;
    int progress; /* stderr is a terminal */
} stats;

void cli_stats_usage(FILE *out)
{
    fputs("usage: heapev stats [--payload|--record|--etl] [--bits 32|64] [--json]\n"
          "                    [--html REPORT.html] [--user-max-32 ADDR] [--user-max-wow64 ADDR]\n"
          "                    DIR|FILE...\n"
          "\n"
          "Count events over corpus directories and files: by class (from manifest.jsonl\n"
          "when a DIR has one), by finding, by Source value and by width, a log2 histogram\n"
          "of Size, and the decoding rate in events/s.\n"
          "\n"
          "A DIR contributes every regular file in it, sorted by name (not recursive; dot\n"
          "files and manifest.jsonl are not events). Its manifest.jsonl (written by\n"
          "'heapev gen --out DIR') gives the class counts, each file's format and width,\n"
          "and its expected findings, which are checked against what the files decode to.\n"
          "\n"
          "  --payload          each file is one bare payload (default without a manifest)\n"
          "  --record           each file is records back to back\n"
          "  --etl              each file is an .etl trace\n"
          "  --bits 32|64       payload pointer width (default: the manifest's, else infer)\n"
          "  --json             one JSON object instead of text\n"
          "  --html FILE        also write the report as one self-contained HTML page\n"
          "                     (charts in inline SVG; replaced atomically)\n"
          "  --user-max-32 ADDR highest 32-bit user address for range checks\n"
          "  --user-max-wow64 ADDR  the same for the 32-bit records of a 64-bit .etl trace\n"
          "                     (WOW64 processes; default 0xFFFEFFFF)\n"
          "  -h, --help         this help\n"
          "\n"
          "Progress goes to standard error when it is a terminal. Any input error stops\n"
          "the run before anything is printed or written.\n"
          "\n"
          "Exit status: 0 no finding, 1 findings counted, 2 usage or I/O error.\n",
          out);
}

/* ---- counting ------------------------------------------------------------ */

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

static void count_event(stats *s, const heapev_event *e)
{
    s->events++;
    if (e->findings == 0)
        s->clean++;
    else
        s->with_findings++;
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (e->findings & HEAPEV_FINDING_BIT(c))
            s->finding[c]++;
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
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (f & HEAPEV_FINDING_BIT(c))
            s->finding[c]++;
}

/* Decode in-memory bytes; returns the union of the findings. */
static heapev_findings count_bytes(stats *s, const stats_opts *o, stats_mode mode, unsigned width,
                                   const uint8_t *data, size_t len)
{
    heapev_event e;
    heapev_findings all = 0;
    size_t off = 0;
    do {
        size_t used = len - off;
        if (mode == MODE_RECORD)
            heapev_decode_record(data + off, len - off, &o->limits, &e, &used);
        else
            heapev_decode_payload(data, len, width, &o->limits, &e);
        count_event(s, &e);
        all |= e.findings;
        off += used;
    } while (mode == MODE_RECORD && off < len);
    return all;
}

/* Stream an .etl file through one buffer; returns the union of findings or -1 on I/O error. */
static int count_etl(stats *s, const stats_opts *o, const char *path, const cli_etl_memory *mem,
                     heapev_findings *all)
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
    cli_etl_reader_start(&r, &src, f, mem, &o->limits, 0);
    while ((st = heapev_etl_next(&r, &it)) == HEAPEV_ETL_OK) {
        if (it.kind == HEAPEV_ETL_ITEM_EVENT)
            count_event(s, &it.event);
        else
            count_container(s, it.findings);
        *all |= it.findings;
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

/* ---- manifest ------------------------------------------------------------ */

static void manifest_free(manifest *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->entries[i].file);
    free(m->entries);
    m->entries = NULL;
    m->n = m->cap = 0;
}

static void add_class(stats *s, const char *name)
{
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

static void count_classes(stats *s, json_t *cls)
{
    if (json_is_string(cls)) {
        add_class(s, json_string_value(cls));
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(cls, i, v)
        if (json_is_string(v))
            add_class(s, json_string_value(v));
}

static heapev_findings findings_from_json(json_t *arr)
{
    heapev_findings f = 0;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const heapev_finding_info *info =
            json_is_string(v) ? heapev_finding_by_name(json_string_value(v)) : NULL;
        if (info != NULL)
            f |= HEAPEV_FINDING_BIT(info->code);
    }
    return f;
}

static int manifest_add(manifest *m, json_t *line)
{
    json_t *file = json_object_get(line, "file");
    if (!json_is_string(file))
        return 0;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        manifest_entry *bigger = realloc(m->entries, cap * sizeof *bigger);
        if (bigger == NULL)
            return -1;
        m->entries = bigger, m->cap = cap;
    }
    manifest_entry *e = &m->entries[m->n];
    const char *format = json_string_value(json_object_get(line, "format"));
    json_t *bits = json_object_get(line, "decode_bits");
    json_t *expected = json_object_get(line, "expected_findings");
    e->mode = format == NULL ? MODE_AUTO
              : strcmp(format, "record") == 0 ? MODE_RECORD
              : strcmp(format, "payload") == 0 ? MODE_PAYLOAD : MODE_AUTO;
    e->width = json_is_integer(bits) && (json_integer_value(bits) == 32 ||
                                         json_integer_value(bits) == 64)
                   ? (unsigned)json_integer_value(bits) / 8u : 0;
    e->has_expected = json_is_array(expected);
    e->expected = e->has_expected ? findings_from_json(expected) : 0;
    e->file = strdup(json_string_value(file));
    if (e->file == NULL)
        return -1;
    m->n++;
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const manifest_entry *)a)->file, ((const manifest_entry *)b)->file);
}

/* Read DIR/manifest.jsonl when present: class counts into @p s, entries into @p m. */
static int manifest_load(stats *s, const char *path, manifest *m)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return errno == ENOENT ? 0 : (cli_error(path, "%s", strerror(errno)), -1);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) > 0) {
        json_error_t jerr;
        lineno++;
        json_t *obj = json_loadb(line, (size_t)got, 0, &jerr);
        if (!json_is_object(obj))
            rc = cli_error(path, "line %lu: not a JSON object (%s)", lineno, jerr.text);
        else if (manifest_add(m, obj) != 0)
            rc = cli_error(path, "out of memory");
        else
            count_classes(s, json_object_get(obj, "class")), s->manifest_lines++;
        json_decref(obj);
    }
    if (rc == 0 && ferror(f))
        rc = cli_error(path, "read error: %s", strerror(errno));
    free(line);
    fclose(f);
    s->manifests += rc == 0;
    qsort(m->entries, m->n, sizeof *m->entries, entry_cmp);
    return rc;
}

static const manifest_entry *manifest_find(const manifest *m, const char *name)
{
    manifest_entry key = {(char *)name, MODE_AUTO, 0, 0, 0};
    return m->n ? bsearch(&key, m->entries, m->n, sizeof key, entry_cmp) : NULL;
}

/* ---- walking inputs -------------------------------------------------------- */

typedef struct walk {
    stats *s;
    const stats_opts *o;
    cli_etl_memory etl; /* allocated on first use */
} walk;

/* Count one regular file; @p me is its manifest entry or NULL. */
static int count_file(walk *w, const char *path, const manifest_entry *me)
{
    stats_mode mode = w->o->mode != MODE_AUTO ? w->o->mode
                      : me != NULL && me->mode != MODE_AUTO ? me->mode : MODE_PAYLOAD;
    unsigned width = w->o->width != HEAPEV_WIDTH_INFER ? w->o->width : me ? me->width : 0;
    heapev_findings all = 0;
    w->s->files++;
    if (mode == MODE_ETL) {
        if (cli_etl_memory_get(&w->etl) != 0)
            return CLI_EXIT_USAGE;
        return count_etl(w->s, w->o, path, &w->etl, &all) != 0 ? CLI_EXIT_USAGE : 0;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (cli_read_file(path, &data, &len) != 0)
        return CLI_EXIT_USAGE;
    w->s->bytes += len;
    all = count_bytes(w->s, w->o, mode, width, data, len);
    free(data);
    if (me != NULL && me->has_expected && w->o->mode == MODE_AUTO)
        *(all == me->expected ? &w->s->agree : &w->s->disagree) += 1;
    show_progress(w->s, 0);
    return 0;
}

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

static int count_dir_entries(walk *w, const char *dir, struct dirent **list, int n,
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

static int count_dir(walk *w, const char *dir)
{
    char mpath[4096];
    manifest m = {NULL, 0, 0};
    struct dirent **list = NULL;
    if (join(mpath, sizeof mpath, dir, MANIFEST_NAME) != 0)
        return cli_error(dir, "path too long");
    int n = scandir(dir, &list, keep_entry, name_cmp);
    if (n < 0)
        return cli_error(dir, "%s", strerror(errno));
    int rc = manifest_load(w->s, mpath, &m) != 0 ? CLI_EXIT_USAGE
                                                 : count_dir_entries(w, dir, list, n, &m);
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    manifest_free(&m);
    return rc;
}

static int count_input(walk *w, const char *path)
{
    struct stat st;
    w->s->inputs++;
    if (stat(path, &st) != 0)
        return cli_error(path, "%s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return count_dir(w, path);
    return count_file(w, path, NULL);
}

/* ---- text output ----------------------------------------------------------- */

static double pct(uint64_t n, uint64_t total)
{
    return total ? 100.0 * (double)n / (double)total : 0.0;
}

static void bar(FILE *out, uint64_t n, uint64_t max, unsigned width)
{
    unsigned len = max ? (unsigned)((double)n / (double)max * width + 0.5) : 0;
    if (n > 0 && len == 0)
        len = 1;
    for (unsigned i = 0; i < len; i++)
        fputc('#', out);
}

/* "1", "512", "1K", "2M"... for 2^k. */
static void pow2_label(unsigned k, char *out, size_t cap)
{
    static const char units[] = "KMGTPE";
    if (k < 10)
        snprintf(out, cap, "%u", 1u << k);
    else
        snprintf(out, cap, "%u%c", 1u << (k % 10), units[k / 10 - 1]);
}

/* Bucket label: "0", "1", "[2, 4)", "[1K, 2K)"... */
static void bucket_label(unsigned b, char *out, size_t cap)
{
    char lo[16], hi[16];
    if (b <= 1) {
        snprintf(out, cap, "%u", b);
        return;
    }
    pow2_label(b - 1, lo, sizeof lo);
    if (b == 64)
        snprintf(hi, sizeof hi, "2^64");
    else
        pow2_label(b, hi, sizeof hi);
    snprintf(out, cap, "[%s, %s)", lo, hi);
}

/* Lower bound of a bucket: "0", "1", "2", "4", ... "1K"... */
static const char *bucket_floor_label(unsigned b, char *out, size_t cap)
{
    if (b == 0)
        snprintf(out, cap, "0");
    else
        pow2_label(b - 1, out, cap);
    return out;
}

static void hist_span(const stats *s, unsigned *lo, unsigned *hi)
{
    *lo = SIZE_BUCKETS, *hi = 0;
    for (unsigned b = 0; b < SIZE_BUCKETS; b++)
        if (s->size_hist[b]) {
            *lo = *lo < b ? *lo : b;
            *hi = b;
        }
}

static uint64_t max_of(const uint64_t *v, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

static const char *source_label(unsigned slot)
{
    const char *name = slot < SOURCE_SLOTS - 1 ? heapev_source_name(slot) : NULL;
    return name ? name : "undefined";
}

static void print_summary(FILE *out, const stats *s)
{
    fprintf(out, "heapev stats: %" PRIu64 " inputs, %" PRIu64 " files, %" PRIu64 " bytes, %" PRIu64
                 " events in %.3f s (%.0f events/s)\n",
            s->inputs, s->files, s->bytes, s->events, s->seconds,
            s->seconds > 0 ? (double)s->events / s->seconds : 0.0);
    fprintf(out, "  clean %" PRIu64 " (%.1f%%), with findings %" PRIu64 " (%.1f%%), payload not "
                 "decoded %" PRIu64 "\n",
            s->clean, pct(s->clean, s->events), s->with_findings, pct(s->with_findings, s->events),
            s->undecoded);
    if (s->skipped)
        fprintf(out, "  %" PRIu64 " directory entries skipped (not regular files)\n", s->skipped);
    if (s->etl_buffers)
        fprintf(out, "  etl: %" PRIu64 " buffers (%" PRIu64 " decompressed), %" PRIu64
                     " other records skipped, %" PRIu64 " container items, %" PRIu64 " notes\n",
                s->etl_buffers, s->etl_decompressed, s->etl_skipped, s->etl_container_items,
                s->etl_notes);
}

static void print_width_source(FILE *out, const stats *s)
{
    static const char *const wname[3] = {"unknown", "32-bit", "64-bit"};
    fputs("\nby width\n", out);
    for (unsigned i = 1; i <= 3; i++)
        fprintf(out, "  %-16s %10" PRIu64 "  %5.1f%%\n", wname[i % 3], s->width[i % 3],
                pct(s->width[i % 3], s->events));
    fputs("\nby Source (decoded payloads)\n", out);
    uint64_t decoded = s->events - s->undecoded, max = max_of(s->source, SOURCE_SLOTS);
    for (unsigned v = 0; v < SOURCE_SLOTS; v++) {
        fprintf(out, "  %u%s %-13s %10" PRIu64 "  %5.1f%%  ", v, v == SOURCE_SLOTS - 1 ? "+" : " ",
                source_label(v), s->source[v], pct(s->source[v], decoded));
        bar(out, s->source[v], max, 30);
        fputc('\n', out);
    }
}

static void print_findings(FILE *out, const stats *s)
{
    uint64_t max = max_of(s->finding, HEAPEV_FINDING_COUNT);
    fputs("\nby finding (items carrying it)\n", out);
    if (max == 0)
        fputs("  none\n", out);
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        if (s->finding[c] == 0)
            continue;
        const heapev_finding_info *f = heapev_finding_get(c);
        fprintf(out, "  %-28s %-7s %10" PRIu64 "  %5.1f%%  ", f->name,
                heapev_severity_name(f->severity), s->finding[c], pct(s->finding[c], s->events));
        bar(out, s->finding[c], max, 30);
        fputc('\n', out);
    }
}

static void print_classes(FILE *out, const stats *s)
{
    if (s->manifests == 0) {
        fputs("\nby class: no manifest.jsonl in the inputs\n", out);
        return;
    }
    fprintf(out, "\nby class (%" PRIu64 " manifest lines in %" PRIu64 " manifest(s))\n",
            s->manifest_lines, s->manifests);
    for (size_t i = 0; i < s->nclasses; i++)
        fprintf(out, "  %-28s %10" PRIu64 "  %5.1f%%\n", s->classes[i].name, s->classes[i].n,
                pct(s->classes[i].n, s->manifest_lines));
    if (s->agree + s->disagree)
        fprintf(out, "  expected findings: %" PRIu64 " files agree, %" PRIu64 " differ\n",
                s->agree, s->disagree);
}

static void print_histogram(FILE *out, const stats *s)
{
    unsigned lo, hi;
    char label[40];
    hist_span(s, &lo, &hi);
    fputs("\nSize histogram (log2 buckets, bytes)\n", out);
    if (lo > hi)
        fputs("  no decoded payloads\n", out);
    uint64_t max = max_of(s->size_hist, SIZE_BUCKETS);
    for (unsigned b = lo; b <= hi && lo <= hi; b++) {
        unsigned run = 0;
        while (b + run <= hi && s->size_hist[b + run] == 0)
            run++;
        if (run >= 3) {
            fprintf(out, "  %-16s %10s |\n", "...", "0");
            b += run - 1;
            continue;
        }
        bucket_label(b, label, sizeof label);
        fprintf(out, "  %-16s %10" PRIu64 " |", label, s->size_hist[b]);
        bar(out, s->size_hist[b], max, 50);
        fputc('\n', out);
    }
}

static void print_text(FILE *out, const stats *s)
{
    print_summary(out, s);
    print_width_source(out, s);
    print_findings(out, s);
    print_classes(out, s);
    print_histogram(out, s);
}

/* ---- JSON output ----------------------------------------------------------- */

static json_t *jn(uint64_t v)
{
    return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *json_sources(const stats *s)
{
    json_t *arr = json_array();
    for (unsigned v = 0; v < SOURCE_SLOTS; v++) {
        json_t *o = json_object();
        char key[8];
        snprintf(key, sizeof key, "%u%s", v, v == SOURCE_SLOTS - 1 ? "+" : "");
        json_object_set_new(o, "value", json_string(key));
        json_object_set_new(o, "name", json_string(source_label(v)));
        json_object_set_new(o, "count", jn(s->source[v]));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *json_histogram(const stats *s)
{
    json_t *arr = json_array();
    unsigned lo, hi;
    hist_span(s, &lo, &hi);
    for (unsigned b = lo; b <= hi && lo <= hi; b++) {
        json_t *o = json_object();
        json_object_set_new(o, "min", b == 0 ? json_integer(0) : cli_json_hex(1ull << (b - 1)));
        json_object_set_new(o, "max", b == 0 ? json_integer(0)
                                             : cli_json_hex(b == 64 ? UINT64_MAX : (1ull << b) - 1));
        json_object_set_new(o, "count", jn(s->size_hist[b]));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *json_counts(const stats *s)
{
    json_t *f = json_object(), *w = json_object();
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (s->finding[c])
            json_object_set_new(f, heapev_finding_get(c)->name, jn(s->finding[c]));
    json_object_set_new(w, "32", jn(s->width[1]));
    json_object_set_new(w, "64", jn(s->width[2]));
    json_object_set_new(w, "unknown", jn(s->width[0]));
    json_t *o = json_object();
    json_object_set_new(o, "by_width", w);
    json_object_set_new(o, "by_source", json_sources(s));
    json_object_set_new(o, "by_finding", f);
    return o;
}

static json_t *json_manifest(const stats *s)
{
    if (s->manifests == 0)
        return json_null();
    json_t *cls = json_object(), *o = json_object();
    for (size_t i = 0; i < s->nclasses; i++)
        json_object_set_new(cls, s->classes[i].name, jn(s->classes[i].n));
    json_object_set_new(o, "manifests", jn(s->manifests));
    json_object_set_new(o, "lines", jn(s->manifest_lines));
    json_object_set_new(o, "by_class", cls);
    json_object_set_new(o, "expected_agree", jn(s->agree));
    json_object_set_new(o, "expected_differ", jn(s->disagree));
    return o;
}

static int print_json(FILE *out, const stats *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "inputs", jn(s->inputs));
    json_object_set_new(o, "files", jn(s->files));
    json_object_set_new(o, "bytes", jn(s->bytes));
    json_object_set_new(o, "events", jn(s->events));
    json_object_set_new(o, "clean", jn(s->clean));
    json_object_set_new(o, "with_findings", jn(s->with_findings));
    json_object_set_new(o, "payload_not_decoded", jn(s->undecoded));
    json_object_set_new(o, "skipped_entries", jn(s->skipped));
    json_object_set_new(o, "seconds", json_real(s->seconds));
    json_object_set_new(o, "events_per_second",
                        json_real(s->seconds > 0 ? (double)s->events / s->seconds : 0.0));
    json_t *counts = json_counts(s);
    json_object_update(o, counts);
    json_decref(counts);
    json_object_set_new(o, "manifest", json_manifest(s));
    json_object_set_new(o, "size_histogram", json_histogram(s));
    if (s->etl_buffers) {
        json_t *etl = json_object();
        json_object_set_new(etl, "buffers", jn(s->etl_buffers));
        json_object_set_new(etl, "decompressed", jn(s->etl_decompressed));
        json_object_set_new(etl, "skipped_records", jn(s->etl_skipped));
        json_object_set_new(etl, "container_items", jn(s->etl_container_items));
        json_object_set_new(etl, "notes", jn(s->etl_notes));
        json_object_set_new(o, "etl", etl);
    }
    int rc = cli_json_print_line(out, o);
    json_decref(o);
    return rc;
}

/* ---- HTML report ------------------------------------------------------------ */

typedef struct chart_row {
    const char *label;
    uint64_t n;
    const char *colour;
} chart_row;

static const char *const source_colours[SOURCE_SLOTS] = {
    "#9c2f2f", "#4e79a7", "#59a14f", "#76b7b2", "#d4b12f", "#f28e2b", "#b07aa1", "#e15759"};
#define COLOUR_ERROR "#d64545"
#define COLOUR_ANOMALY "#e69a28"
#define COLOUR_BAR "#4e79a7"

static void html_text(FILE *out, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*text, out);
        }
    }
}

static void html_head(FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>heapev stats</title>\n<style>\n"
          "body{font:14px/1.45 system-ui,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d2430;"
          "background:#fff;max-width:1100px;margin:24px auto;padding:0 16px}\n"
          "h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 10px;"
          "padding-bottom:4px;border-bottom:1px solid #d9dee7}\n"
          ".sub{color:#5b6575;margin:0 0 16px}\n"
          ".cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #d9dee7;"
          "border-radius:8px;padding:10px 16px;min-width:130px;background:#f7f9fc}\n"
          ".card b{display:block;font-size:22px}.card span{color:#5b6575;font-size:12px}\n"
          "table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 12px;"
          "border-bottom:1px solid #e8ebf1;text-align:left;vertical-align:middle}\n"
          "th{background:#f2f4f8;font-weight:600}td.n{text-align:right;"
          "font-variant-numeric:tabular-nums}\n"
          ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;"
          "vertical-align:-1px}\n.row{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}\n"
          "svg text{font:12px system-ui,'Segoe UI',Helvetica,Arial,sans-serif;fill:#1d2430}\n"
          "svg .axis{stroke:#9aa3b2}svg .grid{stroke:#e3e7ee}\n"
          ".err{color:" COLOUR_ERROR ";font-weight:600}.anom{color:#b06f00;font-weight:600}\n"
          "footer{margin:32px 0;color:#7a8494;font-size:12px}\n"
          "</style></head>\n<body>\n",
          out);
}

static void html_card(FILE *out, const char *label, const char *value)
{
    fprintf(out, "<div class=\"card\"><b>%s</b><span>", value);
    html_text(out, label);
    fputs("</span></div>\n", out);
}

static void html_cards(FILE *out, const stats *s)
{
    char v[64];
    fputs("<div class=\"cards\">\n", out);
    snprintf(v, sizeof v, "%" PRIu64, s->events);
    html_card(out, "events", v);
    snprintf(v, sizeof v, "%" PRIu64, s->files);
    html_card(out, "files", v);
    snprintf(v, sizeof v, "%.1f%%", pct(s->clean, s->events));
    html_card(out, "clean events", v);
    snprintf(v, sizeof v, "%.1f%%", pct(s->with_findings, s->events));
    html_card(out, "events with findings", v);
    snprintf(v, sizeof v, "%.0f", s->seconds > 0 ? (double)s->events / s->seconds : 0.0);
    html_card(out, "events/s", v);
    snprintf(v, sizeof v, "%.2f MiB", (double)s->bytes / 1048576.0);
    html_card(out, "bytes read", v);
    fputs("</div>\n", out);
}

/* Horizontal bar chart: label, bar scaled to the largest row, count and share of @p total. */
static void svg_hbars(FILE *out, const chart_row *rows, size_t n, uint64_t total)
{
    const unsigned label_w = 230, bar_w = 560, row_h = 24, width = label_w + bar_w + 160;
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = rows[i].n > max ? rows[i].n : max;
    fprintf(out, "<svg width=\"%u\" height=\"%zu\" role=\"img\">\n", width, n * row_h + 8);
    for (size_t i = 0; i < n; i++) {
        unsigned y = 4 + (unsigned)i * row_h;
        double w = max ? (double)rows[i].n / (double)max * bar_w : 0.0;
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">", label_w - 8, y + 16);
        html_text(out, rows[i].label);
        fprintf(out, "</text><rect x=\"%u\" y=\"%u\" width=\"%.1f\" height=\"%u\" rx=\"2\" "
                     "fill=\"%s\"><title>%" PRIu64 "</title></rect>",
                label_w, y + 4, w < 1.0 && rows[i].n ? 1.0 : w, row_h - 8, rows[i].colour,
                rows[i].n);
        fprintf(out, "<text x=\"%.1f\" y=\"%u\">%" PRIu64 " (%.1f%%)</text>\n",
                label_w + w + 6, y + 16, rows[i].n, pct(rows[i].n, total));
    }
    fputs("</svg>\n", out);
}

static void svg_hist_axis(FILE *out, uint64_t max, unsigned left, unsigned top, unsigned plot_w,
                          unsigned plot_h)
{
    for (unsigned k = 0; k <= 4; k++) {
        unsigned y = top + plot_h - plot_h * k / 4;
        fprintf(out, "<line class=\"%s\" x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\"/>"
                     "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">%" PRIu64 "</text>\n",
                k ? "grid" : "axis", left, y, left + plot_w, y, left - 6, y + 4, max * k / 4);
    }
}

/* Vertical bars, one per log2 bucket from the smallest to the largest non-empty one. */
static void svg_histogram(FILE *out, const stats *s)
{
    const unsigned width = 1060, left = 80, top = 20, plot_w = width - left - 20, plot_h = 260;
    unsigned lo, hi;
    char label[40];
    hist_span(s, &lo, &hi);
    if (lo > hi) {
        fputs("<p>No decoded payloads.</p>\n", out);
        return;
    }
    uint64_t max = max_of(s->size_hist, SIZE_BUCKETS);
    double slot = (double)plot_w / (hi - lo + 1);
    unsigned every = slot >= 16.0 ? 1u : (unsigned)(16.0 / slot) + 1u;
    fprintf(out, "<svg width=\"%u\" height=\"%u\" role=\"img\">\n", width, top + plot_h + 66);
    svg_hist_axis(out, max, left, top, plot_w, plot_h);
    for (unsigned b = lo; b <= hi; b++) {
        double x = left + (b - lo) * slot, h = (double)s->size_hist[b] / (double)max * plot_h;
        bucket_label(b, label, sizeof label);
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                     "<title>%s: %" PRIu64 "</title></rect>",
                x + slot * 0.1, top + plot_h - h, slot * 0.8, h, COLOUR_BAR, label,
                s->size_hist[b]);
        if ((b - lo) % every == 0)
            fprintf(out, "<text transform=\"translate(%.1f,%u) rotate(-45)\" "
                         "text-anchor=\"end\">%s</text>\n", x + slot / 2 + 4, top + plot_h + 14,
                    bucket_floor_label(b, label, sizeof label));
    }
    fprintf(out, "<text x=\"%u\" y=\"%u\">Size in bytes: each bar counts the sizes from its "
                 "label up to the next power of two (log2 buckets)</text>\n", left,
            top + plot_h + 60);
    fputs("</svg>\n", out);
}

/* Donut of the Source mix: one arc per value, as dashes of a circle's stroke. */
static void svg_donut(FILE *out, const stats *s)
{
    const double r = 80.0, c = 2.0 * 3.14159265358979 * r;
    uint64_t total = 0;
    for (unsigned v = 0; v < SOURCE_SLOTS; v++)
        total += s->source[v];
    fputs("<svg width=\"240\" height=\"240\" role=\"img\">\n"
          "<circle cx=\"120\" cy=\"120\" r=\"80\" fill=\"none\" stroke=\"#e3e7ee\" "
          "stroke-width=\"44\"/>\n", out);
    double at = 0.0;
    for (unsigned v = 0; v < SOURCE_SLOTS && total; v++) {
        double len = (double)s->source[v] / (double)total * c;
        if (len > 0)
            fprintf(out, "<circle cx=\"120\" cy=\"120\" r=\"80\" fill=\"none\" stroke=\"%s\" "
                         "stroke-width=\"44\" stroke-dasharray=\"%.2f %.2f\" "
                         "stroke-dashoffset=\"%.2f\" transform=\"rotate(-90 120 120)\">"
                         "<title>%s: %" PRIu64 "</title></circle>\n",
                    source_colours[v], len, c - len, -at, source_label(v), s->source[v]);
        at += len;
    }
    fprintf(out, "<text x=\"120\" y=\"116\" text-anchor=\"middle\" style=\"font-size:18px\">"
                 "%" PRIu64 "</text><text x=\"120\" y=\"134\" text-anchor=\"middle\">payloads"
                 "</text>\n</svg>\n", total);
}

static void html_source_table(FILE *out, const stats *s)
{
    uint64_t total = s->events - s->undecoded;
    fputs("<table><tr><th>Source</th><th>name</th><th>events</th><th>share</th></tr>\n", out);
    for (unsigned v = 0; v < SOURCE_SLOTS; v++)
        fprintf(out, "<tr><td class=\"n\">%u%s</td><td><span class=\"sw\" style=\"background:%s\">"
                     "</span>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f%%</td>"
                     "</tr>\n", v, v == SOURCE_SLOTS - 1 ? "+" : "", source_colours[v],
                source_label(v), s->source[v], pct(s->source[v], total));
    fputs("</table>\n", out);
}

static void html_width_table(FILE *out, const stats *s)
{
    static const char *const wname[3] = {"unknown", "32-bit", "64-bit"};
    fputs("<table><tr><th>width</th><th>events</th><th>share</th></tr>\n", out);
    for (unsigned i = 1; i <= 3; i++)
        fprintf(out, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f%%</td>"
                     "</tr>\n", wname[i % 3], s->width[i % 3], pct(s->width[i % 3], s->events));
    fputs("</table>\n", out);
}

static void html_sources(FILE *out, const stats *s)
{
    fputs("<h2>Source mix and width</h2>\n<div class=\"row\">\n<div>", out);
    svg_donut(out, s);
    fputs("</div>\n<div>", out);
    html_source_table(out, s);
    fputs("</div>\n<div>", out);
    html_width_table(out, s);
    fputs("</div>\n</div>\n", out);
}

static void html_findings(FILE *out, const stats *s)
{
    chart_row rows[HEAPEV_FINDING_COUNT];
    size_t n = 0;
    fputs("<h2>Findings</h2>\n", out);
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        const heapev_finding_info *f = heapev_finding_get(c);
        if (s->finding[c])
            rows[n++] = (chart_row){f->name, s->finding[c],
                                    f->severity == HEAPEV_SEVERITY_ERROR ? COLOUR_ERROR
                                                                         : COLOUR_ANOMALY};
    }
    if (n == 0) {
        fputs("<p>No findings: every event decoded clean.</p>\n", out);
        return;
    }
    fputs("<p>Items carrying each finding; <span class=\"err\">red</span>: error (not "
          "decodable), <span class=\"anom\">orange</span>: anomaly.</p>\n", out);
    svg_hbars(out, rows, n, s->events);
    fputs("<table><tr><th>finding</th><th>severity</th><th>count</th><th>description</th></tr>\n",
          out);
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        const heapev_finding_info *f = heapev_finding_get(c);
        if (s->finding[c] == 0)
            continue;
        fprintf(out, "<tr><td><code>%s</code></td><td class=\"%s\">%s</td><td class=\"n\">%"
                     PRIu64 "</td><td>", f->name,
                f->severity == HEAPEV_SEVERITY_ERROR ? "err" : "anom",
                heapev_severity_name(f->severity), s->finding[c]);
        html_text(out, f->description);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void html_classes(FILE *out, const stats *s)
{
    fputs("<h2>Classes (manifest.jsonl)</h2>\n", out);
    if (s->manifests == 0) {
        fputs("<p>No manifest.jsonl in the inputs.</p>\n", out);
        return;
    }
    chart_row *rows = calloc(s->nclasses ? s->nclasses : 1, sizeof *rows);
    if (rows == NULL)
        return;
    for (size_t i = 0; i < s->nclasses; i++)
        rows[i] = (chart_row){s->classes[i].name, s->classes[i].n,
                              strcmp(s->classes[i].name, "well_formed") == 0 ? "#59a14f"
                                                                              : COLOUR_BAR};
    fprintf(out, "<p>%" PRIu64 " manifest lines in %" PRIu64 " manifest(s); an event with "
                 "several classes counts in each.", s->manifest_lines, s->manifests);
    if (s->agree + s->disagree)
        fprintf(out, " Expected findings: <b>%" PRIu64 "</b> files agree, <b>%" PRIu64
                     "</b> differ.", s->agree, s->disagree);
    fputs("</p>\n", out);
    svg_hbars(out, rows, s->nclasses, s->manifest_lines);
    free(rows);
}

static void html_hist_table(FILE *out, const stats *s)
{
    unsigned lo, hi;
    char label[40];
    hist_span(s, &lo, &hi);
    fputs("<table><tr><th>Size (bytes)</th><th>events</th><th>share</th></tr>\n", out);
    for (unsigned b = lo; b <= hi && lo <= hi; b++) {
        if (s->size_hist[b] == 0)
            continue;
        bucket_label(b, label, sizeof label);
        fprintf(out, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f%%"
                     "</td></tr>\n", label, s->size_hist[b],
                pct(s->size_hist[b], s->events - s->undecoded));
    }
    fputs("</table>\n", out);
}

static void html_write(FILE *out, const stats *s)
{
    html_head(out);
    fputs("<h1>heapev stats</h1>\n", out);
    fprintf(out, "<p class=\"sub\">%" PRIu64 " inputs, %" PRIu64 " files, %" PRIu64
                 " events decoded in %.3f s; %" PRIu64 " payloads not decoded.</p>\n",
            s->inputs, s->files, s->events, s->seconds, s->undecoded);
    html_cards(out, s);
    fputs("<h2>Size distribution</h2>\n", out);
    svg_histogram(out, s);
    html_findings(out, s);
    html_sources(out, s);
    html_classes(out, s);
    fputs("<h2>Size table</h2>\n", out);
    html_hist_table(out, s);
    fputs("<footer>Written by heapev stats. Self-contained: no scripts, no external "
          "resources.</footer>\n</body></html>\n", out);
}

/* Write to an existing non-regular file (a device, a pipe) in place. */
static int write_html_direct(const char *path, const stats *s)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return cli_error(path, "%s", strerror(errno));
    html_write(f, s);
    int bad = fflush(f) != 0 || ferror(f);
    int err = errno;
    if (fclose(f) != 0 && !bad)
        bad = 1, err = errno;
    return bad ? cli_error(path, "write error: %s", strerror(err)) : 0;
}

/* Write @p path atomically: a temporary file beside it, renamed over it when complete. */
static int write_html(const char *path, const stats *s)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cli_error(path, "is a directory");
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_html_direct(path, s);
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp)
        return cli_error(path, "path too long");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return cli_error(path, "cannot create: %s", strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int err = errno;
        close(fd), unlink(tmp);
        return cli_error(path, "%s", strerror(err));
    }
    fchmod(fd, 0644);
    html_write(f, s);
    int bad = fflush(f) != 0 || ferror(f) || fsync(fd) != 0;
    int err = errno;
    if (fclose(f) != 0 && !bad)
        bad = 1, err = errno;
    if (!bad && rename(tmp, path) != 0)
        bad = 1, err = errno;
    if (bad) {
        unlink(tmp);
        return cli_error(path, "write error: %s", strerror(err));
    }
    return 0;
}

/* ---- main -------------------------------------------------------------------- */

static int set_mode(stats_opts *o, stats_mode mode)
{
    if (o->mode != MODE_AUTO && o->mode != mode)
        return cli_usage_error("stats", "give one of --payload, --record, --etl");
    o->mode = mode;
    return 0;
}

static int parse_stats_option(int c, char **argv, stats_opts *o)
{
    switch (c) {
    case 'p': return set_mode(o, MODE_PAYLOAD);
    case 'r': return set_mode(o, MODE_RECORD);
    case 'e': return set_mode(o, MODE_ETL);
    case 'j': o->json = 1; return 0;
    case 'H': o->html = optarg; return 0;
    case 'b':
        if (strcmp(optarg, "32") != 0 && strcmp(optarg, "64") != 0)
            return cli_usage_error("stats", "--bits takes 32 or 64, not '%s'", optarg);
        o->width = optarg[0] == '3' ? 4 : 8;
        return 0;
    case 'u': return cli_parse_user_max("stats", "--user-max-32", optarg, &o->limits.user_max_32);
    case 'w':
        return cli_parse_user_max("stats", "--user-max-wow64", optarg, &o->limits.user_max_wow64);
    case 'h': cli_stats_usage(stdout); return -1;
    default: return cli_getopt_error("stats", c, argv);
    }
}

static int parse_stats_opts(int argc, char **argv, stats_opts *o)
{
    static const struct option longopts[] = {
        {"payload", no_argument, NULL, 'p'}, {"record", no_argument, NULL, 'r'},
        {"etl", no_argument, NULL, 'e'}, {"bits", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'}, {"html", required_argument, NULL, 'H'},
        {"user-max-32", required_argument, NULL, 'u'},
        {"user-max-wow64", required_argument, NULL, 'w'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
        if ((rc = parse_stats_option(c, argv, o)) != 0)
            return rc;
    if (o->width != HEAPEV_WIDTH_INFER && (o->mode == MODE_RECORD || o->mode == MODE_ETL))
        return cli_usage_error("stats", "--bits applies to payloads (a record's HeaderType "
                                        "fixes its width)");
    if (optind >= argc)
        return cli_usage_error("stats", "no DIR or FILE given");
    return 0;
}

static int class_cmp(const void *a, const void *b)
{
    const class_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int finish(const stats_opts *o, stats *s)
{
    qsort(s->classes, s->nclasses, sizeof *s->classes, class_cmp);
    /* Standard output first: when it fails, no report file is written at all. */
    if (o->json ? print_json(stdout, s) != 0 : (print_text(stdout, s), 0))
        return cli_error("<stdout>", "write error");
    if (cli_close_output(stdout, "<stdout>") != 0)
        return CLI_EXIT_USAGE;
    if (o->html != NULL && write_html(o->html, s) != 0)
        return CLI_EXIT_USAGE;
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (s->finding[c] && heapev_findings_defects(HEAPEV_FINDING_BIT(c)))
            return CLI_EXIT_FINDINGS; /* notes are no reason */
    return CLI_EXIT_CLEAN;
}

int cli_stats_main(int argc, char **argv)
{
    stats_opts o = {MODE_AUTO, HEAPEV_WIDTH_INFER, 0, NULL, heapev_limits_default()};
    int rc = parse_stats_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_CLEAN : rc;
    stats *s = calloc(1, sizeof *s);
    if (s == NULL)
        return cli_error("stats", "out of memory");
    s->progress = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &s->start);
    s->last_progress = s->start;
    walk w = {s, &o, {NULL, NULL}};
    for (int i = optind; i < argc && rc == 0; i++)
        rc = count_input(&w, argv[i]);
    show_progress(s, 1);
    s->seconds = seconds_since(&s->start);
    rc = rc != 0 ? CLI_EXIT_USAGE : finish(&o, s);
    for (size_t i = 0; i < s->nclasses; i++)
        free(s->classes[i].name);
    cli_etl_memory_free(&w.etl);
    free(s);
    return rc;
}
