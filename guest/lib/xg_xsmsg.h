/*
 * xg_xsmsg.h - the xenstore wire protocol (xen/io/xs_wire.h): request
 * encoding and defensive checks of what the daemon sends back.
 *
 * A message is a struct xsd_sockmsg header {type, req_id, tx_id, len}
 * followed by len (at most XENSTORE_PAYLOAD_MAX) bytes of payload:
 * NUL-terminated strings, except a written value, which is raw.  The
 * reply to a request has the request's type and req_id, or type
 * XS_ERROR with an errno name ("ENOENT\0"); XS_WATCH_EVENT messages
 * ("path\0token\0") can arrive in between.
 *
 * xenstored is outside the guest: every reply is checked against the
 * shape its request type allows before anything is taken from it, and
 * a reply that does not fit is "malformed" with a reason.  Pure: no
 * hypervisor needed, tested hosted and fuzzed (tests/guest,
 * tests/fuzz/fuzz-guest-xs.c).
 */
#ifndef XG_XSMSG_H
#define XG_XSMSG_H

#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#define XG_XS_HDR ((size_t)sizeof(struct xsd_sockmsg))
/* A whole message: header and the largest payload. */
#define XG_XS_MSG_MAX (XG_XS_HDR + XENSTORE_PAYLOAD_MAX)

/* One piece of a request's payload; strings include their NUL. */
struct xg_xs_part {
	const void *data;
	size_t len;
};

/* Encode a request into BUF (CAP bytes): header then the parts in
 * order.  Returns the message length, or -1 when the payload would
 * exceed XENSTORE_PAYLOAD_MAX or BUF is too small. */
long xg_xs_encode(void *buf, size_t cap, uint32_t type, uint32_t req_id,
    uint32_t tx_id, const struct xg_xs_part *parts, size_t nparts);

/* The outcome of checking a reply. */
enum xg_xs_verdict {
	XG_XS_REPLY = 0,	/* the reply to the request, well formed */
	XG_XS_ERROR_REPLY = 1,	/* XS_ERROR: the errno name is the payload */
	XG_XS_EVENT = 2,	/* a well-formed XS_WATCH_EVENT */
	XG_XS_MALFORMED = -1,	/* does not fit: see *why */
};

/* Check a header as it comes off the ring, before reading its
 * payload: the length must be bounded and the type one the daemon
 * sends.  0, or -1 with a reason in *WHY. */
int xg_xs_check_header(const struct xsd_sockmsg *h, const char **why);

/* Check a whole message H + PAYLOAD (h->len bytes) as the reply to a
 * request of WANT_TYPE with WANT_REQ.  WANT_TYPE 0 with WANT_REQ 0
 * means no request is outstanding: only a watch event fits. */
enum xg_xs_verdict xg_xs_check_reply(const struct xsd_sockmsg *h,
    const char *payload, uint32_t want_type, uint32_t want_req,
    const char **why);

/* A checked XS_TRANSACTION_START reply's transaction id. */
uint32_t xg_xs_txid(const char *payload, size_t len);

/* A checked watch event's path and token (pointers into PAYLOAD). */
void xg_xs_event(const char *payload, size_t len, const char **path,
    const char **token);

/* Names of a checked XS_DIRECTORY reply, one by one: *OFF starts at 0;
 * returns the next name or NULL at the end. */
const char *xg_xs_dir_next(const char *payload, size_t len, size_t *off);

/* The name of a message type ("READ"), for messages. */
const char *xg_xs_type_name(uint32_t type);

#endif
