/*
 * model.c - a modelled Windows process making heap allocations.
 *
 * The process has a process heap and private heaps. Each heap bump-allocates
 * blocks up to the VM threshold in its segment and puts larger blocks in its
 * own region for VirtualAlloc'd blocks (the slow path). The Source follows
 * the Windows 7+ heap (SPEC §5): the low-fragmentation heap is the only front
 * end and takes over a size class after about 17 allocations of it, so the
 * first blocks of a size and blocks above 16 KiB come from the back end
 * (main path), large ones from the slow path, and a look-aside hit (Source 1,
 * a freed block handed out again) is rare. Sizes favour a few per-process
 * common sizes, as real programs do. It frees too: a few live blocks are
 * tracked and a random one is freed now and then. When a region is exhausted
 * the heap starts over empty, as if it had been destroyed and recreated at
 * the same address: everything stays bounded and live blocks never overlap.
 * Realism only goes as far as the findings need: every event is well-formed.
 * Times are QPC ticks at 10 MHz since boot, as in a real trace.
 */
#include "heapev/model.h"

#include <string.h>

#include "heapev/decode.h"
#include "heapev/format.h"

/* Model parameters (how this model behaves, not facts of the format). */
#define LOOKASIDE_MAX 1024u     /* lookaside lists serve blocks below 1 KiB */
#define LOOKASIDE_ODDS 64u      /* one freed block in this many is handed out again */
#define SEG_FIRST_BLOCK 0x1000u /* heap header before the first block */
#define UPTIME_MIN 36000000000ll /* one hour of 10 MHz QPC ticks: the earliest start */
#define LFH_SMALL_STEP 16u      /* LFH size classes: 16 bytes apart up to 1 KiB, */
#define LFH_SMALL_MAX 1024u
#define LFH_LARGE_STEP 256u     /* then 256 bytes apart up to 16 KiB */

/*
 * Where a width's heaps live: all of it far below the user-mode limit, and a
 * heap's regions end well before the next heap starts, whatever the jitter.
 */
typedef struct layout {
    uint64_t heaps_lo;     /* lowest process heap handle */
    uint64_t spread;       /* random 64 KiB steps added to it */
    uint64_t heap_stride;  /* distance between heaps */
    uint64_t seg_span;     /* size of a heap segment */
    uint64_t big_offset;   /* large-block region, from the handle */
    uint64_t big_span;     /* its size */
} layout;

static const layout layout32 = {0x00200000u, 16u, 0x08000000u, 0x03000000u, 0x04000000u,
                                0x03000000u};
static const layout layout64 = {0x0000010000000000ull, 0x10000u, 0x0000000400000000ull,
                                0x40000000ull, 0x100000000ull, 0x200000000ull};

static uint64_t round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

static void heap_reset(heapev_gen_heap *h)
{
    h->seg_next = h->seg_base;
    h->big_next = h->big_base;
    h->n_live = 0;
    h->n_freed = 0;
}

static void heap_init(heapev_gen_heap *h, const layout *l, uint64_t handle)
{
    memset(h, 0, sizeof *h);
    h->handle = handle;
    h->seg_base = handle + SEG_FIRST_BLOCK;
    h->seg_end = handle + l->seg_span;
    h->big_base = handle + l->big_offset;
    h->big_end = h->big_base + l->big_span;
    heap_reset(h);
}

void heapev_gen_model_init(heapev_gen_model *m, unsigned width, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    heapev_rng_seed(&m->rng, seed);
    m->width = width == 4 ? 4 : 8;
    const layout *l = m->width == 4 ? &layout32 : &layout64;
    /* Windows process and thread ids are multiples of 4. */
    m->process_id = 4u * (uint32_t)heapev_rng_range(&m->rng, 1, 0x3FFF);
    for (unsigned i = 0; i < HEAPEV_GEN_THREADS; i++)
        m->thread_ids[i] = 4u * (uint32_t)heapev_rng_range(&m->rng, 1, 0x3FFF);
    m->system_time = UPTIME_MIN + (int64_t)heapev_rng_bounded(&m->rng, 1ull << 40);
    for (unsigned i = 0; i < HEAPEV_GEN_COMMON_SIZES; i++)
        m->common_sizes[i] = 8u * heapev_rng_range(&m->rng, 1, LFH_SMALL_MAX / 8u);
    uint64_t base = l->heaps_lo + heapev_rng_bounded(&m->rng, l->spread) * HEAPEV_HEAP_HANDLE_ALIGN;
    for (unsigned i = 0; i < HEAPEV_GEN_HEAPS; i++) {
        uint64_t jitter = heapev_rng_bounded(&m->rng, 16) * HEAPEV_HEAP_HANDLE_ALIGN;
        heap_init(&m->heaps[i], l, base + i * l->heap_stride + jitter);
    }
}

/* Mostly small sizes (often the process's common ones), a long tail up to 32 MiB, a few zeros. */
static uint64_t draw_size(heapev_gen_model *m)
{
    heapev_rng *r = &m->rng;
    uint64_t k = heapev_rng_bounded(r, 100);
    if (k < 3)
        return 0;
    if (k < 53)
        return m->common_sizes[heapev_rng_bounded(r, HEAPEV_GEN_COMMON_SIZES)];
    unsigned e = k < 88 ? (unsigned)heapev_rng_bounded(r, 9) : 9u + (unsigned)heapev_rng_bounded(r, 16);
    return (1ull << e) + heapev_rng_bounded(r, 1ull << e);
}

static int in_segment(const heapev_gen_heap *h, uint64_t address)
{
    return address >= h->seg_base && address < h->seg_end;
}

static void free_live(heapev_gen_heap *h, unsigned i)
{
    heapev_gen_block b = h->live[i];
    h->live[i] = h->live[--h->n_live];
    if (in_segment(h, b.address) && b.size <= LOOKASIDE_MAX && h->n_freed < HEAPEV_GEN_FREED)
        h->freed[h->n_freed++] = b;
}

/* Now and then, a freed block on top of the lookaside stack that fits @p size; else 0. */
static uint64_t take_freed(heapev_gen_model *m, heapev_gen_heap *h, uint64_t size, unsigned align)
{
    if (size > LOOKASIDE_MAX || h->n_freed == 0 || heapev_rng_bounded(&m->rng, LOOKASIDE_ODDS) != 0)
        return 0;
    const heapev_gen_block *top = &h->freed[h->n_freed - 1];
    uint64_t need = round_up(size ? size : 1, align);
    if (need > round_up(top->size ? top->size : 1, align))
        return 0;
    h->n_freed--;
    return top->address;
}

/* Bump-allocate in [*next, end); 0 when the region is exhausted. */
static uint64_t bump(uint64_t *next, uint64_t end, uint64_t size, uint64_t header, uint64_t step)
{
    uint64_t address = *next + header;
    uint64_t after = round_up(address + (size ? size : 1), step);
    if (after > end)
        return 0;
    *next = after;
    return address;
}

/* The LFH size class of a block of @p size (<= 16 KiB). */
static unsigned lfh_class(uint64_t size)
{
    if (size <= LFH_SMALL_MAX)
        return (unsigned)((size + LFH_SMALL_STEP - 1) / LFH_SMALL_STEP);
    return (unsigned)(LFH_SMALL_MAX / LFH_SMALL_STEP + (size - LFH_SMALL_MAX - 1) / LFH_LARGE_STEP);
}

/* Count an allocation of @p size: 1 once the LFH serves its class. */
static int lfh_serves(heapev_gen_heap *h, uint64_t size)
{
    uint8_t *uses = &h->lfh_uses[lfh_class(size)];
    if (*uses >= HEAPEV_GEN_LFH_ACTIVATION)
        return 1;
    (*uses)++;
    return 0;
}

/* Place a block of @p size in heap @p h; sets *source. Never fails. */
static uint64_t place(heapev_gen_model *m, heapev_gen_heap *h, uint64_t size, uint32_t *source)
{
    unsigned align = HEAPEV_ADDRESS_ALIGN(m->width);
    uint64_t address;
    if (size > HEAPEV_VM_THRESHOLD_64) {
        *source = HEAPEV_SOURCE_SLOWPATH;
        /* A VirtualAlloc'd block: header at the region start, next one 64 KiB on. */
        while ((address = bump(&h->big_next, h->big_end, size, 4u * align,
                               HEAPEV_HEAP_HANDLE_ALIGN)) == 0)
            heap_reset(h);
        return address;
    }
    if ((address = take_freed(m, h, size, align)) != 0) {
        *source = HEAPEV_SOURCE_LOOKASIDE;
        return address;
    }
    if (size <= HEAPEV_LFH_MAX_SIZE && lfh_serves(h, size))
        *source = HEAPEV_SOURCE_LOWFRAG;
    else
        *source = HEAPEV_SOURCE_MAINPATH;
    /* Blocks follow each other with one header-sized gap (the next block's header). */
    while ((address = bump(&h->seg_next, h->seg_end, size, 0, align)) == 0)
        heap_reset(h);
    h->seg_next += align;
    return address;
}

static void fill_header(heapev_gen_model *m, heapev_event *e)
{
    heapev_record_header *hd = &e->header;
    m->system_time += 1 + (int64_t)heapev_rng_bounded(&m->rng, 20000);
    m->kernel_time += (uint32_t)heapev_rng_bounded(&m->rng, 2);
    m->user_time += (uint32_t)heapev_rng_bounded(&m->rng, 3);
    hd->version = HEAPEV_HEADER_VERSION;
    hd->header_type = m->width == 4 ? HEAPEV_HEADER_TYPE_SYSTEM32 : HEAPEV_HEADER_TYPE_SYSTEM64;
    hd->flags = HEAPEV_HEADER_FLAGS;
    hd->hook_id = HEAPEV_HOOK_HEAP_ALLOC;
    hd->thread_id = m->thread_ids[heapev_rng_bounded(&m->rng, HEAPEV_GEN_THREADS)];
    hd->process_id = m->process_id;
    hd->system_time = m->system_time;
    hd->kernel_time = m->kernel_time;
    hd->user_time = m->user_time;
    hd->size = (uint16_t)heapev_record_size(e);
}

void heapev_gen_model_event(heapev_gen_model *m, heapev_event *e)
{
    /* Half the allocations go to the process heap, the rest to private heaps. */
    unsigned hi = heapev_rng_bounded(&m->rng, 2) == 0
                      ? 0u
                      : 1u + (unsigned)heapev_rng_bounded(&m->rng, HEAPEV_GEN_HEAPS - 1);
    heapev_gen_heap *h = &m->heaps[hi];
    if (h->n_live > 0 && (h->n_live == HEAPEV_GEN_LIVE || heapev_rng_bounded(&m->rng, 3) == 0))
        free_live(h, (unsigned)heapev_rng_bounded(&m->rng, h->n_live));

    memset(e, 0, sizeof *e);
    e->pointer_width = (uint8_t)m->width;
    e->payload_decoded = 1;
    e->heap_handle = h->handle;
    e->size = draw_size(m);
    e->address = place(m, h, e->size, &e->source);
    h->live[h->n_live++] = (heapev_gen_block){e->address, e->size};
    fill_header(m, e);
}

void heapev_gen_set_family(heapev_event *e, unsigned family)
{
    heapev_record_header *hd = &e->header;
    int wide = e->pointer_width == 8;
    if (family == HEAPEV_GEN_FAMILY_COMPACT || family == HEAPEV_GEN_FAMILY_PERFINFO) {
        hd->kernel_time = hd->user_time = 0;
        hd->header_type = wide ? HEAPEV_HEADER_TYPE_COMPACT64 : HEAPEV_HEADER_TYPE_COMPACT32;
    }
    if (family == HEAPEV_GEN_FAMILY_PERFINFO) {
        hd->thread_id = hd->process_id = 0;
        hd->header_type = wide ? HEAPEV_HEADER_TYPE_PERFINFO64 : HEAPEV_HEADER_TYPE_PERFINFO32;
    }
    if (family == HEAPEV_GEN_FAMILY_SYSTEM)
        hd->header_type = wide ? HEAPEV_HEADER_TYPE_SYSTEM64 : HEAPEV_HEADER_TYPE_SYSTEM32;
    hd->size = (uint16_t)heapev_record_size(e);
}
