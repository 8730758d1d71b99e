/* event.c - names of Source values, hook ids and header types. */
#include "heapev/event.h"

#include "heapev/format.h"

static const char *const source_names[] = {
    [HEAPEV_SOURCE_LOOKASIDE] = "lookaside",  [HEAPEV_SOURCE_LOWFRAG] = "lowfrag",
    [HEAPEV_SOURCE_MAINPATH] = "mainpath",    [HEAPEV_SOURCE_SLOWPATH] = "slowpath",
    [HEAPEV_SOURCE_INVALID] = "invalid",      [HEAPEV_SOURCE_SEGMENT_HEAP] = "segment_heap",
};

const char *heapev_source_name(uint32_t source)
{
    if (source >= sizeof source_names / sizeof source_names[0])
        return NULL;
    return source_names[source]; /* NULL for 0 */
}

static const struct {
    uint16_t hook_id;
    const char *name;
} hook_names[] = {
    {0x0000u, "logfile_header"},
    {HEAPEV_HOOK_HEAP_CREATE, "heap_create"},
    {HEAPEV_HOOK_HEAP_ALLOC, "heap_alloc"},
    {HEAPEV_HOOK_HEAP_REALLOC, "heap_realloc"},
    {HEAPEV_HOOK_HEAP_DESTROY, "heap_destroy"},
    {HEAPEV_HOOK_HEAP_FREE, "heap_free"},
    {HEAPEV_HOOK_HEAP_EXTEND, "heap_extend"},
    {HEAPEV_HOOK_HEAP_SNAPSHOT, "heap_snapshot"},
    {HEAPEV_HOOK_HEAP_CONTRACT, "heap_contract"},
    {HEAPEV_HOOK_HEAP_LOCK, "heap_lock"},
    {HEAPEV_HOOK_HEAP_UNLOCK, "heap_unlock"},
    {HEAPEV_HOOK_HEAP_VALIDATE, "heap_validate"},
    {HEAPEV_HOOK_HEAP_WALK, "heap_walk"},
};

const char *heapev_hook_name(uint16_t hook_id)
{
    for (size_t i = 0; i < sizeof hook_names / sizeof hook_names[0]; i++)
        if (hook_names[i].hook_id == hook_id)
            return hook_names[i].name;
    return NULL;
}

unsigned heapev_header_type_width(uint8_t header_type)
{
    switch (header_type) {
    case HEAPEV_HEADER_TYPE_SYSTEM32:
    case HEAPEV_HEADER_TYPE_COMPACT32:
        return 4;
    case HEAPEV_HEADER_TYPE_SYSTEM64:
    case HEAPEV_HEADER_TYPE_COMPACT64:
        return 8;
    default:
        return 0;
    }
}

unsigned heapev_header_type_size(uint8_t header_type)
{
    switch (header_type) {
    case HEAPEV_HEADER_TYPE_SYSTEM32:
    case HEAPEV_HEADER_TYPE_SYSTEM64:
        return HEAPEV_HEADER_SIZE_SYSTEM;
    case HEAPEV_HEADER_TYPE_COMPACT32:
    case HEAPEV_HEADER_TYPE_COMPACT64:
        return HEAPEV_HEADER_SIZE_COMPACT;
    default:
        return 0;
    }
}
