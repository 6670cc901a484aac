/*
 * xs.c - several xenstore nodes read or written in one transaction:
 * one helper process instead of one xenstore-read or xenstore-write
 * fork per node.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "hotplug/hotplug.h"

#define RETRIES	100	/* transactions lost to concurrent writers */

static int
node_path(char *buf, size_t len, const char *base, const char *name,
    struct xk_error *err)
{
	int n;

	if (name[0] == '/')
		n = snprintf(buf, len, "%s", name);
	else
		n = snprintf(buf, len, "%s/%s", base, name);
	if (n < 0 || (size_t)n >= len) {
		xk_error_set(err, "%s/%s: xenstore path too long", base, name);
		return -1;
	}
	return 0;
}

static void
free_values(char **values, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(values[i]);
		values[i] = NULL;
	}
}

/*
 * End t: abandoned when the work failed (err says why; errno cleared,
 * so no retry), else committed.  false with errno EAGAIN when another
 * writer won and the whole attempt should run again.
 */
static bool
end_transaction(struct xs_handle *xs, xs_transaction_t t, bool failed,
    const char *what, const char *base, struct xk_error *err)
{
	if (failed) {
		xs_transaction_end(xs, t, true);
		errno = 0;
		return false;
	}
	if (!xs_transaction_end(xs, t, false)) {
		if (errno != EAGAIN)
			xk_error_errno(err, errno, "xenstore: %s %s", what,
			    base);
		return false;
	}
	return true;
}

/* One attempt; false with errno EAGAIN when the transaction lost. */
static bool
read_once(struct xs_handle *xs, const char *base, const char *const *names,
    size_t n, char **values, struct xk_error *err)
{
	char path[PATH_MAX];
	xs_transaction_t t;
	unsigned int len;
	size_t i;

	t = xs_transaction_start(xs);
	if (t == XBT_NULL) {
		xk_error_errno(err, errno, "xenstore: transaction start");
		return false;
	}
	for (i = 0; i < n; i++) {
		if (node_path(path, sizeof(path), base, names[i], err) == -1)
			break;
		values[i] = xs_read(xs, t, path, &len);
		if (values[i] == NULL && errno != ENOENT) {
			xk_error_errno(err, errno, "xenstore: read %s", path);
			break;
		}
	}
	return end_transaction(xs, t, i < n, "read", base, err);
}

int
xk_hp_read(struct xs_handle *xs, const char *base, const char *const *names,
    size_t n, char **values, struct xk_error *err)
{
	int tries;

	for (tries = 0; tries < RETRIES; tries++) {
		memset(values, 0, n * sizeof(*values));
		errno = 0;
		if (read_once(xs, base, names, n, values, err))
			return 0;
		free_values(values, n);
		if (errno != EAGAIN)
			return -1;
	}
	xk_error_set(err, "xenstore: read %s: %d transactions lost to "
	    "other writers", base, RETRIES);
	return -1;
}

static bool
write_once(struct xs_handle *xs, const char *base, const char *const *names,
    const char *const *values, size_t n, struct xk_error *err)
{
	char path[PATH_MAX];
	xs_transaction_t t;
	size_t i;
	bool ok;

	t = xs_transaction_start(xs);
	if (t == XBT_NULL) {
		xk_error_errno(err, errno, "xenstore: transaction start");
		return false;
	}
	for (i = 0; i < n; i++) {
		if (node_path(path, sizeof(path), base, names[i], err) == -1)
			break;
		if (values[i] == NULL)
			ok = xs_rm(xs, t, path) || errno == ENOENT;
		else
			ok = xs_write(xs, t, path, values[i],
			    strlen(values[i]));
		if (!ok) {
			xk_error_errno(err, errno, "xenstore: %s %s",
			    values[i] == NULL ? "remove" : "write", path);
			break;
		}
	}
	return end_transaction(xs, t, i < n, "write", base, err);
}

int
xk_hp_write(struct xs_handle *xs, const char *base, const char *const *names,
    const char *const *values, size_t n, struct xk_error *err)
{
	int tries;

	for (tries = 0; tries < RETRIES; tries++) {
		errno = 0;
		if (write_once(xs, base, names, values, n, err))
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	xk_error_set(err, "xenstore: write %s: %d transactions lost to "
	    "other writers", base, RETRIES);
	return -1;
}
