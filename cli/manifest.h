/*
 * manifest.h - reading the manifest.jsonl of a payload or record corpus
 * directory (written by `heapev gen --out DIR`): what it says about each
 * file, for stats (classes, expected findings) and for decode and stats
 * (each file's format and width when none is given).
 */
#ifndef HEAPEV_CLI_MANIFEST_H
#define HEAPEV_CLI_MANIFEST_H

#include <stdint.h>

#include "cli.h"

#define MANIFEST_NAME "manifest.jsonl"

/* What a manifest line says about one file. */
typedef struct manifest_entry {
    char *file;
    cli_mode mode;          /* CLI_MODE_PAYLOAD / _RECORD / _ETL (a trace manifest), or _AUTO */
    unsigned width;           /* decode_bits / 8, or 0 */
    int has_expected;
    heapev_findings expected;
} manifest_entry;

/* The lines of one manifest, sorted by file name. */
typedef struct manifest {
    manifest_entry *entries;
    size_t n, cap;
    int found;      /* the file exists and was read */
    int quiet;      /* manifest_load() returns errors without printing them */
    char *dir;      /* manifest_lookup(): the directory whose manifest this is */
    uint64_t lines; /* JSON object lines read, with or without a "file" */
} manifest;

/* Called with each class name of each line, in file order. */
typedef void manifest_class_fn(void *ctx, const char *name);

/*
 * Read the manifest at @p path into @p m (zeroed by the caller). A missing
 * file is no error (m->found stays 0). 0, or CLI_EXIT_USAGE after a one-line
 * error naming the file and line.
 */
int manifest_load(const char *path, manifest *m, manifest_class_fn *on_class, void *ctx);

/* The entry for file @p name, or NULL. */
const manifest_entry *manifest_find(const manifest *m, const char *name);

/* Free what @p m holds (it may be loaded again, or looked up in: it is left empty). */
void manifest_free(manifest *m);

/*
 * The entry of the file at @p path in the manifest of its directory, which
 * @p m caches (zeroed by the caller; manifest_free() it once done): NULL when
 * the directory has no manifest, the manifest does not list the file, or it
 * cannot be read (no error: the caller then reads the file as if there were
 * no manifest).
 */
const manifest_entry *manifest_lookup(manifest *m, const char *path);

#endif
