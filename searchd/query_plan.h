/* query_plan.h — from the text a user typed to a query tree (match_tree.h).
 *
 * Three steps, one file each:
 *
 *   query_words.c   q is analysed with the same analyzer as the documents
 *                   (analyzers/) and grouped into words: a word is one token
 *                   typed, and an identifier typed as one word
 *                   ("customer_id") carries its parts and its joined form.
 *   query_expand.c  each form of each word gets its alternatives from the
 *                   in-memory vocabulary (vocab.h) and the ranking config:
 *                   vocabulary words within the allowed edits (typo), words
 *                   the last word starts (search as you type), configured
 *                   synonyms, a long unknown word split into two vocabulary
 *                   words, two adjacent words joined into one indexed form
 *                   ("customer id" meets "customerid"); a word with no form
 *                   in the vocabulary gets a did-you-mean correction.
 *   query_plan.c    the query (match_tree.h, run in memory and by Xapian): per word and per FIELD_TEXT field of
 *                   the registry, the field-prefixed alternatives grouped by
 *                   how they were found, each group OP_SYNONYM'd and scaled
 *                   (OP_SCALE_WEIGHT) by the field's boost from the ranking
 *                   config times the group's weight (exact and synonyms 1,
 *                   one edit, two edits, prefix, split: config weights), so
 *                   exact beats one edit beats two; ORed across fields, ANDed
 *                   across words. Entity-type and platform boosts multiply
 *                   the text score; the popularity prior is added to it.
 *
 * Every leaf (a term, or an OP_SYNONYM group) weighs its scale factor when
 * it matches (coordinate weighting, query_plan.c says why), Xapian sums
 * across fields and words and takes the best alternative within a field
 * (OP_MAX). explain.c relies on this: rebuilt with the weights of all but
 * one field set to 0 — same leaves, same matching — the query gives that
 * field's share of the score.
 *
 * The plan also keeps the words' normalised forms, stems and alternatives
 * so highlight.c marks what the query looked for.
 */
#ifndef MDX_SEARCHD_QUERY_PLAN_H
#define MDX_SEARCHD_QUERY_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "analyzers/analyzer.h"
#include "model/fields.h"
#include "searchd/match_tree.h"
#include "searchd/names.h"
#include "searchd/ranking_config.h"
#include "searchd/vocab.h"
#include "xapian-shim/xap.h"

/* How an alternative was found: the "via" of explain's matched terms. */
typedef enum {
    QP_VIA_EXACT = 0,
    QP_VIA_TYPO = 1,
    QP_VIA_PREFIX = 2,
    QP_VIA_SPLIT = 3, /* a word split in two, or two words joined */
    QP_VIA_SYNONYM = 4,
} qp_via;

const char *qp_via_name(qp_via v); /* "exact", "typo", ... */

/* Weight groups: each has its own relative weight (qp_rank.group_weight). */
typedef enum {
    QP_G_EXACT = 0, /* the form as typed and its synonyms */
    QP_G_TYPO1,     /* one edit */
    QP_G_TYPO2,     /* two edits */
    QP_G_PREFIX,    /* completions of the word being typed */
    QP_G_SPLIT,     /* the halves of a split word */
    QP_G_COUNT
} qp_group;

/* One term a form of a word may match. */
typedef struct qp_alt {
    char *term;      /* normalised, without a field prefix */
    char *stem;      /* for stemmed fields (exact and synonym forms only), or NULL */
    uint32_t fields; /* bit (1u << field_id): the text fields it is searched in (stems:
                        every stemmed field) */
    uint8_t via;     /* qp_via */
    uint8_t edits;   /* for QP_VIA_TYPO */
    uint8_t group;   /* qp_group */
} qp_alt;

/* A form of a word (a part, the joined form, a half of a split) and the
 * terms it may match; alts[0] is the form itself. */
typedef struct qp_unit {
    qp_alt *alts;
    size_t nalts;
    int in_vocab; /* the vocabulary has the form itself */
} qp_unit;

typedef struct qp_word {
    char *text;        /* the word as typed (its span of q) */
    char **parts;      /* normalised parts (one for a plain word) */
    char **part_stems; /* their stems (same order) */
    size_t nparts;
    char *joined;      /* joined form of a split identifier, or NULL */
    char *joined_stem; /* its stem, or NULL */

    /* Filled by qp_expand. */
    qp_unit *part_units; /* nparts units: each part and its alternatives */
    qp_unit joined_unit; /* the joined form and its alternatives (nalts 0: none) */
    qp_unit split[2];    /* an unknown word as two vocabulary words (nalts 0: none) */
    qp_unit span;        /* this word and the next span_len - 1 joined ("customer
                            id" → customerid), when the vocabulary has it */
    size_t span_len;     /* words the span covers (0: none) */
    int nothing;         /* no form of the word is in the vocabulary */
    char *suggestion;    /* did-you-mean correction when `nothing`, or NULL */
} qp_word;

/* A term whose documents gain a share of the config's exact_bonus: the
 * query is their name (or URN), up to typos, or the start of their name. */
typedef enum {
    QP_B_EXACT = 0,  /* the whole bonus: the query is the name / short name / URN */
    QP_B_TYPO = 1,   /* the name is the query with its typos corrected: × typo weight */
    QP_B_PREFIX = 2, /* the name starts with the query being typed: × prefix weight */
} qp_bonus_kind;

typedef struct qp_bonus {
    char *term; /* an exact-name term (TERM_EXACT_PREFIX...) or an id term */
    size_t len;
    uint8_t kind;  /* qp_bonus_kind */
    uint8_t edits; /* for QP_B_TYPO: the most edits of one corrected word */
} qp_bonus;

typedef struct qp_plan {
    qp_word *words;
    size_t nwords;
    char *norm;      /* an_normalize(q): pinned queries are keyed by it; NULL for an empty q */
    qp_bonus *bonus; /* exact-match terms (the first ones: the query as typed) */
    size_t nbonus;
    int last_open;     /* q does not end in a space: its last word is being typed */
    int expanded;      /* qp_expand ran with a vocabulary */
    int vocab_current; /* ... of the reader's revision: a word's `nothing` is certain */
} qp_plan;

/* The numbers a query is built with. qp_rank_init takes them from a
 * ranking config; explain.c then zeroes some to isolate one share. */
typedef struct qp_rank {
    const ranking_config *cfg;       /* which fields are searched, boosts by type/platform */
    double field_weight[F_COUNT];    /* per field (cfg boosts) */
    double group_weight[QP_G_COUNT]; /* per group (1, typo, prefix, split weights) */
    double stem_factor;              /* a stem-only match relative to the word itself */
    int type_boosts;                 /* apply type and platform boosts (1 normally) */
    uint32_t only_fields;            /* 0: every searched field; else bit (1u << field_id)
                                        of the only fields to build leaves for (a query
                                        listing which terms of those fields matched) */
} qp_rank;

void qp_rank_init(qp_rank *r, const ranking_config *cfg);

typedef enum {
    QP_OK = 0,
    QP_BAD_QUERY = 1, /* the user's q breaks a limit: answer 400 with err */
    QP_INTERNAL = 2,  /* allocation or analyzer failure: answer 500 */
} qp_status;

/* ---- query_words.c ---- */

/* Analyses q[0..len) into *out (zeroed first). `scratch` is reused. */
qp_status qp_analyze(an_analyzer *an, an_terms *scratch, const char *q, size_t len, qp_plan *out,
                     char *err, size_t errlen);
void qp_free(qp_plan *p);

/* Adds a bonus term (copied; a term already there keeps its first kind).
 * Returns 0, or -1 on allocation failure. */
int qp_add_bonus(qp_plan *p, const char *term, size_t len, qp_bonus_kind kind, unsigned edits);
/* Adds TERM_EXACT_PREFIX + norm[0..len) as a bonus term. */
int qp_add_exact_name(qp_plan *p, const char *norm, size_t len, qp_bonus_kind kind, unsigned edits);

/* ---- query_expand.c ---- */

/* What expansion reads from the lexicon snapshot (lexicon.h). */
typedef struct qp_lexicon {
    const vocab *vocab; /* NULL: the forms as typed only (no typos, prefixes, splits) */
    const names *names; /* NULL: no name-based bonus terms */
    int current;        /* built from the reader's own revision: authoritative */
    uint32_t doccount;  /* documents it was built from */
} qp_lexicon;

/* Fills each word's alternatives from the vocabulary and the config's
 * synonyms — searched only in the fields where the vocabulary has them
 * when it is current — and adds bonus terms: names equal to the query once
 * its typos are corrected, and, from the autocomplete index, entities whose
 * name is the query with its separators ignored ("customer orders" is
 * customer_orders) or, while the last word is unfinished, starts with it
 * (of entity type `type` when not NULL). A word the vocabulary holds in
 * many documents is taken as spelt right and gets no typo variants
 * (query_expand.c says why). `scratch` is reused. Returns QP_OK or
 * QP_INTERNAL with err. */
qp_status qp_expand(qp_plan *p, an_analyzer *an, an_terms *scratch, const qp_lexicon *lx,
                    const char *type, const ranking_config *cfg, char *err, size_t errlen);

/* The query with every word that found nothing replaced by its suggestion
 * (malloc'd), or NULL when no word needs one (or on allocation failure). */
char *qp_did_you_mean(const qp_plan *p);

/* The alternative of the first `nwords` words that `term` (normalised, no
 * field prefix) is, preferring exact over fewer edits over more; NULL if
 * none. */
const qp_alt *qp_find_alt(const qp_plan *p, size_t nwords, const char *term);

/* 1 if text term `term` is one of word w's alternatives other than the
 * forms as typed (a typo, completion, synonym or split half): highlighting
 * marks those too. */
int qp_word_has_alt(const qp_word *w, const char *term);
/* 1 if one of those alternatives is a substring of `plain` (a cheap
 * pre-check before analysing a text). */
int qp_word_alt_in(const qp_word *w, const char *plain);

/* ---- query_plan.c ---- */

/* The text query over the first `nwords` words combined with `op`
 * (MT_AND or MT_OR), without type and platform boosts; NULL with err on
 * failure. */
mt_node *qp_words_query(const qp_plan *p, const qp_rank *rank, size_t nwords, mt_op op,
                        xap_err *err);

/* `text` (not freed) with the config's type and platform boosts applied
 * (`text` itself, one more reference, when there are none, or when
 * rank->type_boosts is 0). */
mt_node *qp_boosted(mt_node *text, const qp_rank *rank, xap_err *err);

/* The exact-match bonus: MAX over the plan's bonus terms, each scaled by
 * exact_bonus × its kind's weight (a boolean term weighs its factor under
 * coordinate weighting). NULL in *out when the plan has none. Returns 0, or
 * -1 with err. */
int qp_bonus_query(const qp_plan *p, const qp_rank *rank, int kind_mask, mt_node **out,
                   xap_err *err);

/* The popularity prior to add to a text query with AND_MAYBE. */
mt_node *qp_popularity_prior(const qp_rank *rank, xap_err *err);

/* The weighting scheme every search uses (see query_plan.c for why). */
int qp_set_weighting(xap_enquire *e, xap_err *err);

#endif
