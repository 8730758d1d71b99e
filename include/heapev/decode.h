/**
 * @file heapev/decode.h
 * @brief Decode and encode heap Alloc payloads and records.
 *
 * The decoder never allocates, keeps no state between calls, never reads
 * past @c len and reads every field with explicit little-endian loads, so
 * it gives the same answer on any host. It never fails: whatever the bytes,
 * it fills the event with what could be read and names every defect in
 * event->findings (see heapev/findings.h).
 *
 * Decoding rules, in the order they apply:
 *  - Payload of width w (4 or 8): fewer than 3w+4 bytes -> truncated and no
 *    field is read; more -> trailing_bytes (the extra bytes are counted in
 *    trailing_bytes and ignored).
 *  - Payload with width 0 ("infer"): 16 bytes -> 32-bit, 28 -> 64-bit, any
 *    other length -> length_ambiguous and no field is read.
 *  - Field checks run only once all four fields were read, each independently:
 *    source_undefined (0, >= 7), source_reserved (6), source_invalid (5),
 *    heap_handle_null, address_null, address_misaligned (Address % 2w),
 *    address_wraps (Size > 0 and Address + Size - 1 above 2^(8w) - 1),
 *    address_kernel_range and heap_handle_kernel_range (above the user limit),
 *    size_implausible (Size above the user limit), lowfrag_size_too_large
 *    (Source 2 and Size > 16 KiB), block_end_kernel_range (Address at most
 *    the user limit, Size > 0 and Address + Size - 1 above it without
 *    wrapping: a wrap is address_wraps alone), address_low_range and heap_handle_low_range (1..0xFFFF: the
 *    lowest 64 KiB are never mapped; 0 is the _null finding alone),
 *    heap_handle_misaligned (HeapHandle % 64 KiB != 0).
 *  - Record: see heapev_decode_record().
 */
#ifndef HEAPEV_DECODE_H
#define HEAPEV_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/event.h"
#include "heapev/findings.h"
#include "heapev/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Pointer width argument: infer it from the payload length (16 or 28). */
#define HEAPEV_WIDTH_INFER 0u

/**
 * The highest user-mode addresses assumed by the range checks. The 32-bit
 * one depends on how the producer was booted (SPEC §5), so it is the user's
 * choice; the 64-bit one is fixed by Windows.
 */
typedef struct heapev_limits {
    uint64_t user_max_32; /**< default HEAPEV_USER_MAX_32 (0x7FFEFFFF) */
    uint64_t user_max_64; /**< default HEAPEV_USER_MAX_64 */
    /**
     * Used by the .etl reader only (heapev/etl.h): the limit of a 32-bit
     * (WOW64) process whose heap Allocs sit in 32-bit headers of a
     * PointerSize-8 trace; default HEAPEV_USER_MAX_32_WOW64 (0xFFFEFFFF, a
     * large-address-aware process); 0 there means the default.
     */
    uint64_t user_max_wow64;
} heapev_limits;

/** @brief The default limits (used wherever a limits pointer is NULL). */
heapev_limits heapev_limits_default(void);

/**
 * @brief Decode a bare payload.
 *
 * @param data   the payload bytes (may be NULL when @p len is 0)
 * @param len    number of bytes at @p data
 * @param width  4, 8, or HEAPEV_WIDTH_INFER; any other value is treated as
 *               HEAPEV_WIDTH_INFER
 * @param limits user-space limits, or NULL for heapev_limits_default()
 * @param event  receives the event (fully overwritten; has_header = 0)
 * @return event->findings
 */
heapev_findings heapev_decode_payload(const void *data, size_t len, unsigned width,
                                      const heapev_limits *limits, heapev_event *event);

/**
 * @brief Decode @p count bare payloads laid back to back at @p data, each
 *        HEAPEV_PAYLOAD_SIZE(@p width) bytes (16 or 28): a batch of what
 *        heapev_decode_payload() does one at a time.
 *
 * events[i] is exactly what heapev_decode_payload(data + i * size, size,
 * width, limits, &events[i]) gives (fields, findings, has_header = 0,
 * trailing_bytes = 0); the union of their findings is returned. No
 * allocation, no state: the fields are read with explicit little-endian
 * loads, the checks are the same code as the single decoder's, and the
 * Source findings come from a 16-entry table built at each call. Tested
 * for agreement with the single decoder on random and boundary payloads
 * (tests/test_decode_payload.c).
 * @pre @p data holds count * HEAPEV_PAYLOAD_SIZE(width) bytes; @p events has
 *      room for @p count events (they may not overlap @p data)
 * @param data   the payloads (may be NULL when @p count is 0)
 * @param count  number of payloads
 * @param width  4 or 8 (a batch has one width: no inference); any other
 *               value decodes nothing and returns 0
 * @param limits user-space limits, or NULL for heapev_limits_default()
 * @param events receives the @p count events (fully overwritten)
 * @return the union of the events' findings (0: every payload is clean)
 */
heapev_findings heapev_decode_payloads(const void *data, size_t count, unsigned width,
                                       const heapev_limits *limits, heapev_event *events);

/**
 * @brief Decode one record (SYSTEM_TRACE_HEADER + payload) at the start of
 *        @p data, where @p len bytes are available (possibly more records).
 *
 * Rules:
 *  - The header is 32 bytes for HeaderType 1/2 (SYSTEM), 24 for 3/4
 *    (COMPACT), 16 for 16/17 (PERFINFO: SystemTime at 8, no thread or
 *    process id) and 24 (for reading the common fields) for unknown types. Fewer bytes than that: truncated,
 *    no header field is read, the whole input is consumed.
 *  - header_type_unknown (not 1..4, 16, 17), header_flags_invalid (Flags != 0xC0),
 *    header_version_unexpected (Version != 2) and not_heap_alloc
 *    (HookId != 0x1021) are checked independently.
 *  - The Size field delimits the record. Size below the header size or above
 *    @p len: header_size_mismatch, and the record is taken to extend to @p len.
 *  - The payload (header end to record end) is decoded as a payload of the
 *    width the HeaderType implies, with all payload rules, unless the type is
 *    unknown or the hook is not heap Alloc (then it is not read).
 *
 * @param consumed receives the bytes this record occupies: Size when it was
 *        valid, else @p len. At least 1 whenever @p len > 0, so a loop that
 *        advances by it always terminates. May be NULL.
 * @return event->findings
 */
heapev_findings heapev_decode_record(const void *data, size_t len, const heapev_limits *limits,
                                     heapev_event *event, size_t *consumed);

/**
 * @brief Run the field checks (second bullet list above) on an event whose
 *        payload fields are set, for pointer width event->pointer_width.
 * @return the field findings (not stored in the event); 0 when the width is
 *         neither 4 nor 8
 */
heapev_findings heapev_check_fields(const heapev_event *event, const heapev_limits *limits);

/**
 * @brief Encoded payload size of an event: 3w+4 for its pointer width.
 * @return 16 or 28, or 0 when event->pointer_width is neither 4 nor 8.
 */
size_t heapev_payload_size(const heapev_event *event);

/**
 * @brief Encoded record size of an event: header size for its HeaderType
 *        plus the payload size for the width that HeaderType implies.
 * @return 48, 60 (SYSTEM), 40, 52 (COMPACT), 32 or 44 (PERFINFO); 0 when
 *         the HeaderType is unknown.
 */
size_t heapev_record_size(const heapev_event *event);

/**
 * @brief Encode the payload of @p event (width event->pointer_width).
 *
 * Pointer-sized fields are truncated to the width. trailing_bytes and
 * findings are ignored.
 * @return bytes written (16 or 28), or 0 when the width is invalid or
 *         @p cap is too small (nothing is written then).
 */
size_t heapev_encode_payload(const heapev_event *event, void *out, size_t cap);

/**
 * @brief Encode @p event as a record: its header fields as given (Size is
 *        written as event->header.size, not recomputed), then its payload in
 *        the width event->header.header_type implies.
 *
 * For COMPACT headers kernel_time and user_time are not written; for
 * PERFINFO headers thread_id and process_id neither, and SystemTime goes to
 * offset 8.
 * @return bytes written, or 0 when the HeaderType is unknown or @p cap is too
 *         small (nothing is written then).
 */
size_t heapev_encode_record(const heapev_event *event, void *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_DECODE_H */
