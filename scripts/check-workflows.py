#!/usr/bin/env python3
"""scripts/check-workflows.py - check that every GitHub workflow's planned time
fits its timeouts, and that what a fuzzing job finds survives a failure or a
cancellation.

  scripts/check-workflows.py [WORKFLOW.yml...]   (default: .github/workflows/*.yml)

Prints one line per job ("planned N s of M s") and exits 1 on any violation,
naming the file, job and step. The rules:

 1. Every job sets timeout-minutes.
 2. Every step is bounded: its own timeout-minutes, or, for the small actions
    of SMALL_ACTIONS (checkout, cache, artifacts, SARIF upload), 5 minutes.
    A job's steps (those run only on failure or always() included) plus
    JOB_SETUP must fit the job's timeout, so a step's own timeout fires first
    and the steps after it still run.
 3. A step running fuzz/run-ci passes --budget B, with B + RUN_CI_MARGIN within
    the step's timeout, and B must hold the build (BUILD), the summary (TAIL) and,
    for each target the job runs, the slot run-ci needs to give it the planned
    --seconds (its fuzzing, stop grace, merge and minimization bounds, computed
    as run-ci computes them). Targets: --targets, a matrix of
    `fuzz/targets.py groups` (the largest group), or every binary of role fuzz.
 4. A ClusterFuzzLite run_fuzzers step's fuzz-seconds (a total, split across the
    targets) plus CFLITE_OVERHEAD fits the step's timeout.
 5. `output-sarif: true` needs a later github/codeql-action/upload-sarif step.
 6. In a job that fuzzes, the corpus cache is saved by actions/cache/save under
    `if: always()...`, never by actions/cache (which saves only after success),
    and actions/upload-artifact steps run on failure and on cancellation
    (`always()`, or both `failure()` and `cancelled()`).

A figure given as a ${{ }} expression counts as the largest integer literal in
it (the worst case of `a && '600' || '60'`). It runs no heapev binary, so the
exe wrapper of cross builds (HEAPEV_EXEC_WRAPPER, scripts/cross-test.sh) does
not concern it.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "fuzz"))
import targets  # noqa: E402  fuzz/targets.py: the one list of fuzz targets

try:
    import yaml
except ImportError:  # Debian: python3-yaml (scripts/install-deps.sh)
    print("check-workflows: SKIP: python3-yaml is not installed")
    sys.exit(77)

JOB_SETUP = 120          # s: runner start, container pull, action downloads
SMALL_STEP = 300         # s: a small action without timeout-minutes
SMALL_ACTIONS = ("actions/checkout", "actions/cache", "actions/upload-artifact",
                 "actions/download-artifact", "github/codeql-action/upload-sarif")
RUN_CI_MARGIN = 60       # s: between run-ci's --budget and its step's timeout
BUILD = 600              # s: run-ci's clang ASan+UBSan build of the fuzzers, 2 cores
CFLITE_OVERHEAD = 900    # s: run_fuzzers' own work (corpus, crash reproduction)
# fuzz/run-ci's time plan (keep in step with its "the time plan" section)
STOP_GRACE, TAIL = 30, 10


def allowance(slot):
    """run-ci: the merge bound, and the minimization bound, of a slot."""
    return min(120, max(10, slot // 10))


def slot_for(seconds):
    """run-ci: the smallest slot in which a target fuzzes `seconds`."""
    slot = seconds
    while slot - STOP_GRACE - 2 * allowance(slot) < seconds:
        slot += 1
    return slot


def figure(value):
    """A number, or the largest integer literal of an expression; None if none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    nums = [int(n) for n in re.findall(r"(?<![\w.])(\d+)(?![\w.])", str(value))]
    return max(nums) if nums else None


def option(command, name):
    """The value of `--name V` / `--name=V` in a shell command, else None."""
    m = re.search(r"--%s(?:=|\s+)(\"\$\{\{.*?\}\}\"|'[^']*'|\"[^\"]*\"|\S+)" % re.escape(name),
                  command, re.S)
    return m.group(1).strip("'\"") if m else None


def run_ci_targets(command):
    """How many targets one run-ci invocation runs."""
    value = option(command, "targets")
    if value is None:
        plain = "--plain" in command
        structured = "--structured" in command
        variants = "plain" if plain else "structured" if structured else "both"
        return len(targets.binaries(("fuzz",), variants))
    if "matrix." in value:
        return max(len(g["targets"].split(",")) for g in targets.groups())
    return len([t for t in re.split(r"[,\s]+", value) if t])


def condition(step):
    return str(step.get("if", ""))


def on_failure_and_cancel(step):
    c = condition(step)
    return "always()" in c or ("failure()" in c and "cancelled()" in c)


def check_job(path, name, job, errors):
    where = "%s: job %s" % (os.path.relpath(path, ROOT), name)
    timeout = figure(job.get("timeout-minutes"))
    if timeout is None:
        errors.append("%s: no timeout-minutes" % where)
        return
    steps = job.get("steps") or []
    fuzzes = False
    planned = JOB_SETUP
    for i, step in enumerate(steps):
        label = "%s, step %s" % (where, step.get("name") or step.get("uses") or i + 1)
        uses = str(step.get("uses", ""))
        run = str(step.get("run", ""))
        with_ = step.get("with") or {}
        limit = figure(step.get("timeout-minutes"))
        if limit is not None:
            step_s = limit * 60
        elif uses and uses.split("@")[0].startswith(SMALL_ACTIONS):
            step_s = SMALL_STEP
        else:
            errors.append("%s: no timeout-minutes" % label)
            step_s = 0

        if "fuzz/run-ci" in run:
            fuzzes = True
            budget = figure(option(run, "budget"))
            seconds = figure(option(run, "seconds")) or 60
            n = run_ci_targets(run)
            if budget is None:
                estimate = BUILD + TAIL + n * slot_for(seconds)
                errors.append("%s: fuzz/run-ci without --budget: nothing bounds its run "
                              "(about %d s: build %d + %d target(s) x %d s for %d s of fuzzing)"
                              % (label, estimate, BUILD, n, slot_for(seconds), seconds))
                step_s = step_s or estimate
            else:
                need = BUILD + TAIL + n * slot_for(seconds)
                if budget < need:
                    errors.append("%s: --budget %d cannot give %d target(s) %d s each "
                                  "(needs %d s: build %d + %d x %d + %d)"
                                  % (label, budget, n, seconds, need, BUILD, n,
                                     slot_for(seconds), TAIL))
                if step_s and budget + RUN_CI_MARGIN > step_s:
                    errors.append("%s: --budget %d + %d s exceeds the step's timeout (%d s)"
                                  % (label, budget, RUN_CI_MARGIN, step_s))
        if "clusterfuzzlite/actions/run_fuzzers" in uses:
            fuzzes = True
            fuzz_s = figure(with_.get("fuzz-seconds")) or 600
            if step_s and fuzz_s + CFLITE_OVERHEAD > step_s:
                errors.append("%s: fuzz-seconds %d + %d s exceeds the step's timeout (%d s)"
                              % (label, fuzz_s, CFLITE_OVERHEAD, step_s))
            if str(with_.get("output-sarif", "")).lower() == "true" and not any(
                    "codeql-action/upload-sarif" in str(s.get("uses", "")) for s in steps[i + 1:]):
                errors.append("%s: output-sarif: true and no upload-sarif step after it" % label)
        planned += step_s

    if planned > timeout * 60:
        errors.append("%s: steps plan %d s (setup %d included), over the job's timeout-minutes %d (%d s)"
                      % (where, planned, JOB_SETUP, timeout, timeout * 60))
    if fuzzes:
        for step in steps:
            uses = str(step.get("uses", "")).split("@")[0]
            label = "%s, step %s" % (where, step.get("name") or uses)
            if uses == "actions/cache":
                errors.append("%s: actions/cache saves only after success: use "
                              "actions/cache/restore and actions/cache/save with if: always()" % label)
            if uses in ("actions/cache/save", "actions/upload-artifact") and \
                    not on_failure_and_cancel(step):
                errors.append("%s: must run on failure and on cancellation (if: always(), "
                              "or failure() || cancelled())" % label)
    print("%s: planned %d s of %d s" % (where, planned, timeout * 60))


def main(argv):
    paths = argv[1:] or sorted(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))
    errors = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for name, job in (doc.get("jobs") or {}).items():
            check_job(path, name, job, errors)
    for e in errors:
        print("check-workflows: " + e, file=sys.stderr)
    print("check-workflows: %d workflow(s), %s" % (len(paths), "%d problem(s)" % len(errors)
                                                     if errors else "OK"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
