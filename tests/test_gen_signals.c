/*
 * test_gen_signals.c - `heapev gen` stopped by SIGINT / SIGTERM / SIGHUP:
 * no partial or temporary file is left, --out DIR keeps a
 * manifest that lists exactly the files written (a byte-exact prefix of an
 * uninterrupted run's), an interrupted .etl leaves the previous trace and
 * manifest untouched, and the exit status is 128 + the signal. Also a
 * read-only directory as --out.
 *
 * Usage: test-gen-signals HEAPEV
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "cmocka_all.h"
#include "cli_json.h"

/* 1 while a test wants the child to start with SIGHUP ignored, as under nohup. */
static int child_ignores_hup;

/*
 * Start heapev with @p args (NULL-terminated), stdout/stderr to files; returns
 * its pid. The child starts with the stop signals at their defaults whatever
 * this process inherited (a test run under nohup must still test SIGHUP).
 */
static pid_t start(const char *const *args, const char *err_file)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, child_ignores_hup ? SIG_IGN : SIG_DFL);
        int out = open("/dev/null", O_WRONLY);
        int err = open(err_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        heapev_execv(heapev_bin, args);
        _exit(127);
    }
    return pid;
}

static void sleep_ms(long ms);

/* Reap @p pid; a child still running after 60 s (x slowdown) is killed and the test fails. */
static int wait_exit(pid_t pid)
{
    int status;
    pid_t got = 0;
    for (long i = 0; i < 6000L * heapev_exec_slowdown() && got == 0; i++) {
        got = waitpid(pid, &status, WNOHANG);
        if (got == 0)
            sleep_ms(10);
    }
    if (got == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("heapev (pid %ld) still running 60 s after its signal", (long)pid);
    }
    assert_int_equal(got, pid);
    assert_true(WIFEXITED(status)); /* handled: not killed by the signal */
    return WEXITSTATUS(status);
}

static int run_quiet(const char *const *args)
{
    return wait_exit(start(args, tmp_path("quiet.err")));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Files in @p dir: *.bin count into @p bins, names starting with '.' into @p hidden. */
static void count_dir(const char *dir, size_t *bins, size_t *hidden)
{
    *bins = *hidden = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] == '.')
            ++*hidden;
        else if (strlen(e->d_name) > 4 && strcmp(e->d_name + strlen(e->d_name) - 4, ".bin") == 0)
            ++*bins;
    }
    closedir(d);
}

/* The XXH128 of file @p dir/@p name as 32 hex digits, computed here, not by heapev. */
static void file_xxh128(const char *dir, const char *name, char hex[33])
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *data = slurp(path, &len);
    XXH128_hash_t h = XXH3_128bits(data, len);
    snprintf(hex, 33, "%016llx%016llx", (unsigned long long)h.high64, (unsigned long long)h.low64);
    free(data);
}

/* Nonzero when heapev (@p pid) has exited; it is left for wait_exit() to reap. */
static int has_exited(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/*
 * Poll until @p dir holds at least @p n .bin files (at most 30 s, 300 s under
 * an exe wrapper), or heapev (@p pid) has exited and so never will.
 */
static void wait_for_bins(const char *dir, size_t n, pid_t pid)
{
    size_t bins = 0, hidden;
    for (int i = 0; i < 3000 * heapev_exec_slowdown() && bins < n; i++) {
        int gone = has_exited(pid); /* before counting: the count is then final */
        sleep_ms(10);
        count_dir(dir, &bins, &hidden);
        if (gone)
            break;
    }
    assert_true(bins >= n);
}

/*
 * Every manifest line names a file that exists and hashes to its name, the
 * lines name every .bin file present, and nothing temporary is left.
 * Returns the number of lines.
 */
static size_t check_manifest(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
    size_t len, lines = 0, bins, hidden;
    char *mf = slurp(path, &len);
    assert_true(len == 0 || mf[len - 1] == '\n'); /* every line whole */
    jsonl manifest = jsonl_start(mf, len);
    for (json_t *o; (o = jsonl_next(&manifest)) != NULL; json_decref(o)) {
        const char *name = json_string_value(json_object_get(o, "file"));
        assert_non_null(name);
        assert_int_equal(strlen(name), 32 + 4);
        assert_string_equal(name + 32, ".bin");
        char hex[33];
        file_xxh128(dir, name, hex);
        assert_memory_equal(hex, name, 32);
        lines++;
    }
    free(mf);
    count_dir(dir, &bins, &hidden);
    assert_int_equal(hidden, 0);
    assert_true(bins <= lines); /* duplicates share a file */
    assert_true(bins > 0);
    return lines;
}

static void stop_files_run(int sig)
{
    char dir[64], count[32];
    snprintf(dir, sizeof dir, "files-%d", sig);
    const char *out = tmp_path(dir);
    const char *args[] = {"gen", "--seed", "5", "--count", "50000000", "--malformed", "0.3",
                          "--out", out, NULL};
    pid_t pid = start(args, tmp_path("files.err"));
    wait_for_bins(out, 300, pid);
    assert_int_equal(kill(pid, sig), 0);
    assert_int_equal(wait_exit(pid), 128 + sig);
    char *err = slurp(tmp_path("files.err"), NULL);
    assert_non_null(strstr(err, "interrupted"));
    assert_non_null(strstr(err, "manifest.jsonl"));
    free(err);
    size_t lines = check_manifest(out);
    assert_true(lines >= 300);

    /* The kept manifest is byte for byte what a run of that many events writes. */
    snprintf(count, sizeof count, "%zu", lines);
    const char *whole = tmp_path("whole");
    const char *again[] = {"gen", "--seed", "5", "--count", count, "--malformed", "0.3",
                           "--out", whole, NULL};
    assert_int_equal(run_quiet(again), 0);
    char path_a[600], path_b[600];
    snprintf(path_a, sizeof path_a, "%s/manifest.jsonl", out);
    snprintf(path_b, sizeof path_b, "%s/manifest.jsonl", whole);
    size_t la, lb;
    char *a = slurp(path_a, &la), *b = slurp(path_b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
    size_t bins_a, bins_b, hidden;
    count_dir(out, &bins_a, &hidden);
    count_dir(whole, &bins_b, &hidden);
    assert_int_equal(bins_a, bins_b); /* and the same files, no orphan */
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", whole);
    assert_int_equal(system(cmd), 0);
}

static void test_files_sigint(void **state)
{
    (void)state;
    stop_files_run(SIGINT);
}

static void test_files_sigterm(void **state)
{
    (void)state;
    stop_files_run(SIGTERM);
}

/* Poll until @p dir holds a temporary (dot) file: the trace being written (as above). */
static void wait_for_hidden(const char *dir, pid_t pid)
{
    size_t bins, hidden = 0;
    for (int i = 0; i < 3000 * heapev_exec_slowdown() && hidden == 0; i++) {
        int gone = has_exited(pid);
        sleep_ms(10);
        count_dir(dir, &bins, &hidden);
        if (gone)
            break;
    }
    assert_true(hidden > 0);
}

static void stop_etl_run(int sig)
{
    char sub[64];
    snprintf(sub, sizeof sub, "etl-%d", sig);
    const char *dir = tmp_path(sub);
    assert_int_equal(mkdir(dir, 0755), 0);
    char trace[600], manifest[600];
    snprintf(trace, sizeof trace, "%s/t.etl", dir);
    snprintf(manifest, sizeof manifest, "%s/t.etl.manifest.jsonl", dir);
    /* A previous trace, which an interrupted run must leave as it was. */
    const char *first[] = {"gen", "--format", "etl", "--count", "100", "--out", trace, NULL};
    assert_int_equal(run_quiet(first), 0);
    size_t lt, lm;
    char *old_trace = slurp(trace, &lt), *old_manifest = slurp(manifest, &lm);

    const char *args[] = {"gen", "--format", "etl", "--count", "200000000", "--noise", "0.2",
                          "--out", trace, NULL};
    pid_t pid = start(args, tmp_path("etl.err"));
    wait_for_hidden(dir, pid);
    sleep_ms(200L * heapev_exec_slowdown()); /* well into the writing */
    assert_int_equal(kill(pid, sig), 0);
    assert_int_equal(wait_exit(pid), 128 + sig);
    char *err = slurp(tmp_path("etl.err"), NULL);
    assert_non_null(strstr(err, "interrupted"));
    free(err);

    size_t nt, nm, bins, hidden;
    char *new_trace = slurp(trace, &nt), *new_manifest = slurp(manifest, &nm);
    assert_int_equal(nt, lt);
    assert_memory_equal(new_trace, old_trace, lt);
    assert_int_equal(nm, lm);
    assert_memory_equal(new_manifest, old_manifest, lm);
    count_dir(dir, &bins, &hidden);
    assert_int_equal(hidden, 0); /* no temporary trace or manifest left */
    free(old_trace);
    free(old_manifest);
    free(new_trace);
    free(new_manifest);
}

static void test_etl_sigint(void **state)
{
    (void)state;
    stop_etl_run(SIGINT);
}

static void test_etl_sighup(void **state)
{
    (void)state;
    stop_etl_run(SIGHUP);
}

/* A signal the caller ignores (nohup) stays ignored: the run completes. */
static void test_ignored_signal_stays_ignored(void **state)
{
    (void)state;
    const char *out = tmp_path("nohup");
    const char *args[] = {"gen", "--seed", "9", "--count", "20000", "--out", out, NULL};
    child_ignores_hup = 1; /* SIG_IGN is inherited across exec */
    pid_t pid = start(args, tmp_path("nohup.err"));
    child_ignores_hup = 0;
    wait_for_bins(out, 50, pid);
    kill(pid, SIGHUP);
    assert_int_equal(wait_exit(pid), 0);
    assert_int_equal(check_manifest(out), 20000);
}

/* A directory nobody may write into: one line naming it, exit 2, nothing created. */
static void test_read_only_dir(void **state)
{
    (void)state;
    const char *dir = tmp_path("ro");
    assert_int_equal(mkdir(dir, 0555), 0);
    int probe = open(tmp_path("ro/probe"), O_WRONLY | O_CREAT, 0644);
    if (probe >= 0) { /* root ignores the mode bits: /proc/self is read-only for root too */
        close(probe);
        unlink(tmp_path("ro/probe"));
        dir = "/proc/self";
    }
    const char *files[] = {"gen", "--count", "10", "--out", dir, NULL};
    assert_int_equal(run_quiet(files), 2);
    char *err = slurp(tmp_path("quiet.err"), NULL);
    assert_non_null(strstr(err, dir));
    assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err)); /* one line */
    free(err);
    char etl[600];
    snprintf(etl, sizeof etl, "%s/t.etl", dir);
    const char *trace[] = {"gen", "--format", "etl", "--count", "10", "--out", etl, NULL};
    assert_int_equal(run_quiet(trace), 2);
    err = slurp(tmp_path("quiet.err"), NULL);
    assert_non_null(strstr(err, dir));
    free(err);
    size_t bins, hidden;
    count_dir(tmp_path("ro"), &bins, &hidden);
    assert_int_equal(bins + hidden, 0);
}

static int teardown(void **state)
{
    (void)state;
    return cli_tmpdir_remove();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s HEAPEV\n", argv[0]);
        return 2;
    }
    heapev_bin = argv[1];
    if (cli_tmpdir_create("sig") != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_sigint),
        cmocka_unit_test(test_files_sigterm),
        cmocka_unit_test(test_etl_sigint),
        cmocka_unit_test(test_etl_sighup),
        cmocka_unit_test(test_ignored_signal_stays_ignored),
        cmocka_unit_test(test_read_only_dir),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
