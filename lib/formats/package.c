/*
 * package.c - the one reading path of `xk import` and `xk inspect`:
 * what a file holds, found by content, and the checks of an OVA's or
 * OVF's disks, done the same whether they are copied or not.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/package.h"
#include "util/file.h"

const char *
xk_pkg_format_name(enum xk_pkg_format f)
{
	static const char *const names[] = { "xva", "ova", "ovf", "vhd" };

	return (unsigned)f < 4 ? names[f] : "?";
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Content that says nothing: the file name is the last hint. */
static int
by_name(const char *path, enum xk_pkg_format *f, struct xk_error *err)
{
	if (ends_with(path, ".xva") || ends_with(path, ".xva.gz") ||
	    ends_with(path, ".xva.zst"))
		*f = XK_PKG_XVA;
	else if (ends_with(path, ".ova"))
		*f = XK_PKG_OVA;
	else if (ends_with(path, ".ovf"))
		*f = XK_PKG_OVF;
	else if (ends_with(path, ".vhd"))
		*f = XK_PKG_VHD;
	else
		return xk_error_set(err, "%s: not an XVA, OVA, OVF or VHD "
		    "(by its content)", path), -1;
	return 0;
}

int
xk_pkg_probe(const char *path, enum xk_pkg_format *f, struct xk_error *err)
{
	static const unsigned char zstd[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	unsigned char head[512];
	enum xk_img_format img;
	size_t i = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xk_error_errno(err, errno, "%s", path), -1;
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n < 0)
		return xk_error_errno(err, errno, "%s", path), -1;
	if (xk_img_probe(path, &img, err) < 0)
		return -1;
	if (img == XK_IMG_VHD)
		return *f = XK_PKG_VHD, 0;
	if (n == 512 && memcmp(head, "ova.xml", 8) == 0)
		return *f = XK_PKG_XVA, 0;
	if (n == 512 && memcmp(head + 257, "ustar", 5) == 0)
		return *f = XK_PKG_OVA, 0;
	if (n >= 4 && (memcmp(head, zstd, 4) == 0 ||
	    (head[0] == 0x1f && head[1] == 0x8b)))
		return *f = XK_PKG_XVA, 0;
	if (n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;	/* a UTF-8 byte order mark */
	while (i < (size_t)n && (head[i] == ' ' || head[i] == '\t' ||
	    head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i < (size_t)n && head[i] == '<')
		return *f = XK_PKG_OVF, 0;
	return by_name(path, f, err);
}

/*
 * A disk's message names the file the package holds (package: member),
 * not the temporary copy an OVA's member was unpacked to: inspect and
 * import unpack to different places and must say the same.
 */
static void
name_member(struct xk_error *err, const char *in, const char *href,
    const char *path)
{
	size_t n = strlen(path);

	if (strncmp(err->msg, path, n) == 0 && err->msg[n] == ':' &&
	    err->msg[n + 1] == ' ')
		memmove(err->msg, err->msg + n + 2, strlen(err->msg + n + 2) + 1);
	xk_error_prefix(err, "%s: %s", in, href);
}

static int
ovf_disk(const struct xk_ovf_file *f, const char *path, uint64_t size,
    struct xk_disk_sink *sink, struct xk_progress *progress,
    struct xk_error *err)
{
	struct xk_disk_src *src;
	int rc;

	if (f->format == XK_IMG_VMDK)
		return xk_vmdk_stream_copy(path, size, sink, progress, 0, err);
	src = xk_disk_src_open(path, f->format, err);
	if (src == NULL)
		return -1;
	if (xk_disk_src_size(src) != size) {
		xk_error_set(err, "the image holds %llu bytes, the descriptor "
		    "says %llu", (unsigned long long)xk_disk_src_size(src),
		    (unsigned long long)size);
		xk_disk_src_close(src);
		return -1;
	}
	rc = xk_disk_copy(src, sink, progress, NULL, err);
	xk_disk_src_close(src);
	return rc;
}

int
xk_pkg_ovf_disk(const char *in, const struct xk_ovf_file *f,
    const char *path, uint64_t size, struct xk_disk_sink *sink,
    struct xk_progress *progress, struct xk_error *err)
{
	if (ovf_disk(f, path, size, sink, progress, err) == 0)
		return 0;
	name_member(err, in, f->href, path);
	return -1;
}

/*
 * A descriptor with its files beside it: the manifest is verified
 * before anything else (1: there is none), then the callbacks run as
 * for an OVA.
 */
static int
read_ovf_files(const char *in, const struct xk_ova_cb *cb,
    struct xk_ovf **ovfp, struct xk_notes *notes, struct xk_error *err)
{
	const char *slash = strrchr(in, '/');
	int dirlen = slash != NULL ? (int)(slash - in + 1) : 0;
	struct xk_ovf *ovf;
	char *data = NULL, *path = NULL;
	size_t len;
	int rc = -1, man = 0;

	if (xk_read_file(in, XK_OVF_MAX_DOC, &data, &len, err) < 0)
		return -1;
	ovf = xk_ovf_parse(in, data, len, err);
	if (ovf == NULL ||
	    (man = xk_ovf_verify_files(ovf, in, data, len, notes, err)) < 0 ||
	    (cb->descriptor != NULL && cb->descriptor(cb->arg, ovf, err) < 0))
		goto out;
	for (size_t i = 0; i < ovf->nfiles; i++) {
		struct xk_ovf_file *f = &ovf->files[i];

		if (f->vdi_ref == NULL || cb->disk == NULL)
			continue;
		free(path);
		if (asprintf(&path, "%.*s%s", dirlen, in, f->href) < 0) {
			path = NULL;
			xk_error_errno(err, ENOMEM, "%s", in);
			goto out;
		}
		if (cb->disk(cb->arg, ovf, f, path, err) < 0)
			goto out;
	}
	rc = man;
out:
	if (rc >= 0)
		*ovfp = ovf;
	else
		xk_ovf_free(ovf);
	free(data);
	free(path);
	return rc;
}

int
xk_pkg_read_ovf(const char *in, enum xk_pkg_format f, const char *dir,
    const struct xk_ova_cb *cb, struct xk_ovf **ovf, struct xk_notes *notes,
    struct xk_error *err)
{
	int rc;

	*ovf = NULL;
	if (f == XK_PKG_OVA)
		rc = xk_ova_read(in, dir, cb, ovf, err);
	else
		rc = read_ovf_files(in, cb, ovf, notes, err);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < (*ovf)->nfiles; i++)
		if ((*ovf)->files[i].vdi_ref != NULL &&
		    (*ovf)->files[i].want == NULL)
			xk_notes_add(notes, "%s: no manifest digest: not "
			    "verified", (*ovf)->files[i].href);
	return rc;
}
