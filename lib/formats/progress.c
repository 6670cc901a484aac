/*
 * progress.c - one self-rewriting status line on stderr for long
 * operations: "WHAT  1.2 GiB / 4.0 GiB  30%  850 MiB/s  ETA 0:03".
 * Drawn only when stderr is a terminal (and stdout too, so that output
 * piped or redirected is never interleaved with it), at most 5 times a
 * second.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/disk.h"
#include "util/clock.h"

struct xk_progress {
	char *what;
	uint64_t total;
	uint64_t base;		/* added to every update */
	uint64_t done;
	double started;
	double drawn;		/* when the line was last drawn */
	bool tty;
	bool shown;		/* something is on the line */
};

static void
human(char *buf, size_t n, double v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

struct xk_progress *
xk_progress_start(const char *what, uint64_t total)
{
	struct xk_progress *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->what = strdup(what != NULL ? what : "");
	if (p->what == NULL) {
		free(p);
		return NULL;
	}
	p->total = total;
	p->started = xk_mono_seconds();
	p->tty = isatty(STDERR_FILENO) && isatty(STDOUT_FILENO);
	return p;
}

static void
draw(struct xk_progress *p, double t)
{
	char done[32], total[32], rate[32], eta[32] = "";
	double secs = t - p->started, bps = secs > 0 ? p->done / secs : 0;
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;

	human(done, sizeof(done), (double)p->done);
	human(total, sizeof(total), (double)p->total);
	human(rate, sizeof(rate), bps);
	if (bps > 0 && p->done < p->total) {
		unsigned long left;

		left = (unsigned long)((p->total - p->done) / bps);

		snprintf(eta, sizeof(eta), "  ETA %lu:%02lu", left / 60,
		    left % 60);
	}
	fprintf(stderr, "\r\033[K%s  %s / %s  %u%%  %s/s%s", p->what, done,
	    total, pct, rate, eta);
	fflush(stderr);
	p->drawn = t;
	p->shown = true;
}

void
xk_progress_update(struct xk_progress *p, uint64_t done)
{
	double t;

	if (p == NULL || !p->tty)
		return;
	done += p->base;
	p->done = done > p->total ? p->total : done;
	t = xk_mono_seconds();
	if (t - p->drawn >= 0.2)
		draw(p, t);
}

void
xk_progress_base(struct xk_progress *p, uint64_t base)
{
	if (p != NULL)
		p->base = base;
}

void
xk_progress_end(struct xk_progress *p)
{
	if (p == NULL)
		return;
	if (p->tty && p->shown) {
		draw(p, xk_mono_seconds());
		fputc('\n', stderr);
	}
	free(p->what);
	free(p);
}
