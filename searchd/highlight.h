/* highlight.h — which query words a text holds, and that text as HTML with
 * those words marked.
 *
 * A text (a description, a column name, a tag label) is analysed with the
 * same analyzer as the index, and its terms compared with the query words'
 * forms: a word matches when its joined form is there or all of its parts
 * are ("customer_id" matches "CustomerID" and "customer id"); for prose,
 * stems are compared too ("orders" matches "order"). Marked HTML escapes
 * everything and wraps each matching term's source span in <mark>...</mark>.
 */
#ifndef MDX_SEARCHD_HIGHLIGHT_H
#define MDX_SEARCHD_HIGHLIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "analyzers/analyzer.h"
#include "searchd/query_plan.h"

typedef struct hl_ctx {
    an_analyzer *an;
    an_terms terms;       /* scratch, reused across texts */
    const qp_plan *plan;
    size_t nwords;        /* words of the plan in use (dropped words excluded) */
} hl_ctx;

typedef struct hl_span {
    uint32_t start, end;
} hl_span;

typedef struct hl_text {
    const char *text;
    size_t len;
    uint64_t words; /* bit i: query word i is in the text */
    hl_span *spans; /* sorted, disjoint byte spans to mark */
    size_t nspans;
} hl_text;

void hl_init(hl_ctx *h, an_analyzer *an, const qp_plan *plan, size_t nwords);
void hl_free(hl_ctx *h);

/* Analyses text[0..len) (stemmed: compare stems too) into *out. Returns 0,
 * or -1 on allocation failure. */
int hl_scan(hl_ctx *h, const char *text, size_t len, int stemmed, hl_text *out);
void hl_text_free(hl_text *t);

/* HTML of the scanned text with matches marked. max_bytes 0: all of it;
 * otherwise about max_bytes of text around the first match (the start
 * when there is none), cut at spaces, with "…" where it was cut. Malloc'd,
 * NULL on allocation failure. */
char *hl_render(const hl_text *t, size_t max_bytes, size_t lead_bytes);

/* Appends HTML-escaped s[0..len) to a growable buffer; for callers that
 * build HTML around marked text. Returns 0, or -1 on allocation failure. */
int hl_escape_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n);

#endif
