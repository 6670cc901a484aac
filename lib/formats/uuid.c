/*
 * uuid.c - random and name-based (SHA-1, version 5) UUIDs.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>

#include "formats/uuid.h"

static void
set_version(unsigned char u[16], unsigned v)
{
	u[6] = (unsigned char)((u[6] & 0x0f) | (v << 4));
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
}

int
xk_uuid_random(unsigned char out[16])
{
	if (getrandom(out, 16, 0) != 16)
		return -1;
	set_version(out, 4);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
xk_uuid_parse(const char *s, unsigned char out[16])
{
	size_t k = 0;

	if (s == NULL || strlen(s) != 36)
		return -1;
	for (size_t i = 0; i < 36; ) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -1;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[k++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

int
xk_uuid_v5(const char *ns, const void *name, size_t len,
    unsigned char out[16])
{
	unsigned char nsb[16], md[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	EVP_MD_CTX *c;
	int ok;

	if (xk_uuid_parse(ns, nsb) < 0 || (c = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(c, nsb, sizeof(nsb)) == 1 &&
	    EVP_DigestUpdate(c, name, len) == 1 &&
	    EVP_DigestFinal_ex(c, md, &ml) == 1 && ml >= 16;
	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	memcpy(out, md, 16);
	set_version(out, 5);
	return 0;
}

void
xk_uuid_str(const unsigned char b[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
