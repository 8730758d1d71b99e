/* etl_detect.c - telling an .etl file by its first bytes (heapev/etl.h). */
#include "heapev/etl.h"

#include "heapev/le.h"

int heapev_etl_detect(const void *data, size_t len)
{
    const uint8_t *p = data;
    if (len < HEAPEV_ETL_DETECT_SIZE)
        return 0;
    const uint8_t *rec = p + HEAPEV_ETL_BUFFER_HEADER_SIZE;
    return rec[HEAPEV_HEADER_OFF_FLAGS] == HEAPEV_ETL_MARKER_FLAGS_HEADER &&
           heapev_header_type_width(rec[HEAPEV_HEADER_OFF_HEADER_TYPE]) != 0 &&
           heapev_read_le16(rec + HEAPEV_HEADER_OFF_HOOK_ID) == HEAPEV_HOOK_LOGFILE_HEADER;
}
