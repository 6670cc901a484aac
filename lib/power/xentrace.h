/*
 * xentrace.h - how aligned the pCPUs' idle time was, from a file of
 * Xen's trace records as xentrace(8) writes it: the power cap's
 * alignment measure (issue 19, xk-powercap(1) ALIGNMENT).
 *
 * Xen stamps each record with the pCPU's TSC when it happens, in the
 * hypervisor, so the measure does not depend on dom0 being scheduled
 * (dom0 is idled by the hypervisor's injection like every domain).
 * The scheduler's TRC_SCHED_SWITCH record (xentrace -e 0x0002f000)
 * says which unit a pCPU leaves and which it runs next; the idle
 * domain (DOMID_IDLE) next is an idle start, as the previous one an
 * idle end.
 *
 * The file: blocks of one pCPU's records, each after a header record
 * TRC_TRACE_CPU_CHANGE { cpu, size of the block in bytes }; a record is
 * a 32-bit word (event:28, extra words:3, TSC included:1), the TSC
 * (two words) when included, then its extra words.  Everything is
 * checked against the file's length: a truncated or malformed file is
 * refused with the offset, never read past.
 */
#ifndef XK_POWER_XENTRACE_H
#define XK_POWER_XENTRACE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* the largest file `xk powercap aligned` reads: a minute of two busy
 * pCPUs' scheduler records is a few MB */
#define XK_XT_FILE_MAX (1024L * 1024 * 1024)

/* pCPUs a file may describe; more is refused, not cut */
#define XK_XT_MAX_CPUS 256

struct xk_xt_idle {
	unsigned int cpus;	/* pCPUs with switch records */
	uint64_t span;		/* TSC cycles over which all are known:
				 * from the last pCPU's first switch to
				 * the first pCPU's last one */
	uint64_t idle_sum;	/* cycles idle in the span, summed over
				 * the pCPUs */
	uint64_t all_idle;	/* cycles in the span when every pCPU
				 * was idle at once */
	uint64_t switches;	/* TRC_SCHED_SWITCH records read */
	uint64_t lost;		/* TRC_LOST_RECORDS records: Xen's
				 * buffer was full, the measure has gaps */
};

/*
 * Read the trace in buf and measure.  Returns 0, or -1 with err set:
 * a malformed file, more than XK_XT_MAX_CPUS pCPUs, or fewer than two
 * switch records on some pCPU that has any (nothing to measure).
 * Memory: at most len bytes besides the file.
 */
int xk_xt_idle_measure(const uint8_t *buf, size_t len,
    struct xk_xt_idle *out, struct xk_error *err);

#endif
