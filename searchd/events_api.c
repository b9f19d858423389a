/* events_api.c — POST /v1/events (see events_api.h): the write token, the
 * body cut into events and validated, the configured writer, the answer. */
#include "searchd/events_api.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/event.h"
#include "searchd/events_item.h"
#include "searchd/events_kafka.h"
#include "searchd/events_local.h"
#include "searchd/limits.h"
#include "searchd/token_file.h"

typedef enum { MODE_NONE = 0, MODE_KAFKA, MODE_LOCAL } events_mode;

static struct {
    token tok; /* no text: writes disabled */
    events_mode mode;
    unsigned max_waiting; /* requests waiting for the index at once */
    atomic_uint waiting;
} g_ev;

int events_config_check(const events_config *c, char *err, size_t errlen)
{
    if (!c->brokers != !c->topic) {
        snprintf(err, errlen, "--brokers and --topic go together (REST writes through Kafka)");
        return -1;
    }
    if (c->writable && c->brokers) {
        snprintf(err, errlen,
                 "--writable and --brokers are mutually exclusive: either this searchd writes "
                 "the index itself, or a metadex-indexer does from the topic");
        return -1;
    }
    if (c->token_file && !c->brokers && !c->writable) {
        snprintf(err, errlen,
                 "--write-token-file needs somewhere to write: --brokers and --topic (a "
                 "metadex-indexer applies the events) or --writable (this searchd does)");
        return -1;
    }
    if (c->nprops > 0 && !c->brokers) {
        snprintf(err, errlen, "--producer-property needs --brokers");
        return -1;
    }
    return 0;
}

int events_start(const events_config *c, const char *db_path, char *err, size_t errlen)
{
    if (events_config_check(c, err, errlen) != 0)
        return -1;
    if (c->token_file &&
        token_read(&g_ev.tok, c->token_file, "--write-token-file", SD_WRITE_TOKEN_MIN_BYTES,
                   SD_WRITE_TOKEN_MAX_BYTES, err, errlen) != 0)
        return -1;
    g_ev.max_waiting = c->threads / 2 ? c->threads / 2 : 1;
    atomic_store(&g_ev.waiting, 0);
    int rc = 0;
    if (c->brokers) {
        rc = events_kafka_start(c->brokers, c->topic, c->props, c->nprops, err, errlen);
        g_ev.mode = MODE_KAFKA;
    } else if (c->writable) {
        rc = events_local_start(db_path, err, errlen);
        g_ev.mode = MODE_LOCAL;
    }
    if (rc != 0) {
        g_ev.mode = MODE_NONE;
        token_free(&g_ev.tok);
        return -1;
    }
    if (g_ev.mode == MODE_KAFKA)
        fprintf(stderr, "metadex-searchd: REST writes are published to Kafka topic %s at %s\n",
                c->topic, c->brokers);
    else if (g_ev.mode == MODE_LOCAL)
        fprintf(stderr,
                "metadex-searchd: this searchd is the index's writer (REST writes %s, "
                "ranking saves)\n",
                g_ev.tok.text ? "enabled" : "disabled: no --write-token-file");
    return 0;
}

void events_stop(void)
{
    if (g_ev.mode == MODE_KAFKA)
        events_kafka_stop();
    else if (g_ev.mode == MODE_LOCAL)
        events_local_stop();
    g_ev.mode = MODE_NONE;
    token_free(&g_ev.tok);
}

/* ---- answers -------------------------------------------------------------- */

static void reply_code(request *r, int status, const char *code, const char *msg)
{
    req_reply_json(r, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

/* ---- the body ------------------------------------------------------------- */

typedef struct split_ctx {
    event_item *v;
    size_t n, cap;
    int parsed_any; /* some item was JSON */
    int too_many;
    char first_error[300];
} split_ctx;

/* The URN an event that did not decode claims, for the answer: its
 * entityUrn, or its snapshot's urn; NULL if none is a string. */
static char *claimed_urn(const json_t *obj)
{
    const json_t *u = json_object_get(obj, "entityUrn");
    const char *snaps[] = {"proposedSnapshot", "newSnapshot"};
    for (size_t i = 0; !json_is_string(u) && i < 2; i++) {
        const json_t *snap = json_object_get(obj, snaps[i]);
        if (json_is_object(snap) && json_object_size(snap) == 1) {
            const char *k;
            const json_t *inner;
            json_object_foreach((json_t *)snap, k, inner) u = json_object_get(inner, "urn");
        }
    }
    return json_is_string(u) ? strdup(json_string_value(u)) : NULL;
}

static int split_item(void *ctx, json_t *obj, const char *raw, size_t rawlen,
                      const char *parse_error)
{
    split_ctx *c = ctx;
    if (c->n >= SD_EVENTS_MAX) {
        c->too_many = 1;
        return 1;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        event_item *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return 1;
        c->v = v;
        c->cap = cap;
    }
    event_item *it = &c->v[c->n];
    memset(it, 0, sizeof *it);
    it->index = c->n++;
    it->raw = raw;
    it->rawlen = rawlen;
    it->partition = -1;
    it->offset = -1;
    if (!obj) {
        if (!c->first_error[0])
            snprintf(c->first_error, sizeof c->first_error, "%s",
                     parse_error ? parse_error : "invalid JSON");
        event_item_set(it, EVENT_REJECTED, "%s", parse_error ? parse_error : "invalid JSON");
        return 0;
    }
    c->parsed_any = 1;
    ev_event ev;
    char reason[1024] = "";
    if (ev_decode(obj, &ev, reason, sizeof reason) != 0) {
        it->urn = claimed_urn(obj);
        event_item_set(it, EVENT_REJECTED, "%s", reason[0] ? reason : "not a metadata event");
        return 0;
    }
    it->urn = strdup(ev.urn);
    ev_free(&ev);
    if (!it->urn)
        event_item_set(it, EVENT_FAILED, "out of memory");
    else
        event_item_set(it, EVENT_VALID, NULL);
    return 0;
}

static int body_blank(const request *r)
{
    for (size_t i = 0; i < r->body_len; i++)
        if (!strchr(" \t\r\n", r->body[i]))
            return 0;
    return 1;
}

/* The answer: each item's outcome and the counts; its status. */
static void reply_results(request *r, event_item *v, size_t n)
{
    size_t count[EVENT_FAILED + 1] = {0};
    json_t *results = json_array();
    int bad = !results;
    for (size_t i = 0; !bad && i < n; i++) {
        event_item *it = &v[i];
        count[it->status]++;
        json_t *o = json_pack("{s:I,s:o,s:s}", "index", (json_int_t)it->index, "urn",
                              it->urn ? json_string(it->urn) : json_null(), "status",
                              event_status_name(it->status));
        if (o && it->reason)
            bad |= json_object_set_new(o, "reason", json_string(it->reason)) != 0;
        if (o && it->partition >= 0) {
            bad |= json_object_set_new(o, "partition", json_integer(it->partition)) != 0;
            bad |= json_object_set_new(o, "offset", json_integer((json_int_t)it->offset)) != 0;
        }
        bad |= !o || json_array_append_new(results, o) != 0;
    }
    json_t *body = bad ? NULL : json_object();
    if (body) {
        bad |= json_object_set(body, "results", results) != 0;
        bad |= json_object_set_new(body, "applied",
                                   json_integer((json_int_t)count[EVENT_APPLIED])) != 0;
        bad |= json_object_set_new(body, "pending",
                                   json_integer((json_int_t)count[EVENT_PENDING])) != 0;
        bad |= json_object_set_new(body, "rejected",
                                   json_integer((json_int_t)count[EVENT_REJECTED])) != 0;
        bad |=
            json_object_set_new(body, "failed", json_integer((json_int_t)count[EVENT_FAILED])) != 0;
    }
    json_decref(results);
    if (!body || bad) {
        json_decref(body);
        reply_code(r, 500, "internal", "out of memory writing the answer");
        return;
    }
    int status = 200;
    if (count[EVENT_FAILED] > 0) {
        status = 503;
        json_object_set_new(
            body, "error",
            json_pack("{s:s,s:s}", "code", "unavailable", "message",
                      g_ev.mode == MODE_KAFKA
                          ? "some events could not be published to Kafka; send them again"
                          : "some events could not be committed to the index; send them again"));
    } else if (count[EVENT_PENDING] > 0) {
        status = 202;
    }
    req_reply_json(r, status, body);
}

/* Waits for the index to apply the published events, unless too many
 * requests wait already (then they stay pending, and say why). */
static void kafka_wait(event_item *v, size_t n, long timeout_ms)
{
    unsigned before = atomic_fetch_add(&g_ev.waiting, 1);
    if (before < g_ev.max_waiting) {
        events_kafka_wait(v, n, timeout_ms);
    } else {
        for (size_t i = 0; i < n; i++)
            if (v[i].status == EVENT_PENDING)
                event_item_set(&v[i], EVENT_PENDING,
                               "not waited for: %u requests are waiting already (at most half "
                               "the worker threads, --threads)",
                               before);
    }
    atomic_fetch_sub(&g_ev.waiting, 1);
}

void events_api_handle(request *r)
{
    if (!g_ev.tok.text || g_ev.mode == MODE_NONE) {
        reply_code(r, 403, "writes_disabled",
                   "REST writes are disabled: start searchd with --write-token-file");
        return;
    }
    token_check tc = token_check_request(&g_ev.tok, r);
    if (tc != TOKEN_OK) {
        req_add_header(r, "WWW-Authenticate", "Bearer realm=\"metadex writes\"");
        reply_code(r, 401, "unauthorized",
                   tc == TOKEN_MISSING ? "missing Authorization: Bearer <write token>"
                                       : "wrong write token");
        return;
    }
    static const char *const known[] = {"wait", "timeout_ms", NULL};
    int wait = 0;
    long timeout_ms = 0;
    if (req_check_known(r, known) != 0 || req_param_bool(r, "wait", 0, &wait) != 0 ||
        req_param_long(r, "timeout_ms", SD_EVENTS_TIMEOUT_MS_DEFAULT, 0, SD_EVENTS_TIMEOUT_MS_MAX,
                       &timeout_ms) != 0)
        return;
    if (!r->body || body_blank(r)) {
        reply_code(r, 400, "bad_request",
                   "the body is empty: send a JSON array of events, or JSON lines");
        return;
    }

    split_ctx c = {0};
    long got = ev_split(r->body, r->body_len, split_item, &c);
    if (c.too_many) {
        char msg[128];
        snprintf(msg, sizeof msg, "more than %d events in one request", SD_EVENTS_MAX);
        reply_code(r, 413, "payload_too_large", msg);
    } else if (got < 0) {
        reply_code(r, 500, "internal", "out of memory reading the events");
    } else if (c.n > 0 && !c.parsed_any) {
        char msg[400];
        snprintf(msg, sizeof msg, "the body is not JSON: %s", c.first_error);
        reply_code(r, 400, "bad_request", msg);
    } else {
        if (g_ev.mode == MODE_KAFKA) {
            events_kafka_publish(c.v, c.n);
            if (wait)
                kafka_wait(c.v, c.n, timeout_ms);
        } else {
            events_local_apply(c.v, c.n);
        }
        reply_results(r, c.v, c.n);
    }
    event_items_free(c.v, c.n);
}
