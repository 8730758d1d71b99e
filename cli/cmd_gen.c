/*
 * cmd_gen.c - `heapev gen`: generate events with the generator library and
 * write them as XXH128-named files plus a manifest, or as one stream.
 *
 * Every byte comes from heapev_gen (gen/); this file only parses options,
 * names files, writes them atomically and prints the manifest.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "cli.h"
#include "heapev/gen.h"

#define GEN_DEFAULT_SEED 1u
#define GEN_DEFAULT_COUNT 1000u
#define GEN_PROGRESS_EVERY 65536u
#define GEN_STREAM_BUFFER (1u << 20)
#define GEN_PATH_MAX 4096u
#define XXH128_HEX_LEN 32u
/* Internal result of a write loop stopped by a signal (never an exit code). */
#define GEN_INTERRUPTED (-1)

typedef struct gen_opts {
    heapev_gen_options gen;
    uint64_t count;
    const char *out_dir;
    int stream;
    int list;
    int json;
    int malformed_given;
    /* --format etl (gen_etl.c) */
    int etl;
    int bits_given;
    const char *manifest;
    uint64_t buffer_size;
    double noise;
    int noise_given, buffer_size_given;
    int container; /* container class index, -1 none */
    double wow64;  /* 64-bit traces: share of WOW64 events */
    int wow64_given;
    int compress;
    heapev_etl_style style;
    int style_given;
} gen_opts;

/* --format etl: one .etl trace and its manifest (below). */
static int gen_etl_check(gen_opts *o);
static int gen_etl_run(const gen_opts *o);
static int list_classes_etl(int json);

/* What a run with --out did, for the closing line and the tests. */
typedef struct gen_stats {
    uint64_t events;
    uint64_t written;
    uint64_t duplicates;
} gen_stats;

void cli_gen_usage(FILE *out)
{
    fputs("usage: heapev gen [--seed S] [--count N] [--bits 32|64|mixed]\n"
          "                  [--format payload|record] [--malformed R] [--class NAME]...\n"
          "                  (--out DIR | --stream)\n"
          "       heapev gen --format etl [--seed S] [--count N] [--bits 32|64] [--malformed R]\n"
          "                  [--class NAME]... [--noise R] [--buffer-size N] [--manifest PATH]\n"
          "                  [--wow64 R] [--style win10|win7] [--compress] --out FILE.etl\n"
          "       heapev gen --list-classes [--format etl] [--json]\n"
          "\n"
          "Generate heap Alloc events from a modelled process, a fraction of them damaged\n"
          "by malformation classes, each labelled with the findings a decoder must report.\n"
          "The same arguments give the same bytes on every host.\n"
          "\n"
          "  --seed S          seed (default 1; printed on stderr)\n"
          "  --count N         number of events (default 1000)\n"
          "  --bits B          producer pointer width: 32, 64 or mixed (default mixed)\n"
          "  --format F        payload (bare payloads, default), record (SYSTEM_TRACE_HEADER\n"
          "                    + payload) or etl (one .etl trace, see below)\n"
          "  --malformed R     fraction of malformed events, 0..1 (default 0, or 1 with\n"
          "                    --class)\n"
          "  --class NAME      malformed events use only these classes (repeatable)\n"
          "  --out DIR         one file per distinct event, DIR/<XXH128 hex>.bin, and\n"
          "                    DIR/manifest.jsonl with one line per event\n"
          "  --stream          all events back to back on standard output\n"
          "  --list-classes    print the malformation classes and their findings (with\n"
          "                    --format etl: those usable in a trace and the container ones)\n"
          "\n"
          "With --format etl, --out FILE is one .etl trace of --count heap Alloc events\n"
          "(PointerSize from --bits 32 or 64, default 64; mixed is refused), and\n"
          "FILE.manifest.jsonl (or --manifest PATH) lists the events and container items\n"
          "a reader must return, in its order, then a summary line. --class takes event\n"
          "classes and at most one container class (etl_*).\n"
          "Alloc records come in SYSTEM, COMPACT and PERFINFO headers (drawn per event).\n"
          "  --noise R         fraction of noise records (Free, ReAlloc, Create, Destroy)\n"
          "                    among all records, 0..0.99 (default 0)\n"
          "  --wow64 R         64-bit traces: fraction of Alloc events from 32-bit (WOW64)\n"
          "                    processes, in 32-bit headers, 0..0.9 (default 0.2)\n"
          "  --style S         win10 (default: header-extension records, processor-index\n"
          "                    buffer flags) or win7 (header buffer SavedOffset 0)\n"
          "  --compress        a compressed trace as pktmon writes it: buffer 0 plain and\n"
          "                    short, the others LZXpress-compressed, back to back\n"
          "  --buffer-size N   buffer size, multiple of 8, 1024..16 MiB (default 65536)\n"
          "  --manifest PATH   where the manifest goes (default FILE.manifest.jsonl)\n"
          "  --json            with --list-classes: one JSON object per class\n"
          "  -h, --help        this help\n"
          "\n"
          "Expected findings assume the default limits (32-bit user limit 0x7FFEFFFF).\n"
          "docs/GENERATOR.md describes the classes and the manifest.\n",
          out);
}

/* ---- --list-classes ----------------------------------------------------------- */

static json_t *formats_json(unsigned formats)
{
    json_t *a = json_array();
    if (formats & HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_PAYLOAD))
        json_array_append_new(a, json_string("payload"));
    if (formats & HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_RECORD))
        json_array_append_new(a, json_string("record"));
    return a;
}

static json_t *widths_json(unsigned widths)
{
    json_t *a = json_array();
    if (widths & HEAPEV_GEN_WIDTH_32)
        json_array_append_new(a, json_integer(32));
    if (widths & HEAPEV_GEN_WIDTH_64)
        json_array_append_new(a, json_integer(64));
    return a;
}

static int list_class_json(const heapev_gen_class *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "description", json_string(c->description));
    json_object_set_new(o, "how", json_string(c->how));
    json_object_set_new(o, "stage", json_string(c->stage == HEAPEV_GEN_STAGE_EVENT ? "event"
                                                                                  : "bytes"));
    json_object_set_new(o, "formats", formats_json(c->formats));
    json_object_set_new(o, "bits", widths_json(c->widths));
    json_object_set_new(o, "expected_findings", cli_json_findings(c->findings));
    int rc = cli_json_print_line(stdout, o);
    json_decref(o);
    return rc;
}

static void list_class_text(const heapev_gen_class *c)
{
    char names[512];
    heapev_findings_format(c->findings, ",", names, sizeof names);
    printf("%-28s %-15s %s\n    %s\n    how: %s\n", c->name,
           c->formats == HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_RECORD) ? "record"
           : c->formats == HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_PAYLOAD) ? "payload"
                                                                             : "payload,record",
           c->findings ? names : "none", c->description, c->how);
}

/* The well_formed pseudo-class first: it names unmodified events in the manifest. */
static int list_classes(int json)
{
    static const heapev_gen_class well_formed = {
        "well_formed", "the model's event, unchanged", "nothing applied", 0,
        HEAPEV_GEN_STAGE_EVENT,
        HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_PAYLOAD) | HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_RECORD),
        HEAPEV_GEN_WIDTH_32 | HEAPEV_GEN_WIDTH_64, 0, 0, 4};
    for (size_t i = 0; i <= heapev_gen_class_count(); i++) {
        const heapev_gen_class *c = i == 0 ? &well_formed : heapev_gen_class_get(i - 1);
        if (json && list_class_json(c) != 0)
            return cli_error("<stdout>", "write error");
        if (!json)
            list_class_text(c);
    }
    return cli_close_output(stdout, "<stdout>") != 0 ? CLI_EXIT_USAGE : CLI_EXIT_CLEAN;
}

/* ---- option parsing --------------------------------------------------------------- */

static int parse_fraction(const char *text, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || v < 0.0 || v > 1.0)
        return -1;
    *out = v;
    return 0;
}

static int parse_value(int c, const char *arg, gen_opts *o)
{
    int k;
    switch (c) {
    case 's':
        return cli_parse_u64(arg, UINT64_MAX, &o->gen.seed) == 0
                   ? 0 : cli_usage_error("gen", "--seed takes an unsigned 64-bit number, not '%s'", arg);
    case 'n':
        return cli_parse_u64(arg, UINT64_MAX, &o->count) == 0
                   ? 0 : cli_usage_error("gen", "--count takes a number, not '%s'", arg);
    case 'b':
        o->bits_given = 1;
        if (strcmp(arg, "32") != 0 && strcmp(arg, "64") != 0 && strcmp(arg, "mixed") != 0)
            return cli_usage_error("gen", "--bits takes 32, 64 or mixed, not '%s'", arg);
        o->gen.width = arg[0] == '3' ? 4u : arg[0] == '6' ? 8u : 0u;
        return 0;
    case 'f':
        if (strcmp(arg, "payload") != 0 && strcmp(arg, "record") != 0 && strcmp(arg, "etl") != 0)
            return cli_usage_error("gen", "--format takes payload, record or etl, not '%s'", arg);
        o->gen.format = arg[0] == 'p' ? HEAPEV_GEN_FORMAT_PAYLOAD : HEAPEV_GEN_FORMAT_RECORD;
        o->etl = arg[0] == 'e';
        return 0;
    case 'm':
        o->malformed_given = 1;
        return parse_fraction(arg, &o->gen.malformed) == 0
                   ? 0 : cli_usage_error("gen", "--malformed takes a fraction 0..1, not '%s'", arg);
    case 'c':
        if ((k = heapev_gen_etl_class_find(arg)) >= 0) {
            if (o->container >= 0 && o->container != k)
                return cli_usage_error("gen", "one container class per trace ('%s' and '%s')",
                                       heapev_gen_etl_class_get((size_t)o->container)->name, arg);
            o->container = k;
            return 0;
        }
        if ((k = heapev_gen_class_find(arg)) < 0)
            return cli_usage_error("gen", "no class '%s' (see 'heapev gen --list-classes')", arg);
        o->gen.enabled |= (heapev_gen_classes)1 << k;
        return 0;
    case 'N':
        o->noise_given = 1;
        return parse_fraction(arg, &o->noise) == 0 && o->noise <= 0.99
                   ? 0 : cli_usage_error("gen", "--noise takes a fraction 0..0.99, not '%s'", arg);
    case 'W':
        o->wow64_given = 1;
        return parse_fraction(arg, &o->wow64) == 0 && o->wow64 <= 0.9
                   ? 0 : cli_usage_error("gen", "--wow64 takes a fraction 0..0.9, not '%s'", arg);
    case 'y':
        o->style_given = 1;
        if (strcmp(arg, "win10") != 0 && strcmp(arg, "win7") != 0)
            return cli_usage_error("gen", "--style takes win10 or win7, not '%s'", arg);
        o->style = strcmp(arg, "win7") == 0 ? HEAPEV_ETL_STYLE_WIN7 : HEAPEV_ETL_STYLE_WIN10;
        return 0;
    case 'B':
        o->buffer_size_given = 1;
        return cli_parse_u64(arg, 16u << 20, &o->buffer_size) == 0 && o->buffer_size >= 1024 &&
                       o->buffer_size % 8 == 0
                   ? 0 : cli_usage_error("gen", "--buffer-size takes a multiple of 8 in "
                                                "1024..16777216, not '%s'", arg);
    default:
        return cli_usage_error("gen", "internal: option %d", c);
    }
}

static int check_opts(gen_opts *o)
{
    if (o->list)
        return o->etl ? 0 : o->container >= 0
                   ? cli_usage_error("gen", "container classes need --format etl") : 0;
    if (o->etl)
        return gen_etl_check(o);
    if (o->container >= 0)
        return cli_usage_error("gen", "container class '%s' needs --format etl",
                               heapev_gen_etl_class_get((size_t)o->container)->name);
    if (o->noise_given || o->buffer_size_given || o->manifest != NULL || o->wow64_given ||
        o->style_given || o->compress)
        return cli_usage_error("gen", "--noise, --buffer-size, --manifest, --wow64, --style and "
                                      "--compress need --format etl");
    if (o->json)
        return cli_usage_error("gen", "--json applies to --list-classes");
    if ((o->out_dir != NULL) == o->stream)
        return cli_usage_error("gen", "give exactly one of --out DIR and --stream");
    if (o->gen.enabled != 0 && !o->malformed_given)
        o->gen.malformed = 1.0;
    heapev_gen probe;
    if (heapev_gen_init(&probe, &o->gen) != 0)
        return cli_usage_error("gen", "no selected class applies to --format %s --bits %s",
                               o->gen.format == HEAPEV_GEN_FORMAT_RECORD ? "record" : "payload",
                               o->gen.width == 4 ? "32" : o->gen.width == 8 ? "64" : "mixed");
    return 0;
}

/* Returns 0 to run, -1 when --help was printed, or an exit code. */
static int parse_gen_opts(int argc, char **argv, gen_opts *o)
{
    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'}, {"count", required_argument, NULL, 'n'},
        {"bits", required_argument, NULL, 'b'}, {"format", required_argument, NULL, 'f'},
        {"malformed", required_argument, NULL, 'm'}, {"class", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'}, {"stream", no_argument, NULL, 'S'},
        {"list-classes", no_argument, NULL, 'l'}, {"json", no_argument, NULL, 'j'},
        {"noise", required_argument, NULL, 'N'}, {"buffer-size", required_argument, NULL, 'B'},
        {"manifest", required_argument, NULL, 'M'}, {"wow64", required_argument, NULL, 'W'},
        {"style", required_argument, NULL, 'y'}, {"compress", no_argument, NULL, 'z'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out_dir = optarg; break;
        case 'M': o->manifest = optarg; break;
        case 'S': o->stream = 1; break;
        case 'l': o->list = 1; break;
        case 'j': o->json = 1; break;
        case 'z': o->compress = 1; break;
        case 'h': cli_gen_usage(stdout); return -1;
        case ':':
        case '?': return cli_getopt_error("gen", c, argv);
        default:
            if ((rc = parse_value(c, optarg, o)) != 0)
                return rc;
        }
    }
    if (optind < argc)
        return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
    return check_opts(o);
}

/* ---- interruption ------------------------------------------------------------------ */

/*
 * The number of the signal (SIGINT, SIGTERM, SIGHUP) that asked a run with
 * --out to stop, 0 while none has. The one piece of global mutable state in
 * heapev gen, and it must be global: a signal handler receives nothing but the
 * signal number, so a file-scope volatile sig_atomic_t is the only thing it
 * may portably write (C11 7.14.1.1). The handler does nothing else, so it is
 * async-signal-safe and never ends the process itself: the write loops test
 * the flag between writes, so every event file is whole and renamed before
 * the loop stops. With --out DIR the manifest written so far (one line per
 * file kept, a prefix of the whole run's) is then renamed into place; a
 * .etl trace and its manifest are discarded, the previous ones left as they
 * were. No write is cut by the signal, so no signal needs blocking; only
 * SIGKILL, which nothing can catch, can leave a ".NAME.PID.tmp" behind.
 */
static volatile sig_atomic_t gen_stop_signal;

static void gen_on_signal(int sig)
{
    gen_stop_signal = sig;
}

/* Catch the stop signals, except those the caller ignores (nohup, a background job). */
static void gen_catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = gen_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* no EINTR from stdio or jansson mid-line */
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
}

/* One line, once the temporary files are gone; exit 128 + signal (130 SIGINT, 143 SIGTERM). */
static int gen_interrupted(int tty)
{
    fprintf(stderr, "%sheapev gen: interrupted by signal %d: nothing written, nothing replaced\n",
            tty ? "\n" : "", (int)gen_stop_signal);
    return 128 + (int)gen_stop_signal;
}

/* --out DIR stopped by a signal: what was kept, then exit 128 + signal. */
static int gen_interrupted_files(const gen_stats *st, const char *manifest)
{
    fprintf(stderr, "%sheapev gen: interrupted by signal %d after %" PRIu64 " events (%" PRIu64
                    " files written); manifest %s lists them\n",
            isatty(STDERR_FILENO) ? "\n" : "", (int)gen_stop_signal, st->events, st->written,
            manifest);
    return 128 + (int)gen_stop_signal;
}

/* ---- output ------------------------------------------------------------------------ */

static void progress(uint64_t done, uint64_t total, int tty)
{
    if (tty && (done % GEN_PROGRESS_EVERY == 0 || done == total))
        fprintf(stderr, "\rheapev gen: %" PRIu64 "/%" PRIu64 " events%s", done, total,
                done == total ? "\n" : "");
}

static int run_stream(heapev_gen *g, uint64_t count)
{
    static char buf[GEN_STREAM_BUFFER];
    heapev_gen_item it;
    int tty = isatty(STDERR_FILENO);
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    for (uint64_t i = 0; i < count; i++) {
        heapev_gen_next(g, &it);
        if (fwrite(it.bytes, 1, it.len, stdout) != it.len)
            return cli_error("<stdout>", "write error: %s", strerror(errno));
        progress(i + 1, count, tty);
    }
    return cli_close_output(stdout, "<stdout>") != 0 ? CLI_EXIT_USAGE : CLI_EXIT_CLEAN;
}

static int join_path(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, GEN_PATH_MAX, "%s/%s", dir, name);
    return n > 0 && (unsigned)n < GEN_PATH_MAX ? 0 : -1;
}

/* Write all of @p data to @p fd; -1 with errno set on failure. */
static int write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* @p path appears complete or not at all: written to a temporary name, then renamed. */
static int write_atomic(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[GEN_PATH_MAX], tmp[GEN_PATH_MAX], tmp_name[128];
    snprintf(tmp_name, sizeof tmp_name, ".%s.%ld.tmp", name, (long)getpid());
    if (join_path(path, dir, name) != 0 || join_path(tmp, dir, tmp_name) != 0)
        return cli_error(dir, "path too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return cli_error(path, "%s", strerror(errno));
    int err = write_all(fd, data, len) != 0 ? errno : 0;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0 && rename(tmp, path) != 0)
        err = errno;
    if (err != 0) {
        unlink(tmp);
        return cli_error(path, "%s", strerror(err));
    }
    return 0;
}

static void hash_name(const heapev_gen_item *it, char hex[XXH128_HEX_LEN + 1], char *file,
                      size_t cap)
{
    XXH128_canonical_t canon;
    XXH128_canonicalFromHash(&canon, XXH3_128bits(it->bytes, it->len));
    for (unsigned i = 0; i < sizeof canon.digest; i++)
        snprintf(hex + 2 * i, 3, "%02x", canon.digest[i]);
    snprintf(file, cap, "%s.bin", hex);
}

/* Write the item's file unless a file of that name (so that content) is there. */
static int save_item(const char *dir, const char *file, const heapev_gen_item *it,
                     gen_stats *st)
{
    char path[GEN_PATH_MAX];
    struct stat sb;
    if (join_path(path, dir, file) != 0)
        return cli_error(dir, "path too long");
    if (stat(path, &sb) == 0) {
        st->duplicates++;
        return 0;
    }
    if (write_atomic(dir, file, it->bytes, it->len) != 0)
        return CLI_EXIT_USAGE;
    st->written++;
    return 0;
}

static json_t *class_json(heapev_gen_classes set)
{
    json_t *a = json_array();
    if (set == 0)
        json_array_append_new(a, json_string("well_formed"));
    for (size_t i = 0; i < heapev_gen_class_count(); i++)
        if (set >> i & 1u)
            json_array_append_new(a, json_string(heapev_gen_class_get(i)->name));
    return a;
}

static json_t *u64_json(uint64_t v)
{
    return v <= INT64_MAX ? json_integer((json_int_t)v) : cli_json_hex(v);
}

static int manifest_line(FILE *f, const gen_opts *o, uint64_t index, const char *file,
                         const char *hex, const heapev_gen_item *it)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "file", json_string(file));
    json_object_set_new(obj, "xxh128", json_string(hex));
    json_object_set_new(obj, "seed", u64_json(o->gen.seed));
    json_object_set_new(obj, "index", u64_json(index));
    json_object_set_new(obj, "class", class_json(it->classes));
    json_object_set_new(obj, "format",
                        json_string(it->format == HEAPEV_GEN_FORMAT_RECORD ? "record" : "payload"));
    json_object_set_new(obj, "length", json_integer((json_int_t)it->len));
    json_object_set_new(obj, "decode_bits", it->decode_width ? json_integer(it->decode_width * 8)
                                                             : json_null());
    cli_json_add_event_fields(obj, &it->event); /* "bits" = producer width */
    json_object_set_new(obj, "expected_findings", cli_json_findings(it->expected));
    int rc = cli_json_print_line(f, obj);
    json_decref(obj);
    return rc;
}

static int ensure_dir(const char *dir)
{
    struct stat sb;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_error(dir, "cannot create directory: %s", strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cli_error(dir, "not a directory");
    return 0;
}

/* Generate every item into @p dir, manifest lines into @p mf; GEN_INTERRUPTED on a signal. */
static int generate_files(heapev_gen *g, const gen_opts *o, FILE *mf, const char *mf_path,
                          gen_stats *st)
{
    heapev_gen_item it;
    char hex[XXH128_HEX_LEN + 1], file[XXH128_HEX_LEN + 8];
    int tty = isatty(STDERR_FILENO);
    for (uint64_t i = 0; i < o->count; i++) {
        if (gen_stop_signal != 0)
            return GEN_INTERRUPTED; /* every file so far is whole and renamed */
        uint64_t index = heapev_gen_next(g, &it);
        hash_name(&it, hex, file, sizeof file);
        if (save_item(o->out_dir, file, &it, st) != 0)
            return CLI_EXIT_USAGE;
        if (manifest_line(mf, o, index, file, hex, &it) != 0)
            return cli_error(mf_path, "write error: %s", strerror(errno));
        st->events++;
        progress(i + 1, o->count, tty);
    }
    return 0;
}

static int run_files(heapev_gen *g, const gen_opts *o)
{
    char tmp[GEN_PATH_MAX], final[GEN_PATH_MAX], tmp_name[64];
    gen_stats st = {0, 0, 0};
    if (ensure_dir(o->out_dir) != 0)
        return CLI_EXIT_USAGE;
    snprintf(tmp_name, sizeof tmp_name, ".manifest.jsonl.%ld.tmp", (long)getpid());
    if (join_path(tmp, o->out_dir, tmp_name) != 0 || join_path(final, o->out_dir, "manifest.jsonl") != 0)
        return cli_error(o->out_dir, "path too long");
    gen_catch_signals(); /* before the first temporary file exists */
    FILE *mf = fopen(tmp, "w");
    if (mf == NULL)
        return cli_error(final, "%s", strerror(errno));
    /* Printed once the directory is known to be writable: an error there is one line. */
    fprintf(stderr, "heapev gen: seed %" PRIu64 "\n", o->gen.seed);
    int rc = generate_files(g, o, mf, final, &st);
    int stopped = rc == GEN_INTERRUPTED || (rc == 0 && gen_stop_signal != 0);
    if (stopped)
        rc = 0; /* keep what was written: the manifest so far lists exactly those files */
    if ((fflush(mf) != 0 || ferror(mf)) && rc == 0)
        rc = cli_error(final, "write error: %s", strerror(errno));
    if (fclose(mf) != 0 && rc == 0)
        rc = cli_error(final, "write error: %s", strerror(errno));
    if (rc == 0 && rename(tmp, final) != 0)
        rc = cli_error(final, "%s", strerror(errno));
    if (rc == 0 && stopped) /* a prefix of the manifest the whole run would have written */
        return gen_interrupted_files(&st, final);
    if (rc != 0) {
        unlink(tmp);
        return CLI_EXIT_USAGE;
    }
    fprintf(stderr, "heapev gen: %" PRIu64 " events, %" PRIu64 " files written, %" PRIu64
                    " duplicates, manifest %s\n", st.events, st.written, st.duplicates, final);
    return CLI_EXIT_CLEAN;
}

/* ---- --format etl: one .etl trace --------------------------------------------------- */

static int gen_etl_check(gen_opts *o)
{
    if (o->json)
        return cli_usage_error("gen", "--json applies to --list-classes");
    if (o->stream || o->out_dir == NULL)
        return cli_usage_error("gen", "--format etl writes a file: give --out FILE (no --stream: "
                                      "buffer 0 is written last, the file must be seekable)");
    if (o->bits_given && o->gen.width == 0)
        return cli_usage_error("gen", "--format etl takes --bits 32 or 64: a trace's PointerSize "
                                      "fixes one width (mixed makes no sense)");
    if (!o->bits_given)
        o->gen.width = 8;
    if (o->wow64_given && o->wow64 > 0.0 && o->gen.width != 8)
        return cli_usage_error("gen", "--wow64 applies to 64-bit traces (--bits 64)");
    if (!o->wow64_given && o->gen.width == 8)
        o->wow64 = 0.2;
    if (o->container >= 0) {
        const heapev_gen_etl_class *c = heapev_gen_etl_class_get((size_t)o->container);
        unsigned trace = o->compress ? HEAPEV_GEN_ETL_COMPRESSED : HEAPEV_GEN_ETL_PLAIN;
        if (!(c->traces & trace))
            return cli_usage_error("gen", "class '%s' applies to %s traces only", c->name,
                                   o->compress ? "uncompressed" : "compressed (--compress)");
        if (!(c->widths & HEAPEV_GEN_WIDTH_BIT(o->gen.width)))
            return cli_usage_error("gen", "class '%s' applies to --bits %s traces only", c->name,
                                   o->gen.width == 8 ? "32" : "64");
    }
    heapev_gen_classes allowed = heapev_gen_etl_event_classes();
    for (size_t i = 0; i < heapev_gen_class_count(); i++)
        if ((o->gen.enabled >> i & 1u) && !(allowed >> i & 1u))
            return cli_usage_error("gen", "class '%s' cannot occur inside a trace (it breaks the "
                                          "record framing or is not a heap Alloc: see "
                                          "'heapev gen --list-classes --format etl')",
                                   heapev_gen_class_get(i)->name);
    if (o->gen.enabled != 0 && !o->malformed_given)
        o->gen.malformed = 1.0;
    heapev_gen probe;
    heapev_gen_options go = o->gen;
    go.format = HEAPEV_GEN_FORMAT_RECORD;
    go.enabled = o->gen.enabled != 0 ? o->gen.enabled : allowed;
    if (heapev_gen_init(&probe, &go) != 0)
        return cli_usage_error("gen", "no selected class applies to --format etl --bits %s",
                               o->gen.width == 4 ? "32" : "64");
    if (!o->buffer_size_given)
        o->buffer_size = 65536;
    return 0;
}

static int list_classes_etl(int json)
{
    heapev_gen_classes allowed = heapev_gen_etl_event_classes();
    for (size_t i = 0; i < heapev_gen_class_count(); i++) {
        const heapev_gen_class *c = heapev_gen_class_get(i);
        if (!(allowed >> i & 1u))
            continue;
        if (json && list_class_json(c) != 0)
            return cli_error("<stdout>", "write error");
        if (!json)
            list_class_text(c);
    }
    for (size_t i = 0; i < heapev_gen_etl_class_count(); i++) {
        const heapev_gen_etl_class *c = heapev_gen_etl_class_get(i);
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(c->name));
            json_object_set_new(o, "description", json_string(c->description));
            json_object_set_new(o, "how", json_string(c->how));
            json_object_set_new(o, "stage", json_string("container"));
            json_t *f = json_array();
            json_array_append_new(f, json_string("etl"));
            json_object_set_new(o, "formats", f);
            json_object_set_new(o, "bits", widths_json(c->widths));
            json_t *t = json_array();
            if (c->traces & HEAPEV_GEN_ETL_PLAIN)
                json_array_append_new(t, json_string("plain"));
            if (c->traces & HEAPEV_GEN_ETL_COMPRESSED)
                json_array_append_new(t, json_string("compressed"));
            json_object_set_new(o, "traces", t);
            json_object_set_new(o, "expected_findings", cli_json_findings(c->findings));
            int rc = cli_json_print_line(stdout, o);
            json_decref(o);
            if (rc != 0)
                return cli_error("<stdout>", "write error");
        } else {
            char names[512];
            heapev_findings_format(c->findings, ",", names, sizeof names);
            printf("%-32s %-11s %s\n    %s\n    traces: %s%s\n    how: %s\n", c->name,
                   "container", c->findings ? names : "none", c->description,
                   c->traces == HEAPEV_GEN_ETL_PLAIN ? "plain"
                   : c->traces == HEAPEV_GEN_ETL_COMPRESSED ? "compressed" : "plain, compressed",
                   c->widths == HEAPEV_GEN_WIDTH_64 ? ", 64-bit" : "", c->how);
        }
    }
    return cli_close_output(stdout, "<stdout>") != 0 ? CLI_EXIT_USAGE : CLI_EXIT_CLEAN;
}

/* A file written under a temporary name in its directory, renamed at the end. */
typedef struct atomic_file {
    char path[GEN_PATH_MAX];
    char tmp[GEN_PATH_MAX]; /* empty: written in place (an existing device) */
} atomic_file;

/*
 * Names for writing @p path: a temporary file next to it, renamed at the end;
 * or, when @p path is an existing device or FIFO (/dev/null, /dev/full), the
 * path itself (tmp empty): nothing may be renamed over a device.
 */
static int atomic_names(atomic_file *a, const char *path)
{
    struct stat sb;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    int n = snprintf(a->path, sizeof a->path, "%s", path);
    int m = snprintf(a->tmp, sizeof a->tmp, "%.*s.%s.%ld.tmp", (int)dir_len, path,
                     path + dir_len, (long)getpid());
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
        a->tmp[0] = '\0';
    return n > 0 && (size_t)n < sizeof a->path && m > 0 && (size_t)m < sizeof a->tmp ? 0 : -1;
}

/* Undo a failed run: remove the temporary file. */
static void atomic_discard(const atomic_file *a)
{
    if (a->tmp[0] != '\0')
        unlink(a->tmp);
}

static int atomic_commit(const atomic_file *a)
{
    if (a->tmp[0] != '\0' && rename(a->tmp, a->path) != 0) {
        int err = errno;
        unlink(a->tmp);
        return cli_error(a->path, "%s", strerror(err));
    }
    return 0;
}

typedef struct etl_out {
    const gen_opts *o;
    int fd;
    int err;          /* errno of a failed write */
    FILE *mf;
    const char *mf_path;
    uint64_t events;
    int tty;
} etl_out;

static int etl_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    etl_out *e = ctx;
    if (gen_stop_signal != 0)
        return -1; /* gen_etl_write() reports the signal, not a write error */
    while (len > 0) {
        ssize_t n = pwrite(e->fd, data, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e->err = n == 0 ? EIO : errno;
            return -1;
        }
        data += n, len -= (size_t)n, offset += (uint64_t)n;
    }
    return 0;
}

/* The header family of a record's HeaderType, as the manifest names it. */
static const char *family_name(uint8_t header_type)
{
    unsigned size = heapev_header_type_size(header_type);
    return size == HEAPEV_HEADER_SIZE_SYSTEM    ? "system"
           : size == HEAPEV_HEADER_SIZE_COMPACT ? "compact"
           : size == HEAPEV_HEADER_SIZE_PERFINFO ? "perfinfo" : "other";
}

static int etl_entry(void *ctx, const heapev_gen_etl_entry *en)
{
    etl_out *e = ctx;
    if (gen_stop_signal != 0)
        return -1; /* stops heapev_gen_etl_write() */
    json_t *obj = json_object();
    int event = en->kind == HEAPEV_GEN_ETL_EVENT;
    json_object_set_new(obj, "kind", json_string(event ? "record" : "container"));
    if (event)
        json_object_set_new(obj, "index", u64_json(en->index));
    json_object_set_new(obj, "buffer", u64_json(en->buffer));
    json_object_set_new(obj, "offset", u64_json(en->offset));
    if (en->decompressed)
        json_object_set_new(obj, "decompressed", json_true());
    if (event) {
        json_object_set_new(obj, "lost", json_boolean(en->lost));
        json_object_set_new(obj, "class", class_json(en->item->classes));
        json_object_set_new(obj, "wow64", json_boolean(en->item->width == 4 && e->o->gen.width == 8));
        json_object_set_new(obj, "family", json_string(family_name(en->item->event.header.header_type)));
        cli_json_add_event_fields(obj, &en->item->event);
    } else {
        json_object_set_new(obj, "class",
                            json_string(heapev_gen_etl_class_get((size_t)e->o->container)->name));
    }
    json_object_set_new(obj, "expected_findings", cli_json_findings(en->expected));
    int rc = cli_json_print_line(e->mf, obj);
    json_decref(obj);
    if (event)
        progress(++e->events, e->o->count, e->tty);
    return rc;
}

static int etl_summary_line(const etl_out *e, const heapev_gen_etl_summary *s)
{
    const gen_opts *o = e->o;
    json_t *obj = json_object();
    json_object_set_new(obj, "kind", json_string("summary"));
    json_object_set_new(obj, "seed", u64_json(o->gen.seed));
    json_object_set_new(obj, "bits", json_integer(o->gen.width * 8));
    json_object_set_new(obj, "count", u64_json(o->count));
    json_object_set_new(obj, "malformed", json_real(o->gen.malformed));
    json_object_set_new(obj, "noise", json_real(o->noise));
    json_object_set_new(obj, "buffer_size", u64_json(o->buffer_size));
    json_object_set_new(obj, "wow64", json_real(o->wow64));
    json_object_set_new(obj, "style", json_string(o->style == HEAPEV_ETL_STYLE_WIN7 ? "win7" : "win10"));
    json_object_set_new(obj, "compress", json_boolean(o->compress));
    json_object_set_new(obj, "container_class",
                        o->container >= 0
                            ? json_string(heapev_gen_etl_class_get((size_t)o->container)->name)
                            : json_null());
    json_object_set_new(obj, "file_length", u64_json(s->file_length));
    json_object_set_new(obj, "buffers", u64_json(s->buffers));
    json_object_set_new(obj, "events", u64_json(s->events));
    json_object_set_new(obj, "lost", u64_json(s->lost));
    json_object_set_new(obj, "noise_records", u64_json(s->noise));
    json_object_set_new(obj, "skipped", u64_json(s->skipped));
    json_object_set_new(obj, "container_items", u64_json(s->container_items));
    json_object_set_new(obj, "container_findings", cli_json_findings(s->container_findings));
    int rc = cli_json_print_line(e->mf, obj);
    json_decref(obj);
    return rc;
}

/* Open the .etl: a temporary file next to it, or an existing device in place. */
static int open_etl(atomic_file *a, const char *path)
{
    if (atomic_names(a, path) != 0)
        return cli_error(path, "path too long"), -1;
    int fd = a->tmp[0] == '\0' ? open(path, O_WRONLY)
                                : open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        cli_error(path, "%s", strerror(errno));
    return fd;
}

static int gen_etl_write(etl_out *e, heapev_gen_etl_summary *sum, const atomic_file *ea,
                         const atomic_file *ma)
{
    const gen_opts *o = e->o;
    heapev_gen_etl_options eo = {.seed = o->gen.seed,
                                 .width = o->gen.width,
                                 .count = o->count,
                                 .malformed = o->gen.malformed,
                                 .enabled = o->gen.enabled,
                                 .noise = o->noise,
                                 .buffer_size = (uint32_t)o->buffer_size,
                                 .container = o->container,
                                 .wow64 = o->wow64,
                                 .style = o->style,
                                 .compress = o->compress};
    size_t cap = HEAPEV_GEN_ETL_MEMORY(o->buffer_size);
    uint8_t *mem = malloc(cap);
    if (mem == NULL)
        return cli_error("gen", "out of memory");
    int rc = heapev_gen_etl_write(&eo, mem, cap, etl_sink, e, etl_entry, e, sum);
    free(mem);
    if (rc != 0 && gen_stop_signal != 0)
        return GEN_INTERRUPTED;
    if (rc == -1)
        return cli_usage_error("gen", "class '%s' damages an event: it needs --count 1 or more",
                               o->container >= 0
                                   ? heapev_gen_etl_class_get((size_t)o->container)->name : "?");
    if (rc == -2)
        return cli_error(ea->path, "write error: %s", strerror(e->err ? e->err : EIO));
    if (rc != 0 || etl_summary_line(e, sum) != 0 || fflush(e->mf) != 0 || ferror(e->mf))
        return cli_error(ma->path, "write error: %s", strerror(errno));
    return 0;
}

static int gen_etl_run(const gen_opts *o)
{
    atomic_file ea, ma;
    char mpath[GEN_PATH_MAX];
    int n = snprintf(mpath, sizeof mpath, "%s.manifest.jsonl", o->out_dir);
    if (o->manifest == NULL && (n < 0 || (size_t)n >= sizeof mpath))
        return cli_error(o->out_dir, "path too long");
    const char *mf_path = o->manifest ? o->manifest : mpath;
    if (atomic_names(&ma, mf_path) != 0)
        return cli_error(mf_path, "path too long");
    etl_out e = {o, -1, 0, NULL, mf_path, 0, isatty(STDERR_FILENO)};
    gen_catch_signals(); /* before the first temporary file exists */
    if ((e.fd = open_etl(&ea, o->out_dir)) < 0)
        return CLI_EXIT_USAGE;
    if ((e.mf = fopen(ma.tmp[0] != '\0' ? ma.tmp : ma.path, "w")) == NULL) {
        int err = errno;
        close(e.fd);
        atomic_discard(&ea);
        return cli_error(mf_path, "%s", strerror(err));
    }
    fprintf(stderr, "heapev gen: seed %" PRIu64 "\n", o->gen.seed);
    heapev_gen_etl_summary sum;
    int rc = gen_etl_write(&e, &sum, &ea, &ma);
    if (close(e.fd) != 0 && rc == 0)
        rc = cli_error(ea.path, "write error: %s", strerror(errno));
    if (fclose(e.mf) != 0 && rc == 0)
        rc = cli_error(mf_path, "write error: %s", strerror(errno));
    if (rc == 0 && gen_stop_signal != 0)
        rc = GEN_INTERRUPTED; /* the last check: the previous trace and manifest stay */
    if (rc == 0 && atomic_commit(&ea) != 0) {
        atomic_discard(&ma);
        return CLI_EXIT_USAGE;
    }
    if (rc == 0 && atomic_commit(&ma) != 0) {
        if (ea.tmp[0] != '\0')
            unlink(ea.path); /* the trace without its manifest is useless: none at all */
        return CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        atomic_discard(&ea);
        atomic_discard(&ma);
        return rc == GEN_INTERRUPTED ? gen_interrupted(e.tty) : CLI_EXIT_USAGE;
    }
    fprintf(stderr, "heapev gen: %" PRIu64 " events (%" PRIu64 " lost), %" PRIu64
                    " noise records, %" PRIu64 " buffers, %" PRIu64 " bytes in %s, manifest %s\n",
            o->count, sum.lost, sum.noise, sum.buffers, sum.file_length, o->out_dir, mf_path);
    return CLI_EXIT_CLEAN;
}

int cli_gen_main(int argc, char **argv)
{
    gen_opts o = {{.seed = GEN_DEFAULT_SEED, .format = HEAPEV_GEN_FORMAT_PAYLOAD}, GEN_DEFAULT_COUNT,
                  NULL, 0, 0, 0, 0, 0, 0, NULL, 0, 0.0, 0, 0, -1, 0.0, 0, 0,
                  HEAPEV_ETL_STYLE_WIN10, 0};
    int rc = parse_gen_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_CLEAN : rc;
    if (o.list)
        return o.etl ? list_classes_etl(o.json) : list_classes(o.json);
    if (o.etl)
        return gen_etl_run(&o);
    heapev_gen g;
    heapev_gen_init(&g, &o.gen); /* validated by check_opts */
    if (!o.stream)
        return run_files(&g, &o);
    fprintf(stderr, "heapev gen: seed %" PRIu64 "\n", o.gen.seed);
    return run_stream(&g, o.count);
}
