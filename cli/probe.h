/*
 * probe.h - the parts of `heapev probe` and what passes between them: the
 * options, one generated input with the events a reader must print, one
 * run's verdict, and each class's tally.
 *
 *   cmd_probe.c     options and the driver
 *   proc.c          running one reader as a bounded child (proc.h)
 *   probe_input.c   inputs from the generator library, and the library's
 *                   reading of any bytes (for the minimizer)
 *   probe_judge.c   a run's verdict: crash patterns, exit codes
 *   probe_adapter.c the reader's output (JSON Lines or CSV) against the events
 *   probe_run.c     the run directory, the parallel jobs, the tally
 *   probe_min.c     shrinking a failing input while its verdict holds
 *   probe_report.c  the table and the JSON report
 *   probe_html.c    the HTML page
 */
#ifndef HEAPEV_CLI_PROBE_H
#define HEAPEV_CLI_PROBE_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "heapev/gen_etl.h"
#include "proc.h"

/* Verdicts, from best to worst: a class shows its worst. */
typedef enum probe_verdict {
    PROBE_OK = 0,
    PROBE_REJECTED,
    PROBE_MISREAD,
    PROBE_HUNG,
    PROBE_CRASHED,
    PROBE_VERDICTS
} probe_verdict;

/* What a class's inputs must get (docs/PROBE.md): from the severity of its findings. */
typedef enum probe_expect {
    PROBE_EXPECT_OK = 0,      /* no finding, or only notes: read it, and read it right */
    PROBE_EXPECT_OK_OR_REJECT /* anomalies or errors: read it right, or refuse it cleanly */
} probe_expect;

/* The reader's output format, when it has one to compare. */
typedef enum probe_adapter_kind { PROBE_ADAPTER_NONE = 0, PROBE_ADAPTER_JSONL, PROBE_ADAPTER_CSV } probe_adapter_kind;

/* The compared fields, in this order. */
enum { PROBE_F_HANDLE, PROBE_F_SIZE, PROBE_F_ADDRESS, PROBE_F_SOURCE, PROBE_FIELDS };

typedef struct probe_adapter {
    probe_adapter_kind kind;
    const char *field[PROBE_FIELDS]; /* JSON key or CSV column (name or 1-based number); "" = not compared */
} probe_adapter;

typedef struct probe_opts {
    heapev_gen_format format;
    size_t *classes;       /* catalogue indices, in catalogue order */
    size_t nclasses;
    uint64_t count, seed;
    const char *exec;      /* the command, with {} and {bits} */
    int use_stdin;         /* --stdin: the input on standard input */
    unsigned jobs;
    proc_limits lim;
    probe_adapter adapter;
    uint8_t crash_exit[256]; /* exit statuses that count as crashes */
    int json;
    const char *html;
    const char *repro_dir;
    double minimize_time;  /* seconds per class; 0: keep the input as generated */
} probe_opts;

/* The field names of heapev_emit_event_json(), the adapters' defaults. */
extern const char *const probe_field_names[PROBE_FIELDS];

/* ---- probe_input.c ----------------------------------------------------------------------- */

/* One heap Alloc a reader should print; optional: it may, or may not (the library loses it). */
typedef struct probe_event {
    uint64_t v[PROBE_FIELDS];
    int optional;
} probe_event;

typedef struct probe_events {
    probe_event *v;
    size_t n, cap;
} probe_events;

/* One generated input of a class. */
typedef struct probe_input {
    size_t cls;
    uint64_t index;
    uint8_t *bytes;
    size_t len;
    unsigned decode_width;          /* payloads: the width to give the reader ({bits}); 0: infer */
    heapev_gen_etl_options trace;   /* etl: how it was generated (the minimizer changes it) */
    probe_events expected;
    heapev_findings findings;       /* what a correct decoder reports, from the generator */
    int has_errors;                 /* the library finds an error in it */
} probe_input;

/* The file name suffix of the format's inputs (".bin" or ".etl"). */
const char *probe_suffix(heapev_gen_format format);

/* Does class @p cls (a catalogue index) make inputs of @p format? */
int probe_class_applies(heapev_gen_format format, size_t cls);

/* Make input @p index of class @p cls. 0, or -1 (out of memory; @p in freed). */
int probe_input_make(const probe_opts *o, size_t cls, uint64_t index, probe_input *in);

/* Make an etl input again from @p trace (the minimizer's smaller traces). 0 or -1. */
int probe_input_make_trace(const heapev_gen_etl_options *trace, probe_input *in);

/* Set in->expected and in->has_errors from what the library reads in in->bytes. 0 or -1. */
int probe_input_oracle(const probe_opts *o, probe_input *in);

void probe_input_free(probe_input *in);

/* Append @p e; 0 or -1 (out of memory). */
int probe_events_add(probe_events *evs, const probe_event *e);

/* ---- probe_judge.c, probe_adapter.c --------------------------------------------------------- */

#define PROBE_DETAIL_MAX 320
#define PROBE_SIGNATURE_MAX 96

/* The verdict of one run. */
typedef struct probe_outcome {
    probe_verdict verdict;
    char detail[PROBE_DETAIL_MAX];       /* why, in one line */
    char signature[PROBE_SIGNATURE_MAX]; /* what must stay the same while shrinking */
} probe_outcome;

/* Judge one finished run of the reader on @p in. */
void probe_judge(const probe_opts *o, const proc_result *r, const probe_input *in,
                 probe_outcome *out);

/*
 * Compare the reader's standard output (@p text, @p len bytes, @p truncated
 * when it passed the cap) with @p expected. Returns PROBE_OK or
 * PROBE_MISREAD, with the reason in @p out.
 */
probe_verdict probe_adapter_compare(const probe_adapter *a, const char *text, size_t len,
                                    int truncated, const probe_events *expected,
                                    probe_outcome *out);

/* Does @p v meet expectation @p e? */
int probe_meets(probe_expect e, probe_verdict v);

/* What a class's inputs must get. */
probe_expect probe_class_expect(size_t cls);

/* "ok", "rejected", "misread", "hung", "crashed". */
const char *probe_verdict_name(probe_verdict v);

/* "none", "note", "anomaly" or "error": the worst severity of a class's findings. */
const char *probe_class_severity(size_t cls);

/* The last non-empty lines of @p text, at most @p max_lines and @p cap - 1 bytes. */
void probe_tail(const char *text, unsigned max_lines, char *out, size_t cap);

/* ---- probe_run.c, probe_min.c ---------------------------------------------------------------- */

/* A class's tally. */
typedef struct probe_class {
    size_t cls;
    probe_expect expect;
    uint64_t counts[PROBE_VERDICTS];
    probe_verdict worst;
    int meets;
    /* The first input (lowest index) that does not meet the expectation. */
    int failed;
    uint64_t fail_index;
    probe_outcome fail;
    char *fail_stderr;          /* its stderr tail */
    heapev_findings fail_findings;
    size_t orig_len;            /* its size as generated */
    char *repro;                /* the reproducer's path, or NULL */
    size_t repro_len;
    probe_outcome repro_outcome; /* the verdict of the reproducer */
    unsigned shrink_runs;       /* runs the minimizer made */
} probe_class;

typedef struct probe_run {
    const probe_opts *o;
    probe_class *classes;
    size_t nclasses;
    uint64_t inputs;
    double seconds;
    int meets;       /* every class meets its expectation */
    int interrupted; /* signal number that stopped the run, or 0 */
} probe_run;

/* The signal that asked the run to stop, 0 while none has (set by the handler). */
extern volatile sig_atomic_t probe_stop_signal;

/* Run every input of every class. 0, or CLI_EXIT_USAGE after a one-line error. */
int probe_run_all(const probe_opts *o, probe_run *run);

/* Shrink class @p c's failing input in @p workdir; sets c->repro*. 0 or CLI_EXIT_USAGE. */
int probe_minimize(const probe_opts *o, probe_class *c, const char *workdir);

/* Run the reader once on @p in (its file written at @p path) and judge it. 0, or -1 with errno. */
int probe_run_one(const probe_opts *o, const probe_input *in, const char *path,
                  const char *tmpdir, probe_outcome *out, char **stderr_tail);

void probe_run_free(probe_run *run);

/* ---- probe_report.c, probe_html.c ------------------------------------------------------------ */

/* The table (and the failures under it) on @p out. */
void probe_report_text(FILE *out, const probe_run *run);

/* The whole report as one JSON object. */
json_t *probe_report_json(const probe_run *run);

/* The HTML page at @p path, written atomically. 0, or CLI_EXIT_USAGE after a one-line error. */
int probe_write_html(const char *path, const probe_run *run);

#endif /* HEAPEV_CLI_PROBE_H */
