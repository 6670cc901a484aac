/*
 * cmd-inspect.c - xk inspect: what an XVA, OVA or VHD holds.
 *
 * One summary document is built (the --json output) and the text form is
 * printed from it, so both always say the same.  An XVA is read to the
 * end: every chunk's checksum is verified and the allocated data
 * counted; nothing is written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "formats/disk.h"
#include "formats/ovf.h"
#include "formats/package.h"
#include "formats/vmmodel.h"
#include "formats/xva.h"
#include "util/file.h"
#include "util/json.h"
#include "xk.h"

static const char *const cmd = "inspect";

enum { OPT_JSON = 1 };

static const struct option inspect_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

static json_t *
text_or_null(const struct xk_xv *st, const char *k)
{
	const char *s = xk_xv_text(st, k);

	return s != NULL ? json_string(s) : json_null();
}

static json_t *
mib(const struct xk_xv *st, const char *k)
{
	const char *s = xk_xv_text(st, k);

	return s != NULL ? json_integer((json_int_t)(strtoull(s, NULL, 10) /
	    (1024 * 1024))) : json_null();
}

static json_t *
num(const struct xk_xv *st, const char *k)
{
	const char *s = xk_xv_text(st, k);

	return s != NULL ? json_integer((json_int_t)strtoll(s, NULL, 10)) :
	    json_null();
}

/* The VM part of the summary, from XAPI records. */
static json_t *
inspect_vm(const struct xk_vm_in *in)
{
	const struct xk_xv *vm = in->vm;
	const char *dt = xk_xv_text(vm, "domain_type");
	const char *pol = xk_xv_text(vm, "HVM_boot_policy");
	json_t *o = json_object(), *vifs = json_array();

	json_object_set_new(o, "name", text_or_null(vm, "name_label"));
	json_object_set_new(o, "uuid", text_or_null(vm, "uuid"));
	json_object_set_new(o, "type", json_string(dt != NULL && *dt ?
	    dt : pol != NULL && *pol ? "hvm" : "pv"));
	json_object_set_new(o, "memory_mib", mib(vm, "memory_dynamic_max"));
	json_object_set_new(o, "maxmem_mib", mib(vm, "memory_static_max"));
	json_object_set_new(o, "vcpus", num(vm, "VCPUs_at_startup"));
	json_object_set_new(o, "vcpus_max", num(vm, "VCPUs_max"));
	json_object_set_new(o, "boot_order", text_or_null(
	    xk_xv_get(vm, "HVM_boot_params"), "order"));
	json_object_set_new(o, "firmware", text_or_null(
	    xk_xv_get(vm, "HVM_boot_params"), "firmware"));
	json_object_set_new(o, "bootloader", text_or_null(vm,
	    "PV_bootloader"));
	for (size_t i = 0; i < in->nvifs; i++)
		json_array_append_new(vifs, json_pack("{s:s?, s:s?, s:s?, "
		    "s:I}", "device", in->vifs[i].device, "mac",
		    in->vifs[i].mac, "bridge", in->vifs[i].bridge, "mtu",
		    (json_int_t)(in->vifs[i].mtu ? strtoll(in->vifs[i].mtu,
		    NULL, 10) : 1500)));
	json_object_set_new(o, "vifs", vifs);
	return o;
}

/* Reading a large XVA takes a while: show how far it got. */
struct watch {
	struct xk_progress *p;
	const struct xk_xva_vdi *cur;
	uint64_t done;
};

static int
watch_data(void *arg, struct xk_xva_vdi *vdi, uint64_t off, const void *buf,
    size_t len, struct xk_error *err)
{
	struct watch *w = arg;

	(void)buf;
	(void)err;
	if (w->cur != vdi) {
		if (w->cur != NULL)
			w->done += w->cur->size;
		w->cur = vdi;
	}
	xk_progress_update(w->p, w->done + off + len);
	return 0;
}

static int
inspect_xva(const char *path, json_t *doc, struct xk_error *err)
{
	struct xk_xva_reader *r = xk_xva_open(path, err);
	struct watch w = { NULL, NULL, 0 };
	struct xk_xva_sink sink = { NULL, watch_data };
	uint64_t total = 0;
	struct xk_vm_in in;
	json_t *disks = json_array();
	bool sha1 = false, xxh = false;
	int rc = -1;

	memset(&in, 0, sizeof(in));
	json_object_set_new(doc, "disks", disks);
	if (r == NULL)
		return -1;
	json_object_set_new(doc, "compression", json_string(r->compression));
	if (xk_vm_from_ova(r->ova, &in, err) < 0)
		goto out;
	json_object_set_new(doc, "vm", inspect_vm(&in));
	for (size_t i = 0; i < r->nvdis; i++)
		total += r->vdis[i].size;
	w.p = xk_progress_start("inspect", total);
	sink.arg = &w;
	rc = xk_xva_read_disks(r, &sink, err);
	if (rc == 0)
		xk_progress_update(w.p, total);
	xk_progress_end(w.p);
	if (rc < 0)
		goto out;
	rc = -1;
	for (size_t i = 0; i < in.ndisks; i++) {
		const struct xk_vm_in_disk *d = &in.disks[i];
		struct xk_xva_vdi *v = d->vdi_ref ? xk_xva_vdi(r, d->vdi_ref) :
		    NULL;

		json_array_append_new(disks, json_pack("{s:s, s:s?, s:s?, "
		    "s:s, s:s, s:I, s:I, s:I, s:b}", "vdev", d->vdev, "vdi",
		    d->vdi_ref, "name", d->name, "type", d->cdrom ? "cd" :
		    "disk", "mode", d->readwrite ? "rw" : "ro", "size",
		    (json_int_t)d->size, "allocated", (json_int_t)(v ? v->data :
		    0), "chunks", (json_int_t)(v ? v->chunks : 0), "present",
		    v != NULL && v->seen));
		if (d->vdi_ref != NULL && (v == NULL || !v->seen)) {
			xk_error_set(err, "%s: disk %s: no data in the archive",
			    path, d->vdi_ref);
			goto out;
		}
	}
	for (size_t i = 0; i < r->nvdis; i++) {
		sha1 |= r->vdis[i].sha1;
		xxh |= r->vdis[i].xxhash;
	}
	json_object_set_new(doc, "checksum", json_string(sha1 && xxh ?
	    "sha1+xxhash" : xxh ? "xxhash" : sha1 ? "sha1" : "none"));
	json_object_set_new(doc, "verified", json_true());
	rc = 0;
out:
	xk_vm_in_free(&in);
	xk_xva_close(r);
	return rc;
}

/* A VHD alone, read through as xk import reads it (nothing written). */
static int
inspect_vhd(const char *path, json_t *doc, struct xk_error *err)
{
	struct xk_disk_src *src = xk_disk_src_open(path, XK_IMG_VHD, err);
	struct xk_disk_copy_stats st = { 0, 0 };
	struct xk_progress *p;
	int rc;

	if (src == NULL)
		return -1;
	p = xk_progress_start("inspect", xk_disk_src_size(src));
	rc = xk_disk_copy(src, NULL, p, &st, err);
	xk_progress_end(p);
	xk_disk_src_close(src);
	if (rc < 0)
		return -1;
	json_object_set_new(doc, "disks", json_pack("[{s:s, s:I, s:I}]",
	    "vdev", "xvda", "size", (json_int_t)st.size, "allocated",
	    (json_int_t)st.data));
	json_object_set_new(doc, "checksum", json_string("vhd-footer"));
	json_object_set_new(doc, "verified", json_true());
	return 0;
}

/*
 * What xk import does with an OVA or OVF, nothing written: the same
 * reading path (formats/package.h), the records mapped the same way,
 * every disk file read through its format as import copies it.
 */
struct ova_check {
	const char *path;
	struct xk_vm_in *in;
	struct xk_progress *p;
};

static int
check_descriptor(void *arg, struct xk_ovf *ovf, struct xk_error *err)
{
	struct ova_check *c = arg;

	return xk_vm_from_ova(ovf->ova, c->in, err);
}

static int
check_disk(void *arg, struct xk_ovf *ovf, struct xk_ovf_file *f,
    const char *tmp, struct xk_error *err)
{
	struct ova_check *c = arg;
	const struct xk_vm_in_disk *d = xk_vm_in_disk_by_ref(c->in,
	    f->vdi_ref);

	(void)ovf;
	if (d == NULL)
		return 0;	/* a disk no item uses: import skips it too */
	return xk_pkg_ovf_disk(c->path, f, tmp, d->size, NULL, c->p, err);
}

static int
inspect_ova(const char *path, enum xk_pkg_format kind, json_t *doc,
    struct xk_notes *notes, struct xk_error *err)
{
	struct ova_check check = { NULL, NULL, NULL };
	struct xk_ova_cb cb = { &check, check_descriptor, check_disk };
	const char *tmp = getenv("TMPDIR");
	struct xk_ovf *ovf = NULL;
	struct xk_vm_in in;
	json_t *disks = json_array();
	bool all = true, sha1 = false, manifest = true;
	int rc = -1;

	memset(&in, 0, sizeof(in));
	json_object_set_new(doc, "disks", disks);
	check.path = path;
	check.in = &in;
	/* an OVA's disks are unpacked to check them, as import does */
	rc = xk_pkg_read_ovf(path, kind, tmp != NULL && *tmp != '\0' ? tmp :
	    "/tmp", &cb, &ovf, notes, err);
	if (rc < 0)
		goto out;
	manifest = rc == 0;
	rc = -1;
	json_object_set_new(doc, "vm", inspect_vm(&in));
	for (size_t i = 0; i < in.ndisks; i++) {
		const struct xk_vm_in_disk *d = &in.disks[i];
		struct xk_ovf_file *f = NULL;

		for (size_t k = 0; d->vdi_ref && k < ovf->nfiles; k++)
			if (ovf->files[k].vdi_ref != NULL &&
			    strcmp(ovf->files[k].vdi_ref, d->vdi_ref) == 0)
				f = &ovf->files[k];
		if (f != NULL) {
			all &= f->want != NULL;
			sha1 |= f->want != NULL && f->sha1;
		}
		json_array_append_new(disks, json_pack("{s:s, s:s, s:s, s:I, "
		    "s:s?, s:s?, s:I}", "vdev", d->vdev, "type", d->cdrom ?
		    "cd" : "disk", "mode", d->readwrite ? "rw" : "ro", "size",
		    (json_int_t)d->size, "file", f ? f->href : NULL, "image",
		    f ? xk_img_format_name(f->format) : NULL, "allocated",
		    (json_int_t)(f ? f->size : 0)));
	}
	json_object_set_new(doc, "checksum", json_string(!manifest ? "none" :
	    all ? (sha1 ? "sha1" : "sha256") : "partial"));
	json_object_set_new(doc, "verified", json_boolean(manifest && all));
	rc = 0;
out:
	xk_vm_in_free(&in);
	xk_ovf_free(ovf);
	return rc;
}

static json_t *
notes_json(const struct xk_notes *notes)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < notes->n; i++)
		json_array_append_new(a, json_string(notes->v[i]));
	return a;
}

static void
human(char *buf, size_t n, json_int_t v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	size_t u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", d, units[u]);
}

/* o[k] to print: "-" when missing or empty */
static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = xk_jstr(o, k);

	return *s != '\0' ? s : "-";
}

static void
print_text(const json_t *doc)
{
	const json_t *vm = json_object_get(doc, "vm"), *d, *v;
	size_t i;

	printf("file:      %s (%s", jstr(doc, "file"), jstr(doc, "format"));
	if (json_object_get(doc, "compression") != NULL)
		printf(", %s", jstr(doc, "compression"));
	printf(")\n");
	if (vm != NULL) {
		printf("vm:        %s (%s)\n", jstr(vm, "name"),
		    jstr(vm, "uuid"));
		printf("type:      %s, %lld MiB (max %lld), %lld vCPUs (max "
		    "%lld)\n", jstr(vm, "type"),
		    json_integer_value(json_object_get(vm, "memory_mib")),
		    json_integer_value(json_object_get(vm, "maxmem_mib")),
		    json_integer_value(json_object_get(vm, "vcpus")),
		    json_integer_value(json_object_get(vm, "vcpus_max")));
		json_array_foreach(json_object_get(vm, "vifs"), i, v)
			printf("vif %s:     %s on %s\n", jstr(v, "device"),
			    *jstr(v, "mac") ? jstr(v, "mac") : "(any mac)",
			    jstr(v, "bridge"));
	}
	json_array_foreach(json_object_get(doc, "disks"), i, d) {
		char size[32], used[32];

		human(size, sizeof(size), json_integer_value(
		    json_object_get(d, "size")));
		human(used, sizeof(used), json_integer_value(
		    json_object_get(d, "allocated")));
		printf("disk %-5s %s, %s of data", jstr(d, "vdev"), size, used);
		if (json_object_get(d, "vdi") != NULL)
			printf(", %lld chunks (%s)", json_integer_value(
			    json_object_get(d, "chunks")), jstr(d, "vdi"));
		if (json_object_get(d, "file") != NULL)
			printf(" in %s", jstr(d, "file"));
		printf("\n");
	}
	printf("checksums: %s, %s\n", jstr(doc, "checksum"),
	    json_is_true(json_object_get(doc, "verified")) ? "verified" :
	    "not verified");
}

int
cmd_inspect(int argc, char **argv)
{
	struct xk_error err = { 0 };
	enum xk_pkg_format f;
	const char *path;
	bool json = false;
	struct xk_notes notes = { NULL, 0 };
	json_t *doc;
	int c, rc;

	optind = 0;	/* GNU getopt: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", inspect_options, NULL)) !=
	    -1) {
		if (c != OPT_JSON)
			return xk_bad_option(cmd, c, argv);
		json = true;
	}
	if (argc - optind != 1)
		return xk_usage_error(cmd, "expected one FILE");
	path = argv[optind];
	/* by content, as xk import finds it */
	if (xk_pkg_probe(path, &f, &err) < 0)
		return xk_fail(cmd, &err);
	doc = json_pack("{s:s, s:s, s:b}", "file", path, "format",
	    xk_pkg_format_name(f), "verified", 0);
	if (f == XK_PKG_XVA)
		rc = inspect_xva(path, doc, &err);
	else if (f == XK_PKG_VHD)
		rc = inspect_vhd(path, doc, &err);
	else
		rc = inspect_ova(path, f, doc, &notes, &err);
	json_object_set_new(doc, "notes", notes_json(&notes));
	for (size_t i = 0; rc == 0 && i < notes.n; i++)
		xk_warnx(cmd, "note: %s", notes.v[i]);
	xk_notes_free(&notes);
	if (rc == 0) {
		if (json) {
			json_dumpf(doc, stdout, JSON_INDENT(2));
			putchar('\n');
		} else {
			print_text(doc);
		}
	}
	json_decref(doc);
	return rc < 0 ? xk_fail(cmd, &err) : XK_EXIT_OK;
}
