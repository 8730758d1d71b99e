/*
 * cmd_stats.c - `heapev stats` (counts over corpus directories and files):
 * its options and the driver.
 *
 * Counts every input (stats_count.c), then prints the counts as text or JSON
 * (stats_report.c) and optionally writes the HTML report (stats_html.c);
 * stats.h says how the parts fit.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

void cli_stats_usage(FILE *out)
{
    fputs("usage: heapev stats [--payload|--record|--etl] [--bits 32|64] [--json]\n"
          "                    [--html REPORT.html] [--user-max-32 ADDR]\n"
          "                    [--user-max-wow64 ADDR] DIR|FILE...\n"
          "\n"
          "Count events over corpus directories and files: by class (from manifest.jsonl\n"
          "when a DIR has one), by finding, by Source value and by width, a log2 histogram\n"
          "of Size, and the decoding rate in events/s.\n"
          "\n"
          "A DIR contributes every regular file in it and in its subdirectories, sorted\n"
          "by name (dot files and manifest.jsonl are not events). Its manifest.jsonl\n"
          "(written by 'heapev gen --out DIR') gives the class counts, each file's format\n"
          "and width, and its expected findings, which are checked against what the files\n"
          "decode to; files it lists that are missing, and files it does not list, are\n"
          "counted. Without --payload, --record or --etl a file's format is its\n"
          "manifest's, else .etl when its first bytes are a trace's, else payload.\n"
          "\n",
          out);
    cli_print_options(out, CLI_CMD_STATS);
    fputs("\n"
          "Progress goes to standard error when it is a terminal. Any input error stops\n"
          "the run before anything is printed or written.\n"
          "\n"
          "Exit status: 0 no finding, 1 findings counted, 2 usage or I/O error.\n",
          out);
}

/* ---- options ----------------------------------------------------------------- */

static int parse_stats_option(int c, char **argv, stats_opts *o)
{
    int rc = cli_input_option("stats", c, optarg, &o->in);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    switch (c) {
    case CLI_OPT_HTML:
        if (*optarg == '\0')
            return cli_usage_error("stats", "--html takes a file name, not ''");
        o->html = optarg;
        return 0;
    case CLI_OPT_HELP: cli_stats_usage(stdout); return -1;
    default: return cli_getopt_error("stats", c, argv);
    }
}

static int parse_stats_opts(int argc, char **argv, stats_opts *o)
{
    const struct option *longopts = cli_longopts(CLI_CMD_STATS);
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
        if ((rc = parse_stats_option(c, argv, o)) != 0)
            return rc;
    if (cli_input_check_bits("stats", &o->in, 1) != 0)
        return CLI_EXIT_USAGE;
    if (optind >= argc)
        return cli_usage_error("stats", "no DIR or FILE given");
    return 0;
}

/* ---- driver ------------------------------------------------------------------ */

static int finish(const stats_opts *o, const stats *s, const stats_origin *origin)
{
    /* Standard output first: when it fails, no report file is written at all. */
    if (o->in.json ? stats_print_json(stdout, s) != 0 : (stats_print_text(stdout, s), 0))
        return cli_close_output(stdout, "<stdout>"), CLI_EXIT_USAGE;
    if (cli_close_output(stdout, "<stdout>") != 0)
        return CLI_EXIT_USAGE;
    if (s->guessed > 0 && s->ambiguous == s->guessed)
        cli_warn_all_ambiguous("stats", s->guessed);
    if (o->html != NULL && stats_write_html(o->html, s, origin) != 0)
        return CLI_EXIT_USAGE;
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (s->finding[c] && heapev_findings_defects(HEAPEV_FINDING_BIT(c)))
            return CLI_EXIT_FINDINGS; /* notes are no reason */
    return CLI_EXIT_CLEAN;
}

int cli_stats_main(int argc, char **argv)
{
    stats_opts o = {cli_input_defaults(), NULL};
    int rc = parse_stats_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_CLEAN : rc;
    stats *s = calloc(1, sizeof *s);
    if (s == NULL)
        return cli_error("stats", "out of memory");
    stats_walk w = {s, &o, {NULL, NULL}};
    stats_origin origin = {argc, argv, optind, time(NULL)};
    const char *epoch = getenv("SOURCE_DATE_EPOCH"); /* reproducible reports */
    if (epoch != NULL && *epoch != '\0')
        origin.when = (time_t)strtoll(epoch, NULL, 10);
    stats_begin(s);
    for (int i = optind; i < argc && rc == 0; i++)
        rc = stats_count_input(&w, argv[i]);
    stats_end(s);
    rc = rc != 0 ? CLI_EXIT_USAGE : finish(&o, s, &origin);
    if (rc != CLI_EXIT_USAGE && s->files == 0) /* "0 files" is never said silently */
        fprintf(stderr, "heapev stats: warning: no file in the inputs (%" PRIu64 " entries "
                        "skipped: not regular files, or more than %u directory levels down)\n",
                s->skipped, STATS_MAX_DEPTH);
    for (size_t i = 0; i < s->nclasses; i++)
        free(s->classes[i].name);
    cli_etl_memory_free(&w.etl);
    free(s);
    return rc;
}
