/*
 * test_stats_html.c - what `heapev stats --html` shows: the inputs, command,
 * heapev version and date that made the report; shares too small or too
 * large to show at one decimal as "<0.1%" / ">99.9%"; y-axis gridlines at
 * round counts (1, 2 or 5 x 10^k apart); the ETL container counts and
 * container findings; wide charts that shrink with the page (viewBox, in a
 * box that scrolls) instead of overflowing it.
 * argv[1] = path of the heapev binary.
 */
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_test.h"
#include "testlib.h"

/* heapev @p args (NULL-terminated) must exit 0 or 1 (findings). */
static void run_ok(const char *const *args)
{
    run_result r = run(args);
    if (r.status != 0 && r.status != 1)
        fail_msg("heapev %s %s: exit %d: %s", args[0], args[1], r.status, r.err);
    free_result(&r);
}

/* A directory of @p count clean 64-bit payloads made by heapev gen. */
static const char *clean_corpus(const char *name, const char *count)
{
    const char *args[] = {"gen", "--seed", "5", "--bits", "64", "--count", count,
                          "--out", tmp_path(name), NULL};
    run_ok(args);
    return tmp_path(name);
}

/* The version `heapev --version` prints ("heapev X" less the name). */
static char *version(void)
{
    const char *args[] = {"--version", NULL};
    run_result r = run(args);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "heapev ", 7) == 0);
    char *v = strdup(r.out + 7);
    v[strcspn(v, "\n")] = '\0';
    free_result(&r);
    return v;
}

static void test_report_names_its_origin(void **state)
{
    (void)state;
    const char *dir = clean_corpus("my corpus", "20");
    uint8_t p[28];
    t_payload64(p, 0x10000, 32, 0x20040, 6);
    write_file(tmp_path("one.bin"), p, sizeof p);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    const char *args[] = {"stats", "--html", tmp_path("origin.html"), dir, tmp_path("one.bin"),
                          NULL};
    run_ok(args);
    unsetenv("SOURCE_DATE_EPOCH");
    char *html = slurp(tmp_path("origin.html"), NULL), *v = version(), want[1024];
    snprintf(want, sizeof want, "<code>%s</code>, <code>%s</code>", dir, tmp_path("one.bin"));
    assert_non_null(strstr(html, want)); /* inputs */
    snprintf(want, sizeof want, "<code>heapev stats --html %s '%s' %s</code>",
             tmp_path("origin.html"), dir, tmp_path("one.bin"));
    assert_non_null(strstr(html, want)); /* the command, as it would be typed */
    snprintf(want, sizeof want, "<dd>heapev %s</dd>", v);
    assert_non_null(strstr(html, want)); /* version */
    assert_non_null(strstr(html, "<dd>2023-11-14 22:13:20 UTC</dd>")); /* SOURCE_DATE_EPOCH */
    free(v);
    free(html);
}

/* One Source-6 payload among 2500 clean ones: 0.04 % shows as "<0.1%", 99.96 % as ">99.9%". */
static void test_small_shares(void **state)
{
    (void)state;
    const char *dir = clean_corpus("shares", "2500");
    uint8_t p[28];
    t_payload64(p, 0x10000, 32, 0x20040, 6);
    write_file(tmp_path("reserved.bin"), p, sizeof p);
    const char *args[] = {"stats", "--html", tmp_path("shares.html"), dir, tmp_path("reserved.bin"),
                          NULL};
    run_ok(args);
    char *html = slurp(tmp_path("shares.html"), NULL);
    /* the findings bar and the Source table row of the one reserved Source */
    assert_non_null(strstr(html, ">1 (&lt;0.1%)</text>"));
    assert_non_null(strstr(html, "segment_heap</td><td class=\"n\">1</td><td class=\"n\">&lt;0.1%"));
    assert_non_null(strstr(html, "<b>&gt;99.9%</b><span>clean events</span>"));
    assert_null(strstr(html, ">1 (0.0%)"));
    /* a zero count still reads 0.0% */
    assert_non_null(strstr(html, "invalid</td><td class=\"n\">0</td><td class=\"n\">0.0%"));
    free(html);
}

/* A count label back to a number: 950, 2.5k, 40k, 1.2M. */
static double label_value(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return *end == 'k' ? v * 1e3 : *end == 'M' ? v * 1e6 : *end == 'G' ? v * 1e9 : v;
}

static void test_histogram_ticks_are_round(void **state)
{
    (void)state;
    const char *dir = clean_corpus("ticks", "3000");
    const char *args[] = {"stats", "--html", tmp_path("ticks.html"), dir, NULL};
    run_ok(args);
    char *html = slurp(tmp_path("ticks.html"), NULL);
    const char *svg = strstr(html, "<h2>Size distribution</h2>");
    assert_non_null(svg);
    double v[16];
    size_t n = 0;
    const char *p = svg;
    /* the gridlines, each followed by its label */
    while (n < 16 && (p = strstr(p, "<line class=\"")) != NULL && p < strstr(svg, "</svg>")) {
        const char *t = strstr(p, "text-anchor=\"end\">");
        assert_non_null(t);
        v[n++] = label_value(t + strlen("text-anchor=\"end\">"));
        p = t;
    }
    assert_true(n >= 2 && n <= 6);
    assert_true(v[0] == 0.0);
    double step = v[1] - v[0];
    double mag = 1.0;
    while (mag * 10 <= step)
        mag *= 10;
    double lead = step / mag;
    if (lead != 1.0 && lead != 2.0 && lead != 5.0)
        fail_msg("gridline step %g is not 1, 2 or 5 x 10^k", step);
    for (size_t i = 1; i < n; i++)
        if (v[i] - v[i - 1] != step)
            fail_msg("gridlines not evenly spaced: %g, %g, %g", v[i - 1], v[i], step);
    free(html);
}

static void test_etl_container_section(void **state)
{
    (void)state;
    const char *args[] = {"gen", "--format", "etl", "--seed", "3", "--count", "200", "--noise",
                          "0.3", "--buffer-size", "4096", "--class", "etl_offset_mismatch",
                          "--out", tmp_path("t.etl"), NULL};
    run_ok(args);
    const char *stats[] = {"stats", "--etl", "--html", tmp_path("etl.html"), tmp_path("t.etl"),
                           NULL};
    run_ok(stats);
    char *html = slurp(tmp_path("etl.html"), NULL);
    assert_non_null(strstr(html, "<h2>ETL container</h2>"));
    assert_non_null(strstr(html, "</b><span>buffers</span>"));
    assert_non_null(strstr(html, "</b><span>other records skipped</span>"));
    assert_non_null(strstr(html, "<th>container finding</th>"));
    assert_non_null(strstr(html, "<tr><td><code>etl_offset_mismatch</code></td>"));
    free(html);

    /* payload inputs: no ETL section */
    const char *payloads[] = {"stats", "--html", tmp_path("noetl.html"),
                              clean_corpus("noetl", "10"), NULL};
    run_ok(payloads);
    html = slurp(tmp_path("noetl.html"), NULL);
    assert_null(strstr(html, "ETL container"));
    free(html);
}

/* Every chart wider than a phone is scalable (viewBox) and boxed (scrolls, never the page). */
static void test_charts_fit_narrow_pages(void **state)
{
    (void)state;
    const char *dir = clean_corpus("narrow", "200");
    const char *args[] = {"stats", "--html", tmp_path("narrow.html"), dir, NULL};
    run_ok(args);
    char *html = slurp(tmp_path("narrow.html"), NULL);
    assert_non_null(strstr(html, ".chart svg{max-width:100%;height:auto}"));
    assert_non_null(strstr(html, "overflow-x:auto"));
    size_t charts = 0;
    for (const char *p = html; (p = strstr(p, "<svg width=\"")) != NULL; p++) {
        unsigned width = (unsigned)strtoul(p + strlen("<svg width=\""), NULL, 10);
        const char *end = strchr(p, '>');
        assert_non_null(end);
        assert_true(memmem(p, (size_t)(end - p), "viewBox=", 8) != NULL);
        if (width > 400) {
            charts++;
            assert_true(p - html > 20 && strncmp(p - 19, "<div class=\"chart\">", 19) == 0);
        }
    }
    assert_true(charts >= 2); /* the histogram and the findings bars at least */
    free(html);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_stats_html HEAPEV_BINARY\n");
        return 2;
    }
    heapev_bin = argv[1];
    if (cli_tmpdir_create("stats-html") != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_names_its_origin),
        cmocka_unit_test(test_small_shares),
        cmocka_unit_test(test_histogram_ticks_are_round),
        cmocka_unit_test(test_etl_container_section),
        cmocka_unit_test(test_charts_fit_narrow_pages),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cli_tmpdir_remove();
    return failed;
}
