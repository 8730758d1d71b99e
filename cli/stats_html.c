/*
 * stats_html.c - `heapev stats --html`: the report as one self-contained HTML page.
 *
 * What made it (inputs, command, heapev version, date), inline CSS and SVG
 * charts (size histogram, findings bars, Source donut, class bars), the ETL
 * container counts; no script and no fetch. Charts shrink with the page (down to
 * three quarters of their size, then scroll inside their box); shares too small to show
 * as 0.1 % read "<0.1 %". Written as heapev/emit.h writes every output: a
 * temporary file renamed over the target, or in place.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats.h"

#ifndef HEAPEV_VERSION
#define HEAPEV_VERSION "unknown"
#endif

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
#define COLOUR_NOTE "#8a94a6"

/*
 * A share as the page shows it: one decimal, but "<0.1%" for a share above 0
 * that would round to 0.0, and ">99.9%" for one below 100 that would round to
 * 100.0, so that no count is shown as nothing or as all.
 */
static const char *pct_label(char *buf, size_t cap, uint64_t n, uint64_t total)
{
    double p = stats_pct(n, total);
    if (n > 0 && p < 0.05)
        snprintf(buf, cap, "&lt;0.1%%");
    else if (n < total && p >= 99.95)
        snprintf(buf, cap, "&gt;99.9%%");
    else
        snprintf(buf, cap, "%.1f%%", p);
    return buf;
}
#define PCT(n, total) pct_label((char[24]){0}, 24, (n), (total))

/* An axis count: 950, 2.5k, 40k, 1.2M (k = 1000), exact to the digit shown. */
static const char *count_label(char *buf, size_t cap, uint64_t v)
{
    static const char units[] = "kMGTPE";
    if (v < 10000) {
        snprintf(buf, cap, "%" PRIu64, v);
        return buf;
    }
    unsigned u = 0;
    uint64_t div = 1000;
    while (v / div >= 1000 && u + 1 < sizeof units - 1)
        div *= 1000, u++;
    if (v % div == 0 || v / div >= 100)
        snprintf(buf, cap, "%" PRIu64 "%c", v / div, units[u]);
    else
        snprintf(buf, cap, "%" PRIu64 ".%" PRIu64 "%c", v / div, v % div * 10 / div, units[u]);
    return buf;
}

/* A round axis step (1, 2 or 5 x 10^k) dividing [0, max] into about @p ticks parts. */
static uint64_t nice_step(uint64_t max, unsigned ticks)
{
    uint64_t raw = max / ticks + (max % ticks != 0);
    uint64_t p = 1;
    if (raw == 0)
        return 1;
    while (p <= raw / 10)
        p *= 10;
    if (p >= raw)
        return p;
    if (2 * p >= raw)
        return 2 * p;
    if (5 * p >= raw)
        return 5 * p;
    return 10 * p;
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
          ".origin{margin:0 0 16px;color:#3a4454}.origin code{background:#f2f4f8;padding:1px 4px;"
          "border-radius:3px}.origin dt{font-weight:600;float:left;clear:left;width:7em}"
          ".origin dd{margin:0 0 2px 7.5em}.origin dd,.sub{overflow-wrap:anywhere}\n"
          "td code,td.n,td.err,td.anom,td.note{white-space:nowrap}\n"
          ".chart,.scroll{max-width:100%;overflow-x:auto}\n"
          ".chart svg{max-width:100%;height:auto}\n"
          ".cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #d9dee7;"
          "border-radius:8px;padding:10px 16px;min-width:130px;background:#f7f9fc}\n"
          ".card b{display:block;font-size:22px}.card span{color:#5b6575;font-size:12px}\n"
          "@media (max-width:600px){body{margin:12px auto;padding:0 10px}.card{min-width:0;"
          "flex:1 1 40%}th,td{padding:4px 6px}}\n"
          "table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 12px;"
          "border-bottom:1px solid #e8ebf1;text-align:left;vertical-align:middle}\n"
          "th{background:#f2f4f8;font-weight:600}td.n{text-align:right;"
          "font-variant-numeric:tabular-nums}\n"
          ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;"
          "vertical-align:-1px}\n.row{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}\n"
          "svg text{font:12px system-ui,'Segoe UI',Helvetica,Arial,sans-serif;fill:#1d2430}\n"
          "svg .axis{stroke:#9aa3b2}svg .grid{stroke:#e3e7ee}\n"
          ".err{color:" COLOUR_ERROR ";font-weight:600}.anom{color:#b06f00;font-weight:600}"
          ".note{color:#5b6575;font-weight:600}\n"
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
    cli_html_text(out, label);
    fputs("</span></div>\n", out);
}

static void html_cards(FILE *out, const stats *s)
{
    fputs("<div class=\"cards\">\n", out);
    html_card(out, "events", "%" PRIu64, s->events);
    html_card(out, "files", "%" PRIu64, s->files);
    html_card(out, "clean events", "%s", PCT(s->clean, s->events));
    html_card(out, "events with findings", "%s", PCT(s->with_findings, s->events));
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
    fprintf(out, "<div class=\"chart\"><svg width=\"%u\" height=\"%zu\" viewBox=\"0 0 %u %zu\" "
                 "style=\"min-width:%upx\" role=\"img\">\n",
            width, n * row_h + 8, width, n * row_h + 8, width * 3 / 4);
    for (size_t i = 0; i < n; i++) {
        unsigned y = 4 + (unsigned)i * row_h;
        double w = max ? (double)rows[i].n / (double)max * bar_w : 0.0;
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">", label_w - 8, y + 16);
        cli_html_text(out, rows[i].label);
        fprintf(out, "</text><rect x=\"%u\" y=\"%u\" width=\"%.1f\" height=\"%u\" rx=\"2\" "
                     "fill=\"%s\"><title>%" PRIu64 "</title></rect>",
                label_w, y + 4, w < 1.0 && rows[i].n ? 1.0 : w, row_h - 8, rows[i].colour,
                rows[i].n);
        fprintf(out, "<text x=\"%.1f\" y=\"%u\">%" PRIu64 " (%s)</text>\n",
                label_w + w + 6, y + 16, rows[i].n, PCT(rows[i].n, total));
    }
    fputs("</svg></div>\n", out);
}

/* Gridlines at round counts (1, 2 or 5 x 10^k apart) up to @p top, a multiple of @p step. */
static void svg_hist_axis(FILE *out, uint64_t top_count, uint64_t step, unsigned left,
                          unsigned top, unsigned plot_w, unsigned plot_h)
{
    char label[24];
    for (uint64_t v = 0; v <= top_count; v += step) {
        double y = top + plot_h - (double)plot_h * (double)v / (double)top_count;
        fprintf(out, "<line class=\"%s\" x1=\"%u\" y1=\"%.1f\" x2=\"%u\" y2=\"%.1f\"/>"
                     "<text x=\"%u\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                v ? "grid" : "axis", left, y, left + plot_w, y, left - 6, y + 4,
                count_label(label, sizeof label, v));
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
    uint64_t step = nice_step(max, 4);
    uint64_t axis_max = (max + step - 1) / step * step; /* the bars scale to the top gridline */
    double slot = (double)plot_w / (hi - lo + 1);
    unsigned every = slot >= 16.0 ? 1u : (unsigned)(16.0 / slot) + 1u;
    fprintf(out, "<div class=\"chart\"><svg width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
                 "style=\"min-width:%upx\" role=\"img\">\n",
            width, top + plot_h + 66, width, top + plot_h + 66, width * 3 / 4);
    svg_hist_axis(out, axis_max, step, left, top, plot_w, plot_h);
    for (unsigned b = lo; b <= hi; b++) {
        double x = left + (b - lo) * slot,
               h = (double)s->size_hist[b] / (double)axis_max * plot_h;
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
    fputs("</svg></div>\n", out);
}

/* Donut of the Source mix: one arc per value, as dashes of a circle's stroke. */
static void svg_donut(FILE *out, const stats *s)
{
    const double r = 80.0, c = 2.0 * 3.14159265358979 * r;
    uint64_t total = 0;
    for (unsigned v = 0; v < SOURCE_SLOTS; v++)
        total += s->source[v];
    fputs("<svg width=\"240\" height=\"240\" viewBox=\"0 0 240 240\" role=\"img\">\n"
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
    fputs("<div class=\"scroll\"><table><tr><th>Source</th><th>name</th><th>events</th>"
          "<th>share</th></tr>\n", out);
    for (unsigned v = 0; v < SOURCE_SLOTS; v++)
        fprintf(out, "<tr><td class=\"n\">%u%s</td><td><span class=\"sw\" style=\"background:%s\">"
                     "</span>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s</td>"
                     "</tr>\n", v, v == SOURCE_SLOTS - 1 ? "+" : "", source_colours[v],
                stats_source_label(v), s->source[v], PCT(s->source[v], total));
    fputs("</table></div>\n", out);
}

static void html_width_table(FILE *out, const stats *s)
{
    fputs("<table><tr><th>width</th><th>events</th><th>share</th></tr>\n", out);
    for (unsigned i = 1; i <= 3; i++)
        fprintf(out, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s</td>"
                     "</tr>\n", stats_width_names[i % 3], s->width[i % 3],
                PCT(s->width[i % 3], s->events));
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

static const char *severity_colour(heapev_severity sev)
{
    return sev == HEAPEV_SEVERITY_ERROR ? COLOUR_ERROR
           : sev == HEAPEV_SEVERITY_NOTE ? COLOUR_NOTE : COLOUR_ANOMALY;
}

static const char *severity_class(heapev_severity sev)
{
    return sev == HEAPEV_SEVERITY_ERROR ? "err" : sev == HEAPEV_SEVERITY_NOTE ? "note" : "anom";
}

static void html_findings(FILE *out, const stats *s)
{
    chart_row rows[HEAPEV_FINDING_COUNT];
    size_t n = 0;
    fputs("<h2>Findings</h2>\n", out);
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        const heapev_finding_info *f = heapev_finding_get(c);
        if (s->finding[c])
            rows[n++] = (chart_row){f->name, s->finding[c], severity_colour(f->severity)};
    }
    if (n == 0) {
        fputs("<p>No findings: every event decoded clean.</p>\n", out);
        return;
    }
    fputs("<p>Items carrying each finding; <span class=\"err\">red</span>: error (not "
          "decodable), <span class=\"anom\">orange</span>: anomaly, <span class=\"note\">grey"
          "</span>: note (not a defect).</p>\n", out);
    svg_hbars(out, rows, n, s->events);
    fputs("<div class=\"scroll\"><table><tr><th>finding</th><th>severity</th><th>count</th>"
          "<th>description</th></tr>\n", out);
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        const heapev_finding_info *f = heapev_finding_get(c);
        if (s->finding[c] == 0)
            continue;
        fprintf(out, "<tr><td><code>%s</code></td><td class=\"%s\">%s</td><td class=\"n\">%"
                     PRIu64 "</td><td>", f->name,
                severity_class(f->severity),
                heapev_severity_name(f->severity), s->finding[c]);
        cli_html_text(out, f->description);
        fputs("</td></tr>\n", out);
    }
    fputs("</table></div>\n", out);
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
        fprintf(out, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s"
                     "</td></tr>\n", label, s->size_hist[b],
                PCT(s->size_hist[b], s->events - s->undecoded));
    }
    fputs("</table>\n", out);
}

/* One shell word, quoted when it needs to be, as HTML text. */
static void html_shell_word(FILE *out, const char *w)
{
    int plain = *w != '\0';
    for (const char *p = w; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "_-./=:,+@%", *p) != NULL;
    if (plain) {
        cli_html_text(out, w);
        return;
    }
    fputc('\'', out);
    for (; *w; w++) {
        if (*w == '\'')
            fputs("'\\''", out);
        else {
            char c[2] = {*w, '\0'};
            cli_html_text(out, c);
        }
    }
    fputc('\'', out);
}

/* Which inputs, command, heapev version and date made the report. */
static void html_origin(FILE *out, const stats_origin *o)
{
    char date[64] = "unknown";
    struct tm tm;
    if (gmtime_r(&o->when, &tm) != NULL)
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fputs("<dl class=\"origin\">\n<dt>inputs</dt><dd>", out);
    for (int i = o->first_input; i < o->argc; i++) {
        fputs(i > o->first_input ? ", <code>" : "<code>", out);
        cli_html_text(out, o->argv[i]);
        fputs("</code>", out);
    }
    fputs("</dd>\n<dt>command</dt><dd><code>heapev", out);
    for (int i = 0; i < o->argc; i++) {
        fputc(' ', out);
        html_shell_word(out, o->argv[i]);
    }
    fprintf(out, "</code></dd>\n<dt>made by</dt><dd>heapev %s</dd>\n"
                 "<dt>date</dt><dd>%s</dd>\n</dl>\n", HEAPEV_VERSION, date);
}

/* The .etl container: buffers, records stepped over, container items and findings. */
static void html_etl(FILE *out, const stats *s)
{
    if (s->etl_buffers == 0)
        return;
    fputs("<h2>ETL container</h2>\n<div class=\"cards\">\n", out);
    html_card(out, "buffers", "%" PRIu64, s->etl_buffers);
    html_card(out, "buffers decompressed", "%" PRIu64, s->etl_decompressed);
    html_card(out, "other records skipped", "%" PRIu64, s->etl_skipped);
    html_card(out, "container items with findings", "%" PRIu64, s->etl_container_items);
    html_card(out, "notes", "%" PRIu64, s->etl_notes);
    fputs("</div>\n", out);
    size_t n = 0;
    for (unsigned c = 0; c < HEAPEV_FINDING_COUNT; c++) {
        const heapev_finding_info *f = heapev_finding_get(c);
        if (s->finding[c] == 0 || strncmp(f->name, "etl_", 4) != 0)
            continue;
        if (n++ == 0)
            fputs("<div class=\"scroll\"><table><tr><th>container finding</th><th>severity</th>"
                  "<th>count</th></tr>\n", out);
        fprintf(out, "<tr><td><code>%s</code></td><td class=\"%s\">%s</td><td class=\"n\">%"
                     PRIu64 "</td></tr>\n", f->name, severity_class(f->severity),
                heapev_severity_name(f->severity), s->finding[c]);
    }
    fputs(n ? "</table></div>\n" : "<p>No container findings.</p>\n", out);
}

static void html_write(FILE *out, const stats *s, const stats_origin *origin)
{
    html_head(out);
    fputs("<h1>heapev stats</h1>\n", out);
    fprintf(out, "<p class=\"sub\">%" PRIu64 " inputs, %" PRIu64 " files, %" PRIu64
                 " events decoded in %.3f s; %" PRIu64 " payloads not decoded.</p>\n",
            s->inputs, s->files, s->events, s->seconds, s->undecoded);
    html_origin(out, origin);
    html_cards(out, s);
    html_etl(out, s);
    fputs("<h2>Size distribution</h2>\n", out);
    svg_histogram(out, s);
    html_findings(out, s);
    html_sources(out, s);
    html_classes(out, s);
    fputs("<h2>Size table</h2>\n", out);
    html_hist_table(out, s);
    fprintf(out, "<footer>Written by heapev %s stats. Self-contained: no scripts, no external "
                 "resources.</footer>\n</body></html>\n", HEAPEV_VERSION);
}

/* Write the page to @p f and close it; nonzero on failure, with its errno in @p err. */
static int html_emit(FILE *f, const stats *s, const stats_origin *origin, int *err)
{
    html_write(f, s, origin);
    int bad = fflush(f) != 0 || ferror(f);
    *err = bad ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !bad)
        bad = 1, *err = errno;
    return bad;
}

/* Write @p path as the emitters write every output (heapev/emit.h): atomically, or in place. */
int stats_write_html(const char *path, const stats *s, const stats_origin *origin)
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
    if (html_emit(f, s, origin, &err) != 0) {
        heapev_emit_discard(&out);
        return cli_error(path, "write error: %s", strerror(err));
    }
    if (heapev_emit_commit(&out) != 0)
        return cli_error(path, "write error: %s", strerror(errno));
    return 0;
}
