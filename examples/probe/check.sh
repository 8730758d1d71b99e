#!/bin/sh
# check.sh - run `heapev probe` on the example readers with small counts and
# compare each verdict table with its expected one: the meson test
# test-probe-examples. With --update, rewrite the expected tables instead.
#
#   examples/probe/check.sh [--update] HEAPEV RECDUMP
#
# reader.py.expected and recdump.expected are the table lines of the run
# (class, findings, expect, counts per verdict, verdict, meets); every class
# that does not meet its expectation must also have left a reproducer.
set -eu
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
heapev=$1 recdump=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/heapev-probe-examples-XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0

# NAME ARGS...: run the probe, keep its table, compare it.
check() {
    name=$1; shift
    rc=0
    "$heapev" probe --repro-dir "$work/$name-repro" --minimize-time 0 --jobs 2 "$@" \
        >"$work/$name.out" 2>"$work/$name.err" || rc=$?
    if [ "$rc" -ne 1 ]; then
        echo "check.sh: $name: heapev probe exited $rc, not 1 (a class fails):" >&2
        cat "$work/$name.err" "$work/$name.out" >&2
        status=1
        return
    fi
    # The table: from the line after "class ..." to the first empty line.
    awk '/^class /{on=1; next} on && /^$/{exit} on' "$work/$name.out" >"$work/$name.table"
    if [ "$update" -eq 1 ]; then
        cp "$work/$name.table" "$here/$name.expected"
    elif ! diff -u "$here/$name.expected" "$work/$name.table" >&2; then
        echo "check.sh: $name: the verdict table differs from examples/probe/$name.expected" >&2
        status=1
    fi
    failing=$(grep -c ' NO$' "$work/$name.table" || true)
    repros=$(ls "$work/$name-repro" 2>/dev/null | wc -l)
    if [ "$failing" -ne "$repros" ]; then
        echo "check.sh: $name: $failing failing classes but $repros reproducers" >&2
        status=1
    fi
}

if command -v python3 >/dev/null 2>&1; then
    check reader.py --timeout 20 --count 3 --adapter jsonl --exec "python3 '$here/reader.py' {}"
else
    echo "check.sh: python3 not found: reader.py skipped"
fi
check recdump --format record --timeout 2 --count 2 --stdin --exec "'$recdump'" \
    --adapter csv --field heap_handle=HeapHandle --field size=Size --field address=Address \
    --field source=Source
exit $status
