/*
 * probe_min.c - the reproducer of a class that does not meet its
 * expectation: its first failing input, shrunk while the verdict holds, for
 * at most --minimize-time seconds, then written to --repro-dir under the
 * generator's file naming (class, XXH128 of the bytes).
 *
 * A trace is first made again by the generator with fewer events, no noise,
 * no WOW64 share and the smallest buffers (the generator still labels it);
 * then bytes are cut out, halving the cut each round, and what the library
 * reads in the cut bytes is what the reader is held to. The verdict holds
 * when it is the same and, for a crash, a hang or a misreading, of the same
 * kind (signature); a rejection holds only while the library finds no error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "probe.h"

#define MAX_SHRINK_RUNS 2000u

typedef struct shrink {
    const probe_opts *o;
    probe_class *c;
    char path[HEAPEV_EMIT_PATH_MAX], tmp[HEAPEV_EMIT_PATH_MAX];
    double deadline;
    unsigned runs;
    int failed; /* errno of a run that could not start */
} shrink;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int out_of_time(const shrink *s)
{
    return s->failed || probe_stop_signal || s->runs >= MAX_SHRINK_RUNS || now_seconds() >= s->deadline;
}

/* Does the reader still fail @p cand the same way? */
static int holds(shrink *s, const probe_input *cand)
{
    const probe_outcome *want = &s->c->fail;
    if (want->verdict == PROBE_REJECTED && cand->has_errors)
        return 0; /* refusing bytes the library finds wrong is no longer the defect */
    probe_outcome out;
    s->runs++;
    if (probe_run_one(s->o, cand, s->path, s->tmp, &out, NULL) != 0) {
        s->failed = errno;
        return 0;
    }
    if (out.verdict != want->verdict || strcmp(out.signature, want->signature) != 0)
        return 0;
    s->c->repro_outcome = out;
    return 1;
}

/* Make the trace again, smaller, one option at a time; keep each change that holds. */
static int shrink_trace(shrink *s, probe_input *in)
{
    static const uint64_t counts[] = {1, 2, 4, 8, 16};
    probe_input cand;
    memset(&cand, 0, sizeof cand);
    cand.cls = in->cls, cand.index = in->index;
    for (int step = 0; step < 4 && !out_of_time(s); step++) {
        for (size_t k = 0; k < (step == 0 ? sizeof counts / sizeof counts[0] : 1); k++) {
            heapev_gen_etl_options t = in->trace;
            if (step == 0 && counts[k] >= t.count)
                break;
            if (step == 0)
                t.count = counts[k];
            else if (step == 1)
                t.noise = 0.0;
            else if (step == 2)
                t.wow64 = 0.0;
            else
                t.buffer_size = HEAPEV_GEN_ETL_MIN_BUFFER;
            if (memcmp(&t, &in->trace, sizeof t) == 0 || out_of_time(s))
                break;
            if (probe_input_make_trace(&t, &cand) != 0)
                continue; /* the class needs more events than that */
            if (holds(s, &cand)) {
                probe_input_free(in);
                *in = cand;
                memset(&cand, 0, sizeof cand);
                cand.cls = in->cls, cand.index = in->index;
                break;
            }
        }
    }
    probe_input_free(&cand);
    return 0;
}

/* Cut chunks out of the bytes, halving the chunk each round, while the verdict holds. */
static int shrink_bytes(shrink *s, probe_input *in)
{
    probe_input cand = *in;
    memset(&cand.expected, 0, sizeof cand.expected);
    cand.bytes = malloc(in->len ? in->len : 1);
    if (cand.bytes == NULL)
        return -1;
    for (size_t chunk = in->len / 2; chunk >= 1 && !out_of_time(s); chunk /= 2) {
        for (size_t at = 0; at < in->len && !out_of_time(s);) {
            size_t cut = chunk < in->len - at ? chunk : in->len - at;
            memcpy(cand.bytes, in->bytes, at);
            memcpy(cand.bytes + at, in->bytes + at + cut, in->len - at - cut);
            cand.len = in->len - cut;
            if (probe_input_oracle(s->o, &cand) != 0)
                break;
            if (holds(s, &cand)) {
                memcpy(in->bytes, cand.bytes, cand.len);
                in->len = cand.len;
                free(in->expected.v);
                in->expected = cand.expected;
                memset(&cand.expected, 0, sizeof cand.expected);
            } else {
                at += cut;
            }
        }
    }
    free(cand.bytes), free(cand.expected.v);
    return 0;
}

/* Write @p in to --repro-dir as CLASS-XXH128.SUFFIX, atomically. */
static int save(shrink *s, const probe_input *in)
{
    char hex[HEAPEV_EMIT_HASH_HEX + 1], name[HEAPEV_EMIT_NAME_MAX], path[HEAPEV_EMIT_PATH_MAX];
    struct stat sb;
    const char *dir = s->o->repro_dir;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return -1;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return errno = ENOTDIR, -1;
    heapev_emit_name(in->bytes, in->len, probe_suffix(s->o->format), hex, name);
    if ((size_t)snprintf(path, sizeof path, "%s/%s-%s", dir, heapev_gen_class_get(s->c->cls)->name,
                         name) >= sizeof path)
        return errno = ENAMETOOLONG, -1;
    if (heapev_emit_write_file(path, in->bytes, in->len) != 0)
        return -1;
    s->c->repro = strdup(path);
    s->c->repro_len = in->len;
    return s->c->repro == NULL ? (errno = ENOMEM, -1) : 0;
}

int probe_minimize(const probe_opts *o, probe_class *c, const char *workdir)
{
    shrink s;
    memset(&s, 0, sizeof s);
    s.o = o, s.c = c;
    s.deadline = now_seconds() + o->minimize_time;
    snprintf(s.path, sizeof s.path, "%s/%s%s", workdir, heapev_gen_class_get(c->cls)->name,
             probe_suffix(o->format));
    snprintf(s.tmp, sizeof s.tmp, "%s/tmp", workdir);
    if (mkdir(s.tmp, 0700) != 0 && errno != EEXIST)
        return -1;
    c->repro_outcome = c->fail;
    probe_input in;
    if (probe_input_make(o, c->cls, c->fail_index, &in) != 0)
        return errno = ENOMEM, -1;
    int rc = 0;
    if (o->minimize_time > 0 && o->format == HEAPEV_GEN_FORMAT_ETL)
        rc = shrink_trace(&s, &in);
    if (rc == 0 && o->minimize_time > 0)
        rc = shrink_bytes(&s, &in);
    c->shrink_runs = s.runs;
    if (rc == 0 && s.failed)
        rc = -1, errno = s.failed;
    if (rc == 0 && !probe_stop_signal)
        rc = save(&s, &in);
    int err = errno;
    probe_input_free(&in);
    errno = err;
    return rc;
}
