/*
 * test_gen_cli.c - `heapev gen` as a user runs it: deterministic directories,
 * a manifest that matches the files and that the decoder (library and
 * `heapev decode`) agrees with, --class, --stream, --list-classes, the
 * checked-in corpora, and the error paths (exit 2, one line, no stray file).
 * argv[1] = path of the heapev binary, argv[2] = source root.
 */
#include "cmocka_all.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "cli_json.h"
#include "heapev/decode.h"
#include "heapev/gen_etl.h"

static const char *source_root;

/* Regular files in @p dir other than manifest.jsonl; fails on leftover temp files. */
static size_t count_bin_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                fail_msg("stray temporary file %s/%s", dir, de->d_name);
            continue;
        }
        if (strcmp(de->d_name, "manifest.jsonl") != 0)
            n++;
    }
    closedir(d);
    return n;
}

/*
 * Check a generated directory: one manifest line per event (index 0..n-1),
 * each file named by its XXH128, and the library decoder agreeing with
 * expected_findings. Returns the manifest (caller frees).
 */
static json_t *check_dir(const char *dir, size_t events)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
    json_t *m = jsonl_load(path);
    assert_int_equal(json_array_size(m), events);
    json_t *files = json_object(); /* distinct file names */
    size_t i;
    json_t *o;
    json_array_foreach(m, i, o) {
        assert_int_equal(json_integer_value(json_object_get(o, "index")), i);
        const char *file = json_string_value(json_object_get(o, "file"));
        const char *hex = json_string_value(json_object_get(o, "xxh128"));
        json_object_set_new(files, file, json_true());
        snprintf(path, sizeof path, "%s/%s", dir, file);
        size_t len;
        char *data = slurp(path, &len);
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits(data, len));
        char want[33];
        for (int k = 0; k < 16; k++)
            snprintf(want + 2 * k, 3, "%02x", c.digest[k]);
        assert_string_equal(hex, want);
        assert_int_equal(strncmp(file, hex, 32), 0);
        assert_int_equal(json_integer_value(json_object_get(o, "length")), len);
        heapev_event e;
        json_t *db = json_object_get(o, "decode_bits");
        heapev_findings got;
        if (strcmp(json_string_value(json_object_get(o, "format")), "record") == 0) {
            assert_true(json_is_null(db));
            got = heapev_decode_record(data, len, NULL, &e, NULL);
        } else {
            unsigned w = json_is_null(db) ? HEAPEV_WIDTH_INFER : (unsigned)json_integer_value(db) / 8;
            got = heapev_decode_payload(data, len, w, NULL, &e);
        }
        if (got != json_findings(json_object_get(o, "expected_findings")))
            fail_msg("%s: decoder disagrees with the manifest", path);
        free(data);
    }
    /* Honest dedup: distinct file names in the manifest = files on disk. */
    assert_int_equal(json_object_size(files), count_bin_files(dir));
    json_decref(files);
    return m;
}

static int same_files(const char *a, const char *b)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "diff -r '%s' '%s' >/dev/null", a, b);
    return system(cmd) == 0;
}

/* The check: same arguments twice -> identical directories; seed changes it. */
static void test_out_deterministic(void **state)
{
    (void)state;
    char d1[512], d2[512], d3[512];
    snprintf(d1, sizeof d1, "%s", tmp_path("d1"));
    snprintf(d2, sizeof d2, "%s", tmp_path("d2"));
    snprintf(d3, sizeof d3, "%s", tmp_path("d3"));
    const char *a1[] = {"gen", "--seed", "7", "--count", "2500", "--malformed", "0.5",
                        "--out", d1, NULL};
    const char *a2[] = {"gen", "--seed", "7", "--count", "2500", "--malformed", "0.5",
                        "--out", d2, NULL};
    const char *a3[] = {"gen", "--seed", "8", "--count", "2500", "--malformed", "0.5",
                        "--out", d3, NULL};
    for (int k = 0; k < 3; k++) {
        run_result r = run(k == 0 ? a1 : k == 1 ? a2 : a3);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.err, k == 2 ? "seed 8" : "seed 7"));
        free_result(&r);
    }
    assert_true(same_files(d1, d2));
    assert_false(same_files(d1, d3));
    /* Running again into the same (now not empty) directory is refused and changes nothing... */
    run_result r = run(a1);
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "is not empty"));
    assert_non_null(strstr(r.err, "--append"));
    free_result(&r);
    assert_true(same_files(d1, d2));
    /* ...--force replaces the corpus its manifest lists: the same files again. */
    const char *forced[] = {"gen", "--seed", "7", "--count", "2500", "--malformed", "0.5",
                            "--out", d1, "--force", NULL};
    r = run(forced);
    assert_int_equal(r.status, 0);
    free_result(&r);
    assert_true(same_files(d1, d2));

    json_t *m = check_dir(d1, 2500);
    /* Every Source class appears: 1..6, 0 and 7+. */
    unsigned seen = 0;
    size_t i;
    json_t *o;
    json_array_foreach(m, i, o) {
        json_t *s = json_object_get(o, "source");
        if (json_is_integer(s))
            seen |= 1u << (json_integer_value(s) < 7 ? json_integer_value(s) : 7);
    }
    assert_int_equal(seen, 0xFF);
    json_decref(m);
}

/* `heapev decode` on the files, told what the manifest says, reports the expected findings. */
static void decode_with_cli(json_t *m, const char *dir, const char *mode, const char *bits,
                            size_t limit)
{
    const char **args = calloc(limit + 8, sizeof *args);
    char **paths = calloc(limit, sizeof *paths);
    json_t *want = json_array();
    size_t n = 0, i;
    json_t *o;
    assert_non_null(args), assert_non_null(paths);
    args[0] = "decode", args[1] = "--json", args[2] = mode;
    size_t a = 3;
    if (bits)
        args[a++] = "--bits", args[a++] = bits;
    json_array_foreach(m, i, o) {
        json_t *db = json_object_get(o, "decode_bits");
        char b[8] = "";
        if (json_is_integer(db))
            snprintf(b, sizeof b, "%d", (int)json_integer_value(db));
        if (n == limit || (bits ? strcmp(b, bits) != 0 : b[0] != '\0'))
            continue;
        paths[n] = malloc(1024);
        snprintf(paths[n], 1024, "%s/%s", dir, json_string_value(json_object_get(o, "file")));
        args[a++] = paths[n++];
        json_array_append(want, json_object_get(o, "expected_findings"));
    }
    run_result r = run(args);
    assert_true(r.status == 0 || r.status == 1);
    assert_int_equal(count_lines(r.out), n);
    jsonl lines = jsonl_start(r.out, r.out_len);
    for (size_t k = 0; k < n; k++) {
        json_t *d = jsonl_next(&lines);
        assert_non_null(d);
        assert_true(json_findings(json_object_get(d, "findings")) ==
                    json_findings(json_array_get(want, k)));
        json_decref(d);
    }
    free_result(&r);
    for (size_t k = 0; k < n; k++)
        free(paths[k]);
    free(paths), free(args);
    json_decref(want);
}

static void test_decode_cli_agrees(void **state)
{
    (void)state;
    const char *p[] = {"gen", "--seed", "3", "--count", "600", "--malformed", "0.8",
                       "--out", tmp_path("cp"), NULL};
    const char *r[] = {"gen", "--seed", "3", "--count", "600", "--malformed", "0.8",
                       "--format", "record", "--out", tmp_path("cr"), NULL};
    run_result x = run(p);
    assert_int_equal(x.status, 0);
    free_result(&x);
    x = run(r);
    assert_int_equal(x.status, 0);
    free_result(&x);
    json_t *mp = check_dir(tmp_path("cp"), 600), *mr = check_dir(tmp_path("cr"), 600);
    decode_with_cli(mp, tmp_path("cp"), "--payload", "32", 400);
    decode_with_cli(mp, tmp_path("cp"), "--payload", "64", 400);
    decode_with_cli(mp, tmp_path("cp"), "--payload", NULL, 400); /* decode_bits null */
    decode_with_cli(mr, tmp_path("cr"), "--record", NULL, 600);
    json_decref(mp), json_decref(mr);
}

/* --class: only those classes; with --class and no --malformed, every event is malformed. */
static void test_class_filter(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--count", "500", "--class", "source_zero", "--class",
                       "header_size_too_large", "--format", "record", "--bits", "32",
                       "--out", tmp_path("cls"), NULL};
    run_result r = run(a);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "seed 1")); /* the default seed is printed */
    free_result(&r);
    json_t *m = check_dir(tmp_path("cls"), 500);
    size_t i, k, both = 0;
    json_t *o, *c;
    json_array_foreach(m, i, o) {
        json_t *cls = json_object_get(o, "class");
        assert_true(json_array_size(cls) >= 1);
        both += json_array_size(cls) == 2;
        json_array_foreach(cls, k, c) {
            const char *name = json_string_value(c);
            assert_true(strcmp(name, "source_zero") == 0 ||
                        strcmp(name, "header_size_too_large") == 0);
        }
        assert_int_equal(json_integer_value(json_object_get(o, "bits")), 32);
    }
    assert_true(both > 0); /* they combine */
    json_decref(m);
}

/* --stream: the same bytes as the files, in manifest order, back to back. */
static void test_stream_matches_files(void **state)
{
    (void)state;
    const char *s[] = {"gen", "--seed", "4", "--count", "700", "--malformed", "0.5", "--format",
                       "record", "--stream", NULL};
    const char *f[] = {"gen", "--seed", "4", "--count", "700", "--malformed", "0.5", "--format",
                       "record", "--out", tmp_path("st"), NULL};
    run_result rs = run(s), rf = run(f);
    assert_int_equal(rs.status, 0);
    assert_int_equal(rf.status, 0);
    json_t *m = check_dir(tmp_path("st"), 700);
    size_t off = 0, i;
    json_t *o;
    json_array_foreach(m, i, o) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", tmp_path("st"), json_string_value(json_object_get(o, "file")));
        char *data = slurp(path, &len);
        assert_true(off + len <= rs.out_len);
        assert_memory_equal(rs.out + off, data, len);
        off += len;
        free(data);
    }
    assert_int_equal(off, rs.out_len);
    json_decref(m);
    free_result(&rs), free_result(&rf);
}

static void test_list_classes(void **state)
{
    (void)state;
    const char *t[] = {"gen", "--list-classes", NULL}, *j[] = {"gen", "--list-classes", "--json", NULL};
    run_result rt = run(t), rj = run(j);
    assert_int_equal(rt.status, 0);
    assert_int_equal(rj.status, 0);
    /* The rows of payload and record corpora: the applied classes and well_formed, in order. */
    size_t rows = heapev_gen_well_formed_index() + 1u;
    assert_int_equal(count_lines(rj.out), rows);
    for (size_t i = 0; i < rows; i++) {
        const heapev_gen_class *c = heapev_gen_class_get(i);
        assert_non_null(strstr(rt.out, c->name));
        json_t *o = jsonl_line(rj.out, i);
        assert_string_equal(json_string_value(json_object_get(o, "name")), c->name);
        assert_true(json_findings(json_object_get(o, "expected_findings")) == c->findings);
        json_decref(o);
    }
    assert_non_null(strstr(rt.out, "well_formed"));
    free_result(&rt), free_result(&rj);
}

/* The checked-in corpora: every class of their format, files = manifest, decoder agrees. */
static void test_corpus(void **state)
{
    (void)state;
    for (unsigned f = 0; f < 2; f++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/corpus/%s", source_root, f ? "record" : "payload");
        char path[1100];
        snprintf(path, sizeof path, "%s/manifest.jsonl", dir);
        json_t *m0 = jsonl_load(path);
        json_t *m = check_dir(dir, json_array_size(m0));
        assert_true(json_array_size(m) >= 200);
        heapev_gen_classes seen = 0;
        size_t i, k;
        json_t *o, *c;
        json_array_foreach(m, i, o) {
            json_array_foreach(json_object_get(o, "class"), k, c) {
                int idx = heapev_gen_class_find(json_string_value(c));
                if (idx >= 0)
                    seen |= (heapev_gen_classes)1 << idx;
            }
        }
        for (size_t ci = 0; ci < heapev_gen_class_count(); ci++)
            if ((heapev_gen_class_get(ci)->formats & HEAPEV_GEN_FORMAT_BIT(f)) && !(seen >> ci & 1u))
                fail_msg("corpus/%s lacks class %s", f ? "record" : "payload",
                         heapev_gen_class_get(ci)->name);
        json_decref(m), json_decref(m0);
    }
}

static void expect_usage_error(const char *const *args, const char *needle)
{
    run_result r = run(args);
    if (r.status != 2)
        fail_msg("%s %s: exit %d, want 2", args[1], args[2] ? args[2] : "", r.status);
    assert_int_equal(count_lines(r.err), 1);
    if (needle && strstr(r.err, needle) == NULL)
        fail_msg("stderr '%s' lacks '%s'", r.err, needle);
    free_result(&r);
}

static void test_bad_options(void **state)
{
    (void)state;
    const char *cases[][8] = {
        {"gen", "--bits", "16", "--stream", NULL},
        {"gen", "--malformed", "2", "--stream", NULL},
        {"gen", "--malformed", "abc", "--stream", NULL},
        {"gen", "--malformed", "nan", "--stream", NULL},
        {"gen", "--class", "nope", "--stream", NULL},
        {"gen", "--count", "-1", "--stream", NULL},
        {"gen", "--seed", "x", "--stream", NULL},
        {"gen", "--format", "etl", "--stream", NULL},
        {"gen", "--count", "1", NULL},
        {"gen", "--stream", "--out", "x", NULL},
        {"gen", "--json", "--stream", NULL},
        {"gen", "--frobnicate", NULL},
        {"gen", "--stream", "extra", NULL},
        {"gen", "--bits", "32", "--class", "width_64_as_32", "--stream", NULL},
        {"gen", "--class", "compact_header", "--stream", NULL},
        {"gen", "--seed", NULL},
        {"gen", "--count", "3", "--stream", NULL},
    };
    const char *needles[] = {"--bits", "--malformed", "--malformed", "--malformed", "nope",
                             "--count", "--seed", "--format", "--out", "--out", "--json",
                             "--frobnicate", "extra", "--bits 32", "--format payload", "--seed",
                             "mixed widths"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_usage_error(cases[i], needles[i]);
}

/*
 * The .etl options: --wow64 (64-bit traces, 0..0.9), --style (win10 or
 * win7), --compress (only with --format etl), and a container class in a
 * trace kind it does not apply to: each a one-line usage error, exit 2,
 * and no file written.
 */
static void test_etl_option_errors(void **state)
{
    (void)state;
    const char *x = tmp_path("x.etl");
    const char *cases[][12] = {
        {"gen", "--format", "etl", "--wow64", "0.3", "--bits", "32", "--out", x, NULL},
        {"gen", "--format", "etl", "--bits", "32", "--wow64", "0.1", "--out", x, NULL},
        {"gen", "--format", "etl", "--wow64", "0.95", "--out", x, NULL},
        {"gen", "--format", "etl", "--wow64", "-0.1", "--out", x, NULL},
        {"gen", "--format", "etl", "--wow64", "abc", "--out", x, NULL},
        {"gen", "--format", "etl", "--style", "win8", "--out", x, NULL},
        {"gen", "--format", "etl", "--style", "WIN10", "--out", x, NULL},
        {"gen", "--format", "etl", "--style", "", "--out", x, NULL},
        {"gen", "--compress", "--stream", NULL},
        {"gen", "--compress", "--out", tmp_path("xd"), NULL},
        {"gen", "--format", "record", "--compress", "--stream", NULL},
        {"gen", "--style", "win7", "--stream", NULL},
        {"gen", "--wow64", "0.2", "--stream", NULL},
        {"gen", "--format", "etl", "--class", "etl_pointer_size_mismatch", "--bits", "32",
         "--out", x, NULL},
        {"gen", "--format", "etl", "--class", "etl_pointer_size_mismatch", "--bits", "32",
         "--compress", "--out", x, NULL},
    };
    const char *needles[] = {"--wow64", "--wow64", "--wow64", "--wow64", "--wow64", "--style",
                             "--style", "--style", "--format etl", "--format etl",
                             "--format etl", "--format etl", "--format etl", "--bits 64",
                             "--bits 64"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_usage_error(cases[i], needles[i]);
    /* Every container class in every trace kind it does not apply to. */
    size_t refused = 0;
    for (size_t c = heapev_gen_well_formed_index() + 1u; c < heapev_gen_class_count(); c++) {
        const heapev_gen_class *cls = heapev_gen_class_get(c); /* a container class */
        for (unsigned kind = 0; kind < 4; kind++) {
            int compress = kind & 1, bits64 = (kind & 2) != 0;
            unsigned trace = compress ? HEAPEV_GEN_ETL_COMPRESSED : HEAPEV_GEN_ETL_PLAIN;
            unsigned width = bits64 ? HEAPEV_GEN_WIDTH_64 : HEAPEV_GEN_WIDTH_32;
            if ((cls->traces & trace) && (cls->widths & width))
                continue;
            const char *a[] = {"gen", "--format", "etl", "--class", cls->name, "--bits",
                               bits64 ? "64" : "32", "--out", x, compress ? "--compress" : NULL,
                               NULL};
            /* The message names the class and what the trace lacks. */
            expect_usage_error(a, cls->name);
            run_result r = run(a);
            const char *why = !(cls->traces & trace) ? (compress ? "uncompressed" : "--compress")
                                                     : "--bits 64";
            if (strstr(r.err, why) == NULL)
                fail_msg("%s: '%s' lacks '%s'", cls->name, r.err, why);
            free_result(&r);
            refused++;
        }
    }
    /* At least: the compressed-only classes in plain traces, and the other way round. */
    assert_true(refused >= 8);
    assert_false(path_exists(x));
    assert_false(path_exists(tmp_path("x.etl.manifest.jsonl")));
    assert_false(path_exists(tmp_path("xd")));
    /* The edges are accepted: --wow64 0 with --bits 32, 0.9 with 64, both styles. */
    const char *ok[][14] = {
        {"gen", "--format", "etl", "--bits", "32", "--wow64", "0", "--count", "20", "--out",
         tmp_path("ok1.etl"), NULL},
        {"gen", "--format", "etl", "--wow64", "0.9", "--count", "20", "--style", "win7",
         "--compress", "--out", tmp_path("ok2.etl"), NULL},
        {"gen", "--format", "etl", "--style", "win10", "--count", "20", "--class",
         "etl_decompress_failed", "--compress", "--out", tmp_path("ok3.etl"), NULL},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        run_result r = run(ok[i]);
        if (r.status != 0)
            fail_msg("case %zu: exit %d: %s", i, r.status, r.err);
        free_result(&r);
    }
}

/* I/O errors: exit 2, one line naming the path, no partial output left behind. */
static void test_io_errors(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--count", "10", "--out", "/proc/self", NULL};
    expect_usage_error(a, "/proc/self");
    FILE *f = fopen(tmp_path("plainfile"), "w");
    assert_non_null(f);
    fclose(f);
    const char *b[] = {"gen", "--count", "10", "--out", tmp_path("plainfile"), NULL};
    expect_usage_error(b, "plainfile");
    const char *c[] = {"gen", "--count", "10", "--out", tmp_path("no/such/dir"), NULL};
    expect_usage_error(c, "no/such/dir");
    const char *d[] = {"gen", "--count", "100000", "--bits", "64", "--stream", NULL};
    run_result r = run_to("/dev/full", d);
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.err), 2); /* the seed line, then the error */
    assert_non_null(strstr(r.err, "<stdout>"));
    free_result(&r);
    /* A directory whose manifest cannot be renamed into place (a directory is there). */
    mkdir(tmp_path("blocked"), 0755);
    mkdir(tmp_path("blocked/manifest.jsonl"), 0755);
    mkdir(tmp_path("blocked/manifest.jsonl/x"), 0755);
    const char *e[] = {"gen", "--count", "5", "--out", tmp_path("blocked"), "--append", NULL};
    r = run(e);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "manifest.jsonl"));
    free_result(&r);
    count_bin_files(tmp_path("blocked")); /* fails on a leftover temporary file */
}

static void test_help(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--help", NULL}, *b[] = {"help", "gen", NULL};
    for (int k = 0; k < 2; k++) {
        run_result r = run(k ? b : a);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "--list-classes"));
        free_result(&r);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test-gen-cli HEAPEV SOURCE_ROOT\n");
        return 2;
    }
    heapev_bin = argv[1];
    source_root = argv[2];
    if (cli_tmpdir_create("gen-cli") != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_deterministic), cmocka_unit_test(test_decode_cli_agrees),
        cmocka_unit_test(test_class_filter),      cmocka_unit_test(test_stream_matches_files),
        cmocka_unit_test(test_list_classes),      cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_bad_options),       cmocka_unit_test(test_etl_option_errors),
        cmocka_unit_test(test_io_errors),         cmocka_unit_test(test_help),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cli_tmpdir_remove();
    return failed;
}
