/*
 * lab-pc-aligned - how often were all pCPUs idle at once?  The power
 * cap's alignment measure (issue 19, tests/lab/t9520): a package
 * reaches its deep C-states only while all its cores are idle.
 *
 * Usage: lab-pc-aligned SECONDS WINDOW_MS [TARGET]
 *
 * Reads Xen's per-pCPU idle time (power/xen.h) at the end of each
 * window of a grid of WINDOW_MS.  Within a window of length dt where
 * pCPU i was idle for idle_i, all n pCPUs were idle at once for at least
 *	sum(idle_i) - (n - 1) * dt
 * (what does not fit otherwise), so a window with that bound above 0
 * had an instant of all-idle: it is counted.  A window dom0 was late
 * for (it is descheduled too, under the hypervisor's injection) is a
 * longer window: the bound holds all the same.  Prints
 *	windows N all_idle K fraction F overlap_share S idle_share I
 * S the bound summed over the run, as a share of the time, and I the
 * mean idle of the pCPUs.  With TARGET (an idle percentage), also
 *	error_pts E min_idle A max_idle B
 * the mean |window's idle - TARGET| over the windows, in points, and
 * the extremes: the power cap's tracking error, measured by one process
 * that only sleeps between its reads (a shell loop of `xk powercap
 * show` would load dom0 in step with its own windows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "power/xen.h"

static void
sleep_until(int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

int
main(int argc, char **argv)
{
	struct xk_pc_sample *s;
	struct xk_pc_xen *x;
	struct xk_error e = { 0 };
	int64_t end, next, step, dt, d, total = 0;
	double over = 0, idle = 0, sum, lb, w, target = -1, err = 0;
	double lo = 100, hi = 0;
	long windows = 0, all = 0;
	int i, cur = 0;

	if (argc < 3 || argc > 4 || atoi(argv[1]) < 1 || atoi(argv[2]) < 1) {
		fprintf(stderr, "usage: lab-pc-aligned SECONDS WINDOW_MS "
		    "[TARGET]\n");
		return 2;
	}
	if (argc == 4)
		target = atof(argv[3]);
	step = (int64_t)atoi(argv[2]) * 1000000;
	if ((s = calloc(2, sizeof(*s))) == NULL ||
	    (x = xk_pc_xen_open(&e)) == NULL ||
	    xk_pc_sample(x, &s[0], &e) < 0) {
		fprintf(stderr, "lab-pc-aligned: %s\n", s ? e.msg : "memory");
		return 1;
	}
	end = s[0].when_ns + (int64_t)atoi(argv[1]) * 1000000000;
	for (next = s[0].when_ns + step; next <= end; next += step) {
		sleep_until(next);
		if (xk_pc_sample(x, &s[!cur], &e) < 0) {
			fprintf(stderr, "lab-pc-aligned: %s\n", e.msg);
			return 1;
		}
		cur = !cur;
		dt = s[cur].when_ns - s[!cur].when_ns;
		if (dt <= 0 || s[cur].nr != s[!cur].nr)
			continue;
		for (sum = 0, i = 0; i < s[cur].nr; i++) {
			/*
			 * Xen adds a running idle period to the counter as
			 * it reads it: two reads can step back a little,
			 * and the counter and the clock are read apart
			 */
			d = (int64_t)(s[cur].idle_ns[i] - s[!cur].idle_ns[i]);
			sum += (double)(d < 0 ? 0 : d > dt ? dt : d);
		}
		lb = sum - (double)(s[cur].nr - 1) * (double)dt;
		windows++;
		all += lb > 0;
		over += lb > 0 ? lb : 0;
		idle += sum / s[cur].nr;
		total += dt;
		w = 100.0 * sum / s[cur].nr / (double)dt;
		err += w > target ? w - target : target - w;
		lo = w < lo ? w : lo;
		hi = w > hi ? w : hi;
		/* a late wake-up: the grid goes on from now */
		if (s[cur].when_ns > next + step)
			next = s[cur].when_ns - (s[cur].when_ns - next) % step;
	}
	xk_pc_xen_close(x);
	free(s);
	if (windows == 0 || total <= 0) {
		fprintf(stderr, "lab-pc-aligned: no window measured\n");
		return 1;
	}
	printf("windows %ld all_idle %ld fraction %.3f overlap_share %.3f "
	    "idle_share %.3f\n", windows, all, (double)all / windows,
	    over / total, idle / total);
	if (target >= 0)
		printf("error_pts %.1f min_idle %.1f max_idle %.1f\n",
		    err / windows, lo, hi);
	return 0;
}
