/* state_cache.c — per-thread cache of parsed entity states (see
 * state_cache.h). */
#include "searchd/state_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/entity_json.h"
#include "searchd/limits.h"

static void entry_clear(sc_entry *e)
{
    if (e->state) {
        summary_free(&e->sum);
        json_decref(e->state);
    }
    memset(e, 0, sizeof *e);
}

static void cache_clear(state_cache *c)
{
    for (size_t i = 0; c->slots && i < SD_STATE_CACHE_SLOTS; i++)
        entry_clear(&c->slots[i]);
}

void sc_free(state_cache *c)
{
    cache_clear(c);
    free(c->slots);
    memset(c, 0, sizeof *c);
}

/* Reads, parses and summarises document id into e. */
static int load(xap_db *db, xap_docid id, sc_entry *e, size_t *len, char *err, size_t errlen)
{
    xap_err xe = {0};
    xap_doc *doc = xap_db_get_document(db, id, &xe);
    char *data = NULL;
    if (!doc) {
        snprintf(err, errlen, "reading document %u: %s", id, xe.msg);
        /* A document in a result page that is gone: the index moved. */
        return xe.code == XAP_E_NOT_FOUND ? XAP_E_MODIFIED : xe.code;
    }
    int rc = xap_doc_get_data(doc, &data, len, &xe);
    xap_doc_free(doc);
    if (rc != XAP_OK) {
        snprintf(err, errlen, "reading document %u: %s", id, xe.msg);
        return xe.code;
    }
    json_t *state = NULL;
    rc = ej_load_state(data, *len, &state, err, errlen);
    free(data);
    if (rc != 0)
        return XAP_E_GENERIC;
    if (summary_build(state, &e->sum, err, errlen) != 0) {
        json_decref(state);
        return XAP_E_GENERIC;
    }
    e->state = state;
    e->id = id;
    return XAP_OK;
}

int sc_get(state_cache *c, xap_db *db, uint64_t revision, xap_docid id, sc_ref *out, char *err,
           size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (c->revision != revision) {
        cache_clear(c);
        c->revision = revision;
    }
    if (!c->slots)
        c->slots = calloc(SD_STATE_CACHE_SLOTS, sizeof *c->slots);
    sc_entry *slot = c->slots ? &c->slots[id % SD_STATE_CACHE_SLOTS] : NULL;
    if (slot && slot->id == id && slot->state) {
        out->state = slot->state;
        out->sum = &slot->sum;
        return XAP_OK;
    }
    size_t len = 0;
    int rc = load(db, id, &out->tmp, &len, err, errlen);
    if (rc != XAP_OK)
        return rc;
    if (slot && len <= SD_STATE_CACHE_MAX_BYTES) {
        entry_clear(slot);
        *slot = out->tmp;
        memset(&out->tmp, 0, sizeof out->tmp);
        out->state = slot->state;
        out->sum = &slot->sum;
    } else {
        out->state = out->tmp.state;
        out->sum = &out->tmp.sum;
    }
    return XAP_OK;
}

void sc_release(sc_ref *ref)
{
    entry_clear(&ref->tmp);
    ref->state = NULL;
    ref->sum = NULL;
}
