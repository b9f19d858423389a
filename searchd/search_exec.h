/* search_exec.h — running a planned search against the index.
 *
 * The full query is: the words (AND), plus the popularity prior (AND_MAYBE),
 * FILTERed by the filter query, AND_NOT removed entities. When the words
 * together find nothing, words are dropped from the end until something
 * matches, and failing that any word may match (mode "any"). Entities whose
 * exact name is the whole query come first (their exact-name terms carry no
 * weight, so they are found by a first, filtered pass and put before the
 * rest). An empty plan browses: everything that passes the filters, most
 * popular first. Facet counters see every match, so counts are exact.
 */
#ifndef MDX_SEARCHD_SEARCH_EXEC_H
#define MDX_SEARCHD_SEARCH_EXEC_H

#include <jansson.h>
#include <stdint.h>

#include "searchd/facets.h"
#include "searchd/query_plan.h"
#include "searchd/reader.h"

typedef struct search_spec {
    reader *rd;
    const qp_plan *plan;
    const qp_rank *rank;
    const xap_query *filter; /* NULL: no filters */
    const facet_req *facets;
    int show_removed;
    uint32_t offset, limit;
} search_spec;

typedef struct search_result {
    json_t *hits;      /* array */
    json_t *facets;    /* object */
    uint32_t total;
    int total_exact;
    size_t words_used; /* words of the plan the match used (the rest were dropped) */
    int mode_any;      /* 1: no page of all words matched; any word may */
    size_t exact_first; /* hits put first for an exact name match (all pages) */
} search_result;

/* Returns XAP_OK; XAP_E_MODIFIED when the index moved under the match (the
 * caller refreshes the reader and retries); another XAP_E_* with a reason. */
int search_exec(const search_spec *sp, search_result *out, char *err, size_t errlen);
void search_result_free(search_result *r);

#endif
