/*
 * proto.c - frame reading and writing for the lab control channel.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab/proto.h"
#include "util/clock.h"
#include "util/file.h"

int
xk_frame_write(int fd, int type, const void *data, size_t len,
    struct xk_error *err)
{
	unsigned char hdr[XK_FRAME_HDR];

	if (len > XK_FRAME_MAX) {
		xk_error_set(err, "frame of %zu bytes is too large", len);
		return -1;
	}
	hdr[0] = 'x';
	hdr[1] = 'k';
	hdr[2] = (unsigned char)type;
	hdr[3] = (unsigned char)(len >> 24);
	hdr[4] = (unsigned char)(len >> 16);
	hdr[5] = (unsigned char)(len >> 8);
	hdr[6] = (unsigned char)len;
	if (xk_write_all(fd, hdr, sizeof(hdr), "control channel", err) == -1)
		return -1;
	return xk_write_all(fd, data, len, "control channel", err);
}

/* Read exactly len bytes.  1: done, 0: end of stream, -1: error. */
static int
read_full(int fd, unsigned char *p, size_t len, int64_t deadline,
    struct xk_error *err)
{
	while (len > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout = -1;
		ssize_t n;

		if (deadline > 0) {
			int64_t left = deadline - xk_mono_ms();

			if (left <= 0) {
				xk_error_errno(err, ETIMEDOUT, "read");
				return -1;
			}
			timeout = left > 60000 ? 60000 : (int)left;
		}
		n = poll(&pfd, 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			xk_error_errno(err, errno, "poll");
			return -1;
		}
		if (n == 0)
			continue;
		n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			xk_error_errno(err, errno, "read");
			return -1;
		}
		if (n == 0)
			return 0;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

static uint32_t
hdr_len(const unsigned char *hdr)
{
	return (uint32_t)hdr[3] << 24 | (uint32_t)hdr[4] << 16 |
	    (uint32_t)hdr[5] << 8 | hdr[6];
}

int
xk_frame_read(int fd, struct xk_frame *f, int64_t deadline,
    struct xk_error *err)
{
	unsigned char hdr[XK_FRAME_HDR];
	size_t have = 0;
	int r;

	memset(f, 0, sizeof(*f));
	/*
	 * Resynchronise: slide a header-sized window over the stream until
	 * it holds the magic and a sane length.  Stale bytes a dead client
	 * left (even ones containing "xk") are skipped this way.
	 */
	for (;;) {
		while (have < XK_FRAME_HDR) {
			r = read_full(fd, hdr + have, 1, deadline, err);
			if (r <= 0)
				return r;
			have++;
		}
		if (hdr[0] == 'x' && hdr[1] == 'k' &&
		    hdr_len(hdr) <= XK_FRAME_MAX)
			break;
		memmove(hdr, hdr + 1, --have);
	}
	f->type = hdr[2];
	f->len = hdr_len(hdr);
	f->data = malloc(f->len + 1);
	if (f->data == NULL) {
		xk_error_errno(err, errno, "malloc");
		return -1;
	}
	r = read_full(fd, f->data, f->len, deadline, err);
	if (r <= 0) {
		xk_frame_free(f);
		if (r == 0)
			xk_error_set(err, "stream ended inside a frame");
		return -1;
	}
	f->data[f->len] = '\0';
	return 1;
}

void
xk_frame_free(struct xk_frame *f)
{
	free(f->data);
	f->data = NULL;
	f->len = 0;
}
