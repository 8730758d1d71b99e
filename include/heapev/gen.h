/**
 * @file heapev/gen.h
 * @brief The generator: modelled processes and the malformation catalogue,
 *        one labelled item at a time.
 *
 * Everything is deterministic: the same seed and options give the same
 * events and the same bytes on every host, whatever its byte order (own PRNG,
 * explicit little-endian encoding by the library, no time, locale or rand()).
 * Nothing allocates; no global mutable state: every state lives in a struct
 * the caller owns. Whole .etl traces: heapev/gen_etl.h; files and manifests:
 * heapev/emit.h.
 */
#ifndef HEAPEV_GEN_H
#define HEAPEV_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/catalogue.h"
#include "heapev/model.h"
#include "heapev/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_GEN_H */
