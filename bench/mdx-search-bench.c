/* mdx-search-bench.c — search and autocomplete latency and typo recall of a
 * running metadex-searchd, measured over HTTP the way the portal uses it.
 *
 *   mdx-search-bench --port P --queries FILE [--clients N] [--facets LIST] ...
 *
 * FILE is the query mix of `mdx-gen --queries` (JSON lines {"q", "kind",
 * "target", "edits"}). Each query is sent once (after a warm-up) by N client
 * threads sharing the list, each with its own keep-alive libcurl handle:
 *   (a) /v1/search?q=..&limit=10&facets=..: round-trip latency p50/p99 per
 *       kind and overall, the server's own took_ms, throughput;
 *   (b) /v1/autocomplete?q=<what was typed so far>: the same ("n/a" while the
 *       endpoint answers 404);
 *   (c) from (a)'s answers: typo recall, the share of misspelled names (1 and
 *       2 edits) whose target is in the top 3, and where the targets of the
 *       other kinds landed.
 * Figures go to stdout next to their targets; latency is timed around the
 * request alone, and answers are kept and parsed after the whole run, so
 * that on a small machine shared with searchd the clients spend the cores
 * on requests only (parsing 2,000 answers of ~20 KB took ~4% of a core). With --rate R
 * the searches are sent open loop, query i due at i / R seconds, and
 * latency counts from that time: the figure a user arriving at that rate
 * sees, rather than that of clients sending as fast as answers come.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SB_MAX_KINDS 32
#define SB_TOP 3 /* typo recall: the target must be among the first SB_TOP hits */

/* Targets printed next to the figures (DESIGN.md, the benchmark's brief). */
#define SB_SEARCH_P99_MS 20.0
#define SB_AUTOCOMPLETE_P99_MS 3.0
#define SB_TYPO1_RECALL 0.95
#define SB_TYPO2_RECALL 0.85

typedef struct sb_query {
    char *q;
    int kind;     /* index into sb_kinds */
    char *target; /* URN the query was made from, or NULL */
    int edits;    /* typo queries: 1 or 2; 0 otherwise */
} sb_query;

/* One request's outcome. */
typedef struct sb_sample {
    double ms;        /* round trip, client side */
    double server_ms; /* the answer's took_ms; < 0 when absent */
    long status;      /* HTTP status; -1 transport error */
    int curl_rc;      /* the CURLcode of a transport error */
    int rank;         /* 1-based rank of the target among the hits; 0 if absent */
    char *body;       /* the answer, until sb_read_answers */
} sb_sample;

typedef struct sb_job {
    int port;
    char **paths; /* request targets, one per query */
    const sb_query *queries;
    sb_sample *out;
    size_t n;
    atomic_size_t next;
    int find_target; /* look for the query's target among the hits */
    double rate;     /* > 0: query i is due at start + i / rate s (open loop) */
    double start;    /* ms, set by sb_run */
} sb_job;

static const char *sb_kinds[SB_MAX_KINDS];
static size_t sb_nkinds;

/* The kinds in the order mdx-gen documents them; others follow as met. */
static const char *const SB_KIND_ORDER[] = {"exact", "partial", "prefix", "column",
                                            "owner", "tag",     "typo1",  "typo2"};

static int sb_kind(const char *name)
{
    for (size_t i = 0; i < sb_nkinds; i++)
        if (strcmp(sb_kinds[i], name) == 0)
            return (int)i;
    if (sb_nkinds == SB_MAX_KINDS)
        return -1;
    char *copy = strdup(name);
    if (!copy)
        return -1;
    sb_kinds[sb_nkinds] = copy;
    return (int)sb_nkinds++;
}

static double sb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the query mix ------------------------------------------------------ */

static int sb_load_queries(const char *path, sb_query **out, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "mdx-search-bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    sb_query *v = NULL;
    size_t cnt = 0, cap = 0, lineno = 0;
    char *line = NULL;
    size_t lcap = 0;
    int rc = 0;
    /* Fix the kinds' order first so the table reads the same every run. */
    for (size_t i = 0; i < sizeof SB_KIND_ORDER / sizeof SB_KIND_ORDER[0]; i++)
        if (sb_kind(SB_KIND_ORDER[i]) < 0)
            rc = -1;
    while (rc == 0 && getline(&line, &lcap, f) > 0) {
        lineno++;
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        const char *q = json_string_value(json_object_get(j, "q"));
        const char *kind = json_string_value(json_object_get(j, "kind"));
        const char *target = json_string_value(json_object_get(j, "target"));
        if (!q || !kind) {
            fprintf(stderr, "mdx-search-bench: %s:%zu: expected {\"q\": ..., \"kind\": ...}\n", path, lineno);
            json_decref(j);
            rc = -1;
            break;
        }
        if (cnt == cap) {
            cap = cap ? cap * 2 : 1024;
            sb_query *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                json_decref(j);
                rc = -1;
                break;
            }
            v = nv;
        }
        sb_query *sq = &v[cnt];
        sq->kind = sb_kind(kind);
        sq->q = strdup(q);
        sq->target = target ? strdup(target) : NULL;
        sq->edits = (int)json_integer_value(json_object_get(j, "edits"));
        json_decref(j);
        if (sq->kind < 0 || !sq->q || (target && !sq->target)) {
            fprintf(stderr, "mdx-search-bench: %s:%zu: too many kinds or out of memory\n", path, lineno);
            free(sq->q);
            free(sq->target);
            rc = -1;
            break;
        }
        cnt++;
    }
    free(line);
    fclose(f);
    if (rc == 0 && cnt == 0) {
        fprintf(stderr, "mdx-search-bench: %s holds no query\n", path);
        rc = -1;
    }
    if (rc != 0) {
        for (size_t i = 0; i < cnt; i++) {
            free(v[i].q);
            free(v[i].target);
        }
        free(v);
        return -1;
    }
    *out = v;
    *n = cnt;
    return 0;
}

/* What a user has typed of q when autocomplete is asked: the whole of a
 * prefix query, half of any other (at least 2 bytes), cut on a UTF-8
 * character boundary. */
static size_t sb_typed_len(const sb_query *sq)
{
    size_t len = strlen(sq->q);
    if (strcmp(sb_kinds[sq->kind], "prefix") == 0 || len <= 2)
        return len;
    size_t cut = (len + 1) / 2;
    if (cut < 2)
        cut = 2;
    while (cut < len && ((unsigned char)sq->q[cut] & 0xC0) == 0x80)
        cut++;
    return cut;
}

/* "/v1/<endpoint>?q=<escaped>&<extra>" for every query; NULL on failure. */
static char **sb_paths(CURL *esc, const sb_query *qs, size_t n, const char *endpoint, const char *extra,
                       int typed_only)
{
    char **p = calloc(n, sizeof *p);
    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t len = typed_only ? sb_typed_len(&qs[i]) : strlen(qs[i].q);
        char *e = curl_easy_escape(esc, qs[i].q, (int)len);
        if (!e)
            goto fail;
        size_t need = strlen(endpoint) + strlen(e) + strlen(extra) + 8;
        p[i] = malloc(need);
        if (p[i])
            snprintf(p[i], need, "%s?q=%s%s%s", endpoint, e, *extra ? "&" : "", extra);
        curl_free(e);
        if (!p[i])
            goto fail;
    }
    return p;
fail:
    for (size_t i = 0; i < n; i++)
        free(p[i]);
    free(p);
    return NULL;
}

static void sb_paths_free(char **p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        free(p[i]);
    free(p);
}

/* ---- HTTP --------------------------------------------------------------- */

typedef struct sb_buf {
    char *data;
    size_t len, cap;
} sb_buf;

static size_t sb_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    sb_buf *b = ud;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *nd = realloc(b->data, cap);
        if (!nd)
            return 0; /* curl reports a write error */
        b->data = nd;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* GET http://127.0.0.1:port<path> on a reused handle; the body in *b;
 * *curl_rc (may be NULL) receives libcurl's code. */
static long sb_get(CURL *h, int port, const char *path, sb_buf *b, int *curl_rc)
{
    if (curl_rc)
        *curl_rc = CURLE_OK;
    char url[8192];
    if ((size_t)snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path) >= sizeof url)
        return -1; /* a query longer than any limit searchd takes */
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sb_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(h);
    if (curl_rc)
        *curl_rc = (int)cc;
    if (cc != CURLE_OK)
        return -1;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

/* Reads took_ms and the target's rank from a kept answer, and frees it. */
static void sb_read_answer(const sb_query *sq, int find_target, sb_sample *s)
{
    s->server_ms = -1;
    s->rank = 0;
    if (!s->body)
        return;
    json_t *j = json_loads(s->body, 0, NULL);
    free(s->body);
    s->body = NULL;
    if (!j)
        return;
    json_t *took = json_object_get(j, "took_ms");
    if (json_is_number(took))
        s->server_ms = json_number_value(took);
    if (find_target && sq->target) {
        json_t *hits = json_object_get(j, "hits");
        for (size_t i = 0; i < json_array_size(hits); i++) {
            const char *u = json_string_value(json_object_get(json_array_get(hits, i), "urn"));
            if (u && strcmp(u, sq->target) == 0) {
                s->rank = (int)i + 1;
                break;
            }
        }
    }
    json_decref(j);
}

static void *sb_client(void *arg)
{
    sb_job *job = arg;
    CURL *h = curl_easy_init();
    sb_buf b = {0};
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n)
            break;
        sb_sample *s = &job->out[i];
        if (!h) {
            s->status = -1;
            continue;
        }
        double t0 = sb_now_ms();
        if (job->rate > 0) {
            /* Open loop: wait for the query's time, and count from it, so
             * that a request sent late because every client was busy
             * is charged for the wait (no coordinated omission). */
            double due = job->start + 1e3 * (double)i / job->rate;
            while ((t0 = sb_now_ms()) < due) {
                double wait = due - t0;
                struct timespec ts = {0, (long)((wait > 500 ? 500 : wait) * 1e6)};
                nanosleep(&ts, NULL);
            }
            t0 = due;
        }
        s->status = sb_get(h, job->port, job->paths[i], &b, &s->curl_rc);
        s->ms = sb_now_ms() - t0;
        s->server_ms = -1;
        if (s->status == 200 && b.data) {
            s->body = b.data; /* parsed after the run */
            b = (sb_buf){0};
        }
    }
    free(b.data);
    if (h)
        curl_easy_cleanup(h);
    return NULL;
}

/* Reads every kept answer of a run. */
static void sb_read_answers(sb_job *job)
{
    for (size_t i = 0; i < job->n; i++)
        sb_read_answer(&job->queries[i], job->find_target, &job->out[i]);
}

/* Sends every path with `clients` threads, then reads the answers; returns
 * the wall time of the sending in ms. */
static double sb_run(sb_job *job, int clients)
{
    pthread_t th[64];
    int started = 0;
    atomic_store(&job->next, 0);
    double t0 = sb_now_ms();
    job->start = t0;
    for (int c = 0; c < clients; c++) {
        if (pthread_create(&th[c], NULL, sb_client, job) != 0)
            break;
        started++;
    }
    if (started == 0) /* no thread: do the work here */
        sb_client(job);
    for (int c = 0; c < started; c++)
        pthread_join(th[c], NULL);
    double wall = sb_now_ms() - t0;
    sb_read_answers(job);
    return wall;
}

/* ---- figures ------------------------------------------------------------ */

static int sb_dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n). */
static double sb_pct(const double *v, size_t n, double p)
{
    if (n == 0)
        return NAN;
    size_t r = (size_t)ceil(p / 100.0 * (double)n);
    if (r < 1)
        r = 1;
    return v[r - 1];
}

typedef struct sb_stats {
    size_t n, errors;
    double p50, p99, max, sp50, sp99;
} sb_stats;

/* Latency of the successful samples whose kind is `kind` (-1: all). */
static sb_stats sb_latency(const sb_query *qs, const sb_sample *s, size_t n, int kind)
{
    sb_stats st = {0};
    double *ms = malloc((n ? n : 1) * sizeof *ms), *sv = malloc((n ? n : 1) * sizeof *sv);
    size_t k = 0, ks = 0;
    if (!ms || !sv) {
        free(ms);
        free(sv);
        st.p50 = st.p99 = st.max = st.sp50 = st.sp99 = NAN;
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        if (kind >= 0 && qs[i].kind != kind)
            continue;
        st.n++;
        if (s[i].status != 200) {
            st.errors++;
            continue;
        }
        ms[k++] = s[i].ms;
        if (s[i].server_ms >= 0)
            sv[ks++] = s[i].server_ms;
    }
    qsort(ms, k, sizeof *ms, sb_dbl_cmp);
    qsort(sv, ks, sizeof *sv, sb_dbl_cmp);
    st.p50 = sb_pct(ms, k, 50);
    st.p99 = sb_pct(ms, k, 99);
    st.max = k ? ms[k - 1] : NAN;
    st.sp50 = sb_pct(sv, ks, 50);
    st.sp99 = sb_pct(sv, ks, 99);
    free(ms);
    free(sv);
    return st;
}

static void sb_print_ms(double v)
{
    if (isnan(v))
        printf(" %9s", "-");
    else
        printf(" %9.2f", v);
}

static void sb_print_row(const char *name, const sb_stats *st)
{
    printf("  %-10s %8zu", name, st->n);
    sb_print_ms(st->p50);
    sb_print_ms(st->p99);
    sb_print_ms(st->max);
    sb_print_ms(st->sp50);
    sb_print_ms(st->sp99);
    printf(" %7zu\n", st->errors);
}

/* What the failed requests got: counts per HTTP status, and per libcurl
 * error for those that got no answer. */
static void sb_print_errors(const sb_sample *s, size_t n)
{
    enum { SB_MAX_DISTINCT = 8 };
    long code[SB_MAX_DISTINCT];
    int is_curl[SB_MAX_DISTINCT];
    size_t count[SB_MAX_DISTINCT], distinct = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].status == 200)
            continue;
        int curl = s[i].status < 0;
        long c = curl ? s[i].curl_rc : s[i].status;
        size_t k = 0;
        while (k < distinct && !(code[k] == c && is_curl[k] == curl))
            k++;
        if (k == distinct) {
            if (distinct == SB_MAX_DISTINCT) {
                other++;
                continue;
            }
            code[k] = c;
            is_curl[k] = curl;
            count[k] = 0;
            distinct++;
        }
        count[k]++;
    }
    printf("  errors:");
    for (size_t k = 0; k < distinct; k++) {
        if (is_curl[k])
            printf(" %zu no answer (%s)%s", count[k], curl_easy_strerror((CURLcode)code[k]),
                   k + 1 < distinct || other ? ";" : "");
        else
            printf(" %zu HTTP %ld%s", count[k], code[k], k + 1 < distinct || other ? ";" : "");
    }
    if (other)
        printf(" %zu other", other);
    printf("\n");
}

static void sb_latency_table(const char *title, const sb_query *qs, const sb_sample *s, size_t n,
                             double wall_ms, double target_p99)
{
    printf("%s\n", title);
    printf("  %-10s %8s %9s %9s %9s %9s %9s %7s\n", "kind", "queries", "p50 ms", "p99 ms", "max ms",
           "srv p50", "srv p99", "errors");
    for (size_t k = 0; k < sb_nkinds; k++) {
        sb_stats st = sb_latency(qs, s, n, (int)k);
        if (st.n)
            sb_print_row(sb_kinds[k], &st);
    }
    sb_stats all = sb_latency(qs, s, n, -1);
    sb_print_row("overall", &all);
    if (all.errors)
        sb_print_errors(s, n);
    printf("  throughput %.0f queries/s; p99 %.2f ms, target < %.0f ms: %s\n",
           wall_ms > 0 ? (double)n * 1000.0 / wall_ms : 0.0, all.p99, target_p99,
           isnan(all.p99) ? "n/a" : all.p99 < target_p99 ? "met" : "MISSED");
}

/* Share of the queries of `kind` (edits > 0: of that many edits) whose
 * target ranks within `top`. */
static double sb_target_share(const char *label, const sb_query *qs, const sb_sample *s, size_t n,
                              const char *kind, int edits, int top, double target)
{
    size_t total = 0, found = 0;
    for (size_t i = 0; i < n; i++) {
        if (!qs[i].target || s[i].status != 200)
            continue;
        if (edits > 0 ? qs[i].edits != edits : strcmp(sb_kinds[qs[i].kind], kind) != 0)
            continue;
        total++;
        if (s[i].rank >= 1 && s[i].rank <= top)
            found++;
    }
    if (total == 0) {
        printf("  %-34s n/a (no such query)\n", label);
        return -1;
    }
    double share = (double)found / (double)total;
    printf("  %-34s %6zu/%-6zu %6.1f%%", label, found, total, 100.0 * share);
    if (target > 0)
        printf("   target >= %.0f%%: %s", 100.0 * target, share >= target ? "met" : "MISSED");
    printf("\n");
    return share;
}

/* One line of the main figures, for comparing runs over time ("-" where a
 * figure does not exist). */
static int sb_append_tsv(const char *path, size_t n, int clients, const sb_stats *search,
                         const sb_stats *ac, double typo1, double typo2)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        fprintf(stderr, "mdx-search-bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    char acp50[32] = "-", acp99[32] = "-", t1[32] = "-", t2[32] = "-";
    if (ac && !isnan(ac->p50)) {
        snprintf(acp50, sizeof acp50, "%.2f", ac->p50);
        snprintf(acp99, sizeof acp99, "%.2f", ac->p99);
    }
    if (typo1 >= 0)
        snprintf(t1, sizeof t1, "%.3f", typo1);
    if (typo2 >= 0)
        snprintf(t2, sizeof t2, "%.3f", typo2);
    fprintf(f, "%s\tqueries=%zu\tclients=%d\tsearch_p50_ms=%.2f\tsearch_p99_ms=%.2f\tautocomplete_p50_ms=%s"
               "\tautocomplete_p99_ms=%s\ttypo1_recall=%s\ttypo2_recall=%s\n",
            when, n, clients, search->p50, search->p99, acp50, acp99, t1, t2);
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- main --------------------------------------------------------------- */

static void sb_usage(FILE *f)
{
    fprintf(f,
            "Usage: mdx-search-bench --port P --queries FILE [OPTION]...\n"
            "Measure a running metadex-searchd on 127.0.0.1:P with the query mix of\n"
            "`mdx-gen --queries FILE`: search and autocomplete latency (p50/p99 per kind),\n"
            "typo recall (target in the top %d).\n"
            "\n"
            "  -p, --port P          searchd's port (required)\n"
            "  -q, --queries FILE    the query mix, JSON lines (required)\n"
            "  -c, --clients N       concurrent clients, 1..64 (default 4)\n"
            "  -f, --facets LIST     facets asked with every search (default platform,type,tags,owners)\n"
            "  -l, --limit N         hits per search (default 10)\n"
            "  -w, --warmup N        searches sent first and not measured (default 200)\n"
            "  -r, --rate R          search at R queries/s in all (open loop: latency counts\n"
            "                        from each query's scheduled time); default: each client\n"
            "                        sends its next query when the last is answered\n"
            "      --wait S          seconds to wait for /healthz to answer 200 (default 300)\n"
            "      --tsv FILE        append a line of the main figures to FILE\n"
            "  -h, --help            show this help\n",
            SB_TOP);
}

static int sb_parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Waits until /healthz answers 200, then until /v1/autocomplete answers at
 * all (any status, 404 included): searchd builds its in-memory lexicon in
 * the background after it starts, and requests that need it wait for it, so
 * measuring before it is ready would time the build. */
static int sb_wait_healthy(int port, long seconds)
{
    CURL *h = curl_easy_init();
    if (!h)
        return -1;
    sb_buf b = {0};
    double deadline = sb_now_ms() + (double)seconds * 1000.0;
    long st = -1;
    while ((st = sb_get(h, port, "/healthz", &b, NULL)) != 200 && sb_now_ms() < deadline)
        usleep(200 * 1000);
    if (st == 200) {
        while ((st = sb_get(h, port, "/v1/autocomplete?q=a", &b, NULL)) < 0 && sb_now_ms() < deadline)
            usleep(200 * 1000);
        st = st < 0 ? -1 : 200;
    }
    free(b.data);
    curl_easy_cleanup(h);
    return st == 200 ? 0 : -1;
}

int main(int argc, char **argv)
{
    enum { OPT_WAIT = 256, OPT_TSV };
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},   {"queries", required_argument, NULL, 'q'},
        {"clients", required_argument, NULL, 'c'}, {"facets", required_argument, NULL, 'f'},
        {"limit", required_argument, NULL, 'l'},  {"warmup", required_argument, NULL, 'w'},
        {"wait", required_argument, NULL, OPT_WAIT}, {"tsv", required_argument, NULL, OPT_TSV},
        {"rate", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long port = 0, clients = 4, limit = 10, warmup = 200, wait_s = 300, rate = 0;
    const char *queries_path = NULL, *facets = "platform,type,tags,owners", *tsv = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "p:q:c:f:l:w:r:h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'p': bad = sb_parse_int(optarg, 1, 65535, &port); break;
        case 'q': queries_path = optarg; break;
        case 'c': bad = sb_parse_int(optarg, 1, 64, &clients); break;
        case 'f': facets = optarg; break;
        case 'l': bad = sb_parse_int(optarg, 1, 100, &limit); break;
        case 'w': bad = sb_parse_int(optarg, 0, 1000000, &warmup); break;
        case OPT_WAIT: bad = sb_parse_int(optarg, 0, 86400, &wait_s); break;
        case OPT_TSV: tsv = optarg; break;
        case 'r': bad = sb_parse_int(optarg, 1, 100000, &rate); break;
        case 'h': sb_usage(stdout); return 0;
        default: sb_usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "mdx-search-bench: %s: bad value '%s' (see --help)\n", argv[optind - 1], optarg);
            return 2;
        }
    }
    if (!port || !queries_path || optind != argc) {
        sb_usage(stderr);
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "mdx-search-bench: libcurl did not initialise\n");
        return 1;
    }
    int rc = 1;
    sb_query *qs = NULL;
    size_t n = 0;
    char **search_paths = NULL, **ac_paths = NULL;
    sb_sample *search = NULL, *ac = NULL;
    CURL *esc = curl_easy_init();
    if (!esc || sb_load_queries(queries_path, &qs, &n) != 0)
        goto out;
    if (sb_wait_healthy((int)port, wait_s) != 0) {
        fprintf(stderr, "mdx-search-bench: searchd on port %ld did not become healthy in %ld s\n", port, wait_s);
        goto out;
    }

    char extra[1024];
    if ((size_t)snprintf(extra, sizeof extra, "limit=%ld%s%s", limit, *facets ? "&facets=" : "", facets) >=
        sizeof extra) {
        fprintf(stderr, "mdx-search-bench: --facets is too long\n");
        goto out;
    }
    search_paths = sb_paths(esc, qs, n, "/v1/search", extra, 0);
    ac_paths = sb_paths(esc, qs, n, "/v1/autocomplete", "", 1);
    search = calloc(n, sizeof *search);
    ac = calloc(n, sizeof *ac);
    if (!search_paths || !ac_paths || !search || !ac) {
        fprintf(stderr, "mdx-search-bench: out of memory\n");
        goto out;
    }

    /* Warm-up: the first searches fill the page cache and searchd's
     * per-thread caches; they are not measured. */
    if (warmup > 0) {
        size_t w = (size_t)warmup < n ? (size_t)warmup : n;
        sb_job job = {.port = (int)port, .paths = search_paths, .queries = qs, .out = search, .n = w};
        sb_run(&job, (int)clients);
    }
    sb_job sj = {.port = (int)port, .paths = search_paths, .queries = qs, .out = search, .n = n, .find_target = 1,
                 .rate = (double)rate};
    memset(search, 0, n * sizeof *search);
    double search_wall = sb_run(&sj, (int)clients);

    char title[2048], paced[64] = "";
    if (rate > 0)
        snprintf(paced, sizeof paced, ", paced at %ld queries/s", rate);
    snprintf(title, sizeof title, "(a) search: %zu queries, %ld clients%s, limit %ld, facets=%s (warm-up %ld)", n,
             clients, paced, limit, *facets ? facets : "(none)", warmup);
    sb_latency_table(title, qs, search, n, search_wall, SB_SEARCH_P99_MS);

    /* Autocomplete may not be served yet: one probe decides. */
    printf("\n");
    sb_stats ac_all = {0};
    CURL *h = curl_easy_init();
    sb_buf b = {0};
    long probe = h ? sb_get(h, (int)port, "/v1/autocomplete?q=cu", &b, NULL) : -1;
    free(b.data);
    if (h)
        curl_easy_cleanup(h);
    int ac_served = !(probe == 404 || probe < 0);
    if (!ac_served) {
        printf("(b) autocomplete: n/a (GET /v1/autocomplete answers %s)\n", probe < 0 ? "nothing" : "404");
    } else {
        sb_job aj = {.port = (int)port, .paths = ac_paths, .queries = qs, .out = ac, .n = n};
        double ac_wall = sb_run(&aj, (int)clients);
        snprintf(title, sizeof title,
                 "(b) autocomplete: %zu queries (what was typed so far: a prefix query whole, half of the others), %ld clients",
                 n, clients);
        sb_latency_table(title, qs, ac, n, ac_wall, SB_AUTOCOMPLETE_P99_MS);
        ac_all = sb_latency(qs, ac, n, -1);
    }

    printf("\n(c) where the targets rank (search answers of (a))\n");
    double typo1 = sb_target_share("typo recall, 1 edit (top 3)", qs, search, n, NULL, 1, SB_TOP, SB_TYPO1_RECALL);
    double typo2 = sb_target_share("typo recall, 2 edits (top 3)", qs, search, n, NULL, 2, SB_TOP, SB_TYPO2_RECALL);
    sb_target_share("exact name first", qs, search, n, "exact", 0, 1, 0);
    sb_target_share("prefix target in the top 10", qs, search, n, "prefix", 0, 10, 0);
    sb_target_share("partial name target in the top 10", qs, search, n, "partial", 0, 10, 0);
    sb_target_share("owner first", qs, search, n, "owner", 0, 1, 0);
    sb_target_share("tag first", qs, search, n, "tag", 0, 1, 0);
    fflush(stdout);

    sb_stats all = sb_latency(qs, search, n, -1);
    rc = all.errors == all.n ? 1 : 0; /* nothing answered: the run failed */
    if (rc)
        fprintf(stderr, "mdx-search-bench: no search answered 200\n");
    if (tsv && sb_append_tsv(tsv, n, (int)clients, &all, ac_served ? &ac_all : NULL, typo1, typo2) != 0)
        rc = 1;
out:
    sb_paths_free(search_paths, n);
    sb_paths_free(ac_paths, n);
    free(search);
    free(ac);
    for (size_t i = 0; i < n; i++) {
        free(qs[i].q);
        free(qs[i].target);
    }
    free(qs);
    for (size_t i = 0; i < sb_nkinds; i++)
        free((char *)sb_kinds[i]);
    if (esc)
        curl_easy_cleanup(esc);
    curl_global_cleanup();
    return rc;
}
