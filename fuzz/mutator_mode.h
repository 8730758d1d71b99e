/*
 * mutator_mode.h - the input kinds fuzz/mutator.c is built for
 * (-DFUZZ_MUTATOR_MODE=FUZZ_MODE_...; fuzz/meson.build picks one per target
 * from fuzz/targets), shared with its self-test.
 */
#ifndef HEAPEV_FUZZ_MUTATOR_MODE_H
#define HEAPEV_FUZZ_MUTATOR_MODE_H

#define FUZZ_MODE_PAYLOAD 1 /* bare payloads only */
#define FUZZ_MODE_RECORD 2  /* records only */
#define FUZZ_MODE_MIXED 3   /* either: payload_decode's and differential's inputs */
#ifndef FUZZ_MUTATOR_MODE
#define FUZZ_MUTATOR_MODE FUZZ_MODE_MIXED
#endif

#endif
