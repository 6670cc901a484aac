/*
 * export.c - xk_export: an xl.cfg's domain and its disks to XVA, OVA or
 * VHD (see export.h).  Each disk is opened once and scanned once for
 * its allocation; the records (vmmodel.h) are made before anything is
 * written, so that --strict can refuse first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/export.h"
#include "formats/ovf.h"
#include "formats/uuid.h"

/* One disk of the config that is exported. */
struct edisk {
	const struct xk_disk *d;
	struct xk_disk_src *src;
	struct xk_vm_disk *vd;
	json_t *j;			/* its entry in res->disks */
};

struct job {
	const struct xk_export_opts *o;
	const struct xk_domcfg *dc;
	struct xk_export_result *res;
	struct edisk *ed;		/* the exported disks: n of them */
	size_t n;
	struct xk_vm_disk *vd;		/* per dc->disks[i] */
	struct xk_vm_opts vo;
	char host[256];
};

static int
img_format(const struct xk_disk *d, enum xk_img_format *f,
    struct xk_error *err)
{
	switch (d->format) {
	case XK_DISK_FORMAT_RAW:
	case XK_DISK_FORMAT_UNKNOWN:
		*f = XK_IMG_RAW;
		return 0;
	case XK_DISK_FORMAT_QCOW2:
		*f = XK_IMG_QCOW2;
		return 0;
	case XK_DISK_FORMAT_VHD:
		*f = XK_IMG_VHD;
		return 0;
	default:
		xk_error_set(err, "disk %s: format %s cannot be read (raw, "
		    "qcow2 and vhd can)", d->vdev,
		    xk_disk_format_name(d->format));
		return -1;
	}
}

/* Bytes holding data, from the source's extents. */
static int
allocated(struct xk_disk_src *src, uint64_t *out, struct xk_error *err)
{
	uint64_t off = 0, size = xk_disk_src_size(src), start, len;
	int rc;

	*out = 0;
	while (off < size &&
	    (rc = xk_disk_src_next_data(src, off, &start, &len, err)) == 0) {
		if (start + len > size)
			len = size - start;
		*out += len;
		off = start + len;
		if (len == 0)
			break;
	}
	return off < size && rc < 0 ? -1 : 0;
}

/* Its entry in res->disks: what was read. */
static int
disk_json(struct job *j, struct edisk *e, struct xk_error *err)
{
	e->j = json_pack("{s:s, s:s, s:I, s:I}", "vdev", e->d->vdev,
	    "source", e->d->target, "size", (json_int_t)e->vd->size,
	    "allocated", (json_int_t)e->vd->allocated);
	if (e->j == NULL || json_array_append_new(j->res->disks, e->j) < 0) {
		e->j = NULL;
		return xk_error_errno(err, ENOMEM, "%s", j->o->out), -1;
	}
	return 0;
}

static int
open_disks(struct job *j, struct xk_error *err)
{
	for (size_t i = 0; i < j->dc->ndisks; i++) {
		const struct xk_disk *d = &j->dc->disks[i];
		struct edisk *e = &j->ed[j->n];
		enum xk_img_format f;

		if (!xk_vm_disk_exported(d))
			continue;
		if (img_format(d, &f, err) < 0)
			return -1;
		e->d = d;
		e->vd = &j->vd[i];
		e->src = xk_disk_src_open(d->target, f, err);
		if (e->src == NULL) {
			xk_error_prefix(err, "disk %s", d->vdev);
			return -1;
		}
		j->n++;
		e->vd->size = xk_disk_src_size(e->src);
		if (allocated(e->src, &e->vd->allocated, err) < 0 ||
		    disk_json(j, e, err) < 0)
			return -1;
	}
	return 0;
}

/* Renaming onto OUT must never replace the config or a disk. */
static int
not_an_input(const struct xk_export_opts *o, const struct xk_domcfg *dc,
    struct xk_error *err)
{
	struct stat out, in;

	if (stat(o->out, &out) < 0)
		return 0;
	for (size_t i = 0; i <= dc->ndisks; i++) {
		const char *p = i < dc->ndisks ? dc->disks[i].target : o->cfg;

		if (p != NULL && stat(p, &in) == 0 && in.st_dev ==
		    out.st_dev && in.st_ino == out.st_ino) {
			xk_error_set(err, "%s is an input (%s): refusing to "
			    "replace it", o->out, p);
			return -1;
		}
	}
	return 0;
}

/*
 * The time every time stamp of the output gets: SOURCE_DATE_EPOCH if
 * set (reproducible-builds.org), else 0, never the clock, so that the
 * same VM exports the same bytes.
 */
static int
source_date(int64_t *t, struct xk_error *err)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	long long v;
	char *end;

	*t = 0;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0') {
		xk_error_set(err, "SOURCE_DATE_EPOCH: '%.32s' is not a number "
		    "of seconds since 1970", s);
		return -1;
	}
	*t = v;
	return 0;
}

static int
cmp_ref(const void *a, const void *b)
{
	const struct xk_xva_wdisk *x = a, *y = b;

	return strcmp(x->ref, y->ref);
}

/* After the write: each disk's chunk counts, found by its ref. */
static void
xva_json(struct job *j, const struct xk_xva_wdisk *wd)
{
	for (size_t i = 0; i < j->n; i++) {
		struct edisk *e = &j->ed[i];

		for (size_t k = 0; k < j->n; k++) {
			if (wd[k].src != e->src)
				continue;
			json_object_set_new(e->j, "ref", json_string(wd[k].ref));
			json_object_set_new(e->j, "chunks", json_integer(
			    (json_int_t)wd[k].chunks));
			json_object_set_new(e->j, "zero_chunks_skipped",
			    json_integer((json_int_t)wd[k].skipped));
		}
	}
}

static int
write_xva(struct job *j, const struct xk_xv *ova, struct xk_error *err)
{
	struct xk_xva_wdisk *wd = calloc(j->n + 1, sizeof(*wd));
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct xk_progress *p;
	uint64_t total = 0;
	int rc = -1;

	if (wd == NULL)
		return xk_error_errno(err, ENOMEM, "%s", j->o->out), -1;
	for (size_t i = 0; i < j->n; i++) {
		wd[i].ref = j->ed[i].vd->ref;
		wd[i].src = j->ed[i].src;
		total += j->ed[i].vd->size;
	}
	qsort(wd, j->n, sizeof(*wd), cmp_ref);
	if (xk_tempfile_open(&t, j->o->out, err) < 0)
		goto out;
	p = xk_progress_start("export", total);
	rc = xk_xva_write(t.fd, j->o->out, ova, wd, j->n, j->o->sum, p, err);
	xk_progress_end(p);
	if (rc < 0)
		xk_tempfile_abort(&t, err);
	else
		rc = xk_tempfile_commit(&t, err);
	if (rc == 0)
		xva_json(j, wd);
out:
	free(wd);
	return rc;
}

/*
 * The VHD output: one disk, copied as `xk convert` does, its UUID
 * derived from the VM's and its time stamp fixed (reproducible).
 */
static int
write_vhd(struct job *j, struct xk_error *err)
{
	struct edisk *ed = &j->ed[0];
	uint64_t size = xk_disk_src_size(ed->src);
	struct xk_disk_id id = { { 0 }, j->vo.date, NULL };
	struct xk_disk_sink *sink;
	struct xk_progress *p;
	char u[37], name[48];
	int rc;

	if (xk_vm_uuid(j->dc, u, err) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s/vhd", u);
	if (xk_uuid_v5(XK_UUID_NS, name, strlen(name), id.uuid) < 0) {
		xk_error_set(err, "%s: making a UUID failed", j->o->out);
		return -1;
	}
	sink = xk_disk_sink_create_id(j->o->out, XK_IMG_VHD, size, &id, err);
	if (sink == NULL)
		return -1;
	p = xk_progress_start("export", size);
	rc = xk_disk_copy(ed->src, sink, p, NULL, err);
	xk_progress_end(p);
	if (rc < 0) {
		xk_disk_sink_discard(sink, err);
		return -1;
	}
	return xk_disk_sink_commit(sink, err);
}

static int
write_ova(struct job *j, const struct xk_xv *ova, struct xk_error *err)
{
	struct xk_ova_disk *od = calloc(j->n + 1, sizeof(*od));
	struct xk_progress *p;
	uint64_t total = 0;
	int rc;

	if (od == NULL)
		return xk_error_errno(err, ENOMEM, "%s", j->o->out), -1;
	for (size_t i = 0; i < j->n; i++) {
		od[i].src = j->ed[i].src;
		od[i].disk = j->ed[i].d;
		od[i].mtime = j->vo.date;
		od[i].ref = j->ed[i].vd->ref;
		total += j->ed[i].vd->size;
	}
	p = xk_progress_start("export", total);
	rc = xk_ova_write(j->o->out, ova, od, j->n, j->o->ova_disks, p, err);
	xk_progress_end(p);
	free(od);
	return rc;
}

/* The records, made before anything is written: --strict stops here. */
static int
records(struct job *j, struct xk_xv **ova, struct xk_error *err)
{
	struct xk_notes *w = &j->res->warnings;

	if (j->o->format == XK_EXPORT_VHD && j->n != 1) {
		xk_error_set(err, "%s: a VHD holds one disk, the config has "
		    "%zu (export to xva or ova)", j->o->cfg, j->n);
		return -1;
	}
	if (j->o->format != XK_EXPORT_VHD) {
		*ova = xk_vm_to_ova(j->dc, j->vd, &j->vo, w, err);
		if (*ova == NULL)
			return -1;
	}
	if (j->o->strict && w->n > 0) {
		xk_error_set(err, "%s: %zu warning%s and --strict: nothing "
		    "written", j->o->cfg, w->n, w->n == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

static int
run(struct job *j, struct xk_error *err)
{
	struct xk_xv *ova = NULL;
	int rc = -1;

	if (gethostname(j->host, sizeof(j->host)) == 0) {
		j->host[sizeof(j->host) - 1] = '\0';
		j->vo.hostname = j->host;
	}
	if (source_date(&j->vo.date, err) < 0 ||
	    not_an_input(j->o, j->dc, err) < 0 ||
	    xk_tempfile_sweep_for(j->o->out, &j->res->swept, err) < 0 ||
	    open_disks(j, err) < 0 || records(j, &ova, err) < 0)
		goto out;
	switch (j->o->format) {
	case XK_EXPORT_XVA:
		rc = write_xva(j, ova, err);
		break;
	case XK_EXPORT_VHD:
		rc = write_vhd(j, err);
		break;
	case XK_EXPORT_OVA:
		rc = write_ova(j, ova, err);
		break;
	}
out:
	xk_xv_free(ova);
	return rc;
}

int
xk_export(const struct xk_export_opts *o, const struct xk_domcfg *dc,
    struct xk_export_result *res, struct xk_error *err)
{
	struct job j = { .o = o, .dc = dc, .res = res,
	    .vo = { .to_hvm = o->to_hvm } };
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->disks = json_array();
	j.ed = calloc(dc->ndisks + 1, sizeof(*j.ed));
	j.vd = calloc(dc->ndisks + 1, sizeof(*j.vd));
	if (res->disks == NULL || j.ed == NULL || j.vd == NULL)
		xk_error_errno(err, ENOMEM, "%s", o->cfg);
	else
		rc = run(&j, err);
	for (size_t i = 0; i < j.n; i++)
		xk_disk_src_close(j.ed[i].src);
	free(j.ed);
	free(j.vd);
	return rc;
}

void
xk_export_result_free(struct xk_export_result *res)
{
	json_decref(res->disks);
	res->disks = NULL;
	xk_notes_free(&res->warnings);
	xk_swept_free(&res->swept);
}
