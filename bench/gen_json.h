/* gen_json.h — fast JSON-lines output for the corpus generator.
 *
 * A large write buffer with JSON string escaping, so a million entities
 * (several GB of JSON) are written in seconds: no DOM, no printf per value.
 * Callers write structure themselves; the writer only guarantees that every
 * string it is given comes out as a valid JSON string. Write errors are
 * remembered and reported by gen_json_flush.
 */
#ifndef MDX_GEN_JSON_H
#define MDX_GEN_JSON_H

#include <stdio.h>
#include <stddef.h>
#include <string.h>

typedef struct gen_json {
    FILE *f;
    char *buf;
    size_t len, cap;
    int failed;               /* a write or allocation failed */
    unsigned long long bytes; /* bytes handed to the FILE so far */
} gen_json;

int gen_json_init(gen_json *j, FILE *f);
void gen_json_free(gen_json *j);

/* Bytes as they are (structure, keys). Inline so that literal pieces are
 * copied without a call: most of the output is such pieces. */
void gen_json_raw_slow(gen_json *j, const char *s, size_t n);
static inline void gen_json_raw(gen_json *j, const char *s, size_t n)
{
    if (j->len + n <= j->cap) {
        memcpy(j->buf + j->len, s, n);
        j->len += n;
    } else {
        gen_json_raw_slow(j, s, n);
    }
}
/* `lit` must be a string literal ("" lit does not compile otherwise). */
#define GEN_JSON_LIT(j, lit) gen_json_raw((j), "" lit, sizeof(lit) - 1)
/* A quoted JSON string: '"', '\\' and control characters escaped; UTF-8
 * passes through unchanged. */
void gen_json_str(gen_json *j, const char *s);
void gen_json_strn(gen_json *j, const char *s, size_t n);
void gen_json_int(gen_json *j, long long v);
/* Writes out the buffer; -1 if any write failed so far. */
int gen_json_flush(gen_json *j);

/* A growable string for text the generator composes (names, descriptions):
 * never truncates; an allocation failure sets `failed`. */
typedef struct gen_text {
    char *s;
    size_t len, cap;
    int failed;
} gen_text;

void gen_text_clear(gen_text *t);
void gen_text_addn(gen_text *t, const char *s, size_t n);
void gen_text_add(gen_text *t, const char *s);
void gen_text_addc(gen_text *t, char c);
void gen_text_addf(gen_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gen_text_free(gen_text *t);

#endif
