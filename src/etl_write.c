/*
 * etl_write.c - pack records into fixed-size .etl buffers, laid out as
 * Windows 10/11 (or 7) write them (SPEC §4, "What Windows really writes").
 *
 * The writer works in one caller-provided buffer: data buffers 1, 2, ... go
 * to the sink as they fill; buffer 0 (buffer header, logfile header record
 * and, Windows 10/11 style, the header-extension records) is built last, in
 * the same memory, once BuffersWritten and EndTime are known. No allocation.
 */
#include "heapev/etl.h"

#include <string.h>

#include "heapev/le.h"

#define NAME_MAX_CHARS 255u /* per name: keeps the logfile record far below 64 KiB */
#define FILETIME_HZ 10000000ll /* FILETIME counts 100 ns units */
#define EXT50_PAYLOAD 48u      /* the 0x0050 record's payload, as real traces have it */
#define BUILD_LAB_64 "22621.1.amd64fre.ni_release.220506-1250"
#define BUILD_LAB_32 "22621.1.x86fre.ni_release.220506-1250"
#define PDB_NAME "heapev.pdb"
#define PDB_GUID_AGE_SIZE 20u /* GUID (16) + age (u32) */
#define WIN7_ALIGNMENT_BYTE 8u /* the byte after a Windows 7 ProcessorNumber */
#define BUFFER_STATE_WRITTEN 3u /* State of every buffer in the real traces of shared/realetl */
#define TIME_ZONE_NAME "Coordinated Universal Time"
#define TZ_NAME_CHARS 32u
#define TZ_OFF_STANDARD_NAME 4u  /* TIME_ZONE_INFORMATION: Bias, StandardName[32], */
#define TZ_OFF_DAYLIGHT_NAME 88u /* StandardDate, StandardBias, DaylightName[32], ... */

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

static const char *build_lab(const heapev_etl_writer_options *o)
{
    return o->pointer_size == 8 ? BUILD_LAB_64 : BUILD_LAB_32;
}

/* Sizes of the three header-extension records (WIN10 style). */
static size_t ext50_size(void)
{
    return HEAPEV_HEADER_SIZE_SYSTEM + EXT50_PAYLOAD;
}

static size_t build_lab_size(const heapev_etl_writer_options *o)
{
    return HEAPEV_HEADER_SIZE_PERFINFO + strlen(build_lab(o)) + 1u;
}

static size_t rsds_size(void)
{
    return HEAPEV_HEADER_SIZE_PERFINFO + PDB_GUID_AGE_SIZE + sizeof PDB_NAME;
}

/*
 * Where the header-extension records go, relative to the first one: at[0..2]
 * the 0x0050, 0x0042 and 0x0040 records, at[3] the end of the last (aligned).
 */
static void extension_layout(const heapev_etl_writer_options *o, size_t at[4])
{
    at[0] = 0;
    at[1] = at[0] + HEAPEV_ETL_ALIGN(ext50_size());
    at[2] = at[1] + HEAPEV_ETL_ALIGN(build_lab_size(o));
    at[3] = at[2] + HEAPEV_ETL_ALIGN(rsds_size());
}

/* Offset in buffer 0 of the first record after the logfile header. */
static size_t after_logfile(const heapev_etl_writer_options *o)
{
    return HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_ETL_ALIGN(logfile_record_size(o));
}

/* Buffer 0's Offset: its records' aligned end. */
static uint32_t header_length(const heapev_etl_writer_options *o)
{
    size_t at[4];
    extension_layout(o, at);
    return (uint32_t)(after_logfile(o) + (o->style == HEAPEV_ETL_STYLE_WIN10 ? at[3] : 0u));
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
    if (o->cpu_speed_mhz == 0)
        o->cpu_speed_mhz = 3000;
    if (o->timer_resolution == 0)
        o->timer_resolution = 156250;
    if (o->build == 0)
        o->build = o->style == HEAPEV_ETL_STYLE_WIN7 ? 7601u : 22621u;
    if (o->logger_name == NULL)
        o->logger_name = "heapev";
    if (o->logfile_name == NULL)
        o->logfile_name = "heapev.etl";
}

static int options_valid(const heapev_etl_writer_options *o)
{
    return (o->pointer_size == 4 || o->pointer_size == 8) &&
           (o->style == HEAPEV_ETL_STYLE_WIN10 || o->style == HEAPEV_ETL_STYLE_WIN7) &&
           o->buffer_size % HEAPEV_ETL_RECORD_ALIGN == 0 &&
           o->buffer_size <= HEAPEV_ETL_MAX_BUFFER_SIZE && o->buffer_size >= header_length(o);
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

uint32_t heapev_etl_writer_header_length(const heapev_etl_writer *w)
{
    return w->state < 0 ? 0 : header_length(&w->opts);
}

unsigned heapev_etl_writer_header_records(const heapev_etl_writer *w, uint32_t *offsets)
{
    const heapev_etl_writer_options *o = &w->opts;
    if (o->style != HEAPEV_ETL_STYLE_WIN10)
        return 0;
    size_t at[4];
    extension_layout(o, at);
    for (unsigned i = 0; offsets != NULL && i < HEAPEV_ETL_WRITER_MAX_HEADER_RECORDS; i++)
        offsets[i] = (uint32_t)(after_logfile(o) + at[i]);
    return HEAPEV_ETL_WRITER_MAX_HEADER_RECORDS;
}

/* ProcessorNumber (and, Windows 7, its alignment byte) of buffer @p seq. */
static uint16_t processor_field(const heapev_etl_writer_options *o, uint64_t seq)
{
    uint16_t cpu = seq == 0 ? 0 : (uint16_t)((seq - 1) % o->number_of_processors);
    if (o->style == HEAPEV_ETL_STYLE_WIN7)
        return (uint16_t)((cpu & 0xFFu) | (WIN7_ALIGNMENT_BYTE << 8));
    return cpu;
}

static uint16_t buffer_flag(const heapev_etl_writer_options *o, uint64_t seq)
{
    if (o->style == HEAPEV_ETL_STYLE_WIN7)
        return HEAPEV_ETL_BUFFER_FLAG_FLUSH_MARKER;
    return (uint16_t)(HEAPEV_ETL_BUFFER_FLAG_PROCESSOR_INDEX |
                      (seq == 0 ? HEAPEV_ETL_BUFFER_FLAG_FLUSH_MARKER : 0u));
}

/*
 * Fill the WMI_BUFFER_HEADER of the buffer in w->buf (records up to w->used,
 * SavedOffset @p saved). Like real traces: TimeStamp and SequenceNumber 0 in
 * the header buffer, the ClockType/Frequency word 0 (ReservedFlags and
 * PerfFreq in the logfile header carry the clock), State 3, CurrentOffset
 * equal to a nonzero SavedOffset in the header buffer.
 */
static void write_buffer_header(heapev_etl_writer *w, uint64_t seq, int64_t time, uint16_t type,
                                uint32_t saved)
{
    uint8_t *p = w->buf;
    const heapev_etl_writer_options *o = &w->opts;
    memset(p, 0, HEAPEV_ETL_BUFFER_HEADER_SIZE);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, o->buffer_size);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, saved);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET, saved != 0 ? saved : w->used);
    heapev_write_le64(p + HEAPEV_ETL_BUF_OFF_TIMESTAMP, (uint64_t)time);
    heapev_write_le64(p + HEAPEV_ETL_BUF_OFF_SEQUENCE, seq);
    heapev_write_le16(p + HEAPEV_ETL_BUF_OFF_PROCESSOR, processor_field(o, seq));
    heapev_write_le16(p + HEAPEV_ETL_BUF_OFF_LOGGER_ID, o->logger_id);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_STATE, BUFFER_STATE_WRITTEN);
    heapev_write_le32(p + HEAPEV_ETL_BUF_OFF_OFFSET, w->used);
    heapev_write_le16(p + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG, buffer_flag(o, seq));
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
    write_buffer_header(w, w->index, w->buffer_time, HEAPEV_ETL_BUFFER_TYPE_GENERIC, w->used);
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
    unsigned time_at = heapev_header_type_time_offset(rec[HEAPEV_HEADER_OFF_HEADER_TYPE]);
    if (time_at != 0 && len >= time_at + 8u) {
        int64_t t = (int64_t)heapev_read_le64(rec + time_at);
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

/* QPC ticks @p q at @p freq Hz as 100 ns units, without overflow for any real uptime. */
static int64_t qpc_to_filetime(int64_t q, int64_t freq)
{
    return q / freq * FILETIME_HZ + q % freq * FILETIME_HZ / freq;
}

/* The logfile header's version: Major, Minor, Sub, SubMinor bytes as real traces have them. */
static uint32_t logfile_version(const heapev_etl_writer_options *o)
{
    return o->style == HEAPEV_ETL_STYLE_WIN7 ? 0x05010106u : 0x0501000Au;
}

/* TIME_ZONE_INFORMATION of UTC: Bias 0, both names "Coordinated Universal Time". */
static void put_time_zone(uint8_t *tz)
{
    static const char name[] = TIME_ZONE_NAME;
    _Static_assert(sizeof name <= TZ_NAME_CHARS, "time zone name fits WCHAR[32]");
    put_name(tz + TZ_OFF_STANDARD_NAME, name);
    put_name(tz + TZ_OFF_DAYLIGHT_NAME, name);
}

/* The TRACE_LOGFILE_HEADER fixed part at @p q (zeroed by the caller). */
static void put_logfile_fields(const heapev_etl_writer *w, uint8_t *q, uint32_t buffers,
                               int64_t end_time)
{
    const heapev_etl_writer_options *o = &w->opts;
    unsigned ps = o->pointer_size;
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_BUFFER_SIZE, o->buffer_size);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_VERSION, logfile_version(o));
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_PROVIDER_VERSION, o->build);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_PROCESSORS, o->number_of_processors);
    heapev_write_le64(q + HEAPEV_LOGFILE_OFF_END_TIME,
                      (uint64_t)(o->boot_time + qpc_to_filetime(end_time, o->perf_freq)));
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_TIMER_RESOLUTION, o->timer_resolution);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE, HEAPEV_LOGFILE_MODE_SEQUENTIAL);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN, buffers);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_START_BUFFERS, 1u);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_POINTER_SIZE, ps);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_CPU_SPEED, o->cpu_speed_mhz);
    put_time_zone(q + HEAPEV_LOGFILE_OFF_TIME_ZONE(ps));
    heapev_write_le64(q + HEAPEV_LOGFILE_OFF_BOOT_TIME(ps), (uint64_t)o->boot_time);
    heapev_write_le64(q + HEAPEV_LOGFILE_OFF_PERF_FREQ(ps), (uint64_t)o->perf_freq);
    heapev_write_le64(q + HEAPEV_LOGFILE_OFF_START_TIME(ps),
                      (uint64_t)(o->boot_time + qpc_to_filetime(o->start_time, o->perf_freq)));
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_RESERVED_FLAGS(ps), o->clock_type);
}

/* A kernel-group record header (SYSTEM or PERFINFO family of the trace's width) at @p h. */
static uint8_t *put_system_header(const heapev_etl_writer_options *o, uint8_t *h, int perfinfo,
                                  uint16_t hook, size_t size)
{
    int wide = o->pointer_size == 8;
    uint8_t type = perfinfo ? (wide ? HEAPEV_HEADER_TYPE_PERFINFO64 : HEAPEV_HEADER_TYPE_PERFINFO32)
                            : (wide ? HEAPEV_HEADER_TYPE_SYSTEM64 : HEAPEV_HEADER_TYPE_SYSTEM32);
    memset(h, 0, size);
    heapev_write_le16(h + HEAPEV_HEADER_OFF_VERSION, HEAPEV_HEADER_VERSION);
    h[HEAPEV_HEADER_OFF_HEADER_TYPE] = type;
    h[HEAPEV_HEADER_OFF_FLAGS] = HEAPEV_HEADER_FLAGS;
    heapev_write_le16(h + HEAPEV_HEADER_OFF_SIZE, (uint16_t)size);
    heapev_write_le16(h + HEAPEV_HEADER_OFF_HOOK_ID, hook);
    heapev_write_le64(h + heapev_header_type_time_offset(type), (uint64_t)o->start_time);
    return h + heapev_header_type_size(type);
}

/* The logfile header record at @p h; returns its size. */
static size_t put_logfile_record(const heapev_etl_writer *w, uint8_t *h, uint32_t buffers,
                                 int64_t end_time)
{
    const heapev_etl_writer_options *o = &w->opts;
    size_t size = logfile_record_size(o);
    uint8_t *q = put_system_header(o, h, 0, HEAPEV_HOOK_LOGFILE_HEADER, size);
    put_logfile_fields(w, q, buffers, end_time);
    size_t at = HEAPEV_LOGFILE_FIXED_SIZE(o->pointer_size);
    at += put_name(q + at, o->logger_name);
    put_name(q + at, o->logfile_name);
    return size;
}

/*
 * The header-extension records at @p p, as Windows 10/11 write them: an
 * 0x0050 record (SYSTEM), then the build string (0x0042) and a DbgIdRsds
 * record (0x0040) in PERFINFO headers. Returns the end of the 0x0050 record
 * (where SavedOffset points) relative to @p p; *len receives their length.
 */
static size_t put_header_extensions(const heapev_etl_writer_options *o, uint8_t *p, size_t *len)
{
    size_t at[4];
    extension_layout(o, at);
    put_system_header(o, p + at[0], 0, HEAPEV_HOOK_HEADER_EXT_50, ext50_size());
    uint8_t *q = put_system_header(o, p + at[1], 1, HEAPEV_HOOK_HEADER_BUILD_LAB, build_lab_size(o));
    memcpy(q, build_lab(o), strlen(build_lab(o)) + 1u);
    q = put_system_header(o, p + at[2], 1, HEAPEV_HOOK_HEADER_DBGID_RSDS, rsds_size());
    for (unsigned i = 0; i < 16u; i++) /* a fixed PDB GUID: heapev's own */
        q[i] = (uint8_t)(0x48u + 7u * i);
    heapev_write_le32(q + 16u, 1u); /* age */
    memcpy(q + PDB_GUID_AGE_SIZE, PDB_NAME, sizeof PDB_NAME);
    *len = at[3];
    return at[1];
}

/* Build buffer 0 in w->buf: buffer header, logfile header record, header extensions. */
static void build_header_buffer(heapev_etl_writer *w, uint32_t buffers, int64_t end_time)
{
    const heapev_etl_writer_options *o = &w->opts;
    uint8_t *h = w->buf + HEAPEV_ETL_BUFFER_HEADER_SIZE;
    memset(w->buf, HEAPEV_ETL_FILLER_BYTE, o->buffer_size);
    size_t at = HEAPEV_ETL_ALIGN(put_logfile_record(w, h, buffers, end_time));
    uint32_t saved = 0; /* Windows 7 */
    if (o->style == HEAPEV_ETL_STYLE_WIN10) {
        size_t ext = 0;
        saved = (uint32_t)(HEAPEV_ETL_BUFFER_HEADER_SIZE + at + put_header_extensions(o, h + at, &ext));
        at += ext;
    }
    w->used = HEAPEV_ETL_BUFFER_HEADER_SIZE + (uint32_t)at;
    write_buffer_header(w, 0, 0, HEAPEV_ETL_BUFFER_TYPE_HEADER, saved);
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
