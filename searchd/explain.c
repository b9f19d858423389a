/* explain.c — score breakdown of a page of hits (see explain.h). */
#include "searchd/explain.h"

#include <stdlib.h>
#include <string.h>

#include "model/docbuild.h"
#include "model/fields.h"

/* Longest Xapian term: 245 bytes. */
#define EX_TERM_MAX 245

/* The page's documents as one filter: OR of their id terms. */
static xap_query *page_filter(const explain_doc *docs, size_t n, xap_err *xe)
{
    xap_query **v = calloc(n ? n : 1, sizeof *v);
    if (!v) {
        xe->code = XAP_E_NOMEM;
        return NULL;
    }
    size_t k = 0;
    xap_query *q = NULL;
    for (size_t i = 0; i < n; i++) {
        char term[EX_TERM_MAX + 1];
        int len = doc_id_term(docs[i].urn, term, sizeof term);
        if (len < 0)
            continue;
        if (!(v[k] = xap_query_term(term, (size_t)len, 1, xe)))
            goto done;
        k++;
    }
    q = k ? xap_query_combine(XAP_OP_OR, v, k, 0, xe) : xap_query_match_nothing(xe);
done:
    for (size_t i = 0; i < k; i++)
        xap_query_free(v[i]);
    free(v);
    return q;
}

/* The weight of each page document under q (not freed), into w[i] (0 for
 * a document q does not match). */
static int weights_of(const explain_spec *sp, const xap_query *q, const xap_query *page,
                      const explain_doc *docs, size_t n, double *w, xap_err *xe)
{
    for (size_t i = 0; i < n; i++)
        w[i] = 0;
    xap_query *v[2] = {(xap_query *)q, (xap_query *)page};
    xap_query *f = xap_query_combine(XAP_OP_FILTER, v, 2, 0, xe);
    xap_enquire *e = f ? xap_enquire_new(sp->db, xe) : NULL;
    xap_mset *m = NULL;
    int rc = XAP_E_GENERIC;
    if (!e || qp_set_weighting(e, xe) != XAP_OK || xap_enquire_set_query(e, f, xe) != XAP_OK ||
        !(m = xap_enquire_get_mset(e, 0, (uint32_t)n, 0, xe)))
        goto done;
    for (size_t j = 0; j < xap_mset_size(m); j++)
        for (size_t i = 0; i < n; i++)
            if (docs[i].id == xap_mset_docid(m, j))
                w[i] = xap_mset_weight(m, j);
    rc = XAP_OK;
done:
    if (rc != XAP_OK && xe->code)
        rc = xe->code;
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(f);
    return rc;
}

/* The text query with weights from `mask` (same leaves, same matching). */
static int masked_weights(const explain_spec *sp, const qp_rank *mask, const xap_query *page,
                          const explain_doc *docs, size_t n, double *w, xap_err *xe)
{
    mt_node *t = qp_words_query(sp->plan, mask, sp->nwords, sp->op, xe);
    xap_query *q = t ? mt_to_xap(t, xe) : NULL;
    mt_free(t);
    if (!q)
        return xe->code ? xe->code : XAP_E_GENERIC;
    int rc = weights_of(sp, q, page, docs, n, w, xe);
    xap_query_free(q);
    return rc;
}

/* matched_terms of one hit; sets the bits of the fields it matched in and
 * whether typo groups matched. */
static json_t *matched_terms(const explain_spec *sp, xap_docid id, uint32_t *fields,
                             unsigned *typo_groups, xap_err *xe)
{
    char **terms = NULL;
    size_t nt = 0;
    if (xap_enquire_matching_terms(sp->e, id, &terms, &nt, xe) != XAP_OK)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < nt; i++) {
        const char *body = NULL;
        const field_def *f = field_by_term(terms[i], &body);
        if (!f || !f->prefix || strncmp(terms[i], f->prefix, strlen(f->prefix)) != 0 ||
            body != terms[i] + strlen(f->prefix))
            continue; /* filter, exact-name and id terms carry no text weight */
        int stemmed = (f->flags & FIELD_STEMMED) &&
                      strncmp(body, TERM_STEM_MARK, strlen(TERM_STEM_MARK)) == 0;
        const char *word = stemmed ? body + strlen(TERM_STEM_MARK) : body;
        const qp_alt *a = stemmed ? NULL : qp_find_alt(sp->plan, sp->nwords, word);
        if (stemmed) {
            /* A stem stands for the exact forms (and synonyms) whose stem it is. */
            for (size_t w = 0; w < sp->nwords && !a; w++) {
                const qp_word *qw = &sp->plan->words[w];
                for (size_t j = 0; qw->part_units && j < qw->nparts && !a; j++)
                    for (size_t k = 0; k < qw->part_units[j].nalts && !a; k++)
                        if (qw->part_units[j].alts[k].stem &&
                            strcmp(qw->part_units[j].alts[k].stem, word) == 0)
                            a = &qw->part_units[j].alts[k];
                for (size_t k = 0; k < qw->joined_unit.nalts && !a; k++)
                    if (qw->joined_unit.alts[k].stem &&
                        strcmp(qw->joined_unit.alts[k].stem, word) == 0)
                        a = &qw->joined_unit.alts[k];
            }
        }
        if (!a)
            continue; /* a term of the exact-match head, not of the text query */
        *fields |= 1u << f->id;
        if (a->group == QP_G_TYPO1 || a->group == QP_G_TYPO2)
            *typo_groups |= 1u << a->group;
        json_t *m = json_pack("{s:s,s:s,s:s,s:i}", "field", f->name, "term", word, "via",
                              qp_via_name((qp_via)a->via), "edits", (int)a->edits);
        if (m && stemmed)
            json_object_set_new(m, "stemmed", json_true());
        if (!m || json_array_append_new(arr, m) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    xap_strv_free(terms, nt);
    if (!arr)
        xe->code = XAP_E_NOMEM;
    return arr;
}

int explain_page(const explain_spec *sp, explain_doc *docs, size_t n, xap_err *xe)
{
    if (n == 0)
        return XAP_OK;
    int rc = XAP_E_NOMEM;
    const ranking_config *cfg = sp->rank->cfg;
    xap_query *page = NULL, *prior = NULL;
    double *w = calloc(n, sizeof *w);
    double *text = calloc(n, sizeof *text), *penalty = calloc(n, sizeof *penalty);
    double *pop = calloc(n, sizeof *pop), *bonus = calloc(n, sizeof *bonus);
    json_t **fields = calloc(n, sizeof *fields), **terms = calloc(n, sizeof *terms);
    if (!w || !text || !penalty || !pop || !bonus || !fields || !terms)
        goto done;
    uint32_t matched = 0;
    unsigned typo_groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(fields[i] = json_object()))
            goto done;
        if (sp->browse) {
            terms[i] = json_array();
        } else if (!(terms[i] = matched_terms(sp, docs[i].id, &matched, &typo_groups, xe))) {
            rc = xe->code ? xe->code : XAP_E_GENERIC;
            goto done;
        }
    }
    if (!(page = page_filter(docs, n, xe)))
        goto fail;
    if (!sp->browse) {
        /* Each field's share: every other field's weight set to 0. */
        for (int f = 0; f < F_COUNT; f++) {
            if (!(matched & (1u << f)))
                continue;
            qp_rank mask = *sp->rank;
            mask.type_boosts = 0;
            for (int g = 0; g < F_COUNT; g++)
                if (g != f)
                    mask.field_weight[g] = 0;
            if ((rc = masked_weights(sp, &mask, page, docs, n, w, xe)) != XAP_OK)
                goto done;
            for (size_t i = 0; i < n; i++) {
                text[i] += w[i];
                if (w[i] != 0 &&
                    json_object_set_new(fields[i], FIELDS[f].name, json_real(w[i])) != 0)
                    goto fail;
            }
        }
        /* The typo penalty: the text score as it is, minus the text score
         * with typo matches weighted like exact ones. */
        if (typo_groups) {
            qp_rank full = *sp->rank;
            full.type_boosts = 0;
            full.group_weight[QP_G_TYPO1] = full.group_weight[QP_G_TYPO2] = 1.0;
            if ((rc = masked_weights(sp, &full, page, docs, n, w, xe)) != XAP_OK)
                goto done;
            for (size_t i = 0; i < n; i++)
                penalty[i] = text[i] - w[i];
        }
        mt_node *pt = qp_popularity_prior(sp->rank, xe);
        prior = pt ? mt_to_xap(pt, xe) : NULL;
        mt_free(pt);
        if (!prior)
            goto fail;
        if ((rc = weights_of(sp, prior, page, docs, n, pop, xe)) != XAP_OK)
            goto done;
        if (sp->bonus && (rc = weights_of(sp, sp->bonus, page, docs, n, bonus, xe)) != XAP_OK)
            goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double tb = sp->rank->type_boosts ? rk_type_boost(cfg, docs[i].type) : 1.0;
        double pb = sp->rank->type_boosts ? rk_platform_boost(cfg, docs[i].platform) : 1.0;
        double total = text[i] * tb * pb + pop[i] + bonus[i];
        json_t *ex =
            json_pack("{s:o,s:f,s:f,s:f,s:f,s:f,s:f,s:o}", "fields", fields[i], "typo_penalty",
                      penalty[i], "exact_bonus", bonus[i], "popularity", pop[i], "type_boost", tb,
                      "platform_boost", pb, "total", total, "matched_terms", terms[i]);
        fields[i] = terms[i] = NULL; /* stolen (even on failure) */
        if (!ex || json_object_set_new(docs[i].hit, "explain", ex) != 0)
            goto fail;
        if (sp->browse)
            json_object_set_new(ex, "order", json_string("popularity (no query words)"));
    }
    rc = XAP_OK;
    goto done;
fail:
    rc = xe->code ? xe->code : XAP_E_NOMEM;
done:
    for (size_t i = 0; i < n; i++) {
        if (fields)
            json_decref(fields[i]);
        if (terms)
            json_decref(terms[i]);
    }
    free(fields);
    free(terms);
    free(w);
    free(text);
    free(penalty);
    free(pop);
    free(bonus);
    xap_query_free(page);
    xap_query_free(prior);
    if (rc != XAP_OK && !xe->code)
        xe->code = rc;
    return rc;
}
