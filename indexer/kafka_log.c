/* kafka_log.c — log lines of the Kafka mode, with rate limiting of repeated
 * conditions (see kafka_log.h). */
#include "indexer/kafka_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define KAFKA_LOG_KEYS 32 /* distinct rate-limited conditions remembered */
#define KAFKA_LOG_KEY_MAX 64

typedef struct log_slot {
    char key[KAFKA_LOG_KEY_MAX];
    long long last_ms;
    unsigned long held; /* lines suppressed since the last one written */
} log_slot;

static int log_quiet;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static log_slot log_slots[KAFKA_LOG_KEYS];
static size_t log_nslots;

static const char *const level_names[] = {"", "warning: ", "error: "};

void kafka_log_set_quiet(int quiet)
{
    log_quiet = quiet;
}

long long kafka_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double kafka_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void log_write(kafka_log_level level, unsigned long held, const char *fmt, va_list ap)
{
    char line[2048];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0)
        return;
    /* A message longer than the buffer is marked, not silently cut. */
    const char *cut = (size_t)n >= sizeof line ? " [...]" : "";
    if (held > 0)
        fprintf(stderr, "metadex-indexer: %s%s%s (%lu similar lines held back)\n",
                level_names[level], line, cut, held);
    else
        fprintf(stderr, "metadex-indexer: %s%s%s\n", level_names[level], line, cut);
}

void kafka_log(kafka_log_level level, const char *fmt, ...)
{
    if (level == KAFKA_LOG_INFO && log_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&log_lock);
    log_write(level, 0, fmt, ap);
    pthread_mutex_unlock(&log_lock);
    va_end(ap);
}

void kafka_log_limited(kafka_log_level level, const char *key, int interval_ms, const char *fmt,
                       ...)
{
    if (level == KAFKA_LOG_INFO && log_quiet)
        return;
    long long now = kafka_now_ms();
    pthread_mutex_lock(&log_lock);
    log_slot *slot = NULL;
    for (size_t i = 0; i < log_nslots; i++)
        if (strncmp(log_slots[i].key, key, KAFKA_LOG_KEY_MAX - 1) == 0) {
            slot = &log_slots[i];
            break;
        }
    if (!slot) {
        /* When the table is full the oldest condition gives its slot up. */
        size_t at = log_nslots;
        if (log_nslots == KAFKA_LOG_KEYS) {
            at = 0;
            for (size_t i = 1; i < log_nslots; i++)
                if (log_slots[i].last_ms < log_slots[at].last_ms)
                    at = i;
        } else {
            log_nslots++;
        }
        slot = &log_slots[at];
        snprintf(slot->key, sizeof slot->key, "%s", key);
        slot->last_ms = now - interval_ms - 1;
        slot->held = 0;
    }
    if (now - slot->last_ms <= interval_ms) {
        slot->held++;
    } else {
        va_list ap;
        va_start(ap, fmt);
        log_write(level, slot->held, fmt, ap);
        va_end(ap);
        slot->last_ms = now;
        slot->held = 0;
    }
    pthread_mutex_unlock(&log_lock);
}
