/* store_impl.h — the index writer's inside, shared by its parts:
 *   store.c         the public API: open/close, feeding, offsets, stats;
 *   store_batch.c   a batch: decoded events grouped by entity URN;
 *   store_merge.c   merging a batch (existing states read once per entity,
 *                   events applied in order) and building its documents;
 *   store_names.c   display names of owners and containers (batch first,
 *                   then the index), and reading stored states;
 *   store_dead.c    dead-letter lines;
 *   store_writer.c  the writer thread: one Xapian transaction per batch.
 *
 * Two threads share a store. The caller's thread decodes events, merges
 * entities and builds documents (JSON and ICU work); the writer thread is
 * the only one that touches the writable database while a batch is being
 * written, so the next batch is prepared while the previous one is written.
 * States are read through a separate read-only handle, which only sees
 * committed batches: the states of the batch in flight are taken from that
 * batch itself (its entities stay in memory until the next hand-over).
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

#define STORE_NONE UINT32_MAX
#define STORE_ERRLEN 1024
/* Room for "Q" + the longest URN. */
#define STORE_TERM_CAP 4200

/* One decoded event waiting in a batch. */
typedef struct store_event {
    ev_event ev;
    json_t *obj;        /* the event as received, for dead letters */
    const char *source; /* interned in the batch */
    const char *topic;  /* interned in the batch, or NULL */
    int32_t partition;
    int64_t offset;
    uint32_t next; /* next event of the same entity, or STORE_NONE */
    int dead;      /* dead-lettered while merging */
} store_event;

typedef enum {
    STORE_ACT_NONE = 0, /* nothing to write (no event applied, or deleted and absent) */
    STORE_ACT_ADD,      /* new entity: add_document */
    STORE_ACT_REPLACE,  /* existing entity: replace by id term */
    STORE_ACT_DELETE,   /* existing entity deleted */
} store_action;

/* One entity touched by a batch. */
typedef struct store_entity {
    const char *urn; /* its first event's URN */
    uint64_t hash;   /* store_urn_hash of its id term (the known-URN filter's key) */
    uint32_t first, last; /* its events, in arrival order */
    json_t *state;   /* after merging: NULL when it does not exist */
    int existed;     /* had a document before this batch */
    int unknown;     /* state unknown (its document failed to build): ask the index */
    uint32_t napplied; /* its events that applied */
    store_action action;
    xap_doc *doc;    /* built document for ADD/REPLACE (writer frees it) */
    char *name;      /* display name, computed on demand for name lookups */
    int name_done;
} store_entity;

typedef struct store_offset {
    char *topic;
    int32_t partition;
    int64_t next;
} store_offset;

typedef struct store_batch {
    store_event *ev;
    size_t nev, evcap;
    store_entity *ent;
    size_t nent, entcap;
    store_urnmap byurn; /* urn → index in ent */
    store_offset *off;
    size_t noff, offcap;
    char **strs; /* interned sources and topics */
    size_t nstrs, strcap;
    /* filled by the writer */
    uint64_t written, deleted;
    double commit_ms;
} store_batch;

typedef struct store_name {
    char *urn;
    char *name; /* NULL: no name known */
} store_name;

struct store {
    char *path;
    store_options opt;
    store_stats stats;
    xap_db *wdb; /* writable: the writer thread's while a batch is in flight */
    xap_db *rdb; /* read-only: the caller's thread (states, names) */
    an_analyzer *an;
    store_seen seen;

    size_t fed; /* events fed since the last commit (dead letters included) */
    store_batch batch[2];
    store_batch *cur;    /* being fed */
    store_batch *flight; /* handed to the writer (or written last) */

    store_urnmap names; /* urn → index in namev */
    store_name *namev;
    size_t nnames, namecap;

    pthread_t thread;
    int thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job;  /* 1 while the writer has `flight` to write */
    int stop; /* the writer thread should exit */
    int in_flight; /* `flight` was submitted and its result not yet collected */
    int wrc;  /* the writer's result for the last batch */
    char werr[STORE_ERRLEN];
};

/* store_batch.c */
void store_batch_init(store_batch *b);
/* Frees everything the batch holds (documents included), keeps its memory. */
void store_batch_clear(store_batch *b);
void store_batch_free(store_batch *b);
/* Adds a decoded event (ownership of ev's contents and a reference to obj
 * move to the batch); `hash` is store_urn_hash of its id term. Returns 0
 * or -1 (no memory: nothing was taken). */
int store_batch_add(store_batch *b, ev_event *ev, uint64_t hash, json_t *obj,
                    const store_origin *o);
int store_batch_note_offset(store_batch *b, const char *topic, int32_t partition, int64_t next);
/* The entity of `urn` in the batch, or NULL. */
store_entity *store_batch_find(const store_batch *b, const char *urn);

/* store_dead.c: sends one dead letter to the sink. `obj` is the event (may be
 * NULL), else `raw` is the text that did not parse. Counts it. Returns 0, or
 * -1 if the sink failed (err says). */
int store_dead_letter(store *s, const char *reason, const json_t *obj, const char *raw,
                      size_t rawlen, const char *source, const char *topic, int32_t partition,
                      int64_t offset, char *err, size_t errlen);

/* store_merge.c: reads, merges and builds the current batch. Returns 0, or
 * -1 on a fatal error (index unreadable, dead-letter sink failed). */
int store_merge_batch(store *s, char *err, size_t errlen);

/* store_names.c */
void store_names_init(store *s);
void store_names_free(store *s);
/* Empties the cache if it is full (call between documents only). */
void store_names_trim(store *s);
/* Forgets what is cached for `urn` (its entity is being rewritten). */
void store_names_forget(store *s, const char *urn);
/* The doc_name_lookup given to doc_build; ctx is the store. */
const char *store_names_lookup(void *ctx, const char *urn);
/* Reads the state of `urn` from the read handle: 1 and *state if it has a
 * document, 2 if it has one whose data is not a state (*state NULL), 0 if
 * it has none, -1 on error (err says). */
int store_read_state(store *s, const char *urn, json_t **state, char *err, size_t errlen);

/* store_writer.c */
int store_writer_start(store *s, char *err, size_t errlen);
void store_writer_stop(store *s);
/* Waits until the writer is idle; returns its result for the batch in
 * flight (0, or -1 with its reason). */
int store_writer_wait(store *s, char *err, size_t errlen);
/* Hands `flight` to the writer (the writer must be idle). */
void store_writer_submit(store *s);

/* Milliseconds of a monotonic clock. */
double store_now_ms(void);

#endif
