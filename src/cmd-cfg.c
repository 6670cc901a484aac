/*
 * cmd-cfg.c - xk cfg check | show: thin layers over lib/config.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "config/domcfg.h"
#include "config/domcfg_json.h"
#include "config/json_out.h"
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

/*
 * One {"file", "ok", "error"} entry.  A file name or message that is not
 * UTF-8 (JSON holds nothing else) has its bad bytes written as \xNN.
 */
static int
check_result(json_t *results, const char *file, const char *error)
{
	struct strbuf f = STRBUF_INIT, e = STRBUF_INIT;
	json_t *o = NULL;

	if (json_utf8_escape(&f, file) == 0 && (error == NULL ||
	    json_utf8_escape(&e, error) == 0))
		o = json_pack("{s:s, s:b, s:s?}", "file", strbuf_str(&f),
		    "ok", error == NULL, "error", error != NULL ?
		    strbuf_str(&e) : NULL);
	strbuf_free(&f);
	strbuf_free(&e);
	return o != NULL ? json_array_append_new(results, o) : -1;
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
		if (json && check_result(results, argv[i], dc != NULL ? NULL :
		    err.msg) < 0) {
			xk_domcfg_free(dc);
			json_decref(results);
			xk_error_errno(&err, ENOMEM, "%s", argv[i]);
			return xk_fail(cmd, &err);
		}
		xk_domcfg_free(dc);
	}
	if (json) {
		struct xk_error err = { 0 };

		if (json_dumpf(results, stdout, JSON_INDENT(2)) < 0 ||
		    putchar('\n') == EOF || fflush(stdout) != 0) {
			xk_error_errno(&err, errno, "writing the JSON document");
			status = xk_fail(cmd, &err);
		}
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
		if (xk_domcfg_write_json(stdout, dc, &err) < 0)
			status = xk_fail(cmd, &err);
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
