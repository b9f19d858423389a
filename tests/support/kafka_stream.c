/* kafka_stream.c — shared steps of the Kafka integration tests (see
 * kafka_stream.h). */
#include "tests/support/kafka_stream.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/support/event_gen.h"
#include "tests/support/index_compare.h"
#include "tests/support/testenv.h"

static char **ks_list;
static size_t ks_nlist, ks_caplist;

static int ks_collect(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    size_t n = strlen(path);
    if (flag != FTW_F || n < 5 || strcmp(path + n - 5, ".json") != 0)
        return 0;
    if (ks_nlist + 1 >= ks_caplist) {
        size_t cap = ks_caplist ? ks_caplist * 2 : 64;
        char **v = realloc(ks_list, cap * sizeof *v);
        if (!v)
            return 1;
        ks_list = v;
        ks_caplist = cap;
    }
    if (!(ks_list[ks_nlist] = strdup(path)))
        return 1;
    ks_nlist++;
    return 0;
}

static int ks_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ks_fixture_files(size_t *n)
{
    const char *dir = getenv("MDX_FIXTURES");
    if (!dir)
        return NULL;
    ks_list = NULL;
    ks_nlist = ks_caplist = 0;
    if (nftw(dir, ks_collect, 16, FTW_PHYS) != 0 || !ks_list) {
        ks_free_list(ks_list);
        ks_list = NULL;
        return NULL;
    }
    ks_list[ks_nlist] = NULL;
    qsort(ks_list, ks_nlist, sizeof *ks_list, ks_cmp);
    *n = ks_nlist;
    char **out = ks_list;
    ks_list = NULL;
    return out;
}

void ks_free_list(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

int ks_write_generated(const char *path, uint64_t seed, long count, long entities, const char *ns)
{
    evgen g;
    if (evgen_init(&g, seed, entities, ns) != 0)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = 0;
    for (long i = 0; i < count && rc == 0; i++) {
        char *ev = evgen_next(&g);
        if (!ev || fprintf(f, "%s\n", ev) < 0)
            rc = -1;
        free(ev);
    }
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

long ks_produce_files(const char *brokers, const char *topic, char *const *files, size_t n)
{
    char err[512];
    kt_producer p;
    if (kt_producer_open(&p, brokers, err, sizeof err) != 0) {
        fprintf(stderr, "ks_produce_files: %s\n", err);
        return -1;
    }
    long total = 0;
    for (size_t i = 0; i < n && total >= 0; i++) {
        size_t len = 0;
        char *buf = te_read_file(files[i], &len);
        long k = buf ? kt_produce_events(&p, topic, buf, len, 0) : -1;
        free(buf);
        if (k < 0) {
            fprintf(stderr, "ks_produce_files: %s: %s\n", files[i], p.last_error);
            total = -1;
        } else {
            total += k;
        }
    }
    if (kt_producer_flush(&p, 60000) != 0) {
        fprintf(stderr, "ks_produce_files: %s\n", p.last_error);
        total = -1;
    }
    kt_producer_close(&p);
    return total;
}

int ks_index_files(const char *db, const char *dead_letter, char *const *files, size_t n,
                   const char *log)
{
    char **argv = calloc(n + 8, sizeof *argv);
    if (!argv)
        return -1;
    size_t k = 0;
    char *bin = te_bin("indexer/metadex-indexer");
    argv[k++] = bin;
    argv[k++] = "--quiet";
    argv[k++] = "--db";
    argv[k++] = (char *)db;
    if (dead_letter) {
        argv[k++] = "--dead-letter";
        argv[k++] = (char *)dead_letter;
    }
    for (size_t i = 0; i < n; i++)
        argv[k++] = files[i];
    argv[k] = NULL;
    int rc = te_run(argv, NULL, log);
    free(bin);
    free(argv);
    return rc;
}

pid_t ks_start_indexer(const char *db, const char *brokers, const char *topics, const char *group,
                       const char *const *extra, const char *log)
{
    size_t nextra = 0;
    while (extra && extra[nextra])
        nextra++;
    char **argv = calloc(nextra + 24, sizeof *argv);
    if (!argv)
        return -1;
    size_t k = 0;
    char *bin = te_bin("indexer/metadex-indexer");
    argv[k++] = bin;
    argv[k++] = "--db";
    argv[k++] = (char *)db;
    argv[k++] = "--brokers";
    argv[k++] = (char *)brokers;
    argv[k++] = "--topic";
    argv[k++] = (char *)topics;
    argv[k++] = "--group";
    argv[k++] = (char *)group;
    /* A member killed with -9 is only noticed after its session times out:
     * keep that short so a restart gets its partitions back quickly. */
    argv[k++] = "-X";
    argv[k++] = "session.timeout.ms=3000";
    argv[k++] = "-X";
    argv[k++] = "heartbeat.interval.ms=500";
    for (size_t i = 0; i < nextra; i++)
        argv[k++] = (char *)extra[i];
    argv[k] = NULL;
    pid_t pid = te_spawn(argv, log);
    free(bin);
    free(argv);
    return pid;
}

static void ks_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int ks_wait_offsets(const char *db, const char *topic, int nparts, const int64_t *high,
                    int timeout_ms, pid_t pid)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        int done = 1;
        for (int p = 0; p < nparts && done; p++)
            if (high[p] > 0 && ixc_offset(db, topic, p) != high[p])
                done = 0;
        if (done)
            return 0;
        if (pid > 0) {
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                fprintf(stderr, "ks_wait_offsets: the indexer exited (status %d)\n", st);
                return -1;
            }
        }
        ks_sleep_ms(50);
    }
    for (int p = 0; p < nparts; p++)
        fprintf(stderr, "ks_wait_offsets: %s [%d] stored %lld, high %lld\n", topic, p,
                (long long)ixc_offset(db, topic, p), (long long)high[p]);
    return -1;
}

int64_t ks_offsets_sum(const char *db, const char *topic, int nparts)
{
    int64_t sum = 0;
    for (int p = 0; p < nparts; p++) {
        int64_t o = ixc_offset(db, topic, p);
        if (o > 0)
            sum += o;
    }
    return sum;
}

void ks_dump_log(const char *path, int lines)
{
    size_t len = 0;
    char *text = te_read_file(path, &len);
    if (!text)
        return;
    size_t start = len;
    int seen = 0;
    while (start > 0 && seen <= lines)
        if (text[--start] == '\n')
            seen++;
    fprintf(stderr, "---- %s (last lines)\n%s\n----\n", path, text + start);
    free(text);
}
