/* store_names.c — display names of related entities, and reading stored states.
 *
 * A dataset owned by urn:li:corpuser:jdoe should be found by "Jane Doe",
 * and one in urn:li:container:abc by its container's name. The name lives
 * in the related entity's own state, which may be in the batch being
 * built, in the batch being written, or only in the index (read through the
 * read handle, which shows every batch before the one being written). The
 * lookup asks them in that order, so a name changed in this batch is what
 * this batch's documents get. Names read from the index are cached, unknown ones too
 * (they only change through batches, which come first in the lookup, and
 * each batch forgets the names of the entities it rewrites); the cache is
 * emptied between documents once it holds NAMES_MAX entries, so memory
 * stays bounded and a name handed to doc_build stays valid while it builds.
 */
#include <stdlib.h>
#include <string.h>

#include "model/docbuild.h"
#include "model/event_json.h"
#include "model/store_impl.h"
#include "model/summary.h"

#define NAMES_MAX 100000

void store_names_init(store *s) {
    store_urnmap_init(&s->names);
    s->namev = NULL;
    s->nnames = s->namecap = 0;
}

static void names_clear(store *s) {
    for (size_t i = 0; i < s->nnames; i++) {
        free(s->namev[i].urn);
        free(s->namev[i].name);
    }
    s->nnames = 0;
    store_urnmap_clear(&s->names);
}

void store_names_free(store *s) {
    names_clear(s);
    free(s->namev);
    store_urnmap_free(&s->names);
    store_names_init(s);
}

void store_names_trim(store *s) {
    if (s->nnames >= NAMES_MAX) names_clear(s);
}

void store_names_forget_batch(store *s, const store_batch *b) {
    if (s->names.n == 0) return;
    /* The entries stay in namev (freed with the cache); only the map forgets them. */
    for (size_t i = 0; i < b->nent; i++) store_urnmap_del(&s->names, b->ent[i].urn);
}

/* The display name a state gives (malloc'd), or NULL. */
static char *state_name(const json_t *state) {
    if (!state) return NULL;
    summary sum;
    char err[256];
    if (summary_build(state, &sum, err, sizeof err) != 0) return NULL;
    char *name = sum.name ? strdup(sum.name) : NULL;
    summary_free(&sum);
    return name;
}

static const char *entity_name(store_entity *e) {
    if (!e->name_done) {
        e->name = state_name(e->state);
        e->name_done = 1;
    }
    return e->name;
}

int store_refresh_reader(store *s, char *err, size_t errlen) {
    if (s->rdb_fresh) return 0;
    xap_err xe;
    int changed;
    if (xap_db_reopen(s->rdb, &changed, &xe) != XAP_OK) {
        snprintf(err, errlen, "reopening the index for reading: %s", xe.msg);
        return -1;
    }
    s->rdb_fresh = 1;
    return 0;
}

int store_read_state(xap_db *db, const char *urn, json_t **state, char *err, size_t errlen) {
    char term[STORE_TERM_CAP];
    int tlen = doc_id_term(urn, term, sizeof term);
    *state = NULL;
    if (tlen < 0) {
        snprintf(err, errlen, "URN too long for an id term: %.80s...", urn);
        return -1;
    }
    xap_err xe;
    /* A concurrent commit can move the read handle's revision from under a
     * read (DatabaseModifiedError): reopen and read again. */
    for (int attempt = 0;; attempt++) {
        xap_docid id = 0;
        int rc = xap_db_find_by_term(db, term, (size_t)tlen, &id, &xe);
        xap_doc *doc = NULL;
        char *data = NULL;
        size_t len = 0;
        if (rc == XAP_OK && id == 0) return 0;
        if (rc == XAP_OK) {
            doc = xap_db_get_document(db, id, &xe);
            rc = doc ? xap_doc_get_data(doc, &data, &len, &xe) : xe.code;
            xap_doc_free(doc);
        }
        if (rc == XAP_OK) {
            json_error_t je;
            *state = ev_json_load(data, len, 0, &je);
            free(data);
            return *state ? 1 : 2;
        }
        if (rc == XAP_E_NOT_FOUND) return 0; /* deleted between the lookup and the read */
        if (rc == XAP_E_MODIFIED && attempt < 3) {
            int changed;
            if (xap_db_reopen(db, &changed, &xe) == XAP_OK) continue;
        }
        snprintf(err, errlen, "reading %s: %s", urn, xe.msg);
        return -1;
    }
}

const char *store_names_lookup(void *ctx, const char *urn) {
    store *s = ctx;
    if (!urn) return NULL;
    store_entity *e = store_batch_find(s->cur, urn);
    if (!e) e = store_batch_find(s->flight, urn);
    if (e) return entity_name(e);
    uint32_t i;
    if (store_urnmap_get(&s->names, urn, &i)) return s->namev[i].name;

    json_t *state = NULL;
    char err[STORE_ERRLEN];
    /* An unreadable owner only loses its display name: the document is still
     * built. The read must see every batch written so far but the one in
     * flight (found above), or a name written two batches ago would be
     * cached as unknown. */
    if (store_refresh_reader(s, err, sizeof err) != 0 ||
        store_read_state(s->rdb, urn, &state, err, sizeof err) < 0)
        state = NULL;
    char *name = state_name(state);
    json_decref(state);

    if (s->nnames == s->namecap) {
        size_t ncap = s->namecap ? s->namecap * 2 : 256;
        store_name *nv = realloc(s->namev, ncap * sizeof *nv);
        if (!nv) {
            free(name);
            return NULL;
        }
        s->namev = nv;
        s->namecap = ncap;
    }
    char *key = strdup(urn);
    if (!key) {
        free(name);
        return NULL;
    }
    s->namev[s->nnames] = (store_name){key, name};
    if (store_urnmap_put(&s->names, key, (uint32_t)s->nnames) != 0) {
        free(key);
        free(name);
        return NULL;
    }
    s->nnames++;
    return name;
}
