/* test_analyzer.c — the text analyzer: normalisation, segmentation,
 * identifier splitting with joined forms, spans, limits, an_normalize,
 * an_stem, and the ASCII fast path agreeing with the ICU path. */
#include "analyzers/analyzer_impl.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static an_analyzer *an;
static an_terms terms;

static void setup(void)
{
    char err[256];
    an = an_new(err, sizeof err);
    ck_assert_msg(an != NULL, "an_new: %s", err);
    an_terms_init(&terms);
}

static void teardown(void)
{
    an_terms_free(&terms);
    an_free(an);
}

static int64_t analyze(const char *s)
{
    an_terms_clear(&terms);
    int64_t r = an_analyze(an, s, strlen(s), 0, &terms);
    ck_assert_msg(r >= 0, "an_analyze(%s) failed", s);
    return r;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* "text@pos" for a part, "text@pos*" for a joined form, sorted, one space
 * between: the expected strings below use the same form (any order). */
static char *render(const an_terms *t)
{
    char **v = calloc(t->n + 1, sizeof *v);
    ck_assert_ptr_nonnull(v);
    size_t total = 1;
    for (size_t i = 0; i < t->n; i++) {
        const an_term *x = &t->v[i];
        ck_assert_int_eq(strlen(x->text), x->len);
        ck_assert(asprintf(&v[i], "%s@%u%s", x->text, x->pos, x->kind == AN_JOINED ? "*" : "") > 0);
        total += strlen(v[i]) + 1;
    }
    qsort(v, t->n, sizeof *v, cmp_str);
    char *s = calloc(total, 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < t->n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, v[i]);
        free(v[i]);
    }
    free(v);
    return s;
}

static char *sorted_words(const char *expected)
{
    char *copy = strdup(expected), *save = NULL;
    ck_assert_ptr_nonnull(copy);
    char *v[256];
    size_t n = 0, total = 1;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        ck_assert(n < 256);
        v[n++] = w;
        total += strlen(w) + 1;
    }
    qsort(v, n, sizeof *v, cmp_str);
    char *s = calloc(total, 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, v[i]);
    }
    free(copy);
    return s;
}

static const struct {
    const char *in, *want;
} cases[] = {
    /* accent folding and case folding */
    {"Café", "cafe@0"},
    {"Ångström naïve", "angstrom@0 naive@1"},
    {"Straße", "strasse@0"},
    {"Cafe\xcc\x81", "cafe@0"}, /* decomposed input: e + combining acute */
    {"İstanbul ǅemal", "istanbul@0 dzemal@1"},
    {"ÉCOLE Ørsted Łódź", "ecole@0 orsted@1 lodz@2"},
    /* the same identifier written four ways meets on "customerid" */
    {"CustomerID", "customer@0 id@1 customerid@0*"},
    {"customer_id", "customer@0 id@1 customerid@0*"},
    {"customer-id", "customer@0 id@1 customerid@0*"},
    {"customerid", "customerid@0"},
    {"fact_orders_v2", "fact@0 orders@1 v2@2 factordersv2@0*"},
    {"db.schema.table", "db@0 schema@1 table@2 dbschematable@0*"},
    {"sales.fact_orders_v2",
     "sales@0 fact@1 orders@2 v2@3 factordersv2@1* salesfactordersv2@0*"},
    {"HTTPServer", "http@0 server@1 httpserver@0*"},
    {"getHTTPResponse", "get@0 http@1 response@2 gethttpresponse@0*"},
    {"orders2023", "orders@0 2023@1 orders2023@0*"},
    {"v2 s3", "v2@0 s3@1"},
    {"s3Bucket", "s3@0 bucket@1 s3bucket@0*"},
    {"URLs", "urls@0"},
    {"x86_64", "x86@0 64@1 x8664@0*"},
    {"s3://bucket/raw/events", "s3@0 bucket@1 raw@2 events@3 s3bucketrawevents@0*"},
    /* separators at the ends and doubled are ignored */
    {"__init__ --x-- a..b", "init@0 x@1 a@2 b@3 ab@2*"},
    /* prose: punctuation and spaces end words */
    {"Hello, world! (Orders)", "hello@0 world@1 orders@2"},
    /* NFKC: fullwidth letters and separators behave like ASCII */
    {"ＡＢＣ", "abc@0"},
    {"ｆａｃｔ＿ｏｒｄｅｒｓ", "fact@0 orders@1 factorders@0*"},
    {"ﬁle №5", "file@0 no@1 5@2 no5@1*"},
    /* non-Latin scripts keep their marks */
    {"データ", "データ@0"},
    {"Привет мир", "привет@0 мир@1"},
    {"Ёлка йод", "елка@0 йод@1"}, /* й is a letter of its own: its breve stays */
    {"한국어 데이터베이스", "한국어@0 데이터베이스@1"},
    {"abc数据def", "abc@0 数据@1 def@2"}, /* ICU boundaries between scripts */
    {"💡idea🔥hot", "idea@0 hot@1"},
    {"it's rock'n'roll", "it@0 s@1 its@0* rock@2 n@3 roll@4 rocknroll@2*"},
    {"ΆΘΉΝΑ", "αθηνα@0"},
    {"", ""},
    {" \t\n.,;", ""},
};

START_TEST(test_cases)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        analyze(cases[i].in);
        char *got = render(&terms);
        char *want = sorted_words(cases[i].want);
        ck_assert_msg(strcmp(got, want) == 0, "%s:\n got  %s\n want %s", cases[i].in, got, want);
        free(got);
        free(want);
    }
}
END_TEST

/* Parts first, then the whole identifier's joined form, then the joined
 * form of each segment that splits; all share the identifier's word. */
START_TEST(test_joined_order)
{
    const char *in = "sales.fact_orders_v2";
    analyze(in);
    static const char *const want[] = {"sales", "fact", "orders", "v2",
                                       "salesfactordersv2", "factordersv2"};
    ck_assert_uint_eq(terms.n, 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(terms.v[i].text, want[i]);
        ck_assert_int_eq(terms.v[i].kind, i < 4 ? AN_PART : AN_JOINED);
        ck_assert_uint_eq(terms.v[i].word, 0);
    }
    ck_assert_uint_eq(terms.v[4].start, 0);
    ck_assert_uint_eq(terms.v[4].end, strlen(in));
    ck_assert_uint_eq(terms.v[5].start, 6);
    ck_assert_uint_eq(terms.v[5].end, strlen(in));
}
END_TEST

START_TEST(test_cjk_segmentation)
{
    const char *inputs[] = {"数据仓库", "東京都に住んでいます", "データベースの設計",
                            "ภาษาไทยง่ายมาก"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        int64_t next = analyze(inputs[i]);
        ck_assert_msg(terms.n >= 2, "%s gave %zu terms", inputs[i], terms.n);
        ck_assert_int_eq(next, (int64_t)terms.n);
        /* the terms cover the text in order, and no joined form glues a
         * sentence back together */
        uint32_t at = 0;
        for (size_t k = 0; k < terms.n; k++) {
            ck_assert_int_eq(terms.v[k].kind, AN_PART);
            ck_assert_uint_ge(terms.v[k].start, at);
            at = terms.v[k].end;
        }
        ck_assert_uint_eq(at, strlen(inputs[i]));
    }
    analyze("数据仓库");
    ck_assert_str_eq(terms.v[0].text, "数据");
    ck_assert_str_eq(terms.v[1].text, "仓库");
}
END_TEST

START_TEST(test_invalid_utf8)
{
    const char in[] = "bad\xff\xfe" "data \xc3\x28name caf\xc3\xa9";
    int64_t next = analyze(in);
    ck_assert_int_gt(next, 0);
    char *got = render(&terms);
    ck_assert_str_eq(got, "bad@0 cafe@3 data@1 name@2");
    free(got);
}
END_TEST

START_TEST(test_spans)
{
    const char *in = "  Ångström_unitsV2 and fact_orders";
    analyze(in);
    const struct {
        const char *text, *src;
    } want[] = {{"angstrom", "Ångström"}, {"units", "units"}, {"v2", "V2"},
                {"angstromunitsv2", "Ångström_unitsV2"}, {"and", "and"},
                {"fact", "fact"}, {"orders", "orders"}, {"factorders", "fact_orders"}};
    ck_assert_uint_eq(terms.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < terms.n; i++) {
        const an_term *t = &terms.v[i];
        ck_assert_str_eq(t->text, want[i].text);
        ck_assert_uint_le(t->end, strlen(in));
        ck_assert_uint_eq(t->end - t->start, strlen(want[i].src));
        ck_assert_msg(memcmp(in + t->start, want[i].src, t->end - t->start) == 0, "%s span", t->text);
    }
}
END_TEST

START_TEST(test_positions_and_words)
{
    an_terms_clear(&terms);
    const char *a = "customer_id and OrderDate", *b = "total amount";
    int64_t next = an_analyze(an, a, strlen(a), 10, &terms);
    ck_assert_int_eq(next, 15);
    size_t first_call = terms.n;
    next = an_analyze(an, b, strlen(b), (uint32_t)next + 100, &terms);
    ck_assert_int_eq(next, 117);
    uint32_t last_pos = 0, last_word = 0;
    for (size_t i = 0; i < terms.n; i++) {
        const an_term *t = &terms.v[i];
        if (t->kind == AN_PART) {
            if (i)
                ck_assert_uint_gt(t->pos, last_pos);
            last_pos = t->pos;
        }
        if (i)
            ck_assert_uint_ge(t->word, last_word);
        last_word = t->word;
    }
    /* word indexes: customer_id=0, and=1, OrderDate=2, then 3 and 4 */
    ck_assert_uint_eq(terms.v[0].word, 0);
    ck_assert_uint_eq(terms.v[first_call - 1].word, 2);
    ck_assert_uint_eq(terms.v[first_call].word, 3);
    ck_assert_uint_eq(terms.v[terms.n - 1].word, 4);
}
END_TEST

/* Many terms: the arena moves while growing and every term must still
 * point at its own text. */
START_TEST(test_many_terms)
{
    size_t n = 5000, len = 0;
    char *in = malloc(n * 16);
    ck_assert_ptr_nonnull(in);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(in + len, "Word%zu ", i);
    int64_t next = analyze(in);
    ck_assert_int_eq(next, (int64_t)(2 * n));
    ck_assert_uint_eq(terms.n, 3 * n);
    char want[32];
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(terms.v[3 * i].text, "word");
        sprintf(want, "%zu", i);
        ck_assert_str_eq(terms.v[3 * i + 1].text, want);
        sprintf(want, "word%zu", i);
        ck_assert_str_eq(terms.v[3 * i + 2].text, want);
        ck_assert_int_eq(terms.v[3 * i + 2].kind, AN_JOINED);
    }
    free(in);
}
END_TEST

START_TEST(test_overlong_dropped)
{
    char in[600];
    memset(in, 'a', AN_MAX_TERM_BYTES + 1);
    strcpy(in + AN_MAX_TERM_BYTES + 1, " short");
    int64_t next = analyze(in);
    ck_assert_uint_eq(terms.dropped, 1);
    ck_assert_uint_eq(terms.n, 1);
    ck_assert_str_eq(terms.v[0].text, "short");
    ck_assert_int_eq(next, 2);

    /* exactly at the limit is kept */
    memset(in, 'b', AN_MAX_TERM_BYTES);
    in[AN_MAX_TERM_BYTES] = '\0';
    analyze(in);
    ck_assert_uint_eq(terms.dropped, 0);
    ck_assert_uint_eq(terms.n, 1);
    ck_assert_uint_eq(terms.v[0].len, AN_MAX_TERM_BYTES);

    /* parts that fit, a joined form that does not: only the joined form goes */
    memset(in, 'c', 150);
    in[150] = '_';
    memset(in + 151, 'd', 150);
    in[301] = '\0';
    analyze(in);
    ck_assert_uint_eq(terms.n, 2);
    ck_assert_uint_eq(terms.dropped, 1);
    ck_assert_int_eq(terms.v[0].kind, AN_PART);
    ck_assert_int_eq(terms.v[1].kind, AN_PART);
}
END_TEST

START_TEST(test_normalize)
{
    const struct {
        const char *in, *want;
    } c[] = {
        {"  Café   au\tLAIT \n", "cafe au lait"},
        {"Amazon S3", "amazon s3"},
        {"ＢｉｇＱｕｅｒｙ", "bigquery"},
        {"Straße\u00a0\u3000Ångström", "strasse angstrom"},
        {"fact_orders.v2", "fact_orders.v2"},
        {"", ""},
        {" \t ", ""},
        {"x\xffy", "x\xef\xbf\xbdy"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        size_t n = 0;
        char *s = an_normalize(an, c[i].in, strlen(c[i].in), &n);
        ck_assert_ptr_nonnull(s);
        ck_assert_msg(strcmp(s, c[i].want) == 0, "%s -> %s", c[i].in, s);
        ck_assert_uint_eq(n, strlen(c[i].want));
        free(s);
    }
}
END_TEST

/* an_normalize's ASCII fast path and its ICU path agree on every ASCII
 * byte: a non-ASCII letter in the string sends it down the ICU path. */
START_TEST(test_normalize_ascii_matches_icu)
{
    for (int b = 1; b < 128; b++) {
        char ascii[16], mixed[16];
        int la = snprintf(ascii, sizeof ascii, "e %c Z%cq", b, b);
        int lm = snprintf(mixed, sizeof mixed, "\xc3\xa9 %c Z%cq", b, b);
        size_t na, nm;
        char *x = an_normalize(an, ascii, (size_t)la, &na);
        char *y = an_normalize(an, mixed, (size_t)lm, &nm);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(y);
        ck_assert_msg(na == nm && memcmp(x, y, na) == 0, "byte %d: '%s' vs '%s'", b, x, y);
        free(x);
        free(y);
    }
}
END_TEST

static void check_stem(const char *in, const char *want)
{
    char out[64];
    int n = an_stem(an, in, strlen(in), out, sizeof out);
    ck_assert_int_ge(n, 0);
    ck_assert_msg(strcmp(out, want) == 0, "stem(%s) = %s, want %s", in, out, want);
    ck_assert_int_eq(n, (int)strlen(want));
}

START_TEST(test_stem)
{
    check_stem("running", "run");
    check_stem("orders", "order");
    check_stem("customers", "custom");
    check_stem("v2", "v2");
    check_stem("orders2023", "orders2023");
    check_stem("is", "is");
    check_stem("as", "as");
    char small[3];
    ck_assert_int_eq(an_stem(an, "v2000", 5, small, sizeof small), -1);
    ck_assert_int_eq(an_stem(an, "running", 7, small, sizeof small), -1);
}
END_TEST

/* an_stem answers from its cache what a fresh analyzer computes: many
 * more words than the cache has slots (so entries collide and are
 * replaced), each asked three times, some too long to be cached, and a
 * cached stem still refused by a buffer too small for it. */
START_TEST(test_stem_cache)
{
    static const char *const roots[] = {"order",  "custom", "run",   "ship", "bill",
                                        "invoic", "report", "stat",  "nation", "connect"};
    static const char *const ends[] = {"", "s", "ing", "ed", "ers", "ings", "ation", "ness"};
    enum { NW = 5000 };
    static char want[NW][64];
    static int want_n[NW];
    char err[256] = "";
    for (int pass = 0; pass < 3; pass++)
        for (unsigned i = 0; i < NW; i++) {
            char w[64], got[64];
            snprintf(w, sizeof w, "%s%s%s", roots[i % 10], ends[(i / 10) % 8],
                     i % 7 == 0 ? "extraordinarilylongsuffix" : i >= 80 ? "x" : "");
            if (i >= 80 && i % 7 != 0) /* distinct words past the first 80 */
                snprintf(w + strlen(w), sizeof w - strlen(w), "%c%c", 'a' + i % 26,
                         'a' + (i / 26) % 26);
            if (pass == 0) { /* what an analyzer with an empty cache says */
                an_analyzer *fresh = an_new(err, sizeof err);
                ck_assert_msg(fresh != NULL, "%s", err);
                want_n[i] = an_stem(fresh, w, strlen(w), want[i], sizeof want[i]);
                an_free(fresh);
            }
            int n = an_stem(an, w, strlen(w), got, sizeof got);
            ck_assert_int_eq(n, want_n[i]);
            ck_assert_msg(strcmp(got, want[i]) == 0, "pass %d: stem(%s) = %s, want %s", pass, w,
                          got, want[i]);
        }
    char small[4];
    char out[64];
    ck_assert_int_ge(an_stem(an, "reporting", 9, out, sizeof out), 0); /* cached: "report" */
    ck_assert_int_eq(an_stem(an, "reporting", 9, small, sizeof small), -1);
}
END_TEST

/* ---- ASCII fast path == ICU path ---------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static const char *const vocab[] = {
    "customer", "Customer", "ID", "id", "HTTP", "Server", "orders", "2023", "v2", "s3",
    "URL", "URLs", "fact", "Dim", "x", "A", "getHTTPResponse", "iOS", "3.14", "2023-01-01",
    "john.doe@example.com", "https://example.com/a/b?x=1&y=2", "db.schema.table", "__x__",
    "it's", "don't", "C++", "C#", "$ref", "#tag", "a/b:c", "(note)", "hello,", "world.",
    "e.g.", "...", "--flag", "key=value", "100%", "~tmp", "\"quoted\"", "tab\there", "MAX_INT",
    "camelCaseWord", "PascalCase", "snake_case_v3", "kebab-case-2", "ABCdef", "abcDEF",
    "x86_64", "utf8", "UTF-8", "ipv4", "IPv6", "a1b2c3", "99bottles", "Version2Release",
};

static void gen_ascii(char *buf, size_t cap)
{
    size_t n = 0;
    uint32_t words = 1 + rnd(8);
    for (uint32_t w = 0; w < words; w++) {
        const char *v;
        char tmp[32];
        if (rnd(4) == 0) { /* random printable junk */
            uint32_t l = 1 + rnd(12);
            for (uint32_t k = 0; k < l; k++)
                tmp[k] = (char)(0x20 + rnd(95));
            tmp[l] = '\0';
            v = tmp;
        } else {
            v = vocab[rnd(sizeof vocab / sizeof vocab[0])];
        }
        size_t l = strlen(v);
        if (n + l + 2 >= cap)
            break;
        memcpy(buf + n, v, l);
        n += l;
        static const char seps[] = " _.-/:  ,;\n";
        buf[n++] = seps[rnd(sizeof seps - 1)];
    }
    buf[n] = '\0';
}

START_TEST(test_ascii_path_matches_icu)
{
    an_terms icu;
    an_terms_init(&icu);
    char buf[512];
    size_t compared = 0;
    for (int i = 0; i < 20000; i++) {
        gen_ascii(buf, sizeof buf);
        size_t len = strlen(buf);
        an_terms_clear(&terms);
        an_terms_clear(&icu);
        int64_t a = an_analyze_path(an, buf, len, 7, &terms, AN_PATH_AUTO);
        int64_t b = an_analyze_path(an, buf, len, 7, &icu, AN_PATH_ICU);
        ck_assert_int_eq(a, b);
        ck_assert_msg(terms.n == icu.n, "'%s': %zu vs %zu terms", buf, terms.n, icu.n);
        ck_assert_uint_eq(terms.dropped, icu.dropped);
        for (size_t k = 0; k < terms.n; k++) {
            const an_term *x = &terms.v[k], *y = &icu.v[k];
            ck_assert_msg(strcmp(x->text, y->text) == 0, "'%s': %s vs %s", buf, x->text, y->text);
            ck_assert_uint_eq(x->pos, y->pos);
            ck_assert_uint_eq(x->word, y->word);
            ck_assert_uint_eq(x->start, y->start);
            ck_assert_uint_eq(x->end, y->end);
            ck_assert_uint_eq(x->kind, y->kind);
        }
        compared += terms.n;
    }
    ck_assert_uint_gt(compared, 20000);
    an_terms_free(&icu);
}
END_TEST

static int valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = p[i] < 0x80 ? 1 : (p[i] & 0xE0) == 0xC0 ? 2 : (p[i] & 0xF0) == 0xE0 ? 3
                                   : (p[i] & 0xF8) == 0xF0 ? 4 : 0;
        if (!k || i + k > n)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

/* Invariants on any input: terms are non-empty valid UTF-8 within the
 * limit, spans lie inside the input, part positions go up one by one,
 * joined forms sit at one of their identifier's part positions. */
static void check_invariants(const char *in, size_t len, uint32_t first, int64_t next)
{
    uint32_t expect = first;
    for (size_t i = 0; i < terms.n; i++) {
        const an_term *t = &terms.v[i];
        ck_assert_uint_gt(t->len, 0);
        ck_assert_uint_le(t->len, AN_MAX_TERM_BYTES);
        ck_assert_msg(valid_utf8(t->text, t->len), "invalid UTF-8 term from '%.*s'", (int)len, in);
        ck_assert_uint_lt(t->start, t->end);
        ck_assert_uint_le(t->end, len);
        if (t->kind == AN_PART) {
            ck_assert_uint_eq(t->pos, expect);
            expect++;
        } else {
            int found = 0;
            for (size_t k = 0; k < i && !found; k++)
                found = terms.v[k].kind == AN_PART && terms.v[k].word == t->word &&
                        terms.v[k].pos == t->pos;
            ck_assert_msg(found, "joined %s at %u has no part there", t->text, t->pos);
        }
    }
    ck_assert_int_eq(next, (int64_t)expect);
}

START_TEST(test_random_bytes)
{
    static const char *const pieces[] = {
        "a", "Z", "9", "_", ".", "-", " ", "\xc3\xa9", "\xc3", "\xa9", "\xe6\x95\xb0",
        "\xe6\x95", "\xf0\x9f\x92\xa1", "\xf0\x9f", "\xcc\x81", "\xef\xbc\xa1", "\xff",
        "\xed\xa0\x80", "\xc0\xaf", "\xe0\xb8\xa0", "\xd7\x90", "\x00"};
    char buf[256];
    for (int i = 0; i < 5000; i++) {
        size_t len = 0;
        uint32_t n = rnd(40);
        for (uint32_t k = 0; k < n; k++) {
            const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
            size_t l = *p ? strlen(p) : 1; /* "\x00": one NUL byte */
            memcpy(buf + len, p, l);
            len += l;
        }
        an_terms_clear(&terms);
        int64_t next = an_analyze(an, buf, len, 3, &terms);
        ck_assert_int_ge(next, 3);
        check_invariants(buf, len, 3, next);
    }
}
END_TEST

/* What is written meets what is typed: analyzing a term's own text gives
 * that term back. */
START_TEST(test_terms_reanalyze_to_themselves)
{
    static const char *const fixed[] = {
        "Café Ångström naïve Straße ÉCOLE Ørsted", "ΆΘΉΝΑ Ёлка йод Привет", "ＡＢＣ＿ｄｅｆ ﬁle",
        "数据仓库 東京都に住んでいます データベース", "한국어 데이터베이스", "قاعدة_البيانات हिन्दी"};
    an_terms again;
    an_terms_init(&again);
    char buf[512];
    for (int i = 0; i < 2000 + (int)(sizeof fixed / sizeof fixed[0]); i++) {
        if (i < (int)(sizeof fixed / sizeof fixed[0]))
            snprintf(buf, sizeof buf, "%s", fixed[i]);
        else
            gen_ascii(buf, sizeof buf);
        analyze(buf);
        for (size_t k = 0; k < terms.n; k++) {
            const an_term *t = &terms.v[k];
            an_terms_clear(&again);
            ck_assert_int_ge(an_analyze(an, t->text, t->len, 0, &again), 0);
            int found = 0;
            for (size_t j = 0; j < again.n && !found; j++)
                found = strcmp(again.v[j].text, t->text) == 0;
            ck_assert_msg(found, "'%s' from '%s' does not analyze to itself", t->text, buf);
        }
    }
    an_terms_free(&again);
}
END_TEST

/* One analyzer per thread, created concurrently, gives the same terms. */
struct thread_run {
    const char *text;
    char *rendered;
    int ok;
};

static void *thread_main(void *arg)
{
    struct thread_run *r = arg;
    char err[256];
    an_analyzer *a = an_new(err, sizeof err);
    if (!a)
        return NULL;
    an_terms t;
    an_terms_init(&t);
    for (int i = 0; i < 200; i++) {
        an_terms_clear(&t);
        if (an_analyze(a, r->text, strlen(r->text), 0, &t) < 0)
            break;
        if (i == 199) {
            r->rendered = render(&t);
            r->ok = 1;
        }
    }
    an_terms_free(&t);
    an_free(a);
    return NULL;
}

START_TEST(test_threads)
{
    const char *text = "数据仓库 CustomerID Ångström sales.fact_orders_v2 東京都に住んでいます";
    struct thread_run runs[4] = {{.text = text}, {.text = text}, {.text = text}, {.text = text}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, thread_main, &runs[i]), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    analyze(text);
    char *want = render(&terms);
    for (int i = 0; i < 4; i++) {
        ck_assert(runs[i].ok);
        ck_assert_str_eq(runs[i].rendered, want);
        free(runs[i].rendered);
    }
    free(want);
}
END_TEST

static Suite *analyzer_suite(void)
{
    Suite *s = suite_create("analyzer");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cases);
    tcase_add_test(tc, test_joined_order);
    tcase_add_test(tc, test_cjk_segmentation);
    tcase_add_test(tc, test_invalid_utf8);
    tcase_add_test(tc, test_spans);
    tcase_add_test(tc, test_positions_and_words);
    tcase_add_test(tc, test_many_terms);
    tcase_add_test(tc, test_overlong_dropped);
    tcase_add_test(tc, test_normalize_ascii_matches_icu);
    tcase_add_test(tc, test_normalize);
    tcase_add_test(tc, test_stem);
    tcase_add_test(tc, test_stem_cache);
    tcase_add_test(tc, test_ascii_path_matches_icu);
    tcase_add_test(tc, test_random_bytes);
    tcase_add_test(tc, test_terms_reanalyze_to_themselves);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(analyzer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
