/*
 * cmd-cfg.c - xk cfg check | show: thin layers over lib/config.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "config/domcfg.h"
#include "config/domcfg_json.h"
#include "xk.h"

enum { OPT_JSON = 1, OPT_CANONICAL };

static const struct option cfg_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "canonical", no_argument, NULL, OPT_CANONICAL },
	{ NULL, 0, NULL, 0 },
};

/* Parse --json/--canonical; returns the index of the first operand. */
static int
parse_opts(const char *cmd, int argc, char **argv, bool *json,
    bool *canonical)
{
	int c;

	optind = 0;	/* GNU getopt: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", cfg_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			*json = true;
			break;
		case OPT_CANONICAL:
			if (canonical == NULL)
				goto bad;
			*canonical = true;
			break;
		default:
			goto bad;
		}
	}
	return optind;
bad:
	xk_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
	return -1;
}

static void
print_notes(const struct xlcfg *cfg)
{
	for (size_t i = 0; i < cfg->nnotes; i++)
		fprintf(stderr, "%s:%d:%d: warning: %s\n", cfg->filename,
		    cfg->notes[i].line, cfg->notes[i].col, cfg->notes[i].msg);
}

int
cmd_cfg_check(int argc, char **argv)
{
	const char *cmd = "cfg check";
	bool json = false;
	json_t *results = NULL;
	int first, status = XK_EXIT_OK;

	first = parse_opts(cmd, argc, argv, &json, NULL);
	if (first < 0)
		return XK_EXIT_USAGE;
	if (first >= argc)
		return xk_usage_error(cmd, "no FILE given");
	if (json)
		results = json_array();
	for (int i = first; i < argc; i++) {
		struct xk_error err = { 0 };
		struct xk_domcfg *dc = xk_domcfg_load(argv[i], &err);

		if (dc == NULL) {
			status = XK_EXIT_FAIL;
			if (!json)
				xk_fail(cmd, &err);
		} else if (!json) {
			print_notes(dc->cfg);
		}
		if (json)
			json_array_append_new(results, json_pack("{s:s, s:b, "
			    "s:s?}", "file", argv[i], "ok", dc != NULL,
			    "error", dc == NULL ? err.msg : NULL));
		xk_domcfg_free(dc);
	}
	if (json) {
		json_dumpf(results, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(results);
	}
	return status;
}

static void
print_summary(const struct xk_domcfg *dc)
{
	printf("name:    %s\n", dc->name ? dc->name : "(none)");
	printf("type:    %s%s\n", xk_domtype_name(dc->type),
	    dc->type_given ? "" : " (xl's default: no type given)");
	if (dc->memory != XK_UNSET)
		printf("memory:  %ld MiB\n", dc->memory);
	if (dc->vcpus != XK_UNSET)
		printf("vcpus:   %ld\n", dc->vcpus);
	for (size_t i = 0; i < dc->ndisks; i++) {
		const struct xk_disk *d = &dc->disks[i];

		printf("disk %zu:  %s %s %s%s %s\n", i, d->vdev,
		    xk_disk_format_name(d->format), d->readwrite ? "rw" : "ro",
		    d->cdrom ? " cdrom" : "", d->target ? d->target : "(empty)");
	}
	for (size_t i = 0; i < dc->nvifs; i++) {
		char mac[18] = "(random mac)";

		if (dc->vifs[i].has_mac)
			xk_vif_mac_string(&dc->vifs[i], mac);
		printf("vif %zu:   %s bridge %s\n", i, mac,
		    dc->vifs[i].bridge ? dc->vifs[i].bridge : "(default)");
	}
	for (size_t i = 0; i < dc->cfg->nsettings; i++)
		if (!xk_domcfg_key_mapped(dc->cfg->settings[i].key))
			printf("other:   %s\n", dc->cfg->settings[i].key);
}

int
cmd_cfg_show(int argc, char **argv)
{
	const char *cmd = "cfg show";
	struct xk_error err = { 0 };
	struct xk_domcfg *dc;
	bool json = false, canonical = false;
	int first, status = XK_EXIT_OK;

	first = parse_opts(cmd, argc, argv, &json, &canonical);
	if (first < 0)
		return XK_EXIT_USAGE;
	if (argc - first != 1)
		return xk_usage_error(cmd, "expected one FILE");
	if (json && canonical)
		return xk_usage_error(cmd, "--json and --canonical exclude "
		    "each other");
	dc = xk_domcfg_load(argv[first], &err);
	if (dc == NULL)
		return xk_fail(cmd, &err);
	print_notes(dc->cfg);
	if (json) {
		json_t *doc = xk_domcfg_to_json(dc);

		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(doc);
	} else if (canonical) {
		struct strbuf sb = STRBUF_INIT;

		if (xk_domcfg_write(&sb, dc, &err) < 0)
			status = xk_fail(cmd, &err);
		else
			fputs(strbuf_str(&sb), stdout);
		strbuf_free(&sb);
	} else {
		print_summary(dc);
	}
	xk_domcfg_free(dc);
	return status;
}
