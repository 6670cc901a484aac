/*
 * share.c - Xen's sharing rules for block devices: a disk used
 * read-write is never handed to a second domain, nor one that dom0 has
 * mounted read-write.  Xen's `block` script forks xenstore-read for
 * every vbd of the host (and stat for every mount) under a host-wide
 * lock; here the vbd tree is read in one process, without a lock of
 * its own: the caller holds the lock of this one disk (xk-hotplug(7)).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <xenstore.h>

#include "hotplug/hotplug.h"

int
xk_hp_ident_path(const char *path, struct xk_hp_ident *id,
    struct xk_error *err)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		xk_hp_ident_devnum(major(st.st_rdev), minor(st.st_rdev), id);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		xk_error_set(err, "%s: neither a file nor a block device",
		    path);
		return -1;
	}
	id->file = 1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

void
xk_hp_ident_name(const struct xk_hp_ident *id, char *buf, size_t len)
{
	if (id->file)
		snprintf(buf, len, "file-%jx-%jx", (uintmax_t)id->dev,
		    (uintmax_t)id->ino);
	else
		snprintf(buf, len, "dev-%x-%x", major(id->dev),
		    minor(id->dev));
}

/* A loop device is the file behind it, when that file is still there. */
void
xk_hp_ident_devnum(unsigned int maj, unsigned int min, struct xk_hp_ident *id)
{
	char path[64], file[PATH_MAX];
	struct stat st;
	FILE *f;

	id->file = 0;
	id->dev = makedev(maj, min);
	id->ino = 0;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/loop/backing_file",
	    maj, min);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(file, sizeof(file), f) != NULL) {
		file[strcspn(file, "\n")] = '\0';
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
			id->file = 1;
			id->dev = st.st_dev;
			id->ino = st.st_ino;
		}
	}
	fclose(f);
}

static bool
same_ident(const struct xk_hp_ident *a, const struct xk_hp_ident *b)
{
	return a->file == b->file && a->dev == b->dev && a->ino == b->ino;
}

/* dom0's mounts: any of the disk conflicts with 'w', a read-write one
 * with 'r'.  1 with why set on a conflict. */
static int
check_mounts(const struct xk_hp_ident *id, char mode, char *why,
    size_t whylen)
{
	char line[4096], src[PATH_MAX], dir[PATH_MAX], opts[1024];
	struct xk_hp_ident m;
	struct stat st;
	int r = 0;
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return 0;	/* no /proc: nothing known to be mounted */
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%4095s %4095s %*s %1023s", src, dir,
		    opts) != 3 || src[0] != '/')
			continue;
		if (mode == 'r' && (strcmp(opts, "ro") == 0 ||
		    strncmp(opts, "ro,", 3) == 0))
			continue;
		if (stat(src, &st) == -1 || !S_ISBLK(st.st_mode))
			continue;
		xk_hp_ident_devnum(major(st.st_rdev), minor(st.st_rdev), &m);
		if (same_ident(id, &m)) {
			snprintf(why, whylen, "mounted %s in dom0 at %s (%s)",
			    strncmp(opts, "ro", 2) == 0 &&
			    (opts[2] == ',' || opts[2] == '\0') ?
			    "read-only" : "read-write", dir, src);
			r = 1;
		}
	}
	fclose(f);
	return r;
}

/* dir/name, or NULL (absent, or a path too long to be a node) */
static char *
rd(struct xs_handle *xs, const char *dir, const char *name)
{
	char path[PATH_MAX];
	unsigned int len;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	return xs_read(xs, XBT_NULL, path, &len);
}

/* /local/domain/DOM/name */
static char *
rd_dom(struct xs_handle *xs, const char *dom, const char *name)
{
	char dir[64];

	if (strlen(dom) > 20)
		return NULL;
	snprintf(dir, sizeof(dir), "/local/domain/%s", dom);
	return rd(xs, dir, name);
}

/* Xen's same_vm: the frontend itself, a domain of the same VM (a
 * migration to localhost) or its device model stub domain. */
static bool
same_vm(struct xs_handle *xs, const char *fid, const char *fvm,
    const char *ftarget, const char *dom)
{
	char *vm, *target;
	bool same;

	if (strcmp(dom, fid) == 0)
		return true;
	if (ftarget != NULL && strcmp(ftarget, dom) == 0)
		return true;
	vm = rd_dom(xs, dom, "vm");
	target = rd_dom(xs, dom, "target");
	same = (vm != NULL && fvm != NULL && strcmp(vm, fvm) == 0) ||
	    (target != NULL && strcmp(target, fid) == 0);
	free(vm);
	free(target);
	return same;
}

struct me {
	const char *self, *fid, *fvm, *ftarget, *base;
	const struct xk_hp_ident *id;
	char mode;
};

/* One vbd backend/vbd/dom/dev: 1 when it holds the disk in a way that
 * conflicts with mode. */
static int
check_vbd(struct xs_handle *xs, const struct me *me, const char *dom,
    const char *dev, char *why, size_t whylen)
{
	char path[PATH_MAX], *phys, *m;
	unsigned int maj, min;
	struct xk_hp_ident other;
	bool theirs_w;
	int r = 0;

	if (snprintf(path, sizeof(path), "%s/%s/%s", me->base, dom, dev) >=
	    (int)sizeof(path) || strcmp(path, me->self) == 0)
		return 0;
	phys = rd(xs, path, "physical-device");
	if (phys == NULL || sscanf(phys, "%x:%x", &maj, &min) != 2) {
		free(phys);
		return 0;
	}
	free(phys);
	xk_hp_ident_devnum(maj, min, &other);
	if (!same_ident(me->id, &other))
		return 0;
	m = rd(xs, path, "mode");
	theirs_w = m != NULL && strchr(m, 'w') != NULL;
	free(m);
	if ((me->mode == 'w' || theirs_w) &&
	    !same_vm(xs, me->fid, me->fvm, me->ftarget, dom)) {
		snprintf(why, whylen, "in use %s by domain %s (%s)",
		    theirs_w ? "read-write" : "read-only", dom, path);
		r = 1;
	}
	return r;
}

static int
check_vbds(struct xs_handle *xs, const struct me *me, char *why,
    size_t whylen, struct xk_error *err)
{
	char path[PATH_MAX];
	unsigned int nd, nv, i, j;
	char **doms, **devs;
	int r = 0;

	doms = xs_directory(xs, XBT_NULL, me->base, &nd);
	if (doms == NULL) {
		if (errno == ENOENT)
			return 0;
		xk_error_errno(err, errno, "xenstore: list %s", me->base);
		return -1;
	}
	for (i = 0; r == 0 && i < nd; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", me->base,
		    doms[i]) >= (int)sizeof(path))
			continue;
		devs = xs_directory(xs, XBT_NULL, path, &nv);
		if (devs == NULL)
			continue;	/* gone meanwhile */
		for (j = 0; r == 0 && j < nv; j++)
			r = check_vbd(xs, me, doms[i], devs[j], why, whylen);
		free(devs);
	}
	free(doms);
	return r;
}

int
xk_hp_check_sharing(struct xs_handle *xs, const char *self,
    const char *target, char mode, char *why, size_t whylen,
    struct xk_error *err)
{
	struct xk_hp_ident id;
	char *fid, *fvm = NULL, *ftarget = NULL;
	struct me me;
	int r;

	if (xk_hp_ident_path(target, &id, err) == -1)
		return -1;
	r = check_mounts(&id, mode, why, whylen);
	if (r != 0)
		return r;
	fid = rd(xs, self, "frontend-id");
	if (fid == NULL) {
		xk_error_errno(err, errno, "xenstore: read %s/frontend-id",
		    self);
		return -1;
	}
	fvm = rd_dom(xs, fid, "vm");
	ftarget = rd_dom(xs, fid, "target");
	me = (struct me){ self, fid, fvm, ftarget, "backend/vbd", &id, mode };
	r = check_vbds(xs, &me, why, whylen, err);
	free(fid);
	free(fvm);
	free(ftarget);
	return r;
}
