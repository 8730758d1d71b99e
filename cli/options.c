/* options.c - the one option table, its getopt arrays and usage lists, and the shared input options. */
#include "options.h"

#include <string.h>

#include "cli.h"

#define D CLI_CMD_DECODE
#define E CLI_CMD_EXPLAIN
#define S CLI_CMD_STATS
#define G CLI_CMD_GEN
#define F CLI_CMD_FINDINGS
#define P CLI_CMD_PROBE
#define ALL_CMDS (D | E | S | G | F | P)
#define HELP_COLUMN 21u /* where help text starts */
#define MAX_ROWS 64u

const cli_option cli_options[] = {
    {"payload", NULL, D, CLI_OPT_PAYLOAD, "each FILE is one bare payload (default)"},
    {"payload", NULL, E, CLI_OPT_PAYLOAD, "FILE (from --offset on) is one bare payload (default)"},
    {"payload", NULL, S, CLI_OPT_PAYLOAD,
     "each file is one bare payload (default without a manifest)"},
    {"record", NULL, D, CLI_OPT_RECORD,
     "each FILE is records back to back (SYSTEM_TRACE_HEADER +\n"
     "payload), each announcing its Size; one event per record"},
    {"record", NULL, E, CLI_OPT_RECORD,
     "explain the record (SYSTEM_TRACE_HEADER + payload) at\n"
     "--offset, e.g. an offset 'heapev decode --record|--etl'\n"
     "printed; the HeaderType gives the width"},
    {"record", NULL, S, CLI_OPT_RECORD, "each file is records back to back"},
    {"etl", NULL, D, CLI_OPT_ETL,
     "each FILE is an .etl trace: every heap Alloc record is an\n"
     "event (with its buffer index); container defects are\n"
     "reported as 'container' items; read buffer by buffer"},
    {"etl", NULL, E, CLI_OPT_ETL,
     "FILE is an .etl trace: for each buffer its\n"
     "WMI_BUFFER_HEADER, in buffer 0 the logfile header record,\n"
     "then every heap Alloc record; other records get one summary\n"
     "line each; container findings sit under the fields that\n"
     "cause them"},
    {"etl", NULL, S, CLI_OPT_ETL, "each file is an .etl trace"},
    {"summary", NULL, D, CLI_OPT_SUMMARY,
     "with --etl: only one line per FILE with the counts of\n"
     "buffers, events, skipped records, findings and notes"},
    {"threads", "N", D, CLI_OPT_THREADS,
     "with --etl: read the buffers of an uncompressed trace file\n"
     "on N threads (default: the processors online, at most 8);\n"
     "the output is the same for every N"},
    {"count", "N", E, CLI_OPT_COUNT,
     "with --record: explain N records back to back (default 1, 0\n"
     "= every record to the end of FILE); with --etl: N buffers\n"
     "(default 2, 0 = all)"},
    {"offset", "N", E, CLI_OPT_OFFSET,
     "start at byte N of FILE (decimal or 0x hex); with --etl: at\n"
     "the buffer holding byte N"},
    {"bits", "32|64", D | E, CLI_OPT_BITS,
     "payload pointer width (default: infer from 16/28 bytes)"},
    {"bits", "32|64", S, CLI_OPT_BITS,
     "payload pointer width (default: the manifest's, else infer)"},
    {"json", NULL, D, CLI_OPT_JSON, "one JSON object per event (JSON Lines)"},
    {"json", NULL, E, CLI_OPT_JSON,
     "a JSON list of ranges {offset, length, available, field,\n"
     "part, item, value, meaning, findings}; offsets are file\n"
     "offsets; with --etl 'buffer' (the buffer index) replaces\n"
     "'item' and a skipped record is one range"},
    {"json", NULL, S, CLI_OPT_JSON, "one JSON object instead of text"},
    {"no-color", NULL, E, CLI_OPT_NO_COLOR,
     "no colour (also when stdout is not a terminal or NO_COLOR\n"
     "is set)"},
    {"no-colour", NULL, E, CLI_OPT_NO_COLOR, NULL},
    {"html", "FILE", S, CLI_OPT_HTML,
     "also write the report as one self-contained HTML page\n"
     "(charts in inline SVG; replaced atomically)"},
    {"user-max-32", "ADDR", D | E | S, CLI_OPT_USER_MAX_32,
     "highest 32-bit user address for range checks (default\n"
     "0x7FFEFFFF; 0xBFFEFFFF /3GB, 0xFFFEFFFF WOW64)"},
    {"user-max-wow64", "ADDR", D | E | S, CLI_OPT_USER_MAX_WOW64,
     "with --etl: the same for the 32-bit records of a 64-bit\n"
     "trace (WOW64 processes; default 0xFFFEFFFF)"},
    {"seed", "S", G, CLI_OPT_SEED, "seed (default 1; printed on stderr)"},
    {"count", "N", G, CLI_OPT_COUNT, "number of events (default 1000)"},
    {"bits", "B", G, CLI_OPT_BITS,
     "producer pointer width: 32, 64 or mixed (default mixed;\n"
     "with --format etl the trace's PointerSize, 32 or 64,\n"
     "default 64)"},
    {"format", "F", G, CLI_OPT_FORMAT,
     "payload (bare payloads, default), record\n"
     "(SYSTEM_TRACE_HEADER + payload) or etl (one .etl trace)"},
    {"malformed", "R", G, CLI_OPT_MALFORMED,
     "fraction of malformed events, 0..1 (default 0, or 1 with\n"
     "--class)"},
    {"class", "NAME", G, CLI_OPT_CLASS,
     "malformed events use only these classes (repeatable); with\n"
     "--format etl also at most one container class (etl_*)"},
    {"out", "PATH", G, CLI_OPT_OUT,
     "a directory: one file per distinct event, PATH/<XXH128\n"
     "hex>.bin, and PATH/manifest.jsonl with one line per event;\n"
     "with --format etl: the .etl file, and PATH.manifest.jsonl"},
    {"force", NULL, G, CLI_OPT_FORCE,
     "--out DIR that is not empty: remove the files its manifest\n"
     "lists and the manifest, then write (other files stay)"},
    {"append", NULL, G, CLI_OPT_APPEND,
     "--out DIR that is not empty: keep its files and manifest\n"
     "lines, add this run's"},
    {"stream", NULL, G, CLI_OPT_STREAM, "all events back to back on standard output"},
    {"list-classes", NULL, G, CLI_OPT_LIST_CLASSES,
     "print the malformation classes and their findings (with\n"
     "--format etl: those usable in a trace and the container\n"
     "ones)"},
    {"json", NULL, G, CLI_OPT_JSON, "with --list-classes: one JSON object per class"},
    {"noise", "R", G, CLI_OPT_NOISE,
     "--format etl: fraction of noise records (Free, ReAlloc,\n"
     "Create, Destroy) among all records, 0..0.99 (default 0)"},
    {"wow64", "R", G, CLI_OPT_WOW64,
     "--format etl --bits 64: fraction of Alloc events from\n"
     "32-bit (WOW64) processes, in 32-bit headers, 0..0.9\n"
     "(default 0.2)"},
    {"style", "S", G, CLI_OPT_STYLE,
     "--format etl: win10 (default: header-extension records,\n"
     "processor-index buffer flags) or win7 (SavedOffset 0)"},
    {"compress", NULL, G, CLI_OPT_COMPRESS,
     "--format etl: a compressed trace as pktmon writes it:\n"
     "buffer 0 plain and short, the others LZXpress-compressed"},
    {"buffer-size", "N", G, CLI_OPT_BUFFER_SIZE,
     "--format etl: buffer size, multiple of 8, 1024..16 MiB\n"
     "(default 65536)"},
    {"manifest", "PATH", G, CLI_OPT_MANIFEST,
     "--format etl: where the manifest goes (default\n"
     "FILE.manifest.jsonl)"},
    {"manifest-full", NULL, G, CLI_OPT_MANIFEST_FULL,
     "--format etl: every field of every event in the manifest\n"
     "(default: compact, a header line then short lines)"},
    {"json", NULL, F, CLI_OPT_JSON, "one JSON object per finding (JSON Lines)"},
    {"markdown", NULL, F, CLI_OPT_MARKDOWN, "a Markdown table (docs/FINDINGS.md is this output)"},
    {"timeout", "T", P, CLI_OPT_TIMEOUT,
     "seconds one run of the reader may take (required); then\n"
     "its process group gets SIGTERM, 1 s later SIGKILL: hung"},
    {"exec", "CMD", P, CLI_OPT_EXEC,
     "the reader, run by /bin/sh -c for each input: {} is the\n"
     "input file's path (quoted), {bits} the payload width to\n"
     "read it with (32, 64 or auto)"},
    {"stdin", NULL, P, CLI_OPT_STDIN, "give each input on standard input (CMD needs no {})"},
    {"format", "F", P, CLI_OPT_FORMAT,
     "etl (default: whole .etl traces), record\n"
     "(SYSTEM_TRACE_HEADER + payload) or payload"},
    {"class", "NAME", P, CLI_OPT_CLASS,
     "probe only these classes (repeatable; default every class\n"
     "of the format, well_formed included)"},
    {"count", "N", P, CLI_OPT_COUNT, "inputs per class (default 20)"},
    {"seed", "S", P, CLI_OPT_SEED, "seed (default 1): the same seed gives the same inputs"},
    {"jobs", "N", P, CLI_OPT_JOBS, "run N readers at a time (default 1)"},
    {"adapter", "A", P, CLI_OPT_ADAPTER,
     "the reader prints its Allocs as jsonl (one JSON object\n"
     "each) or csv; they are compared with the input's: a clean\n"
     "exit with a missing or wrong one is misread"},
    {"field", "NAME=KEY", P, CLI_OPT_FIELD,
     "the reader's key (csv: column name or number) for\n"
     "heap_handle, size, address or source (default: the same\n"
     "name); an empty KEY leaves the field out (repeatable)"},
    {"crash-exit", "LIST", P, CLI_OPT_CRASH_EXIT,
     "exit statuses that are crashes, e.g. 3,70-79 (besides\n"
     "132-136, 139: a signal reported by the shell)"},
    {"json", NULL, P, CLI_OPT_JSON, "the report as one JSON object instead of the table"},
    {"html", "FILE", P, CLI_OPT_HTML, "also write the report as one HTML page (atomically)"},
    {"repro-dir", "DIR", P, CLI_OPT_REPRO_DIR,
     "where the reproducers go (default probe-repro): one\n"
     "CLASS-XXH128 file per class that fails its expectation"},
    {"minimize-time", "S", P, CLI_OPT_MINIMIZE_TIME,
     "seconds to shrink each reproducer while its verdict holds\n"
     "(default 10; 0 keeps the input as generated)"},
    {"max-output", "N", P, CLI_OPT_MAX_OUTPUT,
     "stdout bytes kept per run (default 8M; K, M, G suffixes)"},
    {"max-file-size", "N", P, CLI_OPT_MAX_FILE_SIZE,
     "largest file the reader may write (RLIMIT_FSIZE, default\n"
     "64M)"},
    {"max-memory", "N", P, CLI_OPT_MAX_MEMORY,
     "address space of the reader (RLIMIT_AS; default none)"},
    {NULL, NULL, 0, 0, NULL},
};

/* The index of command bit @p cmd (0 for CLI_CMD_DECODE ...). */
static unsigned cmd_index(unsigned cmd)
{
    unsigned i = 0;
    while (cmd > 1u)
        cmd >>= 1, i++;
    return i;
}

const struct option *cli_longopts(unsigned cmd)
{
    static struct option arrays[6][MAX_ROWS + 2];
    struct option *a = arrays[cmd_index(cmd)];
    size_t n = 0;
    for (const cli_option *o = cli_options; o->name != NULL && n < MAX_ROWS; o++)
        if (o->commands & cmd)
            a[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->key};
    a[n++] = (struct option){"help", no_argument, NULL, CLI_OPT_HELP};
    a[n] = (struct option){NULL, 0, NULL, 0};
    return a;
}

/* One option: "  --name ARG" then its help lines at HELP_COLUMN. */
static void print_option(FILE *out, const char *name, const char *arg, const char *help)
{
    int n = fprintf(out, "  %s%s%s", name, arg ? " " : "", arg ? arg : "");
    if (n >= (int)HELP_COLUMN) { /* a long name: its help starts on the next line */
        fputc('\n', out);
        n = 0;
    }
    for (const char *line = help; line != NULL && *line != '\0';) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        fprintf(out, "%*s%.*s\n", (int)HELP_COLUMN - n, "", len, line);
        n = 0;
        line = nl ? nl + 1 : line + len;
    }
}

void cli_print_options(FILE *out, unsigned cmd)
{
    char name[64];
    for (const cli_option *o = cli_options; o->name != NULL; o++) {
        if (!(o->commands & cmd) || o->help == NULL)
            continue;
        snprintf(name, sizeof name, "--%s", o->name);
        print_option(out, name, o->arg, o->help);
    }
    print_option(out, "-h, --help", NULL, "this help");
}

cli_input cli_input_defaults(void)
{
    cli_input in = {CLI_MODE_AUTO, HEAPEV_WIDTH_INFER, 0, heapev_limits_default()};
    return in;
}

static const char *mode_flag(cli_mode m)
{
    return m == CLI_MODE_PAYLOAD ? "--payload" : m == CLI_MODE_RECORD ? "--record" : "--etl";
}

/* --payload, --record, --etl: one each, or the same one again. */
static int set_mode(const char *cmd, cli_input *in, cli_mode m)
{
    if (in->mode != CLI_MODE_AUTO && in->mode != m)
        return cli_usage_error(cmd, "give one of --payload, --record, --etl (%s and %s)",
                               mode_flag(in->mode), mode_flag(m));
    in->mode = m;
    return 1;
}

int cli_input_option(const char *cmd, int key, const char *arg, cli_input *in)
{
    switch (key) {
    case CLI_OPT_PAYLOAD: return set_mode(cmd, in, CLI_MODE_PAYLOAD);
    case CLI_OPT_RECORD: return set_mode(cmd, in, CLI_MODE_RECORD);
    case CLI_OPT_ETL: return set_mode(cmd, in, CLI_MODE_ETL);
    case CLI_OPT_JSON: in->json = 1; return 1;
    case CLI_OPT_BITS:
        if (strcmp(arg, "32") != 0 && strcmp(arg, "64") != 0)
            return cli_usage_error(cmd, "--bits takes 32 or 64, not '%s'", arg);
        in->width = arg[0] == '3' ? 4u : 8u;
        return 1;
    case CLI_OPT_USER_MAX_32:
        return cli_parse_user_max(cmd, "--user-max-32", arg, &in->limits.user_max_32) == 0
                   ? 1 : CLI_EXIT_USAGE;
    case CLI_OPT_USER_MAX_WOW64:
        return cli_parse_user_max(cmd, "--user-max-wow64", arg, &in->limits.user_max_wow64) == 0
                   ? 1 : CLI_EXIT_USAGE;
    default: return 0;
    }
}

int cli_input_check_bits(const char *cmd, const cli_input *in, int auto_is_payload)
{
    int payload = in->mode == CLI_MODE_PAYLOAD || (auto_is_payload && in->mode == CLI_MODE_AUTO);
    if (in->width != HEAPEV_WIDTH_INFER && !payload)
        return cli_usage_error(cmd, "--bits applies to --payload (a record's HeaderType fixes "
                                    "its width)");
    return 0;
}

int cli_getopt_error(const char *cmd, int c, char **argv)
{
    const char *opt = optind > 0 ? argv[optind - 1] : "?";
    if (c == ':')
        return cli_usage_error(cmd, "option '%s' needs an argument", opt);
    return cli_usage_error(cmd, "unknown option '%s'", opt);
}
