/*
 * domcfg_json.c - the domain model as JSON (xk cfg show --json).
 *
 * Field names are stable: scripts depend on them.  "settings" holds
 * every key as libxlutil reads it (strings and nested lists), "unknown"
 * the keys xenkit does not map, the other fields the typed model.  Keys
 * are written sorted, as jansson's JSON_SORT_KEYS would.
 *
 * The document is streamed rather than built as a jansson tree: a tree
 * costs hundreds of bytes per value, and 1 MiB of "vif=[\"\",..." is
 * 350,000 vifs of 13 fields each (issue 21, item 7).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/domcfg_json.h"
#include "config/json_out.h"

/* Refuse a value JSON cannot hold, with where it is. */
static int
check_value(const struct xlcfg *cfg, const char *key,
    const struct xlcfg_value *v, int depth, struct xk_error *err)
{
	long bad;

	if (depth > XLCFG_MAX_DEPTH) {
		xk_error_set(err, "%s:%d:%d: %s: lists nested more than %d "
		    "deep", cfg->filename, v->line, v->col, key,
		    XLCFG_MAX_DEPTH);
		return -1;
	}
	if (v->type == XLCFG_STRING) {
		bad = json_utf8_check(v->str);
		if (bad < 0)
			return 0;
		xk_error_set(err, "%s:%d:%d: %s: the string is not valid UTF-8 "
		    "(byte 0x%02x at offset %ld), which JSON cannot hold; "
		    "xk cfg show without --json shows it", cfg->filename,
		    v->line, v->col, key, (unsigned char)v->str[bad], bad);
		return -1;
	}
	for (size_t i = 0; i < v->nitems; i++)
		if (check_value(cfg, key, v->items[i], depth + 1, err) < 0)
			return -1;
	return 0;
}

/* Text for people: bytes that are not UTF-8 become \xNN. */
static int
text(struct json_out *j, const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	if (json_utf8_check(s) < 0) {
		json_out_string(j, s);
		return 0;
	}
	if (json_utf8_escape(&sb, s) < 0) {
		strbuf_free(&sb);
		return -1;
	}
	json_out_string(j, strbuf_str(&sb));
	strbuf_free(&sb);
	return 0;
}

static void
value(struct json_out *j, const struct xlcfg_value *v)
{
	if (v->type == XLCFG_STRING) {
		json_out_string(j, v->str);
		return;
	}
	json_out_open(j, '[');
	for (size_t i = 0; i < v->nitems; i++)
		value(j, v->items[i]);
	json_out_close(j, ']');
}

static void
strlist(struct json_out *j, const struct xk_strlist *l)
{
	json_out_open(j, '[');
	for (size_t i = 0; i < l->n; i++)
		json_out_string(j, l->v[i]);
	json_out_close(j, ']');
}

static void
long_or_null(struct json_out *j, long l)
{
	if (l != XK_UNSET)
		json_out_long(j, l);
	else
		json_out_null(j);
}

static void
bool_or_null(struct json_out *j, long l)
{
	if (l != XK_UNSET)
		json_out_bool(j, l != 0);
	else
		json_out_null(j);
}

/* Fields in sorted order. */
static void
disk(struct json_out *j, const struct xk_disk *d)
{
	json_out_open(j, '{');
	json_out_key(j, "access");
	json_out_string(j, d->readwrite ? "rw" : "ro");
	json_out_key(j, "backend");
	json_out_string_or_null(j, d->backend);
	json_out_key(j, "backendtype");
	json_out_string(j, xk_disk_backend_name(d->backendtype));
	json_out_key(j, "cdrom");
	json_out_bool(j, d->cdrom);
	json_out_key(j, "deprecated_syntax");
	json_out_bool(j, d->deprecated);
	json_out_key(j, "direct_io_safe");
	json_out_bool(j, d->direct_io_safe);
	json_out_key(j, "discard");
	bool_or_null(j, d->discard < 0 ? XK_UNSET : d->discard);
	json_out_key(j, "format");
	json_out_string(j, xk_disk_format_name(d->format));
	json_out_key(j, "removable");
	json_out_bool(j, d->removable);
	json_out_key(j, "script");
	json_out_string_or_null(j, d->script);
	json_out_key(j, "specification");
	json_out_string(j, xk_disk_spec_name(d->specification));
	json_out_key(j, "target");
	json_out_string_or_null(j, d->target);
	json_out_key(j, "vdev");
	json_out_string(j, d->vdev);
	json_out_close(j, '}');
}

/* Fields in sorted order. */
static void
vif(struct json_out *j, const struct xk_vif *v)
{
	char mac[18];

	json_out_open(j, '{');
	json_out_key(j, "backend");
	json_out_string_or_null(j, v->backend);
	json_out_key(j, "bridge");
	json_out_string_or_null(j, v->bridge);
	json_out_key(j, "devid");
	long_or_null(j, v->devid >= 0 ? v->devid : XK_UNSET);
	json_out_key(j, "gatewaydev");
	json_out_string_or_null(j, v->gatewaydev);
	json_out_key(j, "ip");
	json_out_string_or_null(j, v->ip);
	json_out_key(j, "mac");
	if (v->has_mac)
		xk_vif_mac_string(v, mac);
	json_out_string_or_null(j, v->has_mac ? mac : NULL);
	json_out_key(j, "model");
	json_out_string_or_null(j, v->model);
	json_out_key(j, "mtu");
	long_or_null(j, v->mtu > 0 ? v->mtu : XK_UNSET);
	json_out_key(j, "other");
	json_out_string_or_null(j, v->other);
	json_out_key(j, "rate");
	json_out_string_or_null(j, v->rate);
	json_out_key(j, "script");
	json_out_string_or_null(j, v->script);
	json_out_key(j, "type");
	json_out_string_or_null(j, v->type);
	json_out_key(j, "vifname");
	json_out_string_or_null(j, v->vifname);
	json_out_close(j, '}');
}

static int
by_key(const void *a, const void *b, void *settings)
{
	const struct xlcfg_setting *s = settings;

	return strcmp(s[*(const size_t *)a].key, s[*(const size_t *)b].key);
}

/* "settings" (every key) or "unknown" (unmapped ones), keys sorted. */
static void
settings(struct json_out *j, const struct xlcfg *cfg, const size_t *order,
    bool unknown_only)
{
	json_out_open(j, '{');
	for (size_t i = 0; i < cfg->nsettings; i++) {
		const struct xlcfg_setting *s = &cfg->settings[order[i]];

		if (unknown_only && xk_domcfg_key_mapped(s->key))
			continue;
		json_out_key(j, s->key);
		value(j, s->value);
	}
	json_out_close(j, '}');
}

static int
notes(struct json_out *j, const struct xlcfg *cfg)
{
	json_out_open(j, '[');
	for (size_t i = 0; i < cfg->nnotes; i++) {
		json_out_open(j, '{');
		json_out_key(j, "column");
		json_out_long(j, cfg->notes[i].col);
		json_out_key(j, "line");
		json_out_long(j, cfg->notes[i].line);
		json_out_key(j, "message");
		if (text(j, cfg->notes[i].msg) < 0)
			return -1;
		json_out_close(j, '}');
	}
	json_out_close(j, ']');
	return 0;
}

enum field_kind { F_STR, F_LONG, F_BOOL, F_STRLIST, F_SPECIAL };

struct field {
	const char *name;
	enum field_kind kind;
	const char *s;
	long l;
	const struct xk_strlist *list;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct field *)a)->name,
	    ((const struct field *)b)->name);
}

#define S(k, v) { k, F_STR, v, 0, NULL }
#define L(k, v) { k, F_LONG, NULL, v, NULL }
#define B(k, v) { k, F_BOOL, NULL, v, NULL }
#define SL(k, v) { k, F_STRLIST, NULL, 0, v }
#define X(k) { k, F_SPECIAL, NULL, 0, NULL }

/* The special fields, by name. */
static int
special(struct json_out *j, const struct xk_domcfg *dc, const char *name,
    const size_t *order)
{
	if (strcmp(name, "file") == 0)
		return text(j, dc->cfg->filename);
	if (strcmp(name, "notes") == 0)
		return notes(j, dc->cfg);
	if (strcmp(name, "settings") == 0 || strcmp(name, "unknown") == 0) {
		settings(j, dc->cfg, order, name[0] == 'u');
	} else if (strcmp(name, "disks") == 0) {
		json_out_open(j, '[');
		for (size_t i = 0; i < dc->ndisks; i++)
			disk(j, &dc->disks[i]);
		json_out_close(j, ']');
	} else if (strcmp(name, "vifs") == 0) {
		json_out_open(j, '[');
		for (size_t i = 0; i < dc->nvifs; i++)
			vif(j, &dc->vifs[i]);
		json_out_close(j, ']');
	}
	return 0;
}

static int
document(struct json_out *j, const struct xk_domcfg *dc, const size_t *order)
{
	struct field f[] = {
		S("name", dc->name), S("uuid", dc->uuid),
		S("kernel", dc->kernel), S("ramdisk", dc->ramdisk),
		S("cmdline", dc->cmdline), S("root", dc->root),
		S("extra", dc->extra), S("bootloader", dc->bootloader),
		S("firmware", dc->firmware), S("boot", dc->boot),
		S("type", xk_domtype_name(dc->type)),
		B("type_given", dc->type_given),
		L("memory", dc->memory), L("maxmem", dc->maxmem),
		L("vcpus", dc->vcpus), L("maxvcpus", dc->maxvcpus),
		L("cpu_weight", dc->cpu_weight), L("cap", dc->cap),
		L("videoram", dc->videoram),
		L("rtc_timeoffset", dc->rtc_timeoffset),
		B("acpi", dc->acpi), B("apic", dc->apic), B("pae", dc->pae),
		B("nx", dc->nx), B("viridian", dc->viridian),
		B("hpet", dc->hpet), B("stdvga", dc->stdvga),
		B("vnc", dc->vnc),
		S(xk_event_key(XK_ON_POWEROFF),
		    xk_action_name(dc->on[XK_ON_POWEROFF])),
		S(xk_event_key(XK_ON_REBOOT),
		    xk_action_name(dc->on[XK_ON_REBOOT])),
		S(xk_event_key(XK_ON_CRASH),
		    xk_action_name(dc->on[XK_ON_CRASH])),
		S(xk_event_key(XK_ON_WATCHDOG),
		    xk_action_name(dc->on[XK_ON_WATCHDOG])),
		S(xk_event_key(XK_ON_SOFT_RESET),
		    xk_action_name(dc->on[XK_ON_SOFT_RESET])),
		SL("cpus", &dc->cpus), SL("bootloader_args",
		    &dc->bootloader_args), SL("pci", &dc->pci),
		SL("serial", &dc->serial), SL("vfb", &dc->vfb),
		SL("viridian_groups", &dc->viridian_groups),
		X("file"), X("disks"), X("vifs"), X("unknown"), X("settings"),
		X("notes"),
	};
	size_t n = sizeof(f) / sizeof(f[0]);

	qsort(f, n, sizeof(f[0]), by_name);
	json_out_open(j, '{');
	for (size_t i = 0; i < n; i++) {
		json_out_key(j, f[i].name);
		switch (f[i].kind) {
		case F_STR:
			json_out_string_or_null(j, f[i].s);
			break;
		case F_LONG:
			long_or_null(j, f[i].l);
			break;
		case F_BOOL:
			bool_or_null(j, f[i].l);
			break;
		case F_STRLIST:
			strlist(j, f[i].list);
			break;
		case F_SPECIAL:
			if (special(j, dc, f[i].name, order) < 0)
				return -1;
			break;
		}
	}
	json_out_close(j, '}');
	return 0;
}

int
xk_domcfg_write_json(FILE *f, const struct xk_domcfg *dc,
    struct xk_error *err)
{
	const struct xlcfg *cfg = dc->cfg;
	struct json_out j;
	size_t *order;
	int rc;

	for (size_t i = 0; i < cfg->nsettings; i++)
		if (check_value(cfg, cfg->settings[i].key,
		    cfg->settings[i].value, 0, err) < 0)
			return -1;
	order = calloc(cfg->nsettings + 1, sizeof(*order));
	if (order == NULL) {
		xk_error_errno(err, ENOMEM, "%s", cfg->filename);
		return -1;
	}
	for (size_t i = 0; i < cfg->nsettings; i++)
		order[i] = i;
	qsort_r(order, cfg->nsettings, sizeof(*order), by_key,
	    cfg->settings);
	json_out_init(&j, f);
	rc = document(&j, dc, order);
	free(order);
	if (rc < 0) {
		xk_error_errno(err, ENOMEM, "%s", cfg->filename);
		return -1;
	}
	putc('\n', f);
	/* a full disk or a closed pipe must not pass for a document */
	if (fflush(f) != 0 || ferror(f)) {
		xk_error_errno(err, errno, "%s: writing the JSON document",
		    cfg->filename);
		return -1;
	}
	return 0;
}

json_t *
xk_domcfg_to_json(const struct xk_domcfg *dc)
{
	struct xk_error e = { 0 }, *err = &e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_error_t jerr;
	json_t *doc = NULL;
	int rc;

	if (f == NULL) {
		xk_error_errno(err, errno, "open_memstream");
		return NULL;
	}
	rc = xk_domcfg_write_json(f, dc, err);
	if (fclose(f) != 0 && rc == 0) {
		xk_error_errno(err, errno, "open_memstream");
		rc = -1;
	}
	if (rc == 0) {
		doc = json_loadb(buf, len, 0, &jerr);
		if (doc == NULL)
			xk_error_set(err, "%s: JSON written is unreadable: %s",
			    dc->cfg->filename, jerr.text);
	}
	free(buf);
	return doc;
}
