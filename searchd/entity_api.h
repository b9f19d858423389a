/* entity_api.h — GET /v1/entities/{urn}: one entity, merged.
 *
 * The URN is URL-encoded in the path. The answer is the entity's summary
 * (entity_json.h, URN lists as {"urn", "label"}), its full description,
 * columns, lineage and usage, and "aspects": the merged state as stored.
 * Removed entities are returned too, with "removed": true. 404 when the
 * index holds no such entity, 400 when the path is not a URN.
 */
#ifndef MDX_SEARCHD_ENTITY_API_H
#define MDX_SEARCHD_ENTITY_API_H

#include "searchd/request.h"

#define ENTITY_API_PREFIX "/v1/entities/"

void entity_api_handle(request *r);

#endif
