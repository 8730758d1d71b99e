/* encode.c - event -> payload / record bytes, the inverse of decode.c. */
#include "heapev/decode.h"

#include "heapev/le.h"

size_t heapev_payload_size(const heapev_event *event)
{
    unsigned w = event->pointer_width;
    return (w == 4 || w == 8) ? HEAPEV_PAYLOAD_SIZE(w) : 0;
}

size_t heapev_record_size(const heapev_event *event)
{
    unsigned w = heapev_header_type_width(event->header.header_type);
    return w == 0 ? 0 : heapev_header_type_size(event->header.header_type) + HEAPEV_PAYLOAD_SIZE(w);
}

static void write_payload(const heapev_event *e, uint8_t *p, unsigned w)
{
    heapev_write_le_width(p + HEAPEV_PAYLOAD_OFF_HEAP_HANDLE(w), e->heap_handle, w);
    heapev_write_le_width(p + HEAPEV_PAYLOAD_OFF_SIZE(w), e->size, w);
    heapev_write_le_width(p + HEAPEV_PAYLOAD_OFF_ADDRESS(w), e->address, w);
    heapev_write_le32(p + HEAPEV_PAYLOAD_OFF_SOURCE(w), e->source);
}

size_t heapev_encode_payload(const heapev_event *event, void *out, size_t cap)
{
    size_t n = heapev_payload_size(event);
    if (n == 0 || cap < n)
        return 0;
    write_payload(event, out, event->pointer_width);
    return n;
}

static void write_header(const heapev_record_header *h, uint8_t *p, unsigned hsize)
{
    heapev_write_le16(p + HEAPEV_HEADER_OFF_VERSION, h->version);
    p[HEAPEV_HEADER_OFF_HEADER_TYPE] = h->header_type;
    p[HEAPEV_HEADER_OFF_FLAGS] = h->flags;
    heapev_write_le16(p + HEAPEV_HEADER_OFF_SIZE, h->size);
    heapev_write_le16(p + HEAPEV_HEADER_OFF_HOOK_ID, h->hook_id);
    if (hsize == HEAPEV_HEADER_SIZE_PERFINFO) {
        heapev_write_le64(p + HEAPEV_PERFINFO_OFF_SYSTEM_TIME, (uint64_t)h->system_time);
        return;
    }
    heapev_write_le32(p + HEAPEV_HEADER_OFF_THREAD_ID, h->thread_id);
    heapev_write_le32(p + HEAPEV_HEADER_OFF_PROCESS_ID, h->process_id);
    heapev_write_le64(p + HEAPEV_HEADER_OFF_SYSTEM_TIME, (uint64_t)h->system_time);
    if (hsize == HEAPEV_HEADER_SIZE_SYSTEM) {
        heapev_write_le32(p + HEAPEV_HEADER_OFF_KERNEL_TIME, h->kernel_time);
        heapev_write_le32(p + HEAPEV_HEADER_OFF_USER_TIME, h->user_time);
    }
}

size_t heapev_encode_record(const heapev_event *event, void *out, size_t cap)
{
    size_t n = heapev_record_size(event);
    if (n == 0 || cap < n)
        return 0;
    unsigned hsize = heapev_header_type_size(event->header.header_type);
    write_header(&event->header, out, hsize);
    write_payload(event, (uint8_t *)out + hsize, heapev_header_type_width(event->header.header_type));
    return n;
}
