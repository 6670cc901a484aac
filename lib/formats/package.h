/*
 * package.h - what `xk import` and `xk inspect` read: an XVA, an OVA,
 * an OVF descriptor with its files beside it, or a VHD, recognised by
 * content (not by file name), and read and checked by one path for
 * both commands, so that inspect refuses exactly what import refuses,
 * with the same message.  Import copies the disks into sinks; inspect
 * passes no sink and every disk is read through and checked all the
 * same.
 */
#ifndef XK_FORMATS_PACKAGE_H
#define XK_FORMATS_PACKAGE_H

#include "formats/disk.h"
#include "formats/ovf.h"
#include "formats/vmmodel.h"
#include "util/error.h"

enum xk_pkg_format { XK_PKG_XVA, XK_PKG_OVA, XK_PKG_OVF, XK_PKG_VHD };

const char *xk_pkg_format_name(enum xk_pkg_format f);
/*
 * The kind of package path holds, from its first and last bytes: a VHD
 * footer, a tar whose first member is ova.xml (XVA) or a descriptor
 * (OVA), gzip or zstd (a compressed XVA), XML text (OVF).
 */
int xk_pkg_probe(const char *path, enum xk_pkg_format *f,
    struct xk_error *err);

/*
 * One disk file of an OVA or OVF, at path (an OVA's is unpacked), into
 * sink or, with sink NULL, read through only: a VHD or raw image is
 * opened through its format and must hold size bytes (what the
 * descriptor declares), a streamOptimized VMDK is inflated front to
 * back.  in names the package in messages.
 */
int xk_pkg_ovf_disk(const char *in, const struct xk_ovf_file *f,
    const char *path, uint64_t size, struct xk_disk_sink *sink,
    struct xk_progress *progress, struct xk_error *err);

/*
 * Read an OVA (f XK_PKG_OVA: see xk_ova_read; its disks are unpacked to
 * temporary files in dir) or a descriptor with its files beside it
 * (XK_PKG_OVF: its manifest verified first, a missing one noted in
 * notes), calling cb->descriptor once and cb->disk for every file that
 * holds a disk.  Afterwards, a disk without a manifest digest is noted.
 */
int xk_pkg_read_ovf(const char *in, enum xk_pkg_format f, const char *dir,
    const struct xk_ova_cb *cb, struct xk_ovf **ovf, struct xk_notes *notes,
    struct xk_error *err);

#endif
