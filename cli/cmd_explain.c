/*
 * cmd_explain.c - `heapev explain`: an annotated hex dump of one payload, of
 * the records at an offset, or of an .etl trace buffer by buffer (following
 * the library reader's items). Every byte range is labelled with its field,
 * value and meaning, and each finding is printed under the bytes that cause
 * it. The ranges, values, meanings and finding placement all come from the
 * library (heapev/layout.h); this file only prints them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "heapev/etl.h"
#include "heapev/layout.h"

#define BYTES_PER_LINE 8u  /* one pointer-sized field per line */
#define MAX_LINES 8u       /* of a long trailing/undecoded range before eliding */
#define ETL_DEFAULT_COUNT 2u /* buffers `explain --etl` shows without --count */

/* Terminal colours (SGR); all empty when colour is off. */
typedef struct palette {
    const char *field, *error, *anomaly, *dim, *reset;
} palette;

static const palette colour_on = {"\033[1;36m", "\033[1;31m", "\033[1;33m", "\033[2m", "\033[0m"};
static const palette colour_off = {"", "", "", "", ""};

typedef struct explain_opts {
    int record;            /* 0 payload, 1 records */
    int etl;               /* 1: walk an .etl file buffer by buffer */
    unsigned width;        /* payload width: 4, 8 or HEAPEV_WIDTH_INFER */
    uint64_t offset;       /* first byte to explain */
    uint64_t count;        /* records to explain; 0 = all to the end */
    int json;
    int no_color;
    heapev_limits limits;
    const palette *pal;
    int label_width;       /* text column of field labels */
} explain_opts;

void cli_explain_usage(FILE *out)
{
    fputs("usage: heapev explain [--payload|--record|--etl] [--bits 32|64] [--offset N]\n"
          "                      [--count N] [--user-max-32 ADDR] [--user-max-wow64 ADDR] [--json]\n"
          "                      [--no-color] FILE\n"
          "\n"
          "Annotated hex dump: every byte range labelled with its field, decoded value and\n"
          "meaning; each finding printed under the bytes that cause it. FILE '-' reads\n"
          "standard input.\n"
          "\n"
          "  --payload          FILE (from --offset on) is one bare payload (default)\n"
          "  --record           explain the record (SYSTEM_TRACE_HEADER + payload) at\n"
          "                     --offset, e.g. an offset 'heapev decode --record|--etl'\n"
          "                     printed; the HeaderType gives the width\n"
          "  --etl              FILE is an .etl trace: for each buffer its WMI_BUFFER_HEADER,\n"
          "                     in buffer 0 the logfile header record, then every heap\n"
          "                     Alloc record; other records get one summary line each;\n"
          "                     container findings sit under the fields that cause them\n"
          "  --count N          with --record: explain N records back to back (default 1,\n"
          "                     0 = every record to the end of FILE); with --etl: N buffers\n"
          "                     (default 2, 0 = all)\n"
          "  --offset N         start at byte N of FILE (decimal or 0x hex); with --etl: at\n"
          "                     the buffer holding byte N\n"
          "  --bits 32|64       payload pointer width (default: infer from 16/28 bytes)\n"
          "  --json             a JSON list of ranges {offset, length, available, field,\n"
          "                     part, item, value, meaning, findings}; offsets are file\n"
          "                     offsets; with --etl 'buffer' (the buffer index) replaces\n"
          "                     'item' and a skipped record is one range\n"
          "  --no-color         no colour (also when stdout is not a terminal or NO_COLOR\n"
          "                     is set)\n"
          "  --user-max-32 ADDR highest 32-bit user address for range checks\n"
          "  --user-max-wow64 ADDR  with --etl: the same for the 32-bit records of a 64-bit\n"
          "                     trace (WOW64 processes; default 0xFFFEFFFF)\n"
          "  -h, --help         this help\n"
          "\n"
          "Ranges longer than 64 bytes (trailing or undecoded bytes) are shown elided.\n"
          "With --etl the file is read as a stream in constant memory (FILE '-' too);\n"
          "--json output is held until the end.\n"
          "\n"
          "Exit status: 0 no finding, 1 findings reported, 2 usage or I/O error.\n",
          out);
}

/* ---- text ---------------------------------------------------------------- */

static int field_is_hex(heapev_field f)
{
    return f == HEAPEV_FIELD_HEAP_HANDLE || f == HEAPEV_FIELD_ADDRESS ||
           f == HEAPEV_FIELD_HOOK_ID || f == HEAPEV_FIELD_FLAGS || f == HEAPEV_FIELD_BUF_FLAG ||
           f == HEAPEV_FIELD_BUF_CLOCK || f == HEAPEV_FIELD_LF_VERSION ||
           f == HEAPEV_FIELD_LF_LOG_FILE_MODE || f == HEAPEV_FIELD_LF_LOGGER_NAME ||
           f == HEAPEV_FIELD_LF_LOG_FILE_NAME;
}

static void value_text(const heapev_layout_range *r, char *out, size_t cap)
{
    if (!r->has_value)
        snprintf(out, cap, "%s", r->avail < r->length ? "(missing)" : "");
    else if (field_is_hex(r->field))
        snprintf(out, cap, "0x%" PRIx64, r->value);
    else if (r->field == HEAPEV_FIELD_SYSTEM_TIME)
        snprintf(out, cap, "%" PRId64, (int64_t)r->value);
    else
        snprintf(out, cap, "%" PRIu64, r->value);
}

/* Hex of the range's bytes [from, from + BYTES_PER_LINE), "--" where missing. */
static void hex_line(const uint8_t *p, const heapev_layout_range *r, size_t from, char *out)
{
    size_t n = r->length - from < BYTES_PER_LINE ? r->length - from : BYTES_PER_LINE;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t k = from + i;
        if (k < r->avail)
            sprintf(out + 3 * i, "%02x ", p[r->offset + k]);
        else
            memcpy(out + 3 * i, "-- ", 4);
    }
}

static const char *finding_colour(const explain_opts *o, heapev_findings f)
{
    if (f == 0)
        return "";
    return heapev_findings_errors(f) ? o->pal->error : o->pal->anomaly;
}

/* The byte lines of a range: the first carries field, value and meaning. */
static void print_range_bytes(FILE *out, const explain_opts *o, const uint8_t *p, uint64_t base,
                              const heapev_layout_range *r)
{
    char hex[3 * BYTES_PER_LINE + 1], value[32], meaning[160], label[32];
    value_text(r, value, sizeof value);
    const char *part = heapev_field_part(r->field);
    snprintf(label, sizeof label, "%s%s%s", strcmp(part, "payload") != 0 ? part : "",
             strcmp(part, "payload") != 0 ? "." : "", heapev_field_name(r->field));
    heapev_layout_meaning(r, meaning, sizeof meaning);
    const char *bc = finding_colour(o, r->findings);
    size_t lines = (r->length + BYTES_PER_LINE - 1) / BYTES_PER_LINE;
    hex_line(p, r, 0, hex);
    fprintf(out, "  %08" PRIx64 "  %s%-24s%s %s%-*s%s %-20s %s\n", base + r->offset, bc, hex,
            *bc ? o->pal->reset : "", o->pal->field, o->label_width, label, o->pal->reset, value,
            meaning);
    for (size_t line = 1; line < lines && line < MAX_LINES; line++) {
        hex_line(p, r, line * BYTES_PER_LINE, hex);
        fprintf(out, "  %08" PRIx64 "  %s%s%s\n", base + r->offset + line * BYTES_PER_LINE, bc,
                hex, *bc ? o->pal->reset : "");
    }
    if (lines > MAX_LINES)
        fprintf(out, "  %s%8s  ... %zu more bytes%s\n", o->pal->dim, "",
                r->length - MAX_LINES * BYTES_PER_LINE, o->pal->reset);
}

static void print_range_findings(FILE *out, const explain_opts *o, const heapev_layout_range *r)
{
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        if (!(r->findings & HEAPEV_FINDING_BIT(c)))
            continue;
        const heapev_finding_info *f = heapev_finding_get(c);
        fprintf(out, "  %8s  %s^^ %s (%s): %s%s\n", "", finding_colour(o, HEAPEV_FINDING_BIT(c)),
                f->name, heapev_severity_name(f->severity), f->description, o->pal->reset);
    }
}

static void print_item_head(FILE *out, const char *file, uint64_t at, const heapev_event *e,
                            size_t used)
{
    fprintf(out, "%s @%" PRIu64 ": %s, ", file, at, e->has_header ? "record" : "payload");
    if (e->pointer_width)
        fprintf(out, "%u-bit, ", e->pointer_width * 8u);
    else
        fputs("width unknown, ", out);
    fprintf(out, "%zu bytes\n", used);
    fprintf(out, "  %-8s  %-24s %-18s %-20s %s\n", "offset", "bytes", "field", "value", "meaning");
}

static void print_item_text(FILE *out, const explain_opts *o, const char *file, const uint8_t *p,
                            uint64_t at, const heapev_layout_range *r, size_t n,
                            const heapev_event *e, size_t used)
{
    char names[1024];
    print_item_head(out, file, at, e, used);
    for (size_t i = 0; i < n; i++) {
        print_range_bytes(out, o, p, at, &r[i]);
        print_range_findings(out, o, &r[i]);
    }
    heapev_findings_format(e->findings, ", ", names, sizeof names);
    fprintf(out, "  findings: %s%s%s\n", finding_colour(o, e->findings),
            e->findings ? names : "none", e->findings ? o->pal->reset : "");
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *json_value(const heapev_layout_range *r)
{
    if (!r->has_value)
        return json_null();
    if (field_is_hex(r->field) || (r->field == HEAPEV_FIELD_SIZE && r->value > INT64_MAX))
        return cli_json_hex(r->value);
    if (r->field == HEAPEV_FIELD_SYSTEM_TIME || r->value <= INT64_MAX)
        return json_integer((json_int_t)r->value);
    return cli_json_hex(r->value);
}

/* One range as JSON, at file offset @p at; @p key ("item" or "buffer") numbers it. */
static json_t *json_range(uint64_t at, const char *key, uint64_t index,
                          const heapev_layout_range *r)
{
    char meaning[160];
    heapev_layout_meaning(r, meaning, sizeof meaning);
    json_t *obj = json_object();
    json_object_set_new(obj, "offset", json_integer((json_int_t)(at + r->offset)));
    json_object_set_new(obj, "length", json_integer((json_int_t)r->length));
    json_object_set_new(obj, "available", json_integer((json_int_t)r->avail));
    json_object_set_new(obj, "field", json_string(heapev_field_name(r->field)));
    json_object_set_new(obj, "part", json_string(heapev_field_part(r->field)));
    json_object_set_new(obj, key, json_integer((json_int_t)index));
    json_object_set_new(obj, "value", json_value(r));
    json_object_set_new(obj, "meaning", json_string(meaning));
    json_object_set_new(obj, "findings", cli_json_findings(r->findings));
    return obj;
}

/* ---- driver -------------------------------------------------------------- */

/* Lay out one item at @p at; returns the bytes it occupies (at least 1 unless at == len). */
static size_t layout_item(const explain_opts *o, const uint8_t *data, size_t len, size_t at,
                          heapev_event *e, heapev_layout_range *r, size_t *n)
{
    size_t used = len - at;
    if (o->record)
        *n = heapev_layout_record(data + at, len - at, &o->limits, e, r, HEAPEV_LAYOUT_MAX_RANGES,
                                  &used);
    else
        *n = heapev_layout_payload(data + at, len - at, o->width, &o->limits, e, r,
                                   HEAPEV_LAYOUT_MAX_RANGES);
    if (*n > HEAPEV_LAYOUT_MAX_RANGES)
        *n = HEAPEV_LAYOUT_MAX_RANGES;
    return used;
}

static int explain_bytes(const explain_opts *o, const char *file, const uint8_t *data, size_t len)
{
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    heapev_event e;
    json_t *list = o->json ? json_array() : NULL;
    size_t at = (size_t)o->offset, n = 0;
    uint64_t items = 0;
    int worst = CLI_EXIT_CLEAN;
    do {
        size_t used = layout_item(o, data, len, at, &e, r, &n);
        for (size_t i = 0; list != NULL && i < n; i++)
            json_array_append_new(list, json_range(at, "item", items, &r[i]));
        if (list == NULL)
            print_item_text(stdout, o, file, data + at, at, r, n, &e, used);
        worst = e.findings ? CLI_EXIT_FINDINGS : worst;
        at += used;
        items++;
    } while (o->record && at < len && (o->count == 0 || items < o->count));
    if (list != NULL) {
        int rc = json_dumpf(list, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        json_decref(list);
        if (rc != 0 || fputc('\n', stdout) == EOF)
            return cli_error("<stdout>", "write error");
    } else if (at < len) {
        printf("%zu more bytes follow from offset %zu (explain them with --offset %zu)\n",
               len - at, at, at);
    }
    return worst;
}

/* ---- --etl ------------------------------------------------------------- */

/*
 * The walk follows the library reader's items in file order (the reader is
 * asked for skipped records and buffer ends too: report_skipped), and prints
 * lazily: a buffer's header at its first item, in buffer 0 the logfile header
 * record after it, then each item: a heap Alloc record with the record
 * layout, a skipped record as one summary line, container findings under the
 * fields they point at, the end of the buffer's records. Where records start
 * and end is the reader's knowledge; this walk only lays out the bytes it
 * names, from the reader's own view of the buffer (heapev_etl_reader_buffer():
 * the decompressed records of a compressed buffer), valid until the buffer's
 * last item.
 */
typedef struct etl_walk {
    const explain_opts *o;
    const char *file;
    heapev_etl_stdio src;
    const heapev_etl_reader *reader;
    json_t *list;              /* --json: the ranges, else NULL */
    uint64_t base;             /* file offset of the current buffer */
    const uint8_t *p;          /* its bytes as the reader reads them */
    size_t got;
    int decompressed;          /* p holds its decompressed records */
    int started;               /* an item has come */
    uint64_t index;            /* buffer of the latest item */
    int ended;                 /* its RECORDS_END came: later items about it are late */
    uint64_t first, last;      /* buffers to show: [first, last) */
    int shows;                 /* index is one of them */
    int header_done, logfile_done;
    heapev_layout_range written; /* logfile BuffersWritten, for a finding found at the end */
    json_t *written_json;
    int have_written;
    int worst;
} etl_walk;

/* Bytes of the current buffer from buffer offset @p rel on. */
static size_t walk_avail(const etl_walk *w, size_t rel)
{
    return rel < w->got ? w->got - rel : 0;
}

static json_t *json_etl_range(const etl_walk *w, uint64_t at, const heapev_layout_range *r)
{
    json_t *obj = json_range(at, "buffer", w->index, r);
    if (w->decompressed && r->offset >= HEAPEV_ETL_BUFFER_HEADER_SIZE)
        json_object_set_new(obj, "decompressed", json_true());
    return obj;
}

/* Print (or add to the JSON list) ranges laid out at buffer offset @p rel. */
static void emit_ranges(etl_walk *w, size_t rel, const heapev_layout_range *r, size_t n)
{
    uint64_t at = w->base + rel;
    for (size_t i = 0; i < n; i++) {
        if (heapev_findings_defects(r[i].findings))
            w->worst = CLI_EXIT_FINDINGS;
        if (w->list != NULL) {
            json_t *obj = json_etl_range(w, at, &r[i]);
            if (r[i].field == HEAPEV_FIELD_LF_BUFFERS_WRITTEN)
                w->written_json = obj;
            json_array_append_new(w->list, obj);
            continue;
        }
        print_range_bytes(stdout, w->o, w->p + rel, at, &r[i]);
        print_range_findings(stdout, w->o, &r[i]);
    }
}

/* Findings no range took: one line at the offset. */
static void emit_unplaced(etl_walk *w, size_t rel, heapev_findings f)
{
    if (f == 0)
        return;
    if (heapev_findings_defects(f))
        w->worst = CLI_EXIT_FINDINGS;
    heapev_layout_range r = {rel, 0, 0, HEAPEV_FIELD_UNDECODED, 0, 0, f};
    if (w->list != NULL) {
        json_array_append_new(w->list, json_etl_range(w, w->base, &r));
        return;
    }
    printf("  %08" PRIx64 "\n", w->base + rel);
    print_range_findings(stdout, w->o, &r);
}

static void emit_title(const etl_walk *w, size_t rel, const char *what)
{
    if (w->list != NULL)
        return;
    printf("%s @%" PRIu64 "%s: buffer %" PRIu64 ", %s\n", w->file, w->base + rel,
           w->decompressed && rel >= HEAPEV_ETL_BUFFER_HEADER_SIZE ? " (decompressed)" : "",
           w->index, what);
    printf("  %-8s  %-24s %-*s %-20s %s\n", "offset", "bytes", w->o->label_width, "field",
           "value", "meaning");
}

static heapev_findings placed_of(const heapev_layout_range *r, size_t n)
{
    heapev_findings f = 0;
    for (size_t i = 0; i < n; i++)
        f |= r[i].findings;
    return f;
}

/* The WMI_BUFFER_HEADER, once per buffer, with the buffer's container findings @p f. */
static void show_header(etl_walk *w, heapev_findings f)
{
    if (w->header_done)
        return;
    w->header_done = 1;
    if (!w->shows)
        return;
    if (w->got == 0) { /* empty file: nothing to lay out */
        emit_title(w, 0, "no bytes");
        emit_unplaced(w, 0, f);
        return;
    }
    heapev_layout_range r[HEAPEV_LAYOUT_ETL_MAX_RANGES];
    size_t n = heapev_layout_etl_buffer(w->p, w->got, f, r, HEAPEV_LAYOUT_ETL_MAX_RANGES);
    if (w->list == NULL && w->index > w->first)
        putchar('\n');
    char what[96];
    uint32_t length = heapev_etl_reader_buffer_length(w->reader);
    if (w->decompressed)
        snprintf(what, sizeof what, "WMI_BUFFER_HEADER (%" PRIu32 " bytes in the file, records "
                 "compressed: %zu bytes once decompressed)", length, w->got);
    else
        snprintf(what, sizeof what, "WMI_BUFFER_HEADER (%" PRIu32 " bytes in the file)", length);
    emit_title(w, 0, what);
    emit_ranges(w, 0, r, n);
    emit_unplaced(w, 0, f & ~placed_of(r, n));
}

/* Buffer 0: the logfile header record at offset 72 (its container findings @p f). */
static void show_logfile(etl_walk *w, heapev_findings f)
{
    size_t rel = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    if (w->index != 0 || w->logfile_done || walk_avail(w, rel) == 0)
        return;
    w->logfile_done = 1;
    heapev_layout_range r[HEAPEV_LAYOUT_ETL_MAX_RANGES];
    size_t n = heapev_layout_etl_logfile(w->p + rel, walk_avail(w, rel), f, r,
                                         HEAPEV_LAYOUT_ETL_MAX_RANGES, NULL);
    if (n > HEAPEV_LAYOUT_ETL_MAX_RANGES)
        n = HEAPEV_LAYOUT_ETL_MAX_RANGES;
    int no_header = (f & HEAPEV_FINDING_BIT(HEAPEV_FINDING_ETL_NO_LOGFILE_HEADER)) != 0;
    if (no_header) /* not a logfile header: its record header only; the reader walks it on */
        while (n > 0 && !heapev_field_in_header(r[n - 1].field))
            n--;
    for (size_t i = 0; i < n; i++)
        if (r[i].field == HEAPEV_FIELD_LF_BUFFERS_WRITTEN)
            w->written = r[i], w->have_written = 1;
    if (!w->shows)
        return;
    emit_title(w, rel, no_header ? "first record (no logfile header)" : "logfile header record");
    emit_ranges(w, rel, r, n);
    emit_unplaced(w, rel, f & ~placed_of(r, n));
}

/* A heap Alloc record: the bytes the reader decoded (its Size), its container findings added. */
static void show_event(etl_walk *w, size_t rel, const heapev_etl_item *it)
{
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    heapev_event e;
    size_t len = walk_avail(w, rel);
    if (it->event.header.size < len)
        len = it->event.header.size;
    size_t n = heapev_layout_record(w->p + rel, len, &w->o->limits, &e, r,
                                    HEAPEV_LAYOUT_MAX_RANGES, NULL);
    if (n > HEAPEV_LAYOUT_MAX_RANGES)
        n = HEAPEV_LAYOUT_MAX_RANGES;
    heapev_layout_attach(r, n, it->findings & ~e.findings);
    emit_title(w, rel, "heap Alloc record");
    emit_ranges(w, rel, r, n);
    emit_unplaced(w, rel, it->findings & ~placed_of(r, n));
}

/* A record the reader stepped over: one summary line (one JSON range). */
static void show_skipped(etl_walk *w, size_t rel, const heapev_etl_skipped *s)
{
    char what[80];
    const char *name = s->has_hook_id ? heapev_hook_name(s->hook_id) : NULL;
    if (s->has_hook_id)
        snprintf(what, sizeof what, "HookId 0x%04x %s", s->hook_id, name ? name : "(unknown hook)");
    else
        snprintf(what, sizeof what, "HeaderType %u, Flags 0x%02x", s->header_type, s->flags);
    if (w->list != NULL) {
        json_t *obj = json_object();
        json_object_set_new(obj, "offset", json_integer((json_int_t)(w->base + rel)));
        json_object_set_new(obj, "length", json_integer((json_int_t)s->size));
        json_object_set_new(obj, "available", json_integer((json_int_t)s->size));
        json_object_set_new(obj, "field", json_string("skipped record"));
        json_object_set_new(obj, "part", json_string("record"));
        json_object_set_new(obj, "buffer", json_integer((json_int_t)w->index));
        json_object_set_new(obj, "value", s->has_hook_id ? cli_json_hex(s->hook_id) : json_null());
        json_object_set_new(obj, "meaning", json_string(what));
        json_object_set_new(obj, "findings", json_array());
        json_array_append_new(w->list, obj);
        return;
    }
    printf("  %08" PRIx64 "  %srecord skipped: %" PRIu32 " bytes, %s%s\n", w->base + rel,
           w->o->pal->dim, s->size, what, w->o->pal->reset);
}

/* Container findings about the record at @p rel: its record header with them. */
static void show_record_findings(etl_walk *w, size_t rel, heapev_findings f)
{
    heapev_layout_range r[HEAPEV_LAYOUT_MAX_RANGES];
    size_t n = heapev_layout_record(w->p + rel, walk_avail(w, rel), &w->o->limits, NULL, r,
                                    HEAPEV_LAYOUT_MAX_RANGES, NULL);
    if (n > HEAPEV_LAYOUT_MAX_RANGES)
        n = HEAPEV_LAYOUT_MAX_RANGES;
    while (n > 0 && !heapev_field_in_header(r[n - 1].field))
        n--;
    for (size_t i = 0; i < n; i++)
        r[i].findings = 0; /* the decoder's own findings are not the container's */
    heapev_layout_attach(r, n, f);
    emit_title(w, rel, "record with findings");
    emit_ranges(w, rel, r, n);
    emit_unplaced(w, rel, f & ~placed_of(r, n));
}

static void show_records_end(const etl_walk *w, size_t rel)
{
    if (w->list == NULL && w->decompressed)
        printf("  %08" PRIx64 "  end of the decompressed records (%zu bytes, header included)\n",
               w->base + rel, rel);
    else if (w->list == NULL)
        printf("  %08" PRIx64 "  end of records (%zu of %" PRIu32 " bytes used)\n", w->base + rel,
               rel, heapev_etl_reader_buffer_length(w->reader));
}

/* A finding about buffer 0 reported after the walk left it: BuffersWritten. */
static void show_late(etl_walk *w, const heapev_etl_item *it)
{
    if (w->first != 0)
        return; /* buffer 0 was not shown */
    w->worst = CLI_EXIT_FINDINGS;
    heapev_layout_range r = w->written;
    if (!w->have_written) {
        heapev_layout_range u = {0, 0, 0, HEAPEV_FIELD_UNDECODED, 0, 0, it->findings};
        if (w->list == NULL) {
            printf("\nbuffer %" PRIu64 " @%" PRIu64 ":\n", it->buffer, it->offset);
            print_range_findings(stdout, w->o, &u);
        }
        return;
    }
    r.findings = 0;
    if (heapev_layout_attach(&r, 1, it->findings) == 0)
        r.findings = it->findings;
    if (w->list != NULL) {
        if (w->written_json != NULL)
            json_object_set_new(w->written_json, "findings",
                                cli_json_findings(w->written.findings | r.findings));
        return;
    }
    printf("\n%s: found at the end of the file, about buffer 0's logfile header:\n", w->file);
    char value[32];
    value_text(&r, value, sizeof value);
    printf("  %08" PRIx64 "  %-24s %s%-*s%s %-20s\n", (uint64_t)HEAPEV_ETL_BUFFER_HEADER_SIZE +
           r.offset, "", w->o->pal->field, w->o->label_width, "logfile.BuffersWritten",
           w->o->pal->reset, value);
    print_range_findings(stdout, w->o, &r);
}

/*
 * The first item of buffer @p it->buffer: the buffers shown start with the
 * one holding file offset --offset (the first buffer whose bytes reach past
 * it), then --count of them.
 */
static void begin_buffer(etl_walk *w, const heapev_etl_item *it)
{
    uint64_t end = it->buffer_offset + heapev_etl_reader_buffer_length(w->reader);
    if (w->first == UINT64_MAX && (end > w->o->offset || end == it->buffer_offset)) {
        w->first = it->buffer;
        w->last = w->o->count != 0 && w->first <= UINT64_MAX - w->o->count
                      ? w->first + w->o->count
                      : UINT64_MAX;
    }
    w->started = 1;
    w->ended = 0;
    w->index = it->buffer;
    w->base = it->buffer_offset;
    w->p = heapev_etl_reader_buffer(w->reader, &w->got);
    w->decompressed = it->decompressed;
    w->shows = w->first != UINT64_MAX && it->buffer >= w->first && it->buffer < w->last;
    w->header_done = w->logfile_done = 0;
}

static void on_item(etl_walk *w, const heapev_etl_item *it)
{
    if (w->started && (it->buffer < w->index || (it->buffer == w->index && w->ended))) {
        show_late(w, it); /* the reader has moved past the buffer it is about */
        return;
    }
    if (!w->started || it->buffer != w->index)
        begin_buffer(w, it);
    if (it->kind == HEAPEV_ETL_ITEM_RECORDS_END)
        w->ended = 1;
    size_t rel = (size_t)(it->offset - w->base);
    if (it->kind == HEAPEV_ETL_ITEM_CONTAINER && rel == 0) {
        show_header(w, it->findings);
        return;
    }
    show_header(w, 0);
    if (it->buffer == 0 && !w->logfile_done && it->kind == HEAPEV_ETL_ITEM_CONTAINER &&
        rel == HEAPEV_ETL_BUFFER_HEADER_SIZE) {
        show_logfile(w, it->findings);
        return;
    }
    show_logfile(w, 0);
    if (!w->shows)
        return;
    if (it->kind == HEAPEV_ETL_ITEM_RECORDS_END)
        show_records_end(w, rel);
    else if (walk_avail(w, rel) == 0) /* past the bytes: nothing to lay out */
        emit_unplaced(w, rel, it->findings);
    else if (it->kind == HEAPEV_ETL_ITEM_EVENT)
        show_event(w, rel, it);
    else if (it->kind == HEAPEV_ETL_ITEM_SKIPPED)
        show_skipped(w, rel, &it->skipped);
    else
        show_record_findings(w, rel, it->findings);
}

static int explain_etl_stream(const explain_opts *o, const char *file, FILE *in,
                              const cli_etl_memory *mem)
{
    etl_walk w = {0};
    heapev_etl_reader r;
    w.o = o;
    w.file = file;
    w.reader = &r;
    w.list = o->json ? json_array() : NULL;
    w.first = w.last = UINT64_MAX;
    w.worst = CLI_EXIT_CLEAN;
    heapev_etl_item it;
    heapev_etl_status st;
    cli_etl_reader_start(&r, &w.src, in, mem, &o->limits, 1);
    while ((st = heapev_etl_next(&r, &it)) == HEAPEV_ETL_OK) {
        if (w.started && it.buffer >= w.last && w.first != 0)
            break; /* past the range; only buffer 0 needs the end (BuffersWritten) */
        on_item(&w, &it);
    }
    if (st == HEAPEV_ETL_IO_ERROR) {
        json_decref(w.list);
        return cli_error(file, "read error: %s", strerror(w.src.error));
    }
    if (o->offset > 0 && w.first >= heapev_etl_reader_stats(&r)->buffers) {
        json_decref(w.list);
        return cli_error(file, "--offset %" PRIu64 " is beyond the last buffer", o->offset);
    }
    if (w.list != NULL) {
        int rc = json_dumpf(w.list, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        json_decref(w.list);
        if (rc != 0 || fputc('\n', stdout) == EOF)
            return cli_error("<stdout>", "write error");
    } else {
        const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
        printf("\n%s: %" PRIu64 " buffers read (%" PRIu64 " decompressed), %" PRIu64
               " heap Alloc records, %" PRIu64 " skipped records, %" PRIu64
               " container findings, %" PRIu64 " notes\n",
               file, s->buffers, s->decompressed, s->events, s->skipped, s->container_items,
               s->notes);
    }
    return w.worst;
}

static int explain_etl_file(const explain_opts *o, const char *path, const char *name)
{
    cli_etl_memory mem = {NULL, NULL};
    if (cli_etl_memory_get(&mem) != 0)
        return CLI_EXIT_USAGE;
    int rc;
    if (strcmp(path, "-") == 0) {
        rc = explain_etl_stream(o, name, stdin, &mem);
    } else {
        FILE *f = fopen(path, "rb");
        struct stat st;
        if (f == NULL)
            rc = cli_error(path, "%s", strerror(errno));
        else if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
            rc = cli_error(path, "%s", strerror(EISDIR)), fclose(f);
        else
            rc = explain_etl_stream(o, name, f, &mem), fclose(f);
    }
    cli_etl_memory_free(&mem);
    return rc;
}

static int parse_width(const char *arg, explain_opts *o)
{
    if (strcmp(arg, "32") != 0 && strcmp(arg, "64") != 0)
        return cli_usage_error("explain", "--bits takes 32 or 64, not '%s'", arg);
    o->width = arg[0] == '3' ? 4 : 8;
    return 0;
}

static int parse_number(const char *opt, const char *arg, uint64_t max, uint64_t *out)
{
    if (cli_parse_u64(arg, max, out) != 0)
        return cli_usage_error("explain", "%s takes a number, not '%s'", opt, arg);
    return 0;
}

static int parse_option(int c, char **argv, explain_opts *o, int *bits_given, int *count_given)
{
    switch (c) {
    case 'p': o->record = 0, o->etl = 0; return 0;
    case 'r': o->record = 1, o->etl = 0; return 0;
    case 'e': o->etl = 1, o->record = 0; return 0;
    case 'j': o->json = 1; return 0;
    case 'C': o->no_color = 1; return 0;
    case 'b': *bits_given = 1; return parse_width(optarg, o);
    case 'o': return parse_number("--offset", optarg, SIZE_MAX, &o->offset);
    case 'n': *count_given = 1; return parse_number("--count", optarg, UINT64_MAX, &o->count);
    case 'u': return parse_number("--user-max-32", optarg, UINT32_MAX, &o->limits.user_max_32);
    case 'w':
        return parse_number("--user-max-wow64", optarg, UINT32_MAX, &o->limits.user_max_wow64);
    case 'h': cli_explain_usage(stdout); return -1;
    default: return cli_getopt_error("explain", c, argv);
    }
}

static int parse_explain_opts(int argc, char **argv, explain_opts *o)
{
    static const struct option longopts[] = {
        {"payload", no_argument, NULL, 'p'}, {"record", no_argument, NULL, 'r'},
        {"etl", no_argument, NULL, 'e'}, {"bits", required_argument, NULL, 'b'},
        {"offset", required_argument, NULL, 'o'}, {"count", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'}, {"no-color", no_argument, NULL, 'C'},
        {"no-colour", no_argument, NULL, 'C'}, {"user-max-32", required_argument, NULL, 'u'},
        {"user-max-wow64", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c, rc, bits_given = 0, count_given = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
        if ((rc = parse_option(c, argv, o, &bits_given, &count_given)) != 0)
            return rc;
    if (bits_given && (o->record || o->etl))
        return cli_usage_error("explain", "--bits applies to --payload (a record's HeaderType "
                                          "fixes its width)");
    if (count_given && !o->record && !o->etl)
        return cli_usage_error("explain", "--count applies to --record and --etl");
    if (o->etl && !count_given)
        o->count = ETL_DEFAULT_COUNT;
    if (optind >= argc)
        return cli_usage_error("explain", "no FILE given");
    if (optind + 1 < argc)
        return cli_usage_error("explain", "one FILE at a time ('%s' is extra)", argv[optind + 1]);
    return 0;
}

static const palette *choose_palette(const explain_opts *o)
{
    const char *no_color = getenv("NO_COLOR");
    if (o->no_color || o->json || (no_color != NULL && *no_color != '\0') || !isatty(STDOUT_FILENO))
        return &colour_off;
    return &colour_on;
}

int cli_explain_main(int argc, char **argv)
{
    explain_opts o = {0, 0, HEAPEV_WIDTH_INFER, 0, 1, 0, 0, heapev_limits_default(), NULL, 18};
    int rc = parse_explain_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_CLEAN : rc;
    o.pal = choose_palette(&o);
    const char *path = argv[optind];
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (o.etl) {
        o.label_width = 26;
        rc = explain_etl_file(&o, path, name);
        if (cli_close_output(stdout, "<stdout>") != 0)
            return CLI_EXIT_USAGE;
        return rc;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (cli_read_file(path, &data, &len) != 0)
        return CLI_EXIT_USAGE;
    if (o.offset > len)
        rc = cli_error(name, "--offset %" PRIu64 " is beyond the end of the file (%zu bytes)",
                       o.offset, len);
    else
        rc = explain_bytes(&o, name, data, len);
    free(data);
    if (cli_close_output(stdout, "<stdout>") != 0)
        return CLI_EXIT_USAGE;
    return rc;
}
