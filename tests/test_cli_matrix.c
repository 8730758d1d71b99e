/*
 * test_cli_matrix.c - every `heapev` subcommand against bad input: a missing
 * file, an unreadable one, an empty one, 1 MiB of random bytes, a directory
 * where a file is expected, /dev/full as standard output and as an output
 * file. Each must exit 2 with exactly one "heapev..." line on stderr (or 1,
 * silently, when the bytes are readable but bad), never crash, and leave no
 * partial output file. Subcommands are probed at run time (`heapev help X`),
 * so the matrix grows as commands land. Also: `heapev explain` points at the
 * exact bytes of each finding of a hand-built record.
 * argv[1] = path of the heapev binary.
 */
#include "cmocka_all.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_json.h"
#include "testlib.h"

static int have_command(const char *name)
{
    const char *args[] = {"help", name, NULL};
    run_result r = run(args);
    int ok = r.status == 0;
    free_result(&r);
    return ok;
}

static int decode_has_etl(void)
{
    const char *args[] = {"decode", "--help", NULL};
    run_result r = run(args);
    int ok = strstr(r.out, "--etl") != NULL;
    free_result(&r);
    return ok;
}

/* Lines of stderr, not counting `heapev gen`'s informational "seed N" line. */
static size_t error_lines(const char *err)
{
    size_t n = count_lines(err);
    return strncmp(err, "heapev gen: seed ", 17) == 0 && n > 0 ? n - 1 : n;
}

/* Exit 2 with one "heapev..." error line on stderr naming @p name (NULL: any). */
static void expect_error(const run_result *r, const char *what, const char *name)
{
    if (r->status != 2 || error_lines(r->err) != 1 || strncmp(r->err, "heapev", 6) != 0 ||
        (name != NULL && strstr(r->err, name) == NULL))
        fail_msg("%s: want exit 2 and one error line naming '%s'; got exit %d, stderr:\n%s", what,
                 name ? name : "", r->status, r->err);
}

/*
 * Readable-but-bad bytes: findings (1, quiet stderr but for at most one
 * "warning:" line, e.g. every file length_ambiguous) or a one-line error
 * (2); never a crash.
 */
static void expect_findings_or_error(const run_result *r, const char *what)
{
    if (r->status == 1 && (r->err[0] == '\0' || (count_lines(r->err) == 1 &&
                                                  strstr(r->err, ": warning: ") != NULL)))
        return;
    if (r->status == 2 && count_lines(r->err) == 1 && strncmp(r->err, "heapev", 6) == 0)
        return;
    fail_msg("%s: want exit 1 (no stderr) or 2 (one line); got exit %d, stderr:\n%.400s", what,
             r->status, r->err);
}

/* No temporary or partial report file left in the temp directory. */
static void expect_no_leftovers(const char *what)
{
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp") != NULL || strncmp(e->d_name, "report", 6) == 0)
            fail_msg("%s: left %s behind", what, e->d_name);
    closedir(d);
}

/* ---- inputs ------------------------------------------------------------------- */

typedef struct input {
    const char *label;
    const char *path;
    int kind; /* 'x' error expected, 'b' bad bytes: findings or error */
} input;

static size_t make_inputs(input *in)
{
    static uint8_t random_mib[1 << 20];
    uint64_t seed = 42;
    for (size_t i = 0; i < sizeof random_mib; i++)
        random_mib[i] = (uint8_t)t_rand(&seed);
    write_file(tmp_path("empty.bin"), "", 0);
    write_file(tmp_path("random.bin"), random_mib, sizeof random_mib);
    write_file(tmp_path("plain"), "x", 1);
    mkdir(tmp_path("dir"), 0700);
    size_t n = 0;
    in[n++] = (input){"missing file", tmp_path("missing.bin"), 'x'};
    in[n++] = (input){"unreadable path (file as directory)", tmp_path("plain/x"), 'x'};
    in[n++] = (input){"directory", tmp_path("dir"), 'x'};
    in[n++] = (input){"empty file", tmp_path("empty.bin"), 'b'};
    in[n++] = (input){"1 MiB random", tmp_path("random.bin"), 'b'};
    if (geteuid() != 0) { /* root reads mode-000 files anyway */
        write_file(tmp_path("noperm.bin"), "abcd", 4);
        chmod(tmp_path("noperm.bin"), 0);
        in[n++] = (input){"mode 000 file", tmp_path("noperm.bin"), 'x'};
    }
    return n;
}

/* A command line that reads one FILE (argv ends with the file). */
typedef struct file_cmd {
    const char *command;
    const char *args[6];
} file_cmd;

static const file_cmd file_cmds[] = {
    {"decode", {"decode"}},
    {"decode", {"decode", "--record"}},
    {"decode", {"decode", "--json"}},
    {"explain", {"explain"}},
    {"explain", {"explain", "--record", "--count", "0"}},
    {"explain", {"explain", "--json"}},
    {"explain", {"explain", "--etl", "--count", "0"}},
    {"stats", {"stats", "--record"}},
    {"stats", {"stats", "--json"}},
};

static void build_argv(const char **argv, const char *const *base, const char *file)
{
    size_t n = 0;
    for (; base[n] != NULL; n++)
        argv[n] = base[n];
    argv[n++] = file;
    argv[n] = NULL;
}

static void try_input(const char *const *base, const input *in)
{
    const char *argv[10];
    char what[256];
    build_argv(argv, base, in->path);
    snprintf(what, sizeof what, "heapev %s %s (%s)", base[0], base[1] ? base[1] : "", in->label);
    run_result r = run(argv);
    int dir_ok = strcmp(base[0], "stats") == 0 && strcmp(in->label, "directory") == 0;
    if (dir_ok) { /* stats takes directories: an empty one counts nothing, and says so */
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.err, "warning: no file in the inputs"));
    }
    else if (in->kind == 'x')
        expect_error(&r, what, in->path);
    else
        expect_findings_or_error(&r, what);
    free_result(&r);
}

static void test_file_inputs(void **state)
{
    (void)state;
    input in[8];
    size_t n = make_inputs(in);
    for (size_t c = 0; c < sizeof file_cmds / sizeof file_cmds[0]; c++) {
        if (!have_command(file_cmds[c].command))
            continue;
        for (size_t i = 0; i < n; i++)
            try_input(file_cmds[c].args, &in[i]);
    }
    if (decode_has_etl()) {
        const char *etl[] = {"decode", "--etl", NULL};
        for (size_t i = 0; i < n; i++)
            if (strcmp(in[i].label, "directory") != 0) /* fopen() of a directory: reader's call */
                try_input(etl, &in[i]);
    }
    expect_no_leftovers("file inputs");
}

/* A good 32-bit payload, so that each command has something to write. */
static const char *good_payload(void)
{
    uint8_t p[16];
    t_payload32(p, 0x00A30000, 24, 0x00A31008, 3);
    write_file(tmp_path("good.bin"), p, sizeof p);
    return tmp_path("good.bin");
}

static void test_dev_full_stdout(void **state)
{
    (void)state;
    const char *good = good_payload();
    const char *cases[][7] = {
        {"decode", "--json", good, NULL}, {"decode", good, NULL},
        {"explain", good, NULL},          {"explain", "--json", good, NULL},
        {"stats", good, NULL},            {"stats", "--json", good, NULL},
        {"findings", NULL},               {"findings", "--json", NULL},
        {"gen", "--count", "100", "--bits", "64", "--stream", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!have_command(cases[i][0]))
            continue;
        char what[128];
        snprintf(what, sizeof what, "heapev %s %s > /dev/full", cases[i][0],
                 cases[i][1] ? cases[i][1] : "");
        run_result r = run_to("/dev/full", cases[i]);
        expect_error(&r, what, NULL);
        free_result(&r);
    }
}

/* --html to /dev/full, to a directory, into a missing directory, with stdout failing. */
static void test_stats_html_outputs(void **state)
{
    (void)state;
    if (!have_command("stats"))
        skip();
    const char *good = good_payload();
    mkdir(tmp_path("outdir"), 0700);
    const char *targets[] = {"/dev/full", tmp_path("outdir"), tmp_path("nodir/report.html")};
    for (size_t i = 0; i < 3; i++) {
        const char *args[] = {"stats", "--html", targets[i], good, NULL};
        run_result r = run(args);
        expect_error(&r, targets[i], targets[i]);
        free_result(&r);
    }
    const char *args[] = {"stats", "--html", tmp_path("report.html"), good, NULL};
    run_result r = run_to("/dev/full", args);
    expect_error(&r, "stats --html with stdout /dev/full", "stdout");
    free_result(&r);
    expect_no_leftovers("stats --html");

    r = run(args); /* and the good case: a complete page, no temporary left */
    assert_int_equal(r.status, 0);
    char *html = slurp(tmp_path("report.html"), NULL);
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "</html>"));
    assert_null(strstr(html, "<script"));
    free(html);
    free_result(&r);
    unlink(tmp_path("report.html"));
    expect_no_leftovers("stats --html (good)");
}

static void test_gen_bad_outputs(void **state)
{
    (void)state;
    if (!have_command("gen"))
        skip();
    write_file(tmp_path("afile"), "x", 1);
    const char *targets[] = {tmp_path("afile"), tmp_path("nodir/sub")};
    for (size_t i = 0; i < 2; i++) {
        const char *args[] = {"gen", "--count", "10", "--out", targets[i], NULL};
        run_result r = run(args);
        expect_error(&r, targets[i], NULL);
        free_result(&r);
    }
}

static void test_help_everywhere(void **state)
{
    (void)state;
    const char *cmds[] = {"decode", "findings", "explain", "stats", "gen"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (!have_command(cmds[i]))
            continue;
        const char *help[] = {"help", cmds[i], NULL}, *opt[] = {cmds[i], "--help", NULL};
        const char *bogus[] = {cmds[i], "--no-such-option", NULL};
        run_result a = run(help), b = run(opt), c = run(bogus);
        char usage[64];
        snprintf(usage, sizeof usage, "usage: heapev %s", cmds[i]);
        assert_non_null(strstr(a.out, usage));
        assert_int_equal(b.status, 0);
        assert_string_equal(a.out, b.out);
        expect_error(&c, cmds[i], "--no-such-option");
        free_result(&a), free_result(&b), free_result(&c);
    }
    const char *nosuch[] = {"help", "frobnicate", NULL};
    run_result r = run(nosuch);
    expect_error(&r, "help frobnicate", "frobnicate");
    free_result(&r);
}

/* ---- explain points at the bytes ------------------------------------------------ */

/* 12 junk bytes, then the t_record_source6() record: Source 6 at 12 + 56, Address at 12 + 48. */
static size_t build_record_file(uint8_t *f)
{
    memset(f, 0xEE, 12);
    return 12 + t_record_source6(f + 12);
}

static void test_explain_points_at_bytes(void **state)
{
    (void)state;
    if (!have_command("explain"))
        skip();
    uint8_t record_file[72];
    assert_int_equal(build_record_file(record_file), sizeof record_file);
    write_file(tmp_path("rec.bin"), record_file, sizeof record_file);
    const char *args[] = {"explain", "--record", "--offset", "12", "--json", tmp_path("rec.bin"), NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 1);
    json_t *list = json_list(r.out, r.out_len);
    assert_int_equal(json_array_size(list), 14);
    /* One range per offset: each is found by its offset alone. */
    size_t i, k;
    json_t *e, *e2;
    json_array_foreach(list, i, e)
        json_array_foreach(list, k, e2)
            assert_true(k == i || !json_equal(json_object_get(e, "offset"),
                                              json_object_get(e2, "offset")));
    expect_range(list, 12 + 56, 4, "Source", "source_reserved");
    expect_range(list, 12 + 48, 8, "Address", "address_misaligned");
    expect_range(list, 12 + 40, 8, "Size", NULL);
    expect_range(list, 12 + 32, 8, "HeapHandle", NULL);
    expect_range(list, 12 + 4, 2, "Size", NULL);
    expect_range(list, 12 + 6, 2, "HookId", NULL);
    assert_int_equal(count_flagged(list), 2); /* nothing else is blamed */
    json_t *src = range_at(list, 68, "Source");
    assert_string_equal(json_string_value(json_object_get(src, "meaning")), "segment_heap");
    assert_int_equal(json_integer_value(json_object_get(src, "value")), 6);
    assert_string_equal(json_string_value(json_object_get(range_at(list, 60, "Address"), "value")),
                        "0x1d2a0e51238");
    json_decref(list);
    free_result(&r);

    /* Text: the finding line sits right under the bytes that cause it; no colour when piped. */
    const char *text[] = {"explain", "--record", "--offset", "12", tmp_path("rec.bin"), NULL};
    r = run(text);
    assert_int_equal(r.status, 1);
    assert_null(strchr(r.out, '\033'));
    expect_marked(r.out, "00000044  06 00 00 00", "source_reserved");
    expect_marked(r.out, "0000003c  38 12 e5 a0 d2 01 00 00", "address_misaligned");
    free_result(&r);

    const char *beyond[] = {"explain", "--offset", "73", tmp_path("rec.bin"), NULL};
    r = run(beyond);
    expect_error(&r, "explain --offset past the end", tmp_path("rec.bin"));
    free_result(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_cli_matrix HEAPEV_BINARY\n");
        return 2;
    }
    heapev_bin = argv[1];
    if (cli_tmpdir_create("matrix") != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_inputs),
        cmocka_unit_test(test_dev_full_stdout),
        cmocka_unit_test(test_stats_html_outputs),
        cmocka_unit_test(test_gen_bad_outputs),
        cmocka_unit_test(test_help_everywhere),
        cmocka_unit_test(test_explain_points_at_bytes),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cli_tmpdir_remove();
    return failed;
}
