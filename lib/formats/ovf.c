/*
 * ovf.c - OVF descriptors and OVA archives (see ovf.h).
 *
 * The descriptor is written from the same XAPI records as an XVA's
 * ova.xml (vmmodel.c), so both formats say the same things, and read
 * back into such records, so both imports share one xl.cfg writer.
 * Parsing has the ova.xml safeguards: no DTD, no entities, no network,
 * a size cap.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "formats/ovf.h"
#include "formats/uuid.h"
#include "formats/tar.h"
#include "formats/xva.h"
#include "util/file.h"
#include "util/interrupt.h"

#define NULLREF	"OpaqueRef:NULL"
#define MIB	((uint64_t)1024 * 1024)
#define BUFSZ	(1024u * 1024)

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

static void
hex(const unsigned char *md, unsigned int n, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- writing ---- */

struct hashes {
	EVP_MD_CTX *sha1, *sha256;
};

static int hash_init(struct hashes *h);
static void hash_update(struct hashes *h, const void *d, size_t n);
static void hash_final(struct hashes *h, char sha1[41], char sha256[65]);
static void hash_free(struct hashes *h);

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
	const char *slash = strrchr(out, '/');
	char name[128], *tmp = NULL;
	struct xk_tarw *tw = NULL;
	int fd, rc = -1;

	if (asprintf(&tmp, "%.*s.%s.xk-XXXXXX", slash ? (int)(slash - out +
	    1) : 0, out, slash ? slash + 1 : out) < 0)
		return xk_error_errno(err, ENOMEM, "%s", out), -1;
	fd = mkstemp(tmp);
	if (fd < 0) {
		xk_error_errno(err, errno, "%s: creating a temporary file",
		    out);
		free(tmp);
		return -1;
	}
	(void)fchmod(fd, 0644);
	tw = xk_tarw_new(fd, out, err);
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
	if (fsync(fd) < 0) {
		xk_error_errno(err, errno, "%s", out);
		goto out;
	}
	/* the last moment to give up: after the rename, OUT is done */
	if (xk_interrupt_check(err) < 0)
		goto out;
	if (rename(tmp, out) < 0) {
		xk_error_errno(err, errno, "%s", out);
		goto out;
	}
	free(tmp);
	tmp = NULL;	/* in place: a failure from here on keeps it */
	rc = xk_sync_parent_dir(out, err);
out:
	xk_tarw_free(tw);
	close(fd);
	if (rc < 0 && tmp != NULL) {
		xk_interrupt_removed(err, tmp);
		unlink(tmp);
	}
	free(tmp);
	return rc;
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
	hex(md, ml, sha);
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

/* ---- parsing ---- */

static bool
named(const xmlNode *n, const char *local)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, local) == 0;
}

static const xmlNode *
child(const xmlNode *n, const char *local)
{
	for (const xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next)
		if (named(c, local))
			return c;
	return NULL;
}

/* An attribute by local name, whatever its namespace prefix. */
static const char *
attr(const xmlNode *n, const char *local)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next)
		if (strcmp((const char *)a->name, local) == 0 &&
		    a->children != NULL && a->children->content != NULL)
			return (const char *)a->children->content;
	return NULL;
}

/* An element's text (owned by the caller); "" when empty. */
static char *
text(const xmlNode *n)
{
	xmlChar *s = n ? xmlNodeGetContent(n) : NULL;
	char *dup = strdup(s ? (const char *)s : "");

	xmlFree(s);
	return dup;
}

static bool
u64(const char *s, uint64_t *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* "byte * 2^20", "MB", ... as a multiplier; 0 if unknown. */
static uint64_t
units(const char *u, uint64_t dflt)
{
	const char *p;
	unsigned long e;

	if (u == NULL)
		return dflt;
	if ((p = strstr(u, "2^")) != NULL) {
		e = strtoul(p + 2, NULL, 10);
		return e < 50 ? 1ULL << e : 0;
	}
	if (strcasecmp(u, "byte") == 0 || strcasecmp(u, "bytes") == 0)
		return 1;
	if (strcasecmp(u, "KB") == 0 || strcasecmp(u, "KiloBytes") == 0)
		return 1ULL << 10;
	if (strcasecmp(u, "MB") == 0 || strcasecmp(u, "MegaBytes") == 0)
		return 1ULL << 20;
	if (strcasecmp(u, "GB") == 0 || strcasecmp(u, "GigaBytes") == 0)
		return 1ULL << 30;
	return 0;
}

struct oparse {
	const char *name;
	struct xk_ovf *o;
	struct xk_xv *objs, *vm;
	int nvbd, nvif, nnet;
	struct xk_error *err;
	int rc;
};

static int
perr(struct oparse *p, const xmlNode *n, const char *what)
{
	xk_error_set(p->err, "%s: line %d: %s", p->name, n ? n->line : 0,
	    what);
	return -1;
}

static int
add_obj(struct oparse *p, const char *cls, const char *id, struct xk_xv *rec)
{
	struct xk_xv *o = xk_xv_struct();

	if (o == NULL || rec == NULL) {
		xk_xv_free(o);
		xk_xv_free(rec);
		return -1;
	}
	return xk_xv_set(o, "class", xk_xv_str(cls)) |
	    xk_xv_set(o, "id", xk_xv_str(id)) | xk_xv_set(o, "snapshot", rec) |
	    xk_xv_append(p->objs, o);
}

/* "k=v;k=v" or "k=v,k=v" into a struct. */
static struct xk_xv *
kv_struct(const char *s, char sep)
{
	struct xk_xv *st = xk_xv_struct();
	char *copy = strdup(s ? s : ""), *save = NULL, *tok;
	char seps[2] = { sep, '\0' };

	for (tok = strtok_r(copy, seps, &save); st != NULL && tok != NULL;
	    tok = strtok_r(NULL, seps, &save)) {
		char *eq = strchr(tok, '=');

		if (eq == NULL || eq == tok)
			continue;
		*eq = '\0';
		if (xk_xv_set(st, tok, xk_xv_str(eq + 1)) < 0) {
			xk_xv_free(st);
			st = NULL;
		}
	}
	free(copy);
	return st;
}

static int
parse_files(struct oparse *p, const xmlNode *env)
{
	const xmlNode *refs = child(env, "References");
	size_t n = 0;

	for (const xmlNode *f = refs ? refs->children : NULL; f; f = f->next)
		n += named(f, "File");
	p->o->files = calloc(n + 1, sizeof(*p->o->files));
	if (p->o->files == NULL)
		return perr(p, env, "out of memory");
	for (const xmlNode *f = refs ? refs->children : NULL; f; f = f->next) {
		struct xk_ovf_file *of = &p->o->files[p->o->nfiles];
		const char *id = attr(f, "id"), *href = attr(f, "href");

		if (!named(f, "File"))
			continue;
		if (id == NULL || href == NULL)
			return perr(p, f, "a File without ovf:id and ovf:href");
		if (strchr(href, '/') != NULL || !xk_xva_name_safe(href) ||
		    strlen(href) > XK_TAR_NAME_MAX)
			return perr(p, f, "a File href that is not a plain "
			    "file name (paths, '..' and URLs are refused)");
		of->id = strdup(id);
		of->href = strdup(href);
		p->o->nfiles++;
		if (of->id == NULL || of->href == NULL)
			return perr(p, f, "out of memory");
		(void)u64(attr(f, "size"), &of->size);
		of->compressed = attr(f, "compression") != NULL &&
		    strcmp(attr(f, "compression"), "identity") != 0;
		for (size_t j = 0; j + 1 < p->o->nfiles; j++)
			if (strcmp(p->o->files[j].href, href) == 0 ||
			    strcmp(p->o->files[j].id, id) == 0)
				return perr(p, f, "two Files with one id or "
				    "href");
	}
	return 0;
}

/* The Disk of DiskSection that HostResource "ovf:/disk/ID" names. */
static const xmlNode *
find_disk(const xmlNode *env, const char *host)
{
	const xmlNode *ds = child(env, "DiskSection");
	const char *id = host ? strrchr(host, '/') : NULL;

	if (id == NULL)
		return NULL;
	for (const xmlNode *d = ds ? ds->children : NULL; d; d = d->next) {
		const char *did = named(d, "Disk") ? attr(d, "diskId") : NULL;

		if (did != NULL && strcmp(did, id + 1) == 0)
			return d;
	}
	return NULL;
}

static char *
rasd_text(const xmlNode *item, const char *local)
{
	const xmlNode *c = child(item, local);

	return c ? text(c) : NULL;
}

/* A Connection's "key=value" (comma-separated) or NULL. */
static char *
conn_value(const char *conn, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = conn; p != NULL && *p != '\0'; ) {
		size_t n = strcspn(p, ",");

		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=')
			return strndup(p + kl + 1, n - kl - 1);
		p += n;
		if (*p == ',')
			p++;
	}
	return NULL;
}

static int
parse_disk_item(struct oparse *p, const xmlNode *env, const xmlNode *item,
    bool cd)
{
	char *conn = rasd_text(item, "Connection");
	char *host = rasd_text(item, "HostResource");
	char *aop = rasd_text(item, "AddressOnParent");
	char *desc = rasd_text(item, "Description");
	char *label = rasd_text(item, "ElementName");
	char *dev = conn_value(conn, "device");
	char *mode = conn_value(conn, "mode");
	char *boot = conn_value(conn, "bootable");
	char vbd_id[32], vdi_id[32];
	struct xk_xv *vbd = xk_xv_struct(), *oc = xk_xv_struct();
	const xmlNode *disk = cd ? NULL : find_disk(env, host);
	int rc = 0;

	snprintf(vbd_id, sizeof(vbd_id), "Ref:vbd%d", p->nvbd);
	snprintf(vdi_id, sizeof(vdi_id), "Ref:vdi%d", p->nvbd++);
	if (!cd && disk == NULL) {
		rc = perr(p, item, "a disk Item whose HostResource names no "
		    "Disk of DiskSection");
		goto out;
	}
	if (desc != NULL && strncmp(desc, "xl:disk=", 8) == 0)
		rc |= xk_xv_set(oc, XK_OTHER_PREFIX "disk",
		    xk_xv_str(desc + 8));
	rc |= xk_xv_set(vbd, "VM", xk_xv_str("Ref:vm"));
	rc |= xk_xv_set(vbd, "VDI", xk_xv_str(cd ? NULLREF : vdi_id));
	rc |= xk_xv_set(vbd, "userdevice", xk_xv_strf("%s", dev ? dev : aop ?
	    aop : cd ? "3" : "0"));
	rc |= xk_xv_set(vbd, "mode", xk_xv_str(cd || (mode && *mode == 'r') ?
	    "RO" : "RW"));
	rc |= xk_xv_set(vbd, "type", xk_xv_str(cd ? "CD" : "Disk"));
	rc |= xk_xv_set(vbd, "bootable", xk_xv_bool(boot && strcasecmp(boot,
	    "true") == 0));
	rc |= xk_xv_set(vbd, "other_config", oc);
	oc = NULL;
	rc |= add_obj(p, "VBD", vbd_id, vbd);
	vbd = NULL;
	if (!cd) {
		struct xk_xv *vdi = xk_xv_struct();
		const char *fref = attr(disk, "fileRef");
		struct xk_ovf_file *f = fref ? xk_ovf_file(p->o, fref) : NULL;
		const char *fmt = attr(disk, "format");
		uint64_t cap = 0, mul = units(attr(disk,
		    "capacityAllocationUnits"), 1);

		if (f == NULL || f->vdi_ref != NULL ||
		    !u64(attr(disk, "capacity"), &cap) || mul == 0 ||
		    cap > UINT64_MAX / mul) {
			xk_xv_free(vdi);
			rc = perr(p, disk, "a Disk without a File of its own "
			    "or a capacity");
			goto out;
		}
		f->vdi_ref = strdup(vdi_id);
		f->format = fmt && strstr(fmt, "vmdk") ? XK_IMG_VMDK :
		    XK_IMG_VHD;
		rc |= xk_xv_set(vdi, "virtual_size", xk_xv_strf("%" PRIu64,
		    cap * mul));
		rc |= xk_xv_set(vdi, "SR", xk_xv_str("Ref:sr"));
		rc |= xk_xv_set(vdi, "name_label", xk_xv_str(label ? label :
		    f->href));
		rc |= add_obj(p, "VDI", vdi_id, vdi);
	}
out:
	xk_xv_free(vbd);
	xk_xv_free(oc);
	free(conn);
	free(host);
	free(aop);
	free(desc);
	free(label);
	free(dev);
	free(mode);
	free(boot);
	return rc < 0 ? -1 : 0;
}

static int
parse_nic(struct oparse *p, const xmlNode *item)
{
	char *mac = rasd_text(item, "Address"), *conn = rasd_text(item,
	    "Connection"), *desc = rasd_text(item, "Description");
	/* older xenkit exports and XenCenter: "network=NAME,mtu=N"; now the
	 * name alone, the MTU in an attribute (xenkit:mtu) */
	const xmlNode *cn = child(item, "Connection");
	char *net = conn_value(conn, "network"), *mtu = conn_value(conn, "mtu");
	char vif_id[32], net_id[32];
	struct xk_xv *vif = xk_xv_struct(), *oc = xk_xv_struct();
	struct xk_xv *nw = xk_xv_struct();
	const char *bridge = net ? net : conn && *conn ? conn : "xenbr0";
	int rc = 0;

	if (mtu == NULL && cn != NULL && attr(cn, "mtu") != NULL)
		mtu = strdup(attr(cn, "mtu"));
	snprintf(vif_id, sizeof(vif_id), "Ref:vif%d", p->nvif);
	snprintf(net_id, sizeof(net_id), "Ref:net%d", p->nvif);
	if (desc != NULL && strncmp(desc, "xl:vif=", 7) == 0)
		rc |= xk_xv_set(oc, XK_OTHER_PREFIX "vif", xk_xv_str(desc + 7));
	rc |= xk_xv_set(vif, "VM", xk_xv_str("Ref:vm"));
	rc |= xk_xv_set(vif, "MAC", xk_xv_str(mac ? mac : ""));
	rc |= xk_xv_set(vif, "MTU", xk_xv_str(mtu ? mtu : "1500"));
	rc |= xk_xv_set(vif, "device", xk_xv_strf("%d", p->nvif++));
	rc |= xk_xv_set(vif, "network", xk_xv_str(net_id));
	rc |= xk_xv_set(vif, "other_config", oc);
	rc |= add_obj(p, "VIF", vif_id, vif);
	rc |= xk_xv_set(nw, "bridge", xk_xv_str(bridge));
	rc |= xk_xv_set(nw, "name_label", xk_xv_str(bridge));
	rc |= add_obj(p, "network", net_id, nw);
	free(mac);
	free(conn);
	free(desc);
	free(net);
	free(mtu);
	return rc < 0 ? -1 : 0;
}

static int
parse_cpu_mem(struct oparse *p, const xmlNode *item, int type)
{
	char *q = rasd_text(item, "VirtualQuantity");
	char *lim = rasd_text(item, "Limit");
	char *au = rasd_text(item, "AllocationUnits");
	uint64_t n = 0, max = 0, mul = units(au, 1ULL << 20);
	int rc = 0;

	if (!u64(q, &n) || n == 0 || mul == 0 || n > (1ULL << 44) / mul) {
		rc = perr(p, item, type == 3 ? "a CPU Item without a valid "
		    "VirtualQuantity" : "a memory Item without a valid "
		    "VirtualQuantity or AllocationUnits");
		goto out;
	}
	if (!u64(lim, &max) || max < n || max > (1ULL << 44) / mul)
		max = n;
	if (type == 3) {
		rc |= xk_xv_set(p->vm, "VCPUs_at_startup",
		    xk_xv_strf("%" PRIu64, n));
		rc |= xk_xv_set(p->vm, "VCPUs_max", xk_xv_strf("%" PRIu64,
		    max));
	} else {
		rc |= xk_xv_set(p->vm, "memory_dynamic_max", xk_xv_strf("%"
		    PRIu64, n * mul));
		rc |= xk_xv_set(p->vm, "memory_static_max", xk_xv_strf("%"
		    PRIu64, max * mul));
	}
out:
	free(q);
	free(lim);
	free(au);
	return rc < 0 ? -1 : 0;
}

static int
parse_xen_data(struct oparse *p, const xmlNode *d)
{
	const char *name = attr(d, "Name");
	const xmlNode *v = child(d, "Value");
	char *val;
	int rc = 0;

	if (name == NULL)
		return 0;
	val = text(v);
	if (val == NULL)
		return perr(p, d, "out of memory");
	if (strcmp(name, "HVM_boot_params") == 0)
		rc = xk_xv_set(p->vm, name, strchr(val, '=') || *val == '\0' ?
		    kv_struct(val, ';') : kv_struct("order=cd", ';'));
	else if (strcmp(name, "platform") == 0)
		rc = xk_xv_set(p->vm, name, kv_struct(val, ';'));
	else if (strcmp(name, "xenkit_VCPUs_params") == 0)
		rc = xk_xv_set(p->vm, "VCPUs_params", kv_struct(val, ';'));
	else if (strcmp(name, "xenkit_xl_cfg") == 0) {
		struct xk_xv *oc = xk_xv_struct();

		rc = xk_xv_set(oc, XK_OTHER_PREFIX "cfg", xk_xv_str(val));
		rc |= xk_xv_set(p->vm, "other_config", oc);
	} else if (strncmp(name, "PV_", 3) == 0 ||
	    strcmp(name, "HVM_boot_policy") == 0 ||
	    strcmp(name, "domain_type") == 0 ||
	    strncmp(name, "actions_after_", 14) == 0)
		rc = xk_xv_set(p->vm, name, xk_xv_str(val));
	free(val);
	return rc < 0 ? perr(p, d, "out of memory") : 0;
}

static int
parse_hardware(struct oparse *p, const xmlNode *env, const xmlNode *vhs)
{
	const xmlNode *sys = child(vhs, "System");
	char *type = rasd_text(sys, "VirtualSystemType");
	char *uuid = rasd_text(sys, "VirtualSystemIdentifier");
	int rc = 0;

	if (type != NULL && strncmp(type, "xen-", 4) != 0)
		rc |= xk_xv_set(p->vm, "HVM_boot_policy", xk_xv_str("BIOS "
		    "order"));
	if (uuid != NULL && strlen(uuid) == 36)
		rc |= xk_xv_set(p->vm, "uuid", xk_xv_str(uuid));
	free(type);
	free(uuid);
	for (const xmlNode *it = vhs->children; rc == 0 && it; it = it->next) {
		char *rt;
		long t;

		if (named(it, "VirtualSystemOtherConfigurationData")) {
			rc = parse_xen_data(p, it);
			continue;
		}
		if (!named(it, "Item") && !named(it, "StorageItem") &&
		    !named(it, "EthernetPortItem"))
			continue;
		rt = rasd_text(it, "ResourceType");
		t = rt ? strtol(rt, NULL, 10) : -1;
		free(rt);
		if (t == 3 || t == 4)
			rc = parse_cpu_mem(p, it, (int)t);
		else if (t == 17 || t == 19 || t == 31)
			rc = parse_disk_item(p, env, it, false);
		else if (t == 15 || t == 16)
			rc = parse_disk_item(p, env, it, true);
		else if (t == 10)
			rc = parse_nic(p, it);
	}
	return rc;
}

static int
build_records(struct oparse *p, const xmlNode *env)
{
	const xmlNode *vs = child(env, "VirtualSystem"), *vhs;
	struct xk_xv *ova, *sr;
	char *name;
	int rc = 0;

	if (child(env, "VirtualSystemCollection") != NULL)
		return perr(p, env, "a VirtualSystemCollection: xenkit imports "
		    "one VM per OVF");
	if (vs == NULL)
		return perr(p, env, "no VirtualSystem");
	vhs = child(vs, "VirtualHardwareSection");
	ova = xk_xv_struct();
	sr = xk_xv_struct();
	p->objs = xk_xv_array();
	p->vm = xk_xv_struct();
	if (ova == NULL || sr == NULL || p->objs == NULL || p->vm == NULL ||
	    vhs == NULL) {
		xk_xv_free(ova);
		xk_xv_free(sr);
		xk_xv_free(p->objs);
		xk_xv_free(p->vm);
		p->objs = p->vm = NULL;
		return vhs == NULL ? perr(p, vs, "no VirtualHardwareSection") :
		    perr(p, vs, "out of memory");
	}
	p->o->ova = ova;
	rc |= xk_xv_set(ova, "version", xk_xv_struct());
	rc |= xk_xv_set(ova, "objects", p->objs);
	name = text(child(vs, "Name"));
	rc |= xk_xv_set(p->vm, "name_label", xk_xv_str(name && *name ? name :
	    attr(vs, "id") ? attr(vs, "id") : "imported"));
	free(name);
	rc |= xk_xv_set(p->vm, "HVM_boot_policy", xk_xv_str(""));
	rc |= add_obj(p, "VM", "Ref:vm", p->vm);
	rc |= add_obj(p, "SR", "Ref:sr", sr);
	if (rc != 0)
		return perr(p, vs, "out of memory");
	if (parse_hardware(p, env, vhs) < 0)
		return -1;
	if (xk_xv_get(p->vm, "VCPUs_at_startup") == NULL ||
	    xk_xv_get(p->vm, "memory_dynamic_max") == NULL)
		return perr(p, vhs, "no CPU (ResourceType 3) or memory "
		    "(ResourceType 4) Item");
	return 0;
}

/*
 * The descriptor's tree, with its size capped while libxml2 builds it:
 * libxml2's own SAX2 tree builder, behind callbacks that count elements
 * and text and stop the parser past XK_OVF_MAX_NODES or _TEXT, so a
 * hostile descriptor never grows a large tree.  Comments and
 * processing instructions are dropped (nothing reads them).
 */
struct olimit {
	size_t nodes, bytes;
	bool over;
};

static bool
over(xmlParserCtxtPtr c, size_t nodes, size_t bytes)
{
	struct olimit *l = c->_private;

	l->nodes += nodes;
	l->bytes += bytes;
	if (l->nodes > XK_OVF_MAX_NODES || l->bytes > XK_OVF_MAX_TEXT) {
		l->over = true;
		xmlStopParser(c);
	}
	return l->over;
}

static void
lim_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	size_t bytes = 0;

	/* five pointers an attribute: name, prefix, URI, value, end */
	for (int i = 0; i < nattr; i++)
		bytes += (size_t)(attrs[5 * i + 4] - attrs[5 * i + 3]);
	if (!over(ctx, 1 + (size_t)nattr, bytes))
		xmlSAX2StartElementNs(ctx, local, prefix, uri, nns, ns, nattr,
		    ndef, attrs);
}

static void
lim_text(void *ctx, const xmlChar *s, int len)
{
	if (!over(ctx, 0, (size_t)len))
		xmlSAX2Characters(ctx, s, len);
}

static void
quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx, (void)e;
}

static xmlDocPtr
read_doc(const char *name, const char *data, size_t len,
    struct xk_error *err)
{
	struct olimit lim = { 0, 0, false };
	xmlSAXHandler sax;
	xmlParserCtxtPtr c;
	xmlDocPtr doc = NULL;
	int rc = 0;

	xmlSAXVersion(&sax, 2);
	sax.startElementNs = lim_start;
	sax.characters = lim_text;
	sax.ignorableWhitespace = lim_text;
	sax.comment = NULL;
	sax.processingInstruction = NULL;
	sax.serror = quiet;
	c = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, name);
	if (c == NULL || xmlCtxtUseOptions(c, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA) < 0) {
		xk_error_errno(err, ENOMEM, "%s", name);
		goto out;
	}
	c->_private = &lim;
	for (size_t off = 0; rc == 0 && !lim.over && off <= len; ) {
		size_t n = len - off < 65536 ? len - off : 65536;

		rc = xmlParseChunk(c, data + off, (int)n, off + n == len);
		if (off + n == len)
			break;
		off += n;
	}
	if (lim.over) {
		xk_error_set(err, "%s: line %d: more than %u elements and "
		    "attributes or %u bytes of text", name,
		    xmlSAX2GetLineNumber(c), XK_OVF_MAX_NODES,
		    XK_OVF_MAX_TEXT);
	} else if (rc != 0 || !c->wellFormed || c->myDoc == NULL) {
		const xmlError *xe = xmlCtxtGetLastError(c);
		char msg[256] = "unknown error";

		if (xe != NULL && xe->message != NULL)
			snprintf(msg, sizeof(msg), "%s", xe->message);
		msg[strcspn(msg, "\n")] = '\0';
		xk_error_set(err, "%s: line %d: not well-formed XML: %s", name,
		    xe ? xe->line : 0, msg);
	} else {
		doc = c->myDoc;
		c->myDoc = NULL;
	}
out:
	if (c != NULL) {
		xmlFreeDoc(c->myDoc);
		xmlFreeParserCtxt(c);
	}
	return doc;
}

struct xk_ovf *
xk_ovf_parse(const char *name, const char *data, size_t len,
    struct xk_error *err)
{
	struct xk_ovf *o = calloc(1, sizeof(*o));
	struct oparse p = { name, o, NULL, NULL, 0, 0, 0, err, 0 };
	xmlDocPtr doc = NULL;
	const xmlNode *env;

	if (o == NULL)
		return xk_error_errno(err, ENOMEM, "%s", name), NULL;
	/* the manifest names the descriptor without a directory */
	o->self = strdup(strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
	if (o->self == NULL) {
		xk_error_errno(err, ENOMEM, "%s", name);
		goto fail;
	}
	if (len > XK_OVF_MAX_DOC) {
		xk_error_set(err, "%s: %zu bytes, more than the %u allowed",
		    name, len, XK_OVF_MAX_DOC);
		goto fail;
	}
	if (xk_xml_has_dtd(data, len)) {
		xk_error_set(err, "%s: DTDs and entity declarations are not "
		    "allowed", name);
		goto fail;
	}
	doc = read_doc(name, data, len, err);
	if (doc == NULL)
		goto fail;
	env = xmlDocGetRootElement(doc);
	if (env == NULL || !named(env, "Envelope")) {
		xk_error_set(err, "%s: not an OVF descriptor (no Envelope)",
		    name);
		goto fail;
	}
	if (parse_files(&p, env) < 0 || build_records(&p, env) < 0)
		goto fail;
	xmlFreeDoc(doc);
	return o;
fail:
	/* before build_records hands them to o->ova, they are ours */
	if (o->ova == NULL) {
		xk_xv_free(p.objs);
		xk_xv_free(p.vm);
	}
	xmlFreeDoc(doc);
	xk_ovf_free(o);
	return NULL;
}

struct xk_ovf_file *
xk_ovf_file(struct xk_ovf *o, const char *s)
{
	for (size_t i = 0; i < o->nfiles; i++)
		if (strcmp(o->files[i].id, s) == 0 ||
		    strcmp(o->files[i].href, s) == 0)
			return &o->files[i];
	return NULL;
}

void
xk_ovf_free(struct xk_ovf *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->nfiles; i++) {
		free(o->files[i].id);
		free(o->files[i].href);
		free(o->files[i].vdi_ref);
		free(o->files[i].want);
	}
	free(o->files);
	free(o->self);
	free(o->self_want);
	xk_xv_free(o->ova);
	free(o);
}

static int
set_want(char **want, bool *is_sha1, const char *digest, bool sha1)
{
	free(*want);
	*want = strdup(digest);
	*is_sha1 = sha1;
	return *want != NULL ? 0 : -1;
}

int
xk_ovf_manifest(struct xk_ovf *o, const char *name, const char *data,
    size_t len, struct xk_error *err)
{
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[512], file[256], digest[129];
		struct xk_ovf_file *f;
		bool sha1;
		int rc = 0;

		if (n >= sizeof(line)) {
			xk_error_set(err, "%s: a line longer than %zu bytes",
			    name, sizeof(line) - 1);
			return -1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		p += n + 1;
		if (line[0] == '\0')
			continue;
		if (sscanf(line, "SHA256(%255[^)])= %128s", file, digest) == 2)
			sha1 = false;
		else if (sscanf(line, "SHA1(%255[^)])= %128s", file, digest) ==
		    2)
			sha1 = true;
		else {
			xk_error_set(err, "%s: '%.80s' is not SHA256(FILE)= "
			    "HEX or SHA1(FILE)= HEX", name, line);
			return -1;
		}
		f = xk_ovf_file(o, file);
		if (f != NULL)
			rc = set_want(&f->want, &f->sha1, digest, sha1);
		else if (strcmp(file, o->self) == 0)
			rc = set_want(&o->self_want, &o->self_sha1, digest,
			    sha1);
		if (rc < 0)
			return xk_error_errno(err, ENOMEM, "%s", name), -1;
	}
	return 0;
}

/* ---- reading an OVA ---- */

static int
hash_init(struct hashes *h)
{
	h->sha1 = EVP_MD_CTX_new();
	h->sha256 = EVP_MD_CTX_new();
	if (h->sha1 == NULL || h->sha256 == NULL ||
	    EVP_DigestInit_ex(h->sha1, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestInit_ex(h->sha256, EVP_sha256(), NULL) != 1)
		return -1;
	return 0;
}

static void
hash_update(struct hashes *h, const void *d, size_t n)
{
	EVP_DigestUpdate(h->sha1, d, n);
	EVP_DigestUpdate(h->sha256, d, n);
}

static void
hash_final(struct hashes *h, char sha1[41], char sha256[65])
{
	unsigned char md[32];
	unsigned int ml;

	EVP_DigestFinal_ex(h->sha1, md, &ml);
	hex(md, ml, sha1);
	EVP_DigestFinal_ex(h->sha256, md, &ml);
	hex(md, ml, sha256);
}

static void
hash_free(struct hashes *h)
{
	EVP_MD_CTX_free(h->sha1);
	EVP_MD_CTX_free(h->sha256);
}

/* SHA1 and SHA256 of a buffer (a descriptor), lowercase hex. */
static int
hash_mem(const void *data, size_t len, char sha1[41], char sha256[65])
{
	struct hashes h = { NULL, NULL };
	int rc = hash_init(&h);

	if (rc == 0) {
		hash_update(&h, data, len);
		hash_final(&h, sha1, sha256);
	}
	hash_free(&h);
	return rc;
}

/*
 * A file's digests against the manifest's (want, SHA1 or SHA256):
 * where is the package or manifest, file the name it lists.
 */
static int
check_digest(const char *where, const char *file, const char *want,
    bool sha1, const char *digest1, const char *digest256,
    struct xk_error *err)
{
	const char *have = sha1 ? digest1 : digest256;

	if (strcasecmp(want, have) == 0)
		return 0;
	xk_error_set(err, "%s: %s: %s mismatch: the manifest says %.128s, "
	    "the file has %s", where, file, sha1 ? "SHA1" : "SHA256", want,
	    have);
	return -1;
}

int
xk_ovf_hash_file(const char *path, char sha1[41], char sha256[65],
    struct xk_error *err)
{
	struct hashes h = { NULL, NULL };
	unsigned char *buf = malloc(BUFSZ);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	char s1[41];
	ssize_t r;

	if (buf == NULL || fd < 0 || hash_init(&h) < 0) {
		xk_error_errno(err, fd < 0 ? errno : ENOMEM, "%s", path);
		goto out;
	}
	while ((r = read(fd, buf, BUFSZ)) > 0) {
		hash_update(&h, buf, (size_t)r);
		if (xk_interrupt_check(err) < 0)
			goto out;
	}
	if (r < 0) {
		xk_error_errno(err, errno, "%s: reading", path);
		goto out;
	}
	hash_final(&h, sha1 ? sha1 : s1, sha256);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	hash_free(&h);
	free(buf);
	return rc;
}

struct ova_reader {
	const char *path;
	struct archive *ar;
	struct xk_ovf *ovf;
	char ovf_name[128];
	char ovf_sha1[41], ovf_sha256[65];
	char *mf_text;
	size_t mf_len;
	unsigned char *buf;
};

static int
ar_fail(struct ova_reader *r, struct xk_error *err, const char *what)
{
	const char *m = archive_error_string(r->ar);

	xk_error_set(err, "%s: %s: %s", r->path, what, m ? m : "archive "
	    "truncated or unreadable");
	return -1;
}

/* A small member into memory (descriptor, manifest). */
static int
read_small(struct ova_reader *r, struct archive_entry *e, size_t max,
    char **out, size_t *len, struct xk_error *err)
{
	la_int64_t size = archive_entry_size(e);
	size_t done = 0;
	la_ssize_t n;

	if (size < 0 || (uint64_t)size > max) {
		xk_error_set(err, "%s: member %s: declared size %lld is more "
		    "than the %zu bytes allowed", r->path,
		    archive_entry_pathname(e), (long long)size, max);
		return -1;
	}
	*out = malloc((size_t)size + 1);
	if (*out == NULL)
		return xk_error_errno(err, ENOMEM, "%s", r->path), -1;
	while (done < (size_t)size &&
	    (n = archive_read_data(r->ar, *out + done, (size_t)size - done)) >
	    0)
		done += (size_t)n;
	if (done != (size_t)size) {
		free(*out);
		*out = NULL;
		return ar_fail(r, err, archive_entry_pathname(e));
	}
	(*out)[size] = '\0';
	*len = (size_t)size;
	return 0;
}

/* A disk member: hashed, and copied to a temporary file if dir. */
static int
read_disk(struct ova_reader *r, struct xk_ovf_file *f, const char *dir,
    const struct xk_ova_cb *cb, struct xk_error *err)
{
	struct hashes h = { NULL, NULL };
	char *tmp = NULL;
	la_ssize_t n;
	int fd = -1, rc = -1;

	if (hash_init(&h) < 0) {
		xk_error_errno(err, ENOMEM, "%s", r->path);
		goto out;
	}
	if (dir != NULL) {
		if (asprintf(&tmp, "%s/.%s.xk-XXXXXX", dir, f->href) < 0) {
			tmp = NULL;
			xk_error_errno(err, ENOMEM, "%s", r->path);
			goto out;
		}
		fd = mkstemp(tmp);
		if (fd < 0) {
			xk_error_errno(err, errno, "%s: a temporary file", dir);
			goto out;
		}
	}
	while ((n = archive_read_data(r->ar, r->buf, BUFSZ)) > 0) {
		hash_update(&h, r->buf, (size_t)n);
		if (xk_interrupt_check(err) < 0)
			goto out;
		if (fd >= 0 && write(fd, r->buf, (size_t)n) != n) {
			xk_error_errno(err, errno, "%s: writing", tmp);
			goto out;
		}
	}
	if (n < 0) {
		ar_fail(r, err, f->href);
		goto out;
	}
	hash_final(&h, f->digest1, f->digest);
	f->seen = true;
	if (f->want != NULL && check_digest(r->path, f->href, f->want,
	    f->sha1, f->digest1, f->digest, err) < 0)
		goto out;
	if (fd >= 0 && cb != NULL && cb->disk != NULL &&
	    cb->disk(cb->arg, r->ovf, f, tmp, err) < 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		if (rc < 0)
			xk_interrupt_removed(err, tmp);
		unlink(tmp);
	}
	free(tmp);
	hash_free(&h);
	return rc;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* A manifest after some files: check those (the rest as they come). */
static int
check_manifest(struct ova_reader *r, struct xk_error *err)
{
	struct xk_ovf *o = r->ovf;

	if (xk_ovf_manifest(o, r->path, r->mf_text, r->mf_len, err) < 0)
		return -1;
	if (o->self_want != NULL && check_digest(r->path, o->self,
	    o->self_want, o->self_sha1, r->ovf_sha1, r->ovf_sha256, err) < 0)
		return -1;
	for (size_t i = 0; i < o->nfiles; i++) {
		struct xk_ovf_file *f = &o->files[i];

		if (f->seen && f->want != NULL && check_digest(r->path,
		    f->href, f->want, f->sha1, f->digest1, f->digest,
		    err) < 0)
			return -1;
	}
	return 0;
}

int
xk_ovf_verify_files(struct xk_ovf *o, const char *path, const char *data,
    size_t len, struct xk_notes *notes, struct xk_error *err)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash != NULL ? (int)(slash - path + 1) : 0;
	int stem = (int)strlen(path) - (ends_with(path, ".ovf") ? 4 : 0);
	char *mf = NULL, *text = NULL, *file = NULL;
	char sha1[41], sha256[65];
	size_t mflen;
	int rc = -1;

	if (asprintf(&mf, "%.*s.mf", stem, path) < 0) {
		mf = NULL;
		return xk_error_errno(err, ENOMEM, "%s", path), -1;
	}
	if (access(mf, F_OK) < 0 && errno == ENOENT) {
		rc = xk_notes_add(notes, "no manifest %s: no digest verified",
		    mf) < 0 ? -1 : 1;
		if (rc < 0)
			xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	if (xk_read_file(mf, 1 << 20, &text, &mflen, err) < 0 ||
	    xk_ovf_manifest(o, mf, text, mflen, err) < 0)
		goto out;
	if (o->self_want != NULL && hash_mem(data, len, sha1, sha256) < 0) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	if (o->self_want != NULL && check_digest(mf, o->self, o->self_want,
	    o->self_sha1, sha1, sha256, err) < 0)
		goto out;
	for (size_t i = 0; i < o->nfiles; i++) {
		struct xk_ovf_file *f = &o->files[i];

		if (f->want == NULL)
			continue;
		free(file);
		if (asprintf(&file, "%.*s%s", dirlen, path, f->href) < 0) {
			file = NULL;
			xk_error_errno(err, ENOMEM, "%s", path);
			goto out;
		}
		if (xk_ovf_hash_file(file, f->digest1, f->digest, err) < 0 ||
		    check_digest(mf, f->href, f->want, f->sha1, f->digest1,
		    f->digest, err) < 0)
			goto out;
		f->seen = true;
	}
	rc = 0;
out:
	free(mf);
	free(text);
	free(file);
	return rc;
}

static int
read_members(struct ova_reader *r, const char *dir,
    const struct xk_ova_cb *cb, struct xk_error *err)
{
	struct archive_entry *e;
	int rc;

	while ((rc = archive_read_next_header(r->ar, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		struct xk_ovf_file *f;

		if (name == NULL || !xk_xva_name_safe(name) ||
		    strchr(name, '/') != NULL) {
			xk_error_set(err, "%s: member '%.100s': absolute path, "
			    "directory or '..' refused", r->path, name ? name :
			    "");
			return -1;
		}
		if (archive_entry_filetype(e) != AE_IFREG) {
			xk_error_set(err, "%s: member %s: not a regular file",
			    r->path, name);
			return -1;
		}
		f = xk_ovf_file(r->ovf, name);
		if (f != NULL && f->seen) {
			xk_error_set(err, "%s: member %s appears twice",
			    r->path, name);
			return -1;
		}
		if (f != NULL) {
			if (f->vdi_ref == NULL) {
				/* not a disk (an ISO...): its digest too */
				if (read_disk(r, f, NULL, NULL, err) < 0)
					return -1;
			} else if (f->compressed) {
				xk_error_set(err, "%s: %s: compressed disk "
				    "files are not supported", r->path, name);
				return -1;
			} else if (read_disk(r, f, dir, cb, err) < 0)
				return -1;
			f->seen = true;
		} else if (ends_with(name, ".mf") && r->mf_text == NULL) {
			if (read_small(r, e, 1 << 20, &r->mf_text, &r->mf_len,
			    err) < 0 || check_manifest(r, err) < 0)
				return -1;
		} else if (ends_with(name, ".cert")) {
			archive_read_data_skip(r->ar);
		} else {
			xk_error_set(err, "%s: unexpected member '%.100s' (not "
			    "in the descriptor's References)", r->path, name);
			return -1;
		}
	}
	if (rc != ARCHIVE_EOF)
		return ar_fail(r, err, "reading the archive");
	for (size_t i = 0; i < r->ovf->nfiles; i++)
		if (r->ovf->files[i].vdi_ref != NULL &&
		    !r->ovf->files[i].seen) {
			xk_error_set(err, "%s: disk file %s is missing "
			    "(archive truncated?)", r->path,
			    r->ovf->files[i].href);
			return -1;
		}
	return 0;
}

int
xk_ova_read(const char *path, const char *dir, const struct xk_ova_cb *cb,
    struct xk_ovf **ovf, struct xk_error *err)
{
	struct ova_reader r;
	struct archive_entry *e;
	struct hashes h = { NULL, NULL };
	char *text = NULL;
	size_t len;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.path = path;
	*ovf = NULL;
	r.ar = archive_read_new();
	r.buf = malloc(BUFSZ);
	if (r.ar == NULL || r.buf == NULL ||
	    archive_read_support_format_tar(r.ar) != ARCHIVE_OK) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	if (archive_read_open_filename(r.ar, path, 1 << 16) != ARCHIVE_OK) {
		ar_fail(&r, err, "opening");
		goto out;
	}
	if (archive_read_next_header(r.ar, &e) != ARCHIVE_OK) {
		ar_fail(&r, err, "not an OVA (tar)");
		goto out;
	}
	if (!ends_with(archive_entry_pathname(e), ".ovf") ||
	    strchr(archive_entry_pathname(e), '/') != NULL) {
		xk_error_set(err, "%s: the first member is '%.100s', not the "
		    "OVF descriptor", path, archive_entry_pathname(e));
		goto out;
	}
	snprintf(r.ovf_name, sizeof(r.ovf_name), "%s",
	    archive_entry_pathname(e));
	if (read_small(&r, e, XK_OVF_MAX_DOC, &text, &len, err) < 0)
		goto out;
	if (hash_mem(text, len, r.ovf_sha1, r.ovf_sha256) < 0) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	r.ovf = xk_ovf_parse(r.ovf_name, text, len, err);
	if (r.ovf == NULL)
		goto out;
	if (cb != NULL && cb->descriptor != NULL &&
	    cb->descriptor(cb->arg, r.ovf, err) < 0)
		goto out;
	rc = read_members(&r, dir, cb, err);
out:
	hash_free(&h);
	free(text);
	free(r.mf_text);
	free(r.buf);
	if (r.ar != NULL)
		archive_read_free(r.ar);
	if (rc == 0)
		*ovf = r.ovf;
	else
		xk_ovf_free(r.ovf);
	return rc;
}

/* ---- streamOptimized VMDK, read front to back ---- */

#define VMDK_SECTOR	512u
#define VMDK_MAX_GRAIN	2048u	/* sectors: 1 MiB grains at most */

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

struct vstream {
	const char *path;
	FILE *f;
	uint64_t pos;		/* bytes read */
};

static int
vread(struct vstream *v, void *buf, size_t len, struct xk_error *err)
{
	if (fread(buf, 1, len, v->f) != len) {
		xk_error_set(err, "%s: truncated VMDK at byte %llu", v->path,
		    (unsigned long long)v->pos);
		return -1;
	}
	v->pos += len;
	return 0;
}

static int
vskip(struct vstream *v, uint64_t len, struct xk_error *err)
{
	if (len > INT64_MAX - v->pos ||
	    fseeko(v->f, (off_t)(v->pos + len), SEEK_SET) != 0) {
		xk_error_set(err, "%s: bad VMDK offset", v->path);
		return -1;
	}
	v->pos += len;
	return 0;
}

static int
inflate_grain(const unsigned char *in, size_t inlen, unsigned char *out,
    size_t outlen, size_t *got)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = (uInt)outlen;
	rc = inflate(&z, Z_FINISH);
	*got = outlen - z.avail_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int
vmdk_header(struct vstream *v, uint64_t size, uint64_t *grain,
    struct xk_error *err)
{
	unsigned char h[VMDK_SECTOR];
	uint64_t cap, overhead;
	uint32_t flags;

	if (vread(v, h, sizeof(h), err) < 0)
		return -1;
	flags = le32(h + 8);
	cap = le64(h + 12);
	*grain = le64(h + 20);
	overhead = le64(h + 64);
	if (memcmp(h, "KDMV", 4) != 0) {
		xk_error_set(err, "%s: not a VMDK (no KDMV magic)", v->path);
		return -1;
	}
	if (!(flags & 1u << 16) || !(flags & 1u << 17) ||
	    (h[77] | h[78] << 8) != 1) {
		xk_error_set(err, "%s: not a streamOptimized VMDK (needs "
		    "deflated grains with markers)", v->path);
		return -1;
	}
	if (*grain == 0 || *grain > VMDK_MAX_GRAIN || (*grain & (*grain - 1))) {
		xk_error_set(err, "%s: VMDK grain of %llu sectors", v->path,
		    (unsigned long long)*grain);
		return -1;
	}
	if (cap > UINT64_MAX / VMDK_SECTOR || cap * VMDK_SECTOR != size) {
		xk_error_set(err, "%s: the VMDK holds %llu sectors, the "
		    "descriptor says %llu bytes", v->path,
		    (unsigned long long)cap, (unsigned long long)size);
		return -1;
	}
	if (overhead < 1 || overhead > (1u << 20))
		return xk_error_set(err, "%s: bad VMDK overhead", v->path), -1;
	return vskip(v, (overhead - 1) * VMDK_SECTOR, err);
}

int
xk_vmdk_stream_read(FILE *f, const char *path, uint64_t size,
    int (*write)(void *arg, const void *buf, size_t len, uint64_t off,
    struct xk_error *err), void *arg, struct xk_error *err)
{
	struct vstream v = { path, f, 0 };
	unsigned char m[VMDK_SECTOR], *in = NULL, *out = NULL;
	uint64_t grain, gbytes, end = 0;
	int rc = -1;

	if (vmdk_header(&v, size, &grain, err) < 0)
		goto out;
	gbytes = grain * VMDK_SECTOR;
	in = malloc(2 * gbytes + VMDK_SECTOR);
	out = malloc(gbytes);
	if (in == NULL || out == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	for (;;) {
		uint64_t lba, off;
		uint32_t csize;
		size_t got, pad;

		if (vread(&v, m, 12, err) < 0)
			goto out;
		lba = le64(m);
		csize = le32(m + 8);
		if (csize == 0) {
			/* metadata: rest of its sector, then lba sectors */
			if (vread(&v, m + 12, VMDK_SECTOR - 12, err) < 0)
				goto out;
			if (le32(m + 12) == 0)
				break;		/* end of stream */
			if (lba > (1ULL << 32)) {
				xk_error_set(err, "%s: VMDK metadata of %llu "
				    "sectors", path, (unsigned long long)lba);
				goto out;
			}
			if (vskip(&v, lba * VMDK_SECTOR, err) < 0)
				goto out;
			continue;
		}
		if (csize > 2 * gbytes) {
			xk_error_set(err, "%s: grain at sector %llu: %u "
			    "compressed bytes for a %llu-byte grain", path,
			    (unsigned long long)lba, csize,
			    (unsigned long long)gbytes);
			goto out;
		}
		if (vread(&v, in, csize, err) < 0)
			goto out;
		pad = (size_t)((VMDK_SECTOR - (12 + csize) % VMDK_SECTOR) %
		    VMDK_SECTOR);
		if (vskip(&v, pad, err) < 0)
			goto out;
		off = lba * VMDK_SECTOR;
		if (lba % grain != 0 || lba >= size / VMDK_SECTOR ||
		    off < end) {
			xk_error_set(err, "%s: grain at sector %llu out of "
			    "order or out of the disk", path,
			    (unsigned long long)lba);
			goto out;
		}
		/*
		 * A whole grain, or what is left of the disk; a last grain
		 * may also come whole, zero-padded past the end.
		 */
		if (inflate_grain(in, csize, out, (size_t)gbytes, &got) < 0 ||
		    (got != gbytes && got != size - off) ||
		    (got == gbytes && got > size - off &&
		    (out[size - off] != 0 || memcmp(out + (size - off), out +
		    (size - off) + 1, (size_t)(gbytes - (size - off) - 1))))) {
			xk_error_set(err, "%s: grain at sector %llu does not "
			    "inflate to a grain", path,
			    (unsigned long long)lba);
			goto out;
		}
		if (got > size - off)
			got = (size_t)(size - off);
		if (write(arg, out, got, off, err) < 0)
			goto out;
		end = off + got;
	}
	rc = 0;
out:
	free(in);
	free(out);
	return rc;
}

struct vsink {
	struct xk_disk_sink *sink;
	struct xk_progress *progress;
	uint64_t base;
};

static int
vsink_write(void *arg, const void *buf, size_t len, uint64_t off,
    struct xk_error *err)
{
	struct vsink *vs = arg;

	/* no sink: read through only (xk inspect) */
	if (vs->sink != NULL &&
	    xk_disk_sink_pwrite(vs->sink, buf, len, off, err) < 0)
		return -1;
	if (vs->progress != NULL)
		xk_progress_update(vs->progress, vs->base + off + len);
	return 0;
}

int
xk_vmdk_stream_copy(const char *path, uint64_t size,
    struct xk_disk_sink *sink, struct xk_progress *progress, uint64_t base,
    struct xk_error *err)
{
	struct vsink vs = { sink, progress, base };
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL)
		return xk_error_errno(err, errno, "%s", path), -1;
	rc = xk_vmdk_stream_read(f, path, size, vsink_write, &vs, err);
	fclose(f);
	return rc;
}
