/* mdx-ac-bench.c — in-process benchmark of the vocabulary and autocomplete
 * index (searchd/vocab.h, searchd/names.h) over a real index.
 *
 *   mdx-ac-bench --db DIR [--names N] [--fuzzy N] [--seed S] [--queries-out FILE]
 *                [--slowest K]
 *
 * Builds both structures from DIR as searchd does (timed, with their memory
 * and the process's peak RSS), then measures:
 *   - fuzzy lookup (vocab_fuzzy, cap 20) of 5-15 letter words with one
 *     random edit, k = 1 and k = 2, and the planner's vocab_expand;
 *   - autocomplete (names_search, limit 8, plus highlighting as the API
 *     does) over a typing mix: N names drawn by popularity and typed one
 *     key at a time ("c", "cu", ..., "customer o", ...), their words in
 *     another order, and a typo in a word of 5 letters or more.
 * Prints p50/p99/max in microseconds, of wall time and of the thread's CPU
 * time (which other work on a busy machine does not inflate). --queries-out writes the mix (one
 * query per line) for the HTTP benchmark (mdx-ac-http); --slowest lists the
 * K slowest autocomplete queries.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "analyzers/analyzer.h"
#include "searchd/names.h"
#include "searchd/vocab.h"
#include "xapian-shim/xap.h"

#define MIX_MAX_QUERY 200

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CPU time of this (single-threaded) process: build figures that a busy
 * machine does not inflate. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* This thread's CPU time: lookups measured by it are not inflated by other
 * work the machine runs (wall time is reported too). */
static double tcpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* xorshift64*: the same mix for the same seed. */
static uint64_t g_rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 2685821657736338717ull;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report1(const char *what, const char *clock, double *v, size_t n)
{
    qsort(v, n, sizeof *v, dbl_cmp);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    printf("%-34s %s n=%-7zu p50 %8.1f us  p99 %8.1f us  max %8.1f us  mean %8.1f us\n", what,
           clock, n, v[n / 2], v[(size_t)((double)n * 0.99)], v[n - 1], sum / (double)n);
}

/* Percentiles of wall and CPU time (both arrays are sorted in place). */
static void report(const char *what, double *wall, double *cpu, size_t n)
{
    if (n == 0) {
        printf("%-34s no samples\n", what);
        return;
    }
    report1(what, "wall", wall, n);
    report1("", "cpu ", cpu, n);
}

/* ---- query mix ------------------------------------------------------------------- */

typedef struct mix {
    char (*q)[MIX_MAX_QUERY];
    size_t n, cap;
} mix;

static void mix_add(mix *m, const char *q, size_t len)
{
    if (len == 0 || len >= MIX_MAX_QUERY)
        return;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4096;
        m->q = realloc(m->q, m->cap * sizeof *m->q);
        if (!m->q) {
            fprintf(stderr, "mdx-ac-bench: out of memory\n");
            exit(1);
        }
    }
    memcpy(m->q[m->n], q, len);
    m->q[m->n][len] = '\0';
    m->n++;
}

/* Every keystroke of typing `s`. */
static void mix_type(mix *m, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 1; i <= len && i < MIX_MAX_QUERY; i++)
        if ((s[i - 1] & 0xC0) != 0x80 && (i == len || (s[i] & 0xC0) != 0x80) && s[i - 1] != ' ')
            mix_add(m, s, i);
}

/* One random edit (delete, substitute, transpose, insert) of an ASCII word. */
static void typo_of(const char *w, char *out)
{
    size_t n = strlen(w);
    strcpy(out, w);
    size_t at = 1 + (size_t)(rnd() % (n - 1)); /* keep the first letter */
    switch (rnd() % 4) {
    case 0:
        memmove(out + at, out + at + 1, n - at);
        break;
    case 1:
        out[at] = (char)('a' + rnd() % 26);
        break;
    case 2:
        if (at + 1 < n) {
            char t = out[at];
            out[at] = out[at + 1];
            out[at + 1] = t;
        } else {
            out[at] = (char)('a' + rnd() % 26);
        }
        break;
    default:
        memmove(out + at + 1, out + at, n - at + 1);
        out[at] = (char)('a' + rnd() % 26);
        break;
    }
}

static int ascii_word(const char *w, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!(w[i] >= 'a' && w[i] <= 'z'))
            return 0;
    return 1;
}

/* A suggestion id drawn with a bias to popular ones (ids are in popularity
 * order): what users type most is what is used most. */
static uint32_t draw(const names *nm)
{
    size_t n = names_count(nm);
    double u = (double)(rnd() % 1000000) / 1e6;
    size_t id = (size_t)((double)n * u * u * u);
    return (uint32_t)(id < n ? id : n - 1);
}

static void make_mix(const names *nm, an_analyzer *an, size_t nnames, mix *m)
{
    an_terms t;
    an_terms_init(&t);
    for (size_t k = 0; k < nnames; k++) {
        names_hit h;
        names_get(nm, draw(nm), &h);
        an_terms_clear(&t);
        if (an_analyze(an, h.text, strlen(h.text), 0, &t) < 0)
            break;
        char words[4][64];
        int nw = 0;
        for (size_t i = 0; i < t.n && nw < 4; i++)
            if (t.v[i].kind == AN_PART && t.v[i].len < 64)
                snprintf(words[nw++], 64, "%s", t.v[i].text);
        if (nw == 0)
            continue;
        char q[MIX_MAX_QUERY] = "";
        /* The words in order, typed key by key. */
        for (int i = 0; i < nw && i < 3; i++) {
            if (i)
                strcat(q, " ");
            strcat(q, words[i]);
        }
        mix_type(m, q);
        /* The last words first ("ord cust"), typed. */
        if (nw >= 2) {
            snprintf(q, sizeof q, "%.20s %.60s", words[nw - 1], words[0]);
            mix_type(m, q);
        }
        /* A typo in the last word. */
        for (int i = nw - 1; i >= 0; i--) {
            size_t len = strlen(words[i]);
            if (len >= 5 && len < 60 && ascii_word(words[i], len)) {
                char ty[72];
                typo_of(words[i], ty);
                mix_add(m, ty, strlen(ty));
                break;
            }
        }
    }
    an_terms_free(&t);
}

/* ---- main --------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "Usage: mdx-ac-bench --db DIR [--names N] [--fuzzy N] [--seed S] "
               "[--queries-out FILE] [--slowest K]\n"
               "In-process latency of vocabulary lookups and autocomplete over an index.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},          {"names", required_argument, NULL, 'n'},
        {"fuzzy", required_argument, NULL, 'f'},       {"seed", required_argument, NULL, 's'},
        {"queries-out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {"slowest", required_argument, NULL, 'w'},
        {NULL, 0, NULL, 0},
    };
    const char *db_path = NULL, *qout = NULL;
    size_t nnames = 1000, nfuzzy = 2000;
    int slowest = 0;
    int c;
    while ((c = getopt_long(argc, argv, "d:n:f:s:o:hw:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_path = optarg;
            break;
        case 'n':
            nnames = strtoul(optarg, NULL, 10);
            break;
        case 'f':
            nfuzzy = strtoul(optarg, NULL, 10);
            break;
        case 's':
            g_rng ^= strtoull(optarg, NULL, 10) * 0x9E3779B97F4A7C15ull;
            break;
        case 'o':
            qout = optarg;
            break;
        case 'w':
            slowest = atoi(optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!db_path) {
        usage(stderr);
        return 2;
    }
    char err[1024];
    xap_err xe = {0};
    xap_db *db = xap_db_open_read(db_path, &xe);
    if (!db) {
        fprintf(stderr, "mdx-ac-bench: %s: %s\n", db_path, xe.msg);
        return 1;
    }
    an_analyzer *an = an_new(err, sizeof err);
    if (!an) {
        fprintf(stderr, "mdx-ac-bench: analyzer: %s\n", err);
        return 1;
    }
    uint32_t docs = 0;
    xap_db_doccount(db, &docs, &xe);
    long rss0 = peak_rss_kb();
    double t0 = now_us(), c0 = cpu_ms();
    vocab *v = vocab_build_from_db(db, err, sizeof err);
    double t1 = now_us(), c1 = cpu_ms();
    if (!v) {
        fprintf(stderr, "mdx-ac-bench: %s\n", err);
        return 1;
    }
    long rss1 = peak_rss_kb();
    names *nm = names_build(db, an, err, sizeof err);
    double t2 = now_us(), c2 = cpu_ms();
    if (!nm) {
        fprintf(stderr, "mdx-ac-bench: %s\n", err);
        return 1;
    }
    long rss2 = peak_rss_kb();
    printf("index                              %u documents\n", docs);
    printf("vocab build                        %.0f ms (%.0f ms CPU), %zu words, %.1f MB "
           "(peak RSS +%.0f MB)\n",
           (t1 - t0) / 1e3, c1 - c0, vocab_size(v), (double)vocab_memory(v) / 1048576.0,
           (double)(rss1 - rss0) / 1024.0);
    printf("autocomplete build                 %.0f ms (%.0f ms CPU), %zu suggestions, %zu name "
           "words, %.1f MB (peak RSS +%.0f MB)\n",
           (t2 - t1) / 1e3, c2 - c1, names_count(nm), vocab_size(names_words(nm)),
           (double)names_memory(nm) / 1048576.0, (double)(rss2 - rss1) / 1024.0);

    /* Fuzzy lookups of 5-15 letter words with one random edit. */
    size_t nv = vocab_size(v);
    double *lat = malloc((nfuzzy > 0 ? nfuzzy : 1) * sizeof *lat);
    double *cpu = malloc((nfuzzy > 0 ? nfuzzy : 1) * sizeof *cpu);
    char (*words)[72] = malloc((nfuzzy > 0 ? nfuzzy : 1) * sizeof *words);
    if (!lat || !cpu || !words) {
        fprintf(stderr, "mdx-ac-bench: out of memory\n");
        return 1;
    }
    size_t nw = 0;
    for (size_t tries = 0; nw < nfuzzy && nv > 0 && tries < nfuzzy * 1000; tries++) {
        vocab_cand w;
        vocab_get(v, (uint32_t)(rnd() % nv), &w);
        if (w.len < 5 || w.len > 15 || !ascii_word(w.word, w.len))
            continue;
        typo_of(w.word, words[nw++]);
    }
    vocab_cand cands[VOCAB_MAX_EXPANSIONS * 2 + 1];
    for (unsigned k = 1; k <= 2; k++) {
        vocab_fuzzy_opts o = {k, 0};
        size_t found = 0;
        for (size_t i = 0; i < nw; i++) {
            double a = now_us(), ac = tcpu_us();
            int n = vocab_fuzzy(v, words[i], strlen(words[i]), &o, cands, 20);
            cpu[i] = tcpu_us() - ac;
            lat[i] = now_us() - a;
            found += n > 0;
        }
        char what[64];
        snprintf(what, sizeof what, "vocab_fuzzy k=%u (5-15 letters)", k);
        report(what, lat, cpu, nw);
        printf("%-34s %zu of %zu typos had candidates\n", "", found, nw);
    }
    vocab_opts vo;
    vocab_opts_defaults(&vo);
    for (size_t i = 0; i < nw; i++) {
        double a = now_us(), ac = tcpu_us();
        vocab_expand(v, words[i], strlen(words[i]), 1, &vo, cands, sizeof cands / sizeof cands[0]);
        cpu[i] = tcpu_us() - ac;
        lat[i] = now_us() - a;
    }
    report("vocab_expand (last word, defaults)", lat, cpu, nw);
    for (size_t i = 0; i < nw; i++) {
        size_t plen = 1 + rnd() % 4;
        if (plen > strlen(words[i]))
            plen = strlen(words[i]);
        double a = now_us(), ac = tcpu_us();
        vocab_prefix(v, words[i], plen, cands, 30);
        cpu[i] = tcpu_us() - ac;
        lat[i] = now_us() - a;
    }
    report("vocab_prefix (1-4 letters, top 30)", lat, cpu, nw);
    free(words);

    /* Autocomplete over the typing mix. */
    mix m = {0};
    make_mix(nm, an, nnames, &m);
    if (qout) {
        FILE *f = fopen(qout, "w");
        if (!f) {
            fprintf(stderr, "mdx-ac-bench: %s: cannot write\n", qout);
            return 1;
        }
        for (size_t i = 0; i < m.n; i++)
            fprintf(f, "%s\n", m.q[i]);
        if (fclose(f) != 0) {
            fprintf(stderr, "mdx-ac-bench: %s: write failed\n", qout);
            return 1;
        }
    }
    double *alat = malloc((m.n ? m.n : 1) * sizeof *alat);
    double *acpu = malloc((m.n ? m.n : 1) * sizeof *acpu);
    if (!alat || !acpu) {
        fprintf(stderr, "mdx-ac-bench: out of memory\n");
        return 1;
    }
    an_terms scratch;
    an_terms_init(&scratch);
    static names_result res;
    size_t empty = 0;
    uint64_t examined = 0, examined_max = 0;
    for (size_t i = 0; i < m.n; i++) {
        double a = now_us(), ac = tcpu_us();
        names_status st = names_search(nm, an, &scratch, m.q[i], strlen(m.q[i]), NULL, 8, &res,
                                       err, sizeof err);
        for (size_t h = 0; st == NAMES_OK && h < res.n; h++)
            free(names_highlight(nm, &res, h, an, &scratch));
        acpu[i] = tcpu_us() - ac;
        alat[i] = now_us() - a;
        if (st != NAMES_OK) {
            fprintf(stderr, "mdx-ac-bench: '%s': %s\n", m.q[i], err);
            return 1;
        }
        empty += res.n == 0;
        examined += res.examined;
        if (res.examined > examined_max)
            examined_max = res.examined;
    }
    /* The slowest queries by CPU time (before report() sorts the figures). */
    for (int k = 0; k < slowest && m.n > 0; k++) {
        size_t w = 0;
        for (size_t i = 1; i < m.n; i++)
            if (acpu[i] > acpu[w])
                w = i;
        if (acpu[w] < 0)
            break;
        printf("  slow: %8.1f us CPU  '%s'\n", acpu[w], m.q[w]);
        acpu[w] = -acpu[w];
    }
    for (size_t i = 0; i < m.n; i++)
        if (acpu[i] < 0)
            acpu[i] = -acpu[i];
    report("autocomplete (limit 8, highlight)", alat, acpu, m.n);
    printf("%-34s %zu queries from %zu names, %zu with no suggestion; candidates looked at: "
           "mean %.1f, max %llu\n",
           "", m.n, nnames, empty, m.n ? (double)examined / (double)m.n : 0.0,
           (unsigned long long)examined_max);
    printf("peak RSS                           %.0f MB\n", (double)peak_rss_kb() / 1024.0);
    an_terms_free(&scratch);
    free(alat);
    free(acpu);
    free(lat);
    free(cpu);
    free(m.q);
    names_free(nm);
    vocab_free(v);
    an_free(an);
    xap_db_close(db);
    return 0;
}
