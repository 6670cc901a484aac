/*
 * xg_inet.c - ARP and ICMP echo answers (see xg_inet.h).  Offsets are
 * those of the wire formats: Ethernet II, ARP for IPv4 over Ethernet
 * (RFC 826), IPv4 (RFC 791), ICMP (RFC 792).
 */
#include "xg_inet.h"
#include "xg_string.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ARP_LEN 28
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IP_MIN 20
#define IP_PROTO_ICMP 1
#define ICMP_MIN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define REPLY_TTL 64

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static unsigned int
get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t
xg_inet_cksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += get16(b + i);
	if (i < n)
		sum += (unsigned int)b[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The Ethernet header of an answer to IN, to DST; returns where its
 * payload goes. */
static uint8_t *
eth_header(const struct xg_inet *me, uint8_t *out, const uint8_t *dst,
    unsigned int type)
{
	memcpy(out, dst, 6);
	memcpy(out + 6, me->mac, 6);
	put16(out + 12, type);
	return out + XG_ETH_HLEN;
}

/* Pad an answer of N bytes to the shortest frame. */
static size_t
finish(uint8_t *out, size_t n)
{
	if (n < XG_ETH_ZLEN) {
		memset(out + n, 0, XG_ETH_ZLEN - n);
		n = XG_ETH_ZLEN;
	}
	return n;
}

static size_t
arp(const struct xg_inet *me, const uint8_t *in, size_t len, uint8_t *out,
    size_t cap, enum xg_inet_verdict *v)
{
	const uint8_t *a = in + XG_ETH_HLEN;
	uint8_t *r;

	if (memcmp(in, broadcast, 6) != 0 && memcmp(in, me->mac, 6) != 0)
		return 0;
	if (len < XG_ETH_HLEN + ARP_LEN) {
		*v = XG_INET_MALFORMED;
		return 0;
	}
	/* Ethernet and IPv4 addresses only, and only a request for ours */
	if (get16(a) != 1 || get16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 ||
	    a[5] != 4 || get16(a + 6) != ARP_REQUEST ||
	    memcmp(a + 24, me->ip, 4) != 0)
		return 0;
	if (cap < XG_ETH_ZLEN) {
		*v = XG_INET_TOO_BIG;
		return 0;
	}
	/* to the sender's hardware address, which the request names */
	r = eth_header(me, out, a + 8, ETHERTYPE_ARP);
	memcpy(r, a, 6);
	put16(r + 6, ARP_REPLY);
	memcpy(r + 8, me->mac, 6);
	memcpy(r + 14, me->ip, 4);
	memcpy(r + 18, a + 8, 10);	/* their hardware and IPv4 address */
	*v = XG_INET_ARP_REPLY;
	return finish(out, XG_ETH_HLEN + ARP_LEN);
}

/* A source an answer must not go to: "this host" (0.0.0.0), the
 * limited broadcast, a multicast or reserved address. */
static int
bad_source(const uint8_t *ip)
{
	static const uint8_t zero[4];

	return memcmp(ip, zero, 4) == 0 || ip[0] >= 224;
}

static size_t
echo_reply(const struct xg_inet *me, const uint8_t *in, const uint8_t *ip,
    const uint8_t *icmp, size_t icmp_len, uint8_t *out)
{
	uint8_t *r = eth_header(me, out, in + 6, ETHERTYPE_IPV4);
	uint8_t *ri = r + IP_MIN;

	r[0] = 0x45;		/* version 4, no options */
	r[1] = ip[1];		/* the request's type of service */
	put16(r + 2, (unsigned int)(IP_MIN + icmp_len));
	memcpy(r + 4, ip + 4, 2);	/* its identification */
	put16(r + 6, 0);	/* not a fragment */
	r[8] = REPLY_TTL;
	r[9] = IP_PROTO_ICMP;
	put16(r + 10, 0);
	memcpy(r + 12, me->ip, 4);
	memcpy(r + 16, ip + 12, 4);
	put16(r + 10, xg_inet_cksum(r, IP_MIN));
	memmove(ri, icmp, icmp_len);
	ri[0] = ICMP_ECHO_REPLY;
	ri[1] = 0;
	put16(ri + 2, 0);
	put16(ri + 2, xg_inet_cksum(ri, icmp_len));
	return finish(out, XG_ETH_HLEN + IP_MIN + icmp_len);
}

static size_t
ipv4(const struct xg_inet *me, const uint8_t *in, size_t len, uint8_t *out,
    size_t cap, enum xg_inet_verdict *v)
{
	const uint8_t *ip = in + XG_ETH_HLEN, *icmp;
	size_t avail = len - XG_ETH_HLEN, hlen, total, icmp_len;

	if (memcmp(in, me->mac, 6) != 0)
		return 0;
	*v = XG_INET_MALFORMED;
	if (avail < IP_MIN || ip[0] >> 4 != 4)
		return 0;
	hlen = (size_t)(ip[0] & 0xf) * 4;
	total = get16(ip + 2);
	/* what follows the datagram in the frame is Ethernet padding */
	if (hlen < IP_MIN || total < hlen || total > avail ||
	    xg_inet_cksum(ip, hlen) != 0)
		return 0;
	*v = XG_INET_NOT_MINE;
	/* fragments (more to come, or an offset) are not answered */
	if (memcmp(ip + 16, me->ip, 4) != 0 || ip[9] != IP_PROTO_ICMP ||
	    (get16(ip + 6) & 0x3fff) != 0 || bad_source(ip + 12))
		return 0;
	icmp = ip + hlen;
	icmp_len = total - hlen;
	if (icmp_len < ICMP_MIN || xg_inet_cksum(icmp, icmp_len) != 0) {
		*v = XG_INET_MALFORMED;
		return 0;
	}
	if (icmp[0] != ICMP_ECHO || icmp[1] != 0)
		return 0;
	if (cap < XG_ETH_ZLEN || cap - XG_ETH_HLEN - IP_MIN < icmp_len) {
		*v = XG_INET_TOO_BIG;
		return 0;
	}
	*v = XG_INET_ECHO_REPLY;
	return echo_reply(me, in, ip, icmp, icmp_len, out);
}

size_t
xg_inet_answer(const struct xg_inet *me, const uint8_t *in, size_t len,
    uint8_t *out, size_t cap, enum xg_inet_verdict *verdict)
{
	*verdict = XG_INET_NOT_MINE;
	if (len < XG_ETH_HLEN)
		return 0;
	switch (get16(in + 12)) {
	case ETHERTYPE_ARP:
		return arp(me, in, len, out, cap, verdict);
	case ETHERTYPE_IPV4:
		return ipv4(me, in, len, out, cap, verdict);
	default:
		return 0;
	}
}

/* A number of at most MAXD digits in BASE at S[*I], up to MAX;
 * advances *I.  -1 when there is none or it is too large. */
static long
number(const char *s, size_t n, size_t *i, unsigned int base, size_t maxd,
    long max)
{
	long v = 0;
	size_t d;

	for (d = 0; *i < n && d < maxd; d++, (*i)++) {
		char c = s[*i];
		int x;

		if (c >= '0' && c <= '9')
			x = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			x = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			x = c - 'A' + 10;
		else
			break;
		v = v * (long)base + x;
	}
	return d == 0 || v > max ? -1 : v;
}

/* COUNT numbers separated by SEP, all of S. */
static int
parse_seq(const char *s, size_t n, uint8_t *dst, size_t count, char sep,
    unsigned int base, size_t mind, size_t maxd)
{
	size_t i = 0;

	for (size_t k = 0; k < count; k++) {
		size_t start;
		long v;

		if (k > 0 && (i >= n || s[i++] != sep))
			return -1;
		start = i;
		v = number(s, n, &i, base, maxd, 255);
		if (v < 0 || i - start < mind)
			return -1;
		dst[k] = (uint8_t)v;
	}
	return i == n ? 0 : -1;
}

int
xg_inet_parse_ip(const char *s, size_t n, uint8_t ip[4])
{
	uint8_t tmp[4];

	if (parse_seq(s, n, tmp, 4, '.', 10, 1, 3) < 0)
		return -1;
	memcpy(ip, tmp, 4);
	return 0;
}

int
xg_inet_parse_mac(const char *s, size_t n, uint8_t mac[6])
{
	uint8_t tmp[6];

	if (parse_seq(s, n, tmp, 6, ':', 16, 2, 2) < 0)
		return -1;
	memcpy(mac, tmp, 6);
	return 0;
}
