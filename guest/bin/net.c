/*
 * xk-guest-net - a guest that answers ping: ARP requests for its IPv4
 * address and ICMP echo requests to it (xg_inet.h), through its first
 * vif (xg_netfront.h).
 *
 *	extra = "ip=10.70.50.2"	its address (required)
 *	vif=NODE		the device, default device/vif/0
 *	connect=S		how long the back end may take to connect
 *				(default 60 s); one that does not is
 *				reported on the console, then a crash
 *
 * Once connected it writes "ready pv" (or "ready pvh") to
 * data/xk-guest in its home and prints "xk-guest: ready ip IP mac MAC
 * (pv|pvh)" on its console.  It answers until the toolstack's
 * control/shutdown (xl shutdown, xl reboot) says otherwise: then it
 * closes the vif, prints what it answered and shuts down with that
 * reason.  It cannot be saved (xl save): netfront would have to
 * connect again in the new domain, which it does not.
 */
#include "xg_alloc.h"
#include "xg_cmdline.h"
#include "xg_console.h"
#include "xg_control.h"
#include "xg_evtchn.h"
#include "xg_inet.h"
#include "xg_netfront.h"
#include "xg_shutdown.h"
#include "xg_string.h"
#include "xg_time.h"
#include "xg_xs.h"

struct app {
	struct xg *xg;
	struct xg_xs *xs;
	struct xg_inet me;
	uint64_t answered[XG_INET_TOO_BIG + 1];	/* by verdict */
	uint64_t send_failed;
};

static unsigned char arena[64 * 1024] __attribute__((aligned(16)));
static struct xg_gnttab gt;
static struct xg_netfront nf;
static uint8_t frame_in[XG_PAGE_SIZE], frame_out[XG_PAGE_SIZE];

/* The options; panics on a missing or bad ip=. */
static void
options(struct app *a, char *node, size_t cap, uint64_t *connect)
{
	const char *cmd = a->xg->cmdline, *v;
	size_t len;

	v = xg_cmdline_opt(cmd, "ip", &len);
	if (v == NULL)
		xg_panic(a->xg, "no ip=ADDRESS on the command line");
	if (xg_inet_parse_ip(v, len, a->me.ip) < 0)
		xg_panic(a->xg, "ip=%.*s is not an IPv4 address", (int)len, v);
	v = xg_cmdline_opt(cmd, "vif", &len);
	if (v == NULL) {
		v = "device/vif/0";
		len = strlen(v);
	}
	if (len >= cap)
		xg_panic(a->xg, "vif=%.*s is too long", (int)len, v);
	memcpy(node, v, len);
	node[len] = '\0';
	v = xg_cmdline_opt(cmd, "connect", &len);
	*connect = (v != NULL ? xg_cmdline_u64(v, len) : 60) * XG_S;
}

/* Answer every frame waiting. */
static void
serve_frames(struct app *a)
{
	long n;

	while ((n = xg_netfront_recv(&nf, frame_in, sizeof(frame_in))) > 0) {
		enum xg_inet_verdict v;
		size_t out = xg_inet_answer(&a->me, frame_in, (size_t)n,
		    frame_out, sizeof(frame_out), &v);

		a->answered[v]++;
		if (out > 0 && xg_netfront_send(&nf, frame_out, out) < 0) {
			if (nf.broken)
				break;
			a->send_failed++;
		}
	}
	if (nf.broken)
		xg_panic(a->xg, "netfront: %s", nf.err);
}

static void
report(struct app *a)
{
	xg_printf(a->xg, "xk-guest: answered %llu echo, %llu arp; ignored %llu, "
	    "malformed %llu, too big %llu; rx %llu, dropped %llu; tx %llu, "
	    "errors %llu, not sent %llu\n",
	    (unsigned long long)a->answered[XG_INET_ECHO_REPLY],
	    (unsigned long long)a->answered[XG_INET_ARP_REPLY],
	    (unsigned long long)a->answered[XG_INET_NOT_MINE],
	    (unsigned long long)a->answered[XG_INET_MALFORMED],
	    (unsigned long long)a->answered[XG_INET_TOO_BIG],
	    (unsigned long long)nf.ring.stats.rx_frames,
	    (unsigned long long)nf.ring.stats.rx_dropped,
	    (unsigned long long)nf.ring.stats.tx_frames,
	    (unsigned long long)nf.ring.stats.tx_errors,
	    (unsigned long long)a->send_failed);
}

/* The toolstack's request in control/shutdown, acknowledged by
 * emptying the key (libxl waits for that).  A shutdown reason, or -1
 * to go on. */
static int
control(struct app *a)
{
	char req[32];
	int r;

	r = xg_control_take(a->xs, req, sizeof(req));
	if (r < 0)
		xg_panic(a->xg, "cannot acknowledge control/shutdown: %s",
		    a->xs->err);
	if (r == 0)
		return -1;	/* gone, empty: nothing asked */
	xg_printf(a->xg, "xk-guest: control %s\n", req);
	r = xg_control_reason(req);
	if (r == SHUTDOWN_poweroff || r == SHUTDOWN_reboot)
		return r;
	xg_printf(a->xg, "xk-guest: '%s' is not supported\n", req);
	return -1;
}

/* Answer frames and watch control/shutdown; returns a reason. */
static int
serve(struct app *a)
{
	evtchn_port_t ports[2] = { nf.port, a->xs->port };
	char path[64], token[16];
	int rc;

	for (;;) {
		rc = xg_evtchn_wait(a->xg, ports, 2, 0);
		if (rc < 0)
			xg_panic(a->xg, "SCHEDOP_poll failed: %d", rc);
		xg_evtchn_test_and_clear(a->xg, nf.port);
		serve_frames(a);
		/* deadline 1 (long past): what is there, without waiting */
		while (xg_xs_next_event(a->xs, path, sizeof(path), token,
		    sizeof(token), 1))
			if (strcmp(token, "control") == 0 &&
			    (rc = control(a)) >= 0)
				return rc;
	}
}

void
xg_main(struct xg *xg)
{
	struct app a = { .xg = xg };
	struct xg_heap heap;
	char node[64];
	uint64_t connect;
	const uint8_t *m, *ip;
	long rc;
	int reason;

	xg_heap_init(&heap, arena, sizeof(arena));
	a.xs = xg_alloc(&heap, sizeof(*a.xs));
	if (a.xs == NULL || xg_xs_init(a.xs, xg) < 0)
		xg_panic(xg, "no xenstore ring");
	options(&a, node, sizeof(node), &connect);
	if ((rc = xg_gnttab_init(&gt, xg)) != 0)
		xg_panic(xg, "grant table: %ld", rc);
	if (xg_netfront_connect(&nf, xg, a.xs, &gt, node,
	    xg_time_now(xg) + connect) < 0)
		xg_panic(xg, "netfront: %s", nf.err);
	memcpy(a.me.mac, nf.mac, 6);
	if (xg_xs_watch(a.xs, "control/shutdown", "control") < 0)
		xg_panic(xg, "cannot watch control/shutdown: %s", a.xs->err);
	if (xg_xs_write(a.xs, 0, "data/xk-guest",
	    xg->mode == XG_PV ? "ready pv" : "ready pvh") < 0)
		xg_panic(xg, "cannot write data/xk-guest: %s", a.xs->err);
	m = a.me.mac;
	ip = a.me.ip;
	xg_printf(xg, "xk-guest: ready ip %u.%u.%u.%u mac "
	    "%02x:%02x:%02x:%02x:%02x:%02x (%s)\n", ip[0], ip[1], ip[2],
	    ip[3], m[0], m[1], m[2], m[3], m[4], m[5],
	    xg->mode == XG_PV ? "pv" : "pvh");
	reason = serve(&a);
	report(&a);
	if (xg_netfront_disconnect(&nf, xg_time_now(xg) + 10 * XG_S) < 0)
		xg_printf(xg, "xk-guest: closing: %s\n", nf.err);
	else
		xg_printf(xg, "xk-guest: closed\n");
	xg_shutdown(xg, (unsigned int)reason);
}
