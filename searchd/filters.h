/* filters.h — filter=FIELD:VALUE parameters as one filter query (match_tree.h).
 *
 * FIELD is a FIELD_FILTER field of the registry; VALUE matches its exact
 * filter term (filter_prefix ":" value). Filters AND across fields and OR
 * within one field. For URN-valued fields the label people write is enough:
 * tags:pii:email means urn:li:tag:pii:email, owners:jdoe means
 * urn:li:corpuser:jdoe or urn:li:corpGroup:jdoe. type=dataset is shorthand
 * for filter=type:dataset. Exact values are exact: a facet value's count
 * equals the total of the search filtered on it.
 */
#ifndef MDX_SEARCHD_FILTERS_H
#define MDX_SEARCHD_FILTERS_H

#include <jansson.h>

#include "analyzers/analyzer.h"
#include "model/fields.h"
#include "searchd/match_tree.h"
#include "searchd/request.h"
#include "xapian-shim/xap.h"

typedef struct filter_item {
    const field_def *field;
    const char *value; /* points into the request's parameters */
} filter_item;

typedef struct filter_set {
    filter_item *items;
    size_t n;
} filter_set;

/* Reads filter= and type= from the request. Returns 0, or -1 after
 * answering 400 (unknown field, missing ':', too many, value too long). */
int filters_parse(request *r, filter_set *out);
void filters_free(filter_set *f);

/* The filter query, or NULL in *out when there are no filters. A value
 * matches its exact term; when no exact form exists in `db`, the field's
 * values equal to it after case and accent folding (origin:prod finds
 * PROD). Returns 0, or -1 with err filled (XAP_E_MODIFIED: retry). */
int filters_query(const filter_set *f, an_analyzer *an, xap_db *db, mt_node **out, xap_err *err);

/* {"FIELD": ["value", ...]} as the search answer echoes it. */
json_t *filters_json(const filter_set *f);

#endif
