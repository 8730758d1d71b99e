/*
 * stats_html.c - `heapev stats --html`: the report as one self-contained HTML page.
 *
 * Inline CSS and SVG charts (size histogram, findings bars, Source donut,
 * class bars), no script and no fetch; written as heapev/emit.h writes every
 * output: a temporary file renamed over the target, or in place.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats.h"

typedef struct chart_row {
    const char *label;
    uint64_t n;
    const char *colour;
} chart_row;

static const char *const source_colours[SOURCE_SLOTS] = {
    "#9c2f2f", "#4e79a7", "#59a14f", "#76b7b2", "#d4b12f", "#f28e2b", "#b07aa1", "#e15759"};
#define COLOUR_ERROR "#d64545"
#define COLOUR_ANOMALY "#e69a28"
#define COLOUR_BAR "#4e79a7"

static void html_text(FILE *out, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*text, out);
        }
    }
}

static void html_head(FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>heapev stats</title>\n<style>\n"
          "body{font:14px/1.45 system-ui,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d2430;"
          "background:#fff;max-width:1100px;margin:24px auto;padding:0 16px}\n"
          "h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 10px;"
          "padding-bottom:4px;border-bottom:1px solid #d9dee7}\n"
          ".sub{color:#5b6575;margin:0 0 16px}\n"
          ".cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #d9dee7;"
          "border-radius:8px;padding:10px 16px;min-width:130px;background:#f7f9fc}\n"
          ".card b{display:block;font-size:22px}.card span{color:#5b6575;font-size:12px}\n"
          "table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 12px;"
          "border-bottom:1px solid #e8ebf1;text-align:left;vertical-align:middle}\n"
          "th{background:#f2f4f8;font-weight:600}td.n{text-align:right;"
          "font-variant-numeric:tabular-nums}\n"
          ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;"
          "vertical-align:-1px}\n.row{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}\n"
          "svg text{font:12px system-ui,'Segoe UI',Helvetica,Arial,sans-serif;fill:#1d2430}\n"
          "svg .axis{stroke:#9aa3b2}svg .grid{stroke:#e3e7ee}\n"
          ".err{color:" COLOUR_ERROR ";font-weight:600}.anom{color:#b06f00;font-weight:600}\n"
          "footer{margin:32px 0;color:#7a8494;font-size:12px}\n"
          "</style></head>\n<body>\n",
          out);
}

/* A card: a big formatted value over a small label. */
__attribute__((format(printf, 3, 4)))
static void html_card(FILE *out, const char *label, const char *fmt, ...)
{
    char value[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    fprintf(out, "<div class=\"card\"><b>%s</b><span>", value);
    html_text(out, label);
    fputs("</span></div>\n", out);
}

static void html_cards(FILE *out, const stats *s)
{
    fputs("<div class=\"cards\">\n", out);
    html_card(out, "events", "%" PRIu64, s->events);
    html_card(out, "files", "%" PRIu64, s->files);
    html_card(out, "clean events", "%.1f%%", stats_pct(s->clean, s->events));
    html_card(out, "events with findings", "%.1f%%", stats_pct(s->with_findings, s->events));
    html_card(out, "events/s", "%.0f", stats_rate(s));
    html_card(out, "bytes read", "%.2f MiB", (double)s->bytes / 1048576.0);
    fputs("</div>\n", out);
}

/* Horizontal bar chart: label, bar scaled to the largest row, count and share of @p total. */
static void svg_hbars(FILE *out, const chart_row *rows, size_t n, uint64_t total)
{
    const unsigned label_w = 230, bar_w = 560, row_h = 24, width = label_w + bar_w + 160;
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = rows[i].n > max ? rows[i].n : max;
    fprintf(out, "<svg width=\"%u\" height=\"%zu\" role=\"img\">\n", width, n * row_h + 8);
    for (size_t i = 0; i < n; i++) {
        unsigned y = 4 + (unsigned)i * row_h;
        double w = max ? (double)rows[i].n / (double)max * bar_w : 0.0;
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">", label_w - 8, y + 16);
        html_text(out, rows[i].label);
        fprintf(out, "</text><rect x=\"%u\" y=\"%u\" width=\"%.1f\" height=\"%u\" rx=\"2\" "
                     "fill=\"%s\"><title>%" PRIu64 "</title></rect>",
                label_w, y + 4, w < 1.0 && rows[i].n ? 1.0 : w, row_h - 8, rows[i].colour,
                rows[i].n);
        fprintf(out, "<text x=\"%.1f\" y=\"%u\">%" PRIu64 " (%.1f%%)</text>\n",
                label_w + w + 6, y + 16, rows[i].n, stats_pct(rows[i].n, total));
    }
    fputs("</svg>\n", out);
}

static void svg_hist_axis(FILE *out, uint64_t max, unsigned left, unsigned top, unsigned plot_w,
                          unsigned plot_h)
{
    for (unsigned k = 0; k <= 4; k++) {
        unsigned y = top + plot_h - plot_h * k / 4;
        fprintf(out, "<line class=\"%s\" x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\"/>"
                     "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">%" PRIu64 "</text>\n",
                k ? "grid" : "axis", left, y, left + plot_w, y, left - 6, y + 4, max * k / 4);
    }
}

/* Vertical bars, one per log2 bucket from the smallest to the largest non-empty one. */
static void svg_histogram(FILE *out, const stats *s)
{
    const unsigned width = 1060, left = 80, top = 20, plot_w = width - left - 20, plot_h = 260;
    unsigned lo, hi;
    char label[40];
    stats_hist_span(s, &lo, &hi);
    if (lo > hi) {
        fputs("<p>No decoded payloads.</p>\n", out);
        return;
    }
    uint64_t max = stats_max_of(s->size_hist, SIZE_BUCKETS);
    double slot = (double)plot_w / (hi - lo + 1);
    unsigned every = slot >= 16.0 ? 1u : (unsigned)(16.0 / slot) + 1u;
    fprintf(out, "<svg width=\"%u\" height=\"%u\" role=\"img\">\n", width, top + plot_h + 66);
    svg_hist_axis(out, max, left, top, plot_w, plot_h);
    for (unsigned b = lo; b <= hi; b++) {
        double x = left + (b - lo) * slot, h = (double)s->size_hist[b] / (double)max * plot_h;
        stats_bucket_label(b, label, sizeof label);
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                     "<title>%s: %" PRIu64 "</title></rect>",
                x + slot * 0.1, top + plot_h - h, slot * 0.8, h, COLOUR_BAR, label,
                s->size_hist[b]);
        if ((b - lo) % every == 0)
            fprintf(out, "<text transform=\"translate(%.1f,%u) rotate(-45)\" "
                         "text-anchor=\"end\">%s</text>\n", x + slot / 2 + 4, top + plot_h + 14,
                    stats_bucket_floor_label(b, label, sizeof label));
    }
    fprintf(out, "<text x=\"%u\" y=\"%u\">Size in bytes: each bar counts the sizes from its "
                 "label up to the next power of two (log2 buckets)</text>\n", left,
            top + plot_h + 60);
    fputs("</svg>\n", out);
}

/* Donut of the Source mix: one arc per value, as dashes of a circle's stroke. */
static void svg_donut(FILE *out, const stats *s)
{
    const double r = 80.0, c = 2.0 * 3.14159265358979 * r;
    uint64_t total = 0;
    for (unsigned v = 0; v < SOURCE_SLOTS; v++)
        total += s->source[v];
    fputs("<svg width=\"240\" height=\"240\" role=\"img\">\n"
          "<circle cx=\"120\" cy=\"120\" r=\"80\" fill=\"none\" stroke=\"#e3e7ee\" "
          "stroke-width=\"44\"/>\n", out);
    double at = 0.0;
    for (unsigned v = 0; v < SOURCE_SLOTS && total; v++) {
        double len = (double)s->source[v] / (double)total * c;
        if (len > 0)
            fprintf(out, "<circle cx=\"120\" cy=\"120\" r=\"80\" fill=\"none\" stroke=\"%s\" "
                         "stroke-width=\"44\" stroke-dasharray=\"%.2f %.2f\" "
                         "stroke-dashoffset=\"%.2f\" transform=\"rotate(-90 120 120)\">"
                         "<title>%s: %" PRIu64 "</title></circle>\n",
                    source_colours[v], len, c - len, -at, stats_source_label(v), s->source[v]);
        at += len;
    }
    fprintf(out, "<text x=\"120\" y=\"116\" text-anchor=\"middle\" style=\"font-size:18px\">"
                 "%" PRIu64 "</text><text x=\"120\" y=\"134\" text-anchor=\"middle\">payloads"
                 "</text>\n</svg>\n", total);
}

static void html_source_table(FILE *out, const stats *s)
{
    uint64_t total = s->events - s->undecoded;
    fputs("<table><tr><th>Source</th><th>name</th><th>events</th><th>share</th></tr>\n", out);
    for (unsigned v = 0; v < SOURCE_SLOTS; v++)
        fprintf(out, "<tr><td class=\"n\">%u%s</td><td><span class=\"sw\" style=\"background:%s\">"
                     "</span>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f%%</td>"
                     "</tr>\n", v, v == SOURCE_SLOTS - 1 ? "+" : "", source_colours[v],
                stats_source_label(v), s->source[v], stats_pct(s->source[v], total));
    fputs("</table>\n", out);
}

static void html_width_table(FILE *out, const stats *s)
{
    fputs("<table><tr><th>width</th><th>events</th><th>share</th></tr>\n", out);
    for (unsigned i = 1; i <= 3; i++)
        fprintf(out, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f%%</td>"
                     "</tr>\n", stats_width_names[i % 3], s->width[i % 3],
                stats_pct(s->width[i % 3], s->events));
    fputs("</table>\n", out);
}

static void html_sources(FILE *out, const stats *s)
{
    fputs("<h2>Source mix and width</h2>\n<div class=\"row\">\n<div>", out);
    svg_donut(out, s);
    fputs("</div>\n<div>", out);
    html_source_table(out, s);
    fputs("</div>\n<div>", out);
    html_width_table(out, s);
    fputs("</div>\n</div>\n", out);
}

static void html_findings(FILE *out, const stats *s)
{
    chart_row rows[HEAPEV_FINDING_COUNT];
    size_t n = 0;
    fputs("<h2>Findings</h2>\n", out);
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        const heapev_finding_info *f = heapev_finding_get(c);
        if (s->finding[c])
            rows[n++] = (chart_row){f->name, s->finding[c],
                                    f->severity == HEAPEV_SEVERITY_ERROR ? COLOUR_ERROR
                                                                         : COLOUR_ANOMALY};
    }
    if (n == 0) {
        fputs("<p>No findings: every event decoded clean.</p>\n", out);
        return;
    }
    fputs("<p>Items carrying each finding; <span class=\"err\">red</span>: error (not "
          "decodable), <span class=\"anom\">orange</span>: anomaly.</p>\n", out);
    svg_hbars(out, rows, n, s->events);
    fputs("<table><tr><th>finding</th><th>severity</th><th>count</th><th>description</th></tr>\n",
          out);
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        const heapev_finding_info *f = heapev_finding_get(c);
        if (s->finding[c] == 0)
            continue;
        fprintf(out, "<tr><td><code>%s</code></td><td class=\"%s\">%s</td><td class=\"n\">%"
                     PRIu64 "</td><td>", f->name,
                f->severity == HEAPEV_SEVERITY_ERROR ? "err" : "anom",
                heapev_severity_name(f->severity), s->finding[c]);
        html_text(out, f->description);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void html_classes(FILE *out, const stats *s)
{
    fputs("<h2>Classes (manifest.jsonl)</h2>\n", out);
    if (s->manifests == 0) {
        fputs("<p>No manifest.jsonl in the inputs.</p>\n", out);
        return;
    }
    chart_row *rows = calloc(s->nclasses ? s->nclasses : 1, sizeof *rows);
    if (rows == NULL)
        return;
    for (size_t i = 0; i < s->nclasses; i++)
        rows[i] = (chart_row){s->classes[i].name, s->classes[i].n,
                              strcmp(s->classes[i].name, "well_formed") == 0 ? "#59a14f"
                                                                              : COLOUR_BAR};
    fprintf(out, "<p>%" PRIu64 " manifest lines in %" PRIu64 " manifest(s); an event with "
                 "several classes counts in each.", s->manifest_lines, s->manifests);
    if (s->agree + s->disagree)
        fprintf(out, " Expected findings: <b>%" PRIu64 "</b> files agree, <b>%" PRIu64
                     "</b> differ.", s->agree, s->disagree);
    fputs("</p>\n", out);
    svg_hbars(out, rows, s->nclasses, s->manifest_lines);
    free(rows);
}

static void html_hist_table(FILE *out, const stats *s)
{
    unsigned lo, hi;
    char label[40];
    stats_hist_span(s, &lo, &hi);
    fputs("<table><tr><th>Size (bytes)</th><th>events</th><th>share</th></tr>\n", out);
    for (unsigned b = lo; b <= hi && lo <= hi; b++) {
        if (s->size_hist[b] == 0)
            continue;
        stats_bucket_label(b, label, sizeof label);
        fprintf(out, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f%%"
                     "</td></tr>\n", label, s->size_hist[b],
                stats_pct(s->size_hist[b], s->events - s->undecoded));
    }
    fputs("</table>\n", out);
}

static void html_write(FILE *out, const stats *s)
{
    html_head(out);
    fputs("<h1>heapev stats</h1>\n", out);
    fprintf(out, "<p class=\"sub\">%" PRIu64 " inputs, %" PRIu64 " files, %" PRIu64
                 " events decoded in %.3f s; %" PRIu64 " payloads not decoded.</p>\n",
            s->inputs, s->files, s->events, s->seconds, s->undecoded);
    html_cards(out, s);
    fputs("<h2>Size distribution</h2>\n", out);
    svg_histogram(out, s);
    html_findings(out, s);
    html_sources(out, s);
    html_classes(out, s);
    fputs("<h2>Size table</h2>\n", out);
    html_hist_table(out, s);
    fputs("<footer>Written by heapev stats. Self-contained: no scripts, no external "
          "resources.</footer>\n</body></html>\n", out);
}

/* Write the page to @p f and close it; nonzero on failure, with its errno in @p err. */
static int html_emit(FILE *f, const stats *s, int *err)
{
    html_write(f, s);
    int bad = fflush(f) != 0 || ferror(f);
    *err = bad ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !bad)
        bad = 1, *err = errno;
    return bad;
}

/* Write @p path as the emitters write every output (heapev/emit.h): atomically, or in place. */
int stats_write_html(const char *path, const stats *s)
{
    heapev_emit_file out;
    if (heapev_emit_open(&out, path) != 0)
        return cli_error(path, "%s", heapev_emit_reason(&out, errno));
    FILE *f = fdopen(out.fd, "w");
    if (f == NULL) {
        int err = errno;
        heapev_emit_discard(&out);
        return cli_error(path, "%s", strerror(err));
    }
    out.fd = -1; /* the stream owns it now */
    int err;
    if (html_emit(f, s, &err) != 0) {
        heapev_emit_discard(&out);
        return cli_error(path, "write error: %s", strerror(err));
    }
    if (heapev_emit_commit(&out) != 0)
        return cli_error(path, "write error: %s", strerror(errno));
    return 0;
}
