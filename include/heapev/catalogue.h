/**
 * @file heapev/catalogue.h
 * @brief The malformation catalogue: one table of classes, each with the
 *        exact findings it adds, and what the generator makes with it.
 *
 * One row type for every class: event-stage classes change a model event
 * before it is encoded, bytes-stage classes damage the encoded bytes,
 * container classes damage an .etl trace around its events (gen/etl.c), and
 * the row "well_formed" names an item nothing was applied to. How an item is
 * made:
 *  1. the model (heapev/model.h) produces a well-formed event: it decodes
 *     with no finding;
 *  2. the event-stage classes change fields of the event (Source,
 *     HeapHandle, Size, Address, header Version/Flags/HookId...);
 *  3. the library encodes it (heapev_encode_payload / heapev_encode_record);
 *  4. the bytes-stage classes damage the bytes (truncation, trailing bytes,
 *     Size field, HeaderType...) at the offsets of heapev/format.h.
 * Each class adds exactly the findings listed in its row; the expected
 * findings of an item are the union over its classes. They come from what
 * the generator injected, never from the decoder, and assume the default
 * limits (heapev_limits_default(): 32-bit user limit 0x7FFEFFFF).
 */
#ifndef HEAPEV_CATALOGUE_H
#define HEAPEV_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/event.h"
#include "heapev/findings.h"
#include "heapev/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What an item's bytes are. */
typedef enum heapev_gen_format {
    HEAPEV_GEN_FORMAT_PAYLOAD = 0, /**< a bare payload (16 / 28 bytes when well-formed) */
    HEAPEV_GEN_FORMAT_RECORD = 1,  /**< SYSTEM_TRACE_HEADER + payload */
    /**
     * A whole .etl trace (heapev/gen_etl.h). In a class's formats mask: an
     * event class that keeps its meaning inside a trace, or a container class.
     */
    HEAPEV_GEN_FORMAT_ETL = 2
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

/** When a class is applied. */
typedef enum heapev_gen_stage {
    HEAPEV_GEN_STAGE_EVENT = 0,    /**< changes the event before encoding */
    HEAPEV_GEN_STAGE_BYTES = 1,    /**< changes the encoded bytes */
    HEAPEV_GEN_STAGE_CONTAINER = 2, /**< damages an .etl trace around its events, once per trace */
    HEAPEV_GEN_STAGE_NONE = 3      /**< applies nothing: the well_formed row */
} heapev_gen_stage;

/**
 * How far a decoder gets with an item: the stages a class's findings need,
 * and the first stage a class prevents. Two classes combine only when
 * neither prevents a stage the other's findings need.
 */
typedef enum heapev_decode_stage {
    HEAPEV_DECODE_STAGE_START = 0,   /**< nothing read yet */
    HEAPEV_DECODE_STAGE_HEADER = 1,  /**< the record header is read */
    HEAPEV_DECODE_STAGE_PAYLOAD = 2, /**< the payload is located */
    HEAPEV_DECODE_STAGE_FIELDS = 3,  /**< its four fields are read and checked */
    HEAPEV_DECODE_STAGE_END = 4      /**< past every stage (as "blocks": prevents none) */
} heapev_decode_stage;

/** heapev_gen_class.traces bits: the kinds of trace a container class applies to. */
#define HEAPEV_GEN_ETL_PLAIN 1u      /**< fixed-size buffers */
#define HEAPEV_GEN_ETL_COMPRESSED 2u /**< compressed trace (heapev_gen_etl_options.compress) */

/** Pointer-width mask bits for heapev_gen_class.widths. */
#define HEAPEV_GEN_WIDTH_32 1u
#define HEAPEV_GEN_WIDTH_64 2u
/** Mask bit of pointer width @p w (4 or 8). */
#define HEAPEV_GEN_WIDTH_BIT(w) ((w) == 4 ? HEAPEV_GEN_WIDTH_32 : HEAPEV_GEN_WIDTH_64)

/**
 * One row of the catalogue: a malformation class (event, bytes or
 * container stage), or well_formed. Two event/bytes classes combine when
 * they touch disjoint groups and neither hides what the other's findings
 * need (see heapev_gen_classes_compatible()).
 */
typedef struct heapev_gen_class {
    const char *name;          /**< stable snake_case name */
    const char *description;   /**< what the defect is */
    const char *how;           /**< how it is applied (containers: and what the reader loses) */
    heapev_findings findings;  /**< exactly the findings this class adds */
    heapev_gen_stage stage;    /**< event, bytes, container, or none (well_formed) */
    unsigned formats;          /**< HEAPEV_GEN_FORMAT_BIT mask of formats it applies to */
    unsigned widths;           /**< HEAPEV_GEN_WIDTH_* mask: producer widths, or trace PointerSizes */
    uint32_t groups;           /**< what it touches; classes sharing a group exclude each other */
    heapev_decode_stage needs; /**< the decode stage its findings need */
    heapev_decode_stage blocks; /**< the first decode stage it prevents */
    unsigned traces;           /**< containers: HEAPEV_GEN_ETL_* mask of trace kinds; else 0 */
} heapev_gen_class;

/**
 * @brief Number of rows: the event and bytes classes (in application order,
 *        indices below 64: a heapev_gen_classes set holds only those), then
 *        well_formed, then the container classes.
 */
size_t heapev_gen_class_count(void);

/**
 * @brief Catalogue row @p index.
 * @return the row, or NULL when @p index >= heapev_gen_class_count()
 */
const heapev_gen_class *heapev_gen_class_get(size_t index);

/**
 * @brief Index of the row named @p name ("well_formed" included).
 * @return the index, or -1 when no row has that name
 */
int heapev_gen_class_find(const char *name);

/** @brief Index of the well_formed row (an item no class was applied to). */
size_t heapev_gen_well_formed_index(void);

/**
 * @brief The class names of a set, as a manifest lists them: "well_formed"
 *        for the empty set. Calls @p fn once per name, in row order.
 */
void heapev_gen_classes_names(heapev_gen_classes set, void (*fn)(void *ctx, const char *name),
                              void *ctx);

/**
 * @brief Can class @p index (an event or bytes class) join the set @p set for
 *        @p format and @p width?
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
 * Event fields a class may change (heapev_gen_classes_fields() bits), named
 * as `heapev decode --json` and a manifest name them (heapev/emit.h).
 */
#define HEAPEV_GEN_FIELD_BITS           (1u << 0)  /**< "bits": the producer width */
#define HEAPEV_GEN_FIELD_HEAP_HANDLE    (1u << 1)  /**< "heap_handle" */
#define HEAPEV_GEN_FIELD_SIZE           (1u << 2)  /**< "size" */
#define HEAPEV_GEN_FIELD_ADDRESS        (1u << 3)  /**< "address" */
#define HEAPEV_GEN_FIELD_SOURCE         (1u << 4)  /**< "source", "source_name" */
#define HEAPEV_GEN_FIELD_TRAILING_BYTES (1u << 5)  /**< "trailing_bytes" */
#define HEAPEV_GEN_FIELD_VERSION        (1u << 6)  /**< "version" */
#define HEAPEV_GEN_FIELD_HEADER_TYPE    (1u << 7)  /**< "header_type" */
#define HEAPEV_GEN_FIELD_FLAGS          (1u << 8)  /**< "flags" */
#define HEAPEV_GEN_FIELD_SIZE_FIELD     (1u << 9)  /**< "size_field" */
#define HEAPEV_GEN_FIELD_HOOK_ID        (1u << 10) /**< "hook_id", "hook_name" */
#define HEAPEV_GEN_FIELD_CPU_TIMES      (1u << 11) /**< "kernel_time", "user_time" */
#define HEAPEV_GEN_FIELD_ALL            ((1u << 12) - 1u)

/**
 * @brief The event fields the classes of @p set may change (from what each
 *        class touches): every other field of an item keeps the well-formed
 *        event's value. A compact trace manifest lists only these fields.
 * @return a set of HEAPEV_GEN_FIELD_* bits; 0 for the empty set (well_formed)
 */
unsigned heapev_gen_classes_fields(heapev_gen_classes set);

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

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_CATALOGUE_H */
