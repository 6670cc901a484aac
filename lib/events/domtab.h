/*
 * domtab.h - what the monitor knows about each domain, and the events
 * that turn one view of the host into the next.
 *
 * The table is a pure function of the events applied to it: the daemon
 * rebuilds it at start by replaying its own event log, then compares it
 * with what the hypervisor shows now (xk_domtab_update), which emits
 * exactly the events that happened while it was away, and nothing it
 * had already exported.  The same comparison runs on every xenstore
 * watch and every periodic scan while it runs: reconciliation at start
 * and live monitoring are the same code.
 */
#ifndef XK_EVENTS_DOMTAB_H
#define XK_EVENTS_DOMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/event.h"
#include "util/error.h"

/* How long a dead domain is remembered, to link its restart. */
#define XK_RESTART_WINDOW_MS (120 * 1000)
/* How long a domain that vanished unseen waits for its reason to turn
 * up (xl's log) before its death is reported as unknown. */
#define XK_FALLBACK_WAIT_MS (10 * 1000)

enum xk_domstate { XK_DS_RUNNING, XK_DS_SHUTDOWN, XK_DS_DEAD };

struct xk_dom {
	long domid;
	char uuid[XK_UUID_LEN];
	char name[XK_DOMNAME_MAX];
	enum xk_domstate state;
	enum xk_reason reason;	/* once shut down (or dead) */
	int64_t since_ms;	/* when it entered its state */
	bool linked;		/* dead and already linked to a restart */
	bool ran;		/* has had CPU time (see xk_scan_dom) */
	int64_t gone_ms;	/* vanished unseen, reason not found yet */
};

struct xk_domtab {
	struct xk_dom *v;
	size_t n, cap;
};

/* One domain as the hypervisor shows it in a scan. */
struct xk_scan_dom {
	long domid;
	char uuid[XK_UUID_LEN];
	char name[XK_DOMNAME_MAX];	/* "" when it could not be read */
	bool shutdown;
	bool dying;
	unsigned int code;		/* shutdown code when shutdown */
	/* it has run: only then can it have asked to shut down */
	bool ran;
};

struct xk_evlist {
	struct xk_event *v;
	size_t n, cap;
};

/*
 * The reason a domain that vanished between two looks had for going,
 * from somewhere else than the hypervisor (xl's log): set *reason and
 * source (< 16 bytes) and return 0, or return -1 when not known.
 */
typedef int (*xk_reason_fn)(const struct xk_dom *d, enum xk_reason *reason,
    char *source, void *arg);

/* Apply one event (live or replayed from the log) to the table. */
int xk_domtab_apply(struct xk_domtab *t, const struct xk_event *ev,
    struct xk_error *err);

/*
 * Compare the table with a scan of every domain taken at now_ms, append
 * the events that explain the difference to out (and apply them), in
 * order per domain.  source names the scan ("hypervisor", "reconcile");
 * fallback (may be NULL) supplies reasons for vanished domains.
 * Domain 0 is never reported.  Dead domains older than the restart
 * window are forgotten.
 */
int xk_domtab_update(struct xk_domtab *t, const struct xk_scan_dom *scan,
    size_t nscan, int64_t now_ms, const char *source,
    xk_reason_fn fallback, void *arg, struct xk_evlist *out,
    struct xk_error *err);

struct xk_dom *xk_domtab_find(struct xk_domtab *t, long domid);
void xk_domtab_free(struct xk_domtab *t);
void xk_evlist_free(struct xk_evlist *l);

#endif
