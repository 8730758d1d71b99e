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
#include "le.h"

#define FBIT(f) HEAPEV_FIELD_BIT(HEAPEV_FIELD_##f)
#define FINDING(sym) HEAPEV_FINDING_BIT(HEAPEV_FINDING_##sym)

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
};

const char *heapev_field_name(heapev_field field)
{
    return (unsigned)field < HEAPEV_FIELD_COUNT ? field_names[field] : NULL;
}

int heapev_field_in_header(heapev_field field)
{
    return field >= HEAPEV_FIELD_VERSION && field <= HEAPEV_FIELD_USER_TIME;
}

heapev_fields heapev_layout_finding_fields(heapev_finding code)
{
    switch (code) {
    case HEAPEV_FINDING_HEADER_SIZE_MISMATCH: return FBIT(RECORD_SIZE);
    case HEAPEV_FINDING_HEADER_TYPE_UNKNOWN: return FBIT(HEADER_TYPE);
    case HEAPEV_FINDING_HEADER_FLAGS_INVALID: return FBIT(FLAGS);
    case HEAPEV_FINDING_NOT_HEAP_ALLOC: return FBIT(HOOK_ID);
    case HEAPEV_FINDING_HEADER_VERSION_UNEXPECTED: return FBIT(VERSION);
    case HEAPEV_FINDING_ETL_POINTER_SIZE_MISMATCH: return FBIT(HEADER_TYPE);
    case HEAPEV_FINDING_SOURCE_UNDEFINED:
    case HEAPEV_FINDING_SOURCE_RESERVED:
    case HEAPEV_FINDING_SOURCE_INVALID: return FBIT(SOURCE);
    case HEAPEV_FINDING_TRAILING_BYTES: return FBIT(TRAILING);
    case HEAPEV_FINDING_HEAP_HANDLE_NULL:
    case HEAPEV_FINDING_HEAP_HANDLE_KERNEL_RANGE: return FBIT(HEAP_HANDLE);
    case HEAPEV_FINDING_ADDRESS_NULL:
    case HEAPEV_FINDING_ADDRESS_MISALIGNED:
    case HEAPEV_FINDING_ADDRESS_KERNEL_RANGE: return FBIT(ADDRESS);
    case HEAPEV_FINDING_ADDRESS_WRAPS: return FBIT(ADDRESS) | FBIT(SIZE);
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
        f |= FINDING(TRUNCATED);
    if (field == HEAPEV_FIELD_UNDECODED)
        f |= FINDING(LENGTH_AMBIGUOUS);
    return f & e->findings;
}

/* Add a range at @p offset of @p length bytes, of which the input holds the bytes below @p end. */
static void add_range(builder *b, heapev_field field, size_t offset, size_t length, size_t end)
{
    heapev_layout_range r = {offset, length, 0, field, 0, 0, 0};
    r.avail = end <= offset ? 0 : end - offset < length ? end - offset : length;
    int numeric = field != HEAPEV_FIELD_TRAILING && field != HEAPEV_FIELD_UNDECODED;
    if (numeric && r.avail == length && length <= 8) {
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
    builder b = {out, cap, 0, data, e};
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
    builder b = {out, cap, 0, data, e};
    unsigned hsize = record_header_size(data, len);
    for (size_t i = 0; i < N_HEADER_SPANS && header_spans[i].end <= hsize; i++)
        add_range(&b, header_spans[i].field, header_spans[i].off,
                  header_spans[i].end - header_spans[i].off, len);
    if (!e->has_header)
        return b.n; /* header cut short: the decoder read nothing */
    if (e->pointer_width != 0 && !(e->findings & FINDING(NOT_HEAP_ALLOC)))
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
    const char *name = source <= UINT32_MAX ? heapev_source_name((uint32_t)source) : NULL;
    if (name == NULL)
        return (size_t)snprintf(out, cap, "undefined Source value");
    return (size_t)snprintf(out, cap, "%s", name);
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
    default: return (size_t)snprintf(out, cap, "%s", "");
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
