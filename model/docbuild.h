/* docbuild.h — an entity's state as a Xapian document.
 *
 * Reads the state through summary.h and writes, for each field in the
 * registry (fields.h): analysed text terms with the field's prefix (stemmed
 * terms too for prose, positions where the field keeps them), exact filter
 * terms, multi-valued facet slots, exact-name terms, the popularity and
 * name slots, the unique id term, and the state itself as the document data.
 *
 * SLOT_POPULARITY holds, sortable-serialised, the queries (or views) of the
 * trailing 30 days + 10 × the unique users of that window (summary.h says
 * where those come from); 0 without usage data.
 *
 * doc_build keeps its working buffers and a stem cache per thread (freed
 * when the thread exits), so the indexer's threads reuse them from one
 * document to the next; it is safe to call from several threads, each with
 * its own analyzer.
 */
#ifndef MDX_DOCBUILD_H
#define MDX_DOCBUILD_H

#include <jansson.h>
#include <stddef.h>

#include "analyzers/analyzer.h"
#include "xapian-shim/xap.h"

/* Looks up the display name of a user or group URN (NULL if unknown); lets
 * owners be found by the names people know them by. It is asked for every
 * related entity the document names: owners, tags, glossary terms, domains
 * and the parent container (whose URNs are often generated ids), so they are
 * searchable by name on the entities that carry them. The returned string
 * must stay valid until doc_build returns. */
typedef const char *(*doc_name_lookup)(void *ctx, const char *urn);

/* Fills `doc` (new, empty) from `state`. `lookup` may be NULL. Returns 0, or
 * -1 with a reason in err. */
int doc_build(an_analyzer *a, const json_t *state, doc_name_lookup lookup, void *lookup_ctx,
              xap_doc *doc, char *err, size_t errlen);

/* The unique id term of `urn` ("Q" + urn) into out; returns its length or -1.
 * A URN longer than 240 bytes would make a term over Xapian's 245-byte limit:
 * its id term is "Q#" + the 32 hex digits of its FNV-1a 128-bit hash instead
 * (no URN starts with "#"). The indexer and searchd both call this, so they
 * agree. */
int doc_id_term(const char *urn, char *out, size_t cap);

/* Terms and facet values skipped so far in this process (all threads)
 * because they were longer than Xapian allows (245 bytes with the prefix) or
 * held XAP_MULTI_SEP: never truncated, counted for metrics. */
unsigned long doc_skipped_terms(void);

#endif
