/*
 * heapev_byod.c - heapev's own decoder behind the bring-your-own-decoder
 * interface: the template to copy, and a decoder run-ci finds nothing in.
 *
 *   fuzz/run-ci --byod fuzz/examples/heapev_byod.c --seconds 30
 */
#include "byod.h"
#include "heapev/decode.h"

int heapev_byod_decode(const uint8_t *data, size_t len)
{
    int events = 0;
    size_t off = 0;
    while (off < len) {
        heapev_event ev;
        size_t consumed = len - off;
        heapev_decode_record(data + off, len - off, NULL, &ev, &consumed);
        events += ev.payload_decoded;
        off += consumed;
    }
    return events;
}
