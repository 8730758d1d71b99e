/**
 * @file heapev/findings.h
 * @brief The one table of findings: every defect heapev can report.
 *
 * Each finding has a stable numeric code (its position in the table), a
 * snake_case name, a severity and a one-line description. The CLI, the JSON
 * output, docs/FINDINGS.md and the tests all derive from HEAPEV_FINDING_TABLE
 * below; nothing else spells a finding out.
 *
 * Severity:
 *  - error:   the bytes cannot be decoded as a heap Alloc event;
 *  - anomaly: decoded, but no correct Windows producer emits it;
 *  - note:    not a defect: Windows writes it so, and a reader must handle it
 *             (an unfinished log). Notes do not count as findings in totals
 *             or exit statuses (heapev_findings_defects()).
 *
 * A decoded event carries a set of findings (heapev_findings, one bit per
 * code); iterating the set in code order gives the table order.
 */
#ifndef HEAPEV_FINDINGS_H
#define HEAPEV_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The findings table: X(ENUM_SUFFIX, name, severity, description).
 * Append only: a finding's code is its position and must never change.
 */
#define HEAPEV_FINDING_TABLE(X) \
    X(TRUNCATED, truncated, ERROR, \
      "fewer bytes than the header or the payload of the given width needs") \
    X(LENGTH_AMBIGUOUS, length_ambiguous, ERROR, \
      "bare payload neither 16 nor 28 bytes and no pointer width given") \
    X(HEADER_SIZE_MISMATCH, header_size_mismatch, ERROR, \
      "record Size field below the header size or beyond the bytes given") \
    X(HEADER_TYPE_UNKNOWN, header_type_unknown, ERROR, \
      "record HeaderType is not SYSTEM32/64, COMPACT32/64 or PERFINFO32/64 (1..4, 16, 17)") \
    X(HEADER_FLAGS_INVALID, header_flags_invalid, ERROR, \
      "record Flags byte is not 0xC0 (trace header flag | event trace)") \
    X(NOT_HEAP_ALLOC, not_heap_alloc, ERROR, \
      "record HookId is not 0x1021 (heap Alloc); payload not decoded") \
    X(SOURCE_UNDEFINED, source_undefined, ANOMALY, \
      "Source is 0 or 7 and above: no Windows build emits it") \
    X(SOURCE_RESERVED, source_reserved, ANOMALY, \
      "Source is 6 (MEMORY_FROM_SEGMENT_HEAP), reserved and never returned") \
    X(SOURCE_INVALID, source_invalid, ANOMALY, \
      "Source is 5 (MEMORY_FROM_INVALID): the allocator reports a failure") \
    X(TRAILING_BYTES, trailing_bytes, ANOMALY, \
      "payload longer than the version 0 layout; extra bytes ignored") \
    X(HEAP_HANDLE_NULL, heap_handle_null, ANOMALY, \
      "HeapHandle is 0") \
    X(ADDRESS_NULL, address_null, ANOMALY, \
      "Address is 0") \
    X(ADDRESS_MISALIGNED, address_misaligned, ANOMALY, \
      "Address not 8-byte (32-bit) or 16-byte (64-bit) aligned") \
    X(ADDRESS_WRAPS, address_wraps, ANOMALY, \
      "Address + Size runs past the top of the pointer-width address space") \
    X(ADDRESS_KERNEL_RANGE, address_kernel_range, ANOMALY, \
      "Address above the highest user-mode address (kernel space, or the 64 KiB guard gap below it, e.g. 0x7FFF0000)") \
    X(HEAP_HANDLE_KERNEL_RANGE, heap_handle_kernel_range, ANOMALY, \
      "HeapHandle above the highest user-mode address") \
    X(SIZE_IMPLAUSIBLE, size_implausible, ANOMALY, \
      "Size larger than the highest user-mode address") \
    X(LOWFRAG_SIZE_TOO_LARGE, lowfrag_size_too_large, ANOMALY, \
      "Source 2 (low-fragmentation heap) with Size above 16 KiB") \
    X(HEADER_VERSION_UNEXPECTED, header_version_unexpected, ANOMALY, \
      "record Version is not 2 (SYSTEM_TRACE_VERSION)") \
    X(ETL_NO_LOGFILE_HEADER, etl_no_logfile_header, ERROR, \
      "ETL: first record of the first buffer is not a SYSTEM header with HookId 0x0000") \
    X(ETL_LOGFILE_HEADER_SHORT, etl_logfile_header_short, ERROR, \
      "ETL: logfile header record shorter than its fixed part, or names not NUL-terminated in it") \
    X(ETL_POINTER_SIZE_INVALID, etl_pointer_size_invalid, ERROR, \
      "ETL: logfile header PointerSize is neither 4 nor 8") \
    X(ETL_POINTER_SIZE_MISMATCH, etl_pointer_size_mismatch, ERROR, \
      "ETL: a 64-bit record header in a trace whose PointerSize is 4 (32-bit headers in a 64-bit trace are WOW64 records)") \
    X(ETL_BUFFER_SIZE_INVALID, etl_buffer_size_invalid, ERROR, \
      "ETL: BufferSize zero, below 72 or above the limit; in a fixed-size trace also not a multiple of 8 or not the file's") \
    X(ETL_SAVED_OFFSET_INVALID, etl_saved_offset_invalid, ERROR, \
      "ETL: buffer Offset (0x30, end of the records) below the 72-byte header or beyond the buffer; records skipped") \
    X(ETL_OFFSET_MISMATCH, etl_offset_mismatch, ANOMALY, \
      "ETL: SavedOffset differs from Offset in a data buffer, or exceeds a nonzero Offset in the header buffer; records read to Offset") \
    X(ETL_RECORD_SIZE_INVALID, etl_record_size_invalid, ERROR, \
      "ETL: record Size below its header size or crossing Offset; rest of buffer skipped") \
    X(ETL_RECORD_MISALIGNED, etl_record_misaligned, ERROR, \
      "ETL: a record follows the previous one without 8-byte alignment; rest of buffer skipped") \
    X(ETL_HEADER_TYPE_UNSUPPORTED, etl_header_type_unsupported, ERROR, \
      "ETL: record marker the reader cannot step over; rest of buffer skipped") \
    X(ETL_FILLER_INSIDE_RECORDS, etl_filler_inside_records, ERROR, \
      "ETL: filler marker 0xFFFFFFFF before Offset; rest of buffer not read") \
    X(ETL_BUFFER_COMPRESSED, etl_buffer_compressed, ERROR, \
      "ETL: buffer flag 0x40 (compressed) on the header buffer, in a trace whose LogFileMode lacks 0x04000000, or without decompression memory; records not read") \
    X(ETL_TRUNCATED_FILE, etl_truncated_file, ERROR, \
      "ETL: the file ends inside a buffer") \
    X(ETL_BUFFERS_WRITTEN_MISMATCH, etl_buffers_written_mismatch, ERROR, \
      "ETL: logfile header BuffersWritten differs from the number of buffers in the file") \
    X(ETL_LOG_UNFINISHED, etl_log_unfinished, NOTE, \
      "ETL: BuffersWritten and EndTime are 0: the session was still running or crashed; read to the end of the file") \
    X(ETL_DECOMPRESS_FAILED, etl_decompress_failed, ERROR, \
      "ETL: a compressed buffer's LZXpress stream does not decompress, or to over 4 KiB more than Offset - 72; records not read") \
    X(ETL_DECOMPRESSED_SIZE_MISMATCH, etl_decompressed_size_mismatch, ERROR, \
      "ETL: a compressed buffer decompresses to a length other than Offset - 72; its records are not read") \
    X(ETL_BUFFER_BEYOND_FILE, etl_buffer_beyond_file, ERROR, \
      "ETL: in a compressed trace a BufferSize runs past the end of the file; the buffer is not read") \
    X(BLOCK_END_KERNEL_RANGE, block_end_kernel_range, ANOMALY, \
      "Address in user space but the block's last byte (Address + Size - 1, no wrap) above the highest user-mode address") \
    X(ADDRESS_LOW_RANGE, address_low_range, ANOMALY, \
      "Address in 0x1..0xFFFF: the lowest 64 KiB are never mapped") \
    X(HEAP_HANDLE_LOW_RANGE, heap_handle_low_range, ANOMALY, \
      "HeapHandle in 0x1..0xFFFF: the lowest 64 KiB are never mapped") \
    X(HEAP_HANDLE_MISALIGNED, heap_handle_misaligned, ANOMALY, \
      "HeapHandle not 64 KiB aligned: heaps start at a reservation boundary")

/** Finding codes, in table order. */
typedef enum heapev_finding {
#define HEAPEV_X_ENUM(sym, name, sev, desc) HEAPEV_FINDING_##sym,
    HEAPEV_FINDING_TABLE(HEAPEV_X_ENUM)
#undef HEAPEV_X_ENUM
    HEAPEV_FINDING_COUNT /**< number of findings in the table */
} heapev_finding;

/** Severity of a finding. */
typedef enum heapev_severity {
    HEAPEV_SEVERITY_ERROR = 0,   /**< the bytes cannot be decoded as a heap Alloc event */
    HEAPEV_SEVERITY_ANOMALY = 1, /**< decoded, but no correct producer emits it */
    HEAPEV_SEVERITY_NOTE = 2,    /**< not a defect: written so by Windows, a reader must handle it */
    HEAPEV_SEVERITY_NONE = 3     /**< no finding at all (heapev_findings_worst() of the empty set) */
} heapev_severity;

/** A set of findings: bit (1 << code) is set for each finding present. */
typedef uint64_t heapev_findings;

/** The set holding the single finding @p code. */
#define HEAPEV_FINDING_BIT(code) ((heapev_findings)1 << (unsigned)(code))

/** The set holding the finding of table symbol @p sym, e.g. HEAPEV_FINDING(SOURCE_RESERVED). */
#define HEAPEV_FINDING(sym) HEAPEV_FINDING_BIT(HEAPEV_FINDING_##sym)

/** One row of the findings table. */
typedef struct heapev_finding_info {
    heapev_finding code;      /**< stable numeric code */
    const char *name;         /**< snake_case name, e.g. "source_reserved" */
    heapev_severity severity; /**< error or anomaly */
    const char *description;  /**< one-line description */
} heapev_finding_info;

/**
 * @brief The row for @p code.
 * @return the row, or NULL when @p code is not below HEAPEV_FINDING_COUNT.
 */
const heapev_finding_info *heapev_finding_get(unsigned code);

/**
 * @brief Look a finding up by its snake_case name.
 * @return the row, or NULL when no finding has that name.
 */
const heapev_finding_info *heapev_finding_by_name(const char *name);

/** @brief "error", "anomaly", "note" or "none". */
const char *heapev_severity_name(heapev_severity severity);

/**
 * @brief The worst severity in @p findings: error before anomaly before
 *        note; HEAPEV_SEVERITY_NONE for the empty set. What the JSON
 *        "severity" of an item says (its "ok" is "no error": severity is
 *        anomaly, note or none).
 */
heapev_severity heapev_findings_worst(heapev_findings findings);

/** @brief The subset of @p findings whose severity is error. */
heapev_findings heapev_findings_errors(heapev_findings findings);

/**
 * @brief The subset of @p findings that are defects (severity error or
 *        anomaly): what totals and exit statuses count. Notes are left out.
 */
heapev_findings heapev_findings_defects(heapev_findings findings);

/**
 * @brief The container findings: the etl_* rows, about an .etl file's
 *        buffers and records rather than an event's bytes. Every other row
 *        is an event finding, which a payload or record decode may report
 *        (the table is append-only, so the two kinds interleave by code).
 */
heapev_findings heapev_findings_container(void);

/** @brief Every finding of the table. */
heapev_findings heapev_findings_all(void);

/** @brief Number of findings in the set. */
unsigned heapev_findings_count(heapev_findings findings);

/**
 * @brief Write the names of @p findings, in table order, separated by @p sep.
 *
 * Always NUL-terminates when @p cap > 0 (like snprintf).
 * @return the length the full text needs, excluding the NUL.
 */
size_t heapev_findings_format(heapev_findings findings, const char *sep,
                              char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_FINDINGS_H */
