/*
 * xva-validate.h - a strict XVA validator for the test suite.
 *
 * It enforces every importer rule of the reference notes
 * (shared/reference/xva-vhd-xapi.md, xk-xva(5)) on a plain (uncompressed)
 * XVA, with its own tar parser so that it does not share mistakes with
 * lib/formats: ustar headers only, ova.xml first, required fields per
 * class, value encodings, version numbers, references, VDI order, chunk
 * names, sizes and checksums.  The first violation is reported.
 */
#ifndef XK_TESTS_XVA_VALIDATE_H
#define XK_TESTS_XVA_VALIDATE_H

#include <stddef.h>

/* 0 if the XVA at path passes; else -1 and why in msg. */
int xva_validate(const char *path, char *msg, size_t msglen);

/* A plain tar's members, for tests that take archives apart. */
struct tar_member {
	char name[101];
	char type;
	unsigned char *data;
	size_t len;
};

int tar_load(const char *path, struct tar_member **m, size_t *n, char *msg,
    size_t msglen);
void tar_members_free(struct tar_member *m, size_t n);
/* Write members back as a ustar archive (types other than '0' too). */
int tar_store(const char *path, const struct tar_member *m, size_t n);

#endif
