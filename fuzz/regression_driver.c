/*
 * regression_driver.c - replay files through a fuzz target without a fuzzing
 * engine: the default engine when heapev is built with -Dfuzzing=false, so
 * any compiler (gcc included) replays corpus/ and fuzz/regressions/.
 *
 * Usage: <target> PATH...   (directories are walked recursively; names
 * starting with '.' are skipped; a missing PATH is reported and skipped).
 * Prints "Tested N files: Success!" and exits 0, or aborts in the target.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_helpers.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static size_t tested;
static int failures;

static void run_file(const char *path, off_t size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        failures++;
        return;
    }
    size_t cap = (size_t)size;
    uint8_t *buf = fuzz_malloc(cap);
    size_t got = fread(buf, 1, cap, f);
    int err = ferror(f);
    fclose(f);
    if (err) {
        fprintf(stderr, "%s: read error\n", path);
        failures++;
    } else {
        /* An exact-size copy, so ASan sees a read one past the end. */
        uint8_t *input = fuzz_malloc(got);
        memcpy(input, buf, got);
        LLVMFuzzerTestOneInput(got != 0 ? input : NULL, got);
        free(input);
        tested++;
    }
    free(buf);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s (skipped)\n", path, strerror(errno));
        return;
    }
    if (S_ISREG(st.st_mode)) {
        run_file(path, st.st_size);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        failures++;
        return;
    }
    /* Sorted, so every run replays in the same order. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, cap * sizeof *names);
            FUZZ_ASSERT_MSG(grown != NULL, "out of memory");
            names = grown;
        }
        size_t len = strlen(path) + strlen(de->d_name) + 2;
        names[n] = fuzz_malloc(len);
        snprintf(names[n], len, "%s/%s", path, de->d_name);
        n++;
    }
    closedir(dir);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        run_path(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++)
        run_path(argv[i]);
    printf("Tested %zu files: %s\n", tested, failures ? "Failure!" : "Success!");
    return failures ? 1 : 0;
}
