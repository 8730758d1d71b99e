#!/usr/bin/env python3
"""fuzz/measure.py - the numbers in docs/FUZZING.md.

  fuzz/measure.py speed BUILD_DIR [SECONDS]
      exec/s of every target (and the empty baseline) from the seed corpus,
      one target at a time, in-process.
  fuzz/measure.py coverage BUILD_DIR [RUNS] [LIMIT_SECONDS]
      from an empty corpus, time and executions until each target (plain and
      _structured) first reaches the full edge coverage ('cov:') of its target,
      RUNS runs with -seed=1..RUNS, two runs at a time.

BUILD_DIR is a -Dfuzzing=true build (e.g. fuzz/run-ci's build-fuzz-ci). Every run
uses the target's .options (dictionary, max_len); NO_DICT=1 leaves the dictionary out.
"""
import concurrent.futures
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = ["payload_decode", "record_decode", "round_trip", "differential"]
KINDS = {"payload_decode": ["payload"], "record_decode": ["record"], "etl_read": ["etl"]}


def options(target):
    base = target.removesuffix("_structured")
    args = [] if os.environ.get("NO_DICT") else ["-dict=" + os.path.join(ROOT, "fuzz", "heapev.dict")]
    path = os.path.join(ROOT, "fuzz", base + ".options")
    if os.path.exists(path):
        m = re.search(r"max_len\s*=\s*(\d+)", open(path, encoding="utf-8").read())
        if m:
            args.append("-max_len=" + m.group(1))
    return args


def speed(build, seconds):
    print(f"{'target':28} {'exec/s':>10} {'vs empty':>9}")
    results = {}
    for t in ["empty", "empty_structured"] + [x + s for x in TARGETS + ["etl_read"]
                                              for s in ("", "_structured")]:
        exe = os.path.join(build, "fuzz", t)
        if not os.path.exists(exe):
            continue
        base = t.removesuffix("_structured")
        seeds = [os.path.join(ROOT, "corpus", k)
                 for k in KINDS.get(base, ["payload", "record"])]
        with tempfile.TemporaryDirectory() as work:
            out = subprocess.run([exe, f"-max_total_time={seconds}", "-print_final_stats=1",
                                  *options(t), work, *seeds],
                                 capture_output=True, text=True, check=False).stderr
        m = re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
        results[t] = int(m.group(1)) if m else 0
        ref = results.get("empty_structured" if t.endswith("_structured") else "empty", 0)
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
                m = re.match(r"#(\d+)\s.*cov: (\d+)", line)
                if m and int(m.group(2)) >= target_cov:
                    return time.monotonic() - start, int(m.group(1))
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
                                      *options(v), work,
                                      *[os.path.join(ROOT, "corpus", k) for k in
                                        KINDS.get(t, ["payload", "record"])]],
                                     capture_output=True, text=True, check=False).stderr
            best = max([best] + [int(c) for c in re.findall(r"cov: (\d+)", out)])
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
