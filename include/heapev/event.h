/**
 * @file heapev/event.h
 * @brief The decoded heap Alloc event, and the names of Source values and hook ids.
 */
#ifndef HEAPEV_EVENT_H
#define HEAPEV_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/findings.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The header fields of a record (SPEC §3, §4): a SYSTEM_TRACE_HEADER
 * (SYSTEM or COMPACT family) or a PERFINFO_TRACE_HEADER, which has no
 * ThreadId, ProcessId, KernelTime or UserTime (those are 0 then).
 */
typedef struct heapev_record_header {
    uint16_t version;     /**< 2 for a well-formed record */
    uint8_t header_type;  /**< 1 SYSTEM32, 2 SYSTEM64, 3 COMPACT32, 4 COMPACT64,
                               16 PERFINFO32, 17 PERFINFO64 */
    uint8_t flags;        /**< 0xC0 for a well-formed record */
    uint16_t size;        /**< whole record size, header included, as written */
    uint16_t hook_id;     /**< 0x1021 for heap Alloc */
    uint32_t thread_id;   /**< 0 for PERFINFO headers (absent) */
    uint32_t process_id;  /**< 0 for PERFINFO headers (absent) */
    int64_t system_time;
    uint32_t kernel_time; /**< 0 for COMPACT headers (absent) */
    uint32_t user_time;   /**< 0 for COMPACT headers (absent) */
} heapev_record_header;

/**
 * A heap Alloc event as decoded (or as to be encoded).
 *
 * Pointer-sized fields are widened to 64 bits; for a 32-bit producer they
 * never exceed 0xFFFFFFFF.
 */
typedef struct heapev_event {
    uint64_t heap_handle;
    uint64_t size;
    uint64_t address;
    uint32_t source;
    uint8_t pointer_width;   /**< 4 or 8; 0 when it could not be determined */
    uint8_t has_header;      /**< 1 when decoded from (or encoded as) a record */
    uint8_t payload_decoded; /**< 1 when the four payload fields were read */
    uint32_t trailing_bytes; /**< payload bytes beyond the version 0 layout */
    heapev_record_header header; /**< valid when has_header */
    heapev_findings findings;    /**< everything wrong with it, in table order */
} heapev_event;

/**
 * @brief Name of a Source value: "lookaside", "lowfrag", "mainpath",
 *        "slowpath", "invalid", "segment_heap" for 1..6.
 * @return the name, or NULL for an undefined value (0, 7 and above).
 */
const char *heapev_source_name(uint32_t source);

/** The one word for a Source value no Windows build defines (0, 7 and above). */
#define HEAPEV_SOURCE_UNDEFINED_NAME "undefined"

/**
 * @brief Name of any Source value: heapev_source_name(), or "undefined"
 *        (HEAPEV_SOURCE_UNDEFINED_NAME) for 0 and 7 and above. What every
 *        output (decode's source_name, explain, stats) calls a Source.
 * @return the name, never NULL
 */
const char *heapev_source_label(uint32_t source);

/**
 * @brief Name of a heap-group or trace-header hook id, e.g. "heap_alloc"
 *        for 0x1021, "heap_free" for 0x1024, "logfile_header" for 0x0000,
 *        "header_build_lab" for 0x0042.
 * @return the name, or NULL for a hook id heapev does not know.
 */
const char *heapev_hook_name(uint16_t hook_id);

/**
 * @brief Pointer width implied by a record HeaderType of the three
 *        kernel-group header families.
 * @return 4 for SYSTEM32/COMPACT32/PERFINFO32, 8 for SYSTEM64/COMPACT64/
 *         PERFINFO64, 0 otherwise.
 */
unsigned heapev_header_type_width(uint8_t header_type);

/**
 * @brief Size of the record header for a HeaderType.
 * @return 32 for SYSTEM32/64, 24 for COMPACT32/64, 16 for PERFINFO32/64,
 *         0 for any other type.
 */
unsigned heapev_header_type_size(uint8_t header_type);

/**
 * @brief Offset of the SystemTime field in a record header of this type.
 * @return 16 for SYSTEM and COMPACT, 8 for PERFINFO, 0 for any other type.
 */
unsigned heapev_header_type_time_offset(uint8_t header_type);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_EVENT_H */
