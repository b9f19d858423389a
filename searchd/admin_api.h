/* admin_api.h — the ranking admin API (/v1/admin/ranking...).
 *
 *   GET  /v1/admin/ranking           the current config: {"version", "config", "saved_at"}
 *                                    (no token needed: the portal shows it)
 *   PUT  /v1/admin/ranking           body: a config → saved as the next version
 *   GET  /v1/admin/ranking/versions  {"versions": [...newest first], "total"} (?limit=, default 50)
 *   POST /v1/admin/ranking/revert    {"version": N} → version N's config saved as a new version
 *                                    (N = 0: the defaults)
 *   POST /v1/admin/ranking/preview   {"q", "config", "limit", "filter": [...], "type"} →
 *                                    {"saved": [hits], "proposed": [hits], "moves": [...]}
 *                                    the query ranked under the saved and the proposed config
 *                                    (hits with "explain"), nothing saved
 *
 * Every endpoint but the first needs "Authorization: Bearer <token>", the
 * token read from --admin-token-file at start and compared in constant
 * time: 401 without it or with another; 503 ("admin API disabled") when
 * searchd was started without a token file. A config that does not
 * validate answers 400 {"error": {"code": "invalid_config", "message",
 * "field"}}; a save while another process writes the index answers 409
 * {"error": {"code": "index_locked", ...}} (ranking_store.h says why).
 * A saved config applies to the next query of every searchd over the index.
 */
#ifndef MDX_SEARCHD_ADMIN_API_H
#define MDX_SEARCHD_ADMIN_API_H

#include <stddef.h>

#include "searchd/request.h"

#define ADMIN_TOKEN_MIN_BYTES 16 /* a shorter token is refused at start */
#define ADMIN_TOKEN_MAX_BYTES 4096
#define ADMIN_VERSIONS_DEFAULT 50 /* versions listed when limit is absent */
#define ADMIN_VERSIONS_MAX 1000

/* Reads the admin token from `path` (NULL: the admin API is disabled);
 * surrounding white space is ignored. Returns 0, or -1 with a reason. Call
 * once before the worker threads run. */
int admin_init(const char *token_path, char *err, size_t errlen);
void admin_shutdown(void);

void admin_ranking_handle(request *r);  /* GET, PUT /v1/admin/ranking */
void admin_versions_handle(request *r); /* GET /v1/admin/ranking/versions */
void admin_revert_handle(request *r);   /* POST /v1/admin/ranking/revert */
void admin_preview_handle(request *r);  /* POST /v1/admin/ranking/preview */

#endif
