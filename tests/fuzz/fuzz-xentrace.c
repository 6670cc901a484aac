/*
 * fuzz-xentrace - the power cap's reader of xentrace's file
 * (lib/power/xentrace.c; `xk powercap aligned`): whatever the file,
 * it is measured or refused, never read past, and the reader holds at
 * most the file's size in memory, as xk-powercap(1) promises (its
 * per-input heap peak is counted by heaplimit.h, the limit set from
 * the input's size).
 */
#include <stdint.h>
#include <stdlib.h>

#include "power/xentrace.h"

static long xt_limit;
#define XK_FUZZ_HEAP_LIMIT xt_limit
#include "heaplimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	xt_limit = (long)size;
	heap_begin();
	if (xk_xt_idle_measure(data, size, &m, &e) == 0 &&
	    (m.all_idle > m.span || m.idle_sum > (uint64_t)m.cpus * m.span ||
	    m.all_idle * m.cpus > m.idle_sum || m.cpus == 0))
		abort();
	heap_end();
	return 0;
}
