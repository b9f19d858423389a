/* health_api.c — liveness, index state and the in-memory structures
 * derived from it (see health_api.h). */
#include "searchd/health_api.h"

#include "searchd/docsets.h"
#include "searchd/lexicon.h"
#include "searchd/match_eval.h"
#include "searchd/reader.h"
#include "searchd/work_pool.h"

/* What the background builders hold and how searches were ranked: an
 * operator's view of the memory and CPU the in-memory search costs. */
static json_t *memory_json(void)
{
    lexicon_stats ls;
    docsets_stats ds;
    me_stats ms;
    wp_stats ws;
    lexicon_get_stats(&ls);
    docsets_get_stats(&ds);
    me_get_stats(&ms);
    wp_get_stats(&ws);
    return json_pack(
        "{s:{s:I,s:I,s:I,s:f,s:I,s:I,s:I,s:b},s:{s:I,s:I,s:I,s:I,s:I,s:f,s:{s:I,s:I,s:I,s:I}},"
        "s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I}}",
        "lexicon", "revision", (json_int_t)ls.revision, "builds", (json_int_t)ls.builds,
        "failures", (json_int_t)ls.failures, "last_build_ms", ls.last_build_ms, "words",
        (json_int_t)ls.words, "names", (json_int_t)ls.names, "bytes", (json_int_t)ls.memory,
        "building", ls.building, "docsets", "revision", (json_int_t)ds.revision, "terms",
        (json_int_t)ds.terms, "bytes", (json_int_t)(ds.bytes + ds.other_bytes), "prebuilt",
        (json_int_t)ds.prebuilt, "misses", (json_int_t)ds.misses, "prebuild_ms", ds.prebuild_ms,
        "kept_sets", "sets", (json_int_t)ds.sets.sets, "bytes", (json_int_t)ds.sets.bytes, "hits",
        (json_int_t)ds.sets.hits, "misses", (json_int_t)ds.sets.misses,
        "rankings", "scored_all", (json_int_t)ms.scored_all, "maxscore",
        (json_int_t)ms.maxscore, "walk", (json_int_t)ms.walk,
        "walk_pruned", (json_int_t)ms.walk_pruned, "walk_batches", (json_int_t)ms.walk_batches,
        "walk_seeded", (json_int_t)ms.walk_seeded,
        "classes", (json_int_t)ms.classes,
        "chunked", (json_int_t)ms.chunked, "parallel", "offered", (json_int_t)ws.offered,
        "taken", (json_int_t)ws.taken);
}

void health_api_handle(request *r)
{
    char err[1024] = "";
    reader *rd = NULL;
    reader_status st = reader_get(&rd, err, sizeof err);
    if (st != READER_OK) {
        int status = st == READER_NO_INDEX ? 503 : 500;
        req_reply_json(r, status,
                       json_pack("{s:s,s:{s:s,s:s}}", "status",
                                 st == READER_NO_INDEX ? "unavailable" : "error", "error", "code",
                                 req_error_code(status), "message", err));
        return;
    }
    req_reply_json(r, 200, json_pack("{s:s,s:I,s:I,s:s,s:o}", "status", "ok", "docs",
                                     (json_int_t)rd->doccount, "revision",
                                     (json_int_t)rd->revision, "db", reader_db_path(), "memory",
                                     memory_json()));
}
