/* state_cache.h — entity states already read, kept per worker thread.
 *
 * Rendering a hit means reading its stored state (compact JSON) and
 * summarising it; parsing that JSON is most of a search's cost. Results
 * repeat (search as you type, popular entities), so each thread keeps the
 * last states it parsed, by document id, for the index revision they were
 * read at: a new revision empties the cache, so nothing stale is shown.
 * Direct-mapped, SD_STATE_CACHE_SLOTS entries; states larger than
 * SD_STATE_CACHE_MAX_BYTES are not kept. The revision must move whenever
 * any part of the index commits (a reader over several shards keys on all
 * their revisions).
 */
#ifndef MDX_SEARCHD_STATE_CACHE_H
#define MDX_SEARCHD_STATE_CACHE_H

#include <jansson.h>
#include <stdint.h>

#include "model/summary.h"
#include "xapian-shim/xap.h"

typedef struct sc_entry {
    xap_docid id; /* 0: empty */
    json_t *state;
    summary sum; /* points into state */
} sc_entry;

typedef struct state_cache {
    sc_entry *slots; /* allocated on first use */
    uint64_t revision;
} state_cache;

/* A parsed state and its summary (borrowed from the cache or from *tmp). */
typedef struct sc_ref {
    const json_t *state;
    const summary *sum;
    sc_entry tmp; /* holds a state that was not cached; sc_release frees it */
} sc_ref;

/* The state of document `id` read through `db` at `revision`: from the
 * cache, or read, parsed and summarised (and cached). Returns XAP_OK, an
 * XAP_E_* code from reading (XAP_E_MODIFIED: retry), or XAP_E_GENERIC with
 * a reason in err when the stored state cannot be read. */
int sc_get(state_cache *c, xap_db *db, uint64_t revision, xap_docid id, sc_ref *out, char *err,
           size_t errlen);
void sc_release(sc_ref *ref);
void sc_free(state_cache *c);

#endif
