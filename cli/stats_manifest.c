/*
 * stats_manifest.c - `heapev stats`: reading a directory's manifest.jsonl.
 *
 * Each line written by 'heapev gen --out DIR' names a file, its format and
 * decode width, its expected findings and its classes. The entries are kept
 * sorted by file name for lookup during the walk; the classes are handed to
 * the caller line by line. A directory of traces (corpus/etl) holds their
 * manifests' lines instead, full or compact: their entries' classes are
 * counted the same either way (header and summary lines are no entries),
 * and they say nothing about a whole file's findings. Every line is read by
 * the library's manifest reader (heapev/emit.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "heapev/catalogue.h"
#include "stats.h"

void manifest_free(manifest *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->entries[i].file);
    free(m->entries);
    m->entries = NULL;
    m->n = m->cap = 0;
}

/* Keep what line @p obj says about its file (a line without "file" adds nothing). */
static int manifest_add(manifest *m, const heapev_manifest_line *line)
{
    if (line->file == NULL || line->kind != HEAPEV_MANIFEST_ITEM)
        return 0;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        manifest_entry *bigger = realloc(m->entries, cap * sizeof *bigger);
        if (bigger == NULL)
            return -1;
        m->entries = bigger, m->cap = cap;
    }
    manifest_entry *e = &m->entries[m->n];
    e->mode = line->format == HEAPEV_GEN_FORMAT_RECORD    ? CLI_MODE_RECORD
              : line->format == HEAPEV_GEN_FORMAT_PAYLOAD ? CLI_MODE_PAYLOAD
                                                          : CLI_MODE_AUTO;
    e->width = line->decode_width;
    e->has_expected = line->has_expected;
    e->expected = line->expected;
    e->file = strdup(line->file);
    if (e->file == NULL)
        return -1;
    m->n++;
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const manifest_entry *)a)->file, ((const manifest_entry *)b)->file);
}

int manifest_load(const char *path, manifest *m, manifest_class_fn *on_class, void *ctx)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return errno == ENOENT ? 0 : cli_error(path, "%s", strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    int rc = 0;
    heapev_manifest_reader reader;
    heapev_manifest_reader_init(&reader);
    while (rc == 0 && (got = getline(&line, &cap, f)) > 0) {
        json_error_t jerr;
        lineno++;
        json_t *obj = json_loadb(line, (size_t)got, 0, &jerr);
        heapev_manifest_line ml;
        if (heapev_manifest_read_line(&reader, obj, &ml) != 0)
            rc = cli_error(path, "line %lu: not a manifest line (%s)", lineno,
                           obj == NULL ? jerr.text
                           : json_is_object(obj) ? "an entry without its place, or an unknown form"
                                                 : "another JSON value");
        else if (manifest_add(m, &ml) != 0)
            rc = cli_error(path, "out of memory");
        else if (ml.kind == HEAPEV_MANIFEST_ITEM || ml.kind == HEAPEV_MANIFEST_EVENT ||
                 ml.kind == HEAPEV_MANIFEST_CONTAINER)
            heapev_manifest_classes(&reader, &ml, on_class, ctx), m->lines++;
        json_decref(obj);
    }
    if (rc == 0 && ferror(f))
        rc = cli_error(path, "read error: %s", strerror(errno));
    free(line);
    fclose(f);
    m->found = rc == 0;
    if (m->n > 0) /* entries is NULL when empty, and qsort's may not be */
        qsort(m->entries, m->n, sizeof *m->entries, entry_cmp);
    return rc;
}

const manifest_entry *manifest_find(const manifest *m, const char *name)
{
    manifest_entry key = {(char *)name, CLI_MODE_AUTO, 0, 0, 0};
    return m->n ? bsearch(&key, m->entries, m->n, sizeof key, entry_cmp) : NULL;
}
