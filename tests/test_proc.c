/*
 * test_proc.c - cli/proc.c, the bounded child `heapev probe` runs every
 * reader in: exit statuses and signals, and each bound against a reader that
 * misbehaves: flooding stdout and stderr, forking, ignoring SIGTERM, writing
 * a huge file, leaving its process group, running past the timeout, and the
 * stop flag. No assertion is about time: a broken bound shows as a test that
 * never ends (meson's timeout), a kept process or a file past its limit.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/proc.h"

static char dir[64];

static proc_limits limits(double timeout)
{
    proc_limits l = {.timeout = timeout, .grace = 0.3, .max_stdout = 4096, .max_stderr = 1024,
                     .max_file_size = 1u << 20};
    return l;
}

static proc_result run_cmd(const char *cmd, const proc_limits *l)
{
    proc_spec spec = {cmd, NULL, dir};
    proc_result r;
    assert_int_equal(proc_run(&spec, l, NULL, &r), 0);
    return r;
}

/* Is process @p pid gone (absent, or a zombie waiting for its new parent) now? */
static int gone_now(long pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close_paren = strrchr(buf, ')');
    return close_paren != NULL && (close_paren[2] == 'Z' || close_paren[2] == 'X');
}

/*
 * Is it gone within 5 s? A SIGKILL sent to a group is delivered
 * asynchronously: on a loaded machine a member may still be scheduled to die
 * when the call that killed it has returned.
 */
static int gone(long pid)
{
    for (int tries = 0; tries < 500; tries++) {
        if (gone_now(pid))
            return 1;
        usleep(10000);
    }
    return 0;
}

/* The number in file @p name of the temporary directory (a pid a command wrote). */
static long read_pid(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (int tries = 0; tries < 200; tries++) { /* written by a background process: wait for it */
        FILE *f = fopen(path, "r");
        long pid = 0;
        if (f != NULL) {
            int ok = fscanf(f, "%ld", &pid) == 1;
            fclose(f);
            if (ok && pid > 0)
                return pid;
        }
        usleep(50000);
    }
    fail_msg("no pid in %s", path);
    return -1;
}

static void test_exit_and_output(void **state)
{
    (void)state;
    proc_limits l = limits(60);
    proc_result r = run_cmd("printf 'out put'; printf 'an error' >&2; exit 3", &l);
    assert_true(r.exited);
    assert_int_equal(r.exit_status, 3);
    assert_false(r.timed_out);
    assert_string_equal(r.out, "out put");
    assert_string_equal(r.err, "an error");
    assert_int_equal(r.out_total, 7);
    proc_result_free(&r);
    /* TMPDIR is the one given; standard input is empty. */
    r = run_cmd("printf '%s' \"$TMPDIR\"; cat", &l);
    assert_string_equal(r.out, dir);
    proc_result_free(&r);
}

static void test_signal(void **state)
{
    (void)state;
    proc_limits l = limits(60);
    proc_result r = run_cmd("kill -SEGV $$", &l);
    assert_false(r.exited);
    assert_int_equal(r.signal, SIGSEGV);
    assert_false(r.timed_out);
    proc_result_free(&r);
}

/* Endless output on both streams: kept up to the caps, and stopped at the timeout. */
static void test_flood(void **state)
{
    (void)state;
    proc_limits l = limits(1.0);
    proc_result r = run_cmd("yes stderr-line >&2 & exec yes", &l);
    assert_true(r.timed_out);
    assert_int_equal(r.out_len, l.max_stdout);
    assert_true(r.out_total > l.max_stdout);
    assert_true(r.err_total > l.max_stderr);
    assert_non_null(strstr(r.err, " bytes ...]\n")); /* head, the count dropped, tail */
    assert_true(r.err_len < l.max_stderr + 64);
    proc_result_free(&r);
    /* A large output that ends: read to the end (the writer is never blocked), not a timeout. */
    l = limits(120);
    r = run_cmd("head -c 20000000 /dev/zero; echo done >&2", &l);
    assert_false(r.timed_out);
    assert_true(r.exited);
    assert_int_equal(r.exit_status, 0);
    assert_int_equal(r.out_total, 20000000);
    assert_int_equal(r.out_len, l.max_stdout);
    assert_string_equal(r.err, "done\n");
    proc_result_free(&r);
}

/* A forked process that outlives the child is killed with its group: the run does not wait for it. */
static void test_fork(void **state)
{
    (void)state;
    proc_limits l = limits(60);
    proc_result r = run_cmd("sleep 600 & echo $! > \"$TMPDIR/forked\"; exit 0", &l);
    assert_false(r.timed_out);
    assert_true(r.exited);
    assert_true(gone(read_pid("forked")));
    proc_result_free(&r);
    /* A fork bomb's first generations, all in the group: all killed at the timeout. */
    l = limits(1.0);
    r = run_cmd("for i in 1 2 3 4; do (while :; do sleep 1; done) & done; "
                "echo $! > \"$TMPDIR/looper\"; wait", &l);
    assert_true(r.timed_out);
    assert_true(gone(read_pid("looper")));
    proc_result_free(&r);
}

/* A child that ignores SIGTERM gets SIGKILL after the grace period. */
static void test_sigterm_ignored(void **state)
{
    (void)state;
    proc_limits l = limits(0.5);
    proc_result r = run_cmd("trap '' TERM; echo $$ > \"$TMPDIR/stubborn\"; "
                            "while :; do sleep 1; done", &l);
    assert_true(r.timed_out);
    assert_true(r.sigkilled);
    assert_int_equal(r.signal, SIGKILL);
    assert_true(gone(read_pid("stubborn")));
    proc_result_free(&r);
}

/* A huge file stops at the file-size limit (SIGXFSZ). */
static void test_huge_file(void **state)
{
    (void)state;
    proc_limits l = limits(60);
    proc_result r = run_cmd("exec head -c 100000000 /dev/zero > \"$TMPDIR/huge\"", &l);
    assert_false(r.timed_out);
    assert_int_equal(r.signal, SIGXFSZ);
    char path[128];
    struct stat sb;
    snprintf(path, sizeof path, "%s/huge", dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_true((uint64_t)sb.st_size <= l.max_file_size);
    unlink(path);
    proc_result_free(&r);
}

/*
 * A descendant that leaves the process group (setsid) is out of reach of
 * killpg; it may keep the pipes open, but the run still returns once the
 * child is gone (PROC_DRAIN_SECONDS later). The test ends the escapee itself.
 */
static void test_escaped_descendant(void **state)
{
    (void)state;
    proc_limits l = limits(60);
    proc_result r = run_cmd("setsid sh -c 'echo $$ > \"$TMPDIR/escaped\"; exec sleep 600' & "
                            "while [ ! -s \"$TMPDIR/escaped\" ]; do sleep 0.05; done; exit 5", &l);
    assert_false(r.timed_out);
    assert_true(r.exited);
    assert_int_equal(r.exit_status, 5);
    long pid = read_pid("escaped");
    kill((pid_t)pid, SIGKILL);
    proc_result_free(&r);
}

/* The stop flag (set by a signal handler in heapev probe) stops the group like a timeout. */
static void test_stop_flag(void **state)
{
    (void)state;
    static volatile sig_atomic_t stop = 1;
    proc_limits l = limits(600);
    proc_spec spec = {"sleep 600", NULL, dir};
    proc_result r;
    assert_int_equal(proc_run(&spec, &l, &stop, &r), 0);
    assert_true(r.stopped);
    assert_false(r.timed_out);
    assert_int_equal(r.signal, SIGTERM);
    proc_result_free(&r);
}

static void test_stdin_and_missing_input(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/in", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("given input", f);
    fclose(f);
    proc_limits l = limits(60);
    proc_spec spec = {"cat", path, NULL};
    proc_result r;
    assert_int_equal(proc_run(&spec, &l, NULL, &r), 0);
    assert_string_equal(r.out, "given input");
    proc_result_free(&r);
    unlink(path);
    spec.stdin_path = "/nonexistent/input";
    assert_int_equal(proc_run(&spec, &l, NULL, &r), -1);
    assert_int_equal(errno, ENOENT);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/heapev-proc-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return perror("mkdtemp"), 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_and_output),
        cmocka_unit_test(test_signal),
        cmocka_unit_test(test_flood),
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_sigterm_ignored),
        cmocka_unit_test(test_huge_file),
        cmocka_unit_test(test_escaped_descendant),
        cmocka_unit_test(test_stop_flag),
        cmocka_unit_test(test_stdin_and_missing_input),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
    return rc;
}
