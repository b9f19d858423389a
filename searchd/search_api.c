/* search_api.c — GET /v1/search: parameters in, JSON answer out (see
 * search_api.h). Every parameter is checked before the index is touched;
 * the search itself is search_exec.c. */
#include "searchd/search_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/facets.h"
#include "searchd/filters.h"
#include "searchd/lexicon.h"
#include "searchd/limits.h"
#include "searchd/query_plan.h"
#include "searchd/ranking_store.h"
#include "searchd/reader.h"
#include "searchd/search_exec.h"

static const char *const KNOWN[] = {"q",      "limit",       "offset",  "type",    "filter",
                                    "facets", "facet_limit", "removed", "explain", NULL};
/* Parameters that make sense once: a second one is an error, not ignored. */
static const char *const SINGLE[] = {"q",       "limit",   "offset", "facet_limit",
                                     "removed", "explain", NULL};

static json_t *query_json(const qp_plan *plan, const search_result *res, const filter_set *fs,
                          const char *q)
{
    json_t *words = json_array(), *dropped = json_array();
    for (size_t i = 0; i < plan->nwords; i++) {
        json_array_append_new(words, json_string(plan->words[i].text));
        if (i >= res->words_used)
            json_array_append_new(dropped, json_string(plan->words[i].text));
    }
    json_t *j = json_pack("{s:s,s:o,s:s,s:o,s:o,s:I,s:I}", "q", q, "words", words, "mode",
                          res->mode_any ? "any" : "all", "dropped", dropped, "filters",
                          filters_json(fs), "exact_matches", (json_int_t)res->exact_first,
                          "pinned", (json_int_t)res->pinned_first);
    char *dym = qp_did_you_mean(plan);
    if (j && dym)
        json_object_set_new(j, "did_you_mean", json_string(dym));
    free(dym);
    return j;
}

/* One attempt at the search over the reader's current revision. */
static int run_once(reader *rd, const qp_plan *plan, const qp_rank *rank, const filter_set *fs,
                    const facet_req *fq, int removed, int explain, long offset, long limit,
                    search_result *res, char *err, size_t errlen)
{
    xap_err xe = {0};
    mt_node *filter = NULL;
    if (filters_query(fs, rd->an, rd->db, &filter, &xe) != 0) {
        snprintf(err, errlen, "building filters: %s", xe.msg);
        return xe.code == XAP_E_MODIFIED ? XAP_E_MODIFIED : XAP_E_GENERIC;
    }
    search_spec sp = {.rd = rd,
                      .plan = plan,
                      .rank = rank,
                      .filter = filter,
                      .facets = fq,
                      .show_removed = removed,
                      .explain = explain,
                      .offset = (uint32_t)offset,
                      .limit = (uint32_t)limit};
    int rc = search_exec(&sp, res, err, errlen);
    mt_free(filter);
    return rc;
}

qp_status search_api_expand(reader *rd, qp_plan *plan, const ranking_config *cfg,
                            const char *type, char *err, size_t errlen)
{
    lexicon *lx = NULL;
    if (plan->nwords > 0) {
        lexicon_nudge(rd->revision);
        lx = lexicon_acquire();
        if (!lx)
            lx = lexicon_acquire_wait(SD_LEXICON_FIRST_WAIT_MS);
    }
    qp_lexicon ql = {.vocab = lx ? lx->vocab : NULL,
                     .names = lx ? lx->names : NULL,
                     .current = lx && lx->revision == rd->revision,
                     .doccount = lx ? lx->doccount : 0};
    qp_status st = qp_expand(plan, rd->an, &rd->scratch, &ql, type, cfg, err, errlen);
    if (lx)
        lexicon_release(lx);
    return st;
}

void search_api_handle(request *r)
{
    if (req_check_known(r, KNOWN) < 0 || req_check_single(r, SINGLE) < 0)
        return;
    const char *q;
    if (req_param_text(r, "q", SD_Q_MAX_BYTES, &q) < 0)
        return;
    long limit, offset;
    int removed, explain;
    if (req_param_long(r, "limit", SD_LIMIT_DEFAULT, 1, SD_LIMIT_MAX, &limit) < 0 ||
        req_param_long(r, "offset", 0, 0, SD_OFFSET_MAX, &offset) < 0 ||
        req_param_bool(r, "removed", 0, &removed) < 0 ||
        req_param_bool(r, "explain", 0, &explain) < 0)
        return;
    facet_req fq;
    if (facets_parse(r, &fq) < 0)
        return;
    filter_set fs;
    if (filters_parse(r, &fs) < 0)
        return;

    char err[1024] = "";
    reader *rd = NULL;
    reader_status st = reader_get(&rd, err, sizeof err);
    if (st != READER_OK) {
        req_reply_error(r, st == READER_NO_INDEX ? 503 : 500, "%s", err);
        filters_free(&fs);
        return;
    }
    qp_plan plan;
    qp_status qs = qp_analyze(rd->an, &rd->scratch, q, strlen(q), &plan, err, sizeof err);
    if (qs != QP_OK) {
        req_reply_error(r, qs == QP_BAD_QUERY ? 400 : 500, "%s", err);
        filters_free(&fs);
        return;
    }
    rk_snapshot *snap = NULL;
    if (rs_current(rd, &snap, err, sizeof err) != RS_OK ||
        search_api_expand(rd, &plan, &snap->cfg, req_param(r, "type"), err, sizeof err) !=
            QP_OK) {
        req_reply_error(r, 500, "%s", err);
        rs_release(snap);
        qp_free(&plan);
        filters_free(&fs);
        return;
    }
    qp_rank rank;
    qp_rank_init(&rank, &snap->cfg);

    search_result res;
    memset(&res, 0, sizeof res);
    int rc = XAP_OK;
    for (int attempt = 0; attempt <= SD_MODIFIED_RETRIES; attempt++) {
        rc = run_once(rd, &plan, &rank, &fs, &fq, removed, explain, offset, limit, &res, err,
                      sizeof err);
        if (rc != XAP_E_MODIFIED)
            break;
        /* The index moved under the match: follow it and run again. */
        search_result_free(&res);
        st = reader_refresh(rd, err, sizeof err);
        if (st != READER_OK)
            break;
    }
    if (st != READER_OK) {
        req_reply_error(r, st == READER_NO_INDEX ? 503 : 500, "%s", err);
    } else if (rc != XAP_OK) {
        req_reply_error(r, 500, "search failed: %s", err);
    } else {
        json_t *body = json_pack("{s:o,s:I,s:b,s:o,s:f,s:o,s:I,s:I}", "hits", res.hits, "total",
                                 (json_int_t)res.total, "total_exact", res.total_exact, "facets",
                                 res.facets ? res.facets : json_object(), "took_ms",
                                 req_now_ms() - r->started_ms, "query",
                                 query_json(&plan, &res, &fs, q), "limit", (json_int_t)limit,
                                 "offset", (json_int_t)offset);
        res.hits = res.facets = NULL; /* stolen by the answer */
        if (body)
            req_reply_json(r, 200, body);
        else
            req_reply_error(r, 500, "out of memory encoding the answer");
    }
    search_result_free(&res);
    qp_free(&plan);
    rs_release(snap);
    filters_free(&fs);
}
