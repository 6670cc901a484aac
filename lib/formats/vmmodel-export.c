/*
 * vmmodel-export.c - an xl domain config to the XAPI records of an
 * ova.xml (see vmmodel.h and xk-xva(5)): the VM record (its fields are
 * vmmodel-vm.c's), VBDs, VDIs, VIFs, networks, the SR, their UUIDs.
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

/* ---- export: the other objects ---- */

struct objs {
	struct xk_xv *objects;
	int next;		/* next id number */
};

static int
add_obj(struct objs *ob, const char *cls, const char *id, struct xk_xv *rec)
{
	struct xk_xv *o = xk_xv_struct();
	int rc;

	if (o == NULL) {
		xk_xv_free(rec);
		return -1;
	}
	rc = puts_(o, "class", cls) | puts_(o, "id", id) |
	    put(o, "snapshot", rec);
	return rc | xk_xv_append(ob->objects, o);
}

static void
new_id(struct objs *ob, char id[16])
{
	snprintf(id, 16, "Ref:%03d", ob->next++);
}

/*
 * A record's UUID: name-based, from the VM's UUID and the record's
 * place among the records, so that the same VM exports the same bytes.
 */
static struct xk_xv *
uuid_rec(struct exp *e)
{
	struct xk_xv *r = xk_xv_struct();
	unsigned char b[16];
	char name[64], u[37];
	int n;

	n = snprintf(name, sizeof(name), "%s/%u", e->vm_uuid, e->nuuid++);
	if (r == NULL || n < 0 || (size_t)n >= sizeof(name) ||
	    xk_uuid_v5(XK_UUID_NS, name, (size_t)n, b) < 0) {
		e->rc = -1;
		return r;
	}
	xk_uuid_str(b, u);
	e->rc |= puts_(r, "uuid", u);
	return r;
}

static struct xk_xv *
vdi_rec(struct exp *e, const struct xk_disk *d, const struct xk_vm_disk *vd,
    const char *sr, const char *vbd)
{
	struct xk_xv *r = uuid_rec(e);
	const char *base = strrchr(d->target, '/');
	char refs[1][16];

	if (r == NULL)
		return NULL;
	snprintf(refs[0], sizeof(refs[0]), "%s", vbd);
	e->rc |= puts_(r, "name_label", base ? base + 1 : d->target);
	e->rc |= puts_(r, "name_description", d->vdev);
	e->rc |= put_ops(r);
	e->rc |= puts_(r, "SR", sr);
	e->rc |= put_refs(r, "VBDs", refs, 1);
	e->rc |= put_empty(r, "crash_dumps", true);
	e->rc |= putu(r, "virtual_size", vd->size);
	e->rc |= putu(r, "physical_utilisation", vd->allocated);
	e->rc |= puts_(r, "type", "user");
	e->rc |= putb(r, "sharable", false);
	e->rc |= putb(r, "read_only", !d->readwrite);
	e->rc |= put_empty(r, "other_config", false);
	e->rc |= putb(r, "storage_lock", false);
	e->rc |= puts_(r, "location", "");
	e->rc |= putb(r, "managed", true);
	e->rc |= putb(r, "missing", false);
	e->rc |= puts_(r, "parent", NULLREF);
	e->rc |= put_empty(r, "xenstore_data", false);
	e->rc |= put_empty(r, "sm_config", false);
	e->rc |= putb(r, "is_a_snapshot", false);
	e->rc |= puts_(r, "snapshot_of", NULLREF);
	e->rc |= put_empty(r, "snapshots", true);
	e->rc |= put_date0(r, "snapshot_time");
	e->rc |= put_empty(r, "tags", true);
	e->rc |= putb(r, "allow_caching", false);
	e->rc |= puts_(r, "on_boot", "persist");
	e->rc |= puts_(r, "metadata_of_pool", NULLREF);
	e->rc |= putb(r, "metadata_latest", false);
	e->rc |= putb(r, "is_tools_iso", false);
	e->rc |= putb(r, "cbt_enabled", false);
	return r;
}

/* What a VBD and a VIF record share: a device that is not plugged in. */
static void
put_unplugged(struct exp *e, struct xk_xv *r)
{
	e->rc |= putb(r, "currently_attached", false);
	e->rc |= putu(r, "status_code", 0);
	e->rc |= puts_(r, "status_detail", "");
	e->rc |= put_empty(r, "runtime_properties", false);
	e->rc |= puts_(r, "qos_algorithm_type", "");
	e->rc |= put_empty(r, "qos_algorithm_params", false);
	e->rc |= put_empty(r, "qos_supported_algorithms", true);
	e->rc |= puts_(r, "metrics", NULLREF);
}

static struct xk_xv *
vbd_rec(struct exp *e, const struct xk_disk *d, int index, const char *vm,
    const char *vdi)
{
	struct xk_xv *r = uuid_rec(e), *oc = xk_xv_struct();
	struct strbuf spec = STRBUF_INIT;

	if (r == NULL || oc == NULL) {
		xk_xv_free(oc);
		e->rc = -1;
		return r;
	}
	if (xk_disk_format_spec(&spec, d) < 0)
		e->rc = -1;
	e->rc |= puts_(oc, XK_OTHER_PREFIX "disk", strbuf_str(&spec));
	strbuf_free(&spec);
	e->rc |= put_ops(r);
	e->rc |= puts_(r, "VM", vm);
	e->rc |= puts_(r, "VDI", vdi);
	e->rc |= puts_(r, "device", "");
	e->rc |= put(r, "userdevice", xk_xv_strf("%d", index));
	e->rc |= putb(r, "bootable", index == 0 && !d->cdrom);
	e->rc |= puts_(r, "mode", d->readwrite && !d->cdrom ? "RW" : "RO");
	e->rc |= puts_(r, "type", d->cdrom ? "CD" : "Disk");
	e->rc |= putb(r, "unpluggable", false);
	e->rc |= putb(r, "storage_lock", false);
	e->rc |= putb(r, "empty", strcmp(vdi, NULLREF) == 0);
	e->rc |= put(r, "other_config", oc);
	put_unplugged(e, r);
	return r;
}

static void
check_disk(struct exp *e, const struct xk_disk *d)
{
	const char *v = d->vdev;

	if (d->backendtype != XK_DISK_BACKEND_UNKNOWN)
		xk_exp_warn(e, "disk: %s: backendtype=%s has no XAPI counterpart",
		    v, xk_disk_backend_name(d->backendtype));
	if (d->script != NULL)
		xk_exp_warn(e, "disk: %s: script has no XAPI counterpart", v);
	if (d->backend != NULL)
		xk_exp_warn(e, "disk: %s: backend (driver domain) has no XAPI "
		    "counterpart", v);
	if (d->specification != XK_DISK_SPEC_UNKNOWN)
		xk_exp_warn(e, "disk: %s: specification has no XAPI counterpart",
		    v);
	if (d->colo)
		xk_exp_warn(e, "disk: %s: colo has no XAPI counterpart", v);
	if (d->direct_io_safe || d->discard >= 0)
		xk_exp_warn(e, "disk: %s: direct-io-safe/discard have no XAPI "
		    "counterpart", v);
	if (d->cdrom && d->target != NULL && *d->target != '\0')
		xk_exp_warn(e, "disk: %s: the CD image '%s' is not exported (XVA "
		    "holds no CDs): the drive is exported empty", v,
		    d->target);
}

static struct xk_xv *
vif_rec(struct exp *e, const struct xk_vif *v, int devno, const char *vm,
    const char *net)
{
	struct xk_xv *r = uuid_rec(e), *oc = xk_xv_struct();
	struct strbuf spec = STRBUF_INIT;
	char mac[18] = "";

	if (r == NULL || oc == NULL) {
		xk_xv_free(oc);
		e->rc = -1;
		return r;
	}
	if (v->has_mac)
		xk_vif_mac_string(v, mac);
	if (xk_vif_format_spec(&spec, v) < 0)
		e->rc = -1;
	e->rc |= puts_(oc, XK_OTHER_PREFIX "vif", strbuf_str(&spec));
	strbuf_free(&spec);
	e->rc |= put_ops(r);
	e->rc |= put(r, "device", xk_xv_strf("%d", devno));
	e->rc |= puts_(r, "network", net);
	e->rc |= puts_(r, "VM", vm);
	e->rc |= puts_(r, "MAC", mac);
	e->rc |= putu(r, "MTU", v->mtu > 0 ? (uint64_t)v->mtu : 1500);
	e->rc |= put(r, "other_config", oc);
	put_unplugged(e, r);
	e->rc |= putb(r, "MAC_autogenerated", !v->has_mac);
	e->rc |= puts_(r, "locking_mode", "network_default");
	e->rc |= put_empty(r, "ipv4_allowed", true);
	e->rc |= put_empty(r, "ipv6_allowed", true);
	e->rc |= puts_(r, "ipv4_configuration_mode", "None");
	e->rc |= put_empty(r, "ipv4_addresses", true);
	e->rc |= puts_(r, "ipv4_gateway", "");
	e->rc |= puts_(r, "ipv6_configuration_mode", "None");
	e->rc |= put_empty(r, "ipv6_addresses", true);
	e->rc |= puts_(r, "ipv6_gateway", "");
	return r;
}

static void
check_vif(struct exp *e, const struct xk_vif *v, int devno)
{
	const struct { const char *k; const char *v; } lost[] = {
		{ "ip", v->ip }, { "script", v->script },
		{ "vifname", v->vifname }, { "type", v->type },
		{ "model", v->model }, { "rate", v->rate },
		{ "backend", v->backend }, { "gatewaydev", v->gatewaydev },
		{ "other keys", v->other },
	};

	for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++)
		if (lost[i].v != NULL)
			xk_exp_warn(e, "vif: %d: %s has no XAPI counterpart", devno,
			    lost[i].k);
	if (!v->has_mac)
		xk_exp_warn(e, "vif: %d: no mac: XCP-ng will make one up", devno);
	if (v->bridge == NULL)
		xk_exp_warn(e, "vif: %d: no bridge: exported on xl's default %s",
		    devno, XL_DEFAULT_BRIDGE);
}

static struct xk_xv *
net_rec(struct exp *e, const char *bridge, char vifs[][16], size_t n)
{
	struct xk_xv *r = uuid_rec(e);

	if (r == NULL)
		return NULL;
	e->rc |= puts_(r, "name_label", bridge);
	e->rc |= puts_(r, "name_description", "");
	e->rc |= put_ops(r);
	e->rc |= put_refs(r, "VIFs", vifs, n);
	e->rc |= put_empty(r, "PIFs", true);
	e->rc |= putu(r, "MTU", 1500);
	e->rc |= put_empty(r, "other_config", false);
	e->rc |= puts_(r, "bridge", bridge);
	e->rc |= putb(r, "managed", true);
	e->rc |= put_empty(r, "blobs", false);
	e->rc |= put_empty(r, "tags", true);
	e->rc |= puts_(r, "default_locking_mode", "unlocked");
	e->rc |= put_empty(r, "assigned_ips", false);
	e->rc |= put_empty(r, "purpose", true);
	return r;
}

static struct xk_xv *
sr_rec(struct exp *e, char vdis[][16], size_t n, uint64_t size,
    uint64_t used)
{
	struct xk_xv *r = uuid_rec(e);

	if (r == NULL)
		return NULL;
	e->rc |= puts_(r, "name_label", "xenkit export");
	e->rc |= puts_(r, "name_description", "");
	e->rc |= put_ops(r);
	e->rc |= put_refs(r, "VDIs", vdis, n);
	e->rc |= put_empty(r, "PBDs", true);
	e->rc |= putu(r, "virtual_allocation", size);
	e->rc |= putu(r, "physical_utilisation", used);
	e->rc |= putu(r, "physical_size", size);
	e->rc |= puts_(r, "type", "ext");
	e->rc |= puts_(r, "content_type", "user");
	e->rc |= putb(r, "shared", false);
	e->rc |= put_empty(r, "other_config", false);
	e->rc |= put_empty(r, "tags", true);
	e->rc |= put_empty(r, "sm_config", false);
	e->rc |= put_empty(r, "blobs", false);
	e->rc |= putb(r, "local_cache_enabled", false);
	e->rc |= puts_(r, "introduced_by", NULLREF);
	e->rc |= putb(r, "clustered", false);
	e->rc |= putb(r, "is_tools_sr", false);
	return r;
}

static struct xk_xv *
version_rec(struct exp *e)
{
	struct xk_xv *r = xk_xv_struct();
	char date[32];
	time_t when = (time_t)e->o->date;	/* fixed: reproducible */
	struct tm tm;

	if (r == NULL || gmtime_r(&when, &tm) == NULL) {
		e->rc = -1;
		return r;
	}
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	e->rc |= puts_(r, "hostname", e->o->hostname ? e->o->hostname :
	    "xenkit");
	e->rc |= puts_(r, "date", date);
	e->rc |= puts_(r, "product_version", "8.2.1");
	e->rc |= puts_(r, "product_brand", "XCP-ng");
	e->rc |= puts_(r, "build_number", "xenkit");
	e->rc |= puts_(r, "xapi_major", "1");
	e->rc |= puts_(r, "xapi_minor", "1");
	e->rc |= puts_(r, "export_vsn", "2");
	return r;
}

/* The userdevice of every disk; -1 where two disks collide. */
static int
userdevices(const struct xk_domcfg *dc, int *dev, struct xk_error *err)
{
	for (size_t i = 0; i < dc->ndisks; i++) {
		bool part;

		dev[i] = xk_vm_vdev_index(dc->disks[i].vdev, &part);
		if (dev[i] < 0 || dev[i] > 15) {
			xk_error_set(err, "disk: vdev '%s' has no XAPI "
			    "userdevice (0 to 15: xvda..xvdp, hda.., sda..)",
			    dc->disks[i].vdev);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (dev[j] == dev[i]) {
				xk_error_set(err, "disk: vdevs '%s' and '%s' "
				    "are both userdevice %d",
				    dc->disks[j].vdev, dc->disks[i].vdev,
				    dev[i]);
				return -1;
			}
	}
	return 0;
}

static struct xk_xv *
vm_record(struct exp *e, const char *uuid)
{
	struct xk_xv *vm = xk_xv_struct(), *oc = xk_xv_struct();
	char *notes;

	if (vm == NULL || oc == NULL) {
		xk_xv_free(vm);
		xk_xv_free(oc);
		return NULL;
	}
	e->rc |= puts_(vm, "uuid", uuid);
	xk_exp_vm_fixed(e, vm);
	xk_exp_vm_mapped(e, vm);
	notes = xk_exp_xl_notes(e->dc);
	e->rc |= put(oc, XK_OTHER_PREFIX "cfg", xk_xv_str(notes ? notes :
	    ""));
	if (notes == NULL)
		e->rc = -1;
	free(notes);
	e->rc |= put(vm, "other_config", oc);
	return vm;
}

struct xk_xv *
xk_vm_mapped_record(const struct xk_domcfg *dc)
{
	struct xk_vm_opts o = { false, NULL, 0 };
	struct exp e = { dc, &o, NULL, dc->type, 0, NULL, 0 };
	struct xk_xv *vm = xk_xv_struct();

	if (vm != NULL)
		xk_exp_vm_mapped(&e, vm);
	if (vm != NULL && e.rc == 0)
		return vm;
	xk_xv_free(vm);
	return NULL;
}

/*
 * A VM without a uuid in its config gets a name-based one: from its
 * name and its whole canonical config, so exporting the same config
 * twice gives the same UUID (and another config another one).
 */
int
xk_vm_uuid(const struct xk_domcfg *dc, char u[37], struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char b[16];
	int rc = -1;

	if (dc->uuid != NULL) {
		snprintf(u, 37, "%s", dc->uuid);
		return 0;
	}
	if (strbuf_addf(&sb, "xl.cfg\n%s\n", dc->name ? dc->name : "") < 0) {
		xk_error_errno(err, ENOMEM, "ova.xml");
		goto out;
	}
	if (xk_domcfg_write(&sb, dc, err) < 0)
		goto out;
	if (xk_uuid_v5(XK_UUID_NS, sb.buf, sb.len, b) < 0) {
		xk_error_set(err, "ova.xml: making a UUID failed");
		goto out;
	}
	xk_uuid_str(b, u);
	rc = 0;
out:
	strbuf_free(&sb);
	return rc;
}

struct xk_xv *
xk_vm_to_ova(const struct xk_domcfg *dc, struct xk_vm_disk *disks,
    const struct xk_vm_opts *o, struct xk_notes *w, struct xk_error *err)
{
	struct exp e = { dc, o, w, dc->type, 0, NULL, 0 };
	struct objs ob = { NULL, 0 };
	char vm_id[16], sr_id[16], (*vbd_ids)[16] = NULL, (*vdi_ids)[16] = NULL;
	char (*vif_ids)[16] = NULL, (*net_ids)[16] = NULL, u[37];
	struct xk_xv *ova = xk_xv_struct(), *vm = NULL;
	int *dev = NULL;
	size_t nvdi = 0;
	uint64_t total = 0, used = 0;

	ob.objects = xk_xv_array();
	vbd_ids = calloc(dc->ndisks + 1, sizeof(*vbd_ids));
	vdi_ids = calloc(dc->ndisks + 1, sizeof(*vdi_ids));
	vif_ids = calloc(dc->nvifs + 1, sizeof(*vif_ids));
	net_ids = calloc(dc->nvifs + 1, sizeof(*net_ids));
	dev = calloc(dc->ndisks + 1, sizeof(*dev));
	if (ova == NULL || ob.objects == NULL || vbd_ids == NULL ||
	    vdi_ids == NULL || vif_ids == NULL || net_ids == NULL ||
	    dev == NULL) {
		xk_error_errno(err, ENOMEM, "ova.xml");
		goto fail;
	}
	if (userdevices(dc, dev, err) < 0)
		goto fail;
	xk_exp_check_type(&e);
	xk_exp_check_unmapped(&e);
	if (xk_vm_uuid(dc, u, err) < 0)
		goto fail;
	e.vm_uuid = u;
	/* ids: VM, then VDIs (so disks sort in xl order), then the rest */
	new_id(&ob, vm_id);
	for (size_t i = 0; i < dc->ndisks; i++) {
		disks[i].ref[0] = '\0';
		if (xk_vm_disk_exported(&dc->disks[i])) {
			new_id(&ob, vdi_ids[i]);
			snprintf(disks[i].ref, sizeof(disks[i].ref), "%s",
			    vdi_ids[i]);
			total += disks[i].size;
			used += disks[i].allocated;
		} else {
			snprintf(vdi_ids[i], 16, "%s", NULLREF);
		}
	}
	for (size_t i = 0; i < dc->ndisks; i++)
		new_id(&ob, vbd_ids[i]);
	for (size_t i = 0; i < dc->nvifs; i++)
		new_id(&ob, vif_ids[i]);
	new_id(&ob, sr_id);
	e.rc |= put(ova, "version", version_rec(&e));
	vm = vm_record(&e, u);
	if (vm == NULL)
		goto nomem;
	e.rc |= put_refs(vm, "VBDs", vbd_ids, dc->ndisks);
	e.rc |= put_refs(vm, "VIFs", vif_ids, dc->nvifs);
	e.rc |= add_obj(&ob, "VM", vm_id, vm);
	for (size_t i = 0; i < dc->ndisks; i++) {
		check_disk(&e, &dc->disks[i]);
		if (dev[i] >= 0) {
			bool part;

			xk_vm_vdev_index(dc->disks[i].vdev, &part);
			if (part)
				xk_exp_warn(&e, "disk: %s: a partition vdev: XAPI "
				    "attaches it as a whole disk (userdevice "
				    "%d); an HVM guest cannot boot from it",
				    dc->disks[i].vdev, dev[i]);
		}
		e.rc |= add_obj(&ob, "VBD", vbd_ids[i], vbd_rec(&e,
		    &dc->disks[i], dev[i], vm_id, vdi_ids[i]));
		if (disks[i].ref[0] != '\0') {
			snprintf(vdi_ids[nvdi++], 16, "%s", disks[i].ref);
			e.rc |= add_obj(&ob, "VDI", disks[i].ref, vdi_rec(&e,
			    &dc->disks[i], &disks[i], sr_id, vbd_ids[i]));
		}
	}
	e.rc |= add_obj(&ob, "SR", sr_id, sr_rec(&e, vdi_ids, nvdi, total,
	    used));
	for (size_t i = 0; i < dc->nvifs; i++) {
		const char *br = dc->vifs[i].bridge ? dc->vifs[i].bridge :
		    XL_DEFAULT_BRIDGE;
		size_t j;

		check_vif(&e, &dc->vifs[i], (int)i);
		for (j = 0; j < i; j++) {
			const char *b2 = dc->vifs[j].bridge ?
			    dc->vifs[j].bridge : XL_DEFAULT_BRIDGE;

			if (strcmp(br, b2) == 0)
				break;
		}
		if (j == i)
			new_id(&ob, net_ids[i]);
		else
			memcpy(net_ids[i], net_ids[j], sizeof(net_ids[i]));
		e.rc |= add_obj(&ob, "VIF", vif_ids[i], vif_rec(&e,
		    &dc->vifs[i], (int)i, vm_id, net_ids[i]));
	}
	for (size_t i = 0; i < dc->nvifs; i++) {
		char members[16][16];
		size_t n = 0;
		bool first = true;

		for (size_t j = 0; j < dc->nvifs; j++) {
			if (strcmp(net_ids[j], net_ids[i]) != 0)
				continue;
			if (j < i)
				first = false;
			if (n < 16)
				snprintf(members[n++], 16, "%s", vif_ids[j]);
		}
		if (first)
			e.rc |= add_obj(&ob, "network", net_ids[i], net_rec(&e,
			    dc->vifs[i].bridge ? dc->vifs[i].bridge :
			    XL_DEFAULT_BRIDGE, members, n));
	}
	e.rc |= put(ova, "objects", ob.objects);
	ob.objects = NULL;
	if (e.rc != 0)
		goto nomem;
	if (dc->nvifs > 16) {
		xk_error_set(err, "vif: %zu interfaces, XAPI allows 16",
		    dc->nvifs);
		goto fail;
	}
	free(vbd_ids);
	free(vdi_ids);
	free(vif_ids);
	free(net_ids);
	free(dev);
	return ova;
nomem:
	xk_error_errno(err, errno ? errno : ENOMEM, "ova.xml: building the "
	    "records");
fail:
	xk_xv_free(ob.objects);
	xk_xv_free(ova);
	free(vbd_ids);
	free(vdi_ids);
	free(vif_ids);
	free(net_ids);
	free(dev);
	return NULL;
}
