/* test_ranking_env.h — what the ranking and admin integration tests share:
 * small catalogs written as DataHub MCP lines by the test itself (so each
 * test states the entities its behaviour needs), an index built by the real
 * metadex-indexer, a metadex-searchd started with an admin token, and the
 * admin API called over HTTP. Built on testenv.h and test_search_env.h. */
#ifndef MDX_TEST_RANKING_ENV_H
#define MDX_TEST_RANKING_ENV_H

#include <jansson.h>
#include <stdio.h>
#include <sys/types.h>

#define RE_TOKEN "ranking-test-token-0123456789"

/* The URN of a dataset / dashboard (malloc'd). */
char *re_dataset_urn(const char *platform, const char *name);
char *re_dashboard_urn(const char *tool, const char *id);

/* Appends a dataset's events: datasetProperties (name = the last dotted
 * part of `name`, description), schemaMetadata (columns, NULL-terminated,
 * may be NULL) and datasetUsageStatistics (`queries` over the window, no
 * users). */
void re_dataset(FILE *f, const char *platform, const char *name, const char *description,
                const char *const *columns, double queries);
/* A dashboard with a title, a description and views. */
void re_dashboard(FILE *f, const char *tool, const char *id, const char *title,
                  const char *description, double views);

/* A test environment: a temp dir, the corpus file open for writing. */
typedef struct re_env {
    char *dir;
    char *corpus;
    char *db;
    char *token_file;
    FILE *f;
    pid_t pid;
    int port;
} re_env;

/* Creates the dir and opens the corpus file (env->f). */
void re_open(re_env *env, const char *tag);
/* Closes the corpus, indexes it (the indexer must succeed) and starts
 * searchd with the admin token (with_token) or without. */
void re_index_and_serve(re_env *env, int with_token);
/* Stops searchd (if running) and removes the dir. */
void re_close(re_env *env);

/* An admin call: method, path, body (may be NULL), with the admin token
 * when `token` (may be any string, NULL: no Authorization header). Returns
 * the parsed answer (NULL if not JSON); *status the HTTP status. */
json_t *re_admin(int port, const char *method, const char *path, const char *body,
                 const char *token, long *status);

/* Searches q (limit 10, explain when `explain`) and must answer 200. */
json_t *re_search(int port, const char *q, int explain);
/* The URN of hit i of a search answer ("" if none). */
const char *re_hit_urn(const json_t *res, size_t i);

#endif
