/*
 * cmd_explain.c - `heapev explain`: an annotated hex dump of one payload or
 * of the records at an offset. Every byte range is labelled with its field,
 * value and meaning, and each finding is printed under the bytes that cause
 * it. The ranges, values, meanings and finding placement all come from the
 * library (heapev/layout.h); this file only prints them.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "heapev/layout.h"

#define BYTES_PER_LINE 8u  /* one pointer-sized field per line */
#define MAX_LINES 8u       /* of a long trailing/undecoded range before eliding */

/* Terminal colours (SGR); all empty when colour is off. */
typedef struct palette {
    const char *field, *error, *anomaly, *dim, *reset;
} palette;

static const palette colour_on = {"\033[1;36m", "\033[1;31m", "\033[1;33m", "\033[2m", "\033[0m"};
static const palette colour_off = {"", "", "", "", ""};

typedef struct explain_opts {
    int record;            /* 0 payload, 1 records */
    unsigned width;        /* payload width: 4, 8 or HEAPEV_WIDTH_INFER */
    uint64_t offset;       /* first byte to explain */
    uint64_t count;        /* records to explain; 0 = all to the end */
    int json;
    int no_color;
    heapev_limits limits;
    const palette *pal;
} explain_opts;

void cli_explain_usage(FILE *out)
{
    fputs("usage: heapev explain [--payload|--record] [--bits 32|64] [--offset N]\n"
          "                      [--count N] [--user-max-32 ADDR] [--json] [--no-color] FILE\n"
          "\n"
          "Annotated hex dump: every byte range labelled with its field, decoded value and\n"
          "meaning; each finding printed under the bytes that cause it. FILE '-' reads\n"
          "standard input.\n"
          "\n"
          "  --payload          FILE (from --offset on) is one bare payload (default)\n"
          "  --record           explain the record (SYSTEM_TRACE_HEADER + payload) at\n"
          "                     --offset, e.g. an offset 'heapev decode --record|--etl'\n"
          "                     printed; the HeaderType gives the width\n"
          "  --count N          with --record: explain N records back to back (default 1,\n"
          "                     0 = every record to the end of FILE)\n"
          "  --offset N         start at byte N of FILE (decimal or 0x hex)\n"
          "  --bits 32|64       payload pointer width (default: infer from 16/28 bytes)\n"
          "  --json             a JSON list of ranges {offset, length, available, field,\n"
          "                     part, value, meaning, findings}; offsets are file offsets\n"
          "  --no-color         no colour (also when stdout is not a terminal or NO_COLOR\n"
          "                     is set)\n"
          "  --user-max-32 ADDR highest 32-bit user address for range checks\n"
          "  -h, --help         this help\n"
          "\n"
          "Ranges longer than 64 bytes (trailing or undecoded bytes) are shown elided.\n"
          "'--etl' is not supported by explain: find the record's file offset with\n"
          "'heapev decode --etl FILE', then 'heapev explain --record --offset N FILE'.\n"
          "\n"
          "Exit status: 0 no finding, 1 findings reported, 2 usage or I/O error.\n",
          out);
}

/* ---- text ---------------------------------------------------------------- */

static int field_is_hex(heapev_field f)
{
    return f == HEAPEV_FIELD_HEAP_HANDLE || f == HEAPEV_FIELD_ADDRESS ||
           f == HEAPEV_FIELD_HOOK_ID || f == HEAPEV_FIELD_FLAGS;
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
    snprintf(label, sizeof label, "%s%s", heapev_field_in_header(r->field) ? "header." : "",
             heapev_field_name(r->field));
    heapev_layout_meaning(r, meaning, sizeof meaning);
    const char *bc = finding_colour(o, r->findings);
    size_t lines = (r->length + BYTES_PER_LINE - 1) / BYTES_PER_LINE;
    hex_line(p, r, 0, hex);
    fprintf(out, "  %08" PRIx64 "  %s%-24s%s %s%-18s%s %-20s %s\n", base + r->offset, bc, hex,
            *bc ? o->pal->reset : "", o->pal->field, label, o->pal->reset, value, meaning);
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

static json_t *json_range(uint64_t at, size_t index, const heapev_layout_range *r)
{
    char meaning[160];
    heapev_layout_meaning(r, meaning, sizeof meaning);
    json_t *obj = json_object();
    json_object_set_new(obj, "offset", json_integer((json_int_t)(at + r->offset)));
    json_object_set_new(obj, "length", json_integer((json_int_t)r->length));
    json_object_set_new(obj, "available", json_integer((json_int_t)r->avail));
    json_object_set_new(obj, "field", json_string(heapev_field_name(r->field)));
    json_object_set_new(obj, "part", json_string(heapev_field_in_header(r->field) ? "header"
                                                                                   : "payload"));
    json_object_set_new(obj, "item", json_integer((json_int_t)index));
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
            json_array_append_new(list, json_range(at, (size_t)items, &r[i]));
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
    case 'p': o->record = 0; return 0;
    case 'r': o->record = 1; return 0;
    case 'j': o->json = 1; return 0;
    case 'C': o->no_color = 1; return 0;
    case 'b': *bits_given = 1; return parse_width(optarg, o);
    case 'o': return parse_number("--offset", optarg, SIZE_MAX, &o->offset);
    case 'n': *count_given = 1; return parse_number("--count", optarg, UINT64_MAX, &o->count);
    case 'u': return parse_number("--user-max-32", optarg, UINT32_MAX, &o->limits.user_max_32);
    case 'e':
        return cli_usage_error("explain", "--etl is not supported; use 'heapev decode --etl "
                                          "FILE' for record offsets, then --record --offset N");
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
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c, rc, bits_given = 0, count_given = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
        if ((rc = parse_option(c, argv, o, &bits_given, &count_given)) != 0)
            return rc;
    if (bits_given && o->record)
        return cli_usage_error("explain", "--bits applies to --payload (a record's HeaderType "
                                          "fixes its width)");
    if (count_given && !o->record)
        return cli_usage_error("explain", "--count applies to --record");
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
    explain_opts o = {0, HEAPEV_WIDTH_INFER, 0, 1, 0, 0, heapev_limits_default(), NULL};
    int rc = parse_explain_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_CLEAN : rc;
    o.pal = choose_palette(&o);
    const char *path = argv[optind];
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
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
