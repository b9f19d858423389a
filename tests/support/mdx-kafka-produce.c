/* mdx-kafka-produce — produces metadata events to a Kafka topic, one event
 * per message keyed by its entity URN (acks=all, idempotent), from files
 * (JSON lines or JSON arrays, "-" or none for stdin) or generated
 * (tests/support/event_gen.h), optionally at a steady rate.
 *
 *   mdx-kafka-produce --brokers B --topic T [--rate N] [FILE...]
 *   mdx-kafka-produce --brokers B --topic T --generate N [--entities M]
 *                     [--seed S] [--ns NAME] [--rate N]
 *   mdx-kafka-produce --generate N ... --print     (to stdout, no Kafka)
 *
 * Prints "produced N events to T" on stdout when every message is
 * acknowledged; exits 1 if any was not.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/support/event_gen.h"
#include "tests/support/kafka_util.h"

static void produce_usage(FILE *f)
{
    fprintf(f, "Usage: mdx-kafka-produce --brokers B --topic T [--rate N] [FILE...]\n"
               "       mdx-kafka-produce --brokers B --topic T --generate N [--entities M]\n"
               "                         [--seed S] [--ns NAME] [--rate N]\n"
               "       mdx-kafka-produce --generate N [--entities M] [--seed S] [--ns NAME] "
               "--print\n");
}

static char *produce_read(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                free(buf);
                return NULL;
            }
            *len = n;
            return buf;
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    return NULL;
}

static int produce_number(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end || errno || v < 0) {
        fprintf(stderr, "mdx-kafka-produce: %s wants a non-negative number, not '%s'\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"brokers", required_argument, NULL, 'b'},  {"topic", required_argument, NULL, 't'},
        {"rate", required_argument, NULL, 'r'},     {"generate", required_argument, NULL, 'g'},
        {"entities", required_argument, NULL, 'e'}, {"seed", required_argument, NULL, 's'},
        {"ns", required_argument, NULL, 'n'},       {"print", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char *brokers = NULL, *topic = NULL, *ns = "gen";
    double rate = 0, generate = 0, entities = 0, seed = 1;
    int print = 0, ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            brokers = optarg;
            break;
        case 't':
            topic = optarg;
            break;
        case 'n':
            ns = optarg;
            break;
        case 'p':
            print = 1;
            break;
        case 'r':
            if (produce_number("--rate", optarg, &rate))
                return 2;
            break;
        case 'g':
            if (produce_number("--generate", optarg, &generate))
                return 2;
            break;
        case 'e':
            if (produce_number("--entities", optarg, &entities))
                return 2;
            break;
        case 's':
            if (produce_number("--seed", optarg, &seed))
                return 2;
            break;
        case 'h':
            produce_usage(stdout);
            return 0;
        default:
            produce_usage(stderr);
            return 2;
        }
    }
    if (!print && (!brokers || !topic)) {
        produce_usage(stderr);
        return 2;
    }
    evgen g;
    if (generate > 0 &&
        evgen_init(&g, (uint64_t)seed, entities > 0 ? (long)entities : (long)(generate / 10) + 1,
                   ns) != 0) {
        fprintf(stderr, "mdx-kafka-produce: bad --entities or --ns\n");
        return 2;
    }
    if (print) {
        if (generate <= 0) {
            fprintf(stderr, "mdx-kafka-produce: --print needs --generate\n");
            return 2;
        }
        for (long i = 0; i < (long)generate; i++) {
            char *ev = evgen_next(&g);
            if (!ev || printf("%s\n", ev) < 0) {
                free(ev);
                return 1;
            }
            free(ev);
        }
        return fflush(stdout) == 0 ? 0 : 1;
    }

    char err[512];
    kt_producer p;
    if (kt_producer_open(&p, brokers, err, sizeof err) != 0) {
        fprintf(stderr, "mdx-kafka-produce: %s\n", err);
        return 1;
    }
    long total = 0;
    int rc = 0;
    if (generate > 0) {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (long i = 0; i < (long)generate && rc == 0; i++) {
            char *ev = evgen_next(&g);
            char *urn = ev ? kt_event_urn(ev, strlen(ev)) : NULL;
            if (rate > 0) {
                for (;;) { /* event i leaves at start + i/rate */
                    clock_gettime(CLOCK_MONOTONIC, &now);
                    double spent = (double)(now.tv_sec - start.tv_sec) +
                                   (double)(now.tv_nsec - start.tv_nsec) / 1e9;
                    if (spent >= i / rate)
                        break;
                    rd_kafka_poll(p.rk, 1);
                }
            }
            if (!ev || kt_produce(&p, topic, RD_KAFKA_PARTITION_UA, urn, urn ? strlen(urn) : 0, ev,
                                  strlen(ev)) != 0)
                rc = 1;
            else
                total++;
            free(urn);
            free(ev);
        }
    } else {
        int nfiles = argc - optind;
        for (int i = 0; i < (nfiles ? nfiles : 1) && rc == 0; i++) {
            const char *path = nfiles ? argv[optind + i] : "-";
            FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
            size_t len = 0;
            char *buf = f ? produce_read(f, &len) : NULL;
            if (f && f != stdin)
                fclose(f);
            if (!buf) {
                fprintf(stderr, "mdx-kafka-produce: cannot read %s: %s\n", path, strerror(errno));
                rc = 1;
                break;
            }
            long n = kt_produce_events(&p, topic, buf, len, rate);
            free(buf);
            if (n < 0)
                rc = 1;
            else
                total += n;
        }
    }
    if (kt_producer_flush(&p, 60000) != 0) {
        fprintf(stderr, "mdx-kafka-produce: delivery failed: %s\n", p.last_error);
        rc = 1;
    }
    kt_producer_close(&p);
    if (rc == 0)
        printf("produced %ld events to %s\n", total, topic);
    else
        fprintf(stderr, "mdx-kafka-produce: failed after %ld events\n", total);
    return rc;
}
