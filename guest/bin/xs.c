/*
 * xk-guest-xs - a guest that does what its xenstore key says.
 *
 * At boot it writes "ready pv" (or "ready pvh") to data/xk-guest in its
 * home (/local/domain/DOMID), prints "xk-guest: marker NAME" (NAME from
 * its xenstore name, or marker=NAME on its command line), watches
 * data/action and, each time it fires, reads the action, removes the
 * key and writes what came of it to data/result as "WORD ok DETAIL"
 * (or "WORD failed WHY"), also on the console:
 *
 *	poweroff, reboot, crash, suspend, soft_reset
 *		shut down with that reason (data/result first)
 *	echo TEXT	write TEXT to data/echo
 *	tx		increment data/counter in a transaction (retried on
 *			EAGAIN), DETAIL the new value
 *	dir		DETAIL: the names under data/, comma-separated
 *	rtt N		N reads of domid; DETAIL: mean round trip in ns
 *	timer MS	a one-shot timer MS from now, waited for on its port
 *			(DETAIL: the time it took, in ms; or which step
 *			failed)
 *	evtchn		a loopback event channel: send on one end, wait
 *			for the other with a deadline
 *	grant		grant dom0 read access to a page, then revoke it;
 *			DETAIL: the reference
 *	attach NODE S	a front end's first step on the device at NODE
 *			(device/vbd/51712): publish Initialising, wait S
 *			seconds (default 10) for the back end to reach
 *			InitWait or Connected, then close; DETAIL: the
 *			state it reached.  A back end that does not come
 *			in time is what a guest cannot go on without:
 *			reported on the console, then a crash
 *
 * It also answers the toolstack's control/shutdown (xl shutdown, xl
 * reboot, xl save): poweroff and reboot shut down so; suspend suspends
 * and, resumed in a new domain (xl restore), sets its watches again,
 * writes the number of resumes to data/resumed and goes on.  Save
 * works for PVH only: a PV guest would have to publish its p2m frame
 * list in shared_info for the toolstack, which this one does not.
 *
 * Command line: marker=NAME, timeout=S (crash, saying so, when no
 * action came for S seconds; default: wait for ever).  xenstore
 * failures are the library's (xg_xs.h): a malformed reply or none
 * within 30 s is reported on the console and ends in a crash.
 */
#include "xg_alloc.h"
#include "xg_cmdline.h"
#include "xg_console.h"
#include "xg_control.h"
#include "xg_evtchn.h"
#include "xg_fmt.h"
#include "xg_gnttab.h"
#include "xg_shutdown.h"
#include "xg_string.h"
#include "xg_time.h"
#include "xg_xenbus.h"
#include "xg_xs.h"

struct app {
	struct xg *xg;
	struct xg_xs *xs;
	struct xg_heap heap;
	unsigned int resumes;
	char result[256];
};

/* see act_timer */
#define TIMER_SLOP (10 * XG_MS)

static unsigned char arena[64 * 1024] __attribute__((aligned(16)));
static char grant_page[4096] __attribute__((aligned(4096)));

static uint64_t
parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static int
tx_increment(struct app *a, uint64_t *value)
{
	char buf[32];
	uint32_t tx;
	int tries;

	for (tries = 0; tries < 10; tries++) {
		long n;

		if (xg_xs_transaction_start(a->xs, &tx) < 0)
			return -1;
		n = xg_xs_read(a->xs, tx, "data/counter", buf, sizeof(buf));
		*value = (n < 0 ? 0 : parse_u64(buf)) + 1;
		xg_snprintf(buf, sizeof(buf), "%llu",
		    (unsigned long long)*value);
		if (xg_xs_write(a->xs, tx, "data/counter", buf) < 0) {
			xg_xs_transaction_end(a->xs, tx, 0);
			return -1;
		}
		if (xg_xs_transaction_end(a->xs, tx, 1) == 0)
			return 0;
		if (strcmp(a->xs->err, "EAGAIN") != 0)
			return -1;
	}
	return -1;
}

static void
act_dir(struct app *a, char *detail, size_t cap)
{
	char names[512];
	long n = xg_xs_directory(a->xs, 0, "data", names, sizeof(names));
	size_t off = 0, used = 0;

	detail[0] = '\0';
	for (long i = 0; i < n; i++) {
		used += (size_t)xg_snprintf(detail + used, cap - used, "%s%s",
		    i > 0 ? "," : "", names + off);
		if (used >= cap)
			break;
		off += strlen(names + off) + 1;
	}
}

static void
act_rtt(struct app *a, const char *arg, char *detail, size_t cap)
{
	uint64_t n = parse_u64(arg), t0, i;
	char buf[16];

	if (n == 0)
		n = 100;
	t0 = xg_time_now(a->xg);
	for (i = 0; i < n; i++)
		xg_xs_read(a->xs, 0, "domid", buf, sizeof(buf));
	xg_snprintf(detail, cap, "%llu", (unsigned long long)
	    ((xg_time_now(a->xg) - t0) / n));
}

static int
act_timer(struct app *a, const char *arg, char *detail, size_t cap)
{
	static evtchn_port_t port;
	static int bound;
	uint64_t t0 = xg_time_now(a->xg), due = t0 + parse_u64(arg) * XG_MS;
	uint64_t now;
	long rc;

	if (!bound && (rc = xg_timer_bind(a->xg, &port)) != 0) {
		xg_snprintf(detail, cap, "bind VIRQ_TIMER: %ld", rc);
		return -1;
	}
	bound = 1;
	xg_evtchn_test_and_clear(a->xg, port);
	if ((rc = xg_timer_set(a->xg, due)) != 0) {
		xg_snprintf(detail, cap, "set: %ld", rc);
		return -1;
	}
	/* the port must fire; the deadline only guards against a timer
	 * that never does.  Xen fires it by its own clock, NOW() on the
	 * pCPU that runs the timer, which may run ahead of the pvclock
	 * record we read: each pCPU extrapolates its own system time
	 * between calibrations, and under emulation (the lab, no
	 * invariant TSC) the lab saw a PV guest's timer fire 3.6 ms
	 * before its time by our clock.  Earlier than TIMER_SLOP is a
	 * wrong deadline, not skew */
	while (!xg_evtchn_test_and_clear(a->xg, port))
		if (xg_evtchn_wait(a->xg, &port, 1, due + 5 * XG_S) == 0) {
			xg_snprintf(detail, cap, "no event within 5 s of "
			    "its time");
			return -1;
		}
	now = xg_time_now(a->xg);
	if (now + TIMER_SLOP < due) {
		xg_snprintf(detail, cap, "fired %llu us before its time",
		    (unsigned long long)((due - now) / XG_US));
		return -1;
	}
	xg_snprintf(detail, cap, "%llu ms", (unsigned long long)
	    ((now - t0) / XG_MS));
	return 0;
}

static int
act_grant(struct app *a, char *detail, size_t cap)
{
	struct xg_gnttab *gt = xg_alloc(&a->heap, sizeof(*gt));
	long ref;

	if (gt == NULL || xg_gnttab_init(gt, a->xg) != 0)
		return -1;
	ref = xg_gnttab_grant(gt, 0, grant_page, 1);
	if (ref < 0 || xg_gnttab_end(gt, (grant_ref_t)ref) != 0)
		return -1;
	xg_snprintf(detail, cap, "ref %ld", ref);
	xg_free(&a->heap, gt);
	return 0;
}

/* A loopback channel: an unbound port bound by ourselves, a send on
 * one end seen pending on the other by a wait with a deadline. */
static int
act_evtchn(struct app *a, char *detail, size_t cap)
{
	evtchn_port_t p1, p2;
	int seen;

	if (xg_evtchn_alloc_unbound(a->xg, DOMID_SELF, &p1) != 0)
		return -1;
	if (xg_evtchn_bind_interdomain(a->xg, DOMID_SELF, p1, &p2) != 0) {
		xg_evtchn_close(a->xg, p1);
		return -1;
	}
	seen = xg_evtchn_send(a->xg, p2) == 0 &&
	    xg_evtchn_wait(a->xg, &p1, 1, xg_time_now(a->xg) + 5 * XG_S) == 1 &&
	    xg_evtchn_test_and_clear(a->xg, p1);
	xg_evtchn_close(a->xg, p2);
	xg_evtchn_close(a->xg, p1);
	xg_snprintf(detail, cap, "ports %u %u", p1, p2);
	return seen ? 0 : -1;
}

/* ARG: "NODE [S]". */
static int
act_attach(struct app *a, char *arg, char *detail, size_t cap)
{
	struct xg_xenbus_dev d;
	char *sp = strchr(arg, ' ');
	uint64_t secs = 10;
	int state, last;

	if (sp != NULL) {
		*sp++ = '\0';
		secs = parse_u64(sp);
	}
	if (xg_xenbus_open(&d, a->xs, arg) < 0 ||
	    xg_xenbus_switch(&d, XenbusStateInitialising) < 0) {
		xg_snprintf(detail, cap, "%s: %s", arg, a->xs->err);
		return -1;
	}
	state = xg_xenbus_wait(&d, 1U << XenbusStateInitWait |
	    1U << XenbusStateConnected,
	    xg_time_now(a->xg) + secs * XG_S, &last);
	if (state < 0)
		xg_panic(a->xg, "%s: back end %s (domain %u) not ready within "
		    "%llu s: %s, its state %s", arg, d.backend, d.backend_id,
		    (unsigned long long)secs, a->xs->err,
		    xg_xenbus_state_name(last));
	if (xg_xenbus_switch(&d, XenbusStateClosed) < 0) {
		xg_snprintf(detail, cap, "%s: closing: %s", arg, a->xs->err);
		return -1;
	}
	xg_snprintf(detail, cap, "%s %s", d.backend,
	    xg_xenbus_state_name(state));
	return 0;
}

/* Carry out ACTION; "WORD ok DETAIL" or "WORD failed" in a->result.
 * Returns a shutdown reason, or -1 to go on. */
static int
act(struct app *a, char *action)
{
	static const struct {
		const char *word;
		int reason;
	} stops[] = {
		{ "poweroff", SHUTDOWN_poweroff },
		{ "reboot", SHUTDOWN_reboot },
		{ "crash", SHUTDOWN_crash },
		{ "suspend", SHUTDOWN_suspend },
		{ "soft_reset", SHUTDOWN_soft_reset },
	};
	char detail[160] = "";
	char *arg = strchr(action, ' ');
	uint64_t v = 0;
	int ok = 1, reason = -1;

	if (arg != NULL)
		*arg++ = '\0';
	else
		arg = action + strlen(action);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (strcmp(action, stops[i].word) == 0)
			reason = stops[i].reason;
	if (reason >= 0)
		;
	else if (strcmp(action, "echo") == 0)
		ok = xg_xs_write(a->xs, 0, "data/echo", arg) == 0;
	else if (strcmp(action, "tx") == 0) {
		ok = tx_increment(a, &v) == 0;
		xg_snprintf(detail, sizeof(detail), "%llu",
		    (unsigned long long)v);
	} else if (strcmp(action, "dir") == 0)
		act_dir(a, detail, sizeof(detail));
	else if (strcmp(action, "rtt") == 0)
		act_rtt(a, arg, detail, sizeof(detail));
	else if (strcmp(action, "timer") == 0)
		ok = act_timer(a, arg, detail, sizeof(detail)) == 0;
	else if (strcmp(action, "evtchn") == 0)
		ok = act_evtchn(a, detail, sizeof(detail)) == 0;
	else if (strcmp(action, "grant") == 0)
		ok = act_grant(a, detail, sizeof(detail)) == 0;
	else if (strcmp(action, "attach") == 0)
		ok = act_attach(a, arg, detail, sizeof(detail)) == 0;
	else {
		ok = 0;
		xg_snprintf(detail, sizeof(detail), "unknown action");
	}
	xg_snprintf(a->result, sizeof(a->result), "%s %s%s%s", action,
	    ok ? "ok" : "failed", detail[0] != '\0' ? " " : "", detail);
	return reason;
}

static void
watch_all(struct app *a)
{
	if (xg_xs_watch(a->xs, "data/action", "action") < 0 ||
	    xg_xs_watch(a->xs, "control/shutdown", "control") < 0)
		xg_panic(a->xg, "cannot set watches: %s", a->xs->err);
}

/* Resumed in a new domain (xl restore): the watches again, and the
 * count of resumes in data/resumed. */
static void
resumed(void *arg)
{
	struct app *a = arg;
	char count[16];

	watch_all(a);
	xg_snprintf(count, sizeof(count), "%u", ++a->resumes);
	if (xg_xs_write(a->xs, 0, "data/resumed", count) < 0)
		xg_panic(a->xg, "cannot write data/resumed: %s", a->xs->err);
}

/* Wait for data/action or control/shutdown and do what they say;
 * returns a shutdown reason. */
static int
serve(struct app *a, uint64_t timeout)
{
	char path[128], token[16], action[256];

	watch_all(a);
	for (;;) {
		uint64_t deadline = timeout ? xg_time_now(a->xg) + timeout : 0;
		int reason;

		if (!xg_xs_next_event(a->xs, path, sizeof(path), token,
		    sizeof(token), deadline))
			xg_panic(a->xg, "no action within %llu s",
			    (unsigned long long)(timeout / XG_S));
		if (strcmp(token, "control") == 0) {
			reason = xg_control_serve(a->xs, resumed, a);
			if (reason >= 0)
				return reason;
			continue;
		}
		if (xg_xs_read(a->xs, 0, "data/action", action,
		    sizeof(action)) < 0)
			continue;	/* removed, or not there yet */
		xg_xs_rm(a->xs, 0, "data/action");
		reason = act(a, action);
		xg_printf(a->xg, "xk-guest: result %s\n", a->result);
		if (xg_xs_write(a->xs, 0, "data/result", a->result) < 0)
			xg_panic(a->xg, "cannot write data/result: %s",
			    a->xs->err);
		if (reason >= 0)
			return reason;
	}
}

void
xg_main(struct xg *xg)
{
	struct app a = { .xg = xg };
	char name[64], domid[16];
	const char *marker;
	size_t len;
	uint64_t timeout = 0;
	const char *t = xg_cmdline_opt(xg->cmdline, "timeout", &len);

	if (t != NULL)
		timeout = parse_u64(t) * XG_S;
	xg_heap_init(&a.heap, arena, sizeof(arena));
	a.xs = xg_alloc(&a.heap, sizeof(*a.xs));
	if (a.xs == NULL || xg_xs_init(a.xs, xg) < 0)
		xg_panic(xg, "no xenstore ring");
	if (xg_xs_read(a.xs, 0, "domid", domid, sizeof(domid)) < 0)
		xg_panic(xg, "cannot read domid: %s", a.xs->err);
	marker = xg_cmdline_opt(xg->cmdline, "marker", &len);
	if (marker == NULL) {
		if (xg_xs_read(a.xs, 0, "name", name, sizeof(name)) < 0)
			xg_panic(xg, "cannot read name: %s", a.xs->err);
		marker = name;
		len = strlen(name);
	}
	if (xg_xs_write(a.xs, 0, "data/xk-guest",
	    xg->mode == XG_PV ? "ready pv" : "ready pvh") < 0)
		xg_panic(xg, "cannot write data/xk-guest: %s", a.xs->err);
	xg_printf(xg, "xk-guest: marker %.*s (domid %s, %s, %llu KiB)\n",
	    (int)len, marker, domid, xg->mode == XG_PV ? "pv" : "pvh",
	    (unsigned long long)(xg->mem_bytes / 1024));
	xg_shutdown(xg, (unsigned int)serve(&a, timeout));
}
