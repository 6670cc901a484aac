/*
 * proto.h - the lab's control-channel framing.
 *
 * The host talks to the dom0 agent over one virtio-serial port (a byte
 * stream, one client at a time).  Every message is a frame:
 *
 *	'x' 'k' TYPE LEN[4, big-endian] PAYLOAD[LEN]
 *
 * Host to agent: HELLO(nonce) resets the agent's state and is echoed
 * back, so a client skips whatever an earlier, dead client left in the
 * stream; then ARG* STDIN* RUN(timeout seconds, text).  Agent to host:
 * OUT and ERR chunks of the command's output, then EXIT("exit N",
 * "signal N", "timeout" or "error: why").
 */
#ifndef XK_LAB_PROTO_H
#define XK_LAB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define XK_FRAME_HELLO	'H'
#define XK_FRAME_ARG	'A'
#define XK_FRAME_STDIN	'I'
#define XK_FRAME_RUN	'R'
#define XK_FRAME_OUT	'O'
#define XK_FRAME_ERR	'E'
#define XK_FRAME_EXIT	'X'

#define XK_FRAME_HDR	7
#define XK_FRAME_MAX	(1u << 20)	/* payload bytes per frame */

struct xk_frame {
	int type;
	uint32_t len;
	unsigned char *data;	/* NUL-terminated copy, owned by the frame */
};

/* Write a whole frame; retries short writes and EINTR. */
int xk_frame_write(int fd, int type, const void *data, size_t len,
    struct xk_error *err);

/*
 * Read the next frame.  Bytes before a frame's magic are skipped.
 * deadline is an xk_mono_ms() time (util/clock.h; 0: none).
 * Returns 1 with a frame, 0 on end of stream, -1 on error or timeout
 * (err->errnum is ETIMEDOUT then).
 */
int xk_frame_read(int fd, struct xk_frame *f, int64_t deadline,
    struct xk_error *err);
void xk_frame_free(struct xk_frame *f);

#endif
