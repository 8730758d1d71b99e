/*
 * etl_read.c - streaming .etl reader: buffer by buffer, record by record.
 *
 * No allocation, no global state; every load is an explicit little-endian
 * load (le.h) bounded by the bytes the fetch function returned. Each step
 * moves the cursor forward (records by at least 8 bytes, buffers by the
 * fixed stride), so the walk always ends. Rules: heapev/etl.h, docs/ETL.md.
 */
#include "heapev/etl.h"

#include <errno.h>
#include <string.h>

#include "le.h"

#define BIT(sym) HEAPEV_FINDING_BIT(HEAPEV_FINDING_##sym)

enum { STAGE_START, STAGE_RECORDS, STAGE_NEXT, STAGE_FINISH, STAGE_END, STAGE_IO_ERROR };

/* How to step over a record, from its marker. */
typedef struct record_shape {
    unsigned size_off; /* offset of the u16 Size field */
    unsigned hsize;    /* header size: Size may not be smaller */
    unsigned width;    /* pointer width the header type implies, 0 if none */
    int system;        /* SYSTEM/COMPACT/PERFINFO family (HookId at offset 6) */
} record_shape;

/* ---- sources ----------------------------------------------------------- */

static const uint8_t *memory_fetch(void *ctx, uint64_t offset, size_t len, size_t *got)
{
    const heapev_etl_reader *r = ctx;
    *got = 0;
    if (offset >= r->mem_len)
        return r->mem; /* may be NULL for an empty image: not an error */
    size_t left = r->mem_len - (size_t)offset;
    *got = len < left ? len : left;
    return r->mem + offset;
}

static int stdio_skip(heapev_etl_stdio *s, uint64_t n)
{
    while (n > 0) {
        size_t chunk = n < s->cap ? (size_t)n : s->cap;
        size_t k = fread(s->buf, 1, chunk, s->file);
        n -= k;
        if (k < chunk)
            return ferror(s->file) ? -1 : 1;
    }
    return 0;
}

const uint8_t *heapev_etl_stdio_fetch(void *ctx, uint64_t offset, size_t len, size_t *got)
{
    heapev_etl_stdio *s = ctx;
    *got = 0;
    if (len > s->cap || offset < s->start) {
        s->error = len > s->cap ? EOVERFLOW : EINVAL;
        return NULL;
    }
    if (offset != s->start) { /* a later buffer: drop what we hold, skip the gap */
        uint64_t gap = offset - s->start - s->have;
        if (offset < s->start + s->have) {
            s->error = EINVAL;
            return NULL;
        }
        s->start = offset;
        s->have = 0;
        int rc = stdio_skip(s, gap);
        if (rc < 0)
            return s->error = EIO, NULL;
        if (rc > 0)
            return s->buf;
    }
    if (s->have < len) {
        s->have += fread(s->buf + s->have, 1, len - s->have, s->file);
        if (ferror(s->file))
            return s->error = EIO, NULL;
    }
    *got = s->have < len ? s->have : len;
    return s->buf;
}

/* ---- reader plumbing --------------------------------------------------- */

static int limits_unset(const heapev_limits *l)
{
    return l->user_max_32 == 0 && l->user_max_64 == 0;
}

void heapev_etl_reader_init(heapev_etl_reader *r, const heapev_etl_read_options *opts,
                            heapev_etl_fetch_fn fetch, void *ctx)
{
    memset(r, 0, sizeof *r);
    if (opts != NULL)
        r->opts = *opts;
    if (limits_unset(&r->opts.limits))
        r->opts.limits = heapev_limits_default();
    if (r->opts.max_buffer_size == 0 || r->opts.max_buffer_size > HEAPEV_ETL_MAX_BUFFER_SIZE)
        r->opts.max_buffer_size = HEAPEV_ETL_MAX_BUFFER_SIZE;
    r->fetch = fetch;
    r->ctx = ctx;
    r->stage = STAGE_START;
}

void heapev_etl_reader_init_memory(heapev_etl_reader *r, const heapev_etl_read_options *opts,
                                   const void *data, size_t len)
{
    heapev_etl_reader_init(r, opts, memory_fetch, NULL);
    r->ctx = r;
    r->mem = data;
    r->mem_len = data != NULL ? len : 0;
}

const heapev_etl_stats *heapev_etl_reader_stats(const heapev_etl_reader *r)
{
    return &r->stats;
}

const heapev_etl_logfile *heapev_etl_reader_logfile(const heapev_etl_reader *r)
{
    return &r->logfile;
}

uint32_t heapev_etl_reader_buffer_size(const heapev_etl_reader *r)
{
    return r->stride;
}

/*
 * Queue container findings at a file offset of the current buffer. The queue
 * is empty before each step of heapev_etl_next(), and no step reports twice
 * at one offset (the most is start_file(): buffer 0's header at 0, the
 * logfile header at 72), so every report is an item of its own.
 */
static void report(heapev_etl_reader *r, uint64_t offset, heapev_findings f)
{
    if (f == 0)
        return;
    unsigned slot = r->npending < 4 ? r->npending++ : 3u; /* never more than 2 at once */
    r->pending[slot].buffer = r->index;
    r->pending[slot].offset = offset;
    r->pending[slot].findings |= f;
}

static int pop_pending(heapev_etl_reader *r, heapev_etl_item *item)
{
    if (r->next_pending >= r->npending) {
        r->npending = r->next_pending = 0;
        return 0;
    }
    memset(item, 0, sizeof *item);
    item->kind = HEAPEV_ETL_ITEM_CONTAINER;
    item->buffer = r->pending[r->next_pending].buffer;
    item->offset = r->pending[r->next_pending].offset;
    item->findings = r->pending[r->next_pending].findings;
    memset(&r->pending[r->next_pending], 0, sizeof r->pending[0]);
    r->next_pending++;
    r->stats.container_items++;
    r->stats.findings += heapev_findings_count(item->findings);
    return 1;
}

static int fetch(heapev_etl_reader *r, uint64_t offset, size_t len)
{
    r->buf = r->fetch(r->ctx, offset, len, &r->got);
    if (r->buf == NULL && r->fetch != memory_fetch) { /* whatever *got says */
        r->stage = STAGE_IO_ERROR;
        return -1;
    }
    if (r->got > len)
        r->got = len;
    return 0;
}

static int size_valid(const heapev_etl_reader *r, uint32_t size)
{
    return size != 0 && size % HEAPEV_ETL_RECORD_ALIGN == 0 &&
           size >= HEAPEV_ETL_BUFFER_HEADER_SIZE && size <= r->opts.max_buffer_size;
}

/* ---- records ----------------------------------------------------------- */

/* Shapes of headers whose Size sits at offset 0. */
static int start_sized_shape(uint8_t type, record_shape *s)
{
    switch (type) {
    case HEAPEV_HEADER_TYPE_FULL_HEADER32: *s = (record_shape){0, HEAPEV_HEADER_SIZE_FULL, 4, 0}; return 1;
    case HEAPEV_HEADER_TYPE_FULL_HEADER64: *s = (record_shape){0, HEAPEV_HEADER_SIZE_FULL, 8, 0}; return 1;
    case HEAPEV_HEADER_TYPE_INSTANCE32: *s = (record_shape){0, HEAPEV_HEADER_SIZE_INSTANCE, 4, 0}; return 1;
    case HEAPEV_HEADER_TYPE_INSTANCE64: *s = (record_shape){0, HEAPEV_HEADER_SIZE_INSTANCE, 8, 0}; return 1;
    case HEAPEV_HEADER_TYPE_EVENT_HEADER32:
        *s = (record_shape){0, HEAPEV_HEADER_SIZE_EVENT_HEADER, 4, 0};
        return 1;
    case HEAPEV_HEADER_TYPE_EVENT_HEADER64:
        *s = (record_shape){0, HEAPEV_HEADER_SIZE_EVENT_HEADER, 8, 0};
        return 1;
    default: return 0;
    }
}

/* Classify the marker at @p p (4 bytes readable). 0 when it cannot be stepped over. */
static int record_shape_of(const uint8_t *p, record_shape *s)
{
    uint8_t flags = p[HEAPEV_HEADER_OFF_FLAGS], type = p[HEAPEV_HEADER_OFF_HEADER_TYPE];
    if (flags == HEAPEV_ETL_MARKER_FLAGS_MESSAGE) {
        *s = (record_shape){HEAPEV_HEADER_OFF_SIZE_AT_START, HEAPEV_HEADER_SIZE_MESSAGE, 0, 0};
        return 1;
    }
    if (flags != HEAPEV_ETL_MARKER_FLAGS_HEADER)
        return 0;
    if (type == HEAPEV_HEADER_TYPE_PERFINFO32 || type == HEAPEV_HEADER_TYPE_PERFINFO64) {
        *s = (record_shape){HEAPEV_HEADER_OFF_SIZE, HEAPEV_HEADER_SIZE_PERFINFO,
                            type == HEAPEV_HEADER_TYPE_PERFINFO32 ? 4u : 8u, 1};
        return 1;
    }
    if (heapev_header_type_size(type) != 0) {
        *s = (record_shape){HEAPEV_HEADER_OFF_SIZE, heapev_header_type_size(type),
                            heapev_header_type_width(type), 1};
        return 1;
    }
    return start_sized_shape(type, s);
}

/* Size of the record at buffer offset @p at when it can be stepped over inside end, else 0. */
static uint32_t steppable_size(const heapev_etl_reader *r, uint32_t at, record_shape *s)
{
    if (r->end - at < HEAPEV_HEADER_OFF_HOOK_ID || !record_shape_of(r->buf + at, s))
        return 0;
    uint32_t size = heapev_read_le16(r->buf + at + s->size_off);
    return size >= s->hsize && size <= r->end - at ? size : 0;
}

/* The buffer was cut by the end of the file before @p need bytes: stop quietly. */
static int cut_before(const heapev_etl_reader *r, uint64_t need)
{
    return r->got < r->stride && need > r->got;
}

/* An unsteppable marker: misaligned record, or a header type we cannot step over. */
static void report_bad_marker(heapev_etl_reader *r)
{
    record_shape s;
    int misaligned = r->prev_end < r->pos && steppable_size(r, r->prev_end, &s) != 0;
    report(r, r->base + r->pos,
           misaligned ? BIT(ETL_RECORD_MISALIGNED) : BIT(ETL_HEADER_TYPE_UNSUPPORTED));
    r->pos = r->end;
}

static heapev_findings width_check(const heapev_etl_reader *r, const record_shape *s)
{
    return r->psize != 0 && s->width != 0 && s->width != r->psize ? BIT(ETL_POINTER_SIZE_MISMATCH)
                                                                   : 0;
}

static void fill_event(heapev_etl_reader *r, uint32_t size, heapev_findings extra,
                       heapev_etl_item *item)
{
    memset(item, 0, sizeof *item);
    item->kind = HEAPEV_ETL_ITEM_EVENT;
    item->buffer = r->index;
    item->offset = r->base + r->pos;
    heapev_decode_record(r->buf + r->pos, size, &r->opts.limits, &item->event, NULL);
    item->event.findings |= extra;
    item->findings = item->event.findings;
    r->stats.events++;
    r->stats.event_findings += item->findings != 0;
    r->stats.findings += heapev_findings_count(item->findings);
}

/* With report_skipped: hold a SKIPPED item for the record at r->pos, due after its findings. */
static void note_skipped(heapev_etl_reader *r, uint32_t size, const record_shape *s)
{
    const uint8_t *p = r->buf + r->pos;
    if (!r->opts.report_skipped)
        return;
    r->skip_ready = 1;
    r->skip_offset = r->base + r->pos;
    r->skip = (heapev_etl_skipped){size, p[HEAPEV_HEADER_OFF_HEADER_TYPE],
                                   p[HEAPEV_HEADER_OFF_FLAGS], (uint8_t)(s->system != 0),
                                   s->system ? heapev_read_le16(p + HEAPEV_HEADER_OFF_HOOK_ID) : 0};
}

static int pop_skipped(heapev_etl_reader *r, heapev_etl_item *item)
{
    if (!r->skip_ready)
        return 0;
    memset(item, 0, sizeof *item);
    item->kind = HEAPEV_ETL_ITEM_SKIPPED;
    item->buffer = r->index;
    item->offset = r->skip_offset;
    item->skipped = r->skip;
    r->skip_ready = 0;
    return 1;
}

/* With report_skipped: the RECORDS_END item of the current buffer. */
static int records_end(const heapev_etl_reader *r, heapev_etl_item *item)
{
    if (!r->opts.report_skipped)
        return 0;
    memset(item, 0, sizeof *item);
    item->kind = HEAPEV_ETL_ITEM_RECORDS_END;
    item->buffer = r->index;
    item->offset = r->base + (r->end < r->got ? r->end : r->got); /* a short last buffer: its end */
    return 1;
}

/* Handle one steppable record of @p size; returns 1 when *item is an event. */
static int take_record(heapev_etl_reader *r, uint32_t size, const record_shape *s,
                       heapev_etl_item *item)
{
    const uint8_t *p = r->buf + r->pos;
    heapev_findings extra = width_check(r, s);
    int alloc = s->system && heapev_read_le16(p + HEAPEV_HEADER_OFF_HOOK_ID) == HEAPEV_HOOK_HEAP_ALLOC;
    int produced = 0;
    if (alloc && heapev_header_type_size(p[HEAPEV_HEADER_OFF_HEADER_TYPE]) != 0) {
        fill_event(r, size, extra, item);
        produced = 1;
    } else {
        report(r, r->base + r->pos, extra | (alloc ? BIT(ETL_HEADER_TYPE_UNSUPPORTED) : 0));
        note_skipped(r, size, s);
        r->stats.skipped++;
    }
    r->prev_end = r->pos + size;
    r->pos = HEAPEV_ETL_ALIGN(r->pos + size);
    return produced;
}

/* One step through the records of the current buffer; 1 when *item is an event. */
static int step_record(heapev_etl_reader *r, heapev_etl_item *item)
{
    const uint8_t *p = r->buf + r->pos;
    record_shape s;
    if (r->end - r->pos < HEAPEV_HEADER_OFF_HOOK_ID + 2u) {
        if (!cut_before(r, (uint64_t)r->pos + HEAPEV_HEADER_OFF_HOOK_ID + 2u))
            report(r, r->base + r->pos, BIT(ETL_RECORD_SIZE_INVALID));
        r->pos = r->end;
        return 0;
    }
    if (heapev_read_le32(p) == HEAPEV_ETL_FILLER_MARKER) {
        report(r, r->base + r->pos, BIT(ETL_FILLER_INSIDE_RECORDS));
        r->pos = r->end;
        return 0;
    }
    if (!record_shape_of(p, &s)) {
        report_bad_marker(r);
        return 0;
    }
    uint32_t size = heapev_read_le16(p + s.size_off);
    if (size < s.hsize || size > r->end - r->pos) {
        if (size < s.hsize || !cut_before(r, (uint64_t)r->pos + size))
            report(r, r->base + r->pos, BIT(ETL_RECORD_SIZE_INVALID));
        r->pos = r->end;
        return 0;
    }
    return take_record(r, size, &s, item);
}

/* ---- buffer headers ---------------------------------------------------- */

/* Check the header of the buffer at r->buf and set the record range. */
static void open_buffer(heapev_etl_reader *r)
{
    const uint8_t *p = r->buf;
    heapev_findings f = 0;
    r->stats.buffers++;
    r->pos = r->end = r->prev_end = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    if (r->got < HEAPEV_ETL_BUFFER_HEADER_SIZE) {
        report(r, r->base, BIT(ETL_TRUNCATED_FILE));
        return;
    }
    uint32_t saved = heapev_read_le32(p + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET);
    if (r->got < r->stride)
        f |= BIT(ETL_TRUNCATED_FILE);
    if (heapev_read_le32(p + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE) != r->stride)
        f |= BIT(ETL_BUFFER_SIZE_INVALID);
    if (heapev_read_le32(p + HEAPEV_ETL_BUF_OFF_OFFSET) != saved)
        f |= BIT(ETL_OFFSET_MISMATCH);
    if (saved < HEAPEV_ETL_BUFFER_HEADER_SIZE || saved > r->stride)
        f |= BIT(ETL_SAVED_OFFSET_INVALID);
    else if (heapev_read_le16(p + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG) & HEAPEV_ETL_BUFFER_FLAG_COMPRESSED)
        f |= BIT(ETL_BUFFER_COMPRESSED);
    else
        r->end = saved < r->got ? saved : (uint32_t)r->got;
    report(r, r->base, f);
}

/* ---- the logfile header (buffer 0) ------------------------------------- */

/*
 * Is there a logfile header record (SYSTEM or COMPACT header, HookId 0) at
 * offset 72 of @p p (@p n bytes)? Sets its header size and Size field.
 */
static int find_logfile_header(const uint8_t *p, size_t n, unsigned *hsize, unsigned *size)
{
    const uint8_t *h = p + HEAPEV_ETL_BUFFER_HEADER_SIZE;
    if (n < HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_HEADER_SIZE_COMPACT)
        return 0;
    *hsize = heapev_header_type_size(h[HEAPEV_HEADER_OFF_HEADER_TYPE]);
    *size = heapev_read_le16(h + HEAPEV_HEADER_OFF_SIZE);
    return *hsize != 0 && h[HEAPEV_HEADER_OFF_FLAGS] == HEAPEV_ETL_MARKER_FLAGS_HEADER &&
           heapev_read_le16(h + HEAPEV_HEADER_OFF_HOOK_ID) == HEAPEV_HOOK_LOGFILE_HEADER;
}

/* BufferSize of the logfile header in the first @p n bytes, 0 when unreadable. */
static uint32_t peek_logfile_buffer_size(const uint8_t *p, size_t n)
{
    unsigned hsize = 0, size = 0;
    size_t at = HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_LOGFILE_OFF_BUFFER_SIZE;
    if (!find_logfile_header(p, n, &hsize, &size) || size < hsize + 4u || n < at + hsize + 4)
        return 0;
    return heapev_read_le32(p + at + hsize);
}

/* Both NUL-terminated UTF-16LE names lie inside [from, to). */
static int names_terminated(const uint8_t *p, size_t from, size_t to)
{
    unsigned nuls = 0;
    for (size_t i = from; i + 2 <= to && nuls < 2; i += 2)
        nuls += heapev_read_le16(p + i) == 0;
    return nuls == 2;
}

/* Read the fixed part of the logfile header payload at @p q (@p len bytes). */
static heapev_findings read_logfile_fields(heapev_etl_reader *r, const uint8_t *q, size_t len)
{
    heapev_etl_logfile *lf = &r->logfile;
    if (len < HEAPEV_LOGFILE_OFF_POINTER_SIZE + 4u)
        return BIT(ETL_LOGFILE_HEADER_SHORT);
    lf->present = 1;
    lf->buffer_size = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_BUFFER_SIZE);
    lf->buffers_written = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN);
    lf->pointer_size = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_POINTER_SIZE);
    lf->end_time = (int64_t)heapev_read_le64(q + HEAPEV_LOGFILE_OFF_END_TIME);
    heapev_findings f = lf->buffer_size != r->stride ? BIT(ETL_BUFFER_SIZE_INVALID) : 0;
    unsigned ps = lf->pointer_size;
    if (ps != 4 && ps != 8)
        return f | BIT(ETL_POINTER_SIZE_INVALID);
    r->psize = ps;
    if (len < HEAPEV_LOGFILE_FIXED_SIZE(ps) ||
        !names_terminated(q, HEAPEV_LOGFILE_FIXED_SIZE(ps), len))
        return f | BIT(ETL_LOGFILE_HEADER_SHORT);
    lf->start_time = (int64_t)heapev_read_le64(q + HEAPEV_LOGFILE_OFF_START_TIME(ps));
    return f;
}

/* Parse the logfile header at the start of buffer 0's records. */
static void parse_logfile(heapev_etl_reader *r)
{
    unsigned hsize = 0, size = 0;
    size_t limit = r->got < r->stride ? r->got : r->stride;
    uint32_t at = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    if (!find_logfile_header(r->buf, limit, &hsize, &size)) {
        if (!cut_before(r, at + HEAPEV_HEADER_SIZE_COMPACT))
            report(r, at, BIT(ETL_NO_LOGFILE_HEADER));
        return;
    }
    if (size < hsize || at + size > limit) {
        if (size < hsize || !cut_before(r, (uint64_t)at + size))
            report(r, at, BIT(ETL_RECORD_SIZE_INVALID) | BIT(ETL_NO_LOGFILE_HEADER));
        r->pos = r->end;
        return;
    }
    heapev_findings f = read_logfile_fields(r, r->buf + at + hsize, size - hsize);
    record_shape s = {HEAPEV_HEADER_OFF_SIZE, hsize,
                      heapev_header_type_width(r->buf[at + HEAPEV_HEADER_OFF_HEADER_TYPE]), 1};
    report(r, at, f | width_check(r, &s));
    r->prev_end = at + size;
    /* open_buffer() left pos at 72; end is 72 too when it skipped the records. */
    r->pos = HEAPEV_ETL_ALIGN(at + size) < r->end ? HEAPEV_ETL_ALIGN(at + size) : r->end;
}

/* Decide the stride from buffer 0 (its BufferSize, else the logfile's); 0 if neither is valid. */
static uint32_t choose_stride(heapev_etl_reader *r)
{
    uint32_t b0 = heapev_read_le32(r->buf + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE);
    if (size_valid(r, b0))
        return b0;
    size_t probe = HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_HEADER_SIZE_SYSTEM + 4u;
    if (fetch(r, 0, probe) != 0)
        return 0;
    uint32_t lf = peek_logfile_buffer_size(r->buf, r->got);
    return size_valid(r, lf) ? lf : 0;
}

static void start_file(heapev_etl_reader *r)
{
    r->stage = STAGE_FINISH;
    if (fetch(r, 0, HEAPEV_ETL_BUFFER_HEADER_SIZE) != 0)
        return;
    if (r->got == 0) {
        report(r, 0, BIT(ETL_NO_LOGFILE_HEADER));
        r->stage = STAGE_END;
        return;
    }
    if (r->got < HEAPEV_ETL_BUFFER_HEADER_SIZE) {
        r->stats.buffers++;
        report(r, 0, BIT(ETL_TRUNCATED_FILE));
        r->stage = STAGE_END;
        return;
    }
    r->stride = choose_stride(r);
    if (r->stage == STAGE_IO_ERROR)
        return;
    if (r->stride == 0) {
        r->stats.buffers++;
        report(r, 0, BIT(ETL_BUFFER_SIZE_INVALID));
        r->stage = STAGE_END;
        return;
    }
    if (fetch(r, 0, r->stride) != 0)
        return;
    open_buffer(r);
    parse_logfile(r);
    r->stage = STAGE_RECORDS;
}

static void next_buffer(heapev_etl_reader *r)
{
    uint64_t base = r->base + r->stride;
    if (fetch(r, base, r->stride) != 0)
        return;
    if (r->got == 0) {
        r->stage = STAGE_FINISH;
        return;
    }
    r->index++;
    r->base = base;
    open_buffer(r);
    r->stage = STAGE_RECORDS;
}

static void finish_file(heapev_etl_reader *r)
{
    if (r->logfile.present && r->logfile.buffers_written != r->stats.buffers) {
        r->index = 0; /* attributed to buffer 0, where the field lives */
        report(r, HEAPEV_ETL_BUFFER_HEADER_SIZE, BIT(ETL_BUFFERS_WRITTEN_MISMATCH));
    }
    r->stage = STAGE_END;
}

heapev_etl_status heapev_etl_next(heapev_etl_reader *r, heapev_etl_item *item)
{
    for (;;) {
        if (pop_pending(r, item) || pop_skipped(r, item))
            return HEAPEV_ETL_OK;
        switch (r->stage) {
        case STAGE_START: start_file(r); break;
        case STAGE_RECORDS:
            if (r->pos < r->end) {
                if (step_record(r, item))
                    return HEAPEV_ETL_OK;
                break;
            }
            r->stage = STAGE_NEXT;
            if (records_end(r, item))
                return HEAPEV_ETL_OK;
            break;
        case STAGE_NEXT: next_buffer(r); break;
        case STAGE_FINISH: finish_file(r); break;
        case STAGE_IO_ERROR: return HEAPEV_ETL_IO_ERROR;
        default: return HEAPEV_ETL_END;
        }
    }
}
