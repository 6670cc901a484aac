/*
 * qmp.h - a QEMU Machine Protocol client: one connection to one QEMU.
 *
 * QMP is line-delimited JSON over a Unix socket.  QEMU greets with
 * {"QMP": {...}}, the client answers with qmp_capabilities, then sends
 * {"execute": CMD, "arguments": {...}, "id": ID} and reads back either
 * {"return": ...} or {"error": {"class", "desc"}} with the same id (a
 * string no other connection uses: see below).
 * Asynchronous events ({"event": NAME, "data": ..., "timestamp": ...})
 * may arrive at any time, also between a command and its reply: they
 * are queued and handed out by xk_qmp_wait_event().
 *
 * A QMP socket serves one client at a time: a second client connects
 * (the kernel accepts it) but gets no greeting until the first leaves.
 * xk_qmp_connect() therefore times out on the greeting and says the
 * socket is busy.  A client that died mid-conversation may still be
 * answered after it is gone: QEMU sends those replies and events to the
 * next client, even before its greeting.  xk_qmp_connect() skips what
 * comes before the greeting, and ids unique to a connection keep a late
 * reply from passing for one of ours.  For libxl-managed QEMUs, pass libxl's lock file so
 * that xenkit and libxl never talk at the same time (flock, as libxl's
 * own QMP client does).
 *
 * Every call takes a timeout in milliseconds; all I/O uses poll().
 */
#ifndef XK_QMP_QMP_H
#define XK_QMP_QMP_H

#include <stddef.h>

#include <jansson.h>

#include "util/error.h"

/* Longest message accepted from QEMU: a guard against a runaway peer. */
#define XK_QMP_MAX_MESSAGE (64u << 20)

enum xk_qmp_kind {
	XK_QMP_GREETING,	/* {"QMP": {...}} */
	XK_QMP_RETURN,		/* {"return": ...} */
	XK_QMP_ERROR,		/* {"error": {"class": ..., "desc": ...}} */
	XK_QMP_EVENT,		/* {"event": NAME, ...} */
};

/* One message from QEMU, parsed and checked (xk_qmp_parse). */
struct xk_qmp_msg {
	enum xk_qmp_kind kind;
	json_t *root;		/* owned: the whole message */
	json_t *value;		/* borrowed: greeting/return/error/data */
	json_t *id;		/* borrowed: the id, or NULL */
	const char *event;	/* borrowed: event name */
	const char *eclass;	/* borrowed: error class */
	const char *edesc;	/* borrowed: error description */
};

/*
 * Parse one message (one line, without its newline) from QEMU.  Checks
 * the shape QMP promises; anything else is an error naming the problem.
 */
int xk_qmp_parse(const char *buf, size_t len, struct xk_qmp_msg *msg,
    struct xk_error *err);
void xk_qmp_msg_free(struct xk_qmp_msg *msg);

struct xk_qmp;

/*
 * Connect to the QMP socket at path and negotiate capabilities.  When
 * lockpath is not NULL, take an exclusive flock on it first (held until
 * xk_qmp_close).  timeout_ms bounds the lock wait, the greeting and the
 * negotiation each.
 */
struct xk_qmp *xk_qmp_connect(const char *path, const char *lockpath,
    int timeout_ms, struct xk_error *err);
void xk_qmp_close(struct xk_qmp *q);

/*
 * Have fn(arg, cmd) called each time the answer to a command (its
 * return or its error) arrives: the command has taken effect.  fn NULL:
 * none.  The snapshot engine's fault hook counts these (snapshot.h).
 */
void xk_qmp_set_reply_hook(struct xk_qmp *q,
    void (*fn)(void *arg, const char *cmd), void *arg);

/* The greeting's version, e.g. 7.2.22 (0 when not given). */
void xk_qmp_version(const struct xk_qmp *q, int *major, int *minor,
    int *micro);

/*
 * Run cmd with args (a JSON object, stolen; NULL for none) and return
 * the "return" value (a new reference; {} for commands without one).
 * A QMP error becomes "CMD: CLASS: DESC" in err.
 */
json_t *xk_qmp_execute(struct xk_qmp *q, const char *cmd, json_t *args,
    int timeout_ms, struct xk_error *err);

/* xk_qmp_execute with arguments built by json_pack(fmt, ...). */
json_t *xk_qmp_executef(struct xk_qmp *q, int timeout_ms,
    struct xk_error *err, const char *cmd, const char *fmt, ...);

/*
 * Run an HMP command line through human-monitor-command; *out gets
 * its text output (malloc'd).
 */
int xk_qmp_hmp(struct xk_qmp *q, const char *cmdline, char **out,
    int timeout_ms, struct xk_error *err);

/*
 * Wait for the next event called name (any event when NULL) whose data
 * satisfies match (any when match is NULL); earlier queued events that
 * do not match stay queued.  Returns the whole event message (new
 * reference) or NULL on timeout/error.
 */
json_t *xk_qmp_wait_event(struct xk_qmp *q, const char *name,
    int (*match)(json_t *data, void *arg), void *arg, int timeout_ms,
    struct xk_error *err);

/* Number of queued events (for tests and diagnostics). */
size_t xk_qmp_pending_events(const struct xk_qmp *q);

/*
 * Wait for block job id to finish (BLOCK_JOB_COMPLETED, or
 * BLOCK_JOB_CANCELLED / an "error" field: failure with QEMU's reason).
 */
int xk_qmp_wait_job(struct xk_qmp *q, const char *id, int timeout_ms,
    struct xk_error *err);

#endif
