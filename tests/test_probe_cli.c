/*
 * test_probe_cli.c - `heapev probe` as a user runs it, with small shell
 * readers whose behaviour is known: each verdict and how it is recognised,
 * the output adapters, the same table for the same seed whatever --jobs is,
 * the reports (table, JSON, HTML) and reproducers, usage errors, and the
 * bounds against readers that flood, fork, ignore SIGTERM or write huge
 * files; the run directory is gone afterwards, also after SIGINT.
 * argv[1] = path of the heapev binary.
 */
#include "cmocka_all.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_json.h"

static char run_tmp[256]; /* heapev's TMPDIR: where its run directories go */

/* run() on the arguments up to a NULL (at most 39): probe takes more than run_args() holds. */
__attribute__((sentinel)) static run_result probe_run(const char *first, ...)
{
    const char *args[40] = {first};
    size_t n = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL && n + 1 < 40;)
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return run(args);
}

/* Is directory @p dir empty? */
static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n == 0;
}

static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* heapev probe --json on well_formed (etl, 2 inputs) with @p exec; the class's object in *@p cls. */
static json_t *probe_json(const char *exec, const char *timeout, const char *extra1,
                          const char *extra2, json_t **cls, int *status)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s%s", exec, strstr(exec, "{}") ? "" : " # {}");
    run_result r = probe_run("probe", "--json", "--class", "well_formed", "--count", "2",
                            "--minimize-time", "0", "--repro-dir", tmp_path("repro"), "--timeout",
                            timeout, "--exec", cmd, extra1, extra2, NULL);
    *status = r.status;
    json_error_t e;
    json_t *o = json_loads(r.out, 0, &e);
    if (o == NULL)
        fail_msg("not JSON (%s): %s\nstderr: %s", e.text, r.out, r.err);
    *cls = json_array_get(json_object_get(o, "classes"), 0);
    assert_non_null(*cls);
    free_result(&r);
    assert_true(dir_empty(run_tmp)); /* the run directory is gone */
    return o;
}

static const char *jtext(json_t *o, const char *path1, const char *path2)
{
    json_t *v = json_object_get(o, path1);
    if (path2 != NULL)
        v = json_object_get(v, path2);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

/* Probe well_formed with @p exec; check the class verdict, the exit status and a detail. */
static void expect_verdict(const char *exec, const char *verdict, const char *detail)
{
    json_t *cls;
    int status;
    json_t *o = probe_json(exec, "20", NULL, NULL, &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), verdict);
    assert_int_equal(status, strcmp(verdict, "ok") == 0 ? 0 : 1);
    if (detail != NULL && strstr(jtext(cls, "failure", "detail"), detail) == NULL)
        fail_msg("%s: detail \"%s\" lacks \"%s\"", exec, jtext(cls, "failure", "detail"), detail);
    json_decref(o);
}

static void test_verdicts(void **state)
{
    (void)state;
    expect_verdict("cat {} > /dev/null", "ok", NULL);
    expect_verdict("echo cannot read it >&2; exit 1", "rejected", "exit status 1: cannot read it");
    expect_verdict("kill -SEGV $$", "crashed", "signal 11 (SIGSEGV)");
    expect_verdict("exit 139", "crashed", "exit status 139"); /* a signal as sh reports it */
    expect_verdict("printf 'Traceback (most recent call last):\\n  File \"r.py\"\\n"
                   "ZeroDivisionError: division by zero\\n' >&2; exit 1",
                   "crashed", "Python exception: ZeroDivisionError: division by zero");
    expect_verdict("echo 'Unhandled exception. System.IndexOutOfRangeException: Index was "
                   "outside the bounds of the array.' >&2; exit 134",
                   "crashed", ".NET exception: System.IndexOutOfRangeException");
    expect_verdict("printf 'panic: runtime error: index out of range [9] with length 4\\n\\n"
                   "goroutine 1 [running]:\\n' >&2; exit 2", "crashed", "Go panic: runtime error");
    expect_verdict("printf \"thread 'main' panicked at src/main.rs:7:5:\\n\" >&2; exit 101",
                   "crashed", "Rust panic");
    expect_verdict("echo '==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1' >&2;"
                   " exit 1", "crashed", "AddressSanitizer: heap-buffer-overflow");
    /* "panic: " counts only at the start of a line. */
    expect_verdict("echo 'reader: no panic: just refusing' >&2; exit 1", "rejected", NULL);
}

static void test_crash_exit(void **state)
{
    (void)state;
    json_t *cls;
    int status;
    json_t *o = probe_json("exit 3 {}", "20", NULL, NULL, &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "rejected");
    json_decref(o);
    o = probe_json("exit 3 {}", "20", "--crash-exit", "1,3-5", &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "crashed");
    assert_int_equal(status, 1);
    json_decref(o);
}

/* A reader that prints nothing, too much, or wrong values (JSON Lines adapter). */
static void test_misread(void **state)
{
    (void)state;
    json_t *cls;
    int status;
    json_t *o = probe_json("true {}", "20", "--adapter", "jsonl", &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "misread");
    assert_non_null(strstr(jtext(cls, "failure", "detail"), "missing, no error"));
    json_decref(o);
    o = probe_json("echo '{\"heap_handle\":1,\"size\":\"0x2\",\"address\":\"3\",\"source\":4}' {}",
                   "20", "--adapter", "jsonl", &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "misread");
    json_decref(o);
    o = probe_json("echo '{\"heap_handle\":\"x\",\"size\":1}' {}", "20", "--adapter", "jsonl", &cls,
                   &status);
    assert_non_null(strstr(jtext(cls, "failure", "detail"), "'heap_handle' is not a number"));
    json_decref(o);
}

/* heapev's own decoder, as a reader: every class of every format meets its expectation. */
static void test_heapev_as_reader(void **state)
{
    (void)state;
    static const char *const formats[] = {"etl", "record", "payload"};
    for (size_t i = 0; i < 3; i++) {
        char exec[1024];
        snprintf(exec, sizeof exec, "'%s' decode --%s --json {}", heapev_bin, formats[i]);
        run_result r = probe_run("probe", "--format", formats[i], "--count", "2", "--jobs",
                                "2", "--timeout", "60", "--adapter", "jsonl", "--exec", exec, NULL);
        if (r.status != 0)
            fail_msg("%s: exit %d\n%s%s", formats[i], r.status, r.out, r.err);
        assert_non_null(strstr(r.out, ", 0 do not"));
        free_result(&r);
    }
}

/* The table a shell reader whose verdict depends on the bytes gets, with @p jobs and @p seed. */
static char *table(const char *jobs, const char *seed)
{
    run_result r = probe_run("probe", "--count", "3", "--jobs", jobs, "--seed", seed,
                            "--minimize-time", "0", "--repro-dir", tmp_path("repro"),
                            "--timeout", "20",
                            "--exec", "exit $(( $(cksum < {} | cut -d' ' -f1) % 3 ))", NULL);
    assert_int_equal(r.status, 1);
    char *start = strstr(r.out, "\nclass "), *end = start ? strstr(start, "\n\n") : NULL;
    assert_non_null(end);
    char *t = strndup(start, (size_t)(end - start));
    free_result(&r);
    return t;
}

static void test_same_seed_same_table(void **state)
{
    (void)state;
    char *a = table("1", "5"), *b = table("2", "5"), *c = table("2", "6");
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_non_null(strstr(a, "rejected")), assert_non_null(strstr(a, "ok"));
    free(a), free(b), free(c);
}

/* JSON, HTML and the reproducer of a failing class. */
static void test_reports(void **state)
{
    (void)state;
    const char *html = tmp_path("report.html"), *repro = tmp_path("reports-repro");
    run_result r = probe_run("probe", "--json", "--html", html, "--repro-dir", repro,
                            "--class", "well_formed", "--class", "etl_log_unfinished", "--count",
                            "2", "--timeout", "20", "--minimize-time", "5",
                            "--exec", "test $(wc -c < {}) -lt 100 || { echo big >&2; exit 1; }", NULL);
    assert_int_equal(r.status, 1);
    json_t *o = json_loads(r.out, 0, NULL);
    assert_non_null(o);
    assert_true(json_is_false(json_object_get(o, "meets")));
    json_t *wf = json_array_get(json_object_get(o, "classes"), 0);
    assert_string_equal(jtext(wf, "class", NULL), "well_formed");
    assert_string_equal(jtext(wf, "failure", "verdict"), "rejected");
    assert_string_equal(jtext(wf, "failure", "stderr_tail"), "big");
    /* The reproducer: shrunk below 100 bytes it would be accepted, so it stays at least that. */
    const char *path = jtext(wf, "failure", "reproducer");
    size_t len;
    free(slurp(path, &len));
    assert_true(len >= 100);
    assert_int_equal(count_files(repro), 2);
    char *page = slurp(html, NULL);
    assert_non_null(strstr(page, "<svg"));
    assert_non_null(strstr(page, "well_formed"));
    assert_null(strstr(page, "<script"));
    free(page);
    json_decref(o);
    free_result(&r);
}

static void test_usage_errors(void **state)
{
    (void)state;
    static const char *const cases[][8] = {
        {"--exec", "true {}"},
        {"--timeout", "5"},
        {"--timeout", "5", "--exec", "true"},
        {"--timeout", "5", "--stdin", "--exec", "cat {}"},
        {"--timeout", "0", "--exec", "true {}"},
        {"--timeout", "5", "--exec", "true {}", "--format", "bin"},
        {"--timeout", "5", "--exec", "true {}", "--class", "no_such_class"},
        {"--timeout", "5", "--exec", "true {}", "--class", "truncated_payload"},
        {"--timeout", "5", "--exec", "true {}", "--field", "size=Bytes"},
        {"--timeout", "5", "--exec", "true {}", "--adapter", "xml"},
        {"--timeout", "5", "--exec", "true {}", "--crash-exit", "0"},
        {"--timeout", "5", "--exec", "true {}", "--jobs", "0"},
        {"--timeout", "5", "--exec", "true {}", "--html", "/tmp"},
        {"--timeout", "5", "--exec", "true {}", "--max-output", "10"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[10] = {"probe"};
        for (size_t k = 0; k < 8 && cases[i][k] != NULL; k++)
            args[k + 1] = cases[i][k];
        run_result r = run(args);
        if (r.status != 2 || count_lines(r.err) != 1)
            fail_msg("case %zu: exit %d, stderr: %s", i, r.status, r.err);
        assert_string_equal(r.out, "");
        free_result(&r);
    }
    /* --repro-dir naming a file: refused before any run, the file untouched. */
    write_file(tmp_path("a-file"), "x", 1);
    run_result r = probe_run("probe", "--timeout", "5", "--exec", "true {}", "--repro-dir",
                            tmp_path("a-file"), NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "not a directory"));
    free_result(&r);
}

/*
 * Readers that flood stdout and stderr, fork and leave a child behind, ignore
 * SIGTERM, or write a huge file: each bounded (the cap, the group kill, the
 * timeout, RLIMIT_FSIZE), and the run directory, the readers' TMPDIR with the
 * huge file in it, is removed. cli/proc.c's own tests show each bound closely.
 */
static void test_bounded_readers(void **state)
{
    (void)state;
    json_t *cls;
    int status;
    json_t *o = probe_json("yes; {}", "1", "--max-output", "64K", &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "hung");
    json_decref(o);
    o = probe_json("yes >&2; {}", "1", NULL, NULL, &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "hung");
    json_decref(o);
    /* A child left behind holds stdout open: killed with the group, the run goes on. */
    o = probe_json("sleep 600 & exit 0; {}", "60", NULL, NULL, &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "ok");
    json_decref(o);
    o = probe_json("trap '' TERM; while :; do sleep 1; done; {}", "0.5", NULL, NULL, &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "hung");
    assert_non_null(strstr(jtext(cls, "failure", "detail"), "ignored SIGTERM"));
    json_decref(o);
    o = probe_json("head -c 100000000 /dev/zero > \"$TMPDIR/big\"; "
                   "test $(wc -c < \"$TMPDIR/big\") -le 1048576 # {}",
                   "60", "--max-file-size", "1M", &cls, &status);
    assert_string_equal(jtext(cls, "verdict", NULL), "ok");
    json_decref(o);
}

/* SIGINT during a run: the readers are stopped, nothing is reported, the run directory goes. */
static void test_sigint(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *args[] = {"probe", "--timeout", "600", "--jobs", "2", "--repro-dir",
                              tmp_path("sigint-repro"), "--exec", "sleep 600; {}", NULL};
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        heapev_execv(heapev_bin, args);
        _exit(127);
    }
    for (int tries = 0; tries < 600 && dir_empty(run_tmp); tries++)
        usleep(50000);
    usleep(200000 * heapev_exec_slowdown()); /* the readers have started */
    kill(pid, SIGINT);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 130);
    assert_true(dir_empty(run_tmp));
    assert_false(path_exists(tmp_path("sigint-repro")));
}

static int teardown(void **state)
{
    (void)state;
    rmdir(run_tmp);
    return cli_tmpdir_remove();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_probe_cli HEAPEV_BINARY\n");
        return 2;
    }
    heapev_bin = argv[1];
    if (cli_tmpdir_create("probe") != 0)
        return 1;
    snprintf(run_tmp, sizeof run_tmp, "%s/runs", tmpdir);
    if (mkdir(run_tmp, 0700) != 0 || setenv("TMPDIR", run_tmp, 1) != 0)
        return perror(run_tmp), 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_crash_exit),
        cmocka_unit_test(test_misread),
        cmocka_unit_test(test_heapev_as_reader),
        cmocka_unit_test(test_same_seed_same_table),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_bounded_readers),
        cmocka_unit_test(test_sigint),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
