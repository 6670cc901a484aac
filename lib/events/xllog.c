/*
 * xllog.c - find the reason code xl logged for a domain (see xllog.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/xllog.h"

#define TAIL_MAX (1024 * 1024)

/* Parse a decimal number of at most 10 digits at *p. */
static int
number(const char **p, const char *end, long *v)
{
	int n = 0;

	*v = 0;
	while (*p < end && **p >= '0' && **p <= '9' && n < 10) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n > 0 ? 0 : -1;
}

int
xk_xllog_scan(const char *text, size_t len, long domid)
{
	static const char head[] = "Domain ";
	static const char mid[] = " has shut down, reason code ";
	const char *p = text, *end = text + len;
	int found = -1;

	while (p < end) {
		const char *q = memmem(p, (size_t)(end - p), head,
		    sizeof(head) - 1);
		long id, code;

		if (q == NULL)
			break;
		p = q + sizeof(head) - 1;
		if (number(&p, end, &id) < 0 || id != domid)
			continue;
		if ((size_t)(end - p) < sizeof(mid) - 1 ||
		    memcmp(p, mid, sizeof(mid) - 1) != 0)
			continue;
		p += sizeof(mid) - 1;
		if (number(&p, end, &code) == 0 && code <= 255)
			found = (int)code;
	}
	return found;
}

/* The last TAIL_MAX bytes of path; 1 when there is no such file. */
static int
read_tail(const char *path, char **buf, size_t *len)
{
	struct stat st;
	off_t off;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	off = st.st_size > TAIL_MAX ? st.st_size - TAIL_MAX : 0;
	*buf = malloc((size_t)(st.st_size - off) + 1);
	if (*buf == NULL) {
		close(fd);
		return 1;
	}
	n = pread(fd, *buf, (size_t)(st.st_size - off), off);
	close(fd);
	if (n < 0) {
		free(*buf);
		return 1;
	}
	*len = (size_t)n;
	return 0;
}

int
xk_xllog_lookup(const char *logdir, const char *name, long domid,
    enum xk_reason *r, struct xk_error *err)
{
	static const char *const suffix[] = { "", ".1" };

	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		xk_error_set(err, "domain name '%s' cannot name an xl log",
		    name);
		return -1;
	}
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char path[4096], *buf;
		size_t len;
		int code;

		snprintf(path, sizeof(path), "%s/xl-%s.log%s", logdir, name,
		    suffix[i]);
		if (read_tail(path, &buf, &len) != 0)
			continue;
		code = xk_xllog_scan(buf, len, domid);
		free(buf);
		if (code >= 0) {
			*r = xk_reason_from_code((unsigned int)code);
			return 0;
		}
	}
	return 1;
}
