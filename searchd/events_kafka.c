/* events_kafka.c — the Kafka publisher of REST writes and the wait for the
 * indexer to apply them (see events_kafka.h).
 *
 * One producer serves every worker thread (librdkafka's handle is thread
 * safe). Delivery reports are served by a thread of our own that polls the
 * producer; each request counts its messages down and waits on its own
 * condition variable. librdkafka reports every message exactly once, within
 * message.timeout.ms, so a request never waits longer than that.
 */
#include "searchd/events_kafka.h"

#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "searchd/limits.h"
#include "searchd/reader.h"
#include "searchd/request.h"

#define EK_FLUSH_AT_STOP_MS 5000
#define EK_POLL_FIRST_MS 1 /* waiting for the index: first pause between looks */
#define EK_POLL_MAX_MS 5   /* ...doubling up to this */

static struct {
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    char *topic;
    pthread_t poller;
    int poller_started;
    atomic_int stop;
} g_ek;

/* One request's messages in flight. */
typedef struct ek_request {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t outstanding;
} ek_request;

/* A message's opaque: its request and item. */
typedef struct ek_msg {
    ek_request *req;
    event_item *item;
} ek_msg;

static void ek_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Delivery report (on the poller thread). */
static void ek_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    ek_msg *msg = m->_private;
    if (!msg)
        return;
    ek_request *req = msg->req;
    pthread_mutex_lock(&req->mu);
    event_item *it = msg->item;
    if (m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || m->err == RD_KAFKA_RESP_ERR_INVALID_MSG) {
        event_item_set(it, EVENT_REJECTED, "Kafka refused the event: %s", rd_kafka_err2str(m->err));
    } else if (m->err) {
        /* Possibly persisted all the same (a timeout after sending):
         * sending it again is safe, an event applies idempotently. */
        event_item_set(it, EVENT_FAILED, "not acknowledged by Kafka: %s", rd_kafka_err2str(m->err));
    } else {
        it->partition = m->partition;
        it->offset = m->offset;
        event_item_set(it, EVENT_PENDING, NULL);
    }
    if (--req->outstanding == 0)
        pthread_cond_signal(&req->cv);
    pthread_mutex_unlock(&req->mu);
}

static void *ek_poll_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_ek.stop))
        rd_kafka_poll(g_ek.rk, 100);
    return NULL;
}

static int ek_set(rd_kafka_conf_t *conf, const char *key, const char *val, char *err, size_t errlen)
{
    char kerr[512];
    if (rd_kafka_conf_set(conf, key, val, kerr, sizeof kerr) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "producer setting %s=%s: %s", key, val, kerr);
        return -1;
    }
    return 0;
}

int events_kafka_start(const char *brokers, const char *topic, const char *const *props,
                       size_t nprops, char *err, size_t errlen)
{
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%d", SD_EVENTS_DELIVERY_MS);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int bad = ek_set(conf, "bootstrap.servers", brokers, err, errlen) ||
              ek_set(conf, "client.id", "metadex-searchd", err, errlen) ||
              ek_set(conf, "enable.idempotence", "true", err, errlen) ||
              ek_set(conf, "acks", "all", err, errlen) ||
              /* Java's partitioner: the same URN lands in the same partition
               * as from DataHub's own (Java) producers. */
              ek_set(conf, "partitioner", "murmur2_random", err, errlen) ||
              /* A REST client waits for the acknowledgement: send at once. */
              ek_set(conf, "linger.ms", "0", err, errlen) ||
              ek_set(conf, "message.timeout.ms", timeout, err, errlen);
    for (size_t i = 0; !bad && i < nprops; i++) {
        const char *eq = strchr(props[i], '=');
        if (!eq || eq == props[i]) {
            snprintf(err, errlen, "--producer-property wants KEY=VALUE (got '%s')", props[i]);
            bad = 1;
            break;
        }
        char key[256];
        size_t kl = (size_t)(eq - props[i]);
        if (kl >= sizeof key) {
            snprintf(err, errlen, "--producer-property: key too long in '%.60s...'", props[i]);
            bad = 1;
            break;
        }
        memcpy(key, props[i], kl);
        key[kl] = '\0';
        bad = ek_set(conf, key, eq + 1, err, errlen);
    }
    if (bad) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, ek_on_delivery);
    char kerr[512];
    g_ek.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof kerr);
    if (!g_ek.rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "cannot create the Kafka producer: %s", kerr);
        return -1;
    }
    g_ek.rkt = rd_kafka_topic_new(g_ek.rk, topic, NULL);
    g_ek.topic = strdup(topic);
    if (!g_ek.rkt || !g_ek.topic) {
        snprintf(err, errlen, "topic %s: %s", topic,
                 g_ek.rkt ? "out of memory" : rd_kafka_err2str(rd_kafka_last_error()));
        events_kafka_stop();
        return -1;
    }
    atomic_store(&g_ek.stop, 0);
    int rc = pthread_create(&g_ek.poller, NULL, ek_poll_main, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the producer's thread: %s", strerror(rc));
        events_kafka_stop();
        return -1;
    }
    g_ek.poller_started = 1;
    return 0;
}

void events_kafka_stop(void)
{
    if (g_ek.rk) {
        if (g_ek.poller_started) {
            rd_kafka_resp_err_t e = rd_kafka_flush(g_ek.rk, EK_FLUSH_AT_STOP_MS);
            if (e)
                fprintf(stderr, "metadex-searchd: Kafka producer: %s at stop\n",
                        rd_kafka_err2str(e));
            atomic_store(&g_ek.stop, 1);
            pthread_join(g_ek.poller, NULL);
            g_ek.poller_started = 0;
        }
        if (g_ek.rkt)
            rd_kafka_topic_destroy(g_ek.rkt);
        rd_kafka_destroy(g_ek.rk);
    }
    free(g_ek.topic);
    memset(&g_ek, 0, sizeof g_ek);
}

void events_kafka_publish(event_item *items, size_t n)
{
    ek_request req = {.outstanding = 0};
    ek_msg *msgs = calloc(n ? n : 1, sizeof *msgs);
    if (!msgs) {
        for (size_t i = 0; i < n; i++)
            if (items[i].status == EVENT_VALID)
                event_item_set(&items[i], EVENT_FAILED, "out of memory");
        return;
    }
    pthread_mutex_init(&req.mu, NULL);
    pthread_cond_init(&req.cv, NULL);
    double deadline = req_now_ms() + SD_EVENTS_DELIVERY_MS;
    for (size_t i = 0; i < n; i++) {
        event_item *it = &items[i];
        if (it->status != EVENT_VALID)
            continue;
        msgs[i].req = &req;
        msgs[i].item = it;
        /* Counted before producing: the report may come at once. */
        pthread_mutex_lock(&req.mu);
        req.outstanding++;
        pthread_mutex_unlock(&req.mu);
        int rc;
        for (;;) {
            rc = rd_kafka_produce(g_ek.rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                  (void *)it->raw, it->rawlen, it->urn, strlen(it->urn), &msgs[i]);
            /* A full local queue drains as the brokers acknowledge. */
            if (rc == 0 || rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
                req_now_ms() > deadline)
                break;
            ek_sleep_ms(2);
        }
        if (rc != 0) {
            rd_kafka_resp_err_t e = rd_kafka_last_error();
            pthread_mutex_lock(&req.mu);
            req.outstanding--;
            if (e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
                event_item_set(it, EVENT_REJECTED,
                               "event of %zu bytes is larger than Kafka takes (message.max.bytes)",
                               it->rawlen);
            else
                event_item_set(it, EVENT_FAILED, "not published: %s", rd_kafka_err2str(e));
            pthread_mutex_unlock(&req.mu);
        }
    }
    pthread_mutex_lock(&req.mu);
    while (req.outstanding > 0)
        pthread_cond_wait(&req.cv, &req.mu);
    pthread_mutex_unlock(&req.mu);
    pthread_cond_destroy(&req.cv);
    pthread_mutex_destroy(&req.mu);
    free(msgs);
}

/* The index's stored next offset of `partition` (-1 when none is stored)
 * as of the reader's revision. 0, or -1 on an error. */
static int ek_stored_offset(reader *rd, int32_t partition, int64_t *out)
{
    char key[512];
    int kl = snprintf(key, sizeof key, "offset/%s/%" PRId32, g_ek.topic, partition);
    if (kl < 0 || (size_t)kl >= sizeof key)
        return -1;
    for (int attempt = 0; attempt <= SD_MODIFIED_RETRIES; attempt++) {
        char *val = NULL, err[256];
        size_t len = 0;
        xap_err xe = {0};
        if (xap_db_get_metadata(rd->db, key, &val, &len, &xe) != XAP_OK) {
            if (xe.code != XAP_E_MODIFIED || reader_refresh(rd, err, sizeof err) != READER_OK)
                return -1;
            continue;
        }
        *out = -1;
        if (len > 0) {
            char *end;
            long long v = strtoll(val, &end, 10);
            if (end != val && *end == '\0' && v >= 0)
                *out = v;
        }
        free(val);
        return 0;
    }
    return -1;
}

/* One look at the index: marks the pending items it holds. Returns the
 * number still pending. */
static size_t ek_look(event_item *items, size_t n, int32_t *parts, int64_t *stored, size_t nparts)
{
    reader *rd = NULL;
    char err[512];
    if (reader_get(&rd, err, sizeof err) != READER_OK)
        return n; /* no index yet, or unreadable for now: still pending */
    for (size_t k = 0; k < nparts; k++)
        if (ek_stored_offset(rd, parts[k], &stored[k]) != 0)
            stored[k] = -1;
    size_t left = 0;
    for (size_t i = 0; i < n; i++) {
        event_item *it = &items[i];
        if (it->status != EVENT_PENDING)
            continue;
        size_t k = 0;
        while (k < nparts && parts[k] != it->partition)
            k++;
        if (k < nparts && stored[k] > it->offset)
            event_item_set(it, EVENT_APPLIED, NULL);
        else
            left++;
    }
    return left;
}

void events_kafka_wait(event_item *items, size_t n, long timeout_ms)
{
    /* The partitions published to (a request's events span few). */
    int32_t *parts = calloc(n ? n : 1, sizeof *parts);
    int64_t *stored = calloc(n ? n : 1, sizeof *stored);
    if (!parts || !stored) {
        free(parts);
        free(stored);
        return; /* they stay pending: the answer says so */
    }
    size_t nparts = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].status != EVENT_PENDING)
            continue;
        size_t k = 0;
        while (k < nparts && parts[k] != items[i].partition)
            k++;
        if (k == nparts)
            parts[nparts++] = items[i].partition;
    }
    double deadline = req_now_ms() + (double)timeout_ms;
    long pause = EK_POLL_FIRST_MS;
    while (nparts > 0 && ek_look(items, n, parts, stored, nparts) > 0) {
        double left = deadline - req_now_ms();
        if (left <= 0)
            break;
        ek_sleep_ms(pause < left ? pause : (long)left + 1);
        pause = pause * 2 > EK_POLL_MAX_MS ? EK_POLL_MAX_MS : pause * 2;
    }
    free(parts);
    free(stored);
}
