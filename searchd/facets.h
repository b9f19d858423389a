/* facets.h — facet counts for a search.
 *
 * facets=platform,tags,... (FIELD_FACET fields of the registry), or
 * facets=all for every facet field; none when the parameter is absent.
 * facet_limit=N (default SD_FACET_VALUES_DEFAULT) keeps the N most frequent
 * values of each facet. Counts are exact: the match examines every matching
 * document (the shim's facet counter over the field's multi-valued slot),
 * so a value's count equals the total of the same search filtered on it.
 *
 * Counts come from one of two sources, with the same JSON: the match spies
 * of facets_attach (every matching document read from the index), or
 * facets_count over the in-memory document sets (the field's filter terms
 * counted against the match set). The two differ only on values the
 * document builder cannot store both ways: a value too long for a term is
 * in the slot alone, one holding XAP_MULTI_SEP in the terms alone.
 */
#ifndef MDX_SEARCHD_FACETS_H
#define MDX_SEARCHD_FACETS_H

#include <jansson.h>

#include "model/fields.h"
#include "searchd/docsets.h"
#include "searchd/limits.h"
#include "searchd/request.h"
#include "xapian-shim/xap.h"

typedef struct facet_req {
    const field_def *fields[SD_FACETS_MAX];
    size_t n;
    size_t max_values;
} facet_req;

typedef struct facet_run {
    xap_facetspy *spies[SD_FACETS_MAX]; /* facets_attach */
    size_t n;
    /* facets_count: per requested field, its kept values (most frequent
     * first, ties by value) and how many; `counted` fields are filled. */
    xap_facet_count *counts[SD_FACETS_MAX];
    size_t ncounts[SD_FACETS_MAX];
    size_t counted;
} facet_run;

/* Reads facets= and facet_limit=. Returns 0, or -1 after answering 400. */
int facets_parse(request *r, facet_req *out);

/* Attaches one counter per requested facet to `e` (run must outlive the
 * match). Returns 0, or -1 with err. */
int facets_attach(const facet_req *fr, xap_enquire *e, facet_run *run, xap_err *err);
/* Counts every value of each requested field among the documents of
 * `match` (values held by none are left out), keeping fr->max_values per
 * field in the spies' order: count descending, then value ascending (byte
 * order). `db` is at the docsets' revision. Returns 0, or -1 with err. */
int facets_count(const facet_req *fr, docsets *ds, xap_db *db, const roaring_bitmap_t *match,
                 facet_run *run, xap_err *err);
/* {"FIELD": [{"value", "label", "count"}, ...]} from the counts of
 * facets_count, else from the counters; NULL with err on failure. With
 * neither (the match never ran), every requested facet is an empty list. */
json_t *facets_json(const facet_req *fr, const facet_run *run, xap_err *err);
void facets_run_free(facet_run *run);

#endif
