/*
 * cmd-export.c - xk export: an xl.cfg and its disks to XVA, OVA or VHD.
 *
 * Warnings name every xl.cfg key that has no counterpart in the target
 * format (--strict makes them errors, before anything is written).  The
 * output is written under a temporary name next to OUT and renamed when
 * complete; inputs are only ever opened read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "config/domcfg.h"
#include "formats/disk.h"
#include "formats/ovf.h"
#include "formats/uuid.h"
#include "formats/vmmodel.h"
#include "formats/xva.h"
#include "util/file.h"
#include "util/interrupt.h"
#include "util/tempfile.h"
#include "xk.h"

static const char *const cmd = "export";

enum { OPT_JSON = 1, OPT_FORMAT, OPT_CHECKSUM, OPT_TO_HVM, OPT_STRICT,
    OPT_DISK_FORMAT };

static const struct option export_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "checksum", required_argument, NULL, OPT_CHECKSUM },
	{ "to-hvm", no_argument, NULL, OPT_TO_HVM },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "disk-format", required_argument, NULL, OPT_DISK_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

enum outfmt { OUT_XVA, OUT_OVA, OUT_VHD };

/* in enum order: the JSON summary names them from here */
static const struct xk_choice formats[] = {
	{ "xva", OUT_XVA }, { "ova", OUT_OVA }, { "vhd", OUT_VHD },
	{ NULL, 0 },
};
/* in enum order too */
static const struct xk_choice sums[] = {
	{ "sha1", XK_XVA_SHA1 }, { "xxhash", XK_XVA_XXHASH }, { NULL, 0 },
};
static const struct xk_choice ova_disks[] = {
	{ "vhd", XK_IMG_VHD }, { "vmdk", XK_IMG_VMDK }, { NULL, 0 },
};

struct export_opts {
	bool json, strict, to_hvm;
	int format;		/* enum outfmt */
	int sum;		/* enum xk_xva_sum */
	int ova_disks;		/* enum xk_img_format */
	bool format_given, sum_given, disks_given;
	const char *cfg, *out;
};

/* One disk of the config that is exported. */
struct edisk {
	const struct xk_disk *d;
	struct xk_disk_src *src;
	struct xk_vm_disk *vd;
};

static int
parse_opts(int argc, char **argv, struct export_opts *o)
{
	int c;

	optind = 0;	/* GNU getopt: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:", export_options, NULL)) !=
	    -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_TO_HVM:
			o->to_hvm = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case OPT_FORMAT:
			o->format_given = true;
			if (xk_option_choice(cmd, "--format", optarg, formats,
			    &o->format) < 0)
				return -1;
			break;
		case OPT_CHECKSUM:
			o->sum_given = true;
			if (xk_option_choice(cmd, "--checksum", optarg, sums,
			    &o->sum) < 0)
				return -1;
			break;
		case OPT_DISK_FORMAT:
			o->disks_given = true;
			if (xk_option_choice(cmd, "--disk-format", optarg,
			    ova_disks, &o->ova_disks) < 0)
				return -1;
			break;
		default:
			return xk_bad_option(cmd, c, argv), -1;
		}
	}
	if (argc - optind != 1)
		return xk_usage_error(cmd, "expected one CFG"), -1;
	o->cfg = argv[optind];
	if (o->out == NULL)
		return xk_usage_error(cmd, "no output: give -o OUT"), -1;
	if (!o->format_given &&
	    xk_choice_by_suffix(o->out, formats, &o->format) < 0)
		return xk_usage_error(cmd, "%s: cannot tell the format from "
		    "the name: give --format xva|ova|vhd", o->out), -1;
	if (o->sum_given && o->format != OUT_XVA)
		return xk_usage_error(cmd, "--checksum is for XVA output"), -1;
	if (o->disks_given && o->format != OUT_OVA)
		return xk_usage_error(cmd, "--disk-format is for OVA output"),
		    -1;
	return 0;
}

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

static int
open_disks(const struct xk_domcfg *dc, struct edisk *ed, size_t *n,
    struct xk_vm_disk *vd, struct xk_error *err)
{
	*n = 0;
	for (size_t i = 0; i < dc->ndisks; i++) {
		const struct xk_disk *d = &dc->disks[i];
		enum xk_img_format f;
		struct edisk *e = &ed[*n];

		if (!xk_vm_disk_exported(d))
			continue;
		if (img_format(d, &f, err) < 0)
			return -1;
		e->d = d;
		e->vd = &vd[i];
		e->src = xk_disk_src_open(d->target, f, err);
		if (e->src == NULL) {
			xk_error_prefix(err, "disk %s", d->vdev);
			return -1;
		}
		(*n)++;
		vd[i].size = xk_disk_src_size(e->src);
		if (allocated(e->src, &vd[i].allocated, err) < 0)
			return -1;
	}
	return 0;
}

/* Renaming onto OUT must never replace the config or a disk. */
static int
not_an_input(const struct export_opts *o, const struct xk_domcfg *dc,
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

static int
cmp_ref(const void *a, const void *b)
{
	const struct xk_xva_wdisk *x = a, *y = b;

	return strcmp(x->ref, y->ref);
}

static int
write_xva(const struct export_opts *o, const struct xk_xv *ova,
    struct edisk *ed, size_t n, json_t *jdisks, struct xk_error *err)
{
	struct xk_xva_wdisk *wd = calloc(n + 1, sizeof(*wd));
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct xk_progress *p;
	uint64_t total = 0;
	int rc = -1;

	if (wd == NULL)
		return xk_error_errno(err, ENOMEM, "%s", o->out), -1;
	for (size_t i = 0; i < n; i++) {
		wd[i].ref = ed[i].vd->ref;
		wd[i].src = ed[i].src;
		total += ed[i].vd->size;
	}
	qsort(wd, n, sizeof(*wd), cmp_ref);
	if (xk_tempfile_open(&t, o->out, err) < 0)
		goto out;
	p = xk_progress_start("export", total);
	rc = xk_xva_write(t.fd, o->out, ova, wd, n, o->sum, p, err);
	xk_progress_end(p);
	if (rc < 0)
		xk_tempfile_abort(&t, err);
	else
		rc = xk_tempfile_commit(&t, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		json_array_append_new(jdisks, json_pack("{s:s, s:I, s:I}",
		    "ref", wd[i].ref, "chunks", (json_int_t)wd[i].chunks,
		    "zero_chunks_skipped", (json_int_t)wd[i].skipped));
out:
	free(wd);
	return rc;
}

/*
 * The VHD output: one disk, copied as `xk convert` does, its UUID
 * derived from the VM's and its time stamp fixed (reproducible).
 */
static int
write_vhd(const struct export_opts *o, const struct xk_domcfg *dc,
    struct edisk *ed, int64_t date, struct xk_error *err)
{
	uint64_t size = xk_disk_src_size(ed->src);
	struct xk_disk_id id = { { 0 }, date, NULL };
	struct xk_disk_sink *sink;
	struct xk_progress *p;
	char u[37], name[48];
	int rc;

	if (xk_vm_uuid(dc, u, err) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s/vhd", u);
	if (xk_uuid_v5(XK_UUID_NS, name, strlen(name), id.uuid) < 0) {
		xk_error_set(err, "%s: making a UUID failed", o->out);
		return -1;
	}
	sink = xk_disk_sink_create_id(o->out, XK_IMG_VHD, size, &id, err);
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
write_ova(const struct export_opts *o, const struct xk_xv *ova,
    struct edisk *ed, size_t n, int64_t date, struct xk_error *err)
{
	struct xk_ova_disk *od = calloc(n + 1, sizeof(*od));
	struct xk_progress *p;
	uint64_t total = 0;
	int rc;

	if (od == NULL)
		return xk_error_errno(err, ENOMEM, "%s", o->out), -1;
	for (size_t i = 0; i < n; i++) {
		od[i].src = ed[i].src;
		od[i].disk = ed[i].d;
		od[i].mtime = date;
		od[i].ref = ed[i].vd->ref;
		total += ed[i].vd->size;
	}
	p = xk_progress_start("export", total);
	rc = xk_ova_write(o->out, ova, od, n, o->ova_disks, p, err);
	xk_progress_end(p);
	free(od);
	return rc;
}

static void
print_json(const struct export_opts *o, const struct xk_domcfg *dc,
    const struct xk_notes *w, struct edisk *ed, size_t n, json_t *jdisks)
{
	struct xk_error err = { 0 };	/* the export worked: so does this */
	json_t *doc, *jw = json_array();
	char uuid[37];

	for (size_t i = 0; i < w->n; i++)
		json_array_append_new(jw, json_string(w->v[i]));
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(jdisks, i);

		if (d == NULL) {
			d = json_object();
			json_array_append_new(jdisks, d);
		}
		json_object_set_new(d, "vdev", json_string(ed[i].d->vdev));
		json_object_set_new(d, "source", json_string(ed[i].d->target));
		json_object_set_new(d, "size", json_integer(
		    (json_int_t)ed[i].vd->size));
		json_object_set_new(d, "allocated", json_integer(
		    (json_int_t)ed[i].vd->allocated));
	}
	doc = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:o, s:o}", "output",
	    o->out, "format", formats[o->format].name, "checksum",
	    o->format == OUT_XVA ? sums[o->sum].name : o->format == OUT_OVA ?
	    "sha256" : "none", "name", dc->name,
	    "uuid", xk_vm_uuid(dc, uuid, &err) == 0 ? uuid : NULL, "disks",
	    json_incref(jdisks), "warnings", jw);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(doc);
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

/*
 * The export itself.  vd (dc->ndisks entries) gets each disk's size and
 * allocation, scanned once: the JSON summary prints them afterwards.
 */
static int
export(const struct export_opts *o, const struct xk_domcfg *dc,
    struct xk_notes *w, struct edisk *ed, size_t *n, struct xk_vm_disk *vd,
    json_t *jdisks, struct xk_error *err)
{
	struct xk_vm_opts vo = { o->to_hvm, NULL, 0 };
	struct xk_xv *ova = NULL;
	char host[256];
	int rc = -1;

	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		vo.hostname = host;
	}

	if (source_date(&vo.date, err) < 0 || not_an_input(o, dc, err) < 0 ||
	    xk_sweep_stale(cmd, o->out, err) < 0 ||
	    open_disks(dc, ed, n, vd, err) < 0)
		goto out;
	if (o->format == OUT_VHD) {
		if (*n != 1) {
			xk_error_set(err, "%s: a VHD holds one disk, the "
			    "config has %zu (export to xva or ova)", o->cfg,
			    *n);
			goto out;
		}
		rc = 0;
	} else {
		ova = xk_vm_to_ova(dc, vd, &vo, w, err);
		rc = ova != NULL ? 0 : -1;
	}
	for (size_t i = 0; rc == 0 && i < w->n; i++)
		xk_warnx(cmd, "%s: %s", o->strict ? "error" : "warning",
		    w->v[i]);
	if (rc == 0 && o->strict && w->n > 0) {
		xk_error_set(err, "%s: %zu warning%s and --strict: nothing "
		    "written", o->cfg, w->n, w->n == 1 ? "" : "s");
		rc = -1;
	}
	if (rc == 0 && o->format == OUT_XVA)
		rc = write_xva(o, ova, ed, *n, jdisks, err);
	else if (rc == 0 && o->format == OUT_VHD)
		rc = write_vhd(o, dc, &ed[0], vo.date, err);
	else if (rc == 0 && o->format == OUT_OVA)
		rc = write_ova(o, ova, ed, *n, vo.date, err);
out:
	xk_xv_free(ova);
	return rc;
}

int
cmd_export(int argc, char **argv)
{
	struct export_opts o = { .sum = XK_XVA_SHA1, .ova_disks = XK_IMG_VHD };
	struct xk_error err = { 0 };
	struct xk_notes w = { NULL, 0 };
	struct xk_domcfg *dc;
	struct edisk *ed = NULL;
	struct xk_vm_disk *sizes = NULL;
	json_t *jdisks = json_array();
	size_t n = 0;
	int rc;

	if (parse_opts(argc, argv, &o) < 0) {
		json_decref(jdisks);
		return XK_EXIT_USAGE;
	}
	if (xk_interrupt_catch(&err) < 0) {
		json_decref(jdisks);
		return xk_fail(cmd, &err);
	}
	dc = xk_domcfg_load(o.cfg, &err);
	if (dc == NULL) {
		json_decref(jdisks);
		return xk_fail(cmd, &err);
	}
	ed = calloc(dc->ndisks + 1, sizeof(*ed));
	sizes = calloc(dc->ndisks + 1, sizeof(*sizes));
	if (ed == NULL || sizes == NULL) {
		xk_error_errno(&err, ENOMEM, "%s", o.cfg);
		rc = -1;
	} else {
		rc = export(&o, dc, &w, ed, &n, sizes, jdisks, &err);
	}
	if (rc == 0 && o.json)
		print_json(&o, dc, &w, ed, n, jdisks);
	for (size_t i = 0; i < n; i++)
		xk_disk_src_close(ed[i].src);
	free(ed);
	free(sizes);
	json_decref(jdisks);
	xk_notes_free(&w);
	xk_domcfg_free(dc);
	if (rc < 0)
		return xk_fail_or_raise(cmd, &err);
	return XK_EXIT_OK;
}
