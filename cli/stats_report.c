/*
 * stats_report.c - `heapev stats`: the counts as text or as one JSON object.
 *
 * Also the shares, scales and labels (Source names, size buckets) that the
 * HTML report draws with, so that every form says the same.
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "stats.h"

/* ---- shares, scales and labels ------------------------------------------------ */

const char *const stats_width_names[3] = {"unknown", "32-bit", "64-bit"};

double stats_pct(uint64_t n, uint64_t total)
{
    return total ? 100.0 * (double)n / (double)total : 0.0;
}

double stats_rate(const stats *s)
{
    return s->seconds > 0 ? (double)s->events / s->seconds : 0.0;
}

uint64_t stats_max_of(const uint64_t *v, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

const char *stats_source_label(unsigned slot)
{
    return slot < SOURCE_SLOTS - 1 ? heapev_source_label(slot) : HEAPEV_SOURCE_UNDEFINED_NAME;
}

void stats_hist_span(const stats *s, unsigned *lo, unsigned *hi)
{
    *lo = SIZE_BUCKETS, *hi = 0;
    for (unsigned b = 0; b < SIZE_BUCKETS; b++)
        if (s->size_hist[b]) {
            *lo = *lo < b ? *lo : b;
            *hi = b;
        }
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
void stats_bucket_label(unsigned b, char *out, size_t cap)
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
const char *stats_bucket_floor_label(unsigned b, char *out, size_t cap)
{
    if (b == 0)
        snprintf(out, cap, "0");
    else
        pow2_label(b - 1, out, cap);
    return out;
}

/* ---- text -------------------------------------------------------------------------- */

static void bar(FILE *out, uint64_t n, uint64_t max, unsigned width)
{
    unsigned len = max ? (unsigned)((double)n / (double)max * width + 0.5) : 0;
    if (n > 0 && len == 0)
        len = 1;
    for (unsigned i = 0; i < len; i++)
        fputc('#', out);
}

static void print_summary(FILE *out, const stats *s)
{
    fprintf(out, "heapev stats: %" PRIu64 " inputs, %" PRIu64 " files, %" PRIu64 " bytes, %" PRIu64
                 " events in %.3f s (%.0f events/s)\n",
            s->inputs, s->files, s->bytes, s->events, s->seconds, stats_rate(s));
    fprintf(out, "  clean %" PRIu64 " (%.1f%%), with findings %" PRIu64 " (%.1f%%), payload not "
                 "decoded %" PRIu64 "\n",
            s->clean, stats_pct(s->clean, s->events), s->with_findings,
            stats_pct(s->with_findings, s->events), s->undecoded);
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
    fputs("\nby width\n", out);
    for (unsigned i = 1; i <= 3; i++)
        fprintf(out, "  %-16s %10" PRIu64 "  %5.1f%%\n", stats_width_names[i % 3],
                s->width[i % 3], stats_pct(s->width[i % 3], s->events));
    fputs("\nby Source (decoded payloads)\n", out);
    uint64_t decoded = s->events - s->undecoded, max = stats_max_of(s->source, SOURCE_SLOTS);
    for (unsigned v = 0; v < SOURCE_SLOTS; v++) {
        fprintf(out, "  %u%s %-13s %10" PRIu64 "  %5.1f%%  ", v, v == SOURCE_SLOTS - 1 ? "+" : " ",
                stats_source_label(v), s->source[v], stats_pct(s->source[v], decoded));
        bar(out, s->source[v], max, 30);
        fputc('\n', out);
    }
}

static void print_findings(FILE *out, const stats *s)
{
    uint64_t max = stats_max_of(s->finding, HEAPEV_FINDING_COUNT);
    fputs("\nby finding (items carrying it)\n", out);
    if (max == 0)
        fputs("  none\n", out);
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        if (s->finding[c] == 0)
            continue;
        const heapev_finding_info *f = heapev_finding_get(c);
        fprintf(out, "  %-28s %-7s %10" PRIu64 "  %5.1f%%  ", f->name,
                heapev_severity_name(f->severity), s->finding[c],
                stats_pct(s->finding[c], s->events));
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
                stats_pct(s->classes[i].n, s->manifest_lines));
    if (s->agree + s->disagree)
        fprintf(out, "  expected findings: %" PRIu64 " files agree, %" PRIu64 " differ\n",
                s->agree, s->disagree);
    /* A reused or pruned directory: what its manifest and its files disagree on. */
    fprintf(out, "  manifest files missing: %" PRIu64 "; files not in the manifest: %" PRIu64 "\n",
            s->manifest_missing, s->not_in_manifest);
}

/* One line per bucket from the smallest to the largest non-empty one; runs of 3+ empty fold. */
static void print_histogram(FILE *out, const stats *s)
{
    unsigned lo, hi;
    char label[40];
    stats_hist_span(s, &lo, &hi);
    fputs("\nSize histogram (log2 buckets, bytes)\n", out);
    if (lo > hi)
        fputs("  no decoded payloads\n", out);
    uint64_t max = stats_max_of(s->size_hist, SIZE_BUCKETS);
    for (unsigned b = lo; b <= hi && lo <= hi; b++) {
        unsigned run = 0;
        while (b + run <= hi && s->size_hist[b + run] == 0)
            run++;
        if (run >= 3) {
            fprintf(out, "  %-16s %10s |\n", "...", "0");
            b += run - 1;
            continue;
        }
        stats_bucket_label(b, label, sizeof label);
        fprintf(out, "  %-16s %10" PRIu64 " |", label, s->size_hist[b]);
        bar(out, s->size_hist[b], max, 50);
        fputc('\n', out);
    }
}

void stats_print_text(FILE *out, const stats *s)
{
    print_summary(out, s);
    print_width_source(out, s);
    print_findings(out, s);
    print_classes(out, s);
    print_histogram(out, s);
}

/* ---- JSON -------------------------------------------------------------------------- */

static json_t *jn(uint64_t v)
{
    return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Counters of stats that go into a JSON object under their keys, in table order. */
typedef struct json_count {
    const char *key;
    size_t offset; /* of a uint64_t in stats */
} json_count;

#define COUNT(key, member) {key, offsetof(stats, member)}
#define COUNTS(table) table, sizeof table / sizeof *table

static const json_count summary_counts[] = {
    COUNT("inputs", inputs), COUNT("files", files), COUNT("bytes", bytes),
    COUNT("events", events), COUNT("clean", clean), COUNT("with_findings", with_findings),
    COUNT("payload_not_decoded", undecoded), COUNT("skipped_entries", skipped)};
static const json_count width_counts[] = {
    COUNT("32", width[1]), COUNT("64", width[2]), COUNT("unknown", width[0])};
static const json_count manifest_counts[] = {
    COUNT("manifests", manifests), COUNT("lines", manifest_lines),
    COUNT("missing_files", manifest_missing), COUNT("files_not_listed", not_in_manifest)};
static const json_count expected_counts[] = {
    COUNT("expected_agree", agree), COUNT("expected_differ", disagree)};
static const json_count etl_counts[] = {
    COUNT("buffers", etl_buffers), COUNT("decompressed", etl_decompressed),
    COUNT("skipped_records", etl_skipped), COUNT("container_items", etl_container_items),
    COUNT("notes", etl_notes)};

static json_t *put_counts(json_t *o, const stats *s, const json_count *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        memcpy(&v, (const char *)s + c[i].offset, sizeof v);
        json_object_set_new(o, c[i].key, jn(v));
    }
    return o;
}

static json_t *json_sources(const stats *s)
{
    json_t *arr = json_array();
    for (unsigned v = 0; v < SOURCE_SLOTS; v++) {
        json_t *o = json_object();
        char key[8];
        snprintf(key, sizeof key, "%u%s", v, v == SOURCE_SLOTS - 1 ? "+" : "");
        json_object_set_new(o, "value", json_string(key));
        json_object_set_new(o, "name", json_string(stats_source_label(v)));
        json_object_set_new(o, "count", jn(s->source[v]));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *json_findings(const stats *s)
{
    json_t *f = json_object();
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (s->finding[c])
            json_object_set_new(f, heapev_finding_get(c)->name, jn(s->finding[c]));
    return f;
}

static json_t *json_histogram(const stats *s)
{
    json_t *arr = json_array();
    unsigned lo, hi;
    stats_hist_span(s, &lo, &hi);
    for (unsigned b = lo; b <= hi && lo <= hi; b++) {
        json_t *o = json_object();
        json_object_set_new(o, "min", b == 0 ? json_integer(0) : heapev_emit_hex_json(1ull << (b - 1)));
        json_object_set_new(o, "max", b == 0 ? json_integer(0)
                                             : heapev_emit_hex_json(b == 64 ? UINT64_MAX : (1ull << b) - 1));
        json_object_set_new(o, "count", jn(s->size_hist[b]));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *json_manifest(const stats *s)
{
    if (s->manifests == 0)
        return json_null();
    json_t *cls = json_object(), *o = put_counts(json_object(), s, COUNTS(manifest_counts));
    for (size_t i = 0; i < s->nclasses; i++)
        json_object_set_new(cls, s->classes[i].name, jn(s->classes[i].n));
    json_object_set_new(o, "by_class", cls);
    return put_counts(o, s, COUNTS(expected_counts));
}

int stats_print_json(FILE *out, const stats *s)
{
    json_t *o = put_counts(json_object(), s, COUNTS(summary_counts));
    json_object_set_new(o, "seconds", json_real(s->seconds));
    json_object_set_new(o, "events_per_second", json_real(stats_rate(s)));
    json_object_set_new(o, "by_width", put_counts(json_object(), s, COUNTS(width_counts)));
    json_object_set_new(o, "by_source", json_sources(s));
    json_object_set_new(o, "by_finding", json_findings(s));
    json_object_set_new(o, "manifest", json_manifest(s));
    json_object_set_new(o, "size_histogram", json_histogram(s));
    if (s->etl_buffers)
        json_object_set_new(o, "etl", put_counts(json_object(), s, COUNTS(etl_counts)));
    int rc = cli_json_print_line(out, o);
    json_decref(o);
    return rc;
}
