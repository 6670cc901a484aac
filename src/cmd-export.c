/*
 * cmd-export.c - xk export: an xl.cfg and its disks to XVA, OVA or VHD.
 *
 * Options and printing; the export itself is lib/formats/export.c.
 * Warnings name every xl.cfg key that has no counterpart in the target
 * format (--strict makes them errors, before anything is written).
 */
#include <getopt.h>
#include <stdio.h>

#include <jansson.h>

#include "config/domcfg.h"
#include "formats/export.h"
#include "util/interrupt.h"
#include "xk.h"

static const char *const cmd = "export";

enum { OPT_JSON = 1, OPT_FORMAT, OPT_CHECKSUM, OPT_TO_HVM, OPT_STRICT,
    OPT_DISK_FORMAT };

static const struct option export_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "checksum", required_argument, NULL, OPT_CHECKSUM },
	{ "to-hvm", no_argument, NULL, OPT_TO_HVM },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "disk-format", required_argument, NULL, OPT_DISK_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

/* in enum order: the JSON summary names them from here */
static const struct xk_choice formats[] = {
	{ "xva", XK_EXPORT_XVA }, { "ova", XK_EXPORT_OVA },
	{ "vhd", XK_EXPORT_VHD },
	{ NULL, 0 },
};
/* in enum order too */
static const struct xk_choice sums[] = {
	{ "sha1", XK_XVA_SHA1 }, { "xxhash", XK_XVA_XXHASH }, { NULL, 0 },
};
static const struct xk_choice ova_disks[] = {
	{ "vhd", XK_IMG_VHD }, { "vmdk", XK_IMG_VMDK }, { NULL, 0 },
};

struct export_opts {
	bool json, strict, to_hvm;
	int format;		/* enum xk_export_format */
	int sum;		/* enum xk_xva_sum */
	int ova_disks;		/* enum xk_img_format */
	bool format_given, sum_given, disks_given;
	const char *cfg, *out;
};

static int
parse_opts(int argc, char **argv, struct export_opts *o)
{
	int c;

	optind = 0;	/* GNU getopt: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:", export_options, NULL)) !=
	    -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_TO_HVM:
			o->to_hvm = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case OPT_FORMAT:
			o->format_given = true;
			if (xk_option_choice(cmd, "--format", optarg, formats,
			    &o->format) < 0)
				return -1;
			break;
		case OPT_CHECKSUM:
			o->sum_given = true;
			if (xk_option_choice(cmd, "--checksum", optarg, sums,
			    &o->sum) < 0)
				return -1;
			break;
		case OPT_DISK_FORMAT:
			o->disks_given = true;
			if (xk_option_choice(cmd, "--disk-format", optarg,
			    ova_disks, &o->ova_disks) < 0)
				return -1;
			break;
		default:
			return xk_bad_option(cmd, c, argv), -1;
		}
	}
	if (argc - optind != 1)
		return xk_usage_error(cmd, "expected one CFG"), -1;
	o->cfg = argv[optind];
	if (o->out == NULL)
		return xk_usage_error(cmd, "no output: give -o OUT"), -1;
	if (!o->format_given &&
	    xk_choice_by_suffix(o->out, formats, &o->format) < 0)
		return xk_usage_error(cmd, "%s: cannot tell the format from "
		    "the name: give --format xva|ova|vhd", o->out), -1;
	if (o->sum_given && o->format != XK_EXPORT_XVA)
		return xk_usage_error(cmd, "--checksum is for XVA output"), -1;
	if (o->disks_given && o->format != XK_EXPORT_OVA)
		return xk_usage_error(cmd, "--disk-format is for OVA output"),
		    -1;
	return 0;
}

static void
print_json(const struct export_opts *o, const struct xk_domcfg *dc,
    const struct xk_export_result *r)
{
	struct xk_error err = { 0 };	/* the export worked: so does this */
	json_t *doc, *jw = json_array();
	char uuid[37];

	for (size_t i = 0; i < r->warnings.n; i++)
		json_array_append_new(jw, json_string(r->warnings.v[i]));
	doc = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:O, s:o}", "output",
	    o->out, "format", formats[o->format].name, "checksum",
	    o->format == XK_EXPORT_XVA ? sums[o->sum].name :
	    o->format == XK_EXPORT_OVA ? "sha256" : "none", "name", dc->name,
	    "uuid", xk_vm_uuid(dc, uuid, &err) == 0 ? uuid : NULL, "disks",
	    r->disks, "warnings", jw);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(doc);
}

int
cmd_export(int argc, char **argv)
{
	struct export_opts o = { .sum = XK_XVA_SHA1, .ova_disks = XK_IMG_VHD };
	struct xk_export_opts eo;
	struct xk_export_result r;
	struct xk_error err = { 0 };
	struct xk_domcfg *dc;
	int rc;

	if (parse_opts(argc, argv, &o) < 0)
		return XK_EXIT_USAGE;
	if (xk_interrupt_catch(&err) < 0)
		return xk_fail(cmd, &err);
	dc = xk_domcfg_load(o.cfg, &err);
	if (dc == NULL)
		return xk_fail(cmd, &err);
	eo = (struct xk_export_opts){ .cfg = o.cfg, .out = o.out,
	    .format = (enum xk_export_format)o.format,
	    .sum = (enum xk_xva_sum)o.sum,
	    .ova_disks = (enum xk_img_format)o.ova_disks,
	    .to_hvm = o.to_hvm, .strict = o.strict };
	rc = xk_export(&eo, dc, &r, &err);
	xk_report_swept(cmd, &r.swept);
	for (size_t i = 0; i < r.warnings.n; i++)
		xk_warnx(cmd, "%s: %s", o.strict ? "error" : "warning",
		    r.warnings.v[i]);
	if (rc == 0 && o.json)
		print_json(&o, dc, &r);
	xk_export_result_free(&r);
	xk_domcfg_free(dc);
	if (rc < 0)
		return xk_fail_or_raise(cmd, &err);
	return XK_EXIT_OK;
}
