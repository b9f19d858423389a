/* patch.h — JSON Patch (RFC 6902) as DataHub applies it to aspects.
 *
 * Supports add, remove, replace (and test/copy/move). Paths use RFC 6901
 * escapes (~0, ~1). DataHub's aspect patches address array elements by key
 * rather than index: "/tags/urn:li:tag:pii" means the element of the "tags"
 * array whose key field (tag, urn, dataset, destinationUrn, owner, ...; the
 * first string field whose value equals the segment) matches; "add" there
 * inserts or replaces that element. Missing intermediate objects are created
 * by "add", so a patch can build an aspect from nothing. A "remove" of
 * something absent is a no-op. fineGrainedLineages follow DataHub's
 * "/fineGrainedLineages/<transform>/<downstream>/<query>/<upstream>". A "/"
 * inside the parentheses of a URN segment needs no ~1 escape (patch.c).
 */
#ifndef MDX_PATCH_H
#define MDX_PATCH_H

#include <jansson.h>
#include <stddef.h>

/* Applies `ops` (a JSON array of operations, or DataHub's generic form
 * {"patch": [...], "arrayPrimaryKeys": {"<array>": ["<key field>", ...]}}) to *doc, replacing *doc (which
 * may be NULL: an empty object) with the result. Returns 0, or -1 with a
 * reason in err, leaving *doc unchanged. */
int patch_apply(json_t **doc, const json_t *ops, char *err, size_t errlen);

#endif
