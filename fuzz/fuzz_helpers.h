/*
 * fuzz_helpers.h - always-on assertions, checked allocation and a data
 * producer shared by the heapev fuzz targets (model: zstd tests/fuzz/).
 *
 * Everything here carries the FUZZ_ / fuzz_ prefix. The assertions abort
 * whatever NDEBUG says, so a broken promise is a crash the fuzzer keeps.
 */
#ifndef HEAPEV_FUZZ_HELPERS_H
#define HEAPEV_FUZZ_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "heapev/decode.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_QUOTE_IMPL(s) #s
#define FUZZ_QUOTE(s) FUZZ_QUOTE_IMPL(s)

/** Abort with file, line, the failed condition and a message. Never compiled out. */
#define FUZZ_ASSERT_MSG(cond, msg)                                                        \
    ((cond) ? (void)0                                                                     \
            : (fprintf(stderr, "%s:%d: assertion failed: %s (%s)\n", __FILE__, __LINE__, \
                       FUZZ_QUOTE(cond), (msg)),                                          \
               abort()))

/** Abort when @p cond is false. Never compiled out. */
#define FUZZ_ASSERT(cond) FUZZ_ASSERT_MSG((cond), "")

/** malloc that asserts (size 0 allocates 1 byte, so the result is never NULL). */
void *fuzz_malloc(size_t size);

/**
 * Mark @p size bytes at @p p initialized for MemorySanitizer (a no-op in
 * other builds). libFuzzer is not MSan-instrumented, so the bytes it hands a
 * custom mutator, or writes in LLVMFuzzerMutate() (dictionary words, copies),
 * carry stale "uninitialized" shadow; it unpoisons only what it passes to
 * LLVMFuzzerTestOneInput(). The mutator calls this on every buffer it gets
 * from libFuzzer, so MSan reports only real uses of uninitialized memory.
 */
void fuzz_msan_unpoison(const void *p, size_t size);

/** memcmp that accepts NULL pointers when @p size is 0. */
int fuzz_memcmp(const void *a, const void *b, size_t size);

/* ---- Data producer -------------------------------------------------------
 * Parameters come from the tail of the input, the payload from the front;
 * it never fails: once the input runs out every parameter is its minimum.
 */
typedef struct fuzz_data_producer {
    const uint8_t *data;
    size_t size; /* bytes not yet consumed; the tail ends at data + size */
} fuzz_data_producer;

/** Start producing from @p data / @p size. */
void fuzz_data_producer_init(fuzz_data_producer *p, const uint8_t *data, size_t size);

/** A uint32 in [min, max] from up to 4 tail bytes; min once the input is used up. */
uint32_t fuzz_data_producer_uint32_range(fuzz_data_producer *p, uint32_t min, uint32_t max);

/** A uint64 built from up to 8 tail bytes (0 once the input is used up). */
uint64_t fuzz_data_producer_uint64(fuzz_data_producer *p);

/** Bytes still available for the payload. */
size_t fuzz_data_producer_remaining(const fuzz_data_producer *p);

/** The front bytes not consumed as parameters (the payload). */
const uint8_t *fuzz_data_producer_payload(const fuzz_data_producer *p);

/* ---- heapev-specific checks shared by the targets ------------------------ */

/** Limits chosen by the producer: the defaults, /3GB, WOW64 or arbitrary ones. */
heapev_limits fuzz_data_producer_limits(fuzz_data_producer *p);

/**
 * The decoder's promises on any event: findings only from the table (and none
 * of the ETL rows), payload fields zero unless decoded, header zero unless
 * read, pointer width 0/4/8 (a record's: its header type's), record findings
 * only on records, no KernelTime/UserTime outside SYSTEM headers and no
 * ThreadId/ProcessId in PERFINFO headers.
 */
void fuzz_check_event(const heapev_event *event, heapev_findings returned);

/** fuzz_check_event() plus consumed in [1, len] for a record decoded from @p len bytes. */
void fuzz_check_record(const heapev_event *event, heapev_findings returned, size_t consumed,
                       size_t len);

/**
 * The self-tests' seeds: every regular file at @p path (the file itself, or a
 * directory's files, recursively; dot files and *.jsonl manifests left out),
 * read into @p buf (at most @p cap bytes) and handed to @p on_file with the
 * number of bytes read. Paths that cannot be read are passed over.
 */
void fuzz_each_file(const char *path, uint8_t *buf, size_t cap,
                    void (*on_file)(void *ctx, const uint8_t *data, size_t len), void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_FUZZ_HELPERS_H */
