/**
 * @file heapev/etl.h
 * @brief Whole .etl trace files: a streaming reader and a buffer-packing writer.
 *
 * An .etl file is a run of buffers (SPEC §4, facts in heapev/format.h). The
 * reader walks it buffer by buffer in constant memory, without allocating:
 * it asks a caller-supplied fetch function for one buffer's bytes at a time
 * (or reads a caller's in-memory image directly), decodes every heap Alloc
 * record with heapev_decode_record() and returns the events one by one,
 * together with container findings (the etl_* rows of heapev/findings.h)
 * attributed to a buffer and a file offset. The rules follow what Windows 7
 * to 11 really write (SPEC §4 "What Windows really writes"; checked against
 * the real traces of shared/realetl by the realetl test suite).
 *
 * Reader rules, in order (docs/ETL.md has the full list):
 *  - Buffer 0: its BufferSize (or, when invalid, the logfile header's) is
 *    its size; neither valid -> etl_buffer_size_invalid and the file ends.
 *  - Buffer 0's first record must be the logfile header (a SYSTEM, COMPACT
 *    or PERFINFO header with HookId 0x0000); its PointerSize must be 4 or 8.
 *    Its LogFileMode decides how the buffers are laid out:
 *     - fixed-size trace (no 0x04000000 bit): every buffer has buffer 0's
 *       size (the stride); buffer N starts at N times it, so after a defect
 *       the walk resumes at the next buffer. A BufferSize other than the
 *       stride (the logfile header's included) is etl_buffer_size_invalid.
 *     - compressed trace (bit 0x04000000, pktmon, PerfView merges): buffer 0
 *       is plain and short, each later buffer is its own BufferSize long and
 *       follows the previous one directly (buffers are chained); a buffer
 *       with BufferFlag 0x40 holds LZXpress-compressed records, decompressed
 *       (libfwnt) into the caller's scratch memory. A BufferSize that cannot
 *       be chained ends the file.
 *  - BuffersWritten must equal the number of buffers, except in an
 *    unfinished log (BuffersWritten and EndTime 0: the note etl_log_unfinished;
 *    the file is read to its end).
 *  - Each buffer's records lie in [72, Offset), Offset (0x30) bounded by the
 *    buffer size and the bytes present. SavedOffset is only compared: equal
 *    to Offset in data buffers; 0 or at most Offset in the header buffer,
 *    where Windows 10/11 write header-extension records beyond it.
 *  - Records, each on an 8-byte boundary: a 0xFFFFFFFF marker ends them;
 *    SYSTEM/COMPACT/PERFINFO headers carry Size at offset 4,
 *    FULL/INSTANCE/EVENT/MESSAGE headers at offset 0; any other marker ends
 *    the buffer (etl_header_type_unsupported, or etl_record_misaligned when
 *    a valid marker sits at the unaligned end of the previous record).
 *  - SYSTEM/COMPACT/PERFINFO records with HookId 0x1021 become events (exactly
 *    Size bytes are decoded). Each record's width comes from its own header
 *    type: a 32-bit Alloc in a PointerSize-8 trace is a WOW64 process's and
 *    is checked against the WOW64 user limit; only a 64-bit header in a
 *    PointerSize-4 trace is etl_pointer_size_mismatch. Every other record is
 *    skipped and counted.
 *  - A finding about one heap Alloc record (etl_pointer_size_mismatch) is
 *    added to that event's findings; every other container finding comes as
 *    a container item.
 *  - On request (heapev_etl_read_options.report_skipped) the records stepped
 *    over and the end of each buffer's records come as items too, so a
 *    caller can follow the walk without repeating it.
 */
#ifndef HEAPEV_ETL_H
#define HEAPEV_ETL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "heapev/decode.h"
#include "heapev/event.h"
#include "heapev/findings.h"
#include "heapev/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The reader's default limit on BufferSize (heapev's choice, not a format fact). */
#define HEAPEV_ETL_MAX_BUFFER_SIZE (16u * 1024u * 1024u)

/** Bytes a decompression may produce beyond Offset - 72: up to that, a longer stream is a size mismatch. */
#define HEAPEV_ETL_SCRATCH_SLACK 4096u
/** Zero bytes after the compressed input: libfwnt reads up to a flag word past its end. */
#define HEAPEV_ETL_SCRATCH_PAD 8u
/**
 * Decompression memory for buffers of at most @p max bytes: the decompressed
 * image (header, records, slack, one spare byte) and a padded copy of the
 * compressed input, which libfwnt needs to stay within the memory given.
 */
#define HEAPEV_ETL_SCRATCH_SIZE(max) \
    (2u * (size_t)(max) + HEAPEV_ETL_SCRATCH_SLACK + 1u + HEAPEV_ETL_SCRATCH_PAD)

/* ===================================================================== */
/* Reader                                                                 */
/* ===================================================================== */

/**
 * @brief Supplies file bytes to the reader.
 *
 * Calls come in file order: @p offset is either the previous call's offset
 * (asking for more bytes of the same buffer, e.g. its header first) or at
 * least the previous offset plus the previous @p len. So a sequential stream
 * (a pipe) can serve it.
 *
 * @param ctx    the context given to heapev_etl_reader_init()
 * @param offset file offset of the first byte wanted
 * @param len    bytes wanted (never above the reader's max_buffer_size)
 * @param got    receives the bytes available at the returned pointer: @p len,
 *               or fewer only at the end of the file (0 past it)
 * @return the bytes, valid until the next call; NULL on an I/O error (the
 *         reader then stops with HEAPEV_ETL_IO_ERROR)
 */
typedef const uint8_t *(*heapev_etl_fetch_fn)(void *ctx, uint64_t offset, size_t len,
                                               size_t *got);

/** Reader options. Zero-initialized options are the defaults. */
typedef struct heapev_etl_read_options {
    heapev_limits limits;     /**< range checks; user_max_32 and _64 zero -> heapev_limits_default();
                                   user_max_wow64 zero -> its default */
    uint32_t max_buffer_size; /**< largest accepted BufferSize; 0 -> HEAPEV_ETL_MAX_BUFFER_SIZE */
    /**
     * 0 (the default): heapev_etl_next() returns EVENT and CONTAINER items
     * only. Nonzero: it also returns a SKIPPED item for every record it
     * steps over and a RECORDS_END item at the end of each buffer's records,
     * so a caller can follow the whole walk (heapev explain --etl) without
     * stepping over records itself. The EVENT and CONTAINER items, their
     * order and the counters are the same either way.
     */
    int report_skipped;
    /**
     * Decompression memory for compressed traces: at least
     * HEAPEV_ETL_SCRATCH_SIZE(max_buffer_size) bytes (one buffer
     * decompressed and a padded copy of its compressed bytes). NULL or
     * smaller: compressed buffers are reported etl_buffer_compressed and
     * their records are not read. The reader only writes into it.
     */
    uint8_t *scratch;
    size_t scratch_size; /**< bytes at @c scratch */
} heapev_etl_read_options;

/** What heapev_etl_next() returned in an item. */
typedef enum heapev_etl_item_kind {
    HEAPEV_ETL_ITEM_EVENT = 1,     /**< a heap Alloc record, decoded into @c event */
    HEAPEV_ETL_ITEM_CONTAINER = 2, /**< container findings at @c buffer / @c offset */
    /**
     * Only with report_skipped: a record stepped over (any record but a heap
     * Alloc the decoder reads; the logfile header record, which the reader
     * parses, is not reported), described in @c skipped; @c offset is its
     * file offset. It comes after any CONTAINER item at the same offset;
     * stats.skipped counts these records.
     */
    HEAPEV_ETL_ITEM_SKIPPED = 3,
    /**
     * Only with report_skipped: the end of a buffer's records, the last item
     * of that buffer (only etl_buffers_written_mismatch, about buffer 0, may
     * come later, at the end of the file). @c offset is the file offset where
     * the buffer's records end: the buffer's offset plus its SavedOffset,
     * or plus HEAPEV_ETL_BUFFER_HEADER_SIZE when the buffer header's checks
     * skipped its records; never beyond the bytes the file holds of the
     * buffer (a last buffer cut inside its header ends where the file
     * does); in a decompressed buffer, the buffer's offset plus Offset
     * (see @c decompressed). A record defect that stopped the
     * walk earlier came as a CONTAINER item before it. One per buffer the
     * reader opens: none when the file ends before a buffer size is known
     * (empty, shorter than a buffer header, no valid BufferSize).
     */
    HEAPEV_ETL_ITEM_RECORDS_END = 4
} heapev_etl_item_kind;

/** A record the reader stepped over (a HEAPEV_ETL_ITEM_SKIPPED item). */
typedef struct heapev_etl_skipped {
    uint32_t size;       /**< its Size field: the record's bytes (the next record starts
                              at the next 8-byte boundary) */
    uint8_t header_type; /**< marker byte 2: HeaderType (a WPP message's own byte) */
    uint8_t flags;       /**< marker byte 3: HEAPEV_ETL_MARKER_FLAGS_HEADER or _MESSAGE */
    uint8_t has_hook_id; /**< 1 when the header carries a HookId (SYSTEM, COMPACT, PERFINFO) */
    uint16_t hook_id;    /**< the HookId when @c has_hook_id, else 0 */
} heapev_etl_skipped;

/** One result of the reader. */
typedef struct heapev_etl_item {
    heapev_etl_item_kind kind;
    uint64_t buffer;          /**< index of the buffer (0 = the header buffer) */
    uint64_t buffer_offset;   /**< file offset of that buffer's header */
    /**
     * File offset of the record or of the defect (RECORDS_END: of the end of
     * the records). In a decompressed buffer (@c decompressed), the buffer's
     * offset plus the record's position in the decompressed buffer image
     * (72-byte header, then the records): not a position in the file.
     */
    uint64_t offset;
    uint8_t decompressed;     /**< 1 when the item lies among a decompressed buffer's records */
    heapev_findings findings; /**< EVENT: equal to event.findings; CONTAINER: the etl_*
                                   findings; SKIPPED, RECORDS_END: 0 */
    heapev_event event;       /**< EVENT only (zeroed otherwise) */
    heapev_etl_skipped skipped; /**< SKIPPED only (zeroed otherwise) */
} heapev_etl_item;

/** Counters kept by the reader. */
typedef struct heapev_etl_stats {
    uint64_t buffers;         /**< buffers met, the short last one included */
    uint64_t events;          /**< event items returned */
    uint64_t skipped;         /**< records stepped over (other hooks, other header types) */
    uint64_t event_findings;  /**< event items with at least one finding */
    uint64_t container_items; /**< container items with a defect (an error or anomaly) */
    uint64_t findings;        /**< defects in all items (one per name per item); notes not */
    uint64_t notes;           /**< notes in container items (etl_log_unfinished) */
    uint64_t decompressed;    /**< compressed buffers decompressed and read */
} heapev_etl_stats;

/** What the logfile header said (valid when @c present). */
typedef struct heapev_etl_logfile {
    int present;              /**< 1 when buffer 0 starts with a readable logfile header */
    int compressed;           /**< LogFileMode has 0x04000000: buffers chained, maybe compressed */
    int unfinished;           /**< BuffersWritten and EndTime 0 (a live or crashed session) */
    uint32_t buffer_size;     /**< BufferSize (in a compressed trace: a buffer's size
                                   once decompressed) */
    uint32_t log_file_mode;   /**< LogFileMode */
    uint32_t pointer_size;    /**< PointerSize as written (maybe invalid) */
    uint32_t buffers_written; /**< BuffersWritten */
    int64_t start_time;       /**< StartTime (0 when the fixed part is short) */
    int64_t end_time;         /**< EndTime */
    /* The trace's clock (heapev_etl_filetime()); valid when clock_known. */
    int clock_known;          /**< 1 when the fixed part was read whole */
    uint32_t clock_type;      /**< ReservedFlags: 1 QPC, 2 system time (FILETIME), 3 CPU cycles */
    int64_t perf_freq;        /**< PerfFreq: QPC ticks per second */
    uint32_t cpu_speed_mhz;   /**< CpuSpeedInMHz */
    int64_t start_stamp;      /**< the logfile header record's SystemTime: the clock at StartTime */
} heapev_etl_logfile;

/** ReservedFlags (the logfile header's clock type): timestamps are QPC ticks. */
#define HEAPEV_ETL_CLOCK_QPC 1u
/** ReservedFlags: timestamps are system time, FILETIME (100 ns since 1601-01-01 UTC). */
#define HEAPEV_ETL_CLOCK_SYSTEM_TIME 2u
/** ReservedFlags: timestamps are CPU cycles (CpuSpeedInMHz per microsecond). */
#define HEAPEV_ETL_CLOCK_CPU_CYCLES 3u

/**
 * @brief A timestamp of the trace's clock (a record's SystemTime, a buffer's
 *        TimeStamp) as a FILETIME: system time as it is; QPC ticks and CPU
 *        cycles as StartTime plus the time since start_stamp (PerfFreq or
 *        CpuSpeedInMHz giving the rate), as TraceEvent does.
 * @param lf    what the logfile header said (heapev_etl_reader_logfile())
 * @param stamp the timestamp
 * @param out   receives the FILETIME
 * @return 0, or -1 when the header gives no usable clock (unknown type, zero
 *         rate, no StartTime) or the result would not fit
 */
int heapev_etl_filetime(const heapev_etl_logfile *lf, int64_t stamp, int64_t *out);

/**
 * @brief A FILETIME (100 ns since 1601-01-01 UTC) as ISO 8601 UTC with its
 *        full precision, e.g. "2023-04-22T03:47:24.3629437Z".
 * Always NUL-terminates when @p cap > 0 (like snprintf).
 * @return the length the full text needs; 0 (and "") for a negative
 *         FILETIME or one past the year 9999
 */
size_t heapev_filetime_iso(int64_t filetime, char *out, size_t cap);

/** Status of heapev_etl_next(). */
typedef enum heapev_etl_status {
    HEAPEV_ETL_IO_ERROR = -1, /**< the fetch function returned NULL */
    HEAPEV_ETL_END = 0,       /**< no more items */
    HEAPEV_ETL_OK = 1         /**< *item was filled */
} heapev_etl_status;

/** Reader state: treat as opaque; lives wherever the caller puts it. */
typedef struct heapev_etl_reader {
    heapev_etl_read_options opts;
    heapev_limits wow64_limits; /* opts.limits with user_max_32 = user_max_wow64 */
    heapev_etl_fetch_fn fetch;
    void *ctx;
    const uint8_t *mem;  /* memory mode: the file image (or a segment's part of it) */
    size_t mem_len;
    uint64_t mem_offset; /* file offset of mem[0] */
    uint64_t pause_at;   /* the buffer index not to open (heapev_etl_reader_pause_at); 0: none */
    int segment;         /* a segment's reader: the end of the file is its head's to report */
    int stage;
    uint32_t stride;     /* buffer 0's size (fixed-size traces: every buffer's); 0 until known */
    uint32_t psize;      /* valid logfile PointerSize, 0 when unknown */
    int chained;         /* compressed trace: each buffer its own BufferSize long */
    uint64_t index;      /* current buffer */
    uint64_t base;       /* its file offset */
    uint32_t size;       /* its size in the file; 0 when it cannot be chained past */
    uint32_t full;       /* bytes its image should have (size, or Offset once decompressed) */
    int decompressed;    /* 1 when buf is its decompressed image in scratch */
    const uint8_t *buf;  /* its bytes */
    size_t got;          /* bytes available at buf */
    uint32_t pos, end;   /* record cursor and end of records */
    uint32_t prev_end;   /* unaligned end of the previous record */
    int at_eof;          /* the last fetch got fewer bytes than it asked for */
    unsigned npending, next_pending;
    struct {
        uint64_t buffer, base, offset;
        heapev_findings findings;
        int decompressed;
    } pending[4];
    int skip_ready;           /* report_skipped: a SKIPPED item waits behind pending */
    uint64_t skip_offset;     /* its file offset */
    heapev_etl_skipped skip;  /* its record */
    heapev_etl_logfile logfile;
    heapev_etl_stats stats;
} heapev_etl_reader;

/**
 * @brief Start reading a file through @p fetch.
 * @param r     reader state (fully overwritten)
 * @param opts  options, or NULL for the defaults
 * @param fetch supplies the bytes (see heapev_etl_fetch_fn)
 * @param ctx   passed to @p fetch
 */
void heapev_etl_reader_init(heapev_etl_reader *r, const heapev_etl_read_options *opts,
                            heapev_etl_fetch_fn fetch, void *ctx);

/**
 * @brief Start reading a file image in memory (a mapped file, a fuzz input).
 * @param r    reader state (fully overwritten)
 * @param opts options, or NULL for the defaults
 * @param data the file bytes (may be NULL when @p len is 0); never copied
 * @param len  file size
 */
void heapev_etl_reader_init_memory(heapev_etl_reader *r, const heapev_etl_read_options *opts,
                                   const void *data, size_t len);

/**
 * @brief The next event or container finding (and, with report_skipped,
 *        skipped record or end of a buffer's records), in file order.
 *
 * While items of a buffer are returned, the bytes the fetch function last
 * gave for that buffer are still the ones the reader reads: the next
 * buffer is fetched only after the buffer's last item.
 * @param r    an initialized reader
 * @param item receives the item when HEAPEV_ETL_OK is returned
 * @return HEAPEV_ETL_OK, HEAPEV_ETL_END (also on every later call) or
 *         HEAPEV_ETL_IO_ERROR
 */
heapev_etl_status heapev_etl_next(heapev_etl_reader *r, heapev_etl_item *item);

/**
 * @brief The reader's counters so far.
 * @return a pointer into @p r
 */
const heapev_etl_stats *heapev_etl_reader_stats(const heapev_etl_reader *r);

/**
 * @brief What the logfile header said (present = 0 until buffer 0 was read).
 * @return a pointer into @p r
 */
const heapev_etl_logfile *heapev_etl_reader_logfile(const heapev_etl_reader *r);

/**
 * @brief Buffer 0's size, chosen from buffer 0 (its BufferSize, else the
 *        logfile header's). In a fixed-size trace it is every buffer's (the
 *        stride: buffer N starts at file offset N times it); in a
 *        compressed trace each later buffer has its own.
 * @param r an initialized reader
 * @return the size; 0 until buffer 0 was read, and when neither BufferSize
 *         is valid
 */
uint32_t heapev_etl_reader_buffer_size(const heapev_etl_reader *r);

/**
 * @brief The bytes of the current buffer as the reader reads its records:
 *        the file's bytes, or for a decompressed buffer its image in the
 *        scratch memory (the 72-byte header as in the file, then the
 *        decompressed records). Valid while that buffer's items are
 *        returned (until heapev_etl_next() moves to the next buffer).
 * @param r   an initialized reader
 * @param len receives the number of bytes (0 before the first buffer)
 * @return the bytes, or NULL before the first buffer
 */
const uint8_t *heapev_etl_reader_buffer(const heapev_etl_reader *r, size_t *len);

/**
 * @brief How many bytes of the file the current buffer occupies: the stride
 *        in a fixed-size trace, its own BufferSize in a compressed trace
 *        (0 when that cannot be chained by); the bytes present may be fewer
 *        at the end of the file.
 */
uint32_t heapev_etl_reader_buffer_length(const heapev_etl_reader *r);

/**
 * @brief Whether the current buffer's bytes (heapev_etl_reader_buffer()) are
 *        its decompressed image.
 */
int heapev_etl_reader_decompressed(const heapev_etl_reader *r);

/**
 * @brief The limits the reader checks a heap Alloc record of @p header_type
 *        against: the WOW64 ones (user_max_32 = user_max_wow64) for a 32-bit
 *        header in a PointerSize-8 trace, else the caller's.
 */
const heapev_limits *heapev_etl_reader_limits(const heapev_etl_reader *r, uint8_t header_type);

/** Bytes heapev_etl_detect() looks at: a buffer header and the first record's marker and HookId. */
#define HEAPEV_ETL_DETECT_SIZE (HEAPEV_ETL_BUFFER_HEADER_SIZE + 8u)

/**
 * @brief Does @p data start like an .etl file: a buffer header, then a
 *        record whose marker is a SYSTEM, COMPACT or PERFINFO header (Flags
 *        0xC0) with HookId 0x0000 (the logfile header)? Used to tell traces
 *        from payloads and records when no format is given; a trace damaged
 *        there is not recognised (the reader then names the defect).
 * @param data the first bytes of the file (may be NULL when @p len is 0)
 * @param len  bytes at @p data; fewer than HEAPEV_ETL_DETECT_SIZE: 0
 * @return 1 or 0
 */
int heapev_etl_detect(const void *data, size_t len);

/* ---- reading a fixed-size trace in segments (threads) ------------------- */

/*
 * The buffers of a fixed-size trace (no LogFileMode 0x04000000) are
 * independent once buffer 0 is read: buffer N starts at N times the stride.
 * So a caller may read them in segments, each with its own reader over its
 * own bytes (a mapped window), on as many threads as it likes, and print the
 * segments' items in segment order: the items and counters are exactly those
 * of one reader reading the whole file.
 *  1. heapev_etl_reader_pause_at(head, 1), then heapev_etl_next(head) until
 *     HEAPEV_ETL_END: buffer 0's items.
 *  2. heapev_etl_reader_segmentable(head): when 0 (a compressed trace, or
 *     the file ended), heapev_etl_reader_unpause(head) and go on reading with
 *     head; when 1, the data buffers are 1 .. ceil(file size / stride) - 1.
 *  3. For each segment [first, first + count): heapev_etl_reader_init_segment()
 *     over the file bytes [first * stride, min((first + count) * stride,
 *     file size)), heapev_etl_next() until HEAPEV_ETL_END, then
 *     heapev_etl_reader_join(head, segment) in segment order.
 *  4. heapev_etl_reader_finish(head), then heapev_etl_next(head) until
 *     HEAPEV_ETL_END: what comes at the end of the file
 *     (etl_buffers_written_mismatch).
 */

/**
 * @brief Make @p r stop (heapev_etl_next() returns HEAPEV_ETL_END, and
 *        heapev_etl_reader_paused() 1) before it opens buffer @p buffer.
 * @param buffer 1 or more; 0 removes the pause
 */
void heapev_etl_reader_pause_at(heapev_etl_reader *r, uint64_t buffer);

/** @brief 1 when @p r stopped at its pause (not at the end of the file). */
int heapev_etl_reader_paused(const heapev_etl_reader *r);

/** @brief Remove the pause and go on reading with @p r itself. */
void heapev_etl_reader_unpause(heapev_etl_reader *r);

/**
 * @brief 1 when @p head is paused before buffer 1 of a fixed-size trace whose
 *        stride is known: its data buffers may be read in segments.
 */
int heapev_etl_reader_segmentable(const heapev_etl_reader *head);

/**
 * @brief Start a reader over data buffers [@p first, @p first + @p count) of
 *        the trace @p head reads (heapev_etl_reader_segmentable(head)), whose
 *        bytes are at @p data: the file's bytes from offset @p data_offset
 *        (= @p first times the stride), @p len of them (to the segment's end
 *        or the file's, whichever comes first). It returns the items of those
 *        buffers as @p head would have, then HEAPEV_ETL_END. It shares nothing
 *        writable with @p head: segments may be read on several threads.
 * @return 0, or -1 when @p head is not segmentable or @p first is 0
 */
int heapev_etl_reader_init_segment(heapev_etl_reader *seg, const heapev_etl_reader *head,
                                   uint64_t first, uint64_t count, const void *data, size_t len,
                                   uint64_t data_offset);

/** @brief Add the counters of segment @p seg (read to its end) to @p head's. */
void heapev_etl_reader_join(heapev_etl_reader *head, const heapev_etl_reader *seg);

/**
 * @brief After the last segment (every data buffer joined): @p head returns
 *        what comes at the end of the file, then HEAPEV_ETL_END.
 */
void heapev_etl_reader_finish(heapev_etl_reader *head);

/**
 * A heapev_etl_fetch_fn source over a stdio stream, read strictly forward
 * (pipes work), into caller memory. Set file, buf and cap; zero the rest.
 */
typedef struct heapev_etl_stdio {
    FILE *file;     /**< the stream */
    uint8_t *buf;   /**< caller memory for one buffer */
    size_t cap;     /**< its size: at least the reader's max_buffer_size */
    uint64_t start; /**< file offset of buf[0] (private) */
    size_t have;    /**< bytes held in buf (private) */
    int error;      /**< errno of the failure that made fetch return NULL, else 0 */
} heapev_etl_stdio;

/**
 * @brief heapev_etl_fetch_fn over a heapev_etl_stdio (@p ctx).
 * @return the bytes, or NULL on a read error, a request larger than cap, or
 *         an offset before the data already consumed (error is set)
 */
const uint8_t *heapev_etl_stdio_fetch(void *ctx, uint64_t offset, size_t len, size_t *got);

/* ===================================================================== */
/* Writer                                                                 */
/* ===================================================================== */

/**
 * @brief Receives finished buffers from the writer.
 *
 * Called with whole buffers of buffer_size bytes at offset index times
 * buffer_size: buffers 1, 2, ... in order as they fill, then buffer 0 (the
 * logfile header buffer, offset 0) from heapev_etl_writer_finish(), once
 * BuffersWritten and EndTime are known. A sink may lay the file out
 * otherwise (the generator packs compressed buffers back to back). The bytes are valid only during
 * the call (copy them to alter them: that is how byte-level damage is
 * applied).
 * @return 0 on success, nonzero to fail the writer call
 */
typedef int (*heapev_etl_sink_fn)(void *ctx, uint64_t offset, const uint8_t *data, size_t len);

/** How the writer's header buffer and buffer headers look. */
typedef enum heapev_etl_style {
    /**
     * Windows 10/11 (the default): BufferFlag 0x21 on the header buffer and
     * 0x20 (processor index) on data buffers with a u16 processor index;
     * after the logfile header, header-extension records (SYSTEM 0x0050,
     * then PERFINFO 0x0042 build string and 0x0040 DbgIdRsds), SavedOffset
     * at the end of the 0x0050 record, Offset at the end of all.
     */
    HEAPEV_ETL_STYLE_WIN10 = 0,
    /**
     * Windows 7: SavedOffset 0 in the header buffer, which holds only the
     * logfile header; BufferFlag 0x01; ProcessorNumber a byte followed by
     * an alignment byte of 8.
     */
    HEAPEV_ETL_STYLE_WIN7 = 1
} heapev_etl_style;

/**
 * Writer options. Zero-initialized options are the defaults noted. Times
 * follow a real trace with the QPC clock: record SystemTimes and buffer
 * TimeStamps are QPC ticks since boot; the logfile header's BootTime,
 * StartTime and EndTime are FILETIMEs, StartTime = BootTime + start_time
 * and EndTime = BootTime + the end time, converted at PerfFreq.
 */
typedef struct heapev_etl_writer_options {
    uint32_t buffer_size;          /**< 0 -> 64 KiB; multiple of 8, room for the header records */
    uint32_t pointer_size;         /**< PointerSize, 4 or 8; 0 -> 8 */
    int64_t start_time;            /**< QPC ticks at the start: the logfile header record's SystemTime */
    int64_t boot_time;             /**< BootTime (FILETIME) */
    int64_t perf_freq;             /**< PerfFreq (QPC frequency, Hz); 0 -> 10000000 */
    uint32_t clock_type;           /**< ReservedFlags (the clock type); 0 -> 1 (QPC) */
    uint32_t number_of_processors; /**< 0 -> 1; data buffers' processors cycle through them */
    uint16_t logger_id;            /**< buffer LoggerId */
    const char *logger_name;       /**< session name; NULL -> "heapev"; bytes widened to UTF-16LE */
    const char *logfile_name;      /**< log file name; NULL -> "heapev.etl" */
    uint32_t cpu_speed_mhz;        /**< CpuSpeedInMHz; 0 -> 3000 (real traces never have 0) */
    uint32_t timer_resolution;     /**< TimerResolution (100 ns units); 0 -> 156250 */
    uint32_t build;                /**< ProviderVersion, the Windows build; 0 -> 22621 (WIN10
                                        style) or 7601 (WIN7) */
    heapev_etl_style style;        /**< header buffer and buffer header style */
} heapev_etl_writer_options;

/** Where a record landed in the file. */
typedef struct heapev_etl_position {
    uint64_t buffer; /**< buffer index (1 for the first data buffer) */
    uint64_t offset; /**< file offset of the record */
} heapev_etl_position;

/** Writer status codes. */
typedef enum heapev_etl_write_status {
    HEAPEV_ETL_WRITE_OK = 0,
    HEAPEV_ETL_WRITE_INVALID = -1, /**< bad option, memory too small, record too large or unencodable */
    HEAPEV_ETL_WRITE_SINK = -2,    /**< the sink failed */
    HEAPEV_ETL_WRITE_STATE = -3    /**< the writer already failed or finished */
} heapev_etl_write_status;

/** Writer state: treat as opaque. */
typedef struct heapev_etl_writer {
    heapev_etl_writer_options opts;
    heapev_etl_sink_fn sink;
    void *ctx;
    uint8_t *buf;          /* caller memory, opts.buffer_size bytes */
    uint32_t used;         /* bytes of the current buffer, header included */
    uint64_t index;        /* current buffer index (1..) */
    uint64_t records;      /* records in the current buffer */
    int64_t buffer_time;   /* latest record time in the current buffer */
    int64_t max_time;      /* latest record time in the file */
    int state;             /* 0 open, 1 finished, -1 failed */
} heapev_etl_writer;

/**
 * @brief Start a file. Nothing is written until the first buffer fills.
 * @param w    writer state (fully overwritten)
 * @param opts options, or NULL for the defaults
 * @param buf  caller memory for one buffer
 * @param cap  its size: at least the buffer size
 * @param sink receives the buffers
 * @param ctx  passed to @p sink
 * @return HEAPEV_ETL_WRITE_OK, or HEAPEV_ETL_WRITE_INVALID (bad buffer or
 *         pointer size, @p cap too small); the writer is then failed
 */
heapev_etl_write_status heapev_etl_writer_init(heapev_etl_writer *w,
                                               const heapev_etl_writer_options *opts,
                                               uint8_t *buf, size_t cap, heapev_etl_sink_fn sink,
                                               void *ctx);

/**
 * @brief Append one encoded record (any header type, any bytes): placed on an
 *        8-byte boundary, never split; a full buffer goes to the sink first.
 *
 * Placement uses @p len, not the record's Size field, so deliberately
 * inconsistent records can be written. The buffer TimeStamp is the latest
 * SystemTime (bytes 16..23) of its records of at least 24 bytes.
 * @param pos receives where it landed; may be NULL
 * @return HEAPEV_ETL_WRITE_OK, _INVALID (len 0 or larger than a buffer's
 *         room), _SINK or _STATE
 */
heapev_etl_write_status heapev_etl_writer_add_record(heapev_etl_writer *w, const void *record,
                                                     size_t len, heapev_etl_position *pos);

/**
 * @brief Encode @p event with heapev_encode_record() (its header as given:
 *        set header.size to heapev_record_size()) and append it.
 * @return as heapev_etl_writer_add_record(); _INVALID when not encodable
 */
heapev_etl_write_status heapev_etl_writer_add_event(heapev_etl_writer *w, const heapev_event *event,
                                                    heapev_etl_position *pos);

/**
 * @brief Send the current buffer to the sink now (if it holds a record), so
 *        the next record starts a new buffer.
 * @return HEAPEV_ETL_WRITE_OK, _SINK or _STATE
 */
heapev_etl_write_status heapev_etl_writer_flush(heapev_etl_writer *w);

/**
 * @brief Flush, then write buffer 0: the logfile header with BuffersWritten
 *        (all buffers, buffer 0 included) and EndTime, and in WIN10 style the
 *        header-extension records.
 * @param end_time QPC ticks at the end; 0 -> the latest record time (or start_time)
 * @return HEAPEV_ETL_WRITE_OK, _SINK or _STATE
 */
heapev_etl_write_status heapev_etl_writer_finish(heapev_etl_writer *w, int64_t end_time);

/**
 * @brief Number of buffers written so far, buffer 0 included (the
 *        BuffersWritten that finish() writes when called now).
 */
uint64_t heapev_etl_writer_buffers(const heapev_etl_writer *w);

/**
 * @brief The Offset of the header buffer (buffer 0) finish() will write: the
 *        end of the logfile header and header-extension records. Known from
 *        the options alone (a compressed trace's short buffer 0 needs it first).
 * @return the length, buffer header included; 0 for a failed writer
 */
uint32_t heapev_etl_writer_header_length(const heapev_etl_writer *w);

/** The most header-extension records the writer puts after the logfile header. */
#define HEAPEV_ETL_WRITER_MAX_HEADER_RECORDS 3u

/**
 * @brief The records that follow the logfile header in buffer 0: the
 *        header-extension records of the WIN10 style (3), none for WIN7.
 * @param w       a writer (the layout follows from its options)
 * @param offsets receives their offsets in buffer 0, in order; may be NULL
 * @return their number (at most HEAPEV_ETL_WRITER_MAX_HEADER_RECORDS)
 */
unsigned heapev_etl_writer_header_records(const heapev_etl_writer *w, uint32_t *offsets);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_ETL_H */
