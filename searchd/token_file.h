/* token_file.h — bearer tokens read from a file and checked in constant time.
 *
 * A token given on the command line would show in `ps`; a file readable by
 * the service alone does not. The file holds the token, surrounding white
 * space ignored; it must be printable ASCII without spaces. A request
 * presents it as "Authorization: Bearer <token>".
 */
#ifndef MDX_SEARCHD_TOKEN_FILE_H
#define MDX_SEARCHD_TOKEN_FILE_H

#include <stddef.h>

#include "searchd/request.h"

typedef struct token {
    char *text; /* NUL-terminated, malloc'd */
    size_t len;
} token;

typedef enum {
    TOKEN_OK = 0,
    TOKEN_MISSING = 1, /* no Authorization: Bearer header */
    TOKEN_WRONG = 2,   /* a bearer token that is not ours */
} token_check;

/* Reads the token of option `option` (named in messages) from `path`:
 * between min and max bytes. Returns 0, or -1 with a reason. */
int token_read(token *t, const char *path, const char *option, size_t min, size_t max, char *err,
               size_t errlen);
/* Wipes and frees the token. */
void token_free(token *t);

/* Whether request `r` presents token `t`. The comparison takes the same
 * time whatever the guess, so timing tells nothing about how close it was. */
token_check token_check_request(const token *t, const request *r);

#endif
