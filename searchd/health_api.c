/* health_api.c — liveness and index state (see health_api.h). */
#include "searchd/health_api.h"

#include "searchd/reader.h"

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
    req_reply_json(r, 200, json_pack("{s:s,s:I,s:I,s:s}", "status", "ok", "docs",
                                     (json_int_t)rd->doccount, "revision",
                                     (json_int_t)rd->revision, "db", reader_db_path()));
}
