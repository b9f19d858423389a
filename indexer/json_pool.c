/* json_pool.c — the recycling allocator for jansson values (see json_pool.h).
 *
 * The pool's blocks are plain malloc blocks, sorted by malloc_usable_size
 * into classes of 16-byte steps up to POOL_MAX_BYTES (which covers jansson's
 * values, object tables and nearly all strings). So a block may be freed
 * with free() (json_dumps' result, say, by code that does so) and a block
 * from malloc may reach the pool: either way it is still a malloc block of
 * the size it says. A block freed in a thread goes on that thread's lists,
 * whichever thread allocated it.
 */
#include "indexer/json_pool.h"

#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#define POOL_STEP 16
#define POOL_MAX_BYTES 1024
#define POOL_CLASSES (POOL_MAX_BYTES / POOL_STEP)
/* Past this much kept per thread, freed blocks go back to malloc. */
#define POOL_KEEP_MAX ((size_t)512 << 20)

typedef struct pool_block {
    struct pool_block *next;
} pool_block;

typedef struct pool_lists {
    pool_block *free[POOL_CLASSES + 1]; /* class c: usable size >= c * POOL_STEP */
    size_t kept;                        /* bytes on the lists */
    int registered;
} pool_lists;

static _Thread_local pool_lists lists;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static int exit_key_ok;

static void release(pool_lists *l) {
    for (size_t c = 1; c <= POOL_CLASSES; c++) {
        while (l->free[c]) {
            pool_block *b = l->free[c];
            l->free[c] = b->next;
            free(b);
        }
    }
    l->kept = 0;
}

/* Thread exit: the value set for the key is the thread's own lists. */
static void on_thread_exit(void *p) {
    release(p);
}

static void make_key(void) {
    exit_key_ok = pthread_key_create(&exit_key, on_thread_exit) == 0;
}

static void *pool_malloc(size_t n) {
    size_t c = (n + POOL_STEP - 1) / POOL_STEP;
    if (c == 0) c = 1;
    if (c > POOL_CLASSES) return malloc(n);
    pool_lists *l = &lists;
    pool_block *b = l->free[c];
    if (b) {
        l->free[c] = b->next;
        l->kept -= c * POOL_STEP;
        return b;
    }
    if (!l->registered) {
        /* This thread's first block: its lists go back to malloc when it exits. */
        pthread_once(&exit_once, make_key);
        if (exit_key_ok) pthread_setspecific(exit_key, l);
        l->registered = 1;
    }
    return malloc(c * POOL_STEP);
}

static void pool_free(void *ptr) {
    if (!ptr) return;
    /* The class whose every block is at least this big. */
    size_t c = malloc_usable_size(ptr) / POOL_STEP;
    pool_lists *l = &lists;
    if (c == 0 || c > POOL_CLASSES || l->kept + c * POOL_STEP > POOL_KEEP_MAX) {
        free(ptr);
        return;
    }
    pool_block *b = ptr;
    b->next = l->free[c];
    l->free[c] = b;
    l->kept += c * POOL_STEP;
}

int json_pool_install(void) {
    json_set_alloc_funcs(pool_malloc, pool_free);
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    return m == pool_malloc && f == pool_free ? 0 : -1;
}

void json_pool_release(void) {
    release(&lists);
}
