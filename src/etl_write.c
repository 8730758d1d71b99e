/*
 * etl_write.c - pack records into fixed-size .etl buffers.
 *
 * The writer works in one caller-provided buffer: data buffers 1, 2, ... go
 * to the sink as they fill; buffer 0 (buffer header + logfile header record)
 * is built last, in the same memory, once BuffersWritten and EndTime are
 * known. No allocation.
 */
#include "heapev/etl.h"

#include <string.h>

#include "le.h"

#define NAME_MAX_CHARS 255u /* per name: keeps the logfile record far below 64 KiB */

static size_t name_chars(const char *s)
{
    size_t n = strlen(s);
    return n < NAME_MAX_CHARS ? n : NAME_MAX_CHARS;
}

/* Size of the logfile header record for @p o: header, fixed part, two UTF-16LE names. */
static size_t logfile_record_size(const heapev_etl_writer_options *o)
{
    return HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_LOGFILE_FIXED_SIZE(o->pointer_size) +
           2u * (name_chars(o->logger_name) + 1u) + 2u * (name_chars(o->logfile_name) + 1u);
}

static void apply_defaults(heapev_etl_writer_options *o)
{
    if (o->buffer_size == 0)
        o->buffer_size = HEAPEV_ETL_DEFAULT_BUFFER_SIZE;
    if (o->pointer_size == 0)
        o->pointer_size = 8;
    if (o->perf_freq == 0)
        o->perf_freq = 10000000;
    if (o->clock_type == 0)
        o->clock_type = 1;
    if (o->number_of_processors == 0)
        o->number_of_processors = 1;
    if (o->logger_name == NULL)
        o->logger_name = "heapev";
    if (o->logfile_name == NULL)
        o->logfile_name = "heapev.etl";
}

static int options_valid(const heapev_etl_writer_options *o)
{
    return (o->pointer_size == 4 || o->pointer_size == 8) &&
           o->buffer_size % HEAPEV_ETL_RECORD_ALIGN == 0 &&
           o->buffer_size <= HEAPEV_ETL_MAX_BUFFER_SIZE &&
           o->buffer_size >= HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_ETL_ALIGN(logfile_record_size(o));
}

heapev_etl_write_status heapev_etl_writer_init(heapev_etl_writer *w,
                                               const heapev_etl_writer_options *opts,
                                               uint8_t *buf, size_t cap, heapev_etl_sink_fn sink,
                                               void *ctx)
{
    memset(w, 0, sizeof *w);
    if (opts != NULL)
        w->opts = *opts;
    apply_defaults(&w->opts);
    w->sink = sink;
    w->ctx = ctx;
    w->buf = buf;
    w->index = 1;
    w->used = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    w->max_time = w->buffer_time = w->opts.start_time;
    if (!options_valid(&w->opts) || buf == NULL || sink == NULL || cap < w->opts.buffer_size) {
        w->state = -1;
        return HEAPEV_ETL_WRITE_INVALID;
    }
    memset(buf, HEAPEV_ETL_FILLER_BYTE, w->opts.buffer_size);
    return HEAPEV_ETL_WRITE_OK;
}

uint64_t heapev_etl_writer_buffers(const heapev_etl_writer *w)
{
    return w->index + (w->records > 0 ? 1u : 0u);
}

/* Fill the WMI_BUFFER_HEADER of the buffer in w->buf. */
static void write_buffer_header(heapev_etl_writer *w, uint64_t seq, int64_t time, uint16_t type)
{
    uint8_t *p = w->buf;
    const heapev_etl_writer_options *o = &w->opts;
    memset(p, 0, HEAPEV_ETL_BUFFER_HEADER_SIZE);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, o->buffer_size);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, w->used);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET, w->used);
    heapev_write_le64(p + HEAPEV_ETL_BUF_OFF_TIMESTAMP, (uint64_t)time);
    heapev_write_le64(p + HEAPEV_ETL_BUF_OFF_SEQUENCE, seq);
    heapev_write_le64(p + HEAPEV_ETL_BUF_OFF_CLOCK,
                      ((uint64_t)o->perf_freq << HEAPEV_ETL_CLOCK_TYPE_BITS) |
                          (o->clock_type & 7u));
    heapev_write_le16(p + HEAPEV_ETL_BUF_OFF_LOGGER_ID, o->logger_id);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_OFFSET, w->used);
    heapev_write_le16(p + HEAPEV_ETL_BUF_OFF_BUFFER_TYPE, type);
}

static heapev_etl_write_status emit(heapev_etl_writer *w, uint64_t index)
{
    if (w->sink(w->ctx, index * w->opts.buffer_size, w->buf, w->opts.buffer_size) != 0) {
        w->state = -1;
        return HEAPEV_ETL_WRITE_SINK;
    }
    memset(w->buf, HEAPEV_ETL_FILLER_BYTE, w->opts.buffer_size);
    w->used = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    return HEAPEV_ETL_WRITE_OK;
}

heapev_etl_write_status heapev_etl_writer_flush(heapev_etl_writer *w)
{
    if (w->state != 0)
        return HEAPEV_ETL_WRITE_STATE;
    if (w->records == 0)
        return HEAPEV_ETL_WRITE_OK;
    write_buffer_header(w, w->index, w->buffer_time, HEAPEV_ETL_BUFFER_TYPE_GENERIC);
    heapev_etl_write_status st = emit(w, w->index);
    if (st == HEAPEV_ETL_WRITE_OK) {
        w->index++;
        w->records = 0;
        w->buffer_time = w->max_time;
    }
    return st;
}

/* Make room for @p len bytes; returns the offset in the buffer or 0 on failure (status in *st). */
static uint32_t reserve(heapev_etl_writer *w, size_t len, heapev_etl_write_status *st)
{
    *st = HEAPEV_ETL_WRITE_OK;
    if (w->state != 0)
        return *st = HEAPEV_ETL_WRITE_STATE, 0;
    if (len == 0 || len > w->opts.buffer_size - HEAPEV_ETL_BUFFER_HEADER_SIZE)
        return *st = HEAPEV_ETL_WRITE_INVALID, 0;
    if (len > w->opts.buffer_size - w->used && (*st = heapev_etl_writer_flush(w)) != 0)
        return 0;
    return w->used;
}

static void commit(heapev_etl_writer *w, uint32_t at, size_t len, heapev_etl_position *pos)
{
    const uint8_t *rec = w->buf + at;
    if (len >= HEAPEV_HEADER_OFF_SYSTEM_TIME + 8u) {
        int64_t t = (int64_t)heapev_read_le64(rec + HEAPEV_HEADER_OFF_SYSTEM_TIME);
        w->buffer_time = t > w->buffer_time ? t : w->buffer_time;
        w->max_time = t > w->max_time ? t : w->max_time;
    }
    uint32_t end = at + (uint32_t)len;
    w->used = HEAPEV_ETL_ALIGN(end) < w->opts.buffer_size ? HEAPEV_ETL_ALIGN(end)
                                                          : w->opts.buffer_size;
    w->records++;
    if (pos != NULL) {
        pos->buffer = w->index;
        pos->offset = w->index * w->opts.buffer_size + at;
    }
}

heapev_etl_write_status heapev_etl_writer_add_record(heapev_etl_writer *w, const void *record,
                                                     size_t len, heapev_etl_position *pos)
{
    heapev_etl_write_status st;
    uint32_t at = reserve(w, len, &st);
    if (st != HEAPEV_ETL_WRITE_OK)
        return st;
    memcpy(w->buf + at, record, len);
    commit(w, at, len, pos);
    return HEAPEV_ETL_WRITE_OK;
}

heapev_etl_write_status heapev_etl_writer_add_event(heapev_etl_writer *w, const heapev_event *event,
                                                    heapev_etl_position *pos)
{
    size_t len = heapev_record_size(event);
    if (len == 0)
        return HEAPEV_ETL_WRITE_INVALID;
    heapev_etl_write_status st;
    uint32_t at = reserve(w, len, &st);
    if (st != HEAPEV_ETL_WRITE_OK)
        return st;
    heapev_encode_record(event, w->buf + at, w->opts.buffer_size - at);
    commit(w, at, len, pos);
    return HEAPEV_ETL_WRITE_OK;
}

/* UTF-16LE of the bytes of @p s (each widened), NUL-terminated; returns bytes written. */
static size_t put_name(uint8_t *p, const char *s)
{
    size_t n = name_chars(s);
    for (size_t i = 0; i < n; i++)
        heapev_write_le16(p + 2 * i, (uint8_t)s[i]);
    heapev_write_le16(p + 2 * n, 0);
    return 2 * (n + 1);
}

/* The TRACE_LOGFILE_HEADER fixed part at @p q (zeroed by the caller). */
static void put_logfile_fields(const heapev_etl_writer *w, uint8_t *q, uint32_t buffers,
                               int64_t end_time)
{
    const heapev_etl_writer_options *o = &w->opts;
    unsigned ps = o->pointer_size;
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_BUFFER_SIZE, o->buffer_size);
    q[HEAPEV_LOGFILE_OFF_VERSION] = 2; /* MajorVersion 2: logfile layout 2.0 */
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_PROCESSORS, o->number_of_processors);
    heapev_write_le64(q + HEAPEV_LOGFILE_OFF_END_TIME, (uint64_t)end_time);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE, 1u); /* EVENT_TRACE_FILE_MODE_SEQUENTIAL */
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN, buffers);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_START_BUFFERS, 1u);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_POINTER_SIZE, ps);
    heapev_write_le64(q + HEAPEV_LOGFILE_OFF_BOOT_TIME(ps), (uint64_t)o->boot_time);
    heapev_write_le64(q + HEAPEV_LOGFILE_OFF_PERF_FREQ(ps), (uint64_t)o->perf_freq);
    heapev_write_le64(q + HEAPEV_LOGFILE_OFF_START_TIME(ps), (uint64_t)o->start_time);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_RESERVED_FLAGS(ps), o->clock_type);
}

/* Build buffer 0 in w->buf: buffer header, then the logfile header record. */
static void build_header_buffer(heapev_etl_writer *w, uint32_t buffers, int64_t end_time)
{
    const heapev_etl_writer_options *o = &w->opts;
    size_t size = logfile_record_size(o);
    uint8_t *h = w->buf + HEAPEV_ETL_BUFFER_HEADER_SIZE;
    memset(w->buf, HEAPEV_ETL_FILLER_BYTE, o->buffer_size);
    memset(h, 0, size);
    heapev_write_le16(h + HEAPEV_HEADER_OFF_VERSION, HEAPEV_HEADER_VERSION);
    h[HEAPEV_HEADER_OFF_HEADER_TYPE] =
        o->pointer_size == 8 ? HEAPEV_HEADER_TYPE_SYSTEM64 : HEAPEV_HEADER_TYPE_SYSTEM32;
    h[HEAPEV_HEADER_OFF_FLAGS] = HEAPEV_HEADER_FLAGS;
    heapev_write_le16(h + HEAPEV_HEADER_OFF_SIZE, (uint16_t)size);
    heapev_write_le16(h + HEAPEV_HEADER_OFF_HOOK_ID, HEAPEV_HOOK_LOGFILE_HEADER);
    heapev_write_le64(h + HEAPEV_HEADER_OFF_SYSTEM_TIME, (uint64_t)o->start_time);
    uint8_t *q = h + HEAPEV_HEADER_SIZE_SYSTEM;
    put_logfile_fields(w, q, buffers, end_time);
    size_t at = HEAPEV_LOGFILE_FIXED_SIZE(o->pointer_size);
    at += put_name(q + at, o->logger_name);
    put_name(q + at, o->logfile_name);
    w->used = HEAPEV_ETL_BUFFER_HEADER_SIZE + (uint32_t)HEAPEV_ETL_ALIGN(size);
    write_buffer_header(w, 0, o->start_time, HEAPEV_ETL_BUFFER_TYPE_HEADER);
}

heapev_etl_write_status heapev_etl_writer_finish(heapev_etl_writer *w, int64_t end_time)
{
    heapev_etl_write_status st = heapev_etl_writer_flush(w);
    if (st != HEAPEV_ETL_WRITE_OK)
        return st;
    uint64_t buffers = heapev_etl_writer_buffers(w);
    build_header_buffer(w, buffers > UINT32_MAX ? UINT32_MAX : (uint32_t)buffers,
                        end_time != 0 ? end_time : w->max_time);
    st = emit(w, 0);
    if (st == HEAPEV_ETL_WRITE_OK)
        w->state = 1;
    return st;
}
