#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"
#include "util/strbuf.h"

static int
read_all(int fd, const char *path, size_t max, struct strbuf *sb,
    struct xk_error *err)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xk_error_errno(err, errno, "%s: read", path);
			return -1;
		}
		if (n == 0)
			return 0;
		if (sb->len + (size_t)n > max) {
			xk_error_set(err, "%s: larger than %zu bytes: "
			    "not a configuration file", path, max);
			return -1;
		}
		if (strbuf_add(sb, chunk, (size_t)n) < 0) {
			xk_error_errno(err, ENOMEM, "%s", path);
			return -1;
		}
	}
}

int
xk_read_file(const char *path, size_t max, char **data, size_t *len,
    struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		xk_error_errno(err, errno, "%s: open", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		xk_error_errno(err, errno, "%s: stat", path);
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		xk_error_set(err, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	rc = read_all(fd, path, max, &sb, err);
	close(fd);
	if (rc < 0) {
		strbuf_free(&sb);
		return -1;
	}
	*len = sb.len;
	*data = strbuf_detach(&sb);
	if (*data == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		return -1;
	}
	return 0;
}

bool
xk_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
xk_sync_parent_dir(const char *path, struct xk_error *err)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		return -1;
	}
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		xk_error_errno(err, errno, "%s: cannot sync its directory",
		    path);
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int
xk_write_all(int fd, const void *buf, size_t len, const char *what,
    struct xk_error *err)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			xk_error_errno(err, n < 0 ? errno : EIO, "write to %s",
			    what);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
xk_pwrite_full(int fd, const void *buf, size_t len, uint64_t off,
    const char *path, struct xk_error *err)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			xk_error_errno(err, n < 0 ? errno : EIO,
			    "%s: write at offset %llu", path,
			    (unsigned long long)off);
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int
xk_pread_full(int fd, void *buf, size_t len, uint64_t off, const char *path,
    struct xk_error *err)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xk_error_errno(err, errno, "%s: read at offset %llu",
			    path, (unsigned long long)off);
			return -1;
		}
		if (n == 0) {
			xk_error_set(err, "%s: unexpected end of file at "
			    "offset %llu (truncated?)", path,
			    (unsigned long long)off);
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}
