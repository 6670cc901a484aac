/*
 * lab-pc-track - the power cap's tracking error (bench/powercap.sh,
 * issue 19): how far each window's idle, from Xen's per-pCPU idle time
 * (power/xen.h), was from the target, measured by one process that only
 * sleeps between its reads (a shell loop of `xk powercap show` would
 * load dom0 in step with its own windows).
 *
 * Usage: lab-pc-track SECONDS WINDOW_MS TARGET
 *
 * Prints
 *	windows N idle_share I error_pts E min_idle A max_idle B
 * I the mean idle of the pCPUs over the run (a share), E the mean
 * |window's idle - TARGET| in points, A and B the extremes.  A window
 * dom0 was late for (it is descheduled too, under the hypervisor's
 * injection) is a longer window.  (The alignment of the idle is
 * measured in Xen, from its scheduler trace: `xk powercap aligned`.)
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
	double idle = 0, sum, w, target, err = 0;
	double lo = 100, hi = 0;
	long windows = 0;
	int i, cur = 0;

	if (argc != 4 || atoi(argv[1]) < 1 || atoi(argv[2]) < 1) {
		fprintf(stderr, "usage: lab-pc-track SECONDS WINDOW_MS "
		    "TARGET\n");
		return 2;
	}
	target = atof(argv[3]);
	step = (int64_t)atoi(argv[2]) * 1000000;
	if ((s = calloc(2, sizeof(*s))) == NULL ||
	    (x = xk_pc_xen_open(&e)) == NULL ||
	    xk_pc_sample(x, &s[0], &e) < 0) {
		fprintf(stderr, "lab-pc-track: %s\n", s ? e.msg : "memory");
		return 1;
	}
	end = s[0].when_ns + (int64_t)atoi(argv[1]) * 1000000000;
	for (next = s[0].when_ns + step; next <= end; next += step) {
		sleep_until(next);
		if (xk_pc_sample(x, &s[!cur], &e) < 0) {
			fprintf(stderr, "lab-pc-track: %s\n", e.msg);
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
		windows++;
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
		fprintf(stderr, "lab-pc-track: no window measured\n");
		return 1;
	}
	printf("windows %ld idle_share %.3f error_pts %.1f min_idle %.1f "
	    "max_idle %.1f\n", windows, idle / total, err / windows, lo, hi);
	return 0;
}
