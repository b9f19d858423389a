/* kafka_status.c — /healthz and /metrics of the Kafka mode over
 * libmicrohttpd (see kafka_status.h). */
#include "indexer/kafka_status.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct kafka_status {
    struct MHD_Daemon *daemon;
    kafka_metrics *metrics;
};

static enum MHD_Result status_reply(struct MHD_Connection *conn, unsigned code, const char *type,
                                    char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result status_static(struct MHD_Connection *conn, unsigned code, const char *text)
{
    char *body = strdup(text);
    if (!body)
        return MHD_NO;
    return status_reply(conn, code, "application/json", body, strlen(body));
}

static enum MHD_Result status_handle(void *cls, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **req_cls)
{
    (void)version;
    (void)upload_data;
    kafka_status *st = cls;
    /* First call of a request: headers only. Nothing here reads a body. */
    if (*req_cls == NULL) {
        *req_cls = st;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return status_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                             "{\"error\":{\"code\":\"method_not_allowed\","
                             "\"message\":\"only GET is served here\"}}\n");
    size_t len = 0;
    if (strcmp(url, "/metrics") == 0) {
        char *body = kafka_metrics_render(st->metrics, &len);
        if (!body)
            return MHD_NO;
        return status_reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body,
                            len);
    }
    if (strcmp(url, "/healthz") == 0) {
        int code = 200;
        char *body = kafka_metrics_health(st->metrics, &len, &code);
        if (!body)
            return MHD_NO;
        return status_reply(conn, (unsigned)code, "application/json", body, len);
    }
    return status_static(conn, MHD_HTTP_NOT_FOUND,
                         "{\"error\":{\"code\":\"not_found\","
                         "\"message\":\"this endpoint serves /healthz and /metrics\"}}\n");
}

/* Splits ADDR into host (NULL: any) and port text. */
static int status_split_addr(const char *addr, char *host, size_t hostcap, const char **port,
                             char *err, size_t errlen)
{
    const char *colon;
    host[0] = '\0';
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':') {
            snprintf(err, errlen, "bad --status-listen address '%s' (want [V6]:PORT)", addr);
            return -1;
        }
        size_t n = (size_t)(close - addr - 1);
        if (n >= hostcap) {
            snprintf(err, errlen, "--status-listen host too long");
            return -1;
        }
        memcpy(host, addr + 1, n);
        host[n] = '\0';
        *port = close + 2;
        return 0;
    }
    colon = strrchr(addr, ':');
    if (!colon) {
        *port = addr;
        return 0;
    }
    size_t n = (size_t)(colon - addr);
    if (n >= hostcap) {
        snprintf(err, errlen, "--status-listen host too long");
        return -1;
    }
    memcpy(host, addr, n);
    host[n] = '\0';
    *port = colon + 1;
    return 0;
}

kafka_status *kafka_status_start(const char *addr, kafka_metrics *m, char *err, size_t errlen)
{
    char host[256];
    const char *port;
    if (status_split_addr(addr, host, sizeof host, &port, err, errlen) != 0)
        return NULL;
    char *end;
    errno = 0;
    long pn = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || errno || pn < 0 || pn > 65535) {
        snprintf(err, errlen, "bad --status-listen port '%s'", port);
        return NULL;
    }
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (gai != 0) {
        snprintf(err, errlen, "--status-listen %s: %s", addr, gai_strerror(gai));
        return NULL;
    }
    kafka_status *st = calloc(1, sizeof *st);
    if (!st) {
        freeaddrinfo(ai);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    st->metrics = m;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    st->daemon =
        MHD_start_daemon(flags, (uint16_t)pn, NULL, NULL, status_handle, st, MHD_OPTION_SOCK_ADDR,
                         ai->ai_addr, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!st->daemon) {
        snprintf(err, errlen, "cannot listen on %s for --status-listen", addr);
        free(st);
        return NULL;
    }
    return st;
}

void kafka_status_stop(kafka_status *st)
{
    if (!st)
        return;
    MHD_stop_daemon(st->daemon);
    free(st);
}
