/* reader.c — per-thread index read handles and analyzers (see reader.h).
 *
 * Thread-local through a pthread key so that each worker thread's handle is
 * closed when libmicrohttpd stops its threads (the key's destructor), not
 * leaked. A handle is only ever used by the thread that owns it: Xapian
 * database objects are not safe to share between threads.
 */
#include "searchd/reader.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *g_db_path;
static pthread_key_t g_key;
static int g_key_made;

static void reader_destroy(void *p)
{
    reader *rd = p;
    if (!rd)
        return;
    if (rd->db)
        xap_db_close(rd->db);
    an_terms_free(&rd->scratch);
    if (rd->an)
        an_free(rd->an);
    free(rd);
}

int reader_init(const char *db_path, char *err, size_t errlen)
{
    g_db_path = strdup(db_path);
    if (!g_db_path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = pthread_key_create(&g_key, reader_destroy);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_key_create: %s", strerror(rc));
        free(g_db_path);
        g_db_path = NULL;
        return -1;
    }
    g_key_made = 1;
    return 0;
}

void reader_shutdown(void)
{
    if (g_key_made) {
        reader_destroy(pthread_getspecific(g_key));
        pthread_setspecific(g_key, NULL);
        pthread_key_delete(g_key);
        g_key_made = 0;
    }
    free(g_db_path);
    g_db_path = NULL;
}

const char *reader_db_path(void) { return g_db_path; }

/* Maps a failure to open or reopen to a status: a missing index is not an
 * error of searchd, it is "not there yet". */
static reader_status open_status(const xap_err *xe)
{
    return (xe->code == XAP_E_OPENING || xe->code == XAP_E_NOT_FOUND) ? READER_NO_INDEX
                                                                      : READER_ERROR;
}

static reader_status reader_open(reader *rd, char *err, size_t errlen)
{
    xap_err xe = {0};
    rd->db = xap_db_open_read(g_db_path, &xe);
    if (!rd->db) {
        snprintf(err, errlen, "no index at %s (%s)", g_db_path, xe.msg);
        return open_status(&xe);
    }
    return READER_OK;
}

/* Reads revision and document count after an open or reopen. */
static reader_status reader_stat(reader *rd, char *err, size_t errlen)
{
    xap_err xe = {0};
    if (xap_db_revision(rd->db, &rd->revision, &xe) != XAP_OK ||
        xap_db_doccount(rd->db, &rd->doccount, &xe) != XAP_OK) {
        snprintf(err, errlen, "reading the index: %s", xe.msg);
        return xe.code == XAP_E_MODIFIED ? reader_refresh(rd, err, errlen) : READER_ERROR;
    }
    return READER_OK;
}

reader_status reader_refresh(reader *rd, char *err, size_t errlen)
{
    xap_err xe = {0};
    int changed = 0;
    if (rd->db && xap_db_reopen(rd->db, &changed, &xe) != XAP_OK) {
        /* The handle cannot follow (the index was replaced or removed):
         * start over with a fresh one. */
        xap_db_close(rd->db);
        rd->db = NULL;
    }
    if (!rd->db) {
        reader_status st = reader_open(rd, err, errlen);
        if (st != READER_OK)
            return st;
    }
    xap_err se = {0};
    if (xap_db_revision(rd->db, &rd->revision, &se) != XAP_OK ||
        xap_db_doccount(rd->db, &rd->doccount, &se) != XAP_OK) {
        snprintf(err, errlen, "reading the index: %s", se.msg);
        return READER_ERROR;
    }
    return READER_OK;
}

reader_status reader_get(reader **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!g_key_made) {
        snprintf(err, errlen, "reader_init was not called");
        return READER_ERROR;
    }
    reader *rd = pthread_getspecific(g_key);
    if (!rd) {
        rd = calloc(1, sizeof *rd);
        if (!rd) {
            snprintf(err, errlen, "out of memory");
            return READER_ERROR;
        }
        char aerr[256] = "";
        rd->an = an_new(aerr, sizeof aerr);
        if (!rd->an) {
            snprintf(err, errlen, "cannot create an analyzer: %s", aerr);
            free(rd);
            return READER_ERROR;
        }
        an_terms_init(&rd->scratch);
        if (pthread_setspecific(g_key, rd) != 0) {
            snprintf(err, errlen, "pthread_setspecific failed");
            reader_destroy(rd);
            return READER_ERROR;
        }
    }
    reader_status st;
    if (!rd->db) {
        st = reader_open(rd, err, errlen);
        if (st == READER_OK)
            st = reader_stat(rd, err, errlen);
    } else {
        st = reader_refresh(rd, err, errlen);
    }
    if (st == READER_OK)
        *out = rd;
    return st;
}

reader *reader_at(uint64_t revision)
{
    reader *rd = g_key_made ? pthread_getspecific(g_key) : NULL;
    if (rd && rd->db && rd->revision == revision)
        return rd;
    char err[256];
    if (reader_get(&rd, err, sizeof err) != READER_OK || rd->revision != revision)
        return NULL;
    return rd;
}
