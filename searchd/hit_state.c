/* hit_state.c — a hit's stored entity state, read and summarised (see
 * hit_state.h). */
#include "searchd/hit_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/entity_json.h"

int hs_load(xap_db *db, xap_docid id, hit_state *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    xap_err xe = {0};
    xap_doc *doc = xap_db_get_document(db, id, &xe);
    char *data = NULL;
    size_t len = 0;
    if (!doc) {
        snprintf(err, errlen, "reading document %u: %s", id, xe.msg);
        /* A document in a result page that is gone: the index moved. */
        return xe.code == XAP_E_NOT_FOUND ? XAP_E_MODIFIED : xe.code;
    }
    int rc = xap_doc_get_data(doc, &data, &len, &xe);
    xap_doc_free(doc);
    if (rc != XAP_OK) {
        snprintf(err, errlen, "reading document %u: %s", id, xe.msg);
        return xe.code;
    }
    json_t *state = NULL;
    rc = ej_load_state(data, len, &state, err, errlen);
    free(data);
    if (rc != 0)
        return XAP_E_GENERIC;
    if (summary_build(state, &out->sum, err, errlen) != 0) {
        json_decref(state);
        return XAP_E_GENERIC;
    }
    out->state = state;
    return XAP_OK;
}

void hs_free(hit_state *s)
{
    if (s->state) {
        summary_free(&s->sum);
        json_decref(s->state);
    }
    memset(s, 0, sizeof *s);
}
