/* testenv.h — what integration tests need to drive the real binaries:
 * temporary directories, a free loopback port, starting and stopping a
 * program, HTTP over loopback (libcurl), and reading JSON answers.
 * Paths come from the environment tests/run-suite sets (MDX_TOP: the
 * build/source tree; MDX_FIXTURES: the DataHub fixture folder). */
#ifndef MDX_TESTENV_H
#define MDX_TESTENV_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* $MDX_TOP/<rel> (sources: fixtures, web files) and $MDX_BUILD/<rel>
 * (built programs; MDX_BUILD defaults to MDX_TOP), malloc'd. */
char *te_path(const char *rel);
char *te_bin(const char *rel);
/* A new empty directory under $TMPDIR; removed by te_rmtree. Malloc'd. */
char *te_tmpdir(const char *tag);
void te_rmtree(const char *dir);
/* dir + "/" + name, malloc'd (NULL when out of memory). */
char *te_path_in(const char *dir, const char *name);
/* Sleeps ms milliseconds (resumed after a signal). */
void te_sleep_ms(long ms);
/* A TCP port on 127.0.0.1 that is free now. */
int te_free_port(void);

/* Starts argv[0] with argv (NULL-terminated), stdout/stderr appended to
 * `logfile` (may be NULL: inherited). Returns the pid, or -1. */
pid_t te_spawn(char *const argv[], const char *logfile);
/* Runs argv to completion with stdin from `stdin_file` (may be NULL) and
 * stdout/stderr to `logfile`; returns the exit status, or -1. */
int te_run(char *const argv[], const char *stdin_file, const char *logfile);
/* Sends `sig` and waits for the process; returns its exit status (or
 * 128 + signal). */
int te_stop(pid_t pid, int sig);

/* Starts metadex-searchd on a free port over `db` with extra args (NULL-
 * terminated, may be NULL) and waits until /healthz answers (up to 10 s).
 * Returns the pid; *port receives the port. */
pid_t te_start_searchd(const char *db, const char *const *extra, int *port);

typedef struct te_http {
    long status;
    char *body; /* malloc'd, NUL-terminated */
    size_t len;
    char *content_type; /* malloc'd, may be NULL */
} te_http;
/* HTTP to 127.0.0.1:port. method "GET"/"POST"/"PUT"; body may be NULL;
 * headers is a NULL-terminated list of "Name: value" (may be NULL).
 * Returns 0 on a completed exchange (any status), -1 on transport error. */
int te_http_do(int port, const char *method, const char *path, const char *body,
               const char *const *headers, te_http *out);
void te_http_free(te_http *r);
/* GET path and parse the JSON answer; NULL on transport or parse error.
 * *status (may be NULL) receives the HTTP status. */
json_t *te_get_json(int port, const char *path, long *status);
/* URL-encodes s (malloc'd). */
char *te_urlencode(const char *s);

/* Reads a whole file (malloc'd, NUL-terminated); NULL if unreadable. */
char *te_read_file(const char *path, size_t *len);
/* Counts the lines of a file (0 if absent). */
long te_count_lines(const char *path);

#endif
