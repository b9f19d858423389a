/* routes.c — the endpoint table (see routes.h). */
#include "searchd/routes.h"

#include <string.h>

#include "searchd/admin_api.h"
#include "searchd/autocomplete_api.h"
#include "searchd/entity_api.h"
#include "searchd/events_api.h"
#include "searchd/health_api.h"
#include "searchd/limits.h"
#include "searchd/search_api.h"
#include "searchd/web_assets.h"

/* The last column: 1 runs the handler on the search workers (routes.h). */
static const route ROUTES[] = {
    {"/healthz", 0, "GET, HEAD", 0, health_api_handle, 0},
    {"/v1/search", 0, "GET, HEAD", 0, search_api_handle, 1},
    {"/v1/autocomplete", 0, "GET, HEAD", 0, autocomplete_api_handle, 0},
    {ENTITY_API_PREFIX, 1, "GET, HEAD", 0, entity_api_handle, 0},
    {"/v1/events", 0, "POST", SD_EVENTS_BODY_MAX_BYTES, events_api_handle, 0},
    {"/v1/admin/ranking", 0, "GET, HEAD, PUT", SD_BODY_MAX_BYTES, admin_ranking_handle, 0},
    {"/v1/admin/ranking/versions", 0, "GET, HEAD", 0, admin_versions_handle, 0},
    {"/v1/admin/ranking/revert", 0, "POST", SD_BODY_MAX_BYTES, admin_revert_handle, 0},
    {"/v1/admin/ranking/preview", 0, "POST", SD_BODY_MAX_BYTES, admin_preview_handle, 1},
    {"/", 0, "GET, HEAD", 0, web_search_page_handle, 0},
    {WEB_ENTITY_PREFIX, 1, "GET, HEAD", 0, web_search_page_handle, 0},
    {"/admin", 0, "GET, HEAD", 0, web_admin_page_handle, 0},
    {WEB_STATIC_PREFIX, 1, "GET, HEAD", 0, web_static_handle, 0},
};

/* 1 if `method` is one of the comma-separated `methods`. */
static int method_in(const char *method, const char *methods)
{
    size_t n = strlen(method);
    for (const char *p = methods; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t k = strcspn(p, ", ");
        if (k == n && strncmp(p, method, n) == 0)
            return 1;
        p += k;
    }
    return 0;
}

const route *routes_find(const char *path, const char *method, const char **allow)
{
    *allow = NULL;
    for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
        const route *rt = &ROUTES[i];
        int hit = rt->prefix ? strncmp(path, rt->path, strlen(rt->path)) == 0
                             : strcmp(path, rt->path) == 0;
        if (!hit)
            continue;
        if (method_in(method, rt->methods))
            return rt;
        *allow = rt->methods;
    }
    return NULL;
}
