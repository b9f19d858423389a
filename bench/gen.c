/* gen.c — mdx-gen: writes a synthetic DataHub catalog for benchmarks and demos.
 *
 *   mdx-gen --entities N [--seed S] [--out FILE] [--queries FILE] [--query-count K] [--now MS]
 *
 * JSON lines of MCP events go to stdout (or --out); a summary of entities by
 * type and events goes to stderr. The same arguments give the same bytes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/gen_catalog.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: mdx-gen --entities N [OPTION]...\n"
            "Write a synthetic DataHub catalog of N entities (all types together) as\n"
            "JSON lines of MCP events, for benchmarks and the demo catalog.\n"
            "\n"
            "  -n, --entities N      number of entities, %ld to %ld (required)\n"
            "  -s, --seed S          random seed (default 1); same seed, same bytes\n"
            "  -o, --out FILE        write events to FILE instead of stdout\n"
            "  -q, --queries FILE    also write a search query mix (JSON lines)\n"
            "      --query-count K   lines in the query mix (default %ld)\n"
            "      --now MS          the catalog's present, ms since the epoch\n"
            "                        (default %lld = 2025-06-01T00:00:00Z)\n"
            "  -Q, --quiet           no summary on stderr\n"
            "  -h, --help            show this help\n"
            "  -V, --version         show the version\n",
            GEN_MIN_ENTITIES, GEN_MAX_ENTITIES, GEN_DEFAULT_QUERIES, GEN_DEFAULT_NOW_MS);
}

/* Parses a whole decimal number in [min, max]; -1 if it is not one. */
static int parse_ll(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    enum { OPT_QUERY_COUNT = 256, OPT_NOW };
    static const struct option longopts[] = {
        {"entities", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {"queries", required_argument, NULL, 'q'},
        {"query-count", required_argument, NULL, OPT_QUERY_COUNT},
        {"now", required_argument, NULL, OPT_NOW},
        {"quiet", no_argument, NULL, 'Q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    gen_options opt = {
        .seed = 1, .entities = -1, .now_ms = GEN_DEFAULT_NOW_MS, .queries = GEN_DEFAULT_QUERIES};
    const char *out_path = NULL, *queries_path = NULL;
    int quiet = 0, c;
    long long v;
    while ((c = getopt_long(argc, argv, "n:s:o:q:QhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_ll(optarg, GEN_MIN_ENTITIES, GEN_MAX_ENTITIES, &v) < 0) {
                fprintf(stderr, "mdx-gen: --entities must be a number from %ld to %ld: '%s'\n",
                        GEN_MIN_ENTITIES, GEN_MAX_ENTITIES, optarg);
                return 2;
            }
            opt.entities = (long)v;
            break;
        case 's': {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-') {
                fprintf(stderr, "mdx-gen: --seed must be a non-negative number: '%s'\n", optarg);
                return 2;
            }
            opt.seed = (uint64_t)s;
            break;
        }
        case 'o': out_path = optarg; break;
        case 'q': queries_path = optarg; break;
        case OPT_QUERY_COUNT:
            if (parse_ll(optarg, 0, 100000000, &v) < 0) {
                fprintf(stderr,
                        "mdx-gen: --query-count must be a number from 0 to 100000000: '%s'\n",
                        optarg);
                return 2;
            }
            opt.queries = (long)v;
            break;
        case OPT_NOW:
            if (parse_ll(optarg, 31LL * 86400000LL, 253402300799999LL, &v) < 0) {
                fprintf(stderr, "mdx-gen: --now must be milliseconds since the epoch: '%s'\n",
                        optarg);
                return 2;
            }
            opt.now_ms = v;
            break;
        case 'Q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("mdx-gen (metadex) %s\n", MDX_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mdx-gen: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (opt.entities < 0) {
        fprintf(stderr, "mdx-gen: --entities N is required (try --help)\n");
        return 2;
    }

    FILE *out = stdout, *queries = NULL;
    if (out_path && !(out = fopen(out_path, "w"))) {
        fprintf(stderr, "mdx-gen: cannot write %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    if (queries_path && !(queries = fopen(queries_path, "w"))) {
        fprintf(stderr, "mdx-gen: cannot write %s: %s\n", queries_path, strerror(errno));
        if (out != stdout)
            fclose(out);
        return 1;
    }
    double t0 = now_s();
    char err[256];
    gen_stats st;
    int rc = gen_catalog_write(&opt, out, queries, &st, err, sizeof err);
    double secs = now_s() - t0;
    if (out != stdout && fclose(out) != 0 && rc == 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", out_path, strerror(errno));
        rc = -1;
    }
    if (queries && fclose(queries) != 0 && rc == 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", queries_path, strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        fprintf(stderr, "mdx-gen: %s\n", err);
        return 1;
    }
    if (!quiet) {
        long total = 0;
        for (int t = 0; t < GEN_T_COUNT; t++)
            total += st.entities[t];
        fprintf(stderr, "mdx-gen: seed %" PRIu64 ", %.1f s, %.0f entities/s, %.1f MB\n", opt.seed,
                secs, secs > 0 ? (double)total / secs : 0.0, (double)st.bytes / 1e6);
        for (int t = 0; t < GEN_T_COUNT; t++)
            fprintf(stderr, "  %-14s %ld\n", GEN_TYPE_NAMES[t], st.entities[t]);
        fprintf(stderr, "  %-14s %ld\n", "entities", total);
        fprintf(stderr, "  %-14s %lld\n", "events", st.events);
        if (queries)
            fprintf(stderr, "  %-14s %ld\n", "queries", st.queries);
    }
    return 0;
}
