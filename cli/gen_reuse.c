/*
 * gen_reuse.c - `heapev gen --out DIR` into a directory that already holds
 * something: refused unless --append (the old manifest's lines are kept,
 * this run's follow) or --force (the files the old manifest lists and the
 * manifest are replaced; files it does not list stay, and stats counts them).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gen.h"
#include "manifest.h"

/* Entries of @p dir other than . and .. (0 when it cannot be read: creating it says why). */
static unsigned long dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    unsigned long n = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d != NULL)
        closedir(d);
    return n;
}

static void no_class(void *ctx, const char *name)
{
    (void)ctx, (void)name;
}

/* --force: remove the files @p manifest_path lists (plain names in DIR only), then the manifest. */
static int remove_listed(const char *dir, const char *manifest_path)
{
    char path[HEAPEV_EMIT_PATH_MAX];
    manifest m = {0};
    if (manifest_load(manifest_path, &m, no_class, NULL) != 0)
        return CLI_EXIT_USAGE;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m.n; i++) {
        const char *name = m.entries[i].file;
        if (strchr(name, '/') != NULL || name[0] == '.' || strcmp(name, MANIFEST_NAME) == 0)
            continue; /* not a file gen writes: left alone */
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
            rc = cli_error(dir, "path too long");
        else if (unlink(path) != 0 && errno != ENOENT)
            rc = cli_error(path, "cannot remove (--force): %s", strerror(errno));
    }
    manifest_free(&m);
    if (rc == 0 && unlink(manifest_path) != 0 && errno != ENOENT)
        rc = cli_error(manifest_path, "cannot remove (--force): %s", strerror(errno));
    return rc;
}

int gen_dir_prepare(const gen_opts *o, const char *manifest_path)
{
    unsigned long n = dir_entries(o->out);
    if (n == 0 || o->append)
        return 0;
    if (!o->force)
        return cli_usage_error("gen", "%s is not empty (%lu entries): give --append to add to its "
                                      "corpus and manifest, or --force to replace the files its "
                                      "manifest lists", o->out, n);
    return remove_listed(o->out, manifest_path);
}

int gen_dir_copy_manifest(FILE *mf, const char *manifest_path)
{
    char buf[65536];
    FILE *old = fopen(manifest_path, "rb");
    if (old == NULL)
        return errno == ENOENT ? 0 : cli_error(manifest_path, "%s", strerror(errno));
    size_t n;
    int last = '\n';
    while ((n = fread(buf, 1, sizeof buf, old)) > 0) {
        if (fwrite(buf, 1, n, mf) != n) {
            fclose(old);
            return cli_error(manifest_path, "write error: %s", strerror(errno));
        }
        last = buf[n - 1];
    }
    int bad = ferror(old);
    fclose(old);
    if (bad)
        return cli_error(manifest_path, "read error: %s", strerror(errno));
    if (last != '\n' && fputc('\n', mf) == EOF) /* a manifest cut short: its last line ends here */
        return cli_error(manifest_path, "write error: %s", strerror(errno));
    return 0;
}
