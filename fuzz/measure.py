#!/usr/bin/env python3
"""fuzz/measure.py - the numbers in docs/FUZZING.md.

  fuzz/measure.py speed BUILD_DIR [SECONDS]
      exec/s of every target (and the empty baseline) from the seed corpus,
      one target at a time, in-process.
  fuzz/measure.py coverage BUILD_DIR [RUNS] [LIMIT_SECONDS]
      from an empty corpus, time and executions until each target (plain and
      _structured) first reaches the full edge coverage ('cov:') of its target,
      RUNS runs with -seed=1..RUNS, two runs at a time.

BUILD_DIR is a -Dfuzzing=true build (e.g. fuzz/run-ci's build-fuzz-ci). The targets,
their seeds and max_len come from fuzz/targets and fuzz/<target>.options (through
fuzz/targets.py); NO_DICT=1 leaves the dictionary out.
"""
import concurrent.futures
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no fuzz/__pycache__ from the import below
import targets as fuzz_targets  # noqa: E402  fuzz/targets.py, next to this file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# plain vs structured: the fuzzed targets that have a twin
TARGETS = [fuzz_targets.base_name(t) for t in fuzz_targets.binaries(("fuzz",), "structured")]


def options(binary):
    args = [] if os.environ.get("NO_DICT") else ["-dict=" + os.path.join(ROOT, "fuzz", "heapev.dict")]
    return args + ["-max_len=%d" % fuzz_targets.max_len(binary)]


def seeds(binary):
    return [os.path.join(ROOT, "corpus", k) for k in fuzz_targets.inputs(binary)]


def speed(build, seconds):
    print(f"{'target':28} {'exec/s':>10} {'vs empty':>9}")
    results = {}
    # the baseline (the empty target and its twin) first: the others are read against it
    baseline = fuzz_targets.binaries(("baseline",), "plain")[0]
    for t in fuzz_targets.binaries(("baseline",), build=build) + \
            fuzz_targets.binaries(("fuzz",), build=build):
        exe = os.path.join(build, "fuzz", t)
        with tempfile.TemporaryDirectory() as work:
            out = subprocess.run([exe, f"-max_total_time={seconds}", "-print_final_stats=1",
                                  *options(t), work, *seeds(t)],
                                 capture_output=True, text=True, check=False).stderr
        results[t] = fuzz_targets.log_stats(out)["execs"] or 0
        ref = results.get(baseline + t[len(fuzz_targets.base_name(t)):], 0)
        ratio = f"{results[t] / ref:8.2f}x" if ref else ""
        print(f"{t:28} {results[t]:>10} {ratio:>9}", flush=True)


def first_reach(exe, target_cov, seed, limit):
    """Seconds and executions until 'cov: target_cov', from an empty corpus."""
    with tempfile.TemporaryDirectory() as work:
        start = time.monotonic()
        p = subprocess.Popen([exe, f"-seed={seed}", f"-max_total_time={limit}",
                              *options(os.path.basename(exe)), work],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        try:
            for line in p.stderr:
                s = fuzz_targets.status_line(line)
                if s and s[1] >= target_cov:
                    return time.monotonic() - start, s[0]
            return None, None
        finally:
            p.kill()
            p.wait()


def coverage(build, runs, limit):
    # Full coverage of a target: the most any run reached in a long run from
    # the seed corpus (the plateau: plain and structured agree on it).
    full = {}
    for t in TARGETS:
        best = 0
        for v in (t, t + "_structured"):
            with tempfile.TemporaryDirectory() as work:
                out = subprocess.run([os.path.join(build, "fuzz", v), "-max_total_time=30",
                                      *options(v), work, *seeds(v)],
                                     capture_output=True, text=True, check=False).stderr
            best = max(best, fuzz_targets.log_stats(out)["max_cov"] or 0)
        full[t] = best
    jobs = [(t, v, s) for t in TARGETS for v in (t, t + "_structured")
            for s in range(1, runs + 1)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        res = dict(zip(jobs, pool.map(
            lambda j: first_reach(os.path.join(build, "fuzz", j[1]), full[j[0]], j[2], limit),
            jobs)))
    print(f"{'target':28} {'full cov':>8}  {'seconds per run':32} {'median s':>9} "
          f"{'median execs':>13}")
    for t in TARGETS:
        for v in (t, t + "_structured"):
            rs = [res[(t, v, s)] for s in range(1, runs + 1)]
            secs = " ".join(f"{r[0]:.1f}" if r[0] is not None else f">{limit}" for r in rs)
            done = [r for r in rs if r[0] is not None]
            med_s = f"{statistics.median(r[0] for r in done):.1f}" if len(done) > runs // 2 else f">{limit}"
            med_e = f"{statistics.median(r[1] for r in done):.0f}" if len(done) > runs // 2 else "-"
            print(f"{v:28} {full[t]:>8}  {secs:32} {med_s:>9} {med_e:>13}", flush=True)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("speed", "coverage"):
        print(__doc__)
        return 2
    build = sys.argv[2]
    if sys.argv[1] == "speed":
        speed(build, int(sys.argv[3]) if len(sys.argv) > 3 else 15)
    else:
        coverage(build, int(sys.argv[3]) if len(sys.argv) > 3 else 3,
                 int(sys.argv[4]) if len(sys.argv) > 4 else 120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
