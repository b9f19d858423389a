/* search_exec.h — running a planned search against the index.
 *
 * The full query is: the words (AND) with the type and platform boosts,
 * plus the popularity prior (AND_MAYBE), FILTERed by the filter query,
 * AND_NOT removed entities. When the words together find nothing, words are
 * dropped from the end until something matches, and failing that any word
 * may match (mode "any"). An empty plan browses: everything that passes the
 * filters, most popular first.
 *
 * The exact-match bonus (query_plan.h: the query is the entity's name,
 * short name, qualified name or URN, maybe up to typos or as the start of
 * the name being typed) is part of the query: AND_MAYBE(OR(scored, bonus
 * terms × 0), bonus), so a pasted URN is found even when its words are not,
 * and exact matches rank by score like the rest (with the default bonus far
 * above any text score, first). Pinned URNs of the ranking config for the
 * normalised query come before everything, in the config's order, found by
 * a small pass over the same filters.
 * explain=true adds each hit's score breakdown (explain.h).
 *
 * Matching and ranking run in memory (match_eval.h) over the revision's
 * document sets (docsets.h): the match set is exact whatever its size, so
 * `total` is always exact and facet values count every match; only the
 * page's hits are read from the index. The facet counts and the page's
 * hits may be computed by another search worker meanwhile (work_pool.h),
 * with the same answer.
 */
#ifndef MDX_SEARCHD_SEARCH_EXEC_H
#define MDX_SEARCHD_SEARCH_EXEC_H

/* Parts of a search offered to the other search workers (work_pool.h):
 * the facet counts of at least this many matches (fewer cost less to
 * count than to hand over: 8192 documents are ~0.2 ms for four facets)... */
#define SE_FORK_FACETS_MIN_MATCHES 8192
/* ...and the hits of a page of at least this many (~0.1 ms each). */
#define SE_FORK_RENDER_MIN_HITS 4

#include <jansson.h>
#include <stdint.h>

#include "searchd/facets.h"
#include "searchd/query_plan.h"
#include "searchd/reader.h"

typedef struct search_spec {
    reader *rd;
    const qp_plan *plan;
    const qp_rank *rank;
    const mt_node *filter;   /* NULL: no filters */
    const facet_req *facets;
    int show_removed;
    int explain;             /* add "explain" to every hit */
    uint32_t offset, limit;
} search_spec;

typedef struct search_result {
    json_t *hits;      /* array */
    json_t *facets;    /* object */
    uint32_t total;
    int total_exact;
    size_t words_used; /* words of the plan the match used (the rest were dropped) */
    int mode_any;      /* 1: no page of all words matched; any word may */
    size_t exact_first; /* entities the query names exactly, all pages */
    size_t pinned_first; /* pinned hits put first, all pages */
} search_result;

/* Returns XAP_OK; XAP_E_MODIFIED when the index moved under the match (the
 * caller refreshes the reader and retries); another XAP_E_* with a reason. */
int search_exec(const search_spec *sp, search_result *out, char *err, size_t errlen);
void search_result_free(search_result *r);

#endif
