/* search_api.h — GET /v1/search.
 *
 * Parameters: q, limit (1..SD_LIMIT_MAX, default SD_LIMIT_DEFAULT), offset
 * (0..SD_OFFSET_MAX), type, filter=FIELD:VALUE (repeatable), facets=F,...
 * or facets=all, facet_limit, removed=true (show removed entities).
 * Answer: {"hits", "total", "total_exact", "facets", "took_ms", "query"}.
 * An empty q browses: every entity (filtered), most popular first.
 */
#ifndef MDX_SEARCHD_SEARCH_API_H
#define MDX_SEARCHD_SEARCH_API_H

#include "searchd/request.h"

void search_api_handle(request *r);

#endif
