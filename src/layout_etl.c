/*
 * layout_etl.c - a whole .etl trace as labelled sections (heapev/layout_etl.h).
 *
 * Follows the reader's items (report_skipped on) and lays out lazily: each
 * item may first bring its buffer's header section and, in buffer 0, the
 * logfile header record, then its own section. The ranges come from
 * layout.c; the bytes are the reader's own view of the current buffer,
 * valid until the reader moves past that buffer's last item, which happens
 * only when the walker asks for the next item.
 */
#include "heapev/layout_etl.h"

#include <string.h>

#include "heapev/format.h"

/* What of the current item is laid out next. */
enum {
    STEP_TAKE = 0, /* nothing left: read the next item */
    STEP_HEADER,   /* the buffer header, at the buffer's first item */
    STEP_LOGFILE,  /* buffer 0's logfile header record, after its buffer header */
    STEP_ITEM,     /* the item itself */
    STEP_LATE      /* a finding about a buffer the walk has left */
};

static void walker_start(heapev_layout_etl_walker *w, uint64_t first_offset, uint64_t count)
{
    w->first_offset = first_offset;
    w->count = count;
    w->first = w->last = UINT64_MAX;
}

void heapev_layout_etl_walker_init(heapev_layout_etl_walker *w, const heapev_etl_read_options *opts,
                                   heapev_etl_fetch_fn fetch, void *ctx, uint64_t first_offset,
                                   uint64_t count)
{
    heapev_etl_read_options ro = {0};
    memset(w, 0, sizeof *w);
    if (opts != NULL)
        ro = *opts;
    ro.report_skipped = 1;
    heapev_etl_reader_init(&w->reader, &ro, fetch, ctx);
    walker_start(w, first_offset, count);
}

void heapev_layout_etl_walker_init_memory(heapev_layout_etl_walker *w,
                                          const heapev_etl_read_options *opts, const void *data,
                                          size_t len, uint64_t first_offset, uint64_t count)
{
    heapev_etl_read_options ro = {0};
    memset(w, 0, sizeof *w);
    if (opts != NULL)
        ro = *opts;
    ro.report_skipped = 1;
    heapev_etl_reader_init_memory(&w->reader, &ro, data, len);
    walker_start(w, first_offset, count);
}

uint64_t heapev_layout_etl_first_buffer(const heapev_layout_etl_walker *w)
{
    return w->first;
}

int heapev_layout_etl_offset_beyond(const heapev_layout_etl_walker *w)
{
    return w->first_offset > 0 && w->first >= heapev_etl_reader_stats(&w->reader)->buffers;
}

/* Bytes of the current buffer from @p rel on. */
static size_t avail_at(const heapev_layout_etl_walker *w, size_t rel)
{
    return rel < w->got ? w->got - rel : 0;
}

/* The current item's place in its buffer image. */
static size_t item_rel(const heapev_layout_etl_walker *w)
{
    return (size_t)(w->item.offset - w->base);
}

/* A section of @p part at @p rel of the current buffer, no ranges yet. */
static void section_at(const heapev_layout_etl_walker *w, heapev_layout_etl_section *s,
                       heapev_layout_etl_part part, size_t rel)
{
    s->part = part;
    s->buffer = w->index;
    s->buffer_offset = w->base;
    s->at = rel;
    s->offset = w->base + rel;
    s->avail = avail_at(w, rel);
    s->bytes = s->avail > 0 ? w->image + rel : NULL;
    s->n = 0;
    s->findings = s->unplaced = 0;
    s->decompressed = w->decompressed;
    s->among_decompressed = w->decompressed && rel >= HEAPEV_ETL_BUFFER_HEADER_SIZE;
    s->buffer_length = w->length;
    s->image_length = w->got;
    s->item = w->item;
}

/* Close a section: @p f (the findings it lays out) minus what its ranges took is unplaced. */
static int section_done(heapev_layout_etl_section *s, heapev_findings f)
{
    heapev_findings placed = 0;
    for (size_t i = 0; i < s->n; i++)
        placed |= s->ranges[i].findings;
    s->unplaced = f & ~placed;
    s->findings = placed | s->unplaced;
    return 1;
}

/* The ranges a layout wrote into room for @p cap (layout.h: always all of them). */
static size_t fit(size_t n, size_t cap)
{
    return n < cap ? n : cap;
}

/* Keep a record layout's SYSTEM_TRACE_HEADER fields only. */
static void keep_header_fields(heapev_layout_etl_section *s)
{
    while (s->n > 0 && !heapev_field_in_header(s->ranges[s->n - 1].field))
        s->n--;
}

/*
 * The first item of buffer it->buffer: the window starts with the buffer
 * holding first_offset (the first whose bytes reach past it, or whose
 * length is unknown), then count of them.
 */
static void begin_buffer(heapev_layout_etl_walker *w)
{
    const heapev_etl_item *it = &w->item;
    w->length = heapev_etl_reader_buffer_length(&w->reader);
    uint64_t end = it->buffer_offset + w->length;
    if (w->first == UINT64_MAX && (end > w->first_offset || end == it->buffer_offset)) {
        w->first = it->buffer;
        w->last = w->count != 0 && w->first <= UINT64_MAX - w->count ? w->first + w->count
                                                                      : UINT64_MAX;
    }
    w->started = 1;
    w->ended = 0;
    w->index = it->buffer;
    w->base = it->buffer_offset;
    w->image = heapev_etl_reader_buffer(&w->reader, &w->got);
    w->decompressed = heapev_etl_reader_decompressed(&w->reader);
    w->shows = w->first != UINT64_MAX && it->buffer < w->last; /* buffers come in order */
    w->header_done = w->logfile_done = 0;
}

/* Read the next item and decide what comes of it; END past the window. */
static heapev_etl_status take_item(heapev_layout_etl_walker *w)
{
    if (w->done)
        return HEAPEV_ETL_END;
    heapev_etl_status st = heapev_etl_next(&w->reader, &w->item);
    if (st == HEAPEV_ETL_END)
        w->done = 1;
    if (st != HEAPEV_ETL_OK)
        return st;
    const heapev_etl_item *it = &w->item;
    if (w->started && it->buffer >= w->last && w->first != 0) {
        w->done = 1; /* past the window; only buffer 0 needs the end of the file */
        return HEAPEV_ETL_END;
    }
    if (w->started && (it->buffer < w->index || (it->buffer == w->index && w->ended))) {
        w->step = STEP_LATE; /* the reader has moved past the buffer it is about */
        return HEAPEV_ETL_OK;
    }
    if (!w->started || it->buffer != w->index)
        begin_buffer(w);
    if (it->kind == HEAPEV_ETL_ITEM_RECORDS_END)
        w->ended = 1;
    w->step = STEP_HEADER;
    return HEAPEV_ETL_OK;
}

/* The buffer header, once per buffer, with the findings @p f about it. */
static int lay_header(heapev_layout_etl_walker *w, heapev_findings f, heapev_layout_etl_section *s)
{
    if (w->header_done)
        return 0;
    w->header_done = 1;
    if (!w->shows)
        return 0;
    section_at(w, s, HEAPEV_LAYOUT_ETL_BUFFER_HEADER, 0);
    if (w->got > 0)
        s->n = fit(heapev_layout_etl_buffer(w->image, w->got, f, s->ranges,
                                            HEAPEV_LAYOUT_ETL_MAX_RANGES),
                   HEAPEV_LAYOUT_ETL_MAX_RANGES);
    return section_done(s, f);
}

/*
 * Buffer 0's first record at 72, with the findings @p f about it: laid out
 * (and its BuffersWritten kept for a late finding) whether shown or not.
 */
static int lay_logfile(heapev_layout_etl_walker *w, heapev_findings f, heapev_layout_etl_section *s)
{
    size_t rel = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    if (w->index != 0 || w->logfile_done || avail_at(w, rel) == 0)
        return 0;
    w->logfile_done = 1;
    int none = (f & HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER)) != 0;
    section_at(w, s, none ? HEAPEV_LAYOUT_ETL_NO_LOGFILE : HEAPEV_LAYOUT_ETL_LOGFILE, rel);
    s->n = fit(heapev_layout_etl_logfile(s->bytes, s->avail, f, s->ranges,
                                         HEAPEV_LAYOUT_ETL_MAX_RANGES, NULL),
               HEAPEV_LAYOUT_ETL_MAX_RANGES);
    if (none)
        keep_header_fields(s);
    for (size_t i = 0; i < s->n; i++)
        if (s->ranges[i].field == HEAPEV_FIELD_LF_BUFFERS_WRITTEN)
            w->written = s->ranges[i], w->have_written = 1;
    if (!w->shows)
        return 0;
    return section_done(s, f);
}

/* A heap Alloc record: the bytes the reader decoded (its Size), its container findings added. */
static int lay_event(const heapev_layout_etl_walker *w, size_t rel, heapev_layout_etl_section *s)
{
    heapev_event e;
    section_at(w, s, HEAPEV_LAYOUT_ETL_EVENT, rel);
    size_t len = s->avail < w->item.event.header.size ? s->avail : w->item.event.header.size;
    const heapev_limits *limits =
        heapev_etl_reader_limits(&w->reader, w->item.event.header.header_type); /* WOW64's? */
    s->n = fit(heapev_layout_record(s->bytes, len, limits, &e, s->ranges,
                                    HEAPEV_LAYOUT_MAX_RANGES, NULL),
               HEAPEV_LAYOUT_MAX_RANGES);
    heapev_layout_attach(s->ranges, s->n, w->item.findings & ~e.findings);
    return section_done(s, w->item.findings);
}

/* Container findings about the record at @p rel: its record header with them only. */
static int lay_record_findings(const heapev_layout_etl_walker *w, size_t rel,
                               heapev_layout_etl_section *s)
{
    section_at(w, s, HEAPEV_LAYOUT_ETL_RECORD_FINDINGS, rel);
    s->n = fit(heapev_layout_record(s->bytes, s->avail, &w->reader.opts.limits, NULL, s->ranges,
                                    HEAPEV_LAYOUT_MAX_RANGES, NULL),
               HEAPEV_LAYOUT_MAX_RANGES);
    keep_header_fields(s);
    for (size_t i = 0; i < s->n; i++)
        s->ranges[i].findings = 0; /* the decoder's own findings are not the container's */
    heapev_layout_attach(s->ranges, s->n, w->item.findings);
    return section_done(s, w->item.findings);
}

/* The current item's own section, in a shown buffer. */
static int lay_item(const heapev_layout_etl_walker *w, heapev_layout_etl_section *s)
{
    const heapev_etl_item *it = &w->item;
    size_t rel = item_rel(w);
    if (it->kind == HEAPEV_ETL_ITEM_RECORDS_END) {
        section_at(w, s, HEAPEV_LAYOUT_ETL_RECORDS_END, rel);
        return section_done(s, 0);
    }
    if (avail_at(w, rel) == 0) { /* past the bytes: nothing to lay out */
        if (it->findings == 0)
            return 0;
        section_at(w, s, HEAPEV_LAYOUT_ETL_UNPLACED, rel);
        return section_done(s, it->findings);
    }
    if (it->kind == HEAPEV_ETL_ITEM_EVENT)
        return lay_event(w, rel, s);
    if (it->kind == HEAPEV_ETL_ITEM_SKIPPED) {
        section_at(w, s, HEAPEV_LAYOUT_ETL_SKIPPED, rel);
        return section_done(s, 0);
    }
    return lay_record_findings(w, rel, s);
}

/*
 * A finding about buffer 0 reported after the walk left it (BuffersWritten,
 * at the end of the file): shown only when buffer 0 was.
 */
static int lay_late(const heapev_layout_etl_walker *w, heapev_layout_etl_section *s)
{
    const heapev_etl_item *it = &w->item;
    if (w->first != 0)
        return 0;
    s->part = HEAPEV_LAYOUT_ETL_LATE;
    s->buffer = it->buffer;
    s->buffer_offset = it->buffer_offset;
    s->at = (size_t)(it->offset - it->buffer_offset);
    s->bytes = NULL; /* buffer 0's bytes are gone */
    s->avail = 0;
    s->n = 0;
    s->decompressed = s->among_decompressed = 0;
    s->buffer_length = 0;
    s->image_length = 0;
    s->item = *it;
    if (w->have_written) { /* on the field laid out before, at the logfile record */
        s->at = HEAPEV_ETL_BUFFER_HEADER_SIZE;
        s->n = 1;
        s->ranges[0] = w->written;
        s->ranges[0].findings = 0;
        heapev_layout_attach(s->ranges, 1, it->findings);
    }
    s->offset = s->buffer_offset + s->at;
    return section_done(s, it->findings);
}

/* Lay out the current step of the current item; 1 when *s is a section. */
static int lay_step(heapev_layout_etl_walker *w, heapev_layout_etl_section *s)
{
    const heapev_etl_item *it = &w->item;
    int container = it->kind == HEAPEV_ETL_ITEM_CONTAINER;
    switch (w->step) {
    case STEP_LATE: w->step = STEP_TAKE; return lay_late(w, s);
    case STEP_HEADER:
        if (container && item_rel(w) == 0) { /* about the buffer header itself */
            w->step = STEP_TAKE;
            return lay_header(w, it->findings, s);
        }
        w->step = STEP_LOGFILE;
        return lay_header(w, 0, s);
    case STEP_LOGFILE:
        if (it->buffer == 0 && !w->logfile_done && container &&
            item_rel(w) == HEAPEV_ETL_BUFFER_HEADER_SIZE) { /* about the logfile header record */
            w->step = STEP_TAKE;
            return lay_logfile(w, it->findings, s);
        }
        w->step = STEP_ITEM;
        return lay_logfile(w, 0, s);
    default: w->step = STEP_TAKE; return w->shows && lay_item(w, s);
    }
}

heapev_etl_status heapev_layout_etl_next(heapev_layout_etl_walker *w, heapev_layout_etl_section *s)
{
    for (;;) {
        if (w->step == STEP_TAKE) {
            heapev_etl_status st = take_item(w);
            if (st != HEAPEV_ETL_OK)
                return st;
        }
        if (lay_step(w, s))
            return HEAPEV_ETL_OK;
    }
}
