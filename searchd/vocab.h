/* vocab.h — the index's vocabulary in memory, for typo and prefix expansion.
 *
 * Xapian 1.4 has no edit-distance operator and its own prefix expansion and
 * spelling suggestions cost tens to hundreds of milliseconds at 1M entities
 * (DESIGN.md §9), so searchd keeps the words of the index in memory: one
 * sorted, deduplicated set of words with, per word, its total document
 * frequency (summed over fields) and the fields it occurs in, laid out as a
 * byte trie in preorder. On it:
 *
 *   - fuzzy lookup: every word within k edits (k <= 2) of a query word, by
 *     a depth-first walk of the trie carrying one Levenshtein row per node
 *     and pruning a branch as soon as the row's minimum exceeds k. Edits are
 *     counted in Unicode code points, and an adjacent transposition counts
 *     as one edit (optimal string alignment distance, "restricted
 *     Damerau-Levenshtein": no substring is edited twice);
 *   - prefix expansion: the most frequent words starting with a prefix,
 *     precomputed for prefixes covering many words, so the work per lookup
 *     is bounded whatever the prefix;
 *   - "did you mean": the closest, then most frequent, correction.
 *
 * A vocab is immutable once built, so any number of threads may read it at
 * once. Candidate words point into the vocab and stay valid while it lives;
 * searchd shares one per index revision (see lexicon.h).
 *
 * The same structure serves any set of words with weights: autocomplete
 * (names.c) builds one over entity-name words with vocab_builder.
 */
#ifndef MDX_SEARCHD_VOCAB_H
#define MDX_SEARCHD_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "xapian-shim/xap.h"

#define VOCAB_MAX_EDITS 2           /* the fuzzy lookups' largest k */
#define VOCAB_MAX_EXPANSIONS 100    /* largest cap a lookup or a ranking config may ask for */
#define VOCAB_FUZZY_MAX_CPS 64      /* longer words (code points) are looked up exactly only */
#define VOCAB_WORD_MAX_BYTES 245    /* a longer word is refused by the builder */

typedef struct vocab vocab;

typedef enum {
    VOCAB_EXACT = 0,  /* the word itself */
    VOCAB_TYPO = 1,   /* within `edits` edits of it */
    VOCAB_PREFIX = 2, /* starts with it (search as you type) */
} vocab_kind;

/* One word of the vocabulary found by a lookup. */
typedef struct vocab_cand {
    const char *word; /* NUL-terminated, owned by the vocab */
    uint32_t len;     /* bytes */
    uint32_t id;      /* rank in byte order: words sharing a prefix have consecutive ids */
    uint32_t freq;    /* documents containing it, summed over fields */
    uint32_t fields;  /* bit (1u << field_id) for each field it occurs in */
    uint8_t kind;     /* vocab_kind */
    uint8_t edits;    /* edit distance to the query word (0 for exact and prefix) */
} vocab_cand;

/* ---- building ------------------------------------------------------------ */

typedef struct vocab_builder vocab_builder;

vocab_builder *vocab_builder_new(void);
/* Adds `word` (any bytes, 1..VOCAB_WORD_MAX_BYTES) seen in `freq` documents
 * of the fields in `fields`. A word added twice has its frequencies summed
 * (saturating) and its fields merged. Returns 0, or -1 on allocation failure
 * or a bad length. */
int vocab_builder_add(vocab_builder *b, const char *word, size_t len, uint32_t freq,
                      uint32_t fields);
/* Builds the vocab and frees the builder (in every case). NULL with a reason
 * in err on failure. */
vocab *vocab_builder_finish(vocab_builder *b, char *err, size_t errlen);
void vocab_builder_free(vocab_builder *b);

/* Every text term of `db`: for each FIELD_TEXT field of the registry
 * (model/fields.h), the terms under its prefix with the prefix removed;
 * stemmed terms ("<prefix>Z...") are left out. */
vocab *vocab_build_from_db(xap_db *db, char *err, size_t errlen);

void vocab_free(vocab *v);

/* ---- reading -------------------------------------------------------------- */

size_t vocab_size(const vocab *v);   /* words */
size_t vocab_memory(const vocab *v); /* bytes held */
/* The word with id `id` (< vocab_size) into *out (kind VOCAB_EXACT). */
void vocab_get(const vocab *v, uint32_t id, vocab_cand *out);
/* The word equal to word[0..len): 1 with *out filled, 0 if absent. */
int vocab_find(const vocab *v, const char *word, size_t len, vocab_cand *out);
/* The ids [*lo, *hi) of the words starting with prefix[0..len) ("" gives
 * every word); 0 if none (then *lo == *hi). */
int vocab_prefix_range(const vocab *v, const char *prefix, size_t len, uint32_t *lo,
                       uint32_t *hi);

/* Calls fn(ctx, lo, hi) for the id range [lo, hi) of every prefix whose
 * words number at least `min_words` (parents before children; a range shared
 * by a chain of prefixes may come more than once). Stops at and returns the
 * first non-zero value fn returns; 0 otherwise. Lets a structure keyed by
 * word ids precompute what wide prefixes would cost too much at query time. */
int vocab_each_wide_prefix(const vocab *v, uint32_t min_words,
                           int (*fn)(void *ctx, uint32_t lo, uint32_t hi), void *ctx);

/* The most frequent words starting with prefix[0..len) (the prefix itself
 * included when it is a word), most frequent first (ties: byte order), at
 * most `cap` <= VOCAB_MAX_EXPANSIONS. Returns how many, or -1 if cap is out
 * of range. Kind VOCAB_PREFIX, edits 0. */
int vocab_prefix(const vocab *v, const char *prefix, size_t len, vocab_cand *out, size_t cap);

typedef struct vocab_fuzzy_opts {
    unsigned max_edits;      /* 0..VOCAB_MAX_EDITS */
    int first_letter_exempt; /* the first code point must match (no edit there) */
} vocab_fuzzy_opts;

/* The words within o->max_edits edits of word[0..len) (the word itself
 * included, with 0 edits, when present): fewest edits first, then most
 * frequent, then byte order; at most `cap` <= VOCAB_MAX_EXPANSIONS.
 * Returns how many, or -1 on a bad argument. Kind VOCAB_EXACT for 0 edits,
 * VOCAB_TYPO otherwise. A word over VOCAB_FUZZY_MAX_CPS code points gives
 * only its exact match. */
int vocab_fuzzy(const vocab *v, const char *word, size_t len, const vocab_fuzzy_opts *o,
                vocab_cand *out, size_t cap);

/* A run of word ids [lo, hi) whose words all start with a string within
 * `edits` edits of the query. */
typedef struct vocab_range {
    uint32_t lo, hi;
    uint8_t edits;
} vocab_range;

/* Typo-tolerant prefix search (autocomplete's last word): the id ranges of
 * the words that start with a string within o->max_edits edits of
 * word[0..len). Ranges may nest (an inner range then has fewer edits); a
 * word's distance is the least over the ranges holding it. Returns how many
 * ranges there are, or -1 on a bad argument; writes the first `cap` found in
 * trie (byte) order, then sorted fewest edits first — a caller that gets more
 * than cap knows its expansion was capped. */
int vocab_fuzzy_prefix(const vocab *v, const char *word, size_t len, const vocab_fuzzy_opts *o,
                       vocab_range *out, size_t cap);

/* "Did you mean": the best correction of a word that matched nothing — the
 * fewest edits (1 for words of 3-4 code points, up to 2 from 5; none under
 * 3), then the most frequent, then byte order; never the word itself.
 * Returns 1 with *out filled, 0 if there is none. */
int vocab_did_you_mean(const vocab *v, const char *word, size_t len, vocab_cand *out);

/* ---- the query planner's expansion of one word ------------------------------ */

/* A ranking config's typo and prefix settings (searchd's "typo" and
 * "prefix" objects); vocab_opts_defaults gives the agreed defaults. */
typedef struct vocab_opts {
    int typo_enabled;
    unsigned one_edit_min_len;  /* code points from which 1 edit is allowed (5) */
    unsigned two_edits_min_len; /* code points from which 2 edits are allowed (9) */
    int first_letter_exempt;    /* (0) */
    unsigned typo_max;          /* typo candidates at most (20) */
    int prefix_enabled;         /* the last word is also a prefix */
    unsigned prefix_min_len;    /* code points from which it is (2) */
    unsigned prefix_max;        /* prefix candidates at most (30) */
} vocab_opts;

void vocab_opts_defaults(vocab_opts *o);

/* The most candidates vocab_expand can return for `o`: 1 + typo_max + prefix_max. */
size_t vocab_expand_max(const vocab_opts *o);

/* Candidates for one analysed query word: the word itself if the vocabulary
 * has it (VOCAB_EXACT), then its typo variants (VOCAB_TYPO: allowed edits by
 * length, fewest edits then most frequent first, at most typo_max), then,
 * for the last word, the most frequent words it starts (VOCAB_PREFIX, at
 * most prefix_max). A word is listed once: a word that is both a prefix
 * completion and a typo variant is a prefix completion (no edit was
 * needed). `cap` must be >= vocab_expand_max(o). Returns how many, or -1 on
 * a bad argument (cap too small, a maximum over VOCAB_MAX_EXPANSIONS). */
int vocab_expand(const vocab *v, const char *word, size_t len, int is_last_word,
                 const vocab_opts *o, vocab_cand *out, size_t cap);

/* Code points in word[0..len) as vocab counts them (UTF-8; a stray byte
 * counts as one). */
size_t vocab_cps(const char *word, size_t len);

#endif
