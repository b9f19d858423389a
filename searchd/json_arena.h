/* json_arena.h — jansson values parsed into a per-thread arena.
 *
 * Rendering a hit parses its stored state (~7 KB of JSON, a few hundred
 * jansson values) and frees it right after; at 1M entities the
 * allocations and the json_decref walk were a fifth of rendering. While a
 * thread has an arena open, its jansson allocations come from its arena
 * (blocks of JA_BLOCK bytes, more when needed), and freeing them is a
 * no-op; when the last value parsed into it is released, the arena is
 * emptied at once, without walking the values.
 *
 * Values parsed into an arena must be read and released by the thread that
 * parsed them, and must not be kept, modified or decref'd-to-keep past
 * ja_release: the summary of a hit (pointing into its state) lives as long
 * as the hit is rendered, then both go.
 */
#ifndef MDX_SEARCHD_JSON_ARENA_H
#define MDX_SEARCHD_JSON_ARENA_H

#define JA_BLOCK (256 * 1024)

/* Routes jansson's allocations through the arena's functions: once, at
 * start-up, before any jansson value exists or any thread starts. Without
 * it, ja_open is always 0 and nothing changes. */
void ja_install(void);

/* Opens the calling thread's arena for the values parsed until ja_close:
 * 1 if it is open (pass the values to ja_release later), 0 if not (free
 * them with json_decref). */
int ja_open(void);
void ja_close(void);

/* Releases one parse made in the open: the arena is emptied when no parse
 * in it is held any more. */
void ja_release(void);

#endif
