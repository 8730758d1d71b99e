/**
 * @file heapev/layout.h
 * @brief Where each field of a payload or record sits in given bytes, and
 *        which findings point at it.
 *
 * The layout functions decode the bytes exactly as heapev/decode.h does and
 * describe them as labelled byte ranges, in byte order: for a record each
 * header field (Version .. SystemTime, plus KernelTime and
 * UserTime for SYSTEM headers; Version .. HookId and SystemTime at 8 for
 * PERFINFO headers), then the payload fields HeapHandle, Size,
 * Address, Source of the width the HeaderType implies, then any trailing
 * bytes; for a bare payload the four payload fields and trailing bytes.
 *
 * Every finding of the decoded event is attached to the range(s) whose bytes
 * cause it (heapev_layout_finding_fields() gives the map): source_* to
 * Source, address_misaligned to Address, address_wraps and
 * block_end_kernel_range to Address and Size, the heap_handle_* findings to
 * HeapHandle, the other address_* findings to Address, header_flags_invalid to Flags, header_size_mismatch to the record Size
 * field, not_heap_alloc to HookId, trailing_bytes to the trailing range,
 * length_ambiguous to the whole input, truncated to every field whose bytes
 * are (partly) missing.
 *
 * A field the input ends inside, or before, is still listed at the offset
 * and length the format gives it, with @c avail below @c length: that is
 * where bytes are missing. Offsets and lengths come from heapev/format.h.
 *
 * For .etl files, heapev_layout_etl_buffer() and heapev_layout_etl_logfile()
 * lay out a WMI_BUFFER_HEADER and the logfile header record, with container
 * findings on the fields they point at (heapev_layout_attach() adds them to
 * any layout). Where records start and end is the reader's business
 * (heapev/etl.h: heapev_etl_read_options.report_skipped), not this header's;
 * heapev/layout_etl.h follows the reader and lays out a whole trace.
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
    /* WMI_BUFFER_HEADER (part "buffer"), SPEC §4 */
    HEAPEV_FIELD_BUF_BUFFER_SIZE,     /**< BufferSize (u32) */
    HEAPEV_FIELD_BUF_SAVED_OFFSET,    /**< SavedOffset (u32) */
    HEAPEV_FIELD_BUF_CURRENT_OFFSET,  /**< CurrentOffset (u32) */
    HEAPEV_FIELD_BUF_REFERENCE_COUNT, /**< ReferenceCount (i32) */
    HEAPEV_FIELD_BUF_TIMESTAMP,       /**< TimeStamp (i64) */
    HEAPEV_FIELD_BUF_SEQUENCE,        /**< SequenceNumber (i64) */
    HEAPEV_FIELD_BUF_CLOCK,           /**< ClockType:3 / Frequency:61 (u64) */
    HEAPEV_FIELD_BUF_PROCESSOR,       /**< ProcessorNumber (u16) */
    HEAPEV_FIELD_BUF_LOGGER_ID,       /**< LoggerId (u16) */
    HEAPEV_FIELD_BUF_STATE,           /**< State (u32) */
    HEAPEV_FIELD_BUF_OFFSET,          /**< Offset (u32) */
    HEAPEV_FIELD_BUF_FLAG,            /**< BufferFlag (u16) */
    HEAPEV_FIELD_BUF_TYPE,            /**< BufferType (u16) */
    HEAPEV_FIELD_BUF_RESERVED,        /**< 16 reserved bytes */
    /* TRACE_LOGFILE_HEADER payload (part "logfile"), SPEC §4 */
    HEAPEV_FIELD_LF_BUFFER_SIZE,      /**< BufferSize (u32) */
    HEAPEV_FIELD_LF_VERSION,          /**< Version (u32) */
    HEAPEV_FIELD_LF_PROVIDER_VERSION, /**< ProviderVersion (u32) */
    HEAPEV_FIELD_LF_PROCESSORS,       /**< NumberOfProcessors (u32) */
    HEAPEV_FIELD_LF_END_TIME,         /**< EndTime (i64) */
    HEAPEV_FIELD_LF_TIMER_RESOLUTION, /**< TimerResolution (u32) */
    HEAPEV_FIELD_LF_MAX_FILE_SIZE,    /**< MaximumFileSize (u32) */
    HEAPEV_FIELD_LF_LOG_FILE_MODE,    /**< LogFileMode (u32) */
    HEAPEV_FIELD_LF_BUFFERS_WRITTEN,  /**< BuffersWritten (u32) */
    HEAPEV_FIELD_LF_START_BUFFERS,    /**< StartBuffers (u32) */
    HEAPEV_FIELD_LF_POINTER_SIZE,     /**< PointerSize (u32) */
    HEAPEV_FIELD_LF_EVENTS_LOST,      /**< EventsLost (u32) */
    HEAPEV_FIELD_LF_CPU_SPEED,        /**< CpuSpeedInMHz (u32) */
    HEAPEV_FIELD_LF_LOGGER_NAME,      /**< LoggerName (pointer) */
    HEAPEV_FIELD_LF_LOG_FILE_NAME,    /**< LogFileName (pointer) */
    HEAPEV_FIELD_LF_TIME_ZONE,        /**< TIME_ZONE_INFORMATION (172 bytes) */
    HEAPEV_FIELD_LF_PADDING,          /**< 4 bytes aligning BootTime */
    HEAPEV_FIELD_LF_BOOT_TIME,        /**< BootTime (i64) */
    HEAPEV_FIELD_LF_PERF_FREQ,        /**< PerfFreq (i64) */
    HEAPEV_FIELD_LF_START_TIME,       /**< StartTime (i64) */
    HEAPEV_FIELD_LF_RESERVED_FLAGS,   /**< ReservedFlags (u32) */
    HEAPEV_FIELD_LF_BUFFERS_LOST,     /**< BuffersLost (u32) */
    HEAPEV_FIELD_LF_SESSION_NAME,     /**< session name, NUL-terminated UTF-16LE */
    HEAPEV_FIELD_LF_FILE_NAME,        /**< log file name, NUL-terminated UTF-16LE */
    HEAPEV_FIELD_COUNT                /**< number of fields */
} heapev_field;

/** A set of fields: bit (1 << field). */
typedef uint64_t heapev_fields;

/** The set holding the single field @p f. */
#define HEAPEV_FIELD_BIT(f) ((heapev_fields)1 << (unsigned)(f))

/** The most ranges a layout can have (header + payload + trailing). */
#define HEAPEV_LAYOUT_MAX_RANGES 16u

/** The most ranges of an ETL layout (buffer header, or logfile header record). */
#define HEAPEV_LAYOUT_ETL_MAX_RANGES 40u

/** One labelled byte range. */
typedef struct heapev_layout_range {
    size_t offset;            /**< from the start of the bytes given */
    size_t length;            /**< bytes the format gives the field */
    size_t avail;             /**< bytes of it present in the input (<= length) */
    heapev_field field;       /**< what the bytes are */
    /**
     * 1 when @c value holds the field: a whole numeric field the decoder
     * read (payload fields only when it decoded the payload, header fields
     * only when it read the header: a truncated item's fields have none,
     * as `heapev decode` prints them null)
     */
    int has_value;
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
 * @brief The structure a field belongs to.
 * @param field a field
 * @return "header" (SYSTEM_TRACE_HEADER), "payload" (heap Alloc payload,
 *         trailing, undecoded), "buffer" (WMI_BUFFER_HEADER), "logfile"
 *         (TRACE_LOGFILE_HEADER), or NULL when @p field is not below
 *         HEAPEV_FIELD_COUNT
 */
const char *heapev_field_part(heapev_field field);

/**
 * @brief The fields a finding points at (the map this header's
 *        description lists). truncated and length_ambiguous are attached by
 *        position instead (missing bytes, whole input) and map to 0 here.
 *        The etl_* container findings map to the container fields that
 *        cause them: buffer_size_invalid to both BufferSize fields,
 *        saved_offset_invalid and decompressed_size_mismatch to Offset,
 *        offset_mismatch to SavedOffset, buffer_compressed and
 *        decompress_failed to BufferFlag, truncated_file and
 *        buffer_beyond_file to the buffer's BufferSize, log_unfinished to
 *        BuffersWritten and EndTime, pointer_size_invalid to PointerSize,
 *        pointer_size_mismatch to HeaderType and PointerSize,
 *        buffers_written_mismatch to BuffersWritten, logfile_header_short
 *        and record_size_invalid to the record Size, no_logfile_header to
 *        HookId, header_type_unsupported to HeaderType, and
 *        record_misaligned / filler_inside_records to the record marker
 *        (Version, HeaderType, Flags).
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

/**
 * @brief Attach findings to the ranges whose fields they point at
 *        (heapev_layout_finding_fields()), e.g. the container findings an
 *        ETL reader item carries for a record.
 * @param ranges ranges from any layout function
 * @param n      number of ranges
 * @param findings findings to add; those mapping to no listed field are dropped
 * @return the findings that were attached to at least one range
 */
heapev_findings heapev_layout_attach(heapev_layout_range *ranges, size_t n,
                                     heapev_findings findings);

/**
 * @brief Lay out a WMI_BUFFER_HEADER at the start of @p data (an .etl
 *        buffer): BufferSize .. BufferType and the 16 reserved bytes, at the
 *        offsets of heapev/format.h. A field the input ends in is listed
 *        with @c avail below @c length.
 * @param data     the bytes (may be NULL when @p len is 0)
 * @param len      bytes available at @p data
 * @param findings container findings about this buffer header (an ETL reader
 *                 item at the buffer's offset); attached by
 *                 heapev_layout_finding_fields(), truncated_file also to
 *                 fields with missing bytes
 * @param out      receives the ranges; may be NULL when @p cap is 0
 * @param cap      room at @p out (HEAPEV_LAYOUT_ETL_MAX_RANGES is enough)
 * @return the number of ranges (14); only min(return, @p cap) were written
 */
size_t heapev_layout_etl_buffer(const void *data, size_t len, heapev_findings findings,
                                heapev_layout_range *out, size_t cap);

/**
 * @brief Lay out the logfile header record at the start of @p data: its
 *        SYSTEM_TRACE_HEADER fields, then the TRACE_LOGFILE_HEADER payload
 *        with the offsets for its PointerSize, then the session and log file
 *        names (each up to and including its UTF-16 NUL, or to the record's
 *        end), then any bytes beyond them as trailing.
 *
 * With a PointerSize other than 4 or 8 the fields up to PointerSize ..
 * CpuSpeedInMHz are listed and the rest of the record is undecoded.
 * The record ends at its Size when that lies in [header size, @p len],
 * else at @p len.
 *
 * @param data     the bytes of the record (may be NULL when @p len is 0)
 * @param len      bytes available at @p data
 * @param findings container findings about the record (an ETL reader item
 *                 at its offset), attached as for heapev_layout_etl_buffer()
 * @param out      receives the ranges; may be NULL when @p cap is 0
 * @param cap      room at @p out (HEAPEV_LAYOUT_ETL_MAX_RANGES is enough)
 * @param consumed receives the record's extent; may be NULL
 * @return the number of ranges; only min(return, @p cap) were written
 */
size_t heapev_layout_etl_logfile(const void *data, size_t len, heapev_findings findings,
                                 heapev_layout_range *out, size_t cap, size_t *consumed);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_LAYOUT_H */
