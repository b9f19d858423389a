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

/* Which column fields the document matched the query in (the query's
 * terms it holds): only then are its columns analysed. */
#define HIT_COLUMN_NAMES 1u
#define HIT_COLUMN_DOCS 2u

/* The HIT_COLUMN_* kind of an index term, 0 for other fields. */
unsigned hit_column_kind(const char *term, size_t len);

/* Builds the hit for a document whose state summarises as `s`;
 * `column_fields` says where it matched (HIT_COLUMN_*). Returns the hit,
 * or NULL with a reason in err. */
json_t *hit_json(hl_ctx *h, unsigned column_fields, const summary *s, double score, char *err,
                 size_t errlen);

#endif
