/* test_vocab.c — the in-memory vocabulary (searchd/vocab.h): built from a
 * real Xapian index, fuzzy lookup (1 and 2 edits, transpositions as one,
 * never 3), caps and frequency order, prefix expansion (narrow and wide
 * prefixes), "did you mean", the planner's expansion, and a brute-force
 * cross-check of the trie walk against a naive scan of the whole vocabulary. */
#include "searchd/vocab.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/fields.h"

/* ---- helpers ---------------------------------------------------------------- */

static char tmpdir[256];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_vocab.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A vocab of "word:freq" entries (freq 1 when absent), all in field F_NAME. */
static vocab *make_vocab(const char *const *words, size_t n)
{
    vocab_builder *b = vocab_builder_new();
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < n; i++) {
        const char *colon = strrchr(words[i], ':');
        size_t len = colon ? (size_t)(colon - words[i]) : strlen(words[i]);
        uint32_t freq = colon ? (uint32_t)atoi(colon + 1) : 1;
        ck_assert_int_eq(vocab_builder_add(b, words[i], len, freq, 1u << F_NAME), 0);
    }
    char err[256] = "";
    vocab *v = vocab_builder_finish(b, err, sizeof err);
    ck_assert_msg(v != NULL, "vocab_builder_finish: %s", err);
    return v;
}

/* Index of `word` in the candidates, or -1. */
static int cand_index(const vocab_cand *c, int n, const char *word)
{
    for (int i = 0; i < n; i++)
        if (c[i].len == strlen(word) && memcmp(c[i].word, word, c[i].len) == 0)
            return i;
    return -1;
}

static int fuzzy(const vocab *v, const char *w, unsigned k, vocab_cand *out, size_t cap)
{
    vocab_fuzzy_opts o = {k, 0};
    int n = vocab_fuzzy(v, w, strlen(w), &o, out, cap);
    ck_assert_int_ge(n, 0);
    return n;
}

/* Code points of a UTF-8 string (the test's own decoder: valid UTF-8 only). */
static size_t cps_of(const char *s, uint32_t *out)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c = *p;
        int more = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
        if (more)
            c &= 0x3F >> more;
        p++;
        while (more-- > 0)
            c = (c << 6) | (*p++ & 0x3F);
        out[n++] = c;
    }
    return n;
}

/* Optimal string alignment distance over code points, computed naively. */
static unsigned osa(const char *a, const char *b)
{
    uint32_t x[128], y[128];
    size_t m = cps_of(a, x), n = cps_of(b, y);
    static unsigned d[130][130];
    for (size_t i = 0; i <= m; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= n; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= m; i++)
        for (size_t j = 1; j <= n; j++) {
            unsigned c = d[i - 1][j - 1] + (x[i - 1] != y[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] &&
                d[i - 2][j - 2] + 1 < c)
                c = d[i - 2][j - 2] + 1;
            d[i][j] = c;
        }
    return d[m][n];
}

/* First code point of a UTF-8 string. */
static uint32_t first_cp(const char *s)
{
    uint32_t c[128];
    return cps_of(s, c) ? c[0] : 0;
}

/* ---- building from an index ---------------------------------------------------- */

static void add_doc(xap_db *db, const char *id, const char *const *terms)
{
    xap_err e = {0};
    xap_doc *d = xap_doc_new();
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; terms[i]; i++)
        ck_assert_int_eq(xap_doc_add_term(d, terms[i], strlen(terms[i]), 1, &e), 0);
    char q[64];
    snprintf(q, sizeof q, "Q%s", id);
    ck_assert_int_eq(xap_doc_add_boolean_term(d, q, strlen(q), &e), 0);
    xap_docid did;
    ck_assert_int_eq(xap_db_replace_by_term(db, q, strlen(q), d, &did, &e), 0);
    xap_doc_free(d);
}

START_TEST(test_build_from_db)
{
    char path[400];
    snprintf(path, sizeof path, "%s/db", tmpdir);
    xap_err e = {0};
    xap_db *w = xap_db_open_write(path, &e);
    ck_assert_msg(w != NULL, "%s", e.msg);
    /* Name, columns and description terms, a stem, filter and exact terms. */
    add_doc(w, "a", (const char *const[]){"Ncustomer", "Norders", "Ccustomer", "Dorders",
                                          "DZorder", "XT:urn:li:tag:pii", "XN:customer orders",
                                          NULL});
    add_doc(w, "b", (const char *const[]){"Ncustomer", "Cemail", "DZemail", NULL});
    add_doc(w, "c", (const char *const[]){"Tpii", "Ocustomer", NULL});
    ck_assert_int_eq(xap_db_commit(w, &e), 0);
    xap_db_close(w);

    xap_db *r = xap_db_open_read(path, &e);
    ck_assert_msg(r != NULL, "%s", e.msg);
    char err[256] = "";
    vocab *v = vocab_build_from_db(r, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    xap_db_close(r);

    /* customer, orders, email, pii: stems, filter and exact terms left out. */
    ck_assert_uint_eq(vocab_size(v), 4);
    vocab_cand c;
    ck_assert_int_eq(vocab_find(v, "customer", 8, &c), 1);
    ck_assert_uint_eq(c.freq, 2 + 1 + 1); /* N in a and b, C in a, O in c */
    ck_assert_uint_eq(c.fields, (1u << F_NAME) | (1u << F_FIELDS) | (1u << F_OWNERS));
    ck_assert_int_eq(vocab_find(v, "orders", 6, &c), 1);
    ck_assert_uint_eq(c.freq, 2);
    ck_assert_uint_eq(c.fields, (1u << F_NAME) | (1u << F_DESCRIPTION));
    ck_assert_int_eq(vocab_find(v, "pii", 3, &c), 1);
    ck_assert_uint_eq(c.fields, 1u << F_TAGS);
    ck_assert_int_eq(vocab_find(v, "order", 5, NULL), 0);
    ck_assert_int_eq(vocab_find(v, "Zorder", 6, NULL), 0);
    ck_assert_int_eq(vocab_find(v, "custom", 6, NULL), 0); /* a prefix is not a word */
    ck_assert_uint_gt(vocab_memory(v), 0);
    vocab_free(v);
}
END_TEST

START_TEST(test_empty_vocab)
{
    vocab_builder *b = vocab_builder_new();
    char err[256];
    vocab *v = vocab_builder_finish(b, err, sizeof err);
    ck_assert_ptr_nonnull(v);
    vocab_cand c[4];
    ck_assert_int_eq(fuzzy(v, "orders", 2, c, 4), 0);
    ck_assert_int_eq(vocab_prefix(v, "or", 2, c, 4), 0);
    ck_assert_int_eq(vocab_did_you_mean(v, "orders", 6, c), 0);
    vocab_free(v);
}
END_TEST

/* ---- fuzzy ------------------------------------------------------------------------ */

static const char *const WORDS[] = {
    "customer:50", "customers:80", "costumer:3", "custom:20", "orders:90", "order:40",
    "border:5",    "recorder:2",   "café:7",    "cafe:9",   "straße:4",  "日本語:6",
    "customerid:12", "accounts:30", "account:25", "amount:60",
};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

START_TEST(test_fuzzy_edits)
{
    vocab *v = make_vocab(WORDS, NWORDS);
    vocab_cand c[VOCAB_MAX_EXPANSIONS];
    /* One deletion, one insertion, one substitution, one transposition. */
    int n = fuzzy(v, "custmer", 1, c, 20);
    int i = cand_index(c, n, "customer");
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(c[i].edits, 1);
    ck_assert_uint_eq(c[i].kind, VOCAB_TYPO);
    n = fuzzy(v, "custoomer", 1, c, 20);
    ck_assert_int_ge(cand_index(c, n, "customer"), 0);
    n = fuzzy(v, "custimer", 1, c, 20);
    ck_assert_int_ge(cand_index(c, n, "customer"), 0);
    n = fuzzy(v, "cusotmer", 1, c, 20);
    i = cand_index(c, n, "customer");
    ck_assert_msg(i >= 0, "a transposition is one edit");
    ck_assert_uint_eq(c[i].edits, 1);
    /* Two edits: found with k=2, not with k=1. */
    n = fuzzy(v, "csutomr", 1, c, 20);
    ck_assert_int_lt(cand_index(c, n, "customer"), 0);
    n = fuzzy(v, "csutomr", 2, c, 20);
    i = cand_index(c, n, "customer");
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(c[i].edits, 2);
    /* Three edits: never. */
    n = fuzzy(v, "xcstomr", 2, c, 20);
    ck_assert_int_lt(cand_index(c, n, "customer"), 0);
    ck_assert_uint_eq(osa("xcstomr", "customer"), 3);
    /* The word itself is an exact candidate with 0 edits, listed first. */
    n = fuzzy(v, "customer", 1, c, 20);
    ck_assert_int_ge(n, 2);
    ck_assert_str_eq(c[0].word, "customer");
    ck_assert_uint_eq(c[0].kind, VOCAB_EXACT);
    ck_assert_uint_eq(c[0].edits, 0);
    ck_assert_int_ge(cand_index(c, n, "customers"), 0);
    ck_assert_int_lt(cand_index(c, n, "costumer"), 0); /* u...o swapped at a distance: 2 */
    /* Edits count code points: é and ß are one letter each. */
    n = fuzzy(v, "cafe", 1, c, 20);
    i = cand_index(c, n, "café");
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(c[i].edits, 1);
    n = fuzzy(v, "strase", 1, c, 20);
    ck_assert_int_ge(cand_index(c, n, "straße"), 0);
    n = fuzzy(v, "日本人", 1, c, 20);
    ck_assert_int_ge(cand_index(c, n, "日本語"), 0);
    vocab_free(v);
}
END_TEST

START_TEST(test_fuzzy_first_letter)
{
    vocab *v = make_vocab(WORDS, NWORDS);
    vocab_cand c[20];
    vocab_fuzzy_opts o = {1, 1};
    /* "order" is one edit from "border", but its first letter differs. */
    int n = vocab_fuzzy(v, "border", 6, &o, c, 20);
    ck_assert_int_lt(cand_index(c, n, "order"), 0);
    n = vocab_fuzzy(v, "borders", 7, &o, c, 20);
    ck_assert_int_ge(cand_index(c, n, "border"), 0);
    o.first_letter_exempt = 0;
    n = vocab_fuzzy(v, "border", 6, &o, c, 20);
    ck_assert_int_ge(cand_index(c, n, "order"), 0);
    vocab_free(v);
}
END_TEST

START_TEST(test_fuzzy_cap_and_order)
{
    vocab *v = make_vocab(WORDS, NWORDS);
    vocab_cand c[VOCAB_MAX_EXPANSIONS];
    /* Within 2 of "customes": customers (1, freq 80), customer (1, freq 50),
     * custom (2, freq 20); costumer and customerid are 3 away. */
    int n = fuzzy(v, "customes", 2, c, 20);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(c[0].word, "customers");
    ck_assert_str_eq(c[1].word, "customer");
    ck_assert_str_eq(c[2].word, "custom");
    ck_assert_uint_eq(c[2].edits, 2);
    /* The cap keeps the best. */
    n = fuzzy(v, "customes", 2, c, 2);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(c[0].word, "customers");
    ck_assert_str_eq(c[1].word, "customer");
    ck_assert_int_eq(fuzzy(v, "customes", 2, c, 0), 0);
    vocab_fuzzy_opts bad = {3, 0};
    ck_assert_int_eq(vocab_fuzzy(v, "customes", 8, &bad, c, 4), -1);
    vocab_fuzzy_opts ok = {1, 0};
    ck_assert_int_eq(vocab_fuzzy(v, "customes", 8, &ok, c, VOCAB_MAX_EXPANSIONS + 1), -1);
    vocab_free(v);
}
END_TEST

/* ---- prefix -------------------------------------------------------------------------- */

START_TEST(test_prefix_order)
{
    vocab *v = make_vocab(WORDS, NWORDS);
    vocab_cand c[VOCAB_MAX_EXPANSIONS];
    int n = vocab_prefix(v, "cust", 4, c, 10);
    ck_assert_int_eq(n, 4);
    ck_assert_str_eq(c[0].word, "customers");
    ck_assert_str_eq(c[1].word, "customer");
    ck_assert_str_eq(c[2].word, "custom");
    ck_assert_str_eq(c[3].word, "customerid");
    ck_assert_uint_eq(c[0].kind, VOCAB_PREFIX);
    n = vocab_prefix(v, "cust", 4, c, 2);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(c[1].word, "customer");
    ck_assert_int_eq(vocab_prefix(v, "custx", 5, c, 10), 0);
    ck_assert_int_eq(vocab_prefix(v, "order", 5, c, 10), 2); /* order, orders */
    uint32_t lo, hi;
    ck_assert_int_eq(vocab_prefix_range(v, "cust", 4, &lo, &hi), 1);
    ck_assert_uint_eq(hi - lo, 4);
    for (uint32_t id = lo; id < hi; id++) {
        vocab_cand w;
        vocab_get(v, id, &w);
        ck_assert_int_eq(strncmp(w.word, "cust", 4), 0);
    }
    ck_assert_int_eq(vocab_prefix_range(v, "", 0, &lo, &hi), 1);
    ck_assert_uint_eq(hi - lo, NWORDS);
    ck_assert_int_eq(vocab_prefix(v, "cust", 4, c, VOCAB_MAX_EXPANSIONS + 1), -1);
    vocab_free(v);
}
END_TEST

/* Prefixes over thousands of words use precomputed lists: same answer as a scan. */
START_TEST(test_prefix_wide)
{
    enum { N = 20000 };
    char (*words)[16] = malloc(N * sizeof *words);
    uint32_t *freq = malloc(N * sizeof *freq);
    ck_assert_ptr_nonnull(words);
    ck_assert_ptr_nonnull(freq);
    vocab_builder *b = vocab_builder_new();
    srand(7);
    for (int i = 0; i < N; i++) {
        /* p + 4 random letters from a small alphabet: wide shared prefixes. */
        snprintf(words[i], sizeof words[i], "p%c%c%c%c%d", 'a' + rand() % 3, 'a' + rand() % 4,
                 'a' + rand() % 5, 'a' + rand() % 26, i);
        freq[i] = (uint32_t)(rand() % 1000);
        ck_assert_int_eq(vocab_builder_add(b, words[i], strlen(words[i]), freq[i], 1), 0);
    }
    char err[256];
    vocab *v = vocab_builder_finish(b, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    const char *prefixes[] = {"p", "pa", "pb", "pab", "pabc", "pcd", "pzz"};
    for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
        const char *pre = prefixes[p];
        vocab_cand c[VOCAB_MAX_EXPANSIONS];
        int n = vocab_prefix(v, pre, strlen(pre), c, 30);
        /* Expected: the 30 best by (freq desc, bytes asc) among words with the prefix. */
        int expect = 0;
        for (int i = 0; i < N; i++)
            expect += strncmp(words[i], pre, strlen(pre)) == 0;
        ck_assert_int_eq(n, expect < 30 ? expect : 30);
        for (int k = 0; k < n; k++) {
            ck_assert_int_eq(strncmp(c[k].word, pre, strlen(pre)), 0);
            if (k > 0)
                ck_assert(c[k - 1].freq > c[k].freq ||
                          (c[k - 1].freq == c[k].freq && strcmp(c[k - 1].word, c[k].word) < 0));
        }
        /* Nothing better was left out. */
        if (n > 0) {
            const vocab_cand *last = &c[n - 1];
            for (int i = 0; i < N; i++) {
                if (strncmp(words[i], pre, strlen(pre)) != 0 || cand_index(c, n, words[i]) >= 0)
                    continue;
                ck_assert(freq[i] < last->freq ||
                          (freq[i] == last->freq && strcmp(words[i], last->word) > 0));
            }
        }
    }
    vocab_free(v);
    free(words);
    free(freq);
}
END_TEST

/* ---- did you mean, expansion ------------------------------------------------------------ */

START_TEST(test_did_you_mean)
{
    vocab *v = make_vocab(WORDS, NWORDS);
    vocab_cand c;
    ck_assert_int_eq(vocab_did_you_mean(v, "custmers", 8, &c), 1);
    ck_assert_str_eq(c.word, "customers");
    ck_assert_uint_eq(c.edits, 1);
    /* Distance first: "acounts" is 1 from accounts (30), 2 from amount (60). */
    ck_assert_int_eq(vocab_did_you_mean(v, "acounts", 7, &c), 1);
    ck_assert_str_eq(c.word, "accounts");
    /* Frequency breaks ties: "ordes" is 1 from orders (90) and order (40). */
    ck_assert_int_eq(vocab_did_you_mean(v, "ordes", 5, &c), 1);
    ck_assert_str_eq(c.word, "orders");
    /* Never the word itself; nothing for short or far words. */
    ck_assert_int_eq(vocab_did_you_mean(v, "orders", 6, &c), 1);
    ck_assert_str_eq(c.word, "order");
    ck_assert_int_eq(vocab_did_you_mean(v, "xy", 2, &c), 0);
    ck_assert_int_eq(vocab_did_you_mean(v, "zzzzzzzz", 8, &c), 0);
    vocab_free(v);
}
END_TEST

START_TEST(test_expand)
{
    vocab *v = make_vocab(WORDS, NWORDS);
    vocab_opts o;
    vocab_opts_defaults(&o);
    ck_assert_uint_eq(o.one_edit_min_len, 5);
    ck_assert_uint_eq(o.two_edits_min_len, 9);
    ck_assert_uint_eq(o.prefix_min_len, 2);
    ck_assert_uint_eq(o.prefix_max, 30);
    vocab_cand c[VOCAB_MAX_EXPANSIONS * 2 + 1];
    size_t cap = vocab_expand_max(&o);
    /* "order", not last: exact + typos (5 letters: 1 edit). */
    int n = vocab_expand(v, "order", 5, 0, &o, c, cap);
    ck_assert_int_ge(n, 3);
    ck_assert_str_eq(c[0].word, "order");
    ck_assert_uint_eq(c[0].kind, VOCAB_EXACT);
    int i = cand_index(c, n, "orders");
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(c[i].kind, VOCAB_TYPO);
    ck_assert_uint_eq(c[i].edits, 1);
    ck_assert_int_ge(cand_index(c, n, "border"), 0);
    /* As the last word, "orders" is a prefix completion instead, listed once. */
    n = vocab_expand(v, "order", 5, 1, &o, c, cap);
    i = cand_index(c, n, "orders");
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(c[i].kind, VOCAB_PREFIX);
    int count = 0;
    for (int k = 0; k < n; k++)
        count += strcmp(c[k].word, "orders") == 0;
    ck_assert_int_eq(count, 1);
    /* 4 letters: no typo; prefix only as the last word. */
    n = vocab_expand(v, "cafx", 4, 0, &o, c, cap);
    ck_assert_int_eq(n, 0);
    n = vocab_expand(v, "cust", 4, 1, &o, c, cap);
    ck_assert_int_eq(n, 4);
    for (int k = 0; k < n; k++)
        ck_assert_uint_eq(c[k].kind, VOCAB_PREFIX);
    /* 9 letters: 2 edits; "custmerz" (8 letters, 2 from customers): only 1. */
    n = vocab_expand(v, "cusstomrs", 9, 0, &o, c, cap);
    i = cand_index(c, n, "customers");
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(c[i].edits, 2);
    ck_assert_uint_eq(osa("custmerz", "customers"), 2);
    n = vocab_expand(v, "custmerz", 8, 0, &o, c, cap);
    ck_assert_int_lt(cand_index(c, n, "customers"), 0);
    /* Typos off; a prefix length minimum. */
    o.typo_enabled = 0;
    n = vocab_expand(v, "custmer", 7, 0, &o, c, cap);
    ck_assert_int_eq(n, 0);
    o.prefix_min_len = 5;
    n = vocab_expand(v, "cust", 4, 1, &o, c, cap);
    ck_assert_int_eq(n, 0);
    /* A capacity below the maximum is refused, not truncated. */
    ck_assert_int_eq(vocab_expand(v, "cust", 4, 1, &o, c, vocab_expand_max(&o) - 1), -1);
    vocab_free(v);
}
END_TEST

/* ---- brute force ------------------------------------------------------------------------ */

static const char *const ALPHABET[] = {"a", "b", "c", "d", "e", "é", "ß", "日"};
#define NALPHA (sizeof ALPHABET / sizeof ALPHABET[0])

static void random_word(char *out, size_t cap, int minlen, int maxlen)
{
    int len = minlen + rand() % (maxlen - minlen + 1);
    out[0] = '\0';
    for (int i = 0; i < len; i++)
        strncat(out, ALPHABET[rand() % NALPHA], cap - strlen(out) - 1);
}

/* A variant of `w` with 0..3 random edits. */
static void mutate(const char *w, char *out, size_t cap)
{
    uint32_t c[64];
    size_t n = cps_of(w, c);
    int edits = rand() % 4;
    for (int e = 0; e < edits; e++) {
        int op = rand() % 4;
        size_t at = n ? (size_t)rand() % n : 0;
        uint32_t letter = first_cp(ALPHABET[rand() % NALPHA]);
        if (op == 0 && n < 60) {
            memmove(c + at + 1, c + at, (n - at) * sizeof *c);
            c[at] = letter;
            n++;
        } else if (op == 1 && n > 1) {
            memmove(c + at, c + at + 1, (n - at - 1) * sizeof *c);
            n--;
        } else if (op == 2 && n > 0) {
            c[at] = letter;
        } else if (n > 1 && at + 1 < n) {
            uint32_t t = c[at];
            c[at] = c[at + 1];
            c[at + 1] = t;
        }
    }
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        uint32_t cp = c[i];
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else if (cp < 0x800) {
            out[o++] = (char)(0xC0 | (cp >> 6));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xE0 | (cp >> 12));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    out[o] = '\0';
}

typedef struct bf_hit {
    int idx;
    unsigned d;
} bf_hit;

static const char (*bf_words)[48];
static const uint32_t *bf_freq;

static int bf_cmp(const void *a, const void *b)
{
    const bf_hit *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    if (bf_freq[x->idx] != bf_freq[y->idx])
        return bf_freq[x->idx] > bf_freq[y->idx] ? -1 : 1;
    return strcmp(bf_words[x->idx], bf_words[y->idx]);
}

START_TEST(test_bruteforce_fuzzy)
{
    enum { N = 3000, Q = 400 };
    static char words[N][48];
    static uint32_t freq[N];
    static bf_hit hits[N];
    srand(12345);
    vocab_builder *b = vocab_builder_new();
    int n = 0;
    while (n < N) {
        random_word(words[n], sizeof words[n], 1, 9);
        int dup = 0;
        for (int i = 0; i < n && !dup; i++)
            dup = strcmp(words[i], words[n]) == 0;
        if (dup)
            continue;
        freq[n] = (uint32_t)(rand() % 50);
        ck_assert_int_eq(vocab_builder_add(b, words[n], strlen(words[n]), freq[n], 1), 0);
        n++;
    }
    char err[256];
    vocab *v = vocab_builder_finish(b, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    ck_assert_uint_eq(vocab_size(v), N);
    bf_words = (const char (*)[48])words;
    bf_freq = freq;
    for (int q = 0; q < Q; q++) {
        char query[256];
        if (q % 3 == 0)
            random_word(query, sizeof query, 1, 10);
        else
            mutate(words[rand() % N], query, sizeof query);
        if (!*query)
            continue;
        for (unsigned k = 1; k <= 2; k++) {
            for (int exempt = 0; exempt <= 1; exempt++) {
                int nh = 0;
                uint32_t qf = first_cp(query);
                for (int i = 0; i < N; i++) {
                    if (exempt && first_cp(words[i]) != qf)
                        continue;
                    unsigned d = osa(words[i], query);
                    if (d <= k)
                        hits[nh++] = (bf_hit){i, d};
                }
                qsort(hits, (size_t)nh, sizeof *hits, bf_cmp);
                vocab_cand c[VOCAB_MAX_EXPANSIONS];
                vocab_fuzzy_opts o = {k, exempt};
                int got = vocab_fuzzy(v, query, strlen(query), &o, c, VOCAB_MAX_EXPANSIONS);
                int want = nh < VOCAB_MAX_EXPANSIONS ? nh : VOCAB_MAX_EXPANSIONS;
                ck_assert_msg(got == want, "'%s' k=%u exempt=%d: %d results, expected %d", query,
                              k, exempt, got, want);
                for (int i = 0; i < got; i++) {
                    ck_assert_msg(strcmp(c[i].word, words[hits[i].idx]) == 0 &&
                                      c[i].edits == hits[i].d,
                                  "'%s' k=%u #%d: got %s (%u), expected %s (%u)", query, k, i,
                                  c[i].word, c[i].edits, words[hits[i].idx], hits[i].d);
                }
            }
        }
    }
    vocab_free(v);
}
END_TEST

/* Least distance between `q` and any prefix of `w` (empty prefix included). */
static unsigned prefix_dist(const char *w, const char *q)
{
    uint32_t c[64];
    size_t n = cps_of(w, c);
    unsigned best = osa("", q);
    char buf[256];
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)w;
    for (size_t i = 0; i < n; i++) {
        int len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        memcpy(buf + o, p, (size_t)len);
        o += (size_t)len;
        p += len;
        buf[o] = '\0';
        unsigned d = osa(buf, q);
        if (d < best)
            best = d;
    }
    return best;
}

START_TEST(test_bruteforce_fuzzy_prefix)
{
    enum { N = 1500, Q = 150 };
    static char words[N][48];
    srand(777);
    vocab_builder *b = vocab_builder_new();
    int n = 0;
    while (n < N) {
        random_word(words[n], sizeof words[n], 2, 9);
        int dup = 0;
        for (int i = 0; i < n && !dup; i++)
            dup = strcmp(words[i], words[n]) == 0;
        if (dup)
            continue;
        ck_assert_int_eq(vocab_builder_add(b, words[n], strlen(words[n]), 1, 1), 0);
        n++;
    }
    char err[256];
    vocab *v = vocab_builder_finish(b, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    static vocab_range r[4096];
    for (int q = 0; q < Q; q++) {
        char query[256];
        mutate(words[rand() % N], query, sizeof query);
        if (!*query)
            continue;
        vocab_fuzzy_opts o = {1, 0};
        int got = vocab_fuzzy_prefix(v, query, strlen(query), &o, r, 4096);
        ck_assert_int_ge(got, 0);
        ck_assert_int_le(got, 4096);
        for (int i = 1; i < got; i++)
            ck_assert_uint_le(r[i - 1].edits, r[i].edits);
        for (uint32_t id = 0; id < vocab_size(v); id++) {
            vocab_cand w;
            vocab_get(v, id, &w);
            unsigned best = 255;
            for (int i = 0; i < got; i++)
                if (id >= r[i].lo && id < r[i].hi && r[i].edits < best)
                    best = r[i].edits;
            unsigned want = prefix_dist(w.word, query);
            if (want > 1)
                want = 255;
            ck_assert_msg(best == want, "'%s' vs '%s': ranges say %u, expected %u", query,
                          w.word, best, want);
        }
    }
    vocab_free(v);
}
END_TEST

static Suite *vocab_suite(void)
{
    Suite *s = suite_create("vocab");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_build_from_db);
    tcase_add_test(tc, test_empty_vocab);
    tcase_add_test(tc, test_fuzzy_edits);
    tcase_add_test(tc, test_fuzzy_first_letter);
    tcase_add_test(tc, test_fuzzy_cap_and_order);
    tcase_add_test(tc, test_prefix_order);
    tcase_add_test(tc, test_prefix_wide);
    tcase_add_test(tc, test_did_you_mean);
    tcase_add_test(tc, test_expand);
    tcase_add_test(tc, test_bruteforce_fuzzy);
    tcase_add_test(tc, test_bruteforce_fuzzy_prefix);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(vocab_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
