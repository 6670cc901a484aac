/*
 * hcall-xen.c - the hypercall engine's calls, made in dom0 (see
 * hcall-xen.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xencall.h>
#include <xenctrl.h>

#include "fuzz/hcall-xen.h"
#include "fuzz/prng.h"

#define SCRATCH_PAGES	4	/* what "buf" points to, then a guard page:
				 * Xen writes as far as the call's length
				 * says (cpupool_info zeroes nr_bits / 8
				 * bytes), and a fault there is EFAULT,
				 * not the engine's own memory overwritten */
#define BAD_ADDRESS	0x1000	/* below mmap_min_addr: never mapped */
#define ARG_PAGES	1	/* the call's own structure */

struct xk_hc_xen {
	xc_interface *xch;		/* the engine's own work: reset */
	xencall_handle *xcall;		/* the calls */
	void *arg, *scratch;
	uint32_t slot[XK_HC_SLOTS + 1];	/* domid, 0 when empty */
	struct xk_hc_counts counts;
};

struct xk_hc_xen *
xk_hc_xen_open(struct xk_error *err)
{
	struct xk_hc_xen *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		xk_error_errno(err, ENOMEM, "hypercall engine");
		return NULL;
	}
	if ((x->xch = xc_interface_open(NULL, NULL, 0)) == NULL ||
	    (x->xcall = xencall_open(NULL, 0)) == NULL) {
		xk_error_errno(err, errno, "open privcmd (is this dom0?)");
		xk_hc_xen_close(x);
		return NULL;
	}
	x->arg = xencall_alloc_buffer_pages(x->xcall, ARG_PAGES);
	x->scratch = xencall_alloc_buffer_pages(x->xcall, SCRATCH_PAGES + 1);
	if (x->arg == NULL || x->scratch == NULL) {
		xk_error_errno(err, errno, "xencall_alloc_buffer_pages");
		xk_hc_xen_close(x);
		return NULL;
	}
	if (mprotect((char *)x->scratch + SCRATCH_PAGES * XC_PAGE_SIZE,
	    XC_PAGE_SIZE, PROT_NONE) == -1) {
		xk_error_errno(err, errno, "guard page");
		xk_hc_xen_close(x);
		return NULL;
	}
	return x;
}

void
xk_hc_xen_close(struct xk_hc_xen *x)
{
	if (x == NULL)
		return;
	if (x->arg != NULL)
		xencall_free_buffer_pages(x->xcall, x->arg, ARG_PAGES);
	if (x->scratch != NULL)
		xencall_free_buffer_pages(x->xcall, x->scratch,
		    SCRATCH_PAGES + 1);
	if (x->xcall != NULL)
		xencall_close(x->xcall);
	if (x->xch != NULL)
		xc_interface_close(x->xch);
	free(x);
}

int
xk_hc_xen_reset(struct xk_hc_xen *x, struct xk_error *err)
{
	xc_domaininfo_t info[64];
	uint32_t next = 1;
	int n;

	memset(x->slot, 0, sizeof(x->slot));
	while ((n = xc_domain_getinfolist(x->xch, next, 64, info)) > 0) {
		for (int i = 0; i < n; i++) {
			if (memcmp(info[i].handle, XK_HC_HANDLE, 16) != 0)
				continue;
			if (xc_domain_destroy(x->xch, info[i].domain) != 0) {
				xk_error_errno(err, errno, "destroy the "
				    "engine's domain %u", info[i].domain);
				return -1;
			}
		}
		next = info[n - 1].domain + 1u;
	}
	if (n < 0) {
		xk_error_errno(err, errno, "list domains");
		return -1;
	}
	return 0;
}

static uint64_t
resolve_dom(const struct xk_hc_xen *x, uint64_t v)
{
	if (v < XK_HC_SLOT(0))
		return v;
	v -= XK_HC_SLOT(0);
	return x->slot[v] != 0 ? x->slot[v] : XK_HC_EMPTY_DOMID;
}

static uint64_t
resolve_buf(const struct xk_hc_xen *x, uint64_t v)
{
	return v == XK_HC_GOOD ? (uint64_t)(uintptr_t)x->scratch :
	    v == XK_HC_BAD ? BAD_ADDRESS : 0;
}

/* The scratch pages' bytes, from the operation alone: a replay hands
 * Xen the same input buffers. */
static void
fill_scratch(struct xk_hc_xen *x, const struct xk_fuzz_op *op)
{
	uint64_t *w = x->scratch;
	struct xk_prng p;

	xk_prng_seed(&p, xk_hc_scratch_seed(op->call, op->arg));
	for (size_t i = 0; i < SCRATCH_PAGES * XC_PAGE_SIZE / 8; i++)
		w[i] = xk_prng_next(&p);
}

/* The call's structure in x->arg: where its union (or itself) starts. */
static char *
header(struct xk_hc_xen *x, const struct xk_hc_call *c, uint16_t *domain)
{
	struct xen_domctl *d = x->arg;
	struct xen_sysctl *s = x->arg;
	struct xen_platform_op *p = x->arg;

	memset(x->arg, 0, ARG_PAGES * XC_PAGE_SIZE);
	switch (c->layout) {
	case XK_HC_DOMCTL:
		d->cmd = c->cmd;
		d->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
		*domain = 0;
		return (char *)&d->u;
	case XK_HC_SYSCTL:
		s->cmd = c->cmd;
		s->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
		return (char *)&s->u;
	case XK_HC_PLATFORM:
		p->cmd = c->cmd;
		p->interface_version = XENPF_INTERFACE_VERSION;
		return (char *)&p->u;
	case XK_HC_PTR:
	case XK_HC_PTR1:
	case XK_HC_CMDBUF:
	case XK_HC_VCPU:	/* the guest's layouts (never here) */
	case XK_HC_REGS:
		break;
	}
	return x->arg;
}

/* Lay the arguments into the structure; the domctl's domain aside. */
static void
lay_args(struct xk_hc_xen *x, const struct xk_hc_call *c,
    const struct xk_fuzz_op *op, char *base, uint16_t *domain)
{
	for (int j = 0; j < xk_hc_nargs(op->call); j++) {
		const struct xk_hc_arg *a = &c->a[j];
		uint64_t v = op->arg[j];

		if (a->kind == XK_HC_DOM)
			v = resolve_dom(x, v);
		else if (a->kind == XK_HC_BUF)
			v = resolve_buf(x, v);
		if (a->off == XK_HC_HDR_DOM)
			*domain = (uint16_t)v;
		else
			memcpy(base + a->off, &v, a->size);	/* LE */
	}
}

static void
prepare_create(struct xk_hc_xen *x, int slot)
{
	struct xen_domctl *d = x->arg;

	if (x->slot[slot] != 0)
		xc_domain_destroy(x->xch, x->slot[slot]);
	x->slot[slot] = 0;
	d->domain = DOMID_INVALID;	/* Xen picks */
	memcpy(d->u.createdomain.handle, XK_HC_HANDLE, 16);
	d->u.createdomain.max_evtchn_port = 1023;
	d->u.createdomain.max_maptrack_frames = 1024;
}

static int
issue(struct xk_hc_xen *x, const struct xk_hc_call *c,
    const struct xk_fuzz_op *op)
{
	uint64_t a = (uint64_t)(uintptr_t)x->arg;

	switch (c->layout) {
	case XK_HC_DOMCTL:
	case XK_HC_SYSCTL:
	case XK_HC_PLATFORM:
		return xencall1(x->xcall, c->hypercall, a);
	case XK_HC_PTR:
		return xencall2(x->xcall, c->hypercall, c->cmd, c->size ? a : 0);
	case XK_HC_PTR1:
		return xencall3(x->xcall, c->hypercall, c->cmd, a, 1);
	case XK_HC_CMDBUF:
		return xencall2(x->xcall, c->hypercall, op->arg[0],
		    resolve_buf(x, op->arg[1]));
	case XK_HC_VCPU:	/* the guest's layouts (never here) */
	case XK_HC_REGS:
		break;
	}
	return -1;
}

int
xk_hc_xen_step(struct xk_hc_xen *x, const struct xk_fuzz_op *op,
    struct xk_error *err)
{
	const struct xk_hc_call *c = xk_hc_call(op->call);
	struct xen_domctl *d = x->arg;
	int slot = -1, r;
	uint16_t domain = 0;
	char *base;

	if (c == NULL || c->guest || op->verb != XK_OP_HCALL) {
		xk_error_set(err, "hypercall engine: not one of dom0's calls");
		return -1;
	}
	fill_scratch(x, op);
	base = header(x, c, &domain);
	lay_args(x, c, op, base, &domain);
	if ((c->creates || c->destroys) && op->arg[0] >= XK_HC_SLOT(1))
		slot = (int)(op->arg[0] - XK_HC_SLOT(0));
	if (c->creates && slot > 0)
		prepare_create(x, slot);
	else if (c->layout == XK_HC_DOMCTL)
		d->domain = domain;
	r = issue(x, c, op);
	if (r >= 0 && slot > 0)
		x->slot[slot] = c->creates ? d->domain : 0;
	xk_hc_count(&x->counts, op->call, r >= 0);
	return 0;
}

void
xk_hc_xen_stats(const struct xk_hc_xen *x, FILE *out)
{
	xk_hc_counts_print(&x->counts, out);
}
