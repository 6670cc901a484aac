/*
 * fuzz-guest-blkif - the guest library's checks on what a block back
 * end says (guest/lib/xg_blkif.c): its xenstore values (sectors,
 * sector-size, info, feature flags) and its ring's response index.
 * The input's first 8 bytes are the largest value allowed, the next 12
 * a response producer, our consumer and our request producer, the rest
 * a xenstore value.  What is accepted must be what it says: digits
 * only, at most the maximum, the same number printed back (leading
 * zeros aside); responses never more than the requests made.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xg_blkif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_u64(const char *s, uint64_t max)
{
	char back[32];
	uint64_t v = 12345;
	const char *digits = s;

	if (xg_blkif_parse_u64(s, max, &v) < 0) {
		if (v != 12345)
			abort();	/* changed on failure */
		return;
	}
	if (v > max || *s == '\0' || strspn(s, "0123456789") != strlen(s))
		abort();
	while (digits[0] == '0' && digits[1] != '\0')
		digits++;
	snprintf(back, sizeof(back), "%llu", (unsigned long long)v);
	if (strcmp(back, digits) != 0)
		abort();
}

static void
check_bool(const char *s)
{
	int b = 7;

	if (xg_blkif_parse_bool(s, &b) < 0)
		return;
	if (strcmp(s, b ? "1" : "0") != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t max;
	uint32_t idx[3];
	long n;
	char *s;

	if (size < sizeof(max) + sizeof(idx))
		return 0;
	memcpy(&max, data, sizeof(max));
	memcpy(idx, data + sizeof(max), sizeof(idx));
	data += sizeof(max) + sizeof(idx);
	size -= sizeof(max) + sizeof(idx);
	n = xg_blkif_unconsumed(idx[0], idx[1], idx[2]);
	if (n > (long)(uint32_t)(idx[2] - idx[1]) ||
	    (n >= 0 && (uint32_t)(idx[1] + (uint32_t)n) != idx[0]))
		abort();
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_u64(s, max);
	check_u64(s, UINT64_MAX);
	check_u64(s, UINT32_MAX);
	check_bool(s);
	free(s);
	return 0;
}
