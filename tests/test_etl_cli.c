/*
 * test_etl_cli.c - `heapev decode --etl` as a user runs it: JSON events with
 * buffer and offset equal to the writer's positions and the findings the
 * generator injected, container items, --summary, stdin, exit codes and
 * usage errors; the mapped and threaded paths print what the stream path
 * prints, byte for byte.
 * argv[1] = path of the heapev binary.
 */
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli_json.h"
#include "test_etl_common.h"

#define EVENTS 100

static heapev_etl_position positions[EVENTS];
static heapev_gen_item items[EVENTS];

/*
 * t.etl: 64-bit, 1024-byte buffers, EVENTS generator events (t_alloc_next(),
 * a third malformed), each after one noise record.
 */
static int setup(void **state)
{
    (void)state;
    mem_file m = {NULL, 0, 0, -1};
    uint8_t buf[1024], rec[T_NOISE_MAX];
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.buffer_size = 1024};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, mem_sink, &m), 0);
    heapev_gen g;
    t_alloc_gen_init(&g, 77, 8, 0.3);
    heapev_rng rng;
    heapev_rng_seed(&rng, 77);
    for (int i = 0; i < EVENTS; i++) {
        t_alloc_next(&g, &items[i]);
        size_t len = t_noise(rec, &rng, 8, items[i].event.header.system_time);
        assert_int_equal(heapev_etl_writer_add_record(&w, rec, len, NULL), 0);
        assert_int_equal(heapev_etl_writer_add_event(&w, &items[i].event, &positions[i]), 0);
    }
    assert_int_equal(heapev_etl_writer_finish(&w, 0), 0);
    write_file(tmp_path("t.etl"), m.data, m.len);
    free(m.data);
    return 0;
}

static void test_json_events(void **state)
{
    (void)state;
    const char *args[] = {"decode", "--etl", "--json", tmp_path("t.etl"), NULL};
    run_result r = run(args);
    assert_int_equal(count_lines(r.out), EVENTS);
    jsonl lines = jsonl_start(r.out, r.out_len);
    heapev_findings any = 0;
    for (size_t i = 0; i < EVENTS; i++) {
        json_t *o = jsonl_next(&lines);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "kind")), "record");
        assert_int_equal(json_integer_value(json_object_get(o, "buffer")), positions[i].buffer);
        assert_int_equal(json_integer_value(json_object_get(o, "offset")), positions[i].offset);
        assert_int_equal(json_integer_value(json_object_get(o, "header_type")),
                         items[i].event.header.header_type);
        assert_int_equal(json_integer_value(json_object_get(o, "thread_id")),
                         items[i].event.header.thread_id);
        assert_int_equal(json_integer_value(json_object_get(o, "source")), items[i].event.source);
        assert_true(json_findings(json_object_get(o, "findings")) == items[i].expected);
        any |= items[i].expected;
        json_decref(o);
    }
    assert_true(any != 0); /* the exit status below is tested both ways over the suite */
    assert_int_equal(r.status, heapev_findings_defects(any) != 0 ? 1 : 0);
    free_result(&r);
}

static void test_summary_and_stdin(void **state)
{
    (void)state;
    const char *json[] = {"decode", "--etl", "--summary", "--json", "-", NULL};
    run_result r = run_with(tmp_path("t.etl"), NULL, json);
    assert_int_equal(r.status < 2, 1);
    assert_int_equal(count_lines(r.out), 1);
    json_t *o = jsonl_line(r.out, 0);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "summary");
    assert_int_equal(json_integer_value(json_object_get(o, "events")), EVENTS);
    /* EVENTS noise records and the writer's 3 header-extension records (Windows 10/11 style). */
    assert_int_equal(json_integer_value(json_object_get(o, "skipped")), EVENTS + 3);
    assert_int_equal(json_integer_value(json_object_get(o, "notes")), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "container_items")), 0);
    json_decref(o);
    free_result(&r);
    const char *text[] = {"decode", "--etl", "--summary", tmp_path("t.etl"), NULL};
    r = run(text);
    assert_int_equal(count_lines(r.out), 1);
    free_result(&r);
}

static void test_container_item(void **state)
{
    (void)state;
    size_t n;
    char *buf = slurp(tmp_path("t.etl"), &n);
    assert_true(n >= 2048);
    t_put((uint8_t *)buf + 1024 + 0x34, 0x40, 2); /* buffer 1 compressed */
    write_file(tmp_path("bad.etl"), buf, n - 10);
    free(buf);
    const char *json[] = {"decode", "--etl", "--json", tmp_path("bad.etl"), NULL};
    run_result r = run(json);
    assert_int_equal(r.status, 1);
    json_t *o = jsonl_line(r.out, 0);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "container");
    assert_int_equal(json_integer_value(json_object_get(o, "buffer")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "offset")), 1024);
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "findings"), 0)),
                        "etl_buffer_compressed");
    assert_true(json_is_false(json_object_get(o, "ok")));
    json_decref(o);
    free_result(&r);
    const char *text[] = {"decode", "--etl", tmp_path("bad.etl"), NULL};
    assert_int_equal(run_exit(NULL, text), 1);
}

static int file_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    return mem_sink(ctx, offset, data, len);
}

/*
 * Generated traces, well-formed and damaged, plain and compressed, 32- and
 * 64-bit, with buffers small enough for many segments: every path of
 * `decode --etl` (stream, mapped, 1..8 threads) prints the same, in text,
 * JSON and --summary.
 */
static void test_same_on_every_path(void **state)
{
    (void)state;
    static const char *const classes[] = {NULL, "etl_truncated_file", "etl_record_misaligned",
                                          "etl_buffers_written_mismatch", "etl_buffer_size_zero",
                                          "etl_saved_offset_beyond_buffer", "etl_log_unfinished",
                                          "etl_decompress_failed", "etl_buffer_beyond_file",
                                          "etl_pointer_size_mismatch"};
    for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++)
        for (int compress = 0; compress < 2; compress++) {
            int c = classes[k] ? heapev_gen_class_find(classes[k]) : -1;
            heapev_gen_etl_options o = {.seed = 40 + k, .width = k % 3 ? 8u : 4u, .count = 3000,
                                        .malformed = 0.2, .noise = 0.3, .buffer_size = 1024 + 512 * (k % 2),
                                        .container = c, .wow64 = k % 3 ? 0.3 : 0.0,
                                        .compress = compress};
            size_t cap = HEAPEV_GEN_ETL_MEMORY(o.buffer_size);
            uint8_t *mem = malloc(cap);
            mem_file m = {NULL, 0, 0, -1};
            int rc = heapev_gen_etl_write(&o, mem, cap, file_sink, &m, NULL, NULL, NULL);
            free(mem);
            if (rc == -1) { /* the class does not apply to this kind of trace */
                free(m.data);
                continue;
            }
            assert_int_equal(rc, 0);
            write_file(tmp_path("paths.etl"), m.data, m.len);
            free(m.data);
            expect_same_on_every_path(tmp_path("paths.etl"), "--json");
            expect_same_on_every_path(tmp_path("paths.etl"), "--summary");
            expect_same_on_every_path(tmp_path("paths.etl"), "--etl"); /* text */
        }
}

static void test_usage_and_io_errors(void **state)
{
    (void)state;
    const char *a[] = {"decode", "--summary", "x", NULL};
    const char *b[] = {"decode", "--etl", "--bits", "32", "x", NULL};
    const char *c[] = {"decode", "--etl", "/nonexistent/t.etl", NULL};
    const char *d[] = {"decode", "--etl", tmpdir, NULL}; /* a directory: read error */
    assert_int_equal(run_exit(NULL, a), 2);
    assert_int_equal(run_exit(NULL, b), 2);
    assert_int_equal(run_exit(NULL, c), 2);
    assert_int_equal(run_exit(NULL, d), 2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    heapev_bin = argv[1];
    if (cli_tmpdir_create("etl-cli") != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_events),
        cmocka_unit_test(test_summary_and_stdin),
        cmocka_unit_test(test_container_item),
        cmocka_unit_test(test_usage_and_io_errors),
        cmocka_unit_test(test_same_on_every_path),
    };
    int failed = cmocka_run_group_tests(tests, setup, NULL);
    if (cli_tmpdir_remove() != 0 && failed == 0)
        failed = 1;
    return failed;
}
