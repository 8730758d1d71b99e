/* cmd_decode.c - `heapev decode`: decode payload, record or .etl files, print events. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "heapev/etl.h"
#include "manifest.h"

typedef struct decode_opts {
    cli_input in;       /* format, width, --json, limits */
    int summary;        /* --summary */
    unsigned threads;   /* --threads: for the data buffers of a fixed-size trace */
    cli_etl_memory etl; /* allocated once, on the first .etl file */
    const char *file;   /* the .etl file being read (for printing a segment's items) */
    manifest dir_manifest; /* the manifest of the last FILE's directory, when no format is given */
    unsigned guessed, ambiguous; /* files read as payloads with no format given; length_ambiguous */
} decode_opts;

void cli_decode_usage(FILE *out)
{
    fputs("usage: heapev decode [--payload|--record|--etl] [--bits 32|64] [--json]\n"
          "                     [--summary] [--threads N] [--user-max-32 ADDR]\n"
          "                     [--user-max-wow64 ADDR] FILE...\n"
          "\n"
          "Decode heap Alloc events and report every finding ('heapev findings' lists\n"
          "them).\n"
          "FILE '-' reads standard input.\n"
          "\n",
          out);
    cli_print_options(out, CLI_CMD_DECODE);
    fputs("\n"
          "Exit status: 0 no finding, 1 findings reported, 2 usage or I/O error. Notes\n"
          "(what Windows writes and a reader must handle, e.g. an unfinished log) are\n"
          "reported but are not findings.\n",
          out);
}

/* What an item read in @p mode is: a record (--record, --etl) or a bare payload. */
static const char *item_kind(cli_mode mode)
{
    return mode == CLI_MODE_RECORD || mode == CLI_MODE_ETL ? "record" : "payload";
}

static void print_text(FILE *out, const char *file, uint64_t offset, const char *kind,
                       const heapev_event *e)
{
    char names[1024];
    fprintf(out, "%s@%" PRIu64 ": %s", file, offset, kind);
    if (e->pointer_width)
        fprintf(out, " %u-bit", e->pointer_width * 8u);
    if (e->has_header) {
        const char *hook = heapev_hook_name(e->header.hook_id);
        fprintf(out, " hook=0x%04x(%s) tid=%" PRIu32 " pid=%" PRIu32 " time=%" PRId64,
                e->header.hook_id, hook ? hook : "unknown", e->header.thread_id,
                e->header.process_id, e->header.system_time);
    }
    if (e->payload_decoded) {
        fprintf(out, " handle=0x%" PRIx64 " size=%" PRIu64 " address=0x%" PRIx64 " source=%" PRIu32
                     "(%s)",
                e->heap_handle, e->size, e->address, e->source, heapev_source_label(e->source));
    }
    heapev_findings_format(e->findings, ",", names, sizeof names);
    fprintf(out, " findings=%s\n", e->findings ? names : "none");
}

static int print_json(FILE *out, const char *file, const heapev_etl_item *item, uint64_t offset,
                      const char *kind, const heapev_event *e)
{
    json_t *obj = json_object();
    cli_json_set_file(obj, file);
    if (item != NULL)
        json_object_set_new(obj, "buffer", json_integer((json_int_t)item->buffer));
    json_object_set_new(obj, "offset", json_integer((json_int_t)offset));
    if (item != NULL && item->decompressed)
        json_object_set_new(obj, "decompressed", json_true());
    json_object_set_new(obj, "kind", json_string(kind));
    heapev_emit_event_json(obj, e);
    cli_json_set_verdict(obj, e->findings);
    int rc = cli_json_print_line(out, obj);
    json_decref(obj);
    return rc;
}

static int emit(const decode_opts *o, cli_mode mode, const char *file, size_t offset,
                const heapev_event *e)
{
    const char *kind = item_kind(mode);
    if (o->in.json)
        return print_json(stdout, file, NULL, offset, kind, e);
    print_text(stdout, file, offset, kind, e);
    return 0;
}

/* The file as one bare payload of @p width (@p mode: how it was chosen); the worst exit code. */
static int decode_payload(decode_opts *o, cli_stream *in, unsigned width, cli_mode mode)
{
    const uint8_t *data;
    size_t len;
    heapev_event e;
    if (cli_stream_payload(in, &data, &len) != 0)
        return CLI_EXIT_USAGE;
    heapev_decode_payload(data, len, width, &o->in.limits, &e);
    if (emit(o, CLI_MODE_PAYLOAD, in->name, 0, &e) != 0)
        return CLI_EXIT_USAGE; /* cli_close_output() names the write error, once */
    if (mode == CLI_MODE_AUTO) { /* no format given, no manifest said one */
        o->guessed++;
        o->ambiguous += (e.findings & HEAPEV_FINDING(LENGTH_AMBIGUOUS)) != 0;
    }
    return e.findings != 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_CLEAN;
}

/* The file as records back to back, one at a time; the worst exit code for it. */
static int decode_records(const decode_opts *o, cli_stream *in, cli_mode mode)
{
    heapev_event e;
    uint64_t at, extra;
    int worst = CLI_EXIT_CLEAN, rc;
    while ((rc = cli_stream_record(in, &o->in.limits, &e, &at, &extra)) > 0) {
        if (emit(o, mode, in->name, at, &e) != 0)
            return CLI_EXIT_USAGE;
        if (e.findings != 0)
            worst = CLI_EXIT_FINDINGS;
    }
    return rc < 0 ? CLI_EXIT_USAGE : worst;
}

static int print_container(FILE *out, const decode_opts *o, const char *file,
                           const heapev_etl_item *it)
{
    if (!o->in.json) {
        char names[1024];
        heapev_findings_format(it->findings, ",", names, sizeof names);
        fprintf(out, "%s@%" PRIu64 ": container buffer=%" PRIu64 " findings=%s\n", file,
                it->offset, it->buffer, names);
        return ferror(out) ? -1 : 0;
    }
    json_t *obj = json_object();
    cli_json_set_file(obj, file);
    json_object_set_new(obj, "buffer", json_integer((json_int_t)it->buffer));
    json_object_set_new(obj, "offset", json_integer((json_int_t)it->offset));
    json_object_set_new(obj, "kind", json_string("container"));
    if (it->decompressed)
        json_object_set_new(obj, "decompressed", json_true());
    cli_json_set_verdict(obj, it->findings);
    int rc = cli_json_print_line(out, obj);
    json_decref(obj);
    return rc;
}

static int print_etl_item(FILE *out, const decode_opts *o, const char *file,
                          const heapev_etl_item *it)
{
    if (it->kind == HEAPEV_ETL_ITEM_CONTAINER)
        return print_container(out, o, file, it);
    if (o->in.json)
        return print_json(out, file, it, it->offset, "record", &it->event);
    print_text(out, file, it->offset, "record", &it->event);
    return ferror(out) ? -1 : 0;
}

/* An item of a segment into its memory (a cli_etl_segments print function). */
static int print_segment_item(void *ctx, FILE *out, const heapev_etl_item *it)
{
    const decode_opts *o = ctx;
    return print_etl_item(out, o, o->file, it);
}

static int print_summary(const decode_opts *o, const char *file, const heapev_etl_stats *s)
{
    if (!o->in.json) {
        printf("%s: buffers=%" PRIu64 " events=%" PRIu64 " skipped=%" PRIu64 " findings=%" PRIu64
               " events_with_findings=%" PRIu64 " container_items=%" PRIu64 " notes=%" PRIu64
               " decompressed=%" PRIu64 "\n",
               file, s->buffers, s->events, s->skipped, s->findings, s->event_findings,
               s->container_items, s->notes, s->decompressed);
        return ferror(stdout) ? -1 : 0;
    }
    json_t *obj = json_object();
    cli_json_set_file(obj, file);
    json_object_set_new(obj, "kind", json_string("summary"));
    json_object_set_new(obj, "buffers", json_integer((json_int_t)s->buffers));
    json_object_set_new(obj, "events", json_integer((json_int_t)s->events));
    json_object_set_new(obj, "skipped", json_integer((json_int_t)s->skipped));
    json_object_set_new(obj, "findings", json_integer((json_int_t)s->findings));
    json_object_set_new(obj, "events_with_findings", json_integer((json_int_t)s->event_findings));
    json_object_set_new(obj, "container_items", json_integer((json_int_t)s->container_items));
    json_object_set_new(obj, "notes", json_integer((json_int_t)s->notes));
    json_object_set_new(obj, "decompressed", json_integer((json_int_t)s->decompressed));
    int rc = cli_json_print_line(stdout, obj);
    json_decref(obj);
    return rc;
}

/* Every item @p r returns (until it ends or pauses), printed unless --summary; -1 on a write error. */
static int print_items(const decode_opts *o, const char *file, heapev_etl_reader *r,
                       heapev_etl_status *st, int *worst)
{
    heapev_etl_item it;
    while ((*st = heapev_etl_next(r, &it)) == HEAPEV_ETL_OK) {
        if (heapev_findings_defects(it.findings) != 0)
            *worst = CLI_EXIT_FINDINGS;
        if (!o->summary && print_etl_item(stdout, o, file, &it) != 0)
            return -1;
    }
    return 0;
}

/* Stream one .etl file buffer by buffer through one BufferSize-bounded buffer. */
static int decode_etl_stream(decode_opts *o, cli_stream *in)
{
    heapev_etl_stdio src;
    heapev_etl_reader r;
    heapev_etl_status st;
    int worst = CLI_EXIT_CLEAN;
    cli_etl_reader_from_stream(&r, &src, in, &o->etl, &o->in.limits);
    if (print_items(o, in->name, &r, &st, &worst) != 0)
        return CLI_EXIT_USAGE; /* cli_close_output() names the write error, once */
    if (st == HEAPEV_ETL_IO_ERROR)
        return cli_error(in->name, "read error: %s", strerror(src.error));
    if (o->summary && print_summary(o, in->name, heapev_etl_reader_stats(&r)) != 0)
        return CLI_EXIT_USAGE;
    return worst;
}

/* After buffer 0: the data buffers in segments on o->threads threads, or the rest in order. */
static int decode_etl_rest(decode_opts *o, const char *file, int fd, uint64_t size,
                           cli_etl_map *map, heapev_etl_reader *r, heapev_etl_status *st,
                           int *worst)
{
    if (heapev_etl_reader_segmentable(r) && o->threads > 1) {
        cli_etl_map_close(map); /* each segment maps its own bytes */
        o->file = file;
        cli_etl_segments seg = {fd, size, o->threads, o->summary ? NULL : print_segment_item, o,
                                stdout};
        int err = cli_etl_read_segments(&seg, r, worst);
        if (err != 0)
            return ferror(stdout) ? CLI_EXIT_USAGE : cli_error(file, "%s", strerror(err));
    } else {
        heapev_etl_reader_unpause(r);
    }
    return print_items(o, file, r, st, worst) != 0 ? CLI_EXIT_USAGE : 0;
}

/*
 * A regular file through mapped windows: buffer 0 first; then a fixed-size
 * trace's data buffers in segments on o->threads threads, or the rest of a
 * compressed one in order. The same items and counters as the stream path.
 */
static int decode_etl_mapped(decode_opts *o, const char *file, int fd, uint64_t size,
                             cli_etl_map *map)
{
    heapev_etl_reader r;
    heapev_etl_status st;
    int worst = CLI_EXIT_CLEAN, rc = 0;
    heapev_etl_read_options ro = {.limits = o->in.limits,
                                  .scratch = o->etl.scratch,
                                  .scratch_size = HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE)};
    heapev_etl_reader_init(&r, &ro, cli_etl_map_fetch, map);
    heapev_etl_reader_pause_at(&r, 1);
    if (print_items(o, file, &r, &st, &worst) != 0)
        rc = CLI_EXIT_USAGE;
    if (rc == 0 && st == HEAPEV_ETL_END && heapev_etl_reader_paused(&r))
        rc = decode_etl_rest(o, file, fd, size, map, &r, &st, &worst);
    if (rc == 0 && st == HEAPEV_ETL_IO_ERROR)
        rc = cli_error(file, "read error: %s", strerror(map->error));
    cli_etl_map_close(map);
    if (rc == 0 && o->summary && print_summary(o, file, heapev_etl_reader_stats(&r)) != 0)
        rc = CLI_EXIT_USAGE;
    return rc != 0 ? rc : worst;
}

/* One .etl file: mapped when it is a regular file that can be, else streamed. */
static int decode_etl(decode_opts *o, cli_stream *in)
{
    if (cli_etl_memory_get(&o->etl) != 0)
        return CLI_EXIT_USAGE;
    cli_etl_map map;
    if (in->f != stdin && in->regular_size != UINT64_MAX &&
        cli_etl_map_open(&map, fileno(in->f), in->regular_size) == 0)
        return decode_etl_mapped(o, in->name, fileno(in->f), in->regular_size, &map);
    return decode_etl_stream(o, in); /* a pipe, a device, an empty file */
}

/*
 * Decode one FILE in the format given, else its directory manifest's (a
 * corpus from `heapev gen --out DIR`: format and width), else an .etl when
 * its first bytes are one's, else a bare payload.
 */
static int decode_file(decode_opts *o, const char *path)
{
    cli_stream in;
    cli_mode mode = o->in.mode;
    unsigned width = o->in.width;
    const manifest_entry *me = NULL;
    if (mode == CLI_MODE_AUTO && strcmp(path, "-") != 0)
        me = manifest_lookup(&o->dir_manifest, path);
    if (me != NULL && me->mode != CLI_MODE_AUTO) {
        mode = me->mode;
        width = width != HEAPEV_WIDTH_INFER ? width : me->width;
    }
    if (cli_stream_open(&in, path) != 0)
        return CLI_EXIT_USAGE;
    int etl = mode == CLI_MODE_AUTO ? cli_stream_looks_etl(&in) : 0;
    if (etl > 0)
        mode = CLI_MODE_ETL;
    int rc = etl < 0                   ? CLI_EXIT_USAGE
             : mode == CLI_MODE_ETL    ? decode_etl(o, &in)
             : mode == CLI_MODE_RECORD ? decode_records(o, &in, mode)
                                       : decode_payload(o, &in, width, mode);
    cli_stream_close(&in);
    return rc;
}

static int parse_decode_opts(int argc, char **argv, decode_opts *o)
{
    const struct option *longopts = cli_longopts(CLI_CMD_DECODE);
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if ((rc = cli_input_option("decode", c, optarg, &o->in)) != 0) {
            if (rc != 1)
                return rc;
        } else if (c == CLI_OPT_SUMMARY) {
            o->summary = 1;
        } else if (c == CLI_OPT_THREADS) {
            uint64_t n;
            if (cli_parse_u64(optarg, 64, &n) != 0 || n == 0)
                return cli_usage_error("decode", "--threads takes 1..64, not '%s'", optarg);
            o->threads = (unsigned)n;
        } else if (c == CLI_OPT_HELP) {
            cli_decode_usage(stdout);
            return -1;
        } else {
            return cli_getopt_error("decode", c, argv);
        }
    }
    if (cli_input_check_bits("decode", &o->in, 1) != 0)
        return CLI_EXIT_USAGE;
    if (o->summary && o->in.mode != CLI_MODE_ETL)
        return cli_usage_error("decode", "--summary applies to --etl");
    if (optind >= argc)
        return cli_usage_error("decode", "no FILE given");
    return 0;
}

int cli_decode_main(int argc, char **argv)
{
    decode_opts o;
    memset(&o, 0, sizeof o);
    o.in = cli_input_defaults();
    o.threads = cli_etl_threads_default();
    int rc = parse_decode_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_CLEAN : rc;
    int worst = CLI_EXIT_CLEAN;
    for (int i = optind; i < argc; i++) {
        rc = decode_file(&o, argv[i]);
        if (rc > worst)
            worst = rc;
        if (rc == CLI_EXIT_USAGE && ferror(stdout))
            break;
    }
    cli_etl_memory_free(&o.etl);
    manifest_free(&o.dir_manifest);
    if (cli_close_output(stdout, "<stdout>") != 0)
        return CLI_EXIT_USAGE;
    if (o.guessed > 0 && o.ambiguous == o.guessed)
        cli_warn_all_ambiguous("decode", o.guessed);
    return worst;
}
