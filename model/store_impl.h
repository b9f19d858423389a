/* store_impl.h — the index writer's inside, shared by its parts:
 *   store.c         the public API: open/close, feeding, offsets, stats;
 *   store_batch.c   a batch: the entities it touches, by URN, and offsets;
 *   store_merge.c   applying each event to its entity's state as it comes
 *                   (the state read once per batch), what to write, and
 *                   the documents;
 *   store_names.c   display names of owners and containers (batch first,
 *                   then the index), and reading stored states;
 *   store_dead.c    dead-letter lines;
 *   store_writer.c  the writer threads: one Xapian transaction per batch;
 *   store_shards.c  a bulk load into an empty index written as parallel
 *                   shards, merged into the index at the end.
 *
 * Two threads share a store. The caller's thread parses and decodes events,
 * applies them to the states of the current batch and builds its documents
 * (JSON and ICU work); the writer thread is the only one that touches the
 * writable database while a batch is in flight, so the next batch is
 * prepared while the previous one is written (Xapian's share of the work is
 * about half). The caller's thread reads states through a separate
 * read-only handle, which only sees committed batches: the states of the
 * batch in flight are taken from that batch itself (its entities stay in
 * memory until the next hand-over).
 *
 * A bulk load into an empty index may be written by several writer threads
 * at once (store_options.shards), each to a shard database of its own,
 * each entity always to the same shard (by the hash of its URN), so the
 * caller's thread and the writers keep both cores busy; the read handle
 * then spans the shards, and store_finish merges them into the index.
 */
#ifndef MDX_STORE_IMPL_H
#define MDX_STORE_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "analyzers/analyzer.h"
#include "model/event.h"
#include "model/store.h"
#include "model/store_seen.h"
#include "model/store_urnmap.h"
#include "xapian-shim/xap.h"

#define STORE_ERRLEN 1024
#define STORE_MAX_SHARDS 8
/* Room for an id term (doc_id_term hashes long URNs). */
#define STORE_TERM_CAP 4200

typedef enum {
    STORE_ACT_NONE = 0, /* nothing to write (no event applied, or deleted and absent) */
    STORE_ACT_ADD,      /* new entity: add_document */
    STORE_ACT_REPLACE,  /* existing entity: replace by id term */
    STORE_ACT_DELETE,   /* existing entity deleted */
} store_action;

/* One entity touched by a batch. */
typedef struct store_entity {
    char *urn;
    uint64_t hash;     /* store_urn_hash of its id term (the known-URN filter's key) */
    json_t *state;     /* after the events so far: NULL when it does not exist */
    int existed;       /* had a document before this batch */
    uint32_t napplied; /* its events that applied */
    store_action action;
    xap_doc *doc;      /* built document for ADD/REPLACE (the writer frees it) */
    char *name;        /* display name, computed on demand for name lookups */
    int name_done;
} store_entity;

typedef struct store_offset {
    char *topic;
    int32_t partition;
    int64_t next;
} store_offset;

typedef struct store_batch {
    store_entity *ent;
    size_t nent, entcap;
    store_urnmap byurn; /* urn → index in ent */
    store_offset *off;
    size_t noff, offcap;
    /* filled by the writer */
    uint64_t written, deleted;
    double commit_ms;
} store_batch;

typedef struct store_name {
    char *urn;
    char *name; /* NULL: no name known */
} store_name;

struct store;

/* A writer thread and the database it writes. */
typedef struct store_writer {
    struct store *s;
    unsigned shard; /* the entities it writes: store_shard_of(hash) == shard */
    xap_db *db;     /* the index (s->wdb), or its shard */
    char *path;     /* its shard's directory; NULL when it writes the index */
    pthread_t thread;
    int started;
    int job; /* 1 while it has `flight` to write */
    int rc;  /* its result for the last batch */
    char err[STORE_ERRLEN];
    uint64_t written, deleted; /* of the last batch */
    double commit_ms;
} store_writer;

struct store {
    char *path;
    store_options opt;
    store_stats stats;
    xap_db *wdb; /* the index, writable: the writer's while a batch is in flight
                  * (during a sharded load it stays empty until store_finish) */
    xap_db *rdb; /* read-only, over the index or the shards: the caller's
                  * thread (states, names) */
    int rdb_fresh; /* rdb was reopened since the last hand-over */
    an_analyzer *an;
    store_seen seen;

    size_t fed; /* events fed since the last commit (dead letters included) */
    store_batch batch[2];
    store_batch *cur;    /* being fed */
    store_batch *flight; /* handed to the writer (or written last) */

    /* Names read from the index (store_names.c). */
    store_urnmap names; /* urn → index in namev */
    store_name *namev;
    size_t nnames, namecap;

    store_writer writer[STORE_MAX_SHARDS];
    unsigned nwriters; /* 1, or the number of shards of a sharded load */
    int sharded;       /* a sharded load not merged yet (store_shards.c) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned busy; /* writers that still have `flight` to write */
    int stop;      /* the writer threads should exit */
    int in_flight; /* `flight` was submitted and its result not yet collected */
};

/* store_batch.c */
void store_batch_init(store_batch *b);
/* Frees everything the batch holds, keeps its memory. */
void store_batch_clear(store_batch *b);
void store_batch_free(store_batch *b);
/* The entity of `urn` in the batch, or NULL. */
store_entity *store_batch_find(const store_batch *b, const char *urn);
/* Adds an entity for `urn` (not in the batch yet), zeroed but for its URN
 * and hash. NULL when out of memory. */
store_entity *store_batch_add(store_batch *b, const char *urn, uint64_t hash);
int store_batch_note_offset(store_batch *b, const char *topic, int32_t partition, int64_t next);

/* store_dead.c: sends one dead letter to the sink. `obj` is the event (may be
 * NULL), else `raw` is the text that did not parse. Counts it. Returns 0, or
 * -1 if the sink failed (err says). */
int store_dead_letter(store *s, const char *reason, const json_t *obj, const char *raw,
                      size_t rawlen, const store_origin *o, char *err, size_t errlen);
/* The same for an event that parsed but does not decode or apply, given by
 * its text: parsed again, since decoding changed the parse in place, so the
 * dead letter carries the event as it came. */
int store_dead_letter_event(store *s, const char *reason, const char *raw, size_t rawlen,
                            const store_origin *o, char *err, size_t errlen);

/* store_merge.c */
/* Applies a decoded event (hash: of its id term; raw: its text, for a dead
 * letter) to its entity in the current batch, loading the entity's state
 * first if the batch has not touched it yet. Returns 0 applied, 1
 * dead-lettered, -1 fatal. */
int store_merge_event(store *s, const ev_event *ev, uint64_t hash, const char *raw, size_t rawlen,
                      const store_origin *o, char *err, size_t errlen);
/* Decides what the current batch writes for each entity and builds its
 * documents. 0, or -1 with a reason (out of memory). */
int store_merge_finish(store *s, char *err, size_t errlen);

/* store_names.c */
void store_names_init(store *s);
void store_names_free(store *s);
/* Forgets the cached names of the batch's entities (they are rewritten). */
void store_names_forget_batch(store *s, const store_batch *b);
/* Empties the cache if it is full (call between documents only). */
void store_names_trim(store *s);
/* The doc_name_lookup given to doc_build for the current batch; ctx is
 * the store. */
const char *store_names_lookup(void *ctx, const char *urn);
/* Reopens the read handle once per batch, so it shows every batch but the
 * one in flight. 0, or -1 with a reason. */
int store_refresh_reader(store *s, char *err, size_t errlen);
/* Reads the state of `urn` through `db`: 1 and *state if it has a
 * document, 2 if it has one whose data is not a state (*state NULL), 0 if
 * it has none, -1 on error (err says). */
int store_read_state(xap_db *db, const char *urn, json_t **state, char *err, size_t errlen);

/* store_writer.c */
/* Starts a thread for each of s->writer[0..nwriters), whose db (and shard,
 * path) are set. 0, or -1 with a reason (none is left running). */
int store_writer_start(store *s, char *err, size_t errlen);
/* Stops the writer threads (they must be idle). */
void store_writer_stop(store *s);
/* Waits until every writer is idle; returns their result for the batch in
 * flight (0, or -1 with the first reason) and puts their counts in it. */
int store_writer_wait(store *s, char *err, size_t errlen);
/* Hands `flight` to the writers (they must be idle). */
void store_writer_submit(store *s);
/* The shard an entity's documents go to (hash: its store_entity.hash). */
unsigned store_shard_of(uint64_t hash, unsigned nshards);

/* store_shards.c */
/* When the index s->wdb is empty, sets up s->nwriters (> 1) shard
 * databases beside it and the read handle over them; 1 if it did, 0 if the
 * index is not empty (nothing done), -1 with a reason. */
int store_shards_open(store *s, unsigned nshards, char *err, size_t errlen);
/* Merges the shards into the index (the writers stopped) and reopens it as
 * the store's only database. 0, or -1 with a reason. */
int store_shards_merge(store *s, char *err, size_t errlen);
/* Closes the shards and removes their directories (a load not merged). */
void store_shards_discard(store *s);

/* Milliseconds of a monotonic clock. */
double store_now_ms(void);

#endif
