/* query_plan.h — from the text a user typed to a Xapian query.
 *
 * q is analysed with the same analyzer as the documents (analyzers/), then
 * grouped into words: a word is one token typed, and an identifier typed as
 * one word ("customer_id") carries its parts and its joined form. Each word
 * becomes, for every FIELD_TEXT field of the registry, the field-prefixed
 * term scaled by the field's boost (and prefix+"Z"+stem for stemmed prose
 * fields), ORed across fields; an identifier matches as (AND of its parts)
 * OR its joined form. Words are ANDed; when that finds nothing, the search
 * drops words from the end (search_api.c decides, the plan builds).
 *
 * The plan also keeps the words' normalised forms and stems so highlight.c
 * marks exactly what the query looked for. Ranking numbers come from a
 * qp_rank so that a ranking config can replace the defaults per request.
 */
#ifndef MDX_SEARCHD_QUERY_PLAN_H
#define MDX_SEARCHD_QUERY_PLAN_H

#include <stddef.h>

#include "analyzers/analyzer.h"
#include "model/fields.h"
#include "xapian-shim/xap.h"

typedef struct qp_word {
    char *text;        /* the word as typed (its span of q) */
    char **parts;      /* normalised parts (one for a plain word) */
    char **part_stems; /* their stems (same order) */
    size_t nparts;
    char *joined;      /* joined form of a split identifier, or NULL */
    char *joined_stem; /* its stem, or NULL */
} qp_word;

typedef struct qp_plan {
    qp_word *words;
    size_t nwords;
    char *exact_term; /* TERM_EXACT_PREFIX + normalised q; NULL for an empty q */
    size_t exact_len;
} qp_plan;

/* The numbers ranking uses (defaults from the field registry). */
typedef struct qp_rank {
    double field_boost[F_COUNT]; /* per field; <= 0 leaves the field out of text search */
    double stem_factor;          /* weight of a stem-only match relative to the word */
    double popularity_factor;    /* prior = min(cap, factor * log1p(usage)) */
    double popularity_cap;
} qp_rank;

void qp_rank_defaults(qp_rank *r);

typedef enum {
    QP_OK = 0,
    QP_BAD_QUERY = 1, /* the user's q breaks a limit: answer 400 with err */
    QP_INTERNAL = 2,  /* allocation or analyzer failure: answer 500 */
} qp_status;

/* Analyses q[0..len) into *out (zeroed first). `scratch` is reused. */
qp_status qp_analyze(an_analyzer *an, an_terms *scratch, const char *q, size_t len,
                     qp_plan *out, char *err, size_t errlen);
void qp_free(qp_plan *p);

/* The text query over the first `nwords` words combined with `op`
 * (XAP_OP_AND or XAP_OP_OR); NULL with err on failure. */
xap_query *qp_words_query(const qp_plan *p, const qp_rank *rank, size_t nwords, xap_op op,
                          xap_err *err);

/* The popularity prior to add to a text query with AND_MAYBE. */
xap_query *qp_popularity_prior(const qp_rank *rank, xap_err *err);

#endif
