/*
 * import.h - `xk import` as one transaction: an XVA, OVA, OVF or VHD
 * read (package.h), its disks written through sinks and its VM record
 * turned into an xl.cfg (vmmodel.h), all under temporary names; the
 * disks are committed, then the config, whose rename is the commit of
 * the whole import.  A failure at any point removes what the import
 * created (the disks, the directory if it made it), so DIR is left as
 * it was.  The command only parses options and prints the result.
 */
#ifndef XK_FORMATS_IMPORT_H
#define XK_FORMATS_IMPORT_H

#include <jansson.h>

#include "formats/disk.h"
#include "formats/package.h"
#include "formats/vmmodel.h"
#include "util/error.h"
#include "util/tempfile.h"

struct xk_import_opts {
	const char *in;		/* the package */
	const char *dir;	/* the output directory, made if missing */
	enum xk_img_format disk_format;	/* raw or qcow2 */
};

/* What an import did, for the caller to print. */
struct xk_import_result {
	enum xk_pkg_format format;
	const char *compression;	/* an XVA's ("gzip", "zstd") or NULL */
	char *dir;			/* the output directory, absolute */
	char *cfg_path;			/* the xl.cfg written */
	char *name;			/* the VM's name_label, NULL if none */
	char *uuid;			/* the VM's uuid, NULL if none */
	json_t *disks;			/* per disk: what was read, written */
	struct xk_notes warnings;	/* what did not map exactly */
	struct xk_swept swept;		/* a killed import's leftovers removed
					 * from dir, before anything else */
};

/*
 * Import o->in into o->dir.  On failure everything created is removed
 * again (err says what failed and, after a signal, what was removed);
 * res->swept is filled either way.
 */
int xk_import(const struct xk_import_opts *o, struct xk_import_result *res,
    struct xk_error *err);
void xk_import_result_free(struct xk_import_result *res);

#endif
