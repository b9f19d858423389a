/* search_exec.c — composing, running and paging a search (see search_exec.h). */
#include "searchd/search_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/docbuild.h"
#include "model/fields.h"
#include "searchd/explain.h"
#include "searchd/highlight.h"
#include "searchd/hit_state.h"
#include "searchd/hits.h"
#include "searchd/limits.h"
#include "searchd/match_eval.h"
#include "searchd/work_pool.h"

/* Longest id term (doc_id_term): Xapian's 245-byte limit. */
#define QP_ID_TERM_MAX 245

/* Fails with the shim's error in xe. */
#define XFAIL(xe, err, errlen, what)                                                    \
    do {                                                                                \
        snprintf(err, errlen, "%s: %s", what, (xe)->msg);                               \
        return (xe)->code ? (xe)->code : XAP_E_GENERIC;                                 \
    } while (0)

static mt_node *nomem(xap_err *xe)
{
    xe->code = XAP_E_NOMEM;
    snprintf(xe->msg, sizeof xe->msg, "out of memory");
    return NULL;
}

/* q OP other, dropping the caller's reference to q (and to other when
 * `free_other`); NULL on failure. */
static mt_node *wrap(mt_node *q, mt_op op, mt_node *other, int free_other, xap_err *xe)
{
    mt_node *r = NULL;
    if (q && other) {
        mt_node *v[2] = {q, other};
        if (!(r = mt_combine(op, v, 2)))
            nomem(xe);
    }
    mt_free(q);
    if (free_other)
        mt_free(other);
    return r;
}

/* q (taken over) under the request's filters, without removed entities. */
static mt_node *filtered(const search_spec *sp, mt_node *q, xap_err *xe)
{
    if (q && sp->filter)
        q = wrap(q, MT_FILTER, (mt_node *)sp->filter, 0, xe);
    if (q && !sp->show_removed) {
        mt_node *removed = mt_term(TERM_REMOVED, strlen(TERM_REMOVED));
        q = removed ? wrap(q, MT_AND_NOT, removed, 1, xe) : (mt_free(q), nomem(xe));
    }
    return q;
}

/* The text query plus the popularity prior (NULL text: everything). */
static mt_node *scored(const search_spec *sp, mt_node *text, xap_err *xe)
{
    if (!text) {
        mt_node *all = mt_all();
        return all ? all : nomem(xe);
    }
    mt_node *prior = qp_popularity_prior(sp->rank, xe);
    return prior ? wrap(mt_ref(text), MT_AND_MAYBE, prior, 1, xe) : NULL;
}

/* One search: the revision's document sets, the query trees and what
 * matching them gave. */
typedef struct exec {
    const search_spec *sp;
    me_ctx *mc;           /* the search's match sets (shared by its passes) */
    mt_node *scored;      /* text (with type and platform boosts) + popularity */
    mt_node *bonus;       /* the exact-match bonus terms, or NULL */
    mt_node *full;        /* (scored, or a bonus term) + bonus, filtered */
    mt_node *columns;     /* the text query's column-field leaves: which of them a hit
                             holds says whether its columns matched (NULL: browsing) */
    me_hit *pins;         /* the pinned pass, by score */
    size_t npins;
    facet_run fr;
    hl_ctx hl;
    int hl_ready;
} exec;

static void exec_free(exec *x)
{
    mt_free(x->columns);
    free(x->pins);
    mt_free(x->full);
    mt_free(x->bonus);
    mt_free(x->scored);
    facets_run_free(&x->fr);
    if (x->hl_ready)
        hl_free(&x->hl);
}

/* One entry of the merged list. */
typedef struct ranked {
    xap_docid id;
    double score;
    int pinned;
    size_t order; /* position in the pinned list, or in the ranked list */
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->pinned != y->pinned)
        return y->pinned - x->pinned;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* What rendering hits reads: one thread's index handle, match context and
 * highlighter (none of them may be shared between threads). */
typedef struct render_ctx {
    xap_db *db;
    me_ctx *mc;
    hl_ctx *hl;
    const mt_node *columns; /* exec.columns */
} render_ctx;

/* The hit for r in *out; fills *ed for explain. */
static int emit(const render_ctx *rx, const ranked *r, json_t **out, explain_doc *ed, char *err,
                size_t errlen)
{
    unsigned fields = 0;
    xap_err xe = {0};
    if (rx->columns &&
        me_doc_terms(rx->mc, rx->columns, r->id, hit_column_kind, &fields, &xe) != 0) {
        snprintf(err, errlen, "matching terms: %s", xe.msg);
        return xe.code ? xe.code : XAP_E_GENERIC;
    }
    /* From its card; from its state when it has none (an older index). */
    hit_state ref;
    int rc = hs_load_card(rx->db, r->id, &ref, err, errlen);
    if (rc == 1)
        rc = hs_load(rx->db, r->id, &ref, err, errlen);
    if (rc != XAP_OK)
        return rc;
    json_t *hit = hit_json(rx->hl, fields, &ref.sum, r->score, err, errlen);
    if (hit && ed) {
        /* The summary's strings live only while ref is held: explain
         * keeps copies. */
        ed->id = r->id;
        ed->hit = hit;
        ed->urn = strdup(ref.sum.urn);
        ed->type = ref.sum.type ? strdup(ref.sum.type) : NULL;
        ed->platform = ref.sum.platform ? strdup(ref.sum.platform) : NULL;
        if (!ed->urn || (ref.sum.type && !ed->type) || (ref.sum.platform && !ed->platform)) {
            json_decref(hit);
            hit = NULL;
            snprintf(err, errlen, "out of memory");
        }
    }
    hs_free(&ref);
    if (!hit)
        return XAP_E_GENERIC;
    if (r->pinned)
        json_object_set_new(hit, "pinned", json_true());
    *out = hit;
    return XAP_OK;
}

/* OR of terms[0..n) (NULL with xe on failure). */
static mt_node *any_term(char *const *terms, const size_t *lens, size_t n, xap_err *xe)
{
    mt_node **v = calloc(n ? n : 1, sizeof *v), *q = NULL;
    size_t k = 0;
    if (!v)
        return nomem(xe);
    while (k < n && (v[k] = mt_term(terms[k], lens[k])))
        k++;
    if (k < n || !(q = mt_combine(MT_OR, v, n)))
        nomem(xe);
    for (size_t i = 0; i < k; i++)
        mt_free(v[i]);
    free(v);
    return q;
}

/* Pinned URNs of the config for this query (those that exist and pass the
 * filters) in x->pins, each with the full query's score — or, when the text
 * does not match it, its bonus alone (maybe 0):
 * FILTER(AND_MAYBE(OR(bonus, pinned × 0), scored), pinned). */
static int pinned_pass(exec *x, const rk_pin **pin_out, xap_err *xe)
{
    const qp_plan *p = x->sp->plan;
    const rk_pin *pin = p->norm ? rk_pinned_for(x->sp->rank->cfg, p->norm) : NULL;
    *pin_out = pin;
    if (!pin)
        return XAP_OK;
    char *terms[RK_PINNED_URNS_MAX];
    size_t lens[RK_PINNED_URNS_MAX], n = 0;
    char buf[RK_PINNED_URNS_MAX][QP_ID_TERM_MAX + 1];
    for (size_t i = 0; i < pin->n && n < RK_PINNED_URNS_MAX; i++) {
        int len = doc_id_term(pin->urns[i], buf[n], sizeof buf[n]);
        if (len < 0)
            continue;
        terms[n] = buf[n];
        lens[n++] = (size_t)len;
    }
    if (n == 0)
        return XAP_OK;
    mt_node *sel = any_term(terms, lens, n, xe);
    mt_node *left = sel ? mt_scale(sel, 0) : NULL;
    if (left && x->bonus)
        left = wrap(left, MT_OR, x->bonus, 0, xe);
    mt_node *q = filtered(x->sp, wrap(wrap(left, MT_AND_MAYBE, x->scored, 0, xe), MT_FILTER,
                                      sel, 0, xe), xe);
    const roaring_bitmap_t *m = q ? me_match(x->mc, q, xe) : NULL;
    int rc = m && me_top(x->mc, q, m, RK_PINNED_URNS_MAX, &x->pins, &x->npins, xe) == 0
                 ? XAP_OK
                 : (xe->code ? xe->code : XAP_E_NOMEM);
    mt_free(q);
    mt_free(sel);
    return rc;
}

/* How many entities (under the filters) the query names exactly: its name,
 * short name or URN. */
static int exact_count(exec *x, size_t *count, xap_err *xe)
{
    const qp_plan *p = x->sp->plan;
    *count = 0;
    mt_node **v = calloc(p->nbonus ? p->nbonus : 1, sizeof *v), *q = NULL;
    size_t n = 0;
    int rc = XAP_E_NOMEM;
    if (!v) {
        nomem(xe);
        return rc;
    }
    for (size_t i = 0; i < p->nbonus; i++)
        if (p->bonus[i].kind == QP_B_EXACT &&
            !(v[n++] = mt_term(p->bonus[i].term, p->bonus[i].len)))
            goto done;
    rc = XAP_OK;
    if (n == 0)
        goto done;
    const roaring_bitmap_t *m = NULL;
    if (!(q = mt_combine(MT_OR, v, n)) || !(q = filtered(x->sp, q, xe)) ||
        !(m = me_match(x->mc, q, xe))) {
        rc = xe->code ? xe->code : XAP_E_NOMEM;
        goto done;
    }
    *count = (size_t)roaring_bitmap_get_cardinality(m);
done:
    if (rc == XAP_E_NOMEM && !xe->code)
        nomem(xe);
    for (size_t i = 0; i < n; i++)
        mt_free(v[i]);
    free(v);
    mt_free(q);
    return rc;
}

static int seen_before(const ranked *v, size_t n, xap_docid id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id)
            return 1;
    return 0;
}

/* The pinned and ranked lists as one: pinned in the config's order, then
 * the rest by score (one document once; its score is the same in both). */
static int merge(exec *x, const rk_pin *pin, const me_hit *top, size_t ntop, ranked **out,
                 size_t *n)
{
    ranked *v = malloc((x->npins + ntop + 1) * sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    for (size_t u = 0; pin && x->npins && u < pin->n; u++) {
        char term[QP_ID_TERM_MAX + 1];
        int len = doc_id_term(pin->urns[u], term, sizeof term);
        xap_docid id = 0;
        xap_err xe = {0};
        if (len < 0 || xap_db_find_by_term(x->sp->rd->db, term, (size_t)len, &id, &xe) != XAP_OK)
            continue;
        for (size_t i = 0; id && i < x->npins; i++)
            if (x->pins[i].docid == id && !seen_before(v, k, id)) {
                v[k++] = (ranked){id, x->pins[i].score, 1, u};
                break;
            }
    }
    for (size_t i = 0; i < ntop; i++)
        if (!seen_before(v, k, top[i].docid))
            v[k++] = (ranked){top[i].docid, top[i].score, 0, i};
    qsort(v, k, sizeof *v, ranked_cmp);
    *out = v;
    *n = k;
    return 0;
}

/* x->columns: the column-field leaves of the text query (none browsing). */
static int column_leaves(exec *x, size_t nwords, int any, int text, xap_err *xe)
{
    if (!text)
        return XAP_OK;
    qp_rank cols = *x->sp->rank;
    cols.only_fields = (1u << F_FIELDS) | (1u << F_FIELD_DOCS);
    x->columns = qp_words_query(x->sp->plan, &cols, nwords, any ? MT_OR : MT_AND, xe);
    return x->columns ? XAP_OK : xe->code ? xe->code : XAP_E_NOMEM;
}

/* Explains the page: Xapian runs the per-field queries over the page's
 * documents (explain.h), with the same trees. */
static int explain_run(exec *x, size_t nwords, int any, int text, explain_doc *eds, size_t n,
                       xap_err *xe)
{
    const search_spec *sp = x->sp;
    xap_query *full = mt_to_xap(x->full, xe);
    xap_query *bonus = full && x->bonus ? mt_to_xap(x->bonus, xe) : NULL;
    xap_enquire *e = NULL;
    int rc = xe->code ? xe->code : XAP_E_GENERIC;
    if (full && (!x->bonus || bonus) && (e = xap_enquire_new(sp->rd->db, xe)) &&
        qp_set_weighting(e, xe) == XAP_OK && xap_enquire_set_query(e, full, xe) == XAP_OK) {
        explain_spec es = {.db = sp->rd->db, .plan = sp->plan, .rank = sp->rank,
                           .nwords = nwords, .op = any ? MT_OR : MT_AND, .e = e,
                           .bonus = bonus, .browse = !text};
        rc = explain_page(&es, eds, n, xe);
    } else if (xe->code) {
        rc = xe->code;
    }
    xap_enquire_free(e);
    xap_query_free(bonus);
    xap_query_free(full);
    return rc;
}

/* The full query around `text` (NULL: browse) in x->full, x->scored and
 * x->bonus. A document holding a bonus term is a result even when the text
 * does not match it (a pasted URN, a name the query starts that no capped
 * completion reached): AND_MAYBE(OR(scored, bonus × 0), bonus). */
static int compose_full(exec *x, mt_node *text, xap_err *xe)
{
    const search_spec *sp = x->sp;
    mt_node *boosted = text ? qp_boosted(text, sp->rank, xe) : NULL;
    x->scored = (!text || boosted) ? scored(sp, boosted, xe) : NULL;
    mt_free(boosted);
    if (!x->scored)
        return xe->code ? xe->code : XAP_E_NOMEM;
    mt_node *main_q = NULL;
    if (!text) {
        main_q = mt_ref(x->scored);
    } else if (qp_bonus_query(sp->plan, sp->rank, ~0, &x->bonus, xe) == 0) {
        main_q = x->bonus ? wrap(wrap(mt_ref(x->scored), MT_OR, mt_scale(x->bonus, 0), 1, xe),
                                 MT_AND_MAYBE, x->bonus, 0, xe)
                          : mt_ref(x->scored);
    }
    if (!main_q || !(x->full = filtered(sp, main_q, xe)))
        return xe->code ? xe->code : XAP_E_NOMEM;
    return XAP_OK;
}

/* ---- Parts another worker may run (work_pool.h) -----------------------
 * A broad search's facet counts, and the hits of its page, are offered to
 * the other workers while this one ranks and renders. With a core free,
 * the wait for them shrinks; under load, a worker that finishes a request
 * takes them before starting a new one, so the requests already running
 * finish first. A part that reads the index does so through the taking
 * thread's own handle at the search's revision; when that handle has
 * moved past it, the search's own thread does the part. */
typedef struct facet_part {
    const facet_req *req;
    docsets *ds;
    const roaring_bitmap_t *all;
    uint64_t revision;
    facet_run *fr;
    xap_err xe;
    _Atomic int cancel; /* the search failed: nothing to count for */
    int done, rc;
} facet_part;

static void count_facets(void *arg)
{
    facet_part *p = arg;
    reader *rd = p->cancel ? NULL : reader_at(p->revision);
    if (!rd)
        return;
    p->rc = facets_count(p->req, p->ds, rd->db, p->all, p->fr, &p->xe);
    p->done = 1;
}

/* A page's hits, rendered by whichever threads are there: each takes the
 * next hit not taken, and puts it in its place. */
typedef struct page_part {
    const exec *x;
    uint64_t revision;
    const ranked *list;
    size_t from, to;
    json_t **hit;           /* [to - from] */
    explain_doc *eds;       /* [to - from], or NULL */
    _Atomic size_t next;    /* the next hit to take */
    _Atomic int failed;     /* a thread failed: the others stop */
    int rc;                 /* the other thread's outcome, and why */
    char err[512];
} page_part;

static int render_from(page_part *p, const render_ctx *rx, char *err, size_t errlen)
{
    size_t i;
    while (!p->failed && (i = p->next++) < p->to) {
        int rc = emit(rx, &p->list[i], &p->hit[i - p->from],
                      p->eds ? &p->eds[i - p->from] : NULL, err, errlen);
        if (rc != XAP_OK) {
            p->failed = 1;
            return rc;
        }
    }
    return XAP_OK;
}

/* The part of the page another thread renders, with its own handle. */
static void render_part(void *arg)
{
    page_part *p = arg;
    reader *rd = p->next < p->to && !p->failed ? reader_at(p->revision) : NULL;
    if (!rd)
        return;
    hl_ctx hl;
    me_ctx mc;
    hl_init(&hl, rd->an, p->x->sp->plan, p->x->hl.nwords);
    me_init(&mc, p->x->mc->ds, rd->db);
    render_ctx rx = {rd->db, &mc, &hl, p->x->columns};
    p->rc = render_from(p, &rx, p->err, sizeof p->err);
    me_free(&mc);
    hl_free(&hl);
}

static int exec_one(const search_spec *sp, mt_node *text, size_t nwords, int any, me_ctx *mc,
                    search_result *out, char *err, size_t errlen)
{
    exec x;
    xap_err xe = {0};
    int rc = XAP_OK;
    ranked *list = NULL;
    me_hit *top = NULL;
    explain_doc *eds = NULL;
    size_t nlist = 0, ntop = 0, neds = 0, ncap = 0;
    facet_part fp = {0};
    page_part pg = {0};
    wp_task ft, rt;
    int facets_forked = 0;
    memset(&x, 0, sizeof x);
    x.sp = sp;
    x.mc = mc;
    out->words_used = nwords;
    out->mode_any = any;
    out->hits = json_array();
    if (!out->hits) {
        snprintf(err, errlen, "out of memory");
        return XAP_E_NOMEM;
    }
    hl_init(&x.hl, sp->rd->an, sp->plan, nwords);
    x.hl_ready = 1;

    if ((rc = compose_full(&x, text, &xe)) != XAP_OK ||
        (rc = column_leaves(&x, nwords, any, text != NULL, &xe)) != XAP_OK) {
        snprintf(err, errlen, "preparing the match: %s", xe.msg);
        goto done;
    }
    const rk_pin *pin = NULL;
    size_t nexact = 0;
    if (text && ((rc = pinned_pass(&x, &pin, &xe)) != XAP_OK ||
                 (x.bonus && (rc = exact_count(&x, &nexact, &xe)) != XAP_OK))) {
        snprintf(err, errlen, "pinned and exact passes: %s", xe.msg);
        goto done;
    }
    /* Every match, exactly: the total and the facets count them all. */
    const roaring_bitmap_t *all = me_match(x.mc, x.full, &xe);
    if (all && sp->facets->n > 0 &&
        roaring_bitmap_get_cardinality(all) >= SE_FORK_FACETS_MIN_MATCHES) {
        fp = (facet_part){.req = sp->facets, .ds = mc->ds, .all = all,
                          .revision = sp->rd->revision, .fr = &x.fr};
        wp_fork(&ft, count_facets, &fp);
        facets_forked = 1;
    }
    size_t k = (size_t)sp->offset + sp->limit + x.npins;
    if (!all || (text ? me_top(x.mc, x.full, all, k, &top, &ntop, &xe)
                      : me_top_by_value(x.mc, all, SLOT_POPULARITY, k, &top, &ntop, &xe)) != 0) {
        snprintf(err, errlen, "running the match: %s", xe.msg);
        rc = xe.code ? xe.code : XAP_E_GENERIC;
        goto done;
    }
    if (merge(&x, pin, top, ntop, &list, &nlist) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = XAP_E_NOMEM;
        goto done;
    }
    size_t from = sp->offset, to = (size_t)sp->offset + sp->limit;
    if (to > nlist)
        to = nlist;
    if (sp->explain && to > from) {
        if (!(eds = calloc(to - from, sizeof *eds))) {
            snprintf(err, errlen, "out of memory");
            rc = XAP_E_NOMEM;
            goto done;
        }
        ncap = to - from;
    }
    pg = (page_part){.x = &x, .revision = sp->rd->revision, .list = list, .from = from,
                     .to = to > from ? to : from, .eds = eds};
    pg.next = from;
    if (pg.to > from && !(pg.hit = calloc(pg.to - from, sizeof *pg.hit))) {
        snprintf(err, errlen, "out of memory");
        rc = XAP_E_NOMEM;
        goto done;
    }
    int render_forked = pg.to - from >= SE_FORK_RENDER_MIN_HITS;
    if (render_forked)
        wp_fork(&rt, render_part, &pg);
    render_ctx rx = {sp->rd->db, x.mc, &x.hl, x.columns};
    rc = render_from(&pg, &rx, err, errlen);
    if (render_forked)
        wp_join(&rt);
    if (rc == XAP_OK && pg.rc != XAP_OK) {
        rc = pg.rc;
        snprintf(err, errlen, "%s", pg.err);
    }
    for (size_t i = 0; i < pg.to - from; i++) {
        if (rc == XAP_OK)
            json_array_append_new(out->hits, pg.hit[i]);
        else
            json_decref(pg.hit[i]);
    }
    if (rc != XAP_OK)
        goto done;
    neds = eds ? pg.to - from : 0;
    if (eds && (rc = explain_run(&x, nwords, any, text != NULL, eds, neds, &xe)) != XAP_OK) {
        snprintf(err, errlen, "explaining the scores: %s", xe.msg);
        goto done;
    }
    out->exact_first = nexact;
    out->pinned_first = x.npins;
    out->total = (uint32_t)roaring_bitmap_get_cardinality(all);
    out->total_exact = 1;
    /* Pinned entities the full query does not match are results too. */
    for (size_t i = 0; i < x.npins; i++)
        if (!roaring_bitmap_contains(all, x.pins[i].docid))
            out->total++;
    if (facets_forked) {
        wp_join(&ft);
        facets_forked = 0;
    }
    if (!fp.done) /* not forked, or the taker's handle had moved on */
        fp.rc = facets_count(sp->facets, mc->ds, sp->rd->db, all, &x.fr, &fp.xe);
    if (fp.rc != 0 || !(out->facets = facets_json(sp->facets, &x.fr, &fp.xe))) {
        snprintf(err, errlen, "counting facets: %s", fp.xe.msg);
        rc = fp.xe.code ? fp.xe.code : XAP_E_GENERIC;
    }
done:
    if (facets_forked) {
        fp.cancel = 1;
        wp_join(&ft);
    }
    free(pg.hit);
    free(top);
    free(list);
    for (size_t i = 0; eds && i < ncap; i++) { /* calloc'd: unused entries are NULL */
        free(eds[i].urn);
        free(eds[i].type);
        free(eds[i].platform);
    }
    free(eds);
    exec_free(&x);
    return rc;
}

void search_result_free(search_result *r)
{
    json_decref(r->hits);
    json_decref(r->facets);
    memset(r, 0, sizeof *r);
}

/* The answer of a query that matches nothing: no hits, total 0, every
 * requested facet empty. */
static int empty_answer(const search_spec *sp, size_t nwords, search_result *out, char *err,
                        size_t errlen)
{
    search_result_free(out);
    facet_run none;
    xap_err xe = {0};
    memset(&none, 0, sizeof none);
    out->words_used = nwords;
    out->total_exact = 1;
    out->hits = json_array();
    out->facets = facets_json(sp->facets, &none, &xe);
    if (!out->hits || !out->facets) {
        snprintf(err, errlen, "out of memory");
        return XAP_E_NOMEM;
    }
    return XAP_OK;
}

/* 1 if `text` under the filters matches anything, 0 if not, <0 error (the
 * negated XAP code). */
static int probe(const search_spec *sp, me_ctx *mc, mt_node *text, xap_err *xe)
{
    mt_node *q = filtered(sp, mt_ref(text), xe);
    const roaring_bitmap_t *m = q ? me_match(mc, q, xe) : NULL;
    int rc = m ? !roaring_bitmap_is_empty(m) : -(xe->code ? xe->code : XAP_E_GENERIC);
    mt_free(q);
    return rc;
}

/* search_exec over one revision's document sets. */
static int search_in(const search_spec *sp, me_ctx *mc, search_result *out, char *err,
                     size_t errlen)
{
    size_t n = sp->plan->nwords;
    xap_err xe = {0};
    if (n == 0)
        return exec_one(sp, NULL, 0, 0, mc, out, err, errlen);
    /* With a vocabulary of this revision, a word none of whose forms it
     * holds matches nothing: every AND over it is skipped rather than run
     * (unless the query is a URN, found by its id term alone). */
    size_t hopeless = n;
    int urn = 0;
    for (size_t i = 0; i < sp->plan->nbonus; i++)
        urn |= strncmp(sp->plan->bonus[i].term, TERM_ID_PREFIX, strlen(TERM_ID_PREFIX)) == 0;
    for (size_t i = 0; sp->plan->vocab_current && !urn && i < n && hopeless == n; i++)
        if (sp->plan->words[i].nothing)
            hopeless = i;
    int rc = XAP_OK;
    if (hopeless == n) {
        mt_node *text = qp_words_query(sp->plan, sp->rank, n, MT_AND, &xe);
        if (!text)
            XFAIL(&xe, err, errlen, "building the query");
        rc = exec_one(sp, text, n, 0, mc, out, err, errlen);
        mt_free(text);
        if (rc != XAP_OK || out->total > 0 || n == 1)
            return rc;
    }

    /* Nothing has every word: drop words from the end, then allow any word. */
    mt_node *chosen = NULL;
    size_t used = 0;
    int any = 0;
    for (size_t k = hopeless < n ? hopeless : n - 1; k >= 1 && !chosen; k--) {
        mt_node *t = qp_words_query(sp->plan, sp->rank, k, MT_AND, &xe);
        if (!t)
            XFAIL(&xe, err, errlen, "building the query");
        int p = probe(sp, mc, t, &xe);
        if (p < 0) {
            mt_free(t);
            XFAIL(&xe, err, errlen, "probing");
        }
        if (p > 0) {
            chosen = t;
            used = k;
        } else {
            mt_free(t);
        }
    }
    if (!chosen) {
        mt_node *t = qp_words_query(sp->plan, sp->rank, n, MT_OR, &xe);
        if (!t)
            XFAIL(&xe, err, errlen, "building the query");
        int p = probe(sp, mc, t, &xe);
        if (p < 0) {
            mt_free(t);
            XFAIL(&xe, err, errlen, "probing");
        }
        if (p > 0) {
            chosen = t;
            used = n;
            any = 1;
        } else {
            mt_free(t);
        }
    }
    if (!chosen && hopeless < n)
        return empty_answer(sp, n, out, err, errlen); /* all words, without running them */
    if (!chosen)
        return XAP_OK; /* the empty answer for all words stands */
    search_result_free(out);
    rc = exec_one(sp, chosen, used, any, mc, out, err, errlen);
    mt_free(chosen);
    return rc;
}

int search_exec(const search_spec *sp, search_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    xap_err xe = {0};
    docsets *ds = docsets_acquire(sp->rd->db, sp->rd->revision, &xe);
    if (!ds)
        XFAIL(&xe, err, errlen, "document sets");
    me_ctx mc;
    me_init(&mc, ds, sp->rd->db);
    int rc = search_in(sp, &mc, out, err, errlen);
    me_free(&mc);
    docsets_release(ds);
    return rc;
}
