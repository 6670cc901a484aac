/*
 * xva-validate.c - the strict XVA validator (see xva-validate.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "formats/ovaxml.h"
#include "formats/tar.h"
#include "xva-validate.h"

#define CHUNK	(1024u * 1024)
#define NULLREF	"OpaqueRef:NULL"

struct vctx {
	char *msg;
	size_t msglen;
};

static int
fail(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

static int
fail(struct vctx *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->msg, v->msglen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- tar, by hand ---- */

static bool
octal_field(const unsigned char *f, size_t w, unsigned long long *out)
{
	size_t i = 0;

	*out = 0;
	while (i < w && f[i] == ' ')
		i++;
	if (i == w || f[i] < '0' || f[i] > '7')
		return false;
	for (; i < w && f[i] >= '0' && f[i] <= '7'; i++)
		*out = *out * 8 + (unsigned)(f[i] - '0');
	for (; i < w; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return false;
	return true;
}

static int
parse_header(struct vctx *v, const unsigned char *h, struct tar_member *m,
    unsigned long long *size)
{
	unsigned long long sum, mine = 0;

	if (!octal_field(h + 148, 8, &sum))
		return fail(v, "tar: header checksum field is not octal");
	for (int i = 0; i < 512; i++)
		mine += (i >= 148 && i < 156) ? ' ' : h[i];
	if (sum != mine)
		return fail(v, "tar: header checksum mismatch");
	if (memcmp(h + 257, "ustar\0", 6) != 0 || memcmp(h + 263, "00", 2))
		return fail(v, "tar: not a POSIX ustar header (magic)");
	if (h[345] != '\0')
		return fail(v, "tar: ustar prefix field used (long name)");
	if (!octal_field(h + 124, 12, size))
		return fail(v, "tar: size field is not octal");
	memcpy(m->name, h, 100);
	m->name[100] = '\0';
	m->type = (char)h[156];
	return 0;
}

static int
load(struct vctx *v, const char *path, struct tar_member **out, size_t *nout)
{
	FILE *f = fopen(path, "rb");
	unsigned char h[512];
	struct tar_member *m = NULL;
	size_t n = 0;
	int zeros = 0;

	if (f == NULL)
		return fail(v, "%s: %s", path, strerror(errno));
	for (;;) {
		unsigned long long size;
		struct tar_member *nm;
		size_t pad;

		if (fread(h, 1, 512, f) != 512) {
			fail(v, "tar: truncated (no end-of-archive blocks)");
			goto bad;
		}
		if (h[0] == '\0' && memcmp(h, h + 1, 511) == 0) {
			if (++zeros == 2)
				break;
			continue;
		}
		if (zeros) {
			fail(v, "tar: a lone zero block inside the archive");
			goto bad;
		}
		nm = realloc(m, (n + 1) * sizeof(*m));
		if (nm == NULL)
			goto bad;
		m = nm;
		memset(&m[n], 0, sizeof(m[n]));
		if (parse_header(v, h, &m[n], &size) < 0)
			goto bad;
		if (size > (1ULL << 31)) {
			fail(v, "tar: member %s: size %llu too large",
			    m[n].name, size);
			goto bad;
		}
		m[n].len = (size_t)size;
		m[n].data = malloc(size + 1);
		n++;
		if (m[n - 1].data == NULL ||
		    fread(m[n - 1].data, 1, size, f) != size) {
			fail(v, "tar: member %s truncated", m[n - 1].name);
			goto bad;
		}
		m[n - 1].data[size] = '\0';	/* text members: strings */
		pad = (512 - size % 512) % 512;
		if (pad && fseek(f, (long)pad, SEEK_CUR) != 0)
			goto bad;
	}
	fclose(f);
	*out = m;
	*nout = n;
	return 0;
bad:
	fclose(f);
	tar_members_free(m, n);
	return -1;
}

int
tar_load(const char *path, struct tar_member **m, size_t *n, char *msg,
    size_t msglen)
{
	struct vctx v = { msg, msglen };

	return load(&v, path, m, n);
}

void
tar_members_free(struct tar_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].data);
	free(m);
}

int
tar_store(const char *path, const struct tar_member *m, size_t n)
{
	static const unsigned char zero[1024];
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (f == NULL)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned char h[512];
		unsigned sum = 0;
		size_t pad = (512 - m[i].len % 512) % 512;

		if (xk_tar_header(h, m[i].name, m[i].len) < 0) {
			rc = -1;
			break;
		}
		if (m[i].type != '0') {
			h[156] = (unsigned char)m[i].type;
			memset(h + 148, ' ', 8);
			for (int k = 0; k < 512; k++)
				sum += h[k];
			snprintf((char *)h + 148, 8, "%06o", sum);
			h[155] = ' ';
		}
		if (fwrite(h, 1, 512, f) != 512 ||
		    fwrite(m[i].data, 1, m[i].len, f) != m[i].len ||
		    fwrite(zero, 1, pad, f) != pad)
			rc = -1;
	}
	if (rc == 0 && fwrite(zero, 1, 1024, f) != 1024)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* ---- ova.xml ---- */

static const char *const req_vm[] = {
	"uuid", "user_version", "is_a_template", "resident_on", "affinity",
	"memory_static_max", "memory_dynamic_max", "memory_dynamic_min",
	"memory_static_min", "VCPUs_params", "VCPUs_max", "VCPUs_at_startup",
	"actions_after_shutdown", "actions_after_reboot",
	"actions_after_crash", "PV_bootloader", "PV_kernel", "PV_ramdisk",
	"PV_args", "PV_bootloader_args", "PV_legacy_args", "HVM_boot_policy",
	"HVM_boot_params", "platform", "PCI_bus", "other_config", "domid",
	"domarch", "is_control_domain", "metrics", "guest_metrics",
	"recommendations", "last_boot_CPU_flags", "suspend_VDI", "suspend_SR",
	"parent", NULL,
};
static const char *const req_vbd[] = {
	"uuid", "VM", "VDI", "userdevice", "bootable", "mode", "type",
	"storage_lock", "empty", "other_config", "status_code",
	"status_detail", "runtime_properties", "qos_algorithm_type",
	"qos_algorithm_params", "qos_supported_algorithms", NULL,
};
static const char *const req_vdi[] = {
	"uuid", "SR", "virtual_size", "physical_utilisation", "type",
	"sharable", "read_only", "other_config", "storage_lock", "managed",
	"missing", "parent", NULL,
};
static const char *const req_vif[] = {
	"uuid", "device", "network", "VM", "MAC", "MTU", "other_config",
	"status_code", "status_detail", "runtime_properties",
	"qos_algorithm_type", "qos_algorithm_params",
	"qos_supported_algorithms", NULL,
};
static const char *const req_sr[] = {
	"uuid", "virtual_allocation", "physical_utilisation", "physical_size",
	"type", "content_type", "shared", "other_config", NULL,
};
static const char *const req_net[] = { "uuid", "other_config", NULL };

static const char *const bool_fields[] = {
	"is_a_template", "is_control_domain", "bootable", "storage_lock",
	"empty", "sharable", "read_only", "managed", "missing", "shared",
	"is_a_snapshot", "currently_attached", "unpluggable", NULL,
};
static const char *const int_fields[] = {
	"memory_static_max", "memory_dynamic_max", "memory_dynamic_min",
	"memory_static_min", "VCPUs_max", "VCPUs_at_startup", "user_version",
	"virtual_size", "physical_utilisation", "virtual_allocation",
	"physical_size", "MTU", "userdevice", "status_code", NULL,
};
static const char *const struct_fields[] = {
	"VCPUs_params", "HVM_boot_params", "platform", "other_config",
	"runtime_properties", "qos_algorithm_params", "last_boot_CPU_flags",
	NULL,
};
/* reference fields: name, class they point at */
static const char *const ref_fields[][2] = {
	{ "VM", "VM" }, { "VDI", "VDI" }, { "SR", "SR" },
	{ "network", "network" }, { "resident_on", "host" },
	{ "affinity", "host" }, { "suspend_VDI", "VDI" },
	{ "suspend_SR", "SR" }, { "parent", NULL },
	{ "metrics", NULL }, { "guest_metrics", NULL },
};

static bool
in_list(const char *const *l, const char *s)
{
	for (; *l != NULL; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

static bool
is_int(const struct xk_xv *x, bool neg)
{
	const char *s = x->text;

	if (x->type != XK_XV_STRING && x->type != XK_XV_INT)
		return false;
	if (neg && *s == '-')
		s++;
	return *s != '\0' && s[strspn(s, "0123456789")] == '\0';
}

static const struct xk_xv *
obj_by_id(const struct xk_xv *objs, const char *id, const char **cls)
{
	for (size_t i = 0; i < objs->n; i++) {
		const char *oid = xk_xv_text(objs->items[i], "id");

		if (oid != NULL && strcmp(oid, id) == 0) {
			*cls = xk_xv_text(objs->items[i], "class");
			return xk_xv_get(objs->items[i], "snapshot");
		}
	}
	return NULL;
}

static int
check_fields(struct vctx *v, const struct xk_xv *objs, const char *cls,
    const char *id, const struct xk_xv *snap)
{
	const char *const *req = strcmp(cls, "VM") == 0 ? req_vm :
	    strcmp(cls, "VBD") == 0 ? req_vbd : strcmp(cls, "VDI") == 0 ?
	    req_vdi : strcmp(cls, "VIF") == 0 ? req_vif : strcmp(cls, "SR") ==
	    0 ? req_sr : strcmp(cls, "network") == 0 ? req_net : NULL;

	for (size_t i = 0; req != NULL && req[i] != NULL; i++)
		if (xk_xv_get(snap, req[i]) == NULL)
			return fail(v, "ova.xml: %s %s: required field %s is "
			    "missing", cls, id, req[i]);
	for (size_t i = 0; i < snap->n; i++) {
		const char *k = snap->members[i].name;
		const struct xk_xv *x = snap->members[i].value;

		if (in_list(bool_fields, k) && (x->type != XK_XV_BOOL ||
		    (strcmp(x->text, "0") != 0 && strcmp(x->text, "1") != 0)))
			return fail(v, "ova.xml: %s %s: %s must be "
			    "<boolean>0|1</boolean>", cls, id, k);
		if (in_list(int_fields, k) && !is_int(x, false))
			return fail(v, "ova.xml: %s %s: %s must be a bare "
			    "decimal integer", cls, id, k);
		if (strcmp(k, "domid") == 0 && !is_int(x, true))
			return fail(v, "ova.xml: %s %s: domid must be an "
			    "integer", cls, id);
		if (in_list(struct_fields, k) && x->type != XK_XV_STRUCT)
			return fail(v, "ova.xml: %s %s: %s must be a struct",
			    cls, id, k);
		if (strcmp(k, "snapshot_time") == 0 && x->type != XK_XV_DATE)
			return fail(v, "ova.xml: %s %s: snapshot_time must be "
			    "<dateTime.iso8601>", cls, id);
		for (size_t r = 0; r < sizeof(ref_fields) /
		    sizeof(*ref_fields); r++) {
			const char *target_cls = NULL;

			if (strcmp(k, ref_fields[r][0]) != 0 ||
			    (strcmp(cls, "VM") != 0 &&
			    strcmp(cls, "VBD") != 0 &&
			    strcmp(cls, "VDI") != 0 &&
			    strcmp(cls, "VIF") != 0))
				continue;
			if (x->type == XK_XV_STRUCT || x->type == XK_XV_ARRAY)
				return fail(v, "ova.xml: %s %s: %s must be a "
				    "reference", cls, id, k);
			if (strcmp(x->text, NULLREF) == 0)
				continue;
			if (obj_by_id(objs, x->text, &target_cls) == NULL ||
			    (ref_fields[r][1] != NULL &&
			    strcmp(target_cls, ref_fields[r][1]) != 0))
				return fail(v, "ova.xml: %s %s: %s = %s is "
				    "neither OpaqueRef:NULL nor a %s in the "
				    "file", cls, id, k, x->text,
				    ref_fields[r][1] ? ref_fields[r][1] :
				    "object");
		}
	}
	return 0;
}

static unsigned long long
u(const struct xk_xv *snap, const char *k)
{
	return strtoull(xk_xv_text(snap, k), NULL, 10);
}

static int
check_vm(struct vctx *v, const char *id, const struct xk_xv *vm)
{
	const char *pol = xk_xv_text(vm, "HVM_boot_policy");

	if (!(u(vm, "memory_static_min") <= u(vm, "memory_dynamic_min") &&
	    u(vm, "memory_dynamic_min") <= u(vm, "memory_dynamic_max") &&
	    u(vm, "memory_dynamic_max") <= u(vm, "memory_static_max")))
		return fail(v, "ova.xml: VM %s: memory must be static_min <= "
		    "dynamic_min <= dynamic_max <= static_max", id);
	if (u(vm, "VCPUs_at_startup") < 1 ||
	    u(vm, "VCPUs_at_startup") > u(vm, "VCPUs_max"))
		return fail(v, "ova.xml: VM %s: needs 1 <= VCPUs_at_startup "
		    "<= VCPUs_max", id);
	if (strcmp(pol, "") != 0 && strcmp(pol, "BIOS order") != 0)
		return fail(v, "ova.xml: VM %s: HVM_boot_policy must be \"\" "
		    "or \"BIOS order\"", id);
	if (strcmp(xk_xv_text(vm, "parent"), NULLREF) != 0)
		return fail(v, "ova.xml: VM %s: parent must be "
		    "OpaqueRef:NULL", id);
	return 0;
}

static int
check_version(struct vctx *v, const struct xk_xv *ver)
{
	static const char *const strs[] = { "hostname", "date",
	    "product_version", "product_brand", "build_number" };
	static const char *const ints[] = { "xapi_major", "xapi_minor",
	    "export_vsn" };

	if (ver == NULL || ver->type != XK_XV_STRUCT)
		return fail(v, "ova.xml: no version struct");
	for (size_t i = 0; i < 5; i++) {
		const struct xk_xv *x = xk_xv_get(ver, strs[i]);

		if (x == NULL || x->type != XK_XV_STRING)
			return fail(v, "ova.xml: version.%s must be a string",
			    strs[i]);
	}
	for (size_t i = 0; i < 3; i++) {
		const struct xk_xv *x = xk_xv_get(ver, ints[i]);

		if (x == NULL || !is_int(x, false))
			return fail(v, "ova.xml: version.%s must be an int",
			    ints[i]);
	}
	if (u(ver, "xapi_major") != 1 || u(ver, "xapi_minor") > 20 ||
	    u(ver, "export_vsn") != 2)
		return fail(v, "ova.xml: version must be xapi 1.x with x <= 20 "
		    "and export_vsn 2");
	return 0;
}

static int
check_ova(struct vctx *v, const struct xk_xv *ova, const struct xk_xv **objsp)
{
	const struct xk_xv *objs = xk_xv_get(ova, "objects");
	size_t nvm = 0;

	if (ova->type != XK_XV_STRUCT)
		return fail(v, "ova.xml: top value is not a struct");
	if (check_version(v, xk_xv_get(ova, "version")) < 0)
		return -1;
	if (objs == NULL || objs->type != XK_XV_ARRAY)
		return fail(v, "ova.xml: no objects array");
	for (size_t i = 0; i < objs->n; i++) {
		const struct xk_xv *o = objs->items[i], *snap;
		const char *cls = xk_xv_text(o, "class");
		const char *id = xk_xv_text(o, "id"), *c2;

		snap = xk_xv_get(o, "snapshot");
		if (cls == NULL || id == NULL || snap == NULL ||
		    snap->type != XK_XV_STRUCT || o->n != 3)
			return fail(v, "ova.xml: object %zu is not {class, id, "
			    "snapshot}", i);
		if (obj_by_id(objs, id, &c2) != snap)
			return fail(v, "ova.xml: id %s used twice", id);
		if (check_fields(v, objs, cls, id, snap) < 0)
			return -1;
		if (strcmp(cls, "VM") == 0) {
			nvm++;
			if (check_vm(v, id, snap) < 0)
				return -1;
		}
		if (strcmp(cls, "VBD") == 0) {
			const char *t = xk_xv_text(snap, "type");
			const char *mode = xk_xv_text(snap, "mode");
			bool empty = strcmp(xk_xv_text(snap, "empty"),
			    "1") == 0;

			if (strcmp(t, "Disk") != 0 && strcmp(t, "CD") != 0)
				return fail(v, "ova.xml: VBD %s: type must be "
				    "Disk or CD", id);
			if (strcmp(mode, "RW") != 0 && strcmp(mode, "RO") != 0)
				return fail(v, "ova.xml: VBD %s: mode must be "
				    "RW or RO", id);
			if (empty != (strcmp(xk_xv_text(snap, "VDI"),
			    NULLREF) == 0))
				return fail(v, "ova.xml: VBD %s: empty must be "
				    "true exactly when VDI is NULL", id);
		}
	}
	if (nvm == 0)
		return fail(v, "ova.xml: no VM object");
	*objsp = objs;
	return 0;
}

/* ---- the disk members ---- */

static bool
hex_of(const char *s, size_t len, const char *digits)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (strchr(digits, s[i]) == NULL)
			return false;
	return true;
}

static int
check_sum(struct vctx *v, const struct tar_member *chunk,
    const struct tar_member *sum)
{
	char want[64], got[64];
	size_t n = strlen(chunk->name);
	bool sha1;

	if (strncmp(sum->name, chunk->name, n) != 0)
		return fail(v, "member %s is not followed by its checksum "
		    "(found %s)", chunk->name, sum->name);
	if (strcmp(sum->name + n, ".checksum") == 0)
		sha1 = true;
	else if (strcmp(sum->name + n, ".xxhash") == 0)
		sha1 = false;
	else
		return fail(v, "member %s is not followed by its checksum "
		    "(found %s)", chunk->name, sum->name);
	if (sum->len >= sizeof(want))
		return fail(v, "%s: too long", sum->name);
	memcpy(want, sum->data, sum->len);
	want[sum->len] = '\0';
	if (sha1) {
		unsigned char md[20];
		unsigned int ml;

		if (!hex_of(want, 40, "0123456789abcdef"))
			return fail(v, "%s: not 40 lowercase hex digits",
			    sum->name);
		EVP_Digest(chunk->data, chunk->len, md, &ml, EVP_sha1(), NULL);
		for (int i = 0; i < 20; i++)
			snprintf(got + 2 * i, 3, "%02x", md[i]);
	} else {
		if (!hex_of(want, 16, "0123456789ABCDEF"))
			return fail(v, "%s: not 16 uppercase hex digits",
			    sum->name);
		snprintf(got, sizeof(got), "%016llX", (unsigned long long)
		    XXH64(chunk->data, chunk->len, 0));
	}
	if (strcmp(want, got) != 0)
		return fail(v, "%s: checksum mismatch", sum->name);
	return 0;
}

static int
check_disks(struct vctx *v, const struct xk_xv *objs,
    const struct tar_member *m, size_t n)
{
	char prev_ref[101] = "";
	size_t i = 1;

	while (i < n) {
		const char *slash = strchr(m[i].name, '/'), *cls = NULL;
		char ref[101];
		const struct xk_xv *vdi;
		unsigned long long size, off = 0;
		long last = -1;

		if (m[i].type != '0' && m[i].type != '\0')
			return fail(v, "member %s: not a regular file (type "
			    "%c)", m[i].name, m[i].type);
		if (slash == NULL)
			return fail(v, "unexpected member %s", m[i].name);
		memcpy(ref, m[i].name, (size_t)(slash - m[i].name));
		ref[slash - m[i].name] = '\0';
		vdi = obj_by_id(objs, ref, &cls);
		if (vdi == NULL || strcmp(cls, "VDI") != 0)
			return fail(v, "member %s: %s is not a VDI of ova.xml",
			    m[i].name, ref);
		if (strcmp(ref, prev_ref) <= 0)
			return fail(v, "VDI %s: out of lexicographic order or "
			    "split (after %s)", ref, prev_ref);
		snprintf(prev_ref, sizeof(prev_ref), "%s", ref);
		size = u(vdi, "virtual_size");
		while (i < n && strncmp(m[i].name, ref, strlen(ref)) == 0 &&
		    m[i].name[strlen(ref)] == '/') {
			const char *num = m[i].name + strlen(ref) + 1;
			long k;

			if (strspn(num, "0123456789") == 8 && num[8] == '.')
				return fail(v, "member %s: a checksum before "
				    "its chunk", m[i].name);
			if (strlen(num) != 8 || strspn(num, "0123456789") != 8)
				return fail(v, "unexpected member %s",
				    m[i].name);
			k = strtol(num, NULL, 10);
			if (last < 0 && k != 0)
				return fail(v, "VDI %s: chunk 0 missing", ref);
			if (k <= last)
				return fail(v, "VDI %s: chunk numbers must "
				    "increase (%ld after %ld)", ref, k, last);
			off += (unsigned long long)(k - last - 1) * CHUNK;
			if (m[i].len != CHUNK && off + m[i].len != size)
				return fail(v, "VDI %s: chunk %ld is %zu "
				    "bytes: only the last may differ from "
				    "1 MiB", ref, k, m[i].len);
			off += m[i].len;
			if (off > size)
				return fail(v, "VDI %s: chunk %ld ends beyond "
				    "virtual_size", ref, k);
			if (i + 1 >= n)
				return fail(v, "member %s has no checksum",
				    m[i].name);
			if (check_sum(v, &m[i], &m[i + 1]) < 0)
				return -1;
			last = k;
			i += 2;
		}
		if (off != size)
			return fail(v, "VDI %s: last chunk missing (data ends "
			    "at %llu of %llu)", ref, off, size);
	}
	return 0;
}

/* Every VBD with a VDI must have that VDI's data in the archive. */
static int
check_vdis_present(struct vctx *v, const struct xk_xv *objs,
    const struct tar_member *m, size_t n)
{
	for (size_t i = 0; i < objs->n; i++) {
		const struct xk_xv *o = objs->items[i];
		const char *vdi, *cls = xk_xv_text(o, "class");
		bool found = false;
		char prefix[128];

		if (strcmp(cls, "VBD") != 0)
			continue;
		vdi = xk_xv_text(xk_xv_get(o, "snapshot"), "VDI");
		if (strcmp(vdi, NULLREF) == 0)
			continue;
		snprintf(prefix, sizeof(prefix), "%s/00000000", vdi);
		for (size_t j = 1; j < n && !found; j++)
			found = strcmp(m[j].name, prefix) == 0;
		if (!found)
			return fail(v, "VDI %s: used by a VBD but has no data",
			    vdi);
	}
	return 0;
}

int
xva_validate(const char *path, char *msg, size_t msglen)
{
	struct vctx v = { msg, msglen };
	struct tar_member *m = NULL;
	const struct xk_xv *objs = NULL;
	struct xk_xv *ova = NULL;
	struct xk_error err = { 0 };
	size_t n = 0;
	int rc = -1;

	if (load(&v, path, &m, &n) < 0)
		return -1;
	if (n == 0 || strcmp(m[0].name, "ova.xml") != 0 || m[0].type != '0') {
		fail(&v, "the first member is %s, not ova.xml", n ? m[0].name :
		    "(none)");
		goto out;
	}
	ova = xk_xv_parse("ova.xml", (const char *)m[0].data, m[0].len, &err);
	if (ova == NULL) {
		fail(&v, "%s", err.msg);
		goto out;
	}
	if (check_ova(&v, ova, &objs) < 0 ||
	    check_disks(&v, objs, m, n) < 0 ||
	    check_vdis_present(&v, objs, m, n) < 0)
		goto out;
	rc = 0;
out:
	xk_xv_free(ova);
	tar_members_free(m, n);
	return rc;
}
