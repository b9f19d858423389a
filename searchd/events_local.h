/* events_local.h — searchd as the index's one writer (--writable): REST
 * writes applied in-process, on one machine, without Kafka.
 *
 * At start the index is opened for writing (model/store.h; Xapian's lock
 * then keeps any other writer, a metadex-indexer included, out for as long
 * as searchd runs). One writer thread owns the store: requests queue their
 * events and wait; the thread takes everything queued, feeds it, commits
 * once (group commit: concurrent requests share a commit) and wakes them.
 * A request is answered only after its commit, and every worker's reader
 * reopens on the next request, so the next search sees the write.
 *
 * Ranking config saves go through the same thread (rs_set_writer), so they
 * never meet the write lock and never interleave with a batch.
 */
#ifndef MDX_SEARCHD_EVENTS_LOCAL_H
#define MDX_SEARCHD_EVENTS_LOCAL_H

#include <stddef.h>

#include "searchd/events_item.h"

/* Opens the index at db_path for writing (creating it), starts the writer
 * thread and routes ranking saves through it. Returns 0, or -1 with a
 * reason (another process holds the write lock, ...). */
int events_local_start(const char *db_path, char *err, size_t errlen);
/* Finishes the queued work, stops the thread and closes the index. */
void events_local_stop(void);

/* Applies the items whose status is EVENT_VALID and waits for the commit:
 * each becomes EVENT_APPLIED, EVENT_REJECTED (it does not apply to the
 * stored entity, reason given) or EVENT_FAILED (the commit failed). */
void events_local_apply(event_item *items, size_t n);

#endif
