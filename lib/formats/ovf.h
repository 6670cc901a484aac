/*
 * ovf.h - OVF descriptors and OVA archives, as XenCenter and Xen
 * Orchestra read them.
 *
 * Export: the descriptor (DMTF OVF 1.0 with the Citrix xenovf extension
 * for platform and boot parameters), disks as dynamic VHD (default) or
 * streamOptimized VMDK, and a SHA256 manifest, in one ustar archive:
 * NAME.ovf, NAME.mf, then the disks.  Import: the descriptor mapped back
 * to XAPI-like records (vmmodel.h), every manifest digest verified.
 */
#ifndef XK_FORMATS_OVF_H
#define XK_FORMATS_OVF_H

#include <stdint.h>

#include "config/domcfg.h"
#include "formats/disk.h"
#include "formats/ovaxml.h"
#include "formats/vmmodel.h"
#include "util/error.h"

#define XK_OVF_MAX_DOC	(16u * 1024 * 1024)

struct xk_ova_disk {
	const struct xk_disk *disk;
	struct xk_disk_src *src;
	const char *ref;	/* VDI id in the ova.xml records */
};

/* Warnings for what OVF cannot carry beyond what XVA cannot. */
int xk_ovf_check(const struct xk_domcfg *dc, struct xk_notes *w,
    struct xk_error *err);

/*
 * Write the OVA at out (temporary name, renamed when complete) from the
 * records xk_vm_to_ova made for dc; disks as fmt (XK_IMG_VHD or
 * XK_IMG_VMDK).
 */
int xk_ova_write(const char *out, const struct xk_domcfg *dc,
    const struct xk_xv *ova, const struct xk_ova_disk *disks, size_t n,
    enum xk_img_format fmt, struct xk_error *err);

/* A parsed descriptor: the records, plus which file holds each disk. */
struct xk_ovf_file {
	char *id, *href;
	uint64_t size;		/* ovf:size, 0 if not given */
	char *vdi_ref;		/* the VDI it holds; NULL if none */
	enum xk_img_format format;
	char *compression;	/* ovf:compression ("gzip") or NULL */
};

struct xk_ovf {
	struct xk_xv *ova;	/* synthetic ova.xml: version, objects */
	struct xk_ovf_file *files;
	size_t nfiles;
};

struct xk_ovf *xk_ovf_parse(const char *name, const char *data, size_t len,
    struct xk_error *err);
void xk_ovf_free(struct xk_ovf *o);

#endif
