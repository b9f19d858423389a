/* match_tree.h — a search query as plain C data.
 *
 * The query planner builds this tree; two things run it:
 *   - match_eval.c evaluates it in memory over the revision's document sets
 *     (docsets.h): the exact match set (totals, facets) and the top of the
 *     ranking, without reading matches from disk;
 *   - mt_to_xap() turns it into the equivalent Xapian query, for what needs
 *     Xapian itself (which terms of a document matched, explain's
 *     per-field shares, probes of small boolean queries).
 * Both read the same tree, so both score a document the same way.
 *
 * Scoring is Xapian's coordinate weighting (query_plan.c says why): a
 * matching TERM or SYNONYM weighs 1, SCALE multiplies (a factor of 0 makes
 * its subtree purely boolean), OR and AND add their matching children, MAX
 * takes the best matching child, AND_MAYBE adds its right side where it
 * matches, FILTER and AND_NOT weigh their left side only, PRIOR weighs
 * min(cap, factor × ln(1 + v)) of the document's value v in `slot` (0 when
 * v <= 0) and matches the documents with a value.
 *
 * Nodes are immutable once built and reference counted: combining nodes
 * takes a reference to each child, so a subtree can be shared (the text
 * query appears in the main match and in the pinned pass) and every
 * builder's caller frees what it built, as with the shim's queries.
 */
#ifndef MDX_SEARCHD_MATCH_TREE_H
#define MDX_SEARCHD_MATCH_TREE_H

#include <stddef.h>

#include "xapian-shim/xap.h"

typedef enum {
    MT_TERM,    /* documents holding `term` */
    MT_ALL,     /* every document */
    MT_NOTHING, /* no document */
    MT_PRIOR,   /* the popularity prior of `slot` (see above) */
    MT_SCALE,   /* kids[0] × factor */
    MT_SYNONYM, /* any kid, weighing as one term (kids are TERMs) */
    MT_OR,
    MT_AND,
    MT_MAX,
    MT_AND_MAYBE, /* kids[0], plus kids[1]'s weight where it matches */
    MT_FILTER,    /* kids[0] where kids[1] matches, weighing kids[0] only */
    MT_AND_NOT,   /* kids[0] where kids[1] does not match */
} mt_op;

typedef struct mt_node {
    mt_op op;
    unsigned refs; /* private: mt_free drops one */
    char *term;    /* MT_TERM */
    size_t len;
    double factor; /* MT_SCALE, MT_PRIOR */
    double cap;    /* MT_PRIOR */
    unsigned slot; /* MT_PRIOR */
    struct mt_node **kids;
    size_t nkids;
} mt_node;

/* Builders return a new node (one reference) or NULL when out of memory. */
mt_node *mt_term(const char *term, size_t len);
mt_node *mt_all(void);
mt_node *mt_nothing(void);
mt_node *mt_prior(unsigned slot, double factor, double cap);
/* q × factor (q referenced, not taken). */
mt_node *mt_scale(mt_node *q, double factor);
/* op over kids[0..n) (each referenced, not taken); n >= 1. */
mt_node *mt_combine(mt_op op, mt_node *const *kids, size_t n);

/* One more reference to q (q itself). */
mt_node *mt_ref(mt_node *q);
/* Drops one reference (NULL is a no-op). */
void mt_free(mt_node *q);

/* The equivalent Xapian query; NULL with err. */
xap_query *mt_to_xap(const mt_node *q, xap_err *err);

/* 1 if every document q matches weighs the same (no PRIOR, no MAX or
 * AND_MAYBE or sum with a varying part): TERM, SYNONYM, ALL, NOTHING and
 * SCALE of those. Its weight is in *w. */
int mt_constant(const mt_node *q, double *w);

#endif
