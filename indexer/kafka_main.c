/* kafka_main.c — metadex-indexer's Kafka mode: options, signals, and the
 * wiring of index, dead-letter sink, status endpoint and consumer. */
#include "indexer/kafka_main.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/dead_letter.h"
#include "indexer/kafka_consumer.h"
#include "indexer/kafka_dead_letter.h"
#include "indexer/kafka_log.h"
#include "indexer/kafka_metrics.h"
#include "indexer/kafka_status.h"
#include "model/store.h"

#define KAFKA_DEFAULT_GROUP "metadex-indexer"
/* As large as the file mode's batches: while catching up, batches fill by
 * count and larger ones coalesce more events per entity write; at a
 * trickle --commit-ms closes them first. */
#define KAFKA_DEFAULT_COMMIT_EVERY 20000
#define KAFKA_DEFAULT_COMMIT_MS 500
#define KAFKA_MAX_TOPICS 64
#define KAFKA_TOPIC_MAX_LEN 249 /* Kafka's own limit */
#define KAFKA_MAX_PROPS 64
/* Xapian writes buffered changes to its tables every this many documents,
 * even inside a transaction; a batch larger than its default of 10,000
 * would pay for extra merges (the file mode sets the same). */
#define KAFKA_FLUSH_THRESHOLD "100000"

typedef struct kafka_opts {
    const char *db;
    const char *brokers;
    char *topics[KAFKA_MAX_TOPICS];
    size_t ntopics;
    const char *group;
    long commit_every;
    long commit_ms;
    const char *dead_letter_topic;
    const char *dead_letter_file;
    const char *status_listen;
    const char *props[KAFKA_MAX_PROPS];
    size_t nprops;
    int quiet;
} kafka_opts;

static volatile sig_atomic_t kafka_stop;

static void kafka_on_signal(int sig)
{
    (void)sig;
    if (kafka_stop < 2)
        kafka_stop++;
}

static void kafka_usage(FILE *f)
{
    fprintf(f,
            "Usage: metadex-indexer --db DIR --brokers HOST:PORT[,..] --topic T[,T2..] "
            "[OPTION]...\n"
            "Consumes DataHub metadata events (one JSON event per message) from Kafka into\n"
            "the index. Each batch is committed together with the offsets it covers, so a\n"
            "restart (even after kill -9) resumes exactly where the index stands.\n\n"
            "  --db DIR                the index (created if absent)\n"
            "  --brokers LIST          bootstrap brokers, HOST:PORT[,HOST:PORT..]\n"
            "  --topic T[,T2..]        topics to consume (repeatable)\n"
            "  --group G               consumer group (default " KAFKA_DEFAULT_GROUP ")\n"
            "  --commit-every N        commit after N events (default %d)\n"
            "  --commit-ms MS          ...or MS milliseconds after a batch's first event,\n"
            "                          whichever comes first (default %d)\n"
            "  --dead-letter-topic T   send unusable events to topic T, with the reason\n"
            "  --dead-letter FILE      append unusable events to FILE (JSON lines)\n"
            "  --status-listen ADDR    serve /healthz and /metrics on ADDR (HOST:PORT)\n"
            "  -X KEY=VALUE            extra librdkafka setting (repeatable)\n"
            "  --quiet                 log warnings and errors only\n"
            "  --help, --version\n\n"
            "SIGTERM or SIGINT: finish and commit the batch, leave the group, exit 0.\n"
            "A second signal gives up waiting for unreachable brokers.\n",
            KAFKA_DEFAULT_COMMIT_EVERY, KAFKA_DEFAULT_COMMIT_MS);
}

/* Parses a positive decimal into *out (at most max). */
static int kafka_parse_long(const char *opt, const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < 1 || v > max) {
        fprintf(stderr, "metadex-indexer: %s wants a number from 1 to %ld, not '%s'\n", opt, max,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Adds the comma-separated topics of `list`. */
static int kafka_add_topics(kafka_opts *o, const char *list)
{
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 0 || n > KAFKA_TOPIC_MAX_LEN) {
            fprintf(stderr, "metadex-indexer: bad --topic '%s' (empty or longer than %d)\n", list,
                    KAFKA_TOPIC_MAX_LEN);
            return -1;
        }
        if (o->ntopics == KAFKA_MAX_TOPICS) {
            fprintf(stderr, "metadex-indexer: more than %d topics\n", KAFKA_MAX_TOPICS);
            return -1;
        }
        char *t = strndup(p, n);
        if (!t)
            return -1;
        o->topics[o->ntopics++] = t;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* Returns 0 to run, 1 when --help/--version was answered, -1 on a usage error. */
static int kafka_parse(int argc, char **argv, kafka_opts *o)
{
    enum {
        OPT_DB = 256,
        OPT_BROKERS,
        OPT_TOPIC,
        OPT_GROUP,
        OPT_COMMIT_EVERY,
        OPT_COMMIT_MS,
        OPT_DLT,
        OPT_DLF,
        OPT_STATUS,
        OPT_QUIET,
        OPT_HELP,
        OPT_VERSION
    };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"brokers", required_argument, NULL, OPT_BROKERS},
        {"topic", required_argument, NULL, OPT_TOPIC},
        {"group", required_argument, NULL, OPT_GROUP},
        {"commit-every", required_argument, NULL, OPT_COMMIT_EVERY},
        {"commit-ms", required_argument, NULL, OPT_COMMIT_MS},
        {"dead-letter-topic", required_argument, NULL, OPT_DLT},
        {"dead-letter", required_argument, NULL, OPT_DLF},
        {"status-listen", required_argument, NULL, OPT_STATUS},
        {"kafka-property", required_argument, NULL, 'X'},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    o->group = KAFKA_DEFAULT_GROUP;
    o->commit_every = KAFKA_DEFAULT_COMMIT_EVERY;
    o->commit_ms = KAFKA_DEFAULT_COMMIT_MS;
    optind = 0; /* full re-initialisation: main may have run getopt before */
    opterr = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "X:", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_DB:
            o->db = optarg;
            break;
        case OPT_BROKERS:
            o->brokers = optarg;
            break;
        case OPT_TOPIC:
            if (kafka_add_topics(o, optarg) != 0)
                return -1;
            break;
        case OPT_GROUP:
            o->group = optarg;
            break;
        case OPT_COMMIT_EVERY:
            if (kafka_parse_long("--commit-every", optarg, 10000000, &o->commit_every) != 0)
                return -1;
            break;
        case OPT_COMMIT_MS:
            if (kafka_parse_long("--commit-ms", optarg, 3600000, &o->commit_ms) != 0)
                return -1;
            break;
        case OPT_DLT:
            o->dead_letter_topic = optarg;
            break;
        case OPT_DLF:
            o->dead_letter_file = optarg;
            break;
        case OPT_STATUS:
            o->status_listen = optarg;
            break;
        case 'X':
            if (o->nprops == KAFKA_MAX_PROPS) {
                fprintf(stderr, "metadex-indexer: more than %d -X settings\n", KAFKA_MAX_PROPS);
                return -1;
            }
            if (!strchr(optarg, '=')) {
                fprintf(stderr, "metadex-indexer: -X wants KEY=VALUE, not '%s'\n", optarg);
                return -1;
            }
            o->props[o->nprops++] = optarg;
            break;
        case OPT_QUIET:
            o->quiet = 1;
            break;
        case OPT_HELP:
            kafka_usage(stdout);
            return 1;
        case OPT_VERSION:
            printf("metadex-indexer %s\n", MDX_VERSION);
            return 1;
        default:
            kafka_usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "metadex-indexer: with --brokers, files are not read ('%s')\n",
                argv[optind]);
        return -1;
    }
    const char *missing = !o->db        ? "--db"
                          : !o->brokers ? "--brokers"
                          : !o->ntopics ? "--topic"
                                        : NULL;
    if (missing) {
        fprintf(stderr, "metadex-indexer: Kafka mode needs %s (see --help)\n", missing);
        return -1;
    }
    if (o->dead_letter_topic && o->dead_letter_file) {
        fprintf(stderr, "metadex-indexer: --dead-letter-topic and --dead-letter exclude each "
                        "other\n");
        return -1;
    }
    for (size_t i = 0; o->dead_letter_topic && i < o->ntopics; i++)
        if (strcmp(o->topics[i], o->dead_letter_topic) == 0) {
            fprintf(stderr, "metadex-indexer: the dead-letter topic '%s' is also consumed\n",
                    o->dead_letter_topic);
            return -1;
        }
    return 0;
}

static int kafka_sync_dead_letters(void *ctx, volatile sig_atomic_t *stop)
{
    return kafka_dead_letter_sync(ctx, stop);
}

/* The file's lines reach the kernel before the batch's offsets move past them. */
static int kafka_sync_dead_letter_file(void *ctx, volatile sig_atomic_t *stop)
{
    (void)stop;
    char err[512];
    if (dead_letter_flush(ctx, err, sizeof err) != 0) {
        kafka_log(KAFKA_LOG_ERROR, "dead-letter file: %s", err);
        return -1;
    }
    return 0;
}

int kafka_main(int argc, char **argv)
{
    kafka_opts o;
    memset(&o, 0, sizeof o);
    int rc = 1;
    int pr = kafka_parse(argc, argv, &o);
    kafka_metrics *metrics = NULL;
    kafka_status *status = NULL;
    kafka_dead_letter *dlt = NULL;
    dead_letter_file *dlf = NULL;
    store *s = NULL;
    kafka_consumer *consumer = NULL;
    char err[1024];
    if (pr != 0) {
        rc = pr > 0 ? 0 : 2;
        goto out;
    }
    kafka_log_set_quiet(o.quiet);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = kafka_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    metrics = kafka_metrics_new();
    if (!metrics) {
        kafka_log(KAFKA_LOG_ERROR, "out of memory");
        goto out;
    }
    if (o.status_listen) {
        status = kafka_status_start(o.status_listen, metrics, err, sizeof err);
        if (!status) {
            kafka_log(KAFKA_LOG_ERROR, "%s", err);
            goto out;
        }
        kafka_log(KAFKA_LOG_INFO, "status on http://%s/metrics", o.status_listen);
    }

    store_options sopt;
    memset(&sopt, 0, sizeof sopt);
    sopt.batch_events = (size_t)o.commit_every;
    if (o.dead_letter_topic) {
        dlt = kafka_dead_letter_new(o.brokers, o.dead_letter_topic, o.props, o.nprops, metrics, err,
                                    sizeof err);
        if (!dlt) {
            kafka_log(KAFKA_LOG_ERROR, "%s", err);
            goto out;
        }
        sopt.dead_letter = kafka_dead_letter_write;
        sopt.dead_letter_ctx = dlt;
    } else if (o.dead_letter_file) {
        dlf = dead_letter_open(o.dead_letter_file, err, sizeof err);
        if (!dlf) {
            kafka_log(KAFKA_LOG_ERROR, "%s", err);
            goto out;
        }
        sopt.dead_letter = dead_letter_write;
        sopt.dead_letter_ctx = dlf;
    }

    if (setenv("XAPIAN_FLUSH_THRESHOLD", KAFKA_FLUSH_THRESHOLD, 0) != 0) {
        kafka_log(KAFKA_LOG_ERROR, "setenv: %s", strerror(errno));
        goto out;
    }
    s = store_open(o.db, &sopt, err, sizeof err);
    if (!s) {
        kafka_log(KAFKA_LOG_ERROR, "cannot open the index %s: %s", o.db, err);
        goto out;
    }

    kafka_consumer_config cc;
    memset(&cc, 0, sizeof cc);
    cc.brokers = o.brokers;
    cc.topics = (const char *const *)o.topics;
    cc.ntopics = o.ntopics;
    cc.group = o.group;
    cc.commit_every = (size_t)o.commit_every;
    cc.commit_ms = (int)o.commit_ms;
    cc.props = o.props;
    cc.nprops = o.nprops;
    if (dlt) {
        cc.sync = kafka_sync_dead_letters;
        cc.sync_ctx = dlt;
    } else if (dlf) {
        cc.sync = kafka_sync_dead_letter_file;
        cc.sync_ctx = dlf;
    }
    consumer = kafka_consumer_new(&cc, s, metrics, err, sizeof err);
    if (!consumer) {
        kafka_log(KAFKA_LOG_ERROR, "%s", err);
        goto out;
    }
    kafka_log(KAFKA_LOG_INFO, "consuming %zu topic(s) from %s as group %s into %s", o.ntopics,
              o.brokers, o.group, o.db);
    rc = kafka_consumer_run(consumer, &kafka_stop) == 0 ? 0 : 1;
    const store_stats *st = store_get_stats(s);
    kafka_log(KAFKA_LOG_INFO,
              "stopped: %llu events read, %llu applied, %llu dead-lettered, %llu commits",
              (unsigned long long)st->events_read, (unsigned long long)st->events_applied,
              (unsigned long long)st->events_dead, (unsigned long long)st->batches);
out:
    kafka_consumer_free(consumer);
    if (s)
        store_close(s);
    kafka_dead_letter_free(dlt, 10000);
    if (dlf && dead_letter_close(dlf, err, sizeof err) != 0) {
        kafka_log(KAFKA_LOG_ERROR, "dead-letter file: %s", err);
        rc = 1;
    }
    kafka_status_stop(status);
    kafka_metrics_free(metrics);
    for (size_t i = 0; i < o.ntopics; i++)
        free(o.topics[i]);
    return rc;
}
