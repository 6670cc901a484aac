/*
 * vmmodel-vm.c - export: the VM record's fields from an xl domain
 * config (see vmmodel.h and xk-xva(5)), with a warning for each key
 * XAPI has no counterpart for.
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

/* ---- export: the VM record ---- */


void
xk_exp_warn(struct exp *e, const char *fmt, ...)
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
		xk_exp_warn(e, "memory: not set: using xl's default of %d MiB",
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
			xk_exp_warn(e, "cpus: '%s' is not a CPU list XAPI can hold: "
			    "not mapped", dc->cpus.v[0]);
		else
			e->rc |= puts_(params, "mask", mask);
		free(mask);
	} else if (dc->cpus.n > 1) {
		xk_exp_warn(e, "cpus: per-vCPU affinity lists have no XAPI "
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
	xk_exp_warn(e, "%s: '%s' has no XAPI counterpart: exported as '%s'", key,
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
			xk_exp_warn(e, "bootloader: '%s' exported as '%s' (XCP-ng "
			    "finds it in its own dom0)", bl, base);
		bl = base;
	}
	if (dc->kernel != NULL)
		xk_exp_warn(e, "kernel: '%s' must exist in the XCP-ng host's dom0 "
		    "(PV_kernel)", dc->kernel);
	if (dc->ramdisk != NULL)
		xk_exp_warn(e, "ramdisk: '%s' must exist in the XCP-ng host's dom0 "
		    "(PV_ramdisk)", dc->ramdisk);
	if (bl == NULL && dc->kernel == NULL && dc->firmware == NULL)
		xk_exp_warn(e, "bootloader: a PV guest without kernel or bootloader "
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
			xk_exp_warn(e, "firmware: '%s' has no XAPI counterpart "
			    "(XCP-ng knows bios and uefi): exported as bios",
			    fw);
	}
	if (order[strspn(order, "acdn")] != '\0')
		xk_exp_warn(e, "boot: '%s' holds devices XAPI does not know (a, c, "
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
				xk_exp_warn(e, "%s: direct kernel boot of HVM guests "
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
void
xk_exp_vm_mapped(struct exp *e, struct xk_xv *vm)
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

void
xk_exp_check_type(struct exp *e)
{
	const struct xk_domcfg *dc = e->dc;

	e->type = dc->type;
	if (!dc->type_given)
		xk_exp_warn(e, "type: not set: xl's default is PV");
	if (dc->type == XK_DOMTYPE_PV && e->o->to_hvm) {
		e->type = XK_DOMTYPE_HVM;
		xk_exp_warn(e, "type: PV guest exported as HVM (--to-hvm): it must "
		    "boot from its own disk (bootloader in the MBR or ESP)");
		if (dc->kernel != NULL || dc->ramdisk != NULL ||
		    dc->bootloader != NULL)
			xk_exp_warn(e, "kernel: PV boot settings are not used by an "
			    "HVM guest");
	} else if (dc->type == XK_DOMTYPE_PV) {
		xk_exp_warn(e, "type: XCP-ng no longer supports PV guests (since "
		    "8.1): use --to-hvm if the guest can boot as HVM");
	} else if (dc->type == XK_DOMTYPE_PVH) {
		xk_exp_warn(e, "type: PVH guests are experimental in XCP-ng "
		    "(domain_type pvh)");
	}
	if (dc->type == XK_DOMTYPE_PV && dc->firmware != NULL)
		xk_exp_warn(e, "firmware: '%s' (pvgrub) has no XAPI counterpart",
		    dc->firmware);
}

/* Keys with no XAPI counterpart at all. */
void
xk_exp_check_unmapped(struct exp *e)
{
	static const char *const none[] = {
		"pci", "serial", "vnc", "vfb", "on_watchdog", "on_soft_reset",
	};
	const struct xk_domcfg *dc = e->dc;

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		if (has_key(dc, none[i]))
			xk_exp_warn(e, "%s: no XAPI counterpart (kept in VM "
			    "other_config for xk import)", none[i]);
	for (size_t i = 0; i < dc->cfg->nsettings; i++)
		if (!xk_domcfg_key_mapped(dc->cfg->settings[i].key))
			xk_exp_warn(e, "%s: not a key xenkit maps: no XAPI "
			    "counterpart (kept in VM other_config for xk "
			    "import)", dc->cfg->settings[i].key);
}

/* The config minus disk and vif, as canonical xl.cfg text. */
char *
xk_exp_xl_notes(const struct xk_domcfg *dc)
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

void
xk_exp_vm_fixed(struct exp *e, struct xk_xv *vm)
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
