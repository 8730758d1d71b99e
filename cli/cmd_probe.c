/*
 * cmd_probe.c - `heapev probe`: its options, then the run (probe_run.c) and
 * the reports (probe_report.c, probe_html.c). Exit status: 0 when every
 * class meets its expectation, 1 when one does not, 2 for a usage or I/O
 * error, 128 + N when signal N stopped the run.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "probe.h"

#define DEFAULT_COUNT 20u
#define DEFAULT_MINIMIZE 10.0
#define DEFAULT_MAX_OUTPUT (8u << 20)
#define DEFAULT_MAX_FILE (64u << 20)
#define MAX_STDERR (64u << 10)
#define GRACE_SECONDS 1.0
#define MAX_JOBS 256u
#define MAX_TIMEOUT 86400.0

void cli_probe_usage(FILE *out)
{
    fputs("usage: heapev probe --timeout T --exec 'CMD {}' [--format etl|record|payload]\n"
          "                    [--class NAME]... [--count N] [--seed S] [--jobs N]\n"
          "                    [--adapter jsonl|csv [--field NAME=KEY]...] [--crash-exit LIST]\n"
          "                    [--json] [--html FILE] [--repro-dir DIR] [--minimize-time S]\n"
          "       heapev probe --timeout T --stdin --exec CMD ...\n"
          "\n"
          "Run a trace reader, any program, as a black box on inputs the generator makes,\n"
          "well-formed and from every malformation class of the format, and give each run a\n"
          "verdict: crashed (a signal, a sanitizer report, an uncaught exception: Python,\n"
          ".NET, Go, Rust, Java), hung (past --timeout), rejected (a failing exit), misread\n"
          "(with --adapter: a clean exit whose Allocs differ from the input's) or ok. A class\n"
          "meets its expectation when every input does: ok where it has no finding or only\n"
          "notes, ok or rejected where it has anomalies or errors; crashed, hung and misread\n"
          "never do. Each reader runs in its own process group, with output caps, file-size\n"
          "and CPU limits and a TMPDIR inside one temporary directory removed at the end.\n"
          "\n",
          out);
    cli_print_options(out, CLI_CMD_PROBE);
    fputs("\nExit status: 0 every class meets its expectation, 1 one does not, 2 usage or\n"
          "I/O error. docs/PROBE.md has the rules and recipes for common runtimes.\n",
          out);
}

typedef struct probe_parse {
    probe_opts o;
    const char *classes[128];
    size_t nnames;
    int timeout_given;
} probe_parse;

/* A size: decimal or 0x hex, with an optional K, M or G (powers of 1024). */
static int parse_size(const char *opt, const char *arg, uint64_t min, uint64_t *out)
{
    char buf[64];
    size_t n = strlen(arg);
    unsigned shift = 0;
    if (n > 0 && n < sizeof buf && strchr("KkMmGg", arg[n - 1]) != NULL && arg[n - 1] != '\0')
        shift = arg[n - 1] == 'K' || arg[n - 1] == 'k' ? 10 : arg[n - 1] == 'M' || arg[n - 1] == 'm' ? 20 : 30, n--;
    snprintf(buf, sizeof buf, "%.*s", (int)n, arg);
    uint64_t v;
    if (n >= sizeof buf || cli_parse_u64(buf, UINT64_MAX >> 30, &v) != 0 || (v << shift) < min)
        return cli_usage_error("probe", "%s takes a size of at least %llu bytes (K, M, G allowed), "
                                        "not '%s'", opt, (unsigned long long)min, arg);
    *out = v << shift;
    return 0;
}

static int parse_seconds(const char *opt, const char *arg, double min, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno != 0 || end == arg || *end != '\0' || !isfinite(v) || v < min || v > MAX_TIMEOUT ||
        (min > 0 && v == min))
        return cli_usage_error("probe", "%s takes seconds, %s0..%g, not '%s'", opt,
                               min > 0 ? "above " : "", MAX_TIMEOUT, arg);
    *out = v;
    return 0;
}

/* --crash-exit 3,70-79: statuses 1..255. */
static int parse_crash_exit(probe_opts *o, const char *arg)
{
    const char *p = arg;
    while (*p != '\0') {
        char *end;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (end == p)
            break;
        if (*end == '-') {
            const char *q = end + 1;
            hi = strtoul(q, &end, 10);
            if (end == q)
                break;
        }
        if (lo < 1 || hi > 255 || lo > hi)
            break;
        for (unsigned long v = lo; v <= hi; v++)
            o->crash_exit[v] = 1;
        p = *end == ',' ? end + 1 : end;
        if (*end != ',' && *end != '\0')
            break;
        if (*end == '\0')
            return 0;
    }
    return cli_usage_error("probe", "--crash-exit takes exit statuses 1..255 and ranges, e.g. "
                                    "'3,70-79', not '%s'", arg);
}

static int parse_field(probe_opts *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    for (int f = 0; eq != NULL && f < PROBE_FIELDS; f++)
        if (strlen(probe_field_names[f]) == (size_t)(eq - arg) &&
            strncmp(arg, probe_field_names[f], (size_t)(eq - arg)) == 0) {
            o->adapter.field[f] = eq + 1;
            return 0;
        }
    return cli_usage_error("probe", "--field takes NAME=KEY with NAME heap_handle, size, address "
                                    "or source, not '%s'", arg);
}

static int parse_option(probe_parse *p, int key, const char *arg, char **argv)
{
    probe_opts *o = &p->o;
    uint64_t v;
    switch (key) {
    case CLI_OPT_TIMEOUT: p->timeout_given = 1; return parse_seconds("--timeout", arg, 1e-9, &o->lim.timeout);
    case CLI_OPT_EXEC: o->exec = arg; return 0;
    case CLI_OPT_STDIN: o->use_stdin = 1; return 0;
    case CLI_OPT_FORMAT:
        if (strcmp(arg, "etl") != 0 && strcmp(arg, "record") != 0 && strcmp(arg, "payload") != 0)
            return cli_usage_error("probe", "--format takes etl, record or payload, not '%s'", arg);
        o->format = arg[0] == 'e' ? HEAPEV_GEN_FORMAT_ETL : arg[0] == 'r' ? HEAPEV_GEN_FORMAT_RECORD
                                                                          : HEAPEV_GEN_FORMAT_PAYLOAD;
        return 0;
    case CLI_OPT_CLASS:
        if (p->nnames == sizeof p->classes / sizeof p->classes[0])
            return cli_usage_error("probe", "too many --class options");
        p->classes[p->nnames++] = arg;
        return 0;
    case CLI_OPT_COUNT:
        return cli_parse_u64(arg, 10000000, &o->count) == 0 && o->count > 0
                   ? 0 : cli_usage_error("probe", "--count takes 1..10000000, not '%s'", arg);
    case CLI_OPT_SEED:
        return cli_parse_u64(arg, UINT64_MAX, &o->seed) == 0
                   ? 0 : cli_usage_error("probe", "--seed takes an unsigned 64-bit number, not '%s'", arg);
    case CLI_OPT_JOBS:
        if (cli_parse_u64(arg, MAX_JOBS, &v) != 0 || v == 0)
            return cli_usage_error("probe", "--jobs takes 1..%u, not '%s'", MAX_JOBS, arg);
        o->jobs = (unsigned)v;
        return 0;
    case CLI_OPT_ADAPTER:
        if (strcmp(arg, "jsonl") != 0 && strcmp(arg, "csv") != 0)
            return cli_usage_error("probe", "--adapter takes jsonl or csv, not '%s'", arg);
        o->adapter.kind = arg[0] == 'j' ? PROBE_ADAPTER_JSONL : PROBE_ADAPTER_CSV;
        return 0;
    case CLI_OPT_FIELD: return parse_field(o, arg);
    case CLI_OPT_CRASH_EXIT: return parse_crash_exit(o, arg);
    case CLI_OPT_JSON: o->json = 1; return 0;
    case CLI_OPT_HTML: o->html = arg; return 0;
    case CLI_OPT_REPRO_DIR: o->repro_dir = arg; return 0;
    case CLI_OPT_MINIMIZE_TIME: return parse_seconds("--minimize-time", arg, 0.0, &o->minimize_time);
    case CLI_OPT_MAX_OUTPUT: return parse_size("--max-output", arg, 4096, &v) ? CLI_EXIT_USAGE : (o->lim.max_stdout = (size_t)v, 0);
    case CLI_OPT_MAX_FILE_SIZE: return parse_size("--max-file-size", arg, 4096, &o->lim.max_file_size);
    case CLI_OPT_MAX_MEMORY: return parse_size("--max-memory", arg, 1u << 20, &o->lim.max_memory);
    case CLI_OPT_HELP: cli_probe_usage(stdout); return -1;
    default: return cli_getopt_error("probe", key, argv);
    }
}

/* The classes to probe, in catalogue order: those named, or every one of the format. */
static int pick_classes(probe_parse *p)
{
    probe_opts *o = &p->o;
    size_t n = heapev_gen_class_count();
    int *named = calloc(n, sizeof *named);
    o->classes = calloc(n, sizeof *o->classes);
    if (named == NULL || o->classes == NULL)
        return free(named), cli_error("probe", "out of memory");
    for (size_t i = 0; i < p->nnames; i++) {
        int k = heapev_gen_class_find(p->classes[i]);
        if (k < 0) {
            free(named);
            return cli_usage_error("probe", "no class '%s' (see 'heapev gen --list-classes')",
                                   p->classes[i]);
        }
        if (!probe_class_applies(o->format, (size_t)k)) {
            free(named);
            return cli_usage_error("probe", "class '%s' makes no %s inputs (see 'heapev gen "
                                            "--list-classes')", p->classes[i],
                                   o->format == HEAPEV_GEN_FORMAT_ETL ? "etl" : o->format ==
                                   HEAPEV_GEN_FORMAT_RECORD ? "record" : "payload");
        }
        named[k] = 1;
    }
    for (size_t i = 0; i < n; i++)
        if (probe_class_applies(o->format, i) && (p->nnames == 0 || named[i]))
            o->classes[o->nclasses++] = i;
    free(named);
    return 0;
}

/* An output path (a file, or @p want_dir a directory) must be one, or its directory must exist. */
static int check_output(const char *path, int want_dir)
{
    struct stat sb;
    char parent[HEAPEV_EMIT_PATH_MAX];
    if (stat(path, &sb) == 0) {
        if (want_dir && !S_ISDIR(sb.st_mode))
            return cli_error(path, "not a directory");
        if (!want_dir && S_ISDIR(sb.st_mode))
            return cli_error(path, "is a directory");
        return 0;
    }
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash == NULL)
        return 0;
    *(slash == parent ? slash + 1 : slash) = '\0';
    if (stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cli_error(path, "no such directory: %s", parent);
    return 0;
}

static int check_opts(probe_parse *p)
{
    probe_opts *o = &p->o;
    if (!p->timeout_given)
        return cli_usage_error("probe", "give --timeout T: the seconds after which a run is hung");
    if (o->exec == NULL)
        return cli_usage_error("probe", "give the reader: --exec 'CMD {}'");
    if (!o->use_stdin && strstr(o->exec, "{}") == NULL)
        return cli_usage_error("probe", "--exec needs {} where the input file goes, or --stdin");
    if (o->use_stdin && strstr(o->exec, "{}") != NULL)
        return cli_usage_error("probe", "--stdin gives the input on standard input: --exec takes no {}");
    for (int f = 0; f < PROBE_FIELDS; f++)
        if (o->adapter.field[f] != probe_field_names[f] && o->adapter.kind == PROBE_ADAPTER_NONE)
            return cli_usage_error("probe", "--field needs --adapter jsonl or csv");
    int compared = 0;
    for (int f = 0; f < PROBE_FIELDS; f++)
        compared += o->adapter.field[f][0] != '\0';
    if (compared == 0)
        return cli_usage_error("probe", "--field leaves no field to compare");
    if (o->html != NULL && check_output(o->html, 0) != 0)
        return CLI_EXIT_USAGE;
    if (check_output(o->repro_dir, 1) != 0)
        return CLI_EXIT_USAGE;
    return pick_classes(p);
}

static void on_signal(int sig)
{
    probe_stop_signal = sig;
}

static void catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
}

static int report(const probe_run *run)
{
    const probe_opts *o = run->o;
    if (o->json) {
        json_t *r = probe_report_json(run);
        int rc = cli_json_print_line(stdout, r);
        json_decref(r);
        if (rc != 0)
            return cli_error("<stdout>", "write error: %s", strerror(errno));
    } else {
        probe_report_text(stdout, run);
    }
    if (cli_close_output(stdout, "<stdout>") != 0)
        return CLI_EXIT_USAGE;
    return o->html != NULL ? probe_write_html(o->html, run) : 0;
}

int cli_probe_main(int argc, char **argv)
{
    probe_parse p;
    memset(&p, 0, sizeof p);
    probe_opts *o = &p.o;
    o->format = HEAPEV_GEN_FORMAT_ETL;
    o->count = DEFAULT_COUNT, o->seed = 1, o->jobs = 1;
    o->repro_dir = "probe-repro";
    o->minimize_time = DEFAULT_MINIMIZE;
    o->lim = (proc_limits){.grace = GRACE_SECONDS, .max_stdout = DEFAULT_MAX_OUTPUT,
                           .max_stderr = MAX_STDERR, .max_file_size = DEFAULT_MAX_FILE};
    for (int f = 0; f < PROBE_FIELDS; f++)
        o->adapter.field[f] = probe_field_names[f];
    static const int shell_signals[] = {4, 5, 6, 7, 8, 11}; /* ILL TRAP ABRT BUS FPE SEGV, as sh reports them */
    for (size_t i = 0; i < sizeof shell_signals / sizeof shell_signals[0]; i++)
        o->crash_exit[128 + shell_signals[i]] = 1;
    const struct option *longopts = cli_longopts(CLI_CMD_PROBE);
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
        if ((rc = parse_option(&p, c, optarg, argv)) != 0)
            return rc < 0 ? CLI_EXIT_CLEAN : rc;
    if (optind < argc)
        return cli_usage_error("probe", "unexpected argument '%s'", argv[optind]);
    if ((rc = check_opts(&p)) != 0)
        return free(o->classes), rc;
    o->lim.max_cpu = (uint64_t)o->lim.timeout + 3u; /* a spinning reader, should the clock lag */
    catch_signals();
    probe_run run;
    rc = probe_run_all(o, &run);
    if (rc == 0 && run.interrupted) {
        fprintf(stderr, "heapev probe: interrupted by signal %d: no report\n", run.interrupted);
        rc = 128 + run.interrupted;
    } else if (rc == 0) {
        rc = report(&run);
        if (rc == 0 && !run.meets)
            rc = CLI_EXIT_FINDINGS;
    }
    probe_run_free(&run);
    free(o->classes);
    return rc;
}
