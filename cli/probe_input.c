/*
 * probe_input.c - `heapev probe`'s inputs: each one made by the generator
 * library from the seed, the class and its number, with the events a
 * correct reader prints (from the generator, never from a decoder); and,
 * for the minimizer's changed bytes, what the library's own readers find in
 * them. The CLI adds no format knowledge: bytes come from gen/, meanings
 * from src/.
 */
#include <stdlib.h>
#include <string.h>

#include "heapev/decode.h"
#include "heapev/etl.h"
#include "probe.h"

const char *const probe_field_names[PROBE_FIELDS] = {"heap_handle", "size", "address", "source"};

#define ETL_MIN_EVENTS 4u   /* a container class needs up to 4 events of its own */
#define ETL_MORE_EVENTS 29u /* plus 0..28 */
#define ETL_NOISE 0.25
#define ETL_WOW64 0.2
#define ETL_MALFORMED 0.5   /* share of the events an event class damages in a trace */

const char *probe_suffix(heapev_gen_format format)
{
    return format == HEAPEV_GEN_FORMAT_ETL ? ".etl" : ".bin";
}

int probe_class_applies(heapev_gen_format format, size_t cls)
{
    const heapev_gen_class *c = heapev_gen_class_get(cls);
    if (c == NULL)
        return 0;
    if (c->stage == HEAPEV_GEN_STAGE_CONTAINER)
        return format == HEAPEV_GEN_FORMAT_ETL;
    return (c->formats & HEAPEV_GEN_FORMAT_BIT(format)) != 0;
}

/* splitmix64's finalizer: every input bit moves every output bit. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* The seed of input @p index of class @p cls: from the class's name, so adding classes moves no other. */
static uint64_t input_seed(uint64_t seed, size_t cls, uint64_t index)
{
    uint64_t h = 0xCBF29CE484222325ull; /* FNV-1a */
    for (const char *p = heapev_gen_class_get(cls)->name; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001B3ull;
    return mix64(seed ^ mix64(h + index * 0x9E3779B97F4A7C15ull));
}

int probe_events_add(probe_events *evs, const probe_event *e)
{
    if (evs->n == evs->cap) {
        size_t cap = evs->cap ? 2 * evs->cap : 16;
        probe_event *v = realloc(evs->v, cap * sizeof *v);
        if (v == NULL)
            return -1;
        evs->v = v, evs->cap = cap;
    }
    evs->v[evs->n++] = *e;
    return 0;
}

static int add_event(probe_events *evs, const heapev_event *ev, int optional)
{
    probe_event e = {{ev->heap_handle, ev->size, ev->address, ev->source}, optional};
    return probe_events_add(evs, &e);
}

void probe_input_free(probe_input *in)
{
    free(in->bytes);
    free(in->expected.v);
    in->bytes = NULL, in->len = 0;
    memset(&in->expected, 0, sizeof in->expected);
}

/* ---- payloads and records ---------------------------------------------------------------------- */

static int make_item(const probe_opts *o, uint64_t seed, probe_input *in)
{
    int wf = in->cls == heapev_gen_well_formed_index();
    heapev_gen_options go = {.seed = seed, .width = 0, .format = o->format,
                             .malformed = wf ? 0.0 : 1.0,
                             .enabled = wf ? 0 : (heapev_gen_classes)1 << in->cls,
                             .families = o->format == HEAPEV_GEN_FORMAT_RECORD ? HEAPEV_GEN_FAMILY_ALL : 0};
    heapev_gen g;
    heapev_gen_item it;
    if (heapev_gen_init(&g, &go) != 0)
        return -1;
    heapev_gen_next(&g, &it); /* the class alone: the only enabled one cannot combine with itself */
    in->bytes = malloc(it.len ? it.len : 1);
    if (in->bytes == NULL)
        return -1;
    memcpy(in->bytes, it.bytes, it.len);
    in->len = it.len;
    in->decode_width = it.decode_width;
    in->findings = it.expected;
    return probe_input_oracle(o, in);
}

/* ---- traces ------------------------------------------------------------------------------------ */

typedef struct trace_out {
    probe_input *in;
    size_t cap;
    int failed;
} trace_out;

static int trace_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    trace_out *t = ctx;
    probe_input *in = t->in;
    size_t end = (size_t)offset + len;
    if (end > t->cap) {
        size_t cap = t->cap ? t->cap : 65536;
        while (cap < end)
            cap *= 2;
        uint8_t *p = realloc(in->bytes, cap);
        if (p == NULL)
            return t->failed = 1, -1;
        memset(p + t->cap, 0, cap - t->cap);
        in->bytes = p, t->cap = cap;
    }
    memcpy(in->bytes + offset, data, len);
    if (end > in->len)
        in->len = end;
    return 0;
}

static int trace_entry(void *ctx, const heapev_gen_etl_entry *e)
{
    trace_out *t = ctx;
    t->in->findings |= e->expected;
    if (e->kind != HEAPEV_GEN_ETL_EVENT)
        return 0;
    if (add_event(&t->in->expected, &e->item->event, e->lost) != 0)
        return t->failed = 1, -1;
    return 0;
}

int probe_input_make_trace(const heapev_gen_etl_options *trace, probe_input *in)
{
    probe_input_free(in);
    in->findings = 0;
    in->trace = *trace;
    uint32_t bsize = trace->buffer_size ? trace->buffer_size : HEAPEV_ETL_DEFAULT_BUFFER_SIZE;
    size_t cap = HEAPEV_GEN_ETL_MEMORY(bsize);
    uint8_t *mem = malloc(cap);
    trace_out t = {in, 0, 0};
    heapev_gen_etl_summary sum;
    int rc = mem == NULL ? -1
                         : heapev_gen_etl_write(trace, mem, cap, trace_sink, &t, trace_entry, &t, &sum);
    free(mem);
    if (rc != 0)
        return probe_input_free(in), -1;
    in->findings |= sum.container_findings;
    in->has_errors = heapev_findings_errors(in->findings) != 0;
    return 0;
}

/* A trace of class @p cls: width, kind, style and size drawn from the input's seed. */
static void trace_options(size_t cls, uint64_t seed, heapev_gen_etl_options *t)
{
    const heapev_gen_class *c = heapev_gen_class_get(cls);
    heapev_rng rng;
    heapev_rng_seed(&rng, seed);
    unsigned kinds = c->stage == HEAPEV_GEN_STAGE_CONTAINER
                         ? c->traces : HEAPEV_GEN_ETL_PLAIN | HEAPEV_GEN_ETL_COMPRESSED;
    int wide = heapev_rng_bounded(&rng, 2) != 0, packed = heapev_rng_bounded(&rng, 2) != 0;
    memset(t, 0, sizeof *t);
    t->seed = seed;
    t->width = !(c->widths & HEAPEV_GEN_WIDTH_32) || (wide && (c->widths & HEAPEV_GEN_WIDTH_64)) ? 8u : 4u;
    t->compress = kinds == HEAPEV_GEN_ETL_COMPRESSED || (kinds != HEAPEV_GEN_ETL_PLAIN && packed);
    t->style = heapev_rng_bounded(&rng, 2) ? HEAPEV_ETL_STYLE_WIN7 : HEAPEV_ETL_STYLE_WIN10;
    t->count = ETL_MIN_EVENTS + heapev_rng_bounded(&rng, ETL_MORE_EVENTS);
    t->buffer_size = heapev_rng_bounded(&rng, 2) ? 2048u : 1024u;
    t->noise = ETL_NOISE;
    t->wow64 = t->width == 8 ? ETL_WOW64 : 0.0;
    t->container = -1;
    if (c->stage == HEAPEV_GEN_STAGE_CONTAINER)
        t->container = (int)cls;
    else if (c->stage != HEAPEV_GEN_STAGE_NONE)
        t->enabled = (heapev_gen_classes)1 << cls, t->malformed = ETL_MALFORMED;
}

int probe_input_make(const probe_opts *o, size_t cls, uint64_t index, probe_input *in)
{
    memset(in, 0, sizeof *in);
    in->cls = cls;
    in->index = index;
    uint64_t seed = input_seed(o->seed, cls, index);
    if (o->format != HEAPEV_GEN_FORMAT_ETL)
        return make_item(o, seed, in) != 0 ? (probe_input_free(in), -1) : 0;
    heapev_gen_etl_options t;
    trace_options(cls, seed, &t);
    return probe_input_make_trace(&t, in);
}

/* ---- what the library reads in any bytes ---------------------------------------------------- */

static int oracle_trace(probe_input *in)
{
    size_t scratch_size = HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE);
    uint8_t *scratch = malloc(scratch_size); /* pages never touched cost nothing */
    if (scratch == NULL)
        return -1;
    heapev_etl_read_options ro = {.scratch = scratch, .scratch_size = scratch_size};
    heapev_etl_reader r;
    heapev_etl_item item;
    heapev_etl_reader_init_memory(&r, &ro, in->bytes, in->len);
    int rc = 0;
    in->findings = 0;
    while (rc == 0 && heapev_etl_next(&r, &item) == HEAPEV_ETL_OK) {
        in->findings |= item.findings;
        if (item.kind == HEAPEV_ETL_ITEM_EVENT && item.event.payload_decoded)
            rc = add_event(&in->expected, &item.event, 0);
    }
    free(scratch);
    return rc;
}

int probe_input_oracle(const probe_opts *o, probe_input *in)
{
    free(in->expected.v);
    memset(&in->expected, 0, sizeof in->expected);
    heapev_event ev;
    heapev_findings f;
    if (o->format == HEAPEV_GEN_FORMAT_ETL) {
        if (oracle_trace(in) != 0)
            return -1;
        in->has_errors = heapev_findings_errors(in->findings) != 0;
        return 0;
    }
    if (o->format == HEAPEV_GEN_FORMAT_RECORD)
        f = heapev_decode_record(in->bytes, in->len, NULL, &ev, NULL);
    else /* the width the reader is told, or none: then it must infer it too */
        f = heapev_decode_payload(in->bytes, in->len,
                                  strstr(o->exec, "{bits}") ? in->decode_width : HEAPEV_WIDTH_INFER,
                                  NULL, &ev);
    in->has_errors = heapev_findings_errors(f) != 0;
    if (!ev.payload_decoded)
        return 0;
    /* Fields read despite an error (a Size field off, say): a reader may print them or not. */
    return add_event(&in->expected, &ev, in->has_errors);
}
