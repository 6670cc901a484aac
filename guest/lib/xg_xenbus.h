/*
 * xg_xenbus.h - a front end's half of a device's xenbus handshake
 * (xen/io/xenbus.h): the toolstack writes the device's front-end node
 * (device/TYPE/ID in the guest's home: backend, backend-id, state) and
 * its back end's; each end then publishes its state there and waits
 * for the other's.  What blkfront and netfront share.
 *
 * A back end that never comes (its domain does not answer, its node
 * was never written) must not hang the guest: every wait has a
 * deadline, and the caller decides what a missed one means (the
 * guests report it on the console and crash: xg_panic).
 */
#ifndef XG_XENBUS_H
#define XG_XENBUS_H

#include <xen/io/xenbus.h>

#include "xg_xs.h"

struct xg_xenbus_dev {
	struct xg_xs *xs;
	char node[64];		/* device/vbd/51712: relative to home */
	char backend[128];	/* the back end's node (absolute) */
	unsigned int backend_id;
};

/* Read NODE's back end (NODE/backend, NODE/backend-id).  -1 with
 * xs->err set: an error reply (ENOENT: no such device), or "EINVAL"
 * for a node name too long or a back end path or domain that is not
 * one. */
int xg_xenbus_open(struct xg_xenbus_dev *d, struct xg_xs *xs,
    const char *node);

/* Publish our state in NODE/state. */
int xg_xenbus_switch(struct xg_xenbus_dev *d, enum xenbus_state state);

/* The back end's state: XenbusStateUnknown (0) while its state node
 * cannot be read (an error reply: not there, or not for us yet); -1
 * with xs->err "EINVAL" when its value is not a state. */
int xg_xenbus_backend_state(struct xg_xenbus_dev *d);

/*
 * Wait until the back end's state is one of WANT (a mask of 1 << state)
 * or DEADLINE (system time, xg_time_now) passes: returns the state, or
 * -1 with xs->err "ETIMEDOUT" (the last state seen in *last),
 * "EINVAL" (a value that is not a state) or an error reply's name (to
 * the watch).  Watches the state node meanwhile: events of the
 * caller's own watches that come during the wait are dropped (a watch
 * only says "look again": look after the wait).
 */
int xg_xenbus_wait(struct xg_xenbus_dev *d, unsigned int want,
    uint64_t deadline, int *last);

/* The name of a state ("InitWait"), for messages. */
const char *xg_xenbus_state_name(int state);

#endif
