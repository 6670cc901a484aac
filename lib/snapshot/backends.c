/*
 * backends.c - the list of backends and the choice of one for a disk.
 * Apart from live.c (what QEMU says), so that a backend can ask QEMU
 * without depending on the list that names it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/backend.h"
#include "snapshot/snapshot.h"

const struct xk_snap_backend *const xk_snap_backends[] = {
	&xk_snap_qcow2,		/* first: its transaction is the freeze */
	&xk_snap_reflink,
	&xk_snap_lvm,
	NULL,
};

const struct xk_snap_backend *
xk_snap_backend_named(const char *name)
{
	for (size_t i = 0; xk_snap_backends[i] != NULL; i++)
		if (strcmp(xk_snap_backends[i]->name, name) == 0)
			return xk_snap_backends[i];
	return NULL;
}

void
xk_snap_pick_backend(const struct xk_snap_env *env, struct xk_snap_disk *d)
{
	struct xk_error e = { 0 }, first = { 0 };

	d->be = NULL;
	if (d->empty) {
		snprintf(d->why, sizeof(d->why), "no medium (an empty %s "
		    "drive has nothing to snapshot)", d->removable ?
		    "removable" : "");
		return;
	}
	if (d->readonly) {
		snprintf(d->why, sizeof(d->why), "read-only: it cannot "
		    "change, so it needs no snapshot");
		return;
	}
	for (size_t i = 0; xk_snap_backends[i] != NULL; i++) {
		if (xk_snap_backends[i]->probe(env, d, &e) == 0) {
			d->be = xk_snap_backends[i];
			return;
		}
		/*
		 * The most specific reason: the first from a backend for
		 * this format and kind of file ("format ..." says it is
		 * not); else the last backend's.
		 */
		if (first.msg[0] == '\0' || strncmp(first.msg, "format ",
		    7) == 0)
			first = e;
	}
	snprintf(d->why, sizeof(d->why), "%s; what works: qcow2 files "
	    "(live or stopped; convert with qemu-img convert -O qcow2), raw "
	    "files on btrfs or XFS (reflink copies) and LVM logical volumes",
	    first.msg);
}

void
xk_snap_pick_paused(const struct xk_snap_env *env, struct xk_snap_disk *d,
    bool bk)
{
	char why[sizeof(d->why)];

	if (!bk && !d->empty) {
		d->be = NULL;
		snprintf(d->why, sizeof(d->why), "%s is not served by "
		    "blkback, and the domain has no device model to reach it "
		    "through", d->path);
		return;
	}
	xk_snap_pick_backend(env, d);
	if (d->be != NULL && !(d->be->caps & XK_SNAP_CAP_PAUSE)) {
		snprintf(d->why, sizeof(d->why), "%s (%s) is served by "
		    "blkback: only LVM volumes and raw files on btrfs or XFS "
		    "can be snapshotted while the domain is paused", d->path,
		    d->format);
		d->be = NULL;
		return;
	}
	if (d->be == NULL && !d->empty && !d->readonly) {
		/* the general advice names qcow2, which needs QEMU */
		char *cut = strstr(d->why, "; what works: ");

		if (cut != NULL)
			*cut = '\0';
		snprintf(why, sizeof(why), "%.1200s; what works under "
		    "blkback: LVM logical volumes (phy:) and raw files on "
		    "btrfs or XFS (reflink copies)", d->why);
		memcpy(d->why, why, sizeof(d->why));
	}
}
