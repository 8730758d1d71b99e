/*
 * decode.c - payload and record decoders.
 *
 * No allocation, no state, no read past len; every load is an explicit
 * little-endian load (le.h). The rules are documented in heapev/decode.h.
 */
#include "heapev/decode.h"

#include <string.h>

#include "heapev/le.h"


heapev_limits heapev_limits_default(void)
{
    heapev_limits limits = {HEAPEV_USER_MAX_32, HEAPEV_USER_MAX_64, HEAPEV_USER_MAX_32_WOW64};
    return limits;
}

static heapev_limits limits_or_default(const heapev_limits *limits)
{
    return limits != NULL ? *limits : heapev_limits_default();
}

static heapev_findings check_source(uint32_t source)
{
    if (source == HEAPEV_SOURCE_INVALID)
        return HEAPEV_FINDING(SOURCE_INVALID);
    if (source == HEAPEV_SOURCE_SEGMENT_HEAP)
        return HEAPEV_FINDING(SOURCE_RESERVED);
    if (heapev_source_name(source) == NULL)
        return HEAPEV_FINDING(SOURCE_UNDEFINED);
    return 0;
}

/* Address + Size - 1 beyond the highest address of the pointer width. */
static int address_wraps(uint64_t address, uint64_t size, unsigned width)
{
    uint64_t top = width == 8 ? UINT64_MAX : UINT32_MAX;
    return size != 0 && address <= top && size - 1 > top - address;
}

/*
 * A user-space block whose last byte, Address + Size - 1, lies above
 * @p user_max (the caller leaves out a block that wraps: address_wraps).
 */
static inline int block_end_beyond(uint64_t address, uint64_t size, uint64_t user_max)
{
    return size != 0 && address <= user_max && size - 1 > user_max - address;
}

/* 1..0xFFFF: a pointer into the lowest 64 KiB, which are never mapped (0 is "null"). */
static inline int in_low_range(uint64_t pointer)
{
    return pointer != 0 && pointer < HEAPEV_LOWEST_MAPPED;
}

/*
 * The range checks of the four fields (heapev_check_fields()), @p source_f
 * being check_source(source): one place for both decoders.
 */
static inline heapev_findings field_checks(uint64_t handle, uint64_t size, uint64_t address,
                                           uint32_t source, heapev_findings source_f,
                                           unsigned width, uint64_t user_max)
{
    heapev_findings f = source_f;
    f |= handle == 0 ? HEAPEV_FINDING(HEAP_HANDLE_NULL) : 0;
    f |= address == 0 ? HEAPEV_FINDING(ADDRESS_NULL) : 0;
    f |= address % HEAPEV_ADDRESS_ALIGN(width) != 0 ? HEAPEV_FINDING(ADDRESS_MISALIGNED) : 0;
    int wraps = address_wraps(address, size, width);
    f |= wraps ? HEAPEV_FINDING(ADDRESS_WRAPS) : 0;
    f |= address > user_max ? HEAPEV_FINDING(ADDRESS_KERNEL_RANGE) : 0;
    f |= handle > user_max ? HEAPEV_FINDING(HEAP_HANDLE_KERNEL_RANGE) : 0;
    f |= size > user_max ? HEAPEV_FINDING(SIZE_IMPLAUSIBLE) : 0;
    f |= !wraps && block_end_beyond(address, size, user_max)
             ? HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE) : 0;
    f |= source == HEAPEV_SOURCE_LOWFRAG && size > HEAPEV_LFH_MAX_SIZE
             ? HEAPEV_FINDING(LOWFRAG_SIZE_TOO_LARGE) : 0;
    /* SPEC §5's checks that need no limit: the unmapped low 64 KiB, heap alignment. */
    f |= in_low_range(address) ? HEAPEV_FINDING(ADDRESS_LOW_RANGE) : 0;
    f |= in_low_range(handle) ? HEAPEV_FINDING(HEAP_HANDLE_LOW_RANGE) : 0;
    f |= handle % HEAPEV_HEAP_HANDLE_ALIGN != 0 ? HEAPEV_FINDING(HEAP_HANDLE_MISALIGNED) : 0;
    return f;
}

heapev_findings heapev_check_fields(const heapev_event *event, const heapev_limits *limits)
{
    if (event->pointer_width != 4 && event->pointer_width != 8)
        return 0;
    heapev_limits lim = limits_or_default(limits);
    uint64_t user_max = event->pointer_width == 8 ? lim.user_max_64 : lim.user_max_32;
    return field_checks(event->heap_handle, event->size, event->address, event->source,
                        check_source(event->source), event->pointer_width, user_max);
}

static unsigned infer_width(size_t len)
{
    if (len == HEAPEV_PAYLOAD_SIZE_32)
        return 4;
    if (len == HEAPEV_PAYLOAD_SIZE_64)
        return 8;
    return 0;
}

static uint32_t clamp_u32(size_t n)
{
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Decode payload fields into an event whose other members are already set. */
static heapev_findings decode_payload_fields(const uint8_t *p, size_t len, unsigned width,
                                             const heapev_limits *limits, heapev_event *e)
{
    size_t need = HEAPEV_PAYLOAD_SIZE(width);
    e->pointer_width = (uint8_t)width;
    if (len < need)
        return HEAPEV_FINDING(TRUNCATED);
    e->heap_handle = heapev_read_le_width(p + HEAPEV_PAYLOAD_OFF_HEAP_HANDLE(width), width);
    e->size = heapev_read_le_width(p + HEAPEV_PAYLOAD_OFF_SIZE(width), width);
    e->address = heapev_read_le_width(p + HEAPEV_PAYLOAD_OFF_ADDRESS(width), width);
    e->source = heapev_read_le32(p + HEAPEV_PAYLOAD_OFF_SOURCE(width));
    e->payload_decoded = 1;
    e->trailing_bytes = clamp_u32(len - need);
    return heapev_check_fields(e, limits) | (len > need ? HEAPEV_FINDING(TRAILING_BYTES) : 0);
}

heapev_findings heapev_decode_payload(const void *data, size_t len, unsigned width,
                                      const heapev_limits *limits, heapev_event *event)
{
    memset(event, 0, sizeof *event);
    if (width != 4 && width != 8) {
        width = infer_width(len);
        if (width == 0)
            return event->findings = HEAPEV_FINDING(LENGTH_AMBIGUOUS);
    }
    event->findings = decode_payload_fields(data, len, width, limits, event);
    return event->findings;
}

/* Sources below this get their findings from a table built once per batch. */
#define SOURCE_TABLE 16u

/* The payloads at @p p, @p width (a constant once inlined) bytes per field. */
static inline heapev_findings decode_run(const uint8_t *p, size_t count, unsigned width,
                                         uint64_t user_max, const heapev_findings *source_f,
                                         heapev_event *events)
{
    const size_t stride = HEAPEV_PAYLOAD_SIZE(width);
    heapev_findings all = 0;
    for (size_t i = 0; i < count; i++, p += stride) {
        uint64_t handle = heapev_read_le_width(p + HEAPEV_PAYLOAD_OFF_HEAP_HANDLE(width), width);
        uint64_t size = heapev_read_le_width(p + HEAPEV_PAYLOAD_OFF_SIZE(width), width);
        uint64_t address = heapev_read_le_width(p + HEAPEV_PAYLOAD_OFF_ADDRESS(width), width);
        uint32_t source = heapev_read_le32(p + HEAPEV_PAYLOAD_OFF_SOURCE(width));
        heapev_findings sf = source < SOURCE_TABLE ? source_f[source] : check_source(source);
        heapev_findings f = field_checks(handle, size, address, source, sf, width, user_max);
        events[i] = (heapev_event){.heap_handle = handle, .size = size, .address = address,
                                   .source = source, .pointer_width = (uint8_t)width,
                                   .payload_decoded = 1, .findings = f};
        all |= f;
    }
    return all;
}

heapev_findings heapev_decode_payloads(const void *data, size_t count, unsigned width,
                                       const heapev_limits *limits, heapev_event *events)
{
    heapev_findings source_f[SOURCE_TABLE];
    if ((width != 4 && width != 8) || count == 0)
        return 0;
    for (uint32_t s = 0; s < SOURCE_TABLE; s++)
        source_f[s] = check_source(s);
    heapev_limits lim = limits_or_default(limits);
    if (width == 8)
        return decode_run(data, count, 8, lim.user_max_64, source_f, events);
    return decode_run(data, count, 4, lim.user_max_32, source_f, events);
}

/* Header size used to read a record whose HeaderType is @p type. */
static unsigned header_read_size(uint8_t type)
{
    unsigned size = heapev_header_type_size(type);
    return size != 0 ? size : HEAPEV_HEADER_SIZE_COMPACT;
}

static void read_header(const uint8_t *p, unsigned hsize, heapev_record_header *h)
{
    h->version = heapev_read_le16(p + HEAPEV_HEADER_OFF_VERSION);
    h->header_type = p[HEAPEV_HEADER_OFF_HEADER_TYPE];
    h->flags = p[HEAPEV_HEADER_OFF_FLAGS];
    h->size = heapev_read_le16(p + HEAPEV_HEADER_OFF_SIZE);
    h->hook_id = heapev_read_le16(p + HEAPEV_HEADER_OFF_HOOK_ID);
    if (hsize == HEAPEV_HEADER_SIZE_PERFINFO) {
        h->system_time = (int64_t)heapev_read_le64(p + HEAPEV_PERFINFO_OFF_SYSTEM_TIME);
        return;
    }
    h->thread_id = heapev_read_le32(p + HEAPEV_HEADER_OFF_THREAD_ID);
    h->process_id = heapev_read_le32(p + HEAPEV_HEADER_OFF_PROCESS_ID);
    h->system_time = (int64_t)heapev_read_le64(p + HEAPEV_HEADER_OFF_SYSTEM_TIME);
    if (hsize == HEAPEV_HEADER_SIZE_SYSTEM) {
        h->kernel_time = heapev_read_le32(p + HEAPEV_HEADER_OFF_KERNEL_TIME);
        h->user_time = heapev_read_le32(p + HEAPEV_HEADER_OFF_USER_TIME);
    }
}

static heapev_findings check_header(const heapev_record_header *h)
{
    heapev_findings f = 0;
    if (heapev_header_type_width(h->header_type) == 0)
        f |= HEAPEV_FINDING(HEADER_TYPE_UNKNOWN);
    if (h->flags != HEAPEV_HEADER_FLAGS)
        f |= HEAPEV_FINDING(HEADER_FLAGS_INVALID);
    if (h->hook_id != HEAPEV_HOOK_HEAP_ALLOC)
        f |= HEAPEV_FINDING(NOT_HEAP_ALLOC);
    if (h->version != HEAPEV_HEADER_VERSION)
        f |= HEAPEV_FINDING(HEADER_VERSION_UNEXPECTED);
    return f;
}

heapev_findings heapev_decode_record(const void *data, size_t len, const heapev_limits *limits,
                                     heapev_event *event, size_t *consumed)
{
    const uint8_t *p = data;
    size_t extent = len;
    memset(event, 0, sizeof *event);
    if (consumed != NULL)
        *consumed = len;

    unsigned hsize = len > HEAPEV_HEADER_OFF_HEADER_TYPE
                         ? header_read_size(p[HEAPEV_HEADER_OFF_HEADER_TYPE])
                         : HEAPEV_HEADER_SIZE_COMPACT;
    if (len < hsize)
        return event->findings = HEAPEV_FINDING(TRUNCATED);

    event->has_header = 1;
    read_header(p, hsize, &event->header);
    heapev_findings f = check_header(&event->header);
    if (event->header.size < hsize || event->header.size > len)
        f |= HEAPEV_FINDING(HEADER_SIZE_MISMATCH);
    else
        extent = event->header.size;
    if (consumed != NULL)
        *consumed = extent;

    unsigned width = heapev_header_type_width(event->header.header_type);
    event->pointer_width = (uint8_t)width;
    if (width != 0 && !(f & HEAPEV_FINDING(NOT_HEAP_ALLOC)))
        f |= decode_payload_fields(p + hsize, extent - hsize, width, limits, event);
    return event->findings = f;
}
