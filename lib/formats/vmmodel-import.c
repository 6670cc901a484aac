/*
 * vmmodel-import.c - XAPI records (an XVA's ova.xml or an OVF read into
 * them) to an xl domain config (see vmmodel.h and xk-xva(5)).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/uuid.h"
#include "formats/vmmodel-impl.h"
#include "formats/vmmodel.h"

/* ---- import: reading the records ---- */

static int
bad_obj(struct xk_error *err, const char *id, const char *what)
{
	xk_error_set(err, "ova.xml: object %s: %s", id ? id : "(no id)", what);
	return -1;
}

static bool
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* The object whose id is ref and class cls; NULL if none. */
static const struct xk_xv *
find_obj(const struct xk_xv *objs, const char *cls, const char *ref)
{
	for (size_t i = 0; ref != NULL && i < objs->n; i++) {
		const struct xk_xv *o = objs->items[i];
		const char *c = xk_xv_text(o, "class");
		const char *id = xk_xv_text(o, "id");

		if (c != NULL && id != NULL && strcmp(c, cls) == 0 &&
		    strcmp(id, ref) == 0)
			return xk_xv_get(o, "snapshot");
	}
	return NULL;
}

static int
check_objects(const struct xk_xv *objs, const struct xk_xv **vm,
    const char **vm_id, struct xk_error *err)
{
	*vm = NULL;
	for (size_t i = 0; i < objs->n; i++) {
		const struct xk_xv *o = objs->items[i];
		const char *cls = xk_xv_text(o, "class");
		const char *id = xk_xv_text(o, "id");
		const struct xk_xv *snap = xk_xv_get(o, "snapshot");
		const char *tmpl, *snapshot;

		if (cls == NULL || id == NULL || snap == NULL ||
		    snap->type != XK_XV_STRUCT)
			return bad_obj(err, id, "needs class, id and a "
			    "snapshot struct");
		for (size_t j = 0; j < i; j++) {
			const char *id2 = xk_xv_text(objs->items[j], "id");

			if (id2 != NULL && strcmp(id, id2) == 0)
				return bad_obj(err, id, "id used twice");
		}
		if (strcmp(cls, "VM") != 0)
			continue;
		tmpl = xk_xv_text(snap, "is_a_template");
		snapshot = xk_xv_text(snap, "is_a_snapshot");
		if (snapshot != NULL && strcmp(snapshot, "1") == 0)
			continue;
		if (*vm != NULL)
			return bad_obj(err, id, "a second VM (xenkit imports "
			    "archives of one VM)");
		if (tmpl != NULL && strcmp(tmpl, "1") == 0)
			return bad_obj(err, id, "a template, not a VM");
		*vm = snap;
		*vm_id = id;
	}
	if (*vm == NULL) {
		xk_error_set(err, "ova.xml: no VM object");
		return -1;
	}
	return 0;
}

static int
read_vbd(const struct xk_xv *objs, const char *id, const struct xk_xv *vbd,
    struct xk_vm_in_disk *d, struct xk_error *err)
{
	const char *type = xk_xv_text(vbd, "type");
	const char *mode = xk_xv_text(vbd, "mode");
	const char *vdi = xk_xv_text(vbd, "VDI");
	const char *udev = xk_xv_text(vbd, "userdevice");
	const char *boot = xk_xv_text(vbd, "bootable");
	const struct xk_xv *vdirec;
	uint64_t n;
	char vdev[16];

	if (type == NULL || mode == NULL || vdi == NULL || udev == NULL)
		return bad_obj(err, id, "VBD needs type, mode, VDI and "
		    "userdevice");
	if (strcmp(type, "Disk") != 0 && strcmp(type, "CD") != 0)
		return bad_obj(err, id, "VBD type is neither Disk nor CD");
	if (strcmp(mode, "RW") != 0 && strcmp(mode, "RO") != 0)
		return bad_obj(err, id, "VBD mode is neither RW nor RO");
	if (!parse_u64(udev, &n) || n > 255)
		return bad_obj(err, id, "VBD userdevice is not a number "
		    "0..255");
	d->cdrom = strcmp(type, "CD") == 0;
	d->readwrite = strcmp(mode, "RW") == 0 && !d->cdrom;
	d->bootable = boot != NULL && strcmp(boot, "1") == 0;
	if (n < 26)
		snprintf(vdev, sizeof(vdev), "%s%c", d->cdrom ? "hd" : "xvd",
		    (char)('a' + n));
	else
		snprintf(vdev, sizeof(vdev), "xvd%c%c",
		    (char)('a' + n / 26 - 1), (char)('a' + n % 26));
	d->vdev = strdup(vdev);
	if (d->vdev == NULL)
		return xk_error_errno(err, ENOMEM, "ova.xml"), -1;
	d->vbd_other = xk_xv_get(vbd, "other_config");
	/* a CD's image lives in an ISO SR: XAPI never exports its data */
	if (strcmp(vdi, NULLREF) == 0 || d->cdrom)
		return 0;
	vdirec = find_obj(objs, "VDI", vdi);
	if (vdirec == NULL)
		return bad_obj(err, id, "VBD points at a VDI that is not in "
		    "ova.xml");
	if (!parse_u64(xk_xv_text(vdirec, "virtual_size"), &d->size))
		return bad_obj(err, vdi, "VDI virtual_size is not a number");
	if (d->size == 0 || d->size > XK_VDI_MAX_SIZE)
		return bad_obj(err, vdi, "VDI virtual_size is 0 or more than "
		    "64 TiB");
	if (find_obj(objs, "SR", xk_xv_text(vdirec, "SR")) == NULL)
		return bad_obj(err, vdi, "VDI points at an SR that is not in "
		    "ova.xml");
	d->vdi_ref = vdi;
	d->name = xk_xv_text(vdirec, "name_label");
	return 0;
}

static int
read_vif(const struct xk_xv *objs, const char *id, const struct xk_xv *vif,
    struct xk_vm_in_vif *v, struct xk_error *err)
{
	const struct xk_xv *net;

	v->mac = xk_xv_text(vif, "MAC");
	v->mtu = xk_xv_text(vif, "MTU");
	v->device = xk_xv_text(vif, "device");
	v->other = xk_xv_get(vif, "other_config");
	net = find_obj(objs, "network", xk_xv_text(vif, "network"));
	if (v->mac == NULL || v->device == NULL)
		return bad_obj(err, id, "VIF needs MAC and device");
	if (net == NULL)
		return bad_obj(err, id, "VIF points at a network that is not "
		    "in ova.xml");
	v->bridge = xk_xv_text(net, "bridge");
	if (v->bridge == NULL || *v->bridge == '\0')
		v->bridge = xk_xv_text(net, "name_label");
	return 0;
}

/* xvda and hda are the same disk to xl. */
static bool
same_index(const char *a, const char *b)
{
	bool pa, pb;

	return xk_vm_vdev_index(a, &pa) == xk_vm_vdev_index(b, &pb);
}

int
xk_vm_from_ova(const struct xk_xv *ova, struct xk_vm_in *in,
    struct xk_error *err)
{
	const struct xk_xv *objs = xk_xv_get(ova, "objects");
	const char *vm_id = NULL;

	memset(in, 0, sizeof(*in));
	if (xk_xv_get(ova, "version") == NULL || objs == NULL ||
	    objs->type != XK_XV_ARRAY) {
		xk_error_set(err, "ova.xml: not an XVA header (needs version "
		    "and objects)");
		return -1;
	}
	if (check_objects(objs, &in->vm, &vm_id, err) < 0)
		return -1;
	in->disks = calloc(objs->n + 1, sizeof(*in->disks));
	in->vifs = calloc(objs->n + 1, sizeof(*in->vifs));
	if (in->disks == NULL || in->vifs == NULL) {
		xk_error_errno(err, ENOMEM, "ova.xml");
		goto fail;
	}
	for (size_t i = 0; i < objs->n; i++) {
		const struct xk_xv *o = objs->items[i];
		const char *cls = xk_xv_text(o, "class");
		const char *id = xk_xv_text(o, "id");
		const struct xk_xv *snap = xk_xv_get(o, "snapshot");
		const char *owner = xk_xv_text(snap, "VM");
		int rc = 0;

		if (owner == NULL || strcmp(owner, vm_id) != 0)
			continue;
		if (strcmp(cls, "VBD") == 0)
			rc = read_vbd(objs, id, snap,
			    &in->disks[in->ndisks++], err);
		else if (strcmp(cls, "VIF") == 0)
			rc = read_vif(objs, id, snap, &in->vifs[in->nvifs++],
			    err);
		if (rc < 0)
			goto fail;
	}
	for (size_t i = 0; i < in->ndisks; i++)
		for (size_t j = 0; j < i; j++)
			if (same_index(in->disks[i].vdev,
			    in->disks[j].vdev) || (in->disks[i].vdi_ref &&
			    in->disks[j].vdi_ref && strcmp(in->disks[i].vdi_ref,
			    in->disks[j].vdi_ref) == 0)) {
				xk_error_set(err, "ova.xml: two VBDs share "
				    "userdevice or VDI (%s)",
				    in->disks[i].vdev);
				goto fail;
			}
	return 0;
fail:
	xk_vm_in_free(in);
	return -1;
}

struct xk_vm_in_disk *
xk_vm_in_disk_by_ref(struct xk_vm_in *in, const char *ref)
{
	for (size_t i = 0; i < in->ndisks; i++)
		if (in->disks[i].vdi_ref != NULL &&
		    strcmp(in->disks[i].vdi_ref, ref) == 0)
			return &in->disks[i];
	return NULL;
}

void
xk_vm_in_free(struct xk_vm_in *in)
{
	for (size_t i = 0; in->disks != NULL && i < in->ndisks; i++) {
		free(in->disks[i].vdev);
		free(in->disks[i].target);
	}
	free(in->disks);
	free(in->vifs);
	xk_xv_free(in->owned);
	memset(in, 0, sizeof(*in));
}

/* ---- import: writing the xl.cfg ---- */

static int
setv(struct xlcfg *c, const char *key, const char *s, bool bare)
{
	struct xlcfg_value *v = xlcfg_value_string(s, bare);

	if (v == NULL)
		return -1;
	return xlcfg_set(c, key, v);
}

static int
setl(struct xlcfg *c, const char *key, long l)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", l);
	return setv(c, key, buf, true);
}

static bool
flag_value(const char *s, long *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return false;
	return true;
}

static const char *
action_xl(const char *xapi)
{
	static const char *const map[][2] = {
		{ "destroy", "destroy" }, { "restart", "restart" },
		{ "preserve", "preserve" },
		{ "coredump_and_destroy", "coredump-destroy" },
		{ "coredump_and_restart", "coredump-restart" },
		{ "rename_restart", "rename-restart" },
	};

	for (size_t i = 0; xapi != NULL && i < sizeof(map) / sizeof(*map);
	    i++)
		if (strcmp(map[i][0], xapi) == 0)
			return map[i][1];
	return NULL;
}

static int
derive_platform(struct xlcfg *c, const struct xk_xv *p, struct xk_notes *w)
{
	static const char *const flags[] = { "acpi", "apic", "pae", "nx",
	    "viridian", "hpet" };
	int rc = 0;

	for (size_t i = 0; p != NULL && p->type == XK_XV_STRUCT && i < p->n;
	    i++) {
		const char *k = p->members[i].name;
		const char *v = p->members[i].value->text;
		bool done = false;
		long l;
		char *end;

		if (v == NULL)
			v = "";
		for (size_t f = 0; f < sizeof(flags) / sizeof(*flags); f++)
			if (strcmp(k, flags[f]) == 0 && flag_value(v, &l)) {
				rc |= setl(c, k, l);
				done = true;
			}
		if (strcmp(k, "vga") == 0 && (strcmp(v, "std") == 0 ||
		    strcmp(v, "cirrus") == 0)) {
			rc |= setl(c, "stdvga", strcmp(v, "std") == 0);
			done = true;
		} else if (strcmp(k, "videoram") == 0 ||
		    strcmp(k, "timeoffset") == 0) {
			l = strtol(v, &end, 10);
			if (*v != '\0' && *end == '\0') {
				rc |= setl(c, *k == 'v' ? "videoram" :
				    "rtc_timeoffset", l);
				done = true;
			}
		}
		if (!done && w != NULL)
			rc |= xk_notes_add(w, "platform:%s=%s has no xl.cfg "
			    "counterpart: not imported", k, v);
	}
	return rc;
}

static int
derive_boot(struct xlcfg *c, const struct xk_xv *vm, bool hvm,
    struct xk_notes *w)
{
	const struct xk_xv *hp = xk_xv_get(vm, "HVM_boot_params");
	const char *s;
	int rc = 0;

	if (hvm) {
		s = xk_xv_text(hp, "order");
		if (s != NULL && *s != '\0' && s[strspn(s, "acdn")] == '\0')
			rc |= setv(c, "boot", s, false);
		s = xk_xv_text(hp, "firmware");
		if (s != NULL && strcmp(s, "uefi") == 0)
			rc |= setv(c, "firmware", "uefi", false);
		return rc;
	}
	s = xk_xv_text(vm, "PV_bootloader");
	if (s != NULL && *s != '\0')
		rc |= setv(c, "bootloader", s, false);
	s = xk_xv_text(vm, "PV_bootloader_args");
	if (s != NULL && *s != '\0')
		rc |= setv(c, "bootloader_args", s, false);
	s = xk_xv_text(vm, "PV_kernel");
	if (s != NULL && *s != '\0') {
		rc |= setv(c, "kernel", s, false);
		if (w != NULL)
			rc |= xk_notes_add(w, "kernel: '%s' is a path in the "
			    "exporting host's dom0", s);
	}
	s = xk_xv_text(vm, "PV_ramdisk");
	if (s != NULL && *s != '\0')
		rc |= setv(c, "ramdisk", s, false);
	s = xk_xv_text(vm, "PV_args");
	if (s != NULL && *s != '\0')
		rc |= setv(c, "cmdline", s, false);
	return rc;
}

/* The xl.cfg keys from the VM record alone (disk and vif excluded). */
static struct xlcfg *
derive(const struct xk_xv *vm, struct xk_notes *w, struct xk_error *err)
{
	struct xlcfg *c = xlcfg_new("ova.xml");
	const struct xk_xv *vp = xk_xv_get(vm, "VCPUs_params");
	const char *s, *dt = xk_xv_text(vm, "domain_type");
	const char *pol = xk_xv_text(vm, "HVM_boot_policy");
	uint64_t mem = 0, smax = 0, n = 0, nmax = 0, u;
	bool hvm;
	int rc = 0;

	if (c == NULL)
		return xk_error_errno(err, ENOMEM, "ova.xml"), NULL;
	if (!parse_u64(xk_xv_text(vm, "memory_dynamic_max"), &mem) ||
	    !parse_u64(xk_xv_text(vm, "memory_static_max"), &smax) ||
	    !parse_u64(xk_xv_text(vm, "VCPUs_at_startup"), &n) ||
	    !parse_u64(xk_xv_text(vm, "VCPUs_max"), &nmax) ||
	    mem / MIB < 1 || n < 1 || n > 4096 || nmax > 4096 ||
	    mem / MIB > (1ULL << 24) || smax / MIB > (1ULL << 24)) {
		xk_error_set(err, "ova.xml: VM memory or VCPUs fields are "
		    "missing or out of range");
		xlcfg_free(c);
		return NULL;
	}
	hvm = dt != NULL && *dt != '\0' ? strcmp(dt, "hvm") == 0 :
	    pol != NULL && *pol != '\0';
	rc |= setv(c, "name", xk_xv_text(vm, "name_label") ?
	    xk_xv_text(vm, "name_label") : "imported", false);
	if ((s = xk_xv_text(vm, "uuid")) != NULL && *s != '\0')
		rc |= setv(c, "uuid", s, false);
	rc |= setv(c, "type", hvm ? "hvm" : dt != NULL && strcmp(dt, "pvh") ==
	    0 ? "pvh" : "pv", false);
	rc |= setl(c, "memory", (long)(mem / MIB));
	if (parse_u64(xk_xv_text(vm, "memory_dynamic_min"), &u) && u < mem &&
	    w != NULL)
		rc |= xk_notes_add(w, "memory: the VM balloons between %llu "
		    "and %llu MiB; xl.cfg gets memory = %llu (the maximum)",
		    (unsigned long long)(u / MIB),
		    (unsigned long long)(mem / MIB),
		    (unsigned long long)(mem / MIB));
	if (smax / MIB > mem / MIB)
		rc |= setl(c, "maxmem", (long)(smax / MIB));
	rc |= setl(c, "vcpus", (long)n);
	if (nmax > n)
		rc |= setl(c, "maxvcpus", (long)nmax);
	if ((s = xk_xv_text(vp, "mask")) != NULL && *s != '\0')
		rc |= setv(c, "cpus", s, false);
	if (parse_u64(xk_xv_text(vp, "weight"), &u) && u != 256 && u >= 1 &&
	    u <= 65535)
		rc |= setl(c, "cpu_weight", (long)u);
	if (parse_u64(xk_xv_text(vp, "cap"), &u) && u != 0 && u <= 409600)
		rc |= setl(c, "cap", (long)u);
	rc |= derive_boot(c, vm, hvm, w);
	rc |= derive_platform(c, xk_xv_get(vm, "platform"), w);
	if ((s = action_xl(xk_xv_text(vm, "actions_after_shutdown"))))
		rc |= setv(c, "on_poweroff", s, false);
	if ((s = action_xl(xk_xv_text(vm, "actions_after_reboot"))))
		rc |= setv(c, "on_reboot", s, false);
	if ((s = action_xl(xk_xv_text(vm, "actions_after_crash"))))
		rc |= setv(c, "on_crash", s, false);
	if (rc != 0) {
		xk_error_errno(err, ENOMEM, "ova.xml");
		xlcfg_free(c);
		return NULL;
	}
	return c;
}

static bool
xv_equal(const struct xk_xv *a, const struct xk_xv *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if ((a->type == XK_XV_STRUCT) != (b->type == XK_XV_STRUCT) ||
	    (a->type == XK_XV_ARRAY) != (b->type == XK_XV_ARRAY))
		return false;
	if (a->type == XK_XV_STRUCT) {
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (!xv_equal(a->members[i].value,
			    xk_xv_get(b, a->members[i].name)))
				return false;
		return true;
	}
	if (a->type == XK_XV_ARRAY) {
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (!xv_equal(a->items[i], b->items[i]))
				return false;
		return true;
	}
	return strcmp(a->text, b->text) == 0;
}

/*
 * Does the config kept in other_config still describe this VM?  It
 * does when exporting it again gives the same mapped fields.  Platform
 * keys xl does not map (XCP-ng adds some) are left out of the match.
 */
static bool
notes_agree(const struct xk_domcfg *dc, const struct xk_xv *vm)
{
	static const char *const fields[] = {
		"name_label", "memory_static_max", "memory_dynamic_max",
		"memory_dynamic_min", "VCPUs_max", "VCPUs_at_startup",
		"VCPUs_params", "actions_after_shutdown",
		"actions_after_reboot", "actions_after_crash", "PV_bootloader",
		"PV_kernel", "PV_ramdisk", "PV_args", "PV_bootloader_args",
		"HVM_boot_policy", "HVM_boot_params",
	};
	static const char *const plat[] = { "acpi", "apic", "pae", "nx",
	    "viridian", "hpet", "vga", "videoram", "timeoffset" };
	struct xk_xv *mine = xk_vm_mapped_record(dc);
	const struct xk_xv *p1, *p2;
	const char *dt = xk_xv_text(vm, "domain_type"), *u;
	bool ok = mine != NULL;

	/* a field the record lacks (OVF carries fewer) contradicts nothing */
	for (size_t i = 0; ok && i < sizeof(fields) / sizeof(*fields); i++)
		ok = xk_xv_get(vm, fields[i]) == NULL ||
		    xv_equal(xk_xv_get(mine, fields[i]),
		    xk_xv_get(vm, fields[i]));
	if (ok && dt != NULL && *dt != '\0')
		ok = strcmp(dt, xk_xv_text(mine, "domain_type")) == 0;
	u = xk_xv_text(vm, "uuid");
	if (ok && dc->uuid != NULL)
		ok = u != NULL && strcasecmp(u, dc->uuid) == 0;
	p1 = xk_xv_get(mine, "platform");
	p2 = xk_xv_get(vm, "platform");
	for (size_t i = 0; ok && i < sizeof(plat) / sizeof(*plat); i++)
		ok = xv_equal(xk_xv_get(p1, plat[i]), xk_xv_get(p2, plat[i]));
	xk_xv_free(mine);
	return ok;
}

static int
disk_spec(const struct xk_vm_in_disk *d, struct strbuf *sb)
{
	const char *kept = xk_xv_text(d->vbd_other, XK_OTHER_PREFIX "disk");
	struct xk_error e2 = { 0 };
	struct xk_disk k;
	bool part;
	int rc;

	memset(&k, 0, sizeof(k));
	if (kept != NULL && xk_disk_parse(kept, &k, &e2) == 0 &&
	    k.cdrom == d->cdrom && k.readwrite == d->readwrite &&
	    xk_vm_vdev_index(k.vdev, &part) ==
	    xk_vm_vdev_index(d->vdev, &part) && (d->target == NULL) ==
	    (k.cdrom && d->vdi_ref == NULL)) {
		/* the disk now lives in a file of the chosen format */
		if (d->target != NULL) {
			free(k.target);
			k.target = strdup(d->target);
			k.format = d->format;
			k.backendtype = XK_DISK_BACKEND_UNKNOWN;
			free(k.script);
			k.script = NULL;
			if (k.target == NULL) {
				xk_disk_free(&k);
				return -1;
			}
		}
		rc = xk_disk_format_spec(sb, &k);
		xk_disk_free(&k);
		return rc;
	}
	xk_disk_free(&k);
	if (d->cdrom && d->target == NULL)
		return strbuf_addf(sb, "vdev=%s, access=ro, devtype=cdrom",
		    d->vdev);
	return strbuf_addf(sb, "format=%s, vdev=%s, access=%s%s, target=%s",
	    xk_disk_format_name(d->format), d->vdev,
	    d->readwrite ? "rw" : "ro", d->cdrom ? ", devtype=cdrom" : "",
	    d->target);
}

static bool
same_bridge(const char *a, const char *b)
{
	return strcmp(a ? a : XL_DEFAULT_BRIDGE, b ? b : XL_DEFAULT_BRIDGE) ==
	    0;
}

static int
vif_spec(const struct xk_vm_in_vif *v, struct strbuf *sb)
{
	const char *kept = xk_xv_text(v->other, XK_OTHER_PREFIX "vif");
	struct xk_error e2 = { 0 };
	struct xk_vif k;
	char mac[18] = "";
	long mtu = 0;
	int rc;

	if (v->mtu != NULL && strcmp(v->mtu, "1500") != 0)
		mtu = strtol(v->mtu, NULL, 10);
	memset(&k, 0, sizeof(k));
	if (kept != NULL && xk_vif_parse(kept, &k, &e2) == 0) {
		if (k.has_mac)
			xk_vif_mac_string(&k, mac);
		if (strcasecmp(mac, v->mac) == 0 &&
		    same_bridge(k.bridge, v->bridge) &&
		    (k.mtu == 0 ? 1500 : k.mtu) == (mtu == 0 ? 1500 : mtu)) {
			rc = xk_vif_format_spec(sb, &k);
			xk_vif_free(&k);
			return rc;
		}
	}
	xk_vif_free(&k);
	rc = 0;
	if (*v->mac != '\0')
		rc |= strbuf_addf(sb, "mac=%s, ", v->mac);
	if (v->bridge != NULL)
		rc |= strbuf_addf(sb, "bridge=%s, ", v->bridge);
	if (mtu > 0)
		rc |= strbuf_addf(sb, "mtu=%ld, ", mtu);
	if (sb->len >= 2) {
		sb->len -= 2;
		sb->buf[sb->len] = '\0';
	}
	return rc;
}

static int
set_lists(struct xlcfg *c, const struct xk_vm_in *in)
{
	struct xlcfg_value *dl = xlcfg_value_list(), *vl = xlcfg_value_list();
	int rc = dl == NULL || vl == NULL ? -1 : 0;

	for (size_t i = 0; rc == 0 && i < in->ndisks; i++) {
		struct strbuf sb = STRBUF_INIT;

		rc |= disk_spec(&in->disks[i], &sb);
		if (rc == 0)
			rc |= xlcfg_list_append(dl, xlcfg_value_string(
			    strbuf_str(&sb), false));
		strbuf_free(&sb);
	}
	for (size_t i = 0; rc == 0 && i < in->nvifs; i++) {
		struct strbuf sb = STRBUF_INIT;

		rc |= vif_spec(&in->vifs[i], &sb);
		if (rc == 0 && sb.len > 0)
			rc |= xlcfg_list_append(vl, xlcfg_value_string(
			    strbuf_str(&sb), false));
		strbuf_free(&sb);
	}
	if (rc != 0) {
		xlcfg_value_free(dl);
		xlcfg_value_free(vl);
		return -1;
	}
	if (in->ndisks > 0)
		rc |= xlcfg_set(c, "disk", dl);
	else
		xlcfg_value_free(dl);
	if (in->nvifs > 0)
		rc |= xlcfg_set(c, "vif", vl);
	else
		xlcfg_value_free(vl);
	return rc;
}

/*
 * A config without a uuid gets the VM record's (export derives one when
 * the config has none): a round trip keeps the VM's identity.
 */
static int
keep_uuid(struct xlcfg *c, const struct xk_xv *vm)
{
	const char *u = xk_xv_text(vm, "uuid");

	if (xlcfg_get(c, "uuid") != NULL || u == NULL || *u == '\0')
		return 0;
	return setv(c, "uuid", u, false);
}

/* The config kept by xk export, with this archive's disks and vifs. */
static struct xk_domcfg *
kept_config(const struct xk_vm_in *in)
{
	const char *kept = xk_xv_text(xk_xv_get(in->vm, "other_config"),
	    XK_OTHER_PREFIX "cfg");
	struct xk_error e2 = { 0 };
	struct xk_domcfg *dc;
	struct xlcfg *c;

	if (kept == NULL)
		return NULL;
	c = xlcfg_parse("ova.xml (other_config xl:cfg)", kept, strlen(kept),
	    &e2);
	if (c == NULL || xlcfg_get(c, "disk") != NULL ||
	    xlcfg_get(c, "vif") != NULL || set_lists(c, in) < 0 ||
	    keep_uuid(c, in->vm) < 0) {
		xlcfg_free(c);
		return NULL;
	}
	dc = xk_domcfg_from_xlcfg(c, &e2);
	if (dc != NULL && !notes_agree(dc, in->vm)) {
		xk_domcfg_free(dc);
		return NULL;
	}
	return dc;
}

/* Keys the kept config has that XAPI cannot hold: bring them along. */
static int
add_unmapped(struct xlcfg *c, const struct xk_vm_in *in, struct xk_notes *w)
{
	const char *kept = xk_xv_text(xk_xv_get(in->vm, "other_config"),
	    XK_OTHER_PREFIX "cfg");
	static const char *const none[] = { "pci", "serial", "vnc", "vfb",
	    "on_watchdog", "on_soft_reset" };
	struct xk_error e2 = { 0 };
	struct xlcfg *k;
	int rc = 0;

	if (kept == NULL)
		return 0;
	k = xlcfg_parse("xl:cfg", kept, strlen(kept), &e2);
	if (k == NULL)
		return w ? xk_notes_add(w, "other_config: xl:cfg does not "
		    "parse: ignored (%s)", e2.msg) : 0;
	if (w != NULL)
		rc |= xk_notes_add(w, "other_config: the VM changed since xk "
		    "export: keys xenkit maps come from the XAPI fields");
	for (size_t i = 0; i < k->nsettings; i++) {
		const struct xlcfg_setting *s = &k->settings[i];
		bool take = !xk_domcfg_key_mapped(s->key);

		for (size_t j = 0; j < sizeof(none) / sizeof(*none); j++)
			take |= strcmp(s->key, none[j]) == 0;
		if (take && strcmp(s->key, "disk") != 0 &&
		    strcmp(s->key, "vif") != 0)
			rc |= xlcfg_set(c, s->key, xlcfg_value_dup(s->value));
	}
	xlcfg_free(k);
	return rc;
}

int
xk_vm_write_xlcfg(const struct xk_vm_in *in, struct strbuf *out,
    struct xk_notes *w, struct xk_error *err)
{
	struct xk_domcfg *dc = kept_config(in);
	struct xlcfg *c;
	int rc;

	if (dc == NULL) {
		c = derive(in->vm, w, err);
		if (c == NULL)
			return -1;
		if (add_unmapped(c, in, w) < 0 || set_lists(c, in) < 0) {
			xlcfg_free(c);
			xk_error_errno(err, ENOMEM, "ova.xml");
			return -1;
		}
		dc = xk_domcfg_from_xlcfg(c, err);
		if (dc == NULL) {
			xk_error_prefix(err, "the xl.cfg made from ova.xml "
			    "does not load");
			return -1;
		}
	}
	rc = xk_domcfg_write(out, dc, err);
	xk_domcfg_free(dc);
	return rc;
}
