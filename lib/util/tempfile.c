/*
 * tempfile.c - temporary outputs renamed into place (see tempfile.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/file.h"
#include "util/interrupt.h"
#include "util/tempfile.h"

/* ".BASE" TAG "HOST.PID.RANDOM": the tag ends the destination's name */
#define TAG ".xk-"

/* This host's name as it goes into a temporary's name. */
static void
host_name(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) < 0 || u.nodename[0] == '\0')
		snprintf(buf, len, "localhost");
	else
		snprintf(buf, len, "%s", u.nodename);
	/* a name part must not hold a path separator */
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '/')
			*p = '_';
}

static char *
tmp_name(const char *dest, const char *host, struct xk_error *err)
{
	char *d = strdup(dest), *b = strdup(dest), *tmp = NULL;
	uint64_t r;

	if (d == NULL || b == NULL)
		goto nomem;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)d;
	if (asprintf(&tmp, "%s/.%s" TAG "%s.%ld.%016llx", dirname(d),
	    basename(b), host, (long)getpid(), (unsigned long long)r) < 0) {
		tmp = NULL;
		goto nomem;
	}
	free(d);
	free(b);
	return tmp;
nomem:
	free(d);
	free(b);
	xk_error_errno(err, ENOMEM, "%s", dest);
	return NULL;
}

static int
set_dest(struct xk_tempfile *t, const char *dest, struct xk_error *err)
{
	t->tmp = NULL;
	t->fd = -1;
	t->dest = strdup(dest);
	if (t->dest == NULL) {
		xk_error_errno(err, ENOMEM, "%s", dest);
		return -1;
	}
	return 0;
}

/* "DEST: cannot create a temporary file in DIR: why" */
static void
create_failed(const char *dest, int errnum, struct xk_error *err)
{
	char *d = strdup(dest);

	xk_error_errno(err, errnum, "%s: cannot create a temporary file in "
	    "%s", dest, d != NULL ? dirname(d) : "its directory");
	free(d);
}

int
xk_tempfile_open(struct xk_tempfile *t, const char *dest,
    struct xk_error *err)
{
	char host[256];
	int e = EEXIST;

	if (set_dest(t, dest, err) < 0)
		return -1;
	host_name(host, sizeof(host));
	/* a random part that is taken already: try another */
	for (int tries = 0; tries < 16 && e == EEXIST; tries++) {
		free(t->tmp);
		t->tmp = tmp_name(dest, host, err);
		if (t->tmp == NULL)
			goto fail;
		t->fd = open(t->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		    0666);
		if (t->fd >= 0)
			return 0;
		e = errno;
	}
	create_failed(dest, e, err);
fail:
	free(t->tmp);
	free(t->dest);
	t->tmp = t->dest = NULL;
	return -1;
}

int
xk_tempfile_open_named(struct xk_tempfile *t, const char *dest,
    const char *tmp, struct xk_error *err)
{
	if (set_dest(t, dest, err) < 0)
		return -1;
	t->tmp = strdup(tmp);
	if (t->tmp == NULL) {
		xk_error_errno(err, ENOMEM, "%s", tmp);
		goto fail;
	}
	t->fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (t->fd >= 0)
		return 0;
	xk_error_errno(err, errno, "create %s", tmp);
fail:
	free(t->tmp);
	free(t->dest);
	t->tmp = t->dest = NULL;
	return -1;
}

int
xk_rename_durable(const char *from, const char *to, struct xk_error *err)
{
	if (rename(from, to) < 0) {
		xk_error_errno(err, errno, "%s: cannot rename %s into place",
		    to, from);
		return -1;
	}
	return xk_sync_parent_dir(to, err);
}

/* fsync and close t->fd, if open. */
static int
flush_fd(struct xk_tempfile *t, struct xk_error *err)
{
	int fd = t->fd;

	if (fd < 0)
		return 0;
	t->fd = -1;
	if (fsync(fd) < 0) {
		xk_error_errno(err, errno, "%s: fsync", t->tmp);
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		xk_error_errno(err, errno, "%s: close", t->tmp);
		return -1;
	}
	return 0;
}

int
xk_tempfile_commit(struct xk_tempfile *t, struct xk_error *err)
{
	/* the last moment to give up is before the rename */
	if (flush_fd(t, err) < 0 || xk_interrupt_check(err) < 0)
		goto fail;
	if (rename(t->tmp, t->dest) < 0) {
		xk_error_errno(err, errno, "%s: cannot rename %s into place",
		    t->dest, t->tmp);
		goto fail;
	}
	free(t->tmp);
	t->tmp = NULL;
	/* in place: a failure from here on keeps the output */
	if (xk_sync_parent_dir(t->dest, err) < 0) {
		xk_tempfile_abort(t, NULL);
		return -1;
	}
	xk_tempfile_abort(t, NULL);
	return 0;
fail:
	xk_tempfile_abort(t, err);
	return -1;
}

int
xk_tempfile_write(const char *dest, const void *data, size_t len,
    struct xk_error *err)
{
	struct xk_tempfile t = XK_TEMPFILE_INIT;

	if (xk_tempfile_open(&t, dest, err) < 0)
		return -1;
	if (xk_write_all(t.fd, data, len, dest, err) < 0) {
		xk_tempfile_abort(&t, err);
		return -1;
	}
	return xk_tempfile_commit(&t, err);
}

void
xk_tempfile_abort(struct xk_tempfile *t, struct xk_error *err)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->tmp != NULL) {
		unlink(t->tmp);
		if (err != NULL)
			xk_interrupt_removed(err, t->tmp);
	}
	free(t->tmp);
	free(t->dest);
	t->tmp = t->dest = NULL;
}

int
xk_tempfile_owner(const char *name, char *host, size_t hostlen, long *pid)
{
	const char *tag = NULL, *p, *rnd, *pd;
	char *end;
	size_t n;

	/* the last tag: a destination's own name may hold one */
	for (p = name; (p = strstr(p, TAG)) != NULL; p++)
		tag = p;
	if (name[0] != '.' || tag == NULL || tag == name)
		return 0;
	rnd = strrchr(tag, '.');
	if (rnd == NULL || strlen(rnd + 1) != 16)
		return 0;
	for (p = rnd + 1; *p != '\0'; p++)
		if (!isxdigit((unsigned char)*p))
			return 0;
	for (pd = rnd - 1; pd > tag && isdigit((unsigned char)*pd); pd--)
		;
	if (pd == rnd - 1 || *pd != '.' || pd <= tag + strlen(TAG))
		return 0;
	errno = 0;
	*pid = strtol(pd + 1, &end, 10);
	if (errno != 0 || end != rnd || *pid <= 0)
		return 0;
	n = (size_t)(pd - (tag + strlen(TAG)));
	if (n >= hostlen)
		return 0;
	memcpy(host, tag + strlen(TAG), n);
	host[n] = '\0';
	return 1;
}

static int
swept_add(struct xk_swept *s, const char *dir, const char *name,
    struct xk_error *err)
{
	char **v = realloc(s->paths, (s->n + 1) * sizeof(*v));

	if (v == NULL) {
		xk_error_errno(err, ENOMEM, "%s", dir);
		return -1;
	}
	s->paths = v;
	if (asprintf(&v[s->n], "%s/%s", dir, name) < 0) {
		xk_error_errno(err, ENOMEM, "%s", dir);
		return -1;
	}
	s->n++;
	return 0;
}

/* Is the writer pid of this host gone?  Not when it is us. */
static int
writer_gone(long pid)
{
	if ((pid_t)pid == getpid())
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int
xk_tempfile_sweep(const char *dir, struct xk_swept *swept,
    struct xk_error *err)
{
	char me[256], host[256];
	struct dirent *e;
	DIR *d;
	int rc = 0;
	long pid;

	host_name(me, sizeof(me));
	d = opendir(dir);
	if (d == NULL) {
		/* nothing there yet: nothing stale either */
		if (errno == ENOENT)
			return 0;
		xk_error_errno(err, errno, "%s: cannot look for stale "
		    "temporary files", dir);
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (!xk_tempfile_owner(e->d_name, host, sizeof(host), &pid) ||
		    strcmp(host, me) != 0 || !writer_gone(pid))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0) {
			if (errno == ENOENT)	/* another sweep was first */
				continue;
			xk_error_errno(err, errno, "%s/%s: cannot remove this "
			    "stale temporary file", dir, e->d_name);
			rc = -1;
		} else {
			rc = swept_add(swept, dir, e->d_name, err);
		}
	}
	closedir(d);
	return rc;
}

int
xk_tempfile_sweep_for(const char *path, struct xk_swept *swept,
    struct xk_error *err)
{
	char *copy = strdup(path);
	int rc;

	if (copy == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		return -1;
	}
	rc = xk_tempfile_sweep(dirname(copy), swept, err);
	free(copy);
	return rc;
}

void
xk_swept_free(struct xk_swept *swept)
{
	for (size_t i = 0; i < swept->n; i++)
		free(swept->paths[i]);
	free(swept->paths);
	swept->paths = NULL;
	swept->n = 0;
}
