/* token_file.c — reading a bearer token from a file and checking a
 * request's Authorization header against it (see token_file.h). */
#include "searchd/token_file.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int token_read(token *t, const char *path, const char *option, size_t min, size_t max, char *err,
               size_t errlen)
{
    t->text = NULL;
    t->len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s %s: cannot open it", option, path);
        return -1;
    }
    /* Read one byte more than the limit allows, plus room for white
     * space around it, so a token that is too long is seen as such. */
    size_t cap = max + 64;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
    int rd_err = ferror(f);
    fclose(f);
    if (!buf || rd_err) {
        free(buf);
        snprintf(err, errlen, "%s %s: %s", option, path, buf ? "read error" : "out of memory");
        return -1;
    }
    size_t a = 0;
    while (a < n && isspace((unsigned char)buf[a]))
        a++;
    while (n > a && isspace((unsigned char)buf[n - 1]))
        n--;
    size_t len = n - a;
    int bad_char = 0;
    for (size_t i = a; i < n; i++)
        bad_char |= buf[i] < 0x21 || buf[i] > 0x7e;
    if (len < min || len > max || bad_char) {
        memset(buf, 0, cap + 1);
        free(buf);
        snprintf(err, errlen,
                 "%s %s: the token must be %zu to %zu printable ASCII characters without spaces",
                 option, path, min, max);
        return -1;
    }
    memmove(buf, buf + a, len);
    buf[len] = '\0';
    t->text = buf;
    t->len = len;
    return 0;
}

void token_free(token *t)
{
    if (t->text)
        memset(t->text, 0, t->len);
    free(t->text);
    t->text = NULL;
    t->len = 0;
}

/* Constant time in the length of the configured token. */
static int token_equal(const token *t, const char *given, size_t n)
{
    volatile unsigned char diff = (unsigned char)(n != t->len);
    for (size_t i = 0; i < t->len; i++)
        diff |= (unsigned char)(t->text[i] ^ (n ? given[i % n] : 0));
    return diff == 0;
}

token_check token_check_request(const token *t, const request *r)
{
    const char *h = req_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return TOKEN_MISSING;
    const char *g = h + 7;
    while (*g == ' ')
        g++;
    size_t n = strlen(g);
    while (n && g[n - 1] == ' ')
        n--;
    return t->text && token_equal(t, g, n) ? TOKEN_OK : TOKEN_WRONG;
}
