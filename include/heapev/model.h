/**
 * @file heapev/model.h
 * @brief The trace model: a modelled Windows process making heap
 *        allocations, one well-formed event at a time.
 *
 * Realistic as SPEC §5 describes (aligned addresses in user space, 64 KiB
 * aligned heaps, the LFH taking a size class after about 17 allocations,
 * look-aside rare, large blocks on the slow path, QPC timestamps), and
 * deterministic: the same seed gives the same events on every host.
 * Nothing allocates: a model lives in a struct the caller owns.
 */
#ifndef HEAPEV_MODEL_H
#define HEAPEV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/event.h"
#include "heapev/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/** Record header families (heapev_gen_options.families): the kernel-group headers. */
#define HEAPEV_GEN_FAMILY_SYSTEM   1u /**< SYSTEM32/64, 32 bytes */
#define HEAPEV_GEN_FAMILY_COMPACT  2u /**< COMPACT32/64, 24 bytes */
#define HEAPEV_GEN_FAMILY_PERFINFO 4u /**< PERFINFO32/64, 16 bytes */
#define HEAPEV_GEN_FAMILY_ALL      7u

/**
 * @brief Give a well-formed record event the header of another family: its
 *        HeaderType (SYSTEM, COMPACT or PERFINFO of its width) and Size, with
 *        the fields that family lacks set to 0 (COMPACT: KernelTime,
 *        UserTime; PERFINFO: also ThreadId and ProcessId).
 * @param event  a model event (pointer_width 4 or 8)
 * @param family one HEAPEV_GEN_FAMILY_* bit
 */
void heapev_gen_set_family(heapev_event *event, unsigned family);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_MODEL_H */
