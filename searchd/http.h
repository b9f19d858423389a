/* http.h — the HTTP server: libmicrohttpd with a pool of connection
 * threads, and a pool of search workers (work_pool.h).
 *
 * Each request is read into a `request` (request.h), routed through the
 * table in routes.c, answered by its handler — on the connection's thread,
 * or for a compute route on a search worker while the connection is
 * suspended — and logged to stderr in one line (method, target, status,
 * milliseconds from arrival, bytes). Limits on URL length,
 * parameters, bodies, connections and timeouts come from limits.h.
 */
#ifndef MDX_SEARCHD_HTTP_H
#define MDX_SEARCHD_HTTP_H

#include <stddef.h>

typedef struct http_options {
    const char *listen;   /* "HOST:PORT", "[V6]:PORT" or ":PORT" */
    unsigned threads;     /* connection threads and search workers, each >= 1 */
    int quiet;            /* no request log */
} http_options;

typedef struct http_server http_server;

/* Binds and starts serving. NULL with a reason in err. */
http_server *http_start(const http_options *opt, char *err, size_t errlen);
/* The bound port (useful with port 0). */
unsigned http_port(const http_server *s);
/* Stops accepting, finishes the worker threads and frees the server. */
void http_stop(http_server *s);

#endif
