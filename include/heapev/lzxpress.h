/**
 * @file heapev/lzxpress.h
 * @brief Plain LZ77 LZXpress compressor ([MS-XCA] 2.3), the format of
 *        compressed .etl buffers (pktmon, PerfView merges), decoded by
 *        [MS-XCA] 2.4 and by libfwnt_lzxpress_decompress().
 *
 * Stream layout: a 32-bit little-endian flag word, then the bytes of up to 32
 * tokens, then the next flag word, and so on. Flag bits are consumed MSB
 * first; 0 = a literal byte, 1 = a match. A match is a 16-bit little-endian
 * word ((offset - 1) << 3 | min(length - 3, 7)) followed, for longer matches,
 * by a half byte shared between two matches, a byte and a 16-bit word
 * (see gen/lzxpress.c). The last flag word is padded with 1 bits: a decoder
 * reading a match flag at the end of the input stops there with success.
 *
 * The compressor is greedy with one match candidate per hash bucket. It is
 * deterministic: the output depends on the input bytes only (not on the
 * state's previous contents, @p cap, the host's byte order or the width of
 * size_t), so every host writes the same bytes. Nothing allocates; there is
 * no global mutable state: the scratch table lives in a struct the caller
 * owns.
 */
#ifndef HEAPEV_LZXPRESS_H
#define HEAPEV_LZXPRESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Farthest match distance, bytes back: the 13-bit offset field holds offset - 1. */
#define HEAPEV_LZXPRESS_WINDOW 8192u

/** Shortest match the format encodes. */
#define HEAPEV_LZXPRESS_MIN_MATCH 3u

/**
 * Longest match the compressor emits (length - 3 = 32768 in the 16-bit
 * extension). [MS-XCA] allows more (a 32-bit extension), but libfwnt rejects
 * lengths above 32771 and mis-decodes 16-bit values from 65533 up, so longer
 * repeats are written as several matches. The 32-bit form is never emitted.
 */
#define HEAPEV_LZXPRESS_MAX_MATCH 32771u

/** log2 of the number of hash buckets in heapev_lzxpress_state. */
#define HEAPEV_LZXPRESS_HASH_LOG 13u

/** Number of hash buckets in heapev_lzxpress_state. */
#define HEAPEV_LZXPRESS_HASH_SIZE (1u << HEAPEV_LZXPRESS_HASH_LOG)

/**
 * Worst-case output size for @p n input bytes: every byte a literal, one
 * flag word per 32 tokens, and the final flag word (a whole extra one when
 * @p n is a multiple of 32, 0 included). A buffer of this size always
 * suffices; input without a repeated three-byte sequence reaches it exactly.
 * Evaluates @p n more than once; valid while the sum fits in size_t
 * (n <= (SIZE_MAX - 4) / 9 * 8 is always safe).
 */
#define HEAPEV_LZXPRESS_BOUND(n) ((size_t)(n) + 4u * ((size_t)(n) / 32u) + 4u)

/**
 * Caller-owned scratch of the compressor: for each hash of three input
 * bytes, the (truncated) position where they last occurred. About 32 KiB.
 * Needs no initialisation; each call clears it before use.
 */
typedef struct heapev_lzxpress_state {
    uint32_t head[HEAPEV_LZXPRESS_HASH_SIZE];
} heapev_lzxpress_state;

/**
 * @brief Compress @p in with plain LZ77 LZXpress ([MS-XCA] 2.3).
 *
 * The output decompresses ([MS-XCA] 2.4, libfwnt_lzxpress_decompress) to
 * exactly the @p n input bytes. Empty input gives the 4 bytes FF FF FF FF (a
 * lone final flag word).
 *
 * @param st   scratch table (contents on entry do not matter; clobbered)
 * @param in   input bytes; may be NULL when @p n is 0
 * @param n    number of input bytes
 * @param out  output buffer; may be NULL when @p cap is 0
 * @param cap  capacity of @p out in bytes; HEAPEV_LZXPRESS_BOUND(@p n) always
 *             suffices, a smaller one suffices when the input compresses
 * @pre @p st is not NULL; @p in and @p out do not overlap
 * @return the number of bytes written (at least 4), or 0 when the stream
 *         does not fit in @p cap (or @p st is NULL, or a buffer is NULL with
 *         a nonzero size). On 0, out[0, cap) holds unspecified bytes and
 *         nothing at or beyond out[cap] has been written.
 */
size_t heapev_lzxpress_compress(heapev_lzxpress_state *st, const uint8_t *in, size_t n,
                                uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_LZXPRESS_H */
