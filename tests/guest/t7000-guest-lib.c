/*
 * t7000-guest-lib - the parts of the guest library (guest/lib) that
 * need no hypervisor, compiled for the host from the guests' own
 * sources: byte-ring index arithmetic, the xenstore wire encoding and
 * reply checks, the block ring's request encoding and back end value
 * checks, printf, the allocator.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "xg_alloc.h"
#include "xg_blkif.h"
#include "xg_cmdline.h"
#include "xg_fmt.h"
#include "xg_ring.h"
#include "xg_xsmsg.h"

/* --- rings --- */

TEST(ring_used_and_free)
{
	CHECK_INT_EQ(xg_ring_used(10, 4, 16), 6);
	CHECK_INT_EQ(xg_ring_free(10, 4, 16), 10);
	CHECK_INT_EQ(xg_ring_used(20, 4, 16), 16);
	CHECK_INT_EQ(xg_ring_free(20, 4, 16), 0);
	/* more than a ring apart, or the consumer ahead: impossible */
	CHECK_INT_EQ(xg_ring_used(21, 4, 16), -1);
	CHECK_INT_EQ(xg_ring_used(4, 5, 16), -1);
	CHECK_INT_EQ(xg_ring_free(4, 5, 16), -1);
	/* free-running indexes wrap at 2^32 */
	CHECK_INT_EQ(xg_ring_used(3, UINT32_MAX - 2, 16), 6);
	CHECK_INT_EQ(xg_ring_free(3, UINT32_MAX - 2, 16), 10);
}

TEST(ring_put_get_wraps)
{
	char ring[8] = { 0 }, out[16];
	uint32_t prod = UINT32_MAX - 2, cons = prod;
	size_t n;

	n = xg_ring_put(ring, 8, prod, cons, "abcdefghij", 10);
	CHECK_INT_EQ(n, 8);	/* only a ring's worth fits */
	prod += (uint32_t)n;
	CHECK_INT_EQ(prod, 5);
	/* index UINT32_MAX - 2 is slot 5: "abc" at 5..7, "defgh" at 0..4 */
	CHECK(memcmp(ring, "defghabc", 8) == 0);
	CHECK_INT_EQ(xg_ring_put(ring, 8, prod, cons, "x", 1), 0);
	n = xg_ring_get(ring, 8, prod, cons, out, 3);
	CHECK_INT_EQ(n, 3);
	CHECK(memcmp(out, "abc", 3) == 0);
	cons += 3;
	n = xg_ring_put(ring, 8, prod, cons, "XYZ", 3);
	CHECK_INT_EQ(n, 3);
	prod += 3;
	n = xg_ring_get(ring, 8, prod, cons, out, sizeof(out));
	CHECK_INT_EQ(n, 8);
	CHECK(memcmp(out, "defghXYZ", 8) == 0);
}

TEST(ring_refuses_impossible_indexes)
{
	char ring[8] = "01234567", out[8] = { 0 };

	/* a back end claiming 9 unread bytes in an 8-byte ring */
	CHECK_INT_EQ(xg_ring_get(ring, 8, 9, 0, out, 8), 0);
	CHECK_INT_EQ(xg_ring_put(ring, 8, 0, 1, "ab", 2), 0);
	CHECK(out[0] == 0);
}

/* --- the block ring --- */

/* little-endian fields of an encoded request, by byte offset: what
 * blkback and QEMU read (their x86_64 ABI layout) */
static uint64_t
le(const void *req, size_t off, size_t n)
{
	const unsigned char *b = req;
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | b[off + n];
	return v;
}

TEST(blkif_request_layout)
{
	struct blkif_request req;
	grant_ref_t gref[BLKIF_MAX_SEGMENTS_PER_REQUEST];

	for (unsigned int i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		gref[i] = 100 + i;
	/* 9 sectors: a whole page and one sector of the next */
	CHECK_INT_EQ(xg_blkif_rw(&req, BLKIF_OP_WRITE, 51712, 3, 1000, 9,
	    gref), 2);
	CHECK_INT_EQ(sizeof(req), 112);
	CHECK_INT_EQ(le(&req, 0, 1), BLKIF_OP_WRITE);
	CHECK_INT_EQ(le(&req, 1, 1), 2);
	CHECK_INT_EQ(le(&req, 2, 2), 51712);
	CHECK_INT_EQ(le(&req, 4, 4), 0);	/* padding, zeroed */
	CHECK_INT_EQ(le(&req, 8, 8), 3);
	CHECK_INT_EQ(le(&req, 16, 8), 1000);
	/* segments: gref (4 bytes), first_sect, last_sect, 2 of padding */
	CHECK_INT_EQ(le(&req, 24, 4), 100);
	CHECK_INT_EQ(le(&req, 28, 1), 0);
	CHECK_INT_EQ(le(&req, 29, 1), 7);
	CHECK_INT_EQ(le(&req, 32, 4), 101);
	CHECK_INT_EQ(le(&req, 36, 1), 0);
	CHECK_INT_EQ(le(&req, 37, 1), 0);
	CHECK_INT_EQ(le(&req, 40, 4), 0);	/* unused segments zeroed */
	CHECK_INT_EQ(sizeof(struct blkif_response), 16);
	/* a one-page ring holds 32 of them */
	CHECK_INT_EQ(__CONST_RING_SIZE(blkif, XG_PAGE_SIZE),
	    XG_BLKIF_RING_SIZE);
}

TEST(blkif_request_sizes)
{
	struct blkif_request req;
	grant_ref_t gref[BLKIF_MAX_SEGMENTS_PER_REQUEST] = { 0 };
	unsigned int n;

	for (n = 1; n <= XG_BLKIF_MAX_SECTORS; n++) {
		unsigned int nseg = xg_blkif_rw(&req, BLKIF_OP_READ, 0, 0, 0,
		    n, gref), total = 0;

		CHECK_INT_EQ(nseg, (n + 7) / 8);
		CHECK_INT_EQ(req.nr_segments, nseg);
		for (unsigned int i = 0; i < nseg; i++) {
			CHECK(req.seg[i].first_sect <= req.seg[i].last_sect);
			CHECK(req.seg[i].last_sect <= 7);
			/* only the last page may be partial */
			CHECK(i + 1 == nseg || req.seg[i].last_sect == 7);
			total += req.seg[i].last_sect -
			    req.seg[i].first_sect + 1u;
		}
		CHECK_INT_EQ(total, n);
	}
	req.operation = 99;
	CHECK_INT_EQ(xg_blkif_rw(&req, BLKIF_OP_READ, 0, 0, 0, 0, gref), 0);
	CHECK_INT_EQ(xg_blkif_rw(&req, BLKIF_OP_READ, 0, 0, 0, 89, gref), 0);
	CHECK_INT_EQ(xg_blkif_rw(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 8,
	    gref), 0);
	CHECK_INT_EQ(req.operation, 99);	/* untouched */
	xg_blkif_flush(&req, 768, 2);
	CHECK_INT_EQ(req.operation, BLKIF_OP_FLUSH_DISKCACHE);
	CHECK_INT_EQ(req.nr_segments, 0);
	CHECK_INT_EQ(req.handle, 768);
	CHECK_INT_EQ(req.id, 2);
}

TEST(blkif_ring_indexes)
{
	CHECK_INT_EQ(xg_blkif_unconsumed(5, 3, 10), 2);
	CHECK_INT_EQ(xg_blkif_unconsumed(10, 3, 10), 7);
	/* more responses than requests, or behind what we consumed */
	CHECK_INT_EQ(xg_blkif_unconsumed(11, 3, 10), -1);
	CHECK_INT_EQ(xg_blkif_unconsumed(2, 3, 10), -1);
	/* free-running: wrapping at 2^32 */
	CHECK_INT_EQ(xg_blkif_unconsumed(2, UINT32_MAX - 1, 5), 4);
	CHECK_INT_EQ(xg_blkif_unconsumed(6, UINT32_MAX - 1, 5), -1);
	/* notify when req_prod passes the event index the back end set */
	CHECK(xg_blkif_need_notify(0, 1, 1));
	CHECK(!xg_blkif_need_notify(1, 2, 1));
	CHECK(xg_blkif_need_notify(5, 8, 7));
	CHECK(xg_blkif_need_notify(5, 8, 8));
	CHECK(!xg_blkif_need_notify(5, 8, 9));
	CHECK(!xg_blkif_need_notify(5, 8, 5));
	CHECK(xg_blkif_need_notify(UINT32_MAX - 1, 2, 0));
	CHECK(!xg_blkif_need_notify(UINT32_MAX - 1, 2, 3));
}

TEST(blkif_backend_values)
{
	uint64_t v = 42;
	int b = 7;

	CHECK(xg_blkif_parse_u64("0", 10, &v) == 0 && v == 0);
	CHECK(xg_blkif_parse_u64("2097152", UINT64_MAX, &v) == 0 &&
	    v == 2097152);
	CHECK(xg_blkif_parse_u64("18446744073709551615", UINT64_MAX,
	    &v) == 0 && v == UINT64_MAX);
	v = 42;
	CHECK_INT_EQ(xg_blkif_parse_u64("18446744073709551616", UINT64_MAX,
	    &v), -1);
	CHECK_INT_EQ(xg_blkif_parse_u64("99999999999999999999999",
	    UINT64_MAX, &v), -1);
	CHECK_INT_EQ(xg_blkif_parse_u64("", 10, &v), -1);
	CHECK_INT_EQ(xg_blkif_parse_u64("12abc", 100, &v), -1);
	CHECK_INT_EQ(xg_blkif_parse_u64("-1", 100, &v), -1);
	CHECK_INT_EQ(xg_blkif_parse_u64(" 1", 100, &v), -1);
	CHECK_INT_EQ(xg_blkif_parse_u64("1 ", 100, &v), -1);
	CHECK_INT_EQ(xg_blkif_parse_u64("0x10", 100, &v), -1);
	CHECK(xg_blkif_parse_u64("1", 1, &v) == 0 && v == 1);
	CHECK_INT_EQ(xg_blkif_parse_u64("2", 1, &v), -1);
	CHECK_INT_EQ(xg_blkif_parse_u64("10", 9, &v), -1);
	CHECK(xg_blkif_parse_u64("4294967295", UINT32_MAX, &v) == 0 &&
	    v == UINT32_MAX);
	v = 42;
	CHECK_INT_EQ(xg_blkif_parse_u64("4294967296", UINT32_MAX, &v), -1);
	CHECK_INT_EQ(v, 42);	/* untouched on failure */
	CHECK(xg_blkif_parse_bool("1", &b) == 0 && b == 1);
	CHECK(xg_blkif_parse_bool("0", &b) == 0 && b == 0);
	CHECK_INT_EQ(xg_blkif_parse_bool("", &b), -1);
	CHECK_INT_EQ(xg_blkif_parse_bool("2", &b), -1);
	CHECK_INT_EQ(xg_blkif_parse_bool("10", &b), -1);
	CHECK_INT_EQ(xg_blkif_parse_bool("true", &b), -1);
}

/* --- xenstore messages --- */

static const struct xsd_sockmsg *
hdr(const void *buf)
{
	return buf;
}

TEST(xs_encode_read)
{
	unsigned char buf[64];
	struct xg_xs_part p[] = { { "data/action", 12 } };
	long n = xg_xs_encode(buf, sizeof(buf), XS_READ, 7, 3, p, 1);
	struct xsd_sockmsg h;

	CHECK_INT_EQ(n, 16 + 12);
	memcpy(&h, buf, sizeof(h));
	CHECK_INT_EQ(h.type, XS_READ);
	CHECK_INT_EQ(h.req_id, 7);
	CHECK_INT_EQ(h.tx_id, 3);
	CHECK_INT_EQ(h.len, 12);
	CHECK(memcmp(buf + 16, "data/action\0", 12) == 0);
}

TEST(xs_encode_write_value_is_raw)
{
	unsigned char buf[64];
	struct xg_xs_part p[] = { { "k", 2 }, { "v1", 2 } };
	long n = xg_xs_encode(buf, sizeof(buf), XS_WRITE, 1, 0, p, 2);

	CHECK_INT_EQ(n, 16 + 4);
	CHECK_INT_EQ(hdr(buf)->len, 4);
	CHECK(memcmp(buf + 16, "k\0v1", 4) == 0);
}

TEST(xs_encode_bounds)
{
	static unsigned char buf[XG_XS_MSG_MAX + 16];
	static char big[XENSTORE_PAYLOAD_MAX + 1];
	struct xg_xs_part p[] = { { big, XENSTORE_PAYLOAD_MAX } };
	struct xg_xs_part q[] = { { big, XENSTORE_PAYLOAD_MAX + 1 } };
	struct xg_xs_part r[] = { { big, XENSTORE_PAYLOAD_MAX }, { "x", 1 } };

	CHECK_INT_EQ(xg_xs_encode(buf, sizeof(buf), XS_WRITE, 1, 0, p, 1),
	    XG_XS_MSG_MAX);
	CHECK_INT_EQ(xg_xs_encode(buf, sizeof(buf), XS_WRITE, 1, 0, q, 1), -1);
	CHECK_INT_EQ(xg_xs_encode(buf, sizeof(buf), XS_WRITE, 1, 0, r, 2), -1);
	/* the buffer, not the protocol, is the limit */
	CHECK_INT_EQ(xg_xs_encode(buf, 20, XS_WRITE, 1, 0, p, 1), -1);
	CHECK_INT_EQ(xg_xs_encode(buf, 15, XS_READ, 1, 0, NULL, 0), -1);
}

/* Check TYPE/REQ/LEN + PAYLOAD as the reply to WANT/WREQ. */
static enum xg_xs_verdict
check(uint32_t type, uint32_t req, const char *payload, size_t len,
    uint32_t want, uint32_t wreq, const char **why)
{
	struct xsd_sockmsg h = { type, req, 0, (uint32_t)len };

	*why = NULL;
	return xg_xs_check_reply(&h, payload, want, wreq, why);
}

TEST(xs_reply_good)
{
	const char *why;
	size_t off = 0;

	CHECK_INT_EQ(check(XS_READ, 5, "hello", 5, XS_READ, 5, &why),
	    XG_XS_REPLY);
	CHECK_INT_EQ(check(XS_READ, 5, "", 0, XS_READ, 5, &why), XG_XS_REPLY);
	CHECK_INT_EQ(check(XS_WRITE, 5, "OK", 3, XS_WRITE, 5, &why),
	    XG_XS_REPLY);
	CHECK_INT_EQ(check(XS_ERROR, 5, "ENOENT", 7, XS_READ, 5, &why),
	    XG_XS_ERROR_REPLY);
	CHECK_INT_EQ(check(XS_TRANSACTION_START, 2, "42", 3,
	    XS_TRANSACTION_START, 2, &why), XG_XS_REPLY);
	CHECK_INT_EQ(xg_xs_txid("42", 3), 42);
	CHECK_INT_EQ(check(XS_DIRECTORY, 1, "a\0bc", 5, XS_DIRECTORY, 1,
	    &why), XG_XS_REPLY);
	CHECK_STR_EQ(xg_xs_dir_next("a\0bc", 5, &off), "a");
	CHECK_STR_EQ(xg_xs_dir_next("a\0bc", 5, &off), "bc");
	CHECK(xg_xs_dir_next("a\0bc", 5, &off) == NULL);
	/* empty listings: C xenstored sends nothing, oxenstored a NUL */
	off = 0;
	CHECK_INT_EQ(check(XS_DIRECTORY, 1, "", 0, XS_DIRECTORY, 1, &why),
	    XG_XS_REPLY);
	CHECK(xg_xs_dir_next("", 0, &off) == NULL);
	CHECK_INT_EQ(check(XS_DIRECTORY, 1, "", 1, XS_DIRECTORY, 1, &why),
	    XG_XS_REPLY);
	CHECK(xg_xs_dir_next("", 1, &off) == NULL);
}

TEST(xs_watch_event)
{
	const char *why, *path, *token;

	/* an event may come while a request waits, or with none */
	CHECK_INT_EQ(check(XS_WATCH_EVENT, 0, "data/action\0tok", 16,
	    XS_READ, 9, &why), XG_XS_EVENT);
	CHECK_INT_EQ(check(XS_WATCH_EVENT, 0, "data/action\0tok", 16, 0, 0,
	    &why), XG_XS_EVENT);
	xg_xs_event("data/action\0tok", 16, &path, &token);
	CHECK_STR_EQ(path, "data/action");
	CHECK_STR_EQ(token, "tok");
	CHECK_INT_EQ(check(XS_WATCH_EVENT, 0, "p\0", 3, 0, 0, &why),
	    XG_XS_EVENT);
}

TEST(xs_reply_malformed)
{
	static char big[XENSTORE_PAYLOAD_MAX + 1];
	const char *why;

	/* over-long, unknown type, wrong request, wrong type */
	CHECK_INT_EQ(check(XS_READ, 5, big, sizeof(big), XS_READ, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_STR_HAS(why, "XENSTORE_PAYLOAD_MAX");
	CHECK_INT_EQ(check(XS_TYPE_COUNT, 5, "", 0, XS_READ, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_STR_HAS(why, "unknown message type");
	CHECK_INT_EQ(check(XS_READ, 6, "x", 1, XS_READ, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_STR_HAS(why, "req_id");
	CHECK_INT_EQ(check(XS_WRITE, 5, "OK", 3, XS_READ, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_STR_HAS(why, "another type");
	CHECK_INT_EQ(check(XS_READ, 5, "x", 1, 0, 0, &why), XG_XS_MALFORMED);
	CHECK_STR_HAS(why, "no request");
	/* payload shapes */
	CHECK_INT_EQ(check(XS_WRITE, 5, "OK", 2, XS_WRITE, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_WRITE, 5, "NO", 3, XS_WRITE, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_ERROR, 5, "ENOENT", 6, XS_READ, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_ERROR, 5, "enoent", 7, XS_READ, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_ERROR, 5, "", 0, XS_READ, 5, &why),
	    XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_TRANSACTION_START, 5, "0", 2,
	    XS_TRANSACTION_START, 5, &why), XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_TRANSACTION_START, 5, "4294967296", 11,
	    XS_TRANSACTION_START, 5, &why), XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_TRANSACTION_START, 5, "12", 2,
	    XS_TRANSACTION_START, 5, &why), XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_DIRECTORY, 5, "a\0b", 3, XS_DIRECTORY, 5,
	    &why), XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_DIRECTORY, 5, "a\0\0", 3, XS_DIRECTORY, 5,
	    &why), XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_DIRECTORY, 5, "a/b", 4, XS_DIRECTORY, 5,
	    &why), XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_WATCH_EVENT, 0, "path", 5, 0, 0, &why),
	    XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_WATCH_EVENT, 0, "p\0t\0x", 6, 0, 0, &why),
	    XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_WATCH_EVENT, 0, "\0t", 3, 0, 0, &why),
	    XG_XS_MALFORMED);
	CHECK_INT_EQ(check(XS_WATCH_EVENT, 0, "", 0, 0, 0, &why),
	    XG_XS_MALFORMED);
}

/* --- printf: the C library's snprintf is the reference --- */

static int fmt_failures;

static void __attribute__((format(printf, 1, 2)))
same(const char *fmt, ...)
{
	char want[256], got[256];
	va_list ap;
	int nw, ng;

	va_start(ap, fmt);
	nw = vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	ng = xg_vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	if (nw != ng || strcmp(want, got) != 0) {
		printf("#   format \"%s\": libc \"%s\" (%d), xg \"%s\" (%d)\n",
		    fmt, want, nw, got, ng);
		fmt_failures++;
	}
}

TEST(printf_matches_libc)
{
	int x = 0;

	fmt_failures = 0;
	same("plain");
	same("%d %i %u", 0, -1, 4000000000u);
	same("%d %d", INT32_MIN, INT32_MAX);
	same("%ld %lu %lld %llu", -1L, ~0UL, (long long)INT64_MIN,
	    (unsigned long long)UINT64_MAX);
	same("%zu %zd %jd %td", (size_t)123, (ssize_t)-5, (intmax_t)-7,
	    (ptrdiff_t)-9);
	same("%hhd %hhu %hd %hu", (signed char)-5, (unsigned char)250,
	    (short)-300, (unsigned short)65000);
	same("%x %X %o %#x %#X %#o %#o", 0xbeef, 0xbeef, 8, 255, 255, 8, 0);
	same("%#x", 0);
	same("[%5d] [%-5d] [%05d] [%+d] [% d] [%+05d]", 42, 42, 42, 42, 42, -42);
	same("[%.3d] [%8.3d] [%-8.3d] [%.0d] [%5.0d]", 7, 7, 7, 0, 0);
	same("[%*d] [%-*d] [%*d] [%.*d]", 6, 1, 6, 1, -6, 1, 4, 1);
	same("[%.2d] [%.2x] [%.1d] [%.5u] [%-+6.2d]", 5, 10, 7, 42u, 3);
	same("[%s] [%10s] [%-10s] [%.2s] [%*.*s]", "abc", "abc", "abc", "abc",
	    6, 1, "xyz");
	same("[%c] [%3c] [%-3c]", 'a', 'b', 'c');
	same("%p", (void *)&x);
	same("100%%");
	same("%016lx", 0x1234UL);
	CHECK_INT_EQ(fmt_failures, 0);
}

TEST(printf_truncates_like_snprintf)
{
	char buf[8];

	CHECK_INT_EQ(xg_snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 1234),
	    11);
	CHECK_STR_EQ(buf, "abcdef-");
	CHECK_INT_EQ(xg_snprintf(buf, 1, "xyz"), 3);
	CHECK_STR_EQ(buf, "");
	CHECK_INT_EQ(xg_snprintf(NULL, 0, "%d", 12345), 5);
}

/* xg_snprintf without the format attribute, for formats C rejects */
static int
raw(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xg_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

TEST(printf_unknown_conversion_is_copied)
{
	char buf[32];

	/* written out, and no argument consumed for it */
	CHECK_INT_EQ(raw(buf, sizeof(buf), "a%qb%d", 5), 5);
	CHECK_STR_EQ(buf, "a%qb5");
	CHECK_INT_EQ(raw(buf, sizeof(buf), "end%"), 4);
	CHECK_STR_EQ(buf, "end%");
}

TEST(printf_length_modifiers_truncate)
{
	char buf[64];

	/* an int argument printed as char or short keeps its low bits */
	raw(buf, sizeof(buf), "%hhd %hhu %hhd %hd %hu %hd", 300, 300, 200,
	    70000, 70000, 40000);
	CHECK_STR_EQ(buf, "44 44 -56 4464 4464 -25536");
}

/* --- command line (xk-guest-tiny's: "REASON [at=MS]") --- */

TEST(cmdline_words_and_options)
{
	const char *cmd = "poweroff at=1700000000123 marker=web-1";
	const char *v;
	size_t len = 0;

	CHECK(xg_cmdline_word(cmd, "poweroff"));
	CHECK(!xg_cmdline_word(cmd, "power"));
	CHECK(!xg_cmdline_word(cmd, "reboot"));
	CHECK(xg_cmdline_word("crash", "crash"));
	CHECK(!xg_cmdline_word("", "crash"));
	v = xg_cmdline_opt(cmd, "at", &len);
	CHECK(v != NULL);
	CHECK_INT_EQ(len, 13);
	CHECK(strncmp(v, "1700000000123", len) == 0);
	v = xg_cmdline_opt(cmd, "marker", &len);
	CHECK(v != NULL && len == 5 && strncmp(v, "web-1", 5) == 0);
	/* a key must start a word and be followed by '=' */
	CHECK(xg_cmdline_opt(cmd, "t", &len) == NULL);
	CHECK(xg_cmdline_opt("xat=5", "at", &len) == NULL);
	CHECK(xg_cmdline_opt("at", "at", &len) == NULL);
	v = xg_cmdline_opt("at=", "at", &len);
	CHECK(v != NULL && len == 0);
	/* a value's number: its leading digits, within its length */
	v = xg_cmdline_opt(cmd, "at", &len);
	CHECK(xg_cmdline_u64(v, len) == UINT64_C(1700000000123));
	CHECK(xg_cmdline_u64("123 marker=9", 3) == 123);
	CHECK(xg_cmdline_u64("12345", 2) == 12);
	CHECK(xg_cmdline_u64("7s", 2) == 7);
	CHECK(xg_cmdline_u64("x7", 2) == 0);
	CHECK(xg_cmdline_u64("", 0) == 0);
}

/* --- allocator --- */

TEST(alloc_aligned_and_disjoint)
{
	static unsigned char mem[4096 + 3];
	struct xg_heap h;
	unsigned char *p[10];
	int i, j;

	xg_heap_init(&h, mem + 3, 4096);
	for (i = 0; i < 10; i++) {
		p[i] = xg_alloc(&h, (size_t)(i * 13 + 1));
		CHECK(p[i] != NULL);
		CHECK((uintptr_t)p[i] % 16 == 0);
		memset(p[i], i, (size_t)(i * 13 + 1));
	}
	for (i = 0; i < 10; i++)
		for (j = 0; j < i * 13 + 1; j++)
			CHECK_INT_EQ(p[i][j], i);
	CHECK(xg_alloc(&h, 0) == NULL);
	CHECK(xg_alloc(&h, 5000) == NULL);
	CHECK(xg_alloc(&h, SIZE_MAX) == NULL);
}

TEST(alloc_frees_and_merges)
{
	static unsigned char mem[4096] __attribute__((aligned(16)));
	struct xg_heap h;
	void *a, *b, *c, *d, *big;

	/* four blocks of 1000 + header fill the 4 KiB exactly */
	xg_heap_init(&h, mem, sizeof(mem));
	a = xg_alloc(&h, 1000);
	b = xg_alloc(&h, 1000);
	c = xg_alloc(&h, 1000);
	d = xg_alloc(&h, 1000);
	CHECK(a != NULL && b != NULL && c != NULL && d != NULL);
	CHECK(xg_alloc(&h, 1) == NULL);
	/* a and c free are two holes of 1 KiB: no room for 2000 */
	CHECK_INT_EQ(xg_free(&h, a), 0);
	CHECK_INT_EQ(xg_free(&h, c), 0);
	CHECK_INT_EQ(h.nfree, 2);
	CHECK(xg_alloc(&h, 2000) == NULL);
	/* freeing b merges a, b and c into one block */
	CHECK_INT_EQ(xg_free(&h, b), 0);
	CHECK_INT_EQ(h.nfree, 1);
	big = xg_alloc(&h, 3000);
	CHECK(big == a);
	CHECK_INT_EQ(xg_free(&h, big), 0);
	CHECK_INT_EQ(xg_free(&h, d), 0);
	CHECK_INT_EQ(h.nfree, 1);
	CHECK_INT_EQ(h.used, 0);
	CHECK_INT_EQ(h.peak, 4096);
}

TEST(alloc_refuses_bad_frees)
{
	static unsigned char mem[1024];
	static int outside;
	struct xg_heap h;
	char *a;

	xg_heap_init(&h, mem, sizeof(mem));
	a = xg_alloc(&h, 100);
	CHECK(a != NULL);
	CHECK_INT_EQ(xg_free(&h, &outside), -1);
	CHECK_INT_EQ(xg_free(&h, a + 16), -1);
	CHECK_INT_EQ(xg_free(&h, a + 1), -1);
	CHECK_INT_EQ(xg_free(&h, a), 0);
	CHECK_INT_EQ(xg_free(&h, a), -1);	/* twice */
	CHECK_INT_EQ(xg_free(&h, NULL), 0);
	CHECK_INT_EQ(h.nfree, 1);
}

TEST(alloc_random_against_model)
{
	static unsigned char mem[64 * 1024];
	struct xg_heap h;
	struct {
		unsigned char *p;
		size_t n;
		unsigned char v;
	} live[64] = { { 0 } };
	unsigned int seed = 12345, i, k;

	xg_heap_init(&h, mem, sizeof(mem));
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		k = (seed >> 8) % 64;
		if (live[k].p != NULL) {
			for (size_t j = 0; j < live[k].n; j++)
				CHECK_INT_EQ(live[k].p[j], live[k].v);
			CHECK_INT_EQ(xg_free(&h, live[k].p), 0);
			live[k].p = NULL;
			continue;
		}
		live[k].n = (seed >> 16) % 2000 + 1;
		live[k].v = (unsigned char)i;
		live[k].p = xg_alloc(&h, live[k].n);
		if (live[k].p != NULL)
			memset(live[k].p, live[k].v, live[k].n);
	}
	for (k = 0; k < 64; k++)
		CHECK_INT_EQ(xg_free(&h, live[k].p), 0);
	CHECK_INT_EQ(h.used, 0);
	CHECK_INT_EQ(h.nfree, 1);
}
