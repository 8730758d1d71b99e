/*
 * etl_read.c - streaming .etl reader: buffer by buffer, record by record.
 *
 * No allocation, no global state; every load is an explicit little-endian
 * load (le.h) bounded by the bytes the fetch function returned (or, for a
 * compressed buffer, the bytes libfwnt decompressed into the caller's
 * scratch memory). Each step moves the cursor forward (records by at least
 * 8 bytes, buffers by the fixed stride or by a chained BufferSize of at
 * least 72), so the walk always ends. Rules: heapev/etl.h, docs/ETL.md.
 */
#include "heapev/etl.h"

#include <errno.h>
#include <libfwnt.h>
#include <string.h>

#include "heapev/le.h"


enum { STAGE_START, STAGE_RECORDS, STAGE_NEXT, STAGE_FINISH, STAGE_END, STAGE_IO_ERROR, STAGE_PAUSED };

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
    if (offset < r->mem_offset || offset - r->mem_offset >= r->mem_len)
        return r->mem; /* may be NULL for an empty image: not an error */
    offset -= r->mem_offset;
    size_t left = r->mem_len - (size_t)offset;
    *got = len < left ? len : left;
    return r->mem + offset;
}

static int stdio_skip(heapev_etl_stdio *s, uint64_t n)
{
    errno = 0;
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
            return s->error = errno != 0 ? errno : EIO, NULL;
        if (rc > 0)
            return s->buf;
    }
    if (s->have < len) {
        errno = 0;
        s->have += fread(s->buf + s->have, 1, len - s->have, s->file);
        if (ferror(s->file))
            return s->error = errno != 0 ? errno : EIO, NULL;
    }
    *got = s->have < len ? s->have : len;
    return s->buf;
}

/* ---- reader plumbing --------------------------------------------------- */

/* Zero limits take their defaults, each on its own. */
static void default_limits(heapev_limits *l)
{
    heapev_limits d = heapev_limits_default();
    if (l->user_max_32 == 0 && l->user_max_64 == 0)
        l->user_max_32 = d.user_max_32, l->user_max_64 = d.user_max_64;
    if (l->user_max_wow64 == 0)
        l->user_max_wow64 = d.user_max_wow64;
}

void heapev_etl_reader_init(heapev_etl_reader *r, const heapev_etl_read_options *opts,
                            heapev_etl_fetch_fn fetch, void *ctx)
{
    memset(r, 0, sizeof *r);
    if (opts != NULL)
        r->opts = *opts;
    default_limits(&r->opts.limits);
    r->wow64_limits = r->opts.limits;
    r->wow64_limits.user_max_32 = r->opts.limits.user_max_wow64;
    if (r->opts.max_buffer_size == 0 || r->opts.max_buffer_size > HEAPEV_ETL_MAX_BUFFER_SIZE)
        r->opts.max_buffer_size = HEAPEV_ETL_MAX_BUFFER_SIZE;
    if (r->opts.scratch == NULL ||
        r->opts.scratch_size < HEAPEV_ETL_SCRATCH_SIZE(r->opts.max_buffer_size))
        r->opts.scratch = NULL, r->opts.scratch_size = 0;
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

const uint8_t *heapev_etl_reader_buffer(const heapev_etl_reader *r, size_t *len)
{
    *len = r->buf != NULL ? r->got : 0;
    return r->buf;
}

uint32_t heapev_etl_reader_buffer_length(const heapev_etl_reader *r)
{
    return r->size;
}

int heapev_etl_reader_decompressed(const heapev_etl_reader *r)
{
    return r->decompressed;
}

const heapev_limits *heapev_etl_reader_limits(const heapev_etl_reader *r, uint8_t header_type)
{
    int wow64 = r->psize == 8 && heapev_header_type_width(header_type) == 4; /* a 32-bit process */
    return wow64 ? &r->wow64_limits : &r->opts.limits;
}

/* Does @p offset lie among the decompressed records (not in the header) of the current buffer? */
static int in_image(const heapev_etl_reader *r, uint64_t offset)
{
    return r->decompressed && offset - r->base >= HEAPEV_ETL_BUFFER_HEADER_SIZE;
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
    r->pending[slot].base = r->base;
    r->pending[slot].decompressed = in_image(r, offset);
    r->pending[slot].offset = offset;
    r->pending[slot].findings |= f;
}

/* Set the fields every item has: kind, buffer, its offset, place. */
static void item_place(const heapev_etl_reader *r, heapev_etl_item *item,
                       heapev_etl_item_kind kind, uint64_t offset)
{
    item->kind = kind;
    item->buffer = r->index;
    item->buffer_offset = r->base;
    item->offset = offset;
    item->decompressed = (uint8_t)in_image(r, offset);
}

/* An item of the current buffer at file offset @p offset (zeroed otherwise). */
static void item_at(const heapev_etl_reader *r, heapev_etl_item *item, heapev_etl_item_kind kind,
                    uint64_t offset)
{
    memset(item, 0, sizeof *item);
    item_place(r, item, kind, offset);
}

static int pop_pending(heapev_etl_reader *r, heapev_etl_item *item)
{
    if (r->next_pending >= r->npending) {
        r->npending = r->next_pending = 0;
        return 0;
    }
    item_at(r, item, HEAPEV_ETL_ITEM_CONTAINER, r->pending[r->next_pending].offset);
    item->buffer = r->pending[r->next_pending].buffer;
    item->buffer_offset = r->pending[r->next_pending].base;
    item->decompressed = (uint8_t)r->pending[r->next_pending].decompressed;
    item->findings = r->pending[r->next_pending].findings;
    memset(&r->pending[r->next_pending], 0, sizeof r->pending[0]);
    r->next_pending++;
    heapev_findings defects = heapev_findings_defects(item->findings);
    r->stats.container_items += defects != 0;
    r->stats.findings += heapev_findings_count(defects);
    r->stats.notes += heapev_findings_count(item->findings & ~defects);
    return 1;
}

static int fetch(heapev_etl_reader *r, uint64_t offset, size_t len)
{
    r->buf = r->fetch(r->ctx, offset, len, &r->got);
    r->decompressed = 0;
    if (r->buf == NULL && r->fetch != memory_fetch) { /* whatever *got says */
        r->stage = STAGE_IO_ERROR;
        return -1;
    }
    if (r->got > len)
        r->got = len;
    r->at_eof = r->got < len;
    return 0;
}

/* A BufferSize a fixed-size trace can use as its stride. */
static int size_valid(const heapev_etl_reader *r, uint32_t size)
{
    return size != 0 && size % HEAPEV_ETL_RECORD_ALIGN == 0 &&
           size >= HEAPEV_ETL_BUFFER_HEADER_SIZE && size <= r->opts.max_buffer_size;
}

/* A BufferSize a compressed trace can chain by (its own length: any, from 72). */
static int chain_size_valid(const heapev_etl_reader *r, uint32_t size)
{
    return size >= HEAPEV_ETL_BUFFER_HEADER_SIZE && size <= r->opts.max_buffer_size;
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
    if (heapev_header_type_size(type) != 0) { /* SYSTEM, COMPACT, PERFINFO */
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
    return r->got < r->full && need > r->got;
}

/* An unsteppable marker: misaligned record, or a header type we cannot step over. */
static void report_bad_marker(heapev_etl_reader *r)
{
    record_shape s;
    int misaligned = r->prev_end < r->pos && steppable_size(r, r->prev_end, &s) != 0;
    report(r, r->base + r->pos,
           misaligned ? HEAPEV_FINDING(ETL_RECORD_MISALIGNED) : HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED));
    r->pos = r->end;
}

/* Only a 64-bit header in a 32-bit trace: 32-bit headers in 64-bit traces are WOW64's. */
static heapev_findings width_check(const heapev_etl_reader *r, const record_shape *s)
{
    return r->psize == 4 && s->width == 8 ? HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH) : 0;
}

/*
 * The event of the record at r->pos. The hot path: the decoder overwrites the
 * whole event, so only the rest of the item is cleared here.
 */
static void fill_event(heapev_etl_reader *r, uint32_t size, const record_shape *s,
                       heapev_etl_item *item)
{
    item_place(r, item, HEAPEV_ETL_ITEM_EVENT, r->base + r->pos);
    memset(&item->skipped, 0, sizeof item->skipped);
    heapev_decode_record(r->buf + r->pos, size,
                         heapev_etl_reader_limits(r, r->buf[r->pos + HEAPEV_HEADER_OFF_HEADER_TYPE]),
                         &item->event, NULL);
    item->event.findings |= width_check(r, s);
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
    item_at(r, item, HEAPEV_ETL_ITEM_SKIPPED, r->skip_offset);
    item->skipped = r->skip;
    r->skip_ready = 0;
    return 1;
}

/* With report_skipped: the RECORDS_END item of the current buffer. */
static int records_end(const heapev_etl_reader *r, heapev_etl_item *item)
{
    if (!r->opts.report_skipped)
        return 0;
    item_at(r, item, HEAPEV_ETL_ITEM_RECORDS_END,
            r->base + (r->end < r->got ? r->end : r->got)); /* a short last buffer: its end */
    return 1;
}

/* Handle one steppable record of @p size; returns 1 when *item is an event. */
static int take_record(heapev_etl_reader *r, uint32_t size, const record_shape *s,
                       heapev_etl_item *item)
{
    const uint8_t *p = r->buf + r->pos;
    int produced = s->system && heapev_read_le16(p + HEAPEV_HEADER_OFF_HOOK_ID) == HEAPEV_HOOK_HEAP_ALLOC;
    if (produced) {
        fill_event(r, size, s, item);
    } else {
        report(r, r->base + r->pos, width_check(r, s));
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
            report(r, r->base + r->pos, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID));
        r->pos = r->end;
        return 0;
    }
    if (heapev_read_le32(p) == HEAPEV_ETL_FILLER_MARKER) {
        report(r, r->base + r->pos, HEAPEV_FINDING(ETL_FILLER_INSIDE_RECORDS));
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
            report(r, r->base + r->pos, HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID));
        r->pos = r->end;
        return 0;
    }
    return take_record(r, size, &s, item);
}

/* ---- buffer headers ---------------------------------------------------- */

/*
 * Decompress the records of the compressed buffer in r->buf (Offset @p offset)
 * into the scratch memory, behind a copy of its header; on success r->buf
 * is that image. Returns the findings that keep its records unread.
 *
 * libfwnt (20181227) is handed what it needs to stay in bounds: it reads a
 * whole 4-byte flag word even where fewer bytes remain, and its match copy
 * may write one byte past the room it is given. So the compressed bytes are
 * copied behind the image with zero padding, and the room it gets ends one
 * byte before memory does. Scratch layout (HEAPEV_ETL_SCRATCH_SIZE):
 * [header 72][room: max - 72 + SLACK][1 spare][input copy: max - 72][PAD].
 * libfwnt may fill only Offset - 72 + SLACK bytes of the room, so the work a
 * buffer costs is bounded by what its Offset declares; a stream that would
 * produce more fails there (etl_decompress_failed).
 */
static heapev_findings decompress(heapev_etl_reader *r, uint32_t offset)
{
    uint32_t max = r->opts.max_buffer_size;
    uint32_t cap = r->logfile.buffer_size >= HEAPEV_ETL_BUFFER_HEADER_SIZE &&
                           r->logfile.buffer_size < max
                       ? r->logfile.buffer_size : max;
    if (offset < HEAPEV_ETL_BUFFER_HEADER_SIZE || offset > cap)
        return HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID);
    size_t in = r->got - HEAPEV_ETL_BUFFER_HEADER_SIZE; /* <= max - 72: BufferSize <= max */
    size_t room = (size_t)max - HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_ETL_SCRATCH_SLACK;
    uint8_t *img = r->opts.scratch;
    uint8_t *copy = img + HEAPEV_ETL_BUFFER_HEADER_SIZE + room + 1u;
    /* Decompress no further than Offset says (and a little): a small stream may expand a lot. */
    size_t out = (size_t)offset - HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_ETL_SCRATCH_SLACK;
    memcpy(copy, r->buf + HEAPEV_ETL_BUFFER_HEADER_SIZE, in);
    memset(copy + in, 0, HEAPEV_ETL_SCRATCH_PAD);
    if (in == 0)
        out = 0; /* nothing compressed: nothing to decompress */
    else if (libfwnt_lzxpress_decompress(copy, in, img + HEAPEV_ETL_BUFFER_HEADER_SIZE, &out,
                                         NULL) != 1)
        return HEAPEV_FINDING(ETL_DECOMPRESS_FAILED);
    if (out != offset - HEAPEV_ETL_BUFFER_HEADER_SIZE)
        return HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH);
    memcpy(img, r->buf, HEAPEV_ETL_BUFFER_HEADER_SIZE);
    r->buf = img;
    r->got = r->full = r->end = offset;
    r->decompressed = 1;
    r->stats.decompressed++;
    return 0;
}

/* SavedOffset against Offset: equal in data buffers, 0 or at most Offset in the header buffer. */
static heapev_findings saved_offset_check(const heapev_etl_reader *r, uint32_t saved, uint32_t offset)
{
    if (r->index == 0)
        return saved != 0 && saved > offset ? HEAPEV_FINDING(ETL_OFFSET_MISMATCH) : 0;
    return saved != offset ? HEAPEV_FINDING(ETL_OFFSET_MISMATCH) : 0;
}

/* Set the record range of the buffer at r->buf; returns what keeps its records unread. */
static heapev_findings record_range(heapev_etl_reader *r, uint32_t offset, uint16_t flags)
{
    if (flags & HEAPEV_ETL_BUFFER_FLAG_COMPRESSED) {
        if (!r->chained || r->index == 0 || r->opts.scratch == NULL)
            return HEAPEV_FINDING(ETL_BUFFER_COMPRESSED);
        return decompress(r, offset);
    }
    if (offset < HEAPEV_ETL_BUFFER_HEADER_SIZE || offset > r->full)
        return HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID);
    r->end = offset < r->got ? offset : (uint32_t)r->got;
    return 0;
}

/* Check the header of the buffer at r->buf (r->size bytes in the file) and set the record range. */
static heapev_findings open_buffer(heapev_etl_reader *r)
{
    const uint8_t *p = r->buf;
    heapev_findings f = 0;
    r->stats.buffers++;
    r->full = r->size;
    r->pos = r->end = r->prev_end = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    if (r->got < HEAPEV_ETL_BUFFER_HEADER_SIZE)
        return HEAPEV_FINDING(ETL_TRUNCATED_FILE);
    if (r->chained && r->index > 0 && !chain_size_valid(r, r->size)) {
        r->size = 0; /* the chain ends here: no later buffer can be placed */
        return HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID);
    }
    uint32_t offset = heapev_read_le32(p + HEAPEV_ETL_BUF_OFF_OFFSET);
    if (r->got < r->size)
        f |= r->chained && r->index > 0 ? HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE) : HEAPEV_FINDING(ETL_TRUNCATED_FILE);
    if ((!r->chained || r->index == 0) &&
        heapev_read_le32(p + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE) != r->stride) {
        f |= HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID);
        if (r->chained) /* buffer 0's own length unknown: no later buffer can be placed */
            r->size = 0;
    }
    f |= saved_offset_check(r, heapev_read_le32(p + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET), offset);
    if (f & HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE))
        return f; /* its compressed bytes are cut, or its BufferSize wrong: not read */
    return f | record_range(r, offset, heapev_read_le16(p + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG));
}

/* ---- the logfile header (buffer 0) ------------------------------------- */

/*
 * Is there a logfile header record (SYSTEM, COMPACT or PERFINFO header,
 * HookId 0) at offset 72 of @p p (@p n bytes)? Sets its header size and Size.
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

/* The fields every later rule needs: sizes, mode, counts, times. */
static void read_logfile_basics(heapev_etl_logfile *lf, const uint8_t *q)
{
    lf->present = 1;
    lf->buffer_size = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_BUFFER_SIZE);
    lf->log_file_mode = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE);
    lf->buffers_written = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN);
    lf->pointer_size = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_POINTER_SIZE);
    lf->end_time = (int64_t)heapev_read_le64(q + HEAPEV_LOGFILE_OFF_END_TIME);
    lf->compressed = (lf->log_file_mode & HEAPEV_LOGFILE_MODE_COMPRESSED) != 0;
    lf->unfinished = lf->buffers_written == 0 && lf->end_time == 0;
}

/* Read the fixed part of the logfile header payload at @p q (@p len bytes). */
static heapev_findings read_logfile_fields(heapev_etl_reader *r, const uint8_t *q, size_t len)
{
    heapev_etl_logfile *lf = &r->logfile;
    if (len < HEAPEV_LOGFILE_OFF_POINTER_SIZE + 4u)
        return HEAPEV_FINDING(ETL_LOGFILE_HEADER_SHORT);
    read_logfile_basics(lf, q);
    r->chained = lf->compressed;
    heapev_findings f = lf->unfinished ? HEAPEV_FINDING(ETL_LOG_UNFINISHED) : 0;
    if (!r->chained && lf->buffer_size != r->stride)
        f |= HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID);
    unsigned ps = lf->pointer_size;
    if (ps != 4 && ps != 8)
        return f | HEAPEV_FINDING(ETL_POINTER_SIZE_INVALID);
    r->psize = ps;
    if (len < HEAPEV_LOGFILE_FIXED_SIZE(ps) ||
        !names_terminated(q, HEAPEV_LOGFILE_FIXED_SIZE(ps), len))
        return f | HEAPEV_FINDING(ETL_LOGFILE_HEADER_SHORT);
    lf->start_time = (int64_t)heapev_read_le64(q + HEAPEV_LOGFILE_OFF_START_TIME(ps));
    lf->perf_freq = (int64_t)heapev_read_le64(q + HEAPEV_LOGFILE_OFF_PERF_FREQ(ps));
    lf->clock_type = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_RESERVED_FLAGS(ps));
    lf->cpu_speed_mhz = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_CPU_SPEED);
    lf->clock_known = 1;
    return f;
}

/*
 * Parse the logfile header at offset 72 of buffer 0; returns its findings
 * (reported at 72), sets *next to where the records after it start and
 * *rec_end to where it ends (72 when there is none).
 */
static heapev_findings parse_logfile(heapev_etl_reader *r, uint32_t *next, uint32_t *rec_end)
{
    unsigned hsize = 0, size = 0;
    size_t limit = r->got < r->stride ? r->got : r->stride;
    uint32_t at = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    *next = *rec_end = at;
    if (!find_logfile_header(r->buf, limit, &hsize, &size))
        return cut_before(r, at + HEAPEV_HEADER_SIZE_COMPACT) ? 0 : HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER);
    if (size < hsize || at + size > limit) {
        *next = UINT32_MAX; /* no record can be read after it */
        if (size >= hsize && cut_before(r, (uint64_t)at + size))
            return 0;
        return HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID) | HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER);
    }
    heapev_findings f = read_logfile_fields(r, r->buf + at + hsize, size - hsize);
    unsigned time_at = heapev_header_type_time_offset(r->buf[at + HEAPEV_HEADER_OFF_HEADER_TYPE]);
    if (time_at != 0) /* the clock's reading when the session started (at StartTime) */
        r->logfile.start_stamp = (int64_t)heapev_read_le64(r->buf + at + time_at);
    record_shape s = {HEAPEV_HEADER_OFF_SIZE, hsize,
                      heapev_header_type_width(r->buf[at + HEAPEV_HEADER_OFF_HEADER_TYPE]), 1};
    *rec_end = at + size;
    *next = HEAPEV_ETL_ALIGN(at + size);
    return f | width_check(r, &s);
}

/* Decide buffer 0's size (its BufferSize, else the logfile's); 0 if neither is valid. */
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

/* Buffer 0: its header, then the logfile header (whose LogFileMode the header checks need). */
static void open_header_buffer(heapev_etl_reader *r)
{
    uint32_t next, rec_end;
    r->size = r->full = r->stride;
    heapev_findings lf = parse_logfile(r, &next, &rec_end);
    report(r, 0, open_buffer(r));
    report(r, HEAPEV_ETL_BUFFER_HEADER_SIZE, lf);
    if (r->end > HEAPEV_ETL_BUFFER_HEADER_SIZE) { /* the header checks let the records be read */
        r->pos = next < r->end ? next : r->end;
        r->prev_end = rec_end;
    }
}

static void start_file(heapev_etl_reader *r)
{
    r->stage = STAGE_FINISH;
    if (fetch(r, 0, HEAPEV_ETL_BUFFER_HEADER_SIZE) != 0)
        return;
    if (r->got == 0) {
        report(r, 0, HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER));
        r->stage = STAGE_END;
        return;
    }
    if (r->got < HEAPEV_ETL_BUFFER_HEADER_SIZE) {
        r->stats.buffers++;
        report(r, 0, HEAPEV_FINDING(ETL_TRUNCATED_FILE));
        r->stage = STAGE_END;
        return;
    }
    r->stride = choose_stride(r);
    if (r->stage == STAGE_IO_ERROR)
        return;
    if (r->stride == 0) {
        r->stats.buffers++;
        report(r, 0, HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID));
        r->stage = STAGE_END;
        return;
    }
    if (fetch(r, 0, r->stride) != 0)
        return;
    open_header_buffer(r);
    r->stage = STAGE_RECORDS;
}

/* Make the buffer at @p base (@p size bytes in the file, r->buf fetched) the current one. */
static void enter_buffer(heapev_etl_reader *r, uint64_t base, uint32_t size)
{
    r->index++;
    r->base = base;
    r->size = size;
    report(r, base, open_buffer(r));
    r->stage = STAGE_RECORDS;
}

/* Compressed trace: the next buffer starts where the current one ends, its own size long. */
static void next_chained(heapev_etl_reader *r)
{
    if (r->at_eof || r->size == 0) /* the file ended in it, or it has no usable size */
        return;
    uint64_t base = r->base + r->size;
    if (fetch(r, base, HEAPEV_ETL_BUFFER_HEADER_SIZE) != 0 || r->got == 0)
        return;
    uint32_t size = HEAPEV_ETL_BUFFER_HEADER_SIZE; /* a header cut short: truncated */
    if (r->got == HEAPEV_ETL_BUFFER_HEADER_SIZE) {
        size = heapev_read_le32(r->buf + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE);
        if (chain_size_valid(r, size) && fetch(r, base, size) != 0)
            return;
    }
    enter_buffer(r, base, size);
}

static void next_buffer(heapev_etl_reader *r)
{
    if (r->pause_at != 0 && r->index + 1 >= r->pause_at) {
        r->stage = STAGE_PAUSED;
        return;
    }
    r->stage = STAGE_FINISH;
    if (r->chained) {
        next_chained(r);
        return;
    }
    uint64_t base = r->base + r->stride;
    if (fetch(r, base, r->stride) != 0 || r->got == 0)
        return;
    enter_buffer(r, base, r->stride);
}

static void finish_file(heapev_etl_reader *r)
{
    const heapev_etl_logfile *lf = &r->logfile;
    if (!r->segment && lf->present && !lf->unfinished && lf->buffers_written != r->stats.buffers) {
        r->index = r->base = 0; /* attributed to buffer 0, where the field lives */
        r->decompressed = 0;
        report(r, HEAPEV_ETL_BUFFER_HEADER_SIZE, HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH));
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
        case STAGE_PAUSED: return HEAPEV_ETL_END;
        default: return HEAPEV_ETL_END;
        }
    }
}

/* ---- segments ------------------------------------------------------------ */

void heapev_etl_reader_pause_at(heapev_etl_reader *r, uint64_t buffer)
{
    r->pause_at = buffer;
}

int heapev_etl_reader_paused(const heapev_etl_reader *r)
{
    return r->stage == STAGE_PAUSED;
}

void heapev_etl_reader_unpause(heapev_etl_reader *r)
{
    r->pause_at = 0;
    if (r->stage == STAGE_PAUSED)
        r->stage = STAGE_NEXT;
}

int heapev_etl_reader_segmentable(const heapev_etl_reader *head)
{
    return head->stage == STAGE_PAUSED && head->index == 0 && !head->chained && head->stride != 0;
}

int heapev_etl_reader_init_segment(heapev_etl_reader *seg, const heapev_etl_reader *head,
                                   uint64_t first, uint64_t count, const void *data, size_t len,
                                   uint64_t data_offset)
{
    if (!heapev_etl_reader_segmentable(head) || first == 0)
        return -1;
    *seg = *head; /* options, limits, stride, PointerSize, the logfile header */
    memset(&seg->stats, 0, sizeof seg->stats);
    seg->opts.scratch = NULL, seg->opts.scratch_size = 0; /* fixed-size: never decompresses */
    seg->fetch = memory_fetch;
    seg->ctx = seg;
    seg->mem = data;
    seg->mem_len = data != NULL ? len : 0;
    seg->mem_offset = data_offset;
    seg->buf = NULL, seg->got = 0;
    seg->index = first - 1; /* next_buffer() enters buffer first */
    seg->base = (first - 1) * head->stride;
    seg->pause_at = first + count;
    seg->npending = seg->next_pending = 0;
    memset(seg->pending, 0, sizeof seg->pending);
    seg->skip_ready = 0;
    seg->segment = 1;
    seg->stage = STAGE_NEXT;
    return 0;
}

void heapev_etl_reader_join(heapev_etl_reader *head, const heapev_etl_reader *seg)
{
    heapev_etl_stats *h = &head->stats;
    const heapev_etl_stats *s = &seg->stats;
    h->buffers += s->buffers;
    h->events += s->events;
    h->skipped += s->skipped;
    h->event_findings += s->event_findings;
    h->container_items += s->container_items;
    h->findings += s->findings;
    h->notes += s->notes;
    h->decompressed += s->decompressed;
}

void heapev_etl_reader_finish(heapev_etl_reader *head)
{
    head->pause_at = 0;
    if (head->stage == STAGE_PAUSED)
        head->stage = STAGE_FINISH;
}
