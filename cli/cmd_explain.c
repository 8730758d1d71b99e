/*
 * cmd_explain.c - `heapev explain`: its options, and the annotated hex dump
 * of one payload or of the records at an offset (.etl traces: explain_etl.c).
 * Every byte range is labelled with its field, value and meaning, and each
 * finding is printed under the bytes that cause it. The ranges, values,
 * meanings and finding placement all come from the library (heapev/layout.h);
 * this file only prints them.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain.h"
#include "heapev/layout.h"

#define BYTES_PER_LINE 8u  /* one pointer-sized field per line */
#define MAX_LINES 8u       /* of a long trailing/undecoded range before eliding */

static const palette colour_on = {"\033[1;36m", "\033[1;31m", "\033[1;33m", "\033[2m", "\033[0m"};
static const palette colour_off = {"", "", "", "", ""};

void cli_explain_usage(FILE *out)
{
    fputs("usage: heapev explain [--payload|--record|--etl] [--bits 32|64] [--offset N]\n"
          "                      [--count N] [--user-max-32 ADDR]\n"
          "                      [--user-max-wow64 ADDR] [--json] [--no-color] FILE\n"
          "\n"
          "Annotated hex dump: every byte range labelled with its field, decoded value and\n"
          "meaning; each finding printed under the bytes that cause it. FILE '-' reads\n"
          "standard input.\n"
          "\n",
          out);
    cli_print_options(out, CLI_CMD_EXPLAIN);
    fputs("\n"
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

void explain_value_text(const heapev_layout_range *r, char *out, size_t cap)
{
    int numeric = r->field != HEAPEV_FIELD_TRAILING && r->field != HEAPEV_FIELD_UNDECODED &&
                  r->length <= 8;
    if (!r->has_value) /* bytes missing, or whole but not decoded (decode says null) */
        snprintf(out, cap, "%s", r->avail < r->length ? "(missing)" : numeric ? "(not decoded)" : "");
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

/* "part.Field" of a range; payload fields go by their name alone. */
void explain_range_label(const heapev_layout_range *r, char *out, size_t cap)
{
    const char *part = heapev_field_part(r->field);
    int bare = strcmp(part, "payload") == 0;
    snprintf(out, cap, "%s%s%s", bare ? "" : part, bare ? "" : ".", heapev_field_name(r->field));
}

int explain_range_date(const explain_opts *o, const heapev_layout_range *r, char *out, size_t cap)
{
    int64_t ft = (int64_t)r->value;
    int filetime = r->field == HEAPEV_FIELD_LF_START_TIME || r->field == HEAPEV_FIELD_LF_END_TIME ||
                   r->field == HEAPEV_FIELD_LF_BOOT_TIME;
    int clocked = r->field == HEAPEV_FIELD_SYSTEM_TIME || r->field == HEAPEV_FIELD_BUF_TIMESTAMP;
    if (!r->has_value || o->clock == NULL || !(filetime || clocked))
        return 0;
    if (clocked && heapev_etl_filetime(o->clock, (int64_t)r->value, &ft) != 0)
        return 0;
    return ft > 0 && heapev_filetime_iso(ft, out, cap) > 0;
}

/* The byte lines of a range: the first carries field, value and meaning (and date). */
void explain_print_range_bytes(FILE *out, const explain_opts *o, const uint8_t *p, uint64_t base,
                              const heapev_layout_range *r)
{
    char hex[3 * BYTES_PER_LINE + 1], value[32], meaning[200], label[32], date[40];
    explain_value_text(r, value, sizeof value);
    explain_range_label(r, label, sizeof label);
    size_t len = heapev_layout_meaning(r, meaning, sizeof meaning);
    if (explain_range_date(o, r, date, sizeof date) && len + 3 < sizeof meaning)
        snprintf(meaning + len, sizeof meaning - len, "%s%s", len ? ", " : "", date);
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

void explain_print_range_findings(FILE *out, const explain_opts *o, const heapev_layout_range *r)
{
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        if (!(r->findings & HEAPEV_FINDING_BIT(c)))
            continue;
        const heapev_finding_info *f = heapev_finding_get(c);
        fprintf(out, "  %8s  %s^^ %s (%s): %s%s\n", "", finding_colour(o, HEAPEV_FINDING_BIT(c)),
                f->name, heapev_severity_name(f->severity), f->description, o->pal->reset);
    }
}

static void print_item_head(FILE *out, const char *file, uint64_t at, const char *kind,
                            const heapev_event *e, uint64_t used)
{
    fprintf(out, "%s @%" PRIu64 ": %s, ", file, at, kind);
    if (e->pointer_width)
        fprintf(out, "%u-bit, ", e->pointer_width * 8u);
    else
        fputs("width unknown, ", out);
    fprintf(out, "%" PRIu64 " bytes\n", used);
    fprintf(out, "  %-8s  %-24s %-18s %-20s %s\n", "offset", "bytes", "field", "value", "meaning");
}

void explain_print_item_text(FILE *out, const explain_opts *o, const char *file, const uint8_t *p,
                             uint64_t at, const heapev_layout_range *r, size_t n,
                             const heapev_event *e, uint64_t used)
{
    char names[1024];
    print_item_head(out, file, at, o->in.mode == CLI_MODE_RECORD ? "record" : "payload", e, used);
    for (size_t i = 0; i < n; i++) {
        explain_print_range_bytes(out, o, p, at, &r[i]);
        explain_print_range_findings(out, o, &r[i]);
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
    /* The payload Size is pointer-sized: hex text like decode's "size", whatever its value. */
    if (field_is_hex(r->field) || r->field == HEAPEV_FIELD_SIZE)
        return heapev_emit_hex_json(r->value);
    if (r->field == HEAPEV_FIELD_SYSTEM_TIME || r->value <= INT64_MAX)
        return json_integer((json_int_t)r->value);
    return heapev_emit_hex_json(r->value);
}

/* One range as JSON, at file offset @p at; @p key ("item" or "buffer") numbers it. */
json_t *explain_json_range(const explain_opts *o, uint64_t at, const char *key, uint64_t index,
                           const heapev_layout_range *r)
{
    char meaning[160], date[40];
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
    if (explain_range_date(o, r, date, sizeof date))
        json_object_set_new(obj, "date", json_string(date));
    json_object_set_new(obj, "findings", heapev_emit_findings_json(r->findings));
    return obj;
}

/* ---- driver -------------------------------------------------------------- */

static int parse_number(const char *opt, const char *arg, uint64_t max, uint64_t *out)
{
    if (cli_parse_u64(arg, max, out) != 0)
        return cli_usage_error("explain", "%s takes a number, not '%s'", opt, arg);
    return 0;
}

/* One option: 0 applied, -1 after --help, else an exit status. */
static int parse_option(int c, char **argv, explain_opts *o, int *count_given)
{
    int rc = cli_input_option("explain", c, optarg, &o->in);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    switch (c) {
    case CLI_OPT_NO_COLOR: o->no_color = 1; return 0;
    case CLI_OPT_OFFSET: return parse_number("--offset", optarg, SIZE_MAX, &o->offset);
    case CLI_OPT_COUNT:
        *count_given = 1;
        return parse_number("--count", optarg, UINT64_MAX, &o->count);
    case CLI_OPT_HELP: cli_explain_usage(stdout); return -1;
    default: return cli_getopt_error("explain", c, argv);
    }
}

static int parse_explain_opts(int argc, char **argv, explain_opts *o)
{
    const struct option *longopts = cli_longopts(CLI_CMD_EXPLAIN);
    int c, rc, count_given = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
        if ((rc = parse_option(c, argv, o, &count_given)) != 0)
            return rc;
    if (cli_input_check_bits("explain", &o->in, 1) != 0)
        return CLI_EXIT_USAGE;
    if (count_given && (o->in.mode == CLI_MODE_AUTO || o->in.mode == CLI_MODE_PAYLOAD))
        return cli_usage_error("explain", "--count applies to --record and --etl");
    if (o->in.mode == CLI_MODE_ETL && !count_given)
        o->count = ETL_DEFAULT_COUNT;
    if (optind >= argc)
        return cli_usage_error("explain", "no FILE given");
    if (optind + 1 < argc)
        return cli_usage_error("explain", "one FILE at a time ('%s' is extra)", argv[optind + 1]);
    return 0;
}

/* No format given: is FILE (not standard input, which can be read once) an .etl? 1, 0 or -1. */
static int looks_etl(const char *path)
{
    cli_stream in;
    if (strcmp(path, "-") == 0)
        return 0;
    if (cli_stream_open(&in, path) != 0)
        return -1;
    int etl = cli_stream_looks_etl(&in);
    cli_stream_close(&in);
    return etl;
}

static const palette *choose_palette(const explain_opts *o)
{
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    if (o->no_color || o->in.json || (no_color != NULL && *no_color != '\0') ||
        (term != NULL && strcmp(term, "dumb") == 0) || !isatty(STDOUT_FILENO))
        return &colour_off;
    return &colour_on;
}

int cli_explain_main(int argc, char **argv)
{
    explain_opts o = {cli_input_defaults(), 0, 1, 0, NULL, 18, NULL};
    int rc = parse_explain_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_CLEAN : rc;
    o.pal = choose_palette(&o);
    const char *path = argv[optind];
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (o.in.mode == CLI_MODE_AUTO && (rc = looks_etl(path)) != 0) {
        if (rc < 0)
            return CLI_EXIT_USAGE;
        o.in.mode = CLI_MODE_ETL, o.count = ETL_DEFAULT_COUNT;
    }
    if (o.in.mode == CLI_MODE_ETL) {
        o.label_width = 26;
        rc = explain_etl_file(&o, path, name);
        if (cli_close_output(stdout, "<stdout>") != 0)
            return CLI_EXIT_USAGE;
        return rc;
    }
    cli_stream in;
    if (cli_stream_open(&in, path) != 0)
        return CLI_EXIT_USAGE;
    rc = explain_stream(&o, &in);
    cli_stream_close(&in);
    if (cli_close_output(stdout, "<stdout>") != 0)
        return CLI_EXIT_USAGE;
    return rc;
}
