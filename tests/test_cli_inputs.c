/*
 * test_cli_inputs.c - what heapev reads and how it reports it: bounded
 * memory on inputs far larger than any record (max RSS of the child from
 * wait4, no timing), exact trailing_bytes for a record that runs to the end,
 * the "file" key of a name that is not UTF-8, "kind" in record mode, error
 * lines (a directory, a full stdout, extra arguments), a FIFO's byte count,
 * format detection (.etl by its header, a directory's manifest, subdirectories,
 * the all-ambiguous warning), manifest files missing, and explain's dates,
 * TERM=dumb and fields it did not decode.
 *
 * Usage: test-cli-inputs HEAPEV [REALETL_DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmocka_all.h"
#include "cli_json.h"

static const char *realetl_dir;

/* Bytes of zeros fed after the header: far more than a window (128 KiB) or a record. */
#define BIG_INPUT (192u << 20)
/* What a child that holds a window, not its input, stays under (ASan builds included). */
#define RSS_BOUND_KB (96u * 1024u)

typedef struct fed_run {
    int status;
    long maxrss_kb;
} fed_run;

/*
 * Run heapev with @p args, its stdin a pipe fed @p head then @p zeros zero
 * bytes (the feeding stops when heapev stops reading), stdout and stderr to
 * tmp files "fed.out" / "fed.err". Its exit status and max RSS.
 */
static fed_run run_fed(const char *const *args, const void *head, size_t head_len, size_t zeros)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int out = open(tmp_path("fed.out"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(tmp_path("fed.err"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0 || err < 0 || dup2(fds[0], 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        close(fds[1]);
        heapev_execv(heapev_bin, args);
        _exit(127);
    }
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    static char chunk[65536];
    int ok = write(fds[1], head, head_len) == (ssize_t)head_len;
    for (size_t sent = 0; ok && sent < zeros; sent += sizeof chunk)
        ok = write(fds[1], chunk, sizeof chunk) == (ssize_t)sizeof chunk;
    close(fds[1]);
    int status;
    struct rusage ru;
    assert_int_equal(wait4(pid, &status, 0, &ru), pid);
    fed_run r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ru.ru_maxrss};
    return r;
}

/* A SYSTEM64 heap Alloc header whose Size (0) does not delimit it: it runs to the end. */
static const uint8_t open_record[8] = {0x02, 0x00, 0x02, 0xC0, 0x00, 0x00, 0x21, 0x10};

static void expect_bounded(const fed_run *r, const char *what)
{
    if (r->maxrss_kb > (long)RSS_BOUND_KB)
        fail_msg("%s: max RSS %ld KiB for a %u MiB input", what, r->maxrss_kb, BIG_INPUT >> 20);
}

/* Defect 2: a bare payload can be no longer than a record: one line, at once, small. */
static void test_payload_input_is_capped(void **state)
{
    (void)state;
    const char *args[] = {"decode", "-", NULL};
    fed_run r = run_fed(args, "", 0, BIG_INPUT);
    expect_bounded(&r, "decode -");
    assert_int_equal(r.status, 2);
    char *err = slurp(tmp_path("fed.err"), NULL);
    assert_int_equal(count_lines(err), 1);
    assert_non_null(strstr(err, "<stdin>: more than 65535 bytes"));
    free(err);
}

/* Defect 2: a record running to the end of a huge input: counted, not held; exact. */
static void test_record_to_end_is_counted(void **state)
{
    (void)state;
    const char *args[] = {"decode", "--record", "--json", "-", NULL};
    fed_run r = run_fed(args, open_record, sizeof open_record, BIG_INPUT);
    expect_bounded(&r, "decode --record");
    assert_int_equal(r.status, 1);
    char *out = slurp(tmp_path("fed.out"), NULL);
    assert_int_equal(count_lines(out), 1);
    json_t *o = jsonl_line(out, 0);
    /* Header 32 + payload 28 bytes; every other byte of the input trails. */
    json_int_t want = (json_int_t)sizeof open_record + BIG_INPUT - 60;
    assert_int_equal(json_integer_value(json_object_get(o, "trailing_bytes")), want);
    heapev_findings f = json_findings(json_object_get(o, "findings"));
    assert_true(f & HEAPEV_FINDING(HEADER_SIZE_MISMATCH));
    assert_true(f & HEAPEV_FINDING(TRAILING_BYTES));
    json_decref(o);
    free(out);
}

/* Defect 2: explain and stats on the same input stay small and count every byte. */
static void test_explain_and_stats_bounded(void **state)
{
    (void)state;
    const char *ex[] = {"explain", "--record", "-", NULL};
    fed_run r = run_fed(ex, open_record, sizeof open_record, BIG_INPUT);
    expect_bounded(&r, "explain --record");
    assert_int_equal(r.status, 1);
    char *out = slurp(tmp_path("fed.out"), NULL), want[64];
    snprintf(want, sizeof want, "record, 64-bit, %u bytes", (unsigned)sizeof open_record + BIG_INPUT);
    if (strstr(out, want) == NULL)
        fail_msg("no '%s' in:\n%.600s", want, out);
    free(out);

    const char *st[] = {"stats", "--record", "--json", "/dev/stdin", NULL};
    r = run_fed(st, open_record, sizeof open_record, BIG_INPUT);
    expect_bounded(&r, "stats --record");
    assert_int_equal(r.status, 1);
    out = slurp(tmp_path("fed.out"), NULL);
    json_t *o = jsonl_line(out, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "bytes")), sizeof open_record + BIG_INPUT);
    assert_int_equal(json_integer_value(json_object_get(o, "events")), 1);
    json_decref(o);
    free(out);
}

/* Defect 5: a FIFO holding a trace counts the trace's bytes, not st_size (0). */
static void test_stats_fifo_bytes(void **state)
{
    (void)state;
    const char *trace = tmp_path("fifo.etl");
    const char *gen[] = {"gen", "--format", "etl", "--count", "50", "--out", trace, NULL};
    assert_int_equal(run_exit(NULL, gen), 0);
    size_t len;
    char *bytes = slurp(trace, &len);
    const char *st[] = {"stats", "--etl", "--json", "/dev/stdin", NULL};
    fed_run r = run_fed(st, bytes, len, 0);
    assert_int_equal(r.status, 0);
    char *out = slurp(tmp_path("fed.out"), NULL);
    json_t *o = jsonl_line(out, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "bytes")), len);
    assert_int_equal(json_integer_value(json_object_get(o, "events")), 50);
    json_decref(o);
    free(out), free(bytes);
}

/* A name with a byte that is not UTF-8: "/tmp/.../\xffNAME". */
static const char *latin1_name(const char *name)
{
    char raw[64];
    snprintf(raw, sizeof raw, "\xff%s", name);
    return tmp_path(raw);
}

static void expect_file_keys(const char *out, const char *path)
{
    char hex[1024];
    for (size_t i = 0; path[i] != '\0'; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)path[i]);
    json_t *arr = jsonl_array(out, strlen(out));
    assert_true(json_array_size(arr) > 0);
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) {
        const char *file = json_string_value(json_object_get(o, "file"));
        assert_non_null(file);
        assert_non_null(strstr(file, "\xEF\xBF\xBD")); /* U+FFFD where the byte was */
        assert_string_equal(json_string_value(json_object_get(o, "file_bytes")), hex);
    }
    json_decref(arr);
}

/* Defect 3: "file" is always there, the name whole in "file_bytes". */
static void test_file_key_not_utf8(void **state)
{
    (void)state;
    const char *p = latin1_name("p.bin"), *t = latin1_name("t.etl");
    write_file(p, "0123456789abcdef", 16);
    const char *gen[] = {"gen", "--format", "etl", "--count", "3", "--out", t, NULL};
    assert_int_equal(run_exit(NULL, gen), 0);
    const char *a[] = {"decode", "--json", p, NULL};
    const char *b[] = {"decode", "--etl", "--json", t, NULL};
    const char *c[] = {"decode", "--etl", "--summary", "--json", t, NULL};
    const char *const *cases[] = {a, b, c};
    const char *paths[] = {p, t, t};
    for (size_t k = 0; k < 3; k++) {
        run_result r = run(cases[k]);
        assert_true(r.status == 0 || r.status == 1);
        expect_file_keys(r.out, paths[k]);
        free_result(&r);
    }
}

/* Defect 4: whatever is read with --record is a record, however little of it there is. */
static void test_kind_in_record_mode(void **state)
{
    (void)state;
    write_file(tmp_path("trunc.rec"), open_record, sizeof open_record);
    write_file(tmp_path("one.rec"), "x", 1);
    write_file(tmp_path("empty.rec"), "", 0);
    const char *args[] = {"decode", "--record", "--json", tmp_path("trunc.rec"), tmp_path("one.rec"),
                          tmp_path("empty.rec"), NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.out), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *o = jsonl_line(r.out, i);
        assert_string_equal(json_string_value(json_object_get(o, "kind")), "record");
        json_decref(o);
    }
    free_result(&r);
    const char *ex[] = {"explain", "--record", tmp_path("one.rec"), NULL};
    r = run(ex);
    assert_non_null(strstr(r.out, "@0: record, "));
    free_result(&r);
}

static void expect_one_error_line(const run_result *r, const char *needle)
{
    if (r->status != 2 || count_lines(r->err) != 1 || strstr(r->err, needle) == NULL)
        fail_msg("want exit 2 and one line with '%s'; got %d:\n%s", needle, r->status, r->err);
}

/* Defect 5: one line with the real reason, exit 2. */
static void test_error_lines(void **state)
{
    (void)state;
    mkdir(tmp_path("adir"), 0700);
    const char *dir[] = {"decode", "--etl", tmp_path("adir"), NULL};
    run_result r = run(dir);
    expect_one_error_line(&r, "adir: is a directory");
    free_result(&r);

    const char *trace = tmp_path("full.etl");
    const char *gen[] = {"gen", "--format", "etl", "--count", "200", "--out", trace, NULL};
    assert_int_equal(run_exit(NULL, gen), 0);
    const char *full[] = {"decode", "--etl", trace, NULL};
    r = run_to("/dev/full", full);
    expect_one_error_line(&r, "<stdout>: write error: No space left on device");
    free_result(&r);

    const char *help[] = {"--help", NULL}, *hgen[] = {"help", "gen", NULL};
    const char *ver[] = {"--version", NULL};
    const char *const *to_full[] = {help, hgen, ver};
    for (size_t i = 0; i < 3; i++) {
        r = run_to("/dev/full", to_full[i]);
        expect_one_error_line(&r, "<stdout>: write error");
        free_result(&r);
    }
    const char *hx[] = {"help", "decode", "extra", NULL}, *vx[] = {"--version", "extra", NULL};
    r = run(hx);
    expect_one_error_line(&r, "'extra' is extra");
    assert_string_equal(r.out, "");
    free_result(&r);
    r = run(vx);
    expect_one_error_line(&r, "'extra' is extra");
    assert_string_equal(r.out, "");
    free_result(&r);
}

/* A directory of @p n payload files of 20 bytes (length_ambiguous), no manifest. */
static const char *ambiguous_dir(const char *name, int n)
{
    const char *d = tmp_path(name);
    mkdir(d, 0700);
    for (int i = 0; i < n; i++) {
        char f[64];
        snprintf(f, sizeof f, "%s/%d.bin", name, i);
        write_file(tmp_path(f), "01234567890123456789", 20);
    }
    return d;
}

/* Format detection: .etl by its header; a warning when every file is ambiguous. */
static void test_format_detection(void **state)
{
    (void)state;
    const char *tdir = tmp_path("traces");
    mkdir(tdir, 0700);
    const char *gen[] = {"gen", "--format", "etl", "--count", "20", "--out", tmp_path("traces/a.etl"),
                         "--manifest", tmp_path("a.manifest"), NULL};
    assert_int_equal(run_exit(NULL, gen), 0);
    const char *dec[] = {"decode", "--json", tmp_path("traces/a.etl"), NULL};
    run_result r = run(dec);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), 20);
    json_t *o = jsonl_line(r.out, 0);
    assert_non_null(json_object_get(o, "buffer")); /* read as a trace */
    json_decref(o);
    free_result(&r);

    const char *st[] = {"stats", "--json", tdir, NULL};
    r = run(st);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "length_ambiguous"));
    assert_non_null(strstr(r.out, "\"events\":20"));
    free_result(&r);

    const char *amb = ambiguous_dir("amb", 3);
    const char *sa[] = {"stats", amb, NULL};
    r = run(sa);
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "warning: all 3 files are length_ambiguous"));
    free_result(&r);
    const char *da[] = {"decode", tmp_path("amb/0.bin"), tmp_path("amb/1.bin"), NULL};
    r = run(da);
    assert_non_null(strstr(r.err, "warning: all 2 files are length_ambiguous"));
    free_result(&r);
}

/* A record corpus decoded with no format: its manifest says record. */
static void test_format_from_manifest(void **state)
{
    (void)state;
    const char *d = tmp_path("recs");
    const char *gen[] = {"gen", "--format", "record", "--count", "5", "--out", d, NULL};
    assert_int_equal(run_exit(NULL, gen), 0);
    json_t *m = jsonl_load(tmp_path("recs/manifest.jsonl"));
    char path[512];
    snprintf(path, sizeof path, "%s/%s", d,
             json_string_value(json_object_get(json_array_get(m, 0), "file")));
    json_decref(m);
    const char *dec[] = {"decode", "--json", path, NULL};
    run_result r = run(dec);
    assert_int_equal(r.status, 0);
    json_t *o = jsonl_line(r.out, 0);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "record");
    json_decref(o);
    free_result(&r);
}

/* stats DIR with subdirectories counts their files; a corpus pruned or padded says so. */
static void test_stats_subdirs_and_missing(void **state)
{
    (void)state;
    const char *top = tmp_path("corpus");
    mkdir(top, 0700);
    const char *g1[] = {"gen", "--count", "6", "--bits", "64", "--out", tmp_path("corpus/p"), NULL};
    const char *g2[] = {"gen", "--count", "4", "--format", "record", "--out", tmp_path("corpus/r"), NULL};
    assert_int_equal(run_exit(NULL, g1), 0);
    assert_int_equal(run_exit(NULL, g2), 0);
    const char *st[] = {"stats", "--json", top, NULL};
    run_result r = run(st);
    assert_int_equal(r.status, 0);
    json_t *o = jsonl_line(r.out, 0);
    json_int_t files = json_integer_value(json_object_get(o, "files"));
    assert_true(files >= 8 && files <= 10); /* distinct events only: duplicates share a file */
    json_decref(o);
    free_result(&r);

    json_t *m = jsonl_load(tmp_path("corpus/p/manifest.jsonl"));
    char victim[512];
    snprintf(victim, sizeof victim, "%s/%s", tmp_path("corpus/p"),
             json_string_value(json_object_get(json_array_get(m, 0), "file")));
    json_decref(m);
    assert_int_equal(unlink(victim), 0);
    write_file(tmp_path("corpus/p/stray.bin"), "0123456789abcdef", 16);
    const char *sp[] = {"stats", "--json", tmp_path("corpus/p"), NULL};
    r = run(sp);
    o = jsonl_line(r.out, 0);
    json_t *man = json_object_get(o, "manifest");
    assert_int_equal(json_integer_value(json_object_get(man, "missing_files")), 1);
    assert_int_equal(json_integer_value(json_object_get(man, "files_not_listed")), 1);
    json_decref(o);
    free_result(&r);
    const char *text[] = {"stats", tmp_path("corpus/p"), NULL};
    r = run(text);
    assert_non_null(strstr(r.out, "manifest files missing: 1; files not in the manifest: 1"));
    free_result(&r);
}

/* explain: a field the decoder did not read has no value, as decode says null. */
static void test_explain_no_value_when_not_decoded(void **state)
{
    (void)state;
    static const uint8_t cut[18] = {0x00, 0x00, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, 0x28};
    write_file(tmp_path("cut.bin"), cut, sizeof cut);
    const char *ej[] = {"explain", "--json", "--bits", "64", tmp_path("cut.bin"), NULL};
    run_result r = run(ej);
    json_t *list = json_list(r.out, r.out_len);
    json_t *handle = range_at(list, 0, "HeapHandle");
    assert_true(json_is_null(json_object_get(handle, "value")));
    json_decref(list);
    free_result(&r);
    const char *et[] = {"explain", "--bits", "64", tmp_path("cut.bin"), NULL};
    r = run(et);
    assert_non_null(strstr(r.out, "HeapHandle         (not decoded)"));
    free_result(&r);
}

/* Output of `heapev explain FILE` on a terminal with TERM=@p term. */
static char *explain_on_tty(const char *term, const char *file)
{
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("TERM", term, 1);
        unsetenv("NO_COLOR");
        const char *args[] = {"explain", file, NULL};
        heapev_execv(heapev_bin, args);
        _exit(127);
    }
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(cap, 1);
    ssize_t got;
    while (n + 1 < cap && (got = read(master, out + n, cap - 1 - n)) > 0)
        n += (size_t)got;
    close(master);
    waitpid(pid, NULL, 0);
    return out;
}

/* explain: no colour under TERM=dumb, colour on an ordinary terminal. */
static void test_explain_term_dumb(void **state)
{
    (void)state;
    static const uint8_t odd[28] = {0x00, 0x00, 0xE5, 0xA0, 0xD2, 0x01, 0, 0, 0x28, 0, 0, 0, 0, 0, 0, 0,
                                    0x31, 0x12, 0xE5, 0xA0, 0xD2, 0x01, 0, 0, 0x07};
    write_file(tmp_path("odd.bin"), odd, sizeof odd); /* misaligned, Source 7: findings to colour */
    char *plain = explain_on_tty("dumb", tmp_path("odd.bin"));
    char *colour = explain_on_tty("xterm", tmp_path("odd.bin"));
    assert_non_null(strstr(plain, "source_undefined"));
    assert_null(strchr(plain, '\033'));
    assert_non_null(strchr(colour, '\033'));
    free(plain), free(colour);
}

/* explain --etl: timestamps with their dates; a real trace's StartTime as its name says. */
static void test_explain_dates(void **state)
{
    (void)state;
    const char *trace = tmp_path("dated.etl");
    const char *gen[] = {"gen", "--format", "etl", "--count", "3", "--out", trace, NULL};
    assert_int_equal(run_exit(NULL, gen), 0);
    const char *args[] = {"explain", "--etl", "--json", trace, NULL};
    run_result r = run(args);
    json_t *list = json_list(r.out, r.out_len);
    size_t i, dated = 0;
    json_t *o;
    const char *start = NULL, *header = NULL;
    json_array_foreach(list, i, o) {
        const char *field = json_string_value(json_object_get(o, "field"));
        const char *date = json_string_value(json_object_get(o, "date"));
        dated += date != NULL;
        if (date != NULL && strcmp(field, "StartTime") == 0)
            start = date;
        if (date != NULL && strcmp(field, "SystemTime") == 0 && header == NULL)
            header = date; /* the logfile header record's: the clock at StartTime */
    }
    assert_true(dated >= 5);
    assert_non_null(start);
    assert_non_null(header);
    assert_string_equal(start, header);
    json_decref(list);
    free_result(&r);

    if (realetl_dir == NULL)
        return;
    char real[1024];
    snprintf(real, sizeof real, "%s/s4_waasmedic.20251005_113019_195.etl", realetl_dir);
    if (!path_exists(real))
        return;
    const char *rargs[] = {"explain", "--etl", real, NULL};
    r = run(rargs);
    /* Named by its local start time 11:30:19.195; the header says 11:30:19.2015908 UTC. */
    assert_non_null(strstr(r.out, "logfile.StartTime          134041374192015908   timestamp, "
                                  "2025-10-05T11:30:19.2015908Z"));
    free_result(&r);
}

/*
 * Every real trace is told an .etl by its first bytes: decode with no format
 * reads it as one (its "buffer" key, or its summary counts under stats), and
 * finds nothing, as with --etl (EXPECTED.tsv: undamaged, no heap Alloc).
 */
static void test_real_traces_detected(void **state)
{
    (void)state;
    if (realetl_dir == NULL)
        skip();
    char tsv[1024], line[1024], path[1200];
    snprintf(tsv, sizeof tsv, "%s/EXPECTED.tsv", realetl_dir);
    FILE *f = fopen(tsv, "r");
    if (f == NULL)
        skip();
    unsigned n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char name[512];
        unsigned long buffers;
        if (line[0] == '#' ||
            sscanf(line, "%511s %*s %*s %*s %*s %*s %lu", name, &buffers) != 2)
            continue;
        snprintf(path, sizeof path, "%s/%s", realetl_dir, name);
        const char *args[] = {"stats", "--json", path, NULL};
        run_result r = run(args);
        if (r.status != 0)
            fail_msg("%s: exit %d\n%s", name, r.status, r.err);
        json_t *o = jsonl_line(r.out, 0);
        json_t *etl = json_object_get(o, "etl");
        if (etl == NULL || (unsigned long)json_integer_value(json_object_get(etl, "buffers")) != buffers)
            fail_msg("%s: not read as a trace of %lu buffers:\n%s", name, buffers, r.out);
        assert_int_equal(json_integer_value(json_object_get(o, "with_findings")), 0);
        assert_int_equal(json_integer_value(json_object_get(etl, "container_items")), 0);
        json_decref(o);
        free_result(&r);
        n++;
    }
    fclose(f);
    assert_true(n >= 10);
}

/* The trace manifest's reals as given: "noise":0.3, not 0.29999999999999999. */
static void test_manifest_reals(void **state)
{
    (void)state;
    const char *trace = tmp_path("noisy.etl");
    const char *gen[] = {"gen", "--format", "etl", "--count", "5", "--noise", "0.3", "--malformed",
                         "0.1", "--out", trace, NULL};
    assert_int_equal(run_exit(NULL, gen), 0);
    char *m = slurp(tmp_path("noisy.etl.manifest.jsonl"), NULL);
    assert_non_null(strstr(m, "\"malformed\":0.1,\"noise\":0.3,"));
    assert_non_null(strstr(m, "\"wow64\":0.2,"));
    free(m);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s HEAPEV [REALETL_DIR]\n", argv[0]);
        return 2;
    }
    heapev_bin = argv[1];
    realetl_dir = argc > 2 ? argv[2] : NULL;
    if (cli_tmpdir_create("inputs") != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_input_is_capped),
        cmocka_unit_test(test_record_to_end_is_counted),
        cmocka_unit_test(test_explain_and_stats_bounded),
        cmocka_unit_test(test_stats_fifo_bytes),
        cmocka_unit_test(test_file_key_not_utf8),
        cmocka_unit_test(test_kind_in_record_mode),
        cmocka_unit_test(test_error_lines),
        cmocka_unit_test(test_format_detection),
        cmocka_unit_test(test_format_from_manifest),
        cmocka_unit_test(test_stats_subdirs_and_missing),
        cmocka_unit_test(test_explain_no_value_when_not_decoded),
        cmocka_unit_test(test_explain_term_dumb),
        cmocka_unit_test(test_explain_dates),
        cmocka_unit_test(test_manifest_reals),
        cmocka_unit_test(test_real_traces_detected),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cli_tmpdir_remove();
    return failed;
}
