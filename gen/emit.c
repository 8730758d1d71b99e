/*
 * emit.c - the generator's emitters: XXH128 file names and the manifest
 * schema (heapev/emit.h), written and read in one place. Output files:
 * emit_file.c.
 */
#include "heapev/emit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

/* ---- names ------------------------------------------------------------- */

void heapev_emit_name(const void *data, size_t len, const char *suffix, char *hex, char *name)
{
    XXH128_canonical_t canon;
    char digits[HEAPEV_EMIT_HASH_HEX + 1];
    XXH128_canonicalFromHash(&canon, XXH3_128bits(data, len));
    for (unsigned i = 0; i < sizeof canon.digest; i++)
        snprintf(digits + 2 * i, 3, "%02x", canon.digest[i]);
    if (hex != NULL)
        memcpy(hex, digits, sizeof digits);
    snprintf(name, HEAPEV_EMIT_NAME_MAX, "%s%.7s", digits, suffix != NULL ? suffix : "");
}

/* ---- manifest: writing -------------------------------------------------- */

json_t *heapev_emit_hex_json(uint64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "0x%" PRIx64, v);
    return json_string(text);
}

json_t *heapev_emit_u64_json(uint64_t v)
{
    return v <= INT64_MAX ? json_integer((json_int_t)v) : heapev_emit_hex_json(v);
}

json_t *heapev_emit_findings_json(heapev_findings findings)
{
    json_t *a = json_array();
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (findings & HEAPEV_FINDING_BIT(c))
            json_array_append_new(a, json_string(heapev_finding_get(c)->name));
    return a;
}

static void append_name(void *ctx, const char *name)
{
    json_array_append_new(ctx, json_string(name));
}

json_t *heapev_emit_classes_json(heapev_gen_classes set)
{
    json_t *a = json_array();
    heapev_gen_classes_names(set, append_name, a);
    return a;
}

static json_t *name_or_null(const char *name)
{
    return name != NULL ? json_string(name) : json_null();
}

static void add_header_fields(json_t *obj, const heapev_record_header *h)
{
    json_object_set_new(obj, "version", json_integer(h->version));
    json_object_set_new(obj, "header_type", json_integer(h->header_type));
    json_object_set_new(obj, "flags", json_integer(h->flags));
    json_object_set_new(obj, "size_field", json_integer(h->size));
    json_object_set_new(obj, "hook_id", heapev_emit_hex_json(h->hook_id));
    json_object_set_new(obj, "hook_name", name_or_null(heapev_hook_name(h->hook_id)));
    json_object_set_new(obj, "thread_id", json_integer(h->thread_id));
    json_object_set_new(obj, "process_id", json_integer(h->process_id));
    json_object_set_new(obj, "system_time", json_integer(h->system_time));
    json_object_set_new(obj, "kernel_time", json_integer(h->kernel_time));
    json_object_set_new(obj, "user_time", json_integer(h->user_time));
}

void heapev_emit_event_json(json_t *obj, const heapev_event *e)
{
    int have = e->payload_decoded;
    json_object_set_new(obj, "bits",
                        e->pointer_width ? json_integer(e->pointer_width * 8) : json_null());
    json_object_set_new(obj, "heap_handle", have ? heapev_emit_hex_json(e->heap_handle) : json_null());
    /* Pointer-sized, like HeapHandle and Address: always "0x..." text, whatever its magnitude. */
    json_object_set_new(obj, "size", have ? heapev_emit_hex_json(e->size) : json_null());
    json_object_set_new(obj, "address", have ? heapev_emit_hex_json(e->address) : json_null());
    json_object_set_new(obj, "source", have ? json_integer(e->source) : json_null());
    json_object_set_new(obj, "source_name",
                        have ? json_string(heapev_source_label(e->source)) : json_null());
    json_object_set_new(obj, "trailing_bytes", json_integer(e->trailing_bytes));
    if (e->has_header)
        add_header_fields(obj, &e->header);
}

static const char *format_name(heapev_gen_format f)
{
    return f == HEAPEV_GEN_FORMAT_RECORD ? "record" : f == HEAPEV_GEN_FORMAT_ETL ? "etl" : "payload";
}

json_t *heapev_emit_item_json(const heapev_gen_item *it, uint64_t seed, uint64_t index,
                              const char *name, const char *hex)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "file", json_string(name));
    json_object_set_new(obj, "xxh128", json_string(hex));
    json_object_set_new(obj, "seed", heapev_emit_u64_json(seed));
    json_object_set_new(obj, "index", heapev_emit_u64_json(index));
    json_object_set_new(obj, "class", heapev_emit_classes_json(it->classes));
    json_object_set_new(obj, "format", json_string(format_name(it->format)));
    json_object_set_new(obj, "length", json_integer((json_int_t)it->len));
    json_object_set_new(obj, "decode_bits", it->decode_width ? json_integer(it->decode_width * 8)
                                                             : json_null());
    heapev_emit_event_json(obj, &it->event); /* "bits" = producer width */
    json_object_set_new(obj, "expected_findings", heapev_emit_findings_json(it->expected));
    return obj;
}

/* The header family of a record's HeaderType, as the manifest names it. */
static const char *family_name(uint8_t header_type)
{
    unsigned size = heapev_header_type_size(header_type);
    return size == HEAPEV_HEADER_SIZE_SYSTEM     ? "system"
           : size == HEAPEV_HEADER_SIZE_COMPACT  ? "compact"
           : size == HEAPEV_HEADER_SIZE_PERFINFO ? "perfinfo" : "other";
}

static json_t *container_name_json(const heapev_gen_etl_options *o)
{
    const heapev_gen_class *c = o->container >= 0 ? heapev_gen_class_get((size_t)o->container) : NULL;
    return c != NULL ? json_string(c->name) : json_null();
}

json_t *heapev_emit_entry_json(const heapev_gen_etl_entry *en, const heapev_gen_etl_options *o)
{
    json_t *obj = json_object();
    int event = en->kind == HEAPEV_GEN_ETL_EVENT;
    json_object_set_new(obj, "kind", json_string(event ? "record" : "container"));
    if (event)
        json_object_set_new(obj, "index", heapev_emit_u64_json(en->index));
    json_object_set_new(obj, "buffer", heapev_emit_u64_json(en->buffer));
    json_object_set_new(obj, "offset", heapev_emit_u64_json(en->offset));
    if (en->decompressed)
        json_object_set_new(obj, "decompressed", json_true());
    if (event) {
        json_object_set_new(obj, "lost", json_boolean(en->lost));
        json_object_set_new(obj, "class", heapev_emit_classes_json(en->item->classes));
        json_object_set_new(obj, "wow64", json_boolean(en->item->width == 4 && o->width == 8));
        json_object_set_new(obj, "family",
                            json_string(family_name(en->item->event.header.header_type)));
        heapev_emit_event_json(obj, &en->item->event);
    } else {
        json_object_set_new(obj, "class", container_name_json(o));
    }
    json_object_set_new(obj, "expected_findings", heapev_emit_findings_json(en->expected));
    return obj;
}

json_t *heapev_emit_summary_json(const heapev_gen_etl_options *o, const heapev_gen_etl_summary *s)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "kind", json_string("summary"));
    json_object_set_new(obj, "seed", heapev_emit_u64_json(o->seed));
    json_object_set_new(obj, "bits", json_integer(o->width * 8));
    json_object_set_new(obj, "count", heapev_emit_u64_json(o->count));
    json_object_set_new(obj, "malformed", json_real(o->malformed));
    json_object_set_new(obj, "noise", json_real(o->noise));
    json_object_set_new(obj, "buffer_size",
                        heapev_emit_u64_json(o->buffer_size ? o->buffer_size
                                                            : HEAPEV_ETL_DEFAULT_BUFFER_SIZE));
    json_object_set_new(obj, "wow64", json_real(o->wow64));
    json_object_set_new(obj, "style",
                        json_string(o->style == HEAPEV_ETL_STYLE_WIN7 ? "win7" : "win10"));
    json_object_set_new(obj, "compress", json_boolean(o->compress));
    json_object_set_new(obj, "container_class", container_name_json(o));
    json_object_set_new(obj, "file_length", heapev_emit_u64_json(s->file_length));
    json_object_set_new(obj, "buffers", heapev_emit_u64_json(s->buffers));
    json_object_set_new(obj, "events", heapev_emit_u64_json(s->events));
    json_object_set_new(obj, "lost", heapev_emit_u64_json(s->lost));
    json_object_set_new(obj, "noise_records", heapev_emit_u64_json(s->noise));
    json_object_set_new(obj, "skipped", heapev_emit_u64_json(s->skipped));
    json_object_set_new(obj, "container_items", heapev_emit_u64_json(s->container_items));
    json_object_set_new(obj, "container_findings",
                        heapev_emit_findings_json(s->container_findings));
    return obj;
}

/* ---- manifest: reading -------------------------------------------------- */

heapev_findings heapev_manifest_findings(const json_t *names, int *ok)
{
    heapev_findings f = 0;
    size_t i;
    const json_t *v;
    if (ok != NULL)
        *ok = json_is_array(names);
    json_array_foreach(names, i, v) {
        const heapev_finding_info *info =
            json_is_string(v) ? heapev_finding_by_name(json_string_value(v)) : NULL;
        if (info != NULL)
            f |= HEAPEV_FINDING_BIT(info->code);
        else if (ok != NULL)
            *ok = 0;
    }
    return f;
}

int heapev_manifest_read_line(const json_t *obj, heapev_manifest_line *line)
{
    memset(line, 0, sizeof *line);
    line->format = -1;
    if (!json_is_object(obj))
        return -1;
    line->file = json_string_value(json_object_get(obj, "file"));
    const char *format = json_string_value(json_object_get(obj, "format"));
    if (format != NULL && strcmp(format, "record") == 0)
        line->format = HEAPEV_GEN_FORMAT_RECORD;
    else if (format != NULL && strcmp(format, "payload") == 0)
        line->format = HEAPEV_GEN_FORMAT_PAYLOAD;
    else if (format == NULL && json_is_string(json_object_get(obj, "kind")))
        line->format = HEAPEV_GEN_FORMAT_ETL; /* a trace manifest's entry or summary line */
    json_int_t bits = json_integer_value(json_object_get(obj, "decode_bits"));
    line->decode_width = bits == 32 || bits == 64 ? (unsigned)bits / 8u : 0u;
    const json_t *expected = json_object_get(obj, "expected_findings");
    line->has_expected = json_is_array(expected);
    line->expected = heapev_manifest_findings(expected, NULL);
    const json_t *classes = json_object_get(obj, "class");
    line->classes = json_is_array(classes) || json_is_string(classes) ? classes : NULL;
    return 0;
}
