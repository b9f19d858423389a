/* routes.h — the table of every endpoint searchd serves.
 *
 * One row per path (or path prefix): the methods it answers, the largest
 * body it takes (0: none; a body sent anyway is read and ignored), and its
 * handler. http.c answers 404 for an unknown path and 405 (with Allow) for
 * a known path asked with another method. New endpoints are one row here.
 */
#ifndef MDX_SEARCHD_ROUTES_H
#define MDX_SEARCHD_ROUTES_H

#include <stddef.h>

#include "searchd/request.h"

typedef void (*route_fn)(request *r);

typedef struct route {
    const char *path;    /* exact path, or a prefix when `prefix` */
    int prefix;
    const char *methods; /* "GET, HEAD": also the Allow header */
    size_t max_body;     /* bytes; over it answers 413 */
    route_fn fn;
    int compute;         /* CPU-heavy: run on the search workers (http.c), not on the
                            connection's thread */
} route;

/* The route for path and method. NULL when none: then *allow is the methods
 * of a route with that path (answer 405), or NULL (answer 404). */
const route *routes_find(const char *path, const char *method, const char **allow);

#endif
