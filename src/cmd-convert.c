/*
 * cmd-convert.c - xk convert [--from FMT] [--to FMT] [--json] IN OUT:
 * copy a disk image's data extents from one format to another through
 * lib/formats (convert.h).  The input is never modified; the output
 * appears under its name only when complete.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "formats/convert.h"
#include "util/clock.h"
#include "util/interrupt.h"
#include "xk.h"

static const char *const cmd = "convert";

enum { OPT_JSON = 1, OPT_FROM, OPT_TO };

static const struct option convert_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ NULL, 0, NULL, 0 },
};

struct convert_opts {
	bool json;
	const char *from, *to;
};

static int
parse_opts(int argc, char **argv, struct convert_opts *o)
{
	int c;

	optind = 0;	/* GNU getopt: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", convert_options,
	    NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_FROM:
			o->from = optarg;
			break;
		case OPT_TO:
			o->to = optarg;
			break;
		default:
			xk_bad_option(cmd, c, argv);
			return -1;
		}
	}
	return optind;
}

/*
 * The input's format: --from, else its content.  When the name's
 * extension says something else, refuse rather than guess: a raw disk
 * whose guest wrote a qcow2 header must not be read as qcow2, and a
 * qcow2 named .img must not be copied as raw bytes.
 */
static int
input_format(const char *in, const char *from, enum xk_img_format *f,
    struct xk_error *err)
{
	enum xk_img_format probed, named;

	if (from != NULL)
		return xk_img_format_parse(from, f);	/* checked */
	if (xk_img_probe(in, &probed, err) < 0)
		return -1;
	if (xk_img_format_from_name(in, &named) == 0 && named != probed) {
		xk_error_set(err, "%s: its name says %s but its content looks "
		    "like %s: say which with --from", in,
		    xk_img_format_name(named), xk_img_format_name(probed));
		return -1;
	}
	*f = probed;
	return 0;
}

static int
output_format(const char *out, const char *to, enum xk_img_format *f)
{
	if (to != NULL) {
		if (xk_img_format_parse(to, f) < 0)
			return xk_usage_error(cmd, "--to %s: unknown format "
			    "(raw, qcow2, vhd, vmdk)", to);
		return 0;
	}
	if (xk_img_format_from_name(out, f) < 0)
		return xk_usage_error(cmd, "%s: cannot tell the output format "
		    "from its name: give --to raw|qcow2|vhd|vmdk", out);
	return 0;
}

/* One document, success or not: "ok", and "error" when it failed. */
static void
print_json(const char *in, const enum xk_img_format *from, const char *out,
    enum xk_img_format to, const struct xk_disk_copy_stats *st, double secs,
    const struct xk_error *err)
{
	json_t *j = json_pack("{s:b, s:s, s:s?, s:s, s:s}", "ok", err == NULL,
	    "input", in, "input_format", from ? xk_img_format_name(*from) :
	    NULL, "output", out, "output_format", xk_img_format_name(to));

	if (j == NULL)
		return;
	if (err != NULL)
		json_object_set_new(j, "error", json_string(err->msg));
	else {
		json_object_set_new(j, "virtual_size",
		    json_integer((json_int_t)st->size));
		json_object_set_new(j, "data_bytes",
		    json_integer((json_int_t)st->data));
		json_object_set_new(j, "seconds", json_real(secs));
	}
	json_dumpf(j, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(j);
}

int
cmd_convert(int argc, char **argv)
{
	struct convert_opts o = { 0 };
	struct xk_error err = { 0 };
	struct xk_disk_copy_stats st = { 0 };
	struct xk_swept swept = { 0 };
	enum xk_img_format from, to;
	double t0 = xk_mono_seconds();
	bool known;
	int first, rc;

	first = parse_opts(argc, argv, &o);
	if (first < 0)
		return XK_EXIT_USAGE;
	if (argc - first != 2)
		return xk_usage_error(cmd, "need IN and OUT");
	if (o.from != NULL && (xk_img_format_parse(o.from, &from) < 0 ||
	    from == XK_IMG_VMDK))
		return xk_usage_error(cmd, "--from %s: unknown input format "
		    "(raw, qcow2, vhd)", o.from);
	if (output_format(argv[first + 1], o.to, &to) != 0)
		return XK_EXIT_USAGE;
	rc = xk_interrupt_catch(&err);
	if (rc == 0)
		rc = input_format(argv[first], o.from, &from, &err);
	known = rc == 0;
	if (rc == 0)
		rc = xk_disk_convert(argv[first], from, argv[first + 1], to,
		    &st, &swept, &err);
	xk_report_swept(cmd, &swept);
	xk_swept_free(&swept);
	if (rc < 0)
		xk_interrupt_blame(&err);	/* for the JSON document too */
	if (o.json)
		print_json(argv[first], known ? &from : NULL, argv[first + 1],
		    to, &st, xk_mono_seconds() - t0, rc == 0 ? NULL : &err);
	if (rc < 0)
		return xk_fail_or_raise(cmd, &err);
	return XK_EXIT_OK;
}
