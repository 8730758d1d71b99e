/*
 * test_gen_etl.c - the generator's whole .etl traces: what it says the reader
 * must return (events, lost events, container items, counters) is exactly
 * what the library reader returns, on many seeds, for every container class
 * in every trace kind it applies to (plain / compressed, 32 / 64-bit, Windows
 * 10 or 7 header buffer), with WOW64 processes and Allocs in all three header
 * families; the traces look like real ones (logfile fields, header buffer,
 * buffer headers: SPEC §4); the same options give the same bytes; and
 * `heapev gen --format etl` agrees with `heapev decode --etl --json`, and
 * leaves no partial file.
 * argv[1] = path of the heapev binary.
 */
#include "cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_json.h"
#include "heapev/emit.h"
#include "heapev/gen_etl.h"
#include "heapev/le.h"
#include "test_etl_common.h"


/* The one finding of severity note (findings.h): reported, counted in no total. */
#define NOTES HEAPEV_FINDING(ETL_LOG_UNFINISHED)
/*
 * Container findings about a data buffer whose records the reader cannot
 * read at all (so a compressed one is not decompressed): Offset invalid, the
 * stream does not decompress or to another length, the buffer cut short.
 */
/* The container classes: the catalogue's rows after well_formed. */
#define CONTAINER_BASE (heapev_gen_well_formed_index() + 1u)
#define N_CONTAINERS (heapev_gen_class_count() - CONTAINER_BASE)

#define NOT_READ                                                                              \
    (HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID) | HEAPEV_FINDING(ETL_DECOMPRESS_FAILED) |                              \
     HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH) | HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE) | HEAPEV_FINDING(ETL_TRUNCATED_FILE))

/* ---- format facts (SPEC §3, §4), written out here, not taken from the library ---- */

enum { FAM_SYSTEM = 1, FAM_COMPACT = 2, FAM_PERFINFO = 4 };

/* HeaderType -> header family bit (HEAPEV_GEN_FAMILY_*), 0 for any other type. */
static unsigned type_family(unsigned t)
{
    return t == 1 || t == 2 ? FAM_SYSTEM : t == 3 || t == 4 ? FAM_COMPACT
                                       : t == 16 || t == 17 ? FAM_PERFINFO : 0;
}

/* HeaderType -> pointer width of the record (SYSTEM32/COMPACT32/PERFINFO32 are 32-bit). */
static unsigned type_width(unsigned t)
{
    return t == 1 || t == 3 || t == 16 ? 4 : 8;
}

/* Where SystemTime lies: at 16 in SYSTEM / COMPACT headers, at 8 in PERFINFO ones. */
static unsigned type_time_at(unsigned t)
{
    return type_family(t) == FAM_PERFINFO ? 8 : 16;
}

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* QPC ticks at @p freq Hz as 100 ns units: floor(q * 10^7 / freq), without overflow. */
static int64_t qpc_100ns(int64_t q, int64_t freq)
{
    return q / freq * 10000000 + q % freq * 10000000 / freq;
}

/* ---- library runs ------------------------------------------------------------ */

typedef struct want {
    heapev_gen_etl_entry_kind kind;
    uint64_t buffer, offset, index;
    heapev_findings expected;
    int lost;
    int decompressed;           /* the entry's: among a compressed buffer's records */
    heapev_event event;
    heapev_gen_classes classes; /* events: the event classes applied */
    unsigned width;             /* events: the producer width */
    uint8_t bytes[HEAPEV_GEN_MAX_BYTES];
    size_t len;
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
    x->expected = e->expected, x->lost = e->lost, x->decompressed = e->decompressed;
    if (e->item != NULL) {
        x->event = e->item->event;
        x->classes = e->item->classes;
        x->width = e->item->width;
        x->len = e->item->len;
        memcpy(x->bytes, e->item->bytes, e->item->len);
    }
    return 0;
}

static uint32_t bsize_of(const heapev_gen_etl_options *o)
{
    return o->buffer_size ? o->buffer_size : 65536u;
}

/* Run the generator with @p cap bytes of memory (0: exactly HEAPEV_GEN_ETL_MEMORY). */
static gen_run generate_cap(const heapev_gen_etl_options *o, size_t cap)
{
    gen_run g;
    memset(&g, 0, sizeof g);
    g.file.fail_after = -1;
    if (cap == 0)
        cap = HEAPEV_GEN_ETL_MEMORY(bsize_of(o));
    uint8_t *mem = malloc(cap);
    assert_non_null(mem);
    g.rc = heapev_gen_etl_write(o, mem, cap, mem_sink, &g.file, collect, &g, &g.sum);
    free(mem);
    return g;
}

static gen_run generate(const heapev_gen_etl_options *o)
{
    return generate_cap(o, 0);
}

static void free_run(gen_run *g)
{
    free(g->file.data);
    free(g->w);
}

static void describe(const heapev_gen_etl_options *o, char *out, size_t cap)
{
    const heapev_gen_class *c = o->container >= 0 ? heapev_gen_class_get((size_t)o->container) : NULL;
    snprintf(out, cap,
             "seed %llu bits %u count %llu noise %.2f malformed %.2f buffer %u wow64 %.2f "
             "families %u style %s%s class %s",
             (unsigned long long)o->seed, o->width * 8, (unsigned long long)o->count, o->noise,
             o->malformed, o->buffer_size, o->wow64, o->families,
             o->style == HEAPEV_ETL_STYLE_WIN7 ? "win7" : "win10", o->compress ? " compressed" : "",
             c ? c->name : "none");
}

/* Decompression memory for the reader: its default max_buffer_size (the CLI's too). */
static uint8_t *scratch(void)
{
    static uint8_t *mem;
    if (mem == NULL)
        mem = malloc(HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE));
    assert_non_null(mem);
    return mem;
}

static void reader_open(heapev_etl_reader *r, const gen_run *g, int report_skipped)
{
    heapev_etl_read_options ro;
    memset(&ro, 0, sizeof ro);
    ro.scratch = scratch();
    ro.scratch_size = HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE);
    ro.report_skipped = report_skipped;
    heapev_etl_reader_init_memory(r, &ro, g->file.data, g->file.len);
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

/*
 * An event item: its record in the bytes the reader reads (the file, or the
 * decompressed image of its buffer) is the generated record, at the item's
 * offset minus its buffer's offset; decompressed exactly in a compressed
 * trace's data buffers.
 */
static void check_event_place(const char *what, size_t i, const heapev_gen_etl_options *o,
                              const heapev_etl_reader *r, const heapev_etl_item *it,
                              const want *x)
{
    size_t len;
    const uint8_t *buf = heapev_etl_reader_buffer(r, &len);
    if (it->decompressed != (o->compress && it->buffer > 0) || it->decompressed != x->decompressed)
        fail_msg("%s: event item %zu: decompressed %d (entry %d)", what, i, it->decompressed,
                 x->decompressed);
    if (!o->compress && it->buffer_offset != it->buffer * bsize_of(o))
        fail_msg("%s: event item %zu: buffer_offset %llu", what, i,
                 (unsigned long long)it->buffer_offset);
    uint64_t at = it->offset - it->buffer_offset;
    if (it->offset < it->buffer_offset || at % 8 != 0 || at < 72 || buf == NULL ||
        at + x->len > len || memcmp(buf + at, x->bytes, x->len) != 0)
        fail_msg("%s: event item %zu: the bytes at offset %llu are not the generated record",
                 what, i, (unsigned long long)it->offset);
}

/* What check_agreement() counted, for the callers' own checks. */
typedef struct agreed {
    uint64_t events, wow64_events, notes;
    unsigned families64, families32; /* header families of the returned well-formed events */
    heapev_etl_stats stats;
} agreed;

/*
 * Reader items = the entries not lost, in order (kind, buffer, offset,
 * findings; events' fields and bytes); counters = the summary, and the
 * counters the summary has no field for (findings, events with findings,
 * notes, decompressed buffers) = what the entries imply.
 */
static agreed check_agreement(const heapev_gen_etl_options *o, gen_run *g)
{
    char what[320];
    describe(o, what, sizeof what);
    if (g->rc != 0)
        fail_msg("%s: heapev_gen_etl_write returned %d", what, g->rc);
    heapev_etl_reader r;
    reader_open(&r, g, 0);
    heapev_etl_item it;
    size_t k = 0, items = 0;
    heapev_findings cunion = 0;
    uint64_t findings = 0, event_findings = 0, unread = 0;
    agreed a;
    memset(&a, 0, sizeof a);
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
        heapev_findings defects = x->expected & ~NOTES;
        findings += heapev_findings_count(defects);
        if (kind == HEAPEV_GEN_ETL_EVENT) {
            assert_fields_equal(what, items, &x->event, &it.event);
            check_event_place(what, items, o, &r, &it, x);
            event_findings += defects != 0;
            a.events++;
            unsigned t = it.event.header.header_type;
            a.wow64_events += o->width == 8 && type_width(t) == 4;
            if (x->classes == 0 && type_width(t) == 8)
                a.families64 |= type_family(t);
            else if (x->classes == 0)
                a.families32 |= type_family(t);
        } else {
            /*
             * Among the decompressed records (the entry says so): an item at a record of a
             * buffer that decompressed; never at a buffer header or in an unread buffer.
             */
            int dec = x->decompressed && !(it.findings & NOT_READ);
            if (x->decompressed && (!o->compress || it.buffer == 0 ||
                                    it.offset < it.buffer_offset + 72))
                fail_msg("%s: container entry %zu: decompressed at a buffer header", what, items);
            if (it.decompressed != dec)
                fail_msg("%s: container item %zu (buffer %llu): decompressed %d, want %d", what,
                         items, (unsigned long long)it.buffer, it.decompressed, dec);
            cunion |= it.findings;
            a.notes += heapev_findings_count(it.findings & NOTES);
            unread += it.buffer > 0 && (it.findings & NOT_READ) != 0;
        }
        items++;
    }
    while (k < g->n && g->w[k].lost)
        k++;
    if (k != g->n)
        fail_msg("%s: %zu expected entries not returned", what, g->n - k);
    const heapev_etl_stats *s = heapev_etl_reader_stats(&r);
    uint64_t decompressed = o->compress && g->sum.buffers > 0 ? g->sum.buffers - 1 - unread : 0;
    if (s->buffers != g->sum.buffers || s->events != g->sum.events ||
        s->skipped != g->sum.skipped || s->container_items != g->sum.container_items ||
        g->file.len != g->sum.file_length || cunion != g->sum.container_findings ||
        s->findings != findings || s->event_findings != event_findings || s->notes != a.notes ||
        s->decompressed != decompressed || g->sum.events + g->sum.lost != o->count)
        fail_msg("%s: stats buffers %llu/%llu events %llu/%llu skipped %llu/%llu items %llu/%llu "
                 "length %zu/%llu findings %llu/%llu with findings %llu/%llu notes %llu/%llu "
                 "decompressed %llu/%llu", what, (unsigned long long)s->buffers,
                 (unsigned long long)g->sum.buffers, (unsigned long long)s->events,
                 (unsigned long long)g->sum.events, (unsigned long long)s->skipped,
                 (unsigned long long)g->sum.skipped, (unsigned long long)s->container_items,
                 (unsigned long long)g->sum.container_items, g->file.len,
                 (unsigned long long)g->sum.file_length, (unsigned long long)s->findings,
                 (unsigned long long)findings, (unsigned long long)s->event_findings,
                 (unsigned long long)event_findings, (unsigned long long)s->notes,
                 (unsigned long long)a.notes, (unsigned long long)s->decompressed,
                 (unsigned long long)decompressed);
    a.stats = *s;
    return a;
}

/* The header records a trace of @p style has after the logfile header: 0x0050, 0x0042, 0x0040. */
static uint64_t header_records(heapev_etl_style style)
{
    return style == HEAPEV_ETL_STYLE_WIN10 ? 3u : 0u;
}

/*
 * (a) write -> read agreement, no container class, over the option space:
 * plain and compressed, 32 and 64-bit, WOW64 shares, header families,
 * Windows 10 and 7 style, noise, malformed events, buffer sizes.
 */
static void test_agreement_many_seeds(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {1024, 4096, 65536};
    static const double wow[] = {0.0, 0.25, 0.5, 0.9};
    for (uint64_t seed = 0; seed < 160; seed++) {
        heapev_gen_etl_options o = {.seed = seed,
                                    .width = seed % 2 ? 4u : 8u,
                                    .count = 50 + seed * 37 % 700,
                                    .malformed = (double)(seed % 5) / 4.0,
                                    .noise = (double)(seed % 7) / 10.0,
                                    .buffer_size = sizes[seed % 3],
                                    .container = -1,
                                    .families = (unsigned)(seed / 3 % 8),
                                    .style = seed % 5 == 2 ? HEAPEV_ETL_STYLE_WIN7
                                                           : HEAPEV_ETL_STYLE_WIN10,
                                    .compress = seed / 2 % 2 == 1};
        o.wow64 = o.width == 8 ? wow[seed / 2 % 4] : 0.0;
        char what[320];
        describe(&o, what, sizeof what);
        gen_run g = generate(&o);
        agreed a = check_agreement(&o, &g);
        assert_int_equal(g.sum.lost, 0);
        assert_int_equal(g.sum.container_items, 0);
        assert_int_equal(g.sum.container_findings, 0);
        assert_int_equal(a.notes, 0);
        /* Every noise record is skipped, and so are the WIN10 header-extension records. */
        if (g.sum.skipped != g.sum.noise + header_records(o.style))
            fail_msg("%s: skipped %llu, noise %llu", what, (unsigned long long)g.sum.skipped,
                     (unsigned long long)g.sum.noise);
        if (o.noise > 0.2)
            assert_true(g.sum.noise > 0);
        if (o.malformed == 0.0)
            assert_int_equal(a.stats.findings, 0);
        /* Well-formed events: only the families asked for, 32-bit headers only from WOW64. */
        unsigned fam = o.families ? o.families : (unsigned)HEAPEV_GEN_FAMILY_ALL;
        if (((a.families64 | a.families32) & ~fam) != 0)
            fail_msg("%s: families %x/%x outside %x", what, a.families64, a.families32, fam);
        if (o.width == 4 && a.families64 != 0)
            fail_msg("%s: a 64-bit record in a 32-bit trace", what);
        if (o.wow64 == 0.0 && o.width == 8 && (a.wow64_events != 0 || a.families32 != 0))
            fail_msg("%s: 32-bit records without a WOW64 share", what);
        if (o.wow64 >= 0.25 && a.wow64_events == 0)
            fail_msg("%s: no WOW64 event", what);
        for (size_t i = 0; i < g.n; i++)
            if (g.w[i].kind == HEAPEV_GEN_ETL_EVENT && g.w[i].width != type_width(g.w[i].event.header.header_type))
                fail_msg("%s: event %zu: producer width %u in a header of the other width", what, i,
                         g.w[i].width);
        free_run(&g);
    }
}

/* Events with every event class usable in a trace, alone; 64-bit traces with WOW64 events. */
static void test_event_classes_in_trace(void **state)
{
    (void)state;
    heapev_gen_classes set = heapev_gen_etl_event_classes();
    assert_true(set != 0);
    for (size_t i = 0; i < heapev_gen_well_formed_index(); i++) { /* a set holds applied rows only */
        if (!(set >> i & 1u))
            continue;
        for (unsigned k = 0; k < 3; k++) {
            heapev_gen_etl_options o = {.seed = i * 7 + k,
                                        .width = k == 0 ? 4u : 8u,
                                        .count = 300,
                                        .malformed = 1.0,
                                        .enabled = (heapev_gen_classes)1 << i,
                                        .noise = 0.3,
                                        .buffer_size = 4096,
                                        .container = -1,
                                        .wow64 = k == 2 ? 0.4 : 0.0,
                                        .compress = k == 2};
            gen_run g = generate(&o);
            check_agreement(&o, &g);
            free_run(&g);
        }
    }
    /* Classes that break the framing or are not Alloc events are refused. */
    heapev_gen_etl_options bad = {
        .seed = 1, .width = 8, .count = 10, .malformed = 1.0,
        .enabled = (heapev_gen_classes)1 << heapev_gen_class_find("header_size_too_large"),
        .buffer_size = 4096, .container = -1};
    gen_run g = generate(&bad);
    assert_int_equal(g.rc, -1);
    free_run(&g);
}

/*
 * WOW64 events leave out the event classes whose findings depend on the
 * 32-bit user limit (the reader checks them against the WOW64 limit): with
 * only such a class enabled, every WOW64 event is well-formed and every
 * 64-bit one has the class.
 */
static void test_wow64_limit_classes(void **state)
{
    (void)state;
    static const char *const names[] = {"size_implausible", "address_kernel_range",
                                        "address_wraps", "heap_handle_kernel_range",
                                        "block_end_kernel_range"};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        int c = heapev_gen_class_find(names[n]);
        assert_true(c >= 0);
        heapev_gen_etl_options o = {.seed = 500 + n, .width = 8, .count = 400, .malformed = 1.0,
                                    .enabled = (heapev_gen_classes)1 << c, .noise = 0.1,
                                    .buffer_size = 4096, .container = -1, .wow64 = 0.5};
        gen_run g = generate(&o);
        agreed a = check_agreement(&o, &g);
        assert_true(a.wow64_events > 0 && a.wow64_events < a.events);
        for (size_t i = 0; i < g.n; i++) {
            if (g.w[i].kind != HEAPEV_GEN_ETL_EVENT)
                continue;
            if (g.w[i].width == 4 && (g.w[i].classes != 0 || g.w[i].expected != 0))
                fail_msg("%s: WOW64 event %zu damaged", names[n], i);
            if (g.w[i].width == 8 && g.w[i].classes != (heapev_gen_classes)1 << c)
                fail_msg("%s: 64-bit event %zu without the class", names[n], i);
        }
        free_run(&g);
    }
}

/* The trace kinds: bit 0 compressed, bit 1 64-bit. */
static int kind_fits(const heapev_gen_class *cls, unsigned kind)
{
    unsigned trace = kind & 1 ? HEAPEV_GEN_ETL_COMPRESSED : HEAPEV_GEN_ETL_PLAIN;
    unsigned width = kind & 2 ? HEAPEV_GEN_WIDTH_64 : HEAPEV_GEN_WIDTH_32;
    return (cls->traces & trace) && (cls->widths & width);
}

/* Check what a container class run gave beyond agreement. */
static void check_class_run(const heapev_gen_etl_options *o, const heapev_gen_class *cls,
                            gen_run *g, const agreed *a)
{
    char what[320];
    describe(o, what, sizeof what);
    if (g->sum.container_findings != cls->findings)
        fail_msg("%s: container findings differ from the class row", what);
    size_t citems = 0;
    for (size_t i = 0; i < g->n; i++)
        citems += g->w[i].kind == HEAPEV_GEN_ETL_CONTAINER;
    if (cls->findings != 0 && citems == 0)
        fail_msg("%s: no container item", what);
    /* Only defects count as container items; the note is reported but not counted. */
    if ((cls->findings & ~NOTES) == 0 && g->sum.container_items != 0)
        fail_msg("%s: container_items %llu for a class without a defect", what,
                 (unsigned long long)g->sum.container_items);
    if ((cls->findings & NOTES) != 0 && (a->notes != 1 || a->stats.container_items != 0))
        fail_msg("%s: notes %llu container items %llu", what, (unsigned long long)a->notes,
                 (unsigned long long)a->stats.container_items);
    if (cls->findings == HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH)) {
        /* PointerSize 8 -> 4: the 64-bit Allocs mismatch, the WOW64 (32-bit header) ones not. */
        for (size_t i = 0; i < g->n; i++) {
            const want *x = &g->w[i];
            if (x->kind != HEAPEV_GEN_ETL_EVENT)
                continue;
            int wide = type_width(x->event.header.header_type) == 8;
            if (((x->expected & HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH)) != 0) != wide)
                fail_msg("%s: event %zu (%d-bit header): pointer-size mismatch %s", what, i,
                         wide ? 64 : 32, wide ? "missing" : "on a WOW64 event");
        }
    }
}

static heapev_gen_etl_options class_options(size_t c, unsigned kind, uint64_t seed)
{
    static const uint64_t counts[] = {1, 2, 3, 5, 40, 300};
    heapev_gen_etl_options o = {.seed = seed * 131 + c * 7 + kind,
                                .width = kind & 2 ? 8u : 4u,
                                .count = counts[seed % 6],
                                .malformed = seed % 3 ? 0.3 : 0.0,
                                .noise = (double)(seed % 4) / 5.0,
                                .buffer_size = seed % 4 == 3 ? 65536u : 1024u,
                                .container = (int)c,
                                .families = (unsigned)(seed % 8),
                                .style = seed % 4 == 1 ? HEAPEV_ETL_STYLE_WIN7 : HEAPEV_ETL_STYLE_WIN10,
                                .compress = (kind & 1) != 0};
    o.wow64 = o.width == 8 && seed % 3 != 2 ? 0.3 : 0.0;
    return o;
}

/*
 * (b) one container class (the test's state: its index) in every trace kind
 * it applies to (plain / compressed x 32 / 64-bit, Windows 7 style for a
 * sample): exactly its findings; in the kinds it does not apply to, refused
 * (-1, nothing written). One cmocka test per class, named after it.
 */
static void test_container_class(void **state)
{
    size_t c = (size_t)(uintptr_t)*state;
    const heapev_gen_class *cls = heapev_gen_class_get(c);
    assert_non_null(cls);
    assert_int_equal(heapev_gen_class_find(cls->name), (int)c);
    assert_true(cls->traces != 0 && (cls->traces & ~3u) == 0);
    assert_true(cls->widths != 0 && (cls->widths & ~3u) == 0);
    unsigned kinds = 0;
    for (unsigned kind = 0; kind < 4; kind++) {
        if (!kind_fits(cls, kind)) {
            heapev_gen_etl_options o = class_options(c, kind, 4);
            gen_run g = generate(&o);
            if (g.rc != -1 || g.file.len != 0 || g.n != 0)
                fail_msg("%s in %s %u-bit trace: rc %d, %zu bytes written", cls->name,
                         kind & 1 ? "a compressed" : "a plain", kind & 2 ? 64 : 32, g.rc,
                         g.file.len);
            free_run(&g);
            continue;
        }
        kinds++;
        for (uint64_t seed = 0; seed < 24; seed++) {
            heapev_gen_etl_options o = class_options(c, kind, seed);
            gen_run g = generate(&o);
            agreed a = check_agreement(&o, &g);
            check_class_run(&o, cls, &g, &a);
            free_run(&g);
        }
    }
    assert_true(kinds > 0);
}

/* The container classes as a whole: how many, and the rules about count 0. */
static void test_container_classes(void **state)
{
    (void)state;
    assert_true(N_CONTAINERS >= 30);
    /* A class that damages an event needs one. */
    heapev_gen_etl_options o = {.seed = 1, .width = 8, .buffer_size = 4096,
                                .container = heapev_gen_class_find("etl_record_size_zero")};
    gen_run g = generate(&o);
    assert_int_equal(g.rc, -1);
    free_run(&g);
    o.container = heapev_gen_class_find("etl_pointer_size_invalid");
    g = generate(&o);
    check_agreement(&o, &g);
    free_run(&g);
    o.compress = 1;
    g = generate(&o);
    check_agreement(&o, &g);
    free_run(&g);
}

/* The class table as the commit describes it: the new rows, their trace kinds, the gone one. */
/* What the reader reports about a trace image: every finding, of events and container items. */
static heapev_findings reader_findings(const uint8_t *p, size_t n)
{
    heapev_etl_read_options ro;
    heapev_etl_reader r;
    heapev_etl_item it;
    heapev_findings all = 0;
    memset(&ro, 0, sizeof ro);
    ro.scratch = scratch();
    ro.scratch_size = HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE);
    heapev_etl_reader_init_memory(&r, &ro, p, n);
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK)
        all |= it.findings;
    return all;
}

/*
 * heapev_gen_etl_damage() on a clean trace, buffer by buffer as a mutator
 * uses it: the reader then reports the class's findings (none of the etl_*
 * defects for the classes without findings). Plain traces take every class
 * that applies to them; compressed ones those of compressed traces only (a
 * record class would need the records decompressed first).
 */
static void damage_one(size_t c, int compress)
{
    const heapev_gen_class *k = heapev_gen_class_get(c);
    heapev_gen_etl_options o = {.seed = 77 + c, .width = 8, .count = 12, .buffer_size = 1024,
                                .container = -1, .compress = compress};
    gen_run g = generate(&o);
    assert_int_equal(g.rc, 0);
    uint8_t *p = g.file.data;
    size_t n = g.file.len, b0 = heapev_read_le32(p); /* buffer 0's length (its BufferSize) */
    size_t last = b0;
    for (size_t at = b0; at < n; at += compress ? (size_t)heapev_read_le32(p + at) : 1024u)
        last = at;
    heapev_gen_etl_target t = {p, b0, 1024, 8, 0, 0, 0, 0};
    heapev_gen_etl_part part = heapev_gen_etl_class_part(c);
    if (part != HEAPEV_GEN_ETL_PART_HEADER_BUFFER) { /* buffer 1; the last one for a cut */
        size_t at = part == HEAPEV_GEN_ETL_PART_FILE_END ? last : b0;
        const uint8_t *first = p + at + HEAPEV_ETL_BUFFER_HEADER_SIZE; /* its first record */
        t.buffer = p + at;
        t.len = compress ? (size_t)heapev_read_le32(p + at) : 1024u;
        t.prev_len = heapev_read_le16(first + HEAPEV_HEADER_OFF_SIZE);
        t.record = HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_ETL_ALIGN(t.prev_len);
        if (part == HEAPEV_GEN_ETL_PART_FILE_END)
            t.record = HEAPEV_ETL_BUFFER_HEADER_SIZE;
        t.record_len = heapev_read_le16(p + at + t.record + HEAPEV_HEADER_OFF_SIZE);
    }
    heapev_rng rng;
    heapev_rng_seed(&rng, c);
    assert_int_equal(heapev_gen_etl_damage(&rng, c, &t), 0);
    if (part == HEAPEV_GEN_ETL_PART_FILE_END)
        n = last + t.keep;
    heapev_findings f = reader_findings(p, n);
    if (k->findings != 0 && (f & k->findings) != k->findings)
        fail_msg("%s (%s): the reader reports %#llx, not the class's %#llx", k->name,
                 compress ? "compressed" : "plain", (unsigned long long)f,
                 (unsigned long long)k->findings);
    if (k->findings == 0)
        assert_int_equal(heapev_findings_defects(f) & ~(HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER) - 1u), 0);
    free_run(&g);
}

static void test_damage_api(void **state)
{
    (void)state;
    assert_int_equal(heapev_gen_etl_class_part(0), HEAPEV_GEN_ETL_PART_NONE);
    heapev_gen_etl_target none = {NULL, 0, 1024, 8, 0, 0, 0, 0};
    heapev_rng rng;
    heapev_rng_seed(&rng, 1);
    assert_int_equal(heapev_gen_etl_damage(&rng, CONTAINER_BASE, &none), -1);
    for (size_t c = CONTAINER_BASE; c < heapev_gen_class_count(); c++) {
        const heapev_gen_class *k = heapev_gen_class_get(c);
        assert_int_not_equal(heapev_gen_etl_class_part(c), HEAPEV_GEN_ETL_PART_NONE);
        int record = heapev_gen_etl_class_part(c) == HEAPEV_GEN_ETL_PART_RECORD;
        if (k->traces & HEAPEV_GEN_ETL_PLAIN)
            damage_one(c, 0);
        if (k->traces == HEAPEV_GEN_ETL_COMPRESSED && !record)
            damage_one(c, 1);
    }
}

static void test_class_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        unsigned traces, widths;
        heapev_findings findings;
    } rows[] = {
        {"etl_log_unfinished", 3, 3, HEAPEV_FINDING(ETL_LOG_UNFINISHED)},
        {"etl_decompress_failed", HEAPEV_GEN_ETL_COMPRESSED, 3, HEAPEV_FINDING(ETL_DECOMPRESS_FAILED)},
        {"etl_decompressed_size_mismatch", HEAPEV_GEN_ETL_COMPRESSED, 3,
         HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH)},
        {"etl_buffer_beyond_file", HEAPEV_GEN_ETL_COMPRESSED, 3, HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE)},
        {"etl_pointer_size_mismatch", 3, HEAPEV_GEN_WIDTH_64, HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH)},
        {"etl_offset_mismatch", 3, 3, HEAPEV_FINDING(ETL_OFFSET_MISMATCH)},
        {"etl_buffer_compressed", HEAPEV_GEN_ETL_PLAIN, 3, HEAPEV_FINDING(ETL_BUFFER_COMPRESSED)},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int c = heapev_gen_class_find(rows[i].name);
        if (c < 0)
            fail_msg("no container class %s", rows[i].name);
        const heapev_gen_class *cls = heapev_gen_class_get((size_t)c);
        if (cls->traces != rows[i].traces || cls->widths != rows[i].widths ||
            cls->findings != rows[i].findings)
            fail_msg("%s: traces %u widths %u", rows[i].name, cls->traces, cls->widths);
    }
    assert_int_equal(heapev_gen_class_find("etl_alloc_in_perfinfo_header"), -1);
    assert_null(heapev_gen_class_get(heapev_gen_class_count()));
    /* One catalogue: well_formed and the event classes are rows too, but no container class. */
    assert_int_equal(heapev_gen_class_find("well_formed"), (int)heapev_gen_well_formed_index());
    assert_true(heapev_gen_class_find("source_zero") < (int)heapev_gen_well_formed_index());
}

/* Losses are where the class says: the events of one buffer, or after the cut. */
static void test_container_losses(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int compress, loses;
    } cases[] = {{"etl_buffer_compressed", 0, 1},          {"etl_saved_offset_below_header", 0, 1},
                 {"etl_saved_offset_below_header", 1, 1},  {"etl_record_crossing_buffer", 0, 1},
                 {"etl_record_crossing_buffer", 1, 1},     {"etl_record_misaligned", 0, 1},
                 {"etl_truncated_file", 0, 1},             {"etl_truncated_buffer_header", 1, 1},
                 {"etl_offset_mismatch", 0, 0},            {"etl_offset_mismatch", 1, 0},
                 {"etl_buffer_size_zero", 0, 0},           {"etl_buffer_size_unrecoverable", 0, 1},
                 {"etl_buffer_size_unrecoverable", 1, 1},  {"etl_decompress_failed", 1, 1},
                 {"etl_decompressed_size_mismatch", 1, 1}, {"etl_buffer_beyond_file", 1, 1},
                 {"etl_log_unfinished", 0, 0},             {"etl_log_unfinished", 1, 0},
                 {"etl_buffer_unchecked_fields", 1, 0},    {"etl_logfile_unchecked_fields", 1, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heapev_gen_etl_options o = {.seed = 77, .width = 8, .count = 200, .noise = 0.2,
                                    .buffer_size = 1024,
                                    .container = heapev_gen_class_find(cases[i].name),
                                    .wow64 = 0.3, .compress = cases[i].compress};
        assert_true(o.container >= 0);
        gen_run g = generate(&o);
        check_agreement(&o, &g);
        if ((g.sum.lost > 0) != cases[i].loses)
            fail_msg("%s%s: lost %llu", cases[i].name, cases[i].compress ? " (compressed)" : "",
                     (unsigned long long)g.sum.lost);
        assert_true(g.sum.lost <= (strcmp(cases[i].name, "etl_buffer_size_unrecoverable") ? 4u : 200u));
        free_run(&g);
    }
}

/* Options that are not valid, and memory below HEAPEV_GEN_ETL_MEMORY, are refused. */
static void test_invalid_options(void **state)
{
    (void)state;
    const heapev_gen_etl_options base = {.seed = 3, .width = 8, .count = 20, .buffer_size = 2048,
                                         .container = -1};
    heapev_gen_etl_options bad[9];
    for (size_t i = 0; i < 9; i++)
        bad[i] = base;
    bad[0].width = 4, bad[0].wow64 = 0.2;     /* WOW64 share in a 32-bit trace */
    bad[1].wow64 = 0.95;                      /* above 0.9 */
    bad[2].wow64 = -0.1;
    bad[3].families = 8;                      /* no such family */
    bad[4].style = (heapev_etl_style)2;
    bad[5].noise = 0.995;
    bad[6].buffer_size = 1020;                /* not a multiple of 8 */
    bad[7].container = (int)heapev_gen_class_count(); /* no such row */
    bad[8].container = heapev_gen_class_find("source_zero"); /* a row, but no container class */
    for (size_t i = 0; i < 9; i++) {
        gen_run g = generate(&bad[i]);
        if (g.rc != -1 || g.file.len != 0)
            fail_msg("invalid options %zu accepted (rc %d)", i, g.rc);
        free_run(&g);
    }
    for (int compress = 0; compress < 2; compress++) {
        heapev_gen_etl_options o = base;
        o.compress = compress;
        size_t need = HEAPEV_GEN_ETL_MEMORY(o.buffer_size);
        gen_run g = generate_cap(&o, need - 1);
        assert_int_equal(g.rc, -1);
        free_run(&g);
        g = generate_cap(&o, need);
        check_agreement(&o, &g);
        free_run(&g);
    }
}

/* (d) determinism: same options, same bytes and entries; another seed, other bytes. */
static void test_deterministic(void **state)
{
    (void)state;
    for (int k = -1; k < (int)N_CONTAINERS; k += 3) {
        int c = k < 0 ? -1 : (int)CONTAINER_BASE + k;
        for (unsigned kind = 0; kind < 4; kind++) {
            heapev_gen_etl_options o = {.seed = 42, .width = kind & 2 ? 8u : 4u, .count = 700,
                                        .malformed = 0.4, .noise = 0.3, .buffer_size = 4096,
                                        .container = c, .compress = (kind & 1) != 0,
                                        .wow64 = kind & 2 ? 0.3 : 0.0,
                                        .style = c % 2 ? HEAPEV_ETL_STYLE_WIN7 : HEAPEV_ETL_STYLE_WIN10};
            if (c >= 0 && !kind_fits(heapev_gen_class_get((size_t)c), kind))
                continue;
            gen_run a = generate(&o), b = generate(&o);
            assert_int_equal(a.rc, 0);
            assert_int_equal(a.file.len, b.file.len);
            assert_memory_equal(a.file.data, b.file.data, a.file.len);
            assert_int_equal(a.n, b.n);
            for (size_t i = 0; i < a.n; i++) {
                assert_true(a.w[i].offset == b.w[i].offset);
                assert_true(a.w[i].expected == b.w[i].expected);
                assert_true(a.w[i].lost == b.w[i].lost);
            }
            assert_memory_equal(&a.sum, &b.sum, sizeof a.sum);
            o.seed = 43;
            gen_run d = generate(&o);
            assert_true(d.file.len != a.file.len || memcmp(d.file.data, a.file.data, a.file.len) != 0);
            free_run(&a), free_run(&b), free_run(&d);
        }
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

/* ---- done-when: realistic traces ---------------------------------------------- */

/* The forms a well-formed trace comes in (the done-when). */
static const struct form {
    const char *name;
    unsigned width;
    double wow64;
    int compress;
    heapev_etl_style style;
} forms[] = {
    {"64-bit with WOW64 processes", 8, 0.3, 0, HEAPEV_ETL_STYLE_WIN10},
    {"32-bit", 4, 0.0, 0, HEAPEV_ETL_STYLE_WIN10},
    {"compressed 64-bit with WOW64", 8, 0.3, 1, HEAPEV_ETL_STYLE_WIN10},
    {"compressed 32-bit", 4, 0.0, 1, HEAPEV_ETL_STYLE_WIN10},
    {"Windows 7 header, 64-bit", 8, 0.2, 0, HEAPEV_ETL_STYLE_WIN7},
    {"Windows 7 header, 32-bit", 4, 0.0, 0, HEAPEV_ETL_STYLE_WIN7},
    {"Windows 7 header, compressed", 8, 0.2, 1, HEAPEV_ETL_STYLE_WIN7},
};
#define NFORMS (sizeof forms / sizeof forms[0])

static heapev_gen_etl_options form_options(const struct form *f, uint64_t seed)
{
    heapev_gen_etl_options o = {.seed = seed, .width = f->width, .count = 1500, .noise = 0.3,
                                .buffer_size = seed % 2 ? 4096u : 65536u, .container = -1,
                                .wow64 = f->wow64, .style = f->style, .compress = f->compress};
    return o;
}

/* Well-formed traces decode with no finding and no note, in every form. */
static void test_well_formed_forms(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFORMS; i++) {
        for (uint64_t seed = 1; seed <= 4; seed++) {
            heapev_gen_etl_options o = form_options(&forms[i], seed * 1000 + i);
            gen_run g = generate(&o);
            agreed a = check_agreement(&o, &g);
            const heapev_etl_stats *s = &a.stats;
            if (s->findings != 0 || s->event_findings != 0 || s->container_items != 0 ||
                s->notes != 0 || s->events != o.count || s->buffers < 2)
                fail_msg("%s (seed %llu): findings %llu events with findings %llu container items "
                         "%llu notes %llu events %llu", forms[i].name, (unsigned long long)o.seed,
                         (unsigned long long)s->findings, (unsigned long long)s->event_findings,
                         (unsigned long long)s->container_items, (unsigned long long)s->notes,
                         (unsigned long long)s->events);
            for (size_t k = 0; k < g.n; k++)
                assert_true(g.w[k].kind == HEAPEV_GEN_ETL_EVENT && g.w[k].expected == 0);
            if (o.compress)
                assert_int_equal(s->decompressed, s->buffers - 1);
            else
                assert_int_equal(s->decompressed, 0);
            /* 64-bit: Allocs in all three families, 64-bit ones and WOW64 ones. */
            if (o.width == 8) {
                assert_int_equal(a.families64, FAM_SYSTEM | FAM_COMPACT | FAM_PERFINFO);
                assert_int_equal(a.families32, FAM_SYSTEM | FAM_COMPACT | FAM_PERFINFO);
                assert_true(a.wow64_events > 0 && a.wow64_events < a.events);
            } else {
                assert_int_equal(a.families32, FAM_SYSTEM | FAM_COMPACT | FAM_PERFINFO);
                assert_int_equal(a.families64, 0);
            }
            free_run(&g);
        }
    }
}

/* Where each data buffer of a file starts: N x BufferSize, or chained (compressed). */
typedef struct layout {
    uint64_t base[4096];
    uint32_t len[4096];
    size_t n; /* buffers, buffer 0 included */
} layout;

static void buffer_layout(const gen_run *g, const heapev_gen_etl_options *o, layout *l)
{
    const uint8_t *d = g->file.data;
    l->n = 0;
    uint64_t at = 0;
    while (at < g->file.len) {
        assert_true(l->n < 4096);
        uint32_t size = o->compress ? (uint32_t)rd(d + at, 4) : bsize_of(o);
        assert_true(size >= 72 && at + size <= g->file.len);
        l->base[l->n] = at, l->len[l->n] = size;
        l->n++;
        at += size;
    }
    assert_true(at == g->file.len);
}

/* SystemTime of every record in the file: the smallest and the largest. */
static void record_times(const gen_run *g, int64_t *lo, int64_t *hi)
{
    const uint8_t *lf = g->file.data + 72;
    *lo = *hi = (int64_t)rd(lf + type_time_at(lf[2]), 8); /* the logfile header record */
    heapev_etl_reader r;
    reader_open(&r, g, 1);
    heapev_etl_item it;
    size_t n = 0;
    while (heapev_etl_next(&r, &it) == HEAPEV_ETL_OK) {
        int64_t t;
        if (it.kind == HEAPEV_ETL_ITEM_EVENT) {
            t = it.event.header.system_time;
        } else if (it.kind == HEAPEV_ETL_ITEM_SKIPPED) {
            size_t len;
            const uint8_t *buf = heapev_etl_reader_buffer(&r, &len);
            uint64_t at = it.offset - it.buffer_offset;
            assert_true(type_family(buf[at + 2]) != 0); /* only kernel-group records */
            t = (int64_t)rd(buf + at + type_time_at(buf[at + 2]), 8);
        } else {
            continue;
        }
        n++;
        *lo = t < *lo ? t : *lo;
        *hi = t > *hi ? t : *hi;
    }
    assert_true(n > 0);
}

/*
 * The logfile header has real field values on one QPC clock: CpuSpeedInMHz,
 * NumberOfProcessors, TimerResolution, PerfFreq set; BootTime < StartTime <=
 * EndTime; StartTime and EndTime = BootTime + the first and last record
 * SystemTime (QPC ticks) at PerfFreq. Read at the offsets of format.h.
 */
static void test_logfile_header_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFORMS; i++) {
        heapev_gen_etl_options o = form_options(&forms[i], 77 + i);
        gen_run g = generate(&o);
        check_agreement(&o, &g);
        const uint8_t *h = g.file.data + 72;
        unsigned ps = o.width;
        assert_int_equal(type_family(h[2]), FAM_SYSTEM);
        assert_int_equal(type_width(h[2]), ps);
        assert_int_equal(rd(h + 6, 2), 0x0000); /* HookId: the logfile header */
        const uint8_t *q = h + 32;              /* TRACE_LOGFILE_HEADER */
        layout l;
        buffer_layout(&g, &o, &l);
        uint32_t cpu = (uint32_t)rd(q + HEAPEV_LOGFILE_OFF_CPU_SPEED, 4);
        uint32_t nproc = (uint32_t)rd(q + HEAPEV_LOGFILE_OFF_PROCESSORS, 4);
        uint32_t timer = (uint32_t)rd(q + HEAPEV_LOGFILE_OFF_TIMER_RESOLUTION, 4);
        int64_t boot = (int64_t)rd(q + HEAPEV_LOGFILE_OFF_BOOT_TIME(ps), 8);
        int64_t freq = (int64_t)rd(q + HEAPEV_LOGFILE_OFF_PERF_FREQ(ps), 8);
        int64_t start = (int64_t)rd(q + HEAPEV_LOGFILE_OFF_START_TIME(ps), 8);
        int64_t end = (int64_t)rd(q + HEAPEV_LOGFILE_OFF_END_TIME, 8);
        uint32_t mode = (uint32_t)rd(q + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE, 4);
        if (cpu == 0 || nproc == 0 || timer == 0 || freq <= 0 || boot <= 0)
            fail_msg("%s: CpuSpeedInMHz %u NumberOfProcessors %u TimerResolution %u PerfFreq %lld "
                     "BootTime %lld", forms[i].name, cpu, nproc, timer, (long long)freq,
                     (long long)boot);
        if (!(boot < start && start <= end))
            fail_msg("%s: BootTime %lld StartTime %lld EndTime %lld", forms[i].name,
                     (long long)boot, (long long)start, (long long)end);
        int64_t first, last;
        record_times(&g, &first, &last);
        if (start != boot + qpc_100ns(first, freq) || end != boot + qpc_100ns(last, freq))
            fail_msg("%s: StartTime %lld EndTime %lld, BootTime %lld + QPC %lld..%lld at %lld Hz",
                     forms[i].name, (long long)start, (long long)end, (long long)boot,
                     (long long)first, (long long)last, (long long)freq);
        assert_int_equal(rd(q + HEAPEV_LOGFILE_OFF_POINTER_SIZE, 4), ps);
        assert_int_equal(rd(q + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN, 4), l.n);
        assert_int_equal(rd(q + HEAPEV_LOGFILE_OFF_BUFFER_SIZE, 4), bsize_of(&o));
        assert_int_equal((mode & HEAPEV_LOGFILE_MODE_COMPRESSED) != 0, o.compress);
        free_run(&g);
    }
}

/* One record header in buffer 0 at @p at: HookId @p hook, family @p fam of width @p w. */
static size_t expect_header_record(const uint8_t *b, size_t at, unsigned hook, unsigned fam,
                                   unsigned w, const char *what)
{
    const uint8_t *p = b + at;
    if (rd(p + 6, 2) != hook || type_family(p[2]) != fam || type_width(p[2]) != w || p[3] != 0xC0)
        fail_msg("%s: record at %zu: HookId 0x%04x HeaderType %u flags 0x%02x, want HookId "
                 "0x%04x", what, at, (unsigned)rd(p + 6, 2), p[2], p[3], hook);
    return (size_t)rd(p + 4, 2);
}

/*
 * Buffer 0, Windows 10/11: logfile header (SYSTEM 0x0000), then 0x0050
 * (SYSTEM), 0x0042 and 0x0040 (PERFINFO); SavedOffset at the end of the
 * 0x0050 record, before Offset, which is the end of the records;
 * BufferFlag 0x21. Windows 7: only the logfile header, SavedOffset 0.
 * Data buffers: SavedOffset = Offset, BufferFlag 0x20 (0x60 compressed;
 * Windows 7: 0x01 / 0x41), processor numbers below NumberOfProcessors;
 * a compressed trace's buffers chained by their own BufferSize.
 */
static void test_buffer_layout(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFORMS; i++) {
        for (uint64_t seed = 0; seed < 3; seed++) {
            heapev_gen_etl_options o = form_options(&forms[i], 300 + seed);
            gen_run g = generate(&o);
            check_agreement(&o, &g);
            const uint8_t *b = g.file.data;
            unsigned w = o.width;
            int win10 = o.style == HEAPEV_ETL_STYLE_WIN10;
            const char *what = forms[i].name;
            layout l;
            buffer_layout(&g, &o, &l);
            uint32_t saved = (uint32_t)rd(b + 0x04, 4), offset = (uint32_t)rd(b + 0x30, 4);
            size_t at = 72;
            at += align8(expect_header_record(b, at, 0x0000, FAM_SYSTEM, w, what));
            if (win10) {
                size_t s50 = expect_header_record(b, at, 0x0050, FAM_SYSTEM, w, what);
                if (saved != at + s50)
                    fail_msg("%s: SavedOffset %u, the 0x0050 record ends at %zu", what, saved,
                             at + s50);
                at += align8(s50);
                at += align8(expect_header_record(b, at, 0x0042, FAM_PERFINFO, w, what));
                at += align8(expect_header_record(b, at, 0x0040, FAM_PERFINFO, w, what));
                assert_true(saved < offset);
                assert_int_equal(rd(b + 0x34, 2), 0x21);
            } else {
                assert_int_equal(saved, 0);
                assert_int_equal(rd(b + 0x34, 2) & 0x20, 0);
                assert_int_equal(rd(b + 0x34, 2), 0x01);
            }
            if (offset != at)
                fail_msg("%s: header buffer Offset %u, its records end at %zu", what, offset, at);
            assert_int_equal(rd(b + 0x36, 2), 4); /* BufferType: header */
            uint32_t nproc = (uint32_t)rd(b + 72 + 32 + HEAPEV_LOGFILE_OFF_PROCESSORS, 4);
            if (o.compress) { /* buffer 0 plain and short: its BufferSize is its length */
                assert_int_equal(l.len[0], rd(b, 4));
                assert_true(l.len[0] >= offset && l.len[0] < bsize_of(&o));
                assert_int_equal(rd(b + 0x34, 2) & 0x40, 0);
            } else {
                assert_int_equal(rd(b, 4), bsize_of(&o));
            }
            for (size_t k = 1; k < l.n; k++) {
                const uint8_t *p = b + l.base[k];
                unsigned flag = (unsigned)rd(p + 0x34, 2);
                unsigned want_flag = (win10 ? 0x20u : 0x01u) | (o.compress ? 0x40u : 0u);
                if (flag != want_flag)
                    fail_msg("%s: buffer %zu: BufferFlag 0x%x, want 0x%x", what, k, flag, want_flag);
                unsigned cpu = win10 ? (unsigned)rd(p + 0x28, 2) : p[0x28];
                if (cpu >= nproc || (!win10 && p[0x29] != 8))
                    fail_msg("%s: buffer %zu: processor 0x%04x of %u", what, k,
                             (unsigned)rd(p + 0x28, 2), nproc);
                assert_int_equal(rd(p + 0x04, 4), rd(p + 0x30, 4)); /* SavedOffset = Offset */
                assert_int_equal(rd(p + 0x36, 2), 0);               /* BufferType generic */
                if (o.compress)
                    assert_true(rd(p + 0x30, 4) > 72 && rd(p + 0x30, 4) <= bsize_of(&o));
                else
                    assert_int_equal(rd(p, 4), bsize_of(&o));
            }
            free_run(&g);
        }
    }
}

/* Determinism of every form: the same options give the same bytes, compressed ones too. */
static void test_forms_deterministic(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFORMS; i++) {
        heapev_gen_etl_options o = form_options(&forms[i], 5);
        o.malformed = 0.3;
        gen_run a = generate(&o), b = generate(&o);
        assert_int_equal(a.rc, 0);
        assert_int_equal(b.rc, 0);
        assert_int_equal(a.file.len, b.file.len);
        assert_memory_equal(a.file.data, b.file.data, a.file.len);
        assert_int_equal(a.n, b.n);
        for (size_t k = 0; k < a.n; k++)
            assert_memory_equal(&a.w[k], &b.w[k], sizeof a.w[k]);
        free_run(&a), free_run(&b);
    }
}

/*
 * heapev_gen_etl_image_sink() collects the same bytes as any sink, and stops
 * the run (-2) when the trace outgrows its room, never writing past it.
 */
static void test_image_sink(void **state)
{
    (void)state;
    heapev_gen_etl_options o = form_options(&forms[0], 20);
    gen_run ref = generate(&o);
    assert_int_equal(ref.rc, 0);
    size_t cap = HEAPEV_GEN_ETL_MEMORY(o.buffer_size);
    uint8_t *mem = malloc(cap), *room = malloc(ref.file.len + 1);
    assert_non_null(mem);
    assert_non_null(room);
    heapev_gen_etl_image img = {room, ref.file.len, 0};
    assert_int_equal(heapev_gen_etl_write(&o, mem, cap, heapev_gen_etl_image_sink, &img, NULL, NULL,
                                          NULL), 0);
    assert_int_equal(img.len, ref.file.len);
    assert_memory_equal(room, ref.file.data, ref.file.len);
    room[ref.file.len - 1] = 0xA5;
    img = (heapev_gen_etl_image){room, ref.file.len - 1, 0}; /* one byte short */
    assert_int_equal(heapev_gen_etl_write(&o, mem, cap, heapev_gen_etl_image_sink, &img, NULL, NULL,
                                          NULL), -2);
    assert_true(img.len <= ref.file.len - 1);
    assert_int_equal(room[ref.file.len - 1], 0xA5); /* nothing written past the room */
    free(mem), free(room), free_run(&ref);
}

/* ---- the CLI -------------------------------------------------------------------- */

/*
 * Every key `heapev decode --etl --json` prints for an item (but file and the
 * verdicts ok and severity)
 * equals the manifest's, and its findings equal expected_findings; both say
 * "decompressed" for the same items (among a compressed buffer's records).
 */
static void assert_same_item(json_t *m, json_t *d, size_t i, int compress)
{
    const char *key;
    json_t *v;
    json_object_foreach(d, key, v) {
        if (strcmp(key, "file") == 0 || strcmp(key, "ok") == 0 || strcmp(key, "severity") == 0)
            continue;
        json_t *mv = json_object_get(m, strcmp(key, "findings") == 0 ? "expected_findings" : key);
        if (mv == NULL || !json_equal(mv, v)) {
            char *a = json_dumps(m, JSON_COMPACT), *b = json_dumps(d, JSON_COMPACT);
            fail_msg("item %zu: key %s differs\n manifest %s\n decode   %s", i, key, a, b);
        }
    }
    int dec = json_is_true(json_object_get(m, "decompressed"));
    if (dec != json_is_true(json_object_get(d, "decompressed")) || (dec && !compress))
        fail_msg("item %zu: decompressed: manifest %d, decode %d", i, dec,
                 json_is_true(json_object_get(d, "decompressed")));
    if (strcmp(json_string_value(json_object_get(m, "kind")), "record") == 0) {
        /* The manifest's family and wow64 say what the record's HeaderType says. */
        static const char *const fam[] = {NULL, "system", "compact", NULL, "perfinfo"};
        unsigned t = (unsigned)json_integer_value(json_object_get(d, "header_type"));
        const char *family = json_string_value(json_object_get(m, "family"));
        if (family == NULL || type_family(t) == 0 || strcmp(family, fam[type_family(t)]) != 0)
            fail_msg("item %zu: family %s, HeaderType %u", i, family ? family : "(none)", t);
        assert_true(json_is_boolean(json_object_get(m, "wow64")));
        assert_int_equal(json_integer_value(json_object_get(m, "bits")), 8 * type_width(t));
    }
}

/* What check_cli_agreement() saw: families and WOW64 records of the returned events. */
typedef struct cli_seen {
    unsigned families, wow64, families_wow64;
    uint64_t events, wow64_events;
} cli_seen;

/* The short keys of compact lines: every other key is a field value. */
static int short_key(const char *key)
{
    return strlen(key) == 1 || strcmp(key, "file") == 0;
}

/* Is @p v among the JSON array @p a's values? */
static int json_in(const json_t *a, const json_t *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
        if (json_equal(x, v))
            return 1;
    return 0;
}

/*
 * A compact entry (@p ml, read by the library from line @p m) against the
 * decode line @p d: place, findings, and every field value the line carries;
 * a well-formed event's heap (and process, where its header has one) is one
 * of the header's modelled processes'.
 */
static void assert_same_compact(const heapev_manifest_line *ml, json_t *m, json_t *d,
                                const json_t *header, size_t i)
{
    const char *key;
    json_t *v;
    char *a = json_dumps(m, JSON_COMPACT), *b = json_dumps(d, JSON_COMPACT);
    if ((json_int_t)ml->buffer != json_integer_value(json_object_get(d, "buffer")) ||
        (json_int_t)ml->offset != json_integer_value(json_object_get(d, "offset")) ||
        ml->decompressed != json_is_true(json_object_get(d, "decompressed")) ||
        !ml->has_expected || ml->expected != json_findings(json_object_get(d, "findings")))
        fail_msg("item %zu: place or findings differ\n manifest %s\n decode   %s", i, a, b);
    json_object_foreach(m, key, v)
        if (!short_key(key) && !json_equal(v, json_object_get(d, key)))
            fail_msg("item %zu: key %s differs\n manifest %s\n decode   %s", i, key, a, b);
    if (ml->kind == HEAPEV_MANIFEST_EVENT && ml->classes == NULL) {
        int found = 0;
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(header, "processes"), k, p) {
            json_int_t pid = json_integer_value(json_object_get(d, "process_id"));
            found |= json_in(json_object_get(p, "heap_handles"), json_object_get(d, "heap_handle")) &&
                     (pid == 0 || pid == json_integer_value(json_object_get(p, "process_id"))) &&
                     json_integer_value(json_object_get(p, "bits")) ==
                         json_integer_value(json_object_get(d, "bits"));
        }
        if (!found)
            fail_msg("item %zu: not one of the header's processes\n decode %s", i, b);
    }
    free(a), free(b);
}

/*
 * The manifest's entries not lost, in order, = the decode lines; the summary =
 * --summary. Either form of manifest, read through the library's reader.
 */
static cli_seen check_cli_agreement(const char *etl, const char *manifest, uint64_t count)
{
    const char *a[] = {"decode", "--etl", "--json", etl, NULL};
    run_result dr = run(a);
    int st = dr.status;
    json_t *mall = jsonl_load(manifest);
    size_t nm = json_array_size(mall);
    assert_true(nm > 0);
    json_t *summary = json_array_get(mall, nm - 1);
    assert_string_equal(json_string_value(json_object_get(summary, "kind")), "summary");
    int compress = json_is_true(json_object_get(summary, "compress"));
    int trace64 = json_integer_value(json_object_get(summary, "bits")) == 64;
    jsonl dl = jsonl_start(dr.out, dr.out_len);
    json_t *d, *header = NULL;
    size_t items = 0;
    uint64_t events = 0, notes = 0, unread = 0, defects = 0;
    cli_seen seen;
    memset(&seen, 0, sizeof seen);
    heapev_manifest_reader reader;
    heapev_manifest_reader_init(&reader);
    for (size_t k = 0; k + 1 < nm; k++) {
        json_t *m = json_array_get(mall, k);
        heapev_manifest_line ml;
        assert_int_equal(heapev_manifest_read_line(&reader, m, &ml), 0);
        if (ml.kind == HEAPEV_MANIFEST_HEADER) {
            assert_int_equal(k, 0);
            header = m;
            continue;
        }
        assert_true(ml.kind == HEAPEV_MANIFEST_EVENT || ml.kind == HEAPEV_MANIFEST_CONTAINER);
        assert_int_equal(ml.compact, header != NULL);
        int record = ml.kind == HEAPEV_MANIFEST_EVENT;
        heapev_findings exp = ml.expected;
        if (record) {
            assert_int_equal(ml.index, events++);
            /* wow64: a 32-bit producer's record in a 64-bit trace. */
            if (!ml.compact) {
                int w32 = json_integer_value(json_object_get(m, "bits")) == 32;
                assert_int_equal(json_is_true(json_object_get(m, "wow64")), trace64 && w32);
            }
        }
        if (ml.lost)
            continue;
        d = jsonl_next(&dl);
        if (d == NULL)
            fail_msg("decode ended at item %zu", items);
        if (ml.compact)
            assert_same_compact(&ml, m, d, header, items++);
        else
            assert_same_item(m, d, items++, compress);
        defects |= exp & ~NOTES;
        if (record) {
            unsigned t = (unsigned)json_integer_value(json_object_get(d, "header_type"));
            int wow = trace64 && type_width(t) == 4;
            seen.events++;
            seen.wow64_events += wow;
            if (wow)
                seen.families_wow64 |= type_family(t);
            else
                seen.families |= type_family(t);
        } else {
            notes += heapev_findings_count(exp & NOTES);
            unread += ml.buffer > 0 && (exp & NOT_READ);
        }
        json_decref(d);
    }
    assert_null(jsonl_next(&dl));
    free_result(&dr);
    /* Exit 1 exactly when a defect is reported; notes do not count. */
    assert_int_equal(st, defects != 0 ? 1 : 0);
    assert_int_equal(events, count);
    const char *s[] = {"decode", "--etl", "--json", "--summary", etl, NULL};
    dr = run(s);
    assert_int_equal(dr.status, defects != 0 ? 1 : 0);
    dl = jsonl_start(dr.out, dr.out_len);
    d = jsonl_next(&dl);
    assert_non_null(d);
    static const char *const keys[] = {"buffers", "events", "skipped", "container_items"};
    for (size_t k = 0; k < 4; k++)
        if (!json_equal(json_object_get(d, keys[k]), json_object_get(summary, keys[k])))
            fail_msg("--summary %s differs from the manifest", keys[k]);
    assert_int_equal(json_integer_value(json_object_get(d, "notes")), notes);
    json_int_t buffers = json_integer_value(json_object_get(summary, "buffers"));
    assert_int_equal(json_integer_value(json_object_get(d, "decompressed")),
                     compress && buffers > 0 ? (uint64_t)buffers - 1 - unread : 0);
    struct stat sb;
    assert_int_equal(stat(etl, &sb), 0);
    assert_int_equal(json_integer_value(json_object_get(summary, "file_length")), sb.st_size);
    json_decref(d), json_decref(mall);
    assert_null(jsonl_next(&dl));
    free_result(&dr);
    return seen;
}

/* A class name into a growing JSON array (a heapev_manifest_classes() callback). */
static void add_class_name(void *ctx, const char *name)
{
    json_array_append_new(ctx, json_string(name));
}

/*
 * The two forms of one trace's manifest say the same, read by the library:
 * the same entries (kind, index, buffer, offset, lost, decompressed, classes,
 * expected findings), the compact one's field values equal to the full one's
 * and only those its classes change, and the same summary line.
 */
static void check_forms_agree(const char *full_path, const char *compact_path)
{
    json_t *full = jsonl_load(full_path), *compact = jsonl_load(compact_path);
    size_t nf = json_array_size(full);
    assert_int_equal(json_array_size(compact), nf + 1); /* + the header */
    assert_true(json_equal(json_array_get(full, nf - 1), json_array_get(compact, nf)));
    heapev_manifest_reader rf, rc;
    heapev_manifest_reader_init(&rf), heapev_manifest_reader_init(&rc);
    heapev_manifest_line lf, lc;
    assert_int_equal(heapev_manifest_read_line(&rc, json_array_get(compact, 0), &lc), 0);
    assert_int_equal(lc.kind, HEAPEV_MANIFEST_HEADER);
    for (size_t k = 0; k < nf; k++) {
        assert_int_equal(heapev_manifest_read_line(&rf, json_array_get(full, k), &lf), 0);
        assert_int_equal(heapev_manifest_read_line(&rc, json_array_get(compact, k + 1), &lc), 0);
        assert_int_equal(lf.kind, lc.kind);
        if (lf.kind == HEAPEV_MANIFEST_SUMMARY)
            continue;
        assert_int_equal(lf.compact, 0);
        assert_int_equal(lc.compact, 1);
        assert_true(lf.index == lc.index && lf.buffer == lc.buffer && lf.offset == lc.offset);
        assert_true(lf.lost == lc.lost && lf.decompressed == lc.decompressed);
        assert_true(lf.has_expected && lc.has_expected && lf.expected == lc.expected);
        json_t *cf = json_array(), *cc = json_array();
        heapev_manifest_classes(&rf, &lf, add_class_name, cf);
        heapev_manifest_classes(&rc, &lc, add_class_name, cc);
        assert_true(json_equal(cf, cc));
        unsigned fields = 0;
        for (size_t c = 0; c < json_array_size(cf); c++) {
            int idx = heapev_gen_class_find(json_string_value(json_array_get(cf, c)));
            assert_true(idx >= 0);
            if ((size_t)idx < heapev_gen_well_formed_index())
                fields |= heapev_gen_classes_fields((heapev_gen_classes)1 << idx);
        }
        json_decref(cf), json_decref(cc);
        const char *key;
        json_t *v;
        size_t extra = 0;
        json_object_foreach((json_t *)lc.obj, key, v) {
            if (short_key(key))
                continue;
            extra++;
            if (!json_equal(v, json_object_get(lf.obj, key)))
                fail_msg("line %zu: %s differs between the forms", k, key);
        }
        assert_int_equal(extra > 0, lf.kind == HEAPEV_MANIFEST_EVENT && fields != 0);
    }
    json_decref(full), json_decref(compact);
}

static json_t *manifest_summary(const char *manifest)
{
    json_t *all = jsonl_load(manifest);
    json_t *s = json_array_get(all, json_array_size(all) - 1);
    json_incref(s);
    json_decref(all);
    assert_string_equal(json_string_value(json_object_get(s, "kind")), "summary");
    return s;
}

/* (c) the done-when: gen --format etl, then decode --etl --json returns the manifest. */
static void test_cli_done_when(void **state)
{
    (void)state;
    /* 100,000 events take ~1 min under ASan (decode + JSON parse): the test runs 20,000. */
    const char *count = getenv("HEAPEV_GEN_ETL_COUNT") ? getenv("HEAPEV_GEN_ETL_COUNT") : "20000";
    const char *a[] = {"gen", "--format", "etl", "--seed", "3", "--count", count, "--noise",
                       "0.3", "--out", tmp_path("t.etl"), NULL};
    assert_int_equal(run_exit(NULL, a), 0);
    cli_seen seen = check_cli_agreement(tmp_path("t.etl"), tmp_path("t.etl.manifest.jsonl"),
                                        strtoull(count, NULL, 10));
    /* The same trace with --manifest-full: the forms agree; well-formed, the compact one is smaller than the trace. */
    const char *f[] = {"gen", "--format", "etl", "--seed", "3", "--count", count, "--noise",
                       "0.3", "--out", tmp_path("tf.etl"), "--manifest-full", "--manifest",
                       tmp_path("tf.jsonl"), NULL};
    assert_int_equal(run_exit(NULL, f), 0);
    assert_true(files_equal(tmp_path("t.etl"), tmp_path("tf.etl")));
    check_forms_agree(tmp_path("tf.jsonl"), tmp_path("t.etl.manifest.jsonl"));
    struct stat st_trace, st_manifest;
    assert_int_equal(stat(tmp_path("t.etl"), &st_trace), 0);
    assert_int_equal(stat(tmp_path("t.etl.manifest.jsonl"), &st_manifest), 0);
    assert_true(st_manifest.st_size <= st_trace.st_size);
    /* The defaults: 64-bit, WOW64 share 0.2, Windows 10 style, not compressed. */
    json_t *s = manifest_summary(tmp_path("t.etl.manifest.jsonl"));
    assert_int_equal(json_integer_value(json_object_get(s, "bits")), 64);
    assert_true(json_real_value(json_object_get(s, "wow64")) == (double)0.2);
    assert_string_equal(json_string_value(json_object_get(s, "style")), "win10");
    assert_true(json_is_false(json_object_get(s, "compress")));
    json_decref(s);
    assert_int_equal(seen.families, FAM_SYSTEM | FAM_COMPACT | FAM_PERFINFO);
    assert_int_equal(seen.families_wow64, FAM_SYSTEM | FAM_COMPACT | FAM_PERFINFO);
    assert_true(seen.wow64_events > 0 && seen.wow64_events < seen.events);
}

/*
 * A compressed 64-bit trace with WOW64 processes through the CLI: decode
 * --etl --json returns the manifest; well-formed, it has no finding and no
 * note, Allocs in all three families among both the 64-bit and the WOW64
 * ones; the summary line names the options.
 */
static void test_cli_compressed_wow64(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--format", "etl", "--seed", "11", "--count", "4000", "--noise",
                       "0.2", "--compress", "--wow64", "0.4", "--buffer-size", "8192", "--out",
                       tmp_path("cw.etl"), NULL};
    assert_int_equal(run_exit(NULL, a), 0);
    cli_seen seen = check_cli_agreement(tmp_path("cw.etl"), tmp_path("cw.etl.manifest.jsonl"), 4000);
    assert_int_equal(seen.families, FAM_SYSTEM | FAM_COMPACT | FAM_PERFINFO);
    assert_int_equal(seen.families_wow64, FAM_SYSTEM | FAM_COMPACT | FAM_PERFINFO);
    assert_true(seen.wow64_events > 0 && seen.wow64_events < seen.events);
    json_t *s = manifest_summary(tmp_path("cw.etl.manifest.jsonl"));
    assert_true(json_is_true(json_object_get(s, "compress")));
    assert_true(json_real_value(json_object_get(s, "wow64")) == (double)0.4);
    assert_string_equal(json_string_value(json_object_get(s, "style")), "win10");
    assert_int_equal(json_integer_value(json_object_get(s, "container_items")), 0);
    assert_int_equal(json_integer_value(json_object_get(s, "lost")), 0);
    json_decref(s);
    /* decode --summary of a well-formed compressed trace: nothing found, every buffer read. */
    const char *b[] = {"decode", "--etl", "--summary", tmp_path("cw.etl"), NULL};
    assert_int_equal(run_exit(tmp_path("cw.txt"), b), 0);
    char *text = slurp(tmp_path("cw.txt"), NULL);
    assert_non_null(strstr(text, " findings=0 "));
    assert_non_null(strstr(text, " container_items=0 "));
    assert_non_null(strstr(text, " notes=0 "));
    assert_null(strstr(text, " decompressed=0\n"));
    free(text);
    /* The Windows 7 form and a 32-bit one, well-formed: exit 0. */
    const char *c[] = {"gen", "--format", "etl", "--seed", "12", "--count", "1500", "--compress",
                       "--style", "win7", "--bits", "32", "--out", tmp_path("c7.etl"), NULL};
    assert_int_equal(run_exit(NULL, c), 0);
    seen = check_cli_agreement(tmp_path("c7.etl"), tmp_path("c7.etl.manifest.jsonl"), 1500);
    assert_int_equal(seen.wow64_events, 0);
    assert_int_equal(seen.families_wow64, 0);
    s = manifest_summary(tmp_path("c7.etl.manifest.jsonl"));
    assert_string_equal(json_string_value(json_object_get(s, "style")), "win7");
    assert_true(json_real_value(json_object_get(s, "wow64")) == 0.0);
    json_decref(s);
}

/* An unfinished log through the CLI: a note, no defect, exit 0. */
static void test_cli_log_unfinished(void **state)
{
    (void)state;
    for (int compress = 0; compress < 2; compress++) {
        const char *a[] = {"gen", "--format", "etl", "--seed", "21", "--count", "500",
                           "--class", "etl_log_unfinished", "--malformed", "0", "--out",
                           tmp_path("u.etl"), compress ? "--compress" : NULL, NULL};
        assert_int_equal(run_exit(NULL, a), 0);
        check_cli_agreement(tmp_path("u.etl"), tmp_path("u.etl.manifest.jsonl"), 500);
        json_t *s = manifest_summary(tmp_path("u.etl.manifest.jsonl"));
        assert_int_equal(json_integer_value(json_object_get(s, "container_items")), 0);
        json_decref(s);
    }
}

/*
 * A damaged trace through the CLI: one container class (the state: its
 * index), in a trace kind it applies to, with event classes and noise.
 */
static void test_cli_container_class(void **state)
{
    size_t c = (size_t)(uintptr_t)*state;
    const heapev_gen_class *cls = heapev_gen_class_get(c);
    int compress = cls->traces == HEAPEV_GEN_ETL_COMPRESSED ||
                   (cls->traces != HEAPEV_GEN_ETL_PLAIN && c % 3 == 0);
    int bits64 = cls->widths == HEAPEV_GEN_WIDTH_64 || (cls->widths != HEAPEV_GEN_WIDTH_32 && c % 2 == 0);
    char seed[16];
    snprintf(seed, sizeof seed, "%zu", c + 10);
    const char *a[32] = {"gen", "--format", "etl", "--bits", bits64 ? "64" : "32", "--seed", seed,
                         "--count", "300", "--noise", "0.25", "--malformed", "0.3",
                         "--buffer-size", "2048", "--class", cls->name, "--class", "source_zero",
                         "--class", "trailing_bytes", "--out", tmp_path("c.etl"), "--manifest",
                         tmp_path("c.jsonl")};
    size_t n = 25;
    if (compress)
        a[n++] = "--compress";
    if (c % 4 == 1)
        a[n++] = "--style", a[n++] = "win7";
    if (bits64)
        a[n++] = "--wow64", a[n++] = c % 2 ? "0.5" : "0.1";
    a[n] = NULL;
    if (run_exit(NULL, a) != 0)
        fail_msg("gen --class %s failed", cls->name);
    /* Both forms of the manifest agree; the CLI is checked against one of them. */
    a[n] = "--manifest-full", a[n + 1] = NULL, a[24] = tmp_path("cf.jsonl");
    if (run_exit(NULL, a) != 0)
        fail_msg("gen --class %s --manifest-full failed", cls->name);
    check_forms_agree(tmp_path("cf.jsonl"), tmp_path("c.jsonl"));
    check_cli_agreement(tmp_path("c.etl"), tmp_path(c % 2 ? "cf.jsonl" : "c.jsonl"), 300);
}

/* `heapev stats` reads either form of a trace's manifest the same way (classes, lines). */
static void test_cli_stats_forms(void **state)
{
    (void)state;
    char out[2][64];
    json_t *stats[2];
    for (int full = 0; full < 2; full++) {
        char dir[32], etl[64], mf[64];
        snprintf(dir, sizeof dir, "sf%d", full);
        mkdir(tmp_path(dir), 0755);
        snprintf(etl, sizeof etl, "%s/t.etl", dir);
        snprintf(mf, sizeof mf, "%s/manifest.jsonl", dir);
        snprintf(out[full], sizeof out[full], "%s.json", dir);
        char e[600], m[600];
        snprintf(e, sizeof e, "%s", tmp_path(etl));
        snprintf(m, sizeof m, "%s", tmp_path(mf));
        const char *a[] = {"gen", "--format", "etl", "--seed", "31", "--count", "600", "--malformed",
                           "0.4", "--class", "etl_pointer_size_mismatch", "--out", e, "--manifest",
                           m, full ? "--manifest-full" : NULL, NULL};
        assert_int_equal(run_exit(NULL, a), 0);
        const char *st[] = {"stats", "--json", tmp_path(dir), NULL};
        run_result r = run(st);
        stats[full] = json_loadb(r.out, r.out_len, 0, NULL);
        assert_non_null(stats[full]);
        free_result(&r);
        json_object_del(stats[full], "seconds");
        json_object_del(stats[full], "events_per_second");
    }
    json_t *mf = json_object_get(stats[0], "manifest");
    /* every entry, no header or summary: 600 events and the container items of the mismatch */
    assert_true(json_integer_value(json_object_get(mf, "lines")) > 600);
    assert_true(json_equal(stats[0], stats[1]));
    json_decref(stats[0]), json_decref(stats[1]);
}

/* (d) the CLI: same arguments, identical .etl and manifest (compressed and WOW64 too). */
static void test_cli_deterministic(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--format", "etl", "--seed", "9", "--count", "3000", "--noise", "0.2",
                       "--malformed", "0.2", "--class", "etl_buffer_compressed", "--out",
                       tmp_path("d1.etl"), NULL};
    assert_int_equal(run_exit(NULL, a), 0);
    a[14] = tmp_path("d2.etl");
    assert_int_equal(run_exit(NULL, a), 0);
    assert_true(files_equal(tmp_path("d1.etl"), tmp_path("d2.etl")));
    assert_true(files_equal(tmp_path("d1.etl.manifest.jsonl"), tmp_path("d2.etl.manifest.jsonl")));
    const char *b[] = {"gen", "--format", "etl", "--seed", "9", "--count", "3000", "--noise", "0.2",
                       "--malformed", "0.2", "--compress", "--wow64", "0.5", "--class",
                       "etl_decompress_failed", "--out", tmp_path("d3.etl"), NULL};
    assert_int_equal(run_exit(NULL, b), 0);
    b[17] = tmp_path("d4.etl");
    assert_int_equal(run_exit(NULL, b), 0);
    assert_true(files_equal(tmp_path("d3.etl"), tmp_path("d4.etl")));
    assert_true(files_equal(tmp_path("d3.etl.manifest.jsonl"), tmp_path("d4.etl.manifest.jsonl")));
    assert_false(files_equal(tmp_path("d1.etl"), tmp_path("d3.etl")));
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
    run_result r = run_to("/dev/null", args);
    assert_int_equal(r.status, 2);
    if (needle && strstr(r.err, needle) == NULL)
        fail_msg("stderr lacks '%s': %s", needle, r.err);
    free_result(&r);
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
    const char *h2[] = {"gen", "--format", "etl", "--class", "etl_decompress_failed", "--out",
                        tmp_path("x.etl"), NULL};
    expect_fail(h2, "--compress");
    const char *h3[] = {"gen", "--format", "etl", "--wow64", "0.3", "--bits", "32", "--out",
                        tmp_path("x.etl"), NULL};
    expect_fail(h3, "--wow64");
    assert_false(path_exists(tmp_path("x.etl")));
    assert_false(path_exists(tmp_path("x.etl.manifest.jsonl")));
    /* Unwritable places. */
    const char *i[] = {"gen", "--format", "etl", "--out", tmp_path("no/such/dir/t.etl"), NULL};
    expect_fail(i, "no/such/dir");
    const char *j[] = {"gen", "--format", "etl", "--out", "/proc/self/t.etl", NULL};
    expect_fail(j, "/proc/self");
    const char *k[] = {"gen", "--format", "etl", "--out", tmp_path("y.etl"), "--manifest",
                       tmp_path("no/such/m.jsonl"), NULL};
    expect_fail(k, "m.jsonl");
    assert_false(path_exists(tmp_path("y.etl")));
    /* A full disk: /dev/full as the trace. */
    const char *l[] = {"gen", "--format", "etl", "--count", "20000", "--out", "/dev/full",
                       "--manifest", tmp_path("full.jsonl"), NULL};
    expect_fail(l, "/dev/full");
    assert_false(path_exists(tmp_path("full.jsonl")));
    const char *l2[] = {"gen", "--format", "etl", "--count", "20000", "--compress", "--out",
                        "/dev/full", "--manifest", tmp_path("full.jsonl"), NULL};
    expect_fail(l2, "/dev/full");
    assert_false(path_exists(tmp_path("full.jsonl")));
    /* The manifest cannot be renamed into place (a non-empty directory is there). */
    mkdir(tmp_path("mdir"), 0755);
    mkdir(tmp_path("mdir/x"), 0755);
    const char *m[] = {"gen", "--format", "etl", "--count", "50", "--out", tmp_path("z.etl"),
                       "--manifest", tmp_path("mdir"), NULL};
    expect_fail(m, "mdir");
    assert_false(path_exists(tmp_path("z.etl")));
    assert_no_temp(tmpdir);
    /* A device as the manifest is written in place, never renamed over. */
    const char *n[] = {"gen", "--format", "etl", "--count", "50", "--out", tmp_path("n.etl"),
                       "--manifest", "/dev/null", NULL};
    assert_int_equal(run_exit(NULL, n), 0);
    struct stat sb;
    assert_int_equal(stat("/dev/null", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
    assert_true(path_exists(tmp_path("n.etl")));
}

/* --list-classes --format etl --json: every container class with its traces and bits. */
static void test_cli_list_classes(void **state)
{
    (void)state;
    const char *a[] = {"gen", "--list-classes", "--format", "etl", "--json", NULL};
    run_result r = run(a);
    assert_int_equal(r.status, 0);
    jsonl lines = jsonl_start(r.out, r.out_len);
    json_t *o;
    size_t containers = 0, events = 0, well_formed = 0;
    while ((o = jsonl_next(&lines)) != NULL) {
        const char *name = json_string_value(json_object_get(o, "name"));
        if (strcmp(json_string_value(json_object_get(o, "stage")), "container") == 0) {
            int k = heapev_gen_class_find(name);
            assert_int_equal(k, (int)(CONTAINER_BASE + containers++));
            const heapev_gen_class *c = heapev_gen_class_get((size_t)k);
            json_t *traces = json_object_get(o, "traces"), *bits = json_object_get(o, "bits");
            unsigned t = 0, w = 0;
            size_t i;
            json_t *v;
            json_array_foreach(traces, i, v) {
                t |= strcmp(json_string_value(v), "plain") == 0 ? HEAPEV_GEN_ETL_PLAIN
                     : strcmp(json_string_value(v), "compressed") == 0 ? HEAPEV_GEN_ETL_COMPRESSED
                                                                       : 0x100u;
            }
            json_array_foreach(bits, i, v) {
                w |= json_integer_value(v) == 32 ? HEAPEV_GEN_WIDTH_32
                     : json_integer_value(v) == 64 ? HEAPEV_GEN_WIDTH_64 : 0x100u;
            }
            if (t != c->traces || w != c->widths)
                fail_msg("%s: traces %x bits %x listed, %x %x in the table", name, t, w,
                         c->traces, c->widths);
            assert_true(json_findings(json_object_get(o, "expected_findings")) == c->findings);
        } else if (strcmp(name, "well_formed") == 0) {
            assert_string_equal(json_string_value(json_object_get(o, "stage")), "none");
            well_formed++;
        } else {
            int k = heapev_gen_class_find(name);
            assert_true(k >= 0 && (heapev_gen_etl_event_classes() >> k & 1u));
            events++;
        }
        json_decref(o);
    }
    free_result(&r);
    assert_int_equal(containers, N_CONTAINERS);
    assert_int_equal(well_formed, 1);
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
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_agreement_many_seeds), cmocka_unit_test(test_event_classes_in_trace),
        cmocka_unit_test(test_wow64_limit_classes),  cmocka_unit_test(test_container_classes),
        cmocka_unit_test(test_damage_api),           cmocka_unit_test(test_image_sink),
        cmocka_unit_test(test_class_table),          cmocka_unit_test(test_container_losses),
        cmocka_unit_test(test_invalid_options),      cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_noise_records),        cmocka_unit_test(test_well_formed_forms),
        cmocka_unit_test(test_logfile_header_fields), cmocka_unit_test(test_buffer_layout),
        cmocka_unit_test(test_forms_deterministic),  cmocka_unit_test(test_cli_done_when),
        cmocka_unit_test(test_cli_compressed_wow64), cmocka_unit_test(test_cli_log_unfinished),
        cmocka_unit_test(test_cli_deterministic),    cmocka_unit_test(test_cli_errors),
        cmocka_unit_test(test_cli_list_classes),     cmocka_unit_test(test_cli_stats_forms),
    };
    /* Then one test per container class, in the library and through the CLI. */
    size_t nfixed = sizeof fixed / sizeof fixed[0], nc = N_CONTAINERS;
    struct CMUnitTest *tests = calloc(nfixed + 2 * nc, sizeof *tests);
    char (*names)[80] = calloc(2 * nc, sizeof *names);
    if (tests == NULL || names == NULL)
        return 2;
    memcpy(tests, fixed, sizeof fixed);
    for (size_t c = 0; c < nc; c++) {
        for (int cli = 0; cli < 2; cli++) {
            struct CMUnitTest *t = &tests[nfixed + 2 * c + (size_t)cli];
            snprintf(names[2 * c + (size_t)cli], sizeof names[0], "%s%s", cli ? "cli:" : "",
                     heapev_gen_class_get(CONTAINER_BASE + c)->name);
            t->name = names[2 * c + (size_t)cli];
            t->test_func = cli ? test_cli_container_class : test_container_class;
            t->initial_state = (void *)(uintptr_t)(CONTAINER_BASE + c);
        }
    }
    int failed = _cmocka_run_group_tests("test-gen-etl", tests, nfixed + 2 * nc, NULL, NULL);
    cli_tmpdir_remove();
    free(tests), free(names);
    free(scratch());
    return failed;
}
