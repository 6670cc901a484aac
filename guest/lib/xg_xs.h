/*
 * xg_xs.h - a xenstore client over the guest's xenstore ring
 * (xen/io/xs_wire.h; wire format and checks in xg_xsmsg.h).
 *
 * One request at a time.  Watch events that arrive while a reply is
 * awaited are queued (XG_XS_EVENTS of them; more are counted in
 * lost_events and dropped: a watch says "look again", not what
 * changed).  Paths may be absolute or relative to the domain's home,
 * /local/domain/DOMID, as xenstored resolves them.
 *
 * Failure policy: an error reply from xenstored (ENOENT, EACCES,
 * EAGAIN for a transaction to retry ...) is returned: -1 with its name
 * in xs->err.  Anything else is not a condition a guest can recover
 * from and it is never waited out: a malformed reply, impossible ring
 * indexes, or no reply within xs->timeout_ns end in xg_panic (the
 * reason on the console, then SHUTDOWN_crash).
 */
#ifndef XG_XS_H
#define XG_XS_H

#include "xg_boot.h"
#include "xg_xsmsg.h"

#define XG_XS_EVENTS 4
#define XG_XS_TIMEOUT_NS (30 * 1000000000ULL)

struct xg_xs {
	struct xg *xg;
	volatile struct xenstore_domain_interface *ring;
	evtchn_port_t port;
	uint32_t next_req;
	uint64_t timeout_ns;		/* per request; XG_XS_TIMEOUT_NS */
	char err[16];			/* the last error reply's name */
	unsigned int nevents, lost_events;
	struct {
		uint32_t len;
		char payload[XENSTORE_PAYLOAD_MAX];
	} events[XG_XS_EVENTS];
	unsigned char msg[XG_XS_MSG_MAX];	/* the request being sent */
	struct xsd_sockmsg hdr;		/* the last message read */
	char payload[XENSTORE_PAYLOAD_MAX + 1];	/* NUL added */
};

/* Use the guest's xenstore ring; -1 when it has none. */
int xg_xs_init(struct xg_xs *xs, struct xg *xg);

/* Read PATH's value into BUF (NUL added); returns its length, or -1
 * (xs->err "E2BIG" when it does not fit in CAP - 1 bytes). */
long xg_xs_read(struct xg_xs *xs, uint32_t tx, const char *path, char *buf,
    size_t cap);

/* Write VALUE (a string) at PATH. */
int xg_xs_write(struct xg_xs *xs, uint32_t tx, const char *path,
    const char *value);

int xg_xs_rm(struct xg_xs *xs, uint32_t tx, const char *path);

/* PATH's children as NUL-terminated names one after another in BUF;
 * returns how many, or -1 ("E2BIG" when they do not fit). */
long xg_xs_directory(struct xg_xs *xs, uint32_t tx, const char *path,
    char *buf, size_t cap);

int xg_xs_watch(struct xg_xs *xs, const char *path, const char *token);
int xg_xs_unwatch(struct xg_xs *xs, const char *path, const char *token);

/* The next watch event (queued, or from the ring): its path and token
 * into PATH and TOKEN (truncated to their caps).  Returns 1, or 0 when
 * DEADLINE (system time; 0 for none) passed first. */
int xg_xs_next_event(struct xg_xs *xs, char *path, size_t pcap, char *token,
    size_t tcap, uint64_t deadline);

/* Transactions: start gives an id for the calls above; end with
 * COMMIT 1 applies them, 0 discards them.  An end that fails with
 * xs->err "EAGAIN" means another writer came first: start again. */
int xg_xs_transaction_start(struct xg_xs *xs, uint32_t *tx);
int xg_xs_transaction_end(struct xg_xs *xs, uint32_t tx, int commit);

/* After a resume in a new domain (xg_suspend returned 0): take the
 * ring and port xg_platform_setup found, drop queued events.  The new
 * xenstored connection has no watches: register them again. */
void xg_xs_resume(struct xg_xs *xs);

#endif
