/* kafka_dead_letter.c — a librdkafka producer that writes the store's dead
 * letters to a topic (see kafka_dead_letter.h). */
#include "indexer/kafka_dead_letter.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/kafka_log.h"

struct kafka_dead_letter {
    rd_kafka_t *rk;
    char *topic;
    kafka_metrics *metrics;
    /* Letters queued and not yet reported on. Delivery reports run inside
     * rd_kafka_poll/rd_kafka_flush, which only the consumer's thread calls. */
    long inflight;
};

/* How much of an undeliverable dead letter the log shows. */
#define DL_LOG_PREVIEW 512

static void dl_delivered(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    kafka_dead_letter *dl = opaque;
    dl->inflight--;
    if (!msg->err)
        return;
    /* Only permanent errors get here: retries have no deadline. The letter
     * is not lost silently: it goes to the log and the error is counted. */
    int n = (int)(msg->len < DL_LOG_PREVIEW ? msg->len : DL_LOG_PREVIEW);
    kafka_log(KAFKA_LOG_ERROR, "dead letter not delivered to %s: %s; letter%s: %.*s", dl->topic,
              rd_kafka_err2str(msg->err), msg->len > DL_LOG_PREVIEW ? " (first 512 bytes)" : "", n,
              (const char *)msg->payload);
    kafka_metrics_add_dead_letter_error(dl->metrics);
}

static void dl_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    /* -X settings go to the consumer and this producer alike: the ones only
     * a consumer uses are expected here, not worth a warning. */
    if (strcmp(fac, "CONFWARN") == 0 && strstr(buf, "is a consumer property"))
        return;
    if (level >= 7) {
        kafka_log(KAFKA_LOG_INFO, "dead-letter producer %s: %s", fac, buf);
        return;
    }
    kafka_log_limited(level <= 3 ? KAFKA_LOG_WARN : KAFKA_LOG_INFO, fac, 10000,
                      "dead-letter producer %s: %s", fac, buf);
}

static int dl_set(rd_kafka_conf_t *conf, const char *key, const char *val, char *err, size_t errlen)
{
    char why[256];
    if (rd_kafka_conf_set(conf, key, val, why, sizeof why) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "dead-letter producer: %s=%s: %s", key, val, why);
        return -1;
    }
    return 0;
}

kafka_dead_letter *kafka_dead_letter_new(const char *brokers, const char *topic,
                                         const char *const *props, size_t nprops,
                                         kafka_metrics *metrics, char *err, size_t errlen)
{
    kafka_dead_letter *dl = calloc(1, sizeof *dl);
    if (!dl || !(dl->topic = strdup(topic))) {
        free(dl);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    dl->metrics = metrics;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (dl_set(conf, "bootstrap.servers", brokers, err, errlen) ||
        dl_set(conf, "client.id", "metadex-indexer-dead-letter", err, errlen) ||
        dl_set(conf, "acks", "all", err, errlen) ||
        dl_set(conf, "enable.idempotence", "true", err, errlen) ||
        /* 0: no delivery deadline; an outage delays a letter, never drops it. */
        dl_set(conf, "message.timeout.ms", "0", err, errlen) ||
        dl_set(conf, "linger.ms", "5", err, errlen))
        goto fail;
    for (size_t i = 0; i < nprops; i++) {
        const char *eq = strchr(props[i], '=');
        char key[256];
        if (!eq || (size_t)(eq - props[i]) >= sizeof key) {
            snprintf(err, errlen, "bad -X '%s' (want key=value)", props[i]);
            goto fail;
        }
        memcpy(key, props[i], (size_t)(eq - props[i]));
        key[eq - props[i]] = '\0';
        if (dl_set(conf, key, eq + 1, err, errlen))
            goto fail;
    }
    rd_kafka_conf_set_opaque(conf, dl);
    rd_kafka_conf_set_dr_msg_cb(conf, dl_delivered);
    rd_kafka_conf_set_log_cb(conf, dl_log);
    char why[512];
    dl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!dl->rk) {
        snprintf(err, errlen, "dead-letter producer: %s", why);
        goto fail;
    }
    return dl;
fail:
    if (!dl->rk)
        rd_kafka_conf_destroy(conf);
    free(dl->topic);
    free(dl);
    return NULL;
}

/* "<topic>/<partition>/<offset>" of the original message, from the letter
 * itself; "" when the letter does not say (then the message has no key). */
static int dl_key(const char *line, size_t len, char *out, size_t cap)
{
    json_error_t jerr;
    json_t *o = json_loadb(line, len, 0, &jerr);
    int n = 0;
    out[0] = '\0';
    if (o) {
        const char *t = json_string_value(json_object_get(o, "topic"));
        json_t *p = json_object_get(o, "partition"), *off = json_object_get(o, "offset");
        if (t && json_is_integer(p) && json_is_integer(off))
            n = snprintf(out, cap, "%s/%lld/%lld", t, (long long)json_integer_value(p),
                         (long long)json_integer_value(off));
        json_decref(o);
    }
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        n = 0;
    }
    return n;
}

/* Queues one message; waits while the local queue is full. */
static rd_kafka_resp_err_t dl_produce(kafka_dead_letter *dl, const char *value, size_t len,
                                      const char *key, int keylen)
{
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            dl->rk, RD_KAFKA_V_TOPIC(dl->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_VALUE((void *)value, len),
            RD_KAFKA_V_KEY(keylen ? key : NULL, (size_t)keylen), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            dl->inflight++;
            rd_kafka_poll(dl->rk, 0); /* serve delivery reports */
            return e;
        }
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return e;
        /* Local queue full (brokers slow or away): let it drain. */
        kafka_log_limited(KAFKA_LOG_WARN, "dlq-full", 10000,
                          "dead-letter queue full, waiting for the brokers");
        rd_kafka_poll(dl->rk, 100);
    }
}

/* The letter without the original event, for when the whole is too large
 * for a message: reason and position still say where to find it. */
static char *dl_shrink(const char *line, size_t len)
{
    json_error_t jerr;
    json_t *o = json_loadb(line, len, 0, &jerr);
    if (!o)
        return NULL;
    json_object_del(o, "event");
    json_object_del(o, "raw");
    json_object_del(o, "raw_base64");
    json_object_set_new(o, "original_bytes", json_integer((json_int_t)len));
    json_object_set_new(o, "original_omitted",
                        json_string("too large for a dead-letter message; read it at "
                                    "topic/partition/offset"));
    char *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

int kafka_dead_letter_write(void *ctx, const char *json_line, size_t len)
{
    kafka_dead_letter *dl = ctx;
    /* The store's line may end with a newline: the message value does not. */
    while (len > 0 && (json_line[len - 1] == '\n' || json_line[len - 1] == '\r'))
        len--;
    char key[512];
    int keylen = dl_key(json_line, len, key, sizeof key);
    rd_kafka_resp_err_t e = dl_produce(dl, json_line, len, key, keylen);
    if (e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
        char *small = dl_shrink(json_line, len);
        if (small) {
            e = dl_produce(dl, small, strlen(small), key, keylen);
            free(small);
        }
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* The stream goes on: the letter is logged (a bounded preview, said
         * to be one) and counted instead. */
        int n = (int)(len < DL_LOG_PREVIEW ? len : DL_LOG_PREVIEW);
        kafka_log(KAFKA_LOG_ERROR, "dead letter cannot be queued for %s: %s; letter%s: %.*s",
                  dl->topic, rd_kafka_err2str(e), len > DL_LOG_PREVIEW ? " (first 512 bytes)" : "",
                  n, json_line);
        kafka_metrics_add_dead_letter_error(dl->metrics);
    }
    return 0;
}

int kafka_dead_letter_sync(kafka_dead_letter *dl, volatile sig_atomic_t *give_up)
{
    long long start = kafka_now_ms();
    while (dl->inflight > 0) {
        if (give_up && *give_up >= 2)
            return -1;
        rd_kafka_flush(dl->rk, 200);
        if (dl->inflight > 0 && kafka_now_ms() - start > 2000)
            kafka_log_limited(KAFKA_LOG_WARN, "dlq-wait", 10000,
                              "waiting for %ld dead letter(s) to reach %s before committing",
                              dl->inflight, dl->topic);
    }
    return 0;
}

void kafka_dead_letter_free(kafka_dead_letter *dl, int timeout_ms)
{
    if (!dl)
        return;
    rd_kafka_flush(dl->rk, timeout_ms);
    if (dl->inflight > 0)
        kafka_log(KAFKA_LOG_ERROR, "%ld dead letter(s) not delivered to %s at exit", dl->inflight,
                  dl->topic);
    rd_kafka_destroy(dl->rk);
    free(dl->topic);
    free(dl);
}
