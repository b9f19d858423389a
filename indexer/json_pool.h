/* json_pool.h — a recycling allocator for jansson's values in metadex-indexer.
 *
 * Indexing parses every event into a tree of small jansson values, merges
 * it into entity states and frees the states a batch later. With glibc's
 * malloc that churn fragments the heap and malloc's slow paths grow to a
 * fifth of the indexer's time over a long bulk load. The pool keeps freed
 * values on per-thread lists by size class and hands them out again, so the
 * steady state makes no malloc or free calls at all for JSON.
 *
 * Its blocks are ordinary malloc blocks, so code that frees what jansson
 * returned (json_dumps) with free() keeps working. Install it first thing
 * in main. Memory kept on the lists is bounded per thread; a thread's lists
 * are returned to malloc when it exits.
 */
#ifndef MDX_INDEXER_JSON_POOL_H
#define MDX_INDEXER_JSON_POOL_H

/* Makes jansson allocate through the pool. Returns 0, or -1 if it cannot. */
int json_pool_install(void);
/* Returns the calling thread's kept memory to malloc (before exiting main). */
void json_pool_release(void);

#endif
