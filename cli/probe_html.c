/*
 * probe_html.c - `heapev probe --html`: the report as one self-contained
 * HTML page, like `heapev stats --html`: inline CSS, one stacked bar per
 * class in inline SVG (its inputs by verdict), the table, and each failing
 * class with its detail, reproducer and the reader's stderr tail. No script,
 * nothing fetched; written through the emitters' atomic files.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "probe.h"

static const char *const verdict_colours[PROBE_VERDICTS] = {"#59a14f", "#9aa3b2", "#e69a28",
                                                            "#8a5cc2", "#d64545"};

static void html_head(FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>heapev probe</title>\n<style>\n"
          "body{font:14px/1.45 system-ui,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d2430;"
          "background:#fff;max-width:1200px;margin:24px auto;padding:0 16px}\n"
          "h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 10px;"
          "padding-bottom:4px;border-bottom:1px solid #d9dee7}h3{font-size:15px;margin:18px 0 6px}\n"
          ".sub{color:#5b6575;margin:0 0 16px}code{font-size:13px}\n"
          ".cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #d9dee7;"
          "border-radius:8px;padding:10px 16px;min-width:130px;background:#f7f9fc}\n"
          ".card b{display:block;font-size:22px}.card span{color:#5b6575;font-size:12px}\n"
          "table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;"
          "border-bottom:1px solid #e8ebf1;text-align:left}\n"
          "th{background:#f2f4f8;font-weight:600}td.n{text-align:right;"
          "font-variant-numeric:tabular-nums}\n"
          ".no{color:#d64545;font-weight:600}.yes{color:#3d7f35}\n"
          ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin:0 4px 0 12px;"
          "vertical-align:-1px}\n"
          "pre{background:#f7f9fc;border:1px solid #e3e7ee;padding:8px;overflow:auto;font-size:12px}\n"
          "svg text{font:12px system-ui,'Segoe UI',Helvetica,Arial,sans-serif;fill:#1d2430}\n"
          "footer{margin:32px 0;color:#7a8494;font-size:12px}\n"
          "</style></head>\n<body>\n",
          out);
}

static void html_cards(FILE *out, const probe_run *run)
{
    size_t failing = 0;
    for (size_t i = 0; i < run->nclasses; i++)
        failing += !run->classes[i].meets;
    fputs("<div class=\"cards\">\n", out);
    fprintf(out, "<div class=\"card\"><b>%zu</b><span>classes</span></div>\n", run->nclasses);
    fprintf(out, "<div class=\"card\"><b>%" PRIu64 "</b><span>inputs</span></div>\n", run->inputs);
    fprintf(out, "<div class=\"card\"><b>%zu</b><span>meet their expectation</span></div>\n",
            run->nclasses - failing);
    fprintf(out, "<div class=\"card\"><b class=\"%s\">%zu</b><span>do not</span></div>\n",
            failing ? "no" : "yes", failing);
    fprintf(out, "<div class=\"card\"><b>%.1f s</b><span>wall time</span></div>\n</div>\n",
            run->seconds);
}

/* One stacked bar per class: its inputs by verdict. */
static void svg_bars(FILE *out, const probe_run *run)
{
    const unsigned label_w = 270, bar_w = 600, row_h = 20;
    fputs("<p>", out);
    for (int v = 0; v < PROBE_VERDICTS; v++)
        fprintf(out, "<span class=\"sw\" style=\"background:%s\"></span>%s", verdict_colours[v],
                probe_verdict_name((probe_verdict)v));
    fprintf(out, "</p>\n<svg width=\"%u\" height=\"%zu\" role=\"img\">\n", label_w + bar_w + 60,
            run->nclasses * row_h + 4);
    for (size_t i = 0; i < run->nclasses; i++) {
        const probe_class *c = &run->classes[i];
        unsigned y = 2 + (unsigned)i * row_h;
        uint64_t total = 0;
        for (int v = 0; v < PROBE_VERDICTS; v++)
            total += c->counts[v];
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\"%s>%s</text>", label_w - 8,
                y + 14, c->meets ? "" : " style=\"font-weight:600\"",
                heapev_gen_class_get(c->cls)->name);
        double x = label_w;
        for (int v = 0; v < PROBE_VERDICTS && total; v++) {
            double w = (double)c->counts[v] / (double)total * bar_w;
            if (w > 0)
                fprintf(out, "<rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%u\" fill=\"%s\">"
                             "<title>%s: %" PRIu64 "</title></rect>", x, y + 3, w, row_h - 6,
                        verdict_colours[v], probe_verdict_name((probe_verdict)v), c->counts[v]);
            x += w;
        }
        fprintf(out, "<text x=\"%u\" y=\"%u\" style=\"fill:%s\">%s</text>\n", label_w + bar_w + 8,
                y + 14, c->meets ? "#3d7f35" : "#d64545", c->meets ? "meets" : "FAILS");
    }
    fputs("</svg>\n", out);
}

static void html_table(FILE *out, const probe_run *run)
{
    fputs("<table><tr><th>class</th><th>findings</th><th>expect</th>", out);
    for (int v = 0; v < PROBE_VERDICTS; v++)
        fprintf(out, "<th>%s</th>", probe_verdict_name((probe_verdict)v));
    fputs("<th>verdict</th><th>meets</th></tr>\n", out);
    for (size_t i = 0; i < run->nclasses; i++) {
        const probe_class *c = &run->classes[i];
        fprintf(out, "<tr><td><code>%s</code></td><td>%s</td><td>%s</td>",
                heapev_gen_class_get(c->cls)->name, probe_class_severity(c->cls),
                c->expect == PROBE_EXPECT_OK ? "ok" : "ok or rejected");
        for (int v = 0; v < PROBE_VERDICTS; v++)
            fprintf(out, "<td class=\"n\">%" PRIu64 "</td>", c->counts[v]);
        fprintf(out, "<td>%s</td><td class=\"%s\">%s</td></tr>\n", probe_verdict_name(c->worst),
                c->meets ? "yes" : "no", c->meets ? "yes" : "no");
    }
    fputs("</table>\n", out);
}

static void html_failure(FILE *out, const probe_class *c)
{
    char names[512];
    heapev_findings_format(heapev_gen_class_get(c->cls)->findings, ", ", names, sizeof names);
    fprintf(out, "<h3><code>%s</code>: %s</h3>\n<p>Input %" PRIu64 ": ",
            heapev_gen_class_get(c->cls)->name, probe_verdict_name(c->fail.verdict), c->fail_index);
    cli_html_text(out, c->fail.detail);
    fputs("<br>Class findings: ", out);
    cli_html_text(out, names[0] ? names : "none");
    if (c->repro != NULL) {
        fputs("<br>Reproducer: <code>", out);
        cli_html_text(out, c->repro);
        fprintf(out, "</code> (%zu bytes, from %zu), %s", c->repro_len, c->orig_len,
                probe_verdict_name(c->repro_outcome.verdict));
    }
    fputs("</p>\n", out);
    if (c->fail_stderr != NULL && c->fail_stderr[0] != '\0') {
        fputs("<pre>", out);
        cli_html_text(out, c->fail_stderr);
        fputs("</pre>\n", out);
    }
}

static void html_write(FILE *out, const probe_run *run)
{
    html_head(out);
    fputs("<h1>heapev probe</h1>\n<p class=\"sub\"><code>", out);
    cli_html_text(out, run->o->exec);
    fprintf(out, "</code><br>seed %" PRIu64 ", %" PRIu64 " inputs per class, timeout %g s</p>\n",
            run->o->seed, run->o->count, run->o->lim.timeout);
    html_cards(out, run);
    fputs("<h2>Verdicts by class</h2>\n", out);
    svg_bars(out, run);
    html_table(out, run);
    fputs("<h2>Classes that do not meet their expectation</h2>\n", out);
    int any = 0;
    for (size_t i = 0; i < run->nclasses; i++)
        if (!run->classes[i].meets && run->classes[i].failed)
            html_failure(out, &run->classes[i]), any = 1;
    if (!any)
        fputs("<p>None: every class meets its expectation.</p>\n", out);
    fputs("<footer>Written by heapev probe (docs/PROBE.md). Self-contained: no scripts, no "
          "external resources.</footer>\n</body></html>\n", out);
}

int probe_write_html(const char *path, const probe_run *run)
{
    heapev_emit_file f;
    if (heapev_emit_open(&f, path) != 0)
        return cli_error(path, "%s", strerror(errno));
    FILE *out = fdopen(f.fd, "w");
    if (out == NULL) {
        int err = errno;
        heapev_emit_discard(&f);
        return cli_error(path, "%s", strerror(err));
    }
    f.fd = -1; /* the stream owns it now */
    html_write(out, run);
    int err = fflush(out) != 0 || ferror(out) ? (errno ? errno : EIO) : 0;
    if (fclose(out) != 0 && err == 0)
        err = errno;
    if (err == 0 && heapev_emit_commit(&f) != 0)
        err = errno;
    if (err != 0) {
        heapev_emit_discard(&f);
        return cli_error(path, "write error: %s", strerror(err));
    }
    return 0;
}
