/*
 * fuzz-guest-net - the guest library's ARP and ICMP echo answers
 * (guest/lib/xg_inet.c): every frame xk-guest-net receives through
 * netfront goes through them.  The input's first byte picks the
 * answer buffer's size (so that answers that do not fit are tried);
 * the rest is the frame.  An answer must fit, come from our MAC, and
 * carry checksums that verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xg_inet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct xg_inet me = {
	.mac = { 0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c },
	.ip = { 10, 70, 50, 2 },
};

static void
check_answer(const uint8_t *in, size_t len, const uint8_t *out, size_t n,
    enum xg_inet_verdict v)
{
	if (n < XG_ETH_ZLEN || memcmp(out + 6, me.mac, 6) != 0)
		abort();
	if (v == XG_INET_ARP_REPLY) {
		if (n != XG_ETH_ZLEN || out[12] != 0x08 || out[13] != 0x06 ||
		    out[21] != 2 || memcmp(out + 28, me.ip, 4) != 0)
			abort();
		return;
	}
	/* an echo reply: to the sender, checksums that verify, as long
	 * as the request's ICMP message */
	if (len < 34 || memcmp(out, in + 6, 6) != 0 ||
	    xg_inet_cksum(out + 14, 20) != 0 ||
	    memcmp(out + 26, me.ip, 4) != 0 ||
	    memcmp(out + 30, in + 26, 4) != 0)
		abort();
	size_t total = (size_t)out[16] << 8 | out[17];
	if (total < 28 || 14 + total > n ||
	    xg_inet_cksum(out + 34, total - 20) != 0 || out[34] != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum xg_inet_verdict v;
	uint8_t *in, *out;
	size_t cap, n;

	if (size < 1)
		return 0;
	cap = (size_t)data[0] * 8;
	data++;
	size--;
	/* copies of exactly their size, so ASan sees overreads */
	in = malloc(size > 0 ? size : 1);
	out = malloc(cap > 0 ? cap : 1);
	if (in == NULL || out == NULL) {
		free(in);
		free(out);
		return 0;
	}
	memcpy(in, data, size);
	n = xg_inet_answer(&me, in, size, out, cap, &v);
	if (n > cap || (n > 0) != (v == XG_INET_ARP_REPLY ||
	    v == XG_INET_ECHO_REPLY))
		abort();
	if (n > 0)
		check_answer(in, size, out, n, v);
	free(in);
	free(out);
	return 0;
}
