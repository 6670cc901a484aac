/*
 * fuzz-guest-xs - the guest library's xenstore reply checks
 * (guest/lib/xg_xsmsg.c): everything a guest reads off its xenstore
 * ring goes through them before it is used.  The input's first byte
 * picks the request the reply answers; the rest is the stream of
 * messages as xenstored would put it on the ring.  An accepted message
 * must be safe to take apart: names, ids and event strings within the
 * payload, as their checks promise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xg_xsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t requests[] = {
	0, XS_READ, XS_WRITE, XS_DIRECTORY, XS_WATCH, XS_UNWATCH,
	XS_TRANSACTION_START, XS_TRANSACTION_END, XS_RM, XS_MKDIR,
	XS_GET_DOMAIN_PATH,
};

static void
take_apart(uint32_t want, const char *p, size_t len, enum xg_xs_verdict v)
{
	const char *path, *token, *name;
	size_t off = 0, n = 0;

	switch (v) {
	case XG_XS_EVENT:
		xg_xs_event(p, len, &path, &token);
		if (path[0] == '\0' || token < p || token >= p + len ||
		    token + strlen(token) + 1 != p + len)
			abort();
		break;
	case XG_XS_ERROR_REPLY:
		if (len < 3 || p[0] != 'E' || p[len - 1] != '\0')
			abort();
		break;
	case XG_XS_REPLY:
		if (want == XS_TRANSACTION_START && xg_xs_txid(p, len) == 0)
			abort();
		if (want != XS_DIRECTORY)
			break;
		while ((name = xg_xs_dir_next(p, len, &off)) != NULL) {
			if (name[0] == '\0' || strchr(name, '/') != NULL ||
			    off > len || ++n > len)
				abort();
		}
		break;
	case XG_XS_MALFORMED:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t want, req = 1;

	if (size < 1)
		return 0;
	want = requests[data[0] % (sizeof(requests) / sizeof(requests[0]))];
	data++;
	size--;
	while (size >= XG_XS_HDR) {
		struct xsd_sockmsg h;
		const char *why = NULL;
		char *payload;
		enum xg_xs_verdict v;

		memcpy(&h, data, XG_XS_HDR);
		data += XG_XS_HDR;
		size -= XG_XS_HDR;
		if (xg_xs_check_header(&h, &why) < 0) {
			if (why == NULL)
				abort();	/* every refusal says why */
			return 0;
		}
		if (h.len > size)
			return 0;	/* the rest has not arrived yet */
		/* a copy of exactly len bytes, so ASan sees overreads */
		payload = malloc(h.len > 0 ? h.len : 1);
		if (payload == NULL)
			return 0;
		memcpy(payload, data, h.len);
		v = xg_xs_check_reply(&h, payload, want, want != 0 ? req : 0,
		    &why);
		if (v == XG_XS_MALFORMED && why == NULL)
			abort();
		take_apart(want, payload, h.len, v);
		free(payload);
		data += h.len;
		size -= h.len;
		if (v != XG_XS_EVENT)
			req++;
	}
	return 0;
}
