/* reader.h — what one worker thread needs to read the index.
 *
 * Each libmicrohttpd worker thread owns one reader: a Xapian read handle
 * (opened lazily, so searchd starts before the index exists) and an
 * analyzer, both reused across requests. reader_get() brings the handle to
 * the latest committed revision before each request, so a search made
 * after the indexer commits sees the change without a restart. A request
 * that meets DatabaseModifiedError calls reader_refresh() and retries
 * (SD_MODIFIED_RETRIES times).
 *
 * The revision is exposed so that per-revision caches (vocabularies for
 * typo and prefix expansion, autocomplete) can be rebuilt when it moves.
 */
#ifndef MDX_SEARCHD_READER_H
#define MDX_SEARCHD_READER_H

#include <stddef.h>
#include <stdint.h>

#include "analyzers/analyzer.h"
#include "xapian-shim/xap.h"

typedef struct reader {
    xap_db *db;          /* NULL until the index exists */
    uint64_t revision;   /* of db, as of the last reader_get */
    uint32_t doccount;
    an_analyzer *an;     /* this thread's analyzer */
    an_terms scratch;    /* reusable term list for the analyzer */
} reader;

typedef enum {
    READER_OK = 0,
    READER_NO_INDEX = 1, /* the index does not exist (yet): answer 503 */
    READER_ERROR = 2,    /* anything else: answer 500 */
} reader_status;

/* Sets the index path (call once, before any worker thread runs). Returns
 * 0, or -1 with a reason. */
int reader_init(const char *db_path, char *err, size_t errlen);
/* Frees the calling thread's reader and the process-wide state. */
void reader_shutdown(void);

/* The calling thread's reader, opened if needed and brought to the latest
 * revision. Returns READER_OK with *out set, or a status and a reason. */
reader_status reader_get(reader **out, char *err, size_t errlen);
/* Reopens the handle after XAP_E_MODIFIED (closing and opening it again if
 * reopening alone fails). */
reader_status reader_refresh(reader *rd, char *err, size_t errlen);

/* The calling thread's reader at `revision` (brought there when it lags),
 * for a part of a request forked to this thread (work_pool.h); NULL when
 * the index has moved past it, or on any error: the request's own thread
 * then does that part itself. */
reader *reader_at(uint64_t revision);

/* The index path given to reader_init. */
const char *reader_db_path(void);

#endif
