/* dead_letter.h — a dead-letter file: unusable events as JSON lines.
 *
 * dead_letter_write is a store_dead_letter_fn (model/store.h): give the
 * sink as its ctx. Lines are appended (a rerun never erases what an earlier
 * run could not use) and written through stdio; call dead_letter_flush after
 * each commit so that what is on disk covers every committed batch.
 */
#ifndef MDX_INDEXER_DEAD_LETTER_H
#define MDX_INDEXER_DEAD_LETTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct dead_letter_file dead_letter_file;

/* Opens `path` for appending ("-" is stderr). NULL with a reason. */
dead_letter_file *dead_letter_open(const char *path, char *err, size_t errlen);
/* store_dead_letter_fn: writes one line (a newline is added). 0, or -1 on
 * an I/O error (remembered: flush and close report it too). */
int dead_letter_write(void *ctx, const char *json_line, size_t len);
/* Flushes to the kernel. 0, or -1 with a reason. */
int dead_letter_flush(dead_letter_file *f, char *err, size_t errlen);
/* Lines written. */
uint64_t dead_letter_count(const dead_letter_file *f);
/* Flushes and closes. 0, or -1 with a reason (the sink is freed either way). */
int dead_letter_close(dead_letter_file *f, char *err, size_t errlen);

#endif
