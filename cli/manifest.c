/*
 * manifest.c - reading a directory's manifest.jsonl (manifest.h).
 *
 * Each line written by 'heapev gen --out DIR' names a file, its format and
 * decode width, its expected findings and its classes. The entries are kept
 * sorted by file name for lookup; the classes are handed to the caller line
 * by line. A directory of traces (corpus/etl) holds their manifests' lines
 * instead, full or compact: one entry per trace (format etl), whose classes
 * are counted the same either way (header and summary lines are no entries);
 * they say nothing about a whole file's findings. Every line is read by the
 * library's manifest reader (heapev/emit.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "heapev/catalogue.h"
#include "manifest.h"

void manifest_free(manifest *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->entries[i].file);
    free(m->entries);
    free(m->dir);
    m->entries = NULL;
    m->dir = NULL;
    m->n = m->cap = 0;
}

/* A one-line error about the manifest, unless it is read quietly. */
#define MANIFEST_ERROR(m, ...) ((m)->quiet ? CLI_EXIT_USAGE : cli_error(__VA_ARGS__))

/* Keep what line @p obj says about its file (a line without "file" adds nothing). */
static int manifest_add(manifest *m, const heapev_manifest_line *line)
{
    if (line->file == NULL)
        return 0;
    if (line->kind != HEAPEV_MANIFEST_ITEM && m->n > 0 &&
        strcmp(m->entries[m->n - 1].file, line->file) == 0)
        return 0; /* a trace's manifest names its file on every line: one entry */
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
              : line->format == HEAPEV_GEN_FORMAT_ETL     ? CLI_MODE_ETL
                                                          : CLI_MODE_AUTO;
    e->width = line->decode_width;
    e->has_expected = line->kind == HEAPEV_MANIFEST_ITEM && line->has_expected;
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
        return errno == ENOENT ? 0 : MANIFEST_ERROR(m, path, "%s", strerror(errno));
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
            rc = MANIFEST_ERROR(m, path, "line %lu: not a manifest line (%s)", lineno,
                                obj == NULL ? jerr.text
                                : json_is_object(obj) ? "an entry without its place, or an unknown form"
                                                      : "another JSON value");
        else if (manifest_add(m, &ml) != 0)
            rc = MANIFEST_ERROR(m, path, "out of memory");
        else if (ml.kind == HEAPEV_MANIFEST_ITEM || ml.kind == HEAPEV_MANIFEST_EVENT ||
                 ml.kind == HEAPEV_MANIFEST_CONTAINER)
            heapev_manifest_classes(&reader, &ml, on_class, ctx), m->lines++;
        json_decref(obj);
    }
    if (rc == 0 && ferror(f))
        rc = MANIFEST_ERROR(m, path, "read error: %s", strerror(errno));
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

static void no_class(void *ctx, const char *name)
{
    (void)ctx, (void)name;
}

const manifest_entry *manifest_lookup(manifest *m, const char *path)
{
    char dir[4096], mpath[4200];
    const char *slash = strrchr(path, '/');
    int n = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path)
                  : snprintf(dir, sizeof dir, ".");
    if (n < 0 || (size_t)n >= sizeof dir)
        return NULL;
    if (m->dir == NULL || strcmp(m->dir, dir) != 0) {
        manifest_free(m);
        memset(m, 0, sizeof *m);
        m->quiet = 1;
        snprintf(mpath, sizeof mpath, "%s/%s", slash == path ? "" : dir, MANIFEST_NAME);
        if (manifest_load(mpath, m, no_class, NULL) != 0)
            manifest_free(m);
        m->dir = strdup(dir);
    }
    return manifest_find(m, slash ? slash + 1 : path);
}
