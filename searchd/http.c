/* http.c — libmicrohttpd glue: connections to requests and answers back
 * (see http.h).
 *
 * The raw request target is taken from MHD's URI log callback, before MHD
 * unescapes it, so that the query string is decoded here once and strictly
 * (form encoding, malformed escapes and invalid UTF-8 are 400s, not
 * guesses). The per-connection state lives from that callback to the
 * completion callback, which logs the request and frees it.
 */
#include "searchd/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "searchd/limits.h"
#include "searchd/request.h"
#include "searchd/routes.h"
#include "searchd/work_pool.h"

struct http_server {
    struct MHD_Daemon *d;
    work_pool *pool; /* the search workers (routes marked compute) */
    unsigned port;
    int quiet;
};

/* One request in flight. */
typedef struct conn_state {
    request req;
    char *target;      /* raw request target as sent (path?query) */
    size_t target_len;
    const route *rt;
    int started;       /* the first access-handler call is done */
    int queued;        /* handed to the search workers (the connection suspended) */
    size_t body_cap;
    size_t body_seen;  /* bytes of body received, kept or not */
} conn_state;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    conn_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->req.started_ms = req_now_ms();
    st->target_len = strlen(uri);
    st->target = strdup(uri);
    if (!st->target) {
        free(st);
        return NULL;
    }
    return st;
}

/* Decodes path and query string and finds the route; answers errors. */
static void prepare(conn_state *st, const char *method)
{
    request *r = &st->req;
    char err[256];
    r->method = method;
    if (st->target_len > SD_URL_MAX_BYTES) {
        req_reply_error(r, 414, "the URL is %zu bytes long; at most %d are allowed",
                        st->target_len, SD_URL_MAX_BYTES);
        return;
    }
    const char *qmark = strchr(st->target, '?');
    size_t plen = qmark ? (size_t)(qmark - st->target) : st->target_len;
    if (plen > SD_PATH_MAX_BYTES) {
        req_reply_error(r, 414, "the path is longer than %d bytes", SD_PATH_MAX_BYTES);
        return;
    }
    /* The path is decoded without form rules: '+' stays '+' (URNs hold it). */
    r->path = req_decode(st->target, plen, 0, err, sizeof err);
    if (!r->path) {
        req_reply_error(r, 400, "%s", err);
        return;
    }
    const char *allow = NULL;
    st->rt = routes_find(r->path, method, &allow);
    if (!st->rt) {
        if (allow) {
            r->allow = allow;
            req_reply_error(r, 405, "%s is not allowed on %s (allowed: %s)", method, r->path,
                            allow);
        } else {
            req_reply_error(r, 404, "no such endpoint: %s", r->path);
        }
        return;
    }
    if (qmark && req_parse_query(r, qmark + 1, err, sizeof err) != 0)
        req_reply_error(r, 400, "%s", err);
}

/* Keeps body bytes for routes that take a body, within their limit. */
static void take_body(conn_state *st, const char *data, size_t n)
{
    request *r = &st->req;
    st->body_seen += n;
    if (r->status || !st->rt || st->rt->max_body == 0)
        return; /* answered already, or a route without a body: ignored */
    if (st->body_seen > st->rt->max_body) {
        req_reply_error(r, 413, "the body is larger than %zu bytes", st->rt->max_body);
        return;
    }
    if (r->body_len + n + 1 > st->body_cap) {
        size_t cap = st->body_cap ? st->body_cap * 2 : 4096;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b) {
            req_reply_error(r, 500, "out of memory reading the body");
            return;
        }
        r->body = b;
        st->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
}

static enum MHD_Result send_answer(struct MHD_Connection *c, request *r)
{
    if (!r->status)
        req_reply_error(r, 500, "the handler gave no answer");
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->resp_len, r->resp ? r->resp : (void *)"", r->resp ? MHD_RESPMEM_MUST_FREE
                                                             : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    r->resp = NULL; /* owned by the response now; resp_len kept for the log */
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    int cache_set = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]);
        cache_set |= strcasecmp(r->headers[i][0], MHD_HTTP_HEADER_CACHE_CONTROL) == 0;
    }
    if (!cache_set)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A compute route's handler, on a search worker. Once the connection is
 * resumed, MHD may answer and free st at once: nothing touches it after. */
static void run_queued(void *arg)
{
    conn_state *st = arg;
    st->rt->fn(&st->req);
    if (!st->req.status)
        req_reply_error(&st->req, 500, "the handler gave no answer");
    MHD_resume_connection(st->req.conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)url;
    (void)version;
    conn_state *st = *con_cls;
    if (!st) {
        /* The URI callback could not allocate: answer without state. */
        static const char oom[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n";
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        enum MHD_Result ret = MHD_queue_response(c, 500, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (!st->started) {
        st->started = 1;
        st->req.conn = c;
        prepare(st, method);
        return MHD_YES; /* MHD calls again with the body, then with size 0 */
    }
    if (*upload_data_size > 0) {
        take_body(st, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    request *r = &st->req;
    http_server *s = cls;
    if (!r->status && st->rt->compute && !st->queued) {
        /* Suspended until a worker has answered and resumes it; MHD then
         * calls again, and the answer is sent below. If it cannot be
         * queued, the next call runs the handler here. */
        st->queued = 1;
        MHD_suspend_connection(c);
        if (wp_submit(s->pool, run_queued, st) != 0)
            MHD_resume_connection(c);
        return MHD_YES;
    }
    if (!r->status)
        st->rt->fn(r);
    return send_answer(c, r);
}

const char *req_header(const request *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    http_server *s = cls;
    conn_state *st = *con_cls;
    if (!st)
        return;
    if (!s->quiet) {
        /* One line per request; a long target is shortened in the log only. */
        int shown = st->target_len > 200 ? 200 : (int)st->target_len;
        fprintf(stderr, "searchd: %s %.*s%s %d %.2fms %zuB%s\n",
                st->req.method ? st->req.method : "-", shown, st->target,
                st->target_len > 200 ? "..." : "", st->req.status,
                req_now_ms() - st->req.started_ms, st->req.resp_len,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
    req_free(&st->req);
    free(st->target);
    free(st);
    *con_cls = NULL;
}

/* Parses "HOST:PORT", "[V6]:PORT" or ":PORT" into an address. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen,
                        char *err, size_t errlen)
{
    char host[256];
    const char *port;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof host) {
            snprintf(err, errlen, "--listen %s: expected [ADDRESS]:PORT", listen);
            return -1;
        }
        memcpy(host, listen + 1, (size_t)(close - listen - 1));
        host[close - listen - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= sizeof host) {
            snprintf(err, errlen, "--listen %s: expected HOST:PORT", listen);
            return -1;
        }
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535) {
        snprintf(err, errlen, "--listen %s: bad port '%s'", listen, port);
        return -1;
    }
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (rc != 0 || !ai) {
        snprintf(err, errlen, "--listen %s: %s", listen, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *sslen = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

http_server *http_start(const http_options *opt, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    if (parse_listen(opt->listen, &ss, &sslen, err, errlen) != 0)
        return NULL;
    http_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->quiet = opt->quiet;
    if (!(s->pool = wp_start(opt->threads, err, errlen))) {
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* The pool option only when there is a pool: with one thread, MHD's
     * internal polling thread serves the requests itself. */
    struct MHD_OptionItem pool[] = {
        {opt->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
         (intptr_t)opt->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SD_CONNECTIONS_MAX,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SD_CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SD_CONNECTION_MEMORY,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)s, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        (void *)s, MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "cannot listen on %s (address in use, or not permitted)",
                 opt->listen);
        wp_free(s->pool);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
}

unsigned http_port(const http_server *s) { return s->port; }

void http_stop(http_server *s)
{
    if (!s)
        return;
    /* Every queued search runs and resumes its connection first: MHD
     * refuses to stop with a connection still suspended. A request that
     * arrives meanwhile is run on its connection's thread. */
    MHD_socket listen_fd = MHD_quiesce_daemon(s->d);
    wp_stop(s->pool);
    MHD_stop_daemon(s->d);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd); /* a quiesced daemon leaves its socket to the caller */
    wp_free(s->pool);
    free(s);
}
