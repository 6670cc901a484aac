/*
 * ovf-write.c - writing an OVA (see ovf.h): the descriptor from the
 * same XAPI records as an XVA's ova.xml (vmmodel.c), so both formats
 * say the same things, the disk images, the manifest and the archive.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "formats/ovf-impl.h"
#include "formats/ovf.h"
#include "formats/tar.h"
#include "formats/uuid.h"
#include "formats/xva.h"
#include "util/file.h"
#include "util/interrupt.h"
#include "util/tempfile.h"

#define MIB	((uint64_t)1024 * 1024)

/* ---- shared helpers ---- */

static const struct xk_xv *
find_class(const struct xk_xv *objs, const char *cls, size_t *from,
    const char **id)
{
	for (size_t i = *from; objs != NULL && i < objs->n; i++) {
		const char *c = xk_xv_text(objs->items[i], "class");

		if (c != NULL && strcmp(c, cls) == 0) {
			*from = i + 1;
			if (id != NULL)
				*id = xk_xv_text(objs->items[i], "id");
			return xk_xv_get(objs->items[i], "snapshot");
		}
	}
	return NULL;
}

static const struct xk_xv *
find_ref(const struct xk_xv *objs, const char *ref)
{
	for (size_t i = 0; ref != NULL && objs != NULL && i < objs->n; i++) {
		const char *id = xk_xv_text(objs->items[i], "id");

		if (id != NULL && strcmp(id, ref) == 0)
			return xk_xv_get(objs->items[i], "snapshot");
	}
	return NULL;
}

/* XML text or attribute content. */
static int
esc(struct strbuf *sb, const char *s)
{
	int rc = 0;

	for (; s != NULL && *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&':
			rc = strbuf_adds(sb, "&amp;");
			break;
		case '<':
			rc = strbuf_adds(sb, "&lt;");
			break;
		case '>':
			rc = strbuf_adds(sb, "&gt;");
			break;
		case '"':
			rc = strbuf_adds(sb, "&quot;");
			break;
		case '\r':
			rc = strbuf_adds(sb, "&#13;");
			break;
		case '\n':
			rc = strbuf_adds(sb, "&#10;");
			break;
		case '\t':
			rc = strbuf_adds(sb, "&#9;");
			break;
		default:
			if ((unsigned char)*s < 0x20) {
				errno = EINVAL;
				return -1;
			}
			rc = strbuf_addc(sb, *s);
		}
	}
	return rc;
}

/* A struct of scalars as "k=v;k=v;". */
static int
kv_string(struct strbuf *sb, const struct xk_xv *st)
{
	int rc = 0;

	for (size_t i = 0; st != NULL && st->type == XK_XV_STRUCT && i < st->n;
	    i++)
		if (st->members[i].value->text != NULL)
			rc |= strbuf_addf(sb, "%s=%s;", st->members[i].name,
			    st->members[i].value->text);
	return rc;
}

/* ---- writing ---- */

struct ofile {
	char name[100];
	char *path;		/* the finished image (temporary) */
	uint64_t size, capacity, populated;
	char sha[65];
	const char *ref;
	bool made;
};

static int
data_item(struct strbuf *sb, const char *name, const char *value)
{
	int rc = strbuf_addf(sb, "      <xenovf:VirtualSystemOtherConfiguration"
	    "Data ovf:required=\"false\" Name=\"%s\"><Value>", name);

	if (esc(sb, value) < 0)
		return -1;
	return rc | strbuf_adds(sb, "</Value></xenovf:VirtualSystemOther"
	    "ConfigurationData>\n");
}

static int
rasd(struct strbuf *sb, const char *name, const char *value)
{
	int rc;

	if (value == NULL)
		return 0;
	rc = strbuf_addf(sb, "        <rasd:%s>", name);
	if (esc(sb, value) < 0)
		return -1;
	return rc | strbuf_addf(sb, "</rasd:%s>\n", name);
}

static int
ovf_system(struct strbuf *sb, const struct xk_xv *vm)
{
	const char *pol = xk_xv_text(vm, "HVM_boot_policy");
	uint64_t mem, smax;
	int rc = 0;

	mem = strtoull(xk_xv_text(vm, "memory_dynamic_max"), NULL, 10);
	smax = strtoull(xk_xv_text(vm, "memory_static_max"), NULL, 10);
	rc |= strbuf_adds(sb, "      <System>\n        <vssd:ElementName>"
	    "Virtual Hardware Family</vssd:ElementName>\n        "
	    "<vssd:InstanceID>0</vssd:InstanceID>\n        "
	    "<vssd:VirtualSystemIdentifier>");
	rc |= esc(sb, xk_xv_text(vm, "uuid"));
	rc |= strbuf_addf(sb, "</vssd:VirtualSystemIdentifier>\n        "
	    "<vssd:VirtualSystemType>%s</vssd:VirtualSystemType>\n      "
	    "</System>\n", pol != NULL && *pol != '\0' ? "hvm-3.0-unknown" :
	    "xen-3.0-unknown");
	rc |= strbuf_addf(sb, "      <Item>\n        <rasd:Description>Number "
	    "of virtual CPUs</rasd:Description>\n        <rasd:ElementName>%s "
	    "virtual CPU(s)</rasd:ElementName>\n        <rasd:InstanceID>1"
	    "</rasd:InstanceID>\n        <rasd:Limit>%s</rasd:Limit>\n        "
	    "<rasd:ResourceType>3</rasd:ResourceType>\n        "
	    "<rasd:VirtualQuantity>%s</rasd:VirtualQuantity>\n      </Item>\n",
	    xk_xv_text(vm, "VCPUs_at_startup"), xk_xv_text(vm, "VCPUs_max"),
	    xk_xv_text(vm, "VCPUs_at_startup"));
	rc |= strbuf_addf(sb, "      <Item>\n        <rasd:AllocationUnits>"
	    "byte * 2^20</rasd:AllocationUnits>\n        "
	    "<rasd:Description>Memory size</rasd:Description>\n        "
	    "<rasd:ElementName>%" PRIu64 " MB of memory</rasd:ElementName>\n"
	    "        <rasd:InstanceID>2</rasd:InstanceID>\n"
	    "        <rasd:Limit>%" PRIu64 "</rasd:Limit>\n"
	    "        <rasd:ResourceType>4</rasd:ResourceType>\n        "
	    "<rasd:VirtualQuantity>%" PRIu64 "</rasd:VirtualQuantity>\n      "
	    "</Item>\n", mem / MIB, smax / MIB, mem / MIB);
	return rc;
}

static int
ovf_xen_data(struct strbuf *sb, const struct xk_xv *vm)
{
	static const char *const plain[] = {
		"HVM_boot_policy", "PV_bootloader", "PV_kernel", "PV_ramdisk",
		"PV_args", "PV_bootloader_args", "PV_legacy_args",
		"domain_type", "actions_after_shutdown", "actions_after_reboot",
		"actions_after_crash",
	};
	static const char *const dicts[][2] = {
		{ "HVM_boot_params", "HVM_boot_params" },
		{ "platform", "platform" },
		{ "VCPUs_params", "xenkit_VCPUs_params" },
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		if (xk_xv_text(vm, plain[i]) != NULL)
			rc |= data_item(sb, plain[i], xk_xv_text(vm, plain[i]));
	for (size_t i = 0; i < sizeof(dicts) / sizeof(*dicts); i++) {
		struct strbuf kv = STRBUF_INIT;

		rc |= kv_string(&kv, xk_xv_get(vm, dicts[i][0]));
		rc |= data_item(sb, dicts[i][1], strbuf_str(&kv));
		strbuf_free(&kv);
	}
	if (xk_xv_text(xk_xv_get(vm, "other_config"), XK_OTHER_PREFIX "cfg"))
		rc |= data_item(sb, "xenkit_xl_cfg", xk_xv_text(xk_xv_get(vm,
		    "other_config"), XK_OTHER_PREFIX "cfg"));
	return rc;
}

static int
ovf_disks(struct strbuf *sb, const struct xk_xv *objs,
    const struct ofile *files, size_t n, enum xk_img_format fmt, int *inst)
{
	const struct xk_xv *vbd;
	size_t from = 0;
	int rc = 0;

	while ((vbd = find_class(objs, "VBD", &from, NULL)) != NULL) {
		const char *vdi = xk_xv_text(vbd, "VDI");
		const char *kept = xk_xv_text(xk_xv_get(vbd, "other_config"),
		    XK_OTHER_PREFIX "disk");
		bool cd = strcmp(xk_xv_text(vbd, "type"), "CD") == 0;
		const char *ud = xk_xv_text(vbd, "userdevice");
		char conn[96], desc_host[64];
		struct strbuf d = STRBUF_INIT;
		size_t k;

		for (k = 0; k < n && strcmp(files[k].ref, vdi) != 0; k++)
			;
		if (!cd && k == n)
			continue;
		if (kept != NULL)
			strbuf_addf(&d, "xl:disk=%s", kept);
		snprintf(conn, sizeof(conn), "device=%s,bootable=%s,mode=%s",
		    ud, strcmp(xk_xv_text(vbd, "bootable"), "1") == 0 ?
		    "true" : "false", strcmp(xk_xv_text(vbd, "mode"), "RW") ==
		    0 ? "w" : "r");
		snprintf(desc_host, sizeof(desc_host), "ovf:/disk/disk%zu", k);
		rc |= strbuf_adds(sb, "      <Item>\n");
		rc |= rasd(sb, "AddressOnParent", ud);
		rc |= rasd(sb, "Connection", conn);
		rc |= rasd(sb, "Description", d.buf);
		rc |= rasd(sb, "ElementName", cd ? "CD drive" :
		    xk_xv_text(find_ref(objs, vdi), "name_label"));
		if (!cd)
			rc |= rasd(sb, "HostResource", desc_host);
		rc |= strbuf_addf(sb, "        <rasd:InstanceID>%d</rasd:"
		    "InstanceID>\n", (*inst)++);
		/* 17 (Disk Drive) whatever the image format: virt-v2v
		 * reads only 17, XenCenter's importer 17, 19 and 21 */
		rc |= strbuf_addf(sb, "        <rasd:ResourceType>%d</rasd:"
		    "ResourceType>\n      </Item>\n", cd ? 15 : 17);
		strbuf_free(&d);
	}
	return rc;
}

/*
 * A NIC's Connection: the network's name alone, which is what virt-v2v
 * (and the OVF standard) take it for; the MTU rides in an attribute of
 * xenkit's namespace that other readers ignore.
 */
static int
conn_elem(struct strbuf *sb, const char *bridge, const char *mtu)
{
	int rc = strbuf_adds(sb, "        <rasd:Connection xenkit:mtu=\"");

	rc |= esc(sb, mtu);
	rc |= strbuf_adds(sb, "\">");
	rc |= esc(sb, bridge);
	return rc | strbuf_adds(sb, "</rasd:Connection>\n");
}

static int
ovf_vifs(struct strbuf *sb, const struct xk_xv *objs, int *inst)
{
	const struct xk_xv *vif;
	size_t from = 0;
	int rc = 0;

	while ((vif = find_class(objs, "VIF", &from, NULL)) != NULL) {
		const struct xk_xv *net = find_ref(objs, xk_xv_text(vif,
		    "network"));
		const char *kept = xk_xv_text(xk_xv_get(vif, "other_config"),
		    XK_OTHER_PREFIX "vif");
		struct strbuf d = STRBUF_INIT;

		if (kept != NULL)
			strbuf_addf(&d, "xl:vif=%s", kept);
		rc |= strbuf_adds(sb, "      <Item>\n");
		if (*xk_xv_text(vif, "MAC") != '\0')
			rc |= rasd(sb, "Address", xk_xv_text(vif, "MAC"));
		rc |= rasd(sb, "AddressOnParent", xk_xv_text(vif, "device"));
		rc |= rasd(sb, "AutomaticAllocation", "true");
		rc |= conn_elem(sb, xk_xv_text(net, "bridge"),
		    xk_xv_text(vif, "MTU"));
		rc |= rasd(sb, "Description", d.buf);
		rc |= rasd(sb, "ElementName", xk_xv_text(net, "bridge"));
		rc |= strbuf_addf(sb, "        <rasd:InstanceID>%d</rasd:"
		    "InstanceID>\n        <rasd:ResourceType>10</rasd:"
		    "ResourceType>\n      </Item>\n", (*inst)++);
		strbuf_free(&d);
	}
	return rc;
}

static int
descriptor(struct strbuf *sb, const struct xk_xv *ova,
    const struct ofile *files, size_t n, enum xk_img_format fmt)
{
	const struct xk_xv *objs = xk_xv_get(ova, "objects"), *vm, *net;
	size_t from = 0;
	int rc = 0, inst = 3;

	vm = find_class(objs, "VM", &from, NULL);
	if (vm == NULL)
		return -1;
	rc |= strbuf_addf(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Envelope xmlns=\"%s\" xmlns:ovf=\"%s\" xmlns:rasd=\"http://"
	    "schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocation"
	    "SettingData\" xmlns:vssd=\"http://schemas.dmtf.org/wbem/wscim/1/"
	    "cim-schema/2/CIM_VirtualSystemSettingData\" xmlns:xenovf=\"%s\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	    "xmlns:xenkit=\"%s\" ovf:version=\"1.0.0\">\n  <References>\n",
	    XK_OVF_NS, XK_OVF_NS, XK_XENOVF_NS, XK_XENKIT_NS);
	for (size_t i = 0; i < n; i++)
		rc |= strbuf_addf(sb, "    <File ovf:id=\"file%zu\" "
		    "ovf:href=\"%s\" ovf:size=\"%" PRIu64 "\"/>\n", i,
		    files[i].name, files[i].size);
	rc |= strbuf_adds(sb, "  </References>\n  <DiskSection>\n    <Info>"
	    "Virtual disks</Info>\n");
	for (size_t i = 0; i < n; i++)
		rc |= strbuf_addf(sb, "    <Disk ovf:diskId=\"disk%zu\" "
		    "ovf:fileRef=\"file%zu\" ovf:capacity=\"%" PRIu64 "\" "
		    "ovf:populatedSize=\"%" PRIu64 "\" ovf:format=\"%s\"/>\n",
		    i, i, files[i].capacity, files[i].populated,
		    fmt == XK_IMG_VMDK ? XK_OVF_VMDK_URI : XK_OVF_VHD_URI);
	rc |= strbuf_adds(sb, "  </DiskSection>\n  <NetworkSection>\n    "
	    "<Info>Logical networks</Info>\n");
	from = 0;
	while ((net = find_class(objs, "network", &from, NULL)) != NULL) {
		rc |= strbuf_adds(sb, "    <Network ovf:name=\"");
		rc |= esc(sb, xk_xv_text(net, "bridge"));
		rc |= strbuf_adds(sb, "\"><Description>bridge ");
		rc |= esc(sb, xk_xv_text(net, "bridge"));
		rc |= strbuf_adds(sb, "</Description></Network>\n");
	}
	rc |= strbuf_adds(sb, "  </NetworkSection>\n  <VirtualSystem "
	    "ovf:id=\"");
	rc |= esc(sb, xk_xv_text(vm, "name_label"));
	rc |= strbuf_adds(sb, "\">\n    <Info>A virtual machine exported by "
	    "xenkit</Info>\n    <Name>");
	rc |= esc(sb, xk_xv_text(vm, "name_label"));
	rc |= strbuf_adds(sb, "</Name>\n    <OperatingSystemSection "
	    "ovf:id=\"1\">\n      <Info>Guest operating system</Info>\n    "
	    "</OperatingSystemSection>\n    <VirtualHardwareSection>\n      "
	    "<Info>Virtual hardware</Info>\n");
	rc |= ovf_system(sb, vm);
	rc |= ovf_disks(sb, objs, files, n, fmt, &inst);
	rc |= ovf_vifs(sb, objs, &inst);
	rc |= ovf_xen_data(sb, vm);
	rc |= strbuf_adds(sb, "    </VirtualHardwareSection>\n  "
	    "</VirtualSystem>\n</Envelope>\n");
	return rc;
}

/* The VM's name as a file name stem. */
static void
stem(const struct xk_xv *ova, char *out, size_t n)
{
	const struct xk_xv *objs = xk_xv_get(ova, "objects");
	size_t from = 0, k = 0;
	const char *name = xk_xv_text(find_class(objs, "VM", &from, NULL),
	    "name_label");

	for (const char *p = name ? name : ""; *p && k + 1 < n && k < 60; p++)
		out[k++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
		    *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' ? *p : '_');
	if (k == 0)
		out[k++] = 'v', out[k++] = 'm';
	out[k] = '\0';
}

/*
 * A disk image's identity, from its VDI record (whose UUID is derived
 * from the VM's) and the time stamp the caller fixed: the same VM
 * exports the same image bytes.
 */
static int
disk_id(const struct xk_xv *ova, const struct ofile *f, int64_t mtime,
    struct xk_disk_id *id, struct xk_error *err)
{
	const struct xk_xv *vdi = find_ref(xk_xv_get(ova, "objects"), f->ref);
	const char *u = xk_xv_text(vdi, "uuid");

	memset(id, 0, sizeof(*id));
	id->name = f->name;
	id->mtime = mtime;
	if (xk_uuid_parse(u, id->uuid) < 0) {
		xk_error_set(err, "%s: VDI %s has no valid uuid", f->name,
		    f->ref);
		return -1;
	}
	return 0;
}

static int
make_images(const char *out, const struct xk_xv *ova, struct ofile *files,
    const struct xk_ova_disk *disks, size_t n, enum xk_img_format fmt,
    const char *base, struct xk_progress *progress, struct xk_error *err)
{
	uint64_t done = 0;

	const char *ext = fmt == XK_IMG_VMDK ? "vmdk" : "vhd";
	const char *slash = strrchr(out, '/');

	for (size_t i = 0; i < n; i++) {
		struct ofile *f = &files[i];
		struct xk_disk_copy_stats st;
		struct xk_disk_sink *sink;
		struct xk_disk_id id;
		struct stat sb;

		snprintf(f->name, sizeof(f->name), "%s-disk%zu.%s", base, i,
		    ext);
		f->ref = disks[i].ref;
		f->capacity = xk_disk_src_size(disks[i].src);
		if (asprintf(&f->path, "%.*s.%s.xk-%ld-%zu.%s", slash ?
		    (int)(slash - out + 1) : 0, out, slash ? slash + 1 : out,
		    (long)getpid(), i, ext) < 0) {
			f->path = NULL;
			return xk_error_errno(err, ENOMEM, "%s", out), -1;
		}
		if (disk_id(ova, f, disks[i].mtime, &id, err) < 0)
			return -1;
		sink = xk_disk_sink_create_id(f->path, fmt, f->capacity, &id,
		    err);
		if (sink == NULL)
			return -1;
		xk_progress_base(progress, done);
		if (xk_disk_copy(disks[i].src, sink, progress, &st, err) < 0) {
			xk_error_prefix(err, "disk %s", disks[i].disk->vdev);
			xk_disk_sink_discard(sink, err);
			return -1;
		}
		if (xk_disk_sink_commit(sink, err) < 0)
			return -1;
		f->populated = st.data;
		f->made = true;
		done += f->capacity;
		if (xk_ovf_hash_file(f->path, NULL, f->sha, err) < 0)
			return -1;
		if (stat(f->path, &sb) < 0)
			return xk_error_errno(err, errno, "%s", f->path), -1;
		f->size = (uint64_t)sb.st_size;
	}
	return 0;
}

static int
tar_file(struct xk_tarw *tw, const struct ofile *f, struct xk_error *err)
{
	unsigned char *buf = malloc(BUFSZ);
	int fd = open(f->path, O_RDONLY | O_CLOEXEC), rc = -1;
	uint64_t left = f->size;
	ssize_t r = 0;

	if (buf == NULL || fd < 0) {
		xk_error_errno(err, errno ? errno : ENOMEM, "%s", f->path);
		goto out;
	}
	if (xk_tarw_begin(tw, f->name, f->size, err) < 0)
		goto out;
	while (left > 0 && (r = read(fd, buf, BUFSZ)) > 0) {
		if ((uint64_t)r > left)
			r = (ssize_t)left;
		if (xk_tarw_write(tw, buf, (size_t)r, err) < 0)
			goto out;
		left -= (uint64_t)r;
	}
	if (r < 0 || left != 0) {
		xk_error_errno(err, r < 0 ? errno : EIO, "%s: reading",
		    f->path);
		goto out;
	}
	rc = xk_tarw_end(tw, err);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static int
write_archive(const char *out, const char *base, const struct strbuf *ovf,
    const struct strbuf *mf, const struct ofile *files, size_t n,
    struct xk_error *err)
{
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct xk_tarw *tw = NULL;
	char name[128];
	int rc = -1;

	if (xk_tempfile_open(&t, out, err) < 0)
		return -1;
	tw = xk_tarw_new(t.fd, out, err);
	snprintf(name, sizeof(name), "%s.ovf", base);
	if (tw == NULL || xk_tarw_add(tw, name, ovf->buf, ovf->len, err) < 0)
		goto out;
	snprintf(name, sizeof(name), "%s.mf", base);
	if (xk_tarw_add(tw, name, mf->buf, mf->len, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (tar_file(tw, &files[i], err) < 0)
			goto out;
	if (xk_tarw_finish(tw, err) < 0)
		goto out;
	rc = 0;
out:
	xk_tarw_free(tw);
	if (rc == 0)
		return xk_tempfile_commit(&t, err);
	xk_tempfile_abort(&t, err);
	return -1;
}

int
xk_ova_write(const char *out, const struct xk_xv *ova,
    const struct xk_ova_disk *disks, size_t n, enum xk_img_format fmt,
    struct xk_progress *progress, struct xk_error *err)
{
	struct ofile *files = calloc(n + 1, sizeof(*files));
	struct strbuf ovf = STRBUF_INIT, mf = STRBUF_INIT;
	unsigned char md[32];
	unsigned int ml;
	char base[64], sha[65];
	int rc = -1;

	if (files == NULL)
		return xk_error_errno(err, ENOMEM, "%s", out), -1;
	stem(ova, base, sizeof(base));
	if (make_images(out, ova, files, disks, n, fmt, base, progress,
	    err) < 0)
		goto out;
	if (descriptor(&ovf, ova, files, n, fmt) != 0) {
		xk_error_errno(err, errno ? errno : ENOMEM, "%s: writing the "
		    "OVF descriptor", out);
		goto out;
	}
	EVP_Digest(ovf.buf, ovf.len, md, &ml, EVP_sha256(), NULL);
	xk_ovf_hex(md, ml, sha);
	strbuf_addf(&mf, "SHA256(%s.ovf)= %s\n", base, sha);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&mf, "SHA256(%s)= %s\n", files[i].name,
		    files[i].sha);
	rc = write_archive(out, base, &ovf, &mf, files, n, err);
out:
	for (size_t i = 0; i < n; i++) {
		if (files[i].made) {
			if (rc < 0)
				xk_interrupt_removed(err, files[i].path);
			unlink(files[i].path);
		}
		free(files[i].path);
	}
	free(files);
	strbuf_free(&ovf);
	strbuf_free(&mf);
	return rc;
}
