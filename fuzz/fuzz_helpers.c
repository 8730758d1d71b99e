/* fuzz_helpers.c - see fuzz_helpers.h. */
#include "fuzz_helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define FUZZ_HAVE_MSAN 1
#endif
#endif

void fuzz_msan_unpoison(const void *p, size_t size)
{
#ifdef FUZZ_HAVE_MSAN
    if (p != NULL && size > 0)
        __msan_unpoison(p, size);
#else
    (void)p;
    (void)size;
#endif
}

void *fuzz_malloc(size_t size)
{
    void *mem = malloc(size != 0 ? size : 1);
    FUZZ_ASSERT_MSG(mem != NULL, "out of memory");
    return mem;
}

int fuzz_memcmp(const void *a, const void *b, size_t size)
{
    if (size == 0)
        return 0;
    FUZZ_ASSERT(a != NULL && b != NULL);
    return memcmp(a, b, size);
}

void fuzz_data_producer_init(fuzz_data_producer *p, const uint8_t *data, size_t size)
{
    p->data = data;
    p->size = data != NULL ? size : 0;
}

uint32_t fuzz_data_producer_uint32_range(fuzz_data_producer *p, uint32_t min, uint32_t max)
{
    FUZZ_ASSERT(min <= max);
    uint32_t range = max - min;
    uint32_t rolling = range;
    uint32_t value = 0;
    while (rolling > 0 && p->size > 0) {
        value = (value << 8) | p->data[--p->size];
        rolling >>= 8;
    }
    if (range == UINT32_MAX)
        return value;
    return min + value % (range + 1);
}

uint64_t fuzz_data_producer_uint64(fuzz_data_producer *p)
{
    uint64_t hi = fuzz_data_producer_uint32_range(p, 0, UINT32_MAX);
    uint64_t lo = fuzz_data_producer_uint32_range(p, 0, UINT32_MAX);
    return (hi << 32) | lo;
}

size_t fuzz_data_producer_remaining(const fuzz_data_producer *p)
{
    return p->size;
}

const uint8_t *fuzz_data_producer_payload(const fuzz_data_producer *p)
{
    return p->size != 0 ? p->data : NULL;
}

heapev_limits fuzz_data_producer_limits(fuzz_data_producer *p)
{
    heapev_limits limits = heapev_limits_default();
    switch (fuzz_data_producer_uint32_range(p, 0, 3)) {
    case 1:
        limits.user_max_32 = HEAPEV_USER_MAX_32_3GB;
        break;
    case 2:
        limits.user_max_32 = HEAPEV_USER_MAX_32_WOW64;
        break;
    case 3:
        limits.user_max_32 = fuzz_data_producer_uint32_range(p, 0, UINT32_MAX);
        limits.user_max_64 = fuzz_data_producer_uint64(p);
        break;
    default:
        break;
    }
    return limits;
}


/* Findings a payload or record decode may report: the table minus the etl_* rows. */
#define FUZZ_DECODE_FINDINGS (heapev_findings_all() & ~heapev_findings_container())
#define FUZZ_RECORD_ONLY_FINDINGS                                                          \
    (HEAPEV_FINDING(HEADER_SIZE_MISMATCH) | HEAPEV_FINDING(HEADER_TYPE_UNKNOWN) | HEAPEV_FINDING(HEADER_FLAGS_INVALID) |  \
     HEAPEV_FINDING(NOT_HEAP_ALLOC) | HEAPEV_FINDING(HEADER_VERSION_UNEXPECTED))

void fuzz_check_event(const heapev_event *e, heapev_findings returned)
{
    static const heapev_record_header zero_header;
    FUZZ_ASSERT_MSG(returned == e->findings, "returned findings differ from event->findings");
    FUZZ_ASSERT_MSG((e->findings & ~FUZZ_DECODE_FINDINGS) == 0, "finding outside the table");
    FUZZ_ASSERT(e->pointer_width == 0 || e->pointer_width == 4 || e->pointer_width == 8);
    FUZZ_ASSERT(e->has_header <= 1 && e->payload_decoded <= 1);
    if (!e->payload_decoded) {
        FUZZ_ASSERT_MSG(e->heap_handle == 0 && e->size == 0 && e->address == 0 &&
                            e->source == 0 && e->trailing_bytes == 0,
                        "payload field set although the payload was not decoded");
        FUZZ_ASSERT_MSG((e->findings & HEAPEV_FINDING(TRAILING_BYTES)) == 0, "trailing_bytes without payload");
    } else {
        FUZZ_ASSERT(e->pointer_width == 4 || e->pointer_width == 8);
        FUZZ_ASSERT_MSG((e->findings & (HEAPEV_FINDING(TRUNCATED) | HEAPEV_FINDING(LENGTH_AMBIGUOUS))) == 0,
                        "payload decoded yet truncated or ambiguous");
        if (e->pointer_width == 4)
            FUZZ_ASSERT_MSG((e->heap_handle | e->size | e->address) <= UINT32_MAX,
                            "32-bit field wider than 32 bits");
        FUZZ_ASSERT_MSG(((e->findings & HEAPEV_FINDING(TRAILING_BYTES)) != 0) == (e->trailing_bytes != 0),
                        "trailing_bytes finding and count disagree");
    }
    if (!e->has_header) {
        FUZZ_ASSERT_MSG(memcmp(&e->header, &zero_header, sizeof zero_header) == 0,
                        "header field set although no header was read");
        FUZZ_ASSERT_MSG((e->findings & FUZZ_RECORD_ONLY_FINDINGS) == 0,
                        "record finding without a record header");
    } else {
        unsigned hsize = heapev_header_type_size(e->header.header_type);
        if (hsize != HEAPEV_HEADER_SIZE_SYSTEM)
            FUZZ_ASSERT_MSG(e->header.kernel_time == 0 && e->header.user_time == 0,
                            "KernelTime/UserTime set for a header without them");
        if (hsize == HEAPEV_HEADER_SIZE_PERFINFO)
            FUZZ_ASSERT_MSG(e->header.thread_id == 0 && e->header.process_id == 0,
                            "ThreadId/ProcessId set for a PERFINFO header");
        FUZZ_ASSERT_MSG(e->pointer_width == heapev_header_type_width(e->header.header_type),
                        "pointer width is not the header type's");
    }
}

void fuzz_check_record(const heapev_event *e, heapev_findings returned, size_t consumed,
                       size_t len)
{
    fuzz_check_event(e, returned);
    if (len > 0)
        FUZZ_ASSERT_MSG(consumed >= 1 && consumed <= len, "consumed outside [1, len]");
    if (e->has_header && !(e->findings & HEAPEV_FINDING(HEADER_SIZE_MISMATCH)))
        FUZZ_ASSERT_MSG(consumed == e->header.size, "consumed is not the valid Size field");
    else
        FUZZ_ASSERT_MSG(consumed == len, "invalid record did not consume the rest");
    FUZZ_ASSERT_MSG((e->findings & HEAPEV_FINDING(LENGTH_AMBIGUOUS)) == 0, "length_ambiguous on a record");
}

void fuzz_each_file(const char *path, uint8_t *buf, size_t cap,
                    void (*on_file)(void *ctx, const uint8_t *data, size_t len), void *ctx)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL) {
            char sub[4096];
            if (de->d_name[0] == '.' || strstr(de->d_name, ".jsonl") != NULL)
                continue;
            snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            fuzz_each_file(sub, buf, cap, on_file, ctx);
        }
        if (d != NULL)
            closedir(d);
        return;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    on_file(ctx, buf, n);
}
