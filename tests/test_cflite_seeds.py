#!/usr/bin/env python3
"""tests/test_cflite_seeds.py - the ClusterFuzzLite/OSS-Fuzz seed archives:
for every target of role fuzz (twins included), `fuzz/targets.py seeds T --zip`
holds every file of corpus/<kind>, of corpus/fuzz/<target> and of
fuzz/regressions/ (no manifest, no dot file), each once; and
.clusterfuzzlite/build.sh makes <target>_seed_corpus.zip that way.

usage: test_cflite_seeds.py SOURCE_ROOT
"""
import os
import subprocess
import sys
import tempfile
import zipfile

root = sys.argv[1]
targets_py = os.path.join(root, "fuzz", "targets.py")
failures = []


def files_under(d):
    out = []
    for top, subdirs, files in os.walk(os.path.join(root, d)):
        subdirs[:] = [x for x in subdirs if not x.startswith(".")]
        out += [os.path.relpath(os.path.join(top, f), root) for f in files
                if not f.startswith(".") and not f.endswith(".jsonl")]
    return out


names = subprocess.run([sys.executable, targets_py, "names", "--role", "fuzz"], check=True,
                       capture_output=True, text=True).stdout.split()
with tempfile.TemporaryDirectory() as tmp:
    for t in names:
        base = t[:-len("_structured")] if t.endswith("_structured") else t
        zpath = os.path.join(tmp, t + "_seed_corpus.zip")
        subprocess.run([sys.executable, targets_py, "seeds", t, "--zip", zpath], check=True,
                       capture_output=True)
        kinds = subprocess.run([sys.executable, targets_py, "input", t], check=True,
                               capture_output=True, text=True).stdout.split()
        want = []
        for d in ["corpus/" + k for k in kinds] + ["corpus/fuzz/" + base, "fuzz/regressions"]:
            want += files_under(d)
        with zipfile.ZipFile(zpath) as z:
            got = z.namelist()
        expect = sorted(w.replace(os.sep, "-") for w in want)
        if sorted(got) != expect:
            missing = sorted(set(expect) - set(got))[:5]
            extra = sorted(set(got) - set(expect))[:5]
            failures.append("%s: archive differs: missing %s, extra %s" % (t, missing, extra))
        if len(set(got)) != len(got):
            failures.append("%s: duplicate names in the archive" % t)
        if not any(n.startswith("fuzz-regressions-") for n in got):
            failures.append("%s: no fuzz/regressions file in the archive" % t)
        if os.path.isdir(os.path.join(root, "corpus", "fuzz", base)) and \
                not any(n.startswith("corpus-fuzz-" + base + "-") for n in got):
            failures.append("%s: no corpus/fuzz/%s file in the archive" % (t, base))
        print("%s: %d seeds" % (t, len(got)))

with open(os.path.join(root, ".clusterfuzzlite", "build.sh")) as f:
    if 'targets.py seeds "$t" --zip "$OUT/${t}_seed_corpus.zip"' not in f.read():
        failures.append(".clusterfuzzlite/build.sh does not make the archives with targets.py seeds")

for f in failures:
    print("FAIL: " + f)
sys.exit(1 if failures else 0)
