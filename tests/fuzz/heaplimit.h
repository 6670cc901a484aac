/*
 * heaplimit.h - the memory promise of xk-import(1) inside a fuzzer:
 * while one input is parsed, the heap it holds must stay under 64 MiB
 * (the same bound t3104-xml-memory asserts on xk's peak RSS).  Counted
 * through the sanitizer allocator's hooks, so libFuzzer's and ASan's
 * own memory (tens of MB that scripts/test's -rss_limit_mb has to
 * allow for) is not: an input that makes the parser hold more aborts,
 * whatever the process's RSS.
 */
#ifndef XK_FUZZ_HEAPLIMIT_H
#define XK_FUZZ_HEAPLIMIT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sanitizer/allocator_interface.h>

#ifndef XK_FUZZ_HEAP_LIMIT
#define XK_FUZZ_HEAP_LIMIT	(64L * 1024 * 1024)
#endif

static long heap_live, heap_peak;
static bool heap_on;

static void
heap_malloc(const volatile void *p, size_t n)
{
	(void)p;
	if (!heap_on)
		return;
	heap_live += (long)n;
	if (heap_live > heap_peak)
		heap_peak = heap_live;
}

static void
heap_free(const volatile void *p)
{
	if (heap_on && p != NULL)
		heap_live -= (long)__sanitizer_get_allocated_size(
		    (const void *)p);
}

/* Start counting (once per input). */
static inline void
heap_begin(void)
{
	static bool hooked;

	if (!hooked)
		hooked = __sanitizer_install_malloc_and_free_hooks(
		    heap_malloc, heap_free) != 0;
	heap_live = heap_peak = 0;
	heap_on = true;
}

/* Stop counting; abort when the input's peak went over the limit. */
static inline void
heap_end(void)
{
	heap_on = false;
	if (heap_peak > (long)XK_FUZZ_HEAP_LIMIT) {
		fprintf(stderr, "heap peak %ld bytes while parsing one input, "
		    "over the %ld promised\n", heap_peak, (long)XK_FUZZ_HEAP_LIMIT);
		abort();
	}
}

#endif
