/* match_eval.h — running a query tree in memory over a revision's
 * document sets.
 *
 * The match set of a tree is bitmap algebra over its terms' document sets
 * (docsets.h), top-down so that the narrowest part of an AND restricts the
 * rest: exact whatever its size, microseconds to a few milliseconds at 1M
 * documents. Ranking adds each leaf's weight (match_tree.h) into a
 * per-thread score array over the documents that both match it and are
 * ranked (a leaf held by most of them as a base plus a debit to the rest),
 * and avoids scoring every match when the weights allow: MaxScore over
 * selective leaves, or classes of equal text score walked in descending
 * popularity (me_top says when). No document is read from disk.
 *
 * Ordering is Xapian's: score descending, then docid ascending. Scores
 * within ME_SCORE_EPS (relative) of each other count as equal, so that the
 * order of additions (which differs from Xapian's) never decides between
 * documents that matched the same way.
 */
#ifndef MDX_SEARCHD_MATCH_EVAL_H
#define MDX_SEARCHD_MATCH_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

#include "searchd/docsets.h"
#include "searchd/match_tree.h"

#define ME_SCORE_EPS 1e-9

typedef struct me_memo me_memo;

/* One evaluation context: the docsets and handle of one revision, and the
 * match sets computed so far (a subtree shared between queries is matched
 * once). */
typedef struct me_ctx {
    docsets *ds;
    xap_db *db;
    ds_scratch scratch;
    me_memo *memo;
} me_ctx;

void me_init(me_ctx *c, docsets *ds, xap_db *db);
void me_free(me_ctx *c);

/* The documents q matches (owned by c, valid until me_free). NULL with err
 * (XAP_E_MODIFIED: the caller reopens and retries). */
const roaring_bitmap_t *me_match(me_ctx *c, const mt_node *q, xap_err *err);

typedef struct me_hit {
    uint32_t docid;
    double score;
} me_hit;

/* The best k documents of `set` (which must be a subset of q's matches, as
 * me_match(q) is), ranked by q's score. *out is malloc'd (*n <= k).
 * Returns 0, or -1 with err. */
int me_top(me_ctx *c, const mt_node *q, const roaring_bitmap_t *set, size_t k, me_hit **out,
           size_t *n, xap_err *err);

/* Which kinds of term document d holds among q's TERM leaves (in
 * synonyms too): the bitwise OR of kind(term) over every leaf whose
 * documents include d, as Xapian's matching terms would list them. Leaves
 * of a kind already found are not looked up. Returns 0, or -1 with err. */
int me_doc_terms(me_ctx *c, const mt_node *q, uint32_t d,
                 unsigned (*kind)(const char *term, size_t len), unsigned *mask, xap_err *err);

/* The best k documents of `set` by their value of `slot`, highest first
 * (documents without one last), then docid; score is the value. */
int me_top_by_value(me_ctx *c, const roaring_bitmap_t *set, unsigned slot, size_t k, me_hit **out,
                    size_t *n, xap_err *err);

/* How rankings were made since start (counted by me_top). */
typedef struct me_stats {
    uint64_t scored_all; /* every match scored (small sets, or nothing to prune by) */
    uint64_t maxscore;   /* only the documents of the selective leaves scored */
    uint64_t walk;       /* those, then the rest one by one in descending prior order */
    uint64_t walk_pruned; /* of which ended by setting the heaviest broad leaves aside */
    uint64_t walk_batches; /* batches of a long walk scored as sets */
    uint64_t walk_seeded;  /* walks that took MaxScore's ranked seed as scored */
    uint64_t classes;    /* the text scored, the prior only where it could rank */
    uint64_t chunked;    /* sets scored chunk by chunk on bitsets (any of the above) */
} me_stats;

void me_get_stats(me_stats *out);

/* For tests only: which pruned rankings me_top may try (default all), so
 * that each can be checked on every tree. Scoring every match stays the
 * last resort. */
#define ME_RANK_MAXSCORE 1u
#define ME_RANK_WALK 2u
#define ME_RANK_CLASSES 4u
#define ME_RANK_ALL (ME_RANK_MAXSCORE | ME_RANK_WALK | ME_RANK_CLASSES)
void me_set_rankings(unsigned mask);

/* A set scored holding at least ME_CHUNK_MIN documents per chunk of 65536
 * docids it meets is scored chunk by chunk on bitsets (see match_eval.c;
 * at 1M entities 512 ranked the bench mix 5% faster than 1024, 256 3%
 * slower than 512). For tests only: another threshold (0: every set). */
#define ME_CHUNK_MIN 512
void me_set_chunk_min(unsigned n);

/* A walk scores its first ME_WALK_ALONE documents one by one, then in
 * batches that start at that size and double (see match_eval.c). For
 * tests only: another count (0 or 1: batches from the first). */
#define ME_WALK_ALONE 64
void me_set_walk_alone(unsigned n);

#endif
