/*
 * domcfg.c - the typed domain model over an xlcfg.
 *
 * One table (keys[]) says, for every key xenkit maps, what kind of value
 * it takes and where the typed value goes; the loader walks the table,
 * so adding a key is one line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>

#include "config/domcfg.h"

enum kind {
	K_STRING,	/* a string */
	K_LONG,		/* a number in range */
	K_BOOL,		/* a number: 0 is false, anything else true */
	K_STRLIST,	/* a string or a list of strings */
	K_ACTION,	/* destroy, restart, ... */
	K_TYPE,		/* pv, pvh, hvm */
	K_BUILDER,	/* deprecated: generic, hvm */
	K_DISKS,	/* a list of disk specs */
	K_VIFS,		/* a list of vif specs */
	K_UUID,		/* a string of the uuid form */
	K_VIRIDIAN,	/* a BOOLEAN or a list of enlightenment groups */
};

struct key_def {
	const char *key;
	enum kind kind;
	size_t off;		/* where in struct xk_domcfg */
	long min, max;		/* K_LONG */
};

#define F(field) offsetof(struct xk_domcfg, field)
#define ON(ev) (offsetof(struct xk_domcfg, on) + (ev) * sizeof(enum xk_action))

static const struct key_def keys[] = {
	{ "name", K_STRING, F(name), 0, 0 },
	{ "uuid", K_UUID, F(uuid), 0, 0 },
	{ "type", K_TYPE, F(type), 0, 0 },
	{ "builder", K_BUILDER, F(type), 0, 0 },
	{ "memory", K_LONG, F(memory), 1, 1L << 24 },
	{ "maxmem", K_LONG, F(maxmem), 1, 1L << 24 },
	{ "vcpus", K_LONG, F(vcpus), 1, 4096 },
	{ "maxvcpus", K_LONG, F(maxvcpus), 1, 4096 },
	{ "cpus", K_STRLIST, F(cpus), 0, 0 },
	{ "cpu_weight", K_LONG, F(cpu_weight), 1, 65535 },
	{ "cap", K_LONG, F(cap), 0, 409600 },
	{ "kernel", K_STRING, F(kernel), 0, 0 },
	{ "ramdisk", K_STRING, F(ramdisk), 0, 0 },
	{ "cmdline", K_STRING, F(cmdline), 0, 0 },
	{ "root", K_STRING, F(root), 0, 0 },
	{ "extra", K_STRING, F(extra), 0, 0 },
	{ "bootloader", K_STRING, F(bootloader), 0, 0 },
	{ "bootloader_args", K_STRLIST, F(bootloader_args), 0, 0 },
	{ "firmware", K_STRING, F(firmware), 0, 0 },
	{ "boot", K_STRING, F(boot), 0, 0 },
	{ "acpi", K_BOOL, F(acpi), 0, 0 },
	{ "apic", K_BOOL, F(apic), 0, 0 },
	{ "pae", K_BOOL, F(pae), 0, 0 },
	{ "nx", K_BOOL, F(nx), 0, 0 },
	{ "viridian", K_VIRIDIAN, F(viridian), 0, 0 },
	{ "hpet", K_BOOL, F(hpet), 0, 0 },
	{ "stdvga", K_BOOL, F(stdvga), 0, 0 },
	{ "videoram", K_LONG, F(videoram), 0, 1L << 20 },
	{ "rtc_timeoffset", K_LONG, F(rtc_timeoffset), -(1L << 40),
	    1L << 40 },
	{ "on_poweroff", K_ACTION, ON(XK_ON_POWEROFF), 0, 0 },
	{ "on_reboot", K_ACTION, ON(XK_ON_REBOOT), 0, 0 },
	{ "on_crash", K_ACTION, ON(XK_ON_CRASH), 0, 0 },
	{ "on_watchdog", K_ACTION, ON(XK_ON_WATCHDOG), 0, 0 },
	{ "on_soft_reset", K_ACTION, ON(XK_ON_SOFT_RESET), 0, 0 },
	{ "disk", K_DISKS, 0, 0, 0 },
	{ "vif", K_VIFS, 0, 0, 0 },
	{ "pci", K_STRLIST, F(pci), 0, 0 },
	{ "serial", K_STRLIST, F(serial), 0, 0 },
	{ "vnc", K_BOOL, F(vnc), 0, 0 },
	{ "vfb", K_STRLIST, F(vfb), 0, 0 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const action_names[] = {
	"destroy", "restart", "rename-restart", "preserve",
	"coredump-destroy", "coredump-restart", "soft-reset",
};
static const char *const event_keys[] = {
	"on_poweroff", "on_reboot", "on_crash", "on_watchdog",
	"on_soft_reset",
};
static const char *const type_names[] = { "pv", "pvh", "hvm" };

const char *
xk_domtype_name(enum xk_domtype t)
{
	return type_names[t];
}

const char *
xk_action_name(enum xk_action a)
{
	return action_names[a];
}

const char *
xk_event_key(enum xk_event e)
{
	return event_keys[e];
}

bool
xk_domcfg_key_mapped(const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].key, key) == 0)
			return true;
	return false;
}

const char *const *
xk_domcfg_key_order(void)
{
	static const char *order[NKEYS + 1];

	if (order[0] == NULL)
		for (size_t i = 0; i < NKEYS; i++)
			order[i] = keys[i].key;
	return order;
}

static int
bad(const struct xlcfg *cfg, const struct xlcfg_value *v, const char *key,
    const char *why, struct xk_error *err)
{
	xk_error_set(err, "%s:%d:%d: %s: %s", cfg->filename, v->line, v->col,
	    key, why);
	return -1;
}

static int
need_string(const struct xlcfg *cfg, const struct xlcfg_value *v,
    const char *key, struct xk_error *err)
{
	if (v->type != XLCFG_STRING)
		return bad(cfg, v, key, "expected a single value, found a list",
		    err);
	return 0;
}

/* As xlu_cfg_get_long: strtol base 0, the whole string. */
static int
get_long(const struct xlcfg *cfg, const struct xlcfg_value *v,
    const struct key_def *k, long *out, struct xk_error *err)
{
	char why[160];
	char *end;
	long l;

	if (need_string(cfg, v, k->key, err) < 0)
		return -1;
	errno = 0;
	l = strtol(v->str, &end, 0);
	if (end == v->str || *end != '\0') {
		snprintf(why, sizeof(why), "'%.64s' is not a number",
		    v->str);
		return bad(cfg, v, k->key, why, err);
	}
	if (errno == ERANGE || (k->kind == K_LONG &&
	    (l < k->min || l > k->max))) {
		snprintf(why, sizeof(why), "%.64s is out of range (%ld to "
		    "%ld)", v->str, k->min, k->max);
		return bad(cfg, v, k->key, why, err);
	}
	*out = l;
	return 0;
}

static int
lookup_name(const struct xlcfg *cfg, const struct xlcfg_value *v,
    const char *key, const char *const *names, size_t n, struct xk_error *err)
{
	char why[256];
	size_t len = 0;

	if (need_string(cfg, v, key, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v->str, names[i]) == 0)
			return (int)i;
	len = (size_t)snprintf(why, sizeof(why), "unknown value '%.40s' "
	    "(expected", v->str);
	for (size_t i = 0; i < n && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len, " %s",
		    names[i]);
	if (len < sizeof(why))
		snprintf(why + len, sizeof(why) - len, ")");
	return bad(cfg, v, key, why, err);
}

static int
get_strlist(const struct xlcfg *cfg, const struct xlcfg_value *v,
    const char *key, struct xk_strlist *out, struct xk_error *err)
{
	size_t n = v->type == XLCFG_STRING ? 1 : v->nitems;

	out->v = calloc(n + 1, sizeof(char *));
	if (out->v == NULL)
		return xk_error_errno(err, ENOMEM, "%s", key), -1;
	if (v->type == XLCFG_STRING) {
		out->v[0] = v->str;
		out->n = 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (v->items[i]->type != XLCFG_STRING)
			return bad(cfg, v->items[i], key,
			    "expected a string, found a list", err);
		out->v[out->n++] = v->items[i]->str;
	}
	return 0;
}

static bool
is_uuid(const char *s)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(s) != sizeof(form) - 1)
		return false;
	for (size_t i = 0; form[i] != '\0'; i++) {
		if (form[i] == '-' ? s[i] != '-' :
		    strchr("0123456789abcdefABCDEF", s[i]) == NULL || !s[i])
			return false;
	}
	return true;
}

static int
too_many(const struct xk_domcfg *dc, const struct xlcfg_value *v,
    const char *key, struct xk_error *err)
{
	char why[96];

	if (v->nitems <= XK_MAX_DEVICES)
		return 0;
	snprintf(why, sizeof(why), "more than %d specs (xenkit's limit)",
	    XK_MAX_DEVICES);
	return bad(dc->cfg, v->items[XK_MAX_DEVICES], key, why, err);
}

static int
load_disks(struct xk_domcfg *dc, const struct xlcfg_value *v,
    struct xk_error *err)
{
	if (v->type != XLCFG_LIST)
		return bad(dc->cfg, v, "disk", "expected a list of disk specs",
		    err);
	if (too_many(dc, v, "disk", err) < 0)
		return -1;
	dc->disks = calloc(v->nitems + 1, sizeof(*dc->disks));
	if (dc->disks == NULL)
		return xk_error_errno(err, ENOMEM, "disk"), -1;
	for (size_t i = 0; i < v->nitems; i++) {
		const struct xlcfg_value *it = v->items[i];
		struct xk_error derr = { 0 };

		if (need_string(dc->cfg, it, "disk", err) < 0)
			return -1;
		if (xk_disk_parse(it->str, &dc->disks[i], &derr) < 0)
			return bad(dc->cfg, it, "disk", derr.msg, err);
		dc->ndisks++;
	}
	return 0;
}

static int
load_vifs(struct xk_domcfg *dc, const struct xlcfg_value *v,
    struct xk_error *err)
{
	if (v->type != XLCFG_LIST)
		return bad(dc->cfg, v, "vif", "expected a list of vif specs",
		    err);
	if (too_many(dc, v, "vif", err) < 0)
		return -1;
	dc->vifs = calloc(v->nitems + 1, sizeof(*dc->vifs));
	if (dc->vifs == NULL)
		return xk_error_errno(err, ENOMEM, "vif"), -1;
	for (size_t i = 0; i < v->nitems; i++) {
		const struct xlcfg_value *it = v->items[i];
		struct xk_error verr = { 0 };

		if (need_string(dc->cfg, it, "vif", err) < 0)
			return -1;
		if (xk_vif_parse(it->str, &dc->vifs[i], &verr) < 0)
			return bad(dc->cfg, it, "vif", verr.msg, err);
		dc->nvifs++;
	}
	return 0;
}

/*
 * viridian=[ "GROUP", ... ] as xl's parse_config_data reads it: "all",
 * "defaults", or a group libxl knows, optionally after '!' (not before
 * "all" or "defaults").  The BOOLEAN form is get_long's.
 */
static int
load_viridian(struct xk_domcfg *dc, const struct key_def *k,
    const struct xlcfg_value *v, struct xk_error *err)
{
	struct xk_strlist *groups = &dc->viridian_groups;
	libxl_viridian_enlightenment e;
	char why[160];

	if (v->type == XLCFG_STRING) {
		if (get_long(dc->cfg, v, k, &dc->viridian, err) < 0)
			return -1;
		dc->viridian = dc->viridian != 0;
		return 0;
	}
	if (get_strlist(dc->cfg, v, k->key, groups, err) < 0)
		return -1;
	for (size_t i = 0; i < groups->n; i++) {
		const char *g = groups->v[i];

		if (strcmp(g, "defaults") == 0) {
			dc->viridian = 1;
			continue;
		}
		if (strcmp(g, "all") == 0)
			continue;
		if (libxl_viridian_enlightenment_from_string(g + (*g == '!'),
		    &e) != 0) {
			snprintf(why, sizeof(why), "unknown enlightenment "
			    "group '%.64s' (see xl.cfg(5))", g);
			return bad(dc->cfg, v->items[i], k->key, why, err);
		}
	}
	return 0;
}

static int
load_key(struct xk_domcfg *dc, const struct key_def *k,
    const struct xlcfg_value *v, struct xk_error *err)
{
	static const char *const builders[] = { "generic", "hvm" };
	char *field = (char *)dc + k->off;
	int i;

	switch (k->kind) {
	case K_STRING:
		if (need_string(dc->cfg, v, k->key, err) < 0)
			return -1;
		*(const char **)field = v->str;
		return 0;
	case K_UUID:
		if (need_string(dc->cfg, v, k->key, err) < 0)
			return -1;
		if (!is_uuid(v->str))
			return bad(dc->cfg, v, k->key, "not a UUID "
			    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", err);
		*(const char **)field = v->str;
		return 0;
	case K_LONG:
	case K_BOOL:
		if (get_long(dc->cfg, v, k, (long *)field, err) < 0)
			return -1;
		if (k->kind == K_BOOL)
			*(long *)field = *(long *)field != 0;
		return 0;
	case K_STRLIST:
		return get_strlist(dc->cfg, v, k->key,
		    (struct xk_strlist *)field, err);
	case K_ACTION:
		i = lookup_name(dc->cfg, v, k->key, action_names, 7, err);
		if (i < 0)
			return -1;
		*(enum xk_action *)field = (enum xk_action)i;
		return 0;
	case K_TYPE:
		i = lookup_name(dc->cfg, v, k->key, type_names, 3, err);
		if (i < 0)
			return -1;
		dc->type = (enum xk_domtype)i;
		dc->type_given = true;
		return 0;
	case K_BUILDER:
		i = lookup_name(dc->cfg, v, k->key, builders, 2, err);
		if (i < 0)
			return -1;
		/* "type" wins over the deprecated "builder", as in xl */
		if (xlcfg_get(dc->cfg, "type") == NULL) {
			dc->type = i == 1 ? XK_DOMTYPE_HVM : XK_DOMTYPE_PV;
			dc->type_given = true;
		}
		return 0;
	case K_DISKS:
		return load_disks(dc, v, err);
	case K_VIFS:
		return load_vifs(dc, v, err);
	case K_VIRIDIAN:
		return load_viridian(dc, k, v, err);
	}
	return 0;
}

static void
set_defaults(struct xk_domcfg *dc)
{
	long *unset[] = {
		&dc->memory, &dc->maxmem, &dc->vcpus, &dc->maxvcpus,
		&dc->cpu_weight, &dc->cap, &dc->videoram, &dc->rtc_timeoffset,
		&dc->acpi, &dc->apic, &dc->pae, &dc->nx, &dc->hpet,
		&dc->stdvga, &dc->vnc, &dc->viridian,
	};

	for (size_t i = 0; i < sizeof(unset) / sizeof(unset[0]); i++)
		*unset[i] = XK_UNSET;
	dc->type = XK_DOMTYPE_PV;
	dc->on[XK_ON_POWEROFF] = XK_ACTION_DESTROY;
	dc->on[XK_ON_REBOOT] = XK_ACTION_RESTART;
	dc->on[XK_ON_CRASH] = XK_ACTION_DESTROY;
	dc->on[XK_ON_WATCHDOG] = XK_ACTION_DESTROY;
	dc->on[XK_ON_SOFT_RESET] = XK_ACTION_SOFT_RESET;
}

struct xk_domcfg *
xk_domcfg_from_xlcfg(struct xlcfg *cfg, struct xk_error *err)
{
	struct xk_domcfg *dc = calloc(1, sizeof(*dc));

	if (dc == NULL) {
		xlcfg_free(cfg);
		xk_error_errno(err, ENOMEM, "domain config");
		return NULL;
	}
	dc->cfg = cfg;
	set_defaults(dc);
	for (size_t i = 0; i < NKEYS; i++) {
		const struct xlcfg_value *v = xlcfg_get(cfg, keys[i].key);

		if (v != NULL && load_key(dc, &keys[i], v, err) < 0) {
			xk_domcfg_free(dc);
			return NULL;
		}
	}
	return dc;
}

struct xk_domcfg *
xk_domcfg_load(const char *path, struct xk_error *err)
{
	struct xlcfg *cfg = xlcfg_load(path, err);

	if (cfg == NULL)
		return NULL;
	return xk_domcfg_from_xlcfg(cfg, err);
}

void
xk_domcfg_free(struct xk_domcfg *dc)
{
	if (dc == NULL)
		return;
	for (size_t i = 0; i < dc->ndisks; i++)
		xk_disk_free(&dc->disks[i]);
	for (size_t i = 0; i < dc->nvifs; i++)
		xk_vif_free(&dc->vifs[i]);
	free(dc->disks);
	free(dc->vifs);
	free(dc->cpus.v);
	free(dc->bootloader_args.v);
	free(dc->pci.v);
	free(dc->serial.v);
	free(dc->vfb.v);
	free(dc->viridian_groups.v);
	xlcfg_free(dc->cfg);
	free(dc);
}

/*
 * The spec list (disk, vif) in canonical forms, into *out (NULL when the
 * key is not set); a spec that has none (a target with a newline) is
 * kept as it was.
 */
static int
canonical_specs(const struct xlcfg *cfg, const char *key, const void *items,
    size_t n, size_t size, int (*fmt)(struct strbuf *, const void *),
    struct xlcfg_value **out)
{
	const struct xlcfg_value *orig = xlcfg_get(cfg, key);
	struct xlcfg_value *list;

	*out = NULL;
	if (orig == NULL)
		return 0;
	list = xlcfg_value_list();
	if (list == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		struct xlcfg_value *s;

		if (fmt(&sb, (const char *)items + i * size) == 0)
			s = xlcfg_value_string(strbuf_str(&sb), false);
		else
			s = xlcfg_value_dup(orig->items[i]);
		strbuf_free(&sb);
		if (s == NULL || xlcfg_list_append(list, s) < 0) {
			xlcfg_value_free(s);
			xlcfg_value_free(list);
			return -1;
		}
	}
	*out = list;
	return 0;
}

static int
fmt_disk(struct strbuf *sb, const void *d)
{
	return xk_disk_format_spec(sb, d);
}

static int
fmt_vif(struct strbuf *sb, const void *v)
{
	return xk_vif_format_spec(sb, v);
}

/* In view (a shallow copy of the settings), key's value becomes v. */
static void
replace(struct xlcfg *view, const char *key, struct xlcfg_value *v)
{
	struct xlcfg_setting *s = (struct xlcfg_setting *)xlcfg_find(view, key);

	if (s != NULL && v != NULL)
		s->value = v;
}

/*
 * The file is written through a view of it that differs only in the
 * disk and vif lists: a copy of every value would double the memory.
 * The view shares the keys, the values and the key index (the settings
 * keep their places) and owns only its settings array.
 */
int
xk_domcfg_write(struct strbuf *out, const struct xk_domcfg *dc,
    struct xk_error *err)
{
	struct xlcfg view = *dc->cfg;
	struct xlcfg_value *disks = NULL, *vifs = NULL;
	int rc = -1;

	view.settings = calloc(dc->cfg->nsettings + 1, sizeof(*view.settings));
	if (view.settings == NULL)
		goto out;
	if (dc->cfg->nsettings > 0)
		memcpy(view.settings, dc->cfg->settings,
		    dc->cfg->nsettings * sizeof(*view.settings));
	if (canonical_specs(dc->cfg, "disk", dc->disks, dc->ndisks,
	    sizeof(*dc->disks), fmt_disk, &disks) < 0 ||
	    canonical_specs(dc->cfg, "vif", dc->vifs, dc->nvifs,
	    sizeof(*dc->vifs), fmt_vif, &vifs) < 0)
		goto out;
	replace(&view, "disk", disks);
	replace(&view, "vif", vifs);
	rc = xlcfg_write(out, &view, xk_domcfg_key_order());
out:
	if (rc < 0)
		xk_error_errno(err, ENOMEM, "%s: writing", dc->cfg->filename);
	xlcfg_value_free(disks);
	xlcfg_value_free(vifs);
	free(view.settings);
	return rc;
}
