/* store.h — the index writer: events in, committed Xapian documents out.
 *
 * The one place that turns raw event bytes into index changes, used by
 * metadex-indexer (files, stdin, Kafka) and by metadex-searchd when it is
 * the writer for REST writes (--writable). A store owns the Xapian writable
 * database (one writer per index) and a batch:
 *   store_feed()    decodes one raw event; a bad one goes to the dead-letter
 *                   sink with its reason and the caller goes on;
 *                   events of one entity inside a batch are coalesced;
 *   store_commit()  merges each touched entity once (reading its state from
 *                   the index once), builds its document, and commits the
 *                   batch together with the stream positions it covers in one
 *                   Xapian transaction, so a restart resumes exactly there.
 * Stream positions are kept in the index metadata under
 * "offset/<topic>/<partition>" as decimal text: the offset of the next
 * message to read.
 */
#ifndef MDX_STORE_H
#define MDX_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where an event came from: a file line, a Kafka message, a REST request. */
typedef struct store_origin {
    const char *source;  /* file name, "kafka", "rest", "stdin" */
    const char *topic;   /* Kafka topic or NULL */
    int32_t partition;   /* Kafka partition, -1 otherwise */
    int64_t offset;      /* Kafka offset, or line/item number in a file */
} store_origin;

/* Where unusable events go: one JSON line each,
 * {"reason": "...", "source": ..., "topic": ..., "partition": ..., "offset": ...,
 *  "event": <the original JSON, or "raw": "<text>" when it did not parse>}. */
typedef int (*store_dead_letter_fn)(void *ctx, const char *json_line, size_t len);

typedef struct store_options {
    size_t batch_events;        /* commit after this many events (store_feed says when) */
    store_dead_letter_fn dead_letter; /* NULL: dead letters are only counted */
    void *dead_letter_ctx;
    /* A bulk load into an empty index: written by this many writer threads
     * at once (2 to 8), each to a shard of its own, merged into the index
     * by store_finish. 0 or 1, or an index that is not empty: one writer. */
    unsigned shards;
} store_options;

typedef struct store_stats {
    uint64_t events_read;     /* event items seen (parsed or not) */
    uint64_t events_applied;  /* changed or confirmed an entity */
    uint64_t events_dead;     /* dead-lettered */
    uint64_t aspects_ignored; /* valid aspects metadex does not index */
    uint64_t batches;         /* commits */
    uint64_t entities_written;/* documents replaced or added */
    uint64_t entities_deleted;
    double last_commit_ms;    /* duration of the last commit */
} store_stats;

typedef struct store store;

/* Opens (creating) the index at `path` for writing. NULL with a reason. */
store *store_open(const char *path, const store_options *opt, char *err, size_t errlen);
/* Closes the index; an uncommitted batch is dropped (call store_commit first). */
void store_close(store *s);

/* Feeds one raw event (JSON object text). Returns 0 if accepted into the
 * batch, 1 if it was dead-lettered, -1 on a fatal error (err says). Returns
 * 2 when the batch is full and the caller should store_commit. */
int store_feed(store *s, const char *data, size_t len, const store_origin *origin,
               char *err, size_t errlen);
/* Feeds a buffer of JSON lines, a JSON array or one object (ev_split).
 * Commits by itself whenever the batch fills. Returns 0, or -1 fatal. */
int store_feed_buffer(store *s, const char *buf, size_t len, const char *source,
                      char *err, size_t errlen);
/* Records that the batch covers `topic`/`partition` up to `next_offset`
 * (stored with the batch at commit). */
int store_note_offset(store *s, const char *topic, int32_t partition, int64_t next_offset);
/* Applies and commits the pending batch with its offsets (one transaction).
 * Returns 0, or -1 with a reason (nothing of the batch is then visible). */
int store_commit(store *s, char *err, size_t errlen);
/* Pipelined commit for bulk loads: builds the pending batch's documents,
 * waits for the batch handed over before to be written, hands this one to
 * the store's writer thread and returns while it is being written, so the
 * caller decodes the next batch meanwhile. Returns 0, or -1 with a reason
 * when the batch before failed or this one could not be built. The result
 * of this batch's write is returned by the next store_commit_async,
 * store_sync or store_commit. After a failed write, every event fed since
 * the last successful commit is dropped (a Kafka consumer seeks back to the
 * committed offsets). Statistics count a batch's writes once its result is
 * taken. */
int store_commit_async(store *s, char *err, size_t errlen);
/* Ends a load: waits for the batches handed over and, if it was written in
 * shards, merges them into the index (documents numbered shard after
 * shard) in place of the empty one the store opened; then the store goes on
 * with one writer over the index. Without store_finish a sharded load is
 * dropped at store_close. 0, or -1 with a reason. */
int store_finish(store *s, char *err, size_t errlen);
/* Waits until every batch handed over is written; 0, or -1 with the reason
 * (then, as above, everything fed since the last successful commit is
 * dropped). */
int store_sync(store *s, char *err, size_t errlen);
/* Events fed since the last commit. */
size_t store_pending(const store *s);
/* 1 while a batch handed over by store_commit_async is still being written
 * (the next hand-over or store_sync would wait for it), 0 otherwise. Never
 * blocks: a stream consumer keeps filling its batch meanwhile. */
int store_writing(store *s);

/* Runs fn on the store's writable handle inside a transaction of its own
 * and commits it (cancelled when fn fails), for a process that is the
 * index's one writer and stores more than events in it (searchd --writable
 * saving a ranking config). A batch handed to the writer thread is waited
 * for first; the batch being fed is left as it is. Returns fn's result, or
 * -1 with a reason when the transaction cannot be started or committed. */
struct xap_db;
typedef int (*store_db_fn)(struct xap_db *wdb, void *arg, char *err, size_t errlen);
int store_with_db(store *s, store_db_fn fn, void *arg, char *err, size_t errlen);

/* The committed next offset of topic/partition, or -1 if none is stored. */
int64_t store_committed_offset(store *s, const char *topic, int32_t partition);
/* The index's committed revision. */
uint64_t store_revision(store *s);
/* Number of entities (documents) in the index. */
uint32_t store_entity_count(store *s);
const store_stats *store_get_stats(const store *s);

#endif
