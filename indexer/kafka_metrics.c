/* kafka_metrics.c — counters, per-partition offsets and the commit latency
 * histogram of the Kafka mode, rendered as Prometheus text (see
 * kafka_metrics.h). */
#include "indexer/kafka_metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds of the commit latency buckets, in seconds (+Inf implied). */
static const double commit_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                        0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
#define NBUCKETS (sizeof commit_buckets / sizeof commit_buckets[0])

typedef struct part_metrics {
    char *topic;
    int32_t partition;
    int64_t committed;
    int64_t high;
    int assigned;
} part_metrics;

struct kafka_metrics {
    pthread_mutex_t lock;
    kafka_counters c;
    uint64_t dead_letter_errors; /* kept apart: written from another thread */
    int brokers_up;
    int running;
    uint64_t hist[NBUCKETS + 1]; /* non-cumulative counts; last is +Inf */
    uint64_t hist_count;
    double hist_sum;
    part_metrics *parts;
    size_t nparts, capparts;
};

kafka_metrics *kafka_metrics_new(void)
{
    kafka_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return NULL;
    }
    m->brokers_up = 1;
    m->running = 1;
    return m;
}

void kafka_metrics_free(kafka_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nparts; i++)
        free(m->parts[i].topic);
    free(m->parts);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

void kafka_metrics_set(kafka_metrics *m, const kafka_counters *c)
{
    pthread_mutex_lock(&m->lock);
    m->c = *c;
    pthread_mutex_unlock(&m->lock);
}

void kafka_metrics_add_dead_letter_error(kafka_metrics *m)
{
    pthread_mutex_lock(&m->lock);
    m->dead_letter_errors++;
    pthread_mutex_unlock(&m->lock);
}

void kafka_metrics_set_brokers_up(kafka_metrics *m, int up)
{
    pthread_mutex_lock(&m->lock);
    m->brokers_up = up;
    pthread_mutex_unlock(&m->lock);
}

void kafka_metrics_set_running(kafka_metrics *m, int running)
{
    pthread_mutex_lock(&m->lock);
    m->running = running;
    pthread_mutex_unlock(&m->lock);
}

int kafka_metrics_set_partition(kafka_metrics *m, const char *topic, int32_t partition,
                                int64_t committed, int64_t high, int assigned)
{
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    part_metrics *p = NULL;
    for (size_t i = 0; i < m->nparts; i++)
        if (m->parts[i].partition == partition && strcmp(m->parts[i].topic, topic) == 0) {
            p = &m->parts[i];
            break;
        }
    if (!p) {
        if (m->nparts == m->capparts) {
            size_t cap = m->capparts ? m->capparts * 2 : 16;
            part_metrics *np = realloc(m->parts, cap * sizeof *np);
            if (!np) {
                rc = -1;
                goto out;
            }
            m->parts = np;
            m->capparts = cap;
        }
        char *t = strdup(topic);
        if (!t) {
            rc = -1;
            goto out;
        }
        p = &m->parts[m->nparts++];
        p->topic = t;
        p->partition = partition;
    }
    p->committed = committed;
    p->high = high;
    p->assigned = assigned;
out:
    pthread_mutex_unlock(&m->lock);
    return rc;
}

void kafka_metrics_observe_commit(kafka_metrics *m, double seconds)
{
    pthread_mutex_lock(&m->lock);
    size_t b = 0;
    while (b < NBUCKETS && seconds > commit_buckets[b])
        b++;
    m->hist[b]++;
    m->hist_count++;
    m->hist_sum += seconds;
    pthread_mutex_unlock(&m->lock);
}

/* Writes a label value with Prometheus escaping (backslash, quote, newline). */
static void put_label(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static void put_counter(FILE *f, const char *name, const char *help, uint64_t v)
{
    fprintf(f, "# HELP metadex_indexer_%s %s\n# TYPE metadex_indexer_%s counter\n", name, help,
            name);
    fprintf(f, "metadex_indexer_%s %" PRIu64 "\n", name, v);
}

static void put_gauge(FILE *f, const char *name, const char *help, double v)
{
    fprintf(f, "# HELP metadex_indexer_%s %s\n# TYPE metadex_indexer_%s gauge\n", name, help, name);
    fprintf(f, "metadex_indexer_%s %.17g\n", name, v);
}

/* One per-partition gauge family; `pick` selects the value (-1: not shown). */
static void put_partitions(FILE *f, const kafka_metrics *m, const char *name, const char *help,
                           int64_t (*pick)(const part_metrics *))
{
    fprintf(f, "# HELP metadex_indexer_%s %s\n# TYPE metadex_indexer_%s gauge\n", name, help, name);
    for (size_t i = 0; i < m->nparts; i++) {
        const part_metrics *p = &m->parts[i];
        int64_t v = pick(p);
        if (!p->assigned || v < 0)
            continue;
        fprintf(f, "metadex_indexer_%s{topic=\"", name);
        put_label(f, p->topic);
        fprintf(f, "\",partition=\"%" PRId32 "\"} %" PRId64 "\n", p->partition, v);
    }
}

static int64_t pick_committed(const part_metrics *p)
{
    return p->committed;
}
static int64_t pick_high(const part_metrics *p)
{
    return p->high;
}
static int64_t pick_lag(const part_metrics *p)
{
    if (p->high < 0)
        return -1;
    /* Nothing committed yet: everything up to the high watermark is lag
     * (the low watermark is not known here; this overstates at most). */
    int64_t from = p->committed < 0 ? 0 : p->committed;
    return p->high > from ? p->high - from : 0;
}

char *kafka_metrics_render(kafka_metrics *m, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    pthread_mutex_lock(&m->lock);
    const kafka_counters *c = &m->c;
    put_counter(f, "events_consumed_total", "Messages read from Kafka and fed to the index.",
                c->events_consumed);
    put_counter(f, "events_skipped_total",
                "Messages below the index's stored offset (already applied).", c->events_skipped);
    put_counter(f, "events_applied_total", "Events that changed or confirmed an entity.",
                c->events_applied);
    put_counter(f, "events_dead_lettered_total", "Events sent to the dead-letter sink.",
                c->events_dead);
    put_counter(f, "dead_letter_errors_total", "Dead letters the sink failed to deliver.",
                m->dead_letter_errors + c->dead_letter_errors);
    put_counter(f, "batches_total", "Index commits (each with its stream offsets).", c->batches);
    fprintf(f, "# HELP metadex_indexer_commit_seconds Duration of one index commit.\n"
               "# TYPE metadex_indexer_commit_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += m->hist[b];
        fprintf(f, "metadex_indexer_commit_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                commit_buckets[b], cum);
    }
    cum += m->hist[NBUCKETS];
    fprintf(f, "metadex_indexer_commit_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
    fprintf(f, "metadex_indexer_commit_seconds_sum %.9g\n", m->hist_sum);
    fprintf(f, "metadex_indexer_commit_seconds_count %" PRIu64 "\n", m->hist_count);
    put_gauge(f, "last_commit_timestamp_seconds",
              "Wall-clock time of the last index commit (0: none yet).", c->last_commit_time);
    put_gauge(f, "entities", "Documents in the index.", (double)c->entities);
    put_gauge(f, "index_revision", "Committed revision of the index.", (double)c->revision);
    put_gauge(f, "brokers_up", "1 while a Kafka broker is reachable.", m->brokers_up);
    put_gauge(f, "partitions_assigned", "Partitions this consumer owns.", c->partitions_assigned);
    put_partitions(f, m, "partition_committed_offset",
                   "Next offset to read, as committed in the index.", pick_committed);
    put_partitions(f, m, "partition_high_watermark", "The partition's high watermark.", pick_high);
    put_partitions(f, m, "partition_lag",
                   "Messages not yet in the index (high watermark - committed offset).", pick_lag);
    pthread_mutex_unlock(&m->lock);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}

char *kafka_metrics_health(kafka_metrics *m, size_t *len, int *http_status)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    pthread_mutex_lock(&m->lock);
    *http_status = m->running ? 200 : 503;
    fprintf(f,
            "{\"status\":\"%s\",\"brokers_up\":%s,\"partitions_assigned\":%" PRIu32
            ",\"events_consumed\":%" PRIu64 ",\"batches\":%" PRIu64
            ",\"last_commit_timestamp\":%.3f}\n",
            m->running ? "ok" : "stopping", m->brokers_up ? "true" : "false",
            m->c.partitions_assigned, m->c.events_consumed, m->c.batches, m->c.last_commit_time);
    pthread_mutex_unlock(&m->lock);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}
