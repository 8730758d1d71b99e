/**
 * @file heapev/layout.h
 * @brief Where each field of a payload or record sits in given bytes, and
 *        which findings point at it.
 *
 * The layout functions decode the bytes exactly as heapev/decode.h does and
 * describe them as labelled byte ranges, in byte order: for a record each
 * SYSTEM_TRACE_HEADER field (Version .. SystemTime, plus KernelTime and
 * UserTime for SYSTEM headers), then the payload fields HeapHandle, Size,
 * Address, Source of the width the HeaderType implies, then any trailing
 * bytes; for a bare payload the four payload fields and trailing bytes.
 *
 * Every finding of the decoded event is attached to the range(s) whose bytes
 * cause it (heapev_layout_finding_fields() gives the map): source_* to
 * Source, address_misaligned to Address, address_wraps to Address and Size,
 * header_flags_invalid to Flags, header_size_mismatch to the record Size
 * field, not_heap_alloc to HookId, trailing_bytes to the trailing range,
 * length_ambiguous to the whole input, truncated to every field whose bytes
 * are (partly) missing.
 *
 * A field the input ends inside, or before, is still listed at the offset
 * and length the format gives it, with @c avail below @c length: that is
 * where bytes are missing. Offsets and lengths come from heapev/format.h.
 *
 * Nothing allocates: ranges go into a caller-provided array.
 */
#ifndef HEAPEV_LAYOUT_H
#define HEAPEV_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/decode.h"
#include "heapev/event.h"
#include "heapev/findings.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The fields a range can be labelled with. */
typedef enum heapev_field {
    HEAPEV_FIELD_VERSION = 0,   /**< header: Version (u16) */
    HEAPEV_FIELD_HEADER_TYPE,   /**< header: HeaderType (u8) */
    HEAPEV_FIELD_FLAGS,         /**< header: Flags (u8) */
    HEAPEV_FIELD_RECORD_SIZE,   /**< header: Size (u16), the whole record's size */
    HEAPEV_FIELD_HOOK_ID,       /**< header: HookId (u16) */
    HEAPEV_FIELD_THREAD_ID,     /**< header: ThreadId (u32) */
    HEAPEV_FIELD_PROCESS_ID,    /**< header: ProcessId (u32) */
    HEAPEV_FIELD_SYSTEM_TIME,   /**< header: SystemTime (i64) */
    HEAPEV_FIELD_KERNEL_TIME,   /**< header: KernelTime (u32, SYSTEM headers only) */
    HEAPEV_FIELD_USER_TIME,     /**< header: UserTime (u32, SYSTEM headers only) */
    HEAPEV_FIELD_HEAP_HANDLE,   /**< payload: HeapHandle (pointer) */
    HEAPEV_FIELD_SIZE,          /**< payload: Size (pointer-sized) */
    HEAPEV_FIELD_ADDRESS,       /**< payload: Address (pointer) */
    HEAPEV_FIELD_SOURCE,        /**< payload: Source (u32) */
    HEAPEV_FIELD_TRAILING,      /**< payload bytes beyond the version 0 layout */
    HEAPEV_FIELD_UNDECODED,     /**< bytes the decoder does not read (width or hook unknown) */
    HEAPEV_FIELD_COUNT          /**< number of fields */
} heapev_field;

/** A set of fields: bit (1 << field). */
typedef uint32_t heapev_fields;

/** The set holding the single field @p f. */
#define HEAPEV_FIELD_BIT(f) ((heapev_fields)1 << (unsigned)(f))

/** The most ranges a layout can have (header + payload + trailing). */
#define HEAPEV_LAYOUT_MAX_RANGES 16u

/** One labelled byte range. */
typedef struct heapev_layout_range {
    size_t offset;            /**< from the start of the bytes given */
    size_t length;            /**< bytes the format gives the field */
    size_t avail;             /**< bytes of it present in the input (<= length) */
    heapev_field field;       /**< what the bytes are */
    int has_value;            /**< 1 when @c value holds the field (whole, numeric field) */
    uint64_t value;           /**< the little-endian value (SystemTime: its two's complement) */
    heapev_findings findings; /**< the event's findings that point at these bytes */
} heapev_layout_range;

/**
 * @brief Name of a field as the format documents it: "Version",
 *        "HeaderType", "Flags", "Size" (both the record's and the payload's),
 *        "HookId", "ThreadId", "ProcessId", "SystemTime", "KernelTime",
 *        "UserTime", "HeapHandle", "Address", "Source", "trailing",
 *        "undecoded".
 * @param field a field
 * @return the name, or NULL when @p field is not below HEAPEV_FIELD_COUNT
 */
const char *heapev_field_name(heapev_field field);

/**
 * @brief Whether a field belongs to the SYSTEM_TRACE_HEADER.
 * @param field a field
 * @return 1 for Version .. UserTime, 0 otherwise
 */
int heapev_field_in_header(heapev_field field);

/**
 * @brief The fields a finding points at (the map this header's
 *        description lists). truncated and length_ambiguous are attached by
 *        position instead (missing bytes, whole input) and map to 0 here,
 *        as do the etl_* container findings.
 * @param code a finding code
 * @return the set of fields; 0 for a finding not tied to a field
 */
heapev_fields heapev_layout_finding_fields(heapev_finding code);

/**
 * @brief Lay out a bare payload, decoding it with heapev_decode_payload().
 *
 * With a width of 4 or 8 (or 16/28 bytes to infer it from): the four fields
 * at their format offsets, then a trailing range for extra bytes. With no
 * usable width (length_ambiguous): one undecoded range over the whole input.
 *
 * @param data   the bytes (may be NULL when @p len is 0)
 * @param len    number of bytes at @p data
 * @param width  4, 8 or HEAPEV_WIDTH_INFER, as for heapev_decode_payload()
 * @param limits range-check limits, or NULL for heapev_limits_default()
 * @param event  receives the decoded event; may be NULL
 * @param out    receives the ranges in byte order; may be NULL when @p cap is 0
 * @param cap    room at @p out (HEAPEV_LAYOUT_MAX_RANGES is always enough)
 * @return the number of ranges of the layout; only the first min(return,
 *         @p cap) were written
 */
size_t heapev_layout_payload(const void *data, size_t len, unsigned width,
                             const heapev_limits *limits, heapev_event *event,
                             heapev_layout_range *out, size_t cap);

/**
 * @brief Lay out one record at the start of @p data, decoding it with
 *        heapev_decode_record().
 *
 * The header fields of the header size the HeaderType gives (24 bytes, as
 * the decoder reads them, when the type is unknown or missing), then, when
 * the HeaderType gives a width and the HookId is heap Alloc, the payload
 * fields up to the record's end (its Size when valid, else @p len) and a
 * trailing range; otherwise one undecoded range up to the record's end.
 *
 * @param data     the bytes (may be NULL when @p len is 0)
 * @param len      bytes available at @p data (possibly more records)
 * @param limits   range-check limits, or NULL for heapev_limits_default()
 * @param event    receives the decoded event; may be NULL
 * @param out      receives the ranges in byte order; may be NULL when @p cap is 0
 * @param cap      room at @p out (HEAPEV_LAYOUT_MAX_RANGES is always enough)
 * @param consumed receives the bytes the record occupies, as
 *                 heapev_decode_record() reports them; may be NULL
 * @return the number of ranges of the layout; only the first min(return,
 *         @p cap) were written
 */
size_t heapev_layout_record(const void *data, size_t len, const heapev_limits *limits,
                            heapev_event *event, heapev_layout_range *out, size_t cap,
                            size_t *consumed);

/**
 * @brief What a range's value means, in words: the Source name, the hook
 *        name, the header type, whether Flags and Version are the expected
 *        values, the record size, the trailing or missing byte count.
 *
 * Always NUL-terminates when @p cap > 0 (like snprintf).
 * @param range a range from heapev_layout_payload() / heapev_layout_record()
 * @param out   receives the text ("" when there is nothing to say)
 * @param cap   room at @p out
 * @return the length the full text needs, excluding the NUL
 */
size_t heapev_layout_meaning(const heapev_layout_range *range, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_LAYOUT_H */
