/*
 * ovf-impl.h - what the OVF/OVA files of lib/formats share and nobody
 * else needs: ovf-write.c (the writer), ovf.c (the descriptor parser),
 * ova-read.c (hashing, manifests, the OVA reader).
 */
#ifndef XK_FORMATS_OVF_IMPL_H
#define XK_FORMATS_OVF_IMPL_H

#define BUFSZ	(1024u * 1024)

/* n bytes of a digest as lowercase hex (out holds 2n + 1). */
void xk_ovf_hex(const unsigned char *md, unsigned int n, char *out);

#endif
