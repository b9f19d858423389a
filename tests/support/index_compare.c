/* index_compare.c — stored offsets and entity-by-entity comparison of
 * metadex indexes, through the Xapian shim (see index_compare.h). */
#include "tests/support/index_compare.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xapian-shim/xap.h"

#define IXC_ID_PREFIX "Q" /* the unique id term: "Q" + URN (docbuild.h) */

int64_t ixc_offset(const char *db, const char *topic, int32_t partition)
{
    xap_err xe;
    xap_db *d = xap_db_open_read(db, &xe);
    if (!d)
        return -2;
    char key[512];
    int n = snprintf(key, sizeof key, "offset/%s/%" PRId32, topic, partition);
    int64_t off = -2;
    char *val = NULL;
    size_t len = 0;
    if (n > 0 && (size_t)n < sizeof key && xap_db_get_metadata(d, key, &val, &len, &xe) == XAP_OK) {
        off = -1;
        if (len > 0) {
            char *end;
            long long v = strtoll(val, &end, 10);
            off = (end != val && *end == '\0' && v >= 0) ? v : -2;
        }
    }
    free(val);
    xap_db_close(d);
    return off;
}

long ixc_entities(const char *db)
{
    xap_err xe;
    xap_db *d = xap_db_open_read(db, &xe);
    if (!d)
        return -1;
    uint32_t n = 0;
    long rc = xap_db_doccount(d, &n, &xe) == XAP_OK ? (long)n : -1;
    xap_db_close(d);
    return rc;
}

/* The data of the document with id term `term` (malloc'd), or NULL. */
static char *ixc_data(xap_db *d, const char *term, size_t len, size_t *datalen)
{
    xap_err xe;
    xap_docid id = 0;
    if (xap_db_find_by_term(d, term, len, &id, &xe) != XAP_OK || id == 0)
        return NULL;
    xap_doc *doc = xap_db_get_document(d, id, &xe);
    if (!doc)
        return NULL;
    char *data = NULL;
    if (xap_doc_get_data(doc, &data, datalen, &xe) != XAP_OK)
        data = NULL;
    xap_doc_free(doc);
    return data;
}

static long ixc_count_ids(xap_db *d)
{
    xap_err xe;
    xap_termiter *it = xap_db_allterms(d, IXC_ID_PREFIX, strlen(IXC_ID_PREFIX), &xe);
    if (!it)
        return -1;
    const char *t;
    size_t l;
    uint32_t f;
    long n = 0;
    int rc;
    while ((rc = xap_termiter_next(it, &t, &l, &f, &xe)) == 1)
        n++;
    xap_termiter_free(it);
    return rc < 0 ? -1 : n;
}

int ixc_compare(const char *a, const char *b, char *why, size_t cap)
{
    xap_err xe;
    int rc = -1;
    xap_termiter *it = NULL;
    xap_db *da = xap_db_open_read(a, &xe), *db = NULL;
    if (!da) {
        snprintf(why, cap, "cannot open %s: %s", a, xe.msg);
        return -1;
    }
    db = xap_db_open_read(b, &xe);
    if (!db) {
        snprintf(why, cap, "cannot open %s: %s", b, xe.msg);
        goto out;
    }
    long na = ixc_count_ids(da), nb = ixc_count_ids(db);
    if (na < 0 || nb < 0) {
        snprintf(why, cap, "cannot list entities");
        goto out;
    }
    it = xap_db_allterms(da, IXC_ID_PREFIX, strlen(IXC_ID_PREFIX), &xe);
    if (!it) {
        snprintf(why, cap, "cannot list entities of %s: %s", a, xe.msg);
        goto out;
    }
    const char *term;
    size_t len;
    uint32_t freq;
    int more;
    rc = 0;
    while (rc == 0 && (more = xap_termiter_next(it, &term, &len, &freq, &xe)) == 1) {
        size_t la = 0, lb = 0;
        char *sa = ixc_data(da, term, len, &la), *sb = ixc_data(db, term, len, &lb);
        if (!sa || !sb) {
            snprintf(why, cap, "%.*s: %s", (int)(len - 1), term + 1,
                     !sa ? "unreadable in the first index" : "missing from the second index");
            rc = 1;
        } else {
            json_error_t je;
            json_t *ja = json_loadb(sa, la, 0, &je), *jb = json_loadb(sb, lb, 0, &je);
            int same = (ja && jb) ? json_equal(ja, jb) : (la == lb && memcmp(sa, sb, la) == 0);
            if (!same) {
                snprintf(why, cap, "%.*s differs:\n  first:  %.600s\n  second: %.600s",
                         (int)(len - 1), term + 1, sa, sb);
                rc = 1;
            }
            json_decref(ja);
            json_decref(jb);
        }
        free(sa);
        free(sb);
    }
    if (rc == 0 && more < 0) {
        snprintf(why, cap, "listing entities of %s: %s", a, xe.msg);
        rc = -1;
    }
    if (rc == 0 && na != nb) {
        snprintf(why, cap, "%ld entities in the first index, %ld in the second", na, nb);
        rc = 1;
    }
out:
    if (it)
        xap_termiter_free(it);
    xap_db_close(da);
    if (db)
        xap_db_close(db);
    return rc;
}
