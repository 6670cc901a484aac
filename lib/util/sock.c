/*
 * sock.c - Unix-domain stream sockets (see sock.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/sock.h"

int
xk_unix_addr(struct sockaddr_un *sa, const char *path, struct xk_error *err)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len >= sizeof(sa->sun_path)) {
		xk_error_set(err, "socket %s: path too long (%zu bytes, at "
		    "most %zu)", path, len, sizeof(sa->sun_path) - 1);
		return -1;
	}
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

int
xk_unix_connect(const char *path, int flags, const char *what,
    struct xk_error *err)
{
	struct sockaddr_un sa;
	int fd;

	if (xk_unix_addr(&sa, path, err) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0) {
		xk_error_errno(err, errno, "%s %s: socket", what, path);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		xk_error_errno(err, errno, "%s %s: connect", what, path);
		close(fd);
		return -1;
	}
	return fd;
}
