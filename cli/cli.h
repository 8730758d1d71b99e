/*
 * cli.h - what the heapev subcommands share: the command table, one-line
 * errors, whole-file reading, event <-> JSON field names, atomic output.
 * The CLI adds no format knowledge: everything about bytes comes from the
 * library.
 */
#ifndef HEAPEV_CLI_H
#define HEAPEV_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "heapev/decode.h"
#include "heapev/emit.h" /* heapev_emit_*_json(): the JSON every command shares */
#include "heapev/etl.h"

/* Exit codes shared by every subcommand. */
enum {
    CLI_EXIT_CLEAN = 0,    /* every event decoded with no finding */
    CLI_EXIT_FINDINGS = 1, /* at least one finding was reported */
    CLI_EXIT_USAGE = 2     /* usage or I/O error (message on stderr) */
};

/* One subcommand: name, one-line summary, entry point (argv[0] = name). */
typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *out);
} cli_command;

/* Print "heapev: <what>: <reason>" on stderr (one line). Returns CLI_EXIT_USAGE. */
int cli_error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Usage error for a subcommand: message, then "try 'heapev help CMD'". */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include "options.h" /* cli_getopt_error() and the option table */

/*
 * An input file read forward through one window of two records' bytes
 * (stream.c): bounded memory whatever the file, pipes and devices included.
 * Every function that fails prints one line naming the file and returns -1.
 */
typedef struct cli_stream {
    FILE *f;
    const char *name;      /* as errors name it ("<stdin>" for "-") */
    uint8_t *buf;          /* the window */
    size_t lo, hi;         /* its bytes: buf[lo, hi) */
    uint64_t pos;          /* file offset of buf[lo] */
    uint64_t regular_size; /* st_size of a regular file, else UINT64_MAX */
    uint64_t records;      /* records returned by cli_stream_record() */
    int eof;               /* no byte beyond buf[hi) */
    int rest_counted;      /* cli_stream_count_rest() read the rest of the input */
    uint64_t counted;      /* bytes it read past the window */
} cli_stream;

/* Bytes read from the input so far: up to the window's end, and any counted past it. */
uint64_t cli_stream_bytes_read(const cli_stream *in);

/* Open @p path ("-" = stdin); a directory is refused. 0, or CLI_EXIT_USAGE after the error. */
int cli_stream_open(cli_stream *in, const char *path);
void cli_stream_close(cli_stream *in);

/* At least @p want bytes in the window (at most its size), fewer only at the end. 0 or -1. */
int cli_stream_fill(cli_stream *in, size_t want);

/* The window's bytes from the current position. */
const uint8_t *cli_stream_data(const cli_stream *in, size_t *len);

/* Move the position @p n bytes on (at most to the window's end). */
void cli_stream_advance(cli_stream *in, size_t n);

/* Move the position @p n bytes on, or to the end of the input (in->pos says where). 0 or -1. */
int cli_stream_skip(cli_stream *in, uint64_t n);

/* Read the input beyond the window into nowhere, at most @p limit bytes; their number in *@p count. */
int cli_stream_count_rest(cli_stream *in, uint64_t limit, uint64_t *count);

/*
 * The rest of the input as one bare payload: at most HEAPEV_RECORD_MAX_SIZE
 * bytes (a longer one is an error: no record can carry it). 0 or -1.
 */
int cli_stream_payload(cli_stream *in, const uint8_t **data, size_t *len);

/*
 * Decode the next record at the position (an empty input is one truncated
 * record) into @p e, at file offset *@p at, and move past it. A record whose
 * Size does not delimit it runs to the end of the input: the bytes beyond the
 * window are counted into its trailing_bytes (and *@p extra), not kept.
 * @return 1 with a record, 0 at the end, -1 after a read error
 */
int cli_stream_record(cli_stream *in, const heapev_limits *limits, heapev_event *e, uint64_t *at,
                      uint64_t *extra);

/* 1 when the input starts like an .etl file (heapev_etl_detect()), 0 if not, -1 on error. */
int cli_stream_looks_etl(cli_stream *in);

/* Parse an unsigned integer (decimal or 0x hex) with range check. 0 on success. */
int cli_parse_u64(const char *text, uint64_t max, uint64_t *out);

/*
 * Set "file" of @p obj to the file name @p name, always: as given when it is
 * UTF-8; otherwise each byte that is not is U+FFFD there, and "file_bytes"
 * holds the whole name's bytes in lower-case hex (so no name is lost).
 */
void cli_json_set_file(json_t *obj, const char *name);

/*
 * Set an item's verdict on its @p findings: "findings" (the names), "ok"
 * (no error: the bytes decoded) and "severity" (the worst finding: "error",
 * "anomaly", "note" or "none").
 */
void cli_json_set_verdict(json_t *obj, heapev_findings findings);

/*
 * The dump flags for @p v: keys in order, and reals with the fewest digits
 * that read back exactly ("noise":0.3, not 0.29999999999999999): the most
 * any real of @p v needs, so every one of them still reads back exactly.
 */
size_t cli_json_flags(const json_t *v);

/* Print @p obj as one compact line on @p out (cli_json_flags()); 0 or -1 on I/O error. */
int cli_json_print_line(FILE *out, json_t *obj);

/*
 * Memory for reading .etl files: the stdio fetch buffer and the
 * decompression scratch of compressed traces, for buffers of
 * HEAPEV_ETL_MAX_BUFFER_SIZE (pages never touched cost nothing).
 */
typedef struct cli_etl_memory {
    uint8_t *buf, *scratch;
} cli_etl_memory;

/* Allocate @p m unless done already. 0, or -1 after a one-line error. */
int cli_etl_memory_get(cli_etl_memory *m);
void cli_etl_memory_free(cli_etl_memory *m);

/*
 * Start @p r reading the stream @p in forward through @p src, with @p m's
 * memory and the user's @p limits.
 */
void cli_etl_reader_start(heapev_etl_reader *r, heapev_etl_stdio *src, FILE *in,
                          const cli_etl_memory *m, const heapev_limits *limits);

/*
 * The same, reading the stream @p in from where it is (its window's bytes
 * are handed over; the stream must not be read from afterwards).
 */
void cli_etl_reader_from_stream(heapev_etl_reader *r, heapev_etl_stdio *src, cli_stream *in,
                                const cli_etl_memory *m, const heapev_limits *limits);

/* @p text as HTML text or attribute value: & < > " escaped (the HTML reports). */
void cli_html_text(FILE *out, const char *text);

/* One warning line: @p files files (all read as bare payloads, no format given) were ambiguous. */
void cli_warn_all_ambiguous(const char *cmd, uint64_t files);

/*
 * A regular file read through mapped windows (cli/etl_map.c): a
 * heapev_etl_fetch_fn source that copies nothing. Zero-size files and files
 * too large for the address space take the stdio path instead.
 */
typedef struct cli_etl_map {
    int fd;
    uint64_t size;        /* the file's size */
    void *base;           /* the mapping (page-aligned), or NULL */
    size_t maplen;
    const uint8_t *bytes; /* file bytes [offset, offset + len) */
    uint64_t offset;
    size_t len;
    int error;            /* errno of the mapping that failed (fetch returned NULL) */
} cli_etl_map;

/* 0, or -1 when @p size cannot be mapped (0, or beyond size_t). */
int cli_etl_map_open(cli_etl_map *m, int fd, uint64_t size);
const uint8_t *cli_etl_map_fetch(void *ctx, uint64_t offset, size_t len, size_t *got);
void cli_etl_map_close(cli_etl_map *m);

/* Threads for reading a trace: the processors online, at most 8. */
unsigned cli_etl_threads_default(void);

/* The data buffers of a fixed-size trace read in segments (heapev/etl.h). */
typedef struct cli_etl_segments {
    int fd;
    uint64_t size;    /* the file's size */
    unsigned threads; /* 1: every segment on this thread */
    /* Print one item to @p out (a segment's memory); 0, or nonzero on failure. NULL: none. */
    int (*print)(void *ctx, FILE *out, const heapev_etl_item *item);
    void *ctx;
    FILE *out;        /* where the segments' items go, in file order */
} cli_etl_segments;

/*
 * Read every data buffer of the trace @p head reads (paused before buffer 1,
 * heapev_etl_reader_segmentable()), print their items in order, join their
 * counters into @p head and let it finish; raises *@p worst to
 * CLI_EXIT_FINDINGS when an item has a defect. 0, or the errno of a failed
 * mapping or write.
 */
int cli_etl_read_segments(const cli_etl_segments *in, heapev_etl_reader *head, int *worst);

/* The user's --user-max-32 / --user-max-wow64 value: a 32-bit address. 0 or a usage error. */
int cli_parse_user_max(const char *cmd, const char *opt, const char *text, uint64_t *out);

/* Flush and check @p out; prints "heapev: <name>: write error: ..." on failure. */
int cli_close_output(FILE *out, const char *name);

/* Subcommands. */
int cli_decode_main(int argc, char **argv);
void cli_decode_usage(FILE *out);
int cli_findings_main(int argc, char **argv);
void cli_findings_usage(FILE *out);
int cli_explain_main(int argc, char **argv);
void cli_explain_usage(FILE *out);
int cli_stats_main(int argc, char **argv);
void cli_stats_usage(FILE *out);
int cli_gen_main(int argc, char **argv);
void cli_gen_usage(FILE *out);
int cli_probe_main(int argc, char **argv);
void cli_probe_usage(FILE *out);

#endif /* HEAPEV_CLI_H */
