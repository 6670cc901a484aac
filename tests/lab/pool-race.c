/*
 * lab-pool-race - a guest run and destroyed in a cpupool, the pool's
 * pCPU then taken and the pool destroyed, again and again: the end of
 * every `xk fuzz` toolstack run, where a debug Xen 4.17 crashed in a
 * dying domain's deferred destruction (xk-fuzz(1), FOUND, finding 2).
 * It panicked a debug build within seconds until
 * share/xen-patches/fixes/0003; t4880 runs it on the suite's
 * hypervisor, which has the fix.
 *
 * Usage: lab-pool-race JSON ROUNDS MODE
 *   JSON    a libxl domain configuration (`xl create -n CFG`), created
 *           in the pool each round and destroyed
 *   ROUNDS  how many times
 *   MODE    after: the pool's pCPU is removed once the pool counts no
 *                  domain (the destruction complete);
 *           now:   at once after libxl_domain_destroy (the domain's
 *                  final teardown may still be pending in RCU);
 *           pool:  no domain, the pool alone;
 *           pool0: the domain in Pool-0, the pool made and dropped
 *                  around it;
 *           stay:  one pool for all rounds, its pCPU moved only at the
 *                  end;
 *           bounce: as stay, the pCPU taken out of the pool and put
 *                  back each round
 *   XK_RACE_SCHED=credit  the pool runs credit, not credit2
 *   XK_RACE_PAUSED=1      the domain is never unpaused
 *
 * Each round: the last pCPU of Pool-0 goes to a new pool "xk-race";
 * the domain is created there and unpaused; it is destroyed; the pCPU
 * is removed from the pool (xc_cpupool_removecpu, the first step of
 * libxl_cpupool_destroy, without libxl's check that no domain is
 * counted); the pool is destroyed when Xen lets it (EBUSY while a
 * dying domain is still counted) and the pCPU goes back to Pool-0.
 * Prints "round N" before each, "survived N rounds" at the end; a
 * hypervisor that panics never lets it: the host sees the lab lost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xenctrl.h>
#include <xentoollog.h>

#include "util/file.h"

#define POOL "xk-race"

struct race {
	int at_once;		/* remove the pCPU at once, not when the
				 * pool counts no domain */
	int no_domain;		/* the pool alone, no domain in it */
	int in_pool0;		/* the domain in Pool-0, not the pool */
	int stay;		/* one pool for all rounds, no pCPU moved */
	int bounce;		/* ... its pCPU out and back in each round */
	int paused;		/* the domain never unpaused */
	libxl_scheduler sched;	/* the pool's */
	libxl_ctx *ctx;
	xc_interface *xch;
	const char *json;
	int cpu;		/* the pCPU the pool gets */
	uint32_t poolid;
};

/* The pool, made on r->cpu. */
static int
pool_make(struct race *r)
{
	libxl_bitmap map;
	libxl_uuid uuid;
	int rc;

	if (libxl_cpupool_cpuremove(r->ctx, 0, r->cpu) != 0) {
		fprintf(stderr, "lab-pool-race: pCPU %d stays in Pool-0\n",
		    r->cpu);
		return -1;
	}
	libxl_bitmap_init(&map);
	if (libxl_cpu_bitmap_alloc(r->ctx, &map, 0) != 0)
		return -1;
	libxl_bitmap_set(&map, r->cpu);
	libxl_uuid_generate(&uuid);
	r->poolid = LIBXL_CPUPOOL_POOLID_ANY;
	rc = libxl_cpupool_create(r->ctx, POOL, r->sched, map,
	    &uuid, &r->poolid);
	libxl_bitmap_dispose(&map);
	if (rc != 0) {
		fprintf(stderr, "lab-pool-race: cpupool create: %d\n", rc);
		libxl_cpupool_cpuadd(r->ctx, 0, r->cpu);
		return -1;
	}
	return 0;
}

/* The domain, created in the pool and running. */
static int
domain_make(struct race *r, uint32_t *domid)
{
	libxl_domain_config dc;
	int rc;

	libxl_domain_config_init(&dc);
	if (libxl_domain_config_from_json(r->ctx, &dc, r->json) != 0) {
		libxl_domain_config_dispose(&dc);
		fprintf(stderr, "lab-pool-race: not a libxl configuration\n");
		return -1;
	}
	dc.c_info.poolid = r->in_pool0 ? 0 : r->poolid;
	rc = libxl_domain_create_new(r->ctx, &dc, domid, NULL, NULL);
	libxl_domain_config_dispose(&dc);
	if (rc == 0 && !r->paused)
		rc = libxl_domain_unpause(r->ctx, *domid, NULL);
	if (rc != 0)
		fprintf(stderr, "lab-pool-race: domain: libxl error %d\n", rc);
	return rc == 0 ? 0 : -1;
}

/* Destroy the pool once Xen lets it, the pCPU back in Pool-0. */
static int
pool_drop(struct race *r)
{
	struct timespec tick = { 0, 1000000 };
	int tries;

	for (tries = 0; xc_cpupool_destroy(r->xch, r->poolid) != 0; tries++) {
		if (errno != EBUSY || tries == 10000) {
			fprintf(stderr, "lab-pool-race: cpupool destroy: "
			    "%s after %d tries\n", strerror(errno), tries);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
	if (libxl_cpupool_cpuadd(r->ctx, 0, r->cpu) != 0) {
		fprintf(stderr, "lab-pool-race: pCPU %d not back in Pool-0\n",
		    r->cpu);
		return -1;
	}
	return 0;
}

/* Wait until the pool counts no domain (its destruction complete). */
static int
pool_empty(struct race *r)
{
	struct timespec tick = { 0, 1000000 };
	xc_cpupoolinfo_t *info;
	int tries, n;

	for (tries = 0; tries < 10000; tries++) {
		if ((info = xc_cpupool_getinfo(r->xch, r->poolid)) == NULL)
			return -1;
		n = info->n_dom;
		xc_cpupool_infofree(r->xch, info);
		if (n == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "lab-pool-race: the pool still counts a domain\n");
	return -1;
}

static int
round_once(struct race *r)
{
	uint32_t domid;

	if (r->stay) {
		if (domain_make(r, &domid) == -1 ||
		    libxl_domain_destroy(r->ctx, domid, NULL) != 0 ||
		    pool_empty(r) == -1)
			return -1;
		if (r->bounce && (xc_cpupool_removecpu(r->xch, r->poolid,
		    r->cpu) != 0 || libxl_cpupool_cpuadd(r->ctx, r->poolid,
		    r->cpu) != 0)) {
			fprintf(stderr, "lab-pool-race: pCPU %d out and back: "
			    "%s\n", r->cpu, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (pool_make(r) == -1)
		return -1;
	if (r->no_domain)
		return xc_cpupool_removecpu(r->xch, r->poolid, r->cpu) == 0 ?
		    pool_drop(r) : -1;
	if (domain_make(r, &domid) == -1)
		return -1;
	if (libxl_domain_destroy(r->ctx, domid, NULL) != 0) {
		fprintf(stderr, "lab-pool-race: destroy %u failed\n", domid);
		return -1;
	}
	if (!r->at_once && pool_empty(r) == -1)
		return -1;
	/* at once: the domain may be gone from the domain list, its
	 * destruction not yet complete */
	if (xc_cpupool_removecpu(r->xch, r->poolid, r->cpu) != 0) {
		fprintf(stderr, "lab-pool-race: remove pCPU %d: %s\n",
		    r->cpu, strerror(errno));
		return -1;
	}
	return pool_drop(r);
}

int
main(int argc, char **argv)
{
	struct race r = { 0 };
	struct xk_error err = { 0 };
	xentoollog_logger_stdiostream *lg;
	char *json, *end;
	size_t len;
	long rounds, i;
	int nr, status = 0;

	if (argc != 4 || (rounds = strtol(argv[2], &end, 10)) < 1 || *end ||
	    (strcmp(argv[3], "now") != 0 && strcmp(argv[3], "after") != 0 &&
	    strcmp(argv[3], "pool") != 0 && strcmp(argv[3], "pool0") != 0 &&
	    strcmp(argv[3], "stay") != 0 && strcmp(argv[3], "bounce") != 0)) {
		fprintf(stderr, "usage: lab-pool-race JSON ROUNDS "
		    "now|after|pool|pool0|stay|bounce\n");
		return 2;
	}
	r.at_once = strcmp(argv[3], "now") == 0;
	r.no_domain = strcmp(argv[3], "pool") == 0;
	r.in_pool0 = strcmp(argv[3], "pool0") == 0;
	r.bounce = strcmp(argv[3], "bounce") == 0;
	r.stay = r.bounce || strcmp(argv[3], "stay") == 0;
	/* XK_RACE_SCHED=credit, XK_RACE_PAUSED=1: variants */
	r.sched = getenv("XK_RACE_SCHED") != NULL &&
	    strcmp(getenv("XK_RACE_SCHED"), "credit") == 0 ?
	    LIBXL_SCHEDULER_CREDIT : LIBXL_SCHEDULER_CREDIT2;
	r.paused = getenv("XK_RACE_PAUSED") != NULL;
	if (xk_read_file(argv[1], 1 << 20, &json, &len, &err) == -1) {
		fprintf(stderr, "lab-pool-race: %s\n", err.msg);
		return 1;
	}
	r.json = json;
	lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
	r.xch = xc_interface_open(NULL, NULL, 0);
	if (lg == NULL || r.xch == NULL || libxl_ctx_alloc(&r.ctx,
	    LIBXL_VERSION, 0, (xentoollog_logger *)lg) != 0) {
		fprintf(stderr, "lab-pool-race: no libxl or libxc\n");
		status = 1;
	} else if ((nr = libxl_get_max_cpus(r.ctx)) < 2) {
		fprintf(stderr, "lab-pool-race: needs two pCPUs\n");
		status = 1;
	}
	/* the highest pCPU: dom0 keeps pCPU 0 */
	r.cpu = status == 0 ? libxl_get_online_cpus(r.ctx) - 1 : 0;
	if (status == 0 && r.stay && pool_make(&r) == -1)
		status = 1;
	for (i = 0; status == 0 && i < rounds; i++) {
		printf("round %ld\n", i + 1);
		fflush(stdout);
		if (round_once(&r) == -1)
			status = 1;
	}
	if (status == 0 && r.stay && (xc_cpupool_removecpu(r.xch, r.poolid,
	    r.cpu) != 0 || pool_drop(&r) == -1))
		status = 1;
	if (status == 0)
		printf("survived %ld rounds\n", rounds);
	if (r.ctx != NULL)
		libxl_ctx_free(r.ctx);
	if (r.xch != NULL)
		xc_interface_close(r.xch);
	if (lg != NULL)
		xtl_logger_destroy((xentoollog_logger *)lg);
	free(json);
	return status;
}
