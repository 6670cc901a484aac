/*
 * common.c - what every part of the snapshot code uses: the fault
 * points (backend.h).  It depends on no other file of lib/snapshot;
 * running programs and syncing directories are lib/util's.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot/backend.h"

void
xk_snap_fault(struct xk_snap_env *env, const char *point)
{
	const char *f = getenv("XK_SNAPSHOT_FAULT");
	const char *log = getenv("XK_SNAPSHOT_FAULT_LOG");
	unsigned n = ++env->faults;
	char nth[24];

	if (log != NULL) {
		/* which point is which number, for the tests' messages */
		FILE *l = fopen(log, "a");

		if (l != NULL) {
			fprintf(l, "%u %s\n", n, point);
			fclose(l);
		}
	}
	snprintf(nth, sizeof(nth), "@%u", n);
	if (f != NULL && (strcmp(f, point) == 0 || strcmp(f, nth) == 0))
		raise(SIGKILL);	/* as if killed: no cleanup at all */
}

void
xk_snap_fault_step(struct xk_snap_env *env, const char *op, int step)
{
	char point[64];

	snprintf(point, sizeof(point), "%s:%d", op, step);
	xk_snap_fault(env, point);
}
