/* entity_json.h — an entity's summary as the JSON both search hits and
 * entity pages show: the same names for the same things everywhere.
 *
 *   {"urn", "type", "name", "qualifiedName", "platform", "origin",
 *    "owners", "tags", "glossaryTerms", "domains", "subTypes", "container",
 *    "popularity", "removed"}
 * URN lists are labels ("pii:email") when `labels_only`, otherwise objects
 * {"urn", "label"}. Absent values are JSON null.
 */
#ifndef MDX_SEARCHD_ENTITY_JSON_H
#define MDX_SEARCHD_ENTITY_JSON_H

#include <jansson.h>

#include "model/summary.h"
#include "xapian-shim/xap.h"

/* NULL on allocation failure. */
json_t *ej_summary(const summary *s, int labels_only);
/* A string or null. */
json_t *ej_str(const char *s);
/* A list of URNs as labels or {"urn", "label"} objects. */
json_t *ej_urns(const sum_strv *v, int labels_only);
/* Reads document `id`'s data (an entity state) into *state (new
 * reference). Returns XAP_OK, or an error code with a reason:
 * XAP_E_MODIFIED when the document is gone (the index moved since `id`
 * was found), XAP_E_GENERIC when its data is not an entity state. */
int ej_read_state(xap_db *db, xap_docid id, json_t **state, char *err, size_t errlen);

#endif
