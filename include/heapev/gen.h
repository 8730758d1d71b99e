/**
 * @file heapev/gen.h
 * @brief The generator: seeded PRNG, realistic heap trace model, malformation
 *        catalogue with expected findings.
 *
 * Everything here is deterministic: the same seed and options give the same
 * events and the same bytes on every host, whatever its byte order (own PRNG,
 * explicit little-endian encoding by the library, no time, locale or rand()).
 *
 * How an item is made:
 *  1. the model (heapev_gen_model_event()) produces a well-formed event of a
 *     pointer width: it decodes with no finding;
 *  2. the event-stage classes of the catalogue change fields of the event
 *     (Source, HeapHandle, Size, Address, header Version/Flags/HookId...);
 *  3. the library encodes it (heapev_encode_payload / heapev_encode_record);
 *  4. the bytes-stage classes damage the bytes (truncation, trailing bytes,
 *     Size field, HeaderType...) at the offsets of heapev/format.h.
 * Each class adds exactly the findings listed in its catalogue row; the
 * expected findings of an item are the union over its classes. They come from
 * what the generator injected, never from the decoder, and assume the default
 * limits (heapev_limits_default(): 32-bit user limit 0x7FFEFFFF).
 *
 * Nothing allocates; no global mutable state: every state lives in a struct
 * the caller owns.
 */
#ifndef HEAPEV_GEN_H
#define HEAPEV_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/etl.h"
#include "heapev/event.h"
#include "heapev/findings.h"
#include "heapev/lzxpress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * PRNG: xoshiro256** seeded by splitmix64
 * ====================================================================== */

/** PRNG state (xoshiro256**). Copyable; never all zero once seeded. */
typedef struct heapev_rng {
    uint64_t s[4];
} heapev_rng;

/**
 * @brief Seed @p rng from a 64-bit seed (four splitmix64 outputs).
 * @param rng  state to initialise
 * @param seed any value, 0 included
 */
void heapev_rng_seed(heapev_rng *rng, uint64_t seed);

/**
 * @brief Next 64 random bits.
 * @param rng seeded state (advanced)
 * @return a uniformly distributed 64-bit value
 */
uint64_t heapev_rng_next(heapev_rng *rng);

/**
 * @brief Uniform integer in [0, @p bound) without modulo bias (rejection).
 * @param rng   seeded state (advanced)
 * @param bound exclusive upper bound
 * @return a value below @p bound; 0 when @p bound is 0 or 1
 */
uint64_t heapev_rng_bounded(heapev_rng *rng, uint64_t bound);

/**
 * @brief Uniform integer in [@p lo, @p hi] (inclusive).
 * @pre @p lo <= @p hi
 * @return a value in the range (the full 64-bit range is allowed)
 */
uint64_t heapev_rng_range(heapev_rng *rng, uint64_t lo, uint64_t hi);

/* ======================================================================
 * Formats, items
 * ====================================================================== */

/** What an item's bytes are. */
typedef enum heapev_gen_format {
    HEAPEV_GEN_FORMAT_PAYLOAD = 0, /**< a bare payload (16 / 28 bytes when well-formed) */
    HEAPEV_GEN_FORMAT_RECORD = 1   /**< SYSTEM_TRACE_HEADER + payload */
} heapev_gen_format;

/** Bit of heapev_gen_format @p f in a format mask. */
#define HEAPEV_GEN_FORMAT_BIT(f) (1u << (unsigned)(f))

/** Most bytes the trailing_bytes / length_ambiguous classes append. */
#define HEAPEV_GEN_MAX_TRAILING 32u
/** Item buffer size: a 64-bit SYSTEM record (60) plus the most trailing bytes, rounded up. */
#define HEAPEV_GEN_MAX_BYTES 96u

/** A set of catalogue classes: bit i is class i (heapev_gen_class_get(i)). */
typedef uint64_t heapev_gen_classes;

/** One generated event: its bytes, what was done to it, what a decoder must say. */
typedef struct heapev_gen_item {
    uint8_t bytes[HEAPEV_GEN_MAX_BYTES]; /**< the encoded (and maybe damaged) bytes */
    size_t len;                          /**< number of bytes used */
    heapev_gen_format format;            /**< payload or record */
    unsigned width;                      /**< producer pointer width, 4 or 8 */
    /**
     * Pointer width the decoder must be given for a payload: 4 or 8, or
     * HEAPEV_WIDTH_INFER (0) when the payload must be decoded without a width
     * (class length_ambiguous). Always 0 for records (the HeaderType decides).
     * For a well-formed payload, 0 and the producer width give the same result.
     */
    unsigned decode_width;
    heapev_gen_classes classes; /**< the classes applied; 0 = well_formed */
    heapev_findings expected;   /**< exactly the findings a correct decoder reports */
    /**
     * The generated field values: payload fields as encoded, header fields as
     * they are in the bytes (Size, HeaderType after damage), trailing_bytes =
     * bytes appended. has_header is 1 for records; payload_decoded is 1.
     */
    heapev_event event;
} heapev_gen_item;

/* ======================================================================
 * Trace model
 * ====================================================================== */

/** Number of heaps of a modelled process: the process heap + private heaps. */
#define HEAPEV_GEN_HEAPS 4u
/** Live blocks tracked per heap (older ones are freed). */
#define HEAPEV_GEN_LIVE 16u
/** Recently freed small blocks kept per heap for reuse (lookaside). */
#define HEAPEV_GEN_FREED 8u
/** Sizes a modelled process asks for most often (each below 1 KiB). */
#define HEAPEV_GEN_COMMON_SIZES 8u
/** Threads of a modelled process. */
#define HEAPEV_GEN_THREADS 6u

/** One block: address and size. */
typedef struct heapev_gen_block {
    uint64_t address;
    uint64_t size;
} heapev_gen_block;

/**
 * LFH size classes the model counts allocations in: 16-byte classes up to
 * 1 KiB, then 256-byte classes up to 16 KiB (the LFH's largest block).
 */
#define HEAPEV_GEN_LFH_CLASSES 128u
/** Allocations of a size class after which the LFH serves it (SPEC §5: about 17). */
#define HEAPEV_GEN_LFH_ACTIVATION 17u

/** One modelled heap: a bump-allocated segment plus a large-block region. */
typedef struct heapev_gen_heap {
    uint64_t handle;                         /**< 64 KiB aligned, user range */
    uint64_t seg_base, seg_next, seg_end;    /**< heap segment (blocks <= VM threshold) */
    uint64_t big_base, big_next, big_end;    /**< VirtualAlloc'd blocks (slow path) */
    heapev_gen_block live[HEAPEV_GEN_LIVE];  /**< live blocks, pairwise disjoint */
    unsigned n_live;
    heapev_gen_block freed[HEAPEV_GEN_FREED]; /**< freed small segment blocks (LIFO) */
    unsigned n_freed;
    uint8_t lfh_uses[HEAPEV_GEN_LFH_CLASSES]; /**< allocations per LFH size class, saturating */
} heapev_gen_heap;

/** A modelled process of one pointer width. Owned by the caller; no allocation. */
typedef struct heapev_gen_model {
    heapev_rng rng;
    unsigned width; /**< 4 or 8 */
    uint32_t process_id;
    uint32_t thread_ids[HEAPEV_GEN_THREADS];
    int64_t system_time;  /**< strictly increasing per event: QPC ticks (10 MHz) since boot */
    uint32_t kernel_time; /**< non-decreasing */
    uint32_t user_time;   /**< non-decreasing */
    uint64_t common_sizes[HEAPEV_GEN_COMMON_SIZES]; /**< sizes most small requests use */
    heapev_gen_heap heaps[HEAPEV_GEN_HEAPS]; /**< heaps[0] is the process heap */
} heapev_gen_model;

/**
 * @brief Start a modelled process.
 * @param m     model to initialise
 * @param width producer pointer width, 4 or 8 (anything else is taken as 8)
 * @param seed  seed of the model's own PRNG
 */
void heapev_gen_model_init(heapev_gen_model *m, unsigned width, uint64_t seed);

/**
 * @brief The next allocation of the modelled process, as a well-formed event.
 *
 * The model may first free a live block. The event has pointer_width set,
 * payload_decoded = 1, and a complete well-formed SYSTEM header (Version 2,
 * SYSTEM32/64, Flags 0xC0, Size = record size, HookId 0x1021, thread, process,
 * increasing time); has_header is 0: set it for records. Encoded as payload or
 * record it decodes with no finding.
 * @param m     model (advanced)
 * @param event receives the event (fully overwritten)
 */
void heapev_gen_model_event(heapev_gen_model *m, heapev_event *event);

/**
 * @brief Give a well-formed record event the header of another family: its
 *        HeaderType (SYSTEM, COMPACT or PERFINFO of its width) and Size, with
 *        the fields that family lacks set to 0 (COMPACT: KernelTime,
 *        UserTime; PERFINFO: also ThreadId and ProcessId).
 * @param event  a model event (pointer_width 4 or 8)
 * @param family one HEAPEV_GEN_FAMILY_* bit
 */
void heapev_gen_set_family(heapev_event *event, unsigned family);

/**
 * @brief One well-formed event of @p width, from a throw-away model seeded
 *        from @p rng (no history: convenient for fuzzers and tests).
 * @param rng    seeded state (advanced)
 * @param width  4 or 8
 * @param format record: has_header = 1; payload: has_header = 0
 * @param event  receives the event
 */
void heapev_gen_event(heapev_rng *rng, unsigned width, heapev_gen_format format,
                      heapev_event *event);

/* ======================================================================
 * Malformation catalogue
 * ====================================================================== */

/** When a class is applied. */
typedef enum heapev_gen_stage {
    HEAPEV_GEN_STAGE_EVENT = 0, /**< changes the event before encoding */
    HEAPEV_GEN_STAGE_BYTES = 1  /**< changes the encoded bytes */
} heapev_gen_stage;

/** Pointer-width mask bits for heapev_gen_class.widths. */
#define HEAPEV_GEN_WIDTH_32 1u
#define HEAPEV_GEN_WIDTH_64 2u
/** Mask bit of pointer width @p w (4 or 8). */
#define HEAPEV_GEN_WIDTH_BIT(w) ((w) == 4 ? HEAPEV_GEN_WIDTH_32 : HEAPEV_GEN_WIDTH_64)

/**
 * One malformation class. Two classes combine when they touch disjoint
 * groups and neither hides what the other's findings need (see
 * heapev_gen_classes_compatible()).
 */
typedef struct heapev_gen_class {
    const char *name;         /**< stable snake_case name */
    const char *description;  /**< what the defect is */
    const char *how;          /**< how it is applied */
    heapev_findings findings; /**< exactly the findings this class adds */
    heapev_gen_stage stage;   /**< event or bytes */
    unsigned formats;         /**< HEAPEV_GEN_FORMAT_BIT mask of formats it applies to */
    unsigned widths;          /**< HEAPEV_GEN_WIDTH_* mask of producer widths */
    uint32_t groups;          /**< what it touches; classes sharing a group exclude each other */
    uint8_t needs;            /**< decode stage its findings need (0 none, 1 header, 2 payload, 3 fields) */
    uint8_t blocks;           /**< first decode stage it prevents (4 = none) */
} heapev_gen_class;

/** @brief Number of classes in the catalogue (at most 64). */
size_t heapev_gen_class_count(void);

/**
 * @brief Catalogue row @p index; rows are in application order.
 * @return the row, or NULL when @p index >= heapev_gen_class_count()
 */
const heapev_gen_class *heapev_gen_class_get(size_t index);

/**
 * @brief Index of the class named @p name.
 * @return the index, or -1 when no class has that name
 */
int heapev_gen_class_find(const char *name);

/**
 * @brief Can class @p index join the set @p set for @p format and @p width?
 * @return 1 when the class applies to the format and width and is compatible
 *         with every class of @p set (and not already in it), else 0
 */
int heapev_gen_classes_compatible(heapev_gen_classes set, size_t index,
                                  heapev_gen_format format, unsigned width);

/**
 * @brief The union of the findings of the classes in @p set (what
 *        heapev_gen_build() returns for that set).
 */
heapev_findings heapev_gen_classes_findings(heapev_gen_classes set);

/**
 * @brief Make an item from a well-formed event: apply the event-stage classes
 *        of @p set, encode as @p format, apply the bytes-stage classes.
 *
 * @param rng        randomness for the defects' values (advanced)
 * @param well_formed a well-formed event, e.g. from heapev_gen_model_event();
 *                   its pointer_width is the producer width (4 or 8)
 * @param format     payload or record
 * @param set        classes to apply; each must be compatible with the others
 *                   for this format and width (heapev_gen_classes_compatible)
 * @param item       receives the item (fully overwritten)
 * @return item->expected, the exact findings; the set and format are recorded
 *         in the item. An incompatible set gives undefined expectations.
 */
heapev_findings heapev_gen_build(heapev_rng *rng, const heapev_event *well_formed,
                                 heapev_gen_format format, heapev_gen_classes set,
                                 heapev_gen_item *item);

/* ======================================================================
 * Interesting values (for structure-aware mutators)
 * ====================================================================== */

/** Tables of boundary values a mutator may splice in. */
typedef enum heapev_gen_values_kind {
    HEAPEV_GEN_VALUES_SOURCE = 0,  /**< Source: 0..7 and range edges */
    HEAPEV_GEN_VALUES_HEADER_TYPE, /**< HeaderType: valid 1..4 and unknown ones */
    HEAPEV_GEN_VALUES_HOOK_ID,     /**< HookId: every heap hook, other groups */
    HEAPEV_GEN_VALUES_VERSION,     /**< header Version */
    HEAPEV_GEN_VALUES_FLAGS,       /**< header Flags */
    HEAPEV_GEN_VALUES_SIZE,        /**< allocation Size edges (LFH, VM threshold, limits) */
    HEAPEV_GEN_VALUES_ADDRESS,     /**< Address / HeapHandle edges (null, limits, tops) */
    HEAPEV_GEN_VALUES_COUNT
} heapev_gen_values_kind;

/**
 * @brief A table of interesting values.
 * @param kind  which table
 * @param count receives the number of values (0 for an unknown kind)
 * @return the values (static, read-only), or NULL for an unknown kind
 */
const uint64_t *heapev_gen_values(heapev_gen_values_kind kind, size_t *count);

/* ======================================================================
 * The generator: model(s) + catalogue, one item at a time
 * ====================================================================== */

/** Record header families (heapev_gen_options.families): the kernel-group headers. */
#define HEAPEV_GEN_FAMILY_SYSTEM   1u /**< SYSTEM32/64, 32 bytes */
#define HEAPEV_GEN_FAMILY_COMPACT  2u /**< COMPACT32/64, 24 bytes */
#define HEAPEV_GEN_FAMILY_PERFINFO 4u /**< PERFINFO32/64, 16 bytes */
#define HEAPEV_GEN_FAMILY_ALL      7u

/** Options of a generator run. */
typedef struct heapev_gen_options {
    uint64_t seed;            /**< everything follows from it */
    unsigned width;           /**< 4, 8, or 0 for mixed (each event 32 or 64 at random) */
    heapev_gen_format format; /**< payload or record */
    double malformed;         /**< fraction of malformed items, 0..1 */
    heapev_gen_classes enabled; /**< classes allowed; 0 = all */
    /**
     * With width 0: the fraction of 32-bit events, in (0, 1); 0 -> one half
     * (drawn as a coin flip, as before the option existed).
     */
    double share_32;
    /**
     * Records: the header families each well-formed event is drawn from,
     * uniformly (HEAPEV_GEN_FAMILY_* bits); 0 -> SYSTEM only (no draw).
     */
    unsigned families;
} heapev_gen_options;

/** A generator. Owned by the caller; no allocation. */
typedef struct heapev_gen {
    heapev_gen_options options;
    heapev_rng rng;                 /**< decisions and defect values */
    heapev_gen_model models[2];     /**< [0] 32-bit process, [1] 64-bit process */
    uint64_t malformed_threshold;   /**< malformed when next() >> 11 is below it */
    uint64_t share_32_threshold;    /**< width 0: 32-bit when next() >> 11 is below it; 0: coin */
    heapev_gen_classes eligible;    /**< enabled classes that fit the format and widths */
    uint64_t index;                 /**< index of the next item */
} heapev_gen;

/**
 * @brief Start a generator.
 * @return 0, or -1 when the options are invalid (width not 0/4/8, malformed
 *         outside 0..1 or NaN, share_32 outside [0, 1), families above
 *         HEAPEV_GEN_FAMILY_ALL, or no enabled class applies to the format
 *         and widths while malformed > 0)
 */
int heapev_gen_init(heapev_gen *g, const heapev_gen_options *options);

/**
 * @brief The next item: well-formed with probability 1 - malformed, else one
 *        enabled class, sometimes combined with up to two compatible others.
 *        A class fixed to one producer width (wrong width) picks the width.
 * @param g    generator (advanced)
 * @param item receives the item
 * @return the index of the item (0, 1, 2, ...)
 */
uint64_t heapev_gen_next(heapev_gen *g, heapev_gen_item *item);

/* ======================================================================
 * Whole .etl traces (gen/etl.c): heap Alloc events among noise records,
 * packed by the library's ETL writer, with container malformations
 * ====================================================================== */

/**
 * One container malformation class: damage to the file around the events
 * (buffer header, logfile header, record framing, file length), applied once
 * per trace. Its findings are reported by the reader as container items (and,
 * for etl_pointer_size_mismatch, also on every Alloc event).
 */
typedef struct heapev_gen_etl_class {
    const char *name;         /**< stable snake_case name, "etl_..." */
    const char *description;  /**< what the defect is */
    const char *how;          /**< how it is applied and what the reader loses */
    heapev_findings findings; /**< exactly the findings it adds (union over its items) */
    unsigned traces;          /**< HEAPEV_GEN_ETL_PLAIN / _COMPRESSED mask: traces it applies to */
    unsigned widths;          /**< HEAPEV_GEN_WIDTH_* mask: trace PointerSizes it applies to */
} heapev_gen_etl_class;

/** heapev_gen_etl_class.traces bits. */
#define HEAPEV_GEN_ETL_PLAIN 1u      /**< fixed-size buffers */
#define HEAPEV_GEN_ETL_COMPRESSED 2u /**< compressed trace (heapev_gen_etl_options.compress) */

/** @brief Number of container classes. */
size_t heapev_gen_etl_class_count(void);

/**
 * @brief Container class @p index.
 * @return the row, or NULL when @p index >= heapev_gen_etl_class_count()
 */
const heapev_gen_etl_class *heapev_gen_etl_class_get(size_t index);

/**
 * @brief Index of the container class named @p name.
 * @return the index, or -1
 */
int heapev_gen_etl_class_find(const char *name);

/**
 * @brief The event classes that keep their meaning inside an .etl trace: those
 *        that leave the record framing (Flags, HeaderType, Size field, length
 *        = Size) intact and keep the record a heap Alloc with the trace's
 *        pointer width. The others are container defects or noise there.
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
    int container;              /**< container class index, or -1 for none */
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

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_GEN_H */
