/* match_tree.c — building, sharing and translating query trees (see match_tree.h). */
#include "searchd/match_tree.h"

#include <stdlib.h>
#include <string.h>

static mt_node *node_new(mt_op op)
{
    mt_node *n = calloc(1, sizeof *n);
    if (n) {
        n->op = op;
        n->refs = 1;
    }
    return n;
}

mt_node *mt_term(const char *term, size_t len)
{
    mt_node *n = node_new(MT_TERM);
    if (!n)
        return NULL;
    if (!(n->term = malloc(len + 1))) {
        free(n);
        return NULL;
    }
    memcpy(n->term, term, len);
    n->term[len] = '\0';
    n->len = len;
    return n;
}

mt_node *mt_all(void)
{
    return node_new(MT_ALL);
}

mt_node *mt_nothing(void)
{
    return node_new(MT_NOTHING);
}

mt_node *mt_prior(unsigned slot, double factor, double cap)
{
    mt_node *n = node_new(MT_PRIOR);
    if (n) {
        n->slot = slot;
        n->factor = factor;
        n->cap = cap;
    }
    return n;
}

mt_node *mt_scale(mt_node *q, double factor)
{
    if (!q)
        return NULL;
    mt_node *n = mt_combine(MT_SCALE, &q, 1);
    if (n)
        n->factor = factor;
    return n;
}

mt_node *mt_combine(mt_op op, mt_node *const *kids, size_t n)
{
    if (n == 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!kids[i])
            return NULL;
    mt_node *q = node_new(op);
    if (!q)
        return NULL;
    if (!(q->kids = malloc(n * sizeof *q->kids))) {
        free(q);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        q->kids[i] = mt_ref(kids[i]);
    q->nkids = n;
    return q;
}

mt_node *mt_ref(mt_node *q)
{
    if (q)
        __atomic_add_fetch(&q->refs, 1, __ATOMIC_RELAXED);
    return q;
}

void mt_free(mt_node *q)
{
    if (!q || __atomic_sub_fetch(&q->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < q->nkids; i++)
        mt_free(q->kids[i]);
    free(q->kids);
    free(q->term);
    free(q);
}

int mt_constant(const mt_node *q, double *w)
{
    switch (q->op) {
    case MT_TERM:
    case MT_SYNONYM:
    case MT_ALL:
        *w = 1.0;
        return 1;
    case MT_NOTHING:
        *w = 0.0;
        return 1;
    case MT_SCALE: {
        double k;
        if (!mt_constant(q->kids[0], &k))
            return 0;
        *w = k * q->factor;
        return 1;
    }
    default:
        return 0;
    }
}

static int xap_op_of(mt_op op, xap_op *out)
{
    switch (op) {
    case MT_SYNONYM:
        *out = XAP_OP_SYNONYM;
        return 1;
    case MT_OR:
        *out = XAP_OP_OR;
        return 1;
    case MT_AND:
        *out = XAP_OP_AND;
        return 1;
    case MT_MAX:
        *out = XAP_OP_MAX;
        return 1;
    case MT_AND_MAYBE:
        *out = XAP_OP_AND_MAYBE;
        return 1;
    case MT_FILTER:
        *out = XAP_OP_FILTER;
        return 1;
    case MT_AND_NOT:
        *out = XAP_OP_AND_NOT;
        return 1;
    default:
        return 0;
    }
}

xap_query *mt_to_xap(const mt_node *q, xap_err *err)
{
    switch (q->op) {
    case MT_TERM:
        return xap_query_term(q->term, q->len, 1, err);
    case MT_ALL:
        return xap_query_match_all(err);
    case MT_NOTHING:
        return xap_query_match_nothing(err);
    case MT_PRIOR:
        return xap_query_log_value_weight(q->slot, q->factor, q->cap, err);
    case MT_SCALE: {
        xap_query *k = mt_to_xap(q->kids[0], err);
        if (!k)
            return NULL;
        xap_query *s = xap_query_scale(k, q->factor, err);
        xap_query_free(k);
        return s;
    }
    default:
        break;
    }
    xap_op op;
    if (!xap_op_of(q->op, &op)) {
        err->code = XAP_E_INVALID;
        strcpy(err->msg, "match_tree: unknown operator");
        return NULL;
    }
    xap_query **v = calloc(q->nkids, sizeof *v), *r = NULL;
    size_t k = 0;
    if (!v) {
        err->code = XAP_E_NOMEM;
        strcpy(err->msg, "out of memory");
        return NULL;
    }
    for (; k < q->nkids; k++)
        if (!(v[k] = mt_to_xap(q->kids[k], err)))
            goto done;
    r = xap_query_combine(op, v, k, 0, err);
done:
    for (size_t i = 0; i < k; i++)
        xap_query_free(v[i]);
    free(v);
    return r;
}
