/*
 * domcfg_json.c - the domain model as JSON (xk cfg show --json).
 *
 * Field names are stable: scripts depend on them.  "settings" holds
 * every key as libxlutil reads it (strings and nested lists), "unknown"
 * the keys xenkit does not map, the other fields the typed model.
 */
#include <jansson.h>

#include "config/domcfg_json.h"

static json_t *
value_json(const struct xlcfg_value *v)
{
	json_t *a;

	if (v->type == XLCFG_STRING)
		return json_string(v->str);
	a = json_array();
	for (size_t i = 0; a != NULL && i < v->nitems; i++)
		json_array_append_new(a, value_json(v->items[i]));
	return a;
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
long_or_null(long l)
{
	return l != XK_UNSET ? json_integer(l) : json_null();
}

static json_t *
bool_or_null(long l)
{
	return l != XK_UNSET ? json_boolean(l) : json_null();
}

static json_t *
strlist_json(const struct xk_strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

json_t *
xk_disk_to_json(const struct xk_disk *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "target", str_or_null(d->target));
	json_object_set_new(o, "vdev", json_string(d->vdev));
	json_object_set_new(o, "format",
	    json_string(xk_disk_format_name(d->format)));
	json_object_set_new(o, "backendtype",
	    json_string(xk_disk_backend_name(d->backendtype)));
	json_object_set_new(o, "access", json_string(d->readwrite ? "rw" :
	    "ro"));
	json_object_set_new(o, "cdrom", json_boolean(d->cdrom));
	json_object_set_new(o, "removable", json_boolean(d->removable));
	json_object_set_new(o, "script", str_or_null(d->script));
	json_object_set_new(o, "backend", str_or_null(d->backend));
	json_object_set_new(o, "specification",
	    json_string(xk_disk_spec_name(d->specification)));
	json_object_set_new(o, "direct_io_safe",
	    json_boolean(d->direct_io_safe));
	json_object_set_new(o, "discard", d->discard < 0 ? json_null() :
	    json_boolean(d->discard));
	json_object_set_new(o, "deprecated_syntax",
	    json_boolean(d->deprecated));
	return o;
}

json_t *
xk_vif_to_json(const struct xk_vif *v)
{
	json_t *o = json_object();
	char mac[18];

	if (v->has_mac)
		xk_vif_mac_string(v, mac);
	json_object_set_new(o, "mac", v->has_mac ? json_string(mac) :
	    json_null());
	json_object_set_new(o, "bridge", str_or_null(v->bridge));
	json_object_set_new(o, "ip", str_or_null(v->ip));
	json_object_set_new(o, "script", str_or_null(v->script));
	json_object_set_new(o, "vifname", str_or_null(v->vifname));
	json_object_set_new(o, "type", str_or_null(v->type));
	json_object_set_new(o, "model", str_or_null(v->model));
	json_object_set_new(o, "rate", str_or_null(v->rate));
	json_object_set_new(o, "mtu", v->mtu > 0 ? json_integer(v->mtu) :
	    json_null());
	json_object_set_new(o, "backend", str_or_null(v->backend));
	json_object_set_new(o, "gatewaydev", str_or_null(v->gatewaydev));
	json_object_set_new(o, "devid", v->devid >= 0 ?
	    json_integer(v->devid) : json_null());
	json_object_set_new(o, "other", str_or_null(v->other));
	return o;
}

static void
add_typed(json_t *o, const struct xk_domcfg *dc)
{
	const struct { const char *k; const char *v; } strs[] = {
		{ "name", dc->name }, { "uuid", dc->uuid },
		{ "kernel", dc->kernel }, { "ramdisk", dc->ramdisk },
		{ "cmdline", dc->cmdline }, { "root", dc->root },
		{ "extra", dc->extra }, { "bootloader", dc->bootloader },
		{ "firmware", dc->firmware }, { "boot", dc->boot },
	};
	const struct { const char *k; long v; } longs[] = {
		{ "memory", dc->memory }, { "maxmem", dc->maxmem },
		{ "vcpus", dc->vcpus }, { "maxvcpus", dc->maxvcpus },
		{ "cpu_weight", dc->cpu_weight }, { "cap", dc->cap },
		{ "videoram", dc->videoram },
		{ "rtc_timeoffset", dc->rtc_timeoffset },
	};
	const struct { const char *k; long v; } bools[] = {
		{ "acpi", dc->acpi }, { "apic", dc->apic }, { "pae", dc->pae },
		{ "nx", dc->nx }, { "viridian", dc->viridian },
		{ "hpet", dc->hpet }, { "stdvga", dc->stdvga },
		{ "vnc", dc->vnc },
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		json_object_set_new(o, strs[i].k, str_or_null(strs[i].v));
	json_object_set_new(o, "type", json_string(xk_domtype_name(dc->type)));
	json_object_set_new(o, "type_given", json_boolean(dc->type_given));
	for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++)
		json_object_set_new(o, longs[i].k, long_or_null(longs[i].v));
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		json_object_set_new(o, bools[i].k, bool_or_null(bools[i].v));
	for (int e = 0; e < XK_ON_COUNT; e++)
		json_object_set_new(o, xk_event_key(e),
		    json_string(xk_action_name(dc->on[e])));
	json_object_set_new(o, "cpus", strlist_json(&dc->cpus));
	json_object_set_new(o, "bootloader_args",
	    strlist_json(&dc->bootloader_args));
	json_object_set_new(o, "pci", strlist_json(&dc->pci));
	json_object_set_new(o, "serial", strlist_json(&dc->serial));
	json_object_set_new(o, "vfb", strlist_json(&dc->vfb));
	json_object_set_new(o, "viridian_groups",
	    strlist_json(&dc->viridian_groups));
}

json_t *
xk_domcfg_to_json(const struct xk_domcfg *dc)
{
	json_t *o = json_object(), *settings = json_object();
	json_t *unknown = json_object(), *disks = json_array();
	json_t *vifs = json_array(), *notes = json_array();
	const struct xlcfg *cfg = dc->cfg;

	json_object_set_new(o, "file", json_string(cfg->filename));
	add_typed(o, dc);
	for (size_t i = 0; i < dc->ndisks; i++)
		json_array_append_new(disks, xk_disk_to_json(&dc->disks[i]));
	for (size_t i = 0; i < dc->nvifs; i++)
		json_array_append_new(vifs, xk_vif_to_json(&dc->vifs[i]));
	for (size_t i = 0; i < cfg->nsettings; i++) {
		const struct xlcfg_setting *s = &cfg->settings[i];

		json_object_set_new(settings, s->key, value_json(s->value));
		if (!xk_domcfg_key_mapped(s->key))
			json_object_set_new(unknown, s->key,
			    value_json(s->value));
	}
	for (size_t i = 0; i < cfg->nnotes; i++)
		json_array_append_new(notes, json_pack("{s:i, s:i, s:s}",
		    "line", cfg->notes[i].line, "column", cfg->notes[i].col,
		    "message", cfg->notes[i].msg));
	json_object_set_new(o, "disks", disks);
	json_object_set_new(o, "vifs", vifs);
	json_object_set_new(o, "unknown", unknown);
	json_object_set_new(o, "settings", settings);
	json_object_set_new(o, "notes", notes);
	return o;
}
