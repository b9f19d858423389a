/* web_assets.h — the portal's pages (search at /, entity pages at
 * /entity/{urn}, relevance admin at /admin) and their static files, served
 * from copies embedded in the binary at build time.
 *
 * searchd/web-embed.sh turns the files of searchd/web/ into a generated C
 * table (web_files.c): each file's bytes, its gzip -9n form, its content
 * type and a strong ETag (a SHA-256 of the bytes). The handlers here answer
 * with that ETag, 304 for a matching If-None-Match, the gzip form when
 * Accept-Encoding allows it, and security headers: a strict
 * Content-Security-Policy (scripts, styles and fetches from this origin
 * only, no inline code, no framing) and nosniff.
 */
#ifndef MDX_SEARCHD_WEB_ASSETS_H
#define MDX_SEARCHD_WEB_ASSETS_H

#include <stddef.h>

#include "searchd/request.h"

#define WEB_STATIC_PREFIX "/static/"
#define WEB_ENTITY_PREFIX "/entity/"

typedef struct web_asset {
    const char *name;         /* file name in searchd/web/, e.g. "app.js" */
    const char *content_type;
    const char *etag;         /* strong ETag of the bytes, quoted */
    const char *etag_gz;      /* strong ETag of the gzip form, quoted */
    const unsigned char *data;
    size_t len;
    const unsigned char *gz;  /* gzip form; NULL when it would not be smaller */
    size_t gz_len;
} web_asset;

/* The generated table (web_files.c). */
extern const web_asset WEB_ASSETS[];
extern const size_t WEB_ASSETS_COUNT;

/* The asset named `name`, or NULL. */
const web_asset *web_asset_find(const char *name);

/* GET / and /entity/...: the search page (one page app, routed by path). */
void web_search_page_handle(request *r);
/* GET /admin: the relevance admin page. */
void web_admin_page_handle(request *r);
/* GET /static/NAME: a file of searchd/web/. */
void web_static_handle(request *r);

/* 1 if the Accept-Encoding value admits gzip (q > 0, directly or by "*"). */
int web_accepts_gzip(const char *accept_encoding);
/* 1 if the If-None-Match value names `etag` (or is "*"); weak comparison,
 * as RFC 9110 asks for If-None-Match. */
int web_etag_matches(const char *if_none_match, const char *etag);

#endif
