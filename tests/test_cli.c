/*
 * test_cli.c - the `heapev` CLI as a user runs it: decode (payload, record,
 * stdin, JSON and text), findings, exit codes and one-line errors.
 * Input bytes are written by hand here; expected values are read off them.
 * argv[1] = path of the heapev binary, argv[2] = source root.
 */
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_json.h"
#include "heapev/findings.h"
#include "testlib.h"

static const char *source_root;

static const char *jstr(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static long long jint(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* The 28-byte payload of the issue: handle 0x1d2a0e50000, size 40, address 0x1d2a0e51230. */
static size_t payload64(uint8_t *p, uint32_t source)
{
    static const uint8_t bytes[28] = {
        0x00, 0x00, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x30, 0x12, 0xE5, 0xA0, 0xD2, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00};
    memcpy(p, bytes, 28);
    t_put(p + 24, source, 4);
    return 28;
}

static void test_decode_payload_json(void **state)
{
    (void)state;
    uint8_t buf[28];
    write_file(tmp_path("p.bin"), buf, payload64(buf, 2));
    const char *args[] = {"decode", "--payload", "--json", tmp_path("p.bin"), NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), 1);
    json_t *o = jsonl_line(r.out, 0);
    assert_string_equal(jstr(o, "file"), tmp_path("p.bin"));
    assert_int_equal(jint(o, "offset"), 0);
    assert_string_equal(jstr(o, "kind"), "payload");
    assert_int_equal(jint(o, "bits"), 64);
    assert_string_equal(jstr(o, "heap_handle"), "0x1d2a0e50000");
    assert_string_equal(jstr(o, "size"), "0x28"); /* pointer-sized: hex text like address */
    assert_string_equal(jstr(o, "address"), "0x1d2a0e51230");
    assert_int_equal(jint(o, "source"), 2);
    assert_string_equal(jstr(o, "source_name"), "lowfrag");
    assert_int_equal(json_array_size(json_object_get(o, "findings")), 0);
    assert_true(json_is_true(json_object_get(o, "ok")));
    assert_string_equal(jstr(o, "severity"), "none");
    json_decref(o);
    assert_string_equal(r.err, "");
    free_result(&r);
}

static void test_decode_source_findings(void **state)
{
    (void)state;
    static const struct { uint32_t source; const char *finding; const char *name; } cases[] = {
        {6, "source_reserved", "segment_heap"}, {7, "source_undefined", "undefined"},
        {5, "source_invalid", "invalid"}, {0, "source_undefined", "undefined"}};
    for (size_t i = 0; i < 4; i++) {
        uint8_t buf[28];
        write_file(tmp_path("s.bin"), buf, payload64(buf, cases[i].source));
        const char *args[] = {"decode", "--json", tmp_path("s.bin"), NULL};
        run_result r = run(args);
        assert_int_equal(r.status, 1);
        json_t *o = jsonl_line(r.out, 0);
        json_t *f = json_object_get(o, "findings");
        assert_int_equal(json_array_size(f), 1);
        assert_string_equal(json_string_value(json_array_get(f, 0)), cases[i].finding);
        assert_int_equal(jint(o, "source"), cases[i].source);
        /* The one word explain and stats use too. */
        assert_string_equal(jstr(o, "source_name"), cases[i].name);
        assert_true(json_is_true(json_object_get(o, "ok"))); /* anomalies, not errors */
        assert_string_equal(jstr(o, "severity"), "anomaly");
        json_decref(o);
        free_result(&r);
    }
}

static void test_decode_ambiguous_length(void **state)
{
    (void)state;
    uint8_t buf[17] = {0};
    write_file(tmp_path("a.bin"), buf, sizeof buf);
    const char *args[] = {"decode", "--json", tmp_path("a.bin"), NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 1);
    json_t *o = jsonl_line(r.out, 0);
    assert_true(json_is_null(json_object_get(o, "bits")));
    assert_true(json_is_null(json_object_get(o, "heap_handle")));
    assert_true(json_is_false(json_object_get(o, "ok")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "findings"), 0)),
                        "length_ambiguous");
    json_decref(o);
    free_result(&r);
    /* With --bits 32 the same 17 bytes are a payload plus one trailing byte. */
    const char *args32[] = {"decode", "--json", "--bits", "32", tmp_path("a.bin"), NULL};
    r = run(args32);
    o = jsonl_line(r.out, 0);
    assert_int_equal(jint(o, "bits"), 32);
    assert_int_equal(jint(o, "trailing_bytes"), 1);
    json_decref(o);
    free_result(&r);
}

static void test_decode_record_stream(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = 0;
    /* three records: SYSTEM64 Alloc (60), COMPACT32 Alloc (40), SYSTEM64 Free (60) */
    n += t_header(buf + n, 2, 2, 0xC0, 60, 0x1021);
    n += payload64(buf + n, 3);
    n += t_header(buf + n, 2, 3, 0xC0, 40, 0x1021);
    n += t_payload32(buf + n, 0x00500000u, 24, 0x00501238u, 1);
    n += t_header(buf + n, 2, 2, 0xC0, 60, 0x1024);
    n += payload64(buf + n, 3);
    write_file(tmp_path("r.bin"), buf, n);
    const char *args[] = {"decode", "--record", "--json", tmp_path("r.bin"), NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.out), 3);
    static const long long offsets[] = {0, 60, 100};
    static const long long bits[] = {64, 32, 64};
    for (size_t i = 0; i < 3; i++) {
        json_t *o = jsonl_line(r.out, i);
        assert_string_equal(jstr(o, "kind"), "record");
        assert_int_equal(jint(o, "offset"), offsets[i]);
        assert_int_equal(jint(o, "bits"), bits[i]);
        assert_int_equal(jint(o, "version"), 2);
        assert_int_equal(jint(o, "thread_id"), 0x111);
        assert_int_equal(jint(o, "process_id"), 0x222);
        assert_int_equal(jint(o, "system_time"), 0x0102030405060708ll);
        json_decref(o);
    }
    json_t *o = jsonl_line(r.out, 2);
    assert_string_equal(jstr(o, "hook_id"), "0x1024");
    assert_string_equal(jstr(o, "hook_name"), "heap_free");
    assert_true(json_is_null(json_object_get(o, "heap_handle")));
    json_decref(o);
    o = jsonl_line(r.out, 1);
    assert_string_equal(jstr(o, "heap_handle"), "0x500000");
    assert_string_equal(jstr(o, "address"), "0x501238");
    json_decref(o);
    free_result(&r);
}

static void test_decode_stdin_and_text(void **state)
{
    (void)state;
    uint8_t buf[28];
    write_file(tmp_path("in.bin"), buf, payload64(buf, 6));
    const char *args[] = {"decode", "-", NULL};
    run_result r = run_with(tmp_path("in.bin"), NULL, args);
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.out), 1);
    assert_non_null(strstr(r.out, "<stdin>@0: payload 64-bit"));
    assert_non_null(strstr(r.out, "source=6(segment_heap)"));
    assert_non_null(strstr(r.out, "findings=source_reserved"));
    free_result(&r);
}

static void test_errors_and_exit_codes(void **state)
{
    (void)state;
    const char *missing[] = {"decode", tmp_path("nope.bin"), NULL};
    run_result r = run(missing);
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "nope.bin"));
    assert_non_null(strstr(r.err, "No such file"));
    free_result(&r);

    const char *dir[] = {"decode", tmpdir, NULL};
    r = run(dir);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "is a directory"));
    free_result(&r);

    static const char *const bad[][5] = {
        {"decode", NULL},
        {"decode", "--bits", "16", "x", NULL},
        {"decode", "--frobnicate", "x", NULL},
        {"decode", "--record", "--bits", "32", NULL},
        {"decode", "--user-max-32", "0x1FFFFFFFF", "x", NULL},
        {"decode", "--bits", NULL},
        {"nosuchcommand", NULL},
        {"findings", "extra", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = run(bad[i]);
        assert_int_equal(r.status, 2);
        assert_int_equal(count_lines(r.err), 1);
        assert_string_equal(r.out, "");
        free_result(&r);
    }
    /* One bad file among good ones: the good ones are still decoded, exit 2. */
    uint8_t buf[28];
    write_file(tmp_path("good.bin"), buf, payload64(buf, 2));
    const char *mixed[] = {"decode", tmp_path("good.bin"), tmp_path("nope.bin"), NULL};
    r = run(mixed);
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.out), 1);
    free_result(&r);
}

static void test_help_and_version(void **state)
{
    (void)state;
    static const char *const ok[][3] = {
        {"--help", NULL}, {"--version", NULL}, {"decode", "--help", NULL},
        {"help", "decode", NULL}, {"findings", "-h", NULL}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        run_result r = run(ok[i]);
        assert_int_equal(r.status, 0);
        assert_true(strlen(r.out) > 0);
        assert_string_equal(r.err, "");
        free_result(&r);
    }
    const char *none[] = {NULL};
    run_result r = run(none);
    assert_int_equal(r.status, 2);
    free_result(&r);
}

static void test_findings_command(void **state)
{
    (void)state;
    const char *args[] = {"findings", "--json", NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), HEAPEV_FINDING_COUNT);
    for (unsigned i = 0; i < HEAPEV_FINDING_COUNT; i++) {
        json_t *o = jsonl_line(r.out, i);
        const heapev_finding_info *f = heapev_finding_get(i);
        assert_int_equal(jint(o, "code"), i);
        assert_string_equal(jstr(o, "name"), f->name);
        assert_string_equal(jstr(o, "severity"), heapev_severity_name(f->severity));
        assert_string_equal(jstr(o, "description"), f->description);
        json_decref(o);
    }
    free_result(&r);
}

/* docs/FINDINGS.md is derived from the table: it must equal `heapev findings --markdown`. */
static void test_findings_doc_current(void **state)
{
    (void)state;
    const char *args[] = {"findings", "--markdown", NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/FINDINGS.md", source_root);
    char *doc = slurp(path, NULL);
    if (strcmp(doc, r.out) != 0)
        fail_msg("docs/FINDINGS.md is stale: regenerate with "
                 "'build/heapev findings --markdown > docs/FINDINGS.md'");
    free(doc);
    free_result(&r);
}

/*
 * Every option a command's --help lists (the help is printed from the one
 * option table) is in the man page and in the bash completion.
 */
static int doc_names(const char *doc, const char *opt, int roff)
{
    char want[96];
    size_t n = 0;
    for (const char *c = opt; *c != '\0' && n + 3 < sizeof want; c++) {
        if (roff && *c == '-')
            want[n++] = '\\';
        want[n++] = *c;
    }
    want[n] = '\0';
    for (const char *at = strstr(doc, want); at != NULL; at = strstr(at + 1, want)) {
        char next = at[n];
        if (!(next == '-' || next == '_' || (next >= 'a' && next <= 'z') || next == '\\'))
            return 1;
    }
    return 0;
}

/* The completion script's option list of @p cmd: its line "    cmd)  opts=...". */
static const char *completion_line(const char *bash, const char *cmd, char *buf, size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "\n        %s)", cmd);
    const char *at = strstr(bash, key);
    buf[0] = '\0';
    if (at == NULL) {
        fail_msg("contrib/heapev.bash has no case for %s", cmd);
        return buf;
    }
    size_t n = strcspn(at + 1, "\n") + 1;
    snprintf(buf, size, "%.*s", (int)n, at);
    return buf;
}

static void test_options_documented(void **state)
{
    (void)state;
    char line_buf[1024];
    static const char *const cmds[] = {"decode", "explain", "stats", "gen", "findings", "probe"};
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/heapev.1", source_root);
    char *man = slurp(path, NULL);
    snprintf(path, sizeof path, "%s/contrib/heapev.bash", source_root);
    char *bash = slurp(path, NULL);
    size_t seen = 0;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *args[] = {cmds[i], "--help", NULL};
        run_result r = run(args);
        assert_int_equal(r.status, 0);
        char *save = NULL;
        for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save)) {
            char opt[64];
            if (sscanf(line, "  %63[-a-z0-9]", opt) == 1 && strncmp(opt, "--", 2) == 0 &&
                strcmp(opt, "--help") != 0) {
                seen++;
                if (!doc_names(man, opt, 1))
                    fail_msg("docs/heapev.1 does not name %s (heapev %s)", opt, cmds[i]);
                if (!doc_names(completion_line(bash, cmds[i], line_buf, sizeof line_buf), opt, 0))
                    fail_msg("contrib/heapev.bash does not complete %s (heapev %s)", opt, cmds[i]);
            }
        }
        free_result(&r);
    }
    assert_true(seen >= 40); /* the help lists were really read */
    free(man), free(bash);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_cli HEAPEV_BINARY SOURCE_ROOT\n");
        return 2;
    }
    heapev_bin = argv[1];
    source_root = argv[2];
    if (cli_tmpdir_create("cli") != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_payload_json),
        cmocka_unit_test(test_decode_source_findings),
        cmocka_unit_test(test_decode_ambiguous_length),
        cmocka_unit_test(test_decode_record_stream),
        cmocka_unit_test(test_decode_stdin_and_text),
        cmocka_unit_test(test_errors_and_exit_codes),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_findings_command),
        cmocka_unit_test(test_findings_doc_current),
        cmocka_unit_test(test_options_documented),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cli_tmpdir_remove();
    return failed;
}
