/*
 * cli_test.h - what the tests that run the heapev binary share: one temporary
 * directory per test program, stable paths inside it, whole-file reads and
 * writes, one captured run of heapev (exit status, stdout, stderr), and
 * checks of its text output. Header-only; include it from the one .c file of
 * a test program, after cmocka_all.h. Reading its JSON output: cli_json.h.
 */
#ifndef HEAPEV_CLI_TEST_H
#define HEAPEV_CLI_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec_heapev.h"

/* The heapev binary under test (argv[1]); set by the test's main(). */
static const char *heapev_bin;

/* The test program's temporary directory, made by cli_tmpdir_create(). */
static char tmpdir[128];

/* Paths handed out by tmp_path(), freed by cli_tmpdir_remove(). */
static char *cli_paths[4096];
static size_t cli_npaths;

/* Make /tmp/heapev-@p tag-XXXXXX; prints why and returns -1 when it cannot. */
static inline int cli_tmpdir_create(const char *tag)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/heapev-%s-XXXXXX", tag);
    if (mkdtemp(tmpdir) != NULL)
        return 0;
    perror("mkdtemp");
    return -1;
}

/* Remove the directory (made writable first: tests make read-only ones); 0 on success. */
static inline int cli_tmpdir_remove(void)
{
    char cmd[2 * sizeof tmpdir + 64];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", tmpdir, tmpdir);
    int rc = system(cmd);
    for (size_t i = 0; i < cli_npaths; i++)
        free(cli_paths[i]);
    cli_npaths = 0;
    if (rc != 0)
        fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    return rc == 0 ? 0 : -1;
}

/* tmpdir/@p name; the same pointer for the same name, valid until cli_tmpdir_remove(). */
static inline const char *tmp_path(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    for (size_t i = 0; i < cli_npaths; i++)
        if (strcmp(cli_paths[i], path) == 0)
            return cli_paths[i];
    assert_true(cli_npaths < sizeof cli_paths / sizeof cli_paths[0]);
    cli_paths[cli_npaths] = strdup(path);
    assert_non_null(cli_paths[cli_npaths]);
    return cli_paths[cli_npaths++];
}

/* The whole file, NUL-terminated, length in *@p len (may be NULL); fails the test if unreadable. */
static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            buf = realloc(buf, (cap *= 2) + 1);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

/* Does @p path exist (file, directory or other)? */
static inline int path_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Do files @p a and @p b hold the same bytes? Fails the test if one is unreadable. */
static inline int files_equal(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = na == nb && memcmp(x, y, na) == 0;
    free(x), free(y);
    return same;
}

/* Write @p len bytes to @p path (created or truncated). */
static inline void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

typedef struct run_result {
    int status;     /* exit status; -1 when killed by a signal */
    char *out;      /* stdout ("" when it went to a named file) */
    size_t out_len; /* bytes in out */
    char *err;      /* stderr */
} run_result;

/*
 * Run heapev with @p args (NULL-terminated): stdin from @p in (NULL:
 * /dev/null), stdout to @p out_path (NULL: captured in .out), stderr captured.
 */
static inline run_result run_with(const char *in, const char *out_path, const char *const *args)
{
    const char *out = out_path ? out_path : tmp_path("stdout");
    int status = heapev_run(heapev_bin, args, in, out, tmp_path("stderr"));
    assert_int_not_equal(status, HEAPEV_RUN_FAILED);
    run_result r = {status, NULL, 0, slurp(tmp_path("stderr"), NULL)};
    r.out = out_path ? strdup("") : slurp(out, &r.out_len);
    return r;
}

static inline run_result run(const char *const *args)
{
    return run_with(NULL, NULL, args);
}

static inline run_result run_to(const char *out_path, const char *const *args)
{
    return run_with(NULL, out_path, args);
}

static inline void free_result(run_result *r)
{
    free(r->out), free(r->err);
}

/* run_with(@p in, NULL, ...) on the arguments that follow @p in, up to a NULL (at most 15). */
__attribute__((sentinel)) static inline run_result run_args(const char *in, ...)
{
    const char *args[16];
    size_t n = 0;
    va_list ap;
    va_start(ap, in);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL && n + 1 < 16;)
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    assert_true(n + 1 < 16); /* more arguments than args holds */
    return run_with(in, NULL, args);
}

/* The exit status of heapev @p args, stdout to @p out_path (NULL: discarded). */
static inline int run_exit(const char *out_path, const char *const *args)
{
    run_result r = run_to(out_path ? out_path : "/dev/null", args);
    int status = r.status;
    free_result(&r);
    return status;
}

static inline size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* @p text with every "<stdin>" replaced by @p name (caller frees). */
static inline char *stdin_as(const char *text, size_t len, const char *name, size_t *out_len)
{
    size_t n = 0, nl = strlen(name);
    for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), "<stdin>", 7)) != NULL; p += 7)
        n++;
    char *out = malloc(len + n * nl + 1), *q = out;
    assert_non_null(out);
    for (const char *p = text, *end = text + len; p < end;) {
        const char *hit = memmem(p, (size_t)(end - p), "<stdin>", 7);
        size_t k = hit != NULL ? (size_t)(hit - p) : (size_t)(end - p);
        memcpy(q, p, k), q += k, p += k;
        if (hit != NULL)
            memcpy(q, name, nl), q += nl, p += 7;
    }
    *q = '\0';
    *out_len = (size_t)(q - out);
    return out;
}

/*
 * `heapev decode --etl @p mode` of the trace at @p path prints the same bytes
 * and exits the same, whichever path reads it: the stream (stdin, read
 * forward through stdio), the mapped file on 1 thread, and its data buffers
 * in segments on 2, 3 and 8 threads. Returns the exit status.
 */
static inline int expect_same_on_every_path(const char *path, const char *mode)
{
    const char *in[] = {"decode", "--etl", mode, "-", NULL};
    run_result s = run_with(path, NULL, in);
    size_t want_len;
    char *want = stdin_as(s.out, s.out_len, path, &want_len);
    static const char *const threads[] = {"1", "2", "3", "8"};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        const char *a[] = {"decode", "--etl", mode, "--threads", threads[t], path, NULL};
        run_result m = run(a);
        if (m.status != s.status || m.out_len != want_len || memcmp(m.out, want, want_len) != 0)
            fail_msg("%s: decode --etl %s --threads %s differs from the stream path (exit %d, "
                     "%zu bytes; stream: exit %d, %zu bytes)", path, mode, threads[t], m.status,
                     m.out_len, s.status, want_len);
        free_result(&m);
    }
    int status = s.status;
    free(want);
    free_result(&s);
    return status;
}

/*
 * In `heapev explain` text @p text: the hex dump line that starts with @p dump
 * is followed by a line whose marks "^^" start the text "^^ @p finding", the
 * first of them on that very line: the finding sits right under its bytes.
 */
static inline void expect_marked(const char *text, const char *dump, const char *finding)
{
    const char *line = strstr(text, dump);
    if (line == NULL)
        fail_msg("no line \"%s\" in:\n%s", dump, text);
    const char *next = strchr(line, '\n');
    assert_non_null(next);
    next++;
    const char *marks = strstr(next, "^^"), *end = strchr(next, '\n');
    char want[128];
    snprintf(want, sizeof want, "^^ %s", finding);
    if (marks == NULL || strncmp(marks, want, strlen(want)) != 0)
        fail_msg("no \"%s\" under \"%s\"", want, dump);
    if (strchr(next, '^') >= (end != NULL ? end : next + strlen(next)))
        fail_msg("the marks of \"%s\" are not on the line under \"%s\":\n%s", want, dump, line);
}

#endif
