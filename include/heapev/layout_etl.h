/**
 * @file heapev/layout_etl.h
 * @brief A whole .etl trace as labelled sections, buffer by buffer: what
 *        `heapev explain --etl` shows, decided here and only printed there.
 *
 * The walker follows the streaming reader of heapev/etl.h (which it owns
 * and starts with report_skipped, so that it sees every record and the end
 * of each buffer's records) and turns its items into sections, in file
 * order. For each buffer of the window (see below):
 *  - its WMI_BUFFER_HEADER, at its first item, with the container findings
 *    about the buffer header (an item at the buffer's offset) placed on the
 *    fields they point at;
 *  - in buffer 0, its first record at offset 72: the logfile header record
 *    with the findings about it, or, when it is none
 *    (etl_no_logfile_header), that record's header fields only;
 *  - then one section per item: a heap Alloc record laid out with its
 *    container findings added; a record the reader stepped over (no ranges,
 *    the item says what it was); container findings about a record, on its
 *    record header fields; findings at a place past the buffer's bytes
 *    (nothing to lay out); the end of the buffer's records;
 * and, when buffer 0 is shown, a finding the reader reports about it only
 * at the end of the file (etl_buffers_written_mismatch), on the field laid
 * out earlier (BuffersWritten).
 *
 * Ranges come from heapev/layout.h (heapev_layout_etl_buffer(),
 * heapev_layout_etl_logfile(), heapev_layout_record(),
 * heapev_layout_attach()); where records start and end is the reader's
 * knowledge, never recomputed here.
 *
 * The window: the shown buffers start with the one holding file offset
 * @c first_offset (the first buffer whose bytes in the file reach past it;
 * a buffer whose length is unknown is taken as it comes), then @c count of
 * them (0: all to the end). Buffers outside the window give no section;
 * the walk stops after the window unless buffer 0 is in it (the end of the
 * file may still hold a finding about buffer 0).
 *
 * No allocation, no global state, nothing printed.
 */
#ifndef HEAPEV_LAYOUT_ETL_H
#define HEAPEV_LAYOUT_ETL_H

#include <stddef.h>
#include <stdint.h>

#include "heapev/etl.h"
#include "heapev/findings.h"
#include "heapev/layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a section lays out. */
typedef enum heapev_layout_etl_part {
    /**
     * A shown buffer's WMI_BUFFER_HEADER (at 0): the first section of each
     * shown buffer. No ranges when the buffer has no bytes at all
     * (@c image_length 0: an empty file), its findings then all unplaced.
     */
    HEAPEV_LAYOUT_ETL_BUFFER_HEADER = 1,
    /** Buffer 0's logfile header record (at 72): header fields, payload, names. */
    HEAPEV_LAYOUT_ETL_LOGFILE,
    /**
     * Buffer 0's first record (at 72) when it is no logfile header (the
     * findings hold etl_no_logfile_header): its record header fields only
     * (the reader steps over it as an ordinary record).
     */
    HEAPEV_LAYOUT_ETL_NO_LOGFILE,
    /**
     * A heap Alloc record (@c item is its EVENT item): heapev_layout_record()
     * over the bytes the reader decoded (its Size), the item's container
     * findings (etl_pointer_size_mismatch) added.
     */
    HEAPEV_LAYOUT_ETL_EVENT,
    /** A record the reader stepped over: no ranges; @c item.skipped describes it. */
    HEAPEV_LAYOUT_ETL_SKIPPED,
    /**
     * Container findings about the record at @c at (a CONTAINER item): that
     * record's header fields, carrying only these findings.
     */
    HEAPEV_LAYOUT_ETL_RECORD_FINDINGS,
    /** Findings at a place past the buffer's bytes: no ranges, all in @c unplaced. */
    HEAPEV_LAYOUT_ETL_UNPLACED,
    /** The end of the buffer's records (a RECORDS_END item): @c at is where they end. */
    HEAPEV_LAYOUT_ETL_RECORDS_END,
    /**
     * A finding about buffer 0 that came after the walk left it (at the end
     * of the file: etl_buffers_written_mismatch). When buffer 0's logfile
     * header was laid out, the one range is its BuffersWritten as the
     * LOGFILE section had it (offset, value) carrying only the late
     * findings it takes, and @c at is the logfile record's place (72); else
     * no range and @c at is the item's place. Findings no range takes are
     * unplaced. @c bytes is NULL: buffer 0's bytes are gone.
     */
    HEAPEV_LAYOUT_ETL_LATE
} heapev_layout_etl_part;

/** One section of the walk. Valid until the next heapev_layout_etl_next() call. */
typedef struct heapev_layout_etl_section {
    heapev_layout_etl_part part;
    uint64_t buffer;        /**< index of the buffer it is about (0 = the header buffer) */
    uint64_t buffer_offset; /**< file offset of that buffer */
    size_t at;              /**< where the section starts in the buffer image */
    /**
     * buffer_offset + at, as the reader's items give offsets: a file offset,
     * or, when @c among_decompressed, a position in the decompressed image.
     */
    uint64_t offset;
    /**
     * The buffer image as the reader reads it (the file's bytes, or the
     * decompressed image), from @c at on: what the ranges' offsets index.
     * NULL when @c at is past the image, and for LATE.
     */
    const uint8_t *bytes;
    size_t avail;           /**< bytes readable at @c bytes (to the end of the image) */
    /** The ranges, in byte order, offsets relative to @c at (so to @c bytes and @c offset). */
    heapev_layout_range ranges[HEAPEV_LAYOUT_ETL_MAX_RANGES];
    size_t n;                 /**< number of ranges */
    heapev_findings findings; /**< all findings shown: the ranges' and @c unplaced */
    heapev_findings unplaced; /**< findings no range took: they belong at @c offset */
    /**
     * 1 when the buffer is shown from its decompressed image (@c bytes,
     * @c image_length are the image's): the buffer's first item lay among
     * decompressed records (heapev_etl_item.decompressed).
     */
    uint8_t decompressed;
    /** 1 when @c decompressed and the section starts among the records (@c at >= 72). */
    uint8_t among_decompressed;
    /** Bytes the buffer occupies in the file (heapev_etl_reader_buffer_length()); LATE: 0. */
    uint32_t buffer_length;
    /** Bytes of the buffer image (decompressed: the Offset it decompressed to); LATE: 0. */
    size_t image_length;
    /**
     * The reader's item the section was laid out at. For BUFFER_HEADER,
     * LOGFILE and NO_LOGFILE sections: the CONTAINER item about them (at
     * their offset) when there is one, else the item that came first after
     * them (whose own section follows); for the others, the item they show.
     */
    heapev_etl_item item;
} heapev_layout_etl_section;

/** Walker state: treat as opaque except @c reader; lives wherever the caller puts it. */
typedef struct heapev_layout_etl_walker {
    /** The reader (report_skipped on): heapev_etl_reader_stats(&w->reader) etc. */
    heapev_etl_reader reader;
    uint64_t first_offset, count; /* the window as asked */
    uint64_t first, last;         /* buffers shown: [first, last); UINT64_MAX until known */
    heapev_etl_item item;         /* the item being laid out */
    int step;                     /* what of it comes next */
    int started;                  /* an item has come */
    int ended;                    /* the current buffer's RECORDS_END came */
    int done;                     /* END returned (the file, or the window, ended) */
    int shows;                    /* the current buffer is in the window */
    int header_done, logfile_done;
    uint64_t index, base;         /* current buffer and its file offset */
    const uint8_t *image;         /* its bytes as the reader reads them */
    size_t got;                   /* bytes at image */
    uint32_t length;              /* its length in the file */
    uint8_t decompressed;         /* image is decompressed (its first item said so) */
    int have_written;             /* written holds buffer 0's BuffersWritten range */
    heapev_layout_range written;
} heapev_layout_etl_walker;

/**
 * @brief Start walking a file read through @p fetch.
 * @param w            walker state (fully overwritten)
 * @param opts         reader options, or NULL for the defaults; report_skipped
 *                     is turned on whatever it says; opts->limits are the
 *                     limits records are laid out with
 * @param fetch        supplies the bytes (heapev_etl_fetch_fn)
 * @param ctx          passed to @p fetch
 * @param first_offset the window starts with the buffer holding this file offset
 * @param count        buffers in the window; 0 = all to the end
 */
void heapev_layout_etl_walker_init(heapev_layout_etl_walker *w, const heapev_etl_read_options *opts,
                                   heapev_etl_fetch_fn fetch, void *ctx, uint64_t first_offset,
                                   uint64_t count);

/**
 * @brief Start walking a file image in memory; as heapev_layout_etl_walker_init().
 * @param data the file bytes (may be NULL when @p len is 0); never copied
 * @param len  file size
 */
void heapev_layout_etl_walker_init_memory(heapev_layout_etl_walker *w,
                                          const heapev_etl_read_options *opts, const void *data,
                                          size_t len, uint64_t first_offset, uint64_t count);

/**
 * @brief The next section, in file order.
 * @param w a started walker
 * @param s receives the section when HEAPEV_ETL_OK is returned
 * @return HEAPEV_ETL_OK; HEAPEV_ETL_END at the end of the file or past the
 *         window (also on every later call); HEAPEV_ETL_IO_ERROR when the
 *         reader's fetch failed
 */
heapev_etl_status heapev_layout_etl_next(heapev_layout_etl_walker *w,
                                         heapev_layout_etl_section *s);

/**
 * @brief The window's first buffer.
 * @return its index; UINT64_MAX while no buffer holding first_offset has come
 */
uint64_t heapev_layout_etl_first_buffer(const heapev_layout_etl_walker *w);

/**
 * @brief Whether first_offset lay beyond the file's last buffer (the window
 *        was empty). Meaningful once heapev_layout_etl_next() returned END.
 * @return 1 when first_offset > 0 and no buffer the reader met holds it (an
 *         empty file included), else 0
 */
int heapev_layout_etl_offset_beyond(const heapev_layout_etl_walker *w);

#ifdef __cplusplus
}
#endif

#endif /* HEAPEV_LAYOUT_ETL_H */
