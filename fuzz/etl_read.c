/*
 * This fuzz target reads arbitrary bytes as an .etl file image with the
 * streaming reader, to ensure the reader terminates, reads nothing past the
 * image, and returns only well-formed items: events that keep the decoder's
 * promises and sit where their offsets say, container items carrying etl_*
 * findings only, counters that add up. Both readers get scratch memory
 * (HEAPEV_ETL_SCRATCH_SIZE), so compressed traces are decompressed (libfwnt)
 * and their records read too; a one-time check makes sure they really are.
 * A second reader with report_skipped runs in lockstep: once its SKIPPED and
 * RECORDS_END items are set aside, it must return exactly the same items and
 * counters, and those extra items must describe the records they name.
 *
 * libfwnt is not instrumented, so ASan cannot see it read or write out of
 * bounds (libfwnt 20181227 does both on crafted streams; the reader keeps it
 * within the scratch memory). Each scratch area therefore ends at an
 * inaccessible page, and the second reader reads a copy of the input that
 * ends at one too: a write past the scratch memory or a read past the end of
 * the image faults at once, with libfwnt on the stack. (Without mmap: static
 * scratch areas followed by a canary that is checked after every input.)
 */
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#if defined(MAP_ANONYMOUS) && defined(_SC_PAGESIZE)
#define FUZZ_HAVE_MMAP 1
#define FUZZ_MAP_ANON MAP_ANONYMOUS
#elif defined(MAP_ANON) && defined(_SC_PAGESIZE)
#define FUZZ_HAVE_MMAP 1
#define FUZZ_MAP_ANON MAP_ANON
#endif
#endif

#include "fuzz_helpers.h"
#include "heapev/etl.h"
#include "heapev/gen_etl.h"
#include "heapev/le.h"

#define ETL_FINDINGS heapev_findings_container()
#define ALL_FINDINGS heapev_findings_all()
/* Findings an event decoded from a steppable SYSTEM/COMPACT/PERFINFO heap Alloc record can't have. */
#define NEVER_ON_EVENTS                                                                       \
    (HEAPEV_FINDING(HEADER_SIZE_MISMATCH) | HEAPEV_FINDING(HEADER_TYPE_UNKNOWN) | HEAPEV_FINDING(HEADER_FLAGS_INVALID) |    \
     HEAPEV_FINDING(NOT_HEAP_ALLOC) | HEAPEV_FINDING(LENGTH_AMBIGUOUS))

#define MAX_BUFFER (1u << 20) /* max_buffer_size: 1 MiB keeps each input fast */
#define SCRATCH HEAPEV_ETL_SCRATCH_SIZE(MAX_BUFFER) /* what the reader needs to decompress */
#define HDR HEAPEV_ETL_BUFFER_HEADER_SIZE

/* ---- memory: scratch areas and the guarded input copy, set up once --------------- */

enum { READER_DEFAULT, READER_WALK };

#define CANARY_LEN 64u
#define CANARY_BYTE 0xA5u

static uint8_t *scratch[2];  /* SCRATCH bytes each, one per reader */
static int scratch_canary;   /* 1: static areas, CANARY_LEN canary bytes after each */
#ifdef FUZZ_HAVE_MMAP
static uint8_t *input_area;  /* ends at a guard page; input_cap bytes */
static size_t input_cap;

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096u;
}

/* @p n bytes (rounded up to pages: *body) right before an inaccessible page; NULL if mmap fails. */
static uint8_t *map_guarded(size_t n, size_t *body)
{
    size_t page = page_size();
    *body = n == 0 ? page : (n + page - 1) / page * page;
    uint8_t *m = mmap(NULL, *body + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | FUZZ_MAP_ANON,
                      -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    if (mprotect(m + *body, page, PROT_NONE) != 0) {
        munmap(m, *body + page);
        return NULL;
    }
    return m;
}
#endif

/*
 * The harness's options let the reader decompress: a compressed trace from
 * the generator is read and its buffers decompressed. (Scratch memory below
 * what the reader needs silently turns decompression off.)
 */
static void check_decompression_runs(void)
{
    static uint8_t mem[HEAPEV_GEN_ETL_MEMORY(1024)];
    static uint8_t image[1u << 16];
    heapev_gen_etl_options o = {.seed = 1, .width = 8, .count = 40, .buffer_size = 1024,
                                .container = -1, .compress = 1};
    heapev_gen_etl_image sink = {image, sizeof image, 0};
    FUZZ_ASSERT_MSG(heapev_gen_etl_write(&o, mem, sizeof mem, heapev_gen_etl_image_sink, &sink, NULL, NULL,
                                         NULL) == 0,
                    "no compressed trace from the generator");
    heapev_etl_read_options opts = {.max_buffer_size = MAX_BUFFER, .scratch = scratch[0],
                                    .scratch_size = SCRATCH};
    heapev_etl_reader r;
    heapev_etl_item item;
    heapev_etl_reader_init_memory(&r, &opts, image, sink.len);
    while (heapev_etl_next(&r, &item) == HEAPEV_ETL_OK)
        continue;
    FUZZ_ASSERT_MSG(heapev_etl_reader_stats(&r)->decompressed > 0 &&
                        heapev_etl_reader_stats(&r)->events == 40,
                    "the reader does not decompress with the harness's scratch memory");
}

static void setup_scratch(void)
{
    static uint8_t fallback[2][SCRATCH + CANARY_LEN];
    if (scratch[0] != NULL)
        return;
#ifdef FUZZ_HAVE_MMAP
    size_t body = 0;
    uint8_t *a = map_guarded(SCRATCH, &body);
    uint8_t *b = a != NULL ? map_guarded(SCRATCH, &body) : NULL;
    if (b != NULL) { /* each area ends right at its guard page */
        scratch[0] = a + body - SCRATCH;
        scratch[1] = b + body - SCRATCH;
    }
#endif
    if (scratch[0] == NULL) {
        scratch_canary = 1;
        for (unsigned i = 0; i < 2; i++) {
            scratch[i] = fallback[i];
            memset(fallback[i] + SCRATCH, CANARY_BYTE, CANARY_LEN);
        }
    }
    check_decompression_runs();
}

static void check_canaries(void)
{
    for (unsigned i = 0; scratch_canary && i < 2; i++)
        for (unsigned k = 0; k < CANARY_LEN; k++)
            FUZZ_ASSERT_MSG(scratch[i][SCRATCH + k] == CANARY_BYTE,
                            "the decompressor wrote past the scratch memory");
}

/* The input again, ending right at an inaccessible page (or @p data itself without mmap). */
static const uint8_t *guarded_copy(const uint8_t *data, size_t size)
{
#ifdef FUZZ_HAVE_MMAP
    if (size > input_cap || input_area == NULL) {
        size_t body;
        if (input_area != NULL)
            munmap(input_area, input_cap + page_size());
        input_area = map_guarded(size, &body);
        input_cap = input_area != NULL ? body : 0;
    }
    if (input_area != NULL && size != 0) {
        uint8_t *p = input_area + input_cap - size;
        memcpy(p, data, size);
        return p;
    }
#else
    (void)size;
#endif
    return data;
}

/* ---- invariants ----------------------------------------------------------------- */

typedef struct walk_state {
    uint64_t skipped;      /* SKIPPED items */
    uint64_t records_ends; /* RECORDS_END items */
} walk_state;

/* Where any item of reader @p r may lie. */
static void check_place(const heapev_etl_item *it, const heapev_etl_reader *r, size_t size)
{
    const heapev_etl_stats *st = heapev_etl_reader_stats(r);
    FUZZ_ASSERT_MSG(it->buffer < st->buffers || (it->buffer == 0 && st->buffers == 0),
                    "item of a buffer the reader did not open");
    FUZZ_ASSERT_MSG(it->buffer_offset <= size, "buffer offset beyond the image");
    FUZZ_ASSERT_MSG(it->buffer != 0 || it->buffer_offset == 0, "buffer 0 not at offset 0");
    FUZZ_ASSERT_MSG(it->offset >= it->buffer_offset, "item before its buffer");
    FUZZ_ASSERT_MSG(it->decompressed <= 1, "decompressed is not 0 or 1");
    FUZZ_ASSERT_MSG((it->findings & ~ALL_FINDINGS) == 0, "finding outside the table");
    if (it->decompressed) { /* among a decompressed buffer's records, not in its header */
        FUZZ_ASSERT_MSG(it->buffer != 0 && st->decompressed != 0,
                        "decompressed item without a decompressed buffer");
        FUZZ_ASSERT_MSG(it->offset - it->buffer_offset >= HDR &&
                            it->offset - it->buffer_offset <= MAX_BUFFER,
                        "decompressed item outside the decompressed records");
    } else {
        FUZZ_ASSERT_MSG(it->offset <= size, "item offset beyond the image");
    }
}

/*
 * A record item (EVENT, SKIPPED) of @p rec_size bytes: it lies, 8-aligned after
 * the buffer header, in the bytes the reader reads now, which are the image's
 * at buffer_offset, or a decompressed image in the reader's scratch that starts
 * with the buffer's header as in the file. Returns the record's bytes.
 */
static const uint8_t *record_bytes(const heapev_etl_item *it, const heapev_etl_reader *r,
                                   unsigned which, const uint8_t *image, size_t size,
                                   uint32_t rec_size)
{
    size_t len = 0;
    const uint8_t *buf = heapev_etl_reader_buffer(r, &len);
    uint64_t rel = it->offset - it->buffer_offset;
    FUZZ_ASSERT_MSG(buf != NULL, "no current buffer under a record item");
    if (it->decompressed) {
        FUZZ_ASSERT_MSG(buf == scratch[which], "decompressed records not in the scratch memory");
        FUZZ_ASSERT_MSG(it->buffer_offset + HDR <= size &&
                            memcmp(buf, image + it->buffer_offset, HDR) == 0,
                        "decompressed image does not start with the buffer's header");
    } else {
        FUZZ_ASSERT_MSG(buf == image + it->buffer_offset, "reader buffer is not at buffer_offset");
        FUZZ_ASSERT_MSG(it->offset + rec_size <= size, "record beyond the image");
    }
    FUZZ_ASSERT_MSG(rel >= HDR && rel % HEAPEV_ETL_RECORD_ALIGN == 0,
                    "record not 8-aligned after the buffer header");
    FUZZ_ASSERT_MSG(rel + rec_size <= len, "record beyond the buffer's bytes");
    return buf + rel;
}

/* Two events decoded alike (findings aside). */
static int same_event(const heapev_event *a, const heapev_event *b)
{
    const heapev_record_header *x = &a->header, *y = &b->header;
    return a->heap_handle == b->heap_handle && a->size == b->size && a->address == b->address &&
           a->source == b->source && a->pointer_width == b->pointer_width &&
           a->has_header == b->has_header && a->payload_decoded == b->payload_decoded &&
           a->trailing_bytes == b->trailing_bytes && x->version == y->version &&
           x->header_type == y->header_type && x->flags == y->flags && x->size == y->size &&
           x->hook_id == y->hook_id && x->thread_id == y->thread_id &&
           x->process_id == y->process_id && x->system_time == y->system_time &&
           x->kernel_time == y->kernel_time && x->user_time == y->user_time;
}

/* An EVENT item of the default reader: the decoder's promises, and the record it came from. */
static void check_event(const heapev_etl_item *it, const heapev_etl_reader *r,
                        const uint8_t *image, size_t size)
{
    const heapev_event *e = &it->event;
    const heapev_record_header *h = &e->header;
    FUZZ_ASSERT(it->findings == e->findings);
    FUZZ_ASSERT_MSG(e->has_header && heapev_header_type_size(h->header_type) != 0 &&
                        h->flags == HEAPEV_HEADER_FLAGS && h->hook_id == HEAPEV_HOOK_HEAP_ALLOC &&
                        h->size >= heapev_header_type_size(h->header_type),
                    "event from a record that is no steppable heap Alloc");
    FUZZ_ASSERT_MSG(e->pointer_width == heapev_header_type_width(h->header_type),
                    "event width is not its header type's");
    FUZZ_ASSERT_MSG((e->findings & NEVER_ON_EVENTS) == 0, "record-level finding on an event");
    FUZZ_ASSERT_MSG(heapev_findings_defects(e->findings) == e->findings, "a note on an event");
    /* The only container finding an event may carry. */
    heapev_findings etl = e->findings & ETL_FINDINGS;
    FUZZ_ASSERT_MSG((etl & ~HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH)) == 0, "etl_* finding on an event");
    heapev_event plain = *e;
    plain.findings &= ~etl;
    fuzz_check_event(&plain, plain.findings);

    /* Decode the bytes at the item's offset again: the same event, the same findings. */
    const uint8_t *p = record_bytes(it, r, READER_DEFAULT, image, size, h->size);
    const heapev_etl_logfile *lf = heapev_etl_reader_logfile(r);
    unsigned psize = lf->present && (lf->pointer_size == 4 || lf->pointer_size == 8)
                         ? lf->pointer_size : 0;
    heapev_limits limits = heapev_limits_default();
    if (psize == 8 && e->pointer_width == 4) /* a WOW64 process's Alloc */
        limits.user_max_32 = limits.user_max_wow64;
    heapev_event again;
    heapev_findings f = heapev_decode_record(p, h->size, &limits, &again, NULL);
    if (psize == 4 && e->pointer_width == 8)
        f |= HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH);
    FUZZ_ASSERT_MSG(same_event(e, &again), "event differs from the record at its offset");
    FUZZ_ASSERT_MSG(f == e->findings, "event findings differ from the record's");
}

/* A SKIPPED item: the marker and Size of a record that is no heap Alloc event. */
static void check_skipped(const heapev_etl_item *it, const heapev_etl_reader *walk,
                          const uint8_t *image, size_t size)
{
    const heapev_etl_skipped *s = &it->skipped;
    FUZZ_ASSERT_MSG(it->findings == 0 && s->size != 0, "skipped item with findings or no size");
    const uint8_t *p = record_bytes(it, walk, READER_WALK, image, size, s->size);
    FUZZ_ASSERT_MSG(p[HEAPEV_HEADER_OFF_HEADER_TYPE] == s->header_type &&
                        p[HEAPEV_HEADER_OFF_FLAGS] == s->flags,
                    "skipped marker differs from the record's");
    FUZZ_ASSERT_MSG(s->has_hook_id <= 1, "has_hook_id is not 0 or 1");
    if (s->has_hook_id) {
        FUZZ_ASSERT_MSG(s->flags == HEAPEV_HEADER_FLAGS &&
                            heapev_header_type_size(s->header_type) != 0 &&
                            heapev_read_le16(p + HEAPEV_HEADER_OFF_SIZE) == s->size &&
                            heapev_read_le16(p + HEAPEV_HEADER_OFF_HOOK_ID) == s->hook_id,
                        "skipped SYSTEM/COMPACT/PERFINFO record differs from its bytes");
        FUZZ_ASSERT_MSG(s->hook_id != HEAPEV_HOOK_HEAP_ALLOC, "heap Alloc skipped, not decoded");
    } else {
        FUZZ_ASSERT_MSG(s->hook_id == 0 &&
                            heapev_read_le16(p + HEAPEV_HEADER_OFF_SIZE_AT_START) == s->size,
                        "skipped record differs from its bytes");
    }
}

/*
 * The next item of the report_skipped reader that the default reader also
 * returns; its SKIPPED and RECORDS_END items are checked and counted on the way.
 */
static heapev_etl_status next_shared(heapev_etl_reader *walk, heapev_etl_item *item,
                                     const uint8_t *image, size_t size, walk_state *ws)
{
    heapev_etl_status st;
    while ((st = heapev_etl_next(walk, item)) == HEAPEV_ETL_OK) {
        check_place(item, walk, size);
        /* Buffers open in order and each ends with one RECORDS_END (the
         * final etl_buffers_written_mismatch, about buffer 0, comes after). */
        if (item->findings != HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH))
            FUZZ_ASSERT_MSG(item->buffer == ws->records_ends, "item after its buffer's end");
        if (item->kind == HEAPEV_ETL_ITEM_SKIPPED) {
            check_skipped(item, walk, image, size);
            ws->skipped++;
        } else if (item->kind == HEAPEV_ETL_ITEM_RECORDS_END) {
            size_t len = 0;
            heapev_etl_reader_buffer(walk, &len);
            FUZZ_ASSERT_MSG(item->findings == 0 && item->offset - item->buffer_offset <= len,
                            "records end beyond the buffer's bytes");
            ws->records_ends++;
        } else {
            break;
        }
    }
    return st;
}

static void compare_items(const heapev_etl_item *a, const heapev_etl_item *b)
{
    FUZZ_ASSERT_MSG(a->kind == b->kind && a->buffer == b->buffer &&
                        a->buffer_offset == b->buffer_offset && a->offset == b->offset &&
                        a->decompressed == b->decompressed && a->findings == b->findings,
                    "report_skipped changed the default items");
    if (a->kind == HEAPEV_ETL_ITEM_EVENT)
        FUZZ_ASSERT_MSG(same_event(&a->event, &b->event), "report_skipped changed an event");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_scratch();
    heapev_etl_reader reader, walk;
    heapev_etl_item item, shared;
    heapev_etl_read_options opts = {.max_buffer_size = MAX_BUFFER,
                                    .scratch = scratch[READER_DEFAULT],
                                    .scratch_size = SCRATCH};
    heapev_etl_reader_init_memory(&reader, &opts, data, size);
    /* The lockstep reader reads the copy that ends at a guard page. */
    const uint8_t *copy = guarded_copy(data, size);
    heapev_etl_read_options walk_opts = opts;
    walk_opts.report_skipped = 1;
    walk_opts.scratch = scratch[READER_WALK];
    heapev_etl_reader_init_memory(&walk, &walk_opts, copy, size);

    walk_state ws = {0, 0};
    uint64_t items = 0, events = 0, event_findings = 0, defect_items = 0, note_items = 0;
    uint64_t notes = 0, defects = 0, decompressed_buffers = 0;
    uint64_t last_buffer = 0, last_base = 0, last_offset = 0, last_dec_buffer = 0;
    int any_event = 0, ended = 0;
    heapev_etl_status st;
    while ((st = heapev_etl_next(&reader, &item)) == HEAPEV_ETL_OK) {
        const heapev_etl_stats *now = heapev_etl_reader_stats(&reader);
        FUZZ_ASSERT_MSG(!ended, "an item after etl_buffers_written_mismatch");
        FUZZ_ASSERT_MSG(++items <= size + 8 + now->decompressed * (uint64_t)MAX_BUFFER,
                        "more items than the image (and its decompressed buffers) can hold");
        check_place(&item, &reader, size);
        FUZZ_ASSERT_MSG(next_shared(&walk, &shared, copy, size, &ws) == HEAPEV_ETL_OK,
                        "report_skipped lost an item");
        compare_items(&item, &shared);
        if (item.decompressed && (decompressed_buffers == 0 || item.buffer != last_dec_buffer)) {
            decompressed_buffers++;
            last_dec_buffer = item.buffer;
        }
        defects += heapev_findings_count(heapev_findings_defects(item.findings));
        if (item.kind == HEAPEV_ETL_ITEM_EVENT) {
            check_event(&item, &reader, data, size);
            /* Events in (buffer, offset) order: offsets of decompressed buffers
             * are not file positions, so they only order within their buffer. */
            if (any_event && item.buffer == last_buffer) {
                FUZZ_ASSERT_MSG(item.buffer_offset == last_base, "one buffer, two offsets");
                FUZZ_ASSERT_MSG(item.offset > last_offset, "events out of order in a buffer");
            } else if (any_event) {
                FUZZ_ASSERT_MSG(item.buffer > last_buffer && item.buffer_offset > last_base,
                                "events out of buffer order");
            }
            any_event = 1;
            last_buffer = item.buffer, last_base = item.buffer_offset, last_offset = item.offset;
            events++;
            event_findings += item.findings != 0;
        } else {
            FUZZ_ASSERT_MSG(item.kind == HEAPEV_ETL_ITEM_CONTAINER, "unknown item kind");
            FUZZ_ASSERT_MSG(item.findings != 0 && (item.findings & ~ETL_FINDINGS) == 0,
                            "container item without etl_* findings");
            heapev_findings d = heapev_findings_defects(item.findings);
            notes += heapev_findings_count(item.findings & ~d);
            if (d != 0)
                defect_items++;
            else
                note_items++;
            if (item.findings & HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH)) {
                FUZZ_ASSERT_MSG(item.findings == HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH) &&
                                    item.buffer == 0 && item.offset == HDR && !item.decompressed,
                                "etl_buffers_written_mismatch not alone at buffer 0, offset 72");
                ended = 1;
            }
        }
    }
    FUZZ_ASSERT(st == HEAPEV_ETL_END);
    FUZZ_ASSERT_MSG(next_shared(&walk, &shared, copy, size, &ws) == HEAPEV_ETL_END,
                    "report_skipped added items");
    FUZZ_ASSERT_MSG(heapev_etl_next(&reader, &item) == HEAPEV_ETL_END, "END is not final");
    check_canaries();

    const heapev_etl_stats *stats = heapev_etl_reader_stats(&reader);
    FUZZ_ASSERT_MSG(stats->events + stats->container_items + note_items == items,
                    "events + container items with defects + note-only items != items");
    FUZZ_ASSERT_MSG(stats->events == events && stats->event_findings == event_findings,
                    "event counters disagree with the events returned");
    FUZZ_ASSERT_MSG(stats->container_items == defect_items,
                    "container_items is not the number of container items with a defect");
    FUZZ_ASSERT_MSG(stats->findings == defects, "findings is not the defects returned");
    FUZZ_ASSERT_MSG(stats->notes == notes, "notes is not the note findings returned");
    FUZZ_ASSERT_MSG(decompressed_buffers <= stats->decompressed &&
                        stats->decompressed <= stats->buffers,
                    "decompressed counter out of range");
    /* The note: exactly for an unfinished log, which has no buffer count to miss. */
    const heapev_etl_logfile *lf = heapev_etl_reader_logfile(&reader);
    int unfinished = lf->present && lf->unfinished;
    FUZZ_ASSERT_MSG(notes == (unfinished ? 1u : 0u), "etl_log_unfinished not once per unfinished log");
    FUZZ_ASSERT_MSG(!(unfinished && ended), "buffer count checked in an unfinished log");
    FUZZ_ASSERT_MSG(!lf->unfinished || (lf->buffers_written == 0 && lf->end_time == 0),
                    "unfinished without BuffersWritten and EndTime 0");
    FUZZ_ASSERT_MSG(lf->compressed == ((lf->log_file_mode & HEAPEV_LOGFILE_MODE_COMPRESSED) != 0),
                    "compressed is not LogFileMode's bit");
    FUZZ_ASSERT_MSG(stats->decompressed == 0 || (lf->present && lf->compressed),
                    "a buffer decompressed in a trace without the compressed mode");
    /* The lockstep reader: the same counters, its own items accounted for. */
    FUZZ_ASSERT(fuzz_memcmp(stats, heapev_etl_reader_stats(&walk), sizeof *stats) == 0);
    FUZZ_ASSERT_MSG(ws.skipped == stats->skipped, "SKIPPED items != stats.skipped");
    FUZZ_ASSERT_MSG(ws.records_ends ==
                        (heapev_etl_reader_buffer_size(&walk) != 0 ? stats->buffers : 0),
                    "not one RECORDS_END per buffer opened");
    return 0;
}
