/*
 * internal.h - what the generator's modules share and no user needs: the
 * container rows (gen/etl.c) that the one catalogue (gen/catalogue.c) lists
 * after its own.
 */
#ifndef HEAPEV_GEN_INTERNAL_H
#define HEAPEV_GEN_INTERNAL_H

#include <stddef.h>

#include "heapev/catalogue.h"

/* Number of container classes, and container class @p i (NULL past the end). */
size_t heapev_gen_container_count(void);
const heapev_gen_class *heapev_gen_container_get(size_t i);

/* Catalogue index of container class 0. */
size_t heapev_gen_container_base(void);

#endif /* HEAPEV_GEN_INTERNAL_H */
