#!/usr/bin/env python3
"""bench/mutator-bugs/table.py RESULTS.tsv CAP - the Markdown table of
run.sh's results: per bug and mode the runs' seconds to the first crash
('>CAP' when a run found nothing) and their median, and the plain/structured
ratios of the medians (a run over the cap counts as the cap, so a ratio with
'>' is a lower bound)."""
import statistics
import sys

MODES = ["lf-plain", "lf-structured", "afl-plain", "afl-custom"]


def main(path, cap):
    runs = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            bug, mode, _, secs = line.rstrip("\n").split("\t")
            runs.setdefault(bug, {}).setdefault(mode, []).append(None if secs == "-" else float(secs))

    def med(v):
        m = statistics.median([cap if x is None else x for x in v])
        return m, sum(x is None for x in v) * 2 > len(v)

    def cell(v):
        if not v:
            return "n/a"
        m, over = med(v)
        each = " ".join(">%d" % cap if x is None else "%.1f" % x for x in v)
        return "**%s** (%s)" % (">%d" % cap if over else "%.1f" % m, each)

    def ratio(a, b):
        if not a or not b:
            return "n/a"
        (ma, oa), (mb, ob) = med(a), med(b)
        r = ma / max(mb, 0.05)
        return ("≥" if oa and not ob else "") + ("%.0f×" % r if r >= 10 else "%.1f×" % r)

    print("| bug | libFuzzer plain | libFuzzer structured | ratio | AFL++ plain | AFL++ custom | ratio |")
    print("|---|---|---|---:|---|---|---:|")
    for bug, m in runs.items():
        g = [m.get(k, []) for k in MODES]
        print("| `%s` | %s | %s | %s | %s | %s | %s |" % (bug, cell(g[0]), cell(g[1]), ratio(g[0], g[1]),
                                                         cell(g[2]), cell(g[3]), ratio(g[2], g[3])))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
