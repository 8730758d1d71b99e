/*
 * etl.c - whole .etl traces: heap Alloc events from the generator, noise
 * records (other heap events) between them, packed by the library's writer
 * the way Windows 10/11 (or 7) write them; optionally compressed the way
 * pktmon and PerfView write compressed traces; and the container
 * malformation classes, each applied once to a trace.
 *
 * Realism (SPEC §4, §5): a logfile header with real field values, header
 * extension records, processor numbers; in 64-bit traces a share of the
 * Alloc events come from 32-bit (WOW64) processes in 32-bit headers; every
 * Alloc sits in a SYSTEM, COMPACT or PERFINFO header, drawn per event.
 *
 * Expected results come from what is injected, never from the reader: the
 * entries (container items and events, lost ones flagged) are reported in
 * the order the reader returns them, under the reader rules of heapev/etl.h.
 *
 * How a container class is placed so that its effect is exact:
 *  - logfile / buffer 0 classes patch buffer 0 (written last by the writer);
 *  - buffer and record classes pick a target event t and a run of k (1..4)
 *    events: the writer is flushed before t, so the target buffer B holds
 *    exactly events t..t+k-1 (no noise), and flushed after them; the sink
 *    patches a copy of B (its header, or event t's record);
 *  - truncation classes make B the last buffer (t = count - k) and pass it
 *    to the sink cut short.
 * A compressed trace is made on the way to the file, after the patches:
 * buffer 0 is cut to its short length, each data buffer's records are
 * compressed (gen/lzxpress.c) behind its header, and the buffers are packed
 * back to back. Nothing allocates: the caller gives the memory
 * (HEAPEV_GEN_ETL_MEMORY).
 */
#include "heapev/gen_etl.h"

#include <string.h>

#include "heapev/etl.h"
#include "heapev/format.h"
#include "heapev/lzxpress.h"
#include "heapev/le.h"
#include "internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TWO_POW_53 9007199254740992.0
/*
 * Limits of the fractions, as doubles in memory: a literal compared directly
 * may be evaluated in excess precision (i386's x87), where 0.9 is below the
 * double a user's "0.9" parses to.
 */
static const double max_noise_fraction = 0.99;
static const double max_wow64_fraction = 0.9;
#define MAX_RUN 4u           /* events in the target buffer: 1..MAX_RUN */
#define CROSSING_MIN 0x1000u /* a target buffer never holds this many bytes */
#define FILETIME_2024 133485408000000000ll /* 2024-01-01, the earliest boot */
#define TWO_YEARS_FT (2ll * 365 * 24 * 3600 * 10000000ll)
#define COMPRESSED_B0_MIN 512u /* buffer 0 of a compressed trace: its length, a power of 2 */

/* Which traces a container class applies to. */
enum modes { PLAIN = 1, COMPRESSED = 2, BOTH = 3 };

/* Where a class's one container item is. */
enum where {
    AT_NONE,         /* no item (unchecked fields) */
    AT_BUFFER0,      /* (0, 0) */
    AT_LOGFILE,      /* (0, 72), reported when buffer 0 is read */
    AT_LOGFILE_END,  /* (0, 72), reported at the end of the file */
    AT_TARGET,       /* (B, base of B) */
    AT_RECORD        /* (B, offset of event t) */
};

/* Which events the reader cannot return. */
enum loss {
    LOSE_NONE,
    LOSE_ALL,    /* every event: the file ends at buffer 0 */
    LOSE_RUN,    /* events t..t+k-1 (the whole target buffer) */
    LOSE_FIRST,  /* event t only (stepped over) */
    LOSE_CUT     /* events t+j..t+k-1: the file ends inside event t+j */
};

typedef struct run run;
typedef void patch_fn(run *r, uint8_t *buf);

typedef struct etl_row {
    heapev_gen_class info; /* stage HEAPEV_GEN_STAGE_CONTAINER */
    enum where where;
    enum loss loss;
    patch_fn *patch; /* applied to buffer 0 (AT_BUFFER0/LOGFILE*) or B; NULL for truncations */
    patch_fn *after; /* applied to B once compressed (its stream), or NULL */
} etl_row;

struct run {
    const heapev_gen_etl_options *o;
    const etl_row *row; /* NULL: no container class */
    heapev_gen g[2];    /* [0] the trace's width, [1] WOW64 processes (64-bit traces) */
    heapev_rng noise_rng, dmg_rng, mix_rng;
    uint64_t wow64_threshold; /* an event is WOW64's when mix_rng's 53 bits are below it */
    heapev_etl_writer w;
    uint8_t *copy; /* patch copy, bsize bytes */
    uint8_t *packed; /* compressed buffer, HEAPEV_ETL_BUFFER_HEADER_SIZE + BOUND(bsize) bytes */
    heapev_lzxpress_state lzx;
    uint64_t out_off; /* compressed trace: file offset of the next data buffer */
    uint32_t b0len;   /* compressed trace: buffer 0's length */
    uint32_t bsize;
    unsigned psize;   /* PointerSize the reader will use (0: unknown) */
    uint64_t t, k, j; /* target event, run length, truncation: index in the run */
    uint64_t target;  /* B, 0 until event t is written */
    uint64_t rec_off; /* offset of event t inside B */
    uint32_t prefix;  /* misaligned class: length of the noise record before event t */
    uint64_t cut;     /* truncation: bytes of B kept */
    int64_t time;     /* latest record time */
    int (*sink)(void *, uint64_t, const uint8_t *, size_t);
    void *sink_ctx;
    heapev_gen_etl_entry_fn on_entry;
    void *entry_ctx;
    int entry_failed;
    heapev_gen_etl_summary sum;
};

/* ---- noise records --------------------------------------------------------- */

enum { NOISE_FREE, NOISE_REALLOC, NOISE_CREATE, NOISE_DESTROY, NOISE_KINDS };

/* Hook, pointers and u32 fields of each noise shape (docs: SPEC §3 hook ids). */
static const struct {
    uint16_t hook;
    unsigned ptrs, u32s;
} noise_shapes[NOISE_KINDS] = {
    {HEAPEV_HOOK_HEAP_FREE, 2, 1},    /* HeapHandle, Address, Source */
    {HEAPEV_HOOK_HEAP_REALLOC, 5, 1}, /* HeapHandle, NewAddress, OldAddress, NewSize, OldSize, Source */
    {HEAPEV_HOOK_HEAP_CREATE, 1, 1},  /* HeapHandle, Flags */
    {HEAPEV_HOOK_HEAP_DESTROY, 1, 0}, /* HeapHandle */
};

static size_t noise_of_kind(heapev_rng *rng, unsigned width, int64_t time, unsigned kind,
                            uint8_t *out)
{
    unsigned w = width == 4 ? 4u : 8u;
    size_t size = HEAPEV_HEADER_SIZE_SYSTEM + noise_shapes[kind].ptrs * w + 4u * noise_shapes[kind].u32s;
    uint64_t top = w == 4 ? HEAPEV_USER_MAX_32 : HEAPEV_USER_MAX_64;
    memset(out, 0, size);
    heapev_write_le16(out + HEAPEV_HEADER_OFF_VERSION, HEAPEV_HEADER_VERSION);
    out[HEAPEV_HEADER_OFF_HEADER_TYPE] =
        (uint8_t)(w == 8 ? HEAPEV_HEADER_TYPE_SYSTEM64 : HEAPEV_HEADER_TYPE_SYSTEM32);
    out[HEAPEV_HEADER_OFF_FLAGS] = HEAPEV_HEADER_FLAGS;
    heapev_write_le16(out + HEAPEV_HEADER_OFF_SIZE, (uint16_t)size);
    heapev_write_le16(out + HEAPEV_HEADER_OFF_HOOK_ID, noise_shapes[kind].hook);
    heapev_write_le32(out + HEAPEV_HEADER_OFF_THREAD_ID, (uint32_t)heapev_rng_range(rng, 4, 0xFFFC) & ~3u);
    heapev_write_le32(out + HEAPEV_HEADER_OFF_PROCESS_ID, (uint32_t)heapev_rng_range(rng, 4, 0xFFFC) & ~3u);
    heapev_write_le64(out + HEAPEV_HEADER_OFF_SYSTEM_TIME, (uint64_t)time);
    uint8_t *q = out + HEAPEV_HEADER_SIZE_SYSTEM;
    for (unsigned i = 0; i < noise_shapes[kind].ptrs; i++, q += w) {
        uint64_t v = heapev_rng_range(rng, HEAPEV_LOWEST_MAPPED, top) & ~(uint64_t)15;
        if (w == 4)
            heapev_write_le32(q, (uint32_t)v);
        else
            heapev_write_le64(q, v);
    }
    for (unsigned i = 0; i < noise_shapes[kind].u32s; i++, q += 4)
        heapev_write_le32(q, (uint32_t)heapev_rng_range(rng, 1, 4));
    return size;
}

size_t heapev_gen_noise_record(heapev_rng *rng, unsigned width, int64_t time, uint8_t *out)
{
    return noise_of_kind(rng, width, time, (unsigned)heapev_rng_bounded(rng, NOISE_KINDS), out);
}

/* ---- event classes that keep their meaning in a trace ------------------------ */

heapev_gen_classes heapev_gen_etl_event_classes(void)
{
    heapev_gen_classes set = 0;
    for (size_t i = 0; i < heapev_gen_well_formed_index(); i++)
        if (heapev_gen_class_get(i)->formats & HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_ETL))
            set |= (heapev_gen_classes)1 << i;
    return set;
}

/* ---- patches ----------------------------------------------------------------- */

#define LF_AT (HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_HEADER_SIZE_SYSTEM) /* logfile payload */

static uint32_t rand_not(heapev_rng *rng, uint32_t lo, uint32_t hi, uint32_t avoid)
{
    uint32_t v;
    while ((v = (uint32_t)heapev_rng_range(rng, lo, hi)) == avoid)
        ;
    return v;
}

static void set32(uint8_t *buf, size_t at, uint32_t v)
{
    heapev_write_le32(buf + at, v);
}

static void patch_buffer0_zero(run *r, uint8_t *b)
{
    (void)r;
    set32(b, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, 0);
}

/* Not a multiple of 8: stride - 7..stride + 7, never the stride itself. */
static uint32_t unaligned_size(run *r)
{
    uint32_t d = (uint32_t)heapev_rng_range(&r->dmg_rng, 1, 7);
    return heapev_rng_bounded(&r->dmg_rng, 2) ? r->bsize + d : r->bsize - d;
}

static void patch_buffer0_unaligned(run *r, uint8_t *b)
{
    set32(b, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, unaligned_size(r));
}

static void patch_buffer0_beyond(run *r, uint8_t *b)
{
    (void)r;
    set32(b, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, 0xFFFFFFF8u);
}

static void patch_unrecoverable(run *r, uint8_t *b)
{
    (void)r;
    set32(b, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, 0);
    set32(b, LF_AT + HEAPEV_LOGFILE_OFF_BUFFER_SIZE, 0);
}

static void patch_logfile_size(run *r, uint8_t *b)
{
    uint32_t d = 8u * (uint32_t)heapev_rng_range(&r->dmg_rng, 1, 64);
    set32(b, LF_AT + HEAPEV_LOGFILE_OFF_BUFFER_SIZE,
          heapev_rng_bounded(&r->dmg_rng, 2) ? r->bsize + d : r->bsize - d);
}

static void patch_no_logfile(run *r, uint8_t *b)
{
    static const uint16_t hooks[] = {0x0001, 0x0002, 0x0020, HEAPEV_HOOK_HEAP_CREATE,
                                     HEAPEV_HOOK_HEAP_FREE, 0xFFFF};
    uint16_t h = hooks[heapev_rng_bounded(&r->dmg_rng, N(hooks))];
    heapev_write_le16(b + HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_HEADER_OFF_HOOK_ID, h);
}

/* Both names: 'A' in every byte up to the end of the record, so no NUL is left. */
static void patch_names(run *r, uint8_t *b)
{
    const uint8_t *h = b + HEAPEV_ETL_BUFFER_HEADER_SIZE;
    size_t size = heapev_read_le16(h + HEAPEV_HEADER_OFF_SIZE);
    size_t from = HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_LOGFILE_FIXED_SIZE(r->o->width);
    memset(b + HEAPEV_ETL_BUFFER_HEADER_SIZE + from, 'A', size - from);
}

static void patch_psize_invalid(run *r, uint8_t *b)
{
    static const uint32_t bad[] = {0, 1, 2, 3, 5, 6, 7, 9, 12, 16, 32, 64, 0x80000004u, 0xFFFFFFFFu};
    uint32_t v = bad[heapev_rng_bounded(&r->dmg_rng, N(bad))];
    if (heapev_rng_bounded(&r->dmg_rng, 4) == 0)
        while ((v = (uint32_t)heapev_rng_next(&r->dmg_rng)) == 4 || v == 8)
            ;
    set32(b, LF_AT + HEAPEV_LOGFILE_OFF_POINTER_SIZE, v);
}

static void patch_psize_mismatch(run *r, uint8_t *b)
{
    set32(b, LF_AT + HEAPEV_LOGFILE_OFF_POINTER_SIZE, r->o->width == 8 ? 4u : 8u);
}

static void patch_buffers_written(run *r, uint8_t *b)
{
    uint32_t n = heapev_read_le32(b + LF_AT + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN);
    uint32_t d = (uint32_t)heapev_rng_range(&r->dmg_rng, 1, 16);
    set32(b, LF_AT + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN,
          heapev_rng_bounded(&r->dmg_rng, 2) && n > d ? n - d : n + d);
}

static void randomize(heapev_rng *rng, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)heapev_rng_next(rng);
}

/*
 * Every fixed-part field but BufferSize, BuffersWritten and PointerSize, and
 * LogFileMode's compressed bit (it decides how the buffers are laid out).
 */
static void patch_logfile_unchecked(run *r, uint8_t *b)
{
    uint8_t *q = b + LF_AT;
    unsigned fixed = HEAPEV_LOGFILE_FIXED_SIZE(r->o->width);
    uint32_t mode = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE);
    randomize(&r->dmg_rng, q + HEAPEV_LOGFILE_OFF_VERSION,
              HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN - HEAPEV_LOGFILE_OFF_VERSION);
    randomize(&r->dmg_rng, q + HEAPEV_LOGFILE_OFF_START_BUFFERS, 4);
    randomize(&r->dmg_rng, q + HEAPEV_LOGFILE_OFF_EVENTS_LOST, fixed - HEAPEV_LOGFILE_OFF_EVENTS_LOST);
    uint32_t random_mode = heapev_read_le32(q + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE);
    set32(q, HEAPEV_LOGFILE_OFF_LOG_FILE_MODE, (random_mode & ~HEAPEV_LOGFILE_MODE_COMPRESSED) |
                                                   (mode & HEAPEV_LOGFILE_MODE_COMPRESSED));
}

/*
 * CpuSpeedInMHz 0: no real trace has it (SPEC section 4), yet no reader check
 * depends on it, so no finding; a reader that divides by it fails here.
 */
static void patch_cpu_speed_zero(run *r, uint8_t *b)
{
    (void)r;
    set32(b, LF_AT + HEAPEV_LOGFILE_OFF_CPU_SPEED, 0);
}

/* A live or crashed session's file: BuffersWritten and EndTime 0. */
static void patch_unfinished(run *r, uint8_t *b)
{
    (void)r;
    set32(b, LF_AT + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN, 0);
    heapev_write_le64(b + LF_AT + HEAPEV_LOGFILE_OFF_END_TIME, 0);
}

static void patch_size_zero(run *r, uint8_t *b)
{
    (void)r;
    set32(b, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, 0);
}

static void patch_size_unaligned(run *r, uint8_t *b)
{
    set32(b, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, unaligned_size(r));
}

static void patch_size_beyond(run *r, uint8_t *b)
{
    (void)r;
    set32(b, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, 0xFFFFFFF8u);
}

static void set_saved(uint8_t *b, uint32_t v)
{
    set32(b, HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, v);
    set32(b, HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET, v);
    set32(b, HEAPEV_ETL_BUF_OFF_OFFSET, v);
}

static void patch_saved_low(run *r, uint8_t *b)
{
    set_saved(b, (uint32_t)heapev_rng_bounded(&r->dmg_rng, HEAPEV_ETL_BUFFER_HEADER_SIZE));
}

static void patch_saved_high(run *r, uint8_t *b)
{
    set_saved(b, heapev_rng_bounded(&r->dmg_rng, 2)
                     ? r->bsize + (uint32_t)heapev_rng_range(&r->dmg_rng, 1, 4096)
                     : (uint32_t)heapev_rng_range(&r->dmg_rng, (uint64_t)r->bsize + 1, UINT32_MAX));
}

/* SavedOffset another value than Offset (which the reader reads to). */
static void patch_offset(run *r, uint8_t *b)
{
    uint32_t offset = heapev_read_le32(b + HEAPEV_ETL_BUF_OFF_OFFSET);
    set32(b, HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, rand_not(&r->dmg_rng, 0, UINT32_MAX, offset));
}

/* Offset (and SavedOffset) 8..64 bytes off the records' real length: decompression disagrees. */
static void patch_decompressed_size(run *r, uint8_t *b)
{
    uint32_t offset = heapev_read_le32(b + HEAPEV_ETL_BUF_OFF_OFFSET);
    uint32_t d = 8u * (uint32_t)heapev_rng_range(&r->dmg_rng, 1, 8);
    int up = heapev_rng_bounded(&r->dmg_rng, 2) || offset < HEAPEV_ETL_BUFFER_HEADER_SIZE + d;
    set_saved(b, up ? offset + d : offset - d);
}

/*
 * The compressed stream's first flag word all ones: its first token is a
 * match with nothing before it to copy from, which no decoder can follow.
 */
static void patch_stream(run *r, uint8_t *b)
{
    (void)r;
    set32(b, HEAPEV_ETL_BUFFER_HEADER_SIZE, 0xFFFFFFFFu);
}

static void patch_compressed(run *r, uint8_t *b)
{
    (void)r;
    uint16_t f = heapev_read_le16(b + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG);
    heapev_write_le16(b + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG, (uint16_t)(f | HEAPEV_ETL_BUFFER_FLAG_COMPRESSED));
}

/* Every header field the reader does not check (BufferFlag: all bits but compressed). */
static void patch_buffer_unchecked(run *r, uint8_t *b)
{
    randomize(&r->dmg_rng, b + HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET,
              HEAPEV_ETL_BUF_OFF_OFFSET - HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET);
    uint16_t f = (uint16_t)heapev_rng_next(&r->dmg_rng) & (uint16_t)~HEAPEV_ETL_BUFFER_FLAG_COMPRESSED;
    heapev_write_le16(b + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG, f);
    randomize(&r->dmg_rng, b + HEAPEV_ETL_BUF_OFF_BUFFER_TYPE,
              HEAPEV_ETL_BUFFER_HEADER_SIZE - HEAPEV_ETL_BUF_OFF_BUFFER_TYPE);
}

static uint8_t *record(run *r, uint8_t *b)
{
    return b + r->rec_off;
}

static void patch_record_zero(run *r, uint8_t *b)
{
    heapev_write_le16(record(r, b) + HEAPEV_HEADER_OFF_SIZE, 0);
}

static void patch_record_small(run *r, uint8_t *b)
{
    uint8_t *p = record(r, b);
    unsigned h = heapev_header_type_size(p[HEAPEV_HEADER_OFF_HEADER_TYPE]);
    if (h == 0) /* a HeaderType of no family (a mutated trace): below the smallest header */
        h = HEAPEV_HEADER_SIZE_PERFINFO;
    heapev_write_le16(p + HEAPEV_HEADER_OFF_SIZE, (uint16_t)heapev_rng_range(&r->dmg_rng, 1, h - 1));
}

/* The target buffer holds at most ~550 bytes of records: any Size from 0x1000 crosses its end. */
static void patch_record_crossing(run *r, uint8_t *b)
{
    heapev_write_le16(record(r, b) + HEAPEV_HEADER_OFF_SIZE,
                      (uint16_t)heapev_rng_range(&r->dmg_rng, CROSSING_MIN, UINT16_MAX));
}

static void patch_filler(run *r, uint8_t *b)
{
    set32(record(r, b), 0, HEAPEV_ETL_FILLER_MARKER);
}

/* A flags byte neither 0xC0 nor 0x90, and not the filler marker. */
static void patch_garbage(run *r, uint8_t *b)
{
    uint8_t *p = record(r, b);
    size_t len = heapev_read_le16(p + HEAPEV_HEADER_OFF_SIZE);
    randomize(&r->dmg_rng, p, len);
    while (p[HEAPEV_HEADER_OFF_FLAGS] == HEAPEV_ETL_MARKER_FLAGS_HEADER ||
           p[HEAPEV_HEADER_OFF_FLAGS] == HEAPEV_ETL_MARKER_FLAGS_MESSAGE ||
           p[HEAPEV_HEADER_OFF_FLAGS] == 0xFF)
        p[HEAPEV_HEADER_OFF_FLAGS] = (uint8_t)heapev_rng_next(&r->dmg_rng);
}

/* HeaderType values the reader cannot step over (flags byte kept 0xC0). */
static void patch_marker(run *r, uint8_t *b)
{
    static const uint8_t types[] = {0, 5, 6, 7, 8, 9, HEAPEV_HEADER_TYPE_TIMED,
                                    HEAPEV_HEADER_TYPE_ERROR, HEAPEV_HEADER_TYPE_WNODE_HEADER,
                                    HEAPEV_HEADER_TYPE_MESSAGE, 22, 0x7F, 0x80, 0xFF};
    record(r, b)[HEAPEV_HEADER_OFF_HEADER_TYPE] = types[heapev_rng_bounded(&r->dmg_rng, N(types))];
}

/*
 * Event t moved back onto the unaligned end of the record before it (prefix
 * bytes long, starting at rec_off - its aligned length); r->bsize is the
 * buffer's length.
 */
static void patch_misaligned(run *r, uint8_t *b)
{
    uint32_t end = (uint32_t)r->rec_off - HEAPEV_ETL_ALIGN(r->prefix) + r->prefix;
    memmove(b + end, b + r->rec_off, r->bsize - r->rec_off);
    memset(b + r->bsize - (r->rec_off - end), HEAPEV_ETL_FILLER_BYTE, r->rec_off - end);
}

/* ---- the table ------------------------------------------------------------------ */

#define BSI HEAPEV_FINDING(ETL_BUFFER_SIZE_INVALID)
#define W_ANY (HEAPEV_GEN_WIDTH_32 | HEAPEV_GEN_WIDTH_64)
/* The rest of a container row's heapev_gen_class: the trace kinds and PointerSizes it applies to. */
#define APPLIES_TO(traces, widths)                                                   \
    HEAPEV_GEN_STAGE_CONTAINER, HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_ETL), widths, 0, \
        HEAPEV_DECODE_STAGE_START, HEAPEV_DECODE_STAGE_END, traces
#define PLAIN_ONLY APPLIES_TO(HEAPEV_GEN_ETL_PLAIN, W_ANY)
#define COMP_ONLY APPLIES_TO(HEAPEV_GEN_ETL_COMPRESSED, W_ANY)
#define ANY_TRACE APPLIES_TO(HEAPEV_GEN_ETL_PLAIN | HEAPEV_GEN_ETL_COMPRESSED, W_ANY)

static const etl_row rows[] = {
    {{"etl_buffer0_size_zero", "buffer 0 BufferSize is 0",
      "buffer 0 BufferSize = 0; the reader takes the stride from the logfile header", BSI,
      PLAIN_ONLY}, AT_BUFFER0, LOSE_NONE, patch_buffer0_zero, NULL},
    {{"etl_buffer0_size_unaligned", "buffer 0 BufferSize not a multiple of 8",
      "buffer 0 BufferSize = stride +- 1..7; stride from the logfile header", BSI, PLAIN_ONLY},
     AT_BUFFER0, LOSE_NONE, patch_buffer0_unaligned, NULL},
    {{"etl_buffer0_size_beyond_file", "buffer 0 BufferSize beyond the file and the limit",
      "buffer 0 BufferSize = 0xFFFFFFF8; stride from the logfile header", BSI, PLAIN_ONLY},
     AT_BUFFER0, LOSE_NONE, patch_buffer0_beyond, NULL},
    {{"etl_buffer_size_unrecoverable", "buffer 0 and logfile BufferSize both invalid",
      "both = 0: the reader cannot find buffer 0's size, one item, every event lost", BSI,
      ANY_TRACE}, AT_BUFFER0, LOSE_ALL, patch_unrecoverable, NULL},
    {{"etl_logfile_buffer_size_mismatch", "logfile BufferSize differs from the buffers'",
      "logfile BufferSize = stride +- 8..512", BSI, PLAIN_ONLY}, AT_LOGFILE, LOSE_NONE,
     patch_logfile_size, NULL},
    {{"etl_no_logfile_header", "first record of buffer 0 is not the logfile header",
      "its HookId = 0x0001, 0x0002, 0x0020, 0x1020, 0x1024 or 0xFFFF: read (and skipped) as "
      "an ordinary record, PointerSize unknown", HEAPEV_FINDING(ETL_NO_LOGFILE_HEADER), PLAIN_ONLY},
     AT_LOGFILE, LOSE_NONE, patch_no_logfile, NULL},
    {{"etl_logfile_names_unterminated", "logfile session/file names without NUL",
      "every byte after the fixed part = 'A'", HEAPEV_FINDING(ETL_LOGFILE_HEADER_SHORT), ANY_TRACE},
     AT_LOGFILE, LOSE_NONE, patch_names, NULL},
    {{"etl_pointer_size_invalid", "logfile PointerSize neither 4 nor 8",
      "PointerSize = 0..3, 5..7, 9, 12, 16, 32, 64, 0x80000004, 0xFFFFFFFF or random: "
      "record widths are then not checked", HEAPEV_FINDING(ETL_POINTER_SIZE_INVALID), ANY_TRACE},
     AT_LOGFILE, LOSE_NONE, patch_psize_invalid, NULL},
    {{"etl_pointer_size_mismatch", "logfile PointerSize 4 in a trace of 64-bit records",
      "PointerSize 8 -> 4: the logfile record, the header-extension records, every 64-bit noise "
      "record (container items) and every 64-bit Alloc event (event finding) mismatch; WOW64 "
      "ones do not",
      HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH),
      APPLIES_TO(HEAPEV_GEN_ETL_PLAIN | HEAPEV_GEN_ETL_COMPRESSED, HEAPEV_GEN_WIDTH_64)}, AT_LOGFILE, LOSE_NONE, patch_psize_mismatch, NULL},
    {{"etl_buffers_written_mismatch", "logfile BuffersWritten differs from the buffers",
      "BuffersWritten = N +- 1..16 (never 0); item at (0, 72) after every other",
      HEAPEV_FINDING(ETL_BUFFERS_WRITTEN_MISMATCH), ANY_TRACE}, AT_LOGFILE_END, LOSE_NONE,
     patch_buffers_written, NULL},
    {{"etl_log_unfinished", "a live or crashed session's file (not a defect)",
      "BuffersWritten = 0 and EndTime = 0: the note etl_log_unfinished; read to the end",
      HEAPEV_FINDING(ETL_LOG_UNFINISHED), ANY_TRACE}, AT_LOGFILE, LOSE_NONE, patch_unfinished, NULL},
    {{"etl_logfile_unchecked_fields", "logfile fields no check depends on, random",
      "Version..CpuSpeed (LogFileMode's compressed bit kept), names' pointers, TimeZone, "
      "BootTime, PerfFreq, StartTime, ReservedFlags, BuffersLost random: no finding", 0,
      ANY_TRACE}, AT_NONE, LOSE_NONE, patch_logfile_unchecked, NULL},
    {{"etl_buffer_size_zero", "a data buffer's BufferSize is 0",
      "target buffer BufferSize = 0; its records are still read", BSI, PLAIN_ONLY}, AT_TARGET,
     LOSE_NONE, patch_size_zero, NULL},
    {{"etl_buffer_size_unaligned", "a data buffer's BufferSize not a multiple of 8",
      "target buffer BufferSize = stride +- 1..7; records still read", BSI, PLAIN_ONLY},
     AT_TARGET, LOSE_NONE, patch_size_unaligned, NULL},
    {{"etl_buffer_size_beyond_file", "a data buffer's BufferSize beyond the file",
      "target buffer BufferSize = 0xFFFFFFF8; records still read", BSI, PLAIN_ONLY}, AT_TARGET,
     LOSE_NONE, patch_size_beyond, NULL},
    {{"etl_saved_offset_below_header", "Offset below the 72-byte buffer header",
      "SavedOffset = CurrentOffset = Offset = 0..71: the target buffer's events are lost",
      HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID), ANY_TRACE}, AT_TARGET, LOSE_RUN, patch_saved_low, NULL},
    {{"etl_saved_offset_beyond_buffer", "Offset beyond the buffer",
      "SavedOffset = CurrentOffset = Offset in (buffer size, 2^32): the target buffer's events "
      "are lost", HEAPEV_FINDING(ETL_SAVED_OFFSET_INVALID), ANY_TRACE}, AT_TARGET, LOSE_RUN,
     patch_saved_high, NULL},
    {{"etl_offset_mismatch", "a data buffer's SavedOffset differs from Offset",
      "SavedOffset = random other value; records read to Offset", HEAPEV_FINDING(ETL_OFFSET_MISMATCH),
      ANY_TRACE}, AT_TARGET, LOSE_NONE, patch_offset, NULL},
    {{"etl_buffer_compressed", "buffer flagged compressed (0x40) in a trace that is not",
      "BufferFlag |= 0x40: the target buffer's events are lost", HEAPEV_FINDING(ETL_BUFFER_COMPRESSED),
      PLAIN_ONLY}, AT_TARGET, LOSE_RUN, patch_compressed, NULL},
    {{"etl_buffer_unchecked_fields", "buffer header fields no check depends on, random",
      "CurrentOffset..State, BufferFlag (0x40 as it was), BufferType, reserved random: no "
      "finding", 0, ANY_TRACE}, AT_NONE, LOSE_NONE, patch_buffer_unchecked, NULL},
    {{"etl_decompress_failed", "a compressed buffer's stream does not decompress",
      "the target buffer's first flag word = 0xFFFFFFFF (a match before any output): its "
      "events are lost", HEAPEV_FINDING(ETL_DECOMPRESS_FAILED), COMP_ONLY}, AT_TARGET, LOSE_RUN, NULL,
     patch_stream},
    {{"etl_decompressed_size_mismatch", "Offset disagrees with the decompressed length",
      "target buffer SavedOffset = Offset = real +- 8..64: its events are lost",
      HEAPEV_FINDING(ETL_DECOMPRESSED_SIZE_MISMATCH), COMP_ONLY}, AT_TARGET, LOSE_RUN,
     patch_decompressed_size, NULL},
    {{"etl_record_size_zero", "record Size field 0",
      "first record of the target buffer (event t): Size = 0; the buffer's events are lost",
      HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), ANY_TRACE}, AT_RECORD, LOSE_RUN, patch_record_zero, NULL},
    {{"etl_record_size_below_header", "record Size below its header size",
      "event t: Size = 1..header size - 1; the buffer's events are lost",
      HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), ANY_TRACE}, AT_RECORD, LOSE_RUN, patch_record_small, NULL},
    {{"etl_record_crossing_buffer", "record Size crossing Offset and the buffer end",
      "event t: Size = 0x1000..0xFFFF; the buffer's events are lost",
      HEAPEV_FINDING(ETL_RECORD_SIZE_INVALID), ANY_TRACE}, AT_RECORD, LOSE_RUN, patch_record_crossing, NULL},
    {{"etl_record_misaligned", "record placed without 8-byte alignment",
      "a Free record of 44 / 52 bytes, then event t moved onto its unaligned end: the Free "
      "record is skipped, the buffer's events are lost", HEAPEV_FINDING(ETL_RECORD_MISALIGNED), ANY_TRACE},
     AT_RECORD, LOSE_RUN, patch_misaligned, NULL},
    {{"etl_filler_inside_records", "filler marker 0xFFFFFFFF before Offset",
      "event t's first 4 bytes = 0xFFFFFFFF; the buffer's events are lost",
      HEAPEV_FINDING(ETL_FILLER_INSIDE_RECORDS), ANY_TRACE}, AT_RECORD, LOSE_RUN, patch_filler, NULL},
    {{"etl_marker_unsupported", "record HeaderType the reader cannot step over",
      "event t's HeaderType = 0, 5..9, 12..15 (TIMED, ERROR, WNODE, MESSAGE), 22, 0x7F, 0x80, "
      "0xFF; the buffer's events are lost", HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED), ANY_TRACE},
     AT_RECORD, LOSE_RUN, patch_marker, NULL},
    {{"etl_garbage_record", "garbage bytes where a record starts",
      "event t's bytes random, flags byte not 0xC0 / 0x90 / 0xFF; the buffer's events are lost",
      HEAPEV_FINDING(ETL_HEADER_TYPE_UNSUPPORTED), ANY_TRACE}, AT_RECORD, LOSE_RUN, patch_garbage, NULL},
    {{"etl_truncated_file", "file ends inside a record of the last buffer",
      "the last buffer holds the last 1..4 events; the file is cut inside one of them: it and "
      "the later ones are lost", HEAPEV_FINDING(ETL_TRUNCATED_FILE), PLAIN_ONLY}, AT_TARGET, LOSE_CUT, NULL,
     NULL},
    {{"etl_truncated_buffer_header", "file ends inside the last buffer's header",
      "the last buffer holds the last 1..4 events; the file is cut 1..71 bytes into it: its "
      "events are lost", HEAPEV_FINDING(ETL_TRUNCATED_FILE), ANY_TRACE}, AT_TARGET, LOSE_RUN, NULL, NULL},
    {{"etl_buffer_beyond_file", "the last compressed buffer's BufferSize runs past the file",
      "the last buffer holds the last 1..4 events; the file is cut after its header, inside "
      "its compressed records: its events are lost", HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE), COMP_ONLY},
     AT_TARGET, LOSE_RUN, NULL, NULL},
    {{"etl_logfile_cpu_speed_zero", "logfile CpuSpeedInMHz is 0 (no real trace has it)",
      "CpuSpeedInMHz = 0: no check depends on it, no finding; a reader dividing by it fails",
      0, ANY_TRACE}, AT_NONE, LOSE_NONE, patch_cpu_speed_zero, NULL},
};

size_t heapev_gen_container_count(void)
{
    return N(rows);
}

const heapev_gen_class *heapev_gen_container_get(size_t i)
{
    return i < N(rows) ? &rows[i].info : NULL;
}

/* ---- the run ---------------------------------------------------------------------- */

static int targets_buffer(const etl_row *row)
{
    return row != NULL && (row->where == AT_TARGET || row->where == AT_RECORD ||
                           (row->where == AT_NONE && row->patch == patch_buffer_unchecked));
}

/* The truncation classes patch nothing: they cut the last buffer. */
static int is_truncation(const etl_row *row)
{
    return row != NULL && row->patch == NULL && row->after == NULL;
}

/* The truncation class that cuts a compressed buffer inside its stream. */
static int cuts_stream(const etl_row *row)
{
    return is_truncation(row) && row->info.findings == HEAPEV_FINDING(ETL_BUFFER_BEYOND_FILE);
}

static int entry(run *r, const heapev_gen_etl_entry *e)
{
    if (e->kind == HEAPEV_GEN_ETL_CONTAINER) {
        r->sum.container_items += heapev_findings_defects(e->expected) != 0;
        r->sum.container_findings |= e->expected;
    }
    if (r->on_entry != NULL && !r->entry_failed && r->on_entry(r->entry_ctx, e) != 0)
        r->entry_failed = 1;
    return r->entry_failed ? -1 : 0;
}

/* Does an item in @p buffer at @p offset lie among decompressed records? */
static int in_records(const run *r, uint64_t buffer, uint64_t offset, uint64_t base)
{
    return r->o->compress && buffer > 0 && offset >= base + HEAPEV_ETL_BUFFER_HEADER_SIZE;
}

/* A container item; @p base is its buffer's file offset. */
static int container(run *r, uint64_t buffer, uint64_t base, uint64_t offset, heapev_findings f)
{
    heapev_gen_etl_entry e = {HEAPEV_GEN_ETL_CONTAINER, buffer, offset, f, 0, 0, NULL,
                              in_records(r, buffer, offset, base)};
    return entry(r, &e);
}

/* File offset of the data buffer being filled (all earlier ones went to the sink). */
static uint64_t open_base(const run *r, uint64_t index)
{
    return r->o->compress ? r->out_off : index * r->bsize;
}

/* The writer's position as the reader sees it: buffer offset + place in the (decompressed) buffer. */
static uint64_t file_offset(const run *r, const heapev_etl_position *pos)
{
    return open_base(r, pos->buffer) + (pos->offset - pos->buffer * r->bsize);
}

/*
 * A compressed trace's buffer 0: LogFileMode says so, and it is cut to its
 * short length (its BufferSize, unless a class damaged that).
 */
static size_t shorten_header_buffer(run *r, uint8_t *b)
{
    uint32_t mode = heapev_read_le32(b + LF_AT + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE);
    set32(b, LF_AT + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE, mode | HEAPEV_LOGFILE_MODE_COMPRESSED);
    if (heapev_read_le32(b + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE) == r->bsize)
        set32(b, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, r->b0len);
    return r->b0len;
}

/*
 * A compressed data buffer in r->packed: the header of @p b (maybe patched),
 * its records [72, Offset as written) compressed, BufferSize its own length,
 * BufferFlag 0x40. @p real is the unpatched buffer, for Offset.
 */
static size_t compress_buffer(run *r, const uint8_t *real, const uint8_t *b)
{
    uint32_t used = heapev_read_le32(real + HEAPEV_ETL_BUF_OFF_OFFSET);
    uint8_t *p = r->packed;
    size_t clen = heapev_lzxpress_compress(&r->lzx, b + HEAPEV_ETL_BUFFER_HEADER_SIZE,
                                           used - HEAPEV_ETL_BUFFER_HEADER_SIZE,
                                           p + HEAPEV_ETL_BUFFER_HEADER_SIZE,
                                           HEAPEV_LZXPRESS_BOUND(r->bsize));
    memcpy(p, b, HEAPEV_ETL_BUFFER_HEADER_SIZE);
    set32(p, HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, (uint32_t)(HEAPEV_ETL_BUFFER_HEADER_SIZE + clen));
    uint16_t flag = heapev_read_le16(p + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG);
    heapev_write_le16(p + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG,
                      (uint16_t)(flag | HEAPEV_ETL_BUFFER_FLAG_COMPRESSED));
    return HEAPEV_ETL_BUFFER_HEADER_SIZE + clen;
}

/* Is buffer @p index the one the container class patches? */
static int patched(const run *r, uint64_t index)
{
    const etl_row *row = r->row;
    if (row == NULL)
        return 0;
    return targets_buffer(row) ? index == r->target : index == 0;
}

/* The sink between the writer and the caller: patches, compresses and cuts on the way. */
static int patch_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    run *r = ctx;
    uint64_t index = offset / r->bsize;
    const uint8_t *out = data;
    if (r->o->compress || (patched(r, index) && r->row->patch != NULL)) {
        memcpy(r->copy, data, len);
        if (patched(r, index) && r->row->patch != NULL)
            r->row->patch(r, r->copy);
        out = r->copy;
    }
    if (r->o->compress && index == 0) {
        len = shorten_header_buffer(r, r->copy);
    } else if (r->o->compress) {
        len = compress_buffer(r, data, r->copy);
        out = r->packed;
        if (patched(r, index) && r->row->after != NULL)
            r->row->after(r, r->packed);
        offset = r->out_off;
        r->out_off += len;
    }
    if (is_truncation(r->row) && index == r->target) {
        if (cuts_stream(r->row)) /* 1..all but one byte of the stream */
            r->cut = HEAPEV_ETL_BUFFER_HEADER_SIZE +
                     heapev_rng_range(&r->dmg_rng, 1, len - HEAPEV_ETL_BUFFER_HEADER_SIZE - 1);
        len = (size_t)r->cut;
    }
    if (offset + len > r->sum.file_length)
        r->sum.file_length = offset + len;
    return r->sink(r->sink_ctx, offset, out, len);
}

static int add(run *r, const void *bytes, size_t len, heapev_etl_position *pos)
{
    if (heapev_etl_writer_add_record(&r->w, bytes, len, pos) != HEAPEV_ETL_WRITE_OK)
        return -2;
    pos->offset = file_offset(r, pos);
    return 0;
}

/* A 64-bit header is a mismatch only in a trace whose PointerSize the reader takes as 4. */
static heapev_findings width_mismatch(const run *r, unsigned header_width)
{
    return r->psize == 4 && header_width == 8 ? HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH) : 0;
}

static int add_noise(run *r, unsigned kind)
{
    uint8_t rec[HEAPEV_GEN_NOISE_MAX];
    heapev_etl_position pos;
    size_t len = kind < NOISE_KINDS ? noise_of_kind(&r->noise_rng, r->o->width, r->time, kind, rec)
                                    : heapev_gen_noise_record(&r->noise_rng, r->o->width, r->time, rec);
    if (add(r, rec, len, &pos) != 0)
        return -2;
    r->sum.noise++;
    if (r->row == NULL || r->row->loss != LOSE_ALL)
        r->sum.skipped++;
    if (width_mismatch(r, r->o->width) != 0)
        return container(r, pos.buffer, open_base(r, pos.buffer), pos.offset,
                         HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH));
    return 0;
}

/* Noise before an event: each record is noise with probability o->noise. */
static int noise_run(run *r, uint64_t threshold)
{
    while ((heapev_rng_next(&r->noise_rng) >> 11) < threshold)
        if (add_noise(r, NOISE_KINDS) != 0)
            return r->entry_failed ? -3 : -2;
    return 0;
}

static int is_lost(const run *r, uint64_t i)
{
    const etl_row *row = r->row;
    if (row == NULL)
        return 0;
    switch (row->loss) {
    case LOSE_ALL: return 1;
    case LOSE_RUN: return i >= r->t && i < r->t + r->k;
    case LOSE_FIRST: return i == r->t;
    case LOSE_CUT: return i >= r->t + r->j && i < r->t + r->k;
    default: return 0;
    }
}

/* Before event t: start the target buffer (and the misaligned class's noise record). */
static int open_target(run *r)
{
    if (heapev_etl_writer_flush(&r->w) != HEAPEV_ETL_WRITE_OK)
        return -2;
    if (r->row->patch == patch_misaligned) {
        unsigned kind = r->o->width == 8 || heapev_rng_bounded(&r->dmg_rng, 2) ? NOISE_FREE
                                                                                : NOISE_DESTROY;
        r->prefix = kind == NOISE_FREE ? HEAPEV_HEADER_SIZE_SYSTEM + 2u * r->o->width + 4u
                                       : HEAPEV_HEADER_SIZE_SYSTEM + 4u;
        if (add_noise(r, kind) != 0)
            return -2;
    }
    return 0;
}

/* Event t was written at @p pos (raw writer position): the target buffer's item. */
static int target_written(run *r, const heapev_etl_position *raw, uint64_t offset)
{
    r->target = raw->buffer;
    r->rec_off = raw->offset - raw->buffer * r->bsize;
    if (is_truncation(r->row) && r->row->loss == LOSE_RUN && !cuts_stream(r->row))
        r->cut = heapev_rng_range(&r->dmg_rng, 1, HEAPEV_ETL_BUFFER_HEADER_SIZE - 1);
    uint64_t base = open_base(r, r->target);
    if (r->row->where == AT_TARGET)
        return container(r, r->target, base, base, r->row->info.findings);
    if (r->row->where == AT_RECORD)
        return container(r, r->target, base, offset, r->row->info.findings);
    return 0;
}

/* The next Alloc event: from a WOW64 process now and then (64-bit traces), on the trace's clock. */
static void next_item(run *r, heapev_gen_item *it)
{
    int wow = r->wow64_threshold != 0 && (heapev_rng_next(&r->mix_rng) >> 11) < r->wow64_threshold;
    heapev_gen *g = &r->g[wow];
    heapev_gen_model *m = &g->models[g->options.width == 8];
    if (m->system_time < r->time) /* one clock for every process of the trace */
        m->system_time = r->time;
    heapev_gen_next(g, it);
}

static int write_event(run *r, uint64_t i, uint64_t threshold)
{
    int in_run = targets_buffer(r->row) && i >= r->t && i < r->t + r->k;
    int rc;
    if (!in_run && (rc = noise_run(r, threshold)) != 0)
        return rc;
    if (targets_buffer(r->row) && i == r->t && (rc = open_target(r)) != 0)
        return rc;
    heapev_gen_item it;
    heapev_etl_position pos;
    next_item(r, &it);
    if (heapev_etl_writer_add_record(&r->w, it.bytes, it.len, &pos) != HEAPEV_ETL_WRITE_OK)
        return -2;
    uint64_t offset = file_offset(r, &pos);
    r->time = it.event.header.system_time > r->time ? it.event.header.system_time : r->time;
    if (targets_buffer(r->row) && i == r->t && target_written(r, &pos, offset) != 0)
        return -3;
    if (is_truncation(r->row) && r->j != UINT64_MAX && i == r->t + r->j)
        r->cut = pos.offset - r->target * r->bsize + heapev_rng_range(&r->dmg_rng, 1, it.len - 1);
    heapev_gen_etl_entry e = {HEAPEV_GEN_ETL_EVENT, pos.buffer, offset, it.expected,
                              is_lost(r, i), i, &it,
                              in_records(r, pos.buffer, offset, open_base(r, pos.buffer))};
    e.expected |= width_mismatch(r, heapev_header_type_width(it.event.header.header_type));
    if (e.lost)
        r->sum.lost++;
    if (entry(r, &e) != 0)
        return -3;
    if (in_run && i + 1 == r->t + r->k && !is_truncation(r->row) &&
        heapev_etl_writer_flush(&r->w) != HEAPEV_ETL_WRITE_OK)
        return -2;
    return 0;
}

/* Choose the target run and the PointerSize the reader will use. */
static int plan(run *r)
{
    const etl_row *row = r->row;
    const heapev_gen_etl_options *o = r->o;
    r->psize = o->width;
    r->t = r->k = 0;
    r->j = UINT64_MAX;
    if (row == NULL)
        return 0;
    if (row->patch == patch_psize_mismatch)
        r->psize = 4;
    if (row->patch == patch_psize_invalid || row->patch == patch_no_logfile ||
        row->patch == patch_unrecoverable)
        r->psize = 0;
    if (!targets_buffer(row))
        return 0;
    if (o->count == 0)
        return -1;
    r->k = 1 + heapev_rng_bounded(&r->dmg_rng, o->count < MAX_RUN ? o->count : MAX_RUN);
    r->t = is_truncation(row) ? o->count - r->k : heapev_rng_bounded(&r->dmg_rng, o->count - r->k + 1);
    if (row->loss == LOSE_CUT) /* cut inside event t + j */
        r->j = heapev_rng_bounded(&r->dmg_rng, r->k);
    return 0;
}

/* The container row of catalogue index @p c, or NULL when @p c is no container class. */
static const etl_row *container_row(int c)
{
    size_t base = heapev_gen_container_base();
    return c >= 0 && (size_t)c >= base && (size_t)c - base < N(rows) ? &rows[(size_t)c - base] : NULL;
}

/* Does container class @p c (a catalogue index, or -1) apply to the trace @p o describes? */
static int class_fits(const heapev_gen_etl_options *o, int c)
{
    if (c < 0)
        return 1;
    if (container_row(c) == NULL)
        return 0;
    const heapev_gen_class *k = &container_row(c)->info;
    unsigned trace = o->compress ? HEAPEV_GEN_ETL_COMPRESSED : HEAPEV_GEN_ETL_PLAIN;
    return (k->traces & trace) && (k->widths & HEAPEV_GEN_WIDTH_BIT(o->width));
}

static int options_ok(const heapev_gen_etl_options *o, uint32_t bsize, size_t cap)
{
    return (o->width == 4 || o->width == 8) && o->noise >= 0.0 && o->noise <= max_noise_fraction &&
           o->wow64 >= 0.0 && o->wow64 <= max_wow64_fraction &&
           (o->wow64 == 0.0 || o->width == 8) && o->families <= HEAPEV_GEN_FAMILY_ALL &&
           (o->style == HEAPEV_ETL_STYLE_WIN10 || o->style == HEAPEV_ETL_STYLE_WIN7) &&
           bsize % HEAPEV_ETL_RECORD_ALIGN == 0 && bsize >= HEAPEV_GEN_ETL_MIN_BUFFER &&
           bsize <= HEAPEV_ETL_MAX_BUFFER_SIZE && cap >= HEAPEV_GEN_ETL_MEMORY(bsize) &&
           class_fits(o, o->container) && (o->enabled & ~heapev_gen_etl_event_classes()) == 0;
}

/*
 * Event classes whose findings depend on the 32-bit user limit: left out of
 * WOW64 events, which the reader checks against the WOW64 limit instead.
 */
static heapev_gen_classes limit_dependent_classes(void)
{
    static const char *const names[] = {"size_implausible", "address_kernel_range",
                                        "address_wraps", "heap_handle_kernel_range",
                                        "block_end_kernel_range"};
    heapev_gen_classes set = 0;
    for (size_t k = 0; k < N(names); k++)
        set |= (heapev_gen_classes)1 << heapev_gen_class_find(names[k]);
    return set;
}

/* The generators: the trace's width, and (64-bit traces with a WOW64 share) the 32-bit one. */
static int start_generators(run *r)
{
    const heapev_gen_etl_options *o = r->o;
    heapev_gen_classes enabled = o->enabled != 0 ? o->enabled : heapev_gen_etl_event_classes();
    unsigned families = o->families != 0 ? o->families : HEAPEV_GEN_FAMILY_ALL;
    heapev_gen_options go = {.seed = o->seed, .width = o->width, .format = HEAPEV_GEN_FORMAT_RECORD,
                             .malformed = o->malformed, .enabled = enabled, .families = families};
    if (heapev_gen_init(&r->g[0], &go) != 0)
        return -1;
    if (o->wow64 <= 0.0)
        return 0;
    go.seed = o->seed ^ 0x776F773634000000ull; /* "wow64" */
    go.width = 4;
    go.enabled = enabled & ~limit_dependent_classes();
    if (go.enabled == 0)
        go.malformed = 0.0;
    if (heapev_gen_init(&r->g[1], &go) != 0)
        return -1;
    r->wow64_threshold = (uint64_t)(o->wow64 * TWO_POW_53);
    return 0;
}

static void describe_process(const heapev_gen_model *m, int wow64, heapev_gen_etl_process *p)
{
    p->width = m->width;
    p->wow64 = wow64;
    p->process_id = m->process_id;
    memcpy(p->thread_ids, m->thread_ids, sizeof p->thread_ids);
    for (unsigned h = 0; h < HEAPEV_GEN_HEAPS; h++)
        p->heap_handles[h] = m->heaps[h].handle;
}

int heapev_gen_etl_processes(const heapev_gen_etl_options *o, heapev_gen_etl_process out[2])
{
    static run zero;
    run r = zero;
    r.o = o;
    if (!(o->width == 4 || o->width == 8) || start_generators(&r) != 0)
        return -1;
    describe_process(&r.g[0].models[o->width == 8], 0, &out[0]);
    if (r.wow64_threshold == 0)
        return 1;
    describe_process(&r.g[1].models[0], 1, &out[1]);
    return 2;
}

/* Smallest power of 2 (from COMPRESSED_B0_MIN) that holds @p n bytes. */
static uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = COMPRESSED_B0_MIN;
    while (p < n)
        p <<= 1;
    return p;
}

/* The writer, with a header buffer and logfile fields like a real trace's. */
static int start_writer(run *r)
{
    const heapev_gen_etl_options *o = r->o;
    heapev_rng rng;
    heapev_rng_seed(&rng, o->seed ^ 0x6865616465720000ull); /* "header" */
    heapev_etl_writer_options wo = {
        .buffer_size = r->bsize,
        .pointer_size = o->width,
        .start_time = r->time,
        .boot_time = FILETIME_2024 + (int64_t)heapev_rng_bounded(&rng, (uint64_t)TWO_YEARS_FT),
        .perf_freq = 10000000,
        .clock_type = 1,
        .number_of_processors = 2u * (uint32_t)heapev_rng_range(&rng, 1, 8),
        .cpu_speed_mhz = 100u * (uint32_t)heapev_rng_range(&rng, 20, 48),
        .style = o->style};
    if (heapev_etl_writer_init(&r->w, &wo, r->copy + r->bsize, r->bsize, patch_sink, r) != 0)
        return -1;
    r->b0len = pow2_at_least(heapev_etl_writer_header_length(&r->w));
    r->out_off = r->b0len;
    return 0;
}

static int start(run *r)
{
    const heapev_gen_etl_options *o = r->o;
    if (start_generators(r) != 0)
        return -1;
    heapev_rng_seed(&r->noise_rng, o->seed ^ 0x6E6F697365000000ull); /* "noise" */
    heapev_rng_seed(&r->dmg_rng, o->seed ^ 0x64616D6167650000ull);   /* "damage" */
    heapev_rng_seed(&r->mix_rng, o->seed ^ 0x6D69780000000000ull);   /* "mix" */
    r->row = container_row(o->container);
    if (plan(r) != 0)
        return -1;
    r->time = r->g[0].models[o->width == 8].system_time;
    return start_writer(r);
}

/*
 * Buffer 0's items come first in the reader's order: the class's item, and
 * when PointerSize says 4 in a 64-bit trace, one per 64-bit header-extension
 * record after the logfile header.
 */
static int first_items(run *r)
{
    const etl_row *row = r->row;
    if (row == NULL)
        return 0;
    if (row->where == AT_BUFFER0)
        return container(r, 0, 0, 0, row->info.findings);
    if (row->where != AT_LOGFILE)
        return 0;
    if (container(r, 0, 0, HEAPEV_ETL_BUFFER_HEADER_SIZE, row->info.findings) != 0)
        return -1;
    uint32_t at[HEAPEV_ETL_WRITER_MAX_HEADER_RECORDS];
    unsigned n = heapev_etl_writer_header_records(&r->w, at);
    for (unsigned i = 0; i < n && width_mismatch(r, r->o->width) != 0; i++)
        if (container(r, 0, 0, at[i], HEAPEV_FINDING(ETL_POINTER_SIZE_MISMATCH)) != 0)
            return -1;
    return 0;
}

int heapev_gen_etl_image_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    heapev_gen_etl_image *img = ctx;
    if (offset > img->cap || len > img->cap - offset)
        return 1;
    memcpy(img->bytes + offset, data, len);
    if (offset + len > img->len)
        img->len = (size_t)(offset + len);
    return 0;
}

int heapev_gen_etl_write(const heapev_gen_etl_options *o, uint8_t *mem, size_t cap,
                         int (*sink)(void *ctx, uint64_t offset, const uint8_t *data, size_t len),
                         void *sink_ctx, heapev_gen_etl_entry_fn on_entry, void *entry_ctx,
                         heapev_gen_etl_summary *summary)
{
    static run zero;
    run r = zero;
    r.o = o;
    r.bsize = o->buffer_size != 0 ? o->buffer_size : HEAPEV_ETL_DEFAULT_BUFFER_SIZE;
    r.copy = mem;
    r.packed = mem + 2u * (size_t)r.bsize;
    r.sink = sink;
    r.sink_ctx = sink_ctx;
    r.on_entry = on_entry;
    r.entry_ctx = entry_ctx;
    if (mem == NULL || sink == NULL || !options_ok(o, r.bsize, cap) || start(&r) != 0)
        return -1;
    uint64_t threshold = (uint64_t)(o->noise * TWO_POW_53);
    int rc = first_items(&r) != 0 ? -3 : 0;
    if (r.row != NULL && r.row->patch == patch_no_logfile)
        r.sum.skipped++; /* the logfile record, read as an ordinary one */
    r.sum.skipped += heapev_etl_writer_header_records(&r.w, NULL);
    for (uint64_t i = 0; rc == 0 && i < o->count; i++)
        rc = write_event(&r, i, threshold);
    if (rc == 0) {
        r.sum.buffers = heapev_etl_writer_buffers(&r.w);
        if (heapev_etl_writer_finish(&r.w, 0) != HEAPEV_ETL_WRITE_OK)
            rc = -2;
    }
    if (rc == 0 && r.row != NULL && r.row->where == AT_LOGFILE_END &&
        container(&r, 0, 0, HEAPEV_ETL_BUFFER_HEADER_SIZE, r.row->info.findings) != 0)
        rc = -3;
    if (r.row != NULL && r.row->loss == LOSE_ALL)
        r.sum.buffers = 1, r.sum.skipped = 0;
    r.sum.events = o->count - r.sum.lost;
    if (summary != NULL)
        *summary = r.sum;
    return rc;
}

/* ---- one class on an existing trace (a mutator's use) ------------------------------ */

heapev_gen_etl_part heapev_gen_etl_class_part(size_t index)
{
    const etl_row *row = index < heapev_gen_class_count() ? container_row((int)index) : NULL;
    if (row == NULL)
        return HEAPEV_GEN_ETL_PART_NONE;
    if (is_truncation(row))
        return HEAPEV_GEN_ETL_PART_FILE_END;
    if (row->after != NULL)
        return HEAPEV_GEN_ETL_PART_STREAM;
    if (row->where == AT_RECORD)
        return HEAPEV_GEN_ETL_PART_RECORD;
    return targets_buffer(row) ? HEAPEV_GEN_ETL_PART_BUFFER_HEADER : HEAPEV_GEN_ETL_PART_HEADER_BUFFER;
}

/* Buffer 0 holds the logfile header's fixed part, and its Size stays inside the buffer. */
static int header_buffer_fits(const heapev_gen_etl_target *t)
{
    size_t fixed = LF_AT + HEAPEV_LOGFILE_FIXED_SIZE(t->width);
    if (t->len < fixed)
        return 0;
    size_t size = heapev_read_le16(t->buffer + HEAPEV_ETL_BUFFER_HEADER_SIZE + HEAPEV_HEADER_OFF_SIZE);
    return size >= fixed - HEAPEV_ETL_BUFFER_HEADER_SIZE && size <= t->len - HEAPEV_ETL_BUFFER_HEADER_SIZE;
}

/* The target record lies among the records, its Size inside the buffer (etl_garbage_record reads it). */
static int record_fits(const etl_row *row, const heapev_gen_etl_target *t)
{
    if (t->record < HEAPEV_ETL_BUFFER_HEADER_SIZE || t->record_len < HEAPEV_HEADER_OFF_THREAD_ID ||
        t->record > t->len || t->record_len > t->len - t->record || t->len > UINT32_MAX)
        return 0;
    if (heapev_read_le16(t->buffer + t->record + HEAPEV_HEADER_OFF_SIZE) > t->len - t->record)
        return 0;
    if (row->patch == patch_misaligned)
        return t->prev_len % HEAPEV_ETL_RECORD_ALIGN != 0 && t->prev_len < t->record &&
               t->record - HEAPEV_ETL_ALIGN(t->prev_len) >= HEAPEV_ETL_BUFFER_HEADER_SIZE;
    return 1;
}

/* FILE_END: where the class cuts the last buffer; 0 when it cannot. */
static size_t cut_length(const etl_row *row, heapev_rng *rng, const heapev_gen_etl_target *t)
{
    const size_t hdr = HEAPEV_ETL_BUFFER_HEADER_SIZE;
    if (cuts_stream(row))
        return t->len >= hdr + 2u ? hdr + heapev_rng_range(rng, 1, t->len - hdr - 1u) : 0;
    if (row->loss == LOSE_CUT)
        return t->record_len >= 2u && t->record <= t->len && t->record_len <= t->len - t->record
                   ? t->record + heapev_rng_range(rng, 1, t->record_len - 1u) : 0;
    return t->len >= hdr ? heapev_rng_range(rng, 1, hdr - 1u) : 0;
}

int heapev_gen_etl_damage(heapev_rng *rng, size_t index, heapev_gen_etl_target *t)
{
    heapev_gen_etl_part part = heapev_gen_etl_class_part(index);
    if (part == HEAPEV_GEN_ETL_PART_NONE || t->buffer == NULL || (t->width != 4 && t->width != 8))
        return -1;
    const etl_row *row = container_row((int)index);
    heapev_gen_etl_options o = {.width = t->width};
    run r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    r.bsize = t->stride;
    r.dmg_rng = *rng;
    int ok = 1;
    switch (part) {
    case HEAPEV_GEN_ETL_PART_HEADER_BUFFER: ok = header_buffer_fits(t); break;
    case HEAPEV_GEN_ETL_PART_BUFFER_HEADER: ok = t->len >= HEAPEV_ETL_BUFFER_HEADER_SIZE; break;
    case HEAPEV_GEN_ETL_PART_STREAM: ok = t->len >= HEAPEV_ETL_BUFFER_HEADER_SIZE + 4u; break;
    case HEAPEV_GEN_ETL_PART_RECORD:
        ok = record_fits(row, t);
        r.bsize = (uint32_t)t->len;
        r.rec_off = t->record;
        r.prefix = (uint32_t)t->prev_len;
        break;
    default:
        t->keep = cut_length(row, &r.dmg_rng, t);
        ok = t->keep != 0;
        break;
    }
    if (!ok)
        return -1;
    if (part != HEAPEV_GEN_ETL_PART_FILE_END)
        (row->patch != NULL ? row->patch : row->after)(&r, t->buffer);
    *rng = r.dmg_rng;
    return 0;
}
