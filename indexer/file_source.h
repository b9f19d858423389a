/* file_source.h — events from files and standard input.
 *
 * A file holds JSON lines, one JSON array of events, or one JSON object
 * (possibly pretty-printed over several lines). JSON lines are streamed a
 * chunk at a time, so a file of any size is indexed in bounded memory, and
 * each event's offset (in dead letters) is its line number. An array or a
 * single object is read into memory whole and split into events by
 * ev_split (such files are small in practice); offsets are item numbers.
 * The format is told by the first bytes: "[" is an array; otherwise, if
 * the first or second non-blank line is a JSON value on its own, the file
 * is JSON lines; otherwise it is read whole.
 */
#ifndef MDX_INDEXER_FILE_SOURCE_H
#define MDX_INDEXER_FILE_SOURCE_H

#include <stddef.h>

#include "indexer/dead_letter.h"
#include "indexer/progress.h"
#include "model/store.h"

typedef struct file_source {
    store *st;
    progress *prog;
    dead_letter_file *dl; /* may be NULL */
} file_source;

/* Feeds every event of `path` ("-": standard input) to the store, handing
 * each full batch to the writer. The last partial batch stays pending.
 * Returns 0, or -1 with a reason (unreadable input, index failure). */
int file_source_index(const file_source *fs, const char *path, char *err, size_t errlen);

#endif
