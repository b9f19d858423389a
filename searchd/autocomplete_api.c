/* autocomplete_api.c — GET /v1/autocomplete: parameters in, suggestions out
 * (see autocomplete_api.h). The matching is names.c; this file checks the
 * request, takes a snapshot and writes the answer. */
#include "searchd/autocomplete_api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchd/lexicon.h"
#include "searchd/limits.h"
#include "searchd/names.h"
#include "searchd/reader.h"

static const char *const KNOWN[] = {"q", "type", "limit", NULL};

/* Every parameter of this endpoint makes sense once. */
static json_t *suggestion_json(const names *nm, const names_result *res, size_t i,
                               reader *rd)
{
    const names_hit *h = &res->hits[i];
    char *hl = names_highlight(nm, res, i, rd->an, &rd->scratch);
    if (!hl)
        return NULL;
    json_t *s = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:f}", "text", h->text, "kind",
                          names_kind_name(h->kind), "type", h->type, "urn", h->urn, "platform",
                          h->platform ? json_string(h->platform) : json_null(), "path", h->path,
                          "highlight", hl, "score", round(h->score * 1000.0) / 1000.0);
    free(hl);
    return s;
}

void autocomplete_api_handle(request *r)
{
    if (req_check_known(r, KNOWN) < 0 || req_check_single(r, KNOWN) < 0)
        return;
    const char *q;
    if (req_param_text(r, "q", SD_Q_MAX_BYTES, &q) < 0)
        return;
    const char *type = req_param(r, "type");
    if (type && !*type)
        type = NULL;
    if (type && strlen(type) > SD_FILTER_VALUE_MAX_BYTES) {
        req_reply_error(r, 400, "type is longer than %d bytes", SD_FILTER_VALUE_MAX_BYTES);
        return;
    }
    long limit;
    if (req_param_long(r, "limit", NAMES_LIMIT_DEFAULT, 1, NAMES_LIMIT_MAX, &limit) < 0)
        return;

    char err[1024] = "";
    reader *rd = NULL;
    reader_status st = reader_get(&rd, err, sizeof err);
    if (st != READER_OK) {
        req_reply_error(r, st == READER_NO_INDEX ? 503 : 500, "%s", err);
        return;
    }
    lexicon_nudge(rd->revision);
    lexicon *lx = lexicon_acquire_wait(LEXICON_FIRST_WAIT_MS);
    if (!lx) {
        req_reply_error(r, 503, "the autocomplete index is not built yet; retry shortly");
        return;
    }
    names_result res;
    names_status ns = names_search(lx->names, rd->an, &rd->scratch, q, strlen(q), type,
                                   (size_t)limit, &res, err, sizeof err);
    if (ns != NAMES_OK) {
        req_reply_error(r, ns == NAMES_BAD_QUERY ? 400 : 500, "%s", err);
        lexicon_release(lx);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; list && i < res.n; i++) {
        json_t *s = suggestion_json(lx->names, &res, i, rd);
        if (!s || json_array_append_new(list, s) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    lexicon_release(lx);
    if (!list) {
        req_reply_error(r, 500, "out of memory writing suggestions");
        return;
    }
    req_reply_json(r, 200, json_pack("{s:o,s:f}", "suggestions", list, "took_ms",
                                     req_now_ms() - r->started_ms));
}
