/*
 * layout.c - labelled byte ranges of a payload or record, with the findings
 * that point at each (heapev/layout.h).
 *
 * Field positions come from heapev/format.h only: each field spans from its
 * offset macro to the next field's offset macro (or the header/payload size).
 * The findings come from the decoder itself, so the layout never disagrees
 * with `heapev decode`.
 */
#include "heapev/layout.h"

#include <stdio.h>

#include "heapev/format.h"
#include "heapev/le.h"

#define FBIT(f) HEAPEV_FIELD_BIT(HEAPEV_FIELD_##f)

/* A field from offset @c off up to (not including) @c end. */
typedef struct field_span {
    heapev_field field;
    unsigned off, end;
} field_span;

/* SYSTEM_TRACE_HEADER fields in byte order; COMPACT headers stop at SystemTime. */
static const field_span header_spans[] = {
    {HEAPEV_FIELD_VERSION, HEAPEV_HEADER_OFF_VERSION, HEAPEV_HEADER_OFF_HEADER_TYPE},
    {HEAPEV_FIELD_HEADER_TYPE, HEAPEV_HEADER_OFF_HEADER_TYPE, HEAPEV_HEADER_OFF_FLAGS},
    {HEAPEV_FIELD_FLAGS, HEAPEV_HEADER_OFF_FLAGS, HEAPEV_HEADER_OFF_SIZE},
    {HEAPEV_FIELD_RECORD_SIZE, HEAPEV_HEADER_OFF_SIZE, HEAPEV_HEADER_OFF_HOOK_ID},
    {HEAPEV_FIELD_HOOK_ID, HEAPEV_HEADER_OFF_HOOK_ID, HEAPEV_HEADER_OFF_THREAD_ID},
    {HEAPEV_FIELD_THREAD_ID, HEAPEV_HEADER_OFF_THREAD_ID, HEAPEV_HEADER_OFF_PROCESS_ID},
    {HEAPEV_FIELD_PROCESS_ID, HEAPEV_HEADER_OFF_PROCESS_ID, HEAPEV_HEADER_OFF_SYSTEM_TIME},
    {HEAPEV_FIELD_SYSTEM_TIME, HEAPEV_HEADER_OFF_SYSTEM_TIME, HEAPEV_HEADER_SIZE_COMPACT},
    {HEAPEV_FIELD_KERNEL_TIME, HEAPEV_HEADER_OFF_KERNEL_TIME, HEAPEV_HEADER_OFF_USER_TIME},
    {HEAPEV_FIELD_USER_TIME, HEAPEV_HEADER_OFF_USER_TIME, HEAPEV_HEADER_SIZE_SYSTEM},
};

#define N_HEADER_SPANS (sizeof header_spans / sizeof header_spans[0])

/* PERFINFO_TRACE_HEADER fields in byte order: the marker, Size and HookId, then SystemTime. */
static const field_span perfinfo_spans[] = {
    {HEAPEV_FIELD_VERSION, HEAPEV_HEADER_OFF_VERSION, HEAPEV_HEADER_OFF_HEADER_TYPE},
    {HEAPEV_FIELD_HEADER_TYPE, HEAPEV_HEADER_OFF_HEADER_TYPE, HEAPEV_HEADER_OFF_FLAGS},
    {HEAPEV_FIELD_FLAGS, HEAPEV_HEADER_OFF_FLAGS, HEAPEV_HEADER_OFF_SIZE},
    {HEAPEV_FIELD_RECORD_SIZE, HEAPEV_HEADER_OFF_SIZE, HEAPEV_HEADER_OFF_HOOK_ID},
    {HEAPEV_FIELD_HOOK_ID, HEAPEV_HEADER_OFF_HOOK_ID, HEAPEV_PERFINFO_OFF_SYSTEM_TIME},
    {HEAPEV_FIELD_SYSTEM_TIME, HEAPEV_PERFINFO_OFF_SYSTEM_TIME, HEAPEV_HEADER_SIZE_PERFINFO},
};
#define N_PAYLOAD_SPANS 4u

static const char *const field_names[HEAPEV_FIELD_COUNT] = {
    [HEAPEV_FIELD_VERSION] = "Version",         [HEAPEV_FIELD_HEADER_TYPE] = "HeaderType",
    [HEAPEV_FIELD_FLAGS] = "Flags",             [HEAPEV_FIELD_RECORD_SIZE] = "Size",
    [HEAPEV_FIELD_HOOK_ID] = "HookId",          [HEAPEV_FIELD_THREAD_ID] = "ThreadId",
    [HEAPEV_FIELD_PROCESS_ID] = "ProcessId",    [HEAPEV_FIELD_SYSTEM_TIME] = "SystemTime",
    [HEAPEV_FIELD_KERNEL_TIME] = "KernelTime",  [HEAPEV_FIELD_USER_TIME] = "UserTime",
    [HEAPEV_FIELD_HEAP_HANDLE] = "HeapHandle",  [HEAPEV_FIELD_SIZE] = "Size",
    [HEAPEV_FIELD_ADDRESS] = "Address",         [HEAPEV_FIELD_SOURCE] = "Source",
    [HEAPEV_FIELD_TRAILING] = "trailing",       [HEAPEV_FIELD_UNDECODED] = "undecoded",
    [HEAPEV_FIELD_BUF_BUFFER_SIZE] = "BufferSize",
    [HEAPEV_FIELD_BUF_SAVED_OFFSET] = "SavedOffset",
    [HEAPEV_FIELD_BUF_CURRENT_OFFSET] = "CurrentOffset",
    [HEAPEV_FIELD_BUF_REFERENCE_COUNT] = "ReferenceCount",
    [HEAPEV_FIELD_BUF_TIMESTAMP] = "TimeStamp",
    [HEAPEV_FIELD_BUF_SEQUENCE] = "SequenceNumber",
    [HEAPEV_FIELD_BUF_CLOCK] = "ClockType/Frequency",
    [HEAPEV_FIELD_BUF_PROCESSOR] = "ProcessorNumber",
    [HEAPEV_FIELD_BUF_LOGGER_ID] = "LoggerId",
    [HEAPEV_FIELD_BUF_STATE] = "State",
    [HEAPEV_FIELD_BUF_OFFSET] = "Offset",
    [HEAPEV_FIELD_BUF_FLAG] = "BufferFlag",
    [HEAPEV_FIELD_BUF_TYPE] = "BufferType",
    [HEAPEV_FIELD_BUF_RESERVED] = "reserved",
    [HEAPEV_FIELD_LF_BUFFER_SIZE] = "BufferSize",
    [HEAPEV_FIELD_LF_VERSION] = "Version",
    [HEAPEV_FIELD_LF_PROVIDER_VERSION] = "ProviderVersion",
    [HEAPEV_FIELD_LF_PROCESSORS] = "NumberOfProcessors",
    [HEAPEV_FIELD_LF_END_TIME] = "EndTime",
    [HEAPEV_FIELD_LF_TIMER_RESOLUTION] = "TimerResolution",
    [HEAPEV_FIELD_LF_MAX_FILE_SIZE] = "MaximumFileSize",
    [HEAPEV_FIELD_LF_LOG_FILE_MODE] = "LogFileMode",
    [HEAPEV_FIELD_LF_BUFFERS_WRITTEN] = "BuffersWritten",
    [HEAPEV_FIELD_LF_START_BUFFERS] = "StartBuffers",
    [HEAPEV_FIELD_LF_POINTER_SIZE] = "PointerSize",
    [HEAPEV_FIELD_LF_EVENTS_LOST] = "EventsLost",
    [HEAPEV_FIELD_LF_CPU_SPEED] = "CpuSpeedInMHz",
    [HEAPEV_FIELD_LF_LOGGER_NAME] = "LoggerName",
    [HEAPEV_FIELD_LF_LOG_FILE_NAME] = "LogFileName",
    [HEAPEV_FIELD_LF_TIME_ZONE] = "TimeZone",
    [HEAPEV_FIELD_LF_PADDING] = "padding",
    [HEAPEV_FIELD_LF_BOOT_TIME] = "BootTime",
    [HEAPEV_FIELD_LF_PERF_FREQ] = "PerfFreq",
    [HEAPEV_FIELD_LF_START_TIME] = "StartTime",
    [HEAPEV_FIELD_LF_RESERVED_FLAGS] = "ReservedFlags",
    [HEAPEV_FIELD_LF_BUFFERS_LOST] = "BuffersLost",
    [HEAPEV_FIELD_LF_SESSION_NAME] = "session name",
    [HEAPEV_FIELD_LF_FILE_NAME] = "log file name",
};

const char *heapev_field_name(heapev_field field)
{
    return (unsigned)field < HEAPEV_FIELD_COUNT ? field_names[field] : NULL;
}

int heapev_field_in_header(heapev_field field)
{
    return (unsigned)field <= HEAPEV_FIELD_USER_TIME; /* HEAPEV_FIELD_VERSION is 0 */
}

const char *heapev_field_part(heapev_field field)
{
    if ((unsigned)field >= HEAPEV_FIELD_COUNT)
        return NULL;
    if (heapev_field_in_header(field))
        return "header";
    if (field >= HEAPEV_FIELD_LF_BUFFER_SIZE)
        return "logfile";
    return field >= HEAPEV_FIELD_BUF_BUFFER_SIZE ? "buffer" : "payload";
}

heapev_fields heapev_layout_finding_fields(heapev_finding code)
{
    switch (code) {
    case HEAPEV_FINDING_HEADER_SIZE_MISMATCH: return FBIT(RECORD_SIZE);
    case HEAPEV_FINDING_HEADER_TYPE_UNKNOWN: return FBIT(HEADER_TYPE);
    case HEAPEV_FINDING_HEADER_FLAGS_INVALID: return FBIT(FLAGS);
    case HEAPEV_FINDING_NOT_HEAP_ALLOC: return FBIT(HOOK_ID);
    case HEAPEV_FINDING_HEADER_VERSION_UNEXPECTED: return FBIT(VERSION);
    case HEAPEV_FINDING_ETL_POINTER_SIZE_MISMATCH: return FBIT(HEADER_TYPE) | FBIT(LF_POINTER_SIZE);
    case HEAPEV_FINDING_ETL_BUFFER_SIZE_INVALID: return FBIT(BUF_BUFFER_SIZE) | FBIT(LF_BUFFER_SIZE);
    case HEAPEV_FINDING_ETL_TRUNCATED_FILE:
    case HEAPEV_FINDING_ETL_BUFFER_BEYOND_FILE: return FBIT(BUF_BUFFER_SIZE);
    case HEAPEV_FINDING_ETL_SAVED_OFFSET_INVALID:
    case HEAPEV_FINDING_ETL_DECOMPRESSED_SIZE_MISMATCH: return FBIT(BUF_OFFSET);
    case HEAPEV_FINDING_ETL_OFFSET_MISMATCH: return FBIT(BUF_SAVED_OFFSET);
    case HEAPEV_FINDING_ETL_BUFFER_COMPRESSED:
    case HEAPEV_FINDING_ETL_DECOMPRESS_FAILED: return FBIT(BUF_FLAG);
    case HEAPEV_FINDING_ETL_LOG_UNFINISHED: return FBIT(LF_BUFFERS_WRITTEN) | FBIT(LF_END_TIME);
    case HEAPEV_FINDING_ETL_POINTER_SIZE_INVALID: return FBIT(LF_POINTER_SIZE);
    case HEAPEV_FINDING_ETL_BUFFERS_WRITTEN_MISMATCH: return FBIT(LF_BUFFERS_WRITTEN);
    case HEAPEV_FINDING_ETL_LOGFILE_HEADER_SHORT:
    case HEAPEV_FINDING_ETL_RECORD_SIZE_INVALID: return FBIT(RECORD_SIZE);
    case HEAPEV_FINDING_ETL_NO_LOGFILE_HEADER: return FBIT(HOOK_ID);
    case HEAPEV_FINDING_ETL_HEADER_TYPE_UNSUPPORTED: return FBIT(HEADER_TYPE);
    case HEAPEV_FINDING_ETL_RECORD_MISALIGNED:
    case HEAPEV_FINDING_ETL_FILLER_INSIDE_RECORDS:
        return FBIT(VERSION) | FBIT(HEADER_TYPE) | FBIT(FLAGS);
    case HEAPEV_FINDING_SOURCE_UNDEFINED:
    case HEAPEV_FINDING_SOURCE_RESERVED:
    case HEAPEV_FINDING_SOURCE_INVALID: return FBIT(SOURCE);
    case HEAPEV_FINDING_TRAILING_BYTES: return FBIT(TRAILING);
    case HEAPEV_FINDING_HEAP_HANDLE_NULL:
    case HEAPEV_FINDING_HEAP_HANDLE_KERNEL_RANGE:
    case HEAPEV_FINDING_HEAP_HANDLE_LOW_RANGE:
    case HEAPEV_FINDING_HEAP_HANDLE_MISALIGNED: return FBIT(HEAP_HANDLE);
    case HEAPEV_FINDING_ADDRESS_NULL:
    case HEAPEV_FINDING_ADDRESS_MISALIGNED:
    case HEAPEV_FINDING_ADDRESS_KERNEL_RANGE:
    case HEAPEV_FINDING_ADDRESS_LOW_RANGE: return FBIT(ADDRESS);
    case HEAPEV_FINDING_ADDRESS_WRAPS:
    case HEAPEV_FINDING_BLOCK_END_KERNEL_RANGE: return FBIT(ADDRESS) | FBIT(SIZE);
    case HEAPEV_FINDING_SIZE_IMPLAUSIBLE: return FBIT(SIZE);
    case HEAPEV_FINDING_LOWFRAG_SIZE_TOO_LARGE: return FBIT(SIZE) | FBIT(SOURCE);
    default: return 0;
    }
}

/* Collects ranges into the caller's array, counting those that do not fit. */
typedef struct builder {
    heapev_layout_range *out;
    size_t cap, n;
    const uint8_t *data;
    const heapev_event *event;
    int unread; /* the fields being added were not read by the decoder: no values */
} builder;

/* Little-endian value of a whole field of 1, 2, 4 or 8 bytes. */
static uint64_t read_field(const uint8_t *p, size_t length)
{
    switch (length) {
    case 1: return p[0];
    case 2: return heapev_read_le16(p);
    case 4: return heapev_read_le32(p);
    default: return heapev_read_le64(p);
    }
}

/* The event's findings that point at a range of @p field. */
static heapev_findings findings_for(const heapev_event *e, heapev_field field, int missing)
{
    heapev_findings f = 0;
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (heapev_layout_finding_fields((heapev_finding)c) & HEAPEV_FIELD_BIT(field))
            f |= HEAPEV_FINDING_BIT(c);
    if (missing)
        f |= HEAPEV_FINDING(TRUNCATED) | HEAPEV_FINDING(ETL_TRUNCATED_FILE);
    if (field == HEAPEV_FIELD_UNDECODED)
        f |= HEAPEV_FINDING(LENGTH_AMBIGUOUS);
    return f & e->findings;
}

/* Add a range at @p offset of @p length bytes, of which the input holds the bytes below @p end. */
static void add_range(builder *b, heapev_field field, size_t offset, size_t length, size_t end)
{
    heapev_layout_range r = {offset, length, 0, field, 0, 0, 0};
    r.avail = end <= offset ? 0 : end - offset < length ? end - offset : length;
    int numeric = field != HEAPEV_FIELD_TRAILING && field != HEAPEV_FIELD_UNDECODED;
    if (numeric && !b->unread && r.avail == length && length <= 8) {
        r.has_value = 1;
        r.value = read_field(b->data + offset, length);
    }
    r.findings = findings_for(b->event, field, r.avail < length);
    if (b->n < b->cap)
        b->out[b->n] = r;
    b->n++;
}

/* The payload fields of width @p w at @p base, the input ending at @p end; then trailing bytes. */
static void add_payload(builder *b, size_t base, unsigned w, size_t end)
{
    const field_span spans[N_PAYLOAD_SPANS] = {
        {HEAPEV_FIELD_HEAP_HANDLE, HEAPEV_PAYLOAD_OFF_HEAP_HANDLE(w), HEAPEV_PAYLOAD_OFF_SIZE(w)},
        {HEAPEV_FIELD_SIZE, HEAPEV_PAYLOAD_OFF_SIZE(w), HEAPEV_PAYLOAD_OFF_ADDRESS(w)},
        {HEAPEV_FIELD_ADDRESS, HEAPEV_PAYLOAD_OFF_ADDRESS(w), HEAPEV_PAYLOAD_OFF_SOURCE(w)},
        {HEAPEV_FIELD_SOURCE, HEAPEV_PAYLOAD_OFF_SOURCE(w), HEAPEV_PAYLOAD_SIZE(w)},
    };
    for (unsigned i = 0; i < N_PAYLOAD_SPANS; i++)
        add_range(b, spans[i].field, base + spans[i].off, spans[i].end - spans[i].off, end);
    size_t need = base + HEAPEV_PAYLOAD_SIZE(w);
    if (end > need)
        add_range(b, HEAPEV_FIELD_TRAILING, need, end - need, end);
}

size_t heapev_layout_payload(const void *data, size_t len, unsigned width,
                             const heapev_limits *limits, heapev_event *event,
                             heapev_layout_range *out, size_t cap)
{
    heapev_event local;
    heapev_event *e = event != NULL ? event : &local;
    heapev_decode_payload(data, len, width, limits, e);
    builder b = {out, cap, 0, data, e, !e->payload_decoded};
    if (e->pointer_width == 4 || e->pointer_width == 8)
        add_payload(&b, 0, e->pointer_width, len);
    else
        add_range(&b, HEAPEV_FIELD_UNDECODED, 0, len, len);
    return b.n;
}

/* Header size the decoder reads a record with: the type's, else the compact one. */
static unsigned record_header_size(const uint8_t *p, size_t len)
{
    unsigned size = len > HEAPEV_HEADER_OFF_HEADER_TYPE
                        ? heapev_header_type_size(p[HEAPEV_HEADER_OFF_HEADER_TYPE])
                        : 0;
    return size != 0 ? size : HEAPEV_HEADER_SIZE_COMPACT;
}

/* The header fields of a header of @p hsize bytes, the input ending at @p end. */
static void add_header(builder *b, unsigned hsize, size_t end)
{
    const field_span *spans = hsize == HEAPEV_HEADER_SIZE_PERFINFO ? perfinfo_spans : header_spans;
    size_t n = hsize == HEAPEV_HEADER_SIZE_PERFINFO ? sizeof perfinfo_spans / sizeof perfinfo_spans[0]
                                                    : N_HEADER_SPANS;
    for (size_t i = 0; i < n && spans[i].end <= hsize; i++)
        add_range(b, spans[i].field, spans[i].off, spans[i].end - spans[i].off, end);
}

size_t heapev_layout_record(const void *data, size_t len, const heapev_limits *limits,
                            heapev_event *event, heapev_layout_range *out, size_t cap,
                            size_t *consumed)
{
    heapev_event local;
    heapev_event *e = event != NULL ? event : &local;
    size_t extent = len;
    heapev_decode_record(data, len, limits, e, &extent);
    if (consumed != NULL)
        *consumed = extent;
    builder b = {out, cap, 0, data, e, !e->has_header};
    unsigned hsize = record_header_size(data, len);
    add_header(&b, hsize, len);
    if (!e->has_header)
        return b.n; /* header cut short: the decoder read nothing */
    b.unread = !e->payload_decoded;
    if (e->pointer_width != 0 && !(e->findings & HEAPEV_FINDING(NOT_HEAP_ALLOC)))
        add_payload(&b, hsize, e->pointer_width, extent);
    else if (extent > hsize)
        add_range(&b, HEAPEV_FIELD_UNDECODED, hsize, extent - hsize, extent);
    return b.n;
}

/* ---- meaning ----------------------------------------------------------- */

static const char *header_type_label(uint64_t type)
{
    switch (type) {
    case HEAPEV_HEADER_TYPE_SYSTEM32: return "SYSTEM32";
    case HEAPEV_HEADER_TYPE_SYSTEM64: return "SYSTEM64";
    case HEAPEV_HEADER_TYPE_COMPACT32: return "COMPACT32";
    case HEAPEV_HEADER_TYPE_COMPACT64: return "COMPACT64";
    case HEAPEV_HEADER_TYPE_PERFINFO32: return "PERFINFO32";
    case HEAPEV_HEADER_TYPE_PERFINFO64: return "PERFINFO64";
    default: return NULL;
    }
}

static size_t meaning_header_type(uint64_t type, char *out, size_t cap)
{
    const char *label = header_type_label(type);
    if (label == NULL)
        return (size_t)snprintf(out, cap, "unknown header type");
    return (size_t)snprintf(out, cap, "%s: %u-bit payload, %u-byte header", label,
                            heapev_header_type_width((uint8_t)type) * 8u,
                            heapev_header_type_size((uint8_t)type));
}

static size_t meaning_hook(uint64_t hook, char *out, size_t cap)
{
    const char *name = heapev_hook_name((uint16_t)hook);
    if (hook == HEAPEV_HOOK_HEAP_ALLOC)
        return (size_t)snprintf(out, cap, "%s", name);
    if (name != NULL)
        return (size_t)snprintf(out, cap, "%s, not heap Alloc (0x%04x)", name,
                                HEAPEV_HOOK_HEAP_ALLOC);
    return (size_t)snprintf(out, cap, "unknown hook, not heap Alloc (0x%04x)",
                            HEAPEV_HOOK_HEAP_ALLOC);
}

/* Address alignment: the field is pointer-sized, so its length is the width. */
static size_t meaning_address(uint64_t address, size_t width, char *out, size_t cap)
{
    uint64_t align = HEAPEV_ADDRESS_ALIGN(width);
    if (address % align == 0)
        return (size_t)snprintf(out, cap, "%u-byte aligned", (unsigned)align);
    return (size_t)snprintf(out, cap, "%u bytes past a %u-byte boundary",
                            (unsigned)(address % align), (unsigned)align);
}

static size_t meaning_source(uint64_t source, char *out, size_t cap)
{
    const char *name = source <= UINT32_MAX ? heapev_source_label((uint32_t)source)
                                            : HEAPEV_SOURCE_UNDEFINED_NAME;
    return (size_t)snprintf(out, cap, "%s", name);
}

/* BufferFlag bits by name, "none" for 0. */
static size_t meaning_buffer_flag(uint64_t v, char *out, size_t cap)
{
    static const struct { uint64_t bit; const char *name; } bits[] = {
        {HEAPEV_ETL_BUFFER_FLAG_FLUSH_MARKER, "flush marker"},
        {HEAPEV_ETL_BUFFER_FLAG_EVENTS_LOST, "events lost"},
        {HEAPEV_ETL_BUFFER_FLAG_BUFFER_LOST, "buffer lost"},
        {HEAPEV_ETL_BUFFER_FLAG_PROCESSOR_INDEX, "processor index"},
        {HEAPEV_ETL_BUFFER_FLAG_COMPRESSED, "compressed (LZXpress)"},
    };
    size_t n = 0;
    uint64_t rest = v;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        if (!(v & bits[i].bit))
            continue;
        rest &= ~bits[i].bit;
        size_t k = (size_t)snprintf(n < cap ? out + n : NULL, n < cap ? cap - n : 0, "%s%s",
                                    n ? " | " : "", bits[i].name);
        n += k;
    }
    if (rest != 0 || v == 0) {
        size_t k = (size_t)snprintf(n < cap ? out + n : NULL, n < cap ? cap - n : 0,
                                    rest ? "%sother bits 0x%llx" : "%snone", n ? " | " : "",
                                    (unsigned long long)rest);
        n += k;
    }
    return n;
}

static size_t meaning_buffer_type(uint64_t v, char *out, size_t cap)
{
    switch (v) {
    case HEAPEV_ETL_BUFFER_TYPE_GENERIC: return (size_t)snprintf(out, cap, "generic");
    case HEAPEV_ETL_BUFFER_TYPE_RUNDOWN: return (size_t)snprintf(out, cap, "rundown");
    case HEAPEV_ETL_BUFFER_TYPE_HEADER: return (size_t)snprintf(out, cap, "header");
    default: return (size_t)snprintf(out, cap, "other buffer type");
    }
}

/* Meanings of the WMI_BUFFER_HEADER and TRACE_LOGFILE_HEADER fields. */
static size_t meaning_etl(const heapev_layout_range *r, char *out, size_t cap)
{
    uint64_t v = r->value;
    switch (r->field) {
    case HEAPEV_FIELD_BUF_BUFFER_SIZE:
    case HEAPEV_FIELD_LF_BUFFER_SIZE:
        return (size_t)snprintf(out, cap, "buffer bytes, header included");
    case HEAPEV_FIELD_BUF_SAVED_OFFSET:
        if (v == 0)
            return (size_t)snprintf(out, cap, "0: as Windows 7 writes it in the header buffer");
        return (size_t)snprintf(out, cap, "compared with Offset, not used to read");
    case HEAPEV_FIELD_BUF_OFFSET:
        if (v < HEAPEV_ETL_BUFFER_HEADER_SIZE)
            return (size_t)snprintf(out, cap, "end of the records: below the %u-byte buffer header",
                                    HEAPEV_ETL_BUFFER_HEADER_SIZE);
        return (size_t)snprintf(out, cap, "end of the records, header included");
    case HEAPEV_FIELD_BUF_TIMESTAMP: return (size_t)snprintf(out, cap, "timestamp");
    case HEAPEV_FIELD_BUF_CLOCK:
        return (size_t)snprintf(out, cap, "ClockType %u, Frequency %llu",
                                (unsigned)(v & ((1u << HEAPEV_ETL_CLOCK_TYPE_BITS) - 1u)),
                                (unsigned long long)(v >> HEAPEV_ETL_CLOCK_TYPE_BITS));
    case HEAPEV_FIELD_BUF_FLAG: return meaning_buffer_flag(v, out, cap);
    case HEAPEV_FIELD_BUF_TYPE: return meaning_buffer_type(v, out, cap);
    case HEAPEV_FIELD_LF_VERSION:
        return (size_t)snprintf(out, cap, "%u.%u.%u.%u", (unsigned)(v & 0xFF),
                                (unsigned)(v >> 8 & 0xFF), (unsigned)(v >> 16 & 0xFF),
                                (unsigned)(v >> 24 & 0xFF));
    case HEAPEV_FIELD_LF_END_TIME:
    case HEAPEV_FIELD_LF_BOOT_TIME:
    case HEAPEV_FIELD_LF_START_TIME: return (size_t)snprintf(out, cap, "timestamp");
    case HEAPEV_FIELD_LF_BUFFERS_WRITTEN:
        return (size_t)snprintf(out, cap, "buffers in the file, buffer 0 included");
    case HEAPEV_FIELD_LF_POINTER_SIZE:
        return v == 4 || v == 8
                   ? (size_t)snprintf(out, cap, "%u-bit payloads", (unsigned)v * 8u)
                   : (size_t)snprintf(out, cap, "invalid: neither 4 nor 8");
    case HEAPEV_FIELD_LF_LOGGER_NAME:
    case HEAPEV_FIELD_LF_LOG_FILE_NAME:
        return (size_t)snprintf(out, cap, "producer's pointer, not used");
    case HEAPEV_FIELD_LF_CPU_SPEED: return (size_t)snprintf(out, cap, "MHz");
    default: return (size_t)snprintf(out, cap, "%s", "");
    }
}

static size_t meaning_value(const heapev_layout_range *r, char *out, size_t cap)
{
    uint64_t v = r->value;
    switch (r->field) {
    case HEAPEV_FIELD_VERSION:
        return v == HEAPEV_HEADER_VERSION
                   ? (size_t)snprintf(out, cap, "SYSTEM_TRACE_VERSION")
                   : (size_t)snprintf(out, cap, "expected %u", HEAPEV_HEADER_VERSION);
    case HEAPEV_FIELD_HEADER_TYPE: return meaning_header_type(v, out, cap);
    case HEAPEV_FIELD_FLAGS:
        return v == HEAPEV_HEADER_FLAGS
                   ? (size_t)snprintf(out, cap, "trace header | event trace")
                   : (size_t)snprintf(out, cap, "expected 0x%02X", HEAPEV_HEADER_FLAGS);
    case HEAPEV_FIELD_RECORD_SIZE: return (size_t)snprintf(out, cap, "record bytes, header included");
    case HEAPEV_FIELD_HOOK_ID: return meaning_hook(v, out, cap);
    case HEAPEV_FIELD_SYSTEM_TIME: return (size_t)snprintf(out, cap, "timestamp");
    case HEAPEV_FIELD_SIZE: return (size_t)snprintf(out, cap, "allocation size in bytes");
    case HEAPEV_FIELD_ADDRESS: return meaning_address(v, r->length, out, cap);
    case HEAPEV_FIELD_SOURCE: return meaning_source(v, out, cap);
    default: return meaning_etl(r, out, cap);
    }
}

size_t heapev_layout_meaning(const heapev_layout_range *range, char *out, size_t cap)
{
    if (range->avail < range->length)
        return (size_t)snprintf(out, cap, "%zu of %zu bytes missing",
                                range->length - range->avail, range->length);
    if (range->field == HEAPEV_FIELD_TRAILING)
        return (size_t)snprintf(out, cap, "%zu bytes beyond the version 0 layout, ignored",
                                range->length);
    if (range->field == HEAPEV_FIELD_UNDECODED)
        return (size_t)snprintf(out, cap, "%zu bytes not decoded", range->length);
    if (!range->has_value)
        return (size_t)snprintf(out, cap, "%s", "");
    return meaning_value(range, out, cap);
}

/* ---- ETL container ------------------------------------------------------ */

heapev_findings heapev_layout_attach(heapev_layout_range *ranges, size_t n,
                                     heapev_findings findings)
{
    heapev_findings placed = 0;
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        heapev_findings bit = HEAPEV_FINDING_BIT(c);
        if (!(findings & bit))
            continue;
        heapev_fields fields = heapev_layout_finding_fields((heapev_finding)c);
        for (size_t i = 0; i < n; i++) {
            if (fields & HEAPEV_FIELD_BIT(ranges[i].field)) {
                ranges[i].findings |= bit;
                placed |= bit;
            }
        }
    }
    return placed;
}

/* WMI_BUFFER_HEADER fields in byte order. */
static const field_span buffer_spans[] = {
    {HEAPEV_FIELD_BUF_BUFFER_SIZE, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, HEAPEV_ETL_BUF_OFF_SAVED_OFFSET},
    {HEAPEV_FIELD_BUF_SAVED_OFFSET, HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET},
    {HEAPEV_FIELD_BUF_CURRENT_OFFSET, HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET,
     HEAPEV_ETL_BUF_OFF_REFERENCE_COUNT},
    {HEAPEV_FIELD_BUF_REFERENCE_COUNT, HEAPEV_ETL_BUF_OFF_REFERENCE_COUNT, HEAPEV_ETL_BUF_OFF_TIMESTAMP},
    {HEAPEV_FIELD_BUF_TIMESTAMP, HEAPEV_ETL_BUF_OFF_TIMESTAMP, HEAPEV_ETL_BUF_OFF_SEQUENCE},
    {HEAPEV_FIELD_BUF_SEQUENCE, HEAPEV_ETL_BUF_OFF_SEQUENCE, HEAPEV_ETL_BUF_OFF_CLOCK},
    {HEAPEV_FIELD_BUF_CLOCK, HEAPEV_ETL_BUF_OFF_CLOCK, HEAPEV_ETL_BUF_OFF_PROCESSOR},
    {HEAPEV_FIELD_BUF_PROCESSOR, HEAPEV_ETL_BUF_OFF_PROCESSOR, HEAPEV_ETL_BUF_OFF_LOGGER_ID},
    {HEAPEV_FIELD_BUF_LOGGER_ID, HEAPEV_ETL_BUF_OFF_LOGGER_ID, HEAPEV_ETL_BUF_OFF_STATE},
    {HEAPEV_FIELD_BUF_STATE, HEAPEV_ETL_BUF_OFF_STATE, HEAPEV_ETL_BUF_OFF_OFFSET},
    {HEAPEV_FIELD_BUF_OFFSET, HEAPEV_ETL_BUF_OFF_OFFSET, HEAPEV_ETL_BUF_OFF_BUFFER_FLAG},
    {HEAPEV_FIELD_BUF_FLAG, HEAPEV_ETL_BUF_OFF_BUFFER_FLAG, HEAPEV_ETL_BUF_OFF_BUFFER_TYPE},
    {HEAPEV_FIELD_BUF_TYPE, HEAPEV_ETL_BUF_OFF_BUFFER_TYPE, HEAPEV_ETL_BUF_OFF_RESERVED},
    {HEAPEV_FIELD_BUF_RESERVED, HEAPEV_ETL_BUF_OFF_RESERVED, HEAPEV_ETL_BUFFER_HEADER_SIZE},
};

static void add_spans(builder *b, size_t base, const field_span *spans, size_t n, size_t end)
{
    for (size_t i = 0; i < n; i++)
        add_range(b, spans[i].field, base + spans[i].off, spans[i].end - spans[i].off, end);
}

size_t heapev_layout_etl_buffer(const void *data, size_t len, heapev_findings findings,
                                heapev_layout_range *out, size_t cap)
{
    heapev_event e = {0};
    e.findings = findings;
    builder b = {out, cap, 0, data, &e, 0};
    add_spans(&b, 0, buffer_spans, sizeof buffer_spans / sizeof buffer_spans[0], len);
    return b.n;
}

/* Fixed TRACE_LOGFILE_HEADER fields up to CpuSpeedInMHz (pointer size independent). */
static const field_span logfile_spans[] = {
    {HEAPEV_FIELD_LF_BUFFER_SIZE, HEAPEV_LOGFILE_OFF_BUFFER_SIZE, HEAPEV_LOGFILE_OFF_VERSION},
    {HEAPEV_FIELD_LF_VERSION, HEAPEV_LOGFILE_OFF_VERSION, HEAPEV_LOGFILE_OFF_PROVIDER_VERSION},
    {HEAPEV_FIELD_LF_PROVIDER_VERSION, HEAPEV_LOGFILE_OFF_PROVIDER_VERSION,
     HEAPEV_LOGFILE_OFF_PROCESSORS},
    {HEAPEV_FIELD_LF_PROCESSORS, HEAPEV_LOGFILE_OFF_PROCESSORS, HEAPEV_LOGFILE_OFF_END_TIME},
    {HEAPEV_FIELD_LF_END_TIME, HEAPEV_LOGFILE_OFF_END_TIME, HEAPEV_LOGFILE_OFF_TIMER_RESOLUTION},
    {HEAPEV_FIELD_LF_TIMER_RESOLUTION, HEAPEV_LOGFILE_OFF_TIMER_RESOLUTION,
     HEAPEV_LOGFILE_OFF_MAX_FILE_SIZE},
    {HEAPEV_FIELD_LF_MAX_FILE_SIZE, HEAPEV_LOGFILE_OFF_MAX_FILE_SIZE, HEAPEV_LOGFILE_OFF_LOG_FILE_MODE},
    {HEAPEV_FIELD_LF_LOG_FILE_MODE, HEAPEV_LOGFILE_OFF_LOG_FILE_MODE,
     HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN},
    {HEAPEV_FIELD_LF_BUFFERS_WRITTEN, HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN,
     HEAPEV_LOGFILE_OFF_START_BUFFERS},
    {HEAPEV_FIELD_LF_START_BUFFERS, HEAPEV_LOGFILE_OFF_START_BUFFERS, HEAPEV_LOGFILE_OFF_POINTER_SIZE},
    {HEAPEV_FIELD_LF_POINTER_SIZE, HEAPEV_LOGFILE_OFF_POINTER_SIZE, HEAPEV_LOGFILE_OFF_EVENTS_LOST},
    {HEAPEV_FIELD_LF_EVENTS_LOST, HEAPEV_LOGFILE_OFF_EVENTS_LOST, HEAPEV_LOGFILE_OFF_CPU_SPEED},
    {HEAPEV_FIELD_LF_CPU_SPEED, HEAPEV_LOGFILE_OFF_CPU_SPEED, HEAPEV_LOGFILE_OFF_LOGGER_NAME},
};

#define N_LOGFILE_SPANS (sizeof logfile_spans / sizeof logfile_spans[0])

/* End (exclusive) of the NUL-terminated UTF-16LE string at @p at, or @p end. */
static size_t utf16_end(const uint8_t *p, size_t at, size_t end)
{
    for (size_t i = at; i + 2 <= end; i += 2)
        if (heapev_read_le16(p + i) == 0)
            return i + 2;
    return end;
}

/* The logfile payload at @p base (pointer size @p ps) up to the record end @p end. */
static void add_logfile_payload(builder *b, size_t base, unsigned ps, size_t end)
{
    add_spans(b, base, logfile_spans, N_LOGFILE_SPANS, end);
    size_t at = base + HEAPEV_LOGFILE_OFF_LOGGER_NAME;
    if (ps != 4 && ps != 8) {
        if (end > at)
            add_range(b, HEAPEV_FIELD_UNDECODED, at, end - at, end);
        return;
    }
    const field_span rest[] = {
        {HEAPEV_FIELD_LF_LOGGER_NAME, HEAPEV_LOGFILE_OFF_LOGGER_NAME, HEAPEV_LOGFILE_OFF_LOG_FILE_NAME(ps)},
        {HEAPEV_FIELD_LF_LOG_FILE_NAME, HEAPEV_LOGFILE_OFF_LOG_FILE_NAME(ps), HEAPEV_LOGFILE_OFF_TIME_ZONE(ps)},
        {HEAPEV_FIELD_LF_TIME_ZONE, HEAPEV_LOGFILE_OFF_TIME_ZONE(ps),
         HEAPEV_LOGFILE_OFF_TIME_ZONE(ps) + HEAPEV_LOGFILE_TIME_ZONE_SIZE},
        {HEAPEV_FIELD_LF_PADDING, HEAPEV_LOGFILE_OFF_TIME_ZONE(ps) + HEAPEV_LOGFILE_TIME_ZONE_SIZE,
         HEAPEV_LOGFILE_OFF_BOOT_TIME(ps)},
        {HEAPEV_FIELD_LF_BOOT_TIME, HEAPEV_LOGFILE_OFF_BOOT_TIME(ps), HEAPEV_LOGFILE_OFF_PERF_FREQ(ps)},
        {HEAPEV_FIELD_LF_PERF_FREQ, HEAPEV_LOGFILE_OFF_PERF_FREQ(ps), HEAPEV_LOGFILE_OFF_START_TIME(ps)},
        {HEAPEV_FIELD_LF_START_TIME, HEAPEV_LOGFILE_OFF_START_TIME(ps),
         HEAPEV_LOGFILE_OFF_RESERVED_FLAGS(ps)},
        {HEAPEV_FIELD_LF_RESERVED_FLAGS, HEAPEV_LOGFILE_OFF_RESERVED_FLAGS(ps),
         HEAPEV_LOGFILE_OFF_BUFFERS_LOST(ps)},
        {HEAPEV_FIELD_LF_BUFFERS_LOST, HEAPEV_LOGFILE_OFF_BUFFERS_LOST(ps), HEAPEV_LOGFILE_FIXED_SIZE(ps)},
    };
    add_spans(b, base, rest, sizeof rest / sizeof rest[0], end);
    size_t names = base + HEAPEV_LOGFILE_FIXED_SIZE(ps);
    if (end <= names)
        return;
    size_t mid = utf16_end(b->data, names, end);
    add_range(b, HEAPEV_FIELD_LF_SESSION_NAME, names, mid - names, end);
    if (mid < end) {
        size_t last = utf16_end(b->data, mid, end);
        add_range(b, HEAPEV_FIELD_LF_FILE_NAME, mid, last - mid, end);
        if (last < end)
            add_range(b, HEAPEV_FIELD_TRAILING, last, end - last, end);
    }
}

size_t heapev_layout_etl_logfile(const void *data, size_t len, heapev_findings findings,
                                 heapev_layout_range *out, size_t cap, size_t *consumed)
{
    const uint8_t *p = data;
    heapev_event e = {0};
    e.findings = findings;
    builder b = {out, cap, 0, p, &e, 0};
    unsigned hsize = record_header_size(p, len);
    add_header(&b, hsize, len);
    size_t end = len;
    if (len >= HEAPEV_HEADER_OFF_SIZE + 2u) {
        size_t size = heapev_read_le16(p + HEAPEV_HEADER_OFF_SIZE);
        if (size >= hsize && size <= len)
            end = size;
    }
    if (consumed != NULL)
        *consumed = end;
    if (len < hsize)
        return b.n;
    unsigned ps = end >= hsize + HEAPEV_LOGFILE_OFF_POINTER_SIZE + 4u
                      ? (unsigned)heapev_read_le32(p + hsize + HEAPEV_LOGFILE_OFF_POINTER_SIZE)
                      : 0u;
    add_logfile_payload(&b, hsize, ps, end);
    return b.n;
}
