/*
 * probe_run.c - `heapev probe`'s run: one temporary directory for the whole
 * run (inputs, and each job's TMPDIR for the reader, emptied after every
 * input), removed at the end; --jobs threads taking inputs in turn; each
 * class's tally; then the minimizer and the reproducers of the classes that
 * do not meet their expectation. Inputs depend only on the seed, so the
 * tally is the same whatever --jobs is.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

volatile sig_atomic_t probe_stop_signal;

#define STDERR_TAIL_LINES 20u
#define STDERR_TAIL_BYTES 2048u

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- files ---------------------------------------------------------------------------------------- */

/* Remove @p path and everything under it, whatever modes the reader left (best effort). */
static void rm_tree(const char *path, int keep_top)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (!S_ISDIR(sb.st_mode)) {
        unlink(path);
        return;
    }
    chmod(path, 0700);
    DIR *d = opendir(path);
    if (d != NULL) {
        size_t cap = strlen(path) + 258;
        char *child = malloc(cap);
        for (struct dirent *e; child != NULL && (e = readdir(d)) != NULL;) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if ((size_t)snprintf(child, cap, "%s/%s", path, e->d_name) < cap)
                rm_tree(child, 0);
        }
        free(child);
        closedir(d);
    }
    if (!keep_top)
        rmdir(path);
}

static int write_input(const char *path, const probe_input *in)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int rc = heapev_emit_write_all(fd, in->bytes, in->len);
    int err = errno;
    if (close(fd) != 0 && rc == 0)
        return -1;
    errno = err;
    return rc;
}

/* The command with {} (the input's path, quoted for the shell) and {bits} replaced. */
static char *make_command(const probe_opts *o, const probe_input *in, const char *path)
{
    size_t cap = strlen(o->exec) + 1, n = 0;
    for (const char *p = o->exec; (p = strstr(p, "{}")) != NULL; p += 2)
        cap += 4 * strlen(path) + 2;
    for (const char *p = o->exec; (p = strstr(p, "{bits}")) != NULL; p += 6)
        cap += 4;
    char *cmd = malloc(cap);
    if (cmd == NULL)
        return NULL;
    for (const char *p = o->exec; *p;) {
        if (strncmp(p, "{}", 2) == 0) {
            cmd[n++] = '\'';
            for (const char *q = path; *q; q++)
                n += *q == '\'' ? (size_t)(memcpy(cmd + n, "'\\''", 4), 4) : (cmd[n] = *q, 1);
            cmd[n++] = '\'';
            p += 2;
        } else if (strncmp(p, "{bits}", 6) == 0) {
            const char *b = in->decode_width == 4 ? "32" : in->decode_width == 8 ? "64" : "auto";
            memcpy(cmd + n, b, strlen(b));
            n += strlen(b);
            p += 6;
        } else {
            cmd[n++] = *p++;
        }
    }
    cmd[n] = '\0';
    return cmd;
}

int probe_run_one(const probe_opts *o, const probe_input *in, const char *path,
                  const char *tmpdir, probe_outcome *out, char **stderr_tail)
{
    if (write_input(path, in) != 0)
        return -1;
    char *cmd = make_command(o, in, path);
    if (cmd == NULL)
        return -1;
    proc_spec spec = {cmd, o->use_stdin ? path : NULL, tmpdir};
    proc_result r;
    int rc = proc_run(&spec, &o->lim, &probe_stop_signal, &r);
    int err = errno;
    free(cmd);
    unlink(path);
    if (tmpdir != NULL)
        rm_tree(tmpdir, 1); /* what the reader left in its TMPDIR */
    if (rc != 0)
        return errno = err, -1;
    probe_judge(o, &r, in, out);
    if (stderr_tail != NULL && (*stderr_tail = malloc(STDERR_TAIL_BYTES)) != NULL)
        probe_tail(r.err, STDERR_TAIL_LINES, *stderr_tail, STDERR_TAIL_BYTES);
    proc_result_free(&r);
    return 0;
}

/* ---- the jobs ------------------------------------------------------------------------------------- */

typedef struct jobs {
    const probe_opts *o;
    probe_run *run;
    const char *dir;
    pthread_mutex_t mu;
    uint64_t next, total, done;
    int failed;
    char error[HEAPEV_EMIT_PATH_MAX];
    int tty;
    double last_progress;
} jobs;

static void job_error(jobs *j, const char *what, int err)
{
    pthread_mutex_lock(&j->mu);
    if (!j->failed) {
        size_t n = strlen(what) < sizeof j->error / 2 ? strlen(what) : sizeof j->error / 2;
        memcpy(j->error, what, n);
        snprintf(j->error + n, sizeof j->error - n, ": %s", strerror(err));
    }
    j->failed = 1;
    pthread_mutex_unlock(&j->mu);
}

/* Count one outcome; keep the lowest-numbered input that does not meet the expectation. */
static void tally(jobs *j, size_t slot, const probe_input *in, const probe_outcome *out,
                  char *tail)
{
    probe_class *c = &j->run->classes[slot];
    pthread_mutex_lock(&j->mu);
    c->counts[out->verdict]++;
    if (!probe_meets(c->expect, out->verdict) && (!c->failed || in->index < c->fail_index)) {
        free(c->fail_stderr);
        c->failed = 1;
        c->fail_index = in->index;
        c->fail = *out;
        c->fail_stderr = tail, tail = NULL;
        c->fail_findings = in->findings;
        c->orig_len = in->len;
    }
    j->done++;
    double t = now_seconds();
    if (j->tty && (t - j->last_progress > 0.25 || j->done == j->total)) {
        fprintf(stderr, "\rheapev probe: %llu/%llu inputs", (unsigned long long)j->done,
                (unsigned long long)j->total);
        j->last_progress = t;
    }
    pthread_mutex_unlock(&j->mu);
    free(tail);
}

typedef struct worker {
    jobs *j;
    unsigned id;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    jobs *j = w->j;
    const probe_opts *o = j->o;
    char tmp[HEAPEV_EMIT_PATH_MAX], path[HEAPEV_EMIT_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/job%u", j->dir, w->id);
    if (mkdir(tmp, 0700) != 0)
        return job_error(j, tmp, errno), NULL;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        uint64_t task = j->next < j->total && !j->failed && !probe_stop_signal ? j->next++ : UINT64_MAX;
        pthread_mutex_unlock(&j->mu);
        if (task == UINT64_MAX)
            return NULL;
        probe_input in;
        size_t slot = task / o->count, cls = o->classes[slot];
        if (probe_input_make(o, cls, task % o->count, &in) != 0)
            return job_error(j, "input", ENOMEM), NULL;
        snprintf(path, sizeof path, "%s/%s-%llu%s", j->dir, heapev_gen_class_get(cls)->name,
                 (unsigned long long)in.index, probe_suffix(o->format));
        probe_outcome out;
        char *tail = NULL;
        int rc = probe_run_one(o, &in, path, tmp, &out, &tail);
        if (rc != 0)
            job_error(j, path, errno);
        else if (!probe_stop_signal)
            tally(j, slot, &in, &out, tail), tail = NULL;
        free(tail);
        probe_input_free(&in);
    }
}

/* Run @p fn on @p n workers (threads, or this thread for one). 0, or -1 with errno. */
static int run_workers(jobs *j, void *(*fn)(void *))
{
    unsigned n = j->o->jobs ? j->o->jobs : 1;
    worker *ws = calloc(n, sizeof *ws);
    pthread_t *ts = calloc(n, sizeof *ts);
    unsigned started = 0;
    int rc = ws == NULL || ts == NULL ? -1 : 0;
    for (unsigned i = 0; rc == 0 && i < n; i++) {
        ws[i] = (worker){j, i};
        if (pthread_create(&ts[i], NULL, fn, &ws[i]) != 0)
            rc = -1;
        else
            started++;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(ts[i], NULL);
    free(ws), free(ts);
    return rc == 0 || started > 0 ? 0 : (errno = EAGAIN, -1);
}

/* ---- minimizing ----------------------------------------------------------------------------------- */

static void *minimize_work(void *arg)
{
    worker *w = arg;
    jobs *j = w->j;
    char dir[HEAPEV_EMIT_PATH_MAX];
    snprintf(dir, sizeof dir, "%s/min%u", j->dir, w->id);
    if (mkdir(dir, 0700) != 0)
        return job_error(j, dir, errno), NULL;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        uint64_t k = j->next;
        while (k < j->run->nclasses && (j->run->classes[k].meets || !j->run->classes[k].failed))
            k++;
        j->next = k + 1;
        int go = k < j->run->nclasses && !j->failed && !probe_stop_signal;
        pthread_mutex_unlock(&j->mu);
        if (!go)
            return NULL;
        if (probe_minimize(j->o, &j->run->classes[k], dir) != 0)
            job_error(j, j->o->repro_dir, errno);
    }
}

/* ---- the run -------------------------------------------------------------------------------------- */

static int make_run_dir(char *dir, size_t cap)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, cap, "%s/heapev-probe-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(dir) != NULL)
        return 0;
    return cli_error(dir, "cannot create the run directory: %s", strerror(errno));
}

static void finish_classes(probe_run *run)
{
    run->meets = 1;
    for (size_t i = 0; i < run->nclasses; i++) {
        probe_class *c = &run->classes[i];
        c->worst = PROBE_OK;
        for (int v = 0; v < PROBE_VERDICTS; v++)
            if (c->counts[v])
                c->worst = (probe_verdict)v;
        c->meets = !c->failed;
        run->meets &= c->meets;
    }
}

int probe_run_all(const probe_opts *o, probe_run *run)
{
    char dir[HEAPEV_EMIT_PATH_MAX];
    double start = now_seconds();
    memset(run, 0, sizeof *run);
    run->o = o;
    run->nclasses = o->nclasses;
    run->classes = calloc(o->nclasses, sizeof *run->classes);
    if (run->classes == NULL)
        return cli_error("probe", "out of memory");
    for (size_t i = 0; i < o->nclasses; i++) {
        run->classes[i].cls = o->classes[i];
        run->classes[i].expect = probe_class_expect(o->classes[i]);
    }
    if (make_run_dir(dir, sizeof dir) != 0)
        return CLI_EXIT_USAGE;
    jobs j;
    memset(&j, 0, sizeof j);
    j.o = o, j.run = run, j.dir = dir;
    j.total = o->count * o->nclasses;
    j.tty = isatty(STDERR_FILENO);
    pthread_mutex_init(&j.mu, NULL);
    int rc = run_workers(&j, work);
    if (j.tty && j.done > 0)
        fputc('\n', stderr);
    run->inputs = j.done;
    finish_classes(run);
    if (rc == 0 && !j.failed && !probe_stop_signal) {
        j.next = 0;
        rc = run_workers(&j, minimize_work);
    }
    rm_tree(dir, 0);
    pthread_mutex_destroy(&j.mu);
    run->seconds = now_seconds() - start;
    run->interrupted = probe_stop_signal;
    if (rc != 0)
        return cli_error("probe", "cannot start jobs: %s", strerror(errno));
    if (j.failed)
        return cli_error("probe", "%s", j.error);
    return 0;
}

void probe_run_free(probe_run *run)
{
    for (size_t i = 0; i < run->nclasses; i++)
        free(run->classes[i].fail_stderr), free(run->classes[i].repro);
    free(run->classes);
    run->classes = NULL;
}
