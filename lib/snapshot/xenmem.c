/*
 * xenmem.c - a Xen domain's memory, through libxl: saved as xl save -c
 * does (libxl_domain_suspend, then libxl_domain_resume with
 * suspend_cancel), destroyed, and restored (libxl_domain_create_restore)
 * from the saved image with the configuration libxl gave at save time.
 * Every libxl call is its synchronous form (ao_how NULL).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>

#include "snapshot/backend.h"
#include "snapshot/snapshot.h"
#include "util/file.h"
#include "util/tempfile.h"
#include "util/xl.h"

char *
xk_snap_xen_config(uint32_t domid, struct xk_error *err)
{
	libxl_domain_config cfg;
	struct xk_xl x;
	char *json = NULL;

	if (xk_xl_open(&x, XTL_ERROR, err) < 0)
		return NULL;
	libxl_domain_config_init(&cfg);
	if (libxl_retrieve_domain_configuration(x.ctx, domid, &cfg,
	    NULL) != 0)
		xk_error_set(err, "domid %u: libxl cannot give its "
		    "configuration (libxl_retrieve_domain_configuration "
		    "failed)", domid);
	else if ((json = libxl_domain_config_to_json(x.ctx, &cfg)) == NULL)
		xk_error_set(err, "domid %u: libxl cannot write its "
		    "configuration as JSON", domid);
	libxl_domain_config_dispose(&cfg);
	xk_xl_close(&x);
	return json;
}

int
xk_snap_xen_save(uint32_t domid, const char *path, struct xk_error *err)
{
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	char tmp[4200];
	struct xk_xl x;
	int rc;

	/* a journaled name: a leftover of an interrupted save is ours,
	 * and opening it truncates it */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (xk_tempfile_open_named(&t, path, tmp, err) < 0)
		return -1;
	if (xk_xl_open(&x, XTL_ERROR, err) < 0) {
		xk_tempfile_abort(&t, NULL);
		return -1;
	}
	rc = libxl_domain_suspend(x.ctx, domid, t.fd, 0, NULL);
	xk_xl_close(&x);
	if (rc != 0) {
		xk_error_set(err, "domid %u: libxl_domain_suspend to %s failed "
		    "(libxl error %d; its messages are above)", domid, tmp, rc);
		xk_tempfile_abort(&t, NULL);
		return -1;
	}
	return xk_tempfile_commit(&t, err);
}

/* 1: domid is a domain suspended (by a save); 0: not; -1: error. */
int
xk_snap_xen_suspended(uint32_t domid, struct xk_error *err)
{
	libxl_dominfo info;
	struct xk_xl x;
	int r;

	if (xk_xl_open(&x, XTL_ERROR, err) < 0)
		return -1;
	libxl_dominfo_init(&info);
	if (libxl_domain_info(x.ctx, &info, domid) != 0)
		r = 0;
	else
		r = info.shutdown && info.shutdown_reason ==
		    LIBXL_SHUTDOWN_REASON_SUSPEND;
	libxl_dominfo_dispose(&info);
	xk_xl_close(&x);
	return r;
}

int
xk_snap_xen_resume(uint32_t domid, struct xk_error *err)
{
	struct xk_xl x;
	int rc;

	if (xk_xl_open(&x, XTL_ERROR, err) < 0)
		return -1;
	/* suspend_cancel: the guest goes on as if the suspend had failed */
	rc = libxl_domain_resume(x.ctx, domid, 1, NULL);
	xk_xl_close(&x);
	if (rc != 0) {
		xk_error_set(err, "domid %u: libxl_domain_resume failed (libxl "
		    "error %d): the domain stays suspended; xl destroy it, or "
		    "revert to the snapshot", domid, rc);
		return -1;
	}
	return 0;
}

int
xk_snap_xen_destroy(uint32_t domid, struct xk_error *err)
{
	struct xk_xl x;
	int rc;

	if (xk_xl_open(&x, XTL_ERROR, err) < 0)
		return -1;
	rc = libxl_domain_destroy(x.ctx, domid, NULL);
	xk_xl_close(&x);
	if (rc != 0) {
		xk_error_set(err, "domid %u: libxl_domain_destroy failed (libxl "
		    "error %d)", domid, rc);
		return -1;
	}
	return 0;
}

/*
 * Is key (the catalog's name of a disk: QEMU's xen-block "vdev"
 * property, "xvda0" for the whole of xvda) libxl's disk vdev ("xvda")?
 */
static bool
same_vdev(const char *vdev, const char *key)
{
	size_t n = strlen(vdev);

	return n > 0 && strncmp(key, vdev, n) == 0 && (key[n] == '\0' ||
	    strcmp(key + n, "0") == 0);
}

/* Point the configuration's disks at targets ({vdev: path}). */
static int
retarget(libxl_domain_config *cfg, json_t *targets, struct xk_error *err)
{
	const char *key;
	json_t *v;

	for (int i = 0; i < cfg->num_disks; i++) {
		libxl_device_disk *d = &cfg->disks[i];
		const char *p = NULL;
		char *np;

		json_object_foreach(targets, key, v)
			if (d->vdev != NULL && same_vdev(d->vdev, key))
				p = json_string_value(v);

		if (p == NULL)
			continue;
		if ((np = strdup(p)) == NULL) {
			xk_error_errno(err, ENOMEM, "disk %s", d->vdev);
			return -1;
		}
		free(d->pdev_path);
		d->pdev_path = np;
	}
	/* one left as libxl knew it would write into a frozen image */
	json_object_foreach(targets, key, v) {
		bool found = false;

		for (int i = 0; i < cfg->num_disks; i++)
			found = found || (cfg->disks[i].vdev != NULL &&
			    same_vdev(cfg->disks[i].vdev, key));
		if (!found) {
			xk_error_set(err, "disk %s (%s) is not in the domain's "
			    "libxl configuration", key, json_string_value(v));
			return -1;
		}
	}
	return 0;
}

int
xk_snap_xen_start(const char *config, json_t *targets, const char *path,
    uint32_t *domid, struct xk_error *err)
{
	libxl_domain_restore_params params;
	libxl_domain_config cfg;
	struct xk_xl x;
	int fd = -1, r, rc = -1;

	*domid = (uint32_t)INVALID_DOMID;
	if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		xk_error_errno(err, errno, "open the memory image %s", path);
		return -1;
	}
	if (xk_xl_open(&x, XTL_ERROR, err) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	libxl_domain_config_init(&cfg);
	libxl_domain_restore_params_init(&params);
	if (libxl_domain_config_from_json(x.ctx, &cfg, config) != 0) {
		xk_error_set(err, "the snapshot's libxl configuration is not "
		    "valid libxl JSON");
		goto out;
	}
	if (retarget(&cfg, targets, err) < 0)
		goto out;
	/* libxl_domain_suspend writes the migration v2 stream */
	params.stream_version = 2;
	params.checkpointed_stream = LIBXL_CHECKPOINTED_STREAM_NONE;
	/*
	 * libxl's post-startup QMP exchange with the new device model can
	 * time out on a loaded host (ERROR_TIMEDOUT); libxl has then
	 * destroyed the half-made domain itself: read the image again.
	 */
	for (int try = 1;; try++) {
		r = path == NULL ? libxl_domain_create_new(x.ctx, &cfg, domid,
		    NULL, NULL) : libxl_domain_create_restore(x.ctx, &cfg,
		    domid, fd, -1, &params, NULL, NULL);
		if (r != ERROR_TIMEDOUT || try == 2 || (path != NULL &&
		    lseek(fd, 0, SEEK_SET) != 0))
			break;
	}
	if (r != 0) {
		xk_error_set(err, "domain %s: %s failed (libxl error %d; its "
		    "messages are above)", cfg.c_info.name ? cfg.c_info.name :
		    "?", path != NULL ? "libxl_domain_create_restore" :
		    "libxl_domain_create_new", r);
		goto out;
	}
	/* new and restored domains start paused (as xl create -p) */
	if (libxl_domain_unpause(x.ctx, *domid, NULL) != 0) {
		xk_error_set(err, "domid %u: created, but libxl cannot unpause "
		    "it (xl unpause %u)", *domid, *domid);
		goto out;
	}
	rc = 0;
out:
	libxl_domain_restore_params_dispose(&params);
	libxl_domain_config_dispose(&cfg);
	xk_xl_close(&x);
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * The pause of a snapshot of a domain whose disks are all served by
 * blkback.  Xen counts the pauses of the toolstack (a domain paused by
 * xl pause and by us needs both unpauses), so ours never undoes one of
 * the user's.
 */
int
xk_snap_xen_pause(uint32_t domid, struct xk_error *err)
{
	struct xk_xl x;
	int rc;

	if (xk_xl_open(&x, XTL_ERROR, err) < 0)
		return -1;
	rc = libxl_domain_pause(x.ctx, domid, NULL);
	xk_xl_close(&x);
	if (rc != 0) {
		xk_error_set(err, "domid %u: libxl_domain_pause failed (libxl "
		    "error %d)", domid, rc);
		return -1;
	}
	return 0;
}

int
xk_snap_xen_unpause(uint32_t domid, struct xk_error *err)
{
	struct xk_xl x;
	int rc;

	if (xk_xl_open(&x, XTL_ERROR, err) < 0)
		return -1;
	rc = libxl_domain_unpause(x.ctx, domid, NULL);
	xk_xl_close(&x);
	if (rc != 0) {
		xk_error_set(err, "domid %u: libxl_domain_unpause failed "
		    "(libxl error %d): the domain stays paused; xl unpause %u",
		    domid, rc, domid);
		return -1;
	}
	return 0;
}

/* 1: domid is the domain uuid, paused; 0: not paused, or gone; -1. */
int
xk_snap_xen_paused(uint32_t domid, const char *uuid, struct xk_error *err)
{
	libxl_dominfo info;
	struct xk_xl x;
	char u[40];
	int r = 0;

	if (xk_xl_open(&x, XTL_ERROR, err) < 0)
		return -1;
	libxl_dominfo_init(&info);
	if (libxl_domain_info(x.ctx, &info, domid) == 0) {
		snprintf(u, sizeof(u), LIBXL_UUID_FMT,
		    LIBXL_UUID_BYTES(info.uuid));
		r = info.paused && strcmp(u, uuid) == 0;
	}
	libxl_dominfo_dispose(&info);
	xk_xl_close(&x);
	return r;
}

static char *
disk_format(libxl_disk_format f)
{
	const char *s = libxl_disk_format_to_string(f);

	return strdup(f == LIBXL_DISK_FORMAT_RAW ? "raw" :
	    f == LIBXL_DISK_FORMAT_QCOW2 ? "qcow2" : s ? s : "unknown");
}

/*
 * A running domain's disks as libxl lists them (xl block-list): vdev as
 * in its configuration ("xvda"), the path given to the backend (for a
 * raw file under blkback, the file: the hotplug script put a loop
 * device between them).  bk: for each disk, served by blkback (phy)?
 */
int
xk_snap_xen_disks(uint32_t domid, struct xk_snap_disk **disks, size_t *n,
    bool **bk, struct xk_error *err)
{
	libxl_device_disk *list;
	struct xk_xl x;
	int num = 0;

	*disks = NULL;
	*bk = NULL;
	*n = 0;
	if (xk_xl_open(&x, XTL_ERROR, err) < 0)
		return -1;
	list = libxl_device_disk_list(x.ctx, domid, &num);
	*disks = calloc((size_t)num + 1, sizeof(**disks));
	*bk = calloc((size_t)num + 1, sizeof(**bk));
	if (*disks == NULL || *bk == NULL) {
		libxl_device_disk_list_free(list, num);
		xk_xl_close(&x);
		xk_error_errno(err, ENOMEM, "disks");
		return -1;
	}
	for (int i = 0; i < num; i++) {
		libxl_device_disk *ld = &list[i];
		struct xk_snap_disk *d = &(*disks)[(*n)++];

		d->vdev = strdup(ld->vdev ? ld->vdev : "");
		d->path = strdup(ld->pdev_path ? ld->pdev_path : "");
		/* blkback has no formats, and libxl lists none for it */
		d->format = ld->backend == LIBXL_DISK_BACKEND_PHY ?
		    strdup("raw") : disk_format(ld->format);
		d->readonly = !ld->readwrite;
		d->removable = ld->is_cdrom || ld->removable;
		d->empty = ld->pdev_path == NULL || ld->pdev_path[0] == '\0' ||
		    ld->format == LIBXL_DISK_FORMAT_EMPTY;
		(*bk)[i] = ld->backend == LIBXL_DISK_BACKEND_PHY;
	}
	libxl_device_disk_list_free(list, num);
	xk_xl_close(&x);
	return 0;
}
