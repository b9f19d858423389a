/* entity_api.c — one entity by URN (see entity_api.h). */
#include "searchd/entity_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/docbuild.h"
#include "model/summary.h"
#include "model/urn.h"
#include "searchd/entity_json.h"
#include "searchd/limits.h"
#include "searchd/reader.h"

static json_t *columns_json(const summary *s)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < s->ncolumns; i++) {
        const sum_column *c = &s->columns[i];
        json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o,s:o}", "path", ej_str(c->path),
                                             "type", ej_str(c->native_type), "description",
                                             ej_str(c->description), "tags",
                                             ej_urns(&c->tags, 0), "glossaryTerms",
                                             ej_urns(&c->terms, 0)));
    }
    return arr;
}

static json_t *entity_json(const json_t *state, char *err, size_t errlen)
{
    summary s;
    if (summary_build(state, &s, err, errlen) != 0)
        return NULL;
    json_t *o = ej_summary(&s, 0);
    if (o) {
        json_object_set_new(o, "description", ej_str(s.description));
        json_object_set_new(o, "columns", columns_json(&s));
        json_object_set_new(o, "upstreams", ej_urns(&s.upstreams, 0));
        json_object_set_new(o, "downstreams", ej_urns(&s.downstreams, 0));
        json_object_set_new(o, "usage", json_pack("{s:f,s:f}", "queries", s.usage_queries,
                                                  "uniqueUsers", s.usage_users));
        json_object_set_new(o, "updatedMs",
                            s.updated_ms ? json_integer(s.updated_ms) : json_null());
        json_t *aspects = json_object_get(state, "aspects");
        json_object_set_new(o, "aspects", aspects ? json_deep_copy(aspects) : json_object());
    } else {
        snprintf(err, errlen, "out of memory");
    }
    summary_free(&s);
    return o;
}

/* Finds and renders the entity; XAP_E_NOT_FOUND when absent. */
static int lookup(reader *rd, const char *urn, json_t **out, char *err, size_t errlen)
{
    char term[512];
    xap_err xe = {0};
    xap_docid id = 0;
    *out = NULL;
    int tl = doc_id_term(urn, term, sizeof term);
    if (tl < 0) {
        snprintf(err, errlen, "cannot make the id term");
        return XAP_E_GENERIC;
    }
    if (xap_db_find_by_term(rd->db, term, (size_t)tl, &id, &xe) != XAP_OK) {
        snprintf(err, errlen, "%s", xe.msg);
        return xe.code == XAP_E_NOT_FOUND ? XAP_E_GENERIC : xe.code;
    }
    if (id == 0)
        return XAP_E_NOT_FOUND;
    json_t *state = NULL;
    int rc = ej_read_state(rd->db, id, &state, err, errlen);
    if (rc != XAP_OK)
        return rc;
    *out = entity_json(state, err, errlen);
    json_decref(state);
    return *out ? XAP_OK : XAP_E_GENERIC;
}

void entity_api_handle(request *r)
{
    const char *urn_s = r->path + strlen(ENTITY_API_PREFIX);
    char err[1024] = "";
    if (r->nparams > 0) {
        req_reply_error(r, 400, "unknown parameter '%s'", r->params[0].key);
        return;
    }
    if (*urn_s == '\0') {
        req_reply_error(r, 404, "no URN after %s", ENTITY_API_PREFIX);
        return;
    }
    if (strlen(urn_s) > URN_MAX_LEN) {
        req_reply_error(r, 400, "the URN is longer than %d bytes", URN_MAX_LEN);
        return;
    }
    urn u;
    if (urn_parse(urn_s, &u, err, sizeof err) != 0) {
        req_reply_error(r, 400, "not a URN: %s", err);
        return;
    }
    urn_free(&u);
    reader *rd = NULL;
    reader_status st = reader_get(&rd, err, sizeof err);
    if (st != READER_OK) {
        req_reply_error(r, st == READER_NO_INDEX ? 503 : 500, "%s", err);
        return;
    }
    json_t *body = NULL;
    int rc = XAP_OK;
    for (int attempt = 0; attempt <= SD_MODIFIED_RETRIES; attempt++) {
        rc = lookup(rd, urn_s, &body, err, sizeof err);
        if (rc != XAP_E_MODIFIED)
            break;
        if ((st = reader_refresh(rd, err, sizeof err)) != READER_OK) {
            req_reply_error(r, st == READER_NO_INDEX ? 503 : 500, "%s", err);
            return;
        }
    }
    if (rc == XAP_OK)
        req_reply_json(r, 200, body);
    else if (rc == XAP_E_NOT_FOUND)
        req_reply_error(r, 404, "no entity %s", urn_s);
    else
        req_reply_error(r, 500, "reading the entity: %s", err);
}
