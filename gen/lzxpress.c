/*
 * lzxpress.c - plain LZ77 LZXpress compressor ([MS-XCA] 2.3).
 *
 * Greedy: at each position the hash of the next three bytes names one
 * candidate (the last position with that hash); if it lies within the
 * 8192-byte window and its bytes really match, the longest match there is
 * taken, otherwise one literal. Every position, inside matches too, enters
 * the table. Positions are stored as uint32_t and distances computed modulo
 * 2^32; a candidate is only used after its bytes are compared, so a stale or
 * truncated entry can cost a match but never corrupt the output.
 *
 * Encoding of a match of length L at distance D (v = L - 3), as [MS-XCA]
 * 2.3 writes it and 2.4 reads it:
 *   v < 7:            16-bit word ((D - 1) << 3) | v
 *   else              16-bit word ((D - 1) << 3) | 7, then with w = v - 7:
 *     half byte       min(w, 15): the low half of a new byte, or the high
 *                     half of the byte the previous such match left half-used;
 *     w >= 15         a byte w - 15 when below 255, else the byte 255 and the
 *                     16-bit word v (v <= 32768 here: HEAPEV_LZXPRESS_MAX_MATCH).
 * All multi-byte fields are stored little-endian byte by byte (le.h), so the
 * bytes do not depend on the host.
 */
#include "heapev/lzxpress.h"

#include <string.h>

#include "heapev/le.h"
#include "heapev/wraps.h"

/* The output stream being written. Invariant: pos <= cap. */
typedef struct lzx_out {
    uint8_t *buf;
    size_t cap;
    size_t pos;        /* next byte to write */
    size_t flag_pos;   /* where the current flag word goes (reserved) */
    size_t nibble_pos; /* byte whose high half is free; 0 = none (0 is a flag word) */
    uint32_t flags;    /* flag bits of the current word so far, newest lowest */
    unsigned nflags;   /* how many (0..31) */
} lzx_out;

/* Multiplicative hash of three bytes (Knuth's constant), fixed 32-bit math. */
HEAPEV_WRAPS static uint32_t hash3(const uint8_t *p)
{
    uint32_t x = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
    return (uint32_t)(x * UINT32_C(2654435761)) >> (32u - HEAPEV_LZXPRESS_HASH_LOG);
}

static int room(const lzx_out *o, size_t k)
{
    return k <= o->cap - o->pos;
}

/* Append a flag bit; a full word is stored and the next one reserved. */
static int push_flag(lzx_out *o, uint32_t bit)
{
    o->flags = (o->flags << 1) | bit;
    if (++o->nflags < 32u)
        return 1;
    heapev_write_le32(o->buf + o->flag_pos, o->flags);
    o->flags = 0;
    o->nflags = 0;
    if (!room(o, 4))
        return 0;
    o->flag_pos = o->pos;
    o->pos += 4;
    return 1;
}

/*
 * The last flag word: the pending bits moved to the top, the rest set to 1.
 * A decoder then meets a match flag with no input left, which [MS-XCA] 2.4
 * defines as the end; a 0 would ask it for a literal past the end. With no
 * bits pending (32 tokens just filled a word) the reserved word is all ones:
 * the 2.4 decoder reads a new flag word after the 32nd token and needs it.
 */
static uint32_t final_flags(uint32_t flags, unsigned nflags)
{
    if (nflags == 0)
        return UINT32_C(0xFFFFFFFF);
    return (flags << (32u - nflags)) | ((UINT32_C(1) << (32u - nflags)) - 1u);
}

static int put_literal(lzx_out *o, uint8_t b)
{
    if (!room(o, 1))
        return 0;
    o->buf[o->pos++] = b;
    return push_flag(o, 0);
}

/* Bytes a match of v = length - 3 takes after its 16-bit word. */
static size_t match_extra(const lzx_out *o, uint32_t v)
{
    if (v < 7u)
        return 0;
    size_t k = o->nibble_pos == 0 ? 1u : 0u;
    v -= 7u;
    if (v < 15u)
        return k;
    return k + (v - 15u < 255u ? 1u : 3u);
}

/* The half-byte length field: a new byte's low half or a pending high half. */
static void put_nibble(lzx_out *o, uint32_t w)
{
    uint8_t h = (uint8_t)(w < 15u ? w : 15u);
    if (o->nibble_pos == 0) {
        o->nibble_pos = o->pos;
        o->buf[o->pos++] = h;
    } else {
        o->buf[o->nibble_pos] = (uint8_t)(o->buf[o->nibble_pos] | (h << 4));
        o->nibble_pos = 0;
    }
}

/* @pre 1 <= dist <= WINDOW, MIN_MATCH <= len <= MAX_MATCH */
static int put_match(lzx_out *o, uint32_t dist, uint32_t len)
{
    uint32_t v = len - 3u;
    if (!room(o, 2u + match_extra(o, v)))
        return 0;
    heapev_write_le16(o->buf + o->pos, (uint16_t)(((dist - 1u) << 3) | (v < 7u ? v : 7u)));
    o->pos += 2;
    if (v >= 7u)
        put_nibble(o, v - 7u);
    if (v >= 22u && v - 22u < 255u) {
        o->buf[o->pos++] = (uint8_t)(v - 22u);
    } else if (v >= 22u) {
        o->buf[o->pos++] = 255u;
        heapev_write_le16(o->buf + o->pos, (uint16_t)v);
        o->pos += 2;
    }
    return push_flag(o, 1);
}

/* Length of the common prefix of a and b, at most max (b may overlap a). */
static size_t common_length(const uint8_t *a, const uint8_t *b, size_t max)
{
    size_t k = 0;
    while (k + 8 <= max && memcmp(a + k, b + k, 8) == 0)
        k += 8;
    while (k < max && a[k] == b[k])
        k++;
    return k;
}

/*
 * The match at @p i, if any: its length (0 when shorter than MIN_MATCH) and
 * distance. Records @p i as the latest position of its hash.
 * @pre i + MIN_MATCH <= n
 */
static size_t find_match(heapev_lzxpress_state *st, const uint8_t *in, size_t n, size_t i,
                         uint32_t *dist)
{
    uint32_t h = hash3(in + i);
    uint32_t d = (uint32_t)i - st->head[h];
    st->head[h] = (uint32_t)i;
    if (d == 0 || d > HEAPEV_LZXPRESS_WINDOW || d > i)
        return 0;
    size_t max = n - i < HEAPEV_LZXPRESS_MAX_MATCH ? n - i : HEAPEV_LZXPRESS_MAX_MATCH;
    size_t len = common_length(in + i - d, in + i, max);
    *dist = d;
    return len >= HEAPEV_LZXPRESS_MIN_MATCH ? len : 0;
}

/* Enter positions [from, to) that have three bytes ahead of them. */
static void insert_range(heapev_lzxpress_state *st, const uint8_t *in, size_t n, size_t from,
                         size_t to)
{
    if (n < HEAPEV_LZXPRESS_MIN_MATCH)
        return;
    size_t end = to < n - 2u ? to : n - 2u;
    for (size_t j = from; j < end; j++)
        st->head[hash3(in + j)] = (uint32_t)j;
}

/* One token at @p *i: a match when one is found, else a literal. */
static int put_token(lzx_out *o, heapev_lzxpress_state *st, const uint8_t *in, size_t n,
                     size_t *i)
{
    uint32_t dist = 0;
    size_t len = n - *i >= HEAPEV_LZXPRESS_MIN_MATCH ? find_match(st, in, n, *i, &dist) : 0;
    if (len == 0)
        return put_literal(o, in[(*i)++]);
    if (!put_match(o, dist, (uint32_t)len))
        return 0;
    insert_range(st, in, n, *i + 1, *i + len);
    *i += len;
    return 1;
}

size_t heapev_lzxpress_compress(heapev_lzxpress_state *st, const uint8_t *in, size_t n,
                                uint8_t *out, size_t cap)
{
    if (st == NULL || (in == NULL && n != 0) || out == NULL || cap < 4)
        return 0;
    /* Not needed for the output: a bucket this call has not written yet can
     * only name bytes that differ from the ones at i (else the same three
     * bytes occurred earlier and were entered). It keeps the scratch
     * defined for tools such as Valgrind and MSan. */
    memset(st->head, 0, sizeof st->head);
    lzx_out o = {.buf = out, .cap = cap, .pos = 4, .flag_pos = 0};
    for (size_t i = 0; i < n;) {
        if (!put_token(&o, st, in, n, &i))
            return 0;
    }
    heapev_write_le32(out + o.flag_pos, final_flags(o.flags, o.nflags));
    return o.pos;
}
