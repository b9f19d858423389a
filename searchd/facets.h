/* facets.h — facet counts for a search.
 *
 * facets=platform,tags,... (FIELD_FACET fields of the registry), or
 * facets=all for every facet field; none when the parameter is absent.
 * facet_limit=N (default SD_FACET_VALUES_DEFAULT) keeps the N most frequent
 * values of each facet. Counts are exact: facets_count counts the field's
 * filter terms (docsets.h) against the whole match set, so a value's count
 * equals the total of the same search filtered on it. (The slot the shim's
 * facet counter reads holds the same values, except those the document
 * builder cannot store both ways: a value too long for a term is in the
 * slot alone, one holding XAP_MULTI_SEP in the terms alone.)
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
    /* facets_count: per requested field, its kept values (most frequent
     * first, ties by value) and how many; `counted` fields are filled. */
    xap_facet_count *counts[SD_FACETS_MAX];
    size_t ncounts[SD_FACETS_MAX];
    size_t counted;
} facet_run;

/* Reads facets= and facet_limit=. Returns 0, or -1 after answering 400. */
int facets_parse(request *r, facet_req *out);

/* Counts every value of each requested field among the documents of
 * `match` (values held by none are left out), keeping fr->max_values per
 * field in the shim's facet counter's order: count descending, then value ascending (byte
 * order). `db` is at the docsets' revision. Returns 0, or -1 with err. */
int facets_count(const facet_req *fr, docsets *ds, xap_db *db, const roaring_bitmap_t *match,
                 facet_run *run, xap_err *err);
/* {"FIELD": [{"value", "label", "count"}, ...]} from the counts of
 * facets_count; NULL with err on failure. A field not counted (the match
 * never ran) is an empty list. */
json_t *facets_json(const facet_req *fr, const facet_run *run, xap_err *err);
void facets_run_free(facet_run *run);

/* How facets_count counts a field: the way estimated cheaper (default),
 * or for tests and benchmarks always per document or always per value. */
#define FACETS_BY_COST 0
#define FACETS_BY_DOCUMENT 1
#define FACETS_BY_VALUE 2
void facets_set_counting(int how);

#endif
