/* limits.h — every limit metadex-searchd enforces, in one place.
 *
 * A request that goes past one of these gets a 400 (or 413/414) with a
 * message naming the limit; nothing is silently cut. The API docs and --help
 * quote these numbers, so change them here only.
 */
#ifndef MDX_SEARCHD_LIMITS_H
#define MDX_SEARCHD_LIMITS_H

/* ---- HTTP ------------------------------------------------------------ */
#define SD_URL_MAX_BYTES 8192          /* request target (path + query string) */
#define SD_PATH_MAX_BYTES 4200         /* decoded path (a URN may be 4096 bytes) */
#define SD_PARAMS_MAX 64               /* query-string parameters per request */
#define SD_BODY_MAX_BYTES (1u << 20)   /* request body, for routes that take one */
#define SD_CONNECTIONS_MAX 1024        /* open connections at once */
#define SD_CONNECTION_TIMEOUT_S 30     /* idle connection timeout */
#define SD_CONNECTION_MEMORY (64u << 10) /* per-connection buffer (headers, URL) */
#define SD_THREADS_MAX 256             /* --threads upper bound */

/* ---- /v1/search ------------------------------------------------------ */
#define SD_Q_MAX_BYTES 1024            /* q, in bytes of UTF-8 */
#define SD_QUERY_WORDS_MAX 32          /* words in q after analysis */
#define SD_LIMIT_DEFAULT 10            /* hits per page when limit is absent */
#define SD_LIMIT_MAX 100               /* limit must be in [1, SD_LIMIT_MAX] */
#define SD_OFFSET_MAX 10000            /* offset must be in [0, SD_OFFSET_MAX] */
#define SD_FILTERS_MAX 32              /* filter= parameters (type= counts as one) */
#define SD_FILTER_VALUE_MAX_BYTES 236  /* a filter term is at most 245 bytes in Xapian */
#define SD_FACETS_MAX 16               /* fields listed in facets= */
#define SD_FACET_VALUES_DEFAULT 20     /* values per facet when facet_limit is absent */
#define SD_FACET_VALUES_MAX 1000       /* facet_limit must be in [1, SD_FACET_VALUES_MAX] */
#define SD_SNIPPET_BYTES 200           /* description snippet length around the first match */
#define SD_SNIPPET_LEAD_BYTES 60       /* text kept before the first match in a snippet */
#define SD_LEXICON_FIRST_WAIT_MS 2000 /* a search right after start waits this long for the
                                          vocabulary (typos, prefixes) before going without */
#define SD_EXACT_FIRST_MAX 20          /* exact-name matches put first (the rest rank normally) */

/* ---- POST /v1/events (REST writes) ----------------------------------- */
#define SD_EVENTS_BODY_MAX_BYTES (16u << 20) /* one request's body (= model's EVENT_MAX_BYTES) */
#define SD_EVENTS_MAX 10000            /* events in one request */
#define SD_EVENTS_TIMEOUT_MS_DEFAULT 5000 /* wait=true: longest wait when timeout_ms is absent */
#define SD_EVENTS_TIMEOUT_MS_MAX 60000 /* timeout_ms must be in [0, SD_EVENTS_TIMEOUT_MS_MAX] */
#define SD_EVENTS_DELIVERY_MS 10000    /* Kafka mode: a message not acknowledged by then fails */
#define SD_WRITE_TOKEN_MIN_BYTES 16    /* --write-token-file: a shorter token is refused */
#define SD_WRITE_TOKEN_MAX_BYTES 4096

/* ---- index access ---------------------------------------------------- */
#define SD_MODIFIED_RETRIES 3          /* reopen-and-retry on DatabaseModifiedError */

#endif
