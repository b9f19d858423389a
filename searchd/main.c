/* main.c — metadex-searchd: options, startup, signals, shutdown.
 *
 *   metadex-searchd --db DIR [--listen 127.0.0.1:8080] [--threads N] [--quiet]
 *                   [--admin-token-file FILE]
 *                   [--write-token-file FILE (--brokers HOST:PORT --topic T | --writable)]
 *
 * Starts even when the index does not exist yet (requests answer 503 until
 * it does). SIGINT or SIGTERM stops it cleanly: no new connections, the
 * requests in flight finish, worker threads and their index handles close.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/fields.h"
#include "searchd/admin_api.h"
#include "searchd/docsets.h"
#include "searchd/events_api.h"
#include "searchd/http.h"
#include "searchd/json_arena.h"
#include "searchd/lexicon.h"
#include "searchd/limits.h"
#include "searchd/ranking_store.h"
#include "searchd/reader.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"

/* Long options without a short form. */
enum {
    OPT_WRITE_TOKEN_FILE = 256,
    OPT_BROKERS,
    OPT_TOPIC,
    OPT_PRODUCER_PROPERTY,
    OPT_WRITABLE,
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: metadex-searchd --db DIR [OPTION]...\n"
            "Serve search over a metadex index (HTTP JSON API).\n"
            "\n"
            "  -d, --db DIR          index directory (may not exist yet: 503 until it does)\n"
            "  -l, --listen ADDR     HOST:PORT, [V6]:PORT or :PORT (default %s)\n"
            "  -t, --threads N       connection threads, and as many search workers\n"
            "                        (default: number of cores, max %d)\n"
            "  -q, --quiet           do not log each request to stderr\n"
            "  -a, --admin-token-file FILE  the admin API's bearer token (%d..%d printable\n"
            "                        characters); without it the admin writes answer 503\n"
            "  --write-token-file FILE  POST /v1/events needs this bearer token (%d..%d\n"
            "                        characters); without it REST writes answer 403\n"
            "  --brokers HOST:PORT,... --topic T   REST writes are published to Kafka topic T\n"
            "                        (a metadex-indexer applies them)\n"
            "  --producer-property KEY=VALUE  librdkafka producer setting (repeatable)\n"
            "  --writable            this searchd is the index's one writer: it applies REST\n"
            "                        writes and ranking saves itself (not with --brokers)\n"
            "  -h, --help            show this help and exit\n"
            "  -V, --version         show the version and exit\n"
            "\n"
            "Endpoints:\n"
            "  GET /v1/search?q=&limit=&offset=&type=&filter=FIELD:VALUE&facets=F,...|all\n"
            "      &facet_limit=N&removed=true\n"
            "  GET /v1/autocomplete?q=&type=&limit=   (limit 1..20, default 8)\n"
            "  GET /v1/entities/{urn}   (URL-encoded URN)\n"
            "  GET, PUT /v1/admin/ranking; GET /v1/admin/ranking/versions;\n"
            "  POST /v1/admin/ranking/revert, /v1/admin/ranking/preview   (ranking config)\n"
            "  POST /v1/events?wait=true&timeout_ms=N   (REST writes; timeout_ms <= %d)\n"
            "  GET /healthz\n"
            "\n"
            "Limits: q <= %d bytes, limit 1..%d (default %d), offset 0..%d, <= %d filters,\n"
            "<= %d facets, facet_limit 1..%d (default %d).\n"
            "\n"
            "Filter and facet fields:\n",
            DEFAULT_LISTEN, SD_THREADS_MAX, ADMIN_TOKEN_MIN_BYTES, ADMIN_TOKEN_MAX_BYTES,
            SD_WRITE_TOKEN_MIN_BYTES, SD_WRITE_TOKEN_MAX_BYTES, SD_EVENTS_TIMEOUT_MS_MAX,
            SD_Q_MAX_BYTES, SD_LIMIT_MAX, SD_LIMIT_DEFAULT,
            SD_OFFSET_MAX, SD_FILTERS_MAX, SD_FACETS_MAX, SD_FACET_VALUES_MAX,
            SD_FACET_VALUES_DEFAULT);
    for (int i = 0; i < F_COUNT; i++)
        if (FIELDS[i].flags & (FIELD_FILTER | FIELD_FACET))
            fprintf(out, "  %-16s %s\n", FIELDS[i].name, FIELDS[i].doc);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},      {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {"version", no_argument, NULL, 'V'},
        {"admin-token-file", required_argument, NULL, 'a'},
        {"write-token-file", required_argument, NULL, OPT_WRITE_TOKEN_FILE},
        {"brokers", required_argument, NULL, OPT_BROKERS},
        {"topic", required_argument, NULL, OPT_TOPIC},
        {"producer-property", required_argument, NULL, OPT_PRODUCER_PROPERTY},
        {"writable", no_argument, NULL, OPT_WRITABLE},
        {NULL, 0, NULL, 0},
    };
    /* Before any jansson value exists and any thread starts: a hit's
     * parsed state then lives in its worker's arena (json_arena.h). */
    ja_install();
    const char *db = NULL, *token_file = NULL;
    http_options opt = {.listen = DEFAULT_LISTEN, .threads = 0, .quiet = 0};
    events_config ev = {0};
    int c;
    while ((c = getopt_long(argc, argv, "d:l:t:qhVa:", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            opt.listen = optarg;
            break;
        case 't': {
            char *end;
            errno = 0;
            long n = strtol(optarg, &end, 10);
            if (errno || *end || n < 1 || n > SD_THREADS_MAX) {
                fprintf(stderr, "metadex-searchd: --threads must be 1..%d (got '%s')\n",
                        SD_THREADS_MAX, optarg);
                return 2;
            }
            opt.threads = (unsigned)n;
            break;
        }
        case 'q':
            opt.quiet = 1;
            break;
        case 'a':
            token_file = optarg;
            break;
        case OPT_WRITE_TOKEN_FILE:
            ev.token_file = optarg;
            break;
        case OPT_BROKERS:
            ev.brokers = optarg;
            break;
        case OPT_TOPIC:
            ev.topic = optarg;
            break;
        case OPT_PRODUCER_PROPERTY:
            if (ev.nprops >= EVENTS_PROPS_MAX) {
                fprintf(stderr, "metadex-searchd: at most %d --producer-property options\n",
                        EVENTS_PROPS_MAX);
                return 2;
            }
            ev.props[ev.nprops++] = optarg;
            break;
        case OPT_WRITABLE:
            ev.writable = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("metadex-searchd %s\n", MDX_VERSION);
            return 0;
        default:
            fprintf(stderr, "Try 'metadex-searchd --help' for more information.\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "metadex-searchd: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!db) {
        fprintf(stderr, "metadex-searchd: --db DIR is required\n"
                        "Try 'metadex-searchd --help' for more information.\n");
        return 2;
    }
    char err[512];
    if (events_config_check(&ev, err, sizeof err) != 0) {
        fprintf(stderr, "metadex-searchd: %s\nTry 'metadex-searchd --help' for more information.\n",
                err);
        return 2;
    }
    if (opt.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        opt.threads = n < 1 ? 1 : n > SD_THREADS_MAX ? SD_THREADS_MAX : (unsigned)n;
    }

    /* Block the stop signals before any thread exists, so that every worker
     * inherits the mask and only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (admin_init(token_file, err, sizeof err) != 0) {
        fprintf(stderr, "metadex-searchd: %s\n", err);
        return 1;
    }
    if (reader_init(db, err, sizeof err) != 0 || rs_init(err, sizeof err) != 0) {
        fprintf(stderr, "metadex-searchd: %s\n", err);
        admin_shutdown();
        return 1;
    }
    ev.threads = opt.threads;
    if (events_start(&ev, db, err, sizeof err) != 0) {
        fprintf(stderr, "metadex-searchd: %s\n", err);
        reader_shutdown();
        return 1;
    }
    if (lexicon_start(db, err, sizeof err) != 0) {
        fprintf(stderr, "metadex-searchd: %s\n", err);
        events_stop();
        reader_shutdown();
        return 1;
    }
    if (docsets_start(db, err, sizeof err) != 0) {
        fprintf(stderr, "metadex-searchd: %s\n", err);
        lexicon_stop();
        events_stop();
        reader_shutdown();
        return 1;
    }
    http_server *srv = http_start(&opt, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "metadex-searchd: %s\n", err);
        docsets_stop();
        lexicon_stop();
        events_stop();
        reader_shutdown();
        return 1;
    }
    if (access(db, F_OK) != 0)
        fprintf(stderr, "metadex-searchd: no index at %s yet; answering 503 until it appears\n",
                db);
    fprintf(stderr, "metadex-searchd: listening on %s (port %u), %u threads, index %s\n",
            opt.listen, http_port(srv), opt.threads, db);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "metadex-searchd: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_stop(srv);
    events_stop();
    docsets_stop();
    lexicon_stop();
    rs_shutdown();
    reader_shutdown();
    admin_shutdown();
    return 0;
}
