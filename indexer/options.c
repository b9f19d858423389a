/* options.c — parsing metadex-indexer's command line (see options.h). */
#include "indexer/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define PROG "metadex-indexer"

void idx_options_usage(FILE *out) {
    fprintf(out,
            "Usage: " PROG " --db DIR [OPTION]... [FILE]...\n"
            "       " PROG " --db DIR --brokers HOST:PORT[,..] --topic T[,T2] [OPTION]...\n"
            "Index DataHub metadata events (MCP, MCL, MCE, MAE) into a metadex index.\n"
            "\n"
            "Files hold JSON lines, one JSON array of events, or one JSON object; with no\n"
            "FILE, or when FILE is -, events are read from standard input. JSON lines are\n"
            "streamed (any size); an array or a single object is read into memory whole.\n"
            "Events that cannot be used go to the dead-letter file with their reason.\n"
            "\n"
            "  -d, --db DIR               index directory (created if absent)\n"
            "  -D, --dead-letter FILE     append unusable events to FILE (JSON lines)\n"
            "  -b, --batch N              events per commit (default %d)\n"
            "  -s, --shards N             into an empty index: N writer threads, each writing\n"
            "                             a shard, merged into the index at the end (1 to %d,\n"
            "                             default %d)\n"
            "  -q, --quiet                no progress line on a terminal\n"
            "  -h, --help                 show this help and exit\n"
            "  -V, --version              show the version and exit\n"
            "\n"
            "Kafka mode (with --brokers; runs until SIGTERM or SIGINT):\n"
            "      --brokers HOST:PORT[,..]  Kafka bootstrap servers\n"
            "      --topic T[,T2]         topics to consume\n"
            "      --group G              consumer group id\n"
            "      --commit-every N       commit after N events\n"
            "      --commit-ms MS         commit at least every MS milliseconds\n"
            "      --dead-letter-topic T  send unusable events to topic T\n"
            "      --status-listen ADDR   serve status and /metrics on ADDR (host:port)\n"
            "  -X  PROPERTY=VALUE         librdkafka configuration property\n"
            "\n"
            "The summary (events read, applied, dead-lettered, aspects ignored, entities,\n"
            "time and rates) is printed to standard error at the end.\n"
            "Exit status: 0 when the run completed (dead letters included), 1 on a fatal\n"
            "error (index or input unusable), 2 on a usage error.\n",
            IDX_DEFAULT_BATCH, IDX_MAX_SHARDS, IDX_DEFAULT_SHARDS);
}

int idx_options_wants_kafka(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return 0;
        if (strcmp(argv[i], "--brokers") == 0 || strncmp(argv[i], "--brokers=", 10) == 0)
            return 1;
    }
    return 0;
}

static int parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v == 0 || s[0] == '-' || v > 100000000ull) return -1;
    *out = (size_t)v;
    return 0;
}

idx_opts_result idx_options_parse(int argc, char **argv, idx_options *o) {
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"dead-letter", required_argument, NULL, 'D'},
        {"batch", required_argument, NULL, 'b'},
        {"shards", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->batch = IDX_DEFAULT_BATCH;
    o->shards = IDX_DEFAULT_SHARDS;
    optind = 1;
    opterr = 1; /* getopt prints "unrecognized option" itself */
    int c;
    while ((c = getopt_long(argc, argv, "d:D:b:s:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'D': o->dead_letter = optarg; break;
        case 'b':
            if (parse_size(optarg, &o->batch) != 0) {
                fprintf(stderr, PROG ": --batch: expected a number from 1 to 100000000, got '%s'\n",
                        optarg);
                return IDX_OPTS_USAGE;
            }
            break;
        case 's': {
            size_t n;
            if (parse_size(optarg, &n) != 0 || n > IDX_MAX_SHARDS) {
                fprintf(stderr, PROG ": --shards: expected a number from 1 to %d, got '%s'\n",
                        IDX_MAX_SHARDS, optarg);
                return IDX_OPTS_USAGE;
            }
            o->shards = (unsigned)n;
            break;
        }
        case 'q': o->quiet = 1; break;
        case 'h': idx_options_usage(stdout); return IDX_OPTS_DONE;
        case 'V': printf(PROG " " MDX_VERSION "\n"); return IDX_OPTS_DONE;
        default:
            fprintf(stderr, "Try '" PROG " --help' for more information.\n");
            return IDX_OPTS_USAGE;
        }
    }
    if (!o->db) {
        fprintf(stderr, PROG ": missing --db DIR\nTry '" PROG " --help' for more information.\n");
        return IDX_OPTS_USAGE;
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    return IDX_OPTS_RUN;
}
