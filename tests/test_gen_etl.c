/*
 * test_gen_etl.c - the generator's whole .etl traces: what it says the reader
 * must return (events, lost events, container items, counters) is exactly
 * what the library reader returns, on many seeds and for every container
 * class; the same options give the same bytes; and `heapev gen --format etl`
 * agrees with `heapev decode --etl --json`, and leaves no partial file.
 * argv[1] = path of the heapev binary.
 */
#include "cmocka_all.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_test.h"
#include "heapev/gen.h"
#include "test_etl_common.h"

#define BIT(sym) HEAPEV_FINDING_BIT(HEAPEV_FINDING_##sym)


/* ---- library runs ------------------------------------------------------------ */

typedef struct want {
    heapev_gen_etl_entry_kind kind;
    uint64_t buffer, offset, index;
    heapev_findings expected;
    int lost;
    heapev_event event;
} want;

typedef struct gen_run {
    mem_file file;
    want *w;
    size_t n, cap;
    heapev_gen_etl_summary sum;
    int rc;
} gen_run;

static int collect(void *ctx, const heapev_gen_etl_entry *e)
{
    gen_run *g = ctx;
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 256;
        g->w = realloc(g->w, g->cap * sizeof *g->w);
        if (g->w == NULL)
            abort();
    }
    want *x = &g->w[g->n++];
    memset(x, 0, sizeof *x);
    x->kind = e->kind, x->buffer = e->buffer, x->offset = e->offset, x->index = e->index;
    x->expected = e->expected, x->lost = e->lost;
    if (e->item != NULL)
        x->event = e->item->event;
    return 0;
}

static gen_run generate(const heapev_gen_etl_options *o)
{
    gen_run g;
    memset(&g, 0, sizeof g);
    g.file.fail_after = -1;
    size_t cap = 2u * (o->buffer_size ? o->buffer_size : 65536u);
    uint8_t *mem = malloc(cap);
    assert_non_null(mem);
    g.rc = heapev_gen_etl_write(o, mem, cap, mem_sink, &g.file, collect, &g, &g.sum);
    free(mem);
    return g;
}

static void free_run(gen_run *g)
{
    free(g->file.data);
    free(g->w);
}

static void describe(const heapev_gen_etl_options *o, char *out, size_t cap)
{
    const heapev_gen_etl_class *c = o->container >= 0 ? heapev_gen_etl_class_get((size_t)o->container) : NULL;
    snprintf(out, cap, "seed %llu bits %u count %llu noise %.2f malformed %.2f buffer %u class %s",
             (unsigned long long)o->seed, o->width * 8, (unsigned long long)o->count, o->noise,
             o->malformed, o->buffer_size, c ? c->name : "none");
}

/* The generated fields a reader decodes back (payload and header). */
static void assert_fields_equal(const char *what, size_t i, const heapev_event *x,
                                const heapev_event *y)
{
    const heapev_record_header *a = &x->header, *b = &y->header;
    if (x->pointer_width != y->pointer_width || x->heap_handle != y->heap_handle ||
        x->size != y->size || x->address != y->address || x->source != y->source ||
        x->trailing_bytes != y->trailing_bytes || a->version != b->version ||
        a->header_type != b->header_type || a->flags != b->flags || a->size != b->size ||
        a->hook_id != b->hook_id || a->thread_id != b->thread_id ||
        a->process_id != b->process_id || a->system_time != b->system_time ||
        a->kernel_time != b->kernel_time || a->user_time != b->user_time)
        fail_msg("%s: event item %zu: fields differ from the generated ones", what, i);
}

/* Reader items = the entries not lost, in order; counters = the summary. */
static void check_agreement(const heapev_gen_etl_options *o, gen_run *g)
{
    char what[256];
    describe(o, what, sizeof what);
    if (g->rc != 0)
        fail_msg("%s: heapev_gen_etl_write returned %d", what, g->rc);
    heapev_etl_reader r;
    heapev_etl_reader_init_memory(&r, NULL, g->file.data, g->file.len);
    heapev_etl_item it;
    size_t k = 0, items = 0;
    heapev_findings cunion = 0;
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK) {
        while (k < g->n && g->w[k].lost)
            k++;
        if (k == g->n)
            fail_msg("%s: reader item %zu (buffer %llu offset %llu) not expected", what, items,
                     (unsigned long long)it.buffer, (unsigned long long)it.offset);
        const want *x = &g->w[k++];
        int kind = it.kind == HEAPEV_ETL_ITEM_EVENT ? HEAPEV_GEN_ETL_EVENT : HEAPEV_GEN_ETL_CONTAINER;
        if ((int)x->kind != kind || it.buffer != x->buffer || it.offset != x->offset ||
            it.findings != x->expected) {
            char got[512], exp[512];
            heapev_findings_format(it.findings, ",", got, sizeof got);
            heapev_findings_format(x->expected, ",", exp, sizeof exp);
            fail_msg("%s: item %zu: got kind %d buffer %llu offset %llu [%s], expected kind %d "
                     "buffer %llu offset %llu [%s]", what, items, kind,
                     (unsigned long long)it.buffer, (unsigned long long)it.offset, got, x->kind,
                     (unsigned long long)x->buffer, (unsigned long long)x->offset, exp);
        }
        if (kind == HEAPEV_GEN_ETL_EVENT)
            assert_fields_equal(what, items, &x->event, &it.event);
        else
            cunion |= it.findings;
        items++;
    }
    while (k < g->n && g->w[k].lost)
        k++;
    if (k != g->n)
        fail_msg("%s: %zu expected entries not returned", what, g->n - k);
    const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
    if (s->buffers != g->sum.buffers || s->events != g->sum.events ||
        s->skipped != g->sum.skipped || s->container_items != g->sum.container_items ||
        g->file.len != g->sum.file_length || cunion != g->sum.container_findings)
        fail_msg("%s: stats buffers %llu/%llu events %llu/%llu skipped %llu/%llu items %llu/%llu "
                 "length %zu/%llu", what, (unsigned long long)s->buffers,
                 (unsigned long long)g->sum.buffers, (unsigned long long)s->events,
                 (unsigned long long)g->sum.events, (unsigned long long)s->skipped,
                 (unsigned long long)g->sum.skipped, (unsigned long long)s->container_items,
                 (unsigned long long)g->sum.container_items, g->file.len,
                 (unsigned long long)g->sum.file_length);
}

/* (a) write -> read agreement, no container class: nothing lost, noise all skipped. */
static void test_agreement_many_seeds(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {1024, 4096, 65536};
    for (uint64_t seed = 0; seed < 120; seed++) {
        heapev_gen_etl_options o = {seed, seed % 2 ? 4u : 8u, 50 + seed * 37 % 900,
                                    (double)(seed % 5) / 4.0, 0, (double)(seed % 7) / 10.0,
                                    sizes[seed % 3], -1};
        gen_run g = generate(&o);
        check_agreement(&o, &g);
        assert_int_equal(g.sum.lost, 0);
        assert_int_equal(g.sum.container_items, 0);
        assert_true(g.sum.skipped == g.sum.noise);
        if (o.noise > 0.2)
            assert_true(g.sum.noise > 0);
        free_run(&g);
    }
}

/* Events with every event class usable in a trace, alone. */
static void test_event_classes_in_trace(void **state)
{
    (void)state;
    heapev_gen_classes set = heapev_gen_etl_event_classes();
    assert_true(set != 0);
    for (size_t i = 0; i < heapev_gen_class_count(); i++) {
        if (!(set >> i & 1u))
            continue;
        for (unsigned w = 4; w <= 8; w += 4) {
            heapev_gen_etl_options o = {i * 7 + w, w, 300, 1.0, (heapev_gen_classes)1 << i, 0.3,
                                        4096, -1};
            gen_run g = generate(&o);
            check_agreement(&o, &g);
            free_run(&g);
        }
    }
    /* Classes that break the framing or are not Alloc events are refused. */
    heapev_gen_etl_options bad = {1, 8, 10, 1.0,
                                  (heapev_gen_classes)1 << heapev_gen_class_find("header_size_too_large"),
                                  0, 4096, -1};
    gen_run g = generate(&bad);
    assert_int_equal(g.rc, -1);
    free_run(&g);
}

/* (b) every container class: exactly its findings, on both widths and many seeds. */
static void test_container_classes(void **state)
{
    (void)state;
    size_t n = heapev_gen_etl_class_count();
    assert_true(n >= 25);
    for (size_t c = 0; c < n; c++) {
        const heapev_gen_etl_class *cls = heapev_gen_etl_class_get(c);
        assert_int_equal(heapev_gen_etl_class_find(cls->name), (int)c);
        for (uint64_t seed = 0; seed < 24; seed++) {
            static const uint64_t counts[] = {1, 2, 3, 5, 40, 400};
            heapev_gen_etl_options o = {seed * 131 + c, seed % 2 ? 4u : 8u, counts[seed % 6],
                                        seed % 3 ? 0.3 : 0.0, 0, (double)(seed % 4) / 5.0,
                                        seed % 4 == 3 ? 65536u : 1024u, (int)c};
            gen_run g = generate(&o);
            check_agreement(&o, &g);
            char what[256];
            describe(&o, what, sizeof what);
            if (g.sum.container_findings != cls->findings)
                fail_msg("%s: container findings differ from the class row", what);
            if (cls->findings != 0 && g.sum.container_items == 0)
                fail_msg("%s: no container item", what);
            if (cls->findings == BIT(ETL_POINTER_SIZE_MISMATCH))
                for (size_t i = 0; i < g.n; i++)
                    if (g.w[i].kind == HEAPEV_GEN_ETL_EVENT && !g.w[i].lost)
                        assert_true(g.w[i].expected & BIT(ETL_POINTER_SIZE_MISMATCH));
            free_run(&g);
        }
    }
    /* A class that damages an event needs one. */
    heapev_gen_etl_options o = {1, 8, 0, 0, 0, 0, 4096,
                                heapev_gen_etl_class_find("etl_record_size_zero")};
    gen_run g = generate(&o);
    assert_int_equal(g.rc, -1);
    free_run(&g);
    o.container = heapev_gen_etl_class_find("etl_pointer_size_invalid");
    g = generate(&o);
    check_agreement(&o, &g);
    free_run(&g);
}

/* Losses are where the class says: the events of one buffer, or after the cut. */
static void test_container_losses(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int loses;
    } cases[] = {{"etl_buffer_compressed", 1},      {"etl_saved_offset_below_header", 1},
                 {"etl_record_crossing_buffer", 1}, {"etl_record_misaligned", 1},
                 {"etl_truncated_file", 1},         {"etl_offset_mismatch", 0},
                 {"etl_buffer_size_zero", 0},       {"etl_buffer_size_unrecoverable", 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heapev_gen_etl_options o = {77, 8, 200, 0, 0, 0.2, 1024,
                                    heapev_gen_etl_class_find(cases[i].name)};
        assert_true(o.container >= 0);
        gen_run g = generate(&o);
        check_agreement(&o, &g);
        assert_int_equal(g.sum.lost > 0, cases[i].loses);
        assert_true(g.sum.lost <= (strcmp(cases[i].name, "etl_buffer_size_unrecoverable") ? 4u : 200u));
        free_run(&g);
    }
}

/* (d) determinism: same options, same bytes and entries; another seed, other bytes. */
static void test_deterministic(void **state)
{
    (void)state;
    for (int c = -1; c < (int)heapev_gen_etl_class_count(); c += 5) {
        heapev_gen_etl_options o = {42, 8, 700, 0.4, 0, 0.3, 4096, c};
        gen_run a = generate(&o), b = generate(&o);
        assert_int_equal(a.file.len, b.file.len);
        assert_memory_equal(a.file.data, b.file.data, a.file.len);
        assert_int_equal(a.n, b.n);
        for (size_t i = 0; i < a.n; i++) {
            assert_true(a.w[i].offset == b.w[i].offset);
            assert_true(a.w[i].expected == b.w[i].expected);
        }
        o.seed = 43;
        gen_run d = generate(&o);
        assert_true(d.file.len != a.file.len || memcmp(d.file.data, a.file.data, a.file.len) != 0);
        free_run(&a), free_run(&b), free_run(&d);
    }
}

/* The noise records: real shapes, never a heap Alloc, skipped by the reader. */
static void test_noise_records(void **state)
{
    (void)state;
    heapev_rng rng;
    heapev_rng_seed(&rng, 5);
    unsigned seen = 0;
    for (int i = 0; i < 400; i++) {
        uint8_t rec[HEAPEV_GEN_NOISE_MAX];
        unsigned w = i % 2 ? 4u : 8u;
        size_t len = heapev_gen_noise_record(&rng, w, 1000 + i, rec);
        assert_true(len >= 32 && len <= HEAPEV_GEN_NOISE_MAX);
        unsigned hook = rec[6] | (unsigned)rec[7] << 8;
        assert_true(hook == 0x1020 || hook == 0x1022 || hook == 0x1023 || hook == 0x1024);
        seen |= 1u << (hook - 0x1020);
        assert_int_equal(rec[2], w == 8 ? 2 : 1);
        assert_int_equal(rec[3], 0xC0);
        assert_int_equal(rec[4] | rec[5] << 8, len);
        size_t ptrs = hook == 0x1022 ? 5 : hook == 0x1024 ? 2 : 1;
        size_t u32s = hook == 0x1023 ? 0 : 1;
        assert_int_equal(len, 32 + ptrs * w + 4 * u32s);
    }
    assert_int_equal(seen, 0x1Du); /* 0x1020, 0x1022, 0x1023, 0x1024 */
}

/* ---- the CLI -------------------------------------------------------------------- */

/* Run heapev with @p args (NULL-terminated); stdout to @p out, stderr to a file. */
static int run_cli(const char *out, const char *const *args)
{
    int status = heapev_run(heapev_bin, args, NULL, out, tmp_path("stderr"));
    assert_int_not_equal(status, HEAPEV_RUN_FAILED);
    return status;
}

static json_t *next_line(FILE *f)
{
    static char *line;
    static size_t cap;
    ssize_t n = getline(&line, &cap, f);
    if (n <= 0) {
        free(line);
        line = NULL, cap = 0;
        return NULL;
    }
    json_error_t e;
    json_t *o = json_loads(line, 0, &e);
    if (o == NULL)
        fail_msg("bad JSON line: %s", e.text);
    return o;
}

/*
 * Every key `heapev decode --etl --json` prints for an item (but file, findings,
 * ok) equals the manifest's, and its findings equal expected_findings.
 */
static void assert_same_item(json_t *m, json_t *d, size_t i)
{
    const char *key;
    json_t *v;
    json_object_foreach(d, key, v) {
        if (strcmp(key, "file") == 0 || strcmp(key, "ok") == 0)
            continue;
        json_t *mv = json_object_get(m, strcmp(key, "findings") == 0 ? "expected_findings" : key);
        if (mv == NULL || !json_equal(mv, v)) {
            char *a = json_dumps(m, JSON_COMPACT), *b = json_dumps(d, JSON_COMPACT);
            fail_msg("item %zu: key %s differs\n manifest %s\n decode   %s", i, key, a, b);
        }
    }
}

/* The manifest's entries not lost, in order, = the decode lines; the summary = --summary. */
static void check_cli_agreement(const char *etl, const char *manifest, uint64_t count)
{
    const char *dec = tmp_path("decode.jsonl");
    const char *a[] = {"decode", "--etl", "--json", etl, NULL};
    int st = run_cli(dec, a);
    assert_true(st == 0 || st == 1);
    FILE *mf = fopen(manifest, "r"), *df = fopen(dec, "r");
    assert_non_null(mf);
    assert_non_null(df);
    json_t *m, *d, *summary = NULL;
    size_t items = 0;
    uint64_t events = 0;
    while ((m = next_line(mf)) != NULL) {
        const char *kind = json_string_value(json_object_get(m, "kind"));
        if (strcmp(kind, "summary") == 0) {
            summary = m;
            continue;
        }
        if (strcmp(kind, "record") == 0)
            assert_int_equal(json_integer_value(json_object_get(m, "index")), events++);
        if (json_is_true(json_object_get(m, "lost"))) {
            json_decref(m);
            continue;
        }
        d = next_line(df);
        if (d == NULL)
            fail_msg("decode ended at item %zu", items);
        assert_same_item(m, d, items++);
        json_decref(m), json_decref(d);
    }
    assert_null(next_line(df));
    fclose(mf), fclose(df);
    assert_int_equal(events, count);
    assert_non_null(summary);
    const char *s[] = {"decode", "--etl", "--json", "--summary", etl, NULL};
    st = run_cli(dec, s);
    assert_true(st == 0 || st == 1);
    df = fopen(dec, "r");
    d = next_line(df);
    assert_non_null(d);
    static const char *const keys[] = {"buffers", "events", "skipped", "container_items"};
    for (size_t k = 0; k < 4; k++)
        assert_true(json_equal(json_object_get(d, keys[k]), json_object_get(summary, keys[k])));
    struct stat sb;
    assert_int_equal(stat(etl, &sb), 0);
    assert_int_equal(json_integer_value(json_object_get(summary, "file_length")), sb.st_size);
    json_decref(d), json_decref(summary);
    fclose(df);
}

static int files_equal(const char *a, const char *b)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

/* (c) the done-when: gen --format etl, then decode --etl --json returns the manifest. */
static void test_cli_done_when(void **state)
{
    (void)state;
    /* 100,000 events take ~1 min under ASan (decode + JSON parse): the test runs 20,000. */
    const char *count = getenv("HEAPEV_GEN_ETL_COUNT") ? getenv("HEAPEV_GEN_ETL_COUNT") : "20000";
    const char *a[] = {"gen", "--format", "etl", "--seed", "3", "--count", count, "--noise",
                       "0.3", "--out", tmp_path("t.etl"), NULL};
    assert_int_equal(run_cli(NULL, a), 0);
    check_cli_agreement(tmp_path("t.etl"), tmp_path("t.etl.manifest.jsonl"),
                        strtoull(count, NULL, 10));
}

/* Damaged traces through the CLI: every container class, 32-bit, event classes on. */
static void test_cli_container_classes(void **state)
{
    (void)state;
    for (size_t c = 0; c < heapev_gen_etl_class_count(); c++) {
        const char *name = heapev_gen_etl_class_get(c)->name;
        char seed[16];
        snprintf(seed, sizeof seed, "%zu", c + 10);
        const char *a[] = {"gen", "--format", "etl", "--bits", c % 2 ? "32" : "64", "--seed", seed,
                           "--count", "300", "--noise", "0.25", "--malformed", "0.3",
                           "--buffer-size", "2048", "--class", name, "--class", "source_zero",
                           "--class", "trailing_bytes", "--out", tmp_path("c.etl"), "--manifest",
                           tmp_path("c.jsonl"), NULL};
        if (run_cli(NULL, a) != 0)
            fail_msg("gen --class %s failed", name);
        check_cli_agreement(tmp_path("c.etl"), tmp_path("c.jsonl"), 300);
    }
}

/* (d) the CLI: same arguments, identical .etl and manifest. */
static void test_cli_deterministic(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--format", "etl", "--seed", "9", "--count", "3000", "--noise", "0.2",
                       "--malformed", "0.2", "--class", "etl_buffer_compressed", "--out",
                       tmp_path("d1.etl"), NULL};
    assert_int_equal(run_cli(NULL, a), 0);
    a[14] = tmp_path("d2.etl");
    assert_int_equal(run_cli(NULL, a), 0);
    assert_true(files_equal(tmp_path("d1.etl"), tmp_path("d2.etl")));
    assert_true(files_equal(tmp_path("d1.etl.manifest.jsonl"), tmp_path("d2.etl.manifest.jsonl")));
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* No '.*.tmp' left in @p dir. */
static void assert_no_temp(const char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q '\\.tmp$'", dir);
    assert_true(system(cmd) != 0);
}

static void expect_fail(const char *const *args, const char *needle)
{
    assert_int_equal(run_cli(NULL, args), 2);
    FILE *f = fopen(tmp_path("stderr"), "r");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    if (needle && strstr(buf, needle) == NULL)
        fail_msg("stderr lacks '%s': %s", needle, buf);
}

/* (e) usage and I/O errors: exit 2, one message, no partial .etl or manifest. */
static void test_cli_errors(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--format", "etl", "--bits", "mixed", "--out", tmp_path("x.etl"), NULL};
    expect_fail(a, "mixed");
    const char *b[] = {"gen", "--format", "etl", "--stream", NULL};
    expect_fail(b, "--out");
    const char *c[] = {"gen", "--format", "etl", "--class", "header_size_too_large", "--out",
                       tmp_path("x.etl"), NULL};
    expect_fail(c, "inside a trace");
    const char *d[] = {"gen", "--format", "etl", "--class", "etl_buffer_compressed", "--class",
                       "etl_truncated_file", "--out", tmp_path("x.etl"), NULL};
    expect_fail(d, "one container class");
    const char *e[] = {"gen", "--format", "etl", "--buffer-size", "1000", "--out", tmp_path("x.etl"), NULL};
    expect_fail(e, "--buffer-size");
    const char *f[] = {"gen", "--class", "etl_buffer_compressed", "--out", tmp_path("xd"), NULL};
    expect_fail(f, "--format etl");
    const char *g[] = {"gen", "--noise", "0.5", "--stream", NULL};
    expect_fail(g, "--format etl");
    const char *h[] = {"gen", "--format", "etl", "--count", "0", "--class", "etl_record_size_zero",
                       "--out", tmp_path("x.etl"), NULL};
    expect_fail(h, "--count");
    assert_false(exists(tmp_path("x.etl")));
    assert_false(exists(tmp_path("x.etl.manifest.jsonl")));
    /* Unwritable places. */
    const char *i[] = {"gen", "--format", "etl", "--out", tmp_path("no/such/dir/t.etl"), NULL};
    expect_fail(i, "no/such/dir");
    const char *j[] = {"gen", "--format", "etl", "--out", "/proc/self/t.etl", NULL};
    expect_fail(j, "/proc/self");
    const char *k[] = {"gen", "--format", "etl", "--out", tmp_path("y.etl"), "--manifest",
                       tmp_path("no/such/m.jsonl"), NULL};
    expect_fail(k, "m.jsonl");
    assert_false(exists(tmp_path("y.etl")));
    /* A full disk: /dev/full as the trace. */
    const char *l[] = {"gen", "--format", "etl", "--count", "20000", "--out", "/dev/full",
                       "--manifest", tmp_path("full.jsonl"), NULL};
    expect_fail(l, "/dev/full");
    assert_false(exists(tmp_path("full.jsonl")));
    /* The manifest cannot be renamed into place (a non-empty directory is there). */
    mkdir(tmp_path("mdir"), 0755);
    mkdir(tmp_path("mdir/x"), 0755);
    const char *m[] = {"gen", "--format", "etl", "--count", "50", "--out", tmp_path("z.etl"),
                       "--manifest", tmp_path("mdir"), NULL};
    expect_fail(m, "mdir");
    assert_false(exists(tmp_path("z.etl")));
    assert_no_temp(tmpdir);
    /* A device as the manifest is written in place, never renamed over. */
    const char *n[] = {"gen", "--format", "etl", "--count", "50", "--out", tmp_path("n.etl"),
                       "--manifest", "/dev/null", NULL};
    assert_int_equal(run_cli(NULL, n), 0);
    struct stat sb;
    assert_int_equal(stat("/dev/null", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
    assert_true(exists(tmp_path("n.etl")));
}

static void test_cli_list_classes(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--list-classes", "--format", "etl", "--json", NULL};
    const char *out = tmp_path("list.jsonl");
    assert_int_equal(run_cli(out, a), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    json_t *o;
    size_t containers = 0, events = 0;
    while ((o = next_line(f)) != NULL) {
        const char *name = json_string_value(json_object_get(o, "name"));
        if (strcmp(json_string_value(json_object_get(o, "stage")), "container") == 0) {
            int k = heapev_gen_etl_class_find(name);
            assert_int_equal(k, (int)containers++);
        } else {
            int k = heapev_gen_class_find(name);
            assert_true(k >= 0 && (heapev_gen_etl_event_classes() >> k & 1u));
            events++;
        }
        json_decref(o);
    }
    fclose(f);
    assert_int_equal(containers, heapev_gen_etl_class_count());
    assert_true(events > 10);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test-gen-etl HEAPEV\n");
        return 2;
    }
    heapev_bin = argv[1];
    if (cli_tmpdir_create("gen-etl") != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agreement_many_seeds), cmocka_unit_test(test_event_classes_in_trace),
        cmocka_unit_test(test_container_classes),    cmocka_unit_test(test_container_losses),
        cmocka_unit_test(test_deterministic),        cmocka_unit_test(test_noise_records),
        cmocka_unit_test(test_cli_done_when),        cmocka_unit_test(test_cli_container_classes),
        cmocka_unit_test(test_cli_deterministic),    cmocka_unit_test(test_cli_errors),
        cmocka_unit_test(test_cli_list_classes),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cli_tmpdir_remove();
    return failed;
}
