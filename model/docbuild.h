/* docbuild.h — an entity's state as a Xapian document.
 *
 * Reads the state through summary.h and writes, for each field in the
 * registry (fields.h): analysed text terms with the field's prefix (stemmed
 * terms too for prose, positions where the field keeps them), exact filter
 * terms, multi-valued facet slots, exact-name terms, the popularity and
 * name slots, the unique id term, and the state itself as the document data.
 */
#ifndef MDX_DOCBUILD_H
#define MDX_DOCBUILD_H

#include <jansson.h>
#include <stddef.h>

#include "analyzers/analyzer.h"
#include "xapian-shim/xap.h"

/* Looks up the display name of a user or group URN (NULL if unknown); lets
 * owners be found by the names people know them by. */
typedef const char *(*doc_name_lookup)(void *ctx, const char *urn);

/* Fills `doc` (new, empty) from `state`. `lookup` may be NULL. Returns 0, or
 * -1 with a reason in err. */
int doc_build(an_analyzer *a, const json_t *state, doc_name_lookup lookup, void *lookup_ctx,
              xap_doc *doc, char *err, size_t errlen);

/* The unique id term of `urn` ("Q" + urn) into out; returns its length or -1. */
int doc_id_term(const char *urn, char *out, size_t cap);

#endif
