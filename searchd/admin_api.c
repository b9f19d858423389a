/* admin_api.c — the ranking admin endpoints (see admin_api.h). */
#include "searchd/admin_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/facets.h"
#include "searchd/filters.h"
#include "searchd/limits.h"
#include "searchd/query_plan.h"
#include "searchd/ranking_store.h"
#include "searchd/reader.h"
#include "searchd/search_api.h"
#include "searchd/search_exec.h"
#include "searchd/token_file.h"

static token g_token; /* text NULL: the admin API is disabled */

int admin_init(const char *token_path, char *err, size_t errlen)
{
    if (!token_path)
        return 0;
    return token_read(&g_token, token_path, "--admin-token-file", ADMIN_TOKEN_MIN_BYTES,
                      ADMIN_TOKEN_MAX_BYTES, err, errlen);
}

void admin_shutdown(void)
{
    token_free(&g_token);
}

/* ---- answers -------------------------------------------------------------- */

static void reply_code(request *r, int status, const char *code, const char *msg, const char *field)
{
    json_t *e = json_pack("{s:s,s:s}", "code", code, "message", msg);
    if (e && field)
        json_object_set_new(e, "field", json_string(field));
    req_reply_json(r, status, e ? json_pack("{s:o}", "error", e) : NULL);
}

/* 1 if the request carries the admin token; otherwise answers 503 (no
 * token configured) or 401 and returns 0. */
static int authorized(request *r)
{
    if (!g_token.text) {
        reply_code(r, 503, "unavailable",
                   "admin API disabled: start metadex-searchd with --admin-token-file", NULL);
        return 0;
    }
    token_check c = token_check_request(&g_token, r);
    if (c == TOKEN_OK)
        return 1;
    req_add_header(r, "WWW-Authenticate", "Bearer realm=\"metadex admin\"");
    reply_code(r, 401, "unauthorized",
               c == TOKEN_WRONG ? "wrong admin token"
                                : "missing Authorization: Bearer <admin token>",
               NULL);
    return 0;
}

/* The body as a JSON object, or NULL after answering 400. */
static json_t *body_object(request *r)
{
    if (!r->body || r->body_len == 0) {
        reply_code(r, 400, "bad_request", "a JSON object body is required", NULL);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j || !json_is_object(j)) {
        char msg[300];
        snprintf(msg, sizeof msg, "the body is not a JSON object%s%s", j ? "" : ": ",
                 j ? "" : je.text);
        json_decref(j);
        reply_code(r, 400, "bad_request", msg, NULL);
        return NULL;
    }
    return j;
}

/* The calling thread's reader, or NULL after answering 503/500. */
static reader *get_reader(request *r)
{
    char err[512];
    reader *rd = NULL;
    reader_status st = reader_get(&rd, err, sizeof err);
    if (st != READER_OK) {
        reply_code(r, st == READER_NO_INDEX ? 503 : 500,
                   st == READER_NO_INDEX ? "unavailable" : "internal", err, NULL);
        return NULL;
    }
    return rd;
}

/* Parses a config (400 invalid_config on failure). */
static int parse_config(request *r, reader *rd, const json_t *j, ranking_config *out)
{
    char field[256] = "", msg[768] = "";
    if (rk_parse(j, rd->an, out, field, sizeof field, msg, sizeof msg) != 0) {
        reply_code(r, 400, "invalid_config", msg, field);
        return -1;
    }
    return 0;
}

static void reply_save(request *r, rs_status st, json_t *saved, const char *err)
{
    if (st == RS_OK)
        req_reply_json(r, 200, saved);
    else if (st == RS_LOCKED)
        reply_code(r, 409, "index_locked", err, NULL);
    else
        reply_code(r, 500, "internal", err, NULL);
}

/* ---- GET, PUT /v1/admin/ranking --------------------------------------------- */

static void ranking_get(request *r)
{
    reader *rd = get_reader(r);
    if (!rd)
        return;
    char err[512];
    rk_snapshot *s = NULL;
    if (rs_current(rd, &s, err, sizeof err) != RS_OK) {
        reply_code(r, 500, "internal", err, NULL);
        return;
    }
    json_t *j = rs_snapshot_json(s);
    rs_release(s);
    if (j)
        req_reply_json(r, 200, j);
    else
        reply_code(r, 500, "internal", "out of memory", NULL);
}

static void ranking_put(request *r)
{
    if (!authorized(r))
        return;
    json_t *j = body_object(r);
    if (!j)
        return;
    reader *rd = get_reader(r);
    ranking_config cfg;
    if (!rd || parse_config(r, rd, j, &cfg) != 0) {
        json_decref(j);
        return;
    }
    json_decref(j);
    char err[512] = "";
    json_t *saved = NULL;
    rs_status st = rs_save(reader_db_path(), &cfg, &saved, err, sizeof err);
    rk_free(&cfg);
    reply_save(r, st, saved, err);
}

void admin_ranking_handle(request *r)
{
    if (strcmp(r->method, "PUT") == 0)
        ranking_put(r);
    else
        ranking_get(r);
}

/* ---- versions, revert ---------------------------------------------------------- */

void admin_versions_handle(request *r)
{
    static const char *const known[] = {"limit", NULL};
    if (!authorized(r) || req_check_known(r, known) < 0)
        return;
    long limit;
    if (req_param_long(r, "limit", ADMIN_VERSIONS_DEFAULT, 1, ADMIN_VERSIONS_MAX, &limit) < 0)
        return;
    reader *rd = get_reader(r);
    if (!rd)
        return;
    char err[512];
    json_t *list = NULL;
    uint64_t total = 0;
    if (rs_list_versions(rd->db, (size_t)limit, &list, &total, err, sizeof err) != RS_OK) {
        reply_code(r, 500, "internal", err, NULL);
        return;
    }
    req_reply_json(r, 200, json_pack("{s:o,s:I}", "versions", list, "total", (json_int_t)total));
}

void admin_revert_handle(request *r)
{
    if (!authorized(r))
        return;
    json_t *j = body_object(r);
    if (!j)
        return;
    const json_t *v = json_object_get(j, "version");
    if (json_object_size(j) != 1 || !json_is_integer(v) || json_integer_value(v) < 0) {
        json_decref(j);
        reply_code(r, 400, "bad_request",
                   "the body must be {\"version\": N} with N >= 0 (0: the defaults)", "version");
        return;
    }
    uint64_t version = (uint64_t)json_integer_value(v);
    json_decref(j);
    reader *rd = get_reader(r);
    if (!rd)
        return;
    char err[768] = "";
    rk_snapshot *s = NULL;
    rs_status st = rs_read_version(rd->db, rd->an, version, &s, err, sizeof err);
    if (st != RS_OK) {
        if (st == RS_NOT_FOUND)
            reply_code(r, 404, "not_found", err, "version");
        else if (st == RS_INVALID)
            reply_code(r, 400, "invalid_config", err, "version");
        else
            reply_code(r, 500, "internal", err, NULL);
        return;
    }
    json_t *saved = NULL;
    st = rs_save(reader_db_path(), &s->cfg, &saved, err, sizeof err);
    rs_release(s);
    reply_save(r, st, saved, err);
}

/* ---- preview ------------------------------------------------------------------ */

/* A request holding the body's filter list as filter= parameters, so that
 * filters.c reads them exactly as it reads /v1/search's. */
static int fake_filters(request *r, const json_t *j, request *fake)
{
    memset(fake, 0, sizeof *fake);
    fake->method = "POST";
    const json_t *filter = json_object_get(j, "filter"), *type = json_object_get(j, "type");
    size_t n = json_array_size(filter) + (type ? 1 : 0);
    if ((filter && !json_is_array(filter)) || (type && !json_is_string(type))) {
        reply_code(r, 400, "bad_request",
                   "filter must be an array of \"FIELD:VALUE\" strings and type a string",
                   filter && !json_is_array(filter) ? "filter" : "type");
        return -1;
    }
    if (n > SD_FILTERS_MAX) {
        char msg[128];
        snprintf(msg, sizeof msg, "at most %d filters are allowed", SD_FILTERS_MAX);
        reply_code(r, 400, "bad_request", msg, "filter");
        return -1;
    }
    if (n && !(fake->params = calloc(n, sizeof *fake->params))) {
        reply_code(r, 500, "internal", "out of memory", NULL);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *v = i < json_array_size(filter) ? json_array_get(filter, i) : type;
        if (!json_is_string(v)) {
            reply_code(r, 400, "bad_request", "every filter must be a \"FIELD:VALUE\" string",
                       "filter");
            return -1;
        }
        req_kv *kv = &fake->params[fake->nparams++];
        kv->key = strdup(v == type ? "type" : "filter");
        kv->val = strdup(json_string_value(v));
        kv->vlen = kv->val ? strlen(kv->val) : 0;
        if (!kv->key || !kv->val) {
            reply_code(r, 500, "internal", "out of memory", NULL);
            return -1;
        }
    }
    return 0;
}

/* The query's first page under one config (hits with explain). */
static int preview_run(reader *rd, const char *q, const char *type, const rk_snapshot *snap,
                       const filter_set *fs, long limit, json_t **hits, char *err, size_t errlen)
{
    qp_plan plan;
    qp_status qs = qp_analyze(rd->an, &rd->scratch, q, strlen(q), &plan, err, errlen);
    if (qs != QP_OK)
        return qs == QP_BAD_QUERY ? 400 : 500;
    if (search_api_expand(rd, &plan, &snap->cfg, type, err, errlen) != QP_OK) {
        qp_free(&plan);
        return 500;
    }
    qp_rank rank;
    qp_rank_init(&rank, &snap->cfg);
    facet_req fq;
    memset(&fq, 0, sizeof fq);
    search_result res;
    memset(&res, 0, sizeof res);
    int rc = XAP_OK;
    for (int attempt = 0; attempt <= SD_MODIFIED_RETRIES; attempt++) {
        xap_err xe = {0};
        mt_node *filter = NULL;
        if (filters_query(fs, rd->an, rd->db, &filter, &xe) != 0) {
            snprintf(err, errlen, "building filters: %s", xe.msg);
            rc = xe.code == XAP_E_MODIFIED ? XAP_E_MODIFIED : XAP_E_GENERIC;
        } else {
            search_spec sp = {.rd = rd,
                              .plan = &plan,
                              .rank = &rank,
                              .filter = filter,
                              .facets = &fq,
                              .show_removed = 0,
                              .explain = 1,
                              .offset = 0,
                              .limit = (uint32_t)limit};
            rc = search_exec(&sp, &res, err, errlen);
            mt_free(filter);
        }
        if (rc != XAP_E_MODIFIED)
            break;
        search_result_free(&res);
        if (reader_refresh(rd, err, errlen) != READER_OK)
            break;
    }
    qp_free(&plan);
    if (rc != XAP_OK) {
        search_result_free(&res);
        return 500;
    }
    *hits = res.hits;
    res.hits = NULL;
    search_result_free(&res);
    return 0;
}

static long rank_of(const json_t *hits, const char *urn)
{
    for (size_t i = 0; i < json_array_size(hits); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(hits, i), "urn")), urn) == 0)
            return (long)i + 1;
    return 0;
}

/* Every URN whose rank differs between the two lists (1-based; null when
 * absent from one of them): positive delta = moved up. */
static json_t *moves_json(const json_t *saved, const json_t *proposed)
{
    json_t *moves = json_array();
    const json_t *lists[2] = {proposed, saved};
    for (int l = 0; moves && l < 2; l++) {
        for (size_t i = 0; i < json_array_size(lists[l]); i++) {
            const char *urn =
                json_string_value(json_object_get(json_array_get(lists[l], i), "urn"));
            if (!urn)
                continue;
            long s = rank_of(saved, urn), p = rank_of(proposed, urn);
            if (s == p || (l == 1 && p != 0))
                continue; /* unchanged, or already listed from the proposed side */
            json_t *m = json_pack("{s:s,s:o,s:o,s:o}", "urn", urn, "saved_rank",
                                  s ? json_integer(s) : json_null(), "proposed_rank",
                                  p ? json_integer(p) : json_null(), "delta",
                                  s && p ? json_integer(s - p) : json_null());
            if (!m || json_array_append_new(moves, m) != 0) {
                json_decref(moves);
                return NULL;
            }
        }
    }
    return moves;
}

void admin_preview_handle(request *r)
{
    static const char *const known[] = {"q", "config", "limit", "filter", "type", NULL};
    if (!authorized(r))
        return;
    json_t *j = body_object(r);
    if (!j)
        return;
    request fake;
    memset(&fake, 0, sizeof fake);
    filter_set fs;
    memset(&fs, 0, sizeof fs);
    rk_snapshot *saved_snap = NULL, *prop_snap = NULL;
    json_t *saved = NULL, *proposed = NULL;
    const char *k;
    const json_t *v;
    json_object_foreach(j, k, v)
    {
        int ok = 0;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], k) == 0;
        if (!ok) {
            char msg[300];
            snprintf(msg, sizeof msg,
                     "unknown member %.200s (known: q, config, limit, filter, type)", k);
            reply_code(r, 400, "bad_request", msg, k);
            goto done;
        }
    }
    const json_t *qj = json_object_get(j, "q"), *cj = json_object_get(j, "config");
    const json_t *lj = json_object_get(j, "limit");
    if (!json_is_string(qj) || strlen(json_string_value(qj)) > SD_Q_MAX_BYTES) {
        char msg[128];
        snprintf(msg, sizeof msg, "q must be a string of at most %d bytes", SD_Q_MAX_BYTES);
        reply_code(r, 400, "bad_request", msg, "q");
        goto done;
    }
    if (!json_is_object(cj)) {
        reply_code(r, 400, "bad_request", "config must be the proposed ranking config", "config");
        goto done;
    }
    long limit = SD_LIMIT_DEFAULT;
    if (lj && (!json_is_integer(lj) || json_integer_value(lj) < 1 ||
               json_integer_value(lj) > SD_LIMIT_MAX)) {
        char msg[128];
        snprintf(msg, sizeof msg, "limit must be an integer between 1 and %d", SD_LIMIT_MAX);
        reply_code(r, 400, "bad_request", msg, "limit");
        goto done;
    }
    if (lj)
        limit = (long)json_integer_value(lj);
    if (fake_filters(r, j, &fake) != 0)
        goto done;
    if (filters_parse(&fake, &fs) != 0) {
        /* filters.c answered the fake request: pass its answer on. */
        r->status = fake.status;
        r->resp = fake.resp;
        r->resp_len = fake.resp_len;
        r->content_type = fake.content_type;
        fake.resp = NULL;
        goto done;
    }
    reader *rd = get_reader(r);
    if (!rd)
        goto done;
    ranking_config cfg;
    if (parse_config(r, rd, cj, &cfg) != 0)
        goto done;
    char err[1024] = "";
    if (!(prop_snap = rs_snapshot_new(&cfg, 0, NULL)) ||
        rs_current(rd, &saved_snap, err, sizeof err) != RS_OK) {
        reply_code(r, 500, "internal", err[0] ? err : "out of memory", NULL);
        goto done;
    }
    prop_snap->version = saved_snap->version; /* not saved: it would replace this one */
    const char *q = json_string_value(qj);
    const char *type = json_string_value(json_object_get(j, "type"));
    int st = preview_run(rd, q, type, saved_snap, &fs, limit, &saved, err, sizeof err);
    if (st == 0)
        st = preview_run(rd, q, type, prop_snap, &fs, limit, &proposed, err, sizeof err);
    if (st != 0) {
        reply_code(r, st, st == 400 ? "bad_request" : "internal", err, st == 400 ? "q" : NULL);
        goto done;
    }
    json_t *moves = moves_json(saved, proposed);
    json_t *ans =
        moves ? json_pack("{s:O,s:O,s:o}", "saved", saved, "proposed", proposed, "moves", moves)
              : NULL;
    if (ans)
        req_reply_json(r, 200, ans);
    else
        reply_code(r, 500, "internal", "out of memory", NULL);
done:
    json_decref(saved);
    json_decref(proposed);
    rs_release(saved_snap);
    rs_release(prop_snap);
    filters_free(&fs);
    req_free(&fake);
    json_decref(j);
}
