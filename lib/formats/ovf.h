/*
 * ovf.h - OVF descriptors and OVA archives, as XenCenter and Xen
 * Orchestra read them.
 *
 * Export: the descriptor (DMTF OVF 1.0 with the Citrix xenovf extension,
 * http://schemas.citrix.com/ovf/envelope/1, carrying HVM_boot_policy,
 * HVM_boot_params, platform and the PV fields as XenCenter's importer
 * reads them), disks as dynamic VHD (default) or streamOptimized VMDK,
 * and a SHA256 manifest, in one ustar archive: NAME.ovf, NAME.mf, then
 * the disks.  Import: the descriptor mapped back to XAPI-like records
 * (vmmodel.h), every manifest digest verified.
 */
#ifndef XK_FORMATS_OVF_H
#define XK_FORMATS_OVF_H

#include <stdint.h>
#include <stdio.h>

#include "config/domcfg.h"
#include "formats/disk.h"
#include "formats/ovaxml.h"
#include "formats/vmmodel.h"
#include "util/error.h"

/*
 * A descriptor is read whole and its tree capped while it is parsed:
 * a VM with 16 disks and 7 NICs takes a few hundred elements and some
 * 10 KiB, so these leave room and keep a parse well under 64 MiB.
 */
#define XK_OVF_MAX_DOC		(4u * 1024 * 1024)
#define XK_OVF_MAX_NODES	(1u << 15)	/* elements and attributes */
#define XK_OVF_MAX_TEXT		(2u * 1024 * 1024)	/* text, attributes */
#define XK_OVF_NS	"http://schemas.dmtf.org/ovf/envelope/1"
#define XK_XENOVF_NS	"http://schemas.citrix.com/ovf/envelope/1"
/* xenkit's own attributes (a NIC's MTU), ignored by other readers */
#define XK_XENKIT_NS	"urn:xenkit:ovf:1"
#define XK_OVF_VHD_URI \
	"http://www.microsoft.com/technet/virtualserver/downloads/vhdspec.mspx"
#define XK_OVF_VMDK_URI "http://www.vmware.com/interfaces/specifications/" \
	"vmdk.html#streamOptimized"

struct xk_ova_disk {
	const struct xk_disk *disk;
	struct xk_disk_src *src;
	const char *ref;	/* VDI id in the ova.xml records */
	int64_t mtime;		/* the image's time stamp (fixed: the same
				 * VM exports the same bytes) */
};

/*
 * Write the OVA at out (temporary name, renamed when complete) from the
 * records xk_vm_to_ova made for dc; disks as fmt (XK_IMG_VHD or
 * XK_IMG_VMDK).  progress (may be NULL) counts source bytes.
 */
int xk_ova_write(const char *out, const struct xk_xv *ova,
    const struct xk_ova_disk *disks, size_t n, enum xk_img_format fmt,
    struct xk_progress *progress, struct xk_error *err);

/* A file of the References section. */
struct xk_ovf_file {
	char *id, *href;
	uint64_t size;		/* ovf:size, 0 if not given */
	char *vdi_ref;		/* the VDI it holds; NULL if none */
	enum xk_img_format format;
	bool compressed;	/* ovf:compression given */
	bool seen;		/* OVA: member read */
	char digest[65];	/* OVA: SHA256 of the member */
	char digest1[41];	/* OVA: SHA1 of the member */
	char *want;		/* the manifest's digest, NULL if none */
	bool sha1;		/* the manifest uses SHA1 */
};

/* A parsed descriptor: records as ova.xml would hold them, and files. */
struct xk_ovf {
	struct xk_xv *ova;	/* version, objects */
	struct xk_ovf_file *files;
	size_t nfiles;
	char *self;		/* the descriptor's own file name */
	char *self_want;	/* the manifest's digest of it, NULL if none */
	bool self_sha1;		/* ... which is a SHA1 */
};

struct xk_ovf *xk_ovf_parse(const char *name, const char *data, size_t len,
    struct xk_error *err);
/* The file whose id or href is s; NULL if none. */
struct xk_ovf_file *xk_ovf_file(struct xk_ovf *o, const char *s);
/*
 * Read manifest text ("SHA256(NAME)= HEX" or "SHA1(NAME)= HEX" lines,
 * OVF 2.x and 1.x) into the files' want and the descriptor's
 * self_want; names the descriptor does not reference are ignored.
 */
int xk_ovf_manifest(struct xk_ovf *o, const char *name, const char *data,
    size_t len, struct xk_error *err);
/*
 * A descriptor read from path (not from an OVA), data and len its
 * bytes: verify the manifest beside it (NAME.mf for NAME.ovf) as an
 * OVA's is verified, the descriptor's own digest and that of every
 * file it references and the manifest lists, read from path's
 * directory.  0 when they all match; 1 when there is no manifest
 * (nothing verified, a note added to notes); -1 on a mismatch, naming
 * the file, the manifest's digest and the file's, or another error.
 */
int xk_ovf_verify_files(struct xk_ovf *o, const char *path,
    const char *data, size_t len, struct xk_notes *notes,
    struct xk_error *err);
void xk_ovf_free(struct xk_ovf *o);
/* SHA1 (sha1 may be NULL) and SHA256 of a file, lowercase hex. */
int xk_ovf_hash_file(const char *path, char sha1[41], char sha256[65],
    struct xk_error *err);

/*
 * Read an OVA: the descriptor must be the first member, then the
 * manifest and the files the descriptor names, nothing else.  Each
 * disk member is copied to a temporary file in dir (only hashed when
 * dir is NULL) and handed to disk() before being removed.  Every
 * digest of the manifest is checked (a mismatch fails the read, also
 * when the manifest comes last).
 */
struct xk_ova_cb {
	void *arg;
	int (*descriptor)(void *arg, struct xk_ovf *ovf, struct xk_error *err);
	int (*disk)(void *arg, struct xk_ovf *ovf, struct xk_ovf_file *f,
	    const char *tmp, struct xk_error *err);
};

int xk_ova_read(const char *path, const char *dir, const struct xk_ova_cb *cb,
    struct xk_ovf **ovf, struct xk_error *err);

/*
 * Copy a streamOptimized VMDK (what OVA packages from Xen Orchestra and
 * VMware carry) front to back into sink: header, then grain markers in
 * ascending order, each grain inflated; metadata markers are skipped.
 * size is the virtual size the descriptor declares (checked); sink
 * NULL reads it through only.  disk.h
 * has no VMDK source yet; this reads only the streaming layout.
 */
int xk_vmdk_stream_copy(const char *path, uint64_t size,
    struct xk_disk_sink *sink, struct xk_progress *progress, uint64_t base,
    struct xk_error *err);
/* The same from a stream, handing each grain to write() (fuzzing). */
int xk_vmdk_stream_read(FILE *f, const char *path, uint64_t size,
    int (*write)(void *arg, const void *buf, size_t len, uint64_t off,
    struct xk_error *err), void *arg, struct xk_error *err);

#endif
