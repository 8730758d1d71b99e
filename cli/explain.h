/*
 * explain.h - what the two halves of `heapev explain` share: the options,
 * the colours, and the printing of one labelled byte range (text and JSON).
 * cmd_explain.c explains payloads and records; explain_etl.c .etl traces.
 */
#ifndef HEAPEV_CLI_EXPLAIN_H
#define HEAPEV_CLI_EXPLAIN_H

#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "heapev/etl.h"
#include "heapev/layout.h"

#define ETL_DEFAULT_COUNT 2u /* buffers `explain --etl` shows without --count */

/* Terminal colours (SGR); all empty when colour is off. */
typedef struct palette {
    const char *field, *error, *anomaly, *dim, *reset;
} palette;

typedef struct explain_opts {
    cli_input in;          /* format (AUTO = payload), width, --json, limits */
    uint64_t offset;       /* first byte to explain */
    uint64_t count;        /* records to explain; 0 = all to the end */
    int no_color;
    const palette *pal;
    int label_width;       /* text column of field labels */
    const heapev_etl_logfile *clock; /* --etl: the trace's clock (dates of timestamps), or NULL */
} explain_opts;

/*
 * The date a time field's value stands for, ISO 8601 UTC: the logfile's
 * FILETIMEs, and record and buffer timestamps converted with the trace's
 * clock (o->clock). 1 with the date in @p out, 0 when there is none.
 */
int explain_range_date(const explain_opts *o, const heapev_layout_range *r, char *out, size_t cap);

/* The range's value as text ("0x..." for addresses and handles). */
void explain_value_text(const heapev_layout_range *r, char *out, size_t cap);

/* The range's field label ("Size", "trailing bytes"). */
void explain_range_label(const heapev_layout_range *r, char *out, size_t cap);

/* The range's hex dump lines (long ranges elided), label, value and meaning. */
void explain_print_range_bytes(FILE *out, const explain_opts *o, const uint8_t *p, uint64_t base,
                               const heapev_layout_range *r);

/* One line per finding placed on the range, coloured by severity. */
void explain_print_range_findings(FILE *out, const explain_opts *o, const heapev_layout_range *r);

/*
 * The range as a JSON object at file offset @p at, with @p key = @p index
 * ("item" or "buffer"), and "date" when explain_range_date() gives one.
 */
json_t *explain_json_range(const explain_opts *o, uint64_t at, const char *key, uint64_t index,
                           const heapev_layout_range *r);

/* One item's text: its heading, each range's bytes and findings, its findings line. */
void explain_print_item_text(FILE *out, const explain_opts *o, const char *file, const uint8_t *p,
                             uint64_t at, const heapev_layout_range *r, size_t n,
                             const heapev_event *e, uint64_t used);

/* `explain` of a payload or records (not --etl): @p in from o->offset on. The exit status. */
int explain_stream(const explain_opts *o, cli_stream *in);

/* `explain --etl`: the trace at @p path ("-" = stdin) shown as @p name. Returns the exit status. */
int explain_etl_file(const explain_opts *o, const char *path, const char *name);

#endif /* HEAPEV_CLI_EXPLAIN_H */
