/*
 * cmd_gen.c - `heapev gen`: its options and the class listing. The events,
 * the traces, the file names and the manifests come from the generator
 * library (gen/, heapev/gen_etl.h, heapev/emit.h); gen_out.c writes them.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gen.h"
#include "heapev/emit.h"
#include "options.h"

#define GEN_DEFAULT_SEED 1u
#define GEN_DEFAULT_COUNT 1000u
#define GEN_DEFAULT_WOW64 0.2
#define GEN_MIN_BUFFER 1024u

void cli_gen_usage(FILE *out)
{
    fputs("usage: heapev gen [--seed S] [--count N] [--bits 32|64|mixed]\n"
          "                  [--format payload|record] [--malformed R] [--class NAME]...\n"
          "                  (--out DIR [--force|--append] | --stream)\n"
          "       heapev gen --format etl [--seed S] [--count N] [--bits 32|64]\n"
          "                  [--malformed R] [--class NAME]... [--noise R]\n"
          "                  [--buffer-size N] [--manifest PATH] [--manifest-full]\n"
          "                  [--wow64 R] [--style win10|win7] [--compress]\n"
          "                  --out FILE.etl\n"
          "       heapev gen --list-classes [--format etl] [--json]\n"
          "\n"
          "Generate heap Alloc events from a modelled process, a fraction of them damaged\n"
          "by malformation classes, each labelled with the findings a decoder must report.\n"
          "The same arguments give the same bytes on every host. With --format etl, --out\n"
          "FILE is one .etl trace of --count heap Alloc events (in SYSTEM, COMPACT and\n"
          "PERFINFO headers, drawn per event) and its manifest lists the events and\n"
          "container items a reader must return, in its order, then a summary line\n"
          "(compact: a header line, then short lines; --manifest-full: every field).\n"
          "\n",
          out);
    cli_print_options(out, CLI_CMD_GEN);
    fputs("\nExpected findings assume the default limits (32-bit user limit 0x7FFEFFFF).\n"
          "docs/GENERATOR.md describes the classes and the manifest.\n",
          out);
}

/* ---- --list-classes: one catalogue, one listing -------------------------------------- */

static const char *stage_name(heapev_gen_stage s)
{
    static const char *const names[] = {"event", "bytes", "container", "none"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static json_t *names_json(unsigned mask, const char *const *names, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        if (mask >> i & 1u)
            json_array_append_new(a, json_string(names[i]));
    return a;
}

static json_t *class_json(const heapev_gen_class *c)
{
    static const char *const formats[] = {"payload", "record", "etl"};
    static const char *const traces[] = {"plain", "compressed"};
    json_t *o = json_object(), *bits = json_array();
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "description", json_string(c->description));
    json_object_set_new(o, "how", json_string(c->how));
    json_object_set_new(o, "stage", json_string(stage_name(c->stage)));
    json_object_set_new(o, "formats", names_json(c->formats, formats, 3));
    if (c->widths & HEAPEV_GEN_WIDTH_32)
        json_array_append_new(bits, json_integer(32));
    if (c->widths & HEAPEV_GEN_WIDTH_64)
        json_array_append_new(bits, json_integer(64));
    json_object_set_new(o, "bits", bits);
    if (c->stage == HEAPEV_GEN_STAGE_CONTAINER)
        json_object_set_new(o, "traces", names_json(c->traces, traces, 2));
    json_object_set_new(o, "expected_findings", heapev_emit_findings_json(c->findings));
    return o;
}

static void class_text(const heapev_gen_class *c)
{
    static const char *const formats[] = {"payload", "record", "etl"};
    char names[512], where[64] = "";
    heapev_findings_format(c->findings, ",", names, sizeof names);
    for (unsigned i = 0; i < 3; i++)
        if (c->formats >> i & 1u)
            snprintf(where + strlen(where), sizeof where - strlen(where), "%s%s",
                     where[0] ? "," : "", formats[i]);
    printf("%-32s %-18s %s\n    %s\n", c->name, where, c->findings ? names : "none",
           c->description);
    if (c->stage == HEAPEV_GEN_STAGE_CONTAINER)
        printf("    traces: %s%s\n",
               c->traces == HEAPEV_GEN_ETL_PLAIN ? "plain"
               : c->traces == HEAPEV_GEN_ETL_COMPRESSED ? "compressed" : "plain, compressed",
               c->widths == HEAPEV_GEN_WIDTH_64 ? ", 64-bit" : "");
    printf("    how: %s\n", c->how);
}

/* The rows of the catalogue for --format etl (usable in a trace) or payload/record. */
static int list_classes(int etl, int json)
{
    unsigned want = etl ? HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_ETL)
                        : HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_PAYLOAD) |
                              HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_RECORD);
    for (size_t i = 0; i < heapev_gen_class_count(); i++) {
        const heapev_gen_class *c = heapev_gen_class_get(i);
        if (!(c->formats & want))
            continue;
        if (!json) {
            class_text(c);
            continue;
        }
        json_t *o = class_json(c);
        int rc = cli_json_print_line(stdout, o);
        json_decref(o);
        if (rc != 0)
            break;
    }
    return cli_close_output(stdout, "<stdout>") != 0 ? CLI_EXIT_USAGE : CLI_EXIT_CLEAN;
}

/* ---- options ------------------------------------------------------------------------- */

typedef struct gen_parse {
    gen_opts o;
    int list, json, bits_given, malformed_given, wow64_given;
    const char *etl_only; /* the first --format etl option given, for the error */
} gen_parse;

/* @p max is a double parameter: rounded to double, whatever the host's excess precision. */
static int parse_fraction(const char *text, double max, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || v < 0.0 || v > max)
        return -1;
    *out = v;
    return 0;
}

static int fraction(const char *opt, const char *arg, double max, double *out)
{
    return parse_fraction(arg, max, out) == 0
               ? 0 : cli_usage_error("gen", "%s takes a fraction 0..%g, not '%s'", opt, max, arg);
}

static int parse_class(gen_parse *p, const char *arg)
{
    int k = heapev_gen_class_find(arg);
    const heapev_gen_class *c = k >= 0 ? heapev_gen_class_get((size_t)k) : NULL;
    if (c == NULL)
        return cli_usage_error("gen", "no class '%s' (see 'heapev gen --list-classes')", arg);
    if (c->stage == HEAPEV_GEN_STAGE_NONE)
        return cli_usage_error("gen", "'%s' damages nothing: events that no class damages are "
                                      "%s (--malformed below 1)", arg, arg);
    if (c->stage != HEAPEV_GEN_STAGE_CONTAINER) {
        p->o.gen.enabled |= (heapev_gen_classes)1 << k;
        return 0;
    }
    if (p->o.trace.container >= 0 && p->o.trace.container != k)
        return cli_usage_error("gen", "one container class per trace ('%s' and '%s')",
                               heapev_gen_class_get((size_t)p->o.trace.container)->name, arg);
    p->o.trace.container = k;
    return 0;
}

static int parse_bits(gen_parse *p, const char *arg)
{
    p->bits_given = 1;
    if (strcmp(arg, "32") != 0 && strcmp(arg, "64") != 0 && strcmp(arg, "mixed") != 0)
        return cli_usage_error("gen", "--bits takes 32, 64 or mixed, not '%s'", arg);
    p->o.gen.width = arg[0] == '3' ? 4u : arg[0] == '6' ? 8u : 0u;
    return 0;
}

static int parse_format(gen_parse *p, const char *arg)
{
    if (strcmp(arg, "payload") != 0 && strcmp(arg, "record") != 0 && strcmp(arg, "etl") != 0)
        return cli_usage_error("gen", "--format takes payload, record or etl, not '%s'", arg);
    p->o.gen.format = arg[0] == 'p' ? HEAPEV_GEN_FORMAT_PAYLOAD : HEAPEV_GEN_FORMAT_RECORD;
    p->o.etl = arg[0] == 'e';
    return 0;
}

static int parse_buffer_size(gen_opts *o, const char *arg)
{
    uint64_t v;
    if (cli_parse_u64(arg, HEAPEV_ETL_MAX_BUFFER_SIZE, &v) != 0 || v < GEN_MIN_BUFFER || v % 8 != 0)
        return cli_usage_error("gen", "--buffer-size takes a multiple of 8 in 1024..16777216, "
                                      "not '%s'", arg);
    o->trace.buffer_size = (uint32_t)v;
    return 0;
}

static int parse_style(gen_opts *o, const char *arg)
{
    if (strcmp(arg, "win10") != 0 && strcmp(arg, "win7") != 0)
        return cli_usage_error("gen", "--style takes win10 or win7, not '%s'", arg);
    o->trace.style = strcmp(arg, "win7") == 0 ? HEAPEV_ETL_STYLE_WIN7 : HEAPEV_ETL_STYLE_WIN10;
    return 0;
}

/* The name of option @p key in the table ("--noise"). */
static const char *option_name(int key)
{
    static char name[64];
    for (const cli_option *o = cli_options; o->name != NULL; o++)
        if (o->key == key && (o->commands & CLI_CMD_GEN)) {
            snprintf(name, sizeof name, "--%s", o->name);
            break;
        }
    return name;
}

/* An option of --format etl only: remember the first one for a later usage error. */
static int etl_option(gen_parse *p, int key, const char *arg)
{
    if (p->etl_only == NULL)
        p->etl_only = option_name(key);
    switch (key) {
    case CLI_OPT_NOISE: return fraction("--noise", arg, 0.99, &p->o.trace.noise);
    case CLI_OPT_WOW64: p->wow64_given = 1; return fraction("--wow64", arg, 0.9, &p->o.trace.wow64);
    case CLI_OPT_STYLE: return parse_style(&p->o, arg);
    case CLI_OPT_COMPRESS: p->o.trace.compress = 1; return 0;
    case CLI_OPT_BUFFER_SIZE: return parse_buffer_size(&p->o, arg);
    case CLI_OPT_MANIFEST_FULL: p->o.manifest_full = 1; return 0;
    default:
        if (*arg == '\0')
            return cli_usage_error("gen", "--manifest takes a path, not ''");
        p->o.manifest = arg;
        return 0;
    }
}

static int parse_option(gen_parse *p, int key, const char *arg, char **argv)
{
    gen_opts *o = &p->o;
    switch (key) {
    case CLI_OPT_SEED:
        return cli_parse_u64(arg, UINT64_MAX, &o->gen.seed) == 0
                   ? 0 : cli_usage_error("gen", "--seed takes an unsigned 64-bit number, not '%s'", arg);
    case CLI_OPT_COUNT:
        return cli_parse_u64(arg, UINT64_MAX, &o->count) == 0
                   ? 0 : cli_usage_error("gen", "--count takes a number, not '%s'", arg);
    case CLI_OPT_BITS: return parse_bits(p, arg);
    case CLI_OPT_FORMAT: return parse_format(p, arg);
    case CLI_OPT_MALFORMED: p->malformed_given = 1; return fraction("--malformed", arg, 1.0, &o->gen.malformed);
    case CLI_OPT_CLASS: return parse_class(p, arg);
    case CLI_OPT_OUT:
        if (*arg == '\0')
            return cli_usage_error("gen", "--out takes a path, not ''");
        o->out = arg;
        return 0;
    case CLI_OPT_STREAM: o->stream = 1; return 0;
    case CLI_OPT_FORCE: o->force = 1; return 0;
    case CLI_OPT_APPEND: o->append = 1; return 0;
    case CLI_OPT_LIST_CLASSES: p->list = 1; return 0;
    case CLI_OPT_JSON: p->json = 1; return 0;
    case CLI_OPT_NOISE: case CLI_OPT_WOW64: case CLI_OPT_STYLE: case CLI_OPT_COMPRESS:
    case CLI_OPT_BUFFER_SIZE: case CLI_OPT_MANIFEST: case CLI_OPT_MANIFEST_FULL:
        return etl_option(p, key, arg);
    case CLI_OPT_HELP: cli_gen_usage(stdout); return -1;
    default: return cli_getopt_error("gen", key, argv);
    }
}

/*
 * The event classes must fit the output: one of them must apply to its format
 * and width. Naming classes makes every event malformed unless --malformed says.
 */
static int check_event_classes(gen_opts *o, int malformed_given)
{
    if (o->gen.enabled != 0 && !malformed_given)
        o->gen.malformed = 1.0;
    heapev_gen probe;
    heapev_gen_options go = o->gen;
    if (o->etl && go.enabled == 0)
        go.enabled = heapev_gen_etl_event_classes();
    if (heapev_gen_init(&probe, &go) == 0)
        return 0;
    return cli_usage_error("gen", "no selected class applies to --format %s --bits %s",
                           o->etl ? "etl" : go.format == HEAPEV_GEN_FORMAT_RECORD ? "record" : "payload",
                           go.width == 4 ? "32" : go.width == 8 ? "64" : "mixed");
}

static int check_container(const gen_opts *o)
{
    const heapev_gen_class *c = heapev_gen_class_get((size_t)o->trace.container);
    unsigned trace = o->trace.compress ? HEAPEV_GEN_ETL_COMPRESSED : HEAPEV_GEN_ETL_PLAIN;
    if (!(c->traces & trace))
        return cli_usage_error("gen", "class '%s' applies to %s traces only", c->name,
                               o->trace.compress ? "uncompressed" : "compressed (--compress)");
    if (!(c->widths & HEAPEV_GEN_WIDTH_BIT(o->trace.width)))
        return cli_usage_error("gen", "class '%s' applies to --bits %s traces only", c->name,
                               o->trace.width == 8 ? "32" : "64");
    return 0;
}

static int check_trace(gen_parse *p)
{
    gen_opts *o = &p->o;
    if (o->stream || o->out == NULL)
        return cli_usage_error("gen", "--format etl writes a file: give --out FILE (no --stream: "
                                      "buffer 0 is written last, the file must be seekable)");
    if (p->bits_given && o->gen.width == 0)
        return cli_usage_error("gen", "--format etl takes --bits 32 or 64: a trace's PointerSize "
                                      "fixes one width (mixed makes no sense)");
    o->trace.width = o->gen.width = p->bits_given ? o->gen.width : 8u;
    if (p->wow64_given && o->trace.wow64 > 0.0 && o->trace.width != 8)
        return cli_usage_error("gen", "--wow64 applies to 64-bit traces (--bits 64)");
    if (!p->wow64_given && o->trace.width == 8)
        o->trace.wow64 = GEN_DEFAULT_WOW64;
    for (size_t i = 0; i < heapev_gen_well_formed_index(); i++)
        if ((o->gen.enabled >> i & 1u) && !(heapev_gen_etl_event_classes() >> i & 1u))
            return cli_usage_error("gen", "class '%s' cannot occur inside a trace (it breaks the "
                                          "record framing or is not a heap Alloc: see "
                                          "'heapev gen --list-classes --format etl')",
                                   heapev_gen_class_get(i)->name);
    if (o->trace.container >= 0 && check_container(o) != 0)
        return CLI_EXIT_USAGE;
    if (check_event_classes(o, p->malformed_given) != 0)
        return CLI_EXIT_USAGE;
    o->trace.seed = o->gen.seed, o->trace.count = o->count;
    o->trace.malformed = o->gen.malformed, o->trace.enabled = o->gen.enabled;
    return 0;
}

static int check_opts(gen_parse *p)
{
    gen_opts *o = &p->o;
    if (p->list)
        return o->etl || o->trace.container < 0
                   ? 0 : cli_usage_error("gen", "container classes need --format etl");
    if (p->json)
        return cli_usage_error("gen", "--json applies to --list-classes");
    if (o->force && o->append)
        return cli_usage_error("gen", "give --force or --append, not both");
    if ((o->force || o->append) && (o->etl || o->stream))
        return cli_usage_error("gen", "--%s applies to --out DIR (a trace file is replaced whole)",
                               o->force ? "force" : "append");
    if (o->etl)
        return check_trace(p);
    if (o->trace.container >= 0)
        return cli_usage_error("gen", "container class '%s' needs --format etl",
                               heapev_gen_class_get((size_t)o->trace.container)->name);
    if (p->etl_only != NULL)
        return cli_usage_error("gen", "%s needs --format etl", p->etl_only);
    if ((o->out != NULL) == o->stream)
        return cli_usage_error("gen", "give exactly one of --out DIR and --stream");
    if (check_event_classes(o, p->malformed_given) != 0)
        return CLI_EXIT_USAGE;
    if (o->stream && o->gen.format == HEAPEV_GEN_FORMAT_PAYLOAD && o->gen.width == 0)
        return cli_usage_error("gen", "--stream of bare payloads of mixed widths (16 and 28 bytes "
                                      "back to back) cannot be split again: give --bits 32 or 64, "
                                      "or --format record");
    return 0;
}

int cli_gen_main(int argc, char **argv)
{
    gen_parse p;
    memset(&p, 0, sizeof p);
    p.o.gen = (heapev_gen_options){.seed = GEN_DEFAULT_SEED, .format = HEAPEV_GEN_FORMAT_PAYLOAD};
    p.o.count = GEN_DEFAULT_COUNT;
    p.o.trace.container = -1;
    p.o.trace.buffer_size = HEAPEV_ETL_DEFAULT_BUFFER_SIZE;
    const struct option *longopts = cli_longopts(CLI_CMD_GEN);
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
        if ((rc = parse_option(&p, c, optarg, argv)) != 0)
            return rc < 0 ? CLI_EXIT_CLEAN : rc;
    if (optind < argc)
        return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
    if ((rc = check_opts(&p)) != 0)
        return rc;
    if (p.list)
        return list_classes(p.o.etl, p.json);
    if (p.o.etl)
        return gen_run_trace(&p.o);
    return p.o.stream ? gen_run_stream(&p.o) : gen_run_files(&p.o);
}
