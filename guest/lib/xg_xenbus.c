/*
 * xg_xenbus.c - the front end's half of the xenbus handshake (see
 * xg_xenbus.h).
 */
#include "xg_fmt.h"
#include "xg_string.h"
#include "xg_xenbus.h"

#define WATCH_TOKEN "xg-xenbus"

static int
invalid(struct xg_xenbus_dev *d)
{
	xg_snprintf(d->xs->err, sizeof(d->xs->err), "EINVAL");
	return -1;
}

/* A decimal number in S, all of it, at most MAX; -1 if not one. */
static long
parse_num(const char *s, long max)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* NODE/LEAF into BUF (a path for the xenstore calls). */
static int
leaf(char *buf, size_t cap, const char *node, const char *name)
{
	int n = xg_snprintf(buf, cap, "%s/%s", node, name);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int
xg_xenbus_open(struct xg_xenbus_dev *d, struct xg_xs *xs, const char *node)
{
	char path[128], id[16];
	long n;

	d->xs = xs;
	if (strlen(node) >= sizeof(d->node))
		return invalid(d);
	memcpy(d->node, node, strlen(node) + 1);
	if (leaf(path, sizeof(path), node, "backend") == -1)
		return invalid(d);
	n = xg_xs_read(xs, 0, path, d->backend, sizeof(d->backend));
	if (n < 0)
		return -1;
	/* absolute: a relative one would name a node of our own */
	if (n < 2 || d->backend[0] != '/')
		return invalid(d);
	if (leaf(path, sizeof(path), node, "backend-id") == -1 ||
	    xg_xs_read(xs, 0, path, id, sizeof(id)) < 0)
		return -1;
	n = parse_num(id, DOMID_FIRST_RESERVED - 1);
	if (n < 0)
		return invalid(d);
	d->backend_id = (unsigned int)n;
	return 0;
}

int
xg_xenbus_switch(struct xg_xenbus_dev *d, enum xenbus_state state)
{
	char path[128], value[4];

	if (leaf(path, sizeof(path), d->node, "state") == -1)
		return invalid(d);
	xg_snprintf(value, sizeof(value), "%d", (int)state);
	return xg_xs_write(d->xs, 0, path, value);
}

int
xg_xenbus_backend_state(struct xg_xenbus_dev *d)
{
	char path[160], value[8];
	long n;

	if (leaf(path, sizeof(path), d->backend, "state") == -1)
		return invalid(d);
	/* as Linux's xenbus_read_driver_state: a node we cannot read
	 * (ENOENT, or EACCES when even its parent is not there for us)
	 * is a back end not there yet */
	if (xg_xs_read(d->xs, 0, path, value, sizeof(value)) < 0)
		return XenbusStateUnknown;
	n = parse_num(value, XenbusStateReconfigured);
	return n < 0 ? invalid(d) : (int)n;
}

/* Remove the wait's watch, keeping the error being reported (R -1)
 * rather than the unwatch's. */
static int
unwatch(struct xg_xenbus_dev *d, const char *path, int r)
{
	char err[sizeof(d->xs->err)];

	memcpy(err, d->xs->err, sizeof(err));
	if (xg_xs_unwatch(d->xs, path, WATCH_TOKEN) < 0 && r >= 0)
		return -1;
	memcpy(d->xs->err, err, sizeof(err));
	return r;
}

/* The next event of our watch; 0 when DEADLINE passed first. */
static int
next_ours(struct xg_xenbus_dev *d, uint64_t deadline)
{
	char evpath[8], token[16];

	do {
		if (!xg_xs_next_event(d->xs, evpath, sizeof(evpath), token,
		    sizeof(token), deadline))
			return 0;
	} while (strcmp(token, WATCH_TOKEN) != 0);
	return 1;
}

int
xg_xenbus_wait(struct xg_xenbus_dev *d, unsigned int want,
    uint64_t deadline, int *last)
{
	char path[160];
	int state;

	*last = XenbusStateUnknown;
	if (leaf(path, sizeof(path), d->backend, "state") == -1)
		return invalid(d);
	/* the watch fires once when set, and the state is read after
	 * each event: no change between a read and the watch is lost */
	if (xg_xs_watch(d->xs, path, WATCH_TOKEN) < 0)
		return -1;
	for (;;) {
		state = xg_xenbus_backend_state(d);
		if (state < 0)
			return unwatch(d, path, -1);
		*last = state;
		if (want & (1U << state))
			return unwatch(d, path, state);
		if (!next_ours(d, deadline)) {
			xg_snprintf(d->xs->err, sizeof(d->xs->err),
			    "ETIMEDOUT");
			return unwatch(d, path, -1);
		}
	}
}

const char *
xg_xenbus_state_name(int state)
{
	static const char *const names[] = { "Unknown", "Initialising",
	    "InitWait", "Initialised", "Connected", "Closing", "Closed",
	    "Reconfiguring", "Reconfigured" };

	if (state < 0 || (size_t)state >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[state];
}
