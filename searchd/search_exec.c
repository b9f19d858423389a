/* search_exec.c — composing, running and paging a search (see search_exec.h). */
#include "searchd/search_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "searchd/highlight.h"
#include "searchd/hits.h"
#include "searchd/limits.h"

/* Fails with the shim's error in xe. */
#define XFAIL(xe, err, errlen, what)                                                    \
    do {                                                                                \
        snprintf(err, errlen, "%s: %s", what, (xe)->msg);                               \
        return (xe)->code ? (xe)->code : XAP_E_GENERIC;                                 \
    } while (0)

/* q OP other, freeing q (and other when `free_other`); NULL on failure. */
static xap_query *wrap(xap_query *q, xap_op op, xap_query *other, int free_other, xap_err *xe)
{
    if (!q || !other) {
        xap_query_free(q);
        if (free_other)
            xap_query_free(other);
        return NULL;
    }
    xap_query *v[2] = {q, other};
    xap_query *r = xap_query_combine(op, v, 2, 0, xe);
    xap_query_free(q);
    if (free_other)
        xap_query_free(other);
    return r;
}

/* The full query around a text query (NULL text: browse). */
static xap_query *compose(const search_spec *sp, const xap_query *text, xap_err *xe)
{
    xap_query *q;
    if (text) {
        xap_query *v[2] = {(xap_query *)text, qp_popularity_prior(sp->rank, xe)};
        if (!v[1])
            return NULL;
        q = xap_query_combine(XAP_OP_AND_MAYBE, v, 2, 0, xe);
        xap_query_free(v[1]);
    } else {
        q = xap_query_match_all(xe);
    }
    if (q && sp->filter)
        q = wrap(q, XAP_OP_FILTER, (xap_query *)sp->filter, 0, xe);
    if (q && !sp->show_removed)
        q = wrap(q, XAP_OP_AND_NOT, xap_query_term(TERM_REMOVED, strlen(TERM_REMOVED), 1, xe),
                 1, xe);
    return q;
}

/* 1 if the full query around `text` matches anything, 0 if not, <0 error
 * (the negated XAP code). */
static int probe(const search_spec *sp, const xap_query *text, xap_err *xe)
{
    int rc = -XAP_E_GENERIC;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    xap_query *q = compose(sp, text, xe);
    if (!q)
        goto done;
    if (!(e = xap_enquire_new(sp->rd->db, xe)) || xap_enquire_set_query(e, q, xe) != XAP_OK ||
        !(m = xap_enquire_get_mset(e, 0, 1, 1, xe)))
        goto done;
    rc = xap_mset_size(m) > 0;
done:
    if (rc < 0 && xe->code)
        rc = -xe->code;
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    return rc;
}

/* One run of the full query: page, total, facets. */
typedef struct exec {
    const search_spec *sp;
    xap_query *full;
    xap_enquire *e;       /* the full query, facet counters attached */
    xap_mset *m;
    xap_enquire *ex_e;    /* the exact-name pass */
    xap_mset *ex_m;
    xap_query *ex_q;
    facet_run fr;
    hl_ctx hl;
    int hl_ready;
} exec;

static void exec_free(exec *x)
{
    xap_mset_free(x->m);
    xap_enquire_free(x->e);
    xap_mset_free(x->ex_m);
    xap_enquire_free(x->ex_e);
    xap_query_free(x->ex_q);
    xap_query_free(x->full);
    facets_run_free(&x->fr);
    if (x->hl_ready)
        hl_free(&x->hl);
}

/* Appends the hit for item i of mset m to out->hits. */
static int emit(exec *x, xap_mset *m, size_t i, search_result *out, char *err, size_t errlen)
{
    reader *rd = x->sp->rd;
    xap_docid id = xap_mset_docid(m, i);
    sc_ref ref;
    int rc = sc_get(&rd->states, rd->db, rd->revision, id, &ref, err, errlen);
    if (rc != XAP_OK)
        return rc;
    json_t *hit = hit_json(&x->hl, x->e, id, ref.sum, xap_mset_weight(m, i), err, errlen);
    sc_release(&ref);
    if (!hit)
        return XAP_E_GENERIC;
    json_array_append_new(out->hits, hit);
    return XAP_OK;
}

static int in_mset(const xap_mset *m, size_t n, xap_docid id)
{
    for (size_t i = 0; i < n; i++)
        if (xap_mset_docid(m, i) == id)
            return 1;
    return 0;
}

/* Exact-name matches (at most SD_EXACT_FIRST_MAX), best first, in x->ex_m. */
static int exact_pass(exec *x, xap_err *xe)
{
    const qp_plan *p = x->sp->plan;
    uint32_t freq = 0;
    if (!p->exact_term)
        return XAP_OK;
    if (xap_db_termfreq(x->sp->rd->db, p->exact_term, p->exact_len, &freq, xe) != XAP_OK)
        return xe->code;
    if (freq == 0)
        return XAP_OK;
    xap_query *t = xap_query_term(p->exact_term, p->exact_len, 1, xe);
    xap_query *v[2] = {x->full, t};
    x->ex_q = t ? xap_query_combine(XAP_OP_FILTER, v, 2, 0, xe) : NULL;
    xap_query_free(t);
    if (!x->ex_q || !(x->ex_e = xap_enquire_new(x->sp->rd->db, xe)) ||
        xap_enquire_set_query(x->ex_e, x->ex_q, xe) != XAP_OK ||
        !(x->ex_m = xap_enquire_get_mset(x->ex_e, 0, SD_EXACT_FIRST_MAX, 0, xe)))
        return xe->code ? xe->code : XAP_E_GENERIC;
    return XAP_OK;
}

static int exec_one(const search_spec *sp, const xap_query *text, size_t nwords, int any,
                    search_result *out, char *err, size_t errlen)
{
    exec x;
    xap_err xe = {0};
    int rc = XAP_OK;
    memset(&x, 0, sizeof x);
    x.sp = sp;
    out->words_used = nwords;
    out->mode_any = any;
    out->hits = json_array();
    if (!out->hits) {
        snprintf(err, errlen, "out of memory");
        return XAP_E_NOMEM;
    }
    hl_init(&x.hl, sp->rd->an, sp->plan, nwords);
    x.hl_ready = 1;

    if (!(x.full = compose(sp, text, &xe)) || !(x.e = xap_enquire_new(sp->rd->db, &xe)) ||
        xap_enquire_set_query(x.e, x.full, &xe) != XAP_OK ||
        (!text && xap_enquire_set_sort_by_value(x.e, SLOT_POPULARITY, 1, 0, &xe) != XAP_OK) ||
        facets_attach(sp->facets, x.e, &x.fr, &xe) != 0) {
        snprintf(err, errlen, "preparing the match: %s", xe.msg);
        rc = xe.code ? xe.code : XAP_E_GENERIC;
        goto done;
    }
    if (text && (rc = exact_pass(&x, &xe)) != XAP_OK) {
        snprintf(err, errlen, "exact-name pass: %s", xe.msg);
        goto done;
    }
    size_t nex = x.ex_m ? xap_mset_size(x.ex_m) : 0;
    /* Facets need every match examined; otherwise enough for a useful total. */
    uint32_t check = sp->facets->n ? sp->rd->doccount : SD_TOTAL_CHECK_AT_LEAST;
    uint32_t first = nex ? 0 : sp->offset;
    uint32_t count = nex ? sp->offset + sp->limit + (uint32_t)nex : sp->limit;
    if (!(x.m = xap_enquire_get_mset(x.e, first, count, check, &xe))) {
        snprintf(err, errlen, "running the match: %s", xe.msg);
        rc = xe.code ? xe.code : XAP_E_GENERIC;
        goto done;
    }
    size_t n = xap_mset_size(x.m);
    if (nex == 0) {
        for (size_t i = 0; i < n && rc == XAP_OK; i++)
            rc = emit(&x, x.m, i, out, err, errlen);
    } else {
        /* Exact matches, then the rest without them, paged together. */
        uint32_t idx = 0, end = sp->offset + sp->limit;
        for (size_t j = 0; j < nex && idx < end && rc == XAP_OK; j++, idx++)
            if (idx >= sp->offset)
                rc = emit(&x, x.ex_m, j, out, err, errlen);
        for (size_t i = 0; i < n && idx < end && rc == XAP_OK; i++) {
            if (in_mset(x.ex_m, nex, xap_mset_docid(x.m, i)))
                continue;
            if (idx++ >= sp->offset)
                rc = emit(&x, x.m, i, out, err, errlen);
        }
    }
    if (rc != XAP_OK)
        goto done;
    out->exact_first = nex;
    out->total = xap_mset_matches_estimated(x.m);
    out->total_exact = xap_mset_matches_lower_bound(x.m) == xap_mset_matches_upper_bound(x.m);
    if (!(out->facets = facets_json(sp->facets, &x.fr, &xe))) {
        snprintf(err, errlen, "counting facets: %s", xe.msg);
        rc = xe.code ? xe.code : XAP_E_GENERIC;
    }
done:
    exec_free(&x);
    return rc;
}

void search_result_free(search_result *r)
{
    json_decref(r->hits);
    json_decref(r->facets);
    memset(r, 0, sizeof *r);
}

int search_exec(const search_spec *sp, search_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t n = sp->plan->nwords;
    xap_err xe = {0};
    if (n == 0)
        return exec_one(sp, NULL, 0, 0, out, err, errlen);
    xap_query *text = qp_words_query(sp->plan, sp->rank, n, XAP_OP_AND, &xe);
    if (!text)
        XFAIL(&xe, err, errlen, "building the query");
    int rc = exec_one(sp, text, n, 0, out, err, errlen);
    xap_query_free(text);
    if (rc != XAP_OK || out->total > 0 || n == 1)
        return rc;

    /* Nothing has every word: drop words from the end, then allow any word. */
    xap_query *chosen = NULL;
    size_t used = 0;
    int any = 0;
    for (size_t k = n - 1; k >= 1 && !chosen; k--) {
        xap_query *t = qp_words_query(sp->plan, sp->rank, k, XAP_OP_AND, &xe);
        if (!t)
            XFAIL(&xe, err, errlen, "building the query");
        int p = probe(sp, t, &xe);
        if (p < 0) {
            xap_query_free(t);
            XFAIL(&xe, err, errlen, "probing");
        }
        if (p > 0) {
            chosen = t;
            used = k;
        } else {
            xap_query_free(t);
        }
    }
    if (!chosen) {
        xap_query *t = qp_words_query(sp->plan, sp->rank, n, XAP_OP_OR, &xe);
        if (!t)
            XFAIL(&xe, err, errlen, "building the query");
        int p = probe(sp, t, &xe);
        if (p < 0) {
            xap_query_free(t);
            XFAIL(&xe, err, errlen, "probing");
        }
        if (p > 0) {
            chosen = t;
            used = n;
            any = 1;
        } else {
            xap_query_free(t);
        }
    }
    if (!chosen)
        return XAP_OK; /* the empty answer for all words stands */
    search_result_free(out);
    rc = exec_one(sp, chosen, used, any, out, err, errlen);
    xap_query_free(chosen);
    return rc;
}
