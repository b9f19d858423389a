/* testenv.c — driving the real binaries from integration tests (see
 * testenv.h): temporary directories, free ports, processes, HTTP. */
#include "tests/support/testenv.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TE_START_TIMEOUT_MS 10000
#define TE_STOP_TIMEOUT_MS 10000
#define TE_HTTP_TIMEOUT_S 60

static char *join(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

char *te_path(const char *rel)
{
    const char *top = getenv("MDX_TOP");
    return join(top && *top ? top : ".", rel);
}

char *te_bin(const char *rel)
{
    const char *b = getenv("MDX_BUILD");
    if (!b || !*b)
        b = getenv("MDX_TOP");
    return join(b && *b ? b : ".", rel);
}

char *te_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    size_t n = strlen(base) + strlen(tag) + 32;
    char *p = malloc(n);
    if (!p)
        return NULL;
    snprintf(p, n, "%s/mdx-%s-XXXXXX", base, tag);
    if (!mkdtemp(p)) {
        free(p);
        return NULL;
    }
    return p;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0; /* go on: remove as much as possible */
}

void te_rmtree(const char *dir)
{
    if (dir && *dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int te_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* In the child: stdin from `in` (or /dev/null), stdout/stderr to `log`. */
static void child_redirect(const char *in, const char *log)
{
    int fd = open(in ? in : "/dev/null", O_RDONLY);
    if (fd >= 0) {
        dup2(fd, 0);
        close(fd);
    }
    if (log) {
        fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
    }
}

static pid_t spawn(char *const argv[], const char *in, const char *log, int die_with_parent)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* A server must not outlive a test that crashed. */
        if (die_with_parent)
            prctl(PR_SET_PDEATHSIG, SIGTERM);
        child_redirect(in, log);
        execv(argv[0], argv);
        fprintf(stderr, "testenv: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

pid_t te_spawn(char *const argv[], const char *logfile)
{
    return spawn(argv, NULL, logfile, 1);
}

static int exit_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

int te_run(char *const argv[], const char *stdin_file, const char *logfile)
{
    pid_t pid = spawn(argv, stdin_file, logfile, 1);
    if (pid < 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return exit_status(st);
}

void te_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

char *te_path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int te_stop(pid_t pid, int sig)
{
    if (pid <= 0)
        return -1;
    kill(pid, sig);
    int st;
    for (long waited = 0;; waited += 20) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return exit_status(st);
        if (r < 0 && errno != EINTR)
            return -1;
        if (waited >= TE_STOP_TIMEOUT_MS) {
            /* It did not stop: report that as a kill, never hang the suite. */
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return exit_status(st);
        }
        te_sleep_ms(20);
    }
}

pid_t te_start_searchd(const char *db, const char *const *extra, int *port)
{
    char *bin = te_bin("searchd/metadex-searchd");
    if (!bin)
        return -1;
    pid_t result = -1;
    /* A port found free may be taken before searchd binds it: try again. */
    for (int attempt = 0; attempt < 3 && result < 0; attempt++) {
        int p = te_free_port();
        if (p <= 0)
            continue;
        char listen[64];
        snprintf(listen, sizeof listen, "127.0.0.1:%d", p);
        const char *argv[64];
        size_t n = 0;
        argv[n++] = bin;
        argv[n++] = "--db";
        argv[n++] = db;
        argv[n++] = "--listen";
        argv[n++] = listen;
        for (size_t i = 0; extra && extra[i] && n < 62; i++)
            argv[n++] = extra[i];
        argv[n] = NULL;
        pid_t pid = te_spawn((char *const *)argv, NULL);
        if (pid < 0)
            break;
        for (long waited = 0; waited < TE_START_TIMEOUT_MS; waited += 25) {
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                pid = -1; /* exited: port taken or bad arguments */
                break;
            }
            te_http r;
            if (te_http_do(p, "GET", "/healthz", NULL, NULL, &r) == 0) {
                te_http_free(&r);
                result = pid;
                *port = p;
                break;
            }
            te_sleep_ms(25);
        }
        if (result < 0 && pid > 0)
            te_stop(pid, SIGKILL);
    }
    free(bin);
    return result;
}

/* ---- HTTP --------------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_ALL); }

typedef struct grow {
    char *p;
    size_t len, cap;
    int oom;
} grow;

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
    grow *g = ctx;
    size_t n = size * nmemb;
    if (g->len + n + 1 > g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4096;
        while (cap < g->len + n + 1)
            cap *= 2;
        char *np = realloc(g->p, cap);
        if (!np) {
            g->oom = 1;
            return 0;
        }
        g->p = np;
        g->cap = cap;
    }
    memcpy(g->p + g->len, data, n);
    g->len += n;
    g->p[g->len] = '\0';
    return n;
}

int te_http_do(int port, const char *method, const char *path, const char *body,
               const char *const *headers, te_http *out)
{
    memset(out, 0, sizeof *out);
    pthread_once(&curl_once, curl_init_once);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    size_t ulen = strlen(path) + 64;
    char *url = malloc(ulen);
    struct curl_slist *hl = NULL;
    grow g = {0};
    int rc = -1;
    if (!url)
        goto done;
    snprintf(url, ulen, "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TE_HTTP_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &g);
    /* Paths are sent as given, so tests can send malformed ones. */
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    /* After POSTFIELDS (which implies POST): the method asked for wins. */
    if (strcmp(method, "HEAD") != 0 && (body || strcmp(method, "GET") != 0))
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    hl = curl_slist_append(hl, "Expect:");
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (curl_easy_perform(c) != CURLE_OK || g.oom)
        goto done;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    char *ct = NULL;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
        out->content_type = strdup(ct);
    if (!g.p)
        g.p = calloc(1, 1);
    if (!g.p)
        goto done;
    out->body = g.p;
    out->len = g.len;
    g.p = NULL;
    rc = 0;
done:
    free(g.p);
    free(url);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    if (rc != 0)
        te_http_free(out);
    return rc;
}

void te_http_free(te_http *r)
{
    free(r->body);
    free(r->content_type);
    memset(r, 0, sizeof *r);
}

json_t *te_get_json(int port, const char *path, long *status)
{
    te_http r;
    if (status)
        *status = 0;
    if (te_http_do(port, "GET", path, NULL, NULL, &r) != 0)
        return NULL;
    if (status)
        *status = r.status;
    json_error_t je;
    json_t *j = json_loadb(r.body, r.len, 0, &je);
    te_http_free(&r);
    return j;
}

char *te_urlencode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

/* ---- files -------------------------------------------------------------- */

char *te_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

long te_count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    long lines = 0;
    int c, last = '\n';
    while ((c = fgetc(f)) != EOF) {
        if (c == '\n')
            lines++;
        last = c;
    }
    if (last != '\n')
        lines++; /* a last line without its newline still counts */
    fclose(f);
    return lines;
}
