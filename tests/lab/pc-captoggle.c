/*
 * lab-pc-captoggle - set and clear a domain's cap, again and again, as
 * fast as dom0 can (t9520): the hypervisor's cap path against domains
 * whose vCPUs are being switched in and out.  Turning a cap on walks
 * the domain's units and asks which of them run now; one being
 * switched away from (its pCPU's current unit already the next one,
 * its context not yet saved) is where Xen 4.17's credit2 asserted
 * (share/xen-patches/fixes/0002).
 *
 * Usage: lab-pc-captoggle DOMID COUNT CAP
 *
 * Prints "toggled N"; exits 1 at the first refused call.  A hypervisor
 * that panics never lets it print: the host side sees the lab lost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "power/xen.h"

int
main(int argc, char **argv)
{
	struct xk_error err = { 0 };
	struct xk_pc_xen *x;
	unsigned long domid, count, cap, i;
	char *e1, *e2, *e3;

	if (argc != 4) {
		fprintf(stderr, "usage: lab-pc-captoggle DOMID COUNT CAP\n");
		return 2;
	}
	domid = strtoul(argv[1], &e1, 10);
	count = strtoul(argv[2], &e2, 10);
	cap = strtoul(argv[3], &e3, 10);
	if (*e1 || *e2 || *e3 || domid >= 0x7ff0 || cap < 1 || cap > 6400) {
		fprintf(stderr, "lab-pc-captoggle: bad DOMID, COUNT or CAP\n");
		return 2;
	}
	x = xk_pc_xen_open(&err);
	if (x == NULL) {
		fprintf(stderr, "lab-pc-captoggle: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (xk_pc_cap_set(x, (uint32_t)domid, (int)cap, &err) == -1 ||
		    xk_pc_cap_set(x, (uint32_t)domid, 0, &err) == -1) {
			fprintf(stderr, "lab-pc-captoggle: toggle %lu: %s\n",
			    i, err.msg);
			xk_pc_xen_close(x);
			return 1;
		}
	}
	printf("toggled %lu\n", i);
	xk_pc_xen_close(x);
	return 0;
}
