/*
 * test_lzxpress.c - heapev_lzxpress_compress: every output must decompress
 * to the input through libfwnt_lzxpress_decompress (what the reader uses) and
 * through spec_decode below, a strict transcription of the [MS-XCA] 2.4
 * pseudo-code. libfwnt is lenient about the end of the stream (it stops when
 * the input runs out, whatever the flag bits say); spec_decode is not, so it
 * is the one that checks the final flag word. Expected bytes are derived by
 * hand from [MS-XCA] 2.3 in the comments, never taken from the compressor.
 */
#include "cmocka_all.h"

#include <stdlib.h>
#include <string.h>

#include <libfwnt.h>
#include <xxhash.h>

#include "heapev/gen.h"
#include "heapev/lzxpress.h"
#include "testlib.h"

#define BOUND(n) HEAPEV_LZXPRESS_BOUND(n)
#define MAXM HEAPEV_LZXPRESS_MAX_MATCH

/* test_determinism: size and XXH64 of two 64 KiB outputs (see there). */
#define ETW_PIN_SIZE 21809
#define ETW_PIN_XXH64 UINT64_C(0x4896e6f01f8f8b3b)
#define MIX_PIN_SIZE 71639
#define MIX_PIN_XXH64 UINT64_C(0x1fa0fe5c1a59e700)

/* ---------------------------------------------------------------------
 * spec_decode: [MS-XCA] 2.4, with bounds checks and match statistics
 * --------------------------------------------------------------------- */

typedef struct spec_stats {
    size_t matches;
    size_t max_len;    /* longest match */
    size_t max_len_at; /* its distance (the first such match) */
    size_t max_offset; /* farthest distance of any match */
} spec_stats;

typedef struct spec_in {
    const uint8_t *c;
    size_t n, pos;
    size_t half; /* LastLengthHalfByte: 0 = none */
} spec_in;

/* Read a k-byte little-endian value; 0 when fewer than k bytes remain. */
static int take(spec_in *s, size_t k, size_t *v)
{
    if (k > s->n - s->pos)
        return 0;
    *v = 0;
    for (size_t i = 0; i < k; i++)
        *v |= (size_t)s->c[s->pos + i] << (8 * i);
    s->pos += k;
    return 1;
}

/* MatchLength from the low 3 bits of the match word onwards. */
static int spec_length(spec_in *s, size_t low3, size_t *len)
{
    size_t m = low3;
    if (m == 7) {
        if (s->half == 0) {
            if (!take(s, 1, &m))
                return 0;
            m &= 15;
            s->half = s->pos - 1;
        } else {
            m = s->c[s->half] >> 4;
            s->half = 0;
        }
        if (m == 15) {
            if (!take(s, 1, &m))
                return 0;
            if (m == 255) {
                if (!take(s, 2, &m) || (m == 0 && !take(s, 4, &m)) || m < 15 + 7)
                    return 0;
                m -= 15 + 7;
            }
            m += 15;
        }
        m += 7;
    }
    *len = m + 3;
    return 1;
}

static void note_match(spec_stats *st, size_t off, size_t len)
{
    st->matches++;
    if (len > st->max_len) {
        st->max_len = len;
        st->max_len_at = off;
    }
    if (off > st->max_offset)
        st->max_offset = off;
}

/* One match token; the flag bit was 1 and input remains. */
static int spec_match(spec_in *s, uint8_t *out, size_t cap, size_t *op, spec_stats *st)
{
    size_t word, len;
    if (!take(s, 2, &word) || !spec_length(s, word & 7, &len))
        return 0;
    size_t off = (word >> 3) + 1;
    if (off > *op || len > cap - *op)
        return 0;
    for (size_t k = 0; k < len; k++, (*op)++)
        out[*op] = out[*op - off];
    note_match(st, off, len);
    return 1;
}

/* Returns 0 and the decoded size in *out_n, or -1 on malformed input. */
static int spec_decode(const uint8_t *c, size_t n, uint8_t *out, size_t cap, size_t *out_n,
                       spec_stats *st)
{
    spec_in s = {c, n, 0, 0};
    size_t flags = 0, op = 0, b;
    unsigned nflags = 0;
    memset(st, 0, sizeof *st);
    for (;;) {
        if (nflags == 0) {
            if (!take(&s, 4, &flags))
                return -1;
            nflags = 32;
        }
        nflags--;
        if (((flags >> nflags) & 1) == 0) {
            if (!take(&s, 1, &b) || op == cap)
                return -1;
            out[op++] = (uint8_t)b;
        } else if (s.pos == s.n) {
            *out_n = op;
            return 0;
        } else if (!spec_match(&s, out, cap, &op, st)) {
            return -1;
        }
    }
}

/* ---------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

/*
 * Compress @p in into @p c (BOUND(n) bytes), decompress with libfwnt and
 * spec_decode, compare. Returns the compressed size.
 */
static size_t roundtrip(const uint8_t *in, size_t n, uint8_t *c, spec_stats *stats)
{
    heapev_lzxpress_state st;
    size_t cn = heapev_lzxpress_compress(&st, in, n, c, BOUND(n));
    if (cn < 4 || cn > BOUND(n))
        fail_msg("n=%zu: compressed size %zu outside [4, %zu]", n, cn, BOUND(n));
    /* One byte of slack in each capacity: a decoder must stop on its own. */
    uint8_t *d = malloc(n + 2);
    assert_non_null(d);
    size_t dn = n + 1;
    if (libfwnt_lzxpress_decompress(c, cn, d, &dn, NULL) != 1 || dn != n || memcmp(d, in, n))
        fail_msg("n=%zu: libfwnt round trip failed (got %zu bytes)", n, dn);
    memset(d, 0, n + 2);
    spec_stats local;
    if (spec_decode(c, cn, d, n + 1, &dn, stats ? stats : &local) != 0 || dn != n ||
        memcmp(d, in, n))
        fail_msg("n=%zu: [MS-XCA] 2.4 decoder rejects the stream or differs", n);
    free(d);
    return cn;
}

static uint8_t *xmalloc(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

static void fill_random(uint8_t *p, size_t n, uint64_t seed)
{
    heapev_rng r;
    heapev_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)heapev_rng_next(&r);
}

/*
 * ETW-like records of 60 bytes: constant size/type/process/heap fields, a
 * thread from three, a rising timestamp, an event id from three, a random
 * 16-aligned address in 1 MiB, a small size. The tail may cut a record.
 */
static void fill_etw(uint8_t *p, size_t n, uint64_t seed)
{
    static const uint32_t threads[] = {0x1A2C, 0x1B04, 0x2F10};
    static const uint32_t events[] = {0x21, 0x22, 0x24};
    uint8_t rec[60];
    uint64_t time = 0x01D9A0B0C0D0E0F0ull;
    heapev_rng r;
    heapev_rng_seed(&r, seed);
    for (size_t at = 0; at < n; at += sizeof rec) {
        time += heapev_rng_range(&r, 100, 5000);
        t_put(rec, 0xC0020000u | 60u, 4);
        t_put(rec + 4, threads[heapev_rng_bounded(&r, 3)], 4);
        t_put(rec + 8, 0x1234, 4);
        t_put(rec + 12, time, 8);
        t_put(rec + 20, events[heapev_rng_bounded(&r, 3)], 4);
        t_put(rec + 24, 0x0000020A4C910000ull, 8);
        t_put(rec + 32, 0x0000020A4CA00000ull + 16 * heapev_rng_bounded(&r, 65536), 8);
        t_put(rec + 40, heapev_rng_range(&r, 1, 256) * 8, 8);
        t_put(rec + 48, 6, 4);
        t_put(rec + 52, (uint32_t)heapev_rng_bounded(&r, 4), 4);
        t_put(rec + 56, 0, 4);
        memcpy(p + at, rec, n - at < sizeof rec ? n - at : sizeof rec);
    }
}

static void check_bytes(const uint8_t *in, size_t n, const uint8_t *want, size_t wn)
{
    uint8_t c[64];
    assert_true(BOUND(n) <= sizeof c);
    size_t cn = roundtrip(in, n, c, NULL);
    assert_int_equal(cn, wn);
    assert_memory_equal(c, want, wn);
}

/* ---------------------------------------------------------------------
 * Hand-derived streams
 * --------------------------------------------------------------------- */

/*
 * "abcabcabc" (9 bytes). Greedy: 'a' 'b' 'c' have no earlier occurrence:
 * three literals. At 3, "abc" occurred at 0: distance 3, and the match runs
 * (overlapping) to the end: length 6. Match word: MatchOffset = 3 - 1 = 2,
 * MatchLength = 6 - 3 = 3 < 7, so (2 << 3) | 3 = 0x0013 -> 13 00.
 * Flags: 0 0 0 1, four bits; final word (0b0001 << 28) | ((1 << 28) - 1)
 * = 0x1FFFFFFF -> FF FF FF 1F.
 */
static void test_expected_abcabcabc(void **state)
{
    (void)state;
    static const uint8_t want[] = {0xFF, 0xFF, 0xFF, 0x1F, 'a', 'b', 'c', 0x13, 0x00};
    check_bytes((const uint8_t *)"abcabcabc", 9, want, sizeof want);
}

/*
 * The two plain LZ77 examples of [MS-XCA] section 3, re-derived:
 * - "abcdefghijklmnopqrstuvwxyz": 26 literals; final word 0 << 6 | (1 << 6) - 1
 *   = 0x0000003F -> 3F 00 00 00, then the 26 letters.
 * - "abc" x 100 (300 bytes): 'a' 'b' 'c', then distance 3 length 297:
 *   MatchLength 294 >= 7: word (2 << 3) | 7 = 0x17 -> 17 00; 294 - 7 = 287
 *   >= 15: new half byte 15 -> 0F; 287 - 15 = 272 >= 255: byte FF, then the
 *   16-bit 272 + 15 + 7 = 294 = 0x0126 -> 26 01. Flags 0001: FF FF FF 1F.
 */
static void test_expected_spec_examples(void **state)
{
    (void)state;
    const char *alpha = "abcdefghijklmnopqrstuvwxyz";
    uint8_t want[30] = {0x3F, 0x00, 0x00, 0x00};
    memcpy(want + 4, alpha, 26);
    check_bytes((const uint8_t *)alpha, 26, want, sizeof want);

    uint8_t abc[300];
    for (size_t i = 0; i < sizeof abc; i++)
        abc[i] = (uint8_t)("abc"[i % 3]);
    static const uint8_t want2[] = {0xFF, 0xFF, 0xFF, 0x1F, 'a',  'b',  'c',
                                    0x17, 0x00, 0x0F, 0xFF, 0x26, 0x01};
    uint8_t *c = xmalloc(BOUND(sizeof abc));
    assert_int_equal(roundtrip(abc, sizeof abc, c, NULL), sizeof want2);
    assert_memory_equal(c, want2, sizeof want2);
    free(c);
}

/*
 * The shared half byte: "a" x 13 then "b" x 14. Tokens: 'a'; distance 1
 * length 12 (MatchLength 9: word 07 00, 9 - 7 = 2 goes to the low half of a
 * new byte 02); 'b' (no earlier "bbb"); distance 1 length 13 (MatchLength 10:
 * word 07 00, 10 - 7 = 3 goes to the HIGH half of that same byte: 32, no new
 * byte). Flags 0101 -> 0x5FFFFFFF.
 */
static void test_expected_shared_nibble(void **state)
{
    (void)state;
    uint8_t in[27];
    memset(in, 'a', 13);
    memset(in + 13, 'b', 14);
    static const uint8_t want[] = {0xFF, 0xFF, 0xFF, 0x5F, 'a', 0x07,
                                   0x00, 0x32, 'b',  0x07, 0x00};
    check_bytes(in, sizeof in, want, sizeof want);
}

/* ---------------------------------------------------------------------
 * Sizes, flag words
 * --------------------------------------------------------------------- */

/* n == 0: a lone final flag word with no pending bit: all ones. */
static void test_empty(void **state)
{
    (void)state;
    static const uint8_t want[] = {0xFF, 0xFF, 0xFF, 0xFF};
    heapev_lzxpress_state st;
    uint8_t c[8];
    assert_int_equal(heapev_lzxpress_compress(&st, NULL, 0, c, sizeof c), 4);
    assert_memory_equal(c, want, 4);
    assert_int_equal(heapev_lzxpress_compress(&st, NULL, 0, c, 3), 0);
    assert_int_equal(heapev_lzxpress_compress(&st, NULL, 0, NULL, 0), 0);
    check_bytes((const uint8_t *)"", 0, want, sizeof want);
    assert_int_equal(BOUND(0), 4);
}

/*
 * 1..10 bytes. Distinct bytes: n literals, flag word 0xFFFFFFFF >> n (n zero
 * bits then ones), size n + 4. One byte repeated: literals up to 3 bytes;
 * from 4 bytes 'a' then one match of n - 1 <= 9 bytes (a bare match word):
 * 4 + 1 + 2 = 7 bytes.
 */
static void test_small_sizes(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 10; n++) {
        uint8_t in[10], want[14], same[10];
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)(0x30 + i);
        t_put(want, 0xFFFFFFFFu >> n, 4);
        memcpy(want + 4, in, n);
        check_bytes(in, n, want, n + 4);
        memset(same, 0xEE, n);
        uint8_t c[64];
        assert_int_equal(roundtrip(same, n, c, NULL), n <= 3 ? n + 4 : 7);
    }
}

/*
 * Literal-only streams around the 32-flag boundary (bytes 0, 1, 2, ...: no
 * three-byte repeat). 31: one word 0x00000001. 32: word 0, then a whole
 * final word FFFFFFFF (the 2.4 decoder reads a new flag word after the
 * 32nd token and must find a 1 there). 33: word 0, 32 bytes, 0x7FFFFFFF, 1
 * byte. spec_decode must reject the 31 stream with a 0-padded word and the
 * 32 stream without its last word: the reason for the padding.
 */
static void test_flag_boundary_literals(void **state)
{
    (void)state;
    uint8_t in[300], c[400], d[300];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)i;
    static const struct {
        size_t n, word1_at;
        uint32_t word0, word1;
    } cases[] = {{31, 0, 0x00000001u, 0}, {32, 36, 0, 0xFFFFFFFFu}, {33, 36, 0, 0x7FFFFFFFu}};
    for (size_t k = 0; k < 3; k++) {
        size_t n = cases[k].n;
        uint8_t want[48];
        t_put(want, cases[k].word0, 4);
        memcpy(want + 4, in, n < 32 ? n : 32);
        if (n >= 32) {
            t_put(want + 36, cases[k].word1, 4);
            memcpy(want + 40, in + 32, n - 32);
        }
        check_bytes(in, n, want, n + 4 + (n >= 32 ? 4 : 0));
    }
    spec_stats s;
    size_t dn;
    roundtrip(in, 31, c, NULL);
    c[0] = 0;
    assert_int_equal(spec_decode(c, 35, d, sizeof d, &dn, &s), -1);
    roundtrip(in, 32, c, NULL);
    assert_int_equal(spec_decode(c, 36, d, sizeof d, &dn, &s), -1);
    /* 256 distinct bytes: exactly the bound (256 + 8 words of flags + final). */
    assert_int_equal(roundtrip(in, 256, c, NULL), BOUND(256));
    assert_int_equal(BOUND(256), 292);
}

/*
 * Streams with matches ending at every position relative to the flag words:
 * every prefix of 1..600 bytes of ETW-like data and of a byte pattern with
 * short repeats.
 */
static void test_flag_boundary_mixed(void **state)
{
    (void)state;
    uint8_t etw[600], pat[600];
    uint8_t *c = xmalloc(BOUND(sizeof etw));
    fill_etw(etw, sizeof etw, 7);
    for (size_t i = 0; i < sizeof pat; i++)
        pat[i] = (uint8_t)((i * i) % 7 + (i % 5 == 0 ? i : 0));
    for (size_t n = 1; n <= sizeof etw; n++) {
        roundtrip(etw, n, c, NULL);
        roundtrip(pat, n, c, NULL);
    }
    free(c);
}

/* ---------------------------------------------------------------------
 * Large buffers
 * --------------------------------------------------------------------- */

/*
 * 64 KiB of zeros: a literal, then matches at distance 1 of at most
 * MAX_MATCH bytes: 65535 = 32771 + 32764, both in the 16-bit form. The first
 * takes word + new half byte + FF + 16-bit (6 bytes), the second shares that
 * half byte (5 bytes): 4 + 1 + 6 + 5 = 16 bytes.
 */
static void test_zero_64k(void **state)
{
    (void)state;
    size_t n = 65536;
    uint8_t *in = xmalloc(n), *c = xmalloc(BOUND(n));
    memset(in, 0, n);
    spec_stats s;
    assert_int_equal(roundtrip(in, n, c, &s), 16);
    assert_int_equal(s.matches, 2);
    assert_int_equal(s.max_len, MAXM);
    assert_int_equal(s.max_offset, 1);
    free(in);
    free(c);
}

/* Random bytes do not compress: the output stays within BOUND and above n. */
static void test_random_64k(void **state)
{
    (void)state;
    for (size_t n = 65536 - 1; n <= 65536 + 1; n++) {
        uint8_t *in = xmalloc(n), *c = xmalloc(BOUND(n) + 1);
        fill_random(in, n, n);
        c[BOUND(n)] = 0x5A;
        size_t cn = roundtrip(in, n, c, NULL);
        assert_true(cn > n);
        assert_true(cn <= BOUND(n));
        assert_int_equal(c[BOUND(n)], 0x5A);
        free(in);
        free(c);
    }
}

/*
 * 64 KiB of ETW-like records compress well (greedy matching works): at least
 * 2.5:1 (about 3:1 now, the random fields cost ~20 bytes a record).
 */
static void test_etw_records_64k(void **state)
{
    (void)state;
    size_t n = 65536;
    uint8_t *in = xmalloc(n), *c = xmalloc(BOUND(n));
    fill_etw(in, n, 42);
    spec_stats s;
    size_t cn = roundtrip(in, n, c, &s);
    if (cn * 5 > n * 2)
        fail_msg("64 KiB of records compressed to %zu bytes only", cn);
    assert_true(s.matches > n / 60);
    free(in);
    free(c);
}

/* ---------------------------------------------------------------------
 * Match lengths and distances
 * --------------------------------------------------------------------- */

/*
 * 'y', L + 1 times 'a', 'z': literals 'y' 'a', one match of L at distance 1
 * (capped at MAX_MATCH), literal 'z'. Sizes: 4 + 3 literals + the match:
 * L 3..9: word (2); 10..24: + half byte (3); 25..279: + byte (4);
 * 280..32771: + byte FF + 16-bit word (6). Longer runs split into
 * MAX_MATCH pieces and a last match when at least 3 bytes remain.
 */
static void test_match_lengths(void **state)
{
    (void)state;
    static const struct {
        size_t len, size;
    } cases[] = {{3, 9},    {9, 9},      {10, 10},    {24, 10},    {25, 11},
                 {279, 11}, {280, 13},   {281, 13},   {32771, 13}, {32772, 0},
                 {65535, 0}, {65538, 0}, {65539, 0},  {70000, 0}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t len = cases[k].len, n = len + 3;
        uint8_t *in = xmalloc(n), *c = xmalloc(BOUND(n));
        in[0] = 'y';
        memset(in + 1, 'a', len + 1);
        in[n - 1] = 'z';
        spec_stats s;
        size_t cn = roundtrip(in, n, c, &s);
        if (cases[k].size != 0 && cn != cases[k].size)
            fail_msg("match of %zu: %zu bytes, want %zu", len, cn, cases[k].size);
        assert_int_equal(s.max_len, len < MAXM ? len : MAXM);
        assert_int_equal(s.matches, len / MAXM + (len % MAXM >= 3));
        assert_int_equal(s.max_offset, 1);
        free(in);
        free(c);
    }
}

/*
 * Random bytes where the 64 bytes at [64, 128) recur @p dist bytes later.
 * Returns the statistics of the stream.
 */
static spec_stats window_case(size_t dist)
{
    size_t n = 64 + dist + 64 + 64;
    uint8_t *in = xmalloc(n), *c = xmalloc(BOUND(n));
    fill_random(in, n, 1000 + dist);
    memcpy(in + 64 + dist, in + 64, 64);
    spec_stats s;
    roundtrip(in, n, c, &s);
    free(in);
    free(c);
    return s;
}

/*
 * Distances 8191 and 8192 (offset field 0x1FFF, the largest) are used for the
 * repeated block; 8193 cannot be (only chance matches of a few bytes remain).
 */
static void test_window_edge(void **state)
{
    (void)state;
    for (size_t dist = HEAPEV_LZXPRESS_WINDOW - 1; dist <= HEAPEV_LZXPRESS_WINDOW; dist++) {
        spec_stats s = window_case(dist);
        assert_true(s.max_len >= 48);
        assert_int_equal(s.max_len_at, dist);
    }
    spec_stats s = window_case(HEAPEV_LZXPRESS_WINDOW + 1);
    assert_true(s.max_len < 16);
}

/* ---------------------------------------------------------------------
 * Capacity, determinism
 * --------------------------------------------------------------------- */

/*
 * Every capacity below the exact size returns 0 and leaves out[cap..] alone;
 * the exact size and more give the same bytes.
 */
static void check_caps(const uint8_t *in, size_t n)
{
    heapev_lzxpress_state st;
    uint8_t *ref = xmalloc(BOUND(n)), *c = xmalloc(BOUND(n) + 16);
    size_t exact = heapev_lzxpress_compress(&st, in, n, ref, BOUND(n));
    assert_true(exact >= 4);
    for (size_t cap = 0; cap <= exact + 1; cap++) {
        memset(c, 0xA5, BOUND(n) + 16);
        size_t got = heapev_lzxpress_compress(&st, in, n, c, cap);
        for (size_t i = cap; i < BOUND(n) + 16; i++)
            if (c[i] != 0xA5)
                fail_msg("n=%zu cap=%zu: byte %zu written", n, cap, i);
        if (cap < exact)
            assert_int_equal(got, 0);
        else
            assert_true(got == exact && memcmp(c, ref, exact) == 0);
    }
    free(ref);
    free(c);
}

static void test_cap_too_small(void **state)
{
    (void)state;
    uint8_t in[1500];
    check_caps(NULL, 0);
    fill_etw(in, sizeof in, 3);
    check_caps(in, sizeof in);
    fill_random(in, 300, 4);
    check_caps(in, 300);
    memset(in, 0, sizeof in);
    check_caps(in, sizeof in);
}

/*
 * The same input gives the same bytes whatever the state held before (a
 * previous call on other data, positions that look valid, garbage); and the
 * XXH64 of two 64 KiB outputs is pinned (recorded from an x86-64 run: a
 * regression pin, so that the cross runs on s390x and i386 prove the bytes
 * do not depend on byte order or size_t width).
 */
static void test_determinism(void **state)
{
    (void)state;
    size_t n = 65536;
    uint8_t *in = xmalloc(n), *a = xmalloc(BOUND(n)), *b = xmalloc(BOUND(n));
    heapev_lzxpress_state st;
    memset(&st, 0, sizeof st);
    fill_etw(in, n, 43);
    size_t an = heapev_lzxpress_compress(&st, in, n, a, BOUND(n));
    fill_etw(in, n, 42);
    for (int round = 0; round < 4; round++) {
        if (round == 2)
            for (size_t j = 0; j < HEAPEV_LZXPRESS_HASH_SIZE; j++)
                st.head[j] = (uint32_t)(j * 7 % 8192);
        if (round == 3)
            memset(&st, 0xFF, sizeof st);
        size_t bn = heapev_lzxpress_compress(&st, in, n, b, BOUND(n));
        if (round == 0) {
            memcpy(a, b, bn);
            an = bn;
        } else if (an != bn || memcmp(a, b, an) != 0) {
            fail_msg("round %d: output depends on the state's previous contents", round);
        }
    }
    assert_int_equal(an, ETW_PIN_SIZE);
    assert_true(XXH64(a, an, 0) == ETW_PIN_XXH64);
    fill_random(in, n, 5);
    for (size_t i = 0; i < n; i += 97)
        memmove(in + i, in + (i * 7) % (i + 1), i % 13);
    an = heapev_lzxpress_compress(&st, in, n, a, BOUND(n));
    assert_int_equal(an, MIX_PIN_SIZE);
    assert_true(XXH64(a, an, 0) == MIX_PIN_XXH64);
    free(in);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_abcabcabc),
        cmocka_unit_test(test_expected_spec_examples),
        cmocka_unit_test(test_expected_shared_nibble),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_small_sizes),
        cmocka_unit_test(test_flag_boundary_literals),
        cmocka_unit_test(test_flag_boundary_mixed),
        cmocka_unit_test(test_zero_64k),
        cmocka_unit_test(test_random_64k),
        cmocka_unit_test(test_etw_records_64k),
        cmocka_unit_test(test_match_lengths),
        cmocka_unit_test(test_window_edge),
        cmocka_unit_test(test_cap_too_small),
        cmocka_unit_test(test_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
