/*
 * test_etl_cli.c - `heapev decode --etl` as a user runs it: JSON events with
 * buffer and offset equal to the writer's positions, container items,
 * --summary, stdin, exit codes and usage errors.
 * argv[1] = path of the heapev binary.
 */
#include "cmocka_all.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_heapev.h"
#include "test_etl_common.h"

static const char *heapev_bin;
static char dir[] = "/tmp/heapev-etl-cli-XXXXXX";
static char trace_path[256], out_path[256], err_path[256];
static heapev_etl_position positions[100];
static heapev_event events[100];

/* Run `heapev ARGS < in > out 2> err` through the shell; returns the exit status. */
static int run(const char *args, const char *in)
{
    int st = heapev_run_shell(heapev_bin, args, in ? in : "/dev/null", out_path, err_path);
    assert_true(st >= 0); /* ran and exited */
    return st;
}

static json_t *out_line(size_t index)
{
    FILE *f = fopen(out_path, "r");
    char line[8192];
    assert_non_null(f);
    for (size_t i = 0; i <= index; i++)
        assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    json_error_t e;
    json_t *o = json_loads(line, 0, &e);
    assert_non_null(o);
    return o;
}

static size_t out_lines(void)
{
    FILE *f = fopen(out_path, "r");
    size_t n = 0;
    int c;
    assert_non_null(f);
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static int setup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(trace_path, sizeof trace_path, "%s/t.etl", dir);
    snprintf(out_path, sizeof out_path, "%s/out", dir);
    snprintf(err_path, sizeof err_path, "%s/err", dir);
    mem_file m = {NULL, 0, 0, -1};
    uint8_t buf[1024], rec[256];
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.buffer_size = 1024};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, mem_sink, &m), 0);
    uint64_t rng = 77;
    for (int i = 0; i < 100; i++) {
        events[i] = t_event(&rng, 8, 500 + i);
        assert_int_equal(heapev_etl_writer_add_record(&w, rec, t_noise(rec, &rng, 8), NULL), 0);
        assert_int_equal(heapev_etl_writer_add_event(&w, &events[i], &positions[i]), 0);
    }
    assert_int_equal(heapev_etl_writer_finish(&w, 0), 0);
    FILE *f = fopen(trace_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(m.data, 1, m.len, f), m.len);
    fclose(f);
    free(m.data);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_json_events(void **state)
{
    (void)state;
    char args[512];
    snprintf(args, sizeof args, "decode --etl --json '%s'", trace_path);
    int st = run(args, NULL);
    assert_int_equal(out_lines(), 100);
    int any = 0;
    for (size_t i = 0; i < 100; i++) {
        json_t *o = out_line(i);
        assert_string_equal(json_string_value(json_object_get(o, "kind")), "record");
        assert_int_equal(json_integer_value(json_object_get(o, "buffer")), positions[i].buffer);
        assert_int_equal(json_integer_value(json_object_get(o, "offset")), positions[i].offset);
        assert_int_equal(json_integer_value(json_object_get(o, "thread_id")),
                         events[i].header.thread_id);
        assert_int_equal(json_integer_value(json_object_get(o, "source")), events[i].source);
        any |= json_array_size(json_object_get(o, "findings")) != 0;
        json_decref(o);
    }
    assert_int_equal(st, any ? 1 : 0);
}

static void test_summary_and_stdin(void **state)
{
    (void)state;
    assert_int_equal(run("decode --etl --summary --json -", trace_path) < 2, 1);
    assert_int_equal(out_lines(), 1);
    json_t *o = out_line(0);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "summary");
    assert_int_equal(json_integer_value(json_object_get(o, "events")), 100);
    /* 100 noise records and the writer's 3 header-extension records (Windows 10/11 style). */
    assert_int_equal(json_integer_value(json_object_get(o, "skipped")), 103);
    assert_int_equal(json_integer_value(json_object_get(o, "notes")), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "container_items")), 0);
    json_decref(o);
    char args[512];
    snprintf(args, sizeof args, "decode --etl --summary '%s'", trace_path);
    run(args, NULL);
    assert_int_equal(out_lines(), 1);
}

static void test_container_item(void **state)
{
    (void)state;
    char path[300], args[600];
    snprintf(path, sizeof path, "%s/bad.etl", dir);
    FILE *in = fopen(trace_path, "rb"), *out = fopen(path, "wb");
    uint8_t buf[4096];
    assert_non_null(in);
    assert_non_null(out);
    size_t n = fread(buf, 1, sizeof buf, in);
    t_put(buf + 1024 + 0x34, 0x40, 2); /* buffer 1 compressed */
    assert_int_equal(fwrite(buf, 1, n - 10, out), n - 10);
    fclose(in), fclose(out);
    snprintf(args, sizeof args, "decode --etl --json '%s'", path);
    assert_int_equal(run(args, NULL), 1);
    json_t *o = out_line(0);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "container");
    assert_int_equal(json_integer_value(json_object_get(o, "buffer")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "offset")), 1024);
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "findings"), 0)),
                        "etl_buffer_compressed");
    assert_true(json_is_false(json_object_get(o, "ok")));
    json_decref(o);
    snprintf(args, sizeof args, "decode --etl '%s'", path); /* text mode */
    assert_int_equal(run(args, NULL), 1);
}

static void test_usage_and_io_errors(void **state)
{
    (void)state;
    assert_int_equal(run("decode --summary x", NULL), 2);
    assert_int_equal(run("decode --etl --bits 32 x", NULL), 2);
    assert_int_equal(run("decode --etl /nonexistent/t.etl", NULL), 2);
    char args[512];
    snprintf(args, sizeof args, "decode --etl '%s'", dir); /* a directory: read error */
    assert_int_equal(run(args, NULL), 2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    heapev_bin = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_events),
        cmocka_unit_test(test_summary_and_stdin),
        cmocka_unit_test(test_container_item),
        cmocka_unit_test(test_usage_and_io_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
