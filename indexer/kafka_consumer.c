/* kafka_consumer.c — the consumer-group member that feeds the index with
 * exactly-once effect (see kafka_consumer.h for the contract). */
#include "indexer/kafka_consumer.h"

#include <inttypes.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "indexer/kafka_log.h"

#define LOG_EVERY_MS 10000    /* rate limit of repeated conditions */
#define POLL_MAX_MS 100       /* how long one poll may block: signals are seen this fast */
#define PUBLISH_EVERY_MS 1000 /* watermarks and counters to the metrics */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
/* How long leaving may wait on the brokers at a stop (the group offset
 * commit and the group leave together). The index already holds every
 * offset, so nothing is lost by giving up: a stop must end soon even when
 * no broker answers, whether or not that has been noticed yet. */
#define EXIT_BROKER_WAIT_MS 3000

/* One topic-partition this consumer has seen. */
typedef struct tp_state {
    char *topic;
    int32_t partition;
    int assigned;
    int64_t position;     /* next offset to apply: the index's stored offset, -1 unknown */
    int64_t batch_first;  /* first offset fed into the pending batch, -1 none */
    int64_t batch_next;   /* offset after the last one fed into the batch, -1 none */
    int64_t flight_first; /* the same for the batch being written */
    int64_t flight_next;
    int64_t high; /* high watermark, -1 unknown */
} tp_state;

struct kafka_consumer {
    kafka_consumer_config cfg;
    store *store;
    kafka_metrics *metrics;
    rd_kafka_t *rk;
    volatile sig_atomic_t *stop;

    tp_state *tps;
    size_t ntps, captps;
    size_t last_tp; /* cache: messages come in runs of one partition */

    size_t batch_msgs;        /* messages fed since the last commit */
    long long batch_start_ms; /* when the batch's first message arrived */
    int commit_due;           /* the store said the batch is full */
    int in_flight;            /* a batch handed to the store's writer, result not taken */
    int fatal;                /* a fatal error: stop without committing */
    int backoff_ms;           /* after a failed commit */
    int brokers_down;         /* every broker unreachable, as last heard */
    int exit_commit_done;     /* the group offset commit at exit was answered */
    int close_abandoned;      /* leaving the group did not finish in time */

    kafka_counters counters;
};

/* ---- partitions --------------------------------------------------------- */

static tp_state *tp_find(kafka_consumer *c, const char *topic, int32_t partition)
{
    if (c->last_tp < c->ntps) {
        tp_state *t = &c->tps[c->last_tp];
        if (t->partition == partition && strcmp(t->topic, topic) == 0)
            return t;
    }
    for (size_t i = 0; i < c->ntps; i++)
        if (c->tps[i].partition == partition && strcmp(c->tps[i].topic, topic) == 0) {
            c->last_tp = i;
            return &c->tps[i];
        }
    return NULL;
}

/* The state of topic/partition, created (position from the index) if new. */
static tp_state *tp_get(kafka_consumer *c, const char *topic, int32_t partition)
{
    tp_state *t = tp_find(c, topic, partition);
    if (t)
        return t;
    if (c->ntps == c->captps) {
        size_t cap = c->captps ? c->captps * 2 : 16;
        tp_state *n = realloc(c->tps, cap * sizeof *n);
        if (!n)
            return NULL;
        c->tps = n;
        c->captps = cap;
    }
    char *name = strdup(topic);
    if (!name)
        return NULL;
    t = &c->tps[c->ntps];
    t->topic = name;
    t->partition = partition;
    t->assigned = 0;
    t->position = store_committed_offset(c->store, topic, partition);
    t->batch_first = t->batch_next = t->flight_first = t->flight_next = -1;
    t->high = -1;
    c->last_tp = c->ntps++;
    return t;
}

/* ---- metrics ------------------------------------------------------------ */

static void consumer_publish(kafka_consumer *c)
{
    const store_stats *st = store_get_stats(c->store);
    uint32_t assigned = 0;
    for (size_t i = 0; i < c->ntps; i++) {
        tp_state *t = &c->tps[i];
        if (t->assigned) {
            int64_t lo = -1, hi = -1;
            /* Cached from the last fetch: no network round trip here. */
            if (rd_kafka_get_watermark_offsets(c->rk, t->topic, t->partition, &lo, &hi) ==
                    RD_KAFKA_RESP_ERR_NO_ERROR &&
                hi >= 0)
                t->high = hi;
            assigned++;
        }
        if (kafka_metrics_set_partition(c->metrics, t->topic, t->partition, t->position, t->high,
                                        t->assigned) != 0)
            kafka_log_limited(KAFKA_LOG_WARN, "metrics-oom", LOG_EVERY_MS,
                              "out of memory updating partition metrics");
    }
    c->counters.events_applied = st->events_applied;
    c->counters.events_dead = st->events_dead;
    c->counters.batches = st->batches;
    /* These two wait for the store's writer: asked only when it is idle,
     * never in the middle of a pipelined write (they keep their last value). */
    if (!c->in_flight) {
        c->counters.entities = store_entity_count(c->store);
        c->counters.revision = store_revision(c->store);
    }
    c->counters.partitions_assigned = assigned;
    kafka_metrics_set(c->metrics, &c->counters);
}

/* ---- batches ------------------------------------------------------------ */

/* Sleeps up to ms, returning early when a stop is requested. */
static void consumer_sleep(kafka_consumer *c, int ms)
{
    while (ms > 0 && !*c->stop) {
        int step = ms < 50 ? ms : 50;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* The batch in flight is in the index: its offsets become the partitions'
 * positions, and Kafka hears of them (for lag tools). */
static void consumer_flight_done(kafka_consumer *c)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
    for (size_t i = 0; i < c->ntps; i++) {
        tp_state *t = &c->tps[i];
        if (t->flight_next < 0)
            continue;
        t->position = t->flight_next;
        if (t->assigned)
            rd_kafka_topic_partition_list_add(list, t->topic, t->partition)->offset = t->position;
        t->flight_first = t->flight_next = -1;
    }
    if (list->cnt > 0) {
        /* Asynchronous: the index already holds the truth; a failed group
         * commit only makes lag tools lag (offset_commit_cb logs it). */
        rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, list, 1);
        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
            kafka_log_limited(KAFKA_LOG_WARN, "group-commit", LOG_EVERY_MS,
                              "consumer group offset commit: %s", rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(list);
    c->in_flight = 0;
    c->backoff_ms = BACKOFF_MIN_MS;
    /* The writer's own duration of the transaction (store stats). */
    kafka_metrics_observe_commit(c->metrics, store_get_stats(c->store)->last_commit_ms / 1000.0);
    c->counters.last_commit_time = kafka_wall_seconds();
}

/* A commit failed: nothing of the batch (nor perhaps of the one in flight)
 * is in the index, and the store has dropped both. The index is the truth:
 * each partition involved is read again from its stored offset (or, when it
 * has none yet, from the first message the store was given). */
static void consumer_recover(kafka_consumer *c, const char *why)
{
    kafka_log_limited(KAFKA_LOG_ERROR, "commit-failed", LOG_EVERY_MS,
                      "index commit failed (its events will be read again): %s", why);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
    for (size_t i = 0; i < c->ntps; i++) {
        tp_state *t = &c->tps[i];
        if (t->flight_first < 0 && t->batch_first < 0)
            continue;
        int64_t from = store_committed_offset(c->store, t->topic, t->partition);
        t->position = from;
        if (from < 0)
            from = t->flight_first >= 0 ? t->flight_first : t->batch_first;
        if (t->assigned)
            rd_kafka_topic_partition_list_add(list, t->topic, t->partition)->offset = from;
        t->flight_first = t->flight_next = t->batch_first = t->batch_next = -1;
    }
    if (list->cnt > 0) {
        rd_kafka_error_t *e = rd_kafka_seek_partitions(c->rk, list, 10000);
        if (e) {
            kafka_log(KAFKA_LOG_ERROR, "cannot rewind after a failed commit: %s",
                      rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            c->fatal = 1;
        }
        for (int i = 0; i < list->cnt && !c->fatal; i++)
            if (list->elems[i].err) {
                kafka_log(KAFKA_LOG_ERROR, "cannot rewind %s [%" PRId32 "]: %s",
                          list->elems[i].topic, list->elems[i].partition,
                          rd_kafka_err2str(list->elems[i].err));
                c->fatal = 1;
            }
    }
    rd_kafka_topic_partition_list_destroy(list);
    c->batch_msgs = 0;
    c->commit_due = 0;
    c->in_flight = 0;
    consumer_sleep(c, c->backoff_ms);
    c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
}

/* Commits the pending batch with its offsets in one index transaction.
 * Pipelined: the store writes it on its own thread while the next batch is
 * read, and the result comes with the next hand-over; `wait` also waits for
 * the write (used when the batch was closed by time, on revocation and at
 * exit). Returns 0, or -1 when not committed (rewound for a retry, or fatal). */
static int consumer_commit(kafka_consumer *c, int wait)
{
    char err[1024];
    if (c->batch_msgs > 0) {
        for (size_t i = 0; i < c->ntps; i++) {
            tp_state *t = &c->tps[i];
            if (t->batch_next >= 0 &&
                store_note_offset(c->store, t->topic, t->partition, t->batch_next) != 0) {
                kafka_log(KAFKA_LOG_ERROR, "cannot note offset %s [%" PRId32 "] %" PRId64, t->topic,
                          t->partition, t->batch_next);
                c->fatal = 1;
                return -1;
            }
        }
        if (c->cfg.sync && c->cfg.sync(c->cfg.sync_ctx, c->stop) != 0) {
            /* Dead letters could not be made durable (the operator insisted
             * on stopping): leave the batch uncommitted for a restart. */
            kafka_log(KAFKA_LOG_WARN,
                      "stopping without committing the last %zu event(s); they will be "
                      "read again on restart",
                      c->batch_msgs);
            c->fatal = 1;
            return -1;
        }
        if (store_commit_async(c->store, err, sizeof err) != 0) {
            consumer_recover(c, err);
            return -1;
        }
        if (c->in_flight) /* the hand-over returned the previous batch's result */
            consumer_flight_done(c);
        for (size_t i = 0; i < c->ntps; i++) {
            tp_state *t = &c->tps[i];
            t->flight_first = t->batch_first;
            t->flight_next = t->batch_next;
            t->batch_first = t->batch_next = -1;
        }
        c->in_flight = 1;
        c->batch_msgs = 0;
        c->commit_due = 0;
    }
    if (wait && c->in_flight) {
        if (store_sync(c->store, err, sizeof err) != 0) {
            consumer_recover(c, err);
            return -1;
        }
        consumer_flight_done(c);
    }
    consumer_publish(c);
    return 0;
}

/* ---- librdkafka callbacks ------------------------------------------------ */

static void consumer_assign(kafka_consumer *c, rd_kafka_topic_partition_list_t *parts,
                            int cooperative)
{
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];
        tp_state *t = tp_get(c, p->topic, p->partition);
        if (!t) {
            kafka_log(KAFKA_LOG_ERROR, "out of memory on assignment");
            c->fatal = 1;
            break;
        }
        t->assigned = 1;
        t->position = store_committed_offset(c->store, p->topic, p->partition);
        t->batch_first = t->batch_next = t->flight_first = t->flight_next = -1;
        /* The index's offset wins; without one, INVALID makes librdkafka use
         * the group's committed offset, then auto.offset.reset=earliest. */
        p->offset = t->position >= 0 ? t->position : RD_KAFKA_OFFSET_INVALID;
        if (t->position >= 0)
            kafka_log(KAFKA_LOG_INFO,
                      "assigned %s [%" PRId32 "] at offset %" PRId64 " (stored in the index)",
                      p->topic, p->partition, t->position);
        else
            kafka_log(KAFKA_LOG_INFO,
                      "assigned %s [%" PRId32
                      "] (no offset in the index: group offset, else earliest)",
                      p->topic, p->partition);
    }
    rd_kafka_error_t *e = NULL;
    rd_kafka_resp_err_t re = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (cooperative)
        e = rd_kafka_incremental_assign(c->rk, parts);
    else
        re = rd_kafka_assign(c->rk, parts);
    if (e || re) {
        kafka_log(KAFKA_LOG_ERROR, "assign failed: %s",
                  e ? rd_kafka_error_string(e) : rd_kafka_err2str(re));
        if (e)
            rd_kafka_error_destroy(e);
        c->fatal = 1;
    }
}

static void consumer_revoke(kafka_consumer *c, rd_kafka_topic_partition_list_t *parts,
                            int cooperative)
{
    /* The batch may cover revoked partitions: commit it while they are
     * still ours, so their next owner starts after it. */
    if ((c->batch_msgs > 0 || c->in_flight) && !c->fatal && consumer_commit(c, 1) != 0)
        kafka_log(KAFKA_LOG_WARN, "batch not committed before revocation; "
                                  "its events will be read again");
    for (int i = 0; i < parts->cnt; i++) {
        tp_state *t = tp_find(c, parts->elems[i].topic, parts->elems[i].partition);
        if (t) {
            t->assigned = 0;
            t->batch_first = t->batch_next = t->flight_first = t->flight_next = -1;
        }
        kafka_log(KAFKA_LOG_INFO, "revoked %s [%" PRId32 "]", parts->elems[i].topic,
                  parts->elems[i].partition);
    }
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(c->rk, parts);
        if (e) {
            kafka_log(KAFKA_LOG_ERROR, "unassign failed: %s", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_assign(c->rk, NULL);
    }
    consumer_publish(c);
}

static void consumer_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    kafka_consumer *c = opaque;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    switch (err) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        consumer_assign(c, parts, cooperative);
        break;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        consumer_revoke(c, parts, cooperative);
        break;
    default:
        /* Whatever went wrong, the batch must not outlive the assignment
         * its offsets belong to: commit it, then give everything up. */
        kafka_log(KAFKA_LOG_ERROR, "rebalance failed: %s", rd_kafka_err2str(err));
        if ((c->batch_msgs > 0 || c->in_flight) && !c->fatal)
            (void)consumer_commit(c, 1);
        for (size_t i = 0; i < c->ntps; i++)
            c->tps[i].assigned = 0;
        if (cooperative) {
            rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
            if (e)
                rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, NULL);
        }
        break;
    }
    consumer_publish(c);
}

static void consumer_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    kafka_consumer *c = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[512];
        rd_kafka_fatal_error(rk, why, sizeof why);
        kafka_log(KAFKA_LOG_ERROR, "fatal Kafka error: %s", why);
        c->fatal = 1;
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        c->brokers_down = 1;
        kafka_metrics_set_brokers_up(c->metrics, 0);
    }
    /* librdkafka reconnects by itself with backoff; we say so, not too often. */
    kafka_log_limited(KAFKA_LOG_WARN, rd_kafka_err2name(err), LOG_EVERY_MS, "Kafka: %s (retrying)",
                      reason);
}

static void consumer_librdkafka_log(const rd_kafka_t *rk, int level, const char *fac,
                                    const char *buf)
{
    (void)rk;
    /* -X settings go to the dead-letter producer too: producer-only ones
     * are expected here. */
    if (strcmp(fac, "CONFWARN") == 0 && strstr(buf, "is a producer property"))
        return;
    if (level >= 7) { /* debug output asked for with -X debug=...: keep it all */
        kafka_log(KAFKA_LOG_INFO, "%s: %s", fac, buf);
        return;
    }
    kafka_log_limited(level <= 4 ? KAFKA_LOG_WARN : KAFKA_LOG_INFO, fac, LOG_EVERY_MS,
                      "Kafka %s: %s", fac, buf);
}

static void consumer_offsets_committed(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                       rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    (void)offsets;
    (void)opaque;
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        kafka_log_limited(KAFKA_LOG_WARN, "group-commit", LOG_EVERY_MS,
                          "consumer group offset commit (for lag tools): %s",
                          rd_kafka_err2str(err));
}

/* Statistics (every few seconds): whether any broker is up, for /healthz. */
static int consumer_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    (void)rk;
    kafka_consumer *c = opaque;
    json_error_t jerr;
    json_t *o = json_loadb(json, len, 0, &jerr);
    if (!o)
        return 0;
    json_t *brokers = json_object_get(o, "brokers"), *b;
    const char *name;
    int up = 0;
    json_object_foreach(brokers, name, b)
    {
        const char *state = json_string_value(json_object_get(b, "state"));
        if (state && strcmp(state, "UP") == 0)
            up = 1;
    }
    kafka_metrics_set_brokers_up(c->metrics, up);
    c->brokers_down = !up;
    json_decref(o);
    return 0; /* librdkafka frees json */
}

/* ---- setup ------------------------------------------------------------- */

static int conf_set(rd_kafka_conf_t *conf, const char *key, const char *val, char *err,
                    size_t errlen)
{
    char why[256];
    if (rd_kafka_conf_set(conf, key, val, why, sizeof why) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "Kafka setting %s=%s: %s", key, val, why);
        return -1;
    }
    return 0;
}

kafka_consumer *kafka_consumer_new(const kafka_consumer_config *cfg, store *s,
                                   kafka_metrics *metrics, char *err, size_t errlen)
{
    kafka_consumer *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = *cfg;
    c->store = s;
    c->metrics = metrics;
    c->backoff_ms = BACKOFF_MIN_MS;

    /* A fetch waits at most a fraction of the commit interval for data, so
     * an event at a trickle still reaches the index within about commit_ms. */
    int fetch_wait = cfg->commit_ms / 4;
    if (fetch_wait < 10)
        fetch_wait = 10;
    if (fetch_wait > 500)
        fetch_wait = 500;
    char fetch_wait_s[16];
    snprintf(fetch_wait_s, sizeof fetch_wait_s, "%d", fetch_wait);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf_set(conf, "bootstrap.servers", cfg->brokers, err, errlen) ||
        conf_set(conf, "group.id", cfg->group, err, errlen) ||
        conf_set(conf, "client.id", "metadex-indexer", err, errlen) ||
        conf_set(conf, "enable.auto.commit", "false", err, errlen) ||
        conf_set(conf, "enable.auto.offset.store", "false", err, errlen) ||
        conf_set(conf, "auto.offset.reset", "earliest", err, errlen) ||
        conf_set(conf, "enable.partition.eof", "false", err, errlen) ||
        conf_set(conf, "isolation.level", "read_committed", err, errlen) ||
        /* One writer per index: after a crash its successor should get the
         * partitions back soon, not after the 45 s default. */
        conf_set(conf, "session.timeout.ms", "10000", err, errlen) ||
        conf_set(conf, "fetch.wait.max.ms", fetch_wait_s, err, errlen) ||
        conf_set(conf, "statistics.interval.ms", "5000", err, errlen))
        goto fail;
    for (size_t i = 0; i < cfg->nprops; i++) {
        const char *eq = strchr(cfg->props[i], '=');
        char key[256];
        if (!eq || eq == cfg->props[i] || (size_t)(eq - cfg->props[i]) >= sizeof key) {
            snprintf(err, errlen, "bad -X '%s' (want key=value)", cfg->props[i]);
            goto fail;
        }
        memcpy(key, cfg->props[i], (size_t)(eq - cfg->props[i]));
        key[eq - cfg->props[i]] = '\0';
        if (strcmp(key, "enable.auto.commit") == 0 ||
            strcmp(key, "enable.auto.offset.store") == 0) {
            snprintf(err, errlen, "-X %s cannot be changed: offsets live in the index", key);
            goto fail;
        }
        if (conf_set(conf, key, eq + 1, err, errlen))
            goto fail;
    }
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_rebalance_cb(conf, consumer_rebalance);
    rd_kafka_conf_set_error_cb(conf, consumer_error);
    rd_kafka_conf_set_log_cb(conf, consumer_librdkafka_log);
    rd_kafka_conf_set_offset_commit_cb(conf, consumer_offsets_committed);
    rd_kafka_conf_set_stats_cb(conf, consumer_stats);

    char why[512];
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!c->rk) {
        snprintf(err, errlen, "Kafka consumer: %s", why);
        goto fail;
    }
    conf = NULL; /* owned by rk now */
    /* Callbacks, rebalances included, are served by rd_kafka_consumer_poll. */
    rd_kafka_poll_set_consumer(c->rk);

    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new((int)cfg->ntopics);
    for (size_t i = 0; i < cfg->ntopics; i++)
        rd_kafka_topic_partition_list_add(subs, cfg->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c->rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e) {
        snprintf(err, errlen, "subscribe: %s", rd_kafka_err2str(e));
        goto fail;
    }
    return c;
fail:
    if (conf)
        rd_kafka_conf_destroy(conf);
    if (c->rk)
        rd_kafka_destroy(c->rk);
    free(c);
    return NULL;
}

/* ---- the loop ---------------------------------------------------------- */

static void consumer_message(kafka_consumer *c, rd_kafka_message_t *m)
{
    if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            return;
        const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "-";
        kafka_log_limited(KAFKA_LOG_WARN, rd_kafka_err2name(m->err), LOG_EVERY_MS,
                          "consume error on %s [%" PRId32 "]: %s", topic, m->partition,
                          rd_kafka_message_errstr(m));
        if (m->err == RD_KAFKA_RESP_ERR__FATAL)
            c->fatal = 1;
        return;
    }
    kafka_metrics_set_brokers_up(c->metrics, 1);
    c->brokers_down = 0;
    const char *topic = rd_kafka_topic_name(m->rkt);
    tp_state *t = tp_get(c, topic, m->partition);
    if (!t) {
        kafka_log(KAFKA_LOG_ERROR, "out of memory");
        c->fatal = 1;
        return;
    }
    /* Already in the index (a replay after a seek or a restart): skipping
     * it is what makes the effect exactly-once. */
    if ((t->position >= 0 && m->offset < t->position) ||
        (t->flight_next >= 0 && m->offset < t->flight_next) ||
        (t->batch_next >= 0 && m->offset < t->batch_next)) {
        c->counters.events_skipped++;
        return;
    }
    store_origin origin = {"kafka", topic, m->partition, m->offset};
    char err[512];
    const char *data = m->payload ? (const char *)m->payload : "";
    int rc = store_feed(c->store, data, m->payload ? m->len : 0, &origin, err, sizeof err);
    if (rc < 0) {
        kafka_log(KAFKA_LOG_ERROR, "indexing %s [%" PRId32 "] offset %" PRId64 ": %s", topic,
                  m->partition, m->offset, err);
        c->fatal = 1;
        return;
    }
    c->counters.events_consumed++;
    if (c->batch_msgs == 0)
        c->batch_start_ms = kafka_now_ms();
    c->batch_msgs++;
    if (t->batch_first < 0)
        t->batch_first = m->offset;
    t->batch_next = m->offset + 1;
    if (rc == 2)
        c->commit_due = 1;
}

static void consumer_exit_committed(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                    rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    (void)offsets;
    kafka_consumer *c = opaque;
    c->exit_commit_done = 1;
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        kafka_log(KAFKA_LOG_WARN, "consumer group offset commit at exit: %s",
                  rd_kafka_err2str(err));
}

/* Commits the group's offsets (for lag tools) when commit_group, then
 * leaves the group, both served on a queue of our own so that neither may
 * wait past EXIT_BROKER_WAIT_MS. The blocking forms (rd_kafka_commit,
 * rd_kafka_consumer_close) wait for the coordinator as long as the socket
 * timeout when the brokers have just gone. */
static void consumer_leave(kafka_consumer *c, int commit_group)
{
    long long deadline = kafka_now_ms() + EXIT_BROKER_WAIT_MS;
    rd_kafka_queue_t *q = rd_kafka_queue_new(c->rk);
    if (commit_group) {
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
        for (size_t i = 0; i < c->ntps; i++)
            if (c->tps[i].assigned && c->tps[i].position >= 0)
                rd_kafka_topic_partition_list_add(list, c->tps[i].topic, c->tps[i].partition)
                    ->offset = c->tps[i].position;
        if (list->cnt > 0) {
            rd_kafka_resp_err_t e =
                rd_kafka_commit_queue(c->rk, list, q, consumer_exit_committed, c);
            if (e)
                kafka_log(KAFKA_LOG_WARN, "consumer group offset commit at exit: %s",
                          rd_kafka_err2str(e));
            while (!e && !c->exit_commit_done && kafka_now_ms() < deadline)
                rd_kafka_queue_poll_callback(q, POLL_MAX_MS);
            if (!e && !c->exit_commit_done)
                kafka_log(KAFKA_LOG_WARN, "consumer group offset commit at exit: no answer "
                                          "from the coordinator; lag tools will see the "
                                          "group's offsets behind the index's");
        }
        rd_kafka_topic_partition_list_destroy(list);
    }
    rd_kafka_error_t *e = rd_kafka_consumer_close_queue(c->rk, q);
    if (e) {
        kafka_log(KAFKA_LOG_WARN, "leaving the consumer group: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        c->close_abandoned = 1;
    } else {
        /* Rebalance callbacks of the leave are served here. */
        while (!rd_kafka_consumer_closed(c->rk) && kafka_now_ms() < deadline)
            rd_kafka_queue_poll_callback(q, POLL_MAX_MS);
        if (!rd_kafka_consumer_closed(c->rk)) {
            kafka_log(KAFKA_LOG_WARN, "leaving the consumer group: no answer in %d ms; the "
                                      "group drops this member when its session times out",
                      EXIT_BROKER_WAIT_MS);
            c->close_abandoned = 1;
        }
    }
    rd_kafka_queue_destroy(q);
}

int kafka_consumer_run(kafka_consumer *c, volatile sig_atomic_t *stop)
{
    c->stop = stop;
    long long next_publish = kafka_now_ms();
    while (!*stop && !c->fatal) {
        long long now = kafka_now_ms();
        int timeout = POLL_MAX_MS;
        if (c->batch_msgs > 0) {
            long long left = c->batch_start_ms + c->cfg.commit_ms - now;
            timeout = left <= 0 ? 0 : (left < POLL_MAX_MS ? (int)left : POLL_MAX_MS);
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, timeout);
        if (m) {
            consumer_message(c, m);
            rd_kafka_message_destroy(m);
        }
        if (c->fatal)
            break;
        now = kafka_now_ms();
        /* Handed over, a batch is written on the store's thread while the
         * next one is read; it is searchable as soon as that write ends.
         * (Holding a due batch open while the writer is busy was measured:
         * its documents are then built after that write instead of during
         * it, and latency under load doubled.) */
        if (c->batch_msgs > 0 && (c->commit_due || c->batch_msgs >= c->cfg.commit_every ||
                                  now - c->batch_start_ms >= c->cfg.commit_ms))
            consumer_commit(c, 0);
        else if (!m && c->in_flight && !store_writing(c->store))
            consumer_commit(c, 1); /* idle: take the finished write's result */
        if (now >= next_publish) {
            consumer_publish(c);
            next_publish = now + PUBLISH_EVERY_MS;
        }
    }
    kafka_metrics_set_running(c->metrics, 0);

    /* Finish the batch. If that commit fails its events are not lost: the
     * index's offsets have not moved past them, a restart reads them again. */
    int rc = 0;
    if (!c->fatal && (c->batch_msgs > 0 || c->in_flight) && consumer_commit(c, 1) != 0) {
        kafka_log(KAFKA_LOG_ERROR, "the last batch is not committed; its events will be "
                                   "read again on restart");
        rc = -1;
    }
    if (c->fatal)
        rc = -1;
    if (rc == 0 && c->brokers_down)
        kafka_log(KAFKA_LOG_WARN, "brokers unreachable: the consumer group's offsets (for lag "
                                  "tools) stay behind the index's");
    /* Leaves the group; the revocation it triggers finds no batch left (or,
     * after a fatal error, must not commit one: store_close drops it). */
    c->batch_msgs = 0;
    c->fatal = c->fatal || rc != 0;
    consumer_leave(c, rc == 0 && !c->brokers_down);
    consumer_publish(c);
    return rc;
}

void kafka_consumer_free(kafka_consumer *c)
{
    if (!c)
        return;
    /* An unfinished leave would otherwise be waited for again here. */
    rd_kafka_destroy_flags(c->rk, c->close_abandoned ? RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE : 0);
    for (size_t i = 0; i < c->ntps; i++)
        free(c->tps[i].topic);
    free(c->tps);
    free(c);
}
