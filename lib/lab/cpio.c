/*
 * cpio.c - newc cpio writer with gzip (zlib) compression.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lab/cpio.h"

struct xk_cpio {
	gzFile gz;
	char path[PATH_MAX];
	unsigned ino;
	int failed;
};

struct xk_cpio *
xk_cpio_open(const char *path, struct xk_error *err)
{
	struct xk_cpio *a;

	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		xk_error_errno(err, errno, "calloc");
		return NULL;
	}
	snprintf(a->path, sizeof(a->path), "%s", path);
	/* Level 1: the overlay is small and rebuilt at every boot. */
	a->gz = gzopen(path, "wb1");
	if (a->gz == NULL) {
		xk_error_errno(err, errno, "%s", path);
		free(a);
		return NULL;
	}
	a->ino = 1;
	return a;
}

static int
put(struct xk_cpio *a, const void *p, size_t len, struct xk_error *err)
{
	if (len > 0 && gzwrite(a->gz, p, (unsigned)len) != (int)len) {
		a->failed = 1;
		xk_error_set(err, "%s: write failed", a->path);
		return -1;
	}
	return 0;
}

/* Pad with NULs so that total bytes written so far are 4-aligned. */
static int
pad(struct xk_cpio *a, size_t len, struct xk_error *err)
{
	static const char zero[4];

	return put(a, zero, (4 - len % 4) % 4, err);
}

/* A newc header and its name, padded; the data follows. */
static int
header(struct xk_cpio *a, const char *name, mode_t mode, size_t size,
    struct xk_error *err)
{
	char hdr[128];
	size_t nlen;

	/* Names are relative to the archive root: no leading slash. */
	while (*name == '/')
		name++;
	nlen = strlen(name) + 1;
	if (size > 0xffffffffu || nlen > PATH_MAX) {
		a->failed = 1;
		xk_error_set(err, "%s: too large for a cpio entry", name);
		return -1;
	}
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X"
	    "%08X%08X%08X%08X%08X%08X", a->ino++, (unsigned)mode, 0u, 0u,
	    1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u, (unsigned)nlen, 0u);
	if (put(a, hdr, 110, err) == -1 || put(a, name, nlen, err) == -1)
		return -1;
	return pad(a, 110 + nlen, err);
}

int
xk_cpio_dir(struct xk_cpio *a, const char *name, mode_t mode,
    struct xk_error *err)
{
	return header(a, name, S_IFDIR | (mode & 07777), 0, err);
}

int
xk_cpio_symlink(struct xk_cpio *a, const char *name, const char *target,
    struct xk_error *err)
{
	size_t len = strlen(target);

	if (header(a, name, S_IFLNK | 0777, len, err) == -1 ||
	    put(a, target, len, err) == -1)
		return -1;
	return pad(a, len, err);
}

int
xk_cpio_file(struct xk_cpio *a, const char *name, const char *src,
    mode_t mode, struct xk_error *err)
{
	struct stat st;
	char buf[65536];
	size_t left;
	ssize_t n;
	int fd;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		xk_error_errno(err, errno, "%s", src);
		if (fd != -1)
			close(fd);
		return -1;
	}
	left = (size_t)st.st_size;
	if (header(a, name, S_IFREG | (mode & 07777), left, err) == -1)
		goto fail;
	while (left > 0) {
		n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The size is in the header already: a short file
			 * would shift every later entry. */
			xk_error_errno(err, n < 0 ? errno : EIO,
			    "%s: read", src);
			goto fail;
		}
		if (put(a, buf, (size_t)n, err) == -1)
			goto fail;
		left -= (size_t)n;
	}
	close(fd);
	return pad(a, (size_t)st.st_size, err);
fail:
	a->failed = 1;
	close(fd);
	return -1;
}

/* Add "dest"'s parent directories, outermost first. */
static int
parents(struct xk_cpio *a, const char *dest, struct xk_error *err)
{
	char path[PATH_MAX];
	char *p;

	snprintf(path, sizeof(path), "%s", dest);
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (xk_cpio_dir(a, path, 0755, err) == -1)
			return -1;
		*p = '/';
	}
	return 0;
}

static int
tree(struct xk_cpio *a, const char *dest, const char *src,
    struct xk_error *err)
{
	char s[PATH_MAX], d[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *dir;
	int r = 0;

	if (lstat(src, &st) == -1) {
		xk_error_errno(err, errno, "%s", src);
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return xk_cpio_file(a, dest, src, st.st_mode, err);
	if (S_ISLNK(st.st_mode)) {
		n = readlink(src, link, sizeof(link) - 1);
		if (n < 0) {
			xk_error_errno(err, errno, "%s", src);
			return -1;
		}
		link[n] = '\0';
		return xk_cpio_symlink(a, dest, link, err);
	}
	if (!S_ISDIR(st.st_mode))
		return 0;	/* sockets, fifos: nothing to carry */
	if (xk_cpio_dir(a, dest, st.st_mode, err) == -1)
		return -1;
	dir = opendir(src);
	if (dir == NULL) {
		xk_error_errno(err, errno, "%s", src);
		return -1;
	}
	while (r == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(s, sizeof(s), "%s/%s", src, de->d_name)
		    >= sizeof(s) || (size_t)snprintf(d, sizeof(d), "%s/%s",
		    dest, de->d_name) >= sizeof(d)) {
			xk_error_set(err, "%s/%s: path too long", src,
			    de->d_name);
			r = -1;
			break;
		}
		r = tree(a, d, s, err);
	}
	closedir(dir);
	return r;
}

int
xk_cpio_tree(struct xk_cpio *a, const char *dest, const char *src,
    struct xk_error *err)
{
	if (parents(a, dest, err) == -1)
		return -1;
	return tree(a, dest, src, err);
}

int
xk_cpio_close(struct xk_cpio *a, struct xk_error *err)
{
	int r = a->failed ? -1 : 0;

	if (r == 0 && header(a, "TRAILER!!!", 0, 0, err) == -1)
		r = -1;
	if (gzclose(a->gz) != Z_OK && r == 0) {
		xk_error_set(err, "%s: write failed", a->path);
		r = -1;
	}
	free(a);
	return r;
}
