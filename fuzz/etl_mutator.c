/*
 * etl_mutator.c - the structure-aware mutator for whole .etl traces, linked
 * into etl_read_structured and byod_decode_structured (-Dbyod_kind=etl) as
 * LLVMFuzzerCustomMutator + LLVMFuzzerCustomCrossOver, and into the AFL++
 * custom mutator library (fuzz/afl_mutator.c).
 *
 * It parses the input with heapev's own streaming reader (heapev/etl.h,
 * report_skipped on, scratch memory given) into a model: buffer 0 as bytes,
 * then each data buffer's header and its records, the records of a
 * compressed buffer taken from its decompressed image. It mutates the model
 * (record fields, records inserted from the generator's model and
 * catalogue, deleted, duplicated, moved and swapped across buffers,
 * relations between two records, logfile and buffer header fields, a
 * buffer's compression, the whole trace compressed or not) and writes it back
 * consistently: records 8-aligned, each buffer's Offset, SavedOffset and
 * BufferSize, buffers split when full, BuffersWritten, and every compressed
 * buffer's records compressed again (gen/lzxpress.c), so mutations of
 * decompressed records reach the reader's record parser behind a valid
 * stream. Only a mutation meant to break the container does: one container
 * class of the catalogue applied to the written trace
 * (heapev_gen_etl_damage()), or byte noise on the written bytes or on one
 * buffer's compressed stream.
 *
 * Sequence operators make the relations deep bugs hide behind: the same
 * Address allocated twice, time going backwards on one thread, a block
 * starting exactly where an earlier one ends, a 32-bit (WOW64) Alloc with an
 * exact Size after a 64-bit one of the same process.
 *
 * Determinism: every choice comes from the generator's PRNG seeded with
 * Seed; byte noise from LLVMFuzzerMutate (libFuzzer's, fixed by -seed).
 * Global state: libFuzzer's mutator API passes no context, so the working
 * memory (two models, the reader's decompression scratch, one buffer image,
 * the output, the compressor's table; about 1.8 MiB) is one static object. Every call
 * overwrites what it reads of it: nothing survives from one call to the next.
 * Input that does not parse becomes a fresh trace from the generator.
 */
#include <string.h>

#include "heapev/etl.h"
#include "heapev/gen_etl.h"
#include "heapev/le.h"
#include "heapev/wraps.h"
#include "heapev/lzxpress.h"
#include "mutate_fields.h"

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned seed);

#define HDR HEAPEV_ETL_BUFFER_HEADER_SIZE
#define MAX_BUFFER 65536u          /* largest buffer the mutator models */
#define MAX_BUFFERS 128u           /* data buffers of a model */
#define MAX_RECORDS 2048u          /* records of a model */
#define POOL (256u * 1024u)        /* record bytes of a model */
#define GEN_BUFFER 1024u           /* buffer size of the traces it generates */
#define MAX_REC_LEN 0xFFFFu        /* a record's Size field is 16 bits */
#define MAX_OUT (1u << 20)         /* longest trace it writes */
#define NO_DAMAGE SIZE_MAX

/* ---- the model -------------------------------------------------------------------- */

typedef struct etl_record {
    uint32_t buffer; /* index in model.buf */
    uint32_t at;     /* its bytes: pool[at, at + len) */
    uint32_t len;
} etl_record;

typedef struct etl_buffer {
    uint8_t header[HDR];
    uint8_t compressed; /* its records are stored LZXpress-compressed (chained traces) */
    uint8_t opaque;     /* unreadable (a stream that does not decompress): bytes kept as they are */
    uint32_t at, len;   /* opaque: its bytes in the pool */
} etl_buffer;

typedef struct etl_model {
    unsigned width;   /* PointerSize: 4 or 8 (8 when the logfile does not say) */
    int chained;      /* compressed trace: LogFileMode 0x04000000, buffers chained */
    uint32_t stride;  /* plain: every buffer's size; chained: room of a buffer's records + 72 */
    uint32_t b0_at, b0_len; /* buffer 0 as in the file, in the pool */
    etl_buffer buf[MAX_BUFFERS];
    size_t nbuf;
    etl_record rec[MAX_RECORDS]; /* in file order, buffer by buffer */
    size_t nrec;
    uint8_t pool[POOL];
    size_t pool_used;
} etl_model;

/* What the writer applies on the way out: one container class, byte noise on one buffer. */
typedef struct etl_plan {
    size_t damage;      /* catalogue index of a container class, or NO_DAMAGE */
    size_t damage_buf;  /* its data buffer (BUFFER_HEADER, RECORD, STREAM, FILE_END) */
    size_t damage_rec;  /* RECORD: index of the record in model.rec */
    int noise_buf;      /* 1 + data buffer whose written bytes get byte noise; 0 none */
} etl_plan;

typedef struct etl_ctx {
    etl_model m[2]; /* the input, and a cross-over partner */
    uint8_t scratch[HEAPEV_ETL_SCRATCH_SIZE(MAX_BUFFER)];
    uint8_t image[MAX_BUFFER + HEAPEV_ETL_SCRATCH_SLACK];
    uint8_t gen_mem[HEAPEV_GEN_ETL_MEMORY(GEN_BUFFER)];
    uint8_t out[MAX_OUT];
    heapev_lzxpress_state lzx;
    fuzz_rng rng;
} etl_ctx;

static etl_ctx the_ctx; /* see the file comment: the one static object */

/* ---- small helpers ------------------------------------------------------------------ */

static uint32_t rd32(const uint8_t *p, size_t off)
{
    return heapev_read_le32(p + off);
}

/* t + d without signed overflow (wraps, as the 64-bit field would). */
HEAPEV_WRAPS static int64_t time_plus(int64_t t, int64_t d)
{
    return (int64_t)((uint64_t)t + (uint64_t)d);
}

static uint8_t *rec_bytes(etl_model *m, size_t i)
{
    return m->pool + m->rec[i].at;
}

/* Copy @p n bytes into the pool; UINT32_MAX when it is full. */
static uint32_t pool_add(etl_model *m, const uint8_t *p, size_t n)
{
    if (n > POOL - m->pool_used)
        return UINT32_MAX;
    uint32_t at = (uint32_t)m->pool_used;
    if (n != 0)
        memcpy(m->pool + at, p, n);
    m->pool_used += n;
    return at;
}

/* Insert a record of @p n bytes at index @p i (buffer @p b); 0 on success. */
static int insert_record(etl_model *m, size_t i, uint32_t b, const uint8_t *p, size_t n)
{
    if (m->nrec == MAX_RECORDS || n == 0 || n > MAX_REC_LEN || i > m->nrec)
        return -1;
    uint32_t at = pool_add(m, p, n);
    if (at == UINT32_MAX)
        return -1;
    memmove(&m->rec[i + 1], &m->rec[i], (m->nrec - i) * sizeof m->rec[0]);
    m->rec[i] = (etl_record){b, at, (uint32_t)n};
    m->nrec++;
    return 0;
}

static void delete_record(etl_model *m, size_t i)
{
    memmove(&m->rec[i], &m->rec[i + 1], (m->nrec - i - 1) * sizeof m->rec[0]);
    m->nrec--;
}

/* Index of the first record of buffer @p b (or where it would go). */
static size_t first_of(const etl_model *m, size_t b)
{
    size_t i = 0;
    while (i < m->nrec && m->rec[i].buffer < b)
        i++;
    return i;
}

/* Index just past the last record of buffer @p b. */
static size_t end_of(const etl_model *m, size_t b)
{
    size_t i = first_of(m, b);
    while (i < m->nrec && m->rec[i].buffer == b)
        i++;
    return i;
}

/* Where the logfile header's payload starts in buffer 0 (0 when it has none). */
static size_t logfile_payload(const etl_model *m)
{
    const uint8_t *b0 = m->pool + m->b0_at;
    if (m->b0_len < HDR + HEAPEV_HEADER_SIZE_PERFINFO)
        return 0;
    const uint8_t *h = b0 + HDR;
    unsigned hs = heapev_header_type_size(h[HEAPEV_HEADER_OFF_HEADER_TYPE]);
    if (hs == 0 || h[HEAPEV_HEADER_OFF_FLAGS] != HEAPEV_HEADER_FLAGS ||
        heapev_read_le16(h + HEAPEV_HEADER_OFF_HOOK_ID) != HEAPEV_HOOK_LOGFILE_HEADER)
        return 0;
    size_t fixed = HDR + hs + HEAPEV_LOGFILE_FIXED_SIZE(m->width);
    return fixed <= m->b0_len ? HDR + hs : 0;
}

/* ---- parse: the reader walks the input, the model keeps what it read ------------------ */

typedef struct parse_state {
    heapev_etl_reader r;
    uint64_t cur;      /* buffer being read; UINT64_MAX before the first */
    size_t img_len;    /* bytes of its image */
    const uint8_t *img;
    size_t next;       /* end (aligned) of its last record taken */
    uint32_t end;      /* where its records end */
} parse_state;

static void parse_buffer0(etl_model *m, parse_state *s, const uint8_t *data, size_t size)
{
    size_t len = heapev_etl_reader_buffer_length(&s->r);
    if (len == 0 || len > size)
        len = size < MAX_BUFFER ? size : MAX_BUFFER;
    m->b0_at = pool_add(m, data, len);
    m->b0_len = m->b0_at == UINT32_MAX ? 0 : (uint32_t)len;
}

/*
 * Bytes between the last record taken and the end of the records: what the
 * reader could not step over (kept as one raw record), or, when the buffer
 * header kept the records unread, the image up to its filler.
 */
static void parse_rest(etl_model *m, parse_state *s)
{
    if (s->cur == UINT64_MAX || s->cur == 0 || m->nbuf == 0 || s->img == NULL)
        return;
    size_t end = s->end > HDR && s->end <= s->img_len ? s->end : s->img_len;
    if (s->end <= HDR) /* unread: up to the filler */
        while (end > HDR && s->img[end - 1] == HEAPEV_ETL_FILLER_BYTE)
            end--;
    if (end > s->next)
        (void)insert_record(m, m->nrec, (uint32_t)(m->nbuf - 1), s->img + s->next,
                            end - s->next < MAX_REC_LEN ? end - s->next : MAX_REC_LEN);
}

static void open_data_buffer(etl_model *m, parse_state *s, const heapev_etl_item *it,
                             const uint8_t *data, size_t size)
{
    if (m->nbuf == MAX_BUFFERS)
        return;
    etl_buffer *b = &m->buf[m->nbuf];
    s->img = heapev_etl_reader_buffer(&s->r, &s->img_len);
    s->next = HDR;
    if (s->img == NULL || s->img_len < HDR)
        return; /* a header cut short: left out */
    memset(b, 0, sizeof *b);
    memcpy(b->header, s->img, HDR);
    b->compressed = (uint8_t)heapev_etl_reader_decompressed(&s->r);
    uint16_t flag = heapev_read_le16(s->img + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG);
    if ((flag & HEAPEV_ETL_BUFFER_FLAG_COMPRESSED) && !b->compressed && m->chained) {
        size_t len = heapev_etl_reader_buffer_length(&s->r);
        size_t avail = it->buffer_offset < size ? size - (size_t)it->buffer_offset : 0;
        b->opaque = 1;
        b->len = (uint32_t)(len < avail ? len : avail);
        b->at = pool_add(m, data + it->buffer_offset, b->len);
        s->img = NULL; /* no records to take from it */
        if (b->at == UINT32_MAX)
            return;
    }
    s->end = rd32(s->img != NULL ? s->img : b->header, HEAPEV_ETL_BUF_OFF_OFFSET);
    m->nbuf++;
}

/* A record item (EVENT or SKIPPED) of the current data buffer: its bytes into the model. */
static void take_record(etl_model *m, parse_state *s, const heapev_etl_item *it, uint32_t size)
{
    if (s->img == NULL || m->nbuf == 0 || s->cur == 0)
        return;
    uint64_t rel = it->offset - it->buffer_offset;
    if (rel < s->next || rel > s->img_len || size > s->img_len - rel)
        return;
    if (rel > s->next) /* bytes the reader stepped over without an item (none expected) */
        (void)insert_record(m, m->nrec, (uint32_t)(m->nbuf - 1), s->img + s->next, rel - s->next);
    (void)insert_record(m, m->nrec, (uint32_t)(m->nbuf - 1), s->img + rel, size);
    s->next = HEAPEV_ETL_ALIGN((size_t)rel + size);
}

static void parse_item(etl_model *m, parse_state *s, const heapev_etl_item *it,
                       const uint8_t *data, size_t size)
{
    if (s->cur == UINT64_MAX || it->buffer > s->cur) { /* a new buffer opens */
        parse_rest(m, s);
        s->cur = it->buffer;
        if (it->buffer == 0)
            parse_buffer0(m, s, data, size);
        else
            open_data_buffer(m, s, it, data, size);
    }
    if (it->buffer != s->cur)
        return; /* the late BuffersWritten finding about buffer 0 */
    if (it->kind == HEAPEV_ETL_ITEM_EVENT)
        take_record(m, s, it, it->event.header.size);
    else if (it->kind == HEAPEV_ETL_ITEM_SKIPPED)
        take_record(m, s, it, it->skipped.size);
}

/* The trace's layout from the logfile header the reader read. */
static void parse_layout(etl_model *m, const heapev_etl_reader *r)
{
    const heapev_etl_logfile *lf = heapev_etl_reader_logfile(r);
    m->width = lf->present && lf->pointer_size == 4 ? 4u : 8u;
    m->chained = lf->present && lf->compressed;
    m->stride = heapev_etl_reader_buffer_size(r);
    if (m->chained)
        m->stride = lf->buffer_size >= 2u * HDR && lf->buffer_size <= MAX_BUFFER
                        ? lf->buffer_size : MAX_BUFFER;
}

/* Parse @p data into @p m; 0 when it holds at least buffer 0. */
static int parse(etl_ctx *c, etl_model *m, const uint8_t *data, size_t size)
{
    static const parse_state zero = {.cur = UINT64_MAX};
    parse_state s = zero;
    heapev_etl_read_options o = {.max_buffer_size = MAX_BUFFER, .report_skipped = 1,
                                 .scratch = c->scratch, .scratch_size = sizeof c->scratch};
    heapev_etl_item it;
    m->nbuf = m->nrec = m->pool_used = 0;
    m->b0_len = 0;
    heapev_etl_reader_init_memory(&s.r, &o, data, size);
    /* The layout first: buffer 0 is read before any item of a data buffer comes. */
    m->width = 8, m->chained = 0;
    while (heapev_etl_next(&s.r, &it) == HEAPEV_ETL_OK) {
        if (s.cur == UINT64_MAX)
            parse_layout(m, &s.r);
        parse_item(m, &s, &it, data, size);
    }
    parse_rest(m, &s);
    parse_layout(m, &s.r);
    return m->b0_len >= HDR && m->stride >= HDR ? 0 : -1;
}

/* ---- write: the model back to a consistent trace ------------------------------------------ */

/* Room for records in a buffer (after its header). */
static size_t room(const etl_model *m)
{
    return m->stride > HDR ? m->stride - HDR : 0;
}

/* Remove data buffer @p b, its records going to buffer @p to (SIZE_MAX: dropped). */
static void remove_buffer(etl_model *m, size_t b, size_t to)
{
    for (size_t i = 0; i < m->nrec;) {
        if (m->rec[i].buffer == b && to == SIZE_MAX) {
            delete_record(m, i);
            continue;
        }
        if (m->rec[i].buffer == b)
            m->rec[i].buffer = (uint32_t)to;
        if (m->rec[i].buffer > b)
            m->rec[i].buffer--;
        i++;
    }
    memmove(&m->buf[b], &m->buf[b + 1], (m->nbuf - b - 1) * sizeof m->buf[0]);
    m->nbuf--;
}

/* A new data buffer right after @p b, with its header; 0 on success. */
static int open_after(etl_model *m, size_t b)
{
    if (m->nbuf == MAX_BUFFERS)
        return -1;
    memmove(&m->buf[b + 2], &m->buf[b + 1], (m->nbuf - b - 1) * sizeof m->buf[0]);
    m->buf[b + 1] = m->buf[b];
    m->buf[b + 1].opaque = 0;
    m->nbuf++;
    for (size_t i = 0; i < m->nrec; i++)
        if (m->rec[i].buffer > b)
            m->rec[i].buffer++;
    return 0;
}

/*
 * Every buffer's records fit its room: the overflow moves on to a new buffer
 * after it; a record larger than a whole buffer's room is dropped, and so is
 * what finds no buffer left.
 */
static void rebalance(etl_model *m)
{
    size_t cap = room(m);
    size_t b = 0;
    while (b < m->nbuf) {
        if (!m->buf[b].opaque && first_of(m, b) == end_of(m, b)) { /* real traces have none */
            remove_buffer(m, b, SIZE_MAX); /* the next buffer is b now */
            continue;
        }
        size_t used = 0, i = first_of(m, b);
        while (i < m->nrec && m->rec[i].buffer == b) {
            size_t need = HEAPEV_ETL_ALIGN((size_t)m->rec[i].len);
            if (m->rec[i].len > cap || m->buf[b].opaque) {
                delete_record(m, i);
                continue;
            }
            if (used + need > cap) {
                if (open_after(m, b) != 0) {
                    while (i < m->nrec && m->rec[i].buffer == b)
                        delete_record(m, i);
                    break;
                }
                for (size_t k = i; k < m->nrec && m->rec[k].buffer == b; k++)
                    m->rec[k].buffer = (uint32_t)b + 1;
                break;
            }
            used += need;
            i++;
        }
        b++;
    }
}

/*
 * The plain image of data buffer @p b in @p img (room for m->stride bytes):
 * header, records 8-aligned, filler. Returns Offset, the aligned end of the
 * records.
 */
static uint32_t build_image(etl_model *m, size_t b, uint8_t *img)
{
    uint32_t used = HDR;
    memcpy(img, m->buf[b].header, HDR);
    memset(img + HDR, HEAPEV_ETL_FILLER_BYTE, m->stride - HDR);
    for (size_t i = first_of(m, b); i < m->nrec && m->rec[i].buffer == b; i++) {
        memcpy(img + used, rec_bytes(m, i), m->rec[i].len);
        used = HEAPEV_ETL_ALIGN(used + m->rec[i].len);
    }
    return used;
}

/* Where record @p i lies in its buffer's image. */
static size_t record_place(const etl_model *m, size_t i)
{
    size_t at = HDR;
    for (size_t k = first_of(m, m->rec[i].buffer); k < i; k++)
        at = HEAPEV_ETL_ALIGN(at + m->rec[k].len);
    return at;
}

/* A RECORD container class on record @p i in the image of its buffer (@p len bytes). */
static void damage_record(etl_ctx *c, const etl_model *m, size_t cls, uint8_t *img, size_t len,
                          size_t i)
{
    heapev_gen_etl_target t = {img, len, m->stride, m->width, record_place(m, i), m->rec[i].len,
                               0, 0};
    if (i > 0 && m->rec[i - 1].buffer == m->rec[i].buffer)
        t.prev_len = m->rec[i - 1].len;
    (void)heapev_gen_etl_damage(&c->rng, cls, &t);
}

/* Offset, SavedOffset, CurrentOffset, BufferSize and the compressed flag of a data buffer. */
static void set_header(uint8_t *h, uint32_t offset, uint32_t size, int compressed)
{
    uint16_t flag = heapev_read_le16(h + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG);
    flag = compressed ? (uint16_t)(flag | HEAPEV_ETL_BUFFER_FLAG_COMPRESSED)
                      : (uint16_t)(flag & ~HEAPEV_ETL_BUFFER_FLAG_COMPRESSED);
    heapev_write_le32(h + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, size);
    heapev_write_le32(h + HEAPEV_ETL_BUF_OFF_SAVED_OFFSET, offset);
    heapev_write_le32(h + HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET, offset);
    heapev_write_le32(h + HEAPEV_ETL_BUF_OFF_OFFSET, offset);
    heapev_write_le16(h + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG, flag);
}

/* Buffer 0: BufferSize its length, BuffersWritten the buffers (not in an unfinished log). */
static size_t write_buffer0(const etl_model *m, uint8_t *out, size_t cap)
{
    size_t len = m->chained ? m->b0_len : m->stride;
    if (len > cap || len < HDR)
        return 0;
    size_t have = m->b0_len < len ? m->b0_len : len;
    memcpy(out, m->pool + m->b0_at, have);
    memset(out + have, HEAPEV_ETL_FILLER_BYTE, len - have);
    heapev_write_le32(out + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, (uint32_t)len);
    size_t lf = logfile_payload(m);
    if (lf != 0 && lf + HEAPEV_LOGFILE_FIXED_SIZE(m->width) <= len) {
        uint8_t *q = out + lf;
        int unfinished = rd32(q, HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN) == 0 &&
                         heapev_read_le64(q + HEAPEV_LOGFILE_OFF_END_TIME) == 0;
        if (!unfinished)
            heapev_write_le32(q + HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN, (uint32_t)(1u + m->nbuf));
        heapev_write_le32(q + HEAPEV_LOGFILE_OFF_BUFFER_SIZE, m->stride);
    }
    return len;
}

/* One data buffer at out[0, cap): its length in the file, 0 when it does not fit. */
static size_t write_data_buffer(etl_ctx *c, etl_model *m, size_t b, const etl_plan *p,
                                uint8_t *out, size_t cap)
{
    const etl_buffer *eb = &m->buf[b];
    if (eb->opaque) {
        if (eb->len > cap)
            return 0;
        memcpy(out, m->pool + eb->at, eb->len);
        return eb->len;
    }
    uint32_t offset = build_image(m, b, c->image);
    if (p->damage_rec != NO_DAMAGE && m->rec[p->damage_rec].buffer == b &&
        heapev_gen_etl_class_part(p->damage) == HEAPEV_GEN_ETL_PART_RECORD)
        damage_record(c, m, p->damage, c->image, offset, p->damage_rec);
    if (!m->chained) {
        if (m->stride > cap)
            return 0;
        set_header(c->image, offset, m->stride, 0);
        memcpy(out, c->image, m->stride);
        return m->stride;
    }
    if (!eb->compressed) {
        if (offset > cap)
            return 0;
        set_header(c->image, offset, offset, 0);
        memcpy(out, c->image, offset);
        return offset;
    }
    if (cap <= HDR)
        return 0;
    size_t n = heapev_lzxpress_compress(&c->lzx, c->image + HDR, offset - HDR, out + HDR, cap - HDR);
    if (n == 0)
        return 0;
    set_header(c->image, offset, (uint32_t)(HDR + n), 1);
    memcpy(out, c->image, HDR);
    return HDR + n;
}

/* Byte noise on a written buffer: a compressed one's stream (BufferSize follows), else in place. */
static size_t noise_buffer(uint8_t *out, size_t len, int compressed, size_t cap)
{
    if (compressed && len > HDR) {
        size_t grow = cap - len < 64u ? cap - len : 64u; /* a few bytes more at most */
        size_t n = fuzz_byte_mutate(out + HDR, len - HDR, len - HDR + grow);
        heapev_write_le32(out + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE, (uint32_t)(HDR + n));
        return HDR + n;
    }
    size_t n = fuzz_byte_mutate(out, len, len);
    memset(out + n, HEAPEV_ETL_FILLER_BYTE, len - n);
    return len;
}

/* The container class of the plan on the written trace (buffer starts in @p at). */
static size_t damage_written(etl_ctx *c, const etl_model *m, const etl_plan *p, uint8_t *out,
                             const size_t *at, size_t len)
{
    heapev_gen_etl_part part = heapev_gen_etl_class_part(p->damage);
    size_t b = p->damage_buf;
    heapev_gen_etl_target t = {out, at[0], m->stride, m->width, 0, 0, 0, 0};
    if (part == HEAPEV_GEN_ETL_PART_RECORD || part == HEAPEV_GEN_ETL_PART_NONE)
        return len;
    if (part != HEAPEV_GEN_ETL_PART_HEADER_BUFFER) {
        if (b >= m->nbuf)
            return len;
        t.buffer = out + at[b + 1];
        t.len = at[b + 2] - at[b + 1];
    }
    if (part == HEAPEV_GEN_ETL_PART_FILE_END && p->damage_rec != NO_DAMAGE) {
        t.record = record_place(m, p->damage_rec);
        t.record_len = m->rec[p->damage_rec].len;
    }
    if (heapev_gen_etl_damage(&c->rng, p->damage, &t) != 0)
        return len;
    return part == HEAPEV_GEN_ETL_PART_FILE_END ? at[b + 1] + t.keep : len;
}

/*
 * The model as a trace in out[0, cap): buffer 0, then every data buffer;
 * then the plan's damage. Returns the length, 0 when it does not fit.
 */
static size_t write_model(etl_ctx *c, etl_model *m, const etl_plan *p, uint8_t *out, size_t cap)
{
    size_t at[MAX_BUFFERS + 2];
    size_t off = write_buffer0(m, out, cap);
    if (off == 0)
        return 0;
    at[0] = off; /* buffer 0's length; data buffer b starts at at[b + 1] */
    for (size_t b = 0; b < m->nbuf; b++) {
        at[b + 1] = off;
        size_t n = write_data_buffer(c, m, b, p, out + off, cap - off);
        if (n == 0)
            return 0;
        if (p->noise_buf == (int)b + 1)
            n = noise_buffer(out + off, n, m->chained && m->buf[b].compressed, cap - off);
        off += n;
    }
    at[m->nbuf + 1] = off;
    return p->damage != NO_DAMAGE ? damage_written(c, m, p, out, at, off) : off;
}

/* ---- records: reading and making them ------------------------------------------------------ */

/* The heap Alloc event of record @p i, if it is one (header read, payload decoded). */
static int alloc_event(etl_model *m, size_t i, heapev_event *ev)
{
    heapev_decode_record(rec_bytes(m, i), m->rec[i].len, NULL, ev, NULL);
    return ev->has_header && ev->payload_decoded && ev->header.hook_id == HEAPEV_HOOK_HEAP_ALLOC;
}

/* A heap Alloc record at or after index @p from (cyclic from @p from up to @p to); SIZE_MAX if none. */
static size_t find_alloc(etl_model *m, size_t from, size_t lo, size_t hi, heapev_event *ev)
{
    for (size_t k = 0; hi > lo && k < hi - lo; k++) {
        size_t i = lo + (from - lo + k) % (hi - lo);
        if (alloc_event(m, i, ev))
            return i;
    }
    return SIZE_MAX;
}

/* Any Alloc record (SIZE_MAX if none). */
static size_t random_alloc(etl_ctx *c, etl_model *m, heapev_event *ev)
{
    if (m->nrec == 0)
        return SIZE_MAX;
    return find_alloc(m, fuzz_rng_below(&c->rng, (uint32_t)m->nrec), 0, m->nrec, ev);
}

/* A header type for a new Alloc: the trace's width, now and then a WOW64 (32-bit) one. */
static uint8_t header_type_for(etl_ctx *c, const etl_model *m)
{
    static const uint8_t t32[] = {HEAPEV_HEADER_TYPE_SYSTEM32, HEAPEV_HEADER_TYPE_COMPACT32,
                                  HEAPEV_HEADER_TYPE_PERFINFO32};
    static const uint8_t t64[] = {HEAPEV_HEADER_TYPE_SYSTEM64, HEAPEV_HEADER_TYPE_COMPACT64,
                                  HEAPEV_HEADER_TYPE_PERFINFO64};
    int narrow = m->width == 4 ? fuzz_rng_below(&c->rng, 16) != 0 : fuzz_rng_below(&c->rng, 4) == 0;
    return narrow ? FUZZ_PICK(&c->rng, t32) : FUZZ_PICK(&c->rng, t64);
}

/* Encode @p ev (Size made exact, fields cut to its width) and put it in place of record @p i. */
static int replace_with_event(etl_model *m, size_t i, heapev_event *ev)
{
    uint8_t out[HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64];
    unsigned w = heapev_header_type_width(ev->header.header_type);
    if (w == 4) {
        ev->heap_handle = (uint32_t)ev->heap_handle;
        ev->size = (uint32_t)ev->size;
        ev->address = (uint32_t)ev->address;
    }
    ev->pointer_width = (uint8_t)w;
    ev->header.size = (uint16_t)heapev_record_size(ev);
    size_t n = heapev_encode_record(ev, out, sizeof out);
    uint32_t at = n != 0 ? pool_add(m, out, n) : UINT32_MAX;
    if (at == UINT32_MAX)
        return -1;
    m->rec[i].at = at;
    m->rec[i].len = (uint32_t)n;
    return 0;
}

/* A new Alloc event near record @p near (its thread, process and time, a little later). */
static void fresh_event(etl_ctx *c, etl_model *m, size_t near, heapev_event *ev)
{
    heapev_event nb;
    fuzz_random_event(&c->rng, ev, header_type_for(c, m));
    if (near < m->nrec && alloc_event(m, near, &nb) && fuzz_rng_below(&c->rng, 4) != 0) {
        ev->header.thread_id = nb.header.thread_id;
        ev->header.process_id = nb.header.process_id;
        ev->header.system_time = time_plus(nb.header.system_time, fuzz_rng_below(&c->rng, 5000));
    }
    if (heapev_header_type_size(ev->header.header_type) == HEAPEV_HEADER_SIZE_PERFINFO)
        ev->header.thread_id = ev->header.process_id = 0;
}

/* A data buffer to put records in: a random one, or a new first one in an empty trace. */
static int some_buffer(etl_ctx *c, etl_model *m, size_t *b)
{
    if (m->nbuf == 0) {
        etl_buffer *nb = &m->buf[0];
        memset(nb, 0, sizeof *nb);
        heapev_write_le16(nb->header + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG,
                          HEAPEV_ETL_BUFFER_FLAG_PROCESSOR_INDEX);
        nb->compressed = (uint8_t)m->chained;
        m->nbuf = 1;
    }
    *b = fuzz_rng_below(&c->rng, (uint32_t)m->nbuf);
    return 0;
}

/* A random place among buffer @p b's records. */
static size_t place_in(etl_ctx *c, const etl_model *m, size_t b)
{
    size_t lo = first_of(m, b), hi = end_of(m, b);
    return lo + fuzz_rng_below(&c->rng, (uint32_t)(hi - lo + 1));
}

/* ---- record operators -------------------------------------------------------------------- */

/* One header or payload field of one record (fuzz_mutate_record_field). */
static int op_field(etl_ctx *c, etl_model *m)
{
    heapev_event ev;
    if (m->nrec == 0)
        return -1;
    size_t i = random_alloc(c, m, &ev);
    if (i == SIZE_MAX || fuzz_rng_below(&c->rng, 4) == 0)
        i = fuzz_rng_below(&c->rng, (uint32_t)m->nrec);
    fuzz_mutate_record_field(&c->rng, rec_bytes(m, i), m->rec[i].len);
    return 0;
}

/* A new record: a model Alloc, a catalogue item or a noise record (another heap event). */
static int op_insert(etl_ctx *c, etl_model *m)
{
    uint8_t bytes[HEAPEV_GEN_MAX_BYTES + HEAPEV_GEN_NOISE_MAX];
    size_t b, n = 0;
    some_buffer(c, m, &b);
    size_t at = place_in(c, m, b);
    unsigned what = fuzz_rng_below(&c->rng, 8);
    if (what < 4) {
        heapev_event ev;
        fresh_event(c, m, at > 0 ? at - 1 : at, &ev);
        n = heapev_encode_record(&ev, bytes, sizeof bytes);
    } else if (what < 6) {
        n = fuzz_catalogue_item(&c->rng, HEAPEV_GEN_FORMAT_RECORD, bytes, sizeof bytes);
    } else {
        n = heapev_gen_noise_record(&c->rng, m->width, (int64_t)fuzz_rng_next(&c->rng) >> 20, bytes);
    }
    return insert_record(m, at, (uint32_t)b, bytes, n);
}

static int op_delete(etl_ctx *c, etl_model *m)
{
    if (m->nrec == 0)
        return -1;
    delete_record(m, fuzz_rng_below(&c->rng, (uint32_t)m->nrec));
    return 0;
}

/* A record again: right after itself, or anywhere in any buffer. */
static int op_duplicate(etl_ctx *c, etl_model *m)
{
    uint8_t tmp[MAX_REC_LEN];
    if (m->nrec == 0)
        return -1;
    size_t i = fuzz_rng_below(&c->rng, (uint32_t)m->nrec), b = m->rec[i].buffer, at = i + 1;
    size_t len = m->rec[i].len;
    memcpy(tmp, rec_bytes(m, i), len);
    if (fuzz_rng_below(&c->rng, 2)) {
        some_buffer(c, m, &b);
        at = place_in(c, m, b);
    }
    return insert_record(m, at, (uint32_t)b, tmp, len);
}

/* Two records trade places (often across buffers). */
static int op_swap(etl_ctx *c, etl_model *m)
{
    if (m->nrec < 2)
        return -1;
    size_t i = fuzz_rng_below(&c->rng, (uint32_t)m->nrec);
    size_t k = fuzz_rng_below(&c->rng, (uint32_t)m->nrec);
    uint32_t at = m->rec[i].at, len = m->rec[i].len;
    m->rec[i].at = m->rec[k].at, m->rec[i].len = m->rec[k].len;
    m->rec[k].at = at, m->rec[k].len = len;
    return 0;
}

/* Another header type for one record, fields kept (fuzz_relayout_record). */
static int op_relayout(etl_ctx *c, etl_model *m)
{
    uint8_t out[HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64];
    heapev_event ev;
    size_t i = random_alloc(c, m, &ev);
    if (i == SIZE_MAX)
        return -1;
    size_t n = fuzz_relayout_record(&c->rng, rec_bytes(m, i), m->rec[i].len, out);
    uint32_t at = n != 0 ? pool_add(m, out, n) : UINT32_MAX;
    if (at == UINT32_MAX)
        return -1;
    m->rec[i].at = at, m->rec[i].len = (uint32_t)n;
    return 0;
}

/* Byte noise inside one record's bytes (decompressed ones too: the writer recompresses). */
static int op_record_bytes(etl_ctx *c, etl_model *m)
{
    uint8_t tmp[MAX_REC_LEN + 16];
    if (m->nrec == 0)
        return -1;
    size_t i = fuzz_rng_below(&c->rng, (uint32_t)m->nrec), len = m->rec[i].len;
    heapev_event ev;
    size_t a = random_alloc(c, m, &ev);
    if (a != SIZE_MAX && fuzz_rng_below(&c->rng, 2))
        i = a, len = m->rec[i].len;
    if (len > MAX_REC_LEN - 16)
        return -1;
    memcpy(tmp, rec_bytes(m, i), len);
    size_t n = fuzz_byte_mutate(tmp, len, len + 16);
    uint32_t at = n != 0 ? pool_add(m, tmp, n) : UINT32_MAX;
    if (at == UINT32_MAX)
        return -1;
    m->rec[i].at = at, m->rec[i].len = (uint32_t)n;
    return 0;
}

/* ---- sequence operators: a relation between two Alloc records ---------------------------- */

enum relation {
    REL_SAME_ADDRESS,  /* the same Address allocated again (while the first is live) */
    REL_TIME_BACK,     /* the same thread, time going backwards */
    REL_ADJACENT,      /* the next block starts exactly where the earlier one ends */
    REL_WOW64_AFTER,   /* a 32-bit Alloc (exact Size) after a 64-bit one of the same process */
    REL_SAME_HEAP,     /* the same heap, thread and process, time going on */
    REL_COUNT
};

/* A SYSTEM or COMPACT header type of width @p w (one with a thread and a process). */
static uint8_t threaded_type(etl_ctx *c, unsigned w)
{
    int compact = (int)fuzz_rng_below(&c->rng, 2);
    if (w == 4)
        return compact ? HEAPEV_HEADER_TYPE_COMPACT32 : HEAPEV_HEADER_TYPE_SYSTEM32;
    return compact ? HEAPEV_HEADER_TYPE_COMPACT64 : HEAPEV_HEADER_TYPE_SYSTEM64;
}

/* Make @p b stand in relation @p rel to @p a (an earlier Alloc). */
HEAPEV_WRAPS static void relate(etl_ctx *c, enum relation rel, heapev_event *a, heapev_event *b)
{
    static const int64_t back[] = {1, 2, 10, 1000, 100000};
    unsigned wb = heapev_header_type_width(b->header.header_type);
    if (rel != REL_SAME_ADDRESS || fuzz_rng_below(&c->rng, 2))
        b->header.process_id = a->header.process_id;
    switch (rel) {
    case REL_SAME_ADDRESS:
        b->address = a->address;
        if (fuzz_rng_below(&c->rng, 2))
            b->heap_handle = a->heap_handle;
        break;
    case REL_TIME_BACK:
        if (heapev_header_type_size(b->header.header_type) == HEAPEV_HEADER_SIZE_PERFINFO)
            b->header.header_type = threaded_type(c, wb);
        b->header.thread_id = a->header.thread_id;
        b->header.system_time = time_plus(a->header.system_time, -FUZZ_PICK(&c->rng, back));
        break;
    case REL_ADJACENT:
        b->heap_handle = a->heap_handle;
        b->address = a->address + a->size;
        break;
    case REL_WOW64_AFTER:
        b->header.header_type = threaded_type(c, 4);
        if (heapev_header_type_width(a->header.header_type) == 4) /* A becomes the 64-bit one */
            a->header.header_type = threaded_type(c, 8);
        break;
    default:
        b->heap_handle = a->heap_handle;
        b->header.thread_id = a->header.thread_id;
        b->header.system_time = time_plus(a->header.system_time, fuzz_rng_below(&c->rng, 1000));
        break;
    }
}

/* Two Alloc records A before B (B made when there is none after A), related. */
static int op_relation(etl_ctx *c, etl_model *m)
{
    heapev_event a, b;
    size_t ia = random_alloc(c, m, &a);
    if (ia == SIZE_MAX)
        return -1;
    size_t ib = ia + 1 < m->nrec
                    ? find_alloc(m, ia + 1 + fuzz_rng_below(&c->rng, (uint32_t)(m->nrec - ia - 1)),
                                 ia + 1, m->nrec, &b)
                    : SIZE_MAX;
    if (ib == SIZE_MAX || fuzz_rng_below(&c->rng, 4) == 0) { /* a fresh one right after A */
        ib = ia + 1;
        fresh_event(c, m, ia, &b);
        uint8_t tmp[HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64];
        size_t n = heapev_encode_record(&b, tmp, sizeof tmp);
        if (insert_record(m, ib, m->rec[ia].buffer, tmp, n) != 0)
            return -1;
    }
    uint8_t type_a = a.header.header_type;
    relate(c, (enum relation)fuzz_rng_below(&c->rng, REL_COUNT), &a, &b);
    if (a.header.header_type != type_a && replace_with_event(m, ia, &a) != 0)
        return -1;
    return replace_with_event(m, ib, &b);
}

/* ---- container operators ------------------------------------------------------------------- */

/* One container class of the catalogue that applies to this trace, for the writer to apply. */
static int op_container(etl_ctx *c, etl_model *m, etl_plan *p)
{
    size_t fits[64], n = 0;
    unsigned kind = m->chained ? HEAPEV_GEN_ETL_COMPRESSED : HEAPEV_GEN_ETL_PLAIN;
    for (size_t i = 0; i < heapev_gen_class_count() && n < 64; i++) {
        const heapev_gen_class *k = heapev_gen_class_get(i);
        if (k->stage == HEAPEV_GEN_STAGE_CONTAINER && (k->traces & kind) &&
            (k->widths & HEAPEV_GEN_WIDTH_BIT(m->width)))
            fits[n++] = i;
    }
    if (n == 0)
        return -1;
    p->damage = fits[fuzz_rng_below(&c->rng, (uint32_t)n)];
    return 0;
}

/* A data buffer (compressed, when @p compressed) that is not opaque; SIZE_MAX if none. */
static size_t pick_buffer(etl_ctx *c, const etl_model *m, int compressed)
{
    if (m->nbuf == 0)
        return SIZE_MAX;
    size_t from = fuzz_rng_below(&c->rng, (uint32_t)m->nbuf);
    for (size_t k = 0; k < m->nbuf; k++) {
        size_t b = (from + k) % m->nbuf;
        if (!m->buf[b].opaque && (!compressed || (m->chained && m->buf[b].compressed)))
            return b;
    }
    return SIZE_MAX;
}

/* A record of buffer @p b (after an unaligned one, for the misaligned class); SIZE_MAX if none. */
static size_t pick_record(etl_ctx *c, const etl_model *m, size_t b, int after_unaligned)
{
    size_t lo = first_of(m, b), hi = end_of(m, b);
    if (hi == lo)
        return SIZE_MAX;
    size_t from = fuzz_rng_below(&c->rng, (uint32_t)(hi - lo));
    for (size_t k = 0; k < hi - lo; k++) {
        size_t i = lo + (from + k) % (hi - lo);
        if (!after_unaligned || (i > lo && m->rec[i - 1].len % HEAPEV_ETL_RECORD_ALIGN != 0))
            return i;
    }
    return SIZE_MAX;
}

/*
 * Where the plan's container class goes, once the buffers are final; none if
 * nowhere. Classes of compressed traces only need a compressed buffer; the
 * misaligned class a record after one of unaligned length.
 */
static void resolve_damage(etl_ctx *c, const etl_model *m, etl_plan *p)
{
    if (p->damage == NO_DAMAGE)
        return;
    const heapev_gen_class *k = heapev_gen_class_get(p->damage);
    int stream = m->chained && k->traces == HEAPEV_GEN_ETL_COMPRESSED;
    size_t b = SIZE_MAX;
    switch (heapev_gen_etl_class_part(p->damage)) {
    case HEAPEV_GEN_ETL_PART_HEADER_BUFFER:
        return;
    case HEAPEV_GEN_ETL_PART_RECORD:
        b = pick_buffer(c, m, 0);
        p->damage_rec = b == SIZE_MAX ? SIZE_MAX
                        : pick_record(c, m, b, k->findings == HEAPEV_FINDING(ETL_RECORD_MISALIGNED));
        if (p->damage_rec == SIZE_MAX)
            b = SIZE_MAX;
        break;
    case HEAPEV_GEN_ETL_PART_FILE_END: /* the last buffer; a record in it for a cut inside one */
        b = m->nbuf > 0 && !m->buf[m->nbuf - 1].opaque ? m->nbuf - 1 : SIZE_MAX;
        if (b != SIZE_MAX && stream && !m->buf[b].compressed)
            b = SIZE_MAX;
        p->damage_rec = b != SIZE_MAX ? pick_record(c, m, b, 0) : SIZE_MAX;
        if (p->damage_rec == SIZE_MAX)
            p->damage_rec = NO_DAMAGE;
        break;
    default: /* BUFFER_HEADER, STREAM */
        b = pick_buffer(c, m, stream || heapev_gen_etl_class_part(p->damage) == HEAPEV_GEN_ETL_PART_STREAM);
        break;
    }
    p->damage_buf = b;
    if (b == SIZE_MAX)
        p->damage = NO_DAMAGE, p->damage_rec = NO_DAMAGE;
}

/* ---- header fields ------------------------------------------------------------------------- */

/* A logfile header field other than the layout ones the writer keeps consistent. */
static int op_logfile(etl_ctx *c, etl_model *m)
{
    static const uint32_t u32s[] = {0, 1, 2, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu};
    size_t lf = logfile_payload(m);
    if (lf == 0)
        return -1;
    uint8_t *q = m->pool + m->b0_at + lf;
    size_t n = m->b0_len - lf;
    unsigned w = m->width;
    uint64_t v = fuzz_rng_below(&c->rng, 2) ? FUZZ_PICK(&c->rng, u32s) : fuzz_rng_next(&c->rng);
    switch (fuzz_rng_below(&c->rng, 10)) {
    case 0: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_CPU_SPEED, 4, v); break;
    case 1: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_PROCESSORS, 4, v); break;
    case 2: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_TIMER_RESOLUTION, 4, v); break;
    case 3: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_PERF_FREQ(w), 8, v); break;
    case 4: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_START_TIME(w), 8, v); break;
    case 5: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_END_TIME, 8, v); break;
    case 6: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_BOOT_TIME(w), 8, v); break;
    case 7: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_VERSION + 4u * fuzz_rng_below(&c->rng, 2), 4, v); break;
    case 8: fuzz_put(q, n, HEAPEV_LOGFILE_OFF_POINTER_SIZE, 4, fuzz_rng_below(&c->rng, 2) ? 4u : 8u); break;
    default: /* a character of the names, or a NUL */
        if (n > HEAPEV_LOGFILE_FIXED_SIZE(w))
            q[HEAPEV_LOGFILE_FIXED_SIZE(w) + fuzz_rng_below(&c->rng, (uint32_t)(n - HEAPEV_LOGFILE_FIXED_SIZE(w)))] =
                (uint8_t)(fuzz_rng_below(&c->rng, 2) ? 0 : v);
        break;
    }
    return 0;
}

/* A data buffer header field the writer does not set (TimeStamp, sequence, clock, CPU...). */
static int op_buffer_field(etl_ctx *c, etl_model *m)
{
    size_t b = pick_buffer(c, m, 0);
    if (b == SIZE_MAX)
        return -1;
    uint8_t *h = m->buf[b].header;
    uint64_t v = fuzz_rng_below(&c->rng, 2) ? 0 : fuzz_rng_next(&c->rng);
    switch (fuzz_rng_below(&c->rng, 6)) {
    case 0: fuzz_put(h, HDR, HEAPEV_ETL_BUF_OFF_TIMESTAMP, 8, v); break;
    case 1: fuzz_put(h, HDR, HEAPEV_ETL_BUF_OFF_SEQUENCE, 8, v); break;
    case 2: fuzz_put(h, HDR, HEAPEV_ETL_BUF_OFF_CLOCK, 8, v); break;
    case 3: fuzz_put(h, HDR, HEAPEV_ETL_BUF_OFF_PROCESSOR + 2u * fuzz_rng_below(&c->rng, 2), 2, v); break;
    case 4: fuzz_put(h, HDR, HEAPEV_ETL_BUF_OFF_BUFFER_TYPE, 2, v % 8); break;
    default: /* BufferFlag bits other than compressed (the writer sets that one) */
        fuzz_put(h, HDR, HEAPEV_ETL_BUF_OFF_BUFFER_FLAG, 2, v & ~(uint64_t)HEAPEV_ETL_BUFFER_FLAG_COMPRESSED);
        break;
    }
    return 0;
}

/* ---- compression and buffers ------------------------------------------------------------------ */

/* A fixed-size trace becomes a compressed one: LogFileMode, a short buffer 0, records compressed. */
static int to_chained(etl_ctx *c, etl_model *m)
{
    size_t lf = logfile_payload(m);
    uint8_t *b0 = m->pool + m->b0_at;
    uint32_t used = rd32(b0, HEAPEV_ETL_BUF_OFF_OFFSET), len = 512;
    if (lf == 0 || used < HDR || used > m->b0_len)
        return -1;
    while (len < used)
        len <<= 1;
    uint32_t mode = rd32(b0 + lf, HEAPEV_LOGFILE_OFF_LOG_FILE_MODE);
    heapev_write_le32(b0 + lf + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE, mode | HEAPEV_LOGFILE_MODE_COMPRESSED);
    m->b0_len = len < m->b0_len ? len : m->b0_len;
    m->chained = 1;
    for (size_t b = 0; b < m->nbuf; b++)
        m->buf[b].compressed = fuzz_rng_below(&c->rng, 8) != 0;
    return 0;
}

/* A compressed trace becomes a fixed-size one: buffer 0 padded to the stride, records plain. */
static int to_plain(etl_model *m)
{
    size_t lf = logfile_payload(m);
    if (lf == 0 || m->stride % HEAPEV_ETL_RECORD_ALIGN != 0 || m->stride < m->b0_len)
        return -1;
    for (size_t b = 0; b < m->nbuf; b++)
        if (m->buf[b].opaque)
            return -1;
    uint8_t *q = m->pool + m->b0_at + lf;
    uint32_t mode = rd32(q, HEAPEV_LOGFILE_OFF_LOG_FILE_MODE);
    heapev_write_le32(q + HEAPEV_LOGFILE_OFF_LOG_FILE_MODE, mode & ~HEAPEV_LOGFILE_MODE_COMPRESSED);
    m->chained = 0;
    return 0;
}

/* One buffer's records compressed or not; now and then the whole trace. */
static int op_compression(etl_ctx *c, etl_model *m)
{
    if (!m->chained)
        return to_chained(c, m);
    if (fuzz_rng_below(&c->rng, 4) == 0)
        return to_plain(m);
    size_t b = pick_buffer(c, m, 0);
    if (b == SIZE_MAX)
        return -1;
    m->buf[b].compressed = !m->buf[b].compressed;
    return 0;
}

/* Buffer @p b again right after it, its records too (more buffers, BuffersWritten follows). */
static int duplicate_buffer(etl_model *m, size_t b)
{
    size_t lo = first_of(m, b), hi = end_of(m, b);
    if (open_after(m, b) != 0)
        return -1;
    for (size_t i = lo, at = hi; i < hi; i++, at++)
        if (insert_record(m, at, (uint32_t)b + 1, m->pool + m->rec[i].at, m->rec[i].len) != 0)
            return -1;
    return 0;
}

/* Split a buffer at a record, duplicate one, merge two neighbours, or drop one with its records. */
static int op_buffers(etl_ctx *c, etl_model *m)
{
    size_t b = pick_buffer(c, m, 0);
    if (b == SIZE_MAX)
        return -1;
    switch (fuzz_rng_below(&c->rng, 5)) {
    case 0: { /* split: the records from a random one on go to a new buffer */
        size_t lo = first_of(m, b), hi = end_of(m, b);
        if (hi - lo < 2 || open_after(m, b) != 0)
            return -1;
        for (size_t i = lo + 1 + fuzz_rng_below(&c->rng, (uint32_t)(hi - lo - 1)); i < hi; i++)
            m->rec[i].buffer = (uint32_t)b + 1;
        return 0;
    }
    case 1:
    case 2:
        return duplicate_buffer(m, b);
    case 3: /* merge with the next one (the writer splits what does not fit) */
        if (b + 1 >= m->nbuf || m->buf[b + 1].opaque)
            return -1;
        remove_buffer(m, b + 1, b);
        return 0;
    default:
        remove_buffer(m, b, SIZE_MAX);
        return 0;
    }
}

/* Many fresh Alloc events (and some noise) after the last record: more buffers, as the generator writes. */
static int op_grow(etl_ctx *c, etl_model *m)
{
    uint8_t bytes[HEAPEV_GEN_NOISE_MAX + HEAPEV_HEADER_SIZE_SYSTEM + HEAPEV_PAYLOAD_SIZE_64];
    size_t b;
    some_buffer(c, m, &b);
    b = m->nbuf - 1;
    for (unsigned k = 0, n = 4 + fuzz_rng_below(&c->rng, 61); k < n; k++) {
        size_t len;
        if (fuzz_rng_below(&c->rng, 4) == 0) {
            len = heapev_gen_noise_record(&c->rng, m->width, (int64_t)(fuzz_rng_next(&c->rng) >> 20), bytes);
        } else {
            heapev_event ev;
            fresh_event(c, m, m->nrec > 0 ? m->nrec - 1 : 0, &ev);
            len = heapev_encode_record(&ev, bytes, sizeof bytes);
        }
        if (insert_record(m, m->nrec, (uint32_t)b, bytes, len) != 0)
            return -1;
    }
    return 0;
}

/* ---- the mutator ------------------------------------------------------------------------------ */

/* A fresh trace from the generator (1 KiB buffers, maybe compressed), in out; 0 if none fits. */
static size_t fresh_trace(etl_ctx *c, uint8_t *out, size_t cap)
{
    heapev_gen_etl_options o = {.seed = fuzz_rng_next(&c->rng), .buffer_size = GEN_BUFFER,
                                .container = -1, .noise = 0.25};
    o.width = fuzz_rng_below(&c->rng, 4) ? 8u : 4u;
    o.count = fuzz_rng_below(&c->rng, 24);
    o.compress = fuzz_rng_below(&c->rng, 3) == 0;
    o.wow64 = o.width == 8 ? 0.2 : 0.0;
    o.malformed = fuzz_rng_below(&c->rng, 2) ? 0.0 : 0.3;
    for (unsigned tries = 0; tries < 2; tries++, o.count = 0) {
        heapev_gen_etl_image s = {out, cap, 0};
        if (heapev_gen_etl_write(&o, c->gen_mem, sizeof c->gen_mem, heapev_gen_etl_image_sink, &s,
                                 NULL, NULL, NULL) == 0)
            return s.len;
    }
    return 0;
}

/* One operator on the model, by weight; the container ones fill in the plan. */
static int apply_op(etl_ctx *c, etl_model *m, etl_plan *p)
{
    unsigned x = fuzz_rng_below(&c->rng, 32);
    if (x < 8)
        return op_field(c, m);
    if (x < 12)
        return op_relation(c, m);
    if (x < 15)
        return op_insert(c, m);
    if (x < 17)
        return op_record_bytes(c, m);
    if (x < 18)
        return op_delete(c, m);
    if (x < 19)
        return op_duplicate(c, m);
    if (x < 20)
        return op_swap(c, m);
    if (x < 21)
        return op_relayout(c, m);
    if (x < 23)
        return op_logfile(c, m);
    if (x < 24)
        return op_buffer_field(c, m);
    if (x < 26)
        return op_compression(c, m);
    if (x < 27)
        return op_buffers(c, m);
    if (x < 28)
        return op_grow(c, m);
    if (x < 30)
        return op_container(c, m, p);
    if (x < 31) {
        p->noise_buf = m->nbuf > 0 ? 1 + (int)fuzz_rng_below(&c->rng, (uint32_t)m->nbuf) : 0;
        return 0;
    }
    return 0; /* re-encode only: the container made consistent */
}

/* The model written to @p out (at most @p cap bytes) and copied to @p data; 0 when it does not fit. */
static size_t finish(etl_ctx *c, etl_model *m, etl_plan *p, uint8_t *data, size_t max_size)
{
    rebalance(m);
    resolve_damage(c, m, p);
    size_t n = write_model(c, m, p, c->out, max_size < sizeof c->out ? max_size : sizeof c->out);
    if (n != 0)
        memcpy(data, c->out, n);
    return n;
}

static size_t mutate(etl_ctx *c, uint8_t *data, size_t size, size_t max_size)
{
    etl_model *m = &c->m[0];
    if (size > 0 && fuzz_rng_below(&c->rng, 16) == 0) /* plain byte noise on the file */
        return fuzz_byte_mutate(data, size, max_size);
    if (parse(c, m, data, size) != 0 || fuzz_rng_below(&c->rng, 256) == 0) {
        size_t n = fresh_trace(c, c->out, max_size < sizeof c->out ? max_size : sizeof c->out);
        if (n != 0)
            memcpy(data, c->out, n);
        return n != 0 ? n : fuzz_byte_mutate(data, size, max_size);
    }
    etl_plan p = {NO_DAMAGE, 0, NO_DAMAGE, 0};
    for (unsigned i = 0, rounds = 1 + fuzz_rng_below(&c->rng, 3); i < rounds; i++)
        (void)apply_op(c, m, &p);
    size_t n = finish(c, m, &p, data, max_size);
    return n != 0 ? n : fuzz_byte_mutate(data, size, max_size);
}

/* ---- cross-over ---------------------------------------------------------------------------------- */

/* Data buffers [from, to) of @p src (with their records) appended to @p dst. */
static void append_buffers(etl_model *dst, etl_model *src, size_t from, size_t to)
{
    for (size_t b = from; b < to && dst->nbuf < MAX_BUFFERS; b++) {
        etl_buffer nb = src->buf[b];
        if (nb.opaque && (!dst->chained || (nb.at = pool_add(dst, src->pool + src->buf[b].at,
                                                             nb.len)) == UINT32_MAX))
            continue;
        nb.compressed = (uint8_t)(dst->chained && (nb.compressed || !src->chained));
        dst->buf[dst->nbuf++] = nb;
        for (size_t i = first_of(src, b); i < src->nrec && src->rec[i].buffer == b; i++)
            (void)insert_record(dst, dst->nrec, (uint32_t)(dst->nbuf - 1),
                                src->pool + src->rec[i].at, src->rec[i].len);
    }
}

/* Records [lo, hi) of @p src inserted into a buffer of @p dst. */
static void insert_records(etl_ctx *c, etl_model *dst, etl_model *src, size_t lo, size_t hi)
{
    size_t b;
    some_buffer(c, dst, &b);
    size_t at = place_in(c, dst, b);
    for (size_t i = lo; i < hi; i++, at++)
        if (insert_record(dst, at, (uint32_t)b, src->pool + src->rec[i].at, src->rec[i].len) != 0)
            break;
}

/* Bytes: a head of the first input, a tail of the second. */
static size_t byte_crossover(etl_ctx *c, const uint8_t *d1, size_t s1, const uint8_t *d2,
                             size_t s2, uint8_t *out, size_t max)
{
    size_t cut1 = s1 ? fuzz_rng_below(&c->rng, (uint32_t)s1 + 1) : 0;
    size_t cut2 = s2 ? fuzz_rng_below(&c->rng, (uint32_t)s2 + 1) : 0;
    size_t len = cut1 ? fuzz_splice(out, 0, max, 0, 0, d1, cut1) : 0;
    return s2 > cut2 ? fuzz_splice(out, len, max, len, 0, d2 + cut2, s2 - cut2) : len;
}

static size_t crossover(etl_ctx *c, const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
                        uint8_t *out, size_t max)
{
    etl_model *a = &c->m[0], *b = &c->m[1];
    if (parse(c, a, d1, s1) != 0 || parse(c, b, d2, s2) != 0)
        return byte_crossover(c, d1, s1, d2, s2, out, max);
    if (fuzz_rng_below(&c->rng, 2) && b->nrec > 0) { /* a run of B's records into A */
        size_t lo = fuzz_rng_below(&c->rng, (uint32_t)b->nrec);
        insert_records(c, a, b, lo, lo + 1 + fuzz_rng_below(&c->rng, (uint32_t)(b->nrec - lo)));
    } else { /* A's buffers up to one, then B's from one */
        size_t keep = a->nbuf ? fuzz_rng_below(&c->rng, (uint32_t)a->nbuf + 1) : 0;
        size_t from = b->nbuf ? fuzz_rng_below(&c->rng, (uint32_t)b->nbuf) : 0;
        while (a->nbuf > keep)
            remove_buffer(a, a->nbuf - 1, SIZE_MAX);
        append_buffers(a, b, from, b->nbuf);
    }
    etl_plan p = {NO_DAMAGE, 0, NO_DAMAGE, 0};
    size_t n = finish(c, a, &p, out, max);
    return n != 0 ? n : byte_crossover(c, d1, s1, d2, s2, out, max);
}

/* ---- libFuzzer's entry points ------------------------------------------------------------------- */

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned seed)
{
    etl_ctx *c = &the_ctx;
    if (max_size == 0)
        return 0;
    heapev_rng_seed(&c->rng, seed);
    size_t len = size < max_size ? size : max_size;
    fuzz_msan_unpoison(data, len);
    len = mutate(c, data, len, max_size);
    FUZZ_ASSERT(len <= max_size);
    return len;
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned seed)
{
    etl_ctx *c = &the_ctx;
    heapev_rng_seed(&c->rng, (uint64_t)seed ^ 0x63726f7373ull);
    fuzz_msan_unpoison(data1, size1);
    fuzz_msan_unpoison(data2, size2);
    size_t len = crossover(c, data1, size1, data2, size2, out, max_out_size);
    FUZZ_ASSERT(len <= max_out_size);
    return len;
}
