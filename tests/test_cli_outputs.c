/*
 * test_cli_outputs.c - where heapev writes: a symbolic link is kept (its
 * target replaced), a held descriptor (/dev/stdout, /proc/self/fd/N) or a
 * device is written in place, nothing is created in /dev, a device output
 * gets no manifest beside it, --manifest and --out may not name one file,
 * an empty path is a usage error naming the option, and --out DIR that is
 * not empty needs --append (or --force).
 *
 * Usage: test-cli-outputs HEAPEV
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmocka_all.h"
#include "cli_json.h"

/* A small payload corpus in tmpdir/d, made once. */
static const char *corpus_dir(void)
{
    const char *d = tmp_path("d");
    if (!path_exists(d)) {
        const char *args[] = {"gen", "--count", "5", "--seed", "3", "--out", d, NULL};
        assert_int_equal(run_exit(NULL, args), 0);
    }
    return d;
}

static int is_symlink(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
}

/* The HTML report through a symbolic link: the link stays, its target gets the page. */
static void test_html_through_symlink(void **state)
{
    (void)state;
    write_file(tmp_path("target.html"), "old", 3);
    unlink(tmp_path("link.html"));
    assert_int_equal(symlink("target.html", tmp_path("link.html")), 0);
    const char *args[] = {"stats", "--html", tmp_path("link.html"), corpus_dir(), NULL};
    assert_int_equal(run_exit(NULL, args), 0);
    assert_true(is_symlink(tmp_path("link.html")));
    char *page = slurp(tmp_path("target.html"), NULL);
    assert_non_null(strstr(page, "<html"));
    free(page);
}

/*
 * --html onto a link to /proc/self/fd/1 (what /dev/stdout is) with standard
 * output redirected to a file: written through the descriptor, after the
 * text report, and the link is not replaced by a file.
 */
static void test_html_to_held_stdout(void **state)
{
    (void)state;
    const char *link = tmp_path("stdout-link");
    unlink(link);
    assert_int_equal(symlink("/proc/self/fd/1", link), 0);
    const char *args[] = {"stats", "--html", link, corpus_dir(), NULL};
    assert_int_equal(run_exit(tmp_path("r.html"), args), 0);
    assert_true(is_symlink(link));
    char *out = slurp(tmp_path("r.html"), NULL);
    char *text = strstr(out, "heapev stats:"), *html = strstr(out, "<html");
    assert_non_null(text);
    assert_non_null(html);
    assert_true(text < html);
    free(out);
}

/* A trace to a link to /proc/self/fd/1: the trace lands in the redirected file, no manifest. */
static void test_trace_to_held_stdout(void **state)
{
    (void)state;
    const char *link = tmp_path("etl-stdout");
    char manifest[512];
    snprintf(manifest, sizeof manifest, "%s.manifest.jsonl", link);
    unlink(link);
    assert_int_equal(symlink("/proc/self/fd/1", link), 0);
    const char *args[] = {"gen", "--format", "etl", "--count", "5", "--out", link, NULL};
    run_result r = run_to(tmp_path("f.etl"), args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "manifest none"));
    free_result(&r);
    assert_true(is_symlink(link));
    assert_false(path_exists(manifest));
    const char *dec[] = {"decode", "--etl", "--summary", "--json", tmp_path("f.etl"), NULL};
    run_result d = run(dec);
    assert_int_equal(d.status, 0);
    assert_non_null(strstr(d.out, "\"events\":5"));
    free_result(&d);
}

/* A trace to a pipe cannot be written (buffer 0 goes last): one line, exit 2, no manifest. */
static void test_trace_to_pipe(void **state)
{
    (void)state;
    const char *link = tmp_path("pipe-stdout");
    unlink(link);
    assert_int_equal(symlink("/proc/self/fd/1", link), 0);
    char script[1024]; /* heapev through the exe wrapper, if any (a cross build) */
    snprintf(script, sizeof script,
             "%s '%s' gen --format etl --count 5 --out '%s' 2>'%s' | cat >/dev/null\n"
             "exit ${PIPESTATUS[0]}\n", heapev_exec_wrapper(), heapev_bin, link,
             tmp_path("pipe.err"));
    write_file(tmp_path("pipe.sh"), script, strlen(script));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "bash '%s'", tmp_path("pipe.sh"));
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 2);
    char *err = slurp(tmp_path("pipe.err"), NULL);
    assert_int_equal(count_lines(err), 1);
    assert_non_null(strstr(err, link));
    assert_non_null(strstr(err, "seekable"));
    free(err);
    assert_true(is_symlink(link));
    char manifest[600];
    snprintf(manifest, sizeof manifest, "%s.manifest.jsonl", link);
    assert_false(path_exists(manifest));
}

/* /dev/null stays the device and nothing appears beside it. */
static void test_trace_to_dev_null(void **state)
{
    (void)state;
    const char *args[] = {"gen", "--format", "etl", "--count", "5", "--out", "/dev/null", NULL};
    int status = run_exit(NULL, args);
    int created = path_exists("/dev/null.manifest.jsonl");
    if (created)
        unlink("/dev/null.manifest.jsonl"); /* what the bug left as root */
    assert_false(created);
    assert_int_equal(status, 0);
    struct stat sb;
    assert_int_equal(stat("/dev/null", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
}

/* No file and no directory is ever created in /dev, whoever runs heapev. */
static void test_nothing_created_in_dev(void **state)
{
    (void)state;
    char dir[64], file[64];
    snprintf(dir, sizeof dir, "/dev/heapev-test-%ld", (long)getpid());
    snprintf(file, sizeof file, "/dev/heapev-test-%ld.etl", (long)getpid());
    const char *files[] = {"gen", "--count", "2", "--out", dir, NULL};
    run_result r = run(files);
    int made_dir = path_exists(dir);
    if (made_dir)
        system("rm -rf /dev/heapev-test-*");
    assert_false(made_dir);
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "/dev"));
    free_result(&r);

    const char *trace[] = {"gen", "--format", "etl", "--count", "2", "--out", file, "--manifest",
                           tmp_path("m.jsonl"), NULL};
    r = run(trace);
    int made_file = path_exists(file);
    if (made_file)
        unlink(file);
    assert_false(made_file);
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "creates no file in /dev"));
    assert_false(path_exists(tmp_path("m.jsonl")));
    free_result(&r);
}

/* --manifest X --out X: a usage error naming both options, nothing written. */
static void test_manifest_same_as_out(void **state)
{
    (void)state;
    const char *x = tmp_path("same.etl");
    const char *args[] = {"gen", "--format", "etl", "--count", "3", "--manifest", x, "--out", x, NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "--manifest and --out name the same file"));
    assert_false(path_exists(x));
    free_result(&r);
}

/* '' as an output path: the option is named, not ": write error". */
static void test_empty_output_paths(void **state)
{
    (void)state;
    const char *html[] = {"stats", "--html", "", corpus_dir(), NULL};
    const char *out[] = {"gen", "--count", "3", "--out", "", NULL};
    const char *man[] = {"gen", "--format", "etl", "--out", tmp_path("e.etl"), "--manifest", "", NULL};
    const char *const *cases[] = {html, out, man};
    const char *option[] = {"--html", "--out", "--manifest"};
    for (size_t i = 0; i < 3; i++) {
        run_result r = run(cases[i]);
        assert_int_equal(r.status, 2);
        assert_int_equal(count_lines(r.err), 1);
        if (strstr(r.err, option[i]) == NULL)
            fail_msg("case %zu: no %s in: %s", i, option[i], r.err);
        assert_string_equal(r.out, "");
        free_result(&r);
    }
    assert_false(path_exists(tmp_path("e.etl")));
}

/* --append: a second run into a corpus keeps it whole; the manifest lists every file. */
static void test_out_append(void **state)
{
    (void)state;
    const char *d = tmp_path("app");
    const char *first[] = {"gen", "--count", "5", "--seed", "1", "--out", d, NULL};
    const char *again[] = {"gen", "--count", "5", "--seed", "2", "--out", d, NULL};
    const char *more[] = {"gen", "--count", "5", "--seed", "2", "--out", d, "--append", NULL};
    const char *both[] = {"gen", "--count", "5", "--out", d, "--append", "--force", NULL};
    assert_int_equal(run_exit(NULL, first), 0);
    run_result r = run(again);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "is not empty"));
    free_result(&r);
    assert_int_equal(run_exit(NULL, both), 2);
    assert_int_equal(run_exit(NULL, more), 0);
    json_t *m = jsonl_load(tmp_path("app/manifest.jsonl"));
    assert_int_equal(json_array_size(m), 10);
    json_decref(m);
    const char *st[] = {"stats", "--json", d, NULL};
    r = run(st);
    json_t *o = jsonl_line(r.out, 0);
    json_t *man = json_object_get(o, "manifest");
    assert_int_equal(json_integer_value(json_object_get(man, "lines")), 10);
    assert_int_equal(json_integer_value(json_object_get(man, "missing_files")), 0);
    assert_int_equal(json_integer_value(json_object_get(man, "files_not_listed")), 0);
    json_decref(o);
    free_result(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s HEAPEV\n", argv[0]);
        return 2;
    }
    heapev_bin = argv[1];
    if (cli_tmpdir_create("outputs") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_through_symlink),
        cmocka_unit_test(test_html_to_held_stdout),
        cmocka_unit_test(test_trace_to_held_stdout),
        cmocka_unit_test(test_trace_to_pipe),
        cmocka_unit_test(test_trace_to_dev_null),
        cmocka_unit_test(test_nothing_created_in_dev),
        cmocka_unit_test(test_manifest_same_as_out),
        cmocka_unit_test(test_empty_output_paths),
        cmocka_unit_test(test_out_append),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cli_tmpdir_remove();
    return failed;
}
