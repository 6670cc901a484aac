/*
 * owner.c - xk create: libxl creates the domain, we are its monitor.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "events/evsock.h"
#include "events/monitor.h"
#include "events/owner.h"
#include "util/xl.h"

struct owner {
	const struct xk_owner_cfg *cfg;
	struct xk_xl xl;
	struct xs_handle *xs;
	struct xk_emitter *em;
	libxl_domain_config dc;
	char uuid[XK_UUID_LEN];
	char name[XK_DOMNAME_MAX];
	uint32_t domid;
	uint32_t shut_domid;	/* the domid whose shutdown we exported */
	bool stopping;		/* asked to stop: export, do not act */
	bool drained;		/* ... and libxl's descriptors read since */
};

static void
publish(const char *line, void *arg)
{
	struct owner *o = arg;
	struct xk_error e = { 0 };
	char *req;
	int fd;

	if (o->cfg->sock_path == NULL)
		return;
	if (asprintf(&req, "PUBLISH %.*s", (int)strcspn(line, "\n"),
	    line) < 0)
		return;
	/* no daemon, no followers: nothing to do */
	fd = xk_evsock_request(o->cfg->sock_path, req, &e);
	free(req);
	if (fd >= 0)
		close(fd);
}

static int
emit(struct owner *o, enum xk_evtype type, enum xk_reason reason,
    long prev, struct xk_error *err)
{
	struct xk_event ev = { 0 };

	ev.ts_ms = xk_now_ms();
	ev.type = type;
	snprintf(ev.domain, sizeof(ev.domain), "%s", o->name);
	ev.domid = o->domid;
	snprintf(ev.uuid, sizeof(ev.uuid), "%s", o->uuid);
	ev.reason = reason;
	ev.previous_domid = prev;
	snprintf(ev.source, sizeof(ev.source), "libxl");
	if (xk_emitter_emit(o->em, &ev, err) < 0)
		return -1;
	/* one domain, one event at a time: its hooks start now, not after
	 * the on_* action that may follow (a restart takes seconds) */
	xk_emitter_tick(o->em);
	return 0;
}

static int
load_config(struct owner *o, struct xk_error *err)
{
	libxl_uuid keep;
	int have = 0;

	if (o->uuid[0] != '\0') {	/* a restart keeps the uuid */
		keep = o->dc.c_info.uuid;
		have = 1;
	}
	libxl_domain_config_dispose(&o->dc);
	libxl_domain_config_init(&o->dc);
	if (libxl_domain_config_from_json(o->xl.ctx, &o->dc, o->cfg->json)) {
		xk_error_set(err, "domain config: not a libxl domain "
		    "configuration (JSON)");
		return -1;
	}
	if (have)
		o->dc.c_info.uuid = keep;
	else if (libxl_uuid_is_nil(&o->dc.c_info.uuid))
		libxl_uuid_generate(&o->dc.c_info.uuid);
	if (o->dc.c_info.name == NULL) {
		xk_error_set(err, "domain config: no name");
		return -1;
	}
	snprintf(o->name, sizeof(o->name), "%s", o->dc.c_info.name);
	xk_uuid_format(libxl_uuid_bytearray(&o->dc.c_info.uuid), o->uuid);
	return 0;
}

/* Remove our mark, and the directories once nobody else has one
 * (a transaction, so a mark written meanwhile survives). */
static void
unmark(struct owner *o, const char *path)
{
	for (int tries = 0; tries < 10; tries++) {
		xs_transaction_t t = xs_transaction_start(o->xs);
		unsigned int n = 0;
		char **ents;

		if (t == XBT_NULL)
			return;
		xs_rm(o->xs, t, path);
		ents = xs_directory(o->xs, t, XK_OWNED_PATH, &n);
		if (ents != NULL && n == 0)
			xs_rm(o->xs, t, XK_OWNED_DIR);
		free(ents);
		if (xs_transaction_end(o->xs, t, false) || errno != EAGAIN)
			return;
	}
}

static int
mark_owned(struct owner *o, int on)
{
	char path[128], pid[32];

	snprintf(path, sizeof(path), "%s/%s", XK_OWNED_PATH, o->uuid);
	if (!on) {
		unmark(o, path);
		return 0;
	}
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	return xs_write(o->xs, XBT_NULL, path, pid, strlen(pid)) ? 0 : -1;
}

static int
create(struct owner *o, struct xk_error *err)
{
	int rc;

	o->domid = INVALID_DOMID;
	rc = libxl_domain_create_new(o->xl.ctx, &o->dc, &o->domid, NULL, NULL);
	if (rc != 0) {
		xk_error_set(err, "libxl_domain_create_new %s: error %d (see "
		    "libxl's messages above)", o->name, rc);
		return -1;
	}
	if (libxl_domain_unpause(o->xl.ctx, o->domid, NULL) != 0) {
		xk_error_set(err, "domain %s (domid %u): unpause failed",
		    o->name, o->domid);
		return -1;
	}
	return 0;
}

static libxl_action_on_shutdown
action_for(const libxl_domain_config *dc, int reason)
{
	libxl_action_on_shutdown a;

	switch (reason) {
	case LIBXL_SHUTDOWN_REASON_POWEROFF:
		a = dc->on_poweroff;
		break;
	case LIBXL_SHUTDOWN_REASON_REBOOT:
		a = dc->on_reboot ? dc->on_reboot :
		    LIBXL_ACTION_ON_SHUTDOWN_RESTART;
		break;
	case LIBXL_SHUTDOWN_REASON_CRASH:
		a = dc->on_crash;
		break;
	case LIBXL_SHUTDOWN_REASON_WATCHDOG:
		a = dc->on_watchdog;
		break;
	case LIBXL_SHUTDOWN_REASON_SOFT_RESET:
		a = dc->on_soft_reset ? dc->on_soft_reset :
		    LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET;
		break;
	default:
		a = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
		break;
	}
	return a ? a : LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
}

static void
core_dump(struct owner *o)
{
	char path[256];

	snprintf(path, sizeof(path), "/var/lib/xen/dump/%s", o->name);
	if (libxl_domain_core_dump(o->xl.ctx, o->domid, path, NULL) != 0)
		syslog(LOG_ERR, "domain %s: core dump to %s failed",
		    o->name, path);
}

/* The previous domain is gone or renamed: start the next one. */
static int
restart(struct owner *o, long prev, enum xk_reason r,
    libxl_evgen_domain_death **dw, struct xk_error *err)
{
	if (load_config(o, err) < 0 || create(o, err) < 0)
		return -1;
	if (emit(o, XK_EV_RESTART, r, prev, err) < 0)
		return -1;
	if (libxl_evenable_domain_death(o->xl.ctx, o->domid, 0, dw) != 0) {
		xk_error_set(err, "domain %s: cannot watch domid %u",
		    o->name, o->domid);
		return -1;
	}
	return 0;
}

/*
 * The shutdown has been exported: now act.  Returns 1 when the domain
 * is gone for good, 0 to keep watching, -1 on failure.
 */
static int
apply(struct owner *o, int code, libxl_evgen_domain_death **dw,
    struct xk_error *err)
{
	enum xk_reason r = xk_reason_from_code((unsigned)code);
	libxl_action_on_shutdown a = action_for(&o->dc, code);
	long prev = o->domid;

	if (code == LIBXL_SHUTDOWN_REASON_SUSPEND)
		return 0;	/* like xl: `xl save` owns a suspend */
	if (a == LIBXL_ACTION_ON_SHUTDOWN_PRESERVE)
		return 0;	/* wait for whoever destroys it */
	if (a == LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET) {
		if (libxl_domain_soft_reset(o->xl.ctx, &o->dc, o->domid, NULL,
		    NULL) != 0) {
			xk_error_set(err, "domain %s: soft reset failed",
			    o->name);
			return -1;
		}
		if (emit(o, XK_EV_RESTART, r, prev, err) < 0)
			return -1;
		libxl_evdisable_domain_death(o->xl.ctx, *dw);
		return libxl_evenable_domain_death(o->xl.ctx, o->domid, 0,
		    dw) == 0 ? 0 : -1;
	}
	if (a == LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY ||
	    a == LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART)
		core_dump(o);
	libxl_evdisable_domain_death(o->xl.ctx, *dw);
	*dw = NULL;
	if (a == LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME) {
		char suffix[32];
		libxl_uuid nu;
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(suffix, sizeof(suffix), "-%Y%m%dT%H%MZ", &tm);
		libxl_uuid_generate(&nu);
		if (libxl_domain_preserve(o->xl.ctx, o->domid, &o->dc.c_info,
		    suffix, nu) != 0) {
			xk_error_set(err, "domain %s: rename failed", o->name);
			return -1;
		}
	} else {
		libxl_domain_destroy(o->xl.ctx, o->domid, NULL);
		if (emit(o, XK_EV_DEATH, r, XK_NO_DOMID, err) < 0)
			return -1;
	}
	if (a == LIBXL_ACTION_ON_SHUTDOWN_DESTROY ||
	    a == LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY)
		return 1;
	return restart(o, prev, r, dw, err) < 0 ? -1 : 0;
}

/* Has the caller asked us to stop (its stop_fd readable)? */
static int
stop_requested(const struct owner *o)
{
	struct pollfd pfd = { o->cfg->stop_fd, POLLIN, 0 };

	return o->cfg->stop_fd >= 0 && poll(&pfd, 1, 0) > 0;
}

/* Beyond libxl's descriptors: the stop descriptor and the output of
 * the hooks running (one domain's events' hooks run in turn, but a
 * restart's domid is a new domain's: a few at most; any beyond these
 * are read on the next wake, at least every second). */
#define EXTRA_FDS 8

/*
 * The next libxl event, or 1 when a stop was requested and no event
 * is pending.  Our own poll loop (libxl's beforepoll/afterpoll)
 * instead of libxl_event_wait, so that the stop descriptor wakes it:
 * a signal must never end this process inside a libxl call.  The
 * poll also wakes for the hooks (output, time limit) and at least
 * every second to retry the log.
 *
 * Once stopping, one last non-blocking poll of libxl's descriptors:
 * a shutdown already signalled is still ours to export.  One signalled
 * between that poll and the removal of our mark is seen by neither us
 * nor the daemon: a window of one xenstore round trip.
 */
static int
next_event(struct owner *o, libxl_event **ev, struct xk_error *err)
{
	struct pollfd *fds = NULL;
	int nfds = 0, room = 0, rc = -1;

	for (;;) {
		struct timeval now;
		int timeout = 1000, extra;

		xk_emitter_tick(o->em);
		rc = libxl_event_check(o->xl.ctx, ev, LIBXL_EVENTMASK_ALL, 0, 0);
		if (rc == 0)
			break;
		if (rc != ERROR_NOT_READY) {
			xk_error_set(err, "domain %s: libxl_event_check: "
			    "error %d", o->name, rc);
			rc = -1;
			break;
		}
		if (o->drained) {
			rc = 1;
			break;
		}
		o->stopping = o->stopping || stop_requested(o);
		gettimeofday(&now, NULL);
		/* nfds: in, the room for libxl's descriptors; out (on
		 * ERROR_BUFFERFULL), how many it needs */
		nfds = room > EXTRA_FDS ? room - EXTRA_FDS : 0;
		while (room == 0 || libxl_osevent_beforepoll(o->xl.ctx, &nfds,
		    fds, &timeout, now) == ERROR_BUFFERFULL) {
			struct pollfd *n;

			room = nfds + EXTRA_FDS;
			n = reallocarray(fds, (size_t)room, sizeof(*fds));
			if (n == NULL) {
				xk_error_errno(err, errno, "poll set");
				free(fds);
				return -1;
			}
			fds = n;
			nfds = room - EXTRA_FDS;
		}
		extra = 0;
		if (o->cfg->stop_fd >= 0)
			fds[nfds + extra++] = (struct pollfd){
			    o->cfg->stop_fd, POLLIN, 0 };
		/* the hooks running: their output; their ends wake
		 * libxl's SIGCHLD self-pipe */
		extra += (int)xk_hookq_pollfds(xk_emitter_hooks(o->em),
		    fds + nfds + extra, EXTRA_FDS - (size_t)extra);
		timeout = xk_hookq_wait_ms(xk_emitter_hooks(o->em), timeout);
		if (o->stopping)	/* the last look, without waiting */
			timeout = 0;
		if (poll(fds, (nfds_t)(nfds + extra), timeout) < 0 &&
		    errno != EINTR) {
			xk_error_errno(err, errno, "domain %s: poll",
			    o->name);
			rc = -1;
			break;
		}
		gettimeofday(&now, NULL);
		libxl_osevent_afterpoll(o->xl.ctx, nfds, fds, now);
		o->drained = o->stopping;
	}
	free(fds);
	return rc;
}

/* 0: the domain is gone for good, 1: stopped on request, -1 */
static int
watch(struct owner *o, struct xk_error *err)
{
	libxl_evgen_domain_death *dw = NULL;
	enum xk_reason last = XK_R_DESTROYED;

	if (libxl_evenable_domain_death(o->xl.ctx, o->domid, 0, &dw) != 0) {
		xk_error_set(err, "domain %s: cannot watch domid %u",
		    o->name, o->domid);
		return -1;
	}
	for (;;) {
		libxl_event *ev;
		int rc = next_event(o, &ev, err);

		if (rc != 0) {
			libxl_evdisable_domain_death(o->xl.ctx, dw);
			return rc;
		}
		if (ev->domid != o->domid) {
			libxl_event_free(o->xl.ctx, ev);
			continue;
		}
		if (ev->type == LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN) {
			int code = ev->u.domain_shutdown.shutdown_reason;

			last = xk_reason_from_code((unsigned)code);
			rc = emit(o, XK_EV_SHUTDOWN, last, XK_NO_DOMID, err);
			o->shut_domid = o->domid;
			/* stopping: exported, but left as it is (as when
			 * xl's monitor is gone); restarting a guest that
			 * reboots at once would never let us stop */
			if (rc == 0 && !o->stopping)
				rc = apply(o, code, &dw, err);
		} else if (ev->type == LIBXL_EVENT_TYPE_DOMAIN_DEATH) {
			rc = emit(o, XK_EV_DEATH, last, XK_NO_DOMID, err);
			if (rc == 0)
				rc = 1;
		}
		libxl_event_free(o->xl.ctx, ev);
		if (rc != 0) {
			if (dw != NULL)
				libxl_evdisable_domain_death(o->xl.ctx, dw);
			return rc < 0 ? -1 : 0;
		}
	}
}

/*
 * Stopped on request: the domain's events become xk monitor's.  While
 * our mark is in xenstore the monitor skips them, so a shutdown that
 * libxl had not yet told us of would be nobody's.  The domain is paused
 * for the hand-over (Xen counts pauses: a user's own stays): a shutdown
 * it made before is in its state, exported here unless it was already;
 * none can come before the mark is gone; after the unpause, every event
 * is the monitor's.
 */
static void
hand_over(struct owner *o)
{
	struct xk_error e = { 0 };
	libxl_dominfo info;
	bool paused;

	paused = libxl_domain_pause(o->xl.ctx, o->domid, NULL) == 0;
	libxl_dominfo_init(&info);
	if (libxl_domain_info(o->xl.ctx, &info, o->domid) == 0 &&
	    info.shutdown && !info.dying && o->shut_domid != o->domid &&
	    emit(o, XK_EV_SHUTDOWN, xk_reason_from_code(
	    (unsigned)info.shutdown_reason), XK_NO_DOMID, &e) < 0)
		syslog(LOG_ERR, "domain %s: %s", o->name, e.msg);
	libxl_dominfo_dispose(&info);
	mark_owned(o, 0);
	if (paused && libxl_domain_unpause(o->xl.ctx, o->domid, NULL) != 0)
		syslog(LOG_ERR, "domain %s (domid %u): paused for the hand-over "
		    "to xk monitor, and libxl cannot unpause it (xl unpause "
		    "%u)", o->name, o->domid, o->domid);
}

static void
notify(const struct xk_owner_cfg *cfg, long domid, const char *msg)
{
	char buf[XK_ERROR_MAX + 32];
	int n;

	if (cfg->notify_fd < 0)
		return;
	n = msg ? snprintf(buf, sizeof(buf), "error %s\n", msg) :
	    snprintf(buf, sizeof(buf), "domid %ld\n", domid);
	if (n > 0 && write(cfg->notify_fd, buf, (size_t)n) < 0)
		return;
}

/*
 * The hooks are our children too.  By default libxl reaps every child
 * of the process with wait() while it has one of its own, so a hook
 * could vanish from under xk_hookq_poll's waitpid and how it ended be
 * lost.  libxl reaps only its own; the hook queue reaps its hooks by
 * pid.
 */
static const libxl_childproc_hooks reap_own = {
	.chldowner = libxl_sigchld_owner_libxl_always_selective_reap,
};

int
xk_owner_run(const struct xk_owner_cfg *cfg, struct xk_error *err)
{
	struct xk_emitter_cfg ecfg = cfg->em;
	struct owner o = { 0 };
	int rc = -1, marked = 0;

	o.cfg = cfg;
	libxl_domain_config_init(&o.dc);
	if (xk_xl_open(&o.xl, XTL_ERROR, err) == -1)
		goto out;
	libxl_childproc_setmode(o.xl.ctx, &reap_own, NULL);
	o.xs = xs_open(0);
	if (o.xs == NULL) {
		xk_error_errno(err, errno, "xenstore");
		goto out;
	}
	if (load_config(&o, err) < 0)
		goto out;
	ecfg.sink = publish;
	ecfg.sink_arg = &o;
	o.em = xk_emitter_new(&ecfg, err);
	if (o.em == NULL)
		goto out;
	/* marked before the domain exists: the daemon never exports it */
	if (mark_owned(&o, 1) < 0) {
		xk_error_errno(err, errno, "xenstore: write %s/%s",
		    XK_OWNED_PATH, o.uuid);
		goto out;
	}
	marked = 1;
	if (stop_requested(&o)) {
		xk_error_set(err, "%s: stopped before the domain was created",
		    o.name);
		goto out;
	}
	if (create(&o, err) < 0)
		goto out;
	if (emit(&o, XK_EV_CREATE, XK_R_NONE, XK_NO_DOMID, err) < 0)
		goto out;
	notify(cfg, (long)o.domid, NULL);
	rc = watch(&o, err);
	if (rc == 1) {
		/* at once, not after the hooks still running: from now on
		 * the daemon must see this domain's events as its own */
		hand_over(&o);
		marked = 0;
		syslog(LOG_NOTICE, "domain %s (domid %u): stopped on request; "
		    "the domain keeps running, xk monitor exports its events "
		    "from now on", o.name, o.domid);
	}
out:
	if (rc < 0)
		notify(cfg, 0, err->msg);
	xk_emitter_free(o.em);
	if (marked)
		mark_owned(&o, 0);
	if (o.xs != NULL)
		xs_close(o.xs);
	libxl_domain_config_dispose(&o.dc);
	xk_xl_close(&o.xl);
	return rc;
}
