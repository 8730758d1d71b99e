/*
 * catalogue.c - the malformation classes: one table row per class, with the
 * exact findings it adds, what it touches, and the function applying it.
 *
 * Values are chosen so that a class yields its findings and nothing else
 * under the decoder's documented rules (heapev/decode.h) with the default
 * limits; the comments on each apply function say why no other finding can
 * appear. The rows are in application order: event-stage rows first (a size
 * before the address that depends on it, the address before the wrap that
 * depends on it), then bytes-stage rows (appending before the Size field that
 * covers it, truncation last).
 */
#include "heapev/catalogue.h"

#include <string.h>

#include "heapev/decode.h"
#include "heapev/format.h"
#include "heapev/le.h"
#include "internal.h"


/* What a class touches: two classes touching the same thing exclude each other. */
enum {
    G_SOURCE = 1u << 0,
    G_HANDLE = 1u << 1,
    G_ADDRESS = 1u << 2,
    G_SIZE = 1u << 3,
    G_WRAP = 1u << 4, /* the Address/Size interplay (null, kernel, huge sizes) */
    G_VERSION = 1u << 5,
    G_FLAGS = 1u << 6,
    G_HOOK = 1u << 7,
    G_TYPE = 1u << 8,
    G_SIZEFIELD = 1u << 9,
    G_LENGTH = 1u << 10,
    G_WIDTH = 1u << 11,
    G_COMPACT = 1u << 12,
    G_ALL = (1u << 13) - 1u
};

/* Decode stages (heapev_decode_stage): a class's findings need one; a class may prevent one. */
#define N_NONE HEAPEV_DECODE_STAGE_START
#define N_HEADER HEAPEV_DECODE_STAGE_HEADER
#define N_PAYLOAD HEAPEV_DECODE_STAGE_PAYLOAD
#define N_FIELDS HEAPEV_DECODE_STAGE_FIELDS
#define B_NONE HEAPEV_DECODE_STAGE_END

#define BOTH (HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_PAYLOAD) | \
              HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_RECORD))
#define PAYLOAD HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_PAYLOAD)
#define RECORD HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_RECORD)
#define ETL HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_ETL) /* keeps its meaning inside a trace */
#define W_ANY (HEAPEV_GEN_WIDTH_32 | HEAPEV_GEN_WIDTH_64)
#define EV HEAPEV_GEN_STAGE_EVENT
#define BY HEAPEV_GEN_STAGE_BYTES

typedef void apply_fn(heapev_rng *rng, heapev_gen_item *item);

typedef struct class_row {
    heapev_gen_class info;
    apply_fn *apply;
} class_row;

/* ---- helpers ------------------------------------------------------------- */

static uint64_t user_max(unsigned w)
{
    return w == 4 ? HEAPEV_USER_MAX_32 : HEAPEV_USER_MAX_64;
}

static uint64_t addr_top(unsigned w)
{
    return w == 4 ? UINT32_MAX : UINT64_MAX;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

static uint64_t pick(heapev_rng *rng, const uint64_t *table, size_t n)
{
    return table[heapev_rng_bounded(rng, n)];
}

/* A huge Size is a slow-path block: keep LFH's size check out of it. */
static void not_lowfrag(heapev_event *e)
{
    if (e->source == HEAPEV_SOURCE_LOWFRAG)
        e->source = HEAPEV_SOURCE_SLOWPATH;
}

static unsigned header_size(const heapev_gen_item *it)
{
    return heapev_header_type_size(it->event.header.header_type);
}

static void set_size_field(heapev_gen_item *it, uint16_t size)
{
    heapev_write_le16(it->bytes + HEAPEV_HEADER_OFF_SIZE, size);
    it->event.header.size = size;
}

static void set_header_type(heapev_gen_item *it, uint8_t type)
{
    it->bytes[HEAPEV_HEADER_OFF_HEADER_TYPE] = type;
    it->event.header.header_type = type;
}

static void append_random(heapev_rng *rng, heapev_gen_item *it, size_t n)
{
    for (size_t i = 0; i < n; i++)
        it->bytes[it->len + i] = (uint8_t)heapev_rng_next(rng);
    it->len += n;
}

/* ---- interesting values ----------------------------------------------------- */

static const uint64_t source_values[] = {
    0, HEAPEV_SOURCE_LOOKASIDE, HEAPEV_SOURCE_LOWFRAG, HEAPEV_SOURCE_MAINPATH,
    HEAPEV_SOURCE_SLOWPATH, HEAPEV_SOURCE_INVALID, HEAPEV_SOURCE_SEGMENT_HEAP, 7, 8, 0xFF, 0x100,
    0x7FFFFFFF, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
static const uint64_t header_type_values[] = {
    HEAPEV_HEADER_TYPE_SYSTEM32, HEAPEV_HEADER_TYPE_SYSTEM64, HEAPEV_HEADER_TYPE_COMPACT32,
    HEAPEV_HEADER_TYPE_COMPACT64, HEAPEV_HEADER_TYPE_PERFINFO32, HEAPEV_HEADER_TYPE_PERFINFO64,
    0, 5, HEAPEV_HEADER_TYPE_FULL_HEADER32, HEAPEV_HEADER_TYPE_INSTANCE32,
    HEAPEV_HEADER_TYPE_TIMED, HEAPEV_HEADER_TYPE_ERROR, HEAPEV_HEADER_TYPE_WNODE_HEADER,
    HEAPEV_HEADER_TYPE_MESSAGE, HEAPEV_HEADER_TYPE_EVENT_HEADER32,
    HEAPEV_HEADER_TYPE_EVENT_HEADER64, HEAPEV_HEADER_TYPE_FULL_HEADER64,
    HEAPEV_HEADER_TYPE_INSTANCE64, 0x7F, 0x80, 0xFF};
/* Header types the decoder does not read an Alloc from start at this index of header_type_values. */
#define FIRST_UNKNOWN_TYPE 6u
static const uint64_t other_heap_hooks[] = {
    HEAPEV_HOOK_HEAP_CREATE, HEAPEV_HOOK_HEAP_REALLOC, HEAPEV_HOOK_HEAP_DESTROY,
    HEAPEV_HOOK_HEAP_FREE, HEAPEV_HOOK_HEAP_EXTEND, HEAPEV_HOOK_HEAP_SNAPSHOT,
    HEAPEV_HOOK_HEAP_CONTRACT, HEAPEV_HOOK_HEAP_LOCK, HEAPEV_HOOK_HEAP_UNLOCK,
    HEAPEV_HOOK_HEAP_VALIDATE, HEAPEV_HOOK_HEAP_WALK};
static const uint64_t hook_values[] = {
    HEAPEV_HOOK_HEAP_ALLOC, HEAPEV_HOOK_HEAP_CREATE, HEAPEV_HOOK_HEAP_REALLOC,
    HEAPEV_HOOK_HEAP_DESTROY, HEAPEV_HOOK_HEAP_FREE, HEAPEV_HOOK_HEAP_EXTEND,
    HEAPEV_HOOK_HEAP_SNAPSHOT, HEAPEV_HOOK_HEAP_CONTRACT, HEAPEV_HOOK_HEAP_LOCK,
    HEAPEV_HOOK_HEAP_UNLOCK, HEAPEV_HOOK_HEAP_VALIDATE, HEAPEV_HOOK_HEAP_WALK,
    HEAPEV_HOOK_LOGFILE_HEADER, HEAPEV_HOOK_HEAP_ALLOC & ~HEAPEV_HOOK_GROUP_MASK, 0x1121, 0x2021,
    0xFF21, 0x10FF, 0xFFFF};
static const uint64_t bad_versions[] = {0, 1, 3, 4, 0x0200, 0x7FFF, 0x8000, 0xFFFF};
static const uint64_t version_values[] = {HEAPEV_HEADER_VERSION, 0, 1, 3, 4, 0x0200, 0xFFFF};
static const uint64_t bad_flags[] = {0x00, 0x40, 0x80, HEAPEV_ETL_MARKER_FLAGS_MESSAGE, 0xC1,
                                     0xC4, 0xE0, 0xFF};
static const uint64_t flag_values[] = {HEAPEV_HEADER_FLAGS, 0x00, 0x40, 0x80,
                                       HEAPEV_ETL_MARKER_FLAGS_MESSAGE, 0xC1, 0xFF};
static const uint64_t size_values[] = {
    0, 1, 8, 16, HEAPEV_LFH_MAX_SIZE - 1, HEAPEV_LFH_MAX_SIZE, HEAPEV_LFH_MAX_SIZE + 1,
    HEAPEV_VM_THRESHOLD_64, HEAPEV_VM_THRESHOLD_64 + 1, HEAPEV_USER_MAX_32,
    HEAPEV_USER_MAX_32 + 1, HEAPEV_USER_MAX_32_3GB + 1, HEAPEV_USER_MAX_32_WOW64 + 1, UINT32_MAX,
    HEAPEV_USER_MAX_64, HEAPEV_USER_MAX_64 + 1, INT64_MAX, UINT64_MAX};
static const uint64_t address_values[] = {
    0, 1, 8, 16, HEAPEV_LOWEST_MAPPED - 1, HEAPEV_LOWEST_MAPPED, HEAPEV_USER_MAX_32,
    HEAPEV_USER_MAX_32 + 1, HEAPEV_USER_MAX_32_3GB, HEAPEV_USER_MAX_32_3GB + 1,
    HEAPEV_USER_MAX_32_WOW64, HEAPEV_USER_MAX_32_WOW64 + 1, UINT32_MAX - 15, UINT32_MAX,
    HEAPEV_USER_MAX_64, HEAPEV_USER_MAX_64 + 1, 0xFFFF800000000000ull, UINT64_MAX - 15,
    UINT64_MAX};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const uint64_t *heapev_gen_values(heapev_gen_values_kind kind, size_t *count)
{
    static const struct { const uint64_t *v; size_t n; } tables[HEAPEV_GEN_VALUES_COUNT] = {
        [HEAPEV_GEN_VALUES_SOURCE] = {source_values, N(source_values)},
        [HEAPEV_GEN_VALUES_HEADER_TYPE] = {header_type_values, N(header_type_values)},
        [HEAPEV_GEN_VALUES_HOOK_ID] = {hook_values, N(hook_values)},
        [HEAPEV_GEN_VALUES_VERSION] = {version_values, N(version_values)},
        [HEAPEV_GEN_VALUES_FLAGS] = {flag_values, N(flag_values)},
        [HEAPEV_GEN_VALUES_SIZE] = {size_values, N(size_values)},
        [HEAPEV_GEN_VALUES_ADDRESS] = {address_values, N(address_values)},
    };
    if ((unsigned)kind >= HEAPEV_GEN_VALUES_COUNT) {
        *count = 0;
        return NULL;
    }
    *count = tables[kind].n;
    return tables[kind].v;
}

/* ---- event stage: payload fields ----------------------------------------- */

/* Source 2 with a mid-size block: below the VM threshold, so nothing else. */
static void apply_lowfrag_large(heapev_rng *rng, heapev_gen_item *it)
{
    it->event.source = HEAPEV_SOURCE_LOWFRAG;
    it->event.size = heapev_rng_range(rng, HEAPEV_LFH_MAX_SIZE + 1, HEAPEV_VM_THRESHOLD_64);
}

/*
 * Size above the user limit but not wrapping: at most top - Address - 16
 * (the 16 leaves room for address_misaligned). The model's addresses are far
 * below the limit, so that bound stays above it.
 */
static void apply_size_implausible(heapev_rng *rng, heapev_gen_item *it)
{
    unsigned w = it->width;
    it->event.size = heapev_rng_range(rng, user_max(w) + 1, addr_top(w) - it->event.address - 16);
    not_lowfrag(&it->event);
}

static void apply_address_null(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    it->event.address = 0; /* 0 + Size - 1 cannot wrap: Size is a user-range size */
}

static void apply_address_misaligned(heapev_rng *rng, heapev_gen_item *it)
{
    it->event.address += heapev_rng_range(rng, 1, HEAPEV_ADDRESS_ALIGN(it->width) - 1);
}

/* Aligned, above the limit, and low enough that Address + Size does not wrap. */
static void apply_address_kernel(heapev_rng *rng, heapev_gen_item *it)
{
    unsigned w = it->width;
    uint64_t align = HEAPEV_ADDRESS_ALIGN(w);
    uint64_t lo = round_up(user_max(w) + 1, align);
    uint64_t size = it->event.size ? it->event.size : 1;
    uint64_t a = heapev_rng_range(rng, lo, addr_top(w) - size + 1);
    it->event.address = a / align * align;
}

/*
 * Size = the bytes left above Address + 1 to 64 KiB more (never more than
 * Address - 1 more, so Size still fits the width): the last byte lies past
 * the top (with 0 more it would be the top itself: no wrap), and such a Size
 * is always above the user limit. The model's Address is far above 2.
 */
static void apply_address_wraps(heapev_rng *rng, heapev_gen_item *it)
{
    uint64_t a = it->event.address;
    uint64_t extra = heapev_rng_range(rng, 1, a - 1 < 0xFFFF ? a - 1 : 0xFFFF);
    it->event.size = addr_top(it->width) - a + 1 + extra;
    not_lowfrag(&it->event);
}

/*
 * A block that starts in user space and runs past the user limit: aligned
 * Address within 64 KiB below the limit, Size = the bytes left up to the
 * limit + 1..4 KiB. Size stays far below the limit and Address + Size far
 * below the top: nothing else; Source 2 becomes 4 (the block is too large
 * for the LFH).
 */
static void apply_block_end_kernel(heapev_rng *rng, heapev_gen_item *it)
{
    unsigned w = it->width;
    uint64_t align = HEAPEV_ADDRESS_ALIGN(w);
    uint64_t a = user_max(w) - heapev_rng_bounded(rng, HEAPEV_LOWEST_MAPPED);
    it->event.address = a / align * align;
    it->event.size = user_max(w) - it->event.address + 1 + heapev_rng_range(rng, 1, 4096);
    not_lowfrag(&it->event);
}

/* An aligned, non-null Address in the never-mapped lowest 64 KiB; the model's Size fits above it. */
static void apply_address_low(heapev_rng *rng, heapev_gen_item *it)
{
    uint64_t align = HEAPEV_ADDRESS_ALIGN(it->width);
    it->event.address = align * heapev_rng_range(rng, 1, HEAPEV_LOWEST_MAPPED / align - 1);
}

static void set_source(heapev_gen_item *it, uint32_t v)
{
    it->event.source = v;
}

static void apply_source_zero(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    set_source(it, 0);
}

static void apply_source_invalid(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    set_source(it, HEAPEV_SOURCE_INVALID);
}

static void apply_source_segment_heap(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    set_source(it, HEAPEV_SOURCE_SEGMENT_HEAP);
}

static void apply_source_seven(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    set_source(it, HEAPEV_SOURCE_SEGMENT_HEAP + 1);
}

static void apply_source_int_max(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    set_source(it, 0x7FFFFFFFu);
}

static void apply_source_uint_max(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    set_source(it, 0xFFFFFFFFu);
}

static void apply_source_random(heapev_rng *rng, heapev_gen_item *it)
{
    set_source(it, (uint32_t)heapev_rng_range(rng, HEAPEV_SOURCE_SEGMENT_HEAP + 2, UINT32_MAX));
}

static void apply_handle_null(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    it->event.heap_handle = 0;
}

static void apply_handle_kernel(heapev_rng *rng, heapev_gen_item *it)
{
    uint64_t lo = round_up(user_max(it->width) + 1, HEAPEV_HEAP_HANDLE_ALIGN);
    uint64_t h = heapev_rng_range(rng, lo, addr_top(it->width));
    it->event.heap_handle = h / HEAPEV_HEAP_HANDLE_ALIGN * HEAPEV_HEAP_HANDLE_ALIGN;
}

/* 1..0xFFFF: in the never-mapped lowest 64 KiB, and so not 64 KiB aligned either. */
static void apply_handle_low(heapev_rng *rng, heapev_gen_item *it)
{
    it->event.heap_handle = heapev_rng_range(rng, 1, HEAPEV_LOWEST_MAPPED - 1);
}

/* The model's heap moved 4..60 KiB (page steps) off its 64 KiB boundary: still user space. */
static void apply_handle_misaligned(heapev_rng *rng, heapev_gen_item *it)
{
    it->event.heap_handle += 0x1000u * heapev_rng_range(rng, 1, 15);
}

/* ---- event stage: record header ------------------------------------------ */

static void apply_compact(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    heapev_record_header *h = &it->event.header;
    h->header_type = it->width == 4 ? HEAPEV_HEADER_TYPE_COMPACT32 : HEAPEV_HEADER_TYPE_COMPACT64;
    h->kernel_time = 0; /* absent from COMPACT headers */
    h->user_time = 0;
    h->size = (uint16_t)heapev_record_size(&it->event);
}

static void apply_version(heapev_rng *rng, heapev_gen_item *it)
{
    uint64_t v;
    if (heapev_rng_bounded(rng, 2) == 0)
        v = pick(rng, bad_versions, N(bad_versions));
    else
        while ((v = heapev_rng_bounded(rng, 0x10000)) == HEAPEV_HEADER_VERSION)
            ;
    it->event.header.version = (uint16_t)v;
}

static void apply_flags(heapev_rng *rng, heapev_gen_item *it)
{
    uint64_t v;
    if (heapev_rng_bounded(rng, 2) == 0)
        v = pick(rng, bad_flags, N(bad_flags));
    else
        while ((v = heapev_rng_bounded(rng, 0x100)) == HEAPEV_HEADER_FLAGS)
            ;
    it->event.header.flags = (uint8_t)v;
}

static void apply_hook_heap(heapev_rng *rng, heapev_gen_item *it)
{
    it->event.header.hook_id = (uint16_t)pick(rng, other_heap_hooks, N(other_heap_hooks));
}

/* A group byte other than the heap group's. */
static uint16_t other_group(heapev_rng *rng)
{
    uint16_t g = (uint16_t)(heapev_rng_bounded(rng, 0xFF) << 8);
    return g >= HEAPEV_HOOK_GROUP_HEAP ? (uint16_t)(g + 0x100u) : g;
}

static void apply_hook_group(heapev_rng *rng, heapev_gen_item *it)
{
    uint64_t k = heapev_rng_bounded(rng, 4);
    uint16_t type = (uint16_t)(HEAPEV_HOOK_HEAP_ALLOC & ~HEAPEV_HOOK_GROUP_MASK);
    if (k == 0)
        it->event.header.hook_id = HEAPEV_HOOK_LOGFILE_HEADER;
    else if (k == 1)
        it->event.header.hook_id = (uint16_t)(other_group(rng) | type);
    else
        it->event.header.hook_id = (uint16_t)(other_group(rng) | heapev_rng_bounded(rng, 0x100));
}

/* ---- bytes stage ---------------------------------------------------------- */

/* Extra payload bytes a later version could carry; a record's Size covers them. */
static void apply_trailing(heapev_rng *rng, heapev_gen_item *it)
{
    size_t k = (size_t)heapev_rng_range(rng, 1, HEAPEV_GEN_MAX_TRAILING);
    append_random(rng, it, k);
    it->event.trailing_bytes = (uint32_t)k;
    if (it->format == HEAPEV_GEN_FORMAT_RECORD)
        set_size_field(it, (uint16_t)it->len);
}

static void apply_type_unknown(heapev_rng *rng, heapev_gen_item *it)
{
    uint64_t v;
    if (heapev_rng_bounded(rng, 2) == 0)
        v = header_type_values[FIRST_UNKNOWN_TYPE +
                               heapev_rng_bounded(rng, N(header_type_values) - FIRST_UNKNOWN_TYPE)];
    else
        while (heapev_header_type_width((uint8_t)(v = heapev_rng_bounded(rng, 0x100))) != 0)
            ;
    set_header_type(it, (uint8_t)v);
}

static void reencode(heapev_gen_item *it)
{
    if (it->format == HEAPEV_GEN_FORMAT_RECORD)
        it->len = heapev_encode_record(&it->event, it->bytes, sizeof it->bytes);
    else
        it->len = heapev_encode_payload(&it->event, it->bytes, sizeof it->bytes);
}

static uint8_t other_width_type(uint8_t type)
{
    switch (type) {
    case HEAPEV_HEADER_TYPE_SYSTEM32: return HEAPEV_HEADER_TYPE_SYSTEM64;
    case HEAPEV_HEADER_TYPE_SYSTEM64: return HEAPEV_HEADER_TYPE_SYSTEM32;
    case HEAPEV_HEADER_TYPE_COMPACT32: return HEAPEV_HEADER_TYPE_COMPACT64;
    default: return HEAPEV_HEADER_TYPE_COMPACT32;
    }
}

/* Tell the decoder the other width: the bare-payload width, or the HeaderType. */
static void present_as_other_width(heapev_gen_item *it)
{
    if (it->format == HEAPEV_GEN_FORMAT_PAYLOAD)
        it->decode_width = it->width == 4 ? 8u : 4u;
    else
        set_header_type(it, other_width_type(it->event.header.header_type));
}

/*
 * 28 bytes read as 32-bit: HeapHandle' = low half of HeapHandle, Size' = its
 * high half, Address' = low half of Size, Source' = high half of Size, and
 * 12 bytes left over. So: HeapHandle's low half is made 64 KiB aligned,
 * non-zero and within the 32-bit user range; Size is a multiple of 8 in
 * [64 KiB, 32-bit limit - 64 KiB] (Address' aligned, mapped, user range,
 * no wrap and no block end beyond the limit with the small Size'); its high
 * half is 0, so Source' is 0: source_undefined.
 */
static void apply_width_64_as_32(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    heapev_event *e = &it->event;
    uint64_t low = e->heap_handle & 0x7FFF0000u;
    e->heap_handle = (e->heap_handle & ~(uint64_t)UINT32_MAX) | (low ? low : HEAPEV_LOWEST_MAPPED);
    if (e->size > HEAPEV_USER_MAX_32 - 0xFFFFu)
        e->size = HEAPEV_ADDRESS_ALIGN(4);
    if (e->size < HEAPEV_LOWEST_MAPPED)
        e->size += HEAPEV_LOWEST_MAPPED;
    e->size = round_up(e->size, HEAPEV_ADDRESS_ALIGN(4));
    reencode(it);
    present_as_other_width(it);
}

/* 16 bytes read as 64-bit: fewer than 28, so truncated and nothing else. */
static void apply_width_32_as_64(heapev_rng *rng, heapev_gen_item *it)
{
    (void)rng;
    present_as_other_width(it);
}

static void apply_size_small(heapev_rng *rng, heapev_gen_item *it)
{
    set_size_field(it, (uint16_t)heapev_rng_bounded(rng, header_size(it)));
}

static void apply_size_large(heapev_rng *rng, heapev_gen_item *it)
{
    set_size_field(it, (uint16_t)heapev_rng_range(rng, it->len + 1, UINT16_MAX));
}

/*
 * Size inside [header, header + payload) and the record really that long: Size
 * and bytes agree with each other but not with the HeaderType's payload width.
 * (Cutting the bytes keeps one record per item: with bytes left beyond Size a
 * record reader would see a second record.)
 */
static void apply_size_disagrees(heapev_rng *rng, heapev_gen_item *it)
{
    unsigned h = header_size(it);
    set_size_field(it, (uint16_t)heapev_rng_range(rng, h, it->len - 1));
    it->len = it->event.header.size;
}

static void apply_truncated_payload(heapev_rng *rng, heapev_gen_item *it)
{
    it->len = (size_t)heapev_rng_bounded(rng, it->len);
}

static void apply_truncated_header(heapev_rng *rng, heapev_gen_item *it)
{
    it->len = (size_t)heapev_rng_bounded(rng, header_size(it));
}

static void apply_truncated_record(heapev_rng *rng, heapev_gen_item *it)
{
    it->len = (size_t)heapev_rng_range(rng, header_size(it), it->len - 1);
}

/* Any length but 16 and 28, decoded without a width. */
static void apply_length_ambiguous(heapev_rng *rng, heapev_gen_item *it)
{
    size_t n;
    while ((n = (size_t)heapev_rng_range(rng, 0, it->len + HEAPEV_GEN_MAX_TRAILING)) ==
               HEAPEV_PAYLOAD_SIZE_32 ||
           n == HEAPEV_PAYLOAD_SIZE_64)
        ;
    if (n > it->len) {
        it->event.trailing_bytes = (uint32_t)(n - it->len);
        append_random(rng, it, n - it->len);
    }
    it->len = n;
    it->decode_width = HEAPEV_WIDTH_INFER;
}

/* ---- the table --------------------------------------------------------------- */

#define EVENT_FIELD(name, desc, how, fnd, groups, fn) \
    {{name, desc, how, fnd, EV, BOTH | ETL, W_ANY, groups, N_FIELDS, B_NONE, 0}, fn}
#define SOURCE_ROW(name, desc, how, fnd, fn) EVENT_FIELD(name, desc, how, HEAPEV_FINDING(fnd), G_SOURCE, fn)

static const class_row rows[] = {
    EVENT_FIELD("lowfrag_size_too_large", "LFH (Source 2) serving a block above 16 KiB",
                "Source = 2, Size in (16 KiB, VM threshold]", HEAPEV_FINDING(LOWFRAG_SIZE_TOO_LARGE),
                G_SOURCE | G_SIZE, apply_lowfrag_large),
    EVENT_FIELD("size_implausible", "Size above the highest user-mode address",
                "Size in (user limit, top - Address - 16]: no wrap, the block ends beyond "
                "the limit; Source 2 becomes 4",
                HEAPEV_FINDING(SIZE_IMPLAUSIBLE) | HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE),
                G_SIZE | G_WRAP, apply_size_implausible),
    EVENT_FIELD("address_null", "Address is 0", "Address = 0", HEAPEV_FINDING(ADDRESS_NULL),
                G_ADDRESS | G_WRAP, apply_address_null),
    EVENT_FIELD("address_low_range", "Address in the never-mapped lowest 64 KiB",
                "Address = aligned value in [alignment, 0x10000)",
                HEAPEV_FINDING(ADDRESS_LOW_RANGE), G_ADDRESS | G_WRAP, apply_address_low),
    EVENT_FIELD("address_misaligned", "Address not 8- (32-bit) or 16-byte (64-bit) aligned",
                "Address += 1..alignment-1", HEAPEV_FINDING(ADDRESS_MISALIGNED), G_ADDRESS,
                apply_address_misaligned),
    EVENT_FIELD("address_kernel_range", "Address above the highest user-mode address",
                "aligned Address in (user limit, top - Size + 1]: no wrap",
                HEAPEV_FINDING(ADDRESS_KERNEL_RANGE), G_ADDRESS | G_WRAP, apply_address_kernel),
    EVENT_FIELD("address_wraps", "Address + Size runs past the top of the address space",
                "Size = top - Address + 1 + 1..64 KiB (also above the user limit); Source 2 "
                "becomes 4",
                HEAPEV_FINDING(ADDRESS_WRAPS) | HEAPEV_FINDING(SIZE_IMPLAUSIBLE),
                G_SIZE | G_WRAP, apply_address_wraps),
    EVENT_FIELD("block_end_kernel_range", "a user-space block whose end lies beyond the user limit",
                "aligned Address within 64 KiB below the user limit, Size = bytes left + "
                "1..4 KiB (a plausible Size, no wrap); Source 2 becomes 4",
                HEAPEV_FINDING(BLOCK_END_KERNEL_RANGE), G_ADDRESS | G_SIZE | G_WRAP,
                apply_block_end_kernel),
    SOURCE_ROW("source_zero", "Source 0: undefined", "Source = 0", SOURCE_UNDEFINED,
               apply_source_zero),
    SOURCE_ROW("source_invalid", "Source 5 (MEMORY_FROM_INVALID)", "Source = 5", SOURCE_INVALID,
               apply_source_invalid),
    SOURCE_ROW("source_segment_heap", "Source 6 (MEMORY_FROM_SEGMENT_HEAP, reserved)",
               "Source = 6", SOURCE_RESERVED, apply_source_segment_heap),
    SOURCE_ROW("source_seven", "Source 7: first value past the table", "Source = 7",
               SOURCE_UNDEFINED, apply_source_seven),
    SOURCE_ROW("source_int_max", "Source 0x7FFFFFFF", "Source = 0x7FFFFFFF", SOURCE_UNDEFINED,
               apply_source_int_max),
    SOURCE_ROW("source_uint_max", "Source 0xFFFFFFFF (-1 as a signed value)",
               "Source = 0xFFFFFFFF", SOURCE_UNDEFINED, apply_source_uint_max),
    SOURCE_ROW("source_random_undefined", "Source a random undefined value",
               "Source = random in [8, 0xFFFFFFFF]", SOURCE_UNDEFINED, apply_source_random),
    EVENT_FIELD("heap_handle_null", "HeapHandle is 0", "HeapHandle = 0", HEAPEV_FINDING(HEAP_HANDLE_NULL),
                G_HANDLE, apply_handle_null),
    EVENT_FIELD("heap_handle_kernel_range", "HeapHandle above the highest user-mode address",
                "HeapHandle = 64 KiB-aligned value above the user limit",
                HEAPEV_FINDING(HEAP_HANDLE_KERNEL_RANGE), G_HANDLE, apply_handle_kernel),
    EVENT_FIELD("heap_handle_low_range", "HeapHandle in the never-mapped lowest 64 KiB",
                "HeapHandle = random in [1, 0x10000) (so not 64 KiB aligned either)",
                HEAPEV_FINDING(HEAP_HANDLE_LOW_RANGE) | HEAPEV_FINDING(HEAP_HANDLE_MISALIGNED),
                G_HANDLE, apply_handle_low),
    EVENT_FIELD("heap_handle_misaligned", "HeapHandle not on a 64 KiB reservation boundary",
                "HeapHandle += 4..60 KiB in page steps",
                HEAPEV_FINDING(HEAP_HANDLE_MISALIGNED), G_HANDLE, apply_handle_misaligned),
    {{"compact_header", "COMPACT32/64 header (24 bytes, no Kernel/UserTime): valid",
      "HeaderType = 3 / 4, Size = 40 / 52", 0, EV, RECORD | ETL, W_ANY, G_COMPACT, N_NONE, B_NONE, 0},
     apply_compact},
    {{"header_version_unexpected", "record Version is not 2",
      "Version = another value (0, 1, 3, 0xFFFF, random)", HEAPEV_FINDING(HEADER_VERSION_UNEXPECTED), EV,
      RECORD | ETL, W_ANY, G_VERSION, N_HEADER, B_NONE, 0},
     apply_version},
    {{"header_flags_invalid", "record Flags is not 0xC0",
      "Flags = another value (0x00, 0x80, 0x90, 0xFF, random)", HEAPEV_FINDING(HEADER_FLAGS_INVALID), EV,
      RECORD, W_ANY, G_FLAGS, N_HEADER, B_NONE, 0},
     apply_flags},
    {{"not_heap_alloc_heap_event", "another heap event's HookId (Create, Free, ReAlloc...)",
      "HookId = 0x1020, 0x1022..0x1026, 0x102A..0x102E; payload not decoded", HEAPEV_FINDING(NOT_HEAP_ALLOC),
      EV, RECORD, W_ANY, G_HOOK, N_HEADER, N_PAYLOAD, 0},
     apply_hook_heap},
    {{"not_heap_alloc_other_group", "a HookId of another event group",
      "HookId = 0x0000, type 0x21 in another group, or random outside group 0x10",
      HEAPEV_FINDING(NOT_HEAP_ALLOC), EV, RECORD, W_ANY, G_HOOK, N_HEADER, N_PAYLOAD, 0},
     apply_hook_group},
    {{"trailing_bytes", "payload longer than the version 0 layout",
      "append 1..32 random bytes (records: Size covers them; payloads: decoded with the "
      "producer width)",
      HEAPEV_FINDING(TRAILING_BYTES), BY, BOTH | ETL, W_ANY, G_LENGTH, N_FIELDS, B_NONE, 0},
     apply_trailing},
    {{"header_type_unknown", "record HeaderType not 1..4, 16, 17",
      "HeaderType byte = 0, 5..15, 18..255 (other ETL header types, random); payload not decoded",
      HEAPEV_FINDING(HEADER_TYPE_UNKNOWN), BY, RECORD, W_ANY, G_TYPE, N_HEADER, N_PAYLOAD, 0},
     apply_type_unknown},
    {{"width_64_as_32", "a 64-bit payload (28 bytes) read as 32-bit: the fields reinterpret",
      "payload: decode_bits 32; record: HeaderType 2->1 / 4->3. HeapHandle low half and Size "
      "made so the reread fields give exactly these findings",
      HEAPEV_FINDING(TRAILING_BYTES) | HEAPEV_FINDING(SOURCE_UNDEFINED), BY, BOTH, HEAPEV_GEN_WIDTH_64, G_ALL & ~G_COMPACT,
      N_FIELDS, B_NONE, 0},
     apply_width_64_as_32},
    {{"width_32_as_64", "a 32-bit payload (16 bytes) read as 64-bit: too short",
      "payload: decode_bits 64; record: HeaderType 1->2 / 3->4", HEAPEV_FINDING(TRUNCATED), BY, BOTH,
      HEAPEV_GEN_WIDTH_32, G_ALL & ~G_COMPACT, N_PAYLOAD, N_FIELDS, 0},
     apply_width_32_as_64},
    {{"header_size_too_small", "record Size field below the header size",
      "Size = 0..header size - 1 (payload still decoded up to the end of the bytes)",
      HEAPEV_FINDING(HEADER_SIZE_MISMATCH), BY, RECORD, W_ANY, G_SIZEFIELD | G_TYPE, N_HEADER, B_NONE, 0},
     apply_size_small},
    {{"header_size_too_large", "record Size field beyond the bytes given",
      "Size = length + 1..0xFFFF (payload still decoded up to the end of the bytes)",
      HEAPEV_FINDING(HEADER_SIZE_MISMATCH), BY, RECORD, W_ANY, G_SIZEFIELD, N_HEADER, B_NONE, 0},
     apply_size_large},
    {{"header_size_disagrees", "record Size field cuts the payload short",
      "Size in [header size, header size + payload size), record cut to Size", HEAPEV_FINDING(TRUNCATED), BY, RECORD, W_ANY,
      G_SIZEFIELD | G_LENGTH, N_PAYLOAD, N_FIELDS, 0},
     apply_size_disagrees},
    {{"truncated_payload", "payload cut short (decoded with the producer width)",
      "keep 0..payload size - 1 bytes; decode_bits = producer width", HEAPEV_FINDING(TRUNCATED), BY, PAYLOAD,
      W_ANY, G_ALL, N_NONE, N_FIELDS, 0},
     apply_truncated_payload},
    {{"truncated_record_header", "record cut inside its header",
      "keep 0..header size - 1 bytes", HEAPEV_FINDING(TRUNCATED), BY, RECORD, W_ANY, G_ALL & ~G_COMPACT,
      N_NONE, N_HEADER, 0},
     apply_truncated_header},
    {{"truncated_record_payload", "record cut inside its payload (Size now beyond the bytes)",
      "keep header size..record size - 1 bytes", HEAPEV_FINDING(HEADER_SIZE_MISMATCH) | HEAPEV_FINDING(TRUNCATED), BY,
      RECORD, W_ANY, G_ALL & ~(G_COMPACT | G_VERSION | G_FLAGS), N_PAYLOAD, N_FIELDS, 0},
     apply_truncated_record},
    {{"length_ambiguous", "bare payload neither 16 nor 28 bytes, no width given",
      "cut or extend to 0..payload size + 32 bytes (not 16, 28); decode_bits = null (infer)",
      HEAPEV_FINDING(LENGTH_AMBIGUOUS), BY, PAYLOAD, W_ANY, G_ALL, N_NONE, N_HEADER, 0},
     apply_length_ambiguous},
};

_Static_assert(sizeof rows / sizeof rows[0] < 64, "a class set is a 64-bit mask (one bit spare for the masks below)");

/*
 * Remove the lowest member of *set and return its index. Loops below walk
 * only the members of a set (usually none or one) instead of every row:
 * this is on the path of every generated item.
 */
static size_t take_lowest(heapev_gen_classes *set)
{
    heapev_gen_classes s = *set;
    *set = s & (s - 1);
#if defined(__GNUC__) || defined(__clang__)
    return (size_t)__builtin_ctzll((unsigned long long)s);
#else
    size_t i = 0;
    while (!(s >> i & 1u))
        i++;
    return i;
#endif
}

/* The row naming an item no class was applied to (after the applied rows). */
static const heapev_gen_class well_formed_row = {
    "well_formed", "the model's event, unchanged", "nothing applied", 0, HEAPEV_GEN_STAGE_NONE,
    BOTH | ETL, W_ANY, 0, N_NONE, B_NONE, 0};

size_t heapev_gen_class_count(void)
{
    return N(rows) + 1u + heapev_gen_container_count();
}

const heapev_gen_class *heapev_gen_class_get(size_t index)
{
    if (index < N(rows))
        return &rows[index].info;
    if (index == N(rows))
        return &well_formed_row;
    return heapev_gen_container_get(index - N(rows) - 1u);
}

int heapev_gen_class_find(const char *name)
{
    for (size_t i = 0; i < heapev_gen_class_count(); i++)
        if (strcmp(heapev_gen_class_get(i)->name, name) == 0)
            return (int)i;
    return -1;
}

size_t heapev_gen_well_formed_index(void)
{
    return N(rows);
}

size_t heapev_gen_container_base(void)
{
    return N(rows) + 1u;
}

void heapev_gen_classes_names(heapev_gen_classes set, void (*fn)(void *ctx, const char *name),
                              void *ctx)
{
    if (set == 0)
        fn(ctx, well_formed_row.name);
    set &= ((heapev_gen_classes)1 << N(rows)) - 1; /* only applied rows */
    while (set != 0)
        fn(ctx, rows[take_lowest(&set)].info.name);
}

/* Disjoint groups, and neither prevents a decode stage the other's findings need. */
static int pair_ok(const heapev_gen_class *a, const heapev_gen_class *b)
{
    return (a->groups & b->groups) == 0 && a->needs < b->blocks && b->needs < a->blocks;
}

int heapev_gen_classes_compatible(heapev_gen_classes set, size_t index, heapev_gen_format format,
                                  unsigned width)
{
    if (index >= N(rows)) /* well_formed and container rows are never applied to an event */
        return 0;
    const heapev_gen_class *c = &rows[index].info;
    if ((set >> index & 1u) || !(c->formats & HEAPEV_GEN_FORMAT_BIT(format)) ||
        !(c->widths & HEAPEV_GEN_WIDTH_BIT(width)))
        return 0;
    for (size_t j = 0; j < N(rows); j++)
        if ((set >> j & 1u) && !pair_ok(c, &rows[j].info))
            return 0;
    return 1;
}

heapev_findings heapev_gen_classes_findings(heapev_gen_classes set)
{
    heapev_findings f = 0;
    set &= ((heapev_gen_classes)1 << N(rows)) - 1; /* only rows that exist */
    while (set != 0)
        f |= rows[take_lowest(&set)].info.findings;
    return f;
}

/* The event fields each group stands for (the G_* bits, in order). */
static const unsigned group_fields[] = {
    HEAPEV_GEN_FIELD_SOURCE,                                     /* G_SOURCE */
    HEAPEV_GEN_FIELD_HEAP_HANDLE,                                /* G_HANDLE */
    HEAPEV_GEN_FIELD_ADDRESS,                                    /* G_ADDRESS */
    HEAPEV_GEN_FIELD_SIZE,                                       /* G_SIZE */
    /* G_WRAP: a huge Size moves a low-fragmentation Source off 2 (not_lowfrag) */
    HEAPEV_GEN_FIELD_ADDRESS | HEAPEV_GEN_FIELD_SIZE | HEAPEV_GEN_FIELD_SOURCE,
    HEAPEV_GEN_FIELD_VERSION,                                    /* G_VERSION */
    HEAPEV_GEN_FIELD_FLAGS,                                      /* G_FLAGS */
    HEAPEV_GEN_FIELD_HOOK_ID,                                    /* G_HOOK */
    HEAPEV_GEN_FIELD_HEADER_TYPE,                                /* G_TYPE */
    HEAPEV_GEN_FIELD_SIZE_FIELD,                                 /* G_SIZEFIELD */
    HEAPEV_GEN_FIELD_TRAILING_BYTES | HEAPEV_GEN_FIELD_SIZE_FIELD, /* G_LENGTH */
    HEAPEV_GEN_FIELD_BITS,                                       /* G_WIDTH */
    /* G_COMPACT: a COMPACT header has no KernelTime or UserTime */
    HEAPEV_GEN_FIELD_HEADER_TYPE | HEAPEV_GEN_FIELD_SIZE_FIELD | HEAPEV_GEN_FIELD_CPU_TIMES,
};
_Static_assert(G_ALL == (1u << N(group_fields)) - 1u, "one field set per group");

unsigned heapev_gen_classes_fields(heapev_gen_classes set)
{
    uint32_t groups = 0;
    unsigned fields = 0;
    set &= ((heapev_gen_classes)1 << N(rows)) - 1; /* only applied rows */
    while (set != 0)
        groups |= rows[take_lowest(&set)].info.groups;
    for (unsigned g = 0; g < N(group_fields); g++)
        if (groups >> g & 1u)
            fields |= group_fields[g];
    return fields;
}

/* Apply the members of @p set for @p stage, in row order. */
static void apply_stage(heapev_rng *rng, heapev_gen_classes set, heapev_gen_stage stage,
                        heapev_gen_item *it)
{
    set &= ((heapev_gen_classes)1 << N(rows)) - 1;
    while (set != 0) {
        size_t i = take_lowest(&set);
        if (rows[i].info.stage == stage)
            rows[i].apply(rng, it);
    }
}

heapev_findings heapev_gen_build(heapev_rng *rng, const heapev_event *well_formed,
                                 heapev_gen_format format, heapev_gen_classes set,
                                 heapev_gen_item *item)
{
    memset(item, 0, sizeof *item);
    item->format = format;
    item->width = well_formed->pointer_width == 4 ? 4u : 8u;
    item->decode_width = format == HEAPEV_GEN_FORMAT_PAYLOAD ? item->width : HEAPEV_WIDTH_INFER;
    item->classes = set;
    item->event = *well_formed;
    item->event.pointer_width = (uint8_t)item->width;
    item->event.has_header = format == HEAPEV_GEN_FORMAT_RECORD;
    item->event.payload_decoded = 1;
    item->event.trailing_bytes = 0;
    item->event.findings = 0;

    apply_stage(rng, set, HEAPEV_GEN_STAGE_EVENT, item);
    reencode(item);
    apply_stage(rng, set, HEAPEV_GEN_STAGE_BYTES, item);
    return item->expected = heapev_gen_classes_findings(set);
}
