/*
 * gen_out.c - `heapev gen`'s output: event files and their manifest, a
 * stream, or one .etl trace and its manifest; stopped cleanly by SIGINT,
 * SIGTERM or SIGHUP. Names, atomic files and the manifest schema are the
 * generator's emitters (heapev/emit.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gen.h"
#include "heapev/emit.h"

#define GEN_PROGRESS_EVERY 65536u
#define GEN_STREAM_BUFFER (1u << 20)
#define GEN_LINES_BUFFER (1u << 16) /* compact manifest lines gathered per write */
#define MANIFEST_NAME "manifest.jsonl"
#define MANIFEST_SUFFIX ".manifest.jsonl"
/* Internal result of a write loop stopped by a signal (never an exit code). */
#define GEN_INTERRUPTED (-1)

/* ---- interruption ------------------------------------------------------------------ */

/*
 * The number of the signal (SIGINT, SIGTERM, SIGHUP) that asked a run to
 * stop, 0 while none has. The one piece of global mutable state in heapev
 * gen, and it must be global: a signal handler receives nothing but the
 * signal number, so a file-scope volatile sig_atomic_t is the only thing it
 * may portably write (C11 7.14.1.1). The handler does nothing else, so it is
 * async-signal-safe and never ends the process itself: the write loops test
 * the flag between writes, so every event file is whole and renamed before
 * the loop stops. With --out DIR the manifest written so far (one line per
 * file kept, a prefix of the whole run's) is then put in place; a .etl trace
 * and its manifest are discarded, the previous ones left as they were. No
 * write is cut by the signal, so no signal needs blocking; only SIGKILL,
 * which nothing can catch, can leave a ".NAME.PID.tmp" behind.
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

static void progress(uint64_t done, uint64_t total, int tty)
{
    if (tty && (done % GEN_PROGRESS_EVERY == 0 || done == total))
        fprintf(stderr, "\rheapev gen: %" PRIu64 "/%" PRIu64 " events%s", done, total,
                done == total ? "\n" : "");
}

/* Print @p obj as a manifest line (none when @p mf is NULL) and free it; 0 or -1 (errno set). */
static int manifest_put(FILE *mf, json_t *obj)
{
    int rc = mf != NULL ? cli_json_print_line(mf, obj) : 0;
    json_decref(obj);
    return rc;
}

/* Flush and close @p mf (a heapev_emit_file's stream, or NULL); 0 or the errno of the failure. */
static int close_manifest(FILE *mf)
{
    if (mf == NULL)
        return 0;
    int err = fflush(mf) != 0 || ferror(mf) ? (errno ? errno : EIO) : 0;
    if (fclose(mf) != 0 && err == 0)
        err = errno;
    return err;
}

/* ---- --stream ------------------------------------------------------------------------ */

int gen_run_stream(const gen_opts *o)
{
    static char buf[GEN_STREAM_BUFFER];
    heapev_gen g;
    heapev_gen_item it;
    int tty = isatty(STDERR_FILENO);
    heapev_gen_init(&g, &o->gen); /* checked by cmd_gen.c */
    fprintf(stderr, "heapev gen: seed %" PRIu64 "\n", o->gen.seed);
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    for (uint64_t i = 0; i < o->count; i++) {
        heapev_gen_next(&g, &it);
        if (fwrite(it.bytes, 1, it.len, stdout) != it.len)
            return cli_error("<stdout>", "write error: %s", strerror(errno));
        progress(i + 1, o->count, tty);
    }
    return cli_close_output(stdout, "<stdout>") != 0 ? CLI_EXIT_USAGE : CLI_EXIT_CLEAN;
}

/* ---- --out DIR ----------------------------------------------------------------------- */

typedef struct files_run {
    const gen_opts *o;
    uint64_t events, written, duplicates;
} files_run;

static int join_path(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, HEAPEV_EMIT_PATH_MAX, "%s/%s", dir, name);
    return n > 0 && (unsigned)n < HEAPEV_EMIT_PATH_MAX ? 0 : -1;
}

/* Write the item's file unless a file of that name (so that content) is there. */
static int save_item(files_run *run, const char *name, const heapev_gen_item *it)
{
    char path[HEAPEV_EMIT_PATH_MAX];
    struct stat sb;
    if (join_path(path, run->o->out, name) != 0)
        return cli_error(run->o->out, "path too long");
    if (stat(path, &sb) == 0) {
        run->duplicates++;
        return 0;
    }
    if (heapev_emit_write_file(path, it->bytes, it->len) != 0)
        return cli_error(path, "%s", strerror(errno));
    run->written++;
    return 0;
}

/* Every item into the directory, manifest lines into @p mf; GEN_INTERRUPTED on a signal. */
static int generate_files(files_run *run, FILE *mf, const char *mf_path)
{
    heapev_gen g;
    heapev_gen_item it;
    char hex[HEAPEV_EMIT_HASH_HEX + 1], name[HEAPEV_EMIT_NAME_MAX];
    int tty = isatty(STDERR_FILENO);
    heapev_gen_init(&g, &run->o->gen); /* checked by cmd_gen.c */
    for (uint64_t i = 0; i < run->o->count; i++) {
        if (gen_stop_signal != 0)
            return GEN_INTERRUPTED; /* every file so far is whole and renamed */
        uint64_t index = heapev_gen_next(&g, &it);
        heapev_emit_name(it.bytes, it.len, ".bin", hex, name);
        if (save_item(run, name, &it) != 0)
            return CLI_EXIT_USAGE;
        if (manifest_put(mf, heapev_emit_item_json(&it, run->o->gen.seed, index, name, hex)) != 0)
            return cli_error(mf_path, "write error: %s", strerror(errno));
        run->events++;
        progress(i + 1, run->o->count, tty);
    }
    return 0;
}

static int ensure_dir(const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 && heapev_emit_in_dev(dir))
        return cli_error(dir, "heapev creates no directory in /dev");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_error(dir, "cannot create directory: %s", strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cli_error(dir, "not a directory");
    return 0;
}

/* A stopped run: the manifest so far lists the files kept. Exit 128 + signal. */
static int files_interrupted(const files_run *run, const char *manifest)
{
    fprintf(stderr, "%sheapev gen: interrupted by signal %d after %" PRIu64 " events (%" PRIu64
                    " files written); manifest %s lists them\n",
            isatty(STDERR_FILENO) ? "\n" : "", (int)gen_stop_signal, run->events, run->written,
            manifest);
    return 128 + (int)gen_stop_signal;
}

int gen_run_files(const gen_opts *o)
{
    char path[HEAPEV_EMIT_PATH_MAX];
    files_run run = {o, 0, 0, 0};
    heapev_emit_file mfile;
    if (ensure_dir(o->out) != 0)
        return CLI_EXIT_USAGE;
    if (join_path(path, o->out, MANIFEST_NAME) != 0)
        return cli_error(o->out, "path too long");
    if (gen_dir_prepare(o, path) != 0)
        return CLI_EXIT_USAGE;
    gen_catch_signals(); /* before the first temporary file exists */
    FILE *mf = heapev_emit_open(&mfile, path) == 0 ? fdopen(mfile.fd, "w") : NULL;
    if (mf == NULL)
        return heapev_emit_discard(&mfile), cli_error(path, "%s", heapev_emit_reason(&mfile, errno));
    mfile.fd = -1; /* the stream owns it now */
    if (o->append && gen_dir_copy_manifest(mf, path) != 0) {
        fclose(mf);
        heapev_emit_discard(&mfile);
        return CLI_EXIT_USAGE;
    }
    /* Printed once the directory is known to be writable: an error there is one line. */
    fprintf(stderr, "heapev gen: seed %" PRIu64 "\n", o->gen.seed);
    int rc = generate_files(&run, mf, path);
    int stopped = rc == GEN_INTERRUPTED || (rc == 0 && gen_stop_signal != 0);
    int err = close_manifest(mf);
    if (stopped)
        rc = 0; /* keep what was written: the manifest so far lists exactly those files */
    if (rc == 0 && (err != 0 || heapev_emit_commit(&mfile) != 0))
        rc = cli_error(path, "write error: %s", strerror(err ? err : errno));
    if (rc != 0) {
        heapev_emit_discard(&mfile);
        return CLI_EXIT_USAGE;
    }
    if (stopped) /* a prefix of the manifest the whole run would have written */
        return files_interrupted(&run, path);
    fprintf(stderr, "heapev gen: %" PRIu64 " events, %" PRIu64 " files written, %" PRIu64
                    " duplicates, manifest %s\n", run.events, run.written, run.duplicates, path);
    return CLI_EXIT_CLEAN;
}

/* ---- --format etl -------------------------------------------------------------------- */

typedef struct trace_run {
    const gen_opts *o;
    heapev_emit_file etl, manifest;
    FILE *mf;          /* the manifest, or NULL when none is written */
    uint64_t base;     /* where the trace starts in a file written in place (its offset) */
    int err; /* errno of a failed trace write */
    uint64_t events;
    int tty;
    heapev_emit_compact compact; /* the compact form's state (not --manifest-full) */
    size_t held;                 /* bytes of compact lines in lines[], not yet written */
    char lines[GEN_LINES_BUFFER + HEAPEV_EMIT_LINE_MAX];
} trace_run;

/* Hand the compact lines held to the manifest's stream (none: dropped); 0 or -1 (errno set). */
static int flush_lines(trace_run *t)
{
    size_t n = t->held;
    t->held = 0;
    return t->mf == NULL || fwrite(t->lines, 1, n, t->mf) == n ? 0 : -1;
}

static int trace_sink(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    trace_run *t = ctx;
    if (gen_stop_signal != 0)
        return -1; /* the run reports the signal, not a write error */
    while (len > 0) {
        ssize_t n = pwrite(t->etl.fd, data, len, (off_t)(t->base + offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            t->err = n == 0 ? EIO : errno;
            return -1;
        }
        data += n, len -= (size_t)n, offset += (uint64_t)n;
    }
    return 0;
}

static int trace_entry(void *ctx, const heapev_gen_etl_entry *en)
{
    trace_run *t = ctx;
    if (gen_stop_signal != 0)
        return -1; /* stops heapev_gen_etl_write() */
    int rc;
    if (t->mf == NULL) {
        rc = 0; /* written in place with no --manifest */
    } else if (t->o->manifest_full) {
        rc = manifest_put(t->mf, heapev_emit_entry_json(en, &t->o->trace));
    } else {
        size_t n = heapev_emit_entry_compact(&t->compact, en, t->lines + t->held,
                                             HEAPEV_EMIT_LINE_MAX);
        t->held += n;
        rc = n == 0 ? (errno = ENOMEM, -1) : t->held >= GEN_LINES_BUFFER ? flush_lines(t) : 0;
    }
    if (en->kind == HEAPEV_GEN_ETL_EVENT)
        progress(++t->events, t->o->count, t->tty);
    return rc;
}

/* Generate the trace into the open files; 0, GEN_INTERRUPTED or an exit code after the error. */
static int write_trace(trace_run *t, heapev_gen_etl_summary *sum)
{
    const gen_opts *o = t->o;
    size_t cap = HEAPEV_GEN_ETL_MEMORY(o->trace.buffer_size);
    uint8_t *mem = malloc(cap);
    if (mem == NULL)
        return cli_error("gen", "out of memory");
    heapev_emit_compact_start(&t->compact, &o->trace);
    if (!o->manifest_full && manifest_put(t->mf, heapev_emit_header_json(&o->trace)) != 0) {
        free(mem);
        return cli_error(t->manifest.path, "write error: %s", strerror(errno));
    }
    int rc = heapev_gen_etl_write(&o->trace, mem, cap, trace_sink, t, trace_entry, t, sum);
    free(mem);
    if (rc != 0 && gen_stop_signal != 0)
        return GEN_INTERRUPTED;
    if (rc == -1)
        return cli_usage_error("gen", "class '%s' damages an event: it needs --count 1 or more",
                               heapev_gen_class_get((size_t)o->trace.container)->name);
    if (rc == -2)
        return cli_error(o->out, "write error: %s", strerror(t->err ? t->err : EIO));
    if (rc != 0 || flush_lines(t) != 0 ||
        manifest_put(t->mf, heapev_emit_summary_json(&o->trace, sum)) != 0)
        return cli_error(t->manifest.path, "write error: %s", strerror(errno));
    return 0;
}

/*
 * A trace written in place (a device, /dev/stdout) is written out of order,
 * buffer 0 last: it needs a seekable output that appends nothing by itself.
 */
static int check_in_place(trace_run *t)
{
    off_t at = lseek(t->etl.fd, 0, SEEK_CUR);
    int flags = fcntl(t->etl.fd, F_GETFL);
    if (at < 0 || (flags >= 0 && (flags & O_APPEND)))
        return cli_error(t->o->out, "%s: a trace is written out of order (buffer 0 last), so it "
                                    "needs a seekable output without O_APPEND",
                         at < 0 ? strerror(errno) : "opened for appending");
    t->base = (uint64_t)at;
    return 0;
}

/* Open the trace and its manifest (@p mpath, NULL for none); 0, or an exit code after the error. */
static int open_trace(trace_run *t, const char *mpath)
{
    if (heapev_emit_open(&t->etl, t->o->out) != 0)
        return cli_error(t->o->out, "%s", heapev_emit_reason(&t->etl, errno));
    if (t->etl.in_place && check_in_place(t) != 0)
        return heapev_emit_discard(&t->etl), CLI_EXIT_USAGE;
    if (mpath == NULL)
        return 0;
    t->mf = heapev_emit_open(&t->manifest, mpath) == 0 ? fdopen(t->manifest.fd, "w") : NULL;
    if (t->mf == NULL) {
        int err = errno;
        const char *why = heapev_emit_reason(&t->manifest, err);
        heapev_emit_discard(&t->manifest);
        heapev_emit_discard(&t->etl);
        return cli_error(mpath, "%s", why);
    }
    t->manifest.fd = -1; /* the stream owns it now */
    setvbuf(t->mf, NULL, _IOFBF, GEN_STREAM_BUFFER); /* one write per MiB of lines */
    return 0;
}

/* Both files in place, or neither: a trace without its manifest is useless. */
static int commit_trace(trace_run *t, int rc)
{
    int err = close_manifest(t->mf);
    if (rc == 0 && err != 0)
        rc = cli_error(t->manifest.path, "write error: %s", strerror(err));
    if (rc == 0 && gen_stop_signal != 0)
        rc = GEN_INTERRUPTED; /* the last check: the previous trace and manifest stay */
    if (rc == 0 && heapev_emit_commit(&t->etl) != 0)
        rc = cli_error(t->o->out, "write error: %s", strerror(errno));
    else if (rc == 0 && t->mf != NULL && heapev_emit_commit(&t->manifest) != 0) {
        rc = cli_error(t->manifest.path, "%s", strerror(errno));
        if (!t->etl.in_place)
            unlink(t->etl.target);
    }
    if (rc != 0) {
        heapev_emit_discard(&t->etl);
        heapev_emit_discard(&t->manifest);
    }
    return rc;
}

/*
 * Where the manifest goes: --manifest, else FILE.manifest.jsonl beside a
 * FILE that is replaced; none for a FILE written in place (a device,
 * /dev/stdout), where nothing may be created. NULL in *@p mpath for none.
 */
static int manifest_path(const gen_opts *o, char *buf, const char **mpath)
{
    *mpath = o->manifest;
    if (o->manifest != NULL && !heapev_emit_in_place(o->out) &&
        heapev_emit_same_output(o->manifest, o->out))
        return cli_usage_error("gen", "--manifest and --out name the same file ('%s')", o->out);
    if (o->manifest != NULL || heapev_emit_in_place(o->out))
        return 0;
    int n = snprintf(buf, HEAPEV_EMIT_PATH_MAX, "%s%s", o->out, MANIFEST_SUFFIX);
    if (n < 0 || (size_t)n >= HEAPEV_EMIT_PATH_MAX)
        return cli_error(o->out, "path too long");
    *mpath = buf;
    return 0;
}

int gen_run_trace(const gen_opts *o)
{
    char buf[HEAPEV_EMIT_PATH_MAX];
    const char *mpath;
    static trace_run t; /* 68 KiB of lines: not on the stack */
    memset(&t, 0, sizeof t);
    t.o = o;
    t.tty = isatty(STDERR_FILENO);
    if (manifest_path(o, buf, &mpath) != 0)
        return CLI_EXIT_USAGE;
    gen_catch_signals(); /* before the first temporary file exists */
    if (open_trace(&t, mpath) != 0)
        return CLI_EXIT_USAGE;
    fprintf(stderr, "heapev gen: seed %" PRIu64 "\n", o->gen.seed);
    heapev_gen_etl_summary sum;
    int rc = commit_trace(&t, write_trace(&t, &sum));
    if (rc == GEN_INTERRUPTED)
        return gen_interrupted(t.tty);
    if (rc != 0)
        return CLI_EXIT_USAGE;
    fprintf(stderr, "heapev gen: %" PRIu64 " events (%" PRIu64 " lost), %" PRIu64
                    " noise records, %" PRIu64 " buffers, %" PRIu64 " bytes in %s, manifest %s\n",
            o->count, sum.lost, sum.noise, sum.buffers, sum.file_length, o->out,
            mpath != NULL ? mpath : "none (--out is written in place: give --manifest PATH)");
    return CLI_EXIT_CLEAN;
}
