/* xap.h — the C API over Xapian 1.4 (the only place Xapian's C++ API is touched).
 *
 * Opaque handles, no business logic. Every function that can fail returns an
 * int (0 = ok, otherwise an XAP_E* code) and fills the caller's xap_err with
 * the Xapian exception's type and message; no C++ exception ever crosses into
 * C. Functions returning a pointer return NULL on failure and fill err.
 * `err` may be NULL when the caller does not want the message.
 *
 * Ownership: every handle returned by a *_new / *_open / *_get function is
 * owned by the caller and freed with the matching *_free / *_close. Queries
 * are values: combining queries copies them, so the caller still frees its
 * own. Strings returned through `char **` are malloc'd and freed with free().
 */
#ifndef MDX_XAP_H
#define MDX_XAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    XAP_OK = 0,
    XAP_E_GENERIC = 1,         /* any other Xapian::Error */
    XAP_E_NOT_FOUND = 2,       /* DocNotFoundError, missing database, no such term */
    XAP_E_MODIFIED = 3,        /* DatabaseModifiedError: reopen and retry */
    XAP_E_LOCKED = 4,          /* DatabaseLockError: another writer holds the lock */
    XAP_E_CORRUPT = 5,         /* DatabaseCorruptError */
    XAP_E_INVALID = 6,         /* InvalidArgumentError, InvalidOperationError */
    XAP_E_OPENING = 7,         /* DatabaseOpeningError */
    XAP_E_NOMEM = 8,           /* std::bad_alloc */
};

typedef struct xap_err {
    int code;
    char msg[512]; /* "ExceptionType: message", always NUL-terminated */
} xap_err;

typedef uint32_t xap_docid;

typedef struct xap_db xap_db;           /* a read-only or writable database */
typedef struct xap_doc xap_doc;         /* a document being built or read */
typedef struct xap_query xap_query;     /* an immutable query value */
typedef struct xap_enquire xap_enquire; /* one search session over a db */
typedef struct xap_mset xap_mset;       /* a page of results */
typedef struct xap_termiter xap_termiter;
typedef struct xap_postiter xap_postiter;
typedef struct xap_facetspy xap_facetspy;
typedef struct xap_stem xap_stem;

/* ---- databases ---------------------------------------------------------- */

/* Opens `path` read-only. */
xap_db *xap_db_open_read(const char *path, xap_err *err);
/* Opens one read handle over several databases (shards) searched as one. */
xap_db *xap_db_open_read_multi(const char *const *paths, size_t n, xap_err *err);
/* Opens `path` for writing, creating it if absent. Fails with XAP_E_LOCKED
 * when another writer has it. */
xap_db *xap_db_open_write(const char *path, xap_err *err);
void xap_db_close(xap_db *db);
/* Merges the databases at paths[0..n) into a new database at `out` (which
 * must not exist yet): documents renumbered source after source, each
 * source's in its own order; metadata kept (the first source's value for
 * a key several sources hold). */
int xap_db_compact(const char *const *paths, size_t n, const char *out, xap_err *err);

/* Brings a read handle to the latest committed revision; *changed is set to 1
 * when the revision moved. */
int xap_db_reopen(xap_db *db, int *changed, xap_err *err);
/* The revision of the (first) database; 0 if unknown. */
int xap_db_revision(xap_db *db, uint64_t *rev, xap_err *err);
int xap_db_doccount(xap_db *db, uint32_t *count, xap_err *err);
int xap_db_lastdocid(xap_db *db, xap_docid *id, xap_err *err);
int xap_db_avlength(xap_db *db, double *avlen, xap_err *err);
int xap_db_termfreq(xap_db *db, const char *term, size_t len, uint32_t *freq, xap_err *err);
int xap_db_collection_freq(xap_db *db, const char *term, size_t len, uint32_t *freq,
                           xap_err *err);
/* Reads document `id`; XAP_E_NOT_FOUND if it does not exist. */
xap_doc *xap_db_get_document(xap_db *db, xap_docid id, xap_err *err);
/* Document `id`'s data (malloc'd, NUL-terminated, *len bytes) without
 * first checking that the document exists (one B-tree lookup fewer): a
 * missing document reads as empty data. */
int xap_db_get_data(xap_db *db, xap_docid id, char **data, size_t *len, xap_err *err);
/* Document `id`'s value in `slot` (malloc'd, NUL-terminated, *len bytes),
 * the same way: a missing document or value reads as empty. */
int xap_db_get_value(xap_db *db, xap_docid id, unsigned slot, char **val, size_t *len,
                     xap_err *err);
/* The first document indexed by `term` (a unique id term), 0 in *id if none. */
int xap_db_find_by_term(xap_db *db, const char *term, size_t len, xap_docid *id,
                        xap_err *err);
/* Metadata; a missing key gives an empty value (*val = malloc'd "", *len 0). */
int xap_db_get_metadata(xap_db *db, const char *key, char **val, size_t *len, xap_err *err);

/* Writing (writable handles only). */
int xap_db_begin_transaction(xap_db *db, int flushed, xap_err *err);
int xap_db_commit_transaction(xap_db *db, xap_err *err);
int xap_db_cancel_transaction(xap_db *db, xap_err *err);
int xap_db_commit(xap_db *db, xap_err *err);
int xap_db_add_document(xap_db *db, const xap_doc *doc, xap_docid *id, xap_err *err);
/* Replaces the document indexed by the unique `term` (adds if none). */
int xap_db_replace_by_term(xap_db *db, const char *term, size_t len, const xap_doc *doc,
                           xap_docid *id, xap_err *err);
int xap_db_replace_document(xap_db *db, xap_docid id, const xap_doc *doc, xap_err *err);
int xap_db_delete_by_term(xap_db *db, const char *term, size_t len, xap_err *err);
int xap_db_delete_document(xap_db *db, xap_docid id, xap_err *err);
int xap_db_set_metadata(xap_db *db, const char *key, const char *val, size_t len,
                        xap_err *err);

/* ---- documents ---------------------------------------------------------- */

xap_doc *xap_doc_new(void);
void xap_doc_free(xap_doc *doc);
int xap_doc_set_data(xap_doc *doc, const char *data, size_t len, xap_err *err);
/* *data is malloc'd (NUL-terminated for convenience); *len excludes the NUL. */
int xap_doc_get_data(const xap_doc *doc, char **data, size_t *len, xap_err *err);
int xap_doc_add_term(xap_doc *doc, const char *term, size_t len, uint32_t wdf, xap_err *err);
/* Adds `term` at position `pos`, increasing its wdf by `wdf`. */
int xap_doc_add_posting(xap_doc *doc, const char *term, size_t len, uint32_t pos,
                        uint32_t wdf, xap_err *err);
/* A boolean (filter) term: wdf 0, no positions. */
int xap_doc_add_boolean_term(xap_doc *doc, const char *term, size_t len, xap_err *err);
int xap_doc_add_value(xap_doc *doc, unsigned slot, const char *val, size_t len, xap_err *err);
int xap_doc_get_value(const xap_doc *doc, unsigned slot, char **val, size_t *len, xap_err *err);
/* Terms of a document, in sorted order. */
xap_termiter *xap_doc_termlist(const xap_doc *doc, xap_err *err);

/* Values are strings; numbers are stored sortable with these (Xapian's
 * sortable_serialise), so value ranges and sorting work on them. */
size_t xap_sortable_serialise(double v, char out[18]);
double xap_sortable_unserialise(const char *s, size_t len);

/* ---- term and posting iteration ----------------------------------------- */

/* All terms of the database that start with `prefix` ("" for all). */
xap_termiter *xap_db_allterms(xap_db *db, const char *prefix, size_t len, xap_err *err);
/* Advances; returns 1 and fills term/len/freq, 0 at the end, -1 on error.
 * `term` points into the iterator and is valid until the next call. */
int xap_termiter_next(xap_termiter *it, const char **term, size_t *len, uint32_t *termfreq,
                      xap_err *err);
/* Moves to the first term >= `term` (next() then returns it). */
int xap_termiter_skip_to(xap_termiter *it, const char *term, size_t len, xap_err *err);
void xap_termiter_free(xap_termiter *it);

/* Documents indexed by `term`. */
xap_postiter *xap_db_postlist(xap_db *db, const char *term, size_t len, xap_err *err);
int xap_postiter_next(xap_postiter *it, xap_docid *id, uint32_t *wdf, xap_err *err);
void xap_postiter_free(xap_postiter *it);
/* Every document indexed by `term` at once, ascending, in a malloc'd array
 * (*ids; free() it) of *n entries: one pass over the posting list with no
 * call per document, for building in-memory document sets. A term that does
 * not exist gives *n = 0 (and *ids NULL). */
int xap_db_postlist_docids(xap_db *db, const char *term, size_t len, uint32_t **ids, size_t *n,
                           xap_err *err);

/* Every document's value in `slot`, in docid order (documents without one
 * are skipped): one sequential read of the slot's value stream, far faster
 * than reading a million documents one by one. */
typedef struct xap_valueiter xap_valueiter;
xap_valueiter *xap_db_valuestream(xap_db *db, unsigned slot, xap_err *err);
/* Advances; returns 1 and fills id/val/len, 0 at the end, -1 on error.
 * `val` points into the iterator and is valid until the next call. */
int xap_valueiter_next(xap_valueiter *it, xap_docid *id, const char **val, size_t *len,
                       xap_err *err);
void xap_valueiter_free(xap_valueiter *it);

/* ---- queries ------------------------------------------------------------ */

typedef enum {
    XAP_OP_AND,
    XAP_OP_OR,
    XAP_OP_AND_NOT,
    XAP_OP_AND_MAYBE,
    XAP_OP_FILTER,
    XAP_OP_SYNONYM,
    XAP_OP_PHRASE,
    XAP_OP_MAX,
} xap_op;

xap_query *xap_query_term(const char *term, size_t len, uint32_t wqf, xap_err *err);
/* Combines `n` subqueries (copied) with `op`; window is for PHRASE (0 = n). */
xap_query *xap_query_combine(xap_op op, xap_query *const *subs, size_t n, unsigned window,
                             xap_err *err);
xap_query *xap_query_scale(const xap_query *q, double factor, xap_err *err);
/* Matches documents whose value in `slot` is in [lo, hi] (string order). */
xap_query *xap_query_value_range(unsigned slot, const char *lo, size_t lolen, const char *hi,
                                 size_t hilen, xap_err *err);
/* Matches documents whose value in `slot` is >= lo. */
xap_query *xap_query_value_ge(unsigned slot, const char *lo, size_t lolen, xap_err *err);
xap_query *xap_query_match_all(xap_err *err);
xap_query *xap_query_match_nothing(xap_err *err);
/* A posting source weighting each document by the sortable-serialised
 * number in `slot` (Xapian::ValueWeightPostingSource), capped at max_weight,
 * scaled by `factor`: combine with AND_MAYBE to add a prior. */
xap_query *xap_query_value_weight(unsigned slot, double factor, xap_err *err);
/* A posting source giving log1p(value in `slot`) * factor, never more than
 * `cap`: a popularity prior that cannot outgrow a text match. */
xap_query *xap_query_log_value_weight(unsigned slot, double factor, double cap, xap_err *err);
int xap_query_is_empty(const xap_query *q);
/* Xapian's description of the query (malloc'd), for logs and explain. */
char *xap_query_describe(const xap_query *q);
void xap_query_free(xap_query *q);

/* ---- search ------------------------------------------------------------- */

xap_enquire *xap_enquire_new(xap_db *db, xap_err *err);
void xap_enquire_free(xap_enquire *e);
int xap_enquire_set_query(xap_enquire *e, const xap_query *q, xap_err *err);
int xap_enquire_set_bm25(xap_enquire *e, double k1, double k2, double k3, double b,
                         double min_normlen, xap_err *err);
/* Coordinate weighting (Xapian::CoordWeight): every matching term (or
 * OP_SYNONYM group) weighs 1 before its OP_SCALE_WEIGHT factors, so a
 * query's score is the sum of the factors of what matched. */
int xap_enquire_set_coord(xap_enquire *e, xap_err *err);
/* Sort by the value in `slot` (reverse = descending) instead of relevance,
 * or by relevance then value when relevance_first. */
int xap_enquire_set_sort_by_value(xap_enquire *e, unsigned slot, int reverse,
                                  int relevance_first, xap_err *err);
int xap_enquire_set_docid_order(xap_enquire *e, int ascending, xap_err *err);
/* Attaches a facet counter; it counts every document the match examines,
 * so pass check_at_least >= doccount to get_mset for exact counts. */
int xap_enquire_add_facetspy(xap_enquire *e, xap_facetspy *spy, xap_err *err);
/* Runs the match. check_at_least: documents to look at to refine the count
 * estimate (and feed match spies). A query holding XAP_OP_MAX is always
 * matched against every candidate (check_at_least raised to the document
 * count): Xapian 1.4's OP_MAX can crash once the matcher prunes. */
xap_mset *xap_enquire_get_mset(xap_enquire *e, uint32_t first, uint32_t maxitems,
                               uint32_t check_at_least, xap_err *err);
/* The query terms that match document `id` (malloc'd array of malloc'd
 * strings; free with xap_strv_free). */
int xap_enquire_matching_terms(xap_enquire *e, xap_docid id, char ***terms, size_t *n,
                               xap_err *err);
void xap_strv_free(char **v, size_t n);

size_t xap_mset_size(const xap_mset *m);
uint32_t xap_mset_matches_estimated(const xap_mset *m);
uint32_t xap_mset_matches_lower_bound(const xap_mset *m);
uint32_t xap_mset_matches_upper_bound(const xap_mset *m);
xap_docid xap_mset_docid(const xap_mset *m, size_t i);
double xap_mset_weight(const xap_mset *m, size_t i);
/* The i-th document (caller frees). */
xap_doc *xap_mset_document(const xap_mset *m, size_t i, xap_err *err);
void xap_mset_free(xap_mset *m);

/* ---- facets ------------------------------------------------------------- */

/* The separator between the values of a multi-valued slot: a document with
 * tags a and b stores "a\x1fb" in the tags slot, and the facet counter counts
 * each value once per document (duplicates in one document count once). */
#define XAP_MULTI_SEP '\x1f'

xap_facetspy *xap_facetspy_new(unsigned slot, xap_err *err);
void xap_facetspy_free(xap_facetspy *spy);
/* Documents the spy has seen. */
uint32_t xap_facetspy_total(const xap_facetspy *spy);
typedef struct xap_facet_count {
    char *value; /* malloc'd */
    size_t len;
    uint32_t count;
} xap_facet_count;
/* The values counted, most frequent first (ties by value); at most `max`
 * (0 = all). Free with xap_facet_counts_free. */
int xap_facetspy_counts(const xap_facetspy *spy, size_t max, xap_facet_count **out,
                        size_t *n, xap_err *err);
void xap_facet_counts_free(xap_facet_count *v, size_t n);

/* ---- stemming ----------------------------------------------------------- */

/* Snowball stemmer for `language` ("english", ...). */
xap_stem *xap_stem_new(const char *language, xap_err *err);
void xap_stem_free(xap_stem *s);
/* Stems `word` into out (NUL-terminated); returns the length, or -1 if it
 * does not fit in cap. Safe to call from one thread per xap_stem. */
int xap_stem_word(xap_stem *s, const char *word, size_t len, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
