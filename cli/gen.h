/*
 * gen.h - what `heapev gen`'s two files share: its parsed options
 * (cmd_gen.c) and the runs that write its output (gen_out.c).
 */
#ifndef HEAPEV_CLI_GEN_H
#define HEAPEV_CLI_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "heapev/gen_etl.h"

typedef struct gen_opts {
    heapev_gen_options gen;   /* payload/record runs: seed, width, format, malformed, classes */
    uint64_t count;
    const char *out;          /* --out DIR or FILE.etl */
    int stream;               /* --stream */
    int etl;                  /* --format etl */
    heapev_gen_etl_options trace; /* --format etl: the rest of a trace's options */
    const char *manifest;     /* --format etl: --manifest PATH, or NULL */
    int force, append;        /* --out DIR that is not empty: --force, --append */
    int manifest_full;        /* --format etl: --manifest-full */
} gen_opts;

/* Write the events as files and DIR/manifest.jsonl; stop cleanly on SIGINT/SIGTERM/SIGHUP. */
int gen_run_files(const gen_opts *o);

/* Write the events back to back on standard output. */
int gen_run_stream(const gen_opts *o);

/* Write one .etl trace and its manifest. */
int gen_run_trace(const gen_opts *o);

/*
 * gen_reuse.c: before writing into --out DIR, whose manifest is
 * @p manifest_path: 0 when DIR is empty or new, or --append; with --force,
 * the files the old manifest lists and the manifest are removed first;
 * otherwise a usage error. Exit status after the one-line error.
 */
int gen_dir_prepare(const gen_opts *o, const char *manifest_path);

/* --append: copy the old manifest's lines (if any) to @p mf first. 0 or an exit status. */
int gen_dir_copy_manifest(FILE *mf, const char *manifest_path);

#endif /* HEAPEV_CLI_GEN_H */
