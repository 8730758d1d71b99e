/*
 * This fuzz target hands arbitrary bytes to a reviewer's decoder through the
 * bring-your-own-decoder interface (byod.h), to ensure that decoder survives
 * any input: no crash, no sanitizer report, no leak, no hang.
 */
#include "byod.h"
#include "fuzz_helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)heapev_byod_decode(data, size);
    return 0;
}
