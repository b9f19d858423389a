/* events_api.h — POST /v1/events: REST writes (DESIGN.md §1, §6).
 *
 *   POST /v1/events[?wait=true&timeout_ms=N]
 *   Authorization: Bearer <token of --write-token-file>
 *   body: a JSON array of events, JSON lines, or one event (the shapes of
 *         files: MCP/MCL, MCE, MAE)
 *
 * Each event is validated with the model's decoder first; a bad one is
 * rejected with its reason in the answer and goes nowhere else (no
 * dead-letter sink: the client is there to read why). It never costs the
 * good ones of the same request. The valid ones go to the writer searchd
 * was started with:
 *   --brokers --topic  published to Kafka (events_kafka.h) for the
 *                      metadex-indexer to apply; with wait=true the answer
 *                      waits until the index holds them, or timeout_ms;
 *   --writable         applied by searchd itself (events_local.h) and
 *                      committed before the answer.
 * Answer: {"results": [{"index", "urn", "status", "reason"?, "partition"?,
 * "offset"?}...], "applied": N, "pending": N, "rejected": N, "failed": N}
 * with 200 when every valid event is applied, 202 when some are pending,
 * 503 (and an "error" member) when some failed to be published or committed;
 * A request that waits holds its worker thread, so at most half of them
 * (at least one) wait at once and searches keep threads to run on; a
 * request beyond that is answered once published, 202, its events pending
 * with the reason.
 * 400 when the body is no JSON at all, 401 without the right token, 403
 * when REST writes are disabled (no --write-token-file), 413 past the
 * limits of searchd/limits.h.
 */
#ifndef MDX_SEARCHD_EVENTS_API_H
#define MDX_SEARCHD_EVENTS_API_H

#include <stddef.h>

#include "searchd/request.h"

#define EVENTS_PROPS_MAX 64 /* --producer-property options */

typedef struct events_config {
    const char *token_file; /* NULL: writes disabled */
    const char *brokers;    /* Kafka mode: both set */
    const char *topic;
    int writable;     /* searchd is the index's writer */
    unsigned threads; /* HTTP worker threads: bounds the requests that wait */
    const char *props[EVENTS_PROPS_MAX];
    size_t nprops;
} events_config;

/* Checks the options together (usage errors): 0, or -1 with a message. */
int events_config_check(const events_config *c, char *err, size_t errlen);
/* Reads the token and starts the configured writer. Call before the
 * worker threads run. 0, or -1 with a reason. */
int events_start(const events_config *c, const char *db_path, char *err, size_t errlen);
/* Stops the writer (after the HTTP server has stopped). */
void events_stop(void);

void events_api_handle(request *r); /* POST /v1/events */

#endif
