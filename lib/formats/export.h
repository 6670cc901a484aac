/*
 * export.h - `xk export` as one transaction: an xl.cfg's domain and its
 * disks written as an XVA, an OVA or a VHD under a temporary name beside
 * OUT and renamed onto it when complete.  Inputs are only ever opened
 * read-only; OUT may not be one of them.  What a killed earlier export
 * left beside OUT is swept first.  The command parses options and
 * prints the result.
 */
#ifndef XK_FORMATS_EXPORT_H
#define XK_FORMATS_EXPORT_H

#include <stdbool.h>

#include <jansson.h>

#include "config/domcfg.h"
#include "formats/disk.h"
#include "formats/vmmodel.h"
#include "formats/xva.h"
#include "util/error.h"
#include "util/tempfile.h"

enum xk_export_format { XK_EXPORT_XVA, XK_EXPORT_OVA, XK_EXPORT_VHD };

struct xk_export_opts {
	const char *cfg;		/* the xl.cfg dc was loaded from */
	const char *out;
	enum xk_export_format format;
	enum xk_xva_sum sum;		/* XVA: the chunks' checksums */
	enum xk_img_format ova_disks;	/* OVA: XK_IMG_VHD or XK_IMG_VMDK */
	bool to_hvm;			/* a PV guest described as HVM */
	bool strict;			/* a warning fails the export */
};

/* What an export did, for the caller to print. */
struct xk_export_result {
	json_t *disks;		/* per exported disk: vdev, source, size,
				 * allocated; for XVA also ref, chunks and
				 * zero_chunks_skipped */
	struct xk_notes warnings;	/* xl.cfg keys with no counterpart */
	struct xk_swept swept;		/* a killed export's leftovers */
};

/*
 * Export dc (loaded from o->cfg) to o->out.  The time stamps written
 * are SOURCE_DATE_EPOCH's, else 0 (the same VM exports the same
 * bytes).  With o->strict, any warning fails it before anything is
 * written.  res is filled either way; free it with
 * xk_export_result_free.
 */
int xk_export(const struct xk_export_opts *o, const struct xk_domcfg *dc,
    struct xk_export_result *res, struct xk_error *err);
void xk_export_result_free(struct xk_export_result *res);

#endif
