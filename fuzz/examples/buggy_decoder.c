/*
 * buggy_decoder.c - a third-party-style heap Alloc record decoder with a
 * realistic bug, for the bring-your-own-decoder demo:
 *
 *   fuzz/run-ci --byod fuzz/examples/buggy_decoder.c --seconds 60   # exits non-zero
 *
 * THE BUG: the Source name table has 7 entries (0..6) but the range check
 * lets 7 through ("> 7" instead of "> 6"), so a record whose Source is 7, an
 * undefined value no Windows build emits, reads one pointer past the table
 * (ASan: global-buffer-overflow). Everything else is careful.
 */
#include <stdio.h>
#include <string.h>

#include "byod.h"

struct alloc_event {
    unsigned long long heap, size, address;
    const char *source_name;
};

static const char *const source_names[] = {
    "Unknown", "Lookaside", "LowFrag", "MainPath", "SlowPath", "Invalid", "SegmentHeap",
};

static unsigned long long rd(const unsigned char *p, int n)
{
    unsigned long long v = 0;
    while (n-- > 0)
        v = (v << 8) | p[n];
    return v;
}

static int parse_alloc(const unsigned char *p, size_t n, int ptr, struct alloc_event *ev)
{
    if (n < (size_t)(3 * ptr + 4))
        return -1;
    ev->heap = rd(p, ptr);
    ev->size = rd(p + ptr, ptr);
    ev->address = rd(p + 2 * ptr, ptr);
    unsigned source = (unsigned)rd(p + 3 * ptr, 4);
    if (source > 7) /* BUG: 7 is past the end of source_names */
        source = 0;
    ev->source_name = source_names[source];
    return 0;
}

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    int events = 0;
    size_t off = 0;
    while (len - off >= 24) {
        const unsigned char *rec = data + off;
        unsigned type = rec[2], size = (unsigned)rd(rec + 4, 2), hook = (unsigned)rd(rec + 6, 2);
        size_t hsize = (type == 1 || type == 2) ? 32 : 24;
        if (rec[3] != 0xC0 || type < 1 || type > 4 || size < hsize || size > len - off)
            break;
        if (hook == 0x1021) {
            struct alloc_event ev;
            int ptr = (type == 1 || type == 3) ? 4 : 8;
            if (parse_alloc(rec + hsize, size - hsize, ptr, &ev) == 0 &&
                strlen(ev.source_name) > 0)
                events++;
        }
        off += size;
    }
    return events;
}
