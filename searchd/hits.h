/* hits.h — one search hit as JSON.
 *
 *   {"urn", "type", "name", "qualifiedName", "platform", "origin",
 *    "description": snippet with the query words in <mark>, HTML-escaped,
 *    "matched_columns": [{"path", "snippet", "type", "description", "matched_in"}],
 *    "matched": {"tags": [...], "glossaryTerms": [...], "owners": [...]},
 *    "owners", "tags", "glossaryTerms", "domains", ... (labels),
 *    "popularity", "score"}
 * matched_columns lists every column whose name or description holds a
 * query word (compared the way highlight.c compares: same analyzer, stems
 * for descriptions); "matched" lists the labels that hold one.
 */
#ifndef MDX_SEARCHD_HITS_H
#define MDX_SEARCHD_HITS_H

#include <jansson.h>

#include "model/summary.h"
#include "searchd/highlight.h"
#include "xapian-shim/xap.h"

/* Builds the hit for document `id` whose state summarises as `s`. `e` is
 * an enquire over the query the hit answered (to learn which of its fields
 * matched). Returns the hit, or NULL with a reason in err. */
json_t *hit_json(hl_ctx *h, xap_enquire *e, xap_docid id, const summary *s, double score,
                 char *err, size_t errlen);

#endif
