/*
 * pool.c - the toolstack engine's cpupool: "xk-fuzz", credit2, made for
 * a run from the last pCPU of Pool-0 and given back after it, so that
 * the pool operation has a second pool to move domains to.  A pool left
 * by a run that died is found by its name and given back first, its
 * pCPUs with it.
 */
#include <errno.h>
#include <stdlib.h>

#include <libxl.h>
#include <libxl_utils.h>

#include "fuzz/pool.h"

#define POOL_NAME	"xk-fuzz"

int
xk_fuzz_pool_drop(libxl_ctx *ctx, struct xk_error *err)
{
	libxl_cpupoolinfo info;
	uint32_t poolid;
	int r = 0;

	if (libxl_name_to_cpupoolid(ctx, POOL_NAME, &poolid) != 0)
		return 0;	/* none */
	/* its pCPUs, read before it goes, go back to Pool-0 after */
	libxl_cpupoolinfo_init(&info);
	if (libxl_cpupool_info(ctx, &info, poolid) != 0) {
		libxl_cpupoolinfo_dispose(&info);
		xk_error_set(err, "cannot read cpupool %s (id %u)", POOL_NAME,
		    poolid);
		return -1;
	}
	if (libxl_cpupool_destroy(ctx, poolid) != 0) {
		xk_error_set(err, "cannot destroy cpupool %s (id %u): a domain "
		    "still in it?", POOL_NAME, poolid);
		r = -1;
	} else if (!libxl_bitmap_is_empty(&info.cpumap) &&
	    libxl_cpupool_cpuadd_cpumap(ctx, 0, &info.cpumap) != 0) {
		xk_error_set(err, "cannot give cpupool %s's pCPUs back to "
		    "Pool-0", POOL_NAME);
		r = -1;
	}
	libxl_cpupoolinfo_dispose(&info);
	return r;
}

/* The highest pCPU of Pool-0, which keeps the others (dom0 runs on
 * them); -1 when it has one alone. */
static int
spare_cpu(libxl_ctx *ctx, struct xk_error *err)
{
	libxl_cpupoolinfo info;
	int cpu = -1, n = 0;

	libxl_cpupoolinfo_init(&info);
	if (libxl_cpupool_info(ctx, &info, 0) != 0) {
		libxl_cpupoolinfo_dispose(&info);
		xk_error_set(err, "cannot read Pool-0");
		return -2;
	}
	for (int i = 0; i < (int)info.cpumap.size * 8; i++)
		if (libxl_bitmap_test(&info.cpumap, i)) {
			cpu = i;
			n++;
		}
	libxl_cpupoolinfo_dispose(&info);
	if (n < 2) {
		xk_error_set(err, "Pool-0 has %d pCPU: the toolstack engine "
		    "needs two, to make a cpupool of its own", n);
		return -2;
	}
	return cpu;
}

int
xk_fuzz_pool_make(libxl_ctx *ctx, uint32_t *poolid, struct xk_error *err)
{
	libxl_bitmap cpus;
	libxl_uuid uuid;
	int cpu, r;

	if ((cpu = spare_cpu(ctx, err)) < 0)
		return -1;
	if (libxl_cpupool_cpuremove(ctx, 0, cpu) != 0) {
		xk_error_set(err, "cannot take pCPU %d from Pool-0", cpu);
		return -1;
	}
	libxl_bitmap_init(&cpus);
	if (libxl_cpu_bitmap_alloc(ctx, &cpus, 0) != 0) {
		libxl_cpupool_cpuadd(ctx, 0, cpu);
		xk_error_errno(err, ENOMEM, "cpupool %s", POOL_NAME);
		return -1;
	}
	libxl_bitmap_set(&cpus, cpu);
	libxl_uuid_generate(&uuid);
	*poolid = LIBXL_CPUPOOL_POOLID_ANY;
	r = libxl_cpupool_create(ctx, POOL_NAME, LIBXL_SCHEDULER_CREDIT2, cpus,
	    &uuid, poolid);
	libxl_bitmap_dispose(&cpus);
	if (r != 0) {
		libxl_cpupool_cpuadd(ctx, 0, cpu);
		xk_error_set(err, "cannot create cpupool %s on pCPU %d",
		    POOL_NAME, cpu);
		return -1;
	}
	return 0;
}

int
xk_fuzz_pool_find(libxl_ctx *ctx, uint32_t *poolid, struct xk_error *err)
{
	if (libxl_name_to_cpupoolid(ctx, POOL_NAME, poolid) != 0) {
		xk_error_set(err, "cpupool %s is gone", POOL_NAME);
		return -1;
	}
	return 0;
}
