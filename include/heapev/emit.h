/**
 * @file heapev/emit.h
 * @brief The generator's emitters: file names, atomic output files and the
 *        manifest schema (written and read), for `heapev gen` and every tool
 *        that checks a reader against a manifest.
 *
 * One place for each of these facts:
 *  - a generated file is named by the XXH128 of its bytes, in lower-case
 *    hex, plus a suffix (".bin");
 *  - an output file appears whole or not at all: it is written under a
 *    temporary name beside it and renamed. Written in place instead, never
 *    renamed over: a device, FIFO or socket (/dev/null), a descriptor the
 *    process holds (/dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N,
 *    /proc/self/fd/N: that descriptor itself, its offset shared) and any
 *    other /proc path. A symbolic link (chain) to a regular file keeps the
 *    link: the temporary file goes beside the file it ends at. Nothing is
 *    ever created in /dev (no temporary file, no new file, no directory);
 *  - a manifest is JSON Lines: one line per generated item or trace entry and,
 *    for a trace, one summary line (and, in a trace's compact form, a header
 *    line first); the event fields are those of `heapev decode --json`
 *    (heapev_emit_event_json()), so a decoder's line and the manifest's line
 *    can be compared key by key;
 *  - every tool reads manifests, either form, through
 *    heapev_manifest_read_line().
 * The JSON values come from jansson; the caller owns (json_decref) what it gets.
 */
#ifndef HEAPEV_EMIT_H
#define HEAPEV_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "heapev/gen_etl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- names ------------------------------------------------------------- */

/** Hex digits of an XXH128 name. */
#define HEAPEV_EMIT_HASH_HEX 32u
/** Room for a name: the hex digits, a suffix of at most 7 characters, the NUL. */
#define HEAPEV_EMIT_NAME_MAX (HEAPEV_EMIT_HASH_HEX + 8u)

/**
 * @brief The name of a file holding @p len bytes at @p data: their XXH128 in
 *        lower-case hex, then @p suffix (e.g. ".bin").
 * @param hex  receives the hex digits (HEAPEV_EMIT_HASH_HEX + 1 bytes); may be NULL
 * @param name receives hex + suffix (HEAPEV_EMIT_NAME_MAX bytes)
 */
void heapev_emit_name(const void *data, size_t len, const char *suffix, char *hex, char *name);

/* ---- atomic output files ----------------------------------------------- */

/** Longest path the emitters handle. */
#define HEAPEV_EMIT_PATH_MAX 4096u

/** An output file being written: see heapev_emit_open(). */
typedef struct heapev_emit_file {
    char path[HEAPEV_EMIT_PATH_MAX]; /**< the name asked for */
    /** What is replaced or written: the end of path's symbolic links (path itself if none). */
    char target[HEAPEV_EMIT_PATH_MAX];
    char tmp[HEAPEV_EMIT_PATH_MAX];  /**< the temporary file; empty when written in place */
    int fd;                          /**< open for writing; -1 once closed */
    int in_place;                    /**< 1 when written in place (no temporary file) */
    /** Why heapev_emit_open() refused by the rules above ("... in /dev"), or NULL: see errno. */
    const char *refusal;
} heapev_emit_file;

/**
 * @brief Is @p path something written in place (a device, FIFO or socket,
 *        possibly behind symbolic links, a held descriptor, a /proc path),
 *        not a file to replace?
 */
int heapev_emit_in_place(const char *path);

/**
 * @brief Would creating @p path (a file or a directory that does not exist
 *        yet) create it in /dev? Symbolic links in its directory are
 *        followed.
 */
int heapev_emit_in_dev(const char *path);

/**
 * @brief Do @p a and @p b name the same output (the same target once
 *        symbolic links are followed, or the same existing file)?
 */
int heapev_emit_same_output(const char *a, const char *b);

/**
 * @brief Open @p path for writing as the rules above say: a temporary file
 *        beside it (or beside the regular file its symbolic links end at,
 *        the links kept), or in place.
 * @return 0, or -1 with errno set (nothing left behind); f->refusal names
 *         the rule when heapev refused (a directory, a new file in /dev)
 */
int heapev_emit_open(heapev_emit_file *f, const char *path);

/** @brief Why opening or writing @p f failed: f->refusal, else strerror(@p err). */
const char *heapev_emit_reason(const heapev_emit_file *f, int err);

/**
 * @brief Close and put the file in place (rename over the target).
 * @return 0, or -1 with errno set (the temporary file removed)
 */
int heapev_emit_commit(heapev_emit_file *f);

/** @brief Close and remove the temporary file (a device is only closed). */
void heapev_emit_discard(heapev_emit_file *f);

/**
 * @brief Write all of @p data to @p fd (retrying short writes and EINTR).
 * @return 0, or -1 with errno set (EIO for a write that wrote nothing)
 */
int heapev_emit_write_all(int fd, const void *data, size_t len);

/**
 * @brief Write a whole small file atomically: open, write, commit.
 * @return 0, or -1 with errno set
 */
int heapev_emit_write_file(const char *path, const void *data, size_t len);

/* ---- manifest: writing -------------------------------------------------- */

/** @brief "0x..." lower-case hex of @p v, as a JSON string. */
json_t *heapev_emit_hex_json(uint64_t v);

/** @brief @p v as a JSON integer, or hex text above INT64_MAX (JSON integers are signed). */
json_t *heapev_emit_u64_json(uint64_t v);

/** @brief JSON array of the names of @p findings, in table order. */
json_t *heapev_emit_findings_json(heapev_findings findings);

/** @brief JSON array of the class names of @p set ("well_formed" for the empty set). */
json_t *heapev_emit_classes_json(heapev_gen_classes set);

/**
 * @brief Add the fields of @p event that `heapev decode --json` prints and a
 *        manifest carries: bits, heap_handle, size, address, source,
 *        source_name, and for records version, header_type, flags,
 *        size_field, hook_id, hook_name, thread_id, process_id, system_time,
 *        kernel_time, user_time. Fields that were not decoded are null.
 *        heap_handle, size and address are always "0x..." lower-case hex
 *        strings (one JSON type whatever the value); source_name is the
 *        Source's name or "undefined" (heapev_source_label()).
 */
void heapev_emit_event_json(json_t *obj, const heapev_event *event);

/**
 * @brief The manifest line of a generated payload or record written to file
 *        @p name (hex: its XXH128): file, xxh128, seed, index, class, format,
 *        length, decode_bits, the event fields, expected_findings.
 */
json_t *heapev_emit_item_json(const heapev_gen_item *item, uint64_t seed, uint64_t index,
                              const char *name, const char *hex);

/**
 * @brief The manifest line of a trace entry: kind record (index, buffer,
 *        offset, lost, class, wow64, family, the event fields) or container
 *        (buffer, offset, class), decompressed when it lies among a compressed
 *        buffer's records, expected_findings.
 * @param o the trace's options (its width and container class)
 */
json_t *heapev_emit_entry_json(const heapev_gen_etl_entry *entry, const heapev_gen_etl_options *o);

/**
 * @brief The summary line of a trace: the options (seed, bits, count,
 *        malformed, noise, buffer_size, wow64, style, compress,
 *        container_class) and what a reader must count (file_length, buffers,
 *        events, lost, noise_records, skipped, container_items,
 *        container_findings).
 */
json_t *heapev_emit_summary_json(const heapev_gen_etl_options *o,
                                 const heapev_gen_etl_summary *sum);

/* ---- trace manifest: the compact form ----------------------------------- */

/*
 * A trace's manifest comes in two forms. The full form (`heapev gen
 * --manifest-full`) has one self-contained line per entry
 * (heapev_emit_entry_json()), then the summary line. The compact form (the
 * default) keeps every fact a reader is checked against in fewer bytes:
 *  - a header line first (heapev_emit_header_json()): kind "header", form
 *    "compact", the options (seed, bits, count, ...), the header families,
 *    the modelled processes (process and thread ids, heap handles), the
 *    values every well-formed event has, and the short keys below;
 *  - one line per entry with short keys: "i" index (events) or "k":"c"
 *    (container items), "b" buffer (only when it differs from the previous
 *    line's), "o" offset, "c" classes (omitted: well_formed; container items:
 *    the header's container_class), "f" expected findings (omitted: none),
 *    "l" lost (omitted: false), "d" decompressed (container items; every event
 *    of a compressed trace is), and the event fields its classes changed
 *    (heapev_gen_classes_fields()) under their decode --json names;
 *  - the same summary line as the full form.
 * A well-formed event's line is {"i":N,"o":N}, plus "b" at a new buffer.
 */

/** Room for any compact manifest line, its newline included. */
#define HEAPEV_EMIT_LINE_MAX 4096u

/** A compact manifest being written: what the previous line said. */
typedef struct heapev_emit_compact {
    const heapev_gen_etl_options *o;
    uint64_t buffer; /**< the previous line's buffer */
    int started;     /**< a line was written */
} heapev_emit_compact;

/**
 * @brief The header line of a compact trace manifest (see above).
 * @param o the trace's options
 */
json_t *heapev_emit_header_json(const heapev_gen_etl_options *o);

/** @brief Start writing the compact lines of a trace with options @p o. */
void heapev_emit_compact_start(heapev_emit_compact *c, const heapev_gen_etl_options *o);

/**
 * @brief The compact manifest line of a trace entry, newline included, into
 *        @p out. Well-formed events take no allocation (jansson builds only
 *        the lines that carry field values).
 * @param cap room at @p out (HEAPEV_EMIT_LINE_MAX always suffices)
 * @return bytes written, or 0 when they would not fit (or jansson failed)
 */
size_t heapev_emit_entry_compact(heapev_emit_compact *c, const heapev_gen_etl_entry *entry,
                                 char *out, size_t cap);

/* ---- manifest: reading -------------------------------------------------- */

/** What a manifest line is. */
typedef enum heapev_manifest_kind {
    HEAPEV_MANIFEST_ITEM = 0,   /**< a generated file's line (payload or record corpora) */
    HEAPEV_MANIFEST_HEADER,     /**< a compact trace manifest's header */
    HEAPEV_MANIFEST_EVENT,      /**< a trace's Alloc event (full "kind":"record", or compact "i") */
    HEAPEV_MANIFEST_CONTAINER,  /**< a trace's container item */
    HEAPEV_MANIFEST_SUMMARY,    /**< a trace's summary line */
    HEAPEV_MANIFEST_OTHER       /**< a "kind" this version does not know */
} heapev_manifest_kind;

/**
 * What the lines read so far say about the next ones: a compact header's
 * defaults and the previous entry's buffer. One per manifest read in order
 * (several traces' manifests may follow one another: each header starts
 * afresh).
 */
typedef struct heapev_manifest_reader {
    int compact;        /**< a compact header was read */
    int compress;       /**< its trace is compressed */
    int started;        /**< an entry was read since */
    uint64_t buffer;    /**< the previous entry's buffer */
    char container[64]; /**< its container_class, "" when none */
} heapev_manifest_reader;

/** What a manifest line says, in either form. */
typedef struct heapev_manifest_line {
    heapev_manifest_kind kind;
    const char *file;          /**< its "file" (points into the JSON object), or NULL */
    /* generated files (HEAPEV_MANIFEST_ITEM) */
    int format;                /**< HEAPEV_GEN_FORMAT_PAYLOAD / _RECORD, _ETL for any line of a
                                    trace's manifest, or -1 when not said */
    unsigned decode_width;     /**< decode_bits / 8, or 0 (infer) */
    /* files and trace entries */
    int has_expected;          /**< 1 when the expected findings are known (names all known) */
    heapev_findings expected;  /**< those findings */
    /** Its class names, or NULL: read them with heapev_manifest_classes(). */
    const json_t *classes;
    /* trace entries (EVENT, CONTAINER) */
    int compact;               /**< written in the compact form */
    uint64_t index;            /**< events: 0-based index */
    uint64_t buffer;           /**< buffer index */
    uint64_t offset;           /**< file offset (see heapev_gen_etl_entry) */
    int lost;                  /**< events: the reader cannot return it */
    int decompressed;          /**< among a compressed buffer's records */
    /**
     * The line itself: an event's field values under their decode --json
     * names (every field in the full form; in the compact form only those its
     * classes changed).
     */
    const json_t *obj;
} heapev_manifest_line;

/** @brief Start reading a manifest (or several, one after the other). */
void heapev_manifest_reader_init(heapev_manifest_reader *r);

/**
 * @brief Read one manifest line (a JSON object): a generated file's line, or
 *        a trace manifest's header, entry or summary line, in either form.
 * @return 0, or -1 when @p obj is not a JSON object, a header of an unknown
 *         form, or an entry without its index, buffer or offset
 */
int heapev_manifest_read_line(heapev_manifest_reader *r, const json_t *obj,
                              heapev_manifest_line *line);

/**
 * @brief Call @p fn with each class name of @p line (read by @p r): its
 *        "class" (full) or "c" (compact); an event's omitted "c" is
 *        well_formed, a container item's the header's container_class.
 */
void heapev_manifest_classes(const heapev_manifest_reader *r, const heapev_manifest_line *line,
                             void (*fn)(void *ctx, const char *name), void *ctx);

/** @brief The findings named in a JSON array; *ok is 0 when a name is unknown. */
heapev_findings heapev_manifest_findings(const json_t *names, int *ok);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_EMIT_H */
