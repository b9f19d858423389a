/* health_api.h — GET /healthz.
 *
 * 200 {"status": "ok", "docs": N, "revision": R, "db": path, "memory": {...}}
 * when the index can be read; "memory" has what the background builders
 * hold ("lexicon": vocabulary and autocomplete; "docsets": the document sets
 * searches run on, their revision, bitmaps, bytes, prebuild time) and how
 * searches were ranked ("rankings": every match scored, MaxScore, classes);
 * 503 {"status": "unavailable", "error": {...}} while it does not exist yet
 * (searchd starts before the first commit and serves once it appears).
 */
#ifndef MDX_SEARCHD_HEALTH_API_H
#define MDX_SEARCHD_HEALTH_API_H

#include "searchd/request.h"

void health_api_handle(request *r);

#endif
