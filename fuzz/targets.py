#!/usr/bin/env python3
"""fuzz/targets.py - the one reader of fuzz/targets, of fuzz/<target>.options
and of libFuzzer's status and final stats lines (and the maker of a target's
OSS-Fuzz seed archive), for fuzz/run-ci,
fuzz/campaign, fuzz/measure.py, scripts/msan.sh, scripts/coverage.sh and
.clusterfuzzlite/build.sh (fuzz/meson.build reads fuzz/targets itself).

  targets.py names [--role ROLE]... [--plain | --structured] [--build DIR]
      binaries, one a line, in list order: each target of the roles (default:
      fuzz) then its _structured twin; --build DIR keeps those built there
  targets.py input BINARY [--byod-kind record|payload|etl]
      the corpus kinds that seed it, one a line
  targets.py max-len BINARY [--byod-kind record|payload|etl]
      max_len from fuzz/<target>.options (4096 without one); a byod target
      takes that of the fuzz target reading its kind alone (etl: etl_read)
  targets.py stats LOG
      "runs exec/s cov" from a libFuzzer log, '-' for what it lacks
  targets.py seeds BINARY [--zip OUT.zip]
      its checked-in seed directories, one a line: corpus/<kind> for each
      input kind, corpus/fuzz/<target> (fuzz/campaign's, shared with the twin)
      and fuzz/regressions/ (every reproducer), those that exist; --zip writes
      their files (manifests and dot files left out) into OUT.zip, each named
      by its path with '/' as '-' (unique), for <target>_seed_corpus.zip
  targets.py groups
      the targets of role fuzz as a JSON list, one group per target (with its
      twin, which shares its corpus): [{"name": N, "targets": "N,N_structured"}];
      the matrix of .github/workflows/fuzz.yml

Python 3.6 or later: the OSS-Fuzz base image runs the CFLite build with 3.8.
"""
import json
import os
import re
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROLES = ("fuzz", "baseline", "byod")
DEFAULT_MAX_LEN = 4096
TWIN = "_structured"


class Target:
    """One line of fuzz/targets."""

    def __init__(self, name, sources, inputs, twin, role):
        self.name, self.sources, self.inputs = name, sources, inputs
        self.twin, self.role = twin, role


def read_targets(path=os.path.join(FUZZ, "targets")):
    """Every line of the list, checked; exits with a message on a bad line."""
    out = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            where = "%s:%d" % (path, number)
            if len(fields) != 5:
                sys.exit("%s: want name sources input twin role, got %d fields" % (where, len(fields)))
            name, sources, inputs, twin, role = fields
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or name.endswith(TWIN):
                sys.exit("%s: target name '%s' (letters, digits, _ and -; no %s)" % (where, name, TWIN))
            if twin not in ("yes", "no") or role not in ROLES:
                sys.exit("%s: twin is yes or no, role one of %s" % (where, ", ".join(ROLES)))
            out.append(Target(name, sources.split(","), inputs.split(","), twin == "yes", role))
    return out


def base_name(binary):
    """The target a binary belongs to: its name less the _structured suffix."""
    binary = os.path.basename(binary)
    return binary[:-len(TWIN)] if binary.endswith(TWIN) else binary


def find(binary):
    name = base_name(binary)
    for t in read_targets():
        if t.name == name:
            return t
    sys.exit("fuzz/targets: no target '%s'" % name)


def binaries(roles=("fuzz",), variants="both", build=None):
    """Binary names of the targets with these roles: plain, structured or both."""
    out = []
    for t in read_targets():
        if t.role not in roles:
            continue
        names = [] if variants == "structured" else [t.name]
        if t.twin and variants != "plain":
            names.append(t.name + TWIN)
        out += [n for n in names
                if build is None or os.access(os.path.join(build, "fuzz", n), os.X_OK)]
    return out


def groups(role="fuzz"):
    """One group per target of the role: its name and its binaries (the twin
    shares the target's corpus, so they run in one job)."""
    return [{"name": t.name, "targets": ",".join([t.name] + ([t.name + TWIN] if t.twin else []))}
            for t in read_targets() if t.role == role]


def seed_dirs(binary, byod_kind="record"):
    """The checked-in directories that seed a binary, relative to the source
    root: corpus/<kind>..., corpus/fuzz/<target>, fuzz/regressions; those that exist."""
    dirs = ["corpus/" + k for k in inputs(binary, byod_kind)]
    dirs += ["corpus/fuzz/" + base_name(binary), "fuzz/regressions"]
    root = os.path.dirname(FUZZ)
    return [d for d in dirs if os.path.isdir(os.path.join(root, d))]


def seed_zip(binary, out):
    """Write the files of seed_dirs(binary) into the zip `out`; their count."""
    import zipfile
    root = os.path.dirname(FUZZ)
    n = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for d in seed_dirs(binary):
            for top, subdirs, files in os.walk(os.path.join(root, d)):
                subdirs[:] = sorted(x for x in subdirs if not x.startswith("."))
                for f in sorted(files):
                    if f.startswith(".") or f.endswith(".jsonl"):
                        continue
                    path = os.path.join(top, f)
                    z.write(path, os.path.relpath(path, root).replace(os.sep, "-"))
                    n += 1
    return n


def inputs(binary, byod_kind="record"):
    """The corpus kinds that seed a binary ({byod_kind} resolved)."""
    return [byod_kind if k == "{byod_kind}" else k for k in find(binary).inputs]


def max_len(binary, byod_kind="record"):
    """max_len of the target's .options file ([libfuzzer] section), else 4096.
    A byod target reads what -Dbyod_kind says: the max_len of the fuzz target
    whose only input is that kind (etl_read for etl), else its own."""
    name = base_name(binary)
    if find(binary).role == "byod":
        same = [t.name for t in read_targets() if t.role == "fuzz" and t.inputs == [byod_kind]]
        name = same[0] if same else name
    path = os.path.join(FUZZ, name + ".options")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            m = re.search(r"^\s*max_len\s*=\s*(\d+)", f.read(), re.M)
        if m:
            return int(m.group(1))
    return DEFAULT_MAX_LEN


# "#4096  pulse  cov: 90 ft: 120 corp: 30/1Kb exec/s: 2048 rss: 30Mb", and in
# fork mode "#4096: cov: 90 ft: 120 corp: 30 exec/s: 2048 ...".
STATUS = re.compile(r"^#(\d+)\b.*?\bcov: (\d+)")
EXECS = re.compile(r"\bexec/s:? (\d+)")


def status_line(line):
    """(executions, cov) of a libFuzzer status line, else None."""
    m = STATUS.match(line)
    return (int(m.group(1)), int(m.group(2))) if m else None


def log_stats(text):
    """runs, execs (per second), cov (the last status line's) and max_cov of a
    libFuzzer log; None where it lacks them (a crash while loading the seeds
    leaves no status line). -print_final_stats=1 figures win over status lines."""
    runs = execs = cov = max_cov = None
    for line in text.splitlines():
        s = status_line(line)
        if s:
            runs, cov = s
            max_cov = cov if max_cov is None else max(max_cov, cov)
            m = EXECS.search(line)
            execs = int(m.group(1)) if m else execs
    final = dict(re.findall(r"^stat::(\w+):\s*(\d+)", text, re.M))
    runs = int(final["number_of_executed_units"]) if "number_of_executed_units" in final else runs
    execs = int(final["average_exec_per_sec"]) if "average_exec_per_sec" in final else execs
    return {"runs": runs, "execs": execs, "cov": cov, "max_cov": max_cov}


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    cmd, args = argv[1], argv[2:]
    if cmd == "names":
        roles, variants, build = [], "both", None
        while args:
            a = args.pop(0)
            if a == "--role" and args:
                roles.append(args.pop(0))
            elif a in ("--plain", "--structured"):
                variants = a[2:]
            elif a == "--build" and args:
                build = args.pop(0)
            else:
                sys.exit("targets.py names: unknown argument '%s'" % a)
        for name in binaries(roles or ["fuzz"], variants, build):
            print(name)
    elif cmd == "input" and len(args) in (1, 3) and (len(args) == 1 or args[1] == "--byod-kind"):
        for kind in inputs(args[0], args[2] if len(args) == 3 else "record"):
            print(kind)
    elif cmd == "seeds" and len(args) in (1, 3) and (len(args) == 1 or args[1] == "--zip"):
        if len(args) == 3:
            print("%s: %d files" % (args[2], seed_zip(args[0], args[2])))
        else:
            for d in seed_dirs(args[0]):
                print(d)
    elif cmd == "groups" and not args:
        print(json.dumps(groups()))
    elif cmd == "max-len" and len(args) in (1, 3) and (len(args) == 1 or args[1] == "--byod-kind"):
        print(max_len(args[0], args[2] if len(args) == 3 else "record"))
    elif cmd == "stats" and len(args) == 1:
        with open(args[0], encoding="utf-8", errors="replace") as f:
            s = log_stats(f.read())
        print(" ".join("-" if s[k] is None else str(s[k]) for k in ("runs", "execs", "cov")))
    else:
        sys.exit("usage: fuzz/targets.py names|input|max-len|stats|seeds|groups ... (see --help)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
