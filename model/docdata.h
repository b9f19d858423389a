/* docdata.h — an entity's state as document data: compact JSON text.
 *
 * Equivalent to json_dumps(state, JSON_COMPACT) (members in their order,
 * reals as "%.17g", strings escaped as JSON requires), written straight into
 * a buffer the caller reuses. jansson's dumper formats every container's
 * address into a loop-detection table; on the indexer's hot path that cost
 * as much as analysing the text, and a state from json_loads cannot loop.
 */
#ifndef MDX_DOCDATA_H
#define MDX_DOCDATA_H

#include <jansson.h>
#include <stddef.h>

/* Writes `v` as compact JSON into *buf (grown with realloc; *cap is its
 * size; both may start NULL/0). Sets *len to the text's length (a NUL
 * follows it). Returns 0, or -1 on allocation failure or a value deeper than
 * DOCDATA_MAX_DEPTH (*buf stays the caller's to free either way). */
#define DOCDATA_MAX_DEPTH 2048
int docdata_dump(const json_t *v, char **buf, size_t *cap, size_t *len);

#endif
