/* match_eval.c — match sets and top-k ranking in memory (see match_eval.h). */
#include "searchd/match_eval.h"

#ifdef HAVE_ROARING_CONTAINERS_0_2
#include <roaring/containers/containers.h>
#define ME_CHUNKS 1
#endif

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/bitmap_and.h"

#define ME_READ_CHUNK 1024 /* docids read from a bitmap at a time */

static _Atomic uint64_t n_all, n_maxscore, n_walk, n_walk_pruned, n_walk_batches, n_walk_seeded,
    n_classes, n_chunked;
static _Atomic unsigned rankings = ME_RANK_ALL;

void me_set_rankings(unsigned mask)
{
    rankings = mask;
}

void me_get_stats(me_stats *out)
{
    out->scored_all = n_all;
    out->maxscore = n_maxscore;
    out->walk = n_walk;
    out->walk_pruned = n_walk_pruned;
    out->walk_batches = n_walk_batches;
    out->walk_seeded = n_walk_seeded;
    out->classes = n_classes;
    out->chunked = n_chunked;
}

/* ---- the memo: node → match set ------------------------------------------- */

typedef struct memo_entry {
    const mt_node *node;
    const roaring_bitmap_t *set;
    int owned;
    sc_entry *hold; /* the set is the revision's kept one (set_cache.h) */
} memo_entry;

struct me_memo {
    memo_entry *v;
    size_t n, cap; /* cap a power of two, n <= cap / 2 */
};

static size_t ptr_hash(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0xed5ad4bbu;
    x ^= x >> 11;
    return (size_t)x;
}

static memo_entry *memo_find(me_memo *m, const mt_node *q)
{
    if (!m || m->cap == 0)
        return NULL;
    for (size_t i = ptr_hash(q) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->v[i].node == q)
            return &m->v[i];
        if (!m->v[i].node)
            return NULL;
    }
}

static int memo_put(me_memo *m, const mt_node *q, const roaring_bitmap_t *set, int owned)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        memo_entry *nv = calloc(cap, sizeof *nv);
        if (!nv)
            return -1;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->v[i].node)
                continue;
            size_t j = ptr_hash(m->v[i].node) & (cap - 1);
            while (nv[j].node)
                j = (j + 1) & (cap - 1);
            nv[j] = m->v[i];
        }
        free(m->v);
        m->v = nv;
        m->cap = cap;
    }
    size_t j = ptr_hash(q) & (m->cap - 1);
    while (m->v[j].node)
        j = (j + 1) & (m->cap - 1);
    /* The node is held while memoised: a freed node's address, reused by
     * a new one, must never find the old set. */
    m->v[j] = (memo_entry){mt_ref((mt_node *)q), set, owned, NULL};
    m->n++;
    return 0;
}

/* memo_put of a kept set, held until me_free. */
static int memo_put_held(me_memo *m, const mt_node *q, const roaring_bitmap_t *set,
                         sc_entry *hold)
{
    if (memo_put(m, q, set, 0) != 0)
        return -1;
    memo_find(m, q)->hold = hold;
    return 0;
}

void me_init(me_ctx *c, docsets *ds, xap_db *db)
{
    memset(c, 0, sizeof *c);
    c->ds = ds;
    c->db = db;
}

void me_free(me_ctx *c)
{
    if (c->memo) {
        for (size_t i = 0; i < c->memo->cap; i++) {
            if (!c->memo->v[i].node)
                continue;
            if (c->memo->v[i].owned)
                roaring_bitmap_free(c->memo->v[i].set);
            if (c->memo->v[i].hold)
                sc_release(docsets_sets(c->ds), c->memo->v[i].hold);
            mt_free((mt_node *)c->memo->v[i].node);
        }
        free(c->memo->v);
        free(c->memo);
    }
    ds_scratch_free(&c->scratch);
    memset(c, 0, sizeof *c);
}

static void *oom(xap_err *err)
{
    err->code = XAP_E_NOMEM;
    snprintf(err->msg, sizeof err->msg, "match_eval: out of memory");
    return NULL;
}

/* ---- match sets ------------------------------------------------------------ */

/* The popularity prior matches the documents with a value (as Xapian's
 * value posting source does); a value <= 0 weighs nothing either way. */
static roaring_bitmap_t *prior_set(me_ctx *c, const mt_node *q, xap_err *err)
{
    const double *v = docsets_values(c->ds, c->db, q->slot, err);
    if (!v)
        return NULL;
    roaring_bitmap_t *b = roaring_bitmap_create();
    if (!b)
        return oom(err);
    uint32_t last = docsets_lastdocid(c->ds);
    for (uint32_t d = 1; d <= last; d++)
        if (v[d] != 0)
            roaring_bitmap_add(b, d);
    return b;
}

/* An upper bound of how many documents q matches, to intersect the
 * smallest first. */
static uint64_t estimate(me_ctx *c, const mt_node *q)
{
    uint64_t last = docsets_lastdocid(c->ds), sum = 0, min = last;
    memo_entry *e = memo_find(c->memo, q);
    if (e)
        return roaring_bitmap_get_cardinality(e->set);
    switch (q->op) {
    case MT_TERM: {
        xap_err err = {0};
        const roaring_bitmap_t *b = docsets_term(c->ds, c->db, q->term, q->len, &c->scratch, &err);
        return b ? roaring_bitmap_get_cardinality(b) : last;
    }
    case MT_NOTHING:
        return 0;
    case MT_ALL:
    case MT_PRIOR:
        return last;
    case MT_SCALE:
    case MT_AND_MAYBE:
    case MT_AND_NOT:
        return estimate(c, q->kids[0]);
    case MT_AND:
    case MT_FILTER:
        for (size_t i = 0; i < q->nkids; i++) {
            uint64_t k = estimate(c, q->kids[i]);
            min = k < min ? k : min;
        }
        return min;
    default:
        for (size_t i = 0; i < q->nkids && sum < last; i++)
            sum += estimate(c, q->kids[i]);
        return sum < last ? sum : last;
    }
}

/* A new bitmap: a copy of b, or b ∩ within. */
static roaring_bitmap_t *cut(const roaring_bitmap_t *b, const roaring_bitmap_t *within,
                             xap_err *err)
{
    roaring_bitmap_t *r = within ? bm_and(b, within) : roaring_bitmap_copy(b);
    return r ? r : oom(err);
}

typedef struct est_kid {
    const mt_node *node;
    uint64_t est;
} est_kid;

static int est_cmp(const void *a, const void *b)
{
    const est_kid *x = a, *y = b;
    return x->est < y->est ? -1 : x->est > y->est;
}

static roaring_bitmap_t *restrict_to(me_ctx *c, const mt_node *q, const roaring_bitmap_t *within,
                                     xap_err *err);

/* restrict_to without a copy where none is needed: a term's own set or a
 * memoised one when there is no restriction. *owned is what the caller
 * frees (NULL when the set is borrowed). */
static const roaring_bitmap_t *view(me_ctx *c, const mt_node *q, const roaring_bitmap_t *within,
                                    roaring_bitmap_t **owned, xap_err *err)
{
    *owned = NULL;
    if (!within) {
        memo_entry *e = c->memo ? memo_find(c->memo, q) : NULL;
        if (e)
            return e->set;
        if (q->op == MT_TERM)
            return docsets_term(c->ds, c->db, q->term, q->len, &c->scratch, err);
        if (q->op == MT_SCALE || q->op == MT_AND_MAYBE)
            return view(c, q->kids[0], within, owned, err);
    }
    return *owned = restrict_to(c, q, within, err);
}

/* The documents of `within` (NULL: all) that every kid matches, the kids
 * taken smallest first so that each is only evaluated where the others
 * already matched. */
static roaring_bitmap_t *all_of(me_ctx *c, mt_node *const *kids, size_t n,
                                const roaring_bitmap_t *within, xap_err *err)
{
    est_kid small[16], *v = small;
    if (n > 16 && !(v = malloc(n * sizeof *v)))
        return oom(err);
    for (size_t i = 0; i < n; i++)
        v[i] = (est_kid){kids[i], estimate(c, kids[i])};
    qsort(v, n, sizeof *v, est_cmp);
    /* The first set is only read: no copy of a term's own set. */
    roaring_bitmap_t *r = NULL;
    const roaring_bitmap_t *first = view(c, v[0].node, within, &r, err);
    if (first && !r &&
        !(r = n > 1 ? restrict_to(c, v[1].node, first, err) : cut(first, NULL, err))) {
        if (v != small)
            free(v);
        return NULL;
    }
    for (size_t i = first == r ? 1 : 2; r && i < n && !roaring_bitmap_is_empty(r); i++) {
        roaring_bitmap_t *t = restrict_to(c, v[i].node, r, err);
        roaring_bitmap_free(r);
        r = t;
    }
    if (v != small)
        free(v);
    return r;
}

static roaring_bitmap_t *evaluate(me_ctx *c, const mt_node *q, const roaring_bitmap_t *within,
                                  xap_err *err);

/* ---- sets kept between searches (set_cache.h) ------------------------------ */

/* A union worth keeping for the next searches: of a word's fields, forms,
 * typo variants or completions. */
static int keepable(const mt_node *q)
{
    return (q->op == MT_OR || q->op == MT_SYNONYM || q->op == MT_MAX) && q->nkids > 1;
}

/* The calling thread's key buffer. */
static _Thread_local unsigned char *key_buf;
static _Thread_local size_t key_len, key_cap;
static _Thread_local int key_oom;

static void key_put(const void *p, size_t n)
{
    if (key_len + n > key_cap) {
        size_t cap = key_cap ? key_cap : 256;
        while (cap < key_len + n)
            cap *= 2;
        unsigned char *b = realloc(key_buf, cap);
        if (!b) {
            key_oom = 1;
            return;
        }
        key_buf = b;
        key_cap = cap;
    }
    memcpy(key_buf + key_len, p, n);
    key_len += n;
}

/* Appends what q matches as bytes: trees of the same key match the same
 * documents at a revision. Weights are left out (a scaled subtree, or the
 * left side of AND_MAYBE, matches what the subtree matches), so that a
 * word's typo variants, weighed otherwise in another query, are the same
 * key. */
static void key_of(const mt_node *q)
{
    while (q->op == MT_SCALE || q->op == MT_AND_MAYBE)
        q = q->kids[0];
    unsigned char op = (unsigned char)q->op;
    key_put(&op, 1);
    switch (q->op) {
    case MT_TERM:
        key_put(&q->len, sizeof q->len);
        key_put(q->term, q->len);
        return;
    case MT_PRIOR:
        key_put(&q->slot, sizeof q->slot);
        return;
    case MT_ALL:
    case MT_NOTHING:
        return;
    default:
        key_put(&q->nkids, sizeof q->nkids);
        for (size_t i = 0; i < q->nkids; i++)
            key_of(q->kids[i]);
    }
}

/* q's key in key_buf[0..key_len); 0, or -1 when out of memory. */
static int make_key(const mt_node *q)
{
    key_len = 0;
    key_oom = 0;
    key_of(q);
    return key_oom ? -1 : 0;
}

/* A new bitmap: the documents of `within` (NULL: all) that q matches,
 * evaluated top-down so that a narrow part of an AND narrows the rest
 * before any broad union is built. A node's whole match, once computed, is
 * kept: ranking asks for it again restricted to the documents it scores,
 * which is then one intersection instead of the subtree again. A union's
 * whole match is also kept for the next searches, and taken from there
 * when a search before built it. */
static roaring_bitmap_t *restrict_to(me_ctx *c, const mt_node *q, const roaring_bitmap_t *within,
                                     xap_err *err)
{
    memo_entry *e = c->memo ? memo_find(c->memo, q) : NULL;
    if (e)
        return cut(e->set, within, err);
    set_cache *sets = c->memo && keepable(q) ? docsets_sets(c->ds) : NULL;
    if (sets && make_key(q) == 0) {
        sc_entry *hold = NULL;
        const roaring_bitmap_t *kept = sc_get(sets, key_buf, key_len, &hold);
        if (kept) {
            roaring_bitmap_t *r = cut(kept, within, err);
            if (memo_put_held(c->memo, q, kept, hold) != 0)
                sc_release(sets, hold);
            return r;
        }
    }
    roaring_bitmap_t *r = evaluate(c, q, within, err);
    if (r && !within && c->memo && q->op != MT_TERM) {
        roaring_bitmap_t *keep = roaring_bitmap_copy(r);
        sc_entry *hold = NULL;
        /* The key again: evaluating q's kids wrote theirs. */
        const roaring_bitmap_t *kept =
            keep && sets && make_key(q) == 0 ? sc_put(sets, key_buf, key_len, keep, &hold) : NULL;
        if (kept) {
            if (memo_put_held(c->memo, q, kept, hold) != 0)
                sc_release(sets, hold);
        } else if (keep && memo_put(c->memo, q, keep, 1) != 0) {
            roaring_bitmap_free(keep);
        }
    }
    return r;
}

/* The union of n sets. CRoaring's or_many ORs every part into bitsets and
 * then counts each chunk's bits and turns the sparse ones back into arrays:
 * for the sparse unions most ORs of a query tree are (a word's fields
 * within a narrower set, typo variants), that pass over 8 KB a chunk cost
 * more than the union. Sparse ones (on average at most ME_UNION_SPARSE
 * documents a chunk, below CRoaring's 4096 between arrays and bitsets) are
 * merged as arrays instead, smallest first (at 1M entities 3072 matched
 * 3% faster than 1024 over the bench mix). */
#define ME_UNION_SPARSE 3072
static roaring_bitmap_t *union_of(const roaring_bitmap_t **v, size_t n)
{
    if (n == 0)
        return roaring_bitmap_create();
    if (n == 1)
        return roaring_bitmap_copy(v[0]);
    uint64_t total = 0;
    int32_t chunks = 0;
    for (size_t i = 0; i < n; i++) {
        total += roaring_bitmap_get_cardinality(v[i]);
        int32_t nc = v[i]->high_low_container.size;
        chunks = nc > chunks ? nc : chunks;
    }
    if (total > (uint64_t)ME_UNION_SPARSE * (uint64_t)(chunks ? chunks : 1) || n > UINT32_MAX)
        return roaring_bitmap_or_many(n, v);
    if (n == 2)
        return roaring_bitmap_or(v[0], v[1]);
    return roaring_bitmap_or_many_heap((uint32_t)n, v);
}

/* A group of alternatives restricted to a set is built as its whole union
 * (kept for the ranking passes) and one intersection when that union is
 * at most ME_SYN_UNION × alternatives × the set; else each alternative is
 * intersected with the set. An intersection of sets of like size costs
 * about the larger (a merge), so a hundred completions each intersected
 * with a set cost about a hundred times the set, while a few typo variants
 * of common words meeting a small set are cheaper one by one. At 1M
 * entities the match phase of prefix queries took a third less than with
 * the union only when at most twice the set, the whole mix no more. */
#define ME_SYN_UNION 8
static roaring_bitmap_t *evaluate(me_ctx *c, const mt_node *q, const roaring_bitmap_t *within,
                                  xap_err *err)
{
    switch (q->op) {
    case MT_TERM: {
        const roaring_bitmap_t *b = docsets_term(c->ds, c->db, q->term, q->len, &c->scratch, err);
        return b ? cut(b, within, err) : NULL;
    }
    case MT_ALL: {
        /* Xapian's empty term: every document. */
        const roaring_bitmap_t *b =
            within ? within : docsets_term(c->ds, c->db, "", 0, &c->scratch, err);
        return b ? cut(b, NULL, err) : NULL;
    }
    case MT_NOTHING: {
        roaring_bitmap_t *b = roaring_bitmap_create();
        return b ? b : oom(err);
    }
    case MT_PRIOR: {
        roaring_bitmap_t *b = prior_set(c, q, err);
        if (b && within)
            roaring_bitmap_and_inplace(b, within);
        return b;
    }
    case MT_SCALE:
    case MT_AND_MAYBE:
        return restrict_to(c, q->kids[0], within, err);
    case MT_AND:
        return all_of(c, q->kids, q->nkids, within, err);
    case MT_FILTER:
        return all_of(c, q->kids, 2, within, err);
    case MT_AND_NOT: {
        roaring_bitmap_t *r = restrict_to(c, q->kids[0], within, err);
        roaring_bitmap_t *x =
            r && !roaring_bitmap_is_empty(r) ? restrict_to(c, q->kids[1], r, err) : NULL;
        if (x) {
            roaring_bitmap_andnot_inplace(r, x);
            roaring_bitmap_free(x);
        } else if (r && err->code) {
            roaring_bitmap_free(r);
            r = NULL;
        }
        return r;
    }
    case MT_SYNONYM:
        /* A group of alternatives (typo variants, completions) is met at
         * every level of the ranking pass: its union is kept. */
        if (within && q->nkids > 1 &&
            (memo_find(c->memo, q) ||
             estimate(c, q) <= ME_SYN_UNION * q->nkids * roaring_bitmap_get_cardinality(within))) {
            const roaring_bitmap_t *all = me_match(c, q, err);
            return all ? cut(all, within, err) : NULL;
        }
        /* fall through */
    case MT_OR:
    case MT_MAX: {
        if (q->nkids == 1)
            return restrict_to(c, q->kids[0], within, err);
        const roaring_bitmap_t *parts[64], **pv = parts;
        roaring_bitmap_t *own[64], **ov = own, *r = NULL;
        size_t k = 0;
        if (q->nkids > 64 &&
            (!(pv = malloc(q->nkids * sizeof *pv)) || !(ov = malloc(q->nkids * sizeof *ov)))) {
            if (pv != parts)
                free(pv);
            return oom(err);
        }
        while (k < q->nkids && (pv[k] = view(c, q->kids[k], within, &ov[k], err)))
            k++;
        if (k == q->nkids && !(r = union_of(pv, k)))
            oom(err);
        for (size_t i = 0; i < k; i++)
            if (ov[i])
                roaring_bitmap_free(ov[i]);
        if (pv != parts) {
            free(pv);
            free(ov);
        }
        return r;
    }
    }
    err->code = XAP_E_INVALID;
    snprintf(err->msg, sizeof err->msg, "match_eval: unknown operator %d", (int)q->op);
    return NULL;
}

const roaring_bitmap_t *me_match(me_ctx *c, const mt_node *q, xap_err *err)
{
    if (!c->memo && !(c->memo = calloc(1, sizeof *c->memo)))
        return oom(err);
    memo_entry *e = memo_find(c->memo, q);
    if (e)
        return e->set;
    roaring_bitmap_t *s = restrict_to(c, q, NULL, err);
    if (!s)
        return NULL;
    if (memo_put(c->memo, q, s, 1) != 0) {
        roaring_bitmap_free(s);
        return oom(err);
    }
    return s;
}

/* ---- scores ---------------------------------------------------------------- */

/* The calling thread's score array, all zeros between queries. */
static _Thread_local double *acc;
static _Thread_local size_t acc_len;

/* The calling thread's docid buffer: a set's docids are read into it in
 * one call (CRoaring's bulk extraction), several times faster than its
 * iterator over dense containers. As long as acc: no set holds more. */
static _Thread_local uint32_t *ids;

/* The thread's arrays are freed when it exits (the key's destructor). */
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static void thread_exit(void *unused);
static void thread_key_make(void)
{
    pthread_key_create(&thread_key, thread_exit);
}

static int acc_ready(uint32_t last, xap_err *err)
{
    if (acc_len > last)
        return 0;
    pthread_once(&thread_key_once, thread_key_make);
    size_t len = (size_t)last + 1 + ((size_t)last >> 3); /* room to grow */
    double *a = calloc(len, sizeof *a);
    uint32_t *b = malloc(len * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        oom(err);
        return -1;
    }
    free(acc);
    free(ids);
    acc = a;
    ids = b;
    acc_len = len;
    pthread_setspecific(thread_key, acc); /* any non-NULL value: the destructor runs */
    return 0;
}

/* The docids of s, in the thread's buffer (acc_ready must have run for
 * this revision): valid until the next call. */
static const uint32_t *ids_of(const roaring_bitmap_t *s, size_t *n)
{
    *n = (size_t)roaring_bitmap_get_cardinality(s);
    roaring_bitmap_to_uint32_array(s, ids);
    return ids;
}

/* The set being scored, what every document of it has gained at least,
 * and the documents whose acc entry may not be zero. A broad leaf holds
 * most of the set: crediting it is taken as a base every document gains
 * plus a debit to the few it misses, so a word held by 700k documents
 * costs the documents it is not in. */
static _Thread_local const roaring_bitmap_t *scoring;
static _Thread_local uint64_t scoring_card;
static _Thread_local double base;
static _Thread_local roaring_bitmap_t *touched;

static int scoring_begin(const roaring_bitmap_t *set, xap_err *err)
{
    if (!(touched = roaring_bitmap_create())) {
        oom(err);
        return -1;
    }
    scoring = set;
    scoring_card = roaring_bitmap_get_cardinality(set);
    base = 0;
    return 0;
}

/* Zeroes acc where it was written (or all of it when that is most of it). */
static void scoring_end(void)
{
    if (roaring_bitmap_get_cardinality(touched) > acc_len / 8) {
        memset(acc, 0, acc_len * sizeof *acc);
    } else {
        size_t got;
        const uint32_t *buf = ids_of(touched, &got);
        for (size_t i = 0; i < got; i++)
            acc[buf[i]] = 0;
    }
    roaring_bitmap_free(touched);
    touched = NULL;
    scoring = NULL;
    base = 0;
}

/* acc[d] += w for every d of s. */
static void credit_each(const roaring_bitmap_t *s, double w)
{
    size_t got;
    const uint32_t *buf = ids_of(s, &got);
    for (size_t i = 0; i < got; i++)
        acc[buf[i]] += w;
    roaring_bitmap_or_inplace(touched, s);
}

/* Every document of s (a subset of the set being scored) gains w. */
static void credit(const roaring_bitmap_t *s, double w)
{
    if (roaring_bitmap_get_cardinality(s) * 2 > scoring_card) {
        roaring_bitmap_t *rest = roaring_bitmap_andnot(scoring, s);
        if (rest) {
            base += w;
            credit_each(rest, -w);
            roaring_bitmap_free(rest);
            return;
        }
    }
    credit_each(s, w);
}

/* A document's score so far. */
static inline double score_of(uint32_t d)
{
    return acc[d] + base;
}

/* ln(1 + v) of every document's value of a slot, for the revision the
 * calling thread last ranked with: the prior of a broad query is needed for
 * most of the index, and the logarithm was a fifth of such a query. */
static _Thread_local double *logv;
static _Thread_local size_t logv_len;
static _Thread_local uint64_t logv_revision;
static _Thread_local unsigned logv_slot;
static _Thread_local double logv_max;

static const double *log_values(me_ctx *c, unsigned slot, xap_err *err)
{
    uint64_t rev = docsets_revision(c->ds);
    uint32_t last = docsets_lastdocid(c->ds);
    if (logv && logv_revision == rev && logv_slot == slot && logv_len == (size_t)last + 1)
        return logv;
    const double *v = docsets_values(c->ds, c->db, slot, err);
    if (!v)
        return NULL;
    double *l = malloc(((size_t)last + 1) * sizeof *l);
    if (!l)
        return oom(err);
    double max = 0;
    for (uint32_t d = 0; d <= last; d++) {
        l[d] = v[d] > 0 ? log1p(v[d]) : 0; /* NaN too: no weight */
        max = l[d] > max ? l[d] : max;
    }
    free(logv);
    logv_max = max;
    logv = l;
    logv_len = (size_t)last + 1;
    logv_revision = rev;
    logv_slot = slot;
    return logv;
}

/* acc[d] += f × prior(d) for every d of m. */
static int credit_prior(me_ctx *c, const mt_node *q, const roaring_bitmap_t *m, double f,
                        xap_err *err)
{
    const double *l = log_values(c, q->slot, err);
    if (!l)
        return -1;
    size_t got;
    const uint32_t *buf = ids_of(m, &got);
    for (size_t i = 0; i < got; i++) {
        double w = q->factor * l[buf[i]];
        acc[buf[i]] += f * (w < q->cap ? w : q->cap);
    }
    roaring_bitmap_or_inplace(touched, m);
    return 0;
}

/* While me_top scores the text, the popularity prior is set aside (one
 * PRIOR node: what it weighs and which documents it would credit) and
 * applied only to the documents that can still rank. */
typedef struct deferral {
    int active;
    int count; /* PRIOR nodes met; more than one: not set aside */
    const mt_node *node;
    double f;
    roaring_bitmap_t *m;
} deferral;

static _Thread_local deferral dfr;

typedef struct max_kid {
    const mt_node *node;
    double w;
} max_kid;

static int max_kid_cmp(const void *a, const void *b)
{
    const max_kid *x = a, *y = b;
    return x->w > y->w ? -1 : x->w < y->w;
}

/* Adds f × q's weight to acc for every document of m that q matches. */
static int add(me_ctx *c, const mt_node *q, const roaring_bitmap_t *m, double f, xap_err *err)
{
    if (f == 0 || roaring_bitmap_is_empty(m))
        return 0; /* a scale of 0 makes a subtree boolean */
    roaring_bitmap_t *t = NULL, *u = NULL;
    int rc = -1;
    switch (q->op) {
    case MT_NOTHING:
        return 0;
    case MT_ALL:
        credit(m, f);
        return 0;
    case MT_TERM:
    case MT_SYNONYM:
        if (!(t = restrict_to(c, q, m, err)))
            return -1;
        credit(t, f);
        roaring_bitmap_free(t);
        return 0;
    case MT_PRIOR:
        if (dfr.active) {
            if (dfr.count++ == 0) {
                dfr.node = q;
                dfr.f = f;
                if (!(dfr.m = roaring_bitmap_copy(m))) {
                    oom(err);
                    return -1;
                }
            }
            return 0;
        }
        return credit_prior(c, q, m, f, err);
    case MT_SCALE:
        return add(c, q->kids[0], m, f * q->factor, err);
    case MT_OR:
        for (size_t i = 0; i < q->nkids; i++)
            if (add(c, q->kids[i], m, f, err) != 0)
                return -1;
        return 0;
    case MT_AND:
    case MT_AND_MAYBE:
    case MT_FILTER:
    case MT_AND_NOT:
        /* Only the documents the node matches gain its children's weights. */
        if (!(t = restrict_to(c, q, m, err)))
            return -1;
        if (q->op == MT_AND || q->op == MT_AND_MAYBE) {
            size_t n = q->op == MT_AND ? q->nkids : 2;
            rc = 0;
            for (size_t i = 0; i < n && rc == 0; i++)
                rc = add(c, q->kids[i], t, f, err);
        } else {
            rc = add(c, q->kids[0], t, f, err);
        }
        roaring_bitmap_free(t);
        return rc;
    case MT_MAX: {
        /* Each document gains its best matching child: children by weight,
         * best first, each crediting the documents no better one took. */
        max_kid kids[64], *kv = kids;
        if (q->nkids > 64 && !(kv = malloc(q->nkids * sizeof *kv))) {
            oom(err);
            return -1;
        }
        for (size_t i = 0; i < q->nkids; i++) {
            kv[i].node = q->kids[i];
            if (!mt_constant(q->kids[i], &kv[i].w)) {
                err->code = XAP_E_INVALID;
                snprintf(err->msg, sizeof err->msg,
                         "match_eval: MAX over a child of varying weight");
                goto max_done;
            }
        }
        qsort(kv, q->nkids, sizeof *kv, max_kid_cmp);
        /* t: the documents of m no better child has taken yet. */
        if (!(t = roaring_bitmap_copy(m))) {
            oom(err);
            goto max_done;
        }
        rc = 0;
        for (size_t i = 0; i < q->nkids && rc == 0 && !roaring_bitmap_is_empty(t); i++) {
            if (!(u = restrict_to(c, kv[i].node, t, err))) {
                rc = -1;
                break;
            }
            credit(u, f * kv[i].w);
            roaring_bitmap_andnot_inplace(t, u);
            roaring_bitmap_free(u);
            u = NULL;
        }
    max_done:
        if (t) /* this CRoaring does not accept NULL */
            roaring_bitmap_free(t);
        if (kv != kids)
            free(kv);
        return rc;
    }
    }
    err->code = XAP_E_INVALID;
    snprintf(err->msg, sizeof err->msg, "match_eval: unknown operator %d", (int)q->op);
    return -1;
}

/* ---- scoring a dense set chunk by chunk --------------------------------------- */

/* add() over a set of tens of thousands of documents builds a bitmap per
 * node (the node's documents within what its parent matched), reads each
 * leaf's out into an array and merges it into `touched`: most of the cost
 * is CRoaring merging small sorted arrays and allocating. When the set is
 * dense (at least ME_CHUNK_MIN documents per 65536 docids), the tree is
 * instead evaluated per chunk of 65536 docids on plain bitsets of 1024
 * words, a leaf's container ANDed or probed into its parent's bits and
 * each matching bit credited straight into acc: no allocation, no merge.
 * The tree is compiled once per set (each leaf's bitmap looked up once).
 * It reads CRoaring's containers, whose layout is that of the 0.2 series
 * Debian 12 ships (configure checks it); with another series add() alone
 * is used. */

#ifdef ME_CHUNKS
#define CW 1024                /* 64-bit words in a chunk of 65536 docids */
#define CK_POOL 64             /* scratch bitsets per thread: 3 per level of the tree */
static unsigned chunk_min = ME_CHUNK_MIN;

void me_set_chunk_min(unsigned n)
{
    chunk_min = n;
}

/* A node compiled for chunk evaluation. */
typedef struct cnode {
    const mt_node *q;
    const roaring_bitmap_t *set; /* every document it matches, when known */
    double w;                    /* a MAX child: its constant weight */
    uint32_t kid0, nkids;        /* its kids: ck->kid[kid0 .. kid0 + nkids) */
} cnode;

typedef struct chunks {
    me_ctx *c;
    cnode *v;
    uint32_t *kid;
    size_t n, cap, nkid, kcap;
    const double *vals;  /* the prior's slot values (a PRIOR node matches where != 0) */
    const double *logv;  /* ln(1 + value) for crediting the prior */
    const mt_node *prior; /* the one PRIOR node (at most one path reaches it) */
    unsigned priors;      /* paths reaching a PRIOR node */
    int prior_met;        /* the prior's node was reached with documents */
    int prior_here;       /* ... in the chunk being scored */
    double prior_f;       /* the scale it was reached under */
    roaring_bitmap_t *prior_out; /* deferred: the set's documents not reaching it */
    const uint64_t *whole;       /* the set's bits in the chunk */
    uint16_t h;           /* the chunk being scored */
    double *a;            /* acc of its first docid */
    unsigned sp;          /* scratch bitsets in use */
} chunks;

static const uint64_t ck_ones[CW] = {[0 ... CW - 1] = ~0ull};
static _Thread_local uint64_t (*ck_pool)[CW];
static _Thread_local uint32_t *ck_ids; /* 65536: a chunk's docids */

static int ck_kid_cmp(const void *a, const void *b, void *ctx)
{
    const cnode *v = ctx;
    double x = v[*(const uint32_t *)a].w, y = v[*(const uint32_t *)b].w;
    return x > y ? -1 : x < y;
}

/* Compiles q; returns its index, -1 on error, -2 when chunks do not apply
 * (too deep, the prior reached more than once). */
static long ck_compile(chunks *ck, const mt_node *q, unsigned depth, xap_err *err)
{
    if (3 * depth + 4 > CK_POOL)
        return -2;
    if (ck->n == ck->cap) {
        size_t cap = ck->cap ? 2 * ck->cap : 32;
        cnode *v = realloc(ck->v, cap * sizeof *v);
        if (!v)
            return oom(err), -1;
        ck->v = v;
        ck->cap = cap;
    }
    long i = (long)ck->n++;
    ck->v[i] = (cnode){.q = q};
    memo_entry *e = memo_find(ck->c->memo, q);
    if (e)
        ck->v[i].set = e->set;
    else if (q->op == MT_TERM &&
             !(ck->v[i].set = docsets_term(ck->c->ds, ck->c->db, q->term, q->len,
                                           &ck->c->scratch, err)))
        return -1;
    if (q->op == MT_PRIOR) {
        /* add() sets aside the one PRIOR node it meets (dfr): with two
         * paths to one, it would meet it twice. */
        if (ck->priors++)
            return -2;
        if (!(ck->vals = docsets_values(ck->c->ds, ck->c->db, q->slot, err)) ||
            !(ck->logv = log_values(ck->c, q->slot, err)))
            return -1;
        ck->prior = q;
    }
    if (q->nkids == 0 || q->op == MT_TERM)
        return i;
    uint32_t kids[64], *kv = kids;
    if (q->nkids > 64 && !(kv = malloc(q->nkids * sizeof *kv)))
        return oom(err), -1;
    long rc = i;
    for (size_t j = 0; j < q->nkids && rc >= 0; j++) {
        long k = ck_compile(ck, q->kids[j], depth + 1, err);
        if (k < 0)
            rc = k;
        else
            kv[j] = (uint32_t)k;
        if (k >= 0 && q->op == MT_MAX && !mt_constant(q->kids[j], &ck->v[k].w)) {
            err->code = XAP_E_INVALID;
            snprintf(err->msg, sizeof err->msg, "match_eval: MAX over a child of varying weight");
            rc = -1;
        }
    }
    if (rc >= 0) {
        if (q->op == MT_MAX) /* best child first, as add() credits them */
            qsort_r(kv, q->nkids, sizeof *kv, ck_kid_cmp, ck->v);
        if (ck->nkid + q->nkids > ck->kcap) {
            size_t cap = (ck->nkid + q->nkids) * 2;
            uint32_t *k = realloc(ck->kid, cap * sizeof *k);
            if (!k)
                rc = -1, oom(err);
            else
                ck->kid = k, ck->kcap = cap;
        }
    }
    if (rc >= 0) {
        ck->v[i].kid0 = (uint32_t)ck->nkid;
        ck->v[i].nkids = (uint32_t)q->nkids;
        memcpy(ck->kid + ck->nkid, kv, q->nkids * sizeof *kv);
        ck->nkid += q->nkids;
        /* A scaled node, or one only its first child decides, matches
         * what that child does. */
        if (!ck->v[i].set && (q->op == MT_SCALE || q->op == MT_AND_MAYBE ||
                              (q->op == MT_SYNONYM && q->nkids == 1)))
            ck->v[i].set = ck->v[kv[0]].set;
    }
    if (kv != kids)
        free(kv);
    return rc;
}

static int ck_any(const uint64_t *b)
{
    uint64_t x = 0;
    for (size_t i = 0; i < CW; i++)
        x |= b[i];
    return x != 0;
}

/* b's container for chunk h, its type in *type; NULL when b has none. */
static const void *ck_container(const roaring_bitmap_t *b, uint16_t h, uint8_t *type)
{
    const roaring_array_t *ra = &b->high_low_container;
    int32_t i = ra->size ? ra_get_index(ra, h) : -1;
    if (i < 0)
        return NULL;
    *type = ra->typecodes[i];
    return container_unwrap_shared(ra->containers[i], type);
}

/* The bits of word wd within the run [s, e] (inclusive, s and e in the
 * chunk), wd between s's word and e's. */
static uint64_t ck_run_word(uint32_t s, uint32_t e, uint32_t wd)
{
    uint64_t m = ~0ull;
    if (wd == s >> 6)
        m &= ~0ull << (s & 63);
    if (wd == e >> 6)
        m &= ~0ull >> (63 - (e & 63));
    return m;
}

/* out = mask ∩ b within the chunk (out is not mask); 1 if not empty. */
static int ck_and(const roaring_bitmap_t *b, uint16_t h, const uint64_t *mask, uint64_t *out)
{
    uint8_t type = 0;
    const void *ct = ck_container(b, h, &type);
    uint64_t any = 0;
    if (ct && type == BITSET_CONTAINER_TYPE_CODE) {
        const uint64_t *w = ((const bitset_container_t *)ct)->array;
        for (size_t j = 0; j < CW; j++)
            any |= out[j] = mask[j] & w[j];
        return any != 0;
    }
    memset(out, 0, CW * sizeof *out);
    if (ct && type == ARRAY_CONTAINER_TYPE_CODE) {
        const array_container_t *a = ct;
        for (int32_t j = 0; j < a->cardinality; j++) {
            uint16_t x = a->array[j];
            uint64_t bit = mask[x >> 6] & (1ull << (x & 63));
            out[x >> 6] |= bit;
            any |= bit;
        }
    } else if (ct && type == RUN_CONTAINER_TYPE_CODE) {
        const run_container_t *r = ct;
        for (int32_t j = 0; j < r->n_runs; j++) {
            uint32_t s = r->runs[j].value, e = s + r->runs[j].length;
            for (uint32_t wd = s >> 6; wd <= e >> 6; wd++) {
                uint64_t m = mask[wd] & ck_run_word(s, e, wd);
                out[wd] |= m;
                any |= m;
            }
        }
    }
    return any != 0;
}

static void ck_credit(double *a, const uint64_t *b, double w)
{
    for (size_t i = 0; i < CW; i++)
        for (uint64_t x = b[i]; x; x &= x - 1)
            a[i * 64 + (size_t)__builtin_ctzll(x)] += w;
}

/* Credits w to the documents of mask that b holds in the chunk (a leaf
 * met without building its bits); with `take`, removes them from mask, as
 * a MAX's children do. */
static void ck_leaf(const roaring_bitmap_t *b, uint16_t h, uint64_t *mask, double *a, double w,
                    int take)
{
    uint8_t type = 0;
    const void *ct = ck_container(b, h, &type);
    if (!ct)
        return;
    if (type == BITSET_CONTAINER_TYPE_CODE) {
        const uint64_t *bits = ((const bitset_container_t *)ct)->array;
        for (size_t j = 0; j < CW; j++) {
            uint64_t m = mask[j] & bits[j];
            if (take)
                mask[j] &= ~m;
            for (; m; m &= m - 1)
                a[j * 64 + (size_t)__builtin_ctzll(m)] += w;
        }
    } else if (type == ARRAY_CONTAINER_TYPE_CODE) {
        const array_container_t *ac = ct;
        for (int32_t j = 0; j < ac->cardinality; j++) {
            uint16_t x = ac->array[j];
            uint64_t bit = mask[x >> 6] & (1ull << (x & 63));
            if (bit) {
                a[x] += w;
                if (take)
                    mask[x >> 6] &= ~bit;
            }
        }
    } else if (type == RUN_CONTAINER_TYPE_CODE) {
        const run_container_t *r = ct;
        for (int32_t j = 0; j < r->n_runs; j++) {
            uint32_t s = r->runs[j].value, e = s + r->runs[j].length;
            for (uint32_t wd = s >> 6; wd <= e >> 6; wd++) {
                uint64_t m = mask[wd] & ck_run_word(s, e, wd);
                if (take)
                    mask[wd] &= ~m;
                for (; m; m &= m - 1)
                    a[wd * 64 + (size_t)__builtin_ctzll(m)] += w;
            }
        }
    }
}

/* out = mask ∩ the documents node i matches; 1 if not empty. */
static int ck_match(chunks *ck, uint32_t i, const uint64_t *mask, uint64_t *out)
{
    const cnode *n = &ck->v[i];
    const uint32_t *k = ck->kid + n->kid0;
    if (n->set)
        return ck_and(n->set, ck->h, mask, out);
    uint64_t *t = ck_pool[ck->sp++];
    int any = 0;
    switch (n->q->op) {
    case MT_ALL:
        memcpy(out, mask, CW * sizeof *out);
        any = ck_any(out);
        break;
    case MT_NOTHING:
    case MT_TERM: /* a term always has its set */
        memset(out, 0, CW * sizeof *out);
        break;
    case MT_PRIOR: {
        const double *v = ck->vals + ((size_t)ck->h << 16);
        for (size_t j = 0; j < CW; j++) {
            uint64_t o = 0;
            for (uint64_t x = mask[j]; x; x &= x - 1) {
                unsigned b = (unsigned)__builtin_ctzll(x);
                if (v[j * 64 + b] != 0)
                    o |= 1ull << b;
            }
            out[j] = o;
            any |= o != 0;
        }
        break;
    }
    case MT_SCALE:
    case MT_AND_MAYBE:
        any = ck_match(ck, k[0], mask, out);
        break;
    case MT_AND:
    case MT_FILTER: {
        size_t nk = n->q->op == MT_AND ? n->nkids : 2;
        any = ck_match(ck, k[0], mask, out);
        for (size_t j = 1; j < nk && any; j++)
            if ((any = ck_match(ck, k[j], out, t)))
                memcpy(out, t, CW * sizeof *out);
        if (!any)
            memset(out, 0, CW * sizeof *out);
        break;
    }
    case MT_AND_NOT:
        if ((any = ck_match(ck, k[0], mask, out)) && ck_match(ck, k[1], out, t)) {
            uint64_t x = 0;
            for (size_t j = 0; j < CW; j++)
                x |= out[j] &= ~t[j];
            any = x != 0;
        }
        break;
    case MT_SYNONYM:
    case MT_OR:
    case MT_MAX:
        memset(out, 0, CW * sizeof *out);
        for (size_t j = 0; j < n->nkids; j++)
            if (ck_match(ck, k[j], mask, t)) {
                for (size_t w = 0; w < CW; w++)
                    out[w] |= t[w];
                any = 1;
            }
        break;
    }
    ck->sp--;
    return any;
}

/* Adds to ck->prior_out the documents of the chunk in `in` and not in
 * `except` (NULL: none excepted). */
static void ck_prior_miss(chunks *ck, const uint64_t *in, const uint64_t *except)
{
    size_t got = 0;
    uint32_t b = (uint32_t)ck->h << 16;
    for (size_t j = 0; j < CW; j++)
        for (uint64_t x = in[j] & (except ? ~except[j] : ~0ull); x; x &= x - 1)
            ck_ids[got++] = b + (uint32_t)(j * 64) + (uint32_t)__builtin_ctzll(x);
    roaring_bitmap_add_many(ck->prior_out, got, ck_ids);
}

/* Credits f × node i's weight to the documents of mask (not empty) it
 * matches: add() within one chunk. */
static int ck_add(chunks *ck, uint32_t i, const uint64_t *mask, double f)
{
    if (f == 0)
        return 0; /* a scale of 0 makes a subtree boolean */
    const cnode *n = &ck->v[i];
    const uint32_t *k = ck->kid + n->kid0;
    const mt_node *q = n->q;
    uint64_t *t = ck_pool[ck->sp++], *u = ck_pool[ck->sp++];
    int rc = 0;
    switch (q->op) {
    case MT_NOTHING:
        break;
    case MT_ALL:
        ck_credit(ck->a, mask, f);
        break;
    case MT_TERM:
    case MT_SYNONYM:
        if (n->set)
            ck_leaf(n->set, ck->h, (uint64_t *)mask, ck->a, f, 0);
        else if (ck_match(ck, i, mask, t))
            ck_credit(ck->a, t, f);
        break;
    case MT_PRIOR:
        ck->prior_met = ck->prior_here = 1;
        ck->prior_f = f;
        if (dfr.active) {
            /* Set aside: its documents are kept, as the set less those
             * that do not reach it (usually none: the prior sits at the
             * top of the planner's tree). */
            ck_prior_miss(ck, ck->whole, mask);
        } else {
            const double *l = ck->logv + ((size_t)ck->h << 16);
            for (size_t j = 0; j < CW; j++)
                for (uint64_t x = mask[j]; x; x &= x - 1) {
                    size_t d = j * 64 + (size_t)__builtin_ctzll(x);
                    double w = q->factor * l[d];
                    ck->a[d] += f * (w < q->cap ? w : q->cap);
                }
        }
        break;
    case MT_SCALE:
        rc = ck_add(ck, k[0], mask, f * q->factor);
        break;
    case MT_OR:
        for (size_t j = 0; j < n->nkids && rc == 0; j++)
            rc = ck_add(ck, k[j], mask, f);
        break;
    case MT_AND:
    case MT_AND_MAYBE:
    case MT_FILTER:
    case MT_AND_NOT:
        /* Only the documents the node matches gain its children's weights. */
        if (ck_match(ck, i, mask, t)) {
            size_t nk = q->op == MT_AND ? n->nkids : q->op == MT_AND_MAYBE ? 2 : 1;
            for (size_t j = 0; j < nk && rc == 0; j++)
                rc = ck_add(ck, k[j], t, f);
        }
        break;
    case MT_MAX:
        /* t: the documents no better child has taken yet. */
        memcpy(t, mask, CW * sizeof *t);
        for (size_t j = 0; j < n->nkids; j++) {
            const cnode *kn = &ck->v[k[j]];
            if (kn->set) {
                ck_leaf(kn->set, ck->h, t, ck->a, f * kn->w, 1);
                continue;
            }
            if (!ck_match(ck, k[j], t, u))
                continue;
            ck_credit(ck->a, u, f * kn->w);
            for (size_t w = 0; w < CW; w++)
                t[w] &= ~u[w];
        }
        break;
    }
    ck->sp -= 2;
    return rc;
}

/* add(c, q, set, 1.0) chunk by chunk. Returns 0, -1 on error, 1 when it
 * does not apply (nothing credited then). */
static int add_chunks(me_ctx *c, const mt_node *q, const roaring_bitmap_t *set, xap_err *err)
{
    const roaring_array_t *ra = &set->high_low_container;
    if (ra->size == 0 || roaring_bitmap_get_cardinality(set) < (uint64_t)chunk_min * ra->size)
        return 1;
    if (!ck_pool) {
        ck_pool = malloc(CK_POOL * sizeof *ck_pool);
        ck_ids = malloc(65536 * sizeof *ck_ids);
        if (!ck_pool || !ck_ids) {
            free(ck_pool);
            free(ck_ids);
            ck_pool = NULL;
            ck_ids = NULL;
            oom(err);
            return -1;
        }
    }
    chunks ck = {.c = c};
    int rc = -1;
    long root = ck_compile(&ck, q, 0, err);
    if (root < 0) {
        rc = root == -2 ? 1 : -1;
        goto done;
    }
    if (ck.prior && dfr.active && !(ck.prior_out = roaring_bitmap_create())) {
        oom(err);
        goto done;
    }
    uint64_t *mask = ck_pool[0];
    rc = 0;
    for (int32_t i = 0; i < ra->size && rc == 0; i++) {
        ck.h = ra->keys[i];
        ck.a = acc + ((size_t)ck.h << 16);
        ck.whole = mask;
        ck.sp = 1;
        ck.prior_here = 0;
        if (!ck_and(set, ck.h, ck_ones, mask))
            continue;
        rc = ck_add(&ck, (uint32_t)root, mask, 1.0);
        if (ck.prior_out && !ck.prior_here) /* none of the chunk reached it */
            ck_prior_miss(&ck, mask, NULL);
    }
    if (rc == 0) {
        n_chunked++;
        roaring_bitmap_or_inplace(touched, set);
        if (ck.prior && ck.prior_met && dfr.active && dfr.count++ == 0) {
            dfr.node = ck.prior;
            dfr.f = ck.prior_f;
            if (!(dfr.m = roaring_bitmap_andnot(set, ck.prior_out))) {
                oom(err);
                rc = -1;
            }
        }
    }
done:
    if (ck.prior_out)
        roaring_bitmap_free(ck.prior_out);
    free(ck.v);
    free(ck.kid);
    return rc;
}
#else
void me_set_chunk_min(unsigned n)
{
    (void)n;
}
#endif

/* add(c, q, set, 1.0): chunk by chunk when the set is dense enough. */
static int score_set(me_ctx *c, const mt_node *q, const roaring_bitmap_t *set, xap_err *err)
{
#ifdef ME_CHUNKS
    int rc = add_chunks(c, q, set, err);
    if (rc != 1)
        return rc;
#endif
    return add(c, q, set, 1.0, err);
}

/* ---- the best k ------------------------------------------------------------ */

/* 1 if a ranks before b. */
static int before(const me_hit *a, const me_hit *b)
{
    double tol = ME_SCORE_EPS * (fabs(a->score) > fabs(b->score) ? fabs(a->score) : fabs(b->score));
    if (a->score > b->score + tol)
        return 1;
    if (b->score > a->score + tol)
        return 0;
    return a->docid < b->docid;
}

/* A heap of the best k so far, its worst at the root. */
static void sift_down(me_hit *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && before(&h[w], &h[l]))
            w = l;
        if (r < n && before(&h[w], &h[r]))
            w = r;
        if (w == i)
            return;
        me_hit t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(me_hit *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&h[p], &h[i]))
            return;
        me_hit t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static int hit_cmp(const void *a, const void *b)
{
    return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

/* Keeps the best k of `set` with scores from `score(d)`; sorted. */
typedef double (*score_fn)(uint32_t d, const void *ctx);

static int select_top(const roaring_bitmap_t *set, size_t k, score_fn score, const void *ctx,
                      me_hit **out, size_t *n, xap_err *err)
{
    *out = NULL;
    *n = 0;
    uint64_t card = roaring_bitmap_get_cardinality(set);
    if (k > card)
        k = (size_t)card;
    if (k == 0)
        return 0;
    me_hit *h = malloc(k * sizeof *h);
    if (!h) {
        oom(err);
        return -1;
    }
    size_t len = 0;
    size_t got;
    const uint32_t *buf = ids_of(set, &got);
    for (size_t i = 0; i < got; i++) {
        me_hit x = {buf[i], score(buf[i], ctx)};
        if (len < k) {
            h[len] = x;
            sift_up(h, len++);
        } else if (before(&x, &h[0])) {
            h[0] = x;
            sift_down(h, len, 0);
        }
    }
    qsort(h, len, sizeof *h, hit_cmp);
    *out = h;
    *n = len;
    return 0;
}

static double acc_score(uint32_t d, const void *ctx)
{
    (void)ctx;
    return score_of(d);
}

/* Scores the documents of `set` and keeps the best k. */
static int rank_all(me_ctx *c, const mt_node *q, const roaring_bitmap_t *set, size_t k,
                    me_hit **out, size_t *n, xap_err *err)
{
    if (scoring_begin(set, err) != 0)
        return -1;
    int rc = score_set(c, q, set, err);
    if (rc == 0)
        rc = select_top(set, k, acc_score, NULL, out, n, err);
    scoring_end();
    return rc;
}

/* A weighted leaf of the tree and the most it adds to a score. */
typedef struct leaf {
    const mt_node *node;
    double bound;
} leaf;

typedef struct leaves {
    leaf *v;
    size_t n, cap;
} leaves;

static int leaves_push(leaves *l, const mt_node *q, double bound)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        leaf *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = (leaf){q, bound};
    return 0;
}

/* Every term leaf that can add to a score, with f × its weight as its
 * bound, and in *prior what the leaves every document may match (the
 * popularity prior, everything) add at most: a document's score is at most
 * *prior plus the bounds of the term leaves it matches. */
static int collect(me_ctx *c, const mt_node *q, double f, leaves *l, double *prior, xap_err *err)
{
    if (f <= 0)
        return 0;
    switch (q->op) {
    case MT_TERM:
    case MT_SYNONYM:
        return leaves_push(l, q, f);
    case MT_ALL:
        *prior += f;
        return 0;
    case MT_PRIOR: {
        /* Every document may have it: never a leaf to select by, always
         * part of the bound, at the most any document gets. */
        if (!log_values(c, q->slot, err))
            return -1;
        double w = q->factor * logv_max;
        *prior += f * (w < q->cap ? w : q->cap);
        return 0;
    }
    case MT_NOTHING:
        return 0;
    case MT_SCALE:
        return collect(c, q->kids[0], f * q->factor, l, prior, err);
    case MT_FILTER:
    case MT_AND_NOT:
        return collect(c, q->kids[0], f, l, prior, err);
    default:
        for (size_t i = 0; i < q->nkids; i++)
            if (collect(c, q->kids[i], f, l, prior, err) != 0)
                return -1;
        return 0;
    }
}

static int leaf_cmp(const void *a, const void *b)
{
    const leaf *x = a, *y = b;
    return x->bound > y->bound ? -1 : x->bound < y->bound;
}

/* cand |= the documents of `set` leaf i matches. */
static int widen(me_ctx *c, roaring_bitmap_t *cand, const leaf *lf, const roaring_bitmap_t *set,
                 xap_err *err)
{
    roaring_bitmap_t *m = restrict_to(c, lf->node, set, err);
    if (!m)
        return -1;
    roaring_bitmap_or_inplace(cand, m);
    roaring_bitmap_free(m);
    return 0;
}

/* Candidates larger than this share of the set are not worth pruning. */
#define ME_PRUNE_MAX_SHARE 4

/* What MaxScore ranked before giving up: the documents of its seed and
 * the best k of them, exactly scored. The walk that follows takes them as
 * scored instead of scoring them again (for broad prefixes the seed's
 * ranking was a fifth of the search). */
typedef struct ranked_seed {
    roaring_bitmap_t *docs;
    me_hit *top;
    size_t ntop;
} ranked_seed;

static void ranked_seed_free(ranked_seed *rs)
{
    if (rs->docs)
        roaring_bitmap_free(rs->docs);
    free(rs->top);
    *rs = (ranked_seed){0};
}

/* MaxScore, on sets: leaves by bound, highest first; the documents
 * matching the first few are scored exactly, and the k-th best score θ
 * they give is a floor; a document matching none of the first j leaves
 * scores at most the bounds of the rest plus the prior's, so once that sum
 * is below θ only the documents of the first j leaves can rank. Returns 1
 * with the answer, 0 when the weights do not allow it, -1 on error. The seed
 * ranked before giving up is left in *left for the walk. */
static int top_maxscore(me_ctx *c, const mt_node *q, const roaring_bitmap_t *set, size_t k,
                        me_hit **out, size_t *n, ranked_seed *left, xap_err *err)
{
    uint64_t total = roaring_bitmap_get_cardinality(set);
    leaves l = {0};
    roaring_bitmap_t *cand = NULL;
    double *rest = NULL, prior = 0;
    int rc = 0;
    if (collect(c, q, 1.0, &l, &prior, err) != 0) {
        rc = -1;
        goto done;
    }
    if (l.n < 2)
        goto done;
    qsort(l.v, l.n, sizeof *l.v, leaf_cmp);
    if (!(rest = malloc((l.n + 1) * sizeof *rest)) || !(cand = roaring_bitmap_create())) {
        oom(err);
        rc = -1;
        goto done;
    }
    rest[l.n] = prior;
    for (size_t i = l.n; i-- > 0;)
        rest[i] = rest[i + 1] + l.v[i].bound;
    /* Seed: the best leaves until they hold k documents. */
    size_t j = 0;
    while (j < l.n && roaring_bitmap_get_cardinality(cand) < k) {
        if (widen(c, cand, &l.v[j++], set, err) != 0) {
            rc = -1;
            goto done;
        }
        if (roaring_bitmap_get_cardinality(cand) * ME_PRUNE_MAX_SHARE > total)
            goto done;
    }
    if (roaring_bitmap_get_cardinality(cand) < k || j == l.n)
        goto done;
    me_hit *seed = NULL;
    size_t ns = 0;
    if (rank_all(c, q, cand, k, &seed, &ns, err) != 0) {
        rc = -1;
        goto done;
    }
    double theta = ns == k ? seed[k - 1].score : 0;
    /* Kept for the walk should MaxScore give up below. */
    ranked_seed_free(left);
    if (!(left->docs = roaring_bitmap_copy(cand))) {
        free(seed);
        oom(err);
        rc = -1;
        goto done;
    }
    left->top = seed;
    left->ntop = ns;
    /* Widen while the rest could still reach θ. */
    while (j < l.n && rest[j] >= theta * (1 - ME_SCORE_EPS)) {
        if (widen(c, cand, &l.v[j++], set, err) != 0) {
            rc = -1;
            goto done;
        }
        if (roaring_bitmap_get_cardinality(cand) * ME_PRUNE_MAX_SHARE > total)
            goto done;
    }
    if (j < l.n)
        rc = rank_all(c, q, cand, k, out, n, err) == 0 ? 1 : -1;
done:
    if (cand)
        roaring_bitmap_free(cand);
    free(rest);
    free(l.v);
    return rc;
}

/* ---- ranking by classes of text score ------------------------------------------ */

/* Documents in descending order of the prior of (slot, factor, cap), then
 * ascending docid — for the revision the calling thread last used. A walk
 * stops after the first few thousand documents, so the order is only
 * bucketed (one counting pass over the index) and each bucket sorted when
 * the walk first reaches it: a new revision costs milliseconds, not a sort
 * of the whole index. */
#define POP_BUCKETS 4096

static _Thread_local uint32_t *pop_order;
static _Thread_local double *pop_key; /* by docid */
static _Thread_local size_t pop_len;
static _Thread_local uint32_t pop_end[POP_BUCKETS]; /* bucket b is [pop_end[b-1], pop_end[b]) */
static _Thread_local unsigned char pop_sorted[POP_BUCKETS];
static _Thread_local uint64_t pop_revision;
static _Thread_local double pop_factor, pop_cap;
static _Thread_local unsigned pop_slot;

static int pop_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (pop_key[x] != pop_key[y])
        return pop_key[x] > pop_key[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Bucket 0 holds the documents at the cap, the last one those without a
 * prior (each all equal, so in docid order as filled); the others split
 * the keys between by value, highest first. */
static unsigned pop_bucket(double key, double cap, double top)
{
    if (!(key > 0))
        return POP_BUCKETS - 1;
    if (key >= cap)
        return 0;
    double r = top > 0 ? (top - key) / top : 0;
    unsigned b = 1 + (unsigned)(r * (POP_BUCKETS - 3));
    return b > POP_BUCKETS - 2 ? POP_BUCKETS - 2 : b;
}

static const uint32_t *popularity_order(me_ctx *c, const mt_node *prior, size_t *len, xap_err *err)
{
    uint64_t rev = docsets_revision(c->ds);
    uint32_t last = docsets_lastdocid(c->ds);
    if (pop_order && pop_revision == rev && pop_slot == prior->slot &&
        pop_factor == prior->factor && pop_cap == prior->cap && pop_len == last) {
        *len = pop_len;
        return pop_order;
    }
    const double *l = log_values(c, prior->slot, err);
    if (!l)
        return NULL;
    uint32_t *o = malloc(((size_t)last + 1) * sizeof *o);
    double *key = malloc(((size_t)last + 1) * sizeof *key);
    if (!o || !key) {
        free(o);
        free(key);
        return oom(err);
    }
    double top = 0;
    for (uint32_t d = 0; d <= last; d++) {
        double w = prior->factor * l[d];
        key[d] = w < prior->cap ? w : prior->cap;
        if (key[d] < prior->cap && key[d] > top)
            top = key[d];
    }
    uint32_t count[POP_BUCKETS] = {0};
    for (uint32_t d = 1; d <= last; d++)
        count[pop_bucket(key[d], prior->cap, top)]++;
    uint32_t at[POP_BUCKETS], sum = 0;
    for (unsigned b = 0; b < POP_BUCKETS; b++) {
        at[b] = sum;
        sum += count[b];
        pop_end[b] = sum;
        pop_sorted[b] = b == 0 || b == POP_BUCKETS - 1 || count[b] < 2;
    }
    for (uint32_t d = 1; d <= last; d++)
        o[at[pop_bucket(key[d], prior->cap, top)]++] = d;
    free(pop_key);
    pop_key = key;
    free(pop_order);
    pop_order = o;
    pop_len = last;
    pop_revision = rev;
    pop_slot = prior->slot;
    pop_factor = prior->factor;
    pop_cap = prior->cap;
    *len = pop_len;
    return pop_order;
}

/* Makes position i of the order final (sorts its bucket on first visit);
 * returns the end of i's bucket. */
static size_t pop_settle(size_t i)
{
    unsigned lo = 0, hi = POP_BUCKETS - 1;
    while (lo < hi) { /* the bucket whose end is the first past i */
        unsigned mid = (lo + hi) / 2;
        if (pop_end[mid] > i)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (!pop_sorted[lo]) {
        size_t from = lo ? pop_end[lo - 1] : 0;
        qsort(pop_order + from, pop_end[lo] - from, sizeof *pop_order, pop_cmp);
        pop_sorted[lo] = 1;
    }
    return pop_end[lo];
}

typedef struct tclass {
    double t;
    uint64_t n;
} tclass;

#define ME_CLASSES_MAX 4096 /* more distinct text scores: score every match */
#define ME_CLASS_SMALL 2048 /* a class this small is scored document by document */

static int tclass_cmp(const void *a, const void *b)
{
    const tclass *x = a, *y = b;
    return x->t > y->t ? -1 : x->t < y->t;
}

/* Class lookup by text score: open addressing over the score's bits. */
#define ME_CLASS_SLOTS (2 * ME_CLASSES_MAX)

static size_t score_slot(double t)
{
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    b ^= b >> 29;
    b *= 0xbf58476d1ce4e5b9ull;
    b ^= b >> 32;
    return (size_t)b & (ME_CLASS_SLOTS - 1);
}

/* The index of class t in `slots` (entries are index + 1), or -1. */
static long class_of(const uint32_t *slots, const tclass *cl, double t)
{
    for (size_t i = score_slot(t);; i = (i + 1) & (ME_CLASS_SLOTS - 1)) {
        if (!slots[i])
            return -1;
        if (cl[slots[i] - 1].t == t)
            return (long)slots[i] - 1;
    }
}

/* The distinct text scores of `set` (from acc) and how many documents have
 * each, best first, indexed in `slots`. Returns the count, or 0 when there
 * are too many. */
static size_t text_classes(const roaring_bitmap_t *set, tclass *cl, uint32_t *slots)
{
    size_t n = 0;
    memset(slots, 0, ME_CLASS_SLOTS * sizeof *slots);
    /* The documents no credit named score the base alone. */
    uint64_t untouched =
        roaring_bitmap_get_cardinality(set) - roaring_bitmap_and_cardinality(set, touched);
    if (untouched) {
        cl[n] = (tclass){base, untouched};
        slots[score_slot(base)] = (uint32_t)++n;
    }
    size_t got;
    const uint32_t *buf = ids_of(touched, &got);
    double last = HUGE_VAL;
    long lasti = 0;
    for (size_t i = 0; i < got; i++) {
        double t = score_of(buf[i]);
        if (t != last) {
            lasti = class_of(slots, cl, t);
            if (lasti < 0) {
                if (n == ME_CLASSES_MAX)
                    return 0;
                size_t j = score_slot(t);
                while (slots[j])
                    j = (j + 1) & (ME_CLASS_SLOTS - 1);
                cl[n] = (tclass){t, 0};
                slots[j] = (uint32_t)++n;
                lasti = (long)n - 1;
            }
            last = t;
        }
        cl[lasti].n++;
    }
    qsort(cl, n, sizeof *cl, tclass_cmp);
    /* Sorting moved the classes: index them again. */
    memset(slots, 0, ME_CLASS_SLOTS * sizeof *slots);
    for (size_t i = 0; i < n; i++) {
        size_t j = score_slot(cl[i].t);
        while (slots[j])
            j = (j + 1) & (ME_CLASS_SLOTS - 1);
        slots[j] = (uint32_t)i + 1;
    }
    return n;
}

typedef struct heap {
    me_hit *h;
    size_t n, k;
} heap;

/* Hands the heap's hits over to the caller, best first. */
static void heap_take(heap *hp, me_hit **out, size_t *n)
{
    qsort(hp->h, hp->n, sizeof *hp->h, hit_cmp);
    *out = hp->h;
    *n = hp->n;
    hp->h = NULL;
}

static void heap_offer(heap *hp, me_hit x)
{
    if (hp->n < hp->k) {
        hp->h[hp->n] = x;
        sift_up(hp->h, hp->n++);
    } else if (before(&x, &hp->h[0])) {
        hp->h[0] = x;
        sift_down(hp->h, hp->n, 0);
    }
}

/* Documents whose prior one pass computes before giving the set over to
 * ranking by classes. */
#define ME_THRESHOLD_DOCS(card) (8192 + (card) / 16)

/* The text scores are in acc, the prior set aside in dfr. One pass over
 * the set keeps the best k, computing the prior only for documents whose
 * text plus the largest prior reaches the k-th best so far: after the
 * first few hundred documents, only those of the classes near the top.
 * Most broad queries have a few such classes of a few hundred documents,
 * and this costs a load and a compare for every other one, where counting
 * the classes first costs a hash lookup for each. Returns 1 with the
 * answer; 0, hp emptied, when more than ME_THRESHOLD_DOCS needed their
 * prior (a large class tied on text, which a walk in popularity order
 * ranks cheaper). */
static int top_threshold(const roaring_bitmap_t *set, const double *l, double pmax, heap *hp)
{
    const mt_node *pr = dfr.node;
    uint64_t card = roaring_bitmap_get_cardinality(set);
    int whole = roaring_bitmap_get_cardinality(dfr.m) == card; /* every match reaches it */
    size_t got, priced = 0, most = ME_THRESHOLD_DOCS(card);
    const uint32_t *buf = ids_of(set, &got);
    double floor = -HUGE_VAL;
    for (size_t i = 0; i < got; i++) {
        uint32_t d = buf[i];
        double t = score_of(d);
        if (t + pmax < floor)
            continue;
        if (++priced > most) {
            hp->n = 0;
            return 0;
        }
        double w = 0;
        if (whole || roaring_bitmap_contains(dfr.m, d)) {
            w = pr->factor * l[d];
            w = dfr.f * (w < pr->cap ? w : pr->cap);
        }
        heap_offer(hp, (me_hit){d, t + w});
        if (hp->n == hp->k) {
            double theta = hp->h[0].score;
            floor = theta - fabs(theta) * 4 * ME_SCORE_EPS;
        }
    }
    return 1;
}

/* The text scores are in acc, the prior set aside in dfr: most matches of
 * a broad word tie on text, and only the prior tells them apart. So: the
 * classes of equal text score, best first; only the classes whose score
 * plus the largest prior reaches the k-th best text score can rank; small
 * ones are scored document by document, large ones are walked in
 * descending prior order, which stops as soon as no later document can
 * beat the k-th best found. Returns 1 with the answer, 0 when there are
 * too many classes, -1 on error. */
static int top_classes(me_ctx *c, const roaring_bitmap_t *set, size_t k, me_hit **out, size_t *nout,
                       xap_err *err)
{
    tclass *cl = malloc(ME_CLASSES_MAX * sizeof *cl);
    uint32_t *slots = malloc(ME_CLASS_SLOTS * sizeof *slots);
    const double *l = log_values(c, dfr.node->slot, err);
    heap hp = {malloc(k * sizeof(me_hit)), 0, k};
    int rc = -1;
    if (!cl || !slots || !hp.h || !l) {
        if (!err->code)
            oom(err);
        goto done;
    }
    const mt_node *pr = dfr.node;
    double pmax = dfr.f * (pr->factor * logv_max < pr->cap ? pr->factor * logv_max : pr->cap);
    if (top_threshold(set, l, pmax, &hp)) {
        heap_take(&hp, out, nout);
        rc = 1;
        goto done;
    }
    size_t ncl = text_classes(set, cl, slots);
    rc = 0;
    if (ncl == 0)
        goto done;
    /* The k-th best text score: no document below it minus pmax can rank. */
    uint64_t cum = 0;
    double tk = cl[ncl - 1].t;
    for (size_t i = 0; i < ncl; i++)
        if ((cum += cl[i].n) >= k) {
            tk = cl[i].t;
            break;
        }
    size_t need = 0;
    while (need < ncl && cl[need].t + pmax >= tk * (1 - ME_SCORE_EPS))
        need++;
    /* Small classes: their documents, scored one by one. */
    double small_min = HUGE_VAL, big_max = -HUGE_VAL;
    int any_small = 0, any_big = 0;
    for (size_t i = 0; i < need; i++) {
        if (cl[i].n <= ME_CLASS_SMALL) {
            any_small = 1;
            small_min = cl[i].t < small_min ? cl[i].t : small_min;
        } else {
            any_big = 1;
            big_max = cl[i].t > big_max ? cl[i].t : big_max;
        }
    }
    if (any_small) {
        /* The base class's documents are the set's untouched ones. */
        long bj = class_of(slots, cl, base);
        roaring_bitmap_t *rest = NULL;
        if (bj >= 0 && (size_t)bj < need && cl[bj].n <= ME_CLASS_SMALL &&
            !(rest = roaring_bitmap_andnot(set, touched))) {
            oom(err);
            rc = -1;
            goto done;
        }
        for (int pass = 0; pass < (rest ? 2 : 1); pass++) {
            size_t got;
            const uint32_t *buf = ids_of(pass ? rest : touched, &got);
            for (size_t i = 0; i < got; i++) {
                uint32_t d = buf[i];
                double t = score_of(d);
                if (t < small_min)
                    continue;
                long j = class_of(slots, cl, t);
                if (j < 0 || (size_t)j >= need || cl[j].n > ME_CLASS_SMALL)
                    continue;
                double w = 0;
                if (roaring_bitmap_contains(dfr.m, d)) {
                    w = pr->factor * l[d];
                    w = dfr.f * (w < pr->cap ? w : pr->cap);
                }
                heap_offer(&hp, (me_hit){d, t + w});
            }
        }
        if (rest)
            roaring_bitmap_free(rest);
    }
    if (any_big) {
        size_t len = 0;
        const uint32_t *o = popularity_order(c, pr, &len, err);
        if (!o) {
            rc = -1;
            goto done;
        }
        size_t settled = 0;
        for (size_t i = 0; i < len; i++) {
            if (i == settled)
                settled = pop_settle(i);
            uint32_t d = o[i];
            double key = pop_key[d];
            if (hp.n == k) {
                /* Every later document has at most this prior, and a
                 * larger docid when it ties. */
                me_hit bound = {d, big_max + dfr.f * key};
                if (!before(&bound, &hp.h[0]))
                    break;
            }
            if (!roaring_bitmap_contains(set, d))
                continue;
            double t = score_of(d);
            long j = class_of(slots, cl, t);
            if (j < 0 || (size_t)j >= need || cl[j].n <= ME_CLASS_SMALL)
                continue;
            double w = roaring_bitmap_contains(dfr.m, d) ? dfr.f * key : 0;
            heap_offer(&hp, (me_hit){d, t + w});
        }
    }
    heap_take(&hp, out, nout);
    rc = 1;
done:
    free(hp.h);
    free(slots);
    free(cl);
    return rc;
}

/* ---- ranking by a walk in popularity order ------------------------------------ */

/* The tree compiled for scoring one document at a time: each node with
 * its leaf set, its weight as a MAX child, and its kids in wk_kids. */
typedef struct wnode {
    const mt_node *q;
    const roaring_bitmap_t *set; /* TERM, SYNONYM: every document it matches */
    double f;                    /* TERM, SYNONYM: the weight it adds (its scale) */
    double w;                    /* a MAX child's constant weight */
    uint32_t first, n;           /* kids: wk.kid[first .. first + n) */
    int selective;               /* a weighted leaf held by few documents */
} wnode;

typedef struct walk {
    wnode *v;
    uint32_t *kid;
    size_t n, cap, nkid, kcap;
    const double *logv;          /* the prior's ln(1 + value) by docid */
    const double *vals;          /* and its value: the prior matches where it is not 0 */
    const mt_node *prior;        /* the one weighted PRIOR node */
    double prior_f;              /* and the scale it is under */
    int priors;                  /* weighted PRIOR nodes met */
} walk;

static int max_w_cmp(const void *a, const void *b, void *ctx);

/* The leaf under a chain of SCALEs from node i, or -1. */
static long walk_leaf(const walk *w, uint32_t i)
{
    while (w->v[i].q->op == MT_SCALE)
        i = w->kid[w->v[i].first];
    mt_op op = w->v[i].q->op;
    return op == MT_TERM || op == MT_SYNONYM || op == MT_ALL ? (long)i : -1;
}

/* In a MAX, a selective kid weighing no more than a broad one cannot raise
 * the MAX's bound: it need not be set aside (its documents scored first),
 * and typo variants and completions, small and weighing less than the
 * word itself, no longer swell the selective documents. */
static void walk_max_broaden(walk *w, size_t at)
{
    const wnode *x = &w->v[at];
    double broad = -1;
    for (uint32_t j = 0; j < x->n; j++) {
        long l = walk_leaf(w, w->kid[x->first + j]);
        if (l < 0)
            return; /* a kid of another shape: left as it is */
        if (!w->v[l].selective && w->v[w->kid[x->first + j]].w > broad)
            broad = w->v[w->kid[x->first + j]].w;
    }
    for (uint32_t j = 0; j < x->n; j++) {
        uint32_t k = w->kid[x->first + j];
        long l = walk_leaf(w, k);
        if (w->v[l].selective && w->v[k].w <= broad)
            w->v[l].selective = 0;
    }
}

/* Compiles q (under scale f) into w; returns the node's index or -1. */
static long walk_compile(me_ctx *c, walk *w, const mt_node *q, double f, uint64_t selective_max,
                         xap_err *err)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        wnode *nv = realloc(w->v, cap * sizeof *nv);
        if (!nv)
            return oom(err), -1;
        w->v = nv;
        w->cap = cap;
    }
    size_t at = w->n++;
    w->v[at] = (wnode){.q = q, .w = 1.0};
    switch (q->op) {
    case MT_TERM:
    case MT_SYNONYM: {
        const roaring_bitmap_t *s =
            q->op == MT_TERM ? docsets_term(c->ds, c->db, q->term, q->len, &c->scratch, err)
                             : me_match(c, q, err);
        if (!s)
            return -1;
        w->v[at].set = s;
        w->v[at].f = f;
        w->v[at].selective = f > 0 && roaring_bitmap_get_cardinality(s) <= selective_max;
        return (long)at;
    }
    case MT_PRIOR:
        if (f > 0) {
            w->priors++;
            w->prior = q;
            w->prior_f = f;
        }
        return (long)at;
    case MT_ALL:
    case MT_NOTHING:
        return (long)at;
    default:
        break;
    }
    /* Kids: compiled first (they append nodes), then listed together. */
    long ids[64], *iv = ids;
    if (q->nkids > 64 && !(iv = malloc(q->nkids * sizeof *iv)))
        return oom(err), -1;
    int rc = 0;
    for (size_t i = 0; i < q->nkids && rc == 0; i++) {
        /* Weighted as add() weighs them: FILTER's and AND_NOT's second
         * kid and AND_MAYBE's second under its scale only decide matching
         * or add; SCALE multiplies. */
        double kf = f;
        if (q->op == MT_SCALE)
            kf = f * q->factor;
        else if ((q->op == MT_FILTER || q->op == MT_AND_NOT) && i == 1)
            kf = 0;
        if ((iv[i] = walk_compile(c, w, q->kids[i], kf, selective_max, err)) < 0)
            rc = -1;
        else if (q->op == MT_MAX && !mt_constant(q->kids[i], &w->v[iv[i]].w)) {
            err->code = XAP_E_INVALID;
            snprintf(err->msg, sizeof err->msg, "match_eval: MAX over a child of varying weight");
            rc = -1;
        }
    }
    if (rc == 0 && w->nkid + q->nkids > w->kcap) {
        size_t cap = w->kcap ? 2 * w->kcap : 64;
        while (cap < w->nkid + q->nkids)
            cap *= 2;
        uint32_t *nk = realloc(w->kid, cap * sizeof *nk);
        if (!nk)
            rc = -1, oom(err);
        else
            w->kid = nk, w->kcap = cap;
    }
    if (rc == 0) {
        w->v[at].first = (uint32_t)w->nkid;
        w->v[at].n = (uint32_t)q->nkids;
        for (size_t i = 0; i < q->nkids; i++)
            w->kid[w->nkid++] = (uint32_t)iv[i];
        /* A MAX is decided by its best matching kid: best first. */
        if (q->op == MT_MAX) {
            qsort_r(w->kid + w->v[at].first, q->nkids, sizeof *w->kid, max_w_cmp, w->v);
            walk_max_broaden(w, at);
        }
    }
    if (iv != ids)
        free(iv);
    return rc == 0 ? (long)at : -1;
}

static int max_w_cmp(const void *a, const void *b, void *ctx)
{
    const wnode *v = ctx;
    double x = v[*(const uint32_t *)a].w, y = v[*(const uint32_t *)b].w;
    return x > y ? -1 : x < y;
}

/* 1 if node i matches d, adding f × its weight to *s (as add() credits). */
static int walk_score(const walk *w, uint32_t i, uint32_t d, double f, double *s)
{
    const wnode *x = &w->v[i];
    const uint32_t *k = w->kid + x->first;
    double t = 0;
    switch (x->q->op) {
    case MT_TERM:
    case MT_SYNONYM:
        if (!roaring_bitmap_contains(x->set, d))
            return 0;
        *s += f;
        return 1;
    case MT_ALL:
        *s += f;
        return 1;
    case MT_NOTHING:
        return 0;
    case MT_PRIOR: {
        if (f > 0) {
            double p = x->q->factor * w->logv[d];
            *s += f * (p < x->q->cap ? p : x->q->cap);
        }
        return w->vals[d] != 0; /* as prior_set */
    }
    case MT_SCALE:
        return walk_score(w, k[0], d, f * x->q->factor, s);
    case MT_OR: {
        int any = 0;
        for (uint32_t j = 0; j < x->n; j++)
            any |= walk_score(w, k[j], d, f, s);
        return any;
    }
    case MT_AND:
        for (uint32_t j = 0; j < x->n; j++)
            if (!walk_score(w, k[j], d, f, &t))
                return 0;
        *s += t;
        return 1;
    case MT_AND_MAYBE:
        if (!walk_score(w, k[0], d, f, &t))
            return 0;
        walk_score(w, k[1], d, f, &t);
        *s += t;
        return 1;
    case MT_FILTER:
        if (!walk_score(w, k[0], d, f, &t) || !walk_score(w, k[1], d, 0, &t))
            return 0;
        *s += t;
        return 1;
    case MT_AND_NOT:
        if (!walk_score(w, k[0], d, f, &t) || walk_score(w, k[1], d, 0, &t))
            return 0;
        *s += t;
        return 1;
    case MT_MAX:
        for (uint32_t j = 0; j < x->n; j++)
            if (walk_score(w, k[j], d, 0, &t)) {
                *s += f * w->v[k[j]].w;
                return 1;
            }
        return 0;
    }
    return 0;
}

/* The most node i adds (under f) to a document that matches none of the
 * selective leaves, the prior left out; *can: whether such a document can
 * match the node at all. */
static double walk_bound(const walk *w, uint32_t i, double f, int *can)
{
    const wnode *x = &w->v[i];
    const uint32_t *k = w->kid + x->first;
    double b = 0, kb;
    int kc;
    *can = 1;
    switch (x->q->op) {
    case MT_TERM:
    case MT_SYNONYM:
        if (x->selective) {
            *can = 0;
            return 0;
        }
        return f;
    case MT_ALL:
        return f;
    case MT_NOTHING:
        *can = 0;
        return 0;
    case MT_PRIOR:
        return 0;
    case MT_SCALE:
        return walk_bound(w, k[0], f * x->q->factor, can);
    case MT_OR:
    case MT_MAX:
        *can = 0;
        for (uint32_t j = 0; j < x->n; j++) {
            kb = walk_bound(w, k[j], f, &kc);
            if (!kc)
                continue;
            *can = 1;
            b = x->q->op == MT_OR ? b + kb : (kb > b ? kb : b);
        }
        return b;
    case MT_AND:
        for (uint32_t j = 0; j < x->n; j++) {
            b += walk_bound(w, k[j], f, &kc);
            *can &= kc;
        }
        return b;
    case MT_AND_MAYBE:
        b = walk_bound(w, k[0], f, can);
        kb = walk_bound(w, k[1], f, &kc);
        return kc ? b + kb : b;
    case MT_FILTER:
        b = walk_bound(w, k[0], f, can);
        walk_bound(w, k[1], 0, &kc);
        *can &= kc;
        return b;
    case MT_AND_NOT:
        return walk_bound(w, k[0], f, can);
    }
    return 0;
}

/* Matches held by fewer than 1/ME_WALK_SELECTIVE of them make a leaf
 * selective; the walk applies when the selective leaves hold at most
 * 1/ME_WALK_SEED_SHARE of the matches, and stops walking after scoring
 * 4k + 1/ME_WALK_BUDGET of them (walk_prune ends it then, or ranking by
 * classes takes over). A document scored alone costs about what 40 cost
 * in ranking by classes (~3 us against a planner tree of 70 nodes at 1M
 * entities), so a walk that gives up adds at most a sixth to the classes
 * that follow; in the bench mix, the median walk that succeeded scored
 * 10 documents and nine in ten under 1/300 of the matches. */
#define ME_WALK_SELECTIVE 16
#define ME_WALK_SEED_SHARE 4
#define ME_WALK_BUDGET 256
/* The walk visits the whole index in prior order, matches or not: the
 * matches must be at least 1/ME_WALK_DENSITY of it. */
#define ME_WALK_DENSITY 64

/* A walk that would go on too long ends here. The k-th best so far, θ, is
 * a floor: a document not yet scored (`skip`: the selective and visited
 * ones are) beats it only if its text reaches θ minus the most prior it
 * can have (`prior_left`, that of the walk's next document). Broad leaves
 * are set aside, one by one, until the rest's bound is below that; only
 * their documents can still rank, and they are scored. Returns
 * 1 with hp complete, 0 when that is still too many documents, -1 on
 * error. */
static int walk_prune(me_ctx *c, walk *w, uint32_t root, const mt_node *q,
                      const roaring_bitmap_t *set, const roaring_bitmap_t *skip, heap *hp,
                      double prior_left, xap_err *err)
{
    if (hp->n < hp->k)
        return 0;
    double theta = hp->h[0].score;
    double limit = theta - prior_left - fabs(theta) * 4 * ME_SCORE_EPS;
    uint32_t *lv = malloc((w->n + 1) * sizeof *lv);
    const roaring_bitmap_t **parts = malloc((w->n + 1) * sizeof *parts);
    roaring_bitmap_t *cand = NULL;
    me_hit *top = NULL;
    size_t nl = 0, j = 0, ntop = 0;
    int rc = -1, can = 1;
    if (!lv || !parts) {
        oom(err);
        goto out;
    }
    for (uint32_t i = 0; i < w->n; i++)
        if ((w->v[i].q->op == MT_TERM || w->v[i].q->op == MT_SYNONYM) && !w->v[i].selective &&
            w->v[i].f > 0)
            lv[nl++] = i;
    rc = 0;
    /* Greedily, the leaf whose setting aside lowers the bound most per
     * document it brings (a broad word everyone has lowers it as much as
     * a field few documents match). */
    double b = walk_bound(w, root, 1.0, &can);
    while (b >= limit && can) {
        size_t best = nl;
        double best_gain = 0, best_b = b;
        for (size_t i = j; i < nl; i++) {
            int kc;
            w->v[lv[i]].selective = 1;
            double nb = walk_bound(w, root, 1.0, &kc);
            w->v[lv[i]].selective = 0;
            nb = kc ? nb : -HUGE_VAL;
            double gain = (b - nb) / (1.0 + (double)roaring_bitmap_get_cardinality(w->v[lv[i]].set));
            if (nb < b && gain > best_gain) {
                best = i;
                best_gain = gain;
                best_b = nb;
            }
        }
        if (best == nl)
            goto out; /* no leaf lowers it */
        uint32_t t = lv[j];
        lv[j] = lv[best];
        lv[best] = t;
        w->v[lv[j]].selective = 1;
        parts[j] = w->v[lv[j]].set;
        j++;
        b = best_b;
        can = b > -HUGE_VAL;
    }
    if (!(cand = j ? roaring_bitmap_or_many(j, parts) : roaring_bitmap_create())) {
        rc = -1;
        oom(err);
        goto out;
    }
    roaring_bitmap_and_inplace(cand, set);
    roaring_bitmap_andnot_inplace(cand, skip);
    uint64_t card = roaring_bitmap_get_cardinality(set);
    if (roaring_bitmap_get_cardinality(cand) * ME_WALK_SEED_SHARE > card)
        goto out;
    rc = -1;
    if (!roaring_bitmap_is_empty(cand) && rank_all(c, q, cand, hp->k, &top, &ntop, err) != 0)
        goto out;
    for (size_t i = 0; i < ntop; i++)
        heap_offer(hp, top[i]);
    rc = 1;
out:
    free(top);
    if (cand)
        roaring_bitmap_free(cand);
    free(parts);
    free(lv);
    return rc;
}


#ifdef ME_CHUNKS
/* The documents the walk may score (the set less the selective ones) as
 * one bitset over the index, in the thread's buffer: each position of the
 * popularity order it visits is then one bit test instead of two searches
 * in CRoaring containers, and a walk visits thousands (a sixth of them
 * matching, for a set of a sixth of the index). Built from the containers
 * in tens of microseconds. NULL when out of memory. */
static _Thread_local uint64_t *walk_bits;
static _Thread_local size_t walk_words;

static const uint64_t *walk_members(const roaring_bitmap_t *set, const roaring_bitmap_t *sel,
                                    uint32_t last)
{
    size_t words = (((size_t)last >> 16) + 1) * CW;
    if (walk_words < words) {
        free(walk_bits);
        walk_words = (walk_bits = calloc(words, sizeof *walk_bits)) ? words : 0;
        if (!walk_bits)
            return NULL;
    } else {
        memset(walk_bits, 0, words * sizeof *walk_bits);
    }
    const roaring_array_t *ra = &set->high_low_container;
    for (int32_t i = 0; i < ra->size; i++)
        if (((size_t)ra->keys[i] + 1) * CW <= words)
            ck_and(set, ra->keys[i], ck_ones, walk_bits + (size_t)ra->keys[i] * CW);
    uint64_t t[CW];
    ra = &sel->high_low_container;
    for (int32_t i = 0; i < ra->size; i++) {
        if (((size_t)ra->keys[i] + 1) * CW > words || !ck_and(sel, ra->keys[i], ck_ones, t))
            continue;
        uint64_t *w = walk_bits + (size_t)ra->keys[i] * CW;
        for (size_t j = 0; j < CW; j++)
            w[j] &= ~t[j];
    }
    return walk_bits;
}
#endif

/* A walk scores its first ME_WALK_ALONE documents one by one (the median
 * walk stops after ten), then in batches that double up to
 * ME_WALK_BATCH_MAX, each scored as a set: one pass of the tree over a
 * batch costs each leaf a container intersection rather than a lookup
 * per document (at 1M entities the longest walks of the bench mix took
 * 40% less). A batch overshoots where the walk would have stopped by at
 * most its size, that is by at most the documents already scored. */
#define ME_WALK_BATCH_MAX 1024
static _Atomic unsigned walk_alone = ME_WALK_ALONE;

void me_set_walk_alone(unsigned n)
{
    walk_alone = n;
}

/* Scores the batch, offers its best to the heap, and empties it into
 * `visited`. */
static int walk_flush(me_ctx *c, const mt_node *q, roaring_bitmap_t *batch,
                      roaring_bitmap_t *visited, heap *hp, xap_err *err)
{
    if (roaring_bitmap_is_empty(batch))
        return 0;
    me_hit *top = NULL;
    size_t ntop = 0;
    if (rank_all(c, q, batch, hp->k, &top, &ntop, err) != 0)
        return -1;
    for (size_t i = 0; i < ntop; i++)
        heap_offer(hp, top[i]);
    free(top);
    roaring_bitmap_or_inplace(visited, batch);
    roaring_bitmap_clear(batch);
    n_walk_batches++;
    return 0;
}

/* Most broad queries have many documents at their best text score, and
 * the prior orders them: so the documents of the selective leaves (exact
 * names, typo variants, rare fields) are scored exactly, and the others
 * visited in descending prior order, each scored alone, until no later
 * document can beat the k-th best (its text score is at most the bound of
 * the broad leaves, its prior at most the current one). Returns 1 with
 * the answer, 0 when it does not apply or would cost more than ranking by
 * classes, -1 on error. */
static int top_walk(me_ctx *c, const mt_node *q, const roaring_bitmap_t *set, size_t k,
                    const ranked_seed *done_before, me_hit **out, size_t *nout, xap_err *err)
{
    uint64_t card = roaring_bitmap_get_cardinality(set);
    walk w = {0};
    roaring_bitmap_t *sel = NULL, *visited = NULL, *batch = NULL;
    const roaring_bitmap_t **parts = NULL;
    me_hit *seed = NULL;
    size_t nseed = 0, nparts = 0;
    heap hp = {NULL, 0, k};
    int rc = -1;
    if (card * ME_WALK_DENSITY < docsets_lastdocid(c->ds))
        return 0;
    long root = walk_compile(c, &w, q, 1.0, card / ME_WALK_SELECTIVE, err);
    if (root < 0)
        goto done;
    rc = 0;
    if (w.priors != 1 || !(w.prior_f > 0))
        goto done;
    rc = -1;
    if (!(w.logv = log_values(c, w.prior->slot, err)) ||
        !(w.vals = docsets_values(c->ds, c->db, w.prior->slot, err)))
        goto done;
    if (!(parts = malloc((w.n + 1) * sizeof *parts))) {
        oom(err);
        goto done;
    }
    for (size_t i = 0; i < w.n; i++)
        if (w.v[i].selective)
            parts[nparts++] = w.v[i].set;
    if (!(sel = nparts ? roaring_bitmap_or_many(nparts, parts) : roaring_bitmap_create())) {
        oom(err);
        goto done;
    }
    roaring_bitmap_and_inplace(sel, set);
    rc = 0;
    if (roaring_bitmap_get_cardinality(sel) * ME_WALK_SEED_SHARE > card)
        goto done;
    rc = -1;
    if (!(hp.h = malloc(k * sizeof *hp.h))) {
        oom(err);
        goto done;
    }
    /* The selective documents are scored first: their best (an exact
     * name) often ends the walk at once. (Scoring them after a walk that
     * succeeded on the others alone was measured slower at 1M: the walk
     * then ran longer, or gave up, more often than it saved.) */
    if (done_before && done_before->docs) {
        /* Scored already: their best go in the heap, and from here on
         * they count as selective (neither scored again nor walked). */
        for (size_t i = 0; i < done_before->ntop; i++)
            heap_offer(&hp, done_before->top[i]);
        roaring_bitmap_andnot_inplace(sel, done_before->docs);
        n_walk_seeded++;
    }
    if (!roaring_bitmap_is_empty(sel)) {
        if (rank_all(c, q, sel, k, &seed, &nseed, err) != 0)
            goto done;
        for (size_t i = 0; i < nseed; i++)
            heap_offer(&hp, seed[i]);
    }
    if (done_before && done_before->docs)
        roaring_bitmap_or_inplace(sel, done_before->docs);
    int can;
    double bound = walk_bound(&w, (uint32_t)root, 1.0, &can);
    size_t len = 0;
    const uint32_t *o = can ? popularity_order(c, w.prior, &len, err) : NULL;
    if (can && !o)
        goto done;
    uint64_t budget = card / ME_WALK_BUDGET + 4 * k, scored = 0;
    const uint64_t *memb = NULL;
#ifdef ME_CHUNKS
    memb = walk_members(set, sel, docsets_lastdocid(c->ds));
#endif
    size_t alone = walk_alone, settled = 0, batch_max = alone ? alone : 1;
    if (!(visited = roaring_bitmap_create()) || !(batch = roaring_bitmap_create())) {
        oom(err);
        goto done;
    }
    for (size_t i = 0; i < len; i++) {
        if (i == settled)
            settled = pop_settle(i);
        uint32_t d = o[i];
        if (hp.n == k) {
            /* Every later document has at most this prior, and a larger
             * docid when it ties. (Documents waiting in the batch can only
             * raise the k-th best: stopping on the heap without them is
             * safe, and at most a batch late.) */
            me_hit best = {d, bound + w.prior_f * pop_key[d]};
            if (!before(&best, &hp.h[0]))
                break;
        }
        if (memb ? !((memb[d >> 6] >> (d & 63)) & 1)
                 : !roaring_bitmap_contains(set, d) || roaring_bitmap_contains(sel, d))
            continue;
        if (++scored > budget) {
            if (walk_flush(c, q, batch, visited, &hp, err) != 0)
                goto done;
            roaring_bitmap_or_inplace(visited, sel);
            if ((rc = walk_prune(c, &w, (uint32_t)root, q, set, visited, &hp,
                                 w.prior_f * pop_key[d], err)) != 1)
                goto done;
            n_walk_pruned++;
            break;
        }
        if (scored <= alone) {
            double s = 0;
            walk_score(&w, (uint32_t)root, d, 1.0, &s);
            heap_offer(&hp, (me_hit){d, s});
            roaring_bitmap_add(visited, d);
            continue;
        }
        roaring_bitmap_add(batch, d);
        if (roaring_bitmap_get_cardinality(batch) >= batch_max) {
            if (walk_flush(c, q, batch, visited, &hp, err) != 0)
                goto done;
            if (batch_max < ME_WALK_BATCH_MAX)
                batch_max *= 2;
        }
    }
    if (walk_flush(c, q, batch, visited, &hp, err) != 0)
        goto done;
    heap_take(&hp, out, nout);
    rc = 1;
done:
    free(hp.h);
    free(seed);
    if (sel)
        roaring_bitmap_free(sel);
    if (visited)
        roaring_bitmap_free(visited);
    if (batch)
        roaring_bitmap_free(batch);
    free(parts);
    free(w.v);
    free(w.kid);
    return rc;
}

/* The best k of `set`: all of it scored when small; else MaxScore when a
 * few selective leaves decide; else the walk in popularity order when
 * the broad leaves' best is common; else the text scored with the prior
 * set aside and ranked by classes; else every match scored. */
int me_top(me_ctx *c, const mt_node *q, const roaring_bitmap_t *set, size_t k, me_hit **out,
           size_t *n, xap_err *err)
{
    *out = NULL;
    *n = 0;
    if (k == 0 || roaring_bitmap_is_empty(set))
        return 0;
    if (acc_ready(docsets_lastdocid(c->ds), err) != 0)
        return -1;
    if (roaring_bitmap_get_cardinality(set) <= 4 * k) {
        n_all++;
        return rank_all(c, q, set, k, out, n, err);
    }
    unsigned may = rankings;
    ranked_seed seed = {0};
    int rc = (may & ME_RANK_MAXSCORE) ? top_maxscore(c, q, set, k, out, n, &seed, err) : 0;
    if (rc != 0) {
        ranked_seed_free(&seed);
        n_maxscore += rc > 0;
        return rc < 0 ? -1 : 0;
    }
    rc = (may & ME_RANK_WALK) ? top_walk(c, q, set, k, &seed, out, n, err) : 0;
    ranked_seed_free(&seed);
    if (rc != 0) {
        n_walk += rc > 0;
        return rc < 0 ? -1 : 0;
    }
    if (scoring_begin(set, err) != 0)
        return -1;
    dfr = (deferral){.active = 1};
    rc = score_set(c, q, set, err);
    dfr.active = 0;
    if (rc == 0 && dfr.count == 1 && (may & ME_RANK_CLASSES)) {
        rc = top_classes(c, set, k, out, n, err);
        rc = rc < 0 ? -1 : rc == 1 ? 2 : 0;
    } else if (rc == 0 && dfr.count == 0) {
        rc = select_top(set, k, acc_score, NULL, out, n, err) == 0 ? 2 : -1;
    }
    scoring_end();
    if (dfr.m)
        roaring_bitmap_free(dfr.m);
    dfr = (deferral){0};
    if (rc == 2) {
        n_classes++;
        return 0;
    }
    if (rc < 0)
        return -1;
    n_all++;
    return rank_all(c, q, set, k, out, n, err);
}

int me_doc_terms(me_ctx *c, const mt_node *q, uint32_t d,
                 unsigned (*kind)(const char *term, size_t len), unsigned *mask, xap_err *err)
{
    if (q->op == MT_TERM) {
        unsigned k = kind(q->term, q->len);
        if (!(k & ~*mask))
            return 0;
        const roaring_bitmap_t *b = docsets_term(c->ds, c->db, q->term, q->len, &c->scratch, err);
        if (!b)
            return -1;
        if (roaring_bitmap_contains(b, d))
            *mask |= k;
        return 0;
    }
    for (size_t i = 0; i < q->nkids; i++)
        if (me_doc_terms(c, q->kids[i], d, kind, mask, err) != 0)
            return -1;
    return 0;
}

static double value_score(uint32_t d, const void *ctx)
{
    return ((const double *)ctx)[d];
}

int me_top_by_value(me_ctx *c, const roaring_bitmap_t *set, unsigned slot, size_t k, me_hit **out,
                    size_t *n, xap_err *err)
{
    const double *v = docsets_values(c->ds, c->db, slot, err);
    if (!v || acc_ready(docsets_lastdocid(c->ds), err) != 0)
        return -1;
    return select_top(set, k, value_score, v, out, n, err);
}

static void thread_exit(void *unused)
{
    (void)unused;
    free(acc);
    free(ids);
    free(logv);
    free(key_buf);
    key_buf = NULL;
    key_cap = key_len = 0;
    free(pop_order);
    free(pop_key);
    acc = pop_key = logv = NULL;
    ids = pop_order = NULL;
    acc_len = logv_len = pop_len = 0;
#ifdef ME_CHUNKS
    free(ck_pool);
    free(ck_ids);
    free(walk_bits);
    ck_pool = NULL;
    ck_ids = NULL;
    walk_bits = NULL;
    walk_words = 0;
#endif
}
