/*
 * explain_etl.c - `heapev explain --etl`: an .etl trace, buffer by buffer.
 * The library's ETL layout walk (heapev/layout_etl.h) decides what is shown
 * and where each container finding sits; this file formats its sections as
 * text or collects them as JSON ranges.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "explain.h"
#include "heapev/etl.h"
#include "heapev/layout_etl.h"

/*
 * The sections of the library's ETL layout walk (heapev/layout_etl.h), in
 * file order, printed as they come, or with --json collected as ranges
 * (the walk decides what is shown and where; this part only formats).
 */
typedef struct etl_out {
    const explain_opts *o;
    const char *file;
    const heapev_layout_etl_walker *walker;
    json_t *list; /* --json: the ranges, else NULL */
    int worst;
} etl_out;

/* One range of @p s as JSON; ranges among decompressed records say so. */
static json_t *json_etl_range(const explain_opts *o, const heapev_layout_etl_section *s,
                              const heapev_layout_range *r, int decompressed)
{
    json_t *obj = explain_json_range(o, s->offset, "buffer", s->buffer, r);
    if (decompressed)
        json_object_set_new(obj, "decompressed", json_true());
    return obj;
}

static void emit_ranges(etl_out *x, const heapev_layout_etl_section *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const heapev_layout_range *r = &s->ranges[i];
        if (x->list != NULL) {
            json_array_append_new(x->list, json_etl_range(x->o, s, r, s->among_decompressed));
            continue;
        }
        explain_print_range_bytes(stdout, x->o, s->bytes, s->offset, r);
        explain_print_range_findings(stdout, x->o, r);
    }
}

/* Findings no range took: one line at the section's offset. */
static void emit_unplaced(etl_out *x, const heapev_layout_etl_section *s)
{
    if (s->unplaced == 0)
        return;
    heapev_layout_range u = {0, 0, 0, HEAPEV_FIELD_UNDECODED, 0, 0, s->unplaced};
    if (x->list != NULL) {
        json_array_append_new(x->list, json_etl_range(x->o, s, &u, s->among_decompressed));
        return;
    }
    printf("  %08" PRIx64 "\n", s->offset);
    explain_print_range_findings(stdout, x->o, &u);
}

static void emit_title(const etl_out *x, const heapev_layout_etl_section *s, const char *what)
{
    if (x->list != NULL)
        return;
    printf("%s @%" PRIu64 "%s: buffer %" PRIu64 ", %s\n", x->file, s->offset,
           s->among_decompressed ? " (decompressed)" : "", s->buffer, what);
    printf("  %-8s  %-24s %-*s %-20s %s\n", "offset", "bytes", x->o->label_width, "field",
           "value", "meaning");
}

/* A title, the ranges, the findings no range took. */
static void emit_layout(etl_out *x, const heapev_layout_etl_section *s, const char *what)
{
    emit_title(x, s, what);
    emit_ranges(x, s);
    emit_unplaced(x, s);
}

static void show_buffer_header(etl_out *x, const heapev_layout_etl_section *s)
{
    char what[96];
    if (s->image_length == 0) { /* empty file: nothing to lay out */
        emit_layout(x, s, "no bytes");
        return;
    }
    if (x->list == NULL && s->buffer > heapev_layout_etl_first_buffer(x->walker))
        putchar('\n');
    if (s->decompressed)
        snprintf(what, sizeof what, "WMI_BUFFER_HEADER (%" PRIu32 " bytes in the file, records "
                 "compressed: %zu bytes once decompressed)", s->buffer_length, s->image_length);
    else
        snprintf(what, sizeof what, "WMI_BUFFER_HEADER (%" PRIu32 " bytes in the file)",
                 s->buffer_length);
    emit_layout(x, s, what);
}

/* A record the reader stepped over: one summary line (one JSON range). */
static void show_skipped(const etl_out *x, const heapev_layout_etl_section *s)
{
    const heapev_etl_skipped *k = &s->item.skipped;
    const char *name = k->has_hook_id ? heapev_hook_name(k->hook_id) : NULL;
    char what[80];
    if (k->has_hook_id)
        snprintf(what, sizeof what, "HookId 0x%04x %s", k->hook_id, name ? name : "(unknown hook)");
    else
        snprintf(what, sizeof what, "HeaderType %u, Flags 0x%02x", k->header_type, k->flags);
    if (x->list != NULL) {
        json_t *obj = json_object();
        json_object_set_new(obj, "offset", json_integer((json_int_t)s->offset));
        json_object_set_new(obj, "length", json_integer((json_int_t)k->size));
        json_object_set_new(obj, "available", json_integer((json_int_t)k->size));
        json_object_set_new(obj, "field", json_string("skipped record"));
        json_object_set_new(obj, "part", json_string("record"));
        json_object_set_new(obj, "buffer", json_integer((json_int_t)s->buffer));
        json_object_set_new(obj, "value", k->has_hook_id ? heapev_emit_hex_json(k->hook_id) : json_null());
        json_object_set_new(obj, "meaning", json_string(what));
        json_object_set_new(obj, "findings", json_array());
        json_array_append_new(x->list, obj);
        return;
    }
    printf("  %08" PRIx64 "  %srecord skipped: %" PRIu32 " bytes, %s%s\n", s->offset,
           x->o->pal->dim, k->size, what, x->o->pal->reset);
}

static void show_records_end(const etl_out *x, const heapev_layout_etl_section *s)
{
    if (x->list == NULL && s->decompressed)
        printf("  %08" PRIx64 "  end of the decompressed records (%zu bytes, header included)\n",
               s->offset, s->at);
    else if (x->list == NULL)
        printf("  %08" PRIx64 "  end of records (%zu of %" PRIu32 " bytes used)\n", s->offset,
               s->at, s->buffer_length);
}

/* --json: the range listed earlier at @p offset with @p r's field, or NULL. */
static json_t *json_listed_range(json_t *list, uint64_t offset, const heapev_layout_range *r)
{
    size_t i;
    json_t *obj;
    json_array_foreach(list, i, obj) {
        const char *field = json_string_value(json_object_get(obj, "field"));
        const char *part = json_string_value(json_object_get(obj, "part"));
        if (json_integer_value(json_object_get(obj, "offset")) == (json_int_t)offset &&
            field != NULL && strcmp(field, heapev_field_name(r->field)) == 0 && part != NULL &&
            strcmp(part, heapev_field_part(r->field)) == 0)
            return obj;
    }
    return NULL;
}

/* --json: add @p f to the findings of a range listed earlier. */
static void json_add_findings(json_t *obj, heapev_findings f)
{
    size_t i;
    json_t *name;
    json_array_foreach(json_object_get(obj, "findings"), i, name) {
        const char *text = json_string_value(name);
        const heapev_finding_info *info = text != NULL ? heapev_finding_by_name(text) : NULL;
        if (info != NULL)
            f |= HEAPEV_FINDING_BIT(info->code);
    }
    json_object_set_new(obj, "findings", heapev_emit_findings_json(f));
}

/* A finding about buffer 0 found after the walk left it: on the field shown before. */
static void show_late(etl_out *x, const heapev_layout_etl_section *s)
{
    heapev_layout_range u = {0, 0, 0, HEAPEV_FIELD_UNDECODED, 0, 0, s->unplaced};
    if (x->list != NULL) { /* the range is listed already: it gains the findings */
        json_t *obj = s->n > 0 ? json_listed_range(x->list, s->offset + s->ranges[0].offset,
                                                   &s->ranges[0]) : NULL;
        if (obj != NULL)
            json_add_findings(obj, s->ranges[0].findings);
        return;
    }
    if (s->n == 0) {
        printf("\nbuffer %" PRIu64 " @%" PRIu64 ":\n", s->buffer, s->offset);
        explain_print_range_findings(stdout, x->o, &u);
        return;
    }
    char value[32], label[32];
    const heapev_layout_range *r = &s->ranges[0];
    explain_value_text(r, value, sizeof value);
    explain_range_label(r, label, sizeof label);
    printf("\n%s: found at the end of the file, about buffer %" PRIu64 "'s logfile header:\n",
           x->file, s->buffer);
    printf("  %08" PRIx64 "  %-24s %s%-*s%s %-20s\n", s->offset + r->offset, "", x->o->pal->field,
           x->o->label_width, label, x->o->pal->reset, value);
    explain_print_range_findings(stdout, x->o, r);
    explain_print_range_findings(stdout, x->o, &u);
}

static void show_section(etl_out *x, const heapev_layout_etl_section *s)
{
    if (heapev_findings_defects(s->findings))
        x->worst = CLI_EXIT_FINDINGS;
    switch (s->part) {
    case HEAPEV_LAYOUT_ETL_BUFFER_HEADER: show_buffer_header(x, s); break;
    case HEAPEV_LAYOUT_ETL_LOGFILE: emit_layout(x, s, "logfile header record"); break;
    case HEAPEV_LAYOUT_ETL_NO_LOGFILE: emit_layout(x, s, "first record (no logfile header)"); break;
    case HEAPEV_LAYOUT_ETL_EVENT: emit_layout(x, s, "heap Alloc record"); break;
    case HEAPEV_LAYOUT_ETL_SKIPPED: show_skipped(x, s); break;
    case HEAPEV_LAYOUT_ETL_RECORD_FINDINGS: emit_layout(x, s, "record with findings"); break;
    case HEAPEV_LAYOUT_ETL_UNPLACED: emit_unplaced(x, s); break;
    case HEAPEV_LAYOUT_ETL_RECORDS_END: show_records_end(x, s); break;
    case HEAPEV_LAYOUT_ETL_LATE: show_late(x, s); break;
    }
}

static int explain_etl_stream(const explain_opts *o, const char *file, FILE *in,
                              const cli_etl_memory *mem)
{
    heapev_etl_stdio src = {in, mem->buf, HEAPEV_ETL_MAX_BUFFER_SIZE, 0, 0, 0};
    heapev_etl_read_options ro = {
        .limits = o->in.limits, .scratch = mem->scratch,
        .scratch_size = HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE)};
    heapev_layout_etl_walker w;
    heapev_layout_etl_section s;
    heapev_layout_etl_walker_init(&w, &ro, heapev_etl_stdio_fetch, &src, o->offset, o->count);
    explain_opts clocked = *o; /* timestamps get dates once the logfile header is read */
    clocked.clock = heapev_etl_reader_logfile(&w.reader);
    etl_out x = {&clocked, file, &w, o->in.json ? json_array() : NULL, CLI_EXIT_CLEAN};
    heapev_etl_status st;
    while ((st = heapev_layout_etl_next(&w, &s)) == HEAPEV_ETL_OK)
        show_section(&x, &s);
    if (st == HEAPEV_ETL_IO_ERROR) {
        json_decref(x.list);
        return cli_error(file, "read error: %s", strerror(src.error));
    }
    if (heapev_layout_etl_offset_beyond(&w)) {
        json_decref(x.list);
        return cli_error(file, "--offset %" PRIu64 " is beyond the last buffer", o->offset);
    }
    if (x.list != NULL) {
        int rc = json_dumpf(x.list, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        json_decref(x.list);
        if (rc != 0 || fputc('\n', stdout) == EOF)
            return cli_error("<stdout>", "write error");
    } else {
        const heapev_etl_stats *t = heapev_etl_reader_stats(&w.reader);
        printf("\n%s: %" PRIu64 " buffers read (%" PRIu64 " decompressed), %" PRIu64
               " heap Alloc records, %" PRIu64 " skipped records, %" PRIu64
               " container findings, %" PRIu64 " notes\n",
               file, t->buffers, t->decompressed, t->events, t->skipped, t->container_items,
               t->notes);
    }
    return x.worst;
}

int explain_etl_file(const explain_opts *o, const char *path, const char *name)
{
    cli_etl_memory mem = {NULL, NULL};
    if (cli_etl_memory_get(&mem) != 0)
        return CLI_EXIT_USAGE;
    int rc;
    if (strcmp(path, "-") == 0) {
        rc = explain_etl_stream(o, name, stdin, &mem);
    } else {
        FILE *f = fopen(path, "rb");
        struct stat st;
        if (f == NULL)
            rc = cli_error(path, "%s", strerror(errno));
        else if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
            rc = cli_error(path, "%s", strerror(EISDIR)), fclose(f);
        else
            rc = explain_etl_stream(o, name, f, &mem), fclose(f);
    }
    cli_etl_memory_free(&mem);
    return rc;
}

