/*
 * recdump.c - a small reader of heap Alloc records (SYSTEM_TRACE_HEADER,
 * COMPACT or PERFINFO header + payload, back to back) on standard input,
 * written for `heapev probe` with three planted mistakes (marked PLANTED)
 * of the kind C readers make. Prints CSV: a header line, then one line per
 * heap Alloc (HeapHandle, Size, Address, Source, SourceName); records of
 * other hooks are stepped over. A record it refuses: one line on stderr,
 * exit 1.
 *
 *   heapev probe --format record --stdin --exec build/examples/probe/recdump ...
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_RECORD 65535u

static const char *const source_names[] = {NULL, "lookaside", "lowfrag", "mainpath",
                                           "slowpath", "invalid", "segment_heap"};

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/*
 * PLANTED 1: read exactly @p n bytes, retrying until they come; read()
 * returning 0 (end of input) is retried too, so a record whose Size runs
 * past the end of the input makes the reader spin forever.
 */
static int read_exact(uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(0, buf + got, n - got);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r > 0)
            got += (size_t)r;
    }
    return 0;
}

/* Header size and width of a HeaderType: SYSTEM 32, COMPACT 24, PERFINFO 16 bytes. */
static unsigned header_size(unsigned type, unsigned *width)
{
    *width = type == 2 || type == 4 || type == 17 ? 8 : 4;
    return type == 1 || type == 2 ? 32 : type == 3 || type == 4 ? 24 : type == 16 || type == 17 ? 16 : 0;
}

static int fail(const char *why, uint64_t offset)
{
    fprintf(stderr, "recdump: record at %" PRIu64 ": %s\n", offset, why);
    return 1;
}

int main(void)
{
    static uint8_t rec[MAX_RECORD];
    uint64_t offset = 0;
    puts("HeapHandle,Size,Address,Source,SourceName");
    for (;;) {
        ssize_t first = read(0, rec, 4);
        if (first == 0)
            return 0; /* the end of the input between records */
        if (first < 0 || read_exact(rec + first, 4 - (size_t)first) != 0)
            return fail("read error", offset);
        unsigned width, hs = header_size(rec[2], &width);
        if (hs == 0)
            return fail("unknown HeaderType", offset);
        if (rec[3] != 0xC0)
            return fail("Flags not 0xC0", offset);
        if (read_exact(rec + 4, hs - 4) != 0)
            return fail("read error", offset);
        if (le(rec, 2) != 2)
            return fail("Version not 2", offset);
        unsigned size = (unsigned)le(rec + 4, 2);
        if (size < hs)
            return fail("Size below the header", offset);
        if (read_exact(rec + hs, size - hs) != 0) /* Size trusted: see read_exact */
            return fail("read error", offset);
        if (le(rec + 6, 2) == 0x1021) {
            const uint8_t *p = rec + hs;
            if (size - hs < 3 * width + 4)
                return fail("payload too short", offset);
            uint64_t handle = le(p, width), address = le(p + 2 * width, width);
            /* PLANTED 2: Size read as a 32-bit number, also from 64-bit payloads. */
            uint32_t bytes = (uint32_t)le(p + width, width);
            uint32_t source = (uint32_t)le(p + 3 * width, 4);
            /* PLANTED 3: no bound on Source, and no name for 0: a NULL or wild pointer. */
            const char *name = source <= 6 ? source_names[source] : NULL;
            printf("0x%" PRIx64 ",%" PRIu32 ",0x%" PRIx64 ",%" PRIu32 ",%c%s\n", handle, bytes,
                   address, source, toupper((unsigned char)name[0]), name + 1);
        }
        offset += size;
    }
}
