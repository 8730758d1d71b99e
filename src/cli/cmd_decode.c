/* cmd_decode.c - `heapev decode`: decode payload or record files, print events. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef enum { MODE_PAYLOAD, MODE_RECORD } decode_mode;

typedef struct decode_opts {
    decode_mode mode;
    unsigned width; /* 4, 8 or HEAPEV_WIDTH_INFER */
    int json;
    heapev_limits limits;
} decode_opts;

void cli_decode_usage(FILE *out)
{
    fputs("usage: heapev decode [--payload|--record] [--bits 32|64] [--json]\n"
          "                     [--user-max-32 ADDR] FILE...\n"
          "\n"
          "Decode heap Alloc events and report every finding ('heapev findings' lists them).\n"
          "FILE '-' reads standard input.\n"
          "\n"
          "  --payload          each FILE is one bare payload (default)\n"
          "  --record           each FILE is records back to back (SYSTEM_TRACE_HEADER +\n"
          "                     payload), each announcing its Size; one event per record\n"
          "  --bits 32|64       payload pointer width (default: infer from 16/28 bytes)\n"
          "  --json             one JSON object per event (JSON Lines)\n"
          "  --user-max-32 ADDR highest 32-bit user address for range checks\n"
          "                     (default 0x7FFEFFFF; 0xBFFEFFFF /3GB, 0xFFFEFFFF WOW64)\n"
          "  -h, --help         this help\n"
          "\n"
          "Exit status: 0 no finding, 1 findings reported, 2 usage or I/O error.\n",
          out);
}

static void print_text(FILE *out, const char *file, size_t offset, const heapev_event *e)
{
    char names[1024];
    fprintf(out, "%s@%zu: %s", file, offset, e->has_header ? "record" : "payload");
    if (e->pointer_width)
        fprintf(out, " %u-bit", e->pointer_width * 8u);
    if (e->has_header) {
        const char *hook = heapev_hook_name(e->header.hook_id);
        fprintf(out, " hook=0x%04x(%s) tid=%" PRIu32 " pid=%" PRIu32 " time=%" PRId64,
                e->header.hook_id, hook ? hook : "unknown", e->header.thread_id,
                e->header.process_id, e->header.system_time);
    }
    if (e->payload_decoded) {
        const char *src = heapev_source_name(e->source);
        fprintf(out, " handle=0x%" PRIx64 " size=%" PRIu64 " address=0x%" PRIx64 " source=%" PRIu32
                     "(%s)",
                e->heap_handle, e->size, e->address, e->source, src ? src : "undefined");
    }
    heapev_findings_format(e->findings, ",", names, sizeof names);
    fprintf(out, " findings=%s\n", e->findings ? names : "none");
}

static int print_json(FILE *out, const char *file, size_t offset, const heapev_event *e)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "file", json_string(file));
    json_object_set_new(obj, "offset", json_integer((json_int_t)offset));
    json_object_set_new(obj, "kind", json_string(e->has_header ? "record" : "payload"));
    cli_json_add_event_fields(obj, e);
    json_object_set_new(obj, "findings", cli_json_findings(e->findings));
    json_object_set_new(obj, "ok", json_boolean(heapev_findings_errors(e->findings) == 0));
    int rc = cli_json_print_line(out, obj);
    json_decref(obj);
    return rc;
}

static int emit(const decode_opts *o, const char *file, size_t offset, const heapev_event *e)
{
    if (o->json)
        return print_json(stdout, file, offset, e);
    print_text(stdout, file, offset, e);
    return 0;
}

/* Decode one file's bytes; returns the worst exit code for it. */
static int decode_bytes(const decode_opts *o, const char *file, const uint8_t *data, size_t len)
{
    heapev_event e;
    int worst = CLI_EXIT_CLEAN;
    size_t off = 0;
    do {
        size_t used = len - off;
        if (o->mode == MODE_PAYLOAD)
            heapev_decode_payload(data, len, o->width, &o->limits, &e);
        else
            heapev_decode_record(data + off, len - off, &o->limits, &e, &used);
        if (emit(o, file, off, &e) != 0)
            return cli_error("<stdout>", "write error");
        if (e.findings != 0)
            worst = CLI_EXIT_FINDINGS;
        off += used;
    } while (o->mode == MODE_RECORD && off < len);
    return worst;
}

static int parse_decode_opts(int argc, char **argv, decode_opts *o)
{
    static const struct option longopts[] = {
        {"payload", no_argument, NULL, 'p'}, {"record", no_argument, NULL, 'r'},
        {"bits", required_argument, NULL, 'b'}, {"json", no_argument, NULL, 'j'},
        {"user-max-32", required_argument, NULL, 'u'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, bits_given = 0;
    uint64_t v;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': o->mode = MODE_PAYLOAD; break;
        case 'r': o->mode = MODE_RECORD; break;
        case 'j': o->json = 1; break;
        case 'b':
            if (strcmp(optarg, "32") != 0 && strcmp(optarg, "64") != 0)
                return cli_usage_error("decode", "--bits takes 32 or 64, not '%s'", optarg);
            o->width = optarg[0] == '3' ? 4 : 8;
            bits_given = 1;
            break;
        case 'u':
            if (cli_parse_u64(optarg, UINT32_MAX, &v) != 0)
                return cli_usage_error("decode", "--user-max-32 takes a 32-bit address, not '%s'",
                                       optarg);
            o->limits.user_max_32 = v;
            break;
        case 'h': cli_decode_usage(stdout); return -1;
        default: return cli_getopt_error("decode", c, argv);
        }
    }
    if (bits_given && o->mode == MODE_RECORD)
        return cli_usage_error("decode", "--bits applies to --payload (a record's HeaderType fixes its width)");
    if (optind >= argc)
        return cli_usage_error("decode", "no FILE given");
    return 0;
}

int cli_decode_main(int argc, char **argv)
{
    decode_opts o = {MODE_PAYLOAD, HEAPEV_WIDTH_INFER, 0, heapev_limits_default()};
    int rc = parse_decode_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_CLEAN : rc;
    int worst = CLI_EXIT_CLEAN;
    for (int i = optind; i < argc; i++) {
        uint8_t *data = NULL;
        size_t len = 0;
        const char *name = strcmp(argv[i], "-") == 0 ? "<stdin>" : argv[i];
        rc = cli_read_file(argv[i], &data, &len) != 0 ? CLI_EXIT_USAGE
                                                      : decode_bytes(&o, name, data, len);
        free(data);
        if (rc > worst)
            worst = rc;
        if (rc == CLI_EXIT_USAGE && ferror(stdout))
            break;
    }
    if (cli_close_output(stdout, "<stdout>") != 0)
        return CLI_EXIT_USAGE;
    return worst;
}
