/* names.h — the autocomplete index: entity names (and owners, tags, glossary
 * terms) looked up word by word as the user types.
 *
 * Built from one index revision (see lexicon.h for when), immutable after:
 *   - one suggestion per entity that is not removed: its display name, URN,
 *     type, platform, path ("db.schema") and popularity, read from value
 *     slots as whole streams (SLOT_SUGGEST, SLOT_NAME, SLOT_POPULARITY and
 *     the type and platform facet slots), never document by document;
 *   - one more per owner, tag and glossary term that entities refer to
 *     (their facet slots) but that has no entity of its own, labelled as
 *     people write it ("pii:email", "jdoe");
 *   - suggestion ids ordered by popularity (usage, plus for owners, tags and
 *     terms the number of entities that carry them): the smallest ids are the
 *     most popular, so the best of any candidate list is its head;
 *   - name words (the name field's terms, read from the index's posting
 *     lists, plus the analysed labels) in a vocab, each with the sorted ids
 *     of the suggestions holding it, and per suggestion its sorted word ids;
 *   - compact names (normalised, separators removed) in a second vocab, for
 *     "the name is the query" and "the name starts with the query";
 *   - for every prefix spanning many words, the first NAMES_HEAD ids of its
 *     suggestions, so a one-letter prefix costs as little as a long one.
 *
 * A query is analysed like documents. Every word but the last must start a
 * name word (or be one), and the last word too, in any order ("ord cust"
 * finds customer_orders); from NAMES_TYPO_MIN_CPS code points the last word
 * may be one edit away from the start of a name word. Ranked by match
 * quality — exact name, name starting with the query, all words matched,
 * typo — then popularity. Work per query: one candidate list walked in id
 * order (the narrowest of the query's words, or the type's list under a
 * type filter), each candidate checked against the other words by binary
 * search in its few word ids, stopping as soon as `limit` are found.
 */
#ifndef MDX_SEARCHD_NAMES_H
#define MDX_SEARCHD_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "analyzers/analyzer.h"
#include "searchd/vocab.h"
#include "xapian-shim/xap.h"

#define NAMES_LIMIT_DEFAULT 8  /* suggestions when limit is absent */
#define NAMES_LIMIT_MAX 20     /* limit must be in [1, NAMES_LIMIT_MAX] */
#define NAMES_TYPO_MIN_CPS 4   /* the last word gets one typo from this many code points */
#define NAMES_WORDS_MAX 16     /* words in q after analysis */

typedef struct names names;

typedef enum {
    NAMES_ENTITY = 0,
    NAMES_OWNER = 1, /* corpuser, corpGroup */
    NAMES_TAG = 2,
    NAMES_TERM = 3,  /* glossaryTerm */
} names_kind;

/* The API spelling of a kind: "entity", "owner", "tag", "glossaryTerm". */
const char *names_kind_name(names_kind k);

typedef enum {
    NAMES_Q_EXACT = 0,  /* the whole name is the query */
    NAMES_Q_START = 1,  /* the name starts with the query */
    NAMES_Q_WORDS = 2,  /* every query word starts a word of the name */
    NAMES_Q_TYPO = 3,   /* ... the last one with one edit */
} names_quality;

/* Builds the index from `db` with analyzer `an` (labels are analysed).
 * NULL with a reason in err. */
names *names_build(xap_db *db, an_analyzer *an, char *err, size_t errlen);
void names_free(names *nm);
size_t names_count(const names *nm);  /* suggestions */
size_t names_memory(const names *nm); /* bytes held */
const vocab *names_words(const names *nm);

typedef struct names_hit {
    uint32_t id;          /* suggestion id (0 = most popular) */
    const char *text;     /* display name (owned by the index) */
    const char *urn;
    const char *type;     /* entity type, "" if unknown */
    const char *platform; /* NULL if none */
    const char *path;     /* "" if none */
    names_kind kind;
    names_quality quality;
    double popularity;
    double score;         /* (3 - quality) + a popularity fraction in [0, 1) */
} names_hit;

/* Suggestion `id` (< names_count) into *out (quality NAMES_Q_EXACT, score
 * from its popularity): for benchmarks and tools that walk the index. */
void names_get(const names *nm, uint32_t id, names_hit *out);

/* A query's analysed words and what they matched; kept with the hits so
 * that highlighting marks what the query looked for. */
typedef struct names_word {
    char text[VOCAB_WORD_MAX_BYTES + 1]; /* normalised */
    uint32_t len;
    uint32_t lo, hi;                     /* name words starting with it */
} names_word;

typedef struct names_result {
    names_hit hits[NAMES_LIMIT_MAX];
    size_t n;
    names_word words[NAMES_WORDS_MAX];
    size_t nwords;
    size_t last;          /* index in words of the last word typed */
    vocab_range typo[64]; /* the last word's one-edit ranges (edits 1) */
    size_t ntypo;
    uint64_t examined;    /* candidates looked at (for benchmarks) */
} names_result;

typedef enum {
    NAMES_OK = 0,
    NAMES_BAD_QUERY = 1, /* too many words, a bad limit: answer 400 with err */
    NAMES_INTERNAL = 2,  /* allocation or analyzer failure */
} names_status;

/* The best `limit` (1..NAMES_LIMIT_MAX) suggestions for q[0..len) of entity
 * type `type` (NULL: any). `scratch` is reused for analysis. An empty q (or
 * one with no words) gives no suggestions. */
names_status names_search(const names *nm, an_analyzer *an, an_terms *scratch, const char *q,
                          size_t len, const char *type, size_t limit, names_result *res,
                          char *err, size_t errlen);

/* What a search's exact-name bonus needs of names_search, without its
 * word-by-word and typo matching: the entities whose compact name is q's
 * (NAMES_Q_EXACT), then, when `starts`, those whose compact name starts
 * with it (NAMES_Q_START), the same hits names_search gives first. */
names_status names_find_compact(const names *nm, an_analyzer *an, an_terms *scratch,
                                const char *q, size_t len, const char *type, size_t limit,
                                int starts, names_result *res, char *err, size_t errlen);

/* The text of hit i as HTML: the parts the query matched in <mark>, the rest
 * HTML-escaped. Malloc'd; NULL on allocation failure. */
char *names_highlight(const names *nm, const names_result *res, size_t i, an_analyzer *an,
                      an_terms *scratch);

#endif
