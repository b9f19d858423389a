/* docsets.h — per-revision document sets: the in-memory postings searchd
 * matches, counts and ranks with.
 *
 * Exact totals and facet counts need every matching document, and Xapian
 * reads them one by one from disk: a word held by 700k of 1M entities cost
 * 0.5 s to match and 1.5 s with facets. Here each term's documents are a
 * CRoaring bitmap, so a query's match set is a few bitmap unions and
 * intersections, and a facet value's count one intersection cardinality.
 *
 * One `docsets` per index revision (docids are only meaningful within a
 * revision), shared by every worker thread at that revision, reference
 * counted; the newest is kept alive by the registry, older ones are freed by
 * their last release. Within it:
 *   - term bitmaps, built from the Xapian postlist on first use (a term held
 *     by 900k documents costs ~40 ms once) and cached up to
 *     DOCSETS_BUDGET_BYTES; past the budget a bitmap is built per query and
 *     owned by the caller's ds_scratch;
 *   - a background thread (lower CPU priority) prebuilds, for the newest
 *     revision, every term held by at least DOCSETS_PREBUILD_MIN_FREQ
 *     documents, so broad words never pay the first-use cost in a query; it
 *     waits DOCSETS_SETTLE_MS after a revision appears and gives up on a
 *     revision as soon as a newer one exists; it lists every facet field
 *     first (below);
 *   - per facet field, its values (every filter term of the field) with
 *     their bitmaps, listed on first use;
 *   - per value slot, every document's numeric value (the popularity prior);
 *   - the match sets searches keep for the next ones (set_cache.h), up to
 *     DOCSETS_SETS_BYTES.
 *
 * Every bitmap handed out is immutable and valid while the docsets is held.
 */
#ifndef MDX_SEARCHD_DOCSETS_H
#define MDX_SEARCHD_DOCSETS_H

#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

#include "model/fields.h"
#include "searchd/set_cache.h"
#include "xapian-shim/xap.h"

#define DOCSETS_PREBUILD_MIN_FREQ 5000          /* terms prebuilt in the background */
#define DOCSETS_BUDGET_BYTES (1024ull << 20)    /* cached bitmaps per revision */
#define DOCSETS_SETTLE_MS 1000                  /* a revision's age before prebuilding it */
#define DOCSETS_SETS_BYTES (64ull << 20)        /* match sets kept between searches */

typedef struct docsets docsets;

/* Bitmaps a query built past the budget: freed by ds_scratch_free. */
typedef struct ds_scratch {
    roaring_bitmap_t **own;
    size_t n, cap;
} ds_scratch;

void ds_scratch_free(ds_scratch *s);

/* Starts the prebuilding thread over the index at db_path (which may not
 * exist yet). Returns 0, or -1 with a reason. A second call is a no-op. */
int docsets_start(const char *db_path, char *err, size_t errlen);
/* Stops it and drops the registry's reference to the newest docsets. */
void docsets_stop(void);

/* The docsets of `revision` (one more reference), created if none exists;
 * `db` is the caller's handle, open at that revision. NULL with err. */
docsets *docsets_acquire(xap_db *db, uint64_t revision, xap_err *err);
void docsets_release(docsets *ds);

uint64_t docsets_revision(const docsets *ds);
/* The highest docid of the revision (arrays below have lastdocid + 1 entries). */
uint32_t docsets_lastdocid(const docsets *ds);

/* The documents holding `term` (an empty set when none do). `db` must be at
 * the docsets' revision. NULL with err (XAP_E_MODIFIED: reopen and retry). */
const roaring_bitmap_t *docsets_term(docsets *ds, xap_db *db, const char *term, size_t len,
                                     ds_scratch *s, xap_err *err);

/* Every document's value of `slot` as a double (sortable_unserialise),
 * indexed by docid, 0 where a document has none. NULL with err. */
const double *docsets_values(docsets *ds, xap_db *db, unsigned slot, xap_err *err);

/* One value of a facet field: its filter term's body (after "<prefix>:")
 * and the documents holding it. */
typedef struct ds_value {
    const char *value;
    size_t len;
    const roaring_bitmap_t *docs;
    uint32_t ndocs; /* the cardinality of docs */
} ds_value;

/* Every value of facet field `f` (FIELD_FACET and FIELD_FILTER), in term
 * order (byte order of the values). Their bitmaps are the term cache's
 * (docsets_term of the filter term gives the same pointer), kept whatever
 * the budget. Returns 0, or -1 with err. */
int docsets_facet(docsets *ds, xap_db *db, const field_def *f, const ds_value **out, size_t *n,
                  xap_err *err);

/* docsets_facet, and the values' indexes ordered by how many documents
 * hold them, most first (then by index): counting the best few values of a
 * match set can stop at the first value too small to be one of them. */
int docsets_facet_ordered(docsets *ds, xap_db *db, const field_def *f, const ds_value **out,
                          size_t *n, const uint32_t **by_count, xap_err *err);

/* The same values per document, for counting a match set much smaller than
 * the field's postings: document d holds the values ids[off[d]] ..
 * ids[off[d + 1] - 1] (ascending indexes into docsets_facet's list); off has
 * lastdocid + 2 entries. Built on first use. Returns 0, or -1 with err. */
int docsets_facet_docs(docsets *ds, xap_db *db, const field_def *f, const uint32_t **off,
                       const uint32_t **ids, xap_err *err);

/* The per-document values of several fields at once, so that counting
 * them over a match set reads one list per document rather than one per
 * field (each a cache miss in arrays far larger than the caches): document
 * d holds vals[off[d]] .. vals[off[d + 1] - 1], each the index of a value
 * (docsets_facet's list) in its low DOCSETS_ROW_FIELD_SHIFT bits and, above
 * them, the rank of its field among `fields` by ascending field id. Built
 * on first use of a set of fields, for at most DOCSETS_ROWS_MAX sets per
 * revision. Returns 0; 1 when not available (too many sets, or a field of
 * more values than the low bits hold: count the fields one by one); -1
 * with err. */
#define DOCSETS_ROWS_MAX 4
#define DOCSETS_ROW_FIELD_SHIFT 24
#define DOCSETS_ROW_VALUE_MASK ((1u << DOCSETS_ROW_FIELD_SHIFT) - 1)
int docsets_facet_rows(docsets *ds, xap_db *db, const field_def *const *fields, size_t n,
                       const uint32_t **off, const uint32_t **vals, xap_err *err);

/* The revision's cache of match sets (set_cache.h); NULL when none could
 * be made. */
set_cache *docsets_sets(docsets *ds);

typedef struct docsets_stats {
    uint64_t revision;     /* of the newest docsets (0: none) */
    size_t terms, bytes;   /* cached bitmaps and their size */
    size_t other_bytes;    /* facet value lists and value arrays */
    uint64_t prebuilt;     /* terms the background thread built for it */
    uint64_t misses;       /* terms built by queries */
    double prebuild_ms;    /* wall time of its last complete prebuild (0: not done) */
    sc_stats sets;         /* its kept match sets */
} docsets_stats;

void docsets_get_stats(docsets_stats *out);

/* For tests only: the cache budget of every docsets (bytes; the default is
 * DOCSETS_BUDGET_BYTES) and the least term frequency the prebuilder builds
 * (default DOCSETS_PREBUILD_MIN_FREQ), so small indexes can exercise both. */
void docsets_set_budget(size_t bytes);
void docsets_set_prebuild_min_freq(uint32_t freq);
/* For tests only: the byte budget of the kept match sets of docsets made
 * from now on (default DOCSETS_SETS_BYTES; 0 keeps none). */
void docsets_set_sets_budget(size_t bytes);

#endif
