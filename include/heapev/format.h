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

/** The largest record: its Size field is a u16 (so no payload inside a record is longer). */
#define HEAPEV_RECORD_MAX_SIZE 0xFFFFu

#define HEAPEV_HEADER_VERSION 2u    /**< SYSTEM_TRACE_VERSION */
#define HEAPEV_HEADER_FLAGS   0xC0u /**< TRACE_HEADER_FLAG 0x80 | TRACE_HEADER_EVENT_TRACE 0x40 */

#define HEAPEV_HEADER_TYPE_SYSTEM32  1u
#define HEAPEV_HEADER_TYPE_SYSTEM64  2u
#define HEAPEV_HEADER_TYPE_COMPACT32 3u
#define HEAPEV_HEADER_TYPE_COMPACT64 4u

/*
 * PERFINFO_TRACE_HEADER (HeaderType 16 / 17): the third family of kernel-group
 * headers (SPEC §4). 16 bytes: Version, HeaderType, Flags, Size and HookId at
 * the SYSTEM header's offsets, then SystemTime at 8; no thread or process id.
 * Which family Windows' heap logger uses for hook 0x1021 is not documented, so
 * a heap Alloc is decoded in any of the three.
 */
#define HEAPEV_HEADER_TYPE_PERFINFO32     16u
#define HEAPEV_HEADER_TYPE_PERFINFO64     17u
#define HEAPEV_HEADER_SIZE_PERFINFO       16u
#define HEAPEV_PERFINFO_OFF_SYSTEM_TIME   8u  /**< i64 */

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
/** Heaps start at a reservation boundary (typical; heap_handle_misaligned otherwise). */
#define HEAPEV_HEAP_HANDLE_ALIGN 0x10000ull
/** The lowest 64 KiB are never mapped. */
#define HEAPEV_LOWEST_MAPPED 0x10000ull
/** The low-fragmentation heap serves blocks up to this size only. */
#define HEAPEV_LFH_MAX_SIZE 16384ull
/** Default VirtualMemoryThreshold on 64-bit: larger blocks take the slow path. */
#define HEAPEV_VM_THRESHOLD_64 (508ull * 1024ull)

/* ---- ETL container (SPEC §4) ------------------------------------------- */

/* WMI_BUFFER_HEADER: every buffer of an .etl file starts with it. */
#define HEAPEV_ETL_BUFFER_HEADER_SIZE 72u
#define HEAPEV_ETL_BUF_OFF_BUFFER_SIZE     0x00u /**< u32, the buffer's bytes in the file, header included */
/**
 * u32. Data buffers: equal to Offset. Header buffer: 0 (Windows 7) or the end
 * of the logfile header / first header-extension records, at most Offset
 * (Windows 10/11): records lie beyond it up to Offset.
 */
#define HEAPEV_ETL_BUF_OFF_SAVED_OFFSET    0x04u
#define HEAPEV_ETL_BUF_OFF_CURRENT_OFFSET  0x08u /**< u32 */
#define HEAPEV_ETL_BUF_OFF_REFERENCE_COUNT 0x0Cu /**< i32 */
#define HEAPEV_ETL_BUF_OFF_TIMESTAMP       0x10u /**< i64 */
#define HEAPEV_ETL_BUF_OFF_SEQUENCE        0x18u /**< i64 SequenceNumber */
#define HEAPEV_ETL_BUF_OFF_CLOCK           0x20u /**< u64: ClockType (low 3 bits), Frequency */
#define HEAPEV_ETL_BUF_OFF_PROCESSOR       0x28u /**< u16 ProcessorNumber */
#define HEAPEV_ETL_BUF_OFF_LOGGER_ID       0x2Au /**< u16 LoggerId */
#define HEAPEV_ETL_BUF_OFF_STATE           0x2Cu /**< u32 */
/** u32: end of the records, buffer header included (records lie in [72, Offset)); for a
 *  compressed buffer, the length of the records once decompressed, plus 72. */
#define HEAPEV_ETL_BUF_OFF_OFFSET          0x30u
#define HEAPEV_ETL_BUF_OFF_BUFFER_FLAG     0x34u /**< u16 */
#define HEAPEV_ETL_BUF_OFF_BUFFER_TYPE     0x36u /**< u16 */
#define HEAPEV_ETL_BUF_OFF_RESERVED        0x38u /**< 16 reserved bytes */
#define HEAPEV_ETL_CLOCK_TYPE_BITS 3u            /**< ClockType:3 below Frequency:61 */

#define HEAPEV_ETL_BUFFER_FLAG_FLUSH_MARKER 0x0001u
#define HEAPEV_ETL_BUFFER_FLAG_EVENTS_LOST  0x0002u
#define HEAPEV_ETL_BUFFER_FLAG_BUFFER_LOST  0x0004u
/** ProcessorNumber holds a processor index: 0x21 on real header buffers, 0x20 on data buffers. */
#define HEAPEV_ETL_BUFFER_FLAG_PROCESSOR_INDEX 0x0020u
/** The records after the 72-byte header are LZXpress-compressed ([MS-XCA] 2.3, plain LZ77). */
#define HEAPEV_ETL_BUFFER_FLAG_COMPRESSED   0x0040u
#define HEAPEV_ETL_BUFFER_TYPE_GENERIC 0u
#define HEAPEV_ETL_BUFFER_TYPE_RUNDOWN 1u
#define HEAPEV_ETL_BUFFER_TYPE_HEADER  4u

/** Records start on this boundary (DEFAULT_TRACE_ALIGNMENT). */
#define HEAPEV_ETL_RECORD_ALIGN 8u
/** Round @p n up to the record alignment. */
#define HEAPEV_ETL_ALIGN(n) (((n) + (HEAPEV_ETL_RECORD_ALIGN - 1u)) & ~(HEAPEV_ETL_RECORD_ALIGN - 1u))
/** Filler byte after SavedOffset; a record marker of four filler bytes ends the records. */
#define HEAPEV_ETL_FILLER_BYTE 0xFFu
#define HEAPEV_ETL_FILLER_MARKER 0xFFFFFFFFu
/** Common buffer size of real traces (and the writer's default). */
#define HEAPEV_ETL_DEFAULT_BUFFER_SIZE 65536u

/*
 * Record markers. Every record starts with a u32 marker whose top byte holds
 * the marker flags: 0xC0 (TRACE_HEADER_FLAG | TRACE_HEADER_EVENT_TRACE) for
 * trace headers, whose byte 2 is then the header type; 0x90 for WPP message
 * records (MESSAGE_TRACE_HEADER). The Size field (u16) sits at offset 4 for
 * SYSTEM, COMPACT and PERFINFO headers, at offset 0 for all others.
 */
#define HEAPEV_ETL_MARKER_FLAGS_HEADER  0xC0u
#define HEAPEV_ETL_MARKER_FLAGS_MESSAGE 0x90u
#define HEAPEV_HEADER_TYPE_FULL_HEADER32  10u /**< EVENT_TRACE_HEADER, 48 bytes */
#define HEAPEV_HEADER_TYPE_INSTANCE32     11u /**< EVENT_INSTANCE_GUID_HEADER, 72 bytes */
#define HEAPEV_HEADER_TYPE_TIMED          12u /**< not used by Windows */
#define HEAPEV_HEADER_TYPE_ERROR          13u /**< error while logging */
#define HEAPEV_HEADER_TYPE_WNODE_HEADER   14u /**< not used by Windows */
#define HEAPEV_HEADER_TYPE_MESSAGE        15u /**< WPP message, 8-byte header */
#define HEAPEV_HEADER_TYPE_EVENT_HEADER32 18u /**< EVENT_HEADER, 80 bytes */
#define HEAPEV_HEADER_TYPE_EVENT_HEADER64 19u
#define HEAPEV_HEADER_TYPE_FULL_HEADER64  20u
#define HEAPEV_HEADER_TYPE_INSTANCE64     21u
#define HEAPEV_HEADER_SIZE_FULL         48u
#define HEAPEV_HEADER_SIZE_INSTANCE     72u
#define HEAPEV_HEADER_SIZE_EVENT_HEADER 80u
#define HEAPEV_HEADER_SIZE_MESSAGE      8u
#define HEAPEV_HEADER_OFF_SIZE_AT_START 0u /**< u16 Size of FULL/INSTANCE/EVENT/MESSAGE headers */

/*
 * TRACE_LOGFILE_HEADER: the payload of the first record of the first buffer
 * (a SYSTEM_TRACE_HEADER with HookId 0x0000). Offsets are in the payload and
 * depend on the producer's pointer size @p p (4 or 8) from LoggerName on.
 * TIME_ZONE_INFORMATION (172 bytes) is followed by 4 bytes of padding so that
 * BootTime is 8-aligned; the fixed part ends after BuffersLost at 0x110 (p=4)
 * / 0x118 (p=8); the session and log file names follow as NUL-terminated
 * UTF-16LE strings.
 */
#define HEAPEV_LOGFILE_OFF_BUFFER_SIZE      0x00u /**< u32 */
#define HEAPEV_LOGFILE_OFF_VERSION          0x04u /**< u32: Major, Minor, Sub, SubMinor bytes */
#define HEAPEV_LOGFILE_OFF_PROVIDER_VERSION 0x08u /**< u32 */
#define HEAPEV_LOGFILE_OFF_PROCESSORS       0x0Cu /**< u32 NumberOfProcessors */
#define HEAPEV_LOGFILE_OFF_END_TIME         0x10u /**< i64 */
#define HEAPEV_LOGFILE_OFF_TIMER_RESOLUTION 0x18u /**< u32 */
#define HEAPEV_LOGFILE_OFF_MAX_FILE_SIZE    0x1Cu /**< u32 */
#define HEAPEV_LOGFILE_OFF_LOG_FILE_MODE    0x20u /**< u32 */
#define HEAPEV_LOGFILE_OFF_BUFFERS_WRITTEN  0x24u /**< u32 */
#define HEAPEV_LOGFILE_OFF_START_BUFFERS    0x28u /**< u32 */
#define HEAPEV_LOGFILE_OFF_POINTER_SIZE     0x2Cu /**< u32 */
#define HEAPEV_LOGFILE_OFF_EVENTS_LOST      0x30u /**< u32 */
#define HEAPEV_LOGFILE_OFF_CPU_SPEED        0x34u /**< u32 CpuSpeedInMHz */
#define HEAPEV_LOGFILE_OFF_LOGGER_NAME      0x38u /**< pointer (p bytes) */
#define HEAPEV_LOGFILE_OFF_LOG_FILE_NAME(p) (0x38u + (unsigned)(p)) /**< pointer */
#define HEAPEV_LOGFILE_OFF_TIME_ZONE(p)     (0x38u + 2u * (unsigned)(p))
#define HEAPEV_LOGFILE_TIME_ZONE_SIZE       172u
#define HEAPEV_LOGFILE_OFF_BOOT_TIME(p)     (HEAPEV_LOGFILE_OFF_TIME_ZONE(p) + 176u) /**< i64 */
#define HEAPEV_LOGFILE_OFF_PERF_FREQ(p)     (HEAPEV_LOGFILE_OFF_BOOT_TIME(p) + 8u)   /**< i64 */
#define HEAPEV_LOGFILE_OFF_START_TIME(p)    (HEAPEV_LOGFILE_OFF_BOOT_TIME(p) + 16u)  /**< i64 */
#define HEAPEV_LOGFILE_OFF_RESERVED_FLAGS(p) (HEAPEV_LOGFILE_OFF_BOOT_TIME(p) + 24u) /**< u32 */
#define HEAPEV_LOGFILE_OFF_BUFFERS_LOST(p)  (HEAPEV_LOGFILE_OFF_BOOT_TIME(p) + 28u)  /**< u32 */
/** Size of the fixed part (0x110 for p=4, 0x118 for p=8); the names follow it. */
#define HEAPEV_LOGFILE_FIXED_SIZE(p)        (HEAPEV_LOGFILE_OFF_BOOT_TIME(p) + 32u)
/** HookId of the logfile header record (group HEADER, type 0). */
#define HEAPEV_HOOK_LOGFILE_HEADER 0x0000u
/*
 * Header-extension records that Windows 10/11 write after the logfile header
 * in buffer 0 (group HEADER; ntwmi.h WMI_LOG_TYPE_*; 0x50 and 0x52 are not in
 * public headers: seen in real traces as 80-byte SYSTEM64 records).
 */
#define HEAPEV_HOOK_HEADER_DBGID_RSDS 0x0040u /**< PDB GUID (16), age (u32), PDB name (ASCII, NUL) */
#define HEAPEV_HOOK_HEADER_BUILD_LAB  0x0042u /**< build string, e.g. "22621.1.amd64fre.ni_release..." */
#define HEAPEV_HOOK_HEADER_EXT_50     0x0050u /**< 48-byte payload, undocumented */
#define HEAPEV_HOOK_HEADER_EXT_52     0x0052u /**< undocumented */

/** LogFileMode bit EVENT_TRACE_COMPRESSED_MODE: buffers after buffer 0 are compressed and
 *  packed back to back, each BufferSize bytes long (its own length). */
#define HEAPEV_LOGFILE_MODE_COMPRESSED 0x04000000u
/** LogFileMode bit EVENT_TRACE_FILE_MODE_SEQUENTIAL. */
#define HEAPEV_LOGFILE_MODE_SEQUENTIAL 0x00000001u

#endif /* HEAPEV_FORMAT_H */
