/*
 * gen.c - the generator: one decision PRNG, one modelled process per width,
 * and the catalogue. Items come one at a time into caller-owned memory.
 */
#include "heapev/gen.h"

#include <string.h>

/* 2^53: the malformed draw compares 53 random bits with fraction * 2^53 (exact). */
#define TWO_POW_53 9007199254740992.0

/* Producer widths the options allow, as a HEAPEV_GEN_WIDTH_* mask. */
static unsigned allowed_widths(const heapev_gen_options *o)
{
    return o->width == 0 ? HEAPEV_GEN_WIDTH_32 | HEAPEV_GEN_WIDTH_64 : HEAPEV_GEN_WIDTH_BIT(o->width);
}

/* Enabled classes that apply to the format and an allowed width. */
static heapev_gen_classes eligible_classes(const heapev_gen_options *o)
{
    heapev_gen_classes set = 0;
    for (size_t i = 0; i < heapev_gen_well_formed_index(); i++) { /* the applied rows */
        const heapev_gen_class *c = heapev_gen_class_get(i);
        if (o->enabled != 0 && !(o->enabled >> i & 1u))
            continue;
        if ((c->formats & HEAPEV_GEN_FORMAT_BIT(o->format)) && (c->widths & allowed_widths(o)))
            set |= (heapev_gen_classes)1 << i;
    }
    return set;
}

int heapev_gen_init(heapev_gen *g, const heapev_gen_options *o)
{
    if (o->width != 0 && o->width != 4 && o->width != 8)
        return -1;
    if (!(o->malformed >= 0.0 && o->malformed <= 1.0)) /* also rejects NaN */
        return -1;
    if (!(o->share_32 >= 0.0 && o->share_32 < 1.0) || o->families > HEAPEV_GEN_FAMILY_ALL)
        return -1;
    if (o->format != HEAPEV_GEN_FORMAT_PAYLOAD && o->format != HEAPEV_GEN_FORMAT_RECORD)
        return -1;
    heapev_gen_classes eligible = eligible_classes(o);
    if (o->malformed > 0.0 && eligible == 0)
        return -1;
    memset(g, 0, sizeof *g);
    g->eligible = eligible; /* fixed by the options: computed once, not per item */
    g->options = *o;
    heapev_rng_seed(&g->rng, o->seed);
    heapev_gen_model_init(&g->models[0], 4, heapev_rng_next(&g->rng));
    heapev_gen_model_init(&g->models[1], 8, heapev_rng_next(&g->rng));
    g->malformed_threshold = (uint64_t)(o->malformed * TWO_POW_53);
    g->share_32_threshold = (uint64_t)(o->share_32 * TWO_POW_53);
    return 0;
}

/* The k-th (0-based) member of @p set, k uniform. @p set must not be empty. */
static size_t pick_member(heapev_rng *rng, heapev_gen_classes set)
{
    unsigned n = 0;
    for (heapev_gen_classes s = set; s != 0; s &= s - 1)
        n++;
    uint64_t k = heapev_rng_bounded(rng, n);
    for (size_t i = 0;; i++)
        if (set >> i & 1u) {
            if (k == 0)
                return i;
            k--;
        }
}

/* A producer width among @p mask (HEAPEV_GEN_WIDTH_* bits): a coin flip, or the share of 32. */
static unsigned pick_width(heapev_gen *g, unsigned mask)
{
    if (mask == HEAPEV_GEN_WIDTH_32)
        return 4;
    if (mask == HEAPEV_GEN_WIDTH_64)
        return 8;
    if (g->share_32_threshold != 0)
        return (heapev_rng_next(&g->rng) >> 11) < g->share_32_threshold ? 4u : 8u;
    return heapev_rng_bounded(&g->rng, 2) == 0 ? 4u : 8u;
}

/* The header family of the next record: one of the enabled ones, uniformly. */
static unsigned pick_family(heapev_gen *g)
{
    unsigned set = g->options.families, n = 0;
    if (set == 0)
        return HEAPEV_GEN_FAMILY_SYSTEM;
    for (unsigned s = set; s != 0; s &= s - 1)
        n++;
    uint64_t k = n > 1 ? heapev_rng_bounded(&g->rng, n) : 0;
    for (unsigned bit = 1;; bit <<= 1)
        if (set & bit) {
            if (k == 0)
                return bit;
            k--;
        }
}

/* One class, then up to two more that combine with it. */
static heapev_gen_classes pick_classes(heapev_gen *g, unsigned *width)
{
    heapev_gen_classes eligible = g->eligible;
    size_t primary = pick_member(&g->rng, eligible);
    *width = pick_width(g, allowed_widths(&g->options) & heapev_gen_class_get(primary)->widths);
    heapev_gen_classes set = (heapev_gen_classes)1 << primary;
    for (int extra = 0; extra < 2; extra++) {
        if (heapev_rng_bounded(&g->rng, 2) != 0)
            continue;
        size_t c = pick_member(&g->rng, eligible);
        if (heapev_gen_classes_compatible(set, c, g->options.format, *width))
            set |= (heapev_gen_classes)1 << c;
    }
    return set;
}

uint64_t heapev_gen_next(heapev_gen *g, heapev_gen_item *item)
{
    heapev_gen_classes set = 0;
    unsigned width;
    heapev_event event;
    if ((heapev_rng_next(&g->rng) >> 11) < g->malformed_threshold)
        set = pick_classes(g, &width);
    else
        width = pick_width(g, allowed_widths(&g->options));
    heapev_gen_model_event(&g->models[width == 8], &event);
    if (g->options.format == HEAPEV_GEN_FORMAT_RECORD && g->options.families != 0)
        heapev_gen_set_family(&event, pick_family(g));
    heapev_gen_build(&g->rng, &event, g->options.format, set, item);
    return g->index++;
}

void heapev_gen_event(heapev_rng *rng, unsigned width, heapev_gen_format format,
                      heapev_event *event)
{
    heapev_gen_model m;
    heapev_gen_model_init(&m, width, heapev_rng_next(rng));
    heapev_gen_model_event(&m, event);
    event->has_header = format == HEAPEV_GEN_FORMAT_RECORD;
}
