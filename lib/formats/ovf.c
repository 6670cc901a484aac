/*
 * ovf.c - reading OVF descriptors and manifests (see ovf.h): the
 * descriptor read back into XAPI-like records, so XVA and OVA imports
 * share one xl.cfg writer.  Parsing has the ova.xml safeguards: no DTD,
 * no entities, no network, a size cap, the tree capped while it grows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "formats/ovf.h"
#include "formats/tar.h"
#include "formats/xva.h"

#define NULLREF	"OpaqueRef:NULL"

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
