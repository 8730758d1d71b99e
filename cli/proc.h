/*
 * proc.h - run one shell command as a bounded child process: its own
 * session and process group (killed as a whole), resource limits, output
 * kept up to a cap, a wall-clock timeout (SIGTERM, then SIGKILL), and a stop
 * flag a signal handler may raise. Nothing the command does can block the
 * caller past the timeout or make it hold more than the caps. `heapev probe`
 * runs every reader through it; tests/test_proc.c shows each bound.
 */
#ifndef HEAPEV_CLI_PROC_H
#define HEAPEV_CLI_PROC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* What a child may use. Zero fields mean "no limit" except where noted. */
typedef struct proc_limits {
    double timeout;         /* wall seconds before the group gets SIGTERM (> 0) */
    double grace;           /* seconds from SIGTERM to SIGKILL */
    size_t max_stdout;      /* stdout bytes kept (the rest is read and dropped) */
    size_t max_stderr;      /* stderr bytes kept: half from the start, half from the end */
    uint64_t max_file_size; /* RLIMIT_FSIZE: bytes per file the child may write */
    uint64_t max_memory;    /* RLIMIT_AS: bytes of address space */
    uint64_t max_cpu;       /* RLIMIT_CPU: seconds of CPU time */
} proc_limits;

/* Seconds the caller waits for the pipes once the child is gone (they may be held elsewhere). */
#define PROC_DRAIN_SECONDS 1.0

/* What to run. */
typedef struct proc_spec {
    const char *command;    /* run as /bin/sh -c COMMAND */
    const char *stdin_path; /* its standard input, or NULL for /dev/null */
    const char *tmpdir;     /* its TMPDIR, or NULL to keep the caller's environment */
} proc_spec;

/* How it ended and what it printed. */
typedef struct proc_result {
    int timed_out;      /* the timeout passed (the group was stopped) */
    int stopped;        /* the stop flag was raised (the group was stopped) */
    int sigkilled;      /* SIGTERM was not enough: the group got SIGKILL */
    int exited;         /* it called exit: exit_status is valid */
    int exit_status;
    int signal;         /* it ended on this signal (0 when it exited) */
    char *out;          /* the first bytes of stdout, NUL-terminated */
    size_t out_len;
    uint64_t out_total; /* bytes it wrote to stdout */
    char *err;          /* stderr: all of it, or its head, a "[... N bytes ...]" line, its tail */
    size_t err_len;
    uint64_t err_total;
    double seconds;     /* wall time until it ended */
} proc_result;

/*
 * Run @p spec under @p lim; returns once the child is reaped and its
 * pipes are closed or abandoned (PROC_DRAIN_SECONDS after it ended: a
 * descendant that left the process group may hold them). Every process
 * still in the child's group when it ends is killed. @p stop (may be NULL)
 * is polled: once nonzero the group is stopped as on a timeout.
 * @return 0, or -1 with errno set when no child could be started (*res is
 *         then zeroed)
 */
int proc_run(const proc_spec *spec, const proc_limits *lim, const volatile sig_atomic_t *stop,
             proc_result *res);

/* Free what proc_run() allocated in @p res. */
void proc_result_free(proc_result *res);

#endif /* HEAPEV_CLI_PROC_H */
