/*
 * hcall-guest.c - the guest engine's calls, laid in dom0 and made by
 * xk-guest-fuzz (see hcall-guest.h; the wire format is guest/bin/fuzz.c's).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xenstore.h>

#include "fuzz/hcall-guest.h"
#include "util/clock.h"
#include "util/strbuf.h"
#include "util/xl.h"

#define STRUCT_MAX	4096	/* a call's structure: one page */

struct xk_hc_guest {
	struct xk_xl xl;
	struct xs_handle *xs;
	uint32_t domid;			/* 0: no guest */
	uint64_t arg, scratch, spare, bad;	/* what it published */
	uint64_t seq;			/* the last call handed over */
	char dir[64];			/* its data/fuzz */
	unsigned long starts;
	struct xk_hc_counts counts;
	uint8_t s[STRUCT_MAX];		/* the call's structure, laid */
};

struct xk_hc_guest *
xk_hc_guest_open(struct xk_error *err)
{
	struct xk_hc_guest *g = calloc(1, sizeof(*g));

	if (g == NULL) {
		xk_error_errno(err, ENOMEM, "guest engine");
		return NULL;
	}
	if (xk_xl_open(&g->xl, XTL_ERROR, err) == -1) {
		xk_hc_guest_close(g);
		return NULL;
	}
	if ((g->xs = xs_open(0)) == NULL ||
	    !xs_watch(g->xs, "@releaseDomain", "r")) {
		xk_error_errno(err, errno, "xenstore");
		xk_hc_guest_close(g);
		return NULL;
	}
	return g;
}

void
xk_hc_guest_close(struct xk_hc_guest *g)
{
	if (g == NULL)
		return;
	if (g->xs != NULL)
		xs_close(g->xs);
	xk_xl_close(&g->xl);
	free(g);
}

static void
forget(struct xk_hc_guest *g)
{
	if (g->domid != 0)
		xs_unwatch(g->xs, g->dir, "d");
	g->domid = 0;
}

/* At most this many guests of the engine's name to destroy: there is
 * one, or two when a run died between a create and its bookkeeping. */
#define RESET_MAX	4

int
xk_hc_guest_reset(struct xk_hc_guest *g, struct xk_error *err)
{
	uint32_t domid;

	forget(g);
	for (int i = 0; i < RESET_MAX; i++) {
		if (libxl_name_to_domid(g->xl.ctx, XK_HC_GUEST_NAME,
		    &domid) != 0)
			return 0;
		if (libxl_domain_destroy(g->xl.ctx, domid, NULL) != 0)
			break;
	}
	xk_error_set(err, "cannot destroy %s (domid %u)", XK_HC_GUEST_NAME,
	    domid);
	return -1;
}

/* NULL while the guest runs, else how it is gone. */
static const char *
gone(struct xk_hc_guest *g)
{
	static const char *const reasons[] = { "poweroff", "reboot",
	    "suspend", "crash", "watchdog", "soft_reset" };
	libxl_dominfo info;
	const char *why = NULL;

	libxl_dominfo_init(&info);
	if (libxl_domain_info(g->xl.ctx, &info, g->domid) != 0)
		why = "destroyed";
	else if (info.dying)
		why = "dying";
	else if (info.shutdown)
		why = info.shutdown_reason < 6 ? reasons[info.shutdown_reason] :
		    "shut down";
	libxl_dominfo_dispose(&info);
	return why;
}

/* Wait for the next xenstore event, at most until deadline; drain. */
static int
wait_event(struct xk_hc_guest *g, int64_t deadline, struct xk_error *err)
{
	struct pollfd p = { .fd = xs_fileno(g->xs), .events = POLLIN };
	int64_t left = deadline - xk_mono_ms();
	char **v;

	if (left <= 0)
		return 0;
	if (poll(&p, 1, (int)left) == -1 && errno != EINTR) {
		xk_error_errno(err, errno, "poll xenstore");
		return -1;
	}
	while ((v = xs_check_watch(g->xs)) != NULL)
		free(v);
	return 0;
}

/* The value at dir/name, or NULL. */
static char *
read_node(struct xk_hc_guest *g, const char *name)
{
	char path[96];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", g->dir, name);
	return xs_read(g->xs, XBT_NULL, path, &len);
}

static int
parse_ready(struct xk_hc_guest *g, const char *s)
{
	return sscanf(s, "arg=%" SCNx64 " scratch=%" SCNx64 " spare=%" SCNx64
	    " bad=%" SCNx64, &g->arg, &g->scratch, &g->spare, &g->bad) == 4 ?
	    0 : -1;
}

static int
create(struct xk_hc_guest *g, uint32_t *domid, struct xk_error *err)
{
	libxl_domain_config dc;
	int r;

	libxl_domain_config_init(&dc);
	libxl_domain_create_info_init(&dc.c_info);
	dc.c_info.type = LIBXL_DOMAIN_TYPE_PVH;
	libxl_domain_build_info_init_type(&dc.b_info, LIBXL_DOMAIN_TYPE_PVH);
	dc.b_info.max_vcpus = 2;	/* vCPU 1 offline, for vcpu_op */
	dc.b_info.max_memkb = 20 << 10;	/* room for spare frames */
	dc.b_info.target_memkb = 16 << 10;
	dc.on_poweroff = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	dc.on_reboot = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	dc.on_watchdog = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	dc.on_crash = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	if ((dc.c_info.name = strdup(XK_HC_GUEST_NAME)) == NULL ||
	    (dc.b_info.kernel = strdup(XK_HC_GUEST_KERNEL)) == NULL ||
	    libxl_cpu_bitmap_alloc(g->xl.ctx, &dc.b_info.avail_vcpus, 2) != 0) {
		libxl_domain_config_dispose(&dc);
		xk_error_errno(err, ENOMEM, "guest engine");
		return -1;
	}
	libxl_bitmap_set(&dc.b_info.avail_vcpus, 0);
	r = libxl_domain_create_new(g->xl.ctx, &dc, domid, NULL, NULL);
	libxl_domain_config_dispose(&dc);
	if (r != 0) {
		xk_error_set(err, "create %s from %s: libxl error %d",
		    XK_HC_GUEST_NAME, XK_HC_GUEST_KERNEL, r);
		return -1;
	}
	return 0;
}

/* Start the guest and wait for what it publishes. */
static int
start(struct xk_hc_guest *g, struct xk_error *err)
{
	int64_t deadline;
	uint32_t domid;
	const char *why;
	char *ready;

	if (create(g, &domid, err) == -1)
		return -1;
	g->domid = domid;
	g->starts++;
	snprintf(g->dir, sizeof(g->dir), "/local/domain/%u/data/fuzz", domid);
	if (!xs_watch(g->xs, g->dir, "d") ||
	    libxl_domain_unpause(g->xl.ctx, domid, NULL) != 0) {
		xk_error_errno(err, errno, "start %s", XK_HC_GUEST_NAME);
		return -1;
	}
	deadline = xk_mono_ms() + XK_HC_GUEST_WAIT_MS;
	while ((ready = read_node(g, "ready")) == NULL) {
		if ((why = gone(g)) != NULL || xk_mono_ms() >= deadline) {
			xk_error_set(err, "%s (domid %u) did not start: %s",
			    XK_HC_GUEST_NAME, domid, why != NULL ? why :
			    "nothing in data/fuzz/ready within 5 s");
			return -1;
		}
		if (wait_event(g, deadline, err) == -1)
			return -1;
	}
	if (parse_ready(g, ready) == -1) {
		xk_error_set(err, "%s: data/fuzz/ready '%s': not what "
		    "xk-guest-fuzz writes", XK_HC_GUEST_NAME, ready);
		free(ready);
		return -1;
	}
	free(ready);
	return 0;
}

/* An argument as the guest must see it. */
static uint64_t
resolve(const struct xk_hc_guest *g, const struct xk_hc_arg *a, uint64_t v,
    int *gfns)
{
	switch (a->kind) {
	case XK_HC_BUF:
		*gfns |= v == XK_HC_GFNS;
		return v == XK_HC_NULL ? 0 : v == XK_HC_BAD ? g->bad :
		    g->scratch;
	case XK_HC_GFN:
		return v < XK_HC_SPARE ? g->spare + v : v;
	case XK_HC_NUM:
	case XK_HC_FLAGS:
	case XK_HC_DOM:
		break;
	}
	return v;
}

/* The call's registers and structure (whose used length is *len). */
static void
lay(const struct xk_hc_guest *g, const struct xk_fuzz_op *op,
    uint64_t reg[5], uint8_t *s, size_t *len, int *gfns)
{
	const struct xk_hc_call *c = xk_hc_call(op->call);
	uint64_t ptr = c->size > 0 ? g->arg : 0;
	int nreg = 0;

	memset(reg, 0, 5 * sizeof(reg[0]));
	memset(s, 0, STRUCT_MAX);
	*len = 0;
	*gfns = 0;
	for (int j = 0; j < xk_hc_nargs(op->call); j++) {
		const struct xk_hc_arg *a = &c->a[j];
		uint64_t v = resolve(g, a, op->arg[j], gfns);

		if (a->off == XK_HC_REG) {
			if (nreg < 5)
				reg[nreg++] = v;
		} else if (a->off + a->size <= STRUCT_MAX) {
			memcpy(s + a->off, &v, a->size);	/* LE */
			if (a->off + a->size > *len)
				*len = a->off + a->size;
		}
	}
	switch (c->layout) {
	case XK_HC_PTR:
		reg[0] = c->cmd, reg[1] = ptr;
		break;
	case XK_HC_PTR1:
		reg[0] = c->cmd, reg[1] = ptr, reg[2] = 1;
		break;
	case XK_HC_VCPU:	/* the vCPU came first, as a register */
		reg[1] = reg[0], reg[0] = c->cmd, reg[2] = ptr;
		break;
	case XK_HC_CMDBUF:
	case XK_HC_REGS:
	case XK_HC_DOMCTL:
	case XK_HC_SYSCTL:
	case XK_HC_PLATFORM:
		break;
	}
}

/* "SEQ NR A1 A2 A3 A4 A5 SEED MODE HEX" (guest/bin/fuzz.c) */
static int
format_call(struct xk_hc_guest *g, const struct xk_fuzz_op *op,
    struct strbuf *sb)
{
	const uint8_t *s = g->s;
	uint64_t reg[5];
	size_t len;
	int gfns, r;

	lay(g, op, reg, g->s, &len, &gfns);
	while (len > 0 && s[len - 1] == 0)	/* the guest zeroes the page */
		len--;
	r = strbuf_addf(sb, "%" PRIu64 " %u", g->seq,
	    xk_hc_call(op->call)->hypercall);
	for (int i = 0; r == 0 && i < 5; i++)
		r = strbuf_addf(sb, " %" PRIu64, reg[i]);
	if (r == 0)
		r = strbuf_addf(sb, " %" PRIu64 " %d ",
		    xk_hc_scratch_seed(op->call, op->arg), gfns);
	for (size_t i = 0; r == 0 && i < len; i++)
		r = strbuf_addf(sb, "%02x", s[i]);
	return r;
}

/* Wait for the guest's answer to g->seq: 1 with *rc, 0 with *why when
 * the guest is lost. */
static int
answer(struct xk_hc_guest *g, long *rc, const char **why,
    struct xk_error *err)
{
	int64_t deadline = xk_mono_ms() + XK_HC_GUEST_WAIT_MS;
	uint64_t seq;
	char *done;

	for (;;) {
		if ((done = read_node(g, "done")) != NULL) {
			int n = sscanf(done, "%" SCNu64 " %ld", &seq, rc);

			free(done);
			if (n == 2 && seq == g->seq)
				return 1;
		}
		if ((*why = gone(g)) != NULL)
			return 0;
		if (xk_mono_ms() >= deadline) {
			*why = "no answer within 5 s (destroyed)";
			return 0;
		}
		if (wait_event(g, deadline, err) == -1)
			return -1;
	}
}

int
xk_hc_guest_step(struct xk_hc_guest *g, const struct xk_fuzz_op *op,
    long *rc, char *lost, size_t len, struct xk_error *err)
{
	const struct xk_hc_call *c = xk_hc_call(op->call);
	struct strbuf sb = STRBUF_INIT;
	char path[96];
	const char *why = NULL;
	int r;

	lost[0] = '\0';
	*rc = 0;
	if (c == NULL || !c->guest || op->verb != XK_OP_HCALL) {
		xk_error_set(err, "guest engine: not a guest's call");
		return -1;
	}
	if (g->domid == 0 && start(g, err) == -1)
		return -1;
	g->seq++;
	if (format_call(g, op, &sb) == -1) {
		strbuf_free(&sb);
		xk_error_errno(err, ENOMEM, "guest engine");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/op", g->dir);
	if (!xs_write(g->xs, XBT_NULL, path, strbuf_str(&sb),
	    (unsigned int)strlen(strbuf_str(&sb))))
		why = "its data/fuzz/op could not be written";
	strbuf_free(&sb);
	r = why != NULL ? 0 : answer(g, rc, &why, err);
	if (r == -1)
		return -1;
	if (r == 1) {
		xk_hc_count(&g->counts, op->call, *rc >= 0);
		return 0;
	}
	snprintf(lost, len, "%s (domid %u): %s", XK_HC_GUEST_NAME, g->domid,
	    why);
	return xk_hc_guest_reset(g, err);
}

void
xk_hc_guest_stats(const struct xk_hc_guest *g, FILE *out)
{
	xk_hc_counts_print(&g->counts, out);
	fprintf(out, "# guest starts=%lu\n", g->starts);
}
