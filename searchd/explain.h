/* explain.h — why a hit has its score (explain=true on /v1/search).
 *
 * Each hit gains
 *   "explain": {"fields": {"name": 12.1, ...}, "typo_penalty": -1.2,
 *               "exact_bonus": 50, "popularity": 2.3, "type_boost": 1.0,
 *               "platform_boost": 1.0, "total": 66.2,
 *               "matched_terms": [{"field", "term", "via", "edits"}, ...]}
 * with total = (sum of fields) × type_boost × platform_boost + popularity
 * + exact_bonus, which is the hit's score. typo_penalty is what the typo
 * weights took away from the field scores (already counted in them): the
 * text score as it is, minus the text score with typo matches weighted like
 * exact ones.
 *
 * The figures are measured, not estimated: query_plan.c builds queries
 * whose leaves' weights do not depend on each other (each weighs its scale
 * factor), so the text query rebuilt with every field's weight but one set
 * to 0 — same leaves, same matching — scores each hit with exactly that
 * field's share (within a field the best
 * alternative counts, OP_MAX, and a field's MAX node holds only that
 * field's leaves). Those queries (one per field that matched, one with
 * typo weights at 1, one for the popularity prior) run once for the whole
 * page, restricted to the page's documents by their id terms; the exact
 * bonus is the bonus query's weight for each hit, measured the same way.
 */
#ifndef MDX_SEARCHD_EXPLAIN_H
#define MDX_SEARCHD_EXPLAIN_H

#include <jansson.h>
#include <stddef.h>

#include "searchd/query_plan.h"
#include "xapian-shim/xap.h"

typedef struct explain_doc {
    xap_docid id;
    char *urn;      /* its id term is built from it (owned by the caller) */
    char *type;     /* for the type boost (may be NULL) */
    char *platform; /* for the platform boost (may be NULL) */
    json_t *hit;    /* gains "explain" */
} explain_doc;

typedef struct explain_spec {
    xap_db *db;
    const qp_plan *plan;
    const qp_rank *rank;
    size_t nwords;          /* the words the text query used */
    mt_op op;               /* MT_AND, or MT_OR in "any" mode */
    xap_enquire *e;         /* an enquire over the full query (matching terms) */
    const xap_query *bonus; /* the exact-match bonus query, or NULL */
    int browse;             /* no text query: hits are ordered by popularity */
} explain_spec;

/* Adds "explain" to every hit. Returns XAP_OK, or an XAP_E_* code with
 * the reason in xe (XAP_E_MODIFIED: the caller retries). */
int explain_page(const explain_spec *sp, explain_doc *docs, size_t n, xap_err *xe);

#endif
