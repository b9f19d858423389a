/* json_arena.c — a per-thread bump allocator for jansson (see json_arena.h). */
#include "searchd/json_arena.h"

#include <jansson.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct ja_block {
    struct ja_block *next;
    size_t cap, used;
    alignas(max_align_t) unsigned char data[];
} ja_block;

static int installed;
static _Thread_local ja_block *blocks; /* the current block first */
static _Thread_local int open_now;
static _Thread_local unsigned held;   /* parses made in the arena, not yet released */

/* A thread's blocks are freed when it exits (the key's destructor). */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;

static void thread_exit(void *unused)
{
    (void)unused;
    while (blocks) {
        ja_block *b = blocks;
        blocks = b->next;
        free(b);
    }
}

static void key_make(void)
{
    pthread_key_create(&key, thread_exit);
}

static int in_arena(const void *p)
{
    for (const ja_block *b = blocks; b; b = b->next)
        if ((const unsigned char *)p >= b->data && (const unsigned char *)p < b->data + b->cap)
            return 1;
    return 0;
}

static void *ja_malloc(size_t size)
{
    if (!open_now)
        return malloc(size);
    size_t need = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    if (!blocks || blocks->cap - blocks->used < need) {
        size_t cap = need > JA_BLOCK ? need : JA_BLOCK;
        ja_block *b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = blocks;
        if (!blocks) {
            pthread_once(&key_once, key_make);
            pthread_setspecific(key, b); /* any non-NULL value: the destructor runs */
        }
        blocks = b;
    }
    void *p = blocks->data + blocks->used;
    blocks->used += need;
    return p;
}

static void ja_free(void *p)
{
    if (p && !in_arena(p))
        free(p);
}

void ja_install(void)
{
    json_set_alloc_funcs(ja_malloc, ja_free);
    installed = 1;
}

int ja_open(void)
{
    if (!installed)
        return 0;
    open_now = 1;
    held++;
    return 1;
}

void ja_close(void)
{
    open_now = 0;
}

void ja_release(void)
{
    if (held == 0 || --held > 0)
        return;
    /* Keep one block for the next parse, emptied. */
    while (blocks && blocks->next) {
        ja_block *b = blocks;
        blocks = b->next;
        free(b);
    }
    if (blocks)
        blocks->used = 0;
}
