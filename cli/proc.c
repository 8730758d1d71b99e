/*
 * proc.c - run one shell command as a bounded child (proc.h): fork into its
 * own session, limits, pipes read with poll() against a monotonic deadline,
 * the whole process group killed when it ends or runs out of time.
 *
 * Between fork() and exec the child calls only async-signal-safe functions
 * (the caller may have threads): its argv and environment are built before
 * the fork, and every descriptor the caller opens is close-on-exec.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define POLL_SLICE_MS 50 /* the longest poll(): stop flag and deadlines are checked this often */
#define READ_CHUNK 65536

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- output kept up to a cap ---------------------------------------------------------- */

/* A stream's kept bytes: the head, and (stderr) a ring holding the tail. */
typedef struct capture {
    char *head;
    size_t head_cap, head_len;
    char *tail; /* ring of tail_cap bytes, or NULL */
    size_t tail_cap, tail_len, tail_at;
    uint64_t total;
} capture;

static int capture_init(capture *c, size_t head_cap, size_t tail_cap)
{
    memset(c, 0, sizeof *c);
    c->head_cap = head_cap, c->tail_cap = tail_cap;
    c->head = malloc(head_cap + 1);
    c->tail = tail_cap ? malloc(tail_cap) : NULL;
    return c->head == NULL || (tail_cap && c->tail == NULL) ? -1 : 0;
}

static void capture_add(capture *c, const char *p, size_t n)
{
    c->total += n;
    size_t take = n < c->head_cap - c->head_len ? n : c->head_cap - c->head_len;
    memcpy(c->head + c->head_len, p, take);
    c->head_len += take;
    p += take, n -= take;
    for (; n > 0 && c->tail != NULL; p++, n--) { /* only past the head: a byte at a time is fine */
        c->tail[c->tail_at] = *p;
        c->tail_at = (c->tail_at + 1) % c->tail_cap;
        if (c->tail_len < c->tail_cap)
            c->tail_len++;
    }
}

/* The kept text, NUL-terminated: head, then "[... N bytes ...]" and the tail when bytes were dropped. */
static char *capture_text(capture *c, size_t *len)
{
    uint64_t dropped = c->total - c->head_len - c->tail_len;
    char mark[64] = "";
    if (c->tail_len > 0 && dropped > 0)
        snprintf(mark, sizeof mark, "\n[... %llu bytes ...]\n", (unsigned long long)dropped);
    size_t n = c->head_len + strlen(mark) + c->tail_len;
    char *s = malloc(n + 1);
    if (s == NULL) {
        *len = c->head_len;
        c->head[c->head_len] = '\0';
        s = c->head, c->head = NULL;
        return s;
    }
    memcpy(s, c->head, c->head_len);
    memcpy(s + c->head_len, mark, strlen(mark));
    size_t at = c->head_len + strlen(mark), start = (c->tail_at + c->tail_cap - c->tail_len) %
                                                        (c->tail_cap ? c->tail_cap : 1);
    for (size_t i = 0; i < c->tail_len; i++)
        s[at + i] = c->tail[(start + i) % c->tail_cap];
    s[n] = '\0';
    *len = n;
    return s;
}

static void capture_free(capture *c)
{
    free(c->head), free(c->tail);
}

/* ---- the child ------------------------------------------------------------------------- */

static void set_limit(int resource, uint64_t value)
{
    struct rlimit rl = {(rlim_t)value, (rlim_t)value};
    setrlimit(resource, &rl);
}

/* In the child: session, descriptors, limits, signals, exec. Never returns. */
static void child(const proc_limits *lim, int in_fd, int out_fd, int err_fd, char *const *argv,
                  char *const *envp)
{
    setsid(); /* its own session and process group: killpg() reaches every descendant that stays */
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
        _exit(127);
    set_limit(RLIMIT_CORE, 0); /* a crashing reader leaves no core file */
    if (lim->max_file_size)
        set_limit(RLIMIT_FSIZE, lim->max_file_size);
    if (lim->max_memory)
        set_limit(RLIMIT_AS, lim->max_memory);
    if (lim->max_cpu) {
        struct rlimit rl = {(rlim_t)lim->max_cpu, (rlim_t)lim->max_cpu + 1}; /* SIGXCPU, then SIGKILL */
        setrlimit(RLIMIT_CPU, &rl);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    static const int reset[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGXFSZ, SIGXCPU};
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
        signal(reset[i], SIG_DFL);
    execve("/bin/sh", argv, envp);
    _exit(127);
}

/* The caller's environment with TMPDIR=@p tmpdir (or as it is). Pointers into environ and @p buf. */
static char **child_env(const char *tmpdir, char **buf)
{
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = calloc(n + 2, sizeof *env);
    if (env == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (tmpdir == NULL || strncmp(environ[i], "TMPDIR=", 7) != 0)
            env[k++] = environ[i];
    if (tmpdir != NULL) {
        size_t len = strlen(tmpdir) + sizeof "TMPDIR=";
        if ((*buf = malloc(len)) == NULL)
            return free(env), NULL;
        snprintf(*buf, len, "TMPDIR=%s", tmpdir);
        env[k++] = *buf;
    }
    return env;
}

/* ---- the parent ------------------------------------------------------------------------ */

typedef struct watch {
    pid_t pid;
    int fds[2];         /* stdout, stderr read ends; -1 once closed */
    capture cap[2];
    int done;           /* the child ended (not yet reaped) */
    int term_sent, kill_sent;
    double start, deadline, kill_at, drain_until;
} watch;

static void stop_group(watch *w, double t, double grace)
{
    if (!w->term_sent) {
        w->term_sent = 1;
        w->kill_at = t + grace;
        if (killpg(w->pid, SIGTERM) != 0)
            kill(w->pid, SIGTERM);
    } else if (!w->kill_sent && t >= w->kill_at) {
        w->kill_sent = 1;
        if (killpg(w->pid, SIGKILL) != 0)
            kill(w->pid, SIGKILL);
    }
}

/* Read what is there; close a pipe at end of file. */
static void read_pipes(watch *w, int timeout_ms)
{
    struct pollfd p[2];
    nfds_t n = 0;
    int which[2];
    for (int i = 0; i < 2; i++)
        if (w->fds[i] >= 0)
            p[n] = (struct pollfd){w->fds[i], POLLIN, 0}, which[n++] = i;
    if (n == 0) {
        if (timeout_ms > 0)
            poll(NULL, 0, timeout_ms); /* nothing to read: just wait for the child */
        return;
    }
    if (poll(p, n, timeout_ms) <= 0)
        return;
    char chunk[READ_CHUNK];
    for (nfds_t k = 0; k < n; k++) {
        if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        ssize_t got = read(p[k].fd, chunk, sizeof chunk);
        if (got > 0)
            capture_add(&w->cap[which[k]], chunk, (size_t)got);
        else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
            close(p[k].fd);
            w->fds[which[k]] = -1;
        }
    }
}

/* Has the child ended? Leaves it a zombie (WNOWAIT) so its pid names its group until reaped. */
static int child_ended(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

static void watch_loop(watch *w, const proc_limits *lim, const volatile sig_atomic_t *stop,
                       proc_result *res)
{
    for (;;) {
        double t = now_seconds();
        if (!w->done && child_ended(w->pid)) {
            w->done = 1;
            res->seconds = t - w->start;
            killpg(w->pid, SIGKILL); /* whatever it left running in its group */
            w->drain_until = t + PROC_DRAIN_SECONDS;
        }
        if (w->done && ((w->fds[0] < 0 && w->fds[1] < 0) || t >= w->drain_until))
            return;
        if (!w->done && stop != NULL && *stop)
            res->stopped = 1;
        if (!w->done && t >= w->deadline)
            res->timed_out = 1;
        if (!w->done && (res->stopped || res->timed_out))
            stop_group(w, t, lim->grace);
        double until = w->done ? w->drain_until : w->term_sent ? w->kill_at : w->deadline;
        double ms = (until - t) * 1000.0;
        read_pipes(w, ms < 0 ? 0 : ms > POLL_SLICE_MS ? POLL_SLICE_MS : (int)ms + 1);
    }
}

static void finish(watch *w, proc_result *res)
{
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    res->sigkilled = w->kill_sent;
    if (WIFEXITED(status))
        res->exited = 1, res->exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        res->signal = WTERMSIG(status);
    for (int i = 0; i < 2; i++)
        if (w->fds[i] >= 0)
            close(w->fds[i]);
    res->out_total = w->cap[0].total;
    res->err_total = w->cap[1].total;
    res->out = capture_text(&w->cap[0], &res->out_len);
    res->err = capture_text(&w->cap[1], &res->err_len);
    capture_free(&w->cap[0]), capture_free(&w->cap[1]);
}

int proc_run(const proc_spec *spec, const proc_limits *lim, const volatile sig_atomic_t *stop,
             proc_result *res)
{
    memset(res, 0, sizeof *res);
    watch w;
    memset(&w, 0, sizeof w);
    int out[2] = {-1, -1}, err[2] = {-1, -1}, err_no = 0;
    char *env_buf = NULL, **env = child_env(spec->tmpdir, &env_buf);
    char *argv[] = {"sh", "-c", (char *)spec->command, NULL};
    int in_fd = open(spec->stdin_path ? spec->stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
    if (env == NULL || in_fd < 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
        capture_init(&w.cap[0], lim->max_stdout, 0) != 0 ||
        capture_init(&w.cap[1], lim->max_stderr / 2, lim->max_stderr - lim->max_stderr / 2) != 0)
        goto fail;
    w.start = now_seconds();
    w.deadline = w.start + lim->timeout;
    w.pid = fork();
    if (w.pid < 0)
        goto fail;
    if (w.pid == 0)
        child(lim, in_fd, out[1], err[1], argv, env);
    close(in_fd), close(out[1]), close(err[1]);
    free(env), free(env_buf);
    w.fds[0] = out[0], w.fds[1] = err[0];
    watch_loop(&w, lim, stop, res);
    finish(&w, res);
    return 0;
fail:
    err_no = errno;
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (err[i] >= 0)
            close(err[i]);
    }
    if (in_fd >= 0)
        close(in_fd);
    capture_free(&w.cap[0]), capture_free(&w.cap[1]);
    free(env), free(env_buf);
    errno = err_no;
    return -1;
}

void proc_result_free(proc_result *res)
{
    free(res->out), free(res->err);
    res->out = res->err = NULL;
}
