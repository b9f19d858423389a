/* mdx-freshness — measures the Kafka mode of metadex-indexer from outside:
 *
 *   mdx-freshness probe --brokers B --topic T --db DIR [--rate N] [--seconds S] [--ns NAME]
 *       Produces probe events (each a dataset with a URN of its own) at a
 *       steady N per second for S seconds while watching the index
 *       read-only, reopening it as its revision moves; an event counts as
 *       searchable when its document is in the index a reader opens. Prints
 *       the produce-to-searchable latency: count, p50, p90, p99, max.
 *
 *   mdx-freshness catchup --brokers B --topic T --partitions P --db DIR [--timeout S]
 *       Waits until the index stores every partition's high watermark and
 *       prints the sustained rate: events applied between the first stored
 *       progress seen and the end, over that time (the group join and the
 *       first batch are left out). Fails if the topic lost messages (its
 *       low watermark above 0: the mock cluster keeps 5 MB per partition).
 *
 * Output lines are "key: value" so a script can pick them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/docbuild.h"
#include "tests/support/event_gen.h"
#include "tests/support/index_compare.h"
#include "tests/support/kafka_util.h"
#include "xapian-shim/xap.h"

static double fr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fr_sleep(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static int fr_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double fr_pct(const double *v, long n, double p)
{
    if (n == 0)
        return 0;
    long i = (long)(p * (double)(n - 1) + 0.5);
    return v[i];
}

/* A read handle that follows the writer; reopened from scratch on error. */
typedef struct fr_reader {
    const char *path;
    xap_db *db;
} fr_reader;

static int fr_refresh(fr_reader *r)
{
    xap_err xe;
    int changed = 0;
    if (r->db && xap_db_reopen(r->db, &changed, &xe) == XAP_OK)
        return changed;
    if (r->db)
        xap_db_close(r->db);
    r->db = xap_db_open_read(r->path, &xe);
    return r->db != NULL;
}

static int fr_present(fr_reader *r, const char *urn)
{
    char term[4200];
    int n = doc_id_term(urn, term, sizeof term);
    xap_docid id = 0;
    xap_err xe;
    if (n < 0 || !r->db || xap_db_find_by_term(r->db, term, (size_t)n, &id, &xe) != XAP_OK)
        return 0;
    return id != 0;
}

static int fr_probe(const char *brokers, const char *topic, const char *db, double rate,
                    double seconds, const char *ns)
{
    char err[512];
    evgen g;
    if (evgen_init(&g, 1, 1, ns) != 0) {
        fprintf(stderr, "mdx-freshness: bad --ns\n");
        return 2;
    }
    kt_producer p;
    if (kt_producer_open(&p, brokers, err, sizeof err) != 0) {
        fprintf(stderr, "mdx-freshness: %s\n", err);
        return 1;
    }
    /* linger 0 would be fairer to the indexer, but real producers batch. */
    fr_reader r = {db, NULL};
    long total = (long)(rate * seconds);
    double *sent = calloc((size_t)total + 1, sizeof *sent);
    double *lat = calloc((size_t)total + 1, sizeof *lat);
    char *seen = calloc((size_t)total + 1, 1);
    if (!sent || !lat || !seen) {
        fprintf(stderr, "mdx-freshness: out of memory\n");
        return 1;
    }
    char urn[512];

    /* Warm-up: one probe, waited for, so the group join is not measured. */
    char *ev = evgen_probe(&g, total);
    evgen_probe_urn(&g, total, urn, sizeof urn);
    if (!ev || kt_produce(&p, topic, RD_KAFKA_PARTITION_UA, urn, strlen(urn), ev, strlen(ev))) {
        fprintf(stderr, "mdx-freshness: produce failed: %s\n", p.last_error);
        return 1;
    }
    free(ev);
    double t0 = fr_now();
    for (;;) {
        rd_kafka_poll(p.rk, 0);
        fr_refresh(&r);
        if (fr_present(&r, urn))
            break;
        if (fr_now() - t0 > 60) {
            fprintf(stderr, "mdx-freshness: the warm-up probe never became searchable\n");
            return 1;
        }
        fr_sleep(0.01);
    }

    long next = 0, found = 0, oldest = 0;
    double start = fr_now(), last_poll = 0;
    while (found < total) {
        double now = fr_now();
        /* Send every probe that is due (a steady rate, no catching up in bursts). */
        while (next < total && now - start >= (double)next / rate) {
            ev = evgen_probe(&g, next);
            evgen_probe_urn(&g, next, urn, sizeof urn);
            sent[next] = fr_now();
            if (!ev ||
                kt_produce(&p, topic, RD_KAFKA_PARTITION_UA, urn, strlen(urn), ev, strlen(ev))) {
                fprintf(stderr, "mdx-freshness: produce failed: %s\n", p.last_error);
                return 1;
            }
            free(ev);
            next++;
        }
        rd_kafka_poll(p.rk, 0);
        if (now - last_poll >= 0.005) {
            last_poll = now;
            if (fr_refresh(&r) > 0) {
                double t = fr_now();
                for (long i = oldest; i < next; i++) {
                    if (seen[i])
                        continue;
                    evgen_probe_urn(&g, i, urn, sizeof urn);
                    if (fr_present(&r, urn)) {
                        seen[i] = 1;
                        lat[found++] = t - sent[i];
                    }
                }
                while (oldest < next && seen[oldest])
                    oldest++;
            }
        }
        if (next == total && now - sent[total - 1] > 30)
            break; /* what is still missing after 30 s is reported as lost */
        fr_sleep(0.0002);
    }
    double end = fr_now();
    kt_producer_close(&p);
    if (r.db)
        xap_db_close(r.db);
    qsort(lat, (size_t)found, sizeof *lat, fr_cmp);
    printf("probes: %ld\n", total);
    printf("searchable: %ld\n", found);
    printf("rate_sent: %.0f\n", (double)total / (sent[total - 1] - start + 1.0 / rate));
    printf("p50_ms: %.1f\n", fr_pct(lat, found, 0.50) * 1000);
    printf("p90_ms: %.1f\n", fr_pct(lat, found, 0.90) * 1000);
    printf("p99_ms: %.1f\n", fr_pct(lat, found, 0.99) * 1000);
    printf("max_ms: %.1f\n", found ? lat[found - 1] * 1000 : 0);
    printf("elapsed_s: %.1f\n", end - start);
    free(sent);
    free(lat);
    free(seen);
    return found == total ? 0 : 1;
}

static int fr_catchup(const char *brokers, const char *topic, int nparts, const char *db,
                      double timeout)
{
    int64_t *high = calloc((size_t)nparts, sizeof *high);
    if (!high || kt_high_watermarks(brokers, topic, nparts, high) != 0) {
        fprintf(stderr, "mdx-freshness: cannot read the watermarks of %s\n", topic);
        free(high);
        return 1;
    }
    int64_t total = 0;
    for (int i = 0; i < nparts; i++)
        total += high[i];
    double start = fr_now(), t_first = 0;
    int64_t first = -1, sum = 0;
    for (;;) {
        sum = 0;
        int done = 1;
        for (int i = 0; i < nparts; i++) {
            int64_t o = ixc_offset(db, topic, i);
            if (o > 0)
                sum += o;
            if (high[i] > 0 && o != high[i])
                done = 0;
        }
        double now = fr_now();
        if (first < 0 && sum > 0) {
            first = sum;
            t_first = now;
        }
        if (done)
            break;
        if (now - start > timeout) {
            fprintf(stderr, "mdx-freshness: %" PRId64 " of %" PRId64 " after %.0f s\n", sum, total,
                    timeout);
            free(high);
            return 1;
        }
        fr_sleep(0.02);
    }
    double end = fr_now();
    printf("events: %" PRId64 "\n", total);
    printf("measured_events: %" PRId64 "\n", total - first);
    printf("measured_s: %.2f\n", end - t_first);
    printf("events_per_s: %.0f\n", end > t_first ? (double)(total - first) / (end - t_first) : 0.0);
    printf("total_s: %.2f\n", end - start);
    free(high);
    return 0;
}

/* Fails when a partition has dropped messages (low watermark above 0). */
static int fr_check_complete(const char *brokers, const char *topic, int nparts)
{
    char why[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why, sizeof why) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < nparts && rc == 0; i++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, 10000) != 0) {
            rc = 1;
        } else if (lo > 0) {
            fprintf(stderr,
                    "mdx-freshness: %s [%d] dropped its first %" PRId64 " messages "
                    "(mock log limit): use more partitions\n",
                    topic, i, lo);
            rc = 1;
        }
    }
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "probe") != 0 && strcmp(argv[1], "catchup") != 0)) {
        fprintf(stderr, "usage: mdx-freshness probe|catchup [options] (see the source header)\n");
        return 2;
    }
    static const struct option longopts[] = {
        {"brokers", required_argument, NULL, 'b'},
        {"topic", required_argument, NULL, 't'},
        {"db", required_argument, NULL, 'd'},
        {"rate", required_argument, NULL, 'r'},
        {"seconds", required_argument, NULL, 's'},
        {"ns", required_argument, NULL, 'n'},
        {"partitions", required_argument, NULL, 'p'},
        {"timeout", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    const char *brokers = NULL, *topic = NULL, *db = NULL, *ns = "fresh";
    double rate = 2000, seconds = 20, timeout = 600;
    int nparts = 1, ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            brokers = optarg;
            break;
        case 't':
            topic = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'n':
            ns = optarg;
            break;
        case 'r':
            rate = atof(optarg);
            break;
        case 's':
            seconds = atof(optarg);
            break;
        case 'p':
            nparts = atoi(optarg);
            break;
        case 'T':
            timeout = atof(optarg);
            break;
        default:
            return 2;
        }
    }
    if (!brokers || !topic || !db || rate <= 0 || seconds <= 0 || nparts < 1) {
        fprintf(stderr, "mdx-freshness: --brokers, --topic and --db are needed\n");
        return 2;
    }
    if (strcmp(argv[1], "probe") == 0)
        return fr_probe(brokers, topic, db, rate, seconds, ns);
    if (fr_check_complete(brokers, topic, nparts) != 0)
        return 1;
    return fr_catchup(brokers, topic, nparts, db, timeout);
}
