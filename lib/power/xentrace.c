/*
 * xentrace.c - idle alignment from xentrace's file (see xentrace.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "power/xentrace.h"

/* xen/include/public/trace.h, Xen 4.17 */
#define TRC_LOST_RECORDS	0x0001f001u
#define TRC_TRACE_CPU_CHANGE	0x0001f003u
#define TRC_SCHED_SWITCH	0x0002800au
#define TRC_EXTRA_SHIFT		28
/* xentrace's block header: the event with two extra words */
#define CPU_CHANGE_HEADER	(TRC_TRACE_CPU_CHANGE | 2u << TRC_EXTRA_SHIFT)
#define DOMID_IDLE		0x7fffu
/* the longest span measured: a day at 3 GHz; keeps the sums of
 * XK_XT_MAX_CPUS pCPUs' cycles within 64 bits */
#define SPAN_MAX		(1ull << 48)

/* one pCPU's switch: from then on it is idle, or not */
struct xt_switch {
	uint64_t tsc;
	uint32_t cpu;
	uint32_t to_idle;
};

struct xt_parse {
	struct xt_switch *sw;	/* NULL: count only */
	size_t n;
	struct xk_xt_idle *out;
};

/* xentrace writes the host's byte order; its hosts are little-endian
 * (x86, arm64) */
static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The first pass counts (sw is NULL), the second stores. */
static void
push(struct xt_parse *x, uint64_t tsc, uint32_t cpu, bool to_idle)
{
	if (x->sw != NULL)
		x->sw[x->n] = (struct xt_switch){ tsc, cpu, to_idle };
	x->n++;
}

/* The records of one pCPU's block, at file offset base. */
static int
parse_block(struct xt_parse *x, const uint8_t *p, size_t size,
    uint32_t cpu, size_t base, struct xk_error *err)
{
	size_t at = 0, rlen;
	uint32_t h, event, extra, cycles;
	const uint8_t *w;

	while (at < size) {
		if (size - at < 4) {
			xk_error_set(err, "trace: offset %zu: a record cut "
			    "by its block's end", base + at);
			return -1;
		}
		h = le32(p + at);
		event = h & ((1u << TRC_EXTRA_SHIFT) - 1);
		extra = h >> TRC_EXTRA_SHIFT & 7;
		cycles = h >> 31;
		rlen = 4 + (cycles ? 8 : 0) + 4 * (size_t)extra;
		if (rlen > size - at) {
			xk_error_set(err, "trace: offset %zu: record 0x%08x "
			    "of %zu bytes runs past its block's end",
			    base + at, event, rlen);
			return -1;
		}
		w = p + at + 4 + (cycles ? 8 : 0);
		if (event == TRC_LOST_RECORDS && x->sw == NULL)
			x->out->lost++;
		else if (event == TRC_SCHED_SWITCH && cycles && extra >= 4) {
			/* prev domid, prev unit, next domid, next unit */
			push(x, (uint64_t)le32(p + at + 8) << 32 |
			    le32(p + at + 4), cpu, le32(w + 8) == DOMID_IDLE);
		}
		at += rlen;
	}
	return 0;
}

static int
parse_file(struct xt_parse *x, const uint8_t *buf, size_t len,
    struct xk_error *err)
{
	size_t off = 0;
	uint32_t cpu, size;

	while (off < len) {
		if (len - off < 12 || le32(buf + off) != CPU_CHANGE_HEADER) {
			xk_error_set(err, "trace: offset %zu: not a pCPU "
			    "block's header (xentrace's TRC_TRACE_CPU_CHANGE)",
			    off);
			return -1;
		}
		cpu = le32(buf + off + 4);
		size = le32(buf + off + 8);
		off += 12;
		if (cpu >= XK_XT_MAX_CPUS) {
			xk_error_set(err, "trace: offset %zu: pCPU %u (at "
			    "most %d)", off - 8, cpu, XK_XT_MAX_CPUS);
			return -1;
		}
		if (size > len - off) {
			xk_error_set(err, "trace: offset %zu: a block of %u "
			    "bytes, %zu left in the file", off - 4, size,
			    len - off);
			return -1;
		}
		if (parse_block(x, buf + off, size, cpu, off, err) == -1)
			return -1;
		off += size;
	}
	return 0;
}

static int
by_tsc(const void *a, const void *b)
{
	const struct xt_switch *x = a, *y = b;

	if (x->tsc != y->tsc)
		return x->tsc < y->tsc ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

/* The span in which every traced pCPU's state is known: from the last
 * first switch to the first last one.  0 when there is none. */
static int
span(const struct xt_parse *x, unsigned int *ncpus, uint64_t *start,
    uint64_t *end)
{
	static const uint64_t none = UINT64_MAX;
	uint64_t first[XK_XT_MAX_CPUS], last[XK_XT_MAX_CPUS];
	unsigned int c;
	size_t i;

	for (c = 0; c < XK_XT_MAX_CPUS; c++)
		first[c] = none, last[c] = 0;
	for (i = 0; i < x->n; i++) {
		c = x->sw[i].cpu;
		if (x->sw[i].tsc < first[c])
			first[c] = x->sw[i].tsc;
		if (x->sw[i].tsc > last[c])
			last[c] = x->sw[i].tsc;
	}
	*start = 0, *end = none, *ncpus = 0;
	for (c = 0; c < XK_XT_MAX_CPUS; c++) {
		if (first[c] == none)
			continue;
		++*ncpus;
		if (first[c] > *start)
			*start = first[c];
		if (last[c] < *end)
			*end = last[c];
	}
	return *ncpus > 0 && *end > *start;
}

/* Walk the switches in time order, adding up idle and all-idle time
 * within [start, end]. */
static void
sweep(const struct xt_parse *x, unsigned int ncpus, uint64_t start,
    uint64_t end)
{
	bool known[XK_XT_MAX_CPUS] = { 0 }, idle[XK_XT_MAX_CPUS] = { 0 };
	unsigned int nknown = 0, nidle = 0;
	uint64_t prev = start, t, dt;
	size_t i;

	for (i = 0; i < x->n && prev < end; i++) {
		const struct xt_switch *s = &x->sw[i];

		t = s->tsc < end ? s->tsc : end;
		if (nknown == ncpus && t > prev) {
			dt = t - prev;
			x->out->idle_sum += nidle * dt;
			if (nidle == ncpus)
				x->out->all_idle += dt;
		}
		if (t > prev)
			prev = t;
		if (!known[s->cpu]) {
			known[s->cpu] = true;
			nknown++;
		}
		if (s->to_idle && !idle[s->cpu])
			nidle++;
		else if (!s->to_idle && idle[s->cpu])
			nidle--;
		idle[s->cpu] = s->to_idle != 0;
	}
}

int
xk_xt_idle_measure(const uint8_t *buf, size_t len, struct xk_xt_idle *out,
    struct xk_error *err)
{
	struct xt_parse x = { .out = out };
	uint64_t start, end;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* count, then store: a switch record is 28 bytes, its entry 16,
	 * so the memory stays under the file's size */
	if (parse_file(&x, buf, len, err) == -1)
		goto out;
	out->switches = x.n;
	if (x.n > 0 && (x.sw = calloc(x.n, sizeof(*x.sw))) == NULL) {
		xk_error_set(err, "trace: out of memory for %zu switches",
		    x.n);
		goto out;
	}
	x.n = 0;
	if (x.sw != NULL && parse_file(&x, buf, len, err) == -1)
		goto out;
	if (!span(&x, &out->cpus, &start, &end)) {
		xk_error_set(err, "trace: no time in which every traced "
		    "pCPU's state is known (%zu switches on %u pCPUs; "
		    "traced with -e 0x0002f000?)", x.n, out->cpus);
		goto out;
	}
	if (end - start > SPAN_MAX) {
		xk_error_set(err, "trace: a span of %llu TSC cycles, more "
		    "than a day's: stamps that do not belong together",
		    (unsigned long long)(end - start));
		goto out;
	}
	qsort(x.sw, x.n, sizeof(*x.sw), by_tsc);
	out->span = end - start;
	sweep(&x, out->cpus, start, end);
	rc = 0;
out:
	free(x.sw);
	return rc;
}
