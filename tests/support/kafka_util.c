/* kafka_util.c — Kafka for tests and benchmarks: the mock cluster as a
 * child process, producing events keyed by URN, reading topics back (see
 * kafka_util.h). */
#include "tests/support/kafka_util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/event.h"

/* ---- the mock cluster ---------------------------------------------------- */

/* Reads one line from fd within timeout_ms into buf. 0, or -1. */
static int kt_read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
    size_t used = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (used + 1 < cap) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (spent >= timeout_ms)
            return -1;
        struct pollfd pfd = {fd, POLLIN, 0};
        int n = poll(&pfd, 1, (int)(timeout_ms - spent));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        ssize_t got = read(fd, buf + used, 1); /* byte by byte: never read past the line */
        if (got <= 0)
            return -1;
        if (buf[used] == '\n') {
            buf[used] = '\0';
            return 0;
        }
        used++;
    }
    return -1;
}

int kt_mock_start(kt_mock *m, const char *mock, const char *const *topics, const char *logfile,
                  char *err, size_t errlen)
{
    int in[2], out[2];
    memset(m, 0, sizeof *m);
    m->pid = -1;
    if (pipe(in) != 0)
        goto syserr;
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        goto syserr;
    }
    size_t nt = 0;
    while (topics[nt])
        nt++;
    char **argv = calloc(2 * nt + 2, sizeof *argv);
    if (!argv) {
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    argv[0] = (char *)mock;
    for (size_t i = 0; i < nt; i++) {
        argv[1 + 2 * i] = "--topic";
        argv[2 + 2 * i] = (char *)topics[i];
    }
    pid_t pid = fork();
    if (pid < 0) {
        free(argv);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        goto syserr;
    }
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        if (logfile) {
            int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, STDERR_FILENO);
                close(fd);
            }
        }
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execv(mock, argv);
        _exit(127);
    }
    free(argv);
    close(in[0]);
    close(out[1]);
    m->pid = pid;
    m->cmd_fd = in[1];
    m->out_fd = out[0];
    fcntl(m->cmd_fd, F_SETFD, FD_CLOEXEC);
    fcntl(m->out_fd, F_SETFD, FD_CLOEXEC);
    char line[1024];
    if (kt_read_line(m->out_fd, line, sizeof line, 10000) != 0 || !strchr(line, ':')) {
        snprintf(err, errlen, "%s printed no bootstrap address", mock);
        kt_mock_stop(m);
        return -1;
    }
    m->bootstrap = strdup(line);
    if (!m->bootstrap) {
        snprintf(err, errlen, "out of memory");
        kt_mock_stop(m);
        return -1;
    }
    return 0;
syserr:
    snprintf(err, errlen, "starting %s: %s", mock, strerror(errno));
    return -1;
}

int kt_mock_command(kt_mock *m, const char *cmd)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s\n", cmd);
    if (n < 0 || (size_t)n >= sizeof line || write(m->cmd_fd, line, (size_t)n) != n)
        return -1;
    if (kt_read_line(m->out_fd, line, sizeof line, 10000) != 0)
        return -1;
    return strcmp(line, "ok") == 0 ? 0 : -1;
}

void kt_mock_stop(kt_mock *m)
{
    if (m->pid > 0) {
        close(m->cmd_fd);
        int status;
        for (int i = 0; i < 50; i++) { /* 5 s to notice the end of its stdin */
            if (waitpid(m->pid, &status, WNOHANG) == m->pid) {
                m->pid = -1;
                break;
            }
            struct timespec ts = {0, 100000000L};
            nanosleep(&ts, NULL);
        }
        if (m->pid > 0) {
            kill(m->pid, SIGKILL);
            waitpid(m->pid, &status, 0);
        }
        close(m->out_fd);
    }
    m->pid = -1;
    free(m->bootstrap);
    m->bootstrap = NULL;
}

/* ---- producing ---------------------------------------------------------- */

static void kt_delivered(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    kt_producer *p = opaque;
    if (msg->err) {
        p->failed++;
        snprintf(p->last_error, sizeof p->last_error, "%s", rd_kafka_err2str(msg->err));
    } else {
        p->delivered++;
    }
}

int kt_producer_open(kt_producer *p, const char *brokers, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    static const char *const settings[][2] = {
        {"acks", "all"},
        {"enable.idempotence", "true"},
        {"compression.codec", "lz4"},
        {"linger.ms", "5"},
        {"queue.buffering.max.messages", "1000000"},
        {"log_level", "3"},
    };
    char why[256];
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why, sizeof why) != RD_KAFKA_CONF_OK)
        goto bad;
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], why, sizeof why) !=
            RD_KAFKA_CONF_OK)
            goto bad;
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, kt_delivered);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!p->rk) {
        snprintf(err, errlen, "producer: %s", why);
        return -1;
    }
    return 0;
bad:
    snprintf(err, errlen, "producer setting: %s", why);
    rd_kafka_conf_destroy(conf);
    return -1;
}

int kt_produce(kt_producer *p, const char *topic, int32_t partition, const char *key, size_t keylen,
               const void *value, size_t len)
{
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY((void *)key, keylen),
            RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            p->queued++;
            rd_kafka_poll(p->rk, 0);
            return 0;
        }
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            snprintf(p->last_error, sizeof p->last_error, "%s", rd_kafka_err2str(e));
            return -1;
        }
        rd_kafka_poll(p->rk, 50);
    }
}

int kt_producer_flush(kt_producer *p, int timeout_ms)
{
    rd_kafka_flush(p->rk, timeout_ms);
    if (p->delivered + p->failed < p->queued) {
        snprintf(p->last_error, sizeof p->last_error, "%ld message(s) undelivered after %d ms",
                 p->queued - p->delivered - p->failed, timeout_ms);
        return -1;
    }
    return p->failed ? -1 : 0;
}

void kt_producer_close(kt_producer *p)
{
    if (p->rk) {
        rd_kafka_flush(p->rk, 10000);
        rd_kafka_destroy(p->rk);
    }
    p->rk = NULL;
}

char *kt_event_urn(const char *json, size_t len)
{
    json_error_t jerr;
    json_t *obj = json_loadb(json, len, 0, &jerr);
    if (!obj)
        return NULL;
    ev_event ev;
    char why[256];
    char *urn = NULL;
    if (ev_decode(obj, &ev, why, sizeof why) == 0) {
        urn = strdup(ev.urn);
        ev_free(&ev);
    }
    json_decref(obj);
    return urn;
}

typedef struct kt_split {
    kt_producer *p;
    const char *topic;
    double rate;
    struct timespec start;
    long sent;
    int failed;
} kt_split;

static void kt_pace(kt_split *s)
{
    if (s->rate <= 0)
        return;
    /* Message i leaves at start + i/rate: a steady rate, no bursts to catch up. */
    double due = s->sent / s->rate;
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double spent =
            (double)(now.tv_sec - s->start.tv_sec) + (double)(now.tv_nsec - s->start.tv_nsec) / 1e9;
        if (spent >= due)
            return;
        double wait = due - spent;
        if (wait > 0.05)
            wait = 0.05;
        if (wait >= 0.001) {
            rd_kafka_poll(s->p->rk, (int)(wait * 1000)); /* serves delivery reports too */
        } else {
            struct timespec ts = {0, (long)(wait * 1e9)};
            nanosleep(&ts, NULL);
        }
    }
}

static int kt_split_item(void *ctx, json_t *obj, const char *raw, size_t rawlen,
                         const char *parse_error)
{
    (void)parse_error;
    kt_split *s = ctx;
    char *urn = NULL;
    if (obj) {
        ev_event ev;
        char why[256];
        if (ev_decode(obj, &ev, why, sizeof why) == 0) {
            urn = strdup(ev.urn);
            ev_free(&ev);
        }
    }
    kt_pace(s);
    int rc =
        kt_produce(s->p, s->topic, RD_KAFKA_PARTITION_UA, urn, urn ? strlen(urn) : 0, raw, rawlen);
    free(urn);
    if (rc != 0) {
        s->failed = 1;
        return 1;
    }
    s->sent++;
    return 0;
}

long kt_produce_events(kt_producer *p, const char *topic, const char *buf, size_t len, double rate)
{
    kt_split s = {p, topic, rate, {0, 0}, 0, 0};
    clock_gettime(CLOCK_MONOTONIC, &s.start);
    long n = ev_split(buf, len, kt_split_item, &s);
    if (n < 0 || s.failed)
        return -1;
    return s.sent;
}

/* ---- reading back ------------------------------------------------------- */

static rd_kafka_t *kt_reader(const char *brokers, char *why, size_t cap)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why, cap) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "group.id", "kt-reader", why, cap) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, cap) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "log_level", "3", why, cap) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, cap);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

int kt_high_watermarks(const char *brokers, const char *topic, int n, int64_t *high)
{
    char why[256];
    rd_kafka_t *rk = kt_reader(brokers, why, sizeof why);
    if (!rk)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, 10000) !=
            RD_KAFKA_RESP_ERR_NO_ERROR)
            rc = -1;
        else
            high[i] = hi;
    }
    rd_kafka_destroy(rk);
    return rc;
}

long kt_read_topic(const char *brokers, const char *topic, int n, kt_message_fn fn, void *ctx)
{
    char why[256];
    int64_t *high = calloc((size_t)n, sizeof *high);
    int64_t *next = calloc((size_t)n, sizeof *next);
    rd_kafka_t *rk = NULL;
    long count = -1;
    if (!high || !next || kt_high_watermarks(brokers, topic, n, high) != 0)
        goto out;
    rk = kt_reader(brokers, why, sizeof why);
    if (!rk)
        goto out;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(n);
    for (int i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(list, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e)
        goto out;
    count = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < n; i++)
        if (high[i] == 0)
            next[i] = 0;
    int done = 0;
    while (!done) {
        done = 1;
        for (int i = 0; i < n; i++)
            if (next[i] < high[i])
                done = 0;
        if (done)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 30) {
            count = -1;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        if (!m->err && m->partition >= 0 && m->partition < n && m->offset < high[m->partition]) {
            next[m->partition] = m->offset + 1;
            count++;
            if (fn && fn(ctx, m->partition, m->offset, m->key, m->key_len, m->payload, m->len) != 0)
                done = 1;
        }
        rd_kafka_message_destroy(m);
    }
out:
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    free(high);
    free(next);
    return count;
}
