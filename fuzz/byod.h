/**
 * @file byod.h
 * @brief Bring your own decoder: the one function heapev's fuzz harnesses call
 *        when built with -Dbyod=path/to/your_decoder.c.
 *
 * Implement heapev_byod_decode() in one C file (it may include or link
 * whatever it needs through the usual meson/compiler flags), then:
 *
 *     CC=clang meson setup build-byod -Dfuzzing=true -Dbyod=path/to/your_decoder.c \
 *         -Db_sanitize=address,undefined -Db_lundef=false
 *     meson compile -C build-byod fuzzers     # byod_decode, byod_decode_structured
 *     fuzz/run-ci --byod path/to/your_decoder.c --seconds 60
 *
 * The same file builds the regression replay (gcc, -Dfuzzing=false), the
 * libFuzzer targets, the structure-aware variant and AFL++ targets.
 */
#ifndef HEAPEV_FUZZ_BYOD_H
#define HEAPEV_FUZZ_BYOD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Decode @p len bytes as ETW heap Alloc events.
 *
 * @param data the input, valid for @p len bytes and not one more (ASan
 *        reports any read past it). With -Dbyod_kind=record (the default) it
 *        is meant as SYSTEM_TRACE_HEADER records back to back (Size field at
 *        offset 4 delimits each record); with -Dbyod_kind=payload, as one bare
 *        payload (16 bytes from a 32-bit producer, 28 from a 64-bit one). It
 *        may be anything: truncated, oversized, with lying length fields.
 * @param len  number of bytes at @p data (0 is possible; @p data may then be NULL)
 * @pre   no state survives between calls (every call must be independent)
 * @return the number of events decoded (>= 0), or a negative value when the
 *         input was rejected. The harness does not judge the value: a crash,
 *         a sanitizer report, a leak or a hang (25 s) is the finding.
 */
int heapev_byod_decode(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_FUZZ_BYOD_H */
