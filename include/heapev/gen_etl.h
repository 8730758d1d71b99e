/**
 * @file heapev/gen_etl.h
 * @brief Whole .etl traces from the generator: heap Alloc events among noise
 *        records, packed by the library's ETL writer the way Windows writes
 *        them, with container malformations, and what a reader must return.
 */
#ifndef HEAPEV_GEN_ETL_H
#define HEAPEV_GEN_ETL_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/etl.h"
#include "heapev/gen.h"
#include "heapev/lzxpress.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The event classes that keep their meaning inside an .etl trace (their
 *        formats mask has HEAPEV_GEN_FORMAT_ETL): those that leave the record
 *        framing (Flags, HeaderType, Size field, length = Size) intact and keep
 *        the record a heap Alloc with the trace's pointer width. The others are
 *        container defects or noise there. Container classes are rows of the
 *        same catalogue (heapev/catalogue.h), stage HEAPEV_GEN_STAGE_CONTAINER.
 * @return a set of catalogue indices (heapev_gen_class_get())
 */
heapev_gen_classes heapev_gen_etl_event_classes(void);

/** Options of a trace. Zero-initialized fields are the defaults noted. */
typedef struct heapev_gen_etl_options {
    uint64_t seed;              /**< everything follows from it */
    unsigned width;             /**< PointerSize of the trace, 4 or 8 */
    uint64_t count;             /**< heap Alloc events */
    double malformed;           /**< fraction of events damaged by event classes, 0..1 */
    heapev_gen_classes enabled; /**< event classes allowed; 0 = every heapev_gen_etl_event_classes() */
    double noise;               /**< fraction of noise records among all records, 0..0.99 */
    uint32_t buffer_size;       /**< 0 -> 64 KiB; multiple of 8 in [HEAPEV_GEN_ETL_MIN_BUFFER, 16 MiB] */
    int container;              /**< catalogue index of a container class, or -1 for none */
    /**
     * 64-bit traces: the fraction of Alloc events from 32-bit (WOW64)
     * processes, 0..0.9, in 32-bit headers with 16-byte payloads. Their
     * event classes leave out those whose findings depend on the 32-bit user
     * limit (the reader checks WOW64 Allocs against 0xFFFEFFFF).
     */
    double wow64;
    /** Header families of the Alloc records (HEAPEV_GEN_FAMILY_*); 0 -> all three. */
    unsigned families;
    heapev_etl_style style;     /**< Windows 10/11 (default) or 7 header buffer and buffers */
    /**
     * Nonzero: a compressed trace as pktmon and PerfView write it: LogFileMode
     * 0x04000000, buffer 0 plain and short, every data buffer's records
     * LZXpress-compressed and the buffers packed back to back.
     */
    int compress;
} heapev_gen_etl_options;

/** Memory heapev_gen_etl_write() needs for buffers of @p bsize bytes. */
#define HEAPEV_GEN_ETL_MEMORY(bsize) \
    (2u * (size_t)(bsize) + HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_LZXPRESS_BOUND(bsize))

/** Smallest buffer size the trace generator accepts (room for its damage setups). */
#define HEAPEV_GEN_ETL_MIN_BUFFER 1024u
/** Largest noise record the generator writes (a 64-bit ReAlloc: 32 + 5 * 8 + 4). */
#define HEAPEV_GEN_NOISE_MAX 76u

/** Kind of a heapev_gen_etl_entry. */
typedef enum heapev_gen_etl_entry_kind {
    HEAPEV_GEN_ETL_EVENT = 1,    /**< a heap Alloc record written to the file */
    HEAPEV_GEN_ETL_CONTAINER = 2 /**< a container item the reader must return */
} heapev_gen_etl_entry_kind;

/**
 * What the reader must return, one entry at a time, in the reader's order:
 * every container item, and every Alloc event written (the ones the reader
 * cannot return flagged @c lost, at the place they were written).
 */
typedef struct heapev_gen_etl_entry {
    heapev_gen_etl_entry_kind kind;
    uint64_t buffer;            /**< buffer index */
    uint64_t offset;            /**< file offset of the record, or of the defect */
    heapev_findings expected;   /**< the item's exact findings (events: the event's) */
    int lost;                   /**< events: 1 when the reader cannot return it */
    uint64_t index;             /**< events: 0-based event index */
    const heapev_gen_item *item; /**< events: the generated record (bytes as written); else NULL */
    /**
     * 1 when the offset lies among the records of a compressed buffer: the
     * buffer's file offset plus the place in its decompressed records, as
     * the reader reports it (heapev_etl_item.decompressed).
     */
    int decompressed;
} heapev_gen_etl_entry;

/** @return 0 to go on, nonzero to stop the run (heapev_gen_etl_write returns -3). */
typedef int (*heapev_gen_etl_entry_fn)(void *ctx, const heapev_gen_etl_entry *entry);

/** What the reader's counters and the file must be after a run. */
typedef struct heapev_gen_etl_summary {
    uint64_t buffers;        /**< heapev_etl_stats.buffers */
    uint64_t events;         /**< events returned (written minus lost) */
    uint64_t lost;           /**< events written but not returned */
    uint64_t noise;          /**< noise records written */
    uint64_t skipped;        /**< heapev_etl_stats.skipped */
    uint64_t container_items; /**< heapev_etl_stats.container_items */
    uint64_t file_length;    /**< bytes of the file */
    heapev_findings container_findings; /**< union of the container items' findings */
} heapev_gen_etl_summary;

/** A modelled process of a trace: what its well-formed events repeat. */
typedef struct heapev_gen_etl_process {
    unsigned width;       /**< pointer width of its events, 4 or 8 */
    int wow64;            /**< 1 for the 32-bit (WOW64) process of a 64-bit trace */
    uint32_t process_id;  /**< ProcessId of its SYSTEM and COMPACT headers (PERFINFO: 0) */
    uint32_t thread_ids[HEAPEV_GEN_THREADS];  /**< ThreadIds it draws from (PERFINFO: 0) */
    uint64_t heap_handles[HEAPEV_GEN_HEAPS];  /**< its heaps; [0] the process heap */
} heapev_gen_etl_process;

/**
 * @brief The modelled processes whose Alloc events a trace with options @p o
 *        holds: the trace's width, then (64-bit traces with a WOW64 share)
 *        the 32-bit one. Nothing is written.
 * @param out receives up to 2 processes
 * @return their number (1 or 2), or -1 when @p o cannot start a trace
 */
int heapev_gen_etl_processes(const heapev_gen_etl_options *o, heapev_gen_etl_process out[2]);

/**
 * @brief A noise record: a heap event other than Alloc (Free, ReAlloc,
 *        Create or Destroy), SYSTEM header of @p width, payload of its real
 *        shape (pointers, then u32 fields), a reader must skip it.
 * @param rng   randomness (advanced)
 * @param width 4 or 8
 * @param time  its SystemTime
 * @param out   at least HEAPEV_GEN_NOISE_MAX bytes
 * @return the record length (its Size field)
 */
size_t heapev_gen_noise_record(heapev_rng *rng, unsigned width, int64_t time, uint8_t *out);

/**
 * @brief Write one whole .etl trace through the library's writer.
 *
 * Buffers go to @p sink as heapev_etl_writer sends them (buffers 1, 2, ...,
 * then buffer 0 at offset 0: the sink needs a seekable file); container
 * damage is applied to a copy of a buffer on its way to the sink, and a
 * truncation class gives the last buffer short. Deterministic: the same
 * options give the same bytes and entries.
 * @param o        options
 * @param mem      caller memory of at least HEAPEV_GEN_ETL_MEMORY(buffer size) bytes
 * @param cap      its size
 * @param sink     receives the file bytes
 * @param sink_ctx passed to @p sink
 * @param on_entry receives the entries in reader order (may be NULL)
 * @param entry_ctx passed to @p on_entry
 * @param summary  receives the expected totals (may be NULL)
 * @return 0; -1 invalid options (also a container class that needs an event
 *         with count 0 or does not apply to the trace's width or kind, or
 *         memory too small); -2 the sink failed; -3 @p on_entry failed
 */
int heapev_gen_etl_write(const heapev_gen_etl_options *o, uint8_t *mem, size_t cap,
                         int (*sink)(void *ctx, uint64_t offset, const uint8_t *data, size_t len),
                         void *sink_ctx, heapev_gen_etl_entry_fn on_entry, void *entry_ctx,
                         heapev_gen_etl_summary *summary);

/** A trace collected in caller memory by heapev_gen_etl_image_sink(). */
typedef struct heapev_gen_etl_image {
    uint8_t *bytes; /**< room for the trace */
    size_t cap;     /**< its size */
    size_t len;     /**< the trace's length so far (its highest end written) */
} heapev_gen_etl_image;

/**
 * @brief A heapev_gen_etl_write() sink that copies the buffers into a
 *        heapev_gen_etl_image (@p ctx) at their offsets.
 * @return 0, or 1 (the run stops, -2) when the trace outgrows its cap
 */
int heapev_gen_etl_image_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len);

/** The part of a trace a container class damages (heapev_gen_etl_damage()). */
typedef enum heapev_gen_etl_part {
    HEAPEV_GEN_ETL_PART_NONE = 0,      /**< not a container class */
    HEAPEV_GEN_ETL_PART_HEADER_BUFFER, /**< buffer 0: its header or its logfile header record */
    HEAPEV_GEN_ETL_PART_BUFFER_HEADER, /**< a data buffer's 72-byte header */
    HEAPEV_GEN_ETL_PART_RECORD,        /**< one record among a data buffer's (plain) records */
    HEAPEV_GEN_ETL_PART_STREAM,        /**< a compressed buffer as in the file: its stream */
    HEAPEV_GEN_ETL_PART_FILE_END       /**< the file ends inside its last buffer */
} heapev_gen_etl_part;

/**
 * @brief Which part of a trace container class @p index damages.
 * @param index a catalogue index (heapev_gen_class_get())
 * @return the part, or HEAPEV_GEN_ETL_PART_NONE when @p index is no container class
 */
heapev_gen_etl_part heapev_gen_etl_class_part(size_t index);

/** Where heapev_gen_etl_damage() applies a container class: one buffer of an existing trace. */
typedef struct heapev_gen_etl_target {
    /**
     * The buffer, header first: buffer 0 (HEADER_BUFFER), a data buffer
     * (BUFFER_HEADER: at least its 72-byte header), a data buffer with its
     * records in plain form, a compressed buffer's once decompressed
     * (RECORD), a compressed buffer as in the file (STREAM), the last
     * buffer as in the file (FILE_END: not written, see @c keep).
     */
    uint8_t *buffer;
    size_t len;        /**< bytes at @c buffer */
    uint32_t stride;   /**< the trace's buffer size (the logfile header's BufferSize) */
    unsigned width;    /**< the trace's PointerSize, 4 or 8 */
    size_t record;     /**< RECORD, FILE_END: offset of the target record in @c buffer */
    size_t record_len; /**< its bytes */
    /**
     * RECORD, class etl_record_misaligned: bytes of the record right before
     * the target (which starts at record - HEAPEV_ETL_ALIGN(prev_len));
     * not a multiple of 8, or the class does not apply.
     */
    size_t prev_len;
    size_t keep;       /**< FILE_END: receives the bytes of the buffer the file keeps */
} heapev_gen_etl_target;

/**
 * @brief Apply container class @p index to one buffer of an existing trace,
 *        the way the generator applies it to its own (a mutator's use).
 *
 * The same patch as in heapev_gen_etl_write(), on the part
 * heapev_gen_etl_class_part() names; FILE_END classes change nothing and
 * say in @c keep where the file must end. The expected findings are the
 * class's only when the rest of the trace is consistent.
 * @param rng randomness for the damage's values (advanced)
 * @param index a catalogue index of a container class
 * @param t the buffer (see heapev_gen_etl_target)
 * @return 0 applied; -1 not a container class, or the buffer too short or
 *         not shaped for it (e.g. no record at @c record, a logfile header
 *         record running past @c len, an aligned previous record)
 */
int heapev_gen_etl_damage(heapev_rng *rng, size_t index, heapev_gen_etl_target *t);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_GEN_ETL_H */
