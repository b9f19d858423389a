/* autocomplete_api.h — GET /v1/autocomplete: suggestions as the user types.
 *
 * Parameters: q (at most SD_Q_MAX_BYTES), type (an entity type: only its
 * suggestions), limit (1..NAMES_LIMIT_MAX, default NAMES_LIMIT_DEFAULT).
 * Answer: {"suggestions": [{"text", "kind", "type", "urn", "platform",
 * "path", "highlight", "score"}], "took_ms"} — entities, owners, tags and
 * glossary terms, best first (see names.h for matching and order). Served
 * from the lexicon snapshot (lexicon.h), so it may lag the index by a few
 * seconds; 503 until the first snapshot of an existing index is built.
 */
#ifndef MDX_SEARCHD_AUTOCOMPLETE_API_H
#define MDX_SEARCHD_AUTOCOMPLETE_API_H

#include "searchd/request.h"

void autocomplete_api_handle(request *r);

#endif
