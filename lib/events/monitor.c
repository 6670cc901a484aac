/*
 * monitor.c - the host-wide domain monitor (see monitor.h for why it
 * cannot lose a reason).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenstore.h>

#include "events/domtab.h"
#include "events/eventlog.h"
#include "events/evsock.h"
#include "events/monitor.h"
#include "events/xllog.h"
#include "util/clock.h"

#define SCAN_BATCH 256
#define MAX_POLL 256

struct mon {
	const struct xk_monitor_cfg *cfg;
	xc_interface *xch;
	struct xs_handle *xs;
	struct xk_emitter *em;
	struct xk_evsrv *srv;
	struct xk_domtab tab;
	int sigfd;
	int64_t next_scan;
	unsigned long scans;
	unsigned long events;
};

static void
say(struct mon *m, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct mon *m, int prio, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (m->cfg->em.say != NULL)
		m->cfg->em.say(prio, buf, m->cfg->em.say_arg);
}

void
xk_uuid_format(const unsigned char h[16], char *buf)
{
	snprintf(buf, XK_UUID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3],
	    h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13],
	    h[14], h[15]);
}

static void
read_name(struct mon *m, long domid, char *buf, size_t len)
{
	char path[64], *v;
	unsigned int n;

	buf[0] = '\0';
	if (m->xs == NULL)
		return;
	snprintf(path, sizeof(path), "/local/domain/%ld/name", domid);
	v = xs_read(m->xs, XBT_NULL, path, &n);
	if (v == NULL)
		return;
	snprintf(buf, len, "%.*s", (int)n, v);
	free(v);
}

/* Every domain, as the hypervisor shows it right now. */
static int
scan(struct mon *m, struct xk_scan_dom **out, size_t *nout,
    struct xk_error *err)
{
	xc_domaininfo_t info[SCAN_BATCH];
	struct xk_scan_dom *v = NULL;
	size_t n = 0, cap = 0, kept = 0;
	uint32_t first = 0;
	int k;

	do {
		k = xc_domain_getinfolist(m->xch, first, SCAN_BATCH, info);
		if (k < 0) {
			xk_error_errno(err, errno, "xc_domain_getinfolist");
			free(v);
			return -1;
		}
		for (int i = 0; i < k; i++) {
			struct xk_scan_dom *s;

			if (n == cap) {
				struct xk_scan_dom *nv;

				cap = cap ? cap * 2 : SCAN_BATCH;
				nv = realloc(v, cap * sizeof(*nv));
				if (nv == NULL) {
					free(v);
					xk_error_errno(err, ENOMEM, "scan");
					return -1;
				}
				v = nv;
			}
			s = &v[n++];
			memset(s, 0, sizeof(*s));
			s->domid = info[i].domain;
			xk_uuid_format(info[i].handle, s->uuid);
			s->dying = (info[i].flags & XEN_DOMINF_dying) != 0;
			s->shutdown = (info[i].flags & XEN_DOMINF_shutdown) != 0;
			s->code = (info[i].flags >> XEN_DOMINF_shutdownshift) &
			    XEN_DOMINF_shutdownmask;
			s->ran = info[i].cpu_time > 0;
			first = info[i].domain + 1;
		}
	} while (k == SCAN_BATCH);
	/* names only for domains we do not know yet: one xenstore read
	 * each, after the hypervisor state is safely in hand */
	for (size_t i = 0; i < n; i++) {
		if (v[i].domid != 0 &&
		    xk_domtab_find(&m->tab, v[i].domid) == NULL) {
			read_name(m, v[i].domid, v[i].name,
			    sizeof(v[i].name));
			/* libxl writes the name just after the hypervisor
			 * made the domain: a running domain without one is
			 * not announced yet (@introduceDomain brings us
			 * back) */
			if (v[i].name[0] == '\0' && !v[i].shutdown &&
			    !v[i].dying)
				continue;
		}
		v[kept++] = v[i];
	}
	n = kept;
	*out = v;
	*nout = n;
	return 0;
}

static int
from_xl_log(const struct xk_dom *d, enum xk_reason *r, char *source,
    void *arg)
{
	struct mon *m = arg;
	struct xk_error e = { 0 };

	if (xk_xllog_lookup(m->cfg->xl_logdir ? m->cfg->xl_logdir :
	    XK_XL_LOGDIR, d->name, d->domid, r, &e) != 0)
		return -1;
	snprintf(source, 16, "xl-log");
	return 0;
}

/* A live `xk create` process exports this domain's events itself. */
static int
owned(struct mon *m, const char *uuid)
{
	char path[128], *v;
	unsigned int n;
	long pid;

	if (m->xs == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", XK_OWNED_PATH, uuid);
	v = xs_read(m->xs, XBT_NULL, path, &n);
	if (v == NULL)
		return 0;
	pid = strtol(v, NULL, 10);
	free(v);
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static int
look(struct mon *m, const char *source, struct xk_error *err)
{
	struct xk_scan_dom *v;
	struct xk_evlist out = { 0 };
	size_t n;
	int rc;

	if (scan(m, &v, &n, err) < 0)
		return -1;
	rc = xk_domtab_update(&m->tab, v, n, xk_now_ms(), source,
	    from_xl_log, m, &out, err);
	free(v);
	m->scans++;
	for (size_t i = 0; rc == 0 && i < out.n; i++) {
		if (owned(m, out.v[i].uuid))
			continue;
		m->events++;
		rc = xk_emitter_emit(m->em, &out.v[i], err);
	}
	xk_evlist_free(&out);
	return rc;
}

static int
replay(const struct xk_event *ev, const char *line, size_t len, void *arg)
{
	struct mon *m = arg;
	struct xk_error e = { 0 };
	struct xk_dom *d;

	if (xk_domtab_apply(&m->tab, ev, &e) < 0)
		return -1;
	/* whether a logged domain ever ran is not known: assume it did,
	 * so that one gone while the daemon was down is not taken for a
	 * destroyed build */
	if ((d = xk_domtab_find(&m->tab, ev->domid)) != NULL)
		d->ran = true;
	return 0;
}

/* Rebuild the table from the event log (what was exported before). */
static int
load_log(struct mon *m, struct xk_error *err)
{
	struct xk_evlog_stats st = { 0 };
	off_t off = 0;
	const char *path = m->cfg->em.log_path;

	if (path == NULL)
		return 0;
	if (xk_evlog_read_file(path, &off, NULL, replay, m, &st, err) != 0)
		return -1;
	if (st.bad > 0)
		say(m, LOG_WARNING, "event log %s: %zu line(s) are not events "
		    "and were skipped (first: line %zu: %s)", path, st.bad,
		    st.first_bad_line, st.first_bad);
	say(m, LOG_INFO, "event log %s: %zu event(s) replayed", path,
	    st.events);
	return 0;
}

static void
sink(const char *line, void *arg)
{
	struct mon *m = arg;

	if (m->srv != NULL)
		xk_evsrv_broadcast(m->srv, line);
}

static char *
status(void *arg)
{
	struct mon *m = arg;
	size_t live = 0;
	char *s;

	for (size_t i = 0; i < m->tab.n; i++)
		live += m->tab.v[i].state != XK_DS_DEAD;
	if (asprintf(&s, "{\"pid\":%ld,\"domains\":%zu,\"held\":%zu,"
	    "\"scans\":%lu,\"events\":%lu,\"followers\":%zu,"
	    "\"xenstore\":%s}\n", (long)getpid(), live,
	    xk_emitter_held(m->em), m->scans, m->events,
	    xk_evsrv_followers(m->srv), m->xs != NULL ? "true" : "false") < 0)
		return NULL;
	return s;
}

static int
xs_connect(struct mon *m)
{
	m->xs = xs_open(0);
	if (m->xs == NULL)
		return -1;
	if (!xs_watch(m->xs, "@introduceDomain", "introduce") ||
	    !xs_watch(m->xs, "@releaseDomain", "release")) {
		xs_close(m->xs);
		m->xs = NULL;
		return -1;
	}
	return 0;
}

/* Drain the watch events; -1 when the connection to xenstored broke. */
static int
xs_drain(struct mon *m)
{
	char **w;

	while ((w = xs_check_watch(m->xs)) != NULL)
		free(w);
	return errno == EAGAIN ? 0 : -1;
}

static int
setup(struct mon *m, struct xk_error *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (m->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		xk_error_errno(err, errno, "signalfd");
		return -1;
	}
	m->xch = xc_interface_open(NULL, NULL, 0);
	if (m->xch == NULL) {
		xk_error_errno(err, errno, "xc_interface_open (is this a "
		    "Xen dom0, with /dev/xen/privcmd?)");
		return -1;
	}
	if (xs_connect(m) < 0) {
		xk_error_errno(err, errno, "xenstore: connect and watch "
		    "@introduceDomain, @releaseDomain");
		return -1;
	}
	if (load_log(m, err) < 0)
		return -1;
	return 0;
}

/* One pass of the loop; 1 when asked to stop. */
static int
step(struct mon *m, struct xk_error *err)
{
	struct xk_hookq *hooks = xk_emitter_hooks(m->em);
	struct pollfd fds[MAX_POLL];
	size_t n = 0, nsrv;
	int64_t now = xk_mono_ms(), wait;
	int want = 0, stop = 0;

	fds[n++] = (struct pollfd){ m->sigfd, POLLIN, 0 };
	fds[n++] = (struct pollfd){ m->xs ? xs_fileno(m->xs) : -1, POLLIN,
	    0 };
	/* hooks' output; their ends come as SIGCHLD */
	n += xk_hookq_pollfds(hooks, fds + n, MAX_POLL / 2);
	nsrv = xk_evsrv_pollfds(m->srv, fds + n, MAX_POLL - n);
	wait = m->next_scan - now;
	if (xk_emitter_held(m->em) > 0 && wait > 1000)
		wait = 1000;
	if (wait < 0)
		wait = 0;
	wait = xk_hookq_wait_ms(hooks, (int)wait);
	if (poll(fds, n + nsrv, (int)wait) < 0 && errno != EINTR) {
		xk_error_errno(err, errno, "poll");
		return -1;
	}
	if (fds[0].revents & POLLIN) {
		struct signalfd_siginfo si;

		while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
				stop = 1;
	}
	if (m->xs != NULL && fds[1].revents != 0) {
		want = 1;
		if (xs_drain(m) < 0) {
			say(m, LOG_ERR, "lost the connection to xenstored; "
			    "reconnecting");
			xs_close(m->xs);
			m->xs = NULL;
		}
	}
	/* the hypervisor's state first, before anything else is done */
	if (want || xk_mono_ms() >= m->next_scan) {
		if (m->xs == NULL && xs_connect(m) == 0) {
			say(m, LOG_NOTICE, "xenstored is back: reconciling");
			want = 1;
		}
		if (look(m, "hypervisor", err) < 0)
			say(m, LOG_ERR, "scan: %s", err->msg);
		m->next_scan = xk_mono_ms() + (m->cfg->interval_ms > 0 ?
		    m->cfg->interval_ms : 5000);
	}
	xk_evsrv_handle(m->srv, fds + n, nsrv);
	xk_emitter_tick(m->em);
	return stop;
}

int
xk_monitor_run(const struct xk_monitor_cfg *cfg, struct xk_error *err)
{
	struct xk_emitter_cfg ecfg = cfg->em;
	struct mon m = { 0 };
	int rc = -1;

	m.cfg = cfg;
	m.sigfd = -1;
	if (setup(&m, err) < 0)
		goto out;
	ecfg.sink = sink;
	ecfg.sink_arg = &m;
	m.em = xk_emitter_new(&ecfg, err);
	if (m.em == NULL)
		goto out;
	/* what happened while no monitor ran, before anyone listens */
	if (look(&m, "reconcile", err) < 0)
		goto out;
	m.srv = xk_evsrv_open(cfg->sock_path, status, &m, err);
	if (m.srv == NULL)
		goto out;
	say(&m, LOG_INFO, "monitoring %zu domain(s); socket %s",
	    m.tab.n, cfg->sock_path);
	m.next_scan = xk_mono_ms() + (cfg->interval_ms > 0 ? cfg->interval_ms :
	    5000);
	for (;;) {
		int s = step(&m, err);

		if (s < 0)
			goto out;
		if (s > 0)
			break;
	}
	say(&m, LOG_INFO, "stopping");
	rc = 0;
out:
	xk_evsrv_close(m.srv);
	xk_emitter_free(m.em);
	xk_domtab_free(&m.tab);
	if (m.xs != NULL)
		xs_close(m.xs);
	if (m.xch != NULL)
		xc_interface_close(m.xch);
	if (m.sigfd >= 0)
		close(m.sigfd);
	return rc;
}
