/*
 * probe_report.c - `heapev probe`'s report: the verdict table on the
 * terminal, the failures under it (detail, expected findings, reproducer,
 * the reader's stderr tail), and the same as one JSON object (--json).
 * The table is the same for the same seed; times are only in the last line.
 */
#include <inttypes.h>
#include <string.h>

#include "probe.h"

static const char *expect_text(probe_expect e)
{
    return e == PROBE_EXPECT_OK ? "ok" : "ok|rejected";
}

static const char *format_name(heapev_gen_format f)
{
    return f == HEAPEV_GEN_FORMAT_PAYLOAD ? "payload" : f == HEAPEV_GEN_FORMAT_RECORD ? "record" : "etl";
}

static void print_row(FILE *out, const probe_class *c)
{
    fprintf(out, "%-34s %-8s %-12s", heapev_gen_class_get(c->cls)->name, probe_class_severity(c->cls),
            expect_text(c->expect));
    for (int v = 0; v < PROBE_VERDICTS; v++)
        fprintf(out, " %8" PRIu64, c->counts[v]);
    fprintf(out, "  %-8s %s\n", probe_verdict_name(c->worst), c->meets ? "yes" : "NO");
}

/* The text under a failing class: what happened, what was expected, where the reproducer is. */
static void print_failure(FILE *out, const probe_run *run, const probe_class *c)
{
    char names[512];
    uint64_t bad = 0;
    for (int v = 0; v < PROBE_VERDICTS; v++)
        bad += probe_meets(c->expect, (probe_verdict)v) ? 0 : c->counts[v];
    fprintf(out, "\n%s: expected %s, %" PRIu64 " of %" PRIu64 " inputs did not meet it\n",
            heapev_gen_class_get(c->cls)->name, expect_text(c->expect), bad, run->o->count);
    fprintf(out, "  input %" PRIu64 ": %s: %s\n", c->fail_index, probe_verdict_name(c->fail.verdict),
            c->fail.detail);
    heapev_findings_format(heapev_gen_class_get(c->cls)->findings, ", ", names, sizeof names);
    fprintf(out, "  class findings: %s\n", names[0] ? names : "none");
    if (c->repro != NULL)
        fprintf(out, "  reproducer: %s (%zu bytes, from %zu; %u shrinking runs): %s\n", c->repro,
                c->repro_len, c->orig_len, c->shrink_runs, probe_verdict_name(c->repro_outcome.verdict));
    if (c->fail_stderr != NULL && c->fail_stderr[0] != '\0') {
        fputs("  stderr tail:\n", out);
        for (const char *line = c->fail_stderr; *line;) {
            size_t n = strcspn(line, "\n");
            fprintf(out, "    | %.*s\n", (int)n, line);
            line += n + (line[n] == '\n');
        }
    }
}

void probe_report_text(FILE *out, const probe_run *run)
{
    const probe_opts *o = run->o;
    size_t failing = 0;
    fprintf(out, "heapev probe: %s\nformat %s, seed %" PRIu64 ", %" PRIu64
                 " inputs per class, timeout %g s%s%s\n\n",
            o->exec, format_name(o->format), o->seed, o->count, o->lim.timeout,
            o->adapter.kind == PROBE_ADAPTER_JSONL ? ", output JSON Lines"
            : o->adapter.kind == PROBE_ADAPTER_CSV ? ", output CSV" : ", no output adapter",
            o->use_stdin ? ", input on stdin" : "");
    fprintf(out, "%-34s %-8s %-12s", "class", "findings", "expect");
    for (int v = 0; v < PROBE_VERDICTS; v++)
        fprintf(out, " %8s", probe_verdict_name((probe_verdict)v));
    fprintf(out, "  %-8s %s\n", "verdict", "meets");
    for (size_t i = 0; i < run->nclasses; i++) {
        print_row(out, &run->classes[i]);
        failing += !run->classes[i].meets;
    }
    for (size_t i = 0; i < run->nclasses; i++)
        if (!run->classes[i].meets && run->classes[i].failed)
            print_failure(out, run, &run->classes[i]);
    fprintf(out, "\nheapev probe: %zu classes, %" PRIu64 " inputs in %.1f s: %zu meet their "
                 "expectation, %zu do not\n",
            run->nclasses, run->inputs, run->seconds, run->nclasses - failing, failing);
}

static json_t *counts_json(const probe_class *c)
{
    json_t *o = json_object();
    for (int v = 0; v < PROBE_VERDICTS; v++)
        json_object_set_new(o, probe_verdict_name((probe_verdict)v), json_integer((json_int_t)c->counts[v]));
    return o;
}

static json_t *failure_json(const probe_class *c)
{
    json_t *f = json_object();
    json_object_set_new(f, "input", json_integer((json_int_t)c->fail_index));
    json_object_set_new(f, "verdict", json_string(probe_verdict_name(c->fail.verdict)));
    json_object_set_new(f, "detail", json_string(c->fail.detail));
    json_object_set_new(f, "expected_findings", heapev_emit_findings_json(c->fail_findings));
    json_object_set_new(f, "stderr_tail", json_string(c->fail_stderr ? c->fail_stderr : ""));
    json_object_set_new(f, "input_bytes", json_integer((json_int_t)c->orig_len));
    json_object_set_new(f, "reproducer", c->repro ? json_string(c->repro) : json_null());
    json_object_set_new(f, "reproducer_bytes", json_integer((json_int_t)c->repro_len));
    json_object_set_new(f, "reproducer_verdict", json_string(probe_verdict_name(c->repro_outcome.verdict)));
    json_object_set_new(f, "reproducer_detail", json_string(c->repro_outcome.detail));
    json_object_set_new(f, "shrink_runs", json_integer(c->shrink_runs));
    return f;
}

static json_t *class_json(const probe_class *c)
{
    json_t *o = json_object(), *expect = json_array();
    json_object_set_new(o, "class", json_string(heapev_gen_class_get(c->cls)->name));
    json_object_set_new(o, "severity", json_string(probe_class_severity(c->cls)));
    json_object_set_new(o, "class_findings", heapev_emit_findings_json(heapev_gen_class_get(c->cls)->findings));
    json_array_append_new(expect, json_string("ok"));
    if (c->expect == PROBE_EXPECT_OK_OR_REJECT)
        json_array_append_new(expect, json_string("rejected"));
    json_object_set_new(o, "expect", expect);
    json_object_set_new(o, "counts", counts_json(c));
    json_object_set_new(o, "verdict", json_string(probe_verdict_name(c->worst)));
    json_object_set_new(o, "meets", json_boolean(c->meets));
    if (!c->meets && c->failed)
        json_object_set_new(o, "failure", failure_json(c));
    return o;
}

json_t *probe_report_json(const probe_run *run)
{
    const probe_opts *o = run->o;
    json_t *r = json_object(), *classes = json_array();
    json_object_set_new(r, "command", json_string(o->exec));
    json_object_set_new(r, "stdin", json_boolean(o->use_stdin));
    json_object_set_new(r, "format", json_string(format_name(o->format)));
    json_object_set_new(r, "seed", heapev_emit_u64_json(o->seed));
    json_object_set_new(r, "count", heapev_emit_u64_json(o->count));
    json_object_set_new(r, "timeout", json_real(o->lim.timeout));
    json_object_set_new(r, "adapter", o->adapter.kind == PROBE_ADAPTER_NONE ? json_null()
                                      : json_string(o->adapter.kind == PROBE_ADAPTER_JSONL ? "jsonl" : "csv"));
    json_object_set_new(r, "inputs", heapev_emit_u64_json(run->inputs));
    json_object_set_new(r, "seconds", json_real(run->seconds));
    json_object_set_new(r, "meets", json_boolean(run->meets));
    for (size_t i = 0; i < run->nclasses; i++)
        json_array_append_new(classes, class_json(&run->classes[i]));
    json_object_set_new(r, "classes", classes);
    return r;
}
