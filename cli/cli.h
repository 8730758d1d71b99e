/*
 * cli.h - what the heapev subcommands share: the command table, one-line
 * errors, whole-file reading, event <-> JSON field names, atomic output.
 * The CLI adds no format knowledge: everything about bytes comes from the
 * library.
 */
#ifndef HEAPEV_CLI_H
#define HEAPEV_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "heapev/decode.h"
#include "heapev/emit.h" /* heapev_emit_*_json(): the JSON every command shares */
#include "heapev/etl.h"

/* Exit codes shared by every subcommand. */
enum {
    CLI_EXIT_CLEAN = 0,    /* every event decoded with no finding */
    CLI_EXIT_FINDINGS = 1, /* at least one finding was reported */
    CLI_EXIT_USAGE = 2     /* usage or I/O error (message on stderr) */
};

/* One subcommand: name, one-line summary, entry point (argv[0] = name). */
typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *out);
} cli_command;

/* Print "heapev: <what>: <reason>" on stderr (one line). Returns CLI_EXIT_USAGE. */
int cli_error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Usage error for a subcommand: message, then "try 'heapev help CMD'". */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include "options.h" /* cli_getopt_error() and the option table */

/*
 * Read all of @p path ("-" = stdin) into a malloc'd buffer. On failure prints
 * a one-line error naming the file and returns -1.
 */
int cli_read_file(const char *path, uint8_t **data, size_t *len);

/* Parse an unsigned integer (decimal or 0x hex) with range check. 0 on success. */
int cli_parse_u64(const char *text, uint64_t max, uint64_t *out);

/* Print @p obj as one compact line on @p out; returns 0 or -1 on I/O error. */
int cli_json_print_line(FILE *out, json_t *obj);

/*
 * Memory for reading .etl files: the stdio fetch buffer and the
 * decompression scratch of compressed traces, for buffers of
 * HEAPEV_ETL_MAX_BUFFER_SIZE (pages never touched cost nothing).
 */
typedef struct cli_etl_memory {
    uint8_t *buf, *scratch;
} cli_etl_memory;

/* Allocate @p m unless done already. 0, or -1 after a one-line error. */
int cli_etl_memory_get(cli_etl_memory *m);
void cli_etl_memory_free(cli_etl_memory *m);

/*
 * Start @p r reading the stream @p in forward through @p src, with @p m's
 * memory and the user's @p limits.
 */
void cli_etl_reader_start(heapev_etl_reader *r, heapev_etl_stdio *src, FILE *in,
                          const cli_etl_memory *m, const heapev_limits *limits);

/* The user's --user-max-32 / --user-max-wow64 value: a 32-bit address. 0 or a usage error. */
int cli_parse_user_max(const char *cmd, const char *opt, const char *text, uint64_t *out);

/* Flush and check @p out; prints "heapev: <name>: write error: ..." on failure. */
int cli_close_output(FILE *out, const char *name);

/* Subcommands. */
int cli_decode_main(int argc, char **argv);
void cli_decode_usage(FILE *out);
int cli_findings_main(int argc, char **argv);
void cli_findings_usage(FILE *out);
int cli_explain_main(int argc, char **argv);
void cli_explain_usage(FILE *out);
int cli_stats_main(int argc, char **argv);
void cli_stats_usage(FILE *out);
int cli_gen_main(int argc, char **argv);
void cli_gen_usage(FILE *out);
int cli_probe_main(int argc, char **argv);
void cli_probe_usage(FILE *out);

#endif /* HEAPEV_CLI_H */
