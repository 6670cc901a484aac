/*
 * import.c - xk import's transaction (see import.h).
 *
 * Disks are streamed: every XVA chunk is verified before it is written,
 * zero chunks are not written (the images stay sparse).  Nothing
 * appears under its final name until everything has been read and
 * verified: a failed import leaves DIR as it was.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/import.h"
#include "formats/ovf.h"
#include "formats/xva.h"
#include "util/file.h"
#include "util/interrupt.h"

/* Everything one import creates, so that a failure can remove it. */
struct job {
	const struct xk_import_opts *o;
	struct xk_import_result *res;	/* format, compression, disks... */
	char dir[PATH_MAX];
	bool made_dir;
	char *name;			/* file-name-safe VM name */
	struct xk_vm_in in;
	struct xk_disk_sink **sinks;	/* per in.disks[i], NULL if none */
	bool *committed;
	char *cfg_path;
	struct xk_progress *progress;
	uint64_t total, done;		/* bytes of the disks finished */
	const struct xk_xva_vdi *cur;	/* the disk being read */
};

static char *
safe_name(const char *label)
{
	char *s = strdup(label != NULL && *label != '\0' ? label : "vm");

	for (char *p = s; p != NULL && *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    (*p == '.' && p != s)))
			*p = '_';
	return s;
}

static int
make_dir(struct job *j, struct xk_error *err)
{
	struct stat st;

	if (stat(j->o->dir, &st) < 0) {
		if (errno != ENOENT || mkdir(j->o->dir, 0755) < 0)
			return xk_error_errno(err, errno, "%s", j->o->dir), -1;
		j->made_dir = true;
	} else if (!S_ISDIR(st.st_mode)) {
		return xk_error_set(err, "%s: not a directory", j->o->dir), -1;
	}
	if (realpath(j->o->dir, j->dir) == NULL)
		return xk_error_errno(err, errno, "%s", j->o->dir), -1;
	/* what a killed import left in DIR goes first */
	return xk_tempfile_sweep(j->dir, &j->res->swept, err);
}

static int
no_clobber(const char *path, struct xk_error *err)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		xk_error_set(err, "%s: exists already (remove it or import "
		    "into another directory)", path);
		return -1;
	}
	return 0;
}

/* Create a sink for every disk that has data (all before any data). */
static int
open_sinks(struct job *j, struct xk_error *err)
{
	const char *ext = j->o->disk_format == XK_IMG_QCOW2 ? "qcow2" : "img";

	j->sinks = calloc(j->in.ndisks + 1, sizeof(*j->sinks));
	j->committed = calloc(j->in.ndisks + 1, sizeof(*j->committed));
	if (j->sinks == NULL || j->committed == NULL ||
	    asprintf(&j->cfg_path, "%s/%s.cfg", j->dir, j->name) < 0) {
		j->cfg_path = NULL;
		return xk_error_errno(err, ENOMEM, "%s", j->o->in), -1;
	}
	/* refuse before reading any data, not after */
	if (no_clobber(j->cfg_path, err) < 0)
		return -1;
	for (size_t i = 0; i < j->in.ndisks; i++) {
		struct xk_vm_in_disk *d = &j->in.disks[i];

		if (d->vdi_ref == NULL)
			continue;
		if (asprintf(&d->target, "%s/%s-%s.%s", j->dir, j->name,
		    d->vdev, ext) < 0) {
			d->target = NULL;
			return xk_error_errno(err, ENOMEM, "%s", j->o->in), -1;
		}
		d->format = j->o->disk_format == XK_IMG_QCOW2 ?
		    XK_DISK_FORMAT_QCOW2 : XK_DISK_FORMAT_RAW;
		if (no_clobber(d->target, err) < 0)
			return -1;
		j->sinks[i] = xk_disk_sink_create(d->target,
		    j->o->disk_format, d->size, err);
		if (j->sinks[i] == NULL)
			return -1;
		j->total += d->size;
	}
	return 0;
}

static int
sink_data(void *arg, struct xk_xva_vdi *vdi, uint64_t off, const void *buf,
    size_t len, struct xk_error *err)
{
	struct job *j = arg;

	if (j->cur != vdi) {
		if (j->cur != NULL)
			j->done += j->cur->size;
		j->cur = vdi;
	}
	for (size_t i = 0; i < j->in.ndisks; i++) {
		struct xk_vm_in_disk *d = &j->in.disks[i];

		if (d->vdi_ref == NULL || strcmp(d->vdi_ref, vdi->ref) != 0)
			continue;
		if (xk_disk_sink_pwrite(j->sinks[i], buf, len, off, err) < 0)
			return -1;
		/* disks come in order: the ones before, then this offset */
		xk_progress_update(j->progress, j->done + off + len);
		return 0;
	}
	return 0;	/* a VDI no VBD of the VM uses: verified, not kept */
}

static int
import_xva(struct job *j, struct xk_error *err)
{
	struct xk_xva_reader *r = xk_xva_open(j->o->in, err);
	struct xk_xva_sink sink = { j, sink_data };
	int rc = -1;

	if (r == NULL)
		return -1;
	j->res->compression = r->compression;
	if (xk_vm_from_ova(r->ova, &j->in, err) < 0)
		goto out;
	j->name = safe_name(xk_xv_text(j->in.vm, "name_label"));
	if (j->name == NULL || make_dir(j, err) < 0 || open_sinks(j, err) < 0)
		goto out;
	j->progress = xk_progress_start("import", j->total);
	if (xk_xva_read_disks(r, &sink, err) < 0)
		goto out;
	xk_progress_update(j->progress, j->total);
	for (size_t i = 0; i < j->in.ndisks; i++) {
		struct xk_vm_in_disk *d = &j->in.disks[i];
		struct xk_xva_vdi *v;

		if (d->vdi_ref == NULL)
			continue;
		v = xk_xva_vdi(r, d->vdi_ref);
		if (v == NULL || !v->seen) {
			xk_error_set(err, "%s: disk %s (%s): no data in the "
			    "archive", j->o->in, d->vdi_ref, d->vdev);
			goto out;
		}
		json_array_append_new(j->res->disks, json_pack("{s:s, s:s, s:I, "
		    "s:I, s:I, s:s, s:s}", "vdev", d->vdev, "vdi", d->vdi_ref,
		    "size", (json_int_t)d->size, "data", (json_int_t)v->data,
		    "chunks", (json_int_t)v->chunks, "checksum", v->sha1 &&
		    v->xxhash ? "sha1+xxhash" : v->xxhash ? "xxhash" : "sha1",
		    "target", d->target));
	}
	for (size_t i = 0; i < r->nvdis; i++)
		if (xk_vm_in_disk_by_ref(&j->in, r->vdis[i].ref) == NULL)
			xk_notes_add(&j->res->warnings, "VDI %s: no VBD of the VM uses it: "
			    "verified, not imported", r->vdis[i].ref);
	rc = 0;
out:
	/* in borrows from r->ova: keep it alive with the job */
	if (rc == 0) {
		j->in.owned = r->ova;
		r->ova = NULL;
	}
	xk_xva_close(r);
	return rc;
}

/* A VHD alone: one disk, and a config with stated defaults. */
static int
import_vhd(struct job *j, struct xk_error *err)
{
	struct xk_disk_src *src = xk_disk_src_open(j->o->in, XK_IMG_VHD, err);
	struct xk_xv *vm = xk_xv_struct(), *hp = xk_xv_struct();
	const char *base = strrchr(j->o->in, '/');
	uint64_t size;
	char *stem;
	int rc = -1;

	if (src == NULL)
		goto out;
	if (vm == NULL || hp == NULL) {
		xk_error_errno(err, ENOMEM, "%s", j->o->in);
		goto out;
	}
	stem = strdup(base ? base + 1 : j->o->in);
	/* "web.vhd" becomes "web" */
	if (stem != NULL && strlen(stem) > 4 &&
	    strcmp(stem + strlen(stem) - 4, ".vhd") == 0)
		stem[strlen(stem) - 4] = '\0';
	j->name = safe_name(stem);
	free(stem);
	size = xk_disk_src_size(src);
	rc = xk_xv_set(vm, "name_label", xk_xv_str(j->name));
	rc |= xk_xv_set(vm, "memory_dynamic_max", xk_xv_str("1073741824"));
	rc |= xk_xv_set(vm, "memory_static_max", xk_xv_str("1073741824"));
	rc |= xk_xv_set(vm, "VCPUs_at_startup", xk_xv_str("1"));
	rc |= xk_xv_set(vm, "VCPUs_max", xk_xv_str("1"));
	rc |= xk_xv_set(vm, "HVM_boot_policy", xk_xv_str("BIOS order"));
	rc |= xk_xv_set(hp, "order", xk_xv_str("c"));
	rc |= xk_xv_set(vm, "HVM_boot_params", hp);
	hp = NULL;
	rc |= xk_xv_set(vm, "domain_type", xk_xv_str("hvm"));
	j->in.disks = calloc(1, sizeof(*j->in.disks));
	if (rc != 0 || j->in.disks == NULL) {
		xk_error_errno(err, ENOMEM, "%s", j->o->in);
		rc = -1;
		goto out;
	}
	j->in.vm = j->in.owned = vm;
	vm = NULL;
	j->in.ndisks = 1;
	j->in.disks[0].vdi_ref = "vhd";
	j->in.disks[0].size = size;
	j->in.disks[0].vdev = strdup("xvda");
	j->in.disks[0].readwrite = true;
	xk_notes_add(&j->res->warnings, "a VHD holds a disk only: the config gets type "
	    "hvm, memory 1024 MiB, 1 vCPU: review it");
	rc = -1;
	if (j->in.disks[0].vdev == NULL || make_dir(j, err) < 0 ||
	    open_sinks(j, err) < 0)
		goto out;
	j->progress = xk_progress_start("import", size);
	rc = xk_disk_copy(src, j->sinks[0], j->progress, NULL, err);
	if (rc == 0)
		json_array_append_new(j->res->disks, json_pack("{s:s, s:I, s:s}",
		    "vdev", "xvda", "size", (json_int_t)size, "target",
		    j->in.disks[0].target));
out:
	xk_xv_free(vm);
	xk_xv_free(hp);
	xk_disk_src_close(src);
	return rc;
}

/* The records of a descriptor: the disks to create. */
static int
ova_descriptor(void *arg, struct xk_ovf *ovf, struct xk_error *err)
{
	struct job *j = arg;

	if (xk_vm_from_ova(ovf->ova, &j->in, err) < 0)
		return -1;
	j->name = safe_name(xk_xv_text(j->in.vm, "name_label"));
	if (j->name == NULL || make_dir(j, err) < 0 || open_sinks(j, err) < 0)
		return -1;
	j->progress = xk_progress_start("import", j->total);
	return 0;
}

/* Copy one disk file of the package (VHD, raw, VMDK) into its sink. */
static int
ova_disk(void *arg, struct xk_ovf *ovf, struct xk_ovf_file *f,
    const char *path, struct xk_error *err)
{
	struct job *j = arg;
	struct xk_vm_in_disk *d;
	size_t i;

	(void)ovf;
	for (i = 0; i < j->in.ndisks; i++)
		if (j->in.disks[i].vdi_ref != NULL &&
		    strcmp(j->in.disks[i].vdi_ref, f->vdi_ref) == 0)
			break;
	if (i == j->in.ndisks || j->sinks[i] == NULL)
		return 0;	/* a disk no item uses */
	d = &j->in.disks[i];
	/* the progress line counts the disks before this one */
	xk_progress_base(j->progress, j->done);
	if (xk_pkg_ovf_disk(j->o->in, f, path, d->size, j->sinks[i],
	    j->progress, err) < 0)
		return -1;
	j->done += d->size;
	json_array_append_new(j->res->disks, json_pack("{s:s, s:s, s:I, s:s, "
	    "s:s}", "vdev", d->vdev, "file", f->href, "size",
	    (json_int_t)d->size, "checksum", f->want ? (f->sha1 ? "sha1" :
	    "sha256") : "none", "target", d->target));
	return 0;
}

/*
 * An OVA, or a descriptor with its files beside it (every digest
 * verified before anything is created): the reading path xk inspect
 * takes too.  An OVA's disks are unpacked next to the outputs (j->dir,
 * set by ova_descriptor before the first disk).
 */
static int
import_ova(struct job *j, struct xk_error *err)
{
	struct xk_ova_cb cb = { j, ova_descriptor, ova_disk };
	struct xk_ovf *ovf = NULL;

	if (xk_pkg_read_ovf(j->o->in, j->res->format, j->dir, &cb, &ovf, &j->res->warnings,
	    err) < 0)
		return -1;
	j->in.owned = ovf->ova;
	ovf->ova = NULL;
	xk_ovf_free(ovf);
	return 0;
}

/* Commit every disk, then write the config: the last step. */
static int
finish(struct job *j, struct xk_error *err)
{
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct strbuf cfg = STRBUF_INIT;
	int rc = -1;

	if (xk_vm_write_xlcfg(&j->in, &cfg, &j->res->warnings, err) < 0 ||
	    no_clobber(j->cfg_path, err) < 0 ||
	    xk_tempfile_open(&t, j->cfg_path, err) < 0 ||
	    xk_write_all(t.fd, cfg.buf, cfg.len, t.tmp, err) < 0)
		goto out;
	for (size_t i = 0; i < j->in.ndisks; i++) {
		if (j->sinks[i] == NULL)
			continue;
		rc = xk_disk_sink_commit(j->sinks[i], err);
		j->sinks[i] = NULL;
		if (rc < 0)
			goto out;
		j->committed[i] = true;
	}
	/* the config's rename is the import's last step: its commit */
	rc = xk_tempfile_commit(&t, err);
out:
	xk_tempfile_abort(&t, rc < 0 ? err : NULL);
	strbuf_free(&cfg);
	return rc;
}

/* Remove whatever this import created, after the failure err says. */
static void
undo(struct job *j, struct xk_error *err)
{
	for (size_t i = 0; j->sinks != NULL && i < j->in.ndisks; i++) {
		if (j->sinks[i] != NULL)
			xk_disk_sink_discard(j->sinks[i], err);
		j->sinks[i] = NULL;
		if (j->committed[i]) {
			xk_interrupt_removed(err, j->in.disks[i].target);
			unlink(j->in.disks[i].target);
		}
	}
	if (j->made_dir && rmdir(j->dir) == 0)
		xk_interrupt_removed(err, j->dir);
}

/* The result's copies of what the caller prints. */
static int
fill_result(struct job *j, struct xk_error *err)
{
	const char *name = xk_xv_text(j->in.vm, "name_label");
	const char *uuid = xk_xv_text(j->in.vm, "uuid");
	struct xk_import_result *r = j->res;

	r->dir = strdup(j->dir);
	r->cfg_path = j->cfg_path;
	j->cfg_path = NULL;
	r->name = name != NULL ? strdup(name) : NULL;
	r->uuid = uuid != NULL ? strdup(uuid) : NULL;
	if (r->dir == NULL || (name != NULL && r->name == NULL) ||
	    (uuid != NULL && r->uuid == NULL)) {
		xk_error_errno(err, ENOMEM, "%s", j->o->in);
		return -1;
	}
	return 0;
}

int
xk_import(const struct xk_import_opts *o, struct xk_import_result *res,
    struct xk_error *err)
{
	struct job j;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&j, 0, sizeof(j));
	j.o = o;
	j.res = res;
	res->disks = json_array();
	rc = res->disks != NULL ? xk_pkg_probe(o->in, &res->format, err) :
	    (xk_error_errno(err, ENOMEM, "%s", o->in), -1);
	if (rc == 0) {
		switch (res->format) {
		case XK_PKG_XVA:
			rc = import_xva(&j, err);
			break;
		case XK_PKG_VHD:
			rc = import_vhd(&j, err);
			break;
		default:
			rc = import_ova(&j, err);
		}
	}
	xk_progress_end(j.progress);
	if (rc == 0)
		rc = finish(&j, err);
	if (rc == 0)
		rc = fill_result(&j, err);
	else
		undo(&j, err);
	free(j.sinks);
	free(j.committed);
	free(j.cfg_path);
	free(j.name);
	xk_vm_in_free(&j.in);
	return rc;
}

void
xk_import_result_free(struct xk_import_result *res)
{
	free(res->dir);
	free(res->cfg_path);
	free(res->name);
	free(res->uuid);
	json_decref(res->disks);
	xk_notes_free(&res->warnings);
	xk_swept_free(&res->swept);
	memset(res, 0, sizeof(*res));
}
