/*
 * t7005-guest-inet - the guest library's ARP and ICMP echo answers
 * (guest/lib/xg_inet.c), compiled for the host: the Internet checksum
 * against RFC 1071's example and a known IPv4 header, answers compared
 * byte for byte with frames built by another implementation (Python's
 * struct, by hand), and every kind of frame that must get no answer.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "xg_inet.h"

static const struct xg_inet me = {
	.mac = { 0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c },
	.ip = { 10, 70, 50, 2 },
};

/* 10.70.50.1 (fe:12:34:56:78:01) pings 10.70.50.2: id 0x1234, seq 7,
 * 13 bytes of data, DF set, IP id 0xbeef */
static const uint8_t echo_req[] = {
	0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c, 0xfe, 0x12, 0x34, 0x56, 0x78, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x29, 0xbe, 0xef, 0x40, 0x00, 0x40, 0x01,
	0x03, 0x56, 0x0a, 0x46, 0x32, 0x01, 0x0a, 0x46, 0x32, 0x02, 0x08, 0x00,
	0x4b, 0x40, 0x12, 0x34, 0x00, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
};
static const uint8_t echo_rep[] = {
	0xfe, 0x12, 0x34, 0x56, 0x78, 0x01, 0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x29, 0xbe, 0xef, 0x00, 0x00, 0x40, 0x01,
	0x43, 0x56, 0x0a, 0x46, 0x32, 0x02, 0x0a, 0x46, 0x32, 0x01, 0x00, 0x00,
	0x53, 0x40, 0x12, 0x34, 0x00, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* who has 10.70.50.2? tell 10.70.50.1 */
static const uint8_t arp_req[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x12, 0x34, 0x56, 0x78, 0x01,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0xfe, 0x12, 0x34, 0x56, 0x78, 0x01, 0x0a, 0x46, 0x32, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x46, 0x32, 0x02,
};
static const uint8_t arp_rep[60] = {
	0xfe, 0x12, 0x34, 0x56, 0x78, 0x01, 0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
	0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c, 0x0a, 0x46, 0x32, 0x02,
	0xfe, 0x12, 0x34, 0x56, 0x78, 0x01, 0x0a, 0x46, 0x32, 0x01,
};

/* Answer IN (LEN bytes) into a buffer of CAP; returns the verdict,
 * the answer's length in *N. */
static enum xg_inet_verdict
answer(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *n)
{
	enum xg_inet_verdict v;

	*n = xg_inet_answer(&me, in, len, out, cap, &v);
	return v;
}

/* Recompute the checksum of N bytes at P whose field is at OFF. */
static void
fix_cksum(uint8_t *p, size_t n, size_t off)
{
	uint16_t c;

	p[off] = p[off + 1] = 0;
	c = xg_inet_cksum(p, n);
	p[off] = (uint8_t)(c >> 8);
	p[off + 1] = (uint8_t)c;
}

TEST(cksum_known_values)
{
	/* RFC 1071 section 3: the sum is ddf2, its complement 220d */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
	    0xf6, 0xf7 };
	/* an IPv4 header whose checksum is b861 */
	uint8_t hdr[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
	    0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00,
	    0xc7 };
	static const uint8_t odd[] = { 0x01, 0x02, 0x03 };

	CHECK_INT_EQ(xg_inet_cksum(rfc, sizeof(rfc)), 0x220d);
	CHECK_INT_EQ(xg_inet_cksum(hdr, sizeof(hdr)), 0);
	hdr[10] = hdr[11] = 0;
	CHECK_INT_EQ(xg_inet_cksum(hdr, sizeof(hdr)), 0xb861);
	/* an odd byte is the high half of a last word: 0102 + 0300 */
	CHECK_INT_EQ(xg_inet_cksum(odd, sizeof(odd)), (uint16_t)~0x0402);
	CHECK_INT_EQ(xg_inet_cksum(odd, 0), 0xffff);
}

TEST(echo_request_is_answered)
{
	uint8_t out[1600];
	size_t n;

	memset(out, 0xaa, sizeof(out));
	CHECK_INT_EQ(answer(echo_req, sizeof(echo_req), out, sizeof(out), &n),
	    XG_INET_ECHO_REPLY);
	CHECK_INT_EQ(n, sizeof(echo_rep));
	CHECK(memcmp(out, echo_rep, sizeof(echo_rep)) == 0);
	/* the Ethernet padding after the datagram is ignored */
	{
		uint8_t padded[64];

		memcpy(padded, echo_req, sizeof(echo_req));
		memset(padded + sizeof(echo_req), 0x5a,
		    sizeof(padded) - sizeof(echo_req));
		CHECK_INT_EQ(answer(padded, sizeof(padded), out, sizeof(out),
		    &n), XG_INET_ECHO_REPLY);
		CHECK(memcmp(out, echo_rep, sizeof(echo_rep)) == 0);
	}
}

TEST(echo_with_options_and_large_payload)
{
	uint8_t in[1514], out[1514];
	size_t n, data = 1514 - 14 - 24 - 8;

	/* an IPv4 header of 24 bytes (one NOP option and padding) */
	memcpy(in, echo_req, 14 + 20);
	in[14] = 0x46;
	in[14 + 2] = (uint8_t)((24 + 8 + data) >> 8);
	in[14 + 3] = (uint8_t)(24 + 8 + data);
	memset(in + 14 + 20, 1, 4);
	fix_cksum(in + 14, 24, 10);
	memcpy(in + 38, echo_req + 34, 8);
	for (size_t i = 0; i < data; i++)
		in[46 + i] = (uint8_t)(i * 7);
	fix_cksum(in + 38, 8 + data, 2);
	CHECK_INT_EQ(answer(in, sizeof(in), out, sizeof(out), &n),
	    XG_INET_ECHO_REPLY);
	/* the answer has no options: 4 bytes shorter */
	CHECK_INT_EQ(n, sizeof(in) - 4);
	CHECK_INT_EQ(out[14], 0x45);
	CHECK_INT_EQ(out[16] << 8 | out[17], 20 + 8 + data);
	CHECK_INT_EQ(xg_inet_cksum(out + 14, 20), 0);
	CHECK_INT_EQ(xg_inet_cksum(out + 34, 8 + data), 0);
	CHECK_INT_EQ(out[34], 0);
	CHECK(memcmp(out + 38, in + 42, 4 + data) == 0);
	/* one byte too few for the answer */
	CHECK_INT_EQ(answer(in, sizeof(in), out, sizeof(in) - 5, &n),
	    XG_INET_TOO_BIG);
	CHECK_INT_EQ(n, 0);
}

TEST(echo_refusals)
{
	uint8_t in[sizeof(echo_req)], out[1600];
	size_t n;

#define AGAIN(what, verdict) do {					\
	CHECK_INT_EQ(answer(in, sizeof(in), out, sizeof(out), &n), verdict); \
	CHECK_INT_EQ(n, 0);						\
	(void)(what);							\
	memcpy(in, echo_req, sizeof(in));				\
} while (0)
	memcpy(in, echo_req, sizeof(in));
	in[30] ^= 1;	/* a header checksum that does not verify */
	AGAIN("ip checksum", XG_INET_MALFORMED);
	in[sizeof(in) - 1] ^= 1;	/* an ICMP checksum that does not */
	AGAIN("icmp checksum", XG_INET_MALFORMED);
	in[0] = 0x02;	/* another host's MAC */
	AGAIN("mac", XG_INET_NOT_MINE);
	in[33] = 3;	/* another host's IP */
	fix_cksum(in + 14, 20, 10);
	AGAIN("ip", XG_INET_NOT_MINE);
	in[17] = 0x2a;	/* a total length beyond the frame */
	fix_cksum(in + 14, 20, 10);
	AGAIN("total length", XG_INET_MALFORMED);
	in[17] = 19 + 8;	/* less than its header and an echo */
	fix_cksum(in + 14, 20, 10);
	AGAIN("short total", XG_INET_MALFORMED);
	in[14] = 0x44;	/* a header length under 20 */
	fix_cksum(in + 14, 20, 10);
	AGAIN("ihl", XG_INET_MALFORMED);
	in[14] = 0x65;	/* IPv6's version in an IPv4 frame */
	fix_cksum(in + 14, 20, 10);
	AGAIN("version", XG_INET_MALFORMED);
	in[20] = 0x20;	/* more fragments */
	fix_cksum(in + 14, 20, 10);
	AGAIN("fragment", XG_INET_NOT_MINE);
	in[21] = 0x01;	/* a fragment's offset */
	fix_cksum(in + 14, 20, 10);
	AGAIN("offset", XG_INET_NOT_MINE);
	in[23] = 17;	/* UDP */
	fix_cksum(in + 14, 20, 10);
	AGAIN("udp", XG_INET_NOT_MINE);
	in[26] = 224;	/* from a multicast address */
	fix_cksum(in + 14, 20, 10);
	AGAIN("multicast source", XG_INET_NOT_MINE);
	in[34] = 0;	/* an echo reply is not answered */
	fix_cksum(in + 34, sizeof(in) - 34, 2);
	AGAIN("echo reply", XG_INET_NOT_MINE);
	in[35] = 1;	/* nor is an echo request of another code */
	fix_cksum(in + 34, sizeof(in) - 34, 2);
	AGAIN("code", XG_INET_NOT_MINE);
	in[12] = 0x86;	/* IPv6 */
	in[13] = 0xdd;
	AGAIN("ethertype", XG_INET_NOT_MINE);
#undef AGAIN
	/* every truncation of the request is refused, none answered */
	for (size_t len = 0; len < sizeof(echo_req); len++) {
		enum xg_inet_verdict v = answer(echo_req, len, out,
		    sizeof(out), &n);

		CHECK_INT_EQ(n, 0);
		CHECK(v == (len < 14 ? XG_INET_NOT_MINE : XG_INET_MALFORMED));
	}
}

TEST(arp_request_is_answered)
{
	uint8_t in[sizeof(arp_req)], out[128];
	size_t n;

	CHECK_INT_EQ(answer(arp_req, sizeof(arp_req), out, sizeof(out), &n),
	    XG_INET_ARP_REPLY);
	CHECK_INT_EQ(n, 60);
	CHECK(memcmp(out, arp_rep, 60) == 0);
	/* sent to our MAC rather than broadcast: the same answer */
	memcpy(in, arp_req, sizeof(in));
	memcpy(in, me.mac, 6);
	CHECK_INT_EQ(answer(in, sizeof(in), out, sizeof(out), &n),
	    XG_INET_ARP_REPLY);
	CHECK(memcmp(out, arp_rep, 60) == 0);
	CHECK_INT_EQ(answer(arp_req, sizeof(arp_req), out, 59, &n),
	    XG_INET_TOO_BIG);
}

TEST(arp_refusals)
{
	static const size_t offs[] = { 15, 16, 18, 19, 21, 41 };
	uint8_t in[sizeof(arp_req)], out[128];
	size_t n;

	/* another hardware or protocol type, address length, operation
	 * (a reply), or target address */
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		memcpy(in, arp_req, sizeof(in));
		in[offs[i]] ^= 0x02;
		CHECK_INT_EQ(answer(in, sizeof(in), out, sizeof(out), &n),
		    XG_INET_NOT_MINE);
		CHECK_INT_EQ(n, 0);
	}
	memcpy(in, arp_req, sizeof(in));
	in[5] = 0xfe;	/* to another host */
	CHECK_INT_EQ(answer(in, sizeof(in), out, sizeof(out), &n),
	    XG_INET_NOT_MINE);
	CHECK_INT_EQ(answer(arp_req, sizeof(arp_req) - 1, out, sizeof(out),
	    &n), XG_INET_MALFORMED);
	CHECK_INT_EQ(n, 0);
}

TEST(parse_ip)
{
	uint8_t ip[4] = { 9, 9, 9, 9 };

	CHECK_INT_EQ(xg_inet_parse_ip("10.70.50.2", 10, ip), 0);
	CHECK(memcmp(ip, me.ip, 4) == 0);
	CHECK_INT_EQ(xg_inet_parse_ip("255.0.0.255", 11, ip), 0);
	CHECK(ip[0] == 255 && ip[3] == 255);
	/* only the N bytes count: what follows on a command line */
	CHECK_INT_EQ(xg_inet_parse_ip("1.2.3.4 x", 7, ip), 0);
	CHECK(ip[0] == 1 && ip[3] == 4);
	memset(ip, 9, 4);
	static const char *const bad[] = { "", "1.2.3", "1.2.3.4.5",
	    "256.1.1.1", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4 ",
	    "1.2.3.0004", "a.b.c.d", "1.2.3.-4", "1.2.3.4x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT_EQ(xg_inet_parse_ip(bad[i], strlen(bad[i]), ip), -1);
	/* untouched by a refused one */
	CHECK(ip[0] == 9 && ip[3] == 9);
}

TEST(parse_mac)
{
	uint8_t mac[6];

	CHECK_INT_EQ(xg_inet_parse_mac("00:16:3e:0A:0b:0c", 17, mac), 0);
	CHECK(memcmp(mac, me.mac, 6) == 0);
	static const char *const bad[] = { "", "00:16:3e:0a:0b",
	    "00:16:3e:0a:0b:0c:0d", "0:16:3e:0a:0b:0c", "00:16:3e:0a:0b:0g",
	    "00-16-3e-0a-0b-0c", "00:16:3e:0a:0b:0c0", "000:16:3e:0a:0b:0c" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT_EQ(xg_inet_parse_mac(bad[i], strlen(bad[i]), mac),
		    -1);
}
