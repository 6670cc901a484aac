/*
 * hook-stamp.c - the bench's compiled hook (bench/events-latency.sh,
 * XK_BENCH_HOOK=static): reads the clock first thing and appends
 * "EVENT DOMAIN NANOSECONDS" to ../hook-stamps beside its hooks
 * directory, as the bash hook does.  Linked statically, so its start
 * is the process's creation and exec alone: no interpreter, no dynamic
 * loader.  The difference to the bash hook is what bash costs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
main(int argc, char **argv)
{
	struct timespec ts;
	char path[4096];
	const char *ev = getenv("XK_EVENT"), *dom = getenv("XK_DOMAIN");
	const char *slash;
	FILE *f;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (argc < 1 || ev == NULL || dom == NULL ||
	    (slash = strrchr(argv[0], '/')) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%.*s/../hook-stamps",
	    (int)(slash - argv[0]), argv[0]);
	f = fopen(path, "a");
	if (f == NULL)
		return 1;
	fprintf(f, "%s %s %lld%09ld\n", ev, dom, (long long)ts.tv_sec,
	    ts.tv_nsec);
	return fclose(f) == 0 ? 0 : 1;
}
