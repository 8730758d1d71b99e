#!/usr/bin/env python3
"""reader.py - a small .etl reader of heap Alloc events, written for
`heapev probe` with four planted mistakes (marked PLANTED below) of the kind
found in widely used readers. Everything else follows docs/ETL.md: buffers
by the logfile's BufferSize (chained by their own BufferSize in a compressed
trace), records up to Offset, SYSTEM, COMPACT and PERFINFO headers, each
record's width from its own HeaderType.

usage: reader.py FILE.etl
Prints one JSON object per heap Alloc:
  {"heap_handle": "0x...", "size": "0x...", "address": "0x...", "source": N}
and exits 0; a trace it refuses: one line on stderr and exit 1.
"""
import json
import struct
import sys

BUFFER_HEADER = 72
HEADER_SIZES = {1: 32, 2: 32, 3: 24, 4: 24, 16: 16, 17: 16}  # SYSTEM, COMPACT, PERFINFO
WIDE_TYPES = {2, 4, 17}
HOOK_HEAP_ALLOC = 0x1021
FLAG_COMPRESSED = 0x40
MODE_COMPRESSED = 0x04000000
MAX_BUFFER = 16 << 20


class BadTrace(Exception):
    pass


def u16(data, at):
    return struct.unpack_from("<H", data, at)[0]


def u32(data, at):
    return struct.unpack_from("<I", data, at)[0]


class Logfile:
    """The TRACE_LOGFILE_HEADER: the first record of buffer 0."""

    def __init__(self, data):
        rec = BUFFER_HEADER
        if len(data) < rec + 32 + 0x38:
            raise BadTrace("too short for a logfile header")
        if data[rec + 2] not in (1, 2) or data[rec + 3] != 0xC0 or u16(data, rec + 6) != 0:
            raise BadTrace("the first record is not the logfile header")
        if u16(data, rec + 4) < 32 + 0x38:
            raise BadTrace("logfile header record too short")
        p = rec + 32
        self.buffer_size = u32(data, p + 0x00)
        self.mode = u32(data, p + 0x20)
        self.buffers_written = u32(data, p + 0x24)
        self.pointer_size = u32(data, p + 0x2C)
        self.cpu_mhz = u32(data, p + 0x34)
        # PLANTED 1: divides by CpuSpeedInMHz, never 0 in real traces: ZeroDivisionError.
        self.ns_per_cycle = 1000.0 / self.cpu_mhz


def records(data, base, end):
    """The heap Allocs among the records of the buffer at base, up to its Offset."""
    pos = base + BUFFER_HEADER
    while pos < end:
        if end - pos < 4:
            raise BadTrace("record marker cut at 0x%x" % pos)
        if u32(data, pos) == 0xFFFFFFFF:
            raise BadTrace("filler before Offset at 0x%x" % pos)
        htype, flags = data[pos + 2], data[pos + 3]
        if flags != 0xC0 or htype not in HEADER_SIZES:
            raise BadTrace("unsupported record header type %d at 0x%x" % (htype, pos))
        hsize = HEADER_SIZES[htype]
        if end - pos < hsize:
            raise BadTrace("record header cut at 0x%x" % pos)
        size = u16(data, pos + 4)
        if pos + size > end:
            raise BadTrace("record at 0x%x crosses Offset" % pos)
        if u16(data, pos + 6) == HOOK_HEAP_ALLOC:
            fmt = "<QQQI" if htype in WIDE_TYPES else "<IIII"
            # PLANTED 2: the Size field is trusted: below header + payload the slice is
            # short and struct.unpack raises struct.error, which nothing catches.
            payload = data[pos + hsize:pos + size]
            handle, nbytes, address, source = struct.unpack(fmt, payload[:struct.calcsize(fmt)])
            yield {"heap_handle": hex(handle), "size": hex(nbytes), "address": hex(address),
                   "source": source}
        pos += (size + 7) & ~7


def read_trace(data):
    if len(data) < BUFFER_HEADER:
        raise BadTrace("shorter than a buffer header")
    lf = Logfile(data)
    # PLANTED 3: refuses an unfinished log (BuffersWritten 0), which Windows writes for a
    # session still running or crashed, and which a reader must read to the end.
    if lf.buffers_written == 0:
        raise BadTrace("BuffersWritten is 0: incomplete trace")
    if lf.pointer_size not in (4, 8):
        raise BadTrace("PointerSize %d" % lf.pointer_size)
    chained = lf.mode & MODE_COMPRESSED
    if not chained:
        if lf.buffer_size < BUFFER_HEADER or lf.buffer_size % 8 or lf.buffer_size > MAX_BUFFER:
            raise BadTrace("logfile BufferSize %d" % lf.buffer_size)
        if u32(data, 0) != lf.buffer_size:
            raise BadTrace("buffer 0 BufferSize differs from the logfile's")
    off = 0
    while off < len(data):
        if len(data) - off < BUFFER_HEADER:
            raise BadTrace("file ends inside a buffer header at 0x%x" % off)
        size = u32(data, off) if chained else lf.buffer_size
        if size < BUFFER_HEADER or size > MAX_BUFFER + BUFFER_HEADER or off + size > len(data):
            raise BadTrace("buffer at 0x%x runs past the file" % off)
        if u16(data, off + 0x34) & FLAG_COMPRESSED:
            # PLANTED 4: a compressed buffer is skipped without a word, so a compressed
            # trace gives the header buffer's records only, and exit status 0.
            off += size
            continue
        end = u32(data, off + 0x30)
        if end < BUFFER_HEADER or end > size:
            raise BadTrace("buffer at 0x%x: Offset %d" % (off, end))
        yield from records(data, off, off + end)
        off += size


def main():
    if len(sys.argv) != 2:
        print("usage: reader.py FILE.etl", file=sys.stderr)
        return 2
    path = sys.argv[1]
    try:
        with open(path, "rb") as f:
            data = f.read()
        for event in read_trace(data):
            print(json.dumps(event))
    except (BadTrace, OSError) as e:
        print("reader.py: %s: %s" % (path, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
