/* mdx-kafka-mock — a Kafka cluster for tests and benchmarks, in one process.
 *
 * Starts librdkafka's mock cluster (rdkafka_mock.h: a real Kafka protocol
 * endpoint on loopback, consumer groups and offset commits included),
 * creates the topics asked for, prints the bootstrap address on stdout as
 * one line, then runs until SIGTERM/SIGINT or until its standard input
 * reaches end of file (when stdin is a pipe, FIFO, socket or terminal: a
 * test holding the other end of a pipe cannot leave the cluster behind).
 *
 * Lines read on stdin are commands, answered with "ok" or "error: ..." on
 * stdout:
 *   down ID | down all    take broker ID (1..N) or every broker down
 *   up ID | up all        bring it back
 *
 *   mdx-kafka-mock [--brokers N] --topic NAME:PARTITIONS [--topic ...]
 *
 * The mock keeps each partition's log in memory and drops its oldest
 * messages beyond 5 MB or 100,000 produce batches: tests that need more
 * spread their events over more partitions or compress them.
 */
#include <errno.h>
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MOCK_MAX_BROKERS 16
#define MOCK_MAX_PARTITIONS 1024

static volatile sig_atomic_t mock_stop;

static void mock_on_signal(int sig)
{
    (void)sig;
    mock_stop = 1;
}

static void mock_usage(FILE *f)
{
    fprintf(f, "Usage: mdx-kafka-mock [--brokers N] --topic NAME:PARTITIONS [--topic ...]\n"
               "Runs a Kafka mock cluster on loopback, prints its bootstrap address, and\n"
               "runs until SIGTERM or end of standard input. Commands on stdin:\n"
               "  down ID|all, up ID|all\n");
}

/* Whether EOF on stdin should stop us: only when someone holds its other end. */
static int mock_stdin_watched(void)
{
    struct stat st;
    if (fstat(STDIN_FILENO, &st) != 0)
        return 0;
    return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(STDIN_FILENO);
}

/* Runs one command line; answers on stdout. */
static void mock_command(rd_kafka_mock_cluster_t *mc, int nbrokers, char *line)
{
    char verb[16], what[32];
    if (sscanf(line, "%15s %31s", verb, what) != 2) {
        printf("error: want 'down ID|all' or 'up ID|all'\n");
        fflush(stdout);
        return;
    }
    int down = strcmp(verb, "down") == 0;
    if (!down && strcmp(verb, "up") != 0) {
        printf("error: unknown command '%s'\n", verb);
        fflush(stdout);
        return;
    }
    int from = 1, to = nbrokers;
    if (strcmp(what, "all") != 0) {
        char *end;
        long id = strtol(what, &end, 10);
        if (*end || id < 1 || id > nbrokers) {
            printf("error: broker id must be 1..%d or all\n", nbrokers);
            fflush(stdout);
            return;
        }
        from = to = (int)id;
    }
    for (int id = from; id <= to; id++) {
        rd_kafka_resp_err_t e =
            down ? rd_kafka_mock_broker_set_down(mc, id) : rd_kafka_mock_broker_set_up(mc, id);
        if (e) {
            printf("error: broker %d: %s\n", id, rd_kafka_err2str(e));
            fflush(stdout);
            return;
        }
    }
    printf("ok\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"brokers", required_argument, NULL, 'b'},
        {"topic", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int nbrokers = 3;
    char **topics = calloc((size_t)argc, sizeof *topics);
    int ntopics = 0, ch;
    if (!topics)
        return 1;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            nbrokers = atoi(optarg);
            if (nbrokers < 1 || nbrokers > MOCK_MAX_BROKERS) {
                fprintf(stderr, "mdx-kafka-mock: --brokers wants 1..%d\n", MOCK_MAX_BROKERS);
                free(topics);
                return 2;
            }
            break;
        case 't':
            topics[ntopics++] = optarg;
            break;
        case 'h':
            mock_usage(stdout);
            free(topics);
            return 0;
        default:
            mock_usage(stderr);
            free(topics);
            return 2;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = mock_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The handle only hosts the cluster; its own logs would be noise. */
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "mdx-kafka-mock: %s\n", errstr);
        free(topics);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, nbrokers);
    if (!mc) {
        fprintf(stderr, "mdx-kafka-mock: cannot start the mock cluster\n");
        rd_kafka_destroy(rk);
        free(topics);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < ntopics; i++) {
        char *colon = strrchr(topics[i], ':');
        long parts = 1;
        if (colon) {
            char *end;
            parts = strtol(colon + 1, &end, 10);
            if (*end || parts < 1 || parts > MOCK_MAX_PARTITIONS) {
                fprintf(stderr, "mdx-kafka-mock: bad partition count in '%s'\n", topics[i]);
                rc = 2;
                break;
            }
            *colon = '\0';
        }
        int repl = nbrokers < 3 ? nbrokers : 3;
        rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, topics[i], (int)parts, repl);
        if (e) {
            fprintf(stderr, "mdx-kafka-mock: topic %s: %s\n", topics[i], rd_kafka_err2str(e));
            rc = 1;
            break;
        }
    }
    if (rc == 0) {
        printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
        fflush(stdout);
        int watch = mock_stdin_watched();
        char line[256];
        size_t used = 0;
        while (!mock_stop) {
            struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
            int n = poll(&pfd, watch ? 1 : 0, 200);
            if (n < 0 && errno != EINTR)
                break;
            if (n <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
                continue;
            ssize_t got = read(STDIN_FILENO, line + used, sizeof line - 1 - used);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break; /* EOF: whoever started us is gone or done */
            used += (size_t)got;
            line[used] = '\0';
            char *nl;
            while ((nl = strchr(line, '\n'))) {
                *nl = '\0';
                mock_command(mc, nbrokers, line);
                used -= (size_t)(nl + 1 - line);
                memmove(line, nl + 1, used + 1);
            }
            if (used == sizeof line - 1) {
                printf("error: command line too long\n");
                fflush(stdout);
                used = 0;
            }
        }
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    free(topics);
    return rc;
}
