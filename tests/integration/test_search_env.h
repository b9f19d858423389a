/* test_search_env.h — what the search integration tests share: indexes
 * built by the real metadex-indexer, and short ways to ask the real
 * metadex-searchd over HTTP and look into its JSON answers. Built on
 * tests/support/testenv.h. */
#ifndef MDX_TEST_SEARCH_ENV_H
#define MDX_TEST_SEARCH_ENV_H

#include <jansson.h>
#include <stddef.h>

/* Runs $MDX_BUILD/indexer/metadex-indexer --db db files... (output appended
 * to `log`); returns its exit status. */
int se_index(const char *db, const char *const *files, size_t nfiles, const char *log);

/* Every *.json file under $MDX_FIXTURES, sorted (malloc'd; se_strv_free). */
char **se_fixture_files(size_t *n);
void se_strv_free(char **v, size_t n);

/* The entity URNs that the fixture files mention (entityUrn of MCPs, the
 * snapshot urn of MCEs), distinct, for the given entity type. */
char **se_fixture_urns(char *const *files, size_t nfiles, const char *type, size_t *n);

/* Writes text to path; 0 or -1. */
int se_write(const char *path, const char *text);

/* GET path?k1=v1&k2=v2... with each value URL-encoded; the pairs end with a
 * NULL key. Returns the parsed answer (NULL if not JSON); *status the HTTP
 * status. */
json_t *se_get(int port, long *status, const char *path, ...);
/* se_get on /v1/search that must answer 200 (fails the test otherwise). */
json_t *se_search(int port, ...);
/* GET /v1/entities/{urn}. */
json_t *se_entity(int port, const char *urn, long *status);

/* The position of urn in the answer's hits, or -1. */
long se_rank(const json_t *res, const char *urn);
/* The hit of urn, or NULL. */
json_t *se_hit(const json_t *res, const char *urn);
/* 1 if the JSON array holds the string s. */
int se_array_has(const json_t *arr, const char *s);
/* Every URN of the search (all pages, limit 100 each) into a sorted list;
 * pairs as for se_get, NULL-terminated. */
char **se_all_urns(int port, size_t *n, ...);

#endif
