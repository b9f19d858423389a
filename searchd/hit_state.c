/* hit_state.c — a hit's stored entity state, read and summarised (see
 * hit_state.h). */
#include "searchd/hit_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/card.h"
#include "model/fields.h"
#include "searchd/entity_json.h"
#include "searchd/json_arena.h"

int hs_load(xap_db *db, xap_docid id, hit_state *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_t *state = NULL;
    /* Parsed into the thread's arena when there is one: read here, freed
     * by hs_free at once. */
    int arena = ja_open();
    /* A document of a result page that is gone (XAP_E_MODIFIED): the
     * index moved. */
    int rc = ej_read_state(db, id, &state, err, errlen);
    ja_close();
    if (rc == XAP_OK && summary_build(state, &out->sum, err, errlen) != 0) {
        json_decref(state);
        rc = XAP_E_GENERIC;
    }
    if (rc != XAP_OK) {
        if (arena)
            ja_release();
        return rc;
    }
    out->state = state;
    out->arena = arena;
    return XAP_OK;
}

int hs_load_card(xap_db *db, xap_docid id, hit_state *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    xap_err xe = {0};
    char *card = NULL;
    size_t len = 0;
    if (xap_db_get_value(db, id, SLOT_CARD, &card, &len, &xe) != XAP_OK) {
        snprintf(err, errlen, "reading document %u: %s", id, xe.msg);
        return xe.code == XAP_E_NOT_FOUND ? XAP_E_MODIFIED : xe.code;
    }
    /* Empty: no card, or no document (hs_load tells which). */
    if (len == 0 || card_read(card, len, &out->sum) != 0) {
        free(card);
        return 1;
    }
    out->card = card;
    return XAP_OK;
}

void hs_free(hit_state *s)
{
    if (s->card) {
        summary_free(&s->sum);
        free(s->card);
    } else if (s->state) {
        summary_free(&s->sum);
        if (s->arena)
            ja_release(); /* the state's values go with the arena */
        else
            json_decref(s->state);
    }
    memset(s, 0, sizeof *s);
}
