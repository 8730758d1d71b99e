/*
 * This fuzz target does nothing with its input, to ensure the exec/s of the
 * other targets can be read against the engine's own overhead (built with the
 * same flags).
 */
#include "fuzz_helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data;
    (void)size;
    return 0;
}
