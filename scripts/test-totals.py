#!/usr/bin/env python3
"""scripts/test-totals.py - the one reader of meson's test log (meson-logs/testlog.json).

  test-totals.py BUILD...          "N passed, N failed[, N skipped]" over the builds
                                   (a build without a log counts as one failure)
  test-totals.py --detail BUILD    one build's results, tests per suite and cmocka
                                   cases: "OK=31 SKIP=1 (of 32: cli 12, fuzz 14,
                                   unit 6); cmocka cases 480 passed"
"""
import collections
import json
import re
import sys


def tests(build):
    """The test records of BUILD's log; FileNotFoundError without one."""
    with open(f"{build}/meson-logs/testlog.json", encoding="utf-8") as log:
        return [json.loads(line) for line in log if line.strip()]


def totals(builds):
    passed = failed = skipped = 0
    for build in builds:
        try:
            for t in tests(build):
                if t["result"] in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif t["result"] == "SKIP":
                    skipped += 1
                else:
                    failed += 1
        except FileNotFoundError:
            failed += 1
            print(f"test-totals: no test log in {build}", file=sys.stderr)
    return f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


def detail(build):
    results, suites, cases = collections.Counter(), collections.Counter(), collections.Counter()
    for t in tests(build):
        results[t["result"]] += 1
        suites[t["name"].split(":", 1)[-1].split(" / ")[0]] += 1  # "heapev:SUITE / NAME"
        out = (t.get("stdout") or "") + (t.get("stderr") or "")
        # cmocka names a failed or skipped case twice (as it runs, in the summary)
        for what, tag in (("passed", "       OK "), ("failed", "  FAILED  "), ("skipped", "  SKIPPED ")):
            cases[what] += len(set(re.findall(r"^\[" + tag + r"\] (?!\d+ test)(\S+)", out, re.M)))
    return (" ".join(f"{k}={v}" for k, v in sorted(results.items()))
            + f" (of {sum(results.values())}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(suites.items())) + "); cmocka cases "
            + ", ".join(f"{v} {k}" for k, v in cases.items() if v or k == "passed"))


def main(argv):
    if len(argv) == 3 and argv[1] == "--detail":
        try:
            print(detail(argv[2]))
        except FileNotFoundError:
            print(f"no test log in {argv[2]}")
            return 1
        return 0
    if len(argv) < 2 or argv[1].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print(totals(argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
