/**
 * @file heapev/format.h
 * @brief The facts of the ETW_HEAP_EVENT_ALLOC wire format, written once.
 *
 * Every offset, size, magic value and limit that the decoder, the encoder,
 * the generator and the ETL code rely on is defined here and nowhere else
 * (reference: shared/SPEC.md, sections 1 to 5). All multi-byte fields are
 * little-endian on the wire whatever the host.
 */
#ifndef HEAPEV_FORMAT_H
#define HEAPEV_FORMAT_H

/* ---- Source (SPEC §1, ntetw.h MEMORY_FROM_*) -------------------------- */

#define HEAPEV_SOURCE_LOOKASIDE    1u /**< served from a lookaside list */
#define HEAPEV_SOURCE_LOWFRAG      2u /**< served by the low-fragmentation heap */
#define HEAPEV_SOURCE_MAINPATH     3u /**< served by the main code path */
#define HEAPEV_SOURCE_SLOWPATH     4u /**< served by the slow path */
#define HEAPEV_SOURCE_INVALID      5u /**< defined value reporting a failure state */
#define HEAPEV_SOURCE_SEGMENT_HEAP 6u /**< reserved; documented as never returned */

/* ---- Payload (SPEC §2) ------------------------------------------------- */

/** Payload size of a version 0 event from a 32-bit producer. */
#define HEAPEV_PAYLOAD_SIZE_32 16u
/** Payload size of a version 0 event from a 64-bit producer. */
#define HEAPEV_PAYLOAD_SIZE_64 28u
/** Payload size for pointer width @p w (4 or 8): 4 pointer-or-u32 fields, Source always 4. */
#define HEAPEV_PAYLOAD_SIZE(w) (3u * (unsigned)(w) + 4u)

/**
 * TraceEvent's HostOffset(k, n) = k + n * (pointer size - 4): the offset of a
 * field that sits at @p k in the 32-bit layout after @p n pointer-sized fields.
 */
#define HEAPEV_HOST_OFFSET(k, n, w) ((unsigned)(k) + (unsigned)(n) * ((unsigned)(w) - 4u))
#define HEAPEV_PAYLOAD_OFF_HEAP_HANDLE(w) HEAPEV_HOST_OFFSET(0, 0, w)
#define HEAPEV_PAYLOAD_OFF_SIZE(w)        HEAPEV_HOST_OFFSET(4, 1, w)
#define HEAPEV_PAYLOAD_OFF_ADDRESS(w)     HEAPEV_HOST_OFFSET(8, 2, w)
#define HEAPEV_PAYLOAD_OFF_SOURCE(w)      HEAPEV_HOST_OFFSET(12, 3, w)

/* ---- SYSTEM_TRACE_HEADER (SPEC §3) ------------------------------------- */

#define HEAPEV_HEADER_SIZE_SYSTEM  32u /**< SYSTEM32 / SYSTEM64 header */
#define HEAPEV_HEADER_SIZE_COMPACT 24u /**< COMPACT32 / COMPACT64: no KernelTime/UserTime */

#define HEAPEV_HEADER_OFF_VERSION      0u  /**< u16 */
#define HEAPEV_HEADER_OFF_HEADER_TYPE  2u  /**< u8 */
#define HEAPEV_HEADER_OFF_FLAGS        3u  /**< u8 */
#define HEAPEV_HEADER_OFF_SIZE         4u  /**< u16, whole record, header included */
#define HEAPEV_HEADER_OFF_HOOK_ID      6u  /**< u16 */
#define HEAPEV_HEADER_OFF_THREAD_ID    8u  /**< u32 */
#define HEAPEV_HEADER_OFF_PROCESS_ID   12u /**< u32 */
#define HEAPEV_HEADER_OFF_SYSTEM_TIME  16u /**< i64 */
#define HEAPEV_HEADER_OFF_KERNEL_TIME  24u /**< u32, SYSTEM headers only */
#define HEAPEV_HEADER_OFF_USER_TIME    28u /**< u32, SYSTEM headers only */

#define HEAPEV_HEADER_VERSION 2u    /**< SYSTEM_TRACE_VERSION */
#define HEAPEV_HEADER_FLAGS   0xC0u /**< TRACE_HEADER_FLAG 0x80 | TRACE_HEADER_EVENT_TRACE 0x40 */

#define HEAPEV_HEADER_TYPE_SYSTEM32  1u
#define HEAPEV_HEADER_TYPE_SYSTEM64  2u
#define HEAPEV_HEADER_TYPE_COMPACT32 3u
#define HEAPEV_HEADER_TYPE_COMPACT64 4u

/* ---- Hook ids (SPEC §3): group in the high byte, type in the low byte --- */

#define HEAPEV_HOOK_GROUP_MASK  0xFF00u
#define HEAPEV_HOOK_GROUP_HEADER 0x0000u /**< trace header group (logfile header) */
#define HEAPEV_HOOK_GROUP_HEAP  0x1000u /**< EVENT_TRACE_GROUP_HEAP */
#define HEAPEV_HOOK_HEAP_CREATE   0x1020u
#define HEAPEV_HOOK_HEAP_ALLOC    0x1021u
#define HEAPEV_HOOK_HEAP_REALLOC  0x1022u
#define HEAPEV_HOOK_HEAP_DESTROY  0x1023u
#define HEAPEV_HOOK_HEAP_FREE     0x1024u
#define HEAPEV_HOOK_HEAP_EXTEND   0x1025u
#define HEAPEV_HOOK_HEAP_SNAPSHOT 0x1026u
#define HEAPEV_HOOK_HEAP_CONTRACT 0x102Au
#define HEAPEV_HOOK_HEAP_LOCK     0x102Bu
#define HEAPEV_HOOK_HEAP_UNLOCK   0x102Cu
#define HEAPEV_HOOK_HEAP_VALIDATE 0x102Du
#define HEAPEV_HOOK_HEAP_WALK     0x102Eu

/* ---- What real producers do (SPEC §5) ---------------------------------- */

/** Highest user-mode address of a 64-bit process. */
#define HEAPEV_USER_MAX_64 0x00007FFFFFFEFFFFull
/** Default highest user-mode address of a 32-bit process (no /3GB, no WOW64 LAA). */
#define HEAPEV_USER_MAX_32 0x7FFEFFFFull
/** 32-bit large-address-aware process booted with 3 GB user space. */
#define HEAPEV_USER_MAX_32_3GB 0xBFFEFFFFull
/** 32-bit large-address-aware process on 64-bit Windows (WOW64). */
#define HEAPEV_USER_MAX_32_WOW64 0xFFFEFFFFull
/** Heap block alignment for pointer width @p w: 8 bytes for 32-bit, 16 for 64-bit. */
#define HEAPEV_ADDRESS_ALIGN(w) (2u * (unsigned)(w))
/** Heaps start at a reservation boundary (typical, not checked). */
#define HEAPEV_HEAP_HANDLE_ALIGN 0x10000ull
/** The lowest 64 KiB are never mapped. */
#define HEAPEV_LOWEST_MAPPED 0x10000ull
/** The low-fragmentation heap serves blocks up to this size only. */
#define HEAPEV_LFH_MAX_SIZE 16384ull
/** Default VirtualMemoryThreshold on 64-bit: larger blocks take the slow path. */
#define HEAPEV_VM_THRESHOLD_64 (508ull * 1024ull)

#endif /* HEAPEV_FORMAT_H */
