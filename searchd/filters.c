/* filters.c — filter parameters to Xapian filter terms (see filters.h). */
#include "searchd/filters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/summary.h"
#include "model/urn.h"
#include "searchd/limits.h"

/* The entity types whose URNs a URN-valued filter field holds: a value
 * without "urn:" is tried as the label of each. */
static const struct {
    field_id field;
    const char *types[3];
} URN_FIELDS[] = {
    {F_OWNERS, {"corpuser", "corpGroup", NULL}},
    {F_TAGS, {"tag", NULL}},
    {F_TERMS, {"glossaryTerm", NULL}},
    {F_DOMAINS, {"domain", NULL}},
    {F_CONTAINER, {"container", NULL}},
};

static const char *const *urn_types_of(field_id id)
{
    for (size_t i = 0; i < sizeof URN_FIELDS / sizeof URN_FIELDS[0]; i++)
        if (URN_FIELDS[i].field == id)
            return URN_FIELDS[i].types;
    return NULL;
}

static int add_item(request *r, filter_set *out, const field_def *f, const char *value)
{
    if (out->n >= SD_FILTERS_MAX) {
        req_reply_error(r, 400, "too many filters (at most %d)", SD_FILTERS_MAX);
        return -1;
    }
    if (*value == '\0') {
        req_reply_error(r, 400, "filter %s: the value is empty", f->name);
        return -1;
    }
    if (strlen(value) > SD_FILTER_VALUE_MAX_BYTES) {
        req_reply_error(r, 400, "filter %s: the value is longer than %d bytes", f->name,
                        SD_FILTER_VALUE_MAX_BYTES);
        return -1;
    }
    if (!out->items) {
        out->items = calloc(SD_FILTERS_MAX, sizeof *out->items);
        if (!out->items) {
            req_reply_error(r, 500, "out of memory");
            return -1;
        }
    }
    out->items[out->n].field = f;
    out->items[out->n].value = value;
    out->n++;
    return 0;
}

int filters_parse(request *r, filter_set *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < r->nparams; i++) {
        const req_kv *p = &r->params[i];
        const field_def *f;
        const char *value;
        if (strcmp(p->key, "type") == 0) {
            f = &FIELDS[F_TYPE];
            value = p->val;
        } else if (strcmp(p->key, "filter") == 0) {
            const char *colon = strchr(p->val, ':');
            if (!colon) {
                req_reply_error(r, 400, "filter must be FIELD:VALUE (got '%.60s')", p->val);
                goto fail;
            }
            char name[64];
            size_t n = (size_t)(colon - p->val);
            if (n >= sizeof name) {
                req_reply_error(r, 400, "unknown filter field '%.60s'", p->val);
                goto fail;
            }
            memcpy(name, p->val, n);
            name[n] = '\0';
            f = field_by_name(name);
            if (!f || !(f->flags & FIELD_FILTER) || !f->filter_prefix) {
                req_reply_error(r, 400, "unknown filter field '%s'", name);
                goto fail;
            }
            value = colon + 1;
        } else {
            continue;
        }
        if (add_item(r, out, f, value) < 0)
            goto fail;
    }
    return 0;
fail:
    filters_free(out);
    return -1;
}

void filters_free(filter_set *f)
{
    free(f->items);
    memset(f, 0, sizeof *f);
}

/* The filter terms one value stands for. */
#define FORMS_MAX 32
typedef struct term_forms {
    char v[FORMS_MAX][256];
    size_t n;
} term_forms;

/* Adds "<filter_prefix>:<a><b>" unless it is already there or too long to
 * exist in the index (Xapian terms are at most 245 bytes). */
static void forms_add(term_forms *t, const char *fp, const char *a, const char *b)
{
    if (t->n == FORMS_MAX)
        return;
    int len = snprintf(t->v[t->n], sizeof t->v[0], "%s:%s%s", fp, a, b);
    if (len < 0 || len > 245)
        return;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i], t->v[t->n]) == 0)
            return;
    t->n++;
}

/* Keeps only the forms that exist in the index. */
static int forms_existing(term_forms *t, xap_db *db, xap_err *err)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        uint32_t freq = 0;
        if (xap_db_termfreq(db, t->v[i], strlen(t->v[i]), &freq, err) != XAP_OK)
            return -1;
        if (freq > 0 && k != i)
            memcpy(t->v[k], t->v[i], sizeof t->v[0]);
        k += freq > 0;
    }
    t->n = k;
    return 0;
}

/* 1 if a and b normalise to the same text. */
static int same_normalised(an_analyzer *an, const char *a, const char *norm_b, int *oom)
{
    char *na = an_normalize(an, a, strlen(a), NULL);
    if (!na) {
        *oom = 1;
        return 0;
    }
    int same = strcmp(na, norm_b) == 0;
    free(na);
    return same;
}

/* When no exact form exists: the field's values that equal `value` once
 * case, accents and spacing are folded (origin:prod finds PROD, owners:
 * JDoe finds urn:li:corpuser:jdoe). Scans the field's filter terms, which
 * only happens for a value that would otherwise match nothing. */
static int forms_folded(term_forms *t, const field_def *f, const char *value, int urn_field,
                        an_analyzer *an, xap_db *db, xap_err *err)
{
    int is_urn = strncmp(value, "urn:", 4) == 0;
    const char *want_src = (!urn_field && is_urn) ? urn_last_field(value) : value;
    char *want = an_normalize(an, want_src, strlen(want_src), NULL);
    char prefix[32];
    int plen = snprintf(prefix, sizeof prefix, "%s:", f->filter_prefix);
    int rc = -1, oom = 0;
    xap_termiter *it = NULL;
    if (!want)
        goto nomem;
    it = xap_db_allterms(db, prefix, (size_t)plen, err);
    if (!it)
        goto done;
    const char *term;
    size_t len;
    uint32_t freq;
    int more;
    while ((more = xap_termiter_next(it, &term, &len, &freq, err)) == 1 && t->n < FORMS_MAX) {
        char body[256];
        if (len - (size_t)plen >= sizeof body)
            continue;
        memcpy(body, term + plen, len - (size_t)plen);
        body[len - (size_t)plen] = '\0';
        /* A URN field's value matches by URN or, when given without "urn:",
         * by label. */
        const char *cmp = (urn_field && !is_urn) ? summary_urn_label(body) : body;
        if (same_normalised(an, cmp, want, &oom))
            forms_add(t, f->filter_prefix, body, "");
        if (oom)
            goto nomem;
    }
    rc = more < 0 ? -1 : 0;
    goto done;
nomem:
    err->code = XAP_E_NOMEM;
    snprintf(err->msg, sizeof err->msg, "out of memory");
done:
    xap_termiter_free(it);
    free(want);
    return rc;
}

/* The filter terms of one value, ORed: the value as given, as the label
 * of a URN for URN fields, folded as a last resort. */
static mt_node *value_query(const field_def *f, const char *value, an_analyzer *an, xap_db *db,
                            xap_err *err)
{
    static _Thread_local term_forms t; /* 8 KB: kept off the worker's stack */
    t.n = 0;
    const char *fp = f->filter_prefix;
    int is_urn = strncmp(value, "urn:", 4) == 0;
    const char *const *types = urn_types_of(f->id);
    forms_add(&t, fp, value, "");
    if (types && !is_urn) {
        for (size_t i = 0; types[i]; i++) {
            char pre[64];
            snprintf(pre, sizeof pre, "urn:li:%s:", types[i]);
            forms_add(&t, fp, pre, value);
        }
    } else if (!types && is_urn) {
        /* platform=urn:li:dataPlatform:hive means hive. */
        forms_add(&t, fp, urn_last_field(value), "");
    }
    if (forms_existing(&t, db, err) != 0)
        return NULL;
    if (t.n == 0 && forms_folded(&t, f, value, types != NULL, an, db, err) != 0)
        return NULL;
    mt_node *v[FORMS_MAX], *q = NULL;
    size_t n = 0;
    if (t.n == 0) {
        q = mt_nothing();
    } else {
        for (; n < t.n; n++)
            if (!(v[n] = mt_term(t.v[n], strlen(t.v[n]))))
                break;
        q = n == t.n ? mt_combine(MT_OR, v, n) : NULL;
        for (size_t i = 0; i < n; i++)
            mt_free(v[i]);
    }
    if (!q) {
        err->code = XAP_E_NOMEM;
        snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    return q;
}

int filters_query(const filter_set *f, an_analyzer *an, xap_db *db, mt_node **out, xap_err *err)
{
    *out = NULL;
    if (f->n == 0)
        return 0;
    /* One OR group per field, in registry order; groups are ANDed. */
    mt_node *groups[F_COUNT];
    size_t ng = 0;
    int rc = -1;
    for (int fid = 0; fid < F_COUNT; fid++) {
        mt_node *vals[SD_FILTERS_MAX], *g = NULL;
        size_t nv = 0;
        int bad = 0;
        for (size_t i = 0; i < f->n && !bad; i++) {
            if (f->items[i].field->id != (field_id)fid)
                continue;
            mt_node *q = value_query(f->items[i].field, f->items[i].value, an, db, err);
            if (q)
                vals[nv++] = q;
            else
                bad = 1;
        }
        if (!bad && nv > 0 && !(g = mt_combine(MT_OR, vals, nv))) {
            err->code = XAP_E_NOMEM;
            snprintf(err->msg, sizeof err->msg, "out of memory");
        }
        for (size_t k = 0; k < nv; k++)
            mt_free(vals[k]);
        if (bad || (nv > 0 && !g))
            goto done;
        if (g)
            groups[ng++] = g;
    }
    if (!(*out = mt_combine(MT_AND, groups, ng))) {
        err->code = XAP_E_NOMEM;
        snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    rc = *out ? 0 : -1;
done:
    for (size_t i = 0; i < ng; i++)
        mt_free(groups[i]);
    return rc;
}

json_t *filters_json(const filter_set *f)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < f->n; i++) {
        const char *name = f->items[i].field->name;
        json_t *arr = json_object_get(o, name);
        if (!arr) {
            arr = json_array();
            json_object_set_new(o, name, arr);
        }
        json_array_append_new(arr, json_string(f->items[i].value));
    }
    return o;
}
