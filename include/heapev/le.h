/**
 * @file heapev/le.h
 * @brief Explicit little-endian loads and stores, as the decoder, the writer
 *        and the generator use them.
 *
 * Every field of the format is little-endian whatever the host. These
 * helpers build values from single bytes and shifts: correct on any host
 * byte order (s390x included) and never reading through a cast pointer, so
 * alignment does not matter. The caller guarantees the bytes are there.
 */
#ifndef HEAPEV_LE_H
#define HEAPEV_LE_H

#include <stdint.h>

/** @brief The u16 at @p p (2 bytes readable). */
static inline uint16_t heapev_read_le16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] | ((unsigned)p[1] << 8));
}

/** @brief The u32 at @p p (4 bytes readable). */
static inline uint32_t heapev_read_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/** @brief The u64 at @p p (8 bytes readable). */
static inline uint64_t heapev_read_le64(const uint8_t *p)
{
    return (uint64_t)heapev_read_le32(p) | ((uint64_t)heapev_read_le32(p + 4) << 32);
}

/** Read a little-endian unsigned field of @p width bytes (4 or 8). */
static inline uint64_t heapev_read_le_width(const uint8_t *p, unsigned width)
{
    return width == 8 ? heapev_read_le64(p) : (uint64_t)heapev_read_le32(p);
}

/** @brief Store @p v at @p p (2 bytes writable). */
static inline void heapev_write_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/** @brief Store @p v at @p p (4 bytes writable). */
static inline void heapev_write_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/** @brief Store @p v at @p p (8 bytes writable). */
static inline void heapev_write_le64(uint8_t *p, uint64_t v)
{
    heapev_write_le32(p, (uint32_t)v);
    heapev_write_le32(p + 4, (uint32_t)(v >> 32));
}

/** Write @p v as a little-endian field of @p width bytes (4 or 8), truncating. */
static inline void heapev_write_le_width(uint8_t *p, uint64_t v, unsigned width)
{
    if (width == 8)
        heapev_write_le64(p, v);
    else
        heapev_write_le32(p, (uint32_t)v);
}

#endif /* HEAPEV_LE_H */
