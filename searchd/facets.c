/* facets.c — facet parameters, counters and their JSON (see facets.h). */
#include "searchd/facets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/summary.h"

static int add_field(request *r, facet_req *out, const char *name, size_t len)
{
    char buf[64];
    if (len == 0) {
        req_reply_error(r, 400, "facets: empty field name");
        return -1;
    }
    if (len >= sizeof buf) {
        req_reply_error(r, 400, "unknown facet field '%.60s'", name);
        return -1;
    }
    memcpy(buf, name, len);
    buf[len] = '\0';
    const field_def *f = field_by_name(buf);
    if (!f || !(f->flags & FIELD_FACET) || f->slot < 0) {
        req_reply_error(r, 400, "unknown facet field '%s'", buf);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        if (out->fields[i] == f) {
            req_reply_error(r, 400, "facet field '%s' is listed twice", buf);
            return -1;
        }
    if (out->n >= SD_FACETS_MAX) {
        req_reply_error(r, 400, "too many facets (at most %d)", SD_FACETS_MAX);
        return -1;
    }
    out->fields[out->n++] = f;
    return 0;
}

int facets_parse(request *r, facet_req *out)
{
    memset(out, 0, sizeof *out);
    long lim;
    if (req_param_long(r, "facet_limit", SD_FACET_VALUES_DEFAULT, 1, SD_FACET_VALUES_MAX, &lim) <
        0)
        return -1;
    out->max_values = (size_t)lim;
    for (size_t i = 0; i < r->nparams; i++) {
        if (strcmp(r->params[i].key, "facets") != 0)
            continue;
        const char *v = r->params[i].val;
        if (strcmp(v, "all") == 0) {
            for (int f = 0; f < F_COUNT; f++)
                if ((FIELDS[f].flags & FIELD_FACET) && FIELDS[f].slot >= 0 &&
                    add_field(r, out, FIELDS[f].name, strlen(FIELDS[f].name)) < 0)
                    return -1;
            continue;
        }
        while (*v) {
            const char *comma = strchr(v, ',');
            size_t n = comma ? (size_t)(comma - v) : strlen(v);
            if (add_field(r, out, v, n) < 0)
                return -1;
            v += n + (comma ? 1 : 0);
        }
    }
    return 0;
}

int facets_attach(const facet_req *fr, xap_enquire *e, facet_run *run, xap_err *err)
{
    for (size_t i = 0; i < fr->n; i++) {
        xap_facetspy *s = xap_facetspy_new((unsigned)fr->fields[i]->slot, err);
        if (!s)
            return -1;
        run->spies[run->n++] = s;
        if (xap_enquire_add_facetspy(e, s, err) != XAP_OK)
            return -1;
    }
    return 0;
}

json_t *facets_json(const facet_req *fr, const facet_run *run, xap_err *err)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < fr->n; i++) {
        json_t *arr = json_array();
        json_object_set_new(o, fr->fields[i]->name, arr);
        if (i >= run->n)
            continue;
        xap_facet_count *c = NULL;
        size_t n = 0;
        if (xap_facetspy_counts(run->spies[i], fr->max_values, &c, &n, err) != XAP_OK) {
            json_decref(o);
            return NULL;
        }
        for (size_t k = 0; k < n; k++) {
            json_t *val = json_stringn(c[k].value, c[k].len);
            if (!val)
                continue; /* not UTF-8: the indexer never writes such values */
            const char *label = strncmp(json_string_value(val), "urn:", 4) == 0
                                    ? summary_urn_label(json_string_value(val))
                                    : json_string_value(val);
            json_array_append_new(arr, json_pack("{s:o,s:s,s:I}", "value", val, "label", label,
                                                 "count", (json_int_t)c[k].count));
        }
        xap_facet_counts_free(c, n);
    }
    return o;
}

void facets_run_free(facet_run *run)
{
    for (size_t i = 0; i < run->n; i++)
        xap_facetspy_free(run->spies[i]);
    run->n = 0;
}
