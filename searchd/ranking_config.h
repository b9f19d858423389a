/* ranking_config.h — the ranking config document: what it holds, its
 * defaults, its validation and its JSON form.
 *
 * One JSON document tunes relevance at query time (DESIGN.md §5, the admin
 * API contract):
 *   {"version": N, "boosts": {FIELD: 0..100, ...}, "typo": {...},
 *    "prefix": {...}, "exact_bonus": B, "popularity": {"weight", "cap"},
 *    "type_boosts": {TYPE: F}, "platform_boosts": {PLATFORM: F},
 *    "synonyms": [[word, word, ...], ...], "pinned": {QUERY: [URN, ...]}}
 *
 * Defaults come from where the numbers already live: field boosts from the
 * field registry (FIELDS[].boost of every FIELD_TEXT field, never a second
 * list), typo and prefix thresholds from vocab_opts_defaults; the weights
 * that exist nowhere else are defined in ranking_config.c.
 *
 * Parsing is strict: every member is checked, an unknown member is refused,
 * and the first problem is reported with the path of the member at fault
 * ("boosts.name", "typo.one_edit_weight", "synonyms[2][0]"). A member left
 * out takes its default (so a config written before a field existed stays
 * valid); "version" and "saved_at" are set by the server and ignored.
 *
 * Synonym words and pinned queries are matched against the analysed query,
 * so parsing needs an analyzer: a synonym must analyse to one word (an
 * identifier such as customer_id is one word), and a pinned query is kept in
 * the normalised form of an_normalize. A parsed config is immutable and may
 * be read by any number of threads.
 */
#ifndef MDX_SEARCHD_RANKING_CONFIG_H
#define MDX_SEARCHD_RANKING_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "analyzers/analyzer.h"
#include "model/fields.h"

/* Validation limits: they bound the work one query can cost. */
#define RK_BOOST_MAX 100.0 /* field, type and platform boosts are in [0, RK_BOOST_MAX] */
#define RK_WORD_CPS_MAX 64 /* typo and prefix lengths are in [1, RK_WORD_CPS_MAX] */
#define RK_EXPANSIONS_MAX                                                                          \
    100 /* typo.max_expansions, prefix.max_expansions (VOCAB_MAX_EXPANSIONS) */
#define RK_EXACT_BONUS_MAX 1000.0
#define RK_POPULARITY_MAX 100.0 /* popularity.weight */
#define RK_POPULARITY_CAP_MAX 1000.0
#define RK_KEYED_MAX 200     /* entries of type_boosts and of platform_boosts */
#define RK_KEY_MAX_BYTES 128 /* a type, platform or pinned query */
#define RK_BOOST_GROUPS_MAX                                                                        \
    8 /* distinct non-1 values among type boosts (and among platform boosts) */
#define RK_SYN_GROUPS_MAX 500 /* synonym groups */
#define RK_SYN_WORDS_MAX 10   /* words in one group */
#define RK_SYN_WORD_MAX_BYTES 100
#define RK_PINNED_MAX 500     /* pinned queries */
#define RK_PINNED_URNS_MAX 20 /* URNs pinned to one query */
#define RK_URN_MAX_BYTES 4096

typedef struct rk_keyed {
    char *key;    /* entity type or platform name, as written */
    double boost; /* multiplies the text score */
} rk_keyed;

typedef struct rk_synonym_group {
    char **words; /* as written */
    char **terms; /* the index term each word searches (its joined form or only part) */
    size_t n;
} rk_synonym_group;

typedef struct rk_pin {
    char *query; /* as written */
    char *norm;  /* an_normalize(query) */
    char **urns;
    size_t n;
} rk_pin;

typedef struct ranking_config {
    double boosts[F_COUNT]; /* per FIELD_TEXT field; 0: the field is not searched */

    int typo_enabled;
    unsigned one_edit_min_len; /* code points */
    unsigned two_edits_min_len;
    int first_letter_exempt;
    double one_edit_weight;  /* relative to an exact match, in [0, 1] */
    double two_edits_weight; /* in [0, one_edit_weight] */
    unsigned typo_max;       /* typo.max_expansions */

    int prefix_enabled;
    unsigned prefix_min_len;
    unsigned prefix_max;  /* prefix.max_expansions */
    double prefix_weight; /* in [0, 1] */

    double exact_bonus;       /* added when the query is the name / short name / URN */
    double popularity_weight; /* prior = min(cap, weight * log1p(usage)) */
    double popularity_cap;

    rk_keyed *type_boosts; /* absent types: 1.0 */
    size_t ntype_boosts;
    rk_keyed *platform_boosts; /* absent platforms: 1.0 */
    size_t nplatform_boosts;
    rk_synonym_group *synonyms;
    size_t nsynonyms;
    rk_pin *pinned;
    size_t npinned;
} ranking_config;

/* The defaults (no allocation; rk_free is harmless on it). */
void rk_defaults(ranking_config *c);

/* Parses and validates `j` into *out (rk_free it after). Returns 0, or -1
 * with the member's path in field (e.g. "boosts.name"; "" for the document
 * itself) and a full message in msg ("boosts.name: must be a number between
 * 0 and 100"); nothing is left to free on failure. */
int rk_parse(const json_t *j, an_analyzer *an, ranking_config *out, char *field, size_t fieldlen,
             char *msg, size_t msglen);

/* The config as its JSON document, every member present ("version" is
 * added by the caller that knows it). NULL on allocation failure. */
json_t *rk_to_json(const ranking_config *c);

void rk_free(ranking_config *c);

/* The boost of entity type `type` / platform `platform` (1.0 if absent or
 * NULL). */
double rk_type_boost(const ranking_config *c, const char *type);
double rk_platform_boost(const ranking_config *c, const char *platform);

/* The synonym group holding `term` (the index term of a query word), or
 * NULL. */
const rk_synonym_group *rk_synonyms_of(const ranking_config *c, const char *term);

/* The pinned URNs for normalised query `norm`, or NULL. */
const rk_pin *rk_pinned_for(const ranking_config *c, const char *norm);

#endif
