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

/* The trace's options, as the summary line and the compact header both give them. */
static void set_options_json(json_t *obj, const heapev_gen_etl_options *o)
{
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
}

json_t *heapev_emit_summary_json(const heapev_gen_etl_options *o, const heapev_gen_etl_summary *s)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "kind", json_string("summary"));
    set_options_json(obj, o);
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

/* ---- trace manifest: the compact form ----------------------------------- */

static json_t *families_json(unsigned families)
{
    static const char *const names[] = {"system", "compact", "perfinfo"};
    json_t *a = json_array();
    for (unsigned i = 0; i < 3; i++)
        if ((families != 0 ? families : HEAPEV_GEN_FAMILY_ALL) >> i & 1u)
            json_array_append_new(a, json_string(names[i]));
    return a;
}

static json_t *process_json(const heapev_gen_etl_process *p)
{
    json_t *obj = json_object(), *threads = json_array(), *heaps = json_array();
    json_object_set_new(obj, "bits", json_integer(p->width * 8));
    json_object_set_new(obj, "wow64", json_boolean(p->wow64));
    json_object_set_new(obj, "process_id", json_integer(p->process_id));
    for (unsigned t = 0; t < HEAPEV_GEN_THREADS; t++)
        json_array_append_new(threads, json_integer(p->thread_ids[t]));
    json_object_set_new(obj, "thread_ids", threads);
    for (unsigned h = 0; h < HEAPEV_GEN_HEAPS; h++)
        json_array_append_new(heaps, heapev_emit_hex_json(p->heap_handles[h]));
    json_object_set_new(obj, "heap_handles", heaps);
    return obj;
}

/* What every well-formed Alloc event of a trace has, and what an omitted key means. */
static json_t *well_formed_json(void)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "class", heapev_emit_classes_json(0));
    json_object_set_new(obj, "expected_findings", json_array());
    json_object_set_new(obj, "lost", json_false());
    json_object_set_new(obj, "version", json_integer(HEAPEV_HEADER_VERSION));
    json_object_set_new(obj, "flags", json_integer(HEAPEV_HEADER_FLAGS));
    json_object_set_new(obj, "hook_id", heapev_emit_hex_json(HEAPEV_HOOK_HEAP_ALLOC));
    json_object_set_new(obj, "hook_name", name_or_null(heapev_hook_name(HEAPEV_HOOK_HEAP_ALLOC)));
    json_object_set_new(obj, "trailing_bytes", json_integer(0));
    return obj;
}

/* The short keys of compact lines, as the header documents them. */
static json_t *keys_json(void)
{
    static const char *const keys[][2] = {
        {"i", "index: an Alloc event's line (0, 1, 2, ...)"},
        {"k", "kind: \"c\" on a container item's line"},
        {"b", "buffer: only when it differs from the previous line's (first line: always)"},
        {"o", "offset: file offset (decompressed: buffer offset + place in its records)"},
        {"c", "class: event classes applied (omitted: well_formed; container items: container_class)"},
        {"f", "expected_findings (omitted: none)"},
        {"l", "lost: the reader cannot return this event (omitted: false)"},
        {"d", "decompressed: a container item among a compressed buffer's records (every event "
              "of a compressed trace is)"},
    };
    json_t *obj = json_object();
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        json_object_set_new(obj, keys[i][0], json_string(keys[i][1]));
    json_object_set_new(obj, "other keys", json_string("an event's field values that its classes "
                                                       "changed, named as in decode --json"));
    return obj;
}

json_t *heapev_emit_header_json(const heapev_gen_etl_options *o)
{
    heapev_gen_etl_process procs[2];
    int n = heapev_gen_etl_processes(o, procs);
    json_t *obj = json_object(), *pa = json_array();
    json_object_set_new(obj, "kind", json_string("header"));
    json_object_set_new(obj, "form", json_string("compact"));
    set_options_json(obj, o);
    json_object_set_new(obj, "families", families_json(o->families));
    for (int i = 0; i < n; i++)
        json_array_append_new(pa, process_json(&procs[i]));
    json_object_set_new(obj, "processes", pa);
    json_object_set_new(obj, "well_formed", well_formed_json());
    json_object_set_new(obj, "keys", keys_json());
    return obj;
}

void heapev_emit_compact_start(heapev_emit_compact *c, const heapev_gen_etl_options *o)
{
    c->o = o;
    c->buffer = 0;
    c->started = 0;
}

/* A small writer into a line buffer: every put stops at the end (ok = 0). */
typedef struct line_out {
    char *p, *end;
    int ok;
} line_out;

static void put_text(line_out *w, const char *s, size_t n)
{
    if (!w->ok || (size_t)(w->end - w->p) < n) {
        w->ok = 0;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

#define PUT(w, lit) put_text(w, lit, sizeof lit - 1)

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

/* @p v (at most INT64_MAX) in decimal at @p p, which has room for 19 digits; returns the end. */
static char *decimal(char *p, uint64_t v)
{
    unsigned n = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        n++;
    char *end = p + n, *q = end;
    while (v >= 100) { /* two digits a step, from the right */
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        memcpy(q, digit_pairs + 2 * r, 2);
    }
    if (v >= 10)
        memcpy(q - 2, digit_pairs + 2 * v, 2);
    else
        q[-1] = (char)('0' + v);
    return end;
}

/* As heapev_emit_u64_json() writes it: decimal, or "0x..." above INT64_MAX. */
static void put_u64(line_out *w, uint64_t v)
{
    char d[24];
    size_t n = v > INT64_MAX ? (size_t)snprintf(d, sizeof d, "\"0x%" PRIx64 "\"", v)
                             : (size_t)(decimal(d, v) - d);
    put_text(w, d, n);
}

/* A JSON string of a name (class and finding names need no escaping: snake_case). */
static void put_name(void *ctx, const char *name)
{
    line_out *w = ctx;
    if (w->ok && w->p[-1] != '[')
        PUT(w, ",");
    PUT(w, "\"");
    put_text(w, name, strlen(name));
    PUT(w, "\"");
}

static void put_findings(line_out *w, heapev_findings f)
{
    PUT(w, ",\"f\":[");
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++)
        if (f & HEAPEV_FINDING_BIT(c))
            put_name(w, heapev_finding_get(c)->name);
    PUT(w, "]");
}

/* The JSON keys of each HEAPEV_GEN_FIELD_* bit, in heapev_emit_event_json()'s names. */
static const char *const field_keys[][2] = {
    {"bits", NULL},       {"heap_handle", NULL}, {"size", NULL},        {"address", NULL},
    {"source", "source_name"}, {"trailing_bytes", NULL}, {"version", NULL},
    {"header_type", NULL}, {"flags", NULL},     {"size_field", NULL},  {"hook_id", "hook_name"},
    {"kernel_time", "user_time"},
};
_Static_assert(HEAPEV_GEN_FIELD_ALL == (1u << sizeof field_keys / sizeof field_keys[0]) - 1u,
               "a key per field bit");

/* The line of an event whose classes changed fields: built with jansson, then dumped. */
static void put_fields(line_out *w, const heapev_gen_etl_entry *en, unsigned fields)
{
    json_t *all = json_object(), *line = json_object();
    heapev_emit_event_json(all, &en->item->event);
    for (unsigned b = 0; b < sizeof field_keys / sizeof field_keys[0]; b++)
        for (unsigned k = 0; k < 2 && (fields >> b & 1u); k++)
            if (field_keys[b][k] != NULL)
                json_object_set(line, field_keys[b][k], json_object_get(all, field_keys[b][k]));
    size_t n = json_dumpb(line, w->ok ? w->p : NULL, w->ok ? (size_t)(w->end - w->p) : 0,
                          JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(all);
    json_decref(line);
    /* {"k":v,...} becomes ,"k":v,... after what is written (an empty object adds nothing) */
    if (!w->ok || n < 2 || n > (size_t)(w->end - w->p)) {
        w->ok = 0;
        return;
    }
    if (n > 2) {
        w->p[0] = ',';
        w->p += n - 1; /* drop the closing brace: the caller closes the line */
    }
}

/* The line of most events (well-formed, not lost, in the buffer of the line before). */
static int plain_event(const heapev_emit_compact *c, const heapev_gen_etl_entry *en)
{
    return en->kind == HEAPEV_GEN_ETL_EVENT && en->item->classes == 0 && en->expected == 0 &&
           !en->lost && c->started && en->buffer == c->buffer && en->index <= INT64_MAX &&
           en->offset <= INT64_MAX;
}

size_t heapev_emit_entry_compact(heapev_emit_compact *c, const heapev_gen_etl_entry *en,
                                 char *out, size_t cap)
{
    if (cap >= 64 && plain_event(c, en)) { /* {"i":N,"o":N}: at most 51 bytes */
        char *p = out;
        memcpy(p, "{\"i\":", 5);
        p = decimal(p + 5, en->index);
        memcpy(p, ",\"o\":", 5);
        p = decimal(p + 5, en->offset);
        memcpy(p, "}\n", 2);
        return (size_t)(p + 2 - out);
    }
    line_out w = {out, out + cap, 1};
    int event = en->kind == HEAPEV_GEN_ETL_EVENT;
    if (event) {
        PUT(&w, "{\"i\":");
        put_u64(&w, en->index);
    } else {
        PUT(&w, "{\"k\":\"c\"");
    }
    if (!c->started || en->buffer != c->buffer) {
        PUT(&w, ",\"b\":");
        put_u64(&w, en->buffer);
    }
    c->started = 1;
    c->buffer = en->buffer;
    PUT(&w, ",\"o\":");
    put_u64(&w, en->offset);
    if (!event && en->decompressed)
        PUT(&w, ",\"d\":true");
    if (event && en->item->classes != 0) {
        PUT(&w, ",\"c\":[");
        heapev_gen_classes_names(en->item->classes, put_name, &w);
        PUT(&w, "]");
    }
    if (en->expected != 0)
        put_findings(&w, en->expected);
    if (event && en->lost)
        PUT(&w, ",\"l\":true");
    if (event && en->item->classes != 0)
        put_fields(&w, en, heapev_gen_classes_fields(en->item->classes));
    PUT(&w, "}\n");
    return w.ok ? (size_t)(w.p - out) : 0;
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

void heapev_manifest_reader_init(heapev_manifest_reader *r)
{
    memset(r, 0, sizeof *r);
}

/* An unsigned number as heapev_emit_u64_json() writes it (integer or "0x..." text). */
static uint64_t u64_of(const json_t *v, int *ok)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0)
        return (uint64_t)json_integer_value(v);
    const char *t = json_string_value(v);
    if (t != NULL && t[0] == '0' && t[1] == 'x' && t[2] != '\0') {
        char *end = NULL;
        unsigned long long x = strtoull(t + 2, &end, 16);
        if (*end == '\0')
            return (uint64_t)x;
    }
    *ok = 0;
    return 0;
}

/* What kind of line @p obj is: its "kind", or in a compact manifest its short keys. */
static heapev_manifest_kind kind_of(const json_t *obj)
{
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    const char *k = json_string_value(json_object_get(obj, "k"));
    if (kind != NULL)
        return strcmp(kind, "header") == 0      ? HEAPEV_MANIFEST_HEADER
               : strcmp(kind, "summary") == 0   ? HEAPEV_MANIFEST_SUMMARY
               : strcmp(kind, "record") == 0    ? HEAPEV_MANIFEST_EVENT
               : strcmp(kind, "container") == 0 ? HEAPEV_MANIFEST_CONTAINER
                                                : HEAPEV_MANIFEST_OTHER;
    if (k != NULL)
        return strcmp(k, "c") == 0 ? HEAPEV_MANIFEST_CONTAINER : HEAPEV_MANIFEST_OTHER;
    if (json_object_get(obj, "i") != NULL)
        return HEAPEV_MANIFEST_EVENT;
    return HEAPEV_MANIFEST_ITEM;
}

/* A compact header: the defaults of the lines after it. */
static void read_header(heapev_manifest_reader *r, const json_t *obj)
{
    const char *container = json_string_value(json_object_get(obj, "container_class"));
    memset(r, 0, sizeof *r);
    r->compact = 1;
    r->compress = json_is_true(json_object_get(obj, "compress"));
    snprintf(r->container, sizeof r->container, "%s", container != NULL ? container : "");
}

/* A trace entry, full or compact; 0, or -1 when a number is missing or malformed. */
static int read_entry(heapev_manifest_reader *r, const json_t *obj, heapev_manifest_line *line)
{
    int ok = 1, event = line->kind == HEAPEV_MANIFEST_EVENT;
    int compact = json_object_get(obj, "kind") == NULL;
    const json_t *buffer = json_object_get(obj, compact ? "b" : "buffer");
    line->compact = compact;
    if (event)
        line->index = u64_of(json_object_get(obj, compact ? "i" : "index"), &ok);
    line->buffer = buffer != NULL ? u64_of(buffer, &ok) : r->buffer;
    if (buffer == NULL && (!compact || !r->started))
        ok = 0;
    r->buffer = line->buffer;
    r->started = 1;
    line->offset = u64_of(json_object_get(obj, compact ? "o" : "offset"), &ok);
    line->lost = json_is_true(json_object_get(obj, compact ? "l" : "lost"));
    line->decompressed = json_is_true(json_object_get(obj, compact ? "d" : "decompressed")) ||
                         (compact && event && r->compress);
    const json_t *expected = json_object_get(obj, compact ? "f" : "expected_findings");
    int known = 1;
    line->expected = expected != NULL ? heapev_manifest_findings(expected, &known) : 0;
    line->has_expected = expected != NULL ? known : compact; /* compact: omitted = none */
    const json_t *classes = json_object_get(obj, compact ? "c" : "class");
    line->classes = json_is_array(classes) || json_is_string(classes) ? classes : NULL;
    return ok ? 0 : -1;
}

int heapev_manifest_read_line(heapev_manifest_reader *r, const json_t *obj,
                              heapev_manifest_line *line)
{
    memset(line, 0, sizeof *line);
    line->format = -1;
    if (!json_is_object(obj))
        return -1;
    line->obj = obj;
    line->kind = kind_of(obj);
    line->file = json_string_value(json_object_get(obj, "file"));
    if (line->kind != HEAPEV_MANIFEST_ITEM)
        line->format = HEAPEV_GEN_FORMAT_ETL; /* a trace manifest's line */
    if (line->kind == HEAPEV_MANIFEST_HEADER) {
        const char *form = json_string_value(json_object_get(obj, "form"));
        if (form == NULL || strcmp(form, "compact") != 0)
            return -1;
        read_header(r, obj);
        return 0;
    }
    if (line->kind == HEAPEV_MANIFEST_EVENT || line->kind == HEAPEV_MANIFEST_CONTAINER)
        return read_entry(r, obj, line);
    if (line->kind != HEAPEV_MANIFEST_ITEM)
        return 0;
    const char *format = json_string_value(json_object_get(obj, "format"));
    if (format != NULL && strcmp(format, "record") == 0)
        line->format = HEAPEV_GEN_FORMAT_RECORD;
    else if (format != NULL && strcmp(format, "payload") == 0)
        line->format = HEAPEV_GEN_FORMAT_PAYLOAD;
    json_int_t bits = json_integer_value(json_object_get(obj, "decode_bits"));
    line->decode_width = bits == 32 || bits == 64 ? (unsigned)bits / 8u : 0u;
    const json_t *expected = json_object_get(obj, "expected_findings");
    line->has_expected = json_is_array(expected);
    line->expected = heapev_manifest_findings(expected, NULL);
    const json_t *classes = json_object_get(obj, "class");
    line->classes = json_is_array(classes) || json_is_string(classes) ? classes : NULL;
    return 0;
}

void heapev_manifest_classes(const heapev_manifest_reader *r, const heapev_manifest_line *line,
                             void (*fn)(void *ctx, const char *name), void *ctx)
{
    size_t i;
    const json_t *v;
    if (json_is_string(line->classes)) {
        fn(ctx, json_string_value(line->classes));
    } else if (line->classes != NULL) {
        json_array_foreach(line->classes, i, v)
            if (json_is_string(v))
                fn(ctx, json_string_value(v));
    } else if (line->compact && line->kind == HEAPEV_MANIFEST_EVENT) {
        heapev_gen_classes_names(0, fn, ctx); /* omitted: well_formed */
    } else if (line->compact && line->kind == HEAPEV_MANIFEST_CONTAINER && r->container[0] != '\0') {
        fn(ctx, r->container);
    }
}
