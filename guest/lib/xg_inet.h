/*
 * xg_inet.h - the least a guest needs to answer ping on Ethernet: ARP
 * requests for its IPv4 address (RFC 826) and ICMP echo requests to it
 * (RFC 792), nothing else.  Frames are what netfront carries: an
 * Ethernet header (no FCS) and its payload.
 *
 * Everything in a frame comes from outside and is checked before it
 * is used: lengths against the frame, the IPv4 header's checksum and
 * the ICMP message's (RFC 1071).  A reply carries checksums computed
 * here.  Pure: tested hosted (tests/guest) and fuzzed (tests/fuzz).
 */
#ifndef XG_INET_H
#define XG_INET_H

#include <stddef.h>
#include <stdint.h>

#define XG_ETH_HLEN 14
#define XG_ETH_ZLEN 60		/* shortest frame, FCS excluded */
#define XG_ETH_FRAME_MAX 1514	/* an MTU of 1500 and the header */

struct xg_inet {
	uint8_t mac[6];
	uint8_t ip[4];
};

/* What became of a frame. */
enum xg_inet_verdict {
	XG_INET_NOT_MINE,	/* another host's, or a kind not answered */
	XG_INET_ARP_REPLY,	/* an ARP request for our address: answered */
	XG_INET_ECHO_REPLY,	/* an ICMP echo request to us: answered */
	XG_INET_MALFORMED,	/* an ARP or IPv4 frame sent to us (or
				   broadcast, for ARP) but truncated,
				   inconsistent, or with a checksum that
				   does not verify */
	XG_INET_TOO_BIG,	/* the answer would not fit in the buffer */
};

/* The Internet checksum of N bytes at P (RFC 1071): the ones'
 * complement of their ones'-complement sum as 16-bit big-endian words,
 * an odd last byte padded with zero.  Over data that includes its own
 * checksum field, a correct checksum gives 0. */
uint16_t xg_inet_cksum(const void *p, size_t n);

/*
 * Look at the frame IN of LEN bytes, received by ME; when it asks for
 * an answer, write the answer frame to OUT (CAP bytes) and return its
 * length, else return 0.  *VERDICT says which.  Frames shorter than
 * XG_ETH_ZLEN are answered padded to it.  OUT must not overlap IN.
 */
size_t xg_inet_answer(const struct xg_inet *me, const uint8_t *in,
    size_t len, uint8_t *out, size_t cap, enum xg_inet_verdict *verdict);

/* "10.0.0.2" (N bytes at S, all of it) into IP; 0, or -1 when it is
 * not four decimal numbers 0-255 separated by dots. */
int xg_inet_parse_ip(const char *s, size_t n, uint8_t ip[4]);

/* "00:16:3e:0a:0b:0c" (N bytes at S, all of it, hex digits in either
 * case) into MAC; 0, or -1 when it is not six two-digit hex numbers
 * separated by colons. */
int xg_inet_parse_mac(const char *s, size_t n, uint8_t mac[6]);

#endif
