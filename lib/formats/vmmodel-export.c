/*
 * vmmodel-export.c - an xl domain config to the XAPI records of an
 * ova.xml (see vmmodel.h and xk-xva(5)).
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

/*
 * Building records: every setter returns -1 on ENOMEM and the record
 * builders OR the results together, checking once at the end.
 */
static int
put(struct xk_xv *st, const char *k, struct xk_xv *v)
{
	return xk_xv_set(st, k, v);
}

static int
puts_(struct xk_xv *st, const char *k, const char *s)
{
	return put(st, k, xk_xv_str(s));
}

static int
putu(struct xk_xv *st, const char *k, uint64_t u)
{
	return put(st, k, xk_xv_strf("%" PRIu64, u));
}

static int
putb(struct xk_xv *st, const char *k, bool b)
{
	return put(st, k, xk_xv_bool(b));
}

static int
put_empty(struct xk_xv *st, const char *k, bool array)
{
	return put(st, k, array ? xk_xv_array() : xk_xv_struct());
}

static int
put_date0(struct xk_xv *st, const char *k)
{
	return put(st, k, xk_xv_new(XK_XV_DATE, "19700101T00:00:00Z"));
}

static int
put_refs(struct xk_xv *st, const char *k, char refs[][16], size_t n)
{
	struct xk_xv *a = xk_xv_array();
	int rc = 0;

	for (size_t i = 0; i < n && a != NULL; i++)
		rc |= xk_xv_append(a, xk_xv_str(refs[i]));
	return put(st, k, a) | rc;
}

/* Fields every object with operations carries. */
static int
put_ops(struct xk_xv *st)
{
	return put_empty(st, "allowed_operations", true) |
	    put_empty(st, "current_operations", false);
}

/* ---- export: the VM record ---- */

struct exp {
	const struct xk_domcfg *dc;
	const struct xk_vm_opts *o;
	struct xk_notes *w;
	enum xk_domtype type;
	int rc;
	const char *vm_uuid;	/* the records' UUIDs derive from it */
	unsigned nuuid;
};

static void
warn(struct exp *e, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

static void
warn(struct exp *e, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (e->w == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		e->rc = -1;
	} else {
		e->rc |= xk_notes_add(e->w, "%s", s);
		free(s);
	}
	va_end(ap);
}

static bool
has_key(const struct xk_domcfg *dc, const char *key)
{
	return xlcfg_get(dc->cfg, key) != NULL;
}

char *
xk_vm_cpumask(const char *cpus)
{
	bool set[4096] = { false };
	struct strbuf sb = STRBUF_INIT;
	char *copy = strdup(cpus), *tok, *save = NULL;
	bool any_plain = false;

	if (copy == NULL)
		return NULL;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		bool neg = *tok == '^';
		char *end;
		long a, b;

		if (neg)
			tok++;
		a = strtol(tok, &end, 10);
		b = a;
		if (end == tok)
			goto bad;
		if (*end == '-') {
			char *s2 = end + 1;

			b = strtol(s2, &end, 10);
			if (end == s2)
				goto bad;
		}
		if (*end != '\0' || a < 0 || b < a || b >= 4096)
			goto bad;
		for (long i = a; i <= b; i++)
			set[i] = !neg;
		any_plain |= !neg;
	}
	if (!any_plain)
		goto bad;
	for (int i = 0; i < 4096; i++)
		if (set[i] && strbuf_addf(&sb, "%s%d", sb.len ? "," : "",
		    i) < 0)
			goto bad;
	free(copy);
	return sb.buf != NULL ? strbuf_detach(&sb) : NULL;
bad:
	free(copy);
	strbuf_free(&sb);
	return NULL;
}

static void
vm_memory(struct exp *e, struct xk_xv *vm)
{
	const struct xk_domcfg *dc = e->dc;
	long mem = dc->memory, max = dc->maxmem;

	if (mem == XK_UNSET) {
		mem = XL_DEFAULT_MEMORY;
		warn(e, "memory: not set: using xl's default of %d MiB",
		    XL_DEFAULT_MEMORY);
	}
	if (max == XK_UNSET || max < mem)
		max = mem;
	e->rc |= putu(vm, "memory_static_max", (uint64_t)max * MIB);
	e->rc |= putu(vm, "memory_dynamic_max", (uint64_t)mem * MIB);
	e->rc |= putu(vm, "memory_dynamic_min", (uint64_t)mem * MIB);
	e->rc |= putu(vm, "memory_static_min", (uint64_t)mem * MIB);
	e->rc |= putu(vm, "memory_overhead", 0);
	e->rc |= putu(vm, "memory_target", (uint64_t)mem * MIB);
}

static void
vm_vcpus(struct exp *e, struct xk_xv *vm)
{
	const struct xk_domcfg *dc = e->dc;
	long n = dc->vcpus != XK_UNSET ? dc->vcpus : 1;
	long max = dc->maxvcpus != XK_UNSET && dc->maxvcpus > n ?
	    dc->maxvcpus : n;
	struct xk_xv *params = xk_xv_struct();

	e->rc |= putu(vm, "VCPUs_max", (uint64_t)max);
	e->rc |= putu(vm, "VCPUs_at_startup", (uint64_t)n);
	if (params == NULL) {
		e->rc = -1;
		return;
	}
	if (dc->cpu_weight != XK_UNSET)
		e->rc |= putu(params, "weight", (uint64_t)dc->cpu_weight);
	if (dc->cap != XK_UNSET)
		e->rc |= putu(params, "cap", (uint64_t)dc->cap);
	if (dc->cpus.n == 1) {
		char *mask = xk_vm_cpumask(dc->cpus.v[0]);

		if (mask == NULL)
			warn(e, "cpus: '%s' is not a CPU list XAPI can hold: "
			    "not mapped", dc->cpus.v[0]);
		else
			e->rc |= puts_(params, "mask", mask);
		free(mask);
	} else if (dc->cpus.n > 1) {
		warn(e, "cpus: per-vCPU affinity lists have no XAPI "
		    "counterpart (VCPUs_params mask is one set for all)");
	}
	e->rc |= put(vm, "VCPUs_params", params);
}

static const char *
action_xapi(struct exp *e, enum xk_event ev)
{
	static const char *const names[] = {
		[XK_ACTION_DESTROY] = "destroy",
		[XK_ACTION_RESTART] = "restart",
		[XK_ACTION_RENAME_RESTART] = "restart",
		[XK_ACTION_PRESERVE] = "preserve",
		[XK_ACTION_COREDUMP_DESTROY] = "coredump_and_destroy",
		[XK_ACTION_COREDUMP_RESTART] = "coredump_and_restart",
		[XK_ACTION_SOFT_RESET] = "destroy",
	};
	enum xk_action a = e->dc->on[ev];
	const char *key = xk_event_key(ev);
	bool ok = a == XK_ACTION_DESTROY || a == XK_ACTION_RESTART;

	if (ev == XK_ON_CRASH)
		ok = a != XK_ACTION_RENAME_RESTART && a != XK_ACTION_SOFT_RESET;
	if (ok)
		return names[a];
	warn(e, "%s: '%s' has no XAPI counterpart: exported as '%s'", key,
	    xk_action_name(a), a == XK_ACTION_RENAME_RESTART ? "restart" :
	    "destroy");
	return a == XK_ACTION_RENAME_RESTART ? "restart" : "destroy";
}

static char *
pv_args(const struct xk_domcfg *dc)
{
	char *s = NULL;

	if (dc->cmdline != NULL)
		return strdup(dc->cmdline);
	if (asprintf(&s, "%s%s%s%s", dc->root ? "root=" : "",
	    dc->root ? dc->root : "", dc->root && dc->extra ? " " : "",
	    dc->extra ? dc->extra : "") < 0)
		return NULL;
	return s;
}

static char *
join(const struct xk_strlist *l)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < l->n; i++)
		if (strbuf_addf(&sb, "%s%s", i ? " " : "", l->v[i]) < 0) {
			strbuf_free(&sb);
			return NULL;
		}
	return sb.buf != NULL ? strbuf_detach(&sb) : strdup("");
}

static void
vm_boot_pv(struct exp *e, struct xk_xv *vm)
{
	const struct xk_domcfg *dc = e->dc;
	const char *bl = dc->bootloader, *base;
	char *args = pv_args(dc), *blargs = join(&dc->bootloader_args);

	if (bl != NULL) {
		base = strrchr(bl, '/') ? strrchr(bl, '/') + 1 : bl;
		if (strcmp(base, bl) != 0)
			warn(e, "bootloader: '%s' exported as '%s' (XCP-ng "
			    "finds it in its own dom0)", bl, base);
		bl = base;
	}
	if (dc->kernel != NULL)
		warn(e, "kernel: '%s' must exist in the XCP-ng host's dom0 "
		    "(PV_kernel)", dc->kernel);
	if (dc->ramdisk != NULL)
		warn(e, "ramdisk: '%s' must exist in the XCP-ng host's dom0 "
		    "(PV_ramdisk)", dc->ramdisk);
	if (bl == NULL && dc->kernel == NULL && dc->firmware == NULL)
		warn(e, "bootloader: a PV guest without kernel or bootloader "
		    "does not boot in XCP-ng: set PV-bootloader=pygrub");
	e->rc |= puts_(vm, "PV_bootloader", bl ? bl : "");
	e->rc |= puts_(vm, "PV_kernel", dc->kernel ? dc->kernel : "");
	e->rc |= puts_(vm, "PV_ramdisk", dc->ramdisk ? dc->ramdisk : "");
	e->rc |= puts_(vm, "PV_args", args ? args : "");
	e->rc |= puts_(vm, "PV_bootloader_args", blargs ? blargs : "");
	e->rc |= puts_(vm, "PV_legacy_args", "");
	e->rc |= puts_(vm, "HVM_boot_policy", "");
	e->rc |= put_empty(vm, "HVM_boot_params", false);
	if (args == NULL || blargs == NULL)
		e->rc = -1;
	free(args);
	free(blargs);
}

static void
vm_boot_hvm(struct exp *e, struct xk_xv *vm)
{
	const struct xk_domcfg *dc = e->dc;
	struct xk_xv *params = xk_xv_struct();
	const char *fw = dc->firmware, *order = dc->boot ? dc->boot : "cd";
	bool uefi = false;

	if (fw != NULL) {
		if (strcmp(fw, "uefi") == 0 || strcmp(fw, "ovmf") == 0)
			uefi = true;
		else if (strcmp(fw, "bios") != 0 && strcmp(fw, "seabios") != 0)
			warn(e, "firmware: '%s' has no XAPI counterpart "
			    "(XCP-ng knows bios and uefi): exported as bios",
			    fw);
	}
	if (order[strspn(order, "acdn")] != '\0')
		warn(e, "boot: '%s' holds devices XAPI does not know (a, c, "
		    "d, n)", order);
	if (params == NULL) {
		e->rc = -1;
		return;
	}
	e->rc |= puts_(params, "order", order);
	e->rc |= puts_(params, "firmware", uefi ? "uefi" : "bios");
	e->rc |= put(vm, "HVM_boot_params", params);
	e->rc |= puts_(vm, "HVM_boot_policy", "BIOS order");
	e->rc |= puts_(vm, "PV_bootloader", "");
	e->rc |= puts_(vm, "PV_kernel", "");
	e->rc |= puts_(vm, "PV_ramdisk", "");
	e->rc |= puts_(vm, "PV_args", "");
	e->rc |= puts_(vm, "PV_bootloader_args", "");
	e->rc |= puts_(vm, "PV_legacy_args", "");
	if (dc->type == XK_DOMTYPE_HVM) {
		const char *pvkeys[] = { "kernel", "ramdisk", "cmdline",
		    "root", "extra", "bootloader", "bootloader_args" };

		for (size_t i = 0; i < sizeof(pvkeys) / sizeof(*pvkeys); i++)
			if (has_key(dc, pvkeys[i]))
				warn(e, "%s: direct kernel boot of HVM guests "
				    "has no XAPI counterpart", pvkeys[i]);
	}
}

static void
vm_platform(struct exp *e, struct xk_xv *vm)
{
	const struct xk_domcfg *dc = e->dc;
	const struct { const char *k; long v; } flags[] = {
		{ "acpi", dc->acpi }, { "apic", dc->apic }, { "pae", dc->pae },
		{ "nx", dc->nx }, { "viridian", dc->viridian },
		{ "hpet", dc->hpet },
	};
	struct xk_xv *p = xk_xv_struct();

	if (p == NULL) {
		e->rc = -1;
		return;
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (flags[i].v != XK_UNSET)
			e->rc |= puts_(p, flags[i].k, flags[i].v ? "true" :
			    "false");
	if (dc->stdvga != XK_UNSET)
		e->rc |= puts_(p, "vga", dc->stdvga ? "std" : "cirrus");
	if (dc->videoram != XK_UNSET)
		e->rc |= put(p, "videoram", xk_xv_strf("%ld", dc->videoram));
	if (dc->rtc_timeoffset != XK_UNSET)
		e->rc |= put(p, "timeoffset", xk_xv_strf("%ld",
		    dc->rtc_timeoffset));
	e->rc |= put(vm, "platform", p);
}

static const char *const domtype_xapi[] = { "pv", "pvh", "hvm" };

/* The fields of a VM record that the xl.cfg keys decide. */
static void
vm_mapped(struct exp *e, struct xk_xv *vm)
{
	const struct xk_domcfg *dc = e->dc;

	e->rc |= puts_(vm, "name_label", dc->name ? dc->name : "");
	vm_memory(e, vm);
	vm_vcpus(e, vm);
	e->rc |= puts_(vm, "actions_after_shutdown",
	    action_xapi(e, XK_ON_POWEROFF));
	e->rc |= puts_(vm, "actions_after_reboot",
	    action_xapi(e, XK_ON_REBOOT));
	e->rc |= puts_(vm, "actions_after_crash", action_xapi(e, XK_ON_CRASH));
	if (e->type == XK_DOMTYPE_HVM)
		vm_boot_hvm(e, vm);
	else
		vm_boot_pv(e, vm);
	vm_platform(e, vm);
	e->rc |= puts_(vm, "domain_type", domtype_xapi[e->type]);
}

static void
check_type(struct exp *e)
{
	const struct xk_domcfg *dc = e->dc;

	e->type = dc->type;
	if (!dc->type_given)
		warn(e, "type: not set: xl's default is PV");
	if (dc->type == XK_DOMTYPE_PV && e->o->to_hvm) {
		e->type = XK_DOMTYPE_HVM;
		warn(e, "type: PV guest exported as HVM (--to-hvm): it must "
		    "boot from its own disk (bootloader in the MBR or ESP)");
		if (dc->kernel != NULL || dc->ramdisk != NULL ||
		    dc->bootloader != NULL)
			warn(e, "kernel: PV boot settings are not used by an "
			    "HVM guest");
	} else if (dc->type == XK_DOMTYPE_PV) {
		warn(e, "type: XCP-ng no longer supports PV guests (since "
		    "8.1): use --to-hvm if the guest can boot as HVM");
	} else if (dc->type == XK_DOMTYPE_PVH) {
		warn(e, "type: PVH guests are experimental in XCP-ng "
		    "(domain_type pvh)");
	}
	if (dc->type == XK_DOMTYPE_PV && dc->firmware != NULL)
		warn(e, "firmware: '%s' (pvgrub) has no XAPI counterpart",
		    dc->firmware);
}

/* Keys with no XAPI counterpart at all. */
static void
check_unmapped(struct exp *e)
{
	static const char *const none[] = {
		"pci", "serial", "vnc", "vfb", "on_watchdog", "on_soft_reset",
	};
	const struct xk_domcfg *dc = e->dc;

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		if (has_key(dc, none[i]))
			warn(e, "%s: no XAPI counterpart (kept in VM "
			    "other_config for xk import)", none[i]);
	for (size_t i = 0; i < dc->cfg->nsettings; i++)
		if (!xk_domcfg_key_mapped(dc->cfg->settings[i].key))
			warn(e, "%s: not a key xenkit maps: no XAPI "
			    "counterpart (kept in VM other_config for xk "
			    "import)", dc->cfg->settings[i].key);
}

/* The config minus disk and vif, as canonical xl.cfg text. */
static char *
xl_notes(const struct xk_domcfg *dc)
{
	struct xlcfg *copy = xlcfg_new("ova.xml");
	struct strbuf sb = STRBUF_INIT;
	char *s = NULL;

	if (copy == NULL)
		return NULL;
	for (size_t i = 0; i < dc->cfg->nsettings; i++) {
		const struct xlcfg_setting *st = &dc->cfg->settings[i];
		struct xlcfg_value *v;

		if (strcmp(st->key, "disk") == 0 || strcmp(st->key, "vif") == 0)
			continue;
		v = xlcfg_value_dup(st->value);
		if (v == NULL || xlcfg_set(copy, st->key, v) < 0)
			goto out;
	}
	if (xlcfg_write(&sb, copy, xk_domcfg_key_order()) == 0)
		s = sb.buf != NULL ? strbuf_detach(&sb) : strdup("");
out:
	strbuf_free(&sb);
	xlcfg_free(copy);
	return s;
}

static void
vm_fixed(struct exp *e, struct xk_xv *vm)
{
	static const char *const nullrefs[] = {
		"suspend_VDI", "resident_on", "scheduled_to_be_resident_on",
		"affinity", "metrics", "guest_metrics", "snapshot_of",
		"parent", "protection_policy", "snapshot_schedule",
		"appliance", "suspend_SR",
	};
	static const char *const empty_arrays[] = {
		"consoles", "VUSBs", "crash_dumps", "VTPMs", "snapshots",
		"tags", "children", "VGPUs", "attached_PCIs",
		"pending_guidances",
	};
	static const char *const empty_structs[] = {
		"last_boot_CPU_flags", "xenstore_data", "blobs",
		"blocked_operations", "snapshot_info", "bios_strings", "NVRAM",
	};
	static const char *const empty_strings[] = {
		"PCI_bus", "domarch", "last_booted_record", "recommendations",
		"ha_restart_priority", "transportable_snapshot_id",
		"snapshot_metadata", "generation_id", "reference_label",
	};

	for (size_t i = 0; i < sizeof(nullrefs) / sizeof(*nullrefs); i++)
		e->rc |= puts_(vm, nullrefs[i], NULLREF);
	for (size_t i = 0; i < sizeof(empty_arrays) / sizeof(*empty_arrays);
	    i++)
		e->rc |= put_empty(vm, empty_arrays[i], true);
	for (size_t i = 0; i < sizeof(empty_structs) /
	    sizeof(*empty_structs); i++)
		e->rc |= put_empty(vm, empty_structs[i], false);
	for (size_t i = 0; i < sizeof(empty_strings) /
	    sizeof(*empty_strings); i++)
		e->rc |= puts_(vm, empty_strings[i], "");
	e->rc |= put_ops(vm);
	e->rc |= puts_(vm, "power_state", "Halted");
	e->rc |= puts_(vm, "name_description", "exported by xenkit");
	e->rc |= puts_(vm, "user_version", "1");
	e->rc |= putb(vm, "is_a_template", false);
	e->rc |= putb(vm, "is_default_template", false);
	e->rc |= putb(vm, "is_control_domain", false);
	e->rc |= putb(vm, "ha_always_run", false);
	e->rc |= putb(vm, "is_a_snapshot", false);
	e->rc |= putb(vm, "is_snapshot_from_vmpp", false);
	e->rc |= putb(vm, "is_vmss_snapshot", false);
	e->rc |= putb(vm, "has_vendor_device", false);
	e->rc |= putb(vm, "requires_reboot", false);
	e->rc |= put(vm, "HVM_shadow_multiplier", xk_xv_new(XK_XV_DOUBLE,
	    "1.000000"));
	e->rc |= put(vm, "domid", xk_xv_str("-1"));
	e->rc |= put_date0(vm, "snapshot_time");
	e->rc |= putu(vm, "start_delay", 0);
	e->rc |= putu(vm, "shutdown_delay", 0);
	e->rc |= putu(vm, "order", 0);
	e->rc |= putu(vm, "version", 0);
	e->rc |= putu(vm, "hardware_platform_version", 0);
	e->rc |= puts_(vm, "actions_after_softreboot", "soft_reboot");
}

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
	e->rc |= putb(r, "currently_attached", false);
	e->rc |= putu(r, "status_code", 0);
	e->rc |= puts_(r, "status_detail", "");
	e->rc |= put_empty(r, "runtime_properties", false);
	e->rc |= puts_(r, "qos_algorithm_type", "");
	e->rc |= put_empty(r, "qos_algorithm_params", false);
	e->rc |= put_empty(r, "qos_supported_algorithms", true);
	e->rc |= puts_(r, "metrics", NULLREF);
	return r;
}

static void
check_disk(struct exp *e, const struct xk_disk *d)
{
	const char *v = d->vdev;

	if (d->backendtype != XK_DISK_BACKEND_UNKNOWN)
		warn(e, "disk: %s: backendtype=%s has no XAPI counterpart",
		    v, xk_disk_backend_name(d->backendtype));
	if (d->script != NULL)
		warn(e, "disk: %s: script has no XAPI counterpart", v);
	if (d->backend != NULL)
		warn(e, "disk: %s: backend (driver domain) has no XAPI "
		    "counterpart", v);
	if (d->specification != XK_DISK_SPEC_UNKNOWN)
		warn(e, "disk: %s: specification has no XAPI counterpart",
		    v);
	if (d->colo)
		warn(e, "disk: %s: colo has no XAPI counterpart", v);
	if (d->direct_io_safe || d->discard >= 0)
		warn(e, "disk: %s: direct-io-safe/discard have no XAPI "
		    "counterpart", v);
	if (d->cdrom && d->target != NULL && *d->target != '\0')
		warn(e, "disk: %s: the CD image '%s' is not exported (XVA "
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
	e->rc |= putb(r, "currently_attached", false);
	e->rc |= putu(r, "status_code", 0);
	e->rc |= puts_(r, "status_detail", "");
	e->rc |= put_empty(r, "runtime_properties", false);
	e->rc |= puts_(r, "qos_algorithm_type", "");
	e->rc |= put_empty(r, "qos_algorithm_params", false);
	e->rc |= put_empty(r, "qos_supported_algorithms", true);
	e->rc |= puts_(r, "metrics", NULLREF);
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
			warn(e, "vif: %d: %s has no XAPI counterpart", devno,
			    lost[i].k);
	if (!v->has_mac)
		warn(e, "vif: %d: no mac: XCP-ng will make one up", devno);
	if (v->bridge == NULL)
		warn(e, "vif: %d: no bridge: exported on xl's default %s",
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
	vm_fixed(e, vm);
	vm_mapped(e, vm);
	notes = xl_notes(e->dc);
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
		vm_mapped(&e, vm);
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
	check_type(&e);
	check_unmapped(&e);
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
				warn(&e, "disk: %s: a partition vdev: XAPI "
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
