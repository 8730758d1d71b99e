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

const char *heapev_source_label(uint32_t source)
{
    const char *name = heapev_source_name(source);
    return name != NULL ? name : HEAPEV_SOURCE_UNDEFINED_NAME;
}

static const struct {
    uint16_t hook_id;
    const char *name;
} hook_names[] = {
    {HEAPEV_HOOK_LOGFILE_HEADER, "logfile_header"},
    {HEAPEV_HOOK_HEADER_DBGID_RSDS, "header_dbgid_rsds"},
    {HEAPEV_HOOK_HEADER_BUILD_LAB, "header_build_lab"},
    {HEAPEV_HOOK_HEADER_EXT_50, "header_extension_0x50"},
    {HEAPEV_HOOK_HEADER_EXT_52, "header_extension_0x52"},
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
    case HEAPEV_HEADER_TYPE_PERFINFO32:
        return 4;
    case HEAPEV_HEADER_TYPE_SYSTEM64:
    case HEAPEV_HEADER_TYPE_COMPACT64:
    case HEAPEV_HEADER_TYPE_PERFINFO64:
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
    case HEAPEV_HEADER_TYPE_PERFINFO32:
    case HEAPEV_HEADER_TYPE_PERFINFO64:
        return HEAPEV_HEADER_SIZE_PERFINFO;
    default:
        return 0;
    }
}

unsigned heapev_header_type_time_offset(uint8_t header_type)
{
    unsigned size = heapev_header_type_size(header_type);
    if (size == HEAPEV_HEADER_SIZE_PERFINFO)
        return HEAPEV_PERFINFO_OFF_SYSTEM_TIME;
    return size != 0 ? HEAPEV_HEADER_OFF_SYSTEM_TIME : 0;
}
