/*
 * xg_xsmsg.c - xenstore wire encoding and reply checks (see xg_xsmsg.h).
 */
#include "xg_string.h"
#include "xg_xsmsg.h"

long
xg_xs_encode(void *buf, size_t cap, uint32_t type, uint32_t req_id,
    uint32_t tx_id, const struct xg_xs_part *parts, size_t nparts)
{
	struct xsd_sockmsg h = { type, req_id, tx_id, 0 };
	unsigned char *p = buf;
	size_t len = 0, i;

	for (i = 0; i < nparts; i++) {
		if (parts[i].len > XENSTORE_PAYLOAD_MAX - len)
			return -1;
		len += parts[i].len;
	}
	if (cap < XG_XS_HDR || len > cap - XG_XS_HDR)
		return -1;
	h.len = (uint32_t)len;
	memcpy(p, &h, XG_XS_HDR);
	p += XG_XS_HDR;
	for (i = 0; i < nparts; i++) {
		if (parts[i].len > 0)
			memcpy(p, parts[i].data, parts[i].len);
		p += parts[i].len;
	}
	return (long)(XG_XS_HDR + len);
}

const char *
xg_xs_type_name(uint32_t type)
{
	static const char *const names[] = {
		"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH",
		"UNWATCH", "TRANSACTION_START", "TRANSACTION_END",
		"INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR",
		"RM", "SET_PERMS", "WATCH_EVENT", "ERROR",
		"IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", "(removed)",
		"RESET_WATCHES", "DIRECTORY_PART",
	};

	if (type >= sizeof(names) / sizeof(names[0]))
		return "(unknown)";
	return names[type];
}

int
xg_xs_check_header(const struct xsd_sockmsg *h, const char **why)
{
	if (h->len > XENSTORE_PAYLOAD_MAX) {
		*why = "payload longer than XENSTORE_PAYLOAD_MAX (4096)";
		return -1;
	}
	if (h->type >= XS_TYPE_COUNT) {
		*why = "unknown message type";
		return -1;
	}
	return 0;
}

/* PAYLOAD (LEN) is exactly N NUL-terminated strings, none empty unless
 * EMPTY_OK; a string may not hold a NUL. */
static int
strings(const char *payload, size_t len, size_t n, int empty_ok)
{
	size_t count = 0, start = 0, i;

	if (len == 0 || payload[len - 1] != '\0')
		return 0;
	for (i = 0; i < len; i++) {
		if (payload[i] != '\0')
			continue;
		if (i == start && !empty_ok)
			return 0;
		count++;
		start = i + 1;
	}
	return n == 0 || count == n;
}

/* An errno name: "E" and capitals or digits, NUL-terminated. */
static int
errno_name(const char *p, size_t len)
{
	size_t i;

	if (len < 3 || len > 16 || p[0] != 'E' || p[len - 1] != '\0')
		return 0;
	for (i = 1; i + 1 < len; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')))
			return 0;
	return 1;
}

/* A decimal transaction id, NUL-terminated, not 0, fits 32 bits. */
static int
txid_ok(const char *p, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len < 2 || len > 11 || p[len - 1] != '\0')
		return 0;
	for (i = 0; i + 1 < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	return v != 0 && v <= UINT32_MAX;
}

/* Names in a directory listing: NUL-terminated, none empty, no '/';
 * an empty listing is no bytes or a lone NUL (oxenstored's form). */
static int
dir_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || (len == 1 && p[0] == '\0'))
		return 1;
	if (!strings(p, len, 0, 0))
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] == '/')
			return 0;
	return 1;
}

/* Does PAYLOAD fit a successful reply to TYPE? */
static int
shape_ok(uint32_t type, const char *payload, size_t len, const char **why)
{
	switch (type) {
	case XS_READ:
		return 1;	/* a value is any bytes */
	case XS_DIRECTORY:
		*why = "directory listing is not NUL-terminated names";
		return dir_ok(payload, len);
	case XS_TRANSACTION_START:
		*why = "transaction id is not a decimal number below 2^32";
		return txid_ok(payload, len);
	case XS_GET_DOMAIN_PATH:
		*why = "domain path is not one string";
		return strings(payload, len, 1, 0) && payload[0] == '/';
	case XS_WRITE:
	case XS_MKDIR:
	case XS_RM:
	case XS_WATCH:
	case XS_UNWATCH:
	case XS_TRANSACTION_END:
	case XS_SET_PERMS:
	case XS_RESET_WATCHES:
		*why = "acknowledgement is not \"OK\"";
		return len == 3 && memcmp(payload, "OK", 3) == 0;
	default:
		*why = "reply to a request type the client does not send";
		return 0;
	}
}

enum xg_xs_verdict
xg_xs_check_reply(const struct xsd_sockmsg *h, const char *payload,
    uint32_t want_type, uint32_t want_req, const char **why)
{
	if (xg_xs_check_header(h, why) < 0)
		return XG_XS_MALFORMED;
	if (h->type == XS_WATCH_EVENT) {
		*why = "watch event is not \"path\\0token\\0\"";
		if (!strings(payload, h->len, 2, 1) || payload[0] == '\0')
			return XG_XS_MALFORMED;
		return XG_XS_EVENT;
	}
	if (want_type == 0 && want_req == 0) {
		*why = "a reply when no request is outstanding";
		return XG_XS_MALFORMED;
	}
	if (h->req_id != want_req) {
		*why = "reply to another request (req_id differs)";
		return XG_XS_MALFORMED;
	}
	if (h->type == XS_ERROR) {
		*why = "error reply is not an errno name";
		return errno_name(payload, h->len) ? XG_XS_ERROR_REPLY :
		    XG_XS_MALFORMED;
	}
	if (h->type != want_type) {
		*why = "reply of another type than the request";
		return XG_XS_MALFORMED;
	}
	return shape_ok(want_type, payload, h->len, why) ? XG_XS_REPLY :
	    XG_XS_MALFORMED;
}

uint32_t
xg_xs_txid(const char *payload, size_t len)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < len && payload[i] >= '0' && payload[i] <= '9'; i++)
		v = v * 10 + (uint32_t)(payload[i] - '0');
	return v;
}

void
xg_xs_event(const char *payload, size_t len, const char **path,
    const char **token)
{
	*path = payload;
	*token = payload + strlen(payload) + 1;
	(void)len;
}

const char *
xg_xs_dir_next(const char *payload, size_t len, size_t *off)
{
	const char *name;

	if (*off >= len || (len == 1 && payload[0] == '\0'))
		return NULL;
	name = payload + *off;
	*off += strlen(name) + 1;
	return name;
}
