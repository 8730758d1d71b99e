/*
 * test_etl.c - the ETL writer and streaming reader: write -> read agreement
 * over many seeds (the generator's Alloc events, findings as it injected
 * them, among noise records) in both writer styles (Windows 10/11
 * and Windows 7 header buffers), every container finding from a file damaged
 * here at the documented offsets, heap Allocs in PERFINFO headers, unfinished
 * logs, truncation at every cut point, garbage and mutated files (run under
 * ASan), the stdio source and the writer's error paths.
 */
#include "cmocka_all.h"

#include <stdio.h>

#include "test_etl_common.h"


/* What the test wrote: each Alloc event and where the writer put it. */
typedef struct written {
    heapev_event event;
    heapev_findings expected; /* what the generator injected (hand-built events: none) */
    heapev_etl_position pos;
} written;

typedef struct trace {
    mem_file file;
    written *events;
    size_t n;
    uint32_t buffer_size;
    unsigned width;
    heapev_etl_style style;
} trace;

static void add_event(heapev_etl_writer *w, trace *t, const heapev_event *e,
                      heapev_findings expected)
{
    written *x = &t->events[t->n++];
    x->event = *e;
    x->expected = expected;
    assert_int_equal(heapev_etl_writer_add_event(w, e, &x->pos), HEAPEV_ETL_WRITE_OK);
}

/*
 * Write @p count generator events (t_alloc_next(): all header families, half
 * of them malformed) of seed @p seed, and noise with probability noise/8
 * before each, header buffer in @p style. A Windows 10/11 header buffer needs
 * more room (the header-extension records) than 512-byte buffers have.
 */
static trace make_trace(uint64_t seed, unsigned width, uint32_t buffer_size, size_t count,
                        unsigned noise, heapev_etl_style style)
{
    trace t;
    memset(&t, 0, sizeof t);
    t.file.fail_after = -1;
    t.buffer_size = buffer_size;
    t.width = width;
    t.style = style;
    t.events = calloc(count ? count : 1, sizeof *t.events);
    uint8_t *buf = malloc(buffer_size);
    assert_non_null(t.events);
    assert_non_null(buf);
    heapev_etl_writer_options o = {.buffer_size = buffer_size, .pointer_size = width,
                                   .start_time = 1000, .logger_name = "heapev test",
                                   .logfile_name = "C:\\t.etl", .style = style};
    heapev_etl_writer w;
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, buffer_size, mem_sink, &t.file), 0);
    heapev_gen g;
    t_alloc_gen_init(&g, seed, width, 0.5);
    heapev_rng rng;
    heapev_rng_seed(&rng, seed);
    int64_t time = 1000;
    for (size_t i = 0; i < count; i++) {
        while (heapev_rng_bounded(&rng, 8) < noise) {
            uint8_t rec[T_NOISE_MAX];
            size_t len = t_noise(rec, &rng, width, time);
            assert_int_equal(heapev_etl_writer_add_record(&w, rec, len, NULL), 0);
        }
        heapev_gen_item it;
        t_alloc_next(&g, &it);
        add_event(&w, &t, &it.event, it.expected);
        time = it.event.header.system_time;
    }
    assert_int_equal(heapev_etl_writer_finish(&w, 0), HEAPEV_ETL_WRITE_OK);
    assert_int_equal(t.file.len, heapev_etl_writer_buffers(&w) * buffer_size);
    free(buf);
    return t;
}

static void free_trace(trace *t)
{
    free(t->file.data);
    free(t->events);
}

static void assert_event_equal(const written *x, const heapev_etl_item *it)
{
    const heapev_event *a = &x->event, *b = &it->event;
    assert_int_equal(it->kind, HEAPEV_ETL_ITEM_EVENT);
    assert_true(it->buffer == x->pos.buffer);
    assert_true(it->offset == x->pos.offset);
    assert_true(b->findings == x->expected);
    assert_true(it->findings == b->findings);
    assert_int_equal(b->has_header, 1);
    assert_int_equal(b->header.version, a->header.version);
    assert_int_equal(b->header.header_type, a->header.header_type);
    assert_int_equal(b->header.size, a->header.size);
    assert_int_equal(b->header.thread_id, a->header.thread_id);
    assert_int_equal(b->header.process_id, a->header.process_id);
    assert_true(b->header.system_time == a->header.system_time);
    assert_int_equal(b->header.kernel_time, a->header.kernel_time);
    assert_int_equal(b->header.user_time, a->header.user_time);
    assert_int_equal(b->payload_decoded, 1);
    assert_true(b->heap_handle == a->heap_handle);
    assert_true(b->size == a->size);
    assert_true(b->address == a->address);
    assert_int_equal(b->source, a->source);
    assert_int_equal(b->pointer_width, a->pointer_width);
    assert_int_equal(it->decompressed, 0);
}

/* The same, and the buffer's file offset: buffer N of a fixed-size trace starts at N * size. */
static void assert_event_at(const trace *t, const written *x, const heapev_etl_item *it)
{
    assert_event_equal(x, it);
    assert_true(it->buffer_offset == x->pos.buffer * t->buffer_size);
}

static void assert_clean_read(const trace *t)
{
    read_result r = t_read_memory(t->file.data, t->file.len);
    assert_int_equal(r.last, HEAPEV_ETL_END);
    assert_int_equal(r.ncontainers, 0);
    assert_int_equal(r.nevents, t->n);
    for (size_t i = 0; i < t->n; i++)
        assert_event_at(t, &t->events[i], &r.events[i]);
    assert_true(r.stats.buffers == t->file.len / t->buffer_size);
    assert_true(r.stats.events == t->n);
    uint64_t findings = 0, with = 0;
    for (size_t i = 0; i < t->n; i++) {
        findings += heapev_findings_count(t->events[i].expected);
        with += t->events[i].expected != 0;
    }
    assert_true(r.stats.findings == findings && r.stats.event_findings == with);
    assert_true(r.stats.notes == 0 && r.stats.container_items == 0);
    assert_true(r.stats.decompressed == 0);
    t_free_result(&r);
}

/* ---- write -> read agreement ------------------------------------------ */

static void test_roundtrip_many_seeds(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {512, 1024, 4096, 65536};
    for (uint64_t seed = 1; seed <= 200; seed++) {
        unsigned width = seed & 1 ? 8 : 4;
        uint32_t bs = sizes[seed % 4];
        /* 512-byte buffers have no room for the Windows 10/11 header records. */
        heapev_etl_style style =
            bs == 512 || seed % 3 == 0 ? HEAPEV_ETL_STYLE_WIN7 : HEAPEV_ETL_STYLE_WIN10;
        trace t = make_trace(seed, width, bs, 50 + seed * 7 % 400, (unsigned)(seed % 5), style);
        assert_clean_read(&t);
        read_result r = t_read_memory(t.file.data, t.file.len);
        const heapev_etl_logfile *lf = NULL;
        heapev_etl_reader rd;
        heapev_etl_reader_init_memory(&rd, NULL, t.file.data, t.file.len);
        while (heapev_etl_next(&rd, &(heapev_etl_item){0}) == HEAPEV_ETL_OK)
            ;
        lf = heapev_etl_reader_logfile(&rd);
        assert_int_equal(lf->present, 1);
        assert_int_equal(lf->pointer_size, width);
        assert_int_equal(lf->buffer_size, bs);
        assert_true(lf->buffers_written == t.file.len / bs);
        /* StartTime = BootTime (0) + 1000 QPC ticks at 10 MHz = 1000 units of 100 ns. */
        assert_true(lf->start_time == 1000);
        assert_int_equal(lf->compressed, 0);
        assert_int_equal(lf->unfinished, 0);
        assert_int_equal(lf->log_file_mode & 0x04000000u, 0);
        t_free_result(&r);
        free_trace(&t);
    }
}

static void test_noise_counted_not_misread(void **state)
{
    (void)state;
    trace t = make_trace(99, 8, 1024, 300, 6, HEAPEV_ETL_STYLE_WIN10);
    read_result r = t_read_memory(t.file.data, t.file.len);
    assert_true(r.stats.skipped > 300); /* noise ratio 6/8 */
    assert_int_equal(r.nevents, 300);
    for (size_t i = 0; i < r.nevents; i++)
        assert_int_equal(r.events[i].event.header.hook_id, 0x1021);
    t_free_result(&r);
    free_trace(&t);
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Only buffer 0. Its records end at Offset (0x30), filler 0xFF after. The
 * logfile header record: 32 + 0x118 + 2 * 12 ("heapev test") + 2 * 9
 * ("C:\t.etl") = 354 bytes, 8-aligned 360, so it ends at 72 + 354 = 426.
 * Windows 10/11: the 0x0050 record (80) at 432, SavedOffset at its end (512),
 * then the build string (16 + 39 + 1 = 56) and the DbgIdRsds record (16 + 20
 * + "heapev.pdb" 11 = 47, aligned 48): Offset 616. Windows 7: SavedOffset 0,
 * Offset 432.
 */
/* FILETIMEs as ISO 8601 UTC, and a trace's clock turned into FILETIMEs. */
static void test_clock_dates(void **state)
{
    (void)state;
    char d[40];
    heapev_filetime_iso(0, d, sizeof d);
    assert_string_equal(d, "1601-01-01T00:00:00.0000000Z");
    heapev_filetime_iso(116444736000000000ll, d, sizeof d); /* the Unix epoch */
    assert_string_equal(d, "1970-01-01T00:00:00.0000000Z");
    heapev_filetime_iso(133536384001234567ll, d, sizeof d); /* a leap day */
    assert_string_equal(d, "2024-02-29T00:00:00.1234567Z");
    assert_int_equal(heapev_filetime_iso(-1, d, sizeof d), 0);
    assert_string_equal(d, "");
    assert_int_equal(heapev_filetime_iso(2650467744000000000ll, d, sizeof d), 0); /* year 10000 */

    heapev_etl_logfile lf = {0};
    lf.clock_known = 1, lf.clock_type = HEAPEV_ETL_CLOCK_QPC, lf.perf_freq = 3000000;
    lf.start_time = 133537536000000000ll, lf.start_stamp = 9000000;
    int64_t ft;
    assert_int_equal(heapev_etl_filetime(&lf, 9000000 + 4500000, &ft), 0); /* 1.5 s later */
    assert_true(ft == lf.start_time + 15000000);
    assert_int_equal(heapev_etl_filetime(&lf, 0, &ft), -1); /* a stamp never set */
    lf.clock_type = HEAPEV_ETL_CLOCK_CPU_CYCLES, lf.cpu_speed_mhz = 2000;
    assert_int_equal(heapev_etl_filetime(&lf, 9000000 + 2000000000, &ft), 0); /* 1 s of cycles */
    assert_true(ft == lf.start_time + 10000000);
    lf.clock_type = HEAPEV_ETL_CLOCK_SYSTEM_TIME;
    assert_int_equal(heapev_etl_filetime(&lf, 133537536000000001ll, &ft), 0);
    assert_true(ft == 133537536000000001ll);
    lf.clock_type = 7;
    assert_int_equal(heapev_etl_filetime(&lf, 12345, &ft), -1);
    lf.clock_type = HEAPEV_ETL_CLOCK_QPC, lf.perf_freq = 0;
    assert_int_equal(heapev_etl_filetime(&lf, 12345, &ft), -1);
}

static void test_empty_trace(void **state)
{
    (void)state;
    static const struct {
        heapev_etl_style style;
        uint32_t saved, offset;
    } cases[] = {{HEAPEV_ETL_STYLE_WIN10, 512, 616}, {HEAPEV_ETL_STYLE_WIN7, 0, 432}};
    for (size_t k = 0; k < 2; k++) {
        trace t = make_trace(5, 8, 1024, 0, 0, cases[k].style);
        assert_int_equal(t.file.len, 1024);
        assert_clean_read(&t);
        const uint8_t *b = t.file.data;
        assert_int_equal(b[0x36], 4); /* BufferType: header */
        assert_int_equal(get32(b + 0x04), cases[k].saved);
        assert_int_equal(get32(b + 0x30), cases[k].offset);
        assert_int_equal(b[72 + 4] | b[72 + 5] << 8, 354);
        for (size_t i = cases[k].offset; i < 1024; i++)
            assert_int_equal(b[i], 0xFF);
        free_trace(&t);
    }
}

/* ---- container findings from damaged files ------------------------------ */

/* A clean 64-bit trace of SYSTEM64 Alloc records only (60 bytes each, 64 apart). */
static trace damage_base(void)
{
    trace t;
    memset(&t, 0, sizeof t);
    t.file.fail_after = -1;
    t.buffer_size = 1024;
    t.width = 8;
    t.events = calloc(100, sizeof *t.events);
    uint8_t buf[1024];
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.buffer_size = 1024};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, mem_sink, &t.file), 0);
    for (int i = 0; i < 60; i++) {
        heapev_event e;
        memset(&e, 0, sizeof e);
        e.pointer_width = 8;
        e.header = (heapev_record_header){2, 2, 0xC0, 60, 0x1021, 1, 2, 100 + i, 0, 0};
        e.heap_handle = 0x10000;
        e.size = 32;
        e.address = 0x20000 + 16u * (unsigned)i;
        e.source = 3;
        add_event(&w, &t, &e, 0); /* well-formed: test_clean_base_has_no_findings */
    }
    assert_int_equal(heapev_etl_writer_finish(&w, 0), 0);
    return t;
}

typedef struct damage {
    const char *name;
    size_t at;        /* file offset patched */
    uint64_t value;   /* little-endian value written */
    unsigned width;   /* bytes */
    heapev_findings expect;       /* exact union of container findings */
    heapev_findings event_extra;  /* added to every event's findings */
    int events_lost;              /* some events are not returned */
} damage;

#define B1 1024u /* buffer 1 */
#define LF (72u + 32u) /* logfile payload in buffer 0 */

static void apply_and_check(const damage *d)
{
    trace t = damage_base();
    t_put(t.file.data + d->at, d->value, d->width);
    read_result r = t_read_memory(t.file.data, t.file.len);
    if (r.container_union != d->expect) {
        char got[512], want[512];
        heapev_findings_format(r.container_union, ",", got, sizeof got);
        heapev_findings_format(d->expect, ",", want, sizeof want);
        fail_msg("%s: container findings %s, expected %s", d->name, got, want);
    }
    if (d->events_lost ? r.nevents >= t.n : r.nevents != t.n)
        fail_msg("%s: %zu events of %zu", d->name, r.nevents, t.n);
    for (size_t i = 0; i < r.nevents; i++)
        if (r.events[i].findings != (d->event_extra | t.events[0].expected))
            fail_msg("%s: event %zu findings 0x%llx", d->name, i,
                     (unsigned long long)r.events[i].findings);
    t_free_result(&r);
    free_trace(&t);
}

static void test_damage_fields(void **state)
{
    (void)state;
    static const damage cases[] = {
        {"logfile hook", 72 + 6, 0x0001, 2, HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER), 0, 0},
        {"pointer size 5", LF + 0x2C, 5, 4, HEAPEV_FINDING(ETL_POINTER_SIZE_INVALID), 0, 0},
        {"pointer size 4", LF + 0x2C, 4, 4, HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH),
         HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH), 0},
        {"buffers written", LF + 0x24, 99, 4, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH), 0, 0},
        /* BuffersWritten 0 with an EndTime (159 ticks: the last event's time) is no unfinished log. */
        {"buffers written 0", LF + 0x24, 0, 4, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH), 0, 0},
        /* EndTime 0 alone (BuffersWritten right): nothing. */
        {"end time 0", LF + 0x10, 0, 8, 0, 0, 0},
        {"logfile buffer size", LF + 0, 2048, 4, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0},
        {"buffer 0 size 0", 0, 0, 4, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0},
        {"buffer 1 size", B1 + 0, 1000, 4, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID), 0, 0},
        /* SavedOffset is only compared with Offset (968): the records are still read. */
        {"buffer 1 saved low", B1 + 4, 8, 4, HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 0},
        {"buffer 1 saved high", B1 + 4, 4096, 4, HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 0},
        {"buffer 1 saved 0", B1 + 4, 0, 4, HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 0},
        {"buffer 1 saved 976", B1 + 4, 976, 4, HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 0},
        /* Offset ends the records: at 80 the first (60 bytes at 72) crosses it. */
        {"buffer 1 offset 80", B1 + 0x30, 80, 4,
         HEAPEV_FINDING(ETL_OFFSET_MISMATCH) | HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), 0, 1},
        /* One record (8 bytes of filler) more: 0xFFFFFFFF before Offset. */
        {"buffer 1 offset 976", B1 + 0x30, 976, 4,
         HEAPEV_FINDING(ETL_OFFSET_MISMATCH) | HEAPEV_FINDING(ETL_FILLER_INSIDE_RECORDS), 0, 0},
        {"buffer 1 offset 71", B1 + 0x30, 71, 4,
         HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID) | HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 1},
        {"buffer 1 offset 0", B1 + 0x30, 0, 4,
         HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID) | HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 1},
        {"buffer 1 offset 1032", B1 + 0x30, 1032, 4,
         HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID) | HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 1},
        {"buffer 1 compressed", B1 + 0x34, 0x40, 2, HEAPEV_FINDING(ETL_BUFFER_COMPRESSED), 0, 1},
        {"buffer 1 compressed 0x60", B1 + 0x34, 0x60, 2, HEAPEV_FINDING(ETL_BUFFER_COMPRESSED), 0, 1},
        /*
         * The header buffer: SavedOffset 504 (end of the 0x0050 record), Offset
         * 608. SavedOffset 0 (Windows 7) or anywhere up to Offset is no finding.
         */
        {"header saved 0", 4, 0, 4, 0, 0, 0},
        {"header saved 72", 4, 72, 4, 0, 0, 0},
        {"header saved = offset", 4, 608, 4, 0, 0, 0},
        {"header saved beyond offset", 4, 616, 4, HEAPEV_FINDING(ETL_OFFSET_MISMATCH), 0, 0},
        /* Offset 480 cuts the 0x0050 record (424..503), and SavedOffset 504 exceeds it. */
        {"header offset 480", 0x30, 480, 4,
         HEAPEV_FINDING(ETL_OFFSET_MISMATCH) | HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), 0, 0},
        {"header offset 616", 0x30, 616, 4, HEAPEV_FINDING(ETL_FILLER_INSIDE_RECORDS), 0, 0},
        {"header offset 1025", 0x30, 1025, 4, HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID), 0, 0},
        /* Flag 0x40 on the header buffer (any trace): its records after the logfile header unread. */
        {"header compressed", 0x34, 0x61, 2, HEAPEV_FINDING(ETL_BUFFER_COMPRESSED), 0, 0},
        {"record size 0", B1 + 72 + 4, 0, 2, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), 0, 1},
        {"record size 20", B1 + 72 + 4, 20, 2, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), 0, 1},
        {"record crossing", B1 + 72 + 4, 0xFFFF, 2, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), 0, 1},
        {"header type 12", B1 + 72 + 2, 12, 1, HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED), 0, 1},
        {"marker garbage", B1 + 72, 0x12345678, 4, HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED), 0, 1},
        {"filler marker", B1 + 72, 0xFFFFFFFF, 4, HEAPEV_FINDING(ETL_FILLER_INSIDE_RECORDS), 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        apply_and_check(&cases[i]);
}

static void test_clean_base_has_no_findings(void **state)
{
    (void)state;
    trace t = damage_base();
    /* Each written record decodes alone with no finding, and the reader agrees. */
    for (size_t i = 0; i < t.n; i++) {
        heapev_event d;
        assert_int_equal(heapev_decode_record(t.file.data + t.events[i].pos.offset, 60, NULL, &d,
                                              NULL),
                         0);
    }
    assert_clean_read(&t);
    free_trace(&t);
}

static void test_logfile_names_unterminated(void **state)
{
    (void)state;
    trace t = damage_base();
    unsigned size = t.file.data[72 + 4] | (unsigned)t.file.data[72 + 5] << 8;
    memset(t.file.data + LF + 0x118, 'A', 72 + size - (LF + 0x118));
    read_result r = t_read_memory(t.file.data, t.file.len);
    assert_true(r.container_union == HEAPEV_FINDING(ETL_LOGFILE_HEADER_SHORT));
    assert_true(r.containers[0].offset == 72);
    assert_int_equal(r.nevents, t.n);
    t_free_result(&r);
    /* A Size too short for the fixed part: short too (next record: whatever follows). */
    t_put(t.file.data + 72 + 4, 32 + 0x100, 2);
    r = t_read_memory(t.file.data, t.file.len);
    assert_true(r.container_union & HEAPEV_FINDING(ETL_LOGFILE_HEADER_SHORT));
    assert_int_equal(r.nevents, t.n);
    t_free_result(&r);
    free_trace(&t);
}

static void test_buffer_size_unrecoverable(void **state)
{
    (void)state;
    trace t = damage_base();
    t_put(t.file.data, 7, 4);      /* buffer 0 BufferSize */
    t_put(t.file.data + LF, 0, 4); /* and the logfile's */
    read_result r = t_read_memory(t.file.data, t.file.len);
    assert_int_equal(r.ncontainers, 1);
    assert_true(r.container_union == HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID));
    assert_int_equal(r.nevents, 0);
    t_free_result(&r);
    free_trace(&t);
}

static void test_record_misaligned(void **state)
{
    (void)state;
    trace t = damage_base();
    /* Pack buffer 1's second record right after the first (offset 132, not 136). */
    uint8_t *b = t.file.data + B1;
    memmove(b + 72 + 60, b + 72 + 64, 1024 - 72 - 64);
    read_result r = t_read_memory(t.file.data, t.file.len);
    assert_true(r.container_union == HEAPEV_FINDING(ETL_RECORD_MISALIGNED));
    assert_int_equal(r.ncontainers, 1);
    assert_true(r.containers[0].buffer == 1);
    assert_true(r.containers[0].offset == B1 + 136);
    t_free_result(&r);
    free_trace(&t);
}

/*
 * Heap Allocs in PERFINFO headers (SPEC §4: 16 bytes, Size at 4, HookId at
 * 6, SystemTime at 8, no thread or process id) are decoded like SYSTEM and
 * COMPACT ones: a PERFINFO64 one, a PERFINFO32 one (a WOW64 process's in this
 * PointerSize-8 trace: no finding), then a SYSTEM64 one.
 */
static void test_perfinfo_alloc_decoded(void **state)
{
    (void)state;
    mem_file f = {NULL, 0, 0, -1};
    uint8_t buf[1024], rec[48];
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.buffer_size = 1024};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, mem_sink, &f), 0);
    memset(rec, 0xEE, sizeof rec);
    t_header(rec, 2, 17, 0xC0, 44, 0x1021);
    t_put(rec + 8, 0x1234, 8);
    t_payload64(rec + 16, 0x7FF600000000ull, 0x30, 0x7FF600001230ull, 2);
    heapev_etl_position p64, p32, psys;
    assert_int_equal(heapev_etl_writer_add_record(&w, rec, 44, &p64), 0);
    t_header(rec, 2, 16, 0xC0, 32, 0x1021);
    t_put(rec + 8, 0x1235, 8);
    t_payload32(rec + 16, 0x00A30000, 0x18, 0x00A31008, 3);
    assert_int_equal(heapev_etl_writer_add_record(&w, rec, 32, &p32), 0);
    heapev_event e;
    memset(&e, 0, sizeof e);
    e.header = (heapev_record_header){2, 2, 0xC0, 60, 0x1021, 1, 2, 0x1236, 0, 0};
    e.pointer_width = 8, e.heap_handle = 0x10000, e.address = 0x20000, e.source = 3;
    assert_int_equal(heapev_etl_writer_add_event(&w, &e, &psys), 0);
    assert_int_equal(heapev_etl_writer_finish(&w, 0), 0);
    /* Offsets: buffer 1 at 1024, records at 72, 72 + 48 (44 aligned), 120 + 32. */
    assert_true(p64.offset == 1024 + 72 && p32.offset == 1024 + 120 && psys.offset == 1024 + 152);

    read_result r = t_read_memory(f.data, f.len);
    assert_int_equal(r.ncontainers, 0);
    assert_int_equal(r.nevents, 3);
    const heapev_etl_item *a = &r.events[0], *b = &r.events[1], *c = &r.events[2];
    assert_true(a->offset == p64.offset && a->buffer == 1 && a->buffer_offset == 1024);
    assert_true(a->findings == 0);
    assert_int_equal(a->event.header.header_type, 17);
    assert_int_equal(a->event.header.size, 44);
    assert_int_equal(a->event.header.thread_id, 0);
    assert_int_equal(a->event.header.process_id, 0);
    assert_true(a->event.header.system_time == 0x1234);
    assert_int_equal(a->event.pointer_width, 8);
    assert_true(a->event.heap_handle == 0x7FF600000000ull && a->event.size == 0x30);
    assert_true(a->event.address == 0x7FF600001230ull && a->event.source == 2);
    assert_true(b->offset == p32.offset && b->findings == 0);
    assert_int_equal(b->event.header.header_type, 16);
    assert_int_equal(b->event.pointer_width, 4);
    assert_true(b->event.header.system_time == 0x1235);
    assert_true(b->event.address == 0x00A31008 && b->event.size == 0x18 && b->event.source == 3);
    assert_true(c->offset == psys.offset && c->findings == 0);
    assert_int_equal(c->event.header.thread_id, 1);
    assert_true(r.stats.events == 3 && r.stats.findings == 0);
    t_free_result(&r);
    free(f.data);
}

/* ---- unfinished logs ----------------------------------------------------- */

/*
 * BuffersWritten 0 and EndTime 0 (a session still running or crashed): the
 * note etl_log_unfinished at the logfile header (buffer 0, offset 72), no
 * etl_buffers_written_mismatch; the whole file is read. Notes are counted in
 * stats.notes only, not in findings or container_items.
 */
static void test_unfinished_log(void **state)
{
    (void)state;
    trace t = damage_base();
    t_put(t.file.data + LF + 0x24, 0, 4); /* BuffersWritten */
    t_put(t.file.data + LF + 0x10, 0, 8); /* EndTime */
    heapev_etl_reader rd;
    heapev_etl_reader_init_memory(&rd, NULL, t.file.data, t.file.len);
    read_result r = t_read_reader(&rd, 1000);
    assert_int_equal(r.last, HEAPEV_ETL_END);
    assert_int_equal(r.ncontainers, 1);
    assert_true(r.containers[0].findings == HEAPEV_FINDING(ETL_LOG_UNFINISHED));
    assert_true(r.containers[0].buffer == 0 && r.containers[0].offset == 72);
    assert_true(r.containers[0].buffer_offset == 0 && r.containers[0].decompressed == 0);
    assert_int_equal(r.nevents, t.n);
    assert_true(r.stats.notes == 1);
    assert_true(r.stats.findings == 0);
    assert_true(r.stats.container_items == 0);
    assert_true(r.stats.buffers == 6);
    const heapev_etl_logfile *lf = heapev_etl_reader_logfile(&rd);
    assert_int_equal(lf->unfinished, 1);
    assert_int_equal(lf->buffers_written, 0);
    assert_true(lf->end_time == 0);
    t_free_result(&r);

    /* Read to the end of the file, whatever its length: here one buffer less. */
    r = t_read_memory(t.file.data, t.file.len - 1024);
    assert_true(r.container_union == HEAPEV_FINDING(ETL_LOG_UNFINISHED));
    assert_int_equal(r.nevents, t.n - 4); /* buffer 5 held the last 4 events */
    t_free_result(&r);

    /* A note and a defect in one item: the item counts once, the defect once, the note apart. */
    t_put(t.file.data + LF + 0x2C, 5, 4); /* PointerSize 5 */
    r = t_read_memory(t.file.data, t.file.len);
    assert_int_equal(r.ncontainers, 1);
    assert_true(r.containers[0].findings ==
                (HEAPEV_FINDING(ETL_LOG_UNFINISHED) | HEAPEV_FINDING(ETL_POINTER_SIZE_INVALID)));
    assert_true(r.stats.notes == 1 && r.stats.findings == 1 && r.stats.container_items == 1);
    t_free_result(&r);
    free_trace(&t);
}

/* The note is not a defect; it is the only finding of severity note. */
static void test_note_severity(void **state)
{
    (void)state;
    const heapev_finding_info *i = heapev_finding_by_name("etl_log_unfinished");
    assert_non_null(i);
    assert_int_equal(i->severity, HEAPEV_SEVERITY_NOTE);
    assert_string_equal(heapev_severity_name(HEAPEV_SEVERITY_NOTE), "note");
    heapev_findings all = HEAPEV_FINDING(ETL_LOG_UNFINISHED) | HEAPEV_FINDING(ETL_BUFFER_COMPRESSED) |
                          HEAPEV_FINDING(ETL_OFFSET_MISMATCH);
    assert_true(heapev_findings_defects(all) == (HEAPEV_FINDING(ETL_BUFFER_COMPRESSED) | HEAPEV_FINDING(ETL_OFFSET_MISMATCH)));
    assert_true(heapev_findings_errors(all) == HEAPEV_FINDING(ETL_BUFFER_COMPRESSED));
}

/* ---- truncation -------------------------------------------------------- */

static void check_truncated_everywhere(uint32_t bs, heapev_etl_style style)
{
    trace t = make_trace(7, 8, bs, 60, 3, style);
    for (size_t cut = 0; cut < t.file.len; cut++) {
        read_result r = t_read_memory(t.file.data, cut);
        size_t expect = 0;
        for (size_t i = 0; i < t.n; i++)
            expect += t.events[i].pos.offset + t.events[i].event.header.size <= cut;
        assert_int_equal(r.nevents, expect);
        for (size_t i = 0; i < r.nevents; i++)
            assert_event_at(&t, &t.events[i], &r.events[i]);
        if (cut == 0)
            assert_true(r.container_union == HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER));
        else if (cut % bs != 0)
            assert_true(r.container_union & HEAPEV_FINDING(ETL_TRUNCATED_FILE));
        else
            assert_true(r.container_union == HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH));
        t_free_result(&r);
    }
    free_trace(&t);
}

static void test_truncated_everywhere(void **state)
{
    (void)state;
    check_truncated_everywhere(512, HEAPEV_ETL_STYLE_WIN7);
    check_truncated_everywhere(1024, HEAPEV_ETL_STYLE_WIN10);
}

/* ---- hostile input ----------------------------------------------------- */

static void test_garbage_never_crashes(void **state)
{
    (void)state;
    uint64_t rng = 42;
    uint8_t *buf = malloc(70000);
    assert_non_null(buf);
    for (int round = 0; round < 3000; round++) {
        size_t len = round < 2000 ? (size_t)(t_rand(&rng) % 3000) : (size_t)(t_rand(&rng) % 70000);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)t_rand(&rng);
        if (len >= 8 && (round & 1)) { /* plausible buffer size so records get parsed */
            uint32_t bs = 72 + 8 * (uint32_t)(t_rand(&rng) % 200);
            t_put(buf, bs, 4);
        }
        read_result r = t_read_memory(buf, len);
        assert_int_equal(r.last, HEAPEV_ETL_END);
        t_free_result(&r);
    }
    free(buf);
}

static void test_mutated_traces_never_crash(void **state)
{
    (void)state;
    trace t = make_trace(11, 8, 1024, 200, 4, HEAPEV_ETL_STYLE_WIN10);
    uint8_t *copy = malloc(t.file.len);
    assert_non_null(copy);
    uint64_t rng = 1234;
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, t.file.data, t.file.len);
        unsigned flips = 1 + (unsigned)(t_rand(&rng) % 16);
        for (unsigned k = 0; k < flips; k++) {
            size_t at = (size_t)(t_rand(&rng) % t.file.len);
            if (t_rand(&rng) & 1)
                at = (at / 1024) * 1024 + (size_t)(t_rand(&rng) % 128); /* headers, first records */
            copy[at] = (uint8_t)t_rand(&rng);
        }
        size_t len = (round % 4 == 0) ? (size_t)(t_rand(&rng) % t.file.len) : t.file.len;
        read_result r = t_read_memory(copy, len);
        assert_int_equal(r.last, HEAPEV_ETL_END);
        assert_true(r.nevents <= t.n + len / 40);
        t_free_result(&r);
    }
    free(copy);
    free_trace(&t);
}

/* ---- the stdio source -------------------------------------------------- */

static read_result read_stdio(FILE *f, size_t cap, heapev_etl_stdio *src)
{
    *src = (heapev_etl_stdio){f, malloc(cap), cap, 0, 0, 0};
    assert_non_null(src->buf);
    heapev_etl_reader r;
    heapev_etl_reader_init(&r, NULL, heapev_etl_stdio_fetch, src);
    read_result res = t_read_reader(&r, 1u << 20);
    free(src->buf);
    return res;
}

static void test_stdio_matches_memory(void **state)
{
    (void)state;
    trace t = make_trace(21, 4, 4096, 500, 3, HEAPEV_ETL_STYLE_WIN10);
    t.file.data[4096 + 0x04] ^= 8; /* one container finding too: SavedOffset != Offset */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(t.file.data, 1, t.file.len - 100, f), t.file.len - 100);
    rewind(f);
    heapev_etl_stdio src;
    read_result a = read_stdio(f, HEAPEV_ETL_MAX_BUFFER_SIZE, &src);
    read_result b = t_read_memory(t.file.data, t.file.len - 100);
    assert_int_equal(a.last, HEAPEV_ETL_END);
    assert_int_equal(a.nevents, b.nevents);
    assert_int_equal(a.ncontainers, b.ncontainers);
    assert_true(a.container_union == (HEAPEV_FINDING(ETL_OFFSET_MISMATCH) | HEAPEV_FINDING(ETL_TRUNCATED_FILE)));
    assert_true(a.container_union == b.container_union);
    for (size_t i = 0; i < a.nevents; i++)
        assert_memory_equal(&a.events[i], &b.events[i], sizeof a.events[i]);
    t_free_result(&a);
    t_free_result(&b);
    /* A buffer larger than the caller's memory is an I/O error, not a crash. */
    rewind(f);
    a = read_stdio(f, 1000, &src);
    assert_int_equal(a.last, HEAPEV_ETL_IO_ERROR);
    assert_int_not_equal(src.error, 0);
    t_free_result(&a);
    fclose(f);
    free_trace(&t);
}

/* ---- writer error paths ------------------------------------------------ */

static void test_writer_errors(void **state)
{
    (void)state;
    static uint8_t buf[65536];
    mem_file f = {NULL, 0, 0, -1};
    heapev_etl_writer w;
    heapev_etl_writer_options o = {.pointer_size = 5};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, mem_sink, &f),
                     HEAPEV_ETL_WRITE_INVALID);
    assert_int_equal(heapev_etl_writer_add_record(&w, buf, 8, NULL), HEAPEV_ETL_WRITE_STATE);
    o = (heapev_etl_writer_options){.buffer_size = 1028};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, mem_sink, &f),
                     HEAPEV_ETL_WRITE_INVALID);
    o = (heapev_etl_writer_options){.buffer_size = 256}; /* no room for the logfile header */
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, sizeof buf, mem_sink, &f),
                     HEAPEV_ETL_WRITE_INVALID);
    o = (heapev_etl_writer_options){.buffer_size = 1024};
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, 512, mem_sink, &f),
                     HEAPEV_ETL_WRITE_INVALID);
    assert_int_equal(heapev_etl_writer_init(&w, &o, NULL, 1024, mem_sink, &f),
                     HEAPEV_ETL_WRITE_INVALID);
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, 1024, mem_sink, &f), 0);
    uint8_t rec[1024] = {0};
    assert_int_equal(heapev_etl_writer_add_record(&w, rec, 0, NULL), HEAPEV_ETL_WRITE_INVALID);
    assert_int_equal(heapev_etl_writer_add_record(&w, rec, 1024 - 72 + 1, NULL),
                     HEAPEV_ETL_WRITE_INVALID);
    heapev_etl_position pos;
    assert_int_equal(heapev_etl_writer_add_record(&w, rec, 1024 - 72, &pos), 0);
    assert_true(pos.buffer == 1 && pos.offset == 1024 + 72);
    heapev_event e;
    memset(&e, 0, sizeof e);
    e.header.header_type = 9;
    assert_int_equal(heapev_etl_writer_add_event(&w, &e, NULL), HEAPEV_ETL_WRITE_INVALID);
    f.fail_after = 0; /* the sink fails at the next buffer */
    assert_int_equal(heapev_etl_writer_add_record(&w, rec, 8, NULL), HEAPEV_ETL_WRITE_SINK);
    assert_int_equal(heapev_etl_writer_flush(&w), HEAPEV_ETL_WRITE_STATE);
    assert_int_equal(heapev_etl_writer_finish(&w, 0), HEAPEV_ETL_WRITE_STATE);
    /* Finishing twice is refused; flush of an empty buffer is a no-op. */
    f.fail_after = -1;
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, 1024, mem_sink, &f), 0);
    assert_int_equal(heapev_etl_writer_flush(&w), 0);
    assert_int_equal(heapev_etl_writer_buffers(&w), 1);
    assert_int_equal(heapev_etl_writer_finish(&w, 5), 0);
    assert_int_equal(heapev_etl_writer_finish(&w, 5), HEAPEV_ETL_WRITE_STATE);
    f.fail_after = 0; /* buffer 0 itself fails */
    assert_int_equal(heapev_etl_writer_init(&w, &o, buf, 1024, mem_sink, &f), 0);
    assert_int_equal(heapev_etl_writer_finish(&w, 5), HEAPEV_ETL_WRITE_SINK);
    free(f.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_many_seeds),
        cmocka_unit_test(test_noise_counted_not_misread),
        cmocka_unit_test(test_clock_dates), cmocka_unit_test(test_empty_trace),
        cmocka_unit_test(test_clean_base_has_no_findings),
        cmocka_unit_test(test_damage_fields),
        cmocka_unit_test(test_logfile_names_unterminated),
        cmocka_unit_test(test_buffer_size_unrecoverable),
        cmocka_unit_test(test_record_misaligned),
        cmocka_unit_test(test_perfinfo_alloc_decoded),
        cmocka_unit_test(test_unfinished_log),
        cmocka_unit_test(test_note_severity),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_mutated_traces_never_crash),
        cmocka_unit_test(test_stdio_matches_memory),
        cmocka_unit_test(test_writer_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
