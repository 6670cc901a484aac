/*
 * lab-create-time - xk-guest-tiny's create-to-line time when libxl is
 * called by a process that is already running, as in a toolstack
 * daemon (xapi, libvirtd, `xk create`'s owner), for bench/lab-bench.
 * `xl create` under TCG spends most of its time starting: exec,
 * dynamic linking of libxl and its libraries, the config parse; this
 * pays that once, outside the timing.
 *
 * Usage: lab-create-time JSON LOG ROUNDS
 *   JSON    the domain's libxl configuration (`xl create -n CFG`)
 *   LOG     the console log xenconsoled writes for it
 *   ROUNDS  how many times to create, wait for the line and destroy
 *
 * Prints per round "create MS unpause MS line MS": the time of
 * libxl_domain_create_new (the domain built, paused), of
 * libxl_domain_unpause, and from the start of the create to the
 * guest's "xk-tiny: t=NS" stamp (Xen's wallclock when the guest wrote
 * it, against this process's CLOCK_REALTIME; dom0 takes its clock from
 * Xen's at boot).  The log is polled every 2 ms, but the stamp is the
 * guest's, so polling does not add to it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxl.h>
#include <xentoollog.h>

#include "util/file.h"

#define LINE_TIMEOUT_MS 30000

static int64_t
real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The guest's stamp in LOG, or -1 when it has not written it within
 * LINE_TIMEOUT_MS. */
static int64_t
wait_stamp(const char *log)
{
	struct timespec tick = { 0, 2000000 };
	struct xk_error err = { 0 };
	int64_t deadline = real_ns() + (int64_t)LINE_TIMEOUT_MS * 1000000;
	char *data, *at;
	size_t len;
	long long t;

	while (real_ns() < deadline) {
		if (xk_read_file(log, 1 << 20, &data, &len, &err) == 0) {
			at = strstr(data, "xk-tiny: t=");
			t = at != NULL ? strtoll(at + 11, NULL, 10) : -1;
			free(data);
			if (t > 0)
				return t;
		}
		nanosleep(&tick, NULL);
	}
	return -1;
}

/* One round: create, unpause, wait for the line, destroy. */
static int
round_once(libxl_ctx *ctx, const char *json, const char *log)
{
	libxl_domain_config dc;
	uint32_t domid;
	int64_t t0, t1, t2, line;
	int rc;

	libxl_domain_config_init(&dc);
	if (libxl_domain_config_from_json(ctx, &dc, json) != 0) {
		fprintf(stderr, "lab-create-time: not a libxl configuration\n");
		libxl_domain_config_dispose(&dc);
		return -1;
	}
	if (unlink(log) == -1 && errno != ENOENT)
		fprintf(stderr, "lab-create-time: %s: %s\n", log,
		    strerror(errno));
	t0 = real_ns();
	rc = libxl_domain_create_new(ctx, &dc, &domid, NULL, NULL);
	t1 = real_ns();
	libxl_domain_config_dispose(&dc);
	if (rc != 0) {
		fprintf(stderr, "lab-create-time: create: libxl error %d\n",
		    rc);
		return -1;
	}
	rc = libxl_domain_unpause(ctx, domid, NULL);
	t2 = real_ns();
	line = rc == 0 ? wait_stamp(log) : -1;
	if (libxl_domain_destroy(ctx, domid, NULL) != 0)
		fprintf(stderr, "lab-create-time: destroy %u failed\n", domid);
	if (line < 0) {
		fprintf(stderr, "lab-create-time: %s\n", rc != 0 ?
		    "unpause failed" : "no line within 30 s");
		return -1;
	}
	printf("create %" PRId64 " unpause %" PRId64 " line %" PRId64 "\n",
	    (t1 - t0) / 1000000, (t2 - t1) / 1000000,
	    (line - t0) / 1000000);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct xk_error err = { 0 };
	xentoollog_logger_stdiostream *lg;
	libxl_ctx *ctx = NULL;
	char *json, *end;
	size_t len;
	long rounds, i;
	int status = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: lab-create-time JSON LOG ROUNDS\n");
		return 2;
	}
	rounds = strtol(argv[3], &end, 10);
	if (*end != '\0' || rounds < 1 || rounds > 1000) {
		fprintf(stderr, "lab-create-time: ROUNDS: 1 to 1000\n");
		return 2;
	}
	if (xk_read_file(argv[1], 1 << 20, &json, &len, &err) == -1) {
		fprintf(stderr, "lab-create-time: %s\n", err.msg);
		return 1;
	}
	lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
	if (lg == NULL || libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
	    (xentoollog_logger *)lg) != 0) {
		fprintf(stderr, "lab-create-time: no libxl context\n");
		status = 1;
	}
	for (i = 0; status == 0 && i < rounds; i++)
		if (round_once(ctx, json, argv[2]) == -1)
			status = 1;
	if (ctx != NULL)
		libxl_ctx_free(ctx);
	if (lg != NULL)
		xtl_logger_destroy((xentoollog_logger *)lg);
	free(json);
	return status;
}
