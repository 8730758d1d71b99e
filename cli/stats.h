/*
 * stats.h - the parts of `heapev stats` and what passes between them: the
 * options, the counts, the manifest reader's interface, counting, and the
 * text, JSON and HTML reports.
 *
 *   cmd_stats.c      options and the driver
 *   stats_count.c    counting events and container items, the directory walk
 *   manifest.c       reading a directory's manifest.jsonl (manifest.h, shared with decode)
 *   stats_report.c   text and JSON output, and the labels every report uses
 *   stats_html.c     the HTML report
 */
#ifndef HEAPEV_CLI_STATS_H
#define HEAPEV_CLI_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "manifest.h"

#define MAX_CLASSES 256        /* distinct manifest class names kept; more go to "(other)" */
#define SIZE_BUCKETS 65        /* 0, then [2^(k-1), 2^k) for k = 1..64 */
#define SOURCE_SLOTS (HEAPEV_SOURCE_SEGMENT_HEAP + 2u) /* Source 0..6, then 7 and above */
#define STATS_MAX_DEPTH 8      /* subdirectory levels walked below a DIR given */

typedef struct stats_opts {
    cli_input in;     /* format (AUTO: the manifest's, else payload), --bits, --json, limits */
    const char *html; /* --html FILE or NULL */
} stats_opts;

typedef struct class_count {
    char *name;
    uint64_t n;
} class_count;

typedef struct stats {
    uint64_t inputs, files, bytes, events, clean, with_findings, undecoded, skipped;
    uint64_t finding[HEAPEV_FINDING_COUNT];
    uint64_t source[SOURCE_SLOTS];
    uint64_t width[3]; /* unknown, 32-bit, 64-bit */
    uint64_t size_hist[SIZE_BUCKETS];
    uint64_t etl_buffers, etl_container_items, etl_skipped, etl_notes, etl_decompressed;
    uint64_t manifests, manifest_lines, agree, disagree;
    uint64_t manifest_missing; /* files a manifest lists that its directory lacks */
    uint64_t not_in_manifest;  /* files of a directory with a manifest that it does not list */
    uint64_t subdirs;          /* subdirectories read (directories are walked to STATS_MAX_DEPTH) */
    uint64_t guessed, ambiguous; /* files read as payloads for want of a format; length_ambiguous */
    class_count classes[MAX_CLASSES + 1]; /* the last slot is "(other)" */
    size_t nclasses;
    double seconds;
    struct timespec start, last_progress;
    int progress; /* stderr is a terminal */
} stats;

/* ---- stats_count.c: counting ------------------------------------------------ */

/* One run over the inputs. */
typedef struct stats_walk {
    stats *s;
    const stats_opts *o;
    cli_etl_memory etl; /* allocated on first use */
} stats_walk;

/* Start the clock and the progress line (when stderr is a terminal). */
void stats_begin(stats *s);

/* Count a DIR (its manifest, regular files and subdirectories) or a FILE. 0 or CLI_EXIT_USAGE. */
int stats_count_input(stats_walk *w, const char *path);

/* Clear the progress line, stop the clock, order the classes by count. */
void stats_end(stats *s);

/* ---- stats_report.c: text and JSON output ----------------------------------- */

void stats_print_text(FILE *out, const stats *s);
int stats_print_json(FILE *out, const stats *s); /* 0, or -1 on I/O error */

/* Shared with the HTML report. */
double stats_pct(uint64_t n, uint64_t total);
double stats_rate(const stats *s); /* events/s */
uint64_t stats_max_of(const uint64_t *v, size_t n);
const char *stats_source_label(unsigned slot);
extern const char *const stats_width_names[3]; /* by index into stats.width */
/* The non-empty histogram buckets are [lo, hi]; lo > hi when there are none. */
void stats_hist_span(const stats *s, unsigned *lo, unsigned *hi);
void stats_bucket_label(unsigned b, char *out, size_t cap);
const char *stats_bucket_floor_label(unsigned b, char *out, size_t cap);

/* ---- stats_html.c: the HTML report --------------------------------------------- */

/* What made a report, shown at its top: the command line and when it ran. */
typedef struct stats_origin {
    int argc;         /* the subcommand's arguments: argv[0] is "stats" */
    char **argv;
    int first_input;  /* argv[first_input..argc) are the DIR|FILE inputs */
    time_t when;      /* SOURCE_DATE_EPOCH when set, else the start of the run */
} stats_origin;

/* Write the page to @p path, atomically for a regular file. 0 or CLI_EXIT_USAGE. */
int stats_write_html(const char *path, const stats *s, const stats_origin *origin);

#endif /* HEAPEV_CLI_STATS_H */
