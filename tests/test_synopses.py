#!/usr/bin/env python3
"""tests/test_synopses.py - the synopses of the docs agree with `heapev CMD --help`.

usage: test_synopses.py SOURCE_ROOT HEAPEV_BINARY

A synopsis is a line of an untagged fenced block (or of the man page's
SYNOPSIS section) that starts with `heapev CMD` (after an optional "usage:"),
with the lines that continue it (indented, starting with "[" or "("). Its
form is the option right after CMD when not in brackets (`heapev gen --format
etl ...`, `heapev gen --list-classes ...`), else the plain form. For each:
  - every --option it names must be an option of `heapev CMD --help`;
  - in README.md ("Command line"), docs/heapev.1 (SYNOPSIS), docs/GENERATOR.md
    and docs/REVIEWER.md, which give a command's whole synopsis, the synopses
    of one form of a command there, taken together, must name every option of
    that form's usage line(s) at the top of its --help.
docs/ETL.md shows only the .etl forms, so only the first rule applies there.
Exit 1 naming the file, the command and the option on any mismatch.
"""
import os
import re
import shlex
import subprocess
import sys

COMMANDS = ("decode", "explain", "stats", "gen", "findings")
COMPLETE = ("README.md", "docs/heapev.1", "docs/GENERATOR.md", "docs/REVIEWER.md")
PARTIAL = ("docs/ETL.md",)
OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def form_of(synopsis):
    """The form of one synopsis (text after `heapev CMD`): its leading bare option or ''."""
    m = re.match(r"^\s*(--[a-z][a-z0-9-]*)", synopsis)
    return m.group(1) if m else ""


def forms(lines):
    """{form: options named} of (command-start?, text) synopsis lines of one command."""
    out, cur = {}, None
    for start, text in lines:
        if start:
            cur = form_of(text)
        out.setdefault(cur, set()).update(OPTION.findall(text))
    return out


def help_of(heapev, cmd):
    """({form: options of its usage lines}, every option the help names)."""
    # a cross-built heapev runs through its exe wrapper (tests/exec_heapev.h)
    wrapper = shlex.split(os.environ.get("HEAPEV_EXEC_WRAPPER") or
                          os.environ.get("MESON_EXE_WRAPPER") or "")
    text = subprocess.run(wrapper + [heapev, cmd, "--help"], check=True, capture_output=True,
                          text=True).stdout
    usage = text.split("\n\n", 1)[0]
    lines = []
    for line in usage.split("\n"):
        m = re.match(r"^\s*(?:usage:\s*)?heapev\s+%s\b(.*)$" % cmd, line)
        lines.append((True, m.group(1)) if m else (False, line))
    return forms(lines), set(OPTION.findall(text))


def synopses_md(text):
    """(command, starts a synopsis?, text) of each synopsis line in the untagged fenced blocks."""
    out, tag, cur = [], None, None
    for line in text.split("\n"):
        m = re.match(r"^\s*(```+)\s*([\w+-]*)\s*$", line)
        if m:
            tag = None if tag is not None else m.group(2)
            cur = None
            continue
        if tag != "":
            continue
        m = re.match(r"^\s*(?:usage:\s*)?heapev\s+(\w+)(.*)$", line)
        if m and m.group(1) in COMMANDS:
            cur = m.group(1)
            out.append((cur, True, m.group(2)))
        elif cur and re.match(r"^\s+[\[(]", line):
            out.append((cur, False, line))
        else:
            cur = None
    return out


def synopses_man(text):
    """(command, starts a synopsis?, text) of the SYNOPSIS section of a man page, roff unescaped."""
    m = re.search(r"^\.SH SYNOPSIS\n(.*?)^\.SH ", text, re.S | re.M)
    out, cur = [], None
    for line in (m.group(1) if m else "").split("\n"):
        line = line.replace("\\-", "-")
        c = re.match(r"^\.B heapev (\w+)(.*)$", line)
        if c and c.group(1) in COMMANDS:
            cur = c.group(1)
            out.append((cur, True, c.group(2)))
            continue
        if line.startswith(".br") or line.startswith(".PP"):
            cur = None
        if cur:
            out.append((cur, False, line))
    return out


def main(argv):
    root, heapev = argv[1], argv[2]
    helps = {c: help_of(heapev, c) for c in COMMANDS}
    failures = []
    for doc in COMPLETE + PARTIAL:
        with open(os.path.join(root, doc), encoding="utf-8") as f:
            text = f.read()
        lines = synopses_man(text) if doc.endswith(".1") else synopses_md(text)
        for cmd, _, text in lines:
            for opt in OPTION.findall(text):
                if opt not in helps[cmd][1]:
                    failures.append("%s: heapev %s has no option %s (synopsis: %s)"
                                    % (doc, cmd, opt, text.strip()))
        cmds = sorted({c for c, _, _ in lines})
        if doc in COMPLETE:
            for cmd in cmds:
                doc_forms = forms([(st, t) for c, st, t in lines if c == cmd])
                for form, opts in sorted(helps[cmd][0].items()):
                    if form not in doc_forms:
                        failures.append("%s: no synopsis of heapev %s %s" % (doc, cmd, form))
                        continue
                    for opt in sorted(opts - doc_forms[form]):
                        failures.append("%s: the synopsis of heapev %s%s lacks %s (in its --help)"
                                        % (doc, cmd, " " + form if form else "", opt))
        print("%s: %d synopsis lines, commands %s" % (doc, len(lines), ", ".join(cmds)))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
