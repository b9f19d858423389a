/* entity_json.c — summary fields as JSON (see entity_json.h). */
#include "searchd/entity_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/event_json.h"

json_t *ej_str(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

json_t *ej_urns(const sum_strv *v, int labels_only)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < v->n; i++) {
        const char *label = summary_urn_label(v->v[i]);
        if (labels_only)
            json_array_append_new(arr, ej_str(label));
        else
            json_array_append_new(arr, json_pack("{s:o,s:o}", "urn", ej_str(v->v[i]), "label",
                                                 ej_str(label)));
    }
    return arr;
}

static json_t *strs(const sum_strv *v)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < v->n; i++)
        json_array_append_new(arr, ej_str(v->v[i]));
    return arr;
}

json_t *ej_summary(const summary *s, int labels_only)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "urn", ej_str(s->urn));
    json_object_set_new(o, "type", ej_str(s->type));
    json_object_set_new(o, "name", ej_str(s->name));
    json_object_set_new(o, "qualifiedName",
                        ej_str(s->qualified_name ? s->qualified_name : s->urn_name));
    json_object_set_new(o, "platform", ej_str(s->platform));
    json_object_set_new(o, "origin", ej_str(s->origin));
    json_object_set_new(o, "owners", ej_urns(&s->owners, labels_only));
    json_object_set_new(o, "tags", ej_urns(&s->tags, labels_only));
    json_object_set_new(o, "glossaryTerms", ej_urns(&s->terms, labels_only));
    json_object_set_new(o, "domains", ej_urns(&s->domains, labels_only));
    json_object_set_new(o, "subTypes", strs(&s->subtypes));
    json_object_set_new(o, "container", ej_str(s->container));
    json_object_set_new(o, "popularity", json_real(s->usage_queries));
    json_object_set_new(o, "removed", json_boolean(s->removed));
    return o;
}

int ej_read_state(xap_db *db, xap_docid id, json_t **state, char *err, size_t errlen)
{
    xap_err xe = {0};
    char *data = NULL;
    size_t len = 0;
    *state = NULL;
    if (xap_db_get_data(db, id, &data, &len, &xe) != XAP_OK) {
        snprintf(err, errlen, "reading document %u: %s", id, xe.msg);
        return xe.code == XAP_E_NOT_FOUND ? XAP_E_MODIFIED : xe.code;
    }
    if (len == 0) {
        /* Every document metadex writes holds its state: this one is gone
         * (the index moved since the docid was found). */
        free(data);
        snprintf(err, errlen, "reading document %u: not found", id);
        return XAP_E_MODIFIED;
    }
    json_error_t je;
    /* The one-pass parser the indexer reads events with: a hit's state is
     * parsed on every search that shows it. */
    *state = ev_json_load(data, len, 0, &je);
    free(data);
    if (!*state || !json_is_object(*state)) {
        snprintf(err, errlen, "stored entity state is not a JSON object: %s",
                 *state ? "wrong type" : je.text);
        json_decref(*state);
        *state = NULL;
        return XAP_E_GENERIC;
    }
    return XAP_OK;
}
