/*
 * options.h - the one table of heapev's command-line options, the parser of
 * the input options several commands share, and the usage text made from the
 * table. docs/heapev.1 and contrib/heapev.bash must name every option of the
 * table (tests/test_cli.c fails when one is missing).
 */
#ifndef HEAPEV_CLI_OPTIONS_H
#define HEAPEV_CLI_OPTIONS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "heapev/decode.h"

/* The commands, as bits of cli_option.commands. */
enum {
    CLI_CMD_DECODE = 1u << 0,
    CLI_CMD_EXPLAIN = 1u << 1,
    CLI_CMD_STATS = 1u << 2,
    CLI_CMD_GEN = 1u << 3,
    CLI_CMD_FINDINGS = 1u << 4,
    CLI_CMD_PROBE = 1u << 5,
};

/* What getopt_long returns for each option (the short ones are their letters). */
enum {
    CLI_OPT_HELP = 'h',
    CLI_OPT_PAYLOAD = 256,
    CLI_OPT_RECORD,
    CLI_OPT_ETL,
    CLI_OPT_BITS,
    CLI_OPT_JSON,
    CLI_OPT_USER_MAX_32,
    CLI_OPT_USER_MAX_WOW64,
    CLI_OPT_SUMMARY,
    CLI_OPT_OFFSET,
    CLI_OPT_COUNT,
    CLI_OPT_NO_COLOR,
    CLI_OPT_HTML,
    CLI_OPT_SEED,
    CLI_OPT_FORMAT,
    CLI_OPT_MALFORMED,
    CLI_OPT_CLASS,
    CLI_OPT_OUT,
    CLI_OPT_STREAM,
    CLI_OPT_LIST_CLASSES,
    CLI_OPT_NOISE,
    CLI_OPT_BUFFER_SIZE,
    CLI_OPT_MANIFEST,
    CLI_OPT_WOW64,
    CLI_OPT_STYLE,
    CLI_OPT_COMPRESS,
    CLI_OPT_MARKDOWN,
    CLI_OPT_FORCE,
    CLI_OPT_APPEND,
    CLI_OPT_MANIFEST_FULL,
    CLI_OPT_THREADS,
    CLI_OPT_TIMEOUT,
    CLI_OPT_EXEC,
    CLI_OPT_STDIN,
    CLI_OPT_JOBS,
    CLI_OPT_ADAPTER,
    CLI_OPT_FIELD,
    CLI_OPT_CRASH_EXIT,
    CLI_OPT_REPRO_DIR,
    CLI_OPT_MINIMIZE_TIME,
    CLI_OPT_MAX_OUTPUT,
    CLI_OPT_MAX_FILE_SIZE,
    CLI_OPT_MAX_MEMORY,
};

/*
 * One row: an option as some commands take it. An option that means
 * different things to different commands has one row per meaning; a row
 * with no help is an alias that usage, the man page and completion leave out.
 */
typedef struct cli_option {
    const char *name;  /* the long name, without "--" */
    const char *arg;   /* the argument as help shows it ("N", "ADDR"), or NULL for a flag */
    unsigned commands; /* CLI_CMD_* bits */
    int key;           /* CLI_OPT_* */
    const char *help;  /* lines separated by '\n', or NULL for an alias */
} cli_option;

/* The table, ending with a row whose name is NULL. */
extern const cli_option cli_options[];

/* The getopt_long array of command @p cmd (a CLI_CMD_* bit), "--help" included. */
const struct option *cli_longopts(unsigned cmd);

/* Print the option list of command @p cmd from the table, aligned, "-h, --help" last. */
void cli_print_options(FILE *out, unsigned cmd);

/* The formats a command reads: one mode enum for every command. */
typedef enum cli_mode { CLI_MODE_AUTO, CLI_MODE_PAYLOAD, CLI_MODE_RECORD, CLI_MODE_ETL } cli_mode;

/* The input options decode, explain and stats share. */
typedef struct cli_input {
    cli_mode mode;        /* CLI_MODE_AUTO until --payload, --record or --etl */
    unsigned width;       /* --bits: 4 or 8; HEAPEV_WIDTH_INFER when not given */
    int json;             /* --json */
    heapev_limits limits; /* --user-max-32, --user-max-wow64 over the defaults */
} cli_input;

/* Defaults: no format chosen, width inferred, text, default limits. */
cli_input cli_input_defaults(void);

/*
 * Handle getopt_long's result @p key if it is a shared input option.
 * @return 1 when it was one (applied), 0 when it is not one, or
 *         CLI_EXIT_USAGE after a one-line usage error: a second, different
 *         format flag (--payload --etl) gets the same error in every command.
 */
int cli_input_option(const char *cmd, int key, const char *arg, cli_input *in);

/*
 * After parsing: --bits fixes a bare payload's width, so it only goes with
 * the payload format (an explicit --payload, or @p auto_is_payload and no
 * format flag). Returns 0 or CLI_EXIT_USAGE after a usage error.
 */
int cli_input_check_bits(const char *cmd, const cli_input *in, int auto_is_payload);

/* One getopt_long failure: unknown option or missing argument. Returns CLI_EXIT_USAGE. */
int cli_getopt_error(const char *cmd, int c, char **argv);

#endif /* HEAPEV_CLI_OPTIONS_H */
