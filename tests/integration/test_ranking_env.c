/* test_ranking_env.c — corpora, index, searchd and admin calls for the
 * ranking tests (see test_ranking_env.h). */
#include "tests/integration/test_ranking_env.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/test_search_env.h"
#include "tests/support/testenv.h"

char *re_dataset_urn(const char *platform, const char *name)
{
    size_t n = strlen(platform) + strlen(name) + 64;
    char *u = malloc(n);
    ck_assert_ptr_nonnull(u);
    snprintf(u, n, "urn:li:dataset:(urn:li:dataPlatform:%s,%s,PROD)", platform, name);
    return u;
}

char *re_dashboard_urn(const char *tool, const char *id)
{
    size_t n = strlen(tool) + strlen(id) + 32;
    char *u = malloc(n);
    ck_assert_ptr_nonnull(u);
    snprintf(u, n, "urn:li:dashboard:(%s,%s)", tool, id);
    return u;
}

/* One MCP line: entityType, entityUrn, aspectName, aspect json. */
static void mcp(FILE *f, const char *type, const char *urn, const char *aspect, json_t *value)
{
    json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:{s:o}}", "entityType", type, "entityUrn", urn,
                           "changeType", "UPSERT", "aspectName", aspect, "aspect", "json", value);
    ck_assert_ptr_nonnull(ev);
    char *s = json_dumps(ev, JSON_COMPACT);
    ck_assert_ptr_nonnull(s);
    fprintf(f, "%s\n", s);
    free(s);
    json_decref(ev);
}

void re_dataset(FILE *f, const char *platform, const char *name, const char *description,
                const char *const *columns, double queries)
{
    char *urn = re_dataset_urn(platform, name);
    const char *dot = strrchr(name, '.');
    mcp(f, "dataset", urn, "datasetProperties",
        json_pack("{s:s,s:s,s:{}}", "name", dot ? dot + 1 : name, "description",
                  description ? description : "", "customProperties"));
    if (columns && columns[0]) {
        json_t *fields = json_array();
        for (size_t i = 0; columns[i]; i++)
            json_array_append_new(fields, json_pack("{s:s,s:s,s:{s:{s:{}}}}", "fieldPath",
                                                    columns[i], "nativeDataType", "VARCHAR", "type",
                                                    "type", "com.linkedin.schema.StringType"));
        char pf[128];
        snprintf(pf, sizeof pf, "urn:li:dataPlatform:%s", platform);
        mcp(f, "dataset", urn, "schemaMetadata",
            json_pack("{s:s,s:s,s:i,s:s,s:{s:{s:s}},s:o}", "schemaName", name, "platform", pf,
                      "version", 0, "hash", "", "platformSchema", "com.linkedin.schema.OtherSchema",
                      "rawSchema", "", "fields", fields));
    }
    if (queries > 0)
        mcp(f, "dataset", urn, "datasetUsageStatistics",
            json_pack("{s:I,s:{s:s,s:i},s:f,s:i}", "timestampMillis", (json_int_t)1748649600000,
                      "eventGranularity", "unit", "MONTH", "multiple", 1, "totalSqlQueries",
                      queries, "uniqueUserCount", 0));
    free(urn);
}

void re_dashboard(FILE *f, const char *tool, const char *id, const char *title,
                  const char *description, double views)
{
    char *urn = re_dashboard_urn(tool, id);
    mcp(f, "dashboard", urn, "dashboardInfo",
        json_pack("{s:s,s:s,s:{},s:[]}", "title", title, "description",
                  description ? description : "", "customProperties", "charts"));
    if (views > 0)
        mcp(f, "dashboard", urn, "dashboardUsageStatistics",
            json_pack("{s:I,s:{s:s,s:i},s:f,s:i}", "timestampMillis", (json_int_t)1748649600000,
                      "eventGranularity", "unit", "MONTH", "multiple", 1, "viewsCount", views,
                      "uniqueUserCount", 0));
    free(urn);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void re_open(re_env *env, const char *tag)
{
    memset(env, 0, sizeof *env);
    env->pid = -1;
    env->dir = te_tmpdir(tag);
    ck_assert_ptr_nonnull(env->dir);
    env->corpus = join(env->dir, "corpus.jsonl");
    env->db = join(env->dir, "db");
    env->token_file = join(env->dir, "token");
    env->f = fopen(env->corpus, "w");
    ck_assert_ptr_nonnull(env->f);
    ck_assert_int_eq(se_write(env->token_file, RE_TOKEN "\n"), 0);
}

void re_index_and_serve(re_env *env, int with_token)
{
    if (env->f) {
        ck_assert_int_eq(fclose(env->f), 0);
        env->f = NULL;
        char *log = join(env->dir, "indexer.log");
        const char *files[1] = {env->corpus};
        ck_assert_int_eq(se_index(env->db, files, 1, log), 0);
        free(log);
    }
    const char *with[] = {"--quiet", "--threads", "2", "--admin-token-file", env->token_file, NULL};
    const char *without[] = {"--quiet", "--threads", "2", NULL};
    env->pid = te_start_searchd(env->db, with_token ? with : without, &env->port);
    ck_assert_msg(env->pid > 0, "metadex-searchd did not start");
}

void re_close(re_env *env)
{
    if (env->pid > 0)
        te_stop(env->pid, SIGTERM);
    if (env->f)
        fclose(env->f);
    te_rmtree(env->dir);
    free(env->dir);
    free(env->corpus);
    free(env->db);
    free(env->token_file);
    memset(env, 0, sizeof *env);
}

json_t *re_admin(int port, const char *method, const char *path, const char *body,
                 const char *token, long *status)
{
    char auth[256];
    const char *headers[3] = {"Content-Type: application/json", NULL, NULL};
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers[1] = auth;
    }
    te_http r;
    ck_assert_int_eq(te_http_do(port, method, path, body, headers, &r), 0);
    *status = r.status;
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    te_http_free(&r);
    return j;
}

json_t *re_search(int port, const char *q, int explain)
{
    return se_search(port, "q", q, "limit", "10", "explain", explain ? "true" : "false", NULL);
}

const char *re_hit_urn(const json_t *res, size_t i)
{
    const char *u =
        json_string_value(json_object_get(json_array_get(json_object_get(res, "hits"), i), "urn"));
    return u ? u : "";
}
