/* ranking_store.h — where the ranking config lives: the index's metadata.
 *
 * Every searchd over an index must rank with the same config, and a saved
 * config must apply to the next query without a restart, so the config is
 * stored in the index itself (Xapian metadata, committed like documents):
 *   "ranking/current"   {"version": N, "saved_at": "...Z", "config": {...}}
 *   "ranking/v/<N>"     the same document for every version N >= 1 ever saved
 * Version 0 is the defaults (nothing saved yet).
 *
 * Reading: rs_current() gives the config as of the calling thread's reader
 * revision. The metadata is read only when that revision moved (one key
 * lookup), and parsed only when its bytes changed; the parsed config is an
 * immutable, reference-counted snapshot shared by every thread, so a request
 * keeps using the snapshot it started with while a newer one is installed.
 *
 * Writing: searchd is normally a reader, and Xapian allows one writer per
 * database. rs_save() therefore opens the index writable for the few
 * milliseconds of the save (set two metadata keys, commit, close); when an
 * indexer holds the write lock the save fails with RS_LOCKED (the admin API
 * answers 409 index_locked) rather than waiting behind a bulk load. A
 * searchd that is itself the index's writer (a streaming mode that applies
 * events in-process) must route saves through its one writer instead:
 * it calls rs_set_writer() at start with a hook that runs the save's
 * function on its writable handle between batches and commits it.
 */
#ifndef MDX_SEARCHD_RANKING_STORE_H
#define MDX_SEARCHD_RANKING_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "searchd/ranking_config.h"
#include "searchd/reader.h"
#include "xapian-shim/xap.h"

#define RS_KEY_CURRENT "ranking/current"
#define RS_KEY_VERSION_FMT "ranking/v/%llu"
#define RS_DOC_MAX_BYTES (1u << 20) /* a stored document larger than this is refused */

typedef struct rk_snapshot {
    ranking_config cfg;
    uint64_t version;  /* 0: the defaults */
    char saved_at[32]; /* ISO 8601 UTC; "" for the defaults */
    int refs;          /* atomically updated */
} rk_snapshot;

typedef enum {
    RS_OK = 0,
    RS_LOCKED = 1,    /* another process holds the write lock */
    RS_NOT_FOUND = 2, /* no such version */
    RS_INVALID = 3,   /* the config does not validate (field set) */
    RS_ERROR = 4,     /* anything else, with a reason */
} rs_status;

/* Call once before the worker threads run. Returns 0, or -1 with err. */
int rs_init(char *err, size_t errlen);
void rs_shutdown(void);

/* The config the reader's current revision holds (a new reference; never
 * NULL on RS_OK). A stored config that no longer validates is logged and
 * the defaults are used, so search keeps working. */
rs_status rs_current(reader *rd, rk_snapshot **out, char *err, size_t errlen);

/* A snapshot of `cfg` (taken over: the caller must not free it) for a
 * config that is not stored (preview). NULL on allocation failure. */
rk_snapshot *rs_snapshot_new(ranking_config *cfg, uint64_t version, const char *saved_at);
rk_snapshot *rs_ref(rk_snapshot *s);
void rs_release(rk_snapshot *s);

/* {"version": N, "config": {...}, "saved_at": "..." or null}: the answer of
 * GET /v1/admin/ranking for the snapshot. NULL on allocation failure. */
json_t *rs_snapshot_json(const rk_snapshot *s);

/* Version `version` as stored (0: the defaults), parsed with `an`:
 * RS_NOT_FOUND if it was never saved. *out is a new snapshot. */
rs_status rs_read_version(xap_db *db, an_analyzer *an, uint64_t version, rk_snapshot **out,
                          char *err, size_t errlen);

/* Every saved version, newest first, at most `max` (0: all), as JSON
 * snapshots (rs_snapshot_json of each, parsed leniently: a version that no
 * longer validates is listed as stored). *total is the number of versions. */
rs_status rs_list_versions(xap_db *db, size_t max, json_t **out, uint64_t *total, char *err,
                           size_t errlen);

/* Saves `cfg` as the next version and makes it current. *saved receives the
 * new snapshot's JSON (rs_snapshot_json). RS_LOCKED when another process
 * writes the index. */
rs_status rs_save(const char *db_path, const ranking_config *cfg, json_t **saved, char *err,
                  size_t errlen);

/* ---- routing saves through an in-process writer -------------------------- */

/* The body of a save: runs on a writable handle; 0, or -1 with err. */
typedef int (*rs_write_fn)(xap_db *wdb, void *arg, char *err, size_t errlen);
/* Runs fn(wdb, arg) on the process's one writable handle, with no other
 * change interleaved, and commits when fn returns 0. Returns fn's result (or
 * -1 with err when the commit fails). */
typedef int (*rs_writer_hook)(void *ctx, rs_write_fn fn, void *arg, char *err, size_t errlen);
/* Installs the hook (NULL: open the index writable for each save). Call
 * before the worker threads run. */
void rs_set_writer(rs_writer_hook hook, void *ctx);

#endif
