/* ranking_store.c — the ranking config in the index metadata, its shared
 * snapshots and its saves (see ranking_store.h). */
#include "searchd/ranking_store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- snapshots ---------------------------------------------------------- */

rk_snapshot *rs_snapshot_new(ranking_config *cfg, uint64_t version, const char *saved_at)
{
    rk_snapshot *s = calloc(1, sizeof *s);
    if (!s) {
        rk_free(cfg);
        return NULL;
    }
    s->cfg = *cfg;
    memset(cfg, 0, sizeof *cfg);
    s->version = version;
    snprintf(s->saved_at, sizeof s->saved_at, "%s", saved_at ? saved_at : "");
    s->refs = 1;
    return s;
}

rk_snapshot *rs_ref(rk_snapshot *s)
{
    if (s)
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
    return s;
}

void rs_release(rk_snapshot *s)
{
    if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        rk_free(&s->cfg);
        free(s);
    }
}

json_t *rs_snapshot_json(const rk_snapshot *s)
{
    json_t *cfg = rk_to_json(&s->cfg);
    if (!cfg)
        return NULL;
    json_object_set_new(cfg, "version", json_integer((json_int_t)s->version));
    return json_pack("{s:I,s:o,s:o}", "version", (json_int_t)s->version, "config", cfg, "saved_at",
                     s->saved_at[0] ? json_string(s->saved_at) : json_null());
}

/* ---- reading -------------------------------------------------------------- */

/* A stored document {"version", "saved_at", "config"} as a snapshot. */
static rs_status parse_doc(const char *raw, size_t len, an_analyzer *an, rk_snapshot **out,
                           char *err, size_t errlen)
{
    json_error_t je;
    json_t *doc = json_loadb(raw, len, 0, &je);
    if (!doc) {
        snprintf(err, errlen, "stored ranking config is not JSON: %s", je.text);
        return RS_ERROR;
    }
    const json_t *ver = json_object_get(doc, "version");
    const json_t *at = json_object_get(doc, "saved_at");
    const json_t *cj = json_object_get(doc, "config");
    if (!json_is_integer(ver) || json_integer_value(ver) < 1 || !json_is_object(cj)) {
        snprintf(err, errlen, "stored ranking config lacks its version or config");
        json_decref(doc);
        return RS_ERROR;
    }
    ranking_config cfg;
    char field[256], msg[512];
    if (rk_parse(cj, an, &cfg, field, sizeof field, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "stored ranking config version %lld does not validate: %s",
                 (long long)json_integer_value(ver), msg);
        json_decref(doc);
        return RS_INVALID;
    }
    *out = rs_snapshot_new(&cfg, (uint64_t)json_integer_value(ver), json_string_value(at));
    json_decref(doc);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return RS_ERROR;
    }
    return RS_OK;
}

static rk_snapshot *defaults_snapshot(void)
{
    ranking_config cfg;
    rk_defaults(&cfg);
    return rs_snapshot_new(&cfg, 0, NULL);
}

static rs_status read_key(xap_db *db, const char *key, char **val, size_t *len, char *err,
                          size_t errlen)
{
    xap_err xe = {0};
    if (xap_db_get_metadata(db, key, val, len, &xe) != XAP_OK) {
        snprintf(err, errlen, "reading %s: %s", key, xe.msg);
        return RS_ERROR;
    }
    if (*len > RS_DOC_MAX_BYTES) {
        snprintf(err, errlen, "%s is %zu bytes; at most %u are read", key, *len, RS_DOC_MAX_BYTES);
        free(*val);
        *val = NULL;
        return RS_ERROR;
    }
    return RS_OK;
}

rs_status rs_read_version(xap_db *db, an_analyzer *an, uint64_t version, rk_snapshot **out,
                          char *err, size_t errlen)
{
    *out = NULL;
    if (version == 0) {
        if (!(*out = defaults_snapshot())) {
            snprintf(err, errlen, "out of memory");
            return RS_ERROR;
        }
        return RS_OK;
    }
    char key[64];
    snprintf(key, sizeof key, RS_KEY_VERSION_FMT, (unsigned long long)version);
    char *raw = NULL;
    size_t len = 0;
    rs_status st = read_key(db, key, &raw, &len, err, errlen);
    if (st != RS_OK)
        return st;
    if (len == 0) {
        free(raw);
        snprintf(err, errlen, "ranking config version %llu was never saved",
                 (unsigned long long)version);
        return RS_NOT_FOUND;
    }
    st = parse_doc(raw, len, an, out, err, errlen);
    free(raw);
    return st;
}

/* The latest snapshot parsed by any thread, with the bytes it came from:
 * threads that read the same bytes share it instead of parsing again. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static rk_snapshot *g_shared;
static char *g_shared_raw;
static size_t g_shared_len;

/* What the calling thread last used: valid while its reader stays at
 * `revision` on the same handle. */
typedef struct rs_local {
    const xap_db *db;
    uint64_t revision;
    rk_snapshot *snap;
} rs_local;

static pthread_key_t g_key;
static int g_key_made;

static void local_destroy(void *p)
{
    rs_local *l = p;
    if (l) {
        rs_release(l->snap);
        free(l);
    }
}

int rs_init(char *err, size_t errlen)
{
    int rc = pthread_key_create(&g_key, local_destroy);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_key_create: %s", strerror(rc));
        return -1;
    }
    g_key_made = 1;
    return 0;
}

void rs_shutdown(void)
{
    if (g_key_made) {
        local_destroy(pthread_getspecific(g_key));
        pthread_setspecific(g_key, NULL);
        pthread_key_delete(g_key);
        g_key_made = 0;
    }
    pthread_mutex_lock(&g_lock);
    rs_release(g_shared);
    free(g_shared_raw);
    g_shared = NULL;
    g_shared_raw = NULL;
    g_shared_len = 0;
    pthread_mutex_unlock(&g_lock);
}

/* The snapshot for the stored bytes raw[0..len) ("" = defaults): shared
 * if another thread parsed the same bytes, parsed and shared otherwise. */
static rs_status snapshot_for(const char *raw, size_t len, an_analyzer *an, rk_snapshot **out,
                              char *err, size_t errlen)
{
    pthread_mutex_lock(&g_lock);
    if (g_shared && g_shared_len == len && (len == 0 || memcmp(g_shared_raw, raw, len) == 0)) {
        *out = rs_ref(g_shared);
        pthread_mutex_unlock(&g_lock);
        return RS_OK;
    }
    pthread_mutex_unlock(&g_lock);

    rk_snapshot *s = NULL;
    if (len == 0) {
        s = defaults_snapshot();
    } else {
        char perr[768];
        rs_status st = parse_doc(raw, len, an, &s, perr, sizeof perr);
        if (st != RS_OK) {
            /* Serve with the defaults rather than fail every search; the
             * admin sees the problem in the log and can save again. */
            fprintf(stderr, "metadex-searchd: %s; ranking with the defaults\n", perr);
            s = defaults_snapshot();
        }
    }
    char *copy = len ? malloc(len) : NULL;
    if (!s || (len && !copy)) {
        rs_release(s);
        free(copy);
        snprintf(err, errlen, "out of memory");
        return RS_ERROR;
    }
    if (len)
        memcpy(copy, raw, len);
    pthread_mutex_lock(&g_lock);
    rs_release(g_shared);
    free(g_shared_raw);
    g_shared = rs_ref(s);
    g_shared_raw = copy;
    g_shared_len = len;
    pthread_mutex_unlock(&g_lock);
    *out = s;
    return RS_OK;
}

rs_status rs_current(reader *rd, rk_snapshot **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!g_key_made) {
        snprintf(err, errlen, "rs_init was not called");
        return RS_ERROR;
    }
    rs_local *l = pthread_getspecific(g_key);
    if (!l) {
        if (!(l = calloc(1, sizeof *l)) || pthread_setspecific(g_key, l) != 0) {
            free(l);
            snprintf(err, errlen, "out of memory");
            return RS_ERROR;
        }
    }
    if (l->snap && l->db == rd->db && l->revision == rd->revision) {
        *out = rs_ref(l->snap);
        return RS_OK;
    }
    char *raw = NULL;
    size_t len = 0;
    rs_status st = read_key(rd->db, RS_KEY_CURRENT, &raw, &len, err, errlen);
    if (st != RS_OK)
        return st;
    rk_snapshot *s = NULL;
    st = snapshot_for(raw, len, rd->an, &s, err, errlen);
    free(raw);
    if (st != RS_OK)
        return st;
    rs_release(l->snap);
    l->snap = rs_ref(s);
    l->db = rd->db;
    l->revision = rd->revision;
    *out = s;
    return RS_OK;
}

rs_status rs_list_versions(xap_db *db, size_t max, json_t **out, uint64_t *total, char *err,
                           size_t errlen)
{
    *out = NULL;
    *total = 0;
    char *raw = NULL;
    size_t len = 0;
    rs_status st = read_key(db, RS_KEY_CURRENT, &raw, &len, err, errlen);
    if (st != RS_OK)
        return st;
    uint64_t cur = 0;
    if (len) {
        json_t *doc = json_loadb(raw, len, 0, NULL);
        json_int_t v = json_integer_value(json_object_get(doc, "version"));
        cur = v > 0 ? (uint64_t)v : 0;
        json_decref(doc);
    }
    free(raw);
    json_t *arr = json_array();
    if (!arr) {
        snprintf(err, errlen, "out of memory");
        return RS_ERROR;
    }
    for (uint64_t v = cur; v >= 1 && (max == 0 || json_array_size(arr) < max); v--) {
        char key[64];
        snprintf(key, sizeof key, RS_KEY_VERSION_FMT, (unsigned long long)v);
        if ((st = read_key(db, key, &raw, &len, err, errlen)) != RS_OK) {
            json_decref(arr);
            return st;
        }
        json_t *doc = len ? json_loadb(raw, len, 0, NULL) : NULL;
        free(raw);
        if (!doc)
            continue; /* never written (a save that failed half-way cannot: one commit) */
        json_object_set_new(json_object_get(doc, "config"), "version", json_integer((json_int_t)v));
        json_array_append_new(arr, doc);
    }
    *out = arr;
    *total = cur;
    return RS_OK;
}

/* ---- saving ---------------------------------------------------------------- */

static rs_writer_hook g_writer;
static void *g_writer_ctx;

void rs_set_writer(rs_writer_hook hook, void *ctx)
{
    g_writer = hook;
    g_writer_ctx = ctx;
}

typedef struct save_job {
    const ranking_config *cfg;
    json_t *saved; /* out */
} save_job;

/* Runs on the writable handle: version N+1 under the write lock, so two
 * saves can never take the same number. */
static int save_fn(xap_db *wdb, void *arg, char *err, size_t errlen)
{
    save_job *job = arg;
    char *raw = NULL;
    size_t len = 0;
    if (read_key(wdb, RS_KEY_CURRENT, &raw, &len, err, errlen) != RS_OK)
        return -1;
    uint64_t cur = 0;
    if (len) {
        json_t *doc = json_loadb(raw, len, 0, NULL);
        json_int_t v = json_integer_value(json_object_get(doc, "version"));
        cur = v > 0 ? (uint64_t)v : 0;
        json_decref(doc);
    }
    free(raw);

    char at[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);

    /* A snapshot view of cfg (a shallow copy, never freed). */
    rk_snapshot view = {.cfg = *job->cfg, .version = cur + 1, .refs = 1};
    snprintf(view.saved_at, sizeof view.saved_at, "%s", at);
    json_t *doc = rs_snapshot_json(&view);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (!text) {
        json_decref(doc);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char key[64];
    snprintf(key, sizeof key, RS_KEY_VERSION_FMT, (unsigned long long)(cur + 1));
    xap_err xe = {0};
    int rc = 0;
    if (xap_db_set_metadata(wdb, key, text, strlen(text), &xe) != XAP_OK ||
        xap_db_set_metadata(wdb, RS_KEY_CURRENT, text, strlen(text), &xe) != XAP_OK) {
        snprintf(err, errlen, "writing the ranking config: %s", xe.msg);
        rc = -1;
    }
    free(text);
    if (rc == 0)
        job->saved = doc;
    else
        json_decref(doc);
    return rc;
}

rs_status rs_save(const char *db_path, const ranking_config *cfg, json_t **saved, char *err,
                  size_t errlen)
{
    save_job job = {.cfg = cfg, .saved = NULL};
    *saved = NULL;
    if (g_writer) {
        if (g_writer(g_writer_ctx, save_fn, &job, err, errlen) != 0) {
            json_decref(job.saved);
            return RS_ERROR;
        }
        *saved = job.saved;
        return RS_OK;
    }
    xap_err xe = {0};
    xap_db *wdb = xap_db_open_write(db_path, &xe);
    if (!wdb) {
        snprintf(err, errlen, "%s",
                 xe.code == XAP_E_LOCKED ? "the index is being written by another process "
                                           "(an indexer is running); save again when it is done"
                                         : xe.msg);
        return xe.code == XAP_E_LOCKED ? RS_LOCKED : RS_ERROR;
    }
    int rc = save_fn(wdb, &job, err, errlen);
    if (rc == 0 && xap_db_commit(wdb, &xe) != XAP_OK) {
        snprintf(err, errlen, "committing the ranking config: %s", xe.msg);
        rc = -1;
    }
    xap_db_close(wdb);
    if (rc != 0) {
        json_decref(job.saved);
        return RS_ERROR;
    }
    *saved = job.saved;
    return RS_OK;
}
