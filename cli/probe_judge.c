/*
 * probe_judge.c - the verdict of one run of a reader, and what each class
 * must get. In this order: hung (past the timeout or the CPU limit);
 * crashed (a sanitizer report or an uncaught exception on stderr, a signal,
 * an exit status --crash-exit maps); rejected (any other failing exit);
 * then, for a clean exit, the output adapter: misread or ok.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static const char *const verdict_names[PROBE_VERDICTS] = {"ok", "rejected", "misread", "hung",
                                                          "crashed"};

const char *probe_verdict_name(probe_verdict v)
{
    return (unsigned)v < PROBE_VERDICTS ? verdict_names[v] : "?";
}

probe_expect probe_class_expect(size_t cls)
{
    heapev_findings f = heapev_gen_class_get(cls)->findings;
    return heapev_findings_defects(f) != 0 ? PROBE_EXPECT_OK_OR_REJECT : PROBE_EXPECT_OK;
}

const char *probe_class_severity(size_t cls)
{
    heapev_findings f = heapev_gen_class_get(cls)->findings;
    return heapev_findings_errors(f) ? "error" : heapev_findings_defects(f) ? "anomaly" : f ? "note" : "none";
}

int probe_meets(probe_expect e, probe_verdict v)
{
    return v == PROBE_OK || (v == PROBE_REJECTED && e == PROBE_EXPECT_OK_OR_REJECT);
}

/* ---- text on stderr ------------------------------------------------------------------------------ */

/*
 * What a crash prints: sanitizer reports and the uncaught-exception texts of
 * common runtimes. @c at_line_start: the text must begin a line (Go's
 * "panic: " would match too much elsewhere). @c last_line: the exception's
 * name is on the last unindented line (a Python traceback), not after the text.
 */
static const struct crash_text {
    const char *text, *kind;
    int at_line_start, last_line;
} crash_texts[] = {
    {"ERROR: AddressSanitizer", "AddressSanitizer", 0, 0},
    {"ERROR: HWAddressSanitizer", "HWAddressSanitizer", 0, 0},
    {"ERROR: LeakSanitizer", "LeakSanitizer", 0, 0},
    {"WARNING: MemorySanitizer", "MemorySanitizer", 0, 0},
    {"WARNING: ThreadSanitizer", "ThreadSanitizer", 0, 0},
    {"Traceback (most recent call last):", "Python exception", 1, 1},
    {"Unhandled exception.", ".NET exception", 1, 0},
    {"Unhandled Exception:", ".NET exception", 1, 0},
    {"panic: ", "Go panic", 1, 0}, /* before UBSan: "panic: runtime error: ..." */
    {": runtime error: ", "UndefinedBehaviorSanitizer", 0, 0},
    {"panicked at", "Rust panic", 0, 0},
    {"Exception in thread \"", "Java exception", 1, 0},
};

static const char *find_at_line_start(const char *text, const char *what)
{
    for (const char *at = strstr(text, what); at != NULL; at = strstr(at + 1, what))
        if (at == text || at[-1] == '\n')
            return at;
    return NULL;
}

/* Copy the line at @p p (up to '\n') into @p out, trimmed. */
static void copy_line(const char *p, char *out, size_t cap)
{
    while (*p == ' ' || *p == '\t' || *p == ':' || *p == '.')
        p++;
    size_t n = strcspn(p, "\r\n");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
}

/* The last line of @p from that starts with no blank: a Python exception's "Name: message". */
static void last_unindented(const char *from, char *out, size_t cap)
{
    const char *best = from;
    for (const char *line = from; *line; ) {
        if (*line != ' ' && *line != '\t' && *line != '\n' && *line != '\r')
            best = line;
        const char *nl = strchr(line, '\n');
        if (nl == NULL)
            break;
        line = nl + 1;
    }
    copy_line(best, out, cap);
}

/* The kind and the key text up to its first ':' / " on " / '(' / '[' (no addresses, no counts). */
static void make_signature(const char *kind, const char *key, char *out, size_t cap)
{
    size_t n = strlen(key);
    static const char *const stops[] = {":", " on ", " at ", "(", "[", " 0x"};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        const char *s = strstr(key + (n > 0 ? 1 : 0), stops[i]);
        if (s != NULL && (size_t)(s - key) < n)
            n = (size_t)(s - key);
    }
    snprintf(out, cap, "%s: %.*s", kind, (int)(n < 60 ? n : 60), key);
}

/* A crash text on stderr: sets the verdict and returns 1. */
static int crash_text(const char *err, probe_outcome *out)
{
    for (size_t i = 0; i < sizeof crash_texts / sizeof crash_texts[0]; i++) {
        const struct crash_text *c = &crash_texts[i];
        const char *at = c->at_line_start ? find_at_line_start(err, c->text) : strstr(err, c->text);
        if (at == NULL)
            continue;
        char key[160];
        if (c->last_line)
            last_unindented(at + strlen(c->text), key, sizeof key);
        else
            copy_line(at + strlen(c->text), key, sizeof key);
        out->verdict = PROBE_CRASHED;
        snprintf(out->detail, sizeof out->detail, "%s: %s", c->kind, key);
        make_signature(c->kind, key, out->signature, sizeof out->signature);
        return 1;
    }
    return 0;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGPIPE: return "SIGPIPE";
    case SIGXFSZ: return "SIGXFSZ: a file past --max-file-size";
    case SIGSYS: return "SIGSYS";
    default: return "signal";
    }
}

void probe_tail(const char *text, unsigned max_lines, char *out, size_t cap)
{
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    size_t start = len;
    unsigned lines = 0;
    while (start > 0 && len - start < cap - 1) {
        if (text[start - 1] == '\n' && ++lines == max_lines)
            break;
        start--;
    }
    if (len - start >= cap)
        start = len - (cap - 1);
    snprintf(out, cap, "%.*s", (int)(len - start), text + start);
}

void probe_judge(const probe_opts *o, const proc_result *r, const probe_input *in,
                 probe_outcome *out)
{
    memset(out, 0, sizeof *out);
    char last[160];
    if (r->timed_out || r->stopped || r->signal == SIGXCPU) {
        out->verdict = PROBE_HUNG;
        snprintf(out->detail, sizeof out->detail, "%s%s",
                 r->stopped ? "stopped by a signal to heapev"
                 : r->timed_out ? "still running at the timeout" : "past the CPU time limit",
                 r->sigkilled ? " (ignored SIGTERM: killed)" : "");
        snprintf(out->signature, sizeof out->signature, "hung");
        return;
    }
    if (crash_text(r->err, out))
        return;
    if (!r->exited) {
        out->verdict = PROBE_CRASHED;
        snprintf(out->detail, sizeof out->detail, "killed by signal %d (%s)", r->signal,
                 signal_name(r->signal));
        snprintf(out->signature, sizeof out->signature, "signal %d", r->signal);
        return;
    }
    if (o->crash_exit[r->exit_status & 0xFF]) {
        out->verdict = PROBE_CRASHED;
        snprintf(out->detail, sizeof out->detail, "exit status %d (a crash: --crash-exit)",
                 r->exit_status);
        snprintf(out->signature, sizeof out->signature, "exit %d", r->exit_status);
        return;
    }
    if (r->exit_status != 0) {
        probe_tail(r->err, 1, last, sizeof last);
        out->verdict = PROBE_REJECTED;
        snprintf(out->detail, sizeof out->detail, "exit status %d%s%s", r->exit_status,
                 last[0] ? ": " : "", last);
        snprintf(out->signature, sizeof out->signature, "rejected");
        return;
    }
    out->verdict = probe_adapter_compare(&o->adapter, r->out, r->out_len,
                                         r->out_total > r->out_len, &in->expected, out);
}
