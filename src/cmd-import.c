/*
 * cmd-import.c - xk import: an XVA, OVA/OVF or VHD to an xl.cfg and
 * disks that `xl create` accepts.  Options and printing; the import
 * itself is lib/formats/import.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "formats/disk.h"
#include "formats/import.h"
#include "formats/ovf.h"
#include "formats/package.h"
#include "formats/vmmodel.h"
#include "formats/xva.h"
#include "util/file.h"
#include "util/interrupt.h"
#include "util/tempfile.h"
#include "xk.h"

static const char *const cmd = "import";

enum { OPT_JSON = 1, OPT_DISK_FORMAT };

static const struct option import_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "disk-format", required_argument, NULL, OPT_DISK_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

struct import_opts {
	bool json;
	int disk_format;	/* enum xk_img_format */
	const char *in, *dir;
};

static const struct xk_choice disk_formats[] = {
	{ "raw", XK_IMG_RAW }, { "qcow2", XK_IMG_QCOW2 }, { NULL, 0 },
};

static int
parse_opts(int argc, char **argv, struct import_opts *o)
{
	int c;

	optind = 0;	/* GNU getopt: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:", import_options, NULL)) !=
	    -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case 'o':
			o->dir = optarg;
			break;
		case OPT_DISK_FORMAT:
			if (xk_option_choice(cmd, "--disk-format", optarg,
			    disk_formats, &o->disk_format) < 0)
				return -1;
			break;
		default:
			return xk_bad_option(cmd, c, argv), -1;
		}
	}
	if (argc - optind != 1)
		return xk_usage_error(cmd, "expected one IN"), -1;
	o->in = argv[optind];
	if (o->dir == NULL)
		return xk_usage_error(cmd, "no output directory: give -o "
		    "DIR"), -1;
	return 0;
}

static void
print_json(const struct xk_import_opts *o, const struct xk_import_result *r)
{
	json_t *jw = json_array(), *doc;

	for (size_t i = 0; i < r->warnings.n; i++)
		json_array_append_new(jw, json_string(r->warnings.v[i]));
	doc = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:O, s:o}",
	    "input", o->in, "format", xk_pkg_format_name(r->format),
	    "compression", r->compression, "output_dir", r->dir,
	    "config", r->cfg_path, "name", r->name, "uuid", r->uuid,
	    "disks", r->disks, "warnings", jw);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(doc);
}

int
cmd_import(int argc, char **argv)
{
	struct import_opts o = { .disk_format = XK_IMG_RAW };
	struct xk_import_opts io;
	struct xk_import_result r;
	struct xk_error err = { 0 };
	int rc;

	if (parse_opts(argc, argv, &o) < 0)
		return XK_EXIT_USAGE;
	if (xk_interrupt_catch(&err) < 0)
		return xk_fail(cmd, &err);
	io.in = o.in;
	io.dir = o.dir;
	io.disk_format = (enum xk_img_format)o.disk_format;
	rc = xk_import(&io, &r, &err);
	xk_report_swept(cmd, &r.swept);
	for (size_t i = 0; rc == 0 && i < r.warnings.n; i++)
		xk_warnx(cmd, "warning: %s", r.warnings.v[i]);
	if (rc == 0 && o.json)
		print_json(&io, &r);
	else if (rc == 0)
		printf("%s\n", r.cfg_path);
	xk_import_result_free(&r);
	if (rc < 0)
		return xk_fail_or_raise(cmd, &err);
	return XK_EXIT_OK;
}
