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
    json_t *state = NULL;
    /* A document of a result page that is gone (XAP_E_MODIFIED): the
     * index moved. */
    int rc = ej_read_state(db, id, &state, err, errlen);
    if (rc != XAP_OK)
        return rc;
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
