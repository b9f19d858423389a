/* ranking_config.c — defaults, strict parsing and the JSON form of the
 * ranking config (see ranking_config.h). */
#include "searchd/ranking_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/aspects.h"
#include "searchd/vocab.h"

/* The weights that live nowhere else. A typo match counts half an exact
 * one, two edits a quarter: a word spelt right always outranks its
 * misspelling, yet a misspelt query still finds its target. A completion of
 * the word being typed counts a little more than one edit: it is what the
 * user is about to type. The exact bonus outweighs what a partial match
 * of a word or two collects (a match is worth its field's boost: name 10,
 * qualified name 4, columns 5...), and the popularity cap stays far below
 * it, so usage orders otherwise-equal matches and never overrides an exact
 * one. Usage spreads over decades (10 to 100,000 queries a month), so the
 * weight is 0.5: 0.5 × log1p(usage) goes from 1.2 at 10 to 5.8 at 100,000
 * before the cap, where a weight of 2 would flatten everything above 20
 * (on the relevance set: nDCG@10 0.969 → 0.971, MRR 0.985 → 0.991). */
#define RK_DEFAULT_ONE_EDIT_WEIGHT 0.5
#define RK_DEFAULT_TWO_EDITS_WEIGHT 0.25
#define RK_DEFAULT_PREFIX_WEIGHT 0.6
#define RK_DEFAULT_EXACT_BONUS 50.0
#define RK_DEFAULT_POPULARITY_WEIGHT 0.5
#define RK_DEFAULT_POPULARITY_CAP 6.0

void rk_defaults(ranking_config *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < F_COUNT; i++)
        c->boosts[i] = (FIELDS[i].flags & FIELD_TEXT) ? FIELDS[i].boost : 0.0;
    vocab_opts vo;
    vocab_opts_defaults(&vo);
    c->typo_enabled = vo.typo_enabled;
    c->one_edit_min_len = vo.one_edit_min_len;
    c->two_edits_min_len = vo.two_edits_min_len;
    c->first_letter_exempt = vo.first_letter_exempt;
    c->typo_max = vo.typo_max;
    c->one_edit_weight = RK_DEFAULT_ONE_EDIT_WEIGHT;
    c->two_edits_weight = RK_DEFAULT_TWO_EDITS_WEIGHT;
    c->prefix_enabled = vo.prefix_enabled;
    c->prefix_min_len = vo.prefix_min_len;
    c->prefix_max = vo.prefix_max;
    c->prefix_weight = RK_DEFAULT_PREFIX_WEIGHT;
    c->exact_bonus = RK_DEFAULT_EXACT_BONUS;
    c->popularity_weight = RK_DEFAULT_POPULARITY_WEIGHT;
    c->popularity_cap = RK_DEFAULT_POPULARITY_CAP;
}

static void keyed_free(rk_keyed *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].key);
    free(v);
}

static void strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void rk_free(ranking_config *c)
{
    keyed_free(c->type_boosts, c->ntype_boosts);
    keyed_free(c->platform_boosts, c->nplatform_boosts);
    for (size_t i = 0; i < c->nsynonyms; i++) {
        strv_free(c->synonyms[i].words, c->synonyms[i].n);
        strv_free(c->synonyms[i].terms, c->synonyms[i].n);
    }
    free(c->synonyms);
    for (size_t i = 0; i < c->npinned; i++) {
        free(c->pinned[i].query);
        free(c->pinned[i].norm);
        strv_free(c->pinned[i].urns, c->pinned[i].n);
    }
    free(c->pinned);
    memset(c, 0, sizeof *c);
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct pctx {
    an_analyzer *an;
    an_terms terms;
    char *field;
    size_t fieldlen;
    char *msg;
    size_t msglen;
} pctx;

/* Records the first error: the member's path and "path: message". */
static int bad(pctx *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(pctx *p, const char *path, const char *fmt, ...)
{
    char m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(p->field, p->fieldlen, "%s", path);
    if (*path)
        snprintf(p->msg, p->msglen, "%s: %s", path, m);
    else
        snprintf(p->msg, p->msglen, "%s", m);
    return -1;
}

static int nomem(pctx *p)
{
    return bad(p, "", "out of memory");
}

/* path + "." + member (or "[i]"), refused when it would not fit. */
static int join_path(pctx *p, char *out, size_t cap, const char *base, const char *member)
{
    int n = *base ? snprintf(out, cap, "%s.%s", base, member) : snprintf(out, cap, "%s", member);
    if (n < 0 || (size_t)n >= cap)
        return bad(p, base, "member name too long");
    return 0;
}

static int get_number(pctx *p, const json_t *v, const char *path, double lo, double hi, double *out)
{
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
        return bad(p, path, "must be a number between %g and %g", lo, hi);
    *out = json_number_value(v);
    return 0;
}

static int get_uint(pctx *p, const json_t *v, const char *path, unsigned lo, unsigned hi,
                    unsigned *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)lo ||
        json_integer_value(v) > (json_int_t)hi)
        return bad(p, path, "must be an integer between %u and %u", lo, hi);
    *out = (unsigned)json_integer_value(v);
    return 0;
}

static int get_bool(pctx *p, const json_t *v, const char *path, int *out)
{
    if (!json_is_boolean(v))
        return bad(p, path, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

/* A member table: the object's known names, and the path to report. */
static int check_members(pctx *p, const json_t *obj, const char *path, const char *const *known)
{
    if (!json_is_object(obj))
        return bad(p, path, "must be an object");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        int found = 0;
        for (size_t i = 0; known[i] && !found; i++)
            found = strcmp(known[i], k) == 0;
        if (!found) {
            char sub[256];
            if (join_path(p, sub, sizeof sub, path, k) != 0)
                return -1;
            return bad(p, sub, "unknown member");
        }
    }
    return 0;
}

static int parse_boosts(pctx *p, const json_t *obj, ranking_config *c)
{
    if (!json_is_object(obj))
        return bad(p, "boosts", "must be an object");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        char path[256];
        if (join_path(p, path, sizeof path, "boosts", k) != 0)
            return -1;
        const field_def *f = field_by_name(k);
        if (!f)
            return bad(p, path, "unknown member (not a field)");
        if (!(f->flags & FIELD_TEXT))
            return bad(p, path, "%s is not a text field", k);
        if (get_number(p, v, path, 0, RK_BOOST_MAX, &c->boosts[f->id]) != 0)
            return -1;
    }
    return 0;
}

static int parse_typo(pctx *p, const json_t *obj, ranking_config *c)
{
    static const char *const known[] = {
        "enabled",         "one_edit_min_len", "two_edits_min_len", "first_letter_exempt",
        "one_edit_weight", "two_edits_weight", "max_expansions",    NULL};
    if (check_members(p, obj, "typo", known) != 0)
        return -1;
    const json_t *v;
    if ((v = json_object_get(obj, "enabled")) && get_bool(p, v, "typo.enabled", &c->typo_enabled))
        return -1;
    if ((v = json_object_get(obj, "one_edit_min_len")) &&
        get_uint(p, v, "typo.one_edit_min_len", 1, RK_WORD_CPS_MAX, &c->one_edit_min_len))
        return -1;
    if ((v = json_object_get(obj, "two_edits_min_len")) &&
        get_uint(p, v, "typo.two_edits_min_len", 1, RK_WORD_CPS_MAX, &c->two_edits_min_len))
        return -1;
    if ((v = json_object_get(obj, "first_letter_exempt")) &&
        get_bool(p, v, "typo.first_letter_exempt", &c->first_letter_exempt))
        return -1;
    if ((v = json_object_get(obj, "one_edit_weight")) &&
        get_number(p, v, "typo.one_edit_weight", 0, 1, &c->one_edit_weight))
        return -1;
    if ((v = json_object_get(obj, "two_edits_weight")) &&
        get_number(p, v, "typo.two_edits_weight", 0, 1, &c->two_edits_weight))
        return -1;
    if ((v = json_object_get(obj, "max_expansions")) &&
        get_uint(p, v, "typo.max_expansions", 0, RK_EXPANSIONS_MAX, &c->typo_max))
        return -1;
    /* Cross-member rules, checked on the merged result. */
    if (c->two_edits_min_len < c->one_edit_min_len)
        return bad(p, "typo.two_edits_min_len",
                   "must be at least typo.one_edit_min_len (%u), got %u", c->one_edit_min_len,
                   c->two_edits_min_len);
    if (c->two_edits_weight > c->one_edit_weight)
        return bad(p, "typo.two_edits_weight",
                   "must not exceed typo.one_edit_weight (%g): two edits never outrank one",
                   c->one_edit_weight);
    return 0;
}

static int parse_prefix(pctx *p, const json_t *obj, ranking_config *c)
{
    static const char *const known[] = {"enabled", "min_len", "max_expansions", "weight", NULL};
    if (check_members(p, obj, "prefix", known) != 0)
        return -1;
    const json_t *v;
    if ((v = json_object_get(obj, "enabled")) &&
        get_bool(p, v, "prefix.enabled", &c->prefix_enabled))
        return -1;
    if ((v = json_object_get(obj, "min_len")) &&
        get_uint(p, v, "prefix.min_len", 1, RK_WORD_CPS_MAX, &c->prefix_min_len))
        return -1;
    if ((v = json_object_get(obj, "max_expansions")) &&
        get_uint(p, v, "prefix.max_expansions", 0, RK_EXPANSIONS_MAX, &c->prefix_max))
        return -1;
    if ((v = json_object_get(obj, "weight")) &&
        get_number(p, v, "prefix.weight", 0, 1, &c->prefix_weight))
        return -1;
    return 0;
}

static int parse_popularity(pctx *p, const json_t *obj, ranking_config *c)
{
    static const char *const known[] = {"weight", "cap", NULL};
    if (check_members(p, obj, "popularity", known) != 0)
        return -1;
    const json_t *v;
    if ((v = json_object_get(obj, "weight")) &&
        get_number(p, v, "popularity.weight", 0, RK_POPULARITY_MAX, &c->popularity_weight))
        return -1;
    if ((v = json_object_get(obj, "cap")) &&
        get_number(p, v, "popularity.cap", 0, RK_POPULARITY_CAP_MAX, &c->popularity_cap))
        return -1;
    return 0;
}

/* A non-empty string of at most `max` bytes without control characters. */
static int plain_string(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return 0;
    return 1;
}

/* type_boosts / platform_boosts. Types must be entity types metadex knows
 * (a misspelt type would silently boost nothing); platforms are open-ended.
 * Each distinct non-1 boost costs one more filtered branch per query
 * (query_plan.c), hence RK_BOOST_GROUPS_MAX. */
static int parse_keyed(pctx *p, const json_t *obj, const char *name, int types, rk_keyed **out,
                       size_t *nout)
{
    if (!json_is_object(obj))
        return bad(p, name, "must be an object");
    size_t n = json_object_size(obj);
    if (n > RK_KEYED_MAX)
        return bad(p, name, "has %zu entries; at most %d are allowed", n, RK_KEYED_MAX);
    rk_keyed *v = n ? calloc(n, sizeof *v) : NULL;
    if (n && !v)
        return nomem(p);
    size_t i = 0, ngroups = 0;
    double groups[RK_BOOST_GROUPS_MAX];
    const char *k;
    const json_t *val;
    json_object_foreach((json_t *)obj, k, val)
    {
        char path[RK_KEY_MAX_BYTES + 64];
        if (join_path(p, path, sizeof path, name, k) != 0)
            goto fail;
        if (!plain_string(k, RK_KEY_MAX_BYTES)) {
            bad(p, path, "a key must be 1 to %d bytes without control characters",
                RK_KEY_MAX_BYTES);
            goto fail;
        }
        if (types && !aspect_entity_type_known(k)) {
            bad(p, path, "unknown entity type");
            goto fail;
        }
        if (get_number(p, val, path, 0, RK_BOOST_MAX, &v[i].boost) != 0)
            goto fail;
        if (v[i].boost != 1.0) {
            size_t g = 0;
            while (g < ngroups && groups[g] != v[i].boost)
                g++;
            if (g == ngroups) {
                if (ngroups == RK_BOOST_GROUPS_MAX) {
                    bad(p, path, "at most %d distinct boosts other than 1 are allowed in %s",
                        RK_BOOST_GROUPS_MAX, name);
                    goto fail;
                }
                groups[ngroups++] = v[i].boost;
            }
        }
        if (!(v[i].key = strdup(k))) {
            nomem(p);
            goto fail;
        }
        i++;
    }
    *out = v;
    *nout = i;
    return 0;
fail:
    keyed_free(v, n); /* calloc'd: keys not yet set are NULL */
    return -1;
}

/* The index term a synonym word searches: its joined form when it is an
 * identifier, its only part otherwise; NULL (with the error set) if it is
 * not exactly one word. */
static char *synonym_term(pctx *p, const char *word, const char *path)
{
    an_terms_clear(&p->terms);
    if (an_analyze(p->an, word, strlen(word), 0, &p->terms) < 0) {
        nomem(p);
        return NULL;
    }
    if (p->terms.n == 0 || p->terms.dropped) {
        bad(p, path, "must hold a word");
        return NULL;
    }
    const an_term *joined = NULL;
    for (size_t i = 0; i < p->terms.n; i++) {
        if (p->terms.v[i].word != p->terms.v[0].word) {
            bad(p, path, "must be one word (an identifier such as customer_id is one)");
            return NULL;
        }
        if (p->terms.v[i].kind == AN_JOINED && !joined)
            joined = &p->terms.v[i]; /* the whole identifier's comes first */
    }
    const an_term *t = joined ? joined : &p->terms.v[0];
    char *s = strndup(t->text, t->len);
    if (!s)
        nomem(p);
    return s;
}

static int parse_synonyms(pctx *p, const json_t *arr, ranking_config *c)
{
    if (!json_is_array(arr))
        return bad(p, "synonyms", "must be an array of arrays of words");
    size_t n = json_array_size(arr);
    if (n > RK_SYN_GROUPS_MAX)
        return bad(p, "synonyms", "has %zu groups; at most %d are allowed", n, RK_SYN_GROUPS_MAX);
    c->synonyms = n ? calloc(n, sizeof *c->synonyms) : NULL;
    if (n && !c->synonyms)
        return nomem(p);
    for (size_t g = 0; g < n; g++) {
        const json_t *grp = json_array_get(arr, g);
        char path[64];
        snprintf(path, sizeof path, "synonyms[%zu]", g);
        size_t m = json_array_size(grp);
        if (!json_is_array(grp) || m < 2 || m > RK_SYN_WORDS_MAX)
            return bad(p, path, "must be an array of 2 to %d words", RK_SYN_WORDS_MAX);
        rk_synonym_group *sg = &c->synonyms[g];
        c->nsynonyms = g + 1;
        if (!(sg->words = calloc(m, sizeof *sg->words)) ||
            !(sg->terms = calloc(m, sizeof *sg->terms)))
            return nomem(p);
        for (size_t i = 0; i < m; i++) {
            const json_t *w = json_array_get(grp, i);
            char wpath[80];
            snprintf(wpath, sizeof wpath, "%s[%zu]", path, i);
            if (!json_is_string(w) || !plain_string(json_string_value(w), RK_SYN_WORD_MAX_BYTES))
                return bad(p, wpath, "must be a word of 1 to %d bytes", RK_SYN_WORD_MAX_BYTES);
            sg->n = i + 1;
            if (!(sg->words[i] = strdup(json_string_value(w))))
                return nomem(p);
            if (!(sg->terms[i] = synonym_term(p, sg->words[i], wpath)))
                return -1;
            for (size_t j = 0; j < i; j++)
                if (strcmp(sg->terms[j], sg->terms[i]) == 0)
                    return bad(p, wpath, "repeats synonyms[%zu][%zu] (both search \"%s\")", g, j,
                               sg->terms[i]);
        }
    }
    /* A word in two groups would make its expansion depend on group order. */
    for (size_t g = 0; g < c->nsynonyms; g++)
        for (size_t i = 0; i < c->synonyms[g].n; i++)
            for (size_t h = 0; h < g; h++)
                for (size_t j = 0; j < c->synonyms[h].n; j++)
                    if (strcmp(c->synonyms[g].terms[i], c->synonyms[h].terms[j]) == 0) {
                        char path[64];
                        snprintf(path, sizeof path, "synonyms[%zu][%zu]", g, i);
                        return bad(p, path, "\"%s\" is already in synonyms[%zu]",
                                   c->synonyms[g].terms[i], h);
                    }
    return 0;
}

static int parse_pinned(pctx *p, const json_t *obj, ranking_config *c)
{
    if (!json_is_object(obj))
        return bad(p, "pinned", "must be an object of query: [urn, ...]");
    size_t n = json_object_size(obj);
    if (n > RK_PINNED_MAX)
        return bad(p, "pinned", "has %zu queries; at most %d are allowed", n, RK_PINNED_MAX);
    c->pinned = n ? calloc(n, sizeof *c->pinned) : NULL;
    if (n && !c->pinned)
        return nomem(p);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        char path[RK_KEY_MAX_BYTES + 64];
        if (join_path(p, path, sizeof path, "pinned", k) != 0)
            return -1;
        rk_pin *pin = &c->pinned[c->npinned];
        if (!plain_string(k, RK_KEY_MAX_BYTES))
            return bad(p, path, "a query must be 1 to %d bytes without control characters",
                       RK_KEY_MAX_BYTES);
        size_t m = json_array_size(v);
        if (!json_is_array(v) || m < 1 || m > RK_PINNED_URNS_MAX)
            return bad(p, path, "must be an array of 1 to %d URNs", RK_PINNED_URNS_MAX);
        c->npinned++;
        size_t nlen = 0;
        if (!(pin->query = strdup(k)) || !(pin->norm = an_normalize(p->an, k, strlen(k), &nlen)) ||
            !(pin->urns = calloc(m, sizeof *pin->urns)))
            return nomem(p);
        if (nlen == 0)
            return bad(p, path, "a pinned query must hold a word");
        for (size_t i = 0; i < c->npinned - 1; i++)
            if (strcmp(c->pinned[i].norm, pin->norm) == 0)
                return bad(p, path, "is the same query as pinned.%s once normalised",
                           c->pinned[i].query);
        for (size_t i = 0; i < m; i++) {
            const json_t *u = json_array_get(v, i);
            char upath[RK_KEY_MAX_BYTES + 80];
            snprintf(upath, sizeof upath, "%s[%zu]", path, i);
            if (!json_is_string(u) || strncmp(json_string_value(u), "urn:", 4) != 0 ||
                !plain_string(json_string_value(u), RK_URN_MAX_BYTES))
                return bad(p, upath, "must be a URN (\"urn:li:...\", at most %d bytes)",
                           RK_URN_MAX_BYTES);
            pin->n = i + 1;
            if (!(pin->urns[i] = strdup(json_string_value(u))))
                return nomem(p);
        }
    }
    return 0;
}

int rk_parse(const json_t *j, an_analyzer *an, ranking_config *out, char *field, size_t fieldlen,
             char *msg, size_t msglen)
{
    static const char *const known[] = {
        "version",    "saved_at",    "boosts",          "typo",     "prefix", "exact_bonus",
        "popularity", "type_boosts", "platform_boosts", "synonyms", "pinned", NULL};
    pctx p = {.an = an, .field = field, .fieldlen = fieldlen, .msg = msg, .msglen = msglen};
    rk_defaults(out);
    an_terms_init(&p.terms);
    int rc = -1;
    const json_t *v;
    if (check_members(&p, j, "", known) != 0)
        goto done;
    if ((v = json_object_get(j, "boosts")) && parse_boosts(&p, v, out) != 0)
        goto done;
    if ((v = json_object_get(j, "typo")) && parse_typo(&p, v, out) != 0)
        goto done;
    if ((v = json_object_get(j, "prefix")) && parse_prefix(&p, v, out) != 0)
        goto done;
    if ((v = json_object_get(j, "exact_bonus")) &&
        get_number(&p, v, "exact_bonus", 0, RK_EXACT_BONUS_MAX, &out->exact_bonus) != 0)
        goto done;
    if ((v = json_object_get(j, "popularity")) && parse_popularity(&p, v, out) != 0)
        goto done;
    if ((v = json_object_get(j, "type_boosts")) &&
        parse_keyed(&p, v, "type_boosts", 1, &out->type_boosts, &out->ntype_boosts) != 0)
        goto done;
    if ((v = json_object_get(j, "platform_boosts")) &&
        parse_keyed(&p, v, "platform_boosts", 0, &out->platform_boosts, &out->nplatform_boosts) !=
            0)
        goto done;
    if ((v = json_object_get(j, "synonyms")) && parse_synonyms(&p, v, out) != 0)
        goto done;
    if ((v = json_object_get(j, "pinned")) && parse_pinned(&p, v, out) != 0)
        goto done;
    rc = 0;
done:
    an_terms_free(&p.terms);
    if (rc != 0)
        rk_free(out);
    return rc;
}

/* ---- the JSON form --------------------------------------------------------- */

static json_t *keyed_json(const rk_keyed *v, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        if (json_object_set_new(o, v[i].key, json_real(v[i].boost)) != 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

json_t *rk_to_json(const ranking_config *c)
{
    json_t *boosts = json_object(), *syn = json_array(), *pinned = json_object();
    json_t *types = keyed_json(c->type_boosts, c->ntype_boosts);
    json_t *platforms = keyed_json(c->platform_boosts, c->nplatform_boosts);
    int ok = boosts && syn && pinned && types && platforms;
    for (int i = 0; ok && i < F_COUNT; i++)
        if (FIELDS[i].flags & FIELD_TEXT)
            ok = json_object_set_new(boosts, FIELDS[i].name, json_real(c->boosts[i])) == 0;
    for (size_t g = 0; ok && g < c->nsynonyms; g++) {
        json_t *grp = json_array();
        ok = grp && json_array_append_new(syn, grp) == 0;
        for (size_t i = 0; ok && i < c->synonyms[g].n; i++)
            ok = json_array_append_new(grp, json_string(c->synonyms[g].words[i])) == 0;
    }
    for (size_t q = 0; ok && q < c->npinned; q++) {
        json_t *urns = json_array();
        ok = urns && json_object_set_new(pinned, c->pinned[q].query, urns) == 0;
        for (size_t i = 0; ok && i < c->pinned[q].n; i++)
            ok = json_array_append_new(urns, json_string(c->pinned[q].urns[i])) == 0;
    }
    if (!ok) {
        json_decref(boosts);
        json_decref(syn);
        json_decref(pinned);
        json_decref(types);
        json_decref(platforms);
        return NULL;
    }
    return json_pack(
        "{s:o,s:{s:b,s:i,s:i,s:b,s:f,s:f,s:i},s:{s:b,s:i,s:i,s:f},s:f,s:{s:f,s:f},s:o*,s:o*,"
        "s:o,s:o}",
        "boosts", boosts, "typo", "enabled", c->typo_enabled, "one_edit_min_len",
        (int)c->one_edit_min_len, "two_edits_min_len", (int)c->two_edits_min_len,
        "first_letter_exempt", c->first_letter_exempt, "one_edit_weight", c->one_edit_weight,
        "two_edits_weight", c->two_edits_weight, "max_expansions", (int)c->typo_max, "prefix",
        "enabled", c->prefix_enabled, "min_len", (int)c->prefix_min_len, "max_expansions",
        (int)c->prefix_max, "weight", c->prefix_weight, "exact_bonus", c->exact_bonus, "popularity",
        "weight", c->popularity_weight, "cap", c->popularity_cap, "type_boosts", types,
        "platform_boosts", platforms, "synonyms", syn, "pinned", pinned);
}

/* ---- lookups ------------------------------------------------------------------ */

static double keyed_boost(const rk_keyed *v, size_t n, const char *key)
{
    if (!key)
        return 1.0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].key, key) == 0)
            return v[i].boost;
    return 1.0;
}

double rk_type_boost(const ranking_config *c, const char *type)
{
    return keyed_boost(c->type_boosts, c->ntype_boosts, type);
}

double rk_platform_boost(const ranking_config *c, const char *platform)
{
    return keyed_boost(c->platform_boosts, c->nplatform_boosts, platform);
}

const rk_synonym_group *rk_synonyms_of(const ranking_config *c, const char *term)
{
    for (size_t g = 0; g < c->nsynonyms; g++)
        for (size_t i = 0; i < c->synonyms[g].n; i++)
            if (strcmp(c->synonyms[g].terms[i], term) == 0)
                return &c->synonyms[g];
    return NULL;
}

const rk_pin *rk_pinned_for(const ranking_config *c, const char *norm)
{
    for (size_t i = 0; i < c->npinned; i++)
        if (strcmp(c->pinned[i].norm, norm) == 0)
            return &c->pinned[i];
    return NULL;
}
