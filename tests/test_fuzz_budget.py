#!/usr/bin/env python3
"""tests/test_fuzz_budget.py - fuzz/run-ci's time plan and its cancellation,
against stub fuzz targets (shell scripts that log their arguments), so no
clang build is needed:

  - with --budget, every target's deadlines (fuzzing, merge, minimization) fall
    inside the budget less run-ci's tail, each phase is bounded, and a target
    is fuzzed no longer than --seconds nor than its slot allows;
  - a crash is minimized with -max_total_time within its deadline, and
    --minimize-seconds ends one that would not end;
  - libFuzzer options after -- reach the fuzzer, and the seeds hold no manifest;
  - a budget too small for the targets skips them with a warning;
  - SIGTERM while a target runs (a cancelled CI job) stops it, copies its new
    inputs into OUT/corpus/<target>, prints the summary and exits 143.

usage: test_fuzz_budget.py SOURCE_ROOT
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_CI = os.path.join(ROOT, "fuzz", "run-ci")
TAIL = 10

# A libFuzzer stand-in. STUB_MODE: ok (exit at once), crash (leave a crash
# artifact), hang (write one new input into the working corpus, then hang).
STUB = r"""#!/bin/sh
echo "$0 $*" >> "$STUB_LOG"
work="" art=""
for a in "$@"; do
  case "$a" in
    -merge=1) exit 0 ;;
    -minimize_crash=1) mini=1 ;;
    -exact_artifact_path=*) exact=${a#*=} ;;
    -artifact_prefix=*) art=${a#*=} ;;
    -*) ;;
    *) [ -z "$work" ] && work=$a ;;
  esac
done
if [ -n "${mini:-}" ]; then
  printf 'min' > "$exact"
  [ "${STUB_MINI:-}" = hang ] && exec sleep 600  # a minimization that never ends by itself
  exit 0
fi
case "$STUB_MODE" in
  crash) printf 'boom' > "${art}crash-0123"; exit 1 ;;
  hang) printf 'new' > "$work/new-input"; : > "$STUB_LOG.hanging"; exec sleep 600 ;;
esac
exit 0
"""

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def setup(tmp, names):
    fuzz = os.path.join(tmp, "build", "fuzz")
    os.makedirs(fuzz)
    for n in names:
        path = os.path.join(fuzz, n)
        with open(path, "w") as f:
            f.write(STUB)
        os.chmod(path, 0o755)


def run_ci(tmp, mode, *args, **extra_env):
    env = dict(os.environ, STUB_MODE=mode, STUB_LOG=os.path.join(tmp, "stub.log"), **extra_env)
    env.pop("GITHUB_STEP_SUMMARY", None)
    cmd = ["bash", RUN_CI, "--no-build", "--build-dir", os.path.join(tmp, "build"),
           "--out", os.path.join(tmp, "out")] + list(args)
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def stub_calls(tmp):
    with open(os.path.join(tmp, "stub.log")) as f:
        return f.read().splitlines()


def test_plan():
    """Deadlines inside the budget, fuzzing time min(seconds, what the slot allows)."""
    names = ["payload_decode", "record_decode", "etl_read"]
    budget, seconds = 1200, 600
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp, names)
        p = run_ci(tmp, "ok", "--targets", ",".join(names), "--seconds", str(seconds),
                   "--budget", str(budget))
        out, _ = p.communicate(timeout=120)
        check(p.returncode == 0, "plan: run-ci exit 0, got %d\n%s" % (p.returncode, out))
        fuzz = [int(x) for x in re.findall(r": fuzz (\d+)s,", out)]
        dl = [tuple(map(int, m)) for m in
              re.findall(r"deadlines \(s since start\): fuzzing (\d+), merge (\d+), minimization (\d+)", out)]
        check(len(fuzz) == 3 and len(dl) == 3, "plan: three targets planned\n" + out)
        for f, (fz, mg, mn) in zip(fuzz, dl):
            check(0 < f <= seconds, "plan: fuzz time %d within 1..%d" % (f, seconds))
            check(0 <= fz - f - 30 and fz < mg < mn, "plan: phases in order %s" % ((fz, mg, mn),))
            check(mn <= budget - TAIL, "plan: minimization deadline %d within %d - %d" % (mn, budget, TAIL))
        # 3 targets in 1200 s: the first slot is under 400 s, so the budget, not
        # --seconds, decides; time a target leaves unused goes to the later ones
        check(len(fuzz) == 3 and fuzz[0] < seconds and fuzz[0] <= fuzz[1] <= fuzz[2],
              "plan: the budget shortens the fuzzing, unused time carries over: %s" % fuzz)
        calls = [c for c in stub_calls(tmp) if "-merge=1" not in c]
        got = [int(m) for c in calls for m in re.findall(r"-max_total_time=(\d+)", c)]
        check(got == fuzz, "plan: the fuzzers got -max_total_time %s, planned %s" % (got, fuzz))
        merges = [c for c in stub_calls(tmp) if "-merge=1" in c]
        check(len(merges) == 3, "plan: one merge per target")


def test_crash_minimized():
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp, ["record_decode"])
        p = run_ci(tmp, "crash", "--targets", "record_decode", "--seconds", "60", "--budget", "400")
        out, _ = p.communicate(timeout=120)
        check(p.returncode == 1, "crash: run-ci exit 1, got %d" % p.returncode)
        mini = [c for c in stub_calls(tmp) if "-minimize_crash=1" in c]
        check(len(mini) == 1, "crash: one minimization")
        t = re.findall(r"-max_total_time=(\d+)", mini[0]) if mini else []
        check(t and 1 <= int(t[0]) <= 60, "crash: minimization bounded by -max_total_time: %s" % t)
        art = os.path.join(tmp, "out", "artifacts", "record_decode", "minimized-crash-0123")
        check(os.path.exists(art), "crash: minimized reproducer kept")


def test_minimize_seconds():
    """--minimize-seconds ends a minimization that would not end, keeping what it made."""
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp, ["record_decode"])
        p = run_ci(tmp, "crash", "--targets", "record_decode", "--seconds", "5",
                   "--minimize-seconds", "2", STUB_MINI="hang")
        out, _ = p.communicate(timeout=120)  # the stub's minimization sleeps 600 s
        check(p.returncode == 1, "minimize-seconds: exit 1, got %d\n%s" % (p.returncode, out))
        check("minimization stopped after 2s" in out, "minimize-seconds: stop reported\n" + out)
        art = os.path.join(tmp, "out", "artifacts", "record_decode", "minimized-crash-0123")
        check(os.path.exists(art), "minimize-seconds: the reproducer so far kept")


def test_libfuzzer_options_and_seeds():
    """Options after -- reach the fuzzer (a -dict= replaces ours); seeds hold no manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp, ["record_decode"])
        p = run_ci(tmp, "ok", "--targets", "record_decode", "--seconds", "5", "--",
                   "-seed=7", "-dict=/nonexistent.dict")
        out, _ = p.communicate(timeout=120)
        check(p.returncode == 0, "options: exit 0, got %d\n%s" % (p.returncode, out))
        fuzzing = [c for c in stub_calls(tmp) if "-merge=1" not in c]
        check(len(fuzzing) == 1, "options: one fuzzing run")
        args = fuzzing[0].split() if fuzzing else []
        check("-seed=7" in args and "-dict=/nonexistent.dict" in args,
              "options: passed through: %s" % args)
        check("-dict=fuzz/heapev.dict" not in args, "options: our dictionary replaced")
        seeds = os.path.join(tmp, "out", "seeds", "corpus-record")
        names = os.listdir(seeds) if os.path.isdir(seeds) else []
        check(len(names) > 0 and seeds in args, "options: corpus/record linked as seeds")
        check(not any(n.endswith(".jsonl") for n in names), "options: no manifest among the seeds")


def test_budget_too_small():
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp, ["payload_decode", "record_decode"])
        p = run_ci(tmp, "ok", "--targets", "payload_decode,record_decode", "--seconds", "600",
                   "--budget", "60")
        out, _ = p.communicate(timeout=120)
        check(p.returncode == 0, "small budget: exit 0, got %d" % p.returncode)
        check(out.count("skipped: the 60s budget is used up") == 2,
              "small budget: both targets skipped with a warning\n" + out)
        check(not os.path.exists(os.path.join(tmp, "stub.log")), "small budget: nothing fuzzed")


def test_cancel_keeps_corpus():
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp, ["round_trip", "differential"])
        p = run_ci(tmp, "hang", "--targets", "round_trip,differential", "--seconds", "300",
                   "--budget", "3000")
        marker = os.path.join(tmp, "stub.log.hanging")
        for _ in range(600):  # until the first target is fuzzing (or run-ci died)
            if os.path.exists(marker) or p.poll() is not None:
                break
            time.sleep(0.1)
        check(os.path.exists(marker), "cancel: the stub started")
        p.send_signal(signal.SIGTERM)
        out, _ = p.communicate(timeout=60)
        check(p.returncode == 128 + 15, "cancel: exit 143, got %d\n%s" % (p.returncode, out))
        kept = os.path.join(tmp, "out", "corpus", "round_trip", "new-input")
        check(os.path.exists(kept), "cancel: the interrupted target's new input is in OUT/corpus")
        check(re.search(r"round_trip .*interrupted", out) is not None, "cancel: summary row\n" + out)
        check(os.path.exists(os.path.join(tmp, "out", "summary.tsv")), "cancel: summary.tsv written")
        check(len(stub_calls(tmp)) == 1, "cancel: the second target never started")


for test in (test_plan, test_crash_minimized, test_minimize_seconds,
             test_libfuzzer_options_and_seeds, test_budget_too_small, test_cancel_keeps_corpus):
    before = len(failures)
    test()
    print("%s: %s" % (test.__name__, "ok" if len(failures) == before else "FAILED"))
sys.exit(1 if failures else 0)
