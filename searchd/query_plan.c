/* query_plan.c — the Xapian query of an expanded plan (see query_plan.h).
 *
 * Shape, for words w1..wn:
 *   AND( word(w1), ..., word(wn) )              (OR in "any" mode)
 *   word(w)  = OR( AND(unit(part) for each part), unit(joined), AND(unit(half1), unit(half2)) )
 *   a span of adjacent words that the vocabulary knows joined replaces
 *   word(wi) AND ... AND word(wj) by OR( AND(word(wi), ..., word(wj)), unit(span) )
 *   unit(u)  = OR over text fields f with a boost > 0 of
 *                MAX over weight groups g present in f of
 *                  SCALE( SYNONYM(f-prefixed alternatives of group g), boost_f × weight_g )
 *                (and, for stemmed fields, the exact forms' stems scaled by stem_factor):
 *              a field scores the best way the form matched it, fields add up.
 * OP_SYNONYM makes the alternatives of one group one pseudo-term (their
 * wdfs summed, one idf), so twenty typo variants count once, not twenty times.
 *
 * Weighting is coordinate matching (Xapian's CoordWeight): a matching leaf
 * weighs exactly its scale factor, so a name match is worth the name boost
 * (10 by default), a typo in it half that, and the exact bonus, the
 * popularity cap and the field boosts of the ranking config are all on one
 * scale an admin can reason about. Entities that match the same way tie,
 * and the popularity prior orders them. BM25 was measured against it on the
 * relevance set (tests/relevance) and lost: term frequency and document
 * length say little about catalog entities (a document is a whole entity,
 * every column and description), and its unbounded idf let partial matches
 * outscore exact ones.
 *
 * Type and platform boosts multiply the text score. Xapian 1.4 has no
 * multiplicative operator, but each document has one type and at most one
 * platform, so the documents split into disjoint classes by (type boost,
 * platform boost), and the text query FILTERed to each class and scaled by
 * its product, ORed together, gives every document exactly its text score ×
 * its boosts. Types (platforms) sharing a boost share a class, so a config
 * with k distinct type values and m platform values costs (k+1)(m+1)
 * branches; the config refuses more than RK_BOOST_GROUPS_MAX values each,
 * and the defaults (no boosts) cost nothing.
 */
#include "searchd/query_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest Xapian term: 245 bytes. */
#define QP_TERM_MAX 245

/* A stem-only match ("orders" for "order") counts a little less than the
 * word itself, which also matches through the unstemmed term. */
#define QP_STEM_FACTOR 0.6

void qp_rank_init(qp_rank *r, const ranking_config *cfg)
{
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    for (int f = 0; f < F_COUNT; f++)
        r->field_weight[f] = cfg->boosts[f];
    r->group_weight[QP_G_EXACT] = 1.0;
    r->group_weight[QP_G_TYPO1] = cfg->one_edit_weight;
    r->group_weight[QP_G_TYPO2] = cfg->two_edits_weight;
    r->group_weight[QP_G_PREFIX] = cfg->prefix_weight;
    /* A split ("customerorders" → customer orders) is one edit: a space. */
    r->group_weight[QP_G_SPLIT] = cfg->one_edit_weight;
    r->stem_factor = QP_STEM_FACTOR;
    r->type_boosts = 1;
}

int qp_set_weighting(xap_enquire *e, xap_err *err)
{
    return xap_enquire_set_coord(e, err);
}

/* A growable list of subqueries that frees what it holds. */
typedef struct qlist {
    mt_node **v;
    size_t n, cap;
} qlist;

static int ql_push(qlist *l, mt_node *q)
{
    if (!q)
        return -1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        mt_node **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) {
            mt_free(q);
            return -1;
        }
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = q;
    return 0;
}

static void ql_free(qlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        mt_free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Sets err for an allocation failure; returns NULL. */
static mt_node *oom(xap_err *err)
{
    err->code = XAP_E_NOMEM;
    snprintf(err->msg, sizeof err->msg, "query_plan: out of memory");
    return NULL;
}

/* Combines and frees the list; a single query is returned as is, none
 * gives MatchNothing. */
static mt_node *ql_combine(qlist *l, mt_op op, xap_err *err)
{
    mt_node *q;
    if (l->n == 1) {
        q = l->v[0];
        l->n = 0;
    } else if (l->n == 0) {
        q = mt_nothing();
    } else {
        q = mt_combine(op, l->v, l->n);
    }
    ql_free(l);
    return q ? q : oom(err);
}

static mt_node *scaled(mt_node *q, double factor, xap_err *err)
{
    if (!q)
        return NULL;
    mt_node *s = mt_scale(q, factor);
    mt_free(q);
    return s ? s : oom(err);
}

/* Pushes prefix+mark+body as a term; a term longer than Xapian allows
 * cannot be in the index and is left out. */
static int push_term(qlist *l, const char *prefix, const char *mark, const char *body, xap_err *err)
{
    char buf[QP_TERM_MAX + 1];
    int n = snprintf(buf, sizeof buf, "%s%s%s", prefix, mark, body);
    if (n < 0 || (size_t)n >= sizeof buf)
        return 0;
    mt_node *t = mt_term(buf, (size_t)n);
    return ql_push(l, t ? t : oom(err));
}

/* One weight group of unit u in field f (stems: its stemmed terms). */
/* One weight group of unit u in field f: its alternatives' terms, or (stems)
 * their stems. Stems are not in the vocabulary, so a stemmed field is
 * always searched for the stems of the forms typed and their synonyms. */
static int push_group(qlist *out, const qp_rank *rank, const qp_unit *u, const field_def *fd,
                      qp_group g, int stems, xap_err *err)
{
    qlist terms = {0};
    for (size_t i = 0; i < u->nalts; i++) {
        const qp_alt *a = &u->alts[i];
        if (a->group != g)
            continue;
        if (stems) {
            int dup = 0;
            for (size_t j = 0; j < i && !dup; j++)
                dup = u->alts[j].group == g && u->alts[j].stem && a->stem &&
                      strcmp(u->alts[j].stem, a->stem) == 0;
            if (!a->stem || dup)
                continue;
        } else if (!(a->fields & (1u << fd->id))) {
            continue;
        }
        if (push_term(&terms, fd->prefix, stems ? TERM_STEM_MARK : "", stems ? a->stem : a->term,
                      err) < 0) {
            ql_free(&terms);
            return -1;
        }
    }
    if (terms.n == 0) {
        ql_free(&terms);
        return 0;
    }
    double w = rank->field_weight[fd->id] * rank->group_weight[g] * (stems ? rank->stem_factor : 1);
    return ql_push(out, scaled(ql_combine(&terms, MT_SYNONYM, err), w, err));
}

static mt_node *unit_query(const qp_rank *rank, const qp_unit *u, xap_err *err)
{
    qlist l = {0}, field = {0};
    for (int f = 0; f < F_COUNT; f++) {
        const field_def *fd = &FIELDS[f];
        if (!(fd->flags & FIELD_TEXT) || !fd->prefix || rank->cfg->boosts[f] <= 0)
            continue; /* a field with boost 0 is not searched at all */
        if (rank->only_fields && !(rank->only_fields & (1u << f)))
            continue;
        for (int g = 0; g < QP_G_COUNT; g++)
            if (push_group(&field, rank, u, fd, (qp_group)g, 0, err) < 0)
                goto fail;
        if ((fd->flags & FIELD_STEMMED) && push_group(&field, rank, u, fd, QP_G_EXACT, 1, err) < 0)
            goto fail;
        /* One field scores its best alternative, not their sum: "orders"
         * matching as itself, as a completion and as a typo of "order" is
         * still one match of one word. */
        if (field.n && ql_push(&l, ql_combine(&field, MT_MAX, err)) < 0)
            goto fail;
    }
    return ql_combine(&l, MT_OR, err);
fail:
    ql_free(&field);
    ql_free(&l);
    return NULL;
}

static mt_node *word_query(const qp_rank *rank, const qp_word *w, xap_err *err)
{
    qlist alt = {0}, parts = {0};
    for (size_t i = 0; i < w->nparts; i++)
        if (ql_push(&parts, unit_query(rank, &w->part_units[i], err)) < 0)
            goto fail;
    if (w->nparts && ql_push(&alt, ql_combine(&parts, MT_AND, err)) < 0)
        goto fail;
    if (w->joined_unit.nalts && ql_push(&alt, unit_query(rank, &w->joined_unit, err)) < 0)
        goto fail;
    if (w->split[0].nalts && w->split[1].nalts) {
        if (ql_push(&parts, unit_query(rank, &w->split[0], err)) < 0 ||
            ql_push(&parts, unit_query(rank, &w->split[1], err)) < 0 ||
            ql_push(&alt, ql_combine(&parts, MT_AND, err)) < 0)
            goto fail;
    }
    return ql_combine(&alt, MT_OR, err);
fail:
    ql_free(&parts);
    ql_free(&alt);
    return NULL;
}

mt_node *qp_words_query(const qp_plan *p, const qp_rank *rank, size_t nwords, mt_op op,
                        xap_err *err)
{
    qlist l = {0};
    if (nwords > p->nwords)
        nwords = p->nwords;
    for (size_t i = 0; i < nwords; i++) {
        const qp_word *w = &p->words[i];
        if (!w->part_units) {
            snprintf(err->msg, sizeof err->msg, "query_plan: qp_expand was not called");
            err->code = XAP_E_INVALID;
            goto fail;
        }
        size_t k = w->span_len;
        if (k >= 2 && i + k <= nwords && op == MT_AND) {
            /* The words, or the span's joined term. */
            qlist each = {0}, alt = {0};
            int bad = 0;
            for (size_t j = i; j < i + k && !bad; j++)
                bad = ql_push(&each, word_query(rank, &p->words[j], err)) < 0;
            if (bad || ql_push(&alt, ql_combine(&each, MT_AND, err)) < 0 ||
                ql_push(&alt, unit_query(rank, &w->span, err)) < 0 ||
                ql_push(&l, ql_combine(&alt, MT_OR, err)) < 0) {
                ql_free(&each);
                ql_free(&alt);
                goto fail;
            }
            i += k - 1;
            continue;
        }
        if (ql_push(&l, word_query(rank, w, err)) < 0)
            goto fail;
        if (k >= 2 && i + k <= nwords && ql_push(&l, unit_query(rank, &w->span, err)) < 0)
            goto fail;
    }
    return ql_combine(&l, op, err);
fail:
    ql_free(&l);
    return NULL;
}

/* ---- the exact-match bonus ------------------------------------------------------ */

static double bonus_weight(const qp_rank *rank, const qp_bonus *b)
{
    switch (b->kind) {
    case QP_B_EXACT:
        return 1.0;
    case QP_B_TYPO:
        return rank->group_weight[b->edits >= 2 ? QP_G_TYPO2 : QP_G_TYPO1];
    default:
        return rank->group_weight[QP_G_PREFIX];
    }
}

int qp_bonus_query(const qp_plan *p, const qp_rank *rank, int kind_mask, mt_node **out,
                   xap_err *err)
{
    qlist l = {0};
    *out = NULL;
    for (size_t i = 0; i < p->nbonus; i++) {
        const qp_bonus *b = &p->bonus[i];
        if (!(kind_mask & (1 << b->kind)))
            continue;
        mt_node *t = mt_term(b->term, b->len);
        if (ql_push(&l, scaled(t ? t : oom(err), rank->cfg->exact_bonus * bonus_weight(rank, b),
                               err)) < 0) {
            ql_free(&l);
            return -1;
        }
    }
    if (l.n == 0) {
        ql_free(&l);
        return 0;
    }
    /* The best reason counts once: a name that is the query exactly and
     * also starts with it gains the exact bonus, not both. */
    *out = ql_combine(&l, MT_MAX, err);
    return *out ? 0 : -1;
}

/* ---- type and platform boosts ---------------------------------------------- */

/* The filter terms of `field` for the keys whose boost is `value` (or, when
 * `rest`, for every key whose boost is not 1), ORed; NULL in *out if none. */
static int keyed_filter(const rk_keyed *v, size_t n, field_id field, int rest, double value,
                        mt_node **out, xap_err *err)
{
    qlist l = {0};
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (rest ? v[i].boost == 1.0 : v[i].boost != value)
            continue;
        char body[RK_KEY_MAX_BYTES + 8];
        snprintf(body, sizeof body, ":%s", v[i].key);
        if (push_term(&l, FIELDS[field].filter_prefix, "", body, err) < 0) {
            ql_free(&l);
            return -1;
        }
    }
    if (l.n == 0) {
        ql_free(&l);
        return 0;
    }
    *out = ql_combine(&l, MT_OR, err);
    return *out ? 0 : -1;
}

/* The distinct boosts other than 1 (at most RK_BOOST_GROUPS_MAX by validation). */
static size_t distinct_boosts(const rk_keyed *v, size_t n, double *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].boost == 1.0)
            continue;
        size_t j = 0;
        while (j < k && out[j] != v[i].boost)
            j++;
        if (j == k && k < RK_BOOST_GROUPS_MAX)
            out[k++] = v[i].boost;
    }
    return k;
}

/* q OP f (f may be NULL: q unchanged); frees q and f. */
static mt_node *restrict_by(mt_node *q, mt_op op, mt_node *f, xap_err *err)
{
    if (!q || !f) {
        if (!f)
            return q;
        mt_free(f);
        return NULL;
    }
    mt_node *v[2] = {q, f};
    mt_node *r = mt_combine(op, v, 2);
    mt_free(q);
    mt_free(f);
    return r ? r : oom(err);
}

mt_node *qp_boosted(mt_node *text, const qp_rank *rank, xap_err *err)
{
    const ranking_config *c = rank->cfg;
    double tv[RK_BOOST_GROUPS_MAX], pv[RK_BOOST_GROUPS_MAX];
    size_t nt = rank->type_boosts ? distinct_boosts(c->type_boosts, c->ntype_boosts, tv) : 0;
    size_t np =
        rank->type_boosts ? distinct_boosts(c->platform_boosts, c->nplatform_boosts, pv) : 0;
    if (nt == 0 && np == 0)
        return mt_ref(text); /* the same tree */
    qlist branches = {0};
    /* Class index nt (np) is "every other type (platform)": boost 1. */
    for (size_t ti = 0; ti <= nt; ti++) {
        for (size_t pi = 0; pi <= np; pi++) {
            mt_node *q = mt_ref(text), *f = NULL;
            if (keyed_filter(c->type_boosts, c->ntype_boosts, F_TYPE, ti == nt,
                             ti < nt ? tv[ti] : 1.0, &f, err) < 0) {
                mt_free(q);
                goto fail;
            }
            q = restrict_by(q, ti < nt ? MT_FILTER : MT_AND_NOT, f, err);
            f = NULL;
            if (q && keyed_filter(c->platform_boosts, c->nplatform_boosts, F_PLATFORM, pi == np,
                                  pi < np ? pv[pi] : 1.0, &f, err) < 0) {
                mt_free(q);
                goto fail;
            }
            q = restrict_by(q, pi < np ? MT_FILTER : MT_AND_NOT, f, err);
            double factor = (ti < nt ? tv[ti] : 1.0) * (pi < np ? pv[pi] : 1.0);
            if (q && factor != 1.0)
                q = scaled(q, factor, err);
            if (ql_push(&branches, q) < 0)
                goto fail;
        }
    }
    return ql_combine(&branches, MT_OR, err);
fail:
    ql_free(&branches);
    return NULL;
}

mt_node *qp_popularity_prior(const qp_rank *rank, xap_err *err)
{
    const ranking_config *c = rank->cfg;
    if (!(c->popularity_weight >= 0 && c->popularity_cap >= 0)) { /* NaN too */
        err->code = XAP_E_INVALID;
        snprintf(err->msg, sizeof err->msg, "popularity weight and cap must be >= 0");
        return NULL;
    }
    mt_node *q = mt_prior(SLOT_POPULARITY, c->popularity_weight, c->popularity_cap);
    return q ? q : oom(err);
}
