/*
 * evsock.h - the monitor's Unix socket: live events for followers.
 *
 * A client connects and sends one request line:
 *	FOLLOW		then reads event lines (the log's JSON lines) as the
 *			daemon exports them, until it hangs up
 *	PUBLISH <line>	an event another xenkit monitor (`xk create`)
 *			logged itself; the daemon passes it to followers
 *	STATUS		one JSON line about the daemon, then EOF
 * A follower that does not keep up (its socket buffer is full) is
 * disconnected rather than allowed to stall the daemon.
 */
#ifndef XK_EVENTS_EVSOCK_H
#define XK_EVENTS_EVSOCK_H

#include <poll.h>
#include <stddef.h>

#include "util/error.h"

struct xk_evsrv;

/* Returns a malloc'd JSON line (with '\n') for STATUS. */
typedef char *(*xk_status_fn)(void *arg);

/* Listen on path; fails when a live daemon already listens there (a
 * stale socket file is replaced). */
struct xk_evsrv *xk_evsrv_open(const char *path, xk_status_fn status,
    void *arg, struct xk_error *err);
/* Fill fds (listener first); returns how many. */
size_t xk_evsrv_pollfds(struct xk_evsrv *s, struct pollfd *fds, size_t max);
/* Act on what poll() reported for those fds. */
void xk_evsrv_handle(struct xk_evsrv *s, const struct pollfd *fds,
    size_t n);
void xk_evsrv_broadcast(struct xk_evsrv *s, const char *line);
size_t xk_evsrv_followers(const struct xk_evsrv *s);
void xk_evsrv_close(struct xk_evsrv *s);

/* Connect to path and send the request line (no '\n' needed); the fd,
 * or -1. */
int xk_evsock_request(const char *path, const char *req,
    struct xk_error *err);

#endif
