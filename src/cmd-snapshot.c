/*
 * cmd-snapshot.c - xk snapshot create|list|info|revert|delete|repair:
 * thin layers over lib/snapshot.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "snapshot/snapshot.h"
#include "xk.h"

enum {
	OPT_QMP = 1, OPT_MEMORY, OPT_DISK, OPT_DESC, OPT_TREE, OPT_JSON,
	OPT_CATALOG, OPT_QMP_LOCK,
};

static const struct option snap_options[] = {
	{ "qmp", required_argument, NULL, OPT_QMP },
	{ "qmp-lock", required_argument, NULL, OPT_QMP_LOCK },
	{ "memory", no_argument, NULL, OPT_MEMORY },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "description", required_argument, NULL, OPT_DESC },
	{ "tree", no_argument, NULL, OPT_TREE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "catalog", required_argument, NULL, OPT_CATALOG },
	{ NULL, 0, NULL, 0 },
};

struct snap_opts {
	const char *qmp, *qmp_lock, *desc, *catalog;
	char **disks;
	size_t ndisks;
	bool memory, tree, json;
	int first;		/* index of the first operand */
};

/* Parse the options; allowed: the option letters this command takes. */
static int
parse_opts(const char *cmd, int argc, char **argv, const char *allowed,
    struct snap_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->catalog = getenv("XK_CATALOG");
	if (o->catalog == NULL)
		o->catalog = XK_CATALOG_DEFAULT;
	o->disks = calloc((size_t)argc + 1, sizeof(*o->disks));
	if (o->disks == NULL)
		return xk_usage_error(cmd, "out of memory");
	optind = 0;
	opterr = 0;
	/* ":": a missing value is ':', told apart from an unknown option */
	while ((c = getopt_long(argc, argv, ":", snap_options, NULL)) != -1) {
		if (c > 0 && c != ':' && c != '?' && c != OPT_CATALOG &&
		    strchr(allowed, c) == NULL) {
			free(o->disks);
			o->disks = NULL;
			return xk_usage_error(cmd, "option '%s' does not go "
			    "with this subcommand", argv[optind - 1]);
		}
		switch (c) {
		case OPT_QMP: o->qmp = optarg; break;
		case OPT_QMP_LOCK: o->qmp_lock = optarg; break;
		case OPT_MEMORY: o->memory = true; break;
		case OPT_DISK: o->disks[o->ndisks++] = optarg; break;
		case OPT_DESC: o->desc = optarg; break;
		case OPT_TREE: o->tree = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_CATALOG: o->catalog = optarg; break;
		default:
			free(o->disks);
			o->disks = NULL;
			return xk_bad_option(cmd, c, argv);
		}
	}
	o->first = optind;
	return 0;
}

static void
print_notes(const char *cmd, struct xk_snap_ctx *ctx)
{
	json_t *n;
	size_t i;

	json_array_foreach(ctx->notes, i, n)
		xk_warnx(cmd, "%s", json_string_value(n));
	json_array_clear(ctx->notes);
}

/* Open the engine for DOMAIN; prints the error itself. */
static int
open_ctx(const char *cmd, struct snap_opts *o, const char *domain,
    bool modify, struct xk_snap_ctx *ctx)
{
	struct xk_error err = { 0 };

	if (xk_snap_open(ctx, o->catalog, domain, o->qmp, o->qmp_lock, modify,
	    &err) < 0)
		return xk_fail(cmd, &err);
	return XK_EXIT_OK;
}

int
cmd_snapshot_create(int argc, char **argv)
{
	const char *cmd = "snapshot create";
	struct xk_error err = { 0 };
	struct xk_snap_ctx ctx;
	struct snap_opts o;
	char *made = NULL;
	int rc, nargs;

	if (parse_opts(cmd, argc, argv, "\1\2\3\4\10", &o) != 0)
		return XK_EXIT_USAGE;
	nargs = argc - o.first;
	if (nargs < 1 || nargs > 2) {
		free(o.disks);
		return xk_usage_error(cmd, "expected DOMAIN [NAME]");
	}
	if (o.memory && o.qmp != NULL) {
		free(o.disks);
		xk_warnx(cmd, "--memory: a memory checkpoint is saved through "
		    "libxl (as xl save -c does), so it needs a Xen domain, not "
		    "--qmp; without --memory the snapshot is disk-only");
		return XK_EXIT_FAIL;
	}
	if ((rc = open_ctx(cmd, &o, argv[o.first], true, &ctx)) != 0) {
		free(o.disks);
		return rc;
	}
	rc = (o.memory ? xk_snap_create_memory : xk_snap_create)(&ctx,
	    nargs == 2 ? argv[o.first + 1] : NULL, o.desc, o.disks, o.ndisks,
	    &made, &err);
	print_notes(cmd, &ctx);
	if (rc < 0) {
		rc = xk_fail(cmd, &err);
	} else {
		printf("%s\n", made);
		if (getenv("XK_SNAPSHOT_TIMING") != NULL)
			fprintf(stderr, "freeze_ms %.3f\n", ctx.env.freeze_ms);
		rc = XK_EXIT_OK;
	}
	free(made);
	free(o.disks);
	xk_snap_close(&ctx);
	return rc;
}

static void
print_snap(json_t *s, int depth)
{
	char when[32];
	time_t t = (time_t)json_integer_value(json_object_get(s, "created"));
	struct tm tm;
	json_t *d;
	size_t i;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%*s%s%s  %s UTC  %s", depth * 2, "",
	    json_string_value(json_object_get(s, "name")),
	    json_is_true(json_object_get(s, "current")) ? " *" : "", when,
	    json_string_value(json_object_get(s, "kind")));
	json_array_foreach(json_object_get(s, "disks"), i, d)
		printf("%s%s", i ? "," : "  disks ",
		    json_string_value(json_object_get(d, "vdev")));
	if (json_is_string(json_object_get(s, "description")))
		printf("  \"%s\"", json_string_value(json_object_get(s,
		    "description")));
	putchar('\n');
}

static void
print_tree(json_t *snaps, const char *parent, int depth)
{
	json_t *s;
	size_t i;

	json_array_foreach(snaps, i, s) {
		const char *p = json_string_value(json_object_get(s, "parent"));

		if ((parent == NULL) != (p == NULL) ||
		    (p != NULL && strcmp(p, parent) != 0))
			continue;
		print_snap(s, depth);
		print_tree(snaps, json_string_value(json_object_get(s,
		    "name")), depth + 1);
	}
}

static void
print_pending(const char *cmd, json_t *doc)
{
	json_t *p = json_object_get(doc, "pending");

	if (!json_is_object(p))
		return;
	printf("! interrupted %s of snapshot %s (step %lld, pid %lld): run "
	    "xk snapshot repair %s, or any snapshot operation on it\n",
	    json_string_value(json_object_get(p, "op")),
	    json_string_value(json_object_get(p, "snapshot")),
	    (long long)json_integer_value(json_object_get(p, "step")),
	    (long long)json_integer_value(json_object_get(p, "pid")),
	    json_string_value(json_object_get(doc, "domain")));
	(void)cmd;
}

static int
list_or_info(const char *cmd, int argc, char **argv, bool info)
{
	struct xk_error err = { 0 };
	struct xk_snap_ctx ctx;
	struct snap_opts o;
	json_t *doc, *s;
	size_t i;
	int rc;

	if (parse_opts(cmd, argc, argv, info ? "\6" : "\1\5\6", &o) != 0)
		return XK_EXIT_USAGE;
	free(o.disks);
	if (argc - o.first != (info ? 2 : 1))
		return xk_usage_error(cmd, info ? "expected DOMAIN NAME" :
		    "expected DOMAIN");
	/* listing needs no QEMU: the catalog is the record */
	o.qmp = NULL;
	if ((rc = open_ctx(cmd, &o, argv[o.first], false, &ctx)) != 0)
		return rc;
	doc = xk_snap_list(&ctx, info ? argv[o.first + 1] : NULL, &err);
	if (doc == NULL) {
		rc = xk_fail(cmd, &err);
		xk_snap_close(&ctx);
		return rc;
	}
	if (o.json) {
		json_t *out = info ? json_pack("{s:O, s:O}", "snapshot",
		    json_array_get(json_object_get(doc, "snapshots"), 0),
		    "pending", json_object_get(doc, "pending")) :
		    json_incref(doc);

		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(out);
	} else if (info) {
		json_t *d, *one = json_array_get(json_object_get(doc,
		    "snapshots"), 0);

		print_snap(one, 0);
		printf("parent: %s\n", json_is_string(json_object_get(one,
		    "parent")) ? json_string_value(json_object_get(one,
		    "parent")) : "(none)");
		json_array_foreach(json_object_get(one, "disks"), i, d)
			printf("disk %s: %s %s %s\n", json_string_value(
			    json_object_get(d, "vdev")), json_string_value(
			    json_object_get(d, "backend")), json_string_value(
			    json_object_get(d, "format")), json_string_value(
			    json_object_get(d, "path")));
		print_pending(cmd, doc);
	} else {
		print_pending(cmd, doc);
		if (o.tree)
			print_tree(json_object_get(doc, "snapshots"), NULL, 0);
		else
			json_array_foreach(json_object_get(doc, "snapshots"),
			    i, s)
				print_snap(s, 0);
	}
	json_decref(doc);
	xk_snap_close(&ctx);
	return XK_EXIT_OK;
}

int
cmd_snapshot_list(int argc, char **argv)
{
	return list_or_info("snapshot list", argc, argv, false);
}

int
cmd_snapshot_info(int argc, char **argv)
{
	return list_or_info("snapshot info", argc, argv, true);
}

typedef int (*snap_op)(struct xk_snap_ctx *, const char *,
    struct xk_error *);

static int
name_op(const char *cmd, int argc, char **argv, snap_op fn)
{
	struct xk_error err = { 0 };
	struct xk_snap_ctx ctx;
	struct snap_opts o;
	int rc;

	if (parse_opts(cmd, argc, argv, "\1\10", &o) != 0)
		return XK_EXIT_USAGE;
	free(o.disks);
	if (argc - o.first != 2)
		return xk_usage_error(cmd, "expected DOMAIN NAME");
	if ((rc = open_ctx(cmd, &o, argv[o.first], true, &ctx)) != 0)
		return rc;
	rc = fn(&ctx, argv[o.first + 1], &err) < 0 ? xk_fail(cmd, &err) :
	    XK_EXIT_OK;
	print_notes(cmd, &ctx);
	xk_snap_close(&ctx);
	return rc;
}

int
cmd_snapshot_revert(int argc, char **argv)
{
	return name_op("snapshot revert", argc, argv, xk_snap_revert);
}

int
cmd_snapshot_delete(int argc, char **argv)
{
	return name_op("snapshot delete", argc, argv, xk_snap_delete);
}

int
cmd_snapshot_repair(int argc, char **argv)
{
	const char *cmd = "snapshot repair";
	struct xk_error err = { 0 };
	struct xk_snap_ctx ctx;
	struct snap_opts o;
	char *done = NULL;
	int rc;

	if (parse_opts(cmd, argc, argv, "\1\10", &o) != 0)
		return XK_EXIT_USAGE;
	free(o.disks);
	if (argc - o.first != 1)
		return xk_usage_error(cmd, "expected DOMAIN");
	if ((rc = open_ctx(cmd, &o, argv[o.first], true, &ctx)) != 0)
		return rc;
	if (xk_snap_repair(&ctx, &done, &err) < 0) {
		rc = xk_fail(cmd, &err);
	} else {
		printf("%s\n", done ? done : "nothing to repair");
		rc = XK_EXIT_OK;
	}
	free(done);
	xk_snap_close(&ctx);
	return rc;
}

int
cmd_snapshot_mirror(int argc, char **argv)
{
	const char *cmd = "snapshot mirror";
	struct xk_error err = { 0 };
	struct xk_snap_ctx ctx;
	struct snap_opts o;
	json_t *made = NULL, *f;
	size_t i;
	int rc;

	if (parse_opts(cmd, argc, argv, "\1\10", &o) != 0)
		return XK_EXIT_USAGE;
	free(o.disks);
	if (argc - o.first != 2)
		return xk_usage_error(cmd, "expected DOMAIN DEST-DIR");
	if ((rc = open_ctx(cmd, &o, argv[o.first], true, &ctx)) != 0)
		return rc;
	if (xk_snap_mirror(&ctx, argv[o.first + 1], &made, &err) < 0) {
		rc = xk_fail(cmd, &err);
	} else {
		json_array_foreach(made, i, f)
			printf("%s\n", json_string_value(f));
		rc = XK_EXIT_OK;
	}
	json_decref(made);
	print_notes(cmd, &ctx);
	xk_snap_close(&ctx);
	return rc;
}
