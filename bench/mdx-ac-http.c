/* mdx-ac-http.c — /v1/autocomplete latency over HTTP with concurrent clients.
 *
 *   mdx-ac-http --port P --queries FILE [--threads 4] [--seconds 20] [--limit 8]
 *               [--rate R]
 *
 * Each thread keeps one connection (libcurl, keep-alive) and sends the
 * queries of FILE (one per line) in turn, from its own starting point, until
 * the time is up. Without --rate each thread sends its next request as soon
 * as the last is answered (saturation: on a small machine the clients and
 * the server then share the cores, and latency includes waiting for one).
 * With --rate R each thread sends R requests a second on a fixed schedule,
 * as people typing do, and latency counts from the scheduled time (a late
 * answer delays the next request's start, not its measure). Prints
 * requests, requests/s, answers other than 200, and p50/p99/max latency in
 * milliseconds as the client sees it.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

typedef struct worker {
    pthread_t th;
    int id;
    double *lat;
    double *took; /* the server's own "took_ms" of each answer */
    size_t n, cap;
    char body[65536];
    size_t blen;
    size_t bad;
    int failed;
} worker;

static char **g_q;
static size_t g_nq;
static int g_port, g_threads = 4, g_limit = 8;
static double g_seconds = 20, g_end, g_rate, g_start;

/* Keeps the answer's start: "took_ms" is read from it. */
static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
    worker *w = ctx;
    size_t len = size * n, room = sizeof w->body - 1 - w->blen;
    memcpy(w->body + w->blen, p, len < room ? len : room);
    w->blen += len < room ? len : room;
    w->body[w->blen] = '\0';
    return len;
}

static double took_of(const char *body)
{
    const char *t = strstr(body, "\"took_ms\":");
    return t ? atof(t + 10) : -1;
}

static void *run(void *arg)
{
    worker *w = arg;
    CURL *c = curl_easy_init();
    if (!c) {
        w->failed = 1;
        return NULL;
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    char url[4096];
    size_t i = (g_nq / (size_t)g_threads) * (size_t)w->id;
    /* Paced threads start spread over one period, not all at once. */
    double period = g_rate > 0 ? 1e3 / g_rate : 0;
    double next = g_start + period * w->id / g_threads;
    while (now_ms() < g_end) {
        double sched = now_ms();
        if (period > 0) {
            while ((sched = now_ms()) < next) {
                double wait = next - sched;
                if (wait > 500)
                    wait = 500; /* tv_nsec stays under a second */
                struct timespec ts = {0, (long)(wait * 1e6)};
                nanosleep(&ts, NULL);
            }
            sched = next;
            next += period;
        }
        char *esc = curl_easy_escape(c, g_q[i % g_nq], 0);
        if (!esc) {
            w->failed = 1;
            break;
        }
        snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/autocomplete?q=%s&limit=%d", g_port,
                 esc, g_limit);
        curl_free(esc);
        curl_easy_setopt(c, CURLOPT_URL, url);
        double a = period > 0 ? sched : now_ms();
        w->blen = 0;
        w->body[0] = '\0';
        CURLcode rc = curl_easy_perform(c);
        double ms = now_ms() - a;
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != 200)
            w->bad++;
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 65536;
            double *nl = realloc(w->lat, w->cap * sizeof *nl);
            if (nl)
                w->lat = nl;
            double *nt = realloc(w->took, w->cap * sizeof *nt);
            if (nt)
                w->took = nt;
            if (!nl || !nt) {
                w->failed = 1;
                break;
            }
        }
        w->took[w->n] = took_of(w->body);
        w->lat[w->n++] = ms;
        i++;
    }
    curl_easy_cleanup(c);
    return NULL;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'},    {"queries", required_argument, NULL, 'q'},
        {"threads", required_argument, NULL, 't'}, {"seconds", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'l'},   {"help", no_argument, NULL, 'h'},
        {"rate", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *qfile = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "p:q:t:s:l:hr:", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            g_port = atoi(optarg);
            break;
        case 'q':
            qfile = optarg;
            break;
        case 't':
            g_threads = atoi(optarg);
            break;
        case 's':
            g_seconds = atof(optarg);
            break;
        case 'l':
            g_limit = atoi(optarg);
            break;
        case 'r':
            g_rate = atof(optarg);
            break;
        case 'h':
            printf("Usage: mdx-ac-http --port P --queries FILE [--threads N] [--seconds S] "
                   "[--limit L] [--rate R]\n");
            return 0;
        default:
            return 2;
        }
    }
    if (!qfile || g_port <= 0 || g_threads < 1 || g_threads > 256 || g_seconds <= 0) {
        fprintf(stderr, "mdx-ac-http: --port and --queries are required (see --help)\n");
        return 2;
    }
    FILE *f = fopen(qfile, "r");
    if (!f) {
        fprintf(stderr, "mdx-ac-http: cannot read %s\n", qfile);
        return 1;
    }
    char line[4096];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!*line)
            continue;
        if (g_nq == cap) {
            cap = cap ? cap * 2 : 1024;
            char **nq = realloc(g_q, cap * sizeof *nq);
            if (!nq)
                return 1;
            g_q = nq;
        }
        g_q[g_nq] = strdup(line);
        if (!g_q[g_nq])
            return 1;
        g_nq++;
    }
    fclose(f);
    if (g_nq == 0) {
        fprintf(stderr, "mdx-ac-http: no queries in %s\n", qfile);
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_ALL) != 0)
        return 1;
    worker *w = calloc((size_t)g_threads, sizeof *w);
    if (!w)
        return 1;
    double start = now_ms();
    g_start = start;
    g_end = start + g_seconds * 1e3;
    for (int i = 0; i < g_threads; i++) {
        w[i].id = i;
        if (pthread_create(&w[i].th, NULL, run, &w[i]) != 0) {
            fprintf(stderr, "mdx-ac-http: cannot start a thread\n");
            return 1;
        }
    }
    size_t total = 0, bad = 0;
    int failed = 0;
    for (int i = 0; i < g_threads; i++) {
        pthread_join(w[i].th, NULL);
        total += w[i].n;
        bad += w[i].bad;
        failed |= w[i].failed;
    }
    double elapsed = (now_ms() - start) / 1e3;
    double *all = malloc((total ? total : 1) * sizeof *all);
    double *took = malloc((total ? total : 1) * sizeof *took);
    if (!all || !took)
        return 1;
    size_t k = 0;
    for (int i = 0; i < g_threads; i++) {
        memcpy(all + k, w[i].lat, w[i].n * sizeof *all);
        memcpy(took + k, w[i].took, w[i].n * sizeof *took);
        k += w[i].n;
        free(w[i].lat);
        free(w[i].took);
    }
    qsort(all, total, sizeof *all, dbl_cmp);
    qsort(took, total, sizeof *took, dbl_cmp);
    if (g_rate > 0)
        printf("clients %d at %.0f requests/s each, %zu distinct queries, %.1f s\n", g_threads,
               g_rate, g_nq, elapsed);
    else
        printf("clients %d (each as fast as answered), %zu distinct queries, %.1f s\n",
               g_threads, g_nq, elapsed);
    printf("requests        %zu (%.0f/s), not 200: %zu\n", total, (double)total / elapsed, bad);
    if (total)
        printf("latency         p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", all[total / 2],
               all[(size_t)((double)total * 0.99)], all[total - 1]);
    if (total)
        printf("server took_ms  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", took[total / 2],
               took[(size_t)((double)total * 0.99)], took[total - 1]);
    free(all);
    free(took);
    free(w);
    for (size_t i = 0; i < g_nq; i++)
        free(g_q[i]);
    free(g_q);
    curl_global_cleanup();
    return failed || bad ? 1 : 0;
}
