/*
 * explain_stream.c - `heapev explain` of a payload or of records: the file
 * read forward from --offset through a bounded window (cli/stream.c), each
 * item laid out by the library and printed by cmd_explain.c's printers; the
 * --json list printed as it grows.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "heapev/layout.h"

/*
 * The JSON list of ranges, printed as it grows (an endless record stream
 * with --count 0 keeps no list in memory): "[", the ranges, "]".
 */
typedef struct json_list_out {
    int on, n, failed;
} json_list_out;

static void json_list_put(json_list_out *l, json_t *range)
{
    char *text = json_dumps(range, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(range);
    if (text == NULL || fputs(l->n++ ? ",\n " : "[\n ", stdout) == EOF)
        l->failed = 1;
    for (const char *c = text; c != NULL && *c != '\0' && !l->failed; c++)
        if (putchar(*c) == EOF || (*c == '\n' && putchar(' ') == EOF))
            l->failed = 1;
    free(text);
}

static int json_list_end(json_list_out *l)
{
    if (l->on && fputs(l->n ? "\n]\n" : "[]\n", stdout) == EOF)
        l->failed = 1;
    return l->failed ? -1 : 0;
}

/* One item (payload or record) laid out at file offset @p at, printed; its exit status. */
static int explain_item(const explain_opts *o, json_list_out *list, const char *file,
                        const uint8_t *p, uint64_t at, const heapev_layout_range *r, size_t n,
                        const heapev_event *e, uint64_t used, uint64_t item)
{
    for (size_t i = 0; list->on && i < n; i++)
        json_list_put(list, explain_json_range(o, at, "item", item, &r[i]));
    if (!list->on)
        explain_print_item_text(stdout, o, file, p, at, r, n, e, used);
    return e->findings ? CLI_EXIT_FINDINGS : CLI_EXIT_CLEAN;
}

/* The payload from the current position (--offset) to the end of the input. */
static int explain_payload(const explain_opts *o, json_list_out *list, cli_stream *in)
{
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    heapev_event e;
    const uint8_t *data;
    size_t len;
    if (cli_stream_payload(in, &data, &len) != 0)
        return CLI_EXIT_USAGE;
    size_t n = heapev_layout_payload(data, len, o->in.width, &o->in.limits, &e, r,
                                     HEAPEV_LAYOUT_MAX_RANGES);
    n = n < HEAPEV_LAYOUT_MAX_RANGES ? n : HEAPEV_LAYOUT_MAX_RANGES;
    return explain_item(o, list, in->name, data, in->pos, r, n, &e, len, 0);
}

/*
 * A record that runs to the end of an input longer than the window: its
 * last range (trailing or undecoded bytes) and size grow by the bytes counted
 * beyond the window (bounded like trailing_bytes).
 */
static int extend_to_end(cli_stream *in, heapev_layout_range *r, size_t n, heapev_event *e,
                         uint64_t *used)
{
    uint64_t rest;
    if (cli_stream_count_rest(in, UINT32_MAX, &rest) != 0)
        return -1;
    heapev_layout_range *last = n > 0 ? &r[n - 1] : NULL;
    if (last != NULL &&
        (last->field == HEAPEV_FIELD_TRAILING || last->field == HEAPEV_FIELD_UNDECODED))
        last->length += rest, last->avail += rest;
    if (e->payload_decoded)
        e->trailing_bytes = rest + e->trailing_bytes > UINT32_MAX ? UINT32_MAX
                                                                  : (uint32_t)(rest + e->trailing_bytes);
    *used += rest;
    return 0;
}

/* Records from the current position, --count of them (0: to the end), one window at a time. */
static int explain_records(const explain_opts *o, json_list_out *list, cli_stream *in)
{
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    heapev_event e;
    int worst = CLI_EXIT_CLEAN;
    size_t len;
    for (uint64_t item = 0; o->count == 0 || item < o->count; item++) {
        if (cli_stream_fill(in, HEAPEV_RECORD_MAX_SIZE + 1u) != 0)
            return CLI_EXIT_USAGE;
        const uint8_t *data = cli_stream_data(in, &len);
        if (len == 0 && item > 0)
            return worst;
        size_t used;
        size_t n = heapev_layout_record(data, len, &o->in.limits, &e, r, HEAPEV_LAYOUT_MAX_RANGES,
                                        &used);
        n = n < HEAPEV_LAYOUT_MAX_RANGES ? n : HEAPEV_LAYOUT_MAX_RANGES;
        uint64_t size = used;
        if (used == len && !in->eof && extend_to_end(in, r, n, &e, &size) != 0)
            return CLI_EXIT_USAGE;
        int rc = explain_item(o, list, in->name, data, in->pos, r, n, &e, size, item);
        worst = rc > worst ? rc : worst;
        cli_stream_advance(in, used);
        if (in->rest_counted)
            return worst; /* that record ran to the end */
    }
    return worst;
}

/* What is left after the records shown: "N more bytes follow", N when known. */
static void print_rest(cli_stream *in)
{
    size_t len;
    if (cli_stream_fill(in, 1) != 0 || (cli_stream_data(in, &len), len == 0))
        return;
    uint64_t at = in->pos;
    if (in->regular_size != UINT64_MAX && in->regular_size > at)
        printf("%" PRIu64 " more bytes", in->regular_size - at);
    else
        printf("more bytes");
    printf(" follow from offset %" PRIu64 " (explain them with --offset %" PRIu64 ")\n", at, at);
}

/* FILE (payload or records) from --offset on, read through a bounded window. */
int explain_stream(const explain_opts *o, cli_stream *in)
{
    json_list_out list = {o->in.json, 0, 0};
    if (cli_stream_skip(in, o->offset) != 0)
        return CLI_EXIT_USAGE;
    if (in->pos < o->offset)
        return cli_error(in->name, "--offset %" PRIu64 " is beyond the end of the file (%" PRIu64
                                   " bytes)", o->offset, in->pos);
    int rc = o->in.mode == CLI_MODE_RECORD ? explain_records(o, &list, in)
                                           : explain_payload(o, &list, in);
    if (json_list_end(&list) != 0)
        return CLI_EXIT_USAGE; /* cli_close_output() names the write error */
    if (rc != CLI_EXIT_USAGE && !o->in.json && o->in.mode == CLI_MODE_RECORD && !in->rest_counted)
        print_rest(in);
    return rc;
}

