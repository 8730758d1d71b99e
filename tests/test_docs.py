#!/usr/bin/env python3
"""tests/test_docs.py - the doc test: run the shell commands of README.md and
docs/*.md as written, against a build, and fail when one fails.

usage: test_docs.py SOURCE_ROOT BUILD_DIR [--list] [FILE.md...]

What is a command:
  - every line of a fenced block tagged sh, bash or shell (a line ending in a
    backslash continues on the next; blank lines and # comment lines are
    skipped; a trailing # comment is the shell's);
  - in an untagged fenced block (a transcript), each line starting with "$ "
    (without the "$ "); the other lines are output and are not compared, so
    a change of output format never breaks this test, only a command that
    stops working does.

The marker convention: an HTML comment on the line(s) right before a fenced
block (invisible once the Markdown is rendered) says how to treat it:
  <!-- doc-test: skip: REASON -->   do not run the block; REASON says why:
      it installs packages, needs a network, root or a tool CI lacks (clang
      fuzzing builds, qemu, afl++), runs for minutes, or is a template with
      placeholders (FILE, path/to/...). Keep the reason honest and short.
  <!-- doc-test: exit N -->          the block's commands may also exit N
      (e.g. 1: a command that reports findings, as heapev does by design).
  <!-- doc-test: needs PATH -->      run the block only when PATH exists (a
      relative PATH in the source tree: e.g. a clang fuzzing build, whose top
      directory is then linked into the copy); otherwise it counts as skipped.
A heapev command (heapev ... or build/heapev ...) may always exit 1: that
is "findings reported". Any other status fails the command.

How they run: in one temporary copy of the source tree (the files git tracks
or would track, or every file when there is no git) with `build` pointing at
BUILD_DIR, and BUILD_DIR first on PATH so that `heapev` is the built one. The
files run in turn, README.md first, their blocks in order (a block may use
what an earlier one made; the docs pick distinct file names), each block as
one bash script in its own session, so `export` and `cd` carry to its later
lines; each command's exit status is checked as it ends. A block gets 60 s,
then it and everything it started are killed. Commands run with
HEAPEV_FUZZ_SEED=1 and NO_COLOR=1.

Exit status 0 when every command ran as written, 1 otherwise (each failure
names FILE:LINE, the command, its exit status and the end of its output); 77
(skipped) under an exe wrapper (a cross build), whose heapev cannot run so.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)\s*$")
MARKER = re.compile(r"<!--\s*doc-test:\s*(skip|exit|needs)\b:?\s*(.*?)\s*-->")
SHELL_TAGS = ("sh", "bash", "shell")
BLOCK_TIMEOUT = 60


class Block:
    """A fenced block's commands: (line number, command) pairs."""

    def __init__(self, path, line, tag):
        self.path, self.line, self.tag = path, line, tag
        self.commands = []
        self.skip = None
        self.exits = {0}
        self.needs = []


def blocks_of(path):
    """The fenced blocks of a Markdown file that hold commands, markers applied."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, markers, i = [], [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            mk = MARKER.search(lines[i])
            if mk:
                markers.append(mk.groups())
            elif lines[i].strip():
                markers = []  # a marker applies to the block right after it
            i += 1
            continue
        fence, tag = m.group(2), m.group(3).lower()
        block = Block(path, i + 1, tag)
        for kind, arg in markers:
            if kind == "skip":
                block.skip = arg or "marked skip"
            elif kind == "needs":
                block.needs += arg.split()
            else:
                block.exits |= {int(x) for x in re.findall(r"\d+", arg)}
        markers = []
        body, i = [], i + 1
        while i < len(lines) and not lines[i].strip().startswith(fence[:3]):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        pending, first = "", None
        for number, text in body:
            if tag in SHELL_TAGS:
                cmd = text
            elif tag == "" and text.startswith("$ "):
                cmd = text[2:]
            elif tag == "" and pending:
                cmd = text
            else:
                continue
            if not pending and (not cmd.strip() or cmd.lstrip().startswith("#")):
                continue
            first = first or number
            if cmd.rstrip().endswith("\\"):
                pending += cmd.rstrip()[:-1] + " "
                continue
            block.commands.append((first, pending + cmd))
            pending, first = "", None
        if block.commands:
            out.append(block)
    return out


def heapev_command(cmd):
    """Does the command run heapev itself (exit 1 = findings reported)?"""
    words = cmd.split()
    while words and re.match(r"^\w+=", words[0]):  # VAR=value prefixes
        words.pop(0)
    return bool(words) and words[0] in ("heapev", "build/heapev")


def script_of(block):
    """A bash script running the block's commands, checking each exit status."""
    out = ["set -u -o pipefail", "__fail() { printf 'DOCTEST-FAIL %s %s\\n' \"$1\" \"$2\"; exit 99; }"]
    for number, cmd in block.commands:
        ok = set(block.exits) | ({1} if heapev_command(cmd) else set())
        test = " || ".join("[ $__rc -eq %d ]" % e for e in sorted(ok))
        out.append("printf 'DOCTEST-RUN %d\\n'" % number)
        out.append(cmd)
        out.append("__rc=$?; { %s; } || __fail %d $__rc" % (test, number))
    return "\n".join(out) + "\n"


def tracked_files(root):
    """The tree's files: what git tracks or would (untracked, not ignored), else every file."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, capture_output=True).stdout.decode()
        return sorted({f for f in out.split("\0") if f and os.path.isfile(os.path.join(root, f))})
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "build"}
        files = []
        for top, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in skip and not d.startswith("build")]
            files += [os.path.relpath(os.path.join(top, n), root) for n in names]
        return files


def make_copy(root, build, files):
    """A temporary copy of the files (tar, modes kept), with `build` -> BUILD_DIR."""
    tmp = tempfile.mkdtemp(prefix="heapev-doctest-")
    pack = subprocess.Popen(["tar", "-C", root, "-cf", "-", "--null", "-T", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    unpack = subprocess.Popen(["tar", "-C", tmp, "-xf", "-"], stdin=pack.stdout)
    pack.stdout.close()
    pack.communicate("\0".join(files).encode())
    if unpack.wait() != 0 or pack.returncode != 0:
        raise RuntimeError("test_docs: copying the tree into %s failed" % tmp)
    os.symlink(os.path.abspath(build), os.path.join(tmp, "build"))
    return tmp


def run_block(block, cwd, env):
    """None when every command passed, else a failure message."""
    # its own session, so that a timeout ends every process the block started
    p = subprocess.Popen(["bash", "-c", script_of(block)], cwd=cwd, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=BLOCK_TIMEOUT)
        text = out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        text = out.decode(errors="replace")
        ran = re.findall(r"^DOCTEST-RUN (\d+)$", text, re.M)
        return "line %s: still running after %d s" % (ran[-1] if ran else block.line, BLOCK_TIMEOUT)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)  # anything it left running in the background
        except ProcessLookupError:
            pass
    m = re.search(r"^DOCTEST-FAIL (\d+) (\d+)$", text, re.M)
    if not m:
        return None if p.returncode == 0 else "block exited %d" % p.returncode
    number, rc = int(m.group(1)), int(m.group(2))
    cmd = dict(block.commands)[number]
    before = text[:m.start()]
    last = before.rfind("DOCTEST-RUN %d\n" % number)
    output = before[last:].split("\n", 1)[1] if last >= 0 else ""
    tail = "\n".join("      " + l for l in output.rstrip().split("\n")[-8:])
    return "line %d: exit %d: %s\n%s" % (number, rc, cmd.strip(), tail)


def main(argv):
    args = [a for a in argv[1:] if a != "--list"]
    if len(args) < 2:
        print(__doc__.strip())
        return 2
    root, build, only = os.path.abspath(args[0]), os.path.abspath(args[1]), args[2:]
    docs = only or (["README.md"] + sorted(os.path.join("docs", f)
                                            for f in os.listdir(os.path.join(root, "docs"))
                                            if f.endswith(".md")))
    if "--list" in argv:
        for doc in docs:
            for b in blocks_of(os.path.join(root, doc)):
                for number, cmd in b.commands:
                    print("%s:%d: %s%s" % (doc, number, "[skip: %s] " % b.skip if b.skip else "",
                                           cmd.strip()))
        return 0
    if not os.access(os.path.join(build, "heapev"), os.X_OK):
        print("test_docs: no heapev in %s" % build)
        return 1
    if os.environ.get("HEAPEV_EXEC_WRAPPER") or os.environ.get("MESON_EXE_WRAPPER"):
        print("test_docs: SKIP: a cross build (exe wrapper): the docs run build/heapev directly")
        return 77
    env = dict(os.environ, PATH=build + os.pathsep + os.environ.get("PATH", ""),
               HEAPEV_FUZZ_SEED="1", NO_COLOR="1")
    files = tracked_files(root)
    start = time.monotonic()
    ran = skipped = 0
    failures = []
    copy = make_copy(root, build, files)
    try:
        for doc in docs:
            blocks = blocks_of(os.path.join(root, doc))
            for b in blocks:
                missing = [n for n in b.needs if not os.path.exists(os.path.join(root, n))]
                if missing:
                    b.skip = "needs " + " ".join(missing)
                for n in b.needs:  # a build in the source tree: linked into the copy
                    top = os.path.join(copy, n.split("/")[0])
                    if not os.path.isabs(n) and not missing and not os.path.lexists(top):
                        os.symlink(os.path.join(root, n.split("/")[0]), top)
            skipped += sum(len(b.commands) for b in blocks if b.skip)
            blocks = [b for b in blocks if not b.skip]
            print("%s: %d blocks to run" % (doc, len(blocks)))
            for b in blocks:
                ran += len(b.commands)
                err = run_block(b, copy, env)
                if err:
                    failures.append("%s:%s" % (doc, err))
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    print("test_docs: %d commands run, %d skipped (marked), %d failed, %.1f s"
          % (ran, skipped, len(failures), time.monotonic() - start))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
