/*
 * uuid.h - RFC 4122 UUIDs as exports need them: random (version 4) or
 * name-based (version 5, SHA-1), the latter so that exporting the same
 * VM twice gives the same identifiers and the same bytes.
 */
#ifndef XK_FORMATS_UUID_H
#define XK_FORMATS_UUID_H

#include <stddef.h>

/* xenkit's namespace for name-based UUIDs of VMs it exports. */
#define XK_UUID_NS	"6c1b1a2e-5d0f-4f4e-9a59-8d1f0e9b6c53"

/* A random UUID; -1 if the kernel gives no randomness. */
int xk_uuid_random(unsigned char out[16]);
/* The version 5 UUID of name (len bytes) in namespace ns; -1 if ns is
 * not a UUID. */
int xk_uuid_v5(const char *ns, const void *name, size_t len,
    unsigned char out[16]);
/* Text form, lowercase: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
void xk_uuid_str(const unsigned char u[16], char out[37]);
/* Parse the text form (either case); -1 if s is not one. */
int xk_uuid_parse(const char *s, unsigned char out[16]);

#endif
