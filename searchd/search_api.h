/* search_api.h — GET /v1/search.
 *
 * Parameters: q, limit (1..SD_LIMIT_MAX, default SD_LIMIT_DEFAULT), offset
 * (0..SD_OFFSET_MAX), type, filter=FIELD:VALUE (repeatable), facets=F,...
 * or facets=all, facet_limit, removed=true (show removed entities).
 * explain=true adds each hit's score breakdown (explain.h).
 * Answer: {"hits", "total", "total_exact", "facets", "took_ms", "query"};
 * "query" says which words were dropped and, when a word found nothing even
 * with typos, "did_you_mean". An empty q browses: every entity (filtered),
 * most popular first. Ranking follows the ranking config stored in the
 * index (ranking_store.h) as of the reader's revision.
 */
#ifndef MDX_SEARCHD_SEARCH_API_H
#define MDX_SEARCHD_SEARCH_API_H

#include "searchd/query_plan.h"
#include "searchd/reader.h"
#include "searchd/request.h"

void search_api_handle(request *r);

/* Expands the plan's words with the current vocabulary and autocomplete
 * snapshot (waiting up to SD_LEXICON_FIRST_WAIT_MS for the first one after
 * start; without it words match as typed) and the config's synonyms;
 * `type` (may be NULL) narrows the names looked up for exact matches. */
qp_status search_api_expand(reader *rd, qp_plan *plan, const ranking_config *cfg,
                            const char *type, char *err, size_t errlen);

#endif
