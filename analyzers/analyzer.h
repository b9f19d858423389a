/* analyzer.h — turns text into the terms that queries and documents meet.
 *
 * One analyzer feeds both indexing and queries, so `CustomerID` in a schema
 * and `customer id` typed in a search box produce terms that meet. Steps:
 *   1. normalise: NFKC, case fold, accent fold (Café → cafe, Straße → strasse);
 *   2. segment with ICU's word break iterator (CJK words via its dictionary);
 *   3. split identifiers: snake_case, kebab-case, camelCase/PascalCase,
 *      dotted.names, letter/digit runs ("orders2023" → orders, 2023; a single
 *      letter before digits stays whole: "v2", "s3");
 *   4. keep the joined form of every split identifier, so CustomerID,
 *      customer_id, customer-id and customerid all give "customerid";
 *   5. stemming (Snowball English) is applied by the caller for prose fields,
 *      with an_stem, never inside an_analyze: a field decides if it is stemmed.
 *
 * Identifiers and joined forms: an identifier is a run of letters, digits
 * and the separators _ - ' (inside a name) and . / : $ # (between the
 * segments of a qualified name). Its parts are AN_PART terms with
 * consecutive positions; after them come AN_JOINED terms at the position of
 * their first part: first the whole identifier's, when it has ≥2 parts, then
 * one per segment that has ≥2 parts, when there are ≥2 segments.
 * "sales.fact_orders_v2" gives sales fact orders v2 (parts), then
 * salesfactordersv2 (spanning it all) and factordersv2 (spanning
 * "fact_orders_v2").
 * ICU word boundaries between letters (CJK, Thai, script changes) end an
 * identifier: "数据仓库" is two words, not parts with a joined form.
 * Word indexes count identifiers; an_analyze continues from the last term
 * already in `out` (0 when it is empty).
 *
 * Thread safety: an an_analyzer is used by one thread at a time; make one
 * per thread (they are cheap: ICU iterators are cloned from a shared one).
 */
#ifndef MDX_ANALYZER_H
#define MDX_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

/* A term longer than this (in bytes) is dropped from the index (Xapian's
 * limit is 245 bytes including the prefix); an_analyze reports how many. */
#define AN_MAX_TERM_BYTES 200

typedef enum {
    AN_PART = 0,   /* one word, or one part of a split identifier */
    AN_JOINED = 1, /* the parts of one identifier concatenated: "customerid" */
} an_kind;

typedef struct an_term {
    const char *text; /* normalised UTF-8, NUL-terminated, owned by the an_terms */
    uint32_t len;     /* bytes */
    uint32_t pos;     /* 0-based word position; a JOINED term shares the position
                         of its identifier's first part */
    uint32_t word;    /* index of the source word (identifier) it came from;
                         the parts and the joined form of one identifier share it */
    uint32_t start;   /* byte offset of the source span in the *input* text */
    uint32_t end;     /* byte offset just past it (for highlighting) */
    uint8_t kind;     /* an_kind */
} an_term;

/* A growable list of terms; its memory is reused across calls. */
typedef struct an_terms {
    an_term *v;
    size_t n, cap;
    char *arena; /* term bytes */
    size_t arena_len, arena_cap;
    uint32_t dropped; /* terms dropped for exceeding AN_MAX_TERM_BYTES */
} an_terms;

typedef struct an_analyzer an_analyzer;

/* Creates an analyzer; NULL with a message in err on failure (ICU data missing). */
an_analyzer *an_new(char *err, size_t errlen);
void an_free(an_analyzer *a);

void an_terms_init(an_terms *t);
void an_terms_clear(an_terms *t); /* empties, keeps memory */
void an_terms_free(an_terms *t);

/* Analyzes `len` bytes of UTF-8 `text` (invalid UTF-8 is replaced, never
 * rejected) and appends its terms to `out`, positions starting at
 * `first_pos`. Returns the next free position, or -1 on allocation failure. */
int64_t an_analyze(an_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                   an_terms *out);

/* Normalises a whole string without splitting it (case fold, accent fold,
 * NFKC, whitespace collapsed to one space, trimmed): the form used for exact
 * keyword terms (tags, platform names, exact-name match). Returns a malloc'd
 * string (its length in *outlen if not NULL), or NULL on allocation failure. */
char *an_normalize(an_analyzer *a, const char *text, size_t len, size_t *outlen);

/* Snowball English stem of an already normalised term, into out (NUL-
 * terminated). Returns its length, or -1 if it does not fit. Words with
 * digits, and words shorter than 3 letters, are returned unchanged. */
int an_stem(an_analyzer *a, const char *term, size_t len, char *out, size_t cap);

#endif
